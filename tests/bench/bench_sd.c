/*
 * bench_sd.c: supervisord's speed and cost, each figure beside a baseline
 * measured in the same run. Nothing here asserts a timing: it prints
 * figures, targets and OK or MISS.
 *
 * The child everywhere is bench_sd_child (libc only): it reads
 * CLOCK_MONOTONIC first thing in main and, when given a socket, sends
 * its pid and that time there, then pauses until a signal ends it.
 *
 * 1. Restart latency: SIGKILL of the running child until its replacement
 *    has exec'd and reported, timed with the replacement's own clock
 *    reading. supervisord (one_for_one, one child) against a bare loop
 *    that forks and execs the same child and learns of its death through
 *    signalfd. Interleaved, one kill each in turn. Targets: median
 *    <= 1.5x the bare loop, p99 <= 2 ms.
 * 2. 10,000 children of one supervisor:
 *    - start: supervisord's fork until its READY=1 (sent once the whole
 *      tree started) against a bare loop that forks, execs and confirms
 *      (close-on-exec pipe, as supervisord does) 10,000 children.
 *      Target <= 2x.
 *    - supervisord's VmRSS then (beside the one-child daemon's).
 *      Target <= 16 MiB.
 *    - 10 s of idleness: utime+stime and context switches from /proc,
 *      and, where strace exists, the system calls it made (strace -c -p;
 *      the same attached to the idle bare loop shows what attaching
 *      itself costs). Then 5 s with an event subscriber connected that
 *      fetched the history first (`supervisorctl events --history` left
 *      running). Targets 0.
 *    - supervisorctl status --json of all 10,001 nodes, wall time of the
 *      whole command (against status --json of one node).
 *      Target <= 100 ms.
 * 3. one_for_all restart of 1,000 children: SIGKILL of the first until
 *    the `started` event of the last arrives on the event stream, against
 *    a bare loop that learns of the same death, then kills and reaps the
 *    other 999 one by one in reverse order and forks, execs and confirms
 *    all 1,000 in order (1,000 x kill + reap + respawn). A figure, no
 *    target.
 *
 * 4. A waiting `restart' of one ready: exec child, end to end: as one
 *    control call (its round trip is a `status' call's on the same
 *    connection), and as a fork+exec of supervisorctl (its round trip
 *    is `supervisorctl status' of the child), interleaved. What is left
 *    after the round trip, against the restart latency of 1. (median).
 *    Target <= 1.5x.
 *
 * Every process it starts dies with it: supervisord and the bare loops
 * get PR_SET_PDEATHSIG, the children die with their parent, the
 * benchmark is a child subreaper and kills and reaps whatever is left,
 * and an alarm bounds the whole run. Options: -u (unpinned), -n N
 * (restarts timed in 1.); BENCH_SD_CHILDREN changes 10,000,
 * BENCH_SD_OFA changes 1,000, BENCH_SD_KEEP=1 keeps the temp dir.
 */
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "msg.h"
#include "bench.h"

#define N_RESTART	200	/* timed restarts, each side */
#define N_WARM		10	/* untimed ones first */
#define N_MANY		10000
#define N_OFA		1000
#define OFA_REPS	3
#define IDLE_S		10
#define IDLE_S_SUB	5	/* idle with an event subscriber */
#define STATUS_RUNS	5
#define WATCHDOG_S	900

#define T_REPORT	5000	/* ms: a child's report after a kill */
#define T_START		180000	/* ms: a daemon or bare loop up */
#define T_STOP		180000	/* ms: a daemon down */

#define TGT_RESTART_X	1.5
#define TGT_RESTART_P99	2.0	/* ms */
#define TGT_START_X	2.0
#define TGT_RSS_KIB	(16 * 1024)
#define TGT_STATUS_MS	100.0

static char	 child_bin[PATH_MAX], sd_bin[PATH_MAX], ctl_bin[PATH_MAX];
static char	 ctl_libs[PATH_MAX];	/* LD_LIBRARY_PATH for it, or "" */
static char	 dir[256];
static pid_t	 me;

/* What must not outlive us; the alarm handler reads these too. */
static volatile pid_t	 sd_pid = -1, bare_pgid = -1, strace_pid = -1;
static int		 sd_pidfd = -1;
static char		 pid_max_restore[32];	/* "" or what to write back */

/* --- small helpers --- */

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static int
left(uint64_t deadline)
{
	uint64_t now = bench_ns();

	return now >= deadline ? 0 : (int)((deadline - now) / 1000000 + 1);
}

static const char *
path_in(const char *name)
{
	static char buf[4][PATH_MAX];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
	return buf[i];
}

static int
dgram_bind(const char *path)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlcpy(sun.sun_path, path, sizeof(sun.sun_path)) >=
	    sizeof(sun.sun_path))
		bench_fatal("%s: path too long", path);
	unlink(path);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0)) == -1 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		bench_fatal("%s: %s", path, strerror(errno));
	return fd;
}

static void
drain(int fd)
{
	char buf[512];

	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
}

/* The next child report on fd: its pid and clock reading; -1: none. */
static int
wait_report(int fd, int timeout_ms, pid_t *pid, uint64_t *ns)
{
	uint64_t deadline = bench_ns() + (uint64_t)timeout_ms * 1000000;
	struct pollfd p = { fd, POLLIN, 0 };
	char buf[128];
	long long t;
	long v;
	ssize_t n;

	for (;;) {
		if ((n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT)) > 0) {
			buf[n] = '\0';
			if (sscanf(buf, "%ld %lld", &v, &t) != 2)
				continue;
			*pid = (pid_t)v;
			*ns = (uint64_t)t;
			return 0;
		}
		if (poll(&p, 1, left(deadline)) <= 0)
			return -1;
	}
}

/* Bounded read of one small record from a pipe. */
static int
read_timed(int fd, void *buf, size_t n, int timeout_ms)
{
	struct pollfd p = { fd, POLLIN, 0 };

	if (poll(&p, 1, timeout_ms) <= 0)
		return -1;
	return bench_read_full(fd, buf, n);
}

