/*
 * test_batch.c - sync/batch.h: real change logs arrive as they left; an
 * altered envelope is refused; validly signed hostile payloads (zlib bombs,
 * bad JSON, bad changes; built here per the documented format) are refused
 * whole, quoting no value; real creates stay within the wire target, and
 * the running size senders cut batches by tracks the real JSON.
 */
#include "sync/batch.h"
#include "tests/node/store_fixture.h"

#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#define ENV_HEADER  (4 + 1 + ID_BYTES + 4) /* magic, version, sender, len */
#define ENV_SIG     crypto_sign_BYTES
#define SECRET      "Zq-distinctive-value-77" /* no message may quote it */
#define WIRE_TARGET 120.0 /* bytes per record: the project's target */
#define GEN_JS      "/work/shared/workload/gen.js"
#define MIB         (1u << 20)
#define NCASES(a)   (sizeof(a) / sizeof((a)[0]))
#define JSON_Z      2 /* open_payload(): p is a json_t */

struct signer {
	uint8_t pk[SYNC_SIGN_PKBYTES], sk[SYNC_SIGN_SKBYTES];
};

/* A node of its own in test_tmpdir()/name, unlocked by operator op. */
static struct store *node_named(const char *name, const char *op)
{
	return fixture_node(name, STORE_ROLE_NODE, op);
}

/* A change as plain JSON, to compare what was logged with what arrived. */
static json_t *canon(const struct id *record, const char *coll, int kind,
		     const struct id *origin, uint64_t oseq, const char *op,
		     uint64_t hlc, const json_t *fields,
		     const struct merge_prev *prev, size_t nprev)
{
	char rec[ID_TEXT_LEN + 1], org[ID_TEXT_LEN + 1], pn[ID_TEXT_LEN + 1];
	json_t *p = json_array();

	for (size_t i = 0; p && i < nprev; i++) {
		id_format(&prev[i].v.node, pn);
		json_array_append_new(p, json_pack("[iIs]", prev[i].field,
					(json_int_t)prev[i].v.hlc, pn));
	}
	id_format(record, rec);
	id_format(origin, org);
	return json_pack("[ssisIsIOo]", rec, coll, kind, org, (json_int_t)oseq,
			 op, (json_int_t)hlc, fields, p);
}

struct filler {
	struct sync_batch *b;
	json_t *want;         /* the changes added, as canon() shows them */
	uint64_t first, last; /* origin sequence of the first and last */
	size_t copies;        /* add each this many times (0: once) */
	int refused;          /* code of the last add refused, or 0 */
};

static int fill_one(void *ctx, const struct store_change *c)
{
	struct filler *f = ctx;

	f->first = f->first ? f->first : c->origin_seq;
	f->last = c->origin_seq;
	if (c->fields)
		json_array_append_new(f->want, canon(&c->record, c->coll->name,
			(int)c->kind, &c->origin, c->origin_seq, c->operator,
			c->hlc, c->fields, c->prev_ids, c->nprev_ids));
	for (size_t i = 0; i < (f->copies ? f->copies : 1); i++) {
		int rc = sync_batch_add(f->b, c);

		f->refused = rc ? rc : f->refused;
	}
	return 0;
}

/* s's log into f (caller releases), each change copies times; sealed. */
static int seal_log(struct store *s, int with_values, size_t copies,
		    const struct signer *k, struct filler *f, uint8_t **env,
		    size_t *len, size_t *json_bytes)
{
	int rc;

	memset(f, 0, sizeof(*f));
	f->want = json_array();
	f->copies = copies;
	rc = sync_batch_new(&f->b);
	if (!rc)
		rc = store_log(s, 0, 0, with_values, fill_one, f, NULL);
	if (!rc && env)
		rc = sync_batch_seal(f->b, store_node_id(s), k->sk, env, len,
				     json_bytes, NULL);
	return rc;
}

static void filler_release(struct filler *f)
{
	sync_batch_free(f->b);
	json_decref(f->want);
}

struct sink {
	struct store *to;   /* store_apply() into it, or NULL: only count */
	const json_t *want; /* when set, arrival i must equal want[i] */
	size_t calls, applied, known, failed, differ;
	size_t stop_at;     /* return 7 at this call (1-based); 0: never */
};

static int sink_fn(void *ctx, const struct store_incoming *in)
{
	struct sink *k = ctx;
	struct store_apply_result res;

	k->calls++;
	if (k->want) {
		json_t *got = canon(&in->record, in->collection, (int)in->kind,
				    &in->origin, in->origin_seq, in->operator,
				    in->hlc, in->fields, in->prev, in->nprev);

		k->differ += !json_equal(got,
					 json_array_get(k->want, k->calls - 1));
		json_decref(got);
	}
	memset(&res, 0, sizeof(res));
	if (k->to && store_apply(k->to, in, &res, NULL))
		k->failed++;
	k->applied += res.seq != 0;
	k->known += (size_t)res.known;
	return k->stop_at && k->calls == k->stop_at ? 7 : 0;
}

