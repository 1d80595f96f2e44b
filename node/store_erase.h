/*
 * store_erase.h - erasure by key destruction (cancellazione): a person's
 * records made unreadable everywhere by destroying the person's key
 * (node/store_pkey.h), decided on the hub and applied by every node at its
 * next contact (sync/README.md, "Erasure").
 *
 * What an erasure does, in one transaction of the store (the keys file's
 * committed just before it):
 *   - each record sealed under the person's key (the person, the cases
 *     naming it, everything under them) keeps only the values of fields
 *     not marked personal (SCHEMA_PERSONAL: region, stage, dates, codes),
 *     sealed again under the data key and marked erased, so that reports
 *     keep their counts; a record whose values no longer open (the key
 *     already gone: a backup restored without it) is removed whole;
 *   - their change-log entries, refusals and rejections go (their values
 *     are under the destroyed key, and nothing may bring them back), the
 *     sequence floor raised first (node/store_sync.h);
 *   - the person's key is deleted (secure_delete zeroes its page, and the
 *     keys file's WAL is folded in after the commit);
 *   - the memos (caches of what views derive, names included) are dropped;
 *   - a row is added to table erasure, and an audit entry ("erase").
 * After it every copy of the person's personal values, in this database's
 * free pages, its backups and the hub's, is sealed under a key that no
 * longer exists once the last keys backup older than the erasure is gone
 * (README, "Erasure").  Records of the person are never written again:
 * a write, local or received, is refused (ERR_GONE).
 *
 * Who may: on the hub, the focal_point or its coordinatore, who manage
 * its operators (store_erase_decide()); a node
 * applies the hub's decisions (store_erase_apply(), called by sync with
 * whatever operator it runs as).
 */
#ifndef PRESIDIO_STORE_ERASE_H
#define PRESIDIO_STORE_ERASE_H

#include <stdint.h>

#include "common/err.h"
#include "common/id.h"
#include "node/keyslot.h"

struct store;

/* Why (a code, in the erasure list and the audit trail). */
#define STORE_ERASE_REQUEST "richiesta_interessato"   /* GDPR art. 17 */
#define STORE_ERASE_RETENTION "termine_conservazione" /* retention ended */
#define STORE_ERASE_KEY_GONE "chiave_assente" /* found without its key */
#define STORE_ERASE_REASON_MAX 24

struct store_erasure {
	uint64_t seq;     /* its number in this store's list */
	struct id person;
	uint64_t records; /* records made unreadable here */
	char reason[STORE_ERASE_REASON_MAX];
	char operator[KEYSLOT_OPERATOR_MAX]; /* who decided (on the hub) */
	int64_t at;       /* unix seconds */
};

/* 1 when reason is one of the codes above (a person decides only the
 * first two). */
int store_erase_reason_ok(const char *reason);

/*
 * Hub: erase person for reason, by the focal_point or the coordinatore
 * signed in (ERR_DENIED for any other role, ERR_INVALID on a node or for a bad reason,
 * ERR_EXISTS when already erased).  out (may be NULL) gets the list's new
 * entry.
 */
int store_erase_decide(struct store *s, const struct id *person,
		       const char *reason, struct store_erasure *out,
		       struct err *e) ERR_MUST_USE;

/*
 * Node: apply the hub's decision d (its person, reason and operator; the
 * seq is this store's own).  Applying one already applied does nothing
 * (*records = 0).  Unlocked store; any role.
 */
int store_erase_apply(struct store *s, const struct store_erasure *d,
		      uint64_t *records, struct err *e) ERR_MUST_USE;

/*
 * Hub, after a restore: every person whose records are here but whose key
 * is not (the data restored from a backup older than an erasure whose
 * list entry it lacks, with the keys of now) is erased again, reason
 * STORE_ERASE_KEY_GONE, so that the hub serves none of them and its list
 * tells the nodes once more.  *persons erased.  In the open transaction.
 */
int store_erase_orphans(struct store *s, uint64_t *persons,
			struct err *e) ERR_MUST_USE;

typedef int (*store_erasure_fn)(void *ctx, const struct store_erasure *d);

/* The erasures with seq > after, in order, at most max (0: all). */
int store_erasure_list(struct store *s, uint64_t after, size_t max,
		       store_erasure_fn fn, void *ctx,
		       struct err *e) ERR_MUST_USE;

/* *yes = 1 when person is in this store's erasure list. */
int store_erased(struct store *s, const struct id *person, int *yes,
		 struct err *e) ERR_MUST_USE;

/* The highest seq of the list (0: none). */
int store_erasure_last(struct store *s, uint64_t *seq,
		       struct err *e) ERR_MUST_USE;

#endif
