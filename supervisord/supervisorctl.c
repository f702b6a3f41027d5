/*
 * supervisorctl.c: the control client. Each command is one table entry;
 * it speaks libmsg calls with JSON payloads to RUNDIR/supervisord.sock.
 */
#include <sys/socket.h>
#include <sys/syscall.h>

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "control-proto.h"
#include "distance.h"
#include "msg.h"

#define EXIT_NOT_RUNNING	3
#define EXIT_TIMEOUT		4
#define WAIT_DEFAULT_S		60.0

struct ctl {
	struct msg_client	*c;
	char			 sock[4200];
	int			 json;
	int			 history;
	int			 timeout;
	int			 nowait;	/* --no-wait */
	int			 wait;		/* --wait: ready */
	double			 wait_s;	/* --timeout */
};

struct ctl_cmd {
	const char	*name;
	const char	*call;		/* the daemon's command; NULL: none */
	const char	*usage;		/* its operands */
	int		 min, max;	/* operands; -1: no limit */
	int		 (*exec)(struct ctl *, const struct ctl_cmd *, int,
			    char **);
};

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
ms_until(long long deadline)
{
	long long left = deadline - now_ms();

	return left <= 0 ? 0 : left > INT_MAX ? INT_MAX : (int)left;
}

static void
ctl_connect(struct ctl *ctl)
{
	if ((ctl->c = msg_connect(ctl->sock, ctl->timeout)) != NULL)
		return;
	if (errno == ENOENT || errno == ECONNREFUSED)
		fprintf(stderr, "supervisorctl: supervisord is not running: "
		    "nothing listens on %s\n", ctl->sock);
	else if (errno == EMFILE)
		fprintf(stderr, "supervisorctl: refused: supervisord is out "
		    "of descriptors; try again later\n");
	else if (errno == EUSERS)
		fprintf(stderr, "supervisorctl: refused: supervisord has too "
		    "many connections; try again later\n");
	else if (errno == EACCES)
		fprintf(stderr, "supervisorctl: refused by supervisord on %s: "
		    "uid %u may not connect\n", ctl->sock, (unsigned)getuid());
	else
		fprintf(stderr, "supervisorctl: cannot connect to %s: %s\n",
		    ctl->sock, strerror(errno));
	exit(EX_UNAVAILABLE);
}

/*
 * One request. Returns the reply (caller frees), or NULL after printing
 * why; *rc is the exit status to use then.
 */
/*
 * The call's own limit: a waiting command's answer may come up to
 * --timeout later than another's (supervisorctl(8), Waiting).
 */
static int
call_timeout(const struct ctl *ctl, json_t *arg)
{
	double ms = ctl->timeout;

	if (json_object_get(arg, "timeout") != NULL)
		ms += ctl->wait_s * 1000.0;
	return ms > INT_MAX ? INT_MAX : (int)ms;
}

static json_t *
request(struct ctl *ctl, const char *cmd, json_t *arg, int *rc)
{
	json_t *reply = NULL;
	int r;

	r = msg_call_json(ctl->c, msg_tag(cmd), arg, call_timeout(ctl, arg),
	    &reply);
	if (r == MSG_OK) {
		json_decref(arg);
		if (reply == NULL)
			reply = json_object();
		return reply;
	}
	if (r == MSG_ERROR_REPLY)
		fprintf(stderr, "supervisorctl: %s: %s\n", cmd,
		    json_string_value(reply) ? json_string_value(reply) :
		    "error");
	else if (r == MSG_TIMEOUT)
		fprintf(stderr, "supervisorctl: %s: no answer from supervisord "
		    "within %d ms\n", cmd, call_timeout(ctl, arg));
	else
		fprintf(stderr, "supervisorctl: %s: %s\n", cmd,
		    r == MSG_DOWN ? "supervisord went away" : strerror(errno));
	json_decref(reply);
	json_decref(arg);
	*rc = r == MSG_ERROR_REPLY ? 1 : EX_UNAVAILABLE;
	return NULL;
}

