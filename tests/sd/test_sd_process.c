/*
 * test_sd_process.c: what supervisord does to real processes: stop order
 * and shutdown modes, process groups and orphans, a child's hygiene,
 * the watchdog, readiness by process group, a clean exit, idleness.
 */
#include <sys/resource.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "sdtest.h"

#define SLEEP	"[\"/bin/sleep\", \"1000\"]"
/* The default shutdown time (supervisord.json(5)): what "infinity" must outlast. */
#define DEFAULT_SHUTDOWN_S	5.0

/*
 * The daemons under test live outside the test functions, so that the
 * teardown can stop whatever a failed test left running: its children
 * hold the test's output pipe open.
 */
static struct sd sd1;

static int
teardown(void **state)
{
	static const char *fifos[] = { "fifo.k", "fifo.q" };
	size_t i;
	int fd;

	/* Orphans blocked on a fifo may end. */
	if (sd1.seen != NULL && sd1.dir[0] != '\0')
		for (i = 0; i < 2; i++)
			if ((fd = open(sd_file(&sd1, fifos[i]), O_WRONLY |
			    O_NONBLOCK)) != -1)
				close(fd);
	sd_finish(&sd1);
	return 0;
}

static void
ctl_ok(struct sd *sd, const char *cmd, const char *path)
{
	struct outcome o;

	if (sd_ctl(sd, &o, cmd, path, (char *)NULL) != 0)
		fail_msg("supervisorctl %s %s: exit %d: %s", cmd,
		    path ? path : "", o.status, o.err);
	outcome_free(&o);
}

/* Wait for a file the child writes once it is set up. */
static void
wait_file(struct sd *sd, const char *name)
{
	char *s = sd_read_file(sd, name);

	if (s == NULL)
		fail_msg("no file %s", name);
	free(s);
}

/* --- stop order --- */

static void
test_stop_order(void **state)
{
	json_t *e;

	sd_config(&sd1, "{ \"children\": ["
	    " { \"id\": \"a\", \"argv\": " SLEEP " },"
	    " { \"id\": \"s\", \"children\": ["
	    "   { \"id\": \"x\", \"argv\": " SLEEP " },"
	    "   { \"id\": \"y\", \"argv\": " SLEEP " } ] },"
	    " { \"id\": \"c\", \"argv\": " SLEEP " } ] }");
	assert_int_equal(sd_start(&sd1, NULL), 0);
	sd_started(&sd1, "root/a");
	sd_started(&sd1, "root/s/x");
	sd_started(&sd1, "root/s/y");
	assert_non_null(sd_wait(&sd1, "started", "root/s"));
	sd_started(&sd1, "root/c");
	assert_non_null(sd_wait(&sd1, "started", "root"));

	/* Stopping a supervisor: its children in reverse order, then it. */
	ctl_ok(&sd1, "stop", "root/s");
	sd_exited(&sd1, "root/s/y");
	sd_exited(&sd1, "root/s/x");
	e = sd_exited(&sd1, "root/s");
	assert_true(sd_by_supervisor(e));
	assert_string_equal(sd_str(e, "class"), "normal");
	ctl_ok(&sd1, "start", "root/s");
	sd_started(&sd1, "root/s/x");
	sd_started(&sd1, "root/s/y");
	assert_non_null(sd_wait(&sd1, "started", "root/s"));

	/* The whole tree: reverse start order, depth first. */
	ctl_ok(&sd1, "shutdown", NULL);
	assert_int_equal(sd_wait_exit(&sd1), 0);
	assert_true(sd_by_supervisor(sd_exited(&sd1, "root/c")));
	sd_exited(&sd1, "root/s/y");
	sd_exited(&sd1, "root/s/x");
	sd_exited(&sd1, "root/s");
	sd_exited(&sd1, "root/a");
	/* The root's shutdown, and nothing after it. */
	assert_non_null(e = sd_wait(&sd1, NULL, NULL));
	assert_string_equal(sd_str(e, "event"), "shutdown");
	assert_string_equal(sd_str(e, "path"), "root");
	assert_int_equal(sd1.cursor, json_array_size(sd1.seen));
	sd_cleanup(&sd1);
}

/* simple_one_for_one instances are told to stop all at once. */
static void
test_stop_instances_at_once(void **state)
{
	struct outcome o;
	char name[32];
	json_t *e;
	int i;

	sd_config(&sd1, "{ \"children\": ["
	    " { \"id\": \"j\", \"strategy\": \"simple_one_for_one\","
	    "   \"template\": { \"argv\": [\"/bin/sh\", \"inst.sh\"],"
	    "     \"shutdown\": 20000 } } ] }");
	/* Each ends only once all three got TERM: stopping them one by
	 * one would hang until the SIGKILL. */
	sd_put_file(&sd1, "inst.sh",
	    "trap 'echo t > term$1.tmp && mv term$1.tmp term$1;"
	    " i=0; while [ ! -e go ] && [ $i -lt 1500 ]; do sleep 0.02;"
	    " i=$((i+1)); done; exit 0' TERM\n"
	    "echo r > up$1.tmp && mv up$1.tmp up$1\n"
	    "while :; do sleep 1000 & wait; done\n");
	assert_int_equal(sd_start(&sd1, NULL), 0);
	for (i = 1; i <= 3; i++) {
		snprintf(name, sizeof(name), "%d", i);
		assert_int_equal(sd_ctl(&sd1, &o, "start-child", "root/j", name,
		    (char *)NULL), 0);
		outcome_free(&o);
		snprintf(name, sizeof(name), "up%d", i);
		wait_file(&sd1, name);
	}
	/* Its answer would wait for the end the test holds back. */
	assert_int_equal(sd_ctl(&sd1, NULL, "stop", "--no-wait", "root/j",
	    (char *)NULL), 0);
	for (i = 1; i <= 3; i++) {
		snprintf(name, sizeof(name), "term%d", i);
		wait_file(&sd1, name);
	}
	sd_go(&sd1);
	for (i = 1; i <= 3; i++) {
		snprintf(name, sizeof(name), "root/j/%d", i);
		sd1.cursor = 0;
		e = sd_exited(&sd1, name);
		assert_int_equal(sd_int(e, "code"), 0);
		assert_true(sd_by_supervisor(e));
	}
	sd1.cursor = 0;
	assert_true(sd_by_supervisor(sd_exited(&sd1, "root/j")));
	assert_int_equal(sd_stop(&sd1), 0);
}

