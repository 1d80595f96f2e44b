/*
 * registry_alloc.c - the hub's allocation of records per group (struct
 * schema_quota: the dotes per partner), kept in the allocation table
 * (schema/migrations/0012_allocation.sql) and handed to the store as its
 * quota hook, so that a local write on the hub adding a record to a
 * group at its limit is refused (node/store_require.h), and so is a
 * node's pushed change doing it (store_rule_check_incoming()).
 *
 * Rows carry a MAC (STORE_MAC_ALLOCATION, node/store_mac.c): one that
 * fails is refused (ERR_AUTH), and a group the quota's field declares
 * with no row has 0 (a deleted row lifts no limit).  The programme's
 * defaults (declared with each quota, schema_quota.defaults) are written
 * here, authenticated, the first time the unlocked store needs its
 * allocation; the checkpoint "allocation.seeded" (under
 * its MAC) says they were, so deleting rows does not bring them back.
 * Deleting that checkpoint and every row together would: the defaults
 * are the programme's own numbers, not a limit lifted.
 */
#include "registry/registry_int.h"

#include <stdio.h>
#include <string.h>

#define SEEDED "allocation.seeded"

/* Write the row of (coll, group) with n, authenticated in the statement:
 * every covered column is written here, so nothing planted is blessed. */
static int write_row(struct store *s, const char *coll, const char *group,
		     int64_t n, struct err *e)
{
	struct store_q *st = store_q(s,
				     "INSERT INTO allocation (coll, grp, "
				     "allocated, mac) VALUES (?1, ?2, ?3, "
				     "presidio_mac('allocation', ?1, ?2, ?3)) "
				     "ON CONFLICT (coll, grp) DO UPDATE SET "
				     "allocated = excluded.allocated, "
				     "mac = excluded.mac",
				     "writing the allocation");

	store_q_bind_text(st, 1, coll);
	store_q_bind_text(st, 2, group);
	store_q_bind_int(st, 3, n);
	return store_q_run(st, e);
}

/* The defaults, once in the store's life (see above). */
static int seed(struct store *s, struct err *e)
{
	uint64_t done = 0;
	int opened = 0;
	int rc = store_checkpoint_get(s, SEEDED, &done, e);

	if (rc != ERR_NOTFOUND)
		return rc;
	err_init(e);
	rc = store_tx_begin(s, &opened, e);
	for (size_t i = 0; !rc && i < schema_count(); i++) {
		const struct schema_collection *c = schema_at(i);
		const struct schema_quota *q = c->quota;

		for (size_t k = 0; !rc && q && k < q->ndefaults; k++)
			rc = write_row(s, c->name, q->defaults[k].group,
				       q->defaults[k].allocated, e);
	}
	if (!rc)
		rc = store_checkpoint_set(s, SEEDED, 1, e);
	return store_tx_end(s, opened, rc, e);
}

/* 1 when group is a value c's quota field declares. */
static int declared(const struct schema_collection *c, const char *group)
{
	const struct schema_field *f =
		c && c->quota ? schema_field(c, c->quota->group) : NULL;

	for (const char *const *v = f ? f->values : NULL; v && *v; v++)
		if (strcmp(*v, group) == 0)
			return 1;
	return 0;
}

int registry_quota_limit(void *ctx, struct store *s,
			 const struct schema_collection *c, const char *group,
			 int64_t *limit, int *has, struct err *e)
{
	struct store_q *st;
	int rc;

	(void)ctx;
	*has = 0;
	*limit = 0;
	rc = seed(s, e);
	if (rc)
		return rc;
	st = store_q(s,
		     "SELECT allocated, presidio_mac_ok(mac, 'allocation', "
		     STORE_MAC_COLS_ALLOCATION ") FROM allocation WHERE "
		     "coll = ?1 AND grp = ?2",
		     "reading the allocation");
	store_q_bind_text(st, 1, c->name);
	store_q_bind_text(st, 2, group);
	if (store_q_row(st)) {
		*has = 1;
		*limit = store_q_col_i64(st, 0);
		if (!store_q_col_int(st, 1))
			rc = err_set(e, ERR_AUTH, "the allocation of partner "
				     "'%s' of '%s' fails authentication "
				     "(altered outside presidio)", group,
				     c->name);
	} else if (declared(c, group)) {
		/* A declared group without its row: none allotted. */
		*has = 1;
	}
	return store_q_done(st, rc, e);
}

