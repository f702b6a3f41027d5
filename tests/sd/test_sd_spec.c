/*
 * test_sd_spec.c: supervisorctl spec against a real supervisord: every
 * field with its default, a template's instance with its arguments, the
 * spec a reload put in place, and the errors.
 */
#include <sys/resource.h>

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sdtest.h"

#define SLEEP	"[\"/bin/sleep\", \"1000\"]"

static struct sd sd1;

static int
teardown(void **state)
{
	sd_finish(&sd1);
	return 0;
}

/* `spec PATH --json', parsed; fails the test when it does not work. */
static json_t *
spec(const char *path)
{
	struct outcome o;
	json_t *v;

	if (sd_ctl(&sd1, &o, "spec", path, "--json", (char *)NULL) != 0)
		fail_msg("spec %s: exit %d: %s", path, o.status, o.err);
	if ((v = json_loads(o.out, 0, NULL)) == NULL)
		fail_msg("spec %s: not JSON: %s", path, o.out);
	outcome_free(&o);
	return v;
}

/* v's member key, compact, as a string to compare (static buffer). */
static const char *
member(json_t *v, const char *key)
{
	static char buf[1024];
	char *s;

	if (json_object_get(v, key) == NULL)
		return "(absent)";
	s = json_dumps(json_object_get(v, key), JSON_COMPACT | JSON_ENCODE_ANY);
	snprintf(buf, sizeof(buf), "%s", s ? s : "?");
	free(s);
	return buf;
}

#define HAS(v, key, want)	assert_string_equal(member((v), (key)), (want))

static void
test_spec_defaults(void **state)
{
	char dir[PATH_MAX], want[PATH_MAX + 2];
	json_t *w, *r, *m;

	/* m is a step that does not end: the tree's start waits on it. */
	sd_config(&sd1, "{ \"children\": ["
	    " { \"id\": \"w\", \"argv\": " SLEEP " },"
	    " { \"id\": \"m\", \"argv\": [\"%s\", \"-f\", \"up\"],"
	    "   \"ready\": \"exited\", \"restart\": \"temporary\" } ] }",
	    sd_child());
	assert_int_equal(sd_start_gated(&sd1, "up"), 0);

	w = spec("root/w");
	HAS(w, "path", "\"root/w\"");
	HAS(w, "id", "\"w\"");
	HAS(w, "type", "\"worker\"");
	HAS(w, "argv", "[\"/bin/sleep\",\"1000\"]");
	HAS(w, "restart", "\"permanent\"");
	HAS(w, "shutdown", "5000");
	HAS(w, "stop_signal", "\"TERM\"");
	HAS(w, "normal_exit_codes", "[0]");
	HAS(w, "ready", "\"exec\"");
	HAS(w, "start_timeout", "5000");
	HAS(w, "watchdog", "0");
	HAS(w, "env", "{}");
	assert_non_null(realpath(sd1.dir, dir));
	snprintf(want, sizeof(want), "\"%s\"", dir);
	HAS(w, "cwd", want);
	HAS(w, "user", "null");
	HAS(w, "group", "null");
	HAS(w, "stdout", "\"inherit\"");
	HAS(w, "stderr", "\"inherit\"");
	HAS(w, "listen", "null");
	HAS(w, "restart_delay", "0");
	HAS(w, "autostart", "true");
	HAS(w, "significant", "false");
	json_decref(w);

	/* A run-once step has no start timeout unless the file gives one. */
	m = spec("root/m");
	HAS(m, "ready", "\"exited\"");
	HAS(m, "start_timeout", "0");
	json_decref(m);

	/* The root is no one's child: none of a child's fields. */
	r = spec("root");
	HAS(r, "type", "\"supervisor\"");
	HAS(r, "strategy", "\"one_for_one\"");
	HAS(r, "intensity", "1");
	HAS(r, "period", "5");
	HAS(r, "auto_shutdown", "\"never\"");
	HAS(r, "children", "[\"w\",\"m\"]");
	HAS(r, "restart", "(absent)");
	HAS(r, "restart_delay", "(absent)");
	HAS(r, "autostart", "(absent)");
	HAS(r, "template", "(absent)");
	json_decref(r);
	assert_int_equal(sd_stop(&sd1), 0);
}

