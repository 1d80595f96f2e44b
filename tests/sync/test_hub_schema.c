/*
 * test_hub_schema.c - schema versions at enroll and hello (sync/hub.h,
 * sync/README.md "Schema versions"): the hub serves a node of its own
 * version with its own declarations, or one version behind from version
 * 2 with that version's released declarations; it refuses a newer node
 * (upgrade the hub first), one further behind, one of its version with
 * other declarations, and the landed release (version 1, also when it
 * sends no version: upgrade the node); the registry records what each
 * node runs.
 */
#include "tests/sync/hub_world.h"

#include "tests/schema/collections.h"

/* Header lines for one hello: the signature's, then `extra` if any. */
struct hello_lines {
	lines_t sig;
	const char *extra;
};

static int hello_sign(void *ctx, const char *method, const char *path,
		      const uint8_t *body, size_t len,
		      struct client_headers *h, struct err *e)
{
	const struct hello_lines *l = ctx;
	int rc = 0;

	(void)method, (void)path, (void)body, (void)len, (void)e;
	for (int i = 0; !rc && i < SYNC_AUTH_HEADERS; i++)
		rc = client_header_add(h, l->sig[i]);
	if (!rc && l->extra)
		rc = client_header_add(h, l->extra);
	return rc;
}

/* A hello of node s carrying `extra` (a header line, or NULL): its
 * status; its JSON body in w.doc, its error code in w.code. */
static long hello_with(struct store *s, const char *extra)
{
	struct hello_lines l = { .extra = extra };
	struct client_config cfg;
	struct client_response r;
	struct client *c = NULL;
	const char *code;
	long status = -1;

	json_decref(w.doc);
	w.doc = NULL;
	w.code[0] = '\0';
	if (sign_as(s, 0, "GET", "/v1/hello", NULL, 0, l.sig))
		return -2;
	client_config_init(&cfg);
	cfg.base_url = w.url;
	cfg.allow_plain = 1;
	cfg.retries = 0;
	cfg.sign = hello_sign;
	cfg.sign_ctx = &l;
	client_response_init(&r);
	if (client_new(&c, &cfg, NULL) == 0 &&
	    client_request(c, "GET", "/v1/hello", NULL, 0, NULL, &r,
			   NULL) == 0) {
		status = r.status;
		w.doc = json_loadb((const char *)r.body, r.len, 0, NULL);
		code = json_string_value(json_object_get(
		    json_object_get(w.doc, "error"), "code"));
		snprintf(w.code, sizeof(w.code), "%s", code ? code : "");
	}
	client_response_release(&r);
	client_free(c);
	return status;
}

static const char *schema_line(int version, const char *fp)
{
	static char line[4][128];
	static int next;

	next = (next + 1) % 4;
	snprintf(line[next], sizeof(line[next]), "%s: %d %s",
		 HUB_SCHEMA_HEADER, version, fp);
	return line[next];
}

static int recorded(int i)
{
	struct registry_peer p;

	if (registry_peer_by_name(w.hub, peers[i].name, &p, NULL))
		return -1;
	return p.schema_version;
}

static const char *message(void)
{
	const char *m = json_string_value(json_object_get(
	    json_object_get(w.doc, "error"), "message"));

	return m ? m : "";
}

/* The rule itself, as both sides apply it. */
static void test_compatible(void)
{
	const char *fa = "00000000000000000000000000000000";
	const char *fb = "11111111111111111111111111111111";
	char mine[33], other[33];
	int v = schema_running_version();
	struct err e;

	err_init(&e);
	hub_schema_fingerprint(mine);
	CHECK_OK(hub_schema_compatible(2, fa, 2, fa, &e));
	CHECK_OK(hub_schema_compatible(2, NULL, 2, fa, &e));
	/* One behind: the landed release keeps no undeclared field. */
	CHECK(hub_schema_compatible(1, fb, 2, fa, &e) == ERR_CONFLICT);
	CHECK(strstr(e.msg, "upgrade the node") != NULL);
	CHECK(hub_schema_compatible(1, NULL, 2, fa, &e) == ERR_CONFLICT);
	/* From version 2, one behind only as that version was released. */
	CHECK(hub_schema_released(v, mine) == 1);
	CHECK(hub_schema_released(1, other) == 0);
	CHECK_OK(hub_schema_compatible(v, mine, v + 1, fa, &e));
	CHECK(hub_schema_compatible(v, fb, v + 1, fa, &e) == ERR_CONFLICT);
	CHECK(strstr(e.msg, "as released") != NULL);
	CHECK(hub_schema_compatible(2, fb, 2, fa, &e) == ERR_CONFLICT);
	CHECK(strstr(e.msg, "same Presidio version") != NULL);
	CHECK(hub_schema_compatible(3, fa, 2, fa, &e) == ERR_CONFLICT);
	CHECK(strstr(e.msg, "upgrade the hub first") != NULL);
	/* A node whose hub is the landed release (no version: 1). */
	CHECK(hub_schema_compatible(2, fa, 1, fa, &e) == ERR_CONFLICT);
	CHECK(strstr(e.msg, "upgrade the hub first") != NULL);
	CHECK(hub_schema_compatible(1, fa, 3, fa, &e) == ERR_CONFLICT);
	CHECK(strstr(e.msg, "upgrade the node") != NULL);
}

