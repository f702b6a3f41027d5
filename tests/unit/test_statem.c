/*
 * test_statem.c: the state machine behaviour (msg_statem(3)): every action
 * and timeout rule on a machine of the test process, then calls and casts
 * over real sockets (forked client, forked server) and the lightswitch
 * worker. Nothing sleeps longer than the timeout under test: timers are
 * ordered against a "stop" timeout, and children announce READY=1.
 */
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <cmocka.h>

#include "msg.h"
#include "fixture.h"

#define WATCHDOG_S	120	/* a hung test dies (SIGALRM), never hangs */

enum { A, B, C, NSTATES };
static const char *const state_names[NSTATES] = { "A", "B", "C" };

/* ---------------------------------------------------------------- */
/*
 * The test machine. Each event's payload is a script of space-separated
 * actions; "AB/tok" does tok only in states A and B:
 *   >X		next state X		P	postpone
 *   n:L	next_event L (',' in L becomes ' ')
 *   i:L	msg_statem_cast_self L	e:MS	event timeout
 *   s:MS	state timeout		S	cancel the state timeout
 *   g:N:MS	generic timeout N	c:N	cancel generic timeout N
 *   r	reply "ok"	R	reply the state's name
 *   k	keep the call		K	reply "late" to the kept call
 * Any other token is a label. Timeouts run the script set with on();
 * enter calls run enter[state]. A generic timeout "stop" stops the loop.
 * Every event is logged as "STATE TYPE CONTENT|"; a failed action as "!X|".
 */
struct tmach {
	struct msg_loop		*loop;
	struct msg_statem	*sm;
	char			 log[8192];
	const char		*enter[NSTATES];
	struct {
		const char	*name;
		const char	*script;
	}			 on[8];
	size_t			 non;
	struct msg_call		*kept;
	char			 warn[1024];	/* what libmsg logged */
	int			 term_state;
	int			 stopped;	/* run() returns */
};

static const char *const type_names[] = {
	[MSG_STATEM_CALL] = "call",
	[MSG_STATEM_CAST] = "cast",
	[MSG_STATEM_INFO] = "info",
	[MSG_STATEM_INTERNAL] = "internal",
	[MSG_STATEM_EVENT_TIMEOUT] = "event-timeout",
	[MSG_STATEM_STATE_TIMEOUT] = "state-timeout",
	[MSG_STATEM_TIMEOUT] = "timeout",
	[MSG_STATEM_ENTER] = "enter",
};

static void __attribute__((format(printf, 2, 3)))
logf_(struct tmach *t, const char *fmt, ...)
{
	size_t n = strlen(t->log);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->log + n, sizeof(t->log) - n, fmt, ap);
	va_end(ap);
	strlcat(t->log, "|", sizeof(t->log));
}

static void
on(struct tmach *t, const char *name, const char *script)
{
	assert_true(t->non < sizeof(t->on) / sizeof(t->on[0]));
	t->on[t->non].name = name;
	t->on[t->non++].script = script;
}

static const char *
on_script(struct tmach *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->non; i++)
		if (strcmp(t->on[i].name, name) == 0)
			return t->on[i].script;
	return NULL;
}

static void
reply_str(struct tmach *t, struct msg_call *call, const char *s)
{
	if (call == NULL || msg_reply(call, 0, s, strlen(s)) == -1)
		logf_(t, "!reply");
}

static void
action(struct tmach *t, struct msg_statem_ctx *ctx, int state,
    const struct msg_statem_event *ev, char *tok, int *next)
{
	char buf[256], *p;
	int r = 0;

	if (tok[0] == '>' && tok[1] >= 'A' && tok[1] < 'A' + NSTATES &&
	    tok[2] == '\0')
		*next = tok[1] - 'A';
	else if (strcmp(tok, "P") == 0)
		r = msg_statem_postpone(ctx);
	else if (strcmp(tok, "S") == 0)
		r = msg_statem_cancel_state_timeout(ctx);
	else if (strcmp(tok, "r") == 0)
		reply_str(t, ev->call, "ok");
	else if (strcmp(tok, "R") == 0)
		reply_str(t, ev->call, state_names[state]);
	else if (strcmp(tok, "k") == 0)
		t->kept = msg_call_keep(ev->call);
	else if (strcmp(tok, "K") == 0) {
		reply_str(t, t->kept, "late");
		t->kept = NULL;
	} else if (tok[0] != '\0' && tok[1] == ':') {
		strlcpy(buf, tok + 2, sizeof(buf));
		switch (tok[0]) {
		case 'n':
		case 'i':
			for (p = buf; *p != '\0'; p++)
				if (*p == ',')
					*p = ' ';
			if (tok[0] == 'n')
				r = msg_statem_next_event(ctx, 0, 0, buf,
				    strlen(buf));
			else
				r = msg_statem_cast_self(msg_statem_self(ctx),
				    0, 0, buf, strlen(buf));
			break;
		case 'e':
			r = msg_statem_event_timeout(ctx, strtoull(buf, NULL,
			    10), 0);
			break;
		case 's':
			r = msg_statem_state_timeout(ctx, strtoull(buf, NULL,
			    10), 0);
			break;
		case 'g':
			if ((p = strchr(buf, ':')) == NULL)
				fail_msg("bad token %s", tok);
			*p++ = '\0';
			r = msg_statem_timeout(ctx, buf, strtoull(p, NULL, 10));
			break;
		case 'c':
			r = msg_statem_cancel_timeout(ctx, buf);
			break;
		}
	}
	if (r == -1)
		logf_(t, "!%c", tok[0]);
}

