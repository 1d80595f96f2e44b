/*
 * fuzz_envelope.h - shared by the fuzz targets of signed batches
 * (fuzz_batch.c, fuzz_pull.c) and the corpus generator (gen_corpus.c):
 * a fixed test key, and an envelope (sync/batch.h) signed with it around
 * what the fuzzer made, so that mutations reach the decoder behind the
 * signature check instead of stopping at it.  Header-only: static inline.
 *
 * An input is taken as
 *   "PRSB..."  an envelope: its signature is made again over the rest
 *              (mutated headers and payloads get past the signature);
 *   "{..."     the batch's JSON, deflated and wrapped;
 *   0xc2 ...   the rest a format-2 payload (columns), deflated and
 *              wrapped as format 2;
 *   anything else  the deflated payload as it would travel, wrapped.
 * The corpus holds real batches' JSON and columns (gen_corpus.c) and an
 * envelope of each format.
 */
#ifndef PRESIDIO_TESTS_FUZZ_ENVELOPE_H
#define PRESIDIO_TESTS_FUZZ_ENVELOPE_H

#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "common/id.h"
#include "sync/batch.h"

#define FUZZ_ENV_HEADER (4 + 1 + ID_BYTES + 4)
#define FUZZ_COLUMNS 0xc2 /* first byte of a format-2 payload input */

/* The test key pair: the same in every run, from a fixed seed. */
static uint8_t fuzz_pk[crypto_sign_PUBLICKEYBYTES];
static uint8_t fuzz_sk[crypto_sign_SECRETKEYBYTES];
static const struct id fuzz_sender = { { 0x5e, 0x4d, 0x31, 0x7a, 1, 2, 3, 4,
					 5, 6, 7, 8, 9, 10, 11, 12 } };

static inline void fuzz_keys(void)
{
	static int ready;
	uint8_t seed[crypto_sign_SEEDBYTES];

	if (ready)
		return;
	if (sodium_init() < 0)
		abort();
	memset(seed, 0x42, sizeof(seed));
	crypto_sign_seed_keypair(fuzz_pk, fuzz_sk, seed);
	ready = 1;
}

/* An envelope of format around payload p (n bytes), signed with the
 * test key; malloc'd (*len bytes), NULL when out of memory. */
static inline uint8_t *fuzz_wrap(const uint8_t *p, size_t n, int format,
				 size_t *len)
{
	uint8_t *env = malloc(FUZZ_ENV_HEADER + n + crypto_sign_BYTES);

	if (!env)
		return NULL;
	memcpy(env, "PRSB", 4);
	env[4] = (uint8_t)format;
	memcpy(env + 5, fuzz_sender.b, ID_BYTES);
	for (int i = 0; i < 4; i++)
		env[5 + ID_BYTES + i] = (uint8_t)(n >> (8 * i));
	if (n)
		memcpy(env + FUZZ_ENV_HEADER, p, n);
	crypto_sign_detached(env + FUZZ_ENV_HEADER + n, NULL, env,
			     FUZZ_ENV_HEADER + n, fuzz_sk);
	*len = FUZZ_ENV_HEADER + n + crypto_sign_BYTES;
	return env;
}

/* The fuzzer's input as a signed envelope (see the top); malloc'd. */
static inline uint8_t *fuzz_envelope(const uint8_t *data, size_t size,
				     size_t *len)
{
	uint8_t *env, *z;
	uLongf zlen;
	int format;

	fuzz_keys();
	if (size >= FUZZ_ENV_HEADER + crypto_sign_BYTES &&
	    memcmp(data, "PRSB", 4) == 0) {
		env = malloc(size);
		if (!env)
			return NULL;
		memcpy(env, data, size);
		crypto_sign_detached(env + size - crypto_sign_BYTES, NULL, env,
				     size - crypto_sign_BYTES, fuzz_sk);
		*len = size;
		return env;
	}
	if (size == 0 || (data[0] != '{' && data[0] != FUZZ_COLUMNS))
		return fuzz_wrap(data, size, SYNC_BATCH_VERSION, len);
	format = data[0] == FUZZ_COLUMNS ? 2 : SYNC_BATCH_VERSION;
	if (format == 2) {
		data++;
		size--;
	}
	zlen = compressBound((uLong)size);
	z = malloc(zlen);
	if (!z || compress2(z, &zlen, data, (uLong)size, 1) != Z_OK) {
		free(z);
		return NULL;
	}
	env = fuzz_wrap(z, zlen, format, len);
	free(z);
	return env;
}

#endif
