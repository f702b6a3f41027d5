/*
 * test_frame.c: wire protocol v1 framing without sockets: the header's
 * bytes, HELLO, the incremental decoder, tags, names and byte buffers.
 */
#include <sys/socket.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>	/* before msg.h: compiles its jansson helpers too */

#include "msg.h"
#include "msg-int.h"

/* Every public macro must at least compile, in C and in #if. */
#if MSG_PROTOCOL_VERSION != 1
#error "MSG_PROTOCOL_VERSION is not 1"
#endif
#if MSG_NAME_MAX != 64
#error "MSG_NAME_MAX is not 64"
#endif
#if MSG_MAX_PAYLOAD_DEFAULT != 16777216
#error "MSG_MAX_PAYLOAD_DEFAULT is not 16 MiB"
#endif
#if MSG_F_JSON != 1
#error "MSG_F_JSON is not bit 0"
#endif
#if (MSG_EV_READ | MSG_EV_WRITE | MSG_EV_ERROR) != 7
#error "MSG_EV_* are not three distinct bits"
#endif
#if MSG_HDR_LEN != 16 || MSG_HELLO_LEN != 8
#error "header or HELLO length wrong"
#endif

/* Build one frame's bytes (header + payload) into a fresh buffer. */
static size_t
frame(unsigned char *out, size_t size, uint16_t kind, uint16_t flags,
    uint32_t tag, uint32_t id, const char *topic, const void *data,
    size_t len)
{
	struct msg__buf b = { 0 };
	size_t n;

	assert_int_equal(msg__frame_append(&b, kind, flags, tag, id, topic,
	    topic ? strlen(topic) : 0, data, len), 0);
	n = msg__buf_used(&b);
	assert_true(n <= size);
	memcpy(out, b.data + b.off, n);
	msg__buf_free(&b);
	return n;
}

static void
raw_header(unsigned char out[MSG_HDR_LEN], uint32_t len, uint16_t kind)
{
	struct msg__hdr h = { .len = len, .kind = kind };

	msg__hdr_encode(out, &h);
}

/* --- public macros and constants --- */

static void
test_public_macros(void **state)
{
	unsigned ev = MSG_EV_READ | MSG_EV_WRITE | MSG_EV_ERROR;
	uint16_t flags = MSG_F_JSON;
	size_t maxp = MSG_MAX_PAYLOAD_DEFAULT;
	char name[MSG_NAME_MAX + 1];
	enum msg_kind kinds[] = { MSG_HELLO, MSG_CALL, MSG_CAST, MSG_REPLY,
	    MSG_ERROR, MSG_EVENT, MSG_SUBSCRIBE, MSG_UNSUBSCRIBE };
	enum msg_errcode codes[] = { MSG_ERR_UNKNOWN_TAG, MSG_ERR_BAD_REQUEST,
	    MSG_ERR_SERVER, MSG_ERR_OVERLOADED };
	enum msg_status st[] = { MSG_FAIL, MSG_OK, MSG_ERROR_REPLY,
	    MSG_TIMEOUT, MSG_DOWN };
	size_t i;

	assert_int_equal(MSG_PROTOCOL_VERSION, 1);
	assert_int_equal(sizeof(name), 65);
	assert_int_equal(maxp, 16u * 1024 * 1024);
	/* Unsigned: no overflow or sign surprise in size arithmetic. */
	assert_true(MSG_MAX_PAYLOAD_DEFAULT + 1 > MSG_MAX_PAYLOAD_DEFAULT);
	assert_true(MSG_MAX_PAYLOAD_DEFAULT > 0);
	assert_int_equal(flags, 1);
	assert_int_equal(MSG_EV_READ & MSG_EV_WRITE, 0);
	assert_int_equal(MSG_EV_READ & MSG_EV_ERROR, 0);
	assert_int_equal(MSG_EV_WRITE & MSG_EV_ERROR, 0);
	assert_int_equal(ev, 7);
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		assert_int_equal(kinds[i], i + 1);
	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		assert_int_equal(codes[i], i + 1);
	for (i = 0; i < sizeof(st) / sizeof(st[0]); i++)
		assert_int_equal(st[i], (int)i - 1);
	assert_int_equal(MSG_HDR_LEN, 16);
	assert_int_equal(MSG_HELLO_LEN, 8);
	assert_true(MSG_READ_CHUNK >= MSG_HDR_LEN);
	/* The jansson helpers are declared once jansson.h is in. */
	assert_non_null((void *)msg_reply_json);
	assert_non_null((void *)msg_call_json);
	assert_non_null((void *)msg_json);
}

