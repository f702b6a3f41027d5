/*
 * test_event.c: the event manager behaviour (event.c) over real sockets:
 * a forked manager in a private MSG_RUNDIR; subscribers and publishers
 * are clients in the test process or forked children. Nothing sleeps to
 * wait for something that announces itself: the manager says READY=1,
 * a call on a connection is answered after its SUBSCRIBE was handled,
 * and a pipe's EOF says when a child is gone.
 */
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "msg.h"
#include "fixture.h"

#define WATCHDOG_S	300	/* a hung test dies (SIGALRM), never hangs */

/* fx_setup, and a write to a peer that left fails instead of killing us. */
static int
setup(void **state)
{
	if (fx_setup(state) == -1)
		return -1;
	signal(SIGPIPE, SIG_IGN);
	alarm(WATCHDOG_S);
	return 0;
}

/* ---------------------------------------------------------------- */
/* The event manager under test, run in a child. */

struct mgr_conf {
	const char		*name;
	struct msg_server_opts	 opts;
	int			 plain;		/* a plain server instead */
};

struct mgr {
	struct msg_event	*ev;
	unsigned		 casts;
};

/* The application's hooks: "secret." topics are never relayed. */
static int
mgr_event(void *state, struct msg_peer *p, const struct msg_message *m)
{
	return m->topic_len >= 7 && memcmp(m->topic, "secret.", 7) == 0 ?
	    -1 : 0;
}

static void
mgr_call(void *state, struct msg_call *call, const struct msg_message *m)
{
	struct mgr *g = state;
	char buf[32];
	int n;

	if (m->tag == msg_tag("ping"))
		msg_reply(call, 0, "pong", 4);
	else if (m->tag == msg_tag("announce")) {
		n = msg_event_notify(g->ev, "srv.announce", 0, "hi", 2);
		snprintf(buf, sizeof(buf), "%d", n);
		msg_reply(call, 0, buf, strlen(buf));
	} else if (m->tag == msg_tag("casts")) {
		snprintf(buf, sizeof(buf), "%u", g->casts);
		msg_reply(call, 0, buf, strlen(buf));
	} else
		msg_reply_error(call, MSG_ERR_UNKNOWN_TAG, "unknown call");
}

static void
mgr_cast(void *state, struct msg_peer *p, const struct msg_message *m)
{
	struct mgr *g = state;

	g->casts++;
}

static void
on_term(struct msg_loop *l, int signo, void *arg)
{
	msg_loop_stop(l);
}

static int
mgr_main(struct fx *fx, void *arg)
{
	static const struct msg_event_ops ops = {
		.handle_call = mgr_call,
		.handle_cast = mgr_cast,
		.handle_event = mgr_event,
	};
	static const struct msg_server_ops plain_ops = { 0 };
	const struct mgr_conf *conf = arg;
	struct msg_loop *l;
	struct msg_server *s = NULL;
	struct mgr g = { 0 };

	signal(SIGPIPE, SIG_DFL);	/* a stray SIGPIPE must kill us */
	if ((l = msg_loop_new()) == NULL ||
	    msg_loop_signal(l, SIGTERM, on_term, NULL) == -1)
		return 2;
	if (conf->plain)
		s = msg_server_new(l, conf->name, &plain_ops, NULL,
		    &conf->opts);
	else
		g.ev = msg_event_new(l, conf->name, &ops, &g, &conf->opts);
	if (s == NULL && g.ev == NULL)
		return 3;
	if (msg_ready() != 1 || msg_loop_run(l) == -1)
		return 4;
	/* What is still queued goes out, within a bound. */
	if (g.ev != NULL && msg_event_flush(g.ev, 200) == -1 &&
	    errno != ETIMEDOUT)
		return 5;
	msg_event_free(g.ev);
	msg_server_free(s);
	msg_loop_free(l);
	return 0;
}

/* ---------------------------------------------------------------- */
/* Client helpers. */

