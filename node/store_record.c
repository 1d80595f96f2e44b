/*
 * store_record.c - records: put, delete, get and list.  Each write appends
 * its change-log entry (reading the log is store_log.c; sealing with
 * associated data is store_box.c).
 *
 * A write loads the record, applies the given fields, stamps them with one
 * new version, seals the whole body again and appends one change-log entry
 * holding only the changed fields; record and entry are written in the same
 * transaction.  For a create, record body and entry body are the same bytes
 * under the same associated data, so the values are sealed once.
 */
#include "node/store_int.h"

#include "node/store_audit.h"
#include "node/store_require.h"
#include "node/store_rule.h"
#include "schema/enumset.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/*
 * The clear deletion flag must agree with the sealed state: a record whose
 * deletion marker was ever written carries its value ("_deleted") in its
 * sealed body, taken out of the fields here.  Checked after the box
 * opened, so what it says is authentic.
 */
static int check_deleted(const struct id *id, int deleted,
			 const struct version_set *vers, json_t *fields,
			 struct err *e)
{
	char idtext[ID_TEXT_LEN + 1];
	json_t *marker = json_object_get(fields, SCHEMA_FIELD_DELETED_NAME);
	int has_version = version_set_get(vers, SCHEMA_FIELD_DELETED) != NULL;
	int ok = marker ? has_version && json_is_boolean(marker) &&
				  json_is_true(marker) == (deleted != 0)
			: !has_version && !deleted;

	json_object_del(fields, SCHEMA_FIELD_DELETED_NAME);
	if (ok)
		return 0;
	id_format(id, idtext);
	return err_set(e, ERR_CORRUPT,
		       "record %s: its deletion flag does not match its "
		       "sealed state",
		       idtext);
}


void store_row_release(struct store_row *l)
{
	version_set_release(&l->vers);
	json_decref(l->fields);
	l->fields = NULL;
}

/* Read and open record id; l->exists = 0 when there is none. */
int store_row_load(struct store *s, const struct id *id, struct store_row *l,
		struct err *e)
{
	struct store_q *st = store_q_fixed(s, STMT_RECORD_FIND,
					   "reading record");
	uint8_t *ad = NULL;
	size_t adlen;
	int rc = 0;

	memset(l, 0, sizeof(*l));
	version_set_init(&l->vers);
	store_q_bind_blob(st, 1, id->b, ID_BYTES);
	if (!store_q_row(st))
		goto out;
	l->exists = 1;
	l->rid = store_q_col_i64(st, 0);
	l->coll = (uint16_t)store_q_col_int(st, 1);
	l->deleted = store_q_col_int(st, 2);
	l->conflicts = store_q_col_int(st, 5);
	rc = version_set_decode(&l->vers, store_q_col_blob(st, 3),
				(size_t)store_q_col_bytes(st, 3), e);
	if (rc)
		goto out;
	rc = store_body_ad(id, l->coll, store_q_col_blob(st, 3),
			   (size_t)store_q_col_bytes(st, 3), NULL, 0, &ad,
			   &adlen);
	if (rc) {
		rc = err_set(e, rc, "out of memory");
		goto out;
	}
	rc = store_open_json(s, id, store_q_col_blob(st, 4),
			     (size_t)store_q_col_bytes(st, 4), ad, adlen,
			     &l->fields, e);
	if (!rc)
		rc = check_deleted(id, l->deleted, &l->vers, l->fields, e);
out:
	rc = store_q_done(st, rc, e);
	free(ad);
	if (rc)
		store_row_release(l);
	return rc;
}

int store_row_exists(struct store *s, const struct id *id, int *exists,
		     struct err *e)
{
	struct store_q *st = store_q_fixed(s, STMT_RECORD_EXISTS,
					   "reading record");

	store_q_bind_blob(st, 1, id->b, ID_BYTES);
	*exists = store_q_row(st);
	return store_q_end(st, e);
}

/* The scope parent of a record: the value of its collection's parent
 * field, when set. */
int store_parent_of(const struct schema_collection *c, const json_t *fields,
		    struct id *parent)
{
	const char *text;

	if (!c->parent)
		return 0;
	text = json_string_value(json_object_get(fields, c->parent));
	return text && id_parse(parent, text) == 0;
}


/* Append change c of record l to the log (its encoded versions nv and
 * previous versions pv, its sealed values box) and tell the write hook. */
