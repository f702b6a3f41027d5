/*
 * sup.c: the supervision core: OTP's supervisor rules over a tree of nodes,
 * as a function from (tree, event) to actions. It makes no system calls.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "control.h"		/* signal_name() */
#include "sup.h"

/* A node's own life; what status shows is derived from it (shown()). */
enum nstate {
	N_IDLE,
	N_STARTING,
	N_RUNNING,
	N_STOPPING
};

/* What a supervisor is doing: at most one operation at a time. */
enum plan_kind {
	P_NONE,
	P_BOOT,			/* its own start */
	P_RESTART,		/* a child ended and is restarted */
	P_OP,			/* operator start/restart of one child */
	P_RELOAD,
	P_STOP			/* its own stop */
};

enum stop_why {
	W_REQUESTED,		/* by its parent, the operator or shutdown */
	W_GAVE_UP,		/* reached_max_restart_intensity */
	W_BOOT_FAILED		/* a child failed to start */
};

enum step_op {
	S_START,		/* start node; wait until started or ready */
	S_STOP,			/* stop node; wait until it is down */
	S_STOP_ALL		/* stop every child at once (simple_one_for_one) */
};

enum step_res {
	R_DONE,
	R_WAIT,
	R_FAIL
};

/* What waits for a busy supervisor, handled in order when it is idle. */
enum pend_kind {
	Q_DOWN,			/* a child ended on its own */
	Q_RETRY,		/* a restart's start failed: restart again */
	Q_START,		/* operator start, start-child */
	Q_RESTART,		/* operator restart */
	Q_RELOAD
};

/* Child-to-supervisor notices: OTP's messages, handled in FIFO order. */
enum msg_kind {
	M_UP,
	M_FAILED,
	M_DOWN
};

/* One spec tree and how many nodes point into it. */
struct gen {
	struct spec		*root;
	size_t			 refs;
	struct gen		*next;
};

struct step {
	enum step_op		 op;
	struct sup_node		*node;
	int			 begun;
};

struct plan {
	enum plan_kind		 kind;
	enum stop_why		 why;
	struct step		*steps;
	size_t			 n;
	size_t			 cur;
	char			*fail;		/* W_BOOT_FAILED: why */
};

struct pend {
	enum pend_kind		 kind;
	struct sup_node		*node;
};

struct msg {
	enum msg_kind		 kind;
	struct sup_node		*node;
	unsigned		 inc;
	int			 expected;
};

struct sup_node {
	struct sup_node		*parent;
	const struct spec	*spec;		/* worker: its spec or template */
	struct gen		*gen;
	const struct spec	*next_spec;	/* reload: use at next start */
	struct gen		*next_gen;
	char			 id[SPEC_ID_MAX + 1];
	char			*path;
	int			 depth;
	int			 dynamic;
	char			**extra;	/* start-child arguments */
	size_t			 nextra;
	char			**argv;		/* dynamic: template + extra */

	enum nstate		 st;
	enum sup_state		 idle;		/* SUP_STOPPED or SUP_FAILED */
	unsigned		 inc;		/* bumped at each start */
	pid_t			 pid;
	int64_t			 since;
	unsigned		 restarts;
	int			 has_exit;
	struct sup_exit		 last;
	char			*fail;		/* last start error */

	unsigned		 op_stopped:1;
	unsigned		 started_ok:1;	/* reached running since start */
	unsigned		 start_failed:1;
	unsigned		 down_pending:1; /* a Q_DOWN waits for it */
	unsigned		 restart_due:1;	/* an operation will start it */
	unsigned		 doomed:1;	/* removed by a reload */
	unsigned		 fresh:1;	/* added by a reload */
	unsigned		 reload_restart:1;
	unsigned		 mark:1;

	/* supervisor */
	struct sup_node		**kids;		/* in start order */
	size_t			 nkids;
	int64_t			*hist;		/* restart times, ms */
	size_t			 nhist;
	struct plan		 plan;
	struct pend		*pend;
	size_t			 npend;
	unsigned long		 next_dyn;
	int			 reload_pending;
};

struct sup_tree {
	struct sup_node		*root;
	struct gen		*gens;		/* the current one first */
	int64_t			 now;
	struct msg		*inbox;
	size_t			 nin, hin, cin;
	struct sup_action	*acts;
	size_t			 nacts, hacts, cacts;
	char			*hold[2];	/* strings of the last sup_next */
	int			 nomem;
	int			 booted;
	int			 shutting_down;
	int			 exited;
};

static void	sup_run(struct sup_tree *, struct sup_node *);
static void	node_start(struct sup_tree *, struct sup_node *);
static void	node_stop(struct sup_tree *, struct sup_node *);
static void	node_free(struct sup_tree *, struct sup_node *);
static void	reload_sup(struct sup_tree *, struct sup_node *,
		    const struct spec *, struct gen *);

/* --- small helpers --- */

static int
grow(struct sup_tree *t, void *pp, size_t *cap, size_t need, size_t size)
{
	void	**p = pp, *np;
	size_t	  ncap;

	if (need <= *cap)
		return 0;
	ncap = *cap != 0 ? *cap : 8;
	while (ncap < need)
		ncap *= 2;
	if ((np = reallocarray(*p, ncap, size)) == NULL) {
		t->nomem = 1;
		return -1;
	}
	*p = np;
	*cap = ncap;
	return 0;
}

static char *
xstrdup(struct sup_tree *t, const char *s)
{
	char	*p;

	if (s == NULL)
		return NULL;
	if ((p = strdup(s)) == NULL)
		t->nomem = 1;
	return p;
}

static char * __attribute__((format(printf, 2, 3)))
xprintf(struct sup_tree *t, const char *fmt, ...)
{
	va_list	 ap;
	char	*p;
	int	 r;

	va_start(ap, fmt);
	r = vasprintf(&p, fmt, ap);
	va_end(ap);
	if (r == -1) {
		t->nomem = 1;
		return NULL;
	}
	return p;
}

