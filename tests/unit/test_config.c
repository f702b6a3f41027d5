/*
 * test_config.c: the supervision tree parser (supervisord/config.c):
 * every malformed config is refused with the right message, file
 * position and tree path; valid ones parse to the right tree.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
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
#include "supervisord/signame.h"

/* JSON in C strings is unreadable with \"; tests write ' for ". */
static char *
q(const char *s)
{
	char *d, *p;

	assert_non_null(d = strdup(s));
	for (p = d; *p != '\0'; p++)
		if (*p == '\'')
			*p = '"';
	return d;
}

static struct spec *
parse(const char *text, const char *file, char **errs)
{
	struct spec *s;
	char *j = q(text);

	s = config_parse(j, file, errs);
	free(j);
	return s;
}

/* True when one line of errs holds where, then msg later on it. */
static int
has_error(const char *errs, const char *where, const char *msg)
{
	const char *line = errs, *nl, *w, *m;

	while (line != NULL && *line != '\0') {
		nl = strchr(line, '\n');
		w = strstr(line, where);
		if (w != NULL && (nl == NULL || w < nl)) {
			m = strstr(w + strlen(where), msg);
			if (m != NULL && (nl == NULL || m < nl))
				return 1;
		}
		line = nl != NULL ? nl + 1 : NULL;
	}
	return 0;
}

/* Every line names the file: "t.json:" then a position or a space. */
static void
check_lines(const char *errs)
{
	const char *line = errs, *nl;

	while (line != NULL) {
		nl = strchr(line, '\n');
		if (strncmp(line, "t.json:", 7) != 0 || line[7] == '\n' ||
		    line[7] == '\0')
			fail_msg("badly formed error line in:\n%s", errs);
		line = nl != NULL ? nl + 1 : NULL;
	}
}

struct bad {
	const char	*name;
	const char	*json;
	const char	*where;		/* what precedes the message */
	const char	*msg;
};

#define C(x)	"{'children': [" x "]}"
#define W	"'argv': ['w']"