static void
test_spec_given_fields(void **state)
{
	json_t *w, *s;

	sd_config(&sd1, "{ \"auto_shutdown\": \"any_significant\","
	    " \"children\": ["
	    " { \"id\": \"w\", \"argv\": " SLEEP ", \"restart\": \"transient\","
	    "   \"shutdown\": \"brutal_kill\", \"stop_signal\": \"QUIT\","
	    "   \"normal_exit_codes\": [0, 3], \"env\": { \"A\": \"1\" },"
	    "   \"cwd\": \"/\", \"stdout\": \"null\", \"stderr\": \"stdout\","
	    "   \"significant\": true, \"autostart\": false,"
	    "   \"restart_delay\": { \"initial\": 100, \"max\": 3000 } },"
	    " { \"id\": \"s\", \"strategy\": \"rest_for_one\", \"intensity\": 4,"
	    "   \"period\": 9, \"restart_delay\": 250, \"children\": ["
	    "   { \"id\": \"x\", \"argv\": " SLEEP " } ] } ] }");
	assert_int_equal(sd_start(&sd1, NULL), 0);
	assert_non_null(sd_wait(&sd1, "started", "root"));

	w = spec("root/w");
	HAS(w, "restart", "\"transient\"");
	HAS(w, "shutdown", "\"brutal_kill\"");
	HAS(w, "stop_signal", "\"QUIT\"");
	HAS(w, "normal_exit_codes", "[0,3]");
	HAS(w, "env", "{\"A\":\"1\"}");
	HAS(w, "cwd", "\"/\"");
	HAS(w, "stdout", "\"null\"");
	HAS(w, "stderr", "\"stdout\"");
	HAS(w, "significant", "true");
	HAS(w, "autostart", "false");
	HAS(w, "restart_delay",
	    "{\"initial\":100,\"max\":3000,\"reset_after\":3000}");
	json_decref(w);
	s = spec("root/s");
	HAS(s, "strategy", "\"rest_for_one\"");
	HAS(s, "intensity", "4");
	HAS(s, "period", "9");
	HAS(s, "shutdown", "\"infinity\"");
	HAS(s, "restart_delay", "250");
	HAS(s, "children", "[\"x\"]");
	json_decref(s);
	assert_int_equal(sd_stop(&sd1), 0);
}

/* An instance: its template, with its own id and extra arguments. */
static void
test_spec_instance(void **state)
{
	struct outcome o;
	json_t *i, *s;

	sd_config(&sd1, "{ \"children\": ["
	    " { \"id\": \"jobs\", \"strategy\": \"simple_one_for_one\","
	    "   \"template\": { \"argv\": [\"/bin/sleep\"],"
	    "   \"restart\": \"temporary\" } } ] }");
	assert_int_equal(sd_start(&sd1, NULL), 0);
	assert_non_null(sd_wait(&sd1, "started", "root"));
	assert_int_equal(sd_ctl(&sd1, &o, "start-child", "root/jobs", "1000",
	    (char *)NULL), 0);
	assert_string_equal(o.out, "root/jobs/1\n");
	outcome_free(&o);
	sd_started(&sd1, "root/jobs/1");

	i = spec("root/jobs/1");
	HAS(i, "path", "\"root/jobs/1\"");
	HAS(i, "id", "\"1\"");
	HAS(i, "argv", "[\"/bin/sleep\",\"1000\"]");
	HAS(i, "restart", "\"temporary\"");
	/* start-child starts an instance: autostart means nothing there. */
	HAS(i, "autostart", "(absent)");
	json_decref(i);
	s = spec("root/jobs");
	HAS(s, "strategy", "\"simple_one_for_one\"");
	HAS(s, "children", "[]");
	assert_non_null(json_object_get(s, "template"));
	HAS(json_object_get(s, "template"), "argv", "[\"/bin/sleep\"]");
	HAS(json_object_get(s, "template"), "id", "(absent)");
	json_decref(s);
	assert_int_equal(sd_stop(&sd1), 0);
}

