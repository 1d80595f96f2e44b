/*
 * registry_scope_key.c - the hub's log by who may see it: for every entry,
 * the keys through which a peer's scope reaches it (table scope_key,
 * schema/migrations/0018_scope_key.sql), so that a pull reads the entries
 * its peer may see instead of judging every entry after its cursor
 * (registry_scope_log.c).
 *
 * An entry's keys follow its record's scope class (registry_scope_class()):
 *   - a case (a scope root): the case's id;
 *   - a record that follows its parent: the parent's id (a service its
 *     case, a goal its plan, a plan its case);
 *   - a person (a subject): the person's id, and the id of the node that
 *     created it, which sees it while no case names it;
 *   - any other collection: x'', which every peer holds.
 * A peer's keys are x'', its cases, the records under its cases that
 * others follow (plans, dotes: found through kin), the persons its cases
 * name and its own node id (registry_scope_key_peer_sql()).
 *
 * A record that moves to another parent brings its earlier entries to
 * the new parent's key, as a walk of the whole log judged them by the
 * record's parent at the time of the pull.  The rows decide nothing: the
 * walk judges each entry it reaches by the same MAC'd columns as before,
 * so a planted row brings an entry that judgement refuses.  A removed row
 * hides its entry, as a damaged index would: registry_scope_key_verify()
 * counts them, and `presidio verify` fails on the hub.
 */
#include "registry/registry_int.h"

#include <string.h>

#include "common/id.h"

/* The checkpoint that says scope_key holds every entry, keyed by the
 * classes of key_mark(). */
#define CK_SCOPE_KEY "scope.keys"

/* c is followed by another collection and follows a case itself (a plan,
 * a dote): its records' ids are keys of the peers that see their case. */
static int key_followed(const struct schema_collection *c)
{
	const struct schema_collection *d;

	if (registry_scope_class(c) != SCHEMA_SCOPE_PARENT)
		return 0;
	for (size_t i = 0; (d = schema_at(i)) != NULL; i++)
		if (registry_scope_class(d) == SCHEMA_SCOPE_PARENT &&
		    schema_parent_of(d) == c)
			return 1;
	return 0;
}

/* A hash of every collection's class (FNV-1a), never 0: a schema that
 * classes a collection otherwise rebuilds the table. */
static uint64_t key_mark(void)
{
	const struct schema_collection *c;
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; (c = schema_at(i)) != NULL; i++) {
		h ^= (uint64_t)c->id << 8 |
		     (uint64_t)registry_scope_class(c) << 1 |
		     (uint64_t)key_followed(c);
		h *= 1099511628211ULL;
	}
	return h ? h : 1;
}

void registry_scope_key_peer_sql(char *out, size_t n)
{
	const struct schema_collection *c;
	size_t o;

	o = (size_t)snprintf(out, n, "SELECT x'' UNION ALL SELECT case_id "
				     "FROM scope_member WHERE peer = ?2 UNION "
				     "ALL SELECT g.id FROM scope_member m JOIN "
				     "kin k ON k.coll IN (0");
	for (size_t i = 0; (c = schema_at(i)) != NULL && o < n; i++)
		if (key_followed(c))
			o += (size_t)snprintf(out + o, n - o, ",%u",
					      (unsigned)c->id);
	if (o < n)
		snprintf(out + o, n - o,
			 ") AND k.parent = m.case_id JOIN record g ON g.rid "
			 "= k.rid WHERE m.peer = ?2 UNION ALL SELECT "
			 "sc.person FROM scope_member m JOIN scope_case sc "
			 "ON sc.id = m.case_id WHERE m.peer = ?2 AND "
			 "sc.person IS NOT NULL UNION ALL SELECT id FROM "
			 "node WHERE idx = ?3");
}

/* ---- keeping the table ---- */

static int put_key(struct store *s, const void *key, size_t len,
		   uint64_t seq, struct err *e)
{
	struct store_q *st = store_q(s,
				     "INSERT OR IGNORE INTO scope_key(key, "
				     "seq) VALUES (?1, ?2)",
				     "indexing the log by scope");

	store_q_bind_blob(st, 1, len ? key : "", len);
	store_q_bind_int(st, 2, (int64_t)seq);
	return store_q_run(st, e);
}