/* Each record must be in k->to too, the same: counted in calls, differ. */
static int same_one(void *ctx, const struct store_record *r)
{
	struct sink *k = ctx;
	struct store_record o;

	store_record_init(&o);
	k->calls++;
	k->differ += store_get(k->to, &r->id, &o, NULL) ||
		     o.coll != r->coll || o.deleted != r->deleted ||
		     !json_equal(o.fields, r->fields);
	store_record_release(&o);
	return 0;
}

/* from's log into to through a sealed batch: changes applied, or -1. */
static long ship_batch(struct store *from, const struct signer *k,
		       struct store *to)
{
	struct filler f;
	struct sink sk = { .to = to };
	uint8_t *env = NULL;
	size_t len = 0;
	int rc = seal_log(from, 1, 0, k, &f, &env, &len, NULL) ||
		 sync_batch_open(env, len, k->pk, sink_fn, &sk, NULL);

	free(env);
	filler_release(&f);
	return rc || sk.failed ? -1 : (long)sk.applied;
}

/* Open a copy of in, exactly len bytes (ASan sees reads past it), into k. */
static int open_exact(const uint8_t *in, size_t len, const uint8_t *pk,
		      struct sink *k, struct err *e)
{
	uint8_t *copy = malloc(len ? len : 1);
	int rc = -1000;

	memset(k, 0, sizeof(*k));
	err_init(e);
	if (copy)
		rc = sync_batch_open(memcpy(copy, in, len), len, pk, sink_fn,
				     k, e);
	free(copy);
	return rc;
}

/* Payload p (deflated first when deflate) in an envelope signed with sk,
 * per the documented format: what any holder of a key can send. */
static uint8_t *wrap(const struct id *sender, const uint8_t *sk,
		     const void *p, size_t n, int deflate, size_t *len)
{
	uLongf plen = deflate ? compressBound((uLong)n) : (uLong)n;
	uint8_t *env = malloc(ENV_HEADER + plen + ENV_SIG);

	if (!env || (deflate && compress2(env + ENV_HEADER, &plen, p, (uLong)n,
					  9) != Z_OK)) {
		free(env);
		return NULL;
	}
	if (!deflate && n)
		memcpy(env + ENV_HEADER, p, n);
	memcpy(env, "PRSB", 4);
	env[4] = SYNC_BATCH_VERSION;
	memcpy(env + 5, sender->b, ID_BYTES);
	for (int i = 0; i < 4; i++)
		env[5 + ID_BYTES + i] = (uint8_t)(plen >> (8 * i));
	crypto_sign_detached(env + ENV_HEADER + plen, NULL, env,
			     ENV_HEADER + plen, sk);
	*len = ENV_HEADER + plen + ENV_SIG;
	return env;
}

/* The JSON in an envelope, read per the documented layout (not verified). */
static json_t *unwrap(const uint8_t *env, size_t len)
{
	uLongf n = 32u * MIB;
	uint8_t *text = NULL;
	json_t *doc = NULL;
	size_t plen = 0;

	if (len >= ENV_HEADER + ENV_SIG && !memcmp(env, "PRSB", 4) &&
	    env[4] == SYNC_BATCH_VERSION)
		plen = (size_t)env[21] | (size_t)env[22] << 8 |
		       (size_t)env[23] << 16 | (size_t)env[24] << 24;
	if (plen && plen == len - ENV_HEADER - ENV_SIG &&
	    (text = malloc(n)) != NULL &&
	    uncompress(text, &n, env + ENV_HEADER, (uLong)plen) == Z_OK)
		doc = json_loadb((const char *)text, n, 0, NULL);
	free(text);
	return doc;
}

/* p wrapped by hand with s (z: 0 raw, 1 deflated, JSON_Z a json_t), opened */
static int open_payload(const struct id *sender, const struct signer *s,
			const void *p, size_t n, int z, struct sink *k,
			struct err *e)
{
	char *text = z == JSON_Z ? json_dumps(p, JSON_COMPACT) : NULL;
	size_t len = 0;
	uint8_t *env = wrap(sender, s->sk, text ? text : p,
			    text ? strlen(text) : n, z != 0, &len);
	int rc = env ? open_exact(env, len, s->pk, k, e) : -1000;

	free(text);
	free(env);
	return rc;
}

