/*
 * test_sd_significant.c: run-once steps (ready: exited) and automatic
 * shutdown on real processes: a container entrypoint's tree (a migration
 * step, the job that is the point, a web server) ends when the job does,
 * and supervisord exits with the job's status (supervisord(8), EXIT
 * STATUS); a step that fails stops the start.
 */
#include <sys/wait.h>

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
/* A run-once step that writes its pid to `up', waits for `go', then
 * exits with CODE. */
#define STEP(id, code) "{ \"id\": \"" id "\", \"ready\": \"exited\", " \
	"\"restart\": \"transient\", \"argv\": [\"%s\", \"-f\", \"up\", " \
	"\"-w\", \"go\", \"-x\", \"" code "\"] }"

/* The line of path in human status output, or NULL (static buffer). */
static const char *
status_line(const char *out, const char *path)
{
	static char line[512];
	const char *p = out, *e;
	size_t n = strlen(path);

	for (; *p != '\0'; p = *e ? e + 1 : e) {
		e = strchr(p, '\n');
		if (e == NULL)
			e = p + strlen(p);
		if (strncmp(p, path, n) == 0 && p[n] == ' ' &&
		    (size_t)(e - p) < sizeof(line)) {
			memcpy(line, p, (size_t)(e - p));
			line[e - p] = '\0';
			return line;
		}
	}
	return NULL;
}

/*
 * The entrypoint: nothing after the migration starts before it is done;
 * status shows it done (and that is fine for status's exit status); an
 * operator restart runs it again; the job's exit code 7 ends the tree,
 * web stopped, and is supervisord's exit status.
 */
static void
test_entrypoint_exits_with_job_code(void **state)
{
	struct sd *sd = *state;
	struct outcome o;
	const char *line;

	sd_config(sd, "{ \"auto_shutdown\": \"any_significant\", "
	    "\"children\": [ " STEP("migrate", "0") ", { \"id\": \"job\", "
	    "\"restart\": \"temporary\", \"significant\": true, \"argv\": "
	    "[\"%s\", \"-w\", \"job-go\", \"-x\", \"7\"] }, " SLEEPER("web")
	    " ] }", sd_child(), sd_child());
	assert_int_equal(sd_start_gated(sd, "up"), 0);
	EXPECT(sd, "started root/migrate");
	assert_state(sd, "root/migrate", "starting");
	assert_null(sd_find(sd, "started", "root/job"));
	sd_go(sd);
	EXPECT(sd, "exited root/migrate code=0 class=normal "
	    "by_supervisor=false", "done root/migrate code=0",
	    "started root/job", "started root/web", "started root");
	assert_state(sd, "root/migrate", "done");
	assert_int_equal(sd_ctl(sd, &o, "status", (char *)NULL), 0);
	assert_non_null(line = status_line(o.out, "root/migrate"));
	assert_non_null(strstr(line, " done "));
	outcome_free(&o);
	/* The operator runs it again; that is no end of anything. */
	assert_int_equal(sd_ctl(sd, NULL, "restart", "root/migrate",
	    (char *)NULL), 0);
	EXPECT(sd, "started root/migrate", "exited root/migrate code=0 "
	    "class=normal by_supervisor=false", "done root/migrate code=0");
	assert_state(sd, "root/web", "running");
	sd_put_file(sd, "job-go", "");
	assert_int_equal(sd_wait_exit(sd), 7);
	assert_true(WIFEXITED(sd->status));
	EXPECT(sd, "exited root/job code=7 class=abnormal by_supervisor=false",
	    STOPPED("root/web"), "shutdown root reason=auto_shutdown code=7");
	EXPECT_END(sd);
}

/* A temporary significant job killed by signal N: 128+N. */
static void
test_signal_gives_128_plus_n(void **state)
{
	struct sd *sd = *state;

	sd_config(sd, "{ \"auto_shutdown\": \"all_significant\", "
	    "\"children\": [ { \"id\": \"job\", \"restart\": \"temporary\", "
	    "\"significant\": true, \"argv\": [\"/bin/sleep\", \"1000\"] }, "
	    SLEEPER("web") " ] }");
	assert_int_equal(sd_start(sd, NULL), 0);
	EXPECT(sd, "started root/job", "started root/web", "started root");
	assert_int_equal(kill(sd_pid(sd, "root/job"), SIGUSR1), 0);
	assert_int_equal(sd_wait_exit(sd), 128 + SIGUSR1);
	assert_true(WIFEXITED(sd->status));
	EXPECT(sd, "exited root/job signal=USR1 class=abnormal "
	    "by_supervisor=false", STOPPED("root/web"),
	    "shutdown root reason=auto_shutdown code=138");
	EXPECT_END(sd);
}

/*
 * A significant supervisor passes on its job's code: batch shuts itself
 * down for its job, the root for batch, with the job's 5.
 */
