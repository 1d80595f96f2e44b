/* sync.c - see sync.h. */
#include "sync/sync_int.h"
#include "sync/sync_metrics.h"

#include <stdlib.h>
#include <string.h>

#include "common/jscan.h"
#include "common/jtext.h"
#include "node/store_backup.h"
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
	uint64_t local = store_wall_ms(k->s);
	int64_t offset;
	int rc;

	/* The request time is this clock corrected by what the hub told
	 * us; record times are not (they keep the HLC's rule). */
	pthread_mutex_lock(&k->lock);
	offset = k->offset_ms;
	pthread_mutex_unlock(&k->lock);
	k->sent_ms = local;
	/* In unsigned arithmetic: a kept offset is read from the file and
	 * must not overflow (a wrong time is only refused by the hub). */
	rc = sync_auth_sign(store_node_id(k->s), k->ident.sk, method, path,
			    body, len, local + (uint64_t)offset, lines,
			    k->req_sig, e);
	for (int i = 0; !rc && i < SYNC_AUTH_HEADERS; i++)
		rc = client_header_add(h, lines[i]);
	/* hello carries this node's schema (hub.h): the hub refuses a node
	 * it cannot serve, and records the version of those it can. */
	if (!rc && strncmp(path, "/v1/hello", 9) == 0) {
		char fp[33], line[SYNC_AUTH_LINE_MAX];

		hub_schema_fingerprint(fp);
		snprintf(line, sizeof(line), "%s: %d %s", HUB_SCHEMA_HEADER,
			 schema_running_version(), fp);
		rc = client_header_add(h, line);
	}
	return rc;
}

/* The batch format of this round: the newest the hub offers at hello and
 * the options allow.  A hub of an older build offers none: format 1. */
static int hello_batch_format(const json_t *hello,
			      const struct sync_options *o)
{
	uint64_t offered = SYNC_BATCH_VERSION;
	int mine = o->batch_format > 0 && o->batch_format < SYNC_BATCH_FORMAT_MAX
			   ? o->batch_format
			   : SYNC_BATCH_FORMAT_MAX;

	if (sync_json_u64(hello, "batch_format", &offered) ||
	    offered < SYNC_BATCH_VERSION)
		offered = SYNC_BATCH_VERSION;
	return offered < (uint64_t)mine ? (int)offered : mine;
}

/* The hub's schema in its answer (enroll, hello) against this node's:
 * an answer without a version comes from the landed release (1). */
static int hub_schema_ok(const json_t *doc, const char *hub_fp,
			 struct err *e)
{
	const json_t *jv = json_object_get(doc, "schema_version");
	char fp[33];
	int hub_v = 1;

