/*
 * test_libmsg.c: libmsg over real sockets: a forked server in a private
 * MSG_RUNDIR, clients in the test process, raw sockets for protocol abuse.
 * Nothing sleeps: servers announce READY=1 on a NOTIFY_SOCKET the test
 * bound, and a pipe's EOF says when a child is gone.
 */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
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
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "msg.h"
#include "msg-int.h"
#include "fixture.h"

#define NOBODY		65534

/* The test's own environment (FX_PUTENV). */
static char env_rundir[128], env_notify[160], env_xdg[PATH_MAX + 32];

static void
sock_path(struct fx *fx, const char *name, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s.sock", fx->dir, name);
}

/* ---------------------------------------------------------------- */
/* The test server, run in a child. */

struct srv {
	struct msg_loop		*loop;
	struct msg_server	*server;
	long long		 count;
	struct msg_call		*held;
	struct msg_peer		*peers[64];
	size_t			 npeers;
};

struct srv_conf {
	const char		*name;
	struct msg_server_opts	 opts;
};

static int
is(const struct msg_message *m, const char *name)
{
	return m->tag == msg_tag(name);
}

/* The payload as a C string (truncated), for small numeric arguments. */
static void
payload_str(const struct msg_message *m, char *buf, size_t size)
{
	size_t n = m->len < size - 1 ? m->len : size - 1;

	memcpy(buf, m->data, n);
	buf[n] = '\0';
}

static void
reply_num(struct msg_call *call, unsigned long long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%llu", v);
	msg_reply(call, 0, buf, strlen(buf));
}

static void
deferred(struct msg_loop *l, void *arg)
{
	msg_reply(arg, 0, "deferred", 8);	/* fails if the peer left */
}

static void
srv_call(void *state, struct msg_call *call, const struct msg_message *m)
{
	struct srv *s = state;
	struct msg_call *k;
	const struct msg_cred *cr;
	unsigned long long total;
	char arg[128], *big;
	size_t i, n;
	json_t *v;

	payload_str(m, arg, sizeof(arg));
	if (is(m, "ping"))
		msg_reply(call, 0, "pong", 4);
	else if (is(m, "echo"))
		msg_reply(call, m->flags, m->data, m->len);
	else if (is(m, "get")) {
		v = json_pack("{sI}", "count", (json_int_t)s->count);
		msg_reply_json(call, v);
		json_decref(v);
	} else if (is(m, "defer")) {
		if ((k = msg_call_keep(call)) == NULL ||
		    msg_timer_start(s->loop, strtoul(arg, NULL, 10), deferred,
		    k) == NULL)
			_exit(10);
	} else if (is(m, "hold")) {
		msg_call_free(s->held);
		if ((s->held = msg_call_keep(call)) == NULL)
			_exit(11);
	} else if (is(m, "release")) {
		if (s->held != NULL)
			msg_reply(s->held, 0, "late", 4);
		s->held = NULL;
		msg_reply(call, 0, "fresh", 5);
	} else if (is(m, "die"))
		raise(SIGKILL);
	else if (is(m, "noreply"))
		;				/* libmsg answers ERROR 3 */
	else if (is(m, "big")) {
		n = strtoul(arg, NULL, 10);
		if ((big = malloc(n)) == NULL)
			_exit(12);
		memset(big, 'b', n);
		msg_reply(call, 0, big, n);
		free(big);
	} else if (is(m, "dropped")) {
		for (total = 0, i = 0; i < s->npeers; i++)
			total += msg_peer_dropped(s->peers[i]);
		reply_num(call, total);
	} else if (is(m, "publish"))
		reply_num(call, (unsigned)msg_publish(s->server, arg, 0,
		    "srv", 3));
	else if (is(m, "peers"))
		reply_num(call, msg_server_peers(s->server));
	else if (is(m, "cred")) {
		cr = msg_peer_cred(msg_call_peer(call));
		snprintf(arg, sizeof(arg), "%d %u %u", (int)cr->pid,
		    (unsigned)cr->uid, (unsigned)cr->gid);
		msg_reply(call, 0, arg, strlen(arg));
	} else if (is(m, "closeme"))
		msg_peer_close(msg_call_peer(call));
	else
		msg_reply_error(call, MSG_ERR_UNKNOWN_TAG, "unknown call");
}

static void
srv_cast(void *state, struct msg_peer *p, const struct msg_message *m)
{
	struct srv *s = state;
	json_t *v;

	if (!is(m, "increment"))
		return;
	if (m->len > 0 && (v = msg_json(m, NULL, 0)) != NULL) {
		if (json_is_integer(v))
			s->count += json_integer_value(v);
		json_decref(v);
	} else
		s->count++;
}

static void
srv_up(void *state, struct msg_peer *p)
{
	struct srv *s = state;

	if (s->npeers < sizeof(s->peers) / sizeof(s->peers[0]))
		s->peers[s->npeers++] = p;
}

static void
srv_down(void *state, struct msg_peer *p)
{
	struct srv *s = state;
	size_t i;

	for (i = 0; i < s->npeers; i++)
		if (s->peers[i] == p)
			s->peers[i] = s->peers[--s->npeers];
}

static void
srv_term(struct msg_loop *l, int signo, void *arg)
{
	msg_loop_stop(l);
}

static const struct msg_server_ops srv_ops = {
	.handle_call = srv_call,
	.handle_cast = srv_cast,
	.peer_up = srv_up,
	.peer_down = srv_down,
};

static int
server_main(struct fx *fx, void *arg)
{
	const struct srv_conf *conf = arg;
	struct srv s;

	memset(&s, 0, sizeof(s));
	signal(SIGPIPE, SIG_DFL);	/* a stray SIGPIPE must kill us */
	if ((s.loop = msg_loop_new()) == NULL ||
	    msg_loop_signal(s.loop, SIGTERM, srv_term, NULL) == -1)
		return 2;
	s.server = msg_server_new(s.loop, conf->name, &srv_ops, &s,
	    &conf->opts);
	if (s.server == NULL) {
		fprintf(stderr, "server %s: %s\n", conf->name, strerror(errno));
		return 3;
	}
	if (msg_ready() != 1)
		return 4;
	if (msg_loop_run(s.loop) == -1)
		return 5;
	msg_call_free(s.held);
	msg_server_free(s.server);
	msg_loop_free(s.loop);
	return 0;
}

/* ---------------------------------------------------------------- */
/* Client helpers. */

static void
call_ok(struct msg_client *c, const char *tag, const char *arg,
    const char *want)
{
	struct msg_message m;
	int r;

	r = msg_call(c, msg_tag(tag), 0, arg, arg ? strlen(arg) : 0, BOUND_MS,
	    &m);
	if (r != MSG_OK)
		fail_msg("call %s: %s", tag, msg_strerror(r));
	assert_int_equal(m.kind, MSG_REPLY);
	if (want != NULL) {
		assert_int_equal(m.len, strlen(want));
		assert_memory_equal(m.data, want, m.len);
	}
}

static unsigned long long
call_num(struct msg_client *c, const char *tag, const char *arg)
{
	struct msg_message m;
	char buf[32];

	assert_int_equal(msg_call(c, msg_tag(tag), 0, arg,
	    arg ? strlen(arg) : 0, BOUND_MS, &m), MSG_OK);
	assert_true(m.len < sizeof(buf));
	memcpy(buf, m.data, m.len);
	buf[m.len] = '\0';
	return strtoull(buf, NULL, 10);
}

static long long
get_count(struct msg_client *c)
{
	json_t *reply = NULL;
	json_int_t n;

	assert_int_equal(msg_call_json(c, msg_tag("get"), NULL, BOUND_MS,
	    &reply), MSG_OK);
	assert_non_null(reply);
	assert_int_equal(json_unpack(reply, "{sI}", "count", &n), 0);
	json_decref(reply);
	return n;
}

/* --- raw sockets --- */

