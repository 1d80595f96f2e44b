/* test_seal.c - node/seal.c: sealing and opening field values. */
#include "node/seal.h"
#include "tests/test.h"

#include <stdlib.h>

static const uint8_t AD[] = "record=1f0c;coll=cases;v=3";
#define ADLEN (sizeof(AD) - 1)

static void fill_key(unsigned char *key, uint8_t b)
{
	memset(key, b, SEAL_KEYBYTES);
}

/* A sealer with generation gen loaded (key bytes all gen), or NULL. */
static struct sealer *sealer_with(uint32_t gen)
{
	unsigned char key[SEAL_KEYBYTES];
	struct sealer *s = NULL;

	if (sealer_new(&s))
		return NULL;
	fill_key(key, (uint8_t)gen);
	if (sealer_add_key(s, gen, key)) {
		sealer_free(s);
		return NULL;
	}
	return s;
}

static void test_round_trip(void)
{
	static const uint8_t plain[] = "{\"name\":\"Maria Rossi\"}";
	uint8_t box[sizeof(plain) + SEAL_OVERHEAD];
	uint8_t back[sizeof(plain)];
	struct sealer *s = sealer_with(1);
	size_t n = 0;
	int rc;

	CHECK(s);
	CHECK(seal_len(sizeof(plain)) == sizeof(box));
	rc = seal_box(s, plain, sizeof(plain), AD, ADLEN, box);
	if (rc == 0)
		rc = seal_open(s, box, sizeof(box), AD, ADLEN, back, &n, NULL);
	sealer_free(s);
	CHECK_OK(rc);
	CHECK(n == sizeof(plain));
	CHECK(memcmp(back, plain, n) == 0);
	CHECK(!memmem(box, sizeof(box), "Maria", 5));
}

static void test_empty_plaintext(void)
{
	uint8_t box[SEAL_OVERHEAD];
	uint8_t back[1];
	struct sealer *s = sealer_with(1);
	size_t n = 99;
	int rc;

	CHECK(s);
	CHECK(seal_len(0) == SEAL_OVERHEAD);
	rc = seal_box(s, NULL, 0, NULL, 0, box);
	if (rc == 0)
		rc = seal_open(s, box, sizeof(box), NULL, 0, back, &n, NULL);
	sealer_free(s);
	CHECK_OK(rc);
	CHECK(n == 0);
}

/* A box moved to another record or field (other ad) does not open. */
static void test_wrong_ad_rejected(void)
{
	static const uint8_t plain[] = "value";
	static const uint8_t other[] = "record=1f0d;coll=cases;v=3";
	uint8_t box[sizeof(plain) + SEAL_OVERHEAD];
	uint8_t back[sizeof(plain)];
	struct sealer *s = sealer_with(1);
	struct err e;
	size_t n = 0;
	int rc1, rc2, rc3, rc4;

	CHECK(s);
	err_init(&e);
	rc1 = seal_box(s, plain, sizeof(plain), AD, ADLEN, box);
	rc2 = seal_open(s, box, sizeof(box), other, sizeof(other) - 1, back,
			&n, &e);
	rc3 = seal_open(s, box, sizeof(box), NULL, 0, back, &n, NULL);
	rc4 = seal_open(s, box, sizeof(box), AD, ADLEN - 1, back, &n, NULL);
	sealer_free(s);
	CHECK_OK(rc1);
	CHECK(rc2 == ERR_CORRUPT);
	CHECK(e.code == ERR_CORRUPT);
	CHECK(strstr(e.msg, "failed authentication"));
	CHECK(rc3 == ERR_CORRUPT);
	CHECK(rc4 == ERR_CORRUPT);
	CHECK(n == 0);
}

