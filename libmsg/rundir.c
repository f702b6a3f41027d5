/*
 * rundir.c: where actors' sockets live, and the checks that keep another
 * user from planting or reading them.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "msg-int.h"

static int
fit(char *buf, size_t size, int n)
{
	if (n < 0 || (size_t)n >= size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

int
msg_rundir(char *buf, size_t size)
{
	const char *e;

	if ((e = getenv("MSG_RUNDIR")) != NULL && *e != '\0')
		return fit(buf, size, snprintf(buf, size, "%s", e));
	if (geteuid() == 0)
		return fit(buf, size, snprintf(buf, size, "/run/supervisord"));
	if ((e = getenv("XDG_RUNTIME_DIR")) != NULL && *e == '/')
		return fit(buf, size, snprintf(buf, size, "%s/supervisord", e));
	return fit(buf, size, snprintf(buf, size, "/tmp/supervisord-%u",
	    (unsigned)geteuid()));
}

int
msg_rundir_prepare(const char *dir)
{
	struct stat st;

	if (mkdir(dir, 0700) == -1 && errno != EEXIST)
		return -1;
	if (lstat(dir, &st) == -1)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	/* Someone else's directory, or one others can write, could hold a
	 * socket that impersonates our actors. */
	if (st.st_uid != geteuid() || (st.st_mode & 022) != 0) {
		errno = EPERM;
		return -1;
	}
	return 0;
}

int
msg_sock_path(const char *name, char *buf, size_t size)
{
	char dir[4096];

	if (strchr(name, '/') != NULL)
		return fit(buf, size, snprintf(buf, size, "%s", name));
	if (!msg_name_valid(name)) {
		errno = EINVAL;
		return -1;
	}
	if (msg_rundir(dir, sizeof(dir)) == -1)
		return -1;
	return fit(buf, size, snprintf(buf, size, "%s/%s.sock", dir, name));
}
