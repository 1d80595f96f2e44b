/*
 * test_store.c - the store: records, change log written atomically with
 * them, clock persistence, sealing bound to records, tampering with values
 * and clear metadata detected, checkpoints, init.  Keys and operators are
 * in test_store_keys.c.
 */
#include "tests/node/store_fixture.h"

#include <unistd.h>

static void test_put_get_update_delete(void)
{
	struct store *s = fresh();
	struct store_put_result r, r2;
	struct store_record rec;
	struct err e;

	CHECK(s);
	store_record_init(&rec);
	CHECK_OK(put_json(s, "test_item", NULL,
			  "{\"title\":\"a\",\"count\":3,\"tags\":[\"x\"]}", &r));
	CHECK(r.created && r.changed == 3 && r.seq == 1);
	CHECK_OK(put_json(s, "test_item", &r.id, "{\"count\":4}", &r2));
	CHECK(!r2.created && r2.changed == 1 && r2.seq == 2);
	CHECK_OK(store_get(s, &r.id, &rec, NULL));
	CHECK(strcmp(rec.coll->name, "test_item") == 0);
	CHECK(json_integer_value(json_object_get(rec.fields, "count")) == 4);
	CHECK(strcmp(json_string_value(json_object_get(rec.fields, "title")),
		     "a") == 0);
	/* The version of count moved, the one of title did not. */
	CHECK(rec.vers.n == 3);
	/* Same value again: no change, no entry, not even a clock write. */
	long long hlc = sql_int("SELECT value FROM meta WHERE key = 'hlc'");
	CHECK_OK(put_json(s, "test_item", &r.id, "{\"count\":4}", &r2));
	CHECK(r2.changed == 0 && r2.seq == 0);
	CHECK(sql_int("SELECT value FROM meta WHERE key = 'hlc'") == hlc);
	CHECK(sql_int("SELECT count(*) FROM change") == 2);
	CHECK_OK(store_delete(s, &r.id, NULL));
	CHECK_OK(store_get(s, &r.id, &rec, NULL));
	CHECK(rec.deleted == 1);
	/* The tombstone keeps the values for review. */
	CHECK(json_integer_value(json_object_get(rec.fields, "count")) == 4);
	err_init(&e);
	CHECK(store_delete(s, &r.id, &e) == ERR_INVALID);
	CHECK(put_json(s, "test_item", &r.id, "{\"count\":5}", NULL) ==
	      ERR_INVALID);
	store_record_release(&rec);
	store_close(s);
}

static void test_put_rejects_bad_input_and_writes_nothing(void)
{
	struct store *s = fresh();
	struct store_put_result r;
	struct err e;

	CHECK(s);
	err_init(&e);
	json_t *f = json_loads("{\"title\":\"a\"}", 0, NULL);
	CHECK(store_put(s, "no_such", NULL, f, NULL, &e) == ERR_INVALID);
	CHECK(strstr(e.msg, "no_such"));
	/* Something that is not a name may be data in the wrong place: it
	 * is not quoted back. */
	CHECK(store_put(s, "Amina Diallo 2001", NULL, f, NULL, &e) ==
	      ERR_INVALID);
	CHECK(!strstr(e.msg, "Amina"));
	json_decref(f);
	CHECK(put_json(s, "test_item", NULL, "{\"count\":1}", NULL) ==
	      ERR_INVALID); /* title is required */
	CHECK(put_json(s, "test_item", NULL, "{\"title\":1}", NULL) ==
	      ERR_INVALID);
	CHECK(put_json(s, "test_item", NULL, "{\"title\":\"a\",\"zz\":1}",
		       NULL) == ERR_INVALID);
	CHECK(sql_int("SELECT count(*) FROM record") == 0);
	CHECK(sql_int("SELECT count(*) FROM change") == 0);
	/* An id of another collection. */
	CHECK_OK(put_json(s, "test_item", NULL, "{\"title\":\"a\"}", &r));
	CHECK(put_json(s, "test_note", &r.id, "{\"text\":\"n\"}", NULL) ==
	      ERR_INVALID);
	store_close(s);
}

