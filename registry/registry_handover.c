/*
 * registry_handover.c - the hub's judgement of a change made while its node
 * still held the case that was being handed over (registry_scope_held()).
 *
 * Kept apart from registry_scope.c on purpose: registry_scope_allows() decides
 * what a peer may write now; this only whether a write it refused was
 * made before the peer could know its case had moved.  The scope events
 * registry_scope.c records say when the case left the peer's scope; the
 * node says (with each change, "seen") up to which hub sequence number it
 * had pulled when it wrote.
 */
#include "registry/registry_int.h"

#include <string.h>

/*
 * 1 in *held when case cs's first scope event for the peer after hub
 * sequence number seen is its leaving: the peer held the case at seen
 * (events of a (peer, case) alternate) and no longer does.  A case it
 * never held, or left before seen (the peer had applied the purge when it
 * wrote), gives 0.  cs may also be a record under a case (a plan, a
 * dote): its case's events count, so that a plan's goal or a dote's
 * ledger entry, two levels below the case, is judged like a service.
 */
static int held_at(struct store *s, const struct registry_peer *p,
		   const struct id *cs, uint64_t seen, int *held, struct err *e)
{
	struct store_q *st = store_q(s,
				     "SELECT entered FROM scope_event WHERE "
				     "peer = ?1 AND case_id = coalesce(("
				     "SELECT parent FROM record WHERE id = "
				     "?2), ?2) AND seq > ?3 ORDER BY seq, "
				     "rowid LIMIT 1",
				     "reading scope");
	int rc;

	*held = 0;
	store_q_bind_int(st, 1, p->idx);
	store_q_bind_blob(st, 2, cs->b, ID_BYTES);
	store_q_bind_int(st, 3, seen > INT64_MAX ? INT64_MAX : (int64_t)seen);
	if (store_q_row(st))
		*held = store_q_col_int(st, 0) == 0;
	rc = store_q_end(st, e);
	if (!rc && *held) {
		/* Back in the scope since: the refusal had another cause. */
		int sees = 0;

		rc = registry_scope_sees(s, p, cs, &sees, e);
		*held = !rc && !sees;
	}
	return rc;
}

/* held_at() for the person itself (its creator held it while no case
 * named it: its leaving is an event of its own), or for some case naming
 * person id as its subject. */
static int subject_held_at(struct store *s, const struct registry_peer *p,
			   const struct id *id, uint64_t seen, int *held,
			   struct err *e)
{
	struct store_q *st = NULL;
	int rc;

	*held = 0;
	rc = held_at(s, p, id, seen, held, e);
	if (rc)
		goto out;
	st = store_q(s, "SELECT id FROM scope_case WHERE person = ?1",
		     "reading scope");
	store_q_bind_blob(st, 1, id->b, ID_BYTES);
	while (!rc && !*held && store_q_row(st)) {
		struct id cs;

		if (store_q_col_bytes(st, 0) != ID_BYTES) {
			rc = err_set(e, ERR_CORRUPT, "malformed scope row");
			goto out;
		}
		memcpy(cs.b, store_q_col_blob(st, 0), ID_BYTES);
		rc = held_at(s, p, &cs, seen, held, e);
	}
out:
	return store_q_done(st, rc, e);
}

int registry_scope_held(struct store *s, const struct registry_peer *p,
			const struct store_incoming *in, uint64_t seen, int *ok,
			struct err *e)
{
	const struct schema_collection *c = schema_collection(in->collection);
	enum schema_scope cls;
	struct store_row row;
	struct id parent;
	const char *text;
	int rc, held = 0;

	*ok = 0;
	if (!c)
		return err_set(e, ERR_INVALID, "unknown collection");
	cls = schema_scope_of(c);
	memset(&row, 0, sizeof(row));
	version_set_init(&row.vers);
	rc = store_row_load(s, &in->record, &row, e);
	if (rc)
		goto out;
	switch (cls) {
	case SCHEMA_SCOPE_ROOT:
		/* Only a case the hub has (a new one is the peer's own), and
		 * not who holds it: a node that has lost the case does not
		 * get to hand it over (nor back to itself). */
		if (row.exists &&
		    !json_object_get(in->fields, c->scope_nodes) &&
		    !json_object_get(in->fields, c->scope_region))
			rc = held_at(s, p, &in->record, seen, &held, e);
		break;
	case SCHEMA_SCOPE_PARENT:
		/* Under the case it was under, held then; never a move out
		 * of it: a node that lost the case does not take a service
		 * of it along under a case it sees now. */
		held = 1;
		if (row.exists) {
			const json_t *was = json_object_get(row.fields,
							    c->parent);
			const json_t *to = json_object_get(in->fields,
							   c->parent);

			text = json_string_value(was);
			held = text && id_parse(&parent, text) == 0 &&
			       (!to || json_equal(was, to));
			if (held)
				rc = held_at(s, p, &parent, seen, &held, e);
		}
		text = json_string_value(json_object_get(in->fields,
							 c->parent));
		if (!rc && held && text) {
			/* One the peer sees now, or held then. */
			held = id_parse(&parent, text) == 0;
			if (held)
				rc = registry_scope_sees(s, p, &parent, &held,
							 e);
			if (!rc && !held && id_parse(&parent, text) == 0)
				rc = held_at(s, p, &parent, seen, &held, e);
		}
		if (!row.exists && !text)
			held = 0;
		break;
	case SCHEMA_SCOPE_SUBJECT:
		if (row.exists)
			rc = subject_held_at(s, p, &in->record, seen, &held, e);
		break;
	default:
		break;
	}
	*ok = !rc && held;
	/* A case naming a new subject: one the peer sees now (as
	 * registry_scope_allows() asks); the one it had left with the case. */
	if (*ok && cls == SCHEMA_SCOPE_ROOT && c->scope_subject) {
		const json_t *now = json_object_get(row.fields, c->scope_subject);
		const json_t *to = json_object_get(in->fields, c->scope_subject);
		struct id ref;

		if (to && !json_equal(now, to)) {
			if (json_is_string(to) &&
			    id_parse(&ref, json_string_value(to)) == 0)
				rc = registry_scope_sees(s, p, &ref, ok, e);
			else
				*ok = 0;
		}
	}
out:
	store_row_release(&row);
	return rc;
}