static void
test_strings(void **state)
{
	assert_string_equal(msg_strerror(MSG_OK), "ok");
	assert_string_equal(msg_strerror(MSG_ERROR_REPLY), "error reply");
	assert_string_equal(msg_strerror(MSG_TIMEOUT), "timed out");
	assert_string_equal(msg_strerror(MSG_DOWN), "server down");
	errno = ENOENT;
	assert_string_equal(msg_strerror(MSG_FAIL), strerror(ENOENT));
	assert_non_null(msg_strerror(42));
	assert_string_equal(msg_errcode_name(MSG_ERR_UNKNOWN_TAG),
	    "unknown tag");
	assert_string_equal(msg_errcode_name(MSG_ERR_BAD_REQUEST),
	    "bad request");
	assert_string_equal(msg_errcode_name(MSG_ERR_SERVER), "server error");
	assert_string_equal(msg_errcode_name(MSG_ERR_OVERLOADED), "overloaded");
	assert_non_null(msg_errcode_name(0));
	assert_non_null(msg_errcode_name(99));
	assert_non_null(msg__perr_str(PERR_NONE));
	assert_non_null(msg__perr_str(PERR_KIND));
	assert_non_null(msg__perr_str(PERR_OVERSIZE));
	assert_non_null(msg__perr_str(PERR_HELLO));
	assert_non_null(msg__perr_str(PERR_TOPIC));
	assert_non_null(msg__perr_str(PERR_DIRECTION));
	assert_string_not_equal(msg__perr_str(PERR_KIND),
	    msg__perr_str(PERR_OVERSIZE));
}

/* --- header --- */

static void
test_hdr_bytes(void **state)
{
	static const unsigned char want[MSG_HDR_LEN] = {
		0x01, 0x02, 0x03, 0x04,		/* len */
		0x05, 0x06,			/* kind */
		0x07, 0x08,			/* flags */
		0x09, 0x0a, 0x0b, 0x0c,		/* tag */
		0x0d, 0x0e, 0x0f, 0x10		/* id */
	};
	struct msg__hdr h = {
		.len = 0x04030201, .kind = 0x0605, .flags = 0x0807,
		.tag = 0x0c0b0a09, .id = 0x100f0e0d
	}, d;
	unsigned char out[MSG_HDR_LEN];

	memset(out, 0xee, sizeof(out));
	msg__hdr_encode(out, &h);
	assert_memory_equal(out, want, sizeof(want));
	memset(&d, 0, sizeof(d));
	msg__hdr_decode(want, &d);
	assert_int_equal(d.len, 0x04030201);
	assert_int_equal(d.kind, 0x0605);
	assert_int_equal(d.flags, 0x0807);
	assert_int_equal(d.tag, 0x0c0b0a09);
	assert_int_equal(d.id, 0x100f0e0d);
}