/* Subscribe, and know it is in place: a call is handled after it. */
static struct msg_client *
subscriber(const char *name, const char *prefix)
{
	struct msg_client *c = fx_connect(name);
	struct msg_message m;

	assert_int_equal(msg_subscribe(c, prefix), MSG_OK);
	assert_int_equal(msg_call(c, msg_tag("ping"), 0, NULL, 0, BOUND_MS,
	    &m), MSG_OK);
	return c;
}

static json_t *
stats(struct msg_client *c)
{
	json_t *v = NULL;

	assert_int_equal(msg_call_json(c, msg_tag("stats"), NULL, BOUND_MS,
	    &v), MSG_OK);
	assert_non_null(v);
	assert_true(json_is_array(v));
	return v;
}

/* The stats entry of the subscriber with this pid, or NULL. */
static json_t *
stats_of(json_t *all, pid_t pid, size_t nth)
{
	json_t *o;
	size_t i;

	json_array_foreach(all, i, o) {
		if (json_integer_value(json_object_get(o, "pid")) != pid)
			continue;
		if (nth-- == 0)
			return o;
	}
	return NULL;
}

static long long
stat_num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	assert_non_null(v);
	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

/* The next event must be topic with data; wait at most ms. */
static void
expect_event(struct msg_client *c, int ms, const char *topic,
    const char *data)
{
	struct msg_message m;
	int r;

	r = msg_recv(c, ms, &m);
	if (r != MSG_OK)
		fail_msg("waiting for %s: %s", topic, msg_strerror(r));
	assert_int_equal(m.kind, MSG_EVENT);
	if (m.topic_len != strlen(topic) ||
	    memcmp(m.topic, topic, m.topic_len) != 0)
		fail_msg("want event %s, got %.*s", topic, (int)m.topic_len,
		    m.topic);
	if (data != NULL) {
		assert_int_equal(m.len, strlen(data));
		assert_memory_equal(m.data, data, m.len);
	}
}

static void
expect_nothing(struct msg_client *c)
{
	struct msg_message m;

	assert_int_equal(msg_recv(c, 0, &m), MSG_TIMEOUT);
}

/* A sync_publish call's payload: u16 flags, u16 topic length, topic, data. */
static size_t
sync_payload(unsigned char *buf, uint16_t flags, const char *topic,
    const char *data)
{
	size_t tlen = strlen(topic), len = strlen(data);

	buf[0] = flags & 0xff;
	buf[1] = flags >> 8;
	buf[2] = tlen & 0xff;
	buf[3] = tlen >> 8;
	memcpy(buf + 4, topic, tlen);
	memcpy(buf + 4 + tlen, data, len);
	return 4 + tlen + len;
}

/* A sync_publish by hand; returns the JSON answer (checked). */
static json_t *
sync_call(struct msg_client *c, const char *topic, const char *data)
{
	unsigned char buf[256];
	struct msg_message m;
	json_t *v;
	size_t n = sync_payload(buf, 0, topic, data);

	assert_int_equal(msg_call(c, msg_tag("sync_publish"), 0, buf, n,
	    BOUND_MS, &m), MSG_OK);
	assert_int_equal(m.flags, MSG_F_JSON);
	assert_non_null(v = msg_json(&m, NULL, 0));
	return v;
}

static void
expect_counts(json_t *v, int subscribers, int written, int dropped, int gone)
{
	json_int_t s, w, d, g;

	assert_int_equal(json_unpack(v, "{sIsIsIsI}", "subscribers", &s,
	    "written", &w, "dropped", &d, "gone", &g), 0);
	assert_int_equal(s, subscribers);
	assert_int_equal(w, written);
	assert_int_equal(d, dropped);
	assert_int_equal(g, gone);
	json_decref(v);
}

/*
 * Publish big events to topic until the socket of the nth subscriber of
 * pid victim (which does not read) is full and the manager holds more
 * for it; returns how many.
 */
#define BIG	(64 * 1024)

