/*
 * store_keys.c - operators and data keys: the store's side of
 * node/keyslot.h (rotation is store_rotate.c, signing in is
 * store_session.c).  Slots and sealed data keys live in the keyslot and
 * datakey tables; the signed-in slot's secret key lives in its session, the
 * data keys a handle opened with it in sodium_malloc() memory of struct
 * store until it leaves the session or store_close().
 */
#include "node/store_int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>


/* Fill slot from a SLOT_COLUMNS row. */
int store_slot_row(struct store_q *st, struct keyslot *slot, int64_t *id,
		    struct err *e)
{
	const char *op = store_q_col_text(st, 1);

	memset(slot, 0, sizeof(*slot));
	if (!op || strlen(op) >= sizeof(slot->operator) ||
	    store_q_col_bytes(st, 3) != KEYSLOT_SALTBYTES ||
	    store_q_col_bytes(st, 6) != KEYSLOT_PKBYTES ||
	    store_q_col_bytes(st, 7) != KEYSLOT_WRAPPEDBYTES)
		return err_set(e, ERR_CORRUPT, "malformed key slot");
	*id = store_q_col_i64(st, 0);
	snprintf(slot->operator, sizeof(slot->operator), "%s", op);
	slot->kind = (enum keyslot_kind)store_q_col_int(st, 2);
	memcpy(slot->salt, store_q_col_blob(st, 3), KEYSLOT_SALTBYTES);
	slot->opslimit = (uint64_t)store_q_col_i64(st, 4);
	slot->memlimit = (uint64_t)store_q_col_i64(st, 5);
	memcpy(slot->pk, store_q_col_blob(st, 6), KEYSLOT_PKBYTES);
	memcpy(slot->wrapped, store_q_col_blob(st, 7), KEYSLOT_WRAPPEDBYTES);
	op = store_q_col_text(st, 9);
	if (op && strlen(op) >= sizeof(slot->role))
		return err_set(e, ERR_CORRUPT, "malformed key slot");
	snprintf(slot->role, sizeof(slot->role), "%s", op ? op : "");
	return 0;
}

/* Store a new slot, authenticated under dek (the data key in use). */
static int insert_slot(struct store *s, const struct keyslot *slot,
		       const uint8_t *dek, int64_t *id, struct err *e)
{
	uint8_t mac[KEYSLOT_MACBYTES];
	struct store_q *st = NULL;
	int rc;

	keyslot_mac(slot, dek, mac);
	st = store_q(s,
		     "INSERT INTO keyslot(operator, kind, salt, opslimit, "
		     "memlimit, pk, wrapped, created, mac, role) "
		     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
		     "saving key slot");
	store_q_bind_blob(st, 9, mac, sizeof(mac));
	store_q_bind_text(st, 10, slot->role);
	store_q_bind_text(st, 1, slot->operator);
	store_q_bind_int(st, 2, slot->kind);
	store_q_bind_blob(st, 3, slot->salt, KEYSLOT_SALTBYTES);
	store_q_bind_int(st, 4, (int64_t)slot->opslimit);
	store_q_bind_int(st, 5, (int64_t)slot->memlimit);
	store_q_bind_blob(st, 6, slot->pk, KEYSLOT_PKBYTES);
	store_q_bind_blob(st, 7, slot->wrapped, KEYSLOT_WRAPPEDBYTES);
	store_q_bind_int(st, 8, (int64_t)time(NULL));
	store_q_row(st);
	if (store_q_constraint(st)) {
		(void)store_q_end(st, NULL);
		return err_set(e, ERR_EXISTS, "operator '%s' already exists",
			       slot->operator);
	}
	rc = store_q_end(st, e);
	if (rc)
		return rc;
	*id = store_sql_last_id(s);
	return 0;
}

