/*
 * statefile.h: the operator's holds on disk, STATEDIR/state.json
 * (supervisord(8), STATE FILE).
 */
#ifndef STATEFILE_H
#define STATEFILE_H

#include <stddef.h>

struct held;
struct spec;

/*
 * -S DIR, else /var/lib/supkit as root, else $XDG_STATE_HOME/supkit,
 * else ~/.local/state/supkit. -1 with errno when there is none.
 */
int	statedir_choose(const char *opt, char *buf, size_t size);

/*
 * Read DIR/state.json into *v (caller frees with holds_vfree): only
 * holds of children of root's file that differ from their autostart;
 * *pruned is set when others were dropped (the file wants rewriting).
 * 0 on success, a missing file included (no holds). 1 when the file
 * could not be parsed or has the wrong shape: it was renamed to
 * state.json.bad, why in err. -1 when it could not be read (why in
 * err). Either way *v is then empty.
 */
int	statefile_read(const char *dir, const struct spec *root,
	    struct held **v, size_t *n, int *pruned, char *err, size_t len);
void	holds_vfree(struct held *v, size_t n);

/*
 * Write DIR/state.json atomically: a temporary file in DIR, written and
 * fsync'ed, renamed over it, the directory fsync'ed; DIR is created
 * (0700) as needed. -1 with why in err, the old file left as it was.
 */
int	statefile_write(const char *dir, const struct held *v, size_t n,
	    char *err, size_t len);

#endif /* STATEFILE_H */
