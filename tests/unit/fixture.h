/*
 * fixture.h: forked processes for the unit tests (cmocka): a private
 * MSG_RUNDIR, a NOTIFY_SOCKET the test bound, and children whose exit a
 * pipe's EOF announces, so that nothing sleeps to wait for them.
 *
 *	cmocka_unit_test_setup_teardown(test_x, fx_setup, fx_teardown)
 *
 *	struct fx *fx = *state;
 *	pid_t pid = fx_start(fx, server_main, &conf);	(fork, READY=1)
 *	struct msg_client *c = fx_connect("name");
 *	...
 *	fx_stop(fx, pid);				(SIGTERM, exit 0)
 */
#ifndef TESTS_UNIT_FIXTURE_H
#define TESTS_UNIT_FIXTURE_H

#include <sys/types.h>

#include <stdint.h>
#include <stdio.h>

#define BOUND_MS	10000	/* upper bound for what must happen soon */
#define FX_MAX_KIDS	8
#define FX_WATCHDOG_S	120	/* a hung test dies (SIGALRM), never hangs */

/*
 * Environment variables go through putenv() with buffers of our own:
 * glibc's setenv() keeps replaced values in a tree valgrind reports as
 * "possibly lost" in every forked child.
 */
#define FX_PUTENV(buf, name, value) do {				\
	snprintf((buf), sizeof(buf), "%s=%s", (name), (value));	\
	putenv((buf));							\
} while (0)

struct msg_client;

struct fx {
	char		 dir[64];	/* MSG_RUNDIR */
	char		 notify[128];	/* NOTIFY_SOCKET of the children */
	int		 nfd;		/* bound to notify; -1 in a child */
	struct {
		pid_t	 pid;
		int	 death;		/* read end; EOF once it is gone */
	}		 kids[FX_MAX_KIDS];
	size_t		 nkids;
	int		 keep_fd;	/* the next child keeps it open */
	int		 death_fd;	/* in a child: its end of the pipe */
	void		*data;		/* the test's own */
	void		(*data_free)(void *);	/* after the children */
};

/* cmocka setup and teardown: *state is a struct fx. */
int	fx_setup(void **);
int	fx_teardown(void **);

/*
 * Fork a child that closes what it inherited (but keep_fd), gets
 * NOTIFY_SOCKET, dies with the test and returns fn(fx, arg) as its exit
 * status. fx_start also waits for its READY=1.
 */
pid_t	fx_spawn(struct fx *, int (*)(struct fx *, void *), void *);
pid_t	fx_start(struct fx *, int (*)(struct fx *, void *), void *);
void	fx_wait_ready(struct fx *, pid_t);

int	fx_death(struct fx *, pid_t);	/* the read end of its pipe */
/* The child's wait status, or -1 if it is still there after ms. */
int	fx_reap(struct fx *, pid_t, int ms);
void	fx_expect_exit(struct fx *, pid_t, int code);	/* within BOUND_MS */
void	fx_stop(struct fx *, pid_t);	/* SIGTERM, then exit 0 */

struct msg_client *fx_connect(const char *);	/* or fail the test */
uint64_t fx_now_ms(void);			/* CLOCK_MONOTONIC */

#endif
