/*
 * server.c: the server behaviour (gen_server): listening socket, peer
 * checks, HELLO, frame dispatch to the application's callbacks, replies.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "msg-int.h"
#include "server-int.h"

#define DEFAULT_MAX_OUTPUT	(64u << 20)
#define DEFAULT_EVENT_QUEUE	(1u << 20)

static void	peer_ready(struct msg_loop *, int, unsigned, void *);

void
msg__peer_unref(struct msg_peer *p)
{
	if (--p->refs > 0)
		return;
	msg__subs_free(p);
	msg__buf_free(&p->in);
	msg__buf_free(&p->out);
	free(p);
}

static void
peer_unlink(struct msg_server *s, struct msg_peer *p)
{
	if (p->prev != NULL)
		p->prev->next = p->next;
	else
		s->peers = p->next;
	if (p->next != NULL)
		p->next->prev = p->prev;
	p->prev = p->next = NULL;
	s->npeers--;
}

/* Close the connection now; the memory goes when the last kept call does. */
void
msg_peer_close(struct msg_peer *p)
{
	struct msg_server *s = p->srv;

	if (p->fd == -1)
		return;
	msg_loop_del_fd(s->loop, p->fd);
	close(p->fd);
	p->fd = -1;
	if (p->flush_pending)
		msg__loop_undefer(s->loop, p);
	msg__admit_gone(p);
	peer_unlink(s, p);
	/* Unsendable now; the input may still be under a callback's feet,
	 * so it goes with the last reference, but no longer counts. */
	msg__buf_free(&p->out);
	p->out.acct = NULL;
	s->buffered -= p->in.cap;
	p->in.acct = NULL;
	if (p->hello_seen && s->ops->peer_down != NULL)
		s->ops->peer_down(s->state, p);
	msg__peer_unref(p);
}

static void
peer_flush(void *arg)
{
	struct msg_peer *p = arg;
	size_t queued;
	int r;

	p->flush_pending = 0;
	if (p->fd == -1)
		return;
	queued = msg__buf_used(&p->out);
	r = msg__buf_write(p->fd, &p->out);
	p->sent += queued - msg__buf_used(&p->out);
	if (r == -1) {
		/* A peer that went away is not worth a log line. */
		if (errno != EPIPE && errno != ECONNRESET)
			msg__log(LOG_INFO, "%s: peer pid %d: write: %s",
			    p->srv->name, (int)p->cred.pid, strerror(errno));
		msg_peer_close(p);
		return;
	}
	if (p->ev != NULL)
		msg__event_sent(p);	/* sync publishes wait for these bytes */
	/* EPOLLOUT stays armed only while output is pending: a drained
	 * peer left armed would wake the loop forever. */
	if ((r == 0) != p->want_write) {
		p->want_write = r == 0;
		msg_loop_mod_fd(p->srv->loop, p->fd,
		    MSG_EV_READ | (p->want_write ? MSG_EV_WRITE : 0));
	}
	if (r == 1 && p->dropped_unreported > 0)
		msg__overflow_notice(p);
}

/* Queue output; it goes out in one write at the end of this loop turn. */
void
msg__peer_kick(struct msg_peer *p)
{
	if (p->flush_pending || p->want_write)
		return;
	if (msg__loop_defer(p->srv->loop, peer_flush, p) == 0)
		p->flush_pending = 1;
	else
		peer_flush(p);
}

int
msg__peer_send(struct msg_peer *p, uint16_t kind, uint16_t flags,
    uint32_t tag, uint32_t id, const void *data, size_t len)
{
	if (p->fd == -1) {
		errno = ENOTCONN;
		return -1;
	}
	if (p->ev != NULL)
		msg__event_before_queue(p);	/* its events go first */
	if (msg__buf_used(&p->out) + len > p->srv->opts.max_output) {
		msg__log(LOG_WARNING, "%s: peer pid %d: output over %zu bytes, "
		    "disconnecting", p->srv->name, (int)p->cred.pid,
		    p->srv->opts.max_output);
		msg_peer_close(p);
		errno = ENOBUFS;
		return -1;
	}
	if (msg__frame_append(&p->out, kind, flags, tag, id, NULL, 0, data,
	    len) == -1)
		return -1;
	msg__peer_kick(p);
	if (p->srv->buffered > p->srv->opts.max_buffered) {
		p->refs++;
		msg__buffered_check(p->srv);
		if (p->fd == -1) {
			msg__peer_unref(p);
			errno = ENOBUFS;
			return -1;
		}
		msg__peer_unref(p);
	}
	return 0;
}