/* The fixture: node A's log of three changes, the last an update writing
 * SECRET, sealed with A's key; another key; the payload as JSON. */
static struct fixture {
	struct store *a;
	struct signer ka, kx;
	struct filler f;
	uint8_t *env;
	size_t len, n;
	json_t *doc;
} fx;

/* 1 when set up and the payload wrapped by hand opens (the hostile base). */
static int fixture_init(void)
{
	struct store_put_result r;
	struct sink k = { 0 };
	struct err e;

	memset(&fx, 0, sizeof(fx));
	crypto_sign_keypair(fx.ka.pk, fx.ka.sk);
	crypto_sign_keypair(fx.kx.pk, fx.kx.sk);
	fx.a = node_named("polo", "op.ahmed");
	if (!fx.a ||
	    put_json(fx.a, "test_item", NULL, "{\"title\":\"a\"}", NULL) ||
	    put_json(fx.a, "test_item", NULL, "{\"title\":\"b\"}", &r) ||
	    put_json(fx.a, "test_item", &r.id,
		     "{\"title\":\"" SECRET "\",\"body\":\"" SECRET "\"}",
		     NULL) ||
	    seal_log(fx.a, 1, 0, &fx.ka, &fx.f, &fx.env, &fx.len, NULL))
		return 0;
	fx.doc = unwrap(fx.env, fx.len);
	fx.n = json_array_size(json_object_get(fx.doc, "changes"));
	return fx.n == 3 && !open_payload(store_node_id(fx.a), &fx.ka, fx.doc,
					  0, JSON_Z, &k, &e) && k.calls == 3;
}

static void fixture_release(void)
{
	json_decref(fx.doc);
	free(fx.env);
	filler_release(&fx.f);
	store_close(fx.a);
}

/* p from A refused (ERR_INVALID, nothing handed on, no value quoted; when
 * named, "change 2" or "change 3": 0- or 1-based)?  Else 0 with a note. */
static int refused(const void *p, size_t n, int z, int named,
		   const char *what)
{
	struct sink k = { 0 };
	struct err e;
	int rc = open_payload(store_node_id(fx.a), &fx.ka, p, n, z, &k, &e);

	if (rc == ERR_INVALID && k.calls == 0 && e.code == ERR_INVALID &&
	    e.msg[0] && !strstr(e.msg, SECRET) &&
	    (!named || strstr(e.msg, "change 2") || strstr(e.msg, "change 3")))
		return 1;
	printf("(%s: %d, %zu calls, \"%s\") ", what, rc, k.calls, e.msg);
	return 0;
}

enum { AT_ROW = -1, AT_KEY = -2, AT_TEXT = -3 };

/* The fixture's payload with value (JSON) put at an item of the last change
 * (0..8), that change, key, or the whole payload: refused()? */
static int refuse_one(int at, const char *key, const char *value)
{
	json_t *doc = json_deep_copy(fx.doc);
	json_t *v = json_loads(value, JSON_DECODE_ANY, NULL);
	json_t *ch = json_object_get(doc, "changes");
	char *text;
	int ok;

	if (at >= 0)
		json_array_set(json_array_get(ch, fx.n - 1), (size_t)at, v);
	else if (at == AT_ROW)
		json_array_set(ch, fx.n - 1, v);
	else if (at == AT_KEY)
		json_object_set(doc, key, v);
	text = at == AT_TEXT ? NULL : json_dumps(doc, JSON_COMPACT);
	ok = (v || at == AT_TEXT) &&
	     refused(text ? text : value, strlen(text ? text : value), 1,
		     at >= AT_ROW, value);
	free(text);
	json_decref(v);
	json_decref(doc);
	return ok;
}

/* Three nodes: A writes (creates, updates with nulls and lists, UTF-8),
 * swaps batches with C around a conflict A resolves, deletes; then A's
 * whole log reaches B in one batch, and B ends up with what A has. */
