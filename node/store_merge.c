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

/* Apply one change to the merge state and remember its actor. */
static int mstate_apply(struct store *s, struct store_mstate *m,
			uint64_t hlc, uint32_t actor, uint64_t seq,
			const json_t *values, const struct merge_prev *prev,
			size_t nprev, struct merge_result *res, struct err *e)
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
				mp, nmp, NULL, e);
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
	int rc = 0;

	if (!values || !coll)
		return err_set(e, ERR_NOMEM, "out of memory");
	json_decref(row->fields);
	row->fields = values;
	version_set_clear(&row->vers);
	for (size_t i = 0; !rc && i <= coll->nfields; i++) {
		uint16_t field = i ? coll->fields[i - 1].id
				   : SCHEMA_FIELD_DELETED;
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
				  c->values, mp, nmp, NULL, e);
	if (!rc)
		rc = derive_row(s, m, row, e);
	free(mp);
	return rc;
}

int store_mstate_incoming(struct store *s, struct store_mstate *m,
			  struct store_row *row, struct store_change_out *c,
			  const struct merge_prev *prev, size_t nprev,
			  struct merge_result *res, struct err *e)
{
	struct version v = { c->hlc, c->actor };
	const char *key;
	json_t *val;
	int rc = from_merge_prev(s, m, prev, nprev, &c->prev, e);

	if (!rc)
		rc = mstate_apply(s, m, c->hlc, c->actor, s->next_seq,
				  c->values, prev, nprev, res, e);
	json_object_foreach(c->values, key, val)
	{
		const struct schema_field *f =
			schema_field(schema_collection_by_id(row->coll), key);
		uint16_t field = f ? f->id : SCHEMA_FIELD_DELETED;

		if (!rc && version_set_put(&c->vers, field, v))
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
