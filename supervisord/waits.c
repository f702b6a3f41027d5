/*
 * waits.c: control calls kept until what they asked for has an outcome
 * (supervisorctl(8), Waiting). A call waits for one item per path; an
 * item is done with once the core says its request finished (op_done,
 * the node's op_finished reaching the item's ticket) and its node is in
 * the state asked for, or never will be. Reloads and shutdowns are told
 * by the event stream. The core keeps no trace of who is waiting.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "control.h"
#include "msg.h"
#include "tree.h"
#include "waits.h"

enum item_state { PENDING, OK, FAILED };

struct item {
	char		*path;
	unsigned	 ticket;
	enum item_state	 state;
	int		 already;	/* was what it asked for */
	int		 settling;	/* its request is done with, its
					   outcome to come: judged on events */
	char		*why;		/* FAILED */
	const char	*node_state;	/* OK: the state reached */
};

struct waits {
	struct waits	*next;
	struct msg_call	*call;		/* NULL until parked */
	int		 wait;		/* 0: answer once taken on */
	enum wait_kind	 kind;
	enum wait_style	 style;
	int64_t		 timeout_ms;
	struct msg_timer *timer;
	struct item	*items;
	size_t		 n, cap, left;
	json_t		*errors;	/* WAIT_RELOAD: the reloaded event's */
	json_t		*plan;		/* WAIT_RELOAD: what it applies */
};

static struct msg_loop	*loop;
static struct waits	*all;

