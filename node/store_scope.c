/*
 * store_scope.c - the hub's scope index: which node sees which case, the
 * moments that changed, and the log as one node may see it.
 *
 * Every write of a scope root (a case) on the hub goes through
 * store_scope_note() (from store_row_write(), in the same transaction): it
 * keeps the case's region, assigned nodes, subject and creator in
 * scope_case, asks conflict/scope.h which peers see it, and when that
 * changes for a peer records a scope_event at the sequence number of the
 * change that caused it.  A pull (store_scope_log()) walks the entries in
 * the peer's current scope and these events in log order: an entering
 * case brings its whole earlier history along, a leaving one becomes a
 * purge on the node (that walk: node/store_scope_log.c).  Because both
 * come in order with the entries, the node's pull cursor stays a single
 * number.
 *
 * Records with a parent follow it one level up (a service its case);
 * deeper chains are not declared today.  A subject (the case's person)
 * is seen through any case that names it, or by its creator while no
 * case does (its events: node/store_subject.c).
 */
#include "node/store_int.h"

#include <stdlib.h>
#include <string.h>

#include "common/jtext.h"
#include "conflict/scope.h"

/* Collection ids of one scope class as an SQL list "(1,2)", "(0)" when
 * none; for parent-scoped ones, only those whose parent is a root. */
void store_scope_coll_list(enum schema_scope cls, int parent_root,
			   char *out, size_t n)
{
	size_t o = 0;

	o += (size_t)snprintf(out + o, n - o, "(0");
	for (size_t i = 0; i < schema_count() && o < n; i++) {
		const struct schema_collection *c = schema_at(i);
		enum schema_scope sc = schema_scope_of(c);
		const struct schema_collection *root = schema_scope_root(c);
		int root_scoped = schema_scope_of(root) == SCHEMA_SCOPE_ROOT;

		if (cls == SCHEMA_SCOPE_SHARED && sc == SCHEMA_SCOPE_PARENT &&
		    !root_scoped)
			sc = SCHEMA_SCOPE_SHARED;
		if (sc != cls || (cls == SCHEMA_SCOPE_PARENT &&
				  root_scoped != parent_root))
			continue;
		o += (size_t)snprintf(out + o, n - o, ",%u", (unsigned)c->id);
	}
	if (o < n)
		snprintf(out + o, n - o, ")");
}

/*
 * The WHERE condition "record r is in peer ?2's scope" (node.idx of the
 * peer in ?3, -1 when not enrolled), into out.
 */
void store_scope_condition(char *out, size_t n)
{
	char shared[128], roots[128], children[128], subjects[128];

	store_scope_coll_list(SCHEMA_SCOPE_SHARED, 0, shared, sizeof(shared));
	store_scope_coll_list(SCHEMA_SCOPE_ROOT, 0, roots, sizeof(roots));
	store_scope_coll_list(SCHEMA_SCOPE_PARENT, 1, children,
			      sizeof(children));
	store_scope_coll_list(SCHEMA_SCOPE_SUBJECT, 0, subjects,
			      sizeof(subjects));
	snprintf(out, n,
		 "(r.coll IN %s OR (r.coll IN %s AND EXISTS (SELECT 1 FROM "
		 "scope_member m WHERE m.peer = ?2 AND m.case_id = r.id)) OR "
		 "(r.coll IN %s AND EXISTS (SELECT 1 FROM scope_member m "
		 "WHERE m.peer = ?2 AND m.case_id = r.parent)) OR (r.coll IN "
		 "%s AND (EXISTS (SELECT 1 FROM scope_case sc JOIN "
		 "scope_member m ON m.case_id = sc.id AND m.peer = ?2 WHERE "
		 "sc.person = r.id) OR (NOT EXISTS (SELECT 1 FROM scope_case "
		 "sc WHERE sc.person = r.id) AND (SELECT origin FROM change "
		 "WHERE rid = r.rid ORDER BY seq LIMIT 1) = ?3))))",
		 shared, roots, children, subjects);
}

