/*
 * test_sd_intensity.c: restart intensity on real processes (a supervisor
 * gives up after more than intensity restarts within period, and crashes
 * spaced beyond the period do not add up), and escalation of a give-up
 * through the tree up to supervisord's exit.
 */
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
#define GAVE_UP(p) "shutdown " p " reason=reached_max_restart_intensity"
/* How a parent sees a child supervisor that gave up. */
#define SUP_ENDED(p) "exited " p " class=normal by_supervisor=false"

static void
crash(struct sd *sd, const char *path)
{
	pid_t pid = sd_pid(sd, path);

	assert_true(pid > 0);
	assert_int_equal(kill(pid, SIGKILL), 0);
}

/*
 * intensity 2: two restarts are made, the third crash within the period
 * makes the root give up: it stops the rest and supervisord exits 1.
 */
static void
test_intensity_reached(void **state)
{
	struct sd *sd = *state;
	json_t *n;

	sd_config(sd, "{ \"intensity\": 2, \"period\": 60, \"children\": [ "
	    SLEEPER("a") ", " SLEEPER("b") " ] }");
	assert_int_equal(sd_start(sd, NULL), 0);
	EXPECT(sd, "started root/a", "started root/b", "started root");
	crash(sd, "root/a");
	EXPECT(sd, KILLED("root/a"), "started root/a");
	crash(sd, "root/a");
	EXPECT(sd, KILLED("root/a"), "started root/a");
	assert_non_null(n = sd_node(sd, "root/a"));
	assert_int_equal(sd_int(n, "restarts"), 2);
	json_decref(n);
	crash(sd, "root/a");
	assert_int_equal(sd_wait_exit(sd), 1);
	EXPECT(sd, KILLED("root/a"), STOPPED("root/b"), GAVE_UP("root"));
	EXPECT_END(sd);
}

/*
 * A one_for_all restart of three children is one restart: intensity 1
 * allows it; the next crash is a second and makes the root give up.
 */
static void
test_intensity_one_for_all_counts_once(void **state)
{
	struct sd *sd = *state;

	sd_config(sd, "{ \"strategy\": \"one_for_all\", \"intensity\": 1,"
	    " \"period\": 60, \"children\": [ " SLEEPER("a") ", "
	    SLEEPER("b") ", " SLEEPER("c") " ] }");
	assert_int_equal(sd_start(sd, NULL), 0);
	EXPECT(sd, "started root/a", "started root/b", "started root/c",
	    "started root");
	crash(sd, "root/b");
	EXPECT(sd, KILLED("root/b"), STOPPED("root/c"), STOPPED("root/a"),
	    "started root/a", "started root/b", "started root/c");
	crash(sd, "root/a");
	assert_int_equal(sd_wait_exit(sd), 1);
	EXPECT(sd, KILLED("root/a"), STOPPED("root/c"), STOPPED("root/b"),
	    GAVE_UP("root"));
	EXPECT_END(sd);
}

/*
 * A child that fails at once exhausts a nested supervisor in moments:
 * two restarts, then it gives up; being transient, it is not restarted,
 * and its siblings and the root go on.
 */
static void
test_intensity_crash_loop(void **state)
{
	struct sd *sd = *state;

	/* other first: w's crash may come as soon as it runs. */
	sd_config(sd, "{ \"intensity\": 5, \"period\": 60, \"children\": [ "
	    SLEEPER("other") ", "
	    "{ \"id\": \"sub\", \"restart\": \"transient\", \"intensity\": 2,"
	    " \"period\": 60, \"children\": [ { \"id\": \"w\", \"argv\": "
	    "[\"%s\", \"-x\", \"1\"] } ] } ] }",
	    sd_child());
	assert_int_equal(sd_start(sd, NULL), 0);
	EXPECT(sd, "started root/other", "started root/sub/w",
	    "started root/sub", "started root");
	EXPECT(sd,
	    "exited root/sub/w code=1 class=abnormal by_supervisor=false",
	    "started root/sub/w",
	    "exited root/sub/w code=1 class=abnormal by_supervisor=false",
	    "started root/sub/w",
	    "exited root/sub/w code=1 class=abnormal by_supervisor=false",
	    GAVE_UP("root/sub"), SUP_ENDED("root/sub"));
	assert_state(sd, "root/sub", "failed");
	assert_state(sd, "root/other", "running");
	assert_state(sd, "root", "running");
	assert_int_equal(sd_ctl(sd, NULL, "shutdown", (char *)NULL), 0);
	assert_int_equal(sd_wait_exit(sd), 0);
	EXPECT(sd, STOPPED("root/other"), "shutdown root reason=shutdown");
	EXPECT_END(sd);
}