/* Every byte of a box is covered: header, nonce, ciphertext and tag. */
static void test_flipped_byte_rejected(void)
{
	static const uint8_t plain[] = "0123456789";
	uint8_t box[sizeof(plain) + SEAL_OVERHEAD];
	uint8_t bad[sizeof(box)];
	uint8_t back[sizeof(plain)];
	struct sealer *s = sealer_with(1);
	size_t n, failed_pos = SIZE_MAX;
	int rc;

	CHECK(s);
	rc = seal_box(s, plain, sizeof(plain), AD, ADLEN, box);
	for (size_t i = 0; rc == 0 && i < sizeof(box); i++) {
		for (unsigned bit = 0; bit < 8; bit++) {
			memcpy(bad, box, sizeof(box));
			bad[i] ^= (uint8_t)(1u << bit);
			if (seal_open(s, bad, sizeof(bad), AD, ADLEN, back,
				      &n, NULL) != ERR_CORRUPT)
				failed_pos = i;
		}
	}
	if (rc == 0) /* the untouched box still opens */
		rc = seal_open(s, box, sizeof(box), AD, ADLEN, back, &n, NULL);
	sealer_free(s);
	CHECK_OK(rc);
	CHECK(failed_pos == SIZE_MAX);
}

/*
 * The generation in the header is authenticated: with the same key loaded
 * under generations 1 and 2, relabelling a box's generation still fails.
 */
static void test_header_authenticated(void)
{
	static const uint8_t plain[] = "x";
	unsigned char key[SEAL_KEYBYTES];
	uint8_t box[sizeof(plain) + SEAL_OVERHEAD];
	uint8_t back[sizeof(plain)];
	struct sealer *s = NULL;
	struct err e;
	size_t n;
	int rc;

	err_init(&e);
	CHECK_OK(sealer_new(&s));
	fill_key(key, 7);
	rc = sealer_add_key(s, 1, key);
	if (rc == 0)
		rc = sealer_add_key(s, 2, key);
	if (rc == 0)
		rc = seal_box(s, plain, sizeof(plain), AD, ADLEN, box);
	if (rc == 0 && box[1] == 2) {
		box[1] = 1;
		rc = seal_open(s, box, sizeof(box), AD, ADLEN, back, &n, &e);
	}
	sealer_free(s);
	CHECK(rc == ERR_CORRUPT);
	CHECK(strstr(e.msg, "failed authentication"));
}

static void test_truncated_rejected(void)
{
	static const uint8_t plain[] = "some value";
	uint8_t box[sizeof(plain) + SEAL_OVERHEAD];
	uint8_t back[sizeof(plain)];
	struct sealer *s = sealer_with(1);
	struct err e;
	size_t n, bad = SIZE_MAX;
	int rc;

	CHECK(s);
	err_init(&e);
	rc = seal_box(s, plain, sizeof(plain), AD, ADLEN, box);
	for (size_t len = 0; rc == 0 && len < sizeof(box); len++)
		if (seal_open(s, box, len, AD, ADLEN, back, &n, NULL) !=
		    ERR_CORRUPT)
			bad = len;
	if (rc == 0)
		rc = seal_open(s, box, 3, AD, ADLEN, back, &n, &e);
	sealer_free(s);
	CHECK(rc == ERR_CORRUPT);
	CHECK(bad == SIZE_MAX);
	CHECK(strstr(e.msg, "truncated"));
}

static void test_unknown_generation_rejected(void)
{
	static const uint8_t plain[] = "v";
	uint8_t box[sizeof(plain) + SEAL_OVERHEAD];
	uint8_t back[sizeof(plain)];
	struct sealer *a = sealer_with(3);
	struct sealer *b = sealer_with(4);
	struct err e;
	size_t n;
	int rc = ERR_FAIL;

	err_init(&e);
	if (a && b)
		rc = seal_box(a, plain, sizeof(plain), AD, ADLEN, box);
	if (rc == 0)
		rc = seal_open(b, box, sizeof(box), AD, ADLEN, back, &n, &e);
	sealer_free(a);
	sealer_free(b);
	CHECK(rc == ERR_CORRUPT);
	CHECK(strstr(e.msg, "unknown key generation 3"));
}

static void test_unknown_format_rejected(void)
{
	static const uint8_t plain[] = "v";
	uint8_t box[sizeof(plain) + SEAL_OVERHEAD];
	uint8_t back[sizeof(plain)];
	struct sealer *s = sealer_with(1);
	struct err e;
	size_t n;
	int rc;

	CHECK(s);
	err_init(&e);
	rc = seal_box(s, plain, sizeof(plain), AD, ADLEN, box);
	if (rc == 0) {
		box[0] = 3;
		rc = seal_open(s, box, sizeof(box), AD, ADLEN, back, &n, &e);
	}
	sealer_free(s);
	CHECK(rc == ERR_CORRUPT);
	CHECK(strstr(e.msg, "unknown format"));
	CHECK(seal_box_gen(box, sizeof(box)) == 0);
}