/* node.idx of an enrolled peer, -1 otherwise. */
int store_scope_peer_node(struct store *s, const struct store_peer *p,
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

static char *dup_col(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	return t ? strdup((const char *)t) : NULL;
}

/*
 * A statement of the scope index, prepared once per handle (a push
 * writes the index for every case it carries).  The caller resets it
 * (stmt_done()) on every path.
 */
static int stmt(struct store *s, int which, const char *sql,
		sqlite3_stmt **st, struct err *e)
{
	int rc;

	*st = s->scope_q[which];
	if (*st)
		return 0;
	rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st,
				NULL);
	if (rc != SQLITE_OK) {
		*st = NULL;
		return store_sql_err(s, rc, "preparing scope", e);
	}
	s->scope_q[which] = *st;
	return 0;
}

static void stmt_done(sqlite3_stmt *st)
{
	if (st) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	}
}

static int scope_row_load(struct store *s, const struct id *id,
			  struct scope_row *r, struct err *e)
{
	sqlite3_stmt *st = NULL;
	int rc = stmt(s, SCOPE_Q_ROW,
		      "SELECT region, nodes, creator, presidio_mac_ok(mac, "
		      "'scope_case', " STORE_MAC_COLS_SCOPE_CASE "), person "
		      "FROM scope_case WHERE id = ?1",
		      &st, e);

	memset(r, 0, sizeof(*r));
	if (rc)
		return rc;
	sqlite3_bind_blob(st, 1, id->b, ID_BYTES, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		r->exists = 1;
		r->region = dup_col(st, 0);
		r->nodes = dup_col(st, 1);
		r->creator = sqlite3_column_int64(st, 2);
		if (sqlite3_column_bytes(st, 4) == ID_BYTES) {
			memcpy(r->person.b, sqlite3_column_blob(st, 4),
			       ID_BYTES);
			r->has_person = 1;
		}
		/* Re-deciding from a row altered outside presidio would
		 * hand the case to whoever it now names. */
		rc = 0;
		if (!sqlite3_column_int(st, 3)) {
			scope_row_release(r);
			rc = err_set(e, ERR_AUTH,
				     "the scope of a case fails authentication "
				     "(altered outside presidio)");
		}
	} else if (rc == SQLITE_DONE) {
		rc = 0;
	} else {
		rc = store_sql_err(s, rc, "reading scope", e);
	}
	stmt_done(st);
	return rc;
}

static int member_set(struct store *s, int64_t peer, const struct id *cs,
		      int visible, uint64_t seq, int with_event, struct err *e)
{
	sqlite3_stmt *st = NULL;
	int rc = visible ? stmt(s, SCOPE_Q_MEMBER_ADD,
				"INSERT OR IGNORE INTO scope_member(peer, "
				"case_id, mac) VALUES (?1, ?2, presidio_mac("
				"'scope_member', ?1, ?2))",
				&st, e)
			 : stmt(s, SCOPE_Q_MEMBER_DEL,
				"DELETE FROM scope_member WHERE peer = ?1 AND "
				"case_id = ?2",
				&st, e);

	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, peer);
	sqlite3_bind_blob(st, 2, cs->b, ID_BYTES, SQLITE_STATIC);
	rc = sqlite3_step(st);
	stmt_done(st);
	if (rc != SQLITE_DONE)
		return store_sql_err(s, rc, "updating scope", e);
	if (!with_event || sqlite3_changes(s->db) == 0)
		return 0;
	rc = stmt(s, SCOPE_Q_EVENT,
		  "INSERT INTO scope_event(seq, peer, case_id, entered, mac) "
		  "VALUES (?1, ?2, ?3, ?4, presidio_mac('scope_event', ?1, "
		  "?2, ?3, ?4))",
		  &st, e);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, (int64_t)seq);
	sqlite3_bind_int64(st, 2, peer);
	sqlite3_bind_blob(st, 3, cs->b, ID_BYTES, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, visible);
	rc = sqlite3_step(st);
	stmt_done(st);
	return rc == SQLITE_DONE ? 0
				 : store_sql_err(s, rc, "recording scope", e);
}

