/*
 * control-proto.h: what supervisord and supervisorctl agree on. Commands
 * are libmsg calls tagged msg_tag(command) with a JSON object payload;
 * events are published with the node's path as topic.
 */
#ifndef CONTROL_PROTO_H
#define CONTROL_PROTO_H

#define CTL_SOCKET		"supervisord.sock"
#define CTL_EVENT_PREFIX	""

#endif /* CONTROL_PROTO_H */
