/*
 * test_sd_defects.c: what one bad child, a crowd of silent or greedy
 * clients, or a SIGKILL of supervisord must not do: freeze the daemon,
 * take the descriptors or memory supervision needs, or leave services
 * running twice. During each attack the daemon goes on supervising:
 * it restarts a killed child and answers status.
 */
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sdtest.h"

#define SLEEP	"[\"/bin/sleep\", \"1000\"]"

#ifdef __SANITIZE_ADDRESS__
#define SANITIZED	1
#else
#define SANITIZED	0
#endif
#define NCONN	300

/* The daemon keeps supervising: a killed child comes back. */
static void
still_supervising(struct sd *sd, const char *path)
{
	pid_t p = sd_pid(sd, path);
	json_t *e;

	kill(p, SIGKILL);
	assert_non_null(e = sd_wait(sd, "exited", path));
	assert_string_equal(sd_str(e, "signal"), "KILL");
	assert_int_not_equal(sd_started(sd, path), p);
}

static void
raise_nofile(void)
{
	struct rlimit rl;

	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
}

/* Read until the daemon closes fd: 0, or -1 if it does not in time. */
static int
wait_closed(int fd)
{
	long long deadline = now_ms() + SD_TIMEOUT;
	struct pollfd p = { fd, POLLIN, 0 };
	char buf[4096];
	ssize_t n;

	for (;;) {
		if (poll(&p, 1, ms_left(deadline)) <= 0)
			return -1;
		if ((n = read(fd, buf, sizeof(buf))) == 0 ||
		    (n == -1 && errno == ECONNRESET))
			return 0;
		if (n == -1 && errno != EINTR)
			return -1;
	}
}

/*
 * A child whose stdout is a FIFO without a reader blocks in open(2)
 * before execve. The daemon answers, restarts others, and gives the
 * stuck start up after start_timeout.
 */
static void
test_child_stuck_before_exec(void **state)
{
	struct sd *sd = *state;
	struct outcome o;
	json_t *e;

	/* s/a: another supervisor than b's, which waits for b's start. */
	sd_config(sd, "{ \"children\": [ { \"id\": \"s\", \"children\": ["
	    " { \"id\": \"a\", \"argv\": " SLEEP " } ] } ] }");
	assert_int_equal(mkfifo(sd_file(sd, "fifo"), 0600), 0);
	assert_int_equal(sd_start(sd, NULL), 0);
	assert_non_null(sd_wait(sd, "started", "root"));
	/* A reload starts b; answered when taken on, not once applied. */
	sd_rewrite(sd, "{ \"children\": [ { \"id\": \"s\", \"children\": ["
	    " { \"id\": \"a\", \"argv\": " SLEEP " } ] },"
	    " { \"id\": \"b\", \"argv\": " SLEEP ", \"stdout\": \"fifo\","
	    "   \"start_timeout\": 3000 } ] }");
	assert_int_equal(sd_ctl(sd, NULL, "reload", "--no-wait",
	    (char *)NULL), 0);
	/* Stuck in open(): not started, and the daemon answers. */
	assert_int_equal(sd_ctl(sd, &o, "-t", "3000", "status", "root/b",
	    (char *)NULL), 3);
	assert_non_null(strstr(o.out, "starting"));
	outcome_free(&o);
	still_supervising(sd, "root/s/a");
	assert_non_null(e = sd_wait(sd, "start_error", "root/b"));
	assert_non_null(strstr(sd_str(e, "error"), "did not reach execve"));
	assert_null(sd_find(sd, "started", "root/b"));
	assert_int_equal(sd_stop(sd), 0);
}

/* A client's HELLO, as libmsg(7) spells it. */
static const unsigned char hello[24] = { 8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 'L', 'M', 'S', 'G', 1, 0, 0, 0 };

/*
 * Hundreds of connections that never send HELLO, with the daemon's
 * descriptors limited: a restart still gets its descriptors, a client
 * that speaks at once is served (silent ones make room), and the silent
 * ones are all closed by the HELLO deadline. Connections that did say
 * HELLO fill the server: then a new one is refused, and told why.
 */
