/*
 * registry_refused.c - the changes of a peer the hub refused whole, kept
 * with their values sealed (bound to the peer and the change's number
 * there: store_refused_binding()), and what became of a change pushed
 * again after its answer was lost.  Listed with the node's own refusals
 * by store_refused_list().
 */
#include "registry/registry_int.h"
#include "node/store_pkey.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

int registry_refused_keep(struct store *s, int64_t peer,
			  const struct store_incoming *in, const char *reason,
			  struct err *e)
{
	const struct schema_collection *c = schema_collection(in->collection);
	struct store_q *st = NULL;
	uint8_t bind[16], *ad = NULL, *box = NULL;
	size_t adlen = 0, boxlen = 0;
	json_t *none = NULL;
	const json_t *values = in->fields;
	struct id owner;
	int owned = 0;
	int rc = store_require_unlocked(s, e);

	if (rc)
		return rc;
	if (!c)
		return err_set(e, ERR_INVALID, "unknown collection");
	store_refused_binding(peer, in->origin_seq, bind);
	if (store_body_ad(&in->record, c->id, bind, sizeof(bind), NULL, 0, &ad,
			  &adlen))
		return err_set(e, ERR_NOMEM, "out of memory");
	/* A person's values stay under the person's key, so that erasing
	 * it reaches them too; an erased person's are not kept at all. */
	rc = store_owner_of(s, &in->record, c, in->fields, &owner, &owned, e);
	if (rc == ERR_GONE) {
		values = none = json_object();
		owned = 0;
		rc = none ? 0 : err_set(e, ERR_NOMEM, "out of memory");
	}
	if (!rc)
		rc = store_seal_json(s, owned ? &owner : NULL, values, ad,
				     adlen, &box, &boxlen, e);
	if (rc == ERR_GONE && owned) {
		json_decref(none);
		values = none = json_object();
		rc = none ? store_seal_json(s, NULL, values, ad, adlen, &box,
					    &boxlen, e)
			  : err_set(e, ERR_NOMEM, "out of memory");
	}
	if (rc)
		goto out;
	st = store_q(s,
		     "INSERT OR REPLACE INTO refused(peer, oseq, record, coll, "
		     "kind, operator, hlc, vers, prev, body, reason, at) "
		     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, zeroblob(0), ?9, "
		     "?10, ?11)",
		     "keeping a refusal");
	store_q_bind_int(st, 1, peer);
	store_q_bind_int(st, 2, (int64_t)in->origin_seq);
	store_q_bind_blob(st, 3, in->record.b, ID_BYTES);
	store_q_bind_int(st, 4, c->id);
	store_q_bind_int(st, 5, (int)in->kind);
	store_q_bind_text(st, 6, in->operator);
	store_q_bind_int(st, 7, (int64_t)in->hlc);
	store_q_bind_blob(st, 8, bind, sizeof(bind));
	store_q_bind_blob(st, 9, box, boxlen);
	store_q_bind_text(st, 10, reason);
	store_q_bind_int(st, 11, (int64_t)time(NULL));
	rc = store_q_run(st, e);
out:
	json_decref(none);
	free(ad);
	free(box);
	return rc;
}

int registry_refusal_of(struct store *s, int64_t peer, const struct id *node,
			uint64_t oseq, int *whole, char *reason, size_t n,
			struct err *e)
{
	struct store_q *st = store_q(s,
				     "SELECT 1, reason FROM refusal WHERE peer "
				     "= ?1 AND oseq = ?2 UNION ALL SELECT 0, "
				     "j.reason FROM change c JOIN node o ON "
				     "o.idx = c.origin JOIN rejection j ON "
				     "j.seq = c.seq WHERE o.id = ?3 AND "
				     "c.oseq = ?2 LIMIT 1",
				     "reading a refusal");

	*whole = 0;
	if (n)
		reason[0] = '\0';
	store_q_bind_int(st, 1, peer);
	store_q_bind_int(st, 2, (int64_t)oseq);
	store_q_bind_blob(st, 3, node->b, ID_BYTES);
	if (store_q_row(st)) {
		const char *text = store_q_col_text(st, 1);

		*whole = store_q_col_int(st, 0);
		snprintf(reason, n, "%s", text ? text : "");
	}
	return store_q_end(st, e);
}

int registry_refused_at(struct store *s, int64_t peer, uint64_t hlc,
			int *refused, struct err *e)
{
	struct store_q *st = store_q(s,
				     "SELECT 1 FROM refused WHERE peer = ?1 "
				     "AND hlc = ?2 LIMIT 1",
				     "reading a refusal");

	store_q_bind_int(st, 1, peer);
	store_q_bind_int(st, 2, (int64_t)hlc);
	*refused = store_q_row(st);
	return store_q_end(st, e);
}