static void test_batch_round_trip_between_real_stores(void)
{
	struct store *a = node_named("polo", "op.ahmed");
	struct store *c = node_named("pda", "op.bea");
	struct store *b = node_named("hub", "op.carla");
	struct store_put_result item, gone;
	struct store_status sa, sb;
	struct signer ka, kc;
	struct filler f;
	struct sink k = { .to = b }, same = { .to = b };
	char note[200], idtext[ID_TEXT_LEN + 1];
	uint8_t *env = NULL;
	size_t len = 0, jb = 0, n;
	json_t *v = json_string("risolto \xc3\xa0");
	int rc;

	CHECK(a && b && c && v);
	crypto_sign_keypair(ka.pk, ka.sk);
	crypto_sign_keypair(kc.pk, kc.sk);
	CHECK_OK(put_json(a, "test_item", NULL,
			  "{\"title\":\"Caff\\u00e8 \\u65e5 \\ud83d\\ude00\","
			  "\"count\":3,\"body\":\"a\\n\\\"b\\\" \\\\ \\t\","
			  "\"score\":2.5,\"done\":true,\"due\":\"2026-03-01\","
			  "\"color\":\"red\",\"at\":\"2026-03-01T10:00:00.1Z\","
			  "\"tags\":[\"\\u00e4\",\"\\u0416\"]}",
			  &item));
	id_format(&item.id, idtext);
	snprintf(note, sizeof(note),
		 "{\"item\":\"%s\",\"text\":\"nota \\u2713 \\u00e8\"}", idtext);
	CHECK_OK(put_json(a, "test_note", NULL, note, NULL));
	CHECK_OK(put_json(a, "test_item", NULL,
			  "{\"title\":\"to go\",\"count\":-3,\"tags\":[]}",
			  &gone));
	CHECK_OK(put_json(a, "test_item", &item.id,
			  "{\"count\":null,\"tags\":[\"x\"],\"score\":-0.125,"
			  "\"stage\":\"review\",\"body\":null}",
			  NULL));
	/* C learns it through a batch; C and A then edit one field. */
	CHECK(ship_batch(a, &ka, c) == 4);
	CHECK_OK(put_json(c, "test_item", &item.id, "{\"title\":\"C\"}", NULL));
	CHECK_OK(put_json(a, "test_item", &item.id, "{\"title\":\"A\"}", NULL));
	CHECK(ship_batch(c, &kc, a) == 1);
	CHECK(!store_status(a, &sa, NULL) && sa.conflicted == 1);
	rc = store_resolve(a, &item.id, "title", v, NULL, NULL);
	json_decref(v);
	CHECK_OK(rc);
	CHECK_OK(store_delete(a, &gone.id, NULL));
	/* Everything A has (its own and C's), to B in one batch. */
	CHECK_OK(seal_log(a, 1, 0, &ka, &f, &env, &len, &jb));
	n = json_array_size(f.want);
	CHECK(n == 8 && sync_batch_count(f.b) == n && jb > len && f.first == 1);
	CHECK(sync_batch_first(f.b) == 1 && sync_batch_last(f.b) == f.last);
	k.want = f.want;
	CHECK(!sync_batch_open(env, len, ka.pk, sink_fn, &k, NULL) &&
	      k.calls == n && !k.differ && !k.failed && k.applied == n);
	CHECK(!store_list(a, NULL, 1, same_one, &same, NULL) &&
	      same.calls == 3 && same.differ == 0);
	CHECK(!store_status(a, &sa, NULL) && !store_status(b, &sb, NULL));
	CHECK(sa.records == 2 && sa.deleted == 1 && sa.changes == n &&
	      sa.conflicted == 0);
	CHECK(sb.records == 2 && sb.deleted == 1 && sb.changes == n &&
	      sb.conflicted == 0);
	/* The same envelope again: every change is known, nothing moves. */
	k = (struct sink){ .to = b };
	CHECK(!sync_batch_open(env, len, ka.pk, sink_fn, &k, NULL) &&
	      k.calls == n && k.known == n && k.applied == 0 && !k.failed);
	CHECK(!store_status(b, &sb, NULL) && sb.changes == n);
	free(env);
	filler_release(&f);
	store_close(a);
	store_close(b);
	store_close(c);
}

/* Envelope and payload are laid out as batch.h says (and the payload
 * wrapped by hand opens: fixture_init()); a callback's non-zero stops. */
static void test_batch_envelope_follows_documented_layout(void)
{
	json_int_t v, oseq, kind, node, op, hlc;
	const char *nodehex, *opname, *rec, *coll;
	json_t *changes, *row, *fields, *prev;
	char hex[2 * ID_BYTES + 1];
	struct sink k = { .stop_at = 2 };
	size_t i;

	CHECK(fixture_init());
	sodium_bin2hex(hex, sizeof(hex), store_node_id(fx.a)->b, ID_BYTES);
	CHECK(!memcmp(fx.env, "PRSB", 4) && fx.env[4] == 1 &&
	      !memcmp(fx.env + 5, store_node_id(fx.a)->b, ID_BYTES) &&
	      !crypto_sign_verify_detached(fx.env + fx.len - ENV_SIG, fx.env,
					   fx.len - ENV_SIG, fx.ka.pk));
	CHECK(!json_unpack(fx.doc, "{s:I,s:[s!],s:[s!],s:o!}", "v", &v,
			   "nodes", &nodehex, "ops", &opname, "changes",
			   &changes) &&
	      v == 1 && !strcmp(nodehex, hex) && !strcmp(opname, "op.ahmed"));
	json_array_foreach(changes, i, row)
		CHECK(!json_unpack(row, "[IssIIIIoo!]", &oseq, &rec, &coll,
				   &kind, &node, &op, &hlc, &fields, &prev) &&
		      oseq == (json_int_t)i + 1 && strlen(rec) == 32 &&
		      !strcmp(coll, "test_item") && node == 0 && op == 0 &&
		      kind == (i < 2 ? 1 : 2) && hlc > 0 &&
		      json_is_object(fields) && json_is_array(prev));
	k.want = fx.f.want;
	CHECK(sync_batch_open(fx.env, fx.len, fx.ka.pk, sink_fn, &k, NULL) ==
	      7 && k.calls == 2 && k.differ == 0);
	fixture_release();
}

