/*
 * test_sd_state.c: what the operator stopped or started stays so across
 * restarts of supervisord (supervisord(8), STATE FILE), and autostart:
 * false. Each test restarts the daemon on the same directories: its
 * config, its run directory and its STATEDIR (sd->statedir).
 */
#include <sys/inotify.h>
#include <sys/stat.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sdtest.h"

#define SLEEP	"[\"/bin/sleep\", \"1000\"]"
#define AB	"{ \"children\": [" \
		" { \"id\": \"a\", \"argv\": " SLEEP " }," \
		" { \"id\": \"b\", \"argv\": " SLEEP " } ] }"

static struct sd sd1;

static int
teardown(void **state)
{
	sd_finish(&sd1);
	return 0;
}

static const char *
state_file(struct sd *sd)
{
	static char p[128];

	snprintf(p, sizeof(p), "%s/state.json", sd->statedir);
	return p;
}

/* STATEDIR/state.json's contents (static), or NULL without one. */
static const char *
state_text(struct sd *sd)
{
	static char buf[4096];
	size_t n;
	FILE *f;

	if ((f = fopen(state_file(sd), "r")) == NULL)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/*
 * Wait until the state file says want (it is only ever renamed into
 * place, whole), or fail. STATEDIR must exist, to be watched.
 */
static void
wait_state(struct sd *sd, const char *want)
{
	long long deadline = now_ms() + SD_TIMEOUT;
	char buf[4096];
	struct pollfd pfd;
	const char *s;
	int fd;

	if ((fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK)) == -1 ||
	    inotify_add_watch(fd, sd->statedir, IN_MOVED_TO) == -1)
		sd_die("inotify");
	while ((s = state_text(sd)) == NULL || strcmp(s, want) != 0) {
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, ms_left(deadline)) <= 0)
			fail_msg("state file is \"%s\", want \"%s\"",
			    s ? s : "(none)", want);
		while (read(fd, buf, sizeof(buf)) > 0)
			;
	}
	close(fd);
}

static void
ctl_ok(struct sd *sd, const char *cmd, const char *path)
{
	struct outcome o;

	if (sd_ctl(sd, &o, cmd, path, (char *)NULL) != 0)
		fail_msg("%s %s: exit %d: %s", cmd, path, o.status, o.err);
	outcome_free(&o);
}

static void
shutdown_daemon(struct sd *sd)
{
	ctl_ok(sd, "shutdown", NULL);
	assert_int_equal(sd_wait_exit(sd), 0);
}

/* Start it again on the same directories; the events seen from then. */
static size_t
restart_daemon(struct sd *sd, const struct sd_opts *o)
{
	size_t from = json_array_size(sd->seen);

	assert_int_equal(sd_start(sd, o), 0);
	assert_non_null(sd_wait(sd, "started", "root"));
	return from;
}

static void
test_stop_survives_restart(void **state)
{
	size_t from;
	char *log;

	sd_config(&sd1, AB);
	assert_int_equal(mkdir(sd1.statedir, 0700), 0);
	assert_int_equal(sd_start(&sd1, NULL), 0);
	EXPECT(&sd1, "started root/a", "started root/b", "started root");
	/* No operator choice yet: no file. */
	assert_null(state_text(&sd1));
	ctl_ok(&sd1, "stop", "root/b");
	assert_true(sd_by_supervisor(sd_exited(&sd1, "root/b")));
	wait_state(&sd1, "{\"version\":1,\"stopped\":[\"root/b\"],"
	    "\"started\":[]}\n");
	shutdown_daemon(&sd1);

	/* b stays stopped, a starts as before; the log says why. */
	from = restart_daemon(&sd1, &(struct sd_opts){ .log = 1 });
	assert_non_null(log = sd_log(&sd1));
	if (strstr(log, "root/b: stays stopped, as the operator left it") ==
	    NULL)
		fail_msg("no word of root/b in:\n%s", log);
	free(log);
	assert_int_equal(sd_count(&sd1, from, "started", "root/a"), 1);
	assert_int_equal(sd_count(&sd1, from, "started", "root/b"), 0);
	assert_state(&sd1, "root/b", "stopped");
	assert_state(&sd1, "root/a", "running");
	/* start clears it. */
	ctl_ok(&sd1, "start", "root/b");
	assert_true(sd_started(&sd1, "root/b") > 0);
	wait_state(&sd1, "{\"version\":1,\"stopped\":[],\"started\":[]}\n");
	shutdown_daemon(&sd1);

	from = restart_daemon(&sd1, NULL);
	assert_int_equal(sd_count(&sd1, from, "started", "root/b"), 1);
	assert_state(&sd1, "root/b", "running");
	assert_int_equal(sd_stop(&sd1), 0);
}

