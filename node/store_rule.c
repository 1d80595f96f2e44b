/*
 * store_rule.c - see store_rule.h.
 *
 * The children of a parent are found by the record row's clear `parent`
 * column (the value of the child's declared parent field, which is what
 * scope follows too), through its copy in table kin, and opened one by one, by the walk requirements and
 * quotas use too (store_require_walk()): a dote has tens of ledger
 * entries, not thousands.  Opened values live only as long as the sum
 * needs them.  The statements here are prepared per call: rules run on
 * the few collections that declare them, never on an import of persons.
 */
#include "node/store_rule.h"
#include "node/store_require.h"
#include "node/store_sql.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "schema/rule.h"

#define FRONTIER_MAX 32 /* candidates of one field a resolution settles */

int store_rule_role(struct store *s, char *buf, const char **role,
		    struct err *e)
{
	struct store_remote r;
	int found, rc;

	*role = NULL;
	buf[0] = '\0';
	/* The authority (store_int.h) takes steps under the role name the
	 * schema's transitions give it. */
	if (store_role_authority(s->role)) {
		snprintf(buf, STORE_ROLE_TEXT_MAX, "hub");
		*role = buf;
		return 0;
	}
	rc = store_remote_find(s, &r, &found, e);
	if (rc || !found)
		return rc;
	snprintf(buf, STORE_ROLE_TEXT_MAX, "%s", r.kind);
	*role = buf[0] ? buf : NULL;
	return 0;
}

/* ---- sums ---- */

/* The id a record's parent field names, 0 when it names none. */
static int parent_id(const struct schema_collection *c, const json_t *fields,
		     struct id *out)
{
	const char *text = c->parent ? json_string_value(json_object_get(
					       fields, c->parent))
				     : NULL;

	return text && id_parse(out, text) == 0;
}

struct summing {
	const struct schema_aggregate *a;
	struct rule_sum *sum;
};

static int sum_one(void *ctx, const struct id *id, const json_t *fields)
{
	struct summing *x = ctx;

	(void)id;
	rule_sum_take(x->a, fields, x->sum);
	return 0;
}

/* Add a's field over the live records of child under parent (but skip,
 * when not NULL) to *sum, by the walk of node/store_require.h: a row
 * whose MAC fails (its parent or deletion flag planted) fails the sum
 * with ERR_AUTH, since the sum decides refusals and conflict counts. */
static int sum_children(struct store *s, const struct schema_aggregate *a,
			const struct schema_collection *child,
			const struct id *parent, const struct id *skip,
			struct rule_sum *sum, struct err *e)
{
	struct summing x = { a, sum };

	return store_require_walk(s, child, parent, skip, sum_one, &x, e);
}

/* How many caps of c the live children of record id pass; a sum that
 * overflows passes it (received children are never refused for it). */
static int caps_passed(struct store *s, const struct id *id,
		       const struct schema_collection *c, const json_t *fields,
		       int *n, struct err *e)
{
	*n = 0;
	for (size_t i = 0; i < c->naggregates; i++) {
		const struct schema_aggregate *a = &c->aggregates[i];
		struct rule_sum sum;
		int rc;

		rule_sum_init(&sum);
		rc = sum_children(s, a, schema_collection(a->child), id, NULL,
				  &sum, e);
		if (rc)
			return rc;
		if (rule_sum_over(&sum, rule_cap(a, fields)))
			(*n)++;
	}
	return 0;
}

/* ---- local checks ---- */

/* A child of c (written with values merged = cur + fields): the caps it
 * is summed under, before and after the write. */
