/*
 * test_store_next.c - a node one schema version behind its hub
 * (sync/README.md, "Schema versions"): a change from the newer version
 * (store_incoming.newer_schema) writing a field, or an ENUM value, this
 * build does not declare is stored in the log and the record, shown by
 * reads as it is, merged without conflicts here, kept when the node edits
 * the record (its own change carries only its own fields), and replayed
 * with the record; the same change not said to come from a newer version
 * is refused as before; the operator still types only what this build
 * declares.  An item appended to an ENUM_SET is kept the same way.
 */
#include "tests/node/store_fixture.h"
#include "tests/schema/collections.h"
#include "tests/schema/next.h"

/* The last entry of a store's log, as another node receives it. */
struct last {
	struct store_change c;
	json_t *fields;
	struct merge_prev prev[8];
};

static int keep_last(void *ctx, const struct store_change *c)
{
	struct last *k = ctx;

	json_decref(k->fields);
	k->c = *c;
	k->fields = json_deep_copy(c->fields);
	memset(&k->c.vers, 0, sizeof(k->c.vers));
	memset(&k->c.prev, 0, sizeof(k->c.prev));
	k->c.nprev_ids = c->nprev_ids < 8 ? c->nprev_ids : 8;
	if (k->c.nprev_ids)
		memcpy(k->prev, c->prev_ids,
		       k->c.nprev_ids * sizeof(*k->prev));
	k->c.prev_ids = k->prev;
	k->c.fields = k->fields;
	return 0;
}

/* x's last change, with `extra` merged into its values, applied to s as
 * from a newer schema version or not.  Its store_apply() code. */
static int relay(struct store *x, struct store *s, const char *extra,
		 int newer)
{
	struct store_apply_result res;
	struct store_incoming in;
	struct last k = { .fields = NULL };
	json_t *add = json_loads(extra, 0, NULL);
	int rc = store_log(x, 0, 0, STORE_VALUES_PARSED, keep_last, &k, NULL);

	if (!rc && (!k.fields || !add || json_object_update(k.fields, add)))
		rc = -100;
	if (!rc) {
		incoming_of(&k.c, &in);
		in.newer_schema = newer;
		rc = store_apply(s, &in, &res, NULL);
	}
	json_decref(add);
	json_decref(k.fields);
	return rc;
}

static const json_t *field_of(struct store *s, const struct id *id,
			      const char *name, struct store_record *r)
{
	store_record_release(r);
	store_record_init(r);
	if (store_get(s, id, r, NULL))
		return NULL;
	return json_object_get(r->fields, name);
}

static int own_fields(void *ctx, const struct store_change *c)
{
	json_t *all = ctx;

	return json_object_update(all, c->fields);
}

static int count_conflicts(void *ctx, const struct store_conflict *c)
{
	(void)c;
	(*(int *)ctx)++;
	return 0;
}

/*
 * An item the newer version appended to an ENUM_SET (assessment.
 * indicators): the change holding it is kept, not refused (which would
 * refuse the whole pull batch), and so is the set when the node edits
 * another field of the record.  0 when all holds.
 */
static int keeps_new_indicator(struct store *x, struct store *s,
			       const struct id *kase)
{
	static const char set[] = "{\"indicators\":[\"wages\","
				  "\"next_indicator\"]}";
	struct store_put_result pr;
	struct store_record r;
	const json_t *v;
	char json[128], cid[ID_TEXT_LEN + 1];
	int bad = 0;

	store_record_init(&r);
	id_format(kase, cid);
	snprintf(json, sizeof(json), "{\"case_id\":\"%s\",\"indicators\":"
		 "[\"wages\"]}", cid);
	bad |= put_json(x, "assessment", NULL, json, &pr) != 0;
	bad |= relay(x, s, set, 0) != ERR_INVALID;
	bad |= relay(x, s, set, 1) != 0;
	v = field_of(s, &pr.id, "indicators", &r);
	bad |= !v || json_array_size(v) != 2 ||
	       strcmp(json_string_value(json_array_get(v, 1)),
		      "next_indicator") != 0;
	bad |= put_json(s, "assessment", &pr.id, "{\"proposer\":\"Polo\"}",
			NULL) != 0;
	v = field_of(s, &pr.id, "indicators", &r);
	bad |= !v || json_array_size(v) != 2;
	store_record_release(&r);
	return bad ? -1 : 0;
}

