/*
 * server-int.h: the server's and its peers' internal state, shared by
 * server.c, pubsub.c and listen.c.
 */
#ifndef SERVER_INT_H
#define SERVER_INT_H

#include <sys/types.h>

#include "msg-int.h"

struct syncpub;

struct sub {
	char	*prefix;
	size_t	 len;
};

struct msg_peer {
	struct msg_server	*srv;
	struct msg_peer		*prev, *next;
	int			 fd;		/* -1 once closed */
	int			 refs;		/* the connection + kept calls */
	struct msg_cred		 cred;
	struct msg__buf		 in, out;
	unsigned		 hello_seen:1, flush_pending:1, want_write:1;
	struct sub		*subs;
	size_t			 nsubs;
	uint64_t		 dropped;	/* events lost to overflow */
	uint64_t		 dropped_unreported;
	uint64_t		 delivered;	/* events queued to it */
	uint64_t		 sent;		/* bytes written to its socket */
	void			*ev;		/* event.c's: batch share, marks */
	struct msg_timer	*deadline;	/* HELLO or a frame's rest due */
	size_t			 batched;	/* bytes of that share */
};

struct msg_call {
	struct msg_peer	*peer;
	uint32_t	 id;
	int		 replied;
	int		 heap;		/* kept with msg_call_keep() */
};

/* What admit.c logs at most once a second, each. */
enum msg__trouble { TROUBLE_REFUSED, TROUBLE_LATE, TROUBLE_ROOM,
	TROUBLE_GREEDY, TROUBLE_KINDS };

struct msg__ratelog {
	uint64_t	last;		/* ms */
	uint64_t	skipped;
};

struct msg_server {
	struct msg_loop			*loop;
	int				 lfd;
	int				 spare;		/* for EMFILE */
	const struct msg_server_ops	*ops;
	void				*state;
	struct msg_server_opts		 opts;
	struct msg_peer			*peers;
	size_t				 npeers;
	unsigned char			*scratch;
	char				 name[MSG_NAME_MAX + 1];
	char				 path[108];
	int				 bound;		/* we made path */
	ino_t				 ino;
	size_t				 buffered;	/* peers' buffers */
	struct uidcount			*uids;		/* peers per uid */
	size_t				 nuids;
	struct msg__ratelog		 said[TROUBLE_KINDS];
};

void	msg__peer_unref(struct msg_peer *);
void	msg__peer_kick(struct msg_peer *);
int	msg__peer_send(struct msg_peer *, uint16_t kind, uint16_t flags,
	    uint32_t tag, uint32_t id, const void *, size_t);

int	msg__subs_add(struct msg_peer *, const char *, size_t);
void	msg__subs_del(struct msg_peer *, const char *, size_t);
void	msg__subs_free(struct msg_peer *);
int	msg__publish_n(struct msg_server *, const char *topic, size_t tlen,
	    uint16_t flags, const void *, size_t);
/* The event manager's fan-out: pubsub.c admits, event.c queues. */
int	msg__fanout_batch(struct msg_server *, const char *topic, size_t tlen,
	    size_t off, size_t len, struct syncpub *, unsigned *lost);
int	msg__event_queue(struct msg_peer *, size_t off, size_t len,
	    struct syncpub *);
void	msg__event_lost(struct msg_peer *);
void	msg__overflow_notice(struct msg_peer *);
size_t	msg__subs_count(const struct msg_server *, const char *, size_t);
/* Peers whose ev is set (event.c): after a write, before queueing. */
void	msg__event_sent(struct msg_peer *);
void	msg__event_before_queue(struct msg_peer *);

/* admit.c */
void	msg__admit_defaults(struct msg_server_opts *);
int	msg__admit(struct msg_server *, int fd, const struct msg_cred *);
void	msg__refuse(struct msg_server *, int fd, pid_t, const char *why);
void	msg__admit_gone(struct msg_peer *);
void	msg__deadline_update(struct msg_peer *);
void	msg__buffered_check(struct msg_server *);

int	msg__listen_activated(const char *name);
int	msg__listen_bind(const char *name, char *path, size_t size, ino_t *);

#endif /* SERVER_INT_H */
