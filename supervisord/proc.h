/*
 * proc.h: what Linux's /proc tells of other processes.
 */
#ifndef PROC_H
#define PROC_H

#include <sys/types.h>

#include <stdint.h>

struct proc_stat {
	pid_t		ppid;
	pid_t		pgrp;
	pid_t		session;
	uint64_t	start;		/* clock ticks after boot */
};

/* -1 (errno ESRCH) when pid is gone. */
int	proc_stat(pid_t pid, struct proc_stat *);
/* Its parent's pid, or -1. */
pid_t	parent_of(pid_t pid);
/* Call fn for every process there is; stops early when fn returns -1. */
int	proc_each(int (*fn)(pid_t, const struct proc_stat *, void *), void *);

#endif /* PROC_H */
