/*
 * control-proto.h: what supervisord and supervisorctl agree on. Commands
 * are libmsg calls tagged msg_tag(command) with a JSON object payload;
 * events are published with the node's path as topic. supervisorctl(8),
 * PROTOCOL.
 */
#ifndef CONTROL_PROTO_H
#define CONTROL_PROTO_H

#define CTL_SOCKET		"supervisord.sock"
#define CTL_EVENT_PREFIX	""

/* The commands, by the name their tag is made from. */
#define CTL_STATUS		"status"
#define CTL_START		"start"
#define CTL_STOP		"stop"
#define CTL_RESTART		"restart"
#define CTL_DELETE_CHILD	"delete-child"
#define CTL_START_CHILD		"start-child"
#define CTL_SIGNAL		"signal"
#define CTL_RELOAD		"reload"
#define CTL_HISTORY		"history"
#define CTL_SHUTDOWN		"shutdown"
#define CTL_SPEC		"spec"
#define CTL_PLAN		"plan"
#define CTL_READY		"ready"

#endif /* CONTROL_PROTO_H */
