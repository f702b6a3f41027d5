/*
 * control.c: the control socket: it decodes each call, checks that its
 * payload has the shape its command wants and hands it to the command's
 * handler (commands.c), then sends the reply. supervisorctl(8), PROTOCOL.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "control-proto.h"
#include "control.h"
#include "events.h"
#include "msg.h"
#include "signame.h"

static struct msg_call	*current;	/* the call being handled */
static int		 kept;

struct msg_call *
control_keep(void)
{
	struct msg_call *k;

	if (current == NULL || (k = msg_call_keep(current)) == NULL)
		return NULL;
	kept = 1;
	return k;
}

/* A dozen short names: hashing them again costs less than a tag table. */
static const struct control_cmd *
find(uint32_t tag)
{
	const struct control_cmd *cmd;

	for (cmd = control_cmds; cmd->name != NULL; cmd++)
		if (msg_tag(cmd->name) == tag)
			return cmd;
	return NULL;
}

static void
handle_call(void *state, struct msg_call *call, const struct msg_message *m)
{
	const struct control_env *env = state;
	const struct control_cmd *cmd;
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
	if (cmd->arg != CTL_ARG_NONE)
		path = json_string_value(json_object_get(req, "path"));
	if ((cmd->arg == CTL_ARG_PATH || (cmd->arg == CTL_ARG_PATHS &&
	    !json_is_array(json_object_get(req, "paths")))) && path == NULL) {
		snprintf(err, sizeof(err), "%s: \"path\" missing", cmd->name);
		msg_reply_error(call, MSG_ERR_BAD_REQUEST, err);
		json_decref(req);
		return;
	}
	current = call;
	kept = 0;
	reply = cmd->run(env, req, path, err, sizeof(err));
	current = NULL;
	if (reply != NULL) {
		msg_reply_json(call, reply);
		json_decref(reply);
	} else if (!kept)
		msg_reply_error(call, MSG_ERR_BAD_REQUEST, err);
	json_decref(req);
}

struct msg_server *
control_open(struct msg_loop *l, const char *rundir,
    const struct control_env *env, const struct msg_server_opts *opts)
{
	static const struct msg_server_ops sops = { .handle_call = handle_call };
	struct msg_server *s;
	char path[4096];

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", rundir, CTL_SOCKET) >=
	    sizeof(path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	if ((s = msg_server_new(l, path, &sops, (void *)env, opts)) != NULL)
		events_init(s);
	return s;
}
