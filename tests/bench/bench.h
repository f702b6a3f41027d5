/*
 * bench.h: helpers shared by the benchmarks in tests/bench/: a private
 * run directory, CPU pinning, forked servers that report readiness
 * through a pipe, a watchdog, and percentiles.
 *
 * Every figure is printed beside a baseline measured in the same run;
 * nothing here asserts a timing.
 */
#ifndef BENCH_H
#define BENCH_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#define BENCH_CPU_CLIENT	0
#define BENCH_CPU_SERVER	1

struct bench_opts {
	int	pin;		/* pin client and server to CPUs */
	int	same;		/* ... both to the client's CPU */
	long	n;		/* iterations (0: the program's default) */
	int	rounds;		/* alternating rounds (0: default) */
};

extern struct bench_opts bench_opts;

/*
 * Parse -s (client and server on one CPU), -u (unpinned), -n N,
 * -r ROUNDS; make a private MSG_RUNDIR; arm
 * the watchdog (alarm) that kills every child and exits if the run
 * hangs; pin the calling process to the client CPU.
 */
void	 bench_init(int argc, char **argv, const char *prog,
	    unsigned watchdog_s);
/* Kill and reap every child, remove the run directory. */
void	 bench_done(void);

/* Pin the caller to cpu (no-op when unpinned or cpu does not exist). */
void	 bench_pin(int cpu);
uint64_t bench_ns(void);

/*
 * Fork a child that runs fn(arg, readyfd) pinned to the server CPU, and
 * dies with its parent. fn writes one byte to readyfd once it serves; the
 * parent blocks on the pipe until then (no sleeping), and gets -1 if the
 * child died first. fn's return value is the child's exit status.
 */
pid_t	 bench_fork(int (*fn)(void *arg, int readyfd), void *arg);
void	 bench_ready(int readyfd);
/* SIGTERM the child and reap it (SIGKILL if it lingers). */
int	 bench_stop(pid_t);

/* Exit with a message (and clean up) when something went wrong. */
void	 bench_fatal(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

/* Sort samples in place; value at fraction p (0..1) of the sorted array. */
void	 bench_sort(uint64_t *, size_t);
uint64_t bench_pct(const uint64_t *sorted, size_t n, double p);
double	 bench_median_d(double *, size_t);

/* Read and write all of n bytes on a blocking descriptor; 0 or -1. */
int	 bench_read_full(int fd, void *, size_t n);
int	 bench_write_full(int fd, const void *, size_t n);

int	 bench_set_nonblock(int fd);

/* "OK" or "MISS" */
const char *bench_verdict(int ok);
/* "pinned client cpu0 / server cpu1" or "unpinned" */
const char *bench_pin_note(void);

#endif /* BENCH_H */
