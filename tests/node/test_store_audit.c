/*
 * test_store_audit.c - the audit trail (node/store_audit.h): entries for
 * writes and noted reads, chained; verify finds an entry removed, altered,
 * moved or cut from the tail; the hub's side takes a node's entries only
 * as a continuation of its chain; break-the-glass opens a record until it
 * expires.  A write's entry keeps the change it made, given to the push
 * only where that change wrote the entry's record and was not refused.
 */
#include "tests/node/store_fixture.h"

#include "node/store_audit.h"

static uint64_t now_ms = 1800000000000ull;

static uint64_t fake_clock(void *ctx)
{
	(void)ctx;
	return now_ms;
}

struct kept {
	struct store_audit_entry a[64];
	size_t n;
};

static int keep(void *ctx, const struct store_audit_entry *a)
{
	struct kept *k = ctx;

	if (k->n < 64)
		k->a[k->n++] = *a;
	return 0;
}

/* A node of its own with a person written, read and exported: entries
 * 1 (create), 2 (read), 3 (export). */
static struct store *node_with_entries(struct id *id)
{
	static int made;
	char name[32];
	struct store *s;
	struct store_put_result r;

	snprintf(name, sizeof(name), "polo-%d", ++made);
	s = fixture_node(name, STORE_ROLE_NODE, "m.rossi");

	if (!s || put_json(s, "person", NULL,
			   "{\"given_name\":\"Amina\",\"family_name\":\"D\","
			   "\"special_notes\":\"x\"}",
			   &r) ||
	    store_audit_note(s, "read", schema_collection("person"), &r.id, 1,
			     STORE_AUDIT_CARE, NULL) ||
	    store_audit_note(s, "export", schema_collection("person"), NULL,
			     1, STORE_AUDIT_REPORT, NULL)) {
		store_close(s);
		return NULL;
	}
	*id = r.id;
	return s;
}

static void test_audit_chain(void)
{
	struct kept k = { .n = 0 };
	struct id id;
	struct store *s = node_with_entries(&id);
	uint8_t zero[STORE_AUDIT_HASHBYTES] = { 0 };
	uint64_t n = 0;

	CHECK(s);
	if (!s)
		return;
	CHECK_OK(store_audit_list(s, NULL, keep, &k, NULL));
	CHECK(k.n == 3);
	CHECK(!strcmp(k.a[0].action, "create") && k.a[0].nseq == 1 &&
	      k.a[0].has_record && !id_cmp(&k.a[0].record, &id));
	CHECK(!memcmp(k.a[0].prev, zero, sizeof(zero)));
	CHECK(!memcmp(k.a[1].prev, k.a[0].hash, sizeof(zero)));
	CHECK(!strcmp(k.a[2].action, "export") && !k.a[2].has_record);
	CHECK(!strcmp(k.a[0].role, "coordinatore"));
	CHECK_OK(store_audit_check(&k.a[1], NULL));
	k.a[1].count = 2;
	CHECK(store_audit_check(&k.a[1], NULL) == ERR_INVALID);
	CHECK(store_audit_note(s, "Read!", NULL, NULL, 1, STORE_AUDIT_CARE,
			       NULL) == ERR_INVALID);
	CHECK_OK(store_audit_verify(s, &n, NULL));
	CHECK(n == 3);
	CHECK_OK(store_verify(s, NULL, NULL));
	store_close(s);
}

struct own_changes {
	uint64_t seq[8];
	struct id record[8];
	size_t n;
};

static int keep_change(void *ctx, const struct store_change *c)
{
	struct own_changes *o = ctx;

	if (o->n < 8) {
		o->seq[o->n] = c->seq;
		o->record[o->n++] = c->record;
	}
	return 0;
}

