/*
 * runtime.c: the side of supervisord that touches the system: it runs the
 * supervision core (tree.c, rules.c) on the event loop, carrying out its
 * spawns, signals and timers, and feeding it exits, READY=1 and commands.
 */
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "config.h"
#include "control.h"
#include "events.h"
#include "log.h"
#include "msg.h"
#include "notifysock.h"
#include "pidmap.h"
#include "plan.h"
#include "proc.h"
#include "runtime.h"
#include "signame.h"
#include "spawn.h"
#include "statefile.h"
#include "survivors.h"
#include "tree.h"
#include "waits.h"

/* What the runtime keeps per node. */
struct rt {
	struct msg_timer	*timer;		/* the core's one timer */
	struct msg_timer	*watchdog;
	int			 listen_fd;
	char			*listen_path;	/* the socket we bound there */
	ino_t			 listen_ino;
	int			 exec_fd;	/* the pending spawn's report */
	char			*exec_err;	/* what it reported, or NULL */
};

static struct msg_loop		*loop;
static struct tree		*tree;
static struct msg_server	*ctl;
static struct runtime_opts	*opts;
static char			 notify_path[4200];
static int			 exit_status = -1;
static int			 ready_fd = -1;	/* background: tell the parent */
static int			 shutting_down;	/* a reload would never run */

static void
now(void)
{
	tree_set_now(tree, msg_loop_now(loop));
}

static struct rt *
rt_of(struct node *n)
{
	struct rt *r;

	if (n->rt == NULL && (r = calloc(1, sizeof(*r))) != NULL) {
		r->listen_fd = -1;
		r->exec_fd = -1;
		n->rt = r;
	}
	return n->rt;
}

static void
cancel(struct msg_timer **t)
{
	if (*t != NULL)
		msg_timer_cancel(loop, *t);
	*t = NULL;
}

/* --- the core's callbacks --- */

static void
on_watchdog(struct msg_loop *l, void *arg)
{
	struct node *n = arg;

	rt_of(n)->watchdog = NULL;
	if (n->pid == 0)
		return;
	log_warnx("%s: no WATCHDOG=1 within %lld ms; killing", n->path,
	    (long long)n->spec->watchdog);
	killpg(n->pid, SIGKILL);
}

static void
arm_watchdog(struct node *n)
{
	struct rt *r = rt_of(n);

	cancel(&r->watchdog);
	if (n->spec->watchdog > 0)
		r->watchdog = msg_timer_start(loop, (uint64_t)n->spec->watchdog,
		    on_watchdog, n);
}

/* Socket activation: bound once, kept across restarts. */
static int
listen_fd(struct node *n, char *err, size_t len)
{
	struct rt *r = rt_of(n);
	char path[4200];
	struct stat st;
	int e;

	if (n->spec->listen == NULL || r->listen_fd != -1)
		return 0;
	snprintf(path, sizeof(path), "%s/%s.sock", opts->rundir,
	    n->spec->listen);
	if ((r->listen_fd = msg_listen(path, path, sizeof(path))) == -1) {
		e = errno;
		snprintf(err, len, "listen %s: %s", path, strerror(e));
		errno = e;
		return -1;
	}
	if (stat(path, &st) == 0 && (r->listen_path = strdup(path)) != NULL)
		r->listen_ino = st.st_ino;
	return 0;
}

static void
exec_unwatch(struct rt *r)
{
	if (r->exec_fd == -1)
		return;
	msg_loop_del_fd(loop, r->exec_fd);
	close(r->exec_fd);
	r->exec_fd = -1;
}

/*
 * The spawn's report: end of file once execve succeeded, else why a
 * step before it failed. A failed child exits at once; the core hears
 * of it when it is reaped, so a node's process is gone when it hears.
 */
/* 1 nothing yet, 0 execve succeeded, -1 failed (why in r->exec_err). */
static int
read_report(struct rt *r)
{
	char why[160];
	int res;

	if ((res = spawn_result(r->exec_fd, why, sizeof(why))) == 1)
		return 1;
	exec_unwatch(r);
	if (res == -1 && (r->exec_err = strdup(why)) == NULL)
		r->exec_err = strdup("out of memory");
	return res;
}