/* Each field alone lands in its own bytes, little-endian, and nowhere else. */
static void
test_hdr_fields(void **state)
{
	static const struct {
		struct msg__hdr	h;
		size_t		off, width;
		uint32_t	value;
	} c[] = {
		{ { .len = 0xdeadbeef }, 0, 4, 0xdeadbeef },
		{ { .kind = 0xbeef }, 4, 2, 0xbeef },
		{ { .flags = 0x8001 }, 6, 2, 0x8001 },
		{ { .tag = 0x811c9dc5 }, 8, 4, 0x811c9dc5 },
		{ { .id = 0xfffffffe }, 12, 4, 0xfffffffe },
		{ { .len = 1 }, 0, 4, 1 },
		{ { .id = 0x100 }, 12, 4, 0x100 },
	};
	unsigned char out[MSG_HDR_LEN];
	struct msg__hdr d;
	size_t i, j;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		msg__hdr_encode(out, &c[i].h);
		for (j = 0; j < MSG_HDR_LEN; j++) {
			unsigned want = 0;

			if (j >= c[i].off && j < c[i].off + c[i].width)
				want = (c[i].value >> (8 * (j - c[i].off))) &
				    0xff;
			assert_int_equal(out[j], want);
		}
		msg__hdr_decode(out, &d);
		assert_memory_equal(&d, &c[i].h, sizeof(d));
	}
	/* All ones round-trip. */
	memset(out, 0xff, sizeof(out));
	msg__hdr_decode(out, &d);
	assert_int_equal(d.len, 0xffffffffu);
	assert_int_equal(d.kind, 0xffff);
	assert_int_equal(d.flags, 0xffff);
	assert_int_equal(d.tag, 0xffffffffu);
	assert_int_equal(d.id, 0xffffffffu);
}

/* --- HELLO --- */

static void
test_hello(void **state)
{
	static const unsigned char want[MSG_HELLO_LEN] = {
		'L', 'M', 'S', 'G', 0x01, 0x00, 0x00, 0x00
	};
	unsigned char p[MSG_HELLO_LEN + 1];

	memset(p, 0xee, sizeof(p));
	msg__hello_payload(p);
	assert_memory_equal(p, want, MSG_HELLO_LEN);
	assert_int_equal(p[MSG_HELLO_LEN], 0xee);	/* wrote 8 bytes only */
	assert_int_equal(msg__hello_check(want, sizeof(want)), 0);

	memcpy(p, want, sizeof(want));
	p[3] = 'X';					/* bad magic */
	assert_int_equal(msg__hello_check(p, MSG_HELLO_LEN), -1);
	memcpy(p, want, sizeof(want));
	p[0] = 'l';
	assert_int_equal(msg__hello_check(p, MSG_HELLO_LEN), -1);
	memcpy(p, want, sizeof(want));
	p[4] = 2;					/* version 2 */
	assert_int_equal(msg__hello_check(p, MSG_HELLO_LEN), -1);
	p[4] = 0;					/* version 0 */
	assert_int_equal(msg__hello_check(p, MSG_HELLO_LEN), -1);
	p[4] = 1;
	p[5] = 1;					/* version 257 */
	assert_int_equal(msg__hello_check(p, MSG_HELLO_LEN), -1);
	memcpy(p, want, sizeof(want));
	p[MSG_HELLO_LEN] = 0;				/* wrong lengths */
	assert_int_equal(msg__hello_check(p, MSG_HELLO_LEN - 1), -1);
	assert_int_equal(msg__hello_check(p, MSG_HELLO_LEN + 1), -1);
	assert_int_equal(msg__hello_check(p, 4), -1);
	assert_int_equal(msg__hello_check(p, 0), -1);
}

/* --- the incremental decoder --- */

