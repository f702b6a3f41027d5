/*
 * notify-wait.c: the supervisor's half of sd_notify, for shell tests:
 * bind a datagram socket, say "listening" on stdout, and exit 0 once a
 * datagram carrying READY=1 arrives, or 1 when the timeout passes first.
 *
 * usage: notify-wait SOCKET TIMEOUT_MS
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Does the datagram hold the line READY=1? */
static int
is_ready(const char *buf)
{
	const char *p;

	for (p = buf; p != NULL; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, "READY=1", 7) == 0 &&
		    (p[7] == '\n' || p[7] == '\0'))
			return 1;
	return 0;
}

int
main(int argc, char **argv)
{
	struct sockaddr_un sun;
	struct pollfd pfd;
	char buf[4096], *end;
	long long deadline, left;
	long timeout;
	ssize_t n;
	int fd, rc = 1;

	if (argc != 3) {
		fprintf(stderr, "usage: notify-wait SOCKET TIMEOUT_MS\n");
		return 2;
	}
	timeout = strtol(argv[2], &end, 10);
	if (*end != '\0' || timeout < 0 ||
	    strlen(argv[1]) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "notify-wait: bad arguments\n");
		return 2;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, argv[1]);
	unlink(argv[1]);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		fprintf(stderr, "notify-wait: %s: %s\n", argv[1],
		    strerror(errno));
		return 2;
	}
	printf("listening\n");
	fflush(stdout);
	deadline = now_ms() + timeout;
	for (;;) {
		if ((left = deadline - now_ms()) <= 0) {
			fprintf(stderr, "notify-wait: no READY=1 within %ld "
			    "ms\n", timeout);
			break;
		}
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, (int)left) <= 0)
			continue;
		if ((n = recv(fd, buf, sizeof(buf) - 1, 0)) <= 0)
			continue;
		buf[n] = '\0';
		if (is_ready(buf)) {
			printf("READY=1\n");
			rc = 0;
			break;
		}
	}
	close(fd);
	unlink(argv[1]);
	return rc;
}
