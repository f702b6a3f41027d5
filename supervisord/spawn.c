/*
 * spawn.c: fork and exec one worker with clean process hygiene. An exec
 * failure comes back through a close-on-exec pipe as a start error with
 * errno's text, never as a quick crash.
 */
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spawn.h"

extern char **environ;

/* What the child reports when a step before execve fails. */
struct child_err {
	char	step[24];
	int	err;
};

/*
 * Find argv[0]: @NAME is the worker NAME of the installation, whatever
 * PATH holds; a path as is; else in PATH, then the worker directory.
 */
int
spawn_resolve(const char *cmd, char *out, size_t size)
{
	const char *path = getenv("PATH"), *p, *e;
	char dirs[8192];

	if (cmd[0] == '@') {
		if ((size_t)snprintf(out, size, "%s/%s", spawn_workerdir(),
		    cmd + 1) >= size || access(out, X_OK) == -1) {
			errno = ENOENT;
			return -1;
		}
		return 0;
	}
	if (strchr(cmd, '/') != NULL)
		return strlcpy(out, cmd, size) < size ? 0 : -1;
	snprintf(dirs, sizeof(dirs), "%s:%s",
	    path ? path : "/usr/local/bin:/usr/bin:/bin", spawn_workerdir());
	for (p = dirs; p != NULL; p = e ? e + 1 : NULL) {
		e = strchr(p, ':');
		if ((size_t)snprintf(out, size, "%.*s/%s",
		    (int)(e ? e - p : (ptrdiff_t)strlen(p)), p, cmd) >= size)
			continue;
		if (access(out, X_OK) == 0)
			return 0;
	}
	errno = ENOENT;
	return -1;
}

const char *
spawn_workerdir(void)
{
	const char *d = getenv("SUPERVISORD_WORKERDIR");

	return d != NULL && *d != '\0' ? d : WORKERDIR;
}

static int
env_has(char **env, size_t n, const char *kv)
{
	size_t i, k = strcspn(kv, "=");

	for (i = 0; i < n; i++)
		if (strncmp(env[i], kv, k + 1) == 0)
			return 1;
	return 0;
}

/*
 * The child's environment: ours, overridden by the spec's env, then by
 * supkit's own variables. Later entries win, so add in that order and
 * skip inherited ones that are overridden.
 */
static char **
build_env(const struct spawn_req *r)
{
	const struct spec *s = r->spec;
	size_t nenv = 0, i, n = 0, nextra = 0;
	char **env, *extra[8];

	while (environ[nenv] != NULL)
		nenv++;
	if (asprintf(&extra[nextra++], "MSG_RUNDIR=%s", r->rundir) == -1 ||
	    asprintf(&extra[nextra++], "NOTIFY_SOCKET=%s", r->notify) == -1 ||
	    asprintf(&extra[nextra++], "SUPERVISOR_PATH=%s", r->path) == -1)
		return NULL;
	if (r->listen_fd != -1 &&
	    (asprintf(&extra[nextra++], "LISTEN_FDS=1") == -1 ||
	    asprintf(&extra[nextra++], "LISTEN_FDNAMES=%s", s->listen) == -1 ||
	    asprintf(&extra[nextra++], "LISTEN_PID=0000000000") == -1))
		return NULL;
	if ((env = calloc(nenv + s->nenv + nextra + 1, sizeof(*env))) == NULL)
		return NULL;
	for (i = 0; i < nextra; i++)
		env[n++] = extra[i];
	for (i = 0; i < s->nenv; i++)
		if (!env_has(env, n, s->env[i]))
			env[n++] = strdup(s->env[i]);
	for (i = 0; i < nenv; i++)
		if (!env_has(env, n, environ[i]) &&
		    strncmp(environ[i], "LISTEN_", 7) != 0)
			env[n++] = strdup(environ[i]);
	return env;
}

static int
open_output(const struct output *o, int fd, int stdout_fd)
{
	int f;

	switch (o->mode) {
	case OUT_INHERIT:
		return 0;
	case OUT_STDOUT:
		return dup2(stdout_fd, fd) == -1 ? -1 : 0;
	case OUT_NULL:
		f = open("/dev/null", O_WRONLY);
		break;
	case OUT_FILE:
		f = open(o->path, O_WRONLY | O_CREAT | O_APPEND, 0644);
		break;
	default:
		errno = EINVAL;
		return -1;
	}
	if (f == -1 || dup2(f, fd) == -1)
		return -1;
	if (f != fd)
		close(f);
	return 0;
}

static void __attribute__((noreturn))
child_fail(int errfd, const char *step)
{
	struct child_err ce;

	memset(&ce, 0, sizeof(ce));
	strlcpy(ce.step, step, sizeof(ce.step));
	ce.err = errno;
	(void)!write(errfd, &ce, sizeof(ce));
	_exit(127);
}