static void
test_parse_byte_by_byte(void **state)
{
	unsigned char buf[256];
	struct msg_message m;
	enum msg__perr perr;
	size_t n, i, used;

	n = frame(buf, sizeof(buf), MSG_CALL, MSG_F_JSON, 0xa1b2c3d4, 77,
	    NULL, "{\"x\":1}", 7);
	assert_int_equal(n, MSG_HDR_LEN + 7);
	/* The header on the wire, byte by byte. */
	assert_int_equal(buf[0], 7);
	assert_int_equal(buf[1] | buf[2] | buf[3], 0);
	assert_int_equal(buf[4], MSG_CALL);
	assert_int_equal(buf[5], 0);
	assert_int_equal(buf[6], 1);
	assert_int_equal(buf[7], 0);
	assert_int_equal(buf[8], 0xd4);
	assert_int_equal(buf[11], 0xa1);
	assert_int_equal(buf[12], 77);
	for (i = 0; i < n; i++) {
		used = 12345;
		assert_int_equal(msg__parse(buf, i, 1024, &m, &used, &perr), 0);
		assert_int_equal(perr, PERR_NONE);
		assert_int_equal(used, 12345);		/* untouched */
	}
	assert_int_equal(msg__parse(buf, n, 1024, &m, &used, &perr), 1);
	assert_int_equal(used, n);
	assert_int_equal(m.kind, MSG_CALL);
	assert_int_equal(m.flags, MSG_F_JSON);
	assert_int_equal(m.tag, 0xa1b2c3d4);
	assert_int_equal(m.id, 77);
	assert_int_equal(m.len, 7);
	assert_memory_equal(m.data, "{\"x\":1}", 7);
	assert_ptr_equal(m.data, buf + MSG_HDR_LEN);	/* no copy */
	assert_null(m.topic);
	assert_int_equal(m.topic_len, 0);
}

static void
test_parse_event_byte_by_byte(void **state)
{
	unsigned char buf[256];
	struct msg_message m;
	enum msg__perr perr;
	size_t n, i, used;

	n = frame(buf, sizeof(buf), MSG_EVENT, 0, 0, 0, "news.x", "hello", 5);
	assert_int_equal(n, MSG_HDR_LEN + 2 + 6 + 5);
	assert_int_equal(buf[0], 13);
	assert_int_equal(buf[MSG_HDR_LEN], 6);		/* u16 topic length */
	assert_int_equal(buf[MSG_HDR_LEN + 1], 0);
	assert_memory_equal(buf + MSG_HDR_LEN + 2, "news.x", 6);
	for (i = 0; i < n; i++)
		assert_int_equal(msg__parse(buf, i, 1024, &m, &used, &perr), 0);
	assert_int_equal(msg__parse(buf, n, 1024, &m, &used, &perr), 1);
	assert_int_equal(used, n);
	assert_int_equal(m.kind, MSG_EVENT);
	assert_int_equal(m.topic_len, 6);
	assert_memory_equal(m.topic, "news.x", 6);
	assert_int_equal(m.len, 5);
	assert_memory_equal(m.data, "hello", 5);

	/* Empty topic, empty data. */
	n = frame(buf, sizeof(buf), MSG_EVENT, 0, 0, 0, "", NULL, 0);
	assert_int_equal(n, MSG_HDR_LEN + 2);
	assert_int_equal(msg__parse(buf, n, 1024, &m, &used, &perr), 1);
	assert_int_equal(m.topic_len, 0);
	assert_int_equal(m.len, 0);
}

static void
test_parse_subscribe(void **state)
{
	unsigned char buf[64];
	struct msg_message m;
	enum msg__perr perr;
	size_t n, used;

	n = frame(buf, sizeof(buf), MSG_SUBSCRIBE, 0, 0, 0, NULL, "a.b", 3);
	assert_int_equal(msg__parse(buf, n, 1024, &m, &used, &perr), 1);
	assert_int_equal(m.kind, MSG_SUBSCRIBE);
	assert_int_equal(m.topic_len, 3);
	assert_memory_equal(m.topic, "a.b", 3);
	n = frame(buf, sizeof(buf), MSG_UNSUBSCRIBE, 0, 0, 0, NULL, NULL, 0);
	assert_int_equal(msg__parse(buf, n, 1024, &m, &used, &perr), 1);
	assert_int_equal(m.kind, MSG_UNSUBSCRIBE);
	assert_int_equal(m.topic_len, 0);	/* the empty prefix */
}

