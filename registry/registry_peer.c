/*
 * registry_peer.c - the hub's registry of the nodes it serves: enrollment
 * tokens, node ids and public keys, revocation, the cursors each node has
 * acknowledged, recent request nonces (replay protection) and the changes
 * refused whole.
 *
 * A token is 200 random bits written in base32; the hub keeps only its
 * BLAKE2b hash, so a copy of the database does not let anyone enroll.
 */
#include "registry/registry_int.h"

#include <string.h>
#include <time.h>

#include "conflict/scope.h"

#define PEER_COLUMNS                                                           \
	"SELECT idx, name, kind, region, node_id, pk, revoked, "               \
	"coalesce(token_expires, 0), created, coalesce(last_contact, 0), "     \
	"push_ack, pull_ack, record_cap, (SELECT count(*) FROM refusal f "     \
	"WHERE f.peer = peer.idx), rebootstrap, " STORE_MAC_PEER_OK            \
	", coalesce(schema_version, 0) FROM peer "

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

/*
 * A region a peer may serve: one the schema's scope roots allow in the
 * field they declare as their region (scope_region), when it lists its
 * values; any name otherwise.
 */
static int region_ok(const char *region)
{
	int listed = 0;

	if (!region || !*region || strlen(region) >= 32)
		return 0;
	for (size_t i = 0; i < schema_count(); i++) {
		const struct schema_collection *c = schema_at(i);
		const struct schema_field *f =
		    c->scope_region ? schema_field(c, c->scope_region) : NULL;

		if (!f || !f->values)
			continue;
		listed = 1;
		for (size_t j = 0; f->values[j]; j++)
			if (strcmp(f->values[j], region) == 0)
				return 1;
	}
	return listed ? 0 : schema_name_ok(region);
}

static void token_new(char token[REGISTRY_TOKEN_LEN + 1], uint8_t hash[32])
{
	static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	uint8_t raw[25];

	randombytes_buf(raw, sizeof(raw));
	for (size_t i = 0; i < REGISTRY_TOKEN_LEN; i++) {
		size_t bit = i * 5;
		unsigned v = (unsigned)raw[bit / 8] << 8 |
			     (bit / 8 + 1 < sizeof(raw) ? raw[bit / 8 + 1] : 0);

		token[i] = b32[(v >> (11 - bit % 8)) & 31];
	}
	token[REGISTRY_TOKEN_LEN] = '\0';
	crypto_generichash(hash, 32, (const uint8_t *)token, REGISTRY_TOKEN_LEN,
			   NULL, 0);
	sodium_memzero(raw, sizeof(raw));
}

int registry_peer_add(struct store *s, const char *name, const char *kind,
		      const char *region, int64_t ttl_s,
		      char token[REGISTRY_TOKEN_LEN + 1], struct err *e)
{
	struct store_q *st = NULL;
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
	st = store_q(s,
		     "INSERT INTO peer(name, kind, region, token_hash, "
		     "token_expires, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
		     "registering node");
	token_new(token, hash);
	store_q_bind_text(st, 1, name);
	store_q_bind_text(st, 2, kind);
	store_q_bind_text(st, 3, region);
	store_q_bind_blob(st, 4, hash, sizeof(hash));
	store_q_bind_int(st, 5, now + ttl_s);
	store_q_bind_int(st, 6, now);
	store_q_row(st);
	if (store_q_constraint(st)) {
		(void)store_q_end(st, NULL);
		sodium_memzero(token, REGISTRY_TOKEN_LEN + 1);
		return err_set(e, ERR_EXISTS, "node '%s' already exists", name);
	}
	rc = store_q_end(st, e);
	if (rc) {
		sodium_memzero(token, REGISTRY_TOKEN_LEN + 1);
		return rc;
	}
	/* A Punto di Accesso sees its region from the start. */
	rc = store_mac_reseal(s, STORE_MAC_PEER, store_sql_last_id(s),
			      NULL, 0, e);
	if (!rc)
		rc = registry_scope_peer_init(s, store_sql_last_id(s), e);
	if (rc)
		sodium_memzero(token, REGISTRY_TOKEN_LEN + 1);
	return rc;
}

