/*
 * msg-int.h: libmsg internals shared between its files and its unit tests;
 * never installed. Library-internal names carry the msg__ prefix.
 */
#ifndef MSG_INT_H
#define MSG_INT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "msg.h"

#define MSG_HDR_LEN	16
#define MSG_HELLO_LEN	8
#define MSG_READ_CHUNK	65536

/* The decoded fixed header of a frame. */
struct msg__hdr {
	uint32_t	len;
	uint16_t	kind;
	uint16_t	flags;
	uint32_t	tag;
	uint32_t	id;
};

/* Little-endian, as everything on the wire. */
void	msg__put16(unsigned char *, uint16_t);
uint16_t msg__get16(const unsigned char *);

/* A "sync_publish" call's payload (msg_event(3), Wire format): u16 flags,
 * u16 topic length, then the topic and the data. */
#define MSG_SYNC_HDR_LEN	4

void	msg__hdr_encode(unsigned char out[MSG_HDR_LEN], const struct msg__hdr *);
void	msg__hdr_decode(const unsigned char in[MSG_HDR_LEN], struct msg__hdr *);
void	msg__hello_payload(unsigned char out[MSG_HELLO_LEN]);
int	msg__hello_check(const void *payload, size_t len);

/* Why a frame broke the protocol (see msg__parse). */
enum msg__perr {
	PERR_NONE = 0,
	PERR_KIND,		/* unknown kind */
	PERR_OVERSIZE,		/* len over the receiver's limit */
	PERR_HELLO,		/* bad or missing HELLO */
	PERR_TOPIC,		/* EVENT topic length beyond its payload */
	PERR_DIRECTION		/* a frame this side must never receive */
};
const char *msg__perr_str(enum msg__perr);

/*
 * Incremental frame decoder: feeds on bytes, yields whole frames.
 * Returns 1 and fills *m when a frame is complete (consuming *used
 * bytes), 0 when more bytes are needed, -1 on a protocol error (*perr).
 */
int	msg__parse(const unsigned char *buf, size_t avail, size_t max_payload,
	    struct msg_message *m, size_t *used, enum msg__perr *perr);

/* Growable byte buffer; storage is freed whenever it drains. */
struct msg__buf {
	unsigned char	*data;
	size_t		 off;		/* first unconsumed byte */
	size_t		 len;		/* end of valid bytes */
	size_t		 cap;
	size_t		*acct;		/* if set, cap is counted there */
};

int	msg__buf_reserve(struct msg__buf *, size_t more);
int	msg__buf_append(struct msg__buf *, const void *, size_t);
void	msg__buf_consume(struct msg__buf *, size_t);
void	msg__buf_free(struct msg__buf *);
size_t	msg__buf_used(const struct msg__buf *);

/* Encode a frame into buf; for EVENT, topic is prepended to the payload. */
int	msg__frame_append(struct msg__buf *, uint16_t kind, uint16_t flags,
	    uint32_t tag, uint32_t id, const char *topic, size_t topic_len,
	    const void *data, size_t len);

/* Write as much of buf as the socket takes; 1 drained, 0 partial, -1 error. */
int	msg__buf_write(int fd, struct msg__buf *);

/* Log through the application's hook. */
void	msg__log(int prio, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* Loop hook run once per turn, before sleeping (output batching). */
typedef void	msg__flush_fn(void *arg);
int	msg__loop_defer(struct msg_loop *, msg__flush_fn *, void *arg);
void	msg__loop_undefer(struct msg_loop *, void *arg);

/* What every actor main shares (actor.c): the loop, which stops on
 * SIGTERM and SIGINT or calls fn, and READY=1. */
struct msg_loop *msg__actor_loop(void);
struct msg_loop *msg__actor_loop_with(msg_signal_fn *fn, void *arg);
void	msg__actor_ready(const char *name);

/* Monotonic clock in ms. */
uint64_t msg__now_ms(void);

/* A server accepts on this socket path (listen.c). */
int	msg__sock_live(const char *path);

/* Make fd non-blocking and close-on-exec. */
int	msg__set_nonblock(int fd);

#endif /* MSG_INT_H */
