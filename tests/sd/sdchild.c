/*
 * sdchild.c: a worker for the supervision tests whose exits and readiness
 * the test controls: SIGUSR1 makes it exit 1, SIGUSR2 exit 0, and it can
 * say READY=1 only once a file appears or a delay passed.
 *
 * usage: sdchild [-in] [-o FILE] [-f FILE] [-w FILE] [-d MS] [-x CODE]
 *   -i       ignore SIGTERM (a child that needs SIGKILL to stop)
 *   -f FILE  once the signal handlers are set, write "PID\n" to FILE
 *   -w FILE  then wait (inotify) until FILE exists
 *   -d MS    then sleep MS milliseconds
 *   -n       then send READY=1 to $NOTIFY_SOCKET
 *   -o FILE  with -n: only if FILE does not exist yet (then create it),
 *            so only the first incarnation ever becomes ready
 *   -x CODE  then exit with CODE; without it, wait for a signal
 * Relative names are taken from the working directory (the test's dir).
 */
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void
on_usr(int signo)
{
	_exit(signo == SIGUSR1 ? 1 : 0);
}

static void __attribute__((noreturn))
fail(const char *what)
{
	fprintf(stderr, "sdchild: %s: %s\n", what, strerror(errno));
	exit(70);
}

static void
write_pid(const char *file)
{
	char tmp[PATH_MAX];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", file);
	if ((f = fopen(tmp, "w")) == NULL)
		fail(tmp);
	fprintf(f, "%d\n", (int)getpid());
	if (fclose(f) != 0 || rename(tmp, file) == -1)
		fail(file);
}

/* Sleep on inotify until file exists. */
static void
wait_for(const char *file)
{
	char dir[PATH_MAX], buf[4096];
	struct pollfd pfd;
	int fd;

	strlcpy(dir, file, sizeof(dir));
	if ((fd = inotify_init1(IN_CLOEXEC)) == -1 ||
	    inotify_add_watch(fd, dirname(dir), IN_CREATE | IN_MOVED_TO |
	    IN_CLOSE_WRITE) == -1)
		fail("inotify");
	pfd.fd = fd;
	pfd.events = POLLIN;
	while (access(file, F_OK) == -1) {
		if (poll(&pfd, 1, -1) == -1 && errno != EINTR)
			fail("poll");
		if (read(fd, buf, sizeof(buf)) == -1 && errno != EINTR)
			fail("inotify read");
	}
	close(fd);
}

static void
notify_ready(void)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun;
	int fd;

	if (path == NULL || *path != '/' ||
	    strlen(path) >= sizeof(sun.sun_path))
		fail("NOTIFY_SOCKET");
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strlcpy(sun.sun_path, path, sizeof(sun.sun_path));
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1 ||
	    sendto(fd, "READY=1", 7, 0, (struct sockaddr *)&sun,
	    sizeof(sun)) == -1)
		fail("READY=1");
	close(fd);
}

/* -o: true the first time only, across incarnations. */
static int
first_time(const char *file)
{
	int fd;

	if ((fd = open(file, O_WRONLY | O_CREAT | O_EXCL, 0644)) == -1) {
		if (errno == EEXIST)
			return 0;
		fail(file);
	}
	close(fd);
	return 1;
}

int
main(int argc, char **argv)
{
	const char *pidfile = NULL, *waitfile = NULL, *once = NULL;
	struct sigaction sa;
	struct timespec ts;
	long delay = 0;
	int ch, ready = 0, code = -1, ignore_term = 0;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL) == -1 ||
	    sigaction(SIGUSR2, &sa, NULL) == -1)
		fail("sigaction");
	while ((ch = getopt(argc, argv, "d:f:ino:w:x:")) != -1) {
		switch (ch) {
		case 'i':
			ignore_term = 1;
			break;
		case 'd':
			delay = strtol(optarg, NULL, 10);
			break;
		case 'f':
			pidfile = optarg;
			break;
		case 'n':
			ready = 1;
			break;
		case 'o':
			once = optarg;
			break;
		case 'w':
			waitfile = optarg;
			break;
		case 'x':
			code = (int)strtol(optarg, NULL, 10);
			break;
		default:
			fprintf(stderr, "usage: sdchild [-in] [-o file] "
			    "[-f file] [-w file] [-d ms] [-x code]\n");
			return 64;
		}
	}
	if (ignore_term && signal(SIGTERM, SIG_IGN) == SIG_ERR)
		fail("SIGTERM");
	if (pidfile != NULL)
		write_pid(pidfile);
	if (waitfile != NULL)
		wait_for(waitfile);
	if (delay > 0) {
		ts.tv_sec = delay / 1000;
		ts.tv_nsec = delay % 1000 * 1000000;
		while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
			;
	}
	if (ready && (once == NULL || first_time(once)))
		notify_ready();
	if (code >= 0)
		return code;
	for (;;)
		pause();
}
