/*
 * test_sd_services.c: real Debian services under supervisord, with the
 * configs supervisord(8), SUPERVISING EXISTING SERVICES, shows:
 * redis-server with sd_notify readiness and a restart after SIGKILL,
 * nginx in the foreground with its workers, and a daemon that forks,
 * run by its foreground flag and by the documented wrapper. Each test
 * skips when its program is not installed. Every service listens on a
 * unix socket in the test's directory, so nothing can collide.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "sdtest.h"

/*
 * The wrapper for a daemon that can only fork, as supervisord(8)
 * documents it: sh -c WRAPPER forking PIDFILE DAEMON [ARG...].
 */
#define WRAPPER \
	"pidfile=$1; shift; rm -f \"$pidfile\"; \"$@\" || exit;" \
	" read pid < \"$pidfile\" || exit;" \
	" trap 'stop=1; kill $pid' TERM INT; trap 'kill -HUP $pid' HUP;" \
	" while kill -0 $pid; do sleep 1 & wait $!; done 2>/dev/null;" \
	" kill $! 2>/dev/null; [ -n \"$stop\" ]"

/*
 * A classic daemon: forkd PIDFILE REPORT forks, the child leaves the
 * process group in a session of its own and writes its pid file (and
 * the same pid to REPORT, for the test), and the parent exits 0 once
 * that is written; forkd -f PIDFILE stays in the foreground. Either way
 * it runs until a signal ends it.
 */
static const char forkd[] =
    "#!/bin/sh\n"
    "if [ \"$1\" = -f ]; then echo $$ > \"$2\"; exec sleep 100000; fi\n"
    "# The command substitution ends once the child closed its output.\n"
    ": \"$(setsid /bin/sh -c 'echo $$ > \"$1\"; echo $$ > \"$2\";"
    " exec sleep 100000 </dev/null >/dev/null 2>&1' forkd \"$1\" \"$2\" &)\"\n"
    "exit 0\n";

/* The program in the usual directories, or NULL: not installed. */
static const char *
find_prog(const char *name)
{
	static const char *const dirs[] = { "/usr/sbin", "/usr/bin",
	    "/sbin", "/bin", "/usr/local/sbin", "/usr/local/bin" };
	static char path[256];
	size_t i;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dirs[i], name);
		if (access(path, X_OK) == 0)
			return path;
	}
	return NULL;
}

/* The config (sd_config made the directory) becomes a tree of this one
 * child, built with jansson, which escapes the paths and shell code. */
static void
config_child(struct sd *sd, json_t *child)
{
	/* Room for the restarts a test causes (the default is 1 in 5 s). */
	json_t *root = json_pack("{s:i, s:i, s:[o]}", "intensity", 5,
	    "period", 60, "children", child);
	char *s = root != NULL ? json_dumps(root, JSON_COMPACT) : NULL;

	if (s == NULL)
		sd_die("cannot build the config");
	sd_rewrite(sd, "%s", s);
	free(s);
	json_decref(root);
}

/*
 * Send req on the unix socket path, read the answer until the peer
 * closes or the answer holds end (NULL: until it closes). The answer,
 * caller frees; the test fails if none comes within SD_TIMEOUT.
 */
static char *
ask(const char *path, const char *req, const char *end)
{
	long long deadline = now_ms() + SD_TIMEOUT;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct pollfd pfd;
	char *buf;
	size_t len = 0, cap = 65536;
	ssize_t n;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		fail_msg("%s: path too long for a unix socket", path);
	strcpy(sa.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1)
		fail_msg("connect %s: %s", path, strerror(errno));
	if (write(fd, req, strlen(req)) != (ssize_t)strlen(req))
		fail_msg("write %s: %s", path, strerror(errno));
	if ((buf = malloc(cap)) == NULL)
		sd_die("malloc");
	for (;;) {
		buf[len] = '\0';
		if (end != NULL && strstr(buf, end) != NULL)
			break;
		pfd = (struct pollfd){ fd, POLLIN, 0 };
		if (poll(&pfd, 1, ms_left(deadline)) != 1)
			fail_msg("%s: no answer to %s", path, req);
		if ((n = read(fd, buf + len, cap - 1 - len)) == -1)
			fail_msg("read %s: %s", path, strerror(errno));
		if (n == 0 || (len += (size_t)n) == cap - 1)
			break;
	}
	close(fd);
	return buf;
}

