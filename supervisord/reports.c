/*
 * reports.c: what the runtime tells the supervision core about one
 * child (it exited, it ran its program or could not, it said READY=1,
 * its timer expired) and what each means under the rules of rules.c:
 * supervisord(8), Exit classes, Starting, Readiness, Between fork and
 * exec.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "signame.h"
#include "tree-int.h"

enum exit_class
exit_class(const struct spec *s, int st)
{
	size_t i;
	int sig;

	if (WIFEXITED(st)) {
		for (i = 0; i < s->nnormal_exit_codes; i++)
			if (s->normal_exit_codes[i] == WEXITSTATUS(st))
				return EXIT_NORMAL;
		return EXIT_ABNORMAL;
	}
	/* OTP's normal and shutdown; systemd's clean signals. */
	sig = WTERMSIG(st);
	if (sig == SIGTERM || sig == SIGINT || sig == SIGHUP || sig == SIGPIPE)
		return EXIT_NORMAL;
	return EXIT_ABNORMAL;
}

static void
record_exit(struct node *c, int st)
{
	c->last_exit.valid = 1;
	c->last_exit.error[0] = '\0';
	if (WIFEXITED(st)) {
		c->last_exit.code = WEXITSTATUS(st);
		c->last_exit.signo = 0;
	} else {
		c->last_exit.code = -1;
		c->last_exit.signo = WTERMSIG(st);
	}
}

static void
event_exited(struct tree *t, struct node *c, pid_t pid, enum exit_class cls)
{
	json_t *ev = json_pack("{sssssi}", "event", "exited", "path", c->path,
	    "pid", (int)pid);

	if (c->last_exit.signo)
		json_object_set_new(ev, "signal",
		    json_string(signal_name(c->last_exit.signo)));
	else
		json_object_set_new(ev, "code",
		    json_integer(c->last_exit.code));
	json_object_set_new(ev, "class", json_string(cls == EXIT_NORMAL ?
	    "normal" : "abnormal"));
	json_object_set_new(ev, "by_supervisor", json_boolean(c->killed));
	emit(t, ev);
}

/*
 * A run-once step's start is its run: it is done when it exits with a
 * code in normal_exit_codes. A signal, even one of class normal, is a
 * start error: the step did not finish its work.
 */
static int
step_finished(const struct node *c, int st, enum exit_class cls)
{
	return c->spec->ready == READY_EXITED && !c->timed_out &&
	    !c->exec_pending && WIFEXITED(st) && cls == EXIT_NORMAL;
}

/*
 * A start error of a child that ran says which program ran when argv[0]
 * was looked up: "echo" may have been /bin/echo, not the worker.
 */
static void
ran(struct tree *t, const struct node *c, char *why, size_t size)
{
	char file[4096], more[4200];
	const char *f;

	if (t->ops->program == NULL ||
	    (f = t->ops->program(t, c, file, sizeof(file))) == NULL ||
	    strcmp(f, c->spec->argv[0]) == 0)
		return;
	snprintf(more, sizeof(more), " (ran %s)", f);
	strlcat(why, more, size);
}

void
tree_exited(struct tree *t, struct node *c, int st)
{
	enum exit_class cls = exit_class(c->spec, st);
	/* Death before readiness is abnormal, and a start error. */
	int early = c->timed_out || c->state == NS_STARTING;
	char why[160];
	pid_t pid = c->pid;

	if (pid == 0)
		return;
	c->pid = 0;
	t->ops->timer(t, c, 0);
	strlcpy(why, c->last_exit.error, sizeof(why));
	record_exit(c, st);
	if (early && step_finished(c, st, cls)) {
		event_exited(t, c, pid, EXIT_NORMAL);
		step_done(t, c, pid);
		return;
	}
	if (early)
		cls = EXIT_ABNORMAL;
	/* Killed on its way to execve: it never started, so never exited. */
	if (!c->exec_pending)
		event_exited(t, c, pid, cls);
	c->exec_pending = 0;
	if (early) {
		if (!c->timed_out) {
			describe_exit(c, why, sizeof(why));
			strlcat(why, c->spec->ready == READY_EXITED ?
			    " (a run-once step must exit with a normal exit "
			    "code)" : " before it was ready", sizeof(why));
			ran(t, c, why, sizeof(why));
			event_start_error(t, c, why);
		} else	/* why it failed: start_timeout, not the SIGKILL */
			strlcpy(c->last_exit.error, why,
			    sizeof(c->last_exit.error));
		c->timed_out = 0;
		c->killed = 0;
		c->state = NS_FAILED;
		child_settled(t, c, 0);
		return;
	}
	if (c->killed) {
		c->killed = 0;
		c->state = NS_STOPPED;
		child_settled(t, c, 1);
		return;
	}
	exit_of(t, c, cls);
}

void
tree_execed(struct tree *t, struct node *c)
{
	/* Being killed for its start_timeout: too late to count. */
	if (c->pid == 0 || !c->exec_pending || c->timed_out)
		return;
	c->exec_pending = 0;
	event_started(t, c);
	if (c->state != NS_STARTING || c->spec->ready != READY_EXEC)
		return;		/* stopping; or READY=1 to come */
	t->ops->timer(t, c, 0);
	c->state = NS_RUNNING;
	child_settled(t, c, 1);
}

void
tree_start_failed(struct tree *t, struct node *c, const char *why)
{
	int stopped = c->killed && !c->timed_out;

	if (c->pid == 0)
		return;
	c->pid = 0;
	c->exec_pending = 0;
	t->ops->timer(t, c, 0);
	if (!c->timed_out && !stopped)
		event_start_error(t, c, why);
	c->timed_out = 0;
	c->killed = 0;
	/* Asked to stop meanwhile: it is down, as asked. */
	c->state = stopped ? NS_STOPPED : NS_FAILED;
	child_settled(t, c, stopped);
}

void
tree_ready(struct tree *t, struct node *c)
{
	/* READY=1 comes from the program: execve succeeded. */
	if (c->exec_pending)
		tree_execed(t, c);
	if (c->pid == 0 || c->state != NS_STARTING || c->timed_out)
		return;
	t->ops->timer(t, c, 0);
	c->state = NS_RUNNING;
	emit(t, json_pack("{sssssi}", "event", "ready", "path", c->path,
	    "pid", (int)c->pid));
	child_settled(t, c, 1);
}

void
tree_timer(struct tree *t, struct node *c)
{
	char why[96];

	if (c->next_start_at != 0 && c->pid == 0) {
		delay_fired(t, c);
		return;
	}
	if (c->spawn_later) {
		spawn_again(t, c);
		return;
	}
	if (c->pid == 0)
		return;
	if (c->state == NS_STARTING && !c->timed_out) {
		if (c->exec_pending)
			snprintf(why, sizeof(why), "start_timeout: did not "
			    "reach execve within %lld ms",
			    (long long)c->spec->start_timeout);
		else if (c->spec->ready == READY_EXITED)
			snprintf(why, sizeof(why), "start_timeout: not done "
			    "within %lld ms", (long long)c->spec->start_timeout);
		else
			snprintf(why, sizeof(why), "start_timeout: no READY=1 "
			    "within %lld ms", (long long)c->spec->start_timeout);
		event_start_error(t, c, why);
		c->timed_out = 1;
		t->ops->kill(t, c, SIGKILL);
	} else if (c->state == NS_STOPPING) {
		logf_(t, "%s: still running %lld ms after SIG%s; killing",
		    c->path, (long long)c->spec->shutdown,
		    signal_name(c->spec->stop_signal));
		t->ops->kill(t, c, SIGKILL);
	}
}