static void
test_silent_connections(void **state)
{
	static const char *const lim[] = { "prlimit", "--nofile=256", NULL };
	struct sd *sd = *state;
	struct outcome o;
	int fds[NCONN], i;

	raise_nofile();
	sd_config(sd, "{ \"children\": [ { \"id\": \"a\", \"argv\": " SLEEP
	    " } ] }");
	assert_int_equal(sd_start(sd, &(struct sd_opts){ .wrapper = lim }), 0);
	EXPECT(sd, "started root/a", "started root");
	for (i = 0; i < NCONN; i++)
		assert_true((fds[i] = sd_raw_connect(sd)) != -1);
	still_supervising(sd, "root/a");
	assert_int_equal(sd_ctl(sd, &o, "status", "root/a", (char *)NULL), 0);
	assert_non_null(strstr(o.out, "running"));
	outcome_free(&o);
	/* The server closes every silent one by itself. */
	for (i = 0; i < NCONN; i++) {
		assert_int_equal(wait_closed(fds[i]), 0);
		close(fds[i]);
	}
	/* 100 that said HELLO: more than one uid may hold (72 of 96). */
	/* Those past the bound are refused and closed: EPIPE is fine. */
	for (i = 0; i < 100; i++) {
		assert_true((fds[i] = sd_raw_connect(sd)) != -1);
		if (write(fds[i], hello, sizeof(hello)) == -1)
			assert_true(errno == EPIPE || errno == ECONNRESET);
	}
	assert_int_not_equal(sd_ctl(sd, &o, "status", (char *)NULL), 0);
	assert_non_null(strstr(o.err, "too many connections"));
	assert_null(strstr(o.err, "Permission denied"));
	outcome_free(&o);
	still_supervising(sd, "root/a");
	for (i = 0; i < 100; i++)
		close(fds[i]);
	assert_int_equal(sd_stop(sd), 0);
}

