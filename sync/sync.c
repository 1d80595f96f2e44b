/* sync.c - see sync.h. */
#include "sync/sync_int.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/jtext.h"
#include "sync/auth.h"
#include "sync/batch.h"
#include "sync/client.h"
#include "sync/hub.h"


void sync_options_init(struct sync_options *o)
{
	memset(o, 0, sizeof(*o));
	o->retries = 5;
	o->backoff_ms = 500;
}

static int sign_request(void *ctx, const char *method, const char *path,
			const uint8_t *body, size_t len,
			struct client_headers *h, struct err *e)
{
	struct conn *k = ctx;
	char lines[SYNC_AUTH_HEADERS][SYNC_AUTH_LINE_MAX];
	int rc = sync_auth_sign(store_node_id(k->s), k->ident.sk, method, path,
				body, len, sync_now_ms(), lines, k->req_sig, e);

	for (int i = 0; !rc && i < SYNC_AUTH_HEADERS; i++)
		rc = client_header_add(h, lines[i]);
	return rc;
}

static void on_retry(void *ctx, unsigned attempt, unsigned delay_ms,
		     const char *why)
{
	struct conn *k = ctx;

	(void)attempt;
	(void)delay_ms;
	(void)why;
	if (k->st) {
		pthread_mutex_lock(&k->lock);
		k->st->retries++;
		pthread_mutex_unlock(&k->lock);
	}
}

static int client_open(struct conn *k, const char *url, const char *ca,
		       const char *pin, int sign, const struct sync_options *o,
		       struct err *e)
{
	struct client_config cfg;

	client_config_init(&cfg);
	cfg.base_url = url;
	cfg.ca_file = ca && *ca ? ca : NULL;
	cfg.pinned_key = pin && *pin ? pin : NULL;
	cfg.allow_plain = o->allow_plain;
	cfg.retries = o->retries;
	if (o->backoff_ms)
		cfg.backoff_ms = o->backoff_ms;
	if (o->low_speed_time_s)
		cfg.low_speed_time_s = o->low_speed_time_s;
	if (sign) {
		cfg.sign = sign_request;
		cfg.sign_ctx = k;
		cfg.keep_header = SYNC_ANSWER_HEADER;
	}
	cfg.on_retry = on_retry;
	cfg.retry_ctx = k;
	return client_new(&k->c, &cfg, e);
}

/*
 * A non-2xx answer as an error: the hub's JSON message (its messages name
 * no personal data) and an ERR_* that fits the status.
 */
int sync_hub_refused(const struct client_response *r, const char *what,
		       struct err *e)
{
	json_t *doc = json_loadb((const char *)r->body, r->len, 0, NULL);
	json_t *er = json_object_get(doc, "error");
	const char *msg = json_string_value(json_object_get(er, "message"));
	char text[256];
	int code = r->status == 401 || r->status == 403 ? ERR_AUTH
		   : r->status == 409			? ERR_CONFLICT
		   : r->status == 400 || r->status == 413 ? ERR_INVALID
		   : r->status == 404			? ERR_NOTFOUND
							: ERR_IO;

	snprintf(text, sizeof(text), "%s", msg ? msg : "no reason given");
	json_decref(doc);
	/* Keep only printable ASCII of what another program sent. */
	for (char *p = text; *p; p++)
		if (*p < 0x20 || *p > 0x7e)
			*p = '?';
	return err_set(e, code, "%s: the hub answered %ld: %s", what,
		       r->status, text);
}

void sync_count(struct conn *k, const struct client_response *r)
{
	pthread_mutex_lock(&k->lock);
	k->st->bytes_up += r->bytes_sent;
	k->st->bytes_down += r->bytes_received;
	pthread_mutex_unlock(&k->lock);
}

/* ---- enroll ---- */