static void test_history_entries_chain_versions(void)
{
	struct store *s = fresh();
	struct store_put_result r;
	struct collected k;
	const struct schema_collection *c = schema_collection("test_item");
	uint16_t fcount = schema_field(c, "count")->id;

	memset(&k, 0, sizeof(k));
	CHECK(s);
	CHECK_OK(put_json(s, "test_item", NULL,
			  "{\"title\":\"a\",\"count\":1}", &r));
	CHECK_OK(put_json(s, "test_item", &r.id, "{\"count\":2}", NULL));
	CHECK_OK(store_delete(s, &r.id, NULL));
	CHECK_OK(store_history(s, &r.id, collect, &k, NULL));
	CHECK(k.n == 3);
	CHECK(k.c[0].kind == STORE_CHANGE_CREATE && k.c[0].prev.n == 0);
	CHECK(k.c[1].kind == STORE_CHANGE_UPDATE);
	CHECK(json_integer_value(json_object_get(k.values[1], "count")) == 2);
	/* The update names the version it replaced: the create's. */
	CHECK(k.c[1].prev.n == 1);
	CHECK(version_eq(version_set_get(&k.c[1].prev, fcount),
			 version_set_get(&k.c[0].vers, fcount)));
	CHECK(k.c[2].kind == STORE_CHANGE_DELETE);
	CHECK(version_set_get(&k.c[2].vers, SCHEMA_FIELD_DELETED));
	CHECK(strcmp(k.c[0].operator, "m.rossi") == 0);
	CHECK(id_cmp(&k.c[0].origin, store_node_id(s)) == 0);
	CHECK(k.c[0].origin_seq == k.c[0].seq);
	CHECK(k.c[0].hlc < k.c[1].hlc && k.c[1].hlc < k.c[2].hlc);
	collected_release(&k);
	/* The log without values gives the same entries, no plaintext. */
	CHECK_OK(store_log(s, 1, 0, 0, collect, &k, NULL));
	CHECK(k.n == 2 && k.values[0] == NULL && k.c[0].seq == 2);
	collected_release(&k);
	store_close(s);
}

/* A failure between the record write and the log append leaves neither. */
static void test_record_and_log_written_atomically(void)
{
	struct store *s = fresh();
	struct store_put_result r;

	CHECK(s);
	CHECK_OK(put_json(s, "test_item", NULL, "{\"title\":\"a\"}", &r));
	CHECK(sql_exec("CREATE TRIGGER fail BEFORE INSERT ON change BEGIN "
		       "SELECT RAISE(ABORT, 'injected'); END;") == SQLITE_OK);
	s = reopen(s); /* statements re-prepared against the new schema */
	CHECK(s);
	CHECK(put_json(s, "test_item", NULL, "{\"title\":\"b\"}", NULL) != 0);
	CHECK(put_json(s, "test_item", &r.id, "{\"title\":\"c\"}", NULL) != 0);
	CHECK(sql_int("SELECT count(*) FROM record") == 1);
	CHECK(sql_int("SELECT count(*) FROM change") == 1);
	CHECK(sql_exec("DROP TRIGGER fail") == SQLITE_OK);
	s = reopen(s);
	CHECK(s);
	struct store_record rec;
	store_record_init(&rec);
	CHECK_OK(store_get(s, &r.id, &rec, NULL));
	CHECK(strcmp(json_string_value(json_object_get(rec.fields, "title")),
		     "a") == 0);
	store_record_release(&rec);
	/* Inside a batch, a write that fails half way leaves nothing of
	 * itself, and the batch goes on. */
	CHECK(sql_exec(FIXTURE_FAIL_UPDATES) == SQLITE_OK);
	s = reopen(s);
	CHECK(s);
	CHECK_OK(store_begin(s, NULL));
	CHECK(put_json(s, "test_item", &r.id, "{\"title\":\"e\"}", NULL) !=
	      0);
	CHECK_OK(put_json(s, "test_item", NULL, "{\"title\":\"f\"}", NULL));
	CHECK_OK(store_commit(s, NULL));
	CHECK(sql_exec("DROP TRIGGER fail_updates") == SQLITE_OK);
	CHECK(sql_int("SELECT count(*) FROM record") == 2);
	CHECK(sql_int("SELECT count(*) FROM change") == 2);
	store_record_init(&rec);
	CHECK_OK(store_get(s, &r.id, &rec, NULL));
	CHECK(strcmp(json_string_value(json_object_get(rec.fields, "title")),
		     "a") == 0);
	store_record_release(&rec);
	/* An explicit batch rolled back leaves nothing either. */
	CHECK_OK(store_begin(s, NULL));
	CHECK_OK(put_json(s, "test_item", NULL, "{\"title\":\"d\"}", NULL));
	store_rollback(s);
	CHECK(sql_int("SELECT count(*) FROM record") == 2);
	CHECK(sql_int("SELECT count(*) FROM change") == 2);
	store_close(s);
}