int registry_peer_token(struct store *s, const char *name, int64_t ttl_s,
			char token[REGISTRY_TOKEN_LEN + 1], struct err *e)
{
	struct store_q *st = NULL;
	struct registry_peer p;
	uint8_t hash[32];
	int opened = 0;
	int rc;

	if (ttl_s <= 0)
		return err_set(e, ERR_INVALID, "token lifetime must be > 0");
	rc = store_require_unlocked(s, e);
	if (rc)
		return rc;
	token_new(token, hash);
	/* Nothing opened (opened 0): store_tx_end() below returns rc. */
	rc = store_tx_begin(s, &opened, e);
	if (rc)
		goto out;
	/* The row is checked before it is written and authenticated again. */
	rc = registry_peer_by_name(s, name, &p, e);
	if (rc == ERR_NOTFOUND)
		rc = err_set(e, ERR_NOTFOUND, "no active node '%s'", name);
	if (rc)
		goto out;
	st = store_q(s,
		     "UPDATE peer SET token_hash = ?2, token_expires = ?3, "
		     "node_id = NULL, pk = NULL WHERE idx = ?1 AND revoked = 0",
		     "issuing token");
	store_q_bind_int(st, 1, p.idx);
	store_q_bind_blob(st, 2, hash, sizeof(hash));
	store_q_bind_int(st, 3, (int64_t)time(NULL) + ttl_s);
	rc = store_q_run(st, e);
	if (!rc && store_sql_changes(s) != 1)
		rc = err_set(e, ERR_NOTFOUND, "no active node '%s'", name);
	if (!rc)
		rc = store_mac_reseal(s, STORE_MAC_PEER, p.idx, NULL, 0, e);
out:
	rc = store_tx_end(s, opened, rc, e);
	if (rc)
		sodium_memzero(token, REGISTRY_TOKEN_LEN + 1);
	return rc;
}

static void copy_text(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src ? src : "");
}

static int peer_row(struct store_q *st, struct registry_peer *p, struct err *e)
{
	memset(p, 0, sizeof(*p));
	p->idx = store_q_col_i64(st, 0);
	copy_text(p->name, sizeof(p->name), store_q_col_text(st, 1));
	copy_text(p->kind, sizeof(p->kind), store_q_col_text(st, 2));
	copy_text(p->region, sizeof(p->region), store_q_col_text(st, 3));
	if (!store_q_col_null(st, 4)) {
		if (store_q_col_bytes(st, 4) != ID_BYTES ||
		    store_q_col_bytes(st, 5) != STORE_SIGN_PKBYTES)
			return err_set(e, ERR_CORRUPT, "node '%s': malformed "
				       "identity", p->name);
		memcpy(p->node_id.b, store_q_col_blob(st, 4), ID_BYTES);
		memcpy(p->pk, store_q_col_blob(st, 5), STORE_SIGN_PKBYTES);
		p->enrolled = 1;
	}
	p->revoked = store_q_col_int(st, 6);
	p->token_expires = store_q_col_i64(st, 7);
	p->created = store_q_col_i64(st, 8);
	p->last_contact = store_q_col_i64(st, 9);
	p->push_ack = (uint64_t)store_q_col_i64(st, 10);
	p->pull_ack = (uint64_t)store_q_col_i64(st, 11);
	p->record_cap = (uint64_t)store_q_col_i64(st, 12);
	p->refused = (uint64_t)store_q_col_i64(st, 13);
	p->rebootstrap = store_q_col_int(st, 14);
	p->schema_version = store_q_col_int(st, 16);
	/* A row altered outside presidio (a public key replaced, a node
	 * added, a cursor moved) is refused as unauthenticated. */
	if (!store_q_col_int(st, 15))
		return err_set(e, ERR_AUTH,
			       "node '%s' fails authentication (its "
			       "registration was altered outside presidio)",
			       p->name);
	return 0;
}

/* One peer by a WHERE clause with one blob or text parameter. */
static int peer_find(struct store *s, const char *where, const void *blob,
		     int bloblen, const char *text, struct registry_peer *out,
		     struct err *e)
{
	char sql[512];
	struct store_q *st = NULL;
	int rc = 0, found;

