/*
 * pubsub.c: topic subscriptions by prefix and fan-out of events, plain
 * or through the event manager's batch. A slow subscriber's queue is
 * bounded by one rule for both: past it, events to that one subscriber
 * are dropped and counted, and nobody else waits.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg-int.h"
#include "server-int.h"

#define MAX_SUBS	256
#define OVERFLOW_TOPIC	"msg.overflow"

static struct sub *
sub_find(struct msg_peer *p, const char *prefix, size_t len)
{
	size_t i;

	for (i = 0; i < p->nsubs; i++)
		if (p->subs[i].len == len &&
		    memcmp(p->subs[i].prefix, prefix, len) == 0)
			return &p->subs[i];
	return NULL;
}

int
msg__subs_add(struct msg_peer *p, const char *prefix, size_t len)
{
	struct sub *n;

	if (sub_find(p, prefix, len) != NULL)
		return 0;
	if (p->nsubs >= MAX_SUBS) {
		errno = ENOSPC;
		return -1;
	}
	if ((n = reallocarray(p->subs, p->nsubs + 1, sizeof(*n))) == NULL)
		return -1;
	p->subs = n;
	if ((n[p->nsubs].prefix = malloc(len ? len : 1)) == NULL)
		return -1;
	memcpy(n[p->nsubs].prefix, prefix, len);
	n[p->nsubs].len = len;
	p->nsubs++;
	return 0;
}

void
msg__subs_del(struct msg_peer *p, const char *prefix, size_t len)
{
	struct sub *s;

	if ((s = sub_find(p, prefix, len)) == NULL)
		return;
	free(s->prefix);
	*s = p->subs[--p->nsubs];
	if (p->nsubs == 0) {
		free(p->subs);
		p->subs = NULL;
	}
}

void
msg__subs_free(struct msg_peer *p)
{
	size_t i;

	for (i = 0; i < p->nsubs; i++)
		free(p->subs[i].prefix);
	free(p->subs);
	p->subs = NULL;
	p->nsubs = 0;
}

/* Static, so that both fan-outs inline it. */
static int
subscribed(const struct msg_peer *p, const char *topic, size_t tlen)
{
	size_t i;

	if (!p->hello_seen)
		return 0;
	for (i = 0; i < p->nsubs; i++)
		if (p->subs[i].len <= tlen &&
		    memcmp(p->subs[i].prefix, topic, p->subs[i].len) == 0)
			return 1;
	return 0;
}

size_t
msg__subs_count(const struct msg_server *s, const char *topic, size_t tlen)
{
	const struct msg_peer *p;
	size_t n = 0;

	for (p = s->peers; p != NULL; p = p->next)
		n += subscribed(p, topic, tlen);
	return n;
}

/* An event did not go to p: count it; the kick brings the notice. */
void
msg__event_lost(struct msg_peer *p)
{
	p->dropped++;
	p->dropped_unreported++;
	msg__peer_kick(p);
	errno = ENOBUFS;
}

/*
 * The overflow rule, the one place it is decided, for the plain fan-out
 * and the event manager's alike (libmsg(7), Overflow): an event of len
 * bytes goes to a subscriber unless what already waits for it (its
 * queue and its share of the batch) and the event would pass
 * max_event_queue; one larger than the queue still goes to an idle
 * subscriber. 0: it is lost, counted, and msg.overflow reports it once
 * the queue drained.
 */
static int
admit(struct msg_peer *p, size_t len)
{
	size_t queued = msg__buf_used(&p->out) + p->batched;

	if (queued > 0 && queued + len > p->srv->opts.max_event_queue) {
		msg__event_lost(p);
		return 0;
	}
	return 1;
}

/*
 * The event manager's fan-out (event.c): the event of len bytes at off
 * in its batch goes to every subscriber the overflow rule admits, by
 * msg__event_queue(). Returns how many it reached; *lost counts the
 * others.
 */
int
msg__fanout_batch(struct msg_server *s, const char *topic, size_t tlen,
    size_t off, size_t len, struct syncpub *sp, unsigned *lost)
{
	struct msg_peer *p;
	int n = 0;

	for (p = s->peers; p != NULL; p = p->next) {
		if (!subscribed(p, topic, tlen))
			continue;
		if (admit(p, len) && msg__event_queue(p, off, len, sp) == 0)
			n++;
		else
			(*lost)++;
	}
	return n;
}

/* Queue an admitted EVENT frame to p; 0 if that fails (counted lost). */
static int
deliver(struct msg_peer *p, const struct msg__buf *frame)
{
	if (p->ev != NULL)
		msg__event_before_queue(p);	/* event.c's batch first */
	if (msg__buf_append(&p->out, frame->data, msg__buf_used(frame)) == -1) {
		msg__event_lost(p);
		return 0;
	}
	p->delivered++;
	msg__peer_kick(p);
	return 1;
}

int
msg__publish_n(struct msg_server *s, const char *topic, size_t tlen,
    uint16_t flags, const void *data, size_t len)
{
	struct msg__buf frame = { 0 };
	struct msg_peer *p;
	int n = 0;

	for (p = s->peers; p != NULL; p = p->next) {
		if (!subscribed(p, topic, tlen))
			continue;
		if (frame.data == NULL && msg__frame_append(&frame, MSG_EVENT,
		    flags, 0, 0, topic, tlen, data, len) == -1)
			return -1;
		if (admit(p, msg__buf_used(&frame)))
			n += deliver(p, &frame);
	}
	msg__buf_free(&frame);
	return n;
}

int
msg_publish(struct msg_server *s, const char *topic, uint16_t flags,
    const void *data, size_t len)
{
	return msg__publish_n(s, topic, strlen(topic), flags, data, len);
}

int
msg_peer_send_event(struct msg_peer *p, const char *topic, uint16_t flags,
    const void *data, size_t len)
{
	struct msg__buf frame = { 0 };
	int r;

	if (p->fd == -1) {
		errno = ENOTCONN;
		return -1;
	}
	if (msg__frame_append(&frame, MSG_EVENT, flags, 0, 0, topic,
	    strlen(topic), data, len) == -1)
		return -1;
	r = admit(p, msg__buf_used(&frame)) && deliver(p, &frame);
	msg__buf_free(&frame);
	return r ? 0 : -1;
}

/* Once the queue drained, tell the subscriber how much it lost. */
void
msg__overflow_notice(struct msg_peer *p)
{
	char json[96];
	int n;

	if (p->ev != NULL)
		msg__event_before_queue(p);
	n = snprintf(json, sizeof(json), "{\"dropped\":%llu,\"total\":%llu}",
	    (unsigned long long)p->dropped_unreported,
	    (unsigned long long)p->dropped);
	p->dropped_unreported = 0;
	if (msg__frame_append(&p->out, MSG_EVENT, MSG_F_JSON, 0, 0,
	    OVERFLOW_TOPIC, strlen(OVERFLOW_TOPIC), json, (size_t)n) == 0)
		msg__peer_kick(p);
}

uint64_t
msg_peer_dropped(const struct msg_peer *p)
{
	return p->dropped;
}
