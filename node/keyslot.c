/*
 * keyslot.c - see keyslot.h.
 *
 * A slot's secret key is wrapped with XChaCha20-Poly1305 under a 32-byte
 * wrap key: Argon2id of the passphrase for passphrase slots, a keyed BLAKE2b
 * of the key file (already 32 random bytes, so no stretching) for key-file
 * slots, both salted with the slot's salt.  The associated data of the wrap
 * is "presidio.keyslot.v1" || kind byte || operator name, so a slot copied
 * under another name or kind does not open.  Opening also checks that the
 * unwrapped secret key matches the public key kept in clear beside it, so a
 * replaced public key is noticed at the owner's next unlock.
 *
 * Every derived key and plaintext secret lives in sodium_malloc() memory or
 * is wiped with sodium_memzero() before the function returns, on every
 * path.  Slots are built in a local copy and written to the caller's only
 * on success, so a failure leaves the slot as it was.
 */
#include "node/keyslot.h"

#include <ctype.h>
#include <string.h>

#define KEYSLOT_AD_PREFIX    "presidio.keyslot.v1"
#define KEYSLOT_AD_PREFIXLEN (sizeof(KEYSLOT_AD_PREFIX) - 1)
#define KEYSLOT_ADMAX	     (KEYSLOT_AD_PREFIXLEN + 1 + KEYSLOT_OPERATOR_MAX)
#define KEYSLOT_WRAPKEYBYTES crypto_aead_xchacha20poly1305_ietf_KEYBYTES
#define KEYSLOT_NONCEBYTES   crypto_aead_xchacha20poly1305_ietf_NPUBBYTES

static int operator_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '@' ||
	       c == '-';
}

int keyslot_cost_lowered(void)
{
	return KEYSLOT_OPSLIMIT < 3;
}

int keyslot_check_operator(const char *name, struct err *e)
{
	size_t len;

	if (!name || !name[0])
		return err_set(e, ERR_INVALID, "operator name is empty");
	len = strnlen(name, KEYSLOT_OPERATOR_MAX);
	if (len >= KEYSLOT_OPERATOR_MAX)
		return err_set(e, ERR_INVALID,
			       "operator name is longer than %d characters",
			       KEYSLOT_OPERATOR_MAX - 1);
	/* A leading letter or digit keeps names from reading as options
	 * ("-x") or paths ("..") wherever they are shown or passed on. */
	if (!isalnum((unsigned char)name[0]))
		return err_set(e, ERR_INVALID,
			       "operator name must start with a letter or "
			       "digit");
	for (size_t i = 0; i < len; i++)
		if (!operator_char_ok(name[i]))
			return err_set(e, ERR_INVALID,
				       "operator name may hold only letters, "
				       "digits and . _ @ -");
	return 0;
}

/* The slot's kind and operator are well formed (a slot read from disk). */
static int slot_check(const struct keyslot *slot, struct err *e)
{
	if (slot->kind != KEYSLOT_PASSPHRASE && slot->kind != KEYSLOT_KEYFILE)
		return err_set(e, ERR_CORRUPT, "key slot has unknown kind %d",
			       (int)slot->kind);
	if (keyslot_check_operator(slot->operator, NULL))
		return err_set(e, ERR_CORRUPT,
			       "key slot has an invalid operator name");
	return 0;
}

/* A new secret for a slot of kind: long enough, or a key file's size. */
static int secret_check(enum keyslot_kind kind, const uint8_t *secret,
			size_t len, struct err *e)
{
	if (kind == KEYSLOT_KEYFILE) {
		if (!secret || len != KEYSLOT_KEYFILEBYTES)
			return err_set(e, ERR_INVALID,
				       "key file must be exactly %d bytes",
				       KEYSLOT_KEYFILEBYTES);
		return 0;
	}
	if (!secret || len < KEYSLOT_PASS_MIN)
		return err_set(e, ERR_INVALID,
			       "passphrase too short (at least %d characters)",
			       KEYSLOT_PASS_MIN);
	if (len > crypto_pwhash_PASSWD_MAX)
		return err_set(e, ERR_INVALID, "passphrase too long");
	return 0;
}

