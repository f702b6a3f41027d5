/*
 * config.h: the supervision tree as read from JSON (supervisord.json(5)).
 */
#ifndef CONFIG_H
#define CONFIG_H

#include "spec.h"

/*
 * Parse FILE. On error returns NULL and, when errs is not NULL, sets
 * *errs to a malloc'd string of one line per error found:
 * "FILE:LINE:COL: PATH: message" (LINE:COL when jansson knows them).
 * Lines are separated by '\n', with none after the last; *errs is NULL
 * on success (and after an out-of-memory failure it could not report).
 * Relative paths (argv[0] with a '/', cwd, stdout/stderr files) are
 * resolved against FILE's directory; config_parse's FILE may be NULL
 * (messages then say "(config)", paths resolve against the cwd).
 * A template is a worker spec with an empty id.
 */
struct spec	*config_load(const char *file, char **errs);
struct spec	*config_parse(const char *text, const char *file, char **errs);

#endif /* CONFIG_H */