/* Seal dek (generation gen) to slot and store it. */
int store_datakey_insert(struct store *s, int64_t slot_id,
			  const struct keyslot *slot, uint32_t gen,
			  const uint8_t *dek, struct err *e)
{
	uint8_t sealed[KEYSLOT_SEALEDBYTES];
	struct store_q *st = NULL;

	if (keyslot_seal_dek(slot, gen, dek, sealed))
		return err_set(e, ERR_FAIL, "cannot seal data key");
	st = store_q(s,
		     "INSERT INTO datakey(gen, slot, sealed) "
		     "VALUES (?1, ?2, ?3)",
		     "saving data key");
	store_q_bind_int(st, 1, gen);
	store_q_bind_int(st, 2, slot_id);
	store_q_bind_blob(st, 3, sealed, sizeof(sealed));
	return store_q_run(st, e);
}

int store_keys_create(struct store *s, const struct store_secret *first,
		      struct err *e)
{
	struct keyslot slot;
	uint8_t slotkey[STORE_MAC_KEYBYTES];
	uint8_t *dek = NULL;
	int64_t slot_id = 0;
	int rc;

	const char *role = store_access_top_role(s);

	if (first->role) {
		rc = store_access_role_of(s, first->role, first->kind, &role,
					  e);
		if (rc)
			return rc;
	}
	rc = keyslot_create(&slot, first->operator, first->kind, first->secret,
			    first->len, NULL, e);
	if (rc)
		return rc;
	snprintf(slot.role, sizeof(slot.role), "%s", role);
	dek = keyslot_new_dek();
	if (!dek)
		return err_set(e, ERR_NOMEM, "out of memory");
	/* A new store is authenticated the current way from the start: its
	 * slot under the derived slot key and its clear rows under the row
	 * key.  A slot MAC under the data key itself then only ever comes
	 * from a store made by the landed release (store_mac.c). */
	store_mac_slot_key(dek, slotkey);
	rc = insert_slot(s, &slot, slotkey, &slot_id, e);
	sodium_memzero(slotkey, sizeof(slotkey));
	if (!rc)
		rc = store_datakey_insert(s, slot_id, &slot, 1, dek, e);
	if (!rc)
		rc = store_meta_set_int(s, "key_gen", 1, e);
	if (!rc)
		rc = store_mac_created(s, dek, 1, e);
	sodium_free(dek);
	return rc;
}

static int dek_loaded(const struct store *s, uint32_t gen)
{
	for (size_t i = 0; i < s->ndek; i++)
		if (s->dek_gen[i] == gen)
			return 1;
	return 0;
}

/* The loaded data key of generation gen, or NULL. */
const uint8_t *store_dek_of(const struct store *s, uint32_t gen)
{
	for (size_t i = 0; i < s->ndek; i++)
		if (s->dek_gen[i] == gen)
			return s->dek[i];
	return NULL;
}

/* The generation slots are authenticated under: the one in use, even
 * while a rotation is under way (rotation_finish() moves them).  The key
 * is derived from that data key (store_mac.c: a store authenticating its
 * slots so has every row authenticated; one still using the data key
 * itself is an older store, upgraded at unlock). */
int store_slot_mac_dek(struct store *s, const uint8_t **dek, struct err *e)
{
	const uint8_t *k;
	int64_t gen = 0;
	int rc = store_meta_get_int(s, "key_gen", &gen, e);

	if (rc)
		return rc;
	k = store_dek_of(s, (uint32_t)gen);
	if (!k)
		return err_set(e, ERR_CORRUPT,
			       "data key generation %u is not loaded",
			       (unsigned)gen);
	if (!s->slotkey && !(s->slotkey = sodium_malloc(STORE_MAC_KEYBYTES)))
		return err_set(e, ERR_NOMEM, "out of memory");
	store_mac_slot_key(k, s->slotkey);
	*dek = s->slotkey;
	return 0;
}

