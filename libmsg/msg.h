/*
 * msg.h: libmsg, OTP-style messaging between processes over Unix sockets.
 * The wire protocol is described byte by byte in libmsg(7).
 */
#ifndef MSG_H
#define MSG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MSG_PROTOCOL_VERSION	1
#define MSG_NAME_MAX		64
#define MSG_MAX_PAYLOAD_DEFAULT	(16u << 20)

/* Frame kinds (header bytes 4-5). */
enum msg_kind {
	MSG_HELLO = 1,
	MSG_CALL = 2,
	MSG_CAST = 3,
	MSG_REPLY = 4,
	MSG_ERROR = 5,
	MSG_EVENT = 6,
	MSG_SUBSCRIBE = 7,
	MSG_UNSUBSCRIBE = 8
};

/* Frame flags (header bytes 6-7). */
#define MSG_F_JSON	0x0001u

/* Error codes carried in the tag of an ERROR frame. */
enum msg_errcode {
	MSG_ERR_UNKNOWN_TAG = 1,
	MSG_ERR_BAD_REQUEST = 2,
	MSG_ERR_SERVER = 3,
	MSG_ERR_OVERLOADED = 4
};

/* Outcome of msg_call() and msg_recv(). */
enum msg_status {
	MSG_FAIL = -1,		/* local error; errno says which */
	MSG_OK = 0,		/* a REPLY (or, for msg_recv, any frame) */
	MSG_ERROR_REPLY = 1,	/* the server answered with ERROR */
	MSG_TIMEOUT = 2,	/* no answer within the timeout */
	MSG_DOWN = 3		/* the server died or closed the connection */
};

/* One received frame. data (and topic) point into libmsg's buffers. */
struct msg_message {
	uint16_t	 kind;
	uint16_t	 flags;
	uint32_t	 tag;		/* message tag, or error code */
	uint32_t	 id;
	const void	*data;
	size_t		 len;
	const char	*topic;		/* EVENT, SUBSCRIBE, UNSUBSCRIBE */
	size_t		 topic_len;
};

/* Credentials of a connected peer (SO_PEERCRED). */
struct msg_cred {
	pid_t	pid;
	uid_t	uid;
	gid_t	gid;
};

uint32_t	 msg_tag(const char *name);
const char	*msg_strerror(int status);
const char	*msg_errcode_name(uint32_t code);
int		 msg_name_valid(const char *name);

/*
 * Logging. libmsg reports protocol errors and dropped peers through this
 * hook; the default writes "PROG: message" to stderr. Priorities are
 * syslog's (LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG).
 */
typedef void	 msg_log_fn(int prio, const char *line, void *arg);
void		 msg_set_logger(msg_log_fn *fn, void *arg);

/*
 * Event loop: epoll for descriptors, a timer heap, signalfd for signals.
 * It sleeps in epoll_wait until something happens.
 */
struct msg_loop;
struct msg_timer;

#define MSG_EV_READ	0x1u
#define MSG_EV_WRITE	0x2u
#define MSG_EV_ERROR	0x4u

typedef void	 msg_fd_fn(struct msg_loop *, int fd, unsigned events, void *arg);
typedef void	 msg_timer_fn(struct msg_loop *, void *arg);
typedef void	 msg_signal_fn(struct msg_loop *, int signo, void *arg);

struct msg_loop	*msg_loop_new(void);
void		 msg_loop_free(struct msg_loop *);
int		 msg_loop_run(struct msg_loop *);
int		 msg_loop_run_once(struct msg_loop *, int timeout_ms);
void		 msg_loop_stop(struct msg_loop *);
uint64_t	 msg_loop_now(struct msg_loop *);	/* monotonic ms */

int		 msg_loop_add_fd(struct msg_loop *, int fd, unsigned events,
		    msg_fd_fn *fn, void *arg);
int		 msg_loop_mod_fd(struct msg_loop *, int fd, unsigned events);
int		 msg_loop_del_fd(struct msg_loop *, int fd);

/*
 * One-shot timer, fired once after ms milliseconds and then freed by the
 * loop. Cancelling a timer from its own callback is harmless.
 */
struct msg_timer *msg_timer_start(struct msg_loop *, uint64_t ms,
		    msg_timer_fn *fn, void *arg);
void		 msg_timer_cancel(struct msg_loop *, struct msg_timer *);

/* Deliver signo through the loop (blocks it and reads it from a signalfd). */
int		 msg_loop_signal(struct msg_loop *, int signo, msg_signal_fn *fn,
		    void *arg);

