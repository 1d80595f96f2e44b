/*
 * keyslot.h - key slots: how operators unlock a node's data keys.
 *
 * As in LUKS, the data is never encrypted with a passphrase.  Each slot
 * belongs to one operator (or to a server's key file) and holds an X25519
 * key pair; the secret key is wrapped with XChaCha20-Poly1305 under a key
 * derived from the passphrase by Argon2id (crypto_pwhash), or from the
 * 32 random bytes of a key file.  Each data-key generation is sealed to the
 * public key of every slot (crypto_box_seal).  So:
 *   - adding an operator needs one unlocked node (to read the data key) and
 *     the new passphrase, and re-encrypts nothing;
 *   - changing a passphrase makes a new key pair and seals the data keys
 *     to it (an old copy of the slot then opens nothing new);
 *   - removing an operator deletes the slot and its sealed data keys;
 *   - rotating the data key seals the new key to every slot's public key
 *     without anyone's passphrase, and a removed operator who kept an old
 *     copy of the database cannot open the new generation.
 * A wrong passphrase fails the authentication of the wrapped secret key
 * (ERR_AUTH) and changes nothing.
 *
 * This module is pure cryptography over struct keyslot values; the store
 * (node/store_keys.c) persists them.  Secrets passed in are read, never
 * kept; secrets handed out are in sodium_malloc() memory the caller frees
 * with sodium_free() (which wipes).
 */
#ifndef PRESIDIO_KEYSLOT_H
#define PRESIDIO_KEYSLOT_H

#include <sodium.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

#define KEYSLOT_OPERATOR_MAX 64 /* operator name: [A-Za-z0-9._@-], 1..63 */
#define KEYSLOT_ROLE_MAX 24     /* role name (schema/access.h), 0..23 */
#define KEYSLOT_SALTBYTES crypto_pwhash_SALTBYTES
#define KEYSLOT_PKBYTES crypto_box_PUBLICKEYBYTES
#define KEYSLOT_SKBYTES crypto_box_SECRETKEYBYTES
#define KEYSLOT_WRAPPEDBYTES                                                   \
	(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + KEYSLOT_SKBYTES +      \
	 crypto_aead_xchacha20poly1305_ietf_ABYTES)
#define KEYSLOT_DEKBYTES 32 /* data key (SEAL_KEYBYTES) */
#define KEYSLOT_SEALEDBYTES (crypto_box_SEALBYTES + 4 + KEYSLOT_DEKBYTES)
#define KEYSLOT_KEYFILEBYTES 32
#define KEYSLOT_PASS_MIN 8 /* shortest passphrase accepted */

/*
 * Argon2id cost.  32 MiB and 3 passes: about a third of a second here,
 * within OWASP's guidance, and small enough for a node's 50 MB memory
 * budget.  Each slot records its own cost so it can be raised later.
 *
 * KEYSLOT_TEST_COST (defined only when the end-to-end scripts' binary,
 * tests/presidio-e2e, compiles this module) makes new slots at Argon2id's
 * minimum instead: those scripts unlock thousands of times, and at the
 * real cost half their time went to key derivation.  Such a binary says
 * so in `presidio --version` (keyslot_cost_lowered()); the real cost is
 * checked by tests/node/test_keyslot.c and by the scripts that run the
 * real binary.
 */
#ifdef KEYSLOT_TEST_COST
#define KEYSLOT_OPSLIMIT 1
#define KEYSLOT_MEMLIMIT 8192u
#else
#define KEYSLOT_OPSLIMIT 3
#define KEYSLOT_MEMLIMIT (32u << 20)
#endif

/* 1 in a build whose new slots have the lowered test cost, else 0. */
int keyslot_cost_lowered(void);

enum keyslot_kind {
	KEYSLOT_PASSPHRASE = 1, /* secret = operator's passphrase */
	KEYSLOT_KEYFILE = 2     /* secret = 32 bytes read from a key file */
};

