/*
 * admit.c: what a server lets its peers hold: connections (in all and
 * per uid), time (a HELLO and every frame must arrive whole within a
 * deadline) and memory (input and output buffers of all peers taken
 * together). A peer over a bound is refused or closed with a log line;
 * the others go on being served. libmsg(3), LIMITS.
 */
#include <sys/resource.h>
#include <sys/socket.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "msg-int.h"
#include "server-int.h"

#define DEFAULT_HELLO_TIMEOUT	5000
#define DEFAULT_FRAME_TIMEOUT	10000
#define DEFAULT_MAX_BUFFERED	(256u << 20)

struct uidcount {
	uid_t	uid;
	size_t	n;
};

/* Three quarters of the descriptor limit: the rest is the program's. */
static size_t
default_max_peers(void)
{
	struct rlimit rl;
	size_t n = 1024;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		n = (size_t)rl.rlim_cur;
	n = n / 4 * 3;
	return n < 16 ? 16 : n;
}

void
msg__admit_defaults(struct msg_server_opts *o)
{
	if (o->max_peers == 0)
		o->max_peers = default_max_peers();
	if (o->max_peers_per_uid == 0)
		o->max_peers_per_uid = o->max_peers - o->max_peers / 4;
	if (o->max_buffered == 0)
		o->max_buffered = DEFAULT_MAX_BUFFERED;
	if (o->hello_timeout_ms == 0)
		o->hello_timeout_ms = DEFAULT_HELLO_TIMEOUT;
	if (o->frame_timeout_ms == 0)
		o->frame_timeout_ms = DEFAULT_FRAME_TIMEOUT;
}

static struct uidcount *
uid_slot(struct msg_server *s, uid_t uid, int add)
{
	struct uidcount *u;
	size_t i;

	for (i = 0; i < s->nuids; i++)
		if (s->uids[i].uid == uid)
			return &s->uids[i];
	if (!add || (u = reallocarray(s->uids, s->nuids + 1,
	    sizeof(*u))) == NULL)
		return NULL;
	s->uids = u;
	u = &s->uids[s->nuids++];
	u->uid = uid;
	u->n = 0;
	return u;
}

/*
 * One line a second for each kind of trouble, the others counted into
 * the next line: in a storm of them the log cannot become the next
 * thing that fills up.
 */
