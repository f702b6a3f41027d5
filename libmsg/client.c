/*
 * client.c: the client side: connect by name, blocking calls with a
 * timeout, casts, pipelined calls, publishing (to an event manager too),
 * subscriptions, and reconnection by name after the server went down.
 */
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "msg-int.h"
#include "client-int.h"

static int	next_frame(struct msg_client *, struct msg_message *);

#define FLUSH_AT	65536	/* queue_more() writes once this much waits */
/*
 * A wait for a reply this long or longer (or unbounded) sleeps in recv()
 * itself, not in poll() and then recv(): one system call per reply, not
 * two. Its bound is SO_RCVTIMEO, counted in jiffies on the kernel's
 * coarse timer wheel (up to 1/8 late), so it is set to at most 4/5 of
 * the time left and poll() waits out the rest with its exact timer.
 * Shorter waits use poll() alone.
 */
#define RECV_WAIT_MIN_MS	250

static int
remaining(uint64_t deadline)
{
	uint64_t now;

	if (deadline == UINT64_MAX)
		return -1;
	now = msg__now_ms();
	if (now >= deadline)
		return 0;
	return deadline - now > INT_MAX ? INT_MAX : (int)(deadline - now);
}

static uint64_t
deadline_of(int timeout_ms)
{
	return timeout_ms < 0 ? UINT64_MAX : msg__now_ms() + (uint64_t)timeout_ms;
}

/* The connection is gone: forget its bytes, keep the name to come back. */
static void
go_down(struct msg_client *c)
{
	if (c->fd != -1)
		close(c->fd);
	c->fd = -1;
	c->hello_seen = 0;
	msg__buf_free(&c->in);
	msg__buf_free(&c->out);
	c->nabandoned = 0;
}

/* Read what the socket has into the input buffer: 1 data, 0 none, -1 down. */
static int
fill(struct msg_client *c)
{
	ssize_t n;

	if (msg__buf_reserve(&c->in, MSG_READ_CHUNK) == -1)
		return -1;
	n = recv(c->fd, c->in.data + c->in.len, c->in.cap - c->in.len,
	    MSG_DONTWAIT);
	if (n > 0) {
		c->in.len += (size_t)n;
		return 1;
	}
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (c->in.len == c->in.off)
		msg__buf_free(&c->in);
	return -1;
}

/*
 * Wait for input until the deadline and read it: 1 read something (or
 * was interrupted: look again), 0 the deadline passed, -1 down, -2 a
 * local error (errno).
 */
static int
wait_input(struct msg_client *c, uint64_t deadline)
{
	struct timeval tv;
	struct pollfd pfd;
	ssize_t n;
	int ms = remaining(deadline), want, r;

	if (ms == -1 || ms >= RECV_WAIT_MIN_MS) {
		/* Keep what is set while it ends in time and not too early,
		 * so a caller with a steady timeout sets it once. */
		want = ms == -1 ? 0 : ms - ms / 4;
		if (c->rcvtimeo != want && (want == 0 || c->rcvtimeo == 0 ||
		    c->rcvtimeo > ms - ms / 5 || c->rcvtimeo < ms / 2)) {
			tv.tv_sec = want / 1000;
			tv.tv_usec = (want % 1000) * 1000;
			if (setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv,
			    sizeof(tv)) == -1)
				return -2;
			c->rcvtimeo = want;
		}
		if (msg__buf_reserve(&c->in, MSG_READ_CHUNK) == -1)
			return -2;
		n = recv(c->fd, c->in.data + c->in.len, c->in.cap - c->in.len,
		    0);
		if (n > 0) {
			c->in.len += (size_t)n;
			return 1;
		}
		if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK &&
		    errno != EINTR))
			return -1;
		if (errno == EINTR)
			return 1;
		/* SO_RCVTIMEO ran out, early by design: poll() does the rest
		 * (and never spins if someone made the descriptor
		 * non-blocking). */
		ms = remaining(deadline);
	}
	pfd.fd = c->fd;
	pfd.events = POLLIN;
	if ((r = poll(&pfd, 1, ms)) == 0)
		return 0;
	if (r == -1)
		return errno == EINTR ? 1 : -2;
	return fill(c) == -1 ? -1 : 1;
}