/* No values: refused.  SYNC_BATCH_MAX_CHANGES changes: sealed and opened,
 * one more refused on either side.  JSON past SYNC_BATCH_MAX_INFLATED:
 * refused (ERR_INVALID) when sealing, not shipped to bounce. */
static void test_batch_limits_kept_on_both_sides(void)
{
	struct store *a = node_named("polo", "op.ahmed");
	const size_t body = 60000, copies = 600; /* about 36 MB of JSON */
	char *big = calloc(1, body + 1);
	uint8_t *env = NULL;
	size_t len = 0;
	json_t *doc;
	struct signer ka;
	struct filler f;
	struct sink k;
	struct err e;
	int rc;

	CHECK(a && big);
	crypto_sign_keypair(ka.pk, ka.sk);
	CHECK_OK(put_json(a, "test_item", NULL, "{\"title\":\"t\"}", NULL));
	CHECK_OK(seal_log(a, 0, 0, NULL, &f, NULL, NULL, NULL));
	CHECK(f.refused == ERR_INVALID && sync_batch_count(f.b) == 0 &&
	      sync_batch_first(f.b) == 0 && sync_batch_last(f.b) == 0);
	filler_release(&f);
	CHECK_OK(seal_log(a, 1, SYNC_BATCH_MAX_CHANGES + 1, &ka, &f, &env,
			  &len, NULL));
	CHECK(f.refused == ERR_INVALID &&
	      sync_batch_count(f.b) == SYNC_BATCH_MAX_CHANGES &&
	      sync_batch_first(f.b) == 1 && sync_batch_last(f.b) == 1);
	filler_release(&f);
	CHECK(!open_exact(env, len, ka.pk, &k, &e) &&
	      k.calls == SYNC_BATCH_MAX_CHANGES);
	/* One change more, validly signed: refused whole. */
	doc = unwrap(env, len);
	free(env);
	CHECK(doc);
	json_array_append(json_object_get(doc, "changes"),
			  json_array_get(json_object_get(doc, "changes"), 0));
	rc = open_payload(store_node_id(a), &ka, doc, 0, JSON_Z, &k, &e);
	json_decref(doc);
	CHECK(rc == ERR_INVALID && k.calls == 0);
	/* Too big to seal: 2 x 600 copies, one with a 60 KB body. */
	memset(big, 'x', body);
	doc = json_pack("{s:s,s:s}", "title", "big", "body", big);
	free(big);
	rc = doc ? store_put(a, "test_item", NULL, doc, NULL, NULL) : -1;
	json_decref(doc);
	CHECK_OK(rc);
	env = NULL;
	rc = seal_log(a, 1, copies, &ka, &f, &env, &len, NULL);
	CHECK(rc == ERR_INVALID && !env && f.refused == 0 &&
	      sync_batch_count(f.b) == 2 * copies);
	filler_release(&f);
	store_close(a);
}

/* Any byte flipped (past magic, version and length the signature decides
 * first: ERR_AUTH), cut or added: refused, nothing handed on.  Another
 * signer: ERR_AUTH.  The sender claimed is read unverified; garbage is not
 * an envelope. */
