/*
 * bench.c: see bench.h.
 */
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

#define MAX_CHILDREN	16

struct bench_opts bench_opts = { .pin = 1 };

static const char	*progname = "bench";
static char		 rundir[PATH_MAX];
static pid_t		 children[MAX_CHILDREN];
static unsigned		 watchdog;
static pid_t		 parent_pid;

static void
usage(void)
{
	fprintf(stderr, "usage: %s [-s | -u] [-n N] [-r ROUNDS]\n"
	    "  -s  pin client and server to the same CPU (cpu0)\n"
	    "  -u  do not pin at all (default: client cpu0, server cpu1)\n"
	    "  -n  iterations, -r  interleaved rounds\n", progname);
	exit(2);
}

static void
on_watchdog(int signo)
{
	static const char msg[] = "bench: watchdog expired, killing children\n";
	size_t i;
	ssize_t r;

	r = write(2, msg, sizeof(msg) - 1);
	(void)r;
	for (i = 0; i < MAX_CHILDREN; i++)
		if (children[i] > 0)
			kill(children[i], SIGKILL);
	_exit(3);
}

/* What else the machine is doing skews every figure: say so up front. */
static void
machine_note(void)
{
	double load = -1;
	FILE *f;

	if ((f = fopen("/proc/loadavg", "r")) != NULL) {
		if (fscanf(f, "%lf", &load) != 1)
			load = -1;
		fclose(f);
	}
	printf("# %s: %ld CPUs online, load average %.2f%s\n", progname,
	    sysconf(_SC_NPROCESSORS_ONLN), load, load > 0.5 ?
	    " (other work is running: expect noisy figures)" : "");
}

void
bench_init(int argc, char **argv, const char *prog, unsigned watchdog_s)
{
	struct sigaction sa;
	int ch;

	progname = prog;
	parent_pid = getpid();
	while ((ch = getopt(argc, argv, "sun:r:")) != -1) {
		switch (ch) {
		case 's':
			bench_opts.same = 1;
			break;
		case 'u':
			bench_opts.pin = 0;
			break;
		case 'n':
			bench_opts.n = strtol(optarg, NULL, 10);
			if (bench_opts.n <= 0)
				usage();
			break;
		case 'r':
			bench_opts.rounds = (int)strtol(optarg, NULL, 10);
			if (bench_opts.rounds <= 0)
				usage();
			break;
		default:
			usage();
		}
	}
	if (getenv("BENCH_UNPINNED") != NULL && *getenv("BENCH_UNPINNED"))
		bench_opts.pin = 0;
	setvbuf(stdout, NULL, _IOLBF, 0);

	snprintf(rundir, sizeof(rundir), "%s/msgbench.XXXXXX",
	    getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(rundir) == NULL) {
		fprintf(stderr, "%s: mkdtemp: %s\n", progname, strerror(errno));
		exit(2);
	}
	chmod(rundir, 0700);
	setenv("MSG_RUNDIR", rundir, 1);
	unsetenv("NOTIFY_SOCKET");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_PID");

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_watchdog;
	sigaction(SIGALRM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	watchdog = watchdog_s;
	alarm(watchdog_s);
	bench_pin(BENCH_CPU_CLIENT);
	machine_note();
}

void
bench_pin(int cpu)
{
	cpu_set_t set;

	if (bench_opts.same)
		cpu = BENCH_CPU_CLIENT;
	if (!bench_opts.pin || cpu >= sysconf(_SC_NPROCESSORS_ONLN))
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) == -1)
		fprintf(stderr, "%s: sched_setaffinity(%d): %s\n", progname,
		    cpu, strerror(errno));
}

const char *
bench_pin_note(void)
{
	if (!bench_opts.pin)
		return "unpinned";
	if (bench_opts.same)
		return "pinned: client and server both on cpu0";
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		return "one CPU: client and server share it";
	return "pinned: client cpu0, server cpu1";
}

