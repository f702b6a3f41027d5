/*
 * rules.c: OTP's supervisor rules. Each supervisor runs one program of
 * steps at a time (start, stop, delete children, in order), as an OTP
 * supervisor handles one message at a time; what happens meanwhile waits
 * in its mailbox. Exits, readiness and timers move the programs on.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "signame.h"
#include "tree-int.h"

enum outcome { DONE, WAIT, FAIL };

static void	prog_done(struct tree *, struct node *);
static void	prog_failed(struct tree *, struct node *, struct node *);

void
prog_set(struct node *s, enum prog_kind kind, struct step *steps, size_t n,
    struct node *subject)
{
	free(s->prog);
	s->prog = steps;
	s->nprog = n;
	s->pc = 0;
	s->prog_kind = kind;
	s->subject = subject;
}

static int
busy(const struct node *s)
{
	return s->prog_kind != P_NONE;
}

/*
 * A supervisor that gives up may be removed by its parent (a temporary
 * child supervisor), with everything below it, while a caller further
 * up still holds one of those nodes. A caller that goes on after such a
 * call holds the path instead and looks the node up again (NULL: gone).
 */
static char *
hold(const struct node *n)
{
	return strdup(n->path);
}

static struct node *
again(struct tree *t, char *path)
{
	struct node *n = path != NULL ? tree_find(t, path) : NULL;

	free(path);
	return n;
}

void
event_start_error(struct tree *t, struct node *c, const char *why)
{
	strlcpy(c->last_exit.error, why, sizeof(c->last_exit.error));
	strlcpy(t->last_error, why, sizeof(t->last_error));
	c->last_exit.valid = 1;
	c->last_exit.code = -1;
	c->last_exit.signo = 0;
	emit(t, json_pack("{ssssssss}", "event", "start_error", "path", c->path,
	    "error", why, "class", "abnormal"));
	logf_(t, "%s: start error: %s", c->path, why);
}

/* --- starting and stopping one child --- */

void
event_started(struct tree *t, struct node *c)
{
	c->started_at = t->now;
	emit(t, json_pack("{sssssi}", "event", "started", "path", c->path,
	    "pid", (int)c->pid));
}

/*
 * Spawn a worker. Its start is done when it runs the program (ready:
 * exec) or said READY=1 (notify); until then a start_timeout runs. When
 * execve's outcome comes later (tree_execed), the timeout covers the
 * way to execve too, so a child stuck before it (a FIFO without a
 * reader) becomes a start error instead of a start that never ends.
 */
static enum outcome
start_worker(struct tree *t, struct node *s, struct node *c)
{
	char err[160];
	int pending = 0;
	pid_t pid;

	if (c->pid != 0)
		return DONE;
	c->state = NS_STARTING;
	c->spawn_later = 0;
	if ((pid = t->ops->spawn(t, c, &pending, err, sizeof(err))) ==
	    SPAWN_LATER) {
		logf_(t, "%s: %s; trying again in %d ms", c->path, err,
		    SPAWN_RETRY_MS);
		c->spawn_later = 1;
		t->ops->timer(t, c, SPAWN_RETRY_MS);
		return WAIT;
	}
	if (pid == -1) {
		c->state = NS_FAILED;
		event_start_error(t, c, err);
		return FAIL;
	}
	c->pid = pid;
	c->incarnation++;
	c->killed = 0;
	c->timed_out = 0;
	if (s->prog_kind == P_RESTART)
		c->restarts++;
	if (pending) {
		c->exec_pending = 1;
		t->ops->timer(t, c, c->spec->start_timeout);
		return WAIT;
	}
	event_started(t, c);
	if (c->spec->ready == READY_EXEC) {
		c->state = NS_RUNNING;
		return DONE;
	}
	t->ops->timer(t, c, c->spec->start_timeout);
	return WAIT;
}

/* The deferred spawn of a worker its supervisor waits for, again. */
void
spawn_again(struct tree *t, struct node *c)
{
	c->spawn_later = 0;
	switch (start_worker(t, c->parent, c)) {
	case DONE:
		child_settled(t, c, 1);
		break;
	case FAIL:
		child_settled(t, c, 0);
		break;
	case WAIT:
		break;
	}
}

