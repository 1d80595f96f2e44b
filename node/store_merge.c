/*
 * store_merge.c - the store's side of conflict/merge.h: a record's merge
 * state rebuilt from its change-log entries, local edits and resolutions
 * that name what they supersede, changes received from other nodes, and
 * the open conflicts.
 *
 * The change log is the truth; the record row is the merge's result kept
 * ready to read (values and versions of the winners, deletion flag, number
 * of open conflicts).  Every write to an existing record replays that
 * record's entries through the merge, applies the new change, and writes
 * the row back in the same transaction as the new entry.  Versions in the
 * store are (time, actor number); the merge speaks (time, node id): this
 * file translates.  A version named by a change this node has not received
 * yet is stored with the actor (that node, no operator).
 */
#include "node/store_int.h"

#include "common/log.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* Version of an applied change, and the actor and entry it came with. */
struct mstate_entry {
	struct merge_vid v;
	uint32_t actor;
	uint64_t seq;
};

struct store_mstate {
	struct merge_record *mr;
	struct mstate_entry *map; /* one per applied change */
	size_t n, cap;
};

void store_mstate_free(struct store_mstate *m)
{
	if (!m)
		return;
	merge_record_free(m->mr);
	free(m->map);
	free(m);
}

static int map_add(struct store_mstate *m, const struct merge_vid *v,
		   uint32_t actor, uint64_t seq)
{
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 8;
		struct mstate_entry *grown =
			realloc(m->map, cap * sizeof(*grown));

		if (!grown)
			return ERR_NOMEM;
		m->map = grown;
		m->cap = cap;
	}
	m->map[m->n].v = *v;
	m->map[m->n].actor = actor;
	m->map[m->n].seq = seq;
	m->n++;
	return 0;
}

static const struct mstate_entry *map_find(const struct store_mstate *m,
					   const struct merge_vid *v)
{
	for (size_t i = 0; i < m->n; i++)
		if (merge_vid_cmp(&m->map[i].v, v) == 0)
			return &m->map[i];
	return NULL;
}

/* Store versions (time, actor) -> merge versions (time, node id). */
static int to_merge_prev(struct store *s, const struct version_set *in,
			 struct merge_prev **out, size_t *nout, struct err *e)
{
	*out = NULL;
	*nout = 0;
	if (!in->n)
		return 0;
	*out = calloc(in->n, sizeof(**out));
	if (!*out)
		return err_set(e, ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < in->n; i++) {
		const struct store_actor *a = NULL;
		int rc = store_actor_info(s, in->e[i].v.actor, &a, e);

		if (rc) {
			free(*out);
			*out = NULL;
			return rc;
		}
		(*out)[i].field = in->e[i].field;
		(*out)[i].v.hlc = in->e[i].v.hlc;
		(*out)[i].v.node = a->node;
	}
	*nout = in->n;
	return 0;
}

/* The actor to store a merge version with: the one of the change that
 * wrote it when this record has it, else (its node, no operator). */
static int actor_for(struct store *s, const struct store_mstate *m,
		     const struct merge_vid *v, uint32_t *actor,
		     struct err *e)
{
	const struct mstate_entry *known = map_find(m, v);
	int64_t node = 0;
	int rc;

	if (known) {
		*actor = known->actor;
		return 0;
	}
	rc = store_node_ensure(s, &v->node, &node, e);
	return rc ? rc : store_actor_ensure(s, node, "", actor, e);
}

/* Merge versions -> store versions, in c->prev. */
static int from_merge_prev(struct store *s, const struct store_mstate *m,
			   const struct merge_prev *p, size_t n,
			   struct version_set *out, struct err *e)
{
	for (size_t i = 0; i < n; i++) {
		struct version v = { p[i].v.hlc, 0 };
		int rc = actor_for(s, m, &p[i].v, &v.actor, e);

		if (rc)
			return rc;
		if (version_set_add(out, p[i].field, v))
			return err_set(e, ERR_NOMEM, "out of memory");
	}
	return 0;
}

/* Apply one change to the merge state and remember its actor; newer:
 * keep what this build does not declare (merge.h). */
