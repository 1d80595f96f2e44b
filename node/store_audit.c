/*
 * store_audit.c - the audit trail (node/store_audit.h): entries written
 * and chained, listed, verified, sent and received.
 *
 * The hash input is a domain, then each part in a fixed layout: node id,
 * number, time (little-endian u64), operator, role, action (each with its
 * NUL), collection (u16), a record flag and id (zeros when none), count,
 * purpose with its NUL, the glass flag, and prev.  The layout is the
 * wire's contract with the hub, which recomputes it.
 */
#include "node/store_audit.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "common/le.h"
#include "node/store_int.h"

#define AUDIT_DOMAIN "presidio.audit.v1"
#define CK_AUDIT_LAST "audit.last" /* this node's last number */
#define AUDIT_ANCHOR "anchor" /* store_audit_align() */

static void put_text(crypto_generichash_state *st, const char *t, size_t max)
{
	crypto_generichash_update(st, (const uint8_t *)t, strnlen(t, max - 1) + 1);
}

void store_audit_hash(const struct store_audit_entry *a,
		      uint8_t out[STORE_AUDIT_HASHBYTES])
{
	crypto_generichash_state st;
	uint8_t n[8], zero[ID_BYTES] = { 0 };
	uint8_t c2[2], flag;

	crypto_generichash_init(&st, NULL, 0, STORE_AUDIT_HASHBYTES);
	crypto_generichash_update(&st, (const uint8_t *)AUDIT_DOMAIN,
				  sizeof(AUDIT_DOMAIN));
	crypto_generichash_update(&st, a->node.b, ID_BYTES);
	le_put64(n, a->nseq);
	crypto_generichash_update(&st, n, 8);
	le_put64(n, a->at);
	crypto_generichash_update(&st, n, 8);
	put_text(&st, a->operator, sizeof(a->operator));
	put_text(&st, a->role, sizeof(a->role));
	put_text(&st, a->action, sizeof(a->action));
	c2[0] = (uint8_t)(a->coll & 0xff);
	c2[1] = (uint8_t)(a->coll >> 8);
	crypto_generichash_update(&st, c2, 2);
	flag = a->has_record ? 1 : 0;
	crypto_generichash_update(&st, &flag, 1);
	crypto_generichash_update(&st, a->has_record ? a->record.b : zero,
				  ID_BYTES);
	le_put64(n, a->count);
	crypto_generichash_update(&st, n, 8);
	put_text(&st, a->purpose, sizeof(a->purpose));
	flag = a->glass ? 1 : 0;
	crypto_generichash_update(&st, &flag, 1);
	crypto_generichash_update(&st, a->prev, STORE_AUDIT_HASHBYTES);
	crypto_generichash_final(&st, out, STORE_AUDIT_HASHBYTES);
}

/* 1 when w is 1..STORE_AUDIT_WORD_MAX-1 of [a-z_]. */
static int word_ok(const char *w)
{
	size_t n = strnlen(w, STORE_AUDIT_WORD_MAX);

	if (n == 0 || n >= STORE_AUDIT_WORD_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((w[i] >= 'a' && w[i] <= 'z') || w[i] == '_'))
			return 0;
	return 1;
}

int store_audit_is_anchor(const struct store_audit_entry *a)
{
	return strcmp(a->action, AUDIT_ANCHOR) == 0;
}

int store_audit_check(const struct store_audit_entry *a, struct err *e)
{
	uint8_t want[STORE_AUDIT_HASHBYTES];

	if (!word_ok(a->action))
		return err_set(e, ERR_INVALID, "audit entry: bad action");
	if (!word_ok(a->purpose))
		return err_set(e, ERR_INVALID, "audit entry: bad purpose");
	if (strnlen(a->operator, sizeof(a->operator)) >= sizeof(a->operator) ||
	    keyslot_check_operator(a->operator, NULL))
		return err_set(e, ERR_INVALID, "audit entry: bad operator");
	if (strnlen(a->role, sizeof(a->role)) >= sizeof(a->role) ||
	    (a->role[0] && access_role_parse(a->role) == ACCESS_NONE))
		return err_set(e, ERR_INVALID, "audit entry: bad role");
	if (a->nseq == 0)
		return err_set(e, ERR_INVALID, "audit entry: number 0");
	/* An anchor holds another entry's hash (store_audit_align()). */
	if (strcmp(a->action, AUDIT_ANCHOR) == 0)
		return 0;
	store_audit_hash(a, want);
	if (sodium_memcmp(want, a->hash, sizeof(want)) != 0)
		return err_set(e, ERR_INVALID,
			       "audit entry %llu: its hash is not its own",
			       (unsigned long long)a->nseq);
	return 0;
}