static int
run_script(struct tmach *t, struct msg_statem_ctx *ctx, int state,
    const struct msg_statem_event *ev, const char *script)
{
	char buf[512], *tok, *p, *save;
	int next = state;

	strlcpy(buf, script, sizeof(buf));
	for (tok = strtok_r(buf, " ", &save); tok != NULL;
	    tok = strtok_r(NULL, " ", &save)) {
		if ((p = strchr(tok, '/')) != NULL) {
			*p = '\0';
			if (strchr(tok, 'A' + state) == NULL)
				continue;
			tok = p + 1;
		}
		action(t, ctx, state, ev, tok, &next);
	}
	return next;
}

static int
tm_handle(struct msg_statem_ctx *ctx, int state,
    const struct msg_statem_event *ev, void *data)
{
	struct tmach *t = data;
	const char *script = NULL, *tname = type_names[ev->type];
	char content[512];
	size_t n;

	assert_ptr_equal(msg_statem_data(msg_statem_self(ctx)), t);
	switch (ev->type) {
	case MSG_STATEM_ENTER:
		logf_(t, "%s enter %s", state_names[state],
		    state_names[ev->old_state]);
		script = t->enter[state];
		break;
	case MSG_STATEM_TIMEOUT:
		assert_int_equal(ev->msg.tag, msg_tag(ev->name));
		logf_(t, "%s timeout %s", state_names[state], ev->name);
		if (strcmp(ev->name, "stop") == 0)
			t->stopped = 1;
		script = on_script(t, ev->name);
		break;
	case MSG_STATEM_EVENT_TIMEOUT:
	case MSG_STATEM_STATE_TIMEOUT:
		logf_(t, "%s %s", state_names[state], tname);
		script = on_script(t, ev->type == MSG_STATEM_STATE_TIMEOUT ?
		    "state" : "event");
		break;
	default:
		n = ev->msg.len < sizeof(content) - 1 ? ev->msg.len :
		    sizeof(content) - 1;
		memcpy(content, ev->msg.data, n);
		content[n] = '\0';
		logf_(t, "%s %s %s", state_names[state], tname, content);
		script = content;
		break;
	}
	return script != NULL ? run_script(t, ctx, state, ev, script) : state;
}

static const struct msg_statem_ops ops_plain = {
	.handle_event = tm_handle,
	.state_names = state_names,
	.nstates = NSTATES,
};

static const struct msg_statem_ops ops_enter = {
	.handle_event = tm_handle,
	.flags = MSG_STATEM_ENTER_CALLS,
	.state_names = state_names,
	.nstates = NSTATES,
};

static const struct msg_statem_ops ops_enter_init = {
	.handle_event = tm_handle,
	.flags = MSG_STATEM_ENTER_CALLS | MSG_STATEM_ENTER_INIT,
	.state_names = state_names,
	.nstates = NSTATES,
};

static const struct msg_statem_ops ops_small = {
	.handle_event = tm_handle,
	.state_names = state_names,
	.nstates = NSTATES,
	.max_queue = 2,
};

static void
capture_log(int prio, const char *line, void *arg)
{
	struct tmach *t = arg;

	strlcat(t->warn, line, sizeof(t->warn));
	strlcat(t->warn, "\n", sizeof(t->warn));
}

static int
tm_setup(void **state)
{
	struct tmach *t;

	if ((t = calloc(1, sizeof(*t))) == NULL ||
	    (t->loop = msg_loop_new()) == NULL)
		return -1;
	msg_set_logger(capture_log, t);
	alarm(WATCHDOG_S);
	*state = t;
	return 0;
}

