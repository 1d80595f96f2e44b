/*
 * store_mac.c - MACs of the clear rows that sync and the audit trail rely
 * on (migration 0010); the change log's high-water mark is store_mark.c.
 *
 * Threat: someone who can write the database files but knows no passphrase.
 * Every row whose change could redirect data, widen a scope, move a cursor
 * or rewrite history carries mac = presidio_mac('<table>', <columns>), the
 * columns being those of enum store_mac_table (store_int.h lists them).
 *
 * The MAC is keyed BLAKE2b-128 under a row key derived from a data key
 * (BLAKE2b keyed by the data key over a context of its own, so the data key
 * itself is never used for two purposes); the stored value is
 * u8 1 | u32le generation | 16-byte tag, so a row names the generation it
 * was authenticated under.  Writes use the generation new boxes are sealed
 * with; a key rotation re-authenticates the rows it re-seals (store_rekey.c)
 * and, as it finishes, every other row that still passes
 * (store_mac_rotate()), before the old key is retired.  The input is a
 * domain, the table name, then each value as SQLite holds it (type byte,
 * then 8 bytes for a number, or a 4-byte length and the bytes), so the same
 * function computes the MAC inside the writing statement from the bound
 * values and checks it from the stored columns.
 *
 * The two SQL functions are registered SQLITE_DIRECTONLY: a trigger or view
 * planted in the file cannot call them to have a forged row authenticated.
 * A row re-authenticated after an UPDATE (store_mac_reseal()) is read back,
 * so its table must hold no trigger or generated column (presidio makes
 * none), which could change it between the caller's check and there; verify
 * reports any in the database.
 *
 * Older stores: rows without a MAC get one at the first unlock (a migration
 * cannot compute them).  What says "this store was upgraded" must be
 * something a file writer cannot forge or remove: the key slots' MAC.  An
 * upgraded store authenticates slots under a key derived from the data key
 * (version 2); a store whose unlocked slot still passes under the data key
 * itself (version 1) is an older one and is upgraded in one transaction.
 * A new store authenticates its slot and rows the version 2 way from its
 * creation (store_mac_created()), so a version 1 slot only comes from the
 * landed release, which wrote no row MAC and no mark: a version 1 slot in
 * a store holding either is a slot MAC put back from an older copy, and
 * unlock refuses it rather than authenticate rows planted without MAC.
 * (With every row MAC blanked and the mark deleted as well, the store is
 * one never upgraded: README's limits.)
 * A blanked row MAC afterwards is a failure, never "legacy".
 *
 * Checked where used: a peer whose row fails is refused as unauthenticated
 * (registry/registry_peer.c), as are its requests when a scope row of it
 * fails; the hub's pull sends no entry whose record or change row fails
 * (registry/registry_scope_log.c); the remote stops sync; a checkpoint
 * fails to read; a case's scope row stops the write that would re-decide
 * it.  verify checks every table (store_mac_verify()) and the high-water
 * mark.
 */
#include "node/store_int.h"

#include <sqlite3.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/le.h"

#define MAC_DOMAIN "presidio.row.mac.v1"
#define ROWKEY_CONTEXT "presidio.row.key.v1"
#define SLOTKEY_CONTEXT "presidio.slot.key.v2"

struct mac_table {
	const char *name;
	const char *cols;   /* covered, in this order */
	const char *key;    /* one row: ?1 int, ?2 blob, ?3 text */
	const char *filter; /* rows covered */
};

static const struct mac_table tables[STORE_MAC_TABLES] = {
    [STORE_MAC_PEER] = { "peer", STORE_MAC_COLS_PEER, "idx = ?1", "1" },
    [STORE_MAC_SCOPE_CASE] = { "scope_case", STORE_MAC_COLS_SCOPE_CASE,
			       "id = ?2", "1" },
    [STORE_MAC_SCOPE_MEMBER] = { "scope_member", STORE_MAC_COLS_SCOPE_MEMBER,
				 "peer = ?1 AND case_id = ?2", "1" },
    [STORE_MAC_SCOPE_EVENT] = { "scope_event", STORE_MAC_COLS_SCOPE_EVENT,
				"rowid = ?1", "1" },
    [STORE_MAC_REMOTE] = { "remote", STORE_MAC_COLS_REMOTE, "id = ?1", "1" },
    [STORE_MAC_NODE] = { "node", STORE_MAC_COLS_NODE, "idx = ?1", "1" },
    [STORE_MAC_ACTOR] = { "actor", STORE_MAC_COLS_ACTOR, "idx = ?1", "1" },
    [STORE_MAC_META] = { "meta", STORE_MAC_COLS_META, "key = ?3",
			 STORE_MAC_META_FILTER },
    [STORE_MAC_RECORD] = { "record", STORE_MAC_COLS_RECORD, "rid = ?1", "1" },
    [STORE_MAC_CHANGE] = { "change", STORE_MAC_COLS_CHANGE, "seq = ?1", "1" },
    [STORE_MAC_ALLOCATION] = { "allocation", STORE_MAC_COLS_ALLOCATION,
			       "rowid = ?1", "1" },
    [STORE_MAC_AUDIT] = { "audit", STORE_MAC_COLS_AUDIT, "seq = ?1", "1" },
    [STORE_MAC_GLASS] = { "glass", STORE_MAC_COLS_GLASS, "id = ?1", "1" },
};