static const struct bad bad[] = {
	/* the document */
	{ "truncated", "{'children': [\n", "t.json:2:1: ",
	  "']' expected near end of file" },
	{ "truncated string", "{'id': 'ro", "t.json:1:", "premature end" },
	{ "trailing garbage", "{} x", "t.json:1:4: ", "end of file expected" },
	{ "empty file", "", "t.json: ", "empty file" },
	{ "blank file", " \n\t\n", "t.json: ", "empty file" },
	{ "root array", "[1]", "t.json:1:1: root: ",
	  "expected an object (the root supervisor), got an array" },
	{ "root string", "  'x'", "t.json:1:3: root: ",
	  "expected an object (the root supervisor), got a string" },
	{ "duplicate key", "{'id': 'a',\n  'id': 'b'}", "t.json:2:",
	  "duplicate object key" },
	{ "duplicate key nested", C("{'id': 'a', " W ", "
	  "'restart': 'permanent', 'restart': 'temporary'}"), "t.json:1:",
	  "duplicate object key" },
	{ "nul in string", C("{'id': 'a', 'argv': ['x\\u0000y']}"), "t.json:1:",
	  "\\u0000 is not allowed" },
	{ "integer too big", "{'intensity': 99999999999999999999}", "t.json:1:",
	  "too big integer" },

	/* root and kinds */
	{ "root is a worker", "{'argv': ['x']}", "t.json:1:1: root: ",
	  "the root must be a supervisor, not a worker" },
	{ "root worker typed supervisor", "{'type': 'supervisor', "
	  "'argv': ['x']}", "root: ", "the root must be a supervisor" },
	{ "root type worker", "{'type': 'worker', 'children': []}", "root: ",
	  "\"type\": is \"worker\" but \"children\" makes this node a "
	  "supervisor" },
	{ "root id invalid", "{'id': 'my root'}", "t.json:1:2: root: ",
	  "\"id\": invalid id \"my root\"" },
	{ "root id type", "{'id': 7}", "root: ",
	  "\"id\": expected a string, got an integer" },
	{ "both argv and children", C("{'id': 'a', " W ", 'children': []}"),
	  "t.json:1:15: root/a: ",
	  "has both \"argv\" (a worker) and \"children\" (a supervisor)" },
	{ "both argv and strategy", C("{'id': 'a', " W ", "
	  "'strategy': 'one_for_all'}"), "root/a: ", "has both \"argv\"" },
	{ "neither", C("{'id': 'a', 'restart': 'permanent'}"), "root/a: ",
	  "neither a worker (no \"argv\") nor a supervisor" },
	{ "type worker on supervisor", C("{'id': 'a', 'type': 'worker', "
	  "'strategy': 'one_for_one'}"), "root/a: ", "\"type\": is \"worker\" "
	  "but \"strategy\" makes this node a supervisor" },
	{ "type supervisor on worker", C("{'id': 'a', 'type': 'supervisor', "
	  W "}"), "root/a: ", "\"type\": is \"supervisor\" but \"argv\"" },
	{ "type bad", C("{'id': 'a', 'type': 'daemon', " W "}"), "root/a: ",
	  "\"type\": expected one of worker, supervisor" },
	{ "type worker without argv", C("{'id': 'a', 'type': 'worker'}"),
	  "root/a: ", "\"argv\": required" },
	{ "child not an object", C("{'id': 'a', " W "}, 3"),
	  "t.json:1:43: root/children[1]: ",
	  "expected an object (a child spec), got an integer" },

	/* unknown and misplaced fields */
	{ "unknown at root", "{'restrat': 'permanent'}", "t.json:1:2: root: ",
	  "unknown field \"restrat\" (did you mean \"restart\"?)" },
	{ "unknown nested", C("{'id': 'a', 'strategy': 'one_for_one', "
	  "'children': [{'id': 'b', " W ", 'colour': 'red'}]}"),
	  "root/a/b: ", "unknown field \"colour\"" },
	{ "unknown in template", C("{'id': 'j', 'strategy': "
	  "'simple_one_for_one', 'template': {" W ", 'stdot': 'null'}}"),
	  "root/j/template: ",
	  "unknown field \"stdot\" (did you mean \"stdout\"?)" },
	{ "supervisor field on worker", C("{'id': 'a', " W ", 'intensity': 3}"),
	  "root/a: ", "\"intensity\": only for supervisors" },
	{ "worker field on supervisor", "{'ready': 'notify'}", "root: ",
	  "\"ready\": only for workers" },

	/* ids */
	{ "id missing", C("{" W "}"), "root/children[0]: ",
	  "\"id\": required" },
	{ "id empty", C("{'id': '', " W "}"), "root/children[0]: ",
	  "\"id\": invalid id \"\"" },
	{ "id 65 chars", C("{'id': '"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', "
	  W "}"), "root/children[0]: ", "invalid id \"aaaaaaaa" },
	{ "id with slash", C("{'id': 'a/b', " W "}"), "root/children[0]: ",
	  "\"id\": invalid id \"a/b\": expected 1 to 64 of" },
	{ "id with space", C("{'id': 'a b', " W "}"), "root/children[0]: ",
	  "invalid id \"a b\"" },
	{ "id with newline", C("{'id': 'a\\nb', " W "}"), "root/children[0]: ",
	  "invalid id \"a\\x0ab\"" },
	{ "id not a string", C("{'id': ['a'], " W "}"), "root/children[0]: ",
	  "\"id\": expected a string, got an array" },
	{ "duplicate id", C("{'id': 'a', " W "},\n {'id': 'a', " W "}"),
	  "t.json:2:3: root/children[1]: ",
	  "duplicate id \"a\" (also at root/a)" },
	{ "duplicate id nested", C("{'id': 'core', 'children': [{'id': 'db', "
	  W "}, {'id': 'x', " W "}, {'id': 'db', " W "}]}"),
	  "root/core/children[2]: ", "duplicate id \"db\" (also at "
	  "root/core/db)" },

	/* supervisor fields */
	{ "strategy bad", "{'strategy': 'one_for_some'}", "root: ",
	  "\"strategy\": expected one of one_for_one, one_for_all, "
	  "rest_for_one, simple_one_for_one" },
	{ "strategy type", "{'strategy': 1}", "root: ",
	  "\"strategy\": expected one of" },
	{ "intensity negative", "{'intensity': -1}", "root: ",
	  "\"intensity\": must be >= 0, got -1" },
	{ "intensity string", "{'intensity': '3'}", "root: ",
	  "\"intensity\": expected an integer, got a string" },
	{ "intensity real", "{'intensity': 3.0}", "root: ",
	  "\"intensity\": expected an integer, got a real number" },
	{ "intensity over INT_MAX", "{'intensity': 2147483648}", "root: ",
	  "\"intensity\": must be <= 2147483647, got 2147483648" },
	{ "period zero", "{'period': 0}", "root: ",
	  "\"period\": must be >= 1, got 0" },
	{ "period bool", "{'period': true}", "root: ",
	  "\"period\": expected an integer, got true" },
	{ "children object", "{'children': {}}", "root: ",
	  "\"children\": expected an array, got an object" },
	{ "template outside sofo", C("{'id': 'j', 'strategy': 'one_for_all', "
	  "'template': {" W "}}"), "root/j: ",
	  "\"template\": only for simple_one_for_one" },
	{ "template default strategy", C("{'id': 'j', 'template': {" W "}}"),
	  "root/j: ", "\"template\": only for simple_one_for_one (the "
	  "strategy is one_for_one)" },
	{ "sofo without template", C("{'id': 'j', 'strategy': "
	  "'simple_one_for_one'}"), "root/j: ",
	  "\"template\": required with simple_one_for_one" },
	{ "sofo with children", C("{'id': 'j', 'strategy': "
	  "'simple_one_for_one', 'template': {" W "}, 'children': [{'id': "
	  "'x', " W "}]}"), "root/j: ",
	  "\"children\": not allowed with simple_one_for_one" },
	{ "template not object", C("{'id': 'j', 'strategy': "
	  "'simple_one_for_one', 'template': ['w']}"), "root/j: ",
	  "\"template\": expected an object (a worker spec), got an array" },
	{ "template with id", C("{'id': 'j', 'strategy': "
	  "'simple_one_for_one', 'template': {'id': 't', " W "}}"),
	  "root/j/template: ", "\"id\": not allowed in a template" },
	{ "template with strategy", C("{'id': 'j', 'strategy': "
	  "'simple_one_for_one', 'template': {" W ", 'strategy': "
	  "'one_for_one'}}"), "root/j/template: ",
	  "\"strategy\": not allowed in a template" },
	{ "template type supervisor", C("{'id': 'j', 'strategy': "
	  "'simple_one_for_one', 'template': {'type': 'supervisor', " W "}}"),
	  "root/j/template: ", "\"type\": a template must be a worker" },
	{ "template without argv", C("{'id': 'j', 'strategy': "
	  "'simple_one_for_one', 'template': {'restart': 'transient'}}"),
	  "root/j/template: ", "\"argv\": required" },
	{ "supervisor restart bad", C("{'id': 's', 'children': [], "
	  "'restart': 'always'}"), "root/s: ", "\"restart\": expected one of "
	  "permanent, transient, temporary" },

	/* worker fields */
	{ "argv empty", C("{'id': 'a', 'argv': []}"), "root/a: ",
	  "\"argv\": expected a non-empty array of strings, got an empty "
	  "array" },
	{ "argv string", C("{'id': 'a', 'argv': 'w'}"), "root/a: ",
	  "\"argv\": expected a non-empty array of strings, got a string" },
	{ "argv non-string", C("{'id': 'a', 'argv': ['w', 1]}"),
	  "t.json:1:41: root/a: ", "\"argv\"[1]: expected a string, got an "
	  "integer" },
	{ "argv null element", C("{'id': 'a', 'argv': [null]}"), "root/a: ",
	  "\"argv\"[0]: expected a string, got null" },
	{ "argv empty program", C("{'id': 'a', 'argv': ['', 'x']}"), "root/a: ",
	  "\"argv\"[0]: the program must not be empty" },
	{ "argv @ without a name", C("{'id': 'a', 'argv': ['@']}"), "root/a: ",
	  "\"argv\"[0]: \"@\": @NAME names a worker of the worker "
	  "directory: NAME must be a file name, not empty and without '/'" },
	{ "argv @ with a slash", C("{'id': 'a', 'argv': ['@x/y']}"), "root/a: ",
	  "\"argv\"[0]: \"@x/y\": @NAME names a worker" },
	{ "restart bad", C("{'id': 'db', " W ", 'restart': 'sometimes'}"),
	  "root/db: ", "\"restart\": expected one of permanent, transient, "
	  "temporary" },
	{ "restart type", C("{'id': 'a', " W ", 'restart': 1}"), "root/a: ",
	  "\"restart\": expected one of" },
	{ "shutdown negative", C("{'id': 'a', " W ", 'shutdown': -1}"),
	  "root/a: ", "\"shutdown\": -1 is out of range: expected "
	  "milliseconds" },
	{ "shutdown string", C("{'id': 'a', " W ", 'shutdown': 'never'}"),
	  "root/a: ", "\"shutdown\": expected milliseconds, \"brutal_kill\" "
	  "or \"infinity\"" },
	{ "shutdown real", C("{'id': 'a', " W ", 'shutdown': 1.5}"),
	  "root/a: ", "\"shutdown\": expected milliseconds" },
	{ "shutdown huge", C("{'id': 'a', " W ", 'shutdown': 9999999999}"),
	  "root/a: ", "\"shutdown\": 9999999999 is out of range" },
	{ "stop_signal unknown", C("{'id': 'a', " W ", 'stop_signal': "
	  "'TERMINATE'}"), "root/a: ",
	  "\"stop_signal\": unknown signal \"TERMINATE\"" },
	{ "stop_signal SIG prefix", C("{'id': 'a', " W ", 'stop_signal': "
	  "'SIGTERM'}"), "root/a: ",
	  "\"stop_signal\": write \"TERM\", without the \"SIG\" prefix" },
	{ "stop_signal number", C("{'id': 'a', " W ", 'stop_signal': 15}"),
	  "root/a: ", "\"stop_signal\": expected a string, got an integer" },
	{ "stop_signal lower case", C("{'id': 'a', " W ", 'stop_signal': "
	  "'term'}"), "root/a: ", "unknown signal \"term\"" },
	{ "normal_exit_codes 256", C("{'id': 'a', " W ", "
	  "'normal_exit_codes': [0, 256]}"), "root/a: ",
	  "\"normal_exit_codes\"[1]: must be <= 255, got 256" },
	{ "normal_exit_codes negative", C("{'id': 'a', " W ", "
	  "'normal_exit_codes': [-1]}"), "root/a: ",
	  "\"normal_exit_codes\"[0]: must be >= 0, got -1" },
	{ "normal_exit_codes real", C("{'id': 'a', " W ", "
	  "'normal_exit_codes': [1.0]}"), "root/a: ",
	  "\"normal_exit_codes\"[0]: expected an integer, got a real number" },
	{ "normal_exit_codes int", C("{'id': 'a', " W ", "
	  "'normal_exit_codes': 0}"), "root/a: ",
	  "\"normal_exit_codes\": expected an array of exit codes" },
	{ "ready bad", C("{'id': 'a', " W ", 'ready': 'socket'}"), "root/a: ",
	  "\"ready\": expected one of exec, notify" },
	{ "start_timeout zero", C("{'id': 'a', " W ", 'start_timeout': 0}"),
	  "root/a: ", "\"start_timeout\": must be >= 1, got 0" },
	{ "start_timeout string", C("{'id': 'a', " W ", 'start_timeout': "
	  "'5s'}"), "root/a: ", "\"start_timeout\": expected an integer" },
	{ "watchdog negative", C("{'id': 'a', " W ", 'watchdog': -5}"),
	  "root/a: ", "\"watchdog\": must be >= 0, got -5" },
	{ "env array", C("{'id': 'a', " W ", 'env': ['A=1']}"), "root/a: ",
	  "\"env\": expected an object of strings, got an array" },
	{ "env non-string", C("{'id': 'a', " W ", 'env': {'A': 1}}"),
	  "t.json:1:50: root/a: ",
	  "\"env\".\"A\": expected a string, got an integer" },
	{ "env empty name", C("{'id': 'a', " W ", 'env': {'': 'x'}}"),
	  "root/a: ", "\"env\".\"\": empty variable name" },
	{ "env name with =", C("{'id': 'a', " W ", 'env': {'A=B': 'x'}}"),
	  "root/a: ", "\"env\".\"A=B\": variable name must not contain '='" },
	{ "cwd type", C("{'id': 'a', " W ", 'cwd': 1}"), "root/a: ",
	  "\"cwd\": expected a string, got an integer" },
	{ "cwd empty", C("{'id': 'a', " W ", 'cwd': ''}"), "root/a: ",
	  "\"cwd\": must not be empty" },
	{ "user type", C("{'id': 'a', " W ", 'user': 0}"), "root/a: ",
	  "\"user\": expected a string, got an integer" },
	{ "stdout type", C("{'id': 'a', " W ", 'stdout': 1}"), "root/a: ",
	  "\"stdout\": expected \"inherit\", \"null\" or a file path" },
	{ "stdout stdout", C("{'id': 'a', " W ", 'stdout': 'stdout'}"),
	  "root/a: ", "\"stdout\": \"stdout\" is only for \"stderr\"" },
	{ "stderr empty", C("{'id': 'a', " W ", 'stderr': ''}"), "root/a: ",
	  "\"stderr\": expected \"inherit\", \"null\", \"stdout\" or a file "
	  "path" },
	{ "listen bad name", C("{'id': 'a', " W ", 'listen': 'a/b'}"),
	  "root/a: ", "\"listen\": invalid name \"a/b\"" },
	{ "listen type", C("{'id': 'a', " W ", 'listen': true}"), "root/a: ",
	  "\"listen\": expected a socket name, got true" },
	{ "listen control socket", C("{'id': 'a', " W ", 'listen': "
	  "'supervisord'}"), "root/a: ", "\"listen\": \"supervisord\" is the "
	  "control socket's name" },
	{ "listen twice", C("{'id': 'a', " W ", 'listen': 'web'}, {'id': 'b', "
	  W ", 'listen': 'web'}"), "root/b: ",
	  "\"listen\": socket \"web\" is also used by root/a" },

	/* operations: restart_delay, autostart, significant, auto_shutdown */
	{ "restart_delay negative", C("{'id': 'a', " W ", 'restart_delay': "
	  "-1}"), "root/a: ", "\"restart_delay\": must be >= 0, got -1" },
	{ "restart_delay too big", C("{'id': 'a', " W ", 'restart_delay': "
	  "2147483648}"), "root/a: ",
	  "\"restart_delay\": must be <= 2147483647" },
	{ "restart_delay string", C("{'id': 'a', " W ", 'restart_delay': "
	  "'1s'}"), "t.json:1:42: root/a: ", "\"restart_delay\": expected "
	  "milliseconds or an object with \"initial\", \"max\" and "
	  "\"reset_after\", got a string" },
	{ "restart_delay real", C("{'id': 'a', " W ", 'restart_delay': 1.5}"),
	  "root/a: ", "\"restart_delay\": expected milliseconds" },
	{ "restart_delay max below initial", C("{'id': 'w', " W ", "
	  "'restart_delay': {'initial': 1000, 'max': 500}}"),
	  "t.json:1:77: root/w: ", "\"restart_delay\": \"max\": must be at "
	  "least \"initial\" (1000)" },
	{ "restart_delay unknown member", C("{'id': 'w', " W ", "
	  "'restart_delay': {'initial': 1, 'max': 2, 'maximum': 3}}"),
	  "t.json:1:84: root/w: ",
	  "\"restart_delay\": \"maximum\": unknown member" },
	{ "restart_delay no initial", C("{'id': 'w', " W ", "
	  "'restart_delay': {'max': 2}}"), "t.json:1:42: root/w: ",
	  "\"restart_delay\": \"initial\": required" },
	{ "restart_delay no max", C("{'id': 'w', " W ", "
	  "'restart_delay': {'initial': 2}}"), "root/w: ",
	  "\"restart_delay\": \"max\": required" },
	{ "restart_delay initial zero", C("{'id': 'w', " W ", "
	  "'restart_delay': {'initial': 0, 'max': 2}}"), "root/w: ",
	  "\"restart_delay\": \"initial\": must be >= 1, got 0" },
	{ "restart_delay initial type", C("{'id': 'w', " W ", "
	  "'restart_delay': {'initial': '1', 'max': 2}}"), "root/w: ",
	  "\"restart_delay\": \"initial\": expected an integer, got a "
	  "string" },
	{ "restart_delay reset_after negative", C("{'id': 'w', " W ", "
	  "'restart_delay': {'initial': 1, 'max': 2, 'reset_after': -1}}"),
	  "root/w: ", "\"restart_delay\": \"reset_after\": must be >= 0" },
	{ "restart_delay at the root", "{'restart_delay': 5}",
	  "t.json:1:2: root: ", "\"restart_delay\": not allowed at the root" },
	{ "restart_delay on a supervisor child", C("{'id': 's', "
	  "'children': [], 'restart_delay': {'initial': 5, 'max': 1}}"),
	  "root/s: ", "\"restart_delay\": \"max\": must be at least" },
	{ "restart_delay in a template", C("{'id': 's', 'strategy': "
	  "'simple_one_for_one', 'template': {" W ", 'restart_delay': true}}"),
	  "root/s/template: ", "\"restart_delay\": expected milliseconds" },
	{ "autostart type", C("{'id': 'a', " W ", 'autostart': 1}"),
	  "root/a: ", "\"autostart\": expected true or false, got an integer" },
	{ "autostart at the root", "{'autostart': false}", "root: ",
	  "\"autostart\": not allowed at the root" },
	{ "autostart in a template", C("{'id': 's', 'strategy': "
	  "'simple_one_for_one', 'template': {" W ", 'autostart': false}}"),
	  "root/s/template: ", "\"autostart\": not allowed in a template "
	  "(an instance is started by start-child)" },
	{ "significant type", C("{'id': 'a', " W ", 'significant': 'yes'}"),
	  "root/a: ", "\"significant\": expected true or false, got a string" },
	{ "significant at the root", "{'auto_shutdown': 'any_significant', "
	  "'significant': true}", "root: ",
	  "\"significant\": not allowed at the root" },
	{ "significant permanent", "{'auto_shutdown': 'any_significant', "
	  "'children': [{'id': 'a', " W ", 'significant': true}]}",
	  "root/a: ", "\"significant\": true needs \"restart\" transient or "
	  "temporary, not permanent" },
	{ "significant permanent given after", "{'auto_shutdown': "
	  "'any_significant', 'children': [{'id': 'a', " W ", "
	  "'significant': true, 'restart': 'permanent'}]}", "root/a: ",
	  "\"significant\": true needs \"restart\" transient or temporary" },
	{ "significant under never", C("{'id': 'a', " W ", 'restart': "
	  "'transient', 'significant': true}"), "t.json:1:66: root/a: ",
	  "\"significant\": true needs the supervisor's \"auto_shutdown\" "
	  "any_significant or all_significant, but root has never" },
	{ "significant under never, auto_shutdown given after",
	  "{'children': [{'id': 'a', " W ", 'restart': 'temporary', "
	  "'significant': true}], 'auto_shutdown': 'never'}", "root/a: ",
	  "but root has never" },
	{ "significant supervisor under never", C("{'id': 's', "
	  "'children': [], 'restart': 'transient', 'significant': true}"),
	  "root/s: ", "\"significant\": true needs the supervisor's "
	  "\"auto_shutdown\"" },
	{ "significant template under never", C("{'id': 's', 'strategy': "
	  "'simple_one_for_one', 'template': {" W ", 'restart': 'temporary', "
	  "'significant': true}}"), "root/s/template: ",
	  "\"significant\": true needs the supervisor's \"auto_shutdown\" "
	  "any_significant or all_significant, but root/s has never" },
	{ "significant permanent template", C("{'id': 's', 'strategy': "
	  "'simple_one_for_one', 'auto_shutdown': 'all_significant', "
	  "'template': {" W ", 'significant': true}}"), "root/s/template: ",
	  "\"significant\": true needs \"restart\" transient or temporary" },
	{ "auto_shutdown bad", "{'auto_shutdown': 'always'}", "root: ",
	  "\"auto_shutdown\": expected one of never, any_significant, "
	  "all_significant" },
	{ "auto_shutdown on a worker", C("{'id': 'a', " W ", 'auto_shutdown': "
	  "'never'}"), "root/a: ", "\"auto_shutdown\": only for supervisors" },
	{ "auto_shutdown in a template", C("{'id': 's', 'strategy': "
	  "'simple_one_for_one', 'template': {" W ", 'auto_shutdown': "
	  "'never'}}"), "root/s/template: ",
	  "\"auto_shutdown\": not allowed in a template" },
	{ "ready exited permanent", C("{'id': 'm', " W ", 'ready': 'exited'}"),
	  "t.json:1:42: root/m: ", "\"ready\": \"exited\" needs \"restart\" "
	  "transient or temporary, not permanent" },
	{ "ready exited permanent given after", C("{'id': 'm', " W ", "
	  "'ready': 'exited', 'restart': 'permanent'}"), "root/m: ",
	  "\"ready\": \"exited\" needs \"restart\"" },
	{ "ready exited permanent template", C("{'id': 's', 'strategy': "
	  "'simple_one_for_one', 'template': {" W ", 'ready': 'exited'}}"),
	  "root/s/template: ", "\"ready\": \"exited\" needs \"restart\"" },
	{ "ready exited start_timeout zero", C("{'id': 'm', " W ", 'ready': "
	  "'exited', 'restart': 'transient', 'start_timeout': 0}"), "root/m: ",
	  "\"start_timeout\": must be >= 1, got 0" },
};