static long
proc_status(pid_t pid, const char *field)
{
	char path[64], line[256];
	size_t flen = strlen(field);
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, field, flen) == 0 && line[flen] == ':') {
			v = strtol(line + flen + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

/* utime + stime in clock ticks, from /proc/PID/stat. */
static long long
cpu_ticks(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long ut, st;
	ssize_t n;
	int fd, i;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0 || (buf[n] = '\0', p = strrchr(buf, ')')) == NULL)
		return -1;
	/* After ")": state is field 3; utime and stime are 14 and 15. */
	for (p++, i = 2; i < 13 && p != NULL; i++)
		p = strchr(p + 1, ' ');
	if (p == NULL || sscanf(p, " %llu %llu", &ut, &st) != 2)
		return -1;
	return (long long)(ut + st);
}

static long
ctxsw(pid_t pid)
{
	return proc_status(pid, "voluntary_ctxt_switches") +
	    proc_status(pid, "nonvoluntary_ctxt_switches");
}

/* --- cleanup, on every way out --- */

static void
restore_pid_max(void)
{
	int fd;

	if (pid_max_restore[0] == '\0')
		return;
	if ((fd = open("/proc/sys/kernel/pid_max", O_WRONLY)) != -1) {
		(void)!write(fd, pid_max_restore, strlen(pid_max_restore));
		close(fd);
	}
	pid_max_restore[0] = '\0';
}

/* Async-signal-safe: the alarm's way out. */
static void
kill_all_fast(void)
{
	if (sd_pid > 0)
		kill(sd_pid, SIGKILL);
	if (bare_pgid > 0)
		kill(-bare_pgid, SIGKILL);
	if (strace_pid > 0)
		kill(strace_pid, SIGKILL);
}

static void
on_alarm(int signo)
{
	static const char msg[] = "bench_sd: watchdog expired, killing "
	    "supervisord, bare loops and their children\n";

	(void)!write(2, msg, sizeof(msg) - 1);
	kill_all_fast();
	restore_pid_max();
	_exit(3);
}

/* Kill every process we are the parent of (orphans come to us). */
static int
kill_our_children(void)
{
	char path[300], buf[512], *p;
	struct dirent *d;
	DIR *dp;
	long ppid;
	int fd, count = 0;
	ssize_t n;

	if ((dp = opendir("/proc")) == NULL)
		return 0;
	while ((d = readdir(dp)) != NULL) {
		if (d->d_name[0] < '0' || d->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", d->d_name);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0 || (buf[n] = '\0', p = strrchr(buf, ')')) == NULL)
			continue;
		if (sscanf(p + 1, " %*c %ld", &ppid) == 1 && ppid == me) {
			kill((pid_t)atol(d->d_name), SIGKILL);
			count++;
		}
	}
	closedir(dp);
	return count;
}

static void
cleanup(void)
{
	char cmd[PATH_MAX + 32];
	int stray, i;

	if (getpid() != me)
		return;
	kill_all_fast();
	sd_pid = bare_pgid = strace_pid = -1;
	/* Whatever is left is ours to kill and reap (we are a subreaper). */
	for (i = 0; i < 50; i++) {
		stray = kill_our_children();
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		if (stray == 0)
			break;
		sleep_ms(20);
	}
	if (sd_pidfd != -1)
		close(sd_pidfd);
	sd_pidfd = -1;
	restore_pid_max();
	if (dir[0] != '\0' && getenv("BENCH_SD_KEEP") == NULL) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		(void)!system(cmd);
	} else if (dir[0] != '\0')
		fprintf(stderr, "bench_sd: kept %s\n", dir);
	dir[0] = '\0';
}

/* --- limits --- */

static void
raise_limits(size_t nchildren)
{
	struct rlimit rl;
	char buf[32];
	long pid_max = 0;
	FILE *f;
	int fd;

	if (getrlimit(RLIMIT_NPROC, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur < 3 * nchildren + 1024) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NPROC, &rl) == -1 || (rl.rlim_cur !=
		    RLIM_INFINITY && rl.rlim_cur < nchildren + 256 &&
		    geteuid() != 0))
			bench_fatal("RLIMIT_NPROC %llu is too low for %zu "
			    "children", (unsigned long long)rl.rlim_cur,
			    nchildren);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	if ((f = fopen("/proc/sys/kernel/pid_max", "r")) != NULL) {
		if (fscanf(f, "%ld", &pid_max) != 1)
			pid_max = 0;
		fclose(f);
	}
	if (pid_max > 0 && (size_t)pid_max < 2 * nchildren + 8192) {
		if (geteuid() != 0)
			bench_fatal("kernel.pid_max %ld is too low for %zu "
			    "children (not root: cannot raise it)", pid_max,
			    nchildren);
		snprintf(pid_max_restore, sizeof(pid_max_restore), "%ld",
		    pid_max);
		snprintf(buf, sizeof(buf), "%zu", 4 * nchildren + 32768);
		if ((fd = open("/proc/sys/kernel/pid_max", O_WRONLY)) == -1 ||
		    write(fd, buf, strlen(buf)) == -1)
			bench_fatal("raising kernel.pid_max: %s",
			    strerror(errno));
		close(fd);
		printf("# kernel.pid_max raised from %ld to %s for this run\n",
		    pid_max, buf);
	}
}

/* --- bare loops: forked, own process group, die with us --- */

static void
bare_child_setup(void)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != me)
		_exit(5);
	signal(SIGALRM, SIG_DFL);
	alarm(WATCHDOG_S + 60);
	setpgid(0, 0);
	bench_pin(BENCH_CPU_SERVER);
}

/* fork and exec, nothing else: the restart baseline's spawn. */
static pid_t
bare_spawn(const char *arg)
{
	char *argv[] = { child_bin, (char *)arg, NULL };
	sigset_t none;
	pid_t pid;

	if ((pid = fork()) == 0) {
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		execv(child_bin, argv);
		_exit(127);
	}
	return pid;
}

