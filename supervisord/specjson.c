/*
 * specjson.c: a spec as JSON in supervisord.json(5)'s own spelling, with
 * every default filled in, so an operator sees what supervisord uses.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "signame.h"
#include "specjson.h"

static json_t *
shutdown_json(int64_t ms)
{
	if (ms == SHUTDOWN_BRUTAL_KILL)
		return json_string("brutal_kill");
	if (ms == SHUTDOWN_INFINITY)
		return json_string("infinity");
	return json_integer(ms);
}

/* The form it was written in: a number when constant. */
static json_t *
delay_json(const struct restart_delay *d)
{
	if (!d->backoff)
		return json_integer(d->initial);
	return json_pack("{sIsIsI}", "initial", (json_int_t)d->initial, "max",
	    (json_int_t)d->max, "reset_after", (json_int_t)d->reset_after);
}

static json_t *
strv_json(char *const *v, size_t n, char *const *extra, size_t nextra)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a != NULL && i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	for (i = 0; a != NULL && i < nextra; i++)
		json_array_append_new(a, json_string(extra[i]));
	return a;
}

static json_t *
env_json(char *const *env)
{
	json_t *o = json_object();
	char *eq, *k;
	size_t i;

	for (i = 0; o != NULL && env != NULL && env[i] != NULL; i++) {
		if ((eq = strchr(env[i], '=')) == NULL ||
		    (k = strndup(env[i], (size_t)(eq - env[i]))) == NULL)
			continue;
		json_object_set_new(o, k, json_string(eq + 1));
		free(k);
	}
	return o;
}

static json_t *
output_json(const struct output *o)
{
	switch (o->mode) {
	case OUT_NULL:
		return json_string("null");
	case OUT_FILE:
		return json_string(o->path);
	case OUT_STDOUT:
		return json_string("stdout");
	default:
		return json_string("inherit");
	}
}

static json_t *
codes_json(const struct spec *s)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a != NULL && i < s->nnormal_exit_codes; i++)
		json_array_append_new(a, json_integer(s->normal_exit_codes[i]));
	return a;
}

static json_t *
str_or_null(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

static void
worker_json(json_t *o, const struct spec *s, char *const *extra,
    size_t nextra)
{
	json_object_set_new(o, "argv", strv_json(s->argv, s->argc, extra,
	    nextra));
	json_object_set_new(o, "stop_signal",
	    json_string(signal_name(s->stop_signal)));
	json_object_set_new(o, "normal_exit_codes", codes_json(s));
	json_object_set_new(o, "ready", json_string(ready_name(s->ready)));
	json_object_set_new(o, "start_timeout", json_integer(s->start_timeout));
	json_object_set_new(o, "watchdog", json_integer(s->watchdog));
	json_object_set_new(o, "env", env_json(s->env));
	json_object_set_new(o, "cwd", str_or_null(s->cwd));
	json_object_set_new(o, "user", str_or_null(s->user));
	json_object_set_new(o, "group", str_or_null(s->group));
	json_object_set_new(o, "stdout", output_json(&s->out));
	json_object_set_new(o, "stderr", output_json(&s->err));
	json_object_set_new(o, "listen", str_or_null(s->listen));
}

static void
supervisor_json(json_t *o, const struct spec *s)
{
	json_t *ids = json_array();
	size_t i;

	json_object_set_new(o, "strategy",
	    json_string(strategy_name(s->strategy)));
	json_object_set_new(o, "intensity", json_integer(s->intensity));
	json_object_set_new(o, "period", json_integer(s->period));
	json_object_set_new(o, "auto_shutdown",
	    json_string(auto_shutdown_name(s->auto_shutdown)));
	for (i = 0; ids != NULL && i < s->nchildren; i++)
		json_array_append_new(ids, json_string(s->children[i]->id));
	json_object_set_new(o, "children", ids);
	if (s->template != NULL)
		json_object_set_new(o, "template", spec_json(s->template, NULL,
		    0, 0));
}

/* How its supervisor treats it: meaningless at the root. */
static void
child_json(json_t *o, const struct spec *s)
{
	json_object_set_new(o, "restart", json_string(restart_name(s->restart)));
	json_object_set_new(o, "shutdown", shutdown_json(s->shutdown));
	json_object_set_new(o, "restart_delay", delay_json(&s->restart_delay));
	/* Instances of a template are started by start-child, not by this. */
	if (s->id[0] != '\0')
		json_object_set_new(o, "autostart", json_boolean(s->autostart));
	json_object_set_new(o, "significant", json_boolean(s->significant));
}

json_t *
spec_json(const struct spec *s, char *const *extra, size_t nextra, int flags)
{
	json_t *o;

	if ((o = json_object()) == NULL)
		return NULL;
	/* A template has no id: its instances get theirs from the tree. */
	if (s->id[0] != '\0')
		json_object_set_new(o, "id", json_string(s->id));
	json_object_set_new(o, "type", json_string(spec_type_name(s->type)));
	if (s->type == SPEC_SUPERVISOR)
		supervisor_json(o, s);
	else
		worker_json(o, s, extra, nextra);
	if (!(flags & SPEC_JSON_ROOT))
		child_json(o, s);
	return o;
}