/* Associated data of the wrap into ad (KEYSLOT_ADMAX bytes); its length. */
static size_t wrap_ad(const struct keyslot *slot, uint8_t *ad)
{
	size_t n = strnlen(slot->operator, KEYSLOT_OPERATOR_MAX);

	memcpy(ad, KEYSLOT_AD_PREFIX, KEYSLOT_AD_PREFIXLEN);
	ad[KEYSLOT_AD_PREFIXLEN] = (uint8_t)slot->kind;
	memcpy(ad + KEYSLOT_AD_PREFIXLEN + 1, slot->operator, n);
	return KEYSLOT_AD_PREFIXLEN + 1 + n;
}

/*
 * Derive the wrap key of slot (kind, salt, cost) from secret into a new
 * sodium_malloc'd buffer *key.  0, ERR_CORRUPT (cost out of range),
 * ERR_NOMEM.
 */
static int derive(const struct keyslot *slot, const uint8_t *secret, size_t len,
		  uint8_t **key, struct err *e)
{
	static const char empty[1] = "";
	uint8_t *k = NULL;
	int rc = 0;

	*key = NULL;
	k = sodium_malloc(KEYSLOT_WRAPKEYBYTES);
	if (!k)
		return err_set(e, ERR_NOMEM, "out of memory deriving a key");
	if (slot->kind == KEYSLOT_KEYFILE) {
		if (crypto_generichash(k, KEYSLOT_WRAPKEYBYTES, secret, len,
				       slot->salt, sizeof(slot->salt)))
			rc = err_set(e, ERR_FAIL, "key derivation failed");
		goto out;
	}
	if (slot->opslimit < crypto_pwhash_OPSLIMIT_MIN ||
	    slot->opslimit > crypto_pwhash_OPSLIMIT_MAX ||
	    slot->memlimit < crypto_pwhash_MEMLIMIT_MIN ||
	    slot->memlimit > crypto_pwhash_MEMLIMIT_MAX) {
		rc = err_set(e, ERR_CORRUPT,
			     "key slot of operator %s has an invalid "
			     "Argon2id cost",
			     slot->operator);
		goto out;
	}
	if (crypto_pwhash(
		k, KEYSLOT_WRAPKEYBYTES, secret ? (const char *)secret : empty,
		len, slot->salt, (unsigned long long)slot->opslimit,
		(size_t)slot->memlimit, crypto_pwhash_ALG_ARGON2ID13)) {
		rc = err_set(e, ERR_NOMEM,
			     "out of memory deriving the key of operator %s",
			     slot->operator);
		goto out;
	}
out:
	if (rc)
		sodium_free(k);
	else
		*key = k;
	return rc;
}

/*
 * Draw a new salt for slot (kind and operator set), derive the wrap key
 * from secret and wrap sk into slot->wrapped.  0 or ERR_*.
 */
static int wrap(struct keyslot *slot, const uint8_t *sk, const uint8_t *secret,
		size_t len, struct err *e)
{
	uint8_t ad[KEYSLOT_ADMAX];
	uint8_t *key = NULL;
	size_t adlen;
	int rc;

	randombytes_buf(slot->salt, sizeof(slot->salt));
	if (slot->kind == KEYSLOT_PASSPHRASE) {
		slot->opslimit = KEYSLOT_OPSLIMIT;
		slot->memlimit = KEYSLOT_MEMLIMIT;
	} else {
		slot->opslimit = 0; /* no Argon2 for key files */
		slot->memlimit = 0;
	}
	rc = derive(slot, secret, len, &key, e);
	if (rc)
		goto out;
	adlen = wrap_ad(slot, ad);
	randombytes_buf(slot->wrapped, KEYSLOT_NONCEBYTES);
	if (crypto_aead_xchacha20poly1305_ietf_encrypt(
		slot->wrapped + KEYSLOT_NONCEBYTES, NULL, sk, KEYSLOT_SKBYTES,
		ad, adlen, NULL, slot->wrapped, key)) {
		rc = err_set(e, ERR_FAIL, "wrapping the secret key failed");
		goto out;
	}
out:
	sodium_free(key);
	return rc;
}

/* 1 when sk is the secret key of public key pk. */
static int sk_matches(const uint8_t *sk, const uint8_t *pk)
{
	uint8_t derived[KEYSLOT_PKBYTES];
	int ok;

	ok = crypto_scalarmult_base(derived, sk) == 0 &&
	     sodium_memcmp(derived, pk, KEYSLOT_PKBYTES) == 0;
	sodium_memzero(derived, sizeof(derived));
	return ok;
}