static int
tm_teardown(void **state)
{
	struct tmach *t = *state;

	alarm(0);
	msg_call_free(t->kept);
	msg_statem_free(t->sm);
	msg_loop_free(t->loop);
	msg_set_logger(NULL, NULL);
	free(t);
	return 0;
}

static struct tmach *
tm_start(void **state, const struct msg_statem_ops *ops)
{
	struct tmach *t = *state;

	t->sm = msg_statem_new(t->loop, NULL, ops, t, A);
	assert_non_null(t->sm);
	return t;
}

static void
cast(struct tmach *t, const char *script)
{
	assert_int_equal(msg_statem_cast_self(t->sm, 0, 0, script,
	    strlen(script)), 0);
}

static void
info(struct tmach *t, const char *script)
{
	assert_int_equal(msg_statem_info(t->sm, 0, 0, script,
	    strlen(script)), 0);
}

/* Run the loop until the "stop" timeout (bounded); the log says the rest. */
static void
run(struct tmach *t)
{
	uint64_t deadline = fx_now_ms() + BOUND_MS;

	t->stopped = 0;
	while (!t->stopped) {
		if (fx_now_ms() >= deadline)
			fail_msg("no stop after %d ms; log: %s", BOUND_MS,
			    t->log);
		assert_int_not_equal(msg_loop_run_once(t->loop, 100), -1);
	}
}

#define LOG_IS(t, want)	assert_string_equal((t)->log, (want))

/* ---------------------------------------------------------------- */
/* Events, postpone, next_event. */

static void
test_new_errors(void **state)
{
	struct tmach *t = *state;
	static const struct msg_statem_ops none = { .handle_event = NULL };

	errno = 0;
	assert_null(msg_statem_new(t->loop, NULL, &none, t, A));
	assert_int_equal(errno, EINVAL);
	assert_null(msg_statem_new(t->loop, NULL, NULL, t, A));
	assert_null(msg_statem_new(t->loop, "bad/name", &ops_plain, t, A));
	tm_start(state, &ops_plain);
	assert_null(msg_statem_server(t->sm));
	assert_string_equal(msg_statem_state_name(t->sm, B), "B");
	assert_string_equal(msg_statem_state_name(t->sm, 7), "unknown");
	assert_string_equal(msg_statem_state_name(t->sm, -1), "unknown");
	msg_statem_free(NULL);
}

static void
test_cast_info_state(void **state)
{
	struct tmach *t = tm_start(state, &ops_plain);

	assert_int_equal(msg_statem_state(t->sm), A);
	cast(t, "x1 >B");
	info(t, "x2 >C");
	cast(t, "x3");
	LOG_IS(t, "A cast x1 >B|B info x2 >C|C cast x3|");
	assert_int_equal(msg_statem_state(t->sm), C);
}

static void
test_postpone_order(void **state)
{
	struct tmach *t = tm_start(state, &ops_plain);

	cast(t, "A/P x1");
	info(t, "A/P x2");
	cast(t, "x3");			/* no state change: still postponed */
	cast(t, "A/P x4");
	assert_int_equal(msg_statem_postponed(t->sm), 3);
	LOG_IS(t, "A cast A/P x1|A info A/P x2|A cast x3|A cast A/P x4|");
	t->log[0] = '\0';
	cast(t, ">B");
	LOG_IS(t, "A cast >B|B cast A/P x1|B info A/P x2|B cast A/P x4|");
	assert_int_equal(msg_statem_postponed(t->sm), 0);
}

/* Postponed again in B, they come back in C still in their first order. */
static void
test_postpone_twice(void **state)
{
	struct tmach *t = tm_start(state, &ops_plain);

	cast(t, "AB/P x1");
	cast(t, "AB/P x2");
	cast(t, ">B");
	cast(t, "AB/P x3");
	t->log[0] = '\0';
	cast(t, ">C");
	LOG_IS(t, "B cast >C|C cast AB/P x1|C cast AB/P x2|C cast AB/P x3|");
}

/* The current event, postponed in a state change, is retried at once. */
static void
test_postpone_and_change(void **state)
{
	struct tmach *t = tm_start(state, &ops_plain);

	cast(t, "A/P x1");
	cast(t, "A/P A/>B x2");
	LOG_IS(t, "A cast A/P x1|A cast A/P A/>B x2|B cast A/P x1|"
	    "B cast A/P A/>B x2|");
}

static void
test_next_event_order(void **state)
{
	struct tmach *t = tm_start(state, &ops_plain);

	/* Inserted events go before the handler's own cast_self. */
	cast(t, "i:late n:x1 n:x2 n:x3");
	LOG_IS(t, "A cast i:late n:x1 n:x2 n:x3|A internal x1|A internal x2|"
	    "A internal x3|A cast late|");
}