static void
test_bad(void **state)
{
	const struct bad *b = *state;
	struct spec *s;
	char *errs = (char *)1;

	s = parse(b->json, "t.json", &errs);
	if (s != NULL)
		fail_msg("accepted: %s", b->json);
	assert_non_null(errs);
	if (!has_error(errs, b->where, b->msg))
		fail_msg("want \"%s\" ... \"%s\", got:\n%s", b->where, b->msg,
		    errs);
	check_lines(errs);
	free(errs);
}

/* user and group: only as root; then they must exist. */
static void
test_user_group(void **state)
{
	struct spec *s;
	char *errs;
	uid_t euid = geteuid();

	(void)state;
	if (euid == 0) {
		s = parse(C("{'id': 'a', " W ", 'user': 'supkit-no-such-user', "
		    "'group': 'supkit-no-such-group'}"), "t.json", &errs);
		assert_null(s);
		assert_true(has_error(errs, "root/a: ", "\"user\": no such "
		    "user \"supkit-no-such-user\""));
		assert_true(has_error(errs, "root/a: ", "\"group\": no such "
		    "group \"supkit-no-such-group\""));
		free(errs);
		s = parse(C("{'id': 'a', " W ", 'user': 'root', 'group': "
		    "'root'}"), "t.json", &errs);
		assert_non_null(s);
		assert_null(errs);
		assert_string_equal(s->children[0]->user, "root");
		assert_string_equal(s->children[0]->group, "root");
		spec_free(s);
		/* As root we can still see the other side. */
		if (seteuid(65534) == -1)
			skip();
	}
	s = parse(C("{'id': 'a', " W ", 'user': 'root', 'group': 'root'}"),
	    "t.json", &errs);
	if (euid == 0)
		assert_int_equal(seteuid(0), 0);
	assert_null(s);
	assert_true(has_error(errs, "root/a: ", "\"user\": only when "
	    "supervisord runs as root"));
	assert_true(has_error(errs, "root/a: ", "\"group\": only when "
	    "supervisord runs as root"));
	free(errs);
}

