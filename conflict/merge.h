/*
 * merge.h - per-record merge of changes: exact, convergent, lossless.
 *
 * Pure logic over one record in memory: no I/O, no SQLite, no clock.  The
 * store feeds it the record's changes (its own and received ones) and
 * reads back values, versions and open conflicts; the convergence
 * simulator (tests/conflict/test_merge_sim.c) feeds it random histories.
 *
 * The model.  A change stamps one version (hybrid-logical-clock time and
 * node id, struct merge_vid) on every field it writes, and carries the
 * versions its writer had: for a field it writes, the versions it
 * supersedes (one for an edit; every candidate for a resolution); for a
 * field it does not write, what it had seen (an edit names the deletion
 * marker it saw, a delete names every field it saw).  The deletion marker
 * is field 0 ("_deleted": true or false).
 *
 * The state of a record is a function of the SET of changes applied, not
 * of their order or repetition, which is what makes replicas converge:
 *   - a version is superseded when any applied change names it as
 *     superseded on its field (even if the superseded change itself arrives
 *     later, or never);
 *   - the frontier of a field is its applied writes not superseded;
 *   - the winner of a field is the frontier's greatest version (HLC, then
 *     node id), or for a SCHEMA_MERGE_MONOTONIC field the furthest state in
 *     procedure order (then version);
 *   - every other frontier write is an open conflict, unless its value
 *     equals the winner's (nothing to decide) or the field is monotonic
 *     (settled by the rule, kept in the history);
 *   - when the winner of field 0 is a delete, every frontier edit that
 *     neither saw the delete nor was seen by it is in a delete-vs-edit
 *     conflict: neither the delete nor the edit is lost until someone
 *     decides (a resolution that keeps the delete names the edits as seen;
 *     one that undeletes writes field 0 = false);
 *   - field 0 is a field like the others: a keep-deleted and an undelete
 *     made concurrently (or an undelete and a new delete) leave an open
 *     field conflict on it, deleted against not deleted, which a person
 *     settles with keep-deleted or undelete (merge_conflict_form());
 *   - a deleted record lists only conflicts about its deletion (delete-vs-
 *     edit and field 0): its other fields cannot be settled while it is
 *     deleted, their concurrent values stay in it and their conflicts come
 *     back if it is undeleted;
 *   - an authority field (SCHEMA_HUB_ONLY) written by a change that is not
 *     from the hub is rejected: not applied, reported back;
 *   - the collection's invariant, if it declares one, is checked on the
 *     winners: a violation is an open rule conflict for a person to decide;
 *   - a procedure field (one declaring transitions, schema/rule.h) is
 *     checked on its frontier: each write must take a declared step from
 *     a value it superseded (or, naming none, from no value; a resolution
 *     from any of the values it settles), and for a MONOTONIC field every
 *     other frontier value must be able to step to the winner (two nodes
 *     that moved the stage differently offline).  A step that fails is an
 *     open rule conflict on that field, settled by a resolution of the
 *     field; nothing is dropped.  Who took a step (its role) is judged
 *     where the writer's role is known: the local write (node/).
 * Applying a change twice, or an old change after a newer one, leaves the
 * state as it was.  Append-only collections only ever see creates.
 *
 * Fields and values of the next schema version (sync/README.md, "Schema
 * versions").  A change written by a newer schema version (newer_schema)
 * may write a field this build does not declare, or put in an ENUM field
 * a value it does not declare (schema_validate_received()).  Both are
 * kept and merged:
 *   - an undeclared field gets an id of its own in the record, from
 *     MERGE_UNKNOWN_FIRST up (a hash of its name, the next free one on a
 *     clash with another undeclared name of the record: stable for one
 *     record's replay, never a declared id), and the default per-field
 *     merge (the greatest version wins: a change always has a greater
 *     version than the writes it supersedes, so the winner is the newer
 *     build's unless that build settles the field by a rule); it has no
 *     open conflict here (this build cannot show or settle one: the
 *     newer build does), it is in merge_values() by its name, and a
 *     build that declares it replays the record with its declared rules;
 *   - in a MONOTONIC field, a value this build does not declare ranks
 *     above every value it declares (values are only ever appended to a
 *     procedure's order, schema.h), and two such values by byte order of
 *     their text (then version): replicas of both versions settle on the
 *     same value when at most one undeclared value is in play, or when the
 *     newer values were appended in byte order; otherwise they agree once
 *     the older one is upgraded;
 *   - a step from or to an undeclared value is not judged (the older
 *     build does not know the newer rules; the hub, which does, judges).
 */
