/*
 * jsonpos.h: where each value sits in a JSON text. jansson keeps no
 * positions for the values it parses, so the text it accepted is
 * scanned once more.
 */
#ifndef JSONPOS_H
#define JSONPOS_H

#include <stddef.h>

#include <jansson.h>

struct jsonpos;

/*
 * The positions of the members and elements of ROOT, which jansson
 * parsed from TEXT and which must outlive the result. NULL when out of
 * memory or when TEXT does not read as ROOT: then there are none.
 */
struct jsonpos	*jsonpos_scan(const char *text, size_t len, json_t *root);
void		 jsonpos_free(struct jsonpos *);

/*
 * The line and column, from 1, of PARENT's member KEY, or with KEY NULL
 * of its element IDX; PARENT NULL is the document itself. -1 when the
 * scan did not record it (jp may be NULL).
 */
int		 jsonpos_find(const struct jsonpos *jp, const json_t *parent,
		    const char *key, size_t idx, int *line, int *col);

#endif /* JSONPOS_H */
