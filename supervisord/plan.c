/*
 * plan.c: supervisorctl plan: what a reload would stop, start and
 * restart. Each child's fate comes from reload_child() in tree.c, the
 * function reload_plan() itself follows, so the two cannot drift; this
 * file only walks the tree with it and says why.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "plan.h"
#include "specjson.h"
#include "tree-int.h"

struct plan {
	json_t		*out;
	int		 nomem;
};

/* What reload compares (spec_equal) and what it takes on in place. */
static int
adopted_field(const char *key)
{
	return strcmp(key, "restart_delay") == 0 ||
	    strcmp(key, "autostart") == 0 || strcmp(key, "significant") == 0;
}

/* normal_exit_codes is a set of 0..255, as spec_equal sees it. */
static void
codes_set(json_t *codes, unsigned char set[256])
{
	json_int_t c;
	json_t *v;
	size_t i;

	memset(set, 0, 256);
	json_array_foreach(codes, i, v)
		if ((c = json_integer_value(v)) >= 0 && c < 256)
			set[c] = 1;
}

static int
codes_equal(json_t *a, json_t *b)
{
	unsigned char sa[256], sb[256];

	codes_set(a, sa);
	codes_set(b, sb);
	return memcmp(sa, sb, sizeof(sa)) == 0;
}

/*
 * Whether field KEY of a and b (va, vb in JSON) counts as a difference
 * of the kind asked for: one reload restarts for (adopted == 0), or one
 * it takes on in place (1). A template holds both kinds.
 */
static int
differs(const struct spec *a, const struct spec *b, const char *key,
    json_t *va, json_t *vb, int adopted)
{
	if (strcmp(key, "template") == 0)
		return adopted ? !json_equal(va, vb) :
		    !spec_equal(a->template, b->template);
	if (adopted_field(key) != adopted)
		return 0;
	if (strcmp(key, "normal_exit_codes") == 0 && va != NULL && vb != NULL)
		return !codes_equal(va, vb);
	return !json_equal(va, vb);
}

/*
 * The fields of a and b that differ, "strategy, intensity"; children
 * are compared one by one as the walk recurses, not here.
 */
static void
differences(const struct spec *a, const struct spec *b, int adopted,
    char *buf, size_t len)
{
	json_t *ja = spec_json(a, NULL, 0, 0), *jb = spec_json(b, NULL, 0, 0);
	json_t *va, *vb;
	const char *k;

	*buf = '\0';
	if (ja == NULL || jb == NULL)
		goto done;
	json_object_del(ja, "children");
	json_object_del(jb, "children");
	json_object_foreach(jb, k, vb) {
		va = json_object_get(ja, k);
		if (differs(a, b, k, va, vb, adopted))
			snprintf(buf + strlen(buf), len - strlen(buf), "%s%s",
			    *buf ? ", " : "", k);
	}
	json_object_foreach(ja, k, va) {
		if (json_object_get(jb, k) == NULL &&
		    differs(a, b, k, va, NULL, adopted))
			snprintf(buf + strlen(buf), len - strlen(buf), "%s%s",
			    *buf ? ", " : "", k);
	}
done:
	json_decref(ja);
	json_decref(jb);
}

static void
add(struct plan *p, const char *action, const char *path, const char *why)
{
	json_t *a = json_pack("{ssssss}", "action", action, "path", path,
	    "why", why);

	if (a == NULL || json_array_append_new(p->out, a) == -1)
		p->nomem = 1;
}

static void
add_child_path(struct plan *p, const char *action, const struct node *s,
    const char *id, const char *why)
{
	char *path;

	if (asprintf(&path, "%s/%s", s->path, id) == -1) {
		p->nomem = 1;
		return;
	}
	add(p, action, path, why);
	free(path);
}

static int
is_up(const struct node *k)
{
	return k->state == NS_STARTING || k->state == NS_RUNNING ||
	    k->state == NS_STOPPING || k->state == NS_RESTARTING;
}

static void
plan_remove(struct plan *p, const struct node *k)
{
	add(p, "stop", k->path, !is_up(k) ? "removed; not running" :
	    k->spec->type == SPEC_SUPERVISOR ? "removed; its subtree stops "
	    "with it" : "removed");
}

