/*
 * waits.h: control calls answered once what they started has an outcome.
 */
#ifndef WAITS_H
#define WAITS_H

#include <jansson.h>

struct msg_call;
struct node;

/*
 * Answer call once the worker n is started (ready: exec), ready
 * (notify), or failed to start; takes the kept call. -1 when out of
 * memory (the call is not taken).
 */
int	waits_start(struct msg_call *, const struct node *n);
/* Every event of the stream passes here first. */
void	waits_event(const json_t *ev);
/* Node n leaves the tree; a start it was waited for will not come. */
void	waits_forget(const struct node *n);
/* supervisord exits: what still waits is answered with why. */
void	waits_free(void);

#endif /* WAITS_H */