static int
raw_connect(struct fx *fx, const char *name)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	sock_path(fx, name, sun.sun_path, sizeof(sun.sun_path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		return -1;
	return fd;
}

/* Read exactly n bytes, each wait bounded; 0 ok, -1 EOF/error/timeout. */
static int
raw_read(int fd, void *buf, size_t n)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		if (poll(&pfd, 1, BOUND_MS) != 1)
			return -1;
		r = recv(fd, (char *)buf + got, n - got, 0);
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

static void
raw_read_frame(int fd, struct msg__hdr *h, void *buf, size_t size)
{
	unsigned char hb[MSG_HDR_LEN];

	assert_int_equal(raw_read(fd, hb, sizeof(hb)), 0);
	msg__hdr_decode(hb, h);
	assert_true(h->len <= size);
	assert_int_equal(raw_read(fd, buf, h->len), 0);
}

static void
raw_send(int fd, const void *p, size_t n)
{
	/* MSG_NOSIGNAL: the server may have closed already. */
	assert_int_equal(send(fd, p, n, MSG_NOSIGNAL), (ssize_t)n);
}

static void
raw_frame(int fd, uint16_t kind, uint32_t len, uint32_t tag, uint32_t id,
    const void *payload, size_t plen)
{
	struct msg__hdr h = { .len = len, .kind = kind, .tag = tag, .id = id };
	unsigned char b[MSG_HDR_LEN + 64];

	assert_true(plen <= 64);
	msg__hdr_encode(b, &h);
	if (plen)
		memcpy(b + MSG_HDR_LEN, payload, plen);
	raw_send(fd, b, MSG_HDR_LEN + plen);
}

static void
raw_hello(int fd)
{
	unsigned char p[MSG_HELLO_LEN];

	msg__hello_payload(p);
	raw_frame(fd, MSG_HELLO, sizeof(p), 0, 0, p, sizeof(p));
}

/* Connect, and check the server's HELLO comes first. */
static int
raw_open(struct fx *fx, const char *name)
{
	struct msg__hdr h;
	unsigned char p[MSG_HELLO_LEN];
	int fd = raw_connect(fx, name);

	assert_int_not_equal(fd, -1);
	raw_read_frame(fd, &h, p, sizeof(p));
	assert_int_equal(h.kind, MSG_HELLO);
	assert_int_equal(h.len, MSG_HELLO_LEN);
	assert_int_equal(msg__hello_check(p, h.len), 0);
	return fd;
}

/* The server closed this connection: read returns 0, within the bound. */
static void
expect_closed(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char b[64];

	assert_int_equal(poll(&pfd, 1, BOUND_MS), 1);
	assert_int_equal(recv(fd, b, sizeof(b), 0), 0);
	close(fd);
}

/* ---------------------------------------------------------------- */
/* The event loop, in process. */

struct tfire {
	struct msg_loop		*loop;
	struct msg_timer	*self;
	uint64_t		 key;		/* start time + interval */
	uint64_t		 started, ms;
	int			 id;
	int			*order;
	int			*n;
	int			 stop_after;
	struct msg_timer	*victim;	/* cancelled by this one */
};

static void
on_timer(struct msg_loop *l, void *arg)
{
	struct tfire *t = arg;

	/* Never early: at least the full interval since the start. */
	assert_true(msg__now_ms() >= t->started + t->ms);
	t->order[(*t->n)++] = t->id;
	msg_timer_cancel(l, t->self);		/* harmless on itself */
	if (t->victim != NULL)
		msg_timer_cancel(l, t->victim);
	if (*t->n == t->stop_after)
		msg_loop_stop(l);
}

static void
test_loop_timers(void **state)
{
	static const uint64_t ms[] = { 300, 100, 200, 0, 150, 250 };
	enum { N = sizeof(ms) / sizeof(ms[0]) };
	struct tfire t[N];
	struct msg_loop *l;
	int order[N], n = 0, i, j;

	assert_non_null(l = msg_loop_new());
	for (i = 0; i < N; i++) {
		memset(&t[i], 0, sizeof(t[i]));
		t[i].id = i;
		t[i].order = order;
		t[i].n = &n;
		t[i].stop_after = N;
		t[i].ms = ms[i];
		t[i].started = msg__now_ms();
		t[i].key = t[i].started + ms[i];
		assert_non_null(t[i].self = msg_timer_start(l, ms[i], on_timer,
		    &t[i]));
	}
	assert_int_equal(msg_loop_run(l), 0);
	assert_int_equal(n, N);
	/* Fired in deadline order (keys within 1 ms may swap: rounding). */
	for (i = 1; i < N; i++)
		assert_true(t[order[i - 1]].key <= t[order[i]].key + 1);
	for (i = 0; i < N; i++)
		for (j = i + 1; j < N; j++)
			assert_int_not_equal(order[i], order[j]);
	msg_loop_free(l);
}

static void
test_loop_cancel(void **state)
{
	struct tfire a, b, c, d;
	struct msg_loop *l;
	int order[4], n = 0;

	assert_non_null(l = msg_loop_new());
	memset(&a, 0, sizeof(a));
	a.order = order;
	a.n = &n;
	a.stop_after = 2;
	b = c = d = a;
	a.id = 1;
	b.id = 2;
	c.id = 3;
	d.id = 4;
	a.started = b.started = c.started = d.started = msg__now_ms();
	a.ms = 10;
	b.ms = 20;
	c.ms = 30;
	d.ms = 40;
	assert_non_null(a.self = msg_timer_start(l, 10, on_timer, &a));
	assert_non_null(b.self = msg_timer_start(l, 20, on_timer, &b));
	assert_non_null(c.self = msg_timer_start(l, 30, on_timer, &c));
	assert_non_null(d.self = msg_timer_start(l, 40, on_timer, &d));
	msg_timer_cancel(l, b.self);		/* before it fires */
	msg_timer_cancel(l, NULL);		/* harmless */
	a.victim = c.self;			/* from another's callback */
	assert_int_equal(msg_loop_run(l), 0);
	assert_int_equal(n, 2);
	assert_int_equal(order[0], 1);
	assert_int_equal(order[1], 4);
	msg_loop_free(l);
}

/* A timer still pending at msg_loop_free is freed with the loop. */
static void
test_loop_free_pending(void **state)
{
	struct tfire a;
	struct msg_loop *l;
	int order[1], n = 0;

	assert_non_null(l = msg_loop_new());
	memset(&a, 0, sizeof(a));
	a.order = order;
	a.n = &n;
	assert_non_null(msg_timer_start(l, 60000, on_timer, &a));
	assert_int_equal(msg_loop_run_once(l, 0), 0);
	assert_int_equal(n, 0);
	msg_loop_free(l);
}

static int sig_got[3];

static void
on_sig(struct msg_loop *l, int signo, void *arg)
{
	int *slot = arg;

	*slot = signo;
	if (sig_got[0] && sig_got[1])
		msg_loop_stop(l);
}

static void
raise_usr2(struct msg_loop *l, void *arg)
{
	kill(getpid(), SIGUSR2);
}

static void
test_loop_signal(void **state)
{
	struct msg_loop *l;
	sigset_t cur;

	memset(sig_got, 0, sizeof(sig_got));
	assert_non_null(l = msg_loop_new());
	assert_int_equal(msg_loop_signal(l, SIGUSR1, on_sig, &sig_got[0]), 0);
	assert_int_equal(msg_loop_signal(l, SIGUSR2, on_sig, &sig_got[1]), 0);
	assert_int_equal(msg_loop_signal(l, 0, on_sig, NULL), -1);
	assert_int_equal(errno, EINVAL);
	/* Sent before the loop runs: pending, read from the signalfd. */
	assert_int_equal(kill(getpid(), SIGUSR1), 0);
	/* Sent while the loop sleeps. */
	assert_non_null(msg_timer_start(l, 20, raise_usr2, NULL));
	assert_int_equal(msg_loop_run(l), 0);
	assert_int_equal(sig_got[0], SIGUSR1);
	assert_int_equal(sig_got[1], SIGUSR2);
	msg_loop_free(l);
	/* Freed: the signals are no longer blocked. */
	assert_int_equal(sigprocmask(SIG_BLOCK, NULL, &cur), 0);
	assert_false(sigismember(&cur, SIGUSR1));
	assert_false(sigismember(&cur, SIGUSR2));
}

struct fdseen {
	int		fd;
	unsigned	events;
	int		calls;
};

static void
on_fd(struct msg_loop *l, int fd, unsigned events, void *arg)
{
	struct fdseen *s = arg;
	char b[16];

	s->fd = fd;
	s->events = events;
	s->calls++;
	if (events & MSG_EV_READ)
		while (read(fd, b, sizeof(b)) > 0)
			;
}

static void
test_loop_fd(void **state)
{
	struct fdseen r = { -1, 0, 0 }, w = { -1, 0, 0 };
	struct msg_loop *l;
	int p[2];

	assert_non_null(l = msg_loop_new());
	assert_int_equal(pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
	assert_int_equal(msg_loop_add_fd(l, p[0], MSG_EV_READ, on_fd, &r), 0);
	assert_int_equal(msg_loop_add_fd(l, p[0], MSG_EV_READ, on_fd, &r), -1);
	assert_int_equal(errno, EEXIST);
	assert_int_equal(msg_loop_add_fd(l, -1, MSG_EV_READ, on_fd, &r), -1);
	/* Nothing to read: the turn times out. */
	assert_int_equal(msg_loop_run_once(l, 0), 0);
	assert_int_equal(r.calls, 0);
	assert_int_equal(write(p[1], "x", 1), 1);
	assert_int_equal(msg_loop_run_once(l, BOUND_MS), 1);
	assert_int_equal(r.calls, 1);
	assert_int_equal(r.fd, p[0]);
	assert_true(r.events & MSG_EV_READ);
	/* Writable end. */
	assert_int_equal(msg_loop_add_fd(l, p[1], MSG_EV_WRITE, on_fd, &w), 0);
	assert_int_equal(msg_loop_run_once(l, BOUND_MS), 1);
	assert_int_equal(w.calls, 1);
	assert_true(w.events & MSG_EV_WRITE);
	assert_int_equal(msg_loop_mod_fd(l, p[1], 0), 0);
	/* Removed: no more callbacks even with data waiting. */
	assert_int_equal(msg_loop_del_fd(l, p[0]), 0);
	assert_int_equal(msg_loop_del_fd(l, p[0]), -1);
	assert_int_equal(msg_loop_mod_fd(l, p[0], MSG_EV_READ), -1);
	assert_int_equal(write(p[1], "y", 1), 1);
	assert_int_equal(msg_loop_run_once(l, 0), 0);
	assert_int_equal(r.calls, 1);
	assert_int_equal(w.calls, 1);
	assert_true(msg_loop_now(l) > 0);
	msg_loop_free(l);
	close(p[0]);
	close(p[1]);
}

/* ---------------------------------------------------------------- */
/* sd_notify, run directory, socket files. */

static void
test_notify(void **state)
{
	struct fx *fx = *state;
	struct sockaddr_un sun;
	char name[64], buf[64];
	socklen_t len;
	ssize_t n;
	int fd;

	unsetenv("NOTIFY_SOCKET");
	assert_int_equal(msg_ready(), 0);		/* not supervised */
	FX_PUTENV(env_notify, "NOTIFY_SOCKET", "");
	assert_int_equal(msg_notify("READY=1"), 0);
	FX_PUTENV(env_notify, "NOTIFY_SOCKET", "relative/path");
	assert_int_equal(msg_notify("READY=1"), -1);
	assert_int_equal(errno, EINVAL);

	FX_PUTENV(env_notify, "NOTIFY_SOCKET", fx->notify);
	assert_int_equal(msg_ready(), 1);
	n = recv(fx->nfd, buf, sizeof(buf), MSG_DONTWAIT);
	assert_int_equal(n, 7);
	assert_memory_equal(buf, "READY=1", 7);

	/* The abstract namespace, spelled with '@'. */
	snprintf(name, sizeof(name), "@test_libmsg.%d", (int)getpid());
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path + 1, name + 1, strlen(name) - 1);
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
	    strlen(name));
	assert_int_not_equal(fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC,
	    0), -1);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, len), 0);
	FX_PUTENV(env_notify, "NOTIFY_SOCKET", name);
	assert_int_equal(msg_notify("STATUS=hi"), 1);
	n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	assert_int_equal(n, 9);
	assert_memory_equal(buf, "STATUS=hi", 9);
	close(fd);
	/* Nobody listening there any more: an error, not a crash. */
	assert_int_equal(msg_notify("READY=1"), -1);
	unsetenv("NOTIFY_SOCKET");
}

