/*
 * sdcheck.c: checks shared by the supervision-rule tests (sdcheck.h):
 * exact event sequences, a gated start, status lookups, leak checks.
 */
#include <sys/syscall.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "msg.h"
#include "sdcheck.h"

struct sdc {
	struct sd	 sd;		/* first: *state is a struct sd */
	const void	*param;
};

#define MAXTRACK 256
static pid_t	tracked[MAXTRACK];
static size_t	ntracked;

int
sdc_setup(void **state)
{
	struct sdc *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return -1;
	c->param = *state;
	c->sd.pid = -1;
	c->sd.pidfd = -1;
	ntracked = 0;
	*state = c;
	return 0;
}

const void *
sdc_param(void **state)
{
	return ((struct sdc *)*state)->param;
}

void
sdc_track(pid_t pid)
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

/* A daemon log kept in the test dir goes to the test's log, once. */
static void
show_log(struct sd *sd)
{
	char buf[4096];
	size_t n;
	FILE *f;

	if ((f = fopen(sd_file(sd, "daemon.log"), "r")) == NULL)
		return;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, stderr);
	fclose(f);
	unlink(sd_file(sd, "daemon.log"));
}

int
sdc_teardown(void **state)
{
	struct sdc *c = *state;
	struct sd *sd = &c->sd;
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
				sdc_track((pid_t)json_integer_value(p));
		show_log(sd);
		sd_cleanup(sd);
	}
	for (i = 0; i < ntracked; i++) {
		if (!alive(tracked[i]))
			continue;
		fprintf(stderr, "sdcheck: pid %d outlived supervisord\n",
		    (int)tracked[i]);
		kill(-tracked[i], SIGKILL);
		kill(tracked[i], SIGKILL);
		rc = -1;
	}
	free(c);
	*state = NULL;
	return rc;
}

void
sdc_dump(struct sd *sd)
{
	json_t *e;
	size_t i;
	char *s;

	fprintf(stderr, "sdcheck: events seen (cursor at %zu):\n", sd->cursor);
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
matches(json_t *e, const char *expect)
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
			if (strcmp(sd_str(e, "event"), tok) != 0)
				return 0;
		} else if (n == 1) {
			if (strcmp(sd_str(e, "path"), tok) != 0)
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

	fprintf(stderr, "sdcheck: expected \"%s\"\nsdcheck:      got %s\n",
	    expect, s ? s : "nothing");
	free(s);
	sdc_dump(sd);
}

int
sdc_expect(struct sd *sd, ...)
{
	const char *exp;
	json_t *e;
	va_list ap;
	int rc = 0;

	va_start(ap, sd);
	while ((exp = va_arg(ap, const char *)) != NULL) {
		e = sd_wait(sd, NULL, NULL);
		if (!matches(e, exp)) {
			mismatch(sd, exp, e);
			rc = -1;
			break;
		}
	}
	va_end(ap);
	return rc;
}

int
sdc_expect_any(struct sd *sd, ...)
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
			if (!used[j] && matches(got[i], exp[j]))
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
sdc_end(struct sd *sd)
{
	json_t *e;
	size_t i;

	/* Numbered from 1 without a gap: none was lost on the way. */
	json_array_foreach(sd->seen, i, e) {
		if (sd_int(e, "seq") != (long long)i + 1) {
			fprintf(stderr, "sdcheck: event %zu has seq %lld\n",
			    i + 1, sd_int(e, "seq"));
			sdc_dump(sd);
			return -1;
		}
	}
	if (sd->cursor == json_array_size(sd->seen))
		return 0;
	fprintf(stderr, "sdcheck: unexpected events after the last one "
	    "expected\n");
	sdc_dump(sd);
	return -1;
}

long long
sdc_seq(struct sd *sd)
{
	return sd->cursor == 0 ? 0 :
	    sd_int(json_array_get(sd->seen, sd->cursor - 1), "seq");
}

const char *
sdc_child(void)
{
	static char path[1024];

	strlcpy(path, sd_bin("tests/sd/sdchild"), sizeof(path));
	return path;
}

void
sdc_touch(struct sd *sd, const char *name)
{
	char tmp[700];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", sd_file(sd, name));
	if ((f = fopen(tmp, "w")) == NULL) {
		perror(tmp);
		return;
	}
	fputs("go\n", f);
	fclose(f);
	if (rename(tmp, sd_file(sd, name)) == -1)
		perror(name);
}

