/*
 * signame.c: signal names without "SIG", both ways.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "signame.h"

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

/* Linux's signals 1 to 31, in number order. */
static const struct {
	const char	*name;
	int		 signo;
} sigs[] = {
	{ "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT },
	{ "ILL", SIGILL }, { "TRAP", SIGTRAP }, { "ABRT", SIGABRT },
	{ "BUS", SIGBUS }, { "FPE", SIGFPE }, { "KILL", SIGKILL },
	{ "USR1", SIGUSR1 }, { "SEGV", SIGSEGV }, { "USR2", SIGUSR2 },
	{ "PIPE", SIGPIPE }, { "ALRM", SIGALRM }, { "TERM", SIGTERM },
#ifdef SIGSTKFLT	/* not on every architecture */
	{ "STKFLT", SIGSTKFLT },
#endif
	{ "CHLD", SIGCHLD }, { "CONT", SIGCONT }, { "STOP", SIGSTOP },
	{ "TSTP", SIGTSTP }, { "TTIN", SIGTTIN }, { "TTOU", SIGTTOU },
	{ "URG", SIGURG }, { "XCPU", SIGXCPU }, { "XFSZ", SIGXFSZ },
	{ "VTALRM", SIGVTALRM }, { "PROF", SIGPROF }, { "WINCH", SIGWINCH },
	{ "IO", SIGIO }, { "PWR", SIGPWR }, { "SYS", SIGSYS },
};

static int
find(const char *name, int (*cmp)(const char *, const char *))
{
	size_t i;

	for (i = 0; i < NITEMS(sigs); i++)
		if (cmp(sigs[i].name, name) == 0)
			return sigs[i].signo;
	return -1;
}

int
signal_lookup(const char *name)
{
	return find(name, strcmp);
}

int
signal_number(const char *name)
{
	char *end;
	long n;
	int signo;

	if (strncasecmp(name, "SIG", 3) == 0)
		name += 3;
	if ((signo = find(name, strcasecmp)) != -1)
		return signo;
	n = strtol(name, &end, 10);
	if (*name != '\0' && *end == '\0' && n > 0 && n < NSIG)
		return (int)n;
	return -1;
}

const char *
signal_name(int signo)
{
	size_t i;

	for (i = 0; i < NITEMS(sigs); i++)
		if (sigs[i].signo == signo)
			return sigs[i].name;
	return "UNKNOWN";
}
