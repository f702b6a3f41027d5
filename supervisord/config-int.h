/*
 * config-int.h: what config.c (documents, nodes, errors) and
 * config-fields.c (the field table and each field's parser) share.
 */
#ifndef CONFIG_INT_H
#define CONFIG_INT_H

#include <stddef.h>

#include <jansson.h>

#include "config.h"

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

#define NAME_RULE	"expected 1 to 64 of A-Z a-z 0-9 _ . -"

/* Node kinds, as bits so a field can say where it is allowed. */
#define K_SUP		0x1
#define K_WORKER	0x2
#define K_TEMPLATE	0x4		/* a worker spec without an id */
#define K_WORKERS	(K_WORKER | K_TEMPLATE)
#define K_ALL		(K_SUP | K_WORKER | K_TEMPLATE)
#define K_NOT_ROOT	0x8		/* a child's field: the root has no parent */

enum role {
	ROLE_ROOT,
	ROLE_CHILD,
	ROLE_TEMPLATE
};

/* A value named by its container: what an error points at. */
struct loc {
	const json_t	*parent;	/* NULL: the document itself */
	const char	*key;		/* object member, else NULL */
	size_t		 idx;		/* array element */
};

struct listener {
	char		*name;
	char		*path;
};

struct err;
struct jsonpos;

struct cfg {
	const char	*file;		/* for messages */
	char		*dir;		/* absolute, for relative paths */
	struct err	*errs;
	size_t		 nerrs;
	int		 nomem;
	struct jsonpos	*pos;		/* NULL: no positions known */
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

/*
 * A row of the field table: a new field is one row and one parser that
 * checks f->v, sets f->s's member or reports why not.
 */
struct field {
	const char	*name;
	int		 kinds;		/* K_*: where it is allowed */
	void		(*parse)(struct fctx *);
};

/*
 * config.c. ferr: an error about f's field; ferr_elem and ferr_member:
 * about its element I or member KEY (of an array or a map such as env).
 * cfg_node: the spec at NODE, or NULL.
 */
void		 ferr(struct fctx *f, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));
void		 ferr_elem(struct fctx *f, size_t i, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));
void		 ferr_member(struct fctx *f, const char *key, const char *fmt,
		    ...) __attribute__((format(printf, 3, 4)));
/* ferr_in: about member KEY of an object-valued field ("f": "key": ...). */
void		 ferr_in(struct fctx *f, const char *key, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));
struct spec	*cfg_node(struct cfg *, json_t *, const char *path,
		    const struct loc *, enum role);
/* Element I of "children" ARR into S; SEEN holds its siblings' ids. */
void		 cfg_child(struct cfg *, struct spec *, json_t *arr, size_t i,
		    const char *path, const char **seen);

/* config-fields.c. field_guess: the field KEY is likely a typo of. */
const struct field *field_find(const char *key);
const char	*field_guess(const char *key);
const char	*cfg_jtype(const json_t *);
int		 cfg_valid_name(const char *);
char		*cfg_strdup(struct cfg *, const char *);

#endif /* CONFIG_INT_H */