/* Run sql, an insert of keys for entry seq of record row rid (?1, ?2). */
static int put_for(struct store *s, const char *sql, int64_t rid,
		   uint64_t seq, struct err *e)
{
	struct store_q *st = store_q(s, sql, "indexing the log by scope");

	store_q_bind_int(st, 1, rid);
	store_q_bind_int(st, 2, (int64_t)seq);
	return store_q_run(st, e);
}

/* A person's creator: the node of its record's first entry. */
static int put_creator(struct store *s, int64_t rid, uint64_t seq,
		       struct err *e)
{
	return put_for(s,
		       "INSERT OR IGNORE INTO scope_key(key, seq) SELECT "
		       "n.id, ?2 FROM node n WHERE n.idx = (SELECT f.origin "
		       "FROM change f WHERE f.rid = ?1 ORDER BY f.seq LIMIT 1)",
		       rid, seq, e);
}

/* A record under a parent: its entry, under the parent its row names
 * (record.parent, which the walk judges by), and its earlier entries when
 * the last one was keyed under another parent (it moved). */
static int put_parent(struct store *s, int64_t rid, uint64_t seq,
		      struct err *e)
{
	int rc = put_for(s,
			 "INSERT OR IGNORE INTO scope_key(key, seq) SELECT "
			 "parent, ?2 FROM record WHERE rid = ?1 AND parent IS "
			 "NOT NULL",
			 rid, seq, e);

	return rc ? rc
		  : put_for(s,
			    "INSERT OR IGNORE INTO scope_key(key, seq) SELECT "
			    "r.parent, c.seq FROM record r JOIN change c ON "
			    "c.rid = r.rid WHERE r.rid = ?1 AND r.parent IS "
			    "NOT NULL AND c.seq < ?2 AND NOT EXISTS (SELECT 1 "
			    "FROM scope_key k WHERE k.key = r.parent AND k.seq "
			    "= (SELECT max(f.seq) FROM change f WHERE f.rid = "
			    "?1 AND f.seq < ?2))",
			    rid, seq, e);
}

int registry_scope_key_note(struct store *s, const struct store_write *w,
			    struct err *e)
{
	int rc;

	switch (registry_scope_class(w->coll)) {
	case SCHEMA_SCOPE_ROOT:
		return put_key(s, w->id->b, ID_BYTES, w->seq, e);
	case SCHEMA_SCOPE_SUBJECT:
		rc = put_key(s, w->id->b, ID_BYTES, w->seq, e);
		return rc ? rc : put_creator(s, w->rid, w->seq, e);
	case SCHEMA_SCOPE_PARENT:
		return put_parent(s, w->rid, w->seq, e);
	case SCHEMA_SCOPE_SHARED:
	default:
		return put_key(s, NULL, 0, w->seq, e);
	}
}

/* The key of class k over record r of an entry c (the node that
 * created it when creator: a subject's second key), and in *join what
 * the query joins for it. */
static const char *key_expr(enum schema_scope k, int creator,
			    const char **join)
{
	*join = "";
	if (creator) {
		*join = "JOIN node n ON n.idx = (SELECT f.origin FROM change "
			"f WHERE f.rid = r.rid ORDER BY f.seq LIMIT 1) ";
		return "n.id";
	}
	switch (k) {
	case SCHEMA_SCOPE_ROOT:
	case SCHEMA_SCOPE_SUBJECT:
		return "r.id";
	case SCHEMA_SCOPE_PARENT:
		return "r.parent";
	case SCHEMA_SCOPE_SHARED:
	default:
		return "x''";
	}
}

/* fn(s, key, from, ctx, e) for every key of every collection: from is
 * "FROM ... WHERE ..." over the entries (c) of the collection's records
 * (r, ?1 bound by fn to coll) that have the key, key its expression.
 * The rebuild and the check read the log the same way. */