static int log_change(struct store *s, const struct id *id,
		      const struct schema_collection *coll,
		      const struct store_row *l,
		      const struct store_change_out *c, const uint8_t *nv,
		      size_t nvlen, const uint8_t *pv, size_t pvlen,
		      const uint8_t *box, size_t boxlen, struct err *e)
{
	struct store_q *st;
	int rc;

	/* Restored from a backup: its own numbers after the backup's may be
	 * on the hub already; none is given out before the hub said which
	 * (store_backup.h, the first sync recovers them). */
	if (!c->oseq && s->restored)
		return err_set(e, ERR_CONFLICT,
			       "this node was restored from a backup: run "
			       "'presidio sync' first, so that its changes "
			       "the hub holds come back before new ones");
	st = store_q_fixed(s, STMT_CHANGE_INSERT, "writing change log");
	store_q_bind_int(st, 1, (int64_t)s->next_seq);
	store_q_bind_int(st, 2, l->rid);
	store_q_bind_int(st, 3, c->kind);
	store_q_bind_int(st, 4, c->origin);
	if (c->oseq)
		store_q_bind_int(st, 5, (int64_t)c->oseq);
	else
		store_q_bind_null(st, 5);
	store_q_bind_int(st, 6, c->actor);
	store_q_bind_int(st, 7, (int64_t)c->hlc);
	store_q_bind_blob(st, 8, nv, nvlen);
	store_q_bind_blob(st, 9, pv, pvlen);
	store_q_bind_blob(st, 10, box, boxlen);
	rc = store_q_run(st, e);
	if (rc)
		return rc;
	s->next_seq++;
	/* A write made here is in the audit trail, in its transaction. */
	if (!c->oseq) {
		static const char *const actions[] = {
			[STORE_CHANGE_CREATE] = "create",
			[STORE_CHANGE_UPDATE] = "update",
			[STORE_CHANGE_DELETE] = "delete",
			[STORE_CHANGE_RESOLVE] = "resolve",
		};
		const char *a = c->kind >= STORE_CHANGE_CREATE &&
					c->kind <= STORE_CHANGE_RESOLVE
				    ? actions[c->kind]
				    : "update";

		rc = store_audit_note_write(s, a, coll, id, 1,
					    STORE_AUDIT_CARE, s->next_seq - 1,
					    e);
		if (rc)
			return rc;
	}
	if (s->write_hook) {
		struct store_write w = { id, coll, l->fields, c->origin,
					 s->next_seq - 1, l->rid };

		rc = s->write_hook(s->write_hook_ctx, s, &w, e);
	}
	return rc;
}

/* Write record l (new values in l->fields, versions in l->vers) and the
 * change entry c, sealing both; c NULL: the row alone (store_int.h). */