/* Re-decide one case for every peer (only < 0), recording events when
 * only is -1, or for peer only. */
static int scope_decide(struct store *s, const struct id *cs,
			const char *region, const json_t *nodes,
			int64_t creator, uint64_t seq, int64_t only,
			struct err *e)
{
	struct store_peer p;
	sqlite3_stmt *st = NULL;
	int rc = stmt(s, SCOPE_Q_PEERS,
		      "SELECT p.idx, p.name, p.kind, p.region, n.idx, "
		      "presidio_mac_ok(p.mac, 'peer', p.idx, p.name, p.kind, "
		      "p.region, p.node_id, p.pk, p.token_hash, "
		      "p.token_expires, p.revoked, p.record_cap, p.created, "
		      "p.push_ack, p.pull_ack, p.rebootstrap) FROM peer p "
		      "LEFT JOIN node n ON n.id = p.node_id WHERE ?1 < 0 OR "
		      "p.idx = ?1",
		      &st, e);

	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, only);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct scope_case c = { region, nodes, 0 };
		struct scope_peer sp;

		memset(&p, 0, sizeof(p));
		p.idx = sqlite3_column_int64(st, 0);
		snprintf(p.name, sizeof(p.name), "%s",
			 (const char *)sqlite3_column_text(st, 1));
		snprintf(p.kind, sizeof(p.kind), "%s",
			 (const char *)sqlite3_column_text(st, 2));
		snprintf(p.region, sizeof(p.region), "%s",
			 (const char *)sqlite3_column_text(st, 3));
		c.opened_by_peer = sqlite3_column_type(st, 4) != SQLITE_NULL &&
				   sqlite3_column_int64(st, 4) == creator;
		sp.name = p.name;
		sp.kind = p.kind;
		sp.region = p.region;
		/* A peer whose row fails authentication sees nothing. */
		rc = member_set(s, p.idx, cs,
				sqlite3_column_int(st, 5) &&
				    scope_case_visible(&sp, &c),
				seq, only == -1, e);
		if (rc)
			goto out;
	}
	rc = rc == SQLITE_DONE ? 0 : store_sql_err(s, rc, "reading nodes", e);
out:
	stmt_done(st);
	return rc;
}

int store_scope_note(struct store *s, const struct id *id,
		     const struct schema_collection *coll, const json_t *fields,
		     int64_t origin, uint64_t seq, struct err *e)
{
	const char *region =
	    json_string_value(json_object_get(fields, coll->scope_region));
	const json_t *nodes = json_object_get(fields, coll->scope_nodes);
	const char *subject =
	    coll->scope_subject
		? json_string_value(json_object_get(fields, coll->scope_subject))
		: NULL;
	struct store_subjects subs;
	struct scope_row old;
	struct id person;
	sqlite3_stmt *st = NULL;
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
		rc = store_subjects_before(s, has_person ? &person : NULL,
					   old.has_person ? &old.person : NULL,
					   &subs, e);
	if (rc || (rc = stmt(s, SCOPE_Q_UPSERT,
			     "INSERT OR REPLACE INTO scope_case(id, person, "
			     "region, nodes, creator, mac) VALUES (?1, ?2, "
			     "?3, ?4, ?5, presidio_mac('scope_case', ?1, ?2, "
			     "?3, ?4, ?5))", &st, e)))
		goto out;
	sqlite3_bind_blob(st, 1, id->b, ID_BYTES, SQLITE_STATIC);
	if (has_person)
		sqlite3_bind_blob(st, 2, person.b, ID_BYTES, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 2);
	sqlite3_bind_text(st, 3, region, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, nodes_text, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, old.exists ? old.creator : origin);
	rc = sqlite3_step(st);
	stmt_done(st);
	if (rc != SQLITE_DONE) {
		rc = store_sql_err(s, rc, "recording scope", e);
		goto out;
	}
	rc = 0;
	/* Nothing that decides the case's scope changed: no need to ask.
	 * A new case reaches its nodes as ordinary entries: events (and the
	 * history they bring) are for cases that existed before. */
	if (!same_scope)
		rc = scope_decide(s, id, region, nodes,
				  old.exists ? old.creator : origin, seq,
				  old.exists ? -1 : -2, e);
	/* Its persons' events come after the case's own (same seq). */
	if (!rc)
		rc = store_subjects_after(s, &subs, id,
					  has_person ? &person : NULL, seq, e);
out:
	store_subjects_release(&subs);
	free(nodes_text);
	scope_row_release(&old);
	return rc;
}