static void
protocol_error(struct msg_peer *p, const char *why)
{
	msg__log(LOG_WARNING, "%s: peer pid %d: protocol error: %s; closing",
	    p->srv->name, (int)p->cred.pid, why);
	/* Answers to the frames before the bad one still go out if they fit. */
	msg__buf_write(p->fd, &p->out);
	msg_peer_close(p);
}

/* --- replies --- */

int
msg_reply(struct msg_call *c, uint16_t flags, const void *data, size_t len)
{
	int r;

	if (c->replied) {
		errno = EALREADY;
		return -1;
	}
	c->replied = 1;
	r = msg__peer_send(c->peer, MSG_REPLY, flags, 0, c->id, data, len);
	if (c->heap)
		msg_call_free(c);
	return r;
}

int
msg_reply_error(struct msg_call *c, uint32_t code, const char *text)
{
	int r;

	if (c->replied) {
		errno = EALREADY;
		return -1;
	}
	c->replied = 1;
	r = msg__peer_send(c->peer, MSG_ERROR, 0, code, c->id, text,
	    text ? strlen(text) : 0);
	if (c->heap)
		msg_call_free(c);
	return r;
}

struct msg_call *
msg_call_keep(struct msg_call *c)
{
	struct msg_call *k;

	if (c->heap)
		return c;
	if ((k = malloc(sizeof(*k))) == NULL)
		return NULL;
	*k = *c;
	k->heap = 1;
	k->peer->refs++;
	c->replied = 1;		/* the kept copy answers it now */
	return k;
}

void
msg_call_free(struct msg_call *c)
{
	if (c == NULL || !c->heap)
		return;
	msg__peer_unref(c->peer);
	free(c);
}

struct msg_peer *
msg_call_peer(const struct msg_call *c)
{
	return c->peer;
}

const struct msg_cred *
msg_peer_cred(const struct msg_peer *p)
{
	return &p->cred;
}

/* --- dispatch --- */

static void
on_call(struct msg_peer *p, const struct msg_message *m)
{
	struct msg_server *s = p->srv;
	struct msg_call c = { .peer = p, .id = m->id };

	if (m->id == 0) {
		msg__peer_send(p, MSG_ERROR, 0, MSG_ERR_BAD_REQUEST, 0,
		    "call id 0", 9);
		return;
	}
	if (s->ops->handle_call == NULL) {
		msg_reply_error(&c, MSG_ERR_UNKNOWN_TAG, "no calls here");
		return;
	}
	s->ops->handle_call(s->state, &c, m);
	if (!c.replied)
		msg_reply_error(&c, MSG_ERR_SERVER, "no reply");
}

static void
on_event(struct msg_peer *p, const struct msg_message *m)
{
	struct msg_server *s = p->srv;

	if (s->ops->handle_event != NULL)
		s->ops->handle_event(s->state, p, m);
	else
		msg__publish_n(s, m->topic, m->topic_len, m->flags, m->data,
		    m->len);
}

/* Returns -1 when the frame broke the protocol (the peer is closed). */
static int
on_frame(struct msg_peer *p, const struct msg_message *m)
{
	struct msg_server *s = p->srv;

	if (!p->hello_seen) {
		if (m->kind != MSG_HELLO || msg__hello_check(m->data, m->len)) {
			protocol_error(p, "bad or missing HELLO");
			return -1;
		}
		p->hello_seen = 1;
		if (s->ops->peer_up != NULL)
			s->ops->peer_up(s->state, p);
		return 0;
	}
	switch (m->kind) {
	case MSG_CALL:
		on_call(p, m);
		break;
	case MSG_CAST:
		if (s->ops->handle_cast != NULL)
			s->ops->handle_cast(s->state, p, m);
		else
			msg__log(LOG_INFO, "%s: cast 0x%08x dropped: no "
			    "handler", s->name, m->tag);
		break;
	case MSG_EVENT:
		on_event(p, m);
		break;
	case MSG_SUBSCRIBE:
		if (msg__subs_add(p, m->topic, m->topic_len) == -1)
			msg__log(LOG_WARNING, "%s: subscribe: %s", s->name,
			    strerror(errno));
		break;
	case MSG_UNSUBSCRIBE:
		msg__subs_del(p, m->topic, m->topic_len);
		break;
	case MSG_HELLO:
		protocol_error(p, "second HELLO");
		return -1;
	default:	/* REPLY and ERROR never come from a client */
		protocol_error(p, msg__perr_str(PERR_DIRECTION));
		return -1;
	}
	return 0;
}

