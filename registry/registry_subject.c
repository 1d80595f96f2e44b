/*
 * registry_subject.c - the hub's scope index for subjects (a case's person):
 * who sees a person changes when a case naming it is written, and the
 * scope events that follow (registry_scope.c keeps the cases').
 *
 * A person is seen through any case that names it, or by its creator
 * while no case does (registry_scope.c's scope condition).  A case's write
 * that changes who sees its person (a new case, a case naming another
 * person, a hand-over) records events for the person itself
 * (scope_event.case_id then names the person): it enters a node's scope
 * with its history, or leaves it as a purge.
 */
#include "registry/registry_int.h"

#include <stdlib.h>
#include <string.h>

/* The peers that see person now, as a list of peer.idx (*n of them,
 * allocated in *peers, the caller frees it). */
static int seen_by(struct store *s, const struct id *person, int64_t **peers,
		   size_t *n, struct err *e)
{
	struct store_q *st = NULL;
	size_t cap = 0;
	int rc = 0;

	st = store_q(
	    s,
	    "SELECT p.idx FROM peer p LEFT JOIN node n ON n.id = p.node_id "
	    "WHERE EXISTS (SELECT 1 FROM scope_case sc JOIN scope_member m "
	    "ON m.case_id = sc.id AND m.peer = p.idx WHERE sc.person = ?1) "
	    "OR (NOT EXISTS (SELECT 1 FROM scope_case sc WHERE sc.person = "
	    "?1) AND n.idx IS NOT NULL AND n.idx = (SELECT c.origin FROM "
	    "record r JOIN change c ON c.rid = r.rid WHERE r.id = ?1 ORDER "
	    "BY c.seq LIMIT 1))",
	    "reading scope");
	*peers = NULL;
	*n = 0;
	store_q_bind_blob(st, 1, person->b, ID_BYTES);
	while (store_q_row(st)) {
		if (*n == cap) {
			size_t ncap = cap ? 2 * cap : 16;
			void *p = realloc(*peers, ncap * sizeof(**peers));

			if (!p) {
				rc = err_set(e, ERR_NOMEM, "out of memory");
				goto out;
			}
			*peers = p;
			cap = ncap;
		}
		(*peers)[(*n)++] = store_q_col_i64(st, 0);
	}
out:
	return store_q_done(st, rc, e);
}

static int has_peer(const int64_t *peers, size_t n, int64_t peer)
{
	for (size_t i = 0; i < n; i++)
		if (peers[i] == peer)
			return 1;
	return 0;
}

/* Did the case's own event at seq for peer (entered or left) already
 * carry its person?  It brings the person's history, or purges it. */
static int case_event_covers(struct store *s, uint64_t seq, int64_t peer,
			     const struct id *cs, int entered, int *covered,
			     struct err *e)
{
	struct store_q *st = store_q(s,
				     "SELECT 1 FROM scope_event WHERE peer = "
				     "?1 AND seq = ?2 AND case_id = ?3 AND "
				     "entered = ?4",
				     "reading scope");

	store_q_bind_int(st, 1, peer);
	store_q_bind_int(st, 2, (int64_t)seq);
	store_q_bind_blob(st, 3, cs->b, ID_BYTES);
	store_q_bind_int(st, 4, entered);
	*covered = store_q_row(st);
	return store_q_end(st, e);
}

/*
 * Who sees a person, before and after a case's write, and the events for
 * the peers for whom that changed: a person entering a peer's scope
 * brings its history (its creator's node never had it, and its cursor
 * may be past it), one leaving it is purged there (a creator that loses
 * sight of its person to a case it does not see).  The person's events
 * share the case's seq; one the case's own event carries is not added.
 */
static int subject_events(struct store *s,
			  const struct registry_subject_seen *x,
			  const struct id *cs, const struct id *now_person,
			  uint64_t seq, struct err *e)
{
	int64_t *after = NULL;
	size_t nafter = 0;
	int is_subject = now_person && id_cmp(now_person, &x->person) == 0;
	int rc = seen_by(s, &x->person, &after, &nafter, e);

	for (int entered = 0; !rc && entered <= 1; entered++) {
		const int64_t *from = entered ? after : x->before;
		const int64_t *other = entered ? x->before : after;
		size_t n = entered ? nafter : x->nbefore;
		size_t no = entered ? x->nbefore : nafter;

		for (size_t i = 0; !rc && i < n; i++) {
			int covered = 0;

			if (has_peer(other, no, from[i]))
				continue;
			if (is_subject)
				rc = case_event_covers(s, seq, from[i], cs,
						       entered, &covered, e);
			if (!rc && !covered)
				rc = registry_event_add(s, seq, from[i], &x->person,
					       entered, e);
		}
	}
	free(after);
	return rc;
}

int registry_subjects_before(struct store *s, const struct id *now,
			     const struct id *was, struct registry_subjects *x,
			     struct err *e)
{
	int rc = 0;

	memset(x, 0, sizeof(*x));
	if (now)
		x->sub[x->n++].person = *now;
	if (was && (!now || id_cmp(was, now) != 0))
		x->sub[x->n++].person = *was;
	for (size_t i = 0; !rc && i < x->n; i++)
		rc = seen_by(s, &x->sub[i].person, &x->sub[i].before,
			     &x->sub[i].nbefore, e);
	return rc;
}

int registry_subjects_after(struct store *s, const struct registry_subjects *x,
			    const struct id *cs, const struct id *now,
			    uint64_t seq, struct err *e)
{
	int rc = 0;

	for (size_t i = 0; !rc && i < x->n; i++)
		rc = subject_events(s, &x->sub[i], cs, now, seq, e);
	return rc;
}

void registry_subjects_release(struct registry_subjects *x)
{
	for (size_t i = 0; i < x->n; i++)
		free(x->sub[i].before);
	memset(x, 0, sizeof(*x));
}

/*
 * How far back an entering record's history goes.  A case: its whole
 * history up to the event.  A person (its event names no case): only
 * what the node passed before this pull, since the later entries of a
 * person it now sees come in the walk as ordinary entries, and a
 * person's event is frequent (every case opened for a person its
 * region's Punto di Accesso did not see yet): an empty history costs no
 * page of its own.  After a purge in this walk, the whole history, as
 * for a case: what the walk sent may have gone with the purge.
 */
int registry_subject_bound(struct store *s, const struct id *root, uint64_t seq,
			   uint64_t after, int purged, uint64_t *bound,
			   struct err *e)
{
	struct store_q *st = NULL;
	int rc, is_case;

	*bound = seq;
	if (purged || after >= seq)
		return 0;
	st = store_q(s, "SELECT 1 FROM scope_case WHERE id = ?1",
		     "reading scope");
	store_q_bind_blob(st, 1, root->b, ID_BYTES);
	is_case = store_q_row(st);
	rc = store_q_end(st, e);
	if (!rc && !is_case)
		*bound = after;
	return rc;
}
