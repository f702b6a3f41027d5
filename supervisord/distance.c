/*
 * distance.c: how far apart two words are, for the guesses at a typo of
 * a config field (supervisord.json(5)) and of a supervisorctl(8) command.
 */
#include <stdint.h>
#include <string.h>

#include "distance.h"

/* Levenshtein distance, capped: only small ones matter for typos. */
size_t
edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, d[32], diag, up;

	if (lb >= sizeof(d) / sizeof(d[0]) ||
	    (la > lb ? la - lb : lb - la) > 2)
		return SIZE_MAX;
	for (j = 0; j <= lb; j++)
		d[j] = j;
	for (i = 1; i <= la; i++) {
		diag = d[0];
		d[0] = i;
		for (j = 1; j <= lb; j++) {
			up = d[j];
			d[j] = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < d[j])
				d[j] = up + 1;
			if (d[j - 1] + 1 < d[j])
				d[j] = d[j - 1] + 1;
			diag = up;
		}
	}
	return d[lb];
}