/* Handle every whole frame in buf; returns bytes used, or -1 if closed. */
static ssize_t
on_bytes(struct msg_peer *p, const unsigned char *buf, size_t avail)
{
	struct msg_message m;
	enum msg__perr perr;
	size_t off = 0, used;
	int r;

	while (p->fd != -1) {
		r = msg__parse(buf + off, avail - off, p->srv->opts.max_payload,
		    &m, &used, &perr);
		if (r == 0)
			return (ssize_t)off;
		if (r == -1) {
			protocol_error(p, msg__perr_str(perr));
			return -1;
		}
		off += used;
		if (on_frame(p, &m) == -1)
			return -1;
	}
	return -1;
}

/*
 * Read what is there. With no partial frame pending, bytes land in the
 * server's scratch buffer and only a trailing partial frame is copied
 * into the peer, so an idle peer holds no buffer at all.
 */
static void
peer_read(struct msg_peer *p)
{
	struct msg_server *s = p->srv;
	unsigned char *dst;
	ssize_t n, used;
	int direct = msg__buf_used(&p->in) == 0;

	if (direct)
		dst = s->scratch;
	else if (msg__buf_reserve(&p->in, MSG_READ_CHUNK) == -1) {
		msg__log(LOG_WARNING, "%s: peer pid %d: %s; closing", s->name,
		    (int)p->cred.pid, strerror(errno));
		msg_peer_close(p);
		return;
	} else
		dst = p->in.data + p->in.len;
	n = recv(p->fd, dst, MSG_READ_CHUNK, MSG_DONTWAIT);
	if (n == 0 && msg__buf_used(&p->in) > 0) {
		protocol_error(p, "truncated frame");
		return;
	}
	if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR)) {
		msg_peer_close(p);
		return;
	}
	if (n == -1)
		return;
	p->refs++;		/* callbacks may close the peer */
	if (direct) {
		used = on_bytes(p, dst, (size_t)n);
		if (used >= 0 && used < n &&
		    msg__buf_append(&p->in, dst + used, (size_t)(n - used)) == -1)
			msg_peer_close(p);
	} else {
		p->in.len += (size_t)n;
		used = on_bytes(p, p->in.data + p->in.off, msg__buf_used(&p->in));
		if (used > 0)
			msg__buf_consume(&p->in, (size_t)used);
	}
	msg__deadline_update(p);
	if (s->buffered > s->opts.max_buffered)
		msg__buffered_check(s);
	msg__peer_unref(p);
}

static void
peer_ready(struct msg_loop *l, int fd, unsigned events, void *arg)
{
	struct msg_peer *p = arg;
	int closed;

	if (events & MSG_EV_WRITE) {
		p->refs++;		/* a failed write closes and frees p */
		peer_flush(p);
		closed = p->fd == -1;
		msg__peer_unref(p);
		if (closed)
			return;
	}
	if (events & (MSG_EV_READ | MSG_EV_ERROR))
		peer_read(p);
}

/* --- accepting --- */

static int
peer_allowed(struct msg_server *s, const struct msg_cred *c)
{
	return s->opts.allow_any_uid || c->uid == 0 || c->uid == geteuid();
}

static void
peer_accept(struct msg_server *s, int fd)
{
	struct ucred uc;
	socklen_t len = sizeof(uc);
	struct msg_peer *p;
	unsigned char hello[MSG_HELLO_LEN];

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) == -1) {
		close(fd);
		return;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		close(fd);
		return;
	}
	p->fd = fd;
	p->srv = s;
	p->refs = 1;
	p->cred.pid = uc.pid;
	p->cred.uid = uc.uid;
	p->cred.gid = uc.gid;
	if (!peer_allowed(s, &p->cred)) {
		msg__log(LOG_WARNING, "%s: refused pid %d: uid %u may not "
		    "connect", s->name, (int)uc.pid, (unsigned)uc.uid);
		close(fd);
		free(p);
		return;
	}
	if (msg__admit(s, fd, &p->cred) == -1) {
		free(p);
		return;
	}
	if (msg_loop_add_fd(s->loop, fd, MSG_EV_READ, peer_ready, p) == -1) {
		msg__admit_gone(p);
		close(fd);
		free(p);
		return;
	}
	p->in.acct = p->out.acct = &s->buffered;
	p->next = s->peers;
	if (s->peers != NULL)
		s->peers->prev = p;
	s->peers = p;
	s->npeers++;
	msg__deadline_update(p);
	msg__hello_payload(hello);
	msg__peer_send(p, MSG_HELLO, 0, 0, 0, hello, sizeof(hello));
}

/*
 * Out of descriptors: the pending connection would wake a level-triggered
 * loop forever. Give back the spare descriptor, accept the connection,
 * tell it why and close it, and take the spare again.
 */
