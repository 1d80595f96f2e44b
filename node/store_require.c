/*
 * store_require.c - see store_require.h.
 *
 * The records a requirement or a quota reads are few (a case's
 * assessments and profiles, the dotes of the programme: hundreds), so
 * each is found by a statement prepared per call and opened one by one;
 * a walk stops at the first record that meets a requirement.  Only the
 * collections that declare requirements or quotas pay for any of it.
 */
#include "node/store_require.h"
#include "node/store_sql.h"

#include <stdlib.h>
#include <string.h>

#include "schema/rule.h"

int store_require_walk(struct store *s, const struct schema_collection *c,
		       const struct id *parent, const struct id *skip,
		       store_walk_fn fn, void *ctx, struct err *e)
{
	struct store_q *st;
	json_t *fields = NULL;
	uint8_t *ad = NULL;
	size_t adlen;
	int rc = 0;

	/* Deleted rows are read too, and their MAC checked before the flag
	 * is believed: a deletion flag planted on a live row fails the walk
	 * rather than hide the row from a count. */
	/* The kin row only points: the record's own columns decide (the
	 * MAC's columns are STORE_MAC_COLS_RECORD's, of r). */
#define WALK_COLS                                                              \
	"SELECT r.id, r.vers, r.body, presidio_mac_ok(r.mac, 'record', "       \
	"r.id, r.coll, r.parent, r.deleted, r.vers, r.conflicts), r.deleted, " \
	"r.coll = k.coll AND r.parent IS k.parent FROM kin k JOIN record r "   \
	"ON r.rid = k.rid WHERE k.coll = ?2 "
	st = store_q(s,
		     parent ? WALK_COLS "AND k.parent = ?1 ORDER BY k.rid"
			    : WALK_COLS "ORDER BY k.rid",
		     "reading the records a rule counts");
#undef WALK_COLS
	if (parent)
		store_q_bind_blob(st, 1, parent->b, ID_BYTES);
	store_q_bind_int(st, 2, c->id);
	while (!rc && store_q_row(st)) {
		struct id id;

		if (store_q_col_bytes(st, 0) != ID_BYTES) {
			rc = err_set(e, ERR_CORRUPT, "record with a bad id");
			break;
		}
		if (!store_q_col_int(st, 3)) {
			rc = err_set(e, ERR_AUTH, "a '%s' record fails its "
				     "row MAC", c->name);
			break;
		}
		/* A record moved in the file (its MAC holds only if it was
		 * moved back) or an index row planted or moved. */
		if (!store_q_col_int(st, 5)) {
			rc = err_set(e, ERR_AUTH, "a '%s' record does not match "
				     "its index row", c->name);
			break;
		}
		memcpy(id.b, store_q_col_blob(st, 0), ID_BYTES);
		if (store_q_col_int(st, 4) || (skip && id_cmp(&id, skip) == 0))
			continue;
		if (store_body_ad(&id, c->id, store_q_col_blob(st, 1),
				  (size_t)store_q_col_bytes(st, 1), NULL, 0,
				  &ad, &adlen)) {
			rc = err_set(e, ERR_NOMEM, "out of memory");
			break;
		}
		rc = store_open_json(s, &id, store_q_col_blob(st, 2),
				     (size_t)store_q_col_bytes(st, 2), ad,
				     adlen, &fields, e);
		free(ad);
		ad = NULL;
		if (!rc)
			rc = fn(ctx, &id, fields);
		json_decref(fields);
		fields = NULL;
	}
	rc = err_walk_end(rc);
	return store_q_done(st, rc, e);
}

int store_require_kin_init(struct store *s, struct err *e)
{
	const struct schema_collection *c;

	s->nkin = 0;
	for (size_t i = 0; (c = schema_at(i)) != NULL; i++) {
		/* The hub also finds a case's records by their parent: a
		 * case entering a node's scope brings its history
		 * (registry_scope_log()), and a record table without an
		 * index on parent would be read whole for each case. */
		if (!rule_counted(c) &&
		    !(s->role == STORE_ROLE_HUB &&
		      schema_scope_of(c) == SCHEMA_SCOPE_PARENT))
			continue;
		if (s->nkin == STORE_KIN_MAX)
			return err_set(e, ERR_INVALID,
				       "more than %d collections read as a "
				       "group", STORE_KIN_MAX);
		s->kin[s->nkin++] = c->id;
	}
	return 0;
}

/* 1 when collection id has kin rows. */
static int kin_has(const struct store *s, uint16_t id)
{
	for (size_t i = 0; i < s->nkin; i++)
		if (s->kin[i] == id)
			return 1;
	return 0;
}

