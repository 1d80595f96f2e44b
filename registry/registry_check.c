/*
 * registry_check.c - the rules a peer's pushed change keeps beyond its
 * scope, judged again on the hub (a node's own checks can be bypassed):
 * procedure steps by the peer's kind and their requirements
 * (node/store_ext.h), references and
 * hand-overs, as node/store_check.c states them.
 */
#include "registry/registry_int.h"

#include <string.h>

#include "conflict/scope.h"

/* store_pusher.refused: the peer's change made at hlc was refused whole
 * here (kept in refused, registry_refused_keep()). */
static int refused_at(void *ctx, struct store *s, uint64_t hlc, int *refused,
		      struct err *e)
{
	const struct registry_peer *p = ctx;

	return registry_refused_at(s, p->idx, hlc, refused, e);
}

int registry_check_incoming(struct store *s, const struct registry_peer *p,
			    const struct store_incoming *in, char *why,
			    size_t n, struct err *e)
{
	const struct schema_collection *c = schema_collection(in->collection);
	struct scope_peer w = { p->name, p->kind, p->region };
	struct store_pusher pusher;
	struct store_row row;
	int rc;

	why[0] = '\0';
	memset(&row, 0, sizeof(row));
	version_set_init(&row.vers);
	if (!c)
		return err_set(e, ERR_INVALID, "unknown collection");
	/* Procedure steps by the peer's kind, and what they require
	 * (node/store_ext.h). */
	memset(&pusher, 0, sizeof(pusher));
	pusher.role = p->kind;
	pusher.node = p->node_id;
	pusher.refused = refused_at;
	pusher.ctx = (void *)p;
	rc = store_rule_check_incoming(s, &pusher, c, in, why, n, e);
	if (rc || why[0])
		return rc;
	/* Most changes write neither a reference nor a scope field: they
	 * need not open the record. */
	if (!store_check_writes(c, in->fields))
		return 0;
	rc = store_row_load(s, &in->record, &row, e);
	if (!rc)
		rc = store_check_refs(s, c, row.exists ? row.fields : NULL,
				      in->fields, 1, why, n, e);
	if (!rc && !why[0])
		store_check_scope(c, &w, row.exists ? row.fields : NULL,
				  in->fields, why, n);
	store_row_release(&row);
	return rc;
}
