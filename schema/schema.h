/*
 * schema.h - the collections a node stores, their fields and the rules the
 * merge applies to them.
 *
 * This is the bottom layer: plain declarations (schema/collections.c and
 * the schema/coll_*.c files it assembles) plus the validation of incoming
 * field values.  The declarations a process
 * knows are the product's (schema/collections.c) unless it registers
 * others at start-up (schema_register(): the tests add their own
 * collections that way, so that they never ship).  Rules over more than one
 * value (procedure transitions, aggregate caps) are declared here and
 * evaluated by schema/rule.h.  It does no I/O and knows nothing
 * of SQLite, encryption or sync.  Each collection and field carries a stable
 * numeric id: ids are what the store and the wire use, so a field may be
 * renamed but its id is never reused.  Field id 0 is reserved for the
 * record's deletion marker (SCHEMA_FIELD_DELETED), which the merge treats as
 * one more field so that a delete concurrent with an edit is a conflict and
 * not a silent loss.
 *
 * The SQL the store runs lives next to this file, in schema/migrations/.
 */
#ifndef PRESIDIO_SCHEMA_H
#define PRESIDIO_SCHEMA_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

#define SCHEMA_FIELD_DELETED 0       /* pseudo-field: the delete marker */
#define SCHEMA_FIELD_DELETED_NAME "_deleted"
#define SCHEMA_NAME_MAX 48           /* buffer for a name: names have 1
					to SCHEMA_NAME_MAX - 1 chars */

enum schema_type {
	SCHEMA_STRING = 1,  /* short text (names, codes), at most 1 KiB */
	SCHEMA_TEXT,        /* free text (notes), at most 64 KiB */
	SCHEMA_INT,         /* JSON integer */
	SCHEMA_NUMBER,      /* JSON integer or real */
	SCHEMA_BOOL,        /* true / false */
	SCHEMA_DATE,        /* "YYYY-MM-DD", a real calendar date */
	SCHEMA_DATETIME,    /* "YYYY-MM-DDTHH:MM:SS[.f]Z" (UTC), 1 to 9
			       fraction digits */
	SCHEMA_STRING_LIST, /* array of short strings, at most 64 */
	SCHEMA_ENUM,        /* one of field->values */
	SCHEMA_REF,         /* id (UUID text) of a record of field->ref */
	SCHEMA_ENUM_SET     /* array of distinct field->values, at most 64
			       (the same bound as a STRING_LIST), stored
			       in declaration order (schema/enumset.h) */
};

enum schema_field_flag {
	SCHEMA_REQUIRED = 1 << 0, /* must be present and non-null on create */
	SCHEMA_PERSONAL = 1 << 1, /* personal data (all values are sealed
				     anyway; this marks what reports and
				     exports must leave out) */
	SCHEMA_HUB_ONLY = 1 << 2, /* authority field: only the hub writes it
				     (eligibility, dote); enforced by merge */
	SCHEMA_FIXED = 1 << 3     /* set when the record is created, never
				     changed afterwards: a local write is
				     refused and so is a pushed change
				     (node/store_check.c).  Required of the
				     parent field of a collection that is
				     itself a parent (plan, dote): its
				     children's entries would not follow it
				     to another case's holders (sync/README.md,
				     "Scopes") */
};

/* How the merge settles concurrent writes to one field (conflict/). */
enum schema_merge {
	SCHEMA_MERGE_FIELD = 0,  /* deterministic winner, loser kept as an
				    open conflict */
	SCHEMA_MERGE_MONOTONIC   /* ENUM in procedure order: the furthest
				    legal value wins; going back is an
				    explicit transition */
};

enum schema_kind {
	SCHEMA_RECORDS = 0,    /* ordinary records, edited over time */
	SCHEMA_APPEND_ONLY     /* entries written once (notes, events,
				  ledger): never updated, never conflict */
};

/*
 * One step of a procedure field (an ENUM that declares transitions): the
 * field may go from `from` to `to`, taken by a writer holding one of
 * `roles`.  A field that declares transitions may take no other step: a
 * local write is refused, and a received change that takes one (or
 * concurrent offline steps that merge into one) is a rule conflict for a
 * person (conflict/merge.h).  Roles are plain strings; the store says which
 * a writer holds (node/store_rule.c: "hub" on the hub, else the node's
 * kind from its enrolment, "polo", "pda", "attuatore").
 */