static enum outcome
start_supervisor(struct tree *t, struct node *s, struct node *c)
{
	struct step *steps;
	size_t i;

	if (c->state == NS_RUNNING)
		return DONE;
	if (s != NULL && s->prog_kind == P_RESTART)
		c->restarts++;
	/* A restarted supervisor is a new OTP process: fresh history. */
	c->nhist = 0;
	node_sync_kids(t, c);
	if ((steps = calloc(c->nkids + 1, sizeof(*steps))) == NULL)
		return FAIL;
	for (i = 0; i < c->nkids; i++) {
		steps[i].kind = STEP_START;
		steps[i].child = c->kids[i];
		c->kids[i]->delay_cur = 0;	/* a fresh backoff, too */
	}
	c->state = NS_STARTING;
	prog_set(c, P_START, steps, c->nkids, NULL);
	prog_run(t, c);
	if (c->state == NS_RUNNING)
		return DONE;
	return c->state == NS_FAILED ? FAIL : WAIT;
}

/* The root starts as any supervisor does, with no parent to tell. */
void
start_root(struct tree *t, struct node *root)
{
	(void)start_supervisor(t, NULL, root);
}

static enum outcome
start_child(struct tree *t, struct node *s, struct node *c)
{
	if (c->next_start_at != 0)
		delay_cancel(t, c);
	if (c->op_stopped)
		return DONE;
	if (c->spec->type == SPEC_WORKER)
		return start_worker(t, s, c);
	return start_supervisor(t, s, c);
}

static enum outcome
stop_worker(struct tree *t, struct node *c)
{
	const struct spec *sp = c->spec;

	if (c->pid == 0) {
		if (c->spawn_later) {
			c->spawn_later = 0;
			t->ops->timer(t, c, 0);
		}
		delay_cancel(t, c);
		/* Down already; a restart it waited for is moot. */
		if (c->state == NS_STARTING || c->state == NS_RUNNING ||
		    c->state == NS_STOPPING || c->state == NS_RESTARTING)
			c->state = NS_STOPPED;
		/* A done step the operator stops is held, like any child. */
		if (c->state == NS_DONE && c->op_stopped)
			c->state = NS_STOPPED;
		return DONE;
	}
	if (c->state == NS_STOPPING && c->killed)
		return WAIT;		/* already on its way down */
	c->state = NS_STOPPING;
	c->killed = 1;
	if (sp->shutdown == SHUTDOWN_BRUTAL_KILL) {
		t->ops->timer(t, c, 0);
		t->ops->kill(t, c, SIGKILL);
		return WAIT;
	}
	t->ops->kill(t, c, sp->stop_signal);
	/* SIGCONT: a stopped process would never see the signal. */
	t->ops->kill(t, c, SIGCONT);
	t->ops->timer(t, c, sp->shutdown == SHUTDOWN_INFINITY ? 0 :
	    sp->shutdown > 0 ? sp->shutdown : 1);
	return WAIT;
}

static enum outcome
stop_child(struct tree *t, struct node *c)
{
	if (c->spec->type == SPEC_WORKER)
		return stop_worker(t, c);
	if (c->state == NS_RESTARTING) {
		c->state = NS_STOPPED;	/* down; a restart it waited for is moot */
		delay_cancel(t, c);
	}
	if (c->state == NS_STOPPED || c->state == NS_FAILED) {
		mbox_drop(t, c);
		return DONE;
	}
	stop_subtree(t, c, P_SHUTDOWN);
	return c->state == NS_STOPPED ? DONE : WAIT;
}

static int
all_down(const struct node *s)
{
	size_t i;

	for (i = 0; i < s->nkids; i++)
		if (s->kids[i]->pid != 0 || s->kids[i]->state == NS_STOPPING ||
		    s->kids[i]->state == NS_STARTING)
			return 0;
	return 1;
}

/* simple_one_for_one: every instance is told at once, then awaited. */
static enum outcome
stop_all(struct tree *t, struct node *s)
{
	size_t i;

	for (i = 0; i < s->nkids; i++)
		stop_child(t, s->kids[i]);
	return all_down(s) ? DONE : WAIT;
}

