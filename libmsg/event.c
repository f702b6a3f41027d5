/*
 * event.c: the event manager behaviour (gen_event): prefix publish and
 * subscribe with a zero-copy fan-out, publishing with acknowledgement
 * (call "sync_publish", answered once the event is in every matching
 * subscriber's socket) and per-subscriber delivery counts (call
 * "stats"). A client publishes with client.c's functions.
 */
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <jansson.h>

#include "msg-int.h"
#include "server-int.h"

#define SYNC_MAX	256	/* outstanding sync publishes per publisher */
#define BATCH_KEEP	(1u << 20)	/* batch storage kept between turns */
#define IOV_BATCH	64

struct syncpub;

/* A subscriber one sync event has still to be written to. */
struct mark {
	struct mark	*prev, *next;	/* the subscriber's, in queue order */
	struct syncpub	*sp;
	struct msg_peer	*peer;		/* NULL once settled */
	uint64_t	 end;		/* written once peer->sent reaches it */
};

/* A sync publish waiting for its subscribers, then for its answer. */
struct syncpub {
	struct syncpub	*prev, *next;	/* ev->syncs, then ev->done */
	struct msg_call	*call;		/* kept */
	struct msg_peer	*publisher;
	struct mark	*marks;
	size_t		 nmarks, waiting;
	unsigned	 subscribers, written, dropped, gone;
};

/* Bytes of this turn's batch that go to one subscriber. */
struct run {
	size_t	off, len;
};

/*
 * What a connection holds here (peer->ev), from its first event or sync
 * publish until it goes: its share of the batch, the sync events it has
 * still to be written, and the sync publishes it waits for.
 */
struct evpeer {
	struct msg_peer	*peer;
	struct evpeer	*bprev, *bnext;	/* ev->bhead, while it has runs */
	struct run	*runs;
	size_t		 first, nruns, caprun;	/* bytes in them: peer->batched */
	int		 inbatch, doomed;
	struct mark	*head, *tail;	/* as a subscriber */
	unsigned	 nsync;		/* as a publisher: unanswered */
};

/*
 * Events are fanned out once per loop turn: each is encoded once into
 * the batch, and each subscriber notes which bytes of it are its own.
 * At the end of the turn, a subscriber with nothing queued ahead gets
 * them in one sendmsg() straight from the batch; only what its socket
 * does not take is copied into its queue. Before anything else is
 * queued to a subscriber (an answer, a notice), its share is copied in
 * first (msg__event_before_queue), so its frames keep their order.
 */
struct msg_event {
	struct msg_loop			*loop;
	struct msg_server		*srv;
	struct msg_server_ops		 sops;
	const struct msg_event_ops	*ops;
	void				*state;
	struct msg__buf			 batch;
	struct evpeer			*bhead;
	int				 flushing;	/* flush queued */
	struct syncpub			*syncs;		/* waiting */
	struct syncpub			*done, *done_tail; /* to answer */
	int				 answering;	/* answer queued */
	int				 closing;
	uint32_t			 tag_sync, tag_stats;
};

static const struct msg_event_ops no_ops;

/* --- bookkeeping --- */

static struct evpeer *
evpeer_get(struct msg_peer *p)
{
	struct evpeer *ep;

	if (p->ev == NULL && (ep = calloc(1, sizeof(*ep))) != NULL) {
		ep->peer = p;
		p->ev = ep;
	}
	return p->ev;
}

static void
batch_link(struct msg_event *ev, struct evpeer *ep)
{
	if (ep->inbatch)
		return;
	ep->bprev = NULL;
	if ((ep->bnext = ev->bhead) != NULL)
		ep->bnext->bprev = ep;
	ev->bhead = ep;
	ep->inbatch = 1;
}

static void
batch_unlink(struct msg_event *ev, struct evpeer *ep)
{
	if (!ep->inbatch)
		return;
	if (ep->bprev != NULL)
		ep->bprev->bnext = ep->bnext;
	else
		ev->bhead = ep->bnext;
	if (ep->bnext != NULL)
		ep->bnext->bprev = ep->bprev;
	ep->bprev = ep->bnext = NULL;
	ep->inbatch = 0;
}

static void
runs_clear(struct evpeer *ep)
{
	ep->first = ep->nruns = 0;
	ep->peer->batched = 0;
}

