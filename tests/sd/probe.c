/*
 * probe.c: a test child that reports what it inherited from supervisord
 * (process group, descriptors, signals, environment, directory) as
 * key=value lines in FILE, written atomically, then waits to be stopped.
 *
 * usage: probe FILE [VAR...]
 */
#include <sys/types.h>

#include <dirent.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void
fd_link(FILE *out, int fd)
{
	char path[64], target[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if ((n = readlink(path, target, sizeof(target) - 1)) == -1)
		strcpy(target, "closed");
	else
		target[n] = '\0';
	fprintf(out, "fd%d=%s\n", fd, target);
}

/* Every open descriptor but the one that lists them. */
static void
fd_list(FILE *out)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	const char *sep = "";

	fprintf(out, "fds=");
	while (d != NULL && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || atoi(e->d_name) == dirfd(d) ||
		    atoi(e->d_name) == fileno(out))
			continue;
		fprintf(out, "%s%s", sep, e->d_name);
		sep = ",";
	}
	fprintf(out, "\n");
	if (d != NULL)
		closedir(d);
}

/* SigBlk, SigIgn, SigCgt as the kernel reports them. */
static void
signals(FILE *out)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];

	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "SigBlk:", 7) == 0)
			fprintf(out, "sigblk=%s", line + 8);
		else if (strncmp(line, "SigIgn:", 7) == 0)
			fprintf(out, "sigign=%s", line + 8);
		else if (strncmp(line, "SigCgt:", 7) == 0)
			fprintf(out, "sigcgt=%s", line + 8);
	}
	if (f != NULL)
		fclose(f);
}

/* Supplementary groups, sorted. */
static int
cmp_gid(const void *a, const void *b)
{
	gid_t x = *(const gid_t *)a, y = *(const gid_t *)b;

	return x < y ? -1 : x > y;
}

static void
groups(FILE *out)
{
	gid_t g[256];
	int i, n = getgroups(256, g);

	if (n < 0)
		n = 0;
	qsort(g, (size_t)n, sizeof(g[0]), cmp_gid);
	fprintf(out, "groups=");
	for (i = 0; i < n; i++)
		fprintf(out, "%s%d", i ? "," : "", (int)g[i]);
	fprintf(out, "\n");
}

static void
env(FILE *out, const char *name)
{
	const char *v = getenv(name);

	fprintf(out, "env:%s=%s\n", name, v ? v : "(unset)");
}

int
main(int argc, char **argv)
{
	char tmp[PATH_MAX], cwd[PATH_MAX];
	FILE *out;
	int i;

	if (argc < 2) {
		fprintf(stderr, "usage: probe FILE [VAR...]\n");
		return 64;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", argv[1]);
	if ((out = fopen(tmp, "w")) == NULL) {
		perror(tmp);
		return 2;
	}
	fprintf(out, "pid=%d\nppid=%d\npgid=%d\nsid=%d\n", (int)getpid(),
	    (int)getppid(), (int)getpgid(0), (int)getsid(0));
	fprintf(out, "uid=%d\ngid=%d\n", (int)getuid(), (int)getgid());
	groups(out);
	fprintf(out, "cwd=%s\n", getcwd(cwd, sizeof(cwd)) ? cwd : "?");
	for (i = 0; i < 3; i++)
		fd_link(out, i);
	fd_list(out);
	signals(out);
	env(out, "MSG_RUNDIR");
	env(out, "NOTIFY_SOCKET");
	env(out, "SUPERVISOR_PATH");
	for (i = 2; i < argc; i++)
		env(out, argv[i]);
	fprintf(out, "end=1\n");
	if (fclose(out) != 0 || rename(tmp, argv[1]) == -1) {
		perror(argv[1]);
		return 2;
	}
	for (;;)
		pause();
}
