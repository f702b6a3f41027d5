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
#include "statefile.h"
#include "survivors.h"

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: supervisord [-fnsv] [-c file] [-l file] "
	    "[-p file] [-r dir] [-S dir]\n");
	exit(EX_USAGE);
}

static const char *
default_config(void)
{
	return SYSCONFDIR "/supkit/supervisord.json";
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
	struct stat st;

	if (msg_rundir_prepare(dir) == 0)
		return 0;
	if (errno == EPERM)
		log_warnx("run directory %s: owned by another user or open to "
		    "others; refusing it", dir);
	else if (errno == ENOTDIR && lstat(dir, &st) == 0 && S_ISLNK(st.st_mode))
		log_warnx("run directory %s: is a symbolic link; refusing it",
		    dir);
	else if (errno == ENOTDIR)
		log_warnx("run directory %s: exists and is not a directory",
		    dir);
	else
		log_warn("run directory %s", dir);
	return -1;
}

static struct spec *
load(const char *file)
{
	struct spec *root;
	char *errs = NULL;

	if ((root = config_load(file, &errs)) == NULL) {
		log_warnx("%s", errs ? errs : "config: unreadable");
		free(errs);
	}
	return root;
}

int
main(int argc, char **argv)
{
	struct runtime_opts o;
	const char *rundir_opt = NULL, *statedir_opt = NULL, *pidfile = NULL;
	struct spec *root;
	int ch, check = 0, foreground = 0, use_syslog = 0, st;

	memset(&o, 0, sizeof(o));
	o.config = default_config();
	while ((ch = getopt(argc, argv, "c:fl:np:r:S:sv")) != -1) {
		switch (ch) {
		case 'c':
			o.config = optarg;
			break;
		case 'f':
			foreground = 1;
			break;
		case 'l':
			o.logfile = optarg;
			break;
		case 'n':
			check = 1;
			break;
		case 'p':
			pidfile = optarg;
			break;
		case 'r':
			rundir_opt = optarg;
			break;
		case 'S':
			statedir_opt = optarg;
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
	o.syslog = use_syslog;
	if (rundir_choose(rundir_opt, o.rundir, sizeof(o.rundir)) == -1) {
		log_warn("run directory");
		return EX_OSERR;
	}
	/* Without one the tree runs, but operator stops are not kept. */
	if (statedir_choose(statedir_opt, o.statedir, sizeof(o.statedir)) ==
	    -1) {
		log_warn("state directory; operator state will not be kept");
		o.statedir[0] = '\0';
	}
	/* A bad file leaves no trace, not even a run directory. */
	if ((root = load(o.config)) == NULL)
		return EX_CONFIG;
	if (prepare_rundir(o.rundir) == -1 ||
	    rundir_lock(o.rundir, pidfile) == -1) {
		spec_free(root);
		return EX_OSERR;
	}
	if (process_setup() == -1) {
		log_warn("prctl(PR_SET_CHILD_SUBREAPER)");
		spec_free(root);
		rundir_unlock();
		return EX_OSERR;
	}
	if (nofile_raise(&o.nofile) == -1)
		log_warn("setrlimit(RLIMIT_NOFILE)");
	survivors_stop(o.rundir);
	o.background = !foreground && getpid() != 1 && isatty(STDIN_FILENO);
	st = runtime_main(&o, root);
	rundir_unlock();
	return st;
}
