/*
 * audit_wire.h - audit entries on the wire (sync/README.md, "Audit"):
 * a node sends its own entries (node/store_audit.h) to the hub after each
 * push, POST /v1/audit with {"entries":[ENTRY...]}, each
 *   {"n":NSEQ,"at":MS,"operator","role","action","coll":ID,
 *    "record":UUID|null,"count","purpose","glass":0|1,
 *    "prev":HEX64,"hash":HEX64}
 * the node being the one that signed the request.  The hub answers
 * {"audit_ack": the last number it holds}, which hello also says (a hub
 * that says nothing takes no entries: an older one).  Entries carry ids,
 * never values.  Shared by both sides (sync.c's push, hub_audit.c).
 *
 * A hub whose hello says "audit_format": 2 also takes the page deflated
 * (zlib), POST /v1/audit?format=2, with "prev" only in the first entry:
 * each later one's is the hash of the entry before it, which is what the
 * chain means.  An entry is a few hundred bytes of JSON, a third of them
 * the two hashes in hex, and every write makes one: sent as they were,
 * they weighed five times the records a push carries.
 *
 * Format 3 (POST /v1/audit?format=3, offered as "audit_format": 3) is
 * format 2 with "hash" only where it cannot be computed, an anchor's
 * (store_audit_is_anchor()), and on the page's last entry: the hub
 * computes each other hash from the entry and its prev, and the last
 * one given must be what it computed, so an entry of the page that
 * differs from the node's trail still fails.  A hash is 32 random
 * bytes that no compression shortens: half of what an entry weighs
 * deflated.
 *
 * Format 4 (offered as "audit_format": 4) is format 3 with what the hub
 * knows left out, so that a push's audit weighs a few bytes a write, not
 * 31 (sync/README.md, "Audit"):
 *   - "n" only where the number is not the one before's plus one (the
 *     page's first entry, an anchor moved past the hub's last);
 *   - "dt" for "at": the milliseconds since the entry before (signed);
 *     "at" on the page's first entry;
 *   - a write whose change the hub holds (the node's push checkpoint
 *     passed it) names that change instead of the record, 16 random
 *     bytes that nothing compresses: "dchg", its number at the node less
 *     the one the page named before (0 at the page's start).  The hub
 *     reads the record from the change; the entry's hash is over the
 *     record as before, so the chain's last hash refuses a page whose
 *     records are not the node's.  A change the hub does not hold is
 *     refused with 409 "audit_change" (AUDIT_WIRE_UNKNOWN_CHANGE), and
 *     the node sends the page again in format 3.
 */
#ifndef PRESIDIO_SYNC_AUDIT_WIRE_H
#define PRESIDIO_SYNC_AUDIT_WIRE_H

#include <jansson.h>
#include <stdint.h>

#include "common/err.h"
#include "node/store_audit.h"

#define AUDIT_WIRE_PAGE 500           /* entries a request carries */
#define AUDIT_WIRE_PAGE_3 2000 /* from format 3, whose entries weigh half:
				  a quarter of the requests, and of the
				  hub's commits, for a long trail */
#define AUDIT_WIRE_MAX_BODY (1u << 20) /* bytes the hub reads of one */
#define AUDIT_WIRE_FORMAT 4 /* the newest page format: deflated, what
			       the hub knows or computes left out */
#define AUDIT_WIRE_UNKNOWN_CHANGE "audit_change" /* the hub's error code */

/*
 * Writing a page: start it with audit_wire_writer_start(), then one
 * audit_wire_write() an entry, in order.  pushed (format 4): the last of
 * the node's changes the hub holds; a write's entry names its change only
 * up to it.
 */
struct audit_wire_writer {
	int format;
	uint64_t pushed;
	size_t count;           /* entries written in the page */
	uint64_t nseq, at, chg; /* the entry before; the change named last */
	int hashed;             /* the last entry written says its hash */
};

void audit_wire_writer_start(struct audit_wire_writer *w, int format,
			     uint64_t pushed);

/* a as a new JSON object in w's format (NULL when out of memory): "prev"
 * on the page's first entry (every entry in format 1), "hash" where the
 * hub cannot compute it (every entry before format 3).  The page's last
 * entry must say its hash in format 3 and 4: the caller adds it when
 * w->hashed is 0. */
json_t *audit_wire_write(struct audit_wire_writer *w,
			 const struct store_audit_entry *a);

/* The record that the node's change chg wrote, as the reader's holder
 * knows it: 0, ERR_NOTFOUND when it holds no such change, or an ERR_*. */
typedef int (*audit_wire_record_fn)(void *ctx, uint64_t chg,
				    struct id *record, struct err *e);

/*
 * Reading a page of node's entries in format (1 to AUDIT_WIRE_FORMAT),
 * one audit_wire_read() an entry, in order.  record_of answers a format 4
 * entry that names a change (may be NULL for older formats).
 */
struct audit_wire_reader {
	const struct id *node;
	int format;
	audit_wire_record_fn record_of;
	void *ctx;
	size_t count;                 /* entries read */
	struct store_audit_entry last; /* the entry before */
	uint64_t chg;                 /* the change named last */
};

void audit_wire_reader_start(struct audit_wire_reader *r,
			     const struct id *node, int format,
			     audit_wire_record_fn record_of, void *ctx);

/* Read JSON entry j into *a: ERR_INVALID naming the member that is
 * missing or malformed (the hash is checked by store_audit_check()), or
 * what record_of returned.  An entry without "hash" that is no anchor
 * has it computed from the entry and its prev in format 3 and 4, and is
 * refused before. */
int audit_wire_read(struct audit_wire_reader *r, const json_t *j,
		    struct store_audit_entry *a, struct err *e) ERR_MUST_USE;

#endif
