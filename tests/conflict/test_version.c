/*
 * test_version.c - version sets (sorted map field id -> version) and their
 * compact encoding: round trips, the decoder's refusals of malformed input
 * (it reads bytes that came from disk and from peers), the size limit, and
 * that the common case stays small.
 */
#include <stdlib.h>

#include "conflict/version.h"
#include "tests/test.h"

/* Deterministic generator (xorshift64*), so that a failure reproduces. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static struct version ver(uint64_t hlc, uint32_t actor)
{
	struct version v = { hlc, actor };

	return v;
}

static int same_set(const struct version_set *a, const struct version_set *b)
{
	if (a->n != b->n)
		return 0;
	for (size_t i = 0; i < a->n; i++)
		if (a->e[i].field != b->e[i].field ||
		    !version_eq(&a->e[i].v, &b->e[i].v))
			return 0;
	return 1;
}

static int sorted(const struct version_set *s)
{
	for (size_t i = 1; i < s->n; i++)
		if (s->e[i - 1].field >= s->e[i].field)
			return 0;
	return 1;
}

/* Encode s, decode the bytes into a fresh set, compare. */
static int round_trip(const struct version_set *s, size_t *size)
{
	struct version_set d;
	uint8_t *buf = malloc(version_set_encoded_max(s));
	size_t len;
	int ok = 0;

	version_set_init(&d);
	if (!buf)
		goto out;
	len = version_set_encode(s, buf);
	if (size)
		*size = len;
	if (len > version_set_encoded_max(s))
		goto out;
	if (version_set_decode(&d, buf, len, NULL))
		goto out;
	ok = same_set(s, &d);
out:
	free(buf);
	version_set_release(&d);
	return ok;
}

static void test_version_eq(void)
{
	struct version a = ver(5, 1), b = ver(5, 1);

	CHECK(version_eq(&a, &b));
	b.actor = 2;
	CHECK(!version_eq(&a, &b));
	b = ver(6, 1);
	CHECK(!version_eq(&a, &b));
}

static void test_version_put_get_replace(void)
{
	struct version_set s;
	const struct version *v;

	version_set_init(&s);
	CHECK(s.n == 0 && s.e == NULL);
	CHECK(version_set_get(&s, 1) == NULL);
	CHECK_OK(version_set_put(&s, 5, ver(50, 1)));
	CHECK_OK(version_set_put(&s, 1, ver(10, 1)));
	CHECK_OK(version_set_put(&s, 3, ver(30, 2)));
	CHECK_OK(version_set_put(&s, 0, ver(1, 3))); /* deletion marker */
	CHECK(s.n == 4);
	CHECK(s.e[0].field == 0 && s.e[1].field == 1 && s.e[2].field == 3 &&
	      s.e[3].field == 5);
	v = version_set_get(&s, 3);
	CHECK(v && v->hlc == 30 && v->actor == 2);
	CHECK(version_set_get(&s, 2) == NULL);
	CHECK(version_set_get(&s, 6) == NULL);

	CHECK_OK(version_set_put(&s, 3, ver(31, 4)));
	CHECK(s.n == 4);
	v = version_set_get(&s, 3);
	CHECK(v && v->hlc == 31 && v->actor == 4);
	CHECK(version_set_get(&s, 5)->hlc == 50);

	version_set_clear(&s);
	CHECK(s.n == 0);
	CHECK(version_set_get(&s, 3) == NULL);
	CHECK_OK(version_set_put(&s, 7, ver(70, 1)));
	CHECK(s.n == 1);
	version_set_release(&s);
	CHECK(s.n == 0 && s.e == NULL && s.cap == 0);
	version_set_release(&s);
	version_set_release(NULL);
}

static void test_version_random_puts_stay_sorted(void)
{
	struct version ref[300];
	int has[300] = { 0 };
	struct version_set s;
	size_t distinct = 0;

	version_set_init(&s);
	for (int i = 0; i < 2000; i++) {
		uint16_t f = (uint16_t)(rnd() % 300);
		struct version v = ver(rnd(), (uint32_t)rnd());

		if (!has[f] && distinct == VERSION_SET_MAX)
			continue;
		CHECK_OK(version_set_put(&s, f, v));
		if (!has[f])
			distinct++;
		has[f] = 1;
		ref[f] = v;
	}
	CHECK(s.n == distinct);
	CHECK(sorted(&s));
	for (uint16_t f = 0; f < 300; f++) {
		const struct version *v = version_set_get(&s, f);

		CHECK(has[f] ? v && version_eq(v, &ref[f]) : v == NULL);
	}
	version_set_release(&s);
}

