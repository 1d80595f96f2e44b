/*
 * store_require.h - the store's side of what a local write must keep
 * beyond its own steps and caps (node/store_rule.h): the requirements of
 * the procedure steps it takes (struct schema_requirement), the
 * collection's invariant, and the quota of records per group (struct
 * schema_quota).  Internal to node/: store_rule.c calls it for puts,
 * resolutions, undeletes and the hub's check of pushed changes.
 *
 * - Requirements read the record after the write (SELF), its parent
 *   (PARENT, the record its parent field names), or the live records of
 *   a collection whose row's clear `parent` column names the record
 *   (CHILD) or its parent (SIBLING), each row checked under its MAC and
 *   opened with the unlocked keys.  A local write taking a step whose
 *   requirements do not hold is refused (ERR_CONFLICT, naming the step
 *   and the requirement's label); the hub refuses a pushed one the same
 *   way on its own data (store_rule_check_incoming()).  A change a node
 *   receives from the hub is never refused for them: the hub judged it.
 * - Invariants: in a collection that declares invariant_refuses, a local
 *   write whose values break the invariant while the current ones did
 *   not (or a new record breaking it) is refused, ERR_INVALID with the
 *   invariant's reason.  Received changes stay rule conflicts
 *   (conflict/merge.h), and so do local writes elsewhere.  An undelete
 *   changes no value, so it is never refused for one.
 * - Quotas: with a quota hook (store_set_quota_hook(), the hub's
 *   registry), a local write adding a record to a group that already
 *   holds its limit of live, counted records is refused (ERR_INVALID,
 *   naming the field and the quota's label).  Without a hook there is no
 *   limit.
 *
 * - The group reads: the walk below finds records by collection and
 *   parent through table kin (schema/migrations/0011), which holds a row
 *   for each record of a collection rules read as a group
 *   (rule_counted()) and none for the others, whose writes pay nothing.
 *
 * Messages name collections, fields, declared values and labels, never
 * another value of a record.
 */
#ifndef PRESIDIO_STORE_REQUIRE_H
#define PRESIDIO_STORE_REQUIRE_H

#include "node/store_int.h"

/* Called per live record of a walk: 0, ERR_STOP to end it, or an ERR_*. */
typedef int (*store_walk_fn)(void *ctx, const struct id *id,
			     const json_t *fields);

/*
 * The live records of collection c whose row names parent (NULL: every
 * one of c), but skip (NULL: none), each opened and passed to fn (fields
 * valid during the call only): the one walk of requirements, quotas and
 * caps (store_rule.c).  Every row selected is checked under its MAC
 * before its deletion flag is believed, so a flag planted on a live row
 * fails the walk (ERR_AUTH) instead of hiding it; the values are
 * authenticated by their box; a record whose collection or parent is not
 * its kin row's fails the walk too (ERR_AUTH), so a record moved to
 * another parent in the file fails where its index row points, and moving
 * both fails the MAC.  Not covered: a row deleted from the file, or its
 * kin row alone (it fails verify and the hub's pull, node/store_mac.c).  c must be a collection rules read as a group
 * (rule_counted()); another has no kin rows and no record is found.
 * ERR_STOP from fn ends the walk with 0.
 */
int store_require_walk(struct store *s, const struct schema_collection *c,
		       const struct id *parent, const struct id *skip,
		       store_walk_fn fn, void *ctx, struct err *e) ERR_MUST_USE;

/*
 * The collections of the schema in force that rules read as a group, and
 * on the hub every collection scoped by its parent, in s->kin (at open,
 * once the store's role is read).  ERR_INVALID when there are more than
 * STORE_KIN_MAX.
 */
int store_require_kin_init(struct store *s, struct err *e) ERR_MUST_USE;

/*
 * After an unlock: when the kin table was built for another set of
 * collections (checkpoint STORE_CK_KIN: a new store, a schema upgrade),
 * rebuild it from the records, in one transaction.
 */
int store_require_kin_sync(struct store *s, struct err *e) ERR_MUST_USE;