static void
on_exec_report(struct msg_loop *l, int fd, unsigned events, void *arg)
{
	struct node *n = arg;

	if (read_report(rt_of(n)) == 0) {
		/* The watchdog runs from the program's start, as the started
		 * event says; until then start_timeout bounds the way there. */
		arm_watchdog(n);
		now();
		tree_execed(tree, n);
	}
}

static pid_t
cb_spawn(struct tree *t, struct node *n, int *pending, char *err, size_t len)
{
	struct spawn_req req;
	struct rt *r;
	pid_t pid;
	int fd;

	if ((r = rt_of(n)) == NULL) {
		snprintf(err, len, "out of memory");
		return -1;
	}
	/* Out of descriptors is a shortage, as in spawn(). */
	if (listen_fd(n, err, len) == -1)
		return errno == EMFILE || errno == ENFILE ? SPAWN_LATER : -1;
	memset(&req, 0, sizeof(req));
	req.spec = n->spec;
	req.path = n->path;
	req.rundir = opts->rundir;
	req.notify = notify_path;
	req.listen_fd = r->listen_fd;
	req.extra = n->extra;
	req.nextra = n->nextra;
	req.nofile = opts->nofile.rlim_max != 0 ? &opts->nofile : NULL;
	if ((pid = spawn(&req, &fd, err, len)) < 0)
		return pid == SPAWN_AGAIN ? SPAWN_LATER : -1;
	if (pidmap_put(pid, n) == -1 ||
	    msg_loop_add_fd(loop, fd, MSG_EV_READ, on_exec_report, n) == -1) {
		pidmap_del(pid);
		close(fd);
		killpg(pid, SIGKILL);
		snprintf(err, len, "spawn: %s", strerror(errno));
		return -1;
	}
	r->exec_fd = fd;
	*pending = 1;
	return pid;
}

static void
cb_kill(struct tree *t, struct node *n, int sig)
{
	if (n->pid > 0 && killpg(n->pid, sig) == -1 && errno == ESRCH)
		kill(n->pid, sig);
}

static void
on_timer(struct msg_loop *l, void *arg)
{
	struct node *n = arg;

	rt_of(n)->timer = NULL;
	now();
	tree_timer(tree, n);
}

static void
cb_timer(struct tree *t, struct node *n, int64_t ms)
{
	struct rt *r = rt_of(n);

	if (r == NULL)
		return;
	cancel(&r->timer);
	if (ms > 0)
		r->timer = msg_timer_start(loop, (uint64_t)ms, on_timer, n);
}

static void
cb_event(struct tree *t, json_t *ev)
{
	const char *e = json_string_value(json_object_get(ev, "event"));
	const char *p = json_string_value(json_object_get(ev, "path"));

	json_t *v;

	/* Crashes and start errors are logged where they are decided. */
	if (e != NULL && p != NULL && (strcmp(e, "started") == 0 ||
	    strcmp(e, "ready") == 0))
		log_info("%s: %s", p, e);
	else if (e != NULL && p != NULL && strcmp(e, "exited") == 0 &&
	    json_is_true(json_object_get(ev, "by_supervisor"))) {
		if ((v = json_object_get(ev, "signal")) != NULL)
			log_info("%s: stopped (signal %s)", p,
			    json_string_value(v));
		else if ((v = json_object_get(ev, "code")) != NULL)
			log_info("%s: stopped (exit code %lld)", p,
			    (long long)json_integer_value(v));
		else
			log_info("%s: stopped", p);
	}
	events_emit(json_incref(ev));
	/* After it is published: a waiting call answered here finds its
	 * event in the stream already. */
	waits_event(t, ev);
	json_decref(ev);
}

static void
cb_log(struct tree *t, const char *line)
{
	log_info("%s", line);
}

static void
tell_parent(unsigned char status)
{
	if (ready_fd == -1)
		return;
	(void)!write(ready_fd, &status, 1);
	close(ready_fd);
	ready_fd = -1;
}