static void
test_next_event_postponed(void **state)
{
	struct tmach *t = tm_start(state, &ops_plain);

	/* ... and before postponed events coming back, and nested. */
	cast(t, "A/P p1");
	cast(t, "n:x1,n:y1 n:x2 >B");
	LOG_IS(t, "A cast A/P p1|A cast n:x1,n:y1 n:x2 >B|"
	    "B internal x1 n:y1|B internal y1|B internal x2|B cast A/P p1|");
}

static void
test_queue_bound(void **state)
{
	struct tmach *t = tm_start(state, &ops_small);

	cast(t, "A/P x1");
	cast(t, "A/P x2");
	cast(t, "A/P x3");		/* over max_queue 2: refused */
	assert_int_equal(msg_statem_postponed(t->sm), 2);
	assert_non_null(strstr(t->warn, "refusing to postpone"));
	cast(t, "n:y1 n:y2");		/* none may be inserted either */
	assert_int_equal(msg_statem_cast_self(t->sm, 0, 0, "i:z1", 4), 0);
	LOG_IS(t, "A cast A/P x1|A cast A/P x2|A cast A/P x3|!P|"
	    "A cast n:y1 n:y2|!n|!n|A cast i:z1|!i|");
	t->log[0] = '\0';
	cast(t, ">B");
	LOG_IS(t, "A cast >B|B cast A/P x1|B cast A/P x2|");
}

/* ---------------------------------------------------------------- */
/* Event timeouts: any event cancels them. */

static void
test_event_timeout_fires(void **state)
{
	struct tmach *t = tm_start(state, &ops_plain);
	uint64_t t0 = msg_loop_now(t->loop);

	cast(t, "e:20 g:stop:300");
	on(t, "event", "x1");
	run(t);
	LOG_IS(t, "A cast e:20 g:stop:300|A event-timeout|A timeout stop|");
	assert_true(msg_loop_now(t->loop) - t0 >= 20);
}

static void
test_event_timeout_cancelled(void **state)
{
	struct tmach *t = tm_start(state, &ops_plain);

	/* By a cast, an info, and a generic timeout firing first. */
	cast(t, "e:30");
	cast(t, "x1");
	info(t, "e:30");
	info(t, "x2");
	cast(t, "e:80 g:tick:10 g:stop:200");
	run(t);
	LOG_IS(t, "A cast e:30|A cast x1|A info e:30|A info x2|"
	    "A cast e:80 g:tick:10 g:stop:200|A timeout tick|"
	    "A timeout stop|");
}

static void
test_event_timeout_zero(void **state)
{
	struct tmach *t = tm_start(state, &ops_plain);

	cast(t, "e:0");			/* nothing queued: delivered at once */
	cast(t, "e:0 n:x1");		/* x1 is an event: it cancels it */
	LOG_IS(t, "A cast e:0|A event-timeout|A cast e:0 n:x1|A internal x1|");
}

/* An enter call is no event: the event timeout outlives it. */
static void
test_event_timeout_enter(void **state)
{
	struct tmach *t = tm_start(state, &ops_enter);

	cast(t, "e:10 g:stop:200 >B");
	run(t);
	LOG_IS(t, "A cast e:10 g:stop:200 >B|B enter A|B event-timeout|"
	    "B timeout stop|");
}

/* ---------------------------------------------------------------- */
/* State timeouts: a state change cancels them, other events do not. */

static void
test_state_timeout_fires(void **state)
{
	struct tmach *t = tm_start(state, &ops_plain);

	cast(t, "s:40 g:stop:300");
	cast(t, "x1");			/* other events leave it running */
	info(t, "x2");
	cast(t, "g:tick:10");
	on(t, "state", ">B");
	run(t);
	LOG_IS(t, "A cast s:40 g:stop:300|A cast x1|A info x2|"
	    "A cast g:tick:10|A timeout tick|A state-timeout|B timeout stop|");
}

static void
test_state_timeout_cancelled(void **state)
{
	struct tmach *t = tm_start(state, &ops_plain);

	/* A state change cancels it. */
	cast(t, "s:10");
	cast(t, ">B g:stop:100");
	run(t);
	LOG_IS(t, "A cast s:10|A cast >B g:stop:100|B timeout stop|");
	/* So does an explicit cancel. */
	t->log[0] = '\0';
	cast(t, "s:10");
	cast(t, "S g:stop:100");
	run(t);
	LOG_IS(t, "B cast s:10|B cast S g:stop:100|B timeout stop|");
	/* Set in a change, it is the new state's: cancelled there, or not. */
	t->log[0] = '\0';
	cast(t, ">A s:20");
	cast(t, "A/S");
	cast(t, "s:20 >C");
	cast(t, "x1 g:stop:100");
	run(t);
	LOG_IS(t, "B cast >A s:20|A cast A/S|A cast s:20 >C|"
	    "C cast x1 g:stop:100|C state-timeout|C timeout stop|");
}