	snprintf(sql, sizeof(sql), "%s%s", PEER_COLUMNS, where);
	st = store_q(s, sql, "reading nodes");
	if (blob)
		store_q_bind_blob(st, 1, blob, (size_t)bloblen);
	else
		store_q_bind_text(st, 1, text);
	found = store_q_row(st);
	if (found)
		rc = peer_row(st, out, e);
	rc = store_q_done(st, rc, e);
	if (!rc && !found)
		rc = err_set(e, ERR_NOTFOUND, "no such node");
	return rc;
}

/* ERR_AUTH when a scope row of peer (membership, its cases' scope rows,
 * its events) fails its MAC. */
static int peer_scope_check(struct store *s, int64_t peer, struct err *e)
{
	struct store_q *st = NULL;
	int64_t n = 0;
	int rc;

	if (!store_key_gen(s))
		return 0; /* locked: nothing to check with */
	/* Its memberships, the scope rows of those cases (subject, region,
	 * nodes), and its scope events. */
	st = store_q(
	    s,
	    "SELECT (SELECT count(*) FROM scope_member m WHERE m.peer = ?1 "
	    "AND NOT presidio_mac_ok(m.mac, 'scope_member', m.peer, "
	    "m.case_id)) + (SELECT count(*) FROM scope_member m JOIN "
	    "scope_case c ON c.id = m.case_id WHERE m.peer = ?1 AND NOT "
	    "presidio_mac_ok(c.mac, 'scope_case', c.id, c.person, c.region, "
	    "c.nodes, c.creator)) + (SELECT count(*) FROM scope_event v "
	    "WHERE v.peer = ?1 AND NOT presidio_mac_ok(v.mac, 'scope_event', "
	    "v.seq, v.peer, v.case_id, v.entered))",
	    "reading scope");
	store_q_bind_int(st, 1, peer);
	if (store_q_row(st))
		n = store_q_col_i64(st, 0);
	rc = store_q_end(st, e);
	if (rc)
		return rc;
	return n ? err_set(e, ERR_AUTH,
			   "the scope of a node fails authentication (altered "
			   "outside presidio)")
		 : 0;
}

/*
 * Peers whose scope rows passed on a handle, and what the handle saw of
 * the file then (store_file_stamp()).  The check reads every scope row of
 * the peer, a MAC each: with 20,000 cases it costs more than the request
 * it guards.  While no other connection has written the file, only this
 * handle's own writes (MAC'd as they are made) touched those rows, so the
 * answer stands.  Another process's write, a rotation (a new key
 * generation) or another worker's commit check them again.  Per thread:
 * each of the hub's workers holds a handle at a time.
 */
#define SCOPE_CHECKED 16
static _Thread_local struct scope_checked {
	uint64_t instance, stamp;
	int64_t peer;
	uint32_t gen;
} checked[SCOPE_CHECKED];
static _Thread_local unsigned checked_next;

static struct scope_checked *checked_find(uint64_t instance, int64_t peer)
{
	for (unsigned i = 0; i < SCOPE_CHECKED; i++)
		if (checked[i].instance == instance && checked[i].peer == peer)
			return &checked[i];
	return NULL;
}

/* The peer of node, its row and scope rows checked: every request of a
 * node is served within its scope, so a scope row of it altered outside
 * presidio refuses the node altogether. */
static int peer_checked(struct store *s, const struct id *node,
			struct registry_peer *out, struct err *e)
{
	struct scope_checked *c;
	uint64_t instance = 0, stamp = 0;
	uint32_t gen = store_key_gen(s);
	int rc = peer_find(s, "WHERE node_id = ?1", node->b, ID_BYTES, NULL,
			   out, e);

	if (!rc && gen)
		rc = store_file_stamp(s, &instance, &stamp, e);
	if (rc)
		return rc;
	c = gen ? checked_find(instance, out->idx) : NULL;
	if (c && c->stamp == stamp && c->gen == gen)
		return 0;
	rc = peer_scope_check(s, out->idx, e);
	if (rc || !gen)
		return rc;
	if (!c) {
		c = &checked[checked_next++ % SCOPE_CHECKED];
		c->instance = instance;
		c->peer = out->idx;
	}
	c->stamp = stamp;
	c->gen = gen;
	return 0;
}

