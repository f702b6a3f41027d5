/*
 * config-fields.c: every field of supervisord.json(5), as one row of the
 * table below and one parser that checks a value and stores it.
 */
#include <sys/types.h>

#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "config-int.h"
#include "distance.h"
#include "msg.h"
#include "signame.h"

/* Millisecond fields: an int, so timer arithmetic never overflows. */
#define MS_MAX			INT_MAX

/* --- values --- */

const char *
cfg_jtype(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a real number";
	case JSON_TRUE:
		return "true";
	case JSON_FALSE:
		return "false";
	default:
		return "null";
	}
}

/* Ids and socket names are libmsg's names: [A-Za-z0-9_.-]{1,64}. */
int
cfg_valid_name(const char *s)
{
	return msg_name_valid(s);
}

char *
cfg_strdup(struct cfg *c, const char *s)
{
	char *d;

	if ((d = strdup(s)) == NULL)
		c->nomem = 1;
	return d;
}

/* A path in the config relative to the config file's directory. */
static char *
resolve(struct cfg *c, const char *p)
{
	char *r;

	if (*p == '/')
		return cfg_strdup(c, p);
	while (p[0] == '.' && p[1] == '/')
		for (p += 2; *p == '/'; p++)
			;
	if (*p == '\0' || strcmp(p, ".") == 0)
		return cfg_strdup(c, c->dir);
	if (asprintf(&r, "%s%s%s", c->dir, strcmp(c->dir, "/") ? "/" : "",
	    p) == -1) {
		c->nomem = 1;
		return NULL;
	}
	return r;
}

/* "one of a, b, c" for an enum's error message. */
static char *
names_list(const char *const *names)
{
	char *s = NULL, *t;
	size_t i;

	for (i = 0; names[i] != NULL; i++) {
		if (asprintf(&t, "%s%s%s", s ? s : "one of ", s ? ", " : "",
		    names[i]) == -1) {
			free(s);
			return NULL;
		}
		free(s);
		s = t;
	}
	return s;
}

static int
enum_get(struct fctx *f, const char *const *names, int *out)
{
	const char *v = json_string_value(f->v);
	char *list;
	size_t i;

	for (i = 0; v != NULL && names[i] != NULL; i++) {
		if (strcmp(v, names[i]) == 0) {
			*out = (int)i;
			return 0;
		}
	}
	if ((list = names_list(names)) == NULL)
		f->cfg->nomem = 1;
	ferr(f, "expected %s", list ? list : "another value");
	free(list);
	return -1;
}

/* Why v is not an integer in [min, max], or NULL when it is one. */
static const char *
int_why(const json_t *v, long long min, long long max, char *buf,
    size_t len)
{
	long long n;

	if (!json_is_integer(v)) {
		snprintf(buf, len, "expected an integer, got %s", cfg_jtype(v));
		return buf;
	}
	n = json_integer_value(v);
	if (n < min)
		snprintf(buf, len, "must be >= %lld, got %lld", min, n);
	else if (n > max)
		snprintf(buf, len, "must be <= %lld, got %lld", max, n);
	else
		return NULL;
	return buf;
}

static int
int_get(struct fctx *f, long long min, long long max, long long *out)
{
	const char *why;
	char buf[128];

	if ((why = int_why(f->v, min, max, buf, sizeof(buf))) != NULL) {
		ferr(f, "%s", why);
		return -1;
	}
	*out = json_integer_value(f->v);
	return 0;
}

static const char *
string_get(struct fctx *f)
{
	const char *s;

	if ((s = json_string_value(f->v)) == NULL)
		ferr(f, "expected a string, got %s", cfg_jtype(f->v));
	else if (*s == '\0') {
		ferr(f, "must not be empty");
		s = NULL;
	}
	return s;
}

/* --- supervisor fields --- */

static void
f_strategy(struct fctx *f)
{
	int v;

	if (enum_get(f, strategy_names, &v) == 0)
		f->s->strategy = (enum strategy)v;
}

static void
f_intensity(struct fctx *f)
{
	long long v;

	if (int_get(f, 0, INT_MAX, &v) == 0)
		f->s->intensity = (int)v;
}

static void
f_period(struct fctx *f)
{
	long long v;

	if (int_get(f, 1, INT_MAX, &v) == 0)
		f->s->period = (int)v;
}

