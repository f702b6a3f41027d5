/*
 * significant.c: OTP 24's automatic shutdown and run-once steps
 * (supervisord(8), Automatic shutdown, Run-once steps): when a
 * significant child that ended by itself ends its supervisor, the exit
 * status that travels up from it to supervisord, and a step's done.
 */
#include "tree-int.h"

/* A child its supervisor still has: running, on its way up or down,
 * or about to be restarted (OTP: a pid, or restarting). */
static int
present(const struct node *k)
{
	return k->pid != 0 || k->state == NS_STARTING ||
	    k->state == NS_RUNNING || k->state == NS_STOPPING ||
	    k->state == NS_RESTARTING;
}

/*
 * Child c of s ended by itself with class cls and is not restarted:
 * does s shut itself down now (OTP's do_auto_shutdown)? A transient
 * child ends by itself when it exits normally, a temporary one in any
 * way. A child its supervisor stopped, the operator's stops included,
 * never gets here; an exit that came before the operator's stop does,
 * as OTP handles its messages in order. With all_significant only the
 * significant children still present count; under simple_one_for_one
 * every instance has the template's flag.
 */
int
auto_shutdown_due(const struct node *s, const struct node *c,
    enum exit_class cls)
{
	size_t i;

	if (s->spec->auto_shutdown == AUTO_NEVER || !c->spec->significant ||
	    c->spec->restart == RESTART_PERMANENT ||
	    (c->spec->restart == RESTART_TRANSIENT && cls != EXIT_NORMAL))
		return 0;
	if (s->spec->auto_shutdown == AUTO_ANY_SIGNIFICANT)
		return 1;
	for (i = 0; i < s->nkids; i++)
		if (s->kids[i] != c && s->kids[i]->spec->significant &&
		    present(s->kids[i]))
			return 0;
	return 1;
}

/*
 * The exit status child c passes on: a worker's code, or 128+N for
 * signal N (as a shell reports it); a supervisor's, what its own
 * automatic shutdown carried, or 1 when it gave up.
 */
int
passed_code(const struct node *c)
{
	if (c->spec->type == SPEC_SUPERVISOR)
		return c->last_exit.error[0] != '\0' ? 1 : c->last_exit.code;
	if (c->last_exit.signo)
		return 128 + c->last_exit.signo;
	return c->last_exit.code & 0xff;
}

/* Supervisor s ends itself for its significant child (path, code). */
void
auto_shutdown(struct tree *t, struct node *s, const char *path, int code)
{
	logf_(t, "%s: significant child %s ended; shutting down "
	    "(auto_shutdown %s)", s->path, path,
	    auto_shutdown_name(s->spec->auto_shutdown));
	s->auto_code = code;
	/* At the root this is supervisord's end: commands are refused. */
	if (s->parent == NULL)
		t->shutting_down = 1;
	stop_subtree(t, s, P_AUTOSHUTDOWN);
}

/*
 * Its children are down: s ends with reason shutdown, and that is a
 * normal exit for its parent (OTP), which restarts it only if it is
 * permanent. At the root, supervisord exits with the code.
 */
void
auto_shutdown_done(struct tree *t, struct node *s)
{
	json_t *ev;

	s->state = NS_STOPPED;
	s->last_exit.valid = 1;
	s->last_exit.code = s->auto_code;
	s->last_exit.signo = 0;
	s->last_exit.error[0] = '\0';
	ev = json_pack("{ssssss}", "event", "shutdown", "path", s->path,
	    "reason", "auto_shutdown");
	if (s->parent == NULL) {
		if (ev != NULL)
			json_object_set_new(ev, "code",
			    json_integer(s->auto_code));
		emit(t, ev);
		t->ops->exit(t, s->auto_code);
		return;
	}
	emit(t, ev);
	emit(t, json_pack("{sssssssb}", "event", "exited", "path", s->path,
	    "class", "normal", "by_supervisor", 0));
	exit_of(t, s, EXIT_NORMAL);
}

/*
 * A run-once step (ready: exited) exited with a normal code: that is
 * its start. It is done, and its supervisor goes on to the next step.
 */
void
step_done(struct tree *t, struct node *c, pid_t pid)
{
	c->state = NS_DONE;
	c->killed = 0;
	emit(t, json_pack("{sssssisi}", "event", "done", "path", c->path,
	    "pid", (int)pid, "code", c->last_exit.code));
	logf_(t, "%s: done (exit code %d)", c->path, c->last_exit.code);
	child_settled(t, c, 1);
}
