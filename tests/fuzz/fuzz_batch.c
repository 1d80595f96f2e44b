/*
 * fuzz_batch.c - libFuzzer target for the batch decoder (sync/batch.h):
 * sync_batch_sender() and sync_batch_open_meta() on the input as it came
 * (refused at the signature unless it is a real envelope of the test
 * key), then on the input made into a signed envelope (fuzz_envelope.h),
 * so that the inflating, the JSON and the per-change checks are reached.
 * Whatever is handed to the callback is read in full: a change passed on
 * must point at valid memory.
 */
#include <stdio.h>

#include "tests/fuzz/fuzz_envelope.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Read every byte the decoder handed over (ASan checks the pointers). */
static int touch(void *ctx, const struct store_incoming *in)
{
	size_t *n = ctx;
	char *text;

	if (!in->collection || !in->operator || !in->fields ||
	    (in->nprev && !in->prev))
		abort(); /* the decoder promised a valid change */
	*n += strlen(in->collection) + strlen(in->operator) + in->nprev;
	for (size_t i = 0; i < in->nprev; i++)
		*n += in->prev[i].field;
	text = json_dumps(in->fields, JSON_COMPACT);
	if (text)
		*n += strlen(text);
	free(text);
	return 0;
}

static void open_one(const uint8_t *env, size_t len)
{
	struct id sender;
	json_t *meta = NULL;
	size_t n = 0;
	struct err e;

	err_init(&e);
	if (sync_batch_sender(env, len, &sender, &e) == 0)
		n += sender.b[0];
	if (sync_batch_open_meta(env, len, fuzz_pk, &meta, touch, &n, &e) ==
	    0 && !json_is_object(meta))
		abort(); /* a good batch always gives its meta */
	json_decref(meta);
	if (sync_batch_open(env, len, fuzz_pk, touch, &n, &e) < 0 &&
	    !e.msg[0])
		abort(); /* every refusal says why */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *env;
	size_t len = 0;

	fuzz_keys();
	open_one(data, size);
	env = fuzz_envelope(data, size, &len);
	if (env)
		open_one(env, len);
	free(env);
	return 0;
}
