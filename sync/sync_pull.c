/*
 * sync_pull.c - pulling the node's scope from the hub, with fetching and
 * applying overlapped.
 *
 * A pull is a chain of batches, each asked for after the cursor the
 * previous one brought.  Fetching a batch (the hub builds it, TLS carries
 * it, the signature is checked, it is inflated and parsed) and applying
 * one (the merge, sealing, a durable commit) take similar time, so a
 * fetching thread runs one or two batches ahead of the applying one, as
 * long as the pages waiting weigh less than PIPE_AHEAD_BYTES.
 * Only the applying thread touches the store, only the fetching thread
 * the connection while both run.
 *
 * What a request acknowledges ("ack") is what has been committed, never
 * what was only fetched: the hub's tombstone purge relies on it.  After
 * the chain, one more request acknowledges the last batch, and brings
 * what arrived meanwhile.
 *
 * A page of a hub one schema version ahead may hold changes of a
 * collection this build does not declare; they are passed over, and the
 * page notes where (SYNC_CK_PASSED, in the page's transaction).  A build
 * that declares them moves its cursor back there at its next round
 * (repull_passed()): the hub walks that stretch of the log again, scope
 * and purges as they were, and what the node already has merges as
 * known.
 */
#include "sync/sync_int.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sync/batch.h"

#define PIPE_DEPTH 2
/* Parsed values waiting to be applied, about, before the fetcher asks
 * for another page.  A full page of the initial pull (2,000 changes)
 * weighs some 2 MB parsed, so the fetcher then waits until the applier
 * has taken the page before it: one page applied while the next is
 * fetched, which is all the overlap the pull needs (applying is the
 * slower), and about 7 MB less of a node's memory at the 140,000-record
 * pull than PIPE_DEPTH pages waiting.  Small pages (a sync of a few edits)
 * still queue PIPE_DEPTH ahead. */
#define PIPE_AHEAD_BYTES (512u << 10)
/* What a value weighs in a parsed tree besides its text, about. */
#define PIPE_VALUE_BYTES 64

/* One change, copied out of its batch (pointers of in are set when it
 * is applied: the array may move while it fills). */
struct pulled {
	struct store_incoming in;
	char operator[KEYSLOT_OPERATOR_MAX];
	char collection[SCHEMA_NAME_MAX];
	json_t *fields;
	struct merge_prev *prev;
};

/* One batch, verified and parsed. */
struct fetched {
	json_t *meta;
	struct pulled *c;
	size_t n, cap;
	uint64_t cursor;
	uint64_t after;       /* the cursor it was asked after */
	size_t passed;        /* changes of undeclared collections */
	uint64_t schema;      /* the hub's schema version, when it says */
	size_t bytes;         /* its parsed values weigh, about */
	int more, rebootstrap;
	struct fetched *next; /* on the spent list */
};

static void fetched_free(struct fetched *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->n; i++) {
		json_decref(f->c[i].fields);
		free(f->c[i].prev);
	}
	free(f->c);
	json_decref(f->meta);
	free(f);
}

/* What the parsed values of a change weigh, about. */
static size_t change_bytes(const json_t *fields)
{
	size_t n = 0;
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)fields, key, v)
	{
		n += PIPE_VALUE_BYTES + strlen(key);
		if (json_is_string(v))
			n += json_string_length(v);
		else if (json_is_array(v))
			n += PIPE_VALUE_BYTES * json_array_size(v);
	}
	return n;
}