/* Decide every case for one peer (a peer added, or enrolled: the creator
 * rule needs its node id).  No events: its cursor starts at 0. */
int store_scope_peer_init(struct store *s, int64_t peer, struct err *e)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(s->db,
				    "SELECT id, region, nodes, creator, "
				    "presidio_mac_ok(mac, 'scope_case', "
				    STORE_MAC_COLS_SCOPE_CASE ") FROM "
				    "scope_case",
				    -1, &st, NULL);

	if (rc != SQLITE_OK)
		return store_sql_err(s, rc, "reading scope", e);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *nt = (const char *)sqlite3_column_text(st, 2);
		json_t *nodes = nt ? json_loads(nt, 0, NULL) : NULL;
		struct id cs;

		if (sqlite3_column_bytes(st, 0) != ID_BYTES) {
			json_decref(nodes);
			rc = err_set(e, ERR_CORRUPT, "malformed scope row");
			goto out;
		}
		if (!sqlite3_column_int(st, 4)) {
			json_decref(nodes);
			rc = err_set(e, ERR_AUTH,
				     "the scope of a case fails authentication "
				     "(altered outside presidio)");
			goto out;
		}
		memcpy(cs.b, sqlite3_column_blob(st, 0), ID_BYTES);
		rc = scope_decide(s, &cs,
				  (const char *)sqlite3_column_text(st, 1),
				  nodes, sqlite3_column_int64(st, 3), 0, peer,
				  e);
		json_decref(nodes);
		if (rc)
			goto out;
	}
	rc = rc == SQLITE_DONE ? 0 : store_sql_err(s, rc, "reading scope", e);
out:
	sqlite3_finalize(st);
	return rc;
}

/* ---- asking ---- */

/*
 * *n = the integer an SQL query with the scope condition returns.  The
 * statements are kept on the handle (which = SCOPE_Q_*): a push asks for
 * every change it carries.
 */
static int scope_query_int(struct store *s, int which, const char *fmt,
			   const struct store_peer *p, const struct id *id,
			   int64_t *n, struct err *e)
{
	char cond[2048], sql[3072];
	sqlite3_stmt *st = s->scope_q[which];
	int64_t node = -1;
	int rc = store_scope_peer_node(s, p, &node, e);

	if (rc)
		return rc;
	if (!st) {
		store_scope_condition(cond, sizeof(cond));
		snprintf(sql, sizeof(sql), fmt, cond);
		rc = sqlite3_prepare_v3(s->db, sql, -1,
					SQLITE_PREPARE_PERSISTENT, &st, NULL);
		if (rc != SQLITE_OK)
			return store_sql_err(s, rc, "reading scope", e);
		s->scope_q[which] = st;
	}
	if (id)
		sqlite3_bind_blob(st, 1, id->b, ID_BYTES, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 1);
	sqlite3_bind_int64(st, 2, p->idx);
	sqlite3_bind_int64(st, 3, node);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*n = sqlite3_column_int64(st, 0);
		rc = 0;
	} else {
		rc = store_sql_err(s, rc, "reading scope", e);
	}
	sqlite3_reset(st);
	return rc;
}