static void
f_children(struct fctx *f)
{
	size_t i, n;
	const char **seen;

	if (!json_is_array(f->v)) {
		ferr(f, "expected an array, got %s", cfg_jtype(f->v));
		return;
	}
	if ((n = json_array_size(f->v)) == 0)
		return;
	seen = calloc(n, sizeof(*seen));
	f->s->children = calloc(n, sizeof(*f->s->children));
	if (seen == NULL || f->s->children == NULL) {
		f->cfg->nomem = 1;
		free(seen);
		return;
	}
	for (i = 0; i < n; i++)
		cfg_child(f->cfg, f->s, f->v, i, f->path, seen);
	free(seen);
}

static void
f_template(struct fctx *f)
{
	struct loc l = { f->node, f->key, 0 };
	char *tpath;

	if (!json_is_object(f->v)) {
		ferr(f, "expected an object (a worker spec), got %s",
		    cfg_jtype(f->v));
		return;
	}
	if (asprintf(&tpath, "%s/template", f->path) == -1) {
		f->cfg->nomem = 1;
		return;
	}
	f->s->template = cfg_node(f->cfg, f->v, tpath, &l, ROLE_TEMPLATE);
	free(tpath);
}

/* --- fields of every node --- */

static void
f_restart(struct fctx *f)
{
	int v;

	if (enum_get(f, restart_names, &v) == 0)
		f->s->restart = (enum restart_type)v;
}

static void
f_shutdown(struct fctx *f)
{
	const char *s = json_string_value(f->v);
	long long n;

	if (s != NULL && strcmp(s, "brutal_kill") == 0)
		f->s->shutdown = SHUTDOWN_BRUTAL_KILL;
	else if (s != NULL && strcmp(s, "infinity") == 0)
		f->s->shutdown = SHUTDOWN_INFINITY;
	else if (json_is_integer(f->v) &&
	    (n = json_integer_value(f->v)) >= 0 && n <= MS_MAX)
		f->s->shutdown = n;
	else if (json_is_integer(f->v))
		ferr(f, "%lld is out of range: expected milliseconds "
		    "(0 to %d), \"brutal_kill\" or \"infinity\"",
		    (long long)json_integer_value(f->v), MS_MAX);
	else
		ferr(f, "expected milliseconds, \"brutal_kill\" or "
		    "\"infinity\"");
}

/* --- fields of a child (supervisord.json(5), OPERATIONS) --- */

static int
bool_get(struct fctx *f, int *out)
{
	if (!json_is_boolean(f->v)) {
		ferr(f, "expected true or false, got %s", cfg_jtype(f->v));
		return -1;
	}
	*out = json_is_true(f->v);
	return 0;
}

/* Member KEY of the restart_delay object: 1 read, 0 absent, -1 bad. */
static int
delay_member(struct fctx *f, const char *key, long long min, long long *out)
{
	json_t *v = json_object_get(f->v, key);
	const char *why;
	char buf[128];

	if (v == NULL)
		return 0;
	if ((why = int_why(v, min, MS_MAX, buf, sizeof(buf))) != NULL) {
		ferr_in(f, key, "%s", why);
		return -1;
	}
	*out = json_integer_value(v);
	return 1;
}

static int
delay_unknown_members(struct fctx *f)
{
	const char *k;
	json_t *v;
	int bad = 0;

	json_object_foreach(f->v, k, v) {
		if (strcmp(k, "initial") != 0 && strcmp(k, "max") != 0 &&
		    strcmp(k, "reset_after") != 0) {
			ferr_in(f, k, "unknown member (expected \"initial\", "
			    "\"max\" or \"reset_after\")");
			bad = 1;
		}
	}
	return bad;
}

/* {"initial", "max", "reset_after"}: exponential backoff. */
static void
delay_object(struct fctx *f)
{
	long long initial = 0, max = 0, reset = 0;
	int hi, hm, hr, bad;

	bad = delay_unknown_members(f);
	hi = delay_member(f, "initial", 1, &initial);
	hm = delay_member(f, "max", 1, &max);
	hr = delay_member(f, "reset_after", 0, &reset);
	if (hi == 0)
		ferr(f, "\"initial\": required (the first delay, ms >= 1)");
	if (hm == 0)
		ferr(f, "\"max\": required (the longest delay, ms)");
	if (hi == 1 && hm == 1 && max < initial) {
		ferr_in(f, "max", "must be at least \"initial\" (%lld)",
		    initial);
		bad = 1;
	}
	if (bad || hi != 1 || hm != 1 || hr == -1)
		return;
	f->s->restart_delay.initial = initial;
	f->s->restart_delay.max = max;
	f->s->restart_delay.reset_after = hr == 1 ? reset : max;
	f->s->restart_delay.backoff = 1;
}

