/*
 * events.h: the event stream: numbered, timestamped, kept in a ring for
 * `events --history`, published to subscribers of the control socket.
 */
#ifndef EVENTS_H
#define EVENTS_H

#include <jansson.h>

struct msg_server;

#define EVENTS_KEPT	4096

void	 events_init(struct msg_server *);
/* Adds seq and ts, keeps, publishes and logs ev; steals the reference. */
void	 events_emit(json_t *ev);
json_t	*events_history(void);
void	 events_free(void);

#endif /* EVENTS_H */
