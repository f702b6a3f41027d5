/*
 * test_sd_start.c: starting a tree on real processes: children start one
 * by one, each after the previous is started or ready; start errors at
 * boot (execve, start_timeout, death before READY=1), in a nested
 * supervisor, and while restarting (retried until intensity gives up).
 */
#include <sys/stat.h>

#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sdtest.h"

#define SLEEPER(id) \
	"{ \"id\": \"" id "\", \"argv\": [\"/bin/sleep\", \"1000\"] }"
#define STOPPED(p) \
	"exited " p " signal=TERM class=normal by_supervisor=true"
#define KILLED(p) \
	"exited " p " signal=KILL class=abnormal by_supervisor=false"
/* A notify child that writes its pid to `up', then says READY=1 only
 * once the test creates `go'. */
#define GATE(id) "{ \"id\": \"" id "\", \"ready\": \"notify\", \"argv\": " \
	"[\"%s\", \"-f\", \"up\", \"-w\", \"go\", \"-n\"] }"

/*
 * Each child starts only once the one before it is ready: a counter
 * actor found in the worker directory, a nested supervisor holding a
 * gate the test opens, then a plain exec child. Nothing after the gate
 * starts before it is ready; the nested supervisor is started once its
 * children are.
 */
static void
test_start_waits_for_ready(void **state)
{
	struct sd *sd = *state;

	sd_config(sd, "{ \"children\": [ { \"id\": \"db\", \"ready\": "
	    "\"notify\", \"argv\": [\"counter\", \"--name\", \"db\"] }, "
	    "{ \"id\": \"sub\", \"children\": [ " GATE("gate") " ] }, "
	    SLEEPER("web") " ] }", sd_child());
	assert_int_equal(sd_start_gated(sd, "up"), 0);
	EXPECT(sd, "started root/db", "ready root/db", "started root/sub/gate");
	assert_null(sd_find(sd, "ready", "root/sub/gate"));
	assert_null(sd_find(sd, "started", "root/sub"));
	assert_null(sd_find(sd, "started", "root/web"));
	assert_null(sd_find(sd, "started", "root"));
	assert_state(sd, "root", "starting");
	assert_state(sd, "root/sub", "starting");
	assert_state(sd, "root/sub/gate", "starting");
	sd_go(sd);
	EXPECT(sd, "ready root/sub/gate", "started root/sub",
	    "started root/web", "started root");
	assert_int_equal(sd_ctl(sd, NULL, "shutdown", (char *)NULL), 0);
	assert_int_equal(sd_wait_exit(sd), 0);
	EXPECT(sd, STOPPED("root/web"), STOPPED("root/sub/gate"),
	    "exited root/sub class=normal by_supervisor=true");
	/* The counter actor exits 0 on SIGTERM rather than die of it; in a
	 * sanitizer build, LeakSanitizer may hold it up until SIGKILL. */
	EXPECT(sd, "exited root/db by_supervisor=true",
	    "shutdown root reason=shutdown");
	EXPECT_END(sd);
}

/*
 * A child that crashes while its supervisor is still starting the
 * others: the exit waits until the start is complete, then the child
 * is restarted (OTP handles the EXIT after init).
 */
static void
test_start_crash_during_start(void **state)
{
	struct sd *sd = *state;

	sd_config(sd, "{ \"children\": [ " SLEEPER("a") ", " GATE("gate")
	    ", " SLEEPER("c") " ] }", sd_child());
	assert_int_equal(sd_start_gated(sd, "up"), 0);
	EXPECT(sd, "started root/a", "started root/gate");
	assert_int_equal(kill(sd_pid(sd, "root/a"), SIGKILL), 0);
	EXPECT(sd, KILLED("root/a"));
	assert_state(sd, "root/a", "restarting");
	sd_go(sd);
	EXPECT(sd, "ready root/gate", "started root/c", "started root",
	    "started root/a");
	assert_int_equal(sd_ctl(sd, NULL, "shutdown", (char *)NULL), 0);
	assert_int_equal(sd_wait_exit(sd), 0);
	EXPECT(sd, STOPPED("root/c"), STOPPED("root/gate"), STOPPED("root/a"),
	    "shutdown root reason=shutdown");
	EXPECT_END(sd);
}