static int
congest(struct msg_client *pub, struct msg_client *probe, pid_t victim,
    size_t nth, const char *topic)
{
	json_t *all, *o;
	char *big;
	int n = 0;
	long long queued = 0;

	assert_non_null(big = calloc(1, BIG));
	while (queued == 0) {
		assert_true(n < 256);
		assert_int_equal(msg_publish_to(pub, topic, 0, big, BIG),
		    MSG_OK);
		n++;
		/* The first answer may beat the end-of-turn write; the
		 * second comes after it. */
		json_decref(stats(probe));
		all = stats(probe);
		assert_non_null(o = stats_of(all, victim, nth));
		queued = stat_num(o, "queued");
		assert_int_equal(stat_num(o, "dropped"), 0);
		json_decref(all);
	}
	free(big);
	return n;
}

/* ---------------------------------------------------------------- */
/* Tests. */

/* Two prefixes, notify and sync mixed: each gets exactly its own, in order. */
static void
test_prefixes_in_order(void **state)
{
	struct fx *fx = *state;
	struct mgr_conf conf = { .name = "em" };
	struct msg_client *a, *b, *all, *p;
	char topic[32], data[32];
	pid_t pid;
	int i;

	pid = fx_start(fx, mgr_main, &conf);
	a = subscriber("em", "a.");
	b = subscriber("em", "b.");
	all = subscriber("em", "");
	p = fx_connect("em");
	for (i = 0; i < 300; i++) {
		snprintf(topic, sizeof(topic), "%s.%d", i % 3 == 0 ? "a" :
		    i % 3 == 1 ? "b" : "c", i);
		snprintf(data, sizeof(data), "%d", i);
		if (i % 7 == 0)
			assert_int_equal(msg_publish_sync(p, topic, 0, data,
			    strlen(data), BOUND_MS), MSG_OK);
		else
			assert_int_equal(msg_publish_to(p, topic, 0, data,
			    strlen(data)), MSG_OK);
	}
	/* Filtered by the application: nobody gets it, sync or not. */
	assert_int_equal(msg_publish_to(p, "secret.x", 0, "s", 1), MSG_OK);
	expect_counts(sync_call(p, "secret.y", "s"), 0, 0, 0, 0);
	/* Once these return, everything before is in each one's socket. */
	assert_int_equal(msg_publish_sync(p, "a.end", 0, "", 0, BOUND_MS),
	    MSG_OK);
	assert_int_equal(msg_publish_sync(p, "b.end", 0, "", 0, BOUND_MS),
	    MSG_OK);
	for (i = 0; i < 300; i++) {
		snprintf(topic, sizeof(topic), "%s.%d", i % 3 == 0 ? "a" :
		    i % 3 == 1 ? "b" : "c", i);
		snprintf(data, sizeof(data), "%d", i);
		if (i % 3 == 0)
			expect_event(a, 0, topic, data);
		if (i % 3 == 1)
			expect_event(b, 0, topic, data);
		expect_event(all, BOUND_MS, topic, data);
	}
	expect_event(a, 0, "a.end", "");
	expect_nothing(a);
	expect_event(b, 0, "b.end", "");
	expect_nothing(b);
	expect_event(all, BOUND_MS, "a.end", "");
	expect_event(all, BOUND_MS, "b.end", "");
	expect_nothing(all);
	expect_nothing(p);	/* not subscribed: nothing comes back */
	msg_close(a);
	msg_close(b);
	msg_close(all);
	msg_close(p);
	fx_stop(fx, pid);
}

