/*
 * test_audit_wire.c - the audit trail on the wire through a real hub in
 * process (sync/audit_wire.h, sync_audit.c, hub_audit.c): a round sends
 * the node's entries deflated (format 2, "prev" in a page's first entry
 * only) and the hub holds them all; a page of format 1, as a node of the
 * previous build sends it, is still taken; a format-2 page with an entry
 * altered, or not continuing the trail the hub holds, is refused whole; a
 * bad format, a stream that is not zlib and one inflating past the bound
 * are refused with 400.  Format 3 leaves out the hashes the hub can
 * compute: a page of it is taken, and one whose entries differ from the
 * node's trail, or that gives no last hash, is refused.
 */
#include "tests/sync/hub_world.h"

#include <zlib.h>

#include "common/zflate.h"
#include "node/store_audit.h"
#include "sync/audit_wire.h"

/* A page of s's own entries after `after` (at most limit) as JSON text
 * in format (1, 2 or 3), into body (malloc'd). */
struct page {
	json_t *list;
	int format;
	struct store_audit_entry last;
};

static int add_entry(void *ctx, const struct store_audit_entry *a)
{
	struct page *pg = ctx;

	pg->last = *a;
	return json_array_append_new(
		   pg->list,
		   audit_wire_entry(a, pg->format < 2 ||
					       !json_array_size(pg->list),
				    pg->format < 3 || store_audit_is_anchor(a)))
		   ? ERR_NOMEM
		   : 0;
}

static char *page_of(struct store *s, uint64_t after, size_t limit,
		     int format, size_t *len)
{
	struct page pg = { json_array(), format, { .nseq = 0 } };
	char hex[2 * STORE_AUDIT_HASHBYTES + 1];
	json_t *body;
	char *text = NULL;

	if (!pg.list ||
	    store_audit_own(s, after, limit, add_entry, &pg, NULL)) {
		json_decref(pg.list);
		return NULL;
	}
	/* Format 3: the last entry's hash, as a node sends it. */
	sodium_bin2hex(hex, sizeof(hex), pg.last.hash, sizeof(pg.last.hash));
	if (format >= 3 && json_array_size(pg.list))
		json_object_set_new(json_array_get(pg.list,
						   json_array_size(pg.list) - 1),
				    "hash", json_string(hex));
	body = json_pack("{so}", "entries", pg.list);
	if (body)
		text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	*len = text ? strlen(text) : 0;
	return text;
}

/* POST text (deflated from format 2) as node i: the status. */
static long post(int i, const char *text, size_t len, int format)
{
	uint8_t *z = NULL;
	size_t zlen = 0;
	char path[32];
	long status;

	if (format < 2)
		return req(w.n[i], "POST", "/v1/audit", text, len);
	if (zflate_deflate(text, len, 6, &z, &zlen, NULL))
		return -3;
	snprintf(path, sizeof(path), "/v1/audit?format=%d", format);
	status = req(w.n[i], "POST", path, z, zlen);
	free(z);
	return status;
}

/* The last entry number the hub holds of node i's. */
static uint64_t hub_holds(int i)
{
	uint64_t n = 0;

	return store_audit_last(w.hub, store_node_id(w.n[i]), &n, NULL, NULL)
		   ? UINT64_MAX
		   : n;
}

WORLD_TEST(test_round_sends_newest_format)
{
	uint64_t last = 0;
	size_t plain = 0;
	char *text;

	CHECK(req(w.n[A], "GET", "/v1/hello", NULL, 0) == 200);
	CHECK(json_integer_value(json_object_get(w.doc, "audit_format")) ==
	      AUDIT_WIRE_FORMAT);
	for (int i = 0; i < 60; i++)
		CHECK(put(w.n[A], "person", NULL, NULL, PERSON) == 0);
	CHECK_OK(store_audit_own_last(w.n[A], &last, NULL));
	CHECK(last == 60);
	/* What the entries alone weigh as format 1 JSON: the whole round
	 * (the push of 60 persons, the entries deflated, the headers)
	 * carries less. */
	text = page_of(w.n[A], 0, 500, 1, &plain);
	CHECK(text != NULL && plain > 15000);
	free(text);
	CHECK(round_of(A) == 0);
	CHECK(hub_holds(A) == last);
	CHECK(w.st.bytes_up > 0 && w.st.bytes_up < plain);
}

