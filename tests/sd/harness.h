/*
 * harness.h: drive a real supervisord from a cmocka test: start it on a
 * private run directory, wait on its events, run supervisorctl.
 */
#ifndef HARNESS_H
#define HARNESS_H

#include <sys/types.h>

#include <jansson.h>

#define SD_TIMEOUT	20000	/* ms; an upper bound, never a wait */

struct msg_client;

struct sd {
	pid_t			 pid;
	int			 pidfd;
	int			 status;	/* wait status once exited */
	int			 exited;
	char			 dir[64];	/* temp dir: config, files */
	char			 rundir[80];
	char			 conf[80];
	struct msg_client	*ev;
	json_t			*seen;		/* every event, in seq order */
	size_t			 cursor;	/* sd_wait looks from here */
};

/* Program paths from the build tree. */
const char	*sd_bin(const char *rel);

/* Write the config (printf-style) into a fresh temp dir. */
void	 sd_config(struct sd *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Start supervisord on it: 0 once READY=1, -1 if it exited first. */
int	 sd_start(struct sd *, const char *extra_arg);
/* The next event at or after the cursor matching (NULL matches any). */
json_t	*sd_wait(struct sd *, const char *event, const char *path);
/* Like sd_wait, but from the start of the stream; cursor unchanged. */
json_t	*sd_find(struct sd *, const char *event, const char *path);
/* Run supervisorctl with args; returns its exit status, stdout in *out. */
int	 sd_ctl(struct sd *, char **out, const char *args);
/* Wait until supervisord exits; returns its exit status or -1. */
int	 sd_wait_exit(struct sd *);
/* Stop it (SIGTERM if still running), check no leftovers, clean up. */
int	 sd_stop(struct sd *);
void	 sd_cleanup(struct sd *);
/* A file in the test's temp dir. */
const char *sd_file(struct sd *, const char *name);
/* Wait until a file exists and holds a line; returns its contents. */
char	*sd_read_file(struct sd *, const char *name);

long long sd_int(json_t *ev, const char *key);
const char *sd_str(json_t *ev, const char *key);

#endif /* HARNESS_H */
