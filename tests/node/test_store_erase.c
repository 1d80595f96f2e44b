/*
 * test_store_erase.c - per-person keys and erasure by key destruction
 * (node/store_pkey.h, node/store_erase.h): a person's records sealed
 * under the person's key and the rest under the data key; erasing on the
 * hub leaves only non-personal values, takes the history, destroys the
 * key, refuses every later write, and makes a data backup from before
 * unreadable even with the keys backed up after; a node applies the
 * hub's decision once; rotation carries the keys.
 */
#include "tests/node/store_fixture.h"

#include "node/store_backup.h"
#include "node/store_erase.h"
#include "node/store_pkey.h"

/* A person with a case and a service under it on s; ids out. */
static int person_with_case(struct store *s, const char *name,
			    struct id *person, struct id *kase,
			    struct id *svc)
{
	char json[320], id[ID_TEXT_LEN + 1];
	struct store_put_result r;
	int rc;

	snprintf(json, sizeof(json),
		 "{\"given_name\":\"%s\",\"family_name\":\"Zed\","
		 "\"birth_date\":\"1990-01-02\"}",
		 name);
	rc = put_json(s, "person", NULL, json, &r);
	if (rc)
		return rc;
	*person = r.id;
	id_format(person, id);
	snprintf(json, sizeof(json),
		 "{\"person_id\":\"%s\",\"region\":\"Puglia\",\"stage\":"
		 "\"intake\"}",
		 id);
	rc = put_json(s, "case", NULL, json, &r);
	if (rc)
		return rc;
	*kase = r.id;
	id_format(kase, id);
	snprintf(json, sizeof(json),
		 "{\"case_id\":\"%s\",\"service_type\":\"legal_advice\","
		 "\"date\":\"2026-01-02\",\"note\":\"colloquio %s\"}",
		 id, name);
	rc = put_json(s, "service", NULL, json, &r);
	if (!rc)
		*svc = r.id;
	return rc;
}

/* The first byte of record id's box, read as an attacker would. */
static int box_format(const char *d, const struct id *id)
{
	char path[4400];
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int f = -1;

	snprintf(path, sizeof(path), "%s/presidio.db", d);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == 0 &&
	    sqlite3_prepare_v2(db, "SELECT substr(body, 1, 1) FROM record "
				   "WHERE id = ?1",
			       -1, &st, NULL) == 0) {
		sqlite3_bind_blob(st, 1, id->b, ID_BYTES, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW &&
		    sqlite3_column_bytes(st, 0) == 1)
			f = ((const uint8_t *)sqlite3_column_blob(st, 0))[0];
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return f;
}

static int count_cb(void *ctx, const struct store_change *c)
{
	(void)c;
	(*(size_t *)ctx)++;
	return 0;
}

static void test_person_records_under_their_key(void)
{
	struct store *s = fixture_node("pk", STORE_ROLE_NODE, "m.rossi");
	struct id p, k, v, q, qk, qv;
	uint64_t n = 0;

	CHECK(s);
	if (!s)
		return;
	CHECK_OK(person_with_case(s, "Amina", &p, &k, &v));
	CHECK_OK(person_with_case(s, "Blessing", &q, &qk, &qv));
	/* The person, the case about it and the service under the case:
	 * owned boxes (format 2), each person's own key. */
	CHECK(box_format(dir, &p) == 2 && box_format(dir, &k) == 2 &&
	      box_format(dir, &v) == 2);
	CHECK_OK(store_pkey_count(s, &n, NULL));
	CHECK(n == 2);
	/* Reopened, with the cache gone, they open again. */
	s = reopen(s);
	CHECK(s);
	if (!s)
		return;
	{
		struct store_record r;

		store_record_init(&r);
		CHECK_OK(store_get(s, &v, &r, NULL));
		CHECK(!strcmp(json_string_value(json_object_get(r.fields,
								"note")),
			      "colloquio Amina"));
		store_record_release(&r);
	}
	/* A rotation moves the keys to the new data key; all opens. */
	CHECK_OK(store_key_rotate(s, NULL, NULL, NULL));
	CHECK_OK(store_verify(s, NULL, NULL));
	store_close(s);
}

