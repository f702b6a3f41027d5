/*
 * bench_fanout.c: event fan-out through an event manager (msg_event_new):
 * one publisher, 100 subscribers, 64-byte events. The figure is events
 * delivered per second in total (events x subscribers / time), against
 * the raw floor measured in the same run: one process writing the very
 * same bytes (the EVENT frames) straight into 100 Unix sockets, in
 * 64 KiB writes, to the same readers' code.
 *
 * The publisher runs twice: batched (msg_publish_more, then msg_flush:
 * 64 KiB writes, like the raw floor's; the target applies to it), and
 * with one msg_publish_to per event (no target: that publisher's own
 * system call per event is on the same CPU). A raw run with one write(2)
 * per event per socket shows what the manager's batching is worth.
 *
 * Readers count bytes on 25 connections each, in 4 processes; a run
 * ends when every connection has all of its bytes, and the manager's
 * stats must show nothing dropped. The manager runs on the publisher's
 * CPU and the readers on the other one, as the raw writer and its
 * readers do.
 *
 * Target: batched >= 0.7x the raw floor.
 */
#include <sys/epoll.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "msg.h"
#include "bench.h"

#define NSUBS		100
#define NREADERS	4
#define PER_READER	(NSUBS / NREADERS)
#define DATA		64
#define TOPIC		"bench.fanout"
#define TLEN		(sizeof(TOPIC) - 1)
#define FRAME		(16 + 2 + TLEN + DATA)
#define CHUNK		(65536 / FRAME)		/* frames per raw write */
#define DEFAULT_N	50000
#define DEFAULT_ROUNDS	5
#define NAIVE_DIV	10	/* the per-event raw run sends n / this */
#define TARGET		0.7

/* --- readers: count bytes per connection, say when all have them --- */

struct reader_arg {
	int	libmsg;			/* connect and subscribe; else fds */
	int	fds[PER_READER];
	int	ctl;			/* u64 want in, one byte out per run */
};

static int
reader_connect(int *fds)
{
	struct msg_client *c;
	struct msg_message m;
	int i, r;

	for (i = 0; i < PER_READER; i++) {
		if ((c = msg_connect("fanout", 5000)) == NULL)
			return -1;
		/* The answer to a call comes after the SUBSCRIBE took. */
		if (msg_subscribe(c, "bench.") != MSG_OK ||
		    (r = msg_call(c, msg_tag("stats"), 0, NULL, 0, 5000,
		    &m)) != MSG_OK)
			return -1;
		/* From here on the bytes are counted, not parsed: the
		 * client is never used again (nor closed: exit does it). */
		fds[i] = msg_client_fd(c);
	}
	return 0;
}

static int
reader(void *arg, int readyfd)
{
	static unsigned char buf[65536];
	struct reader_arg *a = arg;
	struct epoll_event ev, evs[PER_READER];
	uint64_t want, got[PER_READER];
	int fds[PER_READER], done[PER_READER], ep, i, j, n, ndone;
	ssize_t r;

	if (a->libmsg && reader_connect(fds) == -1)
		return 1;
	if (!a->libmsg)
		memcpy(fds, a->fds, sizeof(fds));
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		return 1;
	for (i = 0; i < PER_READER; i++) {
		ev.events = EPOLLIN;
		ev.data.u32 = (uint32_t)i;
		if (bench_set_nonblock(fds[i]) == -1 ||
		    epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev) == -1)
			return 1;
	}
	bench_ready(readyfd);
	while (bench_read_full(a->ctl, &want, sizeof(want)) == 0) {
		memset(got, 0, sizeof(got));
		memset(done, 0, sizeof(done));
		for (ndone = 0; ndone < PER_READER; ) {
			if ((n = epoll_wait(ep, evs, PER_READER, -1)) == -1 &&
			    errno != EINTR)
				return 1;
			for (j = 0; j < n; j++) {
				i = (int)evs[j].data.u32;
				while ((r = read(fds[i], buf, sizeof(buf))) > 0)
					got[i] += (uint64_t)r;
				if (r == 0 || (errno != EAGAIN &&
				    errno != EINTR) || got[i] > want)
					return 2;	/* EOF, error, extra */
				if (got[i] == want && !done[i]) {
					done[i] = 1;
					ndone++;
				}
			}
		}
		if (bench_write_full(a->ctl, "d", 1) == -1)
			return 1;
	}
	return 0;
}

struct readers {
	pid_t	pid[NREADERS];
	int	ctl[NREADERS];
};