/* ---- keys ---- */

static void derive(const uint8_t *dek, const char *context, uint8_t *out)
{
	crypto_generichash(out, STORE_MAC_KEYBYTES, (const uint8_t *)context,
			   strlen(context), dek, KEYSLOT_DEKBYTES);
}

/* The row key of generation gen, NULL when its data key is not loaded.
 * Derived keys are kept per handle (at most SEAL_MAX_KEYS), checked
 * against the loaded data keys on every use so a retired one is never
 * used. */
const uint8_t *store_mac_row_key(struct store *s, uint32_t gen)
{
	const uint8_t *dek = s->sealer ? store_dek_of(s, gen) : NULL;
	size_t slot = 0;

	if (!dek || gen == 0)
		return NULL;
	for (size_t i = 0; i < SEAL_MAX_KEYS; i++) {
		if (s->rowkey[i] && s->rowkey_gen[i] == gen)
			return s->rowkey[i];
		if (!s->rowkey[i] || !store_dek_of(s, s->rowkey_gen[i]))
			slot = i;
	}
	if (!s->rowkey[slot]) {
		s->rowkey[slot] = sodium_malloc(STORE_MAC_KEYBYTES);
		if (!s->rowkey[slot])
			return NULL;
	}
	derive(dek, ROWKEY_CONTEXT, s->rowkey[slot]);
	s->rowkey_gen[slot] = gen;
	return s->rowkey[slot];
}

void store_mac_slot_key(const uint8_t *dek, uint8_t out[STORE_MAC_KEYBYTES])
{
	derive(dek, SLOTKEY_CONTEXT, out);
}

void store_mac_release(struct store *s)
{
	for (size_t i = 0; i < SEAL_MAX_KEYS; i++) {
		if (s->rowkey[i])
			sodium_free(s->rowkey[i]);
		s->rowkey[i] = NULL;
		s->rowkey_gen[i] = 0;
	}
	if (s->slotkey)
		sodium_free(s->slotkey);
	s->slotkey = NULL;
}

/* ---- the MAC of a list of SQL values ---- */

static void hash_value(crypto_generichash_state *st, sqlite3_value *v)
{
	uint8_t head[9];
	int type = sqlite3_value_type(v);

	head[0] = (uint8_t)type;
	switch (type) {
	case SQLITE_INTEGER:
		le_put64(head + 1, (uint64_t)sqlite3_value_int64(v));
		crypto_generichash_update(st, head, 9);
		break;
	case SQLITE_FLOAT: {
		double d = sqlite3_value_double(v);
		uint64_t bits;

		memcpy(&bits, &d, sizeof(bits));
		le_put64(head + 1, bits);
		crypto_generichash_update(st, head, 9);
		break;
	}
	case SQLITE_TEXT:
	case SQLITE_BLOB: {
		const void *p = type == SQLITE_TEXT
				    ? (const void *)sqlite3_value_text(v)
				    : sqlite3_value_blob(v);
		int n = sqlite3_value_bytes(v);

		le_put32(head + 1, (uint32_t)n);
		crypto_generichash_update(st, head, 5);
		if (n > 0 && p)
			crypto_generichash_update(st, p, (size_t)n);
		break;
	}
	default:
		crypto_generichash_update(st, head, 1);
		break;
	}
}

/* The tag of table name and values under key. */
static void tag_of(const uint8_t *key, sqlite3_value *name, int n,
		   sqlite3_value **v, uint8_t tag[STORE_MAC_TAGBYTES])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, key, STORE_MAC_KEYBYTES,
				STORE_MAC_TAGBYTES);
	crypto_generichash_update(&st, (const uint8_t *)MAC_DOMAIN,
				  sizeof(MAC_DOMAIN));
	hash_value(&st, name);
	for (int i = 0; i < n; i++)
		hash_value(&st, v[i]);
	crypto_generichash_final(&st, tag, STORE_MAC_TAGBYTES);
	sodium_memzero(&st, sizeof(st));
}

