/*
 * test_sd_waits.c: waiting commands (supervisorctl(8), Waiting): start,
 * stop, restart, reload and shutdown return once their outcome is
 * known, and the event that tells it is in the stream by then; a slow
 * one runs into --timeout (exit 4) and goes on; a failed start exits 1
 * with the reason; several paths and `all' are waited for together;
 * --no-wait answers at once; other clients are served meanwhile.
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
/* inc.sh MODE: a notify child that counts its incarnations (below). */
#define INC(id, mode) "{ \"id\": \"" id "\", \"ready\": \"notify\"," \
	" \"argv\": [\"/bin/sh\", \"inc.sh\", \"" mode "\"] }"

/*
 * Incarnation N of "slow" says READY=1 once gate.N exists (the test
 * makes gate.1 before the start); "fail" exits 3 before it is ready
 * from its second incarnation on.
 */
static void
put_inc(struct sd *sd)
{
	char script[1024];

	snprintf(script, sizeof(script),
	    "n=$(cat count.$1 2>/dev/null || echo 0); n=$((n+1))\n"
	    "echo $n > count.$1.tmp && mv count.$1.tmp count.$1\n"
	    "case $1 in\n"
	    "slow) exec %s -w gate.$n -n ;;\n"
	    "fail) [ $n -gt 1 ] && exit 3; exec %s -n ;;\n"
	    "esac\n", sd_child(), sd_child());
	sd_put_file(sd, "inc.sh", script);
	sd_put_file(sd, "gate.1", "open\n");
}

/* Past every event received so far: what a command sets off follows. */
static void
mark(struct sd *sd)
{
	while (sd_wait_ms(sd, NULL, NULL, 0) != NULL)
		;
}

/*
 * The event is in the stream already, after the mark: read without
 * waiting. The cursor stays, so the order of the checks is free.
 */
static json_t *
in_stream(struct sd *sd, const char *event, const char *path)
{
	size_t at = sd->cursor;
	json_t *e;

	if ((e = sd_wait_ms(sd, event, path, 0)) == NULL) {
		sd_dump(sd);
		fail_msg("no %s event for %s in the stream yet", event, path);
	}
	sd->cursor = at;
	return e;
}

/* sd_ctl_expect, the stream marked first: in_stream() looks from there. */
static void
ctl_expect(struct sd *sd, struct outcome *o, int want, ...)
{
	va_list ap;

	mark(sd);
	va_start(ap, want);
	sd_vctl_expect(sd, o, want, ap);
	va_end(ap);
}

static void
test_start_stop_restart_wait(void **state)
{
	struct sd *sd = *state;
	struct outcome o;
	json_t *r, *e;

	sd_config(sd, "{ \"children\": [ " INC("n", "slow") ", "
	    SLEEPER("b") " ] }");
	put_inc(sd);
	assert_int_equal(sd_start(sd, NULL), 0);
	EXPECT(sd, "started root/n", "ready root/n", "started root/b",
	    "started root");

	ctl_expect(sd, &o, 0, "stop", "root/n", NULL);
	outcome_free(&o);
	in_stream(sd, "exited", "root/n");
	assert_state(sd, "root/n", "stopped");

	/* Ready, not merely started, before start returns. */
	sd_put_file(sd, "gate.2", "open\n");
	ctl_expect(sd, &o, 0, "start", "root/n", NULL);
	outcome_free(&o);
	in_stream(sd, "started", "root/n");
	in_stream(sd, "ready", "root/n");

	ctl_expect(sd, &o, 0, "restart", "--json", "root/b", NULL);
	in_stream(sd, "exited", "root/b");
	in_stream(sd, "started", "root/b");
	assert_non_null(r = json_loads(o.out, 0, NULL));
	assert_true(json_is_true(json_object_get(r, "ok")));
	e = json_array_get(json_object_get(r, "results"), 0);
	assert_string_equal(sd_str(e, "path"), "root/b");
	assert_string_equal(sd_str(e, "state"), "running");
	json_decref(r);
	outcome_free(&o);

	/* Already down: answered at once. */
	ctl_expect(sd, &o, 0, "stop", "root/b", NULL);
	outcome_free(&o);
	ctl_expect(sd, &o, 0, "stop", "root/b", NULL);
	outcome_free(&o);
	assert_int_equal(sd_stop(sd), 0);
}

/*
 * A notify child slow to be ready: start waits, --timeout 1 gives up
 * waiting with exit 4 while the start goes on, and another client's
 * status is answered meanwhile.
 */
