/*
 * hub_push.c - POST /v1/push: a node's own changes, applied through the
 * merge in one transaction per batch.
 *
 * A batch holding a change another node made is refused whole (400):
 * a node sends only its own.  Each change is then checked before it is
 * applied: not a purged record, inside the node's scope.  One that fails
 * is refused whole, recorded (store_peer_refuse()) and reported back; the
 * rest of the batch goes on, so one bad change never wedges the queue.  A
 * change whose time is too far ahead of the hub's clock is deferred: it
 * and the ones after it stay unacknowledged, and the node sends them
 * again later.  The answer's "ack" is the node's sequence number up to
 * which everything was handled; it commits with the changes, so a cut
 * connection means the batch comes again and is found known.
 */
#include "sync/hub_int.h"

#include <string.h>

#include "sync/batch.h"

struct push {
	struct store *s;
	const struct store_peer *p;
	json_t *refused;  /* [{"oseq","record","reason"}] */
	json_t *rejected; /* fields refused by the merge: [{"oseq","reason"}] */
	uint64_t ack;
	size_t applied, known;
	int deferred;
	struct err *e;
};

static int refuse(struct push *x, const struct store_incoming *in,
		  const char *reason)
{
	char rec[2 * ID_BYTES + 1];
	int rc = store_peer_refuse(x->s, x->p->idx, in->origin_seq,
				   &in->record, reason, x->e);

	if (rc)
		return rc;
	hub_hex_id(&in->record, rec);
	if (json_array_append_new(x->refused,
				  json_pack("{sIssss}", "oseq",
					    (json_int_t)in->origin_seq,
					    "record", rec, "reason", reason)))
		return err_set(x->e, ERR_NOMEM, "out of memory");
	x->ack = in->origin_seq;
	return 0;
}

static int push_one(void *ctx, const struct store_incoming *in)
{
	struct push *x = ctx;
	struct store_apply_result res;
	struct err e2;
	int purged = 0, ok = 0;
	int rc;

	if (x->deferred)
		return 0;
	/* A node sends only what it made; anything else is a broken or
	 * hostile sender, and its acknowledgement must not move. */
	if (memcmp(in->origin.b, x->p->node_id.b, ID_BYTES) != 0)
		return err_set(x->e, ERR_INVALID, "the batch carries changes "
			       "made by another node");
	if (in->origin_seq <= x->p->push_ack && in->origin_seq <= x->ack) {
		x->known++;
		return 0;
	}
	rc = store_purged(x->s, &in->record, &purged, x->e);
	if (rc)
		return rc;
	if (purged)
		return refuse(x, in, "the record was deleted and purged on "
				     "the hub");
	rc = store_scope_allows(x->s, x->p, in, &ok, x->e);
	if (rc)
		return rc;
	if (!ok)
		return refuse(x, in, "outside this node's scope");
	err_init(&e2);
	rc = store_apply(x->s, in, &res, &e2);
	if (rc == ERR_CONFLICT) {
		/* Too far ahead of our clock: later, not never. */
		x->deferred = 1;
		return 0;
	}
	if (rc == ERR_INVALID)
		return refuse(x, in, "invalid change");
	if (rc) {
		*x->e = e2;
		return rc;
	}
	if (res.known)
		x->known++;
	else
		x->applied++;
	if (res.rejected &&
	    json_array_append_new(x->rejected,
				  json_pack("{sIss}", "oseq",
					    (json_int_t)in->origin_seq,
					    "reason", res.reason)))
		return err_set(x->e, ERR_NOMEM, "out of memory");
	x->ack = in->origin_seq;
	return 0;
}

void hub_handle_push(struct hub *h, struct store *s,
		     const struct http_request *req, struct http_response *res)
{
	struct store_peer p;
	struct push x;
	json_t *out = NULL;
	struct err e;
	int rc;

	(void)h;
	err_init(&e);
	if (hub_authenticate(s, req, "/v1/push", &p, res))
		return;
	memset(&x, 0, sizeof(x));
	x.s = s;
	x.p = &p;
	x.e = &e;
	x.ack = p.push_ack;
	x.refused = json_array();
	x.rejected = json_array();
	if (!x.refused || !x.rejected) {
		http_response_error(res, 500, "internal", "out of memory");
		goto out;
	}
	rc = store_begin(s, &e);
	if (rc) {
		hub_store_error(res, rc, &e);
		goto out;
	}
	rc = sync_batch_open(req->body, req->body_len, p.pk, push_one, &x, &e);
	if (!rc)
		rc = store_peer_ack(s, p.idx, x.ack, 0, &e);
	if (!rc)
		rc = store_commit(s, &e);
	if (rc) {
		store_rollback(s);
		if (rc == ERR_AUTH)
			http_response_error(res, 401, "bad_signature", "%s",
					    e.msg);
		else
			hub_store_error(res, rc, &e);
		goto out;
	}
	out = json_pack("{sIsIsIsOsOsb}", "ack", (json_int_t)x.ack, "applied",
			(json_int_t)x.applied, "known", (json_int_t)x.known,
			"refused", x.refused, "rejected", x.rejected,
			"deferred", x.deferred);
	if (!out || http_response_json(res, 200, out))
		http_response_error(res, 500, "internal", "out of memory");
out:
	json_decref(out);
	json_decref(x.refused);
	json_decref(x.rejected);
}