struct keyslot {
	char operator[KEYSLOT_OPERATOR_MAX];   /* owner, NUL-terminated */
	enum keyslot_kind kind;                /* passphrase or key file */
	uint8_t salt[KEYSLOT_SALTBYTES];       /* Argon2id / BLAKE2b salt */
	uint64_t opslimit;                     /* Argon2id passes (0: file) */
	uint64_t memlimit;                     /* Argon2id bytes (0: file) */
	uint8_t pk[KEYSLOT_PKBYTES];           /* public key, in clear */
	uint8_t wrapped[KEYSLOT_WRAPPEDBYTES]; /* nonce | sealed secret key */
	/* The operator's role, NUL-terminated; "" in a slot made before
	 * roles.  Opaque here; authenticated with the slot (keyslot_mac). */
	char role[KEYSLOT_ROLE_MAX];
};

/* 0 when name is a valid operator name, else ERR_INVALID with a message. */
int keyslot_check_operator(const char *name, struct err *e) ERR_MUST_USE;

/*
 * Make a new slot for operator with a fresh key pair, wrapped under secret
 * (a passphrase of at least KEYSLOT_PASS_MIN bytes, or KEYSLOT_KEYFILEBYTES
 * bytes of key file).  When sk_out is not NULL it receives the secret key
 * (sodium_malloc'd, caller sodium_free()s).  0, ERR_INVALID (operator name,
 * short passphrase, key file not KEYSLOT_KEYFILEBYTES), ERR_NOMEM; *slot is
 * written only on success.
 */
int keyslot_create(struct keyslot *slot, const char *operator,
		   enum keyslot_kind kind, const uint8_t *secret,
		   size_t secret_len, uint8_t **sk_out,
		   struct err *e) ERR_MUST_USE;

/*
 * Unwrap the slot's secret key with secret.  On success *sk_out is a
 * sodium_malloc'd KEYSLOT_SKBYTES buffer the caller sodium_free()s.
 * ERR_AUTH on a wrong passphrase or key file, ERR_INVALID when a key file
 * is not KEYSLOT_KEYFILEBYTES long, ERR_CORRUPT when the slot is malformed
 * (kind, name, cost) or its public key does not match the secret key,
 * ERR_NOMEM.
 */
int keyslot_open(const struct keyslot *slot, const uint8_t *secret,
		 size_t secret_len, uint8_t **sk_out,
		 struct err *e) ERR_MUST_USE;

/* Seal data key dek of generation gen to the slot's public key into out
 * (KEYSLOT_SEALEDBYTES).  0 or ERR_FAIL. */
int keyslot_seal_dek(const struct keyslot *slot, uint32_t gen,
		     const uint8_t *dek, uint8_t *out) ERR_MUST_USE;

/*
 * Open a sealed data key with the slot's key pair.  Checks that it is of
 * generation gen.  *dek_out is sodium_malloc'd KEYSLOT_DEKBYTES, caller
 * sodium_free()s.  ERR_CORRUPT when it does not open or is of another
 * generation, ERR_NOMEM.
 */
int keyslot_open_dek(const struct keyslot *slot, const uint8_t *sk,
		     uint32_t gen, const uint8_t *sealed, uint8_t **dek_out,
		     struct err *e) ERR_MUST_USE;

#define KEYSLOT_MACBYTES 32

/*
 * MAC of the slot's public parts (operator, kind, public key, and the role
 * when it has one) under a data key.  Rotation hands the new data key only
 * to slots whose MAC checks under the current one, so a slot planted by
 * someone who can write the database but not unlock it gets nothing; the
 * store refuses to unlock with a slot that fails, so a role changed
 * outside presidio opens nothing.  keyslot_mac_check() returns 0
 * or ERR_CORRUPT (also for a missing MAC: maclen other than
 * KEYSLOT_MACBYTES).
 */
void keyslot_mac(const struct keyslot *slot, const uint8_t *dek,
		 uint8_t mac[KEYSLOT_MACBYTES]);
int keyslot_mac_check(const struct keyslot *slot, const uint8_t *dek,
		      const uint8_t *mac, size_t maclen,
		      struct err *e) ERR_MUST_USE;

/* A fresh random data key, sodium_malloc'd, or NULL when out of memory. */
uint8_t *keyslot_new_dek(void);

#endif