/* presidio_mac(table, values...): the MAC of a row about to be written,
 * under the generation new boxes use; NULL while the store is locked (the
 * row then gets its MAC at the first unlock of an older store, or fails). */
static void sql_mac(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct store *s = sqlite3_user_data(ctx);
	uint8_t out[STORE_MAC_BYTES];
	uint32_t gen = s->sealer ? sealer_current(s->sealer) : 0;
	const uint8_t *key = argc >= 1 ? store_mac_row_key(s, gen) : NULL;

	if (!key) {
		sqlite3_result_null(ctx);
		return;
	}
	out[0] = 1;
	le_put32(out + 1, gen);
	tag_of(key, argv[0], argc - 1, argv + 1, out + 5);
	sqlite3_result_blob(ctx, out, sizeof(out), SQLITE_TRANSIENT);
}

/* presidio_mac_ok(mac, table, values...): 1 when mac authenticates the
 * row, 0 when not (missing, malformed, of a retired generation, or
 * wrong).  1 while the store is locked: nothing can be told then, and no
 * caller relies on the answer before unlocking. */
static void sql_mac_ok(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct store *s = sqlite3_user_data(ctx);
	const uint8_t *mac;
	const uint8_t *key;
	uint8_t want[STORE_MAC_TAGBYTES];
	int ok;

	if (!s->sealer) {
		sqlite3_result_int(ctx, 1);
		return;
	}
	if (argc < 2 || sqlite3_value_type(argv[0]) != SQLITE_BLOB ||
	    sqlite3_value_bytes(argv[0]) != STORE_MAC_BYTES) {
		sqlite3_result_int(ctx, 0);
		return;
	}
	mac = sqlite3_value_blob(argv[0]);
	key = mac[0] == 1 ? store_mac_row_key(s, le_get32(mac + 1)) : NULL;
	if (!key) {
		sqlite3_result_int(ctx, 0);
		return;
	}
	tag_of(key, argv[1], argc - 2, argv + 2, want);
	ok = sodium_memcmp(want, mac + 5, STORE_MAC_TAGBYTES) == 0;
	sodium_memzero(want, sizeof(want));
	sqlite3_result_int(ctx, ok);
}

int store_mac_register(struct store *s, struct err *e)
{
	int flags = SQLITE_UTF8 | SQLITE_DIRECTONLY;
	int rc = sqlite3_create_function(s->db, "presidio_mac", -1, flags, s,
					 sql_mac, NULL, NULL);

	if (rc == SQLITE_OK)
		rc = sqlite3_create_function(s->db, "presidio_mac_ok", -1,
					     flags, s, sql_mac_ok, NULL, NULL);
	return rc == SQLITE_OK ? 0
			       : err_set(e, rc == SQLITE_NOMEM ? ERR_NOMEM
							       : ERR_FAIL,
					 "registering functions: %s",
					 sqlite3_errstr(rc));
}

/* ---- schema ---- */

int store_mac_schema_check(struct store *s, const char *table,
			   struct err *e)
{
	struct store_q *st = NULL;
	int64_t n = 0;
	int rc;

	/* Triggers, and generated (hidden 2, 3) columns, of the table or
	 * of any. */
	st = store_q(
	    s,
	    "SELECT (SELECT count(*) FROM sqlite_schema WHERE type = "
	    "'trigger' AND (?1 IS NULL OR tbl_name = ?1)) + (SELECT count(*) "
	    "FROM sqlite_schema t, pragma_table_xinfo(t.name) x WHERE "
	    "t.type = 'table' AND (?1 IS NULL OR t.name = ?1) AND "
	    "x.hidden > 1)",
	    "reading schema");
	store_q_bind_text(st, 1, table);
	if (store_q_row(st))
		n = store_q_col_i64(st, 0);
	rc = store_q_end(st, e);
	if (rc)
		return rc;
	return n ? err_set(e, ERR_CORRUPT,
			   "the database holds triggers or generated columns "
			   "presidio never makes (altered outside presidio)")
		 : 0;
}

/* ---- one row ---- */

/* Bind the key of one row of t (the parameters its key clause uses). */
static void bind_key(struct store_q *st, enum store_mac_table t, int64_t k,
		     const void *kb, int kblen)
{
	if (strstr(tables[t].key, "?1"))
		store_q_bind_int(st, 1, k);
	if (strstr(tables[t].key, "?2"))
		store_q_bind_blob(st, 2, kb, kblen);
	if (strstr(tables[t].key, "?3"))
		store_q_bind_text(st, 3, kb); /* meta: a NUL-terminated key */
}

