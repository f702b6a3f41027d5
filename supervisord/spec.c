/*
 * spec.c: what a spec is: its defaults (supervisord.json(5)), how it is
 * freed, when reload counts two as the same, and its names in JSON.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "spec.h"

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

const char *const strategy_names[] = {
	[ONE_FOR_ONE] = "one_for_one",
	[ONE_FOR_ALL] = "one_for_all",
	[REST_FOR_ONE] = "rest_for_one",
	[SIMPLE_ONE_FOR_ONE] = "simple_one_for_one",
	NULL
};

const char *const restart_names[] = {
	[RESTART_PERMANENT] = "permanent",
	[RESTART_TRANSIENT] = "transient",
	[RESTART_TEMPORARY] = "temporary",
	NULL
};

const char *const ready_names[] = {
	[READY_EXEC] = "exec",
	[READY_NOTIFY] = "notify",
	[READY_EXITED] = "exited",
	NULL
};

const char *const auto_shutdown_names[] = {
	[AUTO_NEVER] = "never",
	[AUTO_ANY_SIGNIFICANT] = "any_significant",
	[AUTO_ALL_SIGNIFICANT] = "all_significant",
	NULL
};

static const char *const type_names[] = {
	[SPEC_WORKER] = "worker",
	[SPEC_SUPERVISOR] = "supervisor",
	NULL
};

/* --- life --- */

/* The defaults are the ones supervisord.json(5) states, field by field. */
struct spec *
spec_new(enum spec_type type)
{
	struct spec *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->restart = RESTART_PERMANENT;
	s->autostart = 1;
	if (type == SPEC_SUPERVISOR) {
		s->type = SPEC_SUPERVISOR;
		s->shutdown = SHUTDOWN_INFINITY;
		s->strategy = ONE_FOR_ONE;
		s->intensity = 1;
		s->period = 5;
		return s;
	}
	s->type = SPEC_WORKER;
	s->shutdown = 5000;
	s->stop_signal = SIGTERM;
	s->ready = READY_EXEC;
	s->start_timeout = 5000;
	s->env = calloc(1, sizeof(*s->env));
	s->normal_exit_codes = calloc(1, sizeof(*s->normal_exit_codes));
	s->nnormal_exit_codes = 1;
	if (s->env == NULL || s->normal_exit_codes == NULL) {
		spec_free(s);
		return NULL;
	}
	return s;
}

void
spec_free(struct spec *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nchildren; i++)
		spec_free(s->children[i]);
	free(s->children);
	spec_free(s->template);
	strv_free(s->argv);
	free(s->normal_exit_codes);
	strv_free(s->env);
	free(s->cwd);
	free(s->user);
	free(s->group);
	free(s->out.path);
	free(s->err.path);
	free(s->listen);
	free(s);
}

void
strv_free(char **v)
{
	size_t i;

	for (i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

/* --- comparison: supervisord(8), Reload --- */

static int
str_equal(const char *a, const char *b)
{
	return a == NULL || b == NULL ? a == b : strcmp(a, b) == 0;
}

static int
strv_equal(char *const *a, size_t na, char *const *b, size_t nb)
{
	size_t i;

	if (na != nb)
		return 0;
	for (i = 0; i < na; i++)
		if (!str_equal(a[i], b[i]))
			return 0;
	return 1;
}

/* env is a set of distinct names: order does not change a child's run. */
static int
env_equal(const struct spec *a, const struct spec *b)
{
	size_t i, j;

	if (a->nenv != b->nenv)
		return 0;
	for (i = 0; i < a->nenv; i++) {
		for (j = 0; j < b->nenv; j++)
			if (strcmp(a->env[i], b->env[j]) == 0)
				break;
		if (j == b->nenv)
			return 0;
	}
	return 1;
}

static int
int_in(int v, const int *set, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (set[i] == v)
			return 1;
	return 0;
}

/* normal_exit_codes is a set: [0, 1] and [1, 0, 1] mean the same. */
static int
codes_equal(const struct spec *a, const struct spec *b)
{
	size_t i;

	for (i = 0; i < a->nnormal_exit_codes; i++)
		if (!int_in(a->normal_exit_codes[i], b->normal_exit_codes,
		    b->nnormal_exit_codes))
			return 0;
	for (i = 0; i < b->nnormal_exit_codes; i++)
		if (!int_in(b->normal_exit_codes[i], a->normal_exit_codes,
		    a->nnormal_exit_codes))
			return 0;
	return 1;
}

static int
output_equal(const struct output *a, const struct output *b)
{
	return a->mode == b->mode && str_equal(a->path, b->path);
}

static int
worker_equal(const struct spec *a, const struct spec *b)
{
	return strv_equal(a->argv, a->argc, b->argv, b->argc) &&
	    a->stop_signal == b->stop_signal && codes_equal(a, b) &&
	    a->ready == b->ready && a->start_timeout == b->start_timeout &&
	    a->watchdog == b->watchdog && env_equal(a, b) &&
	    str_equal(a->cwd, b->cwd) && str_equal(a->user, b->user) &&
	    str_equal(a->group, b->group) && output_equal(&a->out, &b->out) &&
	    output_equal(&a->err, &b->err) && str_equal(a->listen, b->listen);
}

/*
 * A supervisor is compared by its own fields and its template, not by
 * its children: reload matches children by id and compares them one by
 * one as it recurses, so adding a child does not restart its siblings.
 */
int
spec_equal(const struct spec *a, const struct spec *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	if (strcmp(a->id, b->id) != 0 || a->type != b->type ||
	    a->restart != b->restart || a->shutdown != b->shutdown)
		return 0;
	if (a->type == SPEC_WORKER)
		return worker_equal(a, b);
	return a->strategy == b->strategy && a->intensity == b->intensity &&
	    a->period == b->period && a->auto_shutdown == b->auto_shutdown &&
	    spec_equal(a->template, b->template);
}

/* --- names --- */

static const char *
name_of(const char *const *names, size_t n, size_t v)
{
	return v < n ? names[v] : "unknown";
}

const char *
strategy_name(enum strategy st)
{
	return name_of(strategy_names, NITEMS(strategy_names) - 1, st);
}

const char *
restart_name(enum restart_type r)
{
	return name_of(restart_names, NITEMS(restart_names) - 1, r);
}

const char *
ready_name(enum ready_mode r)
{
	return name_of(ready_names, NITEMS(ready_names) - 1, r);
}

const char *
auto_shutdown_name(enum auto_shutdown a)
{
	return name_of(auto_shutdown_names, NITEMS(auto_shutdown_names) - 1, a);
}

const char *
spec_type_name(enum spec_type t)
{
	return name_of(type_names, NITEMS(type_names) - 1, t);
}
