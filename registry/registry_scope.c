/*
 * registry_scope.c - the hub's scope index: which node sees which case, the
 * moments that changed, and the log as one node may see it.
 *
 * Every write of a scope root (a case) on the hub goes through
 * registry_scope_note() (from store_row_write(), in the same transaction): it
 * keeps the case's region, assigned nodes, subject and creator in
 * scope_case, asks conflict/scope.h which peers see it, and when that
 * changes for a peer records a scope_event at the sequence number of the
 * change that caused it.  A pull (registry_scope_log()) walks the entries in
 * the peer's current scope and these events in log order: an entering
 * case brings its whole earlier history along, a leaving one becomes a
 * purge on the node (that walk: registry/registry_scope_log.c).  Because both
 * come in order with the entries, the node's pull cursor stays a single
 * number.
 *
 * Records with a parent follow it up to their case: one level (a
 * service its case) or two (a plan's goal its plan, then the plan's case;
 * a dote's ledger entry its dote).  Deeper chains are not declared.  A subject (the case's person)
 * is seen through any case that names it, or by its creator while no
 * case does (its events: registry/registry_subject.c).
 */
#include "registry/registry_int.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "common/jtext.h"
#include "conflict/scope.h"

enum schema_scope registry_scope_class(const struct schema_collection *c)
{
	enum schema_scope sc = schema_scope_of(c);

	/* A chain that does not end at a case is seen by every node. */
	if (sc == SCHEMA_SCOPE_PARENT &&
	    schema_scope_of(schema_scope_root(c)) != SCHEMA_SCOPE_ROOT)
		return SCHEMA_SCOPE_SHARED;
	return sc;
}

void registry_scope_coll_list(enum schema_scope cls, char *out, size_t n)
{
	size_t o = 0;

	o += (size_t)snprintf(out + o, n - o, "(0");
	for (size_t i = 0; i < schema_count() && o < n; i++) {
		const struct schema_collection *c = schema_at(i);

		if (registry_scope_class(c) == cls)
			o += (size_t)snprintf(out + o, n - o, ",%u",
					      (unsigned)c->id);
	}
	if (o < n)
		snprintf(out + o, n - o, ")");
}

/* The intermediate record (a plan or dote between a goal or ledger entry
 * and its case) passes its row MAC: its parent column decides the scope,
 * so a planted one must not widen it (node/store_mac.c).  It is checked
 * once its parent is known to be a case of the peer's: a pull reads every
 * entry after the node's cursor, most of them out of its scope, and a MAC
 * for each would be most of the pull's cost. */
#define G_ROW_OK                                                               \
	"presidio_mac_ok(g.mac, 'record', g.id, g.coll, g.parent, g.deleted, " \
	"g.vers, g.conflicts)"

/*
 * The WHERE condition "record r is in peer ?2's scope" (node.idx of the
 * peer in ?3, -1 when not enrolled), into out.  "+r.coll": the queries
 * it goes in walk the change log by number (a page of a pull), and an
 * index on the collection (record_coll) must not tempt the planner into
 * reading every record of a collection and sorting them instead.
 */
void registry_scope_condition(char *out, size_t n)
{
	char shared[128], roots[128], children[128], subjects[128];

	registry_scope_coll_list(SCHEMA_SCOPE_SHARED, shared,
				 sizeof(shared));
	registry_scope_coll_list(SCHEMA_SCOPE_ROOT, roots, sizeof(roots));
	registry_scope_coll_list(SCHEMA_SCOPE_PARENT, children,
				 sizeof(children));
	registry_scope_coll_list(SCHEMA_SCOPE_SUBJECT, subjects,
				 sizeof(subjects));
	snprintf(out, n,
		 "(+r.coll IN %s OR (+r.coll IN %s AND EXISTS (SELECT 1 FROM "
		 "scope_member m WHERE m.peer = ?2 AND m.case_id = r.id)) OR "
		 "(+r.coll IN %s AND (EXISTS (SELECT 1 FROM scope_member m "
		 "WHERE m.peer = ?2 AND m.case_id = r.parent) OR EXISTS "
		 "(SELECT 1 FROM scope_member m WHERE m.peer = ?2 AND "
		 "m.case_id = (SELECT g.parent FROM record g WHERE g.id = "
		 "r.parent) AND (SELECT " G_ROW_OK " FROM record g WHERE "
		 "g.id = r.parent)))) OR "
		 "(+r.coll IN "
		 "%s AND (EXISTS (SELECT 1 FROM scope_case sc JOIN "
		 "scope_member m ON m.case_id = sc.id AND m.peer = ?2 WHERE "
		 "sc.person = r.id) OR (NOT EXISTS (SELECT 1 FROM scope_case "
		 "sc WHERE sc.person = r.id) AND (SELECT origin FROM change "
		 "WHERE rid = r.rid ORDER BY seq LIMIT 1) = ?3))))",
		 shared, roots, children, subjects);
}

