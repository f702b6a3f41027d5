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
	int		 syslog;	/* -s: messages to syslog */
	const char	*logfile;	/* -l, or NULL: RUNDIR/supervisord.log */
	struct rlimit	 nofile;	/* the limit children get */
	char		 statedir[4096];	/* state.json's, "": none */
};

struct spec;

/* Runs the tree root (which it takes); returns supervisord's exit status. */
int	runtime_main(struct runtime_opts *, struct spec *root);

#endif /* RUNTIME_H */
