/*
 * spawn.h: starting one worker process.
 */
#ifndef SPAWN_H
#define SPAWN_H

#include <sys/resource.h>
#include <sys/types.h>

#include "config.h"

struct spawn_req {
	const struct spec	 *spec;
	const char		 *path;		/* SUPERVISOR_PATH */
	const char		 *rundir;	/* MSG_RUNDIR */
	const char		 *notify;	/* NOTIFY_SOCKET */
	int			  listen_fd;	/* socket activation, or -1 */
	char			**extra;	/* appended to argv */
	size_t			  nextra;
	const struct rlimit	 *nofile;	/* restored in the child, or NULL */
};

/* spawn() could not fork for want of a resource; try again later. */
#define SPAWN_AGAIN	((pid_t)-2)

/*
 * Fork a child that sets itself up and execs; returns its pid at once,
 * with *errfd the read end of a pipe that spawn_result() reads (watch it
 * for input). -1 with a reason in err when there is no child ("execve:
 * ls: not found in PATH or …"), SPAWN_AGAIN for a passing shortage of
 * descriptors, processes or memory.
 */
pid_t		 spawn(const struct spawn_req *, int *errfd, char *err,
		    size_t errlen);
int		 spawn_result(int fd, char *err, size_t errlen);
int		 spawn_resolve(const char *cmd, char *out, size_t size);
const char	*spawn_workerdir(void);

#endif /* SPAWN_H */
