/*
 * sdproc.c: programs run to their end or followed in the background,
 * clocks, /proc lookups and text helpers for the supervisord tests
 * (sdtest.h). Every wait has an upper bound (SD_TIMEOUT) and ends on the
 * event it waits for.
 */
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sdtest.h"

void
sd_die(const char *what)
{
	fprintf(stderr, "sdtest: %s: %s\n", what, strerror(errno));
	exit(99);
}

long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
ms_left(long long deadline)
{
	long long l = deadline - now_ms();

	return l < 0 ? 0 : (int)l;
}

double
now_real(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---------------------------------------------------------------- */
/* Programs. */

static void
append(char **buf, size_t *len, const char *data, size_t n)
{
	if ((*buf = realloc(*buf, *len + n + 1)) == NULL)
		sd_die("realloc");
	memcpy(*buf + *len, data, n);
	*len += n;
	(*buf)[*len] = '\0';
}

static pid_t
spawn_piped(char *const argv[], int *out, int *err)
{
	int po[2], pe[2] = { -1, -1 };
	pid_t pid;

	if (pipe2(po, O_CLOEXEC) == -1 || (err != NULL &&
	    pipe2(pe, O_CLOEXEC) == -1))
		sd_die("pipe");
	if ((pid = fork()) == -1)
		sd_die("fork");
	if (pid == 0) {
		dup2(po[1], 1);
		if (err != NULL)
			dup2(pe[1], 2);
		execv(argv[0], argv);
		fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(po[1]);
	*out = po[0];
	if (err != NULL) {
		close(pe[1]);
		*err = pe[0];
	}
	return pid;
}

static int
status_of(int st)
{
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int
run_argv(struct outcome *o, char *const argv[])
{
	long long deadline = now_ms() + SD_TIMEOUT;
	struct pollfd pfd[2];
	size_t olen = 0, elen = 0;
	char buf[4096];
	ssize_t n;
	int fo, fe, open_fds = 2, i, st;
	pid_t pid;

	memset(o, 0, sizeof(*o));
	append(&o->out, &olen, "", 0);
	append(&o->err, &elen, "", 0);
	pid = spawn_piped(argv, &fo, &fe);
	pfd[0].fd = fo;
	pfd[1].fd = fe;
	pfd[0].events = pfd[1].events = POLLIN;
	while (open_fds > 0) {
		if (poll(pfd, 2, ms_left(deadline)) <= 0) {
			fprintf(stderr, "sdtest: %s did not end\n", argv[0]);
			kill(pid, SIGKILL);
			break;
		}
		for (i = 0; i < 2; i++) {
			if (pfd[i].fd == -1 || pfd[i].revents == 0)
				continue;
			if ((n = read(pfd[i].fd, buf, sizeof(buf))) > 0) {
				if (i == 0)
					append(&o->out, &olen, buf, (size_t)n);
				else
					append(&o->err, &elen, buf, (size_t)n);
				continue;
			}
			close(pfd[i].fd);
			pfd[i].fd = -1;
			open_fds--;
		}
	}
	for (i = 0; i < 2; i++)
		if (pfd[i].fd != -1)
			close(pfd[i].fd);
	if (waitpid(pid, &st, 0) == -1)
		sd_die("waitpid");
	o->status = open_fds > 0 ? -1 : status_of(st);
	return o->status;
}

void
outcome_free(struct outcome *o)
{
	free(o->out);
	free(o->err);
	o->out = o->err = NULL;
}

int
bg_start(struct bg *b, char *const argv[])
{
	memset(b, 0, sizeof(*b));
	b->pid = spawn_piped(argv, &b->fd, NULL);
	return 0;
}

char *
bg_line(struct bg *b)
{
	long long deadline = now_ms() + SD_TIMEOUT;
	struct pollfd pfd = { b->fd, POLLIN, 0 };
	char *nl, *line;
	ssize_t n;

	for (;;) {
		if ((nl = memchr(b->buf, '\n', b->len)) != NULL) {
			if ((line = strndup(b->buf, (size_t)(nl - b->buf))) ==
			    NULL)
				sd_die("strndup");
			b->len -= (size_t)(nl - b->buf) + 1;
			memmove(b->buf, nl + 1, b->len);
			return line;
		}
		if (b->eof || b->len == sizeof(b->buf))
			return NULL;
		if (poll(&pfd, 1, ms_left(deadline)) <= 0) {
			fprintf(stderr, "sdtest: no line in %d ms\n",
			    SD_TIMEOUT);
			return NULL;
		}
		if ((n = read(b->fd, b->buf + b->len, sizeof(b->buf) -
		    b->len)) <= 0)
			b->eof = 1;
		else
			b->len += (size_t)n;
	}
}

int
bg_wait(struct bg *b)
{
	long long deadline = now_ms() + SD_TIMEOUT;
	struct pollfd pfd;
	int st, fd;

	if ((fd = (int)syscall(SYS_pidfd_open, b->pid, 0)) == -1)
		sd_die("pidfd_open");
	pfd.fd = fd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, ms_left(deadline)) <= 0) {
		fprintf(stderr, "sdtest: background program did not end\n");
		kill(b->pid, SIGKILL);
	}
	close(fd);
	close(b->fd);
	if (waitpid(b->pid, &st, 0) == -1)
		sd_die("waitpid");
	return status_of(st);
}

/* ---------------------------------------------------------------- */
/* Processes, by /proc. */

/* Fields of /proc/PID/stat after the command, which may hold spaces. */
static int
stat_fields(pid_t pid, char *state, long *ppid, long *pgid)
{
	char path[64], buf[1024], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	if ((p = strrchr(buf, ')')) == NULL ||
	    sscanf(p + 1, " %c %ld %ld", state, ppid, pgid) != 3)
		return -1;
	return 0;
}

char
proc_state(pid_t pid)
{
	char st;
	long pp, pg;

	return stat_fields(pid, &st, &pp, &pg) == -1 ? 0 : st;
}

pid_t
proc_ppid(pid_t pid)
{
	char st;
	long pp, pg;

	return stat_fields(pid, &st, &pp, &pg) == -1 ? -1 : (pid_t)pp;
}

pid_t
proc_pgid(pid_t pid)
{
	char st;
	long pp, pg;

	return stat_fields(pid, &st, &pp, &pg) == -1 ? -1 : (pid_t)pg;
}

static void
nap(void)
{
	struct timespec ts = { 0, 5 * 1000000L };

	nanosleep(&ts, NULL);
}

/*
 * No event says "reaped" for a process that is not ours, so look: the
 * pidfd says when it exited, /proc when its parent reaped it (a zombie
 * keeps its /proc entry, in state Z).
 */
int
wait_gone(pid_t pid)
{
	long long deadline = now_ms() + SD_TIMEOUT;
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);
	struct pollfd pfd = { fd, POLLIN, 0 };

	if (fd != -1) {
		(void)poll(&pfd, 1, ms_left(deadline));
		close(fd);
	}
	while (proc_state(pid) != 0) {
		if (ms_left(deadline) == 0) {
			fprintf(stderr, "sdtest: %d still there, state %c\n",
			    (int)pid, proc_state(pid));
			return -1;
		}
		nap();
	}
	return 0;
}

int
wait_ppid(pid_t pid, pid_t ppid)
{
	long long deadline = now_ms() + SD_TIMEOUT;

	while (proc_ppid(pid) != ppid) {
		if (ms_left(deadline) == 0 || proc_state(pid) == 0)
			return -1;
		nap();
	}
	return 0;
}

/* ---------------------------------------------------------------- */
/* Text. */

int
count_lines(const char *s)
{
	int n = 0;

	for (; *s != '\0'; s++)
		if (*s == '\n' || s[1] == '\0')
			n++;
	return n;
}

const char *
kv(const char *text, const char *key)
{
	static char val[4096];
	size_t klen = strlen(key);
	const char *line, *nl;

	for (line = text; line != NULL && *line != '\0';
	    line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		if (strncmp(line, key, klen) == 0 && line[klen] == '=') {
			snprintf(val, sizeof(val), "%.*s", (int)((nl ? nl :
			    line + strlen(line)) - line - (ptrdiff_t)klen - 1),
			    line + klen + 1);
			return val;
		}
	}
	return NULL;
}
