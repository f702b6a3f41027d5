/*
 * commands.c: what supervisord does for each control command, as one
 * table of name, payload shape and handler; the handlers act on the tree
 * through tree.h. supervisorctl(8), COMMANDS and PROTOCOL.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

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
done(int r)
{
	return r == -1 ? NULL : ok();
}

static json_t *
cmd_status(const struct control_env *env, json_t *req, const char *path,
    char *err, size_t len)
{
	struct tree *t = env->tree();

	env->trim_later();
	return tree_status(t, path, err, len);
}

static json_t *
cmd_start(const struct control_env *env, json_t *req, const char *path,
    char *err, size_t len)
{
	return done(tree_op_start(env->tree(), path, err, len));
}

static json_t *
cmd_stop(const struct control_env *env, json_t *req, const char *path,
    char *err, size_t len)
{
	return done(tree_op_stop(env->tree(), path, err, len));
}

static json_t *
cmd_restart(const struct control_env *env, json_t *req, const char *path,
    char *err, size_t len)
{
	return done(tree_op_restart(env->tree(), path, err, len));
}

static json_t *
cmd_delete_child(const struct control_env *env, json_t *req,
    const char *path, char *err, size_t len)
{
	return done(tree_op_delete(env->tree(), path, err, len));
}

/* "args", default []: strings appended to the template's argv. */
static json_t *
cmd_start_child(const struct control_env *env, json_t *req,
    const char *path, char *err, size_t len)
{
	json_t *args = json_object_get(req, "args"), *a;
	struct msg_call *call;
	struct node *n;
	char **v;
	size_t i;

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
	n = tree_op_start_child(env->tree(), path, v, json_array_size(args),
	    err, len);
	free(v);
	if (n == NULL)
		return NULL;
	/* Answered once it runs, or with the reason it could not. */
	if (n->state == NS_RUNNING || (call = control_keep()) == NULL)
		return json_pack("{ss}", "path", n->path);
	if (waits_start(call, n) == -1)
		msg_reply_error(call, MSG_ERR_SERVER, "out of memory");
	return NULL;
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

static json_t *
cmd_reload(const struct control_env *env, json_t *req, const char *path,
    char *err, size_t len)
{
	return done(env->reload(err, len));
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
	log_info("shutdown requested");
	env->shutdown();
	return ok();
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

const struct control_cmd control_cmds[] = {
	{ CTL_STATUS, CTL_ARG_OPT_PATH, cmd_status },
	{ CTL_START, CTL_ARG_PATH, cmd_start },
	{ CTL_STOP, CTL_ARG_PATH, cmd_stop },
	{ CTL_RESTART, CTL_ARG_PATH, cmd_restart },
	{ CTL_DELETE_CHILD, CTL_ARG_PATH, cmd_delete_child },
	{ CTL_START_CHILD, CTL_ARG_PATH, cmd_start_child },
	{ CTL_SIGNAL, CTL_ARG_PATH, cmd_signal },
	{ CTL_RELOAD, CTL_ARG_NONE, cmd_reload },
	{ CTL_HISTORY, CTL_ARG_NONE, cmd_history },
	{ CTL_SHUTDOWN, CTL_ARG_NONE, cmd_shutdown },
	{ CTL_SPEC, CTL_ARG_PATH, cmd_spec },
	{ CTL_PLAN, CTL_ARG_NONE, cmd_plan },
	{ NULL, CTL_ARG_NONE, NULL }
};