/* Write all queued output, reading meanwhile so neither side stalls. */
static int
drain(struct msg_client *c, uint64_t deadline)
{
	struct pollfd pfd;
	int r;

	for (;;) {
		if ((r = msg__buf_write(c->fd, &c->out)) == 1)
			return MSG_OK;
		if (r == -1)
			return MSG_DOWN;
		pfd.fd = c->fd;
		pfd.events = POLLOUT | POLLIN;
		r = poll(&pfd, 1, remaining(deadline));
		if (r == 0)
			return MSG_TIMEOUT;
		if (r == -1 && errno != EINTR)
			return MSG_FAIL;
		if (r > 0 && (pfd.revents & POLLIN) && fill(c) == -1)
			return MSG_DOWN;
	}
}

static int
queue_frame(struct msg_client *c, uint16_t kind, uint16_t flags, uint32_t tag,
    uint32_t id, const char *topic, const void *data, size_t len)
{
	return msg__frame_append(&c->out, kind, flags, tag, id, topic,
	    topic ? strlen(topic) : 0, data, len);
}

static int
send_sub(struct msg_client *c, uint16_t kind, const char *prefix,
    uint64_t deadline)
{
	if (queue_frame(c, kind, 0, 0, 0, NULL, prefix, strlen(prefix)) == -1)
		return MSG_FAIL;
	return drain(c, deadline);
}

/* A new connection renews every subscription. */
static int
resubscribe(struct msg_client *c, uint64_t deadline)
{
	size_t i;
	int r;

	for (i = 0; i < c->nsubs; i++)
		if ((r = send_sub(c, MSG_SUBSCRIBE, c->subs[i], deadline)) !=
		    MSG_OK)
			return r;
	return MSG_OK;
}

static int
open_socket(struct msg_client *c, uint64_t deadline)
{
	struct sockaddr_un sun;
	struct pollfd pfd;
	int fd, r;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strlcpy(sun.sun_path, c->path, sizeof(sun.sun_path));
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0)) == -1)
		return -1;
	r = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	/* EAGAIN: the backlog is full; wait for room like a blocking
	 * connect would, up to the deadline. */
	while (r == -1 && (errno == EAGAIN || errno == EINPROGRESS)) {
		pfd.fd = fd;
		pfd.events = POLLOUT;
		if (poll(&pfd, 1, remaining(deadline)) <= 0) {
			errno = ETIMEDOUT;
			break;
		}
		r = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
		if (r == -1 && errno == EISCONN)
			r = 0;
	}
	/*
	 * Connected: from here on the descriptor blocks. Every send, and
	 * every recv that must not wait, says MSG_DONTWAIT; a reader that
	 * may wait sleeps in recv() (wait_input()).
	 */
	if (r == 0)
		r = fcntl(fd, F_SETFL, 0);
	if (r == -1) {
		int saved = errno;

		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

/*
 * A server over one of its bounds sends HELLO and, in the same write, an
 * ERROR with id 0 that says which (libmsg(7), REFUSALS): EMFILE when it
 * is out of descriptors, EUSERS when it has too many connections.
 */
static int
refused(struct msg_client *c)
{
	struct msg_message m;
	enum msg__perr perr;
	size_t used;

	if (msg__parse(c->in.data + c->in.off, msg__buf_used(&c->in),
	    c->max_payload, &m, &used, &perr) != 1 || m.kind != MSG_ERROR ||
	    m.id != 0)
		return 0;
	errno = m.len >= 18 && memcmp(m.data, "out of descriptors", 18) == 0 ?
	    EMFILE : EUSERS;
	return -1;
}

/*
 * Wait for the server's HELLO, so a refused peer (closed without one)
 * learns it at connect time rather than at its first call.
 */
static int
wait_hello(struct msg_client *c, uint64_t deadline)
{
	struct msg_message m;
	struct pollfd pfd;
	int r;

	while ((r = next_frame(c, &m)) == 0) {
		pfd.fd = c->fd;
		pfd.events = POLLIN;
		if ((r = poll(&pfd, 1, remaining(deadline))) == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (r == -1 && errno != EINTR)
			return -1;
		if (r > 0 && fill(c) == -1) {
			errno = EACCES;
			return -1;
		}
	}
	if (r == -1)
		return -1;
	if (m.kind != MSG_HELLO || msg__hello_check(m.data, m.len) == -1) {
		errno = EPROTO;
		return -1;
	}
	c->hello_seen = 1;
	return refused(c);
}

static int
handshake(struct msg_client *c, int fd, uint64_t deadline)
{
	unsigned char hello[MSG_HELLO_LEN];
	int r = MSG_OK, saved;

	c->fd = fd;
	c->hello_seen = 0;
	c->rcvtimeo = 0;
	msg__hello_payload(hello);
	/*
	 * A server that refuses us may close before our HELLO is out: the
	 * broken pipe is not the news, its missing HELLO is (EACCES), so
	 * wait_hello() reads what it sent, if anything, either way.
	 */
	if (queue_frame(c, MSG_HELLO, 0, 0, 0, NULL, hello, sizeof(hello)) ||
	    ((r = drain(c, deadline)) != MSG_OK && r != MSG_DOWN) ||
	    wait_hello(c, deadline) == -1 ||
	    resubscribe(c, deadline) != MSG_OK) {
		saved = r == MSG_TIMEOUT ? ETIMEDOUT : errno;
		go_down(c);
		errno = saved;
		return -1;
	}
	return 0;
}

/* Did the inotify events just read name base? */
static int
names(const char *buf, ssize_t n, const char *base)
{
	const struct inotify_event *ev;
	const char *p;

	for (p = buf; p < buf + n; p += sizeof(*ev) + ev->len) {
		ev = (const struct inotify_event *)p;
		if (ev->len && strcmp(ev->name, base) == 0)
			return 1;
	}
	return 0;
}

/*
 * Sleep until path is (re)created in its directory or the deadline
 * passes. Servers rename their socket into place only once listening,
 * so its appearance means it accepts.
 */
static int
wait_for_name(const char *path, uint64_t deadline)
{
	char dir[PATH_MAX], buf[4096] __attribute__((aligned(8)));
	const char *base;
	struct pollfd pfd;
	uint64_t now;
	ssize_t n;
	int fd, r = -1;

	strlcpy(dir, path, sizeof(dir));
	if ((base = strrchr(path, '/')) == NULL)
		return -1;
	dir[base - path] = '\0';
	base++;
	if ((fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK)) == -1)
		return -1;
	if (inotify_add_watch(fd, dir[0] ? dir : "/",
	    IN_CREATE | IN_MOVED_TO) == -1)
		goto out;
	/* It may have come back between the failed connect and the watch. */
	if (msg__sock_live(path)) {
		r = 0;
		goto out;
	}
	for (;;) {
		now = msg__now_ms();
		if (deadline != UINT64_MAX && now >= deadline) {
			errno = ETIMEDOUT;
			break;
		}
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, deadline == UINT64_MAX ? -1 :
		    (int)(deadline - now > INT_MAX ? INT_MAX : deadline - now)) <= 0)
			continue;
		if ((n = read(fd, buf, sizeof(buf))) > 0 && names(buf, n, base)) {
			r = 0;
			break;
		}
	}
