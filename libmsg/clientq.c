/*
 * clientq.c: the client's bookkeeping: frames queued while a call waited,
 * ids of calls that timed out, subscriptions to renew after a reconnect,
 * and waiting (inotify, not polling) for a restarted server's name.
 */
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

int
msg_subscribe(struct msg_client *c, const char *prefix)
{
	char **n;
	size_t i;

	for (i = 0; i < c->nsubs; i++)
		if (strcmp(c->subs[i], prefix) == 0)
			break;
	if (i == c->nsubs) {
		if ((n = reallocarray(c->subs, c->nsubs + 1, sizeof(*n))) == NULL)
			return MSG_FAIL;
		c->subs = n;
		if ((n[c->nsubs] = strdup(prefix)) == NULL)
			return MSG_FAIL;
		c->nsubs++;
	}
	if (c->fd == -1)	/* sent when the connection comes back */
		return MSG_DOWN;
	return msg__client_send_sub(c, MSG_SUBSCRIBE, prefix, UINT64_MAX);
}

int
msg_unsubscribe(struct msg_client *c, const char *prefix)
{
	size_t i;

	for (i = 0; i < c->nsubs; i++) {
		if (strcmp(c->subs[i], prefix) == 0) {
			free(c->subs[i]);
			c->subs[i] = c->subs[--c->nsubs];
			break;
		}
	}
	if (c->fd == -1)
		return MSG_DOWN;
	return msg__client_send_sub(c, MSG_UNSUBSCRIBE, prefix, UINT64_MAX);
}

int
msg__client_resubscribe(struct msg_client *c, uint64_t deadline)
{
	size_t i;
	int r;

	for (i = 0; i < c->nsubs; i++)
		if ((r = msg__client_send_sub(c, MSG_SUBSCRIBE, c->subs[i],
		    deadline)) != MSG_OK)
			return r;
	return MSG_OK;
}

void
msg__subs_clear(struct msg_client *c)
{
	size_t i;

	for (i = 0; i < c->nsubs; i++)
		free(c->subs[i]);
	free(c->subs);
	c->subs = NULL;
	c->nsubs = 0;
}

static int
accepting(const char *path)
{
	struct sockaddr_un sun;
	int fd, r;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strlcpy(sun.sun_path, path, sizeof(sun.sun_path));
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return 0;
	r = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	close(fd);
	return r == 0;
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
int
msg__wait_for_name(const char *path, uint64_t deadline)
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
	if (accepting(path)) {
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