/* Wipe and unload the data keys whose generation is not in keep[]. */
static void drop_retired(struct store *s, const uint32_t *keep, size_t nkeep)
{
	for (size_t i = 0; i < s->ndek;) {
		int kept = 0;

		for (size_t k = 0; k < nkeep && !kept; k++)
			kept = keep[k] == s->dek_gen[i];
		if (kept) {
			i++;
			continue;
		}
		sealer_drop_key(s->sealer, s->dek_gen[i]);
		sodium_free(s->dek[i]);
		s->ndek--;
		s->dek[i] = s->dek[s->ndek];
		s->dek_gen[i] = s->dek_gen[s->ndek];
	}
}

/* The generation writes must use: the one a rotation is moving to, else
 * the one in use. */
static int required_gen(struct store *s, uint32_t *gen, struct err *e)
{
	int64_t v = 0;
	int rc = store_meta_get_int(s, "rotating", &v, NULL);

	if (rc)
		rc = store_meta_get_int(s, "key_gen", &v, e);
	*gen = (uint32_t)v;
	return rc;
}

int store_keys_refresh(struct store *s, struct err *e)
{
	uint32_t present[SEAL_MAX_KEYS];
	size_t npresent = 0;
	struct store_q *st = NULL;
	uint32_t need = 0;
	int rc;

	st = store_q(s,
		     "SELECT gen, sealed FROM datakey WHERE slot = ?1 "
		     "ORDER BY gen",
		     "reading data keys");
	store_q_bind_int(st, 1, store_session_slot_id(s->sess));
	while (store_q_row(st)) {
		uint32_t gen = (uint32_t)store_q_col_i64(st, 0);
		uint8_t *dek = NULL;

		if (npresent == SEAL_MAX_KEYS) {
			rc = err_set(e, ERR_CORRUPT, "too many data keys");
			goto out;
		}
		present[npresent++] = gen;
		if (dek_loaded(s, gen))
			continue;
		if (s->ndek == SEAL_MAX_KEYS)
			drop_retired(s, present, npresent);
		if (store_q_col_bytes(st, 1) != KEYSLOT_SEALEDBYTES ||
		    s->ndek == SEAL_MAX_KEYS) {
			rc = err_set(e, ERR_CORRUPT, "malformed data key");
			goto out;
		}
		rc = store_session_open_dek(s->sess, gen,
					    store_q_col_blob(st, 1), &dek, e);
		if (!rc && sealer_add_key(s->sealer, gen, dek))
			rc = err_set(e, ERR_FAIL, "cannot load data key");
		if (rc) {
			if (dek)
				sodium_free(dek);
			goto out;
		}
		s->dek[s->ndek] = dek;
		s->dek_gen[s->ndek] = gen;
		s->ndek++;
	}
	rc = store_q_end(st, e);
	st = NULL;
	if (rc)
		goto out;
	/* No key left for this slot: the operator was removed meanwhile.
	 * Whatever this process holds must not be used any more. */
	if (npresent == 0) {
		rc = err_set(e, ERR_AUTH,
			     "operator '%s' no longer holds a key "
			     "on this node",
			     store_session_operator(s->sess));
		goto out;
	}
	/* Retired generations leave memory too, and writes must use the
	 * generation the node is at, never an older one still loaded. */
	drop_retired(s, present, npresent);
	rc = required_gen(s, &need, e);
	if (!rc && sealer_current(s->sealer) != need)
		rc = err_set(e, ERR_CORRUPT,
			     "data key generation %u is not available to "
			     "operator '%s'",
			     (unsigned)need, store_session_operator(s->sess));
out:
	rc = store_q_done(st, rc, e);
	if (rc == ERR_AUTH)
		store_keys_release(s);
	return rc;
}

void store_keys_release(struct store *s)
{
	sealer_free(s->sealer);
	s->sealer = NULL;
	for (size_t i = 0; i < s->ndek; i++)
		sodium_free(s->dek[i]);
	s->ndek = 0;
	s->self_actor = 0;
	s->access = ACCESS_NONE;
	s->nglass = 0;
	store_session_unref(s->sess);
	s->sess = NULL;
	store_mac_release(s);
	/* The person index is derived personal data: it goes with the
	 * keys that opened it (lock, sign-out, another session, close). */
	store_search_free(s->search);
	s->search = NULL;
	/* So are the records a transaction kept open. */
	store_applied_clear(s);
	store_pkey_forget(s);
}