/* fork, exec, and wait until the exec happened (close-on-exec pipe). */
static pid_t
bare_spawn_confirm(const char *arg)
{
	char *argv[] = { child_bin, (char *)arg, NULL };
	int p[2], e = 0;
	pid_t pid;
	ssize_t n;

	if (pipe2(p, O_CLOEXEC) == -1)
		return -1;
	if ((pid = fork()) == 0) {
		execv(child_bin, argv);
		e = errno;
		(void)!write(p[1], &e, sizeof(e));
		_exit(127);
	}
	close(p[1]);
	while ((n = read(p[0], &e, sizeof(e))) == -1 && errno == EINTR)
		;
	close(p[0]);
	if (pid == -1 || n != 0)
		return -1;
	return pid;
}

/* Restart baseline: respawn on every death, learned through signalfd. */
static void __attribute__((noreturn))
bare_restart_main(const char *report)
{
	struct signalfd_siginfo si;
	sigset_t mask;
	int sfd, st;

	bare_child_setup();
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	if ((sfd = signalfd(-1, &mask, SFD_CLOEXEC)) == -1)
		_exit(6);
	bare_spawn(report);
	for (;;) {
		if (read(sfd, &si, sizeof(si)) != (ssize_t)sizeof(si))
			continue;
		while (waitpid(-1, &st, WNOHANG) > 0)
			bare_spawn(report);
	}
}

/* Start baseline: n children, each confirmed; a byte when all are up. */
static void __attribute__((noreturn))
bare_many_main(size_t n, int out)
{
	size_t i;

	bare_child_setup();
	for (i = 0; i < n; i++)
		if (bare_spawn_confirm("-") == -1)
			_exit(7);
	if (write(out, "r", 1) != 1)
		_exit(8);
	for (;;)
		pause();
}

/*
 * one_for_all baseline: n children; then, for each death of the first,
 * kill and reap the others in reverse order and start all n in order.
 * Writes the first child's pid when ready and after each restart.
 */
static void __attribute__((noreturn))
bare_ofa_main(size_t n, int out)
{
	pid_t *pids;
	size_t i;
	int st;

	bare_child_setup();
	if ((pids = calloc(n, sizeof(*pids))) == NULL)
		_exit(6);
	for (i = 0; i < n; i++)
		if ((pids[i] = bare_spawn_confirm("-")) == -1)
			_exit(7);
	for (;;) {
		if (write(out, &pids[0], sizeof(pids[0])) != sizeof(pids[0]))
			_exit(8);
		while (waitpid(pids[0], &st, 0) == -1)
			if (errno != EINTR)
				_exit(9);
		for (i = n; i-- > 1;) {
			kill(pids[i], SIGKILL);
			while (waitpid(pids[i], &st, 0) == -1)
				if (errno != EINTR)
					_exit(9);
		}
		for (i = 0; i < n; i++)
			if ((pids[i] = bare_spawn_confirm("-")) == -1)
				_exit(7);
	}
}

static pid_t
bare_fork(void)
{
	pid_t pid;

	fflush(NULL);
	if ((pid = fork()) == -1)
		bench_fatal("fork: %s", strerror(errno));
	if (pid > 0) {
		setpgid(pid, pid);	/* also here: no race with a kill */
		bare_pgid = pid;
	}
	return pid;
}

/* Kill the bare loop's whole group and reap all of it. */
static void
bare_end(pid_t pid)
{
	int st;

	if (pid <= 0)
		return;
	kill(-pid, SIGKILL);
	while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
		;
	/* Its children came to us (subreaper) before it was reapable. */
	while (waitpid(-pid, &st, 0) > 0 || errno == EINTR)
		;
	bare_pgid = -1;
}

/* --- supervisord --- */

struct sd {
	pid_t			 pid;
	char			 conf[PATH_MAX];
	char			 rundir[PATH_MAX];
	char			 statedir[PATH_MAX];	/* never the user's */
	char			 log[PATH_MAX];
	struct msg_client	*ctl;
};

static int ready_fd = -1;

static void
sd_log_tail(const struct sd *d)
{
	char cmd[PATH_MAX + 64];

	fprintf(stderr, "bench_sd: last lines of %s:\n", d->log);
	snprintf(cmd, sizeof(cmd), "tail -n 20 '%s' >&2", d->log);
	(void)!system(cmd);
}

/* Start supervisord on conf; returns ns from fork to its READY=1. */
static uint64_t
sd_start(struct sd *d, const char *name)
{
	uint64_t t0, deadline;
	struct pollfd p[2];
	char buf[256];
	ssize_t n;
	int fd, st;

	snprintf(d->conf, sizeof(d->conf), "%s/%s.json", dir, name);
	snprintf(d->rundir, sizeof(d->rundir), "%s/run-%s", dir, name);
	snprintf(d->statedir, sizeof(d->statedir), "%s/state-%s", dir, name);
	snprintf(d->log, sizeof(d->log), "%s/%s.log", dir, name);
	d->ctl = NULL;
	drain(ready_fd);
	fflush(NULL);
	t0 = bench_ns();
	if ((d->pid = fork()) == -1)
		bench_fatal("fork: %s", strerror(errno));
	if (d->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != me)
			_exit(5);
		signal(SIGALRM, SIG_DFL);
		bench_pin(BENCH_CPU_SERVER);
		setenv("NOTIFY_SOCKET", path_in("ready.sock"), 1);
		if ((fd = open(d->log, O_WRONLY | O_CREAT | O_APPEND, 0600)) ==
		    -1 || dup2(fd, 1) == -1 || dup2(fd, 2) == -1)
			_exit(126);
		if ((fd = open("/dev/null", O_RDONLY)) == -1 || dup2(fd, 0) == -1)
			_exit(126);
		execl(sd_bin, "supervisord", "-f", "-r", d->rundir, "-S",
		    d->statedir, "-c", d->conf, (char *)NULL);
		_exit(127);
	}
	sd_pid = d->pid;
	if ((sd_pidfd = (int)syscall(SYS_pidfd_open, d->pid, 0)) == -1)
		bench_fatal("pidfd_open: %s", strerror(errno));
	deadline = t0 + (uint64_t)T_START * 1000000;
	for (;;) {
		p[0].fd = ready_fd;
		p[0].events = POLLIN;
		p[1].fd = sd_pidfd;
		p[1].events = POLLIN;
		if (poll(p, 2, left(deadline)) <= 0) {
			sd_log_tail(d);
			bench_fatal("%s: supervisord not ready in %d ms", name,
			    T_START);
		}
		if ((n = recv(ready_fd, buf, sizeof(buf) - 1, MSG_DONTWAIT)) >
		    0) {
			buf[n] = '\0';
			if (strstr(buf, "READY=1") != NULL)
				return bench_ns() - t0;
		}
		if (p[1].revents) {
			waitpid(d->pid, &st, 0);
			sd_pid = -1;
			sd_log_tail(d);
			bench_fatal("%s: supervisord exited (status %d) before "
			    "READY=1", name, WIFEXITED(st) ? WEXITSTATUS(st) :
			    128 + WTERMSIG(st));
		}
	}
}

