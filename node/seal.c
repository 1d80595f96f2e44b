/*
 * seal.c - see seal.h.
 *
 * The sealer is a handful of (generation, key) pairs, the index of the
 * current one, and the nonce state: a 16-byte random prefix drawn once in
 * sealer_new() and a 64-bit counter bumped per box.  The counter is atomic
 * so that two threads sealing with one sealer can never share a nonce; key
 * loading and unloading are not synchronized.
 *
 * The associated data handed to the AEAD is the box's 5-byte format and
 * generation header (an owned box: its 17-byte format and key id) followed
 * by the caller's ad, so neither a rewritten generation or key id nor a
 * rewritten format byte goes unnoticed.  The nonce needs
 * no such care: a changed nonce is a different encryption and fails the
 * tag.  The concatenation is built on the stack for ad up to SEAL_AD_STACK
 * bytes, which covers every caller of the store; longer ad costs a malloc.
 */
#include "node/seal.h"

#include "common/le.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define SEAL_FORMAT 1
#define SEAL_GENHDR 5         /* format byte + u32le generation */
#define SEAL_KIDHDR (1 + SEAL_KIDBYTES) /* format byte + key id */
#define SEAL_OWNED_HEADER (SEAL_KIDHDR + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES)
#define SEAL_PREFIXBYTES 16   /* random part of the nonce */
#define SEAL_AD_STACK 512     /* caller ad built on the stack up to this */
#define SEAL_COUNTER_MAX (UINT64_C(1) << 63) /* far from wrapping */

struct seal_key {
	uint32_t gen;       /* generation, 0 when the slot is empty */
	unsigned char *key; /* SEAL_KEYBYTES, sodium_malloc'd, or NULL */
};

struct sealer {
	struct seal_key keys[SEAL_MAX_KEYS]; /* loaded generations */
	int cur;                             /* index of highest gen, or -1 */
	uint8_t prefix[SEAL_PREFIXBYTES];    /* nonce prefix, random */
	_Atomic uint64_t counter;            /* nonce suffix, next to use */
};

/* Index of generation gen in s, or -1. */
static int find_gen(const struct sealer *s, uint32_t gen)
{
	if (gen == 0)
		return -1;
	for (int i = 0; i < SEAL_MAX_KEYS; i++)
		if (s->keys[i].gen == gen)
			return i;
	return -1;
}

static void update_current(struct sealer *s)
{
	s->cur = -1;
	for (int i = 0; i < SEAL_MAX_KEYS; i++) {
		if (!s->keys[i].gen)
			continue;
		if (s->cur < 0 || s->keys[i].gen > s->keys[s->cur].gen)
			s->cur = i;
	}
}

int sealer_new(struct sealer **out)
{
	struct sealer *s;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return ERR_NOMEM;
	s->cur = -1;
	randombytes_buf(s->prefix, sizeof(s->prefix));
	atomic_init(&s->counter, 0);
	*out = s;
	return 0;
}

void sealer_free(struct sealer *s)
{
	if (!s)
		return;
	for (int i = 0; i < SEAL_MAX_KEYS; i++)
		sodium_free(s->keys[i].key);
	sodium_memzero(s, sizeof(*s));
	free(s);
}

int sealer_add_key(struct sealer *s, uint32_t gen, const unsigned char *key)
{
	int slot = -1;

	if (gen == 0)
		return ERR_INVALID;
	if (find_gen(s, gen) >= 0)
		return ERR_EXISTS;
	for (int i = 0; i < SEAL_MAX_KEYS && slot < 0; i++)
		if (!s->keys[i].gen)
			slot = i;
	if (slot < 0)
		return ERR_FAIL;
	s->keys[slot].key = sodium_malloc(SEAL_KEYBYTES);
	if (!s->keys[slot].key)
		return ERR_NOMEM;
	memcpy(s->keys[slot].key, key, SEAL_KEYBYTES);
	s->keys[slot].gen = gen;
	update_current(s);
	return 0;
}

void sealer_drop_key(struct sealer *s, uint32_t gen)
{
	int i = find_gen(s, gen);

	if (i < 0)
		return;
	sodium_free(s->keys[i].key);
	s->keys[i].key = NULL;
	s->keys[i].gen = 0;
	update_current(s);
}

