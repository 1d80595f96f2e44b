/*
 * test_batch_bounds.c - sync/batch.h: the inflated text of a validly
 * signed batch is bounded before it is parsed.  Members the format does
 * not have are refused, however small; millions of zeros in a few
 * kilobytes of zlib (in an unknown member, in meta, in one change's
 * values) are refused at once, without the tree that took a gigabyte;
 * nesting, a change with more values than any record, a string longer
 * than any field are refused; and the largest change the schema allows,
 * every byte escaped, still opens.  The hub's answers the node parses
 * (hello, push, errors) are bounded the same way.
 * documented format (what any holder of a key can send).
 */
#include "sync/batch.h"
#include "sync/sync_int.h"
#include "tests/node/store_fixture.h"

#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#define ENV_HEADER (4 + 1 + ID_BYTES + 4) /* magic, version, sender, len */
#define ENV_SIG    crypto_sign_BYTES
#define HEX32      "0123456789abcdef0123456789abcdef"
#define HEX32B     "fedcba9876543210fedcba9876543210"
#define NCASES(a)  (sizeof(a) / sizeof((a)[0]))

/* A valid batch of one create, as text: members may go after its "{". */
#define MEMBERS "\"v\":1,\"nodes\":[\"" HEX32 "\"],\"ops\":[\"op.ahmed\"],"
#define HEAD "{" MEMBERS
#define CHANGE(fields) \
	"\"changes\":[[1,\"" HEX32B "\",\"test_item\",1,0,0,5," fields ",[]]]}"
#define BASE HEAD CHANGE("{\"title\":\"a\"}")

static uint8_t pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];

static int count_fn(void *ctx, const struct store_incoming *in)
{
	(void)in;
	(*(size_t *)ctx)++;
	return 0;
}

/* text deflated in an envelope signed with sk (malloc'd; *len). */
static uint8_t *wrap(const char *text, size_t n, size_t *len)
{
	uLongf zlen = compressBound((uLong)n);
	uint8_t *env = malloc(ENV_HEADER + zlen + ENV_SIG);
	struct id sender;

	if (!env || compress2(env + ENV_HEADER, &zlen, (const Bytef *)text,
			      (uLong)n, 9) != Z_OK) {
		free(env);
		return NULL;
	}
	memset(sender.b, 0x5a, ID_BYTES);
	memcpy(env, "PRSB", 4);
	env[4] = SYNC_BATCH_VERSION;
	memcpy(env + 5, sender.b, ID_BYTES);
	for (int i = 0; i < 4; i++)
		env[5 + ID_BYTES + i] = (uint8_t)(zlen >> (8 * i));
	crypto_sign_detached(env + ENV_HEADER + zlen, NULL, env,
			     ENV_HEADER + zlen, sk);
	*len = ENV_HEADER + zlen + ENV_SIG;
	return env;
}

/* Open text wrapped: the code, the changes handed on in *calls. */
static int open_text(const char *text, size_t n, size_t *calls,
		     struct err *e)
{
	size_t len = 0;
	uint8_t *env = wrap(text, n, &len);
	int rc = env ? sync_batch_open(env, len, pk, count_fn, calls, e)
		     : -1000;

	free(env);
	return rc;
}

/* text refused whole (ERR_INVALID, nothing handed on)?  Else a note. */
static int refused(const char *text, size_t n, const char *what)
{
	size_t calls = 0;
	struct err e;
	int rc;

	err_init(&e);
	rc = open_text(text, n, &calls, &e);
	if (rc == ERR_INVALID && calls == 0 && e.code == ERR_INVALID)
		return 1;
	printf("(%s: %d, %zu calls, \"%.80s\") ", what, rc, calls, e.msg);
	return 0;
}

/* Open env in a child process: out = code, calls, milliseconds and the
 * peak memory added (KiB), which this process's earlier peaks cannot
 * hide there. */
