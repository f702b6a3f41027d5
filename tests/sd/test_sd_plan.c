/*
 * test_sd_plan.c: supervisorctl plan against a real supervisord: what it
 * says a reload would do, that saying it changes nothing, and that the
 * reload then does exactly that.
 */
#include <sys/resource.h>

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sdtest.h"

#define NOTHING	"nothing to change: a reload would leave the tree as it is\n"
#define SLEEP	"[\"/bin/sleep\", \"1000\"]"

static struct sd sd1;

static int
teardown(void **state)
{
	sd_finish(&sd1);
	return 0;
}

/* "fence" is in every tree here and never changes: see fence(). */
#define V1 \
	"{ \"children\": [" \
	" { \"id\": \"fence\", \"argv\": " SLEEP " }," \
	" { \"id\": \"keep\", \"argv\": " SLEEP " }," \
	" { \"id\": \"gone\", \"argv\": " SLEEP " }," \
	" { \"id\": \"change\", \"argv\": " SLEEP " }," \
	" { \"id\": \"core\", \"children\": [" \
	"   { \"id\": \"db\", \"argv\": " SLEEP " } ] }," \
	" { \"id\": \"old\", \"children\": [" \
	"   { \"id\": \"a\", \"argv\": " SLEEP " } ] }," \
	" { \"id\": \"s\", \"children\": [" \
	"   { \"id\": \"x\", \"argv\": " SLEEP " }," \
	"   { \"id\": \"y\", \"argv\": " SLEEP " } ] } ] }"

#define V2 \
	"{ \"intensity\": 3, \"children\": [" \
	" { \"id\": \"fence\", \"argv\": " SLEEP " }," \
	" { \"id\": \"keep\", \"argv\": " SLEEP ", \"restart_delay\": 100 }," \
	" { \"id\": \"new\", \"argv\": [\"/bin/sleep\", \"1001\"] }," \
	" { \"id\": \"change\", \"argv\": [\"/bin/sleep\", \"2000\"] }," \
	" { \"id\": \"core\", \"strategy\": \"rest_for_one\", \"children\": [" \
	"   { \"id\": \"db\", \"argv\": " SLEEP " } ] }," \
	" { \"id\": \"s\", \"children\": [" \
	"   { \"id\": \"x\", \"argv\": " SLEEP " }," \
	"   { \"id\": \"y\", \"argv\": " SLEEP ", \"stop_signal\": \"INT\" }," \
	"   { \"id\": \"z\", \"argv\": " SLEEP " } ] } ] }"

#define V2_PLAN \
	"update root (intensity changed; taken on without a restart)\n" \
	"stop root/old (removed; its subtree stops with it)\n" \
	"stop root/gone (removed)\n" \
	"update root/keep (restart_delay changed; taken on without a " \
	"restart)\n" \
	"start root/new (new)\n" \
	"restart root/change (argv changed)\n" \
	"restart root/core (strategy changed; its subtree restarts with it)\n" \
	"restart root/s/y (stop_signal changed)\n" \
	"start root/s/z (new)\n"

/*
 * Everything the daemon did before now has reached us: stopping fence
 * makes an event after all of it (one loop, in order), and starting it
 * again leaves the tree as it was.
 */
static void
fence(void)
{
	struct outcome o;
	size_t mark = json_array_size(sd1.seen);

	assert_int_equal(sd_ctl(&sd1, &o, "stop", "root/fence", (char *)NULL),
	    0);
	outcome_free(&o);
	sd1.cursor = mark;
	assert_non_null(sd_wait(&sd1, "exited", "root/fence"));
	assert_int_equal(sd_ctl(&sd1, &o, "start", "root/fence", (char *)NULL),
	    0);
	outcome_free(&o);
	assert_non_null(sd_wait(&sd1, "started", "root/fence"));
}

/* Nothing but fence's own stop and start since mark. */
static void
assert_quiet(size_t mark)
{
	fence();
	if (sd_count(&sd1, mark, NULL, NULL) != 2 ||
	    sd_count(&sd1, mark, NULL, "root/fence") != 2) {
		sd_dump(&sd1);
		fail_msg("events other than the fence's since %zu", mark);
	}
}

/* path -> pid of every node, from status --json (caller decrefs). */
static json_t *
pids(void)
{
	struct outcome o;
	json_t *all, *n, *m = json_object();
	size_t i;

	assert_int_equal(sd_ctl(&sd1, &o, "status", "--json", (char *)NULL), 0);
	assert_non_null(all = json_loads(o.out, 0, NULL));
	outcome_free(&o);
	json_array_foreach(all, i, n)
		json_object_set(m, sd_str(n, "path"), json_object_get(n, "pid"));
	json_decref(all);
	return m;
}

