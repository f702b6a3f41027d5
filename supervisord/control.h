/*
 * control.h: the control socket: supervisorctl's commands as libmsg calls.
 */
#ifndef CONTROL_H
#define CONTROL_H

#include <jansson.h>

struct msg_loop;
struct msg_server;

/*
 * What the daemon does for each command. Each returns a JSON reply, or
 * NULL with a one-line reason in err (sent as ERROR 2, bad request).
 */
struct control_ops {
	json_t	*(*status)(const char *path, char *err, size_t errlen);
	json_t	*(*start)(const char *path, char *err, size_t errlen);
	json_t	*(*stop)(const char *path, char *err, size_t errlen);
	json_t	*(*restart)(const char *path, char *err, size_t errlen);
	json_t	*(*delete_child)(const char *path, char *err, size_t errlen);
	json_t	*(*start_child)(const char *path, json_t *args, char *err,
		    size_t errlen);
	json_t	*(*signal)(const char *path, int signo, char *err,
		    size_t errlen);
	json_t	*(*reload)(char *err, size_t errlen);
	json_t	*(*shutdown)(char *err, size_t errlen);
};

struct msg_server *control_open(struct msg_loop *, const char *rundir,
		    const struct control_ops *);

#endif /* CONTROL_H */
