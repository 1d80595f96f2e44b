/*
 * gen_corpus.c - writes the fuzz targets' seed corpora (make fuzz-corpus;
 * the files are committed, this is run again only when the formats
 * change): real batches made by the real encoder from a real store's
 * change log, as the JSON inside the envelope (what fuzz_envelope.h
 * deflates and signs) plus one whole envelope signed with the test key;
 * the same batches with a pull's meta for fuzz_pull; version sets of
 * those changes and a few made by hand, encoded, for fuzz_version.
 *
 *   gen_corpus OUT_DIR    (writes OUT_DIR/{batch,pull,version}/seed-*)
 */
#include <stdio.h>
#include <sys/stat.h>

#include "conflict/version.h"
#include "tests/fuzz/fuzz_envelope.h"
#include "tests/node/store_fixture.h"

static const char *out_dir;
static int failed;

static void save(const char *kind, const char *name, const void *p, size_t n)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", out_dir, kind);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/%s", out_dir, kind, name);
	f = fopen(path, "wb");
	if (!f || fwrite(p, 1, n, f) != n) {
		perror(path);
		failed = 1;
	}
	if (f)
		fclose(f);
}

/* The batch's payload, inflated: its JSON, or FUZZ_COLUMNS and its
 * columns (fuzz_envelope.h). */
static void save_json(const char *kind, const char *name, const uint8_t *env,
		      size_t len)
{
	uLongf n = 1 << 20;
	uint8_t *text = malloc(n + 1);
	size_t at = env[4] == 2 ? 1 : 0;

	if (!text || uncompress(text + at, &n, env + FUZZ_ENV_HEADER,
				(uLong)(len - FUZZ_ENV_HEADER -
					crypto_sign_BYTES)) != Z_OK) {
		fprintf(stderr, "cannot inflate %s\n", name);
		failed = 1;
	} else {
		text[0] = at ? FUZZ_COLUMNS : text[0];
		save(kind, name, text, n + at);
	}
	free(text);
}

struct gen {
	struct sync_batch *all, *one, *cols; /* cols: all in format 2 */
	unsigned nver;
};

static void save_versions(struct gen *g, const struct version_set *s)
{
	uint8_t buf[8192];
	char name[32];
	size_t n;

	if (g->nver >= 6 || version_set_encoded_max(s) > sizeof(buf))
		return;
	n = version_set_encode(s, buf);
	snprintf(name, sizeof(name), "seed-log-%u", g->nver++);
	save("version", name, buf, n);
}

static int each(void *ctx, const struct store_change *c)
{
	struct gen *g = ctx;
	int rc = sync_batch_add(g->all, c);

	if (!rc)
		rc = sync_batch_add(g->cols, c);
	if (!rc && sync_batch_count(g->one) == 0 && c->prev.n)
		rc = sync_batch_add(g->one, c);
	save_versions(g, &c->vers);
	if (c->prev.n)
		save_versions(g, &c->prev);
	return rc;
}

/* Seal b (with meta when not NULL), save its JSON as kind/name. */
static void seal_save(struct sync_batch *b, json_t *meta, const char *kind,
		      const char *name, int whole)
{
	uint8_t *env = NULL;
	size_t len = 0;

	if ((meta && sync_batch_set_meta(b, meta)) ||
	    sync_batch_seal(b, &fuzz_sender, fuzz_sk, &env, &len, NULL,
			    NULL)) {
		fprintf(stderr, "cannot seal %s\n", name);
		failed = 1;
		return;
	}
	save_json(kind, name, env, len);
	if (whole) {
		char wname[64];

		snprintf(wname, sizeof(wname), "%s-envelope", name);
		save(kind, wname, env, len);
	}
	sync_batch_env_free(env, len);
}

