/*
 * proc.c: reading /proc/PID/stat. The only file of supervisord that
 * knows /proc; what it gives could come from sysctl elsewhere.
 */
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc.h"

/*
 * "PID (COMM) STATE PPID PGRP SESSION … STARTTIME …": COMM may hold
 * spaces and parentheses, so the fields start after the last ')'.
 */
static int
parse_stat(char *buf, struct proc_stat *ps)
{
	unsigned long long start;
	char *p;
	int ppid, pgrp, sid;

	if ((p = strrchr(buf, ')')) == NULL)
		return -1;
	if (sscanf(p + 1, " %*c %d %d %d %*d %*d %*u %*u %*u %*u %*u %*u %*u "
	    "%*d %*d %*d %*d %*d %*d %llu", &ppid, &pgrp, &sid, &start) != 4)
		return -1;
	ps->ppid = ppid;
	ps->pgrp = pgrp;
	ps->session = sid;
	ps->start = start;
	return 0;
}

int
proc_stat(pid_t pid, struct proc_stat *ps)
{
	char path[64], buf[1024];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			errno = ESRCH;
		return -1;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0) {
		errno = ESRCH;
		return -1;
	}
	buf[n] = '\0';
	if (parse_stat(buf, ps) == -1) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

pid_t
parent_of(pid_t pid)
{
	struct proc_stat ps;

	return proc_stat(pid, &ps) == -1 ? -1 : ps.ppid;
}

int
proc_each(int (*fn)(pid_t, const struct proc_stat *, void *), void *arg)
{
	struct proc_stat ps;
	struct dirent *de;
	DIR *d;
	char *end;
	long pid;
	int r = 0;

	if ((d = opendir("/proc")) == NULL)
		return -1;
	while (r == 0 && (de = readdir(d)) != NULL) {
		pid = strtol(de->d_name, &end, 10);
		if (*end != '\0' || pid <= 0 || proc_stat((pid_t)pid, &ps) == -1)
			continue;
		r = fn((pid_t)pid, &ps, arg);
	}
	closedir(d);
	return r;
}
