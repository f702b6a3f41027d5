/*
 * bench_call.c: call round trip over libmsg (msg_call to an echo server)
 * against a raw Unix-socket ping-pong between two processes: the client
 * write(2)s the payload and read(2)s it back, the server read(2)s it and
 * write(2)s it back, both blocking.
 *
 * A third path is printed for information: the same raw ping-pong with
 * a server that waits the way any event loop does (epoll_wait, then a
 * non-blocking recv, then send). It is the floor for a server built on
 * an event loop, libmsg's included, and shows how much of the gap is
 * that structure rather than libmsg.
 *
 * The paths run in the same invocation, in many small interleaved
 * blocks (the order rotating), so drift in the machine hits all alike.
 *
 * Target: libmsg's median <= 1.3x the raw median, for 64 B and 4 KiB.
 */
#include <sys/epoll.h>
#include <sys/socket.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "msg.h"
#include "bench.h"

#define DEFAULT_N	20000
#define DEFAULT_ROUNDS	40
#define WARMUP		2000
#define CALL_TIMEOUT	5000	/* ms, as a typical caller passes one */
#define TARGET		1.30

enum path { RAW, LIBMSG, EPOLL, NPATHS };
static const char *const path_name[NPATHS] = { "raw", "libmsg", "epoll" };

static const size_t sizes[] = { 64, 4096 };

/* --- the raw servers: read a payload, write it back --- */

struct raw_arg {
	int	fd, other;
	size_t	size;
};

static int
raw_server(void *arg, int readyfd)
{
	struct raw_arg *a = arg;
	unsigned char *buf;

	close(a->other);
	if ((buf = malloc(a->size)) == NULL)
		return 1;
	bench_ready(readyfd);
	for (;;) {
		if (bench_read_full(a->fd, buf, a->size) == -1)
			return 0;		/* the client closed */
		if (bench_write_full(a->fd, buf, a->size) == -1)
			return 1;
	}
}

static int
epoll_server(void *arg, int readyfd)
{
	struct raw_arg *a = arg;
	struct epoll_event ev, evs[16];
	static unsigned char buf[65536];
	size_t got;
	ssize_t n;
	int ep;

	close(a->other);
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) == -1 ||
	    bench_set_nonblock(a->fd) == -1)
		return 1;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | EPOLLRDHUP;
	ev.data.fd = a->fd;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, a->fd, &ev) == -1)
		return 1;
	bench_ready(readyfd);
	for (;;) {
		for (got = 0; got < a->size; ) {
			if (epoll_wait(ep, evs, 16, -1) == -1 && errno != EINTR)
				return 1;
			n = recv(a->fd, buf + got, sizeof(buf) - got,
			    MSG_DONTWAIT);
			if (n == 0)
				return 0;
			if (n > 0)
				got += (size_t)n;
		}
		if (send(a->fd, buf, a->size, MSG_DONTWAIT | MSG_NOSIGNAL) !=
		    (ssize_t)a->size)
			return 1;
	}
}

/* --- the libmsg server: call "echo" answers its payload --- */

static void
echo_call(void *state, struct msg_call *c, const struct msg_message *m)
{
	msg_reply(c, m->flags, m->data, m->len);
}

static void
on_term(struct msg_loop *l, int signo, void *arg)
{
	msg_loop_stop(l);
}

static int
msg_server_child(void *arg, int readyfd)
{
	static const struct msg_server_ops ops = { .handle_call = echo_call };
	struct msg_loop *l;
	struct msg_server *s;

	if ((l = msg_loop_new()) == NULL ||
	    msg_loop_signal(l, SIGTERM, on_term, NULL) == -1 ||
	    (s = msg_server_new(l, "echo", &ops, NULL, NULL)) == NULL) {
		perror("bench_call: server");
		return 1;
	}
	bench_ready(readyfd);
	msg_loop_run(l);
	msg_server_free(s);
	msg_loop_free(l);
	return 0;
}

/* --- the timed loops --- */

struct run {
	size_t			 size;
	unsigned char		*out, *in;
	int			 fd[NPATHS];	/* RAW and EPOLL */
	struct msg_client	*c;
	uint32_t		 tag;
};

static void
block(struct run *r, enum path p, uint64_t *t, size_t n)
{
	struct msg_message m;
	uint64_t t0;
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		t0 = bench_ns();
		if (p == LIBMSG) {
			rc = msg_call(r->c, r->tag, 0, r->out, r->size,
			    CALL_TIMEOUT, &m);
			if (t != NULL)
				t[i] = bench_ns() - t0;
			if (rc != MSG_OK || m.len != r->size)
				bench_fatal("msg_call: %s (len %zu)",
				    msg_strerror(rc), rc == MSG_OK ? m.len : 0);
			continue;
		}
		if (bench_write_full(r->fd[p], r->out, r->size) == -1 ||
		    bench_read_full(r->fd[p], r->in, r->size) == -1)
			bench_fatal("%s: %s", path_name[p], strerror(errno));
		if (t != NULL)
			t[i] = bench_ns() - t0;
	}
}

static pid_t
start_raw(struct run *r, enum path p)
{
	struct raw_arg ra;
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1)
		bench_fatal("socketpair: %s", strerror(errno));
	ra.fd = sv[1];
	ra.other = sv[0];
	ra.size = r->size;
	if ((pid = bench_fork(p == EPOLL ? epoll_server : raw_server,
	    &ra)) == -1)
		bench_fatal("%s server did not start", path_name[p]);
	close(sv[1]);
	r->fd[p] = sv[0];
	return pid;
}

