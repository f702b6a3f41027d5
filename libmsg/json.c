/*
 * json.c: jansson helpers for payloads flagged MSG_F_JSON.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "msg-int.h"

int
msg_reply_json(struct msg_call *c, json_t *v)
{
	char *s;
	int r;

	if ((s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY |
	    JSON_REAL_PRECISION(16))) == NULL)
		return msg_reply_error(c, MSG_ERR_SERVER, "cannot encode JSON");
	r = msg_reply(c, MSG_F_JSON, s, strlen(s));
	free(s);
	return r;
}

json_t *
msg_json(const struct msg_message *m, char *err, size_t errlen)
{
	json_error_t je;
	json_t *v;

	v = json_loadb(m->data, m->len, JSON_DECODE_ANY, &je);
	if (v == NULL && err != NULL)
		snprintf(err, errlen, "%d:%d: %s", je.line, je.column, je.text);
	return v;
}

int
msg_call_json(struct msg_client *c, uint32_t tag, json_t *arg, int timeout_ms,
    json_t **reply)
{
	struct msg_message m;
	char *s = NULL;
	int r;

	if (arg != NULL &&
	    (s = json_dumps(arg, JSON_COMPACT | JSON_ENCODE_ANY)) == NULL) {
		errno = EINVAL;
		return MSG_FAIL;
	}
	r = msg_call(c, tag, arg ? MSG_F_JSON : 0, s, s ? strlen(s) : 0,
	    timeout_ms, &m);
	free(s);
	if (reply == NULL)
		return r;
	*reply = NULL;
	if (r == MSG_OK && m.len > 0)
		*reply = msg_json(&m, NULL, 0);
	else if (r == MSG_ERROR_REPLY)
		*reply = json_stringn(m.data, m.len);
	return r;
}