static void
test_rundir_prepare(void **state)
{
	struct fx *fx = *state;
	char d[128], f[128];
	struct stat st;
	mode_t old;
	int fd;

	/* Missing: created 0700, whatever the umask. */
	snprintf(d, sizeof(d), "%s/new", fx->dir);
	old = umask(0);
	assert_int_equal(msg_rundir_prepare(d), 0);
	umask(old);
	assert_int_equal(stat(d, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0700);
	assert_int_equal(st.st_uid, geteuid());
	assert_int_equal(msg_rundir_prepare(d), 0);	/* exists: fine */

	/* Readable by others is fine; writable by anyone else is not. */
	assert_int_equal(chmod(d, 0755), 0);
	assert_int_equal(msg_rundir_prepare(d), 0);
	assert_int_equal(chmod(d, 0777), 0);
	errno = 0;
	assert_int_equal(msg_rundir_prepare(d), -1);
	assert_int_equal(errno, EPERM);
	assert_int_equal(chmod(d, 0720), 0);
	assert_int_equal(msg_rundir_prepare(d), -1);
	assert_int_equal(chmod(d, 0702), 0);
	assert_int_equal(msg_rundir_prepare(d), -1);
	assert_int_equal(chmod(d, 0700), 0);

	/* Not a directory. */
	snprintf(f, sizeof(f), "%s/file", fx->dir);
	assert_int_not_equal(fd = open(f, O_CREAT | O_WRONLY | O_CLOEXEC,
	    0600), -1);
	close(fd);
	assert_int_equal(msg_rundir_prepare(f), -1);
	assert_int_equal(errno, ENOTDIR);
	/* A symlink to a good directory is not trusted either. */
	snprintf(f, sizeof(f), "%s/link", fx->dir);
	assert_int_equal(symlink(d, f), 0);
	assert_int_equal(msg_rundir_prepare(f), -1);

	/* A server refuses an open run directory. */
	assert_int_equal(chmod(fx->dir, 0777), 0);
	{
		struct msg_loop *l = msg_loop_new();

		assert_non_null(l);
		errno = 0;
		assert_null(msg_server_new(l, "open", &srv_ops, NULL, NULL));
		assert_int_equal(errno, EPERM);
		msg_loop_free(l);
	}
	assert_int_equal(chmod(fx->dir, 0700), 0);
}

static void
test_rundir_foreign_owner(void **state)
{
	struct fx *fx = *state;
	char d[128];

	if (geteuid() != 0)
		skip();
	snprintf(d, sizeof(d), "%s/theirs", fx->dir);
	assert_int_equal(mkdir(d, 0700), 0);
	assert_int_equal(chown(d, NOBODY, NOBODY), 0);
	errno = 0;
	assert_int_equal(msg_rundir_prepare(d), -1);
	assert_int_equal(errno, EPERM);
}

static void
test_rundir_paths(void **state)
{
	struct fx *fx = *state;
	char buf[256], want[256], small[8];
	char *xdg = getenv("XDG_RUNTIME_DIR");
	char *saved_xdg = xdg ? strdup(xdg) : NULL;

	assert_int_equal(msg_rundir(buf, sizeof(buf)), 0);
	assert_string_equal(buf, fx->dir);
	assert_int_equal(msg_rundir(small, sizeof(small)), -1);
	assert_int_equal(errno, ENAMETOOLONG);
	assert_int_equal(msg_sock_path("counter", buf, sizeof(buf)), 0);
	snprintf(want, sizeof(want), "%s/counter.sock", fx->dir);
	assert_string_equal(buf, want);
	assert_int_equal(msg_sock_path("/some/where.sock", buf, sizeof(buf)),
	    0);
	assert_string_equal(buf, "/some/where.sock");
	assert_int_equal(msg_sock_path("bad name", buf, sizeof(buf)), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(msg_sock_path("", buf, sizeof(buf)), -1);
	assert_int_equal(msg_sock_path("counter", small, sizeof(small)), -1);
	assert_int_equal(errno, ENAMETOOLONG);

	/* The defaults without MSG_RUNDIR. */
	unsetenv("MSG_RUNDIR");
	FX_PUTENV(env_xdg, "XDG_RUNTIME_DIR", "/xdg");
	assert_int_equal(msg_rundir(buf, sizeof(buf)), 0);
	if (geteuid() == 0)
		assert_string_equal(buf, "/run/supervisord");
	else {
		assert_string_equal(buf, "/xdg/supervisord");
		unsetenv("XDG_RUNTIME_DIR");
		assert_int_equal(msg_rundir(buf, sizeof(buf)), 0);
		snprintf(want, sizeof(want), "/tmp/supervisord-%u",
		    (unsigned)geteuid());
		assert_string_equal(buf, want);
	}
	FX_PUTENV(env_rundir, "MSG_RUNDIR", fx->dir);
	if (saved_xdg != NULL)
		FX_PUTENV(env_xdg, "XDG_RUNTIME_DIR", saved_xdg);
	else
		unsetenv("XDG_RUNTIME_DIR");
	free(saved_xdg);
}

/* Bound 0600, unlinked on free, one server per name, stale files replaced. */
static void
test_server_socket(void **state)
{
	struct fx *fx = *state;
	struct sockaddr_un sun;
	struct msg_loop *l;
	struct msg_server *s, *s2;
	struct stat st;
	char path[128];
	uint64_t t0;
	int fd;

	sock_path(fx, "sock", path, sizeof(path));
	assert_non_null(l = msg_loop_new());
	assert_non_null(s = msg_server_new(l, "sock", &srv_ops, NULL, NULL));
	assert_string_equal(msg_server_path(s), path);
	assert_int_equal(msg_server_peers(s), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_uid, geteuid());

	/* A live name is not stolen. */
	errno = 0;
	assert_null(s2 = msg_server_new(l, "sock", &srv_ops, NULL, NULL));
	assert_int_equal(errno, EADDRINUSE);
	assert_int_equal(stat(path, &st), 0);

	/* Nobody answers HELLO while this loop is not running. */
	t0 = msg__now_ms();
	errno = 0;
	assert_null(msg_connect("sock", 200));
	assert_int_equal(errno, ETIMEDOUT);
	assert_true(msg__now_ms() - t0 >= 195);
	assert_true(msg__now_ms() - t0 < BOUND_MS);

	msg_server_free(s);
	assert_int_equal(stat(path, &st), -1);
	assert_int_equal(errno, ENOENT);
	errno = 0;
	assert_null(msg_connect("sock", 200));
	assert_int_equal(errno, ENOENT);

	/* A stale socket file (its server died) is replaced. */
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strlcpy(sun.sun_path, path, sizeof(sun.sun_path));
	assert_int_not_equal(fd = socket(AF_UNIX, SOCK_STREAM, 0), -1);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(fd);
	assert_null(msg_connect("sock", 200));
	assert_int_equal(errno, ECONNREFUSED);
	assert_non_null(s = msg_server_new(l, "sock", &srv_ops, NULL, NULL));
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	msg_server_free(s);

	errno = 0;
	assert_null(msg_server_new(l, "bad name", &srv_ops, NULL, NULL));
	assert_int_equal(errno, EINVAL);
	msg_loop_free(l);
}

/* ---------------------------------------------------------------- */
/* Calls and casts against a forked server. */

static void
test_call_reply(void **state)
{
	struct fx *fx = *state;
	struct srv_conf conf = { .name = "calls" };
	struct msg_client *c;
	struct msg_message m;
	char want[64];
	pid_t pid;

	pid = fx_start(fx, server_main, &conf);
	c = fx_connect("calls");
	assert_true(msg_client_fd(c) >= 0);
	call_ok(c, "ping", NULL, "pong");
	/* Flags and bytes come back as sent (including NULs). */
	assert_int_equal(msg_call(c, msg_tag("echo"), MSG_F_JSON, "[1,2]", 5,
	    BOUND_MS, &m), MSG_OK);
	assert_int_equal(m.kind, MSG_REPLY);
	assert_int_equal(m.flags, MSG_F_JSON);
	assert_int_equal(m.len, 5);
	assert_memory_equal(m.data, "[1,2]", 5);
	assert_int_not_equal(m.id, 0);
	assert_int_equal(msg_call(c, msg_tag("echo"), 0, "a\0b", 3, BOUND_MS,
	    &m), MSG_OK);
	assert_int_equal(m.flags, 0);
	assert_int_equal(m.len, 3);
	assert_memory_equal(m.data, "a\0b", 3);
	/* Empty payload. */
	assert_int_equal(msg_call(c, msg_tag("echo"), 0, NULL, 0, BOUND_MS,
	    &m), MSG_OK);
	assert_int_equal(m.len, 0);
	/* A reply pointer is optional. */
	assert_int_equal(msg_call(c, msg_tag("ping"), 0, NULL, 0, BOUND_MS,
	    NULL), MSG_OK);
	/* The server sees who we are. */
	snprintf(want, sizeof(want), "%d %u %u", (int)getpid(),
	    (unsigned)geteuid(), (unsigned)getegid());
	call_ok(c, "cred", NULL, want);
	assert_int_equal(get_count(c), 0);
	msg_close(c);
	fx_stop(fx, pid);
}

static void
test_errors(void **state)
{
	struct fx *fx = *state;
	struct srv_conf conf = { .name = "errs" };
	struct msg_client *c;
	struct msg_message m;
	json_t *reply = NULL;
	pid_t pid;

	pid = fx_start(fx, server_main, &conf);
	c = fx_connect("errs");
	assert_int_equal(msg_call(c, msg_tag("no-such-call"), 0, NULL, 0,
	    BOUND_MS, &m), MSG_ERROR_REPLY);
	assert_int_equal(m.kind, MSG_ERROR);
	assert_int_equal(m.tag, MSG_ERR_UNKNOWN_TAG);
	assert_int_equal(m.len, strlen("unknown call"));
	assert_memory_equal(m.data, "unknown call", m.len);
	/* Neither answered nor kept: libmsg answers ERROR 3. */
	assert_int_equal(msg_call(c, msg_tag("noreply"), 0, NULL, 0,
	    BOUND_MS, &m), MSG_ERROR_REPLY);
	assert_int_equal(m.tag, MSG_ERR_SERVER);
	/* The JSON helper hands the error text back as a string. */
	assert_int_equal(msg_call_json(c, msg_tag("nope"), NULL, BOUND_MS,
	    &reply), MSG_ERROR_REPLY);
	assert_true(json_is_string(reply));
	assert_string_equal(json_string_value(reply), "unknown call");
	json_decref(reply);
	/* Over the client's own limit: refused locally. */
	msg_client_set_max_payload(c, 4);
	assert_int_equal(msg_call(c, msg_tag("echo"), 0, "12345", 5, BOUND_MS,
	    &m), MSG_FAIL);
	assert_int_equal(errno, EMSGSIZE);
	msg_client_set_max_payload(c, 0);		/* back to default */
	call_ok(c, "echo", "12345", "12345");
	/* Still connected after all that. */
	call_ok(c, "ping", NULL, "pong");
	msg_close(c);
	fx_stop(fx, pid);
}

static void
test_cast_order(void **state)
{
	struct fx *fx = *state;
	struct srv_conf conf = { .name = "counter" };
	struct msg_client *c, *c2;
	int i;
	pid_t pid;

	pid = fx_start(fx, server_main, &conf);
	c = fx_connect("counter");
	/* Frames of one connection are handled in order: no waiting. */
	for (i = 0; i < 100; i++)
		assert_int_equal(msg_cast(c, msg_tag("increment"), 0, NULL, 0),
		    MSG_OK);
	assert_int_equal(get_count(c), 100);
	assert_int_equal(msg_cast(c, msg_tag("increment"), MSG_F_JSON, "41",
	    2), MSG_OK);
	assert_int_equal(get_count(c), 141);
	/* Batched casts: queued, then one write. */
	for (i = 0; i < 5000; i++)
		assert_int_equal(msg_cast_more(c, msg_tag("increment"), 0,
		    NULL, 0), MSG_OK);
	assert_int_equal(msg_flush(c, BOUND_MS), MSG_OK);
	assert_int_equal(get_count(c), 5141);
	/* Unknown casts are dropped, never answered. */
	assert_int_equal(msg_cast(c, msg_tag("nonsense"), 0, "x", 1), MSG_OK);
	/* Another client sees the same state. */
	c2 = fx_connect("counter");
	assert_int_equal(get_count(c2), 5141);
	assert_int_equal(get_count(c), 5141);
	assert_int_equal(msg_recv(c, 0, &(struct msg_message){ 0 }),
	    MSG_TIMEOUT);
	msg_close(c2);
	msg_close(c);
	fx_stop(fx, pid);
}

static void
test_deferred_reply(void **state)
{
	struct fx *fx = *state;
	struct srv_conf conf = { .name = "defer" };
	struct msg_client *c, *c2;
	struct msg_message m;
	uint32_t id1, id2;
	int seen1 = 0, seen2 = 0, i;
	uint64_t t0;
	pid_t pid;

	pid = fx_start(fx, server_main, &conf);
	c = fx_connect("defer");
	t0 = msg__now_ms();
	call_ok(c, "defer", "50", "deferred");
	assert_true(msg__now_ms() - t0 >= 49);

	/* Another call is answered while one waits for its timer. */
	assert_int_equal(msg_send_call(c, msg_tag("defer"), 0, "100", 3, &id1),
	    MSG_OK);
	assert_int_equal(msg_send_call(c, msg_tag("ping"), 0, NULL, 0, &id2),
	    MSG_OK);
	assert_int_not_equal(id1, id2);
	for (i = 0; i < 2; i++) {
		assert_int_equal(msg_recv(c, BOUND_MS, &m), MSG_OK);
		assert_int_equal(m.kind, MSG_REPLY);
		if (m.id == id1) {
			assert_memory_equal(m.data, "deferred", 8);
			seen1++;
		} else {
			assert_int_equal(m.id, id2);
			assert_memory_equal(m.data, "pong", 4);
			seen2++;
		}
	}
	assert_int_equal(seen1, 1);
	assert_int_equal(seen2, 1);

	/* The caller leaves before the answer: the server shrugs. */
	c2 = fx_connect("defer");
	assert_int_equal(msg_send_call(c2, msg_tag("defer"), 0, "30", 2, NULL),
	    MSG_OK);
	msg_close(c2);
	/* Its timer (30 ms) fires before ours (200 ms). */
	call_ok(c, "defer", "200", "deferred");
	call_ok(c, "ping", NULL, "pong");
	msg_close(c);
	fx_stop(fx, pid);
}

static void
test_call_timeout(void **state)
{
	struct fx *fx = *state;
	struct srv_conf conf = { .name = "slow" };
	struct msg_client *c;
	struct msg_message m;
	uint64_t t0, dt;
	pid_t pid;

	pid = fx_start(fx, server_main, &conf);
	c = fx_connect("slow");
	t0 = msg__now_ms();
	assert_int_equal(msg_call(c, msg_tag("hold"), 0, NULL, 0, 300, &m),
	    MSG_TIMEOUT);
	dt = msg__now_ms() - t0;
	assert_true(dt >= 295);
	assert_true(dt < 300 + BOUND_MS);
	/* The held call is answered ("late") just before this one's "fresh":
	 * the late reply is dropped, not mistaken for ours. */
	call_ok(c, "release", NULL, "fresh");
	assert_int_equal(msg_recv(c, 0, &m), MSG_TIMEOUT);
	call_ok(c, "ping", NULL, "pong");
	/* A zero timeout on a held call. */
	assert_int_equal(msg_call(c, msg_tag("hold"), 0, NULL, 0, 0, &m),
	    MSG_TIMEOUT);
	call_ok(c, "release", NULL, "fresh");
	call_ok(c, "ping", NULL, "pong");
	msg_close(c);
	fx_stop(fx, pid);
}

/* SIGKILL mid-call is "down"; the next call finds the new server by name. */
static void
test_down_and_reconnect(void **state)
{
	struct fx *fx = *state;
	struct srv_conf conf = { .name = "phoenix" };
	struct msg_client *c;
	struct msg_message m;
	uint64_t t0, dt;
	pid_t pid;
	int st;

	pid = fx_start(fx, server_main, &conf);
	c = fx_connect("phoenix");
	assert_int_equal(msg_cast(c, msg_tag("increment"), 0, NULL, 0), MSG_OK);
	assert_int_equal(get_count(c), 1);
	assert_int_equal(msg_call(c, msg_tag("die"), 0, NULL, 0, BOUND_MS, &m),
	    MSG_DOWN);
	st = fx_reap(fx, pid, BOUND_MS);
	assert_true(st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);

	/* Nobody there: the call waits up to its timeout for the name. */
	t0 = msg__now_ms();
	assert_int_equal(msg_call(c, msg_tag("ping"), 0, NULL, 0, 300, &m),
	    MSG_TIMEOUT);
	dt = msg__now_ms() - t0;
	assert_true(dt >= 295 && dt < 300 + BOUND_MS);

	pid = fx_start(fx, server_main, &conf);
	call_ok(c, "ping", NULL, "pong");
	assert_int_equal(get_count(c), 0);		/* a new server */
	msg_close(c);
	fx_stop(fx, pid);
}

/* The new server is started at once; the call waits for it if need be. */
static void
test_reconnect_waits_for_name(void **state)
{
	struct fx *fx = *state;
	struct srv_conf conf = { .name = "lazarus" };
	struct msg_client *c;
	struct msg_message m;
	pid_t pid;
	int st;

	pid = fx_start(fx, server_main, &conf);
	c = fx_connect("lazarus");
	assert_int_equal(msg_call(c, msg_tag("die"), 0, NULL, 0, BOUND_MS, &m),
	    MSG_DOWN);
	st = fx_reap(fx, pid, BOUND_MS);
	assert_true(st != -1 && WIFSIGNALED(st));
	pid = fx_spawn(fx, server_main, &conf);
	call_ok(c, "ping", NULL, "pong");
	fx_wait_ready(fx, pid);
	msg_close(c);
	fx_stop(fx, pid);
}

/* An idle client whose server was restarted behind its back. */
static void
test_reconnect_idle(void **state)
{
	struct fx *fx = *state;
	struct srv_conf conf = { .name = "idle" };
	struct msg_client *c, *sub;
	struct msg_message m;
	pid_t pid;

	pid = fx_start(fx, server_main, &conf);
	c = fx_connect("idle");
	sub = fx_connect("idle");
	assert_int_equal(msg_subscribe(sub, "r."), MSG_OK);
	call_ok(sub, "ping", NULL, "pong");
	fx_stop(fx, pid);
	pid = fx_start(fx, server_main, &conf);
	/* Location transparency: the very next call reaches the new one. */
	call_ok(c, "ping", NULL, "pong");
	/* And the subscription was renewed on reconnecting. */
	call_ok(sub, "ping", NULL, "pong");
	assert_int_equal(msg_publish_to(c, "r.1", 0, "x", 1), MSG_OK);
	call_ok(c, "ping", NULL, "pong");
	call_ok(sub, "ping", NULL, "pong");
	assert_int_equal(msg_recv(sub, 0, &m), MSG_OK);
	assert_int_equal(m.kind, MSG_EVENT);
	assert_int_equal(m.topic_len, 3);
	assert_memory_equal(m.topic, "r.1", 3);
	assert_int_equal(msg_recv(sub, 0, &m), MSG_TIMEOUT);
	msg_close(sub);
	msg_close(c);
	fx_stop(fx, pid);
}

/* The server hangs up on us (msg_peer_close): down, then back. */
static void
test_server_closes_peer(void **state)
{
	struct fx *fx = *state;
	struct srv_conf conf = { .name = "rude" };
	struct msg_client *c;
	struct msg_message m;
	pid_t pid;

	pid = fx_start(fx, server_main, &conf);
	c = fx_connect("rude");
	assert_int_equal(msg_call(c, msg_tag("closeme"), 0, NULL, 0, BOUND_MS,
	    &m), MSG_DOWN);
	call_ok(c, "ping", NULL, "pong");
	assert_int_equal(call_num(c, "peers", NULL), 1);
	msg_close(c);
	fx_stop(fx, pid);
}

static void
test_pipelined(void **state)
{
	enum { N = 1000 };
	struct fx *fx = *state;
	struct srv_conf conf = { .name = "pipe" };
	struct msg_client *c;
	struct msg_message m;
	static uint32_t ids[N];
	static char seen[N];
	char payload[256];
	uint32_t idx;
	int i, j;
	pid_t pid;

	pid = fx_start(fx, server_main, &conf);
	c = fx_connect("pipe");
	memset(seen, 0, sizeof(seen));
	memset(payload, 'p', sizeof(payload));
	for (i = 0; i < N; i++) {
		idx = (uint32_t)i;
		memcpy(payload, &idx, sizeof(idx));
		assert_int_equal(msg_send_call(c, msg_tag("echo"), 0, payload,
		    sizeof(payload), &ids[i]), MSG_OK);
		for (j = 0; j < i; j += 97)
			assert_int_not_equal(ids[j], ids[i]);
	}
	for (i = 0; i < N; i++) {
		assert_int_equal(msg_recv(c, BOUND_MS, &m), MSG_OK);
		assert_int_equal(m.kind, MSG_REPLY);
		assert_int_equal(m.len, sizeof(payload));
		memcpy(&idx, m.data, sizeof(idx));
		assert_true(idx < N);
		assert_int_equal(m.id, ids[idx]);
		assert_int_equal(seen[idx], 0);
		seen[idx] = 1;
	}
	for (i = 0; i < N; i++)
		assert_int_equal(seen[i], 1);
	assert_int_equal(msg_recv(c, 0, &m), MSG_TIMEOUT);

	/* A call made while a pipelined one is outstanding takes its own
	 * reply; the earlier one (on the wire first) waits for msg_recv. */
	assert_int_equal(msg_send_call(c, msg_tag("echo"), 0, "first", 5,
	    &ids[0]), MSG_OK);
	call_ok(c, "echo", "second", "second");
	assert_int_equal(msg_recv(c, 0, &m), MSG_OK);
	assert_int_equal(m.id, ids[0]);
	assert_int_equal(m.len, 5);
	assert_memory_equal(m.data, "first", 5);
	assert_int_equal(msg_recv(c, 0, &m), MSG_TIMEOUT);
	msg_close(c);
	fx_stop(fx, pid);
}

/* ---------------------------------------------------------------- */
/* Publish / subscribe. */

struct ev {
	const char	*topic;
	const char	*data;
};

/* Everything the subscriber has, in order, must be exactly want[]. */
static void
expect_events(struct msg_client *c, const struct ev *want, size_t n)
{
	struct msg_message m;
	size_t i;

	/* Our pong comes after every event queued for us before it. */
	call_ok(c, "ping", NULL, "pong");
	for (i = 0; i < n; i++) {
		assert_int_equal(msg_recv(c, 0, &m), MSG_OK);
		assert_int_equal(m.kind, MSG_EVENT);
		assert_int_equal(m.topic_len, strlen(want[i].topic));
		assert_memory_equal(m.topic, want[i].topic, m.topic_len);
		assert_int_equal(m.len, strlen(want[i].data));
		assert_memory_equal(m.data, want[i].data, m.len);
	}
	assert_int_equal(msg_recv(c, 0, &m), MSG_TIMEOUT);
}

static void
test_pubsub(void **state)
{
	static const struct ev pubs[] = {
		{ "a.1", "x1" }, { "b.1", "x2" }, { "c", "x3" },
		{ "a.2", "x4" }, { "bb", "x5" }, { "a", "x6" },
		{ "", "x7" }, { "b.end", "" }, { "a.end", "" },
	};
	static const struct ev want_a[] = {
		{ "a.1", "x1" }, { "a.2", "x4" }, { "a.end", "" },
		{ "a.srv", "srv" },
	};
	static const struct ev want_b[] = {
		{ "b.1", "x2" }, { "bb", "x5" }, { "b.end", "" },
	};
	static const struct ev want_b2[] = { { "bb.2", "y" } };
	static const struct ev want_c2[] = { { "b.2", "y" }, { "bb.2", "y" } };
	struct ev want_c[sizeof(pubs) / sizeof(pubs[0]) + 1];
	struct fx *fx = *state;
	struct srv_conf conf = { .name = "events" };
	struct msg_client *a, *b, *c, *p;
	size_t i;
	pid_t pid;

	pid = fx_start(fx, server_main, &conf);
	a = fx_connect("events");
	b = fx_connect("events");
	c = fx_connect("events");
	p = fx_connect("events");
	assert_int_equal(msg_subscribe(a, "a."), MSG_OK);
	assert_int_equal(msg_subscribe(b, "b"), MSG_OK);
	assert_int_equal(msg_subscribe(b, "b"), MSG_OK);	/* once only */
	assert_int_equal(msg_subscribe(c, ""), MSG_OK);		/* everything */
	/* A reply means our SUBSCRIBE was handled before it. */
	call_ok(a, "ping", NULL, "pong");
	call_ok(b, "ping", NULL, "pong");
	call_ok(c, "ping", NULL, "pong");

	for (i = 0; i < sizeof(pubs) / sizeof(pubs[0]); i++) {
		assert_int_equal(msg_publish_to(p, pubs[i].topic, 0,
		    pubs[i].data, strlen(pubs[i].data)), MSG_OK);
		want_c[i] = pubs[i];
	}
	/* The server's own msg_publish reaches a and c: two subscribers. */
	assert_int_equal(call_num(p, "publish", "a.srv"), 2);
	want_c[i].topic = "a.srv";
	want_c[i].data = "srv";
	/* The publisher, not subscribed, gets nothing back. */
	assert_int_equal(msg_recv(p, 0, &(struct msg_message){ 0 }),
	    MSG_TIMEOUT);

	expect_events(a, want_a, sizeof(want_a) / sizeof(want_a[0]));
	expect_events(b, want_b, sizeof(want_b) / sizeof(want_b[0]));
	expect_events(c, want_c, sizeof(want_c) / sizeof(want_c[0]));

	/* b narrows to "bb", c drops out. */
	assert_int_equal(msg_unsubscribe(b, "b"), MSG_OK);
	assert_int_equal(msg_subscribe(b, "bb"), MSG_OK);
	assert_int_equal(msg_unsubscribe(c, ""), MSG_OK);
	assert_int_equal(msg_subscribe(c, "b"), MSG_OK);
	call_ok(b, "ping", NULL, "pong");
	call_ok(c, "ping", NULL, "pong");
	assert_int_equal(msg_publish_to(p, "b.2", 0, "y", 1), MSG_OK);
	assert_int_equal(msg_publish_to(p, "bb.2", 0, "y", 1), MSG_OK);
	assert_int_equal(msg_publish_to(p, "a.3", MSG_F_JSON, "{}", 2), MSG_OK);
	call_ok(p, "ping", NULL, "pong");	/* all three handled */
	expect_events(b, want_b2, 1);
	expect_events(c, want_c2, 2);
	{
		struct msg_message m;

		call_ok(a, "ping", NULL, "pong");
		assert_int_equal(msg_recv(a, 0, &m), MSG_OK);
		assert_int_equal(m.flags, MSG_F_JSON);	/* relayed unchanged */
		assert_memory_equal(m.topic, "a.3", 3);
		assert_int_equal(msg_recv(a, 0, &m), MSG_TIMEOUT);
	}
	/* A subscriber that leaves is dropped from the fan-out. */
	msg_close(a);
	call_ok(p, "ping", NULL, "pong");
	assert_int_equal(call_num(p, "publish", "a.gone"), 0);
	msg_close(b);
	msg_close(c);
	msg_close(p);
	fx_stop(fx, pid);
}

/* A subscriber that stops reading loses events; nobody else waits. */
static void
test_slow_subscriber(void **state)
{
	enum { N = 96, SIZE = 64 * 1024 };
	struct fx *fx = *state;
	struct srv_conf conf = { .name = "firehose" };
	struct msg_client *fast, *slow, *p;
	struct msg_message m;
	unsigned long long dropped;
	char topic[32], *data;
	json_t *notice;
	json_int_t d, total;
	uint32_t seq;
	int i, got = 0;
	pid_t pid;

	assert_non_null(data = malloc(SIZE));
	memset(data, 'e', SIZE);
	pid = fx_start(fx, server_main, &conf);
	fast = fx_connect("firehose");
	slow = fx_connect("firehose");
	p = fx_connect("firehose");
	assert_int_equal(msg_subscribe(fast, "big."), MSG_OK);
	assert_int_equal(msg_subscribe(slow, "big."), MSG_OK);
	call_ok(fast, "ping", NULL, "pong");
	call_ok(slow, "ping", NULL, "pong");

	for (i = 0; i < N; i++) {
		seq = (uint32_t)i;
		memcpy(data, &seq, sizeof(seq));
		snprintf(topic, sizeof(topic), "big.%d", i);
		assert_int_equal(msg_publish_to(p, topic, 0, data, SIZE),
		    MSG_OK);
		/* The fast one gets every event, in order. */
		assert_int_equal(msg_recv(fast, BOUND_MS, &m), MSG_OK);
		assert_int_equal(m.kind, MSG_EVENT);
		assert_int_equal(m.topic_len, strlen(topic));
		assert_memory_equal(m.topic, topic, m.topic_len);
		assert_int_equal(m.len, SIZE);
		memcpy(&seq, m.data, sizeof(seq));
		assert_int_equal(seq, i);
	}
	/* The server still answers at once, and counted the losses. */
	dropped = call_num(p, "dropped", NULL);
	assert_true(dropped > 0);
	assert_true(dropped < N);

	/* The slow one: a gapless prefix, then the overflow notice. */
	for (;;) {
		assert_int_equal(msg_recv(slow, BOUND_MS, &m), MSG_OK);
		assert_int_equal(m.kind, MSG_EVENT);
		if (m.topic_len == strlen("msg.overflow") &&
		    memcmp(m.topic, "msg.overflow", m.topic_len) == 0)
			break;
		assert_int_equal(m.len, SIZE);
		memcpy(&seq, m.data, sizeof(seq));
		assert_int_equal(seq, got);
		got++;
	}
	assert_int_equal(m.flags, MSG_F_JSON);
	assert_non_null(notice = msg_json(&m, NULL, 0));
	assert_int_equal(json_unpack(notice, "{sIsI}", "dropped", &d, "total",
	    &total), 0);
	json_decref(notice);
	assert_int_equal(d, dropped);
	assert_int_equal(total, dropped);
	assert_int_equal(got + (int)d, N);

	/* Drained, it receives again; the fast one was never hurt. */
	assert_int_equal(msg_publish_to(p, "big.after", 0, "z", 1), MSG_OK);
	call_ok(p, "ping", NULL, "pong");
	call_ok(slow, "ping", NULL, "pong");
	assert_int_equal(msg_recv(slow, 0, &m), MSG_OK);
	assert_memory_equal(m.topic, "big.after", m.topic_len);
	assert_int_equal(msg_recv(slow, 0, &m), MSG_TIMEOUT);
	assert_int_equal(msg_recv(fast, BOUND_MS, &m), MSG_OK);
	assert_memory_equal(m.topic, "big.after", m.topic_len);
	assert_int_equal(call_num(p, "dropped", NULL), dropped);
	free(data);
	msg_close(fast);
	msg_close(slow);
	msg_close(p);
	fx_stop(fx, pid);
}

/* ---------------------------------------------------------------- */
/* Protocol errors on raw sockets. */

struct abuse {
	const char	*what;
	int		 hello;		/* send a good HELLO first */
	uint16_t	 kind;
	uint32_t	 len;		/* header length field */
	const void	*payload;
	size_t		 plen;		/* bytes actually sent */
};

static void
test_protocol_errors(void **state)
{
	static const unsigned char bad_magic[] = "LMSX\x01\0\0";
	static const unsigned char v2[] = "LMSG\x02\0\0";
	static const unsigned char v1short[] = "LMSG\x01\0";
	static const unsigned char hello[] = "LMSG\x01\0\0";
	static const unsigned char topic9[] = "\x09\0abc";
	static const struct abuse cases[] = {
		{ "bad HELLO magic", 0, MSG_HELLO, 8, bad_magic, 8 },
		{ "HELLO version 2", 0, MSG_HELLO, 8, v2, 8 },
		{ "HELLO too short", 0, MSG_HELLO, 7, v1short, 7 },
		{ "HELLO too long", 0, MSG_HELLO, 9, "LMSG\x01\0\0\0\0", 9 },
		{ "CALL before HELLO", 0, MSG_CALL, 0, NULL, 0 },
		{ "unknown kind 9", 1, 9, 0, NULL, 0 },
		{ "unknown kind 0", 1, 0, 0, NULL, 0 },
		{ "unknown kind 0xffff", 1, 0xffff, 0, NULL, 0 },
		{ "oversize, no payload", 1, MSG_CAST,
		    MSG_MAX_PAYLOAD_DEFAULT + 1, NULL, 0 },
		{ "REPLY from a client", 1, MSG_REPLY, 0, NULL, 0 },
		{ "ERROR from a client", 1, MSG_ERROR, 0, NULL, 0 },
		{ "second HELLO", 1, MSG_HELLO, 8, hello, 8 },
		{ "EVENT topic beyond payload", 1, MSG_EVENT, 5, topic9, 5 },
	};
	struct fx *fx = *state;
	struct srv_conf conf = { .name = "strict" };
	struct msg_client *good;
	size_t i;
	int fd;
	pid_t pid;

	pid = fx_start(fx, server_main, &conf);
	good = fx_connect("strict");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("# %s\n", cases[i].what);
		fd = raw_open(fx, "strict");
		if (cases[i].hello)
			raw_hello(fd);
		raw_frame(fd, cases[i].kind, cases[i].len, 0, 1,
		    cases[i].payload, cases[i].plen);
		expect_closed(fd);
		/* Everyone else is still served. */
		call_ok(good, "ping", NULL, "pong");
	}
	/* A truncated frame, then EOF. */
	fd = raw_open(fx, "strict");
	raw_hello(fd);
	raw_send(fd, "\x10\0\0\0\x02\0", 6);
	shutdown(fd, SHUT_WR);
	expect_closed(fd);
	/* Only the good client is left on the server's books. */
	assert_int_equal(call_num(good, "peers", NULL), 1);
	msg_close(good);
	fx_stop(fx, pid);
}

static void
test_call_id_zero(void **state)
{
	struct fx *fx = *state;
	struct srv_conf conf = { .name = "ids" };
	struct msg__hdr h;
	char buf[64];
	int fd;
	pid_t pid;

	pid = fx_start(fx, server_main, &conf);
	fd = raw_open(fx, "ids");
	raw_hello(fd);
	raw_frame(fd, MSG_CALL, 0, msg_tag("ping"), 0, NULL, 0);
	raw_read_frame(fd, &h, buf, sizeof(buf));
	assert_int_equal(h.kind, MSG_ERROR);
	assert_int_equal(h.tag, MSG_ERR_BAD_REQUEST);
	assert_int_equal(h.id, 0);
	/* Not a protocol error: the connection serves on. */
	raw_frame(fd, MSG_CALL, 0, msg_tag("ping"), 7, NULL, 0);
	raw_read_frame(fd, &h, buf, sizeof(buf));
	assert_int_equal(h.kind, MSG_REPLY);
	assert_int_equal(h.id, 7);
	assert_int_equal(h.len, 4);
	assert_memory_equal(buf, "pong", 4);
	/* An unknown tag on the raw wire: ERROR 1 with our id. */
	raw_frame(fd, MSG_CALL, 0, 0xdeadbeef, 8, NULL, 0);
	raw_read_frame(fd, &h, buf, sizeof(buf));
	assert_int_equal(h.kind, MSG_ERROR);
	assert_int_equal(h.tag, MSG_ERR_UNKNOWN_TAG);
	assert_int_equal(h.id, 8);
	/* Unknown flag bits are ignored; a SUBSCRIBE with them is fine. */
	{
		struct msg__hdr s = { .len = 0, .kind = MSG_CALL,
		    .flags = 0xfffe, .tag = msg_tag("ping"), .id = 9 };
		unsigned char b[MSG_HDR_LEN];

		msg__hdr_encode(b, &s);
		raw_send(fd, b, sizeof(b));
		raw_read_frame(fd, &h, buf, sizeof(buf));
		assert_int_equal(h.kind, MSG_REPLY);
		assert_int_equal(h.id, 9);
	}
	close(fd);
	fx_stop(fx, pid);
}

/* ---------------------------------------------------------------- */
/* Peer credentials: another uid is refused. */

static void
drop_to_nobody(void)
{
	if (setgroups(0, NULL) == -1 || setgid(NOBODY) == -1 ||
	    setuid(NOBODY) == -1)
		_exit(20);
	/* Changing credentials cleared the parent-death signal. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1)
		_exit(20);
}

/* As nobody, with the directory closed: the file system says no. */
static int
nobody_fs(struct fx *fx, void *arg)
{
	drop_to_nobody();
	if (msg_connect("guarded", BOUND_MS) != NULL)
		return 21;
	return errno == EACCES ? 0 : 22;
}

/* As nobody, with the socket open to all: libmsg's peer check says no. */
static int
nobody_peer(struct fx *fx, void *arg)
{
	struct pollfd pfd;
	char b[64];
	int fd;

	drop_to_nobody();
	if ((fd = raw_connect(fx, "guarded")) == -1)
		return 23;
	/* Closed without a HELLO: not one byte before EOF. */
	pfd.fd = fd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, BOUND_MS) != 1)
		return 24;
	if (recv(fd, b, sizeof(b), 0) != 0)
		return 25;
	close(fd);
	if (msg_connect("guarded", BOUND_MS) != NULL)
		return 26;
	if (errno != EACCES) {
		fprintf(stderr, "msg_connect as nobody: %s\n", strerror(errno));
		return 27;
	}
	return 0;
}

