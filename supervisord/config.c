/*
 * config.c: read a supervision tree (supervisord.json(5)) into struct spec,
 * reporting every error found with its file, line, column and tree path.
 */
#include <sys/types.h>

#include <errno.h>
#include <grp.h>
#include <libgen.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "config.h"
#include "msg.h"

/* A config is read whole; anything this large is not a config. */
#define CONFIG_MAX_SIZE		(64 * 1024 * 1024)
/* Millisecond fields: an int, so timer arithmetic never overflows. */
#define MS_MAX			INT_MAX

#define NAME_RULE	"expected 1 to 64 of A-Z a-z 0-9 _ . -"

/* Node kinds, as bits so a field can say where it is allowed. */
#define K_SUP		0x1
#define K_WORKER	0x2
#define K_TEMPLATE	0x4		/* a worker spec without an id */
#define K_WORKERS	(K_WORKER | K_TEMPLATE)
#define K_ALL		(K_SUP | K_WORKER | K_TEMPLATE)

enum role {
	ROLE_ROOT,
	ROLE_CHILD,
	ROLE_TEMPLATE
};

/*
 * Where a value sits in the text. jansson keeps no positions for parsed
 * values, so after it accepted the text we scan it once more and note
 * the line and column of every object member (its key) and array element.
 */
struct pos {
	const json_t	*parent;	/* NULL: the document itself */
	const char	*key;		/* object member, else NULL */
	size_t		 idx;		/* array element */
	size_t		 seq;		/* text order */
	int		 line;
	int		 col;
};

/* A value named by its container: what the error reporter looks up. */
struct loc {
	const json_t	*parent;
	const char	*key;
	size_t		 idx;
};

struct listener {
	char		*name;
	char		*path;
};

/* One error line, kept until all are known so they sort by position. */
struct err {
	int		 line;		/* 0: no position */
	int		 col;
	size_t		 seq;
	char		*text;
};

struct cfg {
	const char	*file;		/* for messages */
	char		*dir;		/* absolute, for relative paths */
	struct err	*errs;
	size_t		 nerrs;
	int		 nomem;
	struct pos	*pos;		/* sorted by (parent, seq) */
	size_t		 npos;
	size_t		 pcap;
	struct listener	*listeners;	/* "listen" names must be unique */
	size_t		 nlisteners;
};

/* One field of one node being parsed. */
struct fctx {
	struct cfg	*cfg;
	struct spec	*s;
	json_t		*node;
	const char	*path;
	const char	*key;
	json_t		*v;
};

struct field {
	const char	*name;
	int		 kinds;
	void		(*parse)(struct fctx *);
};

static struct spec	*parse_node(struct cfg *, json_t *, const char *,
			    const struct loc *, enum role);

static const char *const strategy_names[] = {
	[ONE_FOR_ONE] = "one_for_one",
	[ONE_FOR_ALL] = "one_for_all",
	[REST_FOR_ONE] = "rest_for_one",
	[SIMPLE_ONE_FOR_ONE] = "simple_one_for_one",
};

static const char *const restart_names[] = {
	[RESTART_PERMANENT] = "permanent",
	[RESTART_TRANSIENT] = "transient",
	[RESTART_TEMPORARY] = "temporary",
};

static const char *const ready_names[] = {
	[READY_EXEC] = "exec",
	[READY_NOTIFY] = "notify",
};

static const char *const type_names[] = {
	[SPEC_WORKER] = "worker",
	[SPEC_SUPERVISOR] = "supervisor",
};

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

static const struct {
	const char	*name;
	int		 signo;
} signals[] = {
	{ "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT },
	{ "ILL", SIGILL }, { "TRAP", SIGTRAP }, { "ABRT", SIGABRT },
	{ "BUS", SIGBUS }, { "FPE", SIGFPE }, { "KILL", SIGKILL },
	{ "USR1", SIGUSR1 }, { "SEGV", SIGSEGV }, { "USR2", SIGUSR2 },
	{ "PIPE", SIGPIPE }, { "ALRM", SIGALRM }, { "TERM", SIGTERM },
	{ "CHLD", SIGCHLD }, { "CONT", SIGCONT }, { "STOP", SIGSTOP },
	{ "TSTP", SIGTSTP }, { "TTIN", SIGTTIN }, { "TTOU", SIGTTOU },
	{ "URG", SIGURG }, { "XCPU", SIGXCPU }, { "XFSZ", SIGXFSZ },
	{ "VTALRM", SIGVTALRM }, { "PROF", SIGPROF }, { "WINCH", SIGWINCH },
	{ "IO", SIGIO }, { "PWR", SIGPWR }, { "SYS", SIGSYS },
};

/* --- errors --- */

/*
 * Escape control characters: user strings may hold newlines, and one
 * error must stay one line.
 */
static char *
escape(const char *line)
{
	const unsigned char *p;
	size_t need = 1;
	char *e, *d;

	for (p = (const unsigned char *)line; *p != '\0'; p++)
		need += (*p < 0x20 || *p == 0x7f) ? 4 : 1;
	if ((d = e = malloc(need)) == NULL)
		return NULL;
	for (p = (const unsigned char *)line; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f)
			e += snprintf(e, need - (size_t)(e - d), "\\x%02x", *p);
		else
			*e++ = (char)*p;
	}
	*e = '\0';
	return d;
}

