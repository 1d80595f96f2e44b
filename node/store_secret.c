/*
 * store_secret.c - small secrets sealed under the data key: the node's
 * Ed25519 signing seed, the hub's too.  Operators unlock them with the
 * data key, so adding or removing an operator needs no change here, and a
 * key rotation re-seals them with the records (store_secrets_reseal()).
 * The associated data binds each box to its name: a box copied under
 * another name does not open.
 */
#include "node/store_int.h"

#include <stdlib.h>
#include <string.h>

#define SECRET_AD "presidio.secret.v1"

static int secret_ad(const char *name, uint8_t *ad, size_t *adlen)
{
	size_t n = strlen(name);

	if (n == 0 || n > STORE_SECRET_NAME_MAX)
		return ERR_INVALID;
	memcpy(ad, SECRET_AD, sizeof(SECRET_AD));
	memcpy(ad + sizeof(SECRET_AD), name, n);
	*adlen = sizeof(SECRET_AD) + n;
	return 0;
}

static int write_box(struct store *s, const char *name, const uint8_t *data,
		     size_t len, struct err *e)
{
	uint8_t ad[sizeof(SECRET_AD) + STORE_SECRET_NAME_MAX];
	uint8_t box[SEAL_OVERHEAD + STORE_SECRET_MAX];
	struct store_q *st = NULL;
	size_t adlen = 0;

	if (secret_ad(name, ad, &adlen) || len > STORE_SECRET_MAX)
		return err_set(e, ERR_INVALID, "bad secret name or size");
	if (seal_box(s->sealer, data, len, ad, adlen, box))
		return err_set(e, ERR_FAIL, "cannot seal secret '%s'", name);
	st = store_q(s, "INSERT OR REPLACE INTO secret(name, body) "
			"VALUES (?1, ?2)",
		     "storing a secret");
	store_q_bind_text(st, 1, name);
	store_q_bind_blob(st, 2, box, seal_len(len));
	return store_q_run(st, e);
}

int store_secret_put(struct store *s, const char *name, const uint8_t *data,
		     size_t len, struct err *e)
{
	int opened = 0;
	int rc = store_require_unlocked(s, e);

	if (!rc)
		rc = store_tx_begin(s, &opened, e);
	if (rc)
		return rc;
	rc = write_box(s, name, data, len, e);
	return store_tx_end(s, opened, rc, e);
}

int store_secret_get(struct store *s, const char *name, uint8_t *out,
		     size_t max, size_t *len, struct err *e)
{
	uint8_t ad[sizeof(SECRET_AD) + STORE_SECRET_NAME_MAX];
	uint8_t plain[STORE_SECRET_MAX];
	struct store_q *st = NULL;
	size_t adlen = 0, n = 0;
	int rc = store_require_unlocked(s, e);

	if (rc)
		return rc;
	if (secret_ad(name, ad, &adlen))
		return err_set(e, ERR_INVALID, "bad secret name");
	st = store_q(s, "SELECT body FROM secret WHERE name = ?1",
		     "reading a secret");
	store_q_bind_text(st, 1, name);
	if (!store_q_row(st)) {
		rc = store_q_end(st, e);
		st = NULL;
		if (!rc)
			rc = err_set(e, ERR_NOTFOUND, "no secret '%s'", name);
		goto out;
	}
	if ((size_t)store_q_col_bytes(st, 0) > SEAL_OVERHEAD + max ||
	    (size_t)store_q_col_bytes(st, 0) < SEAL_OVERHEAD) {
		rc = err_set(e, ERR_CORRUPT, "secret '%s' has a bad size", name);
		goto out;
	}
	rc = seal_open(s->sealer, store_q_col_blob(st, 0),
		       (size_t)store_q_col_bytes(st, 0), ad, adlen, plain,
		       &n, e);
	if (rc) {
		rc = err_set(e, ERR_CORRUPT, "secret '%s' does not open", name);
		goto out;
	}
	memcpy(out, plain, n);
	*len = n;
out:
	sodium_memzero(plain, sizeof(plain));
	return store_q_done(st, rc, e);
}

int store_secrets_reseal(struct store *s, struct err *e)
{
	char names[16][STORE_SECRET_NAME_MAX + 1];
	uint8_t buf[STORE_SECRET_MAX];
	struct store_q *st = NULL;
	size_t n = 0, len = 0;
	int opened = 0;
	int rc = store_tx_begin(s, &opened, e);

	if (rc)
		return rc;
	st = store_q(s, "SELECT name FROM secret ORDER BY name",
		     "reading secrets");
	while (store_q_row(st)) {
		const char *nm = store_q_col_text(st, 0);

		if (n < 16 && nm && strlen(nm) <= STORE_SECRET_NAME_MAX)
			snprintf(names[n++], sizeof(names[0]), "%s", nm);
	}
	rc = store_q_end(st, e);
	for (size_t i = 0; !rc && i < n; i++) {
		rc = store_secret_get(s, names[i], buf, sizeof(buf), &len, e);
		if (!rc)
			rc = write_box(s, names[i], buf, len, e);
	}
	sodium_memzero(buf, sizeof(buf));
	return store_tx_end(s, opened, rc, e);
}