/* The human form: one "field: value" line each, members dotted. */
static void
test_spec_human(void **state)
{
	struct outcome o;

	sd_config(&sd1, "{ \"children\": ["
	    " { \"id\": \"w\", \"argv\": " SLEEP ", \"env\": { \"A\": \"x y\" },"
	    "   \"restart_delay\": { \"initial\": 5, \"max\": 50,"
	    "   \"reset_after\": 7 } } ] }");
	assert_int_equal(sd_start(&sd1, NULL), 0);
	assert_non_null(sd_wait(&sd1, "started", "root"));
	assert_int_equal(sd_ctl(&sd1, &o, "spec", "root/w", (char *)NULL), 0);
	assert_string_equal(o.err, "");
#define HEAD	"path: root/w\nid: w\ntype: worker\n" \
	"argv: [\"/bin/sleep\",\"1000\"]\n"
	assert_int_equal(strncmp(o.out, HEAD, strlen(HEAD)), 0);
#undef HEAD
	assert_non_null(strstr(o.out, "\nenv.A: x y\n"));
	assert_non_null(strstr(o.out, "\nrestart: permanent\n"));
	assert_non_null(strstr(o.out, "\nrestart_delay.initial: 5\n"
	    "restart_delay.max: 50\nrestart_delay.reset_after: 7\n"));
	assert_non_null(strstr(o.out, "\nuser: null\n"));
	outcome_free(&o);
	assert_int_equal(sd_stop(&sd1), 0);
}

/* What supervisord uses: after a reload, the new spec. */
static void
test_spec_after_reload(void **state)
{
	struct outcome o;
	json_t *w;

	sd_config(&sd1, "{ \"children\": ["
	    " { \"id\": \"w\", \"argv\": " SLEEP " } ] }");
	assert_int_equal(sd_start(&sd1, NULL), 0);
	assert_non_null(sd_wait(&sd1, "started", "root"));
	sd_rewrite(&sd1, "{ \"children\": ["
	    " { \"id\": \"w\", \"argv\": " SLEEP ", \"restart_delay\": 900,"
	    "   \"watchdog\": 60000 } ] }");
	assert_int_equal(sd_ctl(&sd1, &o, "reload", (char *)NULL), 0);
	outcome_free(&o);
	/* A changed watchdog restarts w: its new start is the proof. */
	sd_exited(&sd1, "root/w");
	sd_started(&sd1, "root/w");
	w = spec("root/w");
	HAS(w, "restart_delay", "900");
	HAS(w, "watchdog", "60000");
	json_decref(w);
	assert_int_equal(sd_stop(&sd1), 0);
}

static void
test_spec_errors(void **state)
{
	struct outcome o;

	sd_config(&sd1, "{ \"children\": ["
	    " { \"id\": \"w\", \"argv\": " SLEEP " } ] }");
	assert_int_equal(sd_start(&sd1, NULL), 0);
	assert_non_null(sd_wait(&sd1, "started", "root"));
	assert_int_equal(sd_ctl(&sd1, &o, "spec", "root/nope", (char *)NULL),
	    1);
	assert_string_equal(o.out, "");
	assert_non_null(strstr(o.err, "spec: no such path: root/nope"));
	outcome_free(&o);
	assert_int_equal(sd_ctl(&sd1, &o, "spec", (char *)NULL), 64);
	assert_non_null(strstr(o.err, "usage: supervisorctl spec PATH"));
	outcome_free(&o);
	assert_int_equal(sd_ctl(&sd1, &o, "spec", "root/w", "root",
	    (char *)NULL), 64);
	outcome_free(&o);
	assert_int_equal(sd_stop(&sd1), 0);
}

#define T(test)	cmocka_unit_test_teardown(test, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_spec_defaults),
		T(test_spec_given_fields),
		T(test_spec_instance),
		T(test_spec_human),
		T(test_spec_after_reload),
		T(test_spec_errors),
	};
	struct rlimit no_core = { 0, 0 };

	setrlimit(RLIMIT_CORE, &no_core);
	if (getenv("SD_TEST") != NULL)
		cmocka_set_test_filter(getenv("SD_TEST"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