int registry_peer_by_node(struct store *s, const struct id *node,
			  struct registry_peer *out, struct err *e)
{
	uint32_t gen;
	int rc = store_require_unlocked(s, e); /* checks need the keys */

	if (rc)
		return rc;
	gen = store_key_gen(s);
	rc = peer_checked(s, node, out, e);
	/* Another process may have rotated the data key (rows now name the
	 * new generation) since this handle last loaded keys: load, and ask
	 * once more. */
	if (rc == ERR_AUTH && !store_in_tx(s) &&
	    store_keys_refresh(s, NULL) == 0 && store_key_gen(s) != gen)
		rc = peer_checked(s, node, out, e);
	return rc;
}

int registry_peer_by_name(struct store *s, const char *name,
			  struct registry_peer *out, struct err *e)
{
	int rc = peer_find(s, "WHERE name = ?1", NULL, 0, name, out, e);

	if (rc == ERR_NOTFOUND && name_ok(name))
		err_set(e, rc, "no node '%s'", name);
	return rc;
}

int registry_peer_enroll(struct store *s, const char *token,
			 const struct id *node, const uint8_t *pk,
			 struct registry_peer *out, struct err *e)
{
	struct store_q *st = NULL;
	uint8_t hash[32];
	int opened = 0, taken;
	int rc;

