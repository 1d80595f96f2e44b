/*
 * hub_push.c - POST /v1/push: a node's own changes, applied through the
 * merge in one transaction per batch.
 *
 * A batch holding a change another node made, or naming another sender
 * in its envelope, is refused whole (400): a node sends only its own.
 * Each change is then checked before it is applied: not a purged record,
 * inside the node's scope, keeping registry_check_incoming()'s rules
 * (references, hand-overs).  One that fails
 * is refused whole, recorded (registry_peer_refuse()) and reported back; the
 * rest of the batch goes on, so one bad change never wedges the queue.  A
 * change whose time is too far ahead of the hub's clock is deferred: it
 * and the ones after it stay unacknowledged, and the node sends them
 * again later.  The answer's "ack" is the node's sequence number up to
 * which everything was handled; it commits with the changes, so a cut
 * connection means the batch comes again and is found known: a known
 * change is answered as it was the first time (its refusal again).
 */
#include "sync/hub_int.h"

#include <string.h>

#include "sync/batch.h"

struct push {
	struct store *s;
	const struct registry_peer *p;
	json_t *refused;  /* [{"oseq","record","reason"}] */
	json_t *rejected; /* fields refused by the merge: [{"oseq","reason"}] */
	json_t **meta;      /* the batch's; its "seen": per change, the hub
			       cursor its node had applied when it was
			       made (or null) */
	size_t index;       /* of the change in the batch */
	uint64_t ack;
	size_t applied, known, concurrent;
	size_t merged_on; /* applied on the state an earlier change of the
			     same record left (store_apply_result.kept) */
	struct registry_scope_memo scope; /* the batch's scope decisions */
	int deferred;
	struct err *e;
};