/* --- shutdown modes --- */

/* A child that ignores SIGTERM gets SIGKILL after shutdown ms. */
static void
test_shutdown_timeout(void **state)
{
	json_t *e;
	double t0;
	pid_t p;

	sd_config(&sd1, "{ \"children\": ["
	    " { \"id\": \"ign\", \"argv\": [\"/bin/sh\", \"ign.sh\"],"
	    "   \"shutdown\": 700 } ] }");
	/* exec keeps SIGTERM ignored, and leaves no shell child behind. */
	sd_put_file(&sd1, "ign.sh", "trap '' TERM\n"
	    "echo up > up.tmp && mv up.tmp up\n"
	    "exec sleep 1000\n");
	assert_int_equal(sd_start(&sd1, NULL), 0);
	p = sd_started(&sd1, "root/ign");
	wait_file(&sd1, "up");
	t0 = now_real();
	ctl_ok(&sd1, "stop", "root/ign");
	e = sd_exited(&sd1, "root/ign");
	assert_int_equal(sd_int(e, "pid"), p);
	assert_string_equal(sd_str(e, "signal"), "KILL");
	assert_true(sd_by_supervisor(e));
	if (ev_ts(e) - t0 < 0.7)
		fail_msg("SIGKILL %.3f s after the stop request, want >= 0.7",
		    ev_ts(e) - t0);
	assert_int_equal(sd_stop(&sd1), 0);
}

static void
test_brutal_kill(void **state)
{
	json_t *e;
	double t0;

	sd_config(&sd1, "{ \"children\": ["
	    " { \"id\": \"b\", \"argv\": [\"/bin/sh\", \"b.sh\"],"
	    "   \"shutdown\": \"brutal_kill\" } ] }");
	/* It survives SIGTERM (and notes it): only SIGKILL ends it. */
	sd_put_file(&sd1, "b.sh",
	    "trap 'echo t > term.tmp && mv term.tmp term' TERM\n"
	    "echo up > up.tmp && mv up.tmp up\n"
	    "while :; do sleep 1000 & wait; done\n");
	assert_int_equal(sd_start(&sd1, NULL), 0);
	sd_started(&sd1, "root/b");
	wait_file(&sd1, "up");
	t0 = now_real();
	ctl_ok(&sd1, "stop", "root/b");
	e = sd_exited(&sd1, "root/b");
	assert_string_equal(sd_str(e, "signal"), "KILL");
	assert_true(sd_by_supervisor(e));
	/* At once: not after a TERM and the default 5 s. */
	assert_true(ev_ts(e) - t0 < DEFAULT_SHUTDOWN_S);
	assert_int_equal(access(sd_file(&sd1, "term"), F_OK), -1);
	assert_int_equal(sd_stop(&sd1), 0);
}

static void
test_shutdown_infinity(void **state)
{
	struct timespec ts;
	json_t *e, *n;
	double t0;
	pid_t p;

	sd_config(&sd1, "{ \"children\": ["
	    " { \"id\": \"inf\", \"argv\": [\"/bin/sh\", \"inf.sh\"],"
	    "   \"shutdown\": \"infinity\" } ] }");
	sd_put_file(&sd1, "inf.sh",
	    "trap 'echo t > term.tmp && mv term.tmp term;"
	    " i=0; while [ ! -e go ] && [ $i -lt 1500 ]; do sleep 0.02;"
	    " i=$((i+1)); done; exit 7' TERM\n"
	    "echo up > up.tmp && mv up.tmp up\n"
	    "while :; do sleep 1000 & wait; done\n");
	assert_int_equal(sd_start(&sd1, NULL), 0);
	p = sd_started(&sd1, "root/inf");
	wait_file(&sd1, "up");
	t0 = now_real();
	/* Its answer would wait for the end the test holds back. */
	assert_int_equal(sd_ctl(&sd1, NULL, "stop", "--no-wait", "root/inf",
	    (char *)NULL), 0);
	wait_file(&sd1, "term");
	/*
	 * Nothing happens for longer than the default would wait: one of
	 * the two places (test_idle is the other) that let time pass on
	 * purpose, since what they check is that nothing happens.
	 */
	ts.tv_sec = (time_t)DEFAULT_SHUTDOWN_S;
	ts.tv_nsec = 500000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
	assert_non_null(n = sd_node(&sd1, "root/inf"));
	assert_string_equal(sd_str(n, "state"), "stopping");
	assert_int_equal(sd_int(n, "pid"), p);
	json_decref(n);
	assert_true(proc_state(p) != 0 && proc_state(p) != 'Z');
	sd_go(&sd1);
	e = sd_exited(&sd1, "root/inf");
	assert_int_equal(sd_int(e, "code"), 7);
	assert_true(sd_by_supervisor(e));
	assert_true(ev_ts(e) - t0 > DEFAULT_SHUTDOWN_S);
	assert_int_equal(sd_stop(&sd1), 0);
}

