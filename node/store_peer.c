/*
 * store_peer.c - the hub's registry of the nodes it serves: enrollment
 * tokens, node ids and public keys, revocation, the cursors each node has
 * acknowledged, recent request nonces (replay protection) and the changes
 * refused whole.
 *
 * A token is 200 random bits written in base32; the hub keeps only its
 * BLAKE2b hash, so a copy of the database does not let anyone enroll.
 */
#include "node/store_int.h"

#include <string.h>
#include <time.h>

#include "conflict/scope.h"

#define PEER_COLUMNS                                                           \
	"SELECT idx, name, kind, region, node_id, pk, revoked, "               \
	"coalesce(token_expires, 0), created, coalesce(last_contact, 0), "     \
	"push_ack, pull_ack, record_cap, (SELECT count(*) FROM refusal f "     \
	"WHERE f.peer = peer.idx), rebootstrap, " STORE_MAC_PEER_OK            \
	" FROM peer "

static int name_ok(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	if (n == 0 || n >= STORE_NAME_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

static int region_ok(const char *region)
{
	const struct schema_collection *c = schema_collection("case");
	const struct schema_field *f =
	    c && c->scope_region ? schema_field(c, c->scope_region) : NULL;

	if (!region || !*region || strlen(region) >= 32)
		return 0;
	if (!f || !f->values)
		return schema_name_ok(region);
	for (size_t i = 0; f->values[i]; i++)
		if (strcmp(f->values[i], region) == 0)
			return 1;
	return 0;
}

static void token_new(char token[STORE_TOKEN_LEN + 1], uint8_t hash[32])
{
	static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	uint8_t raw[25];

	randombytes_buf(raw, sizeof(raw));
	for (size_t i = 0; i < STORE_TOKEN_LEN; i++) {
		size_t bit = i * 5;
		unsigned v = (unsigned)raw[bit / 8] << 8 |
			     (bit / 8 + 1 < sizeof(raw) ? raw[bit / 8 + 1] : 0);

		token[i] = b32[(v >> (11 - bit % 8)) & 31];
	}
	token[STORE_TOKEN_LEN] = '\0';
	crypto_generichash(hash, 32, (const uint8_t *)token, STORE_TOKEN_LEN,
			   NULL, 0);
	sodium_memzero(raw, sizeof(raw));
}

static int step_done(struct store *s, sqlite3_stmt *st, const char *what,
		     struct err *e)
{
	int rc = sqlite3_step(st);

	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_sql_err(s, rc, what, e);
}

int store_peer_add(struct store *s, const char *name, const char *kind,
		   const char *region, int64_t ttl_s,
		   char token[STORE_TOKEN_LEN + 1], struct err *e)
{
	sqlite3_stmt *st = NULL;
	uint8_t hash[32];
	int64_t now = (int64_t)time(NULL);
	int rc = store_require_unlocked(s, e); /* the row gets a MAC */

	if (rc)
		return rc;
	if (!name_ok(name))
		return err_set(e, ERR_INVALID, "a node name is 1 to %d "
			       "characters of a-z, 0-9, _ and -",
			       STORE_NAME_MAX - 1);
	if (!scope_kind_ok(kind))
		return err_set(e, ERR_INVALID, "kind must be polo, pda or "
			       "attuatore");
	if (!region_ok(region))
		return err_set(e, ERR_INVALID, "unknown region");
	if (ttl_s <= 0)
		return err_set(e, ERR_INVALID, "token lifetime must be > 0");
	rc = sqlite3_prepare_v2(s->db,
				"INSERT INTO peer(name, kind, region, "
				"token_hash, token_expires, created) "
				"VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
				-1, &st, NULL);
	if (rc != SQLITE_OK)
		return store_sql_err(s, rc, "registering node", e);
	token_new(token, hash);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, region, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 4, hash, sizeof(hash), SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 5, now + ttl_s);
	sqlite3_bind_int64(st, 6, now);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if ((rc & 0xff) == SQLITE_CONSTRAINT) {
		sodium_memzero(token, STORE_TOKEN_LEN + 1);
		return err_set(e, ERR_EXISTS, "node '%s' already exists", name);
	}
	if (rc != SQLITE_DONE) {
		sodium_memzero(token, STORE_TOKEN_LEN + 1);
		return store_sql_err(s, rc, "registering node", e);
	}
	/* A Punto di Accesso sees its region from the start. */
	rc = store_mac_reseal(s, STORE_MAC_PEER, sqlite3_last_insert_rowid(s->db),
			      NULL, 0, e);
	if (!rc)
		rc = store_scope_peer_init(s, sqlite3_last_insert_rowid(s->db),
					   e);
	if (rc)
		sodium_memzero(token, STORE_TOKEN_LEN + 1);
	return rc;
}

int store_peer_token(struct store *s, const char *name, int64_t ttl_s,
		     char token[STORE_TOKEN_LEN + 1], struct err *e)
{
	sqlite3_stmt *st = NULL;
	struct store_peer p;
	uint8_t hash[32];
	int opened = 0;
	int rc;

	if (ttl_s <= 0)
		return err_set(e, ERR_INVALID, "token lifetime must be > 0");
	rc = store_require_unlocked(s, e);
	if (rc)
		return rc;
	token_new(token, hash);
	rc = store_tx_begin(s, &opened, e);
	if (rc)
		goto out;
	/* The row is checked before it is written and authenticated again. */
	rc = store_peer_by_name(s, name, &p, e);
	if (rc == ERR_NOTFOUND)
		rc = err_set(e, ERR_NOTFOUND, "no active node '%s'", name);
	if (rc)
		goto end;
	rc = sqlite3_prepare_v2(s->db,
				"UPDATE peer SET token_hash = ?2, "
				"token_expires = ?3, node_id = NULL, pk = NULL "
				"WHERE idx = ?1 AND revoked = 0",
				-1, &st, NULL);
	if (rc != SQLITE_OK) {
		rc = store_sql_err(s, rc, "issuing token", e);
		goto end;
	}
	sqlite3_bind_int64(st, 1, p.idx);
	sqlite3_bind_blob(st, 2, hash, sizeof(hash), SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, (int64_t)time(NULL) + ttl_s);
	rc = step_done(s, st, "issuing token", e);
	if (!rc && sqlite3_changes(s->db) != 1)
		rc = err_set(e, ERR_NOTFOUND, "no active node '%s'", name);
	if (!rc)
		rc = store_mac_reseal(s, STORE_MAC_PEER, p.idx, NULL, 0, e);
end:
	rc = store_tx_end(s, opened, rc, e);
out:
	if (rc)
		sodium_memzero(token, STORE_TOKEN_LEN + 1);
	return rc;
}

static void copy_text(char *dst, size_t n, const unsigned char *src)
{
	snprintf(dst, n, "%s", src ? (const char *)src : "");
}

static int peer_row(sqlite3_stmt *st, struct store_peer *p, struct err *e)
{
	memset(p, 0, sizeof(*p));
	p->idx = sqlite3_column_int64(st, 0);
	copy_text(p->name, sizeof(p->name), sqlite3_column_text(st, 1));
	copy_text(p->kind, sizeof(p->kind), sqlite3_column_text(st, 2));
	copy_text(p->region, sizeof(p->region), sqlite3_column_text(st, 3));
	if (sqlite3_column_type(st, 4) != SQLITE_NULL) {
		if (sqlite3_column_bytes(st, 4) != ID_BYTES ||
		    sqlite3_column_bytes(st, 5) != STORE_SIGN_PKBYTES)
			return err_set(e, ERR_CORRUPT, "node '%s': malformed "
				       "identity", p->name);
		memcpy(p->node_id.b, sqlite3_column_blob(st, 4), ID_BYTES);
		memcpy(p->pk, sqlite3_column_blob(st, 5), STORE_SIGN_PKBYTES);
		p->enrolled = 1;
	}
	p->revoked = sqlite3_column_int(st, 6);
	p->token_expires = sqlite3_column_int64(st, 7);
	p->created = sqlite3_column_int64(st, 8);
	p->last_contact = sqlite3_column_int64(st, 9);
	p->push_ack = (uint64_t)sqlite3_column_int64(st, 10);
	p->pull_ack = (uint64_t)sqlite3_column_int64(st, 11);
	p->record_cap = (uint64_t)sqlite3_column_int64(st, 12);
	p->refused = (uint64_t)sqlite3_column_int64(st, 13);
	p->rebootstrap = sqlite3_column_int(st, 14);
	/* A row altered outside presidio (a public key replaced, a node
	 * added, a cursor moved) is refused as unauthenticated. */
	if (!sqlite3_column_int(st, 15))
		return err_set(e, ERR_AUTH,
			       "node '%s' fails authentication (its "
			       "registration was altered outside presidio)",
			       p->name);
	return 0;
}

/* One peer by a WHERE clause with one blob or text parameter. */
static int peer_find(struct store *s, const char *where, const void *blob,
		     int bloblen, const char *text, struct store_peer *out,
		     struct err *e)
{
	char sql[512];
	sqlite3_stmt *st = NULL;
	int rc;

	snprintf(sql, sizeof(sql), "%s%s", PEER_COLUMNS, where);
	rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return store_sql_err(s, rc, "reading nodes", e);
	if (blob)
		sqlite3_bind_blob(st, 1, blob, bloblen, SQLITE_STATIC);
	else
		sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		rc = peer_row(st, out, e);
	else if (rc == SQLITE_DONE)
		rc = err_set(e, ERR_NOTFOUND, "no such node");
	else
		rc = store_sql_err(s, rc, "reading nodes", e);
	sqlite3_finalize(st);
	return rc;
}

/* The peer of node, its row and scope rows checked: every request of a
 * node is served within its scope, so a scope row of it altered outside
 * presidio refuses the node altogether. */
static int peer_checked(struct store *s, const struct id *node,
			struct store_peer *out, struct err *e)
{
	int rc = peer_find(s, "WHERE node_id = ?1", node->b, ID_BYTES, NULL,
			   out, e);

	if (!rc)
		rc = store_mac_peer_scope(s, out->idx, e);
	return rc;
}

int store_peer_by_node(struct store *s, const struct id *node,
		       struct store_peer *out, struct err *e)
{
	uint32_t gen;
	int rc = store_require_unlocked(s, e); /* checks need the keys */

	if (rc)
		return rc;
	gen = sealer_current(s->sealer);
	rc = peer_checked(s, node, out, e);
	/* Another process may have rotated the data key (rows now name the
	 * new generation) since this handle last loaded keys: load, and ask
	 * once more. */
	if (rc == ERR_AUTH && !s->in_tx && store_keys_refresh(s, NULL) == 0 &&
	    s->sealer && sealer_current(s->sealer) != gen)
		rc = peer_checked(s, node, out, e);
	return rc;
}

int store_peer_by_name(struct store *s, const char *name,
		       struct store_peer *out, struct err *e)
{
	int rc = peer_find(s, "WHERE name = ?1", NULL, 0, name, out, e);

	if (rc == ERR_NOTFOUND && name_ok(name))
		err_set(e, rc, "no node '%s'", name);
	return rc;
}

int store_peer_enroll(struct store *s, const char *token, const struct id *node,
		      const uint8_t *pk, struct store_peer *out, struct err *e)
{
	sqlite3_stmt *st = NULL;
	uint8_t hash[32];
	int opened = 0;
	int rc;

	if (!token || strlen(token) != STORE_TOKEN_LEN)
		return err_set(e, ERR_AUTH, "invalid enrollment token");
	crypto_generichash(hash, sizeof(hash), (const uint8_t *)token,
			   STORE_TOKEN_LEN, NULL, 0);
	rc = store_tx_begin(s, &opened, e);
	if (rc)
		return rc;
	rc = peer_find(s, "WHERE token_hash = ?1 AND token_expires > "
			  "unixepoch() AND revoked = 0",
		       hash, (int)sizeof(hash), NULL, out, e);
	if (rc == ERR_NOTFOUND)
		rc = err_set(e, ERR_AUTH, "invalid or expired enrollment "
			     "token");
	if (rc)
		goto out;
	/* The id must be new here, or this node's own from before: never
	 * the hub's, never another node's (whose changes it would forge). */
	rc = sqlite3_prepare_v2(s->db,
				"SELECT 1 FROM node WHERE id = ?1 AND (coalesce("
				"role, 0) != 0 OR name IS NOT ?2 OR id = (SELECT "
				"value FROM meta WHERE key = 'node_id'))",
				-1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_blob(st, 1, node->b, ID_BYTES, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, out->name, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (rc == SQLITE_ROW) {
		rc = err_set(e, ERR_EXISTS, "that node id belongs to another "
			     "node");
		goto out;
	}
	if (rc != SQLITE_DONE) {
		rc = store_sql_err(s, rc, "enrolling", e);
		goto out;
	}
	/* A (re-)enrolled node starts its cursors over: what it pushes is
	 * deduplicated anyway, and nothing it had counts as acknowledged. */
	rc = sqlite3_prepare_v2(s->db,
				"UPDATE peer SET node_id = ?2, pk = ?3, "
				"token_hash = NULL, token_expires = NULL, "
				"push_ack = 0, pull_ack = 0, rebootstrap = 0, "
				"last_contact = unixepoch() WHERE idx = ?1",
				-1, &st, NULL);
	if (rc != SQLITE_OK) {
		rc = store_sql_err(s, rc, "enrolling", e);
		goto out;
	}
	sqlite3_bind_int64(st, 1, out->idx);
	sqlite3_bind_blob(st, 2, node->b, ID_BYTES, SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, pk, STORE_SIGN_PKBYTES, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if ((rc & 0xff) == SQLITE_CONSTRAINT) {
		rc = err_set(e, ERR_EXISTS, "that node id is enrolled already");
		goto out;
	}
	rc = rc == SQLITE_DONE ? 0 : store_sql_err(s, rc, "enrolling", e);
	if (!rc)
		rc = store_mac_reseal(s, STORE_MAC_PEER, out->idx, NULL, 0, e);
	if (!rc)
		rc = store_node_set(s, node, out->name, STORE_ROLE_NODE, e);
	if (!rc) {
		out->node_id = *node;
		out->enrolled = 1;
		rc = store_scope_peer_init(s, out->idx, e);
	}
	if (!rc) {
		out->node_id = *node;
		memcpy(out->pk, pk, STORE_SIGN_PKBYTES);
		out->enrolled = 1;
		out->token_expires = 0;
	}
out:
	return store_tx_end(s, opened, rc, e);
}

/* Change the row of peer name (checked first, authenticated again). */
static int peer_update(struct store *s, const char *sql, const char *name,
		       int64_t v, struct err *e)
{
	sqlite3_stmt *st = NULL;
	struct store_peer p;
	int opened = 0;
	int rc = store_require_unlocked(s, e);

	if (!rc)
		rc = store_tx_begin(s, &opened, e);
	if (rc)
		return rc;
	rc = store_peer_by_name(s, name, &p, e);
	if (rc)
		goto out;
	rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK) {
		rc = store_sql_err(s, rc, "updating node", e);
		goto out;
	}
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, v);
	rc = step_done(s, st, "updating node", e);
	if (!rc && sqlite3_changes(s->db) != 1)
		rc = name_ok(name) ? err_set(e, ERR_NOTFOUND, "no node '%s'",
					     name)
				   : err_set(e, ERR_NOTFOUND, "no such node");
	if (!rc)
		rc = store_mac_reseal(s, STORE_MAC_PEER, p.idx, NULL, 0, e);
out:
	return store_tx_end(s, opened, rc, e);
}

/* Run sql (?1 = idx, ?2, ?3 = a, b) on the row of peer idx, checked
 * before and authenticated again after, in one transaction. */
int store_peer_write(struct store *s, int64_t idx, const char *sql,
		     int64_t a, int64_t b, const char *what, struct err *e)
{
	sqlite3_stmt *st = NULL;
	int opened = 0;
	int rc = store_require_unlocked(s, e);

	if (!rc)
		rc = store_tx_begin(s, &opened, e);
	if (rc)
		return rc;
	rc = store_mac_check(s, STORE_MAC_PEER, idx, NULL, 0, e);
	if (!rc) {
		rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
		if (rc == SQLITE_OK) {
			sqlite3_bind_int64(st, 1, idx);
			sqlite3_bind_int64(st, 2, a);
			sqlite3_bind_int64(st, 3, b);
			rc = step_done(s, st, what, e);
		} else {
			rc = store_sql_err(s, rc, what, e);
		}
	}
	if (!rc)
		rc = store_mac_reseal(s, STORE_MAC_PEER, idx, NULL, 0, e);
	return store_tx_end(s, opened, rc, e);
}

/*
 * Revoking is what a peer whose row was altered outside presidio needs,
 * so it does not go through the row's check: the row is revoked and its
 * token dropped either way; when it failed authentication, its node id and
 * public key (someone else's, perhaps) are cleared too, so re-authenticating
 * the row afterwards blesses no identity that presidio did not write.  A
 * row that passes keeps them, so the node is told it was revoked.
 */
int store_peer_revoke(struct store *s, const char *name, struct err *e)
{
	sqlite3_stmt *st = NULL;
	int64_t idx = 0;
	int opened = 0, intact = 0, found = 0;
	int rc = store_require_unlocked(s, e);

	if (!rc)
		rc = store_tx_begin(s, &opened, e);
	if (rc)
		return rc;
	rc = sqlite3_prepare_v2(s->db,
				"SELECT idx, " STORE_MAC_PEER_OK " FROM peer "
				"WHERE name = ?1",
				-1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			found = 1;
			idx = sqlite3_column_int64(st, 0);
			intact = sqlite3_column_int(st, 1);
			rc = SQLITE_DONE;
		}
	}
	sqlite3_finalize(st);
	st = NULL;
	if (rc != SQLITE_DONE) {
		rc = store_sql_err(s, rc, "reading nodes", e);
		goto out;
	}
	if (!found) {
		rc = name_ok(name) ? err_set(e, ERR_NOTFOUND, "no node '%s'",
					     name)
				   : err_set(e, ERR_NOTFOUND, "no such node");
		goto out;
	}
	rc = sqlite3_prepare_v2(s->db,
				"UPDATE peer SET revoked = 1, token_hash = "
				"NULL, node_id = CASE WHEN ?2 THEN node_id "
				"END, pk = CASE WHEN ?2 THEN pk END WHERE idx "
				"= ?1",
				-1, &st, NULL);
	if (rc != SQLITE_OK) {
		rc = store_sql_err(s, rc, "revoking node", e);
		goto out;
	}
	sqlite3_bind_int64(st, 1, idx);
	sqlite3_bind_int(st, 2, intact);
	rc = step_done(s, st, "revoking node", e);
	if (!rc)
		rc = store_mac_reseal(s, STORE_MAC_PEER, idx, NULL, 0, e);
out:
	return store_tx_end(s, opened, rc, e);
}

int store_peer_set_cap(struct store *s, const char *name, uint64_t cap,
		       struct err *e)
{
	return peer_update(s, "UPDATE peer SET record_cap = ?2 WHERE name = ?1",
			   name, (int64_t)cap, e);
}

int store_peer_list(struct store *s, store_peer_fn fn, void *ctx,
		    struct err *e)
{
	struct store_peer p;
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(s->db, PEER_COLUMNS "ORDER BY name", -1,
				    &st, NULL);

	if (rc != SQLITE_OK)
		return store_sql_err(s, rc, "listing nodes", e);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		rc = peer_row(st, &p, e);
		if (!rc)
			rc = fn(ctx, &p);
		if (rc)
			goto out;
	}
	rc = rc == SQLITE_DONE ? 0 : store_sql_err(s, rc, "listing nodes", e);
out:
	sqlite3_finalize(st);
	return rc;
}