	if (jv && (!json_is_integer(jv) || json_integer_value(jv) < 1 ||
		   json_integer_value(jv) > 65535))
		return err_set(e, ERR_INVALID, "the hub's answer: malformed "
			       "schema version");
	if (jv)
		hub_v = (int)json_integer_value(jv);
	hub_schema_fingerprint(fp);
	return hub_schema_compatible(schema_running_version(), fp, hub_v,
				     hub_fp, e);
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

/* A cut in transit: stop the retries when a whole new connection could
 * not carry the page, and it can be made smaller. */
static int on_cut(void *ctx, const struct client_cut *cut)
{
	struct conn *k = ctx;
	struct sync_pace *p = k->pacing;

	if (!p || !cut->fresh || p->limit <= 1 ||
	    !(p->down ? cut->received : cut->sent))
		return 0;
	p->cut = 1;
	p->at = *cut;
	return 1;
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
	cfg.on_cut = on_cut;
	cfg.cut_ctx = k;
	return client_new(&k->c, &cfg, e);
}

/*
 * What an answer of the hub may hold, bounded before it is parsed
 * (common/jscan.h): a push answer lists at most a refusal or two per
 * change of the batch; nothing nests deeply.  A hub (or whatever answers
 * in its place with an error) cannot make the node build a large tree.
 */
static const struct jscan_limits answer_limits = {
	.max_values = 16 * SYNC_BATCH_MAX_CHANGES + 1024,
	.max_depth = 8,
	.max_string = 1u << 20,
	.max_number = 32,
};

json_t *sync_json_load(const uint8_t *body, size_t len)
{
	return jscan_load((const char *)body, len, 0, &answer_limits,
			  "answer", NULL);
}

int sync_json_check(const char *text, size_t len, struct err *e)
{
	return jscan_check(text, len, &answer_limits, "request", NULL, e);
}

/*
 * A non-2xx answer as an error: the hub's JSON message (its messages name
 * no personal data) and an ERR_* that fits the status.
 */
int sync_hub_refused(const struct client_response *r, const char *what,
		       struct err *e)
{
	json_t *doc = sync_json_load(r->body, r->len);
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

int sync_error_code_is(const struct client_response *r, const char *code)
{
	json_t *doc = sync_json_load(r->body, r->len);
	const char *c = json_string_value(
	    json_object_get(json_object_get(doc, "error"), "code"));
	int is = c && strcmp(c, code) == 0;

	json_decref(doc);
	return is;
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
	req = json_pack("{sssssssssssi}", "token", token, "node_id", idhex,
			"pk", pkhex, "name", store_node_name(s), "schema", fp,
			"schema_version", schema_running_version());
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
	doc = sync_json_load(r.body, r.len);
	hub_id = json_string_value(json_object_get(doc, "hub_id"));
	hub_pk = json_string_value(json_object_get(doc, "hub_pk"));
	name = json_string_value(json_object_get(doc, "name"));
	kind = json_string_value(json_object_get(doc, "kind"));
	region = json_string_value(json_object_get(doc, "region"));
	/* The hub judged this node's schema; this node judges the hub's (an
	 * older hub checked only the fingerprint). */
	rc = hub_schema_ok(doc, NULL, e);
	if (rc)
		goto out;
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


/*
 * Take the hub's time hub_ms, stamped while the request signed at
 * k->sent_ms was in flight and before now (this node's clock): the
 * offset is measured from the middle of the exchange, within half a
 * round trip of the truth.
 */
static void learn_offset(struct conn *k, uint64_t hub_ms, uint64_t now)
{
	uint64_t mid = k->sent_ms +
		       (now > k->sent_ms ? (now - k->sent_ms) / 2 : 0);

	pthread_mutex_lock(&k->lock);
	k->offset_ms = (int64_t)hub_ms - (int64_t)mid;
	k->offset_learned = 1;
	pthread_mutex_unlock(&k->lock);
}

/*
 * The hub refused the request's time and gave its own: take it when the
 * hub signed it for this very request (auth.h); 1 when taken.  A time
 * not signed so is ignored: the refusal then stands as it is.
 */
static int take_stale_time(struct conn *k, const struct client_response *r)
{
	uint64_t hub_ms = 0, now = store_wall_ms(k->s);

	if (r->status != 409 || !sync_error_code_is(r, SYNC_STALE_CODE) ||
	    sync_auth_stale_time(k->remote.hub_pk, k->req_sig, r->body, r->len,
				 r->kept, &hub_ms, NULL))
		return 0;
	learn_offset(k, hub_ms, now);
	pthread_mutex_lock(&k->lock);
	k->st->clock_corrected = 1;
	pthread_mutex_unlock(&k->lock);
	return 1;
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
	int corrected = 0;
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
		/* A clock off: ask again at once with the hub's time, once
		 * (refused again, the hub's clock is moving: report it). */
		if (!corrected && take_stale_time(k, r)) {
			corrected = 1;
			continue;
		}
		if (r->status != 409 || !sync_error_code_is(r, "replay"))
			break;
		pthread_mutex_lock(&k->lock);
		k->st->retries++;
		pthread_mutex_unlock(&k->lock);
	}
	return rc;
}

int sync_get_json(struct conn *k, const char *method, const char *path,
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
		*doc = sync_json_load(r.body, r.len);
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
	uint64_t push_ack = 0, hub_ms = 0;
	int rc;

	memset(&k, 0, sizeof(k));
	pthread_mutex_init(&k.lock, NULL);
	memset(st, 0, sizeof(*st));
	st->started_ms = sync_now_ms();
	k.s = s;
	k.st = st;
	sync_clock_load(&k);
	sync_pace_init(s, &k.push_pace, SYNC_CK_PUSH_PAGE, o->push_limit,
		       SYNC_PUSH_LIMIT, 0);
	sync_pace_init(s, &k.pull_pace, SYNC_CK_PULL_PAGE, o->pull_limit,
		       SYNC_PULL_LIMIT, 1);
	rc = store_remote_get(s, &k.remote, e);
	if (!rc)
		rc = sync_identity_load(s, 0, &k.ident, e);
	if (!rc)
		rc = client_open(&k, k.remote.url, k.remote.ca_file,
				 k.remote.pin, 1, o, e);
	if (!rc)
		rc = sync_get_json(&k, "GET", "/v1/hello", NULL, 0, "hello",
				   &hello, e);
	if (rc)
		goto out;
	/* hello's answer is signed for this request: its time keeps the
	 * offset current even while the clock is within the window. */
	if (!sync_json_u64(hello, "time", &hub_ms))
		learn_offset(&k, hub_ms, store_wall_ms(s));
	schema = json_string_value(json_object_get(hello, "schema"));
	if (!schema) {
		rc = err_set(e, ERR_INVALID, "hello: no schema in the answer");
		goto out;
	}
	rc = hub_schema_ok(hello, schema, e);
	if (rc)
		goto out;
	/* Resume where the hub is, or where this node last heard from
	 * it: the hub may have applied a batch whose answer never
	 * arrived. */
	if (sync_json_u64(hello, "push_ack", &push_ack)) {
		rc = err_set(e, ERR_INVALID, "hello: malformed answer");
		goto out;
	}
	k.hub_roles = json_is_true(json_object_get(hello, "roles"));
	k.batch_format = hello_batch_format(hello, o);
	/* Erasures first: an erased person's changes are never sent. */
	rc = sync_erase_pull(&k, hello, e);
	if (!rc)
		rc = sync_push_all(&k, push_ack, o, e);
	/* Who read and wrote what here, after the changes it speaks of. */
	if (!rc)
		rc = sync_audit_push(&k, hello, o->audit_format, e);
	/* Purges held back for changes the hub did not have: it has them
	 * now (accepted, or refused and kept with their values). */
	if (!rc)
		rc = sync_push_evict_held_back(&k, e);
	if (!rc)
		rc = sync_pull_all(&k, o, e);
	/* The pull went to the hub's end: what it held of ours is back. */
	if (!rc && k.restored)
		rc = store_restored_clear(s, e);
	/* What the link carried is worth keeping whatever happened. */
	if (!rc)
		rc = sync_pace_save(s, &k.push_pace, e);
	else
		(void)sync_pace_save(s, &k.push_pace, NULL);
	if (!rc)
		rc = sync_pace_save(s, &k.pull_pace, e);
	else
		(void)sync_pace_save(s, &k.pull_pace, NULL);
	if (!rc)
		rc = store_checkpoint_set(s, SYNC_CK_LAST_OK,
					  sync_now_ms(), e);
out:
	rc = sync_clock_save(&k, rc, e);
	/* The round's figures for /metrics, whatever its outcome; they
	 * never change it. */
	(void)sync_metrics_note(s, st, rc == 0, sync_now_ms(), NULL);
	json_decref(hello);
	client_free(k.c);
	pthread_mutex_destroy(&k.lock);
	sync_identity_release(&k.ident);
	return rc;
}