/* One pass reports every error, in text order, each on its own line. */
static void
test_all_errors(void **state)
{
	static const char *want[] = {
		"t.json:2:3: root: \"intensity\": must be >= 0",
		"t.json:3:3: root: unknown field \"colour\"",
		"t.json:4:28: root/a: \"argv\": expected a non-empty array",
		"t.json:4:40: root/a: \"restart\": expected one of",
		"t.json:5:4: root/children[1]: duplicate id \"a\" (also at "
		    "root/a)",
		"t.json:5:30: root/children[1]: \"shutdown\": expected "
		    "milliseconds",
		"t.json:6:3: root/children[2]: \"id\": required",
		"t.json:7:42: root/c/template: \"argv\": required",
		"t.json:7:42: root/c: \"template\": only for "
		    "simple_one_for_one",
		"t.json:8:29: root/c/x: \"period\": only for supervisors",
		"t.json:8:42: root/c/x: \"stop_signal\": write \"KILL\"",
	};
	const char *text =
	    "{'id': 'root',\n"
	    "  'intensity': -1,\n"
	    "  'colour': 'blue',\n"
	    "  'children': [{'id': 'a', 'argv': [], 'restart': 'never'},\n"
	    "  {'id': 'a', 'argv': ['w'], 'shutdown': 'later'},\n"
	    "  {'argv': ['w']},\n"
	    "  {'id': 'c', 'strategy': 'one_for_all', 'template': {},\n"
	    "   'children': [{'id': 'x', 'period': 0, 'stop_signal': "
	    "'SIGKILL', 'argv': ['w']}]}]}\n";
	const char *line;
	char *errs;
	size_t n = 0;

	(void)state;
	assert_null(parse(text, "t.json", &errs));
	assert_non_null(errs);
	for (line = errs; line != NULL; line = strchr(line, '\n'), n++) {
		if (*line == '\n')
			line++;
		if (n < sizeof(want) / sizeof(want[0]) &&
		    strncmp(line, want[n], strlen(want[n])) != 0)
			fail_msg("line %zu: want \"%s\", got:\n%s", n + 1,
			    want[n], errs);
	}
	if (n != sizeof(want) / sizeof(want[0]))
		fail_msg("%zu errors:\n%s", n, errs);
	free(errs);
}