/* A hash of the set (FNV-1a over the ids in schema order), never 0: the
 * value of STORE_CK_KIN. */
static uint64_t kin_mark(const struct store *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < s->nkin; i++) {
		h ^= s->kin[i];
		h *= 1099511628211ULL;
	}
	return h ? h : 1;
}

int store_require_kin_sync(struct store *s, struct err *e)
{
	uint64_t had = 0, want = kin_mark(s);
	int opened = 0;
	int rc = store_checkpoint_get(s, STORE_CK_KIN, &had, NULL);

	if (rc == 0 && had == want)
		return 0;
	if (rc && rc != ERR_NOTFOUND)
		return err_set(e, rc, "cannot read which records are indexed");
	rc = store_tx_begin(s, &opened, e);
	if (!rc)
		rc = store_q_run(store_q(s, "DELETE FROM kin",
					 "rebuilding the group index"), e);
	for (size_t i = 0; !rc && i < s->nkin; i++) {
		struct store_q *st = store_q(
		    s,
		    "INSERT INTO kin(rid, coll, parent) SELECT rid, coll, "
		    "parent FROM record WHERE coll = ?1",
		    "rebuilding the group index");

		store_q_bind_int(st, 1, s->kin[i]);
		rc = store_q_run(st, e);
	}
	if (!rc)
		rc = store_checkpoint_set(s, STORE_CK_KIN, want, e);
	return store_tx_end(s, opened, rc, e);
}

/* The count an SQL statement st answers, added to *n. */
static int count_into(struct store_q *st, uint64_t *n, struct err *e)
{
	if (store_q_row(st))
		*n += (uint64_t)store_q_col_i64(st, 0);
	return store_q_end(st, e);
}

int store_require_kin_verify(struct store *s, uint64_t *bad, struct err *e)
{
	uint64_t missing = 0, stray = 0;
	int rc = 0;

	*bad = 0;
	for (size_t i = 0; !rc && i < s->nkin; i++) {
		struct store_q *st = store_q(
		    s,
		    "SELECT count(*) FROM record r WHERE r.coll = ?1 AND NOT "
		    "EXISTS (SELECT 1 FROM kin k WHERE k.rid = r.rid AND "
		    "k.coll = r.coll AND k.parent IS r.parent)",
		    "checking the group index");

		store_q_bind_int(st, 1, s->kin[i]);
		rc = count_into(st, &missing, e);
	}
	if (!rc)
		rc = count_into(
		    store_q(s,
			    "SELECT count(*) FROM kin k WHERE NOT EXISTS "
			    "(SELECT 1 FROM record r WHERE r.rid = k.rid AND "
			    "r.coll = k.coll AND r.parent IS k.parent)",
			    "checking the group index"),
		    &stray, e);
	if (rc)
		return rc;
	*bad = missing + stray;
	if (*bad)
		return err_set(e, ERR_CORRUPT,
			       "table kin (the index of records read as a "
			       "group) does not match the records: %llu "
			       "missing or wrong, %llu without their record",
			       (unsigned long long)missing,
			       (unsigned long long)stray);
	return 0;
}

int store_require_kin_put(struct store *s, const struct schema_collection *c,
			  int64_t rid, const struct id *parent, struct err *e)
{
	struct store_q *st;

	if (!kin_has(s, c->id))
		return 0;
	st = store_q(s,
		     "INSERT INTO kin(rid, coll, parent) VALUES (?1, ?2, ?3) "
		     "ON CONFLICT(rid) DO UPDATE SET coll = excluded.coll, "
		     "parent = excluded.parent",
		     "indexing a record read as a group");
	store_q_bind_int(st, 1, rid);
	store_q_bind_int(st, 2, c->id);
	if (parent)
		store_q_bind_blob(st, 3, parent->b, ID_BYTES);
	else
		store_q_bind_null(st, 3);
	return store_q_run(st, e);
}

