/*
 * tree.c: the supervision tree's structure: nodes and their paths,
 * operator commands, status, and the plan a reload carries out.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "signame.h"
#include "tree-int.h"

void
emit(struct tree *t, json_t *ev)
{
	if (ev != NULL)
		t->ops->event(t, ev);
}

void
logf_(struct tree *t, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	t->ops->log(t, line);
}

struct node *
node_new(struct tree *t, struct node *parent, const struct spec *sp,
    const char *id)
{
	struct node *n, **kids;

	if ((n = calloc(1, sizeof(*n))) == NULL)
		return NULL;
	n->spec = sp;
	n->parent = parent;
	strlcpy(n->id, id, sizeof(n->id));
	if (parent == NULL)
		n->path = strdup(id);
	else if (asprintf(&n->path, "%s/%s", parent->path, id) == -1)
		n->path = NULL;
	if (n->path == NULL)
		goto fail;
	if (parent != NULL) {
		kids = reallocarray(parent->kids, parent->nkids + 1,
		    sizeof(*kids));
		if (kids == NULL)
			goto fail;
		parent->kids = kids;
		kids[parent->nkids++] = n;
		n->depth = parent->depth + 1;
		/* autostart: false, or what the operator held. */
		n->op_stopped = hold_initial(t, n);
	}
	return n;
fail:
	free(n->path);
	free(n);
	return NULL;
}

int
node_index(const struct node *c)
{
	size_t i;

	for (i = 0; c->parent != NULL && i < c->parent->nkids; i++)
		if (c->parent->kids[i] == c)
			return (int)i;
	return -1;
}

/* Nothing may point at a node once it is gone. */
static void
purge_refs(struct node *s, struct node *c)
{
	struct request **p = &s->mbox, *r;
	size_t i;

	for (i = 0; i < s->nprog; i++)
		if (s->prog[i].child == c)
			s->prog[i].child = NULL;
	if (s->subject == c)
		s->subject = NULL;
	while ((r = *p) != NULL) {
		if (r->child == c) {
			*p = r->next;
			free(r);
		} else
			p = &r->next;
	}
}

void
node_remove(struct tree *t, struct node *c)
{
	struct node *s = c->parent;
	int i;

	while (c->nkids > 0)
		node_remove(t, c->kids[c->nkids - 1]);
	if (s != NULL) {
		purge_refs(s, c);
		if ((i = node_index(c)) >= 0) {
			memmove(s->kids + i, s->kids + i + 1,
			    (s->nkids - (size_t)i - 1) * sizeof(*s->kids));
			s->nkids--;
		}
	}
	if (t->ops->forget != NULL)
		t->ops->forget(t, c);
	mbox_drop(t, c);
	for (i = 0; (size_t)i < c->nextra; i++)
		free(c->extra[i]);
	free(c->extra);
	free(c->kids);
	free(c->prog);
	free(c->hist);
	free(c->path);
	free(c);
}

static struct node *
kid(const struct node *s, const char *id)
{
	size_t i;

	for (i = 0; i < s->nkids; i++)
		if (strcmp(s->kids[i]->id, id) == 0)
			return s->kids[i];
	return NULL;
}

static const struct spec *
spec_child(const struct spec *s, const char *id)
{
	size_t i;

	for (i = 0; i < s->nchildren; i++)
		if (strcmp(s->children[i]->id, id) == 0)
			return s->children[i];
	return NULL;
}

/*
 * Before a supervisor starts, its children are made to match its spec:
 * restarting a supervisor starts its whole subtree afresh (OTP re-runs
 * init), so temporary children that ended come back, and instances of
 * a simple_one_for_one supervisor are gone. Existing nodes keep their
 * counters and operator stops.
 */
