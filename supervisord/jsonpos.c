/*
 * jsonpos.c: a second look at JSON text jansson already accepted, noting
 * the line and column of every object member (its key) and array element.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "jsonpos.h"

struct pos {
	const json_t	*parent;	/* NULL: the document itself */
	const char	*key;		/* object member, else NULL */
	size_t		 idx;		/* array element */
	size_t		 seq;		/* text order */
	int		 line;
	int		 col;
};

struct jsonpos {
	struct pos	*pos;		/* sorted by (parent, seq) */
	size_t		 npos;
	size_t		 pcap;
};

struct scan {
	struct jsonpos	*jp;
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
	struct jsonpos *jp = s->jp;
	struct pos *p;
	size_t ncap;

	if (jp->npos == jp->pcap) {
		ncap = jp->pcap ? jp->pcap * 2 : 64;
		if ((p = reallocarray(jp->pos, ncap, sizeof(*p))) == NULL)
			return -1;
		jp->pos = p;
		jp->pcap = ncap;
	}
	p = &jp->pos[jp->npos];
	p->parent = parent;
	p->key = key;
	p->idx = idx;
	p->seq = jp->npos++;
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

static int
pos_cmp(const void *a, const void *b)
{
	const struct pos *x = a, *y = b;
	uintptr_t px = (uintptr_t)x->parent, py = (uintptr_t)y->parent;

	if (px != py)
		return px < py ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

struct jsonpos *
jsonpos_scan(const char *text, size_t len, json_t *root)
{
	struct jsonpos *jp;
	struct scan s = { NULL, text, text + len, 1, 1 };

	if ((jp = calloc(1, sizeof(*jp))) == NULL)
		return NULL;
	s.jp = jp;
	scan_ws(&s);
	if (scan_record(&s, NULL, NULL, 0, s.line, s.col) == -1 ||
	    scan_value(&s, root) == -1) {
		jsonpos_free(jp);
		return NULL;
	}
	qsort(jp->pos, jp->npos, sizeof(*jp->pos), pos_cmp);
	return jp;
}

void
jsonpos_free(struct jsonpos *jp)
{
	if (jp == NULL)
		return;
	free(jp->pos);
	free(jp);
}

int
jsonpos_find(const struct jsonpos *jp, const json_t *parent, const char *key,
    size_t idx, int *line, int *col)
{
	const struct pos *p;
	size_t lo = 0, hi, i;

	if (jp == NULL)
		return -1;
	hi = jp->npos;
	while (lo < hi) {
		i = lo + (hi - lo) / 2;
		if ((uintptr_t)jp->pos[i].parent < (uintptr_t)parent)
			lo = i + 1;
		else
			hi = i;
	}
	for (i = lo; i < jp->npos && jp->pos[i].parent == parent; i++) {
		p = &jp->pos[i];
		if (key != NULL ? p->key != NULL && strcmp(p->key, key) == 0 :
		    p->key == NULL && p->idx == idx) {
			*line = p->line;
			*col = p->col;
			return 0;
		}
	}
	return -1;
}
