/*
 * tree-int.h: what tree.c (structure, commands, status) and rules.c
 * (OTP's restart rules) share inside the supervision core.
 */
#ifndef TREE_INT_H
#define TREE_INT_H

#include "tree.h"

/* One step of what a supervisor is doing; steps run strictly in order. */
enum step_kind {
	STEP_START,		/* start child; wait until started or ready */
	STEP_STOP,		/* stop child; wait until it is down */
	STEP_STOP_ALL,		/* stop every child at once (simple_one_for_one) */
	STEP_DELETE,		/* remove child from the tree */
	STEP_DELETE_ALL,	/* remove every child */
	STEP_REPLACE,		/* child takes a new spec (reload) */
	STEP_WAIT		/* wait out child's restart_delay */
};

struct step {
	enum step_kind		 kind;
	struct node		*child;
	const struct spec	*spec;		/* STEP_REPLACE */
};

/* Why a supervisor runs its current program. */
enum prog_kind {
	P_NONE,
	P_START,		/* its own start */
	P_FAILSTART,		/* undoing a start that failed */
	P_RESTART,		/* a child ended and is restarted */
	P_GIVEUP,		/* intensity reached */
	P_SHUTDOWN,		/* its parent or the operator stops it */
	P_OP,			/* an operator command on one child */
	P_RELOAD,
	P_AUTOSHUTDOWN		/* auto_shutdown: a significant child ended */
};

/* What waits in a supervisor's mailbox while it is busy. */
enum req_kind {
	R_EXIT,
	R_STOP,
	R_START,
	R_RESTART,
	R_RELOAD,
	R_DELAYED		/* child's restart_delay is over: start it */
};

struct request {
	struct request		*next;
	enum req_kind		 kind;
	struct node		*child;
	unsigned		 incarnation;
	enum exit_class		 cls;
	const struct spec	*spec;		/* R_RELOAD: the new spec */
	const struct spec	*old;		/* R_RELOAD: the one it replaces */
	unsigned		 ticket;	/* R_STOP, R_START, R_RESTART */
};

struct tree {
	struct node		*root;
	struct spec		*spec;		/* current */
	struct spec		**old;		/* replaced by reloads; nodes may
						   still point into them */
	size_t			 nold;
	const struct tree_ops	*ops;
	void			*arg;
	uint64_t		 now;
	int			 shutting_down;
	char			 failure[512];	/* why the root's start failed */
	char			 last_error[160];	/* the last start error */
	struct held		*held;		/* the operator's holds, by path */
	size_t			 nheld;
	unsigned		 tickets;	/* operator requests so far */
	unsigned		 reloads;	/* reload programs in flight */
	json_t			*reload_errors;	/* start errors they met */
};

/* tree.c */
struct node	*node_new(struct tree *, struct node *parent,
		    const struct spec *, const char *id);
void		 node_remove(struct tree *, struct node *);
void		 node_sync_kids(struct tree *, struct node *);
int		 node_index(const struct node *);
void		 emit(struct tree *, json_t *ev);
void		 logf_(struct tree *, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));
void		 reload_plan(struct tree *, struct node *, const struct spec *,
		    const struct spec *old);

/* What a reload does to one child of a supervisor. */
enum reload_act {
	RA_NONE,		/* neither in the tree nor new: nothing */
	RA_ADD,			/* new in the file: start it */
	RA_REMOVE,		/* gone from the file: stop and delete it */
	RA_REPLACE,		/* its spec changed: restart it with the new */
	RA_RECURSE,		/* an unchanged supervisor: reload its children */
	RA_ADOPT		/* an unchanged worker: take the new spec */
};
enum reload_act	 reload_child(const struct node *s, const struct spec *ns,
		    const struct spec *prev, const char *id);

/* rules.c */
void		 prog_set(struct node *, enum prog_kind, struct step *, size_t,
		    struct node *subject);
void		 prog_run(struct tree *, struct node *);
void		 mbox_push(struct tree *, struct node *s, struct request *);
void		 mbox_process(struct tree *, struct node *s);
void		 stop_subtree(struct tree *, struct node *s, enum prog_kind);
void		 start_root(struct tree *, struct node *root);
void		 child_settled(struct tree *, struct node *c, int ok);
void		 exit_of(struct tree *, struct node *c, enum exit_class);
void		 spawn_again(struct tree *, struct node *c);
void		 event_started(struct tree *, struct node *c);
void		 event_start_error(struct tree *, struct node *c,
		    const char *why);
void		 describe_exit(const struct node *c, char *buf, size_t size);

/* significant.c */
int		 auto_shutdown_due(const struct node *s, const struct node *c,
		    enum exit_class);
int		 passed_code(const struct node *c);
void		 auto_shutdown(struct tree *, struct node *s, const char *path,
		    int code);
void		 auto_shutdown_done(struct tree *, struct node *s);
void		 step_done(struct tree *, struct node *c, pid_t pid);
/* holds.c */
int		 hold_initial(struct tree *, const struct node *);
void		 hold_op(struct tree *, const struct node *c);
void		 holds_reload(struct tree *);
void		 holds_free(struct tree *);
/* delay.c */
int		 delay_schedule(struct tree *, struct node *c, uint64_t ran);
void		 delay_cancel(struct tree *, struct node *c);
void		 delay_cancel_all(struct tree *, struct node *s);
void		 delay_fired(struct tree *, struct node *c);
struct node	*delay_op(struct tree *, struct node *c, int stop,
		    int *hurried);
void		 delay_status(struct tree *, const struct node *, json_t *o);
/* outcomes.c: when operator requests and reloads are done with */
void		 op_finish(struct tree *, struct node *c, unsigned ticket);
void		 mbox_drop(struct tree *, struct node *s);
void		 prog_dropped(struct tree *, struct node *s);
void		 reload_begin(struct tree *);
void		 reload_end(struct tree *);
void		 reload_error(struct tree *, const struct node *c);

#endif /* TREE_INT_H */
