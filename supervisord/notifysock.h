/*
 * notifysock.h: the datagram socket children send sd_notify messages to.
 */
#ifndef NOTIFYSOCK_H
#define NOTIFYSOCK_H

#include <sys/types.h>

struct msg_loop;

#define NOTIFY_READY	0x1
#define NOTIFY_WATCHDOG	0x2
#define NOTIFY_STOPPING	0x4

/* pid: the sender, as the kernel vouches for it (SO_PASSCRED). */
typedef void	notify_fn(pid_t pid, int what, void *arg);

int	notifysock_open(struct msg_loop *, const char *path, notify_fn *,
	    void *arg);
void	notifysock_close(struct msg_loop *);

#endif /* NOTIFYSOCK_H */