static void
test_parse_back_to_back(void **state)
{
	unsigned char buf[512];
	struct msg_message m;
	enum msg__perr perr;
	size_t n = 0, off = 0, used;
	unsigned char hello[MSG_HELLO_LEN];

	msg__hello_payload(hello);
	n += frame(buf + n, sizeof(buf) - n, MSG_HELLO, 0, 0, 0, NULL, hello,
	    sizeof(hello));
	n += frame(buf + n, sizeof(buf) - n, MSG_CAST, 0, 11, 0, NULL, "", 0);
	n += frame(buf + n, sizeof(buf) - n, MSG_CALL, 0, 22, 1, NULL, "ab", 2);
	n += frame(buf + n, sizeof(buf) - n, MSG_EVENT, 0, 0, 0, "t", "d", 1);
	n += frame(buf + n, sizeof(buf) - n, MSG_REPLY, 0, 0, 1, NULL, "xyz", 3);

	assert_int_equal(msg__parse(buf, n, 1024, &m, &used, &perr), 1);
	assert_int_equal(m.kind, MSG_HELLO);
	assert_int_equal(msg__hello_check(m.data, m.len), 0);
	off += used;
	assert_int_equal(msg__parse(buf + off, n - off, 1024, &m, &used,
	    &perr), 1);
	assert_int_equal(m.kind, MSG_CAST);
	assert_int_equal(m.tag, 11);
	assert_int_equal(m.len, 0);
	off += used;
	assert_int_equal(msg__parse(buf + off, n - off, 1024, &m, &used,
	    &perr), 1);
	assert_int_equal(m.kind, MSG_CALL);
	assert_int_equal(m.tag, 22);
	assert_int_equal(m.id, 1);
	assert_memory_equal(m.data, "ab", 2);
	off += used;
	assert_int_equal(msg__parse(buf + off, n - off, 1024, &m, &used,
	    &perr), 1);
	assert_int_equal(m.kind, MSG_EVENT);
	assert_memory_equal(m.topic, "t", 1);
	assert_memory_equal(m.data, "d", 1);
	off += used;
	/* The last frame less one byte is not a frame yet. */
	assert_int_equal(msg__parse(buf + off, n - off - 1, 1024, &m, &used,
	    &perr), 0);
	assert_int_equal(msg__parse(buf + off, n - off, 1024, &m, &used,
	    &perr), 1);
	assert_int_equal(m.kind, MSG_REPLY);
	assert_memory_equal(m.data, "xyz", 3);
	off += used;
	assert_int_equal(off, n);
	assert_int_equal(msg__parse(buf + off, 0, 1024, &m, &used, &perr), 0);
}

/* The length is refused from the header alone, before any payload. */
static void
test_parse_oversize(void **state)
{
	unsigned char h[MSG_HDR_LEN];
	struct msg_message m;
	enum msg__perr perr;
	size_t used;

	raw_header(h, 101, MSG_CALL);
	assert_int_equal(msg__parse(h, sizeof(h), 100, &m, &used, &perr), -1);
	assert_int_equal(perr, PERR_OVERSIZE);
	raw_header(h, 100, MSG_CALL);		/* at the limit: wait for it */
	assert_int_equal(msg__parse(h, sizeof(h), 100, &m, &used, &perr), 0);
	assert_int_equal(perr, PERR_NONE);

	raw_header(h, MSG_MAX_PAYLOAD_DEFAULT + 1, MSG_CAST);
	assert_int_equal(msg__parse(h, sizeof(h), MSG_MAX_PAYLOAD_DEFAULT, &m,
	    &used, &perr), -1);
	assert_int_equal(perr, PERR_OVERSIZE);
	raw_header(h, 0xffffffffu, MSG_EVENT);
	assert_int_equal(msg__parse(h, sizeof(h), MSG_MAX_PAYLOAD_DEFAULT, &m,
	    &used, &perr), -1);
	assert_int_equal(perr, PERR_OVERSIZE);
	raw_header(h, MSG_MAX_PAYLOAD_DEFAULT, MSG_CAST);
	assert_int_equal(msg__parse(h, sizeof(h), MSG_MAX_PAYLOAD_DEFAULT, &m,
	    &used, &perr), 0);
	/* Fewer than 16 bytes: nothing is judged yet. */
	raw_header(h, 0xffffffffu, MSG_CALL);
	assert_int_equal(msg__parse(h, MSG_HDR_LEN - 1, 100, &m, &used,
	    &perr), 0);
}

