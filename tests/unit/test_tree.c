/*
 * test_tree.c: the supervision core (supervisord/tree.c, rules.c,
 * reports.c) against OTP's supervisor rules and supervisord(8),
 * SUPERVISION SEMANTICS, without forking. The test plays the runtime:
 * its tree_ops record every spawn (fake increasing pids), signal, timer,
 * event, forget and exit in one log, checked in exact order; it feeds
 * exits as waitpid(2) statuses and moves a fake monotonic clock.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* By path: autoconf's config.h is first in the include path. */
#include "supervisord/config.h"
#include "supervisord/signame.h"
#include "supervisord/tree.h"

#ifndef W_EXITCODE
#define W_EXITCODE(ret, sig)	((ret) << 8 | (sig))
#endif

#define MAXACTS		512
#define MAXNODES	256
#define UNUSED		__attribute__((unused))
#define EXITED(c)	W_EXITCODE(c, 0)	/* wait status of exit(c) */

/*
 * Log lines for the usual sequences. A graceful stop is the stop
 * signal, SIGCONT (a stopped process must see it), then the shutdown
 * timer; the exit of a child with a timer armed first cancels it.
 */
#define STOPS(p, pid, sig, ms) \
	"KILL " p " " #pid " " #sig, "KILL " p " " #pid " CONT", \
	"TIMER " p " " #ms
#define TERMS(p, pid)	STOPS(p, pid, TERM, 5000)
#define TERMED(p, pid) \
	"UNTIMER " p, "EVENT exited " p " " #pid " sig=TERM normal by_supervisor"
#define STARTS(p, pid)	"SPAWN " p " " #pid, "EVENT started " p " " #pid

/* --- spec trees from spec_new (config.c is not the subject here) --- */

static char *
xstrdup(const char *s)
{
	char *p;

	assert_non_null(p = strdup(s));
	return p;
}

/* A worker with supervisord.json(5)'s defaults; argv is {id}. */
static struct spec *
W(const char *id)
{
	struct spec *w;

	assert_non_null(w = spec_new(SPEC_WORKER));
	strlcpy(w->id, id, sizeof(w->id));
	assert_non_null(w->argv = calloc(2, sizeof(*w->argv)));
	w->argv[0] = xstrdup(id);
	w->argc = 1;
	return w;
}

static struct spec *
rs(struct spec *s, enum restart_type r)
{
	s->restart = r;
	return s;
}

static struct spec *
notify(struct spec *w)
{
	w->ready = READY_NOTIFY;
	return w;
}

static struct spec *
shut(struct spec *s, int64_t ms)
{
	s->shutdown = ms;
	return s;
}

static struct spec *
arg(struct spec *w, const char *a)
{
	assert_non_null(w->argv = reallocarray(w->argv, w->argc + 2,
	    sizeof(*w->argv)));
	w->argv[w->argc++] = xstrdup(a);
	w->argv[w->argc] = NULL;
	return w;
}

/* A supervisor with its children, NULL-terminated. */
static struct spec *
S(const char *id, enum strategy st, int intensity, int period, ...)
{
	struct spec *s, *c;
	va_list ap;

	assert_non_null(s = spec_new(SPEC_SUPERVISOR));
	strlcpy(s->id, id, sizeof(s->id));
	s->strategy = st;
	s->intensity = intensity;
	s->period = period;
	va_start(ap, period);
	while ((c = va_arg(ap, struct spec *)) != NULL) {
		assert_non_null(s->children = reallocarray(s->children,
		    s->nchildren + 1, sizeof(*s->children)));
		s->children[s->nchildren++] = c;
	}
	va_end(ap);
	return s;
}

static struct spec *
SOFO(const char *id, int intensity, int period, struct spec *tpl)
{
	struct spec *s = S(id, SIMPLE_ONE_FOR_ONE, intensity, period, NULL);

	tpl->id[0] = '\0';
	s->template = tpl;
	return s;
}

/* --- the fake runtime --- */

static struct tree	*T;
static uint64_t		 now;
static pid_t		 next_pid;
static char		*acts[MAXACTS];
static size_t		 nacts;
static char		*logs[MAXACTS];
static size_t		 nlogs;
static int		 freeing;	/* inside tree_free */
static int		 exec_pending;	/* spawns report execve later */

/* The runtime's pid map and its one timer per node. */
static struct live {
	pid_t		 pid;
	struct node	*n;
} lives[MAXNODES];
static size_t		 nlives;

static struct armed {
	struct node	*n;
	int64_t		 ms;
} timers[MAXNODES];
static size_t		 ntimers;

/* Spawns that fail: path, reason, how many times. */
static struct failure {
	char		 path[128];
	char		 why[160];
	int		 times;
} fails[8];
static size_t		 nfails;

static void
push(char **v, size_t *n, char *s)
{
	assert_true(*n < MAXACTS);
	v[(*n)++] = s;
}

static void
act(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
act(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	assert_true(vasprintf(&s, fmt, ap) != -1);
	va_end(ap);
	push(acts, &nacts, s);
}

static struct live *
live_of_pid(pid_t pid)
{
	size_t i;

	for (i = 0; i < nlives; i++)
		if (lives[i].pid == pid)
			return &lives[i];
	return NULL;
}

static void
live_del(struct live *l)
{
	*l = lives[--nlives];
}

static struct armed *
timer_of(const struct node *n)
{
	size_t i;

	for (i = 0; i < ntimers; i++)
		if (timers[i].n == n)
			return &timers[i];
	return NULL;
}

static void
timer_del(struct armed *a)
{
	*a = timers[--ntimers];
}

static pid_t
fake_spawn(struct tree *t, struct node *n, int *pending, char *err,
    size_t len)
{
	size_t i;
	pid_t pid;

	assert_ptr_equal(t, T);
	assert_int_equal(n->spec->type, SPEC_WORKER);
	assert_int_equal(n->pid, 0);
	for (i = 0; i < nfails; i++)
		if (fails[i].times > 0 && strcmp(fails[i].path, n->path) == 0) {
			fails[i].times--;
			strlcpy(err, fails[i].why, len);
			/* "later:": a shortage, tried again (tree.h). */
			if (strncmp(fails[i].why, "later:", 6) == 0) {
				act("SPAWN %s later", n->path);
				return SPAWN_LATER;
			}
			act("SPAWN %s -1", n->path);
			return -1;
		}
	*pending = exec_pending;
	pid = next_pid++;
	assert_true(nlives < MAXNODES);
	lives[nlives].pid = pid;
	lives[nlives++].n = n;
	act("SPAWN %s %d", n->path, (int)pid);
	return pid;
}

static void
fake_kill(struct tree *t, struct node *n, int signo)
{
	/* Only a live process of ours is ever signalled. */
	assert_int_not_equal(n->pid, 0);
	assert_non_null(live_of_pid(n->pid));
	act("KILL %s %d %s", n->path, (int)n->pid, signal_name(signo));
}

static void
fake_timer(struct tree *t, struct node *n, int64_t ms)
{
	struct armed *a = timer_of(n);

	assert_true(ms >= 0);
	if (ms == 0) {
		/* Cancelling what is not armed does nothing. */
		if (a != NULL) {
			timer_del(a);
			act("UNTIMER %s", n->path);
		}
		return;
	}
	assert_true(n->pid != 0 || n->spawn_later);
	if (a == NULL) {
		assert_true(ntimers < MAXNODES);
		a = &timers[ntimers++];
	}
	a->n = n;
	a->ms = ms;
	act("TIMER %s %lld", n->path, (long long)ms);
}

static const char *
jstr(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	if (!json_is_string(v))
		fail_msg("event key %s: not a string", k);
	return json_string_value(v);
}

/* One line per event; every key must be one the event may carry. */
static void
fake_event(struct tree *t, json_t *ev)
{
	const char *name = jstr(ev, "event"), *path = jstr(ev, "path"), *k;
	const char *allowed = "";
	char buf[512], how[96] = "";
	json_t *v;
	size_t i;

	if (strcmp(name, "started") == 0 || strcmp(name, "ready") == 0)
		allowed = " event path pid ";
	else if (strcmp(name, "exited") == 0)
		allowed = " event path pid code signal class by_supervisor ";
	else if (strcmp(name, "start_error") == 0)
		allowed = " event path error class ";
	else if (strcmp(name, "shutdown") == 0)
		allowed = " event path reason code ";
	else if (strcmp(name, "done") == 0)
		allowed = " event path pid code ";
	else if (strcmp(name, "reloaded") == 0)
		allowed = " event path ok errors ";
	else
		fail_msg("unknown event %s", name);
	json_object_foreach(ev, k, v) {
		snprintf(buf, sizeof(buf), " %s ", k);
		if (strstr(allowed, buf) == NULL)
			fail_msg("event %s: unexpected key %s", name, k);
	}
	snprintf(buf, sizeof(buf), "EVENT %s %s", name, path);
	if ((v = json_object_get(ev, "pid")) != NULL) {
		assert_true(json_is_integer(v));
		snprintf(how, sizeof(how), " %lld",
		    (long long)json_integer_value(v));
		strlcat(buf, how, sizeof(buf));
	} else if (strcmp(name, "ready") == 0)
		fail_msg("ready without pid");
	if (strcmp(name, "exited") == 0) {
		if ((v = json_object_get(ev, "code")) != NULL) {
			assert_null(json_object_get(ev, "signal"));
			snprintf(how, sizeof(how), " code=%lld",
			    (long long)json_integer_value(v));
			strlcat(buf, how, sizeof(buf));
		} else if (json_object_get(ev, "signal") != NULL) {
			snprintf(how, sizeof(how), " sig=%s",
			    jstr(ev, "signal"));
			strlcat(buf, how, sizeof(buf));
		}
		snprintf(how, sizeof(how), " %s", jstr(ev, "class"));
		strlcat(buf, how, sizeof(buf));
		v = json_object_get(ev, "by_supervisor");
		assert_true(json_is_boolean(v));
		if (json_is_true(v))
			strlcat(buf, " by_supervisor", sizeof(buf));
	} else if (strcmp(name, "start_error") == 0) {
		assert_string_equal(jstr(ev, "class"), "abnormal");
		snprintf(how, sizeof(how), ": %s", jstr(ev, "error"));
		strlcat(buf, how, sizeof(buf));
	} else if (strcmp(name, "shutdown") == 0) {
		snprintf(how, sizeof(how), " %s", jstr(ev, "reason"));
		strlcat(buf, how, sizeof(buf));
		/* The exit status travels with an automatic shutdown only. */
		if ((v = json_object_get(ev, "code")) != NULL) {
			assert_string_equal(jstr(ev, "reason"),
			    "auto_shutdown");
			snprintf(how, sizeof(how), " code=%lld",
			    (long long)json_integer_value(v));
			strlcat(buf, how, sizeof(buf));
		}
	} else if (strcmp(name, "done") == 0) {
		v = json_object_get(ev, "code");
		assert_true(json_is_integer(v));
		snprintf(how, sizeof(how), " code=%lld",
		    (long long)json_integer_value(v));
		strlcat(buf, how, sizeof(buf));
	} else if (strcmp(name, "reloaded") == 0 &&
	    !json_is_true(json_object_get(ev, "ok"))) {
		strlcat(buf, " failed:", sizeof(buf));
		json_array_foreach(json_object_get(ev, "errors"), i, v) {
			snprintf(how, sizeof(how), " %s", json_string_value(v));
			strlcat(buf, how, sizeof(buf));
		}
	}
	act("%s", buf);
	json_decref(ev);
}

static void
fake_log(struct tree *t, const char *line)
{
	push(logs, &nlogs, xstrdup(line));
}

static void
fake_started(struct tree *t)
{
	act("STARTED");
}

static void
fake_exit(struct tree *t, int status)
{
	act("EXIT %d", status);
}

static void
fake_forget(struct tree *t, struct node *n)
{
	struct armed *a;
	struct live *l;

	if (!freeing) {
		/* A node goes only once its process is gone. */
		assert_int_equal(n->pid, 0);
		act("FORGET %s", n->path);
	}
	if ((a = timer_of(n)) != NULL)
		timer_del(a);
	if (n->pid != 0 && (l = live_of_pid(n->pid)) != NULL)
		live_del(l);
}

/* Calls of tree_ops.held; not in the log, which predates it. */
static int		 held_calls;

static void
fake_held(struct tree *t)
{
	assert_ptr_equal(t, T);
	held_calls++;
}

/* Operator requests done with (tree_ops.op_done), for expect_done. */
static char	*opdone[64];
static size_t	 nopdone;

static void
forget_done(void)
{
	while (nopdone > 0)
		free(opdone[--nopdone]);
}

/* Tests that do not look keep only the latest. */
static void
fake_op_done(struct tree *t, struct node *n)
{
	char buf[256];

	if (nopdone == sizeof(opdone) / sizeof(opdone[0]))
		forget_done();
	snprintf(buf, sizeof(buf), "%s %u %s", n->path, n->op_finished,
	    node_state_name(n->state));
	opdone[nopdone++] = xstrdup(buf);
}

static const struct tree_ops ops = {
	.spawn = fake_spawn,
	.kill = fake_kill,
	.timer = fake_timer,
	.event = fake_event,
	.log = fake_log,
	.started = fake_started,
	.exit = fake_exit,
	.forget = fake_forget,
	.held = fake_held,
	.op_done = fake_op_done,
};

/* Processes and timers the core believes in are the runtime's. */
static size_t
count_pids(const struct node *n)
{
	size_t i, c = 0;

	if (n->pid != 0) {
		struct live *l = live_of_pid(n->pid);

		assert_non_null(l);
		assert_ptr_equal(l->n, n);
		c++;
	}
	for (i = 0; i < n->nkids; i++) {
		assert_ptr_equal(n->kids[i]->parent, n);
		c += count_pids(n->kids[i]);
	}
	return c;
}

static void
check(void)
{
	size_t i;

	assert_int_equal(count_pids(tree_root(T)), nlives);
	for (i = 0; i < ntimers; i++)
		assert_true(timers[i].n->pid != 0 || timers[i].n->spawn_later ||
		    timers[i].n->next_start_at != 0);
}

static void
clear(void)
{
	size_t i;

	for (i = 0; i < nacts; i++)
		free(acts[i]);
	for (i = 0; i < nlogs; i++)
		free(logs[i]);
	nacts = nlogs = 0;
}

/* The actions since the last check are exactly these (NULL-ended). */
static void
expect(const char *first, ...)
{
	const char *want[MAXACTS], *s;
	va_list ap;
	size_t n = 0, i;
	int ok;

	va_start(ap, first);
	for (s = first; s != NULL; s = va_arg(ap, const char *)) {
		assert_true(n < MAXACTS);
		want[n++] = s;
	}
	va_end(ap);
	ok = n == nacts;
	for (i = 0; ok && i < n; i++)
		ok = strcmp(want[i], acts[i]) == 0;
	if (!ok) {
		for (i = 0; i < n || i < nacts; i++)
			print_error("%2zu %s want %-56s got %s\n", i,
			    i < n && i < nacts && strcmp(want[i], acts[i]) == 0 ?
			    " " : "*", i < n ? want[i] : "-",
			    i < nacts ? acts[i] : "-");
		fail();
	}
	for (i = 0; i < nacts; i++)
		free(acts[i]);
	nacts = 0;
}

/* Some log line since the last clear() contains s. */
static int
logged(const char *s)
{
	size_t i;

	for (i = 0; i < nlogs; i++)
		if (strstr(logs[i], s) != NULL)
			return 1;
	for (i = 0; i < nlogs; i++)
		print_message("log: %s\n", logs[i]);
	return 0;
}

static void
fail_spawn(const char *path, const char *why, int times)
{
	assert_true(nfails < sizeof(fails) / sizeof(fails[0]));
	strlcpy(fails[nfails].path, path, sizeof(fails[nfails].path));
	strlcpy(fails[nfails].why, why, sizeof(fails[nfails].why));
	fails[nfails++].times = times;
}

static void
new_tree(struct spec *root)
{
	/* What a failed test left behind is dropped (and leaked). */
	clear();
	nlives = ntimers = nfails = 0;
	freeing = exec_pending = 0;
	now = 1000;
	next_pid = 101;
	assert_non_null(T = tree_new(root, &ops, NULL));
	assert_null(tree_arg(T));
	tree_set_now(T, now);
}

static void
end_tree(void)
{
	freeing = 1;
	tree_free(T);
	freeing = 0;
	T = NULL;
	clear();
	assert_int_equal(nlives, 0);
	assert_int_equal(ntimers, 0);
	nfails = 0;
}

static struct node *
node(const char *path)
{
	struct node *n = tree_find(T, path);

	if (n == NULL)
		print_error("no node %s\n", path);
	assert_non_null(n);
	return n;
}

static enum node_state
state(const char *path)
{
	return node(path)->state;
}

static void
start(void)
{
	tree_set_now(T, now);
	tree_start(T);
	check();
}

/* The first worker still waiting for READY=1, depth first. */
static struct node *
waiting_worker(struct node *n)
{
	struct node *w;
	size_t i;

	if (n->spec->type == SPEC_WORKER && n->pid != 0 &&
	    n->state == NS_STARTING)
		return n;
	for (i = 0; i < n->nkids; i++)
		if ((w = waiting_worker(n->kids[i])) != NULL)
			return w;
	return NULL;
}

/* Start the tree, READY=1 from each notify worker, forget the log. */
static void
boot(void)
{
	struct node *w;

	start();
	while ((w = waiting_worker(tree_root(T))) != NULL) {
		tree_ready(T, w);
		check();
	}
	assert_int_equal(state("root"), NS_RUNNING);
	clear();
}

static void
die(pid_t pid, int status)
{
	struct live *l = live_of_pid(pid);
	struct node *n;

	if (l == NULL)
		print_error("no process %d\n", (int)pid);
	assert_non_null(l);
	n = l->n;
	assert_int_equal(n->pid, pid);
	live_del(l);		/* as the runtime's pidmap */
	tree_set_now(T, now);
	tree_exited(T, n, status);
	check();
}

static void
code(pid_t pid, int c)
{
	die(pid, EXITED(c));
}

static void
killed(pid_t pid, int signo)
{
	die(pid, signo);
}

static void
ready(pid_t pid)
{
	struct live *l = live_of_pid(pid);

	assert_non_null(l);
	tree_set_now(T, now);
	tree_ready(T, l->n);
	check();
}

/* The node's timer expires (it must be armed). */
static void
fire(const char *path)
{
	struct node *n = node(path);
	struct armed *a = timer_of(n);

	if (a == NULL)
		print_error("no timer armed for %s\n", path);
	assert_non_null(a);
	timer_del(a);
	tree_set_now(T, now);
	tree_timer(T, n);
	check();
}

static int
armed(const char *path)
{
	return timer_of(node(path)) != NULL;
}

typedef int (*opfn)(struct tree *, const char *, char *, size_t);

static void
op(opfn fn, const char *path)
{
	char err[256] = "";

	tree_set_now(T, now);
	if (fn(T, path, err, sizeof(err)) != 0)
		fail_msg("%s: %s", path, err);
	assert_string_equal(err, "");
	check();
}

static void
op_refused(opfn fn, const char *path, const char *why)
{
	char err[256] = "";

	tree_set_now(T, now);
	assert_int_equal(fn(T, path, err, sizeof(err)), -1);
	assert_string_equal(err, why);
	check();
}

static void
shutdown_tree(void)
{
	tree_set_now(T, now);
	tree_shutdown(T);
	check();
}

static void
reload(struct spec *root)
{
	tree_set_now(T, now);
	tree_reload(T, root);
	check();
}

static struct node *
start_child(const char *path, const char *a)
{
	struct node *n;
	char err[128] = "";
	char *args[] = { (char *)a, NULL };

	tree_set_now(T, now);
	n = tree_op_start_child(T, path, args, a != NULL ? 1 : 0, err,
	    sizeof(err));
	if (n == NULL)
		fail_msg("start-child %s: %s", path, err);
	check();
	return n;
}

/* The argv a spawn would run: the spec's, then the instance's. */
static const char *
argv_of(const char *path)
{
	static char buf[256];
	struct node *n = node(path);
	size_t i;

	buf[0] = '\0';
	for (i = 0; n->spec->argv[i] != NULL; i++) {
		if (i > 0)
			strlcat(buf, " ", sizeof(buf));
		strlcat(buf, n->spec->argv[i], sizeof(buf));
	}
	for (i = 0; i < n->nextra; i++) {
		strlcat(buf, " ", sizeof(buf));
		strlcat(buf, n->extra[i], sizeof(buf));
	}
	return buf;
}

/* The ids of a supervisor's children, in start order. */
static const char *
kids_of(const char *path)
{
	static char buf[256];
	struct node *n = node(path);
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < n->nkids; i++) {
		if (i > 0)
			strlcat(buf, " ", sizeof(buf));
		strlcat(buf, n->kids[i]->id, sizeof(buf));
	}
	return buf;
}

