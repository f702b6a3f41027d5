/*
 * daemon.h: process-wide setup of supervisord.
 */
#ifndef DAEMON_H
#define DAEMON_H

#include <sys/resource.h>

#include <stddef.h>

int	rundir_choose(const char *opt, char *buf, size_t size);
int	process_setup(void);
void	stdio_guard(void);
int	nofile_raise(struct rlimit *given);

#endif /* DAEMON_H */
