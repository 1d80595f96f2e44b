/*
 * test_batch_col.c - sync/batch.h, format 2 (columns): a payload built
 * here byte by byte from the documented layout opens to the change it
 * describes; real logs arrive as they left, in either format, values
 * given as objects or as sealed text; every byte cut off, every index,
 * count, delta and value out of bounds, and every malformed head is
 * refused whole, quoting no value, with nothing handed on.
 */
#include "sync/batch.h"
#include "tests/node/store_fixture.h"

#include <inttypes.h>
#include <unistd.h>
#include <zlib.h>

#define ENV_HEADER (4 + 1 + ID_BYTES + 4) /* magic, format, sender, len */
#define SECRET "Zq-col-distinctive-41"      /* no message may quote it */
#define OP "op.ahmed"
#define GEN_JS "/work/shared/workload/gen.js"
#define WIRE_TARGET 60.0 /* bytes a record in format 2: issue 17's */

struct signer {
	uint8_t pk[SYNC_SIGN_PKBYTES], sk[SYNC_SIGN_SKBYTES];
};

static struct {
	struct store *a;
	struct signer k;
	char node_hex[ID_TEXT_LEN + 1];
} fx;

/* What arrived: changes handed on, and the last one's values. */
struct sink {
	size_t calls;
	char last[512];
	uint64_t oseq, hlc;
	int kind;
	size_t nprev;
};

static int sink_fn(void *ctx, const struct store_incoming *in)
{
	struct sink *k = ctx;
	char *text = json_dumps(in->fields, JSON_COMPACT | JSON_SORT_KEYS);

	k->calls++;
	snprintf(k->last, sizeof(k->last), "%s/%s", in->collection,
		 text ? text : "?");
	free(text);
	k->oseq = in->origin_seq;
	k->hlc = in->hlc;
	k->kind = (int)in->kind;
	k->nprev = in->nprev;
	return 0;
}

/* Payload p (n bytes) deflated, in a format-2 envelope signed by A. */
static uint8_t *wrap2(const void *p, size_t n, size_t *len)
{
	uLongf z = compressBound((uLong)n);
	uint8_t *env = malloc(ENV_HEADER + z + crypto_sign_BYTES);

	if (!env || compress2(env + ENV_HEADER, &z, p, (uLong)n, 6) != Z_OK) {
		free(env);
		return NULL;
	}
	memcpy(env, "PRSB", 4);
	env[4] = 2;
	memcpy(env + 5, store_node_id(fx.a)->b, ID_BYTES);
	for (int i = 0; i < 4; i++)
		env[5 + ID_BYTES + i] = (uint8_t)(z >> (8 * i));
	crypto_sign_detached(env + ENV_HEADER + z, NULL, env, ENV_HEADER + z,
			     fx.k.sk);
	*len = ENV_HEADER + z + crypto_sign_BYTES;
	return env;
}

/* Open payload p (n bytes) as A's: rc, what arrived in *k, error in *e. */
static int open_raw(const void *p, size_t n, struct sink *k, struct err *e)
{
	size_t len = 0;
	uint8_t *env = wrap2(p, n, &len);
	int rc = env ? sync_batch_open(env, len, fx.k.pk, sink_fn, k, e)
		     : -1000;

	free(env);
	return rc;
}

/* ---- a payload by hand: head, then the column bytes ---- */

#define HEAD_FMT                                                               \
	"{\"v\":2,\"n\":%s,\"nodes\":[\"%s\"],\"ops\":[\"" OP "\"],"           \
	"\"colls\":[\"test_item\"],\"keys\":[\"title\",\"count\"]%s}"

/* One create of test_item, record 0x11..., by node 0 and op 0, sequence
 * 5, time 1000, its values {"title":"a","count":7}: the column bytes. */
#define ONE_SEQ "\x0a"                     /* zigzag 5 */
#define ONE_REC "\x11\x11\x11\x11\x11\x11\x11\x11" \
		"\x11\x11\x11\x11\x11\x11\x11\x11"
#define ONE_COLL "\x00"
#define ONE_KIND "\x01"                    /* create */
#define ONE_NODE "\x00"
#define ONE_OP "\x00"
#define ONE_HLC "\xd0\x0f"                 /* zigzag 1000 */
#define ONE_NKEYS "\x02"
#define ONE_KEYS "\x00\x01"
#define ONE_NPREV "\x00"
#define ONE_VALUES "\x03\"a\"" "\x01" "7"  /* title's column, count's */
#define ONE_COLUMNS ONE_SEQ ONE_REC ONE_COLL ONE_KIND ONE_NODE ONE_OP \
	ONE_HLC ONE_NKEYS ONE_KEYS ONE_NPREV ONE_VALUES