/* Setting it again restarts it. */
static void
test_state_timeout_restart(void **state)
{
	struct tmach *t = tm_start(state, &ops_plain);

	cast(t, "s:40 g:mid:20 g:check:50 g:stop:150");
	on(t, "mid", "s:60");		/* now due at 80, after check */
	run(t);
	LOG_IS(t, "A cast s:40 g:mid:20 g:check:50 g:stop:150|A timeout mid|"
	    "A timeout check|A state-timeout|A timeout stop|");
}

/* Zero time: queued behind inserted and postponed events; a state change
 * before it is handled cancels it. */
static void
test_state_timeout_zero(void **state)
{
	struct tmach *t = tm_start(state, &ops_plain);

	cast(t, "A/P p1");
	cast(t, "s:0 n:x1 >B");
	cast(t, "s:0 n:>C");
	LOG_IS(t, "A cast A/P p1|A cast s:0 n:x1 >B|B internal x1|"
	    "B cast A/P p1|B state-timeout|B cast s:0 n:>C|B internal >C|");
}

/* ---------------------------------------------------------------- */
/* Generic timeouts: named, survive state changes, cancelled by name. */

static void
test_generic_timeouts(void **state)
{
	struct tmach *t = tm_start(state, &ops_plain);

	cast(t, "g:one:10 g:two:20 g:three:30 g:stop:300");
	cast(t, ">B");			/* they survive state changes */
	cast(t, "c:two c:nosuch");	/* cancelled by name */
	cast(t, "g:three:60 g:four:40");	/* restarted by name */
	on(t, "one", ">C");
	run(t);
	LOG_IS(t, "A cast g:one:10 g:two:20 g:three:30 g:stop:300|A cast >B|"
	    "B cast c:two c:nosuch|B cast g:three:60 g:four:40|B timeout one|"
	    "C timeout four|C timeout three|C timeout stop|");
}

static void
test_generic_timeout_zero(void **state)
{
	struct tmach *t = tm_start(state, &ops_plain);

	cast(t, "g:z:0 n:x1 >B");
	cast(t, "g:y:0 c:y");
	cast(t, "g:w:0 g:w:0");		/* restarted: delivered once */
	LOG_IS(t, "A cast g:z:0 n:x1 >B|B internal x1|B timeout z|"
	    "B cast g:y:0 c:y|B cast g:w:0 g:w:0|B timeout w|");
}

/* ---------------------------------------------------------------- */
/* State enter calls. */

static void
test_enter_calls(void **state)
{
	struct tmach *t = tm_start(state, &ops_enter);

	t->enter[B] = "s:10 g:stop:200";
	cast(t, "x1");				/* no enter at init */
	cast(t, "A/P p1");
	cast(t, ">B");				/* enter before postponed */
	cast(t, ">B");				/* same state: no enter */
	run(t);
	LOG_IS(t, "A cast x1|A cast A/P p1|A cast >B|B enter A|B cast A/P p1|"
	    "B cast >B|B state-timeout|B timeout stop|");
}

static void
test_enter_rules(void **state)
{
	struct tmach *t = tm_start(state, &ops_enter);

	t->enter[B] = "P n:x9 >C";	/* none of these is allowed */
	cast(t, ">B");
	LOG_IS(t, "A cast >B|B enter A|!P|!n|");
	assert_int_equal(msg_statem_state(t->sm), B);
	assert_non_null(strstr(t->warn, "enter call of state B returned "
	    "state C"));
}

static void
test_enter_init(void **state)
{
	struct tmach *t = tm_start(state, &ops_enter_init);

	t->enter[A] = "g:z:0";
	LOG_IS(t, "");
	assert_int_equal(msg_loop_run_once(t->loop, 0), 0);
	LOG_IS(t, "A enter A|A timeout z|");
	cast(t, "x1");
	LOG_IS(t, "A enter A|A timeout z|A cast x1|");
}

/* An event injected before the loop ran still comes after the enter call. */
static void
test_enter_init_lazy(void **state)
{
	struct tmach *t = tm_start(state, &ops_enter_init);

	t->enter[A] = "g:z:0";
	cast(t, "x1");
	LOG_IS(t, "A enter A|A timeout z|A cast x1|");
	assert_int_equal(msg_loop_run_once(t->loop, 0), 0);
	LOG_IS(t, "A enter A|A timeout z|A cast x1|");
}