/* --- exit classes --- */

static void
test_exit_class(void **unused UNUSED)
{
	struct spec *w = W("a");

	assert_int_equal(exit_class(w, EXITED(0)), EXIT_NORMAL);
	assert_int_equal(exit_class(w, EXITED(1)), EXIT_ABNORMAL);
	assert_int_equal(exit_class(w, EXITED(255)), EXIT_ABNORMAL);
	assert_int_equal(exit_class(w, SIGTERM), EXIT_NORMAL);
	assert_int_equal(exit_class(w, SIGINT), EXIT_NORMAL);
	assert_int_equal(exit_class(w, SIGHUP), EXIT_NORMAL);
	assert_int_equal(exit_class(w, SIGPIPE), EXIT_NORMAL);
	assert_int_equal(exit_class(w, SIGKILL), EXIT_ABNORMAL);
	assert_int_equal(exit_class(w, SIGSEGV), EXIT_ABNORMAL);
	assert_int_equal(exit_class(w, SIGQUIT), EXIT_ABNORMAL);
	assert_int_equal(exit_class(w, SIGABRT | 0x80), EXIT_ABNORMAL);
	/* normal_exit_codes replaces [0]. */
	assert_non_null(w->normal_exit_codes = reallocarray(
	    w->normal_exit_codes, 2, sizeof(int)));
	w->normal_exit_codes[0] = 3;
	w->normal_exit_codes[1] = 143;
	w->nnormal_exit_codes = 2;
	assert_int_equal(exit_class(w, EXITED(3)), EXIT_NORMAL);
	assert_int_equal(exit_class(w, EXITED(143)), EXIT_NORMAL);
	assert_int_equal(exit_class(w, EXITED(0)), EXIT_ABNORMAL);
	assert_int_equal(exit_class(w, SIGTERM), EXIT_NORMAL);
	spec_free(w);
	assert_string_equal(node_state_name(NS_RESTARTING), "restarting");
	assert_string_equal(node_state_name(NS_FAILED), "failed");
}

/* --- start --- */

static void
test_boot_in_order(void **unused UNUSED)
{
	new_tree(S("root", ONE_FOR_ONE, 1, 5, W("a"), W("b"), W("c"),
	    NULL));
	assert_int_equal(state("root"), NS_STOPPED);
	start();
	expect(STARTS("root/a", 101), STARTS("root/b", 102),
	    STARTS("root/c", 103), "EVENT started root", "STARTED", NULL);
	assert_int_equal(state("root"), NS_RUNNING);
	assert_int_equal(state("root/c"), NS_RUNNING);
	assert_int_equal(node("root/b")->pid, 102);
	end_tree();
}

static void
test_notify_waits_for_ready(void **unused UNUSED)
{
	new_tree(S("root", ONE_FOR_ONE, 1, 5, notify(W("a")), W("b"),
	    NULL));
	start();
	expect(STARTS("root/a", 101), "TIMER root/a 5000", NULL);
	assert_int_equal(state("root"), NS_STARTING);
	assert_int_equal(state("root/a"), NS_STARTING);
	assert_int_equal(state("root/b"), NS_STOPPED);
	ready(101);
	expect("UNTIMER root/a", "EVENT ready root/a 101",
	    STARTS("root/b", 102), "EVENT started root", "STARTED", NULL);
	assert_int_equal(state("root/a"), NS_RUNNING);
	ready(101);		/* a repeated READY=1 changes nothing */
	expect(NULL);
	end_tree();
}

static void
test_nested_start_and_events(void **unused UNUSED)
{
	new_tree(S("root", ONE_FOR_ONE, 1, 5, W("a"),
	    S("core", REST_FOR_ONE, 1, 10, notify(W("db")), W("api"), NULL),
	    S("empty", ONE_FOR_ONE, 1, 5, NULL), W("z"), NULL));
	start();
	expect(STARTS("root/a", 101), STARTS("root/core/db", 102),
	    "TIMER root/core/db 5000", NULL);
	assert_int_equal(state("root/core"), NS_STARTING);
	ready(102);
	expect("UNTIMER root/core/db", "EVENT ready root/core/db 102",
	    STARTS("root/core/api", 103), "EVENT started root/core",
	    "EVENT started root/empty", STARTS("root/z", 104),
	    "EVENT started root", "STARTED", NULL);
	assert_int_equal(state("root/empty"), NS_RUNNING);
	assert_int_equal(node("root/core/api")->depth, 2);
	end_tree();
}

/* --- restart types x exit classes x strategies --- */

struct combo {
	enum restart_type	 restart;
	int			 status;	/* wait status */
	const char		*how;		/* as the event says it */
	int			 restarted;
};

static const struct combo combos[] = {
	{ RESTART_PERMANENT, EXITED(0), "code=0 normal", 1 },
	{ RESTART_PERMANENT, EXITED(1), "code=1 abnormal", 1 },
	{ RESTART_PERMANENT, SIGTERM, "sig=TERM normal", 1 },
	{ RESTART_PERMANENT, SIGKILL, "sig=KILL abnormal", 1 },
	{ RESTART_TRANSIENT, EXITED(0), "code=0 normal", 0 },
	{ RESTART_TRANSIENT, SIGTERM, "sig=TERM normal", 0 },
	{ RESTART_TRANSIENT, SIGPIPE, "sig=PIPE normal", 0 },
	{ RESTART_TRANSIENT, EXITED(1), "code=1 abnormal", 1 },
	{ RESTART_TRANSIENT, SIGKILL, "sig=KILL abnormal", 1 },
	{ RESTART_TRANSIENT, SIGSEGV | 0x80, "sig=SEGV abnormal", 1 },
	{ RESTART_TEMPORARY, EXITED(0), "code=0 normal", 0 },
	{ RESTART_TEMPORARY, EXITED(1), "code=1 abnormal", 0 },
	{ RESTART_TEMPORARY, SIGKILL, "sig=KILL abnormal", 0 },
};

#define NCOMBOS	(sizeof(combos) / sizeof(combos[0]))

/* Children a, b (the one under test), c; b ends with c->status. */
static void
one_combo(enum strategy st, const struct combo *c)
{
	char line[128];

	print_message("# %s %s %s\n", strategy_name(st),
	    restart_name(c->restart), c->how);
	new_tree(S("root", st, 10, 5, W("a"), rs(W("b"), c->restart),
	    W("c"), NULL));
	boot();
	next_pid = 201;
	killed(102, c->status);
	snprintf(line, sizeof(line), "EVENT exited root/b 102 %s", c->how);
	if (!c->restarted) {
		/* Nothing else changes; a temporary child is gone. */
		if (c->restart == RESTART_TEMPORARY) {
			expect(line, "FORGET root/b", NULL);
			assert_null(tree_find(T, "root/b"));
			assert_string_equal(kids_of("root"), "a c");
		} else {
			expect(line, NULL);
			assert_int_equal(state("root/b"), NS_STOPPED);
		}
		assert_true(logged("; not restarted ("));
		assert_int_equal(node("root/a")->pid, 101);
		assert_int_equal(node("root/c")->pid, 103);
		end_tree();
		return;
	}
	switch (st) {
	case ONE_FOR_ONE:
		expect(line, STARTS("root/b", 201), NULL);
		assert_int_equal(node("root/a")->restarts, 0);
		break;
	case ONE_FOR_ALL:
		expect(line, TERMS("root/c", 103), NULL);
		assert_int_equal(state("root/b"), NS_RESTARTING);
		assert_int_equal(state("root/c"), NS_STOPPING);
		killed(103, SIGTERM);
		expect(TERMED("root/c", 103), TERMS("root/a", 101), NULL);
		code(101, 0);
		expect("UNTIMER root/a",
		    "EVENT exited root/a 101 code=0 normal by_supervisor",
		    STARTS("root/a", 201), STARTS("root/b", 202),
		    STARTS("root/c", 203), NULL);
		assert_int_equal(node("root/a")->restarts, 1);
		assert_int_equal(node("root/c")->restarts, 1);
		break;
	case REST_FOR_ONE:
		expect(line, TERMS("root/c", 103), NULL);
		killed(103, SIGTERM);
		expect(TERMED("root/c", 103), STARTS("root/b", 201),
		    STARTS("root/c", 202), NULL);
		assert_int_equal(node("root/a")->pid, 101);
		assert_int_equal(node("root/c")->restarts, 1);
		break;
	default:
		fail();
	}
	assert_int_equal(state("root/b"), NS_RUNNING);
	assert_int_equal(node("root/b")->restarts, 1);
	assert_true(logged("root/b: exited "));
	assert_true(logged("; restarting (1 of 10 in 5 s)"));
	assert_int_equal(state("root"), NS_RUNNING);
	end_tree();
}

static void
test_one_for_one_matrix(void **unused UNUSED)
{
	size_t i;

	for (i = 0; i < NCOMBOS; i++)
		one_combo(ONE_FOR_ONE, &combos[i]);
}

static void
test_one_for_all_matrix(void **unused UNUSED)
{
	size_t i;

	for (i = 0; i < NCOMBOS; i++)
		one_combo(ONE_FOR_ALL, &combos[i]);
}

static void
test_rest_for_one_matrix(void **unused UNUSED)
{
	size_t i;

	for (i = 0; i < NCOMBOS; i++)
		one_combo(REST_FOR_ONE, &combos[i]);
}

static void
test_simple_one_for_one_matrix(void **unused UNUSED)
{
	const struct combo *c;
	char line[128];
	size_t i;

	for (i = 0; i < NCOMBOS; i++) {
		c = &combos[i];
		print_message("# %s %s\n", restart_name(c->restart), c->how);
		new_tree(SOFO("root", 10, 5, rs(W("job"), c->restart)));
		boot();
		assert_int_equal(node("root")->nkids, 0);
		start_child("root", NULL);
		expect(STARTS("root/1", 101), NULL);
		start_child("root", NULL);
		expect(STARTS("root/2", 102), NULL);
		killed(102, c->status);
		snprintf(line, sizeof(line), "EVENT exited root/2 102 %s",
		    c->how);
		if (c->restarted) {
			/* A restarted instance keeps its id. */
			expect(line, STARTS("root/2", 103), NULL);
			assert_int_equal(node("root/2")->restarts, 1);
		} else {
			/* OTP deletes dynamic children not restarted. */
			expect(line, "FORGET root/2", NULL);
			assert_null(tree_find(T, "root/2"));
		}
		assert_int_equal(state("root/1"), NS_RUNNING);
		end_tree();
	}
}

/* --- one_for_all and rest_for_one details --- */

static void
test_one_for_all_restarts_ended_transient(void **unused UNUSED)
{
	new_tree(S("root", ONE_FOR_ALL, 5, 5,
	    rs(W("a"), RESTART_TRANSIENT), W("b"), W("c"), NULL));
	boot();
	code(101, 0);
	expect("EVENT exited root/a 101 code=0 normal", NULL);
	assert_int_equal(state("root/a"), NS_STOPPED);
	code(102, 1);
	/* a has ended: nothing to stop, but it is started again (OTP). */
	expect("EVENT exited root/b 102 code=1 abnormal",
	    TERMS("root/c", 103), NULL);
	assert_int_equal(state("root/b"), NS_RESTARTING);
	assert_int_equal(state("root/c"), NS_STOPPING);
	next_pid = 201;
	killed(103, SIGTERM);
	expect(TERMED("root/c", 103), STARTS("root/a", 201),
	    STARTS("root/b", 202), STARTS("root/c", 203), NULL);
	assert_int_equal(state("root/a"), NS_RUNNING);
	end_tree();
}

static void
test_one_for_all_removes_temporary(void **unused UNUSED)
{
	new_tree(S("root", ONE_FOR_ALL, 5, 5, W("a"),
	    rs(W("t"), RESTART_TEMPORARY), W("c"), NULL));
	boot();
	code(101, 1);
	expect("EVENT exited root/a 101 code=1 abnormal",
	    TERMS("root/c", 103), NULL);
	killed(103, SIGTERM);
	expect(TERMED("root/c", 103), TERMS("root/t", 102), NULL);
	next_pid = 201;
	killed(102, SIGTERM);
	expect(TERMED("root/t", 102), "FORGET root/t",
	    STARTS("root/a", 201), STARTS("root/c", 202), NULL);
	assert_null(tree_find(T, "root/t"));
	assert_string_equal(kids_of("root"), "a c");
	end_tree();
}

static void
test_rest_for_one_order(void **unused UNUSED)
{
	new_tree(S("root", REST_FOR_ONE, 5, 5, W("a"), W("b"), W("c"),
	    W("d"), NULL));
	boot();
	killed(102, SIGSEGV);
	expect("EVENT exited root/b 102 sig=SEGV abnormal",
	    TERMS("root/d", 104), NULL);
	code(104, 0);
	expect("UNTIMER root/d",
	    "EVENT exited root/d 104 code=0 normal by_supervisor",
	    TERMS("root/c", 103), NULL);
	next_pid = 202;
	code(103, 0);
	expect("UNTIMER root/c",
	    "EVENT exited root/c 103 code=0 normal by_supervisor",
	    STARTS("root/b", 202), STARTS("root/c", 203),
	    STARTS("root/d", 204), NULL);
	assert_int_equal(node("root/a")->pid, 101);
	assert_int_equal(node("root/a")->restarts, 0);
	end_tree();
}

/* --- intensity --- */

static void
test_intensity_window(void **unused UNUSED)
{
	new_tree(S("root", ONE_FOR_ONE, 1, 5, W("a"), NULL));
	boot();
	code(101, 1);
	expect("EVENT exited root/a 101 code=1 abnormal",
	    STARTS("root/a", 102), NULL);
	assert_true(logged("root/a: exited with code 1; restarting "
	    "(1 of 1 in 5 s)"));
	/* Exactly period later the first restart is out of the window. */
	now += 5000;
	code(102, 1);
	expect("EVENT exited root/a 102 code=1 abnormal",
	    STARTS("root/a", 103), NULL);
	now += 4999;
	code(103, 1);
	expect("EVENT exited root/a 103 code=1 abnormal",
	    "EVENT shutdown root reached_max_restart_intensity", "EXIT 1",
	    NULL);
	assert_true(logged("root: reached max restart intensity (1 in 5 s)"));
	assert_int_equal(state("root/a"), NS_STOPPED);
	assert_int_equal(state("root"), NS_FAILED);
	end_tree();
}

static void
test_intensity_zero_and_reverse_stop(void **unused UNUSED)
{
	new_tree(S("root", ONE_FOR_ONE, 2, 10, W("a"), W("b"), W("c"),
	    NULL));
	boot();
	code(103, 1);
	code(104, 1);
	expect("EVENT exited root/c 103 code=1 abnormal",
	    STARTS("root/c", 104),
	    "EVENT exited root/c 104 code=1 abnormal",
	    STARTS("root/c", 105), NULL);
	code(105, 1);
	/* Gives up: the others in reverse start order, one at a time. */
	expect("EVENT exited root/c 105 code=1 abnormal",
	    TERMS("root/b", 102), NULL);
	assert_int_equal(state("root"), NS_STOPPING);
	/* A SIGTERM meanwhile does not turn the give-up into exit 0. */
	shutdown_tree();
	expect(NULL);
	code(102, 0);
	expect("UNTIMER root/b",
	    "EVENT exited root/b 102 code=0 normal by_supervisor",
	    TERMS("root/a", 101), NULL);
	killed(101, SIGTERM);
	expect(TERMED("root/a", 101),
	    "EVENT shutdown root reached_max_restart_intensity", "EXIT 1",
	    NULL);
	/* Nothing happens after the exit. */
	shutdown_tree();
	expect(NULL);
	end_tree();

	new_tree(S("root", ONE_FOR_ONE, 0, 10, W("a"), NULL));
	boot();
	code(101, 1);
	expect("EVENT exited root/a 101 code=1 abnormal",
	    "EVENT shutdown root reached_max_restart_intensity", "EXIT 1",
	    NULL);
	shutdown_tree();
	expect(NULL);
	end_tree();
}

static void
test_one_for_all_counts_once(void **unused UNUSED)
{
	new_tree(S("root", ONE_FOR_ALL, 1, 5, W("a"), W("b"), NULL));
	boot();
	code(101, 1);
	killed(102, SIGTERM);
	expect("EVENT exited root/a 101 code=1 abnormal",
	    TERMS("root/b", 102), TERMED("root/b", 102),
	    STARTS("root/a", 103), STARTS("root/b", 104), NULL);
	assert_true(logged("restarting (1 of 1 in 5 s)"));
	assert_int_equal(node("root/a")->restarts, 1);
	assert_int_equal(node("root/b")->restarts, 1);
	/* The next one is the second in the period: give up. */
	code(104, 1);
	expect("EVENT exited root/b 104 code=1 abnormal",
	    TERMS("root/a", 103), NULL);
	killed(103, SIGTERM);
	expect(TERMED("root/a", 103),
	    "EVENT shutdown root reached_max_restart_intensity", "EXIT 1",
	    NULL);
	end_tree();
}

/*
 * Escalation: w crashes; L3 (intensity 0) gives up, which is a normal
 * exit of a permanent child for L2 (intensity 0), which gives up too;
 * the root (intensity 1) restarts L2 afresh. The second time the root
 * gives up.
 */