static json_t *
plan_json(const char *file)
{
	struct outcome o;
	json_t *v;

	if (sd_ctl(&sd1, &o, "plan", "--json", file, (char *)NULL) != 0)
		fail_msg("plan: exit %d: %s", o.status, o.err);
	assert_non_null(v = json_loads(o.out, 0, NULL));
	outcome_free(&o);
	return v;
}

/* Did what plan said happen to path, in the events since mark? */
static void
check_action(size_t mark, const char *action, const char *path)
{
	int exited = sd_count(&sd1, mark, "exited", path);
	int started = sd_count(&sd1, mark, "started", path);
	json_t *n;

	if (strcmp(action, "stop") == 0) {
		assert_int_equal(exited, 1);
		assert_int_equal(started, 0);
		assert_null(n = sd_node(&sd1, path));
	} else if (strcmp(action, "start") == 0) {
		assert_int_equal(exited, 0);
		assert_int_equal(started, 1);
	} else if (strcmp(action, "restart") == 0) {
		assert_int_equal(exited, 1);
		assert_int_equal(started, 1);
	} else if (strcmp(action, "update") == 0) {
		assert_int_equal(exited, 0);
		assert_int_equal(started, 0);
	} else
		fail_msg("unknown action %s", action);
}

static void
test_plan_then_reload(void **state)
{
	struct outcome o;
	json_t *before, *after, *plan, *a;
	size_t mark, i;
	const char *k;
	json_t *v;

	sd_config(&sd1, V1);
	assert_int_equal(sd_start(&sd1, NULL), 0);
	assert_non_null(sd_wait(&sd1, "started", "root"));
	/* The running file itself: nothing to do. */
	assert_int_equal(sd_ctl(&sd1, &o, "plan", (char *)NULL), 0);
	assert_string_equal(o.out, NOTHING);
	outcome_free(&o);

	sd_rewrite(&sd1, V2);
	before = pids();
	mark = json_array_size(sd1.seen);
	assert_int_equal(sd_ctl(&sd1, &o, "plan", (char *)NULL), 0);
	assert_string_equal(o.err, "");
	assert_string_equal(o.out, V2_PLAN);
	outcome_free(&o);
	plan = plan_json(NULL);
	assert_int_equal(json_array_size(plan), 9);
	assert_string_equal(sd_str(json_array_get(plan, 6), "action"),
	    "restart");
	assert_string_equal(sd_str(json_array_get(plan, 6), "path"),
	    "root/core");
	assert_string_equal(sd_str(json_array_get(plan, 6), "why"),
	    "strategy changed; its subtree restarts with it");
	/* Planning changed nothing: no event, every pid the same. */
	assert_quiet(mark);
	after = pids();
	json_object_foreach(before, k, v)
		if (strcmp(k, "root/fence") != 0)
			assert_true(json_equal(v, json_object_get(after, k)));
	assert_int_equal(json_object_size(after), json_object_size(before));
	json_decref(after);

	/* The reload does what the plan said, and nothing else. */
	mark = json_array_size(sd1.seen);
	assert_int_equal(sd_ctl(&sd1, &o, "reload", (char *)NULL), 0);
	outcome_free(&o);
	sd1.cursor = mark;
	assert_non_null(sd_wait(&sd1, "started", "root/s/z"));
	sd1.cursor = mark;
	assert_non_null(sd_wait(&sd1, "started", "root/core"));
	fence();
	json_array_foreach(plan, i, a)
		check_action(mark, sd_str(a, "action"), sd_str(a, "path"));
	/* The subtrees went with their supervisors... */
	assert_int_equal(sd_count(&sd1, mark, "exited", "root/old/a"), 1);
	assert_int_equal(sd_count(&sd1, mark, "exited", "root/core/db"), 1);
	assert_int_equal(sd_count(&sd1, mark, "started", "root/core/db"), 1);
	/* ...and what the plan did not name was left alone. */
	assert_int_equal(sd_count(&sd1, mark, NULL, "root/s"), 0);
	assert_int_equal(sd_count(&sd1, mark, NULL, "root/s/x"), 0);
	/* root: only the reloaded event that says it is all applied. */
	assert_int_equal(sd_count(&sd1, mark, "reloaded", "root"), 1);
	assert_int_equal(sd_count(&sd1, mark, NULL, "root"), 1);
	/* fence 2, old and old/a 2, gone 1, new 1, change 2, core and db 4,
	 * s/y 2, s/z 1, reloaded 1. */
	assert_int_equal(sd_count(&sd1, mark, NULL, NULL), 16);
	json_decref(plan);
	json_decref(before);

	/* Now the file is the tree again. */
	assert_int_equal(sd_ctl(&sd1, &o, "plan", (char *)NULL), 0);
	assert_string_equal(o.out, NOTHING);
	outcome_free(&o);
	assert_int_equal(sd_stop(&sd1), 0);
}

