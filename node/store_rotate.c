/*
 * store_rotate.c - data-key rotation and key-slot authentication.
 *
 * A rotation (1) seals a new data key to every authenticated slot and
 * marks the node as rotating, (2) re-seals every box in committed batches
 * (store_rekey.c), (3) retires the old key and moves the slot MACs to the
 * new one in one transaction.  Each step is safe to interrupt: every box
 * names its key generation, both keys stay loadable until step 3, and the
 * next `key rotate` resumes.
 */
#include "node/store_int.h"

#include <string.h>

/* Start a rotation: a new data key sealed to every slot.  Returns its
 * generation in *gen, or the generation of an unfinished rotation. */
static int rotation_start(struct store *s, uint32_t *gen, struct err *e)
{
	struct keyslot slot;
	const uint8_t *macdek = NULL;
	struct store_q *st = NULL;
	uint8_t *dek = NULL;
	int64_t v = 0, id;
	int opened = 0;
	int rc = store_tx_begin(s, &opened, e);

	if (rc)
		return rc;
	if (store_meta_get_int(s, "rotating", &v, NULL) == 0) {
		*gen = (uint32_t)v; /* resume */
		goto out;
	}
	st = store_q(s, "SELECT coalesce(max(gen), 0) + 1 FROM datakey",
		     "reading data keys");
	if (store_q_row(st))
		*gen = (uint32_t)store_q_col_i64(st, 0);
	rc = store_q_end(st, e);
	st = NULL;
	if (rc)
		goto out;
	/* Only slots authenticated under the key in use get the new one. */
	rc = store_slot_mac_dek(s, &macdek, e);
	if (rc)
		goto out;
	dek = keyslot_new_dek();
	if (!dek) {
		rc = err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	st = store_q(s, "SELECT " SLOT_COLUMNS " FROM keyslot",
		     "reading key slots");
	while (!rc && store_q_row(st)) {
		rc = store_slot_row(st, &slot, &id, e);
		if (!rc)
			rc = keyslot_mac_check(
			    &slot, macdek,
			    store_q_col_blob(st, SLOT_MAC_COLUMN),
			    (size_t)store_q_col_bytes(st, SLOT_MAC_COLUMN),
			    e);
		if (!rc)
			rc = store_datakey_insert(s, id, &slot, *gen, dek, e);
	}
	rc = store_q_done(st, rc, e);
	st = NULL;
	if (!rc)
		rc = store_meta_set_int(s, "rotating", *gen, e);
out:
	rc = store_q_done(st, rc, e);
	if (dek)
		sodium_free(dek);
	return store_tx_end(s, opened, rc, e);
}

int store_slots_mac(struct store *s, const uint8_t *check,
		    const uint8_t *remac, uint64_t *bad, struct err *e)
{
	struct keyslot slot;
	struct store_q *st = NULL, *upd = NULL;
	uint8_t mac[KEYSLOT_MACBYTES];
	int64_t id;
	int rc = 0;

	*bad = 0;
	st = store_q(s, "SELECT " SLOT_COLUMNS " FROM keyslot", "key slots");
	while (!rc && store_q_row(st)) {
		rc = store_slot_row(st, &slot, &id, e);
		if (rc)
			goto out;
		/* A failing slot is only reported when checking (the first
		 * one's message); rewriting never vouches for it. */
		if (check &&
		    keyslot_mac_check(&slot, check,
				      store_q_col_blob(st, SLOT_MAC_COLUMN),
				      (size_t)store_q_col_bytes(
					      st, SLOT_MAC_COLUMN),
				      !remac && !*bad ? e : NULL)) {
			(*bad)++;
			continue;
		}
		if (!remac)
			continue;
		/* Only the MAC column changes, which the scan does not walk
		 * by, so updating the row being read is safe. */
		keyslot_mac(&slot, remac, mac);
		upd = store_q(s, "UPDATE keyslot SET mac = ?2 WHERE id = ?1",
			      "key slots");
		store_q_bind_int(upd, 1, id);
		store_q_bind_blob(upd, 2, mac, sizeof(mac));
		rc = store_q_run(upd, e);
	}
out:
	rc = store_q_done(st, rc, e);
	if (!rc && !remac && *bad)
		rc = ERR_CORRUPT;
	return rc;
}

int store_slots_verify(struct store *s, uint64_t *bad, struct err *e)
{
	const uint8_t *dek = NULL;
	int rc = store_slot_mac_dek(s, &dek, e);

	*bad = 0;
	return rc ? rc : store_slots_mac(s, dek, NULL, bad, e);
}

/*
 * Retire the generations below gen.  Writers seal with the generation the
 * node requires (store_keys_refresh() checks it under the write lock), so
 * once the re-sealing pass is over nothing uses them.  If another process
 * finished this rotation, or started a newer one, meanwhile, there is
 * nothing to do here.
 */
static int rotation_finish(struct store *s, uint32_t gen, struct err *e)
{
	struct store_q *st = NULL;
	int64_t rotating = 0;
	int opened = 0;
	int rc = store_tx_begin(s, &opened, e);

	if (rc)
		return rc;
	if (store_meta_get_int(s, "rotating", &rotating, NULL) ||
	    rotating != gen)
		goto out;
	st = store_q(s, "DELETE FROM datakey WHERE gen < ?1",
		     "retiring data keys");
	store_q_bind_int(st, 1, gen);
	rc = store_q_run(st, e);
	if (rc)
		goto out;
	rc = store_meta_set_int(s, "key_gen", gen, e);
	if (!rc)
		rc =
		    store_exec(s, "DELETE FROM meta WHERE key = 'rotating'", e);
	/* Slots are authenticated under the key in use: move them along,
	 * and the clear rows still under the old one (store_mac.c) too. */
	if (!rc) {
		const uint8_t *newdek = store_dek_of(s, gen);
		uint8_t slotkey[STORE_MAC_KEYBYTES];
		uint64_t bad = 0;

		if (newdek) {
			store_mac_slot_key(newdek, slotkey);
			rc = store_slots_mac(s, NULL, slotkey, &bad, e);
			sodium_memzero(slotkey, sizeof(slotkey));
		} else {
			rc = err_set(e, ERR_CORRUPT,
				     "data key generation %u is not loaded",
				     (unsigned)gen);
		}
	}
	if (!rc)
		rc = store_mac_rotate(s, e);
out:
	rc = store_tx_end(s, opened, rc, e);
	if (!rc)
		rc = store_keys_refresh(s, e);
	if (!rc)
		store_sql_checkpoint(s);
	return rc;
}

/* The persons' keys move to the new data key in one transaction of the
 * keys file (a few bytes each), committed with the database's. */
static int pkeys_reseal(struct store *s, struct err *e)
{
	uint64_t n = 0;
	int opened = 0;
	int rc = store_tx_begin(s, &opened, e);

	if (!rc)
		rc = store_pkey_reseal(s, &n, e);
	return store_tx_end(s, opened, rc, e);
}

int store_key_rotate(struct store *s, store_progress_fn progress, void *ctx,
		     struct err *e)
{
	uint32_t gen = 0;
	int rc = store_require_unlocked(s, e);

	if (rc)
		return rc;
	if (s->in_tx)
		return err_set(e, ERR_FAIL,
			       "key rotation inside a transaction");
	rc = rotation_start(s, &gen, e);
	if (!rc)
		rc = store_keys_refresh(s, e);
	if (!rc && sealer_current(s->sealer) != gen)
		rc = err_set(e, ERR_CORRUPT,
			     "data key generation %u is not available",
			     (unsigned)gen);
	if (!rc)
		rc = store_records_reseal(s, gen, progress, ctx, e);
	if (!rc)
		rc = store_secrets_reseal(s, e);
	if (!rc)
		rc = pkeys_reseal(s, e);
	if (!rc)
		rc = store_memos_drop(s, e);
	if (!rc)
		rc = rotation_finish(s, gen, e);
	return rc;
}
