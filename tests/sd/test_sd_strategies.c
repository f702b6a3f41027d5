/*
 * test_sd_strategies.c: OTP's restart strategies on real processes: every
 * strategy with every restart type and both exit classes, which siblings
 * are stopped and started again and in which order, and nothing else.
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
#define SLEEPER_R(id, r) "{ \"id\": \"" id "\", \"restart\": \"" r "\"," \
	" \"argv\": [\"/bin/sleep\", \"1000\"] }"
/* A child its supervisor stopped with SIGTERM. */
#define STOPPED(p) \
	"exited " p " signal=TERM class=normal by_supervisor=true"

/* How the child ends: sdchild exits 1 on SIGUSR1, 0 on SIGUSR2. */
struct trigger {
	const char	*name;
	int		 signo;
	const char	*how;		/* exited event: code or signal */
	int		 normal;
};

static const struct trigger triggers[] = {
	{ "exit0", SIGUSR2, "code=0", 1 },
	{ "sigterm", SIGTERM, "signal=TERM", 1 },
	{ "exit1", SIGUSR1, "code=1", 0 },
	{ "sigkill", SIGKILL, "signal=KILL", 0 },
};

static const char *strategies[] = { "one_for_one", "one_for_all",
    "rest_for_one" };
static const char *restarts[] = { "permanent", "transient", "temporary" };

struct mcase {
	const char		*strategy;
	const char		*restart;
	const struct trigger	*trig;
};

#define NCASES	(3 * 3 * 4)
static struct mcase cases[NCASES];
static char names[NCASES][64];

/* End child p the way t says, and check its exited event. */
static void
end_child(struct sd *sd, const char *p, const struct trigger *t)
{
	char exp[200];
	pid_t pid = sd_pid(sd, p);

	assert_true(pid > 0);
	assert_int_equal(kill(pid, t->signo), 0);
	snprintf(exp, sizeof(exp), "exited %s pid=%d %s class=%s "
	    "by_supervisor=false", p, (int)pid, t->how,
	    t->normal ? "normal" : "abnormal");
	EXPECT(sd, exp);
}

/*
 * Children a, b, c, d; b (a notify sdchild, so that it has its signal
 * handlers before we signal it) has the restart type under test and ends
 * by the trigger under test.
 */
static void
test_matrix(void **state)
{
	const struct mcase *mc = sd_param(state);
	const struct trigger *t = mc->trig;
	struct sd *sd = *state;
	int restart;
	pid_t old;

	sd_config(sd, "{ \"strategy\": \"%s\", \"intensity\": 5, "
	    "\"period\": 60, \"children\": [ " SLEEPER("a") ", { \"id\": \"b\","
	    " \"argv\": [\"%s\", \"-n\"], \"ready\": \"notify\","
	    " \"restart\": \"%s\" }, " SLEEPER("c") ", " SLEEPER("d") " ] }",
	    mc->strategy, sd_child(), mc->restart);
	assert_int_equal(sd_start(sd, NULL), 0);
	EXPECT(sd, "started root/a", "started root/b", "ready root/b",
	    "started root/c", "started root/d", "started root");
	old = sd_pid(sd, "root/b");
	end_child(sd, "root/b", t);

	restart = strcmp(mc->restart, "permanent") == 0 ||
	    (strcmp(mc->restart, "transient") == 0 && !t->normal);
	if (restart && strcmp(mc->strategy, "one_for_one") == 0)
		EXPECT(sd, "started root/b", "ready root/b");
	else if (restart && strcmp(mc->strategy, "one_for_all") == 0)
		EXPECT(sd, STOPPED("root/d"), STOPPED("root/c"),
		    STOPPED("root/a"), "started root/a", "started root/b",
		    "ready root/b", "started root/c", "started root/d");
	else if (restart)
		EXPECT(sd, STOPPED("root/d"), STOPPED("root/c"),
		    "started root/b", "ready root/b", "started root/c",
		    "started root/d");
	if (restart)
		assert_int_not_equal(sd_pid(sd, "root/b"), old);

	/* Not restarted: stopped, or gone when temporary; others run. */
	assert_state(sd, "root/b", restart ? "running" :
	    strcmp(mc->restart, "temporary") == 0 ? NULL : "stopped");
	assert_state(sd, "root/a", "running");
	assert_state(sd, "root/c", "running");
	assert_state(sd, "root/d", "running");

	/* Nothing else moved: the next events are the shutdown's. */
	assert_int_equal(sd_ctl(sd, NULL, "shutdown", (char *)NULL), 0);
	assert_int_equal(sd_wait_exit(sd), 0);
	EXPECT(sd, STOPPED("root/d"), STOPPED("root/c"));
	if (restart)
		EXPECT(sd, STOPPED("root/b"));
	EXPECT(sd, STOPPED("root/a"), "shutdown root reason=shutdown");
	EXPECT_END(sd);
}