static void test_batch_open_refuses_altered_or_foreign_envelopes(void)
{
	static const uint8_t masks[] = { 0x01, 0x80, 0xff };
	uint8_t *bad = NULL, *forged = NULL, junk[300];
	size_t wrong = 0, flen = 0;
	struct id who, other;
	struct sink k;
	struct err e;
	int rc;

	CHECK(fixture_init());
	CHECK((bad = calloc(1, fx.len + 1)) != NULL);
	for (size_t i = 0; i < fx.len * sizeof(masks); i++) {
		size_t at = i / sizeof(masks);
		int shape = at < 5 || (at >= 5 + ID_BYTES && at < ENV_HEADER);

		memcpy(bad, fx.env, fx.len);
		bad[at] ^= masks[i % sizeof(masks)];
		rc = open_exact(bad, fx.len, fx.ka.pk, &k, &e);
		wrong += k.calls || (rc != ERR_AUTH &&
				     !(shape && rc == ERR_INVALID));
	}
	memcpy(bad, fx.env, fx.len);
	for (size_t n = 0; n <= fx.len + 1; n += 1 + (n + 1 == fx.len)) {
		rc = open_exact(bad, n, fx.ka.pk, &k, &e);
		wrong += k.calls || (rc != ERR_INVALID && rc != ERR_AUTH);
		wrong += n < ENV_HEADER &&
			 sync_batch_sender(bad, n, &who, NULL) != ERR_INVALID;
	}
	free(bad);
	CHECK(wrong == 0);
	CHECK(open_exact(fx.env, fx.len, fx.kx.pk, &k, &e) == ERR_AUTH &&
	      k.calls == 0 && e.code == ERR_AUTH);
	/* X's key in A's name; A's key in another's name. */
	id_generate(&other);
	rc = sync_batch_seal(fx.f.b, store_node_id(fx.a), fx.kx.sk, &forged,
			     &flen, NULL, NULL) ||
	     sync_batch_sender(forged, flen, &who, NULL) ||
	     id_cmp(&who, store_node_id(fx.a)) ||
	     open_exact(forged, flen, fx.ka.pk, &k, &e) != ERR_AUTH || k.calls;
	free(forged);
	CHECK(rc == 0);
	rc = sync_batch_seal(fx.f.b, &other, fx.ka.sk, &forged, &flen, NULL,
			     NULL) ||
	     sync_batch_sender(forged, flen, &who, NULL) ||
	     id_cmp(&who, &other);
	free(forged);
	CHECK(rc == 0);
	randombytes_buf(junk, sizeof(junk));
	rc = sync_batch_sender(junk, sizeof(junk), &who, NULL);
	CHECK(rc == ERR_INVALID &&
	      open_exact(junk, sizeof(junk), fx.ka.pk, &k, &e) == ERR_INVALID);
	memcpy(junk, "PRSB", 4);
	fx.env[4] = SYNC_BATCH_FORMAT_MAX + 1;
	rc = sync_batch_sender(junk, sizeof(junk), &who, NULL);
	CHECK(rc == ERR_INVALID &&
	      sync_batch_sender(fx.env, fx.len, &who, NULL) == ERR_INVALID &&
	      open_exact(fx.env, fx.len, fx.ka.pk, &k, &e) == ERR_INVALID);
	fixture_release();
}

/* Open in a child process: out = code, calls, milliseconds and the peak
 * memory added (KiB), which the test's earlier peaks cannot hide there. */
static void open_in_child(const uint8_t *env, size_t len, long out[4])
{
	const size_t n = 4 * sizeof(long);
	int fd[2] = { -1, -1 };
	pid_t pid = pipe(fd) ? -1 : (fflush(stdout), fork());

	memset(out, 0, n);
	if (pid == 0) {
		struct rusage r0, r1;
		struct timespec t0, t1;
		struct sink k = { 0 };

		getrusage(RUSAGE_SELF, &r0);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		out[0] = sync_batch_open(env, len, fx.ka.pk, sink_fn, &k, NULL);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		getrusage(RUSAGE_SELF, &r1);
		out[1] = (long)k.calls;
		out[2] = (long)(t1.tv_sec - t0.tv_sec) * 1000 +
			 (t1.tv_nsec - t0.tv_nsec) / 1000000;
		out[3] = r1.ru_maxrss - r0.ru_maxrss;
		_exit(write(fd[1], out, n) != (ssize_t)n);
	}
	close(fd[1]);
	if (pid < 0 || read(fd[0], out, n) != (ssize_t)n)
		out[0] = -1000; /* no answer */
	close(fd[0]);
	if (pid > 0)
		waitpid(pid, NULL, 0);
}

/* Not zlib, a preset dictionary, a flip (unless zlib takes it: padding
 * bits), a cut, trailing bytes: ERR_INVALID.  The payload padded with
 * spaces: SYNC_BATCH_MAX_INFLATED bytes open; one more, 40 or 256 MiB (40
 * or 250 KiB deflated) are refused at once, without inflating it all. */
