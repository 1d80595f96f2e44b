/*
 * test_jscan.c - bounds on JSON text before it is parsed: values (keys
 * included), depth, string and number lengths, elements of a chosen
 * array; brackets and quotes inside strings are not structure; what the
 * counts say of malformed text; jscan_load() parses only what passes;
 * an object's members and an array's elements walked as text.
 */
#include "common/err.h"
#include "common/jscan.h"
#include "tests/test.h"

#include <stdlib.h>

static const struct jscan_limits roomy = {
	.max_values = 1000, .max_depth = 8, .max_string = 100,
	.max_number = 20,
};

static int check(const char *text, const struct jscan_limits *lim)
{
	return jscan_check(text, strlen(text), lim, "doc", NULL, NULL);
}

static void test_jscan_counts_values_and_keys(void)
{
	struct jscan_limits lim = roomy;
	const char *doc = "{\"a\":[1,2,3],\"b\":{\"c\":null}}";
	size_t n = 0;
	/* object, a, array, 1, 2, 3, b, object, c, null: 10 */

	lim.max_values = 10;
	CHECK(check(doc, &lim) == 0);
	CHECK(jscan_check(doc, strlen(doc), &jscan_unbounded, "doc", &n,
			  NULL) == 0);
	CHECK(n == 10);
	lim.max_values = 9;
	CHECK(check(doc, &lim) == ERR_INVALID);
	CHECK(check("  true ", &roomy) == 0);
}

static void test_jscan_depth(void)
{
	struct jscan_limits lim = roomy;

	lim.max_depth = 3;
	CHECK(check("[[[1]]]", &lim) == 0);
	CHECK(check("[[[[1]]]]", &lim) == ERR_INVALID);
	CHECK(check("{\"a\":{\"b\":{\"c\":{}}}}", &lim) == ERR_INVALID);
	/* Brackets in strings do not nest. */
	CHECK(check("[\"[[[[[[\",\"}}}\"]", &lim) == 0);
}