/*
 * Give freed heap back to the system. Parsing the config and building a
 * status reply leave megabytes free inside the heap that malloc keeps
 * (10,000 children: 16 MiB resident after the start, 13 after a trim;
 * 31 after a status --json, 13 after a trim). After a reply it waits a
 * little, so the reply never waits for it.
 */
static struct msg_timer		*trim_timer;

static void
on_trim(struct msg_loop *l, void *arg)
{
	trim_timer = NULL;
	malloc_trim(0);
}

static void
trim_later(void)
{
	if (trim_timer == NULL)
		trim_timer = msg_timer_start(loop, 200, on_trim, NULL);
}

static void
cb_started(struct tree *t)
{
	log_info("tree started");
	malloc_trim(0);
	if (msg_notify("READY=1") == -1)
		log_warn("READY=1 to $NOTIFY_SOCKET");
	tell_parent(0);
}

static void
cb_exit(struct tree *t, int status)
{
	exit_status = status;
	msg_loop_stop(loop);
}

/* The socket we bound, not one a successor bound there since. */
static void
unlink_ours(const char *path, ino_t ino)
{
	struct stat st;

	if (path != NULL && stat(path, &st) == 0 && st.st_ino == ino)
		unlink(path);
}

static void
cb_forget(struct tree *t, struct node *n)
{
	struct rt *r = n->rt;

	if (n->pid > 0)
		pidmap_del(n->pid);
	waits_forget(t, n);
	if (r == NULL)
		return;
	cancel(&r->timer);
	cancel(&r->watchdog);
	exec_unwatch(r);
	free(r->exec_err);
	if (r->listen_fd != -1)
		close(r->listen_fd);
	unlink_ours(r->listen_path, r->listen_ino);
	free(r->listen_path);
	free(r);
	n->rt = NULL;
}

/*
 * The operator's holds on disk (supervisord(8), STATE FILE). Changes
 * are saved before the loop next sleeps, in one write however many
 * one command made (stop of many paths); a write that fails is a
 * warning, and the next change tries again.
 */
static struct msg_timer		*save_timer;
static int			 save_due;

static void
save_holds(void)
{
	const struct held *v;
	char err[4400];
	size_t n;

	cancel(&save_timer);
	save_due = 0;
	if (opts->statedir[0] == '\0')
		return;
	v = tree_holds(tree, &n);
	if (statefile_write(opts->statedir, v, n, err, sizeof(err)) == -1)
		log_warnx("%s; operator state not saved", err);
}

static void
on_save(struct msg_loop *l, void *arg)
{
	save_timer = NULL;
	save_holds();
}

static void
cb_held(struct tree *t)
{
	save_due = 1;
	if (save_timer == NULL &&
	    (save_timer = msg_timer_start(loop, 0, on_save, NULL)) == NULL)
		save_holds();
}

/* Before the tree starts: what the operator held stays held. */
static void
load_holds(const struct spec *root)
{
	struct held *v;
	char err[8500];
	size_t n, i;
	int pruned;

	if (opts->statedir[0] == '\0')
		return;
	if (statefile_read(opts->statedir, root, &v, &n, &pruned, err,
	    sizeof(err)) != 0)
		log_warnx("state file %s", err);
	for (i = 0; i < n; i++) {
		if (tree_hold(tree, v[i].path, v[i].stopped) == -1) {
			log_warnx("state file: out of memory");
			break;
		}
		/* Say why a child the file would start does not start. */
		if (v[i].stopped)
			log_info("%s: stays stopped, as the operator left it "
			    "(%s/state.json)", v[i].path, opts->statedir);
	}
	holds_vfree(v, n);
	if (pruned)
		save_holds();
}

/* restart_delay's jitter: no seed to manage, never blocks. */
static uint32_t
cb_random(struct tree *t)
{
	return arc4random();
}

static void
cb_op_done(struct tree *t, struct node *n)
{
	waits_op_done(t, n);
}