static void test_batch_open_refuses_corrupt_or_oversized_zlib(void)
{
	static const size_t sizes[] = { SYNC_BATCH_MAX_INFLATED,
					SYNC_BATCH_MAX_INFLATED + 1, 40 * MIB,
					256 * MIB };
	static const uint8_t masks[] = { 0x01, 0x20, 0x80 };
	static const uint8_t dict[] = { 0x78, 0x20, 0, 0, 0, 1, 0x03, 0x00 };
	static uint8_t back[1 << 16];
	char *text = malloc(256 * MIB), *base = NULL;
	size_t n = 0, wrong = 0;
	uint8_t *z = NULL, *bad = NULL;
	uLongf zlen = 0, blen;

	CHECK(fixture_init());
	if ((base = json_dumps(fx.doc, JSON_COMPACT)) != NULL)
		n = strlen(base);
	zlen = compressBound((uLong)n);
	z = malloc(zlen);
	bad = malloc(zlen + 8);
	CHECK(text && base && z && bad && n < sizeof(back));
	CHECK(compress2(z, &zlen, (const Bytef *)base, (uLong)n, 9) == Z_OK);
	wrong += !refused("plain", 5, 0, 0, "raw");
	wrong += !refused(NULL, 0, 0, 0, "empty");
	wrong += !refused(dict, sizeof(dict), 0, 0, "dictionary");
	for (size_t i = 0; i < zlen * sizeof(masks); i++) {
		memcpy(bad, z, zlen);
		bad[i / sizeof(masks)] ^= masks[i % sizeof(masks)];
		blen = sizeof(back);
		if (uncompress(back, &blen, bad, zlen) != Z_OK)
			wrong += !refused(bad, zlen, 0, 0, "flipped");
	}
	for (size_t i = 0; i < zlen; i++)
		wrong += !refused(z, i, 0, 0, "cut");
	memcpy(bad, z, zlen);
	memcpy(bad + zlen, "trailing", 8);
	wrong += !refused(bad, zlen + 8, 0, 0, "trailing");
	memset(text, ' ', 256 * MIB);
	memcpy(text, base, n);
	for (size_t i = 0; i < NCASES(sizes); i++) {
		int over = sizes[i] > SYNC_BATCH_MAX_INFLATED;
		size_t len = 0;
		uint8_t *env = wrap(store_node_id(fx.a), fx.ka.sk, text,
				    sizes[i], 1, &len);
		long out[4];

		open_in_child(env, len, out);
		free(env);
		if (over)
			printf("(%zu MiB in %zu KiB: %ld ms, +%ld MiB) ",
			       sizes[i] >> 20, len >> 10, out[2], out[3] >> 10);
		wrong += !env || out[1] != (over ? 0 : (long)fx.n) ||
			 out[0] != (over ? ERR_INVALID : 0) ||
			 (over && (out[2] >= 5000 || out[3] >= 160 * 1024));
	}
	free(text);
	free(base);
	free(bad);
	free(z);
	fixture_release();
	CHECK(wrong == 0);
}

#define ROW "[3,\"0123456789abcdef0123456789abcdef\",\"test_item\",2,0,0,5,{}"
#define HEX31 "0123456789abcdef0123456789abcde"

/* Not JSON or an object, a wrong version, bad lists, one bad item in the
 * last change (the schema's checks included: else store_apply() takes the
 * changes before it): refused whole, quoting no value, naming the change. */
static void test_batch_open_refuses_malformed_payload_whole(void)
{
	static const char *const texts[] = {
		"", "hello", "{\"v\":1,", "{}}", "[1,2]", "\"b\"", "null", "42",
		"{}", "{\"nodes\":[],\"ops\":[],\"changes\":[]}",
	};
	static const char *const keys[][2] = {
		{ "v", "2" }, { "v", "0" }, { "v", "1.0" }, { "v", "\"1\"" },
		{ "v", "null" }, { "nodes", "\"x\"" }, { "nodes", "[5]" },
		{ "nodes", "[\"0123\"]" }, { "nodes", "[\"zz" HEX31 "\"]" },
		{ "ops", "{}" }, { "ops", "[5]" }, { "changes", "{}" },
		{ "changes", "null" },
	};
	static const char *const items[9][12] = {
		{ "0", "-1", "1.5", "\"3\"" }, /* origin sequence */
		{ "\"" HEX31 "\"", "\"" HEX31 "f0\"", "\"" HEX31 "g\"", "12",
		  "\"01234567-89ab-4def-8123-456789abcdef\"" }, /* record */
		{ "3", "\"Test Item\"", "\"no_such_coll\"" }, /* collection */
		{ "0", "5", "-2", "2.0" },             /* kind */
		{ "1", "-1", "\"0\"" },                /* node index */
		{ "1", "-1", "null" },                 /* operator index */
		{ "-5", "1e3", "\"7\"" },              /* hlc */
		{ "[]", "\"x\"", "null",               /* fields, schema */
		  "{\"title\":5,\"body\":\"" SECRET "\"}",
		  "{\"nope\":\"" SECRET "\"}", "{\"_deleted\":\"yes\"}",
		  "{\"body\":\"" SECRET "\",\"count\":\"x\"}",
		  "{\"body\":\"" SECRET "\",\"color\":\"x\"}",
		  "{\"body\":\"" SECRET "\",\"due\":\"2026-02-30\"}" },
		{ "{}", "[5]", "[[1,2]]", "[[1,2,0,0]]", "[[-1,2,0]]", /* prv */
		  "[[65536,2,0]]", "[[\"title\",2,0]]", "[[1,\"2\",0]]",
		  "[[1,2.5,0]]", "[[1,2,1]]", "[[1,2,-1]]" },
	};
	static const char *const rows[] = {
		"5", "[]", "null", "{}", "\"change\"", ROW "]", ROW ",[],null]",
	};
	size_t wrong = 0;

	CHECK(fixture_init());
	for (size_t i = 0; i < NCASES(texts); i++)
		wrong += !refuse_one(AT_TEXT, NULL, texts[i]);
	for (size_t i = 0; i < NCASES(keys); i++)
		wrong += !refuse_one(AT_KEY, keys[i][0], keys[i][1]);
	for (size_t i = 0; i < 9; i++)
		for (size_t j = 0; j < 12 && items[i][j]; j++)
			wrong += !refuse_one((int)i, NULL, items[i][j]);
	for (size_t i = 0; i < NCASES(rows); i++)
		wrong += !refuse_one(AT_ROW, NULL, rows[i]);
	fixture_release();
	CHECK(wrong == 0);
}

