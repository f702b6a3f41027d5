/*
 * msg-cli.c: msg(1), a shell's way to talk to actors: call, cast, sub, pub.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <jansson.h>

#include "msg.h"

static int timeout_ms = 5000;

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr,
	    "usage: msg [-t ms] call NAME TAG [PAYLOAD]\n"
	    "       msg [-t ms] cast NAME TAG [PAYLOAD]\n"
	    "       msg [-t ms] sub NAME TOPIC\n"
	    "       msg [-t ms] pub [--sync] NAME TOPIC [DATA]\n");
	exit(EX_USAGE);
}

/* A name, or a number (0x… or decimal) for a raw tag. */
static uint32_t
parse_tag(const char *s)
{
	char *end;
	unsigned long v;

	if (s[0] >= '0' && s[0] <= '9') {
		errno = 0;
		v = strtoul(s, &end, 0);
		if (errno == 0 && *end == '\0' && v <= UINT32_MAX)
			return (uint32_t)v;
	}
	return msg_tag(s);
}

static uint16_t
payload_flags(const char *s)
{
	json_t *v;

	if (s == NULL)
		return 0;
	if ((v = json_loads(s, JSON_DECODE_ANY, NULL)) == NULL)
		return 0;
	json_decref(v);
	return MSG_F_JSON;
}

static void
print_payload(const void *data, size_t len)
{
	json_t *v;
	char *s;

	if (len == 0)
		return;
	v = json_loadb(data, len, JSON_DECODE_ANY, NULL);
	/* 16 digits: 50.697, not 50.697000000000003; and whole microseconds. */
	if (v != NULL && (s = json_dumps(v, JSON_INDENT(2) |
	    JSON_ENCODE_ANY | JSON_REAL_PRECISION(16))) != NULL) {
		printf("%s\n", s);
		free(s);
	} else {
		fwrite(data, 1, len, stdout);
		if (((const char *)data)[len - 1] != '\n')
			putchar('\n');
	}
	json_decref(v);
	fflush(stdout);
}

static struct msg_client *
connect_or_die(const char *name)
{
	struct msg_client *c;
	char path[256];

	if ((c = msg_connect(name, timeout_ms)) != NULL)
		return c;
	if (msg_sock_path(name, path, sizeof(path)) == -1)
		strlcpy(path, name, sizeof(path));
	if (errno == ENOENT || errno == ECONNREFUSED)
		fprintf(stderr, "msg: no actor %s: nothing listens on %s\n",
		    name, path);
	else
		fprintf(stderr, "msg: cannot connect to %s: %s\n", path,
		    strerror(errno));
	exit(EX_UNAVAILABLE);
}

/* Exit status for a failed call or send. */
static int
fail(const char *name, int status)
{
	if (status == MSG_TIMEOUT) {
		fprintf(stderr, "msg: %s: no answer within %d ms\n", name,
		    timeout_ms);
		return EX_TEMPFAIL;
	}
	if (status == MSG_DOWN) {
		fprintf(stderr, "msg: %s: connection lost (actor down)\n", name);
		return EX_UNAVAILABLE;
	}
	fprintf(stderr, "msg: %s: %s\n", name, strerror(errno));
	return EX_OSERR;
}

static int
cmd_call(int argc, char **argv)
{
	struct msg_client *c;
	struct msg_message m;
	const char *payload = argc > 2 ? argv[2] : NULL;
	int r;

	c = connect_or_die(argv[0]);
	r = msg_call(c, parse_tag(argv[1]), payload_flags(payload), payload,
	    payload ? strlen(payload) : 0, timeout_ms, &m);
	if (r == MSG_OK)
		print_payload(m.data, m.len);
	else if (r == MSG_ERROR_REPLY)
		fprintf(stderr, "msg: %s: error %u (%s): %.*s\n", argv[0], m.tag,
		    msg_errcode_name(m.tag), (int)m.len, (const char *)m.data);
	msg_close(c);
	if (r == MSG_OK)
		return 0;
	return r == MSG_ERROR_REPLY ? 1 : fail(argv[0], r);
}

static int
cmd_cast(int argc, char **argv)
{
	struct msg_client *c;
	const char *payload = argc > 2 ? argv[2] : NULL;
	int r;

	c = connect_or_die(argv[0]);
	r = msg_cast(c, parse_tag(argv[1]), payload_flags(payload), payload,
	    payload ? strlen(payload) : 0);
	msg_close(c);
	return r == MSG_OK ? 0 : fail(argv[0], r);
}

/* --sync: wait until the event is in every subscriber's socket. */
static int
cmd_pub(int argc, char **argv)
{
	struct msg_client *c;
	const char *data;
	int r, saved, sync = 0;

	if (strcmp(argv[0], "--sync") == 0) {
		sync = 1;
		argc--;
		argv++;
	}
	if (argc < 2 || argc > 3)
		usage();
	data = argc > 2 ? argv[2] : NULL;
	c = connect_or_die(argv[0]);
	if (sync)
		r = msg_publish_sync(c, argv[1], payload_flags(data), data,
		    data ? strlen(data) : 0, timeout_ms);
	else
		r = msg_publish_to(c, argv[1], payload_flags(data), data,
		    data ? strlen(data) : 0);
	saved = errno;
	msg_close(c);
	errno = saved;
	if (r == MSG_ERROR_REPLY) {
		fprintf(stderr, "msg: %s: sync publish not confirmed: %s\n",
		    argv[0], errno == ENOBUFS ? "dropped for a subscriber "
		    "whose queue was full, or too many sync publishes "
		    "outstanding" : errno == EOPNOTSUPP ? "not an event "
		    "manager" : strerror(errno));
		return 1;
	}
	return r == MSG_OK ? 0 : fail(argv[0], r);
}

static int
cmd_sub(int argc, char **argv)
{
	struct msg_client *c;
	struct msg_message m;
	int r;

	if (argc != 2)
		usage();
	c = connect_or_die(argv[0]);
	if ((r = msg_subscribe(c, argv[1])) != MSG_OK)
		return fail(argv[0], r);
	while ((r = msg_recv(c, -1, &m)) == MSG_OK) {
		if (m.kind != MSG_EVENT)
			continue;
		printf("%.*s ", (int)m.topic_len, m.topic);
		if (m.len == 0) {
			printf("\n");
			fflush(stdout);	/* print_payload() has nothing to flush */
		}
		print_payload(m.data, m.len);
	}
	msg_close(c);
	return fail(argv[0], r);
}

static const struct cmd {
	const char	*name;
	int		 min, max;	/* operands after the command */
	int		 (*fn)(int, char **);
} cmds[] = {
	{ "call", 2, 3, cmd_call },
	{ "cast", 2, 3, cmd_cast },
	{ "sub", 2, 2, cmd_sub },
	{ "pub", 2, 4, cmd_pub },
};

int
main(int argc, char **argv)
{
	const struct cmd *c;
	char *end;
	int ch;
	size_t i;

	signal(SIGPIPE, SIG_IGN);
	while ((ch = getopt(argc, argv, "+t:")) != -1) {
		switch (ch) {
		case 't':
			timeout_ms = (int)strtol(optarg, &end, 10);
			if (*end != '\0' || timeout_ms < 0)
				usage();
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		c = &cmds[i];
		if (strcmp(argv[0], c->name) != 0)
			continue;
		if (argc - 1 < c->min || argc - 1 > c->max)
			usage();
		return c->fn(argc - 1, argv + 1);
	}
	usage();
}