/* ---- redis-server ---- */

static void
redis_ping(struct sd *sd, const char *sock)
{
	const char *cli = find_prog("redis-cli");
	struct outcome o;
	char *a;

	(void)sd;
	/* RESP: an array of one bulk string; PONG comes as a simple string. */
	a = ask(sock, "*1\r\n$4\r\nPING\r\n", "\r\n");
	assert_string_equal(a, "+PONG\r\n");
	free(a);
	if (cli == NULL)
		return;
	assert_int_equal(run_argv(&o, (char *const[]){ (char *)cli, "-s",
	    (char *)sock, "ping", NULL }), 0);
	assert_string_equal(o.out, "PONG\n");
	outcome_free(&o);
}

/*
 * redis-server --supervised systemd says READY=1 once it accepts
 * connections: it answers PING then, is restarted after a SIGKILL,
 * ready again, and answers again.
 */
static void
test_redis(void **state)
{
	struct sd *sd = *state;
	const char *redis = find_prog("redis-server");
	char sock[128], conf[128], *text;
	pid_t pid;

	if (redis == NULL)
		skip();
	sd_config(sd, "{ \"children\": [] }");
	snprintf(sock, sizeof(sock), "%s", sd_file(sd, "redis.sock"));
	snprintf(conf, sizeof(conf), "%s", sd_file(sd, "redis.conf"));
	/* No TCP port, no persistence. */
	if (asprintf(&text, "port 0\n"
	    "unixsocket %s\n"
	    "unixsocketperm 700\n"
	    "dir %s\n"
	    "save \"\"\n"
	    "appendonly no\n"
	    "daemonize no\n"
	    "logfile %s/redis.log\n", sock, sd->dir, sd->dir) == -1)
		sd_die("asprintf");
	sd_put_file(sd, "redis.conf", text);
	free(text);
	config_child(sd, json_pack("{s:s, s:s, s:i, s:[s,s,s,s,s,s]}",
	    "id", "redis", "ready", "notify", "start_timeout", SD_TIMEOUT,
	    "argv", redis, conf, "--supervised", "systemd", "--daemonize",
	    "no"));
	assert_int_equal(sd_start(sd, NULL), 0);
	EXPECT(sd, "started root/redis", "ready root/redis", "started root");
	pid = sd_pid(sd, "root/redis");
	redis_ping(sd, sock);

	assert_int_equal(kill(pid, SIGKILL), 0);
	EXPECT(sd, "exited root/redis signal=KILL class=abnormal"
	    " by_supervisor=false", "started root/redis", "ready root/redis");
	assert_true(sd_pid(sd, "root/redis") != pid);
	redis_ping(sd, sock);

	assert_int_equal(sd_ctl(sd, NULL, "shutdown", (char *)NULL), 0);
	assert_int_equal(sd_wait_exit(sd), 0);
	EXPECT(sd, "exited root/redis by_supervisor=true",
	    "shutdown root reason=shutdown");
	EXPECT_END(sd);
}

/* ---- nginx ---- */

/* Whether /proc/PID/cmdline starts with "nginx" (its workers retitle
 * themselves "nginx: worker process"). */
static int
is_nginx(pid_t pid)
{
	char path[64], buf[256];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return strncmp(buf, "nginx", 5) == 0 || strstr(buf, "/nginx") != NULL;
}

/*
 * The live nginx processes (zombies do not count) in process group pgid
 * or whose parent is one of ppids[0..np): their number, the first max
 * of them in pids.
 */