static int mstate_apply(struct store *s, struct store_mstate *m,
			uint64_t hlc, uint32_t actor, uint64_t seq,
			const json_t *values, const struct merge_prev *prev,
			size_t nprev, int newer, struct merge_result *res,
			struct err *e)
{
	const struct store_actor *a = NULL;
	struct merge_change c;
	int rc = store_actor_info(s, actor, &a, e);

	if (rc)
		return rc;
	memset(&c, 0, sizeof(c));
	c.v.hlc = hlc;
	c.v.node = a->node;
	c.from_hub = store_role_authority(a->role);
	c.values = values;
	c.prev = prev;
	c.nprev = nprev;
	c.newer_schema = newer;
	rc = merge_apply(m->mr, &c, res, e);
	if (!rc)
		rc = map_add(m, &c.v, actor, seq) ? ERR_NOMEM : 0;
	return rc;
}

int store_mstate_load(struct store *s, int64_t rid,
		      const struct schema_collection *coll,
		      struct store_mstate **out, struct err *e)
{
	struct store_mstate *m = calloc(1, sizeof(*m));
	struct version_set prev;
	struct merge_prev *mp = NULL;
	struct store_q *st = NULL;
	size_t nmp = 0;
	int rc;

	*out = NULL;
	version_set_init(&prev);
	if (!m || merge_record_new(&m->mr, coll)) {
		rc = err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	if (rid <= 0) {
		rc = 0;
		goto out;
	}
	st = store_q_fixed(s, STMT_HISTORY, "reading history");
	store_q_bind_int(st, 1, rid);
	while (store_q_row(st)) {
		json_t *values = NULL;
		struct id id;

		if (store_q_col_bytes(st, 6) != ID_BYTES) {
			rc = err_set(e, ERR_CORRUPT, "record with a bad id");
			goto out;
		}
		memcpy(id.b, store_q_col_blob(st, 6), ID_BYTES);
		rc = version_set_decode(&prev, store_q_col_blob(st, 4),
					(size_t)store_q_col_bytes(st, 4), e);
		if (!rc)
			rc = store_entry_open(s, &id, coll->id,
					      store_q_col_blob(st, 3),
					      (size_t)store_q_col_bytes(st, 3),
					      store_q_col_blob(st, 4),
					      (size_t)store_q_col_bytes(st, 4),
					      store_q_col_blob(st, 5),
					      (size_t)store_q_col_bytes(st, 5),
					      &values, e);
		if (!rc)
			rc = to_merge_prev(s, &prev, &mp, &nmp, e);
		if (!rc)
			rc = mstate_apply(
				s, m, (uint64_t)store_q_col_i64(st, 2),
				(uint32_t)store_q_col_i64(st, 1),
				(uint64_t)store_q_col_i64(st, 0), values,
				mp, nmp, 1, NULL, e);
		json_decref(values);
		free(mp);
		mp = NULL;
		if (rc)
			goto out;
	}
	rc = 0;
out:
	rc = store_q_done(st, rc, e);
	version_set_release(&prev);
	if (rc) {
		store_mstate_free(m);
		m = NULL;
	}
	*out = m;
	return rc;
}

/* The row is what the merge says: winners' values and versions, the
 * deletion flag, the number of open conflicts. */
static int derive_row(struct store *s, struct store_mstate *m,
		      struct store_row *row, struct err *e)
{
	const struct schema_collection *coll = schema_collection_by_id(row->coll);
	json_t *values = merge_values(m->mr);
	uint16_t unk[VERSION_SET_MAX];
	size_t nunk = merge_unknown_ids(m->mr, unk, VERSION_SET_MAX);
	int rc = 0;