/* A group that stands or falls whole (store_begin_whole()): its writes
 * take no savepoint, so one that fails half way breaks the group, which
 * then refuses to commit and leaves nothing, its good writes included. */
static void test_whole_group_falls_whole(void)
{
	struct store *s = fresh();
	struct store_put_result r;
	struct err e;

	CHECK(s);
	CHECK_OK(put_json(s, "test_item", NULL, "{\"title\":\"a\"}", &r));
	/* Good writes only: committed, as any group. */
	CHECK_OK(store_begin_whole(s, NULL));
	CHECK_OK(put_json(s, "test_item", NULL, "{\"title\":\"b\"}", NULL));
	CHECK(store_broken(s) == 0);
	CHECK_OK(store_commit(s, NULL));
	CHECK(sql_int("SELECT count(*) FROM change") == 2);
	/* The log refuses updates half way through the write: after the
	 * record's row. */
	CHECK(sql_exec(FIXTURE_FAIL_UPDATES) == SQLITE_OK);
	s = reopen(s);
	CHECK(s);
	CHECK_OK(store_begin_whole(s, NULL));
	CHECK_OK(put_json(s, "test_item", NULL, "{\"title\":\"c\"}", NULL));
	CHECK(store_broken(s) == 0);
	CHECK(put_json(s, "test_item", &r.id, "{\"title\":\"d\"}", NULL) !=
	      0);
	CHECK(store_broken(s) == 1);
	err_init(&e);
	CHECK(store_commit(s, &e) == ERR_FAIL);
	CHECK(strstr(e.msg, "nothing of the group was saved"));
	CHECK(store_broken(s) == 0);
	CHECK(sql_int("SELECT count(*) FROM record") == 2);
	CHECK(sql_int("SELECT count(*) FROM change") == 2);
	/* The next group starts whole again, and an ordinary one goes on
	 * past the failed write. */
	CHECK_OK(store_begin(s, NULL));
	CHECK(put_json(s, "test_item", &r.id, "{\"title\":\"d\"}", NULL) !=
	      0);
	CHECK(store_broken(s) == 0);
	CHECK_OK(put_json(s, "test_item", NULL, "{\"title\":\"e\"}", NULL));
	CHECK_OK(store_commit(s, NULL));
	CHECK(sql_int("SELECT count(*) FROM record") == 3);
	CHECK(sql_int("SELECT count(*) FROM change") == 3);
	CHECK(sql_exec("DROP TRIGGER fail_updates") == SQLITE_OK);
	store_close(s);
}

static uint64_t fake_now;
static uint64_t fake_clock(void *ctx)
{
	(void)ctx;
	return fake_now;
}

/* The clock survives restarts and a wall clock going back. */
static void test_clock_persisted_and_monotonic(void)
{
	struct store *s = fresh();
	struct store_put_result r1, r2;
	struct collected k;

	memset(&k, 0, sizeof(k));
	CHECK(s);
	fake_now = 2000000000000ull; /* 2033 */
	store_set_clock(s, fake_clock, NULL);
	CHECK_OK(put_json(s, "test_item", NULL, "{\"title\":\"a\"}", &r1));
	s = reopen(s);
	CHECK(s);
	fake_now = 1000000000000ull; /* 2001: the wall clock went back */
	store_set_clock(s, fake_clock, NULL);
	CHECK_OK(put_json(s, "test_item", NULL, "{\"title\":\"b\"}", &r2));
	CHECK_OK(store_log(s, 0, 0, 0, collect, &k, NULL));
	CHECK(k.n == 2);
	CHECK(k.c[1].hlc > k.c[0].hlc);
	CHECK(k.c[0].hlc >> 16 == 2000000000000ull);
	collected_release(&k);
	store_close(s);
}