out:
	close(fd);
	return r;
}

static int
connect_by_name(struct msg_client *c, uint64_t deadline, int wait)
{
	int fd;

	for (;;) {
		if ((fd = open_socket(c, deadline)) != -1)
			return handshake(c, fd, deadline);
		if (!wait || (errno != ENOENT && errno != ECONNREFUSED))
			return -1;
		if (wait_for_name(c->path, deadline) == -1)
			return -1;
	}
}

struct msg_client *
msg_connect(const char *name, int timeout_ms)
{
	struct msg_client *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->fd = -1;
	c->max_payload = MSG_MAX_PAYLOAD_DEFAULT;
	c->next_id = 1;
	if (msg_sock_path(name, c->path, sizeof(c->path)) == -1 ||
	    connect_by_name(c, deadline_of(timeout_ms), 0) == -1) {
		int saved = errno;

		msg_close(c);
		errno = saved;
		return NULL;
	}
	return c;
}

void
msg_close(struct msg_client *c)
{
	if (c == NULL)
		return;
	go_down(c);
	msg__queue_clear(c);
	msg__buf_free(&c->cur);
	msg__sublist_clear(c);
	free(c);
}

int
msg_client_fd(const struct msg_client *c)
{
	return c->fd;
}

void
msg_client_set_max_payload(struct msg_client *c, size_t max)
{
	c->max_payload = max ? max : MSG_MAX_PAYLOAD_DEFAULT;
}

/*
 * Take the next whole frame out of the input buffer into c->cur, so the
 * caller's message stays valid until the next call. 1 a frame, 0 none
 * yet, -1 protocol error (the connection is closed).
 */