static void
run_size(struct msg_client *c, size_t size, size_t n, int rounds)
{
	/* Diagnostics (perf, /proc/interrupts): BENCH_ONLY=raw|libmsg|epoll
	 * times that path alone. */
	const char *only = getenv("BENCH_ONLY");
	struct run r = { .size = size, .c = c, .tag = msg_tag("echo") };
	uint64_t *t[NPATHS], med[NPATHS], p99[NPATHS];
	struct msg_message m;
	size_t per = n / (size_t)rounds, done = 0, i, cnt;
	pid_t pid[NPATHS];
	double ratio, ratio99;
	int k, j;
	enum path p;

	if ((r.out = malloc(size)) == NULL || (r.in = malloc(size)) == NULL)
		bench_fatal("out of memory");
	for (i = 0; i < size; i++)
		r.out[i] = (unsigned char)(i * 7 + 1);
	for (p = 0; p < NPATHS; p++)
		if ((t[p] = calloc(n, sizeof(uint64_t))) == NULL)
			bench_fatal("out of memory");
	pid[RAW] = start_raw(&r, RAW);
	pid[EPOLL] = start_raw(&r, EPOLL);

	/* Warm up every path, and check each echo once, byte for byte. */
	for (p = 0; p < NPATHS; p++) {
		block(&r, p, NULL, WARMUP);
		if (p != LIBMSG && memcmp(r.in, r.out, size) != 0)
			bench_fatal("%s echo differs", path_name[p]);
	}
	if (msg_call(c, r.tag, 0, r.out, size, CALL_TIMEOUT, &m) != MSG_OK ||
	    m.len != size || memcmp(m.data, r.out, size) != 0)
		bench_fatal("libmsg echo differs");

	/* Interleaved blocks, rotating which path goes first. */
	for (k = 0; k < rounds; k++, done += cnt) {
		cnt = k == rounds - 1 ? n - done : per;
		for (j = 0; j < NPATHS; j++) {
			p = (enum path)((k + j) % NPATHS);
			if (only == NULL || strcmp(only, path_name[p]) == 0)
				block(&r, p, t[p] + done, cnt);
		}
	}
	close(r.fd[RAW]);
	close(r.fd[EPOLL]);
	bench_stop(pid[RAW]);
	bench_stop(pid[EPOLL]);

	for (p = 0; p < NPATHS; p++) {
		bench_sort(t[p], n);
		med[p] = bench_pct(t[p], n, 0.5);
		p99[p] = bench_pct(t[p], n, 0.99);
	}
	if (only != NULL) {
		for (p = 0; p < NPATHS; p++)
			if (strcmp(only, path_name[p]) == 0)
				printf("# only %s %zu B: median %.2f us, p99 "
				    "%.2f us\n", path_name[p], size,
				    med[p] / 1e3, p99[p] / 1e3);
		goto out;
	}
	ratio = (double)med[LIBMSG] / (double)med[RAW];
	ratio99 = (double)p99[LIBMSG] / (double)p99[RAW];
	printf("call %-9s median %6.2f us (raw %6.2f us) %5.2fx  "
	    "p99 %6.2f us (raw %6.2f us) %5.2fx  target <= %.2fx  %s\n",
	    size == 64 ? (bench_opts.same ? "64B/1cpu" : "64B") :
	    (bench_opts.same ? "4KiB/1cpu" : "4KiB"),
	    med[LIBMSG] / 1e3, med[RAW] / 1e3, ratio,
	    p99[LIBMSG] / 1e3, p99[RAW] / 1e3, ratio99, TARGET,
	    bench_verdict(ratio <= TARGET));
	printf("#   floor: raw ping-pong, server in epoll_wait+recv+send: "
	    "median %.2f us %.2fx raw, p99 %.2f us %.2fx raw; libmsg %.2fx "
	    "that\n", med[EPOLL] / 1e3, (double)med[EPOLL] / med[RAW],
	    p99[EPOLL] / 1e3, (double)p99[EPOLL] / p99[RAW],
	    med[EPOLL] ? (double)med[LIBMSG] / med[EPOLL] : 0);
	if (getenv("BENCH_VERBOSE") != NULL) {
		static const double q[] = { 0, .1, .25, .5, .75, .9, .99, .999 };
		size_t nq = sizeof(q) / sizeof(q[0]);

		printf("#   quantile  ");
		for (i = 0; i < nq; i++)
			printf(" %7.3f", q[i]);
		for (p = 0; p < NPATHS; p++) {
			printf("\n#   %-6s us ", path_name[p]);
			for (i = 0; i < nq; i++)
				printf(" %7.2f", bench_pct(t[p], n, q[i]) / 1e3);
		}
		printf("\n");
	}
out:
	for (p = 0; p < NPATHS; p++)
		free(t[p]);
	free(r.out);
	free(r.in);
}

int
main(int argc, char **argv)
{
	struct msg_client *c;
	size_t n, i;
	int rounds;
	pid_t srv;

	bench_init(argc, argv, "bench_call", 300);
	n = bench_opts.n ? (size_t)bench_opts.n : DEFAULT_N;
	rounds = bench_opts.rounds ? bench_opts.rounds : DEFAULT_ROUNDS;
	if (n < (size_t)rounds)
		n = (size_t)rounds;

	if ((srv = bench_fork(msg_server_child, NULL)) == -1)
		bench_fatal("libmsg echo server did not start");
	if ((c = msg_connect("echo", 5000)) == NULL)
		bench_fatal("msg_connect: %s", strerror(errno));

	printf("# bench_call: %zu timed round trips per size and path after "
	    "%d warm-up, in %d interleaved blocks; %s; msg_call timeout "
	    "%d ms\n", n, WARMUP, rounds, bench_pin_note(), CALL_TIMEOUT);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		run_size(c, sizes[i], n, rounds);

	msg_close(c);
	bench_stop(srv);
	bench_done();
	return 0;
}