static void
test_slow_start_timeout(void **state)
{
	struct sd *sd = *state;
	struct outcome o;
	char *argv[8];
	struct bg b;

	sd_config(sd, "{ \"children\": [ " INC("n", "slow") " ] }");
	put_inc(sd);
	assert_int_equal(sd_start(sd, NULL), 0);
	EXPECT(sd, "started root/n", "ready root/n", "started root");
	ctl_expect(sd, &o, 0, "stop", "root/n", NULL);
	outcome_free(&o);

	ctl_expect(sd, &o, 4, "start", "--timeout", "1", "root/n", NULL);
	assert_non_null(strstr(o.err, "root/n: no outcome within 1 s; the "
	    "operation goes on"));
	outcome_free(&o);
	in_stream(sd, "started", "root/n");
	assert_state(sd, "root/n", "starting");

	/* A second start waits for the same readiness, in the background. */
	argv[0] = (char *)sd_bin("supervisord/supervisorctl");
	argv[1] = "-r";
	argv[2] = sd->rundir;
	argv[3] = "start";
	argv[4] = "root/n";
	argv[5] = NULL;
	assert_int_equal(bg_start(&b, argv), 0);
	/* Served while that one waits. */
	ctl_expect(sd, &o, 3, "status", "root/n", NULL);
	assert_non_null(strstr(o.out, "starting"));
	outcome_free(&o);
	assert_int_equal(waitpid(b.pid, NULL, WNOHANG), 0);
	sd_put_file(sd, "gate.2", "open\n");
	assert_int_equal(bg_wait(&b), 0);
	in_stream(sd, "ready", "root/n");
	assert_state(sd, "root/n", "running");
	assert_int_equal(sd_stop(sd), 0);
}

/* A start that fails exits 1 with the reason, each path with its own. */
static void
test_start_fails(void **state)
{
	struct sd *sd = *state;
	struct outcome o;
	json_t *r, *f;

	sd_config(sd, "{ \"children\": [ " INC("f", "fail") ", "
	    SLEEPER("a") " ] }");
	put_inc(sd);
	assert_int_equal(sd_start(sd, NULL), 0);
	EXPECT(sd, "started root/f", "ready root/f", "started root/a",
	    "started root");
	ctl_expect(sd, &o, 1, "restart", "root/f", NULL);
	assert_non_null(strstr(o.err, "supervisorctl: restart: root/f: "
	    "exited with code 3 before it was ready"));
	outcome_free(&o);
	in_stream(sd, "start_error", "root/f");

	ctl_expect(sd, &o, 1, "restart", "--json", "root/a", "root/f", NULL);
	assert_non_null(strstr(o.err, "root/f: exited with code 3"));
	assert_null(strstr(o.err, "root/a"));
	assert_non_null(r = json_loads(o.out, 0, NULL));
	assert_false(json_is_true(json_object_get(r, "ok")));
	f = json_array_get(json_object_get(r, "results"), 1);
	assert_string_equal(sd_str(f, "path"), "root/f");
	assert_false(json_is_true(json_object_get(f, "ok")));
	assert_non_null(strstr(sd_str(f, "error"), "code 3"));
	assert_true(json_is_true(json_object_get(json_array_get(
	    json_object_get(r, "results"), 0), "ok")));
	json_decref(r);
	outcome_free(&o);
	assert_state(sd, "root/a", "running");
	assert_int_equal(sd_stop(sd), 0);
}

/* Several paths, and all: taken on together, refused together. */
static void
test_several_paths_and_all(void **state)
{
	struct sd *sd = *state;
	struct outcome o;
	json_t *r;

	sd_config(sd, "{ \"children\": [ " SLEEPER("a") ", " SLEEPER("b") ", "
	    "{ \"id\": \"s\", \"children\": [ " SLEEPER("x") " ] } ] }");
	assert_int_equal(sd_start(sd, NULL), 0);
	assert_non_null(sd_wait(sd, "started", "root"));

	ctl_expect(sd, &o, 0, "stop", "root/a", "root/b", NULL);
	outcome_free(&o);
	in_stream(sd, "exited", "root/b");
	in_stream(sd, "exited", "root/a");
	assert_state(sd, "root/s/x", "running");

	/* One bad path: nothing is done. */
	ctl_expect(sd, &o, 1, "start", "root/a", "root/nope", NULL);
	assert_non_null(strstr(o.err, "no such path: root/nope"));
	outcome_free(&o);
	assert_state(sd, "root/a", "stopped");

	/* all: every child of the root; a supervisor's whole subtree. */
	ctl_expect(sd, &o, 0, "stop", "--json", "all", NULL);
	in_stream(sd, "exited", "root/s/x");
	in_stream(sd, "exited", "root/s");
	assert_non_null(r = json_loads(o.out, 0, NULL));
	assert_int_equal(json_array_size(json_object_get(r, "results")), 3);
	json_decref(r);
	outcome_free(&o);
	assert_state(sd, "root/s", "stopped");

	ctl_expect(sd, &o, 0, "start", "all", NULL);
	outcome_free(&o);
	in_stream(sd, "started", "root/s/x");
	in_stream(sd, "started", "root/s");
	assert_state(sd, "root/a", "running");
	assert_state(sd, "root/b", "running");
	assert_int_equal(sd_stop(sd), 0);
}

