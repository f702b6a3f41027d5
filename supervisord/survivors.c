/*
 * survivors.c: one supervisord per run directory, and nothing left of
 * the one before. The run directory's pid file is locked while a
 * supervisord lives; a new one that gets the lock knows the last one
 * died, and stops what it left running before it starts its own tree,
 * so no service runs twice (supervisord(8), A SUPERVISORD THAT DIED).
 *
 * What it left is found by the environment every child is given: a
 * NOTIFY_SOCKET in this run directory and a SUPERVISOR_PATH. Each such
 * process, with its whole process group, gets SIGTERM, and SIGKILL if
 * it is still there after a grace time.
 */
#include <sys/syscall.h>
#include <sys/types.h>

#include <bsd/libutil.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "proc.h"
#include "survivors.h"

#define GRACE_MS	5000
#define MAX_SURVIVORS	4096

static struct pidfh	*pfh;
static struct pidfh	*extra_pfh;	/* -p: for init scripts */

static struct pidfh *
lock_one(const char *path, pid_t *other)
{
	struct pidfh *h;

	*other = 0;
	if ((h = pidfile_open(path, 0644, other)) == NULL && errno != EEXIST)
		log_warn("pid file %s", path);
	return h;
}

/*
 * The run directory's lock is taken first: a second supervisord on it
 * is refused before it can touch the -p file of the first.
 */
int
rundir_lock(const char *rundir, const char *pidfile)
{
	char path[4200];
	pid_t other;

	snprintf(path, sizeof(path), "%s/supervisord.pid", rundir);
	if ((pfh = lock_one(path, &other)) == NULL) {
		if (errno == EEXIST)
			log_warnx("already running on %s (pid %d); stop it "
			    "first, or use another run directory (-r)",
			    rundir, (int)other);
		return -1;
	}
	if (pidfile != NULL && (extra_pfh = lock_one(pidfile, &other)) ==
	    NULL) {
		if (errno == EEXIST)
			log_warnx("pid file %s: held by another supervisord "
			    "(pid %d)", pidfile, (int)other);
		rundir_unlock();
		return -1;
	}
	return 0;
}

/* After going to the background: the pid that stays. */
void
rundir_lock_write(void)
{
	if (pfh != NULL && pidfile_write(pfh) == -1)
		log_warn("pid file");
	if (extra_pfh != NULL && pidfile_write(extra_pfh) == -1)
		log_warn("pid file");
}

void
rundir_unlock(void)
{
	if (pfh != NULL)
		pidfile_remove(pfh);
	if (extra_pfh != NULL)
		pidfile_remove(extra_pfh);
	pfh = extra_pfh = NULL;
}

struct found {
	const char	*notify;	/* RUNDIR/notify.sock */
	pid_t		 self;
	pid_t		 pid[MAX_SURVIVORS];
	char		*path[MAX_SURVIVORS];	/* SUPERVISOR_PATH */
	size_t		 n;
};

/* /proc/PID/environ: its SUPERVISOR_PATH if NOTIFY_SOCKET is ours. */
static char *
our_child(pid_t pid, const char *notify)
{
	char file[64], *buf, *e, *path = NULL;
	size_t len = 0, cap = 1 << 16;
	ssize_t n;
	int fd, ours = 0;

	snprintf(file, sizeof(file), "/proc/%d/environ", (int)pid);
	if ((fd = open(file, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	if ((buf = malloc(cap + 1)) == NULL) {
		close(fd);
		return NULL;
	}
	while (len < cap && (n = read(fd, buf + len, cap - len)) > 0)
		len += (size_t)n;
	close(fd);
	buf[len] = '\0';
	for (e = buf; e < buf + len; e += strlen(e) + 1) {
		if (strncmp(e, "NOTIFY_SOCKET=", 14) == 0)
			ours = strcmp(e + 14, notify) == 0;
		else if (strncmp(e, "SUPERVISOR_PATH=", 16) == 0)
			path = e + 16;
	}
	path = ours && path != NULL ? strdup(path) : NULL;
	free(buf);
	return path;
}

static int
collect(pid_t pid, const struct proc_stat *ps, void *arg)
{
	struct found *f = arg;
	char *path;

	if (pid == f->self || f->n == MAX_SURVIVORS)
		return 0;
	if ((path = our_child(pid, f->notify)) == NULL)
		return 0;
	f->pid[f->n] = pid;
	f->path[f->n++] = path;
	return 0;
}

static int
pidfd_open_(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Wait until pid has gone (pidfd: no polling), or the deadline. */
static int
wait_gone(pid_t pid, uint64_t deadline)
{
	struct pollfd p;
	uint64_t now;
	int fd, r;

	if ((fd = pidfd_open_(pid)) == -1)
		return errno == ESRCH ? 0 : -1;
	p.fd = fd;
	p.events = POLLIN;
	do {
		now = now_ms();
		r = poll(&p, 1, now >= deadline ? 0 : (int)(deadline - now));
	} while (r == -1 && errno == EINTR);
	close(fd);
	return r == 1 ? 0 : -1;
}

static void
signal_all(const struct found *f, int sig)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (killpg(f->pid[i], sig) == -1)
			kill(f->pid[i], sig);
}

int
survivors_stop(const char *rundir)
{
	struct found *f;
	char notify[4200];
	uint64_t deadline;
	size_t i, left = 0;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return -1;
	snprintf(notify, sizeof(notify), "%s/notify.sock", rundir);
	f->notify = notify;
	f->self = getpid();
	proc_each(collect, f);
	for (i = 0; i < f->n; i++)
		log_warnx("%s: pid %d still runs from a supervisord on %s that "
		    "died; stopping it", f->path[i], (int)f->pid[i], rundir);
	signal_all(f, SIGTERM);
	signal_all(f, SIGCONT);
	deadline = now_ms() + GRACE_MS;
	for (i = 0; i < f->n; i++)
		if (wait_gone(f->pid[i], deadline) == -1)
			left++;
	if (left > 0) {
		log_warnx("%zu of them still there after %d ms; killing",
		    left, GRACE_MS);
		signal_all(f, SIGKILL);
		for (i = 0; i < f->n; i++)
			(void)wait_gone(f->pid[i], now_ms() + 1000);
	}
	for (i = 0; i < f->n; i++)
		free(f->path[i]);
	free(f);
	return 0;
}