static void test_version_copy(void)
{
	struct version_set a, b;

	version_set_init(&a);
	version_set_init(&b);
	CHECK_OK(version_set_put(&a, 1, ver(1, 1)));
	CHECK_OK(version_set_put(&a, 2, ver(2, 1)));
	CHECK_OK(version_set_put(&b, 9, ver(9, 9)));
	CHECK_OK(version_set_copy(&b, &a));
	CHECK(same_set(&a, &b));
	CHECK(version_set_get(&b, 9) == NULL);
	/* a deep copy: changing one leaves the other */
	CHECK_OK(version_set_put(&b, 1, ver(5, 5)));
	CHECK(version_set_get(&a, 1)->hlc == 1);
	version_set_clear(&a);
	CHECK_OK(version_set_copy(&b, &a));
	CHECK(b.n == 0);
	version_set_release(&a);
	version_set_release(&b);
}

static void test_version_round_trip_random(void)
{
	struct version_set s;

	version_set_init(&s);
	for (int iter = 0; iter < 500; iter++) {
		struct version pool[8];
		size_t npool = 1 + rnd() % 8, n = rnd() % 60;

		for (size_t j = 0; j < npool; j++)
			pool[j] = ver(rnd() >> (rnd() % 64),
				      (uint32_t)(rnd() >> (rnd() % 64)));
		version_set_clear(&s);
		for (size_t j = 0; j < n; j++)
			CHECK_OK(version_set_put(&s, (uint16_t)rnd(),
						 pool[rnd() % npool]));
		CHECK(round_trip(&s, NULL));
	}
	version_set_release(&s);
}

static void test_version_round_trip_all_distinct(void)
{
	struct version_set s;
	size_t size;

	version_set_init(&s);
	/* the fullest set: every field, each by its own write, extremes */
	for (uint32_t f = 0; f < VERSION_SET_MAX; f++)
		CHECK_OK(version_set_put(&s, (uint16_t)(f * 257),
					 ver(UINT64_MAX - f,
					     UINT32_MAX - f)));
	CHECK(s.n == VERSION_SET_MAX);
	CHECK(round_trip(&s, &size));
	CHECK(size <= version_set_encoded_max(&s));
	version_set_clear(&s);
	CHECK_OK(version_set_put(&s, UINT16_MAX, ver(0, 0)));
	CHECK(round_trip(&s, NULL));
	version_set_release(&s);
}

static void test_version_round_trip_empty(void)
{
	static const uint8_t empty[] = { 1, 0, 0 };
	struct version_set s;
	uint8_t buf[64];

	version_set_init(&s);
	CHECK(version_set_encode(&s, buf) == sizeof(empty));
	CHECK(memcmp(buf, empty, sizeof(empty)) == 0);
	CHECK(round_trip(&s, NULL));
	CHECK_OK(version_set_put(&s, 4, ver(4, 4)));
	CHECK_OK(version_set_decode(&s, empty, sizeof(empty), NULL));
	CHECK(s.n == 0);
	version_set_release(&s);
}

/* A record created by one change: every field shares one version, which
 * the encoding lists once. */
static void test_version_one_write_is_small(void)
{
	struct version_set s;
	size_t size;

	version_set_init(&s);
	for (uint16_t f = 1; f <= 20; f++)
		CHECK_OK(version_set_put(&s, f,
					 ver(0x0001900000000000ull, 3)));
	CHECK(round_trip(&s, &size));
	CHECK(size < 60);
	version_set_release(&s);
}

