/*
 * listen.c: the listening socket: inherited through systemd's socket
 * activation (LISTEN_FDS), or bound 0600 in the run directory.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "msg-int.h"
#include "server-int.h"

#define LISTEN_FDS_START	3

/* The inherited listening socket named NAME, or -1. */
int
msg__listen_activated(const char *name)
{
	const char *pid = getenv("LISTEN_PID"), *nfds = getenv("LISTEN_FDS");
	const char *names = getenv("LISTEN_FDNAMES"), *p, *e;
	long n, i;

	if (pid == NULL || nfds == NULL || strtol(pid, NULL, 10) != getpid())
		return -1;
	n = strtol(nfds, NULL, 10);
	if (n <= 0 || n > 1024)
		return -1;
	/* Without names, a lone socket is ours (plain systemd units). */
	if (names == NULL)
		return n == 1 ? LISTEN_FDS_START : -1;
	for (i = 0, p = names; i < n && p != NULL; i++) {
		e = strchr(p, ':');
		if ((e ? (size_t)(e - p) : strlen(p)) == strlen(name) &&
		    strncmp(p, name, strlen(name)) == 0)
			return LISTEN_FDS_START + (int)i;
		p = e ? e + 1 : NULL;
	}
	return -1;
}

/*
 * A server accepts on this path: a bind must not take it over, a client
 * waiting for the name may connect. A full backlog (EAGAIN) is a live
 * server too.
 */
int
msg__sock_live(const char *path)
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
	return r == 0 || errno == EAGAIN;
}

static int
prepare_dir(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *slash;

	strlcpy(dir, path, sizeof(dir));
	if ((slash = strrchr(dir, '/')) == NULL || slash == dir)
		return 0;
	*slash = '\0';
	return msg_rundir_prepare(dir);
}

/*
 * Bind under a temporary name, listen, then rename into place: the name
 * appears only once it accepts, so a client woken by its appearance
 * (inotify) never finds it refusing, and a stale file is replaced
 * atomically.
 */
int
msg__listen_bind(const char *name, char *path, size_t size, ino_t *ino)
{
	struct sockaddr_un sun, tmp;
	struct stat st;
	mode_t old;
	int fd, r, saved;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (msg_sock_path(name, sun.sun_path, sizeof(sun.sun_path)) == -1)
		return -1;
	if (strchr(name, '/') == NULL && prepare_dir(sun.sun_path) == -1)
		return -1;
	if (msg__sock_live(sun.sun_path)) {
		errno = EADDRINUSE;
		return -1;
	}
	tmp = sun;
	if ((size_t)snprintf(tmp.sun_path, sizeof(tmp.sun_path), "%s.%d~",
	    sun.sun_path, (int)getpid()) >= sizeof(tmp.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0)) == -1)
		return -1;
	unlink(tmp.sun_path);
	old = umask(0177);
	r = bind(fd, (struct sockaddr *)&tmp, sizeof(tmp));
	umask(old);
	if (r == -1)
		goto fail;
	if (listen(fd, SOMAXCONN) == -1 ||
	    rename(tmp.sun_path, sun.sun_path) == -1 ||
	    stat(sun.sun_path, &st) == -1)
		goto fail_unlink;
	*ino = st.st_ino;
	strlcpy(path, sun.sun_path, size);
	return fd;
fail_unlink:
	saved = errno;
	unlink(tmp.sun_path);
	errno = saved;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

int
msg_listen(const char *name, char *path, size_t size)
{
	ino_t ino;

	return msg__listen_bind(name, path, size, &ino);
}
