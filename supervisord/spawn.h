/*
 * spawn.h: starting one worker process.
 */
#ifndef SPAWN_H
#define SPAWN_H

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
};

/*
 * Fork and exec; returns the pid once execve succeeded, or -1 with a
 * reason in err ("execve: No such file or directory").
 */
pid_t		 spawn(const struct spawn_req *, char *err, size_t errlen);
int		 spawn_resolve(const char *cmd, char *out, size_t size);
const char	*spawn_workerdir(void);

#endif /* SPAWN_H */