static int check_as_child(struct store *s, const struct schema_collection *c,
			  const struct id *id, const json_t *cur,
			  const json_t *merged, struct err *e)
{
	const struct schema_collection *pc = NULL;
	const struct schema_aggregate *a;
	struct store_row prow;
	struct id parent, was;
	int rc = 0;

	memset(&prow, 0, sizeof(prow));
	version_set_init(&prow.vers);
	if (!parent_id(c, merged, &parent))
		return 0;
	for (size_t i = 0; !rc && (a = rule_aggregate_over(c, i, &pc)); i++) {
		struct rule_sum others, was_sum, now_sum;
		long long before, after;

		if (!prow.exists) {
			rc = store_row_load(s, &parent, &prow, e);
			/* A parent this node does not hold: it cannot know
			 * the cap, the merge side will tell. */
			if (rc || !prow.exists || prow.deleted)
				break;
		}
		rule_sum_init(&others);
		rc = sum_children(s, a, c, &parent, id, &others, e);
		if (rc)
			break;
		was_sum = others;
		now_sum = others;
		/* The record's old amount counted only under this parent. */
		if (cur && parent_id(c, cur, &was) && !id_cmp(&was, &parent))
			rule_sum_take(a, cur, &was_sum);
		rule_sum_take(a, merged, &now_sum);
		/* Only here, a local write, does a sum that does not fit
		 * refuse: it would leave the parent's count unreadable. */
		if (rule_sum_total(&now_sum, &after)) {
			rc = err_set(e, ERR_INVALID, "field '%s' of '%s' "
				     "overflows the sum", a->sum, c->name);
			break;
		}
		if (rule_sum_total(&was_sum, &before))
			before = LLONG_MAX; /* anything that fits is lower */
		rc = rule_check_cap(pc, a, before, after,
				    rule_cap(a, prow.fields), e);
	}
	store_row_release(&prow);
	return rc;
}

/* A parent of caps (c declares aggregates): a lower cap must not leave
 * the children's sum above it. */
static int check_as_parent(struct store *s, const struct schema_collection *c,
			   const struct id *id, const json_t *cur,
			   const json_t *merged, struct err *e)
{
	for (size_t i = 0; i < c->naggregates; i++) {
		const struct schema_aggregate *a = &c->aggregates[i];
		long long was = rule_cap(a, cur), now = rule_cap(a, merged);
		struct rule_sum sum;
		int rc;

		if (!cur || now >= was)
			continue;
		rule_sum_init(&sum);
		rc = sum_children(s, a, schema_collection(a->child), id, NULL,
				  &sum, e);
		if (rc)
			return rc;
		if (rule_sum_over(&sum, now))
			return err_set(e, ERR_INVALID, "field '%s' of '%s': "
				       "the new cap is below the sum of '%s' "
				       "over its '%s' records",
				       a->cap_field ? a->cap_field : "?",
				       c->name, a->sum, a->child);
	}
	return 0;
}