struct schema_transition {
	const char *from;          /* a declared value, or NULL: the field has
				      no value yet (a new record) */
	const char *to;            /* a declared value */
	const char *const *roles;  /* who may take it, NULL-terminated; NULL:
				      any writer */
	/* What must hold of the records around it for the step to be
	 * taken (struct schema_requirement), or NULL: nothing. */
	const struct schema_requirement *requires;
	size_t nrequires;
};

/* Which record a requirement reads, from the record taking the step. */
enum schema_link {
	SCHEMA_LINK_SELF = 0, /* the record itself, after the write */
	SCHEMA_LINK_PARENT,   /* its parent (the record its `parent` names) */
	SCHEMA_LINK_CHILD,    /* a live record of `collection` whose parent
				 is this record */
	SCHEMA_LINK_SIBLING   /* a live record of `collection` whose parent
				 is this record's parent */
};

/*
 * A condition a step needs (schema_transition.requires): the record the
 * link reaches has `field` set (values NULL) or holding one of values
 * (an ENUM_SET / list: one of its items); for CHILD and SIBLING, one live
 * record of `collection` must (field NULL: any live one exists), and
 * `unset`, when named, must be unset on that record (a consent not
 * revoked).  `roles` limits the requirement to writers holding one of
 * them (NULL: every writer), so that one step can ask more of a PdA than
 * of the hub.  A local write taking the step is refused when it does not
 * hold (ERR_CONFLICT, naming the step and `label`), and so is a change a
 * node pushes to the hub; a change a node receives never is
 * (node/store_require.h).
 */
struct schema_requirement {
	enum schema_link link;
	const char *collection;   /* CHILD, SIBLING: the collection looked
				     in (its parent field names this record
				     or this record's parent); SELF, PARENT:
				     NULL */
	const char *field;        /* the field tested; NULL only for CHILD
				     and SIBLING (a live record exists) */
	const char *const *values; /* NULL-terminated, or NULL: set */
	const char *unset;        /* a field that must be unset, or NULL */
	const char *const *roles; /* NULL-terminated, or NULL: every writer */
	const char *label;        /* what is required, in Italian (quoted
				     by refusals) */
};

/*
 * A limit on how many live records of a collection share one value of
 * `group` (dotes per partner): the records whose `skip` field is one of
 * skip_values (revoked) are not counted.  The limit of each group is not
 * declared: the store learns it from a hook (node/store_ext.h,
 * store_set_quota_hook(); on the hub the registry's allocation), and
 * without one there is none.  A local write that adds a record to a
 * group already at its limit is refused (node/store_require.h); changes
 * received never are.
 */
struct schema_quota_default {
	const char *group;  /* a declared value of the quota's group field */
	long long allocated; /* its limit, >= 0 */
};

struct schema_quota {
	const char *group;              /* the field grouping (ENUM, STRING) */
	const char *skip;               /* a field, or NULL: count all */
	const char *const *skip_values; /* NULL-terminated values of skip */
	const char *label;              /* what is counted, in Italian */
	/* The programme's limits to start from (the hub writes them once,
	 * registry/registry_alloc.c; then they are its configuration),
	 * or NULL: every group starts at 0. */
	const struct schema_quota_default *defaults;
	size_t ndefaults;
};

/*
 * A cap on the children of a record: the sum of the INT field `sum` over
 * the live records of collection `child` whose parent field (the child's
 * declared `parent`) names the record stays within the record's INT field
 * `cap_field` when set, else the constant `cap`.  Declared on the parent
 * collection (a dote caps its ledger entries).  A local write that would
 * raise the sum above the cap is refused; children merged from offline
 * nodes that together pass it are all kept and the parent carries an open
 * rule conflict until the sum is back within the cap (a reversal entry, a
 * new cap) - node/store_rule.c.
 */
struct schema_aggregate {
	const char *child;     /* collection summed; its parent names this */
	const char *sum;       /* INT field of child summed (unset: 0) */
	const char *cap_field; /* INT field of this collection, or NULL */
	long long cap;         /* the cap when cap_field is NULL or unset */
	const char *doc;       /* one line: what the cap is */
};

/*
 * Who may read and write a field inside a node: each field belongs to one
 * group, and schema/access.h says which operator roles read and write each
 * group.  Access is each program's own policy, enforced by its store on
 * every read and write through the API, not part of the contract between
 * nodes (like labels, groups are not in the schema fingerprint).
 */