	if (!values || !coll)
		return err_set(e, ERR_NOMEM, "out of memory");
	json_decref(row->fields);
	row->fields = values;
	version_set_clear(&row->vers);
	if (nunk > VERSION_SET_MAX)
		nunk = VERSION_SET_MAX;
	/* The declared fields, then those of the next schema version. */
	for (size_t i = 0; !rc && i <= coll->nfields + nunk; i++) {
		uint16_t field = i == 0 ? SCHEMA_FIELD_DELETED
				 : i <= coll->nfields ? coll->fields[i - 1].id
						      : unk[i - 1 - coll->nfields];
		struct merge_vid v;
		struct version sv;

		if (merge_winner(m->mr, field, &v, NULL))
			continue;
		sv.hlc = v.hlc;
		rc = actor_for(s, m, &v, &sv.actor, e);
		if (!rc && version_set_put(&row->vers, field, sv))
			rc = err_set(e, ERR_NOMEM, "out of memory");
	}
	row->deleted = merge_deleted(m->mr);
	row->conflicts = (int)merge_conflicts(m->mr, NULL, 0);
	return rc;
}

int store_mstate_local(struct store *s, struct store_mstate *m,
		       struct store_row *row, struct store_change_out *c,
		       const uint16_t *written, size_t nwritten, int resolve,
		       struct err *e)
{
	struct merge_prev *mp = NULL;
	size_t nmp = 0;
	struct version v = { c->hlc, c->actor };
	int rc;

