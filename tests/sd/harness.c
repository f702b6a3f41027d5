/*
 * harness.c: start a real supervisord, follow its event stream through
 * libmsg, and run supervisorctl, all waiting on events with upper bounds.
 */
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "harness.h"
#include "msg.h"

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
left(long long deadline)
{
	long long l = deadline - now_ms();

	return l < 0 ? 0 : (int)l;
}

static void
die(const char *what)
{
	fprintf(stderr, "harness: %s: %s\n", what, strerror(errno));
	exit(99);
}

const char *
sd_bin(const char *rel)
{
	static char buf[4][1024];
	static int i;
	const char *top = getenv("top_builddir");

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", top ? top : ".", rel);
	return buf[i];
}

const char *
sd_file(struct sd *sd, const char *name)
{
	static char buf[4][600];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", sd->dir, name);
	return buf[i];
}

void
sd_config(struct sd *sd, const char *fmt, ...)
{
	va_list ap;
	FILE *f;

	memset(sd, 0, sizeof(*sd));
	sd->pid = -1;
	sd->pidfd = -1;
	strlcpy(sd->dir, "/tmp/sdtest.XXXXXX", sizeof(sd->dir));
	if (mkdtemp(sd->dir) == NULL)
		die("mkdtemp");
	snprintf(sd->rundir, sizeof(sd->rundir), "%s/run", sd->dir);
	snprintf(sd->conf, sizeof(sd->conf), "%s/tree.json", sd->dir);
	if ((f = fopen(sd->conf, "w")) == NULL)
		die("config");
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fclose(f);
	sd->seen = json_array();
}

static int
notify_socket(struct sd *sd, char *path, size_t size)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/ready.sock", sd->dir);
	strlcpy(path, sun.sun_path, size);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		die("notify socket");
	return fd;
}

static void
reap(struct sd *sd)
{
	if (sd->exited || sd->pid <= 0)
		return;
	if (waitpid(sd->pid, &sd->status, WNOHANG) == sd->pid)
		sd->exited = 1;
}

/* Wait for READY=1 on nfd, or for the daemon's exit (its pidfd). */
static int
wait_ready(struct sd *sd, int nfd)
{
	struct pollfd pfd[2] = { { nfd, POLLIN, 0 }, { sd->pidfd, POLLIN, 0 } };
	long long deadline = now_ms() + SD_TIMEOUT;
	char buf[512];
	ssize_t n;

	while (poll(pfd, 2, left(deadline)) > 0) {
		if (pfd[1].revents) {
			waitpid(sd->pid, &sd->status, 0);
			sd->exited = 1;
			return -1;
		}
		if ((n = recv(nfd, buf, sizeof(buf) - 1, 0)) > 0) {
			buf[n] = '\0';
			if (strstr(buf, "READY=1") != NULL)
				return 0;
		}
	}
	fprintf(stderr, "harness: supervisord not ready in %d ms\n",
	    SD_TIMEOUT);
	return -1;
}

static void
follow_events(struct sd *sd)
{
	json_t *hist = NULL, *e;
	size_t i;
	char ctl[400];

	snprintf(ctl, sizeof(ctl), "%s/supervisord.sock", sd->rundir);
	if ((sd->ev = msg_connect(ctl, SD_TIMEOUT)) == NULL)
		die("connect to the control socket");
	if (msg_subscribe(sd->ev, "") != MSG_OK)
		die("subscribe");
	if (msg_call_json(sd->ev, msg_tag("history"), NULL, SD_TIMEOUT,
	    &hist) != MSG_OK)
		die("history");
	json_array_foreach(hist, i, e)
		json_array_append(sd->seen, e);
	json_decref(hist);
}

int
sd_start(struct sd *sd, const char *extra)
{
	char npath[300];
	int nfd = notify_socket(sd, npath, sizeof(npath));

	if ((sd->pid = fork()) == -1)
		die("fork");
	if (sd->pid == 0) {
		setenv("NOTIFY_SOCKET", npath, 1);
		setenv("PATH", "/usr/local/bin:/usr/bin:/bin", 1);
		setenv("SUPERVISORD_WORKERDIR", sd_bin("workers"), 1);
		unsetenv("MSG_RUNDIR");
		/* SD_VALGRIND=1: the daemon runs under valgrind; a leak, a
		 * memory error or a leaked descriptor makes it exit 99. */
		if (getenv("SD_VALGRIND") != NULL)
			execlp("valgrind", "valgrind", "-q", "--leak-check=full",
			    "--errors-for-leak-kinds=definite",
			    "--error-exitcode=99", "--track-fds=yes",
			    "--child-silent-after-fork=yes",
			    sd_bin("supervisord/supervisord"), "-f", "-r",
			    sd->rundir, "-c", sd->conf, extra, (char *)NULL);
		else
			execl(sd_bin("supervisord/supervisord"), "supervisord",
			    "-f", "-r", sd->rundir, "-c", sd->conf, extra,
			    (char *)NULL);
		_exit(127);
	}
	if ((sd->pidfd = (int)syscall(SYS_pidfd_open, sd->pid, 0)) == -1)
		die("pidfd_open");
	if (wait_ready(sd, nfd) == -1) {
		close(nfd);
		return -1;
	}
	close(nfd);
	follow_events(sd);
	return 0;
}

static int
matches(json_t *e, const char *event, const char *path)
{
	return (event == NULL || strcmp(sd_str(e, "event"), event) == 0) &&
	    (path == NULL || strcmp(sd_str(e, "path"), path) == 0);
}