static void test_erase_on_the_hub(void)
{
	struct store *h = fixture_node("hub-e", STORE_ROLE_HUB, "focal");
	struct id p, k, v, q, qk, qv;
	struct store_record r;
	struct store_erasure d;
	char data_before[4400], keys_after[4400], to[4400], cid[40];
	char hubdir[4300];
	size_t hist = 0;
	uint64_t n = 0;
	struct err e;
	int marked = 0;

	CHECK(h);
	if (!h)
		return;
	snprintf(hubdir, sizeof(hubdir), "%s", dir);
	CHECK_OK(person_with_case(h, "Amina", &p, &k, &v));
	CHECK_OK(person_with_case(h, "Blessing", &q, &qk, &qv));
	snprintf(data_before, sizeof(data_before), "%s/before.pb",
		 test_tmpdir());
	CHECK_OK(store_backup(h, data_before, NULL, NULL));

	err_init(&e);
	CHECK(store_erase_decide(h, &p, "nope", NULL, &e) == ERR_INVALID);
	CHECK_OK(store_erase_decide(h, &p, STORE_ERASE_REQUEST, &d, NULL));
	CHECK(d.records == 3 && !id_cmp(&d.person, &p) && d.seq == 1 &&
	      !strcmp(d.operator, "focal"));
	CHECK(store_erase_decide(h, &p, STORE_ERASE_REQUEST, NULL, NULL) ==
	      ERR_EXISTS);
	CHECK_OK(store_pkey_count(h, &n, NULL));
	CHECK(n == 1);

	/* What counts stays, what is personal went, history too. */
	store_record_init(&r);
	CHECK_OK(store_get(h, &k, &r, NULL));
	CHECK(!strcmp(json_string_value(json_object_get(r.fields, "region")),
		      "Puglia"));
	CHECK(json_object_get(r.fields, "person_id"));
	store_record_release(&r);
	store_record_init(&r);
	CHECK_OK(store_get(h, &p, &r, NULL));
	CHECK(!json_object_get(r.fields, "given_name") &&
	      !json_object_get(r.fields, "birth_date"));
	store_record_release(&r);
	store_record_init(&r);
	CHECK_OK(store_get(h, &v, &r, NULL));
	CHECK(!json_object_get(r.fields, "note") &&
	      json_object_get(r.fields, "service_type"));
	store_record_release(&r);
	CHECK_OK(store_history(h, &v, count_cb, &hist, NULL));
	CHECK(hist == 0);
	CHECK(box_format(hubdir, &k) == 1);
	/* Nothing of the person is written again. */
	CHECK(put_json(h, "case", &k, "{\"stage\":\"closed\"}", NULL) ==
	      ERR_GONE);
	id_format(&k, cid);
	{
		char json[200];

		snprintf(json, sizeof(json),
			 "{\"case_id\":\"%s\",\"service_type\":"
			 "\"legal_advice\",\"date\":\"2026-02-02\"}",
			 cid);
		CHECK(put_json(h, "service", NULL, json, NULL) == ERR_GONE);
	}
	CHECK(put_json(h, "person", &p, "{\"given_name\":\"X\"}", NULL) ==
	      ERR_GONE);
	/* The other person is untouched. */
	store_record_init(&r);
	CHECK_OK(store_get(h, &qv, &r, NULL));
	CHECK(!strcmp(json_string_value(json_object_get(r.fields, "note")),
		      "colloquio Blessing"));
	store_record_release(&r);
	CHECK_OK(store_verify(h, NULL, NULL));

	/* The data backup from before, with keys backed up after: Amina
	 * does not open, Blessing does. */
	snprintf(keys_after, sizeof(keys_after), "%s/after.keys",
		 test_tmpdir());
	CHECK_OK(store_backup_keys(h, keys_after, NULL, NULL));
	store_close(h);
	snprintf(to, sizeof(to), "%s/hub-restored", test_tmpdir());
	CHECK_OK(store_restore(to, data_before, keys_after, 0, NULL, NULL, 0,
			       &marked, NULL));
	{
		struct store_secret sec = secret_of("focal");

		h = NULL;
		CHECK_OK(store_open(&h, to, NULL));
		CHECK_OK(store_unlock(h, &sec, NULL));
	}
	store_record_init(&r);
	err_init(&e);
	CHECK(store_get(h, &v, &r, &e) == ERR_NOTFOUND);
	CHECK(strstr(e.msg, "erased"));
	store_record_release(&r);
	store_record_init(&r);
	CHECK_OK(store_get(h, &qv, &r, NULL));
	store_record_release(&r);
	/* As the restored hub recovers, the records with no key go, and its
	 * list says so again for the nodes. */
	CHECK_OK(store_erase_orphans(h, &n, NULL));
	CHECK(n == 1);
	store_record_init(&r);
	CHECK(store_get(h, &v, &r, NULL) == ERR_NOTFOUND);
	store_record_release(&r);
	CHECK_OK(store_erase_orphans(h, &n, NULL));
	CHECK(n == 0);
	CHECK_OK(store_erasure_last(h, &n, NULL));
	CHECK(n == 1);
	CHECK_OK(store_verify(h, NULL, NULL));
	store_close(h);
}

