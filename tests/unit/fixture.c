/*
 * fixture.c: a private run directory, a notify socket and forked children
 * for the unit tests (fixture.h).
 */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "msg.h"
#include "fixture.h"

static char env_rundir[128], env_notify[160];

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

int
fx_setup(void **state)
{
	struct sockaddr_un sun;
	struct fx *fx;

	if ((fx = calloc(1, sizeof(*fx))) == NULL)
		return -1;
	fx->keep_fd = fx->death_fd = -1;
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/%s.XXXXXX",
	    program_invocation_short_name);
	if (mkdtemp(fx->dir) == NULL)
		return -1;
	FX_PUTENV(env_rundir, "MSG_RUNDIR", fx->dir);
	unsetenv("NOTIFY_SOCKET");
	snprintf(fx->notify, sizeof(fx->notify), "%s/notify", fx->dir);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strlcpy(sun.sun_path, fx->notify, sizeof(sun.sun_path));
	fx->nfd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fx->nfd == -1 ||
	    bind(fx->nfd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		return -1;
	*state = fx;
	alarm(FX_WATCHDOG_S);
	return 0;
}

int
fx_teardown(void **state)
{
	struct fx *fx = *state;
	size_t i;

	alarm(0);
	for (i = 0; i < fx->nkids; i++) {
		kill(fx->kids[i].pid, SIGKILL);
		waitpid(fx->kids[i].pid, NULL, 0);
		close(fx->kids[i].death);
	}
	close(fx->nfd);
	if (fx->data_free != NULL)
		fx->data_free(fx->data);
	chmod(fx->dir, 0700);		/* a test may have closed it */
	nftw(fx->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	unsetenv("MSG_RUNDIR");
	unsetenv("NOTIFY_SOCKET");
	free(fx);
	return 0;
}

pid_t
fx_spawn(struct fx *fx, int (*fn)(struct fx *, void *), void *arg)
{
	pid_t pid, parent = getpid();
	int p[2], fd;

	assert_true(fx->nkids < FX_MAX_KIDS);
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	fflush(NULL);
	pid = fork();
	assert_int_not_equal(pid, -1);
	if (pid == 0) {
		/* Die with the test, and never hold its stdout (the TAP
		 * driver waits for EOF there): a crashed test must not hang
		 * make check. */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 ||
		    getppid() != parent)
			_exit(99);
		if ((fd = open("/dev/null", O_WRONLY | O_CLOEXEC)) != -1) {
			dup2(fd, STDOUT_FILENO);
			close(fd);
		}
		/* Inherited client sockets would keep peers alive. */
		for (fd = 3; fd < 1024; fd++)
			if (fd != p[1] && fd != fx->keep_fd)
				close(fd);
		fx->nfd = -1;
		fx->death_fd = p[1];
		FX_PUTENV(env_notify, "NOTIFY_SOCKET", fx->notify);
		_exit(fn(fx, arg));
	}
	close(p[1]);
	fx->keep_fd = -1;
	fx->kids[fx->nkids].pid = pid;
	fx->kids[fx->nkids].death = p[0];
	fx->nkids++;
	return pid;
}

static size_t
kid(struct fx *fx, pid_t pid)
{
	size_t i;

	for (i = 0; i < fx->nkids; i++)
		if (fx->kids[i].pid == pid)
			return i;
	fail_msg("no child %d", (int)pid);
	return 0;
}

int
fx_death(struct fx *fx, pid_t pid)
{
	return fx->kids[kid(fx, pid)].death;
}

int
fx_reap(struct fx *fx, pid_t pid, int ms)
{
	struct pollfd pfd;
	size_t i = kid(fx, pid);
	int st;

	pfd.fd = fx->kids[i].death;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, ms) != 1)
		return -1;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	close(fx->kids[i].death);
	fx->kids[i] = fx->kids[--fx->nkids];
	return st;
}

void
fx_expect_exit(struct fx *fx, pid_t pid, int code)
{
	int st = fx_reap(fx, pid, BOUND_MS);

	if (st == -1)
		fail_msg("child %d did not exit", (int)pid);
	if (WIFSIGNALED(st))
		fail_msg("child %d killed by signal %d", (int)pid,
		    WTERMSIG(st));
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), code);
}

void
fx_stop(struct fx *fx, pid_t pid)
{
	assert_int_equal(kill(pid, SIGTERM), 0);
	fx_expect_exit(fx, pid, 0);
}

/* The child's READY=1, or fail if it died or stayed silent. */
void
fx_wait_ready(struct fx *fx, pid_t pid)
{
	struct pollfd pfd[2];
	char buf[256];
	ssize_t n;

	pfd[0].fd = fx->nfd;
	pfd[0].events = POLLIN;
	pfd[1].fd = fx_death(fx, pid);
	pfd[1].events = POLLIN;
	assert_true(poll(pfd, 2, BOUND_MS) > 0);
	if (!(pfd[0].revents & POLLIN))
		fail_msg("child %d died before READY=1", (int)pid);
	n = recv(fx->nfd, buf, sizeof(buf) - 1, 0);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_non_null(strstr(buf, "READY=1"));
}

pid_t
fx_start(struct fx *fx, int (*fn)(struct fx *, void *), void *arg)
{
	pid_t pid = fx_spawn(fx, fn, arg);

	fx_wait_ready(fx, pid);
	return pid;
}

struct msg_client *
fx_connect(const char *name)
{
	struct msg_client *c = msg_connect(name, BOUND_MS);

	if (c == NULL)
		fail_msg("msg_connect %s: %s", name, strerror(errno));
	return c;
}

uint64_t
fx_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}