static void
test_stop_signals(void **state)
{
	json_t *e;

	sd_config(&sd1, "{ \"children\": ["
	    " { \"id\": \"int\", \"argv\": " SLEEP ","
	    "   \"stop_signal\": \"INT\" },"
	    " { \"id\": \"quit\", \"argv\": " SLEEP ","
	    "   \"stop_signal\": \"QUIT\" },"
	    " { \"id\": \"usr1\", \"argv\": " SLEEP ","
	    "   \"stop_signal\": \"USR1\" },"
	    " { \"id\": \"hup\", \"argv\": [\"/bin/sh\", \"hup.sh\"],"
	    "   \"stop_signal\": \"HUP\" } ] }");
	/* A shell that notes the signal it got and exits with its own code. */
	sd_put_file(&sd1, "hup.sh",
	    "trap 'echo HUP > got.tmp && mv got.tmp got; exit 3' HUP\n"
	    "echo up > up.tmp && mv up.tmp up\n"
	    "while :; do sleep 1000 & wait; done\n");
	assert_int_equal(sd_start(&sd1, NULL), 0);
	assert_non_null(sd_wait(&sd1, "started", "root"));
	wait_file(&sd1, "up");
	ctl_ok(&sd1, "stop", "root/int");
	e = sd_exited(&sd1, "root/int");
	assert_string_equal(sd_str(e, "signal"), "INT");
	assert_string_equal(sd_str(e, "class"), "normal");
	assert_true(sd_by_supervisor(e));
	/* The rest on the way out, in reverse order. */
	{
		struct outcome o;

		assert_int_equal(sd_ctl(&sd1, &o, "shutdown", "--json",
		    (char *)NULL), 0);
		assert_string_equal(o.out, "{\"ok\":true}\n");
		outcome_free(&o);
	}
	assert_int_equal(sd_wait_exit(&sd1), 0);
	e = sd_exited(&sd1, "root/hup");
	assert_int_equal(sd_int(e, "code"), 3);
	e = sd_exited(&sd1, "root/usr1");
	assert_string_equal(sd_str(e, "signal"), "USR1");
	assert_string_equal(sd_str(e, "class"), "abnormal");
	assert_true(sd_by_supervisor(e));
	e = sd_exited(&sd1, "root/quit");
	assert_string_equal(sd_str(e, "signal"), "QUIT");
	assert_true(sd_by_supervisor(e));
	{
		char *s = sd_read_file(&sd1, "got");

		assert_non_null(s);
		assert_string_equal(s, "HUP\n");
		free(s);
	}
	sd_cleanup(&sd1);
}

/* --- process groups and orphans --- */

static void
test_grandchild_stopped_with_group(void **state)
{
	pid_t p, g;

	sd_config(&sd1, "{ \"children\": ["
	    " { \"id\": \"a\", \"argv\": [\"/bin/sh\", \"gc.sh\"] } ] }");
	sd_put_file(&sd1, "gc.sh", "sleep 1000 &\n"
	    "echo $! > gc.tmp && mv gc.tmp gc\n"
	    "wait\n");
	assert_int_equal(sd_start(&sd1, NULL), 0);
	p = sd_started(&sd1, "root/a");
	g = sd_read_pid(&sd1, "gc");
	assert_int_equal(proc_pgid(g), p);
	assert_int_equal(proc_pgid(p), p);
	ctl_ok(&sd1, "stop", "root/a");
	assert_string_equal(sd_str(sd_exited(&sd1, "root/a"), "signal"),
	    "TERM");
	/* Killed with its parent's group, and reaped: not even a zombie. */
	assert_int_equal(wait_gone(g), 0);
	assert_int_equal(sd_stop(&sd1), 0);
}

/* Let the grandchild blocked on fifo name end: give it a line. */
static void
release(struct sd *sd, const char *name)
{
	struct timespec ts = { 0, 5000000L };
	int fd, i;

	for (i = 0; i < SD_TIMEOUT / 5; i++) {
		if ((fd = open(sd_file(sd, name), O_WRONLY | O_NONBLOCK)) != -1)
			break;
		assert_int_equal(errno, ENXIO);	/* no reader yet */
		nanosleep(&ts, NULL);
	}
	assert_int_not_equal(fd, -1);
	assert_int_equal(write(fd, "x\n", 2), 2);
	close(fd);
}