/* node.idx of an enrolled peer, -1 otherwise. */
int registry_scope_peer_node(struct store *s, const struct registry_peer *p,
			     int64_t *idx, struct err *e)
{
	*idx = -1;
	if (!p->enrolled)
		return 0;
	return store_node_ensure(s, &p->node_id, idx, e);
}

/* ---- keeping the index ---- */

struct scope_row {
	int exists;
	char *region;
	char *nodes; /* JSON text */
	int64_t creator;
	int has_person;
	struct id person; /* its subject, when has_person */
};

static void scope_row_release(struct scope_row *r)
{
	free(r->region);
	free(r->nodes);
	memset(r, 0, sizeof(*r));
}

static char *dup_col(struct store_q *st, int col)
{
	const char *t = store_q_col_text(st, col);

	return t ? strdup(t) : NULL;
}

static int scope_row_load(struct store *s, const struct id *id,
			  struct scope_row *r, struct err *e)
{
	struct store_q *st = store_q(s,
				     "SELECT region, nodes, creator, "
				     "presidio_mac_ok(mac, 'scope_case', "
				     STORE_MAC_COLS_SCOPE_CASE "), person "
				     "FROM scope_case WHERE id = ?1",
				     "reading scope");
	int rc = 0;

	memset(r, 0, sizeof(*r));
	store_q_bind_blob(st, 1, id->b, ID_BYTES);
	if (store_q_row(st)) {
		r->exists = 1;
		r->region = dup_col(st, 0);
		r->nodes = dup_col(st, 1);
		r->creator = store_q_col_i64(st, 2);
		if (store_q_col_bytes(st, 4) == ID_BYTES) {
			memcpy(r->person.b, store_q_col_blob(st, 4),
			       ID_BYTES);
			r->has_person = 1;
		}
		/* Re-deciding from a row altered outside presidio would
		 * hand the case to whoever it now names. */
		if (!store_q_col_int(st, 3)) {
			scope_row_release(r);
			rc = err_set(e, ERR_AUTH,
				     "the scope of a case fails authentication "
				     "(altered outside presidio)");
		}
	}
	return store_q_done(st, rc, e);
}

/* Moved by every change of a case's membership, in any thread: a
 * batch's memo (registry_scope_memo) read before it answers nothing
 * after.  A membership undone by a rollback moved it too. */
static _Atomic uint64_t member_gen;

static int member_set(struct store *s, int64_t peer, const struct id *cs,
		      int visible, uint64_t seq, int with_event, struct err *e)
{
	struct store_q *st = store_q(
	    s,
	    visible ? "INSERT OR IGNORE INTO scope_member(peer, case_id, mac) "
		      "VALUES (?1, ?2, presidio_mac('scope_member', ?1, ?2))"
		    : "DELETE FROM scope_member WHERE peer = ?1 AND "
		      "case_id = ?2",
	    "updating scope");
	int rc;

	store_q_bind_int(st, 1, peer);
	store_q_bind_blob(st, 2, cs->b, ID_BYTES);
	rc = store_q_run(st, e);
	atomic_fetch_add(&member_gen, 1);
	if (rc || !with_event || store_sql_changes(s) == 0)
		return rc;
	return registry_event_add(s, seq, peer, cs, visible, e);
}

int registry_event_add(struct store *s, uint64_t seq, int64_t peer,
		       const struct id *root, int entered, struct err *e)
{
	struct store_q *st = store_q(s,
				     "INSERT INTO scope_event(seq, peer, "
				     "case_id, entered, mac) VALUES (?1, ?2, "
				     "?3, ?4, presidio_mac('scope_event', ?1, "
				     "?2, ?3, ?4))",
				     "recording scope");

	store_q_bind_int(st, 1, (int64_t)seq);
	store_q_bind_int(st, 2, peer);
	store_q_bind_blob(st, 3, root->b, ID_BYTES);
	store_q_bind_int(st, 4, entered);
	return store_q_run(st, e);
}