/* "wait" and "timeout" for a waiting command's payload. */
static json_t *
with_wait(const struct ctl *ctl, json_t *arg)
{
	if (arg == NULL)
		return NULL;
	json_object_set_new(arg, "wait", json_boolean(!ctl->nowait));
	if (!ctl->nowait)
		json_object_set_new(arg, "timeout", json_real(ctl->wait_s));
	return arg;
}

static void
say_timeout(const struct ctl *ctl, const char *cmd, const char *path)
{
	fprintf(stderr, "supervisorctl: %s: %s%sno outcome within %g s; the "
	    "operation goes on\n", cmd, path ? path : "", path ? ": " : "",
	    ctl->wait_s);
}

/* A waiting command's reply that says the wait ran out: exit 4. */
static int
timed_out(const struct ctl *ctl, const char *cmd, json_t *reply)
{
	if (!json_is_true(json_object_get(reply, "timeout")))
		return 0;
	say_timeout(ctl, cmd, json_string_value(json_object_get(reply,
	    "path")));
	return EXIT_TIMEOUT;
}

static void
print_json(json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY |
	    JSON_REAL_PRECISION(16));

	if (s != NULL)
		printf("%s\n", s);
	free(s);
}

/* 3h12m, 4m05s, 12s: short and exact enough for a status line. */
static void
fmt_uptime(char *buf, size_t size, json_t *v)
{
	long long t;

	if (!json_is_number(v)) {
		strlcpy(buf, "-", size);
		return;
	}
	t = (long long)json_number_value(v);
	if (t >= 86400)
		snprintf(buf, size, "%lldd%lldh", t / 86400, t % 86400 / 3600);
	else if (t >= 3600)
		snprintf(buf, size, "%lldh%02lldm", t / 3600, t % 3600 / 60);
	else if (t >= 60)
		snprintf(buf, size, "%lldm%02llds", t / 60, t % 60);
	else
		snprintf(buf, size, "%llds", t);
}

static void
fmt_exit(char *buf, size_t size, json_t *e)
{
	json_t *v;

	if (!json_is_object(e))
		strlcpy(buf, "-", size);
	else if ((v = json_object_get(e, "signal")) != NULL)
		snprintf(buf, size, "signal %s", json_string_value(v));
	else if ((v = json_object_get(e, "code")) != NULL)
		snprintf(buf, size, "code %lld",
		    (long long)json_integer_value(v));
	else if ((v = json_object_get(e, "error")) != NULL)
		snprintf(buf, size, "%s", json_string_value(v));
	else
		strlcpy(buf, "-", size);
}

/*
 * "; next start in 4s" after the last exit of a child whose restart
 * waits a restart_delay: the time left, rounded up ("0s": due now,
 * its supervisor is busy).
 */
static void
fmt_next_start(char *buf, size_t size, json_t *v)
{
	double left;
	long long s;
	char when[32];
	json_t *up;

	buf[0] = '\0';
	if (!json_is_number(v) || (left = json_number_value(v)) < 0)
		return;
	s = (long long)left;
	if ((double)s < left)
		s++;
	if ((up = json_integer(s)) == NULL)
		return;
	fmt_uptime(when, sizeof(when), up);
	json_decref(up);
	snprintf(buf, size, "; next start in %s", when);
}

static int
not_running(json_t *node)
{
	const char *restart = json_string_value(json_object_get(node,
	    "restart"));
	const char *state = json_string_value(json_object_get(node, "state"));

	return restart != NULL && strcmp(restart, "permanent") == 0 &&
	    (state == NULL || strcmp(state, "running") != 0);
}

static size_t
path_width(json_t *nodes, int indent)
{
	size_t i, w = 4, n;
	json_t *node;
	const char *p;

	json_array_foreach(nodes, i, node) {
		p = json_string_value(json_object_get(node, "path"));
		n = p ? strlen(p) : 0;
		if (indent)
			n = strlen(strrchr(p, '/') ? strrchr(p, '/') + 1 : p) +
			    2 * json_integer_value(json_object_get(node,
			    "depth"));
		if (n > w)
			w = n;
	}
	return w;
}