WORLD_TEST(test_format_1_page_still_taken)
{
	uint64_t last = 0;
	struct id p, c;
	size_t len = 0;
	char *text;

	CHECK_OK(open_case(w.n[A], "Puglia", "", &p, &c));
	CHECK_OK(store_audit_own_last(w.n[A], &last, NULL));
	text = page_of(w.n[A], 0, 500, 1, &len);
	CHECK(text != NULL);
	/* Every entry carries its prev in format 1. */
	CHECK(text && strstr(text, "\"prev\"") &&
	      strstr(strstr(text, "\"prev\"") + 1, "\"prev\""));
	CHECK(post(A, text, len, 1) == 200);
	CHECK(json_integer_value(json_object_get(w.doc, "audit_ack")) ==
	      (json_int_t)last);
	CHECK(hub_holds(A) == last);
	free(text);
}

WORLD_TEST(test_format_2_chain_checked)
{
	struct id p, c;
	size_t len = 0;
	char *text, *second;
	const char *msg;

	CHECK_OK(open_case(w.n[A], "Puglia", "", &p, &c));
	text = page_of(w.n[A], 0, 500, 2, &len);
	CHECK(text != NULL);
	/* Only the first entry says its prev. */
	CHECK(text && strstr(text, "\"prev\"") &&
	      !strstr(strstr(text, "\"prev\"") + 1, "\"prev\""));
	/* The second entry's count altered: its hash no longer follows. */
	second = text ? strstr(text + 1, "{\"n\":2") : NULL;
	CHECK(second != NULL);
	if (second) {
		char *count = strstr(second, "\"count\":1,");

		CHECK(count != NULL);
		if (count)
			count[8] = '2';
	}
	CHECK(post(A, text, len, 2) == 400);
	msg = json_string_value(
	    json_object_get(json_object_get(w.doc, "error"), "message"));
	CHECK(msg && strstr(msg, "its hash is not its own"));
	CHECK(hub_holds(A) == 0);
	free(text);
	/* A page that leaves out the first entry does not continue the
	 * trail the hub holds (none): refused whole. */
	text = page_of(w.n[A], 1, 500, 2, &len);
	CHECK(text != NULL);
	CHECK(post(A, text, len, 2) == 409);
	CHECK(strcmp(w.code, "audit_chain") == 0);
	CHECK(hub_holds(A) == 0);
	free(text);
}

WORLD_TEST(test_format_2_bad_input_refused)
{
	static char big[2u << 20];
	uLongf zlen = compressBound(sizeof(big));
	uint8_t *z = malloc(zlen);
	struct id p, c;
	size_t len = 0;
	char *text;

	CHECK_OK(open_case(w.n[A], "Puglia", "", &p, &c));
	text = page_of(w.n[A], 0, 500, 2, &len);
	CHECK(text != NULL);
	CHECK(req(w.n[A], "POST", "/v1/audit?format=4", text, len) == 400);
	CHECK(strstr(w.answer, "format") || strcmp(w.code, "invalid") == 0);
	/* Plain JSON where a zlib stream is due. */
	CHECK(req(w.n[A], "POST", "/v1/audit?format=2", text, len) == 400);
	/* 2 MB of spaces: past the bound once inflated. */
	memset(big, ' ', sizeof(big));
	CHECK(z && compress2(z, &zlen, (const Bytef *)big, sizeof(big), 9) ==
			   Z_OK);
	CHECK(req(w.n[A], "POST", "/v1/audit?format=2", z, zlen) == 400);
	CHECK(strcmp(w.code, "invalid") == 0);
	/* The hub reads a page's entries one at a time from its text: a
	 * page of another shape, or an entry that is not JSON, is refused
	 * whole all the same. */
	{
		static const char *const bad[] = {
			"{\"entries\":[],\"more\":1}",
			"{\"entries\":{}}",
			"{\"entries\":[{\"n\":1},{\"n\":2]}",
			"{\"entries\":[1,]}",
			"[]",
			"{\"entries\":[]} x",
		};
		char *good = page_of(w.n[A], 0, 500, 2, &len);
		char *cut = good ? strdup(good) : NULL;

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			CHECK(post(A, bad[i], strlen(bad[i]), 2) == 400);
			CHECK(strcmp(w.code, "invalid") == 0);
		}
		/* A real page with its second entry's closing brace gone. */
		CHECK(cut && strstr(cut, "},{"));
		if (cut && strstr(cut, "},{"))
			memmove(strstr(cut, "},{"), strstr(cut, "},{") + 1,
				strlen(strstr(cut, "},{")));
		CHECK(cut && post(A, cut, strlen(cut), 2) == 400);
		free(cut);
		free(good);
	}
	CHECK(hub_holds(A) == 0);
	/* The node's own round then sends it all. */
	CHECK(round_of(A) == 0 && hub_holds(A) > 0);
	free(z);
	free(text);
}