/* The caps, for a write of fields over cur. */
static int check_caps(struct store *s, const struct schema_collection *c,
		      const struct id *id, const json_t *cur,
		      const json_t *fields, struct err *e)
{
	const struct schema_collection *pc;
	json_t *merged;
	int rc;

	if (!c->naggregates && !rule_aggregate_over(c, 0, &pc))
		return 0;
	merged = cur ? json_deep_copy(cur) : json_object();
	if (!merged || json_object_update(merged, (json_t *)fields)) {
		json_decref(merged);
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	rc = check_as_child(s, c, id, cur, merged, e);
	if (!rc && c->naggregates)
		rc = check_as_parent(s, c, id, cur, merged, e);
	json_decref(merged);
	return rc;
}

/* 1 when c has a procedure field. */
static int has_procedure(const struct schema_collection *c)
{
	for (size_t i = 0; i < c->nfields; i++)
		if (rule_is_procedure(&c->fields[i]))
			return 1;
	return 0;
}

int store_rule_check_put(struct store *s, const struct schema_collection *c,
			 const struct id *id, const json_t *cur,
			 const json_t *fields, struct err *e)
{
	char buf[STORE_ROLE_TEXT_MAX];
	const char *role = NULL;
	int rc = 0;

	json_t *after = NULL;

	if (has_procedure(c)) {
		rc = store_rule_role(s, buf, &role, e);
		if (!rc)
			rc = rule_check_steps(c, cur, fields, role, e);
		if (!rc)
			rc = store_require_steps(s, c, id, cur, fields, role,
						 e);
	}
	if (!rc)
		rc = check_caps(s, c, id, cur, fields, e);
	/* Only what may refuse is worth a copy of the values. */
	if (!rc && ((c->invariant && c->invariant_refuses) ||
		    (c->quota && s->quota_hook)))
		rc = store_require_merged(cur, fields, &after, e);
	if (!rc && after)
		rc = store_require_values(s, c, id, cur, after, 0, e);
	json_decref(after);
	return rc;
}

int store_rule_check_settle(struct store *s,
			    const struct schema_collection *c,
			    const struct id *id, const json_t *cur,
			    const struct merge_record *mr,
			    const json_t *values, struct err *e)
{
	const json_t *cand[FRONTIER_MAX];
	char buf[STORE_ROLE_TEXT_MAX];
	const char *role = NULL, *key;
	json_t *val, *after = NULL;
	int rc = store_require_merged(cur, values, &after, e);

	json_object_foreach((json_t *)values, key, val) {
		const struct schema_field *f = schema_field(c, key);
		size_t n;

		if (rc)
			break;
		if (!rule_is_procedure(f))
			continue;
		n = merge_frontier(mr, f->id, cand, FRONTIER_MAX);
		if (n > FRONTIER_MAX)
			n = FRONTIER_MAX;
		rc = store_rule_role(s, buf, &role, e);
		if (!rc)
			rc = rule_check_settle(c, f, cand, n, val, role, e);
		if (!rc)
			rc = store_require_settle(s, c, id, after, f, cand, n,
						  val, role, e);
	}
	if (!rc)
		rc = check_caps(s, c, id, cur, values, e);
	if (!rc)
		rc = store_require_values(s, c, id, cur, after, 0, e);
	json_decref(after);
	return rc;
}

int store_rule_check_undelete(struct store *s,
			      const struct schema_collection *c,
			      const struct id *id, const json_t *fields,
			      struct err *e)
{
	const struct schema_collection *pc = NULL;
	int rc = 0;

	/* A child comes back into its parent's sum, and a record into its
	 * quota's group: from none, as a new record would. */
	if (rule_aggregate_over(c, 0, &pc))
		rc = check_as_child(s, c, id, NULL, fields, e);
	return rc ? rc : store_require_values(s, c, id, NULL, fields, 1, e);
}

/* 1 when fields writes a procedure field of c. */
static int writes_procedure(const struct schema_collection *c,
			    const json_t *fields)
{
	const char *key;
	json_t *val;

	json_object_foreach((json_t *)fields, key, val)
		if (rule_is_procedure(schema_field(c, key)))
			return 1;
	return 0;
}

/* A change the hub judges (store_rule_check_incoming()). */
struct incoming {
	struct store *s;
	const struct store_pusher *w;
	const struct schema_collection *c;
	const struct store_incoming *in;
	const struct merge_record *mr; /* the hub's merge state, or NULL */
	const json_t *cur;             /* the hub's values, or NULL */
	const json_t *after;           /* them with the change's */
};

/* The step from -> to of f by the pusher: *verdict 0 (taken: declared,
 * open to its role, requirements held), ERR_CONFLICT (refused, reason in
 * le) or ERR_INVALID (undeclared: the merge judges it).  Returns 0 or an
 * ERR_* of the database. */
static int incoming_judge(const struct incoming *x,
			  const struct schema_field *f, const char *from,
			  const char *to, int *verdict, struct err *le,
			  struct err *e)
{
	int held = 1, rc;

	*verdict = rule_check_step(x->c, f, from, to, x->w->role, le);
	if (*verdict)
		return 0;
	rc = store_require_step(x->s, x->c, &x->in->record, x->after, f, from,
				to, x->w->role, &held, le, e);
	if (!rc && !held)
		*verdict = ERR_CONFLICT;
	return rc;
}

/* The value the hub's record holds for f now, as a declared value. */
static const char *hub_value(const struct incoming *x,
			     const struct schema_field *f)
{
	return rule_value(f, x->cur ? json_object_get(x->cur, f->name) : NULL);
}

/* The refusal of the change's write of procedure field f (value val),
 * if any, into why (store_ext.h says which). */
static int incoming_step(const struct incoming *x,
			 const struct schema_field *f, const json_t *val,
			 char *why, size_t n, struct err *e)
{
	const struct store_incoming *in = x->in;
	const int any = in->kind == STORE_CHANGE_RESOLVE;
	const char *to = rule_value(f, val);
	struct err le, scratch;
	size_t named = 0, allowed = 0, refused = 0;
	int verdict, rc;

	err_init(&le);
	err_init(&scratch);
	for (size_t i = 0; i < in->nprev; i++) {
		const struct merge_vid *v = &in->prev[i].v;
		const json_t *was;
		const char *from;
		int gone = 0, own;

		if (in->prev[i].field != f->id)
			continue;
		named++;
		if (in->kind == STORE_CHANGE_CREATE) {
			snprintf(why, n, "field '%s' of '%s': a new record "
				 "names an earlier value", f->name,
				 x->c->name);
			return 0;
		}
		was = x->mr ? merge_write_value(x->mr, f->id, v) : NULL;
		/* Not held: of the pusher's own, only one the hub refused
		 * whole may be missing (it receives them in order), and of
		 * the hub's own none; any other names no step the hub can
		 * judge (forged or not, the hub's value then decides). */
		own = !was && id_cmp(&v->node, &x->w->node) == 0;
		if (own && x->w->refused) {
			rc = x->w->refused(x->w->ctx, x->s, v->hlc, &gone, e);
			if (rc)
				return rc;
		}
		if ((own && !gone) ||
		    (!was && id_cmp(&v->node, &x->s->node_id) == 0)) {
			snprintf(why, n, "field '%s' of '%s': the change names "
				 "an earlier value this hub does not hold",
				 f->name, x->c->name);
			return 0;
		}
		from = was ? rule_value(f, was) : hub_value(x, f);
		/* Keeping the value it had is no step. */
		if (to && from == to) {
			allowed++;
			continue;
		}
		rc = incoming_judge(x, f, from, to, &verdict,
				    refused ? &scratch : &le, e);
		if (rc)
			return rc;
		if (verdict == 0)
			allowed++;
		else if (verdict == ERR_CONFLICT)
			refused++;
		/* else undeclared: the merge judges it */
	}
	if (named == 0 && (to || hub_value(x, f))) {
		rc = incoming_judge(x, f, NULL, to, &verdict, &le, e);
		if (rc)
			return rc;
		/* Undeclared from no value, when the hub holds none either
		 * (or the change creates the record): nothing concurrent
		 * for the merge to weigh, a step nobody may take.  Only a
		 * value the hub holds and the change did not see leaves it
		 * to the merge. */
		if (verdict == ERR_CONFLICT ||
		    (verdict == ERR_INVALID &&
		     (in->kind == STORE_CHANGE_CREATE || !hub_value(x, f))))
			refused++;
	}
	/* A step from every value named; a resolution settles on one. */
	if (refused && (!any || !allowed))
		snprintf(why, n, "%s", le.msg);
	return 0;
}

int store_rule_check_incoming(struct store *s, const struct store_pusher *w,
			      const struct schema_collection *c,
			      const struct store_incoming *in, char *why,
			      size_t n, struct err *e)
{
	struct store_mstate *m = NULL;
	struct store_row row;
	struct incoming x;
	json_t *after = NULL, *val;
	const char *key;
	int rc;

	why[0] = '\0';
	if (!c)
		return 0;
	rc = store_require_incoming_quota(s, c, in, w->role, why, n, e);
	if (rc || why[0] || !writes_procedure(c, in->fields))
		return rc;
	rc = store_row_load(s, &in->record, &row, e);
	if (!rc && row.exists && row.coll == c->id)
		rc = store_mstate_load(s, row.rid, c, &m, e);
	if (!rc)
		rc = store_require_merged(m ? row.fields : NULL, in->fields,
					  &after, e);
	memset(&x, 0, sizeof(x));
	x.s = s;
	x.w = w;
	x.c = c;
	x.in = in;
	x.mr = m ? store_mstate_record(m) : NULL;
	x.cur = m ? row.fields : NULL;
	x.after = after;
	json_object_foreach((json_t *)in->fields, key, val) {
		const struct schema_field *f = schema_field(c, key);

		if (rc || why[0])
			break;
		if (rule_is_procedure(f))
			rc = incoming_step(&x, f, val, why, n, e);
	}
	json_decref(after);
	store_mstate_free(m);
	store_row_release(&row);
	return rc;
}

/* ---- the parent's count of open conflicts ---- */

int store_rule_row(struct store *s, const struct id *id,
		   const struct schema_collection *c, struct store_row *l,
		   struct err *e)
{
	int n = 0, rc;

	if (!c->naggregates || l->deleted)
		return 0;
	rc = caps_passed(s, id, c, l->fields, &n, e);
	if (!rc)
		l->conflicts += n;
	return rc;
}

/* Recount the open conflicts of record id (collection pc) and rewrite
 * its count if it changed. */
static int recount(struct store *s, const struct id *id,
		   const struct schema_collection *pc, struct err *e)
{
	struct store_mstate *m = NULL;
	struct store_row row;
	struct store_q *st;
	int n = 0, rc;

	rc = store_row_load(s, id, &row, e);
	if (rc || !row.exists || row.coll != pc->id)
		goto out;
	rc = store_mstate_load(s, row.rid, pc, &m, e);
	if (rc)
		goto out;
	if (!row.deleted)
		rc = caps_passed(s, id, pc, row.fields, &n, e);
	n += (int)merge_conflicts(store_mstate_record(m), NULL, 0);
	if (rc || n == row.conflicts)
		goto out;
	/* The count is under the row's MAC: check the row, change it,
	 * authenticate it again (store_int.h, row MACs). */
	rc = store_mac_check(s, STORE_MAC_RECORD, row.rid, NULL, 0, e);
	if (rc)
		goto out;
	st = store_q(s, "UPDATE record SET conflicts = ?1 WHERE rid = ?2",
		     "writing record");
	store_q_bind_int(st, 1, n);
	store_q_bind_int(st, 2, row.rid);
	rc = store_q_run(st, e);
	if (!rc)
		rc = store_mac_reseal(s, STORE_MAC_RECORD, row.rid, NULL, 0, e);
out:
	store_mstate_free(m);
	store_row_release(&row);
	return rc;
}

int store_rule_before(struct store *s, const struct schema_collection *c,
		      const struct store_row *l, struct id *was, int *has,
		      struct err *e)
{
	const struct schema_collection *pc = NULL;
	struct store_q *st;
	int rc = 0;

	*has = 0;
	if (!l->exists || !rule_aggregate_over(c, 0, &pc))
		return 0;
	st = store_q(s,
		     "SELECT parent, presidio_mac_ok(mac, 'record', "
		     STORE_MAC_COLS_RECORD ") FROM record WHERE rid = ?1",
		     "reading a record's parent");
	store_q_bind_int(st, 1, l->rid);
	if (store_q_row(st)) {
		if (!store_q_col_int(st, 1))
			rc = err_set(e, ERR_AUTH, "a '%s' record fails its "
				     "row MAC", c->name);
		else if (store_q_col_bytes(st, 0) == ID_BYTES) {
			memcpy(was->b, store_q_col_blob(st, 0), ID_BYTES);
			*has = 1;
		}
	}
	return store_q_done(st, rc, e);
}

int store_rule_after(struct store *s, const struct schema_collection *c,
		     const json_t *fields, const struct id *was,
		     struct err *e)
{
	const struct schema_collection *pc = NULL;
	struct id parent;
	int has, rc = 0;

	if (!rule_aggregate_over(c, 0, &pc))
		return 0;
	has = parent_id(c, fields, &parent);
	if (has)
		rc = recount(s, &parent, pc, e);
	if (!rc && was && (!has || id_cmp(was, &parent) != 0))
		rc = recount(s, was, pc, e);
	return rc;
}

/* ---- listing ---- */

int store_rule_conflicts(struct store *s, const struct id *id,
			 const struct schema_collection *c,
			 const struct merge_record *mr, store_conflict_fn fn,
			 void *ctx, struct err *e)
{
	json_t *fields = NULL;
	char why[256];
	int rc = 0;

	if (!c->naggregates || merge_deleted(mr))
		return 0;
	fields = merge_values(mr);
	if (!fields)
		return err_set(e, ERR_NOMEM, "out of memory");
	for (size_t i = 0; !rc && i < c->naggregates; i++) {
		const struct schema_aggregate *a = &c->aggregates[i];
		struct store_conflict out;
		struct rule_sum sum;

		rule_sum_init(&sum);
		rc = sum_children(s, a, schema_collection(a->child), id, NULL,
				  &sum, e);
		if (rc || !rule_sum_over(&sum, rule_cap(a, fields)))
			continue;
		rule_cap_reason(c, a, why, sizeof(why));
		memset(&out, 0, sizeof(out));
		out.record = *id;
		out.coll = c;
		out.kind = MERGE_CONFLICT_RULE;
		out.reason = why;
		out.form = MERGE_FORM_CAP;
		rc = fn(ctx, &out);
	}
	json_decref(fields);
	return rc;
}

void store_rule_reason(const struct schema_collection *c,
		       const struct merge_conflict *k, char *buf, size_t n)
{
	const struct schema_field *f =
		k->field ? schema_field_by_id(c, k->field) : NULL;
	const char *from = k->from ? k->from : "(none)";
	const char *to = k->to ? k->to : "(none)";

	if (!f) {
		snprintf(buf, n, "%s", k->reason ? k->reason : "");
		return;
	}
	if (k->reason && strcmp(k->reason, MERGE_RULE_MOVES) == 0)
		snprintf(buf, n, "field '%s': concurrent steps left '%s' and "
			 "'%s', and '%s' -> '%s' is not a declared transition",
			 f->name, from, to, from, to);
	else
		snprintf(buf, n, "field '%s': '%s' -> '%s' is not a declared "
			 "transition", f->name, from, to);
}