void
node_sync_kids(struct tree *t, struct node *s)
{
	const struct spec *sp = s->spec, *c;
	struct node **order, *k;
	size_t i, had;

	if (sp->strategy == SIMPLE_ONE_FOR_ONE) {
		while (s->nkids > 0)
			node_remove(t, s->kids[s->nkids - 1]);
		return;
	}
	for (i = s->nkids; i-- > 0;) {
		k = s->kids[i];
		if ((c = spec_child(sp, k->id)) == NULL || c->type != k->spec->type)
			node_remove(t, k);
	}
	if ((order = calloc(sp->nchildren + 1, sizeof(*order))) == NULL)
		return;
	had = s->nkids;
	for (i = 0; i < sp->nchildren; i++) {
		/* Usually in place or new: no search (10,000 children). */
		k = NULL;
		if (i < had && strcmp(s->kids[i]->id, sp->children[i]->id) == 0)
			k = s->kids[i];
		else if (had > 0)
			k = kid(s, sp->children[i]->id);
		if (k == NULL)
			k = node_new(t, s, sp->children[i], sp->children[i]->id);
		if (k != NULL)
			k->spec = sp->children[i];
		order[i] = k;
	}
	/* node_new appended; now lay them out in spec order. */
	s->nkids = 0;
	for (i = 0; i < sp->nchildren; i++)
		if (order[i] != NULL)
			s->kids[s->nkids++] = order[i];
	free(order);
}

struct tree *
tree_new(struct spec *root, const struct tree_ops *ops, void *arg)
{
	struct tree *t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->spec = root;
	t->ops = ops;
	t->arg = arg;
	if ((t->root = node_new(t, NULL, root, root->id)) == NULL) {
		free(t);
		return NULL;
	}
	return t;
}

void
tree_free(struct tree *t)
{
	size_t i;

	if (t == NULL)
		return;
	t->reloads = 0;		/* no reloaded event from the teardown */
	node_remove(t, t->root);
	holds_free(t);
	json_decref(t->reload_errors);
	spec_free(t->spec);
	for (i = 0; i < t->nold; i++)
		spec_free(t->old[i]);
	free(t->old);
	free(t);
}

void *
tree_arg(struct tree *t)
{
	return t->arg;
}

struct node *
tree_root(struct tree *t)
{
	return t->root;
}

void
tree_set_now(struct tree *t, uint64_t ms)
{
	t->now = ms;
}

void
tree_start(struct tree *t)
{
	start_root(t, t->root);
}

void
tree_shutdown(struct tree *t)
{
	struct node *r = t->root;

	/* A root that gave up or failed to start ends with status 1, one
	 * that shuts itself down (auto_shutdown) with its child's. */
	if (t->shutting_down || r->state == NS_FAILED ||
	    r->prog_kind == P_GIVEUP || r->prog_kind == P_FAILSTART ||
	    r->prog_kind == P_AUTOSHUTDOWN)
		return;
	t->shutting_down = 1;
	stop_subtree(t, t->root, P_SHUTDOWN);
}

int
tree_shutting_down(const struct tree *t)
{
	return t->shutting_down;
}

struct node *
tree_find(struct tree *t, const char *path)
{
	struct node *n = t->root;
	const char *p = path, *slash;
	char id[SPEC_ID_MAX + 1];
	size_t len;

	for (;;) {
		slash = strchr(p, '/');
		len = slash ? (size_t)(slash - p) : strlen(p);
		if (len == 0 || len > SPEC_ID_MAX)
			return NULL;
		memcpy(id, p, len);
		id[len] = '\0';
		if (p == path) {
			if (strcmp(id, n->id) != 0)
				return NULL;
		} else if ((n = kid(n, id)) == NULL)
			return NULL;
		if (slash == NULL)
			return n;
		p = slash + 1;
	}
}

/*
 * tree_find, or NULL with "no such path: PATH" in err; a path that does
 * not start with the root's id gets a hint of what one looks like.
 */
struct node *
tree_lookup(struct tree *t, const char *path, char *err, size_t len)
{
	const char *id = t->root->id;
	size_t n = strlen(id);
	struct node *c;

	if ((c = tree_find(t, path)) != NULL)
		return c;
	if (strncmp(path, id, n) == 0 && (path[n] == '/' || path[n] == '\0'))
		snprintf(err, len, "no such path: %s", path);
	else
		snprintf(err, len, "no such path: %s (paths start with the "
		    "root's id, e.g. %s/%s)", path, id, path);
	return NULL;
}