static const char spec_example[] =
    "{\n"
    "  'id': 'root',\n"
    "  'strategy': 'one_for_one',\n"
    "  'intensity': 3,\n"
    "  'period': 5,\n"
    "  'children': [\n"
    "    { 'id': 'events', 'argv': ['eventmgr'], 'ready': 'notify' },\n"
    "    { 'id': 'web', 'argv': ['/usr/sbin/nginx', '-g', 'daemon off;'],\n"
    "      'restart': 'permanent', 'shutdown': 10000 },\n"
    "    { 'id': 'jobs', 'strategy': 'simple_one_for_one',\n"
    "      'template': { 'argv': ['./job-runner'], "
    "'restart': 'transient' } },\n"
    "    { 'id': 'core', 'strategy': 'rest_for_one', 'intensity': 1, "
    "'period': 10,\n"
    "      'children': [\n"
    "        { 'id': 'db', 'argv': ['counter', '--name', 'db'], "
    "'ready': 'notify' },\n"
    "        { 'id': 'api', 'argv': ['lightswitch'], 'restart': "
    "'transient' }\n"
    "      ] }\n"
    "  ]\n"
    "}\n";

/* The directory does not exist, so it is taken as written. */
#define EXDIR	"/nonexistent-supkit/etc"

static void
check_worker_defaults(const struct spec *w)
{
	assert_int_equal(w->type, SPEC_WORKER);
	assert_int_equal(w->stop_signal, SIGTERM);
	assert_int_equal(w->nnormal_exit_codes, 1);
	assert_int_equal(w->normal_exit_codes[0], 0);
	assert_int_equal(w->start_timeout, 5000);
	assert_int_equal(w->watchdog, 0);
	assert_int_equal(w->nenv, 0);
	assert_non_null(w->env);
	assert_null(w->env[0]);
	assert_string_equal(w->cwd, EXDIR);
	assert_null(w->user);
	assert_null(w->group);
	assert_int_equal(w->out.mode, OUT_INHERIT);
	assert_null(w->out.path);
	assert_int_equal(w->err.mode, OUT_INHERIT);
	assert_null(w->err.path);
	assert_null(w->listen);
	assert_null(w->argv[w->argc]);
	assert_int_equal(w->nchildren, 0);
	assert_null(w->template);
}

static void
check_example_top(const struct spec *r)
{
	const struct spec *ev = r->children[0], *web = r->children[1];

	assert_string_equal(r->id, "root");
	assert_int_equal(r->type, SPEC_SUPERVISOR);
	assert_int_equal(r->strategy, ONE_FOR_ONE);
	assert_int_equal(r->intensity, 3);
	assert_int_equal(r->period, 5);
	assert_int_equal(r->restart, RESTART_PERMANENT);
	assert_int_equal(r->shutdown, SHUTDOWN_INFINITY);
	assert_null(r->template);
	assert_null(r->argv);
	assert_int_equal(r->nchildren, 4);

	assert_string_equal(ev->id, "events");
	check_worker_defaults(ev);
	assert_int_equal(ev->argc, 1);
	assert_string_equal(ev->argv[0], "eventmgr");
	assert_int_equal(ev->ready, READY_NOTIFY);
	assert_int_equal(ev->restart, RESTART_PERMANENT);
	assert_int_equal(ev->shutdown, 5000);

	assert_string_equal(web->id, "web");
	check_worker_defaults(web);
	assert_int_equal(web->argc, 3);
	assert_string_equal(web->argv[0], "/usr/sbin/nginx");
	assert_string_equal(web->argv[2], "daemon off;");
	assert_int_equal(web->ready, READY_EXEC);
	assert_int_equal(web->shutdown, 10000);
}

static void
check_example_subtrees(const struct spec *r)
{
	const struct spec *jobs = r->children[2], *core = r->children[3], *t;

	assert_string_equal(jobs->id, "jobs");
	assert_int_equal(jobs->type, SPEC_SUPERVISOR);
	assert_int_equal(jobs->strategy, SIMPLE_ONE_FOR_ONE);
	assert_int_equal(jobs->intensity, 1);
	assert_int_equal(jobs->period, 5);
	assert_int_equal(jobs->nchildren, 0);
	assert_non_null(t = jobs->template);
	assert_string_equal(t->id, "");
	check_worker_defaults(t);
	assert_string_equal(t->argv[0], EXDIR "/job-runner");
	assert_int_equal(t->restart, RESTART_TRANSIENT);
	assert_int_equal(t->shutdown, 5000);

	assert_string_equal(core->id, "core");
	assert_int_equal(core->strategy, REST_FOR_ONE);
	assert_int_equal(core->intensity, 1);
	assert_int_equal(core->period, 10);
	assert_int_equal(core->nchildren, 2);
	assert_string_equal(core->children[0]->id, "db");
	check_worker_defaults(core->children[0]);
	assert_int_equal(core->children[0]->argc, 3);
	assert_string_equal(core->children[0]->argv[0], "counter");
	assert_string_equal(core->children[0]->argv[2], "db");
	assert_int_equal(core->children[0]->ready, READY_NOTIFY);
	assert_string_equal(core->children[1]->id, "api");
	assert_int_equal(core->children[1]->restart, RESTART_TRANSIENT);
}