int sync_enroll(struct store *s, const char *url, const char *token,
		const char *ca_file, const char *pin,
		const struct sync_options *o, struct err *e)
{
	struct conn k;
	struct sync_stats st;
	struct client_response r;
	struct store_remote rem;
	char pkhex[2 * crypto_sign_PUBLICKEYBYTES + 1], idhex[33], fp[33];
	const char *hub_id, *hub_pk, *name, *kind, *region;
	json_t *req = NULL, *doc = NULL;
	char *body = NULL;
	size_t got = 0;
	int rc;

	memset(&k, 0, sizeof(k));
	pthread_mutex_init(&k.lock, NULL);
	memset(&st, 0, sizeof(st));
	k.s = s;
	k.st = &st;
	client_response_init(&r);
	if (strlen(url) >= sizeof(rem.url) ||
	    (ca_file && strlen(ca_file) >= sizeof(rem.ca_file)) ||
	    (pin && strlen(pin) >= sizeof(rem.pin)))
		return err_set(e, ERR_INVALID, "hub address, CA file or pin "
			       "too long");
	rc = sync_identity_load(s, 1, &k.ident, e);
	if (!rc)
		rc = client_open(&k, url, ca_file, pin, 0, o, e);
	if (rc)
		goto out;
	sodium_bin2hex(pkhex, sizeof(pkhex), k.ident.pk, sizeof(k.ident.pk));
	sodium_bin2hex(idhex, sizeof(idhex), store_node_id(s)->b, ID_BYTES);
	hub_schema_fingerprint(fp);
	req = json_pack("{ssssssssss}", "token", token, "node_id", idhex, "pk",
			pkhex, "name", store_node_name(s), "schema", fp);
	body = req ? jtext_dump(req, JSON_COMPACT, NULL) : NULL;
	if (!body) {
		rc = err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	rc = client_request(k.c, "POST", "/v1/enroll", (const uint8_t *)body,
			    strlen(body), "application/json", &r, e);
	if (rc)
		goto out;
	if (r.status != 200) {
		rc = sync_hub_refused(&r, "enrollment", e);
		goto out;
	}
	doc = json_loadb((const char *)r.body, r.len, 0, NULL);
	hub_id = json_string_value(json_object_get(doc, "hub_id"));
	hub_pk = json_string_value(json_object_get(doc, "hub_pk"));
	name = json_string_value(json_object_get(doc, "name"));
	kind = json_string_value(json_object_get(doc, "kind"));
	region = json_string_value(json_object_get(doc, "region"));
	memset(&rem, 0, sizeof(rem));
	if (!hub_id || !hub_pk || !name || !kind || !region ||
	    id_parse(&rem.hub_id, hub_id) ||
	    strlen(hub_pk) != 2 * STORE_SIGN_PKBYTES ||
	    sodium_hex2bin(rem.hub_pk, sizeof(rem.hub_pk), hub_pk,
			   strlen(hub_pk), NULL, &got, NULL) ||
	    got != STORE_SIGN_PKBYTES || strlen(name) >= sizeof(rem.name) ||
	    strlen(kind) >= sizeof(rem.kind) ||
	    strlen(region) >= sizeof(rem.region)) {
		rc = err_set(e, ERR_INVALID, "enrollment: malformed answer "
			     "from the hub");
		goto out;
	}
	snprintf(rem.url, sizeof(rem.url), "%s", url);
	snprintf(rem.ca_file, sizeof(rem.ca_file), "%s", ca_file ? ca_file : "");
	snprintf(rem.pin, sizeof(rem.pin), "%s", pin ? pin : "");
	snprintf(rem.name, sizeof(rem.name), "%s", name);
	snprintf(rem.kind, sizeof(rem.kind), "%s", kind);
	snprintf(rem.region, sizeof(rem.region), "%s", region);
	rem.enrolled = (int64_t)(sync_now_ms() / 1000);
	rc = store_remote_set(s, &rem, e);
out:
	if (body) {
		/* It holds the one-time token. */
		sodium_memzero(body, strlen(body));
		free(body);
	}
	json_decref(req);
	json_decref(doc);
	client_response_release(&r);
	client_free(k.c);
	pthread_mutex_destroy(&k.lock);
	sync_identity_release(&k.ident);
	return rc;
}

/* ---- a round ---- */

/* The hub's error code in a JSON error body, "" when none. */
static int error_code_is(const struct client_response *r, const char *code)
{
	json_t *doc = json_loadb((const char *)r->body, r->len, 0, NULL);
	const char *c = json_string_value(
	    json_object_get(json_object_get(doc, "error"), "code"));
	int is = c && strcmp(c, code) == 0;

	json_decref(doc);
	return is;
}

/*
 * client_request(), once more with a fresh signature when the hub saw the
 * request's nonce already: libcurl re-sends a request by itself, headers
 * and all, when a kept-alive connection turns out dead, and the hub must
 * refuse the copy.  Push and pull are idempotent, so asking again is safe.
 */
int sync_request(struct conn *k, const char *method, const char *path,
		   const uint8_t *body, size_t len,
		   struct client_response *r, struct err *e)
{
	int rc = 0;

	for (int attempt = 0; attempt < 4; attempt++) {
		client_response_release(r);
		client_response_init(r);
		rc = client_request(k->c, method, path, body, len,
				    body ? "application/octet-stream" : NULL,
				    r, e);
		if (rc)
			return rc;
		sync_count(k, r);
		if (r->status == 200)
			return sync_auth_answer_verify(k->remote.hub_pk,
						       k->req_sig, 200, r->body,
						       r->len, r->kept, e);
		if (r->status != 409 || !error_code_is(r, "replay"))
			break;
		pthread_mutex_lock(&k->lock);
		k->st->retries++;
		pthread_mutex_unlock(&k->lock);
	}
	return rc;
}

static int get_json(struct conn *k, const char *method, const char *path,
		    const uint8_t *body, size_t len, const char *what,
		    json_t **doc, struct err *e)
{
	struct client_response r;
	int rc;

	*doc = NULL;
	client_response_init(&r);
	rc = sync_request(k, method, path, body, len, &r, e);
	if (!rc && r.status != 200)
		rc = sync_hub_refused(&r, what, e);
	if (!rc) {
		*doc = json_loadb((const char *)r.body, r.len, 0, NULL);
		if (!json_is_object(*doc))
			rc = err_set(e, ERR_INVALID, "%s: malformed answer "
				     "from the hub", what);
	}
	client_response_release(&r);
	return rc;
}

int sync_json_u64(const json_t *o, const char *key, uint64_t *v)
{
	const json_t *j = json_object_get(o, key);

	if (!json_is_integer(j) || json_integer_value(j) < 0)
		return -1;
	*v = (uint64_t)json_integer_value(j);
	return 0;
}

struct push_batch {
	struct sync_batch *b;
	int rc;
};

/* Add entries until the batch is full by count (the log's limit) or by
 * size; returning 1 stops the walk. */
static int add_change(void *ctx, const struct store_change *c)
{
	struct push_batch *p = ctx;

	if (sync_batch_count(p->b) &&
	    sync_batch_bytes(p->b) >= SYNC_BATCH_TARGET_BYTES)
		return 1;
	return sync_batch_add(p->b, c);
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
		rc = store_reject_own(k->s, oseq, text, e);
		if (rc)
			return rc;
		(*n)++;
	}
	return 0;
}

