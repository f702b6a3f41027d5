/*
 * control.c: the control socket. One table maps each command's tag to
 * the argument it needs and the daemon function that carries it out.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "control-proto.h"
#include "control.h"
#include "events.h"
#include "msg.h"
#include "signame.h"

enum arg { ARG_NONE, ARG_PATH, ARG_OPT_PATH };

struct command {
	const char	*name;
	enum arg	 arg;
	uint32_t	 tag;		/* msg_tag(name), filled at open */
	json_t		*(*run)(json_t *req, const char *path, char *err,
			    size_t errlen);
};

static const struct control_ops *ops;

static json_t *
run_status(json_t *req, const char *path, char *err, size_t errlen)
{
	return ops->status(path, err, errlen);
}

static json_t *
run_start(json_t *req, const char *path, char *err, size_t errlen)
{
	return ops->start(path, err, errlen);
}

static json_t *
run_stop(json_t *req, const char *path, char *err, size_t errlen)
{
	return ops->stop(path, err, errlen);
}

static json_t *
run_restart(json_t *req, const char *path, char *err, size_t errlen)
{
	return ops->restart(path, err, errlen);
}

static json_t *
run_delete(json_t *req, const char *path, char *err, size_t errlen)
{
	return ops->delete_child(path, err, errlen);
}

static json_t *
run_start_child(json_t *req, const char *path, char *err, size_t errlen)
{
	json_t *args = json_object_get(req, "args"), *a;
	size_t i;

	if (args == NULL)
		args = json_array();
	else
		json_incref(args);
	json_array_foreach(args, i, a) {
		if (!json_is_string(a)) {
			snprintf(err, errlen, "\"args\": expected strings");
			json_decref(args);
			return NULL;
		}
	}
	if (!json_is_array(args)) {
		snprintf(err, errlen, "\"args\": expected an array");
		json_decref(args);
		return NULL;
	}
	a = ops->start_child(path, args, err, errlen);
	json_decref(args);
	return a;
}

static json_t *
run_signal(json_t *req, const char *path, char *err, size_t errlen)
{
	const char *name = json_string_value(json_object_get(req, "signal"));
	int signo;

	if (name == NULL || (signo = signal_number(name)) == -1) {
		snprintf(err, errlen, "unknown signal \"%s\"", name ? name : "");
		return NULL;
	}
	return ops->signal(path, signo, err, errlen);
}

static json_t *
run_reload(json_t *req, const char *path, char *err, size_t errlen)
{
	return ops->reload(err, errlen);
}

static json_t *
run_history(json_t *req, const char *path, char *err, size_t errlen)
{
	return events_history();
}

static json_t *
run_shutdown(json_t *req, const char *path, char *err, size_t errlen)
{
	return ops->shutdown(err, errlen);
}

static struct command commands[] = {
	{ "status", ARG_OPT_PATH, 0, run_status },
	{ "start", ARG_PATH, 0, run_start },
	{ "stop", ARG_PATH, 0, run_stop },
	{ "restart", ARG_PATH, 0, run_restart },
	{ "delete-child", ARG_PATH, 0, run_delete },
	{ "start-child", ARG_PATH, 0, run_start_child },
	{ "signal", ARG_PATH, 0, run_signal },
	{ "reload", ARG_NONE, 0, run_reload },
	{ "history", ARG_NONE, 0, run_history },
	{ "shutdown", ARG_NONE, 0, run_shutdown },
};

static const struct command *
find(uint32_t tag)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (commands[i].tag == tag)
			return &commands[i];
	return NULL;
}

static void
handle_call(void *state, struct msg_call *call, const struct msg_message *m)
{
	const struct command *cmd;
	json_t *req = NULL, *reply;
	const char *path = NULL;
	char err[4096] = "";

	if ((cmd = find(m->tag)) == NULL) {
		msg_reply_error(call, MSG_ERR_UNKNOWN_TAG, "unknown command");
		return;
	}
	if (m->len > 0 && ((req = msg_json(m, NULL, 0)) == NULL ||
	    !json_is_object(req))) {
		msg_reply_error(call, MSG_ERR_BAD_REQUEST,
		    "payload: expected a JSON object");
		json_decref(req);
		return;
	}
	path = json_string_value(json_object_get(req, "path"));
	if (cmd->arg == ARG_PATH && path == NULL) {
		snprintf(err, sizeof(err), "%s: \"path\" missing", cmd->name);
		msg_reply_error(call, MSG_ERR_BAD_REQUEST, err);
		json_decref(req);
		return;
	}
	if ((reply = cmd->run(req, path, err, sizeof(err))) != NULL) {
		msg_reply_json(call, reply);
		json_decref(reply);
	} else
		msg_reply_error(call, MSG_ERR_BAD_REQUEST, err);
	json_decref(req);
}

struct msg_server *
control_open(struct msg_loop *l, const char *rundir,
    const struct control_ops *o)
{
	static const struct msg_server_ops sops = { .handle_call = handle_call };
	struct msg_server *s;
	char path[4096];
	size_t i;

	ops = o;
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		commands[i].tag = msg_tag(commands[i].name);
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", rundir, CTL_SOCKET) >=
	    sizeof(path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	if ((s = msg_server_new(l, path, &sops, NULL, NULL)) != NULL)
		events_init(s);
	return s;
}