/* varint(head length) head cols (ncols bytes) into out: its length. */
static size_t hand(uint8_t *out, size_t cap, const char *n_text,
		   const char *more_head, const char *cols, size_t ncols)
{
	char head[1024];
	int h = snprintf(head, sizeof(head), HEAD_FMT, n_text, fx.node_hex,
			 more_head);
	size_t at = 0;

	if (h < 0 || (size_t)h >= sizeof(head) || (size_t)h + ncols + 2 > cap)
		return 0;
	out[at++] = (uint8_t)((h & 0x7f) | (h > 0x7f ? 0x80 : 0));
	if (h > 0x7f)
		out[at++] = (uint8_t)(h >> 7);
	memcpy(out + at, head, (size_t)h);
	memcpy(out + at + h, cols, ncols);
	return at + (size_t)h + ncols;
}

#define HAND(buf, n_text, more, cols)                                          \
	hand(buf, sizeof(buf), n_text, more, cols, sizeof(cols) - 1)

static int fixture_init(void)
{
	memset(&fx, 0, sizeof(fx));
	crypto_sign_keypair(fx.k.pk, fx.k.sk);
	fx.a = fixture_node("polo", STORE_ROLE_NODE, OP);
	if (!fx.a)
		return 0;
	/* The head names node ids as 32 hex digits. */
	sodium_bin2hex(fx.node_hex, sizeof(fx.node_hex),
		       store_node_id(fx.a)->b, ID_BYTES);
	return 1;
}

static void fixture_release(void)
{
	store_close(fx.a);
}

static void test_hand_built_payload_opens(void)
{
	uint8_t p[2048];
	size_t n;
	struct sink k = { 0 };
	struct err e;

	CHECK(fixture_init());
	err_init(&e);
	n = HAND(p, "1", "", ONE_COLUMNS);
	CHECK(n > 0);
	CHECK(open_raw(p, n, &k, &e) == 0);
	CHECK(k.calls == 1);
	CHECK(strcmp(k.last, "test_item/{\"count\":7,\"title\":\"a\"}") == 0);
	CHECK(k.oseq == 5 && k.hlc == 1000 && k.kind == STORE_CHANGE_CREATE &&
	      k.nprev == 0);
	/* A meta the format carries rides in the head. */
	memset(&k, 0, sizeof(k));
	n = HAND(p, "1", ",\"meta\":{\"cursor\":3,\"more\":false}",
		 ONE_COLUMNS);
	CHECK(open_raw(p, n, &k, &e) == 0 && k.calls == 1);
	/* No change at all: an empty batch (a pull's last page). */
	memset(&k, 0, sizeof(k));
	n = HAND(p, "0", "", "");
	CHECK(open_raw(p, n, &k, &e) == 0 && k.calls == 0);
	fixture_release();
}

/* Refused whole, quoting nothing, handing nothing on? */
static int refused(const void *p, size_t n, const char *what)
{
	struct sink k = { 0 };
	struct err e;
	int rc;

	err_init(&e);
	rc = open_raw(p, n, &k, &e);
	if (rc == ERR_INVALID && k.calls == 0 && e.msg[0] &&
	    !strstr(e.msg, SECRET))
		return 1;
	printf("(%s: %d, %zu calls, \"%s\") ", what, rc, k.calls, e.msg);
	return 0;
}

static void test_every_cut_refused(void)
{
	uint8_t p[2048];
	size_t n;

	CHECK(fixture_init());
	n = HAND(p, "1", "", ONE_COLUMNS);
	for (size_t cut = 0; cut < n; cut++)
		CHECK(refused(p, cut, "cut"));
	/* A byte more after the last column. */
	p[n] = 0;
	CHECK(refused(p, n + 1, "trailing byte"));
	fixture_release();
}