static void
errs_add(struct cfg *c, const struct pos *p, char *line)
{
	struct err *e;

	if ((e = reallocarray(c->errs, c->nerrs + 1, sizeof(*e))) == NULL) {
		c->nomem = 1;
		free(line);
		return;
	}
	c->errs = e;
	e += c->nerrs;
	e->line = p != NULL ? p->line : 0;
	e->col = p != NULL ? p->col : 0;
	e->seq = c->nerrs++;
	e->text = line;
}

static int
err_cmp(const void *a, const void *b)
{
	const struct err *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* All errors in text order, one line each; frees them. */
static char *
errs_join(struct cfg *c)
{
	size_t i, len = 0, n;
	char *out = NULL, *e;

	if (c->nerrs == 0)
		return NULL;
	qsort(c->errs, c->nerrs, sizeof(*c->errs), err_cmp);
	for (i = 0; i < c->nerrs; i++)
		len += strlen(c->errs[i].text) + 1;
	if ((out = malloc(len)) != NULL) {
		for (e = out, i = 0; i < c->nerrs; i++) {
			n = strlen(c->errs[i].text);
			memcpy(e, c->errs[i].text, n);
			e += n;
			*e++ = i + 1 < c->nerrs ? '\n' : '\0';
		}
	}
	if (out == NULL)
		c->nomem = 1;
	for (i = 0; i < c->nerrs; i++)
		free(c->errs[i].text);
	free(c->errs);
	c->errs = NULL;
	return out;
}

static void __attribute__((format(printf, 4, 0)))
cfg_verr(struct cfg *c, const struct pos *p, const char *path,
    const char *fmt, va_list ap)
{
	char *msg, *line, *safe;
	int r;

	if (vasprintf(&msg, fmt, ap) == -1) {
		c->nomem = 1;
		return;
	}
	if (p != NULL && p->line > 0)
		r = asprintf(&line, "%s:%d:%d: %s%s%s", c->file, p->line,
		    p->col, path ? path : "", path ? ": " : "", msg);
	else
		r = asprintf(&line, "%s: %s%s%s", c->file, path ? path : "",
		    path ? ": " : "", msg);
	free(msg);
	if (r == -1) {
		c->nomem = 1;
		return;
	}
	safe = escape(line);
	free(line);
	if (safe == NULL)
		c->nomem = 1;
	else
		errs_add(c, p, safe);
}

static int
pos_cmp(const void *a, const void *b)
{
	const struct pos *x = a, *y = b;
	uintptr_t px = (uintptr_t)x->parent, py = (uintptr_t)y->parent;

	if (px != py)
		return px < py ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The position of l, or NULL when the scan did not record it. */
static const struct pos *
pos_find(const struct cfg *c, const struct loc *l)
{
	size_t lo = 0, hi = c->npos, i;
	uintptr_t want = (uintptr_t)l->parent;

	while (lo < hi) {
		i = lo + (hi - lo) / 2;
		if ((uintptr_t)c->pos[i].parent < want)
			lo = i + 1;
		else
			hi = i;
	}
	for (i = lo; i < c->npos && c->pos[i].parent == l->parent; i++) {
		if (l->key != NULL ? c->pos[i].key != NULL &&
		    strcmp(c->pos[i].key, l->key) == 0 :
		    c->pos[i].key == NULL && c->pos[i].idx == l->idx)
			return &c->pos[i];
	}
	return NULL;
}

static void __attribute__((format(printf, 3, 4)))
cfg_errp(struct cfg *c, const struct pos *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cfg_verr(c, p, NULL, fmt, ap);
	va_end(ap);
}

/* An error about the value at l (NULL: the file as a whole). */
static void __attribute__((format(printf, 4, 5)))
cfg_err(struct cfg *c, const struct loc *l, const char *path,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cfg_verr(c, l != NULL ? pos_find(c, l) : NULL, path, fmt, ap);
	va_end(ap);
}

/* An error where jansson found it. */
static void
json_error(struct cfg *c, const json_error_t *je)
{
	struct pos p = { NULL, NULL, 0, 0, je->line, je->column };

	/* jansson says column 0 when it ran out of input at a line start. */
	if (p.col < 1)
		p.col = 1;
	cfg_errp(c, &p, "%s", je->text);
}

/* An error about a field, or (sub != NULL) a member or element of it. */
static void __attribute__((format(printf, 4, 0)))
fverr(struct fctx *f, const struct loc *sub, const char *what,
    const char *fmt, va_list ap)
{
	struct loc l = { f->node, f->key, 0 };
	char *msg;

	if (vasprintf(&msg, fmt, ap) == -1) {
		f->cfg->nomem = 1;
		return;
	}
	cfg_err(f->cfg, sub != NULL ? sub : &l, f->path, "\"%s\"%s: %s",
	    f->key, what, msg);
	free(msg);
}

static void __attribute__((format(printf, 2, 3)))
ferr(struct fctx *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fverr(f, NULL, "", fmt, ap);
	va_end(ap);
}

static void __attribute__((format(printf, 3, 4)))
ferr_elem(struct fctx *f, size_t i, const char *fmt, ...)
{
	struct loc l = { f->v, NULL, i };
	char what[32];
	va_list ap;

	snprintf(what, sizeof(what), "[%zu]", i);
	va_start(ap, fmt);
	fverr(f, &l, what, fmt, ap);
	va_end(ap);
}

static void __attribute__((format(printf, 3, 4)))
ferr_member(struct fctx *f, const char *key, const char *fmt, ...)
{
	struct loc l = { f->v, key, 0 };
	char *what;
	va_list ap;

	if (asprintf(&what, ".\"%s\"", key) == -1) {
		f->cfg->nomem = 1;
		return;
	}
	va_start(ap, fmt);
	fverr(f, &l, what, fmt, ap);
	va_end(ap);
	free(what);
}

/* --- positions: a second look at text jansson already accepted --- */

struct scan {
	struct cfg	*cfg;
	const char	*p;
	const char	*end;
	int		 line;
	int		 col;
};

static int	scan_value(struct scan *, json_t *);

/* Columns count characters, as jansson's do: skip UTF-8 continuations. */
static void
scan_adv(struct scan *s)
{
	if (*s->p == '\n') {
		s->line++;
		s->col = 1;
	} else if (((unsigned char)*s->p & 0xc0) != 0x80)
		s->col++;
	s->p++;
}

static void
scan_ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' ||
	    *s->p == '\n' || *s->p == '\r'))
		scan_adv(s);
}