static void
test_orphans_reaped(void **state)
{
	static const char *names[] = { "k", "q" };
	char name[32];
	pid_t g;
	json_t *e;
	int i;

	sd_config(&sd1, "{ \"children\": ["
	    " { \"id\": \"keep\","
	    "   \"argv\": [\"/bin/sh\", \"orphan.sh\", \"k\"] },"
	    " { \"id\": \"quit\", \"argv\": [\"/bin/sh\", \"orphan.sh\", \"q\","
	    "   \"exit\"], \"restart\": \"temporary\" } ] }");
	/* The subshell exits at once, orphaning cat, which ends when the
	 * test writes to its fifo. */
	sd_put_file(&sd1, "orphan.sh",
	    "( cat fifo.$1 > /dev/null 2>&1 & echo $! > gc.$1.tmp &&"
	    " mv gc.$1.tmp gc.$1 )\n"
	    "[ \"$2\" = exit ] && exit 0\n"
	    "exec sleep 1000\n");
	assert_int_equal(mkfifo(sd_file(&sd1, "fifo.k"), 0600), 0);
	assert_int_equal(mkfifo(sd_file(&sd1, "fifo.q"), 0600), 0);
	assert_int_equal(sd_start(&sd1, NULL), 0);
	assert_non_null(sd_wait(&sd1, "started", "root"));
	sd1.cursor = 0;
	e = sd_exited(&sd1, "root/quit");
	assert_int_equal(sd_int(e, "code"), 0);
	for (i = 0; i < 2; i++) {
		snprintf(name, sizeof(name), "gc.%s", names[i]);
		g = sd_read_pid(&sd1, name);
		/* supervisord is the subreaper: the orphan is its child. */
		assert_int_equal(wait_ppid(g, sd1.pid), 0);
		snprintf(name, sizeof(name), "fifo.%s", names[i]);
		release(&sd1, name);
		assert_int_equal(wait_gone(g), 0);
	}
	/* No event for processes it did not start; the tree is as was. */
	assert_null(sd_find(&sd1, "exited", "root/keep"));
	assert_null(sd_node(&sd1, "root/quit"));
	assert_int_equal(sd_stop(&sd1), 0);
}

/* --- hygiene --- */

static void
same_path(const char *got, const char *want)
{
	char a[PATH_MAX], b[PATH_MAX];

	if (realpath(want, b) == NULL)
		fail_msg("%s: %s", want, strerror(errno));
	if (got == NULL || realpath(got, a) == NULL)
		fail_msg("%s: not a path", got ? got : "(none)");
	assert_string_equal(a, b);
}

static void
test_hygiene(void **state)
{
	struct outcome o;
	char *p, *q, *j, sock[200];
	pid_t pp, pq;

	sd_config(&sd1, "{ \"children\": ["
	    " { \"id\": \"p\", \"argv\": [\"%s\", \"p.out\", \"FOO\", \"PATH\","
	    "   \"LISTEN_FDS\", \"LISTEN_PID\"],"
	    "   \"env\": { \"FOO\": \"bar baz\","
	    "   \"SUPERVISOR_PATH\": \"nope\" } },"
	    " { \"id\": \"s\", \"children\": ["
	    "   { \"id\": \"q\", \"argv\": [\"%s\", \"../q.out\"],"
	    "     \"cwd\": \"sub\","
	    "     \"stdout\": \"null\", \"stderr\": \"q.err\" } ] },"
	    " { \"id\": \"j\", \"strategy\": \"simple_one_for_one\","
	    "   \"template\": { \"argv\": [\"%s\"] } } ] }",
	    sd_bin("tests/sd/probe"), sd_bin("tests/sd/probe"),
	    sd_bin("tests/sd/probe"));
	assert_int_equal(mkdir(sd_file(&sd1, "sub"), 0755), 0);
	/* What supervisord inherits but must not pass on. */
	setenv("LISTEN_FDS", "1", 1);
	setenv("LISTEN_PID", "1", 1);
	assert_int_equal(sd_start(&sd1, NULL), 0);
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_PID");
	pp = sd_started(&sd1, "root/p");
	pq = sd_started(&sd1, "root/s/q");
	assert_non_null(sd_wait(&sd1, "started", "root"));
	assert_int_equal(sd_ctl(&sd1, &o, "start-child", "root/j", "j.out",
	    (char *)NULL), 0);
	outcome_free(&o);
	assert_non_null(p = sd_read_file(&sd1, "p.out"));
	assert_non_null(q = sd_read_file(&sd1, "q.out"));
	assert_non_null(j = sd_read_file(&sd1, "j.out"));

	/* Its own process group, supervisord's child. */
	assert_int_equal(atoi(kv(p, "pid")), pp);
	assert_int_equal(atoi(kv(p, "pgid")), pp);
	assert_int_equal(atoi(kv(p, "ppid")), sd1.pid);
	assert_int_equal(atoi(kv(q, "pgid")), pq);
	assert_int_equal(atoi(kv(j, "pgid")), atoi(kv(j, "pid")));
	/* stdin /dev/null, nothing beyond 0-2. */
	assert_string_equal(kv(p, "fd0"), "/dev/null");
	assert_string_equal(kv(p, "fds"), "0,1,2");
	assert_string_equal(kv(q, "fds"), "0,1,2");
	assert_string_equal(kv(j, "fds"), "0,1,2");
	/* Default dispositions, empty mask (supervisord ignores SIGPIPE
	 * and blocks what its loop waits for). */
	assert_string_equal(kv(p, "sigblk"), "0000000000000000");
	assert_string_equal(kv(p, "sigign"), "0000000000000000");
	assert_string_equal(kv(q, "sigblk"), "0000000000000000");
	assert_string_equal(kv(q, "sigign"), "0000000000000000");
	/* The environment: supkit's, the spec's, the inherited one. */
	strlcpy(sock, sd_sock(&sd1, "notify"), sizeof(sock));
	same_path(kv(p, "env:MSG_RUNDIR"), sd1.rundir);
	same_path(kv(p, "env:NOTIFY_SOCKET"), sock);
	assert_string_equal(kv(p, "env:SUPERVISOR_PATH"), "root/p");
	assert_string_equal(kv(q, "env:SUPERVISOR_PATH"), "root/s/q");
	assert_string_equal(kv(j, "env:SUPERVISOR_PATH"), "root/j/1");
	assert_string_equal(kv(p, "env:FOO"), "bar baz");
	assert_string_equal(kv(p, "env:PATH"), "/usr/local/bin:/usr/bin:/bin");
	assert_string_equal(kv(p, "env:LISTEN_FDS"), "(unset)");
	assert_string_equal(kv(p, "env:LISTEN_PID"), "(unset)");
	/* cwd: the config's directory, or the spec's (relative to it). */
	same_path(kv(p, "cwd"), sd1.dir);
	same_path(kv(q, "cwd"), sd_file(&sd1, "sub"));
	same_path(kv(j, "cwd"), sd1.dir);
	/* stdout null, stderr to a file. */
	assert_string_equal(kv(q, "fd1"), "/dev/null");
	same_path(kv(q, "fd2"), sd_file(&sd1, "q.err"));
	free(p);
	free(q);
	free(j);
	assert_int_equal(sd_stop(&sd1), 0);
}