static void
test_parse_bad_kind(void **state)
{
	static const uint16_t bad[] = { 0, 9, 10, 0x100, 0x8001, 0xffff };
	unsigned char h[MSG_HDR_LEN];
	struct msg_message m;
	enum msg__perr perr;
	size_t i, used;
	uint16_t k;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		raw_header(h, 0, bad[i]);
		assert_int_equal(msg__parse(h, sizeof(h), 100, &m, &used,
		    &perr), -1);
		assert_int_equal(perr, PERR_KIND);
		/* Judged on the header alone, even with a payload to come. */
		raw_header(h, 50, bad[i]);
		assert_int_equal(msg__parse(h, sizeof(h), 100, &m, &used,
		    &perr), -1);
		assert_int_equal(perr, PERR_KIND);
	}
	for (k = MSG_HELLO; k <= MSG_UNSUBSCRIBE; k++) {
		if (k == MSG_EVENT)
			continue;		/* needs its topic length */
		raw_header(h, 0, k);
		assert_int_equal(msg__parse(h, sizeof(h), 100, &m, &used,
		    &perr), 1);
		assert_int_equal(m.kind, k);
		assert_int_equal(used, MSG_HDR_LEN);
	}
}

static void
test_parse_event_topic(void **state)
{
	unsigned char b[MSG_HDR_LEN + 8];
	struct msg_message m;
	enum msg__perr perr;
	size_t used;

	/* Payload 5: topic length 4 needs 2 + 4 = 6 bytes. */
	raw_header(b, 5, MSG_EVENT);
	b[16] = 4;
	b[17] = 0;
	memcpy(b + 18, "abc", 3);
	assert_int_equal(msg__parse(b, MSG_HDR_LEN + 5, 100, &m, &used,
	    &perr), -1);
	assert_int_equal(perr, PERR_TOPIC);
	/* Topic length 3 fits exactly, with no data. */
	b[16] = 3;
	assert_int_equal(msg__parse(b, MSG_HDR_LEN + 5, 100, &m, &used,
	    &perr), 1);
	assert_int_equal(m.topic_len, 3);
	assert_int_equal(m.len, 0);
	/* A huge topic length in the high byte. */
	b[16] = 0;
	b[17] = 1;
	assert_int_equal(msg__parse(b, MSG_HDR_LEN + 5, 100, &m, &used,
	    &perr), -1);
	assert_int_equal(perr, PERR_TOPIC);
	/* No room for the topic length at all. */
	raw_header(b, 0, MSG_EVENT);
	assert_int_equal(msg__parse(b, MSG_HDR_LEN, 100, &m, &used, &perr), -1);
	assert_int_equal(perr, PERR_TOPIC);
	raw_header(b, 1, MSG_EVENT);
	b[16] = 0;
	assert_int_equal(msg__parse(b, MSG_HDR_LEN + 1, 100, &m, &used,
	    &perr), -1);
	assert_int_equal(perr, PERR_TOPIC);
}

/* --- frame encoding --- */