static void
test_escalation_three_levels(void **unused UNUSED)
{
	new_tree(S("root", ONE_FOR_ONE, 1, 60,
	    S("L2", ONE_FOR_ONE, 0, 60,
	    S("L3", ONE_FOR_ONE, 0, 60, W("w"), NULL), NULL), NULL));
	start();
	expect(STARTS("root/L2/L3/w", 101), "EVENT started root/L2/L3",
	    "EVENT started root/L2", "EVENT started root", "STARTED", NULL);
	killed(101, SIGKILL);
	expect("EVENT exited root/L2/L3/w 101 sig=KILL abnormal",
	    "EVENT shutdown root/L2/L3 reached_max_restart_intensity",
	    "EVENT exited root/L2/L3 normal",
	    "EVENT shutdown root/L2 reached_max_restart_intensity",
	    "EVENT exited root/L2 normal",
	    STARTS("root/L2/L3/w", 102), "EVENT started root/L2/L3",
	    "EVENT started root/L2", NULL);
	assert_true(logged("root/L2: reached_max_restart_intensity; "
	    "restarting (1 of 1 in 60 s)"));
	assert_int_equal(state("root/L2"), NS_RUNNING);
	assert_int_equal(state("root/L2/L3"), NS_RUNNING);
	assert_int_equal(node("root/L2")->restarts, 1);
	now += 1000;
	killed(102, SIGKILL);
	expect("EVENT exited root/L2/L3/w 102 sig=KILL abnormal",
	    "EVENT shutdown root/L2/L3 reached_max_restart_intensity",
	    "EVENT exited root/L2/L3 normal",
	    "EVENT shutdown root/L2 reached_max_restart_intensity",
	    "EVENT exited root/L2 normal",
	    "EVENT shutdown root reached_max_restart_intensity", "EXIT 1",
	    NULL);
	assert_int_equal(state("root"), NS_FAILED);
	end_tree();
}

static void
test_escalation_transient_supervisor(void **unused UNUSED)
{
	new_tree(S("root", ONE_FOR_ONE, 5, 60,
	    rs(S("T", ONE_FOR_ONE, 0, 60, W("w"), W("v"), NULL),
	    RESTART_TRANSIENT),
	    rs(S("X", ONE_FOR_ONE, 0, 60, W("x"), NULL), RESTART_TEMPORARY),
	    W("y"), NULL));
	boot();
	code(101, 1);
	/* T gives up: a normal exit, so a transient T is not restarted. */
	expect("EVENT exited root/T/w 101 code=1 abnormal",
	    TERMS("root/T/v", 102), NULL);
	assert_int_equal(state("root/T"), NS_STOPPING);
	killed(102, SIGTERM);
	expect(TERMED("root/T/v", 102),
	    "EVENT shutdown root/T reached_max_restart_intensity",
	    "EVENT exited root/T normal", NULL);
	assert_true(logged("root/T: reached_max_restart_intensity; not "
	    "restarted (transient)"));
	assert_int_equal(state("root/T"), NS_FAILED);
	assert_int_equal(state("root/T/w"), NS_STOPPED);
	assert_int_equal(state("root/T/v"), NS_STOPPED);
	/* A temporary one is removed. */
	code(103, 1);
	expect("EVENT exited root/X/x 103 code=1 abnormal",
	    "EVENT shutdown root/X reached_max_restart_intensity",
	    "EVENT exited root/X normal", "FORGET root/X/x", "FORGET root/X",
	    NULL);
	assert_null(tree_find(T, "root/X"));
	assert_int_equal(state("root/y"), NS_RUNNING);
	assert_int_equal(node("root/y")->pid, 104);
	/* The root counted none of it. */
	assert_int_equal(state("root"), NS_RUNNING);
	end_tree();
}

/* --- spawns whose execve is reported later --- */

/* A shortage of descriptors or processes is tried again, not a crash. */
static void
test_spawn_later(void **unused UNUSED)
{
	new_tree(S("root", ONE_FOR_ONE, 1, 5, W("a"), W("b"), NULL));
	fail_spawn("root/b", "later:fork: Resource temporarily unavailable",
	    2);
	start();
	expect(STARTS("root/a", 101), "SPAWN root/b later",
	    "TIMER root/b 1000", NULL);
	assert_int_equal(state("root/b"), NS_STARTING);
	fire("root/b");
	expect("SPAWN root/b later", "TIMER root/b 1000", NULL);
	fire("root/b");
	expect(STARTS("root/b", 102), "EVENT started root", "STARTED", NULL);
	assert_int_equal(state("root"), NS_RUNNING);
	/* No restart was counted: a crash now is the first. */
	killed(102, SIGKILL);
	expect("EVENT exited root/b 102 sig=KILL abnormal", STARTS("root/b",
	    103), NULL);
	end_tree();
}

/* A stop while a spawn waits for its retry cancels the retry. */
static void
test_spawn_later_stopped(void **unused UNUSED)
{
	new_tree(S("root", ONE_FOR_ONE, 1, 5, W("a"), W("b"), NULL));
	fail_spawn("root/b", "later:pipe2: Too many open files", 1);
	start();
	expect(STARTS("root/a", 101), "SPAWN root/b later",
	    "TIMER root/b 1000", NULL);
	shutdown_tree();
	expect("UNTIMER root/b", TERMS("root/a", 101), NULL);
	assert_false(armed("root/b"));
	killed(101, SIGTERM);
	expect(TERMED("root/a", 101), "EVENT shutdown root shutdown",
	    "EXIT 0", NULL);
	end_tree();
}

/* started comes with execve; start_timeout covers the way there. */
static void
test_exec_pending(void **unused UNUSED)
{
	new_tree(S("root", ONE_FOR_ONE, 1, 5, W("a"), W("b"), NULL));
	exec_pending = 1;
	start();
	expect("SPAWN root/a 101", "TIMER root/a 5000", NULL);
	assert_int_equal(state("root/a"), NS_STARTING);
	tree_execed(T, node("root/a"));
	check();
	expect("EVENT started root/a 101", "UNTIMER root/a",
	    "SPAWN root/b 102", "TIMER root/b 5000", NULL);
	/* b never reaches execve: a start error at start_timeout. */
	fire("root/b");
	expect("EVENT start_error root/b: start_timeout: did not reach "
	    "execve within 5000 ms", "KILL root/b 102 KILL", NULL);
	killed(102, SIGKILL);
	/* No "exited" for what never started. */
	expect(TERMS("root/a", 101), NULL);
	end_tree();
}

/* A step before execve failed: a start error with its reason. */
static void
test_exec_failed(void **unused UNUSED)
{
	new_tree(S("root", ONE_FOR_ONE, 1, 5, W("a"), NULL));
	exec_pending = 1;
	start();
	expect("SPAWN root/a 101", "TIMER root/a 5000", NULL);
	/* Reaped: the child never ran the program. */
	live_del(live_of_pid(101));
	tree_start_failed(T, node("root/a"), "stdout: Permission denied");
	check();
	expect("UNTIMER root/a",
	    "EVENT start_error root/a: stdout: Permission denied", "EXIT 1",
	    NULL);
	assert_int_equal(state("root/a"), NS_FAILED);
	end_tree();
}

/* --- start errors --- */

static void
test_start_error_at_boot(void **unused UNUSED)
{
	new_tree(S("root", ONE_FOR_ONE, 1, 5, W("a"), W("b"), W("c"),
	    NULL));
	fail_spawn("root/b", "execve: No such file or directory", 1);
	start();
	expect(STARTS("root/a", 101), "SPAWN root/b -1",
	    "EVENT start_error root/b: execve: No such file or directory",
	    TERMS("root/a", 101), NULL);
	code(101, 0);
	expect("UNTIMER root/a",
	    "EVENT exited root/a 101 code=0 normal by_supervisor", "EXIT 1",
	    NULL);
	assert_true(logged("root: start failed: child root/b: execve: No "
	    "such file or directory"));
	assert_int_equal(state("root"), NS_FAILED);
	assert_int_equal(state("root/a"), NS_STOPPED);
	assert_int_equal(state("root/b"), NS_FAILED);
	assert_int_equal(state("root/c"), NS_STOPPED);
	end_tree();
}

static void
test_start_error_nested(void **unused UNUSED)
{
	new_tree(S("root", ONE_FOR_ONE, 1, 5, W("a"),
	    S("core", ONE_FOR_ONE, 1, 5, W("b"), W("c"), NULL), W("d"),
	    NULL));
	fail_spawn("root/core/c", "execve: Permission denied", 1);
	start();
	expect(STARTS("root/a", 101), STARTS("root/core/b", 102),
	    "SPAWN root/core/c -1",
	    "EVENT start_error root/core/c: execve: Permission denied",
	    TERMS("root/core/b", 102), NULL);
	killed(102, SIGTERM);
	expect(TERMED("root/core/b", 102),
	    "EVENT start_error root/core: child root/core/c: execve: "
	    "Permission denied", TERMS("root/a", 101), NULL);
	killed(101, SIGTERM);
	expect(TERMED("root/a", 101), "EXIT 1", NULL);
	assert_true(logged("root: start failed: child root/core: child "
	    "root/core/c: execve: Permission denied"));
	assert_int_equal(state("root/core"), NS_FAILED);
	assert_int_equal(state("root/d"), NS_STOPPED);
	end_tree();
}

static void
test_start_error_exited_before_ready(void **unused UNUSED)
{
	new_tree(S("root", ONE_FOR_ONE, 1, 5, notify(W("a")), NULL));
	start();
	code(101, 0);
	/* Even code 0: dying before READY=1 is abnormal (supervisord(8), Exit classes). */
	expect(STARTS("root/a", 101), "TIMER root/a 5000", "UNTIMER root/a",
	    "EVENT exited root/a 101 code=0 abnormal",
	    "EVENT start_error root/a: exited with code 0 before it was "
	    "ready", "EXIT 1", NULL);
	assert_int_equal(state("root/a"), NS_FAILED);
	end_tree();
}

static void
test_start_timeout(void **unused UNUSED)
{
	/* At boot: the root fails to start. */
	new_tree(S("root", ONE_FOR_ONE, 1, 5, notify(W("a")), W("b"), NULL));
	start();
	expect(STARTS("root/a", 101), "TIMER root/a 5000", NULL);
	now += 5000;
	fire("root/a");
	expect("EVENT start_error root/a: start_timeout: no READY=1 within "
	    "5000 ms", "KILL root/a 101 KILL", NULL);
	ready(101);		/* too late */
	expect(NULL);
	killed(101, SIGKILL);
	expect("EVENT exited root/a 101 sig=KILL abnormal", "EXIT 1", NULL);
	assert_int_equal(state("root/b"), NS_STOPPED);
	end_tree();

	/* After an operator restart: failed, not retried, root untouched. */
	new_tree(S("root", ONE_FOR_ONE, 1, 5, W("a"),
	    shut(notify(W("b")), 1000), NULL));
	boot();
	op(tree_op_restart, "root/b");
	expect(STOPS("root/b", 102, TERM, 1000), NULL);
	killed(102, SIGTERM);
	expect(TERMED("root/b", 102), STARTS("root/b", 103),
	    "TIMER root/b 5000", NULL);
	fire("root/b");
	expect("EVENT start_error root/b: start_timeout: no READY=1 within "
	    "5000 ms", "KILL root/b 103 KILL", NULL);
	killed(103, SIGKILL);
	expect("EVENT exited root/b 103 sig=KILL abnormal", NULL);
	assert_int_equal(state("root/b"), NS_FAILED);
	assert_int_equal(state("root"), NS_RUNNING);
	assert_int_equal(node("root/a")->pid, 101);
	end_tree();
}

static void
test_start_error_during_restart(void **unused UNUSED)
{
	new_tree(S("root", ONE_FOR_ONE, 2, 10, W("a"), W("b"), NULL));
	boot();
	fail_spawn("root/a", "execve: Text file busy", 1);
	code(101, 1);
	/* Counts as another restart, and is tried again. */
	expect("EVENT exited root/a 101 code=1 abnormal", "SPAWN root/a -1",
	    "EVENT start_error root/a: execve: Text file busy",
	    STARTS("root/a", 103), NULL);
	assert_int_equal(state("root/a"), NS_RUNNING);
	assert_int_equal(node("root/a")->restarts, 1);
	/* A crash loop ends by intensity. */
	code(103, 1);
	expect("EVENT exited root/a 103 code=1 abnormal",
	    TERMS("root/b", 102), NULL);
	killed(102, SIGTERM);
	expect(TERMED("root/b", 102),
	    "EVENT shutdown root reached_max_restart_intensity", "EXIT 1",
	    NULL);
	end_tree();

	new_tree(S("root", ONE_FOR_ONE, 1, 10, W("a"), NULL));
	boot();
	fail_spawn("root/a", "execve: Text file busy", 5);
	code(101, 1);
	expect("EVENT exited root/a 101 code=1 abnormal", "SPAWN root/a -1",
	    "EVENT start_error root/a: execve: Text file busy",
	    "EVENT shutdown root reached_max_restart_intensity", "EXIT 1",
	    NULL);
	end_tree();

	/* No READY=1 in time while restarting: retried the same way. */
	new_tree(S("root", ONE_FOR_ONE, 2, 10, notify(W("a")), NULL));
	boot();
	killed(101, SIGSEGV);
	expect("EVENT exited root/a 101 sig=SEGV abnormal",
	    STARTS("root/a", 102), "TIMER root/a 5000", NULL);
	fire("root/a");
	expect("EVENT start_error root/a: start_timeout: no READY=1 within "
	    "5000 ms", "KILL root/a 102 KILL", NULL);
	killed(102, SIGKILL);
	expect("EVENT exited root/a 102 sig=KILL abnormal",
	    STARTS("root/a", 103), "TIMER root/a 5000", NULL);
	code(103, 0);		/* before ready: a start error again */
	expect("UNTIMER root/a", "EVENT exited root/a 103 code=0 abnormal",
	    "EVENT start_error root/a: exited with code 0 before it was "
	    "ready", "EVENT shutdown root reached_max_restart_intensity",
	    "EXIT 1", NULL);
	end_tree();

	/* A nested supervisor that fails to start again is retried too. */
	new_tree(S("root", ONE_FOR_ONE, 2, 10,
	    S("s", ONE_FOR_ONE, 0, 10, W("x"), W("y"), NULL), NULL));
	boot();
	fail_spawn("root/s/y", "execve: Text file busy", 1);
	code(102, 1);
	expect("EVENT exited root/s/y 102 code=1 abnormal", TERMS("root/s/x",
	    101), NULL);
	killed(101, SIGTERM);
	expect(TERMED("root/s/x", 101),
	    "EVENT shutdown root/s reached_max_restart_intensity",
	    "EVENT exited root/s normal", STARTS("root/s/x", 103),
	    "SPAWN root/s/y -1",
	    "EVENT start_error root/s/y: execve: Text file busy",
	    TERMS("root/s/x", 103), NULL);
	killed(103, SIGTERM);
	expect(TERMED("root/s/x", 103),
	    "EVENT start_error root/s: child root/s/y: execve: Text file busy",
	    STARTS("root/s/x", 104), STARTS("root/s/y", 105),
	    "EVENT started root/s", NULL);
	assert_int_equal(state("root/s"), NS_RUNNING);
	end_tree();
}

/* --- stop --- */

static void
test_shutdown_modes_and_order(void **unused UNUSED)
{
	struct spec *d = W("d");

	d->stop_signal = SIGINT;
	new_tree(S("root", ONE_FOR_ONE, 1, 5, W("a"),
	    shut(W("b"), SHUTDOWN_BRUTAL_KILL),
	    shut(W("c"), SHUTDOWN_INFINITY), shut(d, 250), NULL));
	boot();
	shutdown_tree();
	expect(STOPS("root/d", 104, INT, 250), NULL);
	assert_int_equal(state("root"), NS_STOPPING);
	killed(104, SIGINT);
	/* infinity: no timer. */
	expect("UNTIMER root/d",
	    "EVENT exited root/d 104 sig=INT normal by_supervisor",
	    "KILL root/c 103 TERM", "KILL root/c 103 CONT", NULL);
	assert_false(armed("root/c"));
	code(103, 0);
	/* brutal_kill: SIGKILL at once. */
	expect("EVENT exited root/c 103 code=0 normal by_supervisor",
	    "KILL root/b 102 KILL", NULL);
	assert_false(armed("root/b"));
	killed(102, SIGKILL);
	expect("EVENT exited root/b 102 sig=KILL abnormal by_supervisor",
	    TERMS("root/a", 101), NULL);
	shutdown_tree();	/* idempotent */
	tree_timer(T, node("root/b"));	/* stale: b is gone */
	expect(NULL);
	now += 5000;
	fire("root/a");
	expect("KILL root/a 101 KILL", NULL);
	assert_true(logged("root/a: still running 5000 ms after SIGTERM; "
	    "killing"));
	killed(101, SIGKILL);
	expect("EVENT exited root/a 101 sig=KILL abnormal by_supervisor",
	    "EVENT shutdown root shutdown", "EXIT 0", NULL);
	assert_int_equal(state("root"), NS_STOPPED);
	end_tree();
}

static void
test_shutdown_depth_first(void **unused UNUSED)
{
	new_tree(S("root", ONE_FOR_ONE, 1, 5, W("a"),
	    S("s", ONE_FOR_ONE, 1, 5, W("b"), W("c"), NULL), W("d"), NULL));
	boot();
	shutdown_tree();
	expect(TERMS("root/d", 104), NULL);
	code(104, 0);
	expect("UNTIMER root/d",
	    "EVENT exited root/d 104 code=0 normal by_supervisor",
	    TERMS("root/s/c", 103), NULL);
	assert_int_equal(state("root/s"), NS_STOPPING);
	code(103, 0);
	expect("UNTIMER root/s/c",
	    "EVENT exited root/s/c 103 code=0 normal by_supervisor",
	    TERMS("root/s/b", 102), NULL);
	code(102, 0);
	expect("UNTIMER root/s/b",
	    "EVENT exited root/s/b 102 code=0 normal by_supervisor",
	    "EVENT exited root/s normal by_supervisor",
	    TERMS("root/a", 101), NULL);
	code(101, 0);
	expect("UNTIMER root/a",
	    "EVENT exited root/a 101 code=0 normal by_supervisor",
	    "EVENT shutdown root shutdown", "EXIT 0", NULL);
	end_tree();
}

static void
test_shutdown_before_boot(void **unused UNUSED)
{
	new_tree(S("root", ONE_FOR_ONE, 1, 5, W("a"), NULL));
	shutdown_tree();
	expect("EVENT shutdown root shutdown", "EXIT 0", NULL);
	end_tree();
}