static void
test_nested_supervisor_passes_code(void **state)
{
	struct sd *sd = *state;

	sd_config(sd, "{ \"auto_shutdown\": \"all_significant\", "
	    "\"children\": [ { \"id\": \"batch\", \"restart\": \"transient\", "
	    "\"significant\": true, \"auto_shutdown\": \"any_significant\", "
	    "\"children\": [ " SLEEPER("cache") ", { \"id\": \"job\", "
	    "\"restart\": \"temporary\", \"significant\": true, \"argv\": "
	    "[\"%s\", \"-w\", \"go\", \"-x\", \"5\"] } ] }, " SLEEPER("web")
	    " ] }", sd_child());
	assert_int_equal(sd_start(sd, NULL), 0);
	EXPECT(sd, "started root/batch/cache", "started root/batch/job",
	    "started root/batch", "started root/web", "started root");
	sd_go(sd);
	assert_int_equal(sd_wait_exit(sd), 5);
	EXPECT(sd, "exited root/batch/job code=5 class=abnormal",
	    STOPPED("root/batch/cache"),
	    "shutdown root/batch reason=auto_shutdown",
	    "exited root/batch class=normal by_supervisor=false",
	    STOPPED("root/web"), "shutdown root reason=auto_shutdown code=5");
	EXPECT_END(sd);
}

/* A step that exits abnormally is a start error: the start fails. */
static void
test_failed_step_stops_start(void **state)
{
	struct sd *sd = *state;
	char *log;

	sd_config(sd, "{ \"children\": [ " SLEEPER("db") ", " STEP("migrate",
	    "3") ", " SLEEPER("web") " ] }", sd_child());
	assert_int_equal(sd_start_gated(sd, "up"), 0);
	EXPECT(sd, "started root/db", "started root/migrate");
	sd_go(sd);
	assert_int_equal(sd_wait_exit(sd), 1);
	EXPECT(sd, "exited root/migrate code=3 class=abnormal "
	    "by_supervisor=false", "start_error root/migrate "
	    "error~code error~3 error~run-once", STOPPED("root/db"));
	EXPECT_END(sd);
	assert_null(sd_find(sd, "started", "root/web"));
	assert_null(sd_find(sd, "done", "root/migrate"));
	assert_non_null(log = sd_log(sd));
	assert_non_null(strstr(log, "start failed: child root/migrate: exited "
	    "with code 3"));
	free(log);
}

/*
 * A reload to a file whose new fields are wrong, each in its own way
 * (a permanent significant child, one under auto_shutdown never, a
 * run-once step that is permanent, a restart_delay whose max is below
 * its initial), is refused with every error and changes nothing.
 */
static void
test_bad_reload_changes_nothing(void **state)
{
	struct sd *sd = *state;
	struct outcome o;
	pid_t a, b;

	sd_config(sd, "{ \"children\": [ " SLEEPER("a") ", " SLEEPER("b")
	    " ] }");
	assert_int_equal(sd_start(sd, NULL), 0);
	EXPECT(sd, "started root/a", "started root/b", "started root");
	a = sd_pid(sd, "root/a");
	b = sd_pid(sd, "root/b");
	sd_rewrite(sd, "{ \"children\": [\n"
	    "{ \"id\": \"a\", \"argv\": [\"/bin/sleep\", \"1000\"],"
	    " \"significant\": true },\n"
	    "{ \"id\": \"b\", \"argv\": [\"/bin/sleep\", \"1000\"],"
	    " \"restart_delay\": { \"initial\": 1000, \"max\": 10 } },\n"
	    "{ \"id\": \"c\", \"argv\": [\"/bin/true\"],"
	    " \"ready\": \"exited\" } ] }");
	assert_int_equal(sd_ctl(sd, &o, "reload", (char *)NULL), 1);
	assert_non_null(strstr(o.err, "config unchanged"));
	assert_non_null(strstr(o.err, ":2:"));
	assert_non_null(strstr(o.err, "root/a: \"significant\""));
	assert_non_null(strstr(o.err, "permanent"));
	assert_non_null(strstr(o.err, "auto_shutdown"));
	assert_non_null(strstr(o.err, ":3:"));
	assert_non_null(strstr(o.err, "root/b: \"restart_delay\": \"max\""));
	assert_non_null(strstr(o.err, ":4:"));
	assert_non_null(strstr(o.err, "root/c: \"ready\""));
	outcome_free(&o);
	/* Nothing was stopped, started or replaced. */
	assert_null(sd_wait_ms(sd, NULL, NULL, 300));
	assert_int_equal(sd_pid(sd, "root/a"), a);
	assert_int_equal(sd_pid(sd, "root/b"), b);
	assert_null(sd_node(sd, "root/c"));
	assert_int_equal(sd_ctl(sd, NULL, "shutdown", (char *)NULL), 0);
	assert_int_equal(sd_wait_exit(sd), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_entrypoint_exits_with_job_code, sd_setup, sd_teardown),
		cmocka_unit_test_setup_teardown(test_signal_gives_128_plus_n,
		    sd_setup, sd_teardown),
		cmocka_unit_test_setup_teardown(
		    test_nested_supervisor_passes_code, sd_setup, sd_teardown),
		cmocka_unit_test_setup_teardown(test_failed_step_stops_start,
		    sd_setup, sd_teardown),
		cmocka_unit_test_setup_teardown(
		    test_bad_reload_changes_nothing, sd_setup, sd_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
