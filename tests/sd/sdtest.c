/*
 * sdtest.c: start a real supervisord, follow its event stream through
 * libmsg, match events, run supervisorctl, and the cmocka fixture that
 * proves no process outlived the daemon (sdtest.h).
 */
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "msg.h"
#include "sdtest.h"

#define MAXARGS		64
#define DAEMON_LOG	"daemon.log"

static int	receive(struct sd *, long long);

#define PATHLEN		1024

/* Eight buffers in turn: a few paths stay valid at once. */
static char *
path_buf(void)
{
	static char buf[8][PATHLEN];
	static int i;

	i = (i + 1) % 8;
	return buf[i];
}

const char *
sd_bin(const char *rel)
{
	const char *top = getenv("top_builddir");
	char *p = path_buf();

	snprintf(p, PATHLEN, "%s/%s", top ? top : ".", rel);
	return p;
}

const char *
sd_file(struct sd *sd, const char *name)
{
	char *p = path_buf();

	snprintf(p, PATHLEN, "%s/%s", sd->dir, name);
	return p;
}

const char *
sd_sock(struct sd *sd, const char *name)
{
	char *p = path_buf();

	snprintf(p, PATHLEN, "%s/%s.sock", sd->rundir,
	    name != NULL ? name : "supervisord");
	return p;
}

const char *
sd_child(void)
{
	static char path[1024];

	strlcpy(path, sd_bin("tests/sd/sdchild"), sizeof(path));
	return path;
}

/* tmp + rename: a reader never sees half a file. */
static void
write_atomic(const char *path, const char *text)
{
	char tmp[700];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.new", path);
	if ((f = fopen(tmp, "w")) == NULL)
		sd_die(tmp);
	fputs(text, f);
	if (fclose(f) != 0 || rename(tmp, path) == -1)
		sd_die(path);
}

/* ---------------------------------------------------------------- */
/* The daemon. */

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
		sd_die("mkdtemp");
	snprintf(sd->rundir, sizeof(sd->rundir), "%s/run", sd->dir);
	snprintf(sd->statedir, sizeof(sd->statedir), "%s/state", sd->dir);
	snprintf(sd->conf, sizeof(sd->conf), "%s/tree.json", sd->dir);
	if ((f = fopen(sd->conf, "w")) == NULL)
		sd_die("config");
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fclose(f);
	sd->seen = json_array();
}

void
sd_rewrite(struct sd *sd, const char *fmt, ...)
{
	va_list ap;
	char *text;

	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) == -1)
		sd_die("vasprintf");
	va_end(ap);
	write_atomic(sd->conf, text);
	free(text);
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
	unlink(sun.sun_path);	/* from a daemon started before on sd */
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		sd_die("notify socket");
	return fd;
}

static void
add_args(char **argv, int *n, const char *const *list)
{
	for (; list != NULL && *list != NULL && *n < MAXARGS - 1; list++)
		argv[(*n)++] = (char *)*list;
}

/*
 * [wrapper] [valgrind] supervisord -f -r RUNDIR -S STATEDIR -c CONF
 * [args]. Under
 * SD_VALGRIND=1 a leak, a memory error or a leaked descriptor makes it
 * exit 99.
 */
static void
daemon_argv(struct sd *sd, const struct sd_opts *o, char **argv)
{
	static const char *const valgrind[] = { "valgrind", "-q",
	    "--leak-check=full", "--errors-for-leak-kinds=definite",
	    "--error-exitcode=99", "--track-fds=yes",
	    "--child-silent-after-fork=yes", NULL };
	int n = 0;

	add_args(argv, &n, o->wrapper);
	if (getenv("SD_VALGRIND") != NULL)
		add_args(argv, &n, valgrind);
	argv[n++] = (char *)sd_bin("supervisord/supervisord");
	argv[n++] = (char *)"-f";
	argv[n++] = (char *)"-r";
	argv[n++] = sd->rundir;
	argv[n++] = (char *)"-S";
	argv[n++] = o->statedir != NULL ? (char *)o->statedir : sd->statedir;
	argv[n++] = (char *)"-c";
	argv[n++] = sd->conf;
	add_args(argv, &n, o->args);
	argv[n] = NULL;
}