static void
test_shutdown_during_boot(void **unused UNUSED)
{
	new_tree(S("root", ONE_FOR_ONE, 1, 5, W("a"), notify(W("b")),
	    W("c"), NULL));
	start();
	expect(STARTS("root/a", 101), STARTS("root/b", 102),
	    "TIMER root/b 5000", NULL);
	shutdown_tree();
	/* The stop timer replaces the start_timeout one. */
	expect(TERMS("root/b", 102), NULL);
	op_refused(tree_op_start, "root/c", "supervisord is shutting down");
	ready(102);		/* too late: it is stopping */
	expect(NULL);
	killed(102, SIGTERM);
	expect(TERMED("root/b", 102), TERMS("root/a", 101), NULL);
	killed(101, SIGTERM);
	expect(TERMED("root/a", 101), "EVENT shutdown root shutdown",
	    "EXIT 0", NULL);
	assert_int_equal(state("root/b"), NS_STOPPED);
	assert_int_equal(state("root/c"), NS_STOPPED);
	end_tree();

	/* Nested and waiting for READY=1: the stop reaches it. */
	new_tree(S("root", ONE_FOR_ONE, 1, 5, W("a"),
	    S("s", ONE_FOR_ONE, 1, 5, notify(W("b")), W("c"), NULL), NULL));
	start();
	expect(STARTS("root/a", 101), STARTS("root/s/b", 102),
	    "TIMER root/s/b 5000", NULL);
	shutdown_tree();
	expect(TERMS("root/s/b", 102), NULL);
	killed(102, SIGTERM);
	expect(TERMED("root/s/b", 102), "EVENT exited root/s normal "
	    "by_supervisor", TERMS("root/a", 101), NULL);
	killed(101, SIGTERM);
	expect(TERMED("root/a", 101), "EVENT shutdown root shutdown",
	    "EXIT 0", NULL);
	end_tree();
}

/* --- operator commands --- */

static void
test_operator_stop_survives_one_for_all(void **unused UNUSED)
{
	char err[128];

	new_tree(S("root", ONE_FOR_ALL, 1, 5, W("a"), W("b"), W("c"),
	    NULL));
	boot();
	op(tree_op_stop, "root/b");
	expect(TERMS("root/b", 102), NULL);
	code(102, 0);
	expect("UNTIMER root/b",
	    "EVENT exited root/b 102 code=0 normal by_supervisor", NULL);
	assert_int_equal(state("root/b"), NS_STOPPED);
	assert_true(node("root/b")->op_stopped);
	/* A sibling's restart starts the others, not b. */
	code(101, 1);
	expect("EVENT exited root/a 101 code=1 abnormal",
	    TERMS("root/c", 103), NULL);
	next_pid = 201;
	code(103, 0);
	expect("UNTIMER root/c",
	    "EVENT exited root/c 103 code=0 normal by_supervisor",
	    STARTS("root/a", 201), STARTS("root/c", 202), NULL);
	assert_int_equal(state("root/b"), NS_STOPPED);
	/* Until the operator starts it; that is no restart. */
	op(tree_op_start, "root/b");
	expect(STARTS("root/b", 203), NULL);
	assert_int_equal(state("root/b"), NS_RUNNING);
	assert_int_equal(node("root/b")->restarts, 0);
	assert_false(node("root/b")->op_stopped);
	/* Errors. */
	op_refused(tree_op_stop, "root", "root is the root: use shutdown or "
	    "reload");
	op_refused(tree_op_stop, "root/nope", "no such path: root/nope");
	assert_int_equal(tree_op_stop(T, "other/b", err, sizeof(err)), -1);
	assert_int_equal(tree_op_stop(T, "root/b/x", err, sizeof(err)), -1);
	assert_int_equal(tree_op_start(T, "", err, sizeof(err)), -1);
	expect(NULL);
	end_tree();
}

static void
test_operator_restart_not_counted(void **unused UNUSED)
{
	new_tree(S("root", ONE_FOR_ONE, 0, 5, W("a"),
	    S("s", ONE_FOR_ONE, 0, 5, W("b"), NULL), NULL));
	boot();
	op(tree_op_restart, "root/a");
	expect(TERMS("root/a", 101), NULL);
	killed(101, SIGTERM);
	expect(TERMED("root/a", 101), STARTS("root/a", 103), NULL);
	/* A supervisor restarts with its subtree. */
	op(tree_op_restart, "root/s");
	expect(TERMS("root/s/b", 102), NULL);
	killed(102, SIGTERM);
	expect(TERMED("root/s/b", 102),
	    "EVENT exited root/s normal by_supervisor",
	    STARTS("root/s/b", 104), "EVENT started root/s", NULL);
	/* Stop and start of a supervisor. */
	op(tree_op_stop, "root/s");
	expect(TERMS("root/s/b", 104), NULL);
	killed(104, SIGTERM);
	expect(TERMED("root/s/b", 104),
	    "EVENT exited root/s normal by_supervisor", NULL);
	assert_int_equal(state("root/s"), NS_STOPPED);
	assert_int_equal(state("root"), NS_RUNNING);
	op(tree_op_start, "root/s");
	expect(STARTS("root/s/b", 105), "EVENT started root/s", NULL);
	/* Starting what runs does nothing. */
	op(tree_op_start, "root/a");
	op(tree_op_start, "root/s");
	expect(NULL);
	/* Intensity 0 everywhere, still running: none of it counted. */
	assert_int_equal(state("root"), NS_RUNNING);
	assert_int_equal(node("root/a")->restarts, 0);
	end_tree();
}

static void
test_operator_stop_during_start(void **unused UNUSED)
{
	new_tree(S("root", ONE_FOR_ONE, 1, 5, notify(W("a")), W("b"),
	    NULL));
	start();
	expect(STARTS("root/a", 101), "TIMER root/a 5000", NULL);
	/* The supervisor is busy starting: the stop waits its turn. */
	op(tree_op_stop, "root/a");
	expect(NULL);
	ready(101);
	expect("UNTIMER root/a", "EVENT ready root/a 101",
	    STARTS("root/b", 102), "EVENT started root", "STARTED",
	    TERMS("root/a", 101), NULL);
	killed(101, SIGTERM);
	expect(TERMED("root/a", 101), NULL);
	assert_int_equal(state("root/a"), NS_STOPPED);
	assert_int_equal(state("root"), NS_RUNNING);
	end_tree();
}

static void
test_delete_child(void **unused UNUSED)
{
	new_tree(S("root", ONE_FOR_ONE, 1, 5, W("a"), W("b"),
	    S("s", ONE_FOR_ONE, 1, 5, W("c"), NULL), NULL));
	boot();
	op_refused(tree_op_delete, "root/b", "root/b is running: stop it "
	    "first");
	op_refused(tree_op_delete, "root", "root is the root: use shutdown "
	    "or reload");
	op_refused(tree_op_delete, "root/x", "no such path: root/x");
	op(tree_op_stop, "root/b");
	expect(TERMS("root/b", 102), NULL);
	op_refused(tree_op_delete, "root/b", "root/b is stopping: stop it "
	    "first");
	killed(102, SIGTERM);
	op(tree_op_delete, "root/b");
	expect(TERMED("root/b", 102), "FORGET root/b", NULL);
	assert_null(tree_find(T, "root/b"));
	/* A supervisor goes with its subtree. */
	op(tree_op_stop, "root/s");
	killed(103, SIGTERM);
	op(tree_op_delete, "root/s");
	expect(TERMS("root/s/c", 103), TERMED("root/s/c", 103),
	    "EVENT exited root/s normal by_supervisor", "FORGET root/s/c",
	    "FORGET root/s", NULL);
	assert_string_equal(kids_of("root"), "a");
	/* A crash of a is still a one_for_one restart. */
	code(101, 1);
	expect("EVENT exited root/a 101 code=1 abnormal",
	    STARTS("root/a", 104), NULL);
	end_tree();
}

static void
test_operator_temporary_kept(void **unused UNUSED)
{
	new_tree(S("root", ONE_FOR_ONE, 1, 5,
	    rs(W("t"), RESTART_TEMPORARY), NULL));
	boot();
	/* An operator restart does not delete a temporary child ... */
	op(tree_op_restart, "root/t");
	killed(101, SIGTERM);
	expect(TERMS("root/t", 101), TERMED("root/t", 101),
	    STARTS("root/t", 102), NULL);
	/* ... nor does an operator stop, so it can be started again. */
	op(tree_op_stop, "root/t");
	killed(102, SIGTERM);
	op(tree_op_start, "root/t");
	expect(TERMS("root/t", 102), TERMED("root/t", 102),
	    STARTS("root/t", 103), NULL);
	/* Ending on its own, it is gone. */
	code(103, 0);
	expect("EVENT exited root/t 103 code=0 normal", "FORGET root/t",
	    NULL);
	assert_null(tree_find(T, "root/t"));
	end_tree();
}

/* The runtime's watchdog kills with SIGKILL: to the core, a crash. */
static void
test_watchdog_kill_is_a_crash(void **unused UNUSED)
{
	struct spec *w = notify(W("a"));

	w->watchdog = 2000;
	new_tree(S("root", ONE_FOR_ONE, 1, 5, w, NULL));
	boot();
	killed(101, SIGKILL);
	expect("EVENT exited root/a 101 sig=KILL abnormal",
	    STARTS("root/a", 102), "TIMER root/a 5000", NULL);
	ready(102);
	expect("UNTIMER root/a", "EVENT ready root/a 102", NULL);
	end_tree();
}

static void
test_stop_preempts_restart(void **unused UNUSED)
{
	new_tree(S("root", ONE_FOR_ONE, 1, 5,
	    S("s", ONE_FOR_ALL, 5, 5, W("a"), W("b"), W("c"), NULL), NULL));
	boot();
	code(101, 1);
	expect("EVENT exited root/s/a 101 code=1 abnormal",
	    TERMS("root/s/c", 103), NULL);
	/* s abandons its restart: it stops what is left, in reverse. */
	op(tree_op_stop, "root/s");
	expect(NULL);
	killed(103, SIGTERM);
	expect(TERMED("root/s/c", 103), TERMS("root/s/b", 102), NULL);
	killed(102, SIGTERM);
	expect(TERMED("root/s/b", 102),
	    "EVENT exited root/s normal by_supervisor", NULL);
	assert_int_equal(state("root/s"), NS_STOPPED);
	assert_int_equal(state("root/s/a"), NS_STOPPED);
	assert_int_equal(state("root/s/b"), NS_STOPPED);
	assert_int_equal(state("root"), NS_RUNNING);
	op(tree_op_start, "root/s");
	expect(STARTS("root/s/a", 104), STARTS("root/s/b", 105),
	    STARTS("root/s/c", 106), "EVENT started root/s", NULL);
	end_tree();

	/* A child supervisor that gave up while P was busy, then P stops. */
	new_tree(S("root", ONE_FOR_ONE, 5, 5, S("P", ONE_FOR_ONE, 5, 5,
	    S("s", ONE_FOR_ONE, 0, 5, W("x"), NULL), notify(W("w")), NULL),
	    NULL));
	boot();
	killed(102, SIGKILL);
	expect("EVENT exited root/P/w 102 sig=KILL abnormal",
	    STARTS("root/P/w", 103), "TIMER root/P/w 5000", NULL);
	code(101, 1);
	expect("EVENT exited root/P/s/x 101 code=1 abnormal",
	    "EVENT shutdown root/P/s reached_max_restart_intensity",
	    "EVENT exited root/P/s normal", NULL);
	assert_int_equal(state("root/P/s"), NS_RESTARTING);
	op(tree_op_stop, "root/P");
	expect(TERMS("root/P/w", 103), NULL);
	killed(103, SIGTERM);
	expect(TERMED("root/P/w", 103),
	    "EVENT exited root/P normal by_supervisor", NULL);
	assert_int_equal(state("root/P"), NS_STOPPED);
	assert_int_equal(state("root/P/s"), NS_STOPPED);
	assert_int_equal(state("root"), NS_RUNNING);
	end_tree();
}

static void
test_commands_refused_while_shutting_down(void **unused UNUSED)
{
	char err[128];

	new_tree(S("root", ONE_FOR_ONE, 5, 5, SOFO("jobs", 5, 5, W("job")),
	    W("b"), NULL));
	boot();
	start_child("root/jobs", NULL);
	expect(STARTS("root/jobs/1", 102), NULL);
	shutdown_tree();
	expect(TERMS("root/b", 101), NULL);
	/* jobs still runs, but nothing new starts now. */
	assert_int_equal(state("root/jobs"), NS_RUNNING);
	assert_null(tree_op_start_child(T, "root/jobs", NULL, 0, err,
	    sizeof(err)));
	assert_string_equal(err, "supervisord is shutting down");
	op_refused(tree_op_restart, "root/jobs/1",
	    "supervisord is shutting down");
	op_refused(tree_op_stop, "root/jobs", "supervisord is shutting down");
	expect(NULL);
	killed(101, SIGTERM);
	expect(TERMED("root/b", 101), TERMS("root/jobs/1", 102), NULL);
	killed(102, SIGTERM);
	expect(TERMED("root/jobs/1", 102), "FORGET root/jobs/1",
	    "EVENT exited root/jobs normal by_supervisor",
	    "EVENT shutdown root shutdown", "EXIT 0", NULL);
	end_tree();
}

/* --- simple_one_for_one --- */

static void
test_simple_one_for_one(void **unused UNUSED)
{
	char err[128];

	new_tree(S("root", ONE_FOR_ONE, 1, 5, W("a"),
	    SOFO("jobs", 5, 5, arg(rs(W("job"), RESTART_TRANSIENT), "-v")),
	    NULL));
	boot();
	assert_string_equal(start_child("root/jobs", "x")->path,
	    "root/jobs/1");
	start_child("root/jobs", "y");
	start_child("root/jobs", NULL);
	expect(STARTS("root/jobs/1", 102), STARTS("root/jobs/2", 103),
	    STARTS("root/jobs/3", 104), NULL);
	assert_string_equal(argv_of("root/jobs/1"), "job -v x");
	assert_string_equal(argv_of("root/jobs/3"), "job -v");
	/* A restarted instance keeps its id and its arguments. */
	killed(103, SIGSEGV);
	expect("EVENT exited root/jobs/2 103 sig=SEGV abnormal",
	    STARTS("root/jobs/2", 105), NULL);
	assert_string_equal(argv_of("root/jobs/2"), "job -v y");
	/* Ended, not restarted: gone; its id is not reused. */
	code(104, 0);
	expect("EVENT exited root/jobs/3 104 code=0 normal",
	    "FORGET root/jobs/3", NULL);
	assert_null(tree_find(T, "root/jobs/3"));
	assert_string_equal(start_child("root/jobs", NULL)->path,
	    "root/jobs/4");
	expect(STARTS("root/jobs/4", 106), NULL);
	/* Errors. */
	assert_null(tree_op_start_child(T, "root", NULL, 0, err,
	    sizeof(err)));
	assert_string_equal(err, "root is not a simple_one_for_one "
	    "supervisor");
	assert_null(tree_op_start_child(T, "root/a", NULL, 0, err,
	    sizeof(err)));
	assert_null(tree_op_start_child(T, "root/nope", NULL, 0, err,
	    sizeof(err)));
	assert_string_equal(err, "no such path: root/nope");
	/* Stopping the supervisor stops all instances at once. */
	shutdown_tree();
	expect(TERMS("root/jobs/1", 102), TERMS("root/jobs/2", 105),
	    TERMS("root/jobs/4", 106), NULL);
	assert_null(tree_op_start_child(T, "root/jobs", NULL, 0, err,
	    sizeof(err)));
	killed(105, SIGTERM);
	killed(102, SIGTERM);
	killed(106, SIGTERM);
	expect(TERMED("root/jobs/2", 105), TERMED("root/jobs/1", 102),
	    TERMED("root/jobs/4", 106), "FORGET root/jobs/4",
	    "FORGET root/jobs/2", "FORGET root/jobs/1",
	    "EVENT exited root/jobs normal by_supervisor",
	    TERMS("root/a", 101), NULL);
	killed(101, SIGTERM);
	expect(TERMED("root/a", 101), "EVENT shutdown root shutdown",
	    "EXIT 0", NULL);
	end_tree();
}

static void
test_simple_one_for_one_restart_afresh(void **unused UNUSED)
{
	new_tree(S("root", ONE_FOR_ONE, 5, 5,
	    SOFO("jobs", 0, 5, W("job")), NULL));
	boot();
	start_child("root/jobs", NULL);
	start_child("root/jobs", NULL);
	expect(STARTS("root/jobs/1", 101), STARTS("root/jobs/2", 102), NULL);
	/* Intensity 0: jobs gives up; restarted with no instances. */
	code(101, 1);
	expect("EVENT exited root/jobs/1 101 code=1 abnormal",
	    TERMS("root/jobs/2", 102), NULL);
	code(102, 0);
	expect("UNTIMER root/jobs/2",
	    "EVENT exited root/jobs/2 102 code=0 normal by_supervisor",
	    "FORGET root/jobs/2", "FORGET root/jobs/1",
	    "EVENT shutdown root/jobs reached_max_restart_intensity",
	    "EVENT exited root/jobs normal", "EVENT started root/jobs", NULL);
	assert_int_equal(node("root/jobs")->nkids, 0);
	assert_string_equal(start_child("root/jobs", NULL)->path,
	    "root/jobs/3");
	expect(STARTS("root/jobs/3", 103), NULL);
	end_tree();
}

/* --- events during operations --- */

static void
test_crash_absorbed_by_one_for_all(void **unused UNUSED)
{
	new_tree(S("root", ONE_FOR_ALL, 1, 5, W("a"), W("b"), W("c"),
	    NULL));
	boot();
	code(101, 1);
	expect("EVENT exited root/a 101 code=1 abnormal",
	    TERMS("root/c", 103), NULL);
	/* b crashes while c is being stopped: b is about to be stopped
	 * anyway ... */
	code(102, 1);
	expect("EVENT exited root/b 102 code=1 abnormal", NULL);
	killed(103, SIGTERM);
	/* ... so it is down, nothing to stop; all start again. */
	expect(TERMED("root/c", 103), STARTS("root/a", 104),
	    STARTS("root/b", 105), STARTS("root/c", 106), NULL);
	/* One restart: intensity 1 is not exceeded. */
	assert_int_equal(state("root"), NS_RUNNING);
	assert_int_equal(node("root")->nhist, 1);
	end_tree();
}

static void
test_crash_queued_during_rest_for_one(void **unused UNUSED)
{
	new_tree(S("root", REST_FOR_ONE, 5, 5, W("a"), notify(W("b")),
	    W("c"), NULL));
	boot();
	code(102, 1);
	expect("EVENT exited root/b 102 code=1 abnormal",
	    TERMS("root/c", 103), NULL);
	code(101, 1);		/* a, outside this restart: after it */
	expect("EVENT exited root/a 101 code=1 abnormal", NULL);
	assert_int_equal(state("root/a"), NS_RESTARTING);
	killed(103, SIGTERM);
	expect(TERMED("root/c", 103), STARTS("root/b", 104),
	    "TIMER root/b 5000", NULL);
	ready(104);
	expect("UNTIMER root/b", "EVENT ready root/b 104",
	    STARTS("root/c", 105), TERMS("root/c", 105), NULL);
	assert_true(logged("root/a: exited with code 1; restarting "
	    "(2 of 5 in 5 s)"));
	killed(105, SIGTERM);
	expect(TERMED("root/c", 105), TERMS("root/b", 104), NULL);
	killed(104, SIGTERM);
	expect(TERMED("root/b", 104), STARTS("root/a", 106),
	    STARTS("root/b", 107), "TIMER root/b 5000", NULL);
	end_tree();
}