static void
start_readers(struct readers *rs, int libmsg, const int *rawfds)
{
	struct reader_arg a;
	int i, sv[2];

	for (i = 0; i < NREADERS; i++) {
		memset(&a, 0, sizeof(a));
		a.libmsg = libmsg;
		if (!libmsg)
			memcpy(a.fds, rawfds + i * PER_READER, sizeof(a.fds));
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1)
			bench_fatal("socketpair: %s", strerror(errno));
		a.ctl = sv[1];
		if ((rs->pid[i] = bench_fork(reader, &a)) == -1)
			bench_fatal("%s reader did not start",
			    libmsg ? "libmsg" : "raw");
		close(sv[1]);
		rs->ctl[i] = sv[0];
	}
}

static void
readers_go(struct readers *rs, uint64_t want)
{
	int i;

	for (i = 0; i < NREADERS; i++)
		if (bench_write_full(rs->ctl[i], &want, sizeof(want)) == -1)
			bench_fatal("reader gone");
}

static void
readers_wait(struct readers *rs)
{
	char c;
	int i;

	for (i = 0; i < NREADERS; i++)
		if (bench_read_full(rs->ctl[i], &c, 1) == -1)
			bench_fatal("a reader failed (short or extra bytes)");
}

static void
stop_readers(struct readers *rs)
{
	int i;

	for (i = 0; i < NREADERS; i++) {
		close(rs->ctl[i]);
		bench_stop(rs->pid[i]);
	}
}

/* --- the event manager --- */

static void
on_term(struct msg_loop *l, int signo, void *arg)
{
	msg_loop_stop(l);
}

static int
manager(void *arg, int readyfd)
{
	/* Big enough that nothing is dropped: the figure is throughput. */
	struct msg_server_opts o = { .max_event_queue = 256u << 20 };
	struct msg_loop *l;
	struct msg_event *ev;

	bench_pin(BENCH_CPU_CLIENT);
	if ((l = msg_loop_new()) == NULL ||
	    msg_loop_signal(l, SIGTERM, on_term, NULL) == -1 ||
	    (ev = msg_event_new(l, "fanout", NULL, NULL, &o)) == NULL) {
		perror("bench_fanout: manager");
		return 1;
	}
	bench_ready(readyfd);
	msg_loop_run(l);
	msg_event_free(ev);
	msg_loop_free(l);
	return 0;
}

/* --- the timed runs; each returns events delivered per second --- */

static unsigned char frames[CHUNK * FRAME];

/* The EVENT frame libmsg sends each subscriber (libmsg(7)). */
static void
make_frames(void)
{
	unsigned char *f;
	size_t i;

	for (i = 0; i < CHUNK; i++) {
		f = frames + i * FRAME;
		memset(f, 0, FRAME);
		f[0] = (unsigned char)(FRAME - 16);	/* len */
		f[4] = 6;				/* EVENT */
		f[16] = TLEN;
		memcpy(f + 18, TOPIC, TLEN);
		memset(f + 18 + TLEN, 'e', DATA);
	}
}

static double
rate(size_t n, uint64_t t0)
{
	return (double)n * NSUBS / ((double)(bench_ns() - t0) / 1e9);
}

static double
raw_run(struct readers *rs, const int *fds, size_t n, int each)
{
	uint64_t t0;
	size_t sent, k;
	int s;

	readers_go(rs, (uint64_t)n * FRAME);
	t0 = bench_ns();
	for (sent = 0; sent < n; sent += k) {
		k = each ? 1 : n - sent < CHUNK ? n - sent : CHUNK;
		for (s = 0; s < NSUBS; s++)
			if (bench_write_full(fds[s], frames, k * FRAME) == -1)
				bench_fatal("raw write: %s", strerror(errno));
	}
	readers_wait(rs);
	return rate(n, t0);
}

/* One publisher: one msg_publish_to() per event, or batched with
 * msg_publish_more() and a msg_flush() at the end. */
static double
msg_run(struct readers *rs, struct msg_client *c, size_t n, int batched)
{
	unsigned char data[DATA];
	uint64_t t0;
	size_t i;
	int r = MSG_OK;

	memset(data, 'e', sizeof(data));
	readers_go(rs, (uint64_t)n * FRAME);
	t0 = bench_ns();
	for (i = 0; i < n && r == MSG_OK; i++)
		r = batched ? msg_publish_more(c, TOPIC, 0, data, sizeof(data)) :
		    msg_publish_to(c, TOPIC, 0, data, sizeof(data));
	if (r == MSG_OK && batched)
		r = msg_flush(c, 30000);
	if (r != MSG_OK)
		bench_fatal("publish: %s", msg_strerror(r));
	readers_wait(rs);
	return rate(n, t0);
}

