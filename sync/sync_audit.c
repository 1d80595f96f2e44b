/*
 * sync_audit.c - a node's side of the audit trail on the wire
 * (sync/audit_wire.h, sync/README.md "Audit"): its own entries after the
 * hub's audit_ack, posted a page at a time after the round's push.
 */
#include "sync/sync_int.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/zflate.h"
#include "sync/audit_wire.h"

/* A page of entries being read, written as JSON text as they come: a
 * page of format 3 holds 2,000 entries, and a tree of them would weigh
 * megabytes where their text weighs hundreds of kilobytes. */
struct audit_page {
	struct buf text; /* {"entries":[ENTRY,... so far */
	struct audit_wire_writer w; /* the page's entries, in its format */
	struct err *e;
	size_t bytes; /* of the last page posted */
	uint64_t upto; /* the last entry when the push began */
	uint64_t pushed; /* the last change of this node the hub holds */
	int format;   /* the hub's newest page format (audit_wire.h) */
	uint8_t last_hash[STORE_AUDIT_HASHBYTES]; /* of the page's last */
};

#define PAGE_OPEN "{\"entries\":["
#define PAGE_ROOM 128 /* bytes: ",", the last hash, "]}" */

static int add_entry(void *ctx, const struct store_audit_entry *a)
{
	struct audit_page *pg = ctx;
	struct audit_wire_writer was = pg->w;
	json_t *j;
	size_t n;
	int rc = 0;

	/* Entries written meanwhile wait for the next round: a round
	 * chasing reads noted faster than the link carries them would
	 * never get to its pull (as push_all() stops at the log's end). */
	if (a->nseq > pg->upto)
		return ERR_STOP;
	j = audit_wire_write(&pg->w, a);
	n = j ? json_dumpb(j, NULL, 0, JSON_COMPACT) : 0;
	/* The page ends where the hub's bound on it would pass (room kept
	 * for the last hash and the closing). */
	if (n && was.count &&
	    pg->text.len + n + PAGE_ROOM > AUDIT_WIRE_MAX_BODY) {
		json_decref(j);
		pg->w = was;
		return ERR_STOP;
	}
	if (!n || (was.count && buf_append(&pg->text, ",", 1)) ||
	    buf_reserve(&pg->text, n) ||
	    json_dumpb(j, (char *)buf_tail(&pg->text), n, JSON_COMPACT) != n)
		rc = err_set(pg->e, ERR_NOMEM, "out of memory");
	else
		buf_advance(&pg->text, n);
	json_decref(j);
	if (rc)
		return rc;
	memcpy(pg->last_hash, a->hash, sizeof(pg->last_hash));
	return 0;
}

/* Post pg's page in its format (1: JSON, 2 to 4: deflated); *ack the
 * hub's answer, pg->bytes the body's size. */
static int post_page(struct conn *k, struct audit_page *pg, uint64_t *ack,
		     struct err *e)
{
	struct client_response r;
	json_t *doc = NULL;
	uint8_t *z = NULL;
	char hash[2 * STORE_AUDIT_HASHBYTES + 16], path[32];
	size_t zlen = 0;
	int format = pg->w.format, rc = 0;

	client_response_init(&r);
	/* Format 3: the last entry's hash, which the hub's must match (the
	 * entry's text ends with its closing brace). */
	if (format >= 3 && !pg->w.hashed) {
		memcpy(hash, ",\"hash\":\"", 9);
		sodium_bin2hex(hash + 9, 2 * STORE_AUDIT_HASHBYTES + 1,
			       pg->last_hash, sizeof(pg->last_hash));
		memcpy(hash + 9 + 2 * STORE_AUDIT_HASHBYTES, "\"}", 3);
		pg->text.len--;
		if (buf_append(&pg->text, hash, strlen(hash)))
			rc = err_set(e, ERR_NOMEM, "out of memory");
	}
	if (!rc && buf_append(&pg->text, "]}", 2))
		rc = err_set(e, ERR_NOMEM, "out of memory");
	if (rc)
		goto out;
	pg->bytes = pg->text.len;
	if (format >= 2) {
		rc = zflate_deflate(pg->text.data, pg->text.len, 6, &z, &zlen,
				    e);
		if (rc)
			goto out;
		pg->bytes = zlen;
		snprintf(path, sizeof(path), "/v1/audit?format=%d", format);
		rc = sync_request(k, "POST", path, z, zlen, &r, e);
	} else {
		rc = sync_request(k, "POST", "/v1/audit", pg->text.data,
				  pg->text.len, &r, e);
	}
	/* A change named that the hub does not hold (purged there since
	 * it was pushed): the page goes again naming records. */
	if (!rc && r.status == 409 && format >= 4 &&
	    sync_error_code_is(&r, AUDIT_WIRE_UNKNOWN_CHANGE)) {
		rc = ERR_NOTFOUND;
		goto out;
	}
	if (!rc && r.status != 200)
		rc = sync_hub_refused(&r, "audit", e);
	if (!rc) {
		doc = sync_json_load(r.body, r.len);
		if (sync_json_u64(doc, "audit_ack", ack))
			rc = err_set(e, ERR_INVALID, "audit: malformed answer "
				     "from the hub");
	}
out:
	json_decref(doc);
	free(z);
	client_response_release(&r);
	return rc;
}