static void
test_operator_start_queued_while_busy(void **unused UNUSED)
{
	new_tree(S("root", ONE_FOR_ONE, 5, 5, W("a"), notify(W("b")), NULL));
	boot();
	op(tree_op_stop, "root/a");
	killed(101, SIGTERM);
	expect(TERMS("root/a", 101), TERMED("root/a", 101), NULL);
	code(102, 1);
	expect("EVENT exited root/b 102 code=1 abnormal",
	    STARTS("root/b", 103), "TIMER root/b 5000", NULL);
	/* The restart of b waits for b; the start of a after it. */
	op(tree_op_start, "root/a");
	expect(NULL);
	assert_int_equal(state("root/a"), NS_STOPPED);
	ready(103);
	expect("UNTIMER root/b", "EVENT ready root/b 103",
	    STARTS("root/a", 104), NULL);
	end_tree();
}

/* --- reload --- */

static void
test_reload(void **unused UNUSED)
{
	/* Intensity 0: any counted restart would end the tree. */
	new_tree(S("root", ONE_FOR_ONE, 0, 5, W("a"), W("b"), W("c"),
	    S("s", ONE_FOR_ONE, 1, 5, W("x"), W("y"), NULL), NULL));
	boot();
	reload(S("root", ONE_FOR_ONE, 0, 5, W("a"), arg(W("b"), "--new"),
	    W("d"), S("s", ONE_FOR_ONE, 1, 5, W("x"), W("z"), NULL), NULL));
	/*
	 * s's own fields are unchanged: it applies its part (y removed, z
	 * added) at once. In the root: c removed, b changed, d added.
	 */
	expect(TERMS("root/s/y", 105), TERMS("root/c", 103), NULL);
	killed(105, SIGTERM);
	expect(TERMED("root/s/y", 105), "FORGET root/s/y",
	    STARTS("root/s/z", 106), NULL);
	killed(103, SIGTERM);
	expect(TERMED("root/c", 103), "FORGET root/c", TERMS("root/b", 102),
	    NULL);
	assert_null(tree_find(T, "root/c"));
	killed(102, SIGTERM);
	expect(TERMED("root/b", 102), STARTS("root/b", 107),
	    STARTS("root/d", 108), "EVENT reloaded root", NULL);
	assert_string_equal(argv_of("root/b"), "b --new");
	assert_string_equal(kids_of("root"), "a b d s");
	assert_string_equal(kids_of("root/s"), "x z");
	assert_int_equal(node("root/a")->pid, 101);
	assert_int_equal(node("root/s/x")->pid, 104);
	assert_int_equal(node("root/b")->restarts, 0);
	assert_int_equal(state("root"), NS_RUNNING);

	/* s's own fields change: its spec changed, so it is restarted. */
	reload(S("root", ONE_FOR_ONE, 0, 5, W("a"), arg(W("b"), "--new"),
	    W("d"), S("s", ONE_FOR_ALL, 3, 5, W("x"), W("z"), NULL), NULL));
	expect(TERMS("root/s/z", 106), NULL);
	killed(106, SIGTERM);
	expect(TERMED("root/s/z", 106), TERMS("root/s/x", 104), NULL);
	killed(104, SIGTERM);
	expect(TERMED("root/s/x", 104),
	    "EVENT exited root/s normal by_supervisor", "FORGET root/s/x",
	    "FORGET root/s/z", STARTS("root/s/x", 109),
	    STARTS("root/s/z", 110), "EVENT started root/s",
	    "EVENT reloaded root", NULL);
	assert_int_equal(node("root/b")->pid, 107);
	/* s now is one_for_all with intensity 3. */
	code(109, 1);
	expect("EVENT exited root/s/x 109 code=1 abnormal",
	    TERMS("root/s/z", 110), NULL);
	assert_true(logged("restarting (1 of 3 in 5 s)"));
	end_tree();
}

static void
test_reload_during_boot(void **unused UNUSED)
{
	new_tree(S("root", ONE_FOR_ONE, 1, 5, notify(W("a")), W("b"), NULL));
	start();
	expect(STARTS("root/a", 101), "TIMER root/a 5000", NULL);
	/* Applied once the start is complete. */
	reload(S("root", ONE_FOR_ONE, 1, 5, W("c"), notify(arg(W("a"),
	    "-x")), NULL));
	expect(NULL);
	ready(101);
	expect("UNTIMER root/a", "EVENT ready root/a 101",
	    STARTS("root/b", 102), "EVENT started root", "STARTED",
	    TERMS("root/b", 102), NULL);
	killed(102, SIGTERM);
	expect(TERMED("root/b", 102), "FORGET root/b", TERMS("root/a", 101),
	    NULL);
	killed(101, SIGTERM);
	expect(TERMED("root/a", 101), STARTS("root/c", 103),
	    STARTS("root/a", 104), "TIMER root/a 5000", NULL);
	assert_string_equal(argv_of("root/a"), "a -x");
	assert_string_equal(kids_of("root"), "c a");
	ready(104);
	expect("UNTIMER root/a", "EVENT ready root/a 104",
	    "EVENT reloaded root", NULL);
	end_tree();
}

static void
test_reload_type_change_and_template(void **unused UNUSED)
{
	new_tree(S("root", ONE_FOR_ONE, 0, 5, W("a"),
	    SOFO("jobs", 1, 5, W("job")), NULL));
	boot();
	start_child("root/jobs", "1");
	expect(STARTS("root/jobs/1", 102), NULL);
	/*
	 * a becomes a supervisor: replaced. The template changes: jobs's
	 * spec changed, so it is restarted afresh, without instances.
	 */
	reload(S("root", ONE_FOR_ONE, 0, 5,
	    S("a", ONE_FOR_ONE, 1, 5, W("w"), NULL),
	    SOFO("jobs", 1, 5, arg(W("job"), "-q")), NULL));
	expect(TERMS("root/jobs/1", 102), NULL);
	killed(102, SIGTERM);
	expect(TERMED("root/jobs/1", 102), "FORGET root/jobs/1",
	    "EVENT exited root/jobs normal by_supervisor",
	    TERMS("root/a", 101), NULL);
	killed(101, SIGTERM);
	expect(TERMED("root/a", 101), STARTS("root/a/w", 103),
	    "EVENT started root/a", "EVENT started root/jobs",
	    "EVENT reloaded root", NULL);
	assert_int_equal(node("root/a")->spec->type, SPEC_SUPERVISOR);
	/* New instances use the new template; ids go on. */
	assert_string_equal(start_child("root/jobs", "2")->path,
	    "root/jobs/2");
	expect(STARTS("root/jobs/2", 104), NULL);
	assert_string_equal(argv_of("root/jobs/2"), "job -q 2");

	/* Back to a worker. */
	reload(S("root", ONE_FOR_ONE, 0, 5, W("a"),
	    SOFO("jobs", 1, 5, arg(W("job"), "-q")), NULL));
	expect(TERMS("root/a/w", 103), NULL);
	killed(103, SIGTERM);
	expect(TERMED("root/a/w", 103),
	    "EVENT exited root/a normal by_supervisor", "FORGET root/a/w",
	    STARTS("root/a", 105), "EVENT reloaded root", NULL);
	assert_int_equal(node("root/a")->nkids, 0);
	/* jobs unchanged: its instance is untouched. */
	assert_int_equal(node("root/jobs/2")->pid, 104);
	assert_int_equal(state("root"), NS_RUNNING);
	end_tree();
}

static void
test_reload_unchanged_touches_nothing(void **unused UNUSED)
{
	new_tree(S("root", ONE_FOR_ONE, 1, 5, W("a"), W("b"),
	    S("s", ONE_FOR_ONE, 1, 5, W("c"), NULL), NULL));
	boot();
	code(102, 1);
	expect("EVENT exited root/b 102 code=1 abnormal",
	    STARTS("root/b", 104), NULL);
	reload(S("root", ONE_FOR_ONE, 1, 5, W("a"), W("b"),
	    S("s", ONE_FOR_ONE, 1, 5, W("c"), NULL), NULL));
	expect("EVENT reloaded root", NULL);
	assert_int_equal(node("root/b")->restarts, 1);
	/* The history survives a reload: this is the second restart. */
	code(101, 1);
	expect("EVENT exited root/a 101 code=1 abnormal",
	    TERMS("root/s/c", 103), NULL);
	end_tree();
}

/* --- status --- */

static json_t *
status_of(const char *path)
{
	char err[128] = "";
	json_t *a;

	tree_set_now(T, now);
	a = tree_status(T, path, err, sizeof(err));
	if (a == NULL)
		fail_msg("status %s: %s", path ? path : "(all)", err);
	return a;
}