static int
run_add(struct evpeer *ep, size_t off, size_t len)
{
	struct run *r;
	size_t cap;

	if (ep->nruns > 0) {
		r = &ep->runs[ep->nruns - 1];
		if (r->off + r->len == off) {	/* the usual case */
			r->len += len;
			return 0;
		}
	}
	if (ep->nruns == ep->caprun) {
		cap = ep->caprun ? ep->caprun * 2 : 4;
		if ((r = reallocarray(ep->runs, cap, sizeof(*r))) == NULL)
			return -1;
		ep->runs = r;
		ep->caprun = cap;
	}
	ep->runs[ep->nruns].off = off;
	ep->runs[ep->nruns].len = len;
	ep->nruns++;
	return 0;
}

/* n bytes of the runs went out. */
static void
runs_consume(struct evpeer *ep, size_t n)
{
	struct run *r;

	ep->peer->batched -= n;
	while (n > 0) {
		r = &ep->runs[ep->first];
		if (n < r->len) {
			r->off += n;
			r->len -= n;
			return;
		}
		n -= r->len;
		ep->first++;
	}
	if (ep->first == ep->nruns)
		runs_clear(ep);
}

/* Copy a subscriber's share of the batch into its queue. */
static void
runs_queue(struct msg_event *ev, struct evpeer *ep)
{
	struct msg_peer *p = ep->peer;
	struct run *r;

	for (; ep->first < ep->nruns; ep->first++) {
		r = &ep->runs[ep->first];
		if (msg__buf_append(&p->out, ev->batch.data + r->off,
		    r->len) == -1) {
			/* Out of memory: what follows would be out of
			 * order; the end-of-turn flush closes it. */
			ep->doomed = 1;
			break;
		}
	}
	runs_clear(ep);
	if (!ep->doomed)
		batch_unlink(ev, ep);
	msg__peer_kick(p);
}

/* Something else is about to be queued to p: its events go first. */
void
msg__event_before_queue(struct msg_peer *p)
{
	struct evpeer *ep = p->ev;

	if (ep->nruns > ep->first)
		runs_queue(p->srv->state, ep);
}

