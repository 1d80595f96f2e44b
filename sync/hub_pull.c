/*
 * hub_pull.c - GET /v1/pull?after=N&limit=M&ack=K: the changes of a node's
 * scope after its cursor, as a batch signed by the hub.
 *
 * The batch carries, besides the changes, meta {"cursor","more","purge"}:
 * cursor is the hub sequence number the node may resume after once it has
 * applied the batch (it does both in one transaction); purge lists the
 * records to drop, as [index, id] pairs meaning "before change index",
 * because a case can leave the scope and come back within one batch.  K
 * is the cursor the node has committed (at most N: a node may fetch ahead
 * of what it applied); the tombstone purge waits for it.  A node marked
 * to re-bootstrap (registry_tombstone_sweep()) gets an empty batch with
 * "rebootstrap": true until it confirms, once it has forgotten its
 * records, by asking from 0 with "restart=1" (after=0 alone is no proof:
 * the node may have refused to forget).  A node restored from a backup
 * says "restored=1" in its first pull after the restore: from there its
 * pages bring its own entries too, up to the log's end at that request
 * (registry_peer_restored(), sync/README.md "Restore").
 */
#include "sync/hub_int.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sync/batch.h"

struct pull {
	struct store *s;
	const struct registry_peer *p;
	struct sync_batch *b;
	json_t *purge;
	size_t limit;
	uint64_t cursor; /* last seq fully emitted */
	uint64_t cur;    /* seq of the items being emitted */
	int more;        /* pull_item() ended the page: the batch is full */
	struct err *e;
};

static int add_purge(struct pull *x, const struct id *id)
{
	char hex[2 * ID_BYTES + 1];

	hub_hex_id(id, hex);
	if (json_array_append_new(x->purge,
				  json_pack("[Is]",
					    (json_int_t)sync_batch_count(x->b),
					    hex)))
		return err_set(x->e, ERR_NOMEM, "out of memory");
	return 0;
}

static int pull_item(void *ctx, const struct registry_scope_item *it)
{
	struct pull *x = ctx;
	int rc, visible = 0;

	/* A new sequence number: everything before it is complete. */
	if (it->seq != x->cur) {
		x->cursor = x->cur;
		x->cur = it->seq;
		/* A batch is full (its changes, its bytes, or its purge
		 * list: the node takes SYNC_BATCH_MAX_PURGE entries at
		 * most, and one sequence number adds a few), and a case
		 * entering the scope starts a batch of its own: its whole
		 * history goes in one. */
		if (sync_batch_count(x->b) >= x->limit ||
		    sync_batch_bytes(x->b) >= SYNC_BATCH_TARGET_BYTES ||
		    json_array_size(x->purge) >= SYNC_BATCH_MAX_PURGE / 2 ||
		    (it->backfill && sync_batch_count(x->b) > 0)) {
			x->more = 1;
			return ERR_STOP;
		}
	}
	if (it->change) {
		rc = sync_batch_add(x->b, it->change);
		return rc ? err_set(x->e, rc, "batch full: %s",
				    "a case's history exceeds one batch")
			  : 0;
	}
	if (it->entered)
		return 0;
	rc = add_purge(x, &it->root);
	/* The case's person goes too unless another case still shows it. */
	if (!rc && it->has_subject)
		rc = registry_scope_sees(x->s, x->p, &it->subject, &visible,
					 x->e);
	if (!rc && it->has_subject && !visible)
		rc = add_purge(x, &it->subject);
	return rc;
}

static int parse_u64(const char *text, uint64_t *v)
{
	char *end = NULL;

	if (!text || *text < '0' || *text > '9' || strlen(text) > 19)
		return -1;
	*v = strtoull(text, &end, 10);
	return *end ? -1 : 0;
}

/* An empty batch telling the node to forget everything and pull from 0. */
static void pull_restart(struct hub *h, struct http_response *res)
{
	struct sync_batch *b = NULL;
	uint8_t *env = NULL;
	size_t envlen = 0;
	struct err e;
	int rc;

	err_init(&e);
	rc = sync_batch_new(&b) ? err_set(&e, ERR_NOMEM, "out of memory") : 0;
	if (!rc)
		rc = sync_batch_set_meta(b, json_pack("{sisbs[]sb}", "cursor", 0,
						      "more", 1, "purge",
						      "rebootstrap", 1));
	if (!rc)
		rc = sync_batch_seal(b, &h->hub_id, h->ident.sk, &env, &envlen,
				     NULL, &e);
	sync_batch_free(b);
	if (rc) {
		hub_store_error(res, rc, &e);
		return;
	}
	http_response_take(res, 200, "application/octet-stream", env, envlen);
}