static void open_in_child(const uint8_t *env, size_t len, long out[4])
{
	const size_t n = 4 * sizeof(long);
	int fd[2] = { -1, -1 };
	pid_t pid = pipe(fd) ? -1 : (fflush(stdout), fork());

	memset(out, 0, n);
	if (pid == 0) {
		struct rusage r0, r1;
		struct timespec t0, t1;
		size_t calls = 0;

		getrusage(RUSAGE_SELF, &r0);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		out[0] = sync_batch_open(env, len, pk, count_fn, &calls, NULL);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		getrusage(RUSAGE_SELF, &r1);
		out[1] = (long)calls;
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

/* prefix, n zeros separated by commas, suffix: malloc'd text (*len). */
static char *zeros_text(const char *prefix, size_t n, const char *suffix,
			size_t *len)
{
	size_t a = strlen(prefix), b = strlen(suffix);
	char *t = malloc(a + 2 * n + b + 1);

	if (!t)
		return NULL;
	memcpy(t, prefix, a);
	for (size_t i = 0; i < n; i++) {
		t[a + 2 * i] = '0';
		t[a + 2 * i + 1] = ',';
	}
	memcpy(t + a + 2 * n - (n ? 1 : 0), suffix, b + 1);
	*len = a + 2 * n - (n ? 1 : 0) + b;
	return t;
}

/* The control: the base batch opens, one change handed on. */
static void test_batch_bounds_base_opens(void)
{
	size_t calls = 0;
	struct err e;

	crypto_sign_keypair(pk, sk);
	err_init(&e);
	CHECK(open_text(BASE, strlen(BASE), &calls, &e) == 0);
	CHECK(calls == 1);
}

/* Fifteen million zeros (30 MB of JSON, about 30 KB deflated) in a member
 * the format does not have, in meta, in the values of one change (a list
 * field): refused at once, in little memory; before, each took seconds
 * and some 600 MB to parse. */
static void test_batch_bounds_millions_of_values_refused_quickly(void)
{
	static const char *const where[][2] = {
		{ "{\"x\":[", "]," MEMBERS CHANGE("{\"title\":\"a\"}") },
		{ HEAD "\"meta\":{\"purge\":[", "]}," CHANGE("{}") },
		{ HEAD "\"changes\":[[1,\"" HEX32B "\",\"test_item\",1,0,0,5,"
		  "{\"title\":\"t\",\"tags\":[", "]},[]]]}" },
	};
	const size_t n = 15u * 1000 * 1000;
	size_t wrong = 0;

	crypto_sign_keypair(pk, sk);
	for (size_t i = 0; i < NCASES(where); i++) {
		size_t tlen = 0, elen = 0;
		char *text = zeros_text(where[i][0], n, where[i][1], &tlen);
		uint8_t *env = text ? wrap(text, tlen, &elen) : NULL;
		long out[4];

		open_in_child(env, elen, out);
		printf("(%zu MB in %zu KB: %ld ms, +%ld MiB) ", tlen / 1000000,
		       elen / 1000, out[2], out[3] >> 10);
		wrong += !env || out[0] != ERR_INVALID || out[1] != 0 ||
			 out[2] >= 5000 || out[3] >= 128 * 1024;
		free(env);
		free(text);
	}
	CHECK(wrong == 0);
}

/* A member the format does not have is refused, however small; so are
 * nesting deeper than the format's, one change with more values than any
 * record of the schema holds, a string longer than any field's. */
static void test_batch_bounds_unknown_members_and_excess_refused(void)
{
	static const char *const small[] = {
		"{\"x\":1," MEMBERS CHANGE("{\"title\":\"a\"}"),
		"{\"extra\":{\"a\":[]}," MEMBERS CHANGE("{\"title\":\"a\"}"),
		HEAD CHANGE("{\"title\":\"t\","
			    "\"tags\":[[[[[[[[[\"a\"]]]]]]]]]}"),
	};
	size_t wrong = 0, len = 0, cap = 100000 * 16 + 1024;
	char *text = malloc(cap);

	crypto_sign_keypair(pk, sk);
	CHECK(text != NULL);
	for (size_t i = 0; i < NCASES(small); i++)
		wrong += !refused(small[i], strlen(small[i]), small[i]);
	/* 100,000 fields in one change: far more values than any record. */
	len = (size_t)snprintf(text, cap, "%s", HEAD "\"changes\":[[1,\""
				HEX32B "\",\"test_item\",1,0,0,5,{\"title\":"
				"\"t\"");
	for (int i = 0; i < 100000; i++)
		len += (size_t)snprintf(text + len, cap - len, ",\"k%d\":0", i);
	len += (size_t)snprintf(text + len, cap - len, "},[]]]}");
	wrong += !refused(text, len, "100,000 fields");
	/* A title of 500,000 bytes: longer than any field, escaped or not. */
	len = (size_t)snprintf(text, cap, "%s",
			       HEAD "\"changes\":[[1,\"" HEX32B "\","
			       "\"test_item\",1,0,0,5,{\"title\":\"");
	memset(text + len, 'a', 500000);
	len += 500000;
	len += (size_t)snprintf(text + len, cap - len, "\"},[]]]}");
	wrong += !refused(text, len, "a long title");
	free(text);
	CHECK(wrong == 0);
}

/* n changes of test_item, each with its "seen" (malloc'd text, *len),
 * meta members extra (may be "") before "seen". */
static char *changes_text(size_t n, const char *extra, size_t *len)
{
	size_t cap = 256 + strlen(extra) + n * 96, at;
	char *t = malloc(cap);

	if (!t)
		return NULL;
	at = (size_t)snprintf(t, cap, "%s\"meta\":{%s\"seen\":[", HEAD,
			      extra);
	for (size_t i = 0; i < n; i++)
		at += (size_t)snprintf(t + at, cap - at, "%s%zu",
				       i ? "," : "", i);
	at += (size_t)snprintf(t + at, cap - at, "]},\"changes\":[");
	for (size_t i = 0; i < n; i++)
		at += (size_t)snprintf(t + at, cap - at,
				       "%s[1,\"%08zx%s\",\"test_item\",1,0,"
				       "0,5,{\"title\":\"a\"},[]]",
				       i ? "," : "", i, HEX32B + 8);
	at += (size_t)snprintf(t + at, cap - at, "]}");
	*len = at;
	return t;
}

/* Meta holds only what push and pull carry, and the values of a batch
 * follow from its changes: half a million zeros in meta (in a member it
 * does not have, or in "seen" beside one change) are refused before any
 * tree is built, where they took tens of MB; what a real push or pull
 * carries (every change with its "seen"; a page of purges and no
 * change) still opens. */
static void test_batch_bounds_meta_bounded_by_changes(void)
{
	static const char *const where[][2] = {
		{ HEAD "\"meta\":{\"x\":[", "]}," CHANGE("{\"title\":\"a\"}") },
		{ HEAD "\"meta\":{\"seen\":[", "]}," CHANGE("{\"title\":\"a\"}") },
	};
	const char *unknown = HEAD "\"meta\":{\"x\":1}," CHANGE("{}");
	size_t wrong = 0, calls = 0, len = 0, at;
	char *text;
	struct err e;

	crypto_sign_keypair(pk, sk);
	for (size_t i = 0; i < NCASES(where); i++) {
		size_t tlen = 0, elen = 0;
		char *t = zeros_text(where[i][0], 500000, where[i][1], &tlen);
		uint8_t *env = t ? wrap(t, tlen, &elen) : NULL;
		long out[4];

		open_in_child(env, elen, out);
		printf("(%ld: +%ld MiB) ", out[0], out[3] >> 10);
		wrong += !env || out[0] != ERR_INVALID || out[1] != 0 ||
			 out[3] >= 8 * 1024;
		free(env);
		free(t);
	}
	CHECK(wrong == 0);
	CHECK(refused(unknown, strlen(unknown), "unknown meta member"));
	/* A push of 2,000 changes, each with its "seen", and a pull's meta. */
	err_init(&e);
	text = changes_text(2000, "\"cursor\":7,\"more\":true,"
			    "\"rebootstrap\":false,\"purge\":[[0,\"" HEX32
			    "\"]],", &len);
	CHECK(text && open_text(text, len, &calls, &e) == 0);
	CHECK(calls == 2000);
	free(text);
	/* A pull page of 4,000 purges and no change. */
	text = malloc(4000 * 48 + 256);
	CHECK(text != NULL);
	at = (size_t)snprintf(text, 256, "%s\"meta\":{\"cursor\":9,"
			      "\"more\":false,\"purge\":[", HEAD);
	for (size_t i = 0; i < 4000; i++)
		at += (size_t)snprintf(text + at, 48, "%s[0,\"" HEX32 "\"]",
				       i ? "," : "");
	at += (size_t)snprintf(text + at, 64, "]},\"changes\":[]}");
	calls = 0;
	CHECK(open_text(text, at, &calls, &e) == 0 && calls == 0);
	free(text);
}

struct seal {
	struct sync_batch *b;
	int rc;
};

static int add_one(void *ctx, const struct store_change *c)
{
	struct seal *x = ctx;

	x->rc = x->rc ? x->rc : sync_batch_add(x->b, c);
	return 0;
}

/* The largest values a record may hold, each byte escaped on the wire
 * (control characters: six bytes each), from a real store's log, still
 * open: the bounds are the schema's, not a guess below them. */
static void test_batch_bounds_largest_change_still_opens(void)
{
	struct store *a = fixture_node("polo", STORE_ROLE_NODE, "op.ahmed");
	json_t *fields = json_object(), *tags = json_array();
	char *body = malloc(65536 + 1), *tag = malloc(1024 + 1);
	struct seal x = { NULL, 0 };
	uint8_t *env = NULL;
	size_t len = 0, jb = 0, calls = 0;
	int rc = -1;

	crypto_sign_keypair(pk, sk);
	CHECK(a && fields && tags && body && tag);
	memset(body, 0x01, 65536);
	body[65536] = '\0';
	memset(tag, 0x02, 1024);
	tag[1024] = '\0';
	for (int i = 0; i < 64; i++)
		json_array_append_new(tags, json_string(tag));
	json_object_set_new(fields, "title", json_string(tag));
	json_object_set_new(fields, "body", json_string(body));
	json_object_set_new(fields, "tags", tags);
	json_object_set_new(fields, "marks", json_pack("[ssss]", "urgent",
						       "checked", "shared",
						       "archived"));
	if (!store_put(a, "test_item", NULL, fields, NULL, NULL) &&
	    !sync_batch_new(&x.b) &&
	    !store_log(a, 0, 0, 1, add_one, &x, NULL) && !x.rc &&
	    !sync_batch_seal(x.b, store_node_id(a), sk, &env, &len, &jb,
			     NULL))
		rc = sync_batch_open(env, len, pk, count_fn, &calls, NULL);
	printf("(%zu bytes of JSON) ", jb);
	free(env);
	free(body);
	free(tag);
	sync_batch_free(x.b);
	json_decref(fields);
	store_close(a);
	CHECK(rc == 0 && calls == 1);
	CHECK(jb > 6 * 65536 + 64 * 6 * 1024);
}

/* An answer of the hub holding millions of values, or nested deeply, is
 * refused before it is parsed; a push answer of a full batch is not. */
static void test_batch_bounds_hub_answers_bounded(void)
{
	size_t len = 0, n = SYNC_BATCH_MAX_CHANGES;
	char *text = zeros_text("{\"ack\":1,\"x\":[", 2000000, "]}", &len);
	char *refusals = malloc(n * 64 + 64);
	json_t *doc;

	CHECK(text && refusals);
	CHECK(sync_json_load((const uint8_t *)text, len) == NULL);
	CHECK(sync_json_load((const uint8_t *)"[[[[[[[[[[1]]]]]]]]]]", 21) ==
	      NULL);
	len = (size_t)snprintf(refusals, 64, "{\"ack\":%zu,\"refused\":[", n);
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(refusals + len, 64,
					"%s{\"oseq\":%zu,\"reason\":\"scope\"}",
					i ? "," : "", i + 1);
	len += (size_t)snprintf(refusals + len, 64, "]}");
	doc = sync_json_load((const uint8_t *)refusals, len);
	free(text);
	free(refusals);
	CHECK(json_array_size(json_object_get(doc, "refused")) == n);
	json_decref(doc);
}

TEST_MAIN(T(test_batch_bounds_base_opens),
	  T(test_batch_bounds_hub_answers_bounded),
	  T(test_batch_bounds_millions_of_values_refused_quickly),
	  T(test_batch_bounds_unknown_members_and_excess_refused),
	  T(test_batch_bounds_largest_change_still_opens),
	  T(test_batch_bounds_meta_bounded_by_changes))