/* As root, a worker runs as its user and group. */
static void
test_user_group(void **state)
{
	char *u, *ug, *g;

	if (geteuid() != 0 || getpwnam("nobody") == NULL ||
	    getgrnam("daemon") == NULL)
		skip();
	sd_config(&sd1, "{ \"children\": ["
	    " { \"id\": \"u\", \"argv\": [\"%s\", \"u.out\"],"
	    "   \"user\": \"nobody\" },"
	    " { \"id\": \"ug\", \"argv\": [\"%s\", \"ug.out\"],"
	    "   \"user\": \"nobody\", \"group\": \"daemon\" },"
	    " { \"id\": \"g\", \"argv\": [\"%s\", \"g.out\"],"
	    "   \"group\": \"daemon\" } ] }",
	    sd_bin("tests/sd/probe"), sd_bin("tests/sd/probe"),
	    sd_bin("tests/sd/probe"));
	/* Where nobody may write its report. */
	assert_int_equal(chmod(sd1.dir, 01777), 0);
	assert_int_equal(sd_start(&sd1, NULL), 0);
	assert_non_null(u = sd_read_file(&sd1, "u.out"));
	assert_non_null(ug = sd_read_file(&sd1, "ug.out"));
	assert_non_null(g = sd_read_file(&sd1, "g.out"));
	assert_int_equal(atoi(kv(u, "uid")), getpwnam("nobody")->pw_uid);
	assert_int_equal(atoi(kv(u, "gid")), getpwnam("nobody")->pw_gid);
	assert_int_equal(atoi(kv(u, "groups")), getpwnam("nobody")->pw_gid);
	assert_int_equal(atoi(kv(ug, "uid")), getpwnam("nobody")->pw_uid);
	assert_int_equal(atoi(kv(ug, "gid")), getgrnam("daemon")->gr_gid);
	assert_int_equal(atoi(kv(ug, "groups")), getgrnam("daemon")->gr_gid);
	assert_int_equal(atoi(kv(g, "uid")), 0);
	assert_int_equal(atoi(kv(g, "gid")), getgrnam("daemon")->gr_gid);
	/* The rest of the hygiene holds for them too. */
	assert_string_equal(kv(u, "fds"), "0,1,2");
	assert_string_equal(kv(u, "sigign"), "0000000000000000");
	free(u);
	free(ug);
	free(g);
	assert_int_equal(sd_stop(&sd1), 0);
}

/* What fails before execve is a start error that says what and why. */
static void
test_spawn_errors(void **state)
{
	static const struct {
		const char	*sup;
		const char	*error;
	} want[] = {
		{ "root/out", "stdout: No such file or directory" },
		{ "root/dir", "chdir: No such file or directory" },
		{ "root/rel", "execve: No such file or directory" },
		{ "root/path", "not found in PATH" },
		{ "root/at", "execve: @no-such-worker: no worker no-such-worker in " },
		{ "root/perm", "execve: Permission denied" },
	};
	struct outcome o;
	char inst[64];
	json_t *e;
	size_t i;

	sd_config(&sd1, "{ \"children\": ["
	    " { \"id\": \"out\", \"strategy\": \"simple_one_for_one\","
	    "   \"template\": { \"argv\": " SLEEP ","
	    "     \"stdout\": \"nodir/o.log\" } },"
	    " { \"id\": \"dir\", \"strategy\": \"simple_one_for_one\","
	    "   \"template\": { \"argv\": " SLEEP ", \"cwd\": \"nodir\" } },"
	    " { \"id\": \"rel\", \"strategy\": \"simple_one_for_one\","
	    "   \"template\": { \"argv\": [\"./no-such-program\"] } },"
	    " { \"id\": \"path\", \"strategy\": \"simple_one_for_one\","
	    "   \"template\": { \"argv\": [\"no-such-program\"] } },"
	    " { \"id\": \"at\", \"strategy\": \"simple_one_for_one\","
	    "   \"template\": { \"argv\": [\"@no-such-worker\"] } },"
	    " { \"id\": \"perm\", \"strategy\": \"simple_one_for_one\","
	    "   \"template\": { \"argv\": [\"./tree.json\"] } } ] }");
	/* perm: the config itself is there, but not executable. */
	assert_int_equal(sd_start(&sd1, NULL), 0);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		/* The instance is not kept, and the command says why. */
		assert_int_equal(sd_ctl(&sd1, &o, "start-child", want[i].sup,
		    (char *)NULL), 1);
		assert_non_null(strstr(o.err, want[i].error));
		outcome_free(&o);
		snprintf(inst, sizeof(inst), "%s/1", want[i].sup);
		sd1.cursor = 0;
		assert_non_null(e = sd_wait(&sd1, "start_error", inst));
		if (strstr(sd_str(e, "error"), want[i].error) == NULL)
			fail_msg("%s: error \"%s\", want \"%s\"", inst,
			    sd_str(e, "error"), want[i].error);
		/* It never was a process. */
		assert_null(sd_find(&sd1, "started", inst));
	}
	assert_int_equal(sd_stop(&sd1), 0);
}

