/*
 * bench_sd_child.c: the child that bench_sd supervises, both under
 * supervisord and under its bare baselines. Only libc, so its exec costs
 * the same wherever it runs.
 *
 *   bench_sd_child SOCKET|-
 *
 * First thing in main it reads CLOCK_MONOTONIC; with a SOCKET it sends
 * "PID NS" there as one datagram (its own report that it has exec'd and
 * runs). Then it pauses until a signal ends it.
 *
 * It never outlives the benchmark: it dies with its parent
 * (PR_SET_PDEATHSIG), exits at once if that parent is already gone
 * (reparented to BENCH_SD_OWNER, the subreaping benchmark, or to init),
 * and an alarm ends it after BENCH_SD_CHILD_MAX seconds at the latest.
 */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BENCH_SD_CHILD_MAX	900	/* seconds */

int
main(int argc, char **argv)
{
	struct timespec ts;
	struct sockaddr_un sun;
	const char *owner = getenv("BENCH_SD_OWNER");
	char msg[64];
	pid_t pp;
	int fd, n;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	pp = getppid();
	if (pp == 1 || (owner != NULL && pp == (pid_t)atol(owner)))
		return 1;
	alarm(BENCH_SD_CHILD_MAX);
	if (argc > 1 && strcmp(argv[1], "-") != 0) {
		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		if (strlen(argv[1]) >= sizeof(sun.sun_path))
			return 2;
		strcpy(sun.sun_path, argv[1]);
		n = snprintf(msg, sizeof(msg), "%ld %lld", (long)getpid(),
		    (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
		if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1 ||
		    sendto(fd, msg, (size_t)n, 0, (struct sockaddr *)&sun,
		    sizeof(sun)) != n)
			return 3;
		close(fd);
	}
	for (;;)
		pause();
}
