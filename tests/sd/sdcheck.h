/*
 * sdcheck.h: checks shared by the supervision-rule tests: exact event
 * sequences, a start that lets the test watch the root's own start, and
 * a teardown that stops the daemon and proves no process outlived it.
 */
#ifndef SDCHECK_H
#define SDCHECK_H

#include <sys/types.h>

#include <jansson.h>

#include "harness.h"

/*
 * cmocka setup/teardown: *state becomes a struct sd (at offset 0 of a
 * larger struct that also keeps the test's initial state, sdc_param).
 * Teardown stops supervisord if it still runs, then checks that every
 * pid (and process group) the events named, or sdc_track() was given,
 * is gone; leftovers are killed and fail the test.
 */
int		 sdc_setup(void **state);
int		 sdc_teardown(void **state);
const void	*sdc_param(void **state);

/*
 * Take the next events at the cursor and compare them in order with the
 * expectations, NULL-terminated. Each is "EVENT PATH [KEY=VALUE|KEY~SUB
 * ...]": =  matches a string, number or true/false exactly, ~ a string
 * containing SUB. On a mismatch, prints every event seen and returns -1.
 */
int		 sdc_expect(struct sd *, ...) __attribute__((sentinel));
/* The same for the next n events, in any order among themselves. */
int		 sdc_expect_any(struct sd *, ...) __attribute__((sentinel));
/* After the daemon exited: 0 when no event is left past the cursor
 * and the events seen are numbered 1, 2, ... without a gap. */
int		 sdc_end(struct sd *);
#define EXPECT_END(sd)	assert_int_equal(sdc_end(sd), 0)
#define EXPECT(sd, ...) \
	assert_int_equal(sdc_expect((sd), __VA_ARGS__, (char *)NULL), 0)
#define EXPECT_ANY(sd, ...) \
	assert_int_equal(sdc_expect_any((sd), __VA_ARGS__, (char *)NULL), 0)

/*
 * Start supervisord without waiting for its READY=1: returns 0 once the
 * child that writes the file `up' is running and the test follows the
 * event stream (history included), so a start that goes on to fail can
 * be watched; -1 if supervisord exited or `up' did not appear.
 * sdc_start_logged is sd_start, the same way.
 */
int		 sdc_start_gated(struct sd *, const char *up);
/*
 * Both starts keep supervisord's stderr in DIR/daemon.log: sdc_log()
 * reads it; teardown copies it to the test's log.
 */
int		 sdc_start_logged(struct sd *);
/* The daemon's log so far (caller frees). */
char		*sdc_log(struct sd *);

/* Create DIR/name atomically (a gate a child waits for). */
void		 sdc_touch(struct sd *, const char *name);
/* The helper worker (tests/sd/sdchild) and the sleeper, as JSON argv. */
const char	*sdc_child(void);

/* `status --json': state of path, NULL when path is not in the tree. */
char		*sdc_state(struct sd *, const char *path);
json_t		*sdc_node(struct sd *, const char *path);
/* The pid of the latest "started" event of path, or -1. */
pid_t		 sdc_pid(struct sd *, const char *path);
/* One more pid that must be gone at teardown. */
void		 sdc_track(pid_t);
/* The last event seen (after sd_wait/sdc_expect), for its seq. */
long long	 sdc_seq(struct sd *);
/* Print every event seen (on failures). */
void		 sdc_dump(struct sd *);

#endif /* SDCHECK_H */