/* Once msg_publish_sync returns, the event is in the subscriber's socket. */
static void
test_sync_delivered(void **state)
{
	struct fx *fx = *state;
	struct mgr_conf conf = { .name = "em" };
	struct msg_client *s1, *s2, *p;
	struct msg_message m;
	char data[32];
	json_t *all, *o;
	pid_t pid;
	int i;

	pid = fx_start(fx, mgr_main, &conf);
	s1 = subscriber("em", "t.");
	s2 = subscriber("em", "t.x");
	p = fx_connect("em");
	for (i = 0; i < 200; i++) {
		snprintf(data, sizeof(data), "%d", i);
		assert_int_equal(msg_publish_sync(p, "t.x", MSG_F_JSON, data,
		    strlen(data), BOUND_MS), MSG_OK);
		/* No waiting: a timeout of 0 reads only what is there. */
		assert_int_equal(msg_recv(s1, 0, &m), MSG_OK);
		assert_int_equal(m.flags, MSG_F_JSON);	/* relayed unchanged */
		assert_memory_equal(m.data, data, m.len);
		expect_event(s2, 0, "t.x", data);
	}
	/* The answer counts them. */
	expect_counts(sync_call(p, "t.y", "1"), 1, 1, 0, 0);
	expect_counts(sync_call(p, "t.x", "2"), 2, 2, 0, 0);
	expect_counts(sync_call(p, "u", "3"), 0, 0, 0, 0);
	expect_event(s1, 0, "t.y", "1");
	expect_event(s1, 0, "t.x", "2");
	expect_event(s2, 0, "t.x", "2");

	/* A publisher subscribed to its own topic gets the event first. */
	assert_int_equal(msg_subscribe(p, "self"), MSG_OK);
	assert_int_equal(msg_publish_sync(p, "self", 0, "me", 2, BOUND_MS),
	    MSG_OK);
	expect_event(p, 0, "self", "me");

	/* Counts: delivered per subscriber, nothing dropped. */
	all = stats(p);
	assert_int_equal(json_array_size(all), 3);
	assert_non_null(o = stats_of(all, getpid(), 0));
	assert_int_equal(stat_num(o, "delivered"), 202);
	assert_int_equal(stat_num(o, "dropped"), 0);
	assert_int_equal(stat_num(o, "queued"), 0);
	assert_string_equal(json_string_value(json_array_get(
	    json_object_get(o, "prefixes"), 0)), "t.");
	assert_non_null(o = stats_of(all, getpid(), 1));
	assert_int_equal(stat_num(o, "delivered"), 201);
	json_decref(all);
	msg_close(s1);
	msg_close(s2);
	msg_close(p);
	fx_stop(fx, pid);
}

/* A sync publish to a subscriber that is behind waits until it caught up. */
static int
sync_publisher(struct fx *fx, void *arg)
{
	struct msg_client *c = msg_connect("em", BOUND_MS);
	int fd = *(int *)arg, r;
	char st;

	if (c == NULL)
		return 10;
	r = msg_publish_sync(c, "s.sync", 0, "last", 4, 6 * BOUND_MS);
	st = (char)('0' + r);
	msg_close(c);
	return write(fd, &st, 1) == 1 ? 0 : 11;
}

static void
test_sync_waits_for_slow(void **state)
{
	struct fx *fx = *state;
	struct mgr_conf conf = { .name = "em",
	    .opts = { .max_event_queue = 16u << 20 } };
	struct msg_client *s, *p;
	struct msg_message m;
	struct pollfd pfd;
	int pp[2], n, got = 0, seen_sync = 0;
	pid_t pid, kid;
	char st;

	pid = fx_start(fx, mgr_main, &conf);
	s = subscriber("em", "s.");
	p = fx_connect("em");
	n = congest(p, p, getpid(), 0, "s.big");

	assert_int_equal(pipe2(pp, O_CLOEXEC), 0);
	fx->keep_fd = pp[1];
	kid = fx_spawn(fx, sync_publisher, &pp[1]);
	close(pp[1]);
	pfd.fd = pp[0];
	pfd.events = POLLIN;
	/* s reads nothing, so the sync publish cannot be confirmed. */
	assert_int_equal(poll(&pfd, 1, 300), 0);

	/* Read until the publisher is answered; by then the sync event
	 * must be in s's socket (or already read). */
	while (!seen_sync && poll(&pfd, 1, 0) == 0) {
		assert_int_equal(msg_recv(s, BOUND_MS, &m), MSG_OK);
		if (m.topic_len == 6 && memcmp(m.topic, "s.sync", 6) == 0)
			seen_sync = 1;
		else
			got++;
	}
	assert_int_equal(poll(&pfd, 1, BOUND_MS), 1);
	assert_int_equal(read(pp[0], &st, 1), 1);
	assert_int_equal(st, '0' + MSG_OK);
	while (!seen_sync) {
		assert_int_equal(msg_recv(s, 0, &m), MSG_OK);
		if (m.topic_len == 6 && memcmp(m.topic, "s.sync", 6) == 0)
			seen_sync = 1;
		else
			got++;
	}
	assert_int_equal(got, n);
	expect_nothing(s);
	assert_int_equal(fx_reap(fx, kid, BOUND_MS), 0);
	close(pp[0]);
	msg_close(s);
	msg_close(p);
	fx_stop(fx, pid);
}

