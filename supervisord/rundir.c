/*
 * rundir.c: choosing and preparing the daemon's run directory, and the
 * process-wide setup a supervisor needs (subreaper, signals, stdio).
 */
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "msg.h"

/* -r DIR, else $SUPERVISORD_RUNDIR, else libmsg's default. */
int
rundir_choose(const char *opt, char *buf, size_t size)
{
	const char *e = getenv("SUPERVISORD_RUNDIR");
	char *saved = NULL;
	int r;

	if (opt != NULL || (e != NULL && *e != '\0')) {
		if (strlcpy(buf, opt ? opt : e, size) >= size) {
			errno = ENAMETOOLONG;
			return -1;
		}
		return 0;
	}
	/* Our own MSG_RUNDIR (we may run under another supervisord) must
	 * not decide where our tree lives. */
	if ((e = getenv("MSG_RUNDIR")) != NULL && (saved = strdup(e)) == NULL)
		return -1;
	unsetenv("MSG_RUNDIR");
	r = msg_rundir(buf, size);
	if (saved != NULL) {
		setenv("MSG_RUNDIR", saved, 1);
		free(saved);
	}
	return r;
}

/*
 * Orphans of our children are reparented to us so we reap them (as PID 1
 * would); dying with our parent is not wanted for a supervisor.
 */
int
process_setup(void)
{
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == -1)
		return -1;
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

/*
 * Raise our descriptor limit to the hard one, so that clients, however
 * many, do not take the descriptors supervision needs; keep the limit we
 * were given for the children (many programs still use select(2)).
 */
int
nofile_raise(struct rlimit *given)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, given) == -1) {
		memset(given, 0, sizeof(*given));	/* unknown: leave it */
		return -1;
	}
	rl = *given;
	rl.rlim_cur = rl.rlim_max;
	return setrlimit(RLIMIT_NOFILE, &rl);
}

/* Make 0, 1, 2 valid, so files we open never land on them. */
void
stdio_guard(void)
{
	int fd;

	while ((fd = open("/dev/null", O_RDWR | O_CLOEXEC)) != -1 && fd <= 2)
		fcntl(fd, F_SETFD, 0);
	if (fd > 2)
		close(fd);
}
