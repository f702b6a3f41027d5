/*
 * bench_statem.c: calls per second to the lightswitch worker's "state"
 * (a state machine: the call is an event, the handler answers it) against
 * the echo worker's "echo" (a plain server), both the installed programs
 * from workers/, both called with an empty payload, one call at a time.
 *
 * The two run in the same invocation, in many small interleaved blocks
 * (the order alternating), so drift in the machine hits both alike.
 *
 * Target: lightswitch >= 0.9x echo's calls per second.
 */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "msg.h"
#include "bench.h"

#define DEFAULT_N	40000
#define DEFAULT_ROUNDS	40
#define WARMUP		2000
#define CALL_TIMEOUT	5000
#define READY_MS	10000
#define TARGET		0.90

enum path { ECHO, STATEM, NPATHS };
static const char *const path_name[NPATHS] = { "echo", "lightswitch" };
static const char *const path_tag[NPATHS] = { "echo", "state" };

/*
 * Start workers/PROG --name PROG pinned to the server CPU, and wait for
 * its READY=1 on a notify socket of our own (bench_fork's pipe cannot
 * cross exec).
 */
static pid_t
start_worker(const char *prog)
{
	const char *top = getenv("top_builddir");
	char path[PATH_MAX], rundir[PATH_MAX], notify[108], buf[64];
	struct sockaddr_un sun;
	struct pollfd pfd;
	ssize_t n;
	pid_t pid;
	int fd;

	snprintf(path, sizeof(path), "%s/workers/%s",
	    top != NULL && *top != '\0' ? top : ".", prog);
	if (access(path, X_OK) == -1)
		bench_fatal("%s: %s (run make first)", path, strerror(errno));
	if (msg_rundir(rundir, sizeof(rundir)) == -1)
		bench_fatal("run directory: %s", strerror(errno));
	if ((size_t)snprintf(notify, sizeof(notify), "%s/notify-%s", rundir,
	    prog) >= sizeof(notify))
		bench_fatal("%s: path too long for a socket", rundir);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strlcpy(sun.sun_path, notify, sizeof(sun.sun_path));
	unlink(notify);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		bench_fatal("notify socket %s: %s", notify, strerror(errno));
	fflush(NULL);
	if ((pid = fork()) == -1)
		bench_fatal("fork: %s", strerror(errno));
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		signal(SIGALRM, SIG_DFL);
		alarm(0);
		bench_pin(BENCH_CPU_SERVER);
		setenv("NOTIFY_SOCKET", notify, 1);
		execl(path, prog, "--name", prog, (char *)NULL);
		fprintf(stderr, "bench_statem: exec %s: %s\n", path,
		    strerror(errno));
		_exit(127);
	}
	pfd.fd = fd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, READY_MS) != 1 ||
	    (n = recv(fd, buf, sizeof(buf) - 1, 0)) <= 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		bench_fatal("%s did not say READY=1", prog);
	}
	buf[n] = '\0';
	if (strstr(buf, "READY=1") == NULL)
		bench_fatal("%s: unexpected notification \"%s\"", prog, buf);
	close(fd);
	unlink(notify);
	return pid;
}

static void
block(struct msg_client *c, uint32_t tag, enum path p, size_t n)
{
	struct msg_message m;
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		rc = msg_call(c, tag, 0, NULL, 0, CALL_TIMEOUT, &m);
		if (rc != MSG_OK)
			bench_fatal("%s: call %s: %s", path_name[p],
			    path_tag[p], msg_strerror(rc));
	}
}

int
main(int argc, char **argv)
{
	struct msg_client *c[NPATHS];
	struct msg_message m;
	uint32_t tag[NPATHS];
	uint64_t ns[NPATHS] = { 0 }, t0;
	double rate[NPATHS], *blk[NPATHS], med[NPATHS], ratio;
	size_t n, per, done, cnt;
	pid_t pid[NPATHS];
	int rounds, k, j;
	enum path p;

	bench_init(argc, argv, "bench_statem", 300);
	n = bench_opts.n ? (size_t)bench_opts.n : DEFAULT_N;
	rounds = bench_opts.rounds ? bench_opts.rounds : DEFAULT_ROUNDS;
	if (n < (size_t)rounds)
		n = (size_t)rounds;
	per = n / (size_t)rounds;

	for (p = 0; p < NPATHS; p++) {
		pid[p] = start_worker(path_name[p]);
		if ((c[p] = msg_connect(path_name[p], 5000)) == NULL)
			bench_fatal("msg_connect %s: %s", path_name[p],
			    strerror(errno));
		tag[p] = msg_tag(path_tag[p]);
		if ((blk[p] = calloc((size_t)rounds, sizeof(double))) == NULL)
			bench_fatal("out of memory");
	}
	if (msg_call(c[STATEM], tag[STATEM], 0, NULL, 0, CALL_TIMEOUT, &m) !=
	    MSG_OK || m.len != strlen("{\"state\":\"off\"}") ||
	    memcmp(m.data, "{\"state\":\"off\"}", m.len) != 0)
		bench_fatal("lightswitch: unexpected answer to \"state\"");

	printf("# bench_statem: %zu timed calls per path after %d warm-up, "
	    "in %d interleaved blocks; %s; workers/echo and "
	    "workers/lightswitch\n", n, WARMUP, rounds, bench_pin_note());
	for (p = 0; p < NPATHS; p++)
		block(c[p], tag[p], p, WARMUP);
	for (k = 0, done = 0; k < rounds; k++, done += cnt) {
		cnt = k == rounds - 1 ? n - done : per;
		for (j = 0; j < NPATHS; j++) {
			p = (enum path)((k + j) % NPATHS);
			t0 = bench_ns();
			block(c[p], tag[p], p, cnt);
			t0 = bench_ns() - t0;
			ns[p] += t0;
			blk[p][k] = (double)cnt * 1e9 / (double)t0;
		}
	}
	for (p = 0; p < NPATHS; p++) {
		rate[p] = (double)n * 1e9 / (double)ns[p];
		med[p] = bench_median_d(blk[p], (size_t)rounds);
		msg_close(c[p]);
		bench_stop(pid[p]);
		free(blk[p]);
	}
	ratio = rate[STATEM] / rate[ECHO];
	printf("call statem %.0f calls/s (echo %.0f calls/s) %.2fx  "
	    "block median %.0f/s (echo %.0f/s) %.2fx  target >= %.2fx  %s\n",
	    rate[STATEM], rate[ECHO], ratio, med[STATEM], med[ECHO],
	    med[STATEM] / med[ECHO], TARGET, bench_verdict(ratio >= TARGET));
	bench_done();
	return 0;
}
