/*
 * plan.h: what a reload to a new spec tree would do, without doing it
 * (supervisorctl plan).
 */
#ifndef PLAN_H
#define PLAN_H

#include <jansson.h>

#include "tree.h"

/*
 * The actions a reload of T to ROOT would take, in the order it takes
 * them: an array of {"action", "path", "why"}, action one of "stop",
 * "start", "restart", "update". T is not changed. NULL: out of memory.
 */
json_t	*tree_plan(struct tree *t, const struct spec *root);

#endif /* PLAN_H */