/* Live records of coll counted in group now (0 when coll declares no
 * quota in this schema). */
static int used_of(struct store *s, const char *coll, const char *group,
		   int64_t *used, struct err *e)
{
	const struct schema_collection *c = schema_collection(coll);

	*used = 0;
	if (!c || !c->quota)
		return 0;
	return store_quota_used(s, c, group, NULL, used, e);
}

int registry_allocation_list(struct store *s, const char *coll,
			     registry_allocation_fn fn, void *ctx,
			     struct err *e)
{
	struct registry_allocation a;
	struct store_q *st;
	int rc = store_require_unlocked(s, e);

	if (!rc)
		rc = seed(s, e);
	if (rc)
		return rc;
	st = store_q(s,
		     "SELECT grp, allocated, presidio_mac_ok(mac, "
		     "'allocation', " STORE_MAC_COLS_ALLOCATION ") FROM "
		     "allocation WHERE coll = ?1 ORDER BY rowid",
		     "reading the allocation");
	store_q_bind_text(st, 1, coll);
	while (!rc && store_q_row(st)) {
		const char *g = store_q_col_text(st, 0);

		memset(&a, 0, sizeof(a));
		snprintf(a.group, sizeof(a.group), "%s", g ? g : "");
		a.allocated = store_q_col_i64(st, 1);
		if (!store_q_col_int(st, 2)) {
			rc = err_set(e, ERR_AUTH, "the allocation of partner "
				     "'%s' of '%s' fails authentication "
				     "(altered outside presidio)", a.group,
				     coll);
			break;
		}
		rc = used_of(s, coll, a.group, &a.used, e);
		if (!rc)
			rc = fn(ctx, &a);
	}
	return store_q_done(st, err_walk_end(rc), e);
}

/* 0 when group may carry an allocation of coll: a value its quota's
 * group field declares, or (the collection not declared here) a group
 * the table holds already. */
static int group_known(struct store *s, const char *coll, const char *group,
		       struct err *e)
{
	const struct schema_collection *c = schema_collection(coll);
	const struct schema_field *f =
		c && c->quota ? schema_field(c, c->quota->group) : NULL;
	struct store_q *st;
	int has, rc;

	if (f && f->values) {
		for (const char *const *v = f->values; *v; v++)
			if (strcmp(*v, group) == 0)
				return 0;
		return err_set(e, ERR_NOTFOUND, "'%s' is no partner of '%s'",
			       group, coll);
	}
	if (f)
		return 0;
	st = store_q(s, "SELECT allocated FROM allocation WHERE coll = ?1 "
		     "AND grp = ?2", "reading the allocation");
	store_q_bind_text(st, 1, coll);
	store_q_bind_text(st, 2, group);
	has = store_q_row(st);
	rc = store_q_end(st, e);
	if (!rc && !has)
		rc = err_set(e, ERR_NOTFOUND, "'%s' is no partner of '%s'",
			     group, coll);
	return rc;
}

int registry_allocation_set(struct store *s, const char *coll,
			    const char *group, int64_t n, struct err *e)
{
	int64_t used = 0;
	int opened = 0, rc;

	if (!schema_name_ok(coll) || !schema_name_ok(group))
		return err_set(e, ERR_INVALID, "malformed partner name");
	if (n < 0)
		return err_set(e, ERR_INVALID, "an allocation is 0 or more");
	rc = store_require_unlocked(s, e);
	if (!rc)
		rc = store_tx_begin(s, &opened, e);
	if (rc)
		return rc;
	rc = seed(s, e);
	if (!rc)
		rc = group_known(s, coll, group, e);
	if (!rc)
		rc = used_of(s, coll, group, &used, e);
	if (!rc && n < used)
		rc = err_set(e, ERR_CONFLICT, "partner '%s' holds %lld live "
			     "'%s' records: its allocation cannot go below "
			     "that (asked %lld)", group, (long long)used, coll,
			     (long long)n);
	if (rc)
		goto out;
	rc = write_row(s, coll, group, n, e);
out:
	return store_tx_end(s, opened, rc, e);
}