int store_scope_sees(struct store *s, const struct store_peer *p,
		     const struct id *id, int *visible, struct err *e)
{
	int64_t n = 0;
	int rc = scope_query_int(s, SCOPE_Q_SEES,
				 "SELECT count(*) FROM record r WHERE r.id = "
				 "?1 AND %s",
				 p, id, &n, e);

	*visible = !rc && n > 0;
	return rc;
}

int store_scope_count(struct store *s, const struct store_peer *p,
		      uint64_t *n, struct err *e)
{
	int64_t v = 0;
	int rc = scope_query_int(s, SCOPE_Q_COUNT_RECORDS,
				 "SELECT count(*) FROM record r WHERE ?1 IS "
				 "NULL AND %s",
				 p, NULL, &v, e);

	*n = (uint64_t)v;
	return rc;
}

/*
 * The records a change points at must be the peer's already: a case may
 * name as its subject only a person the peer sees (else a node could draw
 * anyone's person into its scope by naming it), and a child may move only
 * under a parent the peer sees.  A field the change leaves alone or
 * clears is not a reference; *ok is left as it is when all pass.
 */
static int refs_visible(struct store *s, const struct store_peer *p,
			const struct schema_collection *c,
			enum schema_scope cls, const json_t *fields, int *ok,
			struct err *e)
{
	const char *name = cls == SCHEMA_SCOPE_ROOT ? c->scope_subject
		: cls == SCHEMA_SCOPE_PARENT ? c->parent : NULL;
	const json_t *v;
	struct id ref;

	if (!name || !(v = json_object_get(fields, name)) || json_is_null(v))
		return 0;
	if (!json_is_string(v) || id_parse(&ref, json_string_value(v))) {
		*ok = 0;
		return 0;
	}
	return store_scope_sees(s, p, &ref, ok, e);
}

int store_scope_allows(struct store *s, const struct store_peer *p,
		       const struct store_incoming *in, int *ok, struct err *e)
{
	const struct schema_collection *c = schema_collection(in->collection);
	const struct schema_collection *root = schema_scope_root(c);
	enum schema_scope cls = schema_scope_of(c);
	struct scope_case sc = { NULL, NULL, 1 };
	struct scope_peer sp = { p->name, p->kind, p->region };
	struct store_row row;
	struct id parent;
	const char *text;
	int rc;

	*ok = 0;
	memset(&row, 0, sizeof(row));
	version_set_init(&row.vers);
	if (!c)
		return err_set(e, ERR_INVALID, "unknown collection");
	if (cls == SCHEMA_SCOPE_PARENT &&
	    schema_scope_of(root) != SCHEMA_SCOPE_ROOT)
		cls = SCHEMA_SCOPE_SHARED;
	if (cls == SCHEMA_SCOPE_SHARED) {
		*ok = 1;
		return 0;
	}
	rc = store_row_load(s, &in->record, &row, e);
	if (rc)
		goto out;
	if (row.exists) {
		/* An existing record: the peer must see it now. */
		rc = store_scope_sees(s, p, &in->record, ok, e);
		if (rc || !*ok)
			goto out;
		rc = refs_visible(s, p, c, cls, in->fields, ok, e);
		goto out;
	}
	switch (cls) {
	case SCHEMA_SCOPE_ROOT:
		/* A new case: it must land in the peer's own scope. */
		sc.region = json_string_value(
		    json_object_get(in->fields, c->scope_region));
		sc.nodes = json_object_get(in->fields, c->scope_nodes);
		*ok = scope_case_visible(&sp, &sc);
		if (*ok)
			rc = refs_visible(s, p, c, cls, in->fields, ok, e);
		break;
	case SCHEMA_SCOPE_PARENT:
		text = json_string_value(json_object_get(in->fields, c->parent));
		if (text && id_parse(&parent, text) == 0)
			rc = store_scope_sees(s, p, &parent, ok, e);
		break;
	default:
		/* A new subject (a person) is the creator's until a case
		 * names it. */
		*ok = 1;
		break;
	}
out:
	store_row_release(&row);
	return rc;
}