/* Mid-rotation: both generations open, new boxes use the highest. */
static void test_two_generations(void)
{
	static const uint8_t plain[] = "rotating";
	unsigned char key[SEAL_KEYBYTES];
	uint8_t old_box[sizeof(plain) + SEAL_OVERHEAD];
	uint8_t new_box[sizeof(old_box)];
	uint8_t back[sizeof(plain)];
	struct sealer *s = sealer_with(1);
	size_t n1 = 0, n2 = 0;
	uint32_t cur1 = 0, cur2 = 0;
	int rc;

	CHECK(s);
	cur1 = sealer_current(s);
	rc = seal_box(s, plain, sizeof(plain), AD, ADLEN, old_box);
	fill_key(key, 2);
	if (rc == 0)
		rc = sealer_add_key(s, 2, key);
	cur2 = sealer_current(s);
	if (rc == 0)
		rc = seal_box(s, plain, sizeof(plain), AD, ADLEN, new_box);
	if (rc == 0)
		rc = seal_open(s, old_box, sizeof(old_box), AD, ADLEN, back,
			       &n1, NULL);
	if (rc == 0)
		rc = seal_open(s, new_box, sizeof(new_box), AD, ADLEN, back,
			       &n2, NULL);
	sealer_free(s);
	CHECK_OK(rc);
	CHECK(cur1 == 1);
	CHECK(cur2 == 2);
	CHECK(seal_box_gen(old_box, sizeof(old_box)) == 1);
	CHECK(seal_box_gen(new_box, sizeof(new_box)) == 2);
	CHECK(n1 == sizeof(plain) && n2 == sizeof(plain));
	CHECK(memcmp(back, plain, sizeof(plain)) == 0);
}

/* Adding a lower generation does not change the current one. */
static void test_current_is_highest(void)
{
	unsigned char key[SEAL_KEYBYTES];
	struct sealer *s = sealer_with(5);
	int rc;
	uint32_t cur;

	CHECK(s);
	fill_key(key, 9);
	rc = sealer_add_key(s, 2, key);
	cur = sealer_current(s);
	sealer_free(s);
	CHECK_OK(rc);
	CHECK(cur == 5);
}

static void test_drop_key(void)
{
	static const uint8_t plain[] = "old";
	unsigned char key[SEAL_KEYBYTES];
	uint8_t box[sizeof(plain) + SEAL_OVERHEAD];
	uint8_t back[sizeof(plain)];
	struct sealer *s = sealer_with(1);
	size_t n;
	int rc, rc_open;
	uint32_t cur_after = 99, cur_empty = 99;

	CHECK(s);
	rc = seal_box(s, plain, sizeof(plain), AD, ADLEN, box);
	fill_key(key, 2);
	if (rc == 0)
		rc = sealer_add_key(s, 2, key);
	sealer_drop_key(s, 1);
	sealer_drop_key(s, 1); /* no-op */
	sealer_drop_key(s, 42); /* never loaded */
	cur_after = sealer_current(s);
	rc_open = seal_open(s, box, sizeof(box), AD, ADLEN, back, &n, NULL);
	sealer_drop_key(s, 2);
	cur_empty = sealer_current(s);
	if (rc == 0 && seal_box(s, plain, sizeof(plain), AD, ADLEN, box) !=
			       ERR_FAIL)
		rc = ERR_FAIL;
	sealer_free(s);
	CHECK_OK(rc);
	CHECK(rc_open == ERR_CORRUPT);
	CHECK(cur_after == 2);
	CHECK(cur_empty == 0);
}

