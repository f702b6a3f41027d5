/*
 * bench_cast.c: cast throughput, 64-byte payloads, one sender and one
 * receiver process, against a raw loop of one write(2) per 64-byte
 * message to a Unix socket whose reader process reads them.
 *
 * libmsg is measured twice: msg_cast (one write per cast) and
 * msg_cast_more + msg_flush (batched). Each timed run ends with a call
 * that returns how many casts the server handled (the raw reader
 * answers with one byte once it read everything), so the time covers
 * delivery, not just queueing.
 *
 * Target: batched >= 4x the raw loop's messages per second.
 */
#include <sys/socket.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "msg.h"
#include "bench.h"

#define DEFAULT_N	200000
#define DEFAULT_ROUNDS	3
#define PAYLOAD		64
#define TARGET		4.0
#define CALL_TIMEOUT	30000

/* --- the raw reader: read n messages' bytes, answer one byte --- */

struct raw_arg {
	int	fd, other;
	size_t	n;
};

static int
raw_reader(void *arg, int readyfd)
{
	struct raw_arg *a = arg;
	static unsigned char buf[65536];
	size_t want, got;
	ssize_t r;

	close(a->other);
	bench_ready(readyfd);
	for (;;) {
		want = a->n * PAYLOAD;
		for (got = 0; got < want; got += (size_t)r) {
			r = read(a->fd, buf, sizeof(buf));
			if (r == -1 && errno == EINTR) {
				r = 0;
				continue;
			}
			if (r <= 0)
				return got == 0 ? 0 : 1;
		}
		if (got != want || bench_write_full(a->fd, "k", 1) == -1)
			return 1;
	}
}

/* --- the libmsg receiver: count casts, call "count" reports them --- */

struct counter {
	uint64_t	count;
	uint32_t	cast_tag, count_tag;
};

static void
on_cast(void *state, struct msg_peer *p, const struct msg_message *m)
{
	struct counter *k = state;

	if (m->tag == k->cast_tag && m->len == PAYLOAD)
		k->count++;
}

static void
on_call(void *state, struct msg_call *c, const struct msg_message *m)
{
	struct counter *k = state;
	uint64_t v = k->count;

	if (m->tag != k->count_tag) {
		msg_reply_error(c, MSG_ERR_UNKNOWN_TAG, "unknown call");
		return;
	}
	k->count = 0;
	msg_reply(c, 0, &v, sizeof(v));
}

static void
on_term(struct msg_loop *l, int signo, void *arg)
{
	msg_loop_stop(l);
}

static int
msg_receiver(void *arg, int readyfd)
{
	static const struct msg_server_ops ops = {
		.handle_call = on_call, .handle_cast = on_cast };
	struct counter k = { 0, msg_tag("tick"), msg_tag("count") };
	struct msg_loop *l;
	struct msg_server *s;

	if ((l = msg_loop_new()) == NULL ||
	    msg_loop_signal(l, SIGTERM, on_term, NULL) == -1 ||
	    (s = msg_server_new(l, "sink", &ops, &k, NULL)) == NULL) {
		perror("bench_cast: server");
		return 1;
	}
	bench_ready(readyfd);
	msg_loop_run(l);
	msg_server_free(s);
	msg_loop_free(l);
	return 0;
}

/* --- the timed runs; each returns messages per second --- */

static double
raw_run(int fd, size_t n)
{
	unsigned char msg[PAYLOAD], ack;
	uint64_t t0, t;
	size_t i;

	memset(msg, 'x', sizeof(msg));
	t0 = bench_ns();
	for (i = 0; i < n; i++)
		if (write(fd, msg, sizeof(msg)) != (ssize_t)sizeof(msg))
			bench_fatal("raw write: %s", strerror(errno));
	if (bench_read_full(fd, &ack, 1) == -1)
		bench_fatal("raw reader died");
	t = bench_ns() - t0;
	return (double)n / ((double)t / 1e9);
}

static void
check_count(struct msg_client *c, size_t n)
{
	struct msg_message m;
	uint64_t v;
	int r;

	r = msg_call(c, msg_tag("count"), 0, NULL, 0, CALL_TIMEOUT, &m);
	if (r != MSG_OK || m.len != sizeof(v))
		bench_fatal("count: %s", msg_strerror(r));
	memcpy(&v, m.data, sizeof(v));
	if (v != n)
		bench_fatal("server counted %llu casts, sent %zu",
		    (unsigned long long)v, n);
}