int store_peer_nonce(struct store *s, int64_t peer, const uint8_t *nonce,
		     int64_t ms, int64_t window_ms, struct err *e)
{
	sqlite3_stmt *st = NULL;
	int opened = 0;
	int rc = store_tx_begin(s, &opened, e);

	if (rc)
		return rc;
	rc = sqlite3_prepare_v2(s->db, "DELETE FROM nonce WHERE at < ?1", -1,
				&st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, ms - 2 * window_ms);
		rc = step_done(s, st, "forgetting nonces", e);
	} else {
		rc = store_sql_err(s, rc, "forgetting nonces", e);
	}
	if (rc)
		goto out;
	rc = sqlite3_prepare_v2(s->db,
				"INSERT INTO nonce(peer, nonce, at) "
				"VALUES (?1, ?2, ?3)",
				-1, &st, NULL);
	if (rc != SQLITE_OK) {
		rc = store_sql_err(s, rc, "recording nonce", e);
		goto out;
	}
	sqlite3_bind_int64(st, 1, peer);
	sqlite3_bind_blob(st, 2, nonce, 16, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, ms);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if ((rc & 0xff) == SQLITE_CONSTRAINT) {
		rc = err_set(e, ERR_CONFLICT, "request replayed");
		goto out;
	}
	if (rc != SQLITE_DONE) {
		rc = store_sql_err(s, rc, "recording nonce", e);
		goto out;
	}
	rc = sqlite3_prepare_v2(s->db,
				"UPDATE peer SET last_contact = unixepoch() "
				"WHERE idx = ?1",
				-1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, peer);
		rc = step_done(s, st, "updating node", e);
	} else {
		rc = store_sql_err(s, rc, "updating node", e);
	}