/* Nothing may have been dropped: every subscriber got every event. */
static void
check_stats(struct msg_client *c)
{
	struct msg_message m;
	int r;

	r = msg_call(c, msg_tag("stats"), 0, NULL, 0, 5000, &m);
	if (r != MSG_OK)
		bench_fatal("stats: %s", msg_strerror(r));
	if (memmem(m.data, m.len, "\"dropped\":0,", 12) == NULL ||
	    memmem(m.data, m.len, "\"dropped\":1", 11) != NULL)
		bench_fatal("events were dropped: %.*s", (int)m.len,
		    (const char *)m.data);
}

enum run { FLOOR, BATCHED, EACH_MSG, EACH_RAW, NRUNS };

static double
run(enum run which, struct readers *raw, struct readers *lm, const int *fds,
    struct msg_client *c, size_t n)
{
	switch (which) {
	case FLOOR:
		return raw_run(raw, fds, n, 0);
	case BATCHED:
		return msg_run(lm, c, n, 1);
	case EACH_MSG:
		return msg_run(lm, c, n, 0);
	default:
		return raw_run(raw, fds, n / NAIVE_DIV, 1);
	}
}

int
main(int argc, char **argv)
{
	struct readers raw, lm;
	struct msg_client *c;
	double *r[NRUNS], m[NRUNS];
	int fds[NSUBS], rd[NSUBS], sv[2], rounds, k, s, j;
	size_t n;
	pid_t mgr;

	bench_init(argc, argv, "bench_fanout", 600);
	n = bench_opts.n ? (size_t)bench_opts.n : DEFAULT_N;
	rounds = bench_opts.rounds ? bench_opts.rounds : DEFAULT_ROUNDS;
	for (j = 0; j < NRUNS; j++)
		if ((r[j] = calloc((size_t)rounds, sizeof(double))) == NULL)
			bench_fatal("out of memory");
	make_frames();

	for (s = 0; s < NSUBS; s++) {
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1)
			bench_fatal("socketpair: %s", strerror(errno));
		fds[s] = sv[0];
		rd[s] = sv[1];
	}
	start_readers(&raw, 0, rd);
	for (s = 0; s < NSUBS; s++)
		close(rd[s]);
	if ((mgr = bench_fork(manager, NULL)) == -1)
		bench_fatal("event manager did not start");
	start_readers(&lm, 1, NULL);
	if ((c = msg_connect("fanout", 5000)) == NULL)
		bench_fatal("msg_connect: %s", strerror(errno));

	printf("# bench_fanout: %zu events of %d B (frames of %zu B) to %d "
	    "subscribers per run (the one-write-per-event raw run: n/%d); "
	    "%d rounds of 4 runs in rotating order, median of rounds; "
	    "%s; manager on the publisher's CPU\n", n, DATA, FRAME, NSUBS,
	    NAIVE_DIV, rounds, bench_pin_note());

	/* Warm-up: one untimed run of each. */
	for (j = 0; j < NRUNS; j++)
		run((enum run)j, &raw, &lm, fds, c, n);
	for (k = 0; k < rounds; k++)
		for (j = 0; j < NRUNS; j++)
			r[(k + j) % NRUNS][k] = run((enum run)((k + j) % NRUNS),
			    &raw, &lm, fds, c, n);
	check_stats(c);
	for (j = 0; j < NRUNS; j++)
		m[j] = bench_median_d(r[j], (size_t)rounds);
	printf("fanout 100x64B batched   %7.2f M ev/s (raw floor %7.2f M "
	    "ev/s) %5.2fx  target >= %.2fx  %s\n", m[BATCHED] / 1e6,
	    m[FLOOR] / 1e6, m[BATCHED] / m[FLOOR], TARGET,
	    bench_verdict(m[BATCHED] / m[FLOOR] >= TARGET));
	printf("fanout 100x64B publish   %7.2f M ev/s (raw floor %7.2f M "
	    "ev/s) %5.2fx  (no target)\n", m[EACH_MSG] / 1e6, m[FLOOR] / 1e6,
	    m[EACH_MSG] / m[FLOOR]);
	printf("#   batched: msg_publish_more + msg_flush; publish: one "
	    "msg_publish_to per event; raw, one write(2) per event per "
	    "socket: %.2f M ev/s\n", m[EACH_RAW] / 1e6);

	msg_close(c);
	for (s = 0; s < NSUBS; s++)
		close(fds[s]);
	stop_readers(&lm);
	stop_readers(&raw);
	bench_stop(mgr);
	bench_done();
	for (j = 0; j < NRUNS; j++)
		free(r[j]);
	return 0;
}