static double
msg_run(struct msg_client *c, size_t n, int batched)
{
	unsigned char msg[PAYLOAD];
	uint32_t tag = msg_tag("tick");
	uint64_t t0, t;
	size_t i;
	int r;

	memset(msg, 'x', sizeof(msg));
	t0 = bench_ns();
	if (batched) {
		for (i = 0; i < n; i++)
			if ((r = msg_cast_more(c, tag, 0, msg, sizeof(msg))) !=
			    MSG_OK)
				bench_fatal("msg_cast_more: %s",
				    msg_strerror(r));
		if ((r = msg_flush(c, CALL_TIMEOUT)) != MSG_OK)
			bench_fatal("msg_flush: %s", msg_strerror(r));
	} else {
		for (i = 0; i < n; i++)
			if ((r = msg_cast(c, tag, 0, msg, sizeof(msg))) != MSG_OK)
				bench_fatal("msg_cast: %s", msg_strerror(r));
	}
	check_count(c, n);
	t = bench_ns() - t0;
	return (double)n / ((double)t / 1e9);
}

static void
report(const char *what, double rate, double raw, int has_target)
{
	double ratio = rate / raw;

	if (has_target)
		printf("cast 64B %-10s %6.2f M msg/s (raw %6.2f M msg/s) %6.2fx  "
		    "target >= %.2fx  %s\n", what, rate / 1e6, raw / 1e6,
		    ratio, TARGET, bench_verdict(ratio >= TARGET));
	else
		printf("cast 64B %-10s %6.2f M msg/s (raw %6.2f M msg/s) %6.2fx  "
		    "(no target)\n", what, rate / 1e6, raw / 1e6, ratio);
}

int
main(int argc, char **argv)
{
	struct raw_arg ra;
	struct msg_client *c;
	double *rraw, *rcast, *rmore, raw;
	size_t n;
	int rounds, k, sv[2];
	pid_t srv, rdr;

	bench_init(argc, argv, "bench_cast", 300);
	n = bench_opts.n ? (size_t)bench_opts.n : DEFAULT_N;
	rounds = bench_opts.rounds ? bench_opts.rounds : DEFAULT_ROUNDS;
	if ((rraw = calloc((size_t)rounds, sizeof(double))) == NULL ||
	    (rcast = calloc((size_t)rounds, sizeof(double))) == NULL ||
	    (rmore = calloc((size_t)rounds, sizeof(double))) == NULL)
		bench_fatal("out of memory");

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1)
		bench_fatal("socketpair: %s", strerror(errno));
	ra.fd = sv[1];
	ra.other = sv[0];
	ra.n = n;
	if ((rdr = bench_fork(raw_reader, &ra)) == -1)
		bench_fatal("raw reader did not start");
	close(sv[1]);
	if ((srv = bench_fork(msg_receiver, NULL)) == -1)
		bench_fatal("libmsg server did not start");
	if ((c = msg_connect("sink", 5000)) == NULL)
		bench_fatal("msg_connect: %s", strerror(errno));

	printf("# bench_cast: %zu casts of %d B per run, %d rounds "
	    "(raw, msg_cast, msg_cast_more+msg_flush in rotating order), "
	    "median of rounds; %s\n", n, PAYLOAD, rounds, bench_pin_note());

	/* Warm-up: one untimed run of each. */
	raw_run(sv[0], n);
	msg_run(c, n, 0);
	msg_run(c, n, 1);

	for (k = 0; k < rounds; k++) {
		switch (k % 3) {
		case 0:
			rraw[k] = raw_run(sv[0], n);
			rcast[k] = msg_run(c, n, 0);
			rmore[k] = msg_run(c, n, 1);
			break;
		case 1:
			rcast[k] = msg_run(c, n, 0);
			rmore[k] = msg_run(c, n, 1);
			rraw[k] = raw_run(sv[0], n);
			break;
		default:
			rmore[k] = msg_run(c, n, 1);
			rraw[k] = raw_run(sv[0], n);
			rcast[k] = msg_run(c, n, 0);
			break;
		}
	}
	raw = bench_median_d(rraw, (size_t)rounds);
	report("msg_cast", bench_median_d(rcast, (size_t)rounds), raw, 0);
	report("batched", bench_median_d(rmore, (size_t)rounds), raw, 1);

	msg_close(c);
	close(sv[0]);
	bench_stop(srv);
	bench_stop(rdr);
	bench_done();
	free(rraw);
	free(rcast);
	free(rmore);
	return 0;
}
