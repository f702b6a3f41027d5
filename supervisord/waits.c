/*
 * waits.c: control calls kept until the start they asked for has an
 * outcome (supervisorctl(8), start-child). The event stream tells: each
 * wait is matched against every event for its path, so the core keeps
 * no trace of who is waiting.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "msg.h"
#include "tree.h"
#include "waits.h"

struct wait {
	struct wait	*next;
	struct msg_call	*call;
	char		*path;
	const char	*done;		/* the event that means started */
};

static struct wait	*waits;

int
waits_start(struct msg_call *call, const struct node *n)
{
	struct wait *w;

	if ((w = calloc(1, sizeof(*w))) == NULL ||
	    (w->path = strdup(n->path)) == NULL) {
		free(w);
		return -1;
	}
	w->call = call;
	w->done = n->spec->ready == READY_NOTIFY ? "ready" : "started";
	w->next = waits;
	waits = w;
	return 0;
}

static void
answer(struct wait **wp, const char *error)
{
	struct wait *w = *wp;
	json_t *reply;

	*wp = w->next;
	if (error != NULL)
		msg_reply_error(w->call, MSG_ERR_BAD_REQUEST, error);
	else if ((reply = json_pack("{ss}", "path", w->path)) != NULL) {
		msg_reply_json(w->call, reply);
		json_decref(reply);
	} else
		msg_reply_error(w->call, MSG_ERR_SERVER, "out of memory");
	free(w->path);
	free(w);
}

static void
answer_error(struct wait **wp, const char *why)
{
	char buf[512];

	snprintf(buf, sizeof(buf), "%s: %s", (*wp)->path, why);
	answer(wp, buf);
}

void
waits_event(const json_t *ev)
{
	const char *e = json_string_value(json_object_get(ev, "event"));
	const char *p = json_string_value(json_object_get(ev, "path"));
	const char *why;
	struct wait **wp;

	if (e == NULL || p == NULL)
		return;
	for (wp = &waits; *wp != NULL;) {
		if (strcmp((*wp)->path, p) != 0)
			wp = &(*wp)->next;
		else if (strcmp(e, (*wp)->done) == 0)
			answer(wp, NULL);
		else if (strcmp(e, "start_error") == 0) {
			why = json_string_value(json_object_get(ev, "error"));
			answer_error(wp, why != NULL ? why : "start failed");
		} else
			wp = &(*wp)->next;
	}
}

void
waits_forget(const struct node *n)
{
	struct wait **wp;

	for (wp = &waits; *wp != NULL;)
		if (strcmp((*wp)->path, n->path) == 0)
			answer_error(wp, "removed before it started");
		else
			wp = &(*wp)->next;
}

void
waits_free(void)
{
	while (waits != NULL)
		answer_error(&waits, "supervisord is shutting down");
}
