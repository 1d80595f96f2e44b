/* auth.c - see auth.h. */
#include "sync/auth.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#define REQ_DOMAIN "presidio-request-v1"
#define ANS_DOMAIN "presidio-answer-v1"

uint64_t sync_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int sync_identity_load(struct store *s, int create, struct sync_identity *id,
		       struct err *e)
{
	uint8_t seed[crypto_sign_SEEDBYTES];
	size_t len = 0;
	int rc;

	memset(id, 0, sizeof(*id));
	rc = store_secret_get(s, SYNC_SEED_SECRET, seed, sizeof(seed), &len,
			      e);
	if (rc == ERR_NOTFOUND && create) {
		randombytes_buf(seed, sizeof(seed));
		len = sizeof(seed);
		rc = store_secret_put(s, SYNC_SEED_SECRET, seed, len, e);
	} else if (rc == ERR_NOTFOUND) {
		err_set(e, rc, "this node has no signing key yet");
	}
	if (!rc && len != sizeof(seed))
		rc = err_set(e, ERR_CORRUPT, "signing key has a bad size");
	if (rc)
		goto out;
	id->sk = sodium_malloc(crypto_sign_SECRETKEYBYTES);
	if (!id->sk) {
		rc = err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	crypto_sign_seed_keypair(id->pk, id->sk, seed);
out:
	sodium_memzero(seed, sizeof(seed));
	return rc;
}

void sync_identity_release(struct sync_identity *id)
{
	if (!id)
		return;
	if (id->sk)
		sodium_free(id->sk);
	memset(id, 0, sizeof(*id));
}

/* The signed message: domain, method, path, node, time, nonce, body hash. */
static int request_message(const char *method, const char *path,
			   const struct id *node, uint64_t ms,
			   const uint8_t *nonce, const uint8_t *body,
			   size_t len, char *out, size_t n)
{
	uint8_t h[crypto_hash_sha256_BYTES];
	char hh[2 * sizeof(h) + 1], nh[2 * SYNC_NONCE_BYTES + 1];
	char idh[2 * ID_BYTES + 1];
	int w;

	crypto_hash_sha256(h, body ? body : (const uint8_t *)"", len);
	sodium_bin2hex(hh, sizeof(hh), h, sizeof(h));
	sodium_bin2hex(nh, sizeof(nh), nonce, SYNC_NONCE_BYTES);
	sodium_bin2hex(idh, sizeof(idh), node->b, ID_BYTES);
	w = snprintf(out, n, "%s\n%s\n%s\n%s\n%" PRIu64 "\n%s\n%s", REQ_DOMAIN,
		     method, path, idh, ms, nh, hh);
	return w < 0 || (size_t)w >= n ? ERR_INVALID : w;
}

int sync_auth_sign(const struct id *node, const uint8_t *sk,
		   const char *method, const char *path, const uint8_t *body,
		   size_t len, uint64_t now_ms,
		   char lines[SYNC_AUTH_HEADERS][SYNC_AUTH_LINE_MAX],
		   uint8_t sig_out[crypto_sign_BYTES], struct err *e)
{
	uint8_t nonce[SYNC_NONCE_BYTES], sig[crypto_sign_BYTES];
	char msg[2048], hex[2 * crypto_sign_BYTES + 1];
	char idh[2 * ID_BYTES + 1];
	int n;

	randombytes_buf(nonce, sizeof(nonce));
	n = request_message(method, path, node, now_ms, nonce, body, len, msg,
			    sizeof(msg));
	if (n < 0)
		return err_set(e, ERR_INVALID, "request path too long");
	crypto_sign_detached(sig, NULL, (const uint8_t *)msg, (size_t)n, sk);
	sodium_bin2hex(idh, sizeof(idh), node->b, ID_BYTES);
	snprintf(lines[0], SYNC_AUTH_LINE_MAX, "X-Presidio-Node: %s", idh);
	snprintf(lines[1], SYNC_AUTH_LINE_MAX, "X-Presidio-Time: %" PRIu64,
		 now_ms);
	sodium_bin2hex(hex, sizeof(hex), nonce, sizeof(nonce));
	snprintf(lines[2], SYNC_AUTH_LINE_MAX, "X-Presidio-Nonce: %s", hex);
	sodium_bin2hex(hex, sizeof(hex), sig, sizeof(sig));
	snprintf(lines[3], SYNC_AUTH_LINE_MAX, "X-Presidio-Signature: %s",
		 hex);
	if (sig_out)
		memcpy(sig_out, sig, sizeof(sig));
	return 0;
}

static int hex_exact(const char *text, uint8_t *out, size_t n)
{
	size_t got = 0;

	if (!text || strlen(text) != 2 * n)
		return -1;
	if (sodium_hex2bin(out, n, text, 2 * n, NULL, &got, NULL) != 0 ||
	    got != n)
		return -1;
	return 0;
}

int sync_auth_parse(const char *node, const char *time, const char *nonce,
		    const char *sig, struct sync_auth_req *out, struct err *e)
{
	char *end = NULL;
	unsigned long long ms;

	memset(out, 0, sizeof(*out));
	if (!node || !time || !nonce || !sig)
		return err_set(e, ERR_AUTH, "unsigned request");
	if (hex_exact(node, out->node.b, ID_BYTES) ||
	    hex_exact(nonce, out->nonce, SYNC_NONCE_BYTES) ||
	    hex_exact(sig, out->sig, crypto_sign_BYTES))
		return err_set(e, ERR_AUTH, "malformed request signature");
	if (*time < '0' || *time > '9' || strlen(time) > 15)
		return err_set(e, ERR_AUTH, "malformed request time");
	ms = strtoull(time, &end, 10);
	if (*end)
		return err_set(e, ERR_AUTH, "malformed request time");
	out->time_ms = ms;
	return 0;
}

int sync_auth_verify(const struct sync_auth_req *r, const uint8_t *pk,
		     const char *method, const char *path, const uint8_t *body,
		     size_t len, uint64_t now_ms, struct err *e)
{
	char msg[2048];
	int n = request_message(method, path, &r->node, r->time_ms, r->nonce,
				body, len, msg, sizeof(msg));

	if (n < 0)
		return err_set(e, ERR_AUTH, "request path too long");
	if (crypto_sign_verify_detached(r->sig, (const uint8_t *)msg,
					(size_t)n, pk) != 0)
		return err_set(e, ERR_AUTH, "request signature does not verify");
	if (r->time_ms + SYNC_AUTH_WINDOW_MS < now_ms ||
	    r->time_ms > now_ms + SYNC_AUTH_WINDOW_MS)
		return err_set(e, ERR_CONFLICT,
			       "request time is more than %d minutes off the "
			       "hub's clock",
			       SYNC_AUTH_WINDOW_MS / 60000);
	return 0;
}

/* The signed message of an answer: domain, status, request signature,
 * body hash. */
static int answer_message(const uint8_t *req_sig, int status,
			  const uint8_t *body, size_t len, char *out, size_t n)
{
	uint8_t h[crypto_hash_sha256_BYTES];
	char hh[2 * sizeof(h) + 1], sh[SYNC_SIG_HEX];

	crypto_hash_sha256(h, body ? body : (const uint8_t *)"", len);
	sodium_bin2hex(hh, sizeof(hh), h, sizeof(h));
	sodium_bin2hex(sh, sizeof(sh), req_sig, crypto_sign_BYTES);
	return snprintf(out, n, "%s\n%d\n%s\n%s", ANS_DOMAIN, status, sh, hh);
}

void sync_auth_answer_sign(const uint8_t *sk,
			   const uint8_t req_sig[crypto_sign_BYTES],
			   int status, const uint8_t *body, size_t len,
			   char out[SYNC_SIG_HEX])
{
	uint8_t sig[crypto_sign_BYTES];
	char msg[512];
	int n = answer_message(req_sig, status, body, len, msg, sizeof(msg));

	crypto_sign_detached(sig, NULL, (const uint8_t *)msg, (size_t)n, sk);
	sodium_bin2hex(out, SYNC_SIG_HEX, sig, sizeof(sig));
}

int sync_auth_answer_verify(const uint8_t *pk,
			    const uint8_t req_sig[crypto_sign_BYTES],
			    int status, const uint8_t *body, size_t len,
			    const char *sig_hex, struct err *e)
{
	uint8_t sig[crypto_sign_BYTES];
	char msg[512];
	int n;

	if (!sig_hex || !*sig_hex)
		return err_set(e, ERR_AUTH, "the hub's answer is not signed "
			       "(something between this node and the hub "
			       "changed it)");
	if (hex_exact(sig_hex, sig, sizeof(sig)))
		return err_set(e, ERR_AUTH, "the hub's answer has a malformed "
			       "signature");
	n = answer_message(req_sig, status, body, len, msg, sizeof(msg));
	if (crypto_sign_verify_detached(sig, (const uint8_t *)msg, (size_t)n,
					pk) != 0)
		return err_set(e, ERR_AUTH, "the hub's answer does not verify: "
			       "it was altered, or it answers another request");
	return 0;
}

int sync_auth_stale_time(const uint8_t *pk,
			 const uint8_t req_sig[crypto_sign_BYTES],
			 const uint8_t *body, size_t len, const char *sig_hex,
			 uint64_t *hub_ms, struct err *e)
{
	json_t *doc, *t;
	int rc = sync_auth_answer_verify(pk, req_sig, 409, body, len, sig_hex,
					 e);

	if (rc)
		return rc;
	doc = json_loadb((const char *)body, len, 0, NULL);
	t = json_object_get(json_object_get(doc, "error"), "hub_time");
	if (json_is_integer(t) && json_integer_value(t) > 0) {
		*hub_ms = (uint64_t)json_integer_value(t);
	} else {
		rc = err_set(e, ERR_INVALID, "the hub's refusal of a stale "
			     "time does not give its time");
	}
	json_decref(doc);
	return rc;
}
