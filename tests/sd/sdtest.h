/*
 * sdtest.h: drive a real supervisord from a cmocka test (tests/sd).
 *
 * A test writes a config into a fresh directory, starts the daemon on it,
 * follows its event stream (supervisord(8), EVENTS) and runs
 * supervisorctl. Every wait ends on what it waits for, bounded by
 * SD_TIMEOUT (or the ms given); nothing sleeps hoping. A typical test:
 *
 *	static void
 *	test_x(void **state)
 *	{
 *		struct sd *sd = *state;
 *		struct outcome o;
 *
 *		sd_config(sd, "{ \"children\": [ { \"id\": \"a\","
 *		    " \"argv\": [\"/bin/sleep\", \"1000\"] } ] }");
 *		assert_int_equal(sd_start(sd, NULL), 0);
 *		EXPECT(sd, "started root/a", "started root");
 *		kill(sd_pid(sd, "root/a"), SIGKILL);
 *		EXPECT(sd, "exited root/a signal=KILL class=abnormal",
 *		    "started root/a");
 *		assert_int_equal(sd_ctl(sd, &o, "status", "--json",
 *		    (char *)NULL), 0);
 *		... o.out, o.err ...
 *		outcome_free(&o);
 *		assert_int_equal(sd_ctl(sd, NULL, "shutdown", (char *)NULL), 0);
 *		assert_int_equal(sd_wait_exit(sd), 0);
 *		EXPECT(sd, "exited root/a", "shutdown root reason=shutdown");
 *		EXPECT_END(sd);
 *	}
 *	... cmocka_unit_test_setup_teardown(test_x, sd_setup, sd_teardown)
 *
 * Other starts (struct sd_opts): under a limit, with extra arguments
 * and environment, its stderr kept:
 *
 *	static const char *const lim[] = { "prlimit", "--nofile=32", NULL };
 *	static const char *const env[] = { "MALLOC_CHECK_=3", NULL };
 *	sd_start(sd, &(struct sd_opts){ .wrapper = lim, .env = env,
 *	    .log = 1 });
 *
 * sd->pid is the daemon's pid, sd->rundir its run directory. To kill it:
 * kill(sd->pid, SIGKILL), then sd_wait_exit(sd) is 128 + SIGKILL and
 * every event it sent before is in sd->seen; its children outlive it,
 * and sd_teardown fails a test that does not end them: sd_end_orphans.
 * sd_raw_connect opens a plain
 * connection to its control socket; sd_wait_ms(sd, NULL, NULL, 500)
 * NULL says nothing happened for 500 ms.
 *
 * With SD_VALGRIND=1 in the environment every daemon runs under
 * valgrind: a leak, a memory error or a leaked descriptor makes it exit
 * 99, which sd_wait_exit and sd_stop return. SD_KEEP=1 keeps the test
 * directories.
 */
#ifndef SDTEST_H
#define SDTEST_H

#include <sys/types.h>

#include <stdarg.h>

#include <jansson.h>

#define SD_TIMEOUT	20000	/* ms; an upper bound, never a wait */

struct msg_client;

struct sd {
	pid_t			 pid;		/* the daemon's, once started */
	int			 pidfd;
	int			 status;	/* wait status once exited */
	int			 exited;
	char			 dir[64];	/* temp dir: config, files */
	char			 rundir[80];	/* its -r */
	char			 conf[80];	/* its -c, DIR/tree.json */
	char			 statedir[80];	/* its -S, DIR/state: kept across
						   sd_start on the same sd */
	struct msg_client	*ev;		/* subscribed to everything */
	json_t			*seen;		/* every event, in seq order */
	size_t			 cursor;	/* sd_wait looks from here */
};

/* ---- The daemon ---- */