static char *
slurp(const char *path)
{
	char buf[4096];
	FILE *f = fopen(path, "r");
	size_t n;

	if (f == NULL)
		return strdup("(missing)");
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strdup(buf);
}

static void
test_output_files(void **state)
{
	char *s;

	sd_config(&sd1, "{ \"children\": ["
	    " { \"id\": \"o\", \"argv\": [\"/bin/sh\", \"out.sh\"],"
	    "   \"stdout\": \"o.log\", \"stderr\": \"stdout\" },"
	    " { \"id\": \"e\", \"argv\": [\"/bin/sh\", \"out.sh\"],"
	    "   \"stdout\": \"null\", \"stderr\": \"logs/e.log\" } ] }");
	sd_put_file(&sd1, "out.sh",
	    "echo \"out $SUPERVISOR_PATH\"\n"
	    "echo \"err $SUPERVISOR_PATH\" >&2\n"
	    "n=${SUPERVISOR_PATH##*/}\n"
	    "echo done > done.$n.tmp && mv done.$n.tmp done.$n\n"
	    "exec sleep 1000\n");
	assert_int_equal(mkdir(sd_file(&sd1, "logs"), 0755), 0);
	sd_put_file(&sd1, "o.log", "old\n");
	sd_put_file(&sd1, "logs/e.log", "old\n");
	assert_int_equal(sd_start(&sd1, NULL), 0);
	wait_file(&sd1, "done.o");
	wait_file(&sd1, "done.e");
	/* Appended to, stderr after stdout in the same file. */
	s = slurp(sd_file(&sd1, "o.log"));
	assert_string_equal(s, "old\nout root/o\nerr root/o\n");
	free(s);
	s = slurp(sd_file(&sd1, "logs/e.log"));
	assert_string_equal(s, "old\nerr root/e\n");
	free(s);
	/* And again by the next incarnation. */
	unlink(sd_file(&sd1, "done.o"));
	ctl_ok(&sd1, "restart", "root/o");
	wait_file(&sd1, "done.o");
	s = slurp(sd_file(&sd1, "o.log"));
	assert_string_equal(s, "old\nout root/o\nerr root/o\n"
	    "out root/o\nerr root/o\n");
	free(s);
	assert_int_equal(sd_stop(&sd1), 0);
}

/* --- watchdog --- */

static void
test_watchdog_kills(void **state)
{
	static const char *paths[] = { "root/w", "root/tw" };
	json_t *s, *e;
	pid_t p;
	size_t i;

	sd_config(&sd1, "{ \"intensity\": 100, \"period\": 60, \"children\": ["
	    " { \"id\": \"w\", \"argv\": " SLEEP ", \"watchdog\": 500 },"
	    " { \"id\": \"tw\", \"argv\": " SLEEP ", \"watchdog\": 500,"
	    "   \"restart\": \"transient\" } ] }");
	assert_int_equal(sd_start(&sd1, NULL), 0);
	for (i = 0; i < 2; i++) {
		sd1.cursor = 0;
		assert_non_null(s = sd_wait(&sd1, "started", paths[i]));
		p = (pid_t)sd_int(s, "pid");
		e = sd_exited(&sd1, paths[i]);
		assert_int_equal(sd_int(e, "pid"), p);
		assert_string_equal(sd_str(e, "signal"), "KILL");
		assert_string_equal(sd_str(e, "class"), "abnormal");
		assert_false(sd_by_supervisor(e));
		if (ev_ts(e) - ev_ts(s) < 0.49)
			fail_msg("%s killed %.3f s after it started", paths[i],
			    ev_ts(e) - ev_ts(s));
		/* A crash: restarted, even the transient one. */
		assert_int_not_equal(sd_started(&sd1, paths[i]), p);
	}
	assert_int_equal(sd_stop(&sd1), 0);
}

static void
test_watchdog_fed(void **state)
{
	json_t *e;
	pid_t p;

	sd_config(&sd1, "{ \"intensity\": 5, \"children\": ["
	    " { \"id\": \"hb\", \"argv\": [\"%s\", \"-w\", \"100\", \"-n\","
	    "   \"21\", \"-f\", \"hb\"], \"watchdog\": 700 } ] }",
	    sd_bin("tests/sd/notifier"));
	assert_int_equal(sd_start(&sd1, NULL), 0);
	p = sd_started(&sd1, "root/hb");
	/* 21 heartbeats of 100 ms: three watchdog periods, same process. */
	assert_int_equal(sd_read_pid(&sd1, "hb.21"), p);
	/* Then it goes quiet, and is killed for it. */
	e = sd_exited(&sd1, "root/hb");
	assert_int_equal(sd_int(e, "pid"), p);
	assert_string_equal(sd_str(e, "signal"), "KILL");
	assert_false(sd_by_supervisor(e));
	assert_int_not_equal(sd_started(&sd1, "root/hb"), p);
	assert_int_equal(sd_stop(&sd1), 0);
}