/* Re-decide one case for every peer (only < 0), recording events when
 * only is -1, or for peer only. */
static int scope_decide(struct store *s, const struct id *cs,
			const char *region, const json_t *nodes,
			int64_t creator, uint64_t seq, int64_t only,
			struct err *e)
{
	struct registry_peer p;
	struct store_q *st = store_q(
	    s,
	    "SELECT p.idx, p.name, p.kind, p.region, n.idx, "
	    "presidio_mac_ok(p.mac, 'peer', p.idx, p.name, p.kind, "
	    "p.region, p.node_id, p.pk, p.token_hash, "
	    "p.token_expires, p.revoked, p.record_cap, p.created, "
	    "p.push_ack, p.pull_ack, p.rebootstrap) FROM peer p "
	    "LEFT JOIN node n ON n.id = p.node_id WHERE ?1 < 0 OR "
	    "p.idx = ?1",
	    "reading nodes");
	int rc = 0;

	store_q_bind_int(st, 1, only);
	while (!rc && store_q_row(st)) {
		struct scope_case c = { region, nodes, 0 };
		struct scope_peer sp;

		memset(&p, 0, sizeof(p));
		p.idx = store_q_col_i64(st, 0);
		snprintf(p.name, sizeof(p.name), "%s",
			 store_q_col_text(st, 1));
		snprintf(p.kind, sizeof(p.kind), "%s",
			 store_q_col_text(st, 2));
		snprintf(p.region, sizeof(p.region), "%s",
			 store_q_col_text(st, 3));
		c.opened_by_peer = !store_q_col_null(st, 4) &&
				   store_q_col_i64(st, 4) == creator;
		sp.name = p.name;
		sp.kind = p.kind;
		sp.region = p.region;
		/* A peer whose row fails authentication sees nothing. */
		rc = member_set(s, p.idx, cs,
				store_q_col_int(st, 5) &&
				    scope_case_visible(&sp, &c),
				seq, only == -1, e);
	}
	return store_q_done(st, rc, e);
}

int registry_scope_note(struct store *s, const struct id *id,
			const struct schema_collection *coll,
			const json_t *fields, int64_t origin, uint64_t seq,
			struct err *e)
{
	const char *region =
	    json_string_value(json_object_get(fields, coll->scope_region));
	const json_t *nodes = json_object_get(fields, coll->scope_nodes);
	const char *subject =
	    coll->scope_subject
		? json_string_value(json_object_get(fields, coll->scope_subject))
		: NULL;
	struct registry_subjects subs;
	struct scope_row old;
	struct id person;
	struct store_q *st = NULL;
	char *nodes_text = NULL;
	int has_person = subject && id_parse(&person, subject) == 0;
	int same_scope, same_person;
	int rc = scope_row_load(s, id, &old, e);