static int push_all(struct conn *k, uint64_t after, size_t limit,
		    const struct sync_options *o, struct err *e)
{
	struct push_batch pb = { NULL, 0 };
	uint8_t *env = NULL;
	size_t envlen = 0;
	json_t *doc = NULL;
	int rc = 0;

	for (;;) {
		uint64_t ack = 0;

		sync_batch_free(pb.b);
		pb.b = NULL;
		if (sync_batch_new(&pb.b)) {
			rc = err_set(e, ERR_NOMEM, "out of memory");
			break;
		}
		rc = store_log_own(k->s, after, limit, add_change, &pb, e);
		if (rc == 1)
			rc = 0;
		if (rc || sync_batch_count(pb.b) == 0)
			break;
		sync_batch_env_free(env, envlen);
		env = NULL;
		rc = sync_batch_seal(pb.b, store_node_id(k->s), k->ident.sk,
				     &env, &envlen, NULL, e);
		if (!rc)
			rc = get_json(k, "POST", "/v1/push", env, envlen,
				      "push", &doc, e);
		if (rc)
			break;
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
		k->st->pushed += sync_batch_count(pb.b);
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
	sync_batch_env_free(env, envlen);
	sync_batch_free(pb.b);
	return rc;
}

/*
 * Record what the hub says it has of ours when that is more than we knew:
 * a push whose answer was lost leaves nothing to push, and the checkpoint
 * must still move (a re-bootstrap refuses while changes look unpushed).
 */
static int note_push_ack(struct store *s, uint64_t push_ack, struct err *e)
{
	uint64_t known = 0, high = 0;
	int rc = store_seq_high(s, &high, e);

	/* The hub has changes of ours this node never numbered: its files
	 * are an older copy, and its next changes would take numbers the
	 * hub already holds (and be dropped there as known). */
	if (!rc && push_ack > high)
		return err_set(e, ERR_CONFLICT, "the hub holds this node's "
			       "changes up to %llu, this node's log ends at "
			       "%llu: it was restored from an older copy; "
			       "enroll it again as a new node",
			       (unsigned long long)push_ack,
			       (unsigned long long)high);
	if (!rc)
		rc = store_checkpoint_get(s, SYNC_CK_PUSH, &known, NULL);
	if (rc && rc != ERR_NOTFOUND)
		return err_set(e, rc, "cannot read the push checkpoint");
	if (!rc && push_ack <= known)
		return 0;
	return store_checkpoint_set(s, SYNC_CK_PUSH, push_ack, e);
}

int sync_pending(struct store *s, uint64_t *n, struct err *e)
{
	uint64_t after = 0;
	int rc = store_checkpoint_get(s, SYNC_CK_PUSH, &after, NULL);

	if (rc && rc != ERR_NOTFOUND)
		return err_set(e, rc, "cannot read the push checkpoint");
	return store_log_own_count(s, rc ? 0 : after, n, e);
}

int sync_round(struct store *s, const struct sync_options *o,
	       struct sync_stats *st, struct err *e)
{
	struct conn k;
	json_t *hello = NULL;
	const char *schema;
	char fp[33];
	uint64_t push_ack = 0;
	int rc;

	memset(&k, 0, sizeof(k));
	pthread_mutex_init(&k.lock, NULL);
	memset(st, 0, sizeof(*st));
	st->started_ms = sync_now_ms();
	k.s = s;
	k.st = st;
	rc = store_remote_get(s, &k.remote, e);
	if (!rc)
		rc = sync_identity_load(s, 0, &k.ident, e);
	if (!rc)
		rc = client_open(&k, k.remote.url, k.remote.ca_file,
				 k.remote.pin, 1, o, e);
	if (!rc)
		rc = get_json(&k, "GET", "/v1/hello", NULL, 0, "hello", &hello,
			      e);
	if (rc)
		goto out;
	schema = json_string_value(json_object_get(hello, "schema"));
	hub_schema_fingerprint(fp);
	if (!schema || strcmp(schema, fp) != 0) {
		rc = err_set(e, ERR_CONFLICT, "the hub runs another schema: "
			     "install the same Presidio version on both");
		goto out;
	}
	/* Resume where the hub is: it may have applied a batch whose
	 * answer never arrived. */
	if (sync_json_u64(hello, "push_ack", &push_ack)) {
		rc = err_set(e, ERR_INVALID, "hello: malformed answer");
		goto out;
	}
	rc = note_push_ack(s, push_ack, e);
	if (rc)
		goto out;
	rc = push_all(&k, push_ack, o->push_limit ? o->push_limit
						  : SYNC_PUSH_LIMIT, o, e);
	if (!rc)
		rc = sync_pull_all(&k, o->pull_limit ? o->pull_limit
						: SYNC_PULL_LIMIT, o, e);
	if (!rc)
		rc = store_checkpoint_set(s, SYNC_CK_LAST_OK,
					  sync_now_ms(), e);
out:
	json_decref(hello);
	client_free(k.c);
	pthread_mutex_destroy(&k.lock);
	sync_identity_release(&k.ident);
	return rc;
}
