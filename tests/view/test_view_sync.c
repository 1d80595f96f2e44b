/*
 * test_view_sync.c - where a record and its fields stand with the hub
 * (view/view_sync.c): an own write is "local" until the push checkpoint
 * passes it, then "hub"; a write received from another node is "hub"; a
 * write the hub refused is "refused" with its reason while it is the
 * field's latest; an open conflict makes the field and the record
 * "conflict"; the record takes its most pressing field's state; on the
 * hub everything is "hub"; an unknown record is not found.
 */
#include "tests/view/view_fixture.h"

#include "sync/sync.h"
#include "view/view_sync.h"

/* The state of field name in record id's sync view ("" when absent),
 * and the record's own, copied into rec (may be NULL). */
static const char *field_state(struct store *s, const struct id *id,
			       const char *name, char *rec, size_t n,
			       char *reason, size_t rn)
{
	static char st[16];
	json_t *o = NULL, *f;
	struct err e;

	err_init(&e);
	st[0] = 0;
	if (view_sync_record_json(s, id, &o, &e))
		return "error";
	f = json_object_get(json_object_get(o, "fields"), name);
	snprintf(st, sizeof(st), "%s", jstr_of(f, "state"));
	if (rec)
		snprintf(rec, n, "%s", jstr_of(o, "state"));
	if (reason)
		snprintf(reason, rn, "%s", jstr_of(f, "reason"));
	json_decref(o);
	return st;
}

static json_int_t pending_of(struct store *s, const struct id *id)
{
	json_t *o = NULL;
	json_int_t n;

	if (view_sync_record_json(s, id, &o, NULL))
		return -1;
	n = jint(o, "pending");
	json_decref(o);
	return n;
}

static void test_view_sync_local_hub_refused(void)
{
	struct store *a = fixture_node("polo", STORE_ROLE_NODE, "op.a");
	struct store_put_result r;
	char rec[16], reason[128];
	uint64_t seq = 0;
	json_t *o = NULL;

	CHECK(a);
	if (!a)
		return;
	CHECK_OK(put_json(a, "test_item", NULL,
			  "{\"title\":\"t\",\"count\":1}", &r));
	CHECK(!strcmp(field_state(a, &r.id, "title", rec, sizeof(rec), NULL,
				  0), "local"));
	CHECK(!strcmp(rec, "local"));
	CHECK(pending_of(a, &r.id) == 1);
	CHECK_OK(view_sync_record_json(a, &r.id, &o, NULL));
	CHECK(!strcmp(jstr_of(o, "label"), "salvato solo qui"));
	json_decref(o);

	/* The hub acknowledged everything so far. */
	CHECK_OK(store_last_seq(a, &seq, NULL));
	CHECK_OK(store_checkpoint_set(a, SYNC_CK_PUSH, seq, NULL));
	CHECK(!strcmp(field_state(a, &r.id, "count", rec, sizeof(rec), NULL,
				  0), "hub"));
	CHECK(!strcmp(rec, "hub"));
	CHECK(pending_of(a, &r.id) == 0);

	/* A later edit waits; the field it did not write does not. */
	CHECK_OK(put_json(a, "test_item", &r.id, "{\"count\":2}", NULL));
	CHECK(!strcmp(field_state(a, &r.id, "count", rec, sizeof(rec), NULL,
				  0), "local"));
	CHECK(!strcmp(rec, "local"));
	CHECK(!strcmp(field_state(a, &r.id, "title", NULL, 0, NULL, 0),
		      "hub"));

	/* The hub refuses that edit: refused, with its reason. */
	CHECK_OK(store_last_seq(a, &seq, NULL));
	CHECK_OK(store_reject_own(a, seq, "campo count: non consentito",
				  NULL));
	CHECK(!strcmp(field_state(a, &r.id, "count", rec, sizeof(rec),
				  reason, sizeof(reason)), "refused"));
	CHECK(!strcmp(rec, "refused"));
	CHECK(!strcmp(reason, "campo count: non consentito"));

	/* A new write of the field supersedes the refused one. */
	CHECK_OK(put_json(a, "test_item", &r.id, "{\"count\":3}", NULL));
	CHECK(!strcmp(field_state(a, &r.id, "count", rec, sizeof(rec), NULL,
				  0), "local"));
	CHECK(!strcmp(rec, "local"));
	store_close(a);
}

static void test_view_sync_received_and_conflict(void)
{
	struct store *a = fixture_node("polo", STORE_ROLE_NODE, "op.a");
	struct store *b = fixture_node("pda", STORE_ROLE_NODE, "op.b");
	struct store_put_result r;
	char rec[16];

	CHECK(a && b);
	if (!a || !b)
		goto out;
	CHECK_OK(put_json(a, "test_item", NULL,
			  "{\"title\":\"t\",\"count\":1}", &r));
	CHECK(ship(a, b) == 1);
	/* Received from elsewhere: it came through the hub. */
	CHECK(!strcmp(field_state(b, &r.id, "title", rec, sizeof(rec), NULL,
				  0), "hub"));
	CHECK(!strcmp(rec, "hub"));
	CHECK(pending_of(b, &r.id) == 0);

	CHECK_OK(put_json(a, "test_item", &r.id, "{\"title\":\"u\"}", NULL));
	CHECK_OK(put_json(b, "test_item", &r.id, "{\"title\":\"v\"}", NULL));
	CHECK(ship(b, a) == 1);
	CHECK(!strcmp(field_state(a, &r.id, "title", rec, sizeof(rec), NULL,
				  0), "conflict"));
	CHECK(!strcmp(rec, "conflict"));
	CHECK(!strcmp(field_state(a, &r.id, "count", NULL, 0, NULL, 0),
		      "local"));
out:
	store_close(a);
	store_close(b);
}

static void test_view_sync_hub_and_unknown(void)
{
	struct store *h = fixture_node("hub", STORE_ROLE_HUB, "op.h");
	struct store_put_result r;
	struct id none;
	json_t *o = NULL;
	char rec[16];

	CHECK(h);
	if (!h)
		return;
	CHECK_OK(put_json(h, "test_item", NULL, "{\"title\":\"t\"}", &r));
	CHECK(!strcmp(field_state(h, &r.id, "title", rec, sizeof(rec), NULL,
				  0), "hub"));
	CHECK(!strcmp(rec, "hub"));
	memset(&none, 0x5a, sizeof(none));
	CHECK(view_sync_record_json(h, &none, &o, NULL) == ERR_NOTFOUND);
	CHECK(o == NULL);
	store_close(h);
}

TEST_MAIN(T(test_view_sync_local_hub_refused),
	  T(test_view_sync_received_and_conflict),
	  T(test_view_sync_hub_and_unknown))