/* Carry out one step; DONE moves on, WAIT parks the program. */
static enum outcome
step_exec(struct tree *t, struct node *s, struct step *st)
{
	switch (st->kind) {
	case STEP_START:
		return start_child(t, s, st->child);
	case STEP_STOP:
		return stop_child(t, st->child);
	case STEP_STOP_ALL:
		return stop_all(t, s);
	case STEP_DELETE:
		node_remove(t, st->child);
		return DONE;
	case STEP_DELETE_ALL:
		while (s->nkids > 0)
			node_remove(t, s->kids[s->nkids - 1]);
		return DONE;
	case STEP_REPLACE:
		st->child->spec = st->spec;
		while (st->child->nkids > 0)
			node_remove(t, st->child->kids[0]);
		return DONE;
	case STEP_WAIT:
		/* Its timer ends the wait (delay.c). */
		return st->child->next_start_at != 0 ? WAIT : DONE;
	}
	return DONE;
}

void
prog_run(struct tree *t, struct node *s)
{
	struct step *st;
	enum outcome r;

	s->waiting = 0;
	while (s->pc < s->nprog) {
		st = &s->prog[s->pc];
		if (st->child == NULL && st->kind != STEP_STOP_ALL &&
		    st->kind != STEP_DELETE_ALL) {
			s->pc++;
			continue;
		}
		if ((r = step_exec(t, s, st)) == WAIT) {
			s->waiting = 1;
			return;
		}
		if (r == FAIL) {
			prog_failed(t, s, st->child);
			return;
		}
		s->pc++;
	}
	prog_done(t, s);
}

/* A child the parent may be waiting on is now up (ok) or failed. */
void
child_settled(struct tree *t, struct node *c, int ok)
{
	struct node *s = c->parent;
	struct step *st;

	if (s == NULL || !s->waiting || s->pc >= s->nprog)
		return;
	st = &s->prog[s->pc];
	if (st->kind == STEP_STOP_ALL) {
		if (all_down(s)) {
			s->pc++;
			prog_run(t, s);
		}
		return;
	}
	if (st->child != c)
		return;
	if (!ok && st->kind == STEP_START) {
		s->waiting = 0;
		prog_failed(t, s, c);
		return;
	}
	s->pc++;
	prog_run(t, s);
}

/* --- whole programs --- */

static void
steps_add(struct step *steps, size_t *n, enum step_kind k, struct node *c)
{
	steps[*n].kind = k;
	steps[*n].child = c;
	steps[*n].spec = NULL;
	(*n)++;
}

/*
 * The restart program for child c: one_for_all stops the others in
 * reverse start order, rest_for_one those after c; temporary ones among
 * them are removed; then c and the others are started in start order,
 * including non-temporary children that had ended (OTP).
 */
static void
plan_restart(struct tree *t, struct node *s, struct node *c)
{
	struct step *steps;
	size_t i, n = 0, from = 0;
	enum strategy strat = s->spec->strategy;

	if ((steps = calloc(3 * s->nkids + 1, sizeof(*steps))) == NULL)
		return;
	if (strat == ONE_FOR_ONE || strat == SIMPLE_ONE_FOR_ONE) {
		steps_add(steps, &n, STEP_START, c);
		prog_set(s, P_RESTART, steps, n, c);
		return;
	}
	if (strat == REST_FOR_ONE)
		from = (size_t)node_index(c);
	for (i = s->nkids; i-- > from;)
		if (s->kids[i] != c)
			steps_add(steps, &n, STEP_STOP, s->kids[i]);
	for (i = from; i < s->nkids; i++)
		if (s->kids[i] != c &&
		    s->kids[i]->spec->restart == RESTART_TEMPORARY)
			steps_add(steps, &n, STEP_DELETE, s->kids[i]);
	/* The stops at once, the starts after c's restart_delay. */
	if (c->next_start_at != 0)
		steps_add(steps, &n, STEP_WAIT, c);
	for (i = from; i < s->nkids; i++)
		if (s->kids[i] == c ||
		    s->kids[i]->spec->restart != RESTART_TEMPORARY)
			steps_add(steps, &n, STEP_START, s->kids[i]);
	prog_set(s, P_RESTART, steps, n, c);
}

