/*
 * auth.h - who is talking: node identities and signed requests.
 *
 * Every node (the hub too) has an Ed25519 key pair.  Its 32-byte seed is
 * kept as a store secret (node/store.h: sealed under the data key, so any
 * operator of the node unlocks it and key rotation re-seals it); the
 * public key is what the other side knows.
 *
 * A request from a node to the hub carries four headers:
 *   X-Presidio-Node: the node id (32 hex)
 *   X-Presidio-Time: milliseconds since the epoch
 *   X-Presidio-Nonce: 16 random bytes (32 hex)
 *   X-Presidio-Signature: Ed25519 (128 hex) over
 *     "presidio-request-v1\n" METHOD "\n" PATH "\n" NODE "\n" TIME "\n"
 *     NONCE "\n" hex(SHA-256(body))
 * The hub refuses a time more than SYNC_AUTH_WINDOW_MS from its own and a
 * nonce it has seen from that node within the window (registry_peer_nonce()),
 * so a captured request cannot be replayed, and the body cannot be
 * swapped.  Chosen over TLS client certificates: it survives a
 * TLS-terminating reverse proxy in front of the hub, needs no certificate
 * authority for the nodes, and binds each request to its body.
 *
 * The hub signs its answer back (status 200) in one header:
 *   X-Presidio-Answer: Ed25519 (128 hex) with the hub's key over
 *     "presidio-answer-v1\n" STATUS "\n" hex(request signature) "\n"
 *     hex(SHA-256(body))
 * The request signature covers method, path and query, node, time, nonce
 * and body, so an answer is good for that one request only: whatever
 * stands between the TLS end and the hub cannot hand a node an older
 * batch, another node's answer or an altered cursor.
 *
 * A request whose signature verifies but whose time is more than the
 * window off is refused (409) with the hub's clock in the body,
 *   {"error":{"code":"stale","message":"...","hub_time":MS}}
 * and that refusal is signed like a 200 answer (status 409).  The node
 * takes hub_time only when the signature verifies with the hub's key over
 * the request it just sent (fresh nonce): a time forged, unsigned, or
 * signed for another request is ignored, so no one can move a node's
 * offset by replaying an old refusal.  The node then signs with its clock
 * plus the offset it learned (sync.h: SYNC_CK_CLOCK).  Only request
 * times are corrected: record times (the HLC) keep their own rule
 * (node/store.h: STORE_SKEW_WINDOW_MS).
 */
#ifndef PRESIDIO_SYNC_AUTH_H
#define PRESIDIO_SYNC_AUTH_H

#include <sodium.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "common/id.h"
#include "node/store.h"

#define SYNC_AUTH_WINDOW_MS (5 * 60 * 1000)
#define SYNC_NONCE_BYTES 16
#define SYNC_AUTH_HEADERS 4
#define SYNC_AUTH_LINE_MAX 192
#define SYNC_SEED_SECRET "sign_seed"
#define SYNC_ANSWER_HEADER "X-Presidio-Answer"
#define SYNC_SIG_HEX (2 * crypto_sign_BYTES + 1)
#define SYNC_STALE_CODE "stale" /* error code of a stale time's refusal */

/* A node's key pair: pk in clear, sk in sodium_malloc'd memory. */
struct sync_identity {
	uint8_t pk[crypto_sign_PUBLICKEYBYTES];
	uint8_t *sk; /* crypto_sign_SECRETKEYBYTES, guarded */
};

/*
 * Load the node's key pair from its store (unlocked); with create, make
 * one when there is none.  ERR_NOTFOUND without create when none exists.
 * Release with sync_identity_release().
 */
int sync_identity_load(struct store *s, int create, struct sync_identity *id,
		       struct err *e) ERR_MUST_USE;
void sync_identity_release(struct sync_identity *id); /* wipes; NULL ok */

/*
 * The header lines ("Name: value") that authenticate a request of node
 * with secret key sk, made at now_ms; the signature also in sig (may be
 * NULL), to check the answer with.
 */
int sync_auth_sign(const struct id *node, const uint8_t *sk,
		   const char *method, const char *path, const uint8_t *body,
		   size_t len, uint64_t now_ms,
		   char lines[SYNC_AUTH_HEADERS][SYNC_AUTH_LINE_MAX],
		   uint8_t sig[crypto_sign_BYTES], struct err *e) ERR_MUST_USE;

/* A request's authentication headers, parsed. */
struct sync_auth_req {
	struct id node;
	uint64_t time_ms;
	uint8_t nonce[SYNC_NONCE_BYTES];
	uint8_t sig[crypto_sign_BYTES];
};

/* Parse the four header values (any may be NULL: ERR_AUTH "unsigned
 * request"); ERR_AUTH when malformed. */
int sync_auth_parse(const char *node, const char *time, const char *nonce,
		    const char *sig, struct sync_auth_req *out,
		    struct err *e) ERR_MUST_USE;

/* Check the signature with the node's public key pk and the time against
 * now_ms.  ERR_AUTH (bad signature), ERR_CONFLICT (stale). */
int sync_auth_verify(const struct sync_auth_req *r, const uint8_t *pk,
		     const char *method, const char *path, const uint8_t *body,
		     size_t len, uint64_t now_ms, struct err *e) ERR_MUST_USE;

/* The hub's signature (hex, in out) of an answer with status and body
 * to the request that carried req_sig. */
void sync_auth_answer_sign(const uint8_t *sk,
			   const uint8_t req_sig[crypto_sign_BYTES],
			   int status, const uint8_t *body, size_t len,
			   char out[SYNC_SIG_HEX]);

/* Check an answer's signature (hex; NULL or "" when the header was
 * absent) with the hub's public key pk.  ERR_AUTH when missing or bad. */
int sync_auth_answer_verify(const uint8_t *pk,
			    const uint8_t req_sig[crypto_sign_BYTES],
			    int status, const uint8_t *body, size_t len,
			    const char *sig_hex, struct err *e) ERR_MUST_USE;

/*
 * The hub's time in its refusal of a stale request (status 409, body,
 * X-Presidio-Answer value sig_hex) to the request that carried req_sig:
 * 0 and *hub_ms; ERR_AUTH when the refusal is not signed by pk for that
 * request (forged, stripped, or replayed from another request);
 * ERR_INVALID when it holds no hub_time.
 */
int sync_auth_stale_time(const uint8_t *pk,
			 const uint8_t req_sig[crypto_sign_BYTES],
			 const uint8_t *body, size_t len, const char *sig_hex,
			 uint64_t *hub_ms, struct err *e) ERR_MUST_USE;

/* Milliseconds since the epoch (CLOCK_REALTIME). */
uint64_t sync_now_ms(void);

#endif
