/*
 * rule.h - rules over more than one value, as pure logic: the steps a
 * procedure field may take (struct schema_transition) and what they
 * require of the records around them (struct schema_requirement), caps on
 * the sum of a field over a record's children (struct schema_aggregate),
 * a collection's invariant on a local write, and limits on records per
 * group (struct schema_quota), all declared in schema.h.
 *
 * No I/O and no allocation.  The store (node/store_rule.c) loads the
 * current record or the children, knows the writer's role and asks here
 * before a local write; the merge (conflict/merge_rule.c) asks which steps
 * concurrent changes took, so that a step nobody declared becomes a rule
 * conflict instead of a lost change.  Messages name collections, fields
 * (by name and label), roles and declared ENUM values (constants of the
 * declarations), never a value from a record, a sum or a cap; the
 * refusals of the domain rules are in Italian (the domain contract,
 * "Messages"), the self-check's stay English.
 */
#ifndef PRESIDIO_SCHEMA_RULE_H
#define PRESIDIO_SCHEMA_RULE_H

#include <jansson.h>
#include <stddef.h>

#include "common/err.h"
#include "schema/schema.h"

/* 1 when f declares transitions (a procedure field). */
int rule_is_procedure(const struct schema_field *f);

/* The declared value of f equal to v (a JSON string), as the constant of
 * f's declaration; NULL when v is none of them (NULL, null, other). */
const char *rule_value(const struct schema_field *f, const json_t *v);

/* The step of f from `from` to `to` (from NULL: no value yet), or NULL
 * when f declares no such step. */
const struct schema_transition *rule_transition(const struct schema_field *f,
						const char *from,
						const char *to);

/* 1 when a writer holding role (NULL: none known) may take t. */
int rule_role_ok(const struct schema_transition *t, const char *role);

/*
 * A local write of fields (a JSON object, already validated) over cur (the
 * record's values; NULL for a new record) by a writer holding role (NULL:
 * none known).  Every procedure field it gives a new value must take a
 * declared step, by a role the step allows.  0; ERR_INVALID naming the
 * field and both values when the step is not declared ("campo 'f' (label)
 * di 'c': il passo 'a' -> 'b' non e' previsto dalla procedura"; clearing
 * a procedure field never is); ERR_CONFLICT naming the roles that may
 * take it when the writer's role may not ("... il passo 'a' -> 'b' spetta
 * a: hub, pda; non a: polo"; a missing value is "(nessuno)").
 */
int rule_check_steps(const struct schema_collection *c, const json_t *cur,
		     const json_t *fields, const char *role,
		     struct err *e) ERR_MUST_USE;

/* One step of procedure field f of c, from -> to (declared values or
 * NULL), by role: errors as rule_check_steps(). */
int rule_check_step(const struct schema_collection *c,
		    const struct schema_field *f, const char *from,
		    const char *to, const char *role,
		    struct err *e) ERR_MUST_USE;

/*
 * A resolution of procedure field f to `to` that settles the values cand
 * (the field's open candidates, conflict/merge.h merge_frontier()): `to`
 * must be one of them or a declared step from one of them that role may
 * take.  Errors as rule_check_steps().  0 when f is not a procedure.
 */
int rule_check_settle(const struct schema_collection *c,
		      const struct schema_field *f, const json_t *const *cand,
		      size_t ncand, const json_t *to, const char *role,
		      struct err *e) ERR_MUST_USE;

/*
 * The i-th aggregate (from 0) that sums records of collection child, and
 * in *parent the collection declaring it (child's parent collection);
 * NULL past the last.  A collection with no parent is summed by none.
 */
const struct schema_aggregate *
rule_aggregate_over(const struct schema_collection *child, size_t i,
		    const struct schema_collection **parent);

/*
 * 1 when rules read the records of c as a group: the children an
 * aggregate sums, the records a CHILD or SIBLING requirement of any
 * collection looks in, the records c's quota counts.  The store finds
 * only those by parent or collection (node/store_require.h), so only
 * they pay for an index.
 */
int rule_counted(const struct schema_collection *c);

/* Add the value a sums of one child's fields to *total.  0, or
 * ERR_INVALID when the total would overflow. */
int rule_sum_add(const struct schema_aggregate *a, const json_t *child,
		 long long *total) ERR_MUST_USE;

/*
 * The sum of many children's values, taken in any order.  Positive and
 * negative values are added apart, each saturating, so whether the sum
 * fits a long long is the same whatever order the children are read in
 * (that order differs between replicas): a received child is never
 * refused for it, and a sum that does not fit counts as over the cap.
 */
struct rule_sum {
	long long pos;  /* the positive values, saturated at LLONG_MAX */
	long long neg;  /* the negative ones, saturated at LLONG_MIN */
	int overflow;   /* either part saturated */
};

/* An empty sum (cannot fail). */
void rule_sum_init(struct rule_sum *t);