static const char *
cb_program(struct tree *t, const struct node *n, char *buf, size_t len)
{
	return spawn_resolve(n->spec->argv[0], buf, len) == 0 ? buf : NULL;
}

static const struct tree_ops ops = {
	.spawn = cb_spawn,
	.kill = cb_kill,
	.timer = cb_timer,
	.event = cb_event,
	.log = cb_log,
	.started = cb_started,
	.exit = cb_exit,
	.forget = cb_forget,
	.held = cb_held,
	.random = cb_random,
	.op_done = cb_op_done,
	.program = cb_program,
};

/* --- what the system tells us --- */

/*
 * A child of a pending spawn is gone: its report is all in the pipe by
 * now. Either a step before execve failed, or (end of file) the program
 * ran and has already ended; the core hears both in order.
 */
static void
reaped(struct node *n, int st)
{
	struct rt *r = rt_of(n);
	char *path, *why;
	int res;

	/* Dead, so its report is all there: nothing yet means it ran. */
	if (r->exec_fd != -1 && (res = read_report(r)) != -1) {
		if (res == 1)
			exec_unwatch(r);
		/* What it sets off may remove n: look it up again. */
		if ((path = strdup(n->path)) == NULL)
			return;
		tree_execed(tree, n);
		n = tree_find(tree, path);
		free(path);
		if (n == NULL)
			return;
		r = rt_of(n);
	}
	if ((why = r->exec_err) != NULL) {
		/* n may be gone after this, and r with it. */
		r->exec_err = NULL;
		tree_start_failed(tree, n, why);
		free(why);
		return;
	}
	tree_exited(tree, n, st);
}

static void
on_sigchld(struct msg_loop *l, int signo, void *arg)
{
	struct node *n;
	pid_t pid;
	int st;

	/* One SIGCHLD may stand for many exits: reap until none is left,
	 * orphans we inherited as subreaper included. */
	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		if ((n = pidmap_get(pid)) == NULL) {
			log_debug("reaped orphan %d", (int)pid);
			continue;
		}
		pidmap_del(pid);
		cancel(&rt_of(n)->watchdog);
		now();
		reaped(n, st);
	}
}

/*
 * Which worker a notification speaks for: the one whose process sent
 * it, or the nearest worker among the sender's ancestors (a helper such
 * as systemd-notify run from a worker's script). Not the process group:
 * a child may join a sibling's group and speak for it (supervisord(8),
 * SECURITY).
 */
static struct node *
notifier(pid_t pid)
{
	static pid_t self;
	struct node *n;
	int depth;

	if (self == 0)
		self = getpid();
	for (depth = 0; depth < 64 && pid > 1 && pid != self; depth++) {
		if ((n = pidmap_get(pid)) != NULL)
			return n;
		pid = parent_of(pid);
	}
	return NULL;
}

static void
on_notify(pid_t pid, int what, void *arg)
{
	struct node *n;

	if ((n = notifier(pid)) == NULL) {
		log_debug("notification from pid %d, not a worker's; ignored",
		    (int)pid);
		return;
	}
	now();
	if (what & NOTIFY_READY)
		tree_ready(tree, n);
	if ((what & NOTIFY_WATCHDOG) && n->pid != 0)
		arm_watchdog(n);
}

/*
 * What a reload cannot apply: every path begins with the root's id, and
 * the root, which no one restarts, cannot turn into or out of a
 * simple_one_for_one supervisor. Refused like a file with errors.
 */
static int
reload_refused(const struct spec *root, const char *file, char *err,
    size_t len)
{
	const struct spec *cur = tree_root(tree)->spec;

	if (strcmp(root->id, cur->id) != 0)
		snprintf(err, len, "config unchanged:\n%s: root: "
		    "\"id\": the root's id cannot change on reload (it is "
		    "\"%s\")", file, cur->id);
	else if ((root->strategy == SIMPLE_ONE_FOR_ONE) !=
	    (cur->strategy == SIMPLE_ONE_FOR_ONE))
		snprintf(err, len, "config unchanged:\n%s: root: "
		    "\"strategy\": the root cannot become or stop being "
		    "simple_one_for_one on reload", file);
	else
		return 0;
	return 1;
}