/* A sealed body moved to another record does not open. */
static void test_body_swapped_between_records_rejected(void)
{
	struct store *s = fresh();
	struct store_put_result a, b;
	struct store_record rec;
	struct err e;
	char idtext[ID_TEXT_LEN + 1];

	CHECK(s);
	store_record_init(&rec);
	CHECK_OK(put_json(s, "test_item", NULL, "{\"title\":\"a\"}", &a));
	CHECK_OK(put_json(s, "test_item", NULL, "{\"title\":\"b\"}", &b));
	CHECK(sql_exec("UPDATE record SET body = (SELECT body FROM record "
		       "WHERE rid = 1) WHERE rid = 2") == SQLITE_OK);
	err_init(&e);
	CHECK(store_get(s, &b.id, &rec, &e) == ERR_CORRUPT);
	id_format(&b.id, idtext);
	CHECK(strstr(e.msg, idtext));
	CHECK_OK(store_get(s, &a.id, &rec, NULL));
	store_record_release(&rec);
	store_close(s);
}

/* One flipped byte in a stored body: a clear error naming the record. */
static void test_tampered_body_detected(void)
{
	struct store *s = fresh();
	struct store_put_result a;
	struct store_record rec;
	struct err e;
	uint64_t bad = 0;
	char idtext[ID_TEXT_LEN + 1];

	CHECK(s);
	store_record_init(&rec);
	CHECK_OK(put_json(s, "test_item", NULL, "{\"title\":\"abc\"}", &a));
	CHECK_OK(put_json(s, "test_item", &a.id, "{\"count\":1}", NULL));
	CHECK(sql_exec("UPDATE record SET body = substr(body, 1, 40) || "
		       "x'ff' || substr(body, 42) WHERE rid = 1") ==
	      SQLITE_OK);
	err_init(&e);
	CHECK(store_get(s, &a.id, &rec, &e) == ERR_CORRUPT);
	id_format(&a.id, idtext);
	CHECK(strstr(e.msg, idtext));
	err_init(&e);
	CHECK(store_verify(s, &bad, &e) == ERR_CORRUPT);
	CHECK(bad == 1);
	CHECK(strstr(e.msg, idtext));
	store_close(s);
}

static void test_status_counts(void)
{
	struct store *s = fresh();
	struct store_put_result r;
	struct store_status st;

	CHECK(s);
	CHECK_OK(put_json(s, "test_item", NULL, "{\"title\":\"a\"}", &r));
	CHECK_OK(put_json(s, "test_item", NULL, "{\"title\":\"b\"}", NULL));
	CHECK_OK(store_delete(s, &r.id, NULL));
	CHECK_OK(store_status(s, &st, NULL));
	CHECK(st.records == 1 && st.deleted == 1 && st.changes == 3);
	CHECK(st.last_seq == 3 && st.key_gen == 1 && st.operators == 1);
	CHECK(st.ncoll == 1 && st.coll[0].live == 1);
	CHECK(strcmp(st.name, "polo-test") == 0);
	store_close(s);
}

/* A checkpoint commits and rolls back with the batch it describes. */
static void test_checkpoint_follows_its_transaction(void)
{
	struct store *s = fresh();
	uint64_t v = 0;

	CHECK(s);
	CHECK(store_checkpoint_get(s, "import:x", &v, NULL) == ERR_NOTFOUND);
	CHECK_OK(store_begin(s, NULL));
	CHECK_OK(put_json(s, "test_item", NULL, "{\"title\":\"a\"}", NULL));
	CHECK_OK(store_checkpoint_set(s, "import:x", 10, NULL));
	store_rollback(s);
	CHECK(store_checkpoint_get(s, "import:x", &v, NULL) == ERR_NOTFOUND);
	CHECK_OK(store_begin(s, NULL));
	CHECK_OK(put_json(s, "test_item", NULL, "{\"title\":\"a\"}", NULL));
	CHECK_OK(store_checkpoint_set(s, "import:x", 20, NULL));
	CHECK_OK(store_commit(s, NULL));
	s = reopen(s);
	CHECK(s);
	CHECK_OK(store_checkpoint_get(s, "import:x", &v, NULL));
	CHECK(v == 20);
	CHECK(store_checkpoint_set(s, "", 1, NULL) == ERR_INVALID);
	CHECK(store_checkpoint_set(s, "a b", 1, NULL) == ERR_INVALID);
	store_close(s);
}

