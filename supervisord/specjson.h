/*
 * specjson.h: a spec as JSON, every field with its default filled in:
 * what supervisorctl spec shows (supervisorctl(8)).
 */
#ifndef SPECJSON_H
#define SPECJSON_H

#include <stddef.h>

#include <jansson.h>

#include "spec.h"

#define SPEC_JSON_ROOT	0x1	/* no parent: leave out a child's fields */

/*
 * The spec S as supervisord.json(5) would write it, with EXTRA (the
 * arguments a simple_one_for_one instance was started with) appended to
 * argv. A supervisor's "children" are their ids. NULL when out of memory.
 */
json_t	*spec_json(const struct spec *s, char *const *extra, size_t nextra,
	    int flags);

#endif /* SPECJSON_H */