/* In the child: the daemon's environment and stderr, then exec. */
static void
exec_daemon(struct sd *sd, const struct sd_opts *o, const char *notify)
{
	const char *const *e;
	char *argv[MAXARGS];
	int fd;

	if (notify != NULL)
		setenv("NOTIFY_SOCKET", notify, 1);
	else
		unsetenv("NOTIFY_SOCKET");
	setenv("PATH", "/usr/local/bin:/usr/bin:/bin", 1);
	setenv("SUPERVISORD_WORKERDIR", sd_bin("workers"), 1);
	unsetenv("MSG_RUNDIR");
	for (e = o->env; e != NULL && *e != NULL; e++)
		if (strchr(*e, '=') != NULL)
			putenv((char *)*e);
		else
			unsetenv(*e);
	if (o->log) {
		if ((fd = open(sd_file(sd, DAEMON_LOG), O_WRONLY | O_CREAT |
		    O_APPEND | O_CLOEXEC, 0644)) == -1)
			_exit(126);
		dup2(fd, 2);
	}
	daemon_argv(sd, o, argv);
	execvp(argv[0], argv);
	fprintf(stderr, "sdtest: exec %s: %s\n", argv[0], strerror(errno));
	_exit(127);
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

	while (poll(pfd, 2, ms_left(deadline)) > 0) {
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
	fprintf(stderr, "sdtest: supervisord not ready in %d ms\n",
	    SD_TIMEOUT);
	return -1;
}

/* Subscribe to everything, and take the history up to now. */
static int
follow_events(struct sd *sd)
{
	json_t *hist = NULL, *e;
	size_t i;

	if ((sd->ev = msg_connect(sd_sock(sd, NULL), SD_TIMEOUT)) == NULL ||
	    msg_subscribe(sd->ev, "") != MSG_OK ||
	    msg_call_json(sd->ev, msg_tag("history"), NULL, SD_TIMEOUT,
	    &hist) != MSG_OK) {
		fprintf(stderr, "sdtest: cannot follow events on %s\n",
		    sd_sock(sd, NULL));
		return -1;
	}
	json_array_foreach(hist, i, e)
		json_array_append(sd->seen, e);
	json_decref(hist);
	return 0;
}

/* The gate file holds a line: its writer's pid, tracked. */
static int
wait_gate(struct sd *sd, const char *name)
{
	char *s;

	if ((s = sd_read_file(sd, name)) == NULL) {
		fprintf(stderr, "sdtest: %s never appeared\n", name);
		return -1;
	}
	sd_track((pid_t)strtol(s, NULL, 10));
	free(s);
	return 0;
}

int
sd_start(struct sd *sd, const struct sd_opts *opts)
{
	static const struct sd_opts none;
	const struct sd_opts *o = opts != NULL ? opts : &none;
	char npath[300];
	int nfd = -1, rc = 0;

	if (!o->nowait && o->gate == NULL)
		nfd = notify_socket(sd, npath, sizeof(npath));
	/* Again after a daemon that ended (a SIGKILL test). */
	if (sd->pidfd != -1 && sd->exited) {
		close(sd->pidfd);
		msg_close(sd->ev);
		sd->ev = NULL;
	}
	sd->exited = 0;
	sd->status = 0;
	fflush(NULL);
	if ((sd->pid = fork()) == -1)
		sd_die("fork");
	if (sd->pid == 0)
		exec_daemon(sd, o, nfd != -1 ? npath : NULL);
	if ((sd->pidfd = (int)syscall(SYS_pidfd_open, sd->pid, 0)) == -1)
		sd_die("pidfd_open");
	if (nfd != -1) {
		rc = wait_ready(sd, nfd);
		close(nfd);
	} else if (o->gate != NULL)
		rc = wait_gate(sd, o->gate);
	if (rc == 0 && !o->nowait)
		rc = follow_events(sd);
	return rc;
}

int
sd_start_gated(struct sd *sd, const char *up)
{
	return sd_start(sd, &(struct sd_opts){ .gate = up, .log = 1 });
}

int
sd_wait_exit(struct sd *sd)
{
	struct pollfd pfd = { sd->pidfd, POLLIN, 0 };

	if (!sd->exited) {
		if (poll(&pfd, 1, SD_TIMEOUT) <= 0) {
			fprintf(stderr, "sdtest: supervisord did not exit\n");
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

void
sd_finish(struct sd *sd)
{
	if (sd->seen == NULL)
		return;
	if (sd->dir[0] != '\0')
		sd_go(sd);
	if (sd->pid > 0)
		sd_stop(sd);
	else
		sd_cleanup(sd);
}

char *
sd_log(struct sd *sd)
{
	char *buf;
	FILE *f;
	size_t n;

	if ((buf = calloc(1, 65536)) == NULL)
		return NULL;
	if ((f = fopen(sd_file(sd, DAEMON_LOG), "r")) != NULL) {
		n = fread(buf, 1, 65535, f);
		buf[n] = '\0';
		fclose(f);
	}
	return buf;
}

/* ---------------------------------------------------------------- */
/* Events. */

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

double
ev_ts(json_t *ev)
{
	return json_number_value(json_object_get(ev, "ts"));
}

/* A function, not jansson's json_is_true, which evaluates e twice. */
int
sd_by_supervisor(json_t *e)
{
	return json_is_true(json_object_get(e, "by_supervisor"));
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
		if (msg_recv(sd->ev, ms_left(deadline), &m) != MSG_OK)
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
sd_wait_ms(struct sd *sd, const char *event, const char *path, int ms)
{
	long long deadline = now_ms() + ms;
	size_t at;
	json_t *e;

	while ((e = scan(sd, sd->cursor, event, path, &at)) == NULL)
		if (sd->ev == NULL || receive(sd, deadline) == -1)
			return NULL;
	sd->cursor = at + 1;
	return e;
}

json_t *
sd_wait(struct sd *sd, const char *event, const char *path)
{
	json_t *e = sd_wait_ms(sd, event, path, SD_TIMEOUT);

	if (e == NULL)
		fprintf(stderr, "sdtest: no \"%s\" event for %s\n",
		    event ? event : "any", path ? path : "any path");
	return e;
}

json_t *
sd_find(struct sd *sd, const char *event, const char *path)
{
	size_t at;

	return scan(sd, 0, event, path, &at);
}

int
sd_count(struct sd *sd, size_t from, const char *event, const char *path)
{
	size_t i;
	int n = 0;

	for (i = from; i < json_array_size(sd->seen); i++)
		if (matches(json_array_get(sd->seen, i), event, path))
			n++;
	return n;
}

pid_t
sd_started(struct sd *sd, const char *path)
{
	json_t *e = sd_wait(sd, "started", path);

	assert_non_null(e);
	return (pid_t)sd_int(e, "pid");
}

json_t *
sd_exited(struct sd *sd, const char *path)
{
	json_t *e = sd_wait(sd, "exited", path);

	assert_non_null(e);
	return e;
}

pid_t
sd_pid(struct sd *sd, const char *path)
{
	size_t i = json_array_size(sd->seen);
	json_t *e;

	while (i-- > 0) {
		e = json_array_get(sd->seen, i);
		if (matches(e, "started", path) &&
		    json_object_get(e, "pid") != NULL)
			return (pid_t)sd_int(e, "pid");
	}
	return -1;
}

/* ---------------------------------------------------------------- */
/* Expectations: "EVENT PATH KEY=VALUE KEY~SUB...". */

void
sd_dump(struct sd *sd)
{
	json_t *e;
	size_t i;
	char *s;

	fprintf(stderr, "sdtest: events seen (cursor at %zu):\n", sd->cursor);
	json_array_foreach(sd->seen, i, e) {
		s = json_dumps(e, JSON_COMPACT | JSON_PRESERVE_ORDER);
		fprintf(stderr, "  %c %s\n", i == sd->cursor ? '>' : ' ',
		    s ? s : "?");
		free(s);
	}
}

/* Does member key of e match want (= exact, ~ substring)? */
static int
member_matches(json_t *e, const char *key, char op, const char *want)
{
	json_t *m = json_object_get(e, key);

	if (m == NULL)
		return 0;
	if (json_is_string(m))
		return op == '~' ? strstr(json_string_value(m), want) != NULL :
		    strcmp(json_string_value(m), want) == 0;
	if (json_is_boolean(m))
		return strcmp(want, json_is_true(m) ? "true" : "false") == 0;
	if (json_is_integer(m))
		return json_integer_value(m) == strtoll(want, NULL, 10);
	return 0;
}

static int
expected(json_t *e, const char *expect)
{
	char buf[512], *tok, *last, op;
	size_t k;
	int n = 0;

	if (e == NULL)
		return 0;
	strlcpy(buf, expect, sizeof(buf));
	for (tok = strtok_r(buf, " ", &last); tok != NULL;
	    tok = strtok_r(NULL, " ", &last), n++) {
		if (n == 0) {
			if (!matches(e, tok, NULL))
				return 0;
		} else if (n == 1) {
			if (!matches(e, NULL, tok))
				return 0;
		} else {
			if (tok[k = strcspn(tok, "=~")] == '\0')
				return 0;
			op = tok[k];
			tok[k] = '\0';
			if (!member_matches(e, tok, op, tok + k + 1))
				return 0;
		}
	}
	return 1;
}

static void
mismatch(struct sd *sd, const char *expect, json_t *got)
{
	char *s = got ? json_dumps(got, JSON_COMPACT | JSON_PRESERVE_ORDER) :
	    NULL;

	fprintf(stderr, "sdtest: expected \"%s\"\nsdtest:      got %s\n",
	    expect, s ? s : "nothing");
	free(s);
	sd_dump(sd);
}

int
sd_expect(struct sd *sd, ...)
{
	const char *exp;
	json_t *e;
	va_list ap;
	int rc = 0;

	va_start(ap, sd);
	while ((exp = va_arg(ap, const char *)) != NULL) {
		e = sd_wait(sd, NULL, NULL);
		if (!expected(e, exp)) {
			mismatch(sd, exp, e);
			rc = -1;
			break;
		}
	}
	va_end(ap);
	return rc;
}

int
sd_expect_any(struct sd *sd, ...)
{
	const char *exp[64];
	json_t *got[64];
	int used[64] = { 0 };
	size_t n = 0, i, j;
	va_list ap;

	va_start(ap, sd);
	while (n < 64 && (exp[n] = va_arg(ap, const char *)) != NULL)
		n++;
	va_end(ap);
	for (i = 0; i < n; i++) {
		if ((got[i] = sd_wait(sd, NULL, NULL)) == NULL) {
			mismatch(sd, exp[i], NULL);
			return -1;
		}
	}
	for (i = 0; i < n; i++) {
		for (j = 0; j < n; j++)
			if (!used[j] && expected(got[i], exp[j]))
				break;
		if (j == n) {
			mismatch(sd, "(one of the unordered set)", got[i]);
			return -1;
		}
		used[j] = 1;
	}
	return 0;
}

int
sd_end(struct sd *sd)
{
	json_t *e;
	size_t i;

	/* Numbered from 1 without a gap: none was lost on the way. */
	json_array_foreach(sd->seen, i, e) {
		if (sd_int(e, "seq") != (long long)i + 1) {
			fprintf(stderr, "sdtest: event %zu has seq %lld\n",
			    i + 1, sd_int(e, "seq"));
			sd_dump(sd);
			return -1;
		}
	}
	if (sd->cursor == json_array_size(sd->seen))
		return 0;
	fprintf(stderr, "sdtest: unexpected events after the last one "
	    "expected\n");
	sd_dump(sd);
	return -1;
}

/* ---------------------------------------------------------------- */
/* supervisorctl, supervisord to its end, status. */

/* prog [pre1 pre2] args...: run to its end. */
static int
run_with(struct outcome *o, const char *prog, const char *pre1,
    const char *pre2, char *const args[])
{
	char *argv[MAXARGS];
	int n = 0;

	argv[n++] = (char *)prog;
	if (pre1 != NULL) {
		argv[n++] = (char *)pre1;
		argv[n++] = (char *)pre2;
	}
	for (; *args != NULL && n < MAXARGS - 1; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	return run_argv(o, argv);
}

/* A NULL-terminated va_list as an array (at most MAXARGS - 1). */
static void
va_args(char **args, va_list ap)
{
	int n = 0;

	while (n < MAXARGS - 1 && (args[n] = va_arg(ap, char *)) != NULL)
		n++;
	args[n] = NULL;
}

void
sd_vctl_expect(struct sd *sd, struct outcome *o, int want, va_list ap)
{
	char *args[16];
	int n = 0;

	while (n < 15 && (args[n] = va_arg(ap, char *)) != NULL)
		n++;
	args[n] = NULL;
	if (sd_ctlv(sd, o, args) != want)
		fail_msg("supervisorctl %s %s: exit %d, want %d; stdout %s; "
		    "stderr %s", args[0], n > 1 ? args[1] : "", o->status, want,
		    o->out, o->err);
}

void
sd_ctl_expect(struct sd *sd, struct outcome *o, int want, ...)
{
	va_list ap;

	va_start(ap, want);
	sd_vctl_expect(sd, o, want, ap);
	va_end(ap);
}

int
sd_ctlv(struct sd *sd, struct outcome *o, char *const args[])
{
	struct outcome mine;
	int r;

	r = run_with(o != NULL ? o : &mine,
	    sd_bin("supervisord/supervisorctl"), "-r", sd->rundir, args);
	if (o == NULL) {
		fputs(mine.err, stderr);
		outcome_free(&mine);
	}
	return r;
}

int
sd_ctl(struct sd *sd, struct outcome *o, ...)
{
	char *args[MAXARGS];
	va_list ap;

	va_start(ap, o);
	va_args(args, ap);
	va_end(ap);
	return sd_ctlv(sd, o, args);
}

int
supd(struct outcome *o, ...)
{
	char *args[MAXARGS];
	va_list ap;

	va_start(ap, o);
	va_args(args, ap);
	va_end(ap);
	return run_with(o, sd_bin("supervisord/supervisord"), NULL, NULL,
	    args);
}

json_t *
sd_node(struct sd *sd, const char *path)
{
	struct outcome o;
	json_t *all, *n, *found = NULL;
	size_t i;

	sd_ctl(sd, &o, "status", "--json", (char *)NULL);
	if ((all = json_loads(o.out, 0, NULL)) != NULL) {
		json_array_foreach(all, i, n)
			if (strcmp(sd_str(n, "path"), path) == 0)
				found = json_incref(n);
		json_decref(all);
	}
	outcome_free(&o);
	return found;
}

void
assert_state(struct sd *sd, const char *path, const char *want)
{
	json_t *n = sd_node(sd, path);

	if (want == NULL) {
		if (n != NULL)
			fail_msg("%s: %s, expected gone", path,
			    sd_str(n, "state"));
		return;
	}
	if (n == NULL)
		fail_msg("%s: not in status, expected %s", path, want);
	if (strcmp(sd_str(n, "state"), want) != 0)
		fail_msg("%s: state %s, expected %s", path, sd_str(n, "state"),
		    want);
	json_decref(n);
}

int
sd_raw_connect(struct sd *sd)
{
	struct sockaddr_un sun;
	int fd, saved;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlcpy(sun.sun_path, sd_sock(sd, NULL), sizeof(sun.sun_path)) >=
	    sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

/* ---------------------------------------------------------------- */
/* The cmocka fixture. */

struct fixture {
	struct sd	 sd;		/* first: *state is a struct sd */
	const void	*param;
};

#define MAXTRACK 256
static pid_t	tracked[MAXTRACK];
static size_t	ntracked;

int
sd_setup(void **state)
{
	struct fixture *f;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return -1;
	f->param = *state;
	f->sd.pid = -1;
	f->sd.pidfd = -1;
	ntracked = 0;
	*state = f;
	return 0;
}

const void *
sd_param(void **state)
{
	return ((struct fixture *)*state)->param;
}

void
sd_track(pid_t pid)
{
	if (pid > 0 && ntracked < MAXTRACK)
		tracked[ntracked++] = pid;
}

static int
alive(pid_t pid)
{
	return kill(pid, 0) == 0 || errno != ESRCH ||
	    kill(-pid, 0) == 0 || errno != ESRCH;
}

int
sd_end_orphans(struct sd *sd)
{
	json_t *e, *p;
	size_t i;
	pid_t pid;
	int rc = 0;

	json_array_foreach(sd->seen, i, e) {
		if (!json_is_integer(p = json_object_get(e, "pid")))
			continue;
		pid = (pid_t)json_integer_value(p);
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
		if (wait_gone(pid) == -1)
			rc = -1;
	}
	return rc;
}

/* A daemon log kept in the test dir goes to the test's log, once. */
static void
show_log(struct sd *sd)
{
	char buf[4096];
	size_t n;
	FILE *f;

	if ((f = fopen(sd_file(sd, DAEMON_LOG), "r")) == NULL)
		return;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, stderr);
	fclose(f);
	unlink(sd_file(sd, DAEMON_LOG));
}

int
sd_teardown(void **state)
{
	struct fixture *f = *state;
	struct sd *sd = &f->sd;
	json_t *e, *p;
	size_t i;
	int rc = 0;

	if (sd->seen != NULL) {
		if (sd->pid > 0 && !sd->exited) {
			kill(sd->pid, SIGTERM);
			if (sd_wait_exit(sd) == -1)
				rc = -1;
		}
		json_array_foreach(sd->seen, i, e)
			if (json_is_integer(p = json_object_get(e, "pid")))
				sd_track((pid_t)json_integer_value(p));
		show_log(sd);
		sd_cleanup(sd);
	}
	for (i = 0; i < ntracked; i++) {
		if (!alive(tracked[i]))
			continue;
		fprintf(stderr, "sdtest: pid %d outlived supervisord\n",
		    (int)tracked[i]);
		kill(-tracked[i], SIGKILL);
		kill(tracked[i], SIGKILL);
		rc = -1;
	}
	free(f);
	*state = NULL;
	return rc;
}

/* ---------------------------------------------------------------- */
/* Files in the test's directory. */

void
sd_put_file(struct sd *sd, const char *name, const char *text)
{
	write_atomic(sd_file(sd, name), text);
}

void
sd_go(struct sd *sd)
{
	sd_put_file(sd, "go", "go\n");
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
		sd_die("inotify");
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
		if (poll(&pfd, 1, ms_left(deadline)) <= 0)
			break;
		while (read(fd, buf, sizeof(buf)) > 0)
			;
	}
	close(fd);
	return s;
}

pid_t
sd_read_pid(struct sd *sd, const char *name)
{
	char *s = sd_read_file(sd, name);
	pid_t p;

	if (s == NULL)
		fail_msg("no file %s", name);
	p = (pid_t)atoi(s);
	free(s);
	return p;
}