static struct msg_client *
sd_ctl(struct sd *d)
{
	char path[PATH_MAX + 32];

	if (d->ctl == NULL) {
		snprintf(path, sizeof(path), "%s/supervisord.sock", d->rundir);
		if ((d->ctl = msg_connect(path, 5000)) == NULL)
			bench_fatal("connect %s: %s", path, strerror(errno));
	}
	return d->ctl;
}

/* The pid status --json gives for path (through libmsg, not the CLI). */
static pid_t
sd_pid_of(struct sd *d, const char *path)
{
	json_t *arg = json_pack("{ss}", "path", path), *r = NULL;
	pid_t pid = 0;
	int rc;

	if ((rc = msg_call_json(sd_ctl(d), msg_tag("status"), arg, 10000,
	    &r)) != MSG_OK)
		bench_fatal("status %s: %s", path, msg_strerror(rc));
	pid = (pid_t)json_integer_value(json_object_get(json_array_get(r, 0),
	    "pid"));
	json_decref(r);
	if (pid <= 0)
		bench_fatal("status %s: no pid", path);
	return pid;
}

/* SIGTERM; ns until it exited. */
static uint64_t
sd_stop(struct sd *d)
{
	struct pollfd p = { sd_pidfd, POLLIN, 0 };
	uint64_t t0;
	int st = 0;

	msg_close(d->ctl);
	d->ctl = NULL;
	t0 = bench_ns();
	kill(d->pid, SIGTERM);
	if (poll(&p, 1, T_STOP) <= 0) {
		sd_log_tail(d);
		bench_fatal("supervisord did not exit in %d ms after SIGTERM",
		    T_STOP);
	}
	t0 = bench_ns() - t0;
	waitpid(d->pid, &st, 0);
	close(sd_pidfd);
	sd_pidfd = -1;
	sd_pid = -1;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		sd_log_tail(d);
		bench_fatal("supervisord exited with status %d after SIGTERM",
		    WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	}
	return t0;
}

static void
write_conf(const struct sd *d, const char *strategy, size_t n,
    const char *arg, int intensity)
{
	size_t i;
	FILE *f;

	if ((f = fopen(d->conf, "w")) == NULL)
		bench_fatal("%s: %s", d->conf, strerror(errno));
	fprintf(f, "{\"id\":\"root\",\"strategy\":\"%s\",\"intensity\":%d,"
	    "\"period\":1,\"children\":[\n", strategy, intensity);
	for (i = 1; i <= n; i++)
		fprintf(f, "{\"id\":\"w%zu\",\"argv\":[\"%s\",\"%s\"],"
		    "\"shutdown\":\"brutal_kill\"}%s\n", i, child_bin, arg,
		    i < n ? "," : "");
	fprintf(f, "]}\n");
	if (fclose(f) == EOF)
		bench_fatal("%s: %s", d->conf, strerror(errno));
}

/* Only the configs need names before sd_start fills the rest in. */
static void
sd_name(struct sd *d, const char *name)
{
	snprintf(d->conf, sizeof(d->conf), "%s/%s.json", dir, name);
}

/* --- 1. restart latency --- */

static long rss_one_child;	/* KiB: the one-child daemon, for 2. */
static double restart_med_ms;	/* supervisord's median, for 4. */

static void
bench_restart(size_t n)
{
	struct sd d;
	int fd[2];
	pid_t cur[2], pid, bare;
	uint64_t *lat[2], t0, ts;
	double med[2], p99[2], x;
	size_t i, k;
	int who;

	fd[0] = dgram_bind(path_in("bare.sock"));
	fd[1] = dgram_bind(path_in("sd.sock"));
	for (k = 0; k < 2; k++)
		if ((lat[k] = calloc(n, sizeof(uint64_t))) == NULL)
			bench_fatal("out of memory");

	if ((bare = bare_fork()) == 0)
		bare_restart_main(path_in("bare.sock"));
	if (wait_report(fd[0], T_REPORT, &cur[0], &ts) == -1)
		bench_fatal("bare loop: its child did not report");

	sd_name(&d, "restart");
	write_conf(&d, "one_for_one", 1, path_in("sd.sock"), 1000000);
	sd_start(&d, "restart");
	if (wait_report(fd[1], T_REPORT, &cur[1], &ts) == -1)
		bench_fatal("supervisord: its child did not report");

	for (i = 0; i < N_WARM + n; i++) {
		for (k = 0; k < 2; k++) {
			/* Rotate which side goes first. */
			who = (int)((i + k) % 2);
			t0 = bench_ns();
			if (kill(cur[who], SIGKILL) == -1)
				bench_fatal("kill %d: %s", (int)cur[who],
				    strerror(errno));
			do {
				if (wait_report(fd[who], T_REPORT, &pid, &ts) ==
				    -1)
					bench_fatal("%s: no restart within %d "
					    "ms", who ? "supervisord" :
					    "bare loop", T_REPORT);
			} while (pid == cur[who]);
			cur[who] = pid;
			if (i >= N_WARM)
				lat[who][i - N_WARM] = ts > t0 ? ts - t0 : 0;
		}
	}
	rss_one_child = proc_status(d.pid, "VmRSS");
	sd_stop(&d);
	bare_end(bare);
	close(fd[0]);
	close(fd[1]);

	for (k = 0; k < 2; k++) {
		bench_sort(lat[k], n);
		med[k] = (double)bench_pct(lat[k], n, 0.5) / 1e6;
		p99[k] = (double)bench_pct(lat[k], n, 0.99) / 1e6;
	}
	x = med[1] / med[0];
	restart_med_ms = med[1];
	printf("# restart: %zu SIGKILLs each side (after %d untimed), "
	    "interleaved; until the new child's own clock reading\n", n,
	    N_WARM);
	printf("#   min %.3f / %.3f ms, p90 %.3f / %.3f ms, max %.3f / %.3f ms "
	    "(supervisord / bare)\n", (double)lat[1][0] / 1e6,
	    (double)lat[0][0] / 1e6, (double)bench_pct(lat[1], n, 0.9) / 1e6,
	    (double)bench_pct(lat[0], n, 0.9) / 1e6,
	    (double)lat[1][n - 1] / 1e6, (double)lat[0][n - 1] / 1e6);
	printf("sd restart latency  median %.3f ms (bare %.3f ms) %.2fx  "
	    "p99 %.3f ms (bare %.3f ms)  target <=%.1fx, p99<=%.0fms  %s\n",
	    med[1], med[0], x, p99[1], p99[0], TGT_RESTART_X, TGT_RESTART_P99,
	    bench_verdict(x <= TGT_RESTART_X && p99[1] <= TGT_RESTART_P99));
	free(lat[0]);
	free(lat[1]);
}

