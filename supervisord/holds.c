/*
 * holds.c: the operator's holds, what supervisord keeps across its own
 * restarts (supervisord(8), STATE FILE): the static children the
 * operator stopped although the file would start them, and those it
 * started although their autostart is false. Only the difference from
 * the file is held, so a file edited meanwhile decides the rest. A node
 * takes its op_stopped from here when it is created.
 */
#include <stdlib.h>
#include <string.h>

#include "tree-int.h"

static int
cmp_held(const void *a, const void *b)
{
	return strcmp(((const struct held *)a)->path,
	    ((const struct held *)b)->path);
}

static struct held *
find_held(struct tree *t, const char *path)
{
	struct held key = { (char *)path, 0 };

	if (t->nheld == 0)
		return NULL;
	return bsearch(&key, t->held, t->nheld, sizeof(*t->held), cmp_held);
}

/* Where path goes in the sorted table. */
static size_t
slot(const struct tree *t, const char *path)
{
	size_t lo = 0, hi = t->nheld, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(t->held[mid].path, path) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int
tree_hold(struct tree *t, const char *path, int stopped)
{
	struct held *h, *v;
	size_t i;

	if ((h = find_held(t, path)) != NULL) {
		h->stopped = stopped != 0;
		return 0;
	}
	if ((v = reallocarray(t->held, t->nheld + 1, sizeof(*v))) == NULL)
		return -1;
	t->held = v;
	i = slot(t, path);
	if ((path = strdup(path)) == NULL)
		return -1;
	memmove(v + i + 1, v + i, (t->nheld - i) * sizeof(*v));
	v[i].path = (char *)path;
	v[i].stopped = stopped != 0;
	t->nheld++;
	return 0;
}

static void
unhold_at(struct tree *t, struct held *h)
{
	size_t i = (size_t)(h - t->held);

	free(h->path);
	memmove(h, h + 1, (t->nheld - i - 1) * sizeof(*h));
	t->nheld--;
}

const struct held *
tree_holds(struct tree *t, size_t *n)
{
	*n = t->nheld;
	return t->held;
}

void
holds_free(struct tree *t)
{
	size_t i;

	for (i = 0; i < t->nheld; i++)
		free(t->held[i].path);
	free(t->held);
	t->held = NULL;
	t->nheld = 0;
}

static const struct spec *
spec_kid(const struct spec *s, const char *id, size_t len, size_t hint)
{
	size_t i;

	if (hint < s->nchildren && strlen(s->children[hint]->id) == len &&
	    strncmp(s->children[hint]->id, id, len) == 0)
		return s->children[hint];
	for (i = 0; i < s->nchildren; i++)
		if (strlen(s->children[i]->id) == len &&
		    strncmp(s->children[i]->id, id, len) == 0)
			return s->children[i];
	return NULL;
}

/* Dynamic instances are not in the file: only its children are found. */
const struct spec *
spec_at(const struct spec *root, const char *path)
{
	const struct spec *s = root;
	const char *p, *slash;
	size_t len;

	len = strcspn(path, "/");
	if (len != strlen(root->id) || strncmp(path, root->id, len) != 0)
		return NULL;
	for (p = path + len; *p == '/' && s != NULL; p = slash) {
		p++;
		slash = p + strcspn(p, "/");
		if (slash == p)
			return NULL;
		s = spec_kid(s, p, (size_t)(slash - p), s->nchildren);
	}
	return *p == '\0' ? s : NULL;
}

/* A child of the file (not the root, not a dynamic instance). */
static int
is_static(const struct node *n)
{
	return n->parent != NULL &&
	    n->parent->spec->strategy != SIMPLE_ONE_FOR_ONE;
}

int
hold_initial(struct tree *t, const struct node *n)
{
	struct held *h;

	if (!is_static(n))
		return 0;
	if ((h = find_held(t, n->path)) != NULL)
		return h->stopped;
	return !n->spec->autostart;
}

/*
 * What n's op_stopped now is, against the file's autostart: a hold
 * where they differ, none where they agree. 1 when the table changed.
 */
static int
hold_set(struct tree *t, const struct node *n, const struct spec *sp)
{
	struct held *h = find_held(t, n->path);
	int differs = n->op_stopped != !sp->autostart;

	if (!differs) {
		if (h == NULL)
			return 0;
		unhold_at(t, h);
		return 1;
	}
	if (h != NULL && h->stopped == n->op_stopped)
		return 0;
	return tree_hold(t, n->path, n->op_stopped) == 0;
}

void
hold_op(struct tree *t, const struct node *c)
{
	const struct spec *sp;

	if (!is_static(c))
		return;
	/* A reload may not have reached c's supervisor yet. */
	if ((sp = spec_at(t->spec, c->path)) == NULL)
		sp = c->spec;
	if (hold_set(t, c, sp) && t->ops->held != NULL)
		t->ops->held(t);
}

/*
 * After a reload: holds of paths gone from the file, or that now say
 * what the file says anyway, go. Nothing else changes: a child whose
 * autostart a reload changed keeps running or stays stopped as it is
 * (a reload starts and stops only what it adds and removes), and the
 * file decides for it at the next start of supervisord.
 */
void
holds_reload(struct tree *t)
{
	const struct spec *sp;
	size_t i = 0;
	int changed = 0;

	while (i < t->nheld) {
		sp = spec_at(t->spec, t->held[i].path);
		if (sp == NULL || sp == t->spec ||
		    t->held[i].stopped == !sp->autostart) {
			unhold_at(t, &t->held[i]);
			changed = 1;
		} else
			i++;
	}
	if (changed && t->ops->held != NULL)
		t->ops->held(t);
}
