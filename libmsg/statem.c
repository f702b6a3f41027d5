/*
 * statem.c: the state machine behaviour (gen_statem in handle_event_function
 * mode): one handler, postponed and inserted events, event, state and
 * generic timeouts on the loop's timers, state enter calls.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "msg-int.h"
#include "server-int.h"

#define DEFAULT_MAX_QUEUE	1024
#define MAX_TIMEOUT_MS		((uint64_t)1 << 48)	/* ~8900 years */

struct tmo;

/* An event that outlives its source: queued, inserted or postponed. */
struct qev {
	struct qev		*prev, *next;
	enum msg_statem_type	 type;
	uint32_t		 tag;
	uint16_t		 kind, flags;
	struct msg_call		*call;		/* kept; NULL once answered */
	struct msg_peer		*peer;		/* holds a reference */
	struct tmo		*tmo;		/* the timeout it came from */
	int			 counted;	/* against max_queue */
	char			*name;		/* TIMEOUT: in data[] */
	size_t			 len;
	unsigned char		 data[];
};

struct qlist {
	struct qev	*head, *tail;
};

/* One timeout: running on a loop timer, or its event queued (zero time). */
struct tmo {
	struct msg_statem	*sm;
	struct tmo		*next;		/* generic timeouts */
	enum msg_statem_type	 type;
	struct msg_timer	*timer;
	struct qev		*queued;
	uint32_t		 tag;
	int			 fresh;		/* set by the running transition */
	char			*name;		/* generic: owned */
};

struct msg_statem_ctx {
	struct msg_statem		*sm;
	const struct msg_statem_event	*ev;
	int				 owned;		/* ev is queued, not external */
	int				 enter;
	int				 postpone;
	struct qlist			 next;		/* next_event, in order */
	int				 et_set;
	uint64_t			 et_ms;
	uint32_t			 et_tag;
};

struct msg_statem {
	struct msg_loop			*loop;
	struct msg_server		*srv;
	const struct msg_statem_ops	*ops;
	void				*data;
	int				 state;
	int				 started, busy;
	size_t				 max_queue, nqueued;
	struct qlist			 queue, postponed;
	size_t				 npostponed;
	struct tmo			 state_tmo, event_tmo;
	struct tmo			*generic;
	char				 name[MSG_NAME_MAX + 1];
};

static void	handle_q(struct msg_statem *, struct qev *);

/* --- event lists --- */

static void
q_append(struct qlist *l, struct qev *q)
{
	q->next = NULL;
	q->prev = l->tail;
	if (l->tail != NULL)
		l->tail->next = q;
	else
		l->head = q;
	l->tail = q;
}

static void
q_remove(struct qlist *l, struct qev *q)
{
	if (q->prev != NULL)
		q->prev->next = q->next;
	else
		l->head = q->next;
	if (q->next != NULL)
		q->next->prev = q->prev;
	else
		l->tail = q->prev;
	q->prev = q->next = NULL;
}

static struct qev *
q_pop(struct qlist *l)
{
	struct qev *q = l->head;

	if (q != NULL)
		q_remove(l, q);
	return q;
}

/* Move all of src in front of dst, keeping src's order. */
static void
q_prepend(struct qlist *dst, struct qlist *src)
{
	if (src->head == NULL)
		return;
	if (dst->head != NULL) {
		src->tail->next = dst->head;
		dst->head->prev = src->tail;
	} else
		dst->tail = src->tail;
	dst->head = src->head;
	src->head = src->tail = NULL;
}

