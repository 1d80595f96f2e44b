/*
 * store_scope_log.c - the hub's log as one node may see it: the entries in
 * the node's scope and the scope events (a case or a person entering or
 * leaving it) in log order, an entering case with its earlier history
 * (store_scope_log()).  The index it reads is kept by store_scope.c and
 * store_subject.c.
 */
#include "node/store_int.h"

#include <stdlib.h>
#include <string.h>

#include "conflict/scope.h"

/*
 * An entry is sent only when the rows that decide who receives it pass
 * their MAC (store_mac.c): its record (collection, parent) and the change
 * itself (record, origin), and for a subject its first change, whose
 * origin names the creator who sees it while no case does.  A row that
 * fails is not sent to anyone; verify reports it.  The comparison comes
 * first so a MAC is computed only for an entry about to be sent.
 */
#define SCOPE_ROWS_OK                                                          \
	"presidio_mac_ok(r.mac, 'record', r.id, r.coll, r.parent, "            \
	"r.deleted, r.vers, r.conflicts) AND presidio_mac_ok(c.mac, "         \
	"'change', c.seq, c.rid, c.kind, c.origin, c.oseq, c.actor, c.hlc, "  \
	"c.vers, c.prev, c.seen)"
#define SCOPE_FIRST_OK                                                         \
	"(SELECT presidio_mac_ok(f.mac, 'change', f.seq, f.rid, f.kind, "      \
	"f.origin, f.oseq, f.actor, f.hlc, f.vers, f.prev, f.seen) FROM "      \
	"change f WHERE f.rid = r.rid ORDER BY f.seq LIMIT 1)"

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
	uint64_t after;  /* the pull's cursor */
	int64_t node;    /* the peer's node.idx, -1 when not enrolled */
	int purged;      /* a purge was emitted in this walk */
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

/* Emit one event: a leaving root, or an entering one with its history
 * and the node's own later entries of it (the walk does not send them,
 * and a purge before it came back took them from the node's copy), each
 * with its record's first entry: a record created after the event by
 * another node, and out of scope by the time the walk reaches it, would
 * otherwise be made of the node's edit alone, without its parent, and
 * the purge that follows would not find it. */
static int emit_event(struct scope_walk *w, const struct scope_event_row *ev)
{
	struct store_scope_item it;
	sqlite3_stmt *st = NULL;
	uint64_t bound = ev->seq;
	size_t rows = 0;
	int rc;

	memset(&it, 0, sizeof(it));
	it.seq = ev->seq;
	it.root = ev->cs;
	it.entered = ev->entered;
	if (!ev->entered) {
		w->purged = 1;
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
				"WHERE (c.seq <= ?2 OR (c.seq > ?2 AND "
				"c.origin = ?3) OR (c.seq = (SELECT min(f.seq) "
				"FROM change f WHERE f.rid = c.rid) AND EXISTS "
				"(SELECT 1 FROM change o WHERE o.rid = c.rid "
				"AND o.seq > ?2 AND o.origin = ?3))) AND "
				"(r.id = ?1 OR r.parent "
				"= ?1 OR r.id = (SELECT person FROM scope_case "
				"WHERE id = ?1)) AND " SCOPE_ROWS_OK
				" ORDER BY c.seq",
				-1, &st, NULL);
	if (rc != SQLITE_OK) {
		rc = store_sql_err(w->s, rc, "reading change log", w->e);
		goto out;
	}
	rc = store_subject_bound(w->s, &ev->cs, ev->seq, w->after, w->purged,
				 &bound, w->e);
	if (rc)
		goto out;
	sqlite3_bind_blob(st, 1, ev->cs.b, ID_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (int64_t)bound);
	/* From the start (after 0) the walk sends the node's own entries
	 * anyway. */
	sqlite3_bind_int64(st, 3, w->after ? w->node : -1);
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
	 * was (a seq's events are loaded together), or later ones would be
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

/* The peer's events after its cursor: limit of them, and the others at
 * the last one's seq (a case and its persons share one: a page ends at
 * a seq, so a seq's events are loaded all or none). */
static int load_events(struct scope_walk *w, uint64_t after, size_t limit)
{
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int rc = sqlite3_prepare_v2(w->s->db,
				    "SELECT seq, case_id, entered FROM "
				    "scope_event WHERE peer = ?1 AND seq > ?2 "
				    "AND seq <= coalesce((SELECT seq FROM "
				    "scope_event WHERE peer = ?1 AND seq > ?2 "
				    "ORDER BY seq LIMIT 1 OFFSET ?3 - 1), "
				    "9223372036854775807) ORDER BY seq, rowid",
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
	struct scope_walk w = { .s = s, .p = p, .fn = fn, .ctx = ctx, .e = e,
				.after = after, .node = -1 };
	size_t evlimit = limit ? limit : 10000;
	char cond[2048], sql[3072];
	sqlite3_stmt *st = s->scope_q[SCOPE_Q_LOG];
	int64_t node = -1;
	size_t rows = 0;
	int rc = store_require_unlocked(s, e);

	if (!rc)
		rc = store_scope_peer_node(s, p, &node, e);
	w.node = node;
	*more = 0;
	if (!rc)
		rc = load_events(&w, after, evlimit);
	if (rc)
		goto out;
	if (w.nev >= evlimit) {
		w.ev_cut = 1;
		w.ev_end = w.ev[w.nev - 1].seq;
	}
	if (!st) {
		char subjects[128];

		store_scope_condition(cond, sizeof(cond));
		store_scope_coll_list(SCHEMA_SCOPE_SUBJECT, 0, subjects,
			      sizeof(subjects));
		/* Entries the peer made itself are not sent back to it,
		 * unless it started over and no longer holds them: then
		 * every page up to the log's end at its restart brings
		 * them (peer_rebuild), not only the first. */
		snprintf(sql, sizeof(sql),
			 STORE_CHANGE_COLUMNS
			 "WHERE c.seq > ?1 AND (c.origin IS NOT ?5 OR c.seq <= "
			 "coalesce((SELECT upto FROM peer_rebuild WHERE peer = "
			 "?2), 0)) AND %s AND " SCOPE_ROWS_OK " AND (r.coll "
			 "NOT IN %s OR " SCOPE_FIRST_OK ") ORDER BY c.seq "
			 "LIMIT ?4",
			 cond, subjects);
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
