/*
 * commands.c: what supervisord does for each control command, as one
 * table of name, payload shape and handler; the handlers act on the tree
 * through tree.h. supervisorctl(8), COMMANDS and PROTOCOL.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "control-proto.h"
#include "control.h"
#include "events.h"
#include "log.h"
#include "msg.h"
#include "signame.h"
#include "specjson.h"
#include "tree.h"
#include "waits.h"

/* The reply of a command that has nothing to report but its success. */
static json_t *
ok(void)
{
	return json_pack("{sb}", "ok", 1);
}

static json_t *
cmd_status(const struct control_env *env, json_t *req, const char *path,
    char *err, size_t len)
{
	struct tree *t = env->tree();

	env->trim_later();
	return tree_status(t, path, err, len);
}

/*
 * "wait" (default true) and "timeout" (seconds, default none): how a
 * waiting command waits (supervisorctl(8), Waiting).
 */
static int
wait_opts(json_t *req, int *wait, int64_t *timeout_ms, char *err, size_t len)
{
	json_t *w = json_object_get(req, "wait");
	json_t *t = json_object_get(req, "timeout");
	double s;

	*wait = 1;
	*timeout_ms = 0;
	if (w != NULL && !json_is_boolean(w)) {
		snprintf(err, len, "\"wait\": expected true or false");
		return -1;
	}
	if (w != NULL)
		*wait = json_is_true(w);
	if (t == NULL)
		return 0;
	s = json_number_value(t);
	if (!json_is_number(t) || !(s > 0) || s > 86400.0 * 366) {
		snprintf(err, len, "\"timeout\": expected a positive number "
		    "of seconds");
		return -1;
	}
	*timeout_ms = (int64_t)(s * 1000.0 + 0.5);
	if (*timeout_ms == 0)
		*timeout_ms = 1;
	return 0;
}

/*
 * The paths of a command: "paths", in which "all" stands for every
 * child of the root, else "path". Each must name a node below the root;
 * a start must have a supervisor that will run it (else it would wait
 * for ever): refused as a whole, before anything is done.
 */
static json_t *
op_paths(struct tree *t, json_t *req, const char *path, int start, int wait,
    char *err, size_t len)
{
	json_t *in = json_object_get(req, "paths"), *out, *p;
	struct node *root = tree_root(t), *c, *s;
	const char *name;
	size_t i, k;

	if ((out = json_array()) == NULL) {
		snprintf(err, len, "out of memory");
		return NULL;
	}
	if (in == NULL)
		json_array_append_new(out, json_string(path));
	json_array_foreach(in, i, p) {
		if ((name = json_string_value(p)) == NULL) {
			snprintf(err, len, "\"paths\": expected strings");
			goto fail;
		}
		if (strcmp(name, "all") != 0) {
			json_array_append(out, p);
			continue;
		}
		for (k = 0; k < root->nkids; k++)
			json_array_append_new(out,
			    json_string(root->kids[k]->path));
	}
	if (root->state == NS_STOPPING) {
		snprintf(err, len, "supervisord is shutting down");
		goto fail;
	}
	json_array_foreach(out, i, p) {
		name = json_string_value(p);
		if (name == NULL || (c = tree_lookup(t, name, err, len)) ==
		    NULL)
			goto fail;
		if ((s = c->parent) == NULL) {
			snprintf(err, len, "%s is the root: use shutdown or "
			    "reload", name);
			goto fail;
		}
		if (start && wait && (s->state == NS_STOPPED ||
		    s->state == NS_FAILED || s->state == NS_STOPPING ||
		    s->state == NS_DONE)) {
			snprintf(err, len, "%s: its supervisor %s is %s: start "
			    "it instead (or use --no-wait to start %s with it)",
			    name, s->path, node_state_name(s->state), name);
			goto fail;
		}
	}
	return out;
fail:
	json_decref(out);
	return NULL;
}

/*
 * A start of a running child, a stop of one with no process left and
 * none to come: a no-op for the core, said in the result.
 */
static int
already(struct tree *t, const char *path,
    int (*op)(struct tree *, const char *, char *, size_t))
{
	const struct node *n = tree_find(t, path);

	if (n == NULL)
		return 0;
	if (op == tree_op_start)
		return n->state == NS_RUNNING;
	if (op == tree_op_stop)
		return (n->state == NS_STOPPED || n->state == NS_FAILED ||
		    n->state == NS_DONE) && node_down(n);
	return 0;
}

/* start, stop, restart, delete-child: take every path on, then wait. */
static json_t *
run_op(const struct control_env *env, json_t *req, const char *path,
    int (*op)(struct tree *, const char *, char *, size_t),
    enum wait_kind kind, char *err, size_t len)
{
	struct tree *t = env->tree();
	int multi = json_object_get(req, "paths") != NULL, wait;
	json_t *paths, *p;
	struct waits *w;
	int64_t timeout;
	char why[1024];
	size_t i;
	int was;

