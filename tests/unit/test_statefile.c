/*
 * test_statefile.c: STATEDIR/state.json (supervisord/statefile.c):
 * where it lives, that a write replaces the file whole or not at all,
 * that a bad file is set aside as state.json.bad, and that holds the
 * tree no longer has are pruned when it is read back.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

/* By path: autoconf's config.h is first in the include path. */
#include "supervisord/config.h"
#include "supervisord/statefile.h"
#include "supervisord/tree.h"

#define UNUSED		__attribute__((unused))

static char	dir[64];
static char	pbuf[4][256];
static int	pnext;

static const char *
in(const char *name)
{
	char *p = pbuf[pnext++ % 4];

	snprintf(p, sizeof(pbuf[0]), "%s/%s", dir, name);
	return p;
}

static int
setup(void **unused UNUSED)
{
	strlcpy(dir, "/tmp/test_statefile.XXXXXX", sizeof(dir));
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int
teardown(void **unused UNUSED)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static void
put_file(const char *path, const char *text)
{
	FILE *f;

	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* The file's contents (static), or NULL when there is none. */
static const char *
slurp(const char *path)
{
	static char buf[4096];
	size_t n;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static int
entries(const char *d)
{
	struct dirent *e;
	DIR *dp;
	int n = 0;

	assert_non_null(dp = opendir(d));
	while ((e = readdir(dp)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(dp);
	return n;
}

/* root: a, b (autostart false), s { x, y (autostart false) }, jobs
 * (simple_one_for_one). */
static struct spec *
tree(void)
{
	static const char text[] = "{ \"children\": ["
	    " { \"id\": \"a\", \"argv\": [\"/bin/true\"] },"
	    " { \"id\": \"b\", \"argv\": [\"/bin/true\"],"
	    "   \"autostart\": false },"
	    " { \"id\": \"s\", \"children\": ["
	    "   { \"id\": \"x\", \"argv\": [\"/bin/true\"] },"
	    "   { \"id\": \"y\", \"argv\": [\"/bin/true\"],"
	    "     \"autostart\": false } ] },"
	    " { \"id\": \"jobs\", \"strategy\": \"simple_one_for_one\","
	    "   \"template\": { \"argv\": [\"/bin/true\"] } } ] }";
	struct spec *root;
	char *errs = NULL;

	root = config_parse(text, NULL, &errs);
	if (root == NULL)
		fail_msg("%s", errs);
	return root;
}

/* The holds read back, as "path=stopped|started ...". */
static const char *
show(const struct held *v, size_t n)
{
	static char buf[512];
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		if (i > 0)
			strlcat(buf, " ", sizeof(buf));
		strlcat(buf, v[i].path, sizeof(buf));
		strlcat(buf, v[i].stopped ? "=stopped" : "=started",
		    sizeof(buf));
	}
	return buf;
}

static void
test_spec_at(void **unused UNUSED)
{
	struct spec *root = tree();

	assert_ptr_equal(spec_at(root, "root"), root);
	assert_string_equal(spec_at(root, "root/s/y")->id, "y");
	assert_string_equal(spec_at(root, "root/jobs")->id, "jobs");
	assert_null(spec_at(root, "root/jobs/1"));
	assert_null(spec_at(root, "root/nope"));
	assert_null(spec_at(root, "root/s/x/z"));
	assert_null(spec_at(root, "root/"));
	assert_null(spec_at(root, "root//s"));
	assert_null(spec_at(root, "roo"));
	assert_null(spec_at(root, "rootx/a"));
	assert_null(spec_at(root, ""));
	spec_free(root);
}

static void
test_write_and_read_back(void **unused UNUSED)
{
	const struct held w[] = { { "root/a", 1 }, { "root/b", 0 },
	    { "root/s/x", 1 }, { "root/s/y", 0 } };
	struct spec *root = tree();
	char sdir[256], err[512] = "";
	struct held *v;
	struct stat st;
	size_t n;
	int pruned;

	/* The directory is made, 0700, with what leads to it. */
	strlcpy(sdir, in("deep/er/state"), sizeof(sdir));
	assert_int_equal(statefile_write(sdir, w, 4, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_int_equal(stat(sdir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	assert_int_equal(stat(in("deep"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	assert_string_equal(slurp(in("deep/er/state/state.json")),
	    "{\"version\":1,\"stopped\":[\"root/a\",\"root/s/x\"],"
	    "\"started\":[\"root/b\",\"root/s/y\"]}\n");
	assert_int_equal(stat(in("deep/er/state/state.json"), &st), 0);
	assert_int_equal(st.st_mode & 0077, 0);
	/* Nothing else is left there: the temporary file was renamed. */
	assert_int_equal(entries(sdir), 1);
	assert_int_equal(statefile_read(sdir, root, &v, &n, &pruned, err,
	    sizeof(err)), 0);
	assert_string_equal(show(v, n), "root/a=stopped root/s/x=stopped "
	    "root/b=started root/s/y=started");
	assert_false(pruned);
	holds_vfree(v, n);
	/* A write replaces the file whole, none is empty. */
	assert_int_equal(statefile_write(sdir, w, 1, err, sizeof(err)), 0);
	assert_string_equal(slurp(in("deep/er/state/state.json")),
	    "{\"version\":1,\"stopped\":[\"root/a\"],\"started\":[]}\n");
	assert_int_equal(statefile_write(sdir, NULL, 0, err, sizeof(err)), 0);
	assert_string_equal(slurp(in("deep/er/state/state.json")),
	    "{\"version\":1,\"stopped\":[],\"started\":[]}\n");
	assert_int_equal(entries(sdir), 1);
	/* No file: no holds, no complaint. */
	assert_int_equal(statefile_read(in("none"), root, &v, &n, &pruned,
	    err, sizeof(err)), 0);
	assert_int_equal(n, 0);
	assert_false(pruned);
	holds_vfree(v, n);
	spec_free(root);
}

static void
test_write_fails_whole(void **unused UNUSED)
{
	const struct held w[] = { { "root/a", 1 } };
	char err[512] = "";

	/* The directory cannot be made (a file is in the way; even root
	 * cannot get past that). */
	put_file(in("file"), "x");
	assert_int_equal(statefile_write(in("file/state"), w, 1, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "file/state"));
	assert_non_null(strstr(err, "Not a directory"));
	/* The rename fails: the old one stays, no temporary is left. */
	assert_int_equal(mkdir(in("d"), 0700), 0);
	assert_int_equal(mkdir(in("d/state.json"), 0700), 0);
	put_file(in("d/state.json/keep"), "old");
	err[0] = '\0';
	assert_int_equal(statefile_write(in("d"), w, 1, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "replace"));
	assert_non_null(strstr(err, "d/state.json"));
	assert_int_equal(entries(in("d")), 1);
	assert_string_equal(slurp(in("d/state.json/keep")), "old");
}

/* Each is renamed to state.json.bad, with why in the warning. */
static const struct {
	const char	*text;
	const char	*why;
} bad[] = {
	{ "", "" },
	{ "{\"version\":1,", "" },
	{ "not json", "" },
	{ "[\"root/a\"]", "expected an object" },
	{ "{\"stopped\":[]}", "\"version\": expected 1" },
	{ "{\"version\":2,\"stopped\":[]}", "\"version\": expected 1" },
	{ "{\"version\":\"1\"}", "\"version\": expected 1" },
	{ "{\"version\":1,\"stopped\":\"root/a\"}", "expected an array" },
	{ "{\"version\":1,\"stopped\":[1]}", "\"stopped\"[0]: expected a path" },
	{ "{\"version\":1,\"started\":[\"root/b\",null]}",
	    "\"started\"[1]: expected a path" },
	{ "{\"version\":1,\"stopped\":[\"root/a\"],\"started\":[\"root/a\"]}",
	    "root/a is held twice" },
	{ "{\"version\":1,\"paused\":[]}", "unknown key \"paused\"" },
	{ "{\"version\":1,\"version\":1}", "duplicate" },
};

static void
test_bad_file_renamed(void **unused UNUSED)
{
	struct spec *root = tree();
	char err[512];
	struct held *v;
	size_t i, n;
	int pruned;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		put_file(in("state.json"), bad[i].text);
		unlink(in("state.json.bad"));
		err[0] = '\0';
		if (statefile_read(dir, root, &v, &n, &pruned, err,
		    sizeof(err)) != 1 || strstr(err, bad[i].why) == NULL)
			fail_msg("%s: got \"%s\", want \"%s\"", bad[i].text,
			    err, bad[i].why);
		assert_int_equal(n, 0);
		assert_null(v);
		assert_false(pruned);
		assert_non_null(strstr(err, "renamed to"));
		assert_non_null(strstr(err, "state.json.bad"));
		assert_null(slurp(in("state.json")));
		assert_string_equal(slurp(in("state.json.bad")), bad[i].text);
	}
	/* An earlier .bad is replaced by the newer one. */
	put_file(in("state.json"), "{");
	assert_int_equal(statefile_read(dir, root, &v, &n, &pruned, err,
	    sizeof(err)), 1);
	assert_string_equal(slurp(in("state.json.bad")), "{");
	spec_free(root);
}

static void
test_pruned(void **unused UNUSED)
{
	struct spec *root = tree();
	char err[512] = "";
	struct held *v;
	size_t n;
	int pruned;

	/*
	 * Kept: a and s/x stopped (autostart), b and s/y started. Pruned:
	 * gone from the file, the root, a dynamic instance, a stop of an
	 * autostart: false child and a start of an autostart one (both
	 * what the file says anyway).
	 */
	put_file(in("state.json"), "{\"version\":1,"
	    "\"stopped\":[\"root/gone\",\"root/a\",\"root\",\"root/jobs/1\","
	    "\"root/b\",\"root/s/x\",\"root/s/gone/x\"],"
	    "\"started\":[\"root/s/y\",\"root/s/x/y\",\"root/s\"]}");
	assert_int_equal(statefile_read(dir, root, &v, &n, &pruned, err,
	    sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_true(pruned);
	assert_string_equal(show(v, n), "root/a=stopped root/s/x=stopped "
	    "root/s/y=started");
	holds_vfree(v, n);
	/* Reading alone does not change the file. */
	assert_non_null(strstr(slurp(in("state.json")), "root/gone"));
	/* Nothing to prune. */
	put_file(in("state.json"), "{\"version\":1,\"stopped\":[\"root/s\"]}");
	assert_int_equal(statefile_read(dir, root, &v, &n, &pruned, err,
	    sizeof(err)), 0);
	assert_false(pruned);
	assert_string_equal(show(v, n), "root/s=stopped");
	holds_vfree(v, n);
	spec_free(root);
}

static void
test_statedir_choose(void **unused UNUSED)
{
	char buf[256], home[300];

	assert_int_equal(statedir_choose("/x/y", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/x/y");
	assert_int_equal(statedir_choose("/x/y", buf, 4), -1);
	if (geteuid() == 0) {
		setenv("XDG_STATE_HOME", "/elsewhere", 1);
		assert_int_equal(statedir_choose(NULL, buf, sizeof(buf)), 0);
		assert_string_equal(buf, "/var/lib/supkit");
		return;
	}
	setenv("XDG_STATE_HOME", "/st", 1);
	assert_int_equal(statedir_choose(NULL, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/st/supkit");
	/* Relative: ignored, as the XDG base directory spec says. */
	setenv("XDG_STATE_HOME", "st", 1);
	snprintf(home, sizeof(home), "%s", dir);
	setenv("HOME", home, 1);
	assert_int_equal(statedir_choose(NULL, buf, sizeof(buf)), 0);
	snprintf(home, sizeof(home), "%s/.local/state/supkit", dir);
	assert_string_equal(buf, home);
	unsetenv("XDG_STATE_HOME");
	assert_int_equal(statedir_choose(NULL, buf, sizeof(buf)), 0);
	assert_string_equal(buf, home);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_at),
		cmocka_unit_test_setup_teardown(test_write_and_read_back,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_fails_whole,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_file_renamed,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_pruned, setup, teardown),
		cmocka_unit_test_setup_teardown(test_statedir_choose, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