enum schema_group {
	SCHEMA_GROUP_GENERAL = 0, /* dati generali: every role */
	SCHEMA_GROUP_INTERVIEW,   /* colloqui: notes of interviews, services,
				     plans, follow-ups */
	SCHEMA_GROUP_HEALTH,      /* sanitario: health and psychological data */
	SCHEMA_GROUP_RESTRICTED,  /* riservato: legal position, the facts of
				     exploitation */
	SCHEMA_GROUPS
};

/*
 * Labels and help are what a person reads (Italian, for the forms, the
 * web UI and `presidio schema`); they are not part of the contract
 * between nodes: changing their text changes no store and no fingerprint
 * (sync/hub.c hashes names, ids, types, flags, merge rules and values).
 */
struct schema_field {
	const char *name;           /* JSON key, [a-z0-9_], unique */
	uint16_t id;                /* stable id, >= 1, unique in collection */
	enum schema_type type;
	unsigned flags;             /* enum schema_field_flag bits */
	enum schema_merge merge;
	const char *const *values;  /* ENUM, ENUM_SET: allowed values,
				       NULL-terminated, in procedure order for
				       MONOTONIC; only ever appended to */
	const char *ref;            /* REF: target collection name */
	const char *doc;            /* developer's note (English), one line */
	const char *label;          /* Italian name shown to people */
	const char *help;           /* Italian, one or two sentences for the
				       form */
	/* ENUM, ENUM_SET: the Italian label of each value, parallel to
	 * values (same count, NULL-terminated). */
	const char *const *value_labels;
	/* ENUM: the steps it may take (struct schema_transition), or NULL
	 * (none declared: any value may follow any). */
	const struct schema_transition *transitions;
	size_t ntransitions;
	enum schema_group group;    /* who reads and writes it (default:
				       general) */
};

/*
 * The fields that identify a person, for search and the duplicate check
 * (node/store_search.h): names of fields of the collection declaring it
 * (STRING unless said; NULL: not held).  The store learns from here
 * which collection it indexes and what each field is, so that it never
 * names one itself.
 */
struct schema_search {
	const char *given;       /* given name */
	const char *family;      /* family name */
	const char *others;      /* STRING_LIST: other names, variants */
	const char *birth_date;  /* DATE */
	const char *nationality; /* two-letter code */
	const char *tax_code;    /* a code that identifies on its own */
	const char *merged_into; /* REF to the same collection: merged */
};

/*
 * How long a scope root's records (a case and all under it) are kept once
 * its work ended (view/view_retention.h): `years` after the DATE field
 * `ends`, or after the programme's end when that is later (both may be
 * set in the configuration).  The unit that goes is a person, erased by
 * key destruction (node/store_erase.h), once every case about the person
 * is due; a case not ended keeps its person.
 */
struct schema_retention {
	const char *ends;  /* DATE field: when the case's work ended */
	unsigned years;    /* years kept after it, unless configured */
	const char *label; /* Italian: the rule, as people read it */
};

struct schema_collection {
	const char *name;           /* [a-z0-9_]+, unique */
	uint16_t id;                /* stable id, >= 1 */
	enum schema_kind kind;
	const char *parent;         /* name of a REF field whose target this
				       record follows for scope (a service
				       follows its case), or NULL for a root */
	/* Scope (who sees the record; sync/, conflict/scope.h).  A scope
	 * root (a case) names the field holding its region and the field
	 * listing the nodes it is assigned to, and may name a REF field
	 * whose target follows it too (the case's person).  A record with
	 * a parent follows its parent; any other collection is shared by
	 * every node, except one named as a root's subject, which follows
	 * the roots that name it. */
	const char *scope_region;
	const char *scope_nodes;
	const char *scope_subject;
	const struct schema_field *fields;
	size_t nfields;
	const char *doc;            /* developer's note (English) */
	const char *label;          /* Italian name shown to people */
	const char *help;           /* Italian, one or two sentences */
	/* Optional rule on a record's current values, checked after every
	 * merge (conflict/merge.h): NULL when they hold, else a short
	 * constant reason naming fields, never values.  A violation is a
	 * rule conflict for a person to decide, never a dropped change. */
	const char *(*invariant)(const json_t *fields);
	/* 1: a local write whose values break the invariant while the
	 * current ones did not (or a new record breaking it) is refused
	 * (node/store_require.h) instead of becoming a rule conflict;
	 * received changes stay rule conflicts either way.  0 (default):
	 * local writes are judged like received ones. */
	int invariant_refuses;
	/* Caps on the sum of a field of this record's children. */
	const struct schema_aggregate *aggregates;
	size_t naggregates;
	/* A limit on live records per value of a field, or NULL. */
	const struct schema_quota *quota;
	/* The collection of persons found by name (at most one), or NULL. */
	const struct schema_search *search;
	/* How long a root's records are kept once ended, or NULL: until the
	 * person asks to be erased. */
	const struct schema_retention *retention;
};