/*
 * The signals whose disposition is not SIG_DFL in supervisord, found once
 * in the parent (it sets its dispositions before its first spawn). Only
 * those need resetting in the child, not every signal: that was some 60
 * system calls on the path of every restart.
 */
static sigset_t	nondefault;
static int	nondefault_known;

static void
find_nondefault(void)
{
	struct sigaction old;
	int i;

	if (nondefault_known)
		return;
	sigemptyset(&nondefault);
	for (i = 1; i < NSIG; i++)
		if (sigaction(i, NULL, &old) == 0 && old.sa_handler != SIG_DFL)
			sigaddset(&nondefault, i);
	nondefault_known = 1;
}

static void
raw_default(int signo)
{
	struct {
		void		(*handler)(int);
		unsigned long	  flags;
		void		(*restorer)(void);
		uint64_t	  mask;
	} ksa;

	memset(&ksa, 0, sizeof(ksa));
	ksa.handler = SIG_DFL;
	syscall(SYS_rt_sigaction, signo, &ksa, NULL, sizeof(ksa.mask));
}

static void
reset_signals(void)
{
	struct sigaction sa;
	sigset_t none;
	int i;

	find_nondefault();	/* a no-op: the parent found them */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (i = 1; i < NSIG; i++)
		if (sigismember(&nondefault, i) == 1)
			sigaction(i, &sa, NULL);
	/* glibc keeps 32 and 33 for itself and refuses sigaction() on them,
	 * but an ignored disposition inherited there must not reach the
	 * child either: ask the kernel directly. */
	for (i = 32; i < SIGRTMIN; i++)
		raw_default(i);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* Set LISTEN_PID to our own pid in the slot build_env reserved. */
static void
set_listen_pid(char **env)
{
	size_t i;

	for (i = 0; env[i] != NULL; i++)
		if (strncmp(env[i], "LISTEN_PID=", 11) == 0)
			snprintf(env[i] + 11, 11, "%d", (int)getpid());
}

/*
 * Put the listening socket on 3 and the error pipe after it, then close
 * everything else. Done first, before any step that may block (opening
 * a FIFO, chdir on a dead mount), so a child that hangs there holds no
 * descriptor of ours: not the exec pipes of its siblings, which would
 * otherwise never read end-of-file.
 */
static int
arrange_fds(const struct spawn_req *r, int errfd, char **env)
{
	int fd;

	/* Out of the way of the descriptors we are about to set up. */
	if ((fd = fcntl(errfd, F_DUPFD_CLOEXEC, 10)) == -1)
		child_fail(errfd, "dup");
	errfd = fd;
	if (r->listen_fd != -1) {
		/* dup2 onto itself would keep close-on-exec set. */
		if (r->listen_fd == 3 ? fcntl(3, F_SETFD, 0) == -1 :
		    dup2(r->listen_fd, 3) == -1)
			child_fail(errfd, "listen fd");
		/* Programs expect a blocking socket from systemd too. */
		fcntl(3, F_SETFL, fcntl(3, F_GETFL) & ~O_NONBLOCK);
		set_listen_pid(env);
	}
	if ((fd = dup3(errfd, r->listen_fd != -1 ? 4 : 3, O_CLOEXEC)) == -1)
		child_fail(errfd, "dup");
	closefrom(fd + 1);
	return fd;
}

/*
 * Die with supervisord, unless it is PID 1 (then the kernel ends us all).
 * Set last: a change of credentials clears it. If supervisord died
 * before this, getppid() already names another process.
 */
static void
die_with_parent(pid_t parent)
{
	if (parent == 1)
		return;
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (getppid() != parent)
		_exit(127);
}

/* In the child: everything between fork and execve. */
static void __attribute__((noreturn))
child(const struct spawn_req *r, const char *file, char **argv, char **env,
    int errfd, const struct passwd *pw, gid_t gid, pid_t parent)
{
	const struct spec *s = r->spec;
	int fd;

	if (setpgid(0, 0) == -1)
		child_fail(errfd, "setpgid");
	reset_signals();
	errfd = arrange_fds(r, errfd, env);
	if ((fd = open("/dev/null", O_RDONLY)) == -1 || dup2(fd, 0) == -1)
		child_fail(errfd, "stdin");
	if (fd != 0)
		close(fd);
	if (open_output(&s->out, 1, 1) == -1)
		child_fail(errfd, "stdout");
	if (open_output(&s->err, 2, 1) == -1)
		child_fail(errfd, "stderr");
	if (r->nofile != NULL && setrlimit(RLIMIT_NOFILE, r->nofile) == -1)
		child_fail(errfd, "setrlimit");
	if (s->cwd != NULL && chdir(s->cwd) == -1)
		child_fail(errfd, "chdir");
	if (s->group != NULL && setgid(gid) == -1)
		child_fail(errfd, "setgid");
	if (pw != NULL && (initgroups(pw->pw_name,
	    s->group != NULL ? gid : pw->pw_gid) == -1 ||
	    (s->group == NULL && setgid(pw->pw_gid) == -1) ||
	    setuid(pw->pw_uid) == -1))
		child_fail(errfd, "setuid");
	die_with_parent(parent);
	execve(file, argv, env);
	child_fail(errfd, "execve");
}

static char **
build_argv(const struct spawn_req *r)
{
	const struct spec *s = r->spec;
	char **argv;
	size_t i, n = 0;

	if ((argv = calloc(s->argc + r->nextra + 1, sizeof(*argv))) == NULL)
		return NULL;
	for (i = 0; i < s->argc; i++)
		argv[n++] = s->argv[i];
	/* A worker named @NAME sees NAME, as if found in PATH: workers
	 * take their default name from argv[0]. */
	if (argv[0][0] == '@')
		argv[0]++;
	for (i = 0; i < r->nextra; i++)
		argv[n++] = r->extra[i];
	return argv;
}

/*
 * The child's report on fd, which spawn() made non-blocking: 0 execve
 * succeeded (the pipe closed empty), 1 nothing yet, -1 a step before
 * execve failed (why in err). The child then exits at once: the caller
 * reaps it as any other.
 */
int
spawn_result(int fd, char *err, size_t errlen)
{
	struct child_err ce;
	ssize_t n;

	while ((n = read(fd, &ce, sizeof(ce))) == -1 && errno == EINTR)
		;
	if (n == -1 && errno == EAGAIN)
		return 1;
	if (n == 0)
		return 0;
	if (n == (ssize_t)sizeof(ce)) {
		ce.step[sizeof(ce.step) - 1] = '\0';
		snprintf(err, errlen, "%s: %s", ce.step, strerror(ce.err));
	} else
		snprintf(err, errlen, "child setup failed");
	return -1;
}

static int
lookup_ids(const struct spec *s, struct passwd **pw, gid_t *gid, char *err,
    size_t errlen)
{
	struct group *gr;

	*pw = NULL;
	if (s->user != NULL && (*pw = getpwnam(s->user)) == NULL) {
		snprintf(err, errlen, "user \"%s\": no such user", s->user);
		return -1;
	}
	if (s->group != NULL) {
		if ((gr = getgrnam(s->group)) == NULL) {
			snprintf(err, errlen, "group \"%s\": no such group",
			    s->group);
			return -1;
		}
		*gid = gr->gr_gid;
	}
	return 0;
}

/* A shortage that passes: worth trying again later, not a crash. */
static int
transient(int e)
{
	return e == EMFILE || e == ENFILE || e == EAGAIN || e == ENOMEM;
}

pid_t
spawn(const struct spawn_req *r, int *errfd, char *err, size_t errlen)
{
	char file[4096], **argv = NULL, **env = NULL;
	struct passwd *pw;
	gid_t gid = 0;
	int pfd[2], e = 0;
	pid_t pid = -1, parent = getpid();

	if (spawn_resolve(r->spec->argv[0], file, sizeof(file)) == -1) {
		if (r->spec->argv[0][0] == '@')
			snprintf(err, errlen, "execve: %s: no worker %s in %s",
			    r->spec->argv[0], r->spec->argv[0] + 1,
			    spawn_workerdir());
		else
			snprintf(err, errlen, "execve: %s: not found in PATH "
			    "or %s", r->spec->argv[0], spawn_workerdir());
		return -1;
	}
	if (lookup_ids(r->spec, &pw, &gid, err, errlen) == -1)
		return -1;
	find_nondefault();
	if ((argv = build_argv(r)) == NULL || (env = build_env(r)) == NULL ||
	    pipe2(pfd, O_CLOEXEC) == -1) {
		e = errno;
		snprintf(err, errlen, "spawn: %s", strerror(e));
		goto out;
	}
	if ((pid = fork()) == -1) {
		e = errno;
		snprintf(err, errlen, "fork: %s", strerror(e));
		close(pfd[0]);
		close(pfd[1]);
		goto out;
	}
	if (pid == 0) {
		close(pfd[0]);
		child(r, file, argv, env, pfd[1], pw, gid, parent);
	}
	close(pfd[1]);
	/* Also in the parent, so a signal to the group cannot race exec. */
	setpgid(pid, pid);
	fcntl(pfd[0], F_SETFL, O_NONBLOCK);
	*errfd = pfd[0];
out:
	free(argv);
	strv_free(env);
	if (pid == -1 && transient(e))
		return SPAWN_AGAIN;
	return pid;
}