static void
test_spec_example(void **state)
{
	struct spec *r;
	char *errs = (char *)1;

	(void)state;
	r = parse(spec_example, EXDIR "/supervisord.json", &errs);
	if (r == NULL)
		fail_msg("%s", errs);
	assert_null(errs);
	check_example_top(r);
	check_example_subtrees(r);
	spec_free(r);
}

/* Explicit values of every worker field end up in the spec. */
static void
test_worker_fields(void **state)
{
	struct spec *r, *w;
	char *errs = NULL;

	(void)state;
	r = parse(C("{'id': 'w', 'type': 'worker', 'argv': ['a', 'b'], "
	    "'restart': 'temporary', 'shutdown': 'brutal_kill', "
	    "'stop_signal': 'USR1', 'normal_exit_codes': [0, 3, 255], "
	    "'ready': 'notify', 'start_timeout': 250, 'watchdog': 1000, "
	    "'env': {'A': '1', 'B': 'x=y'}, 'stdout': 'null', "
	    "'stderr': 'stdout', 'listen': 'my.sock-1'}, "
	    "{'id': 'x', 'argv': ['a'], 'shutdown': 'infinity', "
	    "'normal_exit_codes': []}"), "t.json", &errs);
	if (r == NULL)
		fail_msg("%s", errs);
	w = r->children[0];
	assert_int_equal(w->type, SPEC_WORKER);
	assert_int_equal(w->restart, RESTART_TEMPORARY);
	assert_int_equal(w->shutdown, SHUTDOWN_BRUTAL_KILL);
	assert_int_equal(w->stop_signal, SIGUSR1);
	assert_int_equal(w->nnormal_exit_codes, 3);
	assert_int_equal(w->normal_exit_codes[2], 255);
	assert_int_equal(w->ready, READY_NOTIFY);
	assert_int_equal(w->start_timeout, 250);
	assert_int_equal(w->watchdog, 1000);
	assert_int_equal(w->nenv, 2);
	assert_string_equal(w->env[0], "A=1");
	assert_string_equal(w->env[1], "B=x=y");
	assert_null(w->env[2]);
	assert_int_equal(w->out.mode, OUT_NULL);
	assert_int_equal(w->err.mode, OUT_STDOUT);
	assert_string_equal(w->listen, "my.sock-1");
	assert_int_equal(r->children[1]->shutdown, SHUTDOWN_INFINITY);
	assert_int_equal(r->children[1]->nnormal_exit_codes, 0);
	spec_free(r);
}

/* Ids: the full alphabet, 64 characters, and a root renamed. */
static void
test_ids(void **state)
{
	struct spec *r;
	char *errs = NULL;

	(void)state;
	r = parse("{'id': 'top', 'type': 'supervisor', 'children': ["
	    "{'id': 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaa', 'argv': ['w']}, {'id': 'A-z_0.9', 'argv': ['w']}, "
	    "{'id': 's', 'type': 'supervisor'}]}", "t.json", &errs);
	if (r == NULL)
		fail_msg("%s", errs);
	assert_string_equal(r->id, "top");
	assert_int_equal(strlen(r->children[0]->id), 64);
	assert_string_equal(r->children[1]->id, "A-z_0.9");
	assert_int_equal(r->children[2]->type, SPEC_SUPERVISOR);
	assert_int_equal(r->children[2]->nchildren, 0);
	spec_free(r);
	/* An empty object is an empty root supervisor. */
	assert_non_null(r = parse("{}", "t.json", NULL));
	assert_string_equal(r->id, "root");
	spec_free(r);
}

static void
test_relative_paths(void **state)
{
	struct spec *r;
	struct spec *const *c;
	char *errs = NULL;

	(void)state;
	r = parse(C("{'id': 'a', 'argv': ['bin/w', 'rel/arg'], 'cwd': 'data', "
	    "'stdout': 'logs/out.log', 'stderr': '/var/log/err.log'}, "
	    "{'id': 'b', 'argv': ['./w'], 'cwd': '.', 'stdout': './o'}, "
	    "{'id': 'c', 'argv': ['w'], 'cwd': '/abs'}, "
	    "{'id': 'd', 'argv': ['/usr/bin/w'], 'cwd': './'}"),
	    "/srv/app/tree.json", &errs);
	if (r == NULL)
		fail_msg("%s", errs);
	c = r->children;
	assert_string_equal(c[0]->argv[0], "/srv/app/bin/w");
	assert_string_equal(c[0]->argv[1], "rel/arg");
	assert_string_equal(c[0]->cwd, "/srv/app/data");
	assert_int_equal(c[0]->out.mode, OUT_FILE);
	assert_string_equal(c[0]->out.path, "/srv/app/logs/out.log");
	assert_int_equal(c[0]->err.mode, OUT_FILE);
	assert_string_equal(c[0]->err.path, "/var/log/err.log");
	assert_string_equal(c[1]->argv[0], "/srv/app/w");
	assert_string_equal(c[1]->cwd, "/srv/app");
	assert_string_equal(c[1]->out.path, "/srv/app/o");
	/* Without a '/', argv[0] is looked up in PATH at start. */
	assert_string_equal(c[2]->argv[0], "w");
	assert_string_equal(c[2]->cwd, "/abs");
	assert_string_equal(c[3]->argv[0], "/usr/bin/w");
	assert_string_equal(c[3]->cwd, "/srv/app");
	spec_free(r);
}

/* A real directory is made canonical; a relative file is to the cwd. */
static void
test_config_dir(void **state)
{
	char tmpl[] = "/tmp/test_config.XXXXXX", *file, *errs = NULL, *cwd;
	char *want, *canon;
	struct spec *r;
	FILE *fp;

	(void)state;
	assert_non_null(mkdtemp(tmpl));
	assert_non_null(canon = realpath(tmpl, NULL));
	assert_true(asprintf(&file, "%s/../%s/t.json", tmpl,
	    strrchr(tmpl, '/') + 1) > 0);
	assert_non_null(fp = fopen(file, "w"));
	fputs("{\"children\": [{\"id\": \"a\", \"argv\": [\"./w\"]}]}", fp);
	fclose(fp);
	r = config_load(file, &errs);
	if (r == NULL)
		fail_msg("%s", errs);
	assert_true(asprintf(&want, "%s/w", canon) > 0);
	assert_string_equal(r->children[0]->argv[0], want);
	assert_string_equal(r->children[0]->cwd, canon);
	spec_free(r);
	free(want);

	assert_non_null(cwd = getcwd(NULL, 0));
	assert_non_null(r = parse(C("{'id': 'a', 'argv': ['./w']}"), "t.json",
	    NULL));
	assert_string_equal(r->children[0]->cwd, cwd);
	spec_free(r);
	assert_non_null(r = parse(C("{'id': 'a', 'argv': ['w']}"), NULL, NULL));
	assert_string_equal(r->children[0]->cwd, cwd);
	spec_free(r);

	unlink(file);
	rmdir(tmpl);
	free(file);
	free(canon);
	free(cwd);
}