static void
expect_child_ok(struct fx *fx, pid_t pid)
{
	int st = fx_reap(fx, pid, BOUND_MS);

	if (st == -1)
		fail_msg("child %d hangs", (int)pid);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fail_msg("child %d: status 0x%x", (int)pid, st);
}

static void
test_other_uid_refused(void **state)
{
	struct fx *fx = *state;
	struct srv_conf conf = { .name = "guarded" };
	struct msg_client *c;
	char path[128];
	pid_t pid;

	if (geteuid() != 0)
		skip();
	pid = fx_start(fx, server_main, &conf);
	c = fx_connect("guarded");		/* root may */
	expect_child_ok(fx, fx_spawn(fx, nobody_fs, NULL));
	sock_path(fx, "guarded", path, sizeof(path));
	assert_int_equal(chmod(fx->dir, 0711), 0);
	assert_int_equal(chmod(path, 0666), 0);
	expect_child_ok(fx, fx_spawn(fx, nobody_peer, NULL));
	call_ok(c, "ping", NULL, "pong");
	assert_int_equal(call_num(c, "peers", NULL), 1);
	msg_close(c);
	fx_stop(fx, pid);
}

/* ---------------------------------------------------------------- */
/* SIGPIPE never kills, on either side. */

static void
test_sigpipe(void **state)
{
	struct fx *fx = *state;
	struct srv_conf conf = { .name = "pipes" };
	struct msg_client *c, *c2;
	struct msg_message m;
	struct pollfd pfd;
	int i;
	pid_t pid;

	pid = fx_start(fx, server_main, &conf);
	c2 = fx_connect("pipes");
	for (i = 0; i < 3; i++) {
		c = fx_connect("pipes");
		/* 8 MiB: far more than a socket holds, so output queues. */
		assert_int_equal(msg_send_call(c, msg_tag("big"), 0, "8388608",
		    7, NULL), MSG_OK);
		pfd.fd = msg_client_fd(c);
		pfd.events = POLLIN;
		assert_int_equal(poll(&pfd, 1, BOUND_MS), 1);	/* it's coming */
		msg_close(c);		/* ... and nobody reads the rest */
		call_ok(c2, "ping", NULL, "pong");
	}
	assert_int_equal(call_num(c2, "peers", NULL), 1);
	fx_stop(fx, pid);		/* exit 0: not killed by SIGPIPE */

	/* Our side: writing to a dead server is "down" or a wait for its
	 * name, never a SIGPIPE (this process keeps the default action). */
	assert_ptr_equal(signal(SIGPIPE, SIG_DFL), SIG_DFL);
	assert_int_equal(msg_call(c2, msg_tag("ping"), 0, NULL, 0, 200, &m),
	    MSG_TIMEOUT);
	msg_close(c2);
}

