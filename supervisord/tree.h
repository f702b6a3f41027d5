/*
 * tree.h: the supervision core: OTP's supervisor rules as a state machine
 * over a tree of nodes. It makes no system calls: the runtime feeds it
 * what happened (an exit, READY=1, a timer) and it answers through the
 * callbacks in struct tree_ops (spawn this, signal that, emit an event).
 */
#ifndef TREE_H
#define TREE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#include "config.h"

enum node_state {
	NS_STOPPED,		/* not running: never started, ended, stopped */
	NS_STARTING,		/* spawned or starting children, not ready */
	NS_RUNNING,
	NS_STOPPING,		/* asked to stop, not down yet */
	NS_RESTARTING,		/* down, its supervisor will start it again */
	NS_FAILED,		/* start error or gave up, not restarted */
	NS_DONE			/* a run-once step (ready: exited) that finished */
};

enum exit_class {
	EXIT_NORMAL,
	EXIT_ABNORMAL
};

/* How a worker (or a supervisor) last ended. */
struct exit_info {
	int	valid;
	int	code;		/* -1 when killed */
	int	signo;		/* 0 when it exited */
	char	error[160];	/* start error text, else empty */
};

struct step;

/* tree_ops.spawn: try again after SPAWN_RETRY_MS (a shortage, not a crash). */
#define SPAWN_LATER	((pid_t)-2)
#define SPAWN_RETRY_MS	1000

struct node {
	const struct spec	 *spec;
	char			  id[SPEC_ID_MAX + 1];
	char			 *path;		/* root/core/db */
	struct node		 *parent;
	struct node		**kids;		/* in start order */
	size_t			  nkids;
	enum node_state		  state;
	int			  depth;

	/* worker */
	pid_t			  pid;
	unsigned		  incarnation;	/* bumped at each spawn */
	int			  killed;	/* we signalled it to stop */
	int			  timed_out;	/* killed for start_timeout */
	int			  exec_pending;	/* spawned, execve not yet seen */
	int			  spawn_later;	/* spawn deferred: a shortage */
	char			**extra;	/* simple_one_for_one args */
	size_t			  nextra;
	void			 *rt;		/* the runtime's own data */

	/* both */
	uint64_t		  started_at;	/* ms, monotonic */
	unsigned		  restarts;
	struct exit_info	  last_exit;
	int			  op_stopped;	/* operator said stop */

	/* supervisor */
	uint64_t		 *hist;		/* restart times within period */
	size_t			  nhist;
	unsigned		  next_dyn;	/* next simple_one_for_one id */
	struct step		 *prog;		/* steps of what it does now */
	size_t			  nprog, pc;
	int			  waiting;	/* parked on a step */
	int			  prog_kind;
	struct node		 *subject;	/* the child the program is for */
	struct request		 *mbox;		/* what waits for the program */

	/* supervisor: the code its auto_shutdown passes on (significant.c) */
	int			  auto_code;
	/* restart_delay (delay.c; supervisord(8), Restart delay) */
	uint64_t		  next_start_at;	/* ms: a decided restart
						   starts then; 0: none waits */
	int64_t			  delay_cur;	/* the last delay, before jitter */
	uint64_t		  last_run;	/* ms from its start to its exit */
	/* operator requests (tree_op_ticket): waiting commands */
	unsigned		  op_running;	/* supervisor: its P_OP's ticket */
	unsigned		  op_finished;	/* the last one on this node that
						   finished (or was dropped) */
};

struct tree;

