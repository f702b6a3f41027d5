/*
 * notifier.c: a test child that speaks the sd_notify protocol to
 * $NOTIFY_SOCKET: READY=1 once, WATCHDOG=1 at an interval, each followed
 * by a barrier so that supervisord has read it before we go on.
 *
 * usage: notifier [-rsx] [-g pgid] [-w ms] [-n count] [-f prefix]
 *   -r         send READY=1
 *   -s         leave the process group first (setsid)
 *   -g pgid    join process group pgid first (another child's)
 *   -w ms      send WATCHDOG=1 every ms milliseconds
 *   -n count   stop after count heartbeats (default: never)
 *   -f prefix  after heartbeat i, write prefix.i holding our pid
 *   -x         exit 0 once done, instead of waiting to be killed
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int
connect_notify(void)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun;
	int fd;

	if (path == NULL || *path != '/' ||
	    strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "notifier: no usable NOTIFY_SOCKET\n");
		exit(2);
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		perror("notifier: NOTIFY_SOCKET");
		exit(2);
	}
	return fd;
}

/*
 * sd_notify_barrier(3): pass the write end of a pipe and wait until the
 * receiver has closed it, which it does once it read the datagram (and so
 * every datagram before it).
 */
static void
barrier(int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { (char *)"BARRIER=1", 9 };
	struct msghdr mh;
	struct cmsghdr *cm;
	struct pollfd pfd;
	int p[2];

	if (pipe2(p, O_CLOEXEC) == -1)
		return;
	memset(&mh, 0, sizeof(mh));
	memset(cbuf, 0, sizeof(cbuf));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf;
	mh.msg_controllen = sizeof(cbuf);
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &p[1], sizeof(int));
	if (sendmsg(fd, &mh, MSG_NOSIGNAL) == -1)
		perror("notifier: barrier");
	close(p[1]);
	pfd.fd = p[0];
	pfd.events = POLLIN;
	(void)poll(&pfd, 1, 20000);
	close(p[0]);
}

static void
say(int fd, const char *what)
{
	if (send(fd, what, strlen(what), MSG_NOSIGNAL) == -1) {
		perror("notifier: send");
		exit(2);
	}
	barrier(fd);
}

static void
mark(const char *prefix, long i)
{
	char path[4096], tmp[4200];
	FILE *f;

	snprintf(path, sizeof(path), "%s.%ld", prefix, i);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((f = fopen(tmp, "w")) == NULL) {
		perror(tmp);
		exit(2);
	}
	fprintf(f, "%d\n", (int)getpid());
	if (fclose(f) != 0 || rename(tmp, path) == -1) {
		perror(path);
		exit(2);
	}
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

int
main(int argc, char **argv)
{
	const char *prefix = NULL;
	long every = 0, count = -1, i;
	int ch, ready = 0, leave = 0, done_exit = 0, fd;
	pid_t join = 0;

	while ((ch = getopt(argc, argv, "f:g:n:rsw:x")) != -1) {
		switch (ch) {
		case 'g':
			join = (pid_t)atol(optarg);
			break;
		case 'f':
			prefix = optarg;
			break;
		case 'n':
			count = atol(optarg);
			break;
		case 'r':
			ready = 1;
			break;
		case 's':
			leave = 1;
			break;
		case 'w':
			every = atol(optarg);
			break;
		case 'x':
			done_exit = 1;
			break;
		default:
			fprintf(stderr, "usage: notifier [-rsx] [-g pgid] [-w ms] "
			    "[-n count] [-f prefix]\n");
			return 64;
		}
	}
	if (leave && setsid() == -1) {
		perror("notifier: setsid");
		return 2;
	}
	if (join > 0 && setpgid(0, join) == -1) {
		perror("notifier: setpgid");
		return 2;
	}
	fd = connect_notify();
	if (ready)
		say(fd, "READY=1");
	for (i = 1; every > 0 && (count < 0 || i <= count); i++) {
		sleep_ms(every);
		say(fd, "WATCHDOG=1");
		if (prefix != NULL)
			mark(prefix, i);
	}
	if (done_exit)
		return 0;
	for (;;)
		pause();
}