/* Stop every child (reverse start order; all at once for instances). */
void
stop_subtree(struct tree *t, struct node *s, enum prog_kind kind)
{
	struct step *steps;
	size_t i, n = 0;

	delay_cancel_all(t, s);
	if ((steps = calloc(s->nkids + 2, sizeof(*steps))) == NULL) {
		mbox_drop(t, s);
		return;
	}
	if (s->spec->strategy == SIMPLE_ONE_FOR_ONE) {
		steps_add(steps, &n, STEP_STOP_ALL, NULL);
		steps_add(steps, &n, STEP_DELETE_ALL, NULL);
	} else
		for (i = s->nkids; i-- > 0;)
			steps_add(steps, &n, STEP_STOP, s->kids[i]);
	if (kind == P_SHUTDOWN || kind == P_GIVEUP || kind == P_AUTOSHUTDOWN)
		s->state = NS_STOPPING;
	/* Stopping preempts whatever it was doing: the stop reaches every
	 * child in any state, and what waited in the mailbox is moot. */
	prog_dropped(t, s);
	mbox_drop(t, s);
	prog_set(s, kind, steps, n, NULL);
	prog_run(t, s);
}

/*
 * Would one more restart make more than intensity within period? Then
 * the supervisor gives up (OTP's reached_max_restart_intensity).
 */
static int
intensity_ok(struct tree *t, struct node *s)
{
	uint64_t window = (uint64_t)s->spec->period * 1000;
	size_t i, n = 0;
	uint64_t *h;

	for (i = 0; i < s->nhist; i++)
		if (t->now < window || s->hist[i] > t->now - window)
			s->hist[n++] = s->hist[i];
	s->nhist = n;
	if (n + 1 > (size_t)s->spec->intensity)
		return 0;
	if ((h = reallocarray(s->hist, n + 1, sizeof(*h))) == NULL)
		return 0;
	s->hist = h;
	s->hist[s->nhist++] = t->now;
	return 1;
}

static void
give_up(struct tree *t, struct node *s)
{
	logf_(t, "%s: reached max restart intensity (%d in %d s); shutting "
	    "down", s->path, s->spec->intensity, s->spec->period);
	stop_subtree(t, s, P_GIVEUP);
}

void
describe_exit(const struct node *c, char *buf, size_t size)
{
	if (c->last_exit.error[0] != '\0')	/* a supervisor that gave up */
		snprintf(buf, size, "%s", c->last_exit.error);
	else if (c->spec->type == SPEC_SUPERVISOR)	/* auto_shutdown */
		snprintf(buf, size, "shut itself down (auto_shutdown, code %d)",
		    c->last_exit.code);
	else if (c->last_exit.signo)
		snprintf(buf, size, "exited on signal %s",
		    signal_name(c->last_exit.signo));
	else
		snprintf(buf, size, "exited with code %d", c->last_exit.code);
}

/*
 * Significant child c ended by itself and ends s (auto_shutdown): c goes
 * as any child that is not restarted, then s shuts itself down.
 */
static void
ended_significant(struct tree *t, struct node *s, struct node *c)
{
	int code = passed_code(c);
	char *path = hold(c);

	if (path == NULL)
		return;
	if (c->spec->restart == RESTART_TEMPORARY ||
	    s->spec->strategy == SIMPLE_ONE_FOR_ONE)
		node_remove(t, c);
	else if (c->state != NS_FAILED)	/* a supervisor that gave up */
		c->state = NS_STOPPED;
	auto_shutdown(t, s, path, code);
	free(path);
}

/*
 * one_for_one and simple_one_for_one restart one child: its delay needs
 * no program, and s stays free for everything else meanwhile.
 */
static int
free_standing(const struct node *s)
{
	return s->spec->strategy == ONE_FOR_ONE ||
	    s->spec->strategy == SIMPLE_ONE_FOR_ONE;
}

