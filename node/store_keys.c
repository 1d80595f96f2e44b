/*
 * store_keys.c - unlocking and operators: the store's side of
 * node/keyslot.h (rotation is store_rotate.c).  Slots and sealed data keys live in the keyslot
 * and datakey tables; the unlocked slot's secret key and the data keys live
 * in sodium_malloc() memory of struct store until store_close().
 */
#include "node/store_int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>


/* Fill slot from a SLOT_COLUMNS row. */
int store_slot_row(sqlite3_stmt *st, struct keyslot *slot, int64_t *id,
		    struct err *e)
{
	const unsigned char *op = sqlite3_column_text(st, 1);

	memset(slot, 0, sizeof(*slot));
	if (!op || strlen((const char *)op) >= sizeof(slot->operator) ||
	    sqlite3_column_bytes(st, 3) != KEYSLOT_SALTBYTES ||
	    sqlite3_column_bytes(st, 6) != KEYSLOT_PKBYTES ||
	    sqlite3_column_bytes(st, 7) != KEYSLOT_WRAPPEDBYTES)
		return err_set(e, ERR_CORRUPT, "malformed key slot");
	*id = sqlite3_column_int64(st, 0);
	snprintf(slot->operator, sizeof(slot->operator), "%s", op);
	slot->kind = (enum keyslot_kind)sqlite3_column_int(st, 2);
	memcpy(slot->salt, sqlite3_column_blob(st, 3), KEYSLOT_SALTBYTES);
	slot->opslimit = (uint64_t)sqlite3_column_int64(st, 4);
	slot->memlimit = (uint64_t)sqlite3_column_int64(st, 5);
	memcpy(slot->pk, sqlite3_column_blob(st, 6), KEYSLOT_PKBYTES);
	memcpy(slot->wrapped, sqlite3_column_blob(st, 7), KEYSLOT_WRAPPEDBYTES);
	return 0;
}

/* The slot of operator, or the only slot when operator is NULL. */
static int find_slot(struct store *s, const char *operator,
		     struct keyslot *slot, int64_t *id, struct err *e)
{
	sqlite3_stmt *st = NULL;
	int rc, rows = 0;

	rc =
	    sqlite3_prepare_v2(s->db,
			       operator? "SELECT " SLOT_COLUMNS " FROM keyslot "
					 "WHERE operator = ?1"
				       : "SELECT " SLOT_COLUMNS " FROM keyslot "
					 "LIMIT 2",
			       -1, &st, NULL);
	if (rc != SQLITE_OK)
		goto sqlfail;
	if (operator)
		sqlite3_bind_text(st, 1, operator, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (++rows == 1 && (rc = store_slot_row(st, slot, id, e)))
			goto out;
	}
	if (rc != SQLITE_DONE)
		goto sqlfail;
	if (rows == 0)
		rc = operator
			 ? err_set(e, ERR_NOTFOUND,
				   "no operator '%s' on this node", operator)
			 : err_set(e, ERR_NOTFOUND,
				   "this node has no operators");
	else if (rows > 1)
		rc = err_set(e, ERR_INVALID,
			     "this node has several operators: say which "
			     "with --operator");
	else
		rc = 0;
	goto out;
sqlfail:
	rc = store_sql_err(s, rc, "reading key slots", e);
out:
	sqlite3_finalize(st);
	return rc;
}

