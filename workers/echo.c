/*
 * echo.c: an example server: call "echo" answers with its own payload and
 * flags. Benchmarks use it to measure the call path alone.
 */
#include "msg.h"
#include "worker.h"

static void
handle_call(void *state, struct msg_call *call, const struct msg_message *m)
{
	if (m->tag == msg_tag("echo"))
		msg_reply(call, m->flags, m->data, m->len);
	else
		msg_reply_error(call, MSG_ERR_UNKNOWN_TAG, "unknown call");
}

static void *
init(struct msg_loop *l, struct msg_server *s, void *arg)
{
	return s;	/* no state; any non-NULL pointer says init worked */
}

int
main(int argc, char **argv)
{
	static const struct msg_server_ops ops = { .handle_call = handle_call };
	struct worker_opts o;
	struct msg_actor a = { .ops = &ops, .init = init };

	worker_args(argc, argv, &o);
	a.name = o.name;
	return msg_actor_main(&a, NULL);
}