int keyslot_create(struct keyslot *slot, const char *operator,
		   enum keyslot_kind kind, const uint8_t *secret,
		   size_t secret_len, uint8_t **sk_out, struct err *e)
{
	struct keyslot tmp;
	uint8_t *sk = NULL;
	int rc;

	if (sk_out)
		*sk_out = NULL;
	memset(&tmp, 0, sizeof(tmp));
	rc = keyslot_check_operator(operator, e);
	if (rc)
		goto out;
	if (kind != KEYSLOT_PASSPHRASE && kind != KEYSLOT_KEYFILE) {
		rc = err_set(e, ERR_INVALID, "unknown key slot kind %d",
			     (int)kind);
		goto out;
	}
	rc = secret_check(kind, secret, secret_len, e);
	if (rc)
		goto out;
	memcpy(tmp.operator, operator, strlen(operator) + 1);
	tmp.kind = kind;
	sk = sodium_malloc(KEYSLOT_SKBYTES);
	if (!sk) {
		rc = err_set(e, ERR_NOMEM, "out of memory making a key pair");
		goto out;
	}
	if (crypto_box_keypair(tmp.pk, sk)) {
		rc = err_set(e, ERR_FAIL, "making a key pair failed");
		goto out;
	}
	rc = wrap(&tmp, sk, secret, secret_len, e);
	if (rc)
		goto out;
	*slot = tmp;
	if (sk_out) {
		*sk_out = sk;
		sk = NULL;
	}
out:
	sodium_free(sk);
	return rc;
}

int keyslot_open(const struct keyslot *slot, const uint8_t *secret,
		 size_t secret_len, uint8_t **sk_out, struct err *e)
{
	uint8_t ad[KEYSLOT_ADMAX];
	uint8_t *key = NULL, *sk = NULL;
	size_t adlen;
	int rc;

	*sk_out = NULL;
	rc = slot_check(slot, e);
	if (rc)
		goto out;
	if (!secret && secret_len) {
		rc = err_set(e, ERR_INVALID, "no secret given");
		goto out;
	}
	if (slot->kind == KEYSLOT_KEYFILE &&
	    (!secret || secret_len != KEYSLOT_KEYFILEBYTES)) {
		rc =
		    err_set(e, ERR_INVALID, "key file must be exactly %d bytes",
			    KEYSLOT_KEYFILEBYTES);
		goto out;
	}
	rc = derive(slot, secret, secret_len, &key, e);
	if (rc)
		goto out;
	sk = sodium_malloc(KEYSLOT_SKBYTES);
	if (!sk) {
		rc = err_set(e, ERR_NOMEM, "out of memory opening a key slot");
		goto out;
	}
	adlen = wrap_ad(slot, ad);
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(
		sk, NULL, NULL, slot->wrapped + KEYSLOT_NONCEBYTES,
		KEYSLOT_WRAPPEDBYTES - KEYSLOT_NONCEBYTES, ad, adlen,
		slot->wrapped, key)) {
		rc = err_set(e, ERR_AUTH, "wrong %s for operator %s",
			     slot->kind == KEYSLOT_KEYFILE ? "key file"
							   : "passphrase",
			     slot->operator);
		goto out;
	}
	if (!sk_matches(sk, slot->pk)) {
		rc = err_set(e, ERR_CORRUPT,
			     "public key of operator %s does not match "
			     "its secret key",
			     slot->operator);
		goto out;
	}
	*sk_out = sk;
	sk = NULL;
out:
	sodium_free(sk);
	sodium_free(key);
	return rc;
}

int keyslot_seal_dek(const struct keyslot *slot, uint32_t gen,
		     const uint8_t *dek, uint8_t *out)
{
	uint8_t plain[4 + KEYSLOT_DEKBYTES];
	int rc = 0;

	plain[0] = (uint8_t)gen;
	plain[1] = (uint8_t)(gen >> 8);
	plain[2] = (uint8_t)(gen >> 16);
	plain[3] = (uint8_t)(gen >> 24);
	memcpy(plain + 4, dek, KEYSLOT_DEKBYTES);
	if (crypto_box_seal(out, plain, sizeof(plain), slot->pk))
		rc = ERR_FAIL;
	sodium_memzero(plain, sizeof(plain));
	return rc;
}