static struct qev *
q_new(struct msg_statem *sm, enum msg_statem_type type, uint32_t tag,
    uint16_t flags, const void *data, size_t len, const char *name, int count)
{
	struct qev *q;
	size_t nlen = name != NULL ? strlen(name) + 1 : 0;

	if (count && sm->nqueued >= sm->max_queue) {
		errno = ENOBUFS;
		return NULL;
	}
	if (len > SIZE_MAX - sizeof(*q) - nlen) {
		errno = ENOMEM;
		return NULL;
	}
	if ((q = calloc(1, sizeof(*q) + len + nlen)) == NULL)
		return NULL;
	q->type = type;
	q->tag = tag;
	q->flags = flags;
	q->len = len;
	if (len > 0)
		memcpy(q->data, data, len);
	if (name != NULL) {
		q->name = (char *)q->data + len;
		memcpy(q->name, name, nlen);
	}
	if ((q->counted = count))
		sm->nqueued++;
	return q;
}

static void
q_free(struct msg_statem *sm, struct qev *q)
{
	if (q->counted)
		sm->nqueued--;
	msg_call_free(q->call);
	if (q->peer != NULL)
		msg__peer_unref(q->peer);
	free(q);
}

static void
q_free_all(struct msg_statem *sm, struct qlist *l)
{
	struct qev *q;

	while ((q = q_pop(l)) != NULL)
		q_free(sm, q);
}

/*
 * Copy an external event so it can wait. A call is kept (so the server
 * does not answer it) unless it was answered or kept already.
 */
static struct qev *
q_copy(struct msg_statem *sm, const struct msg_statem_event *ev)
{
	struct qev *q;

	q = q_new(sm, ev->type, ev->msg.tag, ev->msg.flags, ev->msg.data,
	    ev->msg.len, ev->name, 1);
	if (q == NULL)
		return NULL;
	q->kind = ev->msg.kind;
	if (ev->call != NULL && !ev->call->replied &&
	    (q->call = msg_call_keep(ev->call)) == NULL) {
		q_free(sm, q);
		return NULL;
	}
	if ((q->peer = ev->peer) != NULL)
		q->peer->refs++;
	return q;
}

/* --- timeouts --- */

static void
tmo_stop(struct msg_statem *sm, struct tmo *t)
{
	if (t->timer != NULL) {
		msg_timer_cancel(sm->loop, t->timer);
		t->timer = NULL;
	}
	if (t->queued != NULL) {
		q_remove(&sm->queue, t->queued);
		t->queued->tmo = NULL;
		q_free(sm, t->queued);
		t->queued = NULL;
	}
}

static struct qev *
tmo_event(struct tmo *t)
{
	struct qev *q;

	q = q_new(t->sm, t->type, t->tag, 0, NULL, 0, t->name, 0);
	if (q == NULL)
		return NULL;
	q->tmo = t;
	t->queued = q;
	return q;
}

static void
generic_free(struct msg_statem *sm, struct tmo *t)
{
	struct tmo **pp;

	tmo_stop(sm, t);
	for (pp = &sm->generic; *pp != NULL; pp = &(*pp)->next)
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	free(t->name);
	free(t);
}

static void
tmo_fired(struct msg_loop *l, void *arg)
{
	struct tmo *t = arg;
	struct msg_statem *sm = t->sm;
	struct qev *q;

	t->timer = NULL;
	if ((q = tmo_event(t)) == NULL) {
		msg__log(LOG_ERR, "%s: %s timeout lost: %s", sm->name,
		    t->name != NULL ? t->name : "a", strerror(errno));
		if (t->type == MSG_STATEM_TIMEOUT)
			generic_free(sm, t);
		return;
	}
	if (sm->busy) {			/* a handler runs the loop itself */
		q_append(&sm->queue, q);
		return;
	}
	sm->busy = 1;
	handle_q(sm, q);
	while ((q = q_pop(&sm->queue)) != NULL)
		handle_q(sm, q);
	sm->busy = 0;
}

/* (Re)start t: zero time queues its event now, behind what is queued. */
static int
tmo_start(struct msg_statem *sm, struct tmo *t, uint64_t ms, uint32_t tag)
{
	struct qev *q;

	tmo_stop(sm, t);
	t->tag = tag;
	if (ms == 0) {
		if ((q = tmo_event(t)) == NULL)
			return -1;
		q_append(&sm->queue, q);
		return 0;
	}
	if (ms > MAX_TIMEOUT_MS)
		ms = MAX_TIMEOUT_MS;
	if ((t->timer = msg_timer_start(sm->loop, ms, tmo_fired, t)) == NULL)
		return -1;
	return 0;
}