WORLD_TEST(test_hello_versions)
{
	int v = schema_running_version();
	struct registry_peer p;
	char fp[33];

	hub_schema_fingerprint(fp);
	/* Enrolled by this build: its version, and a round says it again. */
	CHECK(recorded(A) == v);
	CHECK(round_of(A) == 0);
	CHECK(recorded(A) == v);
	/* The answer names the hub's version. */
	CHECK(hello_with(w.n[A], schema_line(v, fp)) == 200);
	CHECK(json_integer_value(json_object_get(w.doc, "schema_version")) ==
	      v);
	/* One version behind: the landed release (with a version or
	 * without) is told to upgrade, nothing recorded. */
	CHECK(hello_with(w.n[A], schema_line(v - 1, "0123456789abcdef0123"
						    "456789abcdef")) == 409);
	CHECK(strcmp(w.code, "schema") == 0);
	CHECK(strstr(message(), "upgrade the node") != NULL);
	CHECK(recorded(A) == v);
	CHECK(hello_with(w.n[B], NULL) == 409);
	CHECK(strstr(message(), "upgrade the node") != NULL);
	CHECK(recorded(B) == v);
	/* What a node says is recorded, lower too (a node put back on an
	 * older release). */
	CHECK_OK(registry_peer_by_name(w.hub, peers[SIC].name, &p, NULL));
	CHECK_OK(registry_peer_schema(w.hub, p.idx, v + 1, NULL));
	CHECK(recorded(SIC) == v + 1);
	CHECK_OK(registry_peer_schema(w.hub, p.idx, v, NULL));
	CHECK(recorded(SIC) == v);
	/* Newer than the hub: refused, nothing recorded. */
	CHECK(hello_with(w.n[SIC], schema_line(v + 1, fp)) == 409);
	CHECK(strcmp(w.code, "schema") == 0);
	CHECK(strstr(message(), "upgrade the hub first") != NULL);
	CHECK(recorded(SIC) == v);
	/* Two behind (test_compatible when there is no version 0); the
	 * same version with other declarations. */
	if (v > 2) {
		CHECK(hello_with(w.n[SIC], schema_line(v - 2, fp)) == 409);
		CHECK(strstr(message(), "upgrade the node") != NULL);
	}
	CHECK(hello_with(w.n[SIC], schema_line(v, "0123456789abcdef0123"
						      "456789abcdef")) == 409);
	CHECK(strstr(message(), "same Presidio version") != NULL);
	/* Malformed. */
	CHECK(hello_with(w.n[SIC], HUB_SCHEMA_HEADER ": x") == 400);
	CHECK(hello_with(w.n[SIC], schema_line(v, "abc")) == 400);
	CHECK(recorded(SIC) == v);
	CHECK(alive(SIC));
}

/* An enroll body for node s with token, of schema version v (0: none, as
 * the landed release sent). */
static char *enroll_v(struct store *s, const char *token, int v)
{
	struct sync_identity ident;
	char pk[2 * crypto_sign_PUBLICKEYBYTES + 1], id[2 * ID_BYTES + 1];
	char fp[33], *text = NULL;
	json_t *doc;

	if (sync_identity_load(s, 1, &ident, NULL))
		return NULL;
	sodium_bin2hex(pk, sizeof(pk), ident.pk, sizeof(ident.pk));
	sync_identity_release(&ident);
	sodium_bin2hex(id, sizeof(id), store_node_id(s)->b, ID_BYTES);
	hub_schema_fingerprint(fp);
	doc = json_pack("{ssssssssss}", "token", token, "node_id", id, "pk",
			pk, "name", store_node_name(s), "schema", fp);
	if (doc && v)
		json_object_set_new(doc, "schema_version", json_integer(v));
	if (doc)
		text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	return keep(text);
}

WORLD_TEST(test_enroll_versions)
{
	char t1[REGISTRY_TOKEN_LEN + 1], t2[REGISTRY_TOKEN_LEN + 1];
	struct store *x = w.more = open_node("newcomer", STORE_ROLE_NODE);
	int v = schema_running_version();
	struct registry_peer p;
	char *body;

	CHECK(x != NULL);
	CHECK_OK(registry_peer_add(w.hub, "newer", "polo", "Puglia", 3600, t1,
				   NULL));
	CHECK_OK(registry_peer_add(w.hub, "older", "polo", "Puglia", 3600, t2,
				   NULL));
	CHECK((body = enroll_v(x, t1, v + 1)) != NULL);
	CHECK(xfer(NULL, "POST", "/v1/enroll", body, strlen(body)) == 409);
	CHECK(strcmp(w.code, "schema") == 0);
	CHECK_OK(registry_peer_by_name(w.hub, "newer", &p, NULL));
	CHECK(!p.enrolled);
	/* The landed release's enrollment (no version): version 1, which
	 * cannot keep what a newer hub sends: told to upgrade the node. */
	CHECK((body = enroll_v(x, t2, 0)) != NULL);
	CHECK(xfer(NULL, "POST", "/v1/enroll", body, strlen(body)) == 409);
	CHECK(strcmp(w.code, "schema") == 0);
	CHECK_OK(registry_peer_by_name(w.hub, "older", &p, NULL));
	CHECK(!p.enrolled);
}

