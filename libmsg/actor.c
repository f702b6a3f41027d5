/*
 * actor.c: msg_actor_main(), the whole life of a simple actor: bind its
 * name, run init, say READY=1, serve until SIGTERM or SIGINT, terminate.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "msg-int.h"

static void
on_stop(struct msg_loop *l, int signo, void *arg)
{
	msg_loop_stop(l);
}

/* The loop every actor main runs: fn(arg) on SIGTERM and SIGINT. */
struct msg_loop *
msg__actor_loop_with(msg_signal_fn *fn, void *arg)
{
	struct msg_loop *l;

	if ((l = msg_loop_new()) == NULL) {
		msg__log(LOG_ERR, "event loop: %s", strerror(errno));
		return NULL;
	}
	if (msg_loop_signal(l, SIGTERM, fn, arg) == -1 ||
	    msg_loop_signal(l, SIGINT, fn, arg) == -1) {
		msg__log(LOG_ERR, "signals: %s", strerror(errno));
		msg_loop_free(l);
		return NULL;
	}
	return l;
}

/* ... that stops at once. */
struct msg_loop *
msg__actor_loop(void)
{
	return msg__actor_loop_with(on_stop, NULL);
}

void
msg__actor_ready(const char *name)
{
	if (msg_ready() == -1)
		msg__log(LOG_WARNING, "%s: READY=1: %s", name,
		    strerror(errno));
}

int
msg_actor_main(const struct msg_actor *a, void *arg)
{
	struct msg_loop *l;
	struct msg_server *s;
	void *state = NULL;
	int rc = 1;

	if ((l = msg__actor_loop()) == NULL)
		return 1;
	if ((s = msg_server_new(l, a->name, a->ops, NULL, NULL)) == NULL) {
		msg__log(LOG_ERR, "%s: cannot listen: %s", a->name,
		    strerror(errno));
		goto fail_loop;
	}
	if (a->init != NULL && (state = a->init(l, s, arg)) == NULL) {
		msg__log(LOG_ERR, "%s: init failed", a->name);
		goto fail_server;
	}
	msg_server_set_state(s, state);
	msg__actor_ready(a->name);
	rc = msg_loop_run(l) == -1 ? 1 : 0;
	if (a->terminate != NULL)
		a->terminate(state);
fail_server:
	msg_server_free(s);
fail_loop:
	msg_loop_free(l);
	return rc;
}