int store_mac_reseal(struct store *s, enum store_mac_table t, int64_t k,
		     const void *kb, int kblen, struct err *e)
{
	char sql[512];
	struct store_q *st = NULL;
	int rc;

	if (!s->sealer)
		return 0; /* an older store's first unlock does it */
	/* Re-authenticating reads the row back: nothing planted may have
	 * changed it between the caller's check and here. */
	rc = store_mac_schema_check(s, tables[t].name, e);
	if (rc)
		return rc;
	snprintf(sql, sizeof(sql),
		 "UPDATE %s SET mac = presidio_mac('%s', %s) WHERE %s",
		 tables[t].name, tables[t].name, tables[t].cols,
		 tables[t].key);
	st = store_q(s, sql, "authenticating");
	bind_key(st, t, k, kb, kblen);
	return store_q_run(st, e);
}

int store_mac_check(struct store *s, enum store_mac_table t, int64_t k,
		    const void *kb, int kblen, struct err *e)
{
	char sql[512];
	struct store_q *st = NULL;
	int rc, ok = 1;

	if (!s->sealer)
		return 0;
	snprintf(sql, sizeof(sql),
		 "SELECT presidio_mac_ok(mac, '%s', %s) FROM %s WHERE %s",
		 tables[t].name, tables[t].cols, tables[t].name,
		 tables[t].key);
	st = store_q(s, sql, "authenticating");
	bind_key(st, t, k, kb, kblen);
	if (store_q_row(st))
		ok = store_q_col_int(st, 0);
	rc = store_q_end(st, e);
	if (rc)
		return rc;
	return ok ? 0
		  : err_set(e, ERR_AUTH,
			    "a %s row fails authentication (altered outside "
			    "presidio)",
			    tables[t].name);
}

/* ---- every row ---- */

/* Authenticate again, under the generation in use, every row without a
 * MAC (missing = 1) or every row that passes (missing = 0, but record and
 * change: the re-sealing pass did those). */
static int remac_all(struct store *s, int missing, struct err *e)
{
	char sql[2048];

	for (int t = 0; t < STORE_MAC_TABLES; t++) {
		int rc;

		if (!missing && (t == STORE_MAC_RECORD || t == STORE_MAC_CHANGE))
			continue;
		if (missing)
			snprintf(sql, sizeof(sql),
				 "UPDATE %s SET mac = presidio_mac('%s', %s) "
				 "WHERE (%s) AND mac IS NULL",
				 tables[t].name, tables[t].name,
				 tables[t].cols, tables[t].filter);
		else
			snprintf(sql, sizeof(sql),
				 "UPDATE %s SET mac = presidio_mac('%s', %s) "
				 "WHERE (%s) AND presidio_mac_ok(mac, '%s', %s)",
				 tables[t].name, tables[t].name,
				 tables[t].cols, tables[t].filter,
				 tables[t].name, tables[t].cols);
		rc = store_exec(s, sql, e);
		if (rc)
			return rc;
	}
	return 0;
}

int store_mac_rotate(struct store *s, struct err *e)
{
	/* Rows the re-sealing pass did not rewrite (it did records and the
	 * log), still passing under their generation, move to the new one;
	 * a row that fails keeps its MAC and keeps failing. */
	return remac_all(s, 0, e);
}

int store_mac_created(struct store *s, const uint8_t *dek, uint32_t gen,
		      struct err *e)
{
	uint8_t *copy = NULL;
	int rc;

