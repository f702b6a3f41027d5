/*
 * test_sd_basic.c: the daemon's basic life: start a tree, restart a
 * crashed child (one_for_one), status, shutdown with every exit seen.
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

static void
test_one_for_one_restart(void **state)
{
	struct sd sd;
	json_t *e;
	long long pid;
	struct outcome o;

	sd_config(&sd, "{ \"strategy\": \"one_for_one\", \"intensity\": 3,"
	    " \"period\": 10, \"children\": ["
	    " { \"id\": \"a\", \"argv\": [\"/bin/sleep\", \"1000\"] },"
	    " { \"id\": \"b\", \"argv\": [\"/bin/sleep\", \"1000\"] } ] }");
	assert_int_equal(sd_start(&sd, NULL), 0);
	assert_non_null(e = sd_wait(&sd, "started", "root/a"));
	pid = sd_int(e, "pid");
	assert_non_null(sd_wait(&sd, "started", "root"));
	kill((pid_t)pid, SIGKILL);
	assert_non_null(e = sd_wait(&sd, "exited", "root/a"));
	assert_string_equal(sd_str(e, "signal"), "KILL");
	assert_string_equal(sd_str(e, "class"), "abnormal");
	assert_false(json_is_true(json_object_get(e, "by_supervisor")));
	assert_non_null(e = sd_wait(&sd, "started", "root/a"));
	assert_int_not_equal(sd_int(e, "pid"), pid);
	/* one_for_one: b untouched. */
	assert_null(sd_find(&sd, "exited", "root/b"));
	assert_int_equal(sd_ctl(&sd, &o, "status", "root/a", (char *)NULL), 0);
	assert_non_null(strstr(o.out, "root/a"));
	assert_non_null(strstr(o.out, "running"));
	outcome_free(&o);
	assert_int_equal(sd_ctl(&sd, NULL, "shutdown", (char *)NULL), 0);
	assert_int_equal(sd_wait_exit(&sd), 0);
	assert_non_null(sd_find(&sd, "exited", "root/b"));
	assert_non_null(e = sd_find(&sd, "shutdown", "root"));
	assert_string_equal(sd_str(e, "reason"), "shutdown");
	sd_cleanup(&sd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_for_one_restart),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
