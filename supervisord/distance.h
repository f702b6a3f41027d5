/*
 * distance.h: the edit distance between two words, for "did you mean".
 */
#ifndef DISTANCE_H
#define DISTANCE_H

#include <stddef.h>

/*
 * The Levenshtein distance of A and B; SIZE_MAX when their lengths are
 * more than 2 apart, or B has 32 bytes or more.
 */
size_t		 edit_distance(const char *a, const char *b);

#endif