static void
test_load_errors(void **state)
{
	char *errs = NULL;

	(void)state;
	assert_null(config_load("/nonexistent-supkit/x.json", &errs));
	assert_string_equal(errs, "/nonexistent-supkit/x.json: No such file "
	    "or directory");
	free(errs);
	assert_null(config_load("/", &errs));
	assert_string_equal(errs, "/: Is a directory");
	free(errs);
	/* errs may be NULL. */
	assert_null(config_load("/nonexistent-supkit/x.json", NULL));
	assert_null(config_parse("{'x': 1}", "t.json", NULL));
	/* Messages name a text without a file "(config)". */
	assert_null(config_parse("{\"x\": 1}", NULL, &errs));
	assert_string_equal(errs, "(config):1:2: root: unknown field \"x\"");
	free(errs);
}

/* The tree used by the spec_equal tests; %s is spliced into worker "a". */
static struct spec *
variant(const char *extra)
{
	char *text, *errs = NULL;
	struct spec *r;

	assert_true(asprintf(&text, "{'strategy': 'one_for_all', 'children': "
	    "[{'id': 'a', 'argv': ['w', 'x'], 'env': {'A': '1', 'B': '2'}, "
	    "'normal_exit_codes': [0, 1]%s}, {'id': 's', 'strategy': "
	    "'simple_one_for_one', 'template': {'argv': ['t']}}]}",
	    extra) > 0);
	r = parse(text, "/etc/t.json", &errs);
	if (r == NULL)
		fail_msg("%s: %s", text, errs);
	free(text);
	return r;
}

static void
test_spec_equal_workers(void **state)
{
	static const char *differ[] = {
		", 'restart': 'transient'", ", 'shutdown': 1",
		", 'stop_signal': 'INT'", ", 'ready': 'notify'",
		", 'start_timeout': 1", ", 'watchdog': 1", ", 'cwd': '/'",
		", 'stdout': 'null'", ", 'stderr': 'stdout'",
		", 'stdout': 'out.log'", ", 'listen': 'a'",
	};
	struct spec *a, *b;
	size_t i;

	(void)state;
	a = variant("");
	b = variant("");
	assert_true(spec_equal(a, b));
	assert_true(spec_equal(a->children[0], b->children[0]));
	spec_free(b);
	/* Same sets in another order run the same way. */
	b = parse("{'strategy': 'one_for_all', 'children': [{'id': 'a', "
	    "'argv': ['w', 'x'], 'env': {'B': '2', 'A': '1'}, "
	    "'normal_exit_codes': [1, 0, 1]}]}", "/etc/t.json", NULL);
	assert_non_null(b);
	assert_true(spec_equal(a->children[0], b->children[0]));
	spec_free(b);
	for (i = 0; i < sizeof(differ) / sizeof(differ[0]); i++) {
		b = variant(differ[i]);
		if (spec_equal(a->children[0], b->children[0]))
			fail_msg("equal despite %s", differ[i]);
		/* A supervisor compares its own fields, not its children. */
		assert_true(spec_equal(a, b));
		spec_free(b);
	}
	spec_free(a);
}

static void
test_spec_equal_other(void **state)
{
	static const char *differ[] = {
		"{'argv': ['w', 'y'], 'id': 'a'}",
		"{'argv': ['w'], 'id': 'a'}",
		"{'argv': ['w', 'x'], 'id': 'b'}",
		"{'argv': ['w', 'x'], 'id': 'a', 'env': {'A': '2'}}",
		"{'argv': ['w', 'x'], 'id': 'a', 'normal_exit_codes': [2]}",
		"{'id': 'a', 'children': []}",
	};
	struct spec *a, *b;
	char *text;
	size_t i;

	(void)state;
	a = parse(C("{'argv': ['w', 'x'], 'id': 'a'}"), "/etc/t.json", NULL);
	assert_non_null(a);
	for (i = 0; i < sizeof(differ) / sizeof(differ[0]); i++) {
		assert_true(asprintf(&text, C("%s"), differ[i]) > 0);
		assert_non_null(b = parse(text, "/etc/t.json", NULL));
		if (spec_equal(a->children[0], b->children[0]))
			fail_msg("equal despite %s", differ[i]);
		free(text);
		spec_free(b);
	}
	spec_free(a);

	/* Supervisor fields and templates count. */
	a = variant("");
	b = parse("{'strategy': 'one_for_all', 'intensity': 2}", "/etc/t.json",
	    NULL);
	assert_false(spec_equal(a, b));
	spec_free(b);
	b = parse("{'strategy': 'rest_for_one'}", "/etc/t.json", NULL);
	assert_false(spec_equal(a, b));
	spec_free(b);
	b = parse(C("{'id': 's', 'strategy': 'simple_one_for_one', "
	    "'template': {'argv': ['t'], 'restart': 'temporary'}}"),
	    "/etc/t.json", NULL);
	assert_false(spec_equal(a->children[1], b->children[0]));
	spec_free(b);
	b = parse(C("{'id': 's', 'strategy': 'simple_one_for_one', "
	    "'template': {'argv': ['t']}}"), "/etc/t.json", NULL);
	assert_true(spec_equal(a->children[1], b->children[0]));
	spec_free(b);
	assert_true(spec_equal(NULL, NULL));
	assert_false(spec_equal(a, NULL));
	assert_false(spec_equal(NULL, a));
	spec_free(a);
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(strategy_name(ONE_FOR_ONE), "one_for_one");
	assert_string_equal(strategy_name(ONE_FOR_ALL), "one_for_all");
	assert_string_equal(strategy_name(REST_FOR_ONE), "rest_for_one");
	assert_string_equal(strategy_name(SIMPLE_ONE_FOR_ONE),
	    "simple_one_for_one");
	assert_string_equal(restart_name(RESTART_PERMANENT), "permanent");
	assert_string_equal(restart_name(RESTART_TRANSIENT), "transient");
	assert_string_equal(restart_name(RESTART_TEMPORARY), "temporary");
	assert_string_equal(ready_name(READY_EXEC), "exec");
	assert_string_equal(ready_name(READY_NOTIFY), "notify");
	assert_string_equal(spec_type_name(SPEC_WORKER), "worker");
	assert_string_equal(spec_type_name(SPEC_SUPERVISOR), "supervisor");
}

/* stop_signal takes every name signal_name gives, for the same signal. */
static void
test_stop_signal_names(void **state)
{
	char text[128], *errs = NULL;
	const char *name;
	struct spec *r;
	int n;

	(void)state;
	for (n = 1; n < NSIG; n++) {
		if (strcmp(name = signal_name(n), "UNKNOWN") == 0)
			continue;
		snprintf(text, sizeof(text), C("{'id': 'a', " W ", "
		    "'stop_signal': '%s'}"), name);
		if ((r = parse(text, "t.json", &errs)) == NULL)
			fail_msg("%s: %s", name, errs);
		assert_int_equal(r->children[0]->stop_signal, n);
		assert_int_equal(signal_number(name), n);
		spec_free(r);
	}
#ifdef SIGSTKFLT
	assert_string_equal(signal_name(SIGSTKFLT), "STKFLT");
#endif
	assert_string_equal(signal_name(SIGSYS), "SYS");
}