/* ---------------------------------------------------------------- */
/* The client checks what servers send, too. */

enum fake_mode { FAKE_BAD_HELLO, FAKE_OVERSIZE, FAKE_HELLO_TWICE,
    FAKE_BAD_KIND, FAKE_MODES };

static int
fake_server(struct fx *fx, void *arg)
{
	struct sockaddr_un sun;
	unsigned char hello[MSG_HELLO_LEN], b[64];
	struct msg__hdr h = { 0 };
	int lfd, fd, mode;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	sock_path(fx, "fake", sun.sun_path, sizeof(sun.sun_path));
	if ((lfd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
	    bind(lfd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    listen(lfd, 8) == -1 || msg_ready() != 1)
		return 2;
	msg__hello_payload(hello);
	for (mode = 0; mode < FAKE_MODES; mode++) {
		if ((fd = accept(lfd, NULL, NULL)) == -1)
			return 3;
		h.len = MSG_HELLO_LEN;
		h.kind = MSG_HELLO;
		msg__hdr_encode(b, &h);
		memcpy(b + MSG_HDR_LEN, hello, sizeof(hello));
		if (mode == FAKE_BAD_HELLO)
			b[MSG_HDR_LEN] = 'X';
		if (send(fd, b, MSG_HDR_LEN + MSG_HELLO_LEN, MSG_NOSIGNAL) == -1)
			return 4;
		/* Read until the client gives up on us. */
		while (recv(fd, b, sizeof(b), 0) > 0) {
			if (mode == FAKE_BAD_HELLO)
				continue;
			/* The client's HELLO and CALL came: answer badly. */
			memset(&h, 0, sizeof(h));
			h.kind = mode == FAKE_OVERSIZE ? MSG_REPLY :
			    mode == FAKE_HELLO_TWICE ? MSG_HELLO : 42;
			h.len = mode == FAKE_OVERSIZE ? 2000 : 0;
			h.id = 1;
			msg__hdr_encode(b, &h);
			send(fd, b, MSG_HDR_LEN, MSG_NOSIGNAL);
		}
		close(fd);
	}
	return 0;
}

static void
test_client_checks_server(void **state)
{
	struct fx *fx = *state;
	struct msg_client *c;
	struct msg_message m;
	int mode;
	pid_t pid;

	pid = fx_spawn(fx, fake_server, NULL);
	fx_wait_ready(fx, pid);
	errno = 0;
	assert_null(msg_connect("fake", BOUND_MS));
	assert_int_equal(errno, EPROTO);
	for (mode = FAKE_OVERSIZE; mode < FAKE_MODES; mode++) {
		c = fx_connect("fake");
		msg_client_set_max_payload(c, 1000);
		assert_int_equal(msg_call(c, msg_tag("x"), 0, "hi", 2,
		    BOUND_MS, &m), MSG_DOWN);
		msg_close(c);
	}
	expect_child_ok(fx, pid);
}

int
main(void)
{
#define T(f)	cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loop_timers),
		cmocka_unit_test(test_loop_cancel),
		cmocka_unit_test(test_loop_free_pending),
		cmocka_unit_test(test_loop_signal),
		cmocka_unit_test(test_loop_fd),
		T(test_notify),
		T(test_rundir_prepare),
		T(test_rundir_foreign_owner),
		T(test_rundir_paths),
		T(test_server_socket),
		T(test_call_reply),
		T(test_errors),
		T(test_cast_order),
		T(test_deferred_reply),
		T(test_call_timeout),
		T(test_down_and_reconnect),
		T(test_reconnect_waits_for_name),
		T(test_reconnect_idle),
		T(test_server_closes_peer),
		T(test_pipelined),
		T(test_pubsub),
		T(test_slow_subscriber),
		T(test_protocol_errors),
		T(test_call_id_zero),
		T(test_other_uid_refused),
		T(test_sigpipe),
		T(test_client_checks_server),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
