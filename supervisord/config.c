/*
 * config.c: read a supervision tree (supervisord.json(5)) into struct spec,
 * reporting every error found with its file, line, column and tree path.
 * Each field's parser is in config-fields.c.
 */
#include <sys/types.h>

#include <errno.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "config-int.h"
#include "jsonpos.h"

/* A config is read whole; anything this large is not a config. */
#define CONFIG_MAX_SIZE		(64 * 1024 * 1024)

/* One error line, kept until all are known so they sort by position. */
struct err {
	int		 line;		/* 0: no position */
	int		 col;
	size_t		 seq;
	char		*text;
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
errs_add(struct cfg *c, int line, int col, char *text)
{
	struct err *e;

	if ((e = reallocarray(c->errs, c->nerrs + 1, sizeof(*e))) == NULL) {
		c->nomem = 1;
		free(text);
		return;
	}
	c->errs = e;
	e += c->nerrs;
	e->line = line;
	e->col = col;
	e->seq = c->nerrs++;
	e->text = text;
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

/* LINE 0: no position known. */
static void __attribute__((format(printf, 5, 0)))
cfg_verr(struct cfg *c, int lineno, int col, const char *path,
    const char *fmt, va_list ap)
{
	char *msg, *line, *safe;
	int r;

	if (vasprintf(&msg, fmt, ap) == -1) {
		c->nomem = 1;
		return;
	}
	if (lineno > 0)
		r = asprintf(&line, "%s:%d:%d: %s%s%s", c->file, lineno, col,
		    path ? path : "", path ? ": " : "", msg);
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
		errs_add(c, lineno, col, safe);
}

static void __attribute__((format(printf, 4, 5)))
cfg_err_at(struct cfg *c, int line, int col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cfg_verr(c, line, col, NULL, fmt, ap);
	va_end(ap);
}

/* An error about the value at l (NULL: the file as a whole). */
static void __attribute__((format(printf, 4, 5)))
cfg_err(struct cfg *c, const struct loc *l, const char *path,
    const char *fmt, ...)
{
	int line = 0, col = 0;
	va_list ap;

	if (l != NULL && jsonpos_find(c->pos, l->parent, l->key, l->idx,
	    &line, &col) == -1)
		line = col = 0;
	va_start(ap, fmt);
	cfg_verr(c, line, col, path, fmt, ap);
	va_end(ap);
}

/* An error where jansson found it. */
static void
json_error(struct cfg *c, const json_error_t *je)
{
	/* jansson says column 0 when it ran out of input at a line start. */
	cfg_err_at(c, je->line, je->column < 1 ? 1 : je->column, "%s",
	    je->text);
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

void
ferr(struct fctx *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fverr(f, NULL, "", fmt, ap);
	va_end(ap);
}

void
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

/* About member KEY of f's value, named after SEP: "env"."K", "x": "max". */
static void __attribute__((format(printf, 4, 0)))
fverr_key(struct fctx *f, const char *key, const char *sep, const char *fmt,
    va_list ap)
{
	struct loc l = { f->v, key, 0 };
	char *what;

	if (asprintf(&what, "%s\"%s\"", sep, key) == -1) {
		f->cfg->nomem = 1;
		return;
	}
	fverr(f, &l, what, fmt, ap);
	free(what);
}

void
ferr_member(struct fctx *f, const char *key, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fverr_key(f, key, ".", fmt, ap);
	va_end(ap);
}

void
ferr_in(struct fctx *f, const char *key, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fverr_key(f, key, ": ", fmt, ap);
	va_end(ap);
}

/* --- nodes --- */

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
		    cfg_jtype(v));
		return NULL;
	}
	if (!cfg_valid_name(id)) {
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

void
cfg_child(struct cfg *c, struct spec *s, json_t *arr, size_t i,
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
		    "got %s", cfg_jtype(node));
		free(ipath);
		return;
	}
	id = seen[i] = child_id(c, node, ipath, &l, seen, i, path);
	cpath = ipath;
	if (id != NULL && asprintf(&cpath, "%s/%s", path, id) == -1) {
		c->nomem = 1;
		cpath = ipath;
	}
	if ((child = cfg_node(c, node, cpath, &l, ROLE_CHILD)) != NULL) {
		strlcpy(child->id, id ? id : "", sizeof(child->id));
		s->children[s->nchildren++] = child;
	}
	if (cpath != ipath)
		free(cpath);
	free(ipath);
}

static void
unknown_field(struct cfg *c, json_t *node, const char *path, const char *key)
{
	struct loc l = { node, key, 0 };
	const char *guess = field_guess(key);

	if (guess != NULL)
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
	else if (kind == K_TEMPLATE && strcmp(fl->name, "autostart") == 0)
		cfg_err(c, &l, path, "\"autostart\": not allowed in a "
		    "template (an instance is started by start-child)");
	else if (kind == K_TEMPLATE)
		cfg_err(c, &l, path, "\"%s\": not allowed in a template, "
		    "which is a worker spec", fl->name);
	else
		cfg_err(c, &l, path, "\"%s\": only for %s (this node is a %s)",
		    fl->name, kind == K_SUP ? "workers" : "supervisors",
		    kind == K_SUP ? "supervisor" : "worker");
}

/* The root has no supervisor to restart, start or shut it down. */
static void
root_field(struct cfg *c, json_t *node, const char *path,
    const struct field *fl)
{
	struct loc l = { node, fl->name, 0 };

	cfg_err(c, &l, path, "\"%s\": not allowed at the root (only for "
	    "children: it says how a supervisor treats them)", fl->name);
}