static int
next_frame(struct msg_client *c, struct msg_message *m)
{
	enum msg__perr perr;
	struct msg_message raw;
	size_t used;
	int r;

	r = msg__parse(c->in.data + c->in.off, msg__buf_used(&c->in),
	    c->max_payload, &raw, &used, &perr);
	if (r <= 0) {
		if (r == -1) {
			go_down(c);
			errno = EPROTO;
		}
		return r;
	}
	msg__buf_free(&c->cur);
	if (msg__buf_append(&c->cur, c->in.data + c->in.off, used) == -1)
		return -1;
	msg__buf_consume(&c->in, used);
	return msg__parse(c->cur.data, used, SIZE_MAX, m, &used, &perr);
}

/* Wait for the next frame that is not HELLO; see msg_recv(). */
static int
read_msg(struct msg_client *c, uint64_t deadline, struct msg_message *m)
{
	int r;

	for (;;) {
		if ((r = next_frame(c, m)) == -1)
			return errno == EPROTO ? MSG_DOWN : MSG_FAIL;
		if (r == 1 && m->kind == MSG_HELLO) {
			go_down(c);		/* a second HELLO */
			errno = EPROTO;
			return MSG_DOWN;
		}
		if (r == 1 && msg__abandoned(c, m))
			continue;
		if (r == 1)
			return MSG_OK;
		if ((r = wait_input(c, deadline)) == 0)
			return MSG_TIMEOUT;
		if (r == -2)
			return MSG_FAIL;
		if (r == -1) {
			go_down(c);
			return MSG_DOWN;
		}
	}
}

/* Reconnect by name if the last connection went down (inline: every
 * send asks). */
static inline int
ensure_up(struct msg_client *c, uint64_t deadline)
{
	if (c->fd != -1)
		return MSG_OK;
	if (connect_by_name(c, deadline, 1) == -1)
		return errno == ETIMEDOUT ? MSG_TIMEOUT : MSG_DOWN;
	return MSG_OK;
}

static int
send_frame(struct msg_client *c, uint16_t kind, uint16_t flags, uint32_t tag,
    uint32_t id, const char *topic, const void *data, size_t len,
    uint64_t deadline)
{
	int r, fresh;

	if (len > c->max_payload) {
		errno = EMSGSIZE;
		return MSG_FAIL;
	}
	for (;;) {
		fresh = c->fd == -1;
		if ((r = ensure_up(c, deadline)) != MSG_OK)
			return r;
		if (queue_frame(c, kind, flags, tag, id, topic, data, len) == -1)
			return MSG_FAIL;
		if ((r = drain(c, deadline)) != MSG_DOWN)
			return r;
		go_down(c);
		/*
		 * The server went away while we were idle, so the frame never
		 * reached it: go find its successor by name, once. A fresh
		 * connection that fails at once is just down.
		 */
		if (fresh)
			return MSG_DOWN;
	}
}

static uint32_t
new_id(struct msg_client *c)
{
	uint32_t id = c->next_id++;

	if (c->next_id == 0)
		c->next_id = 1;
	return id;
}

int
msg_send_call(struct msg_client *c, uint32_t tag, uint16_t flags,
    const void *data, size_t len, uint32_t *idp)
{
	uint32_t id = new_id(c);

	if (idp != NULL)
		*idp = id;
	return send_frame(c, MSG_CALL, flags, tag, id, NULL, data, len,
	    UINT64_MAX);
}

int
msg_call(struct msg_client *c, uint32_t tag, uint16_t flags, const void *data,
    size_t len, int timeout_ms, struct msg_message *reply)
{
	uint64_t deadline = deadline_of(timeout_ms);
	struct msg_message m;
	uint32_t id = new_id(c);
	int r;

	if ((r = send_frame(c, MSG_CALL, flags, tag, id, NULL, data, len,
	    deadline)) != MSG_OK) {
		if (r == MSG_TIMEOUT)
			msg__abandon(c, id);
		return r;
	}
	for (;;) {
		r = read_msg(c, deadline, &m);
		if (r == MSG_TIMEOUT)
			msg__abandon(c, id);
		if (r != MSG_OK)
			return r;
		if ((m.kind == MSG_REPLY || m.kind == MSG_ERROR) && m.id == id)
			break;
		if (msg__queue_push(c, &m) == -1)
			return MSG_FAIL;
	}
	if (reply != NULL)
		*reply = m;
	return m.kind == MSG_ERROR ? MSG_ERROR_REPLY : MSG_OK;
}

int
msg_cast(struct msg_client *c, uint32_t tag, uint16_t flags, const void *data,
    size_t len)
{
	return send_frame(c, MSG_CAST, flags, tag, 0, NULL, data, len,
	    UINT64_MAX);
}