static void
shed(struct msg_server *s, int lfd)
{
	char why[64];
	int fd;

	snprintf(why, sizeof(why), "out of descriptors (%s)", strerror(errno));
	if (s->spare != -1)
		close(s->spare);
	if ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK)) != -1)
		msg__refuse(s, fd, 0, why);
	s->spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

static void
listen_ready(struct msg_loop *l, int lfd, unsigned events, void *arg)
{
	struct msg_server *s = arg;
	int fd, i;

	/* Bounded, so a connection storm cannot starve everyone else. */
	for (i = 0; i < 64; i++) {
		fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno == EMFILE || errno == ENFILE)
				shed(s, lfd);
			return;
		}
		peer_accept(s, fd);
	}
}

static void
opts_defaults(struct msg_server_opts *o, const struct msg_server_opts *in)
{
	memset(o, 0, sizeof(*o));
	if (in != NULL)
		*o = *in;
	if (o->max_payload == 0)
		o->max_payload = MSG_MAX_PAYLOAD_DEFAULT;
	if (o->max_output == 0)
		o->max_output = DEFAULT_MAX_OUTPUT;
	if (o->max_event_queue == 0)
		o->max_event_queue = DEFAULT_EVENT_QUEUE;
	msg__admit_defaults(o);
}

struct msg_server *
msg_server_new_fd(struct msg_loop *l, int lfd,
    const struct msg_server_ops *ops, void *state,
    const struct msg_server_opts *opts)
{
	struct msg_server *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	if ((s->scratch = malloc(MSG_READ_CHUNK)) == NULL)
		goto fail;
	s->loop = l;
	s->lfd = lfd;
	s->spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
	s->ops = ops;
	s->state = state;
	opts_defaults(&s->opts, opts);
	strlcpy(s->name, "server", sizeof(s->name));
	if (msg__set_nonblock(lfd) == -1 ||
	    msg_loop_add_fd(l, lfd, MSG_EV_READ, listen_ready, s) == -1)
		goto fail;
	return s;
fail:
	free(s->scratch);
	free(s);
	return NULL;
}

void
msg_server_set_state(struct msg_server *s, void *state)
{
	s->state = state;
}

void
msg_server_free(struct msg_server *s)
{
	struct stat st;

	if (s == NULL)
		return;
	while (s->peers != NULL)
		msg_peer_close(s->peers);
	msg_loop_del_fd(s->loop, s->lfd);
	/* Unlink only our own socket, not one a successor bound since. */
	if (s->bound && stat(s->path, &st) == 0 && st.st_ino == s->ino)
		unlink(s->path);
	close(s->lfd);
	if (s->spare != -1)
		close(s->spare);
	free(s->uids);
	free(s->scratch);
	free(s);
}

const char *
msg_server_path(const struct msg_server *s)
{
	return s->path;
}

size_t
msg_server_peers(const struct msg_server *s)
{
	return s->npeers;
}

struct msg_server *
msg_server_new(struct msg_loop *l, const char *name,
    const struct msg_server_ops *ops, void *state,
    const struct msg_server_opts *opts)
{
	struct msg_server *s;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	ino_t ino = 0;
	int fd, bound = 0;

	if ((fd = msg__listen_activated(name)) == -1) {
		if ((fd = msg__listen_bind(name, path, sizeof(path), &ino)) == -1)
			return NULL;
		bound = 1;
	} else if (msg_sock_path(name, path, sizeof(path)) == -1)
		path[0] = '\0';
	if ((s = msg_server_new_fd(l, fd, ops, state, opts)) == NULL) {
		if (bound)
			unlink(path);
		close(fd);
		return NULL;
	}
	strlcpy(s->path, path, sizeof(s->path));
	strlcpy(s->name, name, sizeof(s->name));
	s->bound = bound;
	s->ino = ino;
	return s;
}

static int
output_pending(const struct msg_server *s)
{
	const struct msg_peer *p;

	for (p = s->peers; p != NULL; p = p->next)
		if (msg__buf_used(&p->out) > 0)
			return 1;
	return 0;
}

/* Run the loop until every peer has been sent what is queued for it. */
int
msg_server_flush(struct msg_server *s, int timeout_ms)
{
	uint64_t deadline = msg__now_ms() + (uint64_t)timeout_ms;
	uint64_t now;

	while (output_pending(s)) {
		now = msg__now_ms();
		if (now >= deadline) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (msg_loop_run_once(s->loop, (int)(deadline - now)) == -1)
			return -1;
	}
	return 0;
}