/*
 * intensity 1, period 1: crashes more than a second apart never add up.
 * The child's first three incarnations live 1.2 s and exit 1 (a counter
 * file in the test dir tells them apart); the fourth stays up.
 */
static void
test_intensity_spaced_crashes(void **state)
{
	struct sd *sd = *state;
	double last = 0, ts;
	json_t *e, *n;
	int i;

	sd_config(sd, "{ \"intensity\": 1, \"period\": 1, \"children\": [ "
	    "{ \"id\": \"w\", \"argv\": [\"/bin/sh\", \"-c\", "
	    "\"n=$(( $(cat n 2>/dev/null || echo 0) + 1 )); "
	    "echo $n > n.tmp && mv n.tmp n; "
	    "if [ $n -le 3 ]; then sleep 1.2; exit 1; fi; "
	    "exec sleep 1000\"] } ] }");
	assert_int_equal(sd_start(sd, NULL), 0);
	EXPECT(sd, "started root/w", "started root");
	for (i = 0; i < 3; i++) {
		assert_non_null(e = sd_wait(sd, NULL, NULL));
		if (strcmp(sd_str(e, "event"), "exited") != 0)
			sd_dump(sd);
		assert_string_equal(sd_str(e, "event"), "exited");
		assert_string_equal(sd_str(e, "path"), "root/w");
		assert_int_equal(sd_int(e, "code"), 1);
		ts = ev_ts(e);
		/* The premise: each crash more than a period after the last. */
		if (last != 0)
			assert_true(ts - last > 1.0);
		last = ts;
		EXPECT(sd, "started root/w");
	}
	assert_non_null(n = sd_node(sd, "root/w"));
	assert_string_equal(sd_str(n, "state"), "running");
	assert_int_equal(sd_int(n, "restarts"), 3);
	json_decref(n);
	assert_null(sd_find(sd, "shutdown", "root"));
	assert_int_equal(sd_ctl(sd, NULL, "shutdown", (char *)NULL), 0);
	assert_int_equal(sd_wait_exit(sd), 0);
	EXPECT(sd, STOPPED("root/w"), "shutdown root reason=shutdown");
	EXPECT_END(sd);
}

/*
 * Three levels: root (intensity 1) > mid (permanent, intensity 1) > low
 * (permanent, intensity 0) > w. Each crash of w makes low give up; mid
 * restarts it once, then gives up itself; root restarts mid, whose
 * history starts afresh; the next time mid gives up, root has no room
 * left and supervisord exits 1.
 */