/* Clear metadata edited behind the store's back is caught, not trusted. */
static void test_clear_metadata_tampering_detected(void)
{
	struct store *s = fresh();
	struct store_put_result r;
	struct store_record rec;
	struct collected k;
	struct err e;

	memset(&k, 0, sizeof(k));
	store_record_init(&rec);
	CHECK(s);
	CHECK_OK(put_json(s, "test_item", NULL, "{\"title\":\"a\"}", &r));
	CHECK_OK(put_json(s, "test_item", &r.id, "{\"count\":1}", NULL));
	CHECK_OK(store_delete(s, &r.id, NULL));
	/* Undeleting by flipping the clear flag. */
	CHECK(sql_exec("UPDATE record SET deleted = 0") == SQLITE_OK);
	err_init(&e);
	CHECK(store_get(s, &r.id, &rec, &e) == ERR_CORRUPT);
	CHECK(strstr(e.msg, "deletion flag"));
	CHECK(sql_exec("UPDATE record SET deleted = 1") == SQLITE_OK);
	CHECK_OK(store_get(s, &r.id, &rec, NULL));
	store_record_release(&rec);
	/* Rewriting when or what a change did. */
	CHECK(sql_exec("UPDATE change SET hlc = hlc - 1000 WHERE seq = 2") ==
	      SQLITE_OK);
	err_init(&e);
	CHECK(store_history(s, &r.id, collect, &k, &e) == ERR_CORRUPT);
	collected_release(&k);
	CHECK(sql_exec("UPDATE change SET hlc = hlc + 1000 WHERE seq = 2") ==
	      SQLITE_OK);
	CHECK(sql_exec("UPDATE change SET kind = 2 WHERE seq = 3") ==
	      SQLITE_OK);
	CHECK(store_history(s, &r.id, collect, &k, NULL) == ERR_CORRUPT);
	collected_release(&k);
	CHECK(sql_exec("UPDATE change SET kind = 3 WHERE seq = 3") ==
	      SQLITE_OK);
	CHECK_OK(store_history(s, &r.id, collect, &k, NULL));
	collected_release(&k);
	/* Dropping what the delete had seen (its sealed box binds it). */
	CHECK(sql_int("SELECT length(prev) > 3 FROM change WHERE seq = 3") ==
	      1);
	CHECK(sql_exec("CREATE TABLE keep AS SELECT prev FROM change "
		       "WHERE seq = 3") == SQLITE_OK);
	CHECK(sql_exec("UPDATE change SET prev = x'010000' WHERE seq = 3") ==
	      SQLITE_OK);
	CHECK(store_history(s, &r.id, collect, &k, NULL) == ERR_CORRUPT);
	collected_release(&k);
	CHECK(sql_exec("UPDATE change SET prev = (SELECT prev FROM keep) "
		       "WHERE seq = 3") == SQLITE_OK);
	CHECK_OK(store_history(s, &r.id, collect, &k, NULL));
	collected_release(&k);
	/* A wild actor number is refused, not used to size memory. */
	CHECK(sql_exec("UPDATE change SET actor = 4294967295 WHERE seq = 1") ==
	      SQLITE_OK);
	CHECK(store_log(s, 0, 0, 0, collect, &k, NULL) == ERR_CORRUPT);
	collected_release(&k);
	store_close(s);
}

/* A failed init leaves nothing that blocks the next one. */
static void test_failed_init_leaves_nothing(void)
{
	const uint8_t shortpass[] = "short";
	struct store_secret bad = { "m.rossi", KEYSLOT_PASSPHRASE, shortpass,
				    sizeof(shortpass) - 1, NULL };
	struct store_secret good = secret_of("m.rossi");
	char path[4300];

	memset(keyfile, 7, sizeof(keyfile));
	snprintf(dir, sizeof(dir), "%s/node", test_tmpdir());
	CHECK(store_init(dir, "n", STORE_ROLE_NODE, &bad, NULL) ==
	      ERR_INVALID);
	snprintf(path, sizeof(path), "%s/%s", dir, STORE_DB_FILE);
	CHECK(access(path, F_OK) != 0);
	CHECK_OK(store_init(dir, "n", STORE_ROLE_NODE, &good, NULL));
}

