/*
 * fuzz_namekey.c - libFuzzer target for schema/namekey.h: names are typed
 * by operators and imported from spreadsheets.  Whatever is accepted
 * gives keys of a-z and 0-9 only, within the bounds, that normalise to
 * themselves and match themselves; what is refused is ERR_INVALID with
 * the set wiped.  Never a crash, an overread or a silent truncation.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "schema/namekey.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 1 when k is a key: a-z and 0-9, at most max letters. */
static int key_ok(const char *k, size_t max)
{
	size_t n = strlen(k);

	if (n > max)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((k[i] >= 'a' && k[i] <= 'z') || (k[i] >= '0' && k[i] <= '9')))
			return 0;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct namekey_set zero;
	char norm[NAMEKEY_INPUT_MAX + 1], again[NAMEKEY_INPUT_MAX + 1];
	struct namekey_set set, set2;
	struct err e;
	int rc;

	err_init(&e);
	rc = namekey_tokens((const char *)data, size, &set, &e);
	if (rc) {
		if (rc != ERR_INVALID || memcmp(&set, &zero, sizeof(set)))
			abort();
		return 0;
	}
	if (set.n == 0 || set.n > NAMEKEY_TOKENS_MAX)
		abort();
	for (size_t i = 0; i < set.n; i++)
		if (!key_ok(set.tok[i].strict, NAMEKEY_TOKEN_MAX) ||
		    set.tok[i].strict[0] == '\0' ||
		    !key_ok(set.tok[i].loose, 2 * NAMEKEY_TOKEN_MAX) ||
		    !key_ok(set.tok[i].stem, 2 * NAMEKEY_TOKEN_MAX))
			abort();
	if (namekey_normalize((const char *)data, size, norm, sizeof(norm),
			      &e) ||
	    namekey_normalize(norm, strlen(norm), again, sizeof(again), &e) ||
	    strcmp(norm, again) != 0)
		abort();
	/* The normal form has the same keys as the input. */
	if (namekey_tokens(norm, strlen(norm), &set2, &e) ||
	    memcmp(&set, &set2, sizeof(set)) != 0)
		abort();
	if (!namekey_match_prefix(&set, &set) ||
	    namekey_similarity(&set, &set) != 1000)
		abort();
	namekey_set_wipe(&set);
	namekey_set_wipe(&set2);
	return 0;
}
