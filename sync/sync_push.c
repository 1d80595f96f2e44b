/*
 * sync_push.c - the push of a round: this node's own changes after where
 * the hub has them, in batches sized by the link (sync_pace.c), each
 * signed, answered with the hub's acknowledgement and refusals, which
 * are recorded before the push checkpoint moves.
 */
#include "sync/sync_int.h"

#include <stdlib.h>
#include <string.h>

#include "node/store_backup.h"
#include "sync/batch.h"

struct push_batch {
	struct sync_batch *b;
	uint64_t upto; /* the log's end when the round began */
	uint64_t hub_has; /* hello's push_ack: changes up to it are sent
			     again only for their answer */
	uint64_t fresh;   /* changes in the batch after hub_has */
	json_t *seen; /* meta "seen", one per change: the hub cursor this
			 node had applied when it made it, null if unknown */
	int rc;
};

/* Add entries until the batch is full by count (the log's limit) or by
 * size: ERR_STOP ends the walk there (store_log_own() then returns 0). */
static int add_change(void *ctx, const struct store_change *c)
{
	struct push_batch *p = ctx;
	int rc;

	if (c->seq > p->upto || (sync_batch_count(p->b) &&
				 sync_batch_bytes(p->b) >=
				     SYNC_BATCH_TARGET_BYTES))
		return ERR_STOP;
	rc = sync_batch_add(p->b, c);
	/* By own number: an entry that came back from the hub has a
	 * local seq of its own (store_log_own()). */
	if (!rc && c->origin_seq > p->hub_has)
		p->fresh++;
	if (!rc && json_array_append_new(p->seen,
					 c->has_seen
					     ? json_integer((json_int_t)c->seen)
					     : json_null()))
		rc = ERR_NOMEM;
	return rc;
}

/* A push's meta: "seen", and each operator's role when the hub takes
 * them (hello's "roles": sync/README.md, "Roles"), so that it judges the
 * changes as the node did.  The role is the operator's now; one removed
 * since has none, and the hub judges its changes as servizio's. */
static json_t *push_meta(struct conn *k, const struct sync_batch *b,
			 json_t *seen)
{
	json_t *meta = json_pack("{sO}", "seen", seen), *roles;
	const json_t *ops = sync_batch_operators(b);
	char role[KEYSLOT_ROLE_MAX];
	size_t i;
	json_t *v;

	if (!meta || !k->hub_roles)
		return meta;
	roles = json_object();
	if (!roles || json_object_set_new(meta, "roles", roles)) {
		json_decref(meta);
		return NULL;
	}
	json_array_foreach(ops, i, v)
	{
		const char *op = json_string_value(v);

		if (store_operator_role_of(k->s, op, role, NULL) != 0)
			snprintf(role, sizeof(role), "%s",
				 access_role_name(ACCESS_SERVICE));
		if (json_object_set_new(roles, op, json_string(role))) {
			json_decref(meta);
			return NULL;
		}
	}
	return meta;
}

/* Record the hub's refusals of our changes (both lists). */
static int record_refusals(struct conn *k, const json_t *list,
			   uint64_t *n, struct err *e)
{
	size_t i;
	json_t *v;
	int rc = 0;

	json_array_foreach(list, i, v) {
		uint64_t oseq = 0;
		const char *reason =
		    json_string_value(json_object_get(v, "reason"));
		char text[160];

		if (sync_json_u64(v, "oseq", &oseq) || !reason)
			return err_set(e, ERR_INVALID, "push: malformed "
				       "refusal from the hub");
		snprintf(text, sizeof(text), "hub: %s", reason);
		for (char *p = text; *p; p++)
			if (*p < 0x20 || *p > 0x7e)
				*p = '?';
		rc = store_reject_own_number(k->s, oseq, text, e);
		if (rc)
			return rc;
		(*n)++;
	}
	return 0;
}