static void
print_node(json_t *node, int width, int indent)
{
	char up[32], ex[128], pid[16], name[256], next[48];
	const char *p = json_string_value(json_object_get(node, "path"));
	json_t *v;

	if (p == NULL)
		return;
	fmt_uptime(up, sizeof(up), json_object_get(node, "uptime"));
	fmt_exit(ex, sizeof(ex), json_object_get(node, "last_exit"));
	fmt_next_start(next, sizeof(next), json_object_get(node,
	    "next_start_in"));
	v = json_object_get(node, "pid");
	if (json_is_integer(v))
		snprintf(pid, sizeof(pid), "%lld",
		    (long long)json_integer_value(v));
	else
		strlcpy(pid, "-", sizeof(pid));
	if (indent)
		snprintf(name, sizeof(name), "%*s%s",
		    (int)(2 * json_integer_value(json_object_get(node, "depth"))),
		    "", strrchr(p, '/') ? strrchr(p, '/') + 1 : p);
	else
		strlcpy(name, p, sizeof(name));
	printf("%-*s  %-10s  %-10s  %-7s  %-8lld  %s%s\n", width, name,
	    json_string_value(json_object_get(node, "state")), pid, up,
	    (long long)json_integer_value(json_object_get(node, "restarts")),
	    ex, next);
}

static int
show_nodes(struct ctl *ctl, const struct ctl_cmd *cmd, const char *path,
    int indent)
{
	json_t *nodes, *node;
	size_t i;
	int rc = 0, width;

	nodes = request(ctl, cmd->call, path ? json_pack("{ss}", "path", path) :
	    json_object(), &rc);
	if (nodes == NULL)
		return rc;
	if (ctl->json)
		print_json(nodes);
	else {
		width = (int)path_width(nodes, indent);
		printf("%-*s  %-10s  %-10s  %-7s  %-8s  %s\n", width,
		    indent ? "NAME" : "PATH", "STATE", "PID", "UPTIME",
		    "RESTARTS", "LAST EXIT");
		json_array_foreach(nodes, i, node)
			print_node(node, width, indent);
	}
	json_array_foreach(nodes, i, node)
		if (not_running(node))
			rc = EXIT_NOT_RUNNING;
	json_decref(nodes);
	return rc;
}

static int
cmd_status(struct ctl *ctl, const struct ctl_cmd *cmd, int argc, char **argv)
{
	return show_nodes(ctl, cmd, argc > 0 ? argv[0] : NULL, 0);
}

static int
cmd_tree(struct ctl *ctl, const struct ctl_cmd *cmd, int argc, char **argv)
{
	return show_nodes(ctl, cmd, NULL, 1);
}

/* Commands whose answer is just "done": start, stop, restart, ... */
static int
simple(struct ctl *ctl, const char *cmd, json_t *arg)
{
	json_t *reply;
	int rc = 0;

	if ((reply = request(ctl, cmd, arg, &rc)) == NULL)
		return rc;
	if (ctl->json)
		print_json(reply);
	json_decref(reply);
	return 0;
}

/*
 * start, stop, restart, delete-child: every path in one call; each
 * failure is printed with its path; the status is 1 if any failed, else
 * 4 if any outcome is still to come, else 0.
 */
static int
cmd_paths(struct ctl *ctl, const struct ctl_cmd *cmd, int argc, char **argv)
{
	json_t *paths = json_array(), *reply, *r;
	const char *p, *why;
	int i, rc = 0, failed = 0, pending = 0;
	size_t k;

	for (i = 0; i < argc; i++)
		json_array_append_new(paths, json_string(argv[i]));
	if ((reply = request(ctl, cmd->call, with_wait(ctl,
	    json_pack("{so}", "paths", paths)), &rc)) == NULL)
		return rc;
	if (ctl->json)
		print_json(reply);
	json_array_foreach(json_object_get(reply, "results"), k, r) {
		p = json_string_value(json_object_get(r, "path"));
		if (json_is_true(json_object_get(r, "already")) && !ctl->json)
			printf("%s: already %s\n", p ? p : "?",
			    strcmp(cmd->name, "start") == 0 ? "running" :
			    "stopped");
		if (json_is_true(json_object_get(r, "ok")))
			continue;
		if (json_is_true(json_object_get(r, "pending"))) {
			say_timeout(ctl, cmd->name, p);
			pending = 1;
			continue;
		}
		why = json_string_value(json_object_get(r, "error"));
		fprintf(stderr, "supervisorctl: %s: %s: %s\n", cmd->name,
		    p ? p : "?", why ? why : "failed");
		failed = 1;
	}
	json_decref(reply);
	return failed ? 1 : pending ? EXIT_TIMEOUT : 0;
}