static struct tmo *
generic_find(struct msg_statem *sm, const char *name)
{
	struct tmo *t;

	for (t = sm->generic; t != NULL; t = t->next)
		if (strcmp(t->name, name) == 0)
			return t;
	return NULL;
}

/* Any event cancels the event timeout (a state enter call is no event). */
static void
event_timeout_apply(struct msg_statem *sm, struct msg_statem_ctx *ctx)
{
	if (!ctx->et_set)
		return;
	if (sm->queue.head != NULL) {
		tmo_stop(sm, &sm->event_tmo);	/* the next event cancels it */
		return;
	}
	if (tmo_start(sm, &sm->event_tmo, ctx->et_ms, ctx->et_tag) == -1)
		msg__log(LOG_ERR, "%s: event timeout: %s", sm->name,
		    strerror(errno));
}

/* --- transitions --- */

static void
ctx_init(struct msg_statem_ctx *ctx, struct msg_statem *sm,
    const struct msg_statem_event *ev, int owned, int enter)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->sm = sm;
	ctx->ev = ev;
	ctx->owned = owned;
	ctx->enter = enter;
}

static void
enter_call(struct msg_statem *sm, int old)
{
	struct msg_statem_event ev;
	struct msg_statem_ctx ctx;
	int next;

	memset(&ev, 0, sizeof(ev));
	ev.type = MSG_STATEM_ENTER;
	ev.old_state = old;
	ctx_init(&ctx, sm, &ev, 0, 1);
	next = sm->ops->handle_event(&ctx, sm->state, &ev, sm->data);
	if (next != sm->state)
		msg__log(LOG_WARNING, "%s: enter call of state %s returned "
		    "state %s: an enter call cannot change the state",
		    sm->name, msg_statem_state_name(sm, sm->state),
		    msg_statem_state_name(sm, next));
	sm->state_tmo.fresh = 0;
	event_timeout_apply(sm, &ctx);
}

static void
postpone(struct msg_statem *sm, const struct msg_statem_event *ev,
    struct qev *q)
{
	if (q != NULL) {
		/* Answered or kept anew before it was postponed again. */
		if (q->call != NULL && ev->call->replied) {
			msg_call_free(q->call);
			q->call = NULL;
		}
	} else if ((q = q_copy(sm, ev)) == NULL) {
		msg__log(LOG_ERR, "%s: cannot postpone an event: %s",
		    sm->name, strerror(errno));
		if (ev->call != NULL && !ev->call->replied)
			msg_reply_error(ev->call, MSG_ERR_SERVER,
			    "cannot postpone");
		return;
	}
	q_append(&sm->postponed, q);
	sm->npostponed++;
}

/*
 * Handle one event (q is its queued copy, or NULL for an external one
 * handled in place), then do what OTP does after a state callback: the
 * postponed events come back in front of the queue on a state change,
 * inserted events in front of those, timeouts are (re)started, and the
 * new state gets its enter call.
 */
static void
transition(struct msg_statem *sm, const struct msg_statem_event *ev,
    struct qev *q)
{
	struct msg_statem_ctx ctx;
	int next, old = sm->state;

	tmo_stop(sm, &sm->event_tmo);
	ctx_init(&ctx, sm, ev, q != NULL, 0);
	next = sm->ops->handle_event(&ctx, sm->state, ev, sm->data);

	if (ctx.postpone)
		postpone(sm, ev, q);
	else if (q != NULL) {
		if (ev->call != NULL && !ev->call->replied)
			msg_reply_error(ev->call, MSG_ERR_SERVER, "no reply");
		q_free(sm, q);
	}
	if (next != old) {
		sm->state = next;
		if (!sm->state_tmo.fresh)
			tmo_stop(sm, &sm->state_tmo);
		q_prepend(&sm->queue, &sm->postponed);
		sm->npostponed = 0;
	}
	q_prepend(&sm->queue, &ctx.next);
	sm->state_tmo.fresh = 0;
	event_timeout_apply(sm, &ctx);
	if (next != old && (sm->ops->flags & MSG_STATEM_ENTER_CALLS))
		enter_call(sm, old);
}