	memset(&subs, 0, sizeof(subs));
	if (rc)
		return rc;
	if (json_is_array(nodes) && json_array_size(nodes)) {
		nodes_text = jtext_dump(nodes, JSON_COMPACT, NULL);
		if (!nodes_text) {
			rc = err_set(e, ERR_NOMEM, "out of memory");
			goto out;
		}
	} else {
		nodes = NULL;
	}
	same_scope = old.exists &&
		     !strcmp(old.region ? old.region : "",
			     region ? region : "") &&
		     !strcmp(old.nodes ? old.nodes : "",
			     nodes_text ? nodes_text : "");
	same_person = old.exists && old.has_person == has_person &&
		      (!has_person || id_cmp(&old.person, &person) == 0);
	/* Who sees its persons, before anything changes. */
	if (!same_scope || !same_person)
		rc = registry_subjects_before(
		    s, has_person ? &person : NULL,
		    old.has_person ? &old.person : NULL, &subs, e);
	if (rc)
		goto out;
	st = store_q(s,
		     "INSERT OR REPLACE INTO scope_case(id, person, region, "
		     "nodes, creator, mac) VALUES (?1, ?2, ?3, ?4, ?5, "
		     "presidio_mac('scope_case', ?1, ?2, ?3, ?4, ?5))",
		     "recording scope");
	store_q_bind_blob(st, 1, id->b, ID_BYTES);
	if (has_person)
		store_q_bind_blob(st, 2, person.b, ID_BYTES);
	else
		store_q_bind_null(st, 2);
	store_q_bind_text(st, 3, region);
	store_q_bind_text(st, 4, nodes_text);
	store_q_bind_int(st, 5, old.exists ? old.creator : origin);
	rc = store_q_run(st, e);
	if (rc)
		goto out;
	/* Nothing that decides the case's scope changed: no need to ask.
	 * A new case reaches its nodes as ordinary entries: events (and the
	 * history they bring) are for cases that existed before. */
	if (!same_scope)
		rc = scope_decide(s, id, region, nodes,
				  old.exists ? old.creator : origin, seq,
				  old.exists ? -1 : -2, e);
	/* Its persons' events come after the case's own (same seq). */
	if (!rc)
		rc = registry_subjects_after(
		    s, &subs, id, has_person ? &person : NULL, seq, e);
out:
	registry_subjects_release(&subs);
	free(nodes_text);
	scope_row_release(&old);
	return rc;
}

/* Decide every case for one peer (a peer added, or enrolled: the creator
 * rule needs its node id).  No events: its cursor starts at 0. */
int registry_scope_peer_init(struct store *s, int64_t peer, struct err *e)
{
	struct store_q *st = store_q(s,
				     "SELECT id, region, nodes, creator, "
				     "presidio_mac_ok(mac, 'scope_case', "
				     STORE_MAC_COLS_SCOPE_CASE ") FROM "
				     "scope_case",
				     "reading scope");
	int rc = 0;

	while (store_q_row(st)) {
		const char *nt = store_q_col_text(st, 2);
		json_t *nodes = nt ? json_loads(nt, 0, NULL) : NULL;
		struct id cs;

		if (store_q_col_bytes(st, 0) != ID_BYTES) {
			json_decref(nodes);
			rc = err_set(e, ERR_CORRUPT, "malformed scope row");
			goto out;
		}
		if (!store_q_col_int(st, 4)) {
			json_decref(nodes);
			rc = err_set(e, ERR_AUTH,
				     "the scope of a case fails authentication "
				     "(altered outside presidio)");
			goto out;
		}
		memcpy(cs.b, store_q_col_blob(st, 0), ID_BYTES);
		rc = scope_decide(s, &cs,
				  store_q_col_text(st, 1),
				  nodes, store_q_col_i64(st, 3), 0, peer,
				  e);
		json_decref(nodes);
		if (rc)
			goto out;
	}
out:
	return store_q_done(st, rc, e);
}

/* ---- asking ---- */

#define SCOPE_SQL_MEMO 4 /* query texts a thread keeps: two are used */

/*
 * The query fmt with the scope condition in it.  The condition follows
 * from the schema alone, and a push asks a query for every change it
 * carries: so the text is made once per thread and schema in force
 * (schema_at(0) and schema_count() tell it), not per change.
 */
static const char *scope_sql(const char *fmt)
{
	static _Thread_local struct {
		const char *fmt;
		const struct schema_collection *first;
		size_t count;
		char sql[3072];
	} memo[SCOPE_SQL_MEMO];
	const struct schema_collection *first = schema_at(0);
	size_t count = schema_count(), k = 0;
	char cond[2048];

	for (size_t i = 0; i < SCOPE_SQL_MEMO; i++) {
		if (memo[i].fmt == fmt && memo[i].first == first &&
		    memo[i].count == count)
			return memo[i].sql;
		if (memo[i].fmt == fmt || !memo[i].fmt)
			k = i;
	}
	registry_scope_condition(cond, sizeof(cond));
	snprintf(memo[k].sql, sizeof(memo[k].sql), fmt, cond);
	memo[k].fmt = fmt;
	memo[k].first = first;
	memo[k].count = count;
	return memo[k].sql;
}

/*
 * *n = the integer an SQL query with the scope condition returns (the
 * statement is cached by its text: a push asks for every change it
 * carries).
 */