static int
cmd_start_child(struct ctl *ctl, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	json_t *args = json_array(), *reply;
	int i, rc = 0;

	for (i = 1; i < argc; i++)
		json_array_append_new(args, json_string(argv[i]));
	reply = request(ctl, cmd->call, with_wait(ctl, json_pack("{ssso}",
	    "path", argv[0], "args", args)), &rc);
	if (reply == NULL)
		return rc;
	if ((rc = timed_out(ctl, cmd->name, reply)) != 0)
		;
	else if (ctl->json)
		print_json(reply);
	else
		printf("%s\n", json_string_value(json_object_get(reply,
		    "path")));
	json_decref(reply);
	return rc;
}

static int
cmd_signal(struct ctl *ctl, const struct ctl_cmd *cmd, int argc, char **argv)
{
	return simple(ctl, cmd->call, json_pack("{ssss}", "signal", argv[0],
	    "path", argv[1]));
}

/* One line per action, as the daemon's plan.c lists them. */
static void
print_plan(json_t *plan, const char *nothing)
{
	json_t *a;
	size_t i;

	if (json_array_size(plan) == 0)
		printf("%s\n", nothing);
	json_array_foreach(plan, i, a)
		printf("%s %s (%s)\n",
		    json_string_value(json_object_get(a, "action")),
		    json_string_value(json_object_get(a, "path")),
		    json_string_value(json_object_get(a, "why")));
}

static int
cmd_reload(struct ctl *ctl, const struct ctl_cmd *cmd, int argc, char **argv)
{
	json_t *reply;
	int rc = 0;

	json_t *e;
	size_t i;

	if ((reply = request(ctl, cmd->call, with_wait(ctl, json_object()),
	    &rc)) == NULL)
		return rc;
	if (ctl->json)
		print_json(reply);
	else
		print_plan(json_object_get(reply, "plan"), "nothing to change: "
		    "the tree is as the file says");
	fflush(stdout);
	if (json_array_size(json_object_get(reply, "errors")) > 0) {
		fprintf(stderr, "supervisorctl: reload: a start failed:\n");
		json_array_foreach(json_object_get(reply, "errors"), i, e)
			fprintf(stderr, "%s\n", json_string_value(e));
		rc = 1;
	} else
		rc = timed_out(ctl, cmd->name, reply);
	json_decref(reply);
	return rc;
}

static void
print_event(struct ctl *ctl, const void *data, size_t len)
{
	json_t *e = json_loadb(data, len, 0, NULL);
	const char *ev, *path, *detail;
	char ex[128], line[512];
	size_t n;

	if (e == NULL)
		return;
	if (ctl->json)
		print_json(e);
	else {
		ev = json_string_value(json_object_get(e, "event"));
		path = json_string_value(json_object_get(e, "path"));
		fmt_exit(ex, sizeof(ex), e);
		/* restart_scheduled: when the start comes. */
		if (json_is_number(json_object_get(e, "delay")))
			snprintf(ex, sizeof(ex), "in %.3fs", json_number_value(
			    json_object_get(e, "delay")));
		detail = json_object_get(e, "reason") ? json_string_value(
		    json_object_get(e, "reason")) : strcmp(ex, "-") ? ex : "";
		snprintf(line, sizeof(line), "%-6lld %-17s %-24s %s",
		    (long long)json_integer_value(json_object_get(e, "seq")),
		    ev ? ev : "?", path ? path : "?", detail ? detail : "");
		/* The columns pad; the end of the line does not. */
		for (n = strlen(line); n > 0 && line[n - 1] == ' '; n--)
			line[n - 1] = '\0';
		printf("%s\n", line);
	}
	json_decref(e);
	fflush(stdout);
}

/*
 * Subscribe first, then fetch the history, so nothing falls between;
 * events already printed from the history are skipped by seq.
 */