/*
 * A worker whose program does not exist: supervisord says which child
 * failed and why, stops the one already started, and exits 1.
 */
static void
test_start_execve_error_at_boot(void **state)
{
	struct sd *sd = *state;
	char *log, *s;

	/* a is ready once it wrote its pid: the test can check it is gone. */
	sd_config(sd, "{ \"children\": [ { \"id\": \"a\", \"ready\": "
	    "\"notify\", \"argv\": [\"%s\", \"-f\", \"a\", \"-n\"] }, "
	    "{ \"id\": \"bad\", \"argv\": [\"/nonexistent/program\"] }, "
	    SLEEPER("c") " ] }", sd_child());
	assert_int_equal(sd_start(sd, &(struct sd_opts){ .log = 1 }), -1);
	assert_int_equal(sd_wait_exit(sd), 1);
	assert_non_null(s = sd_read_file(sd, "a"));
	sd_track((pid_t)strtol(s, NULL, 10));
	free(s);
	assert_non_null(log = sd_log(sd));
	assert_non_null(strstr(log, "root/bad"));
	assert_non_null(strstr(log, "execve: No such file or directory"));
	assert_null(strstr(log, "root/c: started"));
	free(log);
}

/*
 * The same, watched on the event stream: the start error, then the
 * children already started are stopped in reverse order; the rest never
 * starts and the root never reports started.
 */
static void
test_start_error_stops_started_in_reverse(void **state)
{
	struct sd *sd = *state;

	sd_config(sd, "{ \"children\": [ " SLEEPER("a") ", " GATE("gate")
	    ", { \"id\": \"bad\", \"argv\": [\"no-such-program-here\"] }, "
	    SLEEPER("c") " ] }", sd_child());
	assert_int_equal(sd_start_gated(sd, "up"), 0);
	EXPECT(sd, "started root/a", "started root/gate");
	sd_go(sd);
	assert_int_equal(sd_wait_exit(sd), 1);
	EXPECT(sd, "ready root/gate",
	    "start_error root/bad error~execve error~no-such-program-here",
	    STOPPED("root/gate"), STOPPED("root/a"));
	EXPECT_END(sd);
	assert_null(sd_find(sd, "started", "root/c"));
	assert_null(sd_find(sd, "started", "root"));
}

/*
 * A nested supervisor whose child fails: the nested start fails (its
 * started children stopped in reverse), that is a start error of the
 * nested supervisor for the root, whose start fails in turn.
 */
static void
test_start_error_nested(void **state)
{
	struct sd *sd = *state;

	sd_config(sd, "{ \"children\": [ " SLEEPER("a") ", { \"id\": \"sub\","
	    " \"children\": [ " SLEEPER("b") ", " GATE("gate") ", { \"id\": "
	    "\"bad\", \"argv\": [\"/nonexistent/program\"] }, " SLEEPER("d")
	    " ] }, " SLEEPER("c") " ] }", sd_child());
	assert_int_equal(sd_start_gated(sd, "up"), 0);
	EXPECT(sd, "started root/a", "started root/sub/b",
	    "started root/sub/gate");
	sd_go(sd);
	assert_int_equal(sd_wait_exit(sd), 1);
	EXPECT(sd, "ready root/sub/gate",
	    "start_error root/sub/bad error~execve",
	    STOPPED("root/sub/gate"), STOPPED("root/sub/b"),
	    "start_error root/sub error~root/sub/bad", STOPPED("root/a"));
	EXPECT_END(sd);
	assert_null(sd_find(sd, "started", "root/sub/d"));
	assert_null(sd_find(sd, "started", "root/sub"));
	assert_null(sd_find(sd, "started", "root/c"));
}

/*
 * start_timeout: a notify child that never says READY=1 is a start error
 * once the timeout passed (not before, and not much after), and at boot
 * supervisord exits 1.
 */
