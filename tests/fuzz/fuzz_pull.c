/*
 * fuzz_pull.c - libFuzzer target for the node's pull page decoder
 * (sync_pull_decode(), sync/sync_int.h): a page is a batch signed by the
 * hub whose meta carries the cursor, "more", the purge list and the
 * re-bootstrap flag.  The input is made into an envelope signed with the
 * test key standing for the hub's (fuzz_envelope.h) and decoded as the
 * answer to pulls after two cursors.
 */
#include <stdio.h>

#include "sync/sync_int.h"
#include "tests/fuzz/fuzz_envelope.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void decode(const uint8_t *env, size_t len, uint64_t after)
{
	struct fetched *f = NULL;
	struct err e;
	int rc;

	err_init(&e);
	rc = sync_pull_decode(env, len, fuzz_pk, after, &f, &e);
	if ((rc == 0) != (f != NULL) || (rc < 0 && !e.msg[0]))
		abort(); /* a page or a reason, never both or neither */
	if (f && sync_pull_page_count(f) > SYNC_BATCH_MAX_CHANGES)
		abort();
	sync_pull_page_free(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *env;
	size_t len = 0;

	fuzz_keys();
	decode(data, size, 0);
	env = fuzz_envelope(data, size, &len);
	if (env) {
		decode(env, len, 0);
		decode(env, len, 1000);
	}
	free(env);
	return 0;
}
