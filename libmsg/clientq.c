/*
 * clientq.c: the client's bookkeeping, data only: frames queued while a
 * call waited, ids of calls that timed out, and the subscriptions to
 * renew after a reconnect.
 */
#include <stdlib.h>
#include <string.h>

#include "msg-int.h"
#include "client-int.h"

int
msg__queue_push(struct msg_client *c, const struct msg_message *m)
{
	struct qmsg *q;
	size_t tlen = m->topic ? m->topic_len : 0;

	/* Bounded: a flood of events during one call must not eat memory. */
	if (c->qbytes + m->len + tlen > QUEUE_LIMIT) {
		c->qdropped++;
		return 0;
	}
	if ((q = malloc(sizeof(*q) + m->len + tlen)) == NULL)
		return -1;
	q->next = NULL;
	q->m = *m;
	q->size = m->len + tlen;
	memcpy(q->bytes, m->data, m->len);
	q->m.data = q->bytes;
	if (tlen) {
		memcpy(q->bytes + m->len, m->topic, tlen);
		q->m.topic = (const char *)q->bytes + m->len;
	}
	if (c->qtail != NULL)
		c->qtail->next = q;
	else
		c->qhead = q;
	c->qtail = q;
	c->qbytes += q->size;
	return 0;
}

int
msg__queue_pop(struct msg_client *c, struct msg_message *m)
{
	struct qmsg *q = c->qhead;

	free(c->qcur);
	c->qcur = NULL;
	if (q == NULL)
		return 0;
	if ((c->qhead = q->next) == NULL)
		c->qtail = NULL;
	c->qbytes -= q->size;
	c->qcur = q;		/* kept until the next pop */
	*m = q->m;
	return 1;
}

void
msg__queue_clear(struct msg_client *c)
{
	struct msg_message m;

	while (msg__queue_pop(c, &m))
		;
	free(c->qcur);
	c->qcur = NULL;
}

void
msg__abandon(struct msg_client *c, uint32_t id)
{
	if (c->nabandoned == MAX_ABANDONED) {
		memmove(c->abandoned, c->abandoned + 1,
		    (MAX_ABANDONED - 1) * sizeof(c->abandoned[0]));
		c->nabandoned--;
	}
	c->abandoned[c->nabandoned++] = id;
}

/* A late answer to a call that already timed out is dropped. */
int
msg__abandoned(struct msg_client *c, const struct msg_message *m)
{
	size_t i;

	if (m->kind != MSG_REPLY && m->kind != MSG_ERROR)
		return 0;
	for (i = 0; i < c->nabandoned; i++) {
		if (c->abandoned[i] == m->id) {
			c->abandoned[i] = c->abandoned[--c->nabandoned];
			return 1;
		}
	}
	return 0;
}

/* Remember prefix, to renew after a reconnect; -1 out of memory. */
int
msg__sublist_add(struct msg_client *c, const char *prefix)
{
	char **n;
	size_t i;

	for (i = 0; i < c->nsubs; i++)
		if (strcmp(c->subs[i], prefix) == 0)
			return 0;
	if ((n = reallocarray(c->subs, c->nsubs + 1, sizeof(*n))) == NULL)
		return -1;
	c->subs = n;
	if ((n[c->nsubs] = strdup(prefix)) == NULL)
		return -1;
	c->nsubs++;
	return 0;
}

void
msg__sublist_del(struct msg_client *c, const char *prefix)
{
	size_t i;

	for (i = 0; i < c->nsubs; i++) {
		if (strcmp(c->subs[i], prefix) == 0) {
			free(c->subs[i]);
			c->subs[i] = c->subs[--c->nsubs];
			return;
		}
	}
}

void
msg__sublist_clear(struct msg_client *c)
{
	size_t i;

	for (i = 0; i < c->nsubs; i++)
		free(c->subs[i]);
	free(c->subs);
	c->subs = NULL;
	c->nsubs = 0;
}