/* Freed with everything pending: postponed, queued, timers (valgrind). */
static void
test_free_pending(void **state)
{
	struct tmach *t = tm_start(state, &ops_plain);

	cast(t, "A/P x1");
	cast(t, "s:1000 e:1000 g:a:1000 g:b:0 n:x2 n:x3 >B");
	cast(t, "B/P y1 e:1000");
	assert_int_equal(msg_statem_postponed(t->sm), 1);
}

/* ---------------------------------------------------------------- */
/* Forked processes (fixture.h); fx->data is a test machine. */

static void
tm_free(void *t)
{
	tm_teardown(&t);
}

static int
sock_setup(void **state)
{
	struct fx *fx;

	if (fx_setup(state) == -1)
		return -1;
	fx = *state;
	if (tm_setup(&fx->data) == -1)
		return -1;
	fx->data_free = tm_free;
	return 0;
}

static int
is_str(const struct msg_message *m, const char *s)
{
	return m->len == strlen(s) && memcmp(m->data, s, m->len) == 0;
}

/* A call whose answer must be want (or, want NULL, ERROR 3). */
static int
call_is(struct msg_client *c, const char *script, const char *want)
{
	struct msg_message m;
	int r;

	memset(&m, 0, sizeof(m));
	r = msg_call(c, 0, 0, script, strlen(script), BOUND_MS, &m);
	if (want == NULL)
		return r == MSG_ERROR_REPLY && m.tag == MSG_ERR_SERVER;
	return r == MSG_OK && is_str(&m, want);
}

static int
recv_is(struct msg_client *c, uint32_t id, const char *want, uint32_t code)
{
	struct msg_message m;
	int r;

	memset(&m, 0, sizeof(m));
	r = msg_recv(c, BOUND_MS, &m);

	if (m.id != id)
		return 0;
	if (want == NULL)
		return r == MSG_ERROR_REPLY && m.tag == code;
	return r == MSG_OK && m.kind == MSG_REPLY && is_str(&m, want);
}

static int
send_call(struct msg_client *c, const char *script, uint32_t *id)
{
	return msg_send_call(c, 0, 0, script, strlen(script), id) == MSG_OK;
}

static int
send_cast(struct msg_client *c, const char *script)
{
	return msg_cast(c, 0, 0, script, strlen(script)) == MSG_OK;
}

/* ---------------------------------------------------------------- */
/* A machine in this process, called by a forked client. */

static int
client_main(struct fx *fx, void *arg)
{
	struct msg_client *c = fx_connect("sm");
	uint32_t id1, id2, id3;

	if (!call_is(c, "R", "A"))
		return 10;
	if (!call_is(c, "x1", NULL))		/* neither answered nor kept */
		return 11;
	/* Postponed, and kept: both answered from B, the kept one by B's
	 * enter call, then the postponed one in B. */
	if (!send_call(c, "A/P B/R", &id1) || !send_call(c, "A/k", &id2) ||
	    !send_cast(c, ">B"))
		return 12;
	if (!recv_is(c, id2, "late", 0) || !recv_is(c, id1, "B", 0))
		return 13;
	/* Postponed, then left unanswered in C: ERROR 3. */
	if (!send_call(c, "B/P", &id3) || !send_cast(c, ">C") ||
	    !recv_is(c, id3, NULL, MSG_ERR_SERVER))
		return 14;
	if (!call_is(c, "R", "C"))
		return 15;
	msg_close(c);
	return 0;
}

static void
on_death(struct msg_loop *l, int fd, unsigned events, void *arg)
{
	struct tmach *t = arg;

	msg_loop_del_fd(l, fd);
	t->stopped = 1;
}

static void
test_socket_forked_client(void **state)
{
	struct fx *fx = *state;
	struct tmach *t = fx->data;
	pid_t pid;

	t->sm = msg_statem_new(t->loop, "sm", &ops_enter, t, A);
	assert_non_null(t->sm);
	assert_non_null(msg_statem_server(t->sm));
	t->enter[B] = "K";
	pid = fx_spawn(fx, client_main, NULL);
	assert_int_equal(msg_loop_add_fd(t->loop, fx_death(fx, pid),
	    MSG_EV_READ, on_death, t), 0);
	run(t);
	fx_expect_exit(fx, pid, 0);
	assert_int_equal(msg_statem_state(t->sm), C);
	LOG_IS(t, "A call R|A call x1|A call A/P B/R|A call A/k|A cast >B|"
	    "B enter A|B call A/P B/R|B call B/P|B cast >C|C enter B|"
	    "C call B/P|C call R|");
}

/* ---------------------------------------------------------------- */
/* A forked msg_statem_main(); clients here. */