/* Write a subscriber's share straight from the batch; -1 on a dead socket. */
static int
runs_send(struct msg_event *ev, struct evpeer *ep)
{
	struct iovec iov[IOV_BATCH];
	struct msghdr mh;
	size_t k, want;
	ssize_t n;

	while (ep->nruns > ep->first) {
		want = 0;
		for (k = 0; k < IOV_BATCH && ep->first + k < ep->nruns; k++) {
			iov[k].iov_base = ev->batch.data +
			    ep->runs[ep->first + k].off;
			iov[k].iov_len = ep->runs[ep->first + k].len;
			want += iov[k].iov_len;
		}
		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = iov;
		mh.msg_iovlen = k;
		n = sendmsg(ep->peer->fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
		ep->peer->sent += (uint64_t)n;
		runs_consume(ep, (size_t)n);
		if ((size_t)n < want)
			return 0;		/* the socket is full */
	}
	return 0;
}

static void	flush_turn(void *);

static void
schedule_flush(struct msg_event *ev)
{
	struct evpeer *ep, *next;

	if (ev->flushing || ev->closing)
		return;
	if (msg__loop_defer(ev->loop, flush_turn, &ev->batch) == 0) {
		ev->flushing = 1;
		return;
	}
	/* No flush to wait for: queue every share now. */
	for (ep = ev->bhead; ep != NULL; ep = next) {
		next = ep->bnext;
		if (!ep->doomed)
			runs_queue(ev, ep);
	}
	if (ev->bhead == NULL)
		ev->batch.len = 0;
}

static void
mark_unlink(struct mark *k)
{
	struct evpeer *ep = k->peer->ev;

	if (k->prev != NULL)
		k->prev->next = k->next;
	else
		ep->head = k->next;
	if (k->next != NULL)
		k->next->prev = k->prev;
	else
		ep->tail = k->prev;
	k->prev = k->next = NULL;
	k->peer = NULL;
}

static void
mark_add(struct syncpub *sp, struct evpeer *ep, uint64_t end)
{
	struct mark *k = &sp->marks[sp->nmarks++];

	k->sp = sp;
	k->peer = ep->peer;
	k->end = end;
	k->next = NULL;
	k->prev = ep->tail;
	if (ep->tail != NULL)
		ep->tail->next = k;
	else
		ep->head = k;
	ep->tail = k;
	sp->waiting++;
}

static void
list_remove(struct syncpub **head, struct syncpub *sp)
{
	if (sp->prev != NULL)
		sp->prev->next = sp->next;
	else
		*head = sp->next;
	if (sp->next != NULL)
		sp->next->prev = sp->prev;
	sp->prev = sp->next = NULL;
}

static void
sync_free(struct syncpub *sp)
{
	msg_call_free(sp->call);
	free(sp->marks);
	free(sp);
}

static void	answer(void *);

static void
schedule_answer(struct msg_event *ev)
{
	if (ev->answering || ev->closing)
		return;
	if (msg__loop_defer(ev->loop, answer, ev) == 0)
		ev->answering = 1;
	else
		msg__log(LOG_ERR, "%s: sync_publish: %s; answer delayed",
		    ev->srv->name, strerror(errno));
}

/*
 * One subscriber is settled (written, or gone). The last one moves the
 * sync publish to the answer queue; answers go out from the loop, never
 * from inside a write or a close.
 */
static void
mark_settle(struct msg_event *ev, struct mark *k, unsigned *count)
{
	struct syncpub *sp = k->sp;

	mark_unlink(k);
	(*count)++;
	if (--sp->waiting > 0)
		return;
	list_remove(&ev->syncs, sp);
	sp->prev = ev->done_tail;
	if (ev->done_tail != NULL)
		ev->done_tail->next = sp;
	else
		ev->done = sp;
	ev->done_tail = sp;
	schedule_answer(ev);
}

/* After each write to p (server or batch): settle what it covered. */
void
msg__event_sent(struct msg_peer *p)
{
	struct evpeer *ep = p->ev;
	struct mark *k;

	while ((k = ep->head) != NULL && k->end <= p->sent)
		mark_settle(p->srv->state, k, &k->sp->written);
}

/* A subscriber's turn: its share goes out, or into its queue. */
static void
flush_peer(struct msg_event *ev, struct evpeer *ep)
{
	struct msg_peer *p = ep->peer;

	if (!ep->doomed && p->fd != -1 && !p->want_write &&
	    msg__buf_used(&p->out) == 0 && runs_send(ev, ep) == -1) {
		if (errno != EPIPE && errno != ECONNRESET)
			msg__log(LOG_INFO, "%s: peer pid %d: write: %s",
			    ev->srv->name, (int)p->cred.pid, strerror(errno));
		runs_clear(ep);
		msg_peer_close(p);
		return;
	}
	if (!ep->doomed && ep->nruns > ep->first)
		runs_queue(ev, ep);
	if (ep->doomed) {
		runs_clear(ep);
		msg__log(LOG_WARNING, "%s: peer pid %d: out of memory for "
		    "its events; closing", ev->srv->name, (int)p->cred.pid);
		msg_peer_close(p);
		return;
	}
	if (p->dropped_unreported > 0 && msg__buf_used(&p->out) == 0)
		msg__overflow_notice(p);	/* as the server would */
	msg__event_sent(p);
}

/* End of the loop turn: every subscriber's share goes out. */
static void
flush_turn(void *arg)
{
	struct msg_event *ev = (struct msg_event *)((char *)arg -
	    offsetof(struct msg_event, batch));
	struct evpeer *ep;

	ev->flushing = 0;
	while ((ep = ev->bhead) != NULL) {
		batch_unlink(ev, ep);
		flush_peer(ev, ep);
	}
	if (ev->batch.cap > BATCH_KEEP)
		msg__buf_free(&ev->batch);
	ev->batch.off = ev->batch.len = 0;
}

/* Bytes not yet written to p's socket: its queue and its batch share. */
static size_t
queued(const struct msg_peer *p)
{
	return msg__buf_used(&p->out) + p->batched;
}

/* msg__event_queue() when the event does not just extend p's share. */
static int
queue_new(struct msg_peer *p, size_t off, size_t len, struct syncpub *sp)
{
	struct evpeer *ep;

	if ((ep = evpeer_get(p)) == NULL || ep->doomed ||
	    run_add(ep, off, len) == -1) {
		msg__event_lost(p);
		return -1;
	}
	p->delivered++;
	p->batched += len;
	batch_link(p->srv->state, ep);
	if (sp != NULL)
		mark_add(sp, ep, p->sent + queued(p));
	return 0;
}

/*
 * An admitted event's len bytes at off in the batch are p's (called
 * from msg__fanout_batch() for each subscriber). For a sync publish, p
 * gets a mark at the byte count its socket will have taken once the
 * event is in it. The usual case, an event that extends p's last run,
 * is kept apart: it runs once per event and subscriber, and calls
 * nothing.
 */
int
msg__event_queue(struct msg_peer *p, size_t off, size_t len,
    struct syncpub *sp)
{
	struct evpeer *ep = p->ev;
	struct run *r;

	/* A doomed share has no runs. */
	if (sp != NULL || ep == NULL || ep->nruns == 0)
		return queue_new(p, off, len, sp);
	r = &ep->runs[ep->nruns - 1];
	if (r->off + r->len != off)
		return queue_new(p, off, len, sp);
	r->len += len;
	p->delivered++;
	p->batched += len;
	return 0;
}

/*
 * Fan one event out: encoded once into the batch, noted as each
 * matching subscriber's, or counted lost for one whose queue is full.
 */
static int
fanout(struct msg_event *ev, uint16_t flags, const char *topic, size_t tlen,
    const void *data, size_t len, struct syncpub *sp)
{
	size_t start = ev->batch.len;
	unsigned lost = 0;
	int n;

	if (msg__frame_append(&ev->batch, MSG_EVENT, flags, 0, 0, topic, tlen,
	    data, len) == -1)
		return -1;
	n = msg__fanout_batch(ev->srv, topic, tlen, start,
	    ev->batch.len - start, sp, &lost);
	if (sp != NULL) {
		sp->subscribers += n + lost;
		sp->dropped += lost;
	}
	if (n == 0)
		ev->batch.len = start;		/* nobody's: forget it */
	else
		schedule_flush(ev);
	return n;
}

static void
sync_reply(struct msg_call *call, const struct syncpub *sp)
{
	char buf[160];

	if (sp->dropped > 0) {
		snprintf(buf, sizeof(buf), "dropped for %u of %u subscribers "
		    "(queue full)", sp->dropped, sp->subscribers);
		msg_reply_error(call, MSG_ERR_OVERLOADED, buf);
		return;
	}
	snprintf(buf, sizeof(buf), "{\"subscribers\":%u,\"written\":%u,"
	    "\"dropped\":%u,\"gone\":%u}", sp->subscribers, sp->written,
	    sp->dropped, sp->gone);
	msg_reply(call, MSG_F_JSON, buf, strlen(buf));
}

/*
 * Answer every settled sync publish. Each is off every list before its
 * reply is sent: a reply may close its publisher (output limit), and
 * that close settles and cancels other sync publishes.
 */
static void
answer(void *arg)
{
	struct msg_event *ev = arg;
	struct syncpub *sp;
	struct msg_call *call;
	struct evpeer *ep;

	ev->answering = 0;
	while ((sp = ev->done) != NULL) {
		if ((ev->done = sp->next) != NULL)
			ev->done->prev = NULL;
		else
			ev->done_tail = NULL;
		if ((ep = sp->publisher->ev) != NULL)
			ep->nsync--;
		call = sp->call;
		sp->call = NULL;
		sync_reply(call, sp);		/* frees the kept call */
		sync_free(sp);
	}
}

static void
marks_drop(struct syncpub *sp)
{
	size_t i;

	for (i = 0; i < sp->nmarks; i++)
		if (sp->marks[i].peer != NULL)
			mark_unlink(&sp->marks[i]);
}

/* The publisher left: nobody is there to answer. */
static void
sync_cancel(struct msg_event *ev, struct syncpub *sp)
{
	marks_drop(sp);
	list_remove(&ev->syncs, sp);
	sync_free(sp);
}

/* --- sync_publish --- */

struct syncreq {
	uint16_t	 flags;
	const char	*topic;
	size_t		 tlen;
	const void	*data;
	size_t		 len;
};

static int
sync_decode(const struct msg_message *m, struct syncreq *r)
{
	const unsigned char *b = m->data;

	if (m->len < MSG_SYNC_HDR_LEN)
		return -1;
	r->flags = msg__get16(b);
	r->tlen = msg__get16(b + 2);
	if (r->tlen > m->len - MSG_SYNC_HDR_LEN)
		return -1;
	r->topic = (const char *)b + MSG_SYNC_HDR_LEN;
	r->data = b + MSG_SYNC_HDR_LEN + r->tlen;
	r->len = m->len - MSG_SYNC_HDR_LEN - r->tlen;
	return 0;
}

/* The application's say on a client's event: 0 relay it, -1 drop it. */
static int
filter(struct msg_event *ev, struct msg_peer *from, uint16_t flags,
    const char *topic, size_t tlen, const void *data, size_t len)
{
	struct msg_message e;

	if (ev->ops->handle_event == NULL)
		return 0;
	memset(&e, 0, sizeof(e));
	e.kind = MSG_EVENT;
	e.flags = flags;
	e.data = data;
	e.len = len;
	e.topic = topic;
	e.topic_len = tlen;
	return ev->ops->handle_event(ev->state, from, &e);
}

static void
sync_publish(struct msg_event *ev, struct msg_call *call,
    const struct msg_message *m)
{
	struct msg_peer *pub = msg_call_peer(call);
	struct syncpub *sp = NULL;
	struct evpeer *ep;
	struct syncreq r;
	size_t n;

	if (sync_decode(m, &r) == -1) {
		msg_reply_error(call, MSG_ERR_BAD_REQUEST,
		    "sync_publish: topic length beyond the payload");
		return;
	}
	if ((ep = evpeer_get(pub)) == NULL)
		goto fail;
	if (ep->nsync >= SYNC_MAX) {
		msg_reply_error(call, MSG_ERR_OVERLOADED,
		    "too many sync publishes outstanding");
		return;
	}
	if ((sp = calloc(1, sizeof(*sp))) == NULL)
		goto fail;
	if (filter(ev, pub, r.flags, r.topic, r.tlen, r.data, r.len) == 0) {
		n = msg__subs_count(ev->srv, r.topic, r.tlen);
		if ((sp->marks = calloc(n ? n : 1, sizeof(*sp->marks))) ==
		    NULL || fanout(ev, r.flags, r.topic, r.tlen, r.data, r.len,
		    sp) == -1)
			goto fail;
	}
	if (sp->waiting == 0) {
		sync_reply(call, sp);
		sync_free(sp);
		return;
	}
	if ((sp->call = msg_call_keep(call)) == NULL) {
		marks_drop(sp);		/* queued, never confirmed */
		sync_free(sp);
		msg_reply_error(call, MSG_ERR_SERVER, strerror(errno));
		return;
	}
	sp->publisher = pub;
	ep->nsync++;
	if ((sp->next = ev->syncs) != NULL)
		sp->next->prev = sp;
	ev->syncs = sp;
	return;
fail:
	msg_reply_error(call, MSG_ERR_SERVER, strerror(errno));
	if (sp != NULL) {
		marks_drop(sp);
		sync_free(sp);
	}
}

/* --- stats --- */

static int
cmp_sub(const void *a, const void *b)
{
	const struct sub *x = *(const struct sub *const *)a;
	const struct sub *y = *(const struct sub *const *)b;
	int c = memcmp(x->prefix, y->prefix, x->len < y->len ? x->len : y->len);

	if (c != 0)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

/* A prefix as a JSON string; bytes that are not UTF-8 become '?'. */
static json_t *
prefix_json(const struct sub *s)
{
	json_t *v;
	char *copy;
	size_t i;

	if ((v = json_stringn(s->prefix, s->len)) != NULL)
		return v;
	if ((copy = malloc(s->len ? s->len : 1)) == NULL)
		return NULL;
	for (i = 0; i < s->len; i++)
		copy[i] = (unsigned char)s->prefix[i] < 0x80 ? s->prefix[i] :
		    '?';
	v = json_stringn(copy, s->len);
	free(copy);
	return v;
}

static json_t *
prefixes_json(const struct msg_peer *p)
{
	const struct sub **v;
	json_t *a, *s;
	size_t i;

	if ((a = json_array()) == NULL ||
	    (v = calloc(p->nsubs, sizeof(*v))) == NULL) {
		json_decref(a);
		return NULL;
	}
	for (i = 0; i < p->nsubs; i++)
		v[i] = &p->subs[i];
	qsort(v, p->nsubs, sizeof(*v), cmp_sub);
	for (i = 0; i < p->nsubs; i++) {
		if ((s = prefix_json(v[i])) == NULL ||
		    json_array_append_new(a, s) == -1) {
			json_decref(a);
			a = NULL;
			break;
		}
	}
	free(v);
	return a;
}

json_t *
msg_event_stats(struct msg_event *ev)
{
	struct msg_peer *p, *last = NULL;
	json_t *a, *o, *pre;

	if ((a = json_array()) == NULL)
		return NULL;
	/* Oldest connection first: the server keeps the newest first. */
	for (p = ev->srv->peers; p != NULL; p = p->next)
		last = p;
	for (p = last; p != NULL; p = p->prev) {
		if (!p->hello_seen || p->nsubs == 0)
			continue;
		if ((pre = prefixes_json(p)) == NULL ||
		    (o = json_pack("{sisosIsIsI}", "pid", (int)p->cred.pid,
		    "prefixes", pre, "delivered", (json_int_t)p->delivered,
		    "dropped", (json_int_t)p->dropped, "queued",
		    (json_int_t)queued(p))) == NULL ||
		    json_array_append_new(a, o) == -1) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static void
stats(struct msg_event *ev, struct msg_call *call)
{
	json_t *v;

	if ((v = msg_event_stats(ev)) == NULL) {
		msg_reply_error(call, MSG_ERR_SERVER, "stats: out of memory");
		return;
	}
	msg_reply_json(call, v);
	json_decref(v);
}

/* --- the server's callbacks --- */

static void
ev_call(void *state, struct msg_call *call, const struct msg_message *m)
{
	struct msg_event *ev = state;

	if (m->tag == ev->tag_sync)
		sync_publish(ev, call, m);
	else if (m->tag == ev->tag_stats)
		stats(ev, call);
	else if (ev->ops->handle_call != NULL)
		ev->ops->handle_call(ev->state, call, m);
	else
		msg_reply_error(call, MSG_ERR_UNKNOWN_TAG, "unknown call");
}

static void
ev_cast(void *state, struct msg_peer *p, const struct msg_message *m)
{
	struct msg_event *ev = state;

	if (ev->ops->handle_cast != NULL)
		ev->ops->handle_cast(ev->state, p, m);
	else
		msg__log(LOG_INFO, "%s: cast 0x%08x dropped: no handler",
		    ev->srv->name, m->tag);
}

static void
ev_event(void *state, struct msg_peer *p, const struct msg_message *m)
{
	struct msg_event *ev = state;

	if (filter(ev, p, m->flags, m->topic, m->topic_len, m->data,
	    m->len) == 0 && fanout(ev, m->flags, m->topic, m->topic_len,
	    m->data, m->len, NULL) == -1)
		msg__log(LOG_WARNING, "%s: event %.*s: %s", ev->srv->name,
		    (int)m->topic_len, m->topic, strerror(errno));
}

static void
ev_up(void *state, struct msg_peer *p)
{
	struct msg_event *ev = state;

	if (ev->ops->peer_up != NULL)
		ev->ops->peer_up(ev->state, p);
}

/* A subscriber that left is settled ("gone"); a publisher's waits end. */
static void
ev_down(void *state, struct msg_peer *p)
{
	struct msg_event *ev = state;
	struct evpeer *ep = p->ev;
	struct syncpub *sp, *next;
	struct mark *k;

	if (ep != NULL) {
		while ((k = ep->head) != NULL)
			mark_settle(ev, k, &k->sp->gone);
		for (sp = ev->syncs; sp != NULL; sp = next) {
			next = sp->next;
			if (sp->publisher == p)
				sync_cancel(ev, sp);
		}
		/* Settled ones stay queued: their replies fail quietly. */
		batch_unlink(ev, ep);
		free(ep->runs);
		free(ep);
		p->ev = NULL;
		p->batched = 0;
	}
	if (ev->ops->peer_down != NULL)
		ev->ops->peer_down(ev->state, p);
}

/* --- public --- */

struct msg_event *
msg_event_new(struct msg_loop *l, const char *name,
    const struct msg_event_ops *ops, void *state,
    const struct msg_server_opts *opts)
{
	struct msg_event *ev;

	if ((ev = calloc(1, sizeof(*ev))) == NULL)
		return NULL;
	ev->loop = l;
	ev->ops = ops != NULL ? ops : &no_ops;
	ev->state = state;
	ev->tag_sync = msg_tag("sync_publish");
	ev->tag_stats = msg_tag("stats");
	ev->sops.handle_call = ev_call;
	ev->sops.handle_cast = ev_cast;
	ev->sops.handle_event = ev_event;
	ev->sops.peer_up = ev_up;
	ev->sops.peer_down = ev_down;
	if ((ev->srv = msg_server_new(l, name, &ev->sops, ev, opts)) == NULL) {
		free(ev);
		return NULL;
	}
	return ev;
}

void
msg_event_free(struct msg_event *ev)
{
	struct syncpub *sp;

	if (ev == NULL)
		return;
	ev->closing = 1;
	if (ev->answering)
		msg__loop_undefer(ev->loop, ev);
	if (ev->flushing)
		msg__loop_undefer(ev->loop, &ev->batch);
	/* Closing every peer cancels or settles every sync publish. */
	msg_server_free(ev->srv);
	while ((sp = ev->done) != NULL) {
		ev->done = sp->next;
		sync_free(sp);
	}
	while ((sp = ev->syncs) != NULL) {
		ev->syncs = sp->next;
		sync_free(sp);
	}
	msg__buf_free(&ev->batch);
	free(ev);
}

void
msg_event_set_state(struct msg_event *ev, void *state)
{
	ev->state = state;
}

struct msg_server *
msg_event_server(struct msg_event *ev)
{
	return ev->srv;
}

/* What this turn published goes out now, then everything queued. */
int
msg_event_flush(struct msg_event *ev, int timeout_ms)
{
	struct evpeer *ep;

	while ((ep = ev->bhead) != NULL) {
		batch_unlink(ev, ep);
		flush_peer(ev, ep);
	}
	return msg_server_flush(ev->srv, timeout_ms);
}

int
msg_event_notify(struct msg_event *ev, const char *topic, uint16_t flags,
    const void *data, size_t len)
{
	return fanout(ev, flags, topic, strlen(topic), data, len, NULL);
}

uint64_t
msg_peer_delivered(const struct msg_peer *p)
{
	return p->delivered;
}

/* --- the whole life of an event manager actor --- */

#define STOP_DRAIN_MS	1000	/* at most, for queued events on SIGTERM */
#define STOP_POLL_MS	10

struct stopping {
	struct msg_event	*ev;
	uint64_t		 deadline;
	int			 asked;
};

static int
output_pending(const struct msg_event *ev)
{
	const struct msg_peer *p;

	if (ev->bhead != NULL)
		return 1;
	for (p = ev->srv->peers; p != NULL; p = p->next)
		if (msg__buf_used(&p->out) > 0)
			return 1;
	return 0;
}

static void
drain_check(struct msg_loop *l, void *arg)
{
	struct stopping *st = arg;

	if (!output_pending(st->ev) || msg__now_ms() >= st->deadline ||
	    msg_timer_start(l, STOP_POLL_MS, drain_check, st) == NULL)
		msg_loop_stop(l);
}

/*
 * SIGTERM or SIGINT: events already queued still go to the subscribers
 * that read, for up to STOP_DRAIN_MS; a second signal stops at once.
 */
static void
on_stop(struct msg_loop *l, int signo, void *arg)
{
	struct stopping *st = arg;

	if (st->asked++) {
		msg_loop_stop(l);
		return;
	}
	st->deadline = msg__now_ms() + STOP_DRAIN_MS;
	drain_check(l, st);
}

int
msg_event_main(const struct msg_event_actor *a, void *arg)
{
	struct stopping st = { 0 };
	struct msg_loop *l;
	void *state = NULL;
	int rc = 1;

	if ((l = msg__actor_loop_with(on_stop, &st)) == NULL)
		return 1;
	if ((st.ev = msg_event_new(l, a->name, a->ops, NULL, NULL)) == NULL) {
		msg__log(LOG_ERR, "%s: cannot listen: %s", a->name,
		    strerror(errno));
		goto fail_loop;
	}
	if (a->init != NULL && (state = a->init(l, st.ev, arg)) == NULL) {
		msg__log(LOG_ERR, "%s: init failed", a->name);
		goto fail_event;
	}
	msg_event_set_state(st.ev, state);
	msg__actor_ready(a->name);
	rc = msg_loop_run(l) == -1 ? 1 : 0;
	if (a->terminate != NULL)
		a->terminate(state);
fail_event:
	msg_event_free(st.ev);
fail_loop:
	msg_loop_free(l);
	return rc;
}