	/* presidio_mac() needs the data key loaded: the creating handle
	 * holds it for this pass only, then forgets it (store_init()
	 * leaves the store locked). */
	if (s->sealer || s->ndek)
		return err_set(e, ERR_FAIL, "store already unlocked");
	if (sealer_new(&s->sealer) ||
	    !(copy = sodium_malloc(KEYSLOT_DEKBYTES))) {
		rc = err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	memcpy(copy, dek, KEYSLOT_DEKBYTES);
	s->dek[0] = copy;
	s->dek_gen[0] = gen;
	s->ndek = 1;
	rc = sealer_add_key(s->sealer, gen, dek)
		 ? err_set(e, ERR_FAIL, "cannot load data key")
		 : remac_all(s, 1, e);
out:
	store_keys_release(s);
	return rc;
}

int store_mac_verify(struct store *s, uint64_t *bad, struct err *e)
{
	char sql[1024], names[256];
	size_t o = 0;
	int rc = 0;

	*bad = 0;
	names[0] = '\0';
	for (int t = 0; t < STORE_MAC_TABLES; t++) {
		struct store_q *st = NULL;
		int64_t n = 0;

		snprintf(sql, sizeof(sql),
			 "SELECT count(*) FROM %s WHERE (%s) AND NOT "
			 "presidio_mac_ok(mac, '%s', %s)",
			 tables[t].name, tables[t].filter, tables[t].name,
			 tables[t].cols);
		st = store_q(s, sql, "verifying");
		if (store_q_row(st))
			n = store_q_col_i64(st, 0);
		rc = store_q_end(st, e);
		if (rc)
			return rc;
		if (n > 0 && o < sizeof(names))
			o += (size_t)snprintf(names + o, sizeof(names) - o,
					      "%s%s %lld", o ? ", " : "",
					      tables[t].name, (long long)n);
		*bad += (uint64_t)n;
	}
	if (*bad)
		return err_set(e, ERR_CORRUPT,
			       "%llu rows fail authentication (altered outside "
			       "presidio): %s",
			       (unsigned long long)*bad, names);
	return 0;
}

/* ---- unlock: older stores ---- */

/* 1 when the unlocked slot is authenticated under the data key itself:
 * a store from before row MACs. */
static int slot_is_v1(struct store *s, const uint8_t *dek)
{
	struct store_q *st = NULL;
	struct keyslot slot;
	int v1 = 0;

	store_session_slot(s->sess, &slot);
	st = store_q(s, "SELECT mac FROM keyslot WHERE id = ?1", "key slots");
	store_q_bind_int(st, 1, store_session_slot_id(s->sess));
	if (store_q_row(st))
		v1 = keyslot_mac_check(&slot, dek, store_q_col_blob(st, 0),
				       (size_t)store_q_col_bytes(st, 0),
				       NULL) == 0;
	(void)store_q_end(st, NULL); /* unreadable: not v1 */
	return v1;
}

/* 1 when some protected row already carries a MAC: the store was made
 * or upgraded by a release with row MACs, never by the landed one. */
static int any_row_mac(struct store *s, int *found, struct err *e)
{
	char sql[256];

	*found = 0;
	for (int t = 0; t < STORE_MAC_TABLES && !*found; t++) {
		struct store_q *st = NULL;
		int rc;

		snprintf(sql, sizeof(sql),
			 "SELECT EXISTS (SELECT 1 FROM %s WHERE mac IS NOT "
			 "NULL)",
			 tables[t].name);
		st = store_q(s, sql, "reading rows");
		if (store_q_row(st))
			*found = store_q_col_int(st, 0);
		rc = store_q_end(st, e);
		if (rc)
			return rc;
	}
	return 0;
}


int store_mac_unlocked(struct store *s, struct err *e)
{
	uint8_t slotkey[STORE_MAC_KEYBYTES];
	const uint8_t *dek = NULL;
	int64_t gen = 0;
	int opened = 0;
	int rc = store_meta_get_int(s, "key_gen", &gen, e);

	if (rc)
		return rc;
	dek = store_dek_of(s, (uint32_t)gen);
	if (!dek || !slot_is_v1(s, dek))
		return 0;
	rc = store_tx_begin(s, &opened, e);
	if (rc)
		return rc;
	/* Again under the write lock: another process may have done it. */
	dek = store_dek_of(s, (uint32_t)gen);
	if (dek && slot_is_v1(s, dek)) {
		uint64_t marked = 0, bad = 0;
		int found = 0, marked_found = 0;

		/* A store the landed release made has no row MAC and no
		 * mark.  Either one means this slot's MAC was written back
		 * from an older copy, so that rows planted without a MAC
		 * would be authenticated here: refuse. */
		rc = any_row_mac(s, &found, e);
		if (!rc && !found &&
		    store_mac_mark_read(s, &marked, &marked_found, NULL) == 0)
			found = marked_found;
		if (!rc && found)
			rc = err_set(e, ERR_CORRUPT,
				     "the key slot of operator '%s' is "
				     "authenticated as in a store from before "
				     "row MACs, but this store has them: the "
				     "key slot was put back from an older copy "
				     "(altered outside presidio)",
				     store_session_operator(s->sess));
		if (rc)
			goto end;
		store_mac_slot_key(dek, slotkey);
		rc = remac_all(s, 1, e);
		/* Slots that pass under the data key itself (version 1)
		 * move to the derived slot key (version 2); one that fails
		 * either way is left for verify to report. */
		if (!rc)
			rc = store_slots_mac(s, dek, slotkey, &bad, e);
		sodium_memzero(slotkey, sizeof(slotkey));
	}
end:
	return store_tx_end(s, opened, rc, e);
}