static struct node *
find_child(struct tree *t, const char *path, char *err, size_t len)
{
	struct node *c;

	if ((c = tree_lookup(t, path, err, len)) == NULL)
		return NULL;
	if (c->parent == NULL) {
		snprintf(err, len, "%s is the root: use shutdown or reload",
		    path);
		return NULL;
	}
	if (t->shutting_down) {
		snprintf(err, len, "supervisord is shutting down");
		return NULL;
	}
	return c;
}

static int
request(struct tree *t, struct node *c, enum req_kind kind)
{
	struct request *r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return -1;
	r->kind = kind;
	r->child = c;
	r->ticket = ++t->tickets;
	mbox_push(t, c->parent, r);
	return 0;
}

unsigned
tree_op_ticket(struct tree *t)
{
	return t->tickets;
}

int
tree_op_stop(struct tree *t, const char *path, char *err, size_t len)
{
	struct node *c;
	int hurried;

	if ((c = find_child(t, path, err, len)) == NULL)
		return -1;
	c->op_stopped = 1;
	hold_op(t, c);
	if ((c = delay_op(t, c, 1, &hurried)) == NULL)
		return 0;
	return request(t, c, R_STOP);
}

int
tree_op_start(struct tree *t, const char *path, char *err, size_t len)
{
	struct node *c;
	int hurried;

	if ((c = find_child(t, path, err, len)) == NULL)
		return -1;
	c->op_stopped = 0;
	hold_op(t, c);
	if ((c = delay_op(t, c, 0, &hurried)) == NULL)
		return 0;
	return request(t, c, R_START);
}

int
tree_op_restart(struct tree *t, const char *path, char *err, size_t len)
{
	struct node *c;
	int hurried;

	if ((c = find_child(t, path, err, len)) == NULL)
		return -1;
	c->op_stopped = 0;
	hold_op(t, c);
	/* A restart program that waited for c has just restarted it. */
	if ((c = delay_op(t, c, 0, &hurried)) == NULL)
		return 0;
	return request(t, c, hurried ? R_START : R_RESTART);
}

int
tree_op_delete(struct tree *t, const char *path, char *err, size_t len)
{
	struct node *c;

	if ((c = find_child(t, path, err, len)) == NULL)
		return -1;
	if (c->pid != 0 || (c->state != NS_STOPPED && c->state != NS_FAILED &&
	    c->state != NS_DONE) || c->prog_kind != P_NONE) {
		snprintf(err, len, "%s is %s: stop it first", path,
		    node_state_name(c->state));
		return -1;
	}
	node_remove(t, c);
	return 0;
}

struct node *
tree_op_start_child(struct tree *t, const char *path, char **args,
    size_t nargs, char *err, size_t len)
{
	struct node *s, *c;
	char id[24];
	size_t i;

	if ((s = tree_lookup(t, path, err, len)) == NULL)
		return NULL;
	if (s->spec->type != SPEC_SUPERVISOR ||
	    s->spec->strategy != SIMPLE_ONE_FOR_ONE) {
		snprintf(err, len, "%s is not a simple_one_for_one supervisor",
		    path);
		return NULL;
	}
	if (t->shutting_down) {
		snprintf(err, len, "supervisord is shutting down");
		return NULL;
	}
	if (s->state != NS_RUNNING) {
		snprintf(err, len, "%s is %s", path, node_state_name(s->state));
		return NULL;
	}
	/* Ids count up and are never reused while we run (supervisord(8), Strategies). */
	snprintf(id, sizeof(id), "%u", ++s->next_dyn);
	if ((c = node_new(t, s, s->spec->template, id)) == NULL ||
	    (c->extra = calloc(nargs + 1, sizeof(*c->extra))) == NULL) {
		snprintf(err, len, "out of memory");
		return NULL;
	}
	for (i = 0; i < nargs; i++)
		if ((c->extra[c->nextra] = strdup(args[i])) != NULL)
			c->nextra++;
	/* It starts now if its supervisor is free, and a failed instance
	 * is removed: answer with the reason rather than a dead path. */
	snprintf(id, sizeof(id), "%u", s->next_dyn);
	t->last_error[0] = '\0';
	request(t, c, R_START);
	if ((c = kid(s, id)) == NULL)
		snprintf(err, len, "%s/%s: %s", path, id, t->last_error[0] ?
		    t->last_error : "start failed");
	return c;
}