static int collect(void *ctx, const struct store_incoming *in)
{
	struct fetched *f = ctx;
	struct pulled *p;

	if (f->n == f->cap) {
		size_t ncap = f->cap ? 2 * f->cap : 256;
		void *nc = realloc(f->c, ncap * sizeof(*f->c));

		if (!nc)
			return ERR_NOMEM;
		f->c = nc;
		f->cap = ncap;
	}
	p = &f->c[f->n];
	memset(p, 0, sizeof(*p));
	p->in = *in;
	snprintf(p->operator, sizeof(p->operator), "%s", in->operator);
	snprintf(p->collection, sizeof(p->collection), "%s", in->collection);
	if (in->nprev) {
		p->prev = malloc(in->nprev * sizeof(*p->prev));
		if (!p->prev)
			return ERR_NOMEM;
		memcpy(p->prev, in->prev, in->nprev * sizeof(*p->prev));
	}
	/* The batch's document goes when open returns; its values stay. */
	p->fields = json_incref((json_t *)in->fields);
	f->n++;
	f->bytes += sizeof(*p) + change_bytes(in->fields);
	return 0;
}

void sync_pull_page_free(struct fetched *f)
{
	fetched_free(f);
}

size_t sync_pull_page_count(const struct fetched *f)
{
	return f->n;
}

int sync_pull_decode(const uint8_t *body, size_t len, const uint8_t *hub_pk,
		     uint64_t after, struct fetched **out, struct err *e)
{
	struct fetched *f = calloc(1, sizeof(*f));
	const json_t *purge;
	int rc;

	*out = NULL;
	if (!f)
		return err_set(e, ERR_NOMEM, "out of memory");
	f->after = after;
	rc = sync_batch_open_passed(body, len, hub_pk, &f->meta, &f->passed,
				    collect, f, e);
	if (rc == ERR_NOMEM)
		err_set(e, rc, "out of memory");
	purge = json_object_get(f->meta, "purge");
	if (!rc && (sync_json_u64(f->meta, "cursor", &f->cursor) ||
		    !json_is_array(purge) ||
		    !json_is_boolean(json_object_get(f->meta, "more"))))
		rc = err_set(e, ERR_INVALID, "pull: malformed batch meta");
	if (!rc) {
		f->more = json_is_true(json_object_get(f->meta, "more"));
		f->rebootstrap =
		    json_is_true(json_object_get(f->meta, "rebootstrap"));
		/* Present whenever something was passed over (batch.h). */
		(void)sync_json_u64(f->meta, "schema_version", &f->schema);
		if (f->rebootstrap && (f->n || f->cursor))
			rc = err_set(e, ERR_INVALID,
				     "pull: malformed re-bootstrap");
		else if (!f->rebootstrap && f->more && f->cursor <= after)
			rc = err_set(e, ERR_FAIL,
				     "pull: the hub's cursor did not move");
	}
	if (rc) {
		fetched_free(f);
		return rc;
	}
	*out = f;
	return 0;
}

/* What the first request of a pass says besides its cursor. */
enum {
	PULL_PLAIN = 0,
	PULL_RESTART = 1, /* "restart=1": this node has started over */
	PULL_RESTORED = 2 /* "restored=1": restored from a backup, its own
			     changes after the cursor come too */
};

/* Ask for the batch after after, acknowledging ack (restart: a PULL_*
 * mode); *out is the parsed batch. */
static int fetch_one(struct conn *k, uint64_t after, uint64_t ack,
		     size_t limit, int restart, struct fetched **out,
		     struct err *e)
{
	struct client_response r;
	char path[160];
	int rc;

	*out = NULL;
	client_response_init(&r);
	snprintf(path, sizeof(path),
		 "/v1/pull?after=%" PRIu64 "&limit=%zu&ack=%" PRIu64 "%s%s",
		 after, limit, ack,
		 restart == PULL_RESTART    ? "&restart=1"
		 : restart == PULL_RESTORED ? "&restored=1"
					    : "",
		 k->batch_format >= 2 ? "&format=2" : "");
	rc = sync_request(k, "GET", path, NULL, 0, &r, e);
	if (!rc && r.status != 200)
		rc = sync_hub_refused(&r, "pull", e);
	if (!rc)
		rc = sync_pull_decode(r.body, r.len, k->remote.hub_pk, after,
				      out, e);
	client_response_release(&r);
	return rc;
}