static void test_jscan_string_and_number_lengths(void)
{
	struct jscan_limits lim = roomy;
	char text[64];

	lim.max_string = 7; /* "abcde" with its quotes */
	CHECK(check("[\"abcde\"]", &lim) == 0);
	CHECK(check("[\"abcdef\"]", &lim) == ERR_INVALID);
	/* An escaped quote does not end the string. */
	CHECK(check("[\"ab\\\"cdef\"]", &lim) == ERR_INVALID);
	CHECK(check("[\"a\\\\\"]", &lim) == 0);
	lim.max_number = 5;
	CHECK(check("[12345,-1.5e3]", &lim) == ERR_INVALID);
	CHECK(check("[12345,-1e3]", &lim) == 0);
	memset(text, '0', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	CHECK(check(text, &lim) == ERR_INVALID);
}

static void test_jscan_elements_bounded(void)
{
	struct jscan_limits lim = roomy;
	const char *ok = "{\"rows\":[[1,2],[3,{\"x\":4}]],\"n\":[5]}";
	const char *many = "{\"rows\":[[1,2],[3,4,5,6]]}";
	const char *longer = "{\"rows\":[[1,2],[\"abcdefghijklmnop\"]]}";

	lim.elem_depth = 2;
	lim.elem_values = 4; /* [3,{"x":4}]: array, 3, object, x, 4 = 5 */
	lim.elem_bytes = 12;
	CHECK(check(ok, &lim) == ERR_INVALID);
	lim.elem_values = 5;
	CHECK(check(ok, &lim) == 0);
	CHECK(check(many, &lim) == 0); /* [3,4,5,6]: 5 values */
	lim.elem_values = 4;
	CHECK(check(many, &lim) == ERR_INVALID);
	lim.elem_values = 5;
	CHECK(check(longer, &lim) == ERR_INVALID);
	lim.elem_bytes = 20;
	CHECK(check(longer, &lim) == 0);
	/* The members of the top object are not elements. */
	lim.elem_bytes = 3;
	CHECK(check("{\"abcdefgh\":[1,2,3]}", &lim) == 0);
}

static void test_jscan_malformed(void)
{
	CHECK(check("[1,2", &roomy) == ERR_INVALID);
	CHECK(check("[1}", &roomy) == ERR_INVALID);
	CHECK(check("]", &roomy) == ERR_INVALID);
	CHECK(check("[\"abc", &roomy) == ERR_INVALID);
	CHECK(check("[1,\x01]", &roomy) == ERR_INVALID);
}

/* Fifteen million zeros in 30 MB of text: refused at the bound, at once,
 * without a tree. */
static void test_jscan_load_refuses_before_parsing(void)
{
	size_t n = 15u * 1000 * 1000, len = 2 * n + 16;
	char *text = malloc(len);
	struct err e;
	json_t *doc;
	size_t at = 0;

	CHECK(text != NULL);
	at += (size_t)snprintf(text, len, "{\"x\":[");
	for (size_t i = 0; i < n; i++) {
		text[at++] = '0';
		text[at++] = ',';
	}
	text[at - 1] = ']';
	text[at++] = '}';
	err_init(&e);
	doc = jscan_load(text, at, 0, &roomy, "batch", &e);
	free(text);
	CHECK(doc == NULL);
	CHECK(e.code == ERR_INVALID);
	CHECK(strstr(e.msg, "batch: more than 1000 JSON values") != NULL);
	err_init(&e);
	doc = jscan_load("{\"a\":[1,2]}", 11, 0, &roomy, "doc", &e);
	CHECK(json_is_object(doc));
	json_decref(doc);
	CHECK(jscan_load("{\"a\":", 5, 0, &roomy, "doc", &e) == NULL);
}

/* The members of an object as text, joined "key=value;" into out. */
struct joined {
	char out[256];
	size_t n;
};

static int join(void *ctx, const char *key, size_t klen, const char *val,
		size_t vlen)
{
	struct joined *j = ctx;
	int w = snprintf(j->out + j->n, sizeof(j->out) - j->n, "%.*s=%.*s;",
			 (int)klen, key, (int)vlen, val);

	if (w < 0 || (size_t)w >= sizeof(j->out) - j->n)
		return ERR_NOMEM;
	j->n += (size_t)w;
	return 0;
}

static const char *members(const char *text, int *rc)
{
	static struct joined j;

	memset(&j, 0, sizeof(j));
	*rc = jscan_members(text, strlen(text), join, &j);
	return j.out;
}

static int stops(void *ctx, const char *key, size_t klen, const char *val,
		 size_t vlen)
{
	(void)val;
	(void)vlen;
	++*(int *)ctx;
	return klen == 1 && key[0] == 'b' ? 42 : 0;
}

static void test_jscan_members(void)
{
	int rc, seen = 0;
	const char *m;

	m = members("{\"a\":1,\"b\":\"x,}y\\\"\",\"c\":{\"d\":[1,{\"e\":2}]},"
		    "\"f\":[\"]\"],\"g\":null}", &rc);
	CHECK(rc == 0);
	CHECK(strcmp(m, "a=1;b=\"x,}y\\\"\";c={\"d\":[1,{\"e\":2}]};"
		     "f=[\"]\"];g=null;") == 0);
	m = members(" { \"a\" : true , \"b\":-1.5e3 } ", &rc);
	CHECK(rc == 0);
	CHECK(strcmp(m, "a=true;b=-1.5e3;") == 0);
	members("{}", &rc);
	CHECK(rc == 0);
	/* Not an object of plain keys: refused, whatever was walked. */
	members("[1]", &rc);
	CHECK(rc == ERR_INVALID);
	members("{\"a\":1", &rc);
	CHECK(rc == ERR_INVALID);
	members("{\"a\":}", &rc);
	CHECK(rc == ERR_INVALID);
	members("{\"a\":\"open}", &rc);
	CHECK(rc == ERR_INVALID);
	members("{\"a\\u0041\":1}", &rc);
	CHECK(rc == ERR_INVALID);
	members("{\"a\":1} x", &rc);
	CHECK(rc == ERR_INVALID);
	members("{\"a\":[1}", &rc);
	CHECK(rc == ERR_INVALID);
	members("{\"a\" 1}", &rc);
	CHECK(rc == ERR_INVALID);
	/* fn's answer stops the walk and is returned. */
	CHECK(jscan_members("{\"a\":1,\"b\":2,\"c\":3}", 19, stops, &seen) ==
	      42);
	CHECK(seen == 2);
}

/* The count, 0 when the text is no array. */
static size_t elements(const char *text)
{
	size_t n = 0;

	return jscan_count(text, strlen(text), &n) ? 0 : n;
}

static void test_jscan_count(void)
{
	CHECK(elements("[]") == 0 && elements(" [ ] ") == 0);
	CHECK(elements("[1]") == 1);
	CHECK(elements("[1, \"a,]\", [2,3], {\"b\":[4]} ]") == 4);
	CHECK(elements("[\"\\\"]\"]") == 1);
	/* No array, or none that closes: nothing counted. */
	CHECK(elements("{\"a\":1}") == 0);
	CHECK(elements("[1,2") == 0);
	CHECK(elements("[1,}") == 0);
	CHECK(elements("[1,,2]") == 0);
	CHECK(elements("[1,2] x") == 0);
}

struct spans {
	char seen[8][16];
	size_t n;
};

static int span_of(void *ctx, const char *val, size_t vlen)
{
	struct spans *x = ctx;

	if (x->n == 8 || vlen >= sizeof(x->seen[0]))
		return 42;
	memcpy(x->seen[x->n], val, vlen);
	x->seen[x->n++][vlen] = '\0';
	return 0;
}

static int each(const char *text, struct spans *x)
{
	memset(x, 0, sizeof(*x));
	return jscan_each_element(text, strlen(text), span_of, x);
}

/* Each element as written, whitespace around it trimmed; a walk that
 * fn stops returns fn's answer. */
static void test_jscan_each_element(void)
{
	struct spans x;

	CHECK(each(" [ ] ", &x) == 0 && x.n == 0);
	CHECK(each("[ 1 ,\"a,]\"\n,{\"b\":[4]}\t]", &x) == 0 && x.n == 3);
	CHECK(strcmp(x.seen[0], "1") == 0 && strcmp(x.seen[1], "\"a,]\"") == 0 &&
	      strcmp(x.seen[2], "{\"b\":[4]}") == 0);
	CHECK(each("{\"a\":1}", &x) == ERR_INVALID);
	CHECK(each("[1,2", &x) == ERR_INVALID);
	CHECK(each("[1,,2]", &x) == ERR_INVALID);
	CHECK(each("[1] x", &x) == ERR_INVALID);
	CHECK(each("[\"0123456789abcdefghij\", 2]", &x) == 42 && x.n == 0);
	/* Counted: an object is no empty array. */
	CHECK(jscan_count("[1,[2,3]]", 9, &x.n) == 0 && x.n == 2);
	CHECK(jscan_count("[]", 2, &x.n) == 0 && x.n == 0);
	CHECK(jscan_count("{}", 2, &x.n) == ERR_INVALID);
}

TEST_MAIN(T(test_jscan_counts_values_and_keys), T(test_jscan_depth),
	  T(test_jscan_members), T(test_jscan_count),
	  T(test_jscan_each_element),
	  T(test_jscan_string_and_number_lengths),
	  T(test_jscan_elements_bounded), T(test_jscan_malformed),
	  T(test_jscan_load_refuses_before_parsing))
