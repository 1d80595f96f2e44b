/*
 * registry_scope_log.c - the hub's log as one node may see it: the entries in
 * the node's scope and the scope events (a case or a person entering or
 * leaving it) in log order, an entering case with its earlier history
 * (registry_scope_log()).  The index it reads is kept by registry_scope.c and
 * registry_subject.c.
 */
#include "registry/registry_int.h"

#include <stdint.h>
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

/* The first window of a walk through the keys without a page limit. */
#define SCOPE_WINDOW_MIN 2000

/* ---- the log as a peer sees it ---- */

struct scope_event_row {
	uint64_t seq;
	struct id cs;
	int entered;
};

struct scope_walk {
	struct store *s;
	const struct registry_peer *p;
	struct scope_event_row *ev;
	size_t nev, next;
	registry_scope_fn fn;
	void *ctx;
	uint64_t seq; /* the event being expanded */
	struct err *e;
	uint64_t last; /* last entry emitted */
	int ev_cut;      /* more events than were loaded: */
	uint64_t ev_end; /* entries past the last loaded one wait */
	int stopped;     /* the walk stopped there */
	int fn_stopped;  /* fn ended the walk (ERR_STOP) */
	uint64_t after;  /* the pull's cursor */
	int64_t node;    /* the peer's node.idx, -1 when not enrolled */
	int purged;      /* a purge was emitted in this walk */
};

/* Hand fn one item, noting when it ends the walk: ERR_STOP then travels
 * up through the nested walks, and registry_scope_log() ends the page
 * there instead of emitting the events still waiting. */
static int emit(struct scope_walk *w, const struct registry_scope_item *it)
{
	int rc = w->fn(w->ctx, it);

	if (rc == ERR_STOP)
		w->fn_stopped = 1;
	return rc;
}