/*
 * Run directory: $MSG_RUNDIR, else /run/supervisord as root, else
 * $XDG_RUNTIME_DIR/supervisord, else /tmp/supervisord-UID. Created 0700
 * when missing; refused when owned by another user or open to others.
 */
int		 msg_rundir(char *buf, size_t size);
int		 msg_rundir_prepare(const char *dir);
int		 msg_sock_path(const char *name, char *buf, size_t size);

/* sd_notify: send "READY=1" etc. to $NOTIFY_SOCKET; 0 when unset. */
int		 msg_notify(const char *state);
int		 msg_ready(void);

/*
 * Server behaviour (gen_server). A call is answered with msg_reply() or
 * msg_reply_error() inside handle_call, or kept with msg_call_keep() and
 * answered later. A call neither answered nor kept gets ERROR 3.
 */
struct msg_server;
struct msg_peer;
struct msg_call;

struct msg_server_ops {
	void	(*handle_call)(void *state, struct msg_call *,
		    const struct msg_message *);
	void	(*handle_cast)(void *state, struct msg_peer *,
		    const struct msg_message *);
	/* An EVENT from a client; NULL relays it to the subscribers. */
	void	(*handle_event)(void *state, struct msg_peer *,
		    const struct msg_message *);
	/* Peer connected / gone (monitor); either may be NULL. */
	void	(*peer_up)(void *state, struct msg_peer *);
	void	(*peer_down)(void *state, struct msg_peer *);
};

struct msg_server_opts {
	size_t	max_payload;		/* default MSG_MAX_PAYLOAD_DEFAULT */
	size_t	max_output;		/* per peer, replies; default 64 MiB */
	size_t	max_event_queue;	/* per subscriber; default 1 MiB */
	int	allow_any_uid;		/* default: own uid and root only */
	/* Bounds (libmsg(3), LIMITS); 0 takes the default. */
	size_t	max_peers;		/* 3/4 of RLIMIT_NOFILE's soft limit */
	size_t	max_peers_per_uid;	/* 3/4 of max_peers */
	size_t	max_buffered;		/* all peers' buffers; 256 MiB */
	int	hello_timeout_ms;	/* a peer's HELLO is due; 5000 */
	int	frame_timeout_ms;	/* a frame begun must end; 10000 */
};

struct msg_server *msg_server_new(struct msg_loop *, const char *name,
		    const struct msg_server_ops *, void *state,
		    const struct msg_server_opts *);
struct msg_server *msg_server_new_fd(struct msg_loop *, int listen_fd,
		    const struct msg_server_ops *, void *state,
		    const struct msg_server_opts *);
void		 msg_server_free(struct msg_server *);
void		 msg_server_set_state(struct msg_server *, void *state);
/* A listening socket bound as a server would bind NAME (socket activation). */
int		 msg_listen(const char *name, char *path, size_t size);
const char	*msg_server_path(const struct msg_server *);
size_t		 msg_server_peers(const struct msg_server *);
/* Run the loop until queued output reached every peer, or timeout. */
int		 msg_server_flush(struct msg_server *, int timeout_ms);

int		 msg_reply(struct msg_call *, uint16_t flags, const void *,
		    size_t);
int		 msg_reply_error(struct msg_call *, uint32_t code,
		    const char *text);
struct msg_call	*msg_call_keep(struct msg_call *);
void		 msg_call_free(struct msg_call *);	/* drop a kept call */
struct msg_peer	*msg_call_peer(const struct msg_call *);

const struct msg_cred *msg_peer_cred(const struct msg_peer *);
uint64_t	 msg_peer_dropped(const struct msg_peer *);
void		 msg_peer_close(struct msg_peer *);
int		 msg_peer_send_event(struct msg_peer *, const char *topic,
		    uint16_t flags, const void *, size_t);

/* Publish to every subscriber whose prefix matches topic; returns count. */
int		 msg_publish(struct msg_server *, const char *topic,
		    uint16_t flags, const void *, size_t);

/* The whole life of a simple actor: bind NAME, init, READY=1, serve. */
struct msg_actor {
	const char			*name;
	const struct msg_server_ops	*ops;
	/* Called once the socket is bound; returns state or NULL to fail. */
	void	*(*init)(struct msg_loop *, struct msg_server *, void *arg);
	void	 (*terminate)(void *state);
};
int		 msg_actor_main(const struct msg_actor *, void *arg);

/*
 * Client. Blocking calls with a timeout (ms; -1 waits forever). Replies
 * and events received while waiting for another id are queued and
 * returned by msg_recv(). A message's data stays valid until the next
 * call on the same client.
 */