static void test_columns_out_of_bounds_refused(void)
{
	static const struct {
		const char *what, *cols;
		size_t n;
	} cases[] = {
#define CASE(what, cols) { what, cols, sizeof(cols) - 1 }
		CASE("sequence 0", "\x00" ONE_REC ONE_COLL ONE_KIND ONE_NODE
			 ONE_OP ONE_HLC ONE_NKEYS ONE_KEYS ONE_NPREV
			 ONE_VALUES),
		CASE("sequence below 0", "\x0b" ONE_REC ONE_COLL ONE_KIND
			 ONE_NODE ONE_OP ONE_HLC ONE_NKEYS ONE_KEYS ONE_NPREV
			 ONE_VALUES),
		CASE("varint past 64 bits", "\xff\xff\xff\xff\xff\xff\xff\xff"
			 "\xff\x7f" ONE_REC ONE_COLL ONE_KIND ONE_NODE ONE_OP
			 ONE_HLC ONE_NKEYS ONE_KEYS ONE_NPREV ONE_VALUES),
		CASE("collection index", ONE_SEQ ONE_REC "\x01" ONE_KIND
			 ONE_NODE ONE_OP ONE_HLC ONE_NKEYS ONE_KEYS ONE_NPREV
			 ONE_VALUES),
		CASE("kind 0", ONE_SEQ ONE_REC ONE_COLL "\x00" ONE_NODE ONE_OP
			 ONE_HLC ONE_NKEYS ONE_KEYS ONE_NPREV ONE_VALUES),
		CASE("kind 5", ONE_SEQ ONE_REC ONE_COLL "\x05" ONE_NODE ONE_OP
			 ONE_HLC ONE_NKEYS ONE_KEYS ONE_NPREV ONE_VALUES),
		CASE("node index", ONE_SEQ ONE_REC ONE_COLL ONE_KIND "\x01"
			 ONE_OP ONE_HLC ONE_NKEYS ONE_KEYS ONE_NPREV
			 ONE_VALUES),
		CASE("operator index", ONE_SEQ ONE_REC ONE_COLL ONE_KIND
			 ONE_NODE "\x01" ONE_HLC ONE_NKEYS ONE_KEYS ONE_NPREV
			 ONE_VALUES),
		CASE("time 0", ONE_SEQ ONE_REC ONE_COLL ONE_KIND ONE_NODE
			 ONE_OP "\x00" ONE_NKEYS ONE_KEYS ONE_NPREV
			 ONE_VALUES),
		CASE("more values than keys", ONE_SEQ ONE_REC ONE_COLL
			 ONE_KIND ONE_NODE ONE_OP ONE_HLC "\x03" "\x00\x01\x00"
			 ONE_NPREV ONE_VALUES "\x03\"b\""),
		CASE("a value count past the payload", ONE_SEQ ONE_REC
			 ONE_COLL ONE_KIND ONE_NODE ONE_OP ONE_HLC
			 "\xff\xff\x03" ONE_KEYS ONE_NPREV ONE_VALUES),
		CASE("key index", ONE_SEQ ONE_REC ONE_COLL ONE_KIND ONE_NODE
			 ONE_OP ONE_HLC ONE_NKEYS "\x00\x02" ONE_NPREV
			 ONE_VALUES),
		CASE("a key twice", ONE_SEQ ONE_REC ONE_COLL ONE_KIND
			 ONE_NODE ONE_OP ONE_HLC ONE_NKEYS "\x00\x00"
			 ONE_NPREV "\x03\"a\"\x03\"b\""),
		CASE("too many versions", ONE_SEQ ONE_REC ONE_COLL ONE_KIND
			 ONE_NODE ONE_OP ONE_HLC ONE_NKEYS ONE_KEYS "\x7f"
			 ONE_VALUES),
		CASE("version node index", ONE_SEQ ONE_REC ONE_COLL ONE_KIND
			 ONE_NODE ONE_OP ONE_HLC ONE_NKEYS ONE_KEYS "\x01"
			 "\x01\x00\x01" ONE_VALUES),
		CASE("version time below 0", ONE_SEQ ONE_REC ONE_COLL
			 ONE_KIND ONE_NODE ONE_OP ONE_HLC ONE_NKEYS ONE_KEYS
			 "\x01" "\x01\xd1\x0f\x00" ONE_VALUES),
		CASE("value length past the payload", ONE_SEQ ONE_REC
			 ONE_COLL ONE_KIND ONE_NODE ONE_OP ONE_HLC ONE_NKEYS
			 ONE_KEYS ONE_NPREV "\x7f\"a\"\x01" "7"),
		CASE("empty value", ONE_SEQ ONE_REC ONE_COLL ONE_KIND
			 ONE_NODE ONE_OP ONE_HLC ONE_NKEYS ONE_KEYS ONE_NPREV
			 "\x00\x01" "7"),
		CASE("value not JSON", ONE_SEQ ONE_REC ONE_COLL ONE_KIND
			 ONE_NODE ONE_OP ONE_HLC ONE_NKEYS ONE_KEYS ONE_NPREV
			 "\x03\"a\x01" "7"),
		CASE("two values in one", ONE_SEQ ONE_REC ONE_COLL ONE_KIND
			 ONE_NODE ONE_OP ONE_HLC ONE_NKEYS ONE_KEYS ONE_NPREV
			 "\x03\"a\"\x03" "7 8"),
		CASE("value of the wrong type", ONE_SEQ ONE_REC ONE_COLL
			 ONE_KIND ONE_NODE ONE_OP ONE_HLC ONE_NKEYS ONE_KEYS
			 ONE_NPREV "\x03\"a\"\x03\"7\""),
		CASE("value nested too deep", ONE_SEQ ONE_REC ONE_COLL
			 ONE_KIND ONE_NODE ONE_OP ONE_HLC ONE_NKEYS ONE_KEYS
			 ONE_NPREV "\x03\"a\"\x0b[[[[[[1]]]]]"),
		CASE("a create without its required title", ONE_SEQ ONE_REC
			 ONE_COLL ONE_KIND ONE_NODE ONE_OP ONE_HLC "\x01"
			 "\x01" ONE_NPREV "\x01" "7"),
		CASE("a secret of the wrong type", ONE_SEQ ONE_REC ONE_COLL
			 ONE_KIND ONE_NODE ONE_OP ONE_HLC ONE_NKEYS ONE_KEYS
			 ONE_NPREV "\x03\"a\"\x17\"" SECRET "\""),
#undef CASE
	};
	uint8_t p[2048];
	size_t n;

	CHECK(fixture_init());
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = hand(p, sizeof(p), "1", "", cases[i].cols, cases[i].n);
		CHECK(n > 0 && refused(p, n, cases[i].what));
	}
	fixture_release();
}

