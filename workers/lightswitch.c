/*
 * lightswitch.c: an example state machine: off and on; cast "toggle"
 * flips it, call "state" answers {"state":"on"}, and with --timeout MS a
 * state timeout turns "on" back "off" (0: it stays on).
 */
#include <stdio.h>
#include <string.h>

#include "msg.h"
#include "worker.h"

enum { OFF, ON, NSTATES };

static const char *const names[NSTATES] = { "off", "on" };
static const char *const replies[NSTATES] = {
	"{\"state\":\"off\"}", "{\"state\":\"on\"}"
};
static uint32_t tag_toggle, tag_state;

static int
handle_event(struct msg_statem_ctx *ctx, int state,
    const struct msg_statem_event *ev, void *data)
{
	const struct worker_opts *o = data;

	switch (ev->type) {
	case MSG_STATEM_ENTER:
		/* Entering "on" arms the timer; leaving a state cancels it. */
		if (state == ON && o->timeout > 0)
			msg_statem_state_timeout(ctx, (uint64_t)o->timeout, 0);
		return state;
	case MSG_STATEM_STATE_TIMEOUT:
		return OFF;
	case MSG_STATEM_CAST:
		if (ev->msg.tag == tag_toggle)
			return state == ON ? OFF : ON;
		fprintf(stderr, "lightswitch: cast 0x%08x dropped: unknown "
		    "tag\n", ev->msg.tag);
		return state;
	case MSG_STATEM_CALL:
		if (ev->msg.tag == tag_state)
			msg_reply(ev->call, MSG_F_JSON, replies[state],
			    strlen(replies[state]));
		else
			msg_reply_error(ev->call, MSG_ERR_UNKNOWN_TAG,
			    "unknown call");
		return state;
	default:
		return state;
	}
}

int
main(int argc, char **argv)
{
	static const struct msg_statem_ops ops = {
		.handle_event = handle_event,
		.flags = MSG_STATEM_ENTER_CALLS,
		.state_names = names,
		.nstates = NSTATES,
	};
	struct worker_opts o;
	struct msg_statem_actor a = { .ops = &ops, .initial_state = OFF };

	worker_args(argc, argv, &o);
	tag_toggle = msg_tag("toggle");
	tag_state = msg_tag("state");
	a.name = o.name;
	return msg_statem_main(&a, &o);
}