static int
cmd_events(struct ctl *ctl, const struct ctl_cmd *cmd, int argc, char **argv)
{
	struct msg_message m;
	json_t *hist = NULL, *e, *seq;
	long long last = 0;
	size_t i;
	int r, rc = 0;

	if (msg_subscribe(ctl->c, CTL_EVENT_PREFIX) != MSG_OK)
		return EX_UNAVAILABLE;
	if (ctl->history) {
		if ((hist = request(ctl, cmd->call, json_object(), &rc)) == NULL)
			return rc;
		json_array_foreach(hist, i, e) {
			char *s = json_dumps(e, JSON_COMPACT |
			    JSON_REAL_PRECISION(16));

			if (s != NULL)
				print_event(ctl, s, strlen(s));
			free(s);
			last = json_integer_value(json_object_get(e, "seq"));
		}
		json_decref(hist);
	}
	while ((r = msg_recv(ctl->c, -1, &m)) == MSG_OK) {
		if (m.kind != MSG_EVENT)
			continue;
		if ((e = json_loadb(m.data, m.len, 0, NULL)) == NULL)
			continue;
		seq = json_object_get(e, "seq");
		if (json_integer_value(seq) > last)
			print_event(ctl, m.data, m.len);
		json_decref(e);
	}
	/* The daemon exiting ends the stream; that is not an error. */
	return r == MSG_DOWN ? 0 : EX_UNAVAILABLE;
}

/*
 * The daemon's process, to see it gone: its pid from the connection,
 * held as a pidfd while it surely runs (no reuse). -1 when not to be
 * had (another pid namespace, an old kernel): the connection's end is
 * then all we wait for.
 */
static int
daemon_pidfd(const struct ctl *ctl)
{
#ifdef SYS_pidfd_open
	struct ucred uc;
	socklen_t len = sizeof(uc);

	if (getsockopt(msg_client_fd(ctl->c), SOL_SOCKET, SO_PEERCRED, &uc,
	    &len) == -1 || uc.pid <= 0)
		return -1;
	return (int)syscall(SYS_pidfd_open, uc.pid, 0);
#else
	return -1;
#endif
}

/* Wait until the process of pidfd fd has exited: 0, or -1 on timeout. */
static int
wait_exited(int fd, long long deadline)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int r;

	if (fd == -1)
		return 0;
	while ((r = poll(&p, 1, ms_until(deadline))) == -1 && errno == EINTR)
		;
	close(fd);
	return r == 0 ? -1 : 0;
}

static int
cmd_shutdown(struct ctl *ctl, const struct ctl_cmd *cmd, int argc, char **argv)
{
	long long deadline = now_ms() + (long long)(ctl->wait_s * 1000.0);
	struct msg_message m;
	int r, rc = 0, pfd = ctl->nowait ? -1 : daemon_pidfd(ctl);
	json_t *reply;

	if ((reply = request(ctl, cmd->call, with_wait(ctl, json_object()),
	    &rc)) == NULL) {
		if (pfd != -1)
			close(pfd);
		return rc;
	}
	rc = timed_out(ctl, cmd->name, reply);
	if (rc == 0 && ctl->json)
		print_json(reply);
	json_decref(reply);
	if (rc != 0 || ctl->nowait) {
		if (pfd != -1)
			close(pfd);
		return rc;
	}
	/* The tree is down; return once the daemon has exited too. */
	while ((r = msg_recv(ctl->c, ms_until(deadline), &m)) == MSG_OK)
		;
	if (r == MSG_TIMEOUT || wait_exited(pfd, deadline) == -1) {
		say_timeout(ctl, cmd->name, NULL);
		return EXIT_TIMEOUT;
	}
	return 0;
}

/* "field: value", members of an object as "field.member: value". */
static void
print_fields(const char *prefix, json_t *o)
{
	const char *k;
	char name[256];
	json_t *v;
	char *s;

	json_object_foreach(o, k, v) {
		snprintf(name, sizeof(name), "%s%s%s", prefix, *prefix ? "." :
		    "", k);
		if (json_is_object(v) && json_object_size(v) > 0) {
			print_fields(name, v);
			continue;
		}
		if (json_is_string(v)) {
			printf("%s: %s\n", name, json_string_value(v));
			continue;
		}
		/* 16 digits: 0.1, not 0.10000000000000001. */
		s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY |
		    JSON_REAL_PRECISION(16));
		printf("%s: %s\n", name, s ? s : "?");
		free(s);
	}
}