/*
 * one_for_all: a transient child that exited normally (not restarted
 * then) is started again when a sibling's crash restarts them all.
 */
static void
test_one_for_all_restarts_ended_transient(void **state)
{
	struct sd *sd = *state;

	sd_config(sd, "{ \"strategy\": \"one_for_all\", \"intensity\": 5,"
	    " \"period\": 60, \"children\": [ " SLEEPER("a") ", "
	    "{ \"id\": \"t\", \"argv\": [\"%s\", \"-n\"], \"ready\": "
	    "\"notify\", \"restart\": \"transient\" }, " SLEEPER("c") " ] }",
	    sd_child());
	assert_int_equal(sd_start(sd, NULL), 0);
	EXPECT(sd, "started root/a", "started root/t", "ready root/t",
	    "started root/c", "started root");
	end_child(sd, "root/t", &triggers[0]);		/* exit 0 */
	assert_state(sd, "root/t", "stopped");
	end_child(sd, "root/c", &triggers[3]);		/* SIGKILL */
	/* t is down already: only a is stopped; then all three start. */
	EXPECT(sd, STOPPED("root/a"), "started root/a", "started root/t",
	    "ready root/t", "started root/c");
	assert_state(sd, "root/t", "running");
	assert_int_equal(sd_ctl(sd, NULL, "shutdown", (char *)NULL), 0);
	assert_int_equal(sd_wait_exit(sd), 0);
	EXPECT(sd, STOPPED("root/c"), STOPPED("root/t"), STOPPED("root/a"),
	    "shutdown root reason=shutdown");
	EXPECT_END(sd);
}

/*
 * one_for_all: a temporary sibling is stopped by the restart and then
 * removed, not started again.
 */
static void
test_one_for_all_removes_temporary(void **state)
{
	struct sd *sd = *state;

	sd_config(sd, "{ \"strategy\": \"one_for_all\", \"intensity\": 5,"
	    " \"period\": 60, \"children\": [ " SLEEPER("a") ", "
	    SLEEPER_R("tmp", "temporary") ", " SLEEPER("c") " ] }");
	assert_int_equal(sd_start(sd, NULL), 0);
	EXPECT(sd, "started root/a", "started root/tmp", "started root/c",
	    "started root");
	end_child(sd, "root/c", &triggers[3]);
	EXPECT(sd, STOPPED("root/tmp"), STOPPED("root/a"), "started root/a",
	    "started root/c");
	assert_state(sd, "root/tmp", NULL);
	assert_state(sd, "root/a", "running");
	assert_state(sd, "root/c", "running");
	assert_int_equal(sd_ctl(sd, NULL, "shutdown", (char *)NULL), 0);
	assert_int_equal(sd_wait_exit(sd), 0);
	EXPECT(sd, STOPPED("root/c"), STOPPED("root/a"),
	    "shutdown root reason=shutdown");
	EXPECT_END(sd);
}

/*
 * rest_for_one: the children after the crashed one are stopped in
 * reverse start order and started again in start order, with an ended
 * transient among them started again and a temporary one removed; the
 * children before it (a temporary one too) are not touched.
 */
