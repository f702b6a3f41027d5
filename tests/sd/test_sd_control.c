/*
 * test_sd_control.c: supervisorctl's every command against a real
 * supervisord, reload in all its cases, and supervisord's exit statuses.
 */
#include <sys/resource.h>
#include <sys/stat.h>

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

#define SLEEP	"[\"/bin/sleep\", \"1000\"]"

/*
 * The daemons under test live outside the test functions, so that the
 * teardown can stop whatever a failed test left running: its children
 * hold the test's output pipe open.
 */
static struct sd sd1, sd2;

static int
teardown(void **state)
{
	sd_finish(&sd1);
	sd_finish(&sd2);
	return 0;
}

/* The line of a status table that starts with name (then a space). */
static const char *
row(const char *table, const char *name)
{
	static char buf[512];
	const char *line, *nl;
	size_t n = strlen(name);

	for (line = table; line != NULL && *line != '\0';
	    line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		if (strncmp(line, name, n) == 0 && line[n] == ' ') {
			n = nl ? (size_t)(nl - line) : strlen(line);
			snprintf(buf, sizeof(buf), "%.*s", (int)n, line);
			return buf;
		}
	}
	fail_msg("no row \"%s\" in:\n%s", name, table);
	return NULL;
}

/* Columns of a row: name, state, pid, uptime, restarts, last exit. */
struct cols {
	char	name[128], state[32], pid[32], uptime[32];
	int	restarts;
	char	last[128];
};

static void
cols(const char *r, struct cols *c)
{
	int n = 0;

	memset(c, 0, sizeof(*c));
	assert_int_equal(sscanf(r, "%127s %31s %31s %31s %d %n", c->name,
	    c->state, c->pid, c->uptime, &c->restarts, &n), 5);
	strlcpy(c->last, r + n, sizeof(c->last));
}

/* --- status, tree --- */

static void
test_status_and_tree(void **state)
{
	struct outcome o;
	struct cols c;
	json_t *all, *n;
	pid_t a, x;
	char want[32];
	size_t i;

	sd_config(&sd1, "{ \"intensity\": 5, \"period\": 10, \"children\": ["
	    " { \"id\": \"a\", \"argv\": " SLEEP " },"
	    " { \"id\": \"t\", \"argv\": [\"/bin/sh\", \"-c\", \"exit 0\"],"
	    "   \"restart\": \"transient\" },"
	    " { \"id\": \"s\", \"children\": ["
	    "   { \"id\": \"x\", \"argv\": " SLEEP " } ] },"
	    " { \"id\": \"jobs\", \"strategy\": \"simple_one_for_one\","
	    "   \"template\": { \"argv\": " SLEEP " } } ] }");
	assert_int_equal(sd_start(&sd1, NULL), 0);
	a = sd_started(&sd1, "root/a");
	x = sd_started(&sd1, "root/s/x");
	assert_non_null(sd_wait(&sd1, "started", "root"));
	/* A transient child that ended normally is not restarted. */
	sd1.cursor = 0;
	assert_int_equal(sd_int(sd_exited(&sd1, "root/t"), "code"), 0);

	/* status: a heading, one row per node in start order, exit 0. */
	assert_int_equal(sd_ctl(&sd1, &o, "status", (char *)NULL), 0);
	assert_string_equal(o.err, "");
	assert_int_equal(count_lines(o.out), 7);
	assert_int_equal(strncmp(o.out, "PATH ", 5), 0);
	assert_non_null(strstr(o.out, " STATE "));
	assert_non_null(strstr(o.out, " PID "));
	assert_non_null(strstr(o.out, " UPTIME "));
	assert_non_null(strstr(o.out, " RESTARTS "));
	assert_non_null(strstr(o.out, " LAST EXIT\n"));
	assert_true(strstr(o.out, "\nroot ") < strstr(o.out, "\nroot/a ") &&
	    strstr(o.out, "\nroot/a ") < strstr(o.out, "\nroot/t ") &&
	    strstr(o.out, "\nroot/t ") < strstr(o.out, "\nroot/s ") &&
	    strstr(o.out, "\nroot/s ") < strstr(o.out, "\nroot/s/x ") &&
	    strstr(o.out, "\nroot/s/x ") < strstr(o.out, "\nroot/jobs "));
	cols(row(o.out, "root/a"), &c);
	assert_string_equal(c.state, "running");
	snprintf(want, sizeof(want), "%d", (int)a);
	assert_string_equal(c.pid, want);
	assert_int_equal(c.restarts, 0);
	assert_string_equal(c.last, "-");
	cols(row(o.out, "root/t"), &c);
	assert_string_equal(c.state, "stopped");
	assert_string_equal(c.pid, "-");
	assert_string_equal(c.uptime, "-");
	assert_string_equal(c.last, "code 0");
	cols(row(o.out, "root"), &c);
	assert_string_equal(c.state, "running");
	assert_string_equal(c.pid, "-");
	outcome_free(&o);

	/* status --json: one array, an object per node. */
	assert_int_equal(sd_ctl(&sd1, &o, "status", "--json", (char *)NULL), 0);
	assert_int_equal(count_lines(o.out), 1);
	assert_non_null(all = json_loads(o.out, 0, NULL));
	assert_true(json_is_array(all));
	assert_int_equal(json_array_size(all), 6);
	json_array_foreach(all, i, n) {
		assert_true(json_is_string(json_object_get(n, "path")));
		assert_true(json_is_string(json_object_get(n, "type")));
		assert_true(json_is_string(json_object_get(n, "state")));
		assert_non_null(json_object_get(n, "pid"));
		assert_non_null(json_object_get(n, "uptime"));
		assert_true(json_is_integer(json_object_get(n, "restarts")));
		assert_non_null(json_object_get(n, "last_exit"));
	}
	n = json_array_get(all, 0);
	assert_string_equal(sd_str(n, "path"), "root");
	assert_string_equal(sd_str(n, "type"), "supervisor");
	assert_true(json_is_null(json_object_get(n, "pid")));
	n = json_array_get(all, 1);
	assert_string_equal(sd_str(n, "path"), "root/a");
	assert_string_equal(sd_str(n, "type"), "worker");
	assert_string_equal(sd_str(n, "state"), "running");
	assert_int_equal(sd_int(n, "pid"), a);
	assert_true(json_is_number(json_object_get(n, "uptime")));
	assert_true(json_is_null(json_object_get(n, "last_exit")));
	n = json_array_get(all, 2);
	assert_string_equal(sd_str(n, "path"), "root/t");
	assert_string_equal(sd_str(n, "state"), "stopped");
	assert_true(json_is_null(json_object_get(n, "pid")));
	assert_int_equal(sd_int(json_object_get(n, "last_exit"), "code"), 0);
	n = json_array_get(all, 4);
	assert_string_equal(sd_str(n, "path"), "root/s/x");
	assert_int_equal(sd_int(n, "pid"), x);
	json_decref(all);
	outcome_free(&o);

	/* status PATH: that subtree only. */
	assert_int_equal(sd_ctl(&sd1, &o, "status", "root/s", (char *)NULL), 0);
	assert_int_equal(count_lines(o.out), 3);
	cols(row(o.out, "root/s"), &c);
	assert_string_equal(c.state, "running");
	cols(row(o.out, "root/s/x"), &c);
	snprintf(want, sizeof(want), "%d", (int)x);
	assert_string_equal(c.pid, want);
	outcome_free(&o);
	assert_int_equal(sd_ctl(&sd1, &o, "status", "--json", "root/s/x",
	    (char *)NULL), 0);
	assert_non_null(all = json_loads(o.out, 0, NULL));
	assert_int_equal(json_array_size(all), 1);
	assert_string_equal(sd_str(json_array_get(all, 0), "path"), "root/s/x");
	json_decref(all);
	outcome_free(&o);

	/* tree: ids indented by depth under NAME. */
	assert_int_equal(sd_ctl(&sd1, &o, "tree", (char *)NULL), 0);
	assert_int_equal(strncmp(o.out, "NAME ", 5), 0);
	assert_int_equal(count_lines(o.out), 7);
	assert_non_null(strstr(o.out, "\nroot "));
	assert_non_null(strstr(o.out, "\n  a "));
	assert_non_null(strstr(o.out, "\n  s "));
	assert_non_null(strstr(o.out, "\n    x "));
	assert_non_null(strstr(o.out, "\n  jobs "));
	assert_null(strstr(o.out, "root/"));
	outcome_free(&o);
	assert_int_equal(sd_ctl(&sd1, &o, "tree", "--json", (char *)NULL), 0);
	assert_non_null(all = json_loads(o.out, 0, NULL));
	assert_int_equal(json_array_size(all), 6);
	assert_int_equal(sd_int(json_array_get(all, 4), "depth"), 2);
	json_decref(all);
	outcome_free(&o);

	/* A permanent child not running: exit 3 (a health check). */
	assert_int_equal(sd_ctl(&sd1, &o, "stop", "root/a", (char *)NULL), 0);
	assert_string_equal(o.out, "");
	outcome_free(&o);
	assert_true(sd_by_supervisor(sd_exited(&sd1, "root/a")));
	assert_int_equal(sd_ctl(&sd1, &o, "status", (char *)NULL), 3);
	cols(row(o.out, "root/a"), &c);
	assert_string_equal(c.state, "stopped");
	assert_string_equal(c.last, "signal TERM");
	outcome_free(&o);
	assert_int_equal(sd_ctl(&sd1, &o, "status", "--json", (char *)NULL), 3);
	outcome_free(&o);
	assert_int_equal(sd_ctl(&sd1, &o, "tree", (char *)NULL), 3);
	outcome_free(&o);
	assert_int_equal(sd_ctl(&sd1, &o, "status", "root/a", (char *)NULL), 3);
	outcome_free(&o);
	/* ... but only among the nodes listed. */
	assert_int_equal(sd_ctl(&sd1, &o, "status", "root/s", (char *)NULL), 0);
	outcome_free(&o);
	assert_int_equal(sd_ctl(&sd1, &o, "start", "root/a", (char *)NULL), 0);
	outcome_free(&o);
	assert_int_not_equal(sd_started(&sd1, "root/a"), a);
	assert_int_equal(sd_ctl(&sd1, &o, "status", (char *)NULL), 0);
	outcome_free(&o);
	assert_int_equal(sd_stop(&sd1), 0);
}