static long
rss_kib(pid_t pid)
{
	char path[64], line[256];
	long kib = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

/* HELLO, then most of a frame that announces 1,000,000 bytes. */
static int
send_partial(int fd, size_t body)
{
	unsigned char hdr[16] = { 0x40, 0x42, 0x0f, 0, 3, 0 };	/* CAST */
	static unsigned char junk[1 << 16];
	size_t off;
	ssize_t n;

	if (write(fd, hello, sizeof(hello)) != sizeof(hello) ||
	    write(fd, hdr, sizeof(hdr)) != sizeof(hdr))
		return -1;
	for (off = 0; off < body; off += (size_t)n) {
		n = write(fd, junk, body - off < sizeof(junk) ?
		    body - off : sizeof(junk));
		if (n == -1)
			return errno == EPIPE || errno == ECONNRESET ? 0 : -1;
	}
	return 0;
}

/*
 * 120 peers each holding 900 KB of an unfinished frame would be 108 MB:
 * the daemon's buffers stay under their bound (the peers holding most
 * are closed), the rest are closed at the frame deadline, and it goes
 * on supervising throughout.
 */
static void
test_greedy_connections(void **state)
{
	struct sd *sd = *state;
	struct outcome o;
	int fds[120], i;
	long kib;

	raise_nofile();
	sd_config(sd, "{ \"children\": [ { \"id\": \"a\", \"argv\": " SLEEP
	    " } ] }");
	assert_int_equal(sd_start(sd, NULL), 0);
	EXPECT(sd, "started root/a", "started root");
	for (i = 0; i < 120; i++) {
		assert_true((fds[i] = sd_raw_connect(sd)) != -1);
		assert_int_equal(send_partial(fds[i], 900000), 0);
	}
	/* The memory of valgrind or AddressSanitizer would swamp it. */
	if (getenv("SD_VALGRIND") == NULL && !SANITIZED) {
		assert_true((kib = rss_kib(sd->pid)) > 0);
		if (kib > 80 * 1024)
			fail_msg("supervisord holds %ld KiB", kib);
	}
	assert_int_equal(sd_ctl(sd, &o, "status", "root/a", (char *)NULL), 0);
	outcome_free(&o);
	still_supervising(sd, "root/a");
	for (i = 0; i < 120; i++) {
		assert_int_equal(wait_closed(fds[i]), 0);
		close(fds[i]);
	}
	assert_int_equal(sd_stop(sd), 0);
}

/* How many live processes run "/bin/sleep ARG". */
static int
count_sleeps(const char *arg)
{
	char want[64], path[300], buf[256];
	struct dirent *de;
	ssize_t len;
	size_t wl;
	int n = 0, fd;
	DIR *d;

	wl = (size_t)snprintf(want, sizeof(want), "/bin/sleep%c%s", 0, arg) + 1;
	assert_non_null(d = opendir("/proc"));
	while ((de = readdir(d)) != NULL) {
		if (atoi(de->d_name) <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%s/cmdline", de->d_name);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
			continue;
		len = read(fd, buf, sizeof(buf));
		close(fd);
		if (len == (ssize_t)wl && memcmp(buf, want, wl) == 0 &&
		    proc_state(atoi(de->d_name)) != 'Z')
			n++;
	}
	closedir(d);
	return n;
}

/*
 * supervisord killed with SIGKILL: its children die with it (they are
 * not reparented to live on), what they started is stopped by the next
 * supervisord on that run directory before it starts its own, and then
 * exactly one copy of each service runs.
 */
static void
test_sigkill_leaves_nothing(void **state)
{
	struct sd *sd = *state;
	char n[3][16];
	pid_t a, b, grand;
	char *s;
	int i;

	/* Durations no other run of this test uses: they name our sleeps. */
	for (i = 0; i < 3; i++)
		snprintf(n[i], sizeof(n[i]), "%d", 1000000 + (int)getpid() % 100000 *
		    10 + i);
	sd_config(sd, "{ \"children\": ["
	    " { \"id\": \"a\", \"argv\": [\"/bin/sh\", \"-c\","
	    "   \"/bin/sleep %s & echo $! > grand.tmp && mv grand.tmp grand;"
	    " exec /bin/sleep %s\"] },"
	    " { \"id\": \"b\", \"argv\": [\"/bin/sleep\", \"%s\"] } ] }",
	    n[0], n[1], n[2]);
	assert_int_equal(sd_start(sd, NULL), 0);
	a = sd_started(sd, "root/a");
	b = sd_started(sd, "root/b");
	assert_non_null(s = sd_read_file(sd, "grand"));
	grand = (pid_t)atoi(s);
	free(s);
	unlink(sd_file(sd, "grand"));
	kill(sd->pid, SIGKILL);
	assert_int_equal(sd_wait_exit(sd), 128 + SIGKILL);
	assert_int_equal(wait_gone(a), 0);
	assert_int_equal(wait_gone(b), 0);
	/* The grandchild outlived it; the next daemon ends it first. */
	assert_true(proc_state(grand) != 0);
	assert_int_equal(sd_start(sd, NULL), 0);
	assert_non_null(sd_wait(sd, "started", "root"));
	assert_int_equal(wait_gone(grand), 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(count_sleeps(n[i]), 1);
	assert_int_equal(sd_stop(sd), 0);
	assert_int_equal(count_sleeps(n[2]), 0);
}

/* Run directories it must refuse, by name; a bad file makes none. */
static void
test_rundir_messages(void **state)
{
	struct sd *sd = *state;
	struct outcome o;
	char link[200], dir[200];
	struct stat st;

	sd_config(sd, "{ \"children\": [ { \"id\": \"a\", \"argv\": " SLEEP
	    " } ] }");
	snprintf(dir, sizeof(dir), "%s/real", sd->dir);
	snprintf(link, sizeof(link), "%s/link", sd->dir);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(symlink(dir, link), 0);
	supd(&o, "-f", "-r", link, "-c", sd->conf, (char *)NULL);
	assert_int_equal(o.status, 71);
	assert_non_null(strstr(o.err, "is a symbolic link; refusing it"));
	outcome_free(&o);
	supd(&o, "-f", "-r", sd->conf, "-c", sd->conf, (char *)NULL);
	assert_int_equal(o.status, 71);
	assert_non_null(strstr(o.err, "is not a directory"));
	outcome_free(&o);
	/* A config error: 78, and no run directory made. */
	sd_rewrite(sd, "{ \"children\": [ { \"id\": \"a\" } ] }");
	snprintf(dir, sizeof(dir), "%s/fresh", sd->dir);
	supd(&o, "-f", "-r", dir, "-c", sd->conf, (char *)NULL);
	assert_int_equal(o.status, 78);
	outcome_free(&o);
	assert_int_equal(stat(dir, &st), -1);
	sd_cleanup(sd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_child_stuck_before_exec,
		    sd_setup, sd_teardown),
		cmocka_unit_test_setup_teardown(test_silent_connections,
		    sd_setup, sd_teardown),
		cmocka_unit_test_setup_teardown(test_greedy_connections,
		    sd_setup, sd_teardown),
		cmocka_unit_test_setup_teardown(test_sigkill_leaves_nothing,
		    sd_setup, sd_teardown),
		cmocka_unit_test_setup_teardown(test_rundir_messages,
		    sd_setup, sd_teardown),
	};

	signal(SIGPIPE, SIG_IGN);	/* a peer the daemon closed: EPIPE */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