static int
scan_is(struct scan *s, char ch)
{
	return s->p < s->end && *s->p == ch;
}

static int
scan_record(struct scan *s, const json_t *parent, const char *key,
    size_t idx, int line, int col)
{
	struct cfg *c = s->cfg;
	struct pos *p;
	size_t ncap;

	if (c->npos == c->pcap) {
		ncap = c->pcap ? c->pcap * 2 : 64;
		if ((p = reallocarray(c->pos, ncap, sizeof(*p))) == NULL)
			return -1;
		c->pos = p;
		c->pcap = ncap;
	}
	p = &c->pos[c->npos];
	p->parent = parent;
	p->key = key;
	p->idx = idx;
	p->seq = c->npos++;
	p->line = line;
	p->col = col;
	return 0;
}

static int
scan_string(struct scan *s)
{
	if (!scan_is(s, '"'))
		return -1;
	scan_adv(s);
	while (s->p < s->end && *s->p != '"') {
		if (*s->p == '\\')
			scan_adv(s);
		if (s->p < s->end)
			scan_adv(s);
	}
	if (!scan_is(s, '"'))
		return -1;
	scan_adv(s);
	return 0;
}

/* The key as jansson stored it, so errors can name it by pointer. */
static const char *
scan_key(json_t *obj, const char *start, size_t len, json_t **v)
{
	json_t *j = NULL;
	char *k;
	void *it;

	if (memchr(start, '\\', len) == NULL)
		k = strndup(start + 1, len - 2);
	else if ((j = json_loadb(start, len, JSON_DECODE_ANY, NULL)) != NULL &&
	    json_is_string(j))
		k = strdup(json_string_value(j));
	else
		k = NULL;
	json_decref(j);
	if (k == NULL)
		return NULL;
	it = json_object_iter_at(obj, k);
	free(k);
	if (it == NULL)
		return NULL;
	*v = json_object_iter_value(it);
	return json_object_iter_key(it);
}

static int
scan_object(struct scan *s, json_t *obj)
{
	const char *start, *key;
	json_t *v;
	int line, col;

	scan_adv(s);
	scan_ws(s);
	if (scan_is(s, '}')) {
		scan_adv(s);
		return 0;
	}
	for (;;) {
		scan_ws(s);
		start = s->p;
		line = s->line;
		col = s->col;
		if (scan_string(s) == -1 ||
		    (key = scan_key(obj, start, s->p - start, &v)) == NULL ||
		    scan_record(s, obj, key, 0, line, col) == -1)
			return -1;
		scan_ws(s);
		if (!scan_is(s, ':'))
			return -1;
		scan_adv(s);
		if (scan_value(s, v) == -1)
			return -1;
		scan_ws(s);
		if (!scan_is(s, ','))
			break;
		scan_adv(s);
	}
	if (!scan_is(s, '}'))
		return -1;
	scan_adv(s);
	return 0;
}