/* The last entry of node row idx held here: *nseq (0: none), hash. */
static int last_of(struct store *s, int64_t idx, uint64_t *nseq,
		   uint8_t hash[STORE_AUDIT_HASHBYTES], struct err *e)
{
	struct store_q *st = store_q(s,
				     "SELECT nseq, hash FROM audit WHERE "
				     "node = ?1 ORDER BY nseq DESC LIMIT 1",
				     "reading the audit trail");

	*nseq = 0;
	memset(hash, 0, STORE_AUDIT_HASHBYTES);
	store_q_bind_int(st, 1, idx);
	if (store_q_row(st)) {
		*nseq = (uint64_t)store_q_col_i64(st, 0);
		if (store_q_col_bytes(st, 1) == STORE_AUDIT_HASHBYTES)
			memcpy(hash, store_q_col_blob(st, 1),
			       STORE_AUDIT_HASHBYTES);
	}
	return store_q_end(st, e);
}

/* Insert a (its node's row idx), with its MAC. */
static int insert(struct store *s, int64_t idx,
		  const struct store_audit_entry *a, struct err *e)
{
	struct store_q *st = store_q(
	    s,
	    "INSERT INTO audit (node, nseq, at, operator, role, action, coll, "
	    "record, count, purpose, glass, prev, hash, chg, mac) VALUES (?1, "
	    "?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
	    "presidio_mac('audit', ?1, ?2, ?13))",
	    "writing the audit trail");

	store_q_bind_int(st, 1, idx);
	store_q_bind_int(st, 2, (int64_t)a->nseq);
	store_q_bind_int(st, 3, (int64_t)a->at);
	store_q_bind_text(st, 4, a->operator);
	store_q_bind_text(st, 5, a->role);
	store_q_bind_text(st, 6, a->action);
	store_q_bind_int(st, 7, a->coll);
	if (a->has_record)
		store_q_bind_blob(st, 8, a->record.b, ID_BYTES);
	else
		store_q_bind_null(st, 8);
	store_q_bind_int(st, 9, (int64_t)a->count);
	store_q_bind_text(st, 10, a->purpose);
	store_q_bind_int(st, 11, a->glass ? 1 : 0);
	store_q_bind_blob(st, 12, a->prev, STORE_AUDIT_HASHBYTES);
	store_q_bind_blob(st, 13, a->hash, STORE_AUDIT_HASHBYTES);
	if (a->chg)
		store_q_bind_int(st, 14, (int64_t)a->chg);
	else
		store_q_bind_null(st, 14);
	return store_q_run(st, e);
}

int store_audit_note(struct store *s, const char *action,
		     const struct schema_collection *c, const struct id *record,
		     uint64_t count, const char *purpose, struct err *e)
{
	return store_audit_note_write(s, action, c, record, count, purpose, 0,
				      e);
}

int store_audit_note_write(struct store *s, const char *action,
			   const struct schema_collection *c,
			   const struct id *record, uint64_t count,
			   const char *purpose, uint64_t chg, struct err *e)
{
	struct store_audit_entry a;
	uint64_t last = 0;
	int opened = 0;
	int rc = store_require_unlocked(s, e);

	if (rc)
		return rc;
	memset(&a, 0, sizeof(a));
	snprintf(a.action, sizeof(a.action), "%s", action ? action : "");
	snprintf(a.purpose, sizeof(a.purpose), "%s", purpose ? purpose : "");
	if (!word_ok(a.action) || !word_ok(a.purpose))
		return err_set(e, ERR_INVALID, "audit: bad action or purpose");
	a.node = s->node_id;
	a.at = store_wall_ms(s);
	snprintf(a.operator, sizeof(a.operator), "%s", store_operator(s));
	snprintf(a.role, sizeof(a.role), "%s", access_role_name(s->access));
	a.coll = c ? c->id : 0;
	if (record) {
		a.has_record = 1;
		a.record = *record;
		a.glass = store_glass_covers(s, record);
	}
	a.count = count;
	a.chg = chg;
	rc = store_tx_begin(s, &opened, e);
	if (rc)
		return rc;
	/* Inside one write transaction the last entry is known (an import
	 * writes thousands); the write lock keeps others out meanwhile. */
	if (s->audit_cached) {
		last = s->audit_nseq;
		memcpy(a.prev, s->audit_hash, sizeof(a.prev));
	} else {
		rc = last_of(s, s->self_node, &last, a.prev, e);
	}
	if (!rc) {
		a.nseq = last + 1;
		store_audit_hash(&a, a.hash);
		rc = insert(s, s->self_node, &a, e);
	}
	if (!rc) {
		s->audit_cached = 1;
		s->audit_nseq = a.nseq;
		memcpy(s->audit_hash, a.hash, sizeof(s->audit_hash));
		/* The mark follows at commit (store_audit_flush()). */
		s->audit_dirty = 1;
	}
	return store_tx_end(s, opened, rc, e);
}