int store_require_merged(const json_t *cur, const json_t *fields,
			 json_t **out, struct err *e)
{
	*out = cur ? json_deep_copy(cur) : json_object();
	if (!*out || json_object_update(*out, (json_t *)fields)) {
		json_decref(*out);
		*out = NULL;
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	return 0;
}

/* ---- requirements ---- */

struct judge {
	struct store *s;
	const struct schema_collection *c;
	const struct id *id;
	const json_t *after;
	struct err *e;      /* the database's errors */
	int failed;         /* one happened: it is in e */
};

struct find {
	const struct schema_requirement *r;
	int found;
};

static int find_one(void *ctx, const struct id *id, const json_t *fields)
{
	struct find *f = ctx;

	(void)id;
	if (!rule_requirement_met(f->r, fields))
		return 0;
	f->found = 1;
	return ERR_STOP;
}

/* rule_requirement_fn: load what r reads and judge it. */
static int judge_one(void *ctx, const struct schema_requirement *r,
		     int *holds, struct err *why)
{
	struct judge *j = ctx;
	const struct schema_collection *t = rule_requirement_target(j->c, r);
	struct find f = { r, 0 };
	struct store_row row;
	struct id parent;
	int rc = 0;

	(void)why;
	*holds = 0;
	memset(&row, 0, sizeof(row));
	version_set_init(&row.vers);
	switch (r->link) {
	case SCHEMA_LINK_SELF:
		*holds = rule_requirement_met(r, j->after);
		return 0;
	case SCHEMA_LINK_PARENT:
		if (!t || !store_parent_of(j->c, j->after, &parent))
			return 0;
		rc = store_row_load(j->s, &parent, &row, j->e);
		if (!rc && row.exists && !row.deleted && row.coll == t->id)
			*holds = rule_requirement_met(r, row.fields);
		store_row_release(&row);
		break;
	case SCHEMA_LINK_CHILD:
		if (t)
			rc = store_require_walk(j->s, t, j->id, NULL, find_one, &f,
				       j->e);
		*holds = f.found;
		break;
	case SCHEMA_LINK_SIBLING:
		if (t && store_parent_of(j->c, j->after, &parent))
			rc = store_require_walk(j->s, t, &parent, j->id, find_one, &f,
				       j->e);
		*holds = f.found;
		break;
	}
	if (rc)
		j->failed = 1;
	return rc;
}

int store_require_step(struct store *s, const struct schema_collection *c,
		       const struct id *id, const json_t *after,
		       const struct schema_field *f, const char *from,
		       const char *to, const char *role, int *held,
		       struct err *why, struct err *e)
{
	const struct schema_transition *t = rule_transition(f, from, to);
	struct judge j = { s, c, id, after, e, 0 };
	int rc;

	*held = 1;
	if (!t || !t->nrequires)
		return 0;
	rc = rule_check_requires(c, f, t, role, judge_one, &j, why);
	if (j.failed)
		return rc;
	*held = rc == 0;
	return 0;
}

int store_require_one(struct store *s, const struct schema_collection *c,
		      const struct id *id, const json_t *after,
		      const struct schema_requirement *r, int *holds,
		      struct err *e)
{
	struct judge j = { s, c, id, after, e, 0 };

	return judge_one(&j, r, holds, NULL);
}

int store_require_steps(struct store *s, const struct schema_collection *c,
			const struct id *id, const json_t *cur,
			const json_t *fields, const char *role, struct err *e)
{
	json_t *after = NULL, *val;
	const char *key;
	int held = 1, rc = 0;

	json_object_foreach((json_t *)fields, key, val) {
		const struct schema_field *f = schema_field(c, key);
		const json_t *old = cur ? json_object_get(cur, key) : NULL;

		if (!rule_is_procedure(f) || (old && json_equal(old, val)))
			continue;
		if (!after)
			rc = store_require_merged(cur, fields, &after, e);
		if (!rc)
			rc = store_require_step(s, c, id, after, f,
						rule_value(f, old),
						rule_value(f, val), role, &held,
						e, e);
		if (rc || !held)
			break;
	}
	json_decref(after);
	return rc ? rc : held ? 0 : ERR_CONFLICT;
}

int store_require_settle(struct store *s, const struct schema_collection *c,
			 const struct id *id, const json_t *after,
			 const struct schema_field *f,
			 const json_t *const *cand, size_t ncand,
			 const json_t *to, const char *role, struct err *e)
{
	const char *want = rule_value(f, to);
	struct err first, other;
	int refused = 0;

	err_init(&first);
	err_init(&other);
	for (size_t i = 0; want && i < ncand; i++)
		if (rule_value(f, cand[i]) == want)
			return 0; /* settles on a value taken: no step */
	for (size_t i = 0; want && i < ncand; i++) {
		const char *from = rule_value(f, cand[i]);
		const struct schema_transition *t =
			rule_transition(f, from, want);
		int held = 1, rc;

		if (!t || !rule_role_ok(t, role))
			continue;
		rc = store_require_step(s, c, id, after, f, from, want, role,
					&held, refused ? &other : &first, e);
		if (rc || held)
			return rc;
		refused = 1;
	}
	if (refused)
		return err_set(e, ERR_CONFLICT, "%s", first.msg);
	return 0;
}

/* ---- invariants and quotas ---- */

struct tally {
	const struct schema_quota *q;
	const char *group;
	int64_t n;
};

static int tally_one(void *ctx, const struct id *id, const json_t *fields)
{
	struct tally *t = ctx;
	const char *g;

	(void)id;
	if (rule_quota_counts(t->q, fields, &g) && strcmp(g, t->group) == 0)
		t->n++;
	return 0;
}

int store_quota_used(struct store *s, const struct schema_collection *c,
		     const char *group, const struct id *skip, int64_t *used,
		     struct err *e)
{
	struct tally t = { c ? c->quota : NULL, group, 0 };
	int rc = 0;

	if (t.q && group)
		rc = store_require_walk(s, c, NULL, skip, tally_one, &t, e);
	*used = t.n;
	return rc;
}

/* The quota of c on a write moving values cur (NULL: not counted yet)
 * to after. */
static int check_quota(struct store *s, const struct schema_collection *c,
		       const struct id *id, const json_t *cur,
		       const json_t *after, struct err *e)
{
	const char *g, *was;
	int64_t limit = 0, used = 0;
	int has = 0, rc;

	if (!c->quota || !s->quota_hook ||
	    !rule_quota_counts(c->quota, after, &g))
		return 0;
	/* Counted in that group already: the write adds nothing to it. */
	if (cur && rule_quota_counts(c->quota, cur, &was) &&
	    strcmp(was, g) == 0)
		return 0;
	rc = s->quota_hook(s->quota_hook_ctx, s, c, g, &limit, &has, e);
	if (!rc && has)
		rc = store_quota_used(s, c, g, id, &used, e);
	if (!rc && has)
		rc = rule_check_quota(c, used, limit, e);
	return rc;
}

/* 1 when fields (a pushed change's) takes a record of c into a group of
 * its quota: writes the group or skip field, or undeletes. */
static int moves_quota(const struct schema_collection *c,
		       const struct store_incoming *in)
{
	const json_t *del = json_object_get(in->fields, "_deleted");

	return in->kind == STORE_CHANGE_CREATE || json_is_false(del) ||
	       json_object_get(in->fields, c->quota->group) ||
	       (c->quota->skip && json_object_get(in->fields, c->quota->skip));
}

int store_require_incoming_quota(struct store *s,
				 const struct schema_collection *c,
				 const struct store_incoming *in,
				 const char *role, char *why, size_t n,
				 struct err *e)
{
	const json_t *del = json_object_get(in->fields, "_deleted");
	struct store_row row;
	json_t *after = NULL;
	const char *was;
	struct err le;
	int counted = 0, quota = 0, rc = 0;

	if (!c->quota || !s->quota_hook || in->kind == STORE_CHANGE_DELETE ||
	    json_is_true(del) || !moves_quota(c, in))
		return 0;
	err_init(&le);
	rc = store_row_load(s, &in->record, &row, e);
	if (rc)
		return rc;
	if (row.exists && row.coll != c->id)
		goto out; /* another collection's id: the merge refuses it */
	/* A record the hub holds deleted stays out of every group unless
	 * the change brings it back. */
	if (row.exists && row.deleted && !json_is_false(del))
		goto out;
	counted = row.exists && !row.deleted &&
		  rule_quota_counts(c->quota, row.fields, &was);
	/* Which partner a record counts on is the hub's to change: a node
	 * moving one would spend another partner's allocation. */
	if (row.exists && role && strcmp(role, "hub") != 0 &&
	    json_object_get(in->fields, c->quota->group) &&
	    !json_equal(json_object_get(in->fields, c->quota->group),
			json_object_get(row.fields, c->quota->group))) {
		snprintf(why, n, "campo '%s' di '%s': lo cambia solo l'hub",
			 c->quota->group, c->name);
		goto out;
	}
	rc = store_require_merged(row.exists ? row.fields : NULL, in->fields,
				  &after, e);
	if (!rc)
		json_object_del(after, "_deleted");
	/* Judged on the hub's own data, as a local write of it would be. */
	if (!rc)
		quota = check_quota(s, c, &in->record,
				    counted ? row.fields : NULL, after, &le);
	if (quota == ERR_INVALID)
		snprintf(why, n, "%s", le.msg);
	else if (quota)
		rc = err_set(e, quota, "%s", le.msg);
out:
	json_decref(after);
	store_row_release(&row);
	return rc;
}

int store_require_values(struct store *s, const struct schema_collection *c,
			 const struct id *id, const json_t *cur,
			 const json_t *after, int undelete, struct err *e)
{
	int rc = undelete ? 0 : rule_check_invariant(c, cur, after, e);

	return rc ? rc : check_quota(s, c, id, cur, after, e);
}