/* Handle a queued event; a kept call goes to the handler as a fresh one. */
static void
handle_q(struct msg_statem *sm, struct qev *q)
{
	struct msg_statem_event ev;
	struct msg_call c;

	if (q->tmo != NULL) {
		q->tmo->queued = NULL;
		if (q->type == MSG_STATEM_TIMEOUT)
			generic_free(sm, q->tmo);
		q->tmo = NULL;
	}
	memset(&ev, 0, sizeof(ev));
	ev.type = q->type;
	ev.msg.kind = q->kind;
	ev.msg.tag = q->tag;
	ev.msg.flags = q->flags;
	ev.msg.data = q->data;
	ev.msg.len = q->len;
	ev.peer = q->peer;
	ev.name = q->name;
	if (q->call != NULL) {
		c = *q->call;
		c.heap = 0;
		c.replied = 0;
		ev.call = &c;
		ev.msg.id = c.id;
	}
	transition(sm, &ev, q);
}

static void
start(struct msg_statem *sm)
{
	sm->started = 1;
	if ((sm->ops->flags & (MSG_STATEM_ENTER_CALLS | MSG_STATEM_ENTER_INIT))
	    == (MSG_STATEM_ENTER_CALLS | MSG_STATEM_ENTER_INIT))
		enter_call(sm, sm->state);
}

static void
drain(struct msg_statem *sm)
{
	struct qev *q;

	while ((q = q_pop(&sm->queue)) != NULL)
		handle_q(sm, q);
}

static void
start_deferred(void *arg)
{
	struct msg_statem *sm = arg;

	if (sm->started || sm->busy)
		return;
	sm->busy = 1;
	start(sm);
	drain(sm);
	sm->busy = 0;
}

/*
 * An event from outside: handled now and to completion, in place when
 * nothing is queued ahead of it; copied to the queue when a handler is
 * running (it is the handler's own cast_self or info).
 */
static int
deliver(struct msg_statem *sm, const struct msg_statem_event *ev)
{
	struct qev *q;

	if (sm->busy) {
		if ((q = q_copy(sm, ev)) == NULL)
			return -1;
		q_append(&sm->queue, q);
		return 0;
	}
	sm->busy = 1;
	if (!sm->started)
		start(sm);
	if (sm->queue.head != NULL) {
		if ((q = q_copy(sm, ev)) == NULL) {
			drain(sm);
			sm->busy = 0;
			return -1;
		}
		q_append(&sm->queue, q);
	} else
		transition(sm, ev, NULL);
	drain(sm);
	sm->busy = 0;
	return 0;
}

/* --- the server side --- */

static void
srv_call(void *state, struct msg_call *call, const struct msg_message *m)
{
	struct msg_statem *sm = state;
	struct msg_statem_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = MSG_STATEM_CALL;
	ev.msg = *m;
	ev.call = call;
	ev.peer = call->peer;
	if (deliver(sm, &ev) == -1 && !call->replied)
		msg_reply_error(call, MSG_ERR_OVERLOADED, strerror(errno));
}

static void
srv_cast(void *state, struct msg_peer *p, const struct msg_message *m)
{
	struct msg_statem *sm = state;
	struct msg_statem_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = MSG_STATEM_CAST;
	ev.msg = *m;
	ev.peer = p;
	if (deliver(sm, &ev) == -1)
		msg__log(LOG_WARNING, "%s: cast 0x%08x dropped: %s", sm->name,
		    m->tag, strerror(errno));
}

static const struct msg_server_ops srv_ops = {
	.handle_call = srv_call,
	.handle_cast = srv_cast,
};

/* --- public: the machine --- */