out:
	return store_tx_end(s, opened, rc, e);
}

int store_peer_ack(struct store *s, int64_t peer, uint64_t push_ack,
		   uint64_t pull_ack, struct err *e)
{
	return store_peer_write(s, peer,
				"UPDATE peer SET push_ack = max(push_ack, "
				"?2), pull_ack = max(pull_ack, ?3) "
				"WHERE idx = ?1",
				(int64_t)push_ack, (int64_t)pull_ack,
				"updating cursors", e);
}

int store_peer_refuse(struct store *s, int64_t peer, uint64_t oseq,
		      const struct id *record, const char *reason,
		      struct err *e)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(s->db,
				    "INSERT OR REPLACE INTO refusal(peer, "
				    "oseq, record, reason, at) VALUES (?1, ?2, "
				    "?3, ?4, unixepoch())",
				    -1, &st, NULL);

	if (rc != SQLITE_OK)
		return store_sql_err(s, rc, "recording refusal", e);
	sqlite3_bind_int64(st, 1, peer);
	sqlite3_bind_int64(st, 2, (int64_t)oseq);
	sqlite3_bind_blob(st, 3, record->b, ID_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, reason, -1, SQLITE_STATIC);
	return step_done(s, st, "recording refusal", e);
}

/*
 * The node has forgotten everything, its own changes too: until its pull
 * passes the end of the log as it is now, those come back to it
 * (store_scope_log(), table peer_rebuild).
 */
int store_peer_rebootstrapped(struct store *s, int64_t peer, struct err *e)
{
	sqlite3_stmt *st = NULL;
	int opened = 0;
	int rc = store_tx_begin(s, &opened, e);

	if (!rc)
		rc = store_peer_write(s, peer,
				      "UPDATE peer SET rebootstrap = 0, "
				      "pull_ack = 0 WHERE idx = ?1",
				      0, 0, "updating node", e);
	if (!rc) {
		rc = sqlite3_prepare_v2(s->db,
					"INSERT OR REPLACE INTO peer_rebuild("
					"peer, upto) VALUES (?1, (SELECT "
					"coalesce(max(seq), 0) FROM change))",
					-1, &st, NULL);
		if (rc != SQLITE_OK) {
			rc = store_sql_err(s, rc, "updating node", e);
		} else {
			sqlite3_bind_int64(st, 1, peer);
			rc = step_done(s, st, "updating node", e);
		}
	}
	return store_tx_end(s, opened, rc, e);
}