static void test_bad_heads_refused(void)
{
	static const char *const heads[] = {
		"{\"v\":1,\"n\":1,\"nodes\":[],\"ops\":[],\"colls\":[],"
		"\"keys\":[]}",
		"{\"v\":2,\"n\":10001,\"nodes\":[],\"ops\":[],\"colls\":[],"
		"\"keys\":[]}",
		"{\"v\":2,\"n\":-1,\"nodes\":[],\"ops\":[],\"colls\":[],"
		"\"keys\":[]}",
		"{\"v\":2,\"n\":0,\"nodes\":[],\"ops\":[],\"colls\":[],"
		"\"keys\":[],\"changes\":[]}",
		"{\"v\":2,\"n\":0,\"nodes\":[\"zz\"],\"ops\":[],\"colls\":[],"
		"\"keys\":[]}",
		"{\"v\":2,\"n\":0,\"nodes\":[],\"ops\":[\"Not An Op\"],"
		"\"colls\":[],\"keys\":[]}",
		"{\"v\":2,\"n\":0,\"nodes\":[],\"ops\":[],\"colls\":[\"A-B\"],"
		"\"keys\":[]}",
		"{\"v\":2,\"n\":0,\"nodes\":[],\"ops\":[],\"colls\":[],"
		"\"keys\":[\"Not-A-Key\"]}",
		"{\"v\":2,\"n\":0,\"nodes\":[],\"ops\":[],\"colls\":[],"
		"\"keys\":[],\"meta\":{\"secret\":1}}",
		"{\"v\":2,\"n\":0,\"nodes\":[],\"ops\":[],\"colls\":[],"
		"\"keys\":[],\"meta\":[]}",
		"{\"v\":2,\"n\":0,\"v\":2,\"nodes\":[],\"ops\":[],"
		"\"colls\":[],\"keys\":[]}",
		"[2]",
		"{\"v\":2,",
	};
	uint8_t p[1024];

	CHECK(fixture_init());
	for (size_t i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
		size_t h = strlen(heads[i]);

		p[0] = (uint8_t)h;
		memcpy(p + 1, heads[i], h);
		CHECK(h < 0x80 && refused(p, h + 1, heads[i]));
	}
	/* A head length past the payload. */
	p[0] = 0x7f;
	CHECK(refused(p, 10, "head length"));
	fixture_release();
}

