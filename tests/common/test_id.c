/*
 * test_id.c - record and node ids: version-4 layout, the text form both
 * ways, what the parser refuses, ordering and the zero id.
 */
#include "common/err.h"
#include "common/id.h"
#include "tests/test.h"

static const char known_text[] = "90381a45-49f9-47a8-8183-baa5f80c7e3c";
static const uint8_t known_bytes[ID_BYTES] = {
	0x90, 0x38, 0x1a, 0x45, 0x49, 0xf9, 0x47, 0xa8,
	0x81, 0x83, 0xba, 0xa5, 0xf8, 0x0c, 0x7e, 0x3c
};

static void test_id_generate_version_bits(void)
{
	struct id prev = { { 0 } };

	for (int i = 0; i < 1000; i++) {
		struct id id;
		char text[ID_TEXT_LEN + 1];

		id_generate(&id);
		CHECK((id.b[6] >> 4) == 4);      /* version 4 */
		CHECK((id.b[8] & 0xc0) == 0x80); /* RFC 4122 variant */
		CHECK(!id_is_zero(&id));
		CHECK(id_cmp(&id, &prev) != 0);
		id_format(&id, text);
		CHECK(text[14] == '4');
		CHECK(strchr("89ab", text[19]) != NULL);
		prev = id;
	}
}

static void test_id_format_parse_round_trip(void)
{
	struct id id, back;
	char text[ID_TEXT_LEN + 1];

	memcpy(id.b, known_bytes, ID_BYTES);
	id_format(&id, text);
	CHECK(strcmp(text, known_text) == 0);
	for (int i = 0; i < 1000; i++) {
		id_generate(&id);
		id_format(&id, text);
		CHECK(strlen(text) == ID_TEXT_LEN);
		for (size_t j = 0; j < ID_TEXT_LEN; j++) {
			if (j == 8 || j == 13 || j == 18 || j == 23)
				CHECK(text[j] == '-');
			else
				CHECK(strchr("0123456789abcdef", text[j]) &&
				      text[j] != '\0');
		}
		CHECK_OK(id_parse(&back, text));
		CHECK(id_cmp(&id, &back) == 0);
	}
}

static void test_id_parse_accepts_plain_hex_and_upper_case(void)
{
	static const char *const forms[] = {
		"90381a45-49f9-47a8-8183-baa5f80c7e3c",
		"90381A45-49F9-47A8-8183-BAA5F80C7E3C",
		"90381a45-49F9-47a8-8183-BaA5f80C7e3c",
		"90381a4549f947a88183baa5f80c7e3c",
		"90381A4549F947A88183BAA5F80C7E3C",
	};
	char text[ID_TEXT_LEN + 1];

	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		struct id id;

		CHECK_OK(id_parse(&id, forms[i]));
		CHECK(memcmp(id.b, known_bytes, ID_BYTES) == 0);
		/* the text form is always the dashed lower-case one */
		id_format(&id, text);
		CHECK(strcmp(text, known_text) == 0);
	}
}

static void test_id_parse_rejects_malformed(void)
{
	static const char *const bad[] = {
		"",
		"90381a45-49f9-47a8-8183-baa5f80c7e3",   /* 35 */
		"90381a45-49f9-47a8-8183-baa5f80c7e3cc", /* 37 */
		"90381a4549f947a88183baa5f80c7e3",       /* 31 */
		"90381a4549f947a88183baa5f80c7e3cc",     /* 33 */
		"90381a4549f947a88183baa5f80c7e3c00",    /* 34 */
		"90381a4549f947a88183baa5f80c7e3c0000",  /* 36, no dashes */
		"90381a4-549f9-47a8-8183-baa5f80c7e3c",  /* dash moved */
		"90381a45-49f947a8-8183-baa5f80c7e3c-",  /* dash moved */
		"90381a45_49f9_47a8_8183_baa5f80c7e3c",  /* not dashes */
		"90381a45 49f9 47a8 8183 baa5f80c7e3c",
		"-90381a4549f947a88183baa5f80c7e3",      /* dash in 32 */
		"90381a45-49f9-47a8-8183-baa5f80c7e3g",  /* not hex */
		"z0381a45-49f9-47a8-8183-baa5f80c7e3c",
		"90381a45-49f9-47a8-8183-baa5f80c7e+c",
		"9038 a4549f947a88183baa5f80c7e3c",
		"{90381a45-49f9-47a8-8183-baa5f80c7e3}",
		"0x381a4549f947a88183baa5f80c7e3c",
	};
	struct id id;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(id_parse(&id, bad[i]) == ERR_INVALID);
	CHECK(id_parse(&id, NULL) == ERR_INVALID);
}

static void test_id_cmp_orders_bytes(void)
{
	struct id a, b;

	memcpy(a.b, known_bytes, ID_BYTES);
	b = a;
	CHECK(id_cmp(&a, &b) == 0);
	CHECK(id_cmp(&a, &a) == 0);
	b.b[ID_BYTES - 1]++;
	CHECK(id_cmp(&a, &b) < 0);
	CHECK(id_cmp(&b, &a) > 0);
	/* bytes compare unsigned, the first difference decides */
	b = a;
	a.b[0] = 0x7f;
	b.b[0] = 0x80;
	b.b[1] = 0x00;
	CHECK(id_cmp(&a, &b) < 0);
	CHECK(id_cmp(&b, &a) > 0);
}

static void test_id_is_zero(void)
{
	struct id id = { { 0 } };
	char text[ID_TEXT_LEN + 1];

	CHECK(id_is_zero(&id));
	id_format(&id, text);
	CHECK(strcmp(text, "00000000-0000-0000-0000-000000000000") == 0);
	CHECK_OK(id_parse(&id, text));
	CHECK(id_is_zero(&id));
	for (size_t i = 0; i < ID_BYTES; i++) {
		memset(id.b, 0, ID_BYTES);
		id.b[i] = 1;
		CHECK(!id_is_zero(&id));
	}
}

TEST_MAIN(T(test_id_generate_version_bits),
	  T(test_id_format_parse_round_trip),
	  T(test_id_parse_accepts_plain_hex_and_upper_case),
	  T(test_id_parse_rejects_malformed), T(test_id_cmp_orders_bytes),
	  T(test_id_is_zero))