/* A child reaches its own supervisord without -r: by its MSG_RUNDIR. */
static void
test_ctl_from_child(void **state)
{
	json_t *all;
	char *s, *nl;
	pid_t p;

	sd_config(&sd1, "{ \"children\": ["
	    " { \"id\": \"c\", \"argv\": [\"/bin/sh\", \"ask.sh\","
	    "   \"%s\"] } ] }",
	    sd_bin("supervisord/supervisorctl"));
	sd_put_file(&sd1, "ask.sh", "unset SUPERVISORD_RUNDIR\n"
	    "\"$1\" status --json \"$SUPERVISOR_PATH\" > st.tmp\n"
	    "echo \"exit $?\" >> st.tmp && mv st.tmp st\n"
	    "exec sleep 1000\n");
	assert_int_equal(sd_start(&sd1, NULL), 0);
	p = sd_started(&sd1, "root/c");
	assert_non_null(s = sd_read_file(&sd1, "st"));
	assert_non_null(nl = strchr(s, '\n'));
	assert_string_equal(nl + 1, "exit 0\n");
	*nl = '\0';
	assert_non_null(all = json_loads(s, 0, NULL));
	assert_int_equal(json_array_size(all), 1);
	assert_string_equal(sd_str(json_array_get(all, 0), "path"), "root/c");
	assert_int_equal(sd_int(json_array_get(all, 0), "pid"), p);
	json_decref(all);
	free(s);
	assert_int_equal(sd_stop(&sd1), 0);
}

/* --- start, stop, restart --- */

/*
 * A stopped permanent child stays stopped through a sibling's
 * one_for_all restart; start brings it back; operator commands never
 * count toward intensity (1 here), though crashes do.
 */
static void
test_stop_start_restart(void **state)
{
	struct outcome o;
	json_t *e, *r;
	pid_t a, b, c, pa;
	size_t mark;
	int i;

	sd_config(&sd1, "{ \"strategy\": \"one_for_all\", \"intensity\": 1,"
	    " \"period\": 3600, \"children\": ["
	    " { \"id\": \"a\", \"argv\": " SLEEP " },"
	    " { \"id\": \"b\", \"argv\": " SLEEP " },"
	    " { \"id\": \"c\", \"argv\": " SLEEP " } ] }");
	assert_int_equal(sd_start(&sd1, NULL), 0);
	a = sd_started(&sd1, "root/a");
	b = sd_started(&sd1, "root/b");
	c = sd_started(&sd1, "root/c");
	assert_non_null(sd_wait(&sd1, "started", "root"));

	/* Three operator restarts: only a is stopped and started. */
	for (i = 0; i < 3; i++) {
		if (i == 0) {
			assert_int_equal(sd_ctl(&sd1, &o, "restart", "--json",
			    "root/a", (char *)NULL), 0);
			assert_non_null(r = json_loads(o.out, 0, NULL));
			assert_true(json_is_true(json_object_get(r, "ok")));
			json_decref(r);
		} else {
			assert_int_equal(sd_ctl(&sd1, &o, "restart", "root/a",
			    (char *)NULL), 0);
			assert_string_equal(o.out, "");
		}
		outcome_free(&o);
		e = sd_exited(&sd1, "root/a");
		assert_int_equal(sd_int(e, "pid"), a);
		assert_true(sd_by_supervisor(e));
		pa = a;
		a = sd_started(&sd1, "root/a");
		assert_int_not_equal(a, pa);
	}
	assert_null(sd_find(&sd1, "exited", "root/b"));
	assert_null(sd_find(&sd1, "exited", "root/c"));

	/* stop b: it stays down. */
	assert_int_equal(sd_ctl(&sd1, &o, "stop", "--json", "root/b",
	    (char *)NULL), 0);
	assert_non_null(strstr(o.out, "\"ok\":true"));
	outcome_free(&o);
	e = sd_exited(&sd1, "root/b");
	assert_int_equal(sd_int(e, "pid"), b);
	assert_true(sd_by_supervisor(e));
	assert_state(&sd1, "root/b", "stopped");

	/*
	 * a crashes: one_for_all stops c and starts a and c, not b. That
	 * restart is the first toward intensity 1: no giving up.
	 */
	mark = sd1.cursor;
	kill(a, SIGKILL);
	e = sd_exited(&sd1, "root/a");
	assert_string_equal(sd_str(e, "class"), "abnormal");
	e = sd_exited(&sd1, "root/c");
	assert_int_equal(sd_int(e, "pid"), c);
	assert_true(sd_by_supervisor(e));
	a = sd_started(&sd1, "root/a");
	c = sd_started(&sd1, "root/c");
	assert_int_equal(sd_count(&sd1, mark, "started", "root/b"), 0);
	assert_int_equal(sd_count(&sd1, mark, "shutdown", NULL), 0);
	assert_state(&sd1, "root/b", "stopped");
	assert_int_equal(sd_ctl(&sd1, &o, "status", (char *)NULL), 3);
	outcome_free(&o);

	/* start b: back, without touching the others. */
	mark = sd1.cursor;
	assert_int_equal(sd_ctl(&sd1, &o, "start", "root/b", "--json",
	    (char *)NULL), 0);
	assert_non_null(strstr(o.out, "\"ok\":true"));
	outcome_free(&o);
	assert_int_not_equal(sd_started(&sd1, "root/b"), b);
	assert_int_equal(sd_count(&sd1, mark, "exited", NULL), 0);
	assert_int_equal(sd_ctl(&sd1, &o, "status", (char *)NULL), 0);
	outcome_free(&o);

	/* start on a running child changes nothing. */
	mark = sd1.cursor;
	assert_int_equal(sd_ctl(&sd1, &o, "start", "root/c", (char *)NULL), 0);
	outcome_free(&o);
	assert_non_null(r = sd_node(&sd1, "root/c"));
	assert_string_equal(sd_str(r, "state"), "running");
	assert_int_equal(sd_int(r, "pid"), c);
	json_decref(r);
	assert_int_equal(sd_count(&sd1, mark, NULL, NULL), 0);

	/* A second crash within the period is one too many. */
	kill(a, SIGKILL);
	assert_non_null(e = sd_wait(&sd1, "shutdown", "root"));
	assert_string_equal(sd_str(e, "reason"),
	    "reached_max_restart_intensity");
	assert_int_equal(sd_wait_exit(&sd1), 1);
	sd_cleanup(&sd1);
}

/* --- start-child, delete-child --- */