/* --- readiness --- */

/*
 * READY=1 counts for the worker that sent it or whose descendant did,
 * even one that left the worker's process group.
 */
static void
test_ready_by_descendant(void **state)
{
	json_t *e;
	pid_t p;

	sd_config(&sd1, "{ \"children\": ["
	    " { \"id\": \"n\", \"argv\": [\"/bin/sh\", \"ready.sh\", \"%s\"],"
	    "   \"ready\": \"notify\", \"start_timeout\": 20000 },"
	    " { \"id\": \"after\", \"argv\": " SLEEP " },"
	    " { \"id\": \"away\", \"argv\": [\"/bin/sh\", \"away.sh\", \"%s\"],"
	    "   \"ready\": \"notify\", \"start_timeout\": 20000 } ] }",
	    sd_bin("tests/sd/notifier"), sd_bin("tests/sd/notifier"));
	/* The shell's child speaks for it... */
	sd_put_file(&sd1, "ready.sh", "\"$1\" -r -x\nexec sleep 1000\n");
	/* ... and so does one that left its process group. */
	sd_put_file(&sd1, "away.sh", "\"$1\" -s -r -x\nexec sleep 1000\n");
	assert_int_equal(sd_start(&sd1, NULL), 0);
	p = sd_started(&sd1, "root/n");
	assert_non_null(e = sd_wait(&sd1, "ready", "root/n"));
	assert_int_equal(sd_int(e, "pid"), p);
	/* Started in order: the next one only once n was ready. */
	sd_started(&sd1, "root/after");
	p = sd_started(&sd1, "root/away");
	assert_non_null(e = sd_wait(&sd1, "ready", "root/away"));
	assert_int_equal(sd_int(e, "pid"), p);
	assert_non_null(sd_wait(&sd1, "started", "root"));
	assert_int_equal(sd_stop(&sd1), 0);
}

/*
 * A child that joins a sibling's process group cannot speak for it:
 * its READY=1 is read (barrier) and ignored, and the sibling's start
 * times out.
 */
static void
test_ready_not_by_sibling(void **state)
{
	char *argv[8], pid[24], *s;
	struct outcome o;
	struct bg b;
	json_t *e;

	sd_config(&sd1, "{ \"children\": ["
	    " { \"id\": \"att\", \"strategy\": \"simple_one_for_one\","
	    "   \"template\": { \"argv\": [\"/bin/sh\", \"spoof.sh\", \"%s\"],"
	    "     \"restart\": \"temporary\" } },"
	    " { \"id\": \"v\", \"strategy\": \"simple_one_for_one\","
	    "   \"template\": { \"argv\": " SLEEP ","
	    "     \"ready\": \"notify\", \"start_timeout\": 4000 } } ] }",
	    sd_bin("tests/sd/notifier"));
	sd_put_file(&sd1, "spoof.sh", "\"$1\" -g \"$2\" -r -x &&"
	    " date +%%s.%%N > sent.tmp && mv sent.tmp sent\n"
	    "exec sleep 1000\n");
	assert_int_equal(sd_start(&sd1, NULL), 0);
	/* start-child waits for READY=1, which only a spoof could give. */
	argv[0] = (char *)sd_bin("supervisord/supervisorctl");
	argv[1] = (char *)"-r";
	argv[2] = sd1.rundir;
	argv[3] = (char *)"start-child";
	argv[4] = (char *)"root/v";
	argv[5] = NULL;
	assert_int_equal(bg_start(&b, argv), 0);
	snprintf(pid, sizeof(pid), "%d", (int)sd_started(&sd1, "root/v/1"));
	assert_int_equal(sd_ctl(&sd1, &o, "start-child", "root/att", pid,
	    (char *)NULL), 0);
	outcome_free(&o);
	assert_non_null(e = sd_wait(&sd1, "start_error", "root/v/1"));
	assert_non_null(strstr(sd_str(e, "error"), "start_timeout"));
	assert_non_null(s = sd_read_file(&sd1, "sent"));
	/* Its READY=1 was read (barrier) well before the timeout. */
	assert_true(atof(s) < ev_ts(e));
	free(s);
	assert_null(sd_find(&sd1, "ready", "root/v/1"));
	/* And the waiting command said why. */
	assert_int_equal(bg_wait(&b), 1);
	assert_int_equal(sd_stop(&sd1), 0);
}

/* --- a clean end --- */