/* OTP's decision when child c ended by itself and s is free to act. */
static void
decide(struct tree *t, struct node *s, struct node *c, enum exit_class cls)
{
	const struct spec *sp = c->spec;
	char what[64];
	int restart = !c->op_stopped && (sp->restart == RESTART_PERMANENT ||
	    (sp->restart == RESTART_TRANSIENT && cls == EXIT_ABNORMAL));

	describe_exit(c, what, sizeof(what));
	if (!restart) {
		logf_(t, "%s: %s; not restarted (%s)", c->path, what,
		    restart_name(sp->restart));
		if (auto_shutdown_due(s, c, cls)) {
			ended_significant(t, s, c);
			return;
		}
		/* OTP deletes a temporary child, and any dynamic instance,
		 * once it ends for good. */
		if (!c->op_stopped && (sp->restart == RESTART_TEMPORARY ||
		    s->spec->strategy == SIMPLE_ONE_FOR_ONE))
			node_remove(t, c);
		else if (c->state != NS_FAILED)	/* a supervisor that gave up */
			c->state = NS_STOPPED;
		return;
	}
	if (!intensity_ok(t, s)) {
		c->state = NS_STOPPED;
		give_up(t, s);
		return;
	}
	logf_(t, "%s: %s; restarting (%zu of %d in %d s)", c->path, what,
	    s->nhist, s->spec->intensity, s->spec->period);
	c->state = NS_RESTARTING;
	if (delay_schedule(t, c, c->last_run) && free_standing(s))
		return;
	plan_restart(t, s, c);
	prog_run(t, s);
}

static int
pending_stop(const struct node *s, const struct node *c)
{
	size_t i;

	for (i = s->pc; i < s->nprog; i++)
		if ((s->prog[i].kind == STEP_STOP && s->prog[i].child == c) ||
		    s->prog[i].kind == STEP_STOP_ALL)
			return 1;
	return 0;
}