struct msg_statem *
msg_statem_new(struct msg_loop *l, const char *name,
    const struct msg_statem_ops *ops, void *data, int initial_state)
{
	struct msg_statem *sm;

	if (l == NULL || ops == NULL || ops->handle_event == NULL) {
		errno = EINVAL;
		return NULL;
	}
	if ((sm = calloc(1, sizeof(*sm))) == NULL)
		return NULL;
	sm->loop = l;
	sm->ops = ops;
	sm->data = data;
	sm->state = initial_state;
	sm->max_queue = ops->max_queue ? ops->max_queue : DEFAULT_MAX_QUEUE;
	sm->state_tmo.sm = sm->event_tmo.sm = sm;
	sm->state_tmo.type = MSG_STATEM_STATE_TIMEOUT;
	sm->event_tmo.type = MSG_STATEM_EVENT_TIMEOUT;
	strlcpy(sm->name, name != NULL ? name : "statem", sizeof(sm->name));
	if (name != NULL &&
	    (sm->srv = msg_server_new(l, name, &srv_ops, sm, NULL)) == NULL)
		goto fail;
	/* The initial enter call waits for the loop, so data can be set. */
	if (msg__loop_defer(l, start_deferred, sm) == -1)
		goto fail_server;
	return sm;
fail_server:
	msg_server_free(sm->srv);
fail:
	free(sm);
	return NULL;
}

void
msg_statem_free(struct msg_statem *sm)
{
	if (sm == NULL)
		return;
	msg__loop_undefer(sm->loop, sm);
	tmo_stop(sm, &sm->state_tmo);
	tmo_stop(sm, &sm->event_tmo);
	while (sm->generic != NULL)
		generic_free(sm, sm->generic);
	q_free_all(sm, &sm->queue);
	q_free_all(sm, &sm->postponed);
	msg_server_free(sm->srv);
	free(sm);
}

void
msg_statem_set_data(struct msg_statem *sm, void *data)
{
	sm->data = data;
}

void *
msg_statem_data(const struct msg_statem *sm)
{
	return sm->data;
}

int
msg_statem_state(const struct msg_statem *sm)
{
	return sm->state;
}

const char *
msg_statem_state_name(const struct msg_statem *sm, int state)
{
	const struct msg_statem_ops *o = sm->ops;

	if (o->state_names == NULL || state < 0 || (size_t)state >= o->nstates ||
	    o->state_names[state] == NULL)
		return "unknown";
	return o->state_names[state];
}

size_t
msg_statem_postponed(const struct msg_statem *sm)
{
	return sm->npostponed;
}

struct msg_server *
msg_statem_server(const struct msg_statem *sm)
{
	return sm->srv;
}

static int
inject(struct msg_statem *sm, enum msg_statem_type type, uint32_t tag,
    uint16_t flags, const void *data, size_t len)
{
	struct msg_statem_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.msg.kind = type == MSG_STATEM_CAST ? MSG_CAST : 0;
	ev.msg.tag = tag;
	ev.msg.flags = flags;
	ev.msg.data = data;
	ev.msg.len = len;
	return deliver(sm, &ev);
}

int
msg_statem_cast_self(struct msg_statem *sm, uint32_t tag, uint16_t flags,
    const void *data, size_t len)
{
	return inject(sm, MSG_STATEM_CAST, tag, flags, data, len);
}

int
msg_statem_info(struct msg_statem *sm, uint32_t tag, uint16_t flags,
    const void *data, size_t len)
{
	return inject(sm, MSG_STATEM_INFO, tag, flags, data, len);
}

/* --- public: actions --- */

struct msg_statem *
msg_statem_self(struct msg_statem_ctx *ctx)
{
	return ctx->sm;
}