static int
nginx_procs(pid_t pgid, const pid_t *ppids, int np, pid_t *pids, int max)
{
	struct dirent *de;
	DIR *d;
	pid_t p, pp;
	int n = 0, i, ours;
	char st;

	if ((d = opendir("/proc")) == NULL)
		sd_die("opendir /proc");
	while ((de = readdir(d)) != NULL) {
		if ((p = (pid_t)strtol(de->d_name, NULL, 10)) <= 0)
			continue;
		if ((st = proc_state(p)) == 0 || st == 'Z' || !is_nginx(p))
			continue;
		pp = proc_ppid(p);
		ours = proc_pgid(p) == pgid;
		for (i = 0; i < np; i++)
			ours |= pp == ppids[i];
		if (!ours)
			continue;
		if (n < max)
			pids[n] = p;
		n++;
	}
	closedir(d);
	return n;
}

/*
 * nginx with "daemon off;", a master and two workers: it serves a
 * request (its worker answers with its own pid), and after
 * `supervisorctl stop' neither master nor worker is left.
 */
static void
test_nginx(void **state)
{
	struct sd *sd = *state;
	const char *nginx = find_prog("nginx");
	char sock[128], conf[128], prefix[128], elog[128], pidf[128];
	char *a, *body;
	pid_t master, worker, pids[16], ppids[2];
	int n, i;

	if (nginx == NULL)
		skip();
	sd_config(sd, "{ \"children\": [] }");
	snprintf(sock, sizeof(sock), "%s", sd_file(sd, "nginx.sock"));
	snprintf(conf, sizeof(conf), "%s", sd_file(sd, "nginx.conf"));
	snprintf(elog, sizeof(elog), "%s", sd_file(sd, "error.log"));
	snprintf(pidf, sizeof(pidf), "%s", sd_file(sd, "nginx.pid"));
	snprintf(prefix, sizeof(prefix), "%s/", sd->dir);
	a = NULL;
	if (asprintf(&a, "worker_processes 2;\n"
	    "pid %s;\n"
	    "error_log %s;\n"
	    "events { worker_connections 64; }\n"
	    "http {\n"
	    "  access_log off;\n"
	    "  client_body_temp_path %s/body;\n"
	    "  proxy_temp_path %s/proxy;\n"
	    "  fastcgi_temp_path %s/fastcgi;\n"
	    "  uwsgi_temp_path %s/uwsgi;\n"
	    "  scgi_temp_path %s/scgi;\n"
	    "  server {\n"
	    "    listen unix:%s;\n"
	    "    location / { return 200 \"worker $pid\\n\"; }\n"
	    "  }\n"
	    "}\n", pidf, elog, sd->dir, sd->dir, sd->dir, sd->dir, sd->dir,
	    sock) == -1)
		sd_die("asprintf");
	sd_put_file(sd, "nginx.conf", a);
	free(a);
	config_child(sd, json_pack("{s:s, s:s, s:[s,s,s,s,s,s,s,s,s]}",
	    "id", "nginx", "stderr", "stdout", "argv", nginx,
	    "-e", elog, "-p", prefix, "-c", conf, "-g", "daemon off;"));
	assert_int_equal(sd_start(sd, NULL), 0);
	EXPECT(sd, "started root/nginx", "started root");
	master = sd_pid(sd, "root/nginx");
	/* nginx writes its pid file once its sockets listen. */
	assert_int_equal(sd_read_pid(sd, "nginx.pid"), master);

	a = ask(sock, "GET / HTTP/1.0\r\nHost: test\r\n\r\n", NULL);
	if (strncmp(a, "HTTP/1.1 200 ", 13) != 0 ||
	    (body = strstr(a, "\r\n\r\nworker ")) == NULL)
		fail_msg("nginx answered: %s", a);
	worker = (pid_t)strtol(body + 11, NULL, 10);
	free(a);
	/* The worker that answered is the master's child, in its group:
	 * what the check after the stop must find gone. */
	assert_int_equal(proc_ppid(worker), master);
	assert_int_equal(proc_pgid(worker), master);
	assert_true(is_nginx(worker));
	ppids[0] = master;
	ppids[1] = sd->pid;
	n = nginx_procs(master, ppids, 2, pids, 16);
	assert_in_range(n, 2, 16);
	for (i = 0; i < n; i++)
		sd_track(pids[i]);

	assert_int_equal(sd_ctl(sd, NULL, "stop", "root/nginx", (char *)NULL),
	    0);
	EXPECT(sd, "exited root/nginx by_supervisor=true");
	assert_state(sd, "root/nginx", "stopped");
	/* The master waits for its workers before it exits. */
	assert_int_equal(nginx_procs(master, ppids, 2, pids, 16), 0);
	for (i = 0; i < n; i++)
		assert_int_equal(proc_state(pids[i]), 0);

	assert_int_equal(sd_ctl(sd, NULL, "shutdown", (char *)NULL), 0);
	assert_int_equal(sd_wait_exit(sd), 0);
	EXPECT(sd, "shutdown root reason=shutdown");
	EXPECT_END(sd);
}