/*
 * verify's check of kin: every record of a collection in s->kin has its
 * row, with the record's collection and parent, and no row is without its
 * record.  The walk believes only the record's own (MAC'd) columns, so a
 * row deleted or planted hides or adds nothing there; but a rule's group
 * read (store_require_walk()) and the hub's backfill of a case entering a
 * scope find records through kin, and a deleted row would leave one
 * out.  *bad = the rows missing or wrong plus those without a record;
 * ERR_CORRUPT naming the table when any, 0 else.
 */
int store_require_kin_verify(struct store *s, uint64_t *bad,
			     struct err *e) ERR_MUST_USE;

/*
 * Keep record rid's row in kin, in the write's transaction: its
 * collection c and parent (NULL: none).  Nothing for a collection rules
 * do not read as a group.
 */
int store_require_kin_put(struct store *s, const struct schema_collection *c,
			  int64_t rid, const struct id *parent,
			  struct err *e) ERR_MUST_USE;

/*
 * Whether the requirements of step from -> to of procedure field f hold
 * for record id of c whose values after the write are after, by a writer
 * holding role (NULL: none): *held 1, or 0 with the refusal (naming the
 * step and the label) in why.  No declared step: held.  Returns 0 or an
 * ERR_* reading the records (e filled).
 */
int store_require_step(struct store *s, const struct schema_collection *c,
		       const struct id *id, const json_t *after,
		       const struct schema_field *f, const char *from,
		       const char *to, const char *role, int *held,
		       struct err *why, struct err *e) ERR_MUST_USE;

/*
 * A local put of fields over cur (NULL: a new record) by role: the
 * requirements of every step it takes.  0 or ERR_CONFLICT.
 */
int store_require_steps(struct store *s, const struct schema_collection *c,
			const struct id *id, const json_t *cur,
			const json_t *fields, const char *role,
			struct err *e) ERR_MUST_USE;

/*
 * A local resolution of procedure field f to `to` settling candidates
 * cand (rule_check_settle() passed): when to is none of them, the step
 * from one of them role may take must have its requirements hold.
 */
int store_require_settle(struct store *s, const struct schema_collection *c,
			 const struct id *id, const json_t *after,
			 const struct schema_field *f,
			 const json_t *const *cand, size_t ncand,
			 const json_t *to, const char *role,
			 struct err *e) ERR_MUST_USE;

/*
 * A local write (put, resolution; cur NULL for a new record or an
 * undelete) leaving values after: the invariant (not for an undelete:
 * undelete 1) and the quota.  0, or ERR_INVALID.
 */
int store_require_values(struct store *s, const struct schema_collection *c,
			 const struct id *id, const json_t *cur,
			 const json_t *after, int undelete,
			 struct err *e) ERR_MUST_USE;

/*
 * Whether requirement r of a step of record id of c holds on the values
 * after (the record as it would be after the step): *holds 1 or 0, the
 * way store_require_step() judges each (node/store_step.c lists those a
 * step still misses).  0 or an ERR_* reading the records.
 */
int store_require_one(struct store *s, const struct schema_collection *c,
		      const struct id *id, const json_t *after,
		      const struct schema_requirement *r, int *holds,
		      struct err *e) ERR_MUST_USE;

/*
 * Hub: the quota of c on a change pushed by a node of role (its kind),
 * judged on the hub's own records as a local write would be: a create,
 * an undelete, or a change of the quota's group or skip field adding the
 * record to a group at its limit is refused, and so is a change of the
 * group field of a record the hub holds by any role but the hub's (it
 * would spend another group's allocation).  why (n bytes) gets the
 * refusal, left alone when the change passes.  0 or an ERR_* of the
 * database.
 */
int store_require_incoming_quota(struct store *s,
				 const struct schema_collection *c,
				 const struct store_incoming *in,
				 const char *role, char *why, size_t n,
				 struct err *e) ERR_MUST_USE;

/* cur + fields as a new object into *out (caller decrefs). */
int store_require_merged(const json_t *cur, const json_t *fields,
			 json_t **out, struct err *e) ERR_MUST_USE;

#endif