static void test_init_refuses_existing_node(void)
{
	struct store *s = fresh();
	struct store_secret sec = secret_of("m.rossi");

	CHECK(s);
	store_close(s);
	CHECK(store_init(dir, "again", STORE_ROLE_NODE, &sec, NULL) ==
	      ERR_EXISTS);
	s = NULL;
	CHECK(store_open(&s, "/nonexistent/presidio", NULL) == ERR_NOTFOUND);
}

/* A walk's callback: counts, then ends the walk with k->stop_rc once it
 * has seen k->stop_at items. */
struct walk_count {
	int n, stop_at, stop_rc;
};

static int count_record(void *ctx, const struct store_record *r)
{
	struct walk_count *k = ctx;

	(void)r;
	return ++k->n == k->stop_at ? k->stop_rc : 0;
}

static int count_change(void *ctx, const struct store_change *c)
{
	struct walk_count *k = ctx;

	(void)c;
	return ++k->n == k->stop_at ? k->stop_rc : 0;
}

/* common/err.h: ERR_STOP ends a walk early and the walk returns 0; any
 * other ERR_* ends it and is returned. */
static void test_walks_stop_early_with_err_stop(void)
{
	struct store *s = fresh();
	struct store_put_result r;
	struct walk_count k;

	CHECK(s);
	CHECK_OK(put_json(s, "test_item", NULL, "{\"title\":\"a\"}", &r));
	CHECK_OK(put_json(s, "test_item", &r.id, "{\"title\":\"b\"}", NULL));
	CHECK_OK(put_json(s, "test_item", &r.id, "{\"title\":\"c\"}", NULL));
	CHECK_OK(put_json(s, "test_item", NULL, "{\"title\":\"d\"}", NULL));
	CHECK_OK(put_json(s, "test_item", NULL, "{\"title\":\"e\"}", NULL));

	k = (struct walk_count){ 0, 0, 0 };
	CHECK_OK(store_list(s, NULL, 0, count_record, &k, NULL));
	CHECK(k.n == 3);
	k = (struct walk_count){ 0, 2, ERR_STOP };
	CHECK_OK(store_list(s, NULL, 0, count_record, &k, NULL));
	CHECK(k.n == 2);
	k = (struct walk_count){ 0, 2, ERR_INVALID };
	CHECK(store_list(s, NULL, 0, count_record, &k, NULL) == ERR_INVALID);
	CHECK(k.n == 2);

	k = (struct walk_count){ 0, 4, ERR_STOP };
	CHECK_OK(store_log(s, 0, 0, STORE_VALUES_NONE, count_change, &k,
			   NULL));
	CHECK(k.n == 4);
	k = (struct walk_count){ 0, 1, ERR_CORRUPT };
	CHECK(store_log(s, 0, 0, STORE_VALUES_NONE, count_change, &k, NULL) ==
	      ERR_CORRUPT);
	CHECK(k.n == 1);
	k = (struct walk_count){ 0, 2, ERR_STOP };
	CHECK_OK(store_log_own(s, 0, 0, STORE_VALUES_PARSED, count_change,
			       &k, NULL));
	CHECK(k.n == 2);

	k = (struct walk_count){ 0, 2, ERR_STOP };
	CHECK_OK(store_history(s, &r.id, count_change, &k, NULL));
	CHECK(k.n == 2);
	k = (struct walk_count){ 0, 3, ERR_NOMEM };
	CHECK(store_history(s, &r.id, count_change, &k, NULL) == ERR_NOMEM);
	CHECK(k.n == 3);
	store_close(s);
}

TEST_MAIN(T(test_put_get_update_delete),
	  T(test_put_rejects_bad_input_and_writes_nothing),
	  T(test_history_entries_chain_versions),
	  T(test_record_and_log_written_atomically),
	  T(test_whole_group_falls_whole),
	  T(test_clock_persisted_and_monotonic),
	  T(test_body_swapped_between_records_rejected),
	  T(test_tampered_body_detected),
	  T(test_status_counts),
	  T(test_checkpoint_follows_its_transaction),
	  T(test_clear_metadata_tampering_detected),
	  T(test_failed_init_leaves_nothing),
	  T(test_init_refuses_existing_node),
	  T(test_walks_stop_early_with_err_stop))