static int
cmd_spec(struct ctl *ctl, const struct ctl_cmd *cmd, int argc, char **argv)
{
	json_t *reply;
	int rc = 0;

	reply = request(ctl, cmd->call, json_pack("{ss}", "path", argv[0]),
	    &rc);
	if (reply == NULL)
		return rc;
	if (ctl->json)
		print_json(reply);
	else
		print_fields("", reply);
	json_decref(reply);
	return 0;
}

/* The daemon reads FILE, from its own working directory: make it ours. */
static json_t *
plan_arg(const char *file)
{
	char *cwd, *abs;
	json_t *arg;

	if (file == NULL)
		return json_object();
	if (*file == '/')
		return json_pack("{ss}", "file", file);
	if ((cwd = getcwd(NULL, 0)) == NULL) {
		fprintf(stderr, "supervisorctl: plan: %s: cannot tell the "
		    "working directory: %s\n", file, strerror(errno));
		exit(EX_OSERR);
	}
	if (asprintf(&abs, "%s%s%s", cwd, strcmp(cwd, "/") ? "/" : "",
	    file) == -1) {
		fprintf(stderr, "supervisorctl: plan: out of memory\n");
		exit(EX_OSERR);
	}
	arg = json_pack("{ss}", "file", abs);
	free(abs);
	free(cwd);
	return arg;
}

static int
cmd_plan(struct ctl *ctl, const struct ctl_cmd *cmd, int argc, char **argv)
{
	json_t *reply;
	int rc = 0;

	reply = request(ctl, cmd->call, plan_arg(argc > 0 ? argv[0] : NULL),
	    &rc);
	if (reply == NULL)
		return rc;
	if (ctl->json)
		print_json(reply);
	else
		print_plan(reply, "nothing to change: a reload would leave the "
		    "tree as it is");
	json_decref(reply);
	return 0;
}

/*
 * ready: 0 once the whole tree has started, 1 while it has not (or is
 * shutting down); with --wait, waits for it up to --timeout: then 4.
 */
static int
cmd_ready(struct ctl *ctl, const struct ctl_cmd *cmd, int argc, char **argv)
{
	json_t *arg = json_pack("{sb}", "wait", ctl->wait), *reply;
	const char *path, *state;
	int rc = 0;

	if (arg != NULL && ctl->wait)
		json_object_set_new(arg, "timeout", json_real(ctl->wait_s));
	if ((reply = request(ctl, cmd->call, arg, &rc)) == NULL)
		return rc;
	if (json_is_true(json_object_get(reply, "timeout"))) {
		fprintf(stderr, "supervisorctl: %s: the tree has not started "
		    "within %g s\n", cmd->name, ctl->wait_s);
		rc = EXIT_TIMEOUT;
	} else if (ctl->json)
		print_json(reply);
	else if (json_is_true(json_object_get(reply, "ready")))
		printf("ready\n");
	else if ((path = json_string_value(json_object_get(reply, "path"))) !=
	    NULL && (state = json_string_value(json_object_get(reply,
	    "state"))) != NULL)
		printf("not ready: %s is %s\n", path, state);
	else
		printf("not ready\n");
	if (rc == 0 && !json_is_true(json_object_get(reply, "ready")))
		rc = 1;
	json_decref(reply);
	return rc;
}

static int	cmd_help(struct ctl *, const struct ctl_cmd *, int, char **);