#ifndef PRESIDIO_MERGE_H
#define PRESIDIO_MERGE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "common/id.h"
#include "schema/schema.h"

#define MERGE_HASHBYTES 32

/* A version everywhere: HLC timestamp and writing node.  Total order. */
struct merge_vid {
	uint64_t hlc;
	struct id node;
};

/* <0, 0, >0: by HLC, then node id. */
int merge_vid_cmp(const struct merge_vid *a, const struct merge_vid *b);

/* A version a change names: superseded on a field it writes, seen on a
 * field it does not. */
struct merge_prev {
	uint16_t field;
	struct merge_vid v;
};

/* One change to one record. */
struct merge_change {
	struct merge_vid v;            /* stamped on every field written */
	int from_hub;                  /* made by the hub (authority) */
	const json_t *values;          /* field name -> new value; the
					  deletion marker as "_deleted" */
	const struct merge_prev *prev; /* see above; any order */
	size_t nprev;
	int newer_schema;              /* written by a newer schema version:
					  fields and ENUM values this build
					  does not declare are kept (below),
					  else refused */
};

/* What merge_apply() did with a change. */
struct merge_result {
	size_t applied;   /* fields whose write is new here */
	size_t known;     /* fields whose write was already applied */
	size_t rejected;  /* fields refused (authority) */
	char reason[160]; /* why the first refused field was, "" if none */
};

/* Where one write stands in a record. */
enum merge_status {
	MERGE_UNKNOWN = 0,   /* never applied here */
	MERGE_WINNER,        /* the field's current value */
	MERGE_SUPERSEDED,    /* replaced by a change that saw it */
	MERGE_OPEN,          /* the other side of an open field conflict, or
				an edit in a delete-vs-edit conflict that is
				not its field's winner (a winner stays
				MERGE_WINNER) */
	MERGE_SETTLED,       /* concurrent, settled by a rule or an equal
				value: kept in the history */
	MERGE_REJECTED       /* refused (authority field) */
};

enum merge_conflict_kind {
	MERGE_CONFLICT_FIELD = 1, /* concurrent writes to one field */
	MERGE_CONFLICT_DELETE,    /* a delete concurrent with an edit */
	MERGE_CONFLICT_RULE       /* the collection's invariant fails */
};

/*
 * How a person settles an open conflict: the form `presidio conflicts`
 * shows next to it, and that merge_resolvable() admits wherever it is
 * listed.  Each form is a resolution (merge_prev_for() with resolve = 1)
 * that closes every conflict of its form on its field:
 *   FIELD   a value for the conflict's field: one of its candidates (pick)
 *           or a new one;
 *   DELETE  a value for the deletion marker: keep the record deleted
 *           (true) or undelete it (false); for a delete-vs-edit conflict
 *           and for a conflict on the deletion marker itself;
 *   RULE    a value for one of the fields the rule reads that satisfies it.
 * and one the store adds (node/store_rule.h), which no resolution settles:
 *   CAP     a parent's children passing its cap: ordinary writes, a
 *           reversal entry bringing the sum back within it or a higher cap.
 */
enum merge_form {
	MERGE_FORM_FIELD = 1,
	MERGE_FORM_DELETE,
	MERGE_FORM_RULE,
	MERGE_FORM_CAP
};

/* One open conflict.  Pointers are valid until the record changes. */
struct merge_conflict {
	enum merge_conflict_kind kind;
	uint16_t field;            /* FIELD, DELETE: the edited field */
	struct merge_vid winner;   /* FIELD: current value; DELETE: the
				      delete */
	struct merge_vid loser;    /* FIELD: the other candidate; DELETE: the
				      concurrent edit */
	const json_t *loser_value; /* FIELD, DELETE: the edit's value */
	const char *reason;        /* RULE: the invariant's message, or
				      MERGE_RULE_STEP / MERGE_RULE_MOVES */
	const char *from, *to;     /* RULE on a procedure field (field != 0):
				      the step's ends, constants of the
				      field's declaration (NULL: no value) */
};

/* Reasons of the rule conflicts on a procedure field. */
#define MERGE_RULE_STEP "a change took a step that is not declared"
#define MERGE_RULE_MOVES "concurrent steps merged into one not declared"

struct merge_record;

/* An empty record of collection c.  0 or ERR_NOMEM.  Free with
 * merge_record_free(). */
int merge_record_new(struct merge_record **out,
		     const struct schema_collection *c) ERR_MUST_USE;