static void
test_start_child_delete_child(void **state)
{
	struct outcome o;
	json_t *r;
	char *s;
	pid_t p1;
	size_t mark;

	sd_config(&sd1, "{ \"children\": ["
	    " { \"id\": \"w\", \"argv\": " SLEEP " },"
	    " { \"id\": \"jobs\", \"strategy\": \"simple_one_for_one\","
	    "   \"template\": { \"argv\": [\"/bin/sh\", \"job.sh\"] } } ] }");
	sd_put_file(&sd1, "job.sh", "echo \"$1\" > \"out.$2.tmp\" && "
	    "mv \"out.$2.tmp\" \"out.$2\"\nexec sleep 1000\n");
	assert_int_equal(sd_start(&sd1, NULL), 0);
	assert_non_null(sd_wait(&sd1, "started", "root"));

	/* The new path on stdout; ARGs appended to the template's argv. */
	assert_int_equal(sd_ctl(&sd1, &o, "start-child", "root/jobs", "hello",
	    "one", (char *)NULL), 0);
	assert_string_equal(o.out, "root/jobs/1\n");
	assert_string_equal(o.err, "");
	outcome_free(&o);
	p1 = sd_started(&sd1, "root/jobs/1");
	assert_non_null(s = sd_read_file(&sd1, "out.one"));
	assert_string_equal(s, "hello\n");
	free(s);
	assert_int_equal(sd_ctl(&sd1, &o, "start-child", "--json", "root/jobs",
	    "world", "two", (char *)NULL), 0);
	assert_non_null(r = json_loads(o.out, 0, NULL));
	assert_string_equal(sd_str(r, "path"), "root/jobs/2");
	json_decref(r);
	outcome_free(&o);
	sd_started(&sd1, "root/jobs/2");
	assert_non_null(s = sd_read_file(&sd1, "out.two"));
	assert_string_equal(s, "world\n");
	free(s);

	/* Only under a simple_one_for_one supervisor. */
	assert_int_equal(sd_ctl(&sd1, &o, "start-child", "root", (char *)NULL),
	    1);
	assert_string_equal(o.out, "");
	assert_non_null(strstr(o.err, "not a simple_one_for_one"));
	assert_int_equal(count_lines(o.err), 1);
	outcome_free(&o);

	/* delete-child: refused while it runs, and nothing changes. */
	mark = sd1.cursor;
	assert_int_equal(sd_ctl(&sd1, &o, "delete-child", "root/jobs/1",
	    (char *)NULL), 1);
	assert_string_equal(o.out, "");
	assert_non_null(strstr(o.err, "supervisorctl: delete-child: "));
	assert_non_null(strstr(o.err, "root/jobs/1"));
	assert_int_equal(count_lines(o.err), 1);
	outcome_free(&o);
	assert_state(&sd1, "root/jobs/1", "running");
	assert_int_equal(sd_count(&sd1, mark, NULL, NULL), 0);

	/* Stopped, it can go. */
	assert_int_equal(sd_ctl(&sd1, &o, "stop", "root/jobs/1", (char *)NULL),
	    0);
	outcome_free(&o);
	assert_int_equal(sd_int(sd_exited(&sd1, "root/jobs/1"), "pid"), p1);
	assert_state(&sd1, "root/jobs/1", "stopped");
	assert_int_equal(sd_ctl(&sd1, &o, "delete-child", "--json",
	    "root/jobs/1", (char *)NULL), 0);
	assert_non_null(strstr(o.out, "\"ok\":true"));
	outcome_free(&o);
	assert_int_equal(sd_ctl(&sd1, &o, "status", "root/jobs/1",
	    (char *)NULL), 1);
	assert_non_null(strstr(o.err, "no such path"));
	outcome_free(&o);
	assert_null(sd_node(&sd1, "root/jobs/1"));

	/* Ids are never reused. */
	assert_int_equal(sd_ctl(&sd1, &o, "start-child", "root/jobs", "x",
	    "three", (char *)NULL), 0);
	assert_string_equal(o.out, "root/jobs/3\n");
	outcome_free(&o);
	sd_started(&sd1, "root/jobs/3");
	/* A static child can be deleted too, once stopped. */
	assert_int_equal(sd_ctl(&sd1, &o, "stop", "root/w", (char *)NULL), 0);
	outcome_free(&o);
	sd_exited(&sd1, "root/w");
	assert_int_equal(sd_ctl(&sd1, &o, "delete-child", "root/w",
	    (char *)NULL), 0);
	outcome_free(&o);
	assert_null(sd_node(&sd1, "root/w"));
	assert_int_equal(sd_ctl(&sd1, &o, "status", (char *)NULL), 0);
	outcome_free(&o);
	assert_int_equal(sd_stop(&sd1), 0);
}

/* --- signal --- */

static void
test_signal(void **state)
{
	struct outcome o;
	json_t *r, *e;
	char *s;
	pid_t p;
	size_t mark;

	sd_config(&sd1, "{ \"children\": ["
	    " { \"id\": \"t\", \"argv\": [\"/bin/sh\", \"trap.sh\"] },"
	    " { \"id\": \"z\", \"argv\": [\"/bin/sh\", \"-c\", \"exit 0\"],"
	    "   \"restart\": \"transient\" },"
	    " { \"id\": \"k\", \"argv\": " SLEEP " } ] }");
	/* The trap is set before the file says so; USR1 also ends the
	 * sleep, which is in the process group. */
	sd_put_file(&sd1, "trap.sh",
	    "n=0\n"
	    "trap 'n=$((n+1)); echo $n > usr1.tmp && mv usr1.tmp usr1' USR1\n"
	    "echo up > up.tmp && mv up.tmp up\n"
	    "while :; do sleep 1000 & wait; done\n");
	assert_int_equal(sd_start(&sd1, NULL), 0);
	p = sd_started(&sd1, "root/t");
	assert_non_null(sd_wait(&sd1, "started", "root"));
	assert_non_null(s = sd_read_file(&sd1, "up"));
	free(s);

	assert_int_equal(sd_ctl(&sd1, &o, "signal", "USR1", "root/t",
	    (char *)NULL), 0);
	assert_string_equal(o.out, "");
	outcome_free(&o);
	assert_non_null(s = sd_read_file(&sd1, "usr1"));
	assert_string_equal(s, "1\n");
	free(s);
	/* Any spelling of the name; --json says how many got it. */
	unlink(sd_file(&sd1, "usr1"));
	assert_int_equal(sd_ctl(&sd1, &o, "signal", "--json", "sigusr1",
	    "root/t", (char *)NULL), 0);
	assert_non_null(r = json_loads(o.out, 0, NULL));
	assert_true(json_is_true(json_object_get(r, "ok")));
	json_decref(r);
	outcome_free(&o);
	assert_non_null(s = sd_read_file(&sd1, "usr1"));
	assert_string_equal(s, "2\n");
	free(s);
	/* The shell survived: no exit, same pid. */
	assert_null(sd_find(&sd1, "exited", "root/t"));
	assert_non_null(r = sd_node(&sd1, "root/t"));
	assert_string_equal(sd_str(r, "state"), "running");
	assert_int_equal(sd_int(r, "pid"), p);
	json_decref(r);

	/* Unknown signal, a child with no process: exit 1, one line. */
	assert_int_equal(sd_ctl(&sd1, &o, "signal", "NOSUCH", "root/t",
	    (char *)NULL), 1);
	assert_non_null(strstr(o.err, "NOSUCH"));
	assert_int_equal(count_lines(o.err), 1);
	outcome_free(&o);
	sd1.cursor = 0;
	sd_exited(&sd1, "root/z");
	assert_int_equal(sd_ctl(&sd1, &o, "signal", "TERM", "root/z",
	    (char *)NULL), 1);
	assert_int_equal(count_lines(o.err), 1);
	assert_non_null(strstr(o.err, "root/z"));
	outcome_free(&o);

	/* A signal that kills is a crash like any other: restarted. */
	mark = sd1.cursor;
	assert_int_equal(sd_ctl(&sd1, &o, "signal", "9", "root/k",
	    (char *)NULL), 0);
	outcome_free(&o);
	e = sd_exited(&sd1, "root/k");
	assert_string_equal(sd_str(e, "signal"), "KILL");
	assert_false(sd_by_supervisor(e));
	sd_started(&sd1, "root/k");
	assert_int_equal(sd_count(&sd1, mark, "exited", "root/t"), 0);
	assert_int_equal(sd_stop(&sd1), 0);
}

/* --- events, shutdown --- */

static char *
bg_argv_ctl(struct sd *sd, char **argv, const char *a1, const char *a2,
    const char *a3)
{
	argv[0] = (char *)sd_bin("supervisord/supervisorctl");
	argv[1] = (char *)"-r";
	argv[2] = sd->rundir;
	argv[3] = (char *)a1;
	argv[4] = (char *)a2;
	argv[5] = (char *)a3;
	argv[6] = NULL;
	return argv[0];
}

