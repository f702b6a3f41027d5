/*
 * notifysock.c: receives READY=1 and WATCHDOG=1 datagrams with the
 * sender's pid, which the kernel vouches for (SO_PASSCRED); the runtime
 * decides which child that pid speaks for.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "msg.h"
#include "notifysock.h"

static int		 nfd = -1;
static char		 npath[sizeof(((struct sockaddr_un *)0)->sun_path)];
static notify_fn	*ncb;
static void		*ncb_arg;

/* "READY=1\nWATCHDOG=1\n…" to NOTIFY_* bits. */
static int
parse_state(char *buf)
{
	char *line, *next;
	int what = 0;

	for (line = buf; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (strcmp(line, "READY=1") == 0)
			what |= NOTIFY_READY;
		else if (strcmp(line, "WATCHDOG=1") == 0)
			what |= NOTIFY_WATCHDOG;
		else if (strcmp(line, "STOPPING=1") == 0)
			what |= NOTIFY_STOPPING;
	}
	return what;
}

static void
on_datagram(struct msg_loop *l, int fd, unsigned events, void *arg)
{
	char buf[4096], cbuf[CMSG_SPACE(sizeof(struct ucred))];
	struct iovec iov = { buf, sizeof(buf) - 1 };
	struct msghdr mh;
	struct cmsghdr *cm;
	struct ucred uc;
	ssize_t n;
	int what;

	for (;;) {
		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		if ((n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC)) == -1)
			return;
		/* Descriptors passed to us are closed: we store none. */
		uc.pid = 0;
		for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
			if (cm->cmsg_level == SOL_SOCKET &&
			    cm->cmsg_type == SCM_CREDENTIALS)
				memcpy(&uc, CMSG_DATA(cm), sizeof(uc));
			else if (cm->cmsg_level == SOL_SOCKET &&
			    cm->cmsg_type == SCM_RIGHTS)
				close(*(int *)CMSG_DATA(cm));
		}
		if (uc.pid <= 0)
			continue;
		buf[n] = '\0';
		if ((what = parse_state(buf)) == 0)
			continue;
		ncb(uc.pid, what, ncb_arg);
	}
}

int
notifysock_open(struct msg_loop *l, const char *path, notify_fn *fn, void *arg)
{
	struct sockaddr_un sun;
	int one = 1;
	mode_t old;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlcpy(sun.sun_path, path, sizeof(sun.sun_path)) >=
	    sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((nfd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0)) == -1)
		return -1;
	unlink(path);
	/* Children that dropped to another user must still reach it; the
	 * 0700 run directory keeps strangers out. */
	old = umask(0);
	if (bind(nfd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    setsockopt(nfd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) == -1 ||
	    msg_loop_add_fd(l, nfd, MSG_EV_READ, on_datagram, NULL) == -1) {
		umask(old);
		close(nfd);
		nfd = -1;
		return -1;
	}
	umask(old);
	strlcpy(npath, path, sizeof(npath));
	ncb = fn;
	ncb_arg = arg;
	return 0;
}

void
notifysock_close(struct msg_loop *l)
{
	if (nfd == -1)
		return;
	msg_loop_del_fd(l, nfd);
	close(nfd);
	unlink(npath);
	nfd = -1;
}
