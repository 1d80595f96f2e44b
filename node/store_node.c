/*
 * store_node.c - the nodes a store knows (itself, and every node whose
 * changes it received or whose versions it was told of, with their role)
 * and the actors, (node, operator) pairs that versions refer to by number.
 */
#include "node/store_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bind the key of a node (id) or of an actor (node idx, operator). */
static void bind_key(struct store_q *q, const struct id *id, int64_t node,
		     const char *operator)
{
	if (id) {
		store_q_bind_blob(q, 1, id->b, ID_BYTES);
	} else {
		store_q_bind_int(q, 1, node);
		store_q_bind_text(q, 2, operator);
	}
}

/* Look up the key with find (one int64 result), else insert it and take
 * the rowid.  Both statements are fixed ones: this runs on every received
 * change. */
static int find_or_insert(struct store *s, enum store_stmt find,
			  enum store_stmt insert, enum store_mac_table t,
			  const struct id *id, int64_t node,
			  const char *operator, int64_t *idx, const char *what,
			  struct err *e)
{
	struct store_q *q = store_q_fixed(s, find, what);
	int found = 0;
	int rc;

	bind_key(q, id, node, operator);
	if (store_q_row(q)) {
		*idx = store_q_col_i64(q, 0);
		found = 1;
	}
	rc = store_q_end(q, e);
	if (rc || found)
		return rc;
	q = store_q_fixed(s, insert, what);
	bind_key(q, id, node, operator);
	rc = store_q_run(q, e);
	if (rc)
		return rc;
	*idx = store_sql_last_id(s);
	return store_mac_reseal(s, t, *idx, NULL, 0, e);
}

void store_cache_clear(struct store *s)
{
	s->cache_node_idx = 0;
	s->cache_actor = 0;
	s->audit_cached = 0;
	store_applied_clear(s);
}

int store_actor_ensure(struct store *s, int64_t node, const char *operator,
		       uint32_t *idx, struct err *e)
{
	int64_t v = 0;
	int rc;

	if (s->cache_actor && s->cache_actor_node == node &&
	    strcmp(s->cache_actor_op, operator) == 0) {
		*idx = s->cache_actor;
		return 0;
	}

	rc = find_or_insert(s, STMT_ACTOR_FIND, STMT_ACTOR_INSERT,
			    STORE_MAC_ACTOR, NULL, node, operator, &v,
			    "recording actor", e);
	if (!rc && (v <= 0 || v > STORE_ACTORS_MAX))
		rc = err_set(e, ERR_CORRUPT, "actor number out of range");
	if (!rc && strlen(operator) < sizeof(s->cache_actor_op)) {
		s->cache_actor_node = node;
		snprintf(s->cache_actor_op, sizeof(s->cache_actor_op), "%s",
			 operator);
		s->cache_actor = (uint32_t)v;
	}
	if (!rc)
		*idx = (uint32_t)v;
	return rc;
}

int store_actor_info(struct store *s, uint32_t actor,
		     const struct store_actor **out, struct err *e)
{
	struct store_q *st = NULL;
	struct store_actor *a;
	int rc, row;

	/* The number comes from a clear-text column: bound it before it
	 * sizes anything. */
	if (actor == 0 || actor > STORE_ACTORS_MAX)
		return err_set(e, ERR_CORRUPT,
			       "actor number %" PRIu32 " out of range", actor);
	if ((size_t)actor < s->nactors && s->actors[actor].known)
		goto found;
	if ((size_t)actor >= s->nactors) {
		size_t n = (size_t)actor + 64;
		struct store_actor *grown =
		    realloc(s->actors, n * sizeof(*grown));

		if (!grown)
			return err_set(e, ERR_NOMEM, "out of memory");
		memset(grown + s->nactors, 0,
		       (n - s->nactors) * sizeof(*grown));
		s->actors = grown;
		s->nactors = n;
	}
	st = store_q_fixed(s, STMT_ACTOR_BY_IDX, "reading actors");
	store_q_bind_int(st, 1, actor);
	row = store_q_row(st);
	if (row) {
		const char *op = store_q_col_text(st, 1);

		a = &s->actors[actor];
		if (store_q_col_bytes(st, 0) != ID_BYTES || !op ||
		    strlen(op) >= sizeof(a->operator)) {
			(void)store_q_end(st, NULL);
			return err_set(e, ERR_CORRUPT,
				       "malformed actor %" PRIu32, actor);
		}
		/* Who made a change is history: an actor or node row
		 * altered outside presidio must not name someone else. */
		if (!store_q_col_int(st, 3)) {
			(void)store_q_end(st, NULL);
			return err_set(e, ERR_CORRUPT,
				       "actor %" PRIu32 " fails authentication "
				       "(altered outside presidio)",
				       actor);
		}
		memcpy(a->node.b, store_q_col_blob(st, 0), ID_BYTES);
		snprintf(a->operator, sizeof(a->operator), "%s", op);
		a->role = store_q_col_null(st, 2) ? -1 : store_q_col_int(st, 2);
		a->known = 1;
	}
	rc = store_q_end(st, e);
	if (rc)
		return rc;
	if (!row)
		return err_set(e, ERR_CORRUPT, "unknown actor %" PRIu32, actor);
found:
	*out = &s->actors[actor];
	return 0;
}

int store_actor(struct store *s, uint32_t actor, struct id *node,
		const char **operator, struct err *e)
{
	const struct store_actor *a = NULL;
	int rc = store_actor_info(s, actor, &a, e);

	if (rc)
		return rc;
	if (node)
		*node = a->node;
	if (operator)
		*operator = a->operator;
	return 0;
}

int store_node_ensure(struct store *s, const struct id *node, int64_t *idx,
		      struct err *e)
{
	int rc;

	if (s->cache_node_idx &&
	    memcmp(s->cache_node.b, node->b, ID_BYTES) == 0) {
		*idx = s->cache_node_idx;
		return 0;
	}
	rc = find_or_insert(s, STMT_NODE_FIND, STMT_NODE_INSERT,
			    STORE_MAC_NODE, node, 0, NULL, idx,
			    "recording node", e);
	if (!rc) {
		s->cache_node = *node;
		s->cache_node_idx = *idx;
	}
	return rc;
}

int store_node_set(struct store *s, const struct id *node, const char *name,
		   enum store_role role, struct err *e)
{
	struct store_q *st = NULL;
	int64_t idx = 0;
	int opened = 0;
	int rc;

	if (name && (!*name || strlen(name) >= STORE_NAME_MAX))
		return err_set(e, ERR_INVALID, "bad node name");
	rc = store_tx_begin(s, &opened, e);
	if (!rc)
		rc = store_node_ensure(s, node, &idx, e);
	if (!rc)
		rc = store_mac_check(s, STORE_MAC_NODE, idx, NULL, 0, e);
	if (!rc) {
		st = store_q(s,
			     "UPDATE node SET name = coalesce(?2, name), "
			     "role = ?3 WHERE idx = ?1",
			     "recording node");
		store_q_bind_int(st, 1, idx);
		store_q_bind_text(st, 2, name); /* NULL keeps the name */
		store_q_bind_int(st, 3, role);
		rc = store_q_run(st, e);
	}
	if (!rc)
		rc = store_mac_reseal(s, STORE_MAC_NODE, idx, NULL, 0, e);
	/* Cached actors of that node carry its role: forget them. */
	for (size_t i = 0; !rc && i < s->nactors; i++)
		s->actors[i].known = 0;
	return store_tx_end(s, opened, rc, e);
}
