/*
 * store_rule.h - the store's side of the rules over more than one record
 * (schema/rule.h): the writer's role, the current record and the children
 * a rule reads (loaded here and unsealed with the unlocked keys), and the
 * open cap conflicts a parent carries.  Internal to node/: the record
 * write path (store_record.c, store_conflict.c) calls it.
 *
 * - Procedure steps.  A local put or resolution is refused when it takes
 *   a step its field does not declare, or one the writer's role may not
 *   take, or one whose requirements do not hold (node/store_require.h,
 *   which also keeps invariants and quotas on local writes).  The hub
 *   judges a pushed change again (store_rule_check_incoming(), declared
 *   in store_ext.h for the registry): a declared step the pushing node's
 *   kind may not take or whose requirements fail on the hub's records,
 *   from any earlier value the change names, an earlier value of its own
 *   the hub neither holds nor refused, or a create naming one, is
 *   refused.  The role is what the store knows of the writer: "hub" on
 *   the hub, else the node's kind from its enrolment (SCOPE_KIND_*:
 *   "polo", "pda", "attuatore"); a node not enrolled has none, and takes
 *   only steps open to any writer.  (Operators carry no role of their own
 *   yet: a role per key slot would be the place for one.)  Steps that
 *   merge badly from other nodes are the merge's rule conflicts
 *   (merge.h); here they only get a message naming the field and both
 *   values.
 * - Caps (struct schema_aggregate).  A local write that raises the sum of
 *   a parent's children above its cap, or lowers the cap below the sum, is
 *   refused.  Received changes are never refused for it: after every
 *   write of a child or a parent (local or received), the parent's count
 *   of open conflicts (the record row's clear `conflicts` column, under
 *   its MAC) is recounted as the merge's conflicts plus one per cap its
 *   live children pass, and store_conflicts() lists each as a rule
 *   conflict of the parent, open until the sum is back within the cap (a
 *   reversal entry, or a new cap: both are ordinary writes).  A sum that
 *   does not fit a long long counts as passing the cap (schema/rule.h,
 *   struct rule_sum); only a local write is refused for it.  A local
 *   undelete of a child keeps the cap as a put does.
 *   A child moved to another parent, or deleted, recounts the parent it
 *   leaves as well.  The rows summed are checked under their MAC.
 *
 * Messages name collections, fields, roles and declared values, never a
 * sum, a cap or another value of a record.
 */
#ifndef PRESIDIO_STORE_RULE_H
#define PRESIDIO_STORE_RULE_H

#include "node/store_int.h"

/*
 * The role this store's own writes take steps with, into buf (at least
 * STORE_ROLE_TEXT_MAX bytes): *role points to buf, or is NULL when the
 * node is not enrolled.  0 or an error reading the enrolment.
 */
int store_rule_role(struct store *s, char *buf, const char **role,
		    struct err *e) ERR_MUST_USE;

/*
 * Before a local put of fields into record id of collection c (cur: its
 * current values, NULL for a new record): the steps of its procedure
 * fields (by this store's role) and the caps it is summed under or
 * declares.  0, or ERR_INVALID / ERR_CONFLICT as schema/rule.h says.
 */
int store_rule_check_put(struct store *s, const struct schema_collection *c,
			 const struct id *id, const json_t *cur,
			 const json_t *fields, struct err *e) ERR_MUST_USE;

/*
 * Before a local resolution writing values (one field) into record id
 * whose merge state is mr: a procedure field settles on one of its
 * frontier values or a declared step from one; caps as for a put.
 */
int store_rule_check_settle(struct store *s,
			    const struct schema_collection *c,
			    const struct id *id, const json_t *cur,
			    const struct merge_record *mr,
			    const json_t *values, struct err *e) ERR_MUST_USE;

/*
 * Before a local undelete of record id of c (fields: its values, kept
 * while it was deleted): it counts in its parent's sum again, so the cap
 * is kept as for a put of a new record.  0, or ERR_INVALID.
 */
int store_rule_check_undelete(struct store *s,
			      const struct schema_collection *c,
			      const struct id *id, const json_t *fields,
			      struct err *e) ERR_MUST_USE;

/* store_rule_check_incoming(), the hub's check of a pushed change, is
 * declared in node/store_ext.h: the registry calls it. */

/*
 * Before writing row l of record id (collection c), whose l->conflicts
 * holds the merge's count: add one for each cap of c its live children
 * pass (none while it is deleted).
 */
int store_rule_row(struct store *s, const struct id *id,
		   const struct schema_collection *c, struct store_row *l,
		   struct err *e) ERR_MUST_USE;

/*
 * Before writing row l of a record of c (l->exists: an update): the
 * parent its row names now, into *was (*has 0 when none, or when c is
 * summed under no parent), read under the row's MAC (ERR_AUTH when it
 * fails), so that store_rule_after() recounts the parent a child leaves.
 */
int store_rule_before(struct store *s, const struct schema_collection *c,
		      const struct store_row *l, struct id *was, int *has,
		      struct err *e) ERR_MUST_USE;

/*
 * After writing a record of c with values fields: when c is summed under
 * a parent (schema_aggregate), recount that parent's open conflicts and
 * rewrite its row's count (checked and re-authenticated) if it changed;
 * and the same for was (NULL: none), the parent it named before, when
 * it is another (a child moved away, or deleted, passes no cap there).
 */
int store_rule_after(struct store *s, const struct schema_collection *c,
		     const json_t *fields, const struct id *was,
		     struct err *e) ERR_MUST_USE;

/*
 * Report the open cap conflicts of record id (collection c, merge state
 * mr) to fn as rule conflicts, after the merge's.
 */
int store_rule_conflicts(struct store *s, const struct id *id,
			 const struct schema_collection *c,
			 const struct merge_record *mr, store_conflict_fn fn,
			 void *ctx, struct err *e) ERR_MUST_USE;

/* The message of merge rule conflict k of collection c into buf (n
 * bytes): a step of a procedure field names the field and both values;
 * any other keeps the rule's own reason. */
void store_rule_reason(const struct schema_collection *c,
		       const struct merge_conflict *k, char *buf, size_t n);

#endif