static void hand_versions(void)
{
	struct version_set s;
	struct version a = { 0x0001900000000000ull, 1 }, b = { 0x00019000000a0003ull, 2 };
	uint8_t buf[512];

	version_set_init(&s);
	save("version", "seed-empty", buf, version_set_encode(&s, buf));
	if (version_set_put(&s, 0, a) || version_set_put(&s, 3, a) ||
	    version_set_put(&s, 7, b))
		failed = 1;
	save("version", "seed-two", buf, version_set_encode(&s, buf));
	if (version_set_add(&s, 3, b))
		failed = 1;
	save("version", "seed-repeat", buf, version_set_encode(&s, buf));
	version_set_release(&s);
}

int main(int argc, char **argv)
{
	struct gen g = { NULL, NULL, NULL, 0 };
	struct store *s;
	struct store_put_result p, c, sv;
	char text[512], hex[ID_TEXT_LEN + 1];
	struct sync_batch *empty = NULL;

	if (argc != 2) {
		fprintf(stderr, "usage: gen_corpus OUT_DIR\n");
		return 2;
	}
	out_dir = argv[1];
	fuzz_keys();
	s = fixture_node("gen", STORE_ROLE_NODE, "m.rossi");
	if (!s || sync_batch_new(&g.all) || sync_batch_new(&g.one) ||
	    sync_batch_new(&g.cols) || sync_batch_set_format(g.cols, 2) ||
	    sync_batch_new(&empty))
		return 1;
	/* A person, a case for them, a service, edits, a deletion. */
	if (put_json(s, "person", NULL,
		     "{\"given_name\":\"Amina\",\"family_name\":\"Diallo\","
		     "\"phone\":\"+39 333 1234567\"}", &p))
		return 1;
	id_format(&p.id, hex);
	snprintf(text, sizeof(text),
		 "{\"person_id\":\"%s\",\"region\":\"Puglia\",\"stage\":"
		 "\"intake\",\"nodes\":[\"polo-a\"]}", hex);
	if (put_json(s, "case", NULL, text, &c))
		return 1;
	id_format(&c.id, hex);
	snprintf(text, sizeof(text),
		 "{\"case_id\":\"%s\",\"service_type\":\"legal_advice\","
		 "\"date\":\"2026-11-20\",\"note\":\"primo colloquio\"}", hex);
	if (put_json(s, "service", NULL, text, &sv) ||
	    put_json(s, "case", &c.id, "{\"priority\":\"high\"}", NULL) ||
	    put_json(s, "person", &p.id, "{\"notes\":\"vive a Borgo\"}",
		     NULL) ||
	    store_delete(s, &sv.id, NULL))
		return 1;
	if (store_log_own(s, 0, 0, STORE_VALUES_PARSED, each, &g, NULL))
		return 1;
	seal_save(g.all, NULL, "batch", "seed-log", 1);
	seal_save(g.one, NULL, "batch", "seed-one", 0);
	seal_save(g.cols, NULL, "batch", "seed-cols", 1);
	seal_save(empty, NULL, "batch", "seed-empty", 0);
	/* Pull pages: a cursor, more to come, a purge before change 1. */
	id_format(&c.id, hex);
	seal_save(g.all,
		  json_pack("{s:I,s:b,s:[[i,s]]}", "cursor", (json_int_t)6,
			    "more", 1, "purge", 1, hex),
		  "pull", "seed-page", 1);
	seal_save(g.cols,
		  json_pack("{s:I,s:b,s:[[i,s]]}", "cursor", (json_int_t)6,
			    "more", 1, "purge", 1, hex),
		  "pull", "seed-cols-page", 1);
	seal_save(g.one,
		  json_pack("{s:I,s:b,s:[]}", "cursor", (json_int_t)2000,
			    "more", 0, "purge"),
		  "pull", "seed-last", 0);
	seal_save(empty,
		  json_pack("{s:I,s:b,s:[],s:b}", "cursor", (json_int_t)0,
			    "more", 0, "purge", "rebootstrap", 1),
		  "pull", "seed-rebootstrap", 0);
	hand_versions();
	sync_batch_free(g.all);
	sync_batch_free(g.one);
	sync_batch_free(g.cols);
	sync_batch_free(empty);
	store_close(s);
	test_rmtree(test_tmpdir());
	return failed;
}
