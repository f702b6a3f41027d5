/*
 * test_sd_simple.c: simple_one_for_one on real processes: instances get
 * ids 1, 2, 3 in start order with the operator's args appended, keep
 * their id when restarted, never reuse one, and are all stopped with
 * their supervisor; every restart type with both exit classes.
 */
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sdtest.h"

#define STOPPED(p) \
	"exited " p " signal=TERM class=normal by_supervisor=true"
#define JOBS_STOPPED "exited root/jobs class=normal by_supervisor=true"

struct trigger {
	const char	*name;
	int		 signo;
	const char	*how;
	int		 normal;
};

/* sdchild exits 1 on SIGUSR1, 0 on SIGUSR2. */
static const struct trigger triggers[] = {
	{ "exit0", SIGUSR2, "code=0", 1 },
	{ "sigterm", SIGTERM, "signal=TERM", 1 },
	{ "exit1", SIGUSR1, "code=1", 0 },
	{ "sigkill", SIGKILL, "signal=KILL", 0 },
};
static const char *restarts[] = { "permanent", "transient", "temporary" };

struct mcase {
	const char		*restart;
	const struct trigger	*trig;
};

#define NCASES	(3 * 4)
static struct mcase cases[NCASES];
static char names[NCASES][64];

/* start-child with args (split at spaces); checks the path it prints. */
static void
start_child(struct sd *sd, const char *args, const char *want)
{
	struct outcome o;
	char buf[256], *argv[8], *last;
	int n = 0;

	strlcpy(buf, args, sizeof(buf));
	argv[n++] = "start-child";
	argv[n++] = "root/jobs";
	for (argv[n] = strtok_r(buf, " ", &last); argv[n] != NULL && n < 7;
	    argv[n] = strtok_r(NULL, " ", &last))
		n++;
	argv[n] = NULL;
	assert_int_equal(sd_ctlv(sd, &o, argv), 0);
	o.out[strcspn(o.out, "\n")] = '\0';
	assert_string_equal(o.out, want);
	outcome_free(&o);
}

static void
test_matrix(void **state)
{
	const struct mcase *mc = sd_param(state);
	const struct trigger *t = mc->trig;
	struct sd *sd = *state;
	char exp[200];
	int restart;
	pid_t pid;

	sd_config(sd, "{ \"children\": [ { \"id\": \"jobs\", \"strategy\": "
	    "\"simple_one_for_one\", \"intensity\": 5, \"period\": 60, "
	    "\"template\": { \"argv\": [\"%s\", \"-n\"], \"ready\": \"notify\","
	    " \"restart\": \"%s\" } } ] }", sd_child(), mc->restart);
	assert_int_equal(sd_start(sd, NULL), 0);
	EXPECT(sd, "started root/jobs", "started root");
	start_child(sd, "", "root/jobs/1");
	EXPECT(sd, "started root/jobs/1", "ready root/jobs/1");
	start_child(sd, "", "root/jobs/2");
	EXPECT(sd, "started root/jobs/2", "ready root/jobs/2");
	start_child(sd, "", "root/jobs/3");
	EXPECT(sd, "started root/jobs/3", "ready root/jobs/3");

	pid = sd_pid(sd, "root/jobs/2");
	assert_int_equal(kill(pid, t->signo), 0);
	snprintf(exp, sizeof(exp), "exited root/jobs/2 pid=%d %s class=%s "
	    "by_supervisor=false", (int)pid, t->how,
	    t->normal ? "normal" : "abnormal");
	EXPECT(sd, exp);
	restart = strcmp(mc->restart, "permanent") == 0 ||
	    (strcmp(mc->restart, "transient") == 0 && !t->normal);
	if (restart) {
		EXPECT(sd, "started root/jobs/2", "ready root/jobs/2");
		assert_int_not_equal(sd_pid(sd, "root/jobs/2"), pid);
	}
	/* Not restarted: gone, as OTP deletes a dynamic child. */
	assert_state(sd, "root/jobs/2", restart ? "running" : NULL);
	assert_state(sd, "root/jobs/1", "running");
	assert_state(sd, "root/jobs/3", "running");
	/* Ids are never reused. */
	start_child(sd, "", "root/jobs/4");
	EXPECT(sd, "started root/jobs/4", "ready root/jobs/4");

	assert_int_equal(sd_ctl(sd, NULL, "shutdown", (char *)NULL), 0);
	assert_int_equal(sd_wait_exit(sd), 0);
	if (restart)
		EXPECT_ANY(sd, STOPPED("root/jobs/1"), STOPPED("root/jobs/2"),
		    STOPPED("root/jobs/3"), STOPPED("root/jobs/4"));
	else
		EXPECT_ANY(sd, STOPPED("root/jobs/1"), STOPPED("root/jobs/3"),
		    STOPPED("root/jobs/4"));
	EXPECT(sd, JOBS_STOPPED, "shutdown root reason=shutdown");
	EXPECT_END(sd);
}

