/*
 * store_memo.c - memos (store.h): what a view derives from every record,
 * kept sealed under the data key between sessions.  The associated data
 * binds each box to its name, as for secrets (store_secret.c).  Memos
 * are caches: a rotation drops them (store_memos_drop()), and a memo that
 * does not open is reported as not found so that its view builds it
 * again from the records.
 */
#include "node/store_int.h"

#include <stdlib.h>
#include <string.h>

#define MEMO_AD "presidio.memo.v1"

static int memo_ad(const char *name, uint8_t *ad, size_t *adlen)
{
	size_t n = strlen(name);

	if (n == 0 || n > STORE_MEMO_NAME_MAX || !schema_name_ok(name))
		return ERR_INVALID;
	memcpy(ad, MEMO_AD, sizeof(MEMO_AD));
	memcpy(ad + sizeof(MEMO_AD), name, n);
	*adlen = sizeof(MEMO_AD) + n;
	return 0;
}

int store_memo_put(struct store *s, const char *name, const uint8_t *data,
		   size_t len, struct err *e)
{
	uint8_t ad[sizeof(MEMO_AD) + STORE_MEMO_NAME_MAX];
	struct store_q *st = NULL;
	uint8_t *box = NULL;
	size_t adlen = 0;
	int opened = 0, rc;

	if (memo_ad(name, ad, &adlen) || len > STORE_MEMO_MAX)
		return err_set(e, ERR_INVALID, "bad memo name or size");
	rc = store_require_unlocked(s, e);
	if (rc)
		return rc;
	box = malloc(seal_len(len));
	if (!box)
		return err_set(e, ERR_NOMEM, "out of memory");
	if (seal_box(s->sealer, data, len, ad, adlen, box)) {
		free(box);
		return err_set(e, ERR_FAIL, "cannot seal memo '%s'", name);
	}
	rc = store_tx_begin(s, &opened, e);
	if (!rc) {
		st = store_q(s, "INSERT OR REPLACE INTO memo(name, body) "
				"VALUES (?1, ?2)",
			     "storing a memo");
		store_q_bind_text(st, 1, name);
		store_q_bind_blob(st, 2, box, seal_len(len));
		rc = store_tx_end(s, opened, store_q_run(st, e), e);
	}
	free(box); /* sealed: nothing in the clear to wipe */
	return rc;
}

int store_memo_get(struct store *s, const char *name, uint8_t **data,
		   size_t *len, struct err *e)
{
	uint8_t ad[sizeof(MEMO_AD) + STORE_MEMO_NAME_MAX];
	struct store_q *st = NULL;
	uint8_t *plain = NULL;
	size_t adlen = 0, boxlen, n = 0;
	struct err oe;
	int rc;

	*data = NULL;
	*len = 0;
	if (memo_ad(name, ad, &adlen))
		return err_set(e, ERR_INVALID, "bad memo name");
	rc = store_require_unlocked(s, e);
	if (rc)
		return rc;
	st = store_q(s, "SELECT body FROM memo WHERE name = ?1",
		     "reading a memo");
	store_q_bind_text(st, 1, name);
	if (!store_q_row(st)) {
		rc = store_q_end(st, e);
		return rc ? rc : err_set(e, ERR_NOTFOUND, "no memo '%s'", name);
	}
	boxlen = (size_t)store_q_col_bytes(st, 0);
	if (boxlen < SEAL_OVERHEAD || boxlen > seal_len(STORE_MEMO_MAX)) {
		rc = err_set(e, ERR_NOTFOUND, "memo '%s' has a bad size", name);
		goto out;
	}
	plain = malloc(boxlen - SEAL_OVERHEAD + 1);
	if (!plain) {
		rc = err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	err_init(&oe);
	/* A box of a retired key, or altered: built again, not an error. */
	if (seal_open(s->sealer, store_q_col_blob(st, 0), boxlen, ad, adlen,
		      plain, &n, &oe)) {
		rc = err_set(e, ERR_NOTFOUND, "memo '%s' does not open", name);
		goto out;
	}
	plain[n] = 0;
	*data = plain;
	*len = n;
	plain = NULL;
out:
	if (plain)
		store_memo_free(plain, boxlen - SEAL_OVERHEAD + 1);
	return store_q_done(st, rc, e);
}

void store_memo_free(uint8_t *data, size_t len)
{
	if (!data)
		return;
	sodium_memzero(data, len);
	free(data);
}

int store_memos_drop(struct store *s, struct err *e)
{
	return store_exec(s, "DELETE FROM memo", e);
}
