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
 * node's trail, or that gives no last hash, is refused.  Format 4 names
 * the change of a write the hub holds instead of its record, and leaves
 * out the numbers and times that follow: a round sends it and the hub's
 * chain is the node's; a change the hub does not hold is refused with
 * 409 "audit_change" and the node's round sends the page again naming
 * the records; changes swapped are refused, the chain computed ending
 * elsewhere; a node speaking format 3 is still taken.  The reader takes
 * format 4's members strictly: a delta that takes a number below 0 or
 * past 2^63, a "dchg" beside a "record", a member of the wrong type,
 * each is refused naming the member.
 */
#include "tests/sync/hub_world.h"

#include <zlib.h>

#include "common/buf.h"
#include "common/zflate.h"
#include "node/store_audit.h"
#include "sync/audit_wire.h"

#define ZEROS64 "0000000000000000000000000000000000000000000000000000000000000000"

/* A page of s's own entries after `after` (at most limit) as JSON text
 * in format (1 to 4), into body (malloc'd); in format 4, naming the
 * changes up to pushed. */
struct page {
	json_t *list;
	struct audit_wire_writer w;
	struct store_audit_entry last;
};

static int add_entry(void *ctx, const struct store_audit_entry *a)
{
	struct page *pg = ctx;

	pg->last = *a;
	return json_array_append_new(pg->list, audit_wire_write(&pg->w, a))
		   ? ERR_NOMEM
		   : 0;
}