uint32_t sealer_current(const struct sealer *s)
{
	return s->cur < 0 ? 0 : s->keys[s->cur].gen;
}

size_t seal_len(size_t len)
{
	return len + SEAL_OVERHEAD;
}

/*
 * Point *full at header || ad (hdr is hdrlen bytes, at most SEAL_KIDHDR),
 * using stack (at least SEAL_KIDHDR + SEAL_AD_STACK bytes) when it fits
 * and a malloc'd buffer, returned in *heap, otherwise.  0 or ERR_NOMEM.
 */
static int full_ad(const uint8_t *hdr, size_t hdrlen, const uint8_t *ad,
		   size_t adlen, uint8_t *stack, uint8_t **heap,
		   uint8_t **full)
{
	uint8_t *buf = stack;

	*heap = NULL;
	if (adlen > SEAL_AD_STACK) {
		if (adlen > SIZE_MAX - hdrlen)
			return ERR_NOMEM;
		buf = malloc(hdrlen + adlen);
		if (!buf)
			return ERR_NOMEM;
		*heap = buf;
	}
	memcpy(buf, hdr, hdrlen);
	if (adlen)
		memcpy(buf + hdrlen, ad, adlen);
	*full = buf;
	return 0;
}

/* The next nonce of s into nonce: 0, or ERR_FAIL once exhausted (never:
 * no nonce is reused). */
static int next_nonce(struct sealer *s, uint8_t *nonce)
{
	uint64_t n = atomic_fetch_add_explicit(&s->counter, 1,
					       memory_order_relaxed);

	if (n >= SEAL_COUNTER_MAX)
		return ERR_FAIL;
	memcpy(nonce, s->prefix, SEAL_PREFIXBYTES);
	le_put64(nonce + SEAL_PREFIXBYTES, n);
	return 0;
}

int seal_box(struct sealer *s, const uint8_t *plain, size_t len,
	     const uint8_t *ad, size_t adlen, uint8_t *out)
{
	uint8_t stack[SEAL_KIDHDR + SEAL_AD_STACK];
	uint8_t *heap = NULL, *fullad = NULL;
	uint8_t *nonce = out + SEAL_GENHDR;
	unsigned long long clen = 0;
	int rc;

	if (s->cur < 0)
		return ERR_FAIL;
	if (len > crypto_aead_xchacha20poly1305_ietf_MESSAGEBYTES_MAX ||
	    len > SIZE_MAX - SEAL_OVERHEAD)
		return ERR_INVALID;
	if (next_nonce(s, nonce))
		return ERR_FAIL;
	out[0] = SEAL_FORMAT;
	le_put32(out + 1, s->keys[s->cur].gen);
	rc = full_ad(out, SEAL_GENHDR, ad, adlen, stack, &heap, &fullad);
	if (rc)
		goto out;
	if (crypto_aead_xchacha20poly1305_ietf_encrypt(
		    out + SEAL_HEADER, &clen, plain, len, fullad,
		    SEAL_GENHDR + adlen, NULL, nonce, s->keys[s->cur].key)) {
		rc = ERR_FAIL;
		goto out;
	}
out:
	free(heap);
	return rc;
}

int seal_open(struct sealer *s, const uint8_t *box, size_t boxlen,
	      const uint8_t *ad, size_t adlen, uint8_t *out, size_t *outlen,
	      struct err *e)
{
	uint8_t stack[SEAL_KIDHDR + SEAL_AD_STACK];
	uint8_t *heap = NULL, *fullad = NULL;
	unsigned long long mlen = 0;
	uint32_t gen;
	int i, rc;

