/*
 * test_auth.c - signed requests and signed answers (sync/auth.h) alone:
 * every part of the signed message matters, and an answer is good for
 * the one request it answers.
 */
#include "sync/auth.h"
#include "tests/test.h"

#include <stdio.h>
#include <stdlib.h>

static struct id node = { { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
			    15, 16 } };
static uint8_t pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];

static void keys(void)
{
	if (sodium_init() < 0)
		abort();
	crypto_sign_keypair(pk, sk);
}

/* The value of header line i ("Name: value"). */
static const char *value(char lines[SYNC_AUTH_HEADERS][SYNC_AUTH_LINE_MAX],
			 int i)
{
	const char *v = strchr(lines[i], ':');

	return v ? v + 2 : "";
}

static int verify(char lines[SYNC_AUTH_HEADERS][SYNC_AUTH_LINE_MAX],
		  const char *method, const char *path, const char *body,
		  uint64_t now)
{
	struct sync_auth_req r;

	if (sync_auth_parse(value(lines, 0), value(lines, 1), value(lines, 2),
			    value(lines, 3), &r, NULL))
		return -1;
	return sync_auth_verify(&r, pk, method, path, (const uint8_t *)body,
				strlen(body), now, NULL);
}

static void test_request_signature_binds_everything(void)
{
	char lines[SYNC_AUTH_HEADERS][SYNC_AUTH_LINE_MAX];
	char other[SYNC_AUTH_HEADERS][SYNC_AUTH_LINE_MAX];
	uint8_t sig[crypto_sign_BYTES], sig2[crypto_sign_BYTES];
	uint64_t now = 1700000000000;

	keys();
	CHECK(sync_auth_sign(&node, sk, "POST", "/v1/push", (const uint8_t *)"b",
			     1, now, lines, sig, NULL) == 0);
	CHECK(verify(lines, "POST", "/v1/push", "b", now) == 0);
	CHECK(verify(lines, "GET", "/v1/push", "b", now) == ERR_AUTH);
	CHECK(verify(lines, "POST", "/v1/pull", "b", now) == ERR_AUTH);
	CHECK(verify(lines, "POST", "/v1/push", "c", now) == ERR_AUTH);
	CHECK(verify(lines, "POST", "/v1/push", "b",
		     now + SYNC_AUTH_WINDOW_MS + 1) == ERR_CONFLICT);
	CHECK(verify(lines, "POST", "/v1/push", "b",
		     now - SYNC_AUTH_WINDOW_MS - 1) == ERR_CONFLICT);
	/* Same request again: a new nonce, so another signature. */
	CHECK(sync_auth_sign(&node, sk, "POST", "/v1/push", (const uint8_t *)"b",
			     1, now, other, sig2, NULL) == 0);
	CHECK(strcmp(lines[2], other[2]) != 0);
	CHECK(memcmp(sig, sig2, sizeof(sig)) != 0);
	/* A malformed header is refused before any check. */
	snprintf(lines[2], sizeof(lines[2]), "X-Presidio-Nonce: zz");
	CHECK(verify(lines, "POST", "/v1/push", "b", now) == -1);
}

static void test_answer_bound_to_its_request(void)
{
	char lines[SYNC_AUTH_HEADERS][SYNC_AUTH_LINE_MAX];
	uint8_t sig[crypto_sign_BYTES], sig2[crypto_sign_BYTES];
	uint8_t hub_pk[crypto_sign_PUBLICKEYBYTES];
	uint8_t hub_sk[crypto_sign_SECRETKEYBYTES];
	const uint8_t *body = (const uint8_t *)"{\"push_ack\":3}";
	size_t len = strlen((const char *)body);
	char ans[SYNC_SIG_HEX];

	keys();
	crypto_sign_keypair(hub_pk, hub_sk);
	CHECK(sync_auth_sign(&node, sk, "GET", "/v1/hello", NULL, 0, 1, lines,
			     sig, NULL) == 0);
	CHECK(sync_auth_sign(&node, sk, "GET", "/v1/hello", NULL, 0, 1, lines,
			     sig2, NULL) == 0);
	sync_auth_answer_sign(hub_sk, sig, 200, body, len, ans);
	CHECK(sync_auth_answer_verify(hub_pk, sig, 200, body, len, ans,
				      NULL) == 0);
	/* Another request, status, body or key: refused. */
	CHECK(sync_auth_answer_verify(hub_pk, sig2, 200, body, len, ans,
				      NULL) == ERR_AUTH);
	CHECK(sync_auth_answer_verify(hub_pk, sig, 201, body, len, ans,
				      NULL) == ERR_AUTH);
	CHECK(sync_auth_answer_verify(hub_pk, sig, 200, body, len - 1, ans,
				      NULL) == ERR_AUTH);
	CHECK(sync_auth_answer_verify(pk, sig, 200, body, len, ans, NULL) ==
	      ERR_AUTH);
	/* Missing or malformed. */
	CHECK(sync_auth_answer_verify(hub_pk, sig, 200, body, len, "",
				      NULL) == ERR_AUTH);
	CHECK(sync_auth_answer_verify(hub_pk, sig, 200, body, len, NULL,
				      NULL) == ERR_AUTH);
	ans[5] = 'x';
	CHECK(sync_auth_answer_verify(hub_pk, sig, 200, body, len, ans,
				      NULL) == ERR_AUTH);
	sodium_memzero(hub_sk, sizeof(hub_sk));
}

TEST_MAIN(T(test_request_signature_binds_everything),
	  T(test_answer_bound_to_its_request))