/* Write the config (printf-style) into a fresh temp dir; resets sd. */
void	 sd_config(struct sd *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Rewrite it atomically (for reload). */
void	 sd_rewrite(struct sd *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/*
 * How to start it; every member may be left zero. The daemon runs
 *	[wrapper...] [valgrind...] supervisord -f -r RUNDIR -S STATEDIR
 *	    -c CONF [args...]
 * in the test's environment with PATH=/usr/local/bin:/usr/bin:/bin,
 * SUPERVISORD_WORKERDIR the build's workers/, no MSG_RUNDIR, then env
 * applied. A wrapper (found by that PATH) must exec what follows it, as
 * prlimit, setpriv, env and nice do, so that sd->pid stays the daemon's;
 * under SD_VALGRIND=1 it wraps valgrind too.
 */
struct sd_opts {
	const char *const *args;	/* more supervisord arguments */
	const char *const *env;		/* "NAME=value" sets, "NAME" unsets */
	const char *const *wrapper;	/* e.g. { "prlimit", "--nofile=64",
					   NULL } */
	const char	*gate;		/* wait for DIR/gate, not READY=1 */
	const char	*statedir;	/* -S this, not sd->statedir */
	int		 log;		/* stderr to DIR/daemon.log (sd_log) */
	int		 nowait;	/* return at once: no READY=1 wait,
					   no events followed */
};

/*
 * Start it (opts may be NULL). 0 once it said READY=1 on the test's
 * NOTIFY_SOCKET, or once the gate file holds a line (the daemon then
 * gets no NOTIFY_SOCKET, so a start that goes on to fail can be
 * watched), and the test follows the event stream from seq 1; -1 if it
 * exited first, or did not get there within SD_TIMEOUT.
 */
int	 sd_start(struct sd *, const struct sd_opts *);
/* sd_start with the gate file up (a pid in it goes to sd_track) and
 * the log: for the tests whose start a child holds (sdchild -f up). */
int	 sd_start_gated(struct sd *, const char *up);
/* Its exit status (128 + signal if killed, 99 for valgrind's errors)
 * within SD_TIMEOUT, or -1; then every event it sent is in seen. */
int	 sd_wait_exit(struct sd *);
/* SIGTERM unless it already exited, sd_wait_exit, sd_cleanup. */
int	 sd_stop(struct sd *);
/* SIGKILL it if it still runs, close everything, remove DIR. */
void	 sd_cleanup(struct sd *);
/* sd_go (children waiting for it may go), then sd_stop, or only
 * sd_cleanup when it never started: a teardown for a failed test. */
void	 sd_finish(struct sd *);
/* DIR/daemon.log so far (opts.log), caller frees. */
char	*sd_log(struct sd *);

/* ---- Events ---- */

/*
 * The next event at or after the cursor of this event and path (NULL
 * matches any), reading the stream for up to ms; the cursor moves past
 * it; sd->seen keeps the reference. NULL if none came.
 */
json_t	*sd_wait_ms(struct sd *, const char *event, const char *path, int ms);
json_t	*sd_wait(struct sd *, const char *event, const char *path);
/* Like sd_wait, but among the events seen, from the first; no wait. */
json_t	*sd_find(struct sd *, const char *event, const char *path);
/* The events seen from index from on that match. */
int	 sd_count(struct sd *, size_t from, const char *event,
	    const char *path);
/* sd_wait for "started" (its pid) or "exited"; fail the test if none. */
pid_t	 sd_started(struct sd *, const char *path);
json_t	*sd_exited(struct sd *, const char *path);
/* The pid of path's latest "started" event seen, or -1. */
pid_t	 sd_pid(struct sd *, const char *path);
/* An event's by_supervisor, integer, string ("" when absent), ts. */
int	 sd_by_supervisor(json_t *);
long long sd_int(json_t *, const char *key);
const char *sd_str(json_t *, const char *key);
double	 ev_ts(json_t *);

/*
 * Take the next events at the cursor and compare them in order with the
 * expectations, NULL-terminated. Each is "EVENT PATH [KEY=VALUE|KEY~SUB
 * ...]": = matches a string, number or true/false exactly, ~ a string
 * containing SUB. On a mismatch, prints every event seen and returns -1.
 */
int	 sd_expect(struct sd *, ...) __attribute__((sentinel));
/* The same for the next n events, in any order among themselves. */
int	 sd_expect_any(struct sd *, ...) __attribute__((sentinel));
/* After the daemon exited: 0 when no event is left past the cursor
 * and the events seen are numbered 1, 2, ... without a gap. */
int	 sd_end(struct sd *);
/* Print every event seen, the cursor marked (on failures). */
void	 sd_dump(struct sd *);
#define EXPECT(sd, ...) \
	assert_int_equal(sd_expect((sd), __VA_ARGS__, (char *)NULL), 0)
#define EXPECT_ANY(sd, ...) \
	assert_int_equal(sd_expect_any((sd), __VA_ARGS__, (char *)NULL), 0)
#define EXPECT_END(sd)	assert_int_equal(sd_end(sd), 0)

/* ---- supervisorctl, status ---- */

/* A program's end: exit status (128 + signal when killed), outputs. */
struct outcome {
	int	 status;
	char	*out;
	char	*err;
};
void	 outcome_free(struct outcome *);

/*
 * supervisorctl -r RUNDIR ARG... NULL, run to its end: its exit status.
 * Both outputs in *o (then outcome_free it); with o NULL, its stderr
 * goes to the test's.
 */
int	 sd_ctl(struct sd *, struct outcome *o, ...)
	    __attribute__((sentinel));
/* The same with the arguments in a NULL-terminated array. */
int	 sd_ctlv(struct sd *, struct outcome *o, char *const args[]);
/* supervisorctl ARG... NULL must exit with want (else the test fails,
 * saying what it printed); its outcome in *o, for the caller to free. */
void	 sd_ctl_expect(struct sd *, struct outcome *o, int want, ...)
	    __attribute__((sentinel));
void	 sd_vctl_expect(struct sd *, struct outcome *o, int want, va_list);
/* supervisord ARG... NULL (no -r or -c added), run to its end. */
int	 supd(struct outcome *, ...) __attribute__((sentinel));
/* `status --json': the object of path, or NULL (caller decrefs). */
json_t	*sd_node(struct sd *, const char *path);
/* path's state is want (NULL: path is not in the tree), or fail. */
void	 assert_state(struct sd *, const char *path, const char *want);
/* RUNDIR/name.sock (an actor's), or with name NULL the control socket. */
const char *sd_sock(struct sd *, const char *name);
/* A plain stream connection to the control socket (not even HELLO
 * read): a descriptor, or -1 with errno. */
int	 sd_raw_connect(struct sd *);

/* ---- cmocka fixture ---- */

/*
 * Setup and teardown: *state becomes a struct sd (the test's initial
 * state stays readable with sd_param). Teardown stops the daemon if it
 * still runs, then checks that every pid (and process group) the events
 * named, or sd_track was given, is gone; leftovers are killed and fail
 * the test. Its daemon.log, if any, goes to the test's stderr.
 */
int	 sd_setup(void **state);
int	 sd_teardown(void **state);
const void *sd_param(void **state);
void	 sd_track(pid_t);
/* After the daemon died (SIGKILL): SIGKILL every process (group) its
 * events named and wait until each is gone and reaped; -1 if one stays. */
int	 sd_end_orphans(struct sd *);

/* ---- Files, programs, processes ---- */

/* A path in the build tree; DIR/name. The last eight paths these and
 * sd_sock returned stay valid. */
const char *sd_bin(const char *rel);
const char *sd_file(struct sd *, const char *name);
/* tests/sd/sdchild, the worker whose exits and readiness tests control. */
const char *sd_child(void);
/* Write DIR/name atomically (tmp + rename): a gate a child waits for. */
void	 sd_put_file(struct sd *, const char *name, const char *text);
/* Open the usual gate: DIR/go (sdchild -w go, the tests' scripts). */
void	 sd_go(struct sd *);
/* Wait until DIR/name holds a line; its contents (caller frees). */
char	*sd_read_file(struct sd *, const char *name);
/* The pid written in DIR/name, or fail the test. */
pid_t	 sd_read_pid(struct sd *, const char *name);

/* Run argv (NULL-terminated) to its end within SD_TIMEOUT; -1 if not. */
int	 run_argv(struct outcome *, char *const argv[]);
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

/* Clocks: monotonic ms for bounds, the wall clock as the events' ts. */
long long now_ms(void);
double	 now_real(void);
/* The ms from now to a now_ms() deadline, 0 once it passed: a timeout. */
int	 ms_left(long long deadline);

/* From /proc/PID/stat: state letter (0: no such process), ppid, pgid. */
char	 proc_state(pid_t);
pid_t	 proc_ppid(pid_t);
pid_t	 proc_pgid(pid_t);
/* Wait until pid has ended and been reaped by whoever is its parent. */
int	 wait_gone(pid_t);
/* Wait until pid's parent is ppid (reparenting). */
int	 wait_ppid(pid_t, pid_t ppid);

/* Lines in s (a last line without newline counts too). */
int	 count_lines(const char *s);
/* "key=value" lines: the value of key, or NULL (static buffer). */
const char *kv(const char *text, const char *key);

/* Print what failed and errno, exit 99: nothing left to test. */
void	 sd_die(const char *what) __attribute__((noreturn));

#endif /* SDTEST_H */