/* A refused reload is logged, whoever asked; err is for the asker. */
static int
reload(json_t **plan, char *err, size_t len)
{
	struct spec *root;
	char *errs = NULL;

	/* A reload would never run: the root's mailbox is closed. */
	if (shutting_down || tree_shutting_down(tree)) {
		snprintf(err, len, "supervisord is shutting down");
		return -1;
	}
	if ((root = config_load(opts->config, &errs)) == NULL) {
		snprintf(err, len, "config unchanged:\n%s",
		    errs ? errs : "unreadable");
		free(errs);
		log_warnx("reload: %s", err);
		return -1;
	}
	if (reload_refused(root, opts->config, err, len)) {
		spec_free(root);
		log_warnx("reload: %s", err);
		return -1;
	}
	log_info("reloading %s", opts->config);
	now();
	/* Just before it is applied: what the reply says it did. */
	if (plan != NULL && (*plan = tree_plan(tree, root)) == NULL)
		log_warnx("reload: out of memory for its plan");
	tree_reload(tree, root);
	return 0;
}

static void
on_signal(struct msg_loop *l, int signo, void *arg)
{
	char err[8192];

	now();
	if (signo == SIGHUP) {
		(void)reload(NULL, err, sizeof(err));
		return;
	}
	log_info("SIG%s: stopping the tree", signal_name(signo));
	shutting_down = 1;
	tree_shutdown(tree);
	waits_stopping();
}

/* --- what the control commands need: commands.c --- */

static struct tree *
ctl_tree(void)
{
	now();
	return tree;
}

static void
ctl_shutdown(void)
{
	shutting_down = 1;
	tree_shutdown(ctl_tree());
	waits_stopping();
}

/*
 * What a reload to FILE (NULL: the tree's own file) would do, from the
 * same checks a reload makes; nothing changes.
 */
static json_t *
plan(const char *file, char *err, size_t len)
{
	struct spec *root;
	char *errs = NULL;
	json_t *v;

	if (file == NULL)
		file = opts->config;
	if ((root = config_load(file, &errs)) == NULL) {
		snprintf(err, len, "%s", errs ? errs : "unreadable");
		free(errs);
		return NULL;
	}
	if (reload_refused(root, file, err, len)) {
		/* Only a reload leaves anything unchanged. */
		if (strncmp(err, "config unchanged:\n", 18) == 0)
			memmove(err, err + 18, strlen(err + 18) + 1);
		spec_free(root);
		return NULL;
	}
	now();
	if ((v = tree_plan(tree, root)) == NULL)
		snprintf(err, len, "out of memory");
	spec_free(root);
	return v;
}

static const struct control_env control = {
	.tree = ctl_tree,
	.reload = reload,
	.shutdown = ctl_shutdown,
	.trim_later = trim_later,
	.plan = plan,
};

/* --- life --- */

static int
setup_signals(void)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP };
	size_t i;

	if (msg_loop_signal(loop, SIGCHLD, on_sigchld, NULL) == -1)
		return -1;
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (msg_loop_signal(loop, sigs[i], on_signal, NULL) == -1)
			return -1;
	return 0;
}

/*
 * Without -f on a terminal we go to the background, but the parent
 * waits until the tree is up (or failed) so its exit status tells.
 * Nothing is thrown away: the daemon's messages go to syslog (-s) or
 * to the log file, and so does the output of "inherit" children, which
 * is ours; the terminal is told where, once, before we let go of it.
 */
static int
open_log(char *path, size_t len)
{
	int fd;

	if (opts->logfile != NULL)
		strlcpy(path, opts->logfile, len);
	else
		snprintf(path, len, "%s/supervisord.log", opts->rundir);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC |
	    O_NOCTTY, 0600)) == -1)
		log_warn("log file %s", path);
	return fd;
}

