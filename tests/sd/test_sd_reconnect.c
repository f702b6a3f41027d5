/*
 * test_sd_reconnect.c: location transparency under supervision. A client
 * keeps calling `counter` while supervisord restarts it after SIGKILL:
 * no call hangs, each answers or says down/timeout, calls work again
 * after every restart; with `listen` (socket activation) no connection
 * made during the restarts is ever refused.
 */
#include <errno.h>
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
#include "msg.h"

#define RESTARTS	100
#define CALL_MS		5000

static void
start_tree(struct sd *sd, int listen)
{
	sd_config(sd, "{ \"intensity\": 1000, \"period\": 1, \"children\": ["
	    " { \"id\": \"counter\", \"argv\": [\"counter\"],"
	    " \"ready\": \"notify\" %s } ] }",
	    listen ? ", \"listen\": \"counter\"" : "");
	assert_int_equal(sd_start(sd, NULL), 0);
}

/* One call; it must answer or fail cleanly within its own timeout. */
static int
call(struct msg_client *c)
{
	struct msg_message m;
	long long t0 = now_ms();
	int r = msg_call(c, msg_tag("get"), 0, NULL, 0, CALL_MS, &m);

	assert_true(now_ms() - t0 <= CALL_MS + 1000);
	assert_true(r == MSG_OK || r == MSG_DOWN || r == MSG_TIMEOUT);
	return r;
}

static void
restart_loop(int listen)
{
	struct msg_client *c;
	struct sd sd;
	json_t *e;
	char path[200];
	long long pid, t0;
	int i, r, ok = 0, down = 0;

	start_tree(&sd, listen);
	assert_non_null(e = sd_wait(&sd, "ready", "root/counter"));
	pid = sd_int(e, "pid");
	strlcpy(path, sd_sock(&sd, "counter"), sizeof(path));
	assert_non_null(c = msg_connect(path, CALL_MS));
	for (i = 0; i < RESTARTS; i++) {
		assert_int_equal(call(c), MSG_OK);
		kill((pid_t)pid, SIGKILL);
		/* Calls made while it is down or coming back. */
		r = call(c);
		r == MSG_OK ? ok++ : down++;
		assert_non_null(e = sd_wait(&sd, "ready", "root/counter"));
		assert_int_not_equal(sd_int(e, "pid"), pid);
		pid = sd_int(e, "pid");
		/* Back within a bounded time: reconnect by name. */
		t0 = now_ms();
		while ((r = call(c)) != MSG_OK)
			assert_true(now_ms() - t0 < 2 * CALL_MS);
	}
	print_message("%d restarts: %d calls answered meanwhile, %d down\n",
	    RESTARTS, ok, down);
	msg_close(c);
	assert_int_equal(sd_stop(&sd), 0);
}

static void
test_reconnect_by_name(void **state)
{
	restart_loop(0);
}

static void
test_reconnect_socket_activation(void **state)
{
	restart_loop(1);
}

/* With `listen`, connecting while the actor is dead waits, never fails. */
static void
test_activation_never_refuses(void **state)
{
	struct msg_client *c;
	struct msg_message m;
	struct sd sd;
	json_t *e;
	char path[200];
	long long pid;
	int i;

	start_tree(&sd, 1);
	assert_non_null(e = sd_wait(&sd, "ready", "root/counter"));
	pid = sd_int(e, "pid");
	strlcpy(path, sd_sock(&sd, "counter"), sizeof(path));
	for (i = 0; i < RESTARTS; i++) {
		kill((pid_t)pid, SIGKILL);
		/* The socket outlives the actor: this lands in the backlog
		 * and the next incarnation says HELLO. */
		c = msg_connect(path, CALL_MS);
		if (c == NULL)
			fail_msg("connect %d refused: %s", i, strerror(errno));
		assert_int_equal(msg_call(c, msg_tag("get"), 0, NULL, 0,
		    CALL_MS, &m), MSG_OK);
		msg_close(c);
		assert_non_null(e = sd_wait(&sd, "ready", "root/counter"));
		pid = sd_int(e, "pid");
	}
	/* A clean end takes the socket it bound with it. */
	assert_int_equal(sd_ctl(&sd, NULL, "shutdown", (char *)NULL), 0);
	assert_int_equal(sd_wait_exit(&sd), 0);
	assert_int_equal(access(path, F_OK), -1);
	sd_cleanup(&sd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reconnect_by_name),
		cmocka_unit_test(test_reconnect_socket_activation),
		cmocka_unit_test(test_activation_never_refuses),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
