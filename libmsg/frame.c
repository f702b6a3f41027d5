/*
 * frame.c: wire protocol v1 framing: the 16-byte little-endian header,
 * HELLO, and an incremental decoder that checks every field it reads.
 */
#include <errno.h>
#include <string.h>

#include "msg-int.h"

static const unsigned char hello_magic[4] = { 'L', 'M', 'S', 'G' };

void
msg__put16(unsigned char *p, uint16_t v)
{
	p[0] = v & 0xff;
	p[1] = v >> 8;
}

static void
put32(unsigned char *p, uint32_t v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
	p[2] = (v >> 16) & 0xff;
	p[3] = v >> 24;
}

uint16_t
msg__get16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

void
msg__hdr_encode(unsigned char out[MSG_HDR_LEN], const struct msg__hdr *h)
{
	put32(out, h->len);
	msg__put16(out + 4, h->kind);
	msg__put16(out + 6, h->flags);
	put32(out + 8, h->tag);
	put32(out + 12, h->id);
}

void
msg__hdr_decode(const unsigned char in[MSG_HDR_LEN], struct msg__hdr *h)
{
	h->len = get32(in);
	h->kind = msg__get16(in + 4);
	h->flags = msg__get16(in + 6);
	h->tag = get32(in + 8);
	h->id = get32(in + 12);
}

void
msg__hello_payload(unsigned char out[MSG_HELLO_LEN])
{
	memcpy(out, hello_magic, 4);
	msg__put16(out + 4, MSG_PROTOCOL_VERSION);
	msg__put16(out + 6, 0);
}

int
msg__hello_check(const void *payload, size_t len)
{
	const unsigned char *p = payload;

	if (len != MSG_HELLO_LEN || memcmp(p, hello_magic, 4) != 0)
		return -1;
	return msg__get16(p + 4) == MSG_PROTOCOL_VERSION ? 0 : -1;
}

const char *
msg__perr_str(enum msg__perr e)
{
	switch (e) {
	case PERR_NONE:
		return "no error";
	case PERR_KIND:
		return "unknown frame kind";
	case PERR_OVERSIZE:
		return "payload over the size limit";
	case PERR_HELLO:
		return "bad or missing HELLO";
	case PERR_TOPIC:
		return "EVENT topic length beyond its payload";
	case PERR_DIRECTION:
		return "frame kind not allowed in this direction";
	}
	return "protocol error";
}

int
msg__parse(const unsigned char *buf, size_t avail, size_t max_payload,
    struct msg_message *m, size_t *used, enum msg__perr *perr)
{
	struct msg__hdr h;
	uint16_t tlen;

	*perr = PERR_NONE;
	if (avail < MSG_HDR_LEN)
		return 0;
	msg__hdr_decode(buf, &h);
	if (h.kind < MSG_HELLO || h.kind > MSG_UNSUBSCRIBE) {
		*perr = PERR_KIND;
		return -1;
	}
	/* Checked before waiting for the payload: a hostile length must
	 * not make us buffer it. */
	if (h.len > max_payload) {
		*perr = PERR_OVERSIZE;
		return -1;
	}
	if (avail - MSG_HDR_LEN < h.len)
		return 0;
	memset(m, 0, sizeof(*m));
	m->kind = h.kind;
	m->flags = h.flags;
	m->tag = h.tag;
	m->id = h.id;
	m->data = buf + MSG_HDR_LEN;
	m->len = h.len;
	if (h.kind == MSG_EVENT) {
		if (h.len < 2 || (tlen = msg__get16(buf + MSG_HDR_LEN)) > h.len - 2) {
			*perr = PERR_TOPIC;
			return -1;
		}
		m->topic = (const char *)buf + MSG_HDR_LEN + 2;
		m->topic_len = tlen;
		m->data = buf + MSG_HDR_LEN + 2 + tlen;
		m->len = h.len - 2 - tlen;
	} else if (h.kind == MSG_SUBSCRIBE || h.kind == MSG_UNSUBSCRIBE) {
		m->topic = (const char *)buf + MSG_HDR_LEN;
		m->topic_len = h.len;
	}
	*used = MSG_HDR_LEN + h.len;
	return 1;
}

int
msg__frame_append(struct msg__buf *b, uint16_t kind, uint16_t flags,
    uint32_t tag, uint32_t id, const char *topic, size_t topic_len,
    const void *data, size_t len)
{
	struct msg__hdr h;
	unsigned char *p;
	size_t extra = kind == MSG_EVENT ? 2 + topic_len : 0;

	if (topic_len > UINT16_MAX || len > UINT32_MAX - extra) {
		errno = EMSGSIZE;
		return -1;
	}
	if (msg__buf_reserve(b, MSG_HDR_LEN + extra + len) == -1)
		return -1;
	h.len = (uint32_t)(extra + len);
	h.kind = kind;
	h.flags = flags;
	h.tag = tag;
	h.id = id;
	p = b->data + b->len;
	msg__hdr_encode(p, &h);
	p += MSG_HDR_LEN;
	if (kind == MSG_EVENT) {
		msg__put16(p, (uint16_t)topic_len);
		if (topic_len)
			memcpy(p + 2, topic, topic_len);
		p += extra;
	}
	if (len)
		memcpy(p, data, len);
	b->len += MSG_HDR_LEN + extra + len;
	return 0;
}

uint32_t
msg_tag(const char *name)
{
	const unsigned char *p = (const unsigned char *)name;
	uint32_t h = 2166136261u;

	while (*p) {
		h ^= *p++;
		h *= 16777619u;
	}
	return h;
}

int
msg_name_valid(const char *name)
{
	size_t n;

	if (name == NULL)
		return 0;
	for (n = 0; name[n] != '\0'; n++) {
		if (n >= MSG_NAME_MAX)
			return 0;
		if (!((name[n] >= 'a' && name[n] <= 'z') ||
		    (name[n] >= 'A' && name[n] <= 'Z') ||
		    (name[n] >= '0' && name[n] <= '9') ||
		    name[n] == '_' || name[n] == '.' || name[n] == '-'))
			return 0;
	}
	return n > 0;
}