static void
test_start_timeout_at_boot(void **state)
{
	struct sd *sd = *state;
	json_t *started, *err;
	double waited;
	char *log;

	sd_config(sd, "{ \"children\": [ " GATE("gate") ", { \"id\": "
	    "\"mute\", \"ready\": \"notify\", \"start_timeout\": 700, "
	    "\"argv\": [\"/bin/sleep\", \"1000\"] }, " SLEEPER("c") " ] }",
	    sd_child());
	assert_int_equal(sd_start_gated(sd, "up"), 0);
	EXPECT(sd, "started root/gate");
	sd_go(sd);
	assert_int_equal(sd_wait_exit(sd), 1);
	EXPECT(sd, "ready root/gate", "started root/mute");
	/* start_timeout counts from the fork, which follows gate's ready;
	 * mute's started event may come later on a loaded machine. */
	started = json_incref(sd_find(sd, "ready", "root/gate"));
	assert_non_null(err = sd_wait(sd, NULL, NULL));
	EXPECT(sd, "exited root/mute signal=KILL class=abnormal",
	    STOPPED("root/gate"));
	EXPECT_END(sd);
	if (strcmp(sd_str(err, "event"), "start_error") != 0)
		sd_dump(sd);
	assert_string_equal(sd_str(err, "event"), "start_error");
	assert_string_equal(sd_str(err, "path"), "root/mute");
	assert_non_null(strstr(sd_str(err, "error"), "start_timeout"));
	waited = ev_ts(err) - ev_ts(started);
	json_decref(started);
	assert_true(waited >= 0.69);
	assert_true(waited < 0.7 + SD_TIMEOUT / 1000.0);
	assert_null(sd_find(sd, "started", "root/c"));
	/* It says which child failed and why. */
	assert_non_null(log = sd_log(sd));
	assert_non_null(strstr(log, "start failed: child root/mute: "
	    "start_timeout"));
	free(log);
}

/*
 * A notify child that exits before READY=1, even with code 0, is a start
 * error and its exit is abnormal (supervisord(8), Exit classes: death before readiness).
 */
static void
test_start_exit_before_ready(void **state)
{
	struct sd *sd = *state;

	sd_config(sd, "{ \"children\": [ " GATE("gate") ", { \"id\": "
	    "\"quitter\", \"ready\": \"notify\", \"argv\": [\"%s\", \"-x\", "
	    "\"0\"] } ] }", sd_child(), sd_child());
	assert_int_equal(sd_start_gated(sd, "up"), 0);
	EXPECT(sd, "started root/gate");
	sd_go(sd);
	assert_int_equal(sd_wait_exit(sd), 1);
	EXPECT(sd, "ready root/gate", "started root/quitter",
	    "exited root/quitter code=0 class=abnormal by_supervisor=false",
	    "start_error root/quitter error~ready", STOPPED("root/gate"));
	EXPECT_END(sd);
}

/*
 * A start error says which program ran when argv[0] was looked up in
 * PATH: "echo" is /bin/echo there, not the echo worker, and a notify
 * child that exits at once tells nothing else.
 */
static void
test_start_error_names_program(void **state)
{
	struct sd *sd = *state;
	const char *why;
	json_t *e;

	sd_config(sd, "{ \"children\": [ " GATE("gate") ", { \"id\": "
	    "\"echo\", \"ready\": \"notify\", \"argv\": [\"echo\", "
	    "\"hi\"] } ] }", sd_child());
	assert_int_equal(sd_start_gated(sd, "up"), 0);
	EXPECT(sd, "started root/gate");
	sd_go(sd);
	assert_int_equal(sd_wait_exit(sd), 1);
	assert_non_null(e = sd_find(sd, "start_error", "root/echo"));
	why = sd_str(e, "error");
	assert_non_null(strstr(why, "before it was ready (ran /"));
	assert_non_null(strstr(why, "/echo)"));
}

/*
 * A child that crashes and whose program can no longer be executed: the
 * failed restart counts as another restart and is retried at once, until
 * intensity (3) gives up: three start errors, then the root gives up.
 */
