/*
 * statefile.c: STATEDIR/state.json, the operator's holds kept across
 * restarts of supervisord: where it lives, reading it back (pruned to
 * the file's children), and writing it so that a crash at any moment
 * leaves either the old file or the new one.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "statefile.h"
#include "tree.h"

#define STATE_NAME	"state.json"
#define STATE_VERSION	1

static int
put(char *buf, size_t size, const char *a, const char *b)
{
	if ((size_t)snprintf(buf, size, "%s%s", a, b) >= size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

int
statedir_choose(const char *opt, char *buf, size_t size)
{
	const char *e;
	struct passwd *pw;

	if (opt != NULL)
		return put(buf, size, opt, "");
	if (geteuid() == 0)
		return put(buf, size, "/var/lib/supkit", "");
	/* The XDG base directory spec ignores a relative value. */
	if ((e = getenv("XDG_STATE_HOME")) != NULL && e[0] == '/')
		return put(buf, size, e, "/supkit");
	if ((e = getenv("HOME")) == NULL || e[0] != '/') {
		if ((pw = getpwuid(geteuid())) == NULL || pw->pw_dir == NULL ||
		    pw->pw_dir[0] != '/') {
			errno = ENOENT;
			return -1;
		}
		e = pw->pw_dir;
	}
	return put(buf, size, e, "/.local/state/supkit");
}

void
holds_vfree(struct held *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].path);
	free(v);
}

/* --- reading --- */

static int
known(struct held *v, size_t n, const char *path)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i].path, path) == 0)
			return 1;
	return 0;
}

/*
 * One list of paths ("stopped" or "started"); -1 on a wrong shape, with
 * why in err. Holds that no longer apply are counted in *pruned.
 */
static int
take_list(json_t *o, const char *key, int stopped, const struct spec *root,
    struct held **v, size_t *n, int *pruned, char *err, size_t len)
{
	json_t *a = json_object_get(o, key), *p;
	const struct spec *sp;
	struct held *nv;
	const char *path;
	size_t i;

	if (a == NULL)
		return 0;
	if (!json_is_array(a)) {
		snprintf(err, len, "\"%s\": expected an array of paths", key);
		return -1;
	}
	json_array_foreach(a, i, p) {
		if ((path = json_string_value(p)) == NULL) {
			snprintf(err, len, "\"%s\"[%zu]: expected a path", key,
			    i);
			return -1;
		}
		if (known(*v, *n, path)) {
			snprintf(err, len, "\"%s\": %s is held twice", key,
			    path);
			return -1;
		}
		sp = spec_at(root, path);
		if (sp == NULL || sp == root || stopped == !sp->autostart) {
			*pruned = 1;
			continue;
		}
		if ((nv = reallocarray(*v, *n + 1, sizeof(*nv))) == NULL ||
		    (nv[*n].path = strdup(path)) == NULL) {
			if (nv != NULL)
				*v = nv;
			snprintf(err, len, "out of memory");
			return -1;
		}
		*v = nv;
		nv[(*n)++].stopped = stopped;
	}
	return 0;
}

static int
check_shape(json_t *o, char *err, size_t len)
{
	const char *k;
	json_t *val;

	if (!json_is_object(o)) {
		snprintf(err, len, "expected an object");
		return -1;
	}
	json_object_foreach(o, k, val)
		if (strcmp(k, "version") != 0 && strcmp(k, "stopped") != 0 &&
		    strcmp(k, "started") != 0) {
			snprintf(err, len, "unknown key \"%s\"", k);
			return -1;
		}
	val = json_object_get(o, "version");
	if (!json_is_integer(val) || json_integer_value(val) != STATE_VERSION) {
		snprintf(err, len, "\"version\": expected %d", STATE_VERSION);
		return -1;
	}
	return 0;
}

/* Parse what f holds; -1 with why in err (a bad file). */
static int
parse(FILE *f, const struct spec *root, struct held **v, size_t *n,
    int *pruned, char *err, size_t len)
{
	json_error_t je;
	json_t *o;
	int r = -1;

	if ((o = json_loadf(f, JSON_REJECT_DUPLICATES, &je)) == NULL) {
		snprintf(err, len, "%d:%d: %s", je.line, je.column, je.text);
		return -1;
	}
	if (check_shape(o, err, len) == 0 &&
	    take_list(o, "stopped", 1, root, v, n, pruned, err, len) == 0 &&
	    take_list(o, "started", 0, root, v, n, pruned, err, len) == 0)
		r = 0;
	json_decref(o);
	return r;
}