int store_operator_add(struct store *s, const struct store_secret *secret,
		       struct err *e)
{
	struct keyslot slot;
	const uint8_t *mackey = NULL;
	const char *role = NULL;
	int64_t slot_id = 0;
	int opened = 0;
	int rc = store_access_manage(s, e);

	if (rc)
		return rc;
	if (!secret->operator)
		return err_set(e, ERR_INVALID, "operator name missing");
	rc = store_access_role_of(s, secret->role, secret->kind, &role, e);
	if (rc)
		return rc;
	/* Argon2id takes a while: derive before taking the write lock. */
	rc = keyslot_create(&slot, secret->operator, secret->kind,
			    secret->secret, secret->len, NULL, e);
	if (rc)
		return rc;
	snprintf(slot.role, sizeof(slot.role), "%s", role);
	rc = store_tx_begin(s, &opened, e);
	if (rc)
		return rc;
	rc = store_slot_mac_dek(s, &mackey, e);
	if (!rc)
		rc = insert_slot(s, &slot, mackey, &slot_id, e);
	for (size_t i = 0; !rc && i < s->ndek; i++)
		rc = store_datakey_insert(s, slot_id, &slot, s->dek_gen[i], s->dek[i],
				    e);
	rc = store_tx_end(s, opened, rc, e);
	return rc;
}

int store_operator_remove(struct store *s, const char *operator, struct err *e)
{
	struct store_q *st = NULL;
	int64_t slots = 0, found = 0, id = 0;
	int manages = 0;
	int opened = 0;
	int rc = store_access_manage(s, e);

	if (!rc)
		rc = store_tx_begin(s, &opened, e);
	if (rc)
		return rc;
	st = store_q(s,
		     "SELECT count(*), coalesce(sum(operator = ?1), 0), "
		     "max(CASE WHEN operator = ?1 THEN id END), "
		     "max(CASE WHEN operator = ?1 THEN role END) "
		     "FROM keyslot",
		     "reading key slots");
	store_q_bind_text(st, 1, operator);
	if (store_q_row(st)) {
		slots = store_q_col_i64(st, 0);
		found = store_q_col_i64(st, 1);
		id = store_q_col_i64(st, 2);
		manages = access_manages_operators(
		    access_role_parse(store_q_col_text(st, 3)));
	}
	rc = store_q_end(st, e);
	if (rc)
		goto out;
	if (found && manages && slots > 1) {
		int other = store_access_other_manager(s, id, e);

		if (other < 0) {
			rc = other;
			goto out;
		}
		if (!other) {
			rc = err_set(e, ERR_CONFLICT,
				     "'%s' is the last operator who manages "
				     "operators: give that role to another "
				     "one first",
				     operator);
			goto out;
		}
	}
	if (!found) {
		rc = err_set(e, ERR_NOTFOUND,
			     "no operator '%s' on this node", operator);
		goto out;
	}
	if (slots <= 1) {
		rc = err_set(e, ERR_CONFLICT,
			     "cannot remove the last operator: the data could "
			     "no longer be unlocked");
		goto out;
	}
	st = store_q(s, "DELETE FROM keyslot WHERE operator = ?1",
		     "removing operator");
	store_q_bind_text(st, 1, operator);
	rc = store_q_run(st, e);
out:
	rc = store_tx_end(s, opened, rc, e);
	if (!rc) {
		/* secure_delete zeroed the slot's pages; move the WAL copy
		 * into the database and truncate the WAL too. */
		store_sql_checkpoint(s);
	}
	return rc;
}