/* ---- a daemon that forks ---- */

/* DIR/forkd, the classic daemon; its path. */
static const char *
put_forkd(struct sd *sd)
{
	const char *path;

	sd_put_file(sd, "forkd", forkd);
	path = sd_file(sd, "forkd");
	if (chmod(path, 0755) == -1)
		sd_die("chmod forkd");
	return path;
}

/* Its foreground flag makes it an ordinary worker. */
static void
test_forking_foreground(void **state)
{
	struct sd *sd = *state;
	char prog[128], pidf[128];
	pid_t pid;

	sd_config(sd, "{ \"children\": [] }");
	snprintf(prog, sizeof(prog), "%s", put_forkd(sd));
	snprintf(pidf, sizeof(pidf), "%s", sd_file(sd, "forkd.pid"));
	config_child(sd, json_pack("{s:s, s:[s,s,s]}", "id", "forkd",
	    "argv", prog, "-f", pidf));
	assert_int_equal(sd_start(sd, NULL), 0);
	EXPECT(sd, "started root/forkd", "started root");
	pid = sd_pid(sd, "root/forkd");
	assert_int_equal(sd_read_pid(sd, "forkd.pid"), pid);
	assert_int_equal(proc_pgid(pid), pid);

	assert_int_equal(unlink(pidf), 0);
	assert_int_equal(kill(pid, SIGKILL), 0);
	EXPECT(sd, "exited root/forkd signal=KILL class=abnormal",
	    "started root/forkd");
	assert_int_equal(sd_read_pid(sd, "forkd.pid"),
	    sd_pid(sd, "root/forkd"));

	assert_int_equal(sd_ctl(sd, NULL, "shutdown", (char *)NULL), 0);
	assert_int_equal(sd_wait_exit(sd), 0);
	EXPECT(sd, "exited root/forkd signal=TERM class=normal"
	    " by_supervisor=true", "shutdown root reason=shutdown");
	EXPECT_END(sd);
}

/*
 * Wait until the wrapper pid handles sig, that is, has read the pid
 * file and set its traps: a signal sent before would end the wrapper,
 * not reach the daemon. The kernel tells nobody, so this looks at
 * /proc/PID/status now and then, as wait_ppid does.
 */
static void
wait_caught(pid_t pid, int sig)
{
	long long deadline = now_ms() + SD_TIMEOUT;
	unsigned long long mask;
	char path[64], line[256];
	FILE *f;
	int found;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	for (;;) {
		found = 0;
		if ((f = fopen(path, "re")) == NULL)
			fail_msg("%s: %s", path, strerror(errno));
		while (fgets(line, sizeof(line), f) != NULL)
			if (sscanf(line, "SigCgt: %llx", &mask) == 1)
				found = (mask >> (sig - 1)) & 1;
		fclose(f);
		if (found)
			return;
		if (ms_left(deadline) == 0)
			fail_msg("%d does not handle signal %d", (int)pid, sig);
		nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
	}
}