/* FILE: relative to supervisorctl's directory; errors as reload's. */
static void
test_plan_file(void **state)
{
	char cwd[PATH_MAX], want[PATH_MAX + 64];
	struct outcome o;
	size_t mark;

	sd_config(&sd1, V1);
	assert_int_equal(sd_start(&sd1, NULL), 0);
	assert_non_null(sd_wait(&sd1, "started", "root"));
	sd_put_file(&sd1, "v2.json", V2);
	sd_put_file(&sd1, "bad.json", "{ \"children\": [\n"
	    " { \"id\": \"keep\", \"argv\": " SLEEP ", \"restart\": \"often\" }"
	    " ] }");
	sd_put_file(&sd1, "top.json", "{ \"id\": \"top\" }");
	mark = json_array_size(sd1.seen);
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(sd1.dir), 0);
	assert_int_equal(sd_ctl(&sd1, &o, "plan", "v2.json", (char *)NULL), 0);
	assert_string_equal(o.out, V2_PLAN);
	outcome_free(&o);
	assert_int_equal(sd_ctl(&sd1, &o, "plan", "bad.json", (char *)NULL), 1);
	assert_int_equal(chdir(cwd), 0);
	assert_string_equal(o.out, "");
	snprintf(want, sizeof(want), "supervisorctl: plan: %s/bad.json:2:",
	    sd1.dir);
	if (strncmp(o.err, want, strlen(want)) != 0)
		fail_msg("want %s..., got %s", want, o.err);
	assert_non_null(strstr(o.err, "root/keep: \"restart\": expected one "
	    "of permanent, transient, temporary"));
	outcome_free(&o);
	assert_int_equal(sd_ctl(&sd1, &o, "plan", sd_file(&sd1, "top.json"),
	    (char *)NULL), 1);
	assert_non_null(strstr(o.err, "top.json: root: \"id\": the root's id "
	    "cannot change on reload"));
	assert_null(strstr(o.err, "unchanged"));
	outcome_free(&o);
	assert_int_equal(sd_ctl(&sd1, &o, "plan", sd_file(&sd1, "none.json"),
	    (char *)NULL), 1);
	assert_non_null(strstr(o.err, "none.json: No such file or directory"));
	outcome_free(&o);
	assert_int_equal(sd_ctl(&sd1, &o, "plan", "a", "b", (char *)NULL), 64);
	outcome_free(&o);
	assert_quiet(mark);
	assert_int_equal(sd_stop(&sd1), 0);
}

/*
 * A child's state decides: a changed child the operator stopped stays
 * stopped, a changed one that is down is only started, a new one with
 * autostart false is not started.
 */
static void
test_plan_states(void **state)
{
	struct outcome o;

	sd_config(&sd1, "{ \"children\": ["
	    " { \"id\": \"fence\", \"argv\": " SLEEP " },"
	    " { \"id\": \"held\", \"argv\": " SLEEP " },"
	    " { \"id\": \"once\", \"argv\": [\"/bin/true\"],"
	    "   \"restart\": \"transient\" } ] }");
	assert_int_equal(sd_start(&sd1, NULL), 0);
	assert_non_null(sd_wait(&sd1, "started", "root"));
	assert_non_null(sd_exited(&sd1, "root/once"));
	assert_int_equal(sd_ctl(&sd1, &o, "stop", "root/held", (char *)NULL),
	    0);
	outcome_free(&o);
	assert_non_null(sd_exited(&sd1, "root/held"));
	sd_rewrite(&sd1, "{ \"children\": ["
	    " { \"id\": \"fence\", \"argv\": " SLEEP " },"
	    " { \"id\": \"held\", \"argv\": [\"/bin/sleep\", \"999\"] },"
	    " { \"id\": \"once\", \"argv\": [\"/bin/true\", \"x\"],"
	    "   \"restart\": \"transient\" },"
	    " { \"id\": \"later\", \"argv\": " SLEEP ", \"autostart\": false } ] }");
	assert_int_equal(sd_ctl(&sd1, &o, "plan", (char *)NULL), 0);
	assert_string_equal(o.out,
	    "update root/held (argv changed; stopped by the operator, it stays "
	    "stopped)\n"
	    "start root/once (argv changed)\n"
	    "update root/later (new; not started (autostart false))\n");
	outcome_free(&o);
	assert_int_equal(sd_stop(&sd1), 0);
}

#define T(test)	cmocka_unit_test_teardown(test, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_plan_then_reload),
		T(test_plan_file),
		T(test_plan_states),
	};
	struct rlimit no_core = { 0, 0 };

	setrlimit(RLIMIT_CORE, &no_core);
	if (getenv("SD_TEST") != NULL)
		cmocka_set_test_filter(getenv("SD_TEST"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