static int scope_query_int(struct store *s, const char *fmt,
			   const struct registry_peer *p, const struct id *id,
			   int64_t *n, struct err *e)
{
	struct store_q *st = NULL;
	int64_t node = -1;
	int rc = registry_scope_peer_node(s, p, &node, e);

	if (rc)
		return rc;
	st = store_q(s, scope_sql(fmt), "reading scope");
	store_q_bind_blob(st, 1, id ? id->b : NULL, ID_BYTES);
	store_q_bind_int(st, 2, p->idx);
	store_q_bind_int(st, 3, node);
	if (store_q_row(st))
		*n = store_q_col_i64(st, 0);
	return store_q_end(st, e);
}

int registry_scope_sees(struct store *s, const struct registry_peer *p,
			const struct id *id, int *visible, struct err *e)
{
	int64_t n = 0;
	int rc = scope_query_int(s,
				 "SELECT count(*) FROM record r WHERE r.id = "
				 "?1 AND %s",
				 p, id, &n, e);

	*visible = !rc && n > 0;
	return rc;
}

int registry_scope_count(struct store *s, const struct registry_peer *p,
			 uint64_t *n, struct err *e)
{
	int64_t v = 0;
	int rc = scope_query_int(s,
				 "SELECT count(*) FROM record r WHERE ?1 IS "
				 "NULL AND %s",
				 p, NULL, &v, e);

	*n = (uint64_t)v;
	return rc;
}

void registry_scope_memo_init(struct registry_scope_memo *m)
{
	memset(m, 0, sizeof(*m));
	m->gen = atomic_load(&member_gen);
}

/* Whether the peer sees case cs (a record of a scope root), from the
 * memo when it was asked since the last change of membership. */
static int case_sees(struct store *s, const struct registry_peer *p,
		     struct registry_scope_memo *m, const struct id *cs,
		     int *visible, struct err *e)
{
	uint64_t gen = atomic_load(&member_gen);
	size_t i;
	int rc;

	if (!m)
		return registry_scope_sees(s, p, cs, visible, e);
	m->asked++;
	if (m->gen != gen) {
		m->n = m->next = 0;
		m->gen = gen;
	}
	for (i = 0; i < m->n; i++)
		if (memcmp(m->e[i].id.b, cs->b, ID_BYTES) == 0) {
			*visible = m->e[i].visible;
			m->answered++;
			return 0;
		}
	rc = registry_scope_sees(s, p, cs, visible, e);
	if (rc)
		return rc;
	if (m->n < REGISTRY_SCOPE_MEMO) {
		i = m->n++;
	} else {
		i = m->next;
		m->next = (m->next + 1) % REGISTRY_SCOPE_MEMO;
	}
	m->e[i].id = *cs;
	m->e[i].visible = *visible;
	return 0;
}

/* Does collection c's parent field name a scope root (a case)? */
static int parent_is_root(const struct schema_collection *c)
{
	const struct schema_field *f = c->parent ? schema_field(c, c->parent)
						 : NULL;
	const struct schema_collection *pc =
		f && f->ref ? schema_collection(f->ref) : NULL;

	return pc && registry_scope_class(pc) == SCHEMA_SCOPE_ROOT;
}

/*
 * A subject (a person) may name another of its collection only when the
 * peer sees it: a duplicate's merged_into, written by a node that does
 * not see the record it names, would attach the node's person to
 * someone else's (and tell it that id is a person).  Other REF fields of
 * a subject, to a collection shared by all, need nothing.  *ok is left as
 * it is when all pass.
 */
static int subject_refs_visible(struct store *s,
				const struct registry_peer *p,
				const struct schema_collection *c,
				const json_t *fields, int *ok, struct err *e)
{
	for (size_t i = 0; i < c->nfields && *ok; i++) {
		const struct schema_field *f = &c->fields[i];
		const json_t *v = json_object_get(fields, f->name);
		struct id ref;
		int rc;

		if (f->type != SCHEMA_REF || strcmp(f->ref, c->name) || !v ||
		    json_is_null(v))
			continue;
		if (!json_is_string(v) ||
		    id_parse(&ref, json_string_value(v))) {
			*ok = 0;
			return 0;
		}
		rc = registry_scope_sees(s, p, &ref, ok, e);
		if (rc)
			return rc;
	}
	return 0;
}

