/*
 * spec.h: what a node of the supervision tree is (supervisord.json(5)).
 * A spec is immutable once built; runtime state lives elsewhere.
 */
#ifndef SPEC_H
#define SPEC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define SPEC_ID_MAX	64

enum spec_type {
	SPEC_WORKER,
	SPEC_SUPERVISOR
};

enum strategy {
	ONE_FOR_ONE,
	ONE_FOR_ALL,
	REST_FOR_ONE,
	SIMPLE_ONE_FOR_ONE
};

enum restart_type {
	RESTART_PERMANENT,
	RESTART_TRANSIENT,
	RESTART_TEMPORARY
};

enum ready_mode {
	READY_EXEC,
	READY_NOTIFY,
	READY_EXITED		/* a run-once step: started once it exited normally */
};

/* OTP 24's auto_shutdown: when a supervisor ends itself. */
enum auto_shutdown {
	AUTO_NEVER,
	AUTO_ANY_SIGNIFICANT,
	AUTO_ALL_SIGNIFICANT
};

/*
 * restart_delay: how long a restart waits before its start. A plain
 * number is constant (initial == max); the object form doubles from
 * initial up to max, and falls back to initial once the child has run
 * reset_after ms.
 */
struct restart_delay {
	int64_t			 initial;	/* ms, 0: no delay */
	int64_t			 max;		/* ms, >= initial */
	int64_t			 reset_after;	/* ms */
	int			 backoff;	/* the object form was given */
};

/* shutdown: milliseconds, or one of these. */
#define SHUTDOWN_BRUTAL_KILL	(-1)
#define SHUTDOWN_INFINITY	(-2)

enum output_mode {
	OUT_INHERIT,
	OUT_NULL,
	OUT_FILE,
	OUT_STDOUT		/* stderr only: same as stdout */
};

struct output {
	enum output_mode	 mode;
	char			*path;		/* OUT_FILE, absolute */
};

struct spec {
	char			 id[SPEC_ID_MAX + 1];
	enum spec_type		 type;
	enum restart_type	 restart;
	int64_t			 shutdown;	/* ms, or SHUTDOWN_* */

	/* as a child (section 5 of the spec: operations) */
	struct restart_delay	 restart_delay;
	int			 autostart;	/* default 1 */
	int			 significant;

	/* supervisor */
	enum strategy		 strategy;
	int			 intensity;
	int			 period;	/* seconds */
	struct spec		**children;
	size_t			 nchildren;
	struct spec		*template;	/* simple_one_for_one only */
	enum auto_shutdown	 auto_shutdown;

	/* worker */
	char			**argv;		/* NULL-terminated */
	size_t			 argc;
	int			 stop_signal;
	int			*normal_exit_codes;
	size_t			 nnormal_exit_codes;
	enum ready_mode		 ready;
	int64_t			 start_timeout;	/* ms */
	int64_t			 watchdog;	/* ms, 0 off */
	char			**env;		/* "K=V", NULL-terminated */
	size_t			 nenv;
	char			*cwd;		/* absolute */
	char			*user;
	char			*group;
	struct output		 out;
	struct output		 err;
	char			*listen;	/* socket name, or NULL */
};

/*
 * A spec of TYPE with supervisord.json(5)'s defaults and an empty id,
 * or NULL when out of memory. A worker's argv and cwd are left NULL:
 * they have no default.
 */
struct spec	*spec_new(enum spec_type type);
void		 spec_free(struct spec *);

/*
 * Nonzero when a and b would run the same way (reload compares them).
 * Workers: every field but restart_delay, autostart and significant,
 * which say what to do around a run, not how it runs: a reload that
 * changes only those takes them on without a restart. Supervisors:
 * their own fields and template, not their children (reload recurses
 * into those by id).
 */
int		 spec_equal(const struct spec *a, const struct spec *b);

/* Frees a NULL-terminated vector such as argv or env. */
void		 strv_free(char **);

/*
 * The JSON spellings ("one_for_one", "permanent", "notify", "worker"),
 * by enum value; the tables end with NULL.
 */
extern const char *const strategy_names[];
extern const char *const restart_names[];
extern const char *const ready_names[];
extern const char *const auto_shutdown_names[];
const char	*strategy_name(enum strategy);
const char	*restart_name(enum restart_type);
const char	*ready_name(enum ready_mode);
const char	*auto_shutdown_name(enum auto_shutdown);
const char	*spec_type_name(enum spec_type);

#endif /* SPEC_H */