static void test_add_key_errors(void)
{
	unsigned char key[SEAL_KEYBYTES];
	struct sealer *s = NULL;
	int rc_zero, rc_dup, rc_full, rc_ok = 0;

	fill_key(key, 1);
	CHECK_OK(sealer_new(&s));
	CHECK(sealer_current(s) == 0);
	rc_zero = sealer_add_key(s, 0, key);
	for (uint32_t g = 1; g <= SEAL_MAX_KEYS && !rc_ok; g++)
		rc_ok = sealer_add_key(s, g, key);
	rc_dup = sealer_add_key(s, 1, key);
	rc_full = sealer_add_key(s, SEAL_MAX_KEYS + 1, key);
	sealer_free(s);
	sealer_free(NULL);
	CHECK(rc_zero == ERR_INVALID);
	CHECK_OK(rc_ok);
	CHECK(rc_dup == ERR_EXISTS);
	CHECK(rc_full == ERR_FAIL);
}

static void test_nonces_differ(void)
{
	static const uint8_t plain[] = "same";
	uint8_t a[sizeof(plain) + SEAL_OVERHEAD];
	uint8_t b[sizeof(a)];
	uint8_t c[sizeof(a)];
	struct sealer *s = sealer_with(1);
	struct sealer *t = sealer_with(1);
	int rc = ERR_FAIL;

	if (s && t)
		rc = seal_box(s, plain, sizeof(plain), AD, ADLEN, a);
	if (rc == 0)
		rc = seal_box(s, plain, sizeof(plain), AD, ADLEN, b);
	/* another sealer with the same key draws another nonce prefix */
	if (rc == 0)
		rc = seal_box(t, plain, sizeof(plain), AD, ADLEN, c);
	sealer_free(s);
	sealer_free(t);
	CHECK_OK(rc);
	CHECK(memcmp(a + 5, b + 5, SEAL_HEADER - 5) != 0);
	CHECK(memcmp(a + 5, b + 5, 16) == 0); /* same prefix, next counter */
	CHECK(memcmp(a + SEAL_HEADER, b + SEAL_HEADER,
		     sizeof(a) - SEAL_HEADER) != 0);
	CHECK(memcmp(a + 5, c + 5, 16) != 0);
}

static void test_box_gen(void)
{
	static const uint8_t plain[] = "g";
	uint8_t box[sizeof(plain) + SEAL_OVERHEAD];
	struct sealer *s = sealer_with(0x01020304);
	int rc;

	CHECK(s);
	rc = seal_box(s, plain, sizeof(plain), NULL, 0, box);
	sealer_free(s);
	CHECK_OK(rc);
	CHECK(box[0] == 1);
	CHECK(box[1] == 4 && box[2] == 3 && box[3] == 2 && box[4] == 1);
	CHECK(seal_box_gen(box, sizeof(box)) == 0x01020304);
	CHECK(seal_box_gen(box, SEAL_OVERHEAD) == 0x01020304);
	CHECK(seal_box_gen(box, SEAL_OVERHEAD - 1) == 0);
	CHECK(seal_box_gen(box, 0) == 0);
}

/* ad longer than the stack buffer takes the allocating path. */
static void test_long_ad(void)
{
	static const uint8_t plain[] = "long ad";
	uint8_t box[sizeof(plain) + SEAL_OVERHEAD];
	uint8_t back[sizeof(plain)];
	struct sealer *s = sealer_with(1);
	uint8_t *ad = malloc(4096);
	size_t n = 0;
	int rc = ERR_NOMEM, rc_bad = 0;

	if (s && ad) {
		for (size_t i = 0; i < 4096; i++)
			ad[i] = (uint8_t)i;
		rc = seal_box(s, plain, sizeof(plain), ad, 4096, box);
	}
	if (rc == 0)
		rc = seal_open(s, box, sizeof(box), ad, 4096, back, &n, NULL);
	if (rc == 0) {
		ad[4000] ^= 1;
		rc_bad = seal_open(s, box, sizeof(box), ad, 4096, back, &n,
				   NULL);
	}
	free(ad);
	sealer_free(s);
	CHECK_OK(rc);
	CHECK(rc_bad == ERR_CORRUPT);
}

TEST_MAIN(T(test_round_trip), T(test_empty_plaintext),
	  T(test_wrong_ad_rejected), T(test_flipped_byte_rejected),
	  T(test_header_authenticated), T(test_truncated_rejected),
	  T(test_unknown_generation_rejected), T(test_unknown_format_rejected),
	  T(test_two_generations), T(test_current_is_highest),
	  T(test_drop_key), T(test_add_key_errors), T(test_nonces_differ),
	  T(test_box_gen), T(test_long_ad))