	if (!token || strlen(token) != REGISTRY_TOKEN_LEN)
		return err_set(e, ERR_AUTH, "invalid enrollment token");
	crypto_generichash(hash, sizeof(hash), (const uint8_t *)token,
			   REGISTRY_TOKEN_LEN, NULL, 0);
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
	st = store_q(s,
		     "SELECT 1 FROM node WHERE id = ?1 AND (coalesce(role, 0) "
		     "!= 0 OR name IS NOT ?2 OR id = (SELECT value FROM meta "
		     "WHERE key = 'node_id'))",
		     "enrolling");
	store_q_bind_blob(st, 1, node->b, ID_BYTES);
	store_q_bind_text(st, 2, out->name);
	taken = store_q_row(st);
	rc = store_q_end(st, e);
	if (!rc && taken)
		rc = err_set(e, ERR_EXISTS, "that node id belongs to another "
			     "node");
	if (rc)
		goto out;
	/* A (re-)enrolled node starts its cursors over: what it pushes is
	 * deduplicated anyway, and nothing it had counts as acknowledged. */
	st = store_q(s,
		     "UPDATE peer SET node_id = ?2, pk = ?3, token_hash = "
		     "NULL, token_expires = NULL, push_ack = 0, pull_ack = 0, "
		     "rebootstrap = 0, last_contact = unixepoch() "
		     "WHERE idx = ?1",
		     "enrolling");
	store_q_bind_int(st, 1, out->idx);
	store_q_bind_blob(st, 2, node->b, ID_BYTES);
	store_q_bind_blob(st, 3, pk, STORE_SIGN_PKBYTES);
	store_q_row(st);
	if (store_q_constraint(st)) {
		(void)store_q_end(st, NULL);
		rc = err_set(e, ERR_EXISTS, "that node id is enrolled already");
		goto out;
	}
	rc = store_q_end(st, e);
	if (!rc)
		rc = store_mac_reseal(s, STORE_MAC_PEER, out->idx, NULL, 0, e);
	if (!rc)
		rc = store_node_set(s, node, out->name, STORE_ROLE_NODE, e);
	if (!rc) {
		out->node_id = *node;
		out->enrolled = 1;
		rc = registry_scope_peer_init(s, out->idx, e);
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
	struct store_q *st = NULL;
	struct registry_peer p;
	int opened = 0;
	int rc = store_require_unlocked(s, e);

	if (!rc)
		rc = store_tx_begin(s, &opened, e);
	if (rc)
		return rc;
	rc = registry_peer_by_name(s, name, &p, e);
	if (rc)
		goto out;
	st = store_q(s, sql, "updating node");
	store_q_bind_text(st, 1, name);
	store_q_bind_int(st, 2, v);
	rc = store_q_run(st, e);
	if (!rc && store_sql_changes(s) != 1)
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
int registry_peer_write(struct store *s, int64_t idx, const char *sql,
			int64_t a, int64_t b, const char *what, struct err *e)
{
	struct store_q *st = NULL;
	int opened = 0;
	int rc = store_require_unlocked(s, e);

	if (!rc)
		rc = store_tx_begin(s, &opened, e);
	if (rc)
		return rc;
	rc = store_mac_check(s, STORE_MAC_PEER, idx, NULL, 0, e);
	if (!rc) {
		st = store_q(s, sql, what);
		store_q_bind_int(st, 1, idx);
		store_q_bind_int(st, 2, a);
		store_q_bind_int(st, 3, b);
		rc = store_q_run(st, e);
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
int registry_peer_revoke(struct store *s, const char *name, struct err *e)
{
	struct store_q *st = NULL;
	int64_t idx = 0;
	int opened = 0, intact = 0, found = 0;
	int rc = store_require_unlocked(s, e);

	if (!rc)
		rc = store_tx_begin(s, &opened, e);
	if (rc)
		return rc;
	st = store_q(s,
		     "SELECT idx, " STORE_MAC_PEER_OK " FROM peer "
		     "WHERE name = ?1",
		     "reading nodes");
	store_q_bind_text(st, 1, name);
	if (store_q_row(st)) {
		found = 1;
		idx = store_q_col_i64(st, 0);
		intact = store_q_col_int(st, 1);
	}
	rc = store_q_end(st, e);
	if (rc)
		goto out;
	if (!found) {
		rc = name_ok(name) ? err_set(e, ERR_NOTFOUND, "no node '%s'",
					     name)
				   : err_set(e, ERR_NOTFOUND, "no such node");
		goto out;
	}
	st = store_q(s,
		     "UPDATE peer SET revoked = 1, token_hash = NULL, node_id "
		     "= CASE WHEN ?2 THEN node_id END, pk = CASE WHEN ?2 THEN "
		     "pk END WHERE idx = ?1",
		     "revoking node");
	store_q_bind_int(st, 1, idx);
	store_q_bind_int(st, 2, intact);
	rc = store_q_run(st, e);
	if (!rc)
		rc = store_mac_reseal(s, STORE_MAC_PEER, idx, NULL, 0, e);
out:
	return store_tx_end(s, opened, rc, e);
}

int registry_peer_set_cap(struct store *s, const char *name, uint64_t cap,
			  struct err *e)
{
	return peer_update(s, "UPDATE peer SET record_cap = ?2 WHERE name = ?1",
			   name, (int64_t)cap, e);
}

int registry_peer_list(struct store *s, registry_peer_fn fn, void *ctx,
		       struct err *e)
{
	struct registry_peer p;
	struct store_q *st = store_q(s, PEER_COLUMNS "ORDER BY name",
				     "listing nodes");
	int rc = 0;

	while (!rc && store_q_row(st)) {
		rc = peer_row(st, &p, e);
		if (!rc)
			rc = fn(ctx, &p);
	}
	return err_walk_end(store_q_done(st, rc, e));
}

int registry_peer_nonce(struct store *s, int64_t peer, const uint8_t *nonce,
			int64_t ms, int64_t window_ms, struct err *e)
{
	struct store_q *st = NULL;
	int opened = 0;
	int rc = store_tx_begin(s, &opened, e);

	if (rc)
		return rc;
	st = store_q(s, "DELETE FROM nonce WHERE at < ?1",
		     "forgetting nonces");
	store_q_bind_int(st, 1, ms - 2 * window_ms);
	rc = store_q_run(st, e);
	if (rc)
		goto out;
	st = store_q(s,
		     "INSERT INTO nonce(peer, nonce, at) VALUES (?1, ?2, ?3)",
		     "recording nonce");
	store_q_bind_int(st, 1, peer);
	store_q_bind_blob(st, 2, nonce, 16);
	store_q_bind_int(st, 3, ms);
	store_q_row(st);
	if (store_q_constraint(st)) {
		(void)store_q_end(st, NULL);
		rc = err_set(e, ERR_CONFLICT, "request replayed");
		goto out;
	}
	rc = store_q_end(st, e);
	if (rc)
		goto out;
	st = store_q(s, "UPDATE peer SET last_contact = unixepoch() "
			"WHERE idx = ?1",
		     "updating node");
	store_q_bind_int(st, 1, peer);
	rc = store_q_run(st, e);
out:
	return store_tx_end(s, opened, rc, e);
}

int registry_peer_ack(struct store *s, int64_t peer, uint64_t push_ack,
		      uint64_t pull_ack, struct err *e)
{
	return registry_peer_write(s, peer,
				   "UPDATE peer SET push_ack = max(push_ack, "
				   "?2), pull_ack = max(pull_ack, ?3) "
				   "WHERE idx = ?1",
				   (int64_t)push_ack, (int64_t)pull_ack,
				   "updating cursors", e);
}

int registry_peer_schema(struct store *s, int64_t peer, int version,
			 struct err *e)
{
	/* Not under the row's MAC (like last_contact): it decides nothing,
	 * the hub judges the version a node sends at every hello.  What the
	 * node says now, lower too: a node restored to an older release
	 * runs that release's schema. */
	return registry_peer_write(s, peer,
				   "UPDATE peer SET schema_version = ?2 "
				   "WHERE idx = ?1",
				   version, 0,
				   "recording the schema version",
				   e);
}

int registry_peer_refuse(struct store *s, int64_t peer, uint64_t oseq,
			 const struct id *record, const char *reason,
			 struct err *e)
{
	struct store_q *st = store_q(s,
				     "INSERT OR REPLACE INTO refusal(peer, "
				     "oseq, record, reason, at) VALUES (?1, "
				     "?2, ?3, ?4, unixepoch())",
				     "recording refusal");

	store_q_bind_int(st, 1, peer);
	store_q_bind_int(st, 2, (int64_t)oseq);
	store_q_bind_blob(st, 3, record->b, ID_BYTES);
	store_q_bind_text(st, 4, reason);
	return store_q_run(st, e);
}

/*
 * The node has forgotten everything, its own changes too: until its pull
 * passes the end of the log as it is now, those come back to it
 * (registry_scope_log(), table peer_rebuild).
 */
int registry_peer_rebootstrapped(struct store *s, int64_t peer, struct err *e)
{
	struct store_q *st = NULL;
	int opened = 0;
	int rc = store_tx_begin(s, &opened, e);

	if (!rc)
		rc = registry_peer_write(s, peer,
					 "UPDATE peer SET rebootstrap = 0, "
					 "pull_ack = 0 WHERE idx = ?1",
					 0, 0, "updating node", e);
	if (!rc) {
		st = store_q(s,
			     "INSERT OR REPLACE INTO peer_rebuild(peer, upto) "
			     "VALUES (?1, (SELECT coalesce(max(seq), 0) FROM "
			     "change))",
			     "updating node");
		store_q_bind_int(st, 1, peer);
		rc = store_q_run(st, e);
	}
	return store_tx_end(s, opened, rc, e);
}

/*
 * The node was restored from a backup: it lacks its own changes made
 * after it, which the hub holds.  Its pulls from its cursor bring its
 * own entries too, up to the log's end now (never lowered: a restore
 * asked again keeps the longer stretch), and its acknowledged cursor
 * goes back to what it says it holds, so that no tombstone it has not
 * seen is purged on its word from before the restore.
 */
int registry_peer_restored(struct store *s, int64_t peer, uint64_t ack,
			   struct err *e)
{
	struct store_q *st = NULL;
	int opened = 0;
	int rc = store_tx_begin(s, &opened, e);

	if (!rc)
		rc = registry_peer_write(s, peer,
					 "UPDATE peer SET pull_ack = min(pull_ack, "
					 "?2) WHERE idx = ?1",
					 (int64_t)ack, 0, "updating node", e);
	if (!rc) {
		st = store_q(s,
			     "INSERT OR REPLACE INTO peer_rebuild(peer, upto) "
			     "VALUES (?1, max(coalesce((SELECT upto FROM "
			     "peer_rebuild WHERE peer = ?1), 0), (SELECT "
			     "coalesce(max(seq), 0) FROM change)))",
			     "updating node");
		store_q_bind_int(st, 1, peer);
		rc = store_q_run(st, e);
	}
	return store_tx_end(s, opened, rc, e);
}