/* kind == 0: the node's kind is unknown; report unknown fields only. */
static void
parse_fields(struct cfg *c, struct spec *s, json_t *node, const char *path,
    int kind, enum role role)
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
		else if ((fl->kinds & K_NOT_ROOT) && role == ROLE_ROOT)
			root_field(c, node, path, fl);
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
		s->cwd = cfg_strdup(c, c->dir);
}

/*
 * Combinations, checked once every field is read: "restart" may come
 * after "significant" or "ready" in the object.
 */
static void
check_child(struct cfg *c, struct spec *s, json_t *node, const char *path)
{
	struct loc sl = { node, "significant", 0 }, rl = { node, "ready", 0 };

	/*
	 * OTP's validSignificant: {bad_combination, [{restart, permanent},
	 * {significant, true}]}. A permanent child never ends by itself.
	 */
	if (s->significant && s->restart == RESTART_PERMANENT)
		cfg_err(c, &sl, path, "\"significant\": true needs \"restart\" "
		    "transient or temporary, not permanent (a permanent child "
		    "never ends by itself)");
	/* A run-once step that exited normally must not be run again. */
	if (s->type == SPEC_WORKER && s->ready == READY_EXITED &&
	    s->restart == RESTART_PERMANENT)
		cfg_err(c, &rl, path, "\"ready\": \"exited\" needs "
		    "\"restart\" transient or temporary, not permanent (a "
		    "run-once step is not restarted after a normal exit)");
	/* As systemd's Type=oneshot: a step has no time limit by default. */
	if (s->type == SPEC_WORKER && s->ready == READY_EXITED &&
	    json_object_get(node, "start_timeout") == NULL)
		s->start_timeout = 0;
}

/* CHILD (an element of "children", or "template") of a supervisor. */
static void
significant_orphan(struct cfg *c, json_t *child, const char *cpath,
    const char *path)
{
	struct loc l = { child, "significant", 0 };

	cfg_err(c, &l, cpath, "\"significant\": true needs the supervisor's "
	    "\"auto_shutdown\" any_significant or all_significant, but %s "
	    "has never", path);
}

static int
is_significant(json_t *child)
{
	return json_is_true(json_object_get(child, "significant"));
}

/*
 * OTP's validSignificant: {bad_combination, [{auto_shutdown, never},
 * {significant, true}]}, for static children and a simple_one_for_one's
 * child spec alike (OTP checks both with check_childspec, and allows
 * auto_shutdown with every strategy). OTP stops at the first bad
 * combination (this one before restart permanent); we report each.
 */
static void
check_significant_children(struct cfg *c, const struct spec *s,
    json_t *node, const char *path)
{
	json_t *arr = json_object_get(node, "children"), *ch, *tpl;
	const char *id;
	char *cpath;
	size_t i;

	if (s->auto_shutdown != AUTO_NEVER)
		return;
	json_array_foreach(arr, i, ch) {
		if (!is_significant(ch))
			continue;
		id = json_string_value(json_object_get(ch, "id"));
		if ((id != NULL && cfg_valid_name(id) ? asprintf(&cpath,
		    "%s/%s", path, id) : asprintf(&cpath, "%s/children[%zu]",
		    path, i)) == -1) {
			c->nomem = 1;
			return;
		}
		significant_orphan(c, ch, cpath, path);
		free(cpath);
	}
	if (is_significant(tpl = json_object_get(node, "template"))) {
		if (asprintf(&cpath, "%s/template", path) == -1) {
			c->nomem = 1;
			return;
		}
		significant_orphan(c, tpl, cpath, path);
		free(cpath);
	}
}

/* NULL when the node's kind is unknown (already reported) or no memory. */
struct spec *
cfg_node(struct cfg *c, json_t *node, const char *path,
    const struct loc *nl, enum role role)
{
	struct spec *s;
	int kind;

	if ((kind = node_kind(c, node, path, nl, role)) == -1) {
		parse_fields(c, NULL, node, path, 0, role);
		return NULL;
	}
	if ((s = spec_new(kind == K_SUP ? SPEC_SUPERVISOR : SPEC_WORKER)) ==
	    NULL) {
		c->nomem = 1;
		return NULL;
	}
	parse_fields(c, s, node, path, kind, role);
	if (kind == K_SUP) {
		check_supervisor(c, s, node, path, nl);
		check_significant_children(c, s, node, path);
	} else
		check_worker(c, s, node, path, nl);
	check_child(c, s, node, path);
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
	    !cfg_valid_name(json_string_value(v)))) {
		if (json_is_string(v))
			cfg_err(c, &il, "root", "\"id\": invalid id \"%s\": "
			    NAME_RULE, json_string_value(v));
		else
			cfg_err(c, &il, "root", "\"id\": expected a string, "
			    "got %s", cfg_jtype(v));
	} else if (v != NULL)
		id = json_string_value(v);
	if ((s = cfg_node(c, root, id, &rl, ROLE_ROOT)) != NULL)
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
	/* Best effort: without positions, errors still name file and path. */
	c->pos = jsonpos_scan(text, len, root);
	if (config_dir(c, file) == -1)
		cfg_err(c, NULL, NULL, "cannot resolve the config's directory: "
		    "%s", strerror(errno));
	else if (!json_is_object(root))
		cfg_err(c, &rl, "root", "expected an object (the root "
		    "supervisor), got %s", cfg_jtype(root));
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
	jsonpos_free(c.pos);
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
