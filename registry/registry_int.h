/*
 * registry_int.h - internals shared by the registry's source files; not
 * part of its API (registry/registry.h).  The registry runs on the hub's
 * store, through what the store offers modules on its database
 * (node/store_ext.h: transactions, row MACs, record rows, the log walker)
 * and its statement helper (node/store_sql.h), never its internals.
 *
 *   registry_peer.c      peers, tokens, enrollment, nonces, cursors
 *   registry_scope.c     the scope index and the write hook that keeps it
 *   registry_subject.c   a case's subject entering or leaving a scope
 *   registry_scope_log.c the log as one peer may see it
 *   registry_scope_key.c the log by who may see it (what a pull reads)
 *   registry_handover.c  a change made while its node still held its case
 *   registry_check.c     the rules a pushed change keeps beyond its scope
 *   registry_refused.c   changes refused whole, kept sealed
 *   registry_sweep.c     the tombstone sweep
 */
#ifndef PRESIDIO_REGISTRY_INT_H
#define PRESIDIO_REGISTRY_INT_H

#include "node/store_ext.h"
#include "node/store_sql.h"
#include "registry/registry.h"

/* Record that case root entered (1) or left (0) peer's scope at hub
 * sequence seq (registry_scope.c): the pull walks these events. */
int registry_event_add(struct store *s, uint64_t seq, int64_t peer,
		       const struct id *root, int entered, struct err *e);

/* A root record (case) was written by change seq; keep the scope
 * index and the scope events up to date (registry_scope.c). */
int registry_scope_note(struct store *s, const struct id *id,
			const struct schema_collection *coll,
			const json_t *fields, int64_t origin, uint64_t seq,
			struct err *e);

/* Who sees the persons a case's write concerns (the one it names
 * now, the one it named before; NULL: none), taken before the write, and
 * the scope events of the peers for whom that changed, after it (the
 * case's own events first: one that carries the person is not doubled).
 * registry/registry_subject.c. */
struct registry_subject_seen {
	struct id person;
	int64_t *before; /* peer.idx of those that saw it before */
	size_t nbefore;
};

struct registry_subjects {
	struct registry_subject_seen sub[2];
	size_t n;
};

int registry_subjects_before(struct store *s, const struct id *now,
			     const struct id *was, struct registry_subjects *x,
			     struct err *e);
int registry_subjects_after(struct store *s, const struct registry_subjects *x,
			    const struct id *cs, const struct id *now,
			    uint64_t seq, struct err *e);
void registry_subjects_release(struct registry_subjects *x);

/* The last seq of the history an entering root's event (at seq) of
 * a pull walking after its cursor brings; purged: the walk purged
 * something before (registry/registry_subject.c). */
int registry_subject_bound(struct store *s, const struct id *root, uint64_t seq,
			   uint64_t after, int purged, uint64_t *bound,
			   struct err *e);

/* Decide every case for one peer (added or enrolled). */
int registry_scope_peer_init(struct store *s, int64_t peer, struct err *e);

/* c's scope class as the hub judges it: schema_scope_of(), except that a
 * parent chain not ending at a case (a root) is SHARED. */
enum schema_scope registry_scope_class(const struct schema_collection *c);

/* Collection ids of one class (registry_scope_class()) as an SQL list
 * "(1,2)", "(0)" when none. */
void registry_scope_coll_list(enum schema_scope cls, char *out, size_t n);

/* The WHERE condition "record r is in peer ?2's scope" (node.idx of the
 * peer in ?3, -1 when not enrolled), into out. */
void registry_scope_condition(char *out, size_t n);

/* A record written by change w->seq: its keys into scope_key, so that
 * pulls find the entry (registry_scope_key.c). */
int registry_scope_key_note(struct store *s, const struct store_write *w,
			    struct err *e);

/* *ready = 1 when scope_key holds every entry of the log
 * (registry_scope_key_sync() ran for this schema): pulls may read it. */
int registry_scope_key_ready(struct store *s, int *ready, struct err *e);

/* An SQL query of the keys of peer ?2 (node.idx ?3, -1 when not
 * enrolled), into out: the scope_key rows of these keys are every entry
 * the peer may see, and more. */
void registry_scope_key_peer_sql(char *out, size_t n);

/* node.idx of an enrolled peer, -1 otherwise. */
int registry_scope_peer_node(struct store *s, const struct registry_peer *p,
			     int64_t *idx, struct err *e);

/* *refused 1 when a change of peer made at version time hlc was refused
 * whole and kept (registry_refused_keep()), registry_refused.c. */
int registry_refused_at(struct store *s, int64_t peer, uint64_t hlc,
			int *refused, struct err *e);

/* Run sql (?1 = idx, ?2 = a, ?3 = b) on the row of peer idx,
 * checked before and authenticated again after (registry_peer.c). */
int registry_peer_write(struct store *s, int64_t idx, const char *sql,
			int64_t a, int64_t b, const char *what, struct err *e);

#endif