static void test_audit_names_its_change(void)
{
	struct kept k = { .n = 0 }, again = { .n = 0 }, all = { .n = 0 };
	struct own_changes o = { .n = 0 };
	struct store_put_result r;
	struct id id;
	struct store *s = node_with_entries(&id);

	CHECK(s && put_json(s, "person", NULL,
			    "{\"given_name\":\"Ali\",\"family_name\":\"K\"}",
			    &r) == 0);
	if (!s)
		return;
	CHECK_OK(store_log_own(s, 0, 0, STORE_VALUES_NONE, keep_change, &o,
			       NULL));
	CHECK_OK(store_audit_own(s, 0, 0, keep, &k, NULL));
	CHECK(o.n == 2 && k.n == 4);
	/* Entries 1 and 4 are the writes, each with the change it made;
	 * the read and the export name none. */
	CHECK(k.a[0].chg == o.seq[0] && !id_cmp(&o.record[0], &k.a[0].record));
	CHECK(k.a[3].chg == o.seq[1] && !id_cmp(&o.record[1], &k.a[3].record));
	CHECK(k.a[1].chg == 0 && k.a[2].chg == 0);
	/* The trail as a reader lists it carries none. */
	CHECK_OK(store_audit_list(s, NULL, keep, &all, NULL));
	CHECK(all.n == 4 && all.a[0].chg == 0);
	/* A number planted on the disk (entry 4 naming the change of entry
	 * 1, another record's) is not given: the push then names the
	 * record, and the MAC'd columns are untouched. */
	s = fixture_tamper(s, "UPDATE audit SET chg = (SELECT chg FROM audit "
			   "WHERE nseq = 1) WHERE nseq = 4", "m.rossi");
	CHECK(s != NULL);
	if (!s)
		return;
	CHECK_OK(store_audit_own(s, 0, 0, keep, &again, NULL));
	CHECK(again.n == 4 && again.a[0].chg == o.seq[0] &&
	      again.a[3].chg == 0 && again.a[3].has_record);
	/* A change the hub refused may not be held there: not named. */
	CHECK_OK(store_reject_own_number(s, o.seq[0], "test", NULL));
	again.n = 0;
	CHECK_OK(store_audit_own(s, 0, 0, keep, &again, NULL));
	CHECK(again.n == 4 && again.a[0].chg == 0 && again.a[0].has_record);
	store_close(s);
}

/* verify after sql, on a fresh node with its entries. */
static int verify_after(const char *sql, const char *want)
{
	struct id id;
	struct store *s = node_with_entries(&id);
	uint64_t n = 0;
	struct err e;
	int rc;

	if (!s)
		return -100;
	s = fixture_tamper(s, sql, "m.rossi");
	if (!s)
		return -101;
	err_init(&e);
	rc = store_audit_verify(s, &n, &e);
	if (rc && want && !strstr(e.msg, want)) {
		fprintf(stderr, "    verify said: %s\n", e.msg);
		rc = -102;
	}
	store_close(s);
	return rc;
}

static void test_audit_tamper(void)
{
	CHECK(verify_after("DELETE FROM audit WHERE nseq = 2", "missing") ==
	      ERR_CORRUPT);
	CHECK(verify_after("UPDATE audit SET operator = 'x' WHERE nseq = 1",
			   "altered") == ERR_CORRUPT);
	CHECK(verify_after("UPDATE audit SET nseq = 9 WHERE nseq = 1;"
			   "UPDATE audit SET nseq = 1 WHERE nseq = 2;"
			   "UPDATE audit SET nseq = 2 WHERE nseq = 9",
			   "does not follow") == ERR_CORRUPT);
	CHECK(verify_after("DELETE FROM audit WHERE nseq = 3", "mark") ==
	      ERR_CORRUPT);
	/* Re-hashing a moved entry does not help without the MAC key. */
	CHECK(verify_after("UPDATE audit SET glass = 1 WHERE nseq = 2",
			   "altered") == ERR_CORRUPT);
}

/* A node's three entries kept in *k, and a new hub to send them to (NULL
 * when either could not be made). */
static struct store *hub_and_entries(struct kept *k)
{
	struct id id;
	struct store *s = node_with_entries(&id);
	int rc = s ? store_audit_own(s, 0, 0, keep, k, NULL) : ERR_FAIL;

	store_close(s);
	if (rc || k->n != 3)
		return NULL;
	return fixture_node("hub", STORE_ROLE_HUB, "m.rossi");
}