static char *page_naming(struct store *s, uint64_t after, size_t limit,
			 int format, uint64_t pushed, size_t *len)
{
	struct page pg = { json_array(), { .format = 0 }, { .nseq = 0 } };
	char hex[2 * STORE_AUDIT_HASHBYTES + 1];
	json_t *body;
	char *text = NULL;

	audit_wire_writer_start(&pg.w, format, pushed);
	if (!pg.list ||
	    store_audit_own(s, after, limit, add_entry, &pg, NULL)) {
		json_decref(pg.list);
		return NULL;
	}
	/* Format 3: the last entry's hash, as a node sends it. */
	sodium_bin2hex(hex, sizeof(hex), pg.last.hash, sizeof(pg.last.hash));
	if (format >= 3 && json_array_size(pg.list) && !pg.w.hashed)
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

static char *page_of(struct store *s, uint64_t after, size_t limit,
		     int format, size_t *len)
{
	return page_naming(s, after, limit, format, 0, len);
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
	CHECK(req(w.n[A], "POST", "/v1/audit?format=5", text, len) == 400);
	CHECK(req(w.n[A], "POST", "/v1/audit?format=33", text, len) == 400);
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

/* The hub's chain of node i ends where the node's does. */
static int same_chain(int i)
{
	uint8_t hub[STORE_AUDIT_HASHBYTES], own[STORE_AUDIT_HASHBYTES];
	uint64_t n = 0, m = 0;
	struct page last = { json_array(), { .format = 0 }, { .nseq = 0 } };
	int rc;

	audit_wire_writer_start(&last.w, 3, 0);
	rc = store_audit_last(w.hub, store_node_id(w.n[i]), &n, hub, NULL);
	if (!rc)
		rc = store_audit_own_last(w.n[i], &m, NULL);
	if (!rc)
		rc = store_audit_own(w.n[i], m - 1, 1, add_entry, &last, NULL);
	memcpy(own, last.last.hash, sizeof(own));
	json_decref(last.list);
	return !rc && n == m && m > 0 && !memcmp(hub, own, sizeof(own));
}

static size_t deflated(const char *text, size_t len)
{
	uint8_t *z = NULL;
	size_t zlen = 0;

	if (zflate_deflate(text, len, 6, &z, &zlen, NULL))
		return SIZE_MAX;
	free(z);
	return zlen;
}

static size_t count_of(const char *text, const char *what)
{
	size_t n = 0;

	for (const char *p = text; p && (p = strstr(p, what)); p++)
		n++;
	return n;
}

/* text with its first n "dchg" members set to d[0..n) (malloc'd). */
static char *with_dchg(const char *text, const char *const *d, size_t n)
{
	struct buf b;
	const char *p = text, *q;

	buf_init(&b, AUDIT_WIRE_MAX_BODY);
	for (size_t i = 0; i < n && (q = strstr(p, "\"dchg\":")); i++) {
		q += strlen("\"dchg\":");
		if (buf_append(&b, p, (size_t)(q - p)) ||
		    buf_append(&b, d[i], strlen(d[i])))
			break;
		p = q + strspn(q, "-0123456789");
	}
	if (buf_append(&b, p, strlen(p) + 1)) {
		buf_release(&b);
		return NULL;
	}
	return (char *)b.data;
}

WORLD_TEST(test_format_4_names_changes)
{
	size_t len3 = 0, len4 = 0;
	char *three, *four;

	for (int i = 0; i < 60; i++)
		CHECK(put(w.n[A], "person", NULL, NULL, PERSON) == 0);
	/* The round sends format 4: every entry a write whose change it
	 * has just pushed.  The hub read each record from its change, and
	 * its chain ends on the node's hash. */
	CHECK(round_of(A) == 0);
	CHECK(hub_holds(A) == 60 && same_chain(A));
	three = page_of(w.n[A], 0, 500, 3, &len3);
	four = page_naming(w.n[A], 0, 500, 4, UINT64_MAX, &len4);
	CHECK(three && four);
	if (!three || !four)
		goto out;
	/* No record id, no number but the first, no time but the first. */
	CHECK(count_of(four, "\"record\"") == 0);
	CHECK(count_of(four, "\"dchg\":") == 60);
	/* The first against 0: this node's changes are 1 to 60. */
	CHECK(count_of(four, "\"dchg\":1,") == 60);
	CHECK(count_of(four, "\"n\":") == 1 && count_of(four, "\"at\":") == 1);
	CHECK(count_of(four, "\"dt\":") == 59);
	CHECK(count_of(three, "\"record\":\"") == 60);
	/* Deflated, a quarter of format 3 at most (31 bytes an entry
	 * there, of which 16 random). */
	CHECK(deflated(four, len4) * 4 < deflated(three, len3));
	printf("(format 3: %zu B, format 4: %zu B, 60 entries) ",
	       deflated(three, len3), deflated(four, len4));
	/* Sent again, it is the same entries: no change. */
	CHECK(post(A, four, len4, 4) == 200);
	CHECK(hub_holds(A) == 60);
out:
	free(three);
	free(four);
}

WORLD_TEST(test_format_4_refuses_what_it_cannot_name)
{
	size_t len = 0;
	char *text, *swapped;
	const char *msg;
	uint64_t last = 0;

	for (int i = 0; i < 4; i++)
		CHECK(put(w.n[A], "person", NULL, NULL, PERSON) == 0);
	/* Changes the hub was never sent: refused, nothing kept. */
	text = page_naming(w.n[A], 0, 500, 4, UINT64_MAX, &len);
	CHECK(text && post(A, text, len, 4) == 409);
	CHECK(strcmp(w.code, AUDIT_WIRE_UNKNOWN_CHANGE) == 0);
	CHECK(hub_holds(A) == 0);
	/* A node of the previous build sends format 3 to the new hub. */
	w.o.audit_format = 3;
	CHECK(round_of(A) == 0);
	w.o.audit_format = 0;
	CHECK(hub_holds(A) == 4 && same_chain(A));
	/* The second and third entries' changes swapped (1, 3, 2, 4): each
	 * names a change this node made, of another record than its own;
	 * the chain the hub computes ends elsewhere than the node's last
	 * hash. */
	swapped = text ? with_dchg(text, (const char *const[]){ "1", "2", "-1",
								"2" },
				  4)
		       : NULL;
	CHECK(swapped != NULL);
	CHECK(post(A, swapped, strlen(swapped), 4) == 400);
	msg = json_string_value(
	    json_object_get(json_object_get(w.doc, "error"), "message"));
	CHECK(msg && strstr(msg, "its hash is not its own"));
	free(swapped);
	CHECK_OK(store_audit_own_last(w.n[A], &last, NULL));
	CHECK(hub_holds(A) == last && same_chain(A));
	free(text);
}

/* A change named that the hub no longer holds (its record purged after
 * it was pushed, before the entry was sent): the round sends that page
 * again naming the records. */
WORLD_TEST(test_format_4_falls_back_to_records)
{
	struct store_put_result r;
	uint8_t *env;
	size_t len = 0;

	CHECK(put_json(w.n[A], "person", NULL, PERSON, &r) == 0);
	CHECK_OK(store_delete(w.n[A], &r.id, NULL));
	CHECK(put(w.n[A], "person", NULL, NULL, PERSON) == 0);
	/* The changes reach the hub without the round (and so without the
	 * entries), and the hub purges the deleted person. */
	CHECK((env = batch_of(w.n[A], w.n[A], &len)) != NULL);
	CHECK(env && req(w.n[A], "POST", "/v1/push", env, len) == 200);
	CHECK_OK(store_purge(w.hub, &r.id, NULL));
	CHECK(round_of(A) == 0);
	CHECK(hub_holds(A) == 3 && same_chain(A));
}

/* The record of change chg, for the reader alone: changes 1 to 9 wrote
 * records whose first byte is their number. */
static int fake_record_of(void *ctx, uint64_t chg, struct id *record,
			  struct err *e)
{
	(void)ctx;
	if (chg < 1 || chg > 9)
		return err_set(e, ERR_NOTFOUND, "no change %llu",
			       (unsigned long long)chg);
	memset(record->b, 0, ID_BYTES);
	record->b[0] = (uint8_t)chg;
	return 0;
}

/* Entry text (with the words every entry has) read as the second of a
 * format 4 page: what audit_wire_read() returned, the error in e. */
static int read_second(const char *members, struct store_audit_entry *a,
		       struct err *e)
{
	static const struct id node = { { 7 } };
	struct audit_wire_reader r;
	char text[512];
	json_t *j;
	int rc;

	audit_wire_reader_start(&r, &node, 4, fake_record_of, NULL);
	j = json_loads("{\"n\":5,\"at\":1000,\"operator\":\"op.test\","
		       "\"role\":\"\",\"action\":\"create\",\"coll\":1,"
		       "\"dchg\":3,\"count\":1,\"purpose\":\"p\","
		       "\"glass\":0,\"prev\":\"" ZEROS64 "\"}",
		       0, NULL);
	rc = j ? audit_wire_read(&r, j, a, e) : ERR_NOMEM;
	json_decref(j);
	if (rc)
		return -100;
	snprintf(text, sizeof(text),
		 "{\"operator\":\"op.test\",\"role\":\"\",\"action\":"
		 "\"update\",\"coll\":1,\"count\":1,\"purpose\":\"p\","
		 "\"glass\":0%s}",
		 members);
	j = json_loads(text, 0, NULL);
	err_init(e);
	rc = j ? audit_wire_read(&r, j, a, e) : -101;
	json_decref(j);
	return rc;
}

/* Format 4's members read strictly: each malformed one named. */
static void test_format_4_members_checked(void)
{
	static const struct {
		const char *members, *named;
	} bad[] = {
		{ ",\"dt\":-1001,\"dchg\":1", "dt" },
		{ ",\"dt\":\"x\",\"dchg\":1", "dt" },
		{ ",\"dchg\":1", "dt" },
		{ ",\"dt\":1,\"dchg\":-3", "dchg" },
		{ ",\"dt\":1,\"dchg\":1.5", "dchg" },
		{ ",\"dt\":1,\"dchg\":9223372036854775807", "dchg" },
		{ ",\"dt\":1,\"dchg\":1,\"record\":null", "dchg" },
		{ ",\"dt\":9223372036854775807,\"dchg\":1", "dt" },
		{ ",\"n\":-1,\"dt\":1,\"dchg\":1", "'n'" },
	};
	struct store_audit_entry a;
	struct err e;

	/* What follows the first entry: n + 1, at + dt, the change 3 + 2. */
	CHECK_OK(read_second(",\"dt\":-10,\"dchg\":2", &a, &e));
	CHECK(a.nseq == 6 && a.at == 990 && a.chg == 5 && a.has_record &&
	      a.record.b[0] == 5);
	CHECK_OK(read_second(",\"n\":9,\"at\":7,\"record\":null", &a, &e));
	CHECK(a.nseq == 9 && a.at == 7 && !a.has_record && a.chg == 0);
	/* A change the holder does not have: its ERR_NOTFOUND. */
	CHECK(read_second(",\"dt\":1,\"dchg\":7", &a, &e) == ERR_NOTFOUND);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = read_second(bad[i].members, &a, &e);

		if (rc != ERR_INVALID || !strstr(e.msg, bad[i].named))
			printf("(%s: %d %s) ", bad[i].members, rc, e.msg);
		CHECK(rc == ERR_INVALID && strstr(e.msg, bad[i].named));
	}
}

TEST_MAIN(T(test_format_4_members_checked),
	  T(test_format_4_names_changes),
	  T(test_format_4_refuses_what_it_cannot_name),
	  T(test_format_4_falls_back_to_records),
	  T(test_round_sends_newest_format), T(test_format_3_hashes_computed),
	  T(test_format_3_pages_larger), T(test_format_1_page_still_taken),
	  T(test_format_2_chain_checked), T(test_format_2_bad_input_refused))