static int walk_backfill(void *ctx, const struct store_change *c)
{
	struct scope_walk *w = ctx;
	struct registry_scope_item it;

	memset(&it, 0, sizeof(it));
	it.seq = w->seq;
	it.change = c;
	it.backfill = 1;
	return emit(w, &it);
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
	struct registry_scope_item it;
	struct store_q *st = NULL;
	uint64_t bound = ev->seq;
	char children[128], sql[2048];
	size_t rows = 0;
	int rc;

	memset(&it, 0, sizeof(it));
	it.seq = ev->seq;
	it.root = ev->cs;
	it.entered = ev->entered;
	if (!ev->entered) {
		w->purged = 1;
		st = store_q(w->s, "SELECT person FROM scope_case WHERE "
				   "id = ?1",
			     "reading scope");
		store_q_bind_blob(st, 1, ev->cs.b, ID_BYTES);
		if (store_q_row(st) && store_q_col_bytes(st, 0) == ID_BYTES) {
			memcpy(it.subject.b, store_q_col_blob(st, 0),
			       ID_BYTES);
			it.has_subject = 1;
		}
		/* Unreadable: the purge goes without its subject. */
		(void)store_q_end(st, NULL);
		return emit(w, &it);
	}
	rc = registry_subject_bound(w->s, &ev->cs, ev->seq, w->after, w->purged,
				    &bound, w->e);
	if (rc)
		return rc;
	/* The case's records are found through the kin index (on the hub
	 * it holds every record scoped by its parent, node/store_require.h)
	 * and then judged by their own MAC'd columns, so a planted kin row
	 * brings nothing that is not the case's. */
	registry_scope_coll_list(SCHEMA_SCOPE_PARENT, children,
				 sizeof(children));
	snprintf(sql, sizeof(sql),
		 "WITH tree(rid) AS (SELECT rid FROM record WHERE id = ?1 "
		 "UNION ALL SELECT rid FROM record WHERE id = (SELECT person "
		 "FROM scope_case WHERE id = ?1) UNION ALL SELECT k.rid FROM "
		 "kin k WHERE k.coll IN %s AND k.parent = ?1 UNION ALL SELECT "
		 "k2.rid FROM kin k2 WHERE k2.coll IN %s AND k2.parent IN "
		 "(SELECT g.id FROM kin k JOIN record g ON g.rid = k.rid WHERE "
		 "k.coll IN %s AND k.parent = ?1)) " STORE_CHANGE_COLUMNS
		 "WHERE c.rid IN (SELECT rid FROM tree) AND (c.seq <= ?2 OR "
		 "(c.seq > ?2 AND c.origin = ?3) OR (c.seq = (SELECT "
		 "min(f.seq) FROM change f WHERE f.rid = c.rid) AND EXISTS "
		 "(SELECT 1 FROM change o WHERE o.rid = c.rid AND o.seq > ?2 "
		 "AND o.origin = ?3))) AND (r.id = ?1 OR r.parent = ?1 OR "
		 "(SELECT g.parent FROM record g WHERE g.id = r.parent AND "
		 "presidio_mac_ok(g.mac, 'record', g.id, g.coll, g.parent, "
		 "g.deleted, g.vers, g.conflicts)) = ?1 OR r.id = (SELECT "
		 "person FROM scope_case WHERE id = ?1)) AND " SCOPE_ROWS_OK
		 " ORDER BY c.seq",
		 children, children, children);
	st = store_q(w->s, sql, "reading change log");
	store_q_bind_blob(st, 1, ev->cs.b, ID_BYTES);
	store_q_bind_int(st, 2, (int64_t)bound);
	/* From the start (after 0) the walk sends the node's own entries
	 * anyway. */
	store_q_bind_int(st, 3, w->after ? w->node : -1);
	w->seq = ev->seq;
	rc = store_walk_changes(w->s, st, STORE_VALUES_TEXT, walk_backfill, w,
				&rows, w->e);
	if (!rc)
		rc = emit(w, &it);
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
	struct registry_scope_item it;
	int rc;

	/* Not every event was loaded: this page ends at the last one that
	 * was (a seq's events are loaded together), or later ones would be
	 * skipped. */
	if (w->ev_cut && c->seq > w->ev_end) {
		w->stopped = 1;
		return ERR_STOP;
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
	return emit(w, &it);
}

/* The peer's events after its cursor: limit of them, and the others at
 * the last one's seq (a case and its persons share one: a page ends at
 * a seq, so a seq's events are loaded all or none). */
static int load_events(struct scope_walk *w, uint64_t after, size_t limit)
{
	struct store_q *st = store_q(w->s,
				     "SELECT seq, case_id, entered FROM "
				     "scope_event WHERE peer = ?1 AND seq > ?2 "
				     "AND seq <= coalesce((SELECT seq FROM "
				     "scope_event WHERE peer = ?1 AND seq > ?2 "
				     "ORDER BY seq LIMIT 1 OFFSET ?3 - 1), "
				     "9223372036854775807) ORDER BY seq, rowid",
				     "reading scope");
	size_t cap = 0;
	int rc = 0;

	store_q_bind_int(st, 1, w->p->idx);
	store_q_bind_int(st, 2, (int64_t)after);
	store_q_bind_int(st, 3, (int64_t)limit);
	while (store_q_row(st)) {
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
		if (store_q_col_bytes(st, 1) != ID_BYTES) {
			rc = err_set(w->e, ERR_CORRUPT, "malformed scope event");
			goto out;
		}
		w->ev[w->nev].seq = (uint64_t)store_q_col_i64(st, 0);
		memcpy(w->ev[w->nev].cs.b, store_q_col_blob(st, 1), ID_BYTES);
		w->ev[w->nev].entered = store_q_col_int(st, 2);
		w->nev++;
	}
out:
	return store_q_done(st, rc, w->e);
}

/*
 * How a pull reads the log: judging every entry after its cursor, or
 * through its peer's keys (scope_key, registry_scope_key.c), whose
 * lookups cost about as much as judging one entry for each of the peer's
 * cases, on every window read so.  The walk judges a first window of
 * entries (as many as the peer has cases, an eighth of a page at least),
 * and reads on through the keys only when what it found there says that
 * judging on would cost more than the keys: a node that sees little of
 * what comes in (the usual Polo) reads through its keys, one that sees
 * most of it (a new node's first pull of its cases, a regional office)
 * judges the entries.  PRESIDIO_TEST_SCOPE_WALK=keys or =all forces one
 * way, for the tests that check both give the same pages.
 */
enum walk_how { WALK_ALL, WALK_ADAPT, WALK_KEYS };

static int walk_plan(struct scope_walk *w, uint64_t *end, uint64_t *cases,
		     enum walk_how *how, struct err *e)
{
	const char *force = getenv("PRESIDIO_TEST_SCOPE_WALK");
	struct store_q *st;
	int ready = 0, rc = registry_scope_key_ready(w->s, &ready, e);

	*end = 0;
	*cases = 0;
	*how = WALK_ALL;
	if (rc || !ready || (force && !strcmp(force, "all")))
		return rc;
	st = store_q(w->s, "SELECT coalesce(max(seq), 0), (SELECT count(*) "
			   "FROM scope_member WHERE peer = ?1) FROM change",
		     "reading scope");
	store_q_bind_int(st, 1, w->p->idx);
	if (store_q_row(st)) {
		*end = (uint64_t)store_q_col_i64(st, 0);
		*cases = (uint64_t)store_q_col_i64(st, 1);
	}
	*how = force && !strcmp(force, "keys") ? WALK_KEYS : WALK_ADAPT;
	return store_q_end(st, e);
}

/* After a judged window: whether judging on (needed more entries, the
 * density seen so far rows in examined) would cost more than the keys. */
static int keys_cheaper(uint64_t left, uint64_t needed, uint64_t rows,
			uint64_t examined, uint64_t cases)
{
	uint64_t judge = left;

	if (rows && needed / rows < left / (examined ? examined : 1))
		judge = needed * (examined / rows + 1);
	return judge > cases + needed;
}

int registry_scope_log(struct store *s, const struct registry_peer *p,
		       uint64_t after, size_t limit, registry_scope_fn fn,
		       void *ctx, int *more, struct err *e)
{
	struct scope_walk w = { .s = s, .p = p, .fn = fn, .ctx = ctx, .e = e,
				.after = after, .node = -1 };
	size_t evlimit = limit ? limit : 10000;
	char cond[2048], keys[1024], subjects[128];
	char sql_all[4096], sql_keys[5120];
	uint64_t end = 0, cases = 0, lo = after, hi, span;
	uint64_t page = limit ? limit : SCOPE_WINDOW_MIN;
	enum walk_how how = WALK_ALL;
	int64_t node = -1;
	size_t rows = 0, got;
	int keyed;
	int rc = store_require_unlocked(s, e);

	if (!rc)
		rc = registry_scope_peer_node(s, p, &node, e);
	w.node = node;
	*more = 0;
	if (!rc)
		rc = load_events(&w, after, evlimit);
	if (!rc)
		rc = walk_plan(&w, &end, &cases, &how, e);
	if (rc)
		goto out;
	if (w.nev >= evlimit) {
		w.ev_cut = 1;
		w.ev_end = w.ev[w.nev - 1].seq;
	}
	registry_scope_condition(cond, sizeof(cond));
	registry_scope_coll_list(SCHEMA_SCOPE_SUBJECT, subjects,
				 sizeof(subjects));
	registry_scope_key_peer_sql(keys, sizeof(keys));
	/* Entries the peer made itself are not sent back to it, unless it
	 * started over and no longer holds them: then every page up to the
	 * log's end at its restart brings them (peer_rebuild), not only the
	 * first.  The walk reads windows of sequence numbers (?1, ?6]:
	 * through the keys, a window's rows of scope_key are gathered and
	 * sorted before its first entry is judged, and a page needs no more
	 * of them than it sends. */
#define SCOPE_LOG_SQL(restrict)                                                \
	STORE_CHANGE_COLUMNS                                                   \
	"WHERE c.seq > ?1 AND c.seq <= ?6 AND " restrict "(c.origin IS NOT "  \
	"?5 OR c.seq <= coalesce((SELECT upto FROM peer_rebuild WHERE peer = " \
	"?2), 0)) AND %s AND " SCOPE_ROWS_OK " AND (r.coll NOT IN %s OR "     \
	SCOPE_FIRST_OK ") ORDER BY c.seq LIMIT ?4"
	snprintf(sql_all, sizeof(sql_all), SCOPE_LOG_SQL(""), cond, subjects);
	snprintf(sql_keys, sizeof(sql_keys),
		 SCOPE_LOG_SQL("c.seq IN (SELECT k.seq FROM scope_key k WHERE "
			       "k.key IN (%s) AND k.seq > ?1 AND k.seq <= ?6) "
			       "AND "),
		 keys, cond, subjects);
#undef SCOPE_LOG_SQL
	keyed = how == WALK_KEYS;
	if (how == WALK_ALL)
		span = UINT64_MAX;
	else if (keyed)
		span = 4 * page;
	else
		span = cases > page / 8 ? cases : page / 8;
	for (;;) {
		struct store_q *st = store_q(s, keyed ? sql_keys : sql_all,
					     "reading change log");

		hi = span < end - lo && lo < end ? lo + span
						 : (uint64_t)INT64_MAX;
		store_q_bind_int(st, 1, (int64_t)lo);
		store_q_bind_int(st, 2, p->idx);
		store_q_bind_int(st, 3, node);
		store_q_bind_int(st, 4, limit ? (int64_t)(limit - rows) : -1);
		/* From the start (a new or rebuilt node) its own entries
		 * come too: a rebuilt node no longer holds them. */
		store_q_bind_int(st, 5, after ? node : -1);
		store_q_bind_int(st, 6, (int64_t)hi);
		got = 0;
		rc = store_walk_changes(s, st, STORE_VALUES_TEXT, walk_entry,
					&w, &got, e);
		rows += got;
		if (rc || (limit && rows == limit) || hi == (uint64_t)INT64_MAX)
			break;
		if (keyed) {
			span *= 2;
		} else if (keys_cheaper(end - hi, limit ? limit - rows : end - hi,
					rows, hi - after, cases)) {
			keyed = 1;
			span = 4 * page > (end - hi) / 64 ? 4 * page
							  : (end - hi) / 64;
		} else {
			span = UINT64_MAX; /* judge on to the end */
		}
		lo = hi;
	}
	if (rc == ERR_STOP && !w.fn_stopped)
		rc = 0; /* walk_entry() stopped at the last event loaded */
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
	free(w.ev);
	return err_walk_end(rc);
}
