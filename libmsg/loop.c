/*
 * loop.c: the event loop: epoll for descriptors, a binary heap of timers
 * and a signalfd for signals. It sleeps until one of them has work.
 */
#include <sys/epoll.h>
#include <sys/signalfd.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "msg-int.h"

#define MAX_EVENTS	64
#define MAX_SIGNO	65

struct fdreg {
	msg_fd_fn	*fn;
	void		*arg;
	uint32_t	 gen;		/* bumped on removal: stale events skip */
	int		 active;
};

struct msg_timer {
	uint64_t	 deadline;
	msg_timer_fn	*fn;
	void		*arg;
	size_t		 slot;		/* index in the heap */
	int		 firing;
};

struct deferred {
	msg__flush_fn	*fn;
	void		*arg;
};

struct sighandler {
	msg_signal_fn	*fn;
	void		*arg;
};

struct msg_loop {
	int			 epfd;
	int			 stop;
	uint64_t		 now;

	struct fdreg		*fds;
	size_t			 nfds;

	struct msg_timer	**heap;
	size_t			 nheap, capheap;

	struct deferred		*defer;
	size_t			 ndefer, capdefer;

	int			 sigfd;
	sigset_t		 sigmask;
	struct sighandler	 sig[MAX_SIGNO];
};

uint64_t
msg__now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Rounded up, so a timer never fires before its full interval passed. */
static uint64_t
now_ms_ceil(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ((uint64_t)ts.tv_nsec + 999999) / 1000000;
}

struct msg_loop *
msg_loop_new(void)
{
	struct msg_loop *l;

	if ((l = calloc(1, sizeof(*l))) == NULL)
		return NULL;
	if ((l->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		free(l);
		return NULL;
	}
	l->sigfd = -1;
	sigemptyset(&l->sigmask);
	l->now = msg__now_ms();
	return l;
}

void
msg_loop_free(struct msg_loop *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->nheap; i++)
		free(l->heap[i]);
	if (l->sigfd != -1) {
		sigprocmask(SIG_UNBLOCK, &l->sigmask, NULL);
		close(l->sigfd);
	}
	close(l->epfd);
	free(l->heap);
	free(l->defer);
	free(l->fds);
	free(l);
}

uint64_t
msg_loop_now(struct msg_loop *l)
{
	return l->now;
}

void
msg_loop_stop(struct msg_loop *l)
{
	l->stop = 1;
}

static uint32_t
to_epoll(unsigned events)
{
	uint32_t ev = 0;

	if (events & MSG_EV_READ)
		ev |= EPOLLIN | EPOLLRDHUP;
	if (events & MSG_EV_WRITE)
		ev |= EPOLLOUT;
	return ev;
}

static int
fd_ctl(struct msg_loop *l, int op, int fd, unsigned events)
{
	struct epoll_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = to_epoll(events);
	ev.data.u64 = (uint64_t)(uint32_t)fd | (uint64_t)l->fds[fd].gen << 32;
	return epoll_ctl(l->epfd, op, fd, &ev);
}

int
msg_loop_add_fd(struct msg_loop *l, int fd, unsigned events, msg_fd_fn *fn,
    void *arg)
{
	struct fdreg *n;
	size_t want;

	if (fd < 0 || fn == NULL) {
		errno = EINVAL;
		return -1;
	}
	if ((size_t)fd >= l->nfds) {
		want = (size_t)fd + 64;
		if ((n = reallocarray(l->fds, want, sizeof(*n))) == NULL)
			return -1;
		memset(n + l->nfds, 0, (want - l->nfds) * sizeof(*n));
		l->fds = n;
		l->nfds = want;
	}
	if (l->fds[fd].active) {
		errno = EEXIST;
		return -1;
	}
	l->fds[fd].fn = fn;
	l->fds[fd].arg = arg;
	if (fd_ctl(l, EPOLL_CTL_ADD, fd, events) == -1)
		return -1;
	l->fds[fd].active = 1;
	return 0;
}