static void test_version_set_max(void)
{
	struct version_set s;

	version_set_init(&s);
	for (uint32_t f = 0; f < VERSION_SET_MAX; f++)
		CHECK_OK(version_set_put(&s, (uint16_t)(f * 2), ver(f, 1)));
	CHECK(version_set_put(&s, 1, ver(1, 1)) == ERR_INVALID);
	CHECK(version_set_put(&s, 9999, ver(1, 1)) == ERR_INVALID);
	CHECK(s.n == VERSION_SET_MAX);
	CHECK(version_set_get(&s, 1) == NULL);
	/* replacing an existing field is still fine when full */
	CHECK_OK(version_set_put(&s, 10, ver(77, 7)));
	CHECK(version_set_get(&s, 10)->hlc == 77);
	CHECK(sorted(&s));
	CHECK(round_trip(&s, NULL));
	version_set_release(&s);
}

/* A set of three fields, two writes, for the corruption tests. */
static size_t sample(uint8_t *buf)
{
	struct version_set s;
	size_t len = 0;

	version_set_init(&s);
	if (!version_set_put(&s, 1, ver(0x0123456789abcdefull, 300)) &&
	    !version_set_put(&s, 2, ver(0x0123456789abcdefull, 300)) &&
	    !version_set_put(&s, 200, ver(42, 1)))
		len = version_set_encode(&s, buf);
	version_set_release(&s);
	return len;
}

static void test_version_decode_rejects_truncated(void)
{
	struct version_set s;
	uint8_t buf[128];
	size_t len = sample(buf);
	struct err e;

	CHECK(len > 0);
	version_set_init(&s);
	for (size_t cut = 0; cut < len; cut++) {
		CHECK_OK(version_set_put(&s, 9, ver(9, 9)));
		err_init(&e);
		CHECK(version_set_decode(&s, buf, cut, &e) == ERR_CORRUPT);
		CHECK(e.code == ERR_CORRUPT && e.msg[0] != '\0');
		CHECK(s.n == 0); /* nothing half-decoded is left */
	}
	CHECK_OK(version_set_decode(&s, buf, len, &e));
	CHECK(s.n == 3);
	CHECK(version_set_get(&s, 200)->hlc == 42);
	CHECK(version_set_get(&s, 2)->actor == 300);
	version_set_release(&s);
}

static void test_version_decode_rejects_trailing(void)
{
	struct version_set s;
	uint8_t buf[128];
	size_t len = sample(buf);

	version_set_init(&s);
	buf[len] = 0;
	CHECK(version_set_decode(&s, buf, len + 1, NULL) == ERR_CORRUPT);
	buf[len] = 0xff;
	CHECK(version_set_decode(&s, buf, len + 1, NULL) == ERR_CORRUPT);
	CHECK(s.n == 0);
	version_set_release(&s);
}

static void test_version_decode_rejects_bad_format(void)
{
	static const uint8_t formats[] = { 0, 2, 0x81, 0xff };
	struct version_set s;
	uint8_t buf[128];
	size_t len = sample(buf);

	version_set_init(&s);
	for (size_t i = 0; i < sizeof(formats); i++) {
		buf[0] = formats[i];
		CHECK(version_set_decode(&s, buf, len, NULL) == ERR_CORRUPT);
	}
	version_set_release(&s);
}

static void test_version_decode_rejects_bad_index(void)
{
	/* format 1, one version (hlc 1, actor 1), one field 5 -> index */
	uint8_t buf[] = { 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 5, 0 };
	static const uint8_t none[] = { 1, 0, 1, 5, 0 };
	struct version_set s;

	version_set_init(&s);
	CHECK_OK(version_set_decode(&s, buf, sizeof(buf), NULL));
	CHECK(s.n == 1 && s.e[0].field == 5 && s.e[0].v.hlc == 1);
	buf[sizeof(buf) - 1] = 1;
	CHECK(version_set_decode(&s, buf, sizeof(buf), NULL) == ERR_CORRUPT);
	buf[sizeof(buf) - 1] = 0x7f;
	CHECK(version_set_decode(&s, buf, sizeof(buf), NULL) == ERR_CORRUPT);
	/* no versions at all, yet a field points at one */
	CHECK(version_set_decode(&s, none, sizeof(none), NULL) ==
	      ERR_CORRUPT);
	version_set_release(&s);
}

