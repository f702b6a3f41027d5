/*
 * delay.c: restart_delay, the wait between a restart's decision (counted
 * toward intensity then, as OTP counts it) and its start: how long, the
 * child's timer that ends it, and what operator commands do to it.
 * supervisord(8), Restart delay.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tree-int.h"

/* The jitter is +-10 %, in steps of 0.01 %. */
#define JITTER_STEPS	2001

/*
 * The next delay of c, before jitter. Backoff doubles the last one up
 * to max; a child that ran reset_after ms (or never waited) starts over
 * at initial.
 */
static int64_t
next_delay(struct node *c, uint64_t ran)
{
	const struct restart_delay *rd = &c->spec->restart_delay;
	int64_t d = rd->initial, max = rd->max > d ? rd->max : d;

	if (rd->backoff && c->delay_cur > 0 && ran < (uint64_t)rd->reset_after)
		d = c->delay_cur > max / 2 ? max : c->delay_cur * 2;
	c->delay_cur = d;
	return d;
}

static int64_t
jitter(struct tree *t, int64_t d)
{
	int64_t r;

	if (t->ops->random == NULL)
		return d;
	r = (int64_t)(t->ops->random(t) % JITTER_STEPS) - JITTER_STEPS / 2;
	return d + d * r / 10000;
}

/*
 * A restart of c was decided (and counted); ran is how long it had
 * run. 1 when its start waits a restart_delay: c's timer is armed and
 * restart_scheduled sent; 0 when it starts now (no restart_delay).
 */
int
delay_schedule(struct tree *t, struct node *c, uint64_t ran)
{
	int64_t d;

	if (c->spec->restart_delay.initial <= 0)
		return 0;
	d = jitter(t, next_delay(c, ran));
	c->next_start_at = t->now + (uint64_t)d;
	t->ops->timer(t, c, d);
	logf_(t, "%s: restart_delay: starting in %lld ms", c->path,
	    (long long)d);
	emit(t, json_pack("{sssssfsi}", "event", "restart_scheduled", "path",
	    c->path, "delay", (double)d / 1000.0, "restarts",
	    (int)c->restarts + 1));
	return 1;
}

/* Its restart no longer waits: it starts now, or not at all. */
void
delay_cancel(struct tree *t, struct node *c)
{
	if (c->next_start_at == 0)
		return;
	c->next_start_at = 0;
	t->ops->timer(t, c, 0);
}

/*
 * s stops all its children: no restart among them waits any longer,
 * even for the turn of its stop step, which a slow sibling may hold up.
 */
void
delay_cancel_all(struct tree *t, struct node *s)
{
	size_t i;

	for (i = 0; i < s->nkids; i++)
		if (s->kids[i]->next_start_at != 0) {
			delay_cancel(t, s->kids[i]);
			if (s->kids[i]->state == NS_RESTARTING)
				s->kids[i]->state = NS_STOPPED;
		}
}

/* The index of the step of s's restart program that waits out c's
 * delay, if one is still to come. */
static int
wait_step(const struct node *s, const struct node *c)
{
	size_t i;

	if (s->prog_kind != P_RESTART)
		return -1;
	for (i = s->pc; i < s->nprog; i++)
		if (s->prog[i].kind == STEP_WAIT && s->prog[i].child == c)
			return (int)i;
	return -1;
}

/*
 * c's wait ended. Under one_for_all and rest_for_one a step of the
 * restart program waits for it: that goes on now (or passes when it is
 * reached). Else c starts now if its supervisor is free, or once it
 * is, as a request in its mailbox.
 */
static void
wait_over(struct tree *t, struct node *c)
{
	struct node *s = c->parent;
	struct request *r;
	int i;

	if ((i = wait_step(s, c)) != -1) {
		delay_cancel(t, c);
		if ((size_t)i == s->pc && s->waiting) {
			s->pc++;
			prog_run(t, s);
		}
		return;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		/* The wait is not over for want of memory: try again. */
		logf_(t, "%s: out of memory; starting in %d ms", c->path,
		    SPAWN_RETRY_MS);
		t->ops->timer(t, c, SPAWN_RETRY_MS);
		return;
	}
	r->kind = R_DELAYED;
	r->child = c;
	r->incarnation = c->incarnation;
	mbox_push(t, s, r);
}

void
delay_fired(struct tree *t, struct node *c)
{
	if (c->next_start_at != 0 && c->parent != NULL)
		wait_over(t, c);
}

/*
 * An operator command on c (stop, or start/restart) during its wait:
 * the wait ends at once. A stopped child is down as asked, and its
 * restart is cancelled; a started one starts now, by the command.
 * Under one_for_all and rest_for_one the siblings then start at once.
 * *hurried says whether a restart program was waiting for c (the
 * command then has only c's start left to do). Returns c, or NULL when
 * what went on removed it.
 */
struct node *
delay_op(struct tree *t, struct node *c, int stop, int *hurried)
{
	struct node *s = c->parent;
	char *path;
	int i;

	*hurried = 0;
	if (!stop)
		c->delay_cur = 0;	/* the operator's start: backoff anew */
	if (c->next_start_at == 0 || s == NULL)
		return c;
	if (stop && c->pid == 0 && c->state == NS_RESTARTING)
		c->state = NS_STOPPED;
	if ((i = wait_step(s, c)) == -1) {
		if (stop)
			delay_cancel(t, c);
		return c;	/* the command's own program does the rest */
	}
	*hurried = 1;
	delay_cancel(t, c);
	if ((size_t)i != s->pc || !s->waiting)
		return c;
	if ((path = strdup(c->path)) == NULL)
		return c;
	s->pc++;
	prog_run(t, s);
	c = tree_find(t, path);
	free(path);
	return c;
}

/* status --json: "next_start_in", seconds, while a restart waits. */
void
delay_status(struct tree *t, const struct node *n, json_t *o)
{
	uint64_t left;

	if (n->next_start_at == 0)
		return;
	left = n->next_start_at > t->now ? n->next_start_at - t->now : 0;
	json_object_set_new_nocheck(o, "next_start_in",
	    json_real((double)left / 1000.0));
}