void hub_handle_pull(struct hub *h, struct store *s,
		     const struct http_request *req, struct http_response *res)
{
	struct registry_peer p;
	struct pull x;
	uint64_t after = 0, limit = 0, ack = 0, count = 0;
	int more = 0;
	const char *restart = http_request_query(req, "restart");
	const char *restored = http_request_query(req, "restored");
	const char *format = http_request_query(req, "format");
	uint8_t *env = NULL;
	size_t envlen = 0;
	char path[96];
	struct err e;
	int rc;

	err_init(&e);
	memset(&x, 0, sizeof(x));
	if (parse_u64(http_request_query(req, "after"), &after) ||
	    parse_u64(http_request_query(req, "limit"), &limit) ||
	    parse_u64(http_request_query(req, "ack"), &ack) || limit == 0 ||
	    ack > after ||
	    (restart && (strcmp(restart, "1") != 0 || after != 0)) ||
	    (restored && (strcmp(restored, "1") != 0 || restart)) ||
	    (format && (strcmp(format, "2") != 0 || h->batch_format < 2))) {
		http_response_error(res, 400, "invalid",
				    "pull needs after=N, limit=M and ack=K "
				    "(K <= N), restart=1 only with after=0, "
				    "restored=1 only without restart, format "
				    "only 2 and only when hello offers it");
		return;
	}
	snprintf(path, sizeof(path),
		 "/v1/pull?after=%" PRIu64 "&limit=%" PRIu64 "&ack=%" PRIu64
		 "%s%s",
		 after, limit, ack,
		 restart ? "&restart=1" : restored ? "&restored=1" : "",
		 format ? "&format=2" : "");
	if (hub_authenticate(s, req, path, &p, res))
		return;
	if (p.record_cap) {
		rc = registry_scope_count(s, &p, &count, &e);
		if (rc) {
			hub_store_error(res, rc, &e);
			return;
		}
		if (count > p.record_cap) {
			http_response_error(res, 409, "over_cap",
					    "this node's scope holds %" PRIu64
					    " records, above its cap of %" PRIu64,
					    count, p.record_cap);
			return;
		}
	}
	/* Tombstones it never saw were purged while it was away: it starts
	 * over (its own changes were pushed first), and says so when it has
	 * forgotten its records: only then is the mark cleared. */
	if (p.rebootstrap && !restart) {
		pull_restart(h, res);
		return;
	}
	/* Restored from a backup (node/store_backup.h): its own changes
	 * after its cursor come back with the others, up to the log's end
	 * now, and the purge of tombstones waits for its cursor again. */
	if (restored && !p.rebootstrap) {
		rc = registry_peer_restored(s, p.idx, ack, &e);
		if (rc) {
			hub_store_error(res, rc, &e);
			return;
		}
	}
	if (p.rebootstrap) {
		rc = registry_peer_rebootstrapped(s, p.idx, &e);
		if (rc) {
			hub_store_error(res, rc, &e);
			return;
		}
	}
	x.s = s;
	x.p = &p;
	x.e = &e;
	x.limit = limit < h->pull_limit ? (size_t)limit : h->pull_limit;
	x.cursor = x.cur = after;
	x.purge = json_array();
	if (!x.purge || sync_batch_new(&x.b) ||
	    sync_batch_set_format(x.b, format ? 2 : SYNC_BATCH_VERSION)) {
		http_response_error(res, 500, "internal", "out of memory");
		goto out;
	}
	/* What the node has committed, on its own; then reading only, on
	 * one snapshot (the log and the scope events must agree) that
	 * holds back no push meanwhile. */
	rc = registry_peer_ack(s, p.idx, 0, ack, &e);
	if (!rc)
		rc = store_begin_read(s, &e);
	if (!rc) {
		rc = registry_scope_log(s, &p, after, x.limit, pull_item, &x,
					&more, &e);
		if (!rc && x.more) {
			/* pull_item() ended the page at x.cursor. */
		} else if (!rc && more) {
			x.cursor = x.cur; /* a page, complete to cur */
			x.more = 1;
		} else if (!rc) {
			/* Everything was seen: skip what is out of scope. */
			rc = store_last_seq(s, &x.cursor, &e);
			if (!rc && x.cursor < x.cur)
				x.cursor = x.cur;
		}
	}
	if (!rc)
		rc = store_commit(s, &e);
	if (rc) {
		store_rollback(s);
		hub_store_error(res, rc, &e);
		goto out;
	}
	rc = sync_batch_set_meta(x.b, json_pack("{sIsbsO}", "cursor",
						(json_int_t)x.cursor, "more",
						x.more, "purge", x.purge));
	/* A node one schema version behind keeps what it does not declare
	 * when told the batch is of a newer version (batch.h); the landed
	 * release (version 1) knows no such member and would refuse it. */
	if (!rc && p.schema_version >= 2 &&
	    p.schema_version < schema_running_version() &&
	    json_object_set_new(sync_batch_meta(x.b), "schema_version",
				json_integer(schema_running_version())))
		rc = err_set(&e, ERR_NOMEM, "out of memory");
	if (!rc)
		rc = sync_batch_seal(x.b, &h->hub_id, h->ident.sk, &env,
				     &envlen, NULL, &e);
	if (rc) {
		hub_store_error(res, rc, &e);
		goto out;
	}
	h->count.pulls++;
	if (!format)
		h->count.pulls_rows++;
	h->count.sent += sync_batch_count(x.b);
	http_response_take(res, 200, "application/octet-stream", env, envlen);
out:
	json_decref(x.purge);
	sync_batch_free(x.b);
}