typedef int (*key_fn)(struct store *s, uint16_t coll, const char *key,
		      const char *from, void *ctx, struct err *e);

static int each_key(struct store *s, key_fn fn, void *ctx, struct err *e)
{
	const struct schema_collection *c;
	char from[384];
	int rc = 0;

	for (size_t i = 0; !rc && (c = schema_at(i)) != NULL; i++) {
		enum schema_scope k = registry_scope_class(c);

		for (int creator = 0;
		     !rc && creator <= (k == SCHEMA_SCOPE_SUBJECT); creator++) {
			const char *join, *key = key_expr(k, creator, &join);

			snprintf(from, sizeof(from),
				 "FROM record r JOIN change c ON c.rid = "
				 "r.rid %sWHERE r.coll = ?1 AND %s IS NOT NULL",
				 join, key);
			rc = fn(s, c->id, key, from, ctx, e);
		}
	}
	return rc;
}

static int rebuild_one(struct store *s, uint16_t coll, const char *key,
		       const char *from, void *ctx, struct err *e)
{
	char sql[512];
	struct store_q *st;

	(void)ctx;
	snprintf(sql, sizeof(sql),
		 "INSERT OR IGNORE INTO scope_key(key, seq) SELECT %s, c.seq "
		 "%s", key, from);
	st = store_q(s, sql, "indexing the log by scope");
	store_q_bind_int(st, 1, coll);
	return store_q_run(st, e);
}

int registry_scope_key_sync(struct store *s, struct err *e)
{
	uint64_t had = 0, want = key_mark();
	int opened = 0;
	int rc = store_checkpoint_get(s, CK_SCOPE_KEY, &had, NULL);

	if (rc == 0 && had == want)
		return 0;
	if (rc && rc != ERR_NOTFOUND)
		return err_set(e, rc, "cannot read whether the log is indexed "
				      "by scope");
	rc = store_tx_begin(s, &opened, e);
	if (!rc)
		rc = store_q_run(store_q(s, "DELETE FROM scope_key",
					 "indexing the log by scope"), e);
	if (!rc)
		rc = each_key(s, rebuild_one, NULL, e);
	if (!rc)
		rc = store_checkpoint_set(s, CK_SCOPE_KEY, want, e);
	return store_tx_end(s, opened, rc, e);
}

int registry_scope_key_ready(struct store *s, int *ready, struct err *e)
{
	uint64_t had = 0;
	int rc = store_checkpoint_get(s, CK_SCOPE_KEY, &had, NULL);

	*ready = rc == 0 && had == key_mark();
	if (rc && rc != ERR_NOTFOUND)
		return err_set(e, rc, "cannot read whether the log is indexed "
				      "by scope");
	return 0;
}

static int count_missing(struct store *s, uint16_t coll, const char *key,
			 const char *from, void *ctx, struct err *e)
{
	char sql[512];
	struct store_q *st;

	snprintf(sql, sizeof(sql),
		 "SELECT count(*) %s AND NOT EXISTS (SELECT 1 FROM scope_key "
		 "k WHERE k.key = %s AND k.seq = c.seq)", from, key);
	st = store_q(s, sql, "checking the log's scope index");
	store_q_bind_int(st, 1, coll);
	if (store_q_row(st))
		*(uint64_t *)ctx += (uint64_t)store_q_col_i64(st, 0);
	return store_q_end(st, e);
}

int registry_scope_key_verify(struct store *s, uint64_t *missing,
			      struct err *e)
{
	int ready = 0;
	int rc = registry_scope_key_ready(s, &ready, e);

	*missing = 0;
	/* Never built: pulls walk the whole log, nothing is hidden. */
	if (rc || !ready)
		return rc;
	rc = each_key(s, count_missing, missing, e);
	if (!rc && *missing)
		rc = err_set(e, ERR_CORRUPT,
			     "table scope_key (the log by who may see it) "
			     "misses %llu entries: pulls would not send them",
			     (unsigned long long)*missing);
	return rc;
}