WORLD_TEST(test_format_3_hashes_computed)
{
	struct id p, c;
	size_t len = 0, len2 = 0;
	char *text, *two, *second, *last;

	CHECK_OK(open_case(w.n[A], "Puglia", "", &p, &c));
	CHECK(put(w.n[A], "case", &c, NULL, "{\"priority\":\"high\"}") == 0);
	text = page_of(w.n[A], 0, 500, 3, &len);
	two = page_of(w.n[A], 0, 500, 2, &len2);
	CHECK(text && two);
	/* One hash, the last entry's; every entry has one in format 2. */
	CHECK(text && strstr(text, "\"hash\"") &&
	      !strstr(strstr(text, "\"hash\"") + 1, "\"hash\""));
	CHECK(text && strstr(text, "\"hash\"") > strstr(text, "{\"n\":3"));
	CHECK(len < len2);
	/* An entry altered: the chain the hub computes ends elsewhere than
	 * the node's last hash. */
	second = text ? strstr(text + 1, "{\"n\":2") : NULL;
	CHECK(second && strstr(second, "\"count\":1,"));
	if (second && strstr(second, "\"count\":1,"))
		strstr(second, "\"count\":1,")[8] = '2';
	CHECK(post(A, text, len, 3) == 400);
	CHECK(hub_holds(A) == 0);
	if (second)
		strstr(second, "\"count\":2,")[8] = '1';
	/* No last hash: refused; with it, taken whole. */
	last = text ? strstr(text, ",\"hash\"") : NULL;
	CHECK(last != NULL);
	if (last) {
		char *copy = strdup(text);
		char *cut = copy + (last - text);

		size_t n = strlen(",\"hash\":\"\"") + 2 * STORE_AUDIT_HASHBYTES;

		memmove(cut, cut + n, strlen(cut + n) + 1);
		CHECK(strstr(copy, "\"hash\"") == NULL);
		CHECK(post(A, copy, strlen(copy), 3) == 400);
		free(copy);
	}
	CHECK(post(A, text, len, 3) == 200);
	CHECK(hub_holds(A) == 3);
	free(text);
	free(two);
}

/* Format 3 pages may carry AUDIT_WIRE_PAGE_3 entries, format 2 pages
 * AUDIT_WIRE_PAGE. */
WORLD_TEST(test_format_3_pages_larger)
{
	size_t len = 0;
	char *text;

	for (int i = 0; i < AUDIT_WIRE_PAGE + 1; i++)
		CHECK(put(w.n[A], "person", NULL, NULL, PERSON) == 0);
	text = page_of(w.n[A], 0, AUDIT_WIRE_PAGE + 1, 2, &len);
	CHECK(text && post(A, text, len, 2) == 400);
	CHECK(hub_holds(A) == 0);
	free(text);
	text = page_of(w.n[A], 0, AUDIT_WIRE_PAGE + 1, 3, &len);
	CHECK(text && post(A, text, len, 3) == 200);
	CHECK(hub_holds(A) == AUDIT_WIRE_PAGE + 1);
	free(text);
}

TEST_MAIN(T(test_round_sends_newest_format), T(test_format_3_hashes_computed),
	  T(test_format_3_pages_larger), T(test_format_1_page_still_taken),
	  T(test_format_2_chain_checked), T(test_format_2_bad_input_refused))