int
msg_statem_postpone(struct msg_statem_ctx *ctx)
{
	struct msg_statem *sm = ctx->sm;
	const struct msg_statem_event *ev = ctx->ev;

	if (ctx->enter) {
		errno = EINVAL;
		return -1;
	}
	if (!ctx->owned && sm->nqueued >= sm->max_queue) {
		msg__log(LOG_WARNING, "%s: %zu events wait already; refusing "
		    "to postpone another", sm->name, sm->nqueued);
		if (ev->call != NULL && !ev->call->replied)
			msg_reply_error(ev->call, MSG_ERR_OVERLOADED,
			    "too many postponed events");
		errno = ENOBUFS;
		return -1;
	}
	ctx->postpone = 1;
	return 0;
}

int
msg_statem_next_event(struct msg_statem_ctx *ctx, uint32_t tag,
    uint16_t flags, const void *data, size_t len)
{
	struct qev *q;

	if (ctx->enter) {
		errno = EINVAL;
		return -1;
	}
	q = q_new(ctx->sm, MSG_STATEM_INTERNAL, tag, flags, data, len, NULL, 1);
	if (q == NULL)
		return -1;
	q_append(&ctx->next, q);
	return 0;
}

int
msg_statem_event_timeout(struct msg_statem_ctx *ctx, uint64_t ms,
    uint32_t tag)
{
	ctx->et_set = 1;
	ctx->et_ms = ms;
	ctx->et_tag = tag;
	return 0;
}

int
msg_statem_state_timeout(struct msg_statem_ctx *ctx, uint64_t ms,
    uint32_t tag)
{
	struct msg_statem *sm = ctx->sm;

	sm->state_tmo.fresh = 1;
	return tmo_start(sm, &sm->state_tmo, ms, tag);
}

int
msg_statem_cancel_state_timeout(struct msg_statem_ctx *ctx)
{
	struct msg_statem *sm = ctx->sm;

	sm->state_tmo.fresh = 1;
	tmo_stop(sm, &sm->state_tmo);
	return 0;
}

int
msg_statem_timeout(struct msg_statem_ctx *ctx, const char *name, uint64_t ms)
{
	struct msg_statem *sm = ctx->sm;
	struct tmo *t;

	if (name == NULL) {
		errno = EINVAL;
		return -1;
	}
	if ((t = generic_find(sm, name)) == NULL) {
		if ((t = calloc(1, sizeof(*t))) == NULL)
			return -1;
		if ((t->name = strdup(name)) == NULL) {
			free(t);
			return -1;
		}
		t->sm = sm;
		t->type = MSG_STATEM_TIMEOUT;
		t->next = sm->generic;
		sm->generic = t;
	}
	if (tmo_start(sm, t, ms, msg_tag(name)) == -1) {
		generic_free(sm, t);
		return -1;
	}
	return 0;
}

int
msg_statem_cancel_timeout(struct msg_statem_ctx *ctx, const char *name)
{
	struct tmo *t;

	if (name != NULL && (t = generic_find(ctx->sm, name)) != NULL)
		generic_free(ctx->sm, t);
	return 0;
}

/* --- the whole life of a state machine actor --- */

int
msg_statem_main(const struct msg_statem_actor *a, void *arg)
{
	struct msg_loop *l;
	struct msg_statem *sm;
	void *data = arg;
	int rc = 1;

	if ((l = msg__actor_loop()) == NULL)
		return 1;
	sm = msg_statem_new(l, a->name, a->ops, NULL, a->initial_state);
	if (sm == NULL) {
		msg__log(LOG_ERR, "%s: cannot listen: %s", a->name,
		    strerror(errno));
		goto fail_loop;
	}
	if (a->init != NULL && (data = a->init(l, sm, arg)) == NULL) {
		msg__log(LOG_ERR, "%s: init failed", a->name);
		goto fail_statem;
	}
	msg_statem_set_data(sm, data);
	msg__actor_ready(a->name);
	rc = msg_loop_run(l) == -1 ? 1 : 0;
	if (a->terminate != NULL)
		a->terminate(data, msg_statem_state(sm));
fail_statem:
	msg_statem_free(sm);
fail_loop:
	msg_loop_free(l);
	return rc;
}
