/*
 * runtime.h: running the tree on the event loop until it ends.
 */
#ifndef RUNTIME_H
#define RUNTIME_H

#include <sys/resource.h>

struct runtime_opts {
	const char	*config;
	char		 rundir[4096];
	int		 background;	/* fork once the tree is up */
	struct rlimit	 nofile;	/* the limit children get */
};

/* Returns supervisord's exit status. */
int	runtime_main(struct runtime_opts *);

#endif /* RUNTIME_H */
