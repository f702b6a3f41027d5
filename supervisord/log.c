/*
 * log.c: log_warn (adds strerror), log_warnx, log_info, log_debug, fatal.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "msg.h"

int		 log_verbose;
static int	 use_syslog;
static int	 stamps;	/* a log file has no other clock */
static const char *log_ident = "supervisord";

static void
log_stamped(const char *line)
{
	char when[32];
	struct tm tm;
	time_t t = time(NULL);

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		when[0] = '\0';
	fprintf(stderr, "%s %s[%d]: %s\n", when, log_ident, (int)getpid(),
	    line);
	fflush(stderr);
}

static void
log_line(int prio, const char *line, void *arg)
{
	if (use_syslog)
		syslog(prio, "%s", line);
	else if (stamps)
		log_stamped(line);
	else {
		fprintf(stderr, "%s: %s\n", log_ident, line);
		fflush(stderr);
	}
}

void
log_timestamps(int on)
{
	stamps = on;
}

void
log_init(int to_syslog, const char *ident)
{
	log_ident = ident;
	use_syslog = to_syslog;
	if (use_syslog)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	msg_set_logger(log_line, NULL);
}

static void
vlog(int prio, int with_errno, const char *fmt, va_list ap)
{
	char buf[1024];
	int saved = errno;

	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (with_errno) {
		strlcat(buf, ": ", sizeof(buf));
		strlcat(buf, strerror(saved), sizeof(buf));
	}
	log_line(prio, buf, NULL);
	errno = saved;
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, 1, fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, 0, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, 0, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!log_verbose)
		return;
	va_start(ap, fmt);
	vlog(LOG_DEBUG, 0, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, 1, fmt, ap);
	va_end(ap);
	exit(EX_OSERR);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, 0, fmt, ap);
	va_end(ap);
	exit(EX_SOFTWARE);
}