/*
 * fetch_one() at the page size the link allows: a page that a new
 * connection could not carry is asked again smaller (the cut says how
 * much arrived), a full page lets the next grow.  Each shrink at least
 * halves the page, and a page of one is retried as any request is, so
 * this ends.
 */
static int fetch_paced(struct conn *k, uint64_t after, uint64_t ack,
		       int restart, struct fetched **out, struct err *e)
{
	struct sync_pace *p = &k->pull_pace;

	for (;;) {
		size_t asked = p->limit;
		int rc;

		p->cut = 0;
		k->pacing = p;
		rc = fetch_one(k, after, ack, asked, restart, out, e);
		k->pacing = NULL;
		if (!rc) {
			if ((*out)->more && !(*out)->rebootstrap &&
			    (*out)->n >= asked)
				sync_pace_grow(p, asked);
			return 0;
		}
		if (rc != ERR_IO || !sync_pace_shrink(k, p, asked, 0))
			return rc;
	}
}

/* ---- applying ---- */

/* Run the purges due before change index (SIZE_MAX: all that remain). */
static int purge_until(struct conn *k, const struct fetched *f, size_t *next,
		       size_t index, struct err *e)
{
	const json_t *list = json_object_get(f->meta, "purge");

	while (*next < json_array_size(list)) {
		const json_t *item = json_array_get(list, *next);
		const json_t *at = json_array_get(item, 0);
		const char *hex = json_string_value(json_array_get(item, 1));
		uint64_t removed = 0, pushed = 0;
		int deferred = 0;
		struct id id;
		int rc;

		if (!json_is_integer(at) || json_integer_value(at) < 0 ||
		    !hex || id_parse(&id, hex))
			return err_set(e, ERR_INVALID, "pull: malformed "
				       "purge list");
		if ((size_t)json_integer_value(at) > index)
			return 0;
		/* Never with an edit saved here that the hub does not have
		 * (one saved while this round ran, after its push): the
		 * purge waits for the next round's push. */
		rc = store_checkpoint_get(k->s, SYNC_CK_PUSH, &pushed, NULL);
		if (rc && rc != ERR_NOTFOUND)
			return err_set(e, rc, "cannot read the push "
				       "checkpoint");
		rc = store_evict_after(k->s, &id, rc ? 0 : pushed, &removed,
				       &deferred, e);
		if (rc)
			return rc;
		pthread_mutex_lock(&k->lock);
		k->st->purged += removed;
		pthread_mutex_unlock(&k->lock);
		(*next)++;
	}
	return 0;
}

/*
 * The hub purged tombstones this node never saw (it was away longer than
 * the purge horizon): forget everything and pull again from the start.
 * Its own changes were pushed first in this round; one made meanwhile
 * stops this (store_forget_all()) and the next round pushes it.
 */
static int start_over(struct conn *k, struct err *e)
{
	uint64_t pushed = 0;
	int rc = store_checkpoint_get(k->s, SYNC_CK_PUSH, &pushed, NULL);

	if (rc && rc != ERR_NOTFOUND)
		return err_set(e, rc, "cannot read the push checkpoint");
	rc = store_forget_all(k->s, rc ? 0 : pushed, e);
	/* A hub restored from a backup numbers its erasure list again from
	 * where the copy ended: the next round reads it all once more
	 * (applying an erasure twice does nothing). */
	if (!rc)
		rc = store_checkpoint_set(k->s, SYNC_CK_ERASED, 0, e);
	if (!rc)
		k->st->rebootstrapped = 1;
	return rc;
}

/*
 * The page f passed over changes this build does not declare: note the
 * lowest cursor to pull again from and the highest version that declares
 * them, in the page's transaction (a cursor moved past them without the
 * note would lose them).  Checkpoints carry a MAC like the cursors.
 */