static void *
srv_init(struct msg_loop *l, struct msg_statem *sm, void *arg)
{
	struct tmach *t = arg;

	t->loop = l;
	t->sm = sm;
	return t;
}

static void
srv_term(void *data, int state)
{
	struct tmach *t = data;

	t->term_state = state;
	t->sm = NULL;		/* msg_statem_main frees it */
}

static int
server_main(struct fx *fx, void *arg)
{
	const struct msg_statem_ops *ops = arg;
	struct tmach *t = fx->data;
	struct msg_statem_actor a = {
		.name = "sm", .ops = ops, .initial_state = A,
		.init = srv_init, .terminate = srv_term,
	};
	int rc;

	signal(SIGPIPE, SIG_DFL);	/* a stray SIGPIPE must kill us */
	msg_loop_free(t->loop);		/* the parent's; init sets our own */
	t->loop = NULL;
	t->term_state = -1;
	rc = msg_statem_main(&a, t);
	return rc != 0 ? 20 : 30 + t->term_state;
}

static void
test_socket_forked_server(void **state)
{
	struct fx *fx = *state;
	struct msg_client *c1, *c2, *c3;
	struct msg_message m;
	uint32_t id1, id3;
	pid_t pid;

	pid = fx_spawn(fx, server_main, (void *)&ops_plain);
	fx_wait_ready(fx, pid);
	c1 = fx_connect("sm");
	c2 = fx_connect("sm");
	c3 = fx_connect("sm");
	assert_true(call_is(c1, "R", "A"));
	/* One client's postponed call, released by another's cast. */
	assert_true(send_call(c1, "A/P B/R", &id1));
	assert_true(call_is(c1, "r", "ok"));	/* handled meanwhile */
	assert_true(send_cast(c2, ">B"));
	assert_true(recv_is(c1, id1, "B", 0));
	/* A postponed call whose client left before the change. */
	assert_true(send_call(c3, "B/P", &id3));
	assert_true(call_is(c3, "r", "ok"));
	msg_close(c3);
	assert_true(send_cast(c2, ">C"));
	assert_true(call_is(c2, "R", "C"));
	/* Unknown casts and calls are the handler's: ERROR 3 if ignored. */
	assert_int_equal(msg_call(c2, msg_tag("nosuch"), 0, NULL, 0, BOUND_MS,
	    &m), MSG_ERROR_REPLY);
	assert_true(send_cast(c2, ">B"));
	assert_true(call_is(c2, "R", "B"));
	msg_close(c1);
	msg_close(c2);
	assert_int_equal(kill(pid, SIGTERM), 0);
	fx_expect_exit(fx, pid, 30 + B);	/* terminate saw state B */
}

/* A postponed call over the bound is answered ERROR 4. */
static void
test_socket_overload(void **state)
{
	struct fx *fx = *state;
	struct msg_client *c;
	uint32_t id1, id2, id3;
	pid_t pid;

	pid = fx_spawn(fx, server_main, (void *)&ops_small);
	fx_wait_ready(fx, pid);
	c = fx_connect("sm");
	assert_true(send_call(c, "A/P C/R", &id1));
	assert_true(send_call(c, "A/P C/R", &id2));
	assert_true(send_call(c, "A/P C/R", &id3));
	assert_true(recv_is(c, id3, NULL, MSG_ERR_OVERLOADED));
	assert_true(send_cast(c, ">C"));
	assert_true(recv_is(c, id1, "C", 0));
	assert_true(recv_is(c, id2, "C", 0));
	msg_close(c);
	assert_int_equal(kill(pid, SIGTERM), 0);
	fx_expect_exit(fx, pid, 30 + C);
}

/* ---------------------------------------------------------------- */
/* The lightswitch worker. */

static int
exec_worker(struct fx *fx, void *arg)
{
	char *const *argv = arg;
	const char *top = getenv("top_builddir");
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/workers/lightswitch",
	    top != NULL && *top != '\0' ? top : ".");
	/* The worker holds the death pipe, so its EOF still means exit. */
	fcntl(fx->death_fd, F_SETFD, 0);
	execv(path, argv);
	fprintf(stderr, "exec %s: %s\n", path, strerror(errno));
	return 127;
}

static const char *
ls_state(struct msg_client *c)
{
	struct msg_message m;
	int r;

	r = msg_call(c, msg_tag("state"), 0, NULL, 0, BOUND_MS, &m);
	if (r != MSG_OK)
		fail_msg("call state: %s", msg_strerror(r));
	assert_int_equal(m.flags & MSG_F_JSON, MSG_F_JSON);
	if (is_str(&m, "{\"state\":\"on\"}"))
		return "on";
	if (is_str(&m, "{\"state\":\"off\"}"))
		return "off";
	fail_msg("state: %.*s", (int)m.len, (const char *)m.data);
	return NULL;
}

