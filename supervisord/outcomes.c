/*
 * outcomes.c: when what the operator asked for is done with, so that a
 * waiting command can be answered (supervisorctl(8), Waiting): an
 * operator request on one child (its program finished, or it was
 * dropped with its supervisor's mailbox), and a reload, which is done
 * once every supervisor it reached has run its reload program.
 */
#include <stdio.h>
#include <stdlib.h>

#include "tree-int.h"

void
op_finish(struct tree *t, struct node *c, unsigned ticket)
{
	if (c == NULL || ticket == 0)
		return;
	if (ticket > c->op_finished)
		c->op_finished = ticket;
	if (t->ops->op_done != NULL)
		t->ops->op_done(t, c);
}

/*
 * Supervisor s goes down (or is stopped): what waits in its mailbox
 * will not run. Nothing is lost by dropping it: an operator's stop or
 * start already set op_stopped, which its next start honours, and that
 * start builds its children from its current spec, which a reload has
 * already set.
 */
void
mbox_drop(struct tree *t, struct node *s)
{
	struct request *r;

	while ((r = s->mbox) != NULL) {
		s->mbox = r->next;
		if (r->kind == R_RELOAD)
			reload_end(t);
		else if (r->kind != R_EXIT)
			op_finish(t, r->child, r->ticket);
		free(r);
	}
}

void
reload_begin(struct tree *t)
{
	t->reloads++;
}

/* The last reload program in flight is done: the reload is applied. */
void
reload_end(struct tree *t)
{
	json_t *errs;

	if (t->reloads == 0 || --t->reloads > 0)
		return;
	errs = t->reload_errors != NULL ? t->reload_errors : json_array();
	t->reload_errors = NULL;
	emit(t, json_pack("{sssssbso}", "event", "reloaded", "path",
	    t->root->path, "ok", json_array_size(errs) == 0, "errors", errs));
}

/* A start the reload made failed: the reloaded event carries why. */
void
reload_error(struct tree *t, const struct node *c)
{
	char line[512];

	if (t->reload_errors == NULL &&
	    (t->reload_errors = json_array()) == NULL)
		return;
	snprintf(line, sizeof(line), "%s: %s", c->path,
	    c->last_exit.error[0] != '\0' ? c->last_exit.error :
	    "start failed");
	json_array_append_new(t->reload_errors, json_string(line));
}

/* Supervisor s drops the program it runs for a stop of its own. */
void
prog_dropped(struct tree *t, struct node *s)
{
	if (s->prog_kind == P_OP)
		op_finish(t, s->subject, s->op_running);
	else if (s->prog_kind == P_RELOAD)
		reload_end(t);
}