	if (wait_opts(req, &wait, &timeout, err, len) == -1 ||
	    (paths = op_paths(t, req, path, kind == WAIT_START, wait, err,
	    len)) == NULL)
		return NULL;
	if ((w = waits_new(kind, multi ? WAIT_PATHS : WAIT_V1, wait,
	    timeout)) == NULL) {
		json_decref(paths);
		snprintf(err, len, "out of memory");
		return NULL;
	}
	json_array_foreach(paths, i, p) {
		path = json_string_value(p);
		was = already(t, path, op);
		if (op(t, path, why, sizeof(why)) == 0) {
			if (waits_add(w, path, tree_op_ticket(t)) == 0 && was)
				waits_already(w);
		} else if (multi)
			waits_add_failed(w, path, why);
		else {
			snprintf(err, len, "%s", why);
			waits_discard(w);
			json_decref(paths);
			return NULL;
		}
	}
	json_decref(paths);
	return waits_run(t, w, err, len);
}

static json_t *
cmd_start(const struct control_env *env, json_t *req, const char *path,
    char *err, size_t len)
{
	return run_op(env, req, path, tree_op_start, WAIT_START, err, len);
}

static json_t *
cmd_stop(const struct control_env *env, json_t *req, const char *path,
    char *err, size_t len)
{
	return run_op(env, req, path, tree_op_stop, WAIT_STOP, err, len);
}

static json_t *
cmd_restart(const struct control_env *env, json_t *req, const char *path,
    char *err, size_t len)
{
	return run_op(env, req, path, tree_op_restart, WAIT_START, err, len);
}

/* Removed at once: there is nothing to wait for but the answer. */
static json_t *
cmd_delete_child(const struct control_env *env, json_t *req,
    const char *path, char *err, size_t len)
{
	return run_op(env, req, path, tree_op_delete, WAIT_STOP, err, len);
}

/* "args", default []: strings appended to the template's argv. */
static json_t *
cmd_start_child(const struct control_env *env, json_t *req,
    const char *path, char *err, size_t len)
{
	json_t *args = json_object_get(req, "args"), *a;
	struct tree *t = env->tree();
	struct waits *w;
	struct node *n;
	int64_t timeout;
	int wait;
	char **v;
	size_t i;

	if (wait_opts(req, &wait, &timeout, err, len) == -1)
		return NULL;
	if (args != NULL && !json_is_array(args)) {
		snprintf(err, len, "\"args\": expected an array");
		return NULL;
	}
	if ((v = calloc(json_array_size(args) + 1, sizeof(*v))) == NULL) {
		snprintf(err, len, "out of memory");
		return NULL;
	}
	json_array_foreach(args, i, a) {
		if ((v[i] = (char *)json_string_value(a)) == NULL) {
			snprintf(err, len, "\"args\": expected strings");
			free(v);
			return NULL;
		}
	}
	if ((w = waits_new(WAIT_START, WAIT_NEW_PATH, wait, timeout)) ==
	    NULL) {
		free(v);
		snprintf(err, len, "out of memory");
		return NULL;
	}
	n = tree_op_start_child(t, path, v, json_array_size(args), err, len);
	free(v);
	if (n == NULL || waits_add(w, n->path, tree_op_ticket(t)) == -1) {
		if (n != NULL)
			snprintf(err, len, "out of memory");
		waits_discard(w);
		return NULL;
	}
	/* Answered once it runs, or with the reason it could not. */
	return waits_run(t, w, err, len);
}

static int
signal_subtree(struct node *n, int signo)
{
	size_t i;
	int count = 0;

	if (n->pid > 0 && killpg(n->pid, signo) == 0)
		count++;
	for (i = 0; i < n->nkids; i++)
		count += signal_subtree(n->kids[i], signo);
	return count;
}

/* "signal": a name or a number, as a string. */
static json_t *
cmd_signal(const struct control_env *env, json_t *req, const char *path,
    char *err, size_t len)
{
	const char *name = json_string_value(json_object_get(req, "signal"));
	struct node *n;
	int signo, count;

	if (name == NULL || (signo = signal_number(name)) == -1) {
		snprintf(err, len, "unknown signal \"%s\"", name ? name : "");
		return NULL;
	}
	if ((n = tree_lookup(env->tree(), path, err, len)) == NULL)
		return NULL;
	if ((count = signal_subtree(n, signo)) == 0) {
		snprintf(err, len, "%s: no running process to signal", path);
		return NULL;
	}
	return json_pack("{sbsi}", "ok", 1, "signalled", count);
}

/* Waits for the reloaded event: every supervisor applied its part. */
static json_t *
cmd_reload(const struct control_env *env, json_t *req, const char *path,
    char *err, size_t len)
{
	struct tree *t = env->tree();
	struct waits *w;
	json_t *plan = NULL;
	int64_t timeout;
	int wait;

	if (wait_opts(req, &wait, &timeout, err, len) == -1)
		return NULL;
	if ((w = waits_new(WAIT_RELOAD, WAIT_V1, wait, timeout)) == NULL ||
	    waits_add(w, tree_root(t)->path, 0) == -1) {
		waits_discard(w);
		snprintf(err, len, "out of memory");
		return NULL;
	}
	if (env->reload(&plan, err, len) == -1) {
		waits_discard(w);
		return NULL;
	}
	waits_set_plan(w, plan);
	return waits_run(t, w, err, len);
}