int store_audit_flush(struct store *s, struct err *e)
{
	uint8_t hash[STORE_AUDIT_HASHBYTES];
	uint64_t last = 0;
	/* What the database holds: a write undone inside the group took
	 * its entry with it. */
	int rc = last_of(s, s->self_node, &last, hash, e);

	/* The last number, under its MAC: a tail cut off is seen. */
	if (!rc)
		rc = store_checkpoint_set(s, CK_AUDIT_LAST, last, e);
	if (!rc)
		s->audit_dirty = 0;
	return rc;
}

/* ---- reading ---- */

#define AUDIT_SELECT                                                           \
	"SELECT n.id, a.nseq, a.at, a.operator, a.role, a.action, a.coll, "    \
	"a.record, a.count, a.purpose, a.glass, a.prev, a.hash, "              \
	"presidio_mac_ok(a.mac, 'audit', a.node, a.nseq, a.hash), a.node, "
#define AUDIT_FROM "FROM audit a JOIN node n ON n.idx = a.node "
#define AUDIT_COLUMNS AUDIT_SELECT "NULL " AUDIT_FROM
/* This node's own entries, with the change a write made where it is one
 * made here that wrote the entry's record (the number is under no MAC),
 * and that the hub did not refuse (it may not hold it). */
#define AUDIT_OWN_COLUMNS                                                      \
	AUDIT_SELECT "CASE WHEN r.id = a.record THEN a.chg END " AUDIT_FROM    \
	"LEFT JOIN change c ON c.seq = a.chg AND c.oseq IS NULL AND c.seq "    \
	"NOT IN (SELECT seq FROM rejection) "                                  \
	"LEFT JOIN record r ON r.rid = c.rid "

/* Fill a from an AUDIT_COLUMNS row; *mac_ok from its MAC. */
static int row_entry(struct store_q *st, struct store_audit_entry *a,
		     int *mac_ok, struct err *e)
{
	const char *op = store_q_col_text(st, 3);
	const char *role = store_q_col_text(st, 4);
	const char *action = store_q_col_text(st, 5);
	const char *purpose = store_q_col_text(st, 9);

	memset(a, 0, sizeof(*a));
	if (store_q_col_bytes(st, 0) != ID_BYTES || !op || !role || !action ||
	    !purpose || store_q_col_bytes(st, 11) != STORE_AUDIT_HASHBYTES ||
	    store_q_col_bytes(st, 12) != STORE_AUDIT_HASHBYTES ||
	    (!store_q_col_null(st, 7) && store_q_col_bytes(st, 7) != ID_BYTES))
		return err_set(e, ERR_CORRUPT, "malformed audit entry");
	memcpy(a->node.b, store_q_col_blob(st, 0), ID_BYTES);
	a->nseq = (uint64_t)store_q_col_i64(st, 1);
	a->at = (uint64_t)store_q_col_i64(st, 2);
	snprintf(a->operator, sizeof(a->operator), "%s", op);
	snprintf(a->role, sizeof(a->role), "%s", role);
	snprintf(a->action, sizeof(a->action), "%s", action);
	a->coll = (uint16_t)store_q_col_int(st, 6);
	a->has_record = !store_q_col_null(st, 7);
	if (a->has_record)
		memcpy(a->record.b, store_q_col_blob(st, 7), ID_BYTES);
	a->count = (uint64_t)store_q_col_i64(st, 8);
	snprintf(a->purpose, sizeof(a->purpose), "%s", purpose);
	a->glass = store_q_col_int(st, 10);
	memcpy(a->prev, store_q_col_blob(st, 11), STORE_AUDIT_HASHBYTES);
	memcpy(a->hash, store_q_col_blob(st, 12), STORE_AUDIT_HASHBYTES);
	*mac_ok = store_q_col_int(st, 13);
	if (store_q_col_isint(st, 15) && store_q_col_i64(st, 15) > 0)
		a->chg = (uint64_t)store_q_col_i64(st, 15);
	return 0;
}