struct tree_ops {
	/*
	 * Start a worker; returns its pid, or -1 with a reason in err, or
	 * SPAWN_LATER (-2) when a shortage of descriptors or processes
	 * stopped it (tried again after SPAWN_RETRY_MS, not a crash). Sets
	 * *pending when the outcome of execve is reported later, through
	 * tree_execed() or tree_start_failed().
	 */
	pid_t	(*spawn)(struct tree *, struct node *, int *pending, char *err,
		    size_t len);
	/* Signal a worker's process group. */
	void	(*kill)(struct tree *, struct node *, int signo);
	/* Arm (ms > 0) or cancel (ms == 0) the node's one timer. */
	void	(*timer)(struct tree *, struct node *, int64_t ms);
	/* An event for the stream; the callee owns ev. */
	void	(*event)(struct tree *, json_t *ev);
	/* A line for the log. */
	void	(*log)(struct tree *, const char *line);
	/* The root started (READY=1), or the daemon must exit. */
	void	(*started)(struct tree *);
	void	(*exit)(struct tree *, int status);
	/* A node is about to be freed (drop its runtime data). */
	void	(*forget)(struct tree *, struct node *);
	/* The operator's holds changed (tree_holds): save them. */
	void	(*held)(struct tree *);
	/* 32 random bits for restart_delay's jitter (NULL: no jitter). */
	uint32_t (*random)(struct tree *);
	/*
	 * An operator command's program on node n has finished, or its
	 * request was dropped because n's supervisor went down:
	 * n->op_finished is that request's ticket. n is now running, ready
	 * or done, stopped, or failed (last_exit.error says why), or, when
	 * dropped, on its way down with its supervisor.
	 */
	void	(*op_done)(struct tree *, struct node *n);
	/*
	 * The file worker n's argv[0] runs, into buf, for messages (a
	 * start error then says which program it was); NULL when unknown.
	 */
	const char *(*program)(struct tree *, const struct node *n, char *buf,
		    size_t len);
};

struct tree	*tree_new(struct spec *root, const struct tree_ops *, void *arg);
void		 tree_free(struct tree *);
void		*tree_arg(struct tree *);
struct node	*tree_root(struct tree *);
void		 tree_set_now(struct tree *, uint64_t ms);

/* What the runtime reports. */
void		 tree_start(struct tree *);
void		 tree_exited(struct tree *, struct node *, int wait_status);
void		 tree_ready(struct tree *, struct node *);
void		 tree_timer(struct tree *, struct node *);
/* A pending spawn: execve succeeded; or a step before it failed and the
 * child is gone (reaped), never having run the program. */
void		 tree_execed(struct tree *, struct node *);
void		 tree_start_failed(struct tree *, struct node *, const char *why);

/* Operator commands; -1 with a reason in err when refused. */
struct node	*tree_find(struct tree *, const char *path);
struct node	*tree_lookup(struct tree *, const char *path, char *err,
		    size_t len);
int		 tree_op_stop(struct tree *, const char *path, char *, size_t);
int		 tree_op_start(struct tree *, const char *path, char *, size_t);
int		 tree_op_restart(struct tree *, const char *path, char *, size_t);
int		 tree_op_delete(struct tree *, const char *path, char *, size_t);
struct node	*tree_op_start_child(struct tree *, const char *path,
		    char **args, size_t nargs, char *err, size_t len);
void		 tree_shutdown(struct tree *);
/* The tree is on its way down (a shutdown, or the root's auto_shutdown). */
int		 tree_shutting_down(const struct tree *);
/* The ticket of the last operator request taken on (tree_op_*): the
 * node's op_finished reaches it once that request is done with. */
unsigned	 tree_op_ticket(struct tree *);
/* Apply a new spec tree (steals it); reload restarts do not count. */
void		 tree_reload(struct tree *, struct spec *root);

/* Status: every node under path (all when NULL), as JSON objects. */
json_t		*tree_status(struct tree *, const char *path, char *, size_t);

/*
 * The operator's holds (supervisord(8), STATE FILE): static children
 * the operator stopped although their autostart is true (stopped 1),
 * or started although it is false (stopped 0). Given before tree_start,
 * they decide a node's op_stopped when it is created; operator stops,
 * starts and reloads keep them up to date. Sorted by path.
 */
struct held {
	char	*path;
	int	 stopped;
};
int		 tree_hold(struct tree *, const char *path, int stopped);
const struct held *tree_holds(struct tree *, size_t *n);
/* The spec of a child of the file by its path, or NULL (not for the
 * instances of a simple_one_for_one supervisor). */
const struct spec *spec_at(const struct spec *root, const char *path);

enum exit_class	 exit_class(const struct spec *, int wait_status);
const char	*node_state_name(enum node_state);

#endif /* TREE_H */