struct msg_client;

struct msg_client *msg_connect(const char *name_or_path, int timeout_ms);
void		 msg_close(struct msg_client *);
int		 msg_client_fd(const struct msg_client *);
void		 msg_client_set_max_payload(struct msg_client *, size_t);

int		 msg_call(struct msg_client *, uint32_t tag, uint16_t flags,
		    const void *, size_t, int timeout_ms, struct msg_message *);
int		 msg_cast(struct msg_client *, uint32_t tag, uint16_t flags,
		    const void *, size_t);
/* Pipelining: send a call now, collect its reply with msg_recv(). */
int		 msg_send_call(struct msg_client *, uint32_t tag,
		    uint16_t flags, const void *, size_t, uint32_t *id);
/* Queue a cast without writing it; msg_flush() or the next write sends. */
int		 msg_cast_more(struct msg_client *, uint32_t tag,
		    uint16_t flags, const void *, size_t);
int		 msg_flush(struct msg_client *, int timeout_ms);
int		 msg_recv(struct msg_client *, int timeout_ms,
		    struct msg_message *);
int		 msg_subscribe(struct msg_client *, const char *prefix);
int		 msg_unsubscribe(struct msg_client *, const char *prefix);
int		 msg_publish_to(struct msg_client *, const char *topic,
		    uint16_t flags, const void *, size_t);

/* jansson helpers: payloads flagged MSG_F_JSON. */
#ifdef JANSSON_H
int		 msg_reply_json(struct msg_call *, json_t *);
int		 msg_call_json(struct msg_client *, uint32_t tag, json_t *arg,
		    int timeout_ms, json_t **reply);
json_t		*msg_json(const struct msg_message *, char *err, size_t errlen);
#endif

/* --- state machine behaviour (statem.c): see msg_statem(3) --- */

/*
 * State machine behaviour (gen_statem, one handler for every state). The
 * handler is called with the state, the event and the data pointer; it
 * asks for actions through the context (answer a call with msg_reply()
 * on ev->call) and returns the next state. See msg_statem(3).
 */
struct msg_statem;
struct msg_statem_ctx;

enum msg_statem_type {
	MSG_STATEM_CALL = 1,		/* from a client; call is its handle */
	MSG_STATEM_CAST,		/* from a client or msg_statem_cast_self() */
	MSG_STATEM_INFO,		/* msg_statem_info(): the application's own */
	MSG_STATEM_INTERNAL,		/* msg_statem_next_event() */
	MSG_STATEM_EVENT_TIMEOUT,	/* msg_statem_event_timeout() */
	MSG_STATEM_STATE_TIMEOUT,	/* msg_statem_state_timeout() */
	MSG_STATEM_TIMEOUT,		/* msg_statem_timeout(): name says which */
	MSG_STATEM_ENTER		/* state enter call: old_state */
};

struct msg_statem_event {
	enum msg_statem_type	 type;
	struct msg_message	 msg;		/* tag, flags, data, len */
	struct msg_call		*call;		/* CALL: the reply handle */
	struct msg_peer		*peer;		/* CALL, CAST from a client */
	const char		*name;		/* TIMEOUT */
	int			 old_state;	/* ENTER */
};

typedef int	 msg_statem_fn(struct msg_statem_ctx *, int state,
		    const struct msg_statem_event *, void *data);

#define MSG_STATEM_ENTER_CALLS	0x1u	/* an ENTER event on each state change */
#define MSG_STATEM_ENTER_INIT	0x2u	/* ... and one for the initial state */

struct msg_statem_ops {
	msg_statem_fn		*handle_event;
	unsigned		 flags;		/* MSG_STATEM_ENTER_* */
	const char *const	*state_names;	/* indexed by state; may be NULL */
	size_t			 nstates;
	size_t			 max_queue;	/* postponed + queued; 0: 1024 */
};

/* name NULL: a machine of this process only, fed by cast_self and info. */
struct msg_statem *msg_statem_new(struct msg_loop *, const char *name,
		    const struct msg_statem_ops *, void *data, int initial_state);
void		 msg_statem_free(struct msg_statem *);
void		 msg_statem_set_data(struct msg_statem *, void *data);
void		*msg_statem_data(const struct msg_statem *);
int		 msg_statem_state(const struct msg_statem *);
const char	*msg_statem_state_name(const struct msg_statem *, int state);
size_t		 msg_statem_postponed(const struct msg_statem *);
struct msg_server *msg_statem_server(const struct msg_statem *);
int		 msg_statem_cast_self(struct msg_statem *, uint32_t tag,
		    uint16_t flags, const void *, size_t);
