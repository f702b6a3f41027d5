/*
 * daemon.h: process-wide setup of supervisord.
 */
#ifndef DAEMON_H
#define DAEMON_H

#include <stddef.h>

int	rundir_choose(const char *opt, char *buf, size_t size);
int	process_setup(void);
void	stdio_guard(void);

#endif /* DAEMON_H */
