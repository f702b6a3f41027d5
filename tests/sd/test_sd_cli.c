/*
 * test_sd_cli.c: what supervisorctl says (supervisorctl(8)): a start of
 * a running child and a stop of a stopped one say so and exit 0, for
 * one path, several and `all', and in --json; reload prints the actions
 * it took, as plan does, "nothing to change" when there were none, and
 * the starts that failed; numbers print with no more digits than a
 * double holds.
 */
#include <ctype.h>
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
#define IDLE(id) "{ \"id\": \"" id "\", \"autostart\": false, " \
	"\"argv\": [\"/bin/sleep\", \"1000\"] }"
#define NOTHING	"nothing to change: the tree is as the file says\n"


/* supervisorctl ARG... exits 0 and prints exactly want on stdout. */
static void
ctl_says(struct sd *sd, const char *want, ...)
{
	struct outcome o;
	char *args[16];
	va_list ap;
	int n = 0;

	va_start(ap, want);
	while (n < 15 && (args[n] = va_arg(ap, char *)) != NULL)
		n++;
	va_end(ap);
	args[n] = NULL;
	if (sd_ctlv(sd, &o, args) != 0)
		fail_msg("supervisorctl %s: exit %d; stderr %s", args[0],
		    o.status, o.err);
	assert_string_equal(o.out, want);
	assert_string_equal(o.err, "");
	outcome_free(&o);
}

/* Its pid now, from status. */
static long long
pid_now(struct sd *sd, const char *path)
{
	json_t *n = sd_node(sd, path);
	long long pid;

	assert_non_null(n);
	pid = sd_int(n, "pid");
	json_decref(n);
	return pid;
}

/* Its result in a --json reply of start or stop. */
static json_t *
result_of(json_t *reply, const char *path)
{
	json_t *r;
	size_t i;

	json_array_foreach(json_object_get(reply, "results"), i, r)
		if (strcmp(sd_str(r, "path"), path) == 0)
			return r;
	fail_msg("no result for %s", path);
	return NULL;
}

/*
 * A start of a running child and a stop of a stopped one change
 * nothing, say so on stdout, and exit 0; a first stop or start, and a
 * restart, say nothing.
 */
static void
test_already(void **state)
{
	struct sd *sd = *state;
	long long a;

	sd_config(sd, "{ \"children\": [ " SLEEPER("a") ", " IDLE("b")
	    " ] }");
	assert_int_equal(sd_start(sd, NULL), 0);
	assert_non_null(sd_wait(sd, "started", "root"));
	a = pid_now(sd, "root/a");

	ctl_says(sd, "root/a: already running\n", "start", "root/a", NULL);
	assert_int_equal(pid_now(sd, "root/a"), a);
	ctl_says(sd, "root/b: already stopped\n", "stop", "root/b", NULL);
	ctl_says(sd, "", "stop", "root/a", NULL);
	ctl_says(sd, "root/a: already stopped\n", "stop", "root/a", NULL);
	ctl_says(sd, "", "start", "root/a", NULL);
	assert_state(sd, "root/a", "running");
	a = pid_now(sd, "root/a");
	/* A restart restarts, running or not. */
	ctl_says(sd, "", "restart", "root/a", NULL);
	assert_true(pid_now(sd, "root/a") != a);
	assert_int_equal(sd_stop(sd), 0);
}

/* Several paths and `all': a line for each that already was. */
static void
test_already_several(void **state)
{
	struct sd *sd = *state;
	struct outcome o;
	json_t *reply;

	sd_config(sd, "{ \"children\": [ " SLEEPER("a") ", " IDLE("b") ", "
	    SLEEPER("c") " ] }");
	assert_int_equal(sd_start(sd, NULL), 0);
	assert_non_null(sd_wait(sd, "started", "root"));

	ctl_says(sd, "root/a: already running\nroot/c: already running\n",
	    "start", "all", NULL);
	assert_state(sd, "root/b", "running");
	ctl_says(sd, "", "stop", "root/b", NULL);
	ctl_says(sd, "root/c: already running\n", "start", "root/c",
	    "root/b", NULL);
	ctl_says(sd, "", "stop", "root/b", NULL);
	ctl_says(sd, "root/b: already stopped\n", "stop", "root/a", "root/b",
	    NULL);
	ctl_says(sd, "root/a: already stopped\nroot/b: already stopped\n",
	    "stop", "all", NULL);

	/* --json: the field in each path's result, and no line. */
	ctl_says(sd, "", "start", "root/c", NULL);
	sd_ctl_expect(sd, &o, 0, "start", "--json", "root/a", "root/c", NULL);
	assert_null(strstr(o.out, "already running"));
	assert_non_null(reply = json_loads(o.out, 0, NULL));
	assert_false(json_is_true(json_object_get(result_of(reply, "root/a"),
	    "already")));
	assert_true(json_is_true(json_object_get(result_of(reply, "root/c"),
	    "already")));
	assert_true(json_is_true(json_object_get(result_of(reply, "root/a"),
	    "ok")));
	json_decref(reply);
	outcome_free(&o);
	sd_ctl_expect(sd, &o, 0, "stop", "--json", "root/b", NULL);
	assert_non_null(reply = json_loads(o.out, 0, NULL));
	assert_true(json_is_true(json_object_get(result_of(reply, "root/b"),
	    "already")));
	assert_string_equal(sd_str(result_of(reply, "root/b"), "state"),
	    "stopped");
	json_decref(reply);
	outcome_free(&o);
	assert_int_equal(sd_stop(sd), 0);
}

/*
 * reload prints what it did, line for line what plan said it would,
 * once it is applied; then that there is nothing to change.
 */
