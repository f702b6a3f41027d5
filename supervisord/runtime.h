/*
 * runtime.h: running the tree on the event loop until it ends.
 */
#ifndef RUNTIME_H
#define RUNTIME_H

struct runtime_opts {
	const char	*config;
	char		 rundir[4096];
	int		 background;	/* fork once the tree is up */
};

/* Returns supervisord's exit status. */
int	runtime_main(struct runtime_opts *);

#endif /* RUNTIME_H */
