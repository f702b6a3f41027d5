/*
 * control.h: the control socket: supervisorctl's commands as libmsg calls.
 * control.c carries them; commands.c says what each one does.
 */
#ifndef CONTROL_H
#define CONTROL_H

#include <stddef.h>

#include <jansson.h>

struct msg_call;
struct msg_loop;
struct msg_server;
struct msg_server_opts;
struct tree;

/*
 * What the commands need from the runtime, which owns the tree, its
 * clock and the daemon's life.
 */
struct control_env {
	struct tree	*(*tree)(void);		/* its clock set to now */
	/* The plan it applies (plan.h) in *plan, when plan is not NULL. */
	int		 (*reload)(json_t **plan, char *err, size_t len);
	void		 (*shutdown)(void);
	void		 (*trim_later)(void);	/* after a large reply */
	/* What a reload to file (NULL: the tree's) would do: plan.h. */
	json_t		*(*plan)(const char *file, char *err, size_t len);
};

/* What a command's payload must hold before its handler runs. */
enum control_arg {
	CTL_ARG_NONE,
	CTL_ARG_PATH,		/* "path", a string */
	CTL_ARG_OPT_PATH,	/* "path" or nothing */
	CTL_ARG_PATHS		/* "path", or "paths", an array */
};

/*
 * A command's handler gets the payload (NULL when empty) and its "path";
 * it returns the JSON reply, or NULL with a one-line reason in err (sent
 * as ERROR 2, bad request).
 */
struct control_cmd {
	const char		*name;		/* control-proto.h */
	enum control_arg	 arg;
	json_t			*(*run)(const struct control_env *, json_t *req,
				    const char *path, char *err, size_t len);
};

/* Ends with a NULL name. */
extern const struct control_cmd	control_cmds[];

struct msg_server *control_open(struct msg_loop *, const char *rundir,
		    const struct control_env *, const struct msg_server_opts *);
/*
 * In a handler: answer later. Returns the kept call (answer it with
 * msg_reply_json() or msg_reply_error()); the handler then returns NULL
 * with err untouched. NULL when it cannot be kept.
 */
struct msg_call	*control_keep(void);

#endif /* CONTROL_H */