static int refuse(struct push *x, const struct store_incoming *in,
		  const char *reason)
{
	char rec[2 * ID_BYTES + 1];
	int rc = registry_peer_refuse(x->s, x->p->idx, in->origin_seq,
				      &in->record, reason, x->e);

	/* Its value stays, sealed, for the hub's operator to see. */
	if (!rc)
		rc = registry_refused_keep(x->s, x->p->idx, in, reason, x->e);
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

/*
 * A change the hub holds already, sent again because the answer that
 * judged it was lost (a cut connection, a retry, a smaller batch, a later
 * round): its refusal, whole or of fields, is reported again as it was,
 * or the node would take it for accepted and purge its case with it.
 */
static int again(struct push *x, const struct store_incoming *in)
{
	char why[256];
	int whole = 0;
	int rc =
	    registry_refusal_of(x->s, x->p->idx, &in->origin, in->origin_seq,
				&whole, why, sizeof(why), x->e);

	if (rc || !why[0])
		return rc;
	if (whole) {
		char rec[2 * ID_BYTES + 1];

		hub_hex_id(&in->record, rec);
		rc = json_array_append_new(x->refused,
					   json_pack("{sIssss}", "oseq",
						     (json_int_t)in->origin_seq,
						     "record", rec, "reason",
						     why));
	} else {
		rc = json_array_append_new(x->rejected,
					   json_pack("{sIss}", "oseq",
						     (json_int_t)in->origin_seq,
						     "reason", why));
	}
	return rc ? err_set(x->e, ERR_NOMEM, "out of memory") : 0;
}

/*
 * What the node had pulled when it made change i: its note in the batch
 * (meta "seen"), or for a node that sends none what it had acknowledged
 * pulling before this push (it pushes before it pulls, so a change made
 * before that pull cannot be told from one made after: the later).
 */
static int seen_of(const struct push *x, size_t i, uint64_t *seen)
{
	const json_t *list = json_object_get(*x->meta, "seen");
	const json_t *v = json_array_get(list, i);

	*seen = x->p->pull_ack;
	if (list && !json_is_array(list))
		return err_set(x->e, ERR_INVALID, "push: malformed \"seen\"");
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return err_set(x->e, ERR_INVALID, "push: malformed \"seen\" "
			       "of change %zu", i);
	*seen = (uint64_t)json_integer_value(v);
	return 0;
}

/*
 * The batch decoder keeps fields and ENUM values it does not declare
 * (batch.h: a node one schema version behind its hub keeps them); the
 * hub runs the newest version, and a node writes only what its own
 * version declares, which the hub's declares too: anything else is
 * refused as an invalid batch, as before versions.
 */
static int declared_here(const struct store_incoming *in, struct err *e)
{
	const struct schema_collection *c = schema_collection(in->collection);
	int creating = in->kind == STORE_CHANGE_CREATE;
	json_t *plain;
	int rc;

	/* Most changes carry no deletion marker: checked as they are. */
	if (!json_object_get(in->fields, SCHEMA_FIELD_DELETED_NAME))
		return schema_validate(c, in->fields, creating, e);
	plain = json_copy((json_t *)in->fields);
	if (!plain)
		return err_set(e, ERR_NOMEM, "out of memory");
	json_object_del(plain, SCHEMA_FIELD_DELETED_NAME);
	rc = schema_validate(c, plain, creating, e);
	json_decref(plain);
	return rc;
}

/*
 * The writer's role, as the node says it (meta "roles"), allows every
 * field the change writes (schema/access.h), as the node's store judged
 * it: 1, or 0 with the reason in why.  A node that says no roles (one
 * from before them) is judged by its own store only; an operator it does
 * not list is judged as servizio.
 */
static int role_allows(struct push *x, const struct store_incoming *in,
		       char *why, size_t n)
{
	const json_t *roles = json_object_get(*x->meta, "roles");
	const char *name;
	const struct schema_collection *c;
	enum access_role r;
	const char *key;
	json_t *v;

	if (!roles)
		return 1;
	name = json_string_value(json_object_get(roles, in->operator));
	r = name ? access_role_parse(name) : ACCESS_SERVICE;
	c = schema_collection(in->collection);
	json_object_foreach((json_t *)in->fields, key, v)
	{
		if (access_field_write(r, c, key))
			continue;
		snprintf(why, n, "the role %s may not write the field '%s'",
			 access_role_name(r), schema_name_ok(key) ? key : "?");
		return 0;
	}
	return 1;
}

static int push_one(void *ctx, const struct store_incoming *in)
{
	struct push *x = ctx;
	struct store_apply_result res;
	struct err e2;
	char why[256];
	uint64_t seen = 0;
	size_t index = x->index++;
	int purged = 0, ok = 0;
	int rc;

	if (x->deferred)
		return 0;
	/* A node sends only what it made; anything else is a broken or
	 * hostile sender, and its acknowledgement must not move. */
	if (memcmp(in->origin.b, x->p->node_id.b, ID_BYTES) != 0)
		return err_set(x->e, ERR_INVALID, "the batch carries changes "
			       "made by another node");
	rc = declared_here(in, x->e);
	if (rc)
		return rc;
	if (in->origin_seq <= x->p->push_ack && in->origin_seq <= x->ack) {
		x->known++;
		return again(x, in);
	}
	rc = store_purged(x->s, &in->record, &purged, x->e);
	if (rc)
		return rc;
	if (purged)
		return refuse(x, in, "the record was deleted and purged on "
				     "the hub");
	rc = registry_scope_allows(x->s, x->p, &x->scope, in, &ok, x->e);
	if (rc)
		return rc;
	/* Made while the node still held the case (before it could know
	 * of the hand-over): accepted, and the new holders pull it. */
	if (!ok) {
		rc = seen_of(x, index, &seen);
		if (!rc)
			rc = registry_scope_held(x->s, x->p, in, seen, &ok,
						 x->e);
		if (rc)
			return rc;
		if (ok)
			x->concurrent++;
	}
	if (!ok)
		return refuse(x, in, "outside this node's scope");
	rc = registry_check_incoming(x->s, x->p, in, why, sizeof(why), x->e);
	if (rc)
		return rc;
	if (why[0])
		return refuse(x, in, why);
	if (!role_allows(x, in, why, sizeof(why)))
		return refuse(x, in, why);
	err_init(&e2);
	rc = store_apply(x->s, in, &res, &e2);
	/* Its failed write left part of itself in a batch that takes no
	 * savepoints: the batch is run again with them (hub_handle_push()). */
	if (rc && store_broken(x->s)) {
		*x->e = e2;
		return rc;
	}
	if (rc == ERR_CONFLICT) {
		/* Too far ahead of our clock: later, not never. */
		x->deferred = 1;
		return 0;
	}
	if (rc == ERR_INVALID)
		return refuse(x, in, "invalid change");
	/* Nothing of an erased person is kept, nor asked for again. */
	if (rc == ERR_GONE)
		return refuse(x, in, "the person was erased");
	/* A change to a record whose create was refused (or never came):
	 * refused like it, never a record missing its required fields. */
	if (rc == ERR_NOTFOUND)
		return refuse(x, in, "the hub holds no such record: its "
				     "creation was refused");
	if (rc) {
		*x->e = e2;
		return rc;
	}
	if (res.known)
		x->known++;
	else
		x->applied++;
	x->merged_on += res.kept != 0;
	if (res.rejected &&
	    json_array_append_new(x->rejected,
				  json_pack("{sIss}", "oseq",
					    (json_int_t)in->origin_seq,
					    "reason", res.reason)))
		return err_set(x->e, ERR_NOMEM, "out of memory");
	x->ack = in->origin_seq;
	return 0;
}

/*
 * Apply the batch of req in one transaction.  whole: its writes take no
 * savepoint each (store_begin_whole()), which costs a tenth less; a
 * change whose write fails then leaves the group broken (*broken), and
 * the caller runs the batch again with savepoints, where a failed change
 * is undone alone and refused while the rest goes on.  x is filled
 * afresh.
 */
static int push_batch(struct store *s, const struct http_request *req,
		      const struct registry_peer *p, int whole, json_t **meta,
		      struct push *x, int *broken, struct err *e)
{
	int rc;

	json_decref(*meta);
	*meta = NULL;
	json_array_clear(x->refused);
	json_array_clear(x->rejected);
	x->s = s;
	x->p = p;
	x->e = e;
	x->meta = meta;
	x->index = 0;
	x->ack = p->push_ack;
	x->applied = x->known = x->concurrent = x->merged_on = 0;
	x->deferred = 0;
	/* Asked afresh: a first run rolled back took its answers along. */
	registry_scope_memo_init(&x->scope);
	*broken = 0;
	rc = whole ? store_begin_whole(s, e) : store_begin(s, e);
	if (rc)
		return rc;
	rc = sync_batch_open_pushed(req->body, req->body_len, p->pk, meta,
				    push_one, x, e);
	if (!rc)
		rc = registry_peer_ack(s, p->idx, x->ack, 0, e);
	*broken = store_broken(s);
	if (!rc)
		rc = store_commit(s, e);
	if (rc)
		store_rollback(s);
	return rc;
}

void hub_handle_push(struct hub *h, struct store *s,
		     const struct http_request *req, struct http_response *res)
{
	struct registry_peer p;
	struct id sender;
	struct push x;
	json_t *out = NULL, *meta = NULL;
	struct err e;
	int broken = 0;
	int rc;

	err_init(&e);
	if (hub_authenticate(s, req, "/v1/push", &p, res))
		return;
	/* The envelope is checked with the key of the node that signed the
	 * request; the sender it names must be that node too, or the batch
	 * claims to come from someone else.  What is no envelope at all is
	 * left to sync_batch_open() to refuse. */
	if (sync_batch_sender(req->body, req->body_len, &sender, NULL) == 0 &&
	    memcmp(sender.b, p.node_id.b, ID_BYTES) != 0) {
		http_response_error(res, 400, "sender",
				    "the batch names a sender other than the "
				    "node that signed the request");
		return;
	}
	/* A format newer than hello offered: the node must not send it. */
	if (sync_batch_format(req->body, req->body_len) > h->batch_format) {
		http_response_error(res, 400, "invalid",
				    "batch format %d not taken here (at most "
				    "%d)", sync_batch_format(req->body,
							    req->body_len),
				    h->batch_format);
		return;
	}
	memset(&x, 0, sizeof(x));
	x.refused = json_array();
	x.rejected = json_array();
	if (!x.refused || !x.rejected) {
		http_response_error(res, 500, "internal", "out of memory");
		goto out;
	}
	rc = push_batch(s, req, &p, 1, &meta, &x, &broken, &e);
	if (rc && broken) {
		err_init(&e);
		h->count.push_redone++;
		rc = push_batch(s, req, &p, 0, &meta, &x, &broken, &e);
	}
	if (rc) {
		if (rc == ERR_AUTH)
			http_response_error(res, 401, "bad_signature", "%s",
					    e.msg);
		else
			hub_store_error(res, rc, &e);
		goto out;
	}
	h->count.pushes++;
	if (sync_batch_format(req->body, req->body_len) == SYNC_BATCH_VERSION)
		h->count.pushes_rows++;
	h->count.applied += x.applied;
	h->count.known += x.known;
	h->count.merged_on += x.merged_on;
	h->count.refused += json_array_size(x.refused);
	h->count.rejected += json_array_size(x.rejected);
	out = json_pack("{sIsIsIsIsOsOsb}", "ack", (json_int_t)x.ack,
			"applied", (json_int_t)x.applied, "known",
			(json_int_t)x.known, "concurrent",
			(json_int_t)x.concurrent, "refused", x.refused,
			"rejected", x.rejected, "deferred", x.deferred);
	if (!out || http_response_json(res, 200, out))
		http_response_error(res, 500, "internal", "out of memory");
out:
	json_decref(out);
	json_decref(meta);
	json_decref(x.refused);
	json_decref(x.rejected);
}
