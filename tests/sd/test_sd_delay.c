/*
 * test_sd_delay.c: restart_delay on real processes: the restart_scheduled
 * event and its delay, the child's state and next_start_in while it
 * waits (status --json and the human status), the start after it, the
 * backoff sequence of a crash loop, and stop and start during a delay.
 * supervisord(8), Restart delay.
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

#define KILLED(p) \
	"exited " p " signal=KILL class=abnormal by_supervisor=false"
#define FAILED(p) \
	"exited " p " code=1 class=abnormal by_supervisor=false"

static void
crash(struct sd *sd, const char *path)
{
	pid_t pid = sd_pid(sd, path);

	assert_true(pid > 0);
	assert_int_equal(kill(pid, SIGKILL), 0);
}

static double
real_of(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_number(v))
		fail_msg("\"%s\": not a number", key);
	return json_number_value(v);
}

/* The next restart_scheduled of path: its delay, within +-10 % of ms. */
static json_t *
scheduled(struct sd *sd, const char *path, double ms, long long restarts)
{
	json_t *e = sd_wait(sd, "restart_scheduled", path);
	double d;

	if (e == NULL) {
		sd_dump(sd);
		fail_msg("no restart_scheduled for %s", path);
	}
	d = real_of(e, "delay");
	if (d < 0.9 * ms / 1000 - 1e-9 || d > 1.1 * ms / 1000 + 1e-9)
		fail_msg("%s: delay %.3f s, want %.3f s +-10 %%", path, d,
		    ms / 1000);
	assert_int_equal(sd_int(e, "restarts"), restarts);
	return e;
}

/* The start that ended a delay came after it, not before it was over:
 * a generous lower bound from the events' own clock. */
static void
started_after(struct sd *sd, const char *path, json_t *sched)
{
	json_t *e = sd_wait(sd, "started", path);

	if (e == NULL) {
		sd_dump(sd);
		fail_msg("%s did not start after its delay", path);
	}
	assert_true(ev_ts(e) - ev_ts(sched) >= 0.5 * real_of(sched, "delay"));
}

/* supervisorctl events, the text form: restart_scheduled with its delay. */
static void
events_text(struct sd *sd, json_t *sched)
{
	char *argv[] = { (char *)sd_bin("supervisord/supervisorctl"),
	    (char *)"-r", sd->rundir, (char *)"events", (char *)"--history",
	    NULL };
	char want[128], *line;
	int found = 0;
	struct bg bg;

	snprintf(want, sizeof(want), "%-6lld %-17s %-24s in %.3fs",
	    sd_int(sched, "seq"), "restart_scheduled", "root/a",
	    real_of(sched, "delay"));
	assert_int_equal(bg_start(&bg, argv), 0);
	/* The history first, then live: the shutdown ends the stream. */
	while (!found && (line = bg_line(&bg)) != NULL) {
		found = strcmp(line, want) == 0;
		free(line);
	}
	if (!found)
		fail_msg("no line \"%s\" from events", want);
	assert_int_equal(sd_ctl(sd, NULL, "shutdown", (char *)NULL), 0);
	assert_int_equal(sd_wait_exit(sd), 0);
	while ((line = bg_line(&bg)) != NULL)
		free(line);
	assert_int_equal(bg_wait(&bg), 0);
}

/*
 * A constant delay: the crash, restart_scheduled with the delay, the
 * child restarting with next_start_in in status --json and "next start
 * in" in the human status, then the start.
 */
static void
test_delay_constant(void **state)
{
	struct sd *sd = *state;
	struct outcome o;
	json_t *e, *n;
	double left;

	sd_config(sd, "{ \"intensity\": 5, \"period\": 60, \"children\": [ "
	    "{ \"id\": \"a\", \"argv\": [\"/bin/sleep\", \"1000\"], "
	    "\"restart_delay\": 3000 }, "
	    "{ \"id\": \"b\", \"argv\": [\"/bin/sleep\", \"1000\"] } ] }");
	assert_int_equal(sd_start(sd, NULL), 0);
	EXPECT(sd, "started root/a", "started root/b", "started root");
	crash(sd, "root/a");
	EXPECT(sd, KILLED("root/a"));
	e = scheduled(sd, "root/a", 3000, 1);

	assert_non_null(n = sd_node(sd, "root/a"));
	assert_string_equal(sd_str(n, "state"), "restarting");
	left = real_of(n, "next_start_in");
	assert_true(left >= 0 && left <= real_of(e, "delay"));
	assert_true(json_is_null(json_object_get(n, "pid")));
	json_decref(n);
	/* Only a child that waits has it. */
	assert_non_null(n = sd_node(sd, "root/b"));
	assert_null(json_object_get(n, "next_start_in"));
	json_decref(n);

	/* A restarting permanent child is not running: exit 3. */
	assert_int_equal(sd_ctl(sd, &o, "status", "root/a", (char *)NULL), 3);
	if (strstr(o.out, "restarting") == NULL ||
	    strstr(o.out, "signal KILL; next start in ") == NULL)
		fail_msg("status: %s", o.out);
	outcome_free(&o);

	started_after(sd, "root/a", e);
	assert_non_null(n = sd_node(sd, "root/a"));
	assert_string_equal(sd_str(n, "state"), "running");
	assert_null(json_object_get(n, "next_start_in"));
	assert_int_equal(sd_int(n, "restarts"), 1);
	json_decref(n);
	assert_int_equal(sd_ctl(sd, &o, "status", (char *)NULL), 0);
	if (strstr(o.out, "next start in") != NULL)
		fail_msg("status: %s", o.out);
	outcome_free(&o);
	events_text(sd, e);
}