/* A real log: values as objects or as sealed text, in either format. */
struct filler {
	struct sync_batch *b;
	int text;
};

static int fill_one(void *ctx, const struct store_change *c)
{
	return sync_batch_add(((struct filler *)ctx)->b, c);
}

static uint8_t *seal_log(int format, int text, size_t *len)
{
	struct filler f = { NULL, text };
	uint8_t *env = NULL;
	int rc = sync_batch_new(&f.b);

	if (!rc)
		rc = sync_batch_set_format(f.b, format);
	if (!rc)
		rc = text ? store_log_own(fx.a, 0, 0, STORE_VALUES_TEXT,
					  fill_one, &f, NULL)
			  : store_log(fx.a, 0, 0, 1, fill_one, &f, NULL);
	if (!rc)
		rc = sync_batch_seal(f.b, store_node_id(fx.a), fx.k.sk, &env,
				     len, NULL, NULL);
	sync_batch_free(f.b);
	return rc ? NULL : env;
}

/* Everything that arrives, as text, one change a line. */
struct all {
	char text[8192];
	size_t n, calls;
	uint64_t sum;
};

static int all_fn(void *ctx, const struct store_incoming *in)
{
	struct all *a = ctx;
	char *v = json_dumps(in->fields, JSON_COMPACT | JSON_SORT_KEYS);
	char rec[ID_TEXT_LEN + 1];
	int w;

	id_format(&in->record, rec);
	w = snprintf(a->text + a->n, sizeof(a->text) - a->n,
		     "%s %s %d %" PRIu64 " %s %" PRIu64 " %zu %s\n", rec,
		     in->collection, (int)in->kind, in->origin_seq,
		     in->operator, in->hlc, in->nprev, v ? v : "?");
	free(v);
	if (w > 0 && (size_t)w < sizeof(a->text) - a->n)
		a->n += (size_t)w;
	a->calls++;
	return 0;
}

/* What arrives, summed: each change's text hashed into sum. */
static int count_fn(void *ctx, const struct store_incoming *in)
{
	struct all *a = ctx;
	char *v = json_dumps(in->fields, JSON_COMPACT | JSON_SORT_KEYS);
	uint8_t h[8];

	crypto_generichash(h, sizeof(h), (const uint8_t *)v, v ? strlen(v) : 0,
			   in->record.b, ID_BYTES);
	for (int i = 0; i < 8; i++)
		a->sum += (uint64_t)h[i] << (8 * i);
	a->sum += in->origin_seq * 31 + in->hlc + (uint64_t)in->kind;
	free(v);
	a->calls++;
	return 0;
}

static void test_real_log_same_in_both_formats(void)
{
	struct store_put_result r;
	struct all one = { .n = 0 }, two = { .n = 0 }, txt = { .n = 0 };
	uint8_t *e1, *e2, *e3;
	size_t l1 = 0, l2 = 0, l3 = 0;

	CHECK(fixture_init());
	CHECK_OK(put_json(fx.a, "test_item", NULL,
			  "{\"title\":\"a\",\"tags\":[\"x\",\"y\"],"
			  "\"score\":1.5,\"done\":true}", NULL));
	CHECK_OK(put_json(fx.a, "test_item", NULL, "{\"title\":\"b\"}", &r));
	CHECK_OK(put_json(fx.a, "test_item", &r.id,
			  "{\"title\":\"" SECRET "\",\"body\":\"with \\\"quotes\\\","
			  " commas} and \\u00e8\"}", NULL));
	CHECK_OK(store_delete(fx.a, &r.id, NULL));
	e1 = seal_log(1, 0, &l1);
	e2 = seal_log(2, 0, &l2);
	e3 = seal_log(2, 1, &l3);
	CHECK(e1 && e2 && e3 && e1[4] == 1 && e2[4] == 2 && e3[4] == 2);
	CHECK(!sync_batch_open(e1, l1, fx.k.pk, all_fn, &one, NULL));
	CHECK(!sync_batch_open(e2, l2, fx.k.pk, all_fn, &two, NULL));
	CHECK(!sync_batch_open(e3, l3, fx.k.pk, all_fn, &txt, NULL));
	CHECK(one.calls == 4 && two.calls == 4 && txt.calls == 4);
	CHECK(strcmp(one.text, two.text) == 0);
	CHECK(strcmp(one.text, txt.text) == 0);
	CHECK(strstr(one.text, "\"_deleted\":true") != NULL);
	/* Every cut of a real payload is refused. */
	{
		uLongf n = 1u << 20;
		uint8_t *p = malloc(n);
		size_t plen = l2 - ENV_HEADER - crypto_sign_BYTES;

		CHECK(p && uncompress(p, &n, e2 + ENV_HEADER, (uLong)plen) ==
				   Z_OK);
		for (size_t cut = 0; p && cut < n; cut++)
			CHECK(refused(p, cut, "cut of a real payload"));
		free(p);
	}
	free(e1);
	free(e2);
	free(e3);
	fixture_release();
}