static void
f_restart_delay(struct fctx *f)
{
	long long v;

	if (json_is_object(f->v))
		delay_object(f);
	else if (!json_is_integer(f->v))
		ferr(f, "expected milliseconds or an object with \"initial\", "
		    "\"max\" and \"reset_after\", got %s", cfg_jtype(f->v));
	else if (int_get(f, 0, MS_MAX, &v) == 0) {
		/* A constant delay: nothing to grow, nothing to reset. */
		f->s->restart_delay.initial = v;
		f->s->restart_delay.max = v;
		f->s->restart_delay.reset_after = v;
		f->s->restart_delay.backoff = 0;
	}
}

static void
f_autostart(struct fctx *f)
{
	int v;

	if (bool_get(f, &v) == 0)
		f->s->autostart = v;
}

/* Its combinations with restart and auto_shutdown: config.c. */
static void
f_significant(struct fctx *f)
{
	int v;

	if (bool_get(f, &v) == 0)
		f->s->significant = v;
}

static void
f_auto_shutdown(struct fctx *f)
{
	int v;

	if (enum_get(f, auto_shutdown_names, &v) == 0)
		f->s->auto_shutdown = (enum auto_shutdown)v;
}

/* --- worker fields --- */

static void
f_argv(struct fctx *f)
{
	size_t i, n = json_array_size(f->v);
	const char *a;
	char **argv;
	int bad = 0;

	if (!json_is_array(f->v) || n == 0) {
		ferr(f, "expected a non-empty array of strings, got %s",
		    json_is_array(f->v) ? "an empty array" : cfg_jtype(f->v));
		return;
	}
	for (i = 0; i < n; i++) {
		if ((a = json_string_value(json_array_get(f->v, i))) == NULL) {
			ferr_elem(f, i, "expected a string, got %s",
			    cfg_jtype(json_array_get(f->v, i)));
			bad = 1;
		} else if (i == 0 && *a == '\0') {
			ferr_elem(f, i, "the program must not be empty");
			bad = 1;
		} else if (i == 0 && *a == '@' &&
		    (a[1] == '\0' || strchr(a, '/') != NULL)) {
			ferr_elem(f, i, "\"%s\": @NAME names a worker of the "
			    "worker directory: NAME must be a file name, "
			    "not empty and without '/'", a);
			bad = 1;
		}
	}
	if (bad)
		return;
	if ((argv = calloc(n + 1, sizeof(*argv))) == NULL) {
		f->cfg->nomem = 1;
		return;
	}
	/* argv[0] with a '/' is a path; relative ones are to our dir.
	 * @NAME is kept as written: the worker directory is looked at
	 * when the child starts, as PATH is. */
	a = json_string_value(json_array_get(f->v, 0));
	argv[0] = strchr(a, '/') ? resolve(f->cfg, a) : cfg_strdup(f->cfg, a);
	for (i = 1; i < n && argv[i - 1] != NULL; i++)
		argv[i] = cfg_strdup(f->cfg,
		    json_string_value(json_array_get(f->v, i)));
	if (argv[n - 1] == NULL) {
		f->cfg->nomem = 1;
		strv_free(argv);
		return;
	}
	f->s->argv = argv;
	f->s->argc = n;
}

static void
f_stop_signal(struct fctx *f)
{
	const char *s;
	int signo;

	if ((s = string_get(f)) == NULL)
		return;
	if ((signo = signal_lookup(s)) != -1)
		f->s->stop_signal = signo;
	else if (strncmp(s, "SIG", 3) == 0 && signal_lookup(s + 3) != -1)
		ferr(f, "write \"%s\", without the \"SIG\" prefix", s + 3);
	else
		ferr(f, "unknown signal \"%s\" (expected a name such as "
		    "TERM, INT, HUP, QUIT, USR1 or USR2)", s);
}