uint64_t
bench_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void
remember(pid_t pid)
{
	size_t i;

	for (i = 0; i < MAX_CHILDREN; i++)
		if (children[i] <= 0) {
			children[i] = pid;
			return;
		}
	kill(pid, SIGKILL);
	bench_fatal("too many children");
}

static void
forget(pid_t pid)
{
	size_t i;

	for (i = 0; i < MAX_CHILDREN; i++)
		if (children[i] == pid)
			children[i] = 0;
}

void
bench_ready(int readyfd)
{
	char c = 'r';

	if (write(readyfd, &c, 1) != 1)
		_exit(4);
	close(readyfd);
}

pid_t
bench_fork(int (*fn)(void *, int), void *arg)
{
	int p[2], rc;
	pid_t pid;
	char c;
	ssize_t n;

	if (pipe2(p, O_CLOEXEC) == -1)
		bench_fatal("pipe: %s", strerror(errno));
	fflush(NULL);
	if ((pid = fork()) == -1)
		bench_fatal("fork: %s", strerror(errno));
	if (pid == 0) {
		close(p[0]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent_pid)
			_exit(5);
		signal(SIGALRM, SIG_DFL);
		alarm(watchdog + 5);
		memset(children, 0, sizeof(children));
		bench_pin(BENCH_CPU_SERVER);
		rc = fn(arg, p[1]);
		_exit(rc);
	}
	close(p[1]);
	remember(pid);
	do
		n = read(p[0], &c, 1);
	while (n == -1 && errno == EINTR);
	close(p[0]);
	if (n != 1) {
		waitpid(pid, NULL, 0);
		forget(pid);
		return -1;
	}
	return pid;
}

int
bench_stop(pid_t pid)
{
	struct pollfd pfd;
	int status = -1, fd;

	if (pid <= 0)
		return -1;
	kill(pid, SIGTERM);
	/* Give it two seconds to exit cleanly, then make it. */
	if ((fd = (int)syscall(SYS_pidfd_open, pid, 0)) != -1) {
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 2000) == 0)
			kill(pid, SIGKILL);
		close(fd);
	}
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	forget(pid);
	return status;
}

static void
rm_rundir(void)
{
	char path[PATH_MAX + 256];
	struct dirent *d;
	DIR *dp;

	if (rundir[0] == '\0' || getpid() != parent_pid)
		return;
	if ((dp = opendir(rundir)) != NULL) {
		while ((d = readdir(dp)) != NULL) {
			if (strcmp(d->d_name, ".") == 0 ||
			    strcmp(d->d_name, "..") == 0)
				continue;
			snprintf(path, sizeof(path), "%s/%s", rundir, d->d_name);
			unlink(path);
		}
		closedir(dp);
	}
	rmdir(rundir);
	rundir[0] = '\0';
}

void
bench_done(void)
{
	size_t i;

	for (i = 0; i < MAX_CHILDREN; i++)
		if (children[i] > 0)
			bench_stop(children[i]);
	rm_rundir();
	alarm(0);
}

void
bench_fatal(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (getpid() != parent_pid)
		_exit(1);
	bench_done();
	exit(1);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int
cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

void
bench_sort(uint64_t *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_u64);
}

uint64_t
bench_pct(const uint64_t *v, size_t n, double p)
{
	size_t i;

	if (n == 0)
		return 0;
	i = (size_t)(p * (double)(n - 1) + 0.5);
	return v[i < n ? i : n - 1];
}

double
bench_median_d(double *v, size_t n)
{
	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), cmp_d);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int
bench_read_full(int fd, void *buf, size_t n)
{
	unsigned char *p = buf;
	ssize_t r;

	while (n > 0) {
		r = read(fd, p, n);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

int
bench_write_full(int fd, const void *buf, size_t n)
{
	const unsigned char *p = buf;
	ssize_t r;

	while (n > 0) {
		r = write(fd, p, n);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

int
bench_set_nonblock(int fd)
{
	int fl;

	if ((fl = fcntl(fd, F_GETFL)) == -1)
		return -1;
	return fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

const char *
bench_verdict(int ok)
{
	return ok ? "OK" : "MISS";
}
