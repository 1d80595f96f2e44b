/*
 * test_store_v10.c - a store made by the landed release (store schema 10,
 * product schema version 1: tests/fixtures/store_v10, see
 * tests/fixtures/README) opens with the current code and migrates in
 * place: every migration applied (0011's table kin, the
 * peer's schema version), and every record, value, history entry, open
 * conflict and operator as the landed release left them; verify passes,
 * and the store takes new writes.
 */
#include "tests/node/store_fixture.h"

static int verify_ok(struct store *s)
{
	struct err e;
	uint64_t bad = 0;
	int rc;

	err_init(&e);
	rc = store_verify(s, &bad, &e);
	if (rc)
		printf("(verify: %d %s) ", rc, e.msg);
	return rc == 0 && bad == 0;
}

/* Copy the fixture's store `name` into a fresh directory (dir). */
static int landed(const char *name)
{
	char cmd[13000];

	snprintf(dir, sizeof(dir), "%s/v10-%s", test_tmpdir(), name);
	snprintf(cmd, sizeof(cmd),
		 "mkdir -p '%s' && cp tests/fixtures/store_v10/%s/%s "
		 "tests/fixtures/store_v10/%s/%s.mark '%s/' && chmod 700 '%s'",
		 dir, name, STORE_DB_FILE, name, STORE_DB_FILE, dir, dir);
	memset(keyfile, 7, sizeof(keyfile));
	return system(cmd) == 0;
}

struct seen {
	int persons, cases, services, deleted;
	int amina, kofi_lang, high, care_plan, legal45;
	struct id amina_id, case_id;
};

static int tally(void *ctx, const struct store_record *r)
{
	struct seen *k = ctx;
	const json_t *f = r->fields;
	const char *name = r->coll->name;
	const char *given = json_string_value(json_object_get(f, "given_name"));

	if (r->deleted) {
		k->deleted++;
		return 0;
	}
	if (!strcmp(name, "person")) {
		k->persons++;
		if (given && !strcmp(given, "Amina") &&
		    !strcmp(json_string_value(json_object_get(f, "birth_date")),
			    "1990-04-01")) {
			k->amina++;
			k->amina_id = r->id;
		}
		k->kofi_lang += json_array_size(json_object_get(f,
								"languages"))
				== 2;
	} else if (!strcmp(name, "case")) {
		const char *stage = json_string_value(json_object_get(f,
								      "stage"));

		k->cases++;
		k->high += json_object_get(f, "priority") != NULL;
		if (stage && !strcmp(stage, "care_plan")) {
			k->care_plan++;
			k->case_id = r->id;
		}
	} else if (!strcmp(name, "service")) {
		k->services++;
		k->legal45 += json_integer_value(json_object_get(
				      f, "duration_min")) == 45;
	}
	return 0;
}

static int count_change(void *ctx, const struct store_change *c)
{
	(void)c;
	(*(int *)ctx)++;
	return 0;
}

struct conflicts {
	int n, phone;
};

static int count_conflict(void *ctx, const struct store_conflict *c)
{
	struct conflicts *k = ctx;

	k->n++;
	k->phone += c->field && !strcmp(c->field, "phone") &&
		    json_is_string(c->current.value) &&
		    json_is_string(c->other.value);
	return 0;
}

/* The landed operators, each counted once it has its role: the store
 * was made before roles, so its first unlock gives every slot the role
 * that manages operators (what each could do before). */
static int count_operator(void *ctx, const char *op, enum keyslot_kind kind,
			  const char *role)
{
	(void)kind;
	(*(int *)ctx) += (!strcmp(op, "m.rossi") || !strcmp(op, "l.bianchi")) &&
			 role && !strcmp(role, "coordinatore");
	return 0;
}

static void test_landed_node_migrates(void)
{
	struct store_secret other = { "l.bianchi", KEYSLOT_KEYFILE, NULL,
				      KEYSLOT_KEYFILEBYTES, NULL };
	uint8_t key8[KEYSLOT_KEYFILEBYTES];
	struct seen k;
	struct conflicts cf = { 0, 0 };
	struct store *s = NULL;
	int n = 0, ops = 0;

	memset(&k, 0, sizeof(k));
	CHECK(landed("node"));
	CHECK(sql_int("PRAGMA user_version") == 10);
	s = reopen(NULL);
	CHECK(s);
	if (!s)
		return;
	CHECK(sql_int("PRAGMA user_version") >= 11);
	CHECK(sql_int("SELECT count(*) FROM sqlite_master WHERE type = "
		      "'table' AND name = 'kin'") == 1);
	/* Its collections are not read as a group: nothing indexed. */
	CHECK(sql_int("SELECT count(*) FROM kin") == 0);
	CHECK(verify_ok(s));
	CHECK_OK(store_list(s, NULL, 1, tally, &k, NULL));
	CHECK(k.persons == 2 && k.cases == 2 && k.services == 1);
	CHECK(k.deleted == 1);
	CHECK(k.amina == 1 && k.kofi_lang == 1 && k.high == 1);
	CHECK(k.care_plan == 1 && k.legal45 == 1);
	/* Amina: her create, this node's phone, the other node's phone. */
	CHECK_OK(store_history(s, &k.amina_id, count_change, &n, NULL));
	CHECK(n == 3);
	n = 0;
	CHECK_OK(store_history(s, &k.case_id, count_change, &n, NULL));
	CHECK(n == 2);
	CHECK_OK(store_conflicts(s, NULL, count_conflict, &cf, NULL));
	CHECK(cf.n == 1 && cf.phone == 1);
	CHECK_OK(store_operator_list(s, count_operator, &ops, NULL));
	CHECK(ops == 2);
	CHECK(store_operator_role(s) == ACCESS_COORDINATOR);
	/* Still writable, and the second operator still opens it. */
	CHECK(put_json(s, "person", &k.amina_id, "{\"email\":\"a@b.it\"}",
		       NULL) == 0);
	CHECK(verify_ok(s));
	store_close(s);
	s = NULL;
	memset(key8, 8, sizeof(key8));
	other.secret = key8;
	CHECK_OK(store_open(&s, dir, NULL));
	CHECK(s && store_unlock(s, &other, NULL) == 0);
	CHECK(s && store_operator_role(s) == ACCESS_COORDINATOR);
	store_close(s);
}

static void test_landed_hub_migrates(void)
{
	struct registry_peer p;
	struct store *s = NULL;
	int n = 0;

	CHECK(landed("hub"));
	CHECK(sql_int("PRAGMA user_version") == 10);
	s = reopen(NULL);
	CHECK(s);
	if (!s)
		return;
	CHECK(sql_int("PRAGMA user_version") >= 11);
	CHECK(verify_ok(s));
	CHECK_OK(registry_peer_by_name(s, "polo-fg", &p, NULL));
	CHECK(p.enrolled && !p.revoked);
	/* Not said since the migration: the hub learns it at hello. */
	CHECK(p.schema_version == 0);
	CHECK_OK(registry_peer_schema(s, p.idx, 1, NULL));
	CHECK_OK(registry_peer_by_name(s, "polo-fg", &p, NULL));
	CHECK(p.schema_version == 1);
	CHECK_OK(store_list(s, "person", 0, read_all, &n, NULL));
	CHECK(n == 1);
	CHECK(verify_ok(s));
	store_close(s);
}

TEST_MAIN(T(test_landed_node_migrates), T(test_landed_hub_migrates))