static void test_audit_hub_receives(void)
{
	struct kept k = { .n = 0 };
	struct store *hub = hub_and_entries(&k);
	struct store_audit_entry bad;
	uint64_t last = 0, n = 0;

	CHECK(hub);
	/* Not from the start: refused. */
	CHECK(store_audit_receive(hub, &k.a[1], NULL) == ERR_CONFLICT);
	for (size_t i = 0; i < k.n; i++)
		CHECK_OK(store_audit_receive(hub, &k.a[i], NULL));
	/* Again: no change. */
	CHECK_OK(store_audit_receive(hub, &k.a[2], NULL));
	CHECK_OK(store_audit_last(hub, &k.a[0].node, &last, NULL, NULL));
	CHECK(last == 3);
	/* The same number with another content: a rewritten trail. */
	bad = k.a[2];
	bad.count = 7;
	store_audit_hash(&bad, bad.hash);
	CHECK(store_audit_receive(hub, &bad, NULL) == ERR_CONFLICT);
	/* A next entry that does not follow the held one. */
	bad.nseq = 4;
	store_audit_hash(&bad, bad.hash);
	CHECK(store_audit_receive(hub, &bad, NULL) == ERR_CONFLICT);
	/* A forged hash. */
	bad = k.a[2];
	bad.nseq = 4;
	memcpy(bad.prev, k.a[2].hash, sizeof(bad.prev));
	CHECK(store_audit_receive(hub, &bad, NULL) == ERR_INVALID);
	CHECK_OK(store_audit_verify(hub, &n, NULL));
	CHECK(n == 3);
	store_close(hub);
}

/* A page goes in whole or not at all, each entry checked against the one
 * before it in the page, and of one node only. */
static void test_audit_hub_receives_a_page(void)
{
	struct kept k = { .n = 0 };
	struct store *hub = hub_and_entries(&k);
	struct store_audit_entry page[3];
	uint64_t last = 0, anchor = 9, n = 0;

	CHECK(hub);
	/* The last entry's prev broken (and its hash made to match): the
	 * first two, valid, are not kept either. */
	memcpy(page, k.a, sizeof(page));
	page[2].prev[0] ^= 1;
	store_audit_hash(&page[2], page[2].hash);
	CHECK(store_audit_receive_page(hub, page, 3, &anchor, NULL) ==
	      ERR_CONFLICT);
	CHECK_OK(store_audit_last(hub, &k.a[0].node, &last, NULL, NULL));
	CHECK(last == 0);
	/* Another node's entry in the page. */
	memcpy(page, k.a, sizeof(page));
	page[1].node.b[0] ^= 1;
	CHECK(store_audit_receive_page(hub, page, 3, &anchor, NULL) ==
	      ERR_INVALID);
	/* The page as it is: all three, no anchor. */
	CHECK_OK(store_audit_receive_page(hub, k.a, 3, &anchor, NULL));
	CHECK(anchor == 0);
	CHECK_OK(store_audit_last(hub, &k.a[0].node, &last, NULL, NULL));
	CHECK(last == 3);
	/* Sent again: no change. */
	CHECK_OK(store_audit_receive_page(hub, k.a, 3, NULL, NULL));
	CHECK_OK(store_audit_verify(hub, &n, NULL));
	CHECK(n == 3);
	store_close(hub);
}

/* A node restored from a backup is behind the hub's copy of its trail:
 * its entries the hub never took go on after the hub's last one. */
static void test_audit_align_after_restore(void)
{
	struct kept k = { .n = 0 }, k2 = { .n = 0 };
	struct id id;
	struct store *s = node_with_entries(&id);
	struct store *hub = NULL;
	uint8_t hub_hash[STORE_AUDIT_HASHBYTES];
	uint64_t hub_last = 0, moved = 0, n = 0;
	char node_dir[4200];

	CHECK(s);
	if (!s)
		return;
	snprintf(node_dir, sizeof(node_dir), "%s", dir);
	/* Entries 4 and 5 reach the hub too. */
	CHECK_OK(store_audit_note(s, "read", NULL, &id, 1, STORE_AUDIT_CARE,
				  NULL));
	CHECK_OK(store_audit_note(s, "read", NULL, &id, 1, STORE_AUDIT_CARE,
				  NULL));
	CHECK_OK(store_audit_own(s, 0, 0, keep, &k, NULL));
	CHECK(k.n == 5);
	store_close(s);
	hub = fixture_node("hub-align", STORE_ROLE_HUB, "m.rossi");
	CHECK(hub);
	if (!hub)
		return;
	for (size_t i = 0; i < k.n; i++)
		CHECK_OK(store_audit_receive(hub, &k.a[i], NULL));
	CHECK_OK(store_audit_last(hub, &k.a[0].node, &hub_last, hub_hash,
				  NULL));
	CHECK(hub_last == 5);
	/* The node as its backup had it: up to 3, acknowledged to 3; then
	 * two reads of its own after the restore, numbered 4 and 5 again. */
	snprintf(dir, sizeof(dir), "%s", node_dir);
	s = fixture_tamper(NULL, "DELETE FROM audit WHERE nseq > 3",
			   "m.rossi");
	CHECK(s);
	if (!s) {
		store_close(hub);
		return;
	}
	CHECK_OK(store_audit_note(s, "list", schema_collection("person"),
				  NULL, 0, STORE_AUDIT_CARE, NULL));
	CHECK_OK(store_audit_note(s, "list", schema_collection("person"),
				  NULL, 0, STORE_AUDIT_CARE, NULL));
	/* Sent as they are, the hub would refuse them. */
	k2.n = 0;
	CHECK_OK(store_audit_own(s, 5, 0, keep, &k2, NULL));
	CHECK(k2.n == 0);
	CHECK_OK(store_audit_align(s, hub_last, hub_hash, 3, &moved, NULL));
	CHECK(moved == 2);
	CHECK_OK(store_audit_verify(s, &n, NULL));
	CHECK_OK(store_audit_own(s, 5, 0, keep, &k2, NULL));
	CHECK(k2.n == 2 && k2.a[0].nseq == 6 && k2.a[1].nseq == 7 &&
	      !strcmp(k2.a[0].action, "list"));
	for (size_t i = 0; i < k2.n; i++)
		CHECK_OK(store_audit_receive(hub, &k2.a[i], NULL));
	CHECK_OK(store_audit_verify(hub, &n, NULL));
	CHECK(n == 7);
	/* Aligned already: nothing more moves. */
	CHECK_OK(store_audit_align(s, 7, k2.a[1].hash, 7, &moved, NULL));
	CHECK(moved == 0);
	store_close(s);
	store_close(hub);
}

