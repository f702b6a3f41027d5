/*
 * events.c: numbers each event, keeps the last EVENTS_KEPT in a ring and
 * publishes it with the node's path as topic.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "control-proto.h"
#include "events.h"
#include "msg.h"

static struct msg_server	*srv;
static char			*ring[EVENTS_KEPT];
static unsigned long long	 seq;

void
events_init(struct msg_server *s)
{
	srv = s;
}

static double
wallclock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void
events_emit(json_t *ev)
{
	const char *path;
	char *s;
	size_t slot;

	/* seq and ts first, so the line reads in the documented order. */
	json_t *o = json_pack("{sIsf}", "seq", (json_int_t)++seq, "ts",
	    wallclock());

	json_object_update(o, ev);
	json_decref(ev);
	if ((s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER |
	    JSON_REAL_PRECISION(16))) == NULL) {
		json_decref(o);
		return;
	}
	path = json_string_value(json_object_get(o, "path"));
	if (srv != NULL)
		msg_publish(srv, path ? path : "", MSG_F_JSON, s, strlen(s));
	slot = (size_t)(seq % EVENTS_KEPT);
	free(ring[slot]);
	ring[slot] = s;
	json_decref(o);
}

json_t *
events_history(void)
{
	json_t *a = json_array(), *e;
	unsigned long long first, i;

	first = seq > EVENTS_KEPT ? seq - EVENTS_KEPT + 1 : 1;
	for (i = first; i <= seq; i++) {
		if (ring[i % EVENTS_KEPT] == NULL)
			continue;
		if ((e = json_loads(ring[i % EVENTS_KEPT], 0, NULL)) != NULL)
			json_array_append_new(a, e);
	}
	return a;
}

void
events_free(void)
{
	size_t i;

	for (i = 0; i < EVENTS_KEPT; i++) {
		free(ring[i]);
		ring[i] = NULL;
	}
}