/*
 * Without one, the wrapper stays in the foreground for it: the daemon
 * runs outside the worker's process group, yet a stop ends it, a
 * SIGHUP reaches it, and its own death is the worker's crash, restarted.
 */
static void
test_forking_wrapper(void **state)
{
	struct sd *sd = *state;
	char prog[128], pidf[128], report[128];
	pid_t wrapper, daemon1, daemon2;

	sd_config(sd, "{ \"children\": [] }");
	snprintf(prog, sizeof(prog), "%s", put_forkd(sd));
	snprintf(pidf, sizeof(pidf), "%s", sd_file(sd, "forkd.pid"));
	/* The test reads and removes the report, never the wrapper's pid
	 * file, which only the wrapper reads. */
	snprintf(report, sizeof(report), "%s", sd_file(sd, "forkd.report"));
	config_child(sd, json_pack("{s:s, s:[s,s,s,s,s,s,s,s]}", "id", "forkd",
	    "argv", "/bin/sh", "-c", WRAPPER, "forking", pidf, prog, pidf,
	    report));
	assert_int_equal(sd_start(sd, NULL), 0);
	EXPECT(sd, "started root/forkd", "started root");
	wrapper = sd_pid(sd, "root/forkd");
	daemon1 = sd_read_pid(sd, "forkd.report");
	sd_track(daemon1);
	/* A real daemon: out of the worker's group, its parent gone, so
	 * supervisord (the subreaper) inherited it. */
	assert_true(proc_pgid(daemon1) != wrapper);
	assert_int_equal(proc_ppid(daemon1), sd->pid);

	/* Its death ends the wrapper with 1: a crash. */
	assert_int_equal(unlink(report), 0);
	assert_int_equal(kill(daemon1, SIGKILL), 0);
	EXPECT(sd, "exited root/forkd code=1 class=abnormal"
	    " by_supervisor=false", "started root/forkd");
	daemon2 = sd_read_pid(sd, "forkd.report");
	sd_track(daemon2);
	assert_true(daemon2 != daemon1);
	assert_true(proc_state(daemon2) != 0);

	/* SIGHUP goes on to the daemon, which this one dies of. */
	wait_caught(sd_pid(sd, "root/forkd"), SIGHUP);
	assert_int_equal(unlink(report), 0);
	assert_int_equal(sd_ctl(sd, NULL, "signal", "HUP", "root/forkd",
	    (char *)NULL), 0);
	EXPECT(sd, "exited root/forkd code=1 class=abnormal"
	    " by_supervisor=false", "started root/forkd");
	assert_int_equal(wait_gone(daemon2), 0);
	daemon2 = sd_read_pid(sd, "forkd.report");
	sd_track(daemon2);
	assert_true(proc_state(daemon2) != 0);

	/* A stop reaches it through the wrapper, which waits for it. */
	wait_caught(sd_pid(sd, "root/forkd"), SIGHUP);
	assert_int_equal(sd_ctl(sd, NULL, "stop", "root/forkd", (char *)NULL),
	    0);
	EXPECT(sd, "exited root/forkd code=0 class=normal by_supervisor=true");
	assert_int_equal(proc_state(daemon2), 0);

	assert_int_equal(sd_ctl(sd, NULL, "shutdown", (char *)NULL), 0);
	assert_int_equal(sd_wait_exit(sd), 0);
	EXPECT(sd, "shutdown root reason=shutdown");
	EXPECT_END(sd);
}

#define T(f) cmocka_unit_test_setup_teardown(f, sd_setup, sd_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_redis),
		T(test_nginx),
		T(test_forking_foreground),
		T(test_forking_wrapper),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
