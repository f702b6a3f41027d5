/*
 * eventmgr.c: an example event manager (gen_event): relays the events
 * clients publish to every subscriber whose prefix matches, answers call
 * "sync_publish" once the event is in each such subscriber's socket, and
 * call "stats" with each subscriber's delivered and dropped counts.
 */
#include "msg.h"
#include "worker.h"

int
main(int argc, char **argv)
{
	struct worker_opts o;
	struct msg_event_actor a = { 0 };

	worker_args(argc, argv, &o);
	a.name = o.name;
	return msg_event_main(&a, NULL);
}