/* In the order the usage message lists them. */
static const struct ctl_cmd cmds[] = {
	{ "status", CTL_STATUS, "[PATH]", 0, 1, cmd_status },
	{ "tree", CTL_STATUS, "", 0, 0, cmd_tree },
	{ "start", CTL_START, "PATH...", 1, -1, cmd_paths },
	{ "stop", CTL_STOP, "PATH...", 1, -1, cmd_paths },
	{ "restart", CTL_RESTART, "PATH...", 1, -1, cmd_paths },
	{ "start-child", CTL_START_CHILD, "PATH [ARG...]", 1, -1,
	    cmd_start_child },
	{ "delete-child", CTL_DELETE_CHILD, "PATH...", 1, -1, cmd_paths },
	{ "signal", CTL_SIGNAL, "SIG PATH", 2, 2, cmd_signal },
	{ "reload", CTL_RELOAD, "", 0, 0, cmd_reload },
	{ "events", CTL_HISTORY, "[--history]", 0, 0, cmd_events },
	{ "shutdown", CTL_SHUTDOWN, "", 0, 0, cmd_shutdown },
	{ "spec", CTL_SPEC, "PATH", 1, 1, cmd_spec },
	{ "plan", CTL_PLAN, "[FILE]", 0, 1, cmd_plan },
	{ "ready", CTL_READY, "[--wait]", 0, 0, cmd_ready },
	{ "help", NULL, "[COMMAND]", 0, 1, cmd_help },
};

#define NCMDS		(sizeof(cmds) / sizeof(cmds[0]))
#define USAGE_WIDTH	72

static const struct ctl_cmd *
find_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < NCMDS; i++)
		if (strcmp(cmds[i].name, name) == 0)
			return &cmds[i];
	return NULL;
}

/* "start PATH", "tree": how the usage messages name a command. */
static int
cmd_synopsis(char *buf, size_t size, const struct ctl_cmd *cmd)
{
	return snprintf(buf, size, "%s%s%s", cmd->name,
	    *cmd->usage != '\0' ? " " : "", cmd->usage);
}

static void
print_usage(FILE *fp)
{
	const char *sep;
	char s[128];
	size_t i;
	int col, indent, n;

	fprintf(fp, "usage: supervisorctl [-r dir] [-t ms] command "
	    "[--json] [--no-wait]\n"
	    "                     [--timeout s] [args]\n");
	col = indent = fprintf(fp, "commands:");
	for (i = 0; i < NCMDS; i++) {
		sep = i + 1 < NCMDS ? "," : "";
		n = cmd_synopsis(s, sizeof(s), &cmds[i]) + (int)strlen(sep);
		if (i > 0 && col + 1 + n > USAGE_WIDTH) {
			fprintf(fp, "\n%*s", indent, "");
			col = indent;
		}
		col += fprintf(fp, " %s%s", s, sep);
	}
	fprintf(fp, "\n");
}

static void __attribute__((noreturn))
usage(void)
{
	print_usage(stderr);
	exit(EX_USAGE);
}

static void
print_cmd_usage(FILE *fp, const struct ctl_cmd *cmd)
{
	char s[128];

	cmd_synopsis(s, sizeof(s), cmd);
	fprintf(fp, "usage: supervisorctl %s\n", s);
}

static void __attribute__((noreturn))
cmd_usage(const struct ctl_cmd *cmd)
{
	print_cmd_usage(stderr, cmd);
	exit(EX_USAGE);
}

/* A typo or a prefix of a command's name: "did you mean" it. */
static void __attribute__((noreturn))
unknown_cmd(const char *name)
{
	const char *sep = " (did you mean ";
	size_t i;

	fprintf(stderr, "supervisorctl: unknown command %s", name);
	for (i = 0; i < NCMDS; i++) {
		if (edit_distance(name, cmds[i].name) > 2 && strncmp(name,
		    cmds[i].name, strlen(name)) != 0)
			continue;
		fprintf(stderr, "%s%s", sep, cmds[i].name);
		sep = " or ";
	}
	if (strcmp(sep, " or ") == 0) {
		fprintf(stderr, "?)\n");
		exit(EX_USAGE);
	}
	fprintf(stderr, "\n");
	usage();
}

static const struct ctl_cmd *
need_cmd(const char *name)
{
	const struct ctl_cmd *cmd;

	if ((cmd = find_cmd(name)) == NULL)
		unknown_cmd(name);
	return cmd;
}

static int
cmd_help(struct ctl *ctl, const struct ctl_cmd *cmd, int argc, char **argv)
{
	if (argc > 0)
		print_cmd_usage(stdout, need_cmd(argv[0]));
	else
		print_usage(stdout);
	return 0;
}

