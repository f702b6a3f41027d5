/*
 * pidmap.c: pid to node, for the reaper and the notify socket. Linear
 * probing with backward-shift deletion; grows at half full.
 */
#include <stdlib.h>

#include "pidmap.h"

struct slot {
	pid_t		 pid;		/* 0: empty */
	struct node	*node;
};

static struct slot	*tab;
static size_t		 cap, used;

static size_t
hash(pid_t pid, size_t mask)
{
	return ((size_t)pid * 2654435761u) & mask;
}

static int
grow(void)
{
	struct slot *old = tab, *n;
	size_t oldcap = cap, i, j, ncap = cap ? cap * 2 : 64;

	if ((n = calloc(ncap, sizeof(*n))) == NULL)
		return -1;
	for (i = 0; i < oldcap; i++) {
		if (old[i].pid == 0)
			continue;
		for (j = hash(old[i].pid, ncap - 1); n[j].pid != 0;
		    j = (j + 1) & (ncap - 1))
			;
		n[j] = old[i];
	}
	free(old);
	tab = n;
	cap = ncap;
	return 0;
}

int
pidmap_put(pid_t pid, struct node *node)
{
	size_t i;

	if ((used + 1) * 2 > cap && grow() == -1)
		return -1;
	for (i = hash(pid, cap - 1); tab[i].pid != 0 && tab[i].pid != pid;
	    i = (i + 1) & (cap - 1))
		;
	if (tab[i].pid == 0)
		used++;
	tab[i].pid = pid;
	tab[i].node = node;
	return 0;
}

struct node *
pidmap_get(pid_t pid)
{
	size_t i;

	if (cap == 0 || pid <= 0)
		return NULL;
	for (i = hash(pid, cap - 1); tab[i].pid != 0; i = (i + 1) & (cap - 1))
		if (tab[i].pid == pid)
			return tab[i].node;
	return NULL;
}

void
pidmap_del(pid_t pid)
{
	size_t i, j, k;

	if (cap == 0 || pid <= 0)
		return;
	for (i = hash(pid, cap - 1); tab[i].pid != pid;
	    i = (i + 1) & (cap - 1))
		if (tab[i].pid == 0)
			return;
	/* Shift later entries of the run back so lookups still find them. */
	for (j = i;;) {
		tab[i].pid = 0;
		for (;;) {
			j = (j + 1) & (cap - 1);
			if (tab[j].pid == 0) {
				used--;
				return;
			}
			k = hash(tab[j].pid, cap - 1);
			if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
				continue;
			break;
		}
		tab[i] = tab[j];
		i = j;
	}
}

void
pidmap_free(void)
{
	free(tab);
	tab = NULL;
	cap = used = 0;
}
