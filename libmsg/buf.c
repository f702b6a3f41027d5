/*
 * buf.c: growable byte buffers for partial reads and queued writes. An
 * idle connection holds no storage: a buffer frees itself when drained.
 */
#include <sys/socket.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "msg-int.h"

size_t
msg__buf_used(const struct msg__buf *b)
{
	return b->len - b->off;
}

int
msg__buf_reserve(struct msg__buf *b, size_t more)
{
	unsigned char *n;
	size_t used = b->len - b->off, cap;

	if (b->cap - b->len >= more)
		return 0;
	if (used > SIZE_MAX - more) {
		errno = ENOMEM;
		return -1;
	}
	/* Slide the live bytes down before growing. */
	if (b->off > 0 && b->cap - used >= more) {
		memmove(b->data, b->data + b->off, used);
		b->off = 0;
		b->len = used;
		return 0;
	}
	cap = b->cap ? b->cap : 256;
	while (cap - used < more)
		cap = cap > SIZE_MAX / 2 ? used + more : cap * 2;
	if ((n = malloc(cap)) == NULL)
		return -1;
	if (used)
		memcpy(n, b->data + b->off, used);
	free(b->data);
	if (b->acct != NULL)
		*b->acct += cap - b->cap;
	b->data = n;
	b->cap = cap;
	b->off = 0;
	b->len = used;
	return 0;
}

int
msg__buf_append(struct msg__buf *b, const void *p, size_t n)
{
	if (msg__buf_reserve(b, n) == -1)
		return -1;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}

void
msg__buf_consume(struct msg__buf *b, size_t n)
{
	b->off += n;
	if (b->off >= b->len)
		msg__buf_free(b);
}

void
msg__buf_free(struct msg__buf *b)
{
	size_t *acct = b->acct;

	free(b->data);
	if (acct != NULL)
		*acct -= b->cap;
	memset(b, 0, sizeof(*b));
	b->acct = acct;
}

int
msg__buf_write(int fd, struct msg__buf *b)
{
	ssize_t n;

	while (b->len > b->off) {
		n = send(fd, b->data + b->off, b->len - b->off,
		    MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			return -1;
		}
		msg__buf_consume(b, (size_t)n);
	}
	return 1;
}