/*
 * A child that ignores SIGTERM: stop waits for the SIGKILL after its
 * shutdown time; with --no-wait it answers at once.
 */
static void
test_stop_stubborn(void **state)
{
	struct sd *sd = *state;
	struct outcome o;
	json_t *e;

	sd_config(sd, "{ \"children\": [ { \"id\": \"i\", \"shutdown\": 1000,"
	    " \"ready\": \"notify\", \"argv\": [\"%s\", \"-i\", \"-n\"] },"
	    " { \"id\": \"j\", \"shutdown\": 600000, \"ready\": \"notify\","
	    " \"argv\": [\"%s\", \"-i\", \"-n\"] } ] }", sd_child(),
	    sd_child());
	assert_int_equal(sd_start(sd, NULL), 0);
	assert_non_null(sd_wait(sd, "started", "root"));

	ctl_expect(sd, &o, 0, "stop", "root/i", NULL);
	outcome_free(&o);
	assert_non_null(e = in_stream(sd, "exited", "root/i"));
	assert_string_equal(sd_str(e, "signal"), "KILL");

	/* Ten minutes to go: --no-wait does not wait for them. */
	ctl_expect(sd, &o, 0, "stop", "--no-wait", "root/j", NULL);
	outcome_free(&o);
	assert_state(sd, "root/j", "stopping");
	ctl_expect(sd, &o, 4, "stop", "--timeout", "0.2", "root/j", NULL);
	outcome_free(&o);
	assert_state(sd, "root/j", "stopping");
	kill(sd_pid(sd, "root/j"), SIGKILL);
	assert_non_null(sd_wait(sd, "exited", "root/j"));
	assert_int_equal(sd_stop(sd), 0);
}

/* A start below a stopped supervisor would wait for ever: refused. */
static void
test_supervisor_down(void **state)
{
	struct sd *sd = *state;
	struct outcome o;

	sd_config(sd, "{ \"children\": [ { \"id\": \"s\", \"children\": [ "
	    SLEEPER("x") " ] } ] }");
	assert_int_equal(sd_start(sd, NULL), 0);
	assert_non_null(sd_wait(sd, "started", "root"));
	ctl_expect(sd, &o, 0, "stop", "root/s", NULL);
	outcome_free(&o);
	in_stream(sd, "exited", "root/s/x");
	in_stream(sd, "exited", "root/s");

	ctl_expect(sd, &o, 1, "start", "root/s/x", NULL);
	assert_non_null(strstr(o.err, "its supervisor root/s is stopped"));
	outcome_free(&o);
	/* Down already: a stop is answered at once. */
	ctl_expect(sd, &o, 0, "stop", "root/s/x", NULL);
	outcome_free(&o);
	/* The v1 way: taken on, it starts with its supervisor. */
	ctl_expect(sd, &o, 0, "start", "--no-wait", "root/s/x", NULL);
	outcome_free(&o);
	ctl_expect(sd, &o, 0, "start", "root/s", NULL);
	outcome_free(&o);
	in_stream(sd, "started", "root/s/x");
	assert_int_equal(sd_stop(sd), 0);
}

/* reload waits until applied, and says which start failed. */
static void
test_reload_waits(void **state)
{
	struct sd *sd = *state;
	struct outcome o;
	json_t *e;

	sd_config(sd, "{ \"children\": [ " SLEEPER("a") " ] }");
	assert_int_equal(sd_start(sd, NULL), 0);
	assert_non_null(sd_wait(sd, "started", "root"));

	sd_rewrite(sd, "{ \"children\": [ " SLEEPER("a") ", " SLEEPER("b")
	    ", { \"id\": \"s\", \"children\": [ " SLEEPER("y") " ] } ] }");
	ctl_expect(sd, &o, 0, "reload", NULL);
	outcome_free(&o);
	in_stream(sd, "started", "root/b");
	in_stream(sd, "started", "root/s");
	assert_non_null(e = in_stream(sd, "reloaded", "root"));
	assert_true(json_is_true(json_object_get(e, "ok")));

	sd_rewrite(sd, "{ \"children\": [ " SLEEPER("a") ", " SLEEPER("b")
	    ", { \"id\": \"s\", \"children\": [ " SLEEPER("y") ", { \"id\": "
	    "\"z\", \"argv\": [\"/nonexistent/z\"] } ] } ] }");
	ctl_expect(sd, &o, 1, "reload", NULL);
	assert_non_null(strstr(o.err, "root/s/z: execve: No such file"));
	outcome_free(&o);
	assert_non_null(e = in_stream(sd, "reloaded", "root"));
	assert_false(json_is_true(json_object_get(e, "ok")));
	assert_non_null(strstr(json_string_value(json_array_get(
	    json_object_get(e, "errors"), 0)), "root/s/z"));
	assert_state(sd, "root/s/y", "running");
	assert_int_equal(sd_stop(sd), 0);
}

