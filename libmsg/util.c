/*
 * util.c: the logging hook, error strings and small descriptor helpers.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "msg-int.h"

/* Until the application says otherwise: warnings and errors on stderr. */
/*
 * A line that begins with the program's name already, as an actor's does
 * when it is named after its program, is not prefixed twice.
 */
static void
log_stderr(int prio, const char *line, void *arg)
{
	const char *prog = getprogname();
	size_t n = strlen(prog);

	if (prio > LOG_WARNING)
		return;
	if (strncmp(line, prog, n) == 0 && line[n] == ':')
		fprintf(stderr, "%s\n", line);
	else
		fprintf(stderr, "%s: %s\n", prog, line);
}

static msg_log_fn	*log_fn = log_stderr;
static void		*log_arg;

void
msg_set_logger(msg_log_fn *fn, void *arg)
{
	log_fn = fn != NULL ? fn : log_stderr;
	log_arg = arg;
}

void
msg__log(int prio, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	log_fn(prio, line, log_arg);
}

const char *
msg_strerror(int status)
{
	switch (status) {
	case MSG_OK:
		return "ok";
	case MSG_ERROR_REPLY:
		return "error reply";
	case MSG_TIMEOUT:
		return "timed out";
	case MSG_DOWN:
		return "server down";
	case MSG_FAIL:
		return strerror(errno);
	}
	return "unknown status";
}

const char *
msg_errcode_name(uint32_t code)
{
	switch (code) {
	case MSG_ERR_UNKNOWN_TAG:
		return "unknown tag";
	case MSG_ERR_BAD_REQUEST:
		return "bad request";
	case MSG_ERR_SERVER:
		return "server error";
	case MSG_ERR_OVERLOADED:
		return "overloaded";
	}
	return "unknown error code";
}

int
msg__set_nonblock(int fd)
{
	int fl;

	if ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1)
		return -1;
	if ((fl = fcntl(fd, F_GETFD)) == -1 ||
	    fcntl(fd, F_SETFD, fl | FD_CLOEXEC) == -1)
		return -1;
	return 0;
}