/* Free r and every value it holds.  Accepts NULL. */
void merge_record_free(struct merge_record *r);

/* Ids of the fields a record holds that its collection does not declare. */
#define MERGE_UNKNOWN_FIRST 0x8000

/*
 * Apply change c.  Fields and ENUM values this build does not declare are
 * kept when c->newer_schema (see above; within schema_validate_received()'s
 * bounds), else ERR_INVALID like a malformed name or value (nothing
 * applied); authority refusals are not errors: they are counted
 * in res (which may be NULL) and the other fields are applied.  Values are
 * copied (json_deep_copy); c is not kept.
 */
int merge_apply(struct merge_record *r, const struct merge_change *c,
		struct merge_result *res, struct err *e) ERR_MUST_USE;

/* The id of field `name` in r: its declared id, the deletion marker's
 * (0), or the id r gave it as an undeclared field; -1 when r has no such
 * field. */
int merge_field_id(const struct merge_record *r, const char *name);

/* The ids r gave its undeclared fields, in the order they arrived: at
 * most max into out; returns how many there are. */
size_t merge_unknown_ids(const struct merge_record *r, uint16_t *out,
			 size_t max);

/* No change applied yet (a record only ever named, or a fresh one). */
int merge_is_empty(const struct merge_record *r);

/* The winners' values as a new JSON object (caller decrefs), without the
 * deletion marker; NULL when out of memory. */
json_t *merge_values(const struct merge_record *r);

/* The winner of field (0 = deletion marker): its version, and its value
 * (borrowed).  0 when the field has one, else ERR_NOTFOUND. */
int merge_winner(const struct merge_record *r, uint16_t field,
		 struct merge_vid *v, const json_t **value);

/* 1 when the deletion marker's winner is a delete. */
int merge_deleted(const struct merge_record *r);

/* Where the write of (field, v) stands here. */
enum merge_status merge_status_of(const struct merge_record *r,
				  uint16_t field,
				  const struct merge_vid *v);

/*
 * The open conflicts, in a canonical order (kind, field, loser).  Writes
 * at most max into out and returns how many there are in all.
 */
size_t merge_conflicts(const struct merge_record *r,
		       struct merge_conflict *out, size_t max);

/*
 * The values of field's frontier (the winner first, then the writes it
 * did not supersede, as merge_conflicts() sees them): what a resolution of
 * the field settles.  Borrowed, valid until the record changes.  Writes at
 * most max into out and returns how many there are.
 */
size_t merge_frontier(const struct merge_record *r, uint16_t field,
		      const json_t **out, size_t max);

/* The value the write of (field, v) put, when that write is applied here
 * (refused or not), else NULL.  Borrowed, valid until the record
 * changes: what a received change's step starts from. */
const json_t *merge_write_value(const struct merge_record *r, uint16_t field,
				const struct merge_vid *v);

/* The form that settles conflict c (see enum merge_form). */
enum merge_form merge_conflict_form(const struct merge_conflict *c);

/*
 * 1 when a resolution of field may be made on r now, else 0: of the
 * deletion marker (field 0: keep deleted or undelete) when the record is
 * deleted or its deletion marker is in an open conflict; of any other
 * field when the record is not deleted.  Every conflict merge_conflicts()
 * lists is admitted in its form: a deleted record lists no conflict of
 * its other fields (see merge_conflicts()).
 */
int merge_resolvable(const struct merge_record *r, uint16_t field);

/*
 * What a new local change must name as prev (merge_prev list, caller
 * frees *out with free()):
 *   - an edit of the fields in written (field ids): the current winner of
 *     each, and the winner of the deletion marker if any;
 *   - a resolution (resolve = 1) of those fields: every frontier write of
 *     each, and the deletion marker's winner;
 *   - a delete or undelete (written holds 0): every frontier write of
 *     every field, field 0 included, so that it has seen all and leaves
 *     no delete-vs-edit conflict behind.
 * Returns 0 or ERR_NOMEM.
 */
int merge_prev_for(const struct merge_record *r, const uint16_t *written,
		   size_t nwritten, int resolve, struct merge_prev **out,
		   size_t *nout) ERR_MUST_USE;

/*
 * A hash of the canonical state: winners (field, version, value), open
 * conflicts, the deletion state and rule conflicts.  Equal on every replica
 * that applied the same set of changes.
 */
void merge_hash(const struct merge_record *r, uint8_t out[MERGE_HASHBYTES]);

#endif