/* One node's status as a line: path type state pid uptime restarts. */
static const char *
status_line(json_t *o)
{
	static char buf[256];
	json_t *pid = json_object_get(o, "pid");
	json_t *up = json_object_get(o, "uptime");
	json_t *le = json_object_get(o, "last_exit");
	char *les;

	les = json_dumps(le, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	assert_non_null(les);
	snprintf(buf, sizeof(buf), "%s %s %s %s %s %lld %s %s %lld",
	    jstr(o, "path"), jstr(o, "type"), jstr(o, "state"),
	    json_is_null(pid) ? "-" : "pid",
	    json_is_null(up) ? "-" : "up", (long long)json_integer_value(
	    json_object_get(o, "restarts")), les, jstr(o, "restart"),
	    (long long)json_integer_value(json_object_get(o, "depth")));
	if (!json_is_null(pid))
		assert_true(json_is_integer(pid));
	free(les);
	return buf;
}

static void
test_status(void **unused UNUSED)
{
	char err[128];
	json_t *a, *o;

	new_tree(S("root", ONE_FOR_ONE, 5, 5, rs(W("a"), RESTART_TRANSIENT),
	    S("core", ONE_FOR_ONE, 1, 5, notify(W("db")), NULL), NULL));
	/* Children exist once the start lays them out. */
	a = status_of(NULL);
	assert_int_equal(json_array_size(a), 1);
	assert_string_equal(status_line(json_array_get(a, 0)),
	    "root supervisor stopped - - 0 null permanent 0");
	json_decref(a);
	start();
	a = status_of(NULL);
	assert_int_equal(json_array_size(a), 4);
	assert_string_equal(status_line(json_array_get(a, 0)),
	    "root supervisor starting - - 0 null permanent 0");
	assert_string_equal(status_line(json_array_get(a, 1)),
	    "root/a worker running pid up 0 null transient 1");
	assert_string_equal(status_line(json_array_get(a, 2)),
	    "root/core supervisor starting - - 0 null permanent 1");
	assert_string_equal(status_line(json_array_get(a, 3)),
	    "root/core/db worker starting pid - 0 null permanent 2");
	json_decref(a);
	ready(102);
	assert_int_equal(state("root"), NS_RUNNING);
	clear();
	now += 500;
	killed(102, SIGKILL);
	expect("EVENT exited root/core/db 102 sig=KILL abnormal",
	    STARTS("root/core/db", 103), "TIMER root/core/db 5000", NULL);
	a = status_of(NULL);
	assert_string_equal(status_line(json_array_get(a, 1)),
	    "root/a worker running pid up 0 null transient 1");
	assert_string_equal(status_line(json_array_get(a, 2)),
	    "root/core supervisor running - up 0 null permanent 1");
	assert_string_equal(status_line(json_array_get(a, 3)),
	    "root/core/db worker starting pid - 1 {\"signal\":\"KILL\"} "
	    "permanent 2");
	assert_int_equal(json_integer_value(json_object_get(
	    json_array_get(a, 3), "pid")), 103);
	json_decref(a);
	ready(103);
	now += 1500;
	a = status_of("root/core");
	assert_int_equal(json_array_size(a), 2);
	o = json_array_get(a, 1);
	assert_string_equal(jstr(o, "state"), "running");
	assert_true(json_real_value(json_object_get(o, "uptime")) == 1.5);
	json_decref(a);
	/* Exit codes and start errors. */
	code(101, 3);
	expect("UNTIMER root/core/db", "EVENT ready root/core/db 103",
	    "EVENT exited root/a 101 code=3 abnormal", STARTS("root/a", 104),
	    NULL);
	fail_spawn("root/a", "execve: Exec format error", 1);
	op(tree_op_restart, "root/a");
	killed(104, SIGTERM);
	a = status_of("root/a");
	assert_string_equal(status_line(json_array_get(a, 0)),
	    "root/a worker failed - - 1 {\"error\":\"execve: Exec format "
	    "error\"} transient 1");
	json_decref(a);
	/* A stale exit changes nothing. */
	clear();
	tree_exited(T, node("root/a"), EXITED(1));
	expect(NULL);
	/* Paths. */
	assert_null(tree_status(T, "nope", err, sizeof(err)));
	assert_string_equal(err, "no such path: nope (paths start with the "
	    "root's id, e.g. root/nope)");
	assert_null(tree_status(T, "root/nope", err, sizeof(err)));
	assert_string_equal(err, "no such path: root/nope");
	assert_null(tree_status(T, "rootx", err, sizeof(err)));
	assert_string_equal(err, "no such path: rootx (paths start with the "
	    "root's id, e.g. root/rootx)");
	assert_ptr_equal(tree_root(T), node("root"));
	assert_null(tree_find(T, "root/"));
	assert_null(tree_find(T, "roo"));
	assert_null(tree_find(T, "/root"));
	assert_null(tree_find(T, "root//core"));
	assert_null(tree_find(T, "root/core/db/x"));
	assert_ptr_equal(tree_find(T, "root/core/db"),
	    node("root/core")->kids[0]);
	end_tree();
}

/* --- run-once steps (ready: exited) and auto_shutdown --- */

/* A run-once step with config's default: no start_timeout. */
static struct spec *
once(struct spec *w)
{
	w->ready = READY_EXITED;
	w->start_timeout = 0;
	if (w->restart == RESTART_PERMANENT)
		w->restart = RESTART_TRANSIENT;
	return w;
}

static struct spec *
signif(struct spec *s)
{
	s->significant = 1;
	return s;
}

static struct spec *
autosd(struct spec *s, enum auto_shutdown a)
{
	s->auto_shutdown = a;
	return s;
}

static struct spec *
normal_codes(struct spec *w, int c)
{
	w->normal_exit_codes[0] = c;
	w->nnormal_exit_codes = 1;
	return w;
}

static void
test_exited_step_sequencing(void **unused UNUSED)
{
	struct spec *w;
	json_t *a;

	new_tree(S("root", ONE_FOR_ONE, 1, 5, once(W("migrate")),
	    normal_codes(once(W("render")), 3), W("web"), NULL));
	start();
	/* No start timer: a step may run as long as it needs. */
	expect(STARTS("root/migrate", 101), NULL);
	assert_int_equal(state("root/migrate"), NS_STARTING);
	assert_int_equal(state("root/render"), NS_STOPPED);
	assert_int_equal(state("root"), NS_STARTING);
	code(101, 0);
	expect("EVENT exited root/migrate 101 code=0 normal",
	    "EVENT done root/migrate 101 code=0", STARTS("root/render", 102),
	    NULL);
	assert_int_equal(state("root/migrate"), NS_DONE);
	assert_int_equal(node("root/migrate")->pid, 0);
	assert_true(logged("root/migrate: done (exit code 0)"));
	assert_int_equal(state("root/web"), NS_STOPPED);
	/* Done is an exit with a code in normal_exit_codes. */
	code(102, 3);
	expect("EVENT exited root/render 102 code=3 normal",
	    "EVENT done root/render 102 code=3", STARTS("root/web", 103),
	    "EVENT started root", "STARTED", NULL);
	a = status_of("root/migrate");
	assert_string_equal(status_line(json_array_get(a, 0)),
	    "root/migrate worker done - - 0 {\"code\":0} transient 1");
	json_decref(a);
	/* A done step is never restarted by itself. */
	code(103, 1);
	expect("EVENT exited root/web 103 code=1 abnormal",
	    STARTS("root/web", 104), NULL);
	assert_int_equal(state("root/migrate"), NS_DONE);
	/* It stays until deleted. */
	op(tree_op_delete, "root/migrate");
	expect("FORGET root/migrate", NULL);
	end_tree();

	/* An instance of a step template: done, kept until deleted. */
	new_tree(SOFO("root", 1, 5, once(W("job"))));
	boot();
	start_child("root", "x");
	expect(STARTS("root/1", 101), NULL);
	code(101, 0);
	expect("EVENT exited root/1 101 code=0 normal",
	    "EVENT done root/1 101 code=0", NULL);
	assert_int_equal(state("root/1"), NS_DONE);
	op(tree_op_delete, "root/1");
	expect("FORGET root/1", NULL);
	end_tree();

	/* A start_timeout that is given bounds the whole run. */
	w = once(W("m"));
	w->start_timeout = 3000;
	new_tree(S("root", ONE_FOR_ONE, 1, 5, w, NULL));
	start();
	expect(STARTS("root/m", 101), "TIMER root/m 3000", NULL);
	fire("root/m");
	expect("EVENT start_error root/m: start_timeout: not done within "
	    "3000 ms", "KILL root/m 101 KILL", NULL);
	killed(101, SIGKILL);
	expect("EVENT exited root/m 101 sig=KILL abnormal", "EXIT 1", NULL);
	end_tree();
}

static void
test_exited_step_failure(void **unused UNUSED)
{
	new_tree(S("root", ONE_FOR_ONE, 1, 5, W("db"), once(W("migrate")),
	    W("web"), NULL));
	start();
	expect(STARTS("root/db", 101), STARTS("root/migrate", 102), NULL);
	code(102, 2);
	expect("EVENT exited root/migrate 102 code=2 abnormal",
	    "EVENT start_error root/migrate: exited with code 2 (a run-once "
	    "step must exit with a normal exit code)", TERMS("root/db", 101),
	    NULL);
	killed(101, SIGTERM);
	expect(TERMED("root/db", 101), "EXIT 1", NULL);
	assert_true(logged("root: start failed: child root/migrate: exited "
	    "with code 2 (a run-once step must exit with a normal exit "
	    "code)"));
	assert_int_equal(state("root/migrate"), NS_FAILED);
	assert_int_equal(state("root/web"), NS_STOPPED);
	end_tree();

	/* A signal, even one of class normal, is no finish. */
	new_tree(S("root", ONE_FOR_ONE, 1, 5, once(W("m")), NULL));
	start();
	killed(101, SIGTERM);
	expect(STARTS("root/m", 101),
	    "EVENT exited root/m 101 sig=TERM abnormal",
	    "EVENT start_error root/m: exited on signal TERM (a run-once "
	    "step must exit with a normal exit code)", "EXIT 1", NULL);
	end_tree();
}

static void
test_exited_step_rerun(void **unused UNUSED)
{
	new_tree(S("root", ONE_FOR_ALL, 5, 5, once(W("m")), W("web"),
	    rs(once(W("t")), RESTART_TEMPORARY), NULL));
	start();
	code(101, 0);
	code(103, 0);
	expect(STARTS("root/m", 101), "EVENT exited root/m 101 code=0 normal",
	    "EVENT done root/m 101 code=0", STARTS("root/web", 102),
	    STARTS("root/t", 103), "EVENT exited root/t 103 code=0 normal",
	    "EVENT done root/t 103 code=0", "EVENT started root", "STARTED",
	    NULL);
	/* A temporary step stays visible as done. */
	assert_int_equal(state("root/t"), NS_DONE);
	/* A one_for_all restart runs m again before web; t, temporary,
	 * goes as every temporary child does. */
	code(102, 1);
	expect("EVENT exited root/web 102 code=1 abnormal", "FORGET root/t",
	    STARTS("root/m", 104), NULL);
	assert_int_equal(state("root/web"), NS_RESTARTING);
	code(104, 0);
	expect("EVENT exited root/m 104 code=0 normal",
	    "EVENT done root/m 104 code=0", STARTS("root/web", 105), NULL);
	/* The operator runs it again, with restart or start. */
	op(tree_op_restart, "root/m");
	expect(STARTS("root/m", 106), NULL);
	code(106, 0);
	expect("EVENT exited root/m 106 code=0 normal",
	    "EVENT done root/m 106 code=0", NULL);
	op(tree_op_start, "root/m");
	expect(STARTS("root/m", 107), NULL);
	code(107, 0);
	expect("EVENT exited root/m 107 code=0 normal",
	    "EVENT done root/m 107 code=0", NULL);
	assert_int_equal(node("root/m")->restarts, 1);
	/* Stopped by the operator it is held: a restart passes it by. */
	op(tree_op_stop, "root/m");
	expect(NULL);
	assert_int_equal(state("root/m"), NS_STOPPED);
	code(105, 1);
	expect("EVENT exited root/web 105 code=1 abnormal",
	    STARTS("root/web", 108), NULL);
	assert_int_equal(state("root/m"), NS_STOPPED);
	assert_int_equal(state("root"), NS_RUNNING);
	end_tree();
}

static void
test_any_significant(void **unused UNUSED)
{
	new_tree(autosd(S("root", ONE_FOR_ONE, 1, 5, W("db"),
	    signif(rs(W("job"), RESTART_TEMPORARY)), W("web"), NULL),
	    AUTO_ANY_SIGNIFICANT));
	boot();
	code(102, 3);
	/* The others stop in reverse start order, one after the other. */
	expect("EVENT exited root/job 102 code=3 abnormal", "FORGET root/job",
	    TERMS("root/web", 103), NULL);
	assert_true(logged("root: significant child root/job ended; shutting "
	    "down (auto_shutdown any_significant)"));
	/* On its way down already: a shutdown and commands change nothing. */
	shutdown_tree();
	op_refused(tree_op_restart, "root/db", "supervisord is shutting down");
	expect(NULL);
	killed(103, SIGTERM);
	expect(TERMED("root/web", 103), TERMS("root/db", 101), NULL);
	killed(101, SIGTERM);
	expect(TERMED("root/db", 101),
	    "EVENT shutdown root auto_shutdown code=3", "EXIT 3", NULL);
	assert_int_equal(state("root"), NS_STOPPED);
	end_tree();

	/* Transient: an abnormal exit is restarted, an operator's stop is
	 * no end by itself, a normal exit is. */
	new_tree(autosd(S("root", ONE_FOR_ONE, 5, 5,
	    signif(rs(W("job"), RESTART_TRANSIENT)), W("web"), NULL),
	    AUTO_ANY_SIGNIFICANT));
	boot();
	code(101, 1);
	expect("EVENT exited root/job 101 code=1 abnormal",
	    STARTS("root/job", 103), NULL);
	op(tree_op_stop, "root/job");
	expect(TERMS("root/job", 103), NULL);
	killed(103, SIGTERM);
	expect(TERMED("root/job", 103), NULL);
	assert_int_equal(state("root"), NS_RUNNING);
	op(tree_op_start, "root/job");
	expect(STARTS("root/job", 104), NULL);
	code(104, 0);
	expect("EVENT exited root/job 104 code=0 normal",
	    TERMS("root/web", 102), NULL);
	killed(102, SIGTERM);
	expect(TERMED("root/web", 102),
	    "EVENT shutdown root auto_shutdown code=0", "EXIT 0", NULL);
	assert_int_equal(state("root/job"), NS_STOPPED);
	end_tree();

	/* An exit that came before the operator's stop is an end by
	 * itself: the supervisor hears of it first (OTP's order). */
	new_tree(autosd(S("root", ONE_FOR_ONE, 5, 5, notify(W("n")),
	    signif(rs(normal_codes(W("job"), 5), RESTART_TRANSIENT)), NULL),
	    AUTO_ANY_SIGNIFICANT));
	boot();
	code(101, 1);
	code(102, 5);
	op(tree_op_stop, "root/job");
	expect("EVENT exited root/n 101 code=1 abnormal", STARTS("root/n", 103),
	    "TIMER root/n 5000", "EVENT exited root/job 102 code=5 normal",
	    NULL);
	ready(103);
	expect("UNTIMER root/n", "EVENT ready root/n 103",
	    TERMS("root/n", 103), NULL);
	killed(103, SIGTERM);
	expect(TERMED("root/n", 103),
	    "EVENT shutdown root auto_shutdown code=5", "EXIT 5", NULL);
	end_tree();

	/* The same with an abnormal exit: no end by itself (a transient
	 * child crashed), and not restarted (the operator said stop). */
	new_tree(autosd(S("root", ONE_FOR_ONE, 5, 5, notify(W("n")),
	    signif(rs(W("job"), RESTART_TRANSIENT)), NULL),
	    AUTO_ANY_SIGNIFICANT));
	boot();
	code(101, 1);
	code(102, 5);
	op(tree_op_stop, "root/job");
	ready(103);
	expect("EVENT exited root/n 101 code=1 abnormal", STARTS("root/n", 103),
	    "TIMER root/n 5000", "EVENT exited root/job 102 code=5 abnormal",
	    "UNTIMER root/n", "EVENT ready root/n 103", NULL);
	assert_int_equal(state("root/job"), NS_STOPPED);
	assert_int_equal(state("root"), NS_RUNNING);
	end_tree();

	/* A permanent child is never significant (config refuses it). */
	new_tree(autosd(S("root", ONE_FOR_ONE, 5, 5, signif(W("p")), NULL),
	    AUTO_ANY_SIGNIFICANT));
	boot();
	code(101, 0);
	expect("EVENT exited root/p 101 code=0 normal", STARTS("root/p", 102),
	    NULL);
	end_tree();
}

static void
test_all_significant(void **unused UNUSED)
{
	new_tree(autosd(S("root", ONE_FOR_ONE, 5, 5,
	    signif(rs(W("a"), RESTART_TRANSIENT)),
	    signif(rs(W("b"), RESTART_TEMPORARY)),
	    signif(rs(W("c"), RESTART_TEMPORARY)), W("web"), NULL),
	    AUTO_ALL_SIGNIFICANT));
	boot();
	code(101, 0);
	expect("EVENT exited root/a 101 code=0 normal", NULL);
	assert_int_equal(state("root/a"), NS_STOPPED);
	assert_int_equal(state("root"), NS_RUNNING);
	/* Stopped by the operator: no end, and no longer present. */
	op(tree_op_stop, "root/c");
	expect(TERMS("root/c", 103), NULL);
	killed(103, SIGTERM);
	expect(TERMED("root/c", 103), NULL);
	assert_int_equal(state("root"), NS_RUNNING);
	/* b was the last one present: its signal is supervisord's status. */
	killed(102, SIGKILL);
	expect("EVENT exited root/b 102 sig=KILL abnormal", "FORGET root/b",
	    TERMS("root/web", 104), NULL);
	killed(104, SIGTERM);
	expect(TERMED("root/web", 104),
	    "EVENT shutdown root auto_shutdown code=137", "EXIT 137", NULL);
	end_tree();

	/* A transient one being restarted after a crash is present. */
	new_tree(autosd(S("root", ONE_FOR_ONE, 5, 5,
	    signif(rs(notify(W("a")), RESTART_TRANSIENT)),
	    signif(rs(W("b"), RESTART_TEMPORARY)), NULL),
	    AUTO_ALL_SIGNIFICANT));
	boot();
	code(101, 1);
	code(102, 0);
	expect("EVENT exited root/a 101 code=1 abnormal",
	    STARTS("root/a", 103), "TIMER root/a 5000",
	    "EVENT exited root/b 102 code=0 normal", NULL);
	ready(103);
	expect("UNTIMER root/a", "EVENT ready root/a 103", "FORGET root/b",
	    NULL);
	assert_int_equal(state("root"), NS_RUNNING);
	code(103, 0);
	expect("EVENT exited root/a 103 code=0 normal",
	    "EVENT shutdown root auto_shutdown code=0", "EXIT 0", NULL);
	end_tree();
}

static void
test_significant_stopped_by_restart(void **unused UNUSED)
{
	new_tree(autosd(S("root", ONE_FOR_ALL, 5, 5,
	    signif(rs(W("job"), RESTART_TRANSIENT)), W("w"), NULL),
	    AUTO_ANY_SIGNIFICANT));
	boot();
	code(102, 1);
	expect("EVENT exited root/w 102 code=1 abnormal",
	    TERMS("root/job", 101), NULL);
	killed(101, SIGTERM);
	expect(TERMED("root/job", 101), STARTS("root/job", 103),
	    STARTS("root/w", 104), NULL);
	assert_int_equal(state("root"), NS_RUNNING);
	/* Its own normal exit does count. */
	code(103, 0);
	expect("EVENT exited root/job 103 code=0 normal",
	    TERMS("root/w", 104), NULL);
	killed(104, SIGTERM);
	expect(TERMED("root/w", 104),
	    "EVENT shutdown root auto_shutdown code=0", "EXIT 0", NULL);
	end_tree();

	/* Ending by itself while a sibling's restart is about to stop it
	 * is no end by itself either: its supervisor stops it anyway. */
	new_tree(autosd(S("root", ONE_FOR_ALL, 5, 5,
	    signif(rs(W("job"), RESTART_TRANSIENT)), W("w"), W("x"), NULL),
	    AUTO_ANY_SIGNIFICANT));
	boot();
	code(102, 1);
	expect("EVENT exited root/w 102 code=1 abnormal",
	    TERMS("root/x", 103), NULL);
	code(101, 0);
	expect("EVENT exited root/job 101 code=0 normal", NULL);
	killed(103, SIGTERM);
	expect(TERMED("root/x", 103), STARTS("root/job", 104),
	    STARTS("root/w", 105), STARTS("root/x", 106), NULL);
	assert_int_equal(state("root"), NS_RUNNING);
	end_tree();
}

static void
test_nested_significant_supervisor(void **unused UNUSED)
{
	struct node *b;

	/* batch ends itself for its job; root for batch, with job's code. */
	new_tree(autosd(S("root", ONE_FOR_ONE, 1, 5,
	    signif(rs(autosd(S("batch", ONE_FOR_ONE, 1, 5, W("prep"),
	    signif(rs(W("job"), RESTART_TEMPORARY)), NULL),
	    AUTO_ANY_SIGNIFICANT), RESTART_TRANSIENT)), W("web"), NULL),
	    AUTO_ANY_SIGNIFICANT));
	boot();
	code(102, 4);
	expect("EVENT exited root/batch/job 102 code=4 abnormal",
	    "FORGET root/batch/job", TERMS("root/batch/prep", 101), NULL);
	killed(101, SIGTERM);
	expect(TERMED("root/batch/prep", 101),
	    "EVENT shutdown root/batch auto_shutdown",
	    "EVENT exited root/batch normal", TERMS("root/web", 103), NULL);
	killed(103, SIGTERM);
	expect(TERMED("root/web", 103),
	    "EVENT shutdown root auto_shutdown code=4", "EXIT 4", NULL);
	assert_true(logged("root/batch: shut itself down (auto_shutdown, "
	    "code 4); not restarted (transient)"));
	b = node("root/batch");
	assert_int_equal(b->state, NS_STOPPED);
	assert_int_equal(b->last_exit.code, 4);
	end_tree();

	/* To its parent it ended normally: permanent is restarted, ... */
	new_tree(S("root", ONE_FOR_ONE, 1, 5, autosd(S("p", ONE_FOR_ONE, 1, 5,
	    signif(rs(W("job"), RESTART_TEMPORARY)), NULL),
	    AUTO_ANY_SIGNIFICANT), NULL));
	boot();
	code(101, 0);
	expect("EVENT exited root/p/job 101 code=0 normal", "FORGET root/p/job",
	    "EVENT shutdown root/p auto_shutdown", "EVENT exited root/p normal",
	    STARTS("root/p/job", 102), "EVENT started root/p", NULL);
	assert_int_equal(node("root/p")->restarts, 1);
	end_tree();

	/* ... transient is not, and its parent does not shut down. */
	new_tree(S("root", ONE_FOR_ONE, 1, 5, rs(autosd(S("p", ONE_FOR_ONE, 1,
	    5, signif(rs(W("job"), RESTART_TEMPORARY)), NULL),
	    AUTO_ANY_SIGNIFICANT), RESTART_TRANSIENT), W("w"), NULL));
	boot();
	code(101, 0);
	expect("EVENT exited root/p/job 101 code=0 normal", "FORGET root/p/job",
	    "EVENT shutdown root/p auto_shutdown", "EVENT exited root/p normal",
	    NULL);
	assert_int_equal(state("root/p"), NS_STOPPED);
	assert_int_equal(state("root"), NS_RUNNING);
	end_tree();
}

static void
test_significant_gave_up_exits_1(void **unused UNUSED)
{
	new_tree(autosd(S("root", ONE_FOR_ONE, 1, 5,
	    signif(rs(S("batch", ONE_FOR_ONE, 0, 5, W("w"), NULL),
	    RESTART_TRANSIENT)), W("web"), NULL), AUTO_ANY_SIGNIFICANT));
	boot();
	code(101, 1);
	expect("EVENT exited root/batch/w 101 code=1 abnormal",
	    "EVENT shutdown root/batch reached_max_restart_intensity",
	    "EVENT exited root/batch normal", TERMS("root/web", 102), NULL);
	killed(102, SIGTERM);
	expect(TERMED("root/web", 102),
	    "EVENT shutdown root auto_shutdown code=1", "EXIT 1", NULL);
	assert_int_equal(state("root/batch"), NS_FAILED);
	end_tree();
}

static void
test_simple_one_for_one_significant(void **unused UNUSED)
{
	/* all_significant: when the last instance has ended by itself. */
	new_tree(autosd(SOFO("root", 5, 5,
	    signif(rs(W("job"), RESTART_TEMPORARY))), AUTO_ALL_SIGNIFICANT));
	boot();
	start_child("root", "x");
	start_child("root", "y");
	expect(STARTS("root/1", 101), STARTS("root/2", 102), NULL);
	code(101, 0);
	expect("EVENT exited root/1 101 code=0 normal", "FORGET root/1", NULL);
	code(102, 6);
	expect("EVENT exited root/2 102 code=6 abnormal", "FORGET root/2",
	    "EVENT shutdown root auto_shutdown code=6", "EXIT 6", NULL);
	end_tree();

	/* any_significant: the first; the others are stopped at once. */
	new_tree(autosd(SOFO("root", 5, 5,
	    signif(rs(W("job"), RESTART_TRANSIENT))), AUTO_ANY_SIGNIFICANT));
	boot();
	start_child("root", "x");
	start_child("root", "y");
	expect(STARTS("root/1", 101), STARTS("root/2", 102), NULL);
	code(101, 1);
	expect("EVENT exited root/1 101 code=1 abnormal",
	    STARTS("root/1", 103), NULL);
	code(103, 0);
	expect("EVENT exited root/1 103 code=0 normal", "FORGET root/1",
	    TERMS("root/2", 102), NULL);
	killed(102, SIGTERM);
	expect(TERMED("root/2", 102), "FORGET root/2",
	    "EVENT shutdown root auto_shutdown code=0", "EXIT 0", NULL);
	end_tree();
}

/* --- autostart: false and the operator's holds (supervisord(8)) --- */

static struct spec *
noauto(struct spec *s)
{
	s->autostart = 0;
	return s;
}

/* The holds as "path=stopped|started ..." in table order (by path). */
static const char *
holds(void)
{
	static char buf[512];
	const struct held *v;
	size_t n, i;

	buf[0] = '\0';
	v = tree_holds(T, &n);
	for (i = 0; i < n; i++) {
		if (i > 0)
			strlcat(buf, " ", sizeof(buf));
		strlcat(buf, v[i].path, sizeof(buf));
		strlcat(buf, v[i].stopped ? "=stopped" : "=started",
		    sizeof(buf));
	}
	return buf;
}

static void
test_autostart_false(void **unused UNUSED)
{
	new_tree(S("root", ONE_FOR_ALL, 5, 5, W("a"), noauto(W("b")), W("c"),
	    NULL));
	held_calls = 0;
	start();
	/* b is in the tree but not started with its supervisor. */
	expect(STARTS("root/a", 101), STARTS("root/c", 102),
	    "EVENT started root", "STARTED", NULL);
	assert_int_equal(state("root/b"), NS_STOPPED);
	assert_true(node("root/b")->op_stopped);
	assert_int_equal(node("root/b")->pid, 0);
	/* A sibling's one_for_all restart starts the others, not b. */
	code(101, 1);
	expect("EVENT exited root/a 101 code=1 abnormal",
	    TERMS("root/c", 102), NULL);
	code(102, 0);
	expect("UNTIMER root/c",
	    "EVENT exited root/c 102 code=0 normal by_supervisor",
	    STARTS("root/a", 103), STARTS("root/c", 104), NULL);
	assert_int_equal(state("root/b"), NS_STOPPED);
	assert_string_equal(holds(), "");
	assert_int_equal(held_calls, 0);
	/* start clears it, and is held against the file's autostart. */
	op(tree_op_start, "root/b");
	expect(STARTS("root/b", 105), NULL);
	assert_int_equal(state("root/b"), NS_RUNNING);
	assert_false(node("root/b")->op_stopped);
	assert_string_equal(holds(), "root/b=started");
	assert_int_equal(held_calls, 1);
	/* Started again: nothing new to hold. */
	op(tree_op_restart, "root/b");
	expect(TERMS("root/b", 105), NULL);
	killed(105, SIGTERM);
	expect(TERMED("root/b", 105), STARTS("root/b", 106), NULL);
	assert_int_equal(held_calls, 1);
	/* Now a one_for_all restart takes it along. */
	code(103, 1);
	expect("EVENT exited root/a 103 code=1 abnormal",
	    TERMS("root/c", 104), NULL);
	killed(104, SIGTERM);
	expect(TERMED("root/c", 104), TERMS("root/b", 106), NULL);
	killed(106, SIGTERM);
	expect(TERMED("root/b", 106), STARTS("root/a", 107),
	    STARTS("root/b", 108), STARTS("root/c", 109), NULL);
	/* Stopped again it is what the file says: no hold. */
	op(tree_op_stop, "root/b");
	expect(TERMS("root/b", 108), NULL);
	killed(108, SIGTERM);
	expect(TERMED("root/b", 108), NULL);
	assert_string_equal(holds(), "");
	assert_int_equal(held_calls, 2);
	/* An operator stop of an autostart child is held. */
	op(tree_op_stop, "root/c");
	expect(TERMS("root/c", 109), NULL);
	killed(109, SIGTERM);
	expect(TERMED("root/c", 109), NULL);
	assert_string_equal(holds(), "root/c=stopped");
	assert_int_equal(held_calls, 3);
	op(tree_op_restart, "root/c");
	expect(STARTS("root/c", 110), NULL);
	assert_string_equal(holds(), "");
	assert_int_equal(held_calls, 4);
	end_tree();
}

static void
test_holds_applied_at_creation(void **unused UNUSED)
{
	new_tree(S("root", ONE_FOR_ONE, 1, 5, W("a"), noauto(W("b")),
	    S("s", ONE_FOR_ONE, 1, 5, W("x"), noauto(W("y")), NULL),
	    S("t", ONE_FOR_ONE, 1, 5, W("z"), NULL),
	    SOFO("jobs", 1, 5, W("job")), NULL));
	held_calls = 0;
	/* In any order; kept sorted, found by path. */
	assert_int_equal(tree_hold(T, "root/t", 1), 0);
	assert_int_equal(tree_hold(T, "root/s/y", 0), 0);
	assert_int_equal(tree_hold(T, "root/a", 1), 0);
	assert_int_equal(tree_hold(T, "root/s/x", 1), 0);
	assert_int_equal(tree_hold(T, "root/b", 0), 0);
	/* Given twice: the last word counts. */
	assert_int_equal(tree_hold(T, "root/t", 0), 0);
	assert_int_equal(tree_hold(T, "root/t", 1), 0);
	assert_string_equal(holds(), "root/a=stopped root/b=started "
	    "root/s/x=stopped root/s/y=started root/t=stopped");
	start();
	expect(STARTS("root/b", 101), STARTS("root/s/y", 102),
	    "EVENT started root/s", "EVENT started root/jobs",
	    "EVENT started root", "STARTED", NULL);
	assert_true(node("root/a")->op_stopped);
	assert_int_equal(state("root/a"), NS_STOPPED);
	assert_true(node("root/t")->op_stopped);
	assert_int_equal(state("root/t"), NS_STOPPED);
	/* A stopped supervisor's children have no nodes yet. */
	assert_null(tree_find(T, "root/t/z"));
	assert_int_equal(held_calls, 0);
	/* Dynamic instances are never held. */
	assert_non_null(start_child("root/jobs", NULL));
	expect(STARTS("root/jobs/1", 103), NULL);
	op(tree_op_stop, "root/jobs/1");
	expect(TERMS("root/jobs/1", 103), NULL);
	killed(103, SIGTERM);
	expect(TERMED("root/jobs/1", 103), NULL);
	assert_int_equal(held_calls, 0);
	/* Started, t creates z from the file. */
	op(tree_op_start, "root/t");
	expect(STARTS("root/t/z", 104), "EVENT started root/t", NULL);
	assert_string_equal(holds(), "root/a=stopped root/b=started "
	    "root/s/x=stopped root/s/y=started");
	assert_int_equal(held_calls, 1);
	/* A restart of s keeps its children's holds (they are nodes). */
	op(tree_op_restart, "root/s");
	expect(TERMS("root/s/y", 102), NULL);
	killed(102, SIGTERM);
	expect(TERMED("root/s/y", 102),
	    "EVENT exited root/s normal by_supervisor",
	    STARTS("root/s/y", 105), "EVENT started root/s", NULL);
	assert_int_equal(held_calls, 1);
	end_tree();
}

static void
test_holds_and_reload(void **unused UNUSED)
{
	new_tree(S("root", ONE_FOR_ONE, 0, 5, W("a"), W("b"), noauto(W("c")),
	    W("d"), NULL));
	boot();
	held_calls = 0;
	op(tree_op_stop, "root/a");
	op(tree_op_stop, "root/b");
	op(tree_op_start, "root/c");
	expect(TERMS("root/a", 101), NULL);
	killed(101, SIGTERM);
	expect(TERMED("root/a", 101), TERMS("root/b", 102), NULL);
	killed(102, SIGTERM);
	expect(TERMED("root/b", 102), STARTS("root/c", 104), NULL);
	assert_string_equal(holds(), "root/a=stopped root/b=stopped "
	    "root/c=started");
	assert_int_equal(held_calls, 3);
	/*
	 * a is removed, b's autostart turns false (its stop is now the
	 * file's), c's true (its start too); e is added with autostart
	 * false and not started; d's autostart turns false: it runs on,
	 * and nothing is held for it.
	 */
	reload(S("root", ONE_FOR_ONE, 0, 5, noauto(W("b")), W("c"),
	    noauto(W("d")), noauto(W("e")), NULL));
	expect("FORGET root/a", "EVENT reloaded root", NULL);
	assert_string_equal(holds(), "");
	assert_int_equal(held_calls, 4);
	assert_int_equal(state("root/e"), NS_STOPPED);
	assert_true(node("root/e")->op_stopped);
	assert_int_equal(state("root/d"), NS_RUNNING);
	assert_int_equal(state("root/b"), NS_STOPPED);
	/* A reload that changes no hold says nothing. */
	reload(S("root", ONE_FOR_ONE, 0, 5, noauto(W("b")), W("c"),
	    noauto(W("d")), noauto(W("e")), NULL));
	expect("EVENT reloaded root", NULL);
	assert_int_equal(held_calls, 4);
	end_tree();
}

/* --- restart_delay (supervisord(8), Restart delay) --- */

static uint32_t		 rnd_value;	/* what the runtime's random says */

static uint32_t
fake_random(struct tree *t)
{
	return rnd_value;
}

/* restart_scheduled gets its own line; the rest as fake_event has it. */
static void
delay_event(struct tree *t, json_t *ev)
{
	const char *k;
	json_t *v, *d;

	if (strcmp(jstr(ev, "event"), "restart_scheduled") != 0) {
		fake_event(t, ev);
		return;
	}
	json_object_foreach(ev, k, v)
		if (strstr(" event path delay restarts ", k) == NULL)
			fail_msg("restart_scheduled: unexpected key %s", k);
	d = json_object_get(ev, "delay");
	assert_true(json_is_real(d));
	assert_true(json_is_integer(json_object_get(ev, "restarts")));
	act("EVENT restart_scheduled %s %.3f restarts=%lld", jstr(ev, "path"),
	    json_real_value(d),
	    (long long)json_integer_value(json_object_get(ev, "restarts")));
	json_decref(ev);
}

/* A delay's timer is armed on a child that is down, and only then. */
static void
delay_timer(struct tree *t, struct node *n, int64_t ms)
{
	struct armed *a;

	if (ms == 0 || n->pid != 0 || n->spawn_later) {
		fake_timer(t, n, ms);
		return;
	}
	assert_true(n->next_start_at != 0);
	if ((a = timer_of(n)) == NULL) {
		assert_true(ntimers < MAXNODES);
		a = &timers[ntimers++];
	}
	a->n = n;
	a->ms = ms;
	act("TIMER %s %lld", n->path, (long long)ms);
}

static const struct tree_ops delay_ops = {
	.spawn = fake_spawn,
	.kill = fake_kill,
	.timer = delay_timer,
	.event = delay_event,
	.log = fake_log,
	.started = fake_started,
	.exit = fake_exit,
	.forget = fake_forget,
	.random = fake_random,
};

/* new_tree, with a runtime that has a random source (no jitter yet). */
static void
delay_tree(struct spec *root)
{
	clear();
	nlives = ntimers = nfails = 0;
	freeing = exec_pending = 0;
	now = 1000;
	next_pid = 101;
	rnd_value = 1000;	/* the middle: +0 % */
	assert_non_null(T = tree_new(root, &delay_ops, NULL));
	tree_set_now(T, now);
}

/* A constant restart_delay, as config.c makes it from a number. */
static struct spec *
delayed(struct spec *s, int64_t ms)
{
	s->restart_delay.initial = s->restart_delay.max = ms;
	s->restart_delay.reset_after = ms;
	s->restart_delay.backoff = 0;
	return s;
}

static struct spec *
backoff(struct spec *s, int64_t initial, int64_t max, int64_t reset_after)
{
	s->restart_delay.initial = initial;
	s->restart_delay.max = max;
	s->restart_delay.reset_after = reset_after;
	s->restart_delay.backoff = 1;
	return s;
}

/* status's "next_start_in" of path in ms, or -1 when it has none. */
static long
next_start_in(const char *path)
{
	json_t *a = status_of(path), *v;
	long ms = -1;

	v = json_object_get(json_array_get(a, 0), "next_start_in");
	if (v != NULL) {
		assert_true(json_is_real(v));
		ms = (long)(json_real_value(v) * 1000 + 0.5);
	}
	json_decref(a);
	return ms;
}

static int64_t
armed_ms(const char *path)
{
	struct armed *a = timer_of(node(path));

	assert_non_null(a);
	return a->ms;
}

static void
test_delay_constant(void **unused UNUSED)
{
	delay_tree(S("root", ONE_FOR_ONE, 5, 5, delayed(W("a"), 500), W("b"),
	    NULL));
	boot();
	code(101, 1);
	expect("EVENT exited root/a 101 code=1 abnormal", "TIMER root/a 500",
	    "EVENT restart_scheduled root/a 0.500 restarts=1", NULL);
	assert_true(logged("root/a: exited with code 1; restarting (1 of 5 "
	    "in 5 s)"));
	assert_int_equal(state("root/a"), NS_RESTARTING);
	assert_int_equal(next_start_in("root/a"), 500);
	assert_int_equal(next_start_in("root/b"), -1);
	now += 200;
	assert_int_equal(next_start_in("root/a"), 300);
	fire("root/a");
	expect(STARTS("root/a", 103), NULL);
	assert_int_equal(state("root/a"), NS_RUNNING);
	assert_int_equal(node("root/a")->restarts, 1);
	assert_int_equal(next_start_in("root/a"), -1);
	/* The same wait every time, however soon it crashes. */
	now += 10;
	code(103, 1);
	expect("EVENT exited root/a 103 code=1 abnormal", "TIMER root/a 500",
	    "EVENT restart_scheduled root/a 0.500 restarts=2", NULL);
	fire("root/a");
	expect(STARTS("root/a", 104), NULL);
	assert_int_equal(node("root/a")->restarts, 2);
	end_tree();
}

/* One crash of root/a after it ran ran_ms: the delay its restart waits. */
static int64_t
crash_delay(pid_t pid, uint64_t ran_ms)
{
	int64_t ms;

	now += ran_ms;
	code(pid, 1);
	assert_int_equal(state("root/a"), NS_RESTARTING);
	ms = armed_ms("root/a");
	fire("root/a");
	assert_int_equal(node("root/a")->pid, pid + 1);
	clear();
	return ms;
}

static void
test_delay_backoff(void **unused UNUSED)
{
	delay_tree(S("root", ONE_FOR_ONE, 20, 60, backoff(W("a"), 100, 400,
	    1000), NULL));
	boot();
	/* Doubling from initial, capped at max. */
	assert_int_equal(crash_delay(101, 10), 100);
	assert_int_equal(crash_delay(102, 10), 200);
	assert_int_equal(crash_delay(103, 10), 400);
	assert_int_equal(crash_delay(104, 10), 400);
	/* A run of reset_after starts over; a shorter one goes on. */
	assert_int_equal(crash_delay(105, 1000), 100);
	assert_int_equal(crash_delay(106, 999), 200);
	assert_int_equal(crash_delay(107, 999), 400);
	assert_int_equal(crash_delay(108, 1000), 100);
	/* A start error is one more consecutive restart. */
	now += 10;
	code(109, 1);
	expect("EVENT exited root/a 109 code=1 abnormal", "TIMER root/a 200",
	    "EVENT restart_scheduled root/a 0.200 restarts=9", NULL);
	fail_spawn("root/a", "execve: No such file or directory", 1);
	fire("root/a");
	expect("SPAWN root/a -1",
	    "EVENT start_error root/a: execve: No such file or directory",
	    "TIMER root/a 400",
	    "EVENT restart_scheduled root/a 0.400 restarts=9", NULL);
	fire("root/a");
	expect(STARTS("root/a", 110), NULL);
	assert_int_equal(node("root/a")->restarts, 9);
	/* The operator's start begins a new sequence. */
	op(tree_op_restart, "root/a");
	expect(TERMS("root/a", 110), NULL);
	killed(110, SIGTERM);
	expect(TERMED("root/a", 110), STARTS("root/a", 111), NULL);
	assert_int_equal(crash_delay(111, 10), 100);
	assert_int_equal(crash_delay(112, 10), 200);
	end_tree();

	/* The object form without max: initial is also the cap. */
	delay_tree(S("root", ONE_FOR_ONE, 20, 60, backoff(W("a"), 300, 0, 0),
	    NULL));
	boot();
	assert_int_equal(crash_delay(101, 0), 300);
	assert_int_equal(crash_delay(102, 0), 300);
	end_tree();
}

static void
test_delay_jitter(void **unused UNUSED)
{
	static const struct { uint32_t r; int64_t ms; } fixed[] = {
		{ 0, 900 }, { 2000, 1100 }, { 1000, 1000 }, { 2001, 900 },
		{ 123456789, 1009 }, { UINT32_MAX, 989 },
	};
	pid_t pid = 101;
	int64_t ms;
	size_t i;

	delay_tree(S("root", ONE_FOR_ONE, 100, 5, delayed(W("a"), 1000),
	    NULL));
	boot();
	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		rnd_value = fixed[i].r;
		assert_int_equal(crash_delay(pid++, 0), fixed[i].ms);
	}
	/* +-10 % whatever the source says. */
	for (i = 0; i < 40; i++) {
		rnd_value = (uint32_t)(i * 104729u + i * i * 7919u);
		ms = crash_delay(pid++, 0);
		assert_true(ms >= 900 && ms <= 1100);
	}
	end_tree();

	/* Backoff doubles the delay before jitter, not the jittered one. */
	delay_tree(S("root", ONE_FOR_ONE, 100, 60, backoff(W("a"), 1000,
	    8000, 60000), NULL));
	boot();
	rnd_value = 2000;
	assert_int_equal(crash_delay(101, 0), 1100);
	assert_int_equal(crash_delay(102, 0), 2200);
	rnd_value = 0;
	assert_int_equal(crash_delay(103, 0), 3600);
	assert_int_equal(crash_delay(104, 0), 7200);
	end_tree();
}