/* shutdown returns once supervisord has exited. */
static void
test_shutdown_waits(void **state)
{
	struct sd *sd = *state;
	struct outcome o;
	char st;

	sd_config(sd, "{ \"children\": [ " SLEEPER("a") ", { \"id\": \"i\","
	    " \"shutdown\": 500, \"ready\": \"notify\", \"argv\": [\"%s\","
	    " \"-i\", \"-n\"] } ] }", sd_child());
	assert_int_equal(sd_start(sd, NULL), 0);
	assert_non_null(sd_wait(sd, "started", "root"));
	ctl_expect(sd, &o, 0, "shutdown", NULL);
	outcome_free(&o);
	/* Gone, only not reaped yet: we are its parent. */
	st = proc_state(sd->pid);
	assert_true(st == 'Z' || st == 0);
	assert_int_equal(sd_wait_exit(sd), 0);
	assert_non_null(sd_find(sd, "shutdown", "root"));
}

/* start-child waits for readiness too; --no-wait prints the path at once. */
static void
test_start_child(void **state)
{
	struct sd *sd = *state;
	struct outcome o;

	sd_config(sd, "{ \"children\": [ { \"id\": \"jobs\", \"strategy\":"
	    " \"simple_one_for_one\", \"template\": { \"ready\": \"notify\","
	    " \"argv\": [\"%s\", \"-w\", \"go\", \"-n\"] } } ] }",
	    sd_child());
	assert_int_equal(sd_start(sd, NULL), 0);
	assert_non_null(sd_wait(sd, "started", "root"));
	ctl_expect(sd, &o, 4, "start-child", "--timeout", "0.5", "root/jobs",
	    NULL);
	assert_non_null(strstr(o.err, "root/jobs/1: no outcome within 0.5 s"));
	outcome_free(&o);
	ctl_expect(sd, &o, 0, "start-child", "--no-wait", "root/jobs", NULL);
	assert_string_equal(o.out, "root/jobs/2\n");
	outcome_free(&o);
	/* Its start waits its turn: jobs is busy starting 1. */
	assert_state(sd, "root/jobs/2", "stopped");
	sd_go(sd);
	ctl_expect(sd, &o, 0, "start-child", "root/jobs", NULL);
	assert_string_equal(o.out, "root/jobs/3\n");
	outcome_free(&o);
	in_stream(sd, "ready", "root/jobs/3");
	assert_non_null(sd_wait(sd, "ready", "root/jobs/1"));
	assert_non_null(sd_wait(sd, "ready", "root/jobs/2"));
	assert_int_equal(sd_stop(sd), 0);
}

/*
 * A stop that waits in the mailbox of a supervisor busy with another
 * command is answered once it is carried out in its turn.
 */
static void
test_waits_its_turn(void **state)
{
	struct sd *sd = *state;
	struct outcome o;
	json_t *e;

	sd_config(sd, "{ \"children\": [ { \"id\": \"x\", \"shutdown\": 1000,"
	    " \"ready\": \"notify\", \"argv\": [\"%s\", \"-i\", \"-n\"] }, "
	    SLEEPER("y") " ] }", sd_child());
	assert_int_equal(sd_start(sd, NULL), 0);
	assert_non_null(sd_wait(sd, "started", "root"));
	/* root is busy: x needs its SIGKILL, a second from now. */
	ctl_expect(sd, &o, 0, "restart", "--no-wait", "root/x", NULL);
	outcome_free(&o);
	ctl_expect(sd, &o, 0, "stop", "root/y", NULL);
	outcome_free(&o);
	assert_non_null(e = in_stream(sd, "exited", "root/x"));
	assert_string_equal(sd_str(e, "signal"), "KILL");
	in_stream(sd, "ready", "root/x");
	in_stream(sd, "exited", "root/y");
	assert_state(sd, "root/x", "running");
	assert_state(sd, "root/y", "stopped");
	assert_int_equal(sd_stop(sd), 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, sd_setup, sd_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_start_stop_restart_wait),
		T(test_slow_start_timeout),
		T(test_start_fails),
		T(test_several_paths_and_all),
		T(test_stop_stubborn),
		T(test_supervisor_down),
		T(test_reload_waits),
		T(test_shutdown_waits),
		T(test_start_child),
		T(test_waits_its_turn),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