static void test_version_decode_rejects_unsorted(void)
{
	/* one version, two fields: a then b, both index 0 */
	uint8_t buf[] = { 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 0, 5, 0 };
	struct version_set s;

	version_set_init(&s);
	CHECK_OK(version_set_decode(&s, buf, sizeof(buf), NULL));
	CHECK(s.n == 2);
	buf[12] = 5;
	buf[14] = 3;
	CHECK(version_set_decode(&s, buf, sizeof(buf), NULL) == ERR_CORRUPT);
	buf[12] = 3;
	buf[14] = 3;
	CHECK(version_set_decode(&s, buf, sizeof(buf), NULL) == ERR_CORRUPT);
	CHECK(s.n == 0);
	version_set_release(&s);
}

/* A resolution names several versions of one field: they survive the
 * encoding, in order; the very same version twice does not. */
static void test_version_set_add_repeats_a_field(void)
{
	struct version_set s, d;
	struct version a = { 10, 1 }, b = { 20, 2 }, c = { 5, 3 };
	uint8_t buf[128];
	size_t n;

	version_set_init(&s);
	version_set_init(&d);
	CHECK_OK(version_set_add(&s, 4, a));
	CHECK_OK(version_set_add(&s, 4, b));
	CHECK_OK(version_set_add(&s, 4, a)); /* already there */
	CHECK_OK(version_set_add(&s, 2, c));
	CHECK(s.n == 3);
	CHECK(s.e[0].field == 2 && s.e[1].field == 4 && s.e[2].field == 4);
	CHECK(version_eq(version_set_get(&s, 4), &a));
	CHECK(version_set_encoded_max(&s) <= sizeof(buf));
	n = version_set_encode(&s, buf);
	CHECK_OK(version_set_decode(&d, buf, n, NULL));
	CHECK(d.n == 3 && version_eq(&d.e[2].v, &b));
	version_set_release(&s);
	version_set_release(&d);
}

static void test_version_decode_rejects_out_of_range(void)
{
	/* field id above 65535 (varint 65536) */
	static const uint8_t big_field[] = {
		1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0x80, 0x80, 0x04, 0
	};
	/* actor above UINT32_MAX (varint 2^32) */
	static const uint8_t big_actor[] = {
		1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x80, 0x80, 0x80, 0x10, 0
	};
	/* more versions than a set can hold (varint 257) */
	static const uint8_t many_versions[] = { 1, 0x81, 0x02 };
	/* more fields than a set can hold (varint 257) */
	static const uint8_t many_fields[] = { 1, 0, 0x81, 0x02 };
	/* a varint that never ends */
	static const uint8_t endless[] = {
		1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
		0x80, 0x80, 0x01, 0
	};
	struct version_set s;

	version_set_init(&s);
	CHECK(version_set_decode(&s, big_field, sizeof(big_field), NULL) ==
	      ERR_CORRUPT);
	CHECK(version_set_decode(&s, big_actor, sizeof(big_actor), NULL) ==
	      ERR_CORRUPT);
	CHECK(version_set_decode(&s, many_versions, sizeof(many_versions),
				 NULL) == ERR_CORRUPT);
	CHECK(version_set_decode(&s, many_fields, sizeof(many_fields),
				 NULL) == ERR_CORRUPT);
	CHECK(version_set_decode(&s, endless, sizeof(endless), NULL) ==
	      ERR_CORRUPT);
	CHECK(version_set_decode(&s, NULL, 0, NULL) == ERR_CORRUPT);
	version_set_release(&s);
}

/* A number has one encoding: a varint padded with zero groups, or one
 * whose bits overflow 64 and would wrap to a small, valid-looking value,
 * is refused, so that decoding cannot make two byte strings equal. */
static void test_version_decode_rejects_noncanonical_varint(void)
{
	/* one version, field 5 written as 0x85 0x00 */
	static const uint8_t padded_field[] = {
		1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0x85, 0x00, 0
	};
	/* nver as ten bytes whose value is 2^64 + 1: wraps to 1 */
	static const uint8_t wrapped[] = {
		1, 0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02,
		1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 5, 0
	};
	/* the same set, canonical */
	static const uint8_t good[] = {
		1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 5, 0
	};
	struct version_set s;

	version_set_init(&s);
	CHECK_OK(version_set_decode(&s, good, sizeof(good), NULL));
	CHECK(version_set_decode(&s, padded_field, sizeof(padded_field),
				 NULL) == ERR_CORRUPT);
	CHECK(version_set_decode(&s, wrapped, sizeof(wrapped), NULL) ==
	      ERR_CORRUPT);
	version_set_release(&s);
}