static void
f_normal_exit_codes(struct fctx *f)
{
	size_t i, n = json_array_size(f->v);
	const char *why;
	char buf[128];
	int *codes, bad = 0;

	if (!json_is_array(f->v)) {
		ferr(f, "expected an array of exit codes, got %s",
		    cfg_jtype(f->v));
		return;
	}
	for (i = 0; i < n; i++) {
		if ((why = int_why(json_array_get(f->v, i), 0, 255, buf,
		    sizeof(buf))) != NULL) {
			ferr_elem(f, i, "%s", why);
			bad = 1;
		}
	}
	if (bad)
		return;
	if ((codes = calloc(n ? n : 1, sizeof(*codes))) == NULL) {
		f->cfg->nomem = 1;
		return;
	}
	for (i = 0; i < n; i++)
		codes[i] = (int)json_integer_value(json_array_get(f->v, i));
	free(f->s->normal_exit_codes);
	f->s->normal_exit_codes = codes;
	f->s->nnormal_exit_codes = n;
}

static void
f_ready(struct fctx *f)
{
	int v;

	if (enum_get(f, ready_names, &v) == 0)
		f->s->ready = (enum ready_mode)v;
}

static void
f_start_timeout(struct fctx *f)
{
	long long v;

	if (int_get(f, 1, MS_MAX, &v) == 0)
		f->s->start_timeout = v;
}

static void
f_watchdog(struct fctx *f)
{
	long long v;

	if (int_get(f, 0, MS_MAX, &v) == 0)
		f->s->watchdog = v;
}

static int
env_var_ok(struct fctx *f, const char *k, json_t *v)
{
	if (*k == '\0')
		ferr_member(f, k, "empty variable name");
	else if (strchr(k, '=') != NULL)
		ferr_member(f, k, "variable name must not contain '='");
	else if (!json_is_string(v))
		ferr_member(f, k, "expected a string, got %s", cfg_jtype(v));
	else
		return 1;
	return 0;
}

static void
f_env(struct fctx *f)
{
	size_t n = 0, bad = 0;
	const char *k;
	char **env;
	json_t *v;

	if (!json_is_object(f->v)) {
		ferr(f, "expected an object of strings, got %s",
		    cfg_jtype(f->v));
		return;
	}
	json_object_foreach(f->v, k, v)
		bad += !env_var_ok(f, k, v);
	if (bad)
		return;
	if ((env = calloc(json_object_size(f->v) + 1, sizeof(*env))) == NULL) {
		f->cfg->nomem = 1;
		return;
	}
	json_object_foreach(f->v, k, v) {
		if (asprintf(&env[n], "%s=%s", k, json_string_value(v)) == -1) {
			env[n] = NULL;
			f->cfg->nomem = 1;
			break;
		}
		n++;
	}
	strv_free(f->s->env);
	f->s->env = env;
	f->s->nenv = n;
}

static void
f_cwd(struct fctx *f)
{
	const char *s;

	if ((s = string_get(f)) != NULL)
		f->s->cwd = resolve(f->cfg, s);
}

/* Dropping privileges needs them; checked here so -n catches it. */
static const char *
id_get(struct fctx *f, int isuser)
{
	const char *s;

	if ((s = string_get(f)) == NULL)
		return NULL;
	if (geteuid() != 0) {
		ferr(f, "only when supervisord runs as root");
		return NULL;
	}
	if (isuser ? getpwnam(s) == NULL : getgrnam(s) == NULL) {
		ferr(f, "no such %s \"%s\"", isuser ? "user" : "group", s);
		return NULL;
	}
	return s;
}

static void
f_user(struct fctx *f)
{
	const char *s;

	if ((s = id_get(f, 1)) != NULL)
		f->s->user = cfg_strdup(f->cfg, s);
}

static void
f_group(struct fctx *f)
{
	const char *s;

	if ((s = id_get(f, 0)) != NULL)
		f->s->group = cfg_strdup(f->cfg, s);
}

static void
output_get(struct fctx *f, struct output *o, int isstderr)
{
	const char *s;

	if ((s = json_string_value(f->v)) == NULL || *s == '\0')
		ferr(f, "expected \"inherit\", \"null\"%s or a file path",
		    isstderr ? ", \"stdout\"" : "");
	else if (strcmp(s, "inherit") == 0)
		o->mode = OUT_INHERIT;
	else if (strcmp(s, "null") == 0)
		o->mode = OUT_NULL;
	else if (strcmp(s, "stdout") == 0 && isstderr)
		o->mode = OUT_STDOUT;
	else if (strcmp(s, "stdout") == 0)
		ferr(f, "\"stdout\" is only for \"stderr\" (write \"./stdout\" "
		    "for a file of that name)");
	else {
		o->mode = OUT_FILE;
		o->path = resolve(f->cfg, s);
	}
}