/* An event without detail, such as "started", is not padded at the end. */
static void
no_trailing_space(const char *line)
{
	size_t n = strlen(line);

	if (n > 0 && line[n - 1] == ' ')
		fail_msg("trailing space: \"%s\"", line);
}

static void
test_events_and_shutdown(void **state)
{
	struct outcome o;
	struct bg bj, bt;
	char *argv[8], *line, ev[64], path[128];
	json_t *lines = json_array(), *e, *s;
	long long last, seq;
	size_t i;
	pid_t a;

	sd_config(&sd1, "{ \"intensity\": 5, \"period\": 10, \"children\": ["
	    " { \"id\": \"a\", \"argv\": " SLEEP " },"
	    " { \"id\": \"s\", \"children\": ["
	    "   { \"id\": \"x\", \"argv\": " SLEEP " } ] } ] }");
	assert_int_equal(sd_start(&sd1, NULL), 0);
	a = sd_started(&sd1, "root/a");
	assert_non_null(sd_wait(&sd1, "started", "root"));
	kill(a, SIGKILL);
	sd_exited(&sd1, "root/a");
	sd_started(&sd1, "root/a");
	last = sd_int(json_array_get(sd1.seen, json_array_size(sd1.seen) - 1),
	    "seq");

	/* Two followers with the history; both have caught up once they
	 * printed the last event we know of. */
	bg_argv_ctl(&sd1, argv, "events", "--history", "--json");
	bg_start(&bj, argv);
	bg_argv_ctl(&sd1, argv, "events", "--history", NULL);
	bg_start(&bt, argv);
	do {
		assert_non_null(line = bg_line(&bj));
		assert_non_null(e = json_loads(line, 0, NULL));
		free(line);
		seq = sd_int(e, "seq");
		json_array_append_new(lines, e);
	} while (seq < last);
	do {
		assert_non_null(line = bg_line(&bt));
		assert_int_equal(sscanf(line, "%lld %63s %127s", &seq, ev,
		    path), 3);
		no_trailing_space(line);
		free(line);
	} while (seq < last);

	/* shutdown: returns once supervisord is gone, which exits 0. */
	assert_int_equal(sd_ctl(&sd1, &o, "shutdown", (char *)NULL), 0);
	assert_string_equal(o.out, "");
	outcome_free(&o);
	assert_int_equal(sd_wait_exit(&sd1), 0);
	while ((line = bg_line(&bj)) != NULL) {
		assert_non_null(e = json_loads(line, 0, NULL));
		free(line);
		json_array_append_new(lines, e);
	}
	assert_int_equal(bg_wait(&bj), 0);

	/* Everything since the start, in order, numbered from 1, and the
	 * same events the harness saw live. */
	assert_int_equal(json_array_size(lines), json_array_size(sd1.seen));
	json_array_foreach(lines, i, e) {
		assert_int_equal(sd_int(e, "seq"), (long long)i + 1);
		s = json_array_get(sd1.seen, i);
		assert_true(ev_ts(e) > 1e9);
		assert_true(ev_ts(e) - ev_ts(s) < 1e-5 &&
		    ev_ts(s) - ev_ts(e) < 1e-5);
		if (i > 0)
			assert_true(ev_ts(e) >=
			    ev_ts(json_array_get(lines, i - 1)));
		json_object_del(e, "ts");
		s = json_copy(s);
		json_object_del(s, "ts");
		if (!json_equal(e, s))
			fail_msg("event %zu differs", i + 1);
		json_decref(s);
	}
	e = json_array_get(lines, json_array_size(lines) - 1);
	assert_string_equal(sd_str(e, "event"), "shutdown");
	assert_string_equal(sd_str(e, "path"), "root");
	/* The text form: SEQ EVENT PATH DETAIL, to the same end. */
	while ((line = bg_line(&bt)) != NULL) {
		assert_int_equal(sscanf(line, "%lld %63s %127s", &seq, ev,
		    path), 3);
		if (strcmp(ev, "exited") == 0 && strcmp(path, "root/s/x") == 0)
			assert_non_null(strstr(line, "signal TERM"));
		no_trailing_space(line);
		free(line);
	}
	assert_int_equal(seq, (long long)json_array_size(lines));
	assert_string_equal(ev, "shutdown");
	assert_int_equal(bg_wait(&bt), 0);
	json_decref(lines);
	sd_cleanup(&sd1);
}

/* --- errors --- */

static void
expect_error(struct sd *sd, int want, const char *needle, ...)
{
	struct outcome o;
	char *args[16] = { NULL };
	va_list ap;
	int n = 0;

	va_start(ap, needle);
	while ((args[n] = va_arg(ap, char *)) != NULL)
		n++;
	va_end(ap);
	sd_ctlv(sd, &o, args);
	if (o.status != want || strcmp(o.out, "") != 0 ||
	    strstr(o.err, needle) == NULL ||
	    (want != 64 && count_lines(o.err) != 1))
		fail_msg("supervisorctl %s %s: exit %d, want %d; stdout "
		    "\"%s\"; stderr \"%s\", want \"%s\"",
		    args[0] ? args[0] : "", args[1] ? args[1] : "", o.status,
		    want, o.out, o.err, needle);
	outcome_free(&o);
}

/* supervisorctl ARG...: exit 0, nothing on stderr, want on stdout. */
static void
expect_help(struct sd *sd, const char *want, const char *a1, const char *a2)
{
	struct outcome o;

	sd_ctl(sd, &o, a1, a2, (char *)NULL);
	if (o.status != 0 || strstr(o.out, want) == NULL ||
	    strcmp(o.err, "") != 0)
		fail_msg("supervisorctl %s %s: exit %d; stdout \"%s\", want "
		    "\"%s\"; stderr \"%s\"", a1, a2 ? a2 : "", o.status,
		    o.out, want, o.err);
	outcome_free(&o);
}