static void
test_delay_intensity_at_decision(void **unused UNUSED)
{
	/* A crash loop gives up after as many exits as without a delay. */
	delay_tree(S("root", ONE_FOR_ONE, 2, 10, delayed(W("a"), 1000),
	    NULL));
	boot();
	code(101, 1);
	expect("EVENT exited root/a 101 code=1 abnormal", "TIMER root/a 1000",
	    "EVENT restart_scheduled root/a 1.000 restarts=1", NULL);
	assert_true(logged("restarting (1 of 2 in 10 s)"));
	fire("root/a");
	expect(STARTS("root/a", 102), NULL);
	code(102, 1);
	expect("EVENT exited root/a 102 code=1 abnormal", "TIMER root/a 1000",
	    "EVENT restart_scheduled root/a 1.000 restarts=2", NULL);
	assert_true(logged("restarting (2 of 2 in 10 s)"));
	fire("root/a");
	expect(STARTS("root/a", 103), NULL);
	code(103, 1);
	expect("EVENT exited root/a 103 code=1 abnormal",
	    "EVENT shutdown root reached_max_restart_intensity", "EXIT 1",
	    NULL);
	end_tree();

	/*
	 * Counted when decided: the first restart, decided 6 s before the
	 * next crash, is out of the 5 s period, although it started only
	 * just before that crash.
	 */
	delay_tree(S("root", ONE_FOR_ONE, 1, 5, delayed(W("a"), 6000), NULL));
	boot();
	code(101, 1);
	expect("EVENT exited root/a 101 code=1 abnormal", "TIMER root/a 6000",
	    "EVENT restart_scheduled root/a 6.000 restarts=1", NULL);
	now += 6000;
	fire("root/a");
	expect(STARTS("root/a", 102), NULL);
	code(102, 1);
	expect("EVENT exited root/a 102 code=1 abnormal", "TIMER root/a 6000",
	    "EVENT restart_scheduled root/a 6.000 restarts=2", NULL);
	/* Within the period of that decision: give up at once. */
	now += 4999;
	fire("root/a");
	expect(STARTS("root/a", 103), NULL);
	code(103, 1);
	expect("EVENT exited root/a 103 code=1 abnormal",
	    "EVENT shutdown root reached_max_restart_intensity", "EXIT 1",
	    NULL);
	end_tree();
}

static void
test_delay_one_for_all(void **unused UNUSED)
{
	delay_tree(S("root", ONE_FOR_ALL, 5, 5, delayed(W("a"), 1000), W("b"),
	    W("c"), NULL));
	boot();
	/* The stops at once, the starts after the delay. */
	code(101, 1);
	expect("EVENT exited root/a 101 code=1 abnormal", "TIMER root/a 1000",
	    "EVENT restart_scheduled root/a 1.000 restarts=1",
	    TERMS("root/c", 103), NULL);
	killed(103, SIGTERM);
	expect(TERMED("root/c", 103), TERMS("root/b", 102), NULL);
	killed(102, SIGTERM);
	expect(TERMED("root/b", 102), NULL);
	assert_int_equal(state("root/b"), NS_STOPPED);
	assert_int_equal(state("root/a"), NS_RESTARTING);
	assert_int_equal(next_start_in("root/a"), 1000);
	fire("root/a");
	expect(STARTS("root/a", 104), STARTS("root/b", 105),
	    STARTS("root/c", 106), NULL);
	assert_int_equal(next_start_in("root/a"), -1);

	/* A delay over before the stops: the starts follow them at once. */
	code(104, 1);
	expect("EVENT exited root/a 104 code=1 abnormal", "TIMER root/a 1000",
	    "EVENT restart_scheduled root/a 1.000 restarts=2",
	    TERMS("root/c", 106), NULL);
	fire("root/a");
	expect(NULL);
	killed(106, SIGTERM);
	expect(TERMED("root/c", 106), TERMS("root/b", 105), NULL);
	killed(105, SIGTERM);
	expect(TERMED("root/b", 105), STARTS("root/a", 107),
	    STARTS("root/b", 108), STARTS("root/c", 109), NULL);

	/* start during the wait: now, and the others with it. */
	code(107, 1);
	expect("EVENT exited root/a 107 code=1 abnormal", "TIMER root/a 1000",
	    "EVENT restart_scheduled root/a 1.000 restarts=3",
	    TERMS("root/c", 109), NULL);
	killed(109, SIGTERM);
	killed(108, SIGTERM);
	expect(TERMED("root/c", 109), TERMS("root/b", 108),
	    TERMED("root/b", 108), NULL);
	op(tree_op_start, "root/a");
	expect("UNTIMER root/a", STARTS("root/a", 110), STARTS("root/b", 111),
	    STARTS("root/c", 112), NULL);

	/* stop during the wait: the others start now, a stays stopped. */
	code(110, 1);
	expect("EVENT exited root/a 110 code=1 abnormal", "TIMER root/a 1000",
	    "EVENT restart_scheduled root/a 1.000 restarts=4",
	    TERMS("root/c", 112), NULL);
	killed(112, SIGTERM);
	killed(111, SIGTERM);
	expect(TERMED("root/c", 112), TERMS("root/b", 111),
	    TERMED("root/b", 111), NULL);
	op(tree_op_stop, "root/a");
	expect("UNTIMER root/a", STARTS("root/b", 113), STARTS("root/c", 114),
	    NULL);
	assert_int_equal(state("root/a"), NS_STOPPED);
	assert_int_equal(next_start_in("root/a"), -1);
	assert_int_equal(node("root/a")->restarts, 3);
	assert_int_equal(state("root"), NS_RUNNING);
	end_tree();
}