static int
background(void)
{
	char path[4200];
	unsigned char st = 1;
	int pfd[2], fd;
	pid_t pid;

	if ((fd = open_log(path, sizeof(path))) == -1)
		return -1;
	if (pipe2(pfd, O_CLOEXEC) == -1 || (pid = fork()) == -1) {
		log_warn("going to the background");
		close(fd);
		return -1;
	}
	if (pid > 0) {
		close(fd);
		close(pfd[1]);
		if (read(pfd[0], &st, 1) != 1)
			st = 1;
		if (st != 0)
			fprintf(stderr, "supervisord: exited with status %d; "
			    "see %s\n", st, opts->syslog ? "syslog" : path);
		_exit(st);
	}
	close(pfd[0]);
	ready_fd = pfd[1];
	setsid();
	if (opts->syslog)
		fprintf(stderr, "supervisord: running in the background "
		    "(pid %d); log: syslog; output: %s\n", (int)getpid(), path);
	else
		fprintf(stderr, "supervisord: running in the background "
		    "(pid %d); log: %s\n", (int)getpid(), path);
	fflush(stdout);
	fflush(stderr);
	if (freopen("/dev/null", "r", stdin) == NULL ||
	    dup2(fd, STDOUT_FILENO) == -1 || dup2(fd, STDERR_FILENO) == -1) {
		log_warn("log file %s", path);
		close(fd);
		return -1;
	}
	close(fd);
	if (!opts->syslog)
		log_timestamps(1);
	return 0;
}

/*
 * Clients may hold half the descriptors, less a reserve, and at most
 * 1,024 connections: the rest is for supervision, so no number of idle
 * clients can make a restart fail (supervisord(8), LIMITS).
 */
static void
control_limits(struct msg_server_opts *o)
{
	struct rlimit rl;
	size_t n = 1024;

	memset(o, 0, sizeof(*o));
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		n = rl.rlim_cur > 64 + 32 ? (size_t)(rl.rlim_cur - 64) / 2 : 16;
	o->max_peers = n > 1024 ? 1024 : n;
	o->max_peers_per_uid = o->max_peers - o->max_peers / 4;
	o->max_payload = 1u << 20;	/* commands are small */
	o->max_buffered = 64u << 20;
}

static int
open_sockets(void)
{
	struct msg_server_opts so;

	control_limits(&so);
	if ((ctl = control_open(loop, opts->rundir, &control, &so)) == NULL) {
		log_warn("control socket %s/supervisord.sock", opts->rundir);
		return -1;
	}
	snprintf(notify_path, sizeof(notify_path), "%s/notify.sock",
	    opts->rundir);
	if (notifysock_open(loop, notify_path, on_notify, NULL) == -1) {
		log_warn("notify socket %s", notify_path);
		return -1;
	}
	return 0;
}

int
runtime_main(struct runtime_opts *o, struct spec *root)
{
	opts = o;
	if (o->background && background() == -1) {
		spec_free(root);
		return EX_OSERR;
	}
	rundir_lock_write();
	if ((loop = msg_loop_new()) == NULL || setup_signals() == -1) {
		log_warn("event loop");
		spec_free(root);
		return EX_OSERR;
	}
	if (open_sockets() == -1 ||
	    (tree = tree_new(root, &ops, NULL)) == NULL) {
		spec_free(root);
		exit_status = EX_OSERR;
		goto out;
	}
	waits_init(loop);
	log_info("starting %s (run directory %s)", o->config, o->rundir);
	load_holds(root);
	now();
	tree_start(tree);
	if (exit_status == -1 && msg_loop_run(loop) == -1) {
		log_warn("event loop");
		exit_status = EX_OSERR;
	}
	waits_free();
	/* Every event reaches the subscribers before we go. */
	if (ctl != NULL)
		msg_server_flush(ctl, 2000);
out:
	tell_parent((unsigned char)exit_status);
	if (save_due)
		save_holds();
	cancel(&trim_timer);
	tree_free(tree);
	notifysock_close(loop);
	msg_server_free(ctl);
	events_free();
	pidmap_free();
	msg_loop_free(loop);
	return exit_status;
}