/* sd_start's fork and exec, with supervisord's stderr where given. */
static int
spawn_daemon(struct sd *sd, const char *notify, int errfd)
{
	if ((sd->pid = fork()) == -1)
		return -1;
	if (sd->pid == 0) {
		if (notify != NULL)
			setenv("NOTIFY_SOCKET", notify, 1);
		else
			unsetenv("NOTIFY_SOCKET");
		if (errfd != -1)
			dup2(errfd, 2);
		setenv("PATH", "/usr/local/bin:/usr/bin:/bin", 1);
		setenv("SUPERVISORD_WORKERDIR", sd_bin("workers"), 1);
		unsetenv("MSG_RUNDIR");
		execl(sd_bin("supervisord/supervisord"), "supervisord", "-f",
		    "-r", sd->rundir, "-c", sd->conf, (char *)NULL);
		_exit(127);
	}
	if ((sd->pidfd = (int)syscall(SYS_pidfd_open, sd->pid, 0)) == -1)
		return -1;
	return 0;
}

int
sdc_start_gated(struct sd *sd, const char *up)
{
	json_t *hist = NULL, *e;
	char ctl[400], *s;
	size_t i;
	int fd;

	if ((fd = open(sd_file(sd, "daemon.log"), O_WRONLY | O_CREAT |
	    O_APPEND | O_CLOEXEC, 0644)) == -1 ||
	    spawn_daemon(sd, NULL, fd) == -1)
		return -1;
	close(fd);
	if ((s = sd_read_file(sd, up)) == NULL) {
		fprintf(stderr, "sdcheck: %s never appeared\n", up);
		return -1;
	}
	sdc_track((pid_t)strtol(s, NULL, 10));
	free(s);
	snprintf(ctl, sizeof(ctl), "%s/supervisord.sock", sd->rundir);
	if ((sd->ev = msg_connect(ctl, SD_TIMEOUT)) == NULL ||
	    msg_subscribe(sd->ev, "") != MSG_OK ||
	    msg_call_json(sd->ev, msg_tag("history"), NULL, SD_TIMEOUT,
	    &hist) != MSG_OK) {
		fprintf(stderr, "sdcheck: cannot follow events on %s\n", ctl);
		return -1;
	}
	json_array_foreach(hist, i, e)
		json_array_append(sd->seen, e);
	json_decref(hist);
	return 0;
}

int
sdc_start_logged(struct sd *sd)
{
	int fd, saved, rc;

	if ((fd = open(sd_file(sd, "daemon.log"), O_WRONLY | O_CREAT |
	    O_TRUNC | O_CLOEXEC, 0644)) == -1)
		return -1;
	fflush(stderr);
	saved = dup(2);
	dup2(fd, 2);
	rc = sd_start(sd, NULL);
	dup2(saved, 2);
	close(saved);
	close(fd);
	return rc;
}

char *
sdc_log(struct sd *sd)
{
	char *buf;
	FILE *f;
	size_t n;

	if ((buf = calloc(1, 65536)) == NULL)
		return NULL;
	if ((f = fopen(sd_file(sd, "daemon.log"), "r")) != NULL) {
		n = fread(buf, 1, 65535, f);
		buf[n] = '\0';
		fclose(f);
	}
	return buf;
}

json_t *
sdc_node(struct sd *sd, const char *path)
{
	json_t *all, *n, *found = NULL;
	char *out;
	size_t i;

	sd_ctl(sd, &out, "status --json");
	all = json_loads(out, 0, NULL);
	free(out);
	json_array_foreach(all, i, n)
		if (strcmp(sd_str(n, "path"), path) == 0)
			found = json_incref(n);
	json_decref(all);
	return found;
}

char *
sdc_state(struct sd *sd, const char *path)
{
	json_t *n = sdc_node(sd, path);
	char *s;

	if (n == NULL)
		return NULL;
	s = strdup(sd_str(n, "state"));
	json_decref(n);
	return s;
}

pid_t
sdc_pid(struct sd *sd, const char *path)
{
	size_t i = json_array_size(sd->seen);
	json_t *e;

	while (i-- > 0) {
		e = json_array_get(sd->seen, i);
		if (strcmp(sd_str(e, "event"), "started") == 0 &&
		    strcmp(sd_str(e, "path"), path) == 0 &&
		    json_object_get(e, "pid") != NULL)
			return (pid_t)sd_int(e, "pid");
	}
	return -1;
}
