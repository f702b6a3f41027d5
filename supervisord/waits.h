/*
 * waits.h: control calls answered once what they asked for has an
 * outcome (supervisorctl(8), Waiting): the core says when an operator
 * request is done with (tree_ops.op_done) and the event stream when a
 * reload is applied or the tree is down; the call is kept until then.
 */
#ifndef WAITS_H
#define WAITS_H

#include <jansson.h>

struct msg_call;
struct msg_loop;
struct node;
struct tree;

enum wait_kind {
	WAIT_START,		/* start, restart, start-child: running,
				   ready or done, or failed */
	WAIT_STOP,		/* every process of the child gone */
	WAIT_RELOAD,		/* the reloaded event */
	WAIT_SHUTDOWN,		/* the tree is down */
	WAIT_READY		/* the root started */
};

/* How the answer reads (supervisorctl(8), PROTOCOL). */
enum wait_style {
	WAIT_V1,		/* {"ok":true,...}, or ERROR with the reason */
	WAIT_PATHS,		/* {"ok":..., "results":[per path]} */
	WAIT_NEW_PATH		/* start-child: {"path":...}, or ERROR */
};

struct waits;

void	 waits_init(struct msg_loop *);
/*
 * A command's outcomes to come, before it acts; wait 0 answers once
 * taken on; timeout_ms 0: no limit. NULL: out of memory.
 */
struct waits *waits_new(enum wait_kind, enum wait_style, int wait,
		    int64_t timeout_ms);
/* One path taken on, with the core's ticket for it (0: none). */
int	 waits_add(struct waits *, const char *path, unsigned ticket);
/*
 * The last path added asked for what it already was: a start of a
 * running child, a stop of a stopped one. Its result says so
 * ("already": true); the outcome is judged as any other.
 */
void	 waits_already(struct waits *);
/* A reload's reply carries the plan it applied (plan.h); stolen. */
void	 waits_set_plan(struct waits *, json_t *plan);
/* No process left at or below n, and none on its way. */
int	 node_down(const struct node *);
/* One path the command refused, and why. */
int	 waits_add_failed(struct waits *, const char *path, const char *why);
/*
 * After the command took every path on: the reply when every outcome is
 * known already, else the call is kept (control_keep()) and answered
 * later, and NULL is returned with err empty; NULL with a reason in err
 * is a failure to send as an error. Either way w is the call's now.
 */
json_t	*waits_run(struct tree *, struct waits *, char *err, size_t len);
void	 waits_discard(struct waits *);

/* From the runtime: the core's callbacks and every event. */
void	 waits_op_done(struct tree *, struct node *);
void	 waits_event(struct tree *, const json_t *ev);
void	 waits_forget(struct tree *, const struct node *);
/* The tree is being stopped: it will not start, a ready is answered. */
void	 waits_stopping(void);
/* supervisord exits: what still waits is answered. */
void	 waits_free(void);

#endif /* WAITS_H */