int store_row_write_box(struct store *s, const struct id *id,
			const struct schema_collection *coll,
			struct store_row *l, struct store_change_out *c,
			uint8_t **box, size_t *boxlen, struct err *e)
{
	uint8_t *rv = NULL, *nv = NULL, *pv = NULL, *rad = NULL, *cad = NULL;
	uint8_t *rbox = NULL, *cbox = NULL;
	size_t rvlen, nvlen, pvlen, radlen, cadlen, rboxlen, cboxlen = 0;
	struct id parent, was, owner;
	int has_parent, had_parent, shared, marked, owned = 0;
	struct store_q *st;
	int rc;

	/* Caps its children pass count as open conflicts too; the parent
	 * a child leaves is recounted after (node/store_rule.h). */
	rc = store_rule_row(s, id, coll, l, e);
	if (!rc)
		rc = store_rule_before(s, coll, l, &was, &had_parent, e);
	if (rc)
		return rc;
	rc = store_encode_vers(&l->vers, &rv, &rvlen);
	if (!rc && c)
		rc = store_encode_vers(&c->vers, &nv, &nvlen);
	if (!rc && c)
		rc = store_encode_vers(&c->prev, &pv, &pvlen);
	if (!rc)
		rc = store_body_ad(id, coll->id, rv, rvlen, NULL, 0, &rad,
				   &radlen);
	if (rc) {
		rc = err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	/* Once the deletion marker has a version, its value is sealed with
	 * the values (see check_deleted()). */
	marked = version_set_get(&l->vers, SCHEMA_FIELD_DELETED) != NULL;
	if (marked && json_object_set_new(l->fields, SCHEMA_FIELD_DELETED_NAME,
					  json_boolean(l->deleted))) {
		rc = err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	/* A person's record, and everything under it, is sealed under the
	 * person's key (node/store_pkey.h). */
	rc = store_owner_of(s, id, coll, l->fields, &owner, &owned, e);
	if (!rc)
		rc = store_seal_json(s, owned ? &owner : NULL, l->fields, rad,
				     radlen, &rbox, &rboxlen, e);
	if (marked)
		json_object_del(l->fields, SCHEMA_FIELD_DELETED_NAME);
	if (rc)
		goto out;
	/* A create writes every field with one version: the entry's values,
	 * versions and (empty) previous versions are the record's, so the
	 * record's box is the entry's box too. */
	shared = c && c->kind == STORE_CHANGE_CREATE && c->prev.n == 0 &&
		 rvlen == nvlen && memcmp(rv, nv, rvlen) == 0;
	if (c && !shared) {
		rc = store_body_ad(id, coll->id, nv, nvlen, pv, pvlen, &cad,
				   &cadlen);
		if (rc) {
			rc = err_set(e, ERR_NOMEM, "out of memory");
			goto out;
		}
		rc = store_seal_json(s, owned ? &owner : NULL, c->values, cad,
				     cadlen, &cbox, &cboxlen, e);
		if (rc)
			goto out;
	}
	has_parent = store_parent_of(coll, l->fields, &parent);
	/* Insert and update take the same parameters. */
	st = store_q_fixed(s, l->exists ? STMT_RECORD_UPDATE
					: STMT_RECORD_INSERT,
			   "writing record");
	store_q_bind_blob(st, 1, id->b, ID_BYTES);
	store_q_bind_int(st, 2, coll->id);
	if (has_parent)
		store_q_bind_blob(st, 3, parent.b, ID_BYTES);
	else
		store_q_bind_null(st, 3);
	store_q_bind_int(st, 4, l->deleted);
	store_q_bind_blob(st, 5, rv, rvlen);
	store_q_bind_blob(st, 6, rbox, rboxlen);
	store_q_bind_int(st, 7, l->conflicts);
	rc = store_q_run(st, e);
	if (rc)
		goto out;
	if (store_sql_changes(s) != 1) {
		rc = err_set(e, ERR_CORRUPT, "record row not found for update");
		goto out;
	}
	if (!l->exists) {
		l->rid = store_sql_last_id(s);
		l->exists = 1;
	}
	rc = store_require_kin_put(s, coll, l->rid, has_parent ? &parent : NULL,
				   e);
	if (rc)
		goto out;
	/* A create's entry shares the record's box. */
	if (c)
		rc = log_change(s, id, coll, l, c, nv, nvlen, pv, pvlen,
				shared ? rbox : cbox,
				shared ? rboxlen : cboxlen, e);
	if (!rc)
		rc = store_rule_after(s, coll, l->fields,
				      had_parent ? &was : NULL, e);
	if (!rc && box) {
		*box = rbox;
		*boxlen = rboxlen;
		rbox = NULL;
	}
out:
	free(rv);
	free(nv);
	free(pv);
	free(rad);
	free(cad);
	free(rbox);
	free(cbox);
	return rc;
}

int store_row_write(struct store *s, const struct id *id,
		    const struct schema_collection *coll, struct store_row *l,
		    struct store_change_out *c, struct err *e)
{
	return store_row_write_box(s, id, coll, l, c, NULL, NULL, e);
}

void store_change_out_init(struct store_change_out *c,
			   enum store_change_kind kind)
{
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	version_set_init(&c->vers);
	version_set_init(&c->prev);
}

void store_change_out_release(struct store_change_out *c)
{
	json_decref(c->values);
	c->values = NULL;
	version_set_release(&c->vers);
	version_set_release(&c->prev);
}

/* Fields only the hub writes (eligibility, dote) are refused here on any
 * other node, before anything is written; the merge refuses them too when
 * they come from elsewhere. */
static int check_authority(const struct store *s,
			   const struct schema_collection *coll,
			   const json_t *fields, struct err *e)
{
	const char *key;
	json_t *val;

	if (store_role_authority(s->role))
		return 0;
	json_object_foreach((json_t *)fields, key, val)
	{
		const struct schema_field *f = schema_field(coll, key);

		if (f && (f->flags & SCHEMA_HUB_ONLY))
			return err_set(e, ERR_CONFLICT,
				       "field '%s' of '%s' is written by the "
				       "hub only", f->name, coll->name);
	}
	return 0;
}

/* A create: every field given, one version, nothing superseded.  Its
 * only possible conflict is the collection's invariant. */
static int create_fields(const struct schema_collection *coll,
			 struct store_row *l, const json_t *fields,
			 struct store_change_out *c, struct err *e)
{
	struct version v = { c->hlc, c->actor };
	const char *key;
	json_t *val;

	json_object_foreach((json_t *)fields, key, val)
	{
		const struct schema_field *f = schema_field(coll, key);

		if (version_set_put(&l->vers, f->id, v) ||
		    version_set_put(&c->vers, f->id, v) ||
		    json_object_set(l->fields, key, val) ||
		    json_object_set(c->values, key, val))
			return err_set(e, ERR_NOMEM, "out of memory");
	}
	l->conflicts = coll->invariant && coll->invariant(l->fields) ? 1 : 0;
	return 0;
}

/* An edit: the fields whose value changes, through the merge, so that it
 * names the versions it supersedes (conflict/merge.h). */
static int update_fields(struct store *s, const struct schema_collection *coll,
			 struct store_row *l, const json_t *fields,
			 struct store_change_out *c, struct err *e)
{
	uint16_t written[VERSION_SET_MAX];
	struct store_mstate *m = NULL;
	size_t n = 0;
	const char *key;
	json_t *val;
	int rc;

	json_object_foreach((json_t *)fields, key, val)
	{
		const struct schema_field *f = schema_field(coll, key);
		const json_t *old = json_object_get(l->fields, key);

		/* Writing a value a field already has is not a change. */
		if (version_set_get(&l->vers, f->id) && old &&
		    json_equal(old, val))
			continue;
		if (json_object_set(c->values, key, val))
			return err_set(e, ERR_NOMEM, "out of memory");
		written[n++] = f->id;
	}
	if (n == 0)
		return 0;
	rc = store_mstate_load(s, l->rid, coll, &m, e);
	if (!rc)
		rc = store_mstate_local(s, m, l, c, written, n, 0, e);
	store_mstate_free(m);
	return rc;
}

int store_put(struct store *s, const char *collection, const struct id *id,
	      const json_t *fields, struct store_put_result *res, struct err *e)
{
	const struct schema_collection *coll = schema_collection(collection);
	struct store_row l;
	struct store_change_out c;
	struct id rid;
	json_t *canon = NULL;
	char idtext[ID_TEXT_LEN + 1];
	struct hlc clock_before;
	int dirty_before, purged = 0;
	int opened = 0;
	int rc;

	memset(&l, 0, sizeof(l));
	version_set_init(&l.vers);
	store_change_out_init(&c, STORE_CHANGE_UPDATE);
	if (res)
		memset(res, 0, sizeof(*res));
	if (!coll)
		return schema_name_ok(collection)
			   ? err_set(e, ERR_INVALID, "unknown collection '%s'",
				     collection)
			   : err_set(e, ERR_INVALID,
				     "unknown collection (malformed name, "
				     "not shown)");
	if (!json_is_object(fields))
		return err_set(e, ERR_INVALID, "fields must be a JSON object");
	rc = store_require_unlocked(s, e);
	if (rc)
		return rc;
	if (id)
		rid = *id;
	else
		id_generate(&rid);
	id_format(&rid, idtext);
	rc = store_tx_begin(s, &opened, e);
	if (rc)
		return rc;
	rc = store_row_load(s, &rid, &l, e);
	if (!rc && !l.exists)
		rc = store_purged(s, &rid, &purged, e);
	if (!rc && purged)
		rc = err_set(e, ERR_INVALID, "record %s was deleted and purged",
			     idtext);
	if (rc)
		goto out;
	if (l.exists && l.coll != coll->id) {
		const struct schema_collection *other =
		    schema_collection_by_id(l.coll);

		rc = err_set(e, ERR_INVALID,
			     "record %s belongs to collection '%s', not '%s'",
			     idtext, other ? other->name : "?", coll->name);
		goto out;
	}
	if (l.exists && l.deleted) {
		rc = err_set(e, ERR_INVALID, "record %s is deleted", idtext);
		goto out;
	}
	rc = schema_validate(coll, fields, !l.exists, e);
	if (!rc)
		rc = access_check_write(s->access, coll, fields, e);
	if (rc)
		goto out;
	/* From here on, the write as it is kept: its sets in the one order
	 * (the same set in another order is no change, and no conflict). */
	canon = enumset_canonical(coll, fields);
	if (!canon) {
		rc = err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	fields = canon;
	rc = check_authority(s, coll, fields, e);
	if (!rc)
		rc = store_check_local(s, coll, l.exists ? l.fields : NULL,
				       fields, e);
	if (!rc)
		rc = store_rule_check_put(s, coll, &rid,
					  l.exists ? l.fields : NULL, fields, e);
	if (rc)
		goto out;
	if (l.exists && coll->kind == SCHEMA_APPEND_ONLY) {
		rc = err_set(e, ERR_INVALID,
			     "records of '%s' are written once: add a new one",
			     coll->name);
		goto out;
	}
	c.values = json_object();
	if (!l.exists) {
		c.kind = STORE_CHANGE_CREATE;
		l.fields = json_object();
	}
	if (!l.fields || !c.values) {
		rc = err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	clock_before = s->clock;
	dirty_before = s->clock_dirty;
	c.hlc = store_tick(s);
	c.origin = s->self_node;
	c.actor = s->self_actor;
	rc = l.exists ? update_fields(s, coll, &l, fields, &c, e)
		      : create_fields(coll, &l, fields, &c, e);
	if (!rc && json_object_size(c.values) == 0) {
		/* Nothing changed, nothing was stamped: take the tick back
		 * so that an idle write does not save the clock. */
		s->clock = clock_before;
		s->clock_dirty = dirty_before;
	}
	if (rc || json_object_size(c.values) == 0)
		goto out;
	rc = store_row_write(s, &rid, coll, &l, &c, e);
	if (rc || !res)
		goto out;
	res->created = c.kind == STORE_CHANGE_CREATE;
	res->changed = json_object_size(c.values);
	res->seq = s->next_seq - 1;
out:
	if (res && !rc)
		res->id = rid;
	store_change_out_release(&c);
	store_row_release(&l);
	json_decref(canon);
	return store_tx_end(s, opened, rc, e);
}

int store_delete(struct store *s, const struct id *id, struct err *e)
{
	static const uint16_t deleted_field = SCHEMA_FIELD_DELETED;
	const struct schema_collection *coll;
	struct store_mstate *m = NULL;
	struct store_row l;
	struct store_change_out c;
	char idtext[ID_TEXT_LEN + 1];
	int opened = 0;
	int rc;

	memset(&l, 0, sizeof(l));
	version_set_init(&l.vers);
	store_change_out_init(&c, STORE_CHANGE_DELETE);
	id_format(id, idtext);
	rc = store_require_unlocked(s, e);
	if (rc)
		return rc;
	rc = store_tx_begin(s, &opened, e);
	if (rc)
		return rc;
	rc = store_row_load(s, id, &l, e);
	if (rc)
		goto out;
	if (!l.exists) {
		rc = err_set(e, ERR_NOTFOUND, "no record %s", idtext);
		goto out;
	}
	if (l.deleted) {
		rc = err_set(e, ERR_INVALID, "record %s is already deleted",
			     idtext);
		goto out;
	}
	coll = schema_collection_by_id(l.coll);
	if (!coll) {
		rc = err_set(e, ERR_CORRUPT, "record %s: unknown collection %u",
			     idtext, (unsigned)l.coll);
		goto out;
	}
	/* Deleting takes every value away: the role must be one that may
	 * write each field the record holds. */
	rc = access_check_write(s->access, coll, l.fields, e);
	if (rc)
		goto out;
	c.hlc = store_tick(s);
	c.origin = s->self_node;
	c.actor = s->self_actor;
	c.values = json_pack("{sb}", SCHEMA_FIELD_DELETED_NAME, 1);
	if (!c.values) {
		rc = err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	rc = store_mstate_load(s, l.rid, coll, &m, e);
	if (!rc)
		rc = store_mstate_local(s, m, &l, &c, &deleted_field, 1, 0, e);
	if (rc)
		goto out;
	rc = store_row_write(s, id, coll, &l, &c, e);
out:
	store_mstate_free(m);
	store_change_out_release(&c);
	store_row_release(&l);
	return store_tx_end(s, opened, rc, e);
}

void store_record_init(struct store_record *r)
{
	memset(r, 0, sizeof(*r));
	version_set_init(&r->vers);
}

void store_record_release(struct store_record *r)
{
	if (!r)
		return;
	json_decref(r->fields);
	version_set_release(&r->vers);
	store_record_init(r);
}

int store_get(struct store *s, const struct id *id, struct store_record *out,
	      struct err *e)
{
	char idtext[ID_TEXT_LEN + 1];
	struct store_row l;
	int rc = store_require_unlocked(s, e);

	if (rc)
		return rc;
	rc = store_row_load(s, id, &l, e);
	if (rc)
		return rc;
	if (!l.exists) {
		store_row_release(&l);
		id_format(id, idtext);
		return err_set(e, ERR_NOTFOUND, "no record %s", idtext);
	}
	store_record_release(out);
	out->id = *id;
	out->coll = schema_collection_by_id(l.coll);
	out->deleted = l.deleted;
	out->fields = l.fields;
	out->vers = l.vers; /* ownership moves to out */
	if (!out->coll) {
		store_record_release(out);
		id_format(id, idtext);
		return err_set(e, ERR_CORRUPT, "record %s: unknown collection",
			       idtext);
	}
	store_withhold(s, id, out->coll, out->fields);
	return 0;
}

/* Fill r from a row (id, coll, deleted, vers, body). */
static int row_record(struct store *s, struct store_q *st,
		      struct store_record *r, struct err *e)
{
	uint8_t *ad = NULL;
	size_t adlen;
	int rc;

	store_record_release(r);
	if (store_q_col_bytes(st, 0) != ID_BYTES)
		return err_set(e, ERR_CORRUPT, "record with a malformed id");
	memcpy(r->id.b, store_q_col_blob(st, 0), ID_BYTES);
	r->coll = schema_collection_by_id((uint16_t)store_q_col_int(st, 1));
	r->deleted = store_q_col_int(st, 2);
	rc = version_set_decode(&r->vers, store_q_col_blob(st, 3),
				(size_t)store_q_col_bytes(st, 3), e);
	if (rc)
		return rc;
	rc = store_body_ad(&r->id, (uint16_t)store_q_col_int(st, 1),
			   store_q_col_blob(st, 3),
			   (size_t)store_q_col_bytes(st, 3), NULL, 0, &ad,
			   &adlen);
	if (rc)
		return err_set(e, ERR_NOMEM, "out of memory");
	rc = store_open_json(s, &r->id, store_q_col_blob(st, 4),
			     (size_t)store_q_col_bytes(st, 4), ad, adlen,
			     &r->fields, e);
	free(ad);
	if (!rc)
		rc = check_deleted(&r->id, r->deleted, &r->vers, r->fields,
				   e);
	return rc;
}

int store_list(struct store *s, const char *collection, int with_deleted,
	       store_record_fn fn, void *ctx, struct err *e)
{
	const struct schema_collection *coll = NULL;
	struct store_record r;
	struct store_q *st = NULL;
	int rc = store_require_unlocked(s, e);

	if (rc)
		return rc;
	if (collection) {
		coll = schema_collection(collection);
		if (!coll)
			return err_set(
			    e, ERR_INVALID, "unknown collection '%s'",
			    schema_name_ok(collection) ? collection : "?");
	}
	store_record_init(&r);
	/* Two statements: one collection is read through its index
	 * (record_coll), which "?1 IS NULL OR coll = ?1" would defeat. */
	st = coll ? store_q(s,
			    "SELECT id, coll, deleted, vers, body FROM record "
			    "WHERE coll = ?1 AND (?2 OR deleted = 0) "
			    "ORDER BY rid",
			    "listing records")
		  : store_q(s,
			    "SELECT id, coll, deleted, vers, body FROM record "
			    "WHERE (?2 OR deleted = 0) ORDER BY rid",
			    "listing records");
	if (coll)
		store_q_bind_int(st, 1, coll->id);
	store_q_bind_int(st, 2, with_deleted ? 1 : 0);
	while (!rc && store_q_row(st)) {
		rc = row_record(s, st, &r, e);
		if (!rc && r.coll) {
			store_withhold(s, &r.id, r.coll, r.fields);
			rc = fn(ctx, &r);
		}
	}
	rc = store_q_done(st, rc, e);
	store_record_release(&r);
	return err_walk_end(rc);
}