static int note_passed(struct conn *k, const struct fetched *f,
		       struct err *e)
{
	uint64_t at = f->after, v = 0, had = 0;
	/* A note altered in the file fails its MAC: ERR_AUTH, said. */
	int rc = store_checkpoint_get(k->s, SYNC_CK_PASSED_SCHEMA, &v, e);

	if (rc == ERR_NOTFOUND) {
		err_init(e);
		v = 0;
	} else if (rc) {
		return rc;
	}
	if (v) {
		rc = store_checkpoint_get(k->s, SYNC_CK_PASSED, &had, e);
		if (rc)
			return rc;
		if (had < at)
			at = had;
	}
	if (f->schema > v)
		v = f->schema;
	/* A page passes over only under a newer version's meta; a hub that
	 * said none still gets the note (pulled again by the next build). */
	if (!v)
		v = (uint64_t)schema_running_version() + 1;
	rc = store_checkpoint_set(k->s, SYNC_CK_PASSED, at, e);
	if (!rc)
		rc = store_checkpoint_set(k->s, SYNC_CK_PASSED_SCHEMA, v, e);
	return rc;
}

/*
 * Apply one batch and move the cursor, in one transaction.  Any failure
 * undoes the whole page, so its writes take no savepoint each
 * (store_begin_whole()).
 */
static int apply_one(struct conn *k, struct fetched *f,
		     const struct sync_options *o, struct err *e)
{
	struct store_apply_result res;
	struct sync_stats now;
	uint64_t held = 0;
	size_t next = 0;
	int rc = store_begin_whole(k->s, e);

	/* A case whose purge was held back and that comes again is back in
	 * the scope: its purge is off. */
	if (!rc)
		rc = store_evict_pending_count(k->s, &held, e);
	for (size_t i = 0; !rc && i < f->n; i++) {
		struct pulled *p = &f->c[i];

		p->in.operator = p->operator;
		p->in.collection = p->collection;
		p->in.fields = p->fields;
		p->in.prev = p->prev;
		rc = purge_until(k, f, &next, i, e);
		if (!rc)
			rc = store_apply(k->s, &p->in, &res, e);
		if (!rc && (held || next))
			rc = store_evict_cancel(k->s, &p->in.record, e);
		if (rc == ERR_CONFLICT)
			err_prefix(e, "pull");
	}
	if (!rc)
		rc = purge_until(k, f, &next, SIZE_MAX, e);
	if (!rc && f->rebootstrap)
		rc = start_over(k, e);
	if (!rc && f->passed)
		rc = note_passed(k, f, e);
	if (!rc)
		rc = store_checkpoint_set(k->s, SYNC_CK_PULL, f->cursor, e);
	if (!rc)
		rc = store_commit(k->s, e);
	if (rc) {
		store_rollback(k->s);
		return rc;
	}
	/* The fetching thread adds bytes and retries meanwhile: the
	 * progress line gets a copy taken under the lock. */
	pthread_mutex_lock(&k->lock);
	k->st->pulled += f->n;
	k->st->batches_down++;
	now = *k->st;
	pthread_mutex_unlock(&k->lock);
	if (o->progress)
		o->progress(o->progress_ctx, "pull", &now);
	return 0;
}

/* ---- the pipeline ---- */

struct pipe {
	struct conn *k;
	uint64_t after;            /* the fetcher's next request */
	uint64_t committed;        /* the applier's cursor, to acknowledge */
	int restart;               /* the first request confirms a restart */
	int again;                 /* a re-bootstrap was applied: start over */
	struct fetched *q[PIPE_DEPTH];
	size_t qn;
	size_t qbytes;             /* what the pages in q weigh */
	struct fetched *spent;     /* applied, for the fetcher to free: the
				      thread that allocated frees fastest */
	int done, stop;
	int rc;                    /* the fetcher's failure */
	struct err e;
	pthread_mutex_t m;
	pthread_cond_t cv;
};