/* --- 2. many children --- */

/* strace -c -p pid for secs seconds: the number of system calls. */
static long
strace_count(pid_t pid, int secs, char *names, size_t nsize)
{
	char out[PATH_MAX], line[256], pidarg[16], calls[32], name[64];
	char pct[32], sec[32], usec[32], err[32];
	struct pollfd p;
	long total = -1;
	uint64_t deadline;
	FILE *f;
	int st, fd, k;

	snprintf(out, sizeof(out), "%s/strace-%d.txt", dir, (int)pid);
	snprintf(pidarg, sizeof(pidarg), "%d", (int)pid);
	names[0] = '\0';
	fflush(NULL);
	if ((strace_pid = fork()) == -1)
		return -1;
	if (strace_pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if ((fd = open("/dev/null", O_WRONLY)) != -1)
			dup2(fd, 1);
		execlp("strace", "strace", "-c", "-q", "-o", out, "-p", pidarg,
		    (char *)NULL);
		_exit(127);
	}
	/* strace attaches within this window; the window is secs long. */
	sleep_ms(secs * 1000L);
	kill(strace_pid, SIGINT);
	deadline = bench_ns() + 10000000000ull;
	while (waitpid(strace_pid, &st, WNOHANG) == 0) {
		if (left(deadline) == 0) {
			kill(strace_pid, SIGKILL);
			waitpid(strace_pid, &st, 0);
			break;
		}
		p.fd = -1;
		poll(&p, 0, 10);
	}
	strace_pid = -1;
	/* strace ends by raising the SIGINT it got again. */
	if ((WIFEXITED(st) && WEXITSTATUS(st) == 127) ||
	    (WIFSIGNALED(st) && WTERMSIG(st) != SIGINT) ||
	    (f = fopen(out, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strstr(line, "total") != NULL) {
			if (sscanf(line, "%31s %31s %31s %31s", pct, sec, usec,
			    calls) == 4)
				total = strtol(calls, NULL, 10);
			continue;
		}
		/* "% time seconds usecs/call calls [errors] syscall" */
		k = sscanf(line, "%31s %31s %31s %31s %31s %63s", pct, sec,
		    usec, calls, err, name);
		if (k >= 5 && pct[0] >= '0' && pct[0] <= '9') {
			if (k == 5)
				strlcpy(name, err, sizeof(name));
			if (strlen(names) + strlen(name) + 16 < nsize) {
				strlcat(names, names[0] ? ", " : "", nsize);
				strlcat(names, name, nsize);
				strlcat(names, " x", nsize);
				strlcat(names, calls, nsize);
			}
		}
	}
	fclose(f);
	/* No system call at all: strace prints an empty table. */
	return total < 0 ? 0 : total;
}

static int
have_strace(void)
{
	return system("strace -V >/dev/null 2>&1") == 0;
}

/* Wall time of one supervisorctl command; its stdout into out. */
static uint64_t
ctl_run(struct sd *d, const char *out, const char *path)
{
	struct pollfd p;
	uint64_t t0;
	pid_t pid;
	int st, fd;

	fflush(NULL);
	t0 = bench_ns();
	if ((pid = fork()) == -1)
		bench_fatal("fork: %s", strerror(errno));
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if ((fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1 ||
		    dup2(fd, 1) == -1)
			_exit(126);
		if (ctl_libs[0] != '\0')
			setenv("LD_LIBRARY_PATH", ctl_libs, 1);
		execl(ctl_bin, "supervisorctl", "-r", d->rundir, "status",
		    "--json", path, (char *)NULL);
		_exit(127);
	}
	if ((fd = (int)syscall(SYS_pidfd_open, pid, 0)) == -1)
		bench_fatal("pidfd_open: %s", strerror(errno));
	p.fd = fd;
	p.events = POLLIN;
	if (poll(&p, 1, 30000) <= 0) {
		kill(pid, SIGKILL);
		close(fd);
		waitpid(pid, &st, 0);
		bench_fatal("supervisorctl status did not finish in 30 s");
	}
	close(fd);
	t0 = bench_ns() - t0;
	waitpid(pid, &st, 0);
	/* status exits 3 when a permanent child is not running. */
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		bench_fatal("supervisorctl status --json %s: status %d", path,
		    WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	return t0;
}

/*
 * Idle with a watcher: `supervisorctl events --history` left running (a
 * subscriber that fetched the history, 4,096 events here, then waits).
 */
static void
idle_subscribed(struct sd *d)
{
	struct msg_client *c = sd_ctl(d);
	json_t *h = NULL;
	long long c0, c1;
	long x0, x1;
	int rc;

	if ((rc = msg_subscribe(c, "")) != MSG_OK ||
	    (rc = msg_call_json(c, msg_tag("history"), NULL, 10000, &h)) !=
	    MSG_OK)
		bench_fatal("subscribe and history: %s", msg_strerror(rc));
	sleep_ms(200);
	c0 = cpu_ticks(d->pid);
	x0 = ctxsw(d->pid);
	sleep_ms(IDLE_S_SUB * 1000L);
	c1 = cpu_ticks(d->pid);
	x1 = ctxsw(d->pid);
	printf("sd idle cpu %d s, subscriber after history of %zu events  "
	    "%lld ticks, %ld context switches  target 0  %s\n", IDLE_S_SUB,
	    json_array_size(h), c1 - c0, x1 - x0,
	    bench_verdict(c1 - c0 == 0 && x1 - x0 == 0));
	json_decref(h);
	msg_close(d->ctl);
	d->ctl = NULL;
}

static void
bench_many(size_t n)
{
	struct sd d;
	char rp[2], names[512], bnames[512];
	int p[2];
	pid_t bare;
	uint64_t t_bare, t_sd, t_stop, st[STATUS_RUNS], st1[STATUS_RUNS];
	long rss, rss_anon, sys, sys_bare = -1;
	long long c0, c1, b0, b1;
	long x0, x1;
	double x, ms, ms1;
	json_error_t je;
	json_t *all;
	size_t i, nodes;

	/* The bare loop first, alone, then killed and reaped. */
	if (pipe2(p, O_CLOEXEC) == -1)
		bench_fatal("pipe: %s", strerror(errno));
	t_bare = bench_ns();
	if ((bare = bare_fork()) == 0)
		bare_many_main(n, p[1]);
	close(p[1]);
	if (read_timed(p[0], rp, 1, T_START) == -1)
		bench_fatal("bare loop: %zu children not up in %d ms", n,
		    T_START);
	t_bare = bench_ns() - t_bare;
	close(p[0]);
	/* Its idle cost, for comparison (and strace's own, attaching). */
	b0 = cpu_ticks(bare);
	sys_bare = have_strace() ? strace_count(bare, 2, bnames,
	    sizeof(bnames)) : -1;
	b1 = cpu_ticks(bare);
	bare_end(bare);

	sd_name(&d, "many");
	write_conf(&d, "one_for_one", n, "-", 1);
	t_sd = sd_start(&d, "many");
	x = (double)t_sd / (double)t_bare;
	printf("# many: %zu children (%s): bare loop fork+exec+confirm "
	    "each; supervisord from fork to READY=1\n", n, child_bin);
	printf("sd start %zu  %.3f s (bare %.3f s) %.2fx  target <=%.0fx  "
	    "%s\n", n, (double)t_sd / 1e9, (double)t_bare / 1e9, x,
	    TGT_START_X, bench_verdict(x <= TGT_START_X));

	rss = proc_status(d.pid, "VmRSS");
	rss_anon = proc_status(d.pid, "RssAnon");
	printf("sd rss %zu  %.1f MiB (RssAnon %.1f MiB; 1 child %.1f MiB) "
	    "%.2fx  target <=%d MiB  %s\n", n, rss / 1024.0,
	    rss_anon / 1024.0, rss_one_child / 1024.0,
	    rss_one_child > 0 ? (double)rss / (double)rss_one_child : 0.0,
	    TGT_RSS_KIB / 1024, bench_verdict(rss > 0 && rss <= TGT_RSS_KIB));

	/* Idle: nothing happens for IDLE_S seconds. */
	sleep_ms(200);
	c0 = cpu_ticks(d.pid);
	x0 = ctxsw(d.pid);
	sleep_ms(IDLE_S * 1000L);
	c1 = cpu_ticks(d.pid);
	x1 = ctxsw(d.pid);
	printf("sd idle cpu %d s  %lld ticks, %ld context switches "
	    "(bare loop %lld ticks in 2 s)  target 0  %s\n", IDLE_S, c1 - c0,
	    x1 - x0, b1 - b0, bench_verdict(c1 - c0 == 0 && x1 - x0 == 0));
	idle_subscribed(&d);
	if (sys_bare >= 0) {
		sys = strace_count(d.pid, IDLE_S, names, sizeof(names));
		printf("sd idle syscalls %d s  %ld%s%s%s (strace attached to "
		    "the idle bare loop: %ld%s%s%s)  target 0  %s\n", IDLE_S,
		    sys, names[0] ? " [" : "", names, names[0] ? "]" : "",
		    sys_bare, bnames[0] ? " [" : "", bnames,
		    bnames[0] ? "]" : "", bench_verdict(sys == 0));
	} else
		printf("# idle syscalls: strace not installed; not measured\n");

	/* status --json of every node, and of one. */
	for (i = 0; i < STATUS_RUNS; i++) {
		st[i] = ctl_run(&d, path_in("status.json"), "root");
		st1[i] = ctl_run(&d, path_in("status1.json"), "root/w1");
	}
	if ((all = json_load_file(path_in("status.json"), 0, &je)) == NULL)
		bench_fatal("status --json output: %s", je.text);
	nodes = json_array_size(all);
	json_decref(all);
	bench_sort(st, STATUS_RUNS);
	bench_sort(st1, STATUS_RUNS);
	ms = (double)st[STATUS_RUNS / 2] / 1e6;
	ms1 = (double)st1[STATUS_RUNS / 2] / 1e6;
	printf("sd status --json %zu nodes  %.1f ms (1 node %.1f ms) %.2fx  "
	    "max %.1f ms  target <=%.0fms  %s\n", nodes, ms, ms1, ms / ms1,
	    (double)st[STATUS_RUNS - 1] / 1e6, TGT_STATUS_MS,
	    bench_verdict(nodes == n + 1 && ms <= TGT_STATUS_MS));

	t_stop = sd_stop(&d);
	printf("# many: shutdown of %zu children (brutal_kill, one by one in "
	    "reverse order) took %.3f s\n", n, (double)t_stop / 1e9);
}

/* --- 3. one_for_all --- */

/* Events until "started" for path arrives; counts what came by. */
static void
wait_started(struct msg_client *c, const char *path, uint64_t deadline,
    size_t *nstarted, size_t *nexited)
{
	struct msg_message m;
	json_t *e;
	const char *ev, *p;
	int done = 0, rc;

	while (!done) {
		if ((rc = msg_recv(c, left(deadline), &m)) != MSG_OK)
			bench_fatal("event stream: %s (waiting for %s)",
			    msg_strerror(rc), path);
		if (m.kind != MSG_EVENT ||
		    (e = json_loadb(m.data, m.len, 0, NULL)) == NULL)
			continue;
		ev = json_string_value(json_object_get(e, "event"));
		p = json_string_value(json_object_get(e, "path"));
		if (ev != NULL && strcmp(ev, "started") == 0) {
			(*nstarted)++;
			if (p != NULL && strcmp(p, path) == 0)
				done = 1;
		} else if (ev != NULL && strcmp(ev, "exited") == 0)
			(*nexited)++;
		json_decref(e);
	}
}

static void
bench_ofa(size_t n)
{
	struct sd d;
	struct msg_client *ev;
	char last[32], path[PATH_MAX + 32];
	uint64_t tb[OFA_REPS], ts[OFA_REPS], t0;
	size_t r, ns, ne;
	pid_t pid, bare;
	double x;
	int p[2], rc;

	/* Bare first, alone. */
	if (pipe2(p, O_CLOEXEC) == -1)
		bench_fatal("pipe: %s", strerror(errno));
	if ((bare = bare_fork()) == 0)
		bare_ofa_main(n, p[1]);
	close(p[1]);
	if (read_timed(p[0], &pid, sizeof(pid), T_START) == -1)
		bench_fatal("bare one_for_all loop did not start");
	for (r = 0; r < OFA_REPS; r++) {
		t0 = bench_ns();
		kill(pid, SIGKILL);
		if (read_timed(p[0], &pid, sizeof(pid), T_START) == -1)
			bench_fatal("bare one_for_all loop: no restart");
		tb[r] = bench_ns() - t0;
	}
	close(p[0]);
	bare_end(bare);

	sd_name(&d, "ofa");
	write_conf(&d, "one_for_all", n, "-", 1000);
	sd_start(&d, "ofa");
	snprintf(path, sizeof(path), "%s/supervisord.sock", d.rundir);
	if ((ev = msg_connect(path, 5000)) == NULL)
		bench_fatal("connect %s: %s", path, strerror(errno));
	if ((rc = msg_subscribe(ev, "")) != MSG_OK)
		bench_fatal("subscribe: %s", msg_strerror(rc));
	snprintf(last, sizeof(last), "root/w%zu", n);
	for (r = 0; r < OFA_REPS; r++) {
		pid = sd_pid_of(&d, "root/w1");
		ns = ne = 0;
		t0 = bench_ns();
		kill(pid, SIGKILL);
		wait_started(ev, last, t0 + (uint64_t)T_START * 1000000, &ns,
		    &ne);
		ts[r] = bench_ns() - t0;
		if (ns != n || ne != n)
			bench_fatal("one_for_all: %zu started and %zu exited "
			    "events, want %zu each", ns, ne, n);
	}
	msg_close(ev);
	sd_stop(&d);

	bench_sort(tb, OFA_REPS);
	bench_sort(ts, OFA_REPS);
	x = (double)ts[OFA_REPS / 2] / (double)tb[OFA_REPS / 2];
	printf("# one_for_all: %zu children, median of %d: SIGKILL of the "
	    "first until the last one's started event (bare: until it "
	    "exec'd)\n", n, OFA_REPS);
	printf("sd one_for_all %zu  %.1f ms (bare %.1f ms) %.2fx  "
	    "%.1f us per child  (no target)\n", n,
	    (double)ts[OFA_REPS / 2] / 1e6, (double)tb[OFA_REPS / 2] / 1e6,
	    x, (double)ts[OFA_REPS / 2] / 1e3 / (double)n);
}

/* --- main --- */

static void
find_programs(void)
{
	char exe[PATH_MAX - 64], *s, magic[2];
	ssize_t n;
	int i, fd;

	if ((n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) <= 0)
		bench_fatal("readlink /proc/self/exe: %s", strerror(errno));
	exe[n] = '\0';
	/* tests/bench/bench_sd -> the build tree's top. */
	for (i = 0; i < 3; i++)
		if ((s = strrchr(exe, '/')) != NULL)
			*s = '\0';
	snprintf(child_bin, sizeof(child_bin), "%s/tests/bench/bench_sd_child",
	    exe);
	snprintf(sd_bin, sizeof(sd_bin), "%s/supervisord/supervisord", exe);
	snprintf(ctl_bin, sizeof(ctl_bin), "%s/supervisord/supervisorctl",
	    exe);
	if (access(child_bin, X_OK) == -1 || access(sd_bin, X_OK) == -1 ||
	    access(ctl_bin, X_OK) == -1)
		bench_fatal("need %s, %s and %s built", child_bin, sd_bin,
		    ctl_bin);
	/* In the build tree supervisorctl is libtool's shell wrapper, whose
	 * bash would dominate the timing: run the real binary. */
	if ((fd = open(ctl_bin, O_RDONLY | O_CLOEXEC)) != -1) {
		if (read(fd, magic, 2) == 2 && memcmp(magic, "#!", 2) == 0) {
			snprintf(ctl_bin, sizeof(ctl_bin),
			    "%s/supervisord/.libs/supervisorctl", exe);
			snprintf(ctl_libs, sizeof(ctl_libs), "%s/libmsg/.libs",
			    exe);
			if (access(ctl_bin, X_OK) == -1)
				bench_fatal("%s: %s", ctl_bin, strerror(errno));
		}
		close(fd);
	}
}

static size_t
env_size(const char *name, size_t def)
{
	const char *v = getenv(name);
	long n;

	if (v == NULL || *v == '\0')
		return def;
	if ((n = strtol(v, NULL, 10)) <= 0)
		bench_fatal("%s=%s: expected a positive number", name, v);
	return (size_t)n;
}

/* --- 4. a waiting restart --- */

#define TGT_WAIT_X	1.5
#define N_WAIT		50

/* Wall time of supervisorctl -r RUNDIR CMD PATH, which must exit 0. */
static uint64_t
ctl_time(struct sd *d, const char *cmd, const char *path)
{
	struct pollfd p;
	uint64_t t0;
	pid_t pid;
	int st, fd;

	fflush(NULL);
	t0 = bench_ns();
	if ((pid = fork()) == -1)
		bench_fatal("fork: %s", strerror(errno));
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if ((fd = open("/dev/null", O_WRONLY)) == -1 || dup2(fd, 1) == -1)
			_exit(126);
		if (ctl_libs[0] != '\0')
			setenv("LD_LIBRARY_PATH", ctl_libs, 1);
		execl(ctl_bin, "supervisorctl", "-r", d->rundir, cmd, path,
		    (char *)NULL);
		_exit(127);
	}
	if ((fd = (int)syscall(SYS_pidfd_open, pid, 0)) == -1)
		bench_fatal("pidfd_open: %s", strerror(errno));
	p.fd = fd;
	p.events = POLLIN;
	if (poll(&p, 1, 30000) <= 0) {
		kill(pid, SIGKILL);
		close(fd);
		waitpid(pid, &st, 0);
		bench_fatal("supervisorctl %s did not finish in 30 s", cmd);
	}
	close(fd);
	t0 = bench_ns() - t0;
	waitpid(pid, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		bench_fatal("supervisorctl %s %s: status %d", cmd, path,
		    WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	return t0;
}

/* One control call of cmd on path, which must succeed: its wall time. */
static uint64_t
call_time(struct sd *d, const char *cmd, const char *path)
{
	json_t *arg = json_pack("{ss}", "path", path), *r = NULL;
	uint64_t t0 = bench_ns();
	int rc;

	/* The argument is the caller's: built before, freed after the clock. */
	rc = msg_call_json(sd_ctl(d), msg_tag(cmd), arg, 30000, &r);
	t0 = bench_ns() - t0;
	json_decref(arg);
	if (rc != MSG_OK)
		bench_fatal("%s %s: %s", cmd, path, msg_strerror(rc));
	json_decref(r);
	return t0;
}

static double
median_ms(uint64_t *v, size_t n)
{
	bench_sort(v, n);
	return (double)bench_pct(v, n, 0.5) / 1e6;
}

static void
bench_wait_restart(size_t n)
{
	uint64_t *v[4];
	double m[4], x[2];
	struct sd d;
	size_t i, k;

	for (k = 0; k < 4; k++)
		if ((v[k] = calloc(n, sizeof(uint64_t))) == NULL)
			bench_fatal("out of memory");
	sd_name(&d, "waitrestart");
	write_conf(&d, "one_for_one", 1, "-", 1000000);
	sd_start(&d, "waitrestart");
	for (i = 0; i < N_WARM + n; i++) {
		k = i < N_WARM ? 0 : i - N_WARM;
		v[0][k] = call_time(&d, "status", "root/w1");
		v[1][k] = call_time(&d, "restart", "root/w1");
		v[2][k] = ctl_time(&d, "status", "root/w1");
		v[3][k] = ctl_time(&d, "restart", "root/w1");
	}
	sd_stop(&d);
	for (k = 0; k < 4; k++)
		m[k] = median_ms(v[k], n);
	x[0] = (m[1] - m[0]) / restart_med_ms;
	x[1] = (m[3] - m[2]) / restart_med_ms;
	printf("# waiting restart: %zu each (after %d untimed), interleaved; "
	    "minus one round trip, against the restart latency above "
	    "(median %.3f ms)\n", n, N_WARM, restart_med_ms);
	printf("sd waiting restart call  median %.3f ms (status call %.3f ms) "
	    "%.2fx  target <=%.1fx  %s\n", m[1], m[0], x[0], TGT_WAIT_X,
	    bench_verdict(x[0] <= TGT_WAIT_X));
	printf("sd waiting restart cli   median %.3f ms (status cli %.3f ms) "
	    "%.2fx  target <=%.1fx  %s\n", m[3], m[2], x[1], TGT_WAIT_X,
	    bench_verdict(x[1] <= TGT_WAIT_X));
	for (k = 0; k < 4; k++)
		free(v[k]);
}

int
main(int argc, char **argv)
{
	struct sigaction sa;
	char owner[24];
	size_t nrestart, nmany, nofa;

	bench_init(argc, argv, "bench_sd", WATCHDOG_S);
	me = getpid();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	nrestart = bench_opts.n ? (size_t)bench_opts.n : N_RESTART;
	nmany = env_size("BENCH_SD_CHILDREN", N_MANY);
	nofa = env_size("BENCH_SD_OFA", N_OFA);
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) == -1)
		bench_fatal("PR_SET_CHILD_SUBREAPER: %s", strerror(errno));
	find_programs();
	snprintf(dir, sizeof(dir), "%s/sdbench.XXXXXX",
	    getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(dir) == NULL) {
		dir[0] = '\0';
		bench_fatal("mkdtemp: %s", strerror(errno));
	}
	atexit(cleanup);
	snprintf(owner, sizeof(owner), "%d", (int)me);
	setenv("BENCH_SD_OWNER", owner, 1);
	setenv("PATH", "/usr/local/bin:/usr/bin:/bin", 1);
	raise_limits(nmany > nofa ? nmany : nofa);
	ready_fd = dgram_bind(path_in("ready.sock"));

	printf("# bench_sd: supervisord against bare fork/exec loops, %s\n",
	    bench_pin_note());
	bench_restart(nrestart);
	bench_wait_restart(N_WAIT);
	bench_many(nmany);
	bench_ofa(nofa);

	close(ready_fd);
	cleanup();
	bench_done();
	return 0;
}