static void
test_rest_for_one_order(void **state)
{
	struct sd *sd = *state;

	sd_config(sd, "{ \"strategy\": \"rest_for_one\", \"intensity\": 5,"
	    " \"period\": 60, \"children\": [ " SLEEPER("a") ", "
	    SLEEPER_R("tmp1", "temporary") ", " SLEEPER("b") ", "
	    "{ \"id\": \"t\", \"argv\": [\"%s\", \"-n\"], \"ready\": "
	    "\"notify\", \"restart\": \"transient\" }, "
	    SLEEPER_R("tmp2", "temporary") ", "
	    SLEEPER("e") " ] }", sd_child());
	assert_int_equal(sd_start(sd, NULL), 0);
	EXPECT(sd, "started root/a", "started root/tmp1", "started root/b",
	    "started root/t", "ready root/t", "started root/tmp2",
	    "started root/e", "started root");
	end_child(sd, "root/t", &triggers[1]);	/* SIGTERM: normal */
	end_child(sd, "root/b", &triggers[3]);		/* SIGKILL */
	EXPECT(sd, STOPPED("root/e"), STOPPED("root/tmp2"), "started root/b",
	    "started root/t", "ready root/t", "started root/e");
	assert_state(sd, "root/tmp2", NULL);
	assert_state(sd, "root/tmp1", "running");
	assert_state(sd, "root/t", "running");
	assert_int_equal(sd_ctl(sd, NULL, "shutdown", (char *)NULL), 0);
	assert_int_equal(sd_wait_exit(sd), 0);
	EXPECT(sd, STOPPED("root/e"), STOPPED("root/t"), STOPPED("root/b"),
	    STOPPED("root/tmp1"), STOPPED("root/a"),
	    "shutdown root reason=shutdown");
	EXPECT_END(sd);
}

/* A code in normal_exit_codes is a normal exit: transient stays down. */
static void
test_normal_exit_codes(void **state)
{
	struct sd *sd = *state;

	sd_config(sd, "{ \"strategy\": \"one_for_all\", \"intensity\": 5,"
	    " \"period\": 60, \"children\": [ " SLEEPER("a") ", "
	    "{ \"id\": \"t\", \"argv\": [\"%s\", \"-n\"], \"ready\": "
	    "\"notify\", \"restart\": \"transient\", "
	    "\"normal_exit_codes\": [0, 1] } ] }", sd_child());
	assert_int_equal(sd_start(sd, NULL), 0);
	EXPECT(sd, "started root/a", "started root/t", "ready root/t",
	    "started root");
	kill(sd_pid(sd, "root/t"), SIGUSR1);
	EXPECT(sd, "exited root/t code=1 class=normal by_supervisor=false");
	assert_state(sd, "root/t", "stopped");
	assert_int_equal(sd_ctl(sd, NULL, "shutdown", (char *)NULL), 0);
	assert_int_equal(sd_wait_exit(sd), 0);
	EXPECT(sd, STOPPED("root/a"), "shutdown root reason=shutdown");
	EXPECT_END(sd);
}

/* A notify child that ignores SIGTERM: its stop waits for the test. */
#define STUBBORN(id) "{ \"id\": \"" id "\", \"ready\": \"notify\", " \
	"\"shutdown\": \"infinity\", \"argv\": [\"%s\", \"-i\", \"-n\"] }"

/* Shut down while stubborn child p holds up the stop: kill it. */
static void
kill_stubborn(struct sd *sd, const char *p)
{
	char exp[160];

	assert_int_equal(kill(sd_pid(sd, p), SIGKILL), 0);
	snprintf(exp, sizeof(exp), "exited %s signal=KILL class=abnormal "
	    "by_supervisor=true", p);
	EXPECT(sd, exp);
}

/*
 * one_for_all, busy: a sibling that crashes while the restart is
 * stopping the others is about to be stopped anyway; its exit is not
 * another restart (OTP drops the stale EXIT): intensity 1 holds.
 */