static const char *
conf_dir(void)
{
	static char buf[PATH_MAX];
	const char *top = getenv("top_srcdir");
	struct stat st;

	if (top != NULL && *top != '\0') {
		snprintf(buf, sizeof(buf), "%s/conf", top);
		return buf;
	}
	if (stat("conf", &st) == 0)
		return "conf";
	return "../../conf";
}

/* Every shipped tree must load (the schema is not a tree). */
static void
test_conf_files(void **state)
{
	const char *dir = conf_dir();
	struct dirent *de;
	struct spec *s;
	char *path, *errs;
	size_t n, len;
	DIR *d;

	(void)state;
	if ((d = opendir(dir)) == NULL)
		fail_msg("%s: cannot open (set top_srcdir)", dir);
	for (n = 0; (de = readdir(d)) != NULL; ) {
		len = strlen(de->d_name);
		if (len < 5 || strcmp(de->d_name + len - 5, ".json") != 0 ||
		    strstr(de->d_name, ".schema.") != NULL)
			continue;
		assert_true(asprintf(&path, "%s/%s", dir, de->d_name) > 0);
		if ((s = config_load(path, &errs)) == NULL)
			fail_msg("%s", errs);
		spec_free(s);
		free(path);
		n++;
	}
	closedir(d);
	assert_true(n >= 1);
}

/* The operations fields' defaults: a tree without them is v1's. */
static void
test_ops_defaults(void **state)
{
	struct spec *r, *w, *m, *t;
	char *errs = NULL;

	(void)state;
	r = parse(C("{'id': 'w', " W "}, {'id': 'm', " W ", 'ready': 'exited', "
	    "'restart': 'transient'}, {'id': 't', " W ", 'ready': 'exited', "
	    "'restart': 'temporary', 'start_timeout': 3000}"), "t.json", &errs);
	if (r == NULL)
		fail_msg("%s", errs);
	w = r->children[0];
	m = r->children[1];
	t = r->children[2];
	assert_int_equal(r->auto_shutdown, AUTO_NEVER);
	assert_int_equal(w->restart_delay.initial, 0);
	assert_int_equal(w->restart_delay.max, 0);
	assert_int_equal(w->restart_delay.reset_after, 0);
	assert_int_equal(w->restart_delay.backoff, 0);
	assert_int_equal(w->autostart, 1);
	assert_int_equal(w->significant, 0);
	assert_int_equal(w->start_timeout, 5000);
	/* A run-once step has no time limit unless the file gives one. */
	assert_int_equal(m->ready, READY_EXITED);
	assert_int_equal(m->start_timeout, 0);
	assert_int_equal(t->start_timeout, 3000);
	spec_free(r);
}

/* Explicit values of the operations fields end up in the spec. */
static void
test_ops_fields(void **state)
{
	struct spec *r, *s, *a, *b, *c;
	char *errs = NULL;

	(void)state;
	r = parse("{'auto_shutdown': 'any_significant', 'children': ["
	    "{'id': 'a', " W ", 'restart_delay': 250, 'autostart': false},"
	    "{'id': 'b', " W ", 'restart_delay': {'initial': 100, "
	    "'max': 8000}, 'significant': true, 'restart': 'transient'},"
	    "{'id': 'c', " W ", 'restart_delay': {'initial': 5, 'max': 5, "
	    "'reset_after': 0}, 'significant': false, 'autostart': true},"
	    "{'id': 's', 'strategy': 'simple_one_for_one', "
	    "'auto_shutdown': 'all_significant', 'significant': true, "
	    "'restart': 'temporary', 'autostart': false, "
	    "'restart_delay': 7, 'template': {" W ", 'significant': true, "
	    "'restart': 'temporary', 'restart_delay': 9}}]}", "t.json", &errs);
	if (r == NULL)
		fail_msg("%s", errs);
	a = r->children[0];
	b = r->children[1];
	c = r->children[2];
	s = r->children[3];
	assert_int_equal(r->auto_shutdown, AUTO_ANY_SIGNIFICANT);
	assert_int_equal(a->restart_delay.initial, 250);
	assert_int_equal(a->restart_delay.max, 250);
	assert_int_equal(a->restart_delay.reset_after, 250);
	assert_int_equal(a->restart_delay.backoff, 0);
	assert_int_equal(a->autostart, 0);
	assert_int_equal(b->restart_delay.initial, 100);
	assert_int_equal(b->restart_delay.max, 8000);
	assert_int_equal(b->restart_delay.reset_after, 8000);
	assert_int_equal(b->restart_delay.backoff, 1);
	assert_int_equal(b->significant, 1);
	assert_int_equal(c->restart_delay.reset_after, 0);
	assert_int_equal(c->restart_delay.backoff, 1);
	assert_int_equal(c->significant, 0);
	assert_int_equal(c->autostart, 1);
	assert_int_equal(s->auto_shutdown, AUTO_ALL_SIGNIFICANT);
	assert_int_equal(s->significant, 1);
	assert_int_equal(s->autostart, 0);
	assert_int_equal(s->restart_delay.initial, 7);
	assert_int_equal(s->template->significant, 1);
	assert_int_equal(s->template->restart_delay.max, 9);
	spec_free(r);
}

/* Every bad combination is reported, not only the first. */
static void
test_ops_all_errors(void **state)
{
	struct spec *r;
	char *errs = NULL;

	(void)state;
	r = parse(C("{'id': 'a', " W ", 'significant': true, "
	    "'ready': 'exited'}"), "t.json", &errs);
	assert_null(r);
	assert_true(has_error(errs, "root/a: ", "\"significant\": true "
	    "needs the supervisor's \"auto_shutdown\""));
	assert_true(has_error(errs, "root/a: ", "\"significant\": true "
	    "needs \"restart\" transient or temporary"));
	assert_true(has_error(errs, "root/a: ", "\"ready\": \"exited\" "
	    "needs \"restart\""));
	check_lines(errs);
	free(errs);
}

int
main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_user_group),
		cmocka_unit_test(test_all_errors),
		cmocka_unit_test(test_spec_example),
		cmocka_unit_test(test_worker_fields),
		cmocka_unit_test(test_ids),
		cmocka_unit_test(test_relative_paths),
		cmocka_unit_test(test_config_dir),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_spec_equal_workers),
		cmocka_unit_test(test_spec_equal_other),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_stop_signal_names),
		cmocka_unit_test(test_conf_files),
		cmocka_unit_test(test_ops_defaults),
		cmocka_unit_test(test_ops_fields),
		cmocka_unit_test(test_ops_all_errors),
	};
	size_t nbad = sizeof(bad) / sizeof(bad[0]);
	size_t nfixed = sizeof(fixed) / sizeof(fixed[0]), i;
	struct CMUnitTest *tests;
	int rc;

	/* One TAP line per malformed config, named after it. */
	if ((tests = calloc(nbad + nfixed, sizeof(*tests))) == NULL)
		return 1;
	for (i = 0; i < nbad; i++) {
		tests[i].name = bad[i].name;
		tests[i].test_func = test_bad;
		tests[i].initial_state = (void *)&bad[i];
	}
	memcpy(tests + nbad, fixed, sizeof(fixed));
	rc = _cmocka_run_group_tests("config", tests, nbad + nfixed, NULL,
	    NULL);
	free(tests);
	return rc;
}
