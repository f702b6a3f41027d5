/*
 * worker.h: what the example workers share: their command line.
 */
#ifndef WORKER_H
#define WORKER_H

struct worker_opts {
	const char	*name;		/* --name, default: program name */
	long		 timeout;	/* --timeout MS, default: 0 */
};

/* Parse --name and --timeout; prints usage and exits 64 on bad input. */
void	worker_args(int argc, char **argv, struct worker_opts *);

#endif /* WORKER_H */