static void
test_errors(void **state)
{
	char sock[200];
	pid_t a;

	sd_config(&sd1, "{ \"children\": ["
	    " { \"id\": \"a\", \"argv\": " SLEEP " },"
	    " { \"id\": \"j\", \"strategy\": \"simple_one_for_one\","
	    "   \"template\": { \"argv\": " SLEEP " } } ] }");
	assert_int_equal(sd_start(&sd1, NULL), 0);
	a = sd_started(&sd1, "root/a");
	assert_non_null(sd_wait(&sd1, "started", "root"));

	/* No such path: exit 1, one line naming it. */
	expect_error(&sd1, 1, "supervisorctl: status: no such path: root/nope",
	    "status", "root/nope", NULL);
	expect_error(&sd1, 1, "no such path: root/nope", "status", "--json",
	    "root/nope", NULL);
	expect_error(&sd1, 1, "supervisorctl: start: no such path: root/nope",
	    "start", "root/nope", NULL);
	expect_error(&sd1, 1, "supervisorctl: stop: no such path: root/a/b",
	    "stop", "root/a/b", NULL);
	expect_error(&sd1, 1, "supervisorctl: restart: no such path: nope",
	    "restart", "nope", NULL);
	expect_error(&sd1, 1, "delete-child: no such path: root/j/1",
	    "delete-child", "root/j/1", NULL);
	expect_error(&sd1, 1, "start-child: no such path: root/jj",
	    "start-child", "root/jj", NULL);
	expect_error(&sd1, 1, "signal: no such path: root/nope", "signal",
	    "TERM", "root/nope", NULL);
	expect_error(&sd1, 1, "no such path: root/", "stop", "root/", NULL);
	/* A path without the root's id: a hint, still one line. */
	expect_error(&sd1, 1, "supervisorctl: status: no such path: a (paths "
	    "start with the root's id, e.g. root/a)", "status", "a", NULL);
	expect_error(&sd1, 1, "no such path: j/1 (paths start with the root's "
	    "id, e.g. root/j/1)", "signal", "TERM", "j/1", NULL);
	/* The root is not a child. */
	expect_error(&sd1, 1, "root", "stop", "root", NULL);
	expect_error(&sd1, 1, "root", "delete-child", "root", NULL);

	/* Usage: 64, before any connection, nothing on stdout. */
	expect_error(&sd1, 64, "usage", NULL);
	expect_error(&sd1, 64, "supervisorctl: unknown command frobnicate\n"
	    "usage", "frobnicate", NULL);
	expect_error(&sd1, 64, "supervisorctl: unknown command restrat (did "
	    "you mean restart?)", "restrat", NULL);
	expect_error(&sd1, 64, "unknown command shut (did you mean shutdown?)",
	    "shut", NULL);
	expect_error(&sd1, 64, "supervisorctl: status: unknown option --jsn",
	    "status", "--jsn", NULL);
	expect_error(&sd1, 64, "supervisorctl: stop: unknown option -f", "stop",
	    "-f", "root/a", NULL);
	expect_error(&sd1, 64, "unknown command nope", "help", "nope", NULL);
	expect_error(&sd1, 64, "usage: supervisorctl start PATH", "start",
	    NULL);
	expect_error(&sd1, 64, "usage", "stop", NULL);
	expect_error(&sd1, 64, "--timeout", "stop", "--timeout", "0",
	    "root/a", NULL);
	expect_error(&sd1, 64, "--timeout", "stop", "root/a", "--timeout",
	    NULL);
	expect_error(&sd1, 64, "usage", "signal", "TERM", NULL);
	expect_error(&sd1, 64, "usage", "status", "root/a", "root/j", NULL);
	expect_error(&sd1, 64, "usage", "tree", "root", NULL);
	expect_error(&sd1, 64, "usage", "reload", "now", NULL);
	expect_error(&sd1, 64, "usage", "shutdown", "now", NULL);
	expect_error(&sd1, 64, "usage", "start-child", NULL);
	expect_error(&sd1, 64, "usage", "-x", "status", NULL);
	expect_error(&sd1, 64, "supervisorctl: -t: expected a positive number "
	    "of milliseconds, not \"0\"", "-t", "0", "status", NULL);
	expect_error(&sd1, 64, "supervisorctl: -t: expected a positive number "
	    "of milliseconds, not \"ten\"", "-t", "ten", "status", NULL);
	/* Help: on stdout, exit 0, before any connection. */
	expect_help(&sd1, "usage: supervisorctl [-r dir]", "--help", NULL);
	expect_help(&sd1, "help [COMMAND]", "-h", NULL);
	expect_help(&sd1, "start-child PATH [ARG...]", "help", NULL);
	expect_help(&sd1, "usage: supervisorctl status [PATH]\n", "help",
	    "status");
	/* None of that touched the tree. */
	assert_int_equal(sd_count(&sd1, 0, "exited", NULL), 0);
	assert_state(&sd1, "root/a", "running");

	/* Not running: 69, naming the socket. */
	sd_config(&sd2, "{}");
	strlcpy(sock, sd_sock(&sd2, NULL), sizeof(sock));
	expect_error(&sd2, 69, sock, "status", NULL);
	expect_error(&sd2, 69, "not running", "shutdown", NULL);
	expect_error(&sd2, 69, sock, "events", "--history", NULL);
	/* Usage errors still win. */
	expect_error(&sd2, 64, "usage", "start", NULL);
	sd_cleanup(&sd2);

	/* A daemon that died left its socket: refused, also 69. */
	kill(sd1.pid, SIGKILL);
	assert_int_not_equal(sd_wait_exit(&sd1), 0);
	strlcpy(sock, sd_sock(&sd1, NULL), sizeof(sock));
	expect_error(&sd1, 69, sock, "status", NULL);
	killpg(a, SIGKILL);
	sd_cleanup(&sd1);
}

/* --- reload --- */

#define RELOAD_V1 \
	"{ \"intensity\": 0, \"children\": [" \
	" { \"id\": \"keep\", \"argv\": " SLEEP " }," \
	" { \"id\": \"gone\", \"argv\": " SLEEP " }," \
	" { \"id\": \"change\", \"argv\": " SLEEP " }," \
	" { \"id\": \"s\", \"children\": [" \
	"   { \"id\": \"x\", \"argv\": " SLEEP " }," \
	"   { \"id\": \"y\", \"argv\": " SLEEP " } ] } ] }"

#define RELOAD_V2 \
	"{ \"intensity\": 0, \"children\": [" \
	" { \"id\": \"keep\", \"argv\": " SLEEP " }," \
	" { \"id\": \"new\", \"argv\": [\"/bin/sleep\", \"1001\"] }," \
	" { \"id\": \"change\", \"argv\": [\"/bin/sleep\", \"2000\"] }," \
	" { \"id\": \"s\", \"children\": [" \
	"   { \"id\": \"x\", \"argv\": " SLEEP " }," \
	"   { \"id\": \"y\", \"argv\": " SLEEP "," \
	"     \"env\": { \"V\": \"2\" } }," \
	"   { \"id\": \"z\", \"argv\": " SLEEP " } ] } ] }"