static void
say(struct msg_server *s, enum msg__trouble kind, const char *fmt, ...)
{
	struct msg__ratelog *r = &s->said[kind];
	uint64_t now = msg__now_ms();
	char line[256];
	va_list ap;

	if (r->last != 0 && now - r->last < 1000) {
		r->skipped++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (r->skipped > 0)
		msg__log(LOG_WARNING, "%s: %s (and %llu more like it before)",
		    s->name, line, (unsigned long long)r->skipped);
	else
		msg__log(LOG_WARNING, "%s: %s", s->name, line);
	r->last = now;
	r->skipped = 0;
}

/*
 * Tell a peer over a bound why, as HELLO and then an ERROR with id 0
 * (libmsg(7), REFUSALS), in one write so it reads both at once, and
 * close it.
 */
void
msg__refuse(struct msg_server *s, int fd, pid_t pid, const char *why)
{
	struct msg__buf b;
	unsigned char hello[MSG_HELLO_LEN];

	say(s, TROUBLE_REFUSED, "refused pid %d: %s", (int)pid, why);
	memset(&b, 0, sizeof(b));
	msg__hello_payload(hello);
	if (msg__frame_append(&b, MSG_HELLO, 0, 0, 0, NULL, 0, hello,
	    sizeof(hello)) == 0 && msg__frame_append(&b, MSG_ERROR, 0,
	    MSG_ERR_OVERLOADED, 0, NULL, 0, why, strlen(why)) == 0)
		(void)msg__buf_write(fd, &b);
	msg__buf_free(&b);
	close(fd);
}

/*
 * A full server first closes the oldest peer that has not said HELLO
 * (of uid, unless any): a crowd of silent connections cannot keep out a
 * client that speaks at once. 1 if it made room.
 */
static int
make_room(struct msg_server *s, const uid_t *uid)
{
	struct msg_peer *p, *oldest = NULL;

	/* New peers go first in the list: the last match is the oldest. */
	for (p = s->peers; p != NULL; p = p->next)
		if (!p->hello_seen && (uid == NULL || p->cred.uid == *uid))
			oldest = p;
	if (oldest == NULL)
		return 0;
	say(s, TROUBLE_ROOM, "peer pid %d: closed before its HELLO to make "
	    "room", (int)oldest->cred.pid);
	msg_peer_close(oldest);
	return 1;
}

/* May a new peer with these credentials in? 0, or -1 refused and closed. */
int
msg__admit(struct msg_server *s, int fd, const struct msg_cred *c)
{
	struct uidcount *u;
	char why[96];

	if (s->npeers >= s->opts.max_peers && !make_room(s, NULL)) {
		snprintf(why, sizeof(why), "too many connections (%zu)",
		    s->opts.max_peers);
		msg__refuse(s, fd, c->pid, why);
		return -1;
	}
	if ((u = uid_slot(s, c->uid, 1)) == NULL) {
		msg__refuse(s, fd, c->pid, "out of memory");
		return -1;
	}
	if (u->n >= s->opts.max_peers_per_uid && !make_room(s, &c->uid)) {
		snprintf(why, sizeof(why), "too many connections of uid %u "
		    "(%zu)", (unsigned)c->uid, s->opts.max_peers_per_uid);
		msg__refuse(s, fd, c->pid, why);
		return -1;
	}
	u->n++;
	return 0;
}

static void
deadline_cancel(struct msg_peer *p)
{
	if (p->deadline != NULL)
		msg_timer_cancel(p->srv->loop, p->deadline);
	p->deadline = NULL;
}

void
msg__admit_gone(struct msg_peer *p)
{
	struct uidcount *u;

	deadline_cancel(p);
	if ((u = uid_slot(p->srv, p->cred.uid, 0)) != NULL && u->n > 0)
		u->n--;
}

static void
on_deadline(struct msg_loop *l, void *arg)
{
	struct msg_peer *p = arg;
	struct msg_server *s = p->srv;

	p->deadline = NULL;
	if (!p->hello_seen)
		say(s, TROUBLE_LATE, "peer pid %d: no HELLO within %d ms; "
		    "closing", (int)p->cred.pid, s->opts.hello_timeout_ms);
	else
		say(s, TROUBLE_LATE, "peer pid %d: a frame incomplete for %d "
		    "ms; closing", (int)p->cred.pid, s->opts.frame_timeout_ms);
	msg_peer_close(p);
}

/*
 * After a read: a peer owes a HELLO, or the rest of a frame it began,
 * by a deadline; one that owes nothing has no timer, so the common
 * case (whole frames) costs nothing.
 */
void
msg__deadline_update(struct msg_peer *p)
{
	struct msg_server *s = p->srv;
	int owes = !p->hello_seen || msg__buf_used(&p->in) > 0;

	if (p->fd == -1 || !owes) {
		deadline_cancel(p);
		return;
	}
	if (p->deadline != NULL)
		return;
	p->deadline = msg_timer_start(s->loop, (uint64_t)(p->hello_seen ?
	    s->opts.frame_timeout_ms : s->opts.hello_timeout_ms), on_deadline,
	    p);
}

static size_t
held(const struct msg_peer *p)
{
	return p->in.cap + p->out.cap;
}

/*
 * Over the server's memory bound: close the peers that hold the most
 * until it is met again. One peer cannot take what the others need.
 */
void
msg__buffered_check(struct msg_server *s)
{
	struct msg_peer *p, *worst;

	while (s->buffered > s->opts.max_buffered) {
		worst = NULL;
		for (p = s->peers; p != NULL; p = p->next)
			if (worst == NULL || held(p) > held(worst))
				worst = p;
		if (worst == NULL || held(worst) == 0)
			return;
		say(s, TROUBLE_GREEDY, "peer pid %d: holds %zu of the %zu bytes "
		    "buffered (limit %zu); closing", (int)worst->cred.pid,
		    held(worst), s->buffered, s->opts.max_buffered);
		msg_peer_close(worst);
	}
}