int		 msg_statem_info(struct msg_statem *, uint32_t tag,
		    uint16_t flags, const void *, size_t);

/* Actions: only inside the handler, on the context it was given. */
struct msg_statem *msg_statem_self(struct msg_statem_ctx *);
int		 msg_statem_postpone(struct msg_statem_ctx *);
int		 msg_statem_next_event(struct msg_statem_ctx *, uint32_t tag,
		    uint16_t flags, const void *, size_t);
int		 msg_statem_event_timeout(struct msg_statem_ctx *, uint64_t ms,
		    uint32_t tag);
int		 msg_statem_state_timeout(struct msg_statem_ctx *, uint64_t ms,
		    uint32_t tag);
int		 msg_statem_cancel_state_timeout(struct msg_statem_ctx *);
int		 msg_statem_timeout(struct msg_statem_ctx *, const char *name,
		    uint64_t ms);
int		 msg_statem_cancel_timeout(struct msg_statem_ctx *,
		    const char *name);

/* The whole life of a state machine actor, as msg_actor_main(). */
struct msg_statem_actor {
	const char			*name;
	const struct msg_statem_ops	*ops;
	int				 initial_state;
	/* Called once the socket is bound; returns data or NULL to fail. */
	void	*(*init)(struct msg_loop *, struct msg_statem *, void *arg);
	void	 (*terminate)(void *data, int state);
};
int		 msg_statem_main(const struct msg_statem_actor *, void *arg);

/* --- event manager behaviour (event.c): see msg_event(3) --- */

/*
 * Event manager behaviour (gen_event): the server's prefix publish and
 * subscribe, plus publishing with acknowledgement (call "sync_publish":
 * answered once the event is in every matching subscriber's socket) and
 * per-subscriber counts (call "stats"). See msg_event(3).
 */
struct msg_event;

struct msg_event_ops {
	/* Calls other than "sync_publish" and "stats"; NULL: ERROR 1. */
	void	(*handle_call)(void *state, struct msg_call *,
		    const struct msg_message *);
	void	(*handle_cast)(void *state, struct msg_peer *,
		    const struct msg_message *);
	/* Each event a client publishes, plain or sync, before the
	 * fan-out: return 0 to relay it, -1 to drop it. NULL relays all. */
	int	(*handle_event)(void *state, struct msg_peer *,
		    const struct msg_message *);
	void	(*peer_up)(void *state, struct msg_peer *);
	void	(*peer_down)(void *state, struct msg_peer *);
};

struct msg_event *msg_event_new(struct msg_loop *, const char *name,
		    const struct msg_event_ops *, void *state,
		    const struct msg_server_opts *);
void		 msg_event_free(struct msg_event *);
void		 msg_event_set_state(struct msg_event *, void *state);
struct msg_server *msg_event_server(struct msg_event *);
/* Publish from the manager itself (fire and forget); subscribers queued. */
int		 msg_event_notify(struct msg_event *, const char *topic,
		    uint16_t flags, const void *, size_t);
/* Write what is queued, as msg_server_flush(); events go out once per
 * loop turn, and this sends this turn's first. */
int		 msg_event_flush(struct msg_event *, int timeout_ms);
uint64_t	 msg_peer_delivered(const struct msg_peer *);

/* The whole life of an event manager actor, as msg_actor_main(). */
struct msg_event_actor {
	const char			*name;
	const struct msg_event_ops	*ops;	/* may be NULL */
	/* Called once the socket is bound; returns state or NULL to fail. */
	void	*(*init)(struct msg_loop *, struct msg_event *, void *arg);
	void	 (*terminate)(void *state);
};
int		 msg_event_main(const struct msg_event_actor *, void *arg);

/* Client: publish, and return once the event is in the socket of every
 * subscriber it matched (MSG_OK); see msg_event(3) for the errors. */
int		 msg_publish_sync(struct msg_client *, const char *topic,
		    uint16_t flags, const void *, size_t, int timeout_ms);
/* Queue a plain publish without writing it; msg_flush() or the next
 * write sends it (as msg_cast_more()). */
int		 msg_publish_more(struct msg_client *, const char *topic,
		    uint16_t flags, const void *, size_t);

#ifdef JANSSON_H
/* [{"pid":P,"prefixes":[...],"delivered":N,"dropped":N,"queued":B},...] */
json_t		*msg_event_stats(struct msg_event *);
#endif

#ifdef __cplusplus
}
#endif
#endif /* MSG_H */
