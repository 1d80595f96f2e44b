/*
 * store_conflict.c - changes received from other nodes, the open
 * conflicts, and their resolution: the public side of the merge
 * (store_merge.c does the replaying).
 */
#include "node/store_int.h"

#include "node/store_audit.h"
#include "node/store_rule.h"
#include "schema/enumset.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* Is this change here already?  Local entries are known by their
 * sequence number, received ones by (origin, origin sequence). */
static int already_here(struct store *s, int64_t origin, uint64_t oseq,
			int *known, struct err *e)
{
	struct store_q *st = store_q_fixed(
	    s, origin == s->self_node ? STMT_KNOWN_LOCAL : STMT_KNOWN_REMOTE,
	    "reading change log");

	store_q_bind_int(st, 1, origin);
	store_q_bind_int(st, 2, (int64_t)oseq);
	*known = store_q_row(st);
	return store_q_end(st, e);
}

static int check_incoming(const struct store_incoming *in,
			  const struct schema_collection *coll, struct err *e)
{
	if (!coll)
		return err_set(e, ERR_INVALID, "unknown collection '%s'",
			       schema_name_ok(in->collection) ? in->collection
							      : "?");
	if (in->kind < STORE_CHANGE_CREATE || in->kind > STORE_CHANGE_RESOLVE)
		return err_set(e, ERR_INVALID, "unknown kind of change");
	if (in->origin_seq == 0 || in->origin_seq > INT64_MAX)
		return err_set(e, ERR_INVALID, "bad origin sequence number");
	if (!in->operator || keyslot_check_operator(in->operator, NULL))
		return err_set(e, ERR_INVALID, "bad operator name");
	if (!json_is_object(in->fields) || !json_object_size(in->fields))
		return err_set(e, ERR_INVALID, "a change writes no field");
	if (coll->kind == SCHEMA_APPEND_ONLY &&
	    in->kind != STORE_CHANGE_CREATE)
		return err_set(e, ERR_INVALID,
			       "records of '%s' are written once", coll->name);
	return 0;
}

int store_apply(struct store *s, const struct store_incoming *in,
		struct store_apply_result *res, struct err *e)
{
	const struct schema_collection *coll =
		schema_collection(in->collection);
	struct store_mstate *m = NULL;
	struct store_change_out c;
	struct merge_result mres;
	struct store_row row;
	uint8_t *box = NULL;
	size_t boxlen = 0;
	int64_t origin = 0;
	int known = 0, opened = 0, purged = 0, kept = 0;
	int rc;