static void test_roles_and_apply(void)
{
	struct store *n = fixture_node("node-e", STORE_ROLE_NODE, "m.rossi");
	struct store_erasure d;
	struct id p, k, v;
	uint64_t records = 9;
	size_t hist = 0;
	struct err e;

	CHECK(n);
	if (!n)
		return;
	CHECK_OK(person_with_case(n, "Amina", &p, &k, &v));
	err_init(&e);
	/* Decided only on the hub. */
	CHECK(store_erase_decide(n, &p, STORE_ERASE_REQUEST, NULL, &e) ==
	      ERR_INVALID);
	memset(&d, 0, sizeof(d));
	d.person = p;
	snprintf(d.reason, sizeof(d.reason), "%s", STORE_ERASE_RETENTION);
	snprintf(d.operator, sizeof(d.operator), "focal");
	CHECK_OK(store_erase_apply(n, &d, &records, NULL));
	CHECK(records == 3);
	CHECK_OK(store_erase_apply(n, &d, &records, NULL));
	CHECK(records == 0);
	/* No entry is left: the history is empty. */
	CHECK_OK(store_history(n, &p, count_cb, &hist, NULL));
	CHECK(hist == 0);
	snprintf(d.reason, sizeof(d.reason), "boh");
	CHECK(store_erase_apply(n, &d, &records, NULL) == ERR_INVALID);
	CHECK_OK(store_verify(n, NULL, NULL));
	store_close(n);

	/* On the hub, only those who manage its operators decide. */
	n = fixture_node("hub-r", STORE_ROLE_HUB, "focal");
	CHECK(n);
	if (!n)
		return;
	CHECK_OK(person_with_case(n, "Amina", &p, &k, &v));
	{
		struct store_secret other = secret_of("a.social");

		other.role = "assistente_sociale";
		CHECK_OK(store_operator_add(n, &other, NULL));
		CHECK_OK(store_unlock(n, &other, NULL));
	}
	CHECK(store_erase_decide(n, &p, STORE_ERASE_REQUEST, NULL, NULL) ==
	      ERR_DENIED);
	store_close(n);
}

struct named {
	size_t n, with_name;
};

static int count_named(void *ctx, const struct store_record *r)
{
	struct named *w = ctx;

	w->n++;
	if (json_object_get(r->fields, "given_name"))
		w->with_name++;
	return 0;
}

/* Past a few hundred misses a handle loads every key at once; an erasure
 * drops that table too. */
static void test_many_persons_keys_loaded_at_once(void)
{
	struct store *h = fixture_node("hub-many", STORE_ROLE_HUB, "focal");
	struct store_secret sec = secret_of("focal");
	struct store_put_result r;
	struct named w = { 0, 0 };
	struct id mid;

	CHECK(h);
	if (!h)
		return;
	CHECK_OK(store_begin(h, NULL));
	for (int i = 0; i < 700; i++) {
		CHECK_OK(put_json(h, "person", NULL,
				  "{\"given_name\":\"Molti\",\"family_name\":\"Z\"}", &r));
		if (i == 350)
			mid = r.id;
	}
	CHECK_OK(store_commit(h, NULL));
	store_close(h);
	h = NULL;
	CHECK_OK(store_open(&h, dir, NULL));
	CHECK_OK(store_unlock(h, &sec, NULL));
	CHECK_OK(store_list(h, "person", 0, count_named, &w, NULL));
	CHECK(w.n == 700 && w.with_name == 700);
	CHECK_OK(store_erase_decide(h, &mid, STORE_ERASE_REQUEST, NULL, NULL));
	w.n = w.with_name = 0;
	CHECK_OK(store_list(h, "person", 0, count_named, &w, NULL));
	CHECK(w.n == 700 && w.with_name == 699);
	store_close(h);
}

int main(int argc, char **argv)
{
	static const struct test tests[] = {
		T(test_person_records_under_their_key),
		T(test_many_persons_keys_loaded_at_once),
		T(test_erase_on_the_hub),
		T(test_roles_and_apply),
	};

	return test_run(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