/* A subscriber that dies is dropped, and a sync publish waiting for it ends. */
static int
sub_child(struct fx *fx, void *arg)
{
	int fd = *(int *)arg;
	struct msg_client *c;

	if ((c = msg_connect("em", BOUND_MS)) == NULL ||
	    msg_subscribe(c, "d.") != MSG_OK ||
	    msg_call(c, msg_tag("ping"), 0, NULL, 0, BOUND_MS,
	    &(struct msg_message){ 0 }) != MSG_OK)
		return 10;
	if (write(fd, "r", 1) != 1)
		return 11;
	for (;;)
		pause();	/* never reads */
}

static void
test_dead_subscriber(void **state)
{
	unsigned char buf[64];
	struct fx *fx = *state;
	struct mgr_conf conf = { .name = "em",
	    .opts = { .max_event_queue = 16u << 20 } };
	struct msg_client *p, *other;
	struct msg_message m;
	json_t *all;
	uint64_t deadline;
	uint32_t id;
	int pp[2];
	size_t n;
	pid_t pid, kid;
	char c;

	pid = fx_start(fx, mgr_main, &conf);
	other = subscriber("em", "d.s");	/* not d.big: it stays idle */
	p = fx_connect("em");
	assert_int_equal(pipe2(pp, O_CLOEXEC), 0);
	fx->keep_fd = pp[1];
	kid = fx_spawn(fx, sub_child, &pp[1]);
	close(pp[1]);
	assert_int_equal(read(pp[0], &c, 1), 1);
	close(pp[0]);
	all = stats(p);
	assert_non_null(stats_of(all, kid, 0));
	json_decref(all);

	/* The child reads nothing: fill it up, then ask for a sync
	 * publish, which must wait for it. */
	congest(p, p, kid, 0, "d.big");
	n = sync_payload(buf, 0, "d.sync", "x");
	assert_int_equal(msg_send_call(p, msg_tag("sync_publish"), 0, buf, n,
	    &id), MSG_OK);
	assert_int_equal(msg_recv(p, 200, &m), MSG_TIMEOUT);

	/* SIGKILL: the manager drops it, settles the sync publish ("gone")
	 * and forgets it. */
	assert_int_equal(kill(kid, SIGKILL), 0);
	assert_int_equal(WTERMSIG(fx_reap(fx, kid, BOUND_MS)), SIGKILL);
	assert_int_equal(msg_recv(p, BOUND_MS, &m), MSG_OK);
	assert_int_equal(m.kind, MSG_REPLY);
	assert_int_equal(m.id, id);
	expect_counts(msg_json(&m, NULL, 0), 2, 1, 0, 1);
	deadline = fx_now_ms() + BOUND_MS;
	for (;;) {
		all = stats(p);
		if (stats_of(all, kid, 0) == NULL)
			break;
		json_decref(all);
		assert_true(fx_now_ms() < deadline);
		poll(NULL, 0, 10);
	}
	assert_int_equal(json_array_size(all), 1);	/* only "other" */
	json_decref(all);
	/* The live one got it at once; the manager serves on. */
	expect_event(other, 0, "d.sync", "x");
	expect_counts(sync_call(p, "d.sync2", "y"), 1, 1, 0, 0);
	expect_event(other, 0, "d.sync2", "y");
	msg_close(other);
	msg_close(p);
	fx_stop(fx, pid);
}