/* --- reload --- */

static void
step(struct step *v, size_t *n, enum step_kind k, struct node *c,
    const struct spec *sp)
{
	v[*n].kind = k;
	v[*n].child = c;
	v[*n].spec = sp;
	(*n)++;
}

static int
changed(const struct node *k, const struct spec *nk)
{
	return k->spec->type != nk->type || !spec_equal(k->spec, nk);
}

/* Queue a reload at supervisor k (its own fields are unchanged). */
static void
reload_later(struct tree *t, struct node *k, const struct spec *nk)
{
	struct request *r;

	/* Down: its next start builds its children from nk anyway. */
	if (k->state == NS_STOPPED || k->state == NS_FAILED ||
	    k->state == NS_DONE) {
		k->spec = nk;
		return;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return;
	r->kind = R_RELOAD;
	r->child = NULL;
	r->spec = nk;
	r->old = k->spec;
	k->spec = nk;
	reload_begin(t);
	mbox_push(t, k, r);
}

/* Children in the new spec's order; removed ones last, until deleted. */
static void
reorder(struct node *s, const struct spec *ns)
{
	struct node **v, *k;
	size_t i, n = 0;

	if ((v = calloc(s->nkids + 1, sizeof(*v))) == NULL)
		return;
	for (i = 0; i < ns->nchildren; i++)
		if ((k = kid(s, ns->children[i]->id)) != NULL)
			v[n++] = k;
	for (i = 0; i < s->nkids; i++)
		if (spec_child(ns, s->kids[i]->id) == NULL)
			v[n++] = s->kids[i];
	memcpy(s->kids, v, n * sizeof(*v));
	free(v);
}

/*
 * What a reload to ns does to child ID of supervisor s (prev: the spec
 * s had before), decided here only, so that reload_plan and plan.c
 * cannot disagree.
 */
enum reload_act
reload_child(const struct node *s, const struct spec *ns,
    const struct spec *prev, const char *id)
{
	const struct node *k = kid(s, id);
	const struct spec *nk = spec_child(ns, id), *pk;

	if (k == NULL && nk == NULL)
		return RA_NONE;
	if (nk == NULL)
		return RA_REMOVE;
	if (k == NULL) {
		/* Only what the file adds is new: a temporary child that
		 * ended, unchanged, stays ended. */
		pk = spec_child(prev, id);
		if (pk != NULL && pk->type == nk->type && spec_equal(pk, nk))
			return RA_NONE;
		return RA_ADD;
	}
	if (changed(k, nk))
		return RA_REPLACE;
	return k->spec->type == SPEC_SUPERVISOR ? RA_RECURSE : RA_ADOPT;
}

/*
 * Apply the new spec ns to supervisor s: removed children are stopped
 * and deleted, changed ones restarted with their new spec, new ones
 * started in place, the rest left alone. None of it counts toward
 * intensity: it is the operator's doing.
 */
void
reload_plan(struct tree *t, struct node *s, const struct spec *ns,
    const struct spec *old)
{
	const struct spec *prev = old != NULL ? old : s->spec, *nk;
	struct step *v;
	struct node *k;
	size_t i, n = 0;

	s->spec = ns;
	if (ns->strategy == SIMPLE_ONE_FOR_ONE) {
		for (i = 0; i < s->nkids; i++)
			s->kids[i]->spec = ns->template;
		reload_end(t);
		return;
	}
	if ((v = calloc(4 * (s->nkids + ns->nchildren) + 1, sizeof(*v))) ==
	    NULL) {
		reload_end(t);
		return;
	}
	for (i = s->nkids; i-- > 0;)
		if (reload_child(s, ns, prev, s->kids[i]->id) == RA_REMOVE)
			step(v, &n, STEP_STOP, s->kids[i], NULL);
	for (i = s->nkids; i-- > 0;)
		if (reload_child(s, ns, prev, s->kids[i]->id) == RA_REMOVE)
			step(v, &n, STEP_DELETE, s->kids[i], NULL);
	for (i = s->nkids; i-- > 0;)
		if (reload_child(s, ns, prev, s->kids[i]->id) == RA_REPLACE)
			step(v, &n, STEP_STOP, s->kids[i], NULL);
	for (i = 0; i < ns->nchildren; i++) {
		nk = ns->children[i];
		k = kid(s, nk->id);
		switch (reload_child(s, ns, prev, nk->id)) {
		case RA_NONE:
		case RA_REMOVE:
			break;
		case RA_ADD:
			if ((k = node_new(t, s, nk, nk->id)) != NULL)
				step(v, &n, STEP_START, k, NULL);
			break;
		case RA_REPLACE:
			step(v, &n, STEP_REPLACE, k, nk);
			step(v, &n, STEP_START, k, NULL);
			break;
		case RA_RECURSE:
			reload_later(t, k, nk);
			break;
		case RA_ADOPT:
			k->spec = nk;
			break;
		}
	}
	reorder(s, ns);
	prog_set(s, P_RELOAD, v, n, NULL);
	prog_run(t, s);
}

void
tree_reload(struct tree *t, struct spec *root)
{
	struct spec **old;
	struct request *r;

	if ((old = reallocarray(t->old, t->nold + 1, sizeof(*old))) == NULL) {
		spec_free(root);
		return;
	}
	t->old = old;
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		spec_free(root);
		return;
	}
	t->old[t->nold++] = t->spec;
	t->spec = root;
	holds_reload(t);
	r->kind = R_RELOAD;
	r->spec = root;
	reload_begin(t);
	mbox_push(t, t->root, r);
}