	memset(res, 0, sizeof(*res));
	memset(&row, 0, sizeof(row));
	version_set_init(&row.vers);
	store_change_out_init(&c, in->kind);
	rc = check_incoming(in, coll, e);
	if (!rc)
		rc = store_require_unlocked(s, e);
	if (rc)
		return rc;
	rc = store_tx_begin(s, &opened, e);
	if (rc)
		return rc;
	rc = store_node_ensure(s, &in->origin, &origin, e);
	if (!rc)
		rc = already_here(s, origin, in->origin_seq, &known, e);
	if (rc || known)
		goto out;
	/* A time too far ahead of ours is refused, not applied: see
	 * store.h.  Accepted ones move the clock past them. */
	rc = hlc_receive(&s->clock, in->hlc, s->clock_fn(s->clock_ctx),
			 STORE_SKEW_WINDOW_MS, e);
	if (rc)
		goto out;
	s->clock_dirty = 1;
	rc = store_purged(s, &in->record, &purged, e);
	if (!rc && purged)
		rc = err_set(e, ERR_CONFLICT,
			     "the record was deleted and purged: a node that "
			     "still edits it must re-bootstrap");
	if (!rc)
		rc = store_actor_ensure(s, origin, in->operator, &c.actor, e);
	/* An earlier change of this record in the transaction left its row
	 * and merge state open (store_applied.c); else they are loaded. */
	if (!rc)
		rc = store_applied_take(s, &in->record, &row, &m, &kept, e);
	if (!rc && !kept)
		rc = store_row_load(s, &in->record, &row, e);
	if (rc)
		goto out;
	if (!row.exists && in->kind != STORE_CHANGE_CREATE && s->holds_all) {
		rc = err_set(e, ERR_NOTFOUND, "the hub holds no such record");
		goto out;
	}
	if (row.exists && row.coll != coll->id) {
		rc = err_set(e, ERR_INVALID,
			     "record belongs to another collection");
		goto out;
	}
	row.coll = coll->id;
	c.hlc = in->hlc;
	c.origin = origin;
	c.oseq = in->origin_seq;
	c.values = json_deep_copy(in->fields);
	if (!c.values) {
		rc = err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	if (!kept)
		rc = store_mstate_load(s, row.exists ? row.rid : 0, coll, &m,
				       e);
	if (!rc)
		rc = store_mstate_incoming(s, m, &row, &c, in->prev, in->nprev,
					   in->newer_schema, &mres, e);
	if (rc)
		goto out;
	if (mres.known) {
		/* The same version came by another path (the merge state
		 * noted it: it is not kept). */
		known = 1;
		goto out;
	}
	rc = store_row_write_box(s, &in->record, coll, &row, &c, &box,
				 &boxlen, e);
	if (!rc && mres.rejected)
		rc = store_reject_own(s, s->next_seq - 1, mres.reason, e);
	if (rc)
		goto out;
	res->applied = mres.applied;
	res->rejected = mres.rejected;
	snprintf(res->reason, sizeof(res->reason), "%s", mres.reason);
	res->seq = s->next_seq - 1;
	res->kept = kept;
	/* Kept for the record's next change in this transaction, which a
	 * single write (opened here, committed below) does not have.  A
	 * change refused in part is rare: the next one loads the record. */
	if (opened != TX_OPENED && !mres.rejected) {
		store_applied_keep(s, &in->record, &row, m, box, boxlen);
		m = NULL;
		box = NULL;
	}
out:
	res->known = known;
	free(box);
	store_mstate_free(m);
	store_change_out_release(&c);
	store_row_release(&row);
	return store_tx_end(s, opened, rc, e);
}

/* Fill a candidate from a version of the merge state. */
static int candidate(struct store *s, const struct store_mstate *m,
		     const struct merge_vid *v, const json_t *value,
		     struct store_candidate *out, struct err *e)
{
	const struct store_actor *a = NULL;
	uint32_t actor = 0;