/*
 * A subscriber that never reads does not slow the others: 10,000 events
 * reach the fast one, in order and in bounded time, while the stalled
 * one's queue overflows and its losses are counted.
 */
#define FLOOD		10000
#define FLOOD_DATA	200
#define FLOOD_WINDOW	250

static uint64_t
flood(struct msg_client *p, struct msg_client *fast)
{
	struct msg_message m;
	char data[FLOOD_DATA], topic[32];
	uint64_t t0 = fx_now_ms();
	uint32_t seq;
	int i, j;

	memset(data, 'f', sizeof(data));
	for (i = 0; i < FLOOD; i += FLOOD_WINDOW) {
		for (j = i; j < i + FLOOD_WINDOW; j++) {
			seq = (uint32_t)j;
			memcpy(data, &seq, sizeof(seq));
			snprintf(topic, sizeof(topic), "f.%d", j);
			assert_int_equal(msg_publish_to(p, topic, 0, data,
			    sizeof(data)), MSG_OK);
		}
		for (j = i; j < i + FLOOD_WINDOW; j++) {
			assert_int_equal(msg_recv(fast, BOUND_MS, &m), MSG_OK);
			assert_int_equal(m.kind, MSG_EVENT);
			assert_int_equal(m.len, FLOOD_DATA);
			memcpy(&seq, m.data, sizeof(seq));
			assert_int_equal(seq, j);
		}
	}
	return fx_now_ms() - t0;
}

static void
test_stalled_subscriber(void **state)
{
	struct fx *fx = *state;
	struct mgr_conf conf = { .name = "em",
	    .opts = { .max_event_queue = 256 * 1024 } };
	struct msg_client *fast, *slow, *p;
	struct msg_message m;
	json_t *all, *o, *notice;
	json_int_t d, total;
	uint64_t alone, stalled;
	long long dropped, delivered;
	uint32_t seq;
	int got = 0;
	pid_t pid;

	pid = fx_start(fx, mgr_main, &conf);
	fast = subscriber("em", "f.");
	p = fx_connect("em");
	alone = flood(p, fast);

	slow = subscriber("em", "f.");
	stalled = flood(p, fast);
	print_message("# %d events to the fast subscriber: %llu ms alone, "
	    "%llu ms beside a stalled one\n", FLOOD,
	    (unsigned long long)alone, (unsigned long long)stalled);
	assert_true(stalled < 3 * BOUND_MS);

	all = stats(p);
	assert_int_equal(json_array_size(all), 2);
	o = json_array_get(all, 0);		/* oldest first: fast */
	assert_int_equal(stat_num(o, "delivered"), 2 * FLOOD);
	assert_int_equal(stat_num(o, "dropped"), 0);
	o = json_array_get(all, 1);
	delivered = stat_num(o, "delivered");
	dropped = stat_num(o, "dropped");
	assert_true(dropped > 0);
	assert_int_equal(delivered + dropped, FLOOD);
	assert_true(stat_num(o, "queued") <= 256 * 1024);
	json_decref(all);

	/* The stalled one: a gapless prefix, then the overflow notice. */
	for (;;) {
		assert_int_equal(msg_recv(slow, BOUND_MS, &m), MSG_OK);
		if (m.topic_len == strlen("msg.overflow") &&
		    memcmp(m.topic, "msg.overflow", m.topic_len) == 0)
			break;
		memcpy(&seq, m.data, sizeof(seq));
		assert_int_equal(seq, got);
		got++;
	}
	assert_int_equal(got, delivered);
	assert_non_null(notice = msg_json(&m, NULL, 0));
	assert_int_equal(json_unpack(notice, "{sIsI}", "dropped", &d, "total",
	    &total), 0);
	json_decref(notice);
	assert_int_equal(d, dropped);
	assert_int_equal(total, dropped);

	/* Caught up, it receives again; a sync publish says so. */
	expect_counts(sync_call(p, "f.after", "z"), 2, 2, 0, 0);
	expect_event(slow, 0, "f.after", "z");
	expect_event(fast, 0, "f.after", "z");
	msg_close(fast);
	msg_close(slow);
	msg_close(p);
	fx_stop(fx, pid);
}