static void
test_frame_append(void **state)
{
	struct msg__buf b = { 0 };
	char big[70000];

	assert_int_equal(msg__frame_append(&b, MSG_EVENT, MSG_F_JSON, 0, 0,
	    "ab", 2, "1", 1), 0);
	assert_int_equal(msg__buf_used(&b), MSG_HDR_LEN + 2 + 2 + 1);
	assert_int_equal(b.data[0], 5);
	assert_int_equal(b.data[4], MSG_EVENT);
	assert_int_equal(b.data[6], MSG_F_JSON);
	assert_int_equal(b.data[16], 2);
	assert_memory_equal(b.data + 18, "ab1", 3);
	/* Appends, does not replace. */
	assert_int_equal(msg__frame_append(&b, MSG_CAST, 0, 7, 0, NULL, 0,
	    NULL, 0), 0);
	assert_int_equal(msg__buf_used(&b), 2 * MSG_HDR_LEN + 5);
	msg__buf_free(&b);

	/* A topic longer than its u16 length field is refused. */
	memset(big, 'x', sizeof(big));
	errno = 0;
	assert_int_equal(msg__frame_append(&b, MSG_EVENT, 0, 0, 0, big,
	    65536, NULL, 0), -1);
	assert_int_equal(errno, EMSGSIZE);
	assert_int_equal(msg__buf_used(&b), 0);
	assert_int_equal(msg__frame_append(&b, MSG_EVENT, 0, 0, 0, big,
	    65535, NULL, 0), 0);
	assert_int_equal(msg__buf_used(&b), MSG_HDR_LEN + 2 + 65535);
	assert_int_equal(b.data[16], 0xff);
	assert_int_equal(b.data[17], 0xff);
	msg__buf_free(&b);
}

/* --- tags and names --- */

static uint32_t
fnv1a(const char *s)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

static void
test_tag(void **state)
{
	assert_int_equal(msg_tag(""), 0x811c9dc5u);
	assert_int_equal(msg_tag("a"), 0xe40c292cu);
	assert_int_equal(msg_tag("foobar"), 0xbf9cf968u);
	/* "increment" by hand (python: FNV-1a 32) and by a local copy. */
	assert_int_equal(msg_tag("increment"), 0x3812e73eu);
	assert_int_equal(msg_tag("increment"), fnv1a("increment"));
	assert_int_equal(msg_tag("get"), 0x540ca757u);
	assert_int_equal(msg_tag("echo"), 0xd49dd484u);
	/* Bytes, not chars: high-bit UTF-8 must not sign-extend. */
	assert_int_equal(msg_tag("\xc3\xa9t\xc3\xa9"), fnv1a("\xc3\xa9t\xc3\xa9"));
	assert_int_not_equal(msg_tag("ab"), msg_tag("ba"));
}

static void
test_name_valid(void **state)
{
	char name[MSG_NAME_MAX + 2];

	assert_true(msg_name_valid("a"));
	assert_true(msg_name_valid("counter"));
	assert_true(msg_name_valid("AZaz09_.-"));
	assert_true(msg_name_valid("db-1.replica_2"));
	assert_true(msg_name_valid("."));	/* [A-Za-z0-9_.-]{1,64} */
	memset(name, 'n', MSG_NAME_MAX);
	name[MSG_NAME_MAX] = '\0';
	assert_true(msg_name_valid(name));	/* 64: the longest */
	name[MSG_NAME_MAX] = 'n';
	name[MSG_NAME_MAX + 1] = '\0';
	assert_false(msg_name_valid(name));	/* 65 */

	assert_false(msg_name_valid(NULL));
	assert_false(msg_name_valid(""));
	assert_false(msg_name_valid("a/b"));
	assert_false(msg_name_valid("/abs"));
	assert_false(msg_name_valid("a b"));
	assert_false(msg_name_valid("tab\t"));
	assert_false(msg_name_valid("new\nline"));
	assert_false(msg_name_valid("colon:"));
	assert_false(msg_name_valid("star*"));
	assert_false(msg_name_valid("caf\xc3\xa9"));
	assert_false(msg_name_valid("\x7f"));
}

/* --- byte buffers --- */