static json_t *
scan(struct sd *sd, size_t from, const char *event, const char *path,
    size_t *at)
{
	size_t i;

	for (i = from; i < json_array_size(sd->seen); i++) {
		if (matches(json_array_get(sd->seen, i), event, path)) {
			*at = i;
			return json_array_get(sd->seen, i);
		}
	}
	return NULL;
}

/* Take one more event off the stream; -1 when none came in time. */
static int
receive(struct sd *sd, long long deadline)
{
	struct msg_message m;
	json_t *e, *last;
	long long lastseq;

	for (;;) {
		if (msg_recv(sd->ev, left(deadline), &m) != MSG_OK)
			return -1;
		if (m.kind != MSG_EVENT ||
		    (e = json_loadb(m.data, m.len, 0, NULL)) == NULL)
			continue;
		last = json_array_get(sd->seen, json_array_size(sd->seen) - 1);
		lastseq = last ? sd_int(last, "seq") : 0;
		if (sd_int(e, "seq") > lastseq) {
			json_array_append_new(sd->seen, e);
			return 0;
		}
		json_decref(e);
	}
}

json_t *
sd_wait(struct sd *sd, const char *event, const char *path)
{
	long long deadline = now_ms() + SD_TIMEOUT;
	size_t at;
	json_t *e;

	while ((e = scan(sd, sd->cursor, event, path, &at)) == NULL)
		if (sd->ev == NULL || receive(sd, deadline) == -1) {
			fprintf(stderr, "harness: no \"%s\" event for %s\n",
			    event ? event : "any", path ? path : "any path");
			return NULL;
		}
	sd->cursor = at + 1;
	return e;
}

json_t *
sd_find(struct sd *sd, const char *event, const char *path)
{
	size_t at;

	return scan(sd, 0, event, path, &at);
}

int
sd_ctl(struct sd *sd, char **out, const char *args)
{
	char cmd[2048], *buf = NULL;
	size_t len = 0, cap = 0;
	FILE *p;
	int c, st;

	snprintf(cmd, sizeof(cmd), "%s -r %s %s", sd_bin(
	    "supervisord/supervisorctl"), sd->rundir, args);
	if ((p = popen(cmd, "r")) == NULL)
		die("popen");
	while ((c = fgetc(p)) != EOF) {
		if (len + 2 > cap && (buf = realloc(buf, cap = cap * 2 + 256)) ==
		    NULL)
			die("realloc");
		buf[len++] = (char)c;
	}
	if (buf == NULL && (buf = calloc(1, 1)) == NULL)
		die("calloc");
	buf[len] = '\0';
	st = pclose(p);
	if (out != NULL)
		*out = buf;
	else
		free(buf);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int
sd_wait_exit(struct sd *sd)
{
	struct pollfd pfd = { sd->pidfd, POLLIN, 0 };

	if (!sd->exited) {
		if (poll(&pfd, 1, SD_TIMEOUT) <= 0) {
			fprintf(stderr, "harness: supervisord did not exit\n");
			return -1;
		}
		waitpid(sd->pid, &sd->status, 0);
		sd->exited = 1;
	}
	/* Drain what it said before going: every event reaches us. */
	while (sd->ev != NULL && receive(sd, now_ms() + 1000) == 0)
		;
	return WIFEXITED(sd->status) ? WEXITSTATUS(sd->status) :
	    128 + WTERMSIG(sd->status);
}

int
sd_stop(struct sd *sd)
{
	int rc;

	reap(sd);
	if (!sd->exited && sd->pid > 0)
		kill(sd->pid, SIGTERM);
	rc = sd_wait_exit(sd);
	sd_cleanup(sd);
	return rc;
}

void
sd_cleanup(struct sd *sd)
{
	char cmd[600];

	reap(sd);
	if (!sd->exited && sd->pid > 0) {
		kill(sd->pid, SIGKILL);
		waitpid(sd->pid, NULL, 0);
		sd->exited = 1;
	}
	if (sd->pidfd != -1)
		close(sd->pidfd);
	sd->pidfd = -1;
	msg_close(sd->ev);
	sd->ev = NULL;
	json_decref(sd->seen);
	sd->seen = NULL;
	if (sd->dir[0] != '\0' && getenv("SD_KEEP") == NULL) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", sd->dir);
		(void)!system(cmd);
	}
	sd->dir[0] = '\0';
}

/* Sleep on inotify until name is closed after writing, then read it. */
char *
sd_read_file(struct sd *sd, const char *name)
{
	long long deadline = now_ms() + SD_TIMEOUT;
	char buf[4096], *s = NULL;
	struct pollfd pfd;
	FILE *f;
	size_t n;
	int fd;

	if ((fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK)) == -1 ||
	    inotify_add_watch(fd, sd->dir, IN_CLOSE_WRITE | IN_MOVED_TO) == -1)
		die("inotify");
	for (;;) {
		if ((f = fopen(sd_file(sd, name), "r")) != NULL) {
			n = fread(buf, 1, sizeof(buf) - 1, f);
			fclose(f);
			buf[n] = '\0';
			if (n > 0 && buf[n - 1] == '\n') {
				s = strdup(buf);
				break;
			}
		}
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, left(deadline)) <= 0)
			break;
		while (read(fd, buf, sizeof(buf)) > 0)
			;
	}
	close(fd);
	return s;
}

long long
sd_int(json_t *ev, const char *key)
{
	return json_integer_value(json_object_get(ev, key));
}

const char *
sd_str(json_t *ev, const char *key)
{
	const char *s = json_string_value(json_object_get(ev, key));

	return s ? s : "";
}
