/*
 * store_check.c - the rules a written change keeps beyond its schema, on
 * both sides of sync: store_put() checks them for the operator (a clear
 * error naming the field, at once) and the hub checks them again on every
 * pushed change (registry_check_incoming(), a refusal recorded on both
 * sides), since a node's own checks can be bypassed.
 *
 * - A reference (a SCHEMA_REF field) names a live record of the
 *   collection the schema declares for it: not another collection's, not
 *   a deleted or purged one.  A node may name a record it does not hold
 *   (it may not see it); the hub holds everything and judges that.
 * - A SCHEMA_FIXED field (the case of a plan or of a dote) keeps the
 *   value its record was created with: the children of such a record
 *   follow it through the hub's scope index only as far as their parent's
 *   current case, and the hub records scope events for cases only, so a
 *   plan moved to another case would reach the new holders without its
 *   goals and reviews.  Refused locally and on the hub alike (an Italian
 *   message naming the field: it is a domain refusal).
 * - Where a case lives (the fields the schema declares as its
 *   scope_region and scope_nodes) is decided by conflict/scope.h: a node
 *   opens a case for itself, and only the hub or the Punto di Accesso of
 *   the case's region hands it over.  A node knows its own name, kind and
 *   region from its enrollment (the remote row); a node not enrolled
 *   syncs with no one, so it is not held to the rule here: the hub judges
 *   its changes when it first pushes them.
 *
 * Reasons name collections and fields, never values (they are stored and
 * shown); records by id only in local errors.
 */
#include "node/store_int.h"
#include "node/store_rule.h"

#include <string.h>

#include "conflict/scope.h"

/* 1 when a and b (either may be NULL: not set) are the same value. */
static int same_value(const json_t *a, const json_t *b)
{
	if (!a || json_is_null(a))
		return !b || json_is_null(b);
	return b && json_equal(a, b);
}

/* What the store holds under id: *state 0 nothing, 1 live, 2 deleted, 3
 * purged; *coll its collection id when held. */
static int ref_state(struct store *s, const struct id *id, int *state,
		     uint16_t *coll, struct err *e)
{
	struct store_q *st = store_q_fixed(s, STMT_RECORD_FIND,
					   "reading record");
	int purged = 0;
	int rc;

	*state = 0;
	*coll = 0;
	store_q_bind_blob(st, 1, id->b, ID_BYTES);
	if (store_q_row(st)) {
		*coll = (uint16_t)store_q_col_int(st, 1);
		*state = store_q_col_int(st, 2) ? 2 : 1;
	}
	rc = store_q_end(st, e);
	if (!rc && *state == 0) {
		rc = store_purged(s, id, &purged, e);
		if (!rc && purged)
			*state = 3;
	}
	return rc;
}

int store_check_refs(struct store *s, const struct schema_collection *c,
		     const json_t *cur, const json_t *fields, int must_hold,
		     char *why, size_t n, struct err *e)
{
	const char *key;
	json_t *val;

	why[0] = '\0';
	json_object_foreach((json_t *)fields, key, val)
	{
		const struct schema_field *f = schema_field(c, key);
		const struct schema_collection *target, *held;
		const char *text = json_string_value(val);
		struct id ref;
		uint16_t coll;
		int state, rc;

		if (!f || (cur && same_value(json_object_get(cur, key), val)))
			continue;
		if (cur && (f->flags & SCHEMA_FIXED)) {
			snprintf(why, n, "il campo '%s' (%s) di '%s' non si "
				 "cambia dopo la creazione: per spostare il "
				 "record se ne crea uno nuovo", f->name,
				 f->label, c->name);
			return 0;
		}
		if (f->type != SCHEMA_REF || json_is_null(val))
			continue;
		target = schema_collection(f->ref);
		if (!text || id_parse(&ref, text) < 0) {
			snprintf(why, n, "field '%s' of '%s' is not a record "
				 "id", f->name, c->name);
			return 0;
		}
		rc = ref_state(s, &ref, &state, &coll, e);
		if (rc)
			return rc;
		held = state == 1 || state == 2 ? schema_collection_by_id(coll)
						: NULL;
		if (state == 0 && !must_hold)
			continue;
		if (state == 1 && held == target)
			continue;
		snprintf(why, n, "field '%s' of '%s' must name a live record "
			 "of '%s': %s", f->name, c->name,
			 target ? target->name : "?",
			 state == 0   ? "there is no such record"
			 : state == 3 ? "that record was deleted and purged"
			 : held != target ? "that record is of another "
					    "collection"
					  : "that record is deleted");
		return 0;
	}
	return 0;
}

/* The scope field (region or nodes) the change writes with a new value,
 * NULL when none. */
static const char *scope_field_changed(const struct schema_collection *c,
				       const json_t *cur, const json_t *fields)
{
	const char *names[2] = { c->scope_nodes, c->scope_region };

	for (int i = 0; i < 2; i++) {
		const json_t *v = names[i] ? json_object_get(fields, names[i])
					   : NULL;

		if (v && !(cur && same_value(json_object_get(cur, names[i]),
					    v)))
			return names[i];
	}
	return NULL;
}

void store_check_scope(const struct schema_collection *c,
		       const struct scope_peer *w, const json_t *cur,
		       const json_t *fields, char *why, size_t n)
{
	const char *changed;

	why[0] = '\0';
	if (schema_scope_of(c) != SCHEMA_SCOPE_ROOT)
		return;
	changed = scope_field_changed(c, cur, fields);
	if (!changed)
		return;
	if (!cur) {
		if (!scope_may_open(w, json_string_value(json_object_get(
					   fields, c->scope_region)),
				    json_object_get(fields, c->scope_nodes)))
			snprintf(why, n, "field '%s' of '%s': a new case "
				 "lists the node that opens it, or no node",
				 c->scope_nodes, c->name);
		return;
	}
	if (!scope_may_hand_over(w, json_string_value(json_object_get(
					cur, c->scope_region))))
		snprintf(why, n, "field '%s' of '%s': only the hub or the "
			 "Punto di Accesso of the case's region hands a "
			 "case over", changed, c->name);
}

int store_check_local(struct store *s, const struct schema_collection *c,
		      const json_t *cur, const json_t *fields, struct err *e)
{
	struct store_remote r;
	struct scope_peer w;
	char why[256];
	int found, rc;

	rc = store_check_refs(s, c, cur, fields, s->holds_all, why,
			      sizeof(why), e);
	if (rc)
		return rc;
	if (why[0])
		return err_set(e, ERR_INVALID, "%s", why);
	if (s->holds_all || schema_scope_of(c) != SCHEMA_SCOPE_ROOT ||
	    !scope_field_changed(c, cur, fields))
		return 0;
	rc = store_remote_find(s, &r, &found, e);
	if (rc || !found)
		return rc;
	w.name = r.name;
	w.kind = r.kind;
	w.region = r.region;
	store_check_scope(c, &w, cur, fields, why, sizeof(why));
	return why[0] ? err_set(e, ERR_CONFLICT, "%s", why) : 0;
}

int store_check_writes(const struct schema_collection *c,
			  const json_t *fields)
{
	const char *key;
	json_t *val;

	if (schema_scope_of(c) == SCHEMA_SCOPE_ROOT &&
	    scope_field_changed(c, NULL, fields))
		return 1;
	json_object_foreach((json_t *)fields, key, val)
	{
		const struct schema_field *f = schema_field(c, key);

		if (f && ((f->type == SCHEMA_REF && !json_is_null(val)) ||
			  (f->flags & SCHEMA_FIXED)))
			return 1;
	}
	return 0;
}