/* 1,000 creates of the synthetic workload (../shared/workload): format 2
 * carries them at most WIRE_TARGET bytes a record, a fifth less than
 * format 1, and both arrive the same. */
static void test_workload_creates_smaller_in_columns(void)
{
	char path[4300], cmd[9000], *file, *line, *nl;
	struct all *one = calloc(1, sizeof(*one)), *two = calloc(1,
								 sizeof(*two));
	uint8_t *e1 = NULL, *e2 = NULL;
	size_t l1 = 0, l2 = 0, n = 0, flen = 0;
	struct err e;

	if (access(GEN_JS, R_OK) ||
	    system("command -v node >/dev/null 2>&1")) {
		printf("(skipped: node or %s missing) ", GEN_JS);
		free(one);
		free(two);
		return;
	}
	CHECK(one && two && fixture_init());
	snprintf(path, sizeof(path), "%s/w.jsonl", test_tmpdir());
	snprintf(cmd, sizeof(cmd), "node %s --seed 42 --persons 200 "
		 "--updates 0 --out %s >/dev/null 2>&1", GEN_JS, path);
	CHECK(system(cmd) == 0);
	file = test_read_file(path, &flen);
	CHECK(file != NULL);
	err_init(&e);
	CHECK_OK(store_begin(fx.a, &e));
	for (line = file; file && n < 1000 && line < file + flen;
	     line = nl + 1, n++) {
		json_t *op;
		struct id id;
		int rc;

		nl = strchr(line, '\n');
		nl = nl ? nl : file + flen;
		op = json_loadb(line, (size_t)(nl - line), 0, NULL);
		rc = !json_is_string(json_object_get(op, "id")) ||
		     id_parse(&id, json_string_value(json_object_get(op, "id"))) ||
		     store_put(fx.a, json_string_value(json_object_get(
					     op, "collection")),
			       &id, json_object_get(op, "fields"), NULL, &e);
		json_decref(op);
		CHECK(rc == 0);
	}
	free(file);
	CHECK(n == 1000 && !store_commit(fx.a, &e));
	e1 = seal_log(1, 1, &l1);
	e2 = seal_log(2, 1, &l2);
	CHECK(e1 && e2);
	CHECK(e1 && !sync_batch_open(e1, l1, fx.k.pk, count_fn, one, NULL));
	CHECK(e2 && !sync_batch_open(e2, l2, fx.k.pk, count_fn, two, NULL));
	CHECK(one->calls == 1000 && two->calls == 1000 &&
	      one->sum == two->sum);
	printf("(format 1: %.1f, format 2: %.1f bytes/record) ",
	       (double)l1 / 1000.0, (double)l2 / 1000.0);
	CHECK(l2 * 100 < l1 * 80);
	CHECK((double)l2 / 1000.0 <= WIRE_TARGET);
	free(e1);
	free(e2);
	free(one);
	free(two);
	fixture_release();
}

static void test_format_set_before_changes_only(void)
{
	struct sync_batch *b = NULL;
	uint8_t junk[8] = "PRSB";

	CHECK_OK(sync_batch_new(&b));
	CHECK(sync_batch_set_format(b, 0) == ERR_INVALID);
	CHECK(sync_batch_set_format(b, SYNC_BATCH_FORMAT_MAX + 1) ==
	      ERR_INVALID);
	CHECK(sync_batch_set_format(b, 2) == 0);
	CHECK(sync_batch_set_format(b, 1) == 0);
	sync_batch_free(b);
	CHECK(sync_batch_format(junk, sizeof(junk)) == 0);
}

TEST_MAIN(T(test_hand_built_payload_opens), T(test_every_cut_refused),
	  T(test_columns_out_of_bounds_refused), T(test_bad_heads_refused),
	  T(test_real_log_same_in_both_formats),
	  T(test_format_set_before_changes_only),
	  T(test_workload_creates_smaller_in_columns))