static void
test_sigterm_every_exit(void **state)
{
	struct outcome o;
	json_t *e, *last;
	size_t i, j;
	int found;

	sd_config(&sd1, "{ \"children\": ["
	    " { \"id\": \"a\", \"argv\": " SLEEP " },"
	    " { \"id\": \"slow\", \"argv\": [\"/bin/sh\", \"ign.sh\"],"
	    "   \"shutdown\": 300 },"
	    " { \"id\": \"s\", \"children\": ["
	    "   { \"id\": \"x\", \"argv\": " SLEEP " } ] },"
	    " { \"id\": \"j\", \"strategy\": \"simple_one_for_one\","
	    "   \"template\": { \"argv\": [\"/bin/sleep\"] } } ] }");
	sd_put_file(&sd1, "ign.sh", "trap '' TERM\n"
	    "echo up > up.tmp && mv up.tmp up\nexec sleep 1000\n");
	assert_int_equal(sd_start(&sd1, NULL), 0);
	assert_non_null(sd_wait(&sd1, "started", "root"));
	for (i = 0; i < 3; i++) {
		assert_int_equal(sd_ctl(&sd1, &o, "start-child", "root/j",
		    "1000", (char *)NULL), 0);
		outcome_free(&o);
		sd_started(&sd1, NULL);
	}
	wait_file(&sd1, "up");
	kill(sd1.pid, SIGTERM);
	assert_int_equal(sd_wait_exit(&sd1), 0);
	/* Every worker that started has its exit in the stream. */
	for (i = 0; i < json_array_size(sd1.seen); i++) {
		e = json_array_get(sd1.seen, i);
		assert_int_equal(sd_int(e, "seq"), (long long)i + 1);
		if (strcmp(sd_str(e, "event"), "started") != 0 ||
		    json_object_get(e, "pid") == NULL)
			continue;
		found = 0;
		for (j = i + 1; j < json_array_size(sd1.seen); j++)
			if (strcmp(sd_str(json_array_get(sd1.seen, j), "event"),
			    "exited") == 0 && sd_int(json_array_get(sd1.seen,
			    j), "pid") == sd_int(e, "pid"))
				found = 1;
		if (!found)
			fail_msg("no exit for %s", sd_str(e, "path"));
	}
	assert_string_equal(sd_str(sd_exited(&sd1, "root/slow"), "signal"),
	    "KILL");
	last = json_array_get(sd1.seen, json_array_size(sd1.seen) - 1);
	assert_string_equal(sd_str(last, "event"), "shutdown");
	assert_string_equal(sd_str(last, "path"), "root");
	sd_cleanup(&sd1);
}

/* With nothing happening, supervisord makes no system calls. */
static void
test_idle(void **state)
{
	static const char *strace = "/usr/bin/strace";
	struct bg b;
	struct timespec ts = { 1, 0 };
	char pid[16], *argv[10], *log, *line, *nl;
	int n = 0, st;

	if (access(strace, X_OK) == -1)
		skip();
	/* Under valgrind the daemon's own scheduler makes system calls;
	 * the plain run of this suite checks idleness. (No skip(): cmocka
	 * reports it as "not ok # SKIP", which automake counts a failure.) */
	if (getenv("SD_VALGRIND") != NULL) {
		print_message("idleness is not measured under valgrind\n");
		return;
	}
	sd_config(&sd1, "{ \"children\": ["
	    " { \"id\": \"a\", \"argv\": " SLEEP " },"
	    " { \"id\": \"n\", \"argv\": [\"%s\", \"-r\"],"
	    "   \"ready\": \"notify\" }"
	    " ] }", sd_bin("tests/sd/notifier"));
	assert_int_equal(sd_start(&sd1, NULL), 0);
	assert_non_null(sd_wait(&sd1, "started", "root"));
	snprintf(pid, sizeof(pid), "%d", (int)sd1.pid);
	argv[0] = (char *)strace;
	argv[1] = (char *)"-qq";
	argv[2] = (char *)"-o";
	argv[3] = (char *)sd_file(&sd1, "strace.log");
	argv[4] = (char *)"-p";
	argv[5] = pid;
	argv[6] = NULL;
	bg_start(&b, argv);
	/* A window of idleness: the one thing this test can only wait. */
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
	kill(b.pid, SIGINT);
	st = bg_wait(&b);
	log = slurp(sd_file(&sd1, "strace.log"));
	if (st != 0 && st != 128 + SIGINT) {
		/* It could not attach here (no ptrace in this sandbox). */
		free(log);
		sd_stop(&sd1);
		skip();
	}
	if (strcmp(log, "(missing)") == 0)
		fail_msg("strace wrote no log");
	/* At most the wait it was in when strace came. */
	for (line = strtok_r(log, "\n", &nl); line != NULL;
	    line = strtok_r(NULL, "\n", &nl)) {
		if (strstr(line, "epoll_wait") == NULL &&
		    strstr(line, "restart_syscall") == NULL &&
		    strstr(line, "epoll_pwait") == NULL)
			fail_msg("idle supervisord called: %s", line);
		n++;
	}
	assert_true(n <= 1);
	free(log);
	assert_int_equal(sd_stop(&sd1), 0);
}

/* Every test with the teardown that stops what a failure left. */
#define T(test)	cmocka_unit_test_teardown(test, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_stop_order),
		T(test_stop_instances_at_once),
		T(test_shutdown_timeout),
		T(test_brutal_kill),
		T(test_shutdown_infinity),
		T(test_stop_signals),
		T(test_grandchild_stopped_with_group),
		T(test_orphans_reaped),
		T(test_hygiene),
		T(test_user_group),
		T(test_spawn_errors),
		T(test_output_files),
		T(test_watchdog_kills),
		T(test_watchdog_fed),
		T(test_ready_by_descendant),
		T(test_ready_not_by_sibling),
		T(test_sigterm_every_exit),
		T(test_idle),
	};
	struct rlimit no_core = { 0, 0 };

	/* QUIT would dump core. */
	setrlimit(RLIMIT_CORE, &no_core);
	/* SD_TEST=test_name (a pattern) runs only that one. */
	if (getenv("SD_TEST") != NULL)
		cmocka_set_test_filter(getenv("SD_TEST"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