static void test_newer_fields_kept(void)
{
	/* The hub's side first: fresh() leaves dir at the node (reopen()). */
	struct store *x = fixture_node("hubside", STORE_ROLE_HUB, "m.rossi");
	struct store *s = fresh();
	struct store_put_result pr;
	struct store_record r;
	const json_t *v;
	json_t *own = json_object();
	uint64_t bad = 0;
	int nconf = 0;
	char json[256], cid[ID_TEXT_LEN + 1];
	struct id kase;

	store_record_init(&r);
	CHECK(s && x && own);
	if (!s || !x || !own)
		goto out;
	CHECK(put_json(x, "person", NULL,
		       "{\"given_name\":\"A\",\"family_name\":\"B\"}", &pr) ==
	      0);
	/* Not said to come from a newer version: refused, as before. */
	CHECK(relay(x, s, "{\"next_note\":\"kept\"}", 0) == ERR_INVALID);
	CHECK(relay(x, s, "{\"next_note\":\"kept\"}", 1) == 0);
	v = field_of(s, &pr.id, "next_note", &r);
	CHECK(v && !strcmp(json_string_value(v), "kept"));
	/* An edit on the newer side, relayed. */
	CHECK(put_json(x, "person", &pr.id, "{\"phone\":\"1\"}", NULL) == 0);
	CHECK(relay(x, s, "{\"next_note\":\"edited\"}", 1) == 0);
	v = field_of(s, &pr.id, "next_note", &r);
	CHECK(v && !strcmp(json_string_value(v), "edited"));
	/* The operator edits a known field: the unknown one stays, and the
	 * node's own change carries its own field only. */
	CHECK(put_json(s, "person", &pr.id, "{\"email\":\"a@b.it\"}", NULL) ==
	      0);
	v = field_of(s, &pr.id, "next_note", &r);
	CHECK(v && !strcmp(json_string_value(v), "edited"));
	CHECK(json_object_get(r.fields, "email") != NULL);
	CHECK_OK(store_log_own(s, 0, 0, STORE_VALUES_PARSED, own_fields,
			       own, NULL));
	CHECK(json_object_get(own, "email") && !json_object_get(own, "next_note"));
	/* ... and cannot type it. */
	CHECK(put_json(s, "person", &pr.id, "{\"next_note\":\"x\"}", NULL) ==
	      ERR_INVALID);
	CHECK_OK(store_conflicts(s, NULL, count_conflicts, &nconf, NULL));
	CHECK(nconf == 0);
	/* A value of service_type appended by the newer version. */
	id_format(&pr.id, cid);
	snprintf(json, sizeof(json), "{\"person_id\":\"%s\",\"region\":"
		 "\"Puglia\",\"stage\":\"intake\"}", cid);
	CHECK(put_json(x, "case", NULL, json, &pr) == 0);
	kase = pr.id;
	CHECK(relay(x, s, "{}", 1) == 0);
	id_format(&kase, cid);
	snprintf(json, sizeof(json), "{\"case_id\":\"%s\",\"service_type\":"
		 "\"legal_advice\",\"date\":\"2026-01-02\"}", cid);
	CHECK(put_json(x, "service", NULL, json, &pr) == 0);
	CHECK(relay(x, s, "{\"service_type\":\"next_service\"}", 0) ==
	      ERR_INVALID);
	CHECK(relay(x, s, "{\"service_type\":\"next_service\"}", 1) == 0);
	v = field_of(s, &pr.id, "service_type", &r);
	CHECK(v && !strcmp(json_string_value(v), "next_service"));
	CHECK(keeps_new_indicator(x, s, &kase) == 0);
	/* Replayed with the record after a reopen, verified. */
	s = reopen(s);
	CHECK(s);
	if (!s)
		goto out;
	CHECK(put_json(s, "service", &pr.id, "{\"duration_min\":30}", NULL) ==
	      0);
	v = field_of(s, &pr.id, "service_type", &r);
	CHECK(v && !strcmp(json_string_value(v), "next_service"));
	CHECK_OK(store_verify(s, &bad, NULL));
	CHECK(bad == 0);
out:
	store_record_release(&r);
	json_decref(own);
	store_close(x);
	store_close(s);
}