/*
 * The records a change points at must be the peer's already: a case may
 * name as its subject only a person the peer sees (else a node could draw
 * anyone's person into its scope by naming it), and a child may move only
 * under a parent the peer sees.  A field the change leaves alone or
 * clears is not a reference; *ok is left as it is when all pass.
 */
static int refs_visible(struct store *s, const struct registry_peer *p,
			struct registry_scope_memo *m,
			const struct schema_collection *c,
			enum schema_scope cls, const json_t *fields, int *ok,
			struct err *e)
{
	const char *name = cls == SCHEMA_SCOPE_ROOT ? c->scope_subject
		: cls == SCHEMA_SCOPE_PARENT ? c->parent : NULL;
	const json_t *v;
	struct id ref;

	if (cls == SCHEMA_SCOPE_SUBJECT)
		return subject_refs_visible(s, p, c, fields, ok, e);
	if (!name || !(v = json_object_get(fields, name)) || json_is_null(v))
		return 0;
	if (!json_is_string(v) || id_parse(&ref, json_string_value(v))) {
		*ok = 0;
		return 0;
	}
	if (cls == SCHEMA_SCOPE_PARENT && parent_is_root(c))
		return case_sees(s, p, m, &ref, ok, e);
	return registry_scope_sees(s, p, &ref, ok, e);
}

int registry_scope_allows(struct store *s, const struct registry_peer *p,
			  struct registry_scope_memo *memo,
			  const struct store_incoming *in, int *ok,
			  struct err *e)
{
	const struct schema_collection *c = schema_collection(in->collection);
	struct scope_case sc = { NULL, NULL, 1 };
	struct scope_peer sp = { p->name, p->kind, p->region };
	enum schema_scope cls;
	struct id parent;
	const char *text;
	int exists = 0;
	int rc;

	*ok = 0;
	if (!c)
		return err_set(e, ERR_INVALID, "unknown collection");
	cls = registry_scope_class(c);
	if (cls == SCHEMA_SCOPE_SHARED) {
		*ok = 1;
		return 0;
	}
	/* Whether it exists is enough: its values are not read here. */
	rc = store_row_exists(s, &in->record, &exists, e);
	if (rc)
		return rc;
	if (exists) {
		/* An existing record: the peer must see it now. */
		rc = cls == SCHEMA_SCOPE_ROOT
			     ? case_sees(s, p, memo, &in->record, ok, e)
			     : registry_scope_sees(s, p, &in->record, ok, e);
		if (rc || !*ok)
			return rc;
		return refs_visible(s, p, memo, c, cls, in->fields, ok, e);
	}
	switch (cls) {
	case SCHEMA_SCOPE_ROOT:
		/* A new case: it must land in the peer's own scope. */
		sc.region = json_string_value(
		    json_object_get(in->fields, c->scope_region));
		sc.nodes = json_object_get(in->fields, c->scope_nodes);
		*ok = scope_case_visible(&sp, &sc);
		if (*ok)
			rc = refs_visible(s, p, memo, c, cls, in->fields, ok,
					  e);
		break;
	case SCHEMA_SCOPE_PARENT:
		text = json_string_value(json_object_get(in->fields, c->parent));
		if (text && id_parse(&parent, text) == 0)
			rc = parent_is_root(c)
				     ? case_sees(s, p, memo, &parent, ok, e)
				     : registry_scope_sees(s, p, &parent, ok,
							   e);
		break;
	default:
		/* A new subject (a person) is the creator's until a case
		 * names it. */
		*ok = 1;
		rc = refs_visible(s, p, memo, c, cls, in->fields, ok, e);
		break;
	}
	return rc;
}


/* The store's write hook: every entry is indexed by who may see it, and
 * a scope root written keeps the scope index. */
static int on_write(void *ctx, struct store *s, const struct store_write *w,
		    struct err *e)
{
	int rc = registry_scope_key_note(s, w, e);

	(void)ctx;
	if (rc || schema_scope_of(w->coll) != SCHEMA_SCOPE_ROOT)
		return rc;
	return registry_scope_note(s, w->id, w->coll, w->fields, w->origin,
				   w->seq, e);
}

void registry_attach(struct store *s)
{
	store_set_write_hook(s, on_write, NULL);
	store_set_quota_hook(s, registry_quota_limit, NULL);
	store_set_holds_all(s, 1);
}
