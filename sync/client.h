/*
 * client.h - the HTTP(S) client a node uses to talk to the hub, on libcurl,
 * built for links that drop mid-transfer (2G in the fields).
 *
 * One struct client owns one libcurl easy handle, reused across requests
 * so that the TCP connection and the TLS session are kept alive between
 * them.  A request is sent, and on a transient failure (connection refused,
 * reset or cut, timeout, TLS handshake I/O error, HTTP 408, 429, 500, 502,
 * 503, 504) sent again after an exponential backoff with full jitter, up to
 * the configured number of retries; a kept connection cut after it carried
 * bytes is retried at once, on a new one (the link works; it dropped).  A
 * caller's callback hears of every cut and may stop the retries to send a
 * smaller request instead (client_cut_fn).  Before every attempt a caller's
 * callback may add header lines, so that each attempt is signed with a
 * fresh time and nonce.  Retried requests must therefore be idempotent on
 * the server's side (the hub deduplicates pushes on origin and sequence,
 * and answers a change it holds as it did the first time: its refusal,
 * if any, again).
 *
 * The hub is trusted only through TLS verification: peer and host name are
 * always verified (there is deliberately no switch to turn that off), TLS
 * 1.2 at least, against the configured CA bundle (which then replaces the
 * system store) and, optionally, a pinned public key.  Plain http:// is
 * accepted only for loopback hosts, for tests and a local hub.  Only HTTP
 * and HTTPS are spoken, redirects are not followed, responses are bounded
 * while they are received.
 *
 * The module knows nothing of the sync protocol: it moves bytes and
 * reports statuses.  It never logs, and its error messages never contain
 * bodies or headers (they may hold signatures and personal data).
 *
 * Not thread-safe: one struct client per thread.  client_global_init()
 * must have been called once by the program before any client_new(), and
 * the program should ignore SIGPIPE (libcurl is told not to touch
 * signals, so that it can run in threads).
 */
#ifndef PRESIDIO_SYNC_CLIENT_H
#define PRESIDIO_SYNC_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

#define CLIENT_CONTENT_TYPE_MAX 64
#define CLIENT_KEPT_MAX 192 /* a kept response header's value, at most */

struct client;

/* The header lines of one attempt, handed to the sign callback. */
struct client_headers;

/*
 * Add a header line "Name: value" to the attempt being prepared.  0,
 * ERR_INVALID (no "Name:" or a CR or LF in the line: no header injection),
 * ERR_NOMEM.
 */
int client_header_add(struct client_headers *h, const char *line)
	ERR_MUST_USE;

/*
 * Called before EVERY attempt, retries included, with the request as it
 * will be sent (path as given to client_request, without base_url), so
 * that the caller can sign it with a fresh time and nonce and add the
 * result with client_header_add().  A non-zero return aborts the request
 * and client_request() returns that code (with the callback's message in
 * e, or a generic one when the callback left none).
 */
typedef int (*client_sign_fn)(void *ctx, const char *method, const char *path,
			      const uint8_t *body, size_t len,
			      struct client_headers *h, struct err *e);

/*
 * Progress callback: attempt number `attempt` (1 = the first) failed for
 * the reason `why` (curl's message or "HTTP 503"; never a body or header)
 * and the next attempt comes in delay_ms.
 */
typedef void (*client_retry_fn)(void *ctx, unsigned attempt, unsigned delay_ms,
				const char *why);

/* An attempt cut in transit (see client_cut_fn). */
struct client_cut {
	uint64_t sent;     /* request bytes (headers, body) this attempt sent */
	uint64_t received; /* response bytes (headers, body) it received */
	int64_t expected;  /* the response's Content-Length, -1 if unknown */
	int fresh;         /* it ran on a new connection, not a kept one */
};

/*
 * Called after an attempt that failed in transit (the connection was cut,
 * reset or timed out; not a refused connection or a bad certificate),
 * before the retry.  A non-zero return stops the retries there:
 * client_request() returns ERR_IO, so that the caller can ask for less
 * (a request a whole new connection could not carry will not pass by
 * being sent again).
 */
typedef int (*client_cut_fn)(void *ctx, const struct client_cut *cut);