static void
test_one_for_all_crash_while_restarting(void **state)
{
	struct sd *sd = *state;

	sd_config(sd, "{ \"strategy\": \"one_for_all\", \"intensity\": 1,"
	    " \"period\": 60, \"children\": [ " SLEEPER("a") ", "
	    STUBBORN("x") ", " SLEEPER("b") ", " SLEEPER("c") " ] }",
	    sd_child());
	assert_int_equal(sd_start(sd, NULL), 0);
	EXPECT(sd, "started root/a", "started root/x", "ready root/x",
	    "started root/b", "started root/c", "started root");
	end_child(sd, "root/c", &triggers[3]);
	/* Stops b, then waits on x, which ignores SIGTERM. */
	EXPECT(sd, STOPPED("root/b"));
	end_child(sd, "root/a", &triggers[3]);
	kill_stubborn(sd, "root/x");
	EXPECT(sd, "started root/a", "started root/x", "ready root/x",
	    "started root/b", "started root/c");
	assert_state(sd, "root/a", "running");
	assert_state(sd, "root/c", "running");
	assert_null(sd_find(sd, "shutdown", "root"));
	kill(sd->pid, SIGTERM);
	EXPECT(sd, STOPPED("root/c"), STOPPED("root/b"));
	kill_stubborn(sd, "root/x");
	assert_int_equal(sd_wait_exit(sd), 0);
	EXPECT(sd, STOPPED("root/a"), "shutdown root reason=shutdown");
	EXPECT_END(sd);
}

/*
 * one_for_one, busy: a crash while the supervisor carries out an
 * operator's restart waits in its mailbox and is handled after it.
 */
static void
test_one_for_one_crash_waits_while_busy(void **state)
{
	struct sd *sd = *state;
	json_t *n;

	sd_config(sd, "{ \"intensity\": 5, \"period\": 60, \"children\": [ "
	    STUBBORN("x") ", " SLEEPER("y") " ] }", sd_child());
	assert_int_equal(sd_start(sd, NULL), 0);
	EXPECT(sd, "started root/x", "ready root/x", "started root/y",
	    "started root");
	/* The restart stops x, which ignores SIGTERM: root is busy. */
	assert_int_equal(sd_ctl(sd, NULL, "restart", "--no-wait", "root/x",
	    (char *)NULL), 0);
	end_child(sd, "root/y", &triggers[3]);
	assert_state(sd, "root/y", "restarting");
	kill_stubborn(sd, "root/x");
	EXPECT(sd, "started root/x", "ready root/x", "started root/y");
	assert_non_null(n = sd_node(sd, "root/y"));
	assert_string_equal(sd_str(n, "state"), "running");
	assert_int_equal(sd_int(n, "restarts"), 1);
	json_decref(n);
	kill(sd->pid, SIGTERM);
	EXPECT(sd, STOPPED("root/y"));
	kill_stubborn(sd, "root/x");
	assert_int_equal(sd_wait_exit(sd), 0);
	EXPECT(sd, "shutdown root reason=shutdown");
	EXPECT_END(sd);
}

#define T(f) cmocka_unit_test_setup_teardown(f, sd_setup, sd_teardown)

int
main(void)
{
	struct CMUnitTest tests[NCASES + 8];
	const struct CMUnitTest fixed[] = {
		T(test_one_for_all_restarts_ended_transient),
		T(test_one_for_all_removes_temporary),
		T(test_rest_for_one_order),
		T(test_normal_exit_codes),
		T(test_one_for_all_crash_while_restarting),
		T(test_one_for_one_crash_waits_while_busy),
	};
	size_t s, r, k, n = 0;

	for (s = 0; s < 3; s++)
		for (r = 0; r < 3; r++)
			for (k = 0; k < 4; k++, n++) {
				cases[n].strategy = strategies[s];
				cases[n].restart = restarts[r];
				cases[n].trig = &triggers[k];
				snprintf(names[n], sizeof(names[n]), "%s_%s_%s",
				    strategies[s], restarts[r],
				    triggers[k].name);
				memset(&tests[n], 0, sizeof(tests[n]));
				tests[n].name = names[n];
				tests[n].test_func = test_matrix;
				tests[n].setup_func = sd_setup;
				tests[n].teardown_func = sd_teardown;
				tests[n].initial_state = &cases[n];
			}
	for (k = 0; k < sizeof(fixed) / sizeof(fixed[0]); k++)
		tests[n++] = fixed[k];
	return _cmocka_run_group_tests("test_sd_strategies", tests, n, NULL,
	    NULL);
}