static int
scan_array(struct scan *s, json_t *arr)
{
	size_t i, n = json_array_size(arr);

	scan_adv(s);
	for (i = 0; i < n; i++) {
		scan_ws(s);
		if (scan_record(s, arr, NULL, i, s->line, s->col) == -1 ||
		    scan_value(s, json_array_get(arr, i)) == -1)
			return -1;
		scan_ws(s);
		if (i + 1 < n) {
			if (!scan_is(s, ','))
				return -1;
			scan_adv(s);
		}
	}
	scan_ws(s);
	if (!scan_is(s, ']'))
		return -1;
	scan_adv(s);
	return 0;
}

static int
scan_value(struct scan *s, json_t *v)
{
	scan_ws(s);
	if (s->p >= s->end)
		return -1;
	if (*s->p == '{')
		return json_is_object(v) ? scan_object(s, v) : -1;
	if (*s->p == '[')
		return json_is_array(v) ? scan_array(s, v) : -1;
	if (*s->p == '"')
		return scan_string(s);
	while (s->p < s->end && strchr(",]} \t\r\n", *s->p) == NULL)
		scan_adv(s);
	return 0;
}

/* Best effort: without positions, errors still name file and path. */
static void
scan_positions(struct cfg *c, const char *text, size_t len, json_t *root)
{
	struct scan s = { c, text, text + len, 1, 1 };

	scan_ws(&s);
	if (scan_record(&s, NULL, NULL, 0, s.line, s.col) == -1 ||
	    scan_value(&s, root) == -1) {
		free(c->pos);
		c->pos = NULL;
		c->npos = c->pcap = 0;
		return;
	}
	qsort(c->pos, c->npos, sizeof(*c->pos), pos_cmp);
}

/* --- small helpers --- */

static const char *
jtype(const json_t *v)
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

/* Ids and socket names: [A-Za-z0-9_.-]{1,64}. */
static int
valid_name(const char *s)
{
	return msg_name_valid(s);
}

static char *
xstrdup(struct cfg *c, const char *s)
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
		return xstrdup(c, p);
	while (p[0] == '.' && p[1] == '/')
		for (p += 2; *p == '/'; p++)
			;
	if (*p == '\0' || strcmp(p, ".") == 0)
		return xstrdup(c, c->dir);
	if (asprintf(&r, "%s%s%s", c->dir, strcmp(c->dir, "/") ? "/" : "",
	    p) == -1) {
		c->nomem = 1;
		return NULL;
	}
	return r;
}

