/*
 * bench_mem.c: resident memory a server spends per idle connection.
 *
 * A forked libmsg server, one client that warms it up (a call, so the
 * one-time costs such as its read buffer are paid before the baseline),
 * then 1,000 more clients in this process, each connected and HELLO'd.
 * The server's VmRSS (from /proc/PID/status) before and after, divided
 * by the number of connections.
 *
 * Target: <= 8 KiB per idle connection.
 */
#include <sys/resource.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "msg.h"
#include "bench.h"

#define DEFAULT_N	1000
#define TARGET		8192	/* bytes per connection */
#define MAX_POLLS	100000	/* calls waiting for every HELLO, at most */

/* --- the server: counts HELLO'd peers; call "peers" reports them --- */

struct state {
	uint64_t	up;
};

static void
peer_up(void *st, struct msg_peer *p)
{
	((struct state *)st)->up++;
}

static void
peer_down(void *st, struct msg_peer *p)
{
	((struct state *)st)->up--;
}

static struct msg_server *srv;

static void
on_call(void *st, struct msg_call *c, const struct msg_message *m)
{
	uint64_t v[2] = { msg_server_peers(srv), ((struct state *)st)->up };

	msg_reply(c, 0, v, sizeof(v));
}

static void
on_term(struct msg_loop *l, int signo, void *arg)
{
	msg_loop_stop(l);
}

static int
server_child(void *arg, int readyfd)
{
	static const struct msg_server_ops ops = { .handle_call = on_call,
		.peer_up = peer_up, .peer_down = peer_down };
	static struct state st;
	struct msg_loop *l;

	if ((l = msg_loop_new()) == NULL ||
	    msg_loop_signal(l, SIGTERM, on_term, NULL) == -1 ||
	    (srv = msg_server_new(l, "idle", &ops, &st, NULL)) == NULL) {
		perror("bench_mem: server");
		return 1;
	}
	bench_ready(readyfd);
	msg_loop_run(l);
	msg_server_free(srv);
	msg_loop_free(l);
	return 0;
}

/* --- the measuring side --- */

static long
vm_kib(pid_t pid, const char *field)
{
	char path[64], line[256];
	size_t flen = strlen(field);
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		bench_fatal("%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, field, flen) == 0 && line[flen] == ':') {
			v = strtol(line + flen + 1, NULL, 10);
			break;
		}
	fclose(f);
	if (v < 0)
		bench_fatal("%s: no %s", path, field);
	return v;
}

/* Call "peers" until the server has n HELLO'd peers. */
static void
wait_peers(struct msg_client *c, uint64_t n)
{
	struct msg_message m;
	uint64_t v[2] = { 0, 0 };
	int i, r;

	for (i = 0; i < MAX_POLLS; i++) {
		r = msg_call(c, msg_tag("peers"), 0, NULL, 0, 5000, &m);
		if (r != MSG_OK || m.len != sizeof(v))
			bench_fatal("peers: %s", msg_strerror(r));
		memcpy(v, m.data, sizeof(v));
		if (v[0] == n && v[1] == n)
			return;
	}
	bench_fatal("server has %llu peers, %llu HELLO'd; want %llu",
	    (unsigned long long)v[0], (unsigned long long)v[1],
	    (unsigned long long)n);
}

int
main(int argc, char **argv)
{
	struct msg_client *c0, **cs;
	struct rlimit rl;
	size_t n, i;
	long rss0, rss1, anon0, anon1;
	double per, per_anon;
	pid_t pid;

	bench_init(argc, argv, "bench_mem", 300);
	n = bench_opts.n ? (size_t)bench_opts.n : DEFAULT_N;
	if ((cs = calloc(n, sizeof(*cs))) == NULL)
		bench_fatal("out of memory");

	/* Room for n client sockets here and n peers in the server. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		bench_fatal("getrlimit: %s", strerror(errno));
	if (rl.rlim_cur < n + 256) {
		rl.rlim_cur = n + 256;
		if (rl.rlim_max != RLIM_INFINITY && rl.rlim_cur > rl.rlim_max)
			bench_fatal("RLIMIT_NOFILE hard limit %llu is below %zu",
			    (unsigned long long)rl.rlim_max, n + 256);
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			bench_fatal("setrlimit: %s", strerror(errno));
	}

	if ((pid = bench_fork(server_child, NULL)) == -1)
		bench_fatal("server did not start");
	if ((c0 = msg_connect("idle", 5000)) == NULL)
		bench_fatal("msg_connect: %s", strerror(errno));
	wait_peers(c0, 1);
	rss0 = vm_kib(pid, "VmRSS");
	anon0 = vm_kib(pid, "RssAnon");

	for (i = 0; i < n; i++)
		if ((cs[i] = msg_connect("idle", 5000)) == NULL)
			bench_fatal("msg_connect #%zu: %s", i + 1,
			    strerror(errno));
	/* Every HELLO handled: the server's peer_up ran for all of them. */
	wait_peers(c0, n + 1);
	rss1 = vm_kib(pid, "VmRSS");
	anon1 = vm_kib(pid, "RssAnon");

	per = (double)(rss1 - rss0) * 1024 / (double)n;
	per_anon = (double)(anon1 - anon0) * 1024 / (double)n;
	printf("# bench_mem: server VmRSS %ld -> %ld KiB, RssAnon %ld -> %ld "
	    "KiB over %zu idle HELLO'd connections\n", rss0, rss1, anon0,
	    anon1, n);
	printf("mem idle conn  %6.0f B/conn (RssAnon %6.0f B/conn; baseline "
	    "%ld KiB, %zu conns)  target <= %d B  %s\n", per, per_anon, rss0,
	    n, TARGET, bench_verdict(per <= TARGET));

	for (i = 0; i < n; i++)
		msg_close(cs[i]);
	msg_close(c0);
	free(cs);
	bench_stop(pid);
	bench_done();
	return 0;
}