/* Wait for the args file instance id writes, and compare. */
static void
assert_args(struct sd *sd, const char *id, const char *want)
{
	char name[32], *s;

	snprintf(name, sizeof(name), "args.%s", id);
	assert_non_null(s = sd_read_file(sd, name));
	assert_string_equal(s, want);
	free(s);
}

static void
test_ids_args_restart_delete(void **state)
{
	struct sd *sd = *state;
	pid_t pid;

	/* Each instance writes its args to args.ID (ID from its path). */
	sd_config(sd, "{ \"children\": [ { \"id\": \"jobs\", \"strategy\": "
	    "\"simple_one_for_one\", \"intensity\": 5, \"period\": 60, "
	    "\"template\": { \"argv\": [\"/bin/sh\", \"-c\", "
	    "\"f=args.${SUPERVISOR_PATH##*/}; echo $* > $f.tmp && "
	    "mv $f.tmp $f && exec sleep 1000\", \"sh\"] } } ] }");
	assert_int_equal(sd_start(sd, NULL), 0);
	EXPECT(sd, "started root/jobs", "started root");

	start_child(sd, "A B", "root/jobs/1");
	EXPECT(sd, "started root/jobs/1");
	start_child(sd, "C", "root/jobs/2");
	EXPECT(sd, "started root/jobs/2");
	start_child(sd, "", "root/jobs/3");
	EXPECT(sd, "started root/jobs/3");
	assert_args(sd, "1", "A B\n");
	assert_args(sd, "2", "C\n");
	assert_args(sd, "3", "\n");

	/* A restarted instance keeps its id and its args. */
	assert_int_equal(unlink(sd_file(sd, "args.2")), 0);
	pid = sd_pid(sd, "root/jobs/2");
	assert_int_equal(kill(pid, SIGKILL), 0);
	EXPECT(sd, "exited root/jobs/2 signal=KILL class=abnormal "
	    "by_supervisor=false", "started root/jobs/2");
	assert_int_not_equal(sd_pid(sd, "root/jobs/2"), pid);
	assert_args(sd, "2", "C\n");

	/* Stopped by the operator: stays; deleted: its id is not reused. */
	assert_int_equal(sd_ctl(sd, NULL, "stop", "root/jobs/3",
	    (char *)NULL), 0);
	EXPECT(sd, STOPPED("root/jobs/3"));
	assert_state(sd, "root/jobs/3", "stopped");
	assert_int_not_equal(sd_ctl(sd, NULL, "delete-child", "root/jobs/2",
	    (char *)NULL), 0);
	assert_int_equal(sd_ctl(sd, NULL, "delete-child", "root/jobs/3",
	    (char *)NULL), 0);
	assert_state(sd, "root/jobs/3", NULL);
	start_child(sd, "D", "root/jobs/4");
	EXPECT(sd, "started root/jobs/4");
	assert_args(sd, "4", "D\n");

	/* Stopping the supervisor stops every instance, all at once. */
	assert_int_equal(sd_ctl(sd, NULL, "stop", "root/jobs",
	    (char *)NULL), 0);
	EXPECT_ANY(sd, STOPPED("root/jobs/1"), STOPPED("root/jobs/2"),
	    STOPPED("root/jobs/4"));
	EXPECT(sd, JOBS_STOPPED);
	assert_state(sd, "root/jobs", "stopped");
	assert_state(sd, "root/jobs/1", NULL);

	/* Started again: no instances, and still no id reused. */
	assert_int_equal(sd_ctl(sd, NULL, "start", "root/jobs",
	    (char *)NULL), 0);
	EXPECT(sd, "started root/jobs");
	start_child(sd, "E", "root/jobs/5");
	EXPECT(sd, "started root/jobs/5");
	start_child(sd, "F", "root/jobs/6");
	EXPECT(sd, "started root/jobs/6");

	/* Shutdown stops them all too. */
	assert_int_equal(sd_ctl(sd, NULL, "shutdown", (char *)NULL), 0);
	assert_int_equal(sd_wait_exit(sd), 0);
	EXPECT_ANY(sd, STOPPED("root/jobs/5"), STOPPED("root/jobs/6"));
	EXPECT(sd, JOBS_STOPPED, "shutdown root reason=shutdown");
	EXPECT_END(sd);
}

int
main(void)
{
	struct CMUnitTest tests[NCASES + 1];
	size_t r, k, n = 0;

	for (r = 0; r < 3; r++)
		for (k = 0; k < 4; k++, n++) {
			cases[n].restart = restarts[r];
			cases[n].trig = &triggers[k];
			snprintf(names[n], sizeof(names[n]),
			    "simple_one_for_one_%s_%s", restarts[r],
			    triggers[k].name);
			memset(&tests[n], 0, sizeof(tests[n]));
			tests[n].name = names[n];
			tests[n].test_func = test_matrix;
			tests[n].setup_func = sd_setup;
			tests[n].teardown_func = sd_teardown;
			tests[n].initial_state = &cases[n];
		}
	tests[n++] = (struct CMUnitTest)cmocka_unit_test_setup_teardown(
	    test_ids_args_restart_delete, sd_setup, sd_teardown);
	return _cmocka_run_group_tests("test_sd_simple", tests, n, NULL, NULL);
}