static void
strv_free(char **v)
{
	size_t i;

	for (i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

/* "one of a, b, c" for an enum's error message. */
static char *
names_list(const char *const *names, size_t n)
{
	char *s = NULL, *t;
	size_t i;

	for (i = 0; i < n; i++) {
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
enum_get(struct fctx *f, const char *const *names, size_t n, int *out)
{
	const char *v = json_string_value(f->v);
	char *list;
	size_t i;

	for (i = 0; v != NULL && i < n; i++) {
		if (strcmp(v, names[i]) == 0) {
			*out = (int)i;
			return 0;
		}
	}
	if ((list = names_list(names, n)) == NULL)
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
		snprintf(buf, len, "expected an integer, got %s", jtype(v));
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
		ferr(f, "expected a string, got %s", jtype(f->v));
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

	if (enum_get(f, strategy_names, NITEMS(strategy_names), &v) == 0)
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

/*
 * A child's id, or NULL (after saying why) when it has no usable one;
 * such a child is then named by its index.
 */
static const char *
child_id(struct cfg *c, json_t *node, const char *ipath,
    const struct loc *nl, const char **seen, size_t nseen, const char *ppath)
{
	struct loc l = { node, "id", 0 };
	const char *id;
	json_t *v;
	size_t i;

	if ((v = json_object_get(node, "id")) == NULL) {
		cfg_err(c, nl, ipath, "\"id\": required");
		return NULL;
	}
	if ((id = json_string_value(v)) == NULL) {
		cfg_err(c, &l, ipath, "\"id\": expected a string, got %s",
		    jtype(v));
		return NULL;
	}
	if (!valid_name(id)) {
		cfg_err(c, &l, ipath, "\"id\": invalid id \"%s\": " NAME_RULE,
		    id);
		return NULL;
	}
	for (i = 0; i < nseen; i++) {
		if (seen[i] != NULL && strcmp(seen[i], id) == 0) {
			cfg_err(c, &l, ipath, "duplicate id \"%s\" (also at "
			    "%s/%s)", id, ppath, id);
			return NULL;
		}
	}
	return id;
}

static void
parse_child(struct cfg *c, struct spec *s, json_t *arr, size_t i,
    const char *path, const char **seen)
{
	struct loc l = { arr, NULL, i };
	json_t *node = json_array_get(arr, i);
	char *ipath, *cpath;
	const char *id;
	struct spec *child;

	if (asprintf(&ipath, "%s/children[%zu]", path, i) == -1) {
		c->nomem = 1;
		return;
	}
	if (!json_is_object(node)) {
		cfg_err(c, &l, ipath, "expected an object (a child spec), "
		    "got %s", jtype(node));
		free(ipath);
		return;
	}
	id = seen[i] = child_id(c, node, ipath, &l, seen, i, path);
	cpath = ipath;
	if (id != NULL && asprintf(&cpath, "%s/%s", path, id) == -1) {
		c->nomem = 1;
		cpath = ipath;
	}
	if ((child = parse_node(c, node, cpath, &l, ROLE_CHILD)) != NULL) {
		strlcpy(child->id, id ? id : "", sizeof(child->id));
		s->children[s->nchildren++] = child;
	}
	if (cpath != ipath)
		free(cpath);
	free(ipath);
}

static void
f_children(struct fctx *f)
{
	size_t i, n;
	const char **seen;

	if (!json_is_array(f->v)) {
		ferr(f, "expected an array, got %s", jtype(f->v));
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
		parse_child(f->cfg, f->s, f->v, i, f->path, seen);
	free(seen);
}

static void
f_template(struct fctx *f)
{
	struct loc l = { f->node, f->key, 0 };
	char *tpath;

	if (!json_is_object(f->v)) {
		ferr(f, "expected an object (a worker spec), got %s",
		    jtype(f->v));
		return;
	}
	if (asprintf(&tpath, "%s/template", f->path) == -1) {
		f->cfg->nomem = 1;
		return;
	}
	f->s->template = parse_node(f->cfg, f->v, tpath, &l, ROLE_TEMPLATE);
	free(tpath);
}

/* --- fields of every node --- */

static void
f_restart(struct fctx *f)
{
	int v;

	if (enum_get(f, restart_names, NITEMS(restart_names), &v) == 0)
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
		    json_is_array(f->v) ? "an empty array" : jtype(f->v));
		return;
	}
	for (i = 0; i < n; i++) {
		if ((a = json_string_value(json_array_get(f->v, i))) == NULL) {
			ferr_elem(f, i, "expected a string, got %s",
			    jtype(json_array_get(f->v, i)));
			bad = 1;
		} else if (i == 0 && *a == '\0') {
			ferr_elem(f, i, "the program must not be empty");
			bad = 1;
		}
	}
	if (bad)
		return;
	if ((argv = calloc(n + 1, sizeof(*argv))) == NULL) {
		f->cfg->nomem = 1;
		return;
	}
	/* argv[0] with a '/' is a path; relative ones are to our dir. */
	a = json_string_value(json_array_get(f->v, 0));
	argv[0] = strchr(a, '/') ? resolve(f->cfg, a) : xstrdup(f->cfg, a);
	for (i = 1; i < n && argv[i - 1] != NULL; i++)
		argv[i] = xstrdup(f->cfg,
		    json_string_value(json_array_get(f->v, i)));
	if (argv[n - 1] == NULL) {
		f->cfg->nomem = 1;
		strv_free(argv);
		return;
	}
	f->s->argv = argv;
	f->s->argc = n;
}

static int
signal_by_name(const char *name)
{
	size_t i;

	for (i = 0; i < NITEMS(signals); i++)
		if (strcmp(signals[i].name, name) == 0)
			return signals[i].signo;
	return -1;
}

static void
f_stop_signal(struct fctx *f)
{
	const char *s;
	int signo;

	if ((s = string_get(f)) == NULL)
		return;
	if ((signo = signal_by_name(s)) != -1)
		f->s->stop_signal = signo;
	else if (strncmp(s, "SIG", 3) == 0 && signal_by_name(s + 3) != -1)
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
		    jtype(f->v));
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

	if (enum_get(f, ready_names, NITEMS(ready_names), &v) == 0)
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
		ferr_member(f, k, "expected a string, got %s", jtype(v));
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
		ferr(f, "expected an object of strings, got %s", jtype(f->v));
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
		f->s->user = xstrdup(f->cfg, s);
}

static void
f_group(struct fctx *f)
{
	const char *s;

	if ((s = id_get(f, 0)) != NULL)
		f->s->group = xstrdup(f->cfg, s);
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
	l->name = xstrdup(c, name);
	l->path = xstrdup(c, f->path);
	c->nlisteners++;
	return 0;
}

static void
f_listen(struct fctx *f)
{
	const char *s;

	if ((s = json_string_value(f->v)) == NULL)
		ferr(f, "expected a socket name, got %s", jtype(f->v));
	else if (!valid_name(s))
		ferr(f, "invalid name \"%s\": " NAME_RULE, s);
	else if (strcmp(s, "supervisord") == 0)
		ferr(f, "\"supervisord\" is the control socket's name");
	else if (listen_claim(f, s) == 0)
		f->s->listen = xstrdup(f->cfg, s);
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

/* --- nodes --- */

/* Levenshtein distance, capped: only small ones matter for typos. */
static size_t
distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, d[32], diag, up;

	if (lb >= NITEMS(d) || (la > lb ? la - lb : lb - la) > 2)
		return SIZE_MAX;
	for (j = 0; j <= lb; j++)
		d[j] = j;
	for (i = 1; i <= la; i++) {
		diag = d[0];
		d[0] = i;
		for (j = 1; j <= lb; j++) {
			up = d[j];
			d[j] = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < d[j])
				d[j] = up + 1;
			if (d[j - 1] + 1 < d[j])
				d[j] = d[j - 1] + 1;
			diag = up;
		}
	}
	return d[lb];
}

static void
unknown_field(struct cfg *c, json_t *node, const char *path, const char *key)
{
	struct loc l = { node, key, 0 };
	size_t i, best = SIZE_MAX, d;
	const char *guess = NULL;

	for (i = 0; i < NITEMS(fields); i++) {
		if ((d = distance(key, fields[i].name)) < best) {
			best = d;
			guess = fields[i].name;
		}
	}
	/* Two edits turn any short word into another: be stricter there. */
	if (best <= (strlen(key) <= 4 ? 1 : 2))
		cfg_err(c, &l, path, "unknown field \"%s\" (did you mean "
		    "\"%s\"?)", key, guess);
	else
		cfg_err(c, &l, path, "unknown field \"%s\"", key);
}

static void
misplaced_field(struct cfg *c, json_t *node, const char *path,
    const struct field *fl, int kind)
{
	struct loc l = { node, fl->name, 0 };

	if (kind == K_TEMPLATE && strcmp(fl->name, "id") == 0)
		cfg_err(c, &l, path, "\"id\": not allowed in a template "
		    "(its instances get ids 1, 2, ...)");
	else if (kind == K_TEMPLATE)
		cfg_err(c, &l, path, "\"%s\": not allowed in a template, "
		    "which is a worker spec", fl->name);
	else
		cfg_err(c, &l, path, "\"%s\": only for %s (this node is a %s)",
		    fl->name, kind == K_SUP ? "workers" : "supervisors",
		    kind == K_SUP ? "supervisor" : "worker");
}

static const struct field *
field_find(const char *key)
{
	size_t i;

	for (i = 0; i < NITEMS(fields); i++)
		if (strcmp(fields[i].name, key) == 0)
			return &fields[i];
	return NULL;
}

/* kind == 0: the node's kind is unknown; report unknown fields only. */
static void
parse_fields(struct cfg *c, struct spec *s, json_t *node, const char *path,
    int kind)
{
	struct fctx f = { c, s, node, path, NULL, NULL };
	const struct field *fl;

	json_object_foreach(node, f.key, f.v) {
		if ((fl = field_find(f.key)) == NULL)
			unknown_field(c, node, path, f.key);
		else if (kind == 0)
			continue;
		else if ((fl->kinds & kind) == 0)
			misplaced_field(c, node, path, fl, kind);
		else if (fl->parse != NULL)
			fl->parse(&f);
	}
}

/* The first field that makes a node a supervisor, or NULL. */
static const char *
supervisor_field(json_t *node)
{
	static const char *const sf[] = { "strategy", "children", "template" };
	size_t i;

	for (i = 0; i < NITEMS(sf); i++)
		if (json_object_get(node, sf[i]) != NULL)
			return sf[i];
	return NULL;
}

/* "type", if given: K_SUP, K_WORKER, 0 when absent, -1 when bad. */
static int
type_field(struct cfg *c, json_t *node, const char *path)
{
	struct loc l = { node, "type", 0 };
	json_t *v = json_object_get(node, "type");
	const char *t = json_string_value(v);

	if (v == NULL)
		return 0;
	if (t != NULL && strcmp(t, "worker") == 0)
		return K_WORKER;
	if (t != NULL && strcmp(t, "supervisor") == 0)
		return K_SUP;
	cfg_err(c, &l, path, "\"type\": expected one of worker, supervisor");
	return -1;
}

static int
template_kind(struct cfg *c, json_t *node, const char *path, int type)
{
	struct loc l = { node, "type", 0 };

	if (type == K_SUP)
		cfg_err(c, &l, path, "\"type\": a template must be a worker");
	return K_TEMPLATE;
}

/* What a node is, from its fields: K_SUP, K_WORKER, K_TEMPLATE or -1. */
static int
node_kind(struct cfg *c, json_t *node, const char *path,
    const struct loc *nl, enum role role)
{
	struct loc tl = { node, "type", 0 };
	const char *sup = supervisor_field(node);
	int worker = json_object_get(node, "argv") != NULL;
	int type = type_field(c, node, path), kind;

	if (role == ROLE_TEMPLATE)
		return template_kind(c, node, path, type);
	if (sup != NULL && worker) {
		cfg_err(c, nl, path, "has both \"argv\" (a worker) and "
		    "\"%s\" (a supervisor)", sup);
		return -1;
	}
	kind = sup ? K_SUP : worker ? K_WORKER : type > 0 ? type :
	    role == ROLE_ROOT ? K_SUP : -1;
	if (kind == -1) {
		cfg_err(c, nl, path, "neither a worker (no \"argv\") nor a "
		    "supervisor (no \"strategy\", \"children\" or "
		    "\"template\")");
		return -1;
	}
	if (type > 0 && type != kind)
		cfg_err(c, &tl, path, "\"type\": is \"%s\" but \"%s\" makes "
		    "this node a %s", type == K_SUP ? "supervisor" : "worker",
		    sup ? sup : "argv", sup ? "supervisor" : "worker");
	if (role == ROLE_ROOT && kind == K_WORKER) {
		cfg_err(c, nl, path, "the root must be a supervisor, not a "
		    "worker");
		return -1;
	}
	return kind;
}

static struct spec *
spec_new(int kind)
{
	struct spec *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->restart = RESTART_PERMANENT;
	if (kind == K_SUP) {
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

/* OTP: a simple_one_for_one supervisor has only dynamic children. */
static void
check_supervisor(struct cfg *c, struct spec *s, json_t *node,
    const char *path, const struct loc *nl)
{
	struct loc tl = { node, "template", 0 }, cl = { node, "children", 0 };
	int has_template = json_object_get(node, "template") != NULL;

	if (s->strategy == SIMPLE_ONE_FOR_ONE) {
		if (!has_template)
			cfg_err(c, nl, path, "\"template\": required with "
			    "simple_one_for_one");
		if (json_array_size(json_object_get(node, "children")) > 0)
			cfg_err(c, &cl, path, "\"children\": not allowed with "
			    "simple_one_for_one (its children are instances "
			    "of \"template\")");
	} else if (has_template)
		cfg_err(c, &tl, path, "\"template\": only for "
		    "simple_one_for_one (the strategy is %s)",
		    strategy_names[s->strategy]);
}

static void
check_worker(struct cfg *c, struct spec *s, json_t *node, const char *path,
    const struct loc *nl)
{
	if (json_object_get(node, "argv") == NULL)
		cfg_err(c, nl, path, "\"argv\": required");
	if (s->cwd == NULL)
		s->cwd = xstrdup(c, c->dir);
}

/* NULL when the node's kind is unknown (already reported) or no memory. */
static struct spec *
parse_node(struct cfg *c, json_t *node, const char *path,
    const struct loc *nl, enum role role)
{
	struct spec *s;
	int kind;

	if ((kind = node_kind(c, node, path, nl, role)) == -1) {
		parse_fields(c, NULL, node, path, 0);
		return NULL;
	}
	if ((s = spec_new(kind)) == NULL) {
		c->nomem = 1;
		return NULL;
	}
	parse_fields(c, s, node, path, kind);
	if (kind == K_SUP)
		check_supervisor(c, s, node, path, nl);
	else
		check_worker(c, s, node, path, nl);
	return s;
}

/* The root's id defaults to "root" and names the whole tree. */
static struct spec *
parse_root(struct cfg *c, json_t *root)
{
	struct loc rl = { NULL, NULL, 0 }, il = { root, "id", 0 };
	json_t *v = json_object_get(root, "id");
	const char *id = "root";
	struct spec *s;

	if (v != NULL && (!json_is_string(v) ||
	    !valid_name(json_string_value(v)))) {
		if (json_is_string(v))
			cfg_err(c, &il, "root", "\"id\": invalid id \"%s\": "
			    NAME_RULE, json_string_value(v));
		else
			cfg_err(c, &il, "root", "\"id\": expected a string, "
			    "got %s", jtype(v));
	} else if (v != NULL)
		id = json_string_value(v);
	if ((s = parse_node(c, root, id, &rl, ROLE_ROOT)) != NULL)
		strlcpy(s->id, id, sizeof(s->id));
	return s;
}

/* --- entry points --- */

static int
config_dir(struct cfg *c, const char *file)
{
	char *copy, *d, *cwd;

	if (file == NULL || strchr(file, '/') == NULL)
		return (c->dir = getcwd(NULL, 0)) != NULL ? 0 : -1;
	if ((copy = strdup(file)) == NULL)
		return -1;
	d = dirname(copy);
	/* A config given as text may name a file that does not exist. */
	if ((c->dir = realpath(d, NULL)) == NULL) {
		if (*d == '/')
			c->dir = strdup(d);
		else if ((cwd = getcwd(NULL, 0)) != NULL) {
			if (asprintf(&c->dir, "%s/%s", cwd, d) == -1)
				c->dir = NULL;
			free(cwd);
		}
	}
	free(copy);
	return c->dir != NULL ? 0 : -1;
}

static int
blank(const char *text, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (strchr(" \t\r\n", text[i]) == NULL || text[i] == '\0')
			return 0;
	return 1;
}

static void
parse_document(struct cfg *c, const char *text, size_t len, const char *file,
    struct spec **out)
{
	struct loc rl = { NULL, NULL, 0 };
	json_error_t je;
	json_t *root;

	if (blank(text, len)) {
		cfg_err(c, NULL, NULL, "empty file: expected a JSON object "
		    "(the root supervisor)");
		return;
	}
	/* Keys given twice are errors too: the second would win silently. */
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY,
	    &je);
	if (root == NULL) {
		json_error(c, &je);
		return;
	}
	scan_positions(c, text, len, root);
	if (config_dir(c, file) == -1)
		cfg_err(c, NULL, NULL, "cannot resolve the config's directory: "
		    "%s", strerror(errno));
	else if (!json_is_object(root))
		cfg_err(c, &rl, "root", "expected an object (the root "
		    "supervisor), got %s", jtype(root));
	else
		*out = parse_root(c, root);
	json_decref(root);
}

static struct spec *
parse_buffer(const char *text, size_t len, const char *file, char **errs)
{
	struct cfg c;
	struct spec *s = NULL;
	char *msg;
	size_t i;

	memset(&c, 0, sizeof(c));
	c.file = file != NULL ? file : "(config)";
	parse_document(&c, text, len, file, &s);
	if (c.nerrs > 0 || c.nomem) {
		spec_free(s);
		s = NULL;
	}
	msg = errs_join(&c);
	if (c.nomem) {
		free(msg);
		if (asprintf(&msg, "%s: out of memory", c.file) == -1)
			msg = NULL;
		errno = ENOMEM;
	}
	if (errs != NULL)
		*errs = msg;
	else
		free(msg);
	for (i = 0; i < c.nlisteners; i++) {
		free(c.listeners[i].name);
		free(c.listeners[i].path);
	}
	free(c.listeners);
	free(c.pos);
	free(c.dir);
	return s;
}

struct spec *
config_parse(const char *text, const char *file, char **errs)
{
	return parse_buffer(text, strlen(text), file, errs);
}

static char *
read_file(FILE *fp, size_t *len)
{
	char *buf = NULL, *nb;
	size_t cap = 0, n;

	*len = 0;
	do {
		if (cap - *len < 4096) {
			cap = cap ? cap * 2 : 8192;
			if (cap > CONFIG_MAX_SIZE + 1 ||
			    (nb = realloc(buf, cap)) == NULL) {
				free(buf);
				errno = cap > CONFIG_MAX_SIZE + 1 ? EFBIG :
				    ENOMEM;
				return NULL;
			}
			buf = nb;
		}
		n = fread(buf + *len, 1, cap - *len - 1, fp);
		*len += n;
	} while (n > 0);
	if (ferror(fp)) {
		free(buf);
		return NULL;
	}
	buf[*len] = '\0';
	return buf;
}

struct spec *
config_load(const char *file, char **errs)
{
	struct spec *s;
	size_t len;
	char *text;
	FILE *fp;

	if (errs != NULL)
		*errs = NULL;
	if ((fp = fopen(file, "re")) == NULL || (text = read_file(fp,
	    &len)) == NULL) {
		if (errs != NULL && asprintf(errs, "%s: %s", file,
		    strerror(errno)) == -1)
			*errs = NULL;
		if (fp != NULL)
			fclose(fp);
		return NULL;
	}
	fclose(fp);
	s = parse_buffer(text, len, file, errs);
	free(text);
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

/* --- comparison --- */

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
	    a->period == b->period && spec_equal(a->template, b->template);
}

const char *
strategy_name(enum strategy st)
{
	return (size_t)st < NITEMS(strategy_names) ? strategy_names[st] :
	    "unknown";
}

const char *
restart_name(enum restart_type r)
{
	return (size_t)r < NITEMS(restart_names) ? restart_names[r] :
	    "unknown";
}

const char *
ready_name(enum ready_mode r)
{
	return (size_t)r < NITEMS(ready_names) ? ready_names[r] : "unknown";
}

const char *
spec_type_name(enum spec_type t)
{
	return (size_t)t < NITEMS(type_names) ? type_names[t] : "unknown";
}
