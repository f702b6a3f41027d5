/*
 * counter.c: an example server: cast "increment" adds one (or the JSON
 * number sent), call "get" answers {"count":N}, call "crash" aborts.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "msg.h"
#include "worker.h"

struct counter {
	long long	count;
};

static void
handle_call(void *state, struct msg_call *call, const struct msg_message *m)
{
	struct counter *c = state;
	json_t *v;

	if (m->tag == msg_tag("get")) {
		v = json_pack("{sI}", "count", (json_int_t)c->count);
		msg_reply_json(call, v);
		json_decref(v);
	} else if (m->tag == msg_tag("crash"))
		abort();
	else
		msg_reply_error(call, MSG_ERR_UNKNOWN_TAG, "unknown call");
}

static void
handle_cast(void *state, struct msg_peer *peer, const struct msg_message *m)
{
	struct counter *c = state;
	json_t *v;

	long long by = 1;

	if (m->tag != msg_tag("increment")) {
		fprintf(stderr, "counter: cast 0x%08x dropped: unknown tag\n",
		    m->tag);
		return;
	}
	if (m->len > 0 && (v = msg_json(m, NULL, 0)) != NULL) {
		by = json_is_integer(v) ? json_integer_value(v) : 0;
		json_decref(v);
	}
	/* Saturate rather than overflow. */
	if (__builtin_add_overflow(c->count, by, &c->count))
		c->count = by > 0 ? LLONG_MAX : LLONG_MIN;
}

static void *
init(struct msg_loop *l, struct msg_server *s, void *arg)
{
	return arg;
}

int
main(int argc, char **argv)
{
	static const struct msg_server_ops ops = {
		.handle_call = handle_call,
		.handle_cast = handle_cast,
	};
	struct worker_opts o;
	struct counter c = { 0 };
	struct msg_actor a = { .ops = &ops, .init = init };

	worker_args(argc, argv, &o);
	a.name = o.name;
	return msg_actor_main(&a, &c);
}