static void
test_start_error_during_restart(void **state)
{
	struct sd *sd = *state;
	FILE *f;

	sd_config(sd, "{ \"intensity\": 3, \"period\": 60, \"children\": [ "
	    SLEEPER("a") ", { \"id\": \"w\", \"argv\": [\"./prog\"] }, "
	    SLEEPER("b") " ] }");
	assert_non_null(f = fopen(sd_file(sd, "prog"), "w"));
	fputs("#!/bin/sh\nexec sleep 1000\n", f);
	fclose(f);
	assert_int_equal(chmod(sd_file(sd, "prog"), 0755), 0);
	assert_int_equal(sd_start(sd, NULL), 0);
	EXPECT(sd, "started root/a", "started root/w", "started root/b",
	    "started root");
	assert_int_equal(chmod(sd_file(sd, "prog"), 0644), 0);
	kill(sd_pid(sd, "root/w"), SIGKILL);
	assert_int_equal(sd_wait_exit(sd), 1);
	EXPECT(sd, KILLED("root/w"),
	    "start_error root/w error~execve error~Permission",
	    "start_error root/w error~execve error~Permission",
	    "start_error root/w error~execve error~Permission",
	    STOPPED("root/b"), STOPPED("root/a"),
	    "shutdown root reason=reached_max_restart_intensity");
	EXPECT_END(sd);
}

/*
 * The same with start_timeout: only the first incarnation says READY=1,
 * so each restart times out, counts, and is retried until a nested
 * supervisor (intensity 2) gives up; its transient type ends it there.
 */
static void
test_start_timeout_during_restart(void **state)
{
	struct sd *sd = *state;
	json_t *n;

	sd_config(sd, "{ \"children\": [ { \"id\": \"sub\", \"restart\": "
	    "\"transient\", \"intensity\": 2, \"period\": 60, \"children\": "
	    "[ { \"id\": \"w\", \"ready\": \"notify\", \"start_timeout\": 300,"
	    " \"argv\": [\"%s\", \"-n\", \"-o\", \"once\"] } ] }, "
	    SLEEPER("other") " ] }", sd_child());
	assert_int_equal(sd_start(sd, NULL), 0);
	EXPECT(sd, "started root/sub/w", "ready root/sub/w",
	    "started root/sub", "started root/other", "started root");
	kill(sd_pid(sd, "root/sub/w"), SIGKILL);
	EXPECT(sd, KILLED("root/sub/w"),
	    "started root/sub/w", "start_error root/sub/w error~start_timeout",
	    "exited root/sub/w signal=KILL class=abnormal",
	    "started root/sub/w", "start_error root/sub/w error~start_timeout",
	    "exited root/sub/w signal=KILL class=abnormal",
	    "shutdown root/sub reason=reached_max_restart_intensity",
	    "exited root/sub class=normal by_supervisor=false");
	assert_state(sd, "root/other", "running");
	/* Its last exit says why: start_timeout, not the SIGKILL. */
	assert_non_null(n = sd_node(sd, "root/sub/w"));
	assert_non_null(strstr(sd_str(json_object_get(n, "last_exit"),
	    "error"), "start_timeout"));
	json_decref(n);
	assert_int_equal(sd_ctl(sd, NULL, "shutdown", (char *)NULL), 0);
	assert_int_equal(sd_wait_exit(sd), 0);
	EXPECT(sd, STOPPED("root/other"), "shutdown root reason=shutdown");
	EXPECT_END(sd);
}

#define T(f) cmocka_unit_test_setup_teardown(f, sd_setup, sd_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_start_waits_for_ready),
		T(test_start_crash_during_start),
		T(test_start_execve_error_at_boot),
		T(test_start_error_stops_started_in_reverse),
		T(test_start_error_nested),
		T(test_start_timeout_at_boot),
		T(test_start_exit_before_ready),
		T(test_start_error_names_program),
		T(test_start_error_during_restart),
		T(test_start_timeout_during_restart),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