/* The hub's last entry of this node (hello): its hash into hash. */
static int hub_hash(const json_t *hello, uint8_t *hash, struct err *e)
{
	const char *hex = json_string_value(json_object_get(hello,
							    "audit_hash"));
	size_t got = 0;

	if (!hex || strlen(hex) != 2 * STORE_AUDIT_HASHBYTES ||
	    sodium_hex2bin(hash, STORE_AUDIT_HASHBYTES, hex, strlen(hex), NULL,
			   &got, NULL) ||
	    got != STORE_AUDIT_HASHBYTES)
		return err_set(e, ERR_INVALID, "hello: malformed audit_hash");
	return 0;
}

int sync_audit_push(struct conn *k, const json_t *hello, int most,
		    struct err *e)
{
	struct audit_page pg = { .e = e, .format = 1 };
	int format4 = 1; /* until the hub misses a change named */
	uint64_t format = 1;
	uint8_t hash[STORE_AUDIT_HASHBYTES];
	struct sync_pace pace;
	uint64_t ack = 0, next = 0, acked = 0, moved = 0;
	size_t asked;
	int rc = 0;

	buf_init(&pg.text, AUDIT_WIRE_MAX_BODY);
	if (sync_json_u64(hello, "audit_ack", &ack))
		return 0;
	/* A hub of an older build says no format: it reads format 1. */
	if (!sync_json_u64(hello, "audit_format", &format) && format >= 2)
		pg.format = format < AUDIT_WIRE_FORMAT ? (int)format
						       : AUDIT_WIRE_FORMAT;
	if (most > 0 && pg.format > most)
		pg.format = most;
	/* A node behind what the hub holds of its trail (restored from a
	 * backup) goes on from the hub's last entry (store_audit_align()). */
	rc = hub_hash(hello, hash, e);
	if (!rc && store_checkpoint_get(k->s, SYNC_CK_AUDIT_ACKED, &acked,
					NULL))
		acked = 0;
	if (!rc)
		rc = store_audit_align(k->s, ack, hash, acked, &moved, e);
	if (!rc)
		rc = store_audit_own_last(k->s, &pg.upto, e);
	/* Format 4 names the changes of the writes the hub acknowledged. */
	if (!rc && store_checkpoint_get(k->s, SYNC_CK_PUSH, &pg.pushed, NULL))
		pg.pushed = 0;
	if (rc)
		return rc;
	/* Pages sized by what the link carries, as pushes are
	 * (sync_pace.c): a mobile team's link may cut a large one every
	 * time. */
	sync_pace_init(k->s, &pace, SYNC_CK_AUDIT_PAGE, 0,
		       pg.format >= 3 ? AUDIT_WIRE_PAGE_3 : AUDIT_WIRE_PAGE, 0);
	for (;;) {
		buf_reset(&pg.text);
		audit_wire_writer_start(&pg.w,
					format4 || pg.format < 4 ? pg.format : 3,
					pg.pushed);
		if (buf_append(&pg.text, PAGE_OPEN, strlen(PAGE_OPEN))) {
			rc = err_set(e, ERR_NOMEM, "out of memory");
			break;
		}
		rc = store_audit_own(k->s, ack, pace.limit, add_entry, &pg, e);
		asked = pg.w.count;
		if (rc || asked == 0)
			break;
		pace.cut = 0;
		k->pacing = &pace;
		rc = post_page(k, &pg, &next, e);
		k->pacing = NULL;
		if (rc == ERR_NOTFOUND && format4) {
			format4 = 0;
			continue;
		}
		if (rc == ERR_IO && sync_pace_shrink(k, &pace, asked, pg.bytes))
			continue;
		if (!rc && next <= ack)
			rc = err_set(e, ERR_INVALID,
				     "audit: the hub took nothing");
		if (!rc)
			rc = store_checkpoint_set(k->s, SYNC_CK_AUDIT_ACKED,
						  next, e);
		if (rc)
			break;
		if (asked >= pace.limit)
			sync_pace_grow(&pace, asked);
		ack = next;
	}
	buf_release(&pg.text);
	if (!rc)
		rc = sync_pace_save(k->s, &pace, e);
	return rc;
}