static void test_glass_expires(void)
{
	struct store *s = fresh();
	struct store_secret mario = secret_of("mario");
	struct store_put_result r;
	struct store_record rec;
	uint64_t until = 0;
	struct kept k = { .n = 0 };

	CHECK(s);
	if (!s)
		return;
	store_set_clock(s, fake_clock, NULL);
	CHECK_OK(put_json(s, "person", NULL,
			  "{\"given_name\":\"A\",\"family_name\":\"D\","
			  "\"special_notes\":\"riservata\"}",
			  &r));
	mario.role = "mediatore";
	CHECK_OK(store_operator_add(s, &mario, NULL));
	CHECK(store_glass_open(s, &r.id, "necessita_sanitaria", 10, NULL,
			       NULL) == ERR_INVALID); /* reads all already */
	CHECK_OK(store_unlock(s, &mario, NULL));
	CHECK(store_glass_open(s, &r.id, "curiosita", 10, NULL, NULL) ==
	      ERR_INVALID);
	CHECK(store_glass_open(s, &r.id, "necessita_sanitaria", 0, NULL,
			       NULL) == ERR_INVALID);
	store_record_init(&rec);
	CHECK_OK(store_get(s, &r.id, &rec, NULL));
	CHECK(!json_object_get(rec.fields, "special_notes"));
	CHECK_OK(store_glass_open(s, &r.id, "necessita_sanitaria", 10, &until,
				  NULL));
	CHECK(until == now_ms + 600000);
	CHECK_OK(store_get(s, &r.id, &rec, NULL));
	CHECK(json_object_get(rec.fields, "special_notes") != NULL);
	/* Reading is all it opens. */
	CHECK(put_json(s, "person", &r.id, "{\"special_notes\":\"y\"}", NULL) ==
	      ERR_DENIED);
	now_ms += 600001;
	CHECK_OK(store_get(s, &r.id, &rec, NULL));
	CHECK(!json_object_get(rec.fields, "special_notes"));
	store_record_release(&rec);
	s = reopen(s);
	CHECK(s);
	if (!s)
		return;
	CHECK_OK(store_audit_list(s, NULL, keep, &k, NULL));
	CHECK(k.n >= 2);
	CHECK(!strcmp(k.a[k.n - 1].action, "glass") && k.a[k.n - 1].glass &&
	      !strcmp(k.a[k.n - 1].purpose, "necessita_sanitaria") &&
	      !strcmp(k.a[k.n - 1].operator, "mario"));
	store_close(s);
}

TEST_MAIN(T(test_audit_chain), T(test_audit_tamper),
	  T(test_audit_names_its_change),
	  T(test_audit_hub_receives), T(test_audit_hub_receives_a_page),
	  T(test_audit_align_after_restore),
	  T(test_glass_expires))
