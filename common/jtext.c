/* jtext.c - see jtext.h. */
#include "common/jtext.h"

#include <stdlib.h>

char *jtext_dump(const json_t *j, size_t flags, size_t *len)
{
	size_t n = json_dumpb(j, NULL, 0, flags);
	char *p = n ? malloc(n + 1) : NULL;

	if (!p || json_dumpb(j, p, n, flags) != n) {
		free(p);
		return NULL;
	}
	p[n] = '\0';
	if (len)
		*len = n;
	return p;
}