static void
test_buf(void **state)
{
	struct msg__buf b = { 0 };
	unsigned char big[1000];
	size_t i;

	assert_int_equal(msg__buf_used(&b), 0);
	assert_int_equal(msg__buf_append(&b, NULL, 0), 0);
	assert_int_equal(msg__buf_used(&b), 0);

	assert_int_equal(msg__buf_append(&b, "hello", 5), 0);
	assert_non_null(b.data);
	assert_int_equal(msg__buf_used(&b), 5);
	assert_int_equal(msg__buf_append(&b, " world", 6), 0);
	assert_int_equal(msg__buf_used(&b), 11);
	assert_memory_equal(b.data + b.off, "hello world", 11);

	msg__buf_consume(&b, 6);
	assert_int_equal(msg__buf_used(&b), 5);
	assert_memory_equal(b.data + b.off, "world", 5);
	assert_non_null(b.data);

	/* Growth keeps the unconsumed bytes, in order. */
	for (i = 0; i < sizeof(big); i++)
		big[i] = (unsigned char)i;
	assert_int_equal(msg__buf_append(&b, big, sizeof(big)), 0);
	assert_int_equal(msg__buf_used(&b), 5 + sizeof(big));
	assert_true(b.cap >= b.len);
	assert_memory_equal(b.data + b.off, "world", 5);
	assert_memory_equal(b.data + b.off + 5, big, sizeof(big));

	/* Drained: the storage goes. */
	msg__buf_consume(&b, 5 + sizeof(big));
	assert_int_equal(msg__buf_used(&b), 0);
	assert_null(b.data);
	assert_int_equal(b.cap, 0);
	assert_int_equal(b.off, 0);
	assert_int_equal(b.len, 0);

	/* Reserve slides live bytes down instead of growing. */
	assert_int_equal(msg__buf_append(&b, big, 200), 0);
	msg__buf_consume(&b, 150);
	i = b.cap;
	assert_int_equal(msg__buf_reserve(&b, b.cap - 50), 0);
	assert_int_equal(b.cap, i);
	assert_int_equal(b.off, 0);
	assert_int_equal(msg__buf_used(&b), 50);
	assert_memory_equal(b.data, big + 150, 50);
	assert_true(b.cap - b.len >= i - 50);

	/* Over-consuming drains too. */
	msg__buf_consume(&b, 1000);
	assert_null(b.data);
	msg__buf_free(&b);
	msg__buf_free(&b);		/* twice is harmless */
	assert_null(b.data);
}

static void
test_buf_write(void **state)
{
	struct msg__buf b = { 0 };
	unsigned char chunk[4096], got[64];
	int sv[2];
	size_t total = 0;
	int r;

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(msg__buf_write(sv[0], &b), 1);		/* empty */
	assert_int_equal(msg__buf_append(&b, "abc", 3), 0);
	assert_int_equal(msg__buf_write(sv[0], &b), 1);
	assert_null(b.data);					/* drained */
	assert_int_equal(read(sv[1], got, sizeof(got)), 3);
	assert_memory_equal(got, "abc", 3);

	/* More than the socket takes: partial, the rest stays queued. */
	memset(chunk, 'z', sizeof(chunk));
	while (total < (8u << 20)) {
		assert_int_equal(msg__buf_append(&b, chunk, sizeof(chunk)), 0);
		total += sizeof(chunk);
	}
	r = msg__buf_write(sv[0], &b);
	assert_int_equal(r, 0);
	assert_true(msg__buf_used(&b) > 0);
	assert_true(msg__buf_used(&b) < total);

	/* Peer gone: an error, not SIGPIPE. */
	close(sv[1]);
	assert_int_equal(msg__buf_write(sv[0], &b), -1);
	assert_true(errno == EPIPE || errno == ECONNRESET);
	msg__buf_free(&b);
	close(sv[0]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_public_macros),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_hdr_bytes),
		cmocka_unit_test(test_hdr_fields),
		cmocka_unit_test(test_hello),
		cmocka_unit_test(test_parse_byte_by_byte),
		cmocka_unit_test(test_parse_event_byte_by_byte),
		cmocka_unit_test(test_parse_subscribe),
		cmocka_unit_test(test_parse_back_to_back),
		cmocka_unit_test(test_parse_oversize),
		cmocka_unit_test(test_parse_bad_kind),
		cmocka_unit_test(test_parse_event_topic),
		cmocka_unit_test(test_frame_append),
		cmocka_unit_test(test_tag),
		cmocka_unit_test(test_name_valid),
		cmocka_unit_test(test_buf),
		cmocka_unit_test(test_buf_write),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
