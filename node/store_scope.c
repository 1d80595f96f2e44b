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
 * purge on the node.  Because both come in order with the entries, the
 * node's pull cursor stays a single number.
 *
 * Records with a parent follow it one level up (a service its case);
 * deeper chains are not declared today.  A subject (the case's person)
 * is seen through any case that names it, or by its creator while no
 * case does.
 */
#include "node/store_int.h"

#include <stdlib.h>
#include <string.h>

#include "common/jtext.h"
#include "conflict/scope.h"

/* Collection ids of one scope class as an SQL list "(1,2)", "(0)" when
 * none; for parent-scoped ones, only those whose parent is a root. */
static void coll_list(enum schema_scope cls, int parent_root, char *out,
		      size_t n)
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
static void scope_condition(char *out, size_t n)
{
	char shared[128], roots[128], children[128], subjects[128];

	coll_list(SCHEMA_SCOPE_SHARED, 0, shared, sizeof(shared));
	coll_list(SCHEMA_SCOPE_ROOT, 0, roots, sizeof(roots));
	coll_list(SCHEMA_SCOPE_PARENT, 1, children, sizeof(children));
	coll_list(SCHEMA_SCOPE_SUBJECT, 0, subjects, sizeof(subjects));
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
static int peer_node_idx(struct store *s, const struct store_peer *p,
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
		      "SELECT region, nodes, creator FROM scope_case WHERE "
		      "id = ?1",
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
		rc = 0;
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
				"case_id) VALUES (?1, ?2)",
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
		  "INSERT INTO scope_event(seq, peer, case_id, entered) "
		  "VALUES (?1, ?2, ?3, ?4)",
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
		      "SELECT p.idx, p.name, p.kind, p.region, n.idx FROM "
		      "peer p LEFT JOIN node n ON n.id = p.node_id WHERE "
		      "?1 < 0 OR p.idx = ?1",
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
		rc = member_set(s, p.idx, cs, scope_case_visible(&sp, &c), seq,
				only == -1, e);
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
	struct scope_row old;
	struct id person;
	sqlite3_stmt *st = NULL;
	char *nodes_text = NULL;
	int has_person = subject && id_parse(&person, subject) == 0;
	int rc = scope_row_load(s, id, &old, e);

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
	rc = stmt(s, SCOPE_Q_UPSERT,
		  "INSERT OR REPLACE INTO scope_case(id, person, region, "
		  "nodes, creator) VALUES (?1, ?2, ?3, ?4, ?5)",
		  &st, e);
	if (rc)
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
	/* Nothing that decides the scope changed: no need to ask. */
	if (old.exists &&
	    strcmp(old.region ? old.region : "", region ? region : "") == 0 &&
	    strcmp(old.nodes ? old.nodes : "", nodes_text ? nodes_text : "") ==
		0)
		goto out;
	/* A new case reaches its nodes as ordinary entries: events (and
	 * the history they bring) are for cases that existed before. */
	rc = scope_decide(s, id, region, nodes,
			  old.exists ? old.creator : origin, seq,
			  old.exists ? -1 : -2, e);
out:
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
				    "SELECT id, region, nodes, creator FROM "
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
	int rc = peer_node_idx(s, p, &node, e);

	if (rc)
		return rc;
	if (!st) {
		scope_condition(cond, sizeof(cond));
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

/* ---- the log as a peer sees it ---- */

struct scope_event_row {
	uint64_t seq;
	struct id cs;
	int entered;
};

struct scope_walk {
	struct store *s;
	const struct store_peer *p;
	struct scope_event_row *ev;
	size_t nev, next;
	store_scope_fn fn;
	void *ctx;
	uint64_t seq; /* the event being expanded */
	struct err *e;
	uint64_t last; /* last entry emitted */
	int ev_cut;      /* more events than were loaded: */
	uint64_t ev_end; /* entries past the last loaded one wait */
	int stopped;     /* the walk stopped there */
};

static int walk_backfill(void *ctx, const struct store_change *c)
{
	struct scope_walk *w = ctx;
	struct store_scope_item it;

	memset(&it, 0, sizeof(it));
	it.seq = w->seq;
	it.change = c;
	it.backfill = 1;
	return w->fn(w->ctx, &it);
}

/* Emit one event: a leaving case, or an entering one with its history. */
static int emit_event(struct scope_walk *w, const struct scope_event_row *ev)
{
	struct store_scope_item it;
	sqlite3_stmt *st = NULL;
	size_t rows = 0;
	int rc;

	memset(&it, 0, sizeof(it));
	it.seq = ev->seq;
	it.root = ev->cs;
	it.entered = ev->entered;
	if (!ev->entered) {
		rc = sqlite3_prepare_v2(w->s->db,
					"SELECT person FROM scope_case WHERE "
					"id = ?1",
					-1, &st, NULL);
		if (rc == SQLITE_OK) {
			sqlite3_bind_blob(st, 1, ev->cs.b, ID_BYTES,
					  SQLITE_STATIC);
			if (sqlite3_step(st) == SQLITE_ROW &&
			    sqlite3_column_bytes(st, 0) == ID_BYTES) {
				memcpy(it.subject.b,
				       sqlite3_column_blob(st, 0), ID_BYTES);
				it.has_subject = 1;
			}
		}
		sqlite3_finalize(st);
		return w->fn(w->ctx, &it);
	}
	rc = sqlite3_prepare_v2(w->s->db,
				STORE_CHANGE_COLUMNS
				"WHERE c.seq <= ?2 AND (r.id = ?1 OR r.parent "
				"= ?1 OR r.id = (SELECT person FROM scope_case "
				"WHERE id = ?1)) ORDER BY c.seq",
				-1, &st, NULL);
	if (rc != SQLITE_OK) {
		rc = store_sql_err(w->s, rc, "reading change log", w->e);
		goto out;
	}
	sqlite3_bind_blob(st, 1, ev->cs.b, ID_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (int64_t)ev->seq);
	w->seq = ev->seq;
	rc = store_walk_changes(w->s, st, STORE_VALUES_TEXT, walk_backfill, w,
				&rows, w->e);
	if (!rc)
		rc = w->fn(w->ctx, &it);
out:
	sqlite3_finalize(st);
	return rc;
}

/* Emit the events with seq < before (or <= when inclusive). */
static int flush_events(struct scope_walk *w, uint64_t before, int inclusive)
{
	int rc = 0;

	while (!rc && w->next < w->nev &&
	       (w->ev[w->next].seq < before ||
		(inclusive && w->ev[w->next].seq == before)))
		rc = emit_event(w, &w->ev[w->next++]);
	return rc;
}

static int walk_entry(void *ctx, const struct store_change *c)
{
	struct scope_walk *w = ctx;
	struct store_scope_item it;
	int rc;

	/* Not every event was loaded: this page ends at the last one that
	 * was (one event per peer and seq), or later ones would be
	 * skipped. */
	if (w->ev_cut && c->seq > w->ev_end) {
		w->stopped = 1;
		return 1;
	}
	/* A case entering with this very change brings its history first
	 * (this entry included: sent twice, applied once). */
	rc = flush_events(w, c->seq, 1);
	if (rc)
		return rc;
	memset(&it, 0, sizeof(it));
	it.seq = c->seq;
	it.change = c;
	w->last = c->seq;
	return w->fn(w->ctx, &it);
}

static int load_events(struct scope_walk *w, uint64_t after, size_t limit)
{
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int rc = sqlite3_prepare_v2(w->s->db,
				    "SELECT seq, case_id, entered FROM "
				    "scope_event WHERE peer = ?1 AND seq > ?2 "
				    "ORDER BY seq, rowid LIMIT ?3",
				    -1, &st, NULL);

	if (rc != SQLITE_OK)
		return store_sql_err(w->s, rc, "reading scope", w->e);
	sqlite3_bind_int64(st, 1, w->p->idx);
	sqlite3_bind_int64(st, 2, (int64_t)after);
	sqlite3_bind_int64(st, 3, (int64_t)limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (w->nev == cap) {
			size_t ncap = cap ? 2 * cap : 16;
			void *n = realloc(w->ev, ncap * sizeof(*w->ev));

			if (!n) {
				rc = err_set(w->e, ERR_NOMEM, "out of memory");
				goto out;
			}
			w->ev = n;
			cap = ncap;
		}
		if (sqlite3_column_bytes(st, 1) != ID_BYTES) {
			rc = err_set(w->e, ERR_CORRUPT, "malformed scope event");
			goto out;
		}
		w->ev[w->nev].seq = (uint64_t)sqlite3_column_int64(st, 0);
		memcpy(w->ev[w->nev].cs.b, sqlite3_column_blob(st, 1), ID_BYTES);
		w->ev[w->nev].entered = sqlite3_column_int(st, 2);
		w->nev++;
	}
	rc = rc == SQLITE_DONE ? 0 : store_sql_err(w->s, rc, "reading scope",
						    w->e);
out:
	sqlite3_finalize(st);
	return rc;
}

int store_scope_log(struct store *s, const struct store_peer *p,
		    uint64_t after, size_t limit, store_scope_fn fn, void *ctx,
		    int *more, struct err *e)
{
	struct scope_walk w = { s, p, NULL, 0, 0, fn, ctx, 0, e, 0, 0, 0, 0 };
	size_t evlimit = limit ? limit : 10000;
	char cond[2048], sql[3072];
	sqlite3_stmt *st = s->scope_q[SCOPE_Q_LOG];
	int64_t node = -1;
	size_t rows = 0;
	int rc = store_require_unlocked(s, e);

	if (!rc)
		rc = peer_node_idx(s, p, &node, e);
	*more = 0;
	if (!rc)
		rc = load_events(&w, after, evlimit);
	if (rc)
		goto out;
	if (w.nev == evlimit) {
		w.ev_cut = 1;
		w.ev_end = w.ev[w.nev - 1].seq;
	}
	if (!st) {
		scope_condition(cond, sizeof(cond));
		/* Entries the peer made itself are not sent back to it. */
		snprintf(sql, sizeof(sql),
			 STORE_CHANGE_COLUMNS
			 "WHERE c.seq > ?1 AND c.origin IS NOT ?5 AND %s "
			 "ORDER BY c.seq LIMIT ?4",
			 cond);
		rc = sqlite3_prepare_v3(s->db, sql, -1,
					SQLITE_PREPARE_PERSISTENT, &st, NULL);
		if (rc != SQLITE_OK) {
			rc = store_sql_err(s, rc, "reading change log", e);
			goto out;
		}
		s->scope_q[SCOPE_Q_LOG] = st;
	}
	sqlite3_bind_int64(st, 1, (int64_t)after);
	sqlite3_bind_int64(st, 2, p->idx);
	sqlite3_bind_int64(st, 3, node);
	sqlite3_bind_int64(st, 4, limit ? (int64_t)limit : -1);
	/* From the start (a new or rebuilt node) its own entries come too:
	 * a rebuilt node no longer holds them. */
	sqlite3_bind_int64(st, 5, after ? node : -1);
	rc = store_walk_changes(s, st, STORE_VALUES_TEXT, walk_entry, &w, &rows,
				e);
	if (rc == 1 && w.stopped)
		rc = 0;
	if (rc)
		goto out;
	/* A full page ends at its last entry (events at that seq came with
	 * it); otherwise every entry up to the loaded events was seen: they
	 * all go. */
	if (limit && rows == limit && !w.stopped) {
		rc = flush_events(&w, w.last, 1);
		*more = 1;
	} else {
		rc = flush_events(&w, UINT64_MAX, 1);
		*more = w.ev_cut;
	}
out:
	if (st)
		sqlite3_reset(st);
	free(w.ev);
	return rc;
}