struct client_config {
	const char *base_url;   /* "https://host:port[/prefix]"; copied */
	const char *ca_file;    /* PEM CA bundle, replaces the system store;
				 * NULL = system store; copied */
	const char *pinned_key; /* "sha256//<base64>[;sha256//...]" public
				 * key pin, or NULL; copied.  Without
				 * ca_file the pin alone is the trust
				 * (chain and name not checked) */
	int allow_plain;        /* 1: http:// allowed for 127.x, ::1 and
				 * localhost (never another host) */
	long connect_timeout_s; /* name lookup + connect; 0 = 15 */
	long low_speed_limit;   /* bytes/s; 0 = 64 */
	long low_speed_time_s;  /* abort when slower than the limit this
				 * long; 0 = 30 */
	long total_timeout_s;   /* per attempt; 0 = 300 */
	unsigned retries;       /* attempts after the first, on transient
				 * failures; 0 = none */
	unsigned backoff_ms;    /* first delay's upper bound; doubles */
	unsigned backoff_max_ms; /* cap of the delay, Retry-After too */
	size_t max_response;    /* body bytes; more aborts (ERR_INVALID);
				 * 0 = CLIENT_MAX_RESPONSE */
	client_sign_fn sign;    /* may be NULL */
	void *sign_ctx;
	client_retry_fn on_retry; /* may be NULL; for progress lines */
	void *retry_ctx;
	const char *keep_header; /* a response header whose value the caller
				  * needs (client_response.kept), or NULL;
				  * copied */
	client_cut_fn on_cut;    /* may be NULL: every cut is retried */
	void *cut_ctx;
};

#define CLIENT_MAX_RESPONSE ((size_t)64 << 20)

/* Defaults: 5 retries, backoff 500 ms up to 30000 ms, 64 MiB, no TLS
 * overrides, no callbacks.  Cannot fail. */
void client_config_init(struct client_config *cfg);

struct client_response {
	long status;         /* HTTP status of the last attempt; 0 when it
			      * got no complete response */
	char content_type[CLIENT_CONTENT_TYPE_MAX]; /* "" if none; cut */
	char kept[CLIENT_KEPT_MAX]; /* value of client_config.keep_header;
				     * "" if absent or too long */
	uint8_t *body;       /* malloc'd, NUL-terminated (len excludes it);
			      * never NULL after a 0 return, NULL after an
			      * error */
	size_t len;
	uint64_t bytes_sent; /* headers + body as curl counts them, summed
			      * over all attempts (not TLS overhead) */
	uint64_t bytes_received;
	unsigned attempts;   /* attempts made, 1 = no retry */
};

/* An empty response.  Cannot fail. */
void client_response_init(struct client_response *r);

/* Wipe the body (it may hold personal data), free it and re-initialise r.
 * Accepts NULL. */
void client_response_release(struct client_response *r);

/*
 * A client for cfg (its strings are copied; the callbacks' contexts must
 * outlive the client).  ERR_INVALID: no or malformed base_url, a scheme
 * other than https (or http for a loopback host with allow_plain),
 * credentials, a query or a fragment in base_url, a pin not starting with
 * "sha256//", a CA file that cannot be read; ERR_NOMEM; ERR_FAIL when
 * libcurl cannot make a handle.  Free with client_free().
 */
int client_new(struct client **out, const struct client_config *cfg,
	       struct err *e) ERR_MUST_USE;

/* Close the connection and free everything.  Accepts NULL. */
void client_free(struct client *c);

/*
 * One request: method ("GET", "POST", or another upper-case token), path
 * ("/v1/pull?after=3": starts with '/', no space or control character;
 * appended to base_url), body and len (NULL and 0 for none; a GET takes
 * none), content_type of the body (NULL for none).  res must have been
 * initialised; what it held is released first.
 *
 * Transient failures (see the top of this file) are retried after a delay
 * drawn uniformly in [0, min(backoff_max_ms, backoff_ms * 2^n)] before
 * retry n+1, or the delay a retryable answer's Retry-After asks for
 * (seconds or a date; when positive) capped at backoff_max_ms.  Returns 0 when an HTTP response was received and is not
 * to be retried (any status; 2xx, 4xx...), or when the retries are
 * exhausted on a retryable status such as 503: res->status, content type
 * and body are the last response's, and the caller decides.  Otherwise:
 *   ERR_IO       the hub could not be reached, or every attempt failed in
 *                transit (the message gives curl's reason and the number
 *                of attempts);
 *   ERR_AUTH     the hub's certificate did not verify or did not match the
 *                pin ("hub certificate not trusted..."), never retried;
 *   ERR_INVALID  bad method, path, body for a GET, a response larger than
 *                max_response, a URL curl refuses, an unreadable CA file;
 *   ERR_NOMEM;
 *   or the sign callback's code.
 * res->attempts and the byte counts are filled in every case.
 */
int client_request(struct client *c, const char *method, const char *path,
		   const uint8_t *body, size_t len, const char *content_type,
		   struct client_response *res, struct err *e) ERR_MUST_USE;

/* Process-wide initialisation of libcurl (and libsodium, for the jitter):
 * once from main, before any thread.  0, or ERR_FAIL when libcurl cannot
 * start or was built without TLS. */
int client_global_init(struct err *e) ERR_MUST_USE;

/* Undo client_global_init(), after every client is freed. */
void client_global_cleanup(void);

#endif
