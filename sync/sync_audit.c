/*
 * sync_audit.c - a node's side of the audit trail on the wire
 * (sync/audit_wire.h, sync/README.md "Audit"): its own entries after the
 * hub's audit_ack, posted a page at a time after the round's push.
 */
#include "sync/sync_int.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "common/zflate.h"
#include "sync/audit_wire.h"

struct audit_page {
	json_t *list;
	struct err *e;
	size_t bytes; /* of the last page posted */
	uint64_t upto; /* the last entry when the push began */
	int format;   /* the hub's newest page format (audit_wire.h) */
};

static int add_entry(void *ctx, const struct store_audit_entry *a)
{
	struct audit_page *pg = ctx;

	/* Entries written meanwhile wait for the next round: a round
	 * chasing reads noted faster than the link carries them would
	 * never get to its pull (as push_all() stops at the log's end). */
	if (a->nseq > pg->upto)
		return ERR_STOP;
	/* Format 2: "prev" in the page's first entry only. */
	if (json_array_append_new(pg->list,
				  audit_wire_entry(a, pg->format < 2 ||
						       !json_array_size(
							   pg->list))))
		return err_set(pg->e, ERR_NOMEM, "out of memory");
	return 0;
}

/* Post one page (entries: stolen) in format (1: JSON, 2: deflated);
 * *ack the hub's answer, *bytes the body's size. */
static int post_page(struct conn *k, json_t *entries, int format,
		     uint64_t *ack, size_t *bytes, struct err *e)
{
	struct client_response r;
	json_t *body = json_pack("{so}", "entries", entries);
	json_t *doc = NULL;
	uint8_t *text = NULL, *z = NULL;
	size_t n = body ? json_dumpb(body, NULL, 0, JSON_COMPACT) : 0;
	size_t zlen = 0;
	int rc = 0;

	client_response_init(&r);
	*bytes = n;
	if (!n || !(text = malloc(n)) ||
	    json_dumpb(body, (char *)text, n, JSON_COMPACT) != n) {
		rc = err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	if (format >= 2) {
		rc = zflate_deflate(text, n, 6, &z, &zlen, e);
		if (rc)
			goto out;
		*bytes = zlen;
		rc = sync_request(k, "POST", "/v1/audit?format=2", z, zlen, &r,
				  e);
	} else {
		rc = sync_request(k, "POST", "/v1/audit", text, n, &r, e);
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
	json_decref(body);
	if (text) {
		sodium_memzero(text, n);
		free(text);
	}
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

int sync_audit_push(struct conn *k, const json_t *hello, struct err *e)
{
	struct audit_page pg = { NULL, e, 0, 0, 1 };
	uint64_t format = 1;
	uint8_t hash[STORE_AUDIT_HASHBYTES];
	struct sync_pace pace;
	uint64_t ack = 0, next = 0, acked = 0, moved = 0;
	size_t asked;
	int rc = 0;

	if (sync_json_u64(hello, "audit_ack", &ack))
		return 0;
	/* A hub of an older build says no format: it reads format 1. */
	if (!sync_json_u64(hello, "audit_format", &format) && format >= 2)
		pg.format = 2;
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
	if (rc)
		return rc;
	/* Pages sized by what the link carries, as pushes are
	 * (sync_pace.c): a mobile team's link may cut a large one every
	 * time. */
	sync_pace_init(k->s, &pace, SYNC_CK_AUDIT_PAGE, 0, AUDIT_WIRE_PAGE, 0);
	for (;;) {
		pg.list = json_array();
		if (!pg.list)
			return err_set(e, ERR_NOMEM, "out of memory");
		rc = store_audit_own(k->s, ack, pace.limit, add_entry, &pg, e);
		asked = json_array_size(pg.list);
		if (rc || asked == 0)
			break;
		pace.cut = 0;
		k->pacing = &pace;
		rc = post_page(k, pg.list, pg.format, &next, &pg.bytes, e);
		k->pacing = NULL;
		pg.list = NULL;
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
	json_decref(pg.list);
	if (!rc)
		rc = sync_pace_save(k->s, &pace, e);
	return rc;
}