/* Step st (AUDIT_COLUMNS rows), calling fn for each entry; an entry
 * failing its MAC ends the walk (never vouch for one altered here). */
static int walk(struct store_q *st, store_audit_fn fn, void *ctx,
		struct err *e)
{
	struct store_audit_entry a;
	int rc = 0, mac_ok = 0;

	while (!rc && store_q_row(st)) {
		rc = row_entry(st, &a, &mac_ok, e);
		if (!rc && !mac_ok)
			rc = err_set(e, ERR_CORRUPT,
				     "audit entry %llu fails authentication "
				     "(altered outside presidio)",
				     (unsigned long long)a.nseq);
		if (!rc)
			rc = fn(ctx, &a);
	}
	return err_walk_end(store_q_done(st, rc, e));
}

/* 1 when the unlocked role reads the trail. */
static int reads_trail(const struct store *s)
{
	return s->access == ACCESS_COORDINATOR ||
	       s->access == ACCESS_FOCAL_POINT;
}

int store_audit_list(struct store *s, const struct store_audit_filter *f,
		     store_audit_fn fn, void *ctx, struct err *e)
{
	struct store_q *st = NULL;
	int rc = store_require_unlocked(s, e);

	if (rc)
		return rc;
	if (!reads_trail(s))
		return err_set(e, ERR_DENIED,
			       "il registro degli accessi è per il "
			       "coordinatore del nodo (sull'hub il Focal "
			       "Point), non per il ruolo %s",
			       access_role_name(s->access));
	/* The latest `limit`, shown in order: the inner select takes them
	 * from the end. */
	st = store_q(s,
		     "SELECT * FROM (" AUDIT_COLUMNS
		     "WHERE (?1 IS NULL OR a.record = ?1) AND (?2 IS NULL OR "
		     "a.operator = ?2) AND (?3 = 0 OR a.glass = 1) "
		     "ORDER BY a.seq DESC LIMIT ?4) ORDER BY 15, 2",
		     "reading the audit trail");
	if (f && f->record)
		store_q_bind_blob(st, 1, f->record->b, ID_BYTES);
	if (f && f->operator)
		store_q_bind_text(st, 2, f->operator);
	store_q_bind_int(st, 3, f && f->glass_only ? 1 : 0);
	store_q_bind_int(st, 4, f && f->limit ? (int64_t)f->limit : -1);
	return walk(st, fn, ctx, e);
}

int store_audit_own(struct store *s, uint64_t after, size_t limit,
		    store_audit_fn fn, void *ctx, struct err *e)
{
	struct store_q *st = NULL;
	int rc = store_require_unlocked(s, e);

	if (rc)
		return rc;
	st = store_q(s,
		     AUDIT_OWN_COLUMNS "WHERE a.node = ?1 AND a.nseq > ?2 "
		     "ORDER BY a.nseq LIMIT ?3",
		     "reading the audit trail");
	store_q_bind_int(st, 1, s->self_node);
	store_q_bind_int(st, 2, (int64_t)after);
	store_q_bind_int(st, 3, limit ? (int64_t)limit : -1);
	return walk(st, fn, ctx, e);
}

/* ---- a node behind the hub ---- */

#define AUDIT_MOVE_MAX 100000 /* entries moved at once, at most */

/* The hash of this node's entry nseq into hash; *found. */
static int own_hash(struct store *s, uint64_t nseq, uint8_t *hash, int *found,
		    struct err *e)
{
	struct store_q *st = store_q(s,
				     "SELECT hash FROM audit WHERE node = ?1 "
				     "AND nseq = ?2",
				     "reading the audit trail");

	*found = 0;
	store_q_bind_int(st, 1, s->self_node);
	store_q_bind_int(st, 2, (int64_t)nseq);
	if (store_q_row(st) &&
	    store_q_col_bytes(st, 0) == STORE_AUDIT_HASHBYTES) {
		memcpy(hash, store_q_col_blob(st, 0), STORE_AUDIT_HASHBYTES);
		*found = 1;
	}
	return store_q_end(st, e);
}

