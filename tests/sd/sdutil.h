/*
 * sdutil.h: more for the supervisord tests than harness.h gives: run a
 * program to its end with both outputs, follow one in the background
 * line by line, look at processes in /proc, rewrite the config.
 */
#ifndef SDUTIL_H
#define SDUTIL_H

#include <sys/types.h>

#include "harness.h"

/* A program's end: exit status (128 + signal when killed), outputs. */
struct outcome {
	int	 status;
	char	*out;
	char	*err;
};

/* Run argv (NULL-terminated) to its end within SD_TIMEOUT; -1 if not. */
int	 run_argv(struct outcome *, char *const argv[]);
/* supervisorctl -r RUNDIR args... NULL: its exit status. */
int	 ctl(struct sd *, struct outcome *, ...) __attribute__((sentinel));
/* supervisord args... NULL (no -r or -c added). */
int	 supd(struct outcome *, ...) __attribute__((sentinel));
void	 outcome_free(struct outcome *);
/* Start supervisord -f on sd's config without waiting for it to be
 * ready (sd_wait_exit and sd_stop work on it; there is no event stream). */
void	 sd_spawn(struct sd *);
/* Lines in s (a last line without newline counts too). */
int	 count_lines(const char *s);

/* A program running in the background with its stdout on a pipe. */
struct bg {
	pid_t	 pid;
	int	 fd;
	char	 buf[1 << 16];
	size_t	 len;
	int	 eof;
};
int	 bg_start(struct bg *, char *const argv[]);
/* Next line (without newline, caller frees); NULL at EOF or timeout. */
char	*bg_line(struct bg *);
/* Wait for its end within SD_TIMEOUT: exit status, or -1. */
int	 bg_wait(struct bg *);

/* Wall clock, as the events' ts. */
double	 now_real(void);
double	 ev_ts(json_t *ev);

/* From /proc/PID/stat: state letter (0: no such process), ppid, pgid. */
char	 proc_state(pid_t);
pid_t	 proc_ppid(pid_t);
pid_t	 proc_pgid(pid_t);
/* Wait until pid has ended and been reaped by whoever is its parent. */
int	 wait_gone(pid_t);
/* Wait until pid's parent is ppid (reparenting). */
int	 wait_ppid(pid_t, pid_t ppid);

/* Rewrite the config atomically (tmp + rename). */
void	 sd_rewrite(struct sd *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Write a small file in the test's dir (tmp + rename). */
void	 put_file(struct sd *, const char *name, const char *text);
/* "key=value" lines: the value of key, or NULL (static buffer). */
const char *kv(const char *text, const char *key);
/* The status --json object for path, or NULL (caller decrefs). */
json_t	*node_status(struct sd *, const char *path);

#endif /* SDUTIL_H */