/* Saved when it changes, not only when supervisord ends: a SIGKILL. */
static void
test_stop_survives_kill(void **state)
{
	size_t from;

	sd_config(&sd1, AB);
	assert_int_equal(mkdir(sd1.statedir, 0700), 0);
	assert_int_equal(sd_start(&sd1, NULL), 0);
	assert_non_null(sd_wait(&sd1, "started", "root"));
	ctl_ok(&sd1, "stop", "root/a");
	assert_true(sd_by_supervisor(sd_exited(&sd1, "root/a")));
	wait_state(&sd1, "{\"version\":1,\"stopped\":[\"root/a\"],"
	    "\"started\":[]}\n");
	kill(sd1.pid, SIGKILL);
	assert_int_equal(sd_wait_exit(&sd1), 128 + SIGKILL);
	assert_int_equal(sd_end_orphans(&sd1), 0);
	from = restart_daemon(&sd1, NULL);
	assert_int_equal(sd_count(&sd1, from, "started", "root/a"), 0);
	assert_int_equal(sd_count(&sd1, from, "started", "root/b"), 1);
	assert_state(&sd1, "root/a", "stopped");
	assert_int_equal(sd_stop(&sd1), 0);
}

static void
test_autostart_false(void **state)
{
	size_t from;

	sd_config(&sd1, "{ \"strategy\": \"one_for_all\", \"intensity\": 5,"
	    " \"children\": ["
	    " { \"id\": \"a\", \"argv\": " SLEEP " },"
	    " { \"id\": \"b\", \"argv\": " SLEEP ", \"autostart\": false },"
	    " { \"id\": \"c\", \"argv\": " SLEEP " } ] }");
	assert_int_equal(mkdir(sd1.statedir, 0700), 0);
	assert_int_equal(sd_start(&sd1, NULL), 0);
	/* In the tree, not started. */
	EXPECT(&sd1, "started root/a", "started root/c", "started root");
	assert_state(&sd1, "root/b", "stopped");
	/* A one_for_all restart starts the others only. */
	kill(sd_pid(&sd1, "root/a"), SIGKILL);
	EXPECT(&sd1, "exited root/a signal=KILL class=abnormal",
	    "exited root/c by_supervisor=true", "started root/a",
	    "started root/c");
	assert_state(&sd1, "root/b", "stopped");
	assert_null(state_text(&sd1));
	/* Started by the operator, it is started after a restart too. */
	ctl_ok(&sd1, "start", "root/b");
	assert_true(sd_started(&sd1, "root/b") > 0);
	wait_state(&sd1, "{\"version\":1,\"stopped\":[],"
	    "\"started\":[\"root/b\"]}\n");
	shutdown_daemon(&sd1);
	from = restart_daemon(&sd1, NULL);
	assert_int_equal(sd_count(&sd1, from, "started", "root/b"), 1);
	assert_state(&sd1, "root/b", "running");
	/* Stopped again, it is as the file says: nothing held. */
	ctl_ok(&sd1, "stop", "root/b");
	assert_true(sd_by_supervisor(sd_exited(&sd1, "root/b")));
	wait_state(&sd1, "{\"version\":1,\"stopped\":[],\"started\":[]}\n");
	shutdown_daemon(&sd1);
	from = restart_daemon(&sd1, NULL);
	assert_int_equal(sd_count(&sd1, from, "started", "root/b"), 0);
	assert_state(&sd1, "root/b", "stopped");
	/* A reload that adds an autostart: false child does not start it. */
	sd_rewrite(&sd1, "{ \"strategy\": \"one_for_all\", \"intensity\": 5,"
	    " \"children\": ["
	    " { \"id\": \"a\", \"argv\": " SLEEP " },"
	    " { \"id\": \"b\", \"argv\": " SLEEP ", \"autostart\": false },"
	    " { \"id\": \"c\", \"argv\": " SLEEP " },"
	    " { \"id\": \"d\", \"argv\": " SLEEP ", \"autostart\": false },"
	    " { \"id\": \"e\", \"argv\": " SLEEP " } ] }");
	ctl_ok(&sd1, "reload", NULL);
	assert_true(sd_started(&sd1, "root/e") > 0);
	assert_state(&sd1, "root/d", "stopped");
	assert_int_equal(sd_count(&sd1, from, "started", "root/d"), 0);
	assert_int_equal(sd_stop(&sd1), 0);
}