static json_t *
cmd_history(const struct control_env *env, json_t *req, const char *path,
    char *err, size_t len)
{
	return events_history();
}

static json_t *
cmd_shutdown(const struct control_env *env, json_t *req, const char *path,
    char *err, size_t len)
{
	struct tree *t = env->tree();
	struct waits *w;
	int64_t timeout;
	int wait;

	if (wait_opts(req, &wait, &timeout, err, len) == -1)
		return NULL;
	log_info("shutdown requested");
	/* Answered once the tree is down, just before supervisord exits. */
	if ((w = waits_new(WAIT_SHUTDOWN, WAIT_V1, wait, timeout)) != NULL &&
	    waits_add(w, tree_root(t)->path, 0) == -1) {
		waits_discard(w);
		w = NULL;
	}
	env->shutdown();
	return w != NULL ? waits_run(t, w, err, len) : ok();
}

/* The effective spec of a node; an instance's argv has its extra args. */
static json_t *
cmd_spec(const struct control_env *env, json_t *req, const char *path,
    char *err, size_t len)
{
	struct node *n;
	json_t *o, *sj;

	if ((n = tree_lookup(env->tree(), path, err, len)) == NULL)
		return NULL;
	sj = spec_json(n->spec, n->extra, n->nextra, n->parent == NULL ?
	    SPEC_JSON_ROOT : 0);
	o = json_pack("{ssss}", "path", n->path, "id", n->id);
	if (sj == NULL || o == NULL || json_object_update(o, sj) == -1) {
		json_decref(sj);
		json_decref(o);
		snprintf(err, len, "out of memory");
		return NULL;
	}
	/* An instance's spec is its template's, which has no id. */
	json_object_set_new(o, "id", json_string(n->id));
	json_decref(sj);
	return o;
}

/* "file", default the tree's own: an absolute path, as ours is not
 * the asker's working directory. */
static json_t *
cmd_plan(const struct control_env *env, json_t *req, const char *path,
    char *err, size_t len)
{
	json_t *f = json_object_get(req, "file");

	if (f != NULL && (!json_is_string(f) ||
	    json_string_value(f)[0] != '/')) {
		snprintf(err, len, "\"file\": expected an absolute path");
		return NULL;
	}
	return env->plan(json_string_value(f), err, len);
}

/* Whether the whole tree has started: the root is running. */
static json_t *
ready_reply(const struct node *root)
{
	return json_pack("{sbssss}", "ready", root->state == NS_RUNNING,
	    "path", root->path, "state", node_state_name(root->state));
}

/*
 * ready: answered at once unless "wait" is true (its default here is
 * false: a readiness probe asks); a waiting call is answered by the
 * root's started event (supervisorctl(8), ready).
 */
static json_t *
cmd_ready(const struct control_env *env, json_t *req, const char *path,
    char *err, size_t len)
{
	struct tree *t = env->tree();
	struct node *root = tree_root(t);
	struct waits *w;
	int64_t timeout;
	int wait;

	if (wait_opts(req, &wait, &timeout, err, len) == -1)
		return NULL;
	wait = json_is_true(json_object_get(req, "wait"));
	if (root->state == NS_STOPPING && wait) {
		snprintf(err, len, "supervisord is shutting down");
		return NULL;
	}
	if (!wait || root->state == NS_RUNNING)
		return ready_reply(root);
	if ((w = waits_new(WAIT_READY, WAIT_V1, 1, timeout)) == NULL ||
	    waits_add(w, root->path, 0) == -1) {
		waits_discard(w);
		snprintf(err, len, "out of memory");
		return NULL;
	}
	return waits_run(t, w, err, len);
}

const struct control_cmd control_cmds[] = {
	{ CTL_STATUS, CTL_ARG_OPT_PATH, cmd_status },
	{ CTL_START, CTL_ARG_PATHS, cmd_start },
	{ CTL_STOP, CTL_ARG_PATHS, cmd_stop },
	{ CTL_RESTART, CTL_ARG_PATHS, cmd_restart },
	{ CTL_DELETE_CHILD, CTL_ARG_PATHS, cmd_delete_child },
	{ CTL_START_CHILD, CTL_ARG_PATH, cmd_start_child },
	{ CTL_SIGNAL, CTL_ARG_PATH, cmd_signal },
	{ CTL_RELOAD, CTL_ARG_NONE, cmd_reload },
	{ CTL_HISTORY, CTL_ARG_NONE, cmd_history },
	{ CTL_SHUTDOWN, CTL_ARG_NONE, cmd_shutdown },
	{ CTL_SPEC, CTL_ARG_PATH, cmd_spec },
	{ CTL_PLAN, CTL_ARG_NONE, cmd_plan },
	{ CTL_READY, CTL_ARG_NONE, cmd_ready },
	{ NULL, CTL_ARG_NONE, NULL }
};
