/*
 * sdutil.c: running programs to their end or in the background, /proc
 * lookups and config rewrites for the supervisord tests. Every wait has
 * an upper bound (SD_TIMEOUT) and ends on the event it waits for.
 */
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sdutil.h"

#define MAXARGS	64

static long long
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
left(long long deadline)
{
	long long l = deadline - mono_ms();

	return l < 0 ? 0 : (int)l;
}

static void
die(const char *what)
{
	fprintf(stderr, "sdutil: %s: %s\n", what, strerror(errno));
	exit(99);
}

static void
append(char **buf, size_t *len, const char *data, size_t n)
{
	if ((*buf = realloc(*buf, *len + n + 1)) == NULL)
		die("realloc");
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
		die("pipe");
	if ((pid = fork()) == -1)
		die("fork");
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
	long long deadline = mono_ms() + SD_TIMEOUT;
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
		if (poll(pfd, 2, left(deadline)) <= 0) {
			fprintf(stderr, "sdutil: %s did not end\n", argv[0]);
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
		die("waitpid");
	o->status = open_fds > 0 ? -1 : status_of(st);
	return o->status;
}

static int
run_va(struct outcome *o, const char *prog, const char *pre1,
    const char *pre2, va_list ap)
{
	char *argv[MAXARGS];
	const char *a;
	int n = 0;

	argv[n++] = (char *)prog;
	if (pre1 != NULL) {
		argv[n++] = (char *)pre1;
		argv[n++] = (char *)pre2;
	}
	while ((a = va_arg(ap, const char *)) != NULL && n < MAXARGS - 1)
		argv[n++] = (char *)a;
	argv[n] = NULL;
	return run_argv(o, argv);
}

int
ctl(struct sd *sd, struct outcome *o, ...)
{
	va_list ap;
	int r;

	va_start(ap, o);
	r = run_va(o, sd_bin("supervisord/supervisorctl"), "-r", sd->rundir,
	    ap);
	va_end(ap);
	return r;
}

int
supd(struct outcome *o, ...)
{
	va_list ap;
	int r;

	va_start(ap, o);
	r = run_va(o, sd_bin("supervisord/supervisord"), NULL, NULL, ap);
	va_end(ap);
	return r;
}

void
sd_spawn(struct sd *sd)
{
	if ((sd->pid = fork()) == -1)
		die("fork");
	if (sd->pid == 0) {
		setenv("PATH", "/usr/local/bin:/usr/bin:/bin", 1);
		unsetenv("NOTIFY_SOCKET");
		unsetenv("MSG_RUNDIR");
		execl(sd_bin("supervisord/supervisord"), "supervisord", "-f",
		    "-r", sd->rundir, "-c", sd->conf, (char *)NULL);
		_exit(127);
	}
	if ((sd->pidfd = (int)syscall(SYS_pidfd_open, sd->pid, 0)) == -1)
		die("pidfd_open");
}

void
outcome_free(struct outcome *o)
{
	free(o->out);
	free(o->err);
	o->out = o->err = NULL;
}

int
count_lines(const char *s)
{
	int n = 0;

	for (; *s != '\0'; s++)
		if (*s == '\n' || s[1] == '\0')
			n++;
	return n;
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
	long long deadline = mono_ms() + SD_TIMEOUT;
	struct pollfd pfd = { b->fd, POLLIN, 0 };
	char *nl, *line;
	ssize_t n;

	for (;;) {
		if ((nl = memchr(b->buf, '\n', b->len)) != NULL) {
			if ((line = strndup(b->buf, (size_t)(nl - b->buf))) ==
			    NULL)
				die("strndup");
			b->len -= (size_t)(nl - b->buf) + 1;
			memmove(b->buf, nl + 1, b->len);
			return line;
		}
		if (b->eof || b->len == sizeof(b->buf))
			return NULL;
		if (poll(&pfd, 1, left(deadline)) <= 0) {
			fprintf(stderr, "sdutil: no line in %d ms\n",
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
	long long deadline = mono_ms() + SD_TIMEOUT;
	int st, fd;

	if ((fd = (int)syscall(SYS_pidfd_open, b->pid, 0)) == -1)
		die("pidfd_open");
	{
		struct pollfd pfd = { fd, POLLIN, 0 };

		if (poll(&pfd, 1, left(deadline)) <= 0) {
			fprintf(stderr, "sdutil: background program did not "
			    "end\n");
			kill(b->pid, SIGKILL);
		}
	}
	close(fd);
	close(b->fd);
	if (waitpid(b->pid, &st, 0) == -1)
		die("waitpid");
	return status_of(st);
}

double
now_real(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

double
ev_ts(json_t *ev)
{
	return json_number_value(json_object_get(ev, "ts"));
}

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
	long long deadline = mono_ms() + SD_TIMEOUT;
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);
	struct pollfd pfd = { fd, POLLIN, 0 };

	if (fd != -1) {
		(void)poll(&pfd, 1, left(deadline));
		close(fd);
	}
	while (proc_state(pid) != 0) {
		if (left(deadline) == 0) {
			fprintf(stderr, "sdutil: %d still there, state %c\n",
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
	long long deadline = mono_ms() + SD_TIMEOUT;

	while (proc_ppid(pid) != ppid) {
		if (left(deadline) == 0 || proc_state(pid) == 0)
			return -1;
		nap();
	}
	return 0;
}

static void
write_atomic(const char *path, const char *text)
{
	char tmp[700];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.new", path);
	if ((f = fopen(tmp, "w")) == NULL)
		die(tmp);
	fputs(text, f);
	if (fclose(f) != 0 || rename(tmp, path) == -1)
		die(path);
}

void
sd_rewrite(struct sd *sd, const char *fmt, ...)
{
	va_list ap;
	char *text;

	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) == -1)
		die("vasprintf");
	va_end(ap);
	write_atomic(sd->conf, text);
	free(text);
}

void
put_file(struct sd *sd, const char *name, const char *text)
{
	write_atomic(sd_file(sd, name), text);
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

json_t *
node_status(struct sd *sd, const char *path)
{
	struct outcome o;
	json_t *all, *n, *found = NULL;
	size_t i;

	ctl(sd, &o, "status", "--json", (char *)NULL);
	if ((all = json_loads(o.out, 0, NULL)) != NULL) {
		json_array_foreach(all, i, n)
			if (strcmp(sd_str(n, "path"), path) == 0)
				found = json_incref(n);
		json_decref(all);
	}
	outcome_free(&o);
	return found;
}