static void
test_corrupt_file(void **state)
{
	char *log, bad[160], text[64];
	FILE *f;

	sd_config(&sd1, AB);
	assert_int_equal(mkdir(sd1.statedir, 0700), 0);
	assert_non_null(f = fopen(state_file(&sd1), "w"));
	fputs("{\"version\":1,\"stopped\":[\"root/a\"", f);
	fclose(f);
	/* -n does not even look at it. */
	{
		struct outcome o;

		supd(&o, "-n", "-S", sd1.statedir, "-c", sd1.conf,
		    (char *)NULL);
		assert_int_equal(o.status, 0);
		outcome_free(&o);
		assert_non_null(state_text(&sd1));
	}
	/* A normal start, with a warning; the file is set aside. */
	assert_int_equal(sd_start(&sd1, &(struct sd_opts){ .log = 1 }), 0);
	EXPECT(&sd1, "started root/a", "started root/b", "started root");
	assert_non_null(log = sd_log(&sd1));
	snprintf(bad, sizeof(bad), "%s.bad", state_file(&sd1));
	if (strstr(log, bad) == NULL || strstr(log, "ignored") == NULL)
		fail_msg("no warning about %s in:\n%s", bad, log);
	free(log);
	assert_null(state_text(&sd1));
	assert_non_null(f = fopen(bad, "r"));
	assert_non_null(fgets(text, sizeof(text), f));
	fclose(f);
	assert_string_equal(text, "{\"version\":1,\"stopped\":[\"root/a\"");
	/* The next change writes a good one. */
	ctl_ok(&sd1, "stop", "root/a");
	wait_state(&sd1, "{\"version\":1,\"stopped\":[\"root/a\"],"
	    "\"started\":[]}\n");
	assert_int_equal(sd_stop(&sd1), 0);
}

static void
test_pruned(void **state)
{
	FILE *f;

	sd_config(&sd1, AB);
	assert_int_equal(mkdir(sd1.statedir, 0700), 0);
	assert_non_null(f = fopen(state_file(&sd1), "w"));
	fputs("{\"version\":1,\"stopped\":[\"root/gone\",\"root/b\"],"
	    "\"started\":[\"root/old/x\"]}\n", f);
	fclose(f);
	assert_int_equal(sd_start(&sd1, NULL), 0);
	EXPECT(&sd1, "started root/a", "started root");
	assert_state(&sd1, "root/b", "stopped");
	/* Rewritten before the tree started. */
	assert_string_equal(state_text(&sd1), "{\"version\":1,\"stopped\":"
	    "[\"root/b\"],\"started\":[]}\n");
	/* A reload that removes b prunes it too. */
	sd_rewrite(&sd1, "{ \"children\": ["
	    " { \"id\": \"a\", \"argv\": " SLEEP " } ] }");
	ctl_ok(&sd1, "reload", NULL);
	wait_state(&sd1, "{\"version\":1,\"stopped\":[],\"started\":[]}\n");
	/* ... and b, back in the file, starts as the file says. */
	sd_rewrite(&sd1, AB);
	ctl_ok(&sd1, "reload", NULL);
	assert_true(sd_started(&sd1, "root/b") > 0);
	assert_int_equal(sd_stop(&sd1), 0);
}

/* A state directory that cannot be written is a warning, no more. */
static void
test_unwritable(void **state)
{
	char dir[128], *log;
	size_t from;
	FILE *f;

	sd_config(&sd1, AB);
	/* A file where its parent should be: even root cannot write. */
	assert_non_null(f = fopen(sd_file(&sd1, "file"), "w"));
	fclose(f);
	snprintf(dir, sizeof(dir), "%s/state", sd_file(&sd1, "file"));
	assert_int_equal(sd_start(&sd1, &(struct sd_opts){ .statedir = dir,
	    .log = 1 }), 0);
	EXPECT(&sd1, "started root/a", "started root/b", "started root");
	ctl_ok(&sd1, "stop", "root/a");
	assert_true(sd_by_supervisor(sd_exited(&sd1, "root/a")));
	/* It goes on: commands work, the next change tries again. */
	ctl_ok(&sd1, "start", "root/a");
	assert_true(sd_started(&sd1, "root/a") > 0);
	assert_state(&sd1, "root/a", "running");
	shutdown_daemon(&sd1);
	assert_non_null(log = sd_log(&sd1));
	if (strstr(log, "operator state not saved") == NULL ||
	    strstr(log, "Not a directory") == NULL)
		fail_msg("no warning in:\n%s", log);
	free(log);
	/* And it starts again with it. */
	from = restart_daemon(&sd1, &(struct sd_opts){ .statedir = dir,
	    .log = 1 });
	assert_int_equal(sd_count(&sd1, from, "started", "root/a"), 1);
	assert_int_equal(sd_stop(&sd1), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_stop_survives_restart,
		    teardown),
		cmocka_unit_test_teardown(test_stop_survives_kill, teardown),
		cmocka_unit_test_teardown(test_autostart_false, teardown),
		cmocka_unit_test_teardown(test_corrupt_file, teardown),
		cmocka_unit_test_teardown(test_pruned, teardown),
		cmocka_unit_test_teardown(test_unwritable, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