static void
test_escalation_three_levels(void **state)
{
	struct sd *sd = *state;

	sd_config(sd, "{ \"intensity\": 1, \"period\": 60, \"children\": [ "
	    "{ \"id\": \"mid\", \"intensity\": 1, \"period\": 60, "
	    "\"children\": [ { \"id\": \"low\", \"intensity\": 0, "
	    "\"children\": [ " SLEEPER("w") " ] } ] } ] }");
	assert_int_equal(sd_start(sd, NULL), 0);
	EXPECT(sd, "started root/mid/low/w", "started root/mid/low",
	    "started root/mid", "started root");

	/* low gives up; mid restarts it (mid: 1 restart). */
	crash(sd, "root/mid/low/w");
	EXPECT(sd, KILLED("root/mid/low/w"), GAVE_UP("root/mid/low"),
	    SUP_ENDED("root/mid/low"), "started root/mid/low/w",
	    "started root/mid/low");

	/* low gives up; mid would make 2: gives up; root restarts it. */
	crash(sd, "root/mid/low/w");
	EXPECT(sd, KILLED("root/mid/low/w"), GAVE_UP("root/mid/low"),
	    SUP_ENDED("root/mid/low"), GAVE_UP("root/mid"),
	    SUP_ENDED("root/mid"), "started root/mid/low/w",
	    "started root/mid/low", "started root/mid");

	/* The restarted mid has a fresh history: it restarts low again. */
	crash(sd, "root/mid/low/w");
	EXPECT(sd, KILLED("root/mid/low/w"), GAVE_UP("root/mid/low"),
	    SUP_ENDED("root/mid/low"), "started root/mid/low/w",
	    "started root/mid/low");

	/* mid gives up again; root would make 2: supervisord exits 1. */
	crash(sd, "root/mid/low/w");
	assert_int_equal(sd_wait_exit(sd), 1);
	EXPECT(sd, KILLED("root/mid/low/w"), GAVE_UP("root/mid/low"),
	    SUP_ENDED("root/mid/low"), GAVE_UP("root/mid"),
	    SUP_ENDED("root/mid"), GAVE_UP("root"));
	EXPECT_END(sd);
}

/*
 * A transient child supervisor that gives up ended normally for its
 * parent: not restarted. A temporary one is not restarted either, and
 * is removed from the tree.
 */
static void
test_escalation_transient_temporary(void **state)
{
	struct sd *sd = *state;

	sd_config(sd, "{ \"intensity\": 5, \"period\": 60, \"children\": [ "
	    "{ \"id\": \"tsub\", \"restart\": \"transient\", \"intensity\": 0,"
	    " \"children\": [ " SLEEPER("w") ", " SLEEPER("v") " ] }, "
	    "{ \"id\": \"xsub\", \"restart\": \"temporary\", \"intensity\": 0,"
	    " \"children\": [ " SLEEPER("w") " ] }, " SLEEPER("other") " ] }");
	assert_int_equal(sd_start(sd, NULL), 0);
	EXPECT(sd, "started root/tsub/w", "started root/tsub/v",
	    "started root/tsub", "started root/xsub/w", "started root/xsub",
	    "started root/other", "started root");
	crash(sd, "root/tsub/w");
	EXPECT(sd, KILLED("root/tsub/w"), STOPPED("root/tsub/v"),
	    GAVE_UP("root/tsub"), SUP_ENDED("root/tsub"));
	assert_state(sd, "root/tsub", "failed");
	crash(sd, "root/xsub/w");
	EXPECT(sd, KILLED("root/xsub/w"), GAVE_UP("root/xsub"),
	    SUP_ENDED("root/xsub"));
	assert_state(sd, "root/xsub", NULL);
	assert_state(sd, "root/other", "running");
	assert_int_equal(sd_ctl(sd, NULL, "shutdown", (char *)NULL), 0);
	assert_int_equal(sd_wait_exit(sd), 0);
	EXPECT(sd, STOPPED("root/other"), "shutdown root reason=shutdown");
	EXPECT_END(sd);
}

/*
 * The same when the crash waited in the mailbox of the temporary child
 * supervisor (busy stopping a child that ignores SIGTERM, for the
 * operator): handled once the stop is done, it makes the supervisor
 * give up and be removed; the rest goes on.
 */