/* --- status --- */

const char *
node_state_name(enum node_state s)
{
	static const char *names[] = { "stopped", "starting", "running",
	    "stopping", "restarting", "failed", "done" };

	return (size_t)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

static json_t *
last_exit_json(const struct exit_info *e)
{
	if (!e->valid)
		return json_null();
	if (e->error[0] != '\0')
		return json_pack("{ss}", "error", e->error);
	if (e->signo)
		return json_pack("{ss}", "signal", signal_name(e->signo));
	return json_pack("{si}", "code", e->code);
}

static json_t *
node_json(struct tree *t, const struct node *n)
{
	int up = n->state == NS_RUNNING || n->state == NS_STOPPING;
	json_t *o;

	/* Built by hand: json_pack's format parsing and UTF-8 checks were a
	 * good part of a 10,000-node status, and every string here is ASCII
	 * (ids, fixed names). */
	if ((o = json_object()) == NULL)
		return NULL;
	json_object_set_new_nocheck(o, "path", json_string_nocheck(n->path));
	json_object_set_new_nocheck(o, "type",
	    json_string_nocheck(spec_type_name(n->spec->type)));
	json_object_set_new_nocheck(o, "state",
	    json_string_nocheck(node_state_name(n->state)));
	json_object_set_new_nocheck(o, "pid",
	    n->pid ? json_integer(n->pid) : json_null());
	json_object_set_new_nocheck(o, "uptime", up ?
	    json_real((double)(t->now - n->started_at) / 1000.0) : json_null());
	json_object_set_new_nocheck(o, "restarts", json_integer(n->restarts));
	json_object_set_new_nocheck(o, "last_exit",
	    last_exit_json(&n->last_exit));
	json_object_set_new_nocheck(o, "restart",
	    json_string_nocheck(restart_name(n->spec->restart)));
	json_object_set_new_nocheck(o, "depth", json_integer(n->depth));
	delay_status(t, n, o);
	return o;
}

static void
collect(struct tree *t, const struct node *n, json_t *out)
{
	json_t *o;
	size_t i;

	if ((o = node_json(t, n)) != NULL)
		json_array_append_new(out, o);
	for (i = 0; i < n->nkids; i++)
		collect(t, n->kids[i], out);
}

json_t *
tree_status(struct tree *t, const char *path, char *err, size_t len)
{
	const struct node *n = t->root;
	json_t *out;

	if (path != NULL && (n = tree_lookup(t, path, err, len)) == NULL)
		return NULL;
	if ((out = json_array()) != NULL)
		collect(t, n, out);
	return out;
}