int keyslot_open_dek(const struct keyslot *slot, const uint8_t *sk,
		     uint32_t gen, const uint8_t *sealed, uint8_t **dek_out,
		     struct err *e)
{
	uint8_t *plain = NULL, *dek = NULL;
	uint32_t got;
	int rc = 0;

	*dek_out = NULL;
	plain = sodium_malloc(4 + KEYSLOT_DEKBYTES);
	dek = sodium_malloc(KEYSLOT_DEKBYTES);
	if (!plain || !dek) {
		rc = err_set(e, ERR_NOMEM, "out of memory opening a data key");
		goto out;
	}
	if (crypto_box_seal_open(plain, sealed, KEYSLOT_SEALEDBYTES, slot->pk,
				 sk)) {
		rc = err_set(e, ERR_CORRUPT,
			     "data key of generation %lu for operator %.*s "
			     "does not open",
			     (unsigned long)gen, KEYSLOT_OPERATOR_MAX - 1,
			     slot->operator);
		goto out;
	}
	got = (uint32_t)plain[0] | (uint32_t)plain[1] << 8 |
	      (uint32_t)plain[2] << 16 | (uint32_t)plain[3] << 24;
	if (got != gen) {
		rc = err_set(e, ERR_CORRUPT,
			     "data key for operator %.*s is of generation %lu, "
			     "expected %lu",
			     KEYSLOT_OPERATOR_MAX - 1,
			     slot->operator,(unsigned long) got,
			     (unsigned long)gen);
		goto out;
	}
	memcpy(dek, plain + 4, KEYSLOT_DEKBYTES);
	*dek_out = dek;
	dek = NULL;
out:
	sodium_free(plain);
	sodium_free(dek);
	return rc;
}

uint8_t *keyslot_new_dek(void)
{
	uint8_t *dek = sodium_malloc(KEYSLOT_DEKBYTES);

	if (dek)
		randombytes_buf(dek, KEYSLOT_DEKBYTES);
	return dek;
}

void keyslot_mac(const struct keyslot *slot, const uint8_t *dek,
		 uint8_t mac[KEYSLOT_MACBYTES])
{
	static const char domain[] = "presidio.keyslot.mac.v1";
	crypto_generichash_state st;
	uint8_t kind = (uint8_t)slot->kind;

	/* Domain, kind, the name with its NUL (so names cannot run into the
	 * key), then the public key. */
	crypto_generichash_init(&st, dek, KEYSLOT_DEKBYTES, KEYSLOT_MACBYTES);
	crypto_generichash_update(&st, (const uint8_t *)domain, sizeof(domain));
	crypto_generichash_update(&st, &kind, 1);
	crypto_generichash_update(
	    &st, (const uint8_t *)slot->operator,
	    strnlen(slot->operator, KEYSLOT_OPERATOR_MAX - 1) + 1);
	crypto_generichash_update(&st, slot->pk, KEYSLOT_PKBYTES);
	/* The role, with its NUL, only when the slot has one: a slot made
	 * before roles keeps the MAC it had, so the store can tell it and
	 * give it its role once (node/store_access.c). */
	if (slot->role[0])
		crypto_generichash_update(
		    &st, (const uint8_t *)slot->role,
		    strnlen(slot->role, KEYSLOT_ROLE_MAX - 1) + 1);
	crypto_generichash_final(&st, mac, KEYSLOT_MACBYTES);
	sodium_memzero(&st, sizeof(st));
}

int keyslot_mac_check(const struct keyslot *slot, const uint8_t *dek,
		      const uint8_t *mac, size_t maclen, struct err *e)
{
	uint8_t want[KEYSLOT_MACBYTES];
	int ok;

	if (!mac || maclen != KEYSLOT_MACBYTES)
		return err_set(e, ERR_CORRUPT,
			       "key slot of operator '%s' is not authenticated",
			       slot->operator);
	keyslot_mac(slot, dek, want);
	ok = sodium_memcmp(want, mac, KEYSLOT_MACBYTES) == 0;
	sodium_memzero(want, sizeof(want));
	return ok ? 0
		  : err_set(e, ERR_CORRUPT,
			    "key slot of operator '%s' fails authentication "
			    "(added or altered outside presidio)",
			    slot->operator);
}