static void
f_stdout(struct fctx *f)
{
	output_get(f, &f->s->out, 0);
}

static void
f_stderr(struct fctx *f)
{
	output_get(f, &f->s->err, 1);
}

/* Two nodes binding RUNDIR/NAME.sock would fight over it. */
static int
listen_claim(struct fctx *f, const char *name)
{
	struct cfg *c = f->cfg;
	struct listener *l;
	size_t i;

	for (i = 0; i < c->nlisteners; i++) {
		if (strcmp(c->listeners[i].name, name) == 0) {
			ferr(f, "socket \"%s\" is also used by %s", name,
			    c->listeners[i].path);
			return -1;
		}
	}
	l = reallocarray(c->listeners, c->nlisteners + 1, sizeof(*l));
	if (l == NULL) {
		c->nomem = 1;
		return -1;
	}
	c->listeners = l;
	l += c->nlisteners;
	l->name = cfg_strdup(c, name);
	l->path = cfg_strdup(c, f->path);
	c->nlisteners++;
	return 0;
}

static void
f_listen(struct fctx *f)
{
	const char *s;

	if ((s = json_string_value(f->v)) == NULL)
		ferr(f, "expected a socket name, got %s", cfg_jtype(f->v));
	else if (!cfg_valid_name(s))
		ferr(f, "invalid name \"%s\": " NAME_RULE, s);
	else if (strcmp(s, "supervisord") == 0)
		ferr(f, "\"supervisord\" is the control socket's name");
	else if (listen_claim(f, s) == 0)
		f->s->listen = cfg_strdup(f->cfg, s);
}

/*
 * Every field and where it is allowed. "id" and "type" are read before
 * the others (the path and the kind depend on them), so have no parser.
 */
static const struct field fields[] = {
	{ "id",			K_SUP | K_WORKER,	NULL },
	{ "type",		K_ALL,			NULL },
	{ "strategy",		K_SUP,			f_strategy },
	{ "intensity",		K_SUP,			f_intensity },
	{ "period",		K_SUP,			f_period },
	{ "children",		K_SUP,			f_children },
	{ "template",		K_SUP,			f_template },
	{ "restart",		K_ALL,			f_restart },
	{ "shutdown",		K_ALL,			f_shutdown },
	{ "restart_delay",	K_ALL | K_NOT_ROOT,	f_restart_delay },
	{ "autostart",		K_SUP | K_WORKER | K_NOT_ROOT, f_autostart },
	{ "significant",	K_ALL | K_NOT_ROOT,	f_significant },
	{ "auto_shutdown",	K_SUP,			f_auto_shutdown },
	{ "argv",		K_WORKERS,		f_argv },
	{ "stop_signal",	K_WORKERS,		f_stop_signal },
	{ "normal_exit_codes",	K_WORKERS,		f_normal_exit_codes },
	{ "ready",		K_WORKERS,		f_ready },
	{ "start_timeout",	K_WORKERS,		f_start_timeout },
	{ "watchdog",		K_WORKERS,		f_watchdog },
	{ "env",		K_WORKERS,		f_env },
	{ "cwd",		K_WORKERS,		f_cwd },
	{ "user",		K_WORKERS,		f_user },
	{ "group",		K_WORKERS,		f_group },
	{ "stdout",		K_WORKERS,		f_stdout },
	{ "stderr",		K_WORKERS,		f_stderr },
	{ "listen",		K_WORKERS,		f_listen },
};

const struct field *
field_find(const char *key)
{
	size_t i;

	for (i = 0; i < NITEMS(fields); i++)
		if (strcmp(fields[i].name, key) == 0)
			return &fields[i];
	return NULL;
}

/* The field KEY is probably a typo of, or NULL. */
const char *
field_guess(const char *key)
{
	size_t i, best = SIZE_MAX, d;
	const char *guess = NULL;

	for (i = 0; i < NITEMS(fields); i++) {
		if ((d = edit_distance(key, fields[i].name)) < best) {
			best = d;
			guess = fields[i].name;
		}
	}
	/* Two edits turn any short word into another: be stricter there. */
	return best <= (strlen(key) <= 4 ? 1 : 2) ? guess : NULL;
}