/*
 * Backoff: a child that fails at once waits 250, 500, 1000, 2000 ms
 * (+-10 %) before its starts, then 2000 again (max); a stop during that
 * delay (long enough for the test to come first) cancels the restart.
 */
static void
test_delay_backoff(void **state)
{
	static const double want[] = { 250, 500, 1000, 2000 };
	struct sd *sd = *state;
	json_t *e, *n;
	size_t i;

	sd_config(sd, "{ \"intensity\": 20, \"period\": 60, \"children\": [ "
	    "{ \"id\": \"a\", \"argv\": [\"%s\", \"-x\", \"1\"], "
	    "\"restart_delay\": { \"initial\": 250, \"max\": 2000, "
	    "\"reset_after\": 60000 } } ] }", sd_child());
	assert_int_equal(sd_start(sd, NULL), 0);
	EXPECT(sd, "started root/a", "started root");
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		EXPECT(sd, FAILED("root/a"));
		e = scheduled(sd, "root/a", want[i], (long long)i + 1);
		started_after(sd, "root/a", e);
	}
	EXPECT(sd, FAILED("root/a"));
	scheduled(sd, "root/a", 2000, 5);
	assert_int_equal(sd_ctl(sd, NULL, "stop", "root/a", (char *)NULL), 0);
	assert_state(sd, "root/a", "stopped");
	assert_non_null(n = sd_node(sd, "root/a"));
	assert_null(json_object_get(n, "next_start_in"));
	json_decref(n);
	/* Nothing starts when the delay would have ended. */
	assert_null(sd_wait_ms(sd, NULL, NULL, 2500));
	assert_int_equal(sd_ctl(sd, NULL, "shutdown", (char *)NULL), 0);
	assert_int_equal(sd_wait_exit(sd), 0);
	EXPECT(sd, "shutdown root reason=shutdown");
	EXPECT_END(sd);
}

/*
 * A long delay: stop during it cancels the restart; start and restart
 * during it start the child at once.
 */
static void
test_delay_stop_start(void **state)
{
	struct sd *sd = *state;

	sd_config(sd, "{ \"children\": [ "
	    "{ \"id\": \"a\", \"argv\": [\"/bin/sleep\", \"1000\"], "
	    "\"restart_delay\": 60000 } ], \"intensity\": 5 }");
	assert_int_equal(sd_start(sd, NULL), 0);
	EXPECT(sd, "started root/a", "started root");
	crash(sd, "root/a");
	EXPECT(sd, KILLED("root/a"), "restart_scheduled root/a restarts=1");
	assert_int_equal(sd_ctl(sd, NULL, "stop", "root/a", (char *)NULL), 0);
	assert_state(sd, "root/a", "stopped");
	/* start during a delay, then restart during one: at once (60 s
	 * would be far past SD_TIMEOUT). */
	assert_int_equal(sd_ctl(sd, NULL, "start", "root/a", (char *)NULL), 0);
	EXPECT(sd, "started root/a");
	crash(sd, "root/a");
	EXPECT(sd, KILLED("root/a"), "restart_scheduled root/a restarts=1");
	assert_int_equal(sd_ctl(sd, NULL, "start", "root/a", (char *)NULL), 0);
	EXPECT(sd, "started root/a");
	crash(sd, "root/a");
	EXPECT(sd, KILLED("root/a"), "restart_scheduled root/a restarts=1");
	assert_int_equal(sd_ctl(sd, NULL, "restart", "root/a", (char *)NULL),
	    0);
	EXPECT(sd, "started root/a");
	assert_state(sd, "root/a", "running");
	assert_int_equal(sd_stop(sd), 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, sd_setup, sd_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_delay_constant),
		T(test_delay_backoff),
		T(test_delay_stop_start),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