static void *fetcher(void *arg)
{
	struct pipe *pp = arg;
	struct fetched *f = NULL;
	uint64_t ack;
	int rc = 0;

	for (;;) {
		struct fetched *spent;

		/* Room first: a page fetched while the queue is full would
		 * wait in memory with the others. */
		pthread_mutex_lock(&pp->m);
		while ((pp->qn == PIPE_DEPTH ||
			(pp->qn > 0 && pp->qbytes >= PIPE_AHEAD_BYTES)) &&
		       !pp->stop)
			pthread_cond_wait(&pp->cv, &pp->m);
		if (pp->stop) {
			pthread_mutex_unlock(&pp->m);
			break;
		}
		ack = pp->committed;
		spent = pp->spent;
		pp->spent = NULL;
		pthread_mutex_unlock(&pp->m);
		while (spent) {
			struct fetched *next = spent->next;

			fetched_free(spent);
			spent = next;
		}
		rc = fetch_paced(pp->k, pp->after, ack, pp->restart, &f,
				 &pp->e);
		if (rc)
			break;
		pp->restart = 0;
		/* Room was made before the fetch, and only this thread
		 * fills the queue. */
		pthread_mutex_lock(&pp->m);
		if (pp->stop) {
			pthread_mutex_unlock(&pp->m);
			fetched_free(f);
			break;
		}
		pp->q[pp->qn++] = f;
		pp->qbytes += f->bytes;
		pthread_cond_broadcast(&pp->cv);
		pthread_mutex_unlock(&pp->m);
		/* After a re-bootstrap nothing is asked until the node has
		 * forgotten its records (the next pass confirms it). */
		if (f->rebootstrap || !f->more)
			break;
		pp->after = f->cursor;
	}
	pthread_mutex_lock(&pp->m);
	pp->rc = rc;
	pp->done = 1;
	pthread_cond_broadcast(&pp->cv);
	pthread_mutex_unlock(&pp->m);
	return NULL;
}

/*
 * One pass: the chain of batches from the pull checkpoint (restart: the
 * first request confirms that the node has started over), then one more
 * request to acknowledge the last.  *again is set when a re-bootstrap
 * was applied: the caller starts a new pass from 0.
 */
static int pull_pass(struct conn *k, int restart,
		     const struct sync_options *o, int *again, struct err *e)
{
	struct pipe pp;
	pthread_t th;
	uint64_t start = 0;
	int rc = store_checkpoint_get(k->s, SYNC_CK_PULL, &start, NULL);

	*again = 0;
	if (rc && rc != ERR_NOTFOUND)
		return err_set(e, rc, "cannot read the pull checkpoint");
	memset(&pp, 0, sizeof(pp));
	pp.k = k;
	pp.restart = restart;
	pp.after = pp.committed = rc ? 0 : start;
	err_init(&pp.e);
	pthread_mutex_init(&pp.m, NULL);
	pthread_cond_init(&pp.cv, NULL);
	rc = pthread_create(&th, NULL, fetcher, &pp)
		 ? err_set(e, ERR_FAIL, "cannot start a thread")
		 : 0;
	if (rc)
		goto out;
	for (;;) {
		struct fetched *f;

		pthread_mutex_lock(&pp.m);
		while (pp.qn == 0 && !pp.done)
			pthread_cond_wait(&pp.cv, &pp.m);
		if (pp.qn == 0) {
			pthread_mutex_unlock(&pp.m);
			break;
		}
		f = pp.q[0];
		memmove(pp.q, pp.q + 1, --pp.qn * sizeof(pp.q[0]));
		pp.qbytes -= f->bytes;
		pthread_cond_broadcast(&pp.cv);
		pthread_mutex_unlock(&pp.m);
		rc = apply_one(k, f, o, e);
		pthread_mutex_lock(&pp.m);
		if (rc || f->rebootstrap)
			pp.stop = 1;
		else
			pp.committed = f->cursor;
		pp.again = !rc && f->rebootstrap;
		f->next = pp.spent;
		pp.spent = f;
		pthread_cond_broadcast(&pp.cv);
		pthread_mutex_unlock(&pp.m);
		if (rc || pp.again)
			break;
	}
	pthread_join(th, NULL);
	/* What was fetched was applied; then the fetcher's own failure. */
	if (!rc && !pp.again && pp.rc) {
		*e = pp.e;
		rc = pp.rc;
	}
	/* Acknowledge the last batch, and take what came meanwhile. */
	while (!rc && !pp.again) {
		struct fetched *f = NULL;
		uint64_t at = pp.committed;

		rc = fetch_paced(k, at, at, pp.restart, &f, e);
		pp.restart = 0;
		if (!rc)
			rc = apply_one(k, f, o, e);
		if (!rc) {
			pp.committed = f->cursor;
			pp.again = f->rebootstrap;
		}
		if (!rc && f->cursor == at && !f->more) {
			fetched_free(f);
			break;
		}
		fetched_free(f);
	}
	*again = pp.again;
out:
	for (size_t i = 0; i < pp.qn; i++)
		fetched_free(pp.q[i]);
	while (pp.spent) {
		struct fetched *next = pp.spent->next;

		fetched_free(pp.spent);
		pp.spent = next;
	}
	pthread_cond_destroy(&pp.cv);
	pthread_mutex_destroy(&pp.m);
	return rc;
}