/* Queue a frame without writing it, until FLUSH_AT bytes wait (inline:
 * it runs once per frame). */
static inline int
queue_more(struct msg_client *c, uint16_t kind, uint16_t flags, uint32_t tag,
    const char *topic, const void *data, size_t len)
{
	int r;

	if ((r = ensure_up(c, UINT64_MAX)) != MSG_OK)
		return r;
	if (len > c->max_payload) {
		errno = EMSGSIZE;
		return MSG_FAIL;
	}
	if (queue_frame(c, kind, flags, tag, 0, topic, data, len) == -1)
		return MSG_FAIL;
	if (msg__buf_used(&c->out) >= FLUSH_AT)
		return msg_flush(c, -1);
	return MSG_OK;
}

int
msg_cast_more(struct msg_client *c, uint32_t tag, uint16_t flags,
    const void *data, size_t len)
{
	return queue_more(c, MSG_CAST, flags, tag, NULL, data, len);
}

int
msg_flush(struct msg_client *c, int timeout_ms)
{
	int r;

	if (c->fd == -1)
		return MSG_DOWN;
	if ((r = drain(c, deadline_of(timeout_ms))) == MSG_DOWN)
		go_down(c);
	return r;
}

int
msg_recv(struct msg_client *c, int timeout_ms, struct msg_message *m)
{
	uint64_t deadline = deadline_of(timeout_ms);
	int r;

	if (msg__queue_pop(c, m))
		return m->kind == MSG_ERROR ? MSG_ERROR_REPLY : MSG_OK;
	if ((r = ensure_up(c, deadline)) != MSG_OK)
		return r;
	if ((r = read_msg(c, deadline, m)) != MSG_OK)
		return r;
	return m->kind == MSG_ERROR ? MSG_ERROR_REPLY : MSG_OK;
}

int
msg_publish_to(struct msg_client *c, const char *topic, uint16_t flags,
    const void *data, size_t len)
{
	return send_frame(c, MSG_EVENT, flags, 0, 0, topic, data, len,
	    UINT64_MAX);
}

int
msg_publish_more(struct msg_client *c, const char *topic, uint16_t flags,
    const void *data, size_t len)
{
	return queue_more(c, MSG_EVENT, flags, 0, topic, data, len);
}

/* errno for an event manager's ERROR code (msg_event(3)). */
static int
sync_errno(uint32_t code)
{
	switch (code) {
	case MSG_ERR_UNKNOWN_TAG:
		return EOPNOTSUPP;	/* not an event manager */
	case MSG_ERR_BAD_REQUEST:
		return EINVAL;
	case MSG_ERR_OVERLOADED:
		return ENOBUFS;
	default:
		return EIO;
	}
}

int
msg_publish_sync(struct msg_client *c, const char *topic, uint16_t flags,
    const void *data, size_t len, int timeout_ms)
{
	struct msg_message m;
	unsigned char *buf;
	size_t tlen = strlen(topic), n;
	int r;

	if (tlen > UINT16_MAX || len > SIZE_MAX - MSG_SYNC_HDR_LEN - tlen) {
		errno = EMSGSIZE;
		return MSG_FAIL;
	}
	n = MSG_SYNC_HDR_LEN + tlen + len;
	if ((buf = malloc(n)) == NULL)
		return MSG_FAIL;
	msg__put16(buf, flags);
	msg__put16(buf + 2, (uint16_t)tlen);
	memcpy(buf + MSG_SYNC_HDR_LEN, topic, tlen);
	if (len > 0)
		memcpy(buf + MSG_SYNC_HDR_LEN + tlen, data, len);
	r = msg_call(c, msg_tag("sync_publish"), 0, buf, n, timeout_ms, &m);
	free(buf);
	if (r == MSG_ERROR_REPLY)
		errno = sync_errno(m.tag);
	return r;
}

int
msg_subscribe(struct msg_client *c, const char *prefix)
{
	if (msg__sublist_add(c, prefix) == -1)
		return MSG_FAIL;
	if (c->fd == -1)	/* sent when the connection comes back */
		return MSG_DOWN;
	return send_sub(c, MSG_SUBSCRIBE, prefix, UINT64_MAX);
}

int
msg_unsubscribe(struct msg_client *c, const char *prefix)
{
	msg__sublist_del(c, prefix);
	if (c->fd == -1)
		return MSG_DOWN;
	return send_sub(c, MSG_UNSUBSCRIBE, prefix, UINT64_MAX);
}