static void
test_delay_rest_for_one(void **unused UNUSED)
{
	delay_tree(S("root", REST_FOR_ONE, 5, 5, W("a"), delayed(W("b"), 1000),
	    W("c"), NULL));
	boot();
	code(102, 1);
	expect("EVENT exited root/b 102 code=1 abnormal", "TIMER root/b 1000",
	    "EVENT restart_scheduled root/b 1.000 restarts=1",
	    TERMS("root/c", 103), NULL);
	killed(103, SIGTERM);
	expect(TERMED("root/c", 103), NULL);
	assert_int_equal(node("root/a")->pid, 101);
	/* a's exit meanwhile is decided once the restart program ends. */
	code(101, 1);
	expect("EVENT exited root/a 101 code=1 abnormal", NULL);
	assert_int_equal(state("root/a"), NS_RESTARTING);
	fire("root/b");
	expect(STARTS("root/b", 104), STARTS("root/c", 105),
	    TERMS("root/c", 105), NULL);
	killed(105, SIGTERM);
	expect(TERMED("root/c", 105), TERMS("root/b", 104), NULL);
	killed(104, SIGTERM);
	/* b is restarted for a's sake: no delay of its own. */
	expect(TERMED("root/b", 104), STARTS("root/a", 106),
	    STARTS("root/b", 107), STARTS("root/c", 108), NULL);
	assert_int_equal(node("root/a")->restarts, 1);
	assert_int_equal(node("root/b")->restarts, 2);
	end_tree();
}

static void
test_delay_stop_start_restart(void **unused UNUSED)
{
	delay_tree(S("root", ONE_FOR_ONE, 10, 5, delayed(W("a"), 1000),
	    NULL));
	boot();
	/* stop cancels the restart: stopped, nothing starts later. */
	code(101, 1);
	expect("EVENT exited root/a 101 code=1 abnormal", "TIMER root/a 1000",
	    "EVENT restart_scheduled root/a 1.000 restarts=1", NULL);
	op(tree_op_stop, "root/a");
	expect("UNTIMER root/a", NULL);
	assert_int_equal(state("root/a"), NS_STOPPED);
	assert_false(armed("root/a"));
	assert_int_equal(next_start_in("root/a"), -1);
	/* start: at once. */
	op(tree_op_start, "root/a");
	expect(STARTS("root/a", 102), NULL);
	/* start during the delay: at once, the delay cancelled. */
	code(102, 1);
	expect("EVENT exited root/a 102 code=1 abnormal", "TIMER root/a 1000",
	    "EVENT restart_scheduled root/a 1.000 restarts=1", NULL);
	op(tree_op_start, "root/a");
	expect("UNTIMER root/a", STARTS("root/a", 103), NULL);
	assert_false(armed("root/a"));
	assert_int_equal(next_start_in("root/a"), -1);
	/* restart during the delay: the same. */
	code(103, 1);
	expect("EVENT exited root/a 103 code=1 abnormal", "TIMER root/a 1000",
	    "EVENT restart_scheduled root/a 1.000 restarts=1", NULL);
	op(tree_op_restart, "root/a");
	expect("UNTIMER root/a", STARTS("root/a", 104), NULL);
	assert_int_equal(state("root/a"), NS_RUNNING);
	assert_int_equal(node("root/a")->restarts, 0);
	end_tree();
}

static void
test_delay_supervisor_free(void **unused UNUSED)
{
	delay_tree(S("root", ONE_FOR_ONE, 10, 5, delayed(W("a"), 1000),
	    notify(W("b")), W("c"), NULL));
	boot();
	code(101, 1);
	expect("EVENT exited root/a 101 code=1 abnormal", "TIMER root/a 1000",
	    "EVENT restart_scheduled root/a 1.000 restarts=1", NULL);
	/* A sibling's exit and a command are handled during the delay. */
	code(103, 1);
	expect("EVENT exited root/c 103 code=1 abnormal",
	    STARTS("root/c", 104), NULL);
	op(tree_op_restart, "root/b");
	expect(TERMS("root/b", 102), NULL);
	/* The delay ends while root is busy: the start waits its turn. */
	now += 1000;
	fire("root/a");
	expect(NULL);
	assert_int_equal(state("root/a"), NS_RESTARTING);
	assert_int_equal(next_start_in("root/a"), 0);
	killed(102, SIGTERM);
	expect(TERMED("root/b", 102), STARTS("root/b", 105),
	    "TIMER root/b 5000", NULL);
	ready(105);
	expect("UNTIMER root/b", "EVENT ready root/b 105",
	    STARTS("root/a", 106), NULL);
	assert_int_equal(node("root/a")->restarts, 1);

	/* A reload that changes the child: the delay is cancelled. */
	code(106, 1);
	expect("EVENT exited root/a 106 code=1 abnormal", "TIMER root/a 1000",
	    "EVENT restart_scheduled root/a 1.000 restarts=2", NULL);
	reload(S("root", ONE_FOR_ONE, 10, 5, delayed(arg(W("a"), "-x"), 1000),
	    notify(W("b")), W("c"), NULL));
	expect("UNTIMER root/a", STARTS("root/a", 107),
	    "EVENT reloaded root", NULL);
	/* One that removes it: the same, and it is gone. */
	code(107, 1);
	expect("EVENT exited root/a 107 code=1 abnormal", "TIMER root/a 1000",
	    "EVENT restart_scheduled root/a 1.000 restarts=2", NULL);
	reload(S("root", ONE_FOR_ONE, 10, 5, notify(W("b")), W("c"), NULL));
	expect("UNTIMER root/a", "FORGET root/a", "EVENT reloaded root",
	    NULL);
	assert_null(tree_find(T, "root/a"));
	end_tree();
}

static void
test_delay_shutdown_cancels(void **unused UNUSED)
{
	struct node *j;

	delay_tree(S("root", ONE_FOR_ONE, 10, 5, delayed(W("a"), 1000),
	    SOFO("jobs", 10, 5, delayed(W("job"), 2000)), NULL));
	boot();
	j = start_child("root/jobs", NULL);
	assert_string_equal(j->path, "root/jobs/1");
	expect(STARTS("root/jobs/1", 102), NULL);
	code(101, 1);
	code(102, 1);
	expect("EVENT exited root/a 101 code=1 abnormal", "TIMER root/a 1000",
	    "EVENT restart_scheduled root/a 1.000 restarts=1",
	    "EVENT exited root/jobs/1 102 code=1 abnormal",
	    "TIMER root/jobs/1 2000",
	    "EVENT restart_scheduled root/jobs/1 2.000 restarts=1", NULL);
	assert_int_equal(next_start_in("root/jobs/1"), 2000);
	/* Every wait ends at once, not when its stop step comes. */
	shutdown_tree();
	expect("UNTIMER root/a", "UNTIMER root/jobs/1", "FORGET root/jobs/1",
	    "EVENT exited root/jobs normal by_supervisor",
	    "EVENT shutdown root shutdown", "EXIT 0", NULL);
	end_tree();

	delay_tree(S("root", ONE_FOR_ONE, 10, 5, delayed(W("a"), 1000),
	    W("b"), NULL));
	boot();
	code(101, 1);
	expect("EVENT exited root/a 101 code=1 abnormal", "TIMER root/a 1000",
	    "EVENT restart_scheduled root/a 1.000 restarts=1", NULL);
	shutdown_tree();
	expect("UNTIMER root/a", TERMS("root/b", 102), NULL);
	assert_int_equal(state("root/a"), NS_STOPPED);
	assert_int_equal(next_start_in("root/a"), -1);
	killed(102, SIGTERM);
	expect(TERMED("root/b", 102), "EVENT shutdown root shutdown",
	    "EXIT 0", NULL);
	end_tree();
}

static void
test_delay_child_supervisor(void **unused UNUSED)
{
	delay_tree(S("root", ONE_FOR_ONE, 5, 5, delayed(S("sub", ONE_FOR_ONE,
	    1, 5, backoff(W("w"), 100, 1000, 60000), NULL), 2000), NULL));
	boot();
	code(101, 1);
	expect("EVENT exited root/sub/w 101 code=1 abnormal",
	    "TIMER root/sub/w 100",
	    "EVENT restart_scheduled root/sub/w 0.100 restarts=1", NULL);
	fire("root/sub/w");
	expect(STARTS("root/sub/w", 102), NULL);
	/* sub gives up: its own restart waits its own delay. */
	code(102, 1);
	expect("EVENT exited root/sub/w 102 code=1 abnormal",
	    "EVENT shutdown root/sub reached_max_restart_intensity",
	    "EVENT exited root/sub normal", "TIMER root/sub 2000",
	    "EVENT restart_scheduled root/sub 2.000 restarts=1", NULL);
	assert_int_equal(state("root/sub"), NS_RESTARTING);
	assert_int_equal(next_start_in("root/sub"), 2000);
	fire("root/sub");
	expect(STARTS("root/sub/w", 103), "EVENT started root/sub", NULL);
	assert_int_equal(node("root/sub")->restarts, 1);
	/* A new supervisor: w's backoff starts over. */
	code(103, 1);
	expect("EVENT exited root/sub/w 103 code=1 abnormal",
	    "TIMER root/sub/w 100",
	    "EVENT restart_scheduled root/sub/w 0.100 restarts=2", NULL);
	/* A stop of sub reaches w's pending delay too. */
	op(tree_op_stop, "root/sub");
	expect("UNTIMER root/sub/w", "EVENT exited root/sub normal "
	    "by_supervisor", NULL);
	assert_int_equal(state("root/sub/w"), NS_STOPPED);
	end_tree();
}

/* --- when operator requests and reloads are done with --- */

/* The op_done calls since the last look are exactly these (NULL-ended). */
static void
expect_done(const char *first, ...)
{
	const char *s;
	va_list ap;
	size_t n = 0, i;
	int ok = 1;

	va_start(ap, first);
	for (s = first; s != NULL; s = va_arg(ap, const char *), n++)
		if (n >= nopdone || strcmp(s, opdone[n]) != 0)
			ok = 0;
	va_end(ap);
	if (!ok || n != nopdone) {
		for (i = 0; i < nopdone; i++)
			print_message("op_done: %s\n", opdone[i]);
		fail_msg("op_done: want %zu calls, got %zu", n, nopdone);
	}
	forget_done();
}

/*
 * op_done comes once a request's program has finished, not when it is
 * taken on; a request that waited in the mailbox is told in its turn,
 * and one with nothing to do at once.
 */
static void
test_op_done_when_finished(void **unused UNUSED)
{
	new_tree(S("root", ONE_FOR_ONE, 1, 5, notify(W("a")), W("b"), NULL));
	boot();
	forget_done();
	op(tree_op_stop, "root/a");
	assert_int_equal(tree_op_ticket(T), 1);
	expect(TERMS("root/a", 101), NULL);
	expect_done(NULL);
	killed(101, SIGTERM);
	expect(TERMED("root/a", 101), NULL);
	expect_done("root/a 1 stopped", NULL);

	op(tree_op_restart, "root/b");
	op(tree_op_start, "root/a");
	expect(TERMS("root/b", 102), NULL);
	killed(102, SIGTERM);
	expect(TERMED("root/b", 102), STARTS("root/b", 103),
	    STARTS("root/a", 104), "TIMER root/a 5000", NULL);
	expect_done("root/b 2 running", NULL);
	ready(104);
	expect("UNTIMER root/a", "EVENT ready root/a 104", NULL);
	expect_done("root/a 3 running", NULL);

	op(tree_op_start, "root/b");
	expect(NULL);
	expect_done("root/b 4 running", NULL);
	end_tree();
}

/*
 * A supervisor stopped while busy for the operator drops that program
 * and its mailbox: each request is told then, its child on its way down.
 */
static void
test_op_done_dropped_with_supervisor(void **unused UNUSED)
{
	new_tree(S("root", ONE_FOR_ONE, 1, 5,
	    S("s", ONE_FOR_ONE, 1, 5, W("x"), W("y"), NULL), NULL));
	boot();
	forget_done();
	op(tree_op_restart, "root/s/x");
	op(tree_op_stop, "root/s/y");
	expect(TERMS("root/s/x", 101), NULL);
	op(tree_op_stop, "root/s");
	expect(TERMS("root/s/y", 102), NULL);
	expect_done("root/s/x 1 stopping", "root/s/y 2 running", NULL);
	killed(102, SIGTERM);
	killed(101, SIGTERM);
	expect(TERMED("root/s/y", 102), TERMED("root/s/x", 101),
	    "EVENT exited root/s normal by_supervisor", NULL);
	expect_done("root/s 3 stopped", NULL);
	assert_null(node("root/s")->mbox);
	end_tree();
}

/*
 * reloaded comes once every supervisor the reload reached has run its
 * part, with the starts that failed; a stopped supervisor is not waited
 * for (its next start builds its children from the new spec).
 */
static void
test_reloaded_event(void **unused UNUSED)
{
	new_tree(S("root", ONE_FOR_ONE, 1, 5, W("a"),
	    S("s", ONE_FOR_ONE, 1, 5, W("x"), NULL), NULL));
	boot();
	forget_done();
	fail_spawn("root/s/z", "execve: No such file or directory", 1);
	reload(S("root", ONE_FOR_ONE, 1, 5, W("a"), W("b"),
	    S("s", ONE_FOR_ONE, 1, 5, W("x"), W("z"), NULL), NULL));
	expect("SPAWN root/s/z -1",
	    "EVENT start_error root/s/z: execve: No such file or directory",
	    STARTS("root/b", 103), "EVENT reloaded root failed: root/s/z: "
	    "execve: No such file or directory", NULL);

	op(tree_op_stop, "root/s");
	expect(TERMS("root/s/x", 102), NULL);
	killed(102, SIGTERM);
	expect(TERMED("root/s/x", 102),
	    "EVENT exited root/s normal by_supervisor", NULL);
	expect_done("root/s 1 stopped", NULL);
	reload(S("root", ONE_FOR_ONE, 1, 5, W("a"), W("b"),
	    S("s", ONE_FOR_ONE, 1, 5, W("y"), NULL), NULL));
	expect("EVENT reloaded root", NULL);
	op(tree_op_start, "root/s");
	expect("FORGET root/s/z", "FORGET root/s/x", STARTS("root/s/y", 104),
	    "EVENT started root/s", NULL);
	expect_done("root/s 2 running", NULL);
	end_tree();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exit_class),
		cmocka_unit_test(test_boot_in_order),
		cmocka_unit_test(test_notify_waits_for_ready),
		cmocka_unit_test(test_nested_start_and_events),
		cmocka_unit_test(test_one_for_one_matrix),
		cmocka_unit_test(test_one_for_all_matrix),
		cmocka_unit_test(test_rest_for_one_matrix),
		cmocka_unit_test(test_simple_one_for_one_matrix),
		cmocka_unit_test(test_one_for_all_restarts_ended_transient),
		cmocka_unit_test(test_one_for_all_removes_temporary),
		cmocka_unit_test(test_rest_for_one_order),
		cmocka_unit_test(test_intensity_window),
		cmocka_unit_test(test_intensity_zero_and_reverse_stop),
		cmocka_unit_test(test_one_for_all_counts_once),
		cmocka_unit_test(test_escalation_three_levels),
		cmocka_unit_test(test_escalation_transient_supervisor),
		cmocka_unit_test(test_spawn_later),
		cmocka_unit_test(test_spawn_later_stopped),
		cmocka_unit_test(test_exec_pending),
		cmocka_unit_test(test_exec_failed),
		cmocka_unit_test(test_start_error_at_boot),
		cmocka_unit_test(test_start_error_nested),
		cmocka_unit_test(test_start_error_exited_before_ready),
		cmocka_unit_test(test_start_timeout),
		cmocka_unit_test(test_start_error_during_restart),
		cmocka_unit_test(test_shutdown_modes_and_order),
		cmocka_unit_test(test_shutdown_depth_first),
		cmocka_unit_test(test_shutdown_before_boot),
		cmocka_unit_test(test_shutdown_during_boot),
		cmocka_unit_test(test_operator_stop_survives_one_for_all),
		cmocka_unit_test(test_operator_restart_not_counted),
		cmocka_unit_test(test_operator_stop_during_start),
		cmocka_unit_test(test_delete_child),
		cmocka_unit_test(test_operator_temporary_kept),
		cmocka_unit_test(test_watchdog_kill_is_a_crash),
		cmocka_unit_test(test_stop_preempts_restart),
		cmocka_unit_test(test_commands_refused_while_shutting_down),
		cmocka_unit_test(test_simple_one_for_one),
		cmocka_unit_test(test_simple_one_for_one_restart_afresh),
		cmocka_unit_test(test_crash_absorbed_by_one_for_all),
		cmocka_unit_test(test_crash_queued_during_rest_for_one),
		cmocka_unit_test(test_operator_start_queued_while_busy),
		cmocka_unit_test(test_reload),
		cmocka_unit_test(test_reload_during_boot),
		cmocka_unit_test(test_reload_type_change_and_template),
		cmocka_unit_test(test_reload_unchanged_touches_nothing),
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_exited_step_sequencing),
		cmocka_unit_test(test_exited_step_failure),
		cmocka_unit_test(test_exited_step_rerun),
		cmocka_unit_test(test_any_significant),
		cmocka_unit_test(test_all_significant),
		cmocka_unit_test(test_significant_stopped_by_restart),
		cmocka_unit_test(test_nested_significant_supervisor),
		cmocka_unit_test(test_significant_gave_up_exits_1),
		cmocka_unit_test(test_simple_one_for_one_significant),
		cmocka_unit_test(test_autostart_false),
		cmocka_unit_test(test_holds_applied_at_creation),
		cmocka_unit_test(test_holds_and_reload),
		cmocka_unit_test(test_delay_constant),
		cmocka_unit_test(test_delay_backoff),
		cmocka_unit_test(test_delay_jitter),
		cmocka_unit_test(test_delay_intensity_at_decision),
		cmocka_unit_test(test_delay_one_for_all),
		cmocka_unit_test(test_delay_rest_for_one),
		cmocka_unit_test(test_delay_stop_start_restart),
		cmocka_unit_test(test_delay_supervisor_free),
		cmocka_unit_test(test_delay_shutdown_cancels),
		cmocka_unit_test(test_delay_child_supervisor),
		cmocka_unit_test(test_op_done_when_finished),
		cmocka_unit_test(test_op_done_dropped_with_supervisor),
		cmocka_unit_test(test_reloaded_event),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