struct moving {
	struct store_audit_entry *a;
	size_t n, cap;
	struct err *e;
};

static int take(void *ctx, const struct store_audit_entry *a)
{
	struct moving *m = ctx;

	if (m->n == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 64;
		struct store_audit_entry *p;

		if (cap > AUDIT_MOVE_MAX)
			return err_set(m->e, ERR_FAIL, "audit: too many entries "
				       "to move");
		p = realloc(m->a, cap * sizeof(*p));
		if (!p)
			return err_set(m->e, ERR_NOMEM, "out of memory");
		m->a = p;
		m->cap = cap;
	}
	m->a[m->n++] = *a;
	return 0;
}

int store_audit_align(struct store *s, uint64_t hub_last,
		      const uint8_t hub_hash[STORE_AUDIT_HASHBYTES],
		      uint64_t acked, uint64_t *moved, struct err *e)
{
	uint8_t mine[STORE_AUDIT_HASHBYTES], prev[STORE_AUDIT_HASHBYTES];
	struct moving m = { NULL, 0, 0, e };
	struct store_audit_entry anchor;
	struct store_q *st = NULL;
	int opened = 0, found = 0;
	int rc = store_require_unlocked(s, e);

	*moved = 0;
	if (rc || hub_last == 0 || acked >= hub_last)
		return rc;
	rc = store_tx_begin(s, &opened, e);
	if (rc)
		return rc;
	rc = own_hash(s, hub_last, mine, &found, e);
	if (rc || (found && sodium_memcmp(mine, hub_hash,
					  STORE_AUDIT_HASHBYTES) == 0))
		goto out;
	/* The entries the hub never took, in order, then out of the way. */
	rc = store_audit_own(s, acked, 0, take, &m, e);
	if (!rc) {
		st = store_q(s, "DELETE FROM audit WHERE node = ?1 AND nseq > ?2",
			     "moving audit entries");
		store_q_bind_int(st, 1, s->self_node);
		store_q_bind_int(st, 2, (int64_t)acked);
		rc = store_q_run(st, e);
	}
	if (rc)
		goto out;
	/* The anchor: the hub's last entry, known by its hash only. */
	memset(&anchor, 0, sizeof(anchor));
	anchor.node = s->node_id;
	anchor.nseq = hub_last;
	anchor.at = store_wall_ms(s);
	snprintf(anchor.operator, sizeof(anchor.operator), "%s",
		 store_operator(s));
	snprintf(anchor.role, sizeof(anchor.role), "%s",
		 access_role_name(s->access));
	snprintf(anchor.action, sizeof(anchor.action), AUDIT_ANCHOR);
	snprintf(anchor.purpose, sizeof(anchor.purpose), "ripristino");
	memcpy(anchor.hash, hub_hash, STORE_AUDIT_HASHBYTES);
	rc = insert(s, s->self_node, &anchor, e);
	memcpy(prev, hub_hash, sizeof(prev));
	for (size_t i = 0; !rc && i < m.n; i++) {
		struct store_audit_entry *a = &m.a[i];

		a->nseq = hub_last + 1 + i;
		memcpy(a->prev, prev, sizeof(prev));
		store_audit_hash(a, a->hash);
		rc = insert(s, s->self_node, a, e);
		memcpy(prev, a->hash, sizeof(prev));
	}
	if (!rc) {
		s->audit_cached = 0;
		s->audit_dirty = 1;
		*moved = m.n;
	}
out:
	free(m.a);
	return store_tx_end(s, opened, rc, e);
}

/* ---- verify ---- */