	out->value = value;
	out->hlc = v->hlc;
	out->node = v->node;
	out->operator = "";
	if (store_mstate_who(m, v, &actor, NULL) == 0) {
		int rc = store_actor_info(s, actor, &a, e);

		if (rc)
			return rc;
		out->operator = a->operator;
	}
	return 0;
}

/* Report the open conflicts of one record. */
static int record_conflicts(struct store *s, int64_t rid, const struct id *id,
			    const struct schema_collection *coll,
			    store_conflict_fn fn, void *ctx, struct err *e)
{
	struct store_mstate *m = NULL;
	struct merge_conflict *all = NULL;
	const struct merge_record *mr;
	size_t n = 0;
	char why[256];
	int rc = store_mstate_load(s, rid, coll, &m, e);

	if (rc)
		return rc;
	mr = store_mstate_record(m);
	n = merge_conflicts(mr, NULL, 0);
	all = n ? calloc(n, sizeof(*all)) : NULL;
	if (n && !all) {
		rc = err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	n = merge_conflicts(mr, all, n);
	for (size_t i = 0; !rc && i < n; i++) {
		const struct merge_conflict *k = &all[i];
		const struct schema_field *f =
			k->field ? schema_field_by_id(coll, k->field) : NULL;
		struct store_conflict out;
		const json_t *wv = NULL;

		memset(&out, 0, sizeof(out));
		out.record = *id;
		out.coll = coll;
		out.kind = k->kind;
		out.reason = k->reason;
		out.form = merge_conflict_form(k);
		if (k->kind == MERGE_CONFLICT_RULE) {
			/* A step's reason is made for the callback; the
			 * invariant's is the declaration's constant. */
			store_rule_reason(coll, k, why, sizeof(why));
			out.reason = k->field ? why : k->reason;
			rc = fn(ctx, &out);
			continue;
		}
		out.field = k->field ? (f ? f->name : "?")
				     : SCHEMA_FIELD_DELETED_NAME;
		/* Its values are the field's: not for a role that may not
		 * read them (it cannot settle it either). */
		if (k->field && !(f && (access_field_read(s->access, coll,
							   f->name) ||
					       store_glass_covers(s, id))))
			continue;
		(void)merge_winner(mr,
				   k->kind == MERGE_CONFLICT_DELETE
					   ? SCHEMA_FIELD_DELETED
					   : k->field,
				   NULL, &wv);
		rc = candidate(s, m, &k->winner, wv, &out.current, e);
		if (!rc)
			rc = candidate(s, m, &k->loser, k->loser_value,
				       &out.other, e);
		if (!rc)
			rc = fn(ctx, &out);
	}
	if (!rc)
		rc = store_rule_conflicts(s, id, coll, mr, fn, ctx, e);
out:
	free(all);
	store_mstate_free(m);
	return rc;
}

int store_conflicts(struct store *s, const struct id *id,
		    store_conflict_fn fn, void *ctx, struct err *e)
{
	struct store_q *st = NULL;
	int rc = store_require_unlocked(s, e);

	if (rc)
		return rc;
	st = store_q(s,
		     "SELECT rid, id, coll FROM record WHERE conflicts > 0 "
		     "AND (?1 IS NULL OR id = ?1) ORDER BY rid",
		     "reading conflicts");
	if (id)
		store_q_bind_blob(st, 1, id->b, ID_BYTES);
	while (store_q_row(st)) {
		const struct schema_collection *coll =
			schema_collection_by_id(
				(uint16_t)store_q_col_int(st, 2));
		struct id rid;

		if (!coll || store_q_col_bytes(st, 1) != ID_BYTES) {
			rc = err_set(e, ERR_CORRUPT, "malformed record row");
			goto out;
		}
		memcpy(rid.b, store_q_col_blob(st, 1), ID_BYTES);
		rc = record_conflicts(s, store_q_col_i64(st, 0), &rid,
				      coll, fn, ctx, e);
		if (rc)
			goto out;
	}
out:
	return err_walk_end(store_q_done(st, rc, e));
}

/* The values a resolution writes: field name (NULL for the deletion
 * marker) set to value, checked against the record's collection. */
static int resolution_values(const struct store *s,
			     const struct schema_collection *coll,
			     const char *name, const json_t *value,
			     json_t **values, uint16_t *field, struct err *e)
{
	const struct schema_field *f = NULL;
	int rc;

	if (name) {
		f = schema_field(coll, name);
		if (!f)
			return err_set(e, ERR_INVALID,
				       "no field '%s' in that record",
				       schema_name_ok(name) ? name : "?");
		if ((f->flags & SCHEMA_HUB_ONLY) &&
		    !store_role_authority(s->role))
			return err_set(e, ERR_CONFLICT,
				       "field '%s' is written by the hub only",
				       f->name);
	}
	*field = f ? f->id : SCHEMA_FIELD_DELETED;
	*values = json_object();
	if (!*values || json_object_set(*values,
					f ? f->name : SCHEMA_FIELD_DELETED_NAME,
					(json_t *)value))
		return err_set(e, ERR_NOMEM, "out of memory");
	rc = f ? schema_validate(coll, *values, 0, e) : 0;
	/* A set resolved to is kept in its one order, as a put keeps it
	 * (schema/enumset.h). */
	if (!rc && f && f->type == SCHEMA_ENUM_SET && json_is_array(value)) {
		json_t *sorted = enumset_sorted(f, value);

		if (!sorted || json_object_set_new(*values, f->name, sorted))
			rc = err_set(e, ERR_NOMEM, "out of memory");
	}
	return rc;
}

/* A resolution: the value written with every candidate of the field (or
 * of the deletion marker, name NULL) named superseded. */
static int resolve(struct store *s, const struct id *id, const char *name,
		   const json_t *value, struct store_put_result *res,
		   struct err *e)
{
	const struct schema_collection *coll = NULL;
	struct store_mstate *m = NULL;
	struct store_change_out c;
	struct store_row row;
	char idtext[ID_TEXT_LEN + 1];
	uint16_t field = SCHEMA_FIELD_DELETED;
	int opened = 0;
	int rc;

	memset(&row, 0, sizeof(row));
	version_set_init(&row.vers);
	store_change_out_init(&c, STORE_CHANGE_RESOLVE);
	id_format(id, idtext);
	if (res)
		memset(res, 0, sizeof(*res));
	rc = store_require_unlocked(s, e);
	if (!rc)
		rc = store_tx_begin(s, &opened, e);
	if (rc)
		goto out;
	rc = store_row_load(s, id, &row, e);
	if (rc)
		goto out;
	coll = row.exists ? schema_collection_by_id(row.coll) : NULL;
	if (!coll) {
		rc = err_set(e, ERR_NOTFOUND, "no record %s", idtext);
		goto out;
	}
	rc = resolution_values(s, coll, name, value, &c.values, &field, e);
	/* Settling a field is writing it; keep or undo a deletion, every
	 * field the record holds (as store_delete()). */
	if (!rc)
		rc = access_check_write(s->access, coll,
					name ? c.values : row.fields, e);
	/* A resolution is a write like a put: the same references and
	 * hand-over rules (node/store_check.c). */
	if (!rc && name)
		rc = store_check_local(s, coll, row.fields, c.values, e);
	if (!rc)
		rc = store_mstate_load(s, row.rid, coll, &m, e);
	if (rc)
		goto out;
	/* The merge says which resolutions stand open here, the same on
	 * every replica holding the same changes: keep-deleted or undelete
	 * while the record is deleted or its deletion is in conflict (two
	 * nodes settled it differently), a field while it is not deleted. */
	if (!merge_resolvable(store_mstate_record(m), field)) {
		rc = name ? err_set(e, ERR_INVALID,
				    "record %s is deleted: settle that first "
				    "(--keep-deleted or --undelete)",
				    idtext)
			  : err_set(e, ERR_INVALID,
				    "record %s is not deleted", idtext);
		goto out;
	}
	/* The steps and caps a put keeps (node/store_rule.h); an undelete
	 * brings a child back into its parent's sum. */
	if (name)
		rc = store_rule_check_settle(s, coll, id, row.fields,
					     store_mstate_record(m), c.values,
					     e);
	else if (row.deleted && json_is_false(value))
		rc = store_rule_check_undelete(s, coll, id, row.fields, e);
	if (rc)
		goto out;
	c.hlc = store_tick(s);
	c.origin = s->self_node;
	c.actor = s->self_actor;
	rc = store_mstate_local(s, m, &row, &c, &field, 1, 1, e);
	if (!rc)
		rc = store_row_write(s, id, coll, &row, &c, e);
	if (!rc && res) {
		res->id = *id;
		res->changed = 1;
		res->seq = s->next_seq - 1;
	}
out:
	store_mstate_free(m);
	store_change_out_release(&c); /* releases values */
	store_row_release(&row);
	return store_tx_end(s, opened, rc, e);
}

int store_resolve(struct store *s, const struct id *id, const char *field,
		  const json_t *value, struct store_put_result *res,
		  struct err *e)
{
	if (!field)
		return err_set(e, ERR_INVALID, "no field named");
	return resolve(s, id, field, value, res, e);
}

int store_resolve_delete(struct store *s, const struct id *id,
			 int keep_deleted, struct err *e)
{
	json_t *value = json_boolean(keep_deleted);
	int rc = resolve(s, id, NULL, value, NULL, e);

	json_decref(value);
	return rc;
}