int
statefile_read(const char *dir, const struct spec *root, struct held **v,
    size_t *n, int *pruned, char *err, size_t len)
{
	char path[4200], bad[4210], why[256];
	FILE *f;

	*v = NULL;
	*n = 0;
	*pruned = 0;
	if (put(path, sizeof(path), dir, "/" STATE_NAME) == -1) {
		snprintf(err, len, "%s/%s: %s", dir, STATE_NAME,
		    strerror(errno));
		return -1;
	}
	if ((f = fopen(path, "re")) == NULL) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, len, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (parse(f, root, v, n, pruned, why, sizeof(why)) == 0) {
		fclose(f);
		return 0;
	}
	fclose(f);
	holds_vfree(*v, *n);
	*v = NULL;
	*n = 0;
	*pruned = 0;
	snprintf(bad, sizeof(bad), "%s.bad", path);
	if (rename(path, bad) == -1)
		snprintf(err, len, "%s: %s; ignored (and not renamed to %s: "
		    "%s)", path, why, bad, strerror(errno));
	else
		snprintf(err, len, "%s: %s; ignored, renamed to %s", path,
		    why, bad);
	return 1;
}

/* --- writing --- */

static char *
render(const struct held *v, size_t n)
{
	json_t *o, *stopped, *started;
	char *text = NULL;
	size_t i;

	o = json_object();
	stopped = json_array();
	started = json_array();
	if (o == NULL || stopped == NULL || started == NULL)
		goto out;
	for (i = 0; i < n; i++)
		if (json_array_append_new(v[i].stopped ? stopped : started,
		    json_string(v[i].path)) == -1)
			goto out;
	if (json_object_set_new(o, "version", json_integer(STATE_VERSION)) ==
	    0 && json_object_set(o, "stopped", stopped) == 0 &&
	    json_object_set(o, "started", started) == 0)
		text = json_dumps(o, JSON_COMPACT);
out:
	json_decref(stopped);
	json_decref(started);
	json_decref(o);
	return text;
}

/* mkdir -p, mode 0700 for what it creates. */
static int
make_dir(const char *dir)
{
	char buf[4200], *p;

	if (put(buf, sizeof(buf), dir, "") == -1)
		return -1;
	for (p = buf + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		if (p[-1] != '/') {
			char c = *p;

			*p = '\0';
			if (mkdir(buf, 0700) == -1 && errno != EEXIST)
				return -1;
			*p = c;
		}
		if (*p == '\0')
			return 0;
	}
}

static int
write_all(int fd, const char *s, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, s, n)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

static int
sync_dir(const char *dir)
{
	int fd, r;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	r = fsync(fd);
	close(fd);
	return r;
}

static int
fail(char *err, size_t len, const char *what, const char *path)
{
	snprintf(err, len, "%s %s: %s", what, path, strerror(errno));
	return -1;
}

int
statefile_write(const char *dir, const struct held *v, size_t n, char *err,
    size_t len)
{
	char path[4200], tmp[4200], *text;
	int fd, e;

	if (put(path, sizeof(path), dir, "/" STATE_NAME) == -1 ||
	    put(tmp, sizeof(tmp), dir, "/." STATE_NAME ".XXXXXX") == -1)
		return fail(err, len, "state file in", dir);
	if (make_dir(dir) == -1)
		return fail(err, len, "state directory", dir);
	if ((text = render(v, n)) == NULL) {
		snprintf(err, len, "state file %s: out of memory", path);
		return -1;
	}
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		free(text);
		return fail(err, len, "create temporary file in", dir);
	}
	if (write_all(fd, text, strlen(text)) == -1 ||
	    write_all(fd, "\n", 1) == -1 || fsync(fd) == -1) {
		e = errno;
		close(fd);
		unlink(tmp);
		free(text);
		errno = e;
		return fail(err, len, "write", tmp);
	}
	free(text);
	if (close(fd) == -1 || rename(tmp, path) == -1) {
		e = errno;
		unlink(tmp);
		errno = e;
		return fail(err, len, "replace", path);
	}
	if (sync_dir(dir) == -1)
		return fail(err, len, "fsync", dir);
	return 0;
}
