/*
 * fuzz_version.c - libFuzzer target for version set decoding
 * (conflict/version.h), read from the store in clear next to sealed
 * values: whatever decodes must encode within version_set_encoded_max()
 * and decode back to the same set; what is refused is ERR_CORRUPT with
 * the set left empty.
 */
#include <stdlib.h>
#include <string.h>

#include "conflict/version.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct version_set s, t;
	uint8_t *buf = NULL;
	size_t max, n;
	struct err e;
	int rc;

	version_set_init(&s);
	version_set_init(&t);
	err_init(&e);
	rc = version_set_decode(&s, data, size, &e);
	if (rc) {
		if ((rc != ERR_CORRUPT && rc != ERR_NOMEM) || s.n)
			abort();
		goto out;
	}
	if (version_set_encoded_empty(data, size) != (s.n == 0))
		abort();
	max = version_set_encoded_max(&s);
	buf = malloc(max ? max : 1);
	if (!buf)
		goto out;
	n = version_set_encode(&s, buf);
	if (n > max || version_set_decode(&t, buf, n, &e) || t.n != s.n)
		abort();
	for (size_t i = 0; i < s.n; i++)
		if (t.e[i].field != s.e[i].field ||
		    !version_eq(&t.e[i].v, &s.e[i].v))
			abort();
	for (size_t i = 0; i < s.n; i++)
		if (version_set_get(&s, s.e[i].field) == NULL)
			abort();
out:
	free(buf);
	version_set_release(&s);
	version_set_release(&t);
	return 0;
}