	*outlen = 0;
	if (boxlen < SEAL_OVERHEAD)
		return err_set(e, ERR_CORRUPT, "sealed value is truncated");
	if (box[0] == SEAL_FORMAT_OWNED)
		return err_set(e, ERR_CORRUPT,
			       "sealed value is under a key of its own");
	if (box[0] != SEAL_FORMAT)
		return err_set(e, ERR_CORRUPT,
			       "sealed value has unknown format %u",
			       (unsigned)box[0]);
	gen = le_get32(box + 1);
	i = find_gen(s, gen);
	if (i < 0)
		return err_set(e, ERR_CORRUPT,
			       "sealed value uses unknown key generation %lu",
			       (unsigned long)gen);
	rc = full_ad(box, SEAL_GENHDR, ad, adlen, stack, &heap, &fullad);
	if (rc) {
		err_set(e, rc, "out of memory opening a sealed value");
		goto out;
	}
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(
		    out, &mlen, NULL, box + SEAL_HEADER, boxlen - SEAL_HEADER,
		    fullad, SEAL_GENHDR + adlen, box + SEAL_GENHDR,
		    s->keys[i].key)) {
		rc = err_set(e, ERR_CORRUPT,
			     "sealed value failed authentication "
			     "(tampered or moved)");
		goto out;
	}
	*outlen = (size_t)mlen;
out:
	free(heap);
	return rc;
}

uint32_t seal_box_gen(const uint8_t *box, size_t boxlen)
{
	if (boxlen < SEAL_OVERHEAD || box[0] != SEAL_FORMAT)
		return 0;
	return le_get32(box + 1);
}

size_t seal_owned_len(size_t len)
{
	return len + SEAL_OWNED_OVERHEAD;
}

int seal_box_owned(struct sealer *s, const unsigned char *key,
		   const uint8_t *kid, const uint8_t *plain, size_t len,
		   const uint8_t *ad, size_t adlen, uint8_t *out)
{
	uint8_t stack[SEAL_KIDHDR + SEAL_AD_STACK];
	uint8_t *heap = NULL, *fullad = NULL;
	uint8_t *nonce = out + SEAL_KIDHDR;
	unsigned long long clen = 0;
	int rc;

	if (len > crypto_aead_xchacha20poly1305_ietf_MESSAGEBYTES_MAX ||
	    len > SIZE_MAX - SEAL_OWNED_OVERHEAD)
		return ERR_INVALID;
	if (next_nonce(s, nonce))
		return ERR_FAIL;
	out[0] = SEAL_FORMAT_OWNED;
	memcpy(out + 1, kid, SEAL_KIDBYTES);
	rc = full_ad(out, SEAL_KIDHDR, ad, adlen, stack, &heap, &fullad);
	if (!rc && crypto_aead_xchacha20poly1305_ietf_encrypt(
			   out + SEAL_OWNED_HEADER, &clen, plain, len, fullad,
			   SEAL_KIDHDR + adlen, NULL, nonce, key))
		rc = ERR_FAIL;
	free(heap);
	return rc;
}

int seal_open_owned(const unsigned char *key, const uint8_t *box,
		    size_t boxlen, const uint8_t *ad, size_t adlen,
		    uint8_t *out, size_t *outlen, struct err *e)
{
	uint8_t stack[SEAL_KIDHDR + SEAL_AD_STACK];
	uint8_t *heap = NULL, *fullad = NULL;
	unsigned long long mlen = 0;
	int rc;

	*outlen = 0;
	if (boxlen < SEAL_OWNED_OVERHEAD || box[0] != SEAL_FORMAT_OWNED)
		return err_set(e, ERR_CORRUPT,
			       "sealed value is truncated or not owned");
	rc = full_ad(box, SEAL_KIDHDR, ad, adlen, stack, &heap, &fullad);
	if (rc)
		return err_set(e, rc, "out of memory opening a sealed value");
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(
		    out, &mlen, NULL, box + SEAL_OWNED_HEADER,
		    boxlen - SEAL_OWNED_HEADER, fullad, SEAL_KIDHDR + adlen,
		    box + SEAL_KIDHDR, key))
		rc = err_set(e, ERR_CORRUPT,
			     "sealed value failed authentication "
			     "(tampered or moved)");
	else
		*outlen = (size_t)mlen;
	free(heap);
	return rc;
}

int seal_box_kid(const uint8_t *box, size_t boxlen, uint8_t *kid)
{
	if (boxlen < SEAL_OWNED_OVERHEAD || box[0] != SEAL_FORMAT_OWNED)
		return 0;
	if (kid)
		memcpy(kid, box + 1, SEAL_KIDBYTES);
	return 1;
}