/* Publish small events to topic until one is dropped for victim. */
static void
overflow(struct msg_client *p, pid_t victim, const char *topic)
{
	char fill[1024];
	json_t *all;
	long long dropped = 0;
	int i, n = 0;

	memset(fill, 'o', sizeof(fill));
	while (dropped == 0) {
		assert_true(n++ < 4096);
		for (i = 0; i < 16; i++)
			assert_int_equal(msg_publish_to(p, topic, 0, fill,
			    sizeof(fill)), MSG_OK);
		all = stats(p);
		dropped = stat_num(stats_of(all, victim, 0), "dropped");
		json_decref(all);
	}
}

/* A sync publish that could not reach everyone says so. */
static void
test_sync_errors(void **state)
{
	unsigned char buf[64];
	char big[2048];
	struct fx *fx = *state;
	struct mgr_conf conf = { .name = "em",
	    .opts = { .max_event_queue = 256 * 1024 } };
	struct mgr_conf plain = { .name = "plain", .plain = 1 };
	struct msg_client *s, *ok, *w, *p, *q;
	struct msg_message m;
	uint32_t id;
	size_t n;
	pid_t pid, pid2;
	int i;

	pid = fx_start(fx, mgr_main, &conf);
	pid2 = fx_start(fx, mgr_main, &plain);

	/* Malformed payloads: ERROR 2. */
	p = fx_connect("em");
	assert_int_equal(msg_call(p, msg_tag("sync_publish"), 0, "ab", 2,
	    BOUND_MS, &m), MSG_ERROR_REPLY);
	assert_int_equal(m.tag, MSG_ERR_BAD_REQUEST);
	assert_int_equal(msg_call(p, msg_tag("sync_publish"), 0,
	    "\0\0\x09\0abc", 7, BOUND_MS, &m), MSG_ERROR_REPLY);
	assert_int_equal(m.tag, MSG_ERR_BAD_REQUEST);

	/* Not an event manager: ERROR 1, EOPNOTSUPP. */
	q = fx_connect("plain");
	errno = 0;
	assert_int_equal(msg_publish_sync(q, "x", 0, "y", 1, BOUND_MS),
	    MSG_ERROR_REPLY);
	assert_int_equal(errno, EOPNOTSUPP);
	msg_close(q);
	fx_stop(fx, pid2);

	/* s never reads; once its queue is full, a sync publish is dropped
	 * for it: ENOBUFS, though ok got the event. */
	s = subscriber("em", "e.");
	ok = subscriber("em", "e.sync");
	congest(p, p, getpid(), 0, "e.big");
	overflow(p, getpid(), "e.fill");
	memset(big, 'b', sizeof(big));
	errno = 0;
	assert_int_equal(msg_publish_sync(p, "e.sync", 0, big, sizeof(big),
	    BOUND_MS), MSG_ERROR_REPLY);
	assert_int_equal(errno, ENOBUFS);
	expect_event(ok, 0, "e.sync", NULL);
	expect_nothing(ok);

	/* Past 256 unanswered sync publishes per publisher: ERROR 4. They
	 * wait for w, whose socket is full but whose queue has room. */
	w = subscriber("em", "w.");
	congest(p, p, getpid(), 2, "w.big");	/* s, ok, w */
	q = fx_connect("em");
	for (i = 0; i < 256; i++) {
		n = sync_payload(buf, 0, "w.wait", "w");
		assert_int_equal(msg_send_call(q, msg_tag("sync_publish"), 0,
		    buf, n, &id), MSG_OK);
	}
	errno = 0;
	assert_int_equal(msg_publish_sync(q, "w.more", 0, "m", 1, BOUND_MS),
	    MSG_ERROR_REPLY);
	assert_int_equal(errno, ENOBUFS);
	/* The publisher leaves with 256 waiting: the manager forgets them. */
	msg_close(q);
	assert_int_equal(msg_call(p, msg_tag("ping"), 0, NULL, 0, BOUND_MS,
	    &m), MSG_OK);
	msg_close(s);
	msg_close(ok);
	msg_close(w);
	msg_close(p);
	fx_stop(fx, pid);
}