static void
test_lightswitch(void **state)
{
	static char *argv[] = { "lightswitch", "--name", "ls", NULL };
	struct fx *fx = *state;
	struct msg_client *c;
	struct msg_message m;
	pid_t pid;

	pid = fx_spawn(fx, exec_worker, argv);
	fx_wait_ready(fx, pid);
	c = fx_connect("ls");
	assert_string_equal(ls_state(c), "off");
	assert_int_equal(msg_cast(c, msg_tag("toggle"), 0, NULL, 0), MSG_OK);
	assert_string_equal(ls_state(c), "on");
	assert_int_equal(msg_cast(c, msg_tag("toggle"), 0, NULL, 0), MSG_OK);
	assert_string_equal(ls_state(c), "off");
	assert_int_equal(msg_cast(c, msg_tag("toggle"), 0, NULL, 0), MSG_OK);
	assert_string_equal(ls_state(c), "on");
	assert_int_equal(msg_call(c, msg_tag("nosuch"), 0, NULL, 0, BOUND_MS,
	    &m), MSG_ERROR_REPLY);
	assert_int_equal(m.tag, MSG_ERR_UNKNOWN_TAG);
	msg_close(c);
	fx_stop(fx, pid);
}

/*
 * --timeout 50: "on" turns "off" by itself, not before 50 ms, and the
 * "state" calls meanwhile (events, not state changes) do not hold it.
 * We wait the 50 ms, then ask every 2 ms (bounded).
 */
static void
test_lightswitch_timeout(void **state)
{
	static char *argv[] = { "lightswitch", "--name", "lt", "--timeout",
	    "50", NULL };
	struct fx *fx = *state;
	struct msg_client *c;
	uint64_t t0, t1;
	const char *s;
	pid_t pid;
	int i;

	pid = fx_spawn(fx, exec_worker, argv);
	fx_wait_ready(fx, pid);
	c = fx_connect("lt");
	for (i = 0; i < 2; i++) {		/* twice: it re-arms */
		assert_string_equal(ls_state(c), "off");
		t0 = fx_now_ms();
		assert_int_equal(msg_cast(c, msg_tag("toggle"), 0, NULL, 0),
		    MSG_OK);
		s = ls_state(c);
		if (fx_now_ms() - t0 < 50)
			assert_string_equal(s, "on");
		poll(NULL, 0, 50);
		while (strcmp(s = ls_state(c), "on") == 0 &&
		    fx_now_ms() - t0 < BOUND_MS)
			poll(NULL, 0, 2);
		t1 = fx_now_ms();
		assert_string_equal(s, "off");
		assert_true(t1 - t0 >= 50);
	}
	msg_close(c);
	fx_stop(fx, pid);
}

static void
test_lightswitch_usage(void **state)
{
	static char *argv[] = { "lightswitch", "--timeout", "-5", NULL };
	static char *argv2[] = { "lightswitch", "--name", "no/slash", NULL };
	struct fx *fx = *state;

	fx_expect_exit(fx, fx_spawn(fx, exec_worker, argv), 64);
	fx_expect_exit(fx, fx_spawn(fx, exec_worker, argv2), 64);
}

int
main(void)
{
#define T(f)	cmocka_unit_test_setup_teardown(f, tm_setup, tm_teardown)
#define F(f)	cmocka_unit_test_setup_teardown(f, sock_setup, fx_teardown)
	const struct CMUnitTest tests[] = {
		T(test_new_errors),
		T(test_cast_info_state),
		T(test_postpone_order),
		T(test_postpone_twice),
		T(test_postpone_and_change),
		T(test_next_event_order),
		T(test_next_event_postponed),
		T(test_queue_bound),
		T(test_event_timeout_fires),
		T(test_event_timeout_cancelled),
		T(test_event_timeout_zero),
		T(test_event_timeout_enter),
		T(test_state_timeout_fires),
		T(test_state_timeout_cancelled),
		T(test_state_timeout_restart),
		T(test_state_timeout_zero),
		T(test_generic_timeouts),
		T(test_generic_timeout_zero),
		T(test_enter_calls),
		T(test_enter_rules),
		T(test_enter_init),
		T(test_enter_init_lazy),
		T(test_free_pending),
		F(test_socket_forked_client),
		F(test_socket_forked_server),
		F(test_socket_overload),
		F(test_lightswitch),
		F(test_lightswitch_timeout),
		F(test_lightswitch_usage),
	};
#undef T
#undef F

	return cmocka_run_group_tests(tests, NULL, NULL);
}