/*
 * Changes passed over by an older build (note_passed()) whose version
 * this build runs: the pull cursor goes back to where they were, and the
 * note goes, in one transaction (neither without the other).  The hub
 * then walks that stretch again for this node as for any node behind:
 * its scope, entering cases and purges in log order, so what left the
 * node's scope meanwhile leaves again; what the node already holds is
 * known by (origin, sequence) and applied once.
 */
static int repull_passed(struct conn *k, struct err *e)
{
	uint64_t v = 0, at = 0, cursor = 0;
	int rc = store_checkpoint_get(k->s, SYNC_CK_PASSED_SCHEMA, &v, e);

	if (rc == ERR_NOTFOUND) {
		err_init(e);
		return 0;
	}
	if (rc || !v || v > (uint64_t)schema_running_version())
		return rc;
	rc = store_begin(k->s, e);
	if (rc)
		return rc;
	rc = store_checkpoint_get(k->s, SYNC_CK_PASSED, &at, e);
	if (!rc) {
		rc = store_checkpoint_get(k->s, SYNC_CK_PULL, &cursor, e);
		if (rc == ERR_NOTFOUND) {
			err_init(e);
			rc = 0;
		}
	}
	if (!rc && at < cursor)
		rc = store_checkpoint_set(k->s, SYNC_CK_PULL, at, e);
	if (!rc)
		rc = store_checkpoint_set(k->s, SYNC_CK_PASSED_SCHEMA, 0, e);
	if (!rc)
		rc = store_commit(k->s, e);
	if (rc)
		store_rollback(k->s);
	return rc;
}

int sync_pull_all(struct conn *k, const struct sync_options *o,
		  struct err *e)
{
	int again = 0, rc = repull_passed(k, e);

	/* Restored from a backup: this first pass brings back this node's
	 * own changes the hub holds after the backup's cursor (the hub has
	 * its pages carry them up to its log's end now, as for a node
	 * that started over). */
	if (!rc)
		rc = pull_pass(k, k->restored ? PULL_RESTORED : PULL_PLAIN, o,
			       &again, e);

	/* Started over: pull the whole scope, confirming it.  Asked to start
	 * over once more straight away means the hub and this node disagree
	 * on something no retry will fix. */
	if (!rc && again)
		rc = pull_pass(k, PULL_RESTART, o, &again, e);
	if (!rc && again)
		rc = err_set(e, ERR_FAIL, "pull: the hub asks this node to "
			     "start over again and again");
	return rc;
}