static void
test_reload_says(void **state)
{
	struct sd *sd = *state;
	struct outcome plan, o;
	json_t *reply, *a;

	sd_config(sd, "{ \"children\": [ " SLEEPER("a") ", " SLEEPER("old")
	    " ] }");
	assert_int_equal(sd_start(sd, NULL), 0);
	assert_non_null(sd_wait(sd, "started", "root"));
	ctl_says(sd, NOTHING, "reload", NULL);

	sd_rewrite(sd, "{ \"children\": [ { \"id\": \"a\", \"argv\": "
	    "[\"/bin/sleep\", \"999\"] }, " SLEEPER("b") " ] }");
	sd_ctl_expect(sd, &plan, 0, "plan", NULL);
	sd_ctl_expect(sd, &o, 0, "reload", NULL);
	assert_string_equal(o.out, plan.out);
	assert_non_null(strstr(o.out, "stop root/old ("));
	assert_non_null(strstr(o.out, "restart root/a (argv changed"));
	assert_non_null(strstr(o.out, "start root/b ("));
	assert_string_equal(o.err, "");
	outcome_free(&o);
	outcome_free(&plan);
	/* Answered once applied: b runs by then. */
	assert_state(sd, "root/b", "running");
	ctl_says(sd, NOTHING, "reload", NULL);

	/* --json: the plan applied, and the outcome. */
	sd_rewrite(sd, "{ \"children\": [ { \"id\": \"a\", \"argv\": "
	    "[\"/bin/sleep\", \"999\"] } ] }");
	sd_ctl_expect(sd, &o, 0, "reload", "--json", NULL);
	assert_non_null(reply = json_loads(o.out, 0, NULL));
	assert_true(json_is_true(json_object_get(reply, "ok")));
	assert_int_equal(json_array_size(json_object_get(reply, "plan")), 1);
	a = json_array_get(json_object_get(reply, "plan"), 0);
	assert_string_equal(sd_str(a, "action"), "stop");
	assert_string_equal(sd_str(a, "path"), "root/b");
	json_decref(reply);
	outcome_free(&o);
	sd_ctl_expect(sd, &o, 0, "reload", "--json", NULL);
	assert_string_equal(o.out, "{\"ok\":true,\"plan\":[]}\n");
	outcome_free(&o);
	assert_int_equal(sd_stop(sd), 0);
}

/* A start the reload made fails: the plan, the failure, exit 1. */
static void
test_reload_failed_start(void **state)
{
	struct sd *sd = *state;
	struct outcome o;
	json_t *reply;

	sd_config(sd, "{ \"children\": [ " SLEEPER("a") " ] }");
	assert_int_equal(sd_start(sd, NULL), 0);
	assert_non_null(sd_wait(sd, "started", "root"));
	sd_rewrite(sd, "{ \"children\": [ " SLEEPER("a") ", { \"id\": \"z\", "
	    "\"argv\": [\"/nonexistent/z\"] } ] }");
	sd_ctl_expect(sd, &o, 1, "reload", NULL);
	assert_non_null(strstr(o.out, "start root/z ("));
	assert_non_null(strstr(o.err, "supervisorctl: reload: a start "
	    "failed:\nroot/z: "));
	assert_non_null(strstr(o.err, "No such file"));
	outcome_free(&o);

	sd_rewrite(sd, "{ \"children\": [ " SLEEPER("a") ", { \"id\": \"y\", "
	    "\"argv\": [\"/nonexistent/y\"] } ] }");
	sd_ctl_expect(sd, &o, 1, "reload", "--json", NULL);
	assert_non_null(reply = json_loads(o.out, 0, NULL));
	assert_false(json_is_true(json_object_get(reply, "ok")));
	assert_int_equal(json_array_size(json_object_get(reply, "plan")), 2);
	assert_non_null(strstr(json_string_value(json_array_get(
	    json_object_get(reply, "errors"), 0)), "root/y"));
	json_decref(reply);
	outcome_free(&o);
	assert_int_equal(sd_stop(sd), 0);
}

/* Significant digits of the first number after "key": in s. */
static int
digits_of(const char *s, const char *key)
{
	char pat[64];
	const char *p;
	int n = 0, lead = 1;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	if ((p = strstr(s, pat)) == NULL)
		fail_msg("no %s in %s", key, s);
	for (p += strlen(pat); isdigit((unsigned char)*p) || *p == '.'; p++) {
		if (*p == '.' || (lead && *p == '0'))
			continue;
		lead = 0;
		n++;
	}
	return n;
}

/*
 * A double holds 15-17 digits; the 17th is noise (50.697000000000003):
 * status --json prints at most 16.
 */
static void
test_float_precision(void **state)
{
	struct sd *sd = *state;
	struct outcome o;
	int i, most = 0;

	sd_config(sd, "{ \"children\": [ " SLEEPER("a") " ] }");
	assert_int_equal(sd_start(sd, NULL), 0);
	assert_non_null(sd_wait(sd, "started", "root"));
	/* Some uptime has 17 digits at full precision, nearly every one. */
	for (i = 0; i < 5; i++) {
		sd_ctl_expect(sd, &o, 0, "status", "--json", "root/a", NULL);
		if (digits_of(o.out, "uptime") > most)
			most = digits_of(o.out, "uptime");
		outcome_free(&o);
	}
	assert_true(most > 0);
	assert_true(most <= 16);
	assert_int_equal(sd_stop(sd), 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, sd_setup, sd_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_already),
		T(test_already_several),
		T(test_reload_says),
		T(test_reload_failed_start),
		T(test_float_precision),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