static int push_all(struct conn *k, uint64_t after, uint64_t hub_has,
		    const struct sync_options *o, struct err *e)
{
	struct sync_pace *pace = &k->push_pace;
	struct push_batch pb = { NULL, 0, hub_has, 0, NULL, 0 };
	uint8_t *env = NULL;
	size_t envlen = 0;
	json_t *doc = NULL;
	/* What is saved while the round runs waits for the next one: a
	 * round chasing edits saved faster than a slow link carries them
	 * would never end, nor pull the hand-over of a case. */
	int rc = store_last_seq(k->s, &pb.upto, e);

	if (rc)
		return rc;

	for (;;) {
		size_t limit = pace->limit;
		uint64_t ack = 0;

		sync_batch_free(pb.b);
		pb.b = NULL;
		pb.fresh = 0;
		pb.seen = json_array();
		if (!pb.seen || sync_batch_new(&pb.b) ||
		    sync_batch_set_format(pb.b, k->batch_format > 1
							? k->batch_format
							: SYNC_BATCH_VERSION)) {
			rc = err_set(e, ERR_NOMEM, "out of memory");
			break;
		}
		rc = store_log_own(k->s, after, limit, STORE_VALUES_TEXT,
				   add_change, &pb, e);
		if (rc || sync_batch_count(pb.b) == 0)
			break;
		/* What this node had pulled when it made each change: the
		 * hub accepts one made before it could know that its case
		 * was handed over.  In meta, which a hub that does not know
		 * it ignores. */
		rc = sync_batch_set_meta(pb.b, push_meta(k, pb.b, pb.seen));
		json_decref(pb.seen);
		pb.seen = NULL;
		if (rc) {
			rc = err_set(e, ERR_NOMEM, "out of memory");
			break;
		}
		sync_batch_env_free(env, envlen);
		env = NULL;
		rc = sync_batch_seal(pb.b, store_node_id(k->s), k->ident.sk,
				     &env, &envlen, NULL, e);
		if (rc)
			break;
		pace->cut = 0;
		k->pacing = pace;
		rc = sync_get_json(k, "POST", "/v1/push", env, envlen, "push",
				   &doc, e);
		k->pacing = NULL;
		/* Too large for the link: the same changes in smaller
		 * batches (the hub skips any it applied meanwhile). */
		if (rc == ERR_IO &&
		    sync_pace_shrink(k, pace, sync_batch_count(pb.b), envlen))
			continue;
		if (rc)
			break;
		if (sync_batch_count(pb.b) >= limit)
			sync_pace_grow(pace, limit);
		if (sync_json_u64(doc, "ack", &ack)) {
			rc = err_set(e, ERR_INVALID, "push: malformed answer");
			break;
		}
		rc = store_begin(k->s, e);
		if (!rc)
			rc = record_refusals(k, json_object_get(doc, "refused"),
					     &k->st->refused, e);
		if (!rc)
			rc = record_refusals(k,
					     json_object_get(doc, "rejected"),
					     &k->st->rejected, e);
		if (!rc)
			rc = store_checkpoint_set(k->s, SYNC_CK_PUSH, ack, e);
		if (!rc)
			rc = store_commit(k->s, e);
		if (rc) {
			store_rollback(k->s);
			break;
		}
		k->st->pushed += pb.fresh;
		k->st->batches_up++;
		if (o->progress)
			o->progress(o->progress_ctx, "push", k->st);
		if (json_is_true(json_object_get(doc, "deferred")) ||
		    ack < sync_batch_last(pb.b)) {
			rc = err_set(e, ERR_CONFLICT, "push: the hub deferred "
				     "changes stamped ahead of its clock: "
				     "check this node's clock");
			break;
		}
		json_decref(doc);
		doc = NULL;
		after = ack;
	}
	json_decref(doc);
	json_decref(pb.seen);
	sync_batch_env_free(env, envlen);
	sync_batch_free(pb.b);
	return rc;
}

/*
 * Where push starts: after the push checkpoint, which moves only with an
 * answer this node received (the hub's refusals in it recorded), or
 * after what the hub says it has (hello's push_ack) when that is less.
 * A change the hub has whose answer was lost is sent again: the hub
 * finds it known and answers as it did (its refusal again).  Taking
 * push_ack as "answered" would let a purge drop a refused edit whose
 * refusal this node never heard of.
 */
static int push_start(struct conn *k, uint64_t push_ack, uint64_t *start,
		      struct err *e)
{
	struct store *s = k->s;
	uint64_t known = 0, high = 0, mark = 0;
	int rc = store_restored(s, &mark, e);

	if (!rc)
		rc = store_seq_high(s, &high, e);
	if (rc)
		return rc;
	/* Restored by `presidio restore` (node/store_backup.h): the hub
	 * may hold changes of ours the copy lacks.  Numbers from now on go
	 * after the last it holds, before anything is written (own writes
	 * wait for the mark to go), and the pull brings those changes back
	 * as this node's own (sync_pull_all(), "restored=1"). */
	k->restored = mark != 0;
	if (mark && push_ack > high)
		rc = store_restored_floor(s, push_ack, e);
	if (rc)
		return rc;
	/* The hub has changes of ours this node never numbered, and it was
	 * not restored by presidio: its files are an older copy put back by
	 * hand, and its next changes would take numbers the hub already
	 * holds (and be dropped there as known). */
	if (!mark && push_ack > high)
		return err_set(e, ERR_CONFLICT, "the hub holds this node's "
			       "changes up to %llu, this node's log ends at "
			       "%llu: its files are an older copy put back "
			       "by hand; restore them with 'presidio "
			       "restore' from a backup, or enroll it again "
			       "as a new node",
			       (unsigned long long)push_ack,
			       (unsigned long long)high);
	if (!rc)
		rc = store_checkpoint_get(s, SYNC_CK_PUSH, &known, NULL);
	if (rc && rc != ERR_NOTFOUND)
		return err_set(e, rc, "cannot read the push checkpoint");
	*start = !rc && known < push_ack ? known : rc ? 0 : push_ack;
	return 0;
}

int sync_push_evict_held_back(struct conn *k, struct err *e)
{
	uint64_t pushed = 0, removed = 0;
	int rc = store_checkpoint_get(k->s, SYNC_CK_PUSH, &pushed, NULL);

	if (rc && rc != ERR_NOTFOUND)
		return err_set(e, rc, "cannot read the push checkpoint");
	rc = store_evict_pending(k->s, rc ? 0 : pushed, &removed, e);
	if (!rc) {
		pthread_mutex_lock(&k->lock);
		k->st->purged += removed;
		pthread_mutex_unlock(&k->lock);
	}
	return rc;
}

int sync_push_all(struct conn *k, uint64_t push_ack,
		  const struct sync_options *o, struct err *e)
{
	uint64_t start = 0;
	int rc = push_start(k, push_ack, &start, e);

	return rc ? rc : push_all(k, start, push_ack, o, e);
}
