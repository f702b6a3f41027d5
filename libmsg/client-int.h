/*
 * client-int.h: the client's internal state, kept by client.c with the
 * bookkeeping in clientq.c.
 */
#ifndef CLIENT_INT_H
#define CLIENT_INT_H

#include <sys/un.h>

#include "msg-int.h"

#define MAX_ABANDONED	64
#define QUEUE_LIMIT	(32u << 20)

/* A frame received while a call waited for another one. */
struct qmsg {
	struct qmsg		*next;
	struct msg_message	 m;
	size_t			 size;
	unsigned char		 bytes[];
};

struct msg_client {
	int		 fd;		/* -1 while down */
	char		 path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct msg__buf	 in, out;
	struct msg__buf	 cur;		/* bytes of the last frame returned */
	size_t		 max_payload;
	uint32_t	 next_id;
	int		 hello_seen;
	int		 rcvtimeo;	/* SO_RCVTIMEO set, ms; 0: none */
	uint32_t	 abandoned[MAX_ABANDONED];	/* timed-out call ids */
	size_t		 nabandoned;
	struct qmsg	*qhead, *qtail, *qcur;
	size_t		 qbytes;
	uint64_t	 qdropped;
	char		**subs;		/* resubscribed after a reconnect */
	size_t		 nsubs;
};

/* clientq.c: the bookkeeping, data only. */
int	msg__queue_push(struct msg_client *, const struct msg_message *);
int	msg__queue_pop(struct msg_client *, struct msg_message *);
void	msg__queue_clear(struct msg_client *);
void	msg__abandon(struct msg_client *, uint32_t id);
int	msg__abandoned(struct msg_client *, const struct msg_message *);
int	msg__sublist_add(struct msg_client *, const char *prefix);
void	msg__sublist_del(struct msg_client *, const char *prefix);
void	msg__sublist_clear(struct msg_client *);

#endif /* CLIENT_INT_H */