int
msg_loop_mod_fd(struct msg_loop *l, int fd, unsigned events)
{
	if (fd < 0 || (size_t)fd >= l->nfds || !l->fds[fd].active) {
		errno = ENOENT;
		return -1;
	}
	return fd_ctl(l, EPOLL_CTL_MOD, fd, events);
}

int
msg_loop_del_fd(struct msg_loop *l, int fd)
{
	if (fd < 0 || (size_t)fd >= l->nfds || !l->fds[fd].active) {
		errno = ENOENT;
		return -1;
	}
	l->fds[fd].active = 0;
	l->fds[fd].gen++;
	/* The fd may be closed already; its epoll entry went with it. */
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
	return 0;
}

/* --- timers: a binary min-heap on deadline --- */

static void
heap_set(struct msg_loop *l, size_t i, struct msg_timer *t)
{
	l->heap[i] = t;
	t->slot = i;
}

static void
heap_up(struct msg_loop *l, size_t i)
{
	struct msg_timer *t = l->heap[i];

	while (i > 0 && l->heap[(i - 1) / 2]->deadline > t->deadline) {
		heap_set(l, i, l->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	heap_set(l, i, t);
}

static void
heap_down(struct msg_loop *l, size_t i)
{
	struct msg_timer *t = l->heap[i];
	size_t c;

	for (;;) {
		c = 2 * i + 1;
		if (c >= l->nheap)
			break;
		if (c + 1 < l->nheap &&
		    l->heap[c + 1]->deadline < l->heap[c]->deadline)
			c++;
		if (l->heap[c]->deadline >= t->deadline)
			break;
		heap_set(l, i, l->heap[c]);
		i = c;
	}
	heap_set(l, i, t);
}

static void
heap_remove(struct msg_loop *l, struct msg_timer *t)
{
	size_t i = t->slot;
	struct msg_timer *last = l->heap[--l->nheap];

	if (last == t)
		return;
	heap_set(l, i, last);
	heap_down(l, i);
	heap_up(l, last->slot);
}

struct msg_timer *
msg_timer_start(struct msg_loop *l, uint64_t ms, msg_timer_fn *fn, void *arg)
{
	struct msg_timer *t, **n;
	size_t cap;

	if (l->nheap == l->capheap) {
		cap = l->capheap ? l->capheap * 2 : 16;
		if ((n = reallocarray(l->heap, cap, sizeof(*n))) == NULL)
			return NULL;
		l->heap = n;
		l->capheap = cap;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->deadline = now_ms_ceil() + ms;
	t->fn = fn;
	t->arg = arg;
	heap_set(l, l->nheap++, t);
	heap_up(l, t->slot);
	return t;
}

void
msg_timer_cancel(struct msg_loop *l, struct msg_timer *t)
{
	if (t == NULL || t->firing)
		return;
	heap_remove(l, t);
	free(t);
}

static void
fire_timers(struct msg_loop *l)
{
	struct msg_timer *t;
	uint64_t now = msg__now_ms();

	while (l->nheap > 0 && l->heap[0]->deadline <= now) {
		t = l->heap[0];
		heap_remove(l, t);
		t->firing = 1;
		t->fn(l, t->arg);
		free(t);
	}
}

static int
next_timeout(struct msg_loop *l, int cap)
{
	uint64_t now, d;

	if (l->nheap == 0)
		return cap;
	now = msg__now_ms();
	d = l->heap[0]->deadline;
	if (d <= now)
		return 0;
	if (cap >= 0 && d - now > (uint64_t)cap)
		return cap;
	return d - now > 86400000 ? 86400000 : (int)(d - now);
}

/* --- signals through one signalfd --- */

static void
signal_ready(struct msg_loop *l, int fd, unsigned events, void *arg)
{
	struct signalfd_siginfo si[8];
	ssize_t n;
	size_t i;
	unsigned signo;

	while ((n = read(fd, si, sizeof(si))) > 0) {
		for (i = 0; i < (size_t)n / sizeof(si[0]); i++) {
			signo = si[i].ssi_signo;
			if (signo < MAX_SIGNO && l->sig[signo].fn != NULL)
				l->sig[signo].fn(l, (int)signo, l->sig[signo].arg);
		}
	}
}

int
msg_loop_signal(struct msg_loop *l, int signo, msg_signal_fn *fn, void *arg)
{
	sigset_t one;
	int fd;

	if (signo <= 0 || signo >= MAX_SIGNO) {
		errno = EINVAL;
		return -1;
	}
	sigemptyset(&one);
	sigaddset(&one, signo);
	sigaddset(&l->sigmask, signo);
	if (sigprocmask(SIG_BLOCK, &one, NULL) == -1)
		return -1;
	fd = signalfd(l->sigfd, &l->sigmask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd == -1)
		return -1;
	if (l->sigfd == -1) {
		l->sigfd = fd;
		if (msg_loop_add_fd(l, fd, MSG_EV_READ, signal_ready, NULL) == -1)
			return -1;
	}
	l->sig[signo].fn = fn;
	l->sig[signo].arg = arg;
	return 0;
}

/* --- deferred work, run once per turn before sleeping --- */

int
msg__loop_defer(struct msg_loop *l, msg__flush_fn *fn, void *arg)
{
	struct deferred *n;
	size_t cap;

	if (l->ndefer == l->capdefer) {
		cap = l->capdefer ? l->capdefer * 2 : 16;
		if ((n = reallocarray(l->defer, cap, sizeof(*n))) == NULL)
			return -1;
		l->defer = n;
		l->capdefer = cap;
	}
	l->defer[l->ndefer].fn = fn;
	l->defer[l->ndefer].arg = arg;
	l->ndefer++;
	return 0;
}

void
msg__loop_undefer(struct msg_loop *l, void *arg)
{
	size_t i;

	for (i = 0; i < l->ndefer; i++)
		if (l->defer[i].arg == arg)
			l->defer[i].fn = NULL;
}

static void
run_deferred(struct msg_loop *l)
{
	size_t i;

	/* Entries added while running are run in the same pass. */
	for (i = 0; i < l->ndefer; i++)
		if (l->defer[i].fn != NULL)
			l->defer[i].fn(l->defer[i].arg);
	l->ndefer = 0;
}

static void
dispatch(struct msg_loop *l, const struct epoll_event *ev)
{
	int fd = (int)(uint32_t)ev->data.u64;
	uint32_t gen = (uint32_t)(ev->data.u64 >> 32);
	struct fdreg *r;
	unsigned events = 0;

	if ((size_t)fd >= l->nfds)
		return;
	r = &l->fds[fd];
	if (!r->active || r->gen != gen)
		return;
	if (ev->events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP))
		events |= MSG_EV_READ;
	if (ev->events & EPOLLOUT)
		events |= MSG_EV_WRITE;
	if (ev->events & (EPOLLERR | EPOLLHUP))
		events |= MSG_EV_ERROR;
	r->fn(l, fd, events, r->arg);
}

int
msg_loop_run_once(struct msg_loop *l, int timeout_ms)
{
	struct epoll_event ev[MAX_EVENTS];
	int i, n;

	/* Not checking stop here: a caller draining output after
	 * msg_loop_stop() (msg_server_flush) still needs to sleep. */
	run_deferred(l);
	n = epoll_wait(l->epfd, ev, MAX_EVENTS, next_timeout(l, timeout_ms));
	if (n == -1 && errno != EINTR)
		return -1;
	l->now = msg__now_ms();
	for (i = 0; i < n; i++)
		dispatch(l, &ev[i]);
	fire_timers(l);
	run_deferred(l);
	return n > 0 ? n : 0;
}

int
msg_loop_run(struct msg_loop *l)
{
	l->stop = 0;
	while (!l->stop)
		if (msg_loop_run_once(l, -1) == -1)
			return -1;
	return 0;
}