int store_audit_verify(struct store *s, uint64_t *entries, struct err *e)
{
	struct store_audit_entry a;
	uint8_t want[STORE_AUDIT_HASHBYTES], prev[STORE_AUDIT_HASHBYTES];
	struct store_q *st = NULL;
	struct id node;
	uint64_t expect = 0, own_last = 0, mark = 0;
	int rc = store_require_unlocked(s, e);
	int mac_ok = 0, any = 0;
	char idtext[ID_TEXT_LEN + 1];

	*entries = 0;
	if (rc)
		return rc;
	memset(&node, 0, sizeof(node));
	st = store_q(s, AUDIT_COLUMNS "ORDER BY a.node, a.nseq",
		     "verifying the audit trail");
	while (!rc && store_q_row(st)) {
		rc = row_entry(st, &a, &mac_ok, e);
		if (rc)
			break;
		(*entries)++;
		if (!any || id_cmp(&node, &a.node) != 0) {
			node = a.node;
			expect = 1;
			memset(prev, 0, sizeof(prev));
			any = 1;
		}
		id_format(&a.node, idtext);
		store_audit_hash(&a, want);
		/* An anchor starts the chain again from the hub's entry
		 * (store_audit_align()): its number and hash as they are,
		 * under this node's MAC. */
		if (strcmp(a.action, AUDIT_ANCHOR) == 0 && a.nseq >= expect &&
		    mac_ok) {
			expect = a.nseq;
			memcpy(prev, a.prev, sizeof(prev));
			memcpy(want, a.hash, sizeof(want));
		}
		if (a.nseq != expect)
			rc = err_set(e, ERR_CORRUPT,
				     "audit trail of node %s: entry %llu "
				     "missing (removed outside presidio)",
				     idtext, (unsigned long long)expect);
		else if (sodium_memcmp(prev, a.prev, sizeof(prev)) != 0)
			rc = err_set(e, ERR_CORRUPT,
				     "audit trail of node %s: entry %llu does "
				     "not follow the one before it (removed, "
				     "moved or altered outside presidio)",
				     idtext, (unsigned long long)a.nseq);
		else if (sodium_memcmp(want, a.hash, sizeof(want)) != 0 ||
			 !mac_ok)
			rc = err_set(e, ERR_CORRUPT,
				     "audit trail of node %s: entry %llu "
				     "altered outside presidio",
				     idtext, (unsigned long long)a.nseq);
		memcpy(prev, a.hash, sizeof(prev));
		expect++;
		if (id_cmp(&a.node, &s->node_id) == 0)
			own_last = a.nseq;
	}
	rc = store_q_done(st, rc, e);
	if (rc)
		return rc;
	rc = store_checkpoint_get(s, CK_AUDIT_LAST, &mark, e);
	if (rc == ERR_NOTFOUND) {
		mark = 0;
		rc = 0;
	}
	if (!rc && mark != own_last)
		rc = err_set(e, ERR_CORRUPT,
			     "audit trail: this node's last entry is %llu, "
			     "its mark says %llu (entries removed outside "
			     "presidio)",
			     (unsigned long long)own_last,
			     (unsigned long long)mark);
	return rc;
}

/* ---- the hub ---- */

int store_audit_own_last(struct store *s, uint64_t *nseq, struct err *e)
{
	uint8_t hash[STORE_AUDIT_HASHBYTES];

	return last_of(s, s->self_node, nseq, hash, e);
}

int store_audit_last(struct store *s, const struct id *node, uint64_t *nseq,
		     uint8_t *hash, struct err *e)
{
	uint8_t h[STORE_AUDIT_HASHBYTES];
	struct store_q *st = NULL;
	int64_t idx = 0;
	int rc;

	/* A read (hello asks it): the node's row is looked up, never made. */
	st = store_q(s, "SELECT idx FROM node WHERE id = ?1", "reading nodes");
	store_q_bind_blob(st, 1, node->b, ID_BYTES);
	if (store_q_row(st))
		idx = store_q_col_i64(st, 0);
	rc = store_q_end(st, e);
	if (!rc && !idx) {
		*nseq = 0;
		memset(hash ? hash : h, 0, STORE_AUDIT_HASHBYTES);
		return 0;
	}
	return rc ? rc : last_of(s, idx, nseq, hash ? hash : h, e);
}

int store_audit_change_record(struct store *s, const struct id *node,
			      uint64_t chg, struct id *record, struct err *e)
{
	struct store_q *st = store_q(s,
				     "SELECT r.id FROM change c JOIN record r "
				     "ON r.rid = c.rid WHERE c.origin = "
				     "(SELECT idx FROM node WHERE id = ?1) "
				     "AND c.oseq = ?2",
				     "reading the change log");
	int found = 0, rc;

	store_q_bind_blob(st, 1, node->b, ID_BYTES);
	store_q_bind_int(st, 2, chg > INT64_MAX ? -1 : (int64_t)chg);
	if (store_q_row(st) && store_q_col_bytes(st, 0) == ID_BYTES) {
		memcpy(record->b, store_q_col_blob(st, 0), ID_BYTES);
		found = 1;
	}
	rc = store_q_end(st, e);
	if (!rc && !found)
		rc = err_set(e, ERR_NOTFOUND, "no change %llu of this node is "
			     "held here", (unsigned long long)chg);
	return rc;
}