/* Child c (worker or supervisor) ended by itself with class cls. */
void
exit_of(struct tree *t, struct node *c, enum exit_class cls)
{
	struct node *s = c->parent;
	struct request *r;
	char *path;

	if (s == NULL)
		return;
	c->last_run = t->now > c->started_at ? t->now - c->started_at : 0;
	if (!busy(s)) {
		path = hold(s);
		decide(t, s, c, cls);
		if ((s = again(t, path)) != NULL)
			mbox_process(t, s);
		return;
	}
	/* Its supervisor is about to stop it anyway: nothing to decide. */
	if (pending_stop(s, c)) {
		c->state = NS_STOPPED;
		return;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return;
	r->kind = R_EXIT;
	r->child = c;
	r->incarnation = c->incarnation;
	r->cls = cls;
	c->state = NS_RESTARTING;
	mbox_push(t, s, r);
}

static void
prog_clear(struct node *s)
{
	prog_set(s, P_NONE, NULL, 0, NULL);
	s->waiting = 0;
}

static void
prog_done(struct tree *t, struct node *s)
{
	enum prog_kind kind = s->prog_kind;
	struct node *subject = s->subject;
	unsigned ticket = s->op_running;
	char *path;

	prog_clear(s);
	/* Down: what waited for it to be free will not run. */
	if (kind == P_FAILSTART || kind == P_GIVEUP || kind == P_SHUTDOWN)
		mbox_drop(t, s);
	switch (kind) {
	case P_START:
		s->state = NS_RUNNING;
		s->started_at = t->now;
		emit(t, json_pack("{ssss}", "event", "started", "path",
		    s->path));
		if (s->parent == NULL)
			t->ops->started(t);
		path = hold(s);
		child_settled(t, s, 1);
		if ((s = again(t, path)) == NULL)
			return;
		break;
	case P_FAILSTART:
		s->state = NS_FAILED;
		if (s->parent == NULL) {
			logf_(t, "%s: start failed: %s", s->path, t->failure);
			t->ops->exit(t, 1);
			return;
		}
		event_start_error(t, s, t->failure);
		child_settled(t, s, 0);
		return;
	case P_GIVEUP:
		s->state = NS_FAILED;
		s->last_exit.valid = 1;
		s->last_exit.code = 0;
		s->last_exit.signo = 0;
		strlcpy(s->last_exit.error, "reached_max_restart_intensity",
		    sizeof(s->last_exit.error));
		emit(t, json_pack("{ssssss}", "event", "shutdown", "path",
		    s->path, "reason", "reached_max_restart_intensity"));
		if (s->parent == NULL) {
			t->ops->exit(t, 1);
			return;
		}
		/* To its parent, a supervisor that gave up ended normally. */
		emit(t, json_pack("{sssssssb}", "event", "exited", "path",
		    s->path, "class", "normal", "by_supervisor", 0));
		exit_of(t, s, EXIT_NORMAL);
		return;
	case P_AUTOSHUTDOWN:
		auto_shutdown_done(t, s);
		return;
	case P_SHUTDOWN:
		s->state = NS_STOPPED;
		if (s->parent == NULL) {
			emit(t, json_pack("{ssssss}", "event", "shutdown",
			    "path", s->path, "reason", "shutdown"));
			t->ops->exit(t, 0);
			return;
		}
		emit(t, json_pack("{sssssssb}", "event", "exited", "path",
		    s->path, "class", "normal", "by_supervisor", 1));
		child_settled(t, s, 1);
		return;
	case P_OP:
		op_finish(t, subject, ticket);
		break;
	case P_RELOAD:
		reload_end(t);
		break;
	default:
		break;
	}
	if (s->state == NS_RUNNING)
		mbox_process(t, s);
}

/* A START step failed: child c did not come up. */
static void
prog_failed(struct tree *t, struct node *s, struct node *c)
{
	switch (s->prog_kind) {
	case P_START:
		/* The supervisor's own start fails: undo it (OTP). */
		snprintf(t->failure, sizeof(t->failure), "child %s: %s",
		    c->path, c->last_exit.error);
		stop_subtree(t, s, P_FAILSTART);
		return;
	case P_RESTART:
		/* A start error while restarting counts as another restart
		 * and is tried again, so intensity ends a crash loop. */
		if (!intensity_ok(t, s)) {
			give_up(t, s);
			return;
		}
		c->state = NS_RESTARTING;
		/* It never ran: its backoff goes on. */
		if (delay_schedule(t, c, 0) && free_standing(s)) {
			prog_done(t, s);
			return;
		}
		plan_restart(t, s, c);
		prog_run(t, s);
		return;
	default:
		/* Operator and reload starts do not retry; a dynamic
		 * instance that never started is not kept (OTP adds none). */
		if (s->prog_kind == P_RELOAD && c != NULL)
			reload_error(t, c);
		s->pc++;
		if (c != NULL && s->spec->strategy == SIMPLE_ONE_FOR_ONE &&
		    c->pid == 0)
			node_remove(t, c);
		prog_run(t, s);
		return;
	}
}

/* --- the mailbox --- */

void
mbox_push(struct tree *t, struct node *s, struct request *r)
{
	struct request **p = &s->mbox;

	while (*p != NULL)
		p = &(*p)->next;
	*p = r;
	if (!busy(s) && s->state == NS_RUNNING)
		mbox_process(t, s);
}

static void
one_step_prog(struct tree *t, struct node *s, struct node *c, int restart)
{
	struct step *steps;
	size_t n = 0;

	if ((steps = calloc(2, sizeof(*steps))) == NULL) {
		op_finish(t, c, s->op_running);
		return;
	}
	if (restart || c->op_stopped)
		steps_add(steps, &n, STEP_STOP, c);
	if (!c->op_stopped)
		steps_add(steps, &n, STEP_START, c);
	prog_set(s, P_OP, steps, n, c);
	prog_run(t, s);
}

static void
handle(struct tree *t, struct node *s, struct request *r)
{
	struct node *c = r->child;

	switch (r->kind) {
	case R_EXIT:
		/* Stale when the child was started again meanwhile. */
		if (c->incarnation == r->incarnation && c->pid == 0 &&
		    c->state == NS_RESTARTING)
			decide(t, s, c, r->cls);
		break;
	case R_STOP:
	case R_START:
		s->op_running = r->ticket;
		one_step_prog(t, s, c, 0);
		break;
	case R_RESTART:
		s->op_running = r->ticket;
		one_step_prog(t, s, c, 1);
		break;
	case R_RELOAD:
		reload_plan(t, s, r->spec, r->old);
		break;
	case R_DELAYED:
		/* Stale when a command started or stopped it meanwhile. */
		if (c->incarnation == r->incarnation && c->pid == 0 &&
		    c->state == NS_RESTARTING && c->next_start_at != 0) {
			delay_cancel(t, c);
			plan_restart(t, s, c);
			prog_run(t, s);
		}
		break;
	}
}

void
mbox_process(struct tree *t, struct node *s)
{
	struct request *r;
	char *path;

	while (!busy(s) && s->state == NS_RUNNING && (r = s->mbox) != NULL) {
		s->mbox = r->next;
		path = hold(s);
		handle(t, s, r);
		free(r);
		if ((s = again(t, path)) == NULL)
			return;
	}
}
