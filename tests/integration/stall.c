/*
 * stall.c: an actor that takes every call and never answers it, so
 * shell tests can watch a caller's timeout. Casts are ignored.
 *
 * usage: stall [--name NAME]	(default name: stall)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"

struct held {
	struct msg_call	*calls[256];
	size_t		 n;
};

static void
handle_call(void *state, struct msg_call *call, const struct msg_message *m)
{
	struct held *h = state;
	struct msg_call *k;

	/* Keep it (unanswered) while there is room; then ERROR 4. */
	if (h->n < sizeof(h->calls) / sizeof(h->calls[0]) &&
	    (k = msg_call_keep(call)) != NULL)
		h->calls[h->n++] = k;
	else
		msg_reply_error(call, MSG_ERR_OVERLOADED, "too many held");
}

static void *
init(struct msg_loop *l, struct msg_server *s, void *arg)
{
	return arg;
}

static void
terminate(void *state)
{
	struct held *h = state;
	size_t i;

	for (i = 0; i < h->n; i++)
		msg_call_free(h->calls[i]);
}

int
main(int argc, char **argv)
{
	static const struct msg_server_ops ops = { .handle_call = handle_call };
	static struct held h;
	struct msg_actor a = {
		.name = "stall", .ops = &ops, .init = init,
		.terminate = terminate,
	};

	if (argc == 3 && strcmp(argv[1], "--name") == 0)
		a.name = argv[2];
	else if (argc != 1) {
		fprintf(stderr, "usage: stall [--name NAME]\n");
		return 64;
	}
	return msg_actor_main(&a, &h);
}