/* The version list has one form too, the one encode writes: distinct
 * versions, each used, in the order of first use.  Found by
 * tests/fuzz/fuzz_version.c: a version listed and never used decoded to
 * the empty set, yet version_set_encoded_empty() said it was not. */
static void test_version_decode_rejects_noncanonical_list(void)
{
	/* one version, no field: the empty set is 1, 0, 0 */
	static const uint8_t unused[] = {
		1, 1, 0, 1, 0xfc, 0xff, 0xff, 0xff, 0xff, 0xff, 0x98, 0x7f, 0
	};
	/* two versions, field 5 uses the second only */
	static const uint8_t one_unused[] = {
		1, 2, 1, 0, 0, 0, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 0, 0, 0, 1,
		1, 5, 1
	};
	/* the same version listed twice, one per field */
	static const uint8_t twice[] = {
		1, 2, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1,
		2, 5, 0, 6, 1
	};
	/* two versions, used in the other order than listed */
	static const uint8_t reordered[] = {
		1, 2, 1, 0, 0, 0, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 0, 0, 0, 1,
		2, 5, 1, 6, 0
	};
	/* canonical: listed in the order of first use */
	static const uint8_t good[] = {
		1, 2, 1, 0, 0, 0, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 0, 0, 0, 1,
		2, 5, 0, 6, 1
	};
	struct version_set s;

	version_set_init(&s);
	CHECK_OK(version_set_decode(&s, good, sizeof(good), NULL));
	CHECK(s.n == 2);
	CHECK(version_set_decode(&s, unused, sizeof(unused), NULL) ==
	      ERR_CORRUPT);
	CHECK(version_set_decode(&s, one_unused, sizeof(one_unused), NULL) ==
	      ERR_CORRUPT);
	CHECK(version_set_decode(&s, twice, sizeof(twice), NULL) ==
	      ERR_CORRUPT);
	CHECK(version_set_decode(&s, reordered, sizeof(reordered), NULL) ==
	      ERR_CORRUPT);
	CHECK(s.n == 0);
	version_set_release(&s);
}

/* Random byte strings never crash the decoder and, when accepted,
 * re-encode to a set that decodes the same. */
static void test_version_decode_random_bytes(void)
{
	struct version_set s;
	uint8_t buf[64];

	version_set_init(&s);
	for (int iter = 0; iter < 20000; iter++) {
		size_t len = rnd() % sizeof(buf);

		for (size_t i = 0; i < len; i++)
			buf[i] = (uint8_t)rnd();
		if (len > 0)
			buf[0] = 1;
		if (version_set_decode(&s, buf, len, NULL) == 0) {
			CHECK(sorted(&s));
			CHECK(round_trip(&s, NULL));
		} else {
			CHECK(s.n == 0);
		}
	}
	version_set_release(&s);
}

TEST_MAIN(T(test_version_eq), T(test_version_put_get_replace),
	  T(test_version_random_puts_stay_sorted), T(test_version_copy),
	  T(test_version_round_trip_random),
	  T(test_version_round_trip_all_distinct),
	  T(test_version_round_trip_empty),
	  T(test_version_one_write_is_small), T(test_version_set_max),
	  T(test_version_decode_rejects_truncated),
	  T(test_version_decode_rejects_trailing),
	  T(test_version_decode_rejects_bad_format),
	  T(test_version_decode_rejects_bad_index),
	  T(test_version_decode_rejects_unsorted),
	  T(test_version_decode_rejects_noncanonical_list),
	  T(test_version_set_add_repeats_a_field),
	  T(test_version_decode_rejects_out_of_range),
	  T(test_version_decode_rejects_noncanonical_varint),
	  T(test_version_decode_random_bytes))