/* The first 1,000 creates of the synthetic workload, imported into a
 * store, read back from its log and sealed in one batch: at most
 * WIRE_TARGET bytes per record. */
static void test_batch_size_of_1000_workload_creates(void)
{
	char path[4300], cmd[9000], *file, *line, *nl;
	struct sink sk = { 0 };
	struct store *s;
	struct signer k;
	struct filler f;
	struct err e;
	uint8_t *env = NULL;
	size_t len = 0, jb = 0, n = 0, flen = 0;
	if (access(GEN_JS, R_OK) ||
	    system("command -v node >/dev/null 2>&1")) {
		printf("(skipped: node or %s missing) ", GEN_JS);
		return;
	}
	snprintf(path, sizeof(path), "%s/w.jsonl", test_tmpdir());
	snprintf(cmd, sizeof(cmd), "node %s --seed 42 --persons 200 "
		 "--updates 0 --out %s >/dev/null 2>&1", GEN_JS, path);
	CHECK(system(cmd) == 0);
	file = test_read_file(path, &flen);
	s = node_named("polo", "op.ahmed");
	CHECK(file && s);
	crypto_sign_keypair(k.pk, k.sk);
	err_init(&e);
	CHECK_OK(store_begin(s, &e));
	for (line = file; n < 1000 && line < file + flen; line = nl + 1, n++) {
		json_t *op, *id_text;
		struct id id;
		int rc;

		nl = strchr(line, '\n');
		nl = nl ? nl : file + flen;
		op = json_loadb(line, (size_t)(nl - line), 0, NULL);
		id_text = json_object_get(op, "id");
		rc = !json_is_string(id_text) ||
		     id_parse(&id, json_string_value(id_text)) ||
		     store_put(s, json_string_value(json_object_get(
					  op, "collection")),
			       &id, json_object_get(op, "fields"), NULL, &e);
		json_decref(op);
		CHECK(rc == 0);
	}
	free(file);
	CHECK(n == 1000 && !store_commit(s, &e));
	CHECK_OK(seal_log(s, 1, 0, &k, &f, &env, &len, &jb));
	sk.want = f.want;
	CHECK(!sync_batch_open(env, len, k.pk, sink_fn, &sk, NULL) &&
	      sk.calls == 1000 && sk.differ == 0);
	printf("(%zu bytes sealed, %zu of JSON: %.1f bytes/record) ", len, jb,
	       (double)len / 1000.0);
	CHECK(sync_batch_bytes(f.b) < jb && sync_batch_bytes(f.b) + 1000 > jb);
	CHECK((double)len / 1000.0 <= WIRE_TARGET);
	free(env);
	filler_release(&f);
	store_close(s);
}

TEST_MAIN(T(test_batch_round_trip_between_real_stores),
	  T(test_batch_envelope_follows_documented_layout),
	  T(test_batch_limits_kept_on_both_sides),
	  T(test_batch_open_refuses_altered_or_foreign_envelopes),
	  T(test_batch_open_refuses_corrupt_or_oversized_zlib),
	  T(test_batch_open_refuses_malformed_payload_whole),
	  T(test_batch_size_of_1000_workload_creates))
