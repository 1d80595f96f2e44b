/*
 * seal.h - encryption at rest of field values.
 *
 * Owns the data keys of an unlocked node and seals record bodies and
 * change-log values with XChaCha20-Poly1305 (libsodium's IETF AEAD).  The
 * caller passes associated data binding the ciphertext to its place (record
 * id, collection, the version set of the values), so a body moved to another
 * record, another field set or another version fails to open.
 *
 * A sealed box is: u8 format (1) | u32le key generation | 24-byte nonce |
 * ciphertext | 16-byte tag.  The generation names the data key, which lets
 * `key rotate` re-encrypt in small transactions and survive a crash half
 * way: until rotation ends both keys are loaded and each box says which one
 * it needs.  Nonces are a random 16-byte prefix drawn when the sealer is
 * created followed by a 64-bit counter: unique without a system call per
 * box, and with 192-bit nonces a prefix collision is out of reach (a
 * sealer must not be used on both sides of a fork(): make a new one).  The
 * format and generation bytes are authenticated along with the caller's
 * associated data.
 *
 * An owned box is sealed under a key the caller holds (the store's
 * per-person keys, node/store_pkey.h), not under a data key: u8 format (2)
 * | 16-byte key id | 24-byte nonce | ciphertext | 16-byte tag.  The key id
 * says which key opens it and is authenticated like the generation; the
 * nonce comes from the same sealer, so it is unique across all keys.
 *
 * Keys live in sodium_malloc() memory (guarded, locked, wiped on free).
 * This module does no I/O and never logs.
 */
#ifndef PRESIDIO_SEAL_H
#define PRESIDIO_SEAL_H

#include <sodium.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

#define SEAL_KEYBYTES crypto_aead_xchacha20poly1305_ietf_KEYBYTES
#define SEAL_HEADER (1 + 4 + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES)
#define SEAL_OVERHEAD (SEAL_HEADER + crypto_aead_xchacha20poly1305_ietf_ABYTES)
#define SEAL_MAX_KEYS 4 /* generations loaded at once (rotation needs 2) */
#define SEAL_KIDBYTES 16 /* key id of an owned box */
#define SEAL_FORMAT_OWNED 2 /* an owned box's first byte */
#define SEAL_OWNED_OVERHEAD                                                    \
	(1 + SEAL_KIDBYTES + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES +    \
	 crypto_aead_xchacha20poly1305_ietf_ABYTES)

struct sealer;

/* A sealer with no keys.  0, or ERR_NOMEM.  Free with sealer_free(). */
int sealer_new(struct sealer **out) ERR_MUST_USE;

/* Wipe and free every key.  Accepts NULL. */
void sealer_free(struct sealer *s);

/*
 * Load the data key of generation gen (gen >= 1), copying the
 * SEAL_KEYBYTES bytes of key (the caller wipes its copy).  The highest
 * loaded generation is the one new boxes are sealed with.  0, ERR_INVALID
 * when gen is 0, ERR_EXISTS when gen is already loaded, ERR_FAIL when
 * SEAL_MAX_KEYS are loaded, ERR_NOMEM.
 */
int sealer_add_key(struct sealer *s, uint32_t gen,
		   const unsigned char *key) ERR_MUST_USE;

/* Wipe and unload generation gen (no-op when not loaded). */
void sealer_drop_key(struct sealer *s, uint32_t gen);

/* Generation new boxes are sealed with; 0 when no key is loaded. */
uint32_t sealer_current(const struct sealer *s);

/* Size of the box for a plaintext of len bytes. */
size_t seal_len(size_t len);

/*
 * Seal len bytes of plain with associated data ad into out, which must have
 * room for seal_len(len) bytes (and not overlap plain).  0, ERR_FAIL when
 * no key is loaded, ERR_INVALID when len is beyond the AEAD's limit,
 * ERR_NOMEM (only when adlen exceeds a few hundred bytes).
 *
 * seal_box() and seal_open() may run concurrently on one sealer (nonces
 * stay unique); loading and dropping keys may not run alongside them.
 */
int seal_box(struct sealer *s, const uint8_t *plain, size_t len,
	     const uint8_t *ad, size_t adlen, uint8_t *out) ERR_MUST_USE;

/*
 * Open a box of boxlen bytes into out (room for boxlen - SEAL_OVERHEAD
 * bytes), setting *outlen.  ERR_CORRUPT when the box is malformed, names an
 * unloaded generation, or fails authentication (tampered bytes, wrong
 * associated data); the message says which, never the content.  ERR_NOMEM
 * only for an adlen beyond a few hundred bytes.
 */
int seal_open(struct sealer *s, const uint8_t *box, size_t boxlen,
	      const uint8_t *ad, size_t adlen, uint8_t *out, size_t *outlen,
	      struct err *e) ERR_MUST_USE;

/* Generation named by a box, 0 when it is too short or of another format
 * (an owned box names none). */
uint32_t seal_box_gen(const uint8_t *box, size_t boxlen);

/* Size of the owned box for a plaintext of len bytes. */
size_t seal_owned_len(size_t len);

/*
 * Seal len bytes of plain under key (SEAL_KEYBYTES) into out, an owned box
 * of seal_owned_len(len) bytes naming kid (SEAL_KIDBYTES bytes), with
 * associated data ad.  The nonce is s's: s needs no key loaded.  0,
 * ERR_INVALID beyond the AEAD's limit, ERR_FAIL, ERR_NOMEM as seal_box().
 */
int seal_box_owned(struct sealer *s, const unsigned char *key,
		   const uint8_t *kid, const uint8_t *plain, size_t len,
		   const uint8_t *ad, size_t adlen, uint8_t *out) ERR_MUST_USE;

/* Open an owned box with key, as seal_open() (out has room for boxlen -
 * SEAL_OWNED_OVERHEAD bytes). */
int seal_open_owned(const unsigned char *key, const uint8_t *box,
		    size_t boxlen, const uint8_t *ad, size_t adlen,
		    uint8_t *out, size_t *outlen, struct err *e) ERR_MUST_USE;

/* 1 when box is an owned box, copying its key id into kid (unless NULL);
 * 0 otherwise. */
int seal_box_kid(const uint8_t *box, size_t boxlen, uint8_t *kid);

#endif