/* Store a new slot, authenticated under dek (the data key in use). */
static int insert_slot(struct store *s, const struct keyslot *slot,
		       const uint8_t *dek, int64_t *id, struct err *e)
{
	uint8_t mac[KEYSLOT_MACBYTES];
	sqlite3_stmt *st = NULL;
	int rc;

	keyslot_mac(slot, dek, mac);
	rc =
	    sqlite3_prepare_v2(s->db,
			       "INSERT INTO keyslot(operator, kind, salt, "
			       "opslimit, memlimit, pk, wrapped, created, mac) "
			       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
			       -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_blob(st, 9, mac, sizeof(mac), SQLITE_STATIC);
		sqlite3_bind_text(st, 1, slot->operator, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 2, slot->kind);
		sqlite3_bind_blob(st, 3, slot->salt, KEYSLOT_SALTBYTES,
				  SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, (int64_t)slot->opslimit);
		sqlite3_bind_int64(st, 5, (int64_t)slot->memlimit);
		sqlite3_bind_blob(st, 6, slot->pk, KEYSLOT_PKBYTES,
				  SQLITE_STATIC);
		sqlite3_bind_blob(st, 7, slot->wrapped, KEYSLOT_WRAPPEDBYTES,
				  SQLITE_STATIC);
		sqlite3_bind_int64(st, 8, (int64_t)time(NULL));
		rc = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return err_set(e, ERR_EXISTS, "operator '%s' already exists",
			       slot->operator);
	if (rc != SQLITE_DONE)
		return store_sql_err(s, rc, "saving key slot", e);
	*id = sqlite3_last_insert_rowid(s->db);
	return 0;
}

/* Seal dek (generation gen) to slot and store it. */
int store_datakey_insert(struct store *s, int64_t slot_id,
			  const struct keyslot *slot, uint32_t gen,
			  const uint8_t *dek, struct err *e)
{
	uint8_t sealed[KEYSLOT_SEALEDBYTES];
	sqlite3_stmt *st = NULL;
	int rc;

	if (keyslot_seal_dek(slot, gen, dek, sealed))
		return err_set(e, ERR_FAIL, "cannot seal data key");
	rc = sqlite3_prepare_v2(s->db,
				"INSERT INTO datakey(gen, slot, sealed) "
				"VALUES (?1, ?2, ?3)",
				-1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, gen);
		sqlite3_bind_int64(st, 2, slot_id);
		sqlite3_bind_blob(st, 3, sealed, sizeof(sealed), SQLITE_STATIC);
		rc = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0
				 : store_sql_err(s, rc, "saving data key", e);
}

int store_keys_create(struct store *s, const struct store_secret *first,
		      struct err *e)
{
	struct keyslot slot;
	uint8_t slotkey[STORE_MAC_KEYBYTES];
	uint8_t *dek = NULL;
	int64_t slot_id = 0;
	int rc;

	rc = keyslot_create(&slot, first->operator, first->kind, first->secret,
			    first->len, NULL, e);
	if (rc)
		return rc;
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
	sqlite3_stmt *st = NULL;
	uint32_t need = 0;
	int rc;

	rc = sqlite3_prepare_v2(
	    s->db,
	    "SELECT gen, sealed FROM datakey WHERE slot = ?1 "
	    "ORDER BY gen",
	    -1, &st, NULL);
	if (rc != SQLITE_OK) {
		rc = store_sql_err(s, rc, "reading data keys", e);
		goto out;
	}
	sqlite3_bind_int64(st, 1, s->slot_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		uint32_t gen = (uint32_t)sqlite3_column_int64(st, 0);
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
		if (sqlite3_column_bytes(st, 1) != KEYSLOT_SEALEDBYTES ||
		    s->ndek == SEAL_MAX_KEYS) {
			rc = err_set(e, ERR_CORRUPT, "malformed data key");
			goto out;
		}
		rc = keyslot_open_dek(&s->slot, s->sk, gen,
				      sqlite3_column_blob(st, 1), &dek, e);
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
	if (rc != SQLITE_DONE) {
		rc = store_sql_err(s, rc, "reading data keys", e);
		goto out;
	}
	/* No key left for this slot: the operator was removed meanwhile.
	 * Whatever this process holds must not be used any more. */
	if (npresent == 0) {
		rc = err_set(e, ERR_AUTH,
			     "operator '%s' no longer holds a key "
			     "on this node",
			     s->operator);
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
			     (unsigned)need, s->operator);
out:
	sqlite3_finalize(st);
	if (rc == ERR_AUTH)
		store_keys_release(s);
	return rc;
}

void store_keys_release(struct store *s)
{
	sealer_free(s->sealer);
	s->sealer = NULL;
	if (s->sk)
		sodium_free(s->sk);
	s->sk = NULL;
	for (size_t i = 0; i < s->ndek; i++)
		sodium_free(s->dek[i]);
	s->ndek = 0;
	s->operator[0] = '\0';
	store_mac_release(s);
}

/* The actor of this node's unlocked operator, created when first seen. */
static int self_actor(struct store *s, struct err *e)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = sqlite3_prepare_v2(s->db,
				"SELECT idx FROM actor WHERE node = ?1 AND "
				"operator = ?2",
				-1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, s->self_node);
		sqlite3_bind_text(st, 2, s->operator, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			s->self_actor = (uint32_t)sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc != SQLITE_DONE)
		return store_sql_err(s, rc, "reading actors", e);
	return store_actor_ensure(s, s->self_node, s->operator, & s->self_actor,
				  e);
}

int store_unlock(struct store *s, const struct store_secret *secret,
		 struct err *e)
{
	struct keyslot *slot = &s->slot;
	int rc;

	store_keys_release(s);
	rc = find_slot(s, secret->operator, slot, &s->slot_id, e);
	if (rc)
		return rc;
	if (slot->kind != secret->kind)
		return err_set(e, ERR_AUTH, "operator '%s' unlocks with %s",
			       slot->operator,
			       slot->kind == KEYSLOT_KEYFILE ? "a key file"
							     : "a passphrase");
	rc = keyslot_open(slot, secret->secret, secret->len, &s->sk, e);
	if (rc)
		goto out;
	snprintf(s->operator, sizeof(s->operator), "%s", slot->operator);
	if (sealer_new(&s->sealer)) {
		rc = err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	rc = store_keys_refresh(s, e);
	if (!rc && s->ndek == 0)
		rc = err_set(e, ERR_CORRUPT, "no data key for operator '%s'",
			     slot->operator);
	if (!rc)
		rc = self_actor(s, e);
	if (!rc)
		rc = store_mac_unlocked(s, e);
out:
	if (rc)
		store_keys_release(s);
	return rc;
}

int store_operator_add(struct store *s, const struct store_secret *secret,
		       struct err *e)
{
	struct keyslot slot;
	const uint8_t *mackey = NULL;
	int64_t slot_id = 0;
	int opened = 0;
	int rc = store_require_unlocked(s, e);

	if (rc)
		return rc;
	if (!secret->operator)
		return err_set(e, ERR_INVALID, "operator name missing");
	/* Argon2id takes a while: derive before taking the write lock. */
	rc = keyslot_create(&slot, secret->operator, secret->kind,
			    secret->secret, secret->len, NULL, e);
	if (rc)
		return rc;
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
	sqlite3_stmt *st = NULL;
	int64_t slots = 0, found = 0;
	int opened = 0;
	int rc = store_tx_begin(s, &opened, e);

	if (rc)
		return rc;
	rc = sqlite3_prepare_v2(
	    s->db,
	    "SELECT count(*), coalesce(sum(operator = ?1), 0) "
	    "FROM keyslot",
	    -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, operator, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
	}
	if (rc == SQLITE_ROW) {
		slots = sqlite3_column_int64(st, 0);
		found = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (rc != SQLITE_ROW) {
		rc = store_sql_err(s, rc, "reading key slots", e);
		goto out;
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
	rc = sqlite3_prepare_v2(
	    s->db, "DELETE FROM keyslot WHERE operator = ?1", -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, operator, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
	}
	rc = rc == SQLITE_DONE ? 0
			       : store_sql_err(s, rc, "removing operator", e);
out:
	sqlite3_finalize(st);
	rc = store_tx_end(s, opened, rc, e);
	if (!rc) {
		/* secure_delete zeroed the slot's pages; move the WAL copy
		 * into the database and truncate the WAL too. */
		sqlite3_wal_checkpoint_v2(
		    s->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
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
	struct keyslot slot;
	sqlite3_stmt *st = NULL;
	const uint8_t *macdek = NULL;
	uint8_t mac[KEYSLOT_MACBYTES];
	uint8_t *sk = NULL;
	int opened = 0;
	int rc = store_require_unlocked(s, e);

	if (rc)
		return rc;
	/* Argon2id takes a while: derive before taking the write lock. */
	rc = keyslot_create(&slot, s->operator, s->slot.kind, secret, len, &sk,
			    e);
	if (rc)
		return rc;
	rc = store_tx_begin(s, &opened, e);
	if (rc)
		goto out;
	rc = store_slot_mac_dek(s, &macdek, e);
	if (rc)
		goto end;
	keyslot_mac(&slot, macdek, mac);
	rc = sqlite3_prepare_v2(s->db,
				"UPDATE keyslot SET salt = ?2, opslimit = ?3, "
				"memlimit = ?4, pk = ?5, wrapped = ?6, "
				"mac = ?7 WHERE id = ?1",
				-1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_blob(st, 7, mac, sizeof(mac), SQLITE_STATIC);
		sqlite3_bind_int64(st, 1, s->slot_id);
		sqlite3_bind_blob(st, 2, slot.salt, KEYSLOT_SALTBYTES,
				  SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, (int64_t)slot.opslimit);
		sqlite3_bind_int64(st, 4, (int64_t)slot.memlimit);
		sqlite3_bind_blob(st, 5, slot.pk, KEYSLOT_PKBYTES,
				  SQLITE_STATIC);
		sqlite3_bind_blob(st, 6, slot.wrapped, KEYSLOT_WRAPPEDBYTES,
				  SQLITE_STATIC);
		rc = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (rc != SQLITE_DONE) {
		rc = store_sql_err(s, rc, "saving key slot", e);
		goto end;
	}
	rc = sqlite3_prepare_v2(s->db, "DELETE FROM datakey WHERE slot = ?1",
				-1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, s->slot_id);
		rc = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	rc = rc == SQLITE_DONE ? 0
			       : store_sql_err(s, rc, "replacing data keys", e);
	for (size_t i = 0; !rc && i < s->ndek; i++)
		rc = store_datakey_insert(s, s->slot_id, &slot, s->dek_gen[i],
				    s->dek[i], e);
end:
	rc = store_tx_end(s, opened, rc, e);
	if (rc)
		goto out;
	sodium_free(s->sk);
	s->sk = sk;
	sk = NULL;
	s->slot = slot;
	/* secure_delete zeroed the old slot's pages; fold the WAL in so no
	 * copy of them stays there either (best effort: a reader may hold
	 * the WAL, and the next checkpoint finishes the job). */
	sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL,
				  NULL);
out:
	if (sk)
		sodium_free(sk);
	return rc;
}

int store_operator_list(struct store *s, store_operator_fn fn, void *ctx,
			struct err *e)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = sqlite3_prepare_v2(s->db,
				"SELECT operator, kind FROM keyslot "
				"ORDER BY operator",
				-1, &st, NULL);
	while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		rc = fn(ctx, (const char *)sqlite3_column_text(st, 0),
			(enum keyslot_kind)sqlite3_column_int(st, 1));
		if (rc)
			goto out;
		rc = SQLITE_OK;
	}
	rc = rc == SQLITE_DONE ? 0
			       : store_sql_err(s, rc, "reading operators", e);
out:
	sqlite3_finalize(st);
	return rc;
}


int store_clone(struct store *s, struct store **out, struct err *e)
{
	struct store *c = NULL;
	int rc = store_require_unlocked(s, e);

	*out = NULL;
	if (rc)
		return rc;
	rc = store_open(&c, s->dir, e);
	if (rc)
		return rc;
	/* The same slot, already opened: no key derivation again. */
	c->slot = s->slot;
	c->slot_id = s->slot_id;
	snprintf(c->operator, sizeof(c->operator), "%s", s->operator);
	c->sk = sodium_malloc(KEYSLOT_SKBYTES);
	if (!c->sk || sealer_new(&c->sealer)) {
		rc = err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	memcpy(c->sk, s->sk, KEYSLOT_SKBYTES);
	rc = store_keys_refresh(c, e);
	if (!rc && c->ndek == 0)
		rc = err_set(e, ERR_CORRUPT, "no data key");
	if (!rc)
		rc = self_actor(c, e);
	if (!rc)
		store_set_clock(c, s->clock_fn, s->clock_ctx);
out:
	if (rc) {
		store_close(c);
		return rc;
	}
	*out = c;
	return 0;
}
