/*
 * pubsub.c: topic subscriptions by prefix and fan-out of events. A slow
 * subscriber's queue is bounded: past it, events to that one subscriber
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

int
msg__subs_match(const struct msg_peer *p, const char *topic, size_t tlen)
{
	size_t i;

	for (i = 0; i < p->nsubs; i++)
		if (p->subs[i].len <= tlen &&
		    memcmp(p->subs[i].prefix, topic, p->subs[i].len) == 0)
			return 1;
	return 0;
}

/* Queue an encoded EVENT frame to p, or count it lost. */
static int
deliver(struct msg_peer *p, const unsigned char *frame, size_t len)
{
	if (p->ev != NULL)
		msg__event_before_queue(p);	/* event.c's batch first */
	/* An event larger than the queue still goes to an idle one. */
	if ((msg__buf_used(&p->out) > 0 &&
	    msg__buf_used(&p->out) + len > p->srv->opts.max_event_queue) ||
	    msg__buf_append(&p->out, frame, len) == -1) {
		p->dropped++;
		p->dropped_unreported++;
		msg__peer_kick(p);
		errno = ENOBUFS;
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
		if (!p->hello_seen || !msg__subs_match(p, topic, tlen))
			continue;
		if (frame.data == NULL && msg__frame_append(&frame, MSG_EVENT,
		    flags, 0, 0, topic, tlen, data, len) == -1)
			return -1;
		n += deliver(p, frame.data, msg__buf_used(&frame));
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
	r = deliver(p, frame.data, msg__buf_used(&frame));
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
