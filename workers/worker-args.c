/*
 * worker-args.c: the command line every example worker takes.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "msg.h"
#include "worker.h"

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: %s [--name NAME] [--timeout MS]\n",
	    getprogname());
	exit(EX_USAGE);
}

void
worker_args(int argc, char **argv, struct worker_opts *o)
{
	static const struct option longopts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 }
	};
	char *end;
	int ch;

	o->name = getprogname();
	o->timeout = 0;
	while ((ch = getopt_long(argc, argv, "n:t:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'n':
			o->name = optarg;
			break;
		case 't':
			o->timeout = strtol(optarg, &end, 10);
			if (*end != '\0' || o->timeout < 0)
				usage();
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	if (!msg_name_valid(o->name)) {
		fprintf(stderr, "%s: bad name \"%s\": use 1 to 64 of "
		    "A-Z a-z 0-9 _ . -\n", getprogname(), o->name);
		exit(EX_USAGE);
	}
}