static void	resolve(struct waits *, struct item *, const char *state,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

void
waits_init(struct msg_loop *l)
{
	loop = l;
}

/*
 * Listed from the start: what the command sets off may already bring
 * the outcome (a reload that changes nothing, a stop of a stopped
 * child), before the call is parked.
 */
struct waits *
waits_new(enum wait_kind kind, enum wait_style style, int wait,
    int64_t timeout_ms)
{
	struct waits *w;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	w->kind = kind;
	w->style = style;
	w->wait = wait;
	w->timeout_ms = timeout_ms;
	w->next = all;
	all = w;
	return w;
}

int
waits_add(struct waits *w, const char *path, unsigned ticket)
{
	struct item *v = w->items;
	size_t cap = w->cap ? 2 * w->cap : 4;

	/* Doubling: `stop all' of 10,000 children is one call. */
	if (w->n == w->cap) {
		if ((v = reallocarray(w->items, cap, sizeof(*v))) == NULL)
			return -1;
		w->items = v;
		w->cap = cap;
	}
	memset(&v[w->n], 0, sizeof(*v));
	if ((v[w->n].path = strdup(path)) == NULL)
		return -1;
	v[w->n].ticket = ticket;
	w->n++;
	w->left++;
	if (!w->wait)
		resolve(w, &v[w->n - 1], NULL, NULL);
	return 0;
}

void
waits_already(struct waits *w)
{
	if (w->n > 0)
		w->items[w->n - 1].already = 1;
}

void
waits_set_plan(struct waits *w, json_t *plan)
{
	json_decref(w->plan);
	w->plan = plan;
}

int
waits_add_failed(struct waits *w, const char *path, const char *why)
{
	struct item *it;

	if (waits_add(w, path, 0) == -1)
		return -1;
	it = &w->items[w->n - 1];
	if (it->state != PENDING) {	/* taken on, said waits_add */
		it->state = PENDING;
		w->left++;
	}
	resolve(w, it, NULL, "%s", why);
	return 0;
}

static void
unlink_waits(struct waits *w)
{
	struct waits **p;

	for (p = &all; *p != NULL; p = &(*p)->next)
		if (*p == w) {
			*p = w->next;
			return;
		}
}

void
waits_discard(struct waits *w)
{
	size_t i;

	if (w == NULL)
		return;
	unlink_waits(w);
	if (w->timer != NULL)
		msg_timer_cancel(loop, w->timer);
	for (i = 0; i < w->n; i++) {
		free(w->items[i].path);
		free(w->items[i].why);
	}
	free(w->items);
	json_decref(w->errors);
	json_decref(w->plan);
	free(w);
}

static void
resolve(struct waits *w, struct item *it, const char *state, const char *fmt,
    ...)
{
	va_list ap;

	if (it->state != PENDING)
		return;
	w->left--;
	if (fmt == NULL) {
		it->state = OK;
		it->node_state = state;
		return;
	}
	it->state = FAILED;
	va_start(ap, fmt);
	if (vasprintf(&it->why, fmt, ap) == -1)
		it->why = NULL;
	va_end(ap);
}

int
node_down(const struct node *n)
{
	size_t i;

	if (n->pid != 0 || n->state == NS_STARTING ||
	    n->state == NS_STOPPING || n->state == NS_RUNNING)
		return 0;
	for (i = 0; i < n->nkids; i++)
		if (!node_down(n->kids[i]))
			return 0;
	return 1;
}

static void
judge_start(struct waits *w, struct item *it, const struct node *n)
{
	const struct node *s = n->parent;

	if (n->op_finished < it->ticket)
		return;
	/* Already on its way up for another request: its outcome will do.
	 * Its started event comes just before an exec child is running. */
	if (n->state == NS_STARTING && n->spec->ready == READY_EXEC &&
	    n->pid != 0 && !n->exec_pending)
		resolve(w, it, node_state_name(NS_RUNNING), NULL);
	else if (n->state == NS_STARTING &&
	    (s == NULL || s->state == NS_RUNNING))
		it->settling = 1;
	else if (n->state == NS_RUNNING || n->state == NS_DONE)
		resolve(w, it, node_state_name(n->state), NULL);
	else if (n->state == NS_FAILED && n->last_exit.error[0] != '\0')
		resolve(w, it, NULL, "%s", n->last_exit.error);
	else if (n->op_stopped)
		resolve(w, it, NULL, "stopped meanwhile by another command");
	else if (s != NULL && s->state != NS_RUNNING)
		resolve(w, it, NULL, "not started: its supervisor %s is %s",
		    s->path, node_state_name(s->state));
	else
		resolve(w, it, NULL, "not started: it is %s",
		    node_state_name(n->state));
}

/*
 * Stopped by the operator and down: it stays down, even while its
 * request still waits in a busy supervisor's mailbox.
 */
static void
judge_stop(struct waits *w, struct item *it, const struct node *n)
{
	if (n->op_stopped && node_down(n))
		resolve(w, it, node_state_name(n->state), NULL);
	else if (n->op_finished >= it->ticket && !n->op_stopped)
		resolve(w, it, NULL, "started again meanwhile by another "
		    "command");
	else if (n->op_finished >= it->ticket)
		it->settling = 1;	/* dropped: down with its supervisor */
}

static void
judge(struct tree *t, struct waits *w, struct item *it)
{
	const struct node *n;

	if (it->state != PENDING ||
	    (w->kind != WAIT_START && w->kind != WAIT_STOP))
		return;
	if ((n = tree_find(t, it->path)) == NULL) {
		/* Gone: stopped for good; a start said why in forget. */
		if (w->kind == WAIT_STOP)
			resolve(w, it, "removed", NULL);
		else
			resolve(w, it, NULL, "removed from the tree");
	} else if (w->kind == WAIT_START)
		judge_start(w, it, n);
	else
		judge_stop(w, it, n);
}

static json_t *
item_json(const struct item *it)
{
	json_t *o = json_pack("{sssb}", "path", it->path, "ok",
	    it->state == OK);

	if (o == NULL)
		return NULL;
	if (it->state == OK) {
		if (it->already)
			json_object_set_new(o, "already", json_true());
		if (it->node_state != NULL)
			json_object_set_new(o, "state",
			    json_string(it->node_state));
	} else if (it->state == FAILED)
		json_object_set_new(o, "error", json_string(it->why != NULL ?
		    it->why : "out of memory"));
	else
		json_object_set_new(o, "pending", json_true());
	return o;
}

/* {"ok":..., "results":[...]}, "timeout":true when some are pending. */
static json_t *
paths_reply(const struct waits *w)
{
	json_t *o, *a;
	size_t i;
	int ok = 1;

	if ((a = json_array()) == NULL)
		return NULL;
	for (i = 0; i < w->n; i++) {
		json_array_append_new(a, item_json(&w->items[i]));
		ok &= w->items[i].state == OK;
	}
	if ((o = json_pack("{sbso}", "ok", ok, "results", a)) != NULL &&
	    w->left > 0)
		json_object_set_new(o, "timeout", json_true());
	return o;
}

/*
 * {"ok":..., "plan":[...]}: the actions the reload took, the starts that
 * failed ("errors", from the reloaded event), "timeout" when it is not
 * applied yet.
 */
static json_t *
reload_reply(const struct waits *w, char *err, size_t len)
{
	const struct item *it = w->n > 0 ? &w->items[0] : NULL;
	json_t *o;
	int failed = json_array_size(w->errors) > 0;

	if (it != NULL && it->state == FAILED) {	/* supervisord exits */
		snprintf(err, len, "%s", it->why != NULL ? it->why :
		    "out of memory");
		return NULL;
	}
	if ((o = json_pack("{sbso}", "ok", !failed && w->left == 0, "plan",
	    w->plan != NULL ? json_incref(w->plan) : json_array())) == NULL)
		return NULL;
	if (failed)
		json_object_set(o, "errors", w->errors);
	if (w->left > 0)
		json_object_set_new(o, "timeout", json_true());
	return o;
}

/* The reply, or NULL with the error text to send in err. */
static json_t *
reply_of(const struct waits *w, char *err, size_t len)
{
	const struct item *it = w->n > 0 ? &w->items[0] : NULL;

	if (w->style == WAIT_PATHS)
		return paths_reply(w);
	if (w->kind == WAIT_RELOAD)
		return reload_reply(w, err, len);
	if (w->left > 0 && w->kind == WAIT_SHUTDOWN)
		return json_pack("{sbsb}", "ok", 0, "timeout", 1);
	if (w->left > 0)
		return json_pack("{sbsbss}", "ok", 0, "timeout", 1, "path",
		    it != NULL ? it->path : "");
	if (it != NULL && it->state == FAILED) {
		snprintf(err, len, "%s: %s", it->path, it->why != NULL ?
		    it->why : "out of memory");
		return NULL;
	}
	if (w->kind == WAIT_READY)
		return json_pack("{sbssss}", "ready", 1, "path", it != NULL ?
		    it->path : "", "state", "running");
	if (w->style == WAIT_NEW_PATH && it != NULL)
		return json_pack("{ss}", "path", it->path);
	if (it != NULL && it->node_state != NULL)
		return json_pack("{sbssss}", "ok", 1, "path", it->path,
		    "state", it->node_state);
	return json_pack("{sb}", "ok", 1);
}

/* Send the answer of a parked call and forget it. */
static void
answer(struct waits *w)
{
	char err[8192] = "";
	json_t *reply;

	if (w->call == NULL)
		return;		/* not parked: waits_run answers */
	if ((reply = reply_of(w, err, sizeof(err))) != NULL) {
		msg_reply_json(w->call, reply);
		json_decref(reply);
	} else
		msg_reply_error(w->call, err[0] != '\0' ? MSG_ERR_BAD_REQUEST :
		    MSG_ERR_SERVER, err[0] != '\0' ? err : "out of memory");
	waits_discard(w);
}

static void
on_timeout(struct msg_loop *l, void *arg)
{
	struct waits *w = arg;

	w->timer = NULL;
	answer(w);
}

json_t *
waits_run(struct tree *t, struct waits *w, char *err, size_t len)
{
	struct msg_call *call;
	json_t *reply;
	size_t i;

	for (i = 0; i < w->n; i++)
		judge(t, w, &w->items[i]);
	if (w->left == 0) {
		reply = reply_of(w, err, len);
		waits_discard(w);
		return reply;
	}
	if ((call = control_keep()) == NULL) {
		waits_discard(w);	/* taken on, at least */
		return json_pack("{sb}", "ok", 1);
	}
	w->call = call;
	if (w->timeout_ms > 0)
		w->timer = msg_timer_start(loop, (uint64_t)w->timeout_ms,
		    on_timeout, w);
	return NULL;
}

/*
 * Judge again the items of path (NULL: those settling), answering the
 * calls that are done. Only few settle: an event does not cost a
 * lookup of every path a large `stop all' waits for.
 */
static void
judge_all(struct tree *t, const char *path)
{
	struct waits *w, *next;
	struct item *it;
	size_t i;

	for (w = all; w != NULL; w = next) {
		next = w->next;
		for (i = 0; i < w->n; i++) {
			it = &w->items[i];
			if (it->state == PENDING && (path == NULL ?
			    it->settling : strcmp(it->path, path) == 0))
				judge(t, w, it);
		}
		if (w->left == 0)
			answer(w);
	}
}

void
waits_op_done(struct tree *t, struct node *n)
{
	judge_all(t, n->path);
}

/* Every item of the calls of this kind is done (reload, shutdown). */
static void
settle_kind(enum wait_kind kind, const json_t *errors)
{
	struct waits *w, *next;
	size_t i;

	for (w = all; w != NULL; w = next) {
		next = w->next;
		if (w->kind != kind)
			continue;
		if (errors != NULL && w->errors == NULL)
			w->errors = json_deep_copy(errors);
		for (i = 0; i < w->n; i++)
			resolve(w, &w->items[i], NULL, NULL);
		answer(w);
	}
}

/*
 * A stop whose request was dropped with its supervisor's mailbox ends
 * with the supervisor's own stop: any event may be the one after which
 * its last process is gone.
 */
void
waits_event(struct tree *t, const json_t *ev)
{
	const char *e = json_string_value(json_object_get(ev, "event"));
	const char *p = json_string_value(json_object_get(ev, "path"));

	if (e == NULL || p == NULL)
		return;
	if (strcmp(e, "reloaded") == 0)
		settle_kind(WAIT_RELOAD, json_object_get(ev, "errors"));
	else if (strcmp(e, "shutdown") == 0 && strchr(p, '/') == NULL)
		settle_kind(WAIT_SHUTDOWN, NULL);
	else if (strcmp(e, "started") == 0 && strchr(p, '/') == NULL)
		settle_kind(WAIT_READY, NULL);
	if (all != NULL)
		judge_all(t, NULL);
}

/* Node n leaves the tree: a stop is done, a start will not come. */
void
waits_forget(struct tree *t, const struct node *n)
{
	struct waits *w, *next;
	struct item *it;
	size_t i;

	for (w = all; w != NULL; w = next) {
		next = w->next;
		for (i = 0; i < w->n; i++) {
			it = &w->items[i];
			if (strcmp(it->path, n->path) != 0)
				continue;
			if (w->kind == WAIT_STOP)
				resolve(w, it, "removed", NULL);
			else if (n->last_exit.error[0] != '\0')
				resolve(w, it, NULL, "%s", n->last_exit.error);
			else
				resolve(w, it, NULL, "removed from the tree");
		}
		if (w->left == 0)
			answer(w);
	}
}

void
waits_stopping(void)
{
	struct waits *w, *next;
	size_t i;

	for (w = all; w != NULL; w = next) {
		next = w->next;
		if (w->kind != WAIT_READY)
			continue;
		for (i = 0; i < w->n; i++)
			resolve(w, &w->items[i], NULL,
			    "supervisord is shutting down");
		answer(w);
	}
}

/* supervisord exits: a shutdown has what it asked for, the rest not. */
void
waits_free(void)
{
	size_t i;

	while (all != NULL) {
		for (i = 0; i < all->n; i++)
			if (all->kind == WAIT_SHUTDOWN)
				resolve(all, &all->items[i], NULL, NULL);
			else
				resolve(all, &all->items[i], NULL,
				    "supervisord is shutting down");
		if (all->call != NULL)
			answer(all);
		else
			waits_discard(all);
	}
}