/* Keep a, of node row idx (idtext), after the entry *last whose hash is
 * last_hash: store_audit_receive_page() for one entry.  *last and
 * last_hash move to a when it is kept; *anchor too when a is an anchor. */
static int receive_one(struct store *s, int64_t idx, const char *idtext,
		       const struct store_audit_entry *a, uint64_t *last,
		       uint8_t last_hash[STORE_AUDIT_HASHBYTES],
		       uint64_t *anchor, struct err *e)
{
	int rc;

	if (a->nseq <= *last) {
		/* Sent again (an answer lost): the same entry, or a chain
		 * rewritten at the node. */
		struct store_q *st = store_q(s,
					     "SELECT hash FROM audit WHERE "
					     "node = ?1 AND nseq = ?2",
					     "reading the audit trail");
		int same = 0;

		store_q_bind_int(st, 1, idx);
		store_q_bind_int(st, 2, (int64_t)a->nseq);
		if (store_q_row(st))
			same = store_q_col_bytes(st, 0) ==
				       STORE_AUDIT_HASHBYTES &&
			       sodium_memcmp(store_q_col_blob(st, 0), a->hash,
					     STORE_AUDIT_HASHBYTES) == 0;
		rc = store_q_end(st, e);
		if (!rc && !same)
			rc = err_set(e, ERR_CONFLICT,
				     "audit entry %llu of node %s differs from "
				     "the one held: its trail was rewritten",
				     (unsigned long long)a->nseq, idtext);
		return rc;
	}
	/* An anchor: the node lost entries this hub lost too (both
	 * restored from backups); the chain starts again from it, and
	 * store_audit_is_anchor() lets the caller say so. */
	if (strcmp(a->action, AUDIT_ANCHOR) == 0) {
		if (anchor)
			*anchor = a->nseq;
	} else if (a->nseq != *last + 1 ||
		   sodium_memcmp(a->prev, last_hash, STORE_AUDIT_HASHBYTES) !=
			   0) {
		return err_set(e, ERR_CONFLICT,
			       "audit entry %llu of node %s does not continue "
			       "the trail held (last %llu): entries removed or "
			       "rewritten",
			       (unsigned long long)a->nseq, idtext,
			       (unsigned long long)*last);
	}
	rc = insert(s, idx, a, e);
	if (!rc) {
		*last = a->nseq;
		memcpy(last_hash, a->hash, STORE_AUDIT_HASHBYTES);
	}
	return rc;
}

int store_audit_receive_page(struct store *s,
			     const struct store_audit_entry *a, size_t n,
			     uint64_t *anchor, struct err *e)
{
	uint8_t last_hash[STORE_AUDIT_HASHBYTES];
	char idtext[ID_TEXT_LEN + 1];
	uint64_t last = 0;
	int64_t idx = 0;
	int opened = 0;
	int rc = 0;

	if (anchor)
		*anchor = 0;
	for (size_t i = 0; !rc && i < n; i++) {
		rc = store_audit_check(&a[i], e);
		if (!rc && memcmp(a[i].node.b, a[0].node.b, ID_BYTES) != 0)
			rc = err_set(e, ERR_INVALID,
				     "audit: a page holds one node's entries");
	}
	if (rc || n == 0)
		return rc;
	id_format(&a[0].node, idtext);
	/* One transaction (or savepoint) for the page, the node's row and
	 * its last entry read once: the entries are checked against each
	 * other as they go in. */
	rc = store_tx_begin(s, &opened, e);
	if (!rc)
		rc = store_node_ensure(s, &a[0].node, &idx, e);
	if (!rc)
		rc = last_of(s, idx, &last, last_hash, e);
	for (size_t i = 0; !rc && i < n; i++)
		rc = receive_one(s, idx, idtext, &a[i], &last, last_hash,
				 anchor, e);
	return store_tx_end(s, opened, rc, e);
}

int store_audit_receive(struct store *s, const struct store_audit_entry *a,
			struct err *e)
{
	return store_audit_receive_page(s, a, 1, NULL, e);
}
