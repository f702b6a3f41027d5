/*
 * bench_call.c: call round trip over libmsg (msg_call to an echo server)
 * against a raw Unix-socket ping-pong (blocking write, then read of the
 * same payload back) between two processes. Both run in the same
 * invocation, in interleaved blocks, so drift hits both alike.
 *
 * Target: median <= 1.3x the raw round trip, for 64 B and 4 KiB.
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

#define DEFAULT_N	20000
#define DEFAULT_ROUNDS	4
#define WARMUP		2000
#define CALL_TIMEOUT	5000	/* ms, as a typical caller passes one */
#define TARGET		1.30

static const size_t sizes[] = { 64, 4096 };

/* --- the raw baseline: read a payload, write it back --- */

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

static void
raw_block(int fd, const unsigned char *out, unsigned char *in, size_t size,
    uint64_t *t, size_t n)
{
	uint64_t t0;
	size_t i;

	for (i = 0; i < n; i++) {
		t0 = bench_ns();
		if (bench_write_full(fd, out, size) == -1 ||
		    bench_read_full(fd, in, size) == -1)
			bench_fatal("raw: %s", strerror(errno));
		if (t != NULL)
			t[i] = bench_ns() - t0;
	}
}

static void
msg_block(struct msg_client *c, uint32_t tag, const unsigned char *out,
    size_t size, uint64_t *t, size_t n)
{
	struct msg_message m;
	uint64_t t0;
	size_t i;
	int r;

	for (i = 0; i < n; i++) {
		t0 = bench_ns();
		r = msg_call(c, tag, 0, out, size, CALL_TIMEOUT, &m);
		if (t != NULL)
			t[i] = bench_ns() - t0;
		if (r != MSG_OK || m.len != size)
			bench_fatal("msg_call: %s (len %zu)", msg_strerror(r),
			    r == MSG_OK ? m.len : 0);
	}
}

static void
run_size(struct msg_client *c, size_t size, size_t n, int rounds)
{
	struct raw_arg ra;
	unsigned char *out, *in;
	uint64_t *traw, *tmsg;
	uint64_t raw_med, raw_p99, msg_med, msg_p99;
	uint32_t tag = msg_tag("echo");
	struct msg_message m;
	size_t per = n / (size_t)rounds, done = 0, i;
	int sv[2], k;
	pid_t raw;
	/* Diagnostics (perf, /proc/interrupts): BENCH_ONLY=raw or msg. */
	const char *o = getenv("BENCH_ONLY");
	char only = o == NULL ? 0 : o[0];
	double ratio, ratio99;

	if ((out = malloc(size)) == NULL || (in = malloc(size)) == NULL ||
	    (traw = calloc(n, sizeof(*traw))) == NULL ||
	    (tmsg = calloc(n, sizeof(*tmsg))) == NULL)
		bench_fatal("out of memory");
	for (i = 0; i < size; i++)
		out[i] = (unsigned char)(i * 7 + 1);

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1)
		bench_fatal("socketpair: %s", strerror(errno));
	ra.fd = sv[1];
	ra.other = sv[0];
	ra.size = size;
	if ((raw = bench_fork(raw_server, &ra)) == -1)
		bench_fatal("raw server did not start");
	close(sv[1]);

	/* Warm up both paths, and check the echo once, byte for byte. */
	raw_block(sv[0], out, in, size, NULL, WARMUP);
	if (memcmp(in, out, size) != 0)
		bench_fatal("raw echo differs");
	msg_block(c, tag, out, size, NULL, WARMUP);
	if (msg_call(c, tag, 0, out, size, CALL_TIMEOUT, &m) != MSG_OK ||
	    m.len != size || memcmp(m.data, out, size) != 0)
		bench_fatal("libmsg echo differs");

	/* Interleaved blocks, alternating which goes first. */
	for (k = 0; k < rounds; k++) {
		size_t cnt = k == rounds - 1 ? n - done : per;

		if (k % 2 == 0) {
			if (only != 'm')
				raw_block(sv[0], out, in, size, traw + done, cnt);
			if (only != 'r')
				msg_block(c, tag, out, size, tmsg + done, cnt);
		} else {
			if (only != 'r')
				msg_block(c, tag, out, size, tmsg + done, cnt);
			if (only != 'm')
				raw_block(sv[0], out, in, size, traw + done, cnt);
		}
		done += cnt;
	}
	close(sv[0]);
	bench_stop(raw);

	bench_sort(traw, n);
	bench_sort(tmsg, n);
	raw_med = bench_pct(traw, n, 0.5);
	raw_p99 = bench_pct(traw, n, 0.99);
	msg_med = bench_pct(tmsg, n, 0.5);
	msg_p99 = bench_pct(tmsg, n, 0.99);
	ratio = (double)msg_med / (double)raw_med;
	ratio99 = (double)msg_p99 / (double)raw_p99;
	printf("call %-5s median %6.2f us (raw %6.2f us) %5.2fx  "
	    "p99 %6.2f us (raw %6.2f us) %5.2fx  target <= %.2fx  %s\n",
	    size == 64 ? "64B" : "4KiB",
	    msg_med / 1e3, raw_med / 1e3, ratio,
	    msg_p99 / 1e3, raw_p99 / 1e3, ratio99, TARGET,
	    bench_verdict(ratio <= TARGET));
	if (getenv("BENCH_VERBOSE") != NULL) {
		static const double q[] = { 0, .1, .25, .5, .75, .9, .99, .999 };
		size_t j;

		printf("#   quantile  ");
		for (j = 0; j < sizeof(q) / sizeof(q[0]); j++)
			printf(" %7.3f", q[j]);
		printf("\n#   raw us    ");
		for (j = 0; j < sizeof(q) / sizeof(q[0]); j++)
			printf(" %7.2f", bench_pct(traw, n, q[j]) / 1e3);
		printf("\n#   libmsg us ");
		for (j = 0; j < sizeof(q) / sizeof(q[0]); j++)
			printf(" %7.2f", bench_pct(tmsg, n, q[j]) / 1e3);
		printf("\n");
	}
	free(out);
	free(in);
	free(traw);
	free(tmsg);
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
	    "%d warm-up, %d interleaved blocks; %s; msg_call timeout %d ms\n",
	    n, WARMUP, rounds, bench_pin_note(), CALL_TIMEOUT);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		run_size(c, sizes[i], n, rounds);

	msg_close(c);
	bench_stop(srv);
	bench_done();
	return 0;
}