/* The first scope root that declares retention, or NULL. */
const struct schema_collection *schema_retention_collection(void);

/* The collection that declares search (struct schema_search), or NULL. */
const struct schema_collection *schema_search_collection(void);

/* The first collection that declares a quota (struct schema_quota: the
 * one `presidio hub allocation` shows), or NULL. */
const struct schema_collection *schema_quota_collection(void);

/* How a collection's records are scoped (see struct schema_collection). */
enum schema_scope {
	SCHEMA_SCOPE_SHARED = 0, /* every node */
	SCHEMA_SCOPE_ROOT,       /* a case: region and assigned nodes */
	SCHEMA_SCOPE_PARENT,     /* follows its parent */
	SCHEMA_SCOPE_SUBJECT     /* follows the roots that name it */
};

enum schema_scope schema_scope_of(const struct schema_collection *c);

/* The collection whose scope c follows, or NULL for a root (or when the
 * parent field is broken, which schema_check() reports). */
const struct schema_collection *
schema_parent_of(const struct schema_collection *c);

/* The top of c's parent chain (c itself when it has no parent); NULL when
 * the chain is broken. */
const struct schema_collection *
schema_scope_root(const struct schema_collection *c);

/* Number of declared collections and the i-th one (0 <= i < count). */
size_t schema_count(void);
const struct schema_collection *schema_at(size_t i);

/* A table of collections declared together (one file of declarations). */
struct schema_set {
	const struct schema_collection *colls;
	size_t n;
};

#define SCHEMA_SETS_MAX 4

/* The product's collections (schema/collections.c). */
extern const struct schema_set schema_product;

/*
 * Schema versions.  The product's declarations carry a version number
 * (schema/collections.c), raised whenever a release adds collections,
 * fields or ENUM values; 1 is the landed release (person, case, service).
 * A hub and a node whose versions are equal must run the same
 * declarations (their fingerprints match); a node may also run the
 * version just below the hub's and keep syncing (sync/README.md, "Schema
 * versions").  What a newer version may change, so that the older one
 * can carry its values untouched: add collections, add fields (new ids),
 * and append values to an ENUM.  Values are only ever APPENDED to an
 * ENUM, never inserted or reordered: for a MONOTONIC field a value an
 * older node does not know therefore comes after every value it knows in
 * procedure order, which is how it ranks one (conflict/merge.h).
 */
int schema_version(void);

/*
 * The version of the declarations in force: schema_version() unless a
 * program that registers other declarations (schema_register()) said
 * otherwise with schema_set_version() (the tests' "next" schema, one
 * version ahead of the product).  Called once at start-up, like
 * schema_register().  v >= 1.
 */
int schema_running_version(void);
void schema_set_version(int v);

/*
 * The declarations of the version just below the running one, as that
 * version was released (sets borrowed, like schema_register()'s), for a
 * program that runs a version ahead of the product's (the tests' next
 * schema: the product's and the tests' own): a hub serves a node of that
 * version only with their fingerprint (sync/hub.c, the released
 * fingerprints).  Called once at start-up; none by default.
 */
void schema_set_previous(const struct schema_set *sets, size_t n);
const struct schema_set *schema_previous(size_t *n); /* NULL: none */

/*
 * Make sets (1 to SCHEMA_SETS_MAX tables, copied; the tables themselves
 * are borrowed and must outlive every lookup) the collections this process
 * knows, in place of the product's, after schema_check() accepts them
 * together; on failure nothing changes.  Called once at start-up, before
 * any lookup and any thread: the lookups read without locking.  A program
 * that never calls it knows schema_product only.  0, ERR_INVALID (no set,
 * too many) or ERR_FAIL with the declaration problem in e.
 */
int schema_register(const struct schema_set *sets, size_t nsets,
		    struct err *e) ERR_MUST_USE;