/*
 * A new passphrase gets a new key pair, not just a new wrapping of the old
 * secret key: otherwise a copy of the old slot and the old passphrase
 * would keep opening every data key sealed to the unchanged public key,
 * rotations included.  Slot and sealed data keys are replaced in one
 * transaction.
 */
int store_operator_passwd(struct store *s, const uint8_t *secret, size_t len,
			  struct err *e)
{
	struct keyslot slot, old;
	struct store_q *st = NULL;
	const uint8_t *macdek = NULL;
	uint8_t mac[KEYSLOT_MACBYTES];
	uint8_t *sk = NULL;
	int64_t slot_id = 0;
	int opened = 0, began = 0;
	int rc = store_require_unlocked(s, e);

	if (rc)
		return rc;
	slot_id = store_session_slot_id(s->sess);
	store_session_slot(s->sess, &old);
	/* Argon2id takes a while: derive before taking the write lock. */
	rc = keyslot_create(&slot, old.operator, old.kind, secret, len, &sk,
			    e);
	if (rc)
		goto out;
	/* The role checked at unlock (the session's copy of the slot may
	 * predate an older store's roles). */
	snprintf(slot.role, sizeof(slot.role), "%s",
		 access_role_name(s->access));
	rc = store_tx_begin(s, &opened, e);
	began = !rc;
	if (!rc)
		rc = store_slot_mac_dek(s, &macdek, e);
	if (!rc) {
		keyslot_mac(&slot, macdek, mac);
		st = store_q(s,
			     "UPDATE keyslot SET salt = ?2, opslimit = ?3, "
			     "memlimit = ?4, pk = ?5, wrapped = ?6, mac = ?7, "
			     "role = ?8 WHERE id = ?1",
			     "saving key slot");
		store_q_bind_blob(st, 7, mac, sizeof(mac));
		store_q_bind_text(st, 8, slot.role);
		store_q_bind_int(st, 1, slot_id);
		store_q_bind_blob(st, 2, slot.salt, KEYSLOT_SALTBYTES);
		store_q_bind_int(st, 3, (int64_t)slot.opslimit);
		store_q_bind_int(st, 4, (int64_t)slot.memlimit);
		store_q_bind_blob(st, 5, slot.pk, KEYSLOT_PKBYTES);
		store_q_bind_blob(st, 6, slot.wrapped, KEYSLOT_WRAPPEDBYTES);
		rc = store_q_run(st, e);
	}
	if (!rc) {
		st = store_q(s, "DELETE FROM datakey WHERE slot = ?1",
			     "replacing data keys");
		store_q_bind_int(st, 1, slot_id);
		rc = store_q_run(st, e);
	}
	for (size_t i = 0; !rc && i < s->ndek; i++)
		rc = store_datakey_insert(s, slot_id, &slot, s->dek_gen[i],
					  s->dek[i], e);
	if (began)
		rc = store_tx_end(s, opened, rc, e);
	if (rc)
		goto out;
	/* Every handle of the session opens data keys with the new secret
	 * from now on (they are sealed to the new key pair only). */
	store_session_rekeyed(s->sess, &slot, &sk);
	/* secure_delete zeroed the old slot's pages; fold the WAL in so no
	 * copy of them stays there either (best effort: a reader may hold
	 * the WAL, and the next checkpoint finishes the job). */
	store_sql_checkpoint(s);
out:
	if (sk)
		sodium_free(sk);
	return rc;
}

int store_operator_list(struct store *s, store_operator_fn fn, void *ctx,
			struct err *e)
{
	struct store_q *st = NULL;
	int rc = 0;

	st = store_q(s,
		     "SELECT operator, kind, role FROM keyslot "
		     "ORDER BY operator",
		     "reading operators");
	while (!rc && store_q_row(st))
		rc = fn(ctx, store_q_col_text(st, 0),
			(enum keyslot_kind)store_q_col_int(st, 1),
			store_q_col_text(st, 2));
	return err_walk_end(store_q_done(st, rc, e));
}
