/*
 * pidmap.h: which node a pid belongs to (open addressing on the pid).
 */
#ifndef PIDMAP_H
#define PIDMAP_H

#include <sys/types.h>

struct node;

int		 pidmap_put(pid_t, struct node *);
struct node	*pidmap_get(pid_t);
void		 pidmap_del(pid_t);
void		 pidmap_free(void);

#endif /* PIDMAP_H */