/*
 * 1 when name is 1 to SCHEMA_NAME_MAX - 1 characters of [a-z0-9_]: the
 * shape of every collection and field name, and the only strings from
 * input that messages may quote (anything else may be personal data in
 * the wrong place).
 */
int schema_name_ok(const char *name);

/* Look a collection up by name or id; NULL when unknown. */
const struct schema_collection *schema_collection(const char *name);
const struct schema_collection *schema_collection_by_id(uint16_t id);

/* f's Italian label, or its name when it has none (test collections):
 * what a message names the field by after its name. */
const char *schema_field_label(const struct schema_field *f);

/* 1 when c declares a personal field (SCHEMA_PERSONAL): reading its
 * records is a reading of a person's data (node/store_audit.h). */
int schema_personal(const struct schema_collection *c);

/* Look a field up by name or id; NULL when unknown.  Never returns the
 * deletion pseudo-field. */
const struct schema_field *schema_field(const struct schema_collection *c,
					const char *name);
const struct schema_field *schema_field_by_id(const struct schema_collection *c,
					      uint16_t id);

/*
 * Check a JSON object of field values against collection c.
 * - fields must be a JSON object; every key a declared field; keys that
 *   start with '_' are reserved (SCHEMA_FIELD_DELETED_NAME) and refused;
 * - a value is JSON null (clear the field) or matches the field's type
 *   (sizes in enum schema_type; a REF is a non-zero id; an ENUM_SET holds
 *   declared values, none twice; strings holding a NUL byte are refused);
 *   null is refused for REQUIRED fields;
 * - when creating, every REQUIRED field is present and non-null.
 * Returns 0, or ERR_INVALID with a message naming the field (never the
 * value, which may be personal data, nor a key that is not a well-formed
 * name).  c NULL is refused as an unknown collection.
 */
int schema_validate(const struct schema_collection *c, const json_t *fields,
		    int creating, struct err *e) ERR_MUST_USE;

/*
 * The same check for a change received from another node, which may run
 * the next schema version (sync/README.md, "Schema versions"): a field
 * this process does not declare (a well-formed name not starting with
 * '_') is kept as opaque JSON within the bounds of schema_opaque_ok(); a
 * string in an ENUM field that is not one of its values is kept too (a
 * value appended by the next version) within a STRING's bounds, and so is
 * such an item of an ENUM_SET (the set still at most 64 items, none
 * twice).  Every
 * declared field is checked as schema_validate() does otherwise: types,
 * sizes, required fields of a create.  Local writes stay with
 * schema_validate() (an operator cannot type what this build does not
 * declare); a hub, which runs the newest version, checks with it too.
 */
int schema_validate_received(const struct schema_collection *c,
			     const json_t *fields, int creating,
			     struct err *e) ERR_MUST_USE;

/*
 * 1 when v can be kept as the value of a field this process does not
 * declare: null, a boolean, a number, a string of at most 64 KiB (a
 * TEXT), or an array of at most 64 such scalars whose strings are at most
 * 1 KiB (a list); no NUL in any string, no nested object or array.
 */
int schema_opaque_ok(const json_t *v);

/* 1 when v is a string an ENUM field f does not declare (null is not).
 * The merge ranks such a value (conflict/merge.h); an ENUM_SET's unknown
 * items need no ranking (schema/enumset.h orders them). */
int schema_enum_unknown(const struct schema_field *f, const json_t *v);

/*
 * Self-check of the declarations: well-formed unique names and ids (field
 * ids >= 1), at most 255 fields, known flags, a label and a help text on every
 * collection and field, ENUM and ENUM_SET values present and distinct with
 * one label each (value_labels as long as values), MONOTONIC only on
 * ENUM, REF targets exist, parent names a REQUIRED REF field and parents
 * do not loop; transitions only on ENUM fields, between declared values,
 * each declared once; an aggregate's child is a collection whose parent
 * is this one, its sum and cap fields are INT; a requirement's link
 * reaches a collection (CHILD: one whose parent is this one, SIBLING: one
 * whose parent is this one's parent), its fields exist, its values are
 * declared when the field is an ENUM, and it has a label; a quota's
 * fields exist.  Run by the tests and at start-up.
 * Returns 0 or ERR_FAIL with the first problem in e.
 */
int schema_check(struct err *e) ERR_MUST_USE;

#endif