/* --timeout S: seconds, a positive number, fractions allowed. */
static void
take_timeout(struct ctl *ctl, const struct ctl_cmd *cmd, const char *arg)
{
	char *end;
	double s;

	errno = 0;
	s = arg != NULL ? strtod(arg, &end) : 0;
	if (arg == NULL || *arg == '\0' || *end != '\0' || errno != 0 ||
	    !(s > 0) || s > 86400.0 * 366) {
		fprintf(stderr, "supervisorctl: %s: --timeout: expected a "
		    "positive number of seconds, not \"%s\"\n", cmd->name,
		    arg ? arg : "");
		cmd_usage(cmd);
	}
	ctl->wait_s = s;
}

/*
 * Pull --json, --history, --no-wait and --timeout S out of the
 * operands, wherever they stand before "--"; any other word that begins
 * with "-" there is a mistake, not a path.
 */
static int
take_flags(struct ctl *ctl, const struct ctl_cmd *cmd, int argc, char **argv)
{
	int i, n = 0, flags = 1;

	for (i = 0; i < argc; i++) {
		if (!flags || argv[i][0] != '-' || argv[i][1] == '\0')
			argv[n++] = argv[i];
		else if (strcmp(argv[i], "--json") == 0)
			ctl->json = 1;
		else if (strcmp(argv[i], "--history") == 0)
			ctl->history = 1;
		else if (strcmp(argv[i], "--no-wait") == 0)
			ctl->nowait = 1;
		else if (strcmp(argv[i], "--wait") == 0)
			ctl->wait = 1;
		else if (strcmp(argv[i], "--timeout") == 0)
			take_timeout(ctl, cmd, ++i < argc ? argv[i] : NULL);
		else if (strncmp(argv[i], "--timeout=", 10) == 0)
			take_timeout(ctl, cmd, argv[i] + 10);
		else if (strcmp(argv[i], "--") == 0)
			flags = 0;
		else {
			fprintf(stderr, "supervisorctl: %s: unknown option "
			    "%s\n", cmd->name, argv[i]);
			cmd_usage(cmd);
		}
	}
	return n;
}

static void
rundir_sock(struct ctl *ctl, const char *dir)
{
	char d[4096];

	if (dir == NULL) {
		if ((dir = getenv("SUPERVISORD_RUNDIR")) == NULL ||
		    *dir == '\0') {
			if (msg_rundir(d, sizeof(d)) == -1) {
				fprintf(stderr, "supervisorctl: run directory: "
				    "%s\n", strerror(errno));
				exit(EX_USAGE);
			}
			dir = d;
		}
	}
	if ((size_t)snprintf(ctl->sock, sizeof(ctl->sock), "%s/%s", dir,
	    CTL_SOCKET) >= sizeof(ctl->sock)) {
		fprintf(stderr, "supervisorctl: run directory name too long\n");
		exit(EX_USAGE);
	}
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct ctl ctl = { .timeout = 30000, .wait_s = WAIT_DEFAULT_S };
	const struct ctl_cmd *cmd;
	const char *dir = NULL;
	char *end;
	long t;
	int ch, n, rc;

	signal(SIGPIPE, SIG_IGN);
	while ((ch = getopt_long(argc, argv, "+hr:t:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			print_usage(stdout);
			return 0;
		case 'r':
			dir = optarg;
			break;
		case 't':
			errno = 0;
			t = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || errno != 0 ||
			    t <= 0 || t > INT_MAX) {
				fprintf(stderr, "supervisorctl: -t: expected a "
				    "positive number of milliseconds, not "
				    "\"%s\"\n", optarg);
				exit(EX_USAGE);
			}
			ctl.timeout = (int)t;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	cmd = need_cmd(argv[0]);
	n = take_flags(&ctl, cmd, argc - 1, argv + 1);
	if (n < cmd->min || (cmd->max >= 0 && n > cmd->max))
		cmd_usage(cmd);
	if (cmd->call == NULL)
		return cmd->exec(&ctl, cmd, n, argv + 1);
	rundir_sock(&ctl, dir);
	ctl_connect(&ctl);
	rc = cmd->exec(&ctl, cmd, n, argv + 1);
	msg_close(ctl.c);
	return rc;
}