	if (merge_prev_for(m->mr, written, nwritten, resolve, &mp, &nmp))
		return err_set(e, ERR_NOMEM, "out of memory");
	rc = from_merge_prev(s, m, mp, nmp, &c->prev, e);
	for (size_t i = 0; !rc && i < nwritten; i++)
		if (version_set_put(&c->vers, written[i], v))
			rc = err_set(e, ERR_NOMEM, "out of memory");
	if (!rc)
		rc = mstate_apply(s, m, c->hlc, c->actor, s->next_seq,
				  c->values, mp, nmp, 0, NULL, e);
	if (!rc)
		rc = derive_row(s, m, row, e);
	free(mp);
	return rc;
}

int store_mstate_incoming(struct store *s, struct store_mstate *m,
			  struct store_row *row, struct store_change_out *c,
			  const struct merge_prev *prev, size_t nprev,
			  int newer, struct merge_result *res, struct err *e)
{
	struct version v = { c->hlc, c->actor };
	const char *key;
	json_t *val;
	int rc = from_merge_prev(s, m, prev, nprev, &c->prev, e);

	if (!rc)
		rc = mstate_apply(s, m, c->hlc, c->actor, s->next_seq,
				  c->values, prev, nprev, newer, res, e);
	json_object_foreach(c->values, key, val)
	{
		/* Declared, the marker, or the id the merge gave a field of
		 * the next schema version (merge.h). */
		int field = rc ? -1 : merge_field_id(m->mr, key);

		if (!rc && field < 0)
			rc = err_set(e, ERR_INVALID, "change of a field the "
				     "merge did not take");
		if (!rc && version_set_put(&c->vers, (uint16_t)field, v))
			rc = err_set(e, ERR_NOMEM, "out of memory");
	}
	if (!rc)
		rc = derive_row(s, m, row, e);
	return rc;
}

const struct merge_record *store_mstate_record(const struct store_mstate *m)
{
	return m->mr;
}

int store_mstate_who(const struct store_mstate *m, const struct merge_vid *v,
		     uint32_t *actor, uint64_t *seq)
{
	const struct mstate_entry *x = map_find(m, v);

	if (!x)
		return ERR_NOTFOUND;
	if (actor)
		*actor = x->actor;
	if (seq)
		*seq = x->seq;
	return 0;
}

/* ---- a newer schema version: records re-derived ---- */

/* Record id's row again from its log, with this build's declarations. */
static int rederive(struct store *s, const struct id *id, struct err *e)
{
	const struct schema_collection *coll = NULL;
	struct store_mstate *m = NULL;
	struct store_row row;
	int rc;

	memset(&row, 0, sizeof(row));
	version_set_init(&row.vers);
	rc = store_row_load(s, id, &row, e);
	if (!rc && row.exists)
		coll = schema_collection_by_id(row.coll);
	if (!rc && coll)
		rc = store_mstate_load(s, row.rid, coll, &m, e);
	/* A record with no entry left (evicted, purged) has nothing to
	 * derive. */
	if (!rc && m && !merge_is_empty(m->mr)) {
		rc = derive_row(s, m, &row, e);
		if (!rc)
			rc = store_row_write(s, id, coll, &row, NULL, e);
	}
	store_mstate_free(m);
	store_row_release(&row);
	return rc;
}

/* A record whose log cannot be re-derived (a sealed value that does not
 * open, a malformed entry): counted, not fatal, so that one bad record
 * does not keep the store from ever unlocking.  What the database or the
 * allocator fails ends the upgrade (it resumes at the next unlock). */
static int upgrade_skippable(int rc)
{
	return rc == ERR_CORRUPT || rc == ERR_INVALID || rc == ERR_AUTH ||
	       rc == ERR_NOTFOUND || rc == ERR_FAIL;
}

/* The next record after rid *after, into *id (*more 0: none left). */
static int upgrade_next(struct store *s, int64_t *after, struct id *id,
			int *more, struct err *e)
{
	struct store_q *st = store_q(s, "SELECT rid, id FROM record "
				     "WHERE rid > ?1 ORDER BY rid LIMIT 1",
				     "listing records");
	int rc = 0;

	store_q_bind_int(st, 1, *after);
	*more = store_q_row(st);
	if (*more) {
		*after = store_q_col_i64(st, 0);
		if (store_q_col_bytes(st, 1) == ID_BYTES)
			memcpy(id->b, store_q_col_blob(st, 1), ID_BYTES);
		else
			memset(id->b, 0, ID_BYTES); /* rederive() fails it */
	}
	return store_q_done(st, rc, e);
}

/* Up to STORE_UPGRADE_BATCH records after *after, each in a savepoint of
 * one transaction: a record that fails is rolled back alone, logged by
 * its id and error code (never the message, which might quote what the
 * log holds) and counted in *failed. */
static int upgrade_batch(struct store *s, int64_t *after, int *more,
			 uint64_t *failed, struct err *e)
{
	int opened = 0, rc = store_tx_begin(s, &opened, e);

	for (size_t i = 0; !rc && *more && i < STORE_UPGRADE_BATCH; i++) {
		struct err one;
		struct id id;
		int sp = 0, r;

		rc = upgrade_next(s, after, &id, more, e);
		if (rc || !*more)
			break;
		err_init(&one);
		r = store_tx_begin(s, &sp, &one);
		if (!r)
			r = rederive(s, &id, &one);
		r = store_tx_end(s, sp, r, &one);
		if (r && upgrade_skippable(r)) {
			char idtext[ID_TEXT_LEN + 1];

			id_format(&id, idtext);
			log_warn("schema.rederive_failed", "record %s not re-derived "
				 "(error %d)", idtext, r);
			(*failed)++;
		} else if (r) {
			rc = err_set(e, r, "%s", one.msg);
		}
	}
	return store_tx_end(s, opened, rc, e);
}

int store_schema_upgrade(struct store *s, struct err *e)
{
	uint64_t had = 0, failed = 0, now = (uint64_t)schema_running_version();
	int64_t after = 0;
	int opened = 0, more = 1;
	int rc = store_checkpoint_get(s, STORE_CK_SCHEMA, &had, NULL);

	/* None recorded: the landed release (which kept nothing it did not
	 * declare) or a new store.  An older build than the store's newest
	 * leaves it as it is (a later upgrade re-derives again). */
	if (rc == ERR_NOTFOUND)
		had = now;
	else if (rc)
		return err_set(e, rc, "cannot read the store's schema version");
	if (had >= now && rc == 0)
		return 0;
	rc = 0;
	/* Batches of their own transactions, so that a hub's writers wait
	 * for one batch at most; the version moves only at the end, so an
	 * upgrade cut short starts over at the next unlock (re-deriving a
	 * record twice changes nothing). */
	while (!rc && more && had < now)
		rc = upgrade_batch(s, &after, &more, &failed, e);
	if (!rc)
		rc = store_tx_begin(s, &opened, e);
	if (!rc && had < now)
		rc = store_checkpoint_set(s, STORE_CK_SCHEMA_FAILED, failed, e);
	if (!rc)
		rc = store_checkpoint_set(s, STORE_CK_SCHEMA, now, e);
	rc = store_tx_end(s, opened, rc, e);
	if (!rc && failed)
		log_warn("schema.upgraded", "to version %" PRIu64 ": %" PRIu64
			 " records not re-derived (see presidio verify)",
			 now, failed);
	return rc;
}