static char *
cmdline(pid_t pid)
{
	char path[64], buf[512];
	FILE *f;
	size_t n, i;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return strdup("");
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	while (n > 0 && buf[n - 1] == '\0')
		n--;
	for (i = 0; i < n; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	buf[n] = '\0';
	return strdup(buf);
}

static void
test_reload(void **state)
{
	struct outcome o;
	json_t *e, *all;
	pid_t keep, gone, change, x, y, pc, pn, py;
	size_t mark, i;
	char *cl;

	sd_config(&sd1, RELOAD_V1);
	assert_int_equal(sd_start(&sd1, NULL), 0);
	keep = sd_started(&sd1, "root/keep");
	gone = sd_started(&sd1, "root/gone");
	change = sd_started(&sd1, "root/change");
	x = sd_started(&sd1, "root/s/x");
	y = sd_started(&sd1, "root/s/y");
	assert_non_null(sd_wait(&sd1, "started", "root"));

	mark = sd1.cursor;
	sd_rewrite(&sd1, RELOAD_V2);
	assert_int_equal(sd_ctl(&sd1, &o, "reload", (char *)NULL), 0);
	/* What it did, in the order it did it (supervisorctl(8), reload). */
	assert_string_equal(o.out, "stop root/gone (removed)\n"
	    "start root/new (new)\n"
	    "restart root/change (argv changed)\n"
	    "restart root/s/y (env changed)\n"
	    "start root/s/z (new)\n");
	outcome_free(&o);
	/* Removed first, then changed ones stopped, then starts in order;
	 * none of it counts toward intensity 0. */
	e = sd_exited(&sd1, "root/gone");
	assert_int_equal(sd_int(e, "pid"), gone);
	assert_true(sd_by_supervisor(e));
	assert_int_equal(sd_int(sd_exited(&sd1, "root/change"), "pid"), change);
	pn = sd_started(&sd1, "root/new");
	pc = sd_started(&sd1, "root/change");
	assert_int_not_equal(pc, change);
	sd1.cursor = mark;
	assert_int_equal(sd_int(sd_exited(&sd1, "root/s/y"), "pid"), y);
	py = sd_started(&sd1, "root/s/y");
	sd_started(&sd1, "root/s/z");
	/* The changed one runs the new argv, the new one its own. */
	cl = cmdline(pc);
	assert_string_equal(cl, "/bin/sleep 2000");
	free(cl);
	cl = cmdline(pn);
	assert_string_equal(cl, "/bin/sleep 1001");
	free(cl);
	/* Unchanged: untouched, same pid; s itself was not restarted. */
	assert_int_equal(sd_count(&sd1, mark, NULL, "root/keep"), 0);
	assert_int_equal(sd_count(&sd1, mark, NULL, "root/s/x"), 0);
	assert_int_equal(sd_count(&sd1, mark, "exited", "root/s"), 0);
	assert_int_equal(sd_count(&sd1, mark, "shutdown", NULL), 0);
	/* The tree now reads as the new file, in its order. */
	assert_int_equal(sd_ctl(&sd1, &o, "status", "--json", (char *)NULL), 0);
	assert_non_null(all = json_loads(o.out, 0, NULL));
	outcome_free(&o);
	{
		static const char *want[] = { "root", "root/keep", "root/new",
		    "root/change", "root/s", "root/s/x", "root/s/y",
		    "root/s/z" };

		assert_int_equal(json_array_size(all), 8);
		for (i = 0; i < 8; i++) {
			e = json_array_get(all, i);
			assert_string_equal(sd_str(e, "path"), want[i]);
			assert_string_equal(sd_str(e, "state"), "running");
		}
	}
	assert_int_equal(sd_int(json_array_get(all, 1), "pid"), keep);
	assert_int_equal(sd_int(json_array_get(all, 5), "pid"), x);
	assert_int_equal(sd_int(json_array_get(all, 6), "pid"), py);
	json_decref(all);
	expect_error(&sd1, 1, "no such path: root/gone", "status", "root/gone",
	    NULL);
	/* The removed child's process is gone. */
	assert_int_equal(wait_gone(gone), 0);

	/* The same file again: nothing to do. What a reload does comes
	 * before what a later command does: stopping keep is the mark. */
	mark = json_array_size(sd1.seen);
	assert_int_equal(sd_ctl(&sd1, &o, "reload", "--json", (char *)NULL), 0);
	assert_non_null(strstr(o.out, "\"ok\":true"));
	outcome_free(&o);
	sd_ctl(&sd1, &o, "stop", "root/keep", (char *)NULL);
	outcome_free(&o);
	sd1.cursor = mark;
	do
		assert_non_null(e = sd_wait(&sd1, NULL, NULL));
	while (strcmp(sd_str(e, "event"), "reloaded") == 0);
	assert_string_equal(sd_str(e, "event"), "exited");
	assert_string_equal(sd_str(e, "path"), "root/keep");
	assert_int_equal(sd_stop(&sd1), 0);
}

/* A file with errors changes nothing, and says why. */
static void
test_reload_bad_file(void **state)
{
	struct outcome o, before, after;
	size_t mark;

	sd_config(&sd1, RELOAD_V1);
	assert_int_equal(sd_start(&sd1, NULL), 0);
	assert_non_null(sd_wait(&sd1, "started", "root"));
	assert_int_equal(sd_ctl(&sd1, &before, "status", "--json",
	    (char *)NULL), 0);

	mark = sd1.cursor;
	sd_rewrite(&sd1, "{ \"children\": [\n"
	    "  { \"id\": \"keep\", \"argv\": " SLEEP ","
	    " \"restart\": \"often\" }"
	    "\n] }");
	assert_int_equal(sd_ctl(&sd1, &o, "reload", (char *)NULL), 1);
	assert_string_equal(o.out, "");
	assert_int_equal(strncmp(o.err, "supervisorctl: reload: config "
	    "unchanged:\n", 41), 0);
	assert_non_null(strstr(o.err, "tree.json:2:"));
	assert_non_null(strstr(o.err, "root/keep: \"restart\": expected one "
	    "of permanent, transient, temporary"));
	outcome_free(&o);
	sd_rewrite(&sd1, "{ \"children\": [ { \"id\": \"keep\" ");
	assert_int_equal(sd_ctl(&sd1, &o, "reload", (char *)NULL), 1);
	assert_non_null(strstr(o.err, "tree.json:1:"));
	outcome_free(&o);
	unlink(sd1.conf);
	assert_int_equal(sd_ctl(&sd1, &o, "reload", (char *)NULL), 1);
	assert_non_null(strstr(o.err, "tree.json"));
	outcome_free(&o);
	/* Valid files that no reload can apply: a new root id, the root
	 * turned simple_one_for_one. */
	sd_rewrite(&sd1, "{ \"id\": \"top\", \"children\": ["
	    " { \"id\": \"keep\", \"argv\": " SLEEP " } ] }");
	assert_int_equal(sd_ctl(&sd1, &o, "reload", (char *)NULL), 1);
	assert_non_null(strstr(o.err, "root: \"id\": the root's id cannot "
	    "change"));
	outcome_free(&o);
	sd_rewrite(&sd1, "{ \"strategy\": \"simple_one_for_one\","
	    " \"template\": { \"argv\": " SLEEP " } }");
	assert_int_equal(sd_ctl(&sd1, &o, "reload", (char *)NULL), 1);
	assert_non_null(strstr(o.err, "simple_one_for_one"));
	outcome_free(&o);
	assert_int_equal(sd_ctl(&sd1, &o, "start-child", "root", (char *)NULL),
	    1);
	outcome_free(&o);

	/* Nothing moved: same events, same table. */
	assert_int_equal(sd_ctl(&sd1, &after, "status", "--json", (char *)NULL),
	    0);
	assert_int_equal(sd_count(&sd1, mark, NULL, NULL), 0);
	{
		json_t *b = json_loads(before.out, 0, NULL);
		json_t *a = json_loads(after.out, 0, NULL), *n;
		size_t i;

		assert_int_equal(json_array_size(a), json_array_size(b));
		json_array_foreach(a, i, n) {
			assert_string_equal(sd_str(n, "path"),
			    sd_str(json_array_get(b, i), "path"));
			assert_int_equal(sd_int(n, "pid"),
			    sd_int(json_array_get(b, i), "pid"));
			assert_string_equal(sd_str(n, "state"), "running");
		}
		json_decref(a);
		json_decref(b);
	}
	outcome_free(&before);
	outcome_free(&after);
	assert_int_equal(sd_stop(&sd1), 0);
}

static void
test_reload_sighup(void **state)
{
	json_t *n;
	pid_t keep, gone;
	size_t mark;

	sd_config(&sd1, RELOAD_V1);
	assert_int_equal(sd_start(&sd1, NULL), 0);
	keep = sd_started(&sd1, "root/keep");
	gone = sd_started(&sd1, "root/gone");
	assert_non_null(sd_wait(&sd1, "started", "root"));
	mark = sd1.cursor;
	sd_rewrite(&sd1, RELOAD_V2);
	kill(sd1.pid, SIGHUP);
	assert_int_equal(sd_int(sd_exited(&sd1, "root/gone"), "pid"), gone);
	sd_started(&sd1, "root/new");
	sd_started(&sd1, "root/change");
	/* root/s reloads on its own, alongside root. */
	sd1.cursor = mark;
	sd_started(&sd1, "root/s/z");
	assert_state(&sd1, "root/new", "running");
	expect_error(&sd1, 1, "no such path", "status", "root/gone", NULL);
	assert_int_equal(sd_count(&sd1, mark, NULL, "root/keep"), 0);
	/* And back, by SIGHUP again. */
	mark = sd1.cursor;
	sd_rewrite(&sd1, RELOAD_V1);
	kill(sd1.pid, SIGHUP);
	sd_exited(&sd1, "root/new");
	sd_started(&sd1, "root/gone");
	assert_state(&sd1, "root/gone", "running");
	assert_int_equal(sd_count(&sd1, mark, NULL, "root/keep"), 0);
	assert_non_null(n = sd_node(&sd1, "root/keep"));
	assert_int_equal(sd_int(n, "pid"), keep);
	json_decref(n);
	assert_int_equal(sd_stop(&sd1), 0);
}

/* Once shutdown began, commands that would change the tree are refused. */
static void
test_commands_while_shutting_down(void **state)
{
	struct outcome o;
	struct bg b;
	char *argv[8];

	sd_config(&sd1, "{ \"children\": ["
	    " { \"id\": \"a\", \"argv\": " SLEEP " },"
	    " { \"id\": \"inf\", \"argv\": [\"/bin/sh\", \"inf.sh\"],"
	    "   \"shutdown\": \"infinity\" },"
	    " { \"id\": \"j\", \"strategy\": \"simple_one_for_one\","
	    "   \"template\": { \"argv\": " SLEEP " } } ] }");
	sd_put_file(&sd1, "inf.sh",
	    "trap 'echo t > term.tmp && mv term.tmp term;"
	    " i=0; while [ ! -e go ] && [ $i -lt 1500 ]; do sleep 0.02;"
	    " i=$((i+1)); done; exit 0' TERM\n"
	    "echo up > up.tmp && mv up.tmp up\n"
	    "while :; do sleep 1000 & wait; done\n");
	assert_int_equal(sd_start(&sd1, NULL), 0);
	free(sd_read_file(&sd1, "up"));
	/* shutdown waits for supervisord to go, which waits for inf. */
	bg_argv_ctl(&sd1, argv, "shutdown", NULL, NULL);
	bg_start(&b, argv);
	free(sd_read_file(&sd1, "term"));
	expect_error(&sd1, 1, "shutting down", "reload", NULL);
	expect_error(&sd1, 1, "shutting down", "start", "root/a", NULL);
	expect_error(&sd1, 1, "shutting down", "restart", "root/a", NULL);
	expect_error(&sd1, 1, "shutting down", "start-child", "root/j", NULL);
	/* Looking is fine. */
	sd_ctl(&sd1, &o, "status", "root/inf", (char *)NULL);
	assert_non_null(strstr(o.out, "stopping"));
	outcome_free(&o);
	sd_go(&sd1);
	assert_int_equal(bg_wait(&b), 0);
	assert_int_equal(sd_wait_exit(&sd1), 0);
	assert_null(sd_find(&sd1, "started", "root/j/1"));
	sd_cleanup(&sd1);
}

/* --- supervisord's exit statuses --- */

static void
test_exit_clean(void **state)
{
	static const int sigs[] = { SIGTERM, SIGINT };
	json_t *e;
	size_t i;

	for (i = 0; i < 2; i++) {
		sd_config(&sd1, "{ \"children\": ["
		    " { \"id\": \"a\", \"argv\": " SLEEP " } ] }");
		assert_int_equal(sd_start(&sd1, NULL), 0);
		assert_non_null(sd_wait(&sd1, "started", "root"));
		kill(sd1.pid, sigs[i]);
		assert_int_equal(sd_wait_exit(&sd1), 0);
		assert_non_null(e = sd_find(&sd1, "shutdown", "root"));
		assert_string_equal(sd_str(e, "reason"), "shutdown");
		assert_non_null(sd_find(&sd1, "exited", "root/a"));
		sd_cleanup(&sd1);
	}
}

/* SIGTERM while the tree is still starting: stop what started, exit 0. */
static void
test_exit_sigterm_while_starting(void **state)
{
	pid_t p;

	sd_config(&sd1, "{ \"children\": ["
	    " { \"id\": \"a\", \"argv\": " SLEEP " },"
	    " { \"id\": \"slow\", \"argv\": [\"/bin/sh\", \"slow.sh\"],"
	    "   \"ready\": \"notify\", \"start_timeout\": 60000 } ] }");
	sd_put_file(&sd1, "slow.sh", "echo $$ > pid.tmp && mv pid.tmp pid\n"
	    "exec sleep 1000\n");
	assert_int_equal(sd_start(&sd1, &(struct sd_opts){ .nowait = 1 }), 0);
	p = sd_read_pid(&sd1, "pid");
	kill(sd1.pid, SIGTERM);
	assert_int_equal(sd_wait_exit(&sd1), 0);
	assert_int_equal(wait_gone(p), 0);
	sd_cleanup(&sd1);
}

static void
test_exit_root_gave_up(void **state)
{
	json_t *e;
	pid_t a;

	sd_config(&sd1, "{ \"intensity\": 0, \"children\": ["
	    " { \"id\": \"a\", \"argv\": " SLEEP " },"
	    " { \"id\": \"b\", \"argv\": " SLEEP " } ] }");
	assert_int_equal(sd_start(&sd1, NULL), 0);
	a = sd_started(&sd1, "root/a");
	assert_non_null(sd_wait(&sd1, "started", "root"));
	kill(a, SIGKILL);
	assert_non_null(e = sd_wait(&sd1, "shutdown", "root"));
	assert_string_equal(sd_str(e, "reason"),
	    "reached_max_restart_intensity");
	assert_int_equal(sd_wait_exit(&sd1), 1);
	assert_true(sd_by_supervisor(sd_find(&sd1, "exited",
	    "root/b")));
	sd_cleanup(&sd1);
}

static void
test_exit_root_start_failed(void **state)
{
	struct outcome o;

	sd_config(&sd1, "{ \"children\": ["
	    " { \"id\": \"a\", \"argv\": " SLEEP " },"
	    " { \"id\": \"bad\", \"argv\": [\"./no-such-program\"] } ] }");
	supd(&o, "-f", "-r", sd1.rundir, "-S", sd1.statedir, "-c", sd1.conf,
	    (char *)NULL);
	assert_int_equal(o.status, 1);
	assert_non_null(strstr(o.err, "root/bad"));
	assert_non_null(strstr(o.err, "No such file or directory"));
	outcome_free(&o);
	/* start_timeout passes: also a failed start. */
	sd_rewrite(&sd1, "{ \"children\": [ { \"id\": \"slow\", \"argv\": "
	    SLEEP ", \"ready\": \"notify\", \"start_timeout\": 300 } ] }");
	supd(&o, "-f", "-r", sd1.rundir, "-S", sd1.statedir, "-c", sd1.conf,
	    (char *)NULL);
	assert_int_equal(o.status, 1);
	assert_non_null(strstr(o.err, "root/slow"));
	assert_non_null(strstr(o.err, "start_timeout"));
	outcome_free(&o);
	sd_cleanup(&sd1);
}

static void
test_exit_usage(void **state)
{
	struct outcome o;

	supd(&o, "-x", (char *)NULL);
	assert_int_equal(o.status, 64);
	assert_non_null(strstr(o.err, "usage: supervisord"));
	assert_string_equal(o.out, "");
	outcome_free(&o);
	supd(&o, "-f", "extra", (char *)NULL);
	assert_int_equal(o.status, 64);
	assert_non_null(strstr(o.err, "usage: supervisord"));
	outcome_free(&o);
	supd(&o, "-c", (char *)NULL);
	assert_int_equal(o.status, 64);
	outcome_free(&o);
}

static void
test_exit_oserr(void **state)
{
	struct outcome o;
	FILE *f;

	/* The run directory is a regular file. */
	sd_config(&sd1, "{ \"children\": ["
	    " { \"id\": \"a\", \"argv\": " SLEEP " } ] }");
	assert_non_null(f = fopen(sd1.rundir, "w"));
	fclose(f);
	supd(&o, "-f", "-r", sd1.rundir, "-c", sd1.conf, (char *)NULL);
	assert_int_equal(o.status, 71);
	assert_non_null(strstr(o.err, sd1.rundir));
	outcome_free(&o);
	unlink(sd1.rundir);
	/* ... open to others. */
	assert_int_equal(mkdir(sd1.rundir, 0700), 0);
	assert_int_equal(chmod(sd1.rundir, 0777), 0);
	supd(&o, "-f", "-r", sd1.rundir, "-c", sd1.conf, (char *)NULL);
	assert_int_equal(o.status, 71);
	assert_non_null(strstr(o.err, sd1.rundir));
	outcome_free(&o);
	assert_int_equal(chmod(sd1.rundir, 0700), 0);
	/* A socket path longer than sun_path holds. */
	{
		char longdir[300];

		snprintf(longdir, sizeof(longdir), "%s/%0*d", sd1.dir, 110, 0);
		supd(&o, "-f", "-r", longdir, "-c", sd1.conf, (char *)NULL);
		assert_int_equal(o.status, 71);
		assert_non_null(strstr(o.err, "supervisord.sock"));
		outcome_free(&o);
	}

	/* Another supervisord serves it: 71, and the first is unharmed. */
	assert_int_equal(sd_start(&sd1, NULL), 0);
	assert_non_null(sd_wait(&sd1, "started", "root"));
	sd_config(&sd2, "{ \"children\": ["
	    " { \"id\": \"b\", \"argv\": " SLEEP " } ] }");
	supd(&o, "-f", "-r", sd1.rundir, "-c", sd2.conf, (char *)NULL);
	assert_int_equal(o.status, 71);
	assert_non_null(strstr(o.err, "already running"));
	outcome_free(&o);
	sd_cleanup(&sd2);
	assert_state(&sd1, "root/a", "running");
	/* Its notify socket still works: a notify child becomes ready. */
	sd_rewrite(&sd1, "{ \"children\": ["
	    " { \"id\": \"a\", \"argv\": " SLEEP " },"
	    " { \"id\": \"n\", \"argv\": [\"%s\", \"-r\"],"
	    "   \"ready\": \"notify\", \"start_timeout\": 20000 } ] }",
	    sd_bin("tests/sd/notifier"));
	assert_int_equal(sd_ctl(&sd1, &o, "reload", (char *)NULL), 0);
	outcome_free(&o);
	assert_non_null(sd_wait(&sd1, "ready", "root/n"));
	assert_int_equal(sd_stop(&sd1), 0);
}

static void
test_exit_config(void **state)
{
	struct outcome o;

	sd_config(&sd1, "{ \"children\": ["
	    " { \"id\": \"a\", \"argv\": " SLEEP " } ] }");
	/* -n: check only. */
	supd(&o, "-n", "-c", sd1.conf, (char *)NULL);
	assert_int_equal(o.status, 0);
	assert_non_null(strstr(o.out, "ok"));
	assert_string_equal(o.err, "");
	outcome_free(&o);
	/* Nothing was started, no run directory made. */
	assert_int_equal(access(sd1.rundir, F_OK), -1);

	sd_rewrite(&sd1, "{ \"children\": [ { \"id\": \"a\" } ] }");
	supd(&o, "-n", "-c", sd1.conf, (char *)NULL);
	assert_int_equal(o.status, 78);
	assert_non_null(strstr(o.err, "tree.json:1:"));
	assert_non_null(strstr(o.err, "root/a"));
	outcome_free(&o);
	/* Starting with it: 78 too, nothing started. */
	supd(&o, "-f", "-r", sd1.rundir, "-c", sd1.conf, (char *)NULL);
	assert_int_equal(o.status, 78);
	assert_non_null(strstr(o.err, "root/a"));
	outcome_free(&o);
	/* A file that is not there. */
	supd(&o, "-n", "-c", sd_file(&sd1, "missing.json"), (char *)NULL);
	assert_int_equal(o.status, 78);
	assert_non_null(strstr(o.err, "missing.json"));
	outcome_free(&o);
	supd(&o, "-f", "-r", sd1.rundir, "-c", sd_file(&sd1, "missing.json"),
	    (char *)NULL);
	assert_int_equal(o.status, 78);
	outcome_free(&o);
	sd_cleanup(&sd1);
}

/* --- every malformed config: -n exits 78 and says why --- */

struct bad {
	const char	*json;
	const char	*msg;
};

#define C(x)	"{\"children\": [" x "]}"
#define W	"\"argv\": [\"w\"]"

static const struct bad bad[] = {
	{ "", "empty file" },
	{ "{\"children\": [\n", "']' expected" },
	{ "{} x", "end of file expected" },
	{ "[1]", "expected an object (the root supervisor), got an array" },
	{ "{\"id\": \"a\",\n \"id\": \"b\"}", "duplicate object key" },
	{ "{\"argv\": [\"x\"]}", "the root must be a supervisor" },
	{ "{\"id\": \"my root\"}", "\"id\": invalid id \"my root\"" },
	{ C("{\"id\": \"a\", " W ", \"children\": []}"),
	  "has both \"argv\" (a worker) and \"children\" (a supervisor)" },
	{ C("{\"id\": \"a\", \"restart\": \"permanent\"}"),
	  "neither a worker" },
	{ C("{\"id\": \"a\", \"type\": \"daemon\", " W "}"),
	  "\"type\": expected one of worker, supervisor" },
	{ C("{\"id\": \"a\", " W "}, 3"),
	  "expected an object (a child spec), got an integer" },
	{ "{\"restrat\": \"permanent\"}",
	  "unknown field \"restrat\" (did you mean \"restart\"?)" },
	{ C("{\"id\": \"a\", " W ", \"intensity\": 3}"),
	  "\"intensity\": only for supervisors" },
	{ "{\"ready\": \"notify\"}", "\"ready\": only for workers" },
	{ C("{" W "}"), "root/children[0]: \"id\": required" },
	{ C("{\"id\": \"a/b\", " W "}"), "invalid id \"a/b\"" },
	{ C("{\"id\": \"a\", " W "},\n {\"id\": \"a\", " W "}"),
	  "duplicate id \"a\" (also at root/a)" },
	{ "{\"strategy\": \"one_for_some\"}",
	  "\"strategy\": expected one of one_for_one, one_for_all" },
	{ "{\"intensity\": -1}", "\"intensity\": must be >= 0, got -1" },
	{ "{\"intensity\": \"3\"}",
	  "\"intensity\": expected an integer, got a string" },
	{ "{\"period\": 0}", "\"period\": must be >= 1, got 0" },
	{ "{\"children\": {}}", "\"children\": expected an array" },
	{ C("{\"id\": \"j\", \"strategy\": \"one_for_all\", \"template\": {"
	  W "}}"), "\"template\": only for simple_one_for_one" },
	{ C("{\"id\": \"j\", \"strategy\": \"simple_one_for_one\"}"),
	  "\"template\": required with simple_one_for_one" },
	{ C("{\"id\": \"j\", \"strategy\": \"simple_one_for_one\", "
	  "\"template\": {\"id\": \"t\", " W "}}"),
	  "root/j/template: \"id\": not allowed in a template" },
	{ C("{\"id\": \"a\", \"argv\": []}"),
	  "\"argv\": expected a non-empty array of strings, got an empty "
	  "array" },
	{ C("{\"id\": \"a\", \"argv\": [\"w\", 1]}"),
	  "\"argv\"[1]: expected a string, got an integer" },
	{ C("{\"id\": \"db\", " W ", \"restart\": \"sometimes\"}"),
	  "root/db: \"restart\": expected one of permanent, transient, "
	  "temporary" },
	{ C("{\"id\": \"a\", " W ", \"shutdown\": -1}"),
	  "\"shutdown\": -1 is out of range" },
	{ C("{\"id\": \"a\", " W ", \"shutdown\": \"never\"}"),
	  "\"shutdown\": expected milliseconds, \"brutal_kill\" or "
	  "\"infinity\"" },
	{ C("{\"id\": \"a\", " W ", \"stop_signal\": \"SIGTERM\"}"),
	  "write \"TERM\", without the \"SIG\" prefix" },
	{ C("{\"id\": \"a\", " W ", \"stop_signal\": \"TERMINATE\"}"),
	  "unknown signal \"TERMINATE\"" },
	{ C("{\"id\": \"a\", " W ", \"normal_exit_codes\": [0, 256]}"),
	  "\"normal_exit_codes\"[1]: must be <= 255, got 256" },
	{ C("{\"id\": \"a\", " W ", \"ready\": \"socket\"}"),
	  "\"ready\": expected one of exec, notify" },
	{ C("{\"id\": \"a\", " W ", \"start_timeout\": 0}"),
	  "\"start_timeout\": must be >= 1, got 0" },
	{ C("{\"id\": \"a\", " W ", \"watchdog\": -5}"),
	  "\"watchdog\": must be >= 0, got -5" },
	{ C("{\"id\": \"a\", " W ", \"env\": [\"A=1\"]}"),
	  "\"env\": expected an object of strings, got an array" },
	{ C("{\"id\": \"a\", " W ", \"env\": {\"A=B\": \"x\"}}"),
	  "variable name must not contain '='" },
	{ C("{\"id\": \"a\", " W ", \"cwd\": \"\"}"),
	  "\"cwd\": must not be empty" },
	{ C("{\"id\": \"a\", " W ", \"stdout\": \"stdout\"}"),
	  "\"stdout\": \"stdout\" is only for \"stderr\"" },
	{ C("{\"id\": \"a\", " W ", \"listen\": \"a/b\"}"),
	  "\"listen\": invalid name \"a/b\"" },
	{ C("{\"id\": \"a\", " W ", \"listen\": \"web\"}, {\"id\": \"b\", "
	  W ", \"listen\": \"web\"}"),
	  "socket \"web\" is also used by root/a" },
};

static void
test_config_table(void **state)
{
	struct outcome o;
	size_t i, n = sizeof(bad) / sizeof(bad[0]);

	assert_true(n >= 30);
	sd_config(&sd1, "{}");
	for (i = 0; i < n; i++) {
		sd_rewrite(&sd1, "%s", bad[i].json);
		supd(&o, "-n", "-c", sd1.conf, (char *)NULL);
		if (o.status != 78 || strstr(o.err, bad[i].msg) == NULL ||
		    strstr(o.err, sd1.conf) == NULL)
			fail_msg("config %zu: %s\nexit %d, want 78; stderr:\n"
			    "%s\nwant \"%s\"", i, bad[i].json, o.status, o.err,
			    bad[i].msg);
		assert_string_equal(o.out, "");
		outcome_free(&o);
	}
	/* The daemon proper refuses them the same way. */
	for (i = 0; i < n; i += 7) {
		sd_rewrite(&sd1, "%s", bad[i].json);
		supd(&o, "-f", "-r", sd1.rundir, "-c", sd1.conf, (char *)NULL);
		if (o.status != 78 || strstr(o.err, bad[i].msg) == NULL)
			fail_msg("config %zu: %s\nexit %d, want 78; stderr:\n"
			    "%s", i, bad[i].json, o.status, o.err);
		outcome_free(&o);
	}
	sd_cleanup(&sd1);
}

/* Every test with the teardown that stops what a failure left. */
#define T(test)	cmocka_unit_test_teardown(test, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_status_and_tree),
		T(test_ctl_from_child),
		T(test_stop_start_restart),
		T(test_start_child_delete_child),
		T(test_signal),
		T(test_events_and_shutdown),
		T(test_errors),
		T(test_reload),
		T(test_reload_bad_file),
		T(test_reload_sighup),
		T(test_commands_while_shutting_down),
		T(test_exit_clean),
		T(test_exit_sigterm_while_starting),
		T(test_exit_root_gave_up),
		T(test_exit_root_start_failed),
		T(test_exit_usage),
		T(test_exit_oserr),
		T(test_exit_config),
		T(test_config_table),
	};
	struct rlimit no_core = { 0, 0 };

	setrlimit(RLIMIT_CORE, &no_core);
	/* SD_TEST=test_name (a pattern) runs only that one. */
	if (getenv("SD_TEST") != NULL)
		cmocka_set_test_filter(getenv("SD_TEST"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