/* Add the value a sums of one child's fields to t. */
void rule_sum_take(const struct schema_aggregate *a, const json_t *child,
		   struct rule_sum *t);

/* The total of t into *total: 0, or ERR_INVALID when it overflowed. */
int rule_sum_total(const struct rule_sum *t, long long *total) ERR_MUST_USE;

/* 1 when t passes cap, or overflowed. */
int rule_sum_over(const struct rule_sum *t, long long cap);

/* The cap a puts on a parent with values parent (NULL: not held). */
long long rule_cap(const struct schema_aggregate *a, const json_t *parent);

/* 1 when total passes the cap. */
int rule_over_cap(long long total, long long cap);

/*
 * A local write that moves the sum from `before` to `after` under cap: it
 * is refused (ERR_INVALID naming the fields and their labels: "campo 's'
 * (label) di 'child': la somma ... supererebbe il tetto") when it leaves
 * the sum above the cap and higher than it was, so that a reversal or a
 * smaller entry is taken even while the cap is passed (the way out of a
 * rule conflict).
 */
int rule_check_cap(const struct schema_collection *parent,
		   const struct schema_aggregate *a, long long before,
		   long long after, long long cap,
		   struct err *e) ERR_MUST_USE;

/* The reason of an open cap conflict on a parent: names the fields (name
 * and label) and the child collection, in Italian, into buf (n bytes). */
void rule_cap_reason(const struct schema_collection *parent,
		     const struct schema_aggregate *a, char *buf, size_t n);

/* ---- requirements of steps (struct schema_requirement) ---- */

/* 1 when r applies to a writer holding role (NULL: none known): r names
 * no roles, or role is one of them. */
int rule_requirement_applies(const struct schema_requirement *r,
			     const char *role);

/* The collection whose records r reads, from a record of c: c itself
 * (SELF), c's parent collection (PARENT), r->collection (CHILD,
 * SIBLING); NULL when the declaration reaches none. */
const struct schema_collection *
rule_requirement_target(const struct schema_collection *c,
			const struct schema_requirement *r);

/*
 * 1 when rec, the values of one record r's link reaches (NULL: none
 * held), meets r: its field set (values NULL) or holding one of values
 * (a list: one of its items), and r->unset unset.  A CHILD or SIBLING
 * requirement holds when one live record of r->collection meets it.
 */
int rule_requirement_met(const struct schema_requirement *r,
			 const json_t *rec);

/* Whether requirement r of the step being judged holds: *holds 1 or 0;
 * 0 or an ERR_* of whoever loads the records (the store). */
typedef int (*rule_requirement_fn)(void *ctx,
				   const struct schema_requirement *r,
				   int *holds, struct err *e);

/*
 * The requirements of step t of procedure field f of c (from -> to) that
 * apply to role, asked of fn in declaration order.  0 when each holds;
 * ERR_CONFLICT naming the step and the first failing requirement's label
 * ("campo 'f' (label) di 'c': il passo 'a' -> 'b' richiede: label"); or
 * fn's error.
 */
int rule_check_requires(const struct schema_collection *c,
			const struct schema_field *f,
			const struct schema_transition *t, const char *role,
			rule_requirement_fn fn, void *ctx,
			struct err *e) ERR_MUST_USE;

/* ---- invariants and quotas on local writes ---- */

/*
 * A local write leaving record values after (cur: the values before it,
 * NULL for a new record) must not break c's invariant, when c declares
 * invariant_refuses, unless cur broke it already (a record in an
 * invariant's rule conflict can be put right one field at a time).  0,
 * or ERR_INVALID with the invariant's reason.
 */
int rule_check_invariant(const struct schema_collection *c,
			 const json_t *cur, const json_t *after,
			 struct err *e) ERR_MUST_USE;

/* 1 when the record with values rec counts in quota q: its group field
 * is a string (into *group, borrowed from rec) and its skip field is not
 * one of the skip values. */
int rule_quota_counts(const struct schema_quota *q, const json_t *rec,
		      const char **group);

/* A local write that adds a record to a group of c's quota holding used
 * others, under limit: ERR_INVALID naming the field (name and label) and
 * the quota's label ("... raggiunto il limite di label") when used
 * already reaches limit, else 0. */
int rule_check_quota(const struct schema_collection *c, long long used,
		     long long limit, struct err *e) ERR_MUST_USE;

/*
 * Self-check of c's declarations (schema_check()): transitions only on
 * ENUM fields, between declared values, each step once, roles well-formed
 * names; an aggregate's child a collection whose parent is c, its sum field
 * and c's cap field INT; requirements reaching a declared collection
 * (CHILD: one whose parent is c, SIBLING: one whose parent is c's
 * parent), naming fields it declares, values declared when the field is
 * an ENUM, a label; a quota's group and skip fields declared (skip values
 * declared when skip is an ENUM) and a label.  0 or ERR_FAIL with the
 * problem in e.
 */
int rule_check_decl(const struct schema_collection *c,
		    struct err *e) ERR_MUST_USE;

#endif