/* The application's calls, casts and own events sit beside the manager's. */
static void
test_application_hooks(void **state)
{
	struct fx *fx = *state;
	struct mgr_conf conf = { .name = "em" };
	struct msg_client *s, *p;
	struct msg_message m;
	char data[16];
	pid_t pid;
	int i;

	pid = fx_start(fx, mgr_main, &conf);
	s = subscriber("em", "srv.");
	p = fx_connect("em");
	assert_int_equal(msg_cast(p, msg_tag("anything"), 0, NULL, 0), MSG_OK);
	assert_int_equal(msg_call(p, msg_tag("casts"), 0, NULL, 0, BOUND_MS,
	    &m), MSG_OK);
	assert_memory_equal(m.data, "1", 1);
	assert_int_equal(msg_call(p, msg_tag("announce"), 0, NULL, 0,
	    BOUND_MS, &m), MSG_OK);
	assert_memory_equal(m.data, "1", 1);	/* one subscriber */
	expect_event(s, BOUND_MS, "srv.announce", "hi");
	assert_int_equal(msg_call(p, msg_tag("nope"), 0, NULL, 0, BOUND_MS,
	    &m), MSG_ERROR_REPLY);
	assert_int_equal(m.tag, MSG_ERR_UNKNOWN_TAG);

	/* Batched publishing: queued in the client, sent in big writes. */
	for (i = 0; i < 500; i++) {
		snprintf(data, sizeof(data), "%d", i);
		assert_int_equal(msg_publish_more(p, "srv.more", 0, data,
		    strlen(data)), MSG_OK);
	}
	assert_int_equal(msg_flush(p, BOUND_MS), MSG_OK);
	assert_int_equal(msg_publish_sync(p, "srv.end", 0, "", 0, BOUND_MS),
	    MSG_OK);
	for (i = 0; i < 500; i++) {
		snprintf(data, sizeof(data), "%d", i);
		expect_event(s, 0, "srv.more", data);
	}
	expect_event(s, 0, "srv.end", "");
	expect_nothing(s);
	msg_close(s);
	msg_close(p);
	fx_stop(fx, pid);
}

/* A manager stopped while sync publishes wait frees them and exits 0. */
static void
test_stop_with_pending(void **state)
{
	unsigned char buf[64];
	struct fx *fx = *state;
	struct mgr_conf conf = { .name = "em",
	    .opts = { .max_event_queue = 16u << 20 } };
	struct msg_client *s, *p;
	struct msg_message m;
	uint32_t id;
	size_t n;
	pid_t pid;

	pid = fx_start(fx, mgr_main, &conf);
	s = subscriber("em", "w.");
	p = fx_connect("em");
	congest(p, p, getpid(), 0, "w.big");
	n = sync_payload(buf, 0, "w.sync", "x");
	assert_int_equal(msg_send_call(p, msg_tag("sync_publish"), 0, buf, n,
	    &id), MSG_OK);
	assert_int_equal(msg_recv(p, 100, &m), MSG_TIMEOUT);
	fx_stop(fx, pid);
	assert_int_equal(msg_recv(p, BOUND_MS, &m), MSG_DOWN);
	msg_close(s);
	msg_close(p);
}

int
main(void)
{
#define T(f)	cmocka_unit_test_setup_teardown(f, setup, fx_teardown)
	const struct CMUnitTest tests[] = {
		T(test_prefixes_in_order),
		T(test_sync_delivered),
		T(test_sync_waits_for_slow),
		T(test_dead_subscriber),
		T(test_stalled_subscriber),
		T(test_sync_errors),
		T(test_application_hooks),
		T(test_stop_with_pending),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
