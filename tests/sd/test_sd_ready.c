/*
 * test_sd_ready.c: supervisorctl ready, the readiness probe of a
 * container (supervisorctl(8), ready): 1 while the tree is starting, 0
 * once the root started and ever after while supervisord runs, even
 * with a child stopped; --wait returns once the root's started event is
 * in the stream, runs into --timeout with exit 4, and is answered 1 when
 * the tree is stopped instead.
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
#include "msg.h"

/* A notify child that writes its pid to up, then is ready once go is
 * there; -i: one that ignores SIGTERM, so that a shutdown takes until
 * the test lets it go. */
#define HELD(flags) "{ \"children\": [ { \"id\": \"n\", \"ready\": " \
	"\"notify\", \"shutdown\": 60000, \"argv\": [\"%s\", " flags \
	"\"-f\", \"up\", \"-w\", \"go\", \"-n\"] } ] }"


static void
bg_ready(struct sd *sd, struct bg *b)
{
	char *argv[] = { (char *)sd_bin("supervisord/supervisorctl"), "-r",
	    sd->rundir, "ready", "--wait", NULL };

	assert_int_equal(bg_start(b, argv), 0);
}

static void
test_ready_once_started(void **state)
{
	struct sd *sd = *state;
	struct outcome o;
	struct bg b;
	json_t *r;

	sd_config(sd, HELD(""), sd_child());
	assert_int_equal(sd_start_gated(sd, "up"), 0);
	EXPECT(sd, "started root/n");

	sd_ctl_expect(sd, &o, 1, "ready", NULL);
	assert_string_equal(o.out, "not ready: root is starting\n");
	outcome_free(&o);
	sd_ctl_expect(sd, &o, 1, "ready", "--json", NULL);
	assert_non_null(r = json_loads(o.out, 0, NULL));
	assert_true(json_is_false(json_object_get(r, "ready")));
	assert_string_equal(sd_str(r, "state"), "starting");
	json_decref(r);
	outcome_free(&o);
	sd_ctl_expect(sd, &o, 4, "ready", "--wait", "--timeout", "0.2", NULL);
	assert_non_null(strstr(o.err, "the tree has not started within "
	    "0.2 s"));
	outcome_free(&o);

	/* Waits in the background while other calls are served. */
	bg_ready(sd, &b);
	sd_ctl_expect(sd, &o, 1, "ready", NULL);
	outcome_free(&o);
	assert_int_equal(waitpid(b.pid, NULL, WNOHANG), 0);
	sd_go(sd);
	assert_int_equal(bg_wait(&b), 0);
	/* Answered after the event was published. */
	assert_non_null(sd_wait_ms(sd, "started", "root", 0));

	sd_ctl_expect(sd, &o, 0, "ready", NULL);
	assert_string_equal(o.out, "ready\n");
	outcome_free(&o);
	sd_ctl_expect(sd, &o, 0, "ready", "--wait", "--json", NULL);
	assert_non_null(r = json_loads(o.out, 0, NULL));
	assert_true(json_is_true(json_object_get(r, "ready")));
	assert_string_equal(sd_str(r, "state"), "running");
	json_decref(r);
	outcome_free(&o);

	/* Readiness is the tree's start: a child stopped later keeps it. */
	sd_ctl_expect(sd, &o, 0, "stop", "root/n", NULL);
	outcome_free(&o);
	sd_ctl_expect(sd, &o, 0, "ready", NULL);
	outcome_free(&o);
	assert_int_equal(sd_stop(sd), 0);
}

/*
 * A tree stopped before it started will not be ready: a waiting ready
 * is answered 1 when the shutdown begins, and one that comes during the
 * shutdown at once, while the child that ignores SIGTERM holds it. The
 * first ready is pipelined before a status on one connection, so it is
 * known to wait before the shutdown is asked for.
 */
static void
test_ready_wait_shutdown(void **state)
{
	static const char wait[] = "{\"wait\":true}";
	struct sd *sd = *state;
	struct msg_client *c;
	struct msg_message m;
	struct outcome o;
	json_t *arg, *r = NULL;
	uint32_t id;
	pid_t pid;

	sd_config(sd, HELD("\"-i\", "), sd_child());
	assert_int_equal(sd_start_gated(sd, "up"), 0);
	EXPECT(sd, "started root/n");
	pid = sd_read_pid(sd, "up");

	assert_non_null(c = msg_connect(sd_sock(sd, NULL), SD_TIMEOUT));
	assert_int_equal(msg_send_call(c, msg_tag("ready"), MSG_F_JSON, wait,
	    sizeof(wait) - 1, &id), 0);
	assert_non_null(arg = json_object());
	assert_int_equal(msg_call_json(c, msg_tag("status"), arg, SD_TIMEOUT,
	    &r), MSG_OK);
	json_decref(arg);
	json_decref(r);
	sd_ctl_expect(sd, &o, 0, "shutdown", "--no-wait", NULL);
	outcome_free(&o);
	assert_int_equal(msg_recv(c, SD_TIMEOUT, &m), MSG_ERROR_REPLY);
	assert_int_equal(m.id, id);
	assert_non_null(memmem(m.data, m.len, "shutting down", 13));
	msg_close(c);

	sd_ctl_expect(sd, &o, 1, "ready", "--wait", NULL);
	assert_non_null(strstr(o.err, "supervisord is shutting down"));
	outcome_free(&o);
	sd_ctl_expect(sd, &o, 1, "ready", NULL);
	assert_string_equal(o.out, "not ready: root is stopping\n");
	outcome_free(&o);

	assert_int_equal(kill(pid, SIGUSR2), 0);
	assert_int_equal(sd_wait_exit(sd), 0);
	assert_null(sd_find(sd, "started", "root"));
}

#define T(f) cmocka_unit_test_setup_teardown(f, sd_setup, sd_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_ready_once_started),
		T(test_ready_wait_shutdown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