/* A node's change with a field the hub's version does not declare. */
static int add_undeclared(void *ctx, const struct store_change *c)
{
	struct store_change x = *c;
	json_t *f = json_copy(c->fields);
	int rc;

	if (!f || json_object_set_new(f, "not_declared", json_string("v")))
		return -1;
	x.fields = f;
	rc = sync_batch_add(ctx, &x);
	json_decref(f);
	return rc;
}

/*
 * The hub runs the newest version: a push carrying a field it does not
 * declare is refused whole, even from a batch whose meta claims a newer
 * version (the lenient decoding is for the node's side).
 */
WORLD_TEST(test_push_checked_strictly)
{
	struct sync_identity ident = { .sk = NULL };
	struct sync_batch *b = NULL;
	uint8_t *env = NULL;
	uint64_t before;
	size_t len = 0;

	CHECK(put_json(w.n[A], "person", NULL, PERSON, NULL) == 0);
	CHECK_OK(sync_identity_load(w.n[A], 1, &ident, NULL));
	CHECK_OK(sync_batch_new(&b));
	CHECK_OK(store_log_own(w.n[A], 0, 0, STORE_VALUES_PARSED,
			       add_undeclared, b, NULL));
	CHECK_OK(sync_batch_set_meta(b, json_pack("{si}", "schema_version",
						  99)));
	CHECK_OK(sync_batch_seal(b, store_node_id(w.n[A]), ident.sk, &env,
				 &len, NULL, NULL));
	sync_batch_free(b);
	sync_identity_release(&ident);
	keep(env);
	before = changes();
	CHECK(env && req(w.n[A], "POST", "/v1/push", env, len) == 400);
	CHECK(changes() == before);
	/* Its real change goes through. */
	CHECK(round_of(A) == 0);
	CHECK(changes() == before + 1);
}

static int count_in(void *ctx, const struct store_incoming *in)
{
	(void)in;
	(*(size_t *)ctx)++;
	return 0;
}

/* The "schema_version" of a pull of node i's scope: -1 when the batch
 * has none, -2 when the pull failed. */
static long pull_schema(int i)
{
	struct store_remote rem;
	json_t *meta = NULL;
	size_t n = 0;
	long v = -2;

	if (store_remote_get(w.n[i], &rem, NULL) ||
	    req(w.n[i], "GET", "/v1/pull?after=0&limit=10&ack=0", NULL, 0) !=
		    200 ||
	    sync_batch_open_meta(w.raw, w.nraw, rem.hub_pk, &meta, count_in,
				 &n, NULL))
		return v;
	v = json_is_integer(json_object_get(meta, "schema_version"))
		    ? (long)json_integer_value(json_object_get(
			      meta, "schema_version"))
		    : -1;
	json_decref(meta);
	return v;
}

/*
 * A hub one version ahead tells a node one behind (from version 2) the
 * version of its batches, so that the node keeps what it does not
 * declare; a node of its version, and one of the landed release (which
 * knows no such member), are told nothing.
 */
WORLD_TEST(test_pull_meta_version)
{
	const struct schema_set released[3] = { schema_product,
						test_schema_set,
						test_rules_set };
	int v = schema_running_version();
	char fp[33];

	hub_schema_fingerprint(fp);
	CHECK(put_json(w.n[A], "person", NULL, PERSON, NULL) == 0);
	CHECK(round_of(A) == 0);
	CHECK(pull_schema(A) == -1);
	/* The hub on the next version (this process: the nodes too, but
	 * they speak through hello_with() here). */
	schema_set_version(v + 1);
	/* Without the declarations of version v as released, the hub
	 * serves no node of it. */
	CHECK(hello_with(w.n[A], schema_line(v, fp)) == 409);
	CHECK(strstr(message(), "as released") != NULL);
	schema_set_previous(released, 3);
	CHECK(hello_with(w.n[A], schema_line(v, fp)) == 200);
	CHECK(pull_schema(A) == v + 1);
	/* Version v with other declarations: refused. */
	CHECK(hello_with(w.n[SIC], schema_line(v, "0123456789abcdef0123"
						    "456789abcdef")) == 409);
	CHECK(strstr(message(), "as released") != NULL);
	CHECK(hello_with(w.n[B], schema_line(v + 1, fp)) == 200);
	CHECK(pull_schema(B) == -1);
	schema_set_previous(NULL, 0);
	schema_set_version(0);
	CHECK(schema_running_version() == v);
	/* The landed release: version 1, refused (test_hello_versions). */
	CHECK(hello_with(w.n[B], NULL) == 409);
}

TEST_MAIN(T(test_compatible), T(test_hello_versions),
	  T(test_enroll_versions), T(test_push_checked_strictly),
	  T(test_pull_meta_version))