static void __attribute__((format(printf, 3, 4)))
seterr(char *err, size_t len, const char *fmt, ...)
{
	va_list	ap;

	if (err == NULL || len == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

static int
alive(const struct sup_node *n)
{
	return n->st != N_IDLE;
}

static int
is_sup(const struct sup_node *n)
{
	return n->spec->type == SPEC_SUPERVISOR;
}

static int
is_sofo(const struct spec *sp)
{
	return sp->type == SPEC_SUPERVISOR &&
	    sp->strategy == SIMPLE_ONE_FOR_ONE;
}

/* Cannot begin an operation now: not running, or one is under way. */
static int
busy(const struct sup_node *s)
{
	return s->st != N_RUNNING || s->plan.kind != P_NONE;
}

/* OTP's do_restart: permanent always, transient after abnormal exits. */
static int
must_restart(const struct sup_node *n)
{
	if (n->op_stopped)
		return 0;
	switch (n->spec->restart) {
	case RESTART_PERMANENT:
		return 1;
	case RESTART_TRANSIENT:
		return n->last.class == SUP_ABNORMAL;
	default:
		return 0;
	}
}

/*
 * OTP deletes a temporary child when it ends (also when a sibling's
 * restart stopped it); an operator-stopped one stays so it can be
 * started again, one an operation is about to start stays too.
 */
static int
removable(const struct sup_node *n)
{
	return n->doomed || (n->spec->restart == RESTART_TEMPORARY &&
	    !n->op_stopped && !n->restart_due);
}

/* --- actions --- */

static struct sup_action *
act_new(struct sup_tree *t, enum sup_act type, const struct sup_node *n)
{
	struct sup_action	*a;

	if (t->hacts == t->nacts)
		t->hacts = t->nacts = 0;
	if (grow(t, &t->acts, &t->cacts, t->nacts + 1, sizeof(*a)) == -1)
		return NULL;
	a = &t->acts[t->nacts++];
	memset(a, 0, sizeof(*a));
	a->type = type;
	if (n != NULL) {
		a->node = (struct sup_node *)n;
		a->pid = n->pid;
		a->path = xstrdup(t, n->path);
	}
	return a;
}

static void __attribute__((format(printf, 2, 3)))
logx(struct sup_tree *t, const char *fmt, ...)
{
	struct sup_action	*a;
	va_list			 ap;
	char			*p;

	va_start(ap, fmt);
	if (vasprintf(&p, fmt, ap) == -1) {
		t->nomem = 1;
		p = NULL;
	}
	va_end(ap);
	if (p == NULL)
		return;
	if ((a = act_new(t, SUP_LOG, NULL)) == NULL) {
		free(p);
		return;
	}
	a->text = p;
}

static struct sup_action *
emit(struct sup_tree *t, enum sup_ev ev, const struct sup_node *n,
    const char *text)
{
	struct sup_action	*a;

	if ((a = act_new(t, SUP_EVENT, n)) == NULL)
		return NULL;
	a->event = ev;
	a->text = xstrdup(t, text);
	return a;
}

static void
emit_exited(struct sup_tree *t, const struct sup_node *n, pid_t pid,
    int by_sup)
{
	struct sup_action	*a;

	if ((a = emit(t, SUP_EV_EXITED, n, NULL)) == NULL)
		return;
	a->pid = pid;
	a->exit = n->last;
	a->by_supervisor = by_sup;
}

static void
act_kill(struct sup_tree *t, const struct sup_node *n, int signo)
{
	struct sup_action	*a;

	if ((a = act_new(t, SUP_KILL, n)) != NULL)
		a->signo = signo;
}

static void
act_exit(struct sup_tree *t, int status)
{
	struct sup_action	*a;

	if ((a = act_new(t, SUP_EXIT, NULL)) != NULL)
		a->status = status;
	t->exited = 1;
}

int
sup_next(struct sup_tree *t, struct sup_action *a)
{
	free(t->hold[0]);
	free(t->hold[1]);
	t->hold[0] = t->hold[1] = NULL;
	if (t->hacts == t->nacts)
		return 0;
	*a = t->acts[t->hacts++];
	t->hold[0] = (char *)a->path;
	t->hold[1] = (char *)a->text;
	return 1;
}

/* --- child-to-supervisor notices --- */

static void
post(struct sup_tree *t, enum msg_kind kind, struct sup_node *n,
    int expected)
{
	struct msg	*m;

	if (n->parent == NULL)
		return;
	if (grow(t, &t->inbox, &t->cin, t->nin + 1, sizeof(*m)) == -1)
		return;
	m = &t->inbox[t->nin++];
	m->kind = kind;
	m->node = n;
	m->inc = n->inc;
	m->expected = expected;
}

/* --- spec generations --- */

static void
node_set_spec(struct sup_node *n, const struct spec *sp, struct gen *g)
{
	g->refs++;
	if (n->gen != NULL)
		n->gen->refs--;
	n->spec = sp;
	n->gen = g;
}

static void
node_clear_next(struct sup_node *n)
{
	if (n->next_gen != NULL)
		n->next_gen->refs--;
	n->next_spec = NULL;
	n->next_gen = NULL;
	n->reload_restart = 0;
}

static void
node_apply_next(struct sup_node *n)
{
	if (n->next_spec == NULL)
		return;
	node_set_spec(n, n->next_spec, n->next_gen);
	node_clear_next(n);
}

/* Free the spec trees no node points into any more. */
static void
gens_collect(struct sup_tree *t)
{
	struct gen	**gp, *g;

	gp = &t->gens->next;
	while ((g = *gp) != NULL) {
		if (g->refs == 0) {
			*gp = g->next;
			spec_free(g->root);
			free(g);
		} else
			gp = &g->next;
	}
}

/* --- nodes --- */

static int
kids_append(struct sup_tree *t, struct sup_node *s, struct sup_node *n)
{
	struct sup_node	**v;

	if ((v = reallocarray(s->kids, s->nkids + 1, sizeof(*v))) == NULL) {
		t->nomem = 1;
		return -1;
	}
	s->kids = v;
	s->kids[s->nkids++] = n;
	return 0;
}

static struct sup_node *
node_new(struct sup_tree *t, struct sup_node *parent, const struct spec *sp,
    struct gen *g, const char *id)
{
	struct sup_node	*n, *k;
	size_t		 i;

	if ((n = calloc(1, sizeof(*n))) == NULL) {
		t->nomem = 1;
		return NULL;
	}
	strlcpy(n->id, id, sizeof(n->id));
	n->parent = parent;
	n->depth = parent != NULL ? parent->depth + 1 : 0;
	n->path = parent != NULL ? xprintf(t, "%s/%s", parent->path, id) :
	    xstrdup(t, id);
	n->st = N_IDLE;
	n->idle = SUP_STOPPED;
	node_set_spec(n, sp, g);
	if (n->path == NULL)
		goto fail;
	if (sp->type != SPEC_SUPERVISOR || is_sofo(sp))
		return n;
	for (i = 0; i < sp->nchildren; i++) {
		k = node_new(t, n, sp->children[i], g, sp->children[i]->id);
		if (k == NULL)
			goto fail;
		if (kids_append(t, n, k) == -1) {
			node_free(t, k);
			goto fail;
		}
	}
	return n;
fail:
	node_free(t, n);
	return NULL;
}

/* Forget every reference to n: the inbox, its supervisor's plan, queue. */
static void
node_scrub(struct sup_tree *t, struct sup_node *n)
{
	struct sup_node	*s = n->parent;
	size_t		 i;

	for (i = t->hin; i < t->nin; i++)
		if (t->inbox[i].node == n)
			t->inbox[i].node = NULL;
	if (s == NULL)
		return;
	for (i = 0; i < s->plan.n; i++)
		if (s->plan.steps[i].node == n)
			s->plan.steps[i].node = NULL;
	for (i = 0; i < s->npend; i++)
		if (s->pend[i].node == n)
			s->pend[i].node = NULL;
}

static void
strv_free(char **v)
{
	size_t	i;

	if (v == NULL)
		return;
	for (i = 0; v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

static void
node_free(struct sup_tree *t, struct sup_node *n)
{
	size_t	i;

	if (n == NULL)
		return;
	for (i = 0; i < n->nkids; i++)
		node_free(t, n->kids[i]);
	node_scrub(t, n);
	free(n->kids);
	free(n->plan.steps);
	free(n->plan.fail);
	free(n->pend);
	free(n->hist);
	free(n->path);
	free(n->fail);
	strv_free(n->extra);
	free(n->argv);
	if (n->gen != NULL)
		n->gen->refs--;
	node_clear_next(n);
	free(n);
}

/* Remove n from the tree. */
static void
node_detach(struct sup_tree *t, struct sup_node *n)
{
	struct sup_node	*s = n->parent;
	size_t		 i;

	for (i = 0; i < s->nkids; i++)
		if (s->kids[i] == n) {
			memmove(&s->kids[i], &s->kids[i + 1],
			    (s->nkids - i - 1) * sizeof(*s->kids));
			s->nkids--;
			break;
		}
	node_free(t, n);
}

static size_t
kid_index(const struct sup_node *s, const struct sup_node *n)
{
	size_t	i;

	for (i = 0; i < s->nkids; i++)
		if (s->kids[i] == n)
			break;
	return i;
}

static struct sup_node *
kid_by_id(const struct sup_node *s, const char *id, size_t len)
{
	size_t	i;

	for (i = 0; i < s->nkids; i++)
		if (!s->kids[i]->doomed && !s->kids[i]->mark &&
		    strlen(s->kids[i]->id) == len &&
		    strncmp(s->kids[i]->id, id, len) == 0)
			return s->kids[i];
	return NULL;
}

/* "exited with code 1", or for a failed start its error. */
static void
node_what(const struct sup_node *n, char *buf, size_t len)
{
	if (n->start_failed)
		snprintf(buf, len, "failed to start: %s",
		    n->fail != NULL ? n->fail : "unknown error");
	else
		sup_exit_describe(&n->last, buf, len);
}

/* --- queue of a busy supervisor --- */

static void
pend_push(struct sup_tree *t, struct sup_node *s, enum pend_kind kind,
    struct sup_node *n)
{
	struct pend	*v;

	if ((v = reallocarray(s->pend, s->npend + 1, sizeof(*v))) == NULL) {
		t->nomem = 1;
		return;
	}
	s->pend = v;
	s->pend[s->npend].kind = kind;
	s->pend[s->npend].node = n;
	s->npend++;
}

static void
pend_clear(struct sup_node *s)
{
	free(s->pend);
	s->pend = NULL;
	s->npend = 0;
	s->reload_pending = 0;
}

/* --- plans --- */

static void
plan_clear(struct sup_node *s)
{
	free(s->plan.steps);
	free(s->plan.fail);
	memset(&s->plan, 0, sizeof(s->plan));
}

static struct step *
steps_new(struct sup_tree *t, size_t n)
{
	struct step	*v;

	if ((v = calloc(n + 1, sizeof(*v))) == NULL)
		t->nomem = 1;
	return v;
}

static void
plan_set(struct sup_node *s, enum plan_kind kind, struct step *v, size_t n)
{
	plan_clear(s);
	s->plan.kind = kind;
	s->plan.steps = v;
	s->plan.n = n;
}

static size_t
step_add(struct step *v, size_t n, enum step_op op, struct sup_node *node)
{
	v[n].op = op;
	v[n].node = node;
	v[n].begun = 0;
	return n + 1;
}

/* A supervisor's own start: its children one by one, in order. */
static void
begin_boot(struct sup_tree *t, struct sup_node *s)
{
	struct step	*v;
	size_t		 i, n = 0;

	if ((v = steps_new(t, s->nkids)) == NULL)
		return;
	for (i = 0; i < s->nkids; i++)
		n = step_add(v, n, S_START, s->kids[i]);
	s->st = N_STARTING;
	plan_set(s, P_BOOT, v, n);
}

/*
 * A supervisor's stop: children in reverse start order, one at a time;
 * simple_one_for_one instances all at once (SPEC section 2, Stop). It
 * abandons whatever the supervisor was doing.
 */
static void
begin_stop(struct sup_tree *t, struct sup_node *s, enum stop_why why)
{
	struct step	*v;
	size_t		 i, n = 0;

	pend_clear(s);
	for (i = 0; i < s->nkids; i++) {
		s->kids[i]->restart_due = 0;
		s->kids[i]->down_pending = 0;
	}
	s->st = N_STOPPING;
	if ((v = steps_new(t, s->nkids)) == NULL) {
		plan_clear(s);
		return;
	}
	if (is_sofo(s->spec))
		n = step_add(v, n, S_STOP_ALL, NULL);
	else
		for (i = s->nkids; i-- > 0;)
			n = step_add(v, n, S_STOP, s->kids[i]);
	plan_set(s, P_STOP, v, n);
	s->plan.why = why;
}

/*
 * OTP's restart/2 by strategy. one_for_all: stop the others in reverse
 * order, then start all non-temporary children in order (also those
 * that had ended without a restart); rest_for_one: the same for c and
 * the children after it; one_for_one and simple_one_for_one: c alone.
 */
static void
restart_plan(struct sup_tree *t, struct sup_node *s, struct sup_node *c)
{
	struct step	*v;
	struct sup_node	*k;
	size_t		 i, from, n = 0;

	if ((v = steps_new(t, 2 * s->nkids)) == NULL)
		return;
	switch (s->spec->strategy) {
	case ONE_FOR_ALL:
		from = 0;
		break;
	case REST_FOR_ONE:
		from = kid_index(s, c);
		break;
	default:
		from = s->nkids;
		break;
	}
	for (i = s->nkids; i-- > from;)
		if (s->kids[i] != c)
			n = step_add(v, n, S_STOP, s->kids[i]);
	for (i = from; i < s->nkids; i++) {
		k = s->kids[i];
		if (k != c && (k->spec->restart == RESTART_TEMPORARY ||
		    k->doomed))
			continue;
		n = step_add(v, n, S_START, k);
		k->restart_due = !k->op_stopped;
	}
	if (from == s->nkids) {
		n = step_add(v, n, S_START, c);
		c->restart_due = 1;
	}
	plan_set(s, P_RESTART, v, n);
}

/* Operator start or restart of one child: not a restart for intensity. */
static void
op_plan(struct sup_tree *t, struct sup_node *s, struct sup_node *c,
    int stop_first)
{
	struct step	*v;
	size_t		 n = 0;

	if ((v = steps_new(t, 2)) == NULL)
		return;
	if (stop_first)
		n = step_add(v, n, S_STOP, c);
	n = step_add(v, n, S_START, c);
	c->restart_due = 1;
	plan_set(s, P_OP, v, n);
}

/*
 * Reload: stop removed children (reverse), stop changed live ones
 * (reverse), start changed and new ones (in order).
 */
static void
reload_plan(struct sup_tree *t, struct sup_node *s)
{
	struct step	*v;
	struct sup_node	*k;
	size_t		 i, n = 0;

	if ((v = steps_new(t, 2 * s->nkids)) == NULL)
		return;
	for (i = s->nkids; i-- > 0;)
		if (s->kids[i]->doomed)
			n = step_add(v, n, S_STOP, s->kids[i]);
	for (i = s->nkids; i-- > 0;) {
		k = s->kids[i];
		if (!k->doomed && k->reload_restart && alive(k))
			n = step_add(v, n, S_STOP, k);
	}
	for (i = 0; i < s->nkids; i++) {
		k = s->kids[i];
		if (k->doomed)
			continue;
		if (k->fresh || (k->reload_restart && alive(k))) {
			n = step_add(v, n, S_START, k);
			k->restart_due = 1;
		} else if (!alive(k))
			node_apply_next(k);
		k->fresh = 0;
		k->reload_restart = 0;
	}
	plan_set(s, P_RELOAD, v, n);
}

/* --- workers --- */

/* A simple_one_for_one instance runs the template's argv + its args. */
static int
build_argv(struct sup_tree *t, struct sup_node *n)
{
	char	**v;
	size_t	  i, argc = n->spec->argc;

	if ((v = reallocarray(NULL, argc + n->nextra + 1, sizeof(*v))) ==
	    NULL) {
		t->nomem = 1;
		return -1;
	}
	for (i = 0; i < argc; i++)
		v[i] = n->spec->argv[i];
	for (i = 0; i < n->nextra; i++)
		v[argc + i] = n->extra[i];
	v[argc + n->nextra] = NULL;
	free(n->argv);
	n->argv = v;
	return 0;
}

static void
start_error(struct sup_tree *t, struct sup_node *n, const char *why)
{
	n->start_failed = 1;
	free(n->fail);
	n->fail = xstrdup(t, why);
	n->idle = SUP_FAILED;
	emit(t, SUP_EV_START_ERROR, n, why);
}

static void
worker_start(struct sup_tree *t, struct sup_node *n)
{
	if (n->dynamic && build_argv(t, n) == -1) {
		start_error(t, n, "out of memory");
		post(t, M_FAILED, n, 0);
		return;
	}
	n->st = N_STARTING;
	n->pid = 0;
	act_new(t, SUP_SPAWN, n);
}

static void
became_ready(struct sup_node *n, struct sup_tree *t)
{
	n->st = N_RUNNING;
	n->started_ok = 1;
	post(t, M_UP, n, 0);
}

/* stop_signal to the group, SIGKILL after shutdown ms (OTP's shutdown). */
static void
worker_signal(struct sup_tree *t, struct sup_node *n)
{
	struct sup_action	*a;
	int64_t			 sh = n->spec->shutdown;

	if (sh == SHUTDOWN_BRUTAL_KILL) {
		act_kill(t, n, SIGKILL);
		return;
	}
	act_kill(t, n, n->spec->stop_signal);
	if (sh >= 0 && (a = act_new(t, SUP_TIMER, n)) != NULL)
		a->ms = sh;
}

/* --- supervisors --- */

/*
 * A supervisor starts afresh, as OTP re-runs init/1: static children as
 * in its spec (removed temporary ones come back), no dynamic instances,
 * an empty restart history. Operator stops are kept (SPEC section 2).
 */
static void
reset_kids(struct sup_tree *t, struct sup_node *s)
{
	struct sup_node	**v, *k;
	const struct spec *c;
	size_t		  i, n = 0;

	s->nhist = 0;
	if ((v = calloc(s->spec->nchildren + 1, sizeof(*v))) == NULL) {
		t->nomem = 1;
		return;
	}
	for (i = 0; i < s->nkids; i++)
		s->kids[i]->mark = 0;
	for (i = 0; !is_sofo(s->spec) && i < s->spec->nchildren; i++) {
		c = s->spec->children[i];
		if ((k = kid_by_id(s, c->id, strlen(c->id))) == NULL)
			k = node_new(t, s, c, s->gen, c->id);
		else
			k->mark = 1;
		if (k != NULL)
			v[n++] = k;
	}
	for (i = 0; i < s->nkids; i++)
		if (!s->kids[i]->mark)
			node_free(t, s->kids[i]);
	for (i = 0; i < n; i++)
		v[i]->mark = 0;
	free(s->kids);
	s->kids = v;
	s->nkids = n;
}

/* --- starting and stopping any node --- */

static void
node_start(struct sup_tree *t, struct sup_node *n)
{
	n->inc++;
	n->started_ok = 0;
	n->start_failed = 0;
	free(n->fail);
	n->fail = NULL;
	n->down_pending = 0;
	n->restart_due = 0;
	node_apply_next(n);
	if (!is_sup(n)) {
		worker_start(t, n);
		return;
	}
	reset_kids(t, n);
	begin_boot(t, n);
	sup_run(t, n);
}

static void
node_stop(struct sup_tree *t, struct sup_node *n)
{
	if (!alive(n) || n->st == N_STOPPING)
		return;
	if (is_sup(n)) {
		begin_stop(t, n, W_REQUESTED);
		sup_run(t, n);
		return;
	}
	n->st = N_STOPPING;
	if (n->pid != 0)
		worker_signal(t, n);
}

/* --- steps --- */

static enum step_res
step_start(struct sup_tree *t, struct sup_node *s, struct step *st)
{
	struct sup_node	*n = st->node;

	if (n == NULL)
		return R_DONE;
	if (!st->begun) {
		st->begun = 1;
		n->restart_due = 0;
		if (alive(n) || n->op_stopped || n->doomed)
			return R_DONE;
		if (s->plan.kind == P_RESTART)
			n->restarts++;
		node_start(t, n);
	}
	if (n->started_ok)
		return R_DONE;
	if (alive(n))
		return R_WAIT;
	return n->op_stopped ? R_DONE : R_FAIL;
}

static enum step_res
step_stop(struct sup_tree *t, struct step *st)
{
	struct sup_node	*n = st->node;

	if (n == NULL)
		return R_DONE;
	if (!st->begun) {
		st->begun = 1;
		/* A queued exit of a child we stop is absorbed (OTP). */
		n->down_pending = 0;
		if (!alive(n)) {
			if (removable(n))
				node_detach(t, n);
			return R_DONE;
		}
		node_stop(t, n);
	}
	return alive(n) ? R_WAIT : R_DONE;
}

static enum step_res
step_stop_all(struct sup_tree *t, struct sup_node *s, struct step *st)
{
	size_t	i;

	if (!st->begun) {
		st->begun = 1;
		for (i = s->nkids; i-- > 0;) {
			s->kids[i]->down_pending = 0;
			node_stop(t, s->kids[i]);
		}
	}
	for (i = 0; i < s->nkids; i++)
		if (alive(s->kids[i]))
			return R_WAIT;
	return R_DONE;
}

static enum step_res
step_run(struct sup_tree *t, struct sup_node *s, struct step *st)
{
	switch (st->op) {
	case S_START:
		return step_start(t, s, st);
	case S_STOP:
		return step_stop(t, st);
	case S_STOP_ALL:
		return step_stop_all(t, s, st);
	}
	return R_DONE;
}

/* --- ends of operations --- */

/* A supervisor is down: say so, and tell its parent or the daemon. */
static void
sup_down(struct sup_tree *t, struct sup_node *s, enum stop_why why,
    char *fail)
{
	s->st = N_IDLE;
	pend_clear(s);
	switch (why) {
	case W_REQUESTED:
	case W_GAVE_UP:
		s->idle = why == W_GAVE_UP ? SUP_FAILED : SUP_STOPPED;
		s->has_exit = 1;
		s->last.code = -1;
		s->last.signo = 0;
		s->last.class = SUP_NORMAL;
		if (s->parent == NULL)
			break;
		/* Giving up reads as a normal exit to the parent (OTP). */
		emit_exited(t, s, 0, why == W_REQUESTED);
		post(t, M_DOWN, s, why == W_REQUESTED);
		return;
	case W_BOOT_FAILED:
		start_error(t, s, fail != NULL ? fail : "a child failed");
		if (s->parent == NULL)
			break;
		post(t, M_FAILED, s, 0);
		return;
	}
	if (why == W_REQUESTED) {
		emit(t, SUP_EV_SHUTDOWN, s, "shutdown");
		logx(t, "%s: shutdown complete", s->path);
		act_exit(t, 0);
	} else if (why == W_GAVE_UP) {
		logx(t, "%s: gave up (reached_max_restart_intensity); "
		    "exiting", s->path);
		act_exit(t, 1);
	} else {
		logx(t, "%s: failed to start: %s", s->path,
		    s->fail != NULL ? s->fail : "unknown error");
		act_exit(t, 1);
	}
}

static void
plan_done(struct sup_tree *t, struct sup_node *s)
{
	enum plan_kind	 kind = s->plan.kind;
	enum stop_why	 why = s->plan.why;
	char		*fail = s->plan.fail;

	s->plan.fail = NULL;
	plan_clear(s);
	if (kind == P_BOOT) {
		s->st = N_RUNNING;
		s->started_ok = 1;
		s->since = t->now;
		emit(t, SUP_EV_STARTED, s, NULL);
		post(t, M_UP, s, 0);
	} else if (kind == P_STOP)
		sup_down(t, s, why, fail);
	free(fail);
}

/*
 * A start failed. In a supervisor's own start, the whole start fails:
 * stop what started, in reverse, then report to the parent. In a
 * restart, it counts as another restart, queued like OTP's
 * try_again_restart. After an operator start or a reload: left failed.
 */
static int
step_failed(struct sup_tree *t, struct sup_node *s, struct sup_node *n)
{
	char	*why;

	switch (s->plan.kind) {
	case P_BOOT:
		why = is_sup(n) ? xstrdup(t, n->fail) : xprintf(t, "%s: %s",
		    n->path, n->fail != NULL ? n->fail : "unknown error");
		begin_stop(t, s, W_BOOT_FAILED);
		s->plan.fail = why;
		return 1;
	case P_RESTART:
		plan_clear(s);
		n->restart_due = 1;
		pend_push(t, s, Q_RETRY, n);
		return 1;
	default:
		logx(t, "%s: failed to start: %s; not retried", n->path,
		    n->fail != NULL ? n->fail : "unknown error");
		if (n->dynamic)
			node_detach(t, n);
		return 0;
	}
}

/* Run s's operation as far as it goes: R_WAIT, or R_DONE when it ended. */
static enum step_res
plan_advance(struct sup_tree *t, struct sup_node *s)
{
	struct plan	*p = &s->plan;
	struct step	*st;

	while (p->cur < p->n) {
		st = &p->steps[p->cur];
		switch (step_run(t, s, st)) {
		case R_WAIT:
			return R_WAIT;
		case R_FAIL:
			if (step_failed(t, s, st->node))
				return R_DONE;
			/* FALLTHROUGH */
		case R_DONE:
			p->cur++;
			break;
		}
	}
	plan_done(t, s);
	return R_DONE;
}

/* --- restarts and intensity --- */

/* OTP's add_restart: restarts within (now - period, now], this one too. */
static int
add_restart(struct sup_tree *t, struct sup_node *s)
{
	int64_t	 window = (int64_t)s->spec->period * 1000, *v;
	size_t	 i, j;

	for (i = j = 0; i < s->nhist; i++)
		if (t->now - s->hist[i] < window)
			s->hist[j++] = s->hist[i];
	s->nhist = j;
	if ((v = reallocarray(s->hist, j + 1, sizeof(*v))) == NULL) {
		t->nomem = 1;
		return (int)j + 1;
	}
	s->hist = v;
	s->hist[s->nhist++] = t->now;
	return (int)s->nhist;
}

static void
give_up(struct sup_tree *t, struct sup_node *s)
{
	logx(t, "%s: more than %d restarts in %d s; shutting down "
	    "(reached_max_restart_intensity)", s->path, s->spec->intensity,
	    s->spec->period);
	emit(t, SUP_EV_SHUTDOWN, s, "reached_max_restart_intensity");
	begin_stop(t, s, W_GAVE_UP);
}

static void
restart_child(struct sup_tree *t, struct sup_node *s, struct sup_node *n,
    const char *what)
{
	int	k;

	k = add_restart(t, s);
	if (k > s->spec->intensity) {
		logx(t, "%s: %s; not restarted: %s gives up", n->path, what,
		    s->path);
		n->idle = SUP_FAILED;
		give_up(t, s);
		return;
	}
	logx(t, "%s: %s; restarting (%d of %d in %d s)", n->path, what, k,
	    s->spec->intensity, s->spec->period);
	restart_plan(t, s, n);
}

/* A child ended on its own and its supervisor is free to act. */
static void
handle_down(struct sup_tree *t, struct sup_node *s, struct sup_node *n)
{
	char	what[256];

	node_what(n, what, sizeof(what));
	n->restart_due = 0;
	if (must_restart(n)) {
		restart_child(t, s, n, what);
		return;
	}
	/* Nothing else changes (SPEC section 2). */
	logx(t, "%s: %s; not restarted (%s)", n->path, what,
	    restart_name(n->spec->restart));
	if (n->dynamic || removable(n))
		node_detach(t, n);
}

static void
pend_next(struct sup_tree *t, struct sup_node *s)
{
	struct pend	 e = s->pend[0];
	struct sup_node	*n = e.node;
	char		 what[256];

	memmove(&s->pend[0], &s->pend[1], (s->npend - 1) * sizeof(e));
	s->npend--;
	if (e.kind == Q_RELOAD) {
		s->reload_pending = 0;
		reload_plan(t, s);
		return;
	}
	if (n == NULL)
		return;
	switch (e.kind) {
	case Q_DOWN:
		if (!n->down_pending || alive(n))
			return;
		n->down_pending = 0;
		handle_down(t, s, n);
		break;
	case Q_RETRY:
		if (alive(n) || n->op_stopped)
			return;
		node_what(n, what, sizeof(what));
		restart_child(t, s, n, what);
		break;
	case Q_START:
	case Q_RESTART:
		if (n->op_stopped || (e.kind == Q_START && alive(n)))
			return;
		op_plan(t, s, n, alive(n));
		break;
	default:
		break;
	}
}

/*
 * Drive supervisor s: its operation as far as it goes, then what was
 * queued while it was busy, in order, until it must wait again.
 */
static void
sup_run(struct sup_tree *t, struct sup_node *s)
{
	for (;;) {
		if (s->plan.kind != P_NONE) {
			if (plan_advance(t, s) == R_WAIT)
				return;
			continue;
		}
		if (s->st != N_RUNNING || s->npend == 0)
			return;
		pend_next(t, s);
	}
}

/* --- notices from children --- */

static void
on_down(struct sup_tree *t, struct sup_node *s, struct sup_node *n,
    int expected)
{
	if (expected) {
		n->idle = SUP_STOPPED;
		if (removable(n))
			node_detach(t, n);
		return;
	}
	n->idle = n->last.class == SUP_ABNORMAL ? SUP_FAILED : SUP_STOPPED;
	if (s->st == N_STOPPING || s->st == N_IDLE) {
		if (removable(n))
			node_detach(t, n);
		return;
	}
	if (busy(s)) {
		/* OTP: handled after the operation under way. */
		n->down_pending = 1;
		n->restart_due = must_restart(n);
		pend_push(t, s, Q_DOWN, n);
		return;
	}
	handle_down(t, s, n);
}

static void
on_msg(struct sup_tree *t, const struct msg *m)
{
	struct sup_node	*n = m->node, *s = n->parent;

	if (m->inc != n->inc)
		return;		/* about an earlier incarnation */
	switch (m->kind) {
	case M_UP:
		break;
	case M_FAILED:
		n->idle = n->op_stopped ? SUP_STOPPED : SUP_FAILED;
		break;
	case M_DOWN:
		on_down(t, s, n, m->expected);
		break;
	}
	sup_run(t, s);
}

static void
drain(struct sup_tree *t)
{
	struct msg	m;

	while (t->hin < t->nin) {
		m = t->inbox[t->hin++];
		if (m.node != NULL)
			on_msg(t, &m);
	}
	t->hin = t->nin = 0;
}

/* Every entry point: record the time ... */
static int
enter(struct sup_tree *t, int64_t now)
{
	t->now = now;
	t->nomem = 0;
	return t->exited ? -1 : 0;
}

/* ... and, on the way out, let every supervisor react. */
static int
leave(struct sup_tree *t)
{
	drain(t);
	gens_collect(t);
	if (t->nomem) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

/* --- the tree --- */

struct sup_tree *
sup_new(struct spec *root)
{
	struct sup_tree	*t;
	struct gen	*g;

	if (root == NULL || root->type != SPEC_SUPERVISOR) {
		errno = EINVAL;
		return NULL;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	if ((g = calloc(1, sizeof(*g))) == NULL) {
		free(t);
		return NULL;
	}
	g->root = root;
	t->gens = g;
	if ((t->root = node_new(t, NULL, root, g, root->id)) == NULL) {
		free(g);
		free(t);
		errno = ENOMEM;
		return NULL;
	}
	return t;
}

void
sup_free(struct sup_tree *t)
{
	struct gen	*g;
	size_t		 i;

	if (t == NULL)
		return;
	node_free(t, t->root);
	while ((g = t->gens) != NULL) {
		t->gens = g->next;
		spec_free(g->root);
		free(g);
	}
	for (i = t->hacts; i < t->nacts; i++) {
		free((char *)t->acts[i].path);
		free((char *)t->acts[i].text);
	}
	free(t->acts);
	free(t->hold[0]);
	free(t->hold[1]);
	free(t->inbox);
	free(t);
}

/* --- events from the runtime --- */

int
sup_boot(struct sup_tree *t, int64_t now)
{
	if (enter(t, now) == -1 || t->booted) {
		errno = EINVAL;
		return -1;
	}
	t->booted = 1;
	node_start(t, t->root);
	return leave(t);
}

int
sup_spawned(struct sup_tree *t, struct sup_node *n, pid_t pid, int64_t now)
{
	if (n == NULL || pid <= 0 || is_sup(n) || n->pid != 0 ||
	    (n->st != N_STARTING && n->st != N_STOPPING)) {
		errno = EINVAL;
		return -1;
	}
	enter(t, now);
	n->pid = pid;
	n->since = now;
	emit(t, SUP_EV_STARTED, n, NULL);
	if (n->st == N_STOPPING)
		worker_signal(t, n);	/* its stop came first */
	else if (n->spec->ready == READY_EXEC)
		became_ready(n, t);
	return leave(t);
}

int
sup_spawn_failed(struct sup_tree *t, struct sup_node *n, const char *reason,
    int64_t now)
{
	if (n == NULL || is_sup(n) || n->pid != 0 ||
	    (n->st != N_STARTING && n->st != N_STOPPING)) {
		errno = EINVAL;
		return -1;
	}
	enter(t, now);
	n->st = N_IDLE;
	start_error(t, n, reason != NULL ? reason : "spawn failed");
	post(t, M_FAILED, n, 0);
	return leave(t);
}

int
sup_ready(struct sup_tree *t, pid_t pid, int64_t now)
{
	struct sup_node	*n;

	if (enter(t, now) == -1)
		return 0;
	/* A late or repeated READY=1 changes nothing. */
	if ((n = sup_find_pid(t, pid)) != NULL && n->st == N_STARTING) {
		emit(t, SUP_EV_READY, n, NULL);
		became_ready(n, t);
	}
	return leave(t);
}

int
sup_start_timeout(struct sup_tree *t, pid_t pid, int64_t now)
{
	struct sup_node	*n;
	char		*why;

	if (enter(t, now) == -1)
		return 0;
	if ((n = sup_find_pid(t, pid)) == NULL || n->st != N_STARTING)
		return leave(t);
	why = xprintf(t, "start_timeout: no READY=1 within %lld ms",
	    (long long)n->spec->start_timeout);
	n->start_failed = 1;
	free(n->fail);
	n->fail = why;
	logx(t, "%s: %s; stopping it", n->path, why != NULL ? why : "");
	node_stop(t, n);
	return leave(t);
}

int
sup_watchdog(struct sup_tree *t, pid_t pid, int64_t now)
{
	struct sup_node	*n;

	if (enter(t, now) == -1)
		return 0;
	/* Handled as a crash: it stays running until it is down. */
	if ((n = sup_find_pid(t, pid)) != NULL && n->st == N_RUNNING) {
		logx(t, "%s: no WATCHDOG=1 within %lld ms; killing", n->path,
		    (long long)n->spec->watchdog);
		act_kill(t, n, SIGKILL);
	}
	return leave(t);
}

int
sup_timer(struct sup_tree *t, pid_t pid, int64_t now)
{
	struct sup_node	*n;

	if (enter(t, now) == -1)
		return 0;
	if ((n = sup_find_pid(t, pid)) != NULL && n->st == N_STOPPING) {
		logx(t, "%s: did not stop within %lld ms; killing", n->path,
		    (long long)n->spec->shutdown);
		act_kill(t, n, SIGKILL);
	}
	return leave(t);
}

int
sup_exited(struct sup_tree *t, pid_t pid, int status, int64_t now)
{
	struct sup_node	*n;
	enum nstate	 was;
	char		 what[128], *why;

	if (enter(t, now) == -1 || (n = sup_find_pid(t, pid)) == NULL)
		return t->exited ? 0 : leave(t);
	sup_exit_from_status(n->spec, status, &n->last);
	n->has_exit = 1;
	was = n->st;
	n->st = N_IDLE;
	n->pid = 0;
	if (was == N_STARTING) {
		/* Dying before READY=1: abnormal, and a start error. */
		n->last.class = SUP_ABNORMAL;
		emit_exited(t, n, pid, 0);
		sup_exit_describe(&n->last, what, sizeof(what));
		why = xprintf(t, "%s before ready", what);
		start_error(t, n, why != NULL ? why : "exited before ready");
		free(why);
		post(t, M_FAILED, n, 0);
	} else if (was == N_STOPPING) {
		emit_exited(t, n, pid, 1);
		if (n->start_failed) {
			emit(t, SUP_EV_START_ERROR, n, n->fail);
			n->idle = SUP_FAILED;
			post(t, M_FAILED, n, 0);
		} else
			post(t, M_DOWN, n, 1);
	} else {
		emit_exited(t, n, pid, 0);
		post(t, M_DOWN, n, 0);
	}
	return leave(t);
}

int
sup_shutdown(struct sup_tree *t, int64_t now)
{
	struct sup_node	*r = t->root;

	if (enter(t, now) == -1 || t->shutting_down)
		return t->exited ? 0 : leave(t);
	t->shutting_down = 1;
	logx(t, "%s: shutting down", r->path);
	if (!alive(r)) {
		emit(t, SUP_EV_SHUTDOWN, r, "shutdown");
		act_exit(t, 0);
	} else
		node_stop(t, r);	/* a root giving up keeps its status 1 */
	return leave(t);
}

/* --- operator commands --- */

static struct sup_node *
op_target(struct sup_tree *t, const char *path, int64_t now, char *err,
    size_t len)
{
	struct sup_node	*n;

	if (enter(t, now) == -1 || t->shutting_down) {
		seterr(err, len, "supervisord is shutting down");
		return NULL;
	}
	if ((n = sup_lookup(t, path)) == NULL) {
		seterr(err, len, "%s: no such child", path);
		return NULL;
	}
	if (n->parent == NULL) {
		seterr(err, len, "%s: is the root (use shutdown)", path);
		return NULL;
	}
	return n;
}

/* Start (or restart) c now, or after what its supervisor is doing. */
static void
request(struct sup_tree *t, struct sup_node *c, enum pend_kind kind)
{
	struct sup_node	*s = c->parent;

	if (busy(s)) {
		pend_push(t, s, kind, c);
		return;
	}
	op_plan(t, s, c, kind == Q_RESTART && alive(c));
	sup_run(t, s);
}

static int
parent_running(const struct sup_node *n, char *err, size_t len)
{
	const struct sup_node	*s = n->parent;

	if (s->st == N_RUNNING || s->st == N_STARTING)
		return 1;
	seterr(err, len, "%s: its supervisor %s is not running", n->path,
	    s->path);
	return 0;
}

int
sup_stop(struct sup_tree *t, const char *path, int64_t now, char *err,
    size_t len)
{
	struct sup_node	*n;

	if ((n = op_target(t, path, now, err, len)) == NULL)
		return -1;
	/* supkit's departure from OTP: it stays stopped until started. */
	n->op_stopped = 1;
	n->down_pending = 0;
	n->restart_due = 0;
	if (alive(n) && n->st != N_STOPPING) {
		logx(t, "%s: stopping (operator)", n->path);
		node_stop(t, n);
	}
	return leave(t);
}

int
sup_start(struct sup_tree *t, const char *path, int64_t now, char *err,
    size_t len)
{
	struct sup_node	*n;

	if ((n = op_target(t, path, now, err, len)) == NULL)
		return -1;
	if (!parent_running(n, err, len))
		return leave(t) == 0 ? -1 : -1;
	n->op_stopped = 0;
	if (n->st == N_STOPPING)
		request(t, n, Q_RESTART);
	else if (!alive(n)) {
		logx(t, "%s: starting (operator)", n->path);
		request(t, n, Q_START);
	}
	return leave(t);
}

int
sup_restart(struct sup_tree *t, const char *path, int64_t now, char *err,
    size_t len)
{
	struct sup_node	*n;

	if ((n = op_target(t, path, now, err, len)) == NULL)
		return -1;
	if (!parent_running(n, err, len))
		return leave(t) == 0 ? -1 : -1;
	n->op_stopped = 0;
	logx(t, "%s: restarting (operator)", n->path);
	request(t, n, Q_RESTART);
	return leave(t);
}

int
sup_delete_child(struct sup_tree *t, const char *path, int64_t now,
    char *err, size_t len)
{
	struct sup_node	*n;

	if ((n = op_target(t, path, now, err, len)) == NULL)
		return -1;
	if (alive(n)) {
		seterr(err, len, "%s: is %s; stop it first", n->path,
		    sup_state_name(n->st == N_STOPPING ? SUP_STOPPING :
		    SUP_RUNNING));
		return leave(t) == 0 ? -1 : -1;
	}
	logx(t, "%s: deleted", n->path);
	node_detach(t, n);
	return leave(t);
}

static int
copy_args(struct sup_tree *t, struct sup_node *n, char *const *args,
    size_t nargs)
{
	size_t	i;

	if ((n->extra = calloc(nargs + 1, sizeof(*n->extra))) == NULL) {
		t->nomem = 1;
		return -1;
	}
	for (i = 0; i < nargs; i++)
		if ((n->extra[i] = xstrdup(t, args[i])) == NULL)
			return -1;
	n->nextra = nargs;
	return 0;
}

struct sup_node *
sup_start_child(struct sup_tree *t, const char *path, char *const *args,
    size_t nargs, int64_t now, char *err, size_t len)
{
	struct sup_node	*s, *n;
	char		 id[32];

	if (enter(t, now) == -1 || t->shutting_down) {
		seterr(err, len, "supervisord is shutting down");
		return NULL;
	}
	if ((s = sup_lookup(t, path)) == NULL || !is_sofo(s->spec)) {
		seterr(err, len, "%s: %s", path, s == NULL ? "no such child" :
		    "not a simple_one_for_one supervisor");
		return NULL;
	}
	if (s->st != N_RUNNING && s->st != N_STARTING) {
		seterr(err, len, "%s: is not running", s->path);
		return NULL;
	}
	/* Ids 1, 2, ... in start order, never reused (SPEC section 1). */
	snprintf(id, sizeof(id), "%lu", ++s->next_dyn);
	if ((n = node_new(t, s, s->spec->template, s->gen, id)) == NULL ||
	    copy_args(t, n, args, nargs) == -1 ||
	    kids_append(t, s, n) == -1) {
		node_free(t, n);
		seterr(err, len, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	n->dynamic = 1;
	request(t, n, Q_START);
	leave(t);
	return n;
}

/* --- reload --- */

/* Whether node n can take spec c in place (else it is replaced). */
static int
compatible(const struct spec *old, const struct spec *c)
{
	return old->type == c->type && is_sofo(old) == is_sofo(c);
}

static void
set_next(struct sup_node *k, const struct spec *c, struct gen *g)
{
	node_clear_next(k);
	g->refs++;
	k->next_spec = c;
	k->next_gen = g;
	k->reload_restart = alive(k);
}

/* A worker keeps running when spec_equal; else it restarts with c. */
static void
reload_worker(struct sup_node *k, const struct spec *c, struct gen *g)
{
	if (spec_equal(k->spec, c)) {
		node_clear_next(k);
		node_set_spec(k, c, g);
	} else
		set_next(k, c, g);
}

static void
reload_kids(struct sup_tree *t, struct sup_node *s, const struct spec *ns,
    struct gen *g)
{
	struct sup_node	**v, *k;
	const struct spec *c;
	size_t		  i, n = 0;

	if ((v = calloc(ns->nchildren + s->nkids + 1, sizeof(*v))) == NULL) {
		t->nomem = 1;
		return;
	}
	for (i = 0; i < s->nkids; i++)
		s->kids[i]->mark = 0;
	for (i = 0; i < ns->nchildren; i++) {
		c = ns->children[i];
		k = kid_by_id(s, c->id, strlen(c->id));
		if (k != NULL && compatible(k->spec, c)) {
			k->mark = 1;
			if (is_sup(k))
				reload_sup(t, k, c, g);
			else
				reload_worker(k, c, g);
		} else {
			if (k != NULL)
				k->doomed = 1;
			if ((k = node_new(t, s, c, g, c->id)) == NULL)
				continue;
			k->fresh = 1;
			k->mark = 1;
		}
		v[n++] = k;
	}
	/* Removed ones stay, at the end, until they are down. */
	for (i = 0; i < s->nkids; i++)
		if (!s->kids[i]->mark) {
			s->kids[i]->doomed = 1;
			v[n++] = s->kids[i];
		}
	for (i = 0; i < n; i++)
		v[i]->mark = 0;
	free(s->kids);
	s->kids = v;
	s->nkids = n;
}

/* Not running: nothing to stop or start, just take the new specs. */
static void
reload_settle(struct sup_tree *t, struct sup_node *s)
{
	struct sup_node	*k;
	size_t		 i;

	for (i = s->nkids; i-- > 0;) {
		k = s->kids[i];
		k->fresh = 0;
		if (alive(k))
			continue;
		if (k->doomed)
			node_detach(t, k);
		else
			node_apply_next(k);
	}
}

static int
reload_needed(const struct sup_node *s)
{
	size_t	i;

	for (i = 0; i < s->nkids; i++)
		if (s->kids[i]->doomed || s->kids[i]->fresh ||
		    s->kids[i]->next_spec != NULL)
			return 1;
	return 0;
}

static void
reload_sup(struct sup_tree *t, struct sup_node *s, const struct spec *ns,
    struct gen *g)
{
	const struct spec	*otpl = s->spec->template;
	size_t			 i;

	/* Own fields change in place, as OTP's code_change does. */
	node_set_spec(s, ns, g);
	if (is_sofo(ns)) {
		for (i = 0; i < s->nkids; i++)
			reload_worker(s->kids[i], ns->template, g);
		(void)otpl;
	} else
		reload_kids(t, s, ns, g);
	if (!reload_needed(s))
		return;
	if (s->st != N_RUNNING && s->st != N_STARTING) {
		if (s->st == N_IDLE)
			reload_settle(t, s);
		return;
	}
	if (busy(s)) {
		if (!s->reload_pending) {
			s->reload_pending = 1;
			pend_push(t, s, Q_RELOAD, NULL);
		}
		return;
	}
	reload_plan(t, s);
	sup_run(t, s);
}

int
sup_reload(struct sup_tree *t, struct spec *root, int64_t now, char *err,
    size_t len)
{
	struct gen	*g;

	if (enter(t, now) == -1 || t->shutting_down) {
		seterr(err, len, "supervisord is shutting down");
		errno = EINVAL;
		return -1;
	}
	if (root == NULL || root->type != SPEC_SUPERVISOR ||
	    strcmp(root->id, t->root->id) != 0 ||
	    is_sofo(root) != is_sofo(t->root->spec)) {
		seterr(err, len, "%s: the root's id, type and being "
		    "simple_one_for_one cannot change without a restart",
		    t->root->path);
		errno = EINVAL;
		return -1;
	}
	if ((g = calloc(1, sizeof(*g))) == NULL) {
		seterr(err, len, "out of memory");
		errno = EINVAL;
		return -1;
	}
	g->root = root;
	g->next = t->gens;
	t->gens = g;
	logx(t, "%s: reloading", t->root->path);
	reload_sup(t, t->root, root, g);
	return leave(t);
}

/* --- lookup and status --- */

struct sup_node *
sup_root(struct sup_tree *t)
{
	return t->root;
}

struct sup_node *
sup_lookup(struct sup_tree *t, const char *path)
{
	struct sup_node	*n = t->root;
	size_t		 len;

	if (path == NULL)
		return NULL;
	len = strcspn(path, "/");
	if (strlen(n->id) != len || strncmp(n->id, path, len) != 0)
		return NULL;
	for (path += len; *path == '/'; path += len) {
		path++;
		len = strcspn(path, "/");
		if ((n = kid_by_id(n, path, len)) == NULL)
			return NULL;
	}
	return *path == '\0' ? n : NULL;
}

static struct sup_node *
find_pid(struct sup_node *n, pid_t pid)
{
	struct sup_node	*k;
	size_t		 i;

	if (n->pid == pid && !is_sup(n))
		return n;
	for (i = 0; i < n->nkids; i++)
		if ((k = find_pid(n->kids[i], pid)) != NULL)
			return k;
	return NULL;
}

struct sup_node *
sup_find_pid(struct sup_tree *t, pid_t pid)
{
	if (pid <= 0)
		return NULL;
	return find_pid(t->root, pid);
}

static enum sup_state
shown(const struct sup_node *n)
{
	switch (n->st) {
	case N_STARTING:
		return SUP_STARTING;
	case N_RUNNING:
		return SUP_RUNNING;
	case N_STOPPING:
		return SUP_STOPPING;
	default:
		return n->restart_due ? SUP_RESTARTING : n->idle;
	}
}

void
sup_status(const struct sup_node *n, struct sup_status *s)
{
	memset(s, 0, sizeof(*s));
	s->path = n->path;
	s->id = n->id;
	s->depth = n->depth;
	s->type = n->spec->type;
	s->restart = n->spec->restart;
	s->state = shown(n);
	s->pid = n->pid;
	s->since = n->since;
	s->restarts = n->restarts;
	s->has_exit = n->has_exit;
	s->last_exit = n->last;
	s->error = n->start_failed ? n->fail : NULL;
	s->operator_stopped = n->op_stopped;
	s->dynamic = n->dynamic;
}

static int
walk(struct sup_node *n, int (*fn)(const struct sup_status *, void *),
    void *arg)
{
	struct sup_status	st;
	size_t			i;
	int			r;

	sup_status(n, &st);
	if ((r = fn(&st, arg)) != 0)
		return r;
	for (i = 0; i < n->nkids; i++)
		if ((r = walk(n->kids[i], fn, arg)) != 0)
			return r;
	return 0;
}

int
sup_walk(struct sup_tree *t, struct sup_node *n,
    int (*fn)(const struct sup_status *, void *), void *arg)
{
	return walk(n != NULL ? n : t->root, fn, arg);
}

const char *
sup_node_path(const struct sup_node *n)
{
	return n->path;
}

const struct spec *
sup_node_spec(const struct sup_node *n)
{
	return n->spec;
}

char *const *
sup_node_argv(const struct sup_node *n)
{
	if (n->dynamic && n->argv != NULL)
		return n->argv;
	return n->spec->argv;
}

pid_t
sup_node_pid(const struct sup_node *n)
{
	return n->pid;
}

/* --- exits and names --- */

enum sup_class
sup_exit_class(const struct spec *sp, int status)
{
	size_t	i;

	if (WIFEXITED(status)) {
		for (i = 0; i < sp->nnormal_exit_codes; i++)
			if (sp->normal_exit_codes[i] == WEXITSTATUS(status))
				return SUP_NORMAL;
		return SUP_ABNORMAL;
	}
	if (WIFSIGNALED(status))
		switch (WTERMSIG(status)) {
		case SIGTERM:
		case SIGINT:
		case SIGHUP:
		case SIGPIPE:
			return SUP_NORMAL;	/* OTP's shutdown */
		default:
			break;
		}
	return SUP_ABNORMAL;
}

void
sup_exit_from_status(const struct spec *sp, int status, struct sup_exit *e)
{
	e->code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	e->signo = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
	e->class = sup_exit_class(sp, status);
}

int
sup_exit_describe(const struct sup_exit *e, char *buf, size_t len)
{
	if (e->code >= 0)
		return snprintf(buf, len, "exited with code %d", e->code);
	if (e->signo > 0)
		return snprintf(buf, len, "exited on signal %s",
		    signal_name(e->signo));
	return snprintf(buf, len, "shut down");
}

const char *
sup_state_name(enum sup_state s)
{
	static const char *const names[] = {
		"stopped", "starting", "running", "stopping", "restarting",
		"failed"
	};

	return (size_t)s < sizeof(names) / sizeof(names[0]) ? names[s] :
	    "unknown";
}

const char *
sup_class_name(enum sup_class c)
{
	return c == SUP_NORMAL ? "normal" : "abnormal";
}

const char *
sup_event_name(enum sup_ev e)
{
	static const char *const names[] = {
		"started", "ready", "exited", "start_error", "shutdown"
	};

	return (size_t)e < sizeof(names) / sizeof(names[0]) ? names[e] :
	    "unknown";
}