static void
plan_add(struct plan *p, const struct node *s, const struct spec *nk)
{
	if (!nk->autostart)
		add_child_path(p, "update", s, nk->id, "new; not started "
		    "(autostart false)");
	else
		add_child_path(p, "start", s, nk->id, nk->type ==
		    SPEC_SUPERVISOR ? "new; its subtree starts with it" :
		    "new");
}

/* Restarted with its new spec, unless it is down (then only started). */
static void
plan_replace(struct plan *p, const struct node *k, const struct spec *nk)
{
	const char *tail = "";
	char what[512], why[640];

	if (k->spec->type != nk->type)
		strlcpy(what, "type", sizeof(what));
	else
		differences(k->spec, nk, 0, what, sizeof(what));
	if (*what == '\0')
		strlcpy(what, "spec", sizeof(what));
	if (k->op_stopped) {
		snprintf(why, sizeof(why), "%s changed; stopped by the "
		    "operator, it stays stopped", what);
		add(p, "update", k->path, why);
		return;
	}
	if (nk->type == SPEC_SUPERVISOR)
		tail = is_up(k) ? "; its subtree restarts with it" :
		    "; its subtree starts with it";
	snprintf(why, sizeof(why), "%s changed%s", what, tail);
	add(p, is_up(k) ? "restart" : "start", k->path, why);
}

/* What reload takes on without a restart: said, so none is a surprise. */
static void
plan_adopt(struct plan *p, const struct node *k, const struct spec *nk,
    int root)
{
	char what[512], why[640];

	/*
	 * No one restarts the root, so its own fields apply in place; it
	 * has none of a child's (config.c refuses them there).
	 */
	differences(k->spec, nk, !root, what, sizeof(what));
	if (*what == '\0')
		return;
	snprintf(why, sizeof(why), "%s changed; taken on without a restart",
	    what);
	add(p, "update", k->path, why);
}

static void	plan_supervisor(struct plan *, const struct node *,
		    const struct spec *);

/*
 * An unchanged supervisor reloads its own children, once it runs: one
 * that is down applies them when it is next started, so nothing of it
 * happens now.
 */
static void
plan_recurse(struct plan *p, const struct node *k, const struct spec *nk)
{
	struct plan sub = { NULL, 0 };

	if (is_up(k)) {
		plan_supervisor(p, k, nk);
		return;
	}
	if ((sub.out = json_array()) == NULL) {
		p->nomem = 1;
		return;
	}
	plan_supervisor(&sub, k, nk);
	if (json_array_size(sub.out) > 0)
		add(p, "update", k->path, "its children change; not running, "
		    "it applies them when next started");
	p->nomem |= sub.nomem;
	json_decref(sub.out);
}

/* In reload_plan's order: removals last to first, then the file's order. */
static void
plan_supervisor(struct plan *p, const struct node *s, const struct spec *ns)
{
	const struct spec *nk;
	const struct node *k;
	size_t i, j;

	if (ns->strategy == SIMPLE_ONE_FOR_ONE)
		return;		/* its instances take the template as it is */
	for (i = s->nkids; i-- > 0;)
		if (reload_child(s, ns, s->spec, s->kids[i]->id) == RA_REMOVE)
			plan_remove(p, s->kids[i]);
	for (i = 0; i < ns->nchildren; i++) {
		nk = ns->children[i];
		for (k = NULL, j = 0; j < s->nkids && k == NULL; j++)
			if (strcmp(s->kids[j]->id, nk->id) == 0)
				k = s->kids[j];
		switch (reload_child(s, ns, s->spec, nk->id)) {
		case RA_NONE:
		case RA_REMOVE:
			break;
		case RA_ADD:
			plan_add(p, s, nk);
			break;
		case RA_REPLACE:
			plan_replace(p, k, nk);
			break;
		case RA_RECURSE:
			plan_adopt(p, k, nk, 0);
			plan_recurse(p, k, nk);
			break;
		case RA_ADOPT:
			plan_adopt(p, k, nk, 0);
			break;
		}
	}
}

json_t *
tree_plan(struct tree *t, const struct spec *root)
{
	struct plan p = { json_array(), 0 };
	const struct node *r = tree_root(t);

	if (p.out == NULL)
		return NULL;
	plan_adopt(&p, r, root, 1);
	plan_supervisor(&p, r, root);
	if (p.nomem) {
		json_decref(p.out);
		return NULL;
	}
	return p.out;
}