static void
test_escalation_temporary_from_mailbox(void **state)
{
	struct sd *sd = *state;

	sd_config(sd, "{ \"intensity\": 5, \"period\": 60, \"children\": [ "
	    "{ \"id\": \"x\", \"restart\": \"temporary\", \"intensity\": 0,"
	    " \"children\": [ { \"id\": \"g\", \"ready\": \"notify\", "
	    "\"shutdown\": \"infinity\", \"argv\": [\"%s\", \"-i\", \"-n\"] },"
	    " " SLEEPER("w") " ] }, " SLEEPER("other") " ] }", sd_child());
	assert_int_equal(sd_start(sd, NULL), 0);
	EXPECT(sd, "started root/x/g", "ready root/x/g", "started root/x/w",
	    "started root/x", "started root/other", "started root");
	/* x stops g for the operator; g ignores SIGTERM: x is busy. */
	assert_int_equal(sd_ctl(sd, NULL, "stop", "--no-wait", "root/x/g",
	    (char *)NULL), 0);
	crash(sd, "root/x/w");
	EXPECT(sd, KILLED("root/x/w"));
	assert_state(sd, "root/x/w", "restarting");
	crash(sd, "root/x/g");
	EXPECT(sd, "exited root/x/g signal=KILL class=abnormal "
	    "by_supervisor=true", GAVE_UP("root/x"), SUP_ENDED("root/x"));
	assert_state(sd, "root/x", NULL);
	assert_state(sd, "root/other", "running");
	assert_int_equal(sd_ctl(sd, NULL, "shutdown", (char *)NULL), 0);
	assert_int_equal(sd_wait_exit(sd), 0);
	EXPECT(sd, STOPPED("root/other"), "shutdown root reason=shutdown");
	EXPECT_END(sd);
}

/*
 * A permanent child supervisor that gives up is restarted with its
 * whole subtree, temporary children that had ended included.
 */
static void
test_escalation_permanent_restarted(void **state)
{
	struct sd *sd = *state;

	sd_config(sd, "{ \"intensity\": 5, \"period\": 60, \"children\": [ "
	    SLEEPER("first") ", { \"id\": \"sub\", \"intensity\": 0, "
	    "\"children\": [ { \"id\": \"tmp\", \"restart\": \"temporary\", "
	    "\"argv\": [\"/bin/sleep\", \"1000\"] }, " SLEEPER("w") " ] }, "
	    SLEEPER("last") " ] }");
	assert_int_equal(sd_start(sd, NULL), 0);
	EXPECT(sd, "started root/first", "started root/sub/tmp",
	    "started root/sub/w", "started root/sub", "started root/last",
	    "started root");
	crash(sd, "root/sub/tmp");
	EXPECT(sd, KILLED("root/sub/tmp"));
	assert_state(sd, "root/sub/tmp", NULL);
	crash(sd, "root/sub/w");
	/* one_for_one at root: only sub is restarted, afresh. */
	EXPECT(sd, KILLED("root/sub/w"), GAVE_UP("root/sub"),
	    SUP_ENDED("root/sub"), "started root/sub/tmp",
	    "started root/sub/w", "started root/sub");
	assert_state(sd, "root/sub", "running");
	assert_state(sd, "root/sub/tmp", "running");
	assert_int_equal(sd_ctl(sd, NULL, "shutdown", (char *)NULL), 0);
	assert_int_equal(sd_wait_exit(sd), 0);
	EXPECT(sd, STOPPED("root/last"), STOPPED("root/sub/w"),
	    STOPPED("root/sub/tmp"),
	    "exited root/sub class=normal by_supervisor=true",
	    STOPPED("root/first"), "shutdown root reason=shutdown");
	EXPECT_END(sd);
}

#define T(f) cmocka_unit_test_setup_teardown(f, sd_setup, sd_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_intensity_reached),
		T(test_intensity_one_for_all_counts_once),
		T(test_intensity_crash_loop),
		T(test_intensity_spaced_crashes),
		T(test_escalation_three_levels),
		T(test_escalation_transient_temporary),
		T(test_escalation_temporary_from_mailbox),
		T(test_escalation_permanent_restarted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
