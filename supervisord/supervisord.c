/*
 * supervisord.c: main: options, run directory, config check, then the
 * one event loop that runs the tree until it is shut down or gives up.
 */
#include <sys/stat.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "config.h"
#include "daemon.h"
#include "log.h"
#include "msg.h"
#include "runtime.h"

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: supervisord [-fnsv] [-c file] [-r dir]\n");
	exit(EX_USAGE);
}

static const char *
default_config(void)
{
	return SYSCONFDIR "/supervisord.json";
}

/* -n: check the file, print every error, exit 0 or 78. */
static int
check_only(const char *file)
{
	struct spec *root;
	char *errs = NULL;

	if ((root = config_load(file, &errs)) == NULL) {
		fprintf(stderr, "%s\n", errs ? errs : "config: unreadable");
		free(errs);
		return EX_CONFIG;
	}
	spec_free(root);
	printf("%s: ok\n", file);
	return 0;
}

static int
prepare_rundir(const char *dir)
{
	if (msg_rundir_prepare(dir) == -1) {
		if (errno == EPERM)
			log_warnx("run directory %s: owned by another user or "
			    "open to others; refusing it", dir);
		else
			log_warn("run directory %s", dir);
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct runtime_opts o;
	const char *rundir_opt = NULL;
	int ch, check = 0, foreground = 0, use_syslog = 0;

	memset(&o, 0, sizeof(o));
	o.config = default_config();
	while ((ch = getopt(argc, argv, "c:fnr:sv")) != -1) {
		switch (ch) {
		case 'c':
			o.config = optarg;
			break;
		case 'f':
			foreground = 1;
			break;
		case 'n':
			check = 1;
			break;
		case 'r':
			rundir_opt = optarg;
			break;
		case 's':
			use_syslog = 1;
			break;
		case 'v':
			log_verbose = 1;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	if (check)
		return check_only(o.config);

	stdio_guard();
	log_init(use_syslog, "supervisord");
	if (rundir_choose(rundir_opt, o.rundir, sizeof(o.rundir)) == -1) {
		log_warn("run directory");
		return EX_OSERR;
	}
	if (prepare_rundir(o.rundir) == -1)
		return EX_OSERR;
	if (process_setup() == -1) {
		log_warn("prctl(PR_SET_CHILD_SUBREAPER)");
		return EX_OSERR;
	}
	if (nofile_raise(&o.nofile) == -1)
		log_warn("setrlimit(RLIMIT_NOFILE)");
	o.background = !foreground && getpid() != 1 && isatty(STDIN_FILENO);
	return runtime_main(&o);
}
