/*
 * registry_sweep.c - the hub's tombstone sweep: a settled tombstone is
 * purged (store_purge()) once every enrolled, unrevoked peer that sees it
 * has acknowledged its last change; a peer silent past the horizon is
 * marked to start over instead of holding the purge back.
 */
#include "registry/registry_int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "node/store_backup.h"
#include "node/store_erase.h"

struct tomb {
	struct id id;
	uint64_t last; /* the record's last change here */
};

static int mark_rebootstrap(struct store *s, int64_t peer, struct err *e)
{
	return registry_peer_write(s, peer,
				   "UPDATE peer SET rebootstrap = 1 WHERE "
				   "idx = ?1",
				   0, 0, "updating node", e);
}

struct sweep {
	struct store *s;
	struct registry_peer *peers;
	size_t n, cap;
	int64_t stale_before; /* unix seconds */
	struct err *e;
};

static int keep_peer(void *ctx, const struct registry_peer *p)
{
	struct sweep *w = ctx;

	if (!p->enrolled || p->revoked)
		return 0;
	if (w->n == w->cap) {
		size_t ncap = w->cap ? 2 * w->cap : 16;
		void *np = realloc(w->peers, ncap * sizeof(*w->peers));

		if (!np)
			return err_set(w->e, ERR_NOMEM, "out of memory");
		w->peers = np;
		w->cap = ncap;
	}
	w->peers[w->n++] = *p;
	return 0;
}

/* Purge t unless a peer in touch has not acknowledged it; peers out of
 * touch that have not are marked to start over. */
static int sweep_one(struct sweep *w, const struct tomb *t, uint64_t *purged)
{
	int blocked = 0, sees = 0;
	int rc = 0;

	for (size_t i = 0; !rc && i < w->n && !blocked; i++) {
		const struct registry_peer *p = &w->peers[i];

		if (p->pull_ack >= t->last)
			continue;
		rc = registry_scope_sees(w->s, p, &t->id, &sees, w->e);
		if (!rc && sees && p->last_contact >= w->stale_before)
			blocked = 1;
	}
	if (rc || blocked)
		return rc;
	for (size_t i = 0; !rc && i < w->n; i++) {
		const struct registry_peer *p = &w->peers[i];

		if (p->pull_ack >= t->last)
			continue;
		rc = registry_scope_sees(w->s, p, &t->id, &sees, w->e);
		if (!rc && sees)
			rc = mark_rebootstrap(w->s, p->idx, w->e);
	}
	if (!rc)
		rc = store_purge(w->s, &t->id, w->e);
	if (!rc)
		(*purged)++;
	return rc;
}

int registry_tombstone_sweep(struct store *s, int64_t horizon_s,
			     uint64_t *purged, struct err *e)
{
	struct sweep w = { s, NULL, 0, 0, (int64_t)time(NULL) - horizon_s, e };
	struct tomb *t = NULL;
	size_t nt = 0, cap = 0;
	struct store_q *st = NULL;
	int rc = store_require_unlocked(s, e);

	*purged = 0;
	if (rc)
		return rc;
	rc = registry_peer_list(s, keep_peer, &w, e);
	if (rc)
		goto out;
	st = store_q(s,
		     "SELECT r.id, (SELECT max(seq) FROM change c "
		     "WHERE c.rid = r.rid) FROM record r WHERE "
		     "r.deleted = 1 AND r.conflicts = 0",
		     "reading records");
	while (!rc && store_q_row(st)) {
		if (store_q_col_bytes(st, 0) != ID_BYTES) {
			rc = err_set(e, ERR_CORRUPT, "reading records: "
				     "database is damaged: malformed id");
			break;
		}
		if (nt == cap) {
			size_t ncap = cap ? 2 * cap : 64;
			void *np = realloc(t, ncap * sizeof(*t));

			if (!np) {
				rc = err_set(e, ERR_NOMEM,
					     "reading records: out of memory");
				break;
			}
			t = np;
			cap = ncap;
		}
		memcpy(t[nt].id.b, store_q_col_blob(st, 0), ID_BYTES);
		t[nt].last = (uint64_t)store_q_col_i64(st, 1);
		nt++;
	}
	rc = store_q_done(st, rc, e);
	/* One transaction per tombstone: a long sweep does not hold the
	 * nodes' pushes back. */
	for (size_t i = 0; !rc && i < nt; i++) {
		int opened = 0;

		rc = store_tx_begin(s, &opened, e);
		if (!rc)
			rc = sweep_one(&w, &t[i], purged);
		rc = store_tx_end(s, opened, rc, e);
	}
out:
	free(t);
	free(w.peers);
	return rc;
}

/*
 * A hub restored from a backup lost what it applied after it: nodes'
 * pull cursors may point past its log, and the numbers it gives its own
 * changes from now on may be ones the nodes already hold from before.
 * Every node starts over: it pushes first what the hub lacks of its own
 * changes (hello's push_ack is the hub's, lower than its checkpoint:
 * sync/sync.c push_start()), then forgets its records and pulls its scope
 * again, its own changes included (peer_rebuild).  Done once, with the
 * mark cleared in the same transaction.
 */
int registry_restored_recover(struct store *s, uint64_t *marked,
			      struct err *e)
{
	struct sweep w;
	uint64_t mark = 0, orphans = 0;
	int opened = 0;
	int rc = store_tx_begin(s, &opened, e);

	*marked = 0;
	memset(&w, 0, sizeof(w));
	w.s = s;
	w.e = e;
	if (!rc)
		rc = store_restored(s, &mark, e);
	if (rc || !mark)
		goto out;
	rc = registry_peer_list(s, keep_peer, &w, e);
	for (size_t i = 0; !rc && i < w.n; i++) {
		rc = mark_rebootstrap(s, w.peers[i].idx, e);
		if (!rc)
			(*marked)++;
	}
	/* Persons erased after the backup: their records came back without
	 * their keys; erased again, and told to the nodes once more. */
	if (!rc)
		rc = store_erase_orphans(s, &orphans, e);
	if (!rc)
		rc = store_restored_clear(s, e);
out:
	free(w.peers);
	return store_tx_end(s, opened, rc, e);
}