/* This process on the next schema (1) or back on the product's (0). */
static int run_next(int next)
{
	struct schema_set sets[2] = { schema_product, test_schema_set };

	if (next)
		sets[0].colls = test_next_collections(&sets[0].n);
	schema_set_version(next ? schema_version() + 1 : 0);
	return sets[0].colls ? schema_register(sets, 2, NULL) : -1;
}

/*
 * The node upgraded: opened by a build of the next version, the record
 * holding the field it did not declare is re-derived with its declared
 * rules (here two concurrent values: a conflict it can now show), and the
 * store records the version.
 */
static void test_upgrade_rederives(void)
{
	struct store *x = fixture_node("hubside2", STORE_ROLE_HUB, "m.rossi");
	struct store *s = fresh();
	struct store_put_result pr;
	uint64_t v = 0, bad = 0;
	int nconf = 0;

	CHECK(s && x);
	if (!s || !x)
		goto out;
	CHECK(put_json(x, "person", NULL,
		       "{\"given_name\":\"A\",\"family_name\":\"B\"}", &pr) ==
	      0);
	CHECK(relay(x, s, "{\"next_note\":\"first\"}", 1) == 0);
	/* A concurrent value: an edit that did not see the first. */
	CHECK(put_json(x, "person", &pr.id, "{\"phone\":\"1\"}", NULL) == 0);
	CHECK(relay(x, s, "{\"next_note\":\"second\"}", 1) == 0);
	CHECK_OK(store_conflicts(s, NULL, count_conflicts, &nconf, NULL));
	CHECK(nconf == 0);
	CHECK_OK(store_checkpoint_get(s, STORE_CK_SCHEMA, &v, NULL));
	CHECK(v == (uint64_t)schema_version());
	store_close(s);
	s = NULL;
	CHECK_OK(run_next(1));
	s = reopen(NULL);
	CHECK(s);
	if (s) {
		CHECK_OK(store_checkpoint_get(s, STORE_CK_SCHEMA, &v, NULL));
		CHECK(v == (uint64_t)schema_version() + 1);
		nconf = 0;
		CHECK_OK(store_conflicts(s, NULL, count_conflicts, &nconf,
					 NULL));
		CHECK(nconf == 1);
		CHECK_OK(store_verify(s, &bad, NULL));
		CHECK(bad == 0);
	}
	store_close(s);
	s = NULL;
	CHECK_OK(run_next(0));
out:
	store_close(x);
	store_close(s);
}

/*
 * A record whose log does not open (a tampered sealed value) does not
 * keep the store locked at the upgrade: the others, more than one batch
 * of them (STORE_UPGRADE_BATCH), are re-derived, the version is
 * recorded, and verify reports the one that failed.
 */
static void test_upgrade_survives_bad_record(void)
{
	struct store *s = fresh();
	struct store_put_result first, last;
	struct store_record r;
	uint64_t v = 0, failed = 0, bad = 0;
	int ok = 1;

	CHECK(s != NULL);
	if (!s)
		return;
	CHECK_OK(store_begin(s, NULL));
	for (size_t i = 0; ok && i < STORE_UPGRADE_BATCH + 10; i++)
		ok = put_json(s, "person", NULL,
			      "{\"given_name\":\"A\",\"family_name\":"
			      "\"B\"}", i ? &last : &first) == 0;
	CHECK(ok);
	CHECK_OK(store_commit(s, NULL));
	store_close(s);
	s = NULL;
	CHECK(sql_exec("UPDATE change SET body = zeroblob(length(body)) "
		       "WHERE rid = (SELECT min(rid) FROM record)") ==
	      SQLITE_OK);
	CHECK_OK(run_next(1));
	s = reopen(NULL);
	CHECK(s != NULL);
	if (s) {
		CHECK_OK(store_checkpoint_get(s, STORE_CK_SCHEMA, &v, NULL));
		CHECK(v == (uint64_t)schema_version() + 1);
		CHECK_OK(store_checkpoint_get(s, STORE_CK_SCHEMA_FAILED,
					      &failed, NULL));
		CHECK(failed == 1);
		CHECK(store_verify(s, &bad, NULL) == ERR_CORRUPT);
		CHECK(bad >= 1);
		store_record_init(&r);
		CHECK_OK(store_get(s, &last.id, &r, NULL));
		store_record_release(&r);
	}
	store_close(s);
	CHECK_OK(run_next(0));
}

TEST_MAIN(T(test_newer_fields_kept), T(test_upgrade_rederives),
	  T(test_upgrade_survives_bad_record))
