/*
 * msg-cli.c: msg(1), a shell's way to talk to actors: call, cast, sub, pub.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <jansson.h>

#include "distance.h"
#include "msg.h"

static int timeout_ms = 5000;

static int	cmd_call(int, char **);
static int	cmd_cast(int, char **);
static int	cmd_sub(int, char **);
static int	cmd_pub(int, char **);

/* In the order the usage message lists them. */
static const struct cmd {
	const char	*name;
	const char	*args;
	int		 min, max;	/* operands after the command */
	int		 (*fn)(int, char **);
} cmds[] = {
	{ "call", "NAME TAG [PAYLOAD]", 2, 3, cmd_call },
	{ "cast", "NAME TAG [PAYLOAD]", 2, 3, cmd_cast },
	{ "sub", "NAME TOPIC", 2, 2, cmd_sub },
	{ "pub", "[--sync] NAME TOPIC [DATA]", 2, 4, cmd_pub },
	{ "help", "[COMMAND]", 0, 1, NULL },
};
#define NCMDS	(sizeof(cmds) / sizeof(cmds[0]))

static void
print_usage(FILE *f)
{
	size_t i;

	for (i = 0; i < NCMDS; i++)
		fprintf(f, "%s msg [-t ms] %s %s\n", i ? "      " : "usage:",
		    cmds[i].name, cmds[i].args);
}

static void __attribute__((noreturn))
usage(void)
{
	print_usage(stderr);
	exit(EX_USAGE);
}

/* A command's own usage line: for help COMMAND and a wrong count. */
static void
cmd_usage(FILE *f, const struct cmd *c)
{
	fprintf(f, "usage: msg [-t ms] %s %s\n", c->name, c->args);
}

static const struct cmd *
find_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < NCMDS; i++)
		if (strcmp(name, cmds[i].name) == 0)
			return &cmds[i];
	return NULL;
}

/* A known command with operands it does not take: exit 64. */
static void __attribute__((noreturn))
usage_of(const char *name)
{
	cmd_usage(stderr, find_cmd(name));
	exit(EX_USAGE);
}

/* "unknown command X", with the commands a typo of it may mean. */
static void __attribute__((noreturn))
unknown(const char *name)
{
	size_t i;
	int any = 0;

	fprintf(stderr, "msg: unknown command %s", name);
	for (i = 0; i < NCMDS; i++) {
		if (edit_distance(name, cmds[i].name) > 2 &&
		    strncmp(name, cmds[i].name, strlen(name)) != 0)
			continue;
		fprintf(stderr, "%s%s", any ? " or " : " (did you mean ",
		    cmds[i].name);
		any = 1;
	}
	fprintf(stderr, "%s\n", any ? "?)" : "");
	usage();
}

/* help [COMMAND], --help: on stdout, exit 0. */
static int __attribute__((noreturn))
help(const char *name)
{
	const struct cmd *c;

	if (name == NULL) {
		print_usage(stdout);
		exit(0);
	}
	if ((c = find_cmd(name)) == NULL)
		unknown(name);
	cmd_usage(stdout, c);
	exit(0);
}

/* -t: milliseconds, 0 or more, said when it is not. */
static int
parse_timeout(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || v < 0 ||
	    v > INT_MAX) {
		fprintf(stderr, "msg: -t: expected a number of milliseconds "
		    "(0 or more), not \"%s\"\n", s);
		usage();
	}
	return (int)v;
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
		usage_of("pub");
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
		usage_of("sub");
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

int
main(int argc, char **argv)
{
	const struct cmd *c;
	int ch;

	signal(SIGPIPE, SIG_IGN);
	if (argc > 1 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0))
		help(NULL);
	while ((ch = getopt(argc, argv, "+ht:")) != -1) {
		switch (ch) {
		case 'h':
			help(NULL);
		case 't':
			timeout_ms = parse_timeout(optarg);
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	if ((c = find_cmd(argv[0])) == NULL)
		unknown(argv[0]);
	if (argc - 1 < c->min || argc - 1 > c->max)
		usage_of(c->name);
	if (c->fn == NULL)
		help(argc > 1 ? argv[1] : NULL);
	return c->fn(argc - 1, argv + 1);
}
