/*
 * test_store_merge.c - the merge inside the store: two or three real
 * stores exchange their change logs the way sync will (store_log() on one
 * side, store_apply() on the other) and must agree, keep conflicts open
 * until resolved, refuse authority writes from nodes, refuse clocks far
 * ahead, take every change only once, and see a set written in another
 * order as the same set.
 */
#include "tests/node/store_fixture.h"

#include <time.h>

/* A node of its own in test_tmpdir()/NAME. */
static struct store *node_named(const char *name, enum store_role role)
{
	return fixture_node(name, role, "op.ahmed");
}

/* Every change of from's log into to; the number applied (-1 on error). */
static long ship(struct store *from, struct store *to)
{
	struct fixture_ship sh;

	if (fixture_ship(from, to, NULL, &sh))
		return -1;
	return (long)sh.applied;
}

struct seen {
	int n;
	struct store_conflict first;
	char field[64];
	json_t *current, *other;
};

static int see(void *ctx, const struct store_conflict *c)
{
	struct seen *k = ctx;

	if (!k->n++) {
		k->first = *c;
		snprintf(k->field, sizeof(k->field), "%s",
			 c->field ? c->field : "");
		k->current = json_incref((json_t *)c->current.value);
		k->other = json_incref((json_t *)c->other.value);
	}
	return 0;
}

static void seen_release(struct seen *k)
{
	json_decref(k->current);
	json_decref(k->other);
	memset(k, 0, sizeof(*k));
}

static json_int_t int_field(struct store *s, const struct id *id,
			    const char *name)
{
	struct store_record r;
	json_int_t v = -1;

	store_record_init(&r);
	if (store_get(s, id, &r, NULL) == 0)
		v = json_integer_value(json_object_get(r.fields, name));
	store_record_release(&r);
	return v;
}

static int is_deleted(struct store *s, const struct id *id)
{
	struct store_record r;
	int d = -1;

	store_record_init(&r);
	if (store_get(s, id, &r, NULL) == 0)
		d = r.deleted;
	store_record_release(&r);
	return d;
}

static int count_conflicts(struct store *s)
{
	struct seen k;
	int n;

	memset(&k, 0, sizeof(k));
	if (store_conflicts(s, NULL, see, &k, NULL))
		return -1;
	n = k.n;
	seen_release(&k);
	return n;
}

/* Same field edited on two nodes: one value wins everywhere, the other
 * stays an open conflict with who and what, until a resolution that
 * closes it on both. */
static void test_store_merge_concurrent_edit_conflict_and_resolution(void)
{
	struct store *a = node_named("polo", STORE_ROLE_NODE);
	struct store *b = node_named("pda", STORE_ROLE_NODE);
	struct store_put_result r;
	struct seen k;

	memset(&k, 0, sizeof(k));
	CHECK(a && b);
	CHECK_OK(put_json(a, "test_item", NULL,
			  "{\"title\":\"t\",\"count\":1,\"color\":\"red\"}",
			  &r));
	CHECK(ship(a, b) == 1);
	/* Offline: both change count, and a changes another field. */
	CHECK_OK(put_json(a, "test_item", &r.id,
			  "{\"count\":2,\"color\":\"blue\"}", NULL));
	CHECK_OK(put_json(b, "test_item", &r.id, "{\"count\":3}", NULL));
	CHECK(ship(a, b) == 1);
	CHECK(ship(b, a) == 1);
	CHECK(ship(a, b) == 0); /* nothing new either way */
	CHECK(int_field(a, &r.id, "count") == int_field(b, &r.id, "count"));
	CHECK(count_conflicts(a) == 1 && count_conflicts(b) == 1);
	CHECK_OK(store_conflicts(a, &r.id, see, &k, NULL));
	CHECK(k.n == 1 && !strcmp(k.field, "count"));
	CHECK(k.first.kind == MERGE_CONFLICT_FIELD);
	CHECK(json_integer_value(k.current) + json_integer_value(k.other) == 5);
	CHECK(!strcmp(k.first.other.operator, "op.ahmed"));
	/* The other field's edit survived. */
	struct store_record rec;
	store_record_init(&rec);
	CHECK_OK(store_get(b, &r.id, &rec, NULL));
	CHECK(!strcmp(json_string_value(json_object_get(rec.fields, "color")),
		      "blue"));
	store_record_release(&rec);
	/* b settles it with the value that lost, a learns it. */
	json_t *v = json_integer(json_integer_value(k.other));
	CHECK_OK(store_resolve(b, &r.id, "count", v, NULL, NULL));
	json_decref(v);
	CHECK(ship(b, a) == 1);
	CHECK(count_conflicts(a) == 0 && count_conflicts(b) == 0);
	CHECK(int_field(a, &r.id, "count") == json_integer_value(k.other));
	CHECK(int_field(b, &r.id, "count") == json_integer_value(k.other));
	seen_release(&k);
	store_close(a);
	store_close(b);
}

/* The marks (an ENUM_SET) of a record, comma-separated, in a static
 * buffer; "?" when not held. */
static const char *marks_of(struct store *s, const struct id *id)
{
	static char out[128];
	struct store_record rec;
	const json_t *v;
	size_t n = 0, i;
	json_t *x;

	snprintf(out, sizeof(out), "?");
	store_record_init(&rec);
	if (store_get(s, id, &rec, NULL) == 0 &&
	    (v = json_object_get(rec.fields, "marks")) != NULL) {
		out[0] = '\0';
		json_array_foreach(v, i, x) {
			int w = snprintf(out + n, sizeof(out) - n, "%s%s",
					 i ? "," : "", json_string_value(x));

			if (w < 0 || (size_t)w >= sizeof(out) - n)
				break;
			n += (size_t)w;
		}
	}
	store_record_release(&rec);
	return out;
}

/* A set is kept in its declaration order (schema/enumset.h): writing it
 * again in another order is no change, and two nodes writing the same set
 * in different orders agree without a conflict. */
static void test_store_merge_enum_set_order(void)
{
	struct store *a = node_named("polo", STORE_ROLE_NODE);
	struct store *b = node_named("pda", STORE_ROLE_NODE);
	struct store_put_result r, r2, again;
	json_t *set = NULL;

	CHECK(a && b);
	CHECK_OK(put_json(a, "test_item", NULL,
			  "{\"title\":\"t\",\"marks\":[\"shared\","
			  "\"urgent\"]}", &r));
	CHECK(!strcmp(marks_of(a, &r.id), "urgent,shared"));
	CHECK_OK(put_json(a, "test_item", &r.id,
			  "{\"marks\":[\"urgent\",\"shared\"]}", &again));
	CHECK(again.changed == 0);
	CHECK(ship(a, b) == 1);
	/* Offline, the same set in two orders. */
	CHECK_OK(put_json(a, "test_item", &r.id,
			  "{\"marks\":[\"archived\",\"checked\"]}", NULL));
	CHECK_OK(put_json(b, "test_item", &r.id,
			  "{\"marks\":[\"checked\",\"archived\"]}", NULL));
	CHECK(ship(a, b) == 1 && ship(b, a) == 1);
	CHECK(count_conflicts(a) == 0 && count_conflicts(b) == 0);
	CHECK(!strcmp(marks_of(a, &r.id), "checked,archived"));
	CHECK(!strcmp(marks_of(b, &r.id), "checked,archived"));
	/* Two sets: a conflict, settled with a set given in another order,
	 * kept in the one order. */
	CHECK_OK(put_json(a, "test_item", NULL, "{\"title\":\"u\"}", &r2));
	CHECK(ship(a, b) == 1);
	CHECK_OK(put_json(a, "test_item", &r2.id, "{\"marks\":[\"urgent\"]}",
			  NULL));
	CHECK_OK(put_json(b, "test_item", &r2.id, "{\"marks\":[\"shared\"]}",
			  NULL));
	CHECK(ship(a, b) == 1 && ship(b, a) == 1);
	CHECK(count_conflicts(a) == 1);
	set = json_loads("[\"shared\",\"urgent\"]", 0, NULL);
	CHECK_OK(store_resolve(a, &r2.id, "marks", set, NULL, NULL));
	CHECK(!strcmp(marks_of(a, &r2.id), "urgent,shared"));
	CHECK(ship(a, b) == 1);
	CHECK(count_conflicts(b) == 0);
	CHECK(!strcmp(marks_of(b, &r2.id), "urgent,shared"));
	json_decref(set);
	store_close(a);
	store_close(b);
}

/* A delete on one node and an edit on another: neither is lost, both
 * see the conflict; undeleting keeps the edit. */
static void test_store_merge_delete_against_edit(void)
{
	struct store *a = node_named("polo", STORE_ROLE_NODE);
	struct store *b = node_named("pda", STORE_ROLE_NODE);
	struct store_put_result r;
	struct seen k;

	memset(&k, 0, sizeof(k));
	CHECK(a && b);
	CHECK_OK(put_json(a, "test_item", NULL, "{\"title\":\"t\"}", &r));
	CHECK(ship(a, b) == 1);
	CHECK_OK(store_delete(a, &r.id, NULL));
	CHECK_OK(put_json(b, "test_item", &r.id, "{\"count\":7}", NULL));
	CHECK(ship(a, b) == 1 && ship(b, a) == 1);
	CHECK(is_deleted(a, &r.id) == 1 && is_deleted(b, &r.id) == 1);
	CHECK_OK(store_conflicts(a, NULL, see, &k, NULL));
	CHECK(k.n == 1 && k.first.kind == MERGE_CONFLICT_DELETE);
	CHECK(!strcmp(k.field, "count") && json_integer_value(k.other) == 7);
	seen_release(&k);
	CHECK(count_conflicts(b) == 1);
	/* Values edited concurrently are kept in the tombstone. */
	CHECK(int_field(a, &r.id, "count") == 7);
	CHECK_OK(store_resolve_delete(a, &r.id, 0, NULL));
	CHECK(ship(a, b) == 1);
	CHECK(is_deleted(a, &r.id) == 0 && is_deleted(b, &r.id) == 0);
	CHECK(int_field(b, &r.id, "count") == 7);
	CHECK(count_conflicts(a) == 0 && count_conflicts(b) == 0);
	store_close(a);
	store_close(b);
}

/* Only the hub writes authority fields: refused on a node before writing,
 * refused (and recorded) when a node's change carries one anyway, taken
 * from the hub. */
static void test_store_merge_authority_fields(void)
{
	struct store *hub = node_named("hub", STORE_ROLE_HUB);
	struct store *polo = node_named("polo", STORE_ROLE_NODE);
	struct store_apply_result res;
	struct store_incoming in;
	struct store_put_result r;
	struct store_status st;
	struct err e;
	json_t *f;

	CHECK(hub && polo);
	err_init(&e);
	json_t *bad = json_loads("{\"title\":\"t\",\"approved_by\":\"x\"}",
				 0, NULL);
	CHECK(store_put(polo, "test_item", NULL, bad, NULL, &e) ==
	      ERR_CONFLICT);
	CHECK(strstr(e.msg, "approved_by"));
	json_decref(bad);
	/* A change from a node that writes it anyway. */
	memset(&in, 0, sizeof(in));
	id_generate(&in.record);
	in.collection = "test_item";
	in.kind = STORE_CHANGE_CREATE;
	in.origin = *store_node_id(polo);
	in.origin_seq = 1;
	in.operator = "op.ahmed";
	in.hlc = (uint64_t)time(NULL) * 1000 << 16;
	f = json_loads("{\"title\":\"t\",\"approved_by\":\"x\"}", 0,
		       NULL);
	in.fields = f;
	CHECK_OK(store_apply(hub, &in, &res, NULL));
	CHECK(res.rejected == 1 && res.applied == 1);
	CHECK(strstr(res.reason, "approved_by"));
	CHECK_OK(store_status(hub, &st, NULL));
	CHECK(st.rejected == 1);
	struct store_record rec;
	store_record_init(&rec);
	CHECK_OK(store_get(hub, &in.record, &rec, NULL));
	CHECK(json_object_get(rec.fields, "approved_by") == NULL);
	CHECK(json_object_get(rec.fields, "title") != NULL);
	store_record_release(&rec);
	json_decref(f);
	/* The hub writes it; a node that knows the hub takes it. */
	CHECK_OK(put_json(hub, "test_item", NULL,
			  "{\"title\":\"ok\",\"approved_by\":\"hub\"}", &r));
	CHECK_OK(store_node_set(polo, store_node_id(hub), "hub",
				STORE_ROLE_HUB, NULL));
	CHECK(ship(hub, polo) >= 1);
	store_record_init(&rec);
	CHECK_OK(store_get(polo, &r.id, &rec, NULL));
	CHECK(!strcmp(json_string_value(json_object_get(rec.fields,
							"approved_by")),
		      "hub"));
	store_record_release(&rec);
	store_close(hub);
	store_close(polo);
}

/* A clock days ahead: its changes are refused, not allowed to win. */
static void test_store_merge_refuses_clock_far_ahead(void)
{
	struct store *s = node_named("polo", STORE_ROLE_NODE);
	struct store_apply_result res;
	struct store_incoming in;
	struct store_status st;
	struct err e;
	json_t *f = json_loads("{\"title\":\"future\"}", 0, NULL);
	struct id other;

	CHECK(s && f);
	id_generate(&other);
	memset(&in, 0, sizeof(in));
	id_generate(&in.record);
	in.collection = "test_item";
	in.kind = STORE_CHANGE_CREATE;
	in.origin = other;
	in.origin_seq = 1;
	in.operator = "op.x";
	in.hlc = ((uint64_t)time(NULL) * 1000 + 2ull * 86400 * 1000) << 16;
	in.fields = f;
	err_init(&e);
	CHECK(store_apply(s, &in, &res, &e) == ERR_CONFLICT);
	CHECK(strstr(e.msg, "ahead"));
	CHECK_OK(store_status(s, &st, NULL));
	CHECK(st.changes == 0 && st.records == 0);
	/* Within the window it is taken, and the clock moves past it. */
	in.hlc = ((uint64_t)time(NULL) * 1000 + 60 * 1000) << 16;
	CHECK_OK(store_apply(s, &in, &res, NULL));
	CHECK(res.seq == 1);
	CHECK_OK(put_json(s, "test_item", NULL, "{\"title\":\"later\"}",
			  NULL));
	CHECK_OK(store_status(s, &st, NULL));
	CHECK(st.hlc > in.hlc);
	json_decref(f);
	store_close(s);
}

/* Re-delivery and echo: a change is taken once; a node's own changes
 * coming back are known. */
static void test_store_merge_idempotent(void)
{
	struct store *a = node_named("polo", STORE_ROLE_NODE);
	struct store *b = node_named("pda", STORE_ROLE_NODE);
	struct store_put_result r;
	struct store_status st;

	CHECK(a && b);
	CHECK_OK(put_json(a, "test_item", NULL, "{\"title\":\"t\"}", &r));
	CHECK_OK(put_json(a, "test_item", &r.id, "{\"count\":1}", NULL));
	CHECK(ship(a, b) == 2);
	CHECK(ship(a, b) == 0);
	CHECK(ship(b, a) == 0); /* a's own, back from b */
	CHECK_OK(store_status(b, &st, NULL));
	CHECK(st.changes == 2);
	CHECK_OK(store_status(a, &st, NULL));
	CHECK(st.changes == 2);
	store_close(a);
	store_close(b);
}

/* An update arriving before the create it follows: applied, and the
 * create, when it comes, does not overwrite it. */
static void test_store_merge_out_of_order(void)
{
	struct store *a = node_named("polo", STORE_ROLE_NODE);
	struct store *b = node_named("pda", STORE_ROLE_NODE);
	struct store_put_result r;

	CHECK(a && b);
	CHECK_OK(put_json(a, "test_item", NULL,
			  "{\"title\":\"t\",\"count\":1}", &r));
	CHECK_OK(put_json(a, "test_item", &r.id, "{\"count\":2}", NULL));
	/* Ship the update alone first (after seq 1), then everything. */
	struct fixture_ship sh;
	memset(&sh, 0, sizeof(sh));
	sh.to = b;
	CHECK_OK(fixture_ship_range(a, 1, 0, &sh));
	CHECK(sh.applied == 1 && !sh.failed);
	CHECK(int_field(b, &r.id, "count") == 2);
	CHECK(ship(a, b) == 1);
	CHECK(int_field(b, &r.id, "count") == 2);
	CHECK(count_conflicts(b) == 0);
	store_close(a);
	store_close(b);
}

/* The invariant (spent <= cap) broken by two edits that were each fine:
 * a rule conflict, closed by an edit that restores it. */
static void test_store_merge_rule_conflict(void)
{
	struct store *a = node_named("polo", STORE_ROLE_NODE);
	struct store *b = node_named("pda", STORE_ROLE_NODE);
	struct store_put_result r;
	struct store_status st;
	struct seen k;

	memset(&k, 0, sizeof(k));
	CHECK(a && b);
	CHECK_OK(put_json(a, "test_item", NULL,
			  "{\"title\":\"dote\",\"cap\":100,\"spent\":50}",
			  &r));
	CHECK(ship(a, b) == 1);
	CHECK_OK(put_json(a, "test_item", &r.id, "{\"spent\":90}", NULL));
	CHECK_OK(put_json(b, "test_item", &r.id, "{\"cap\":80}", NULL));
	CHECK(ship(a, b) == 1 && ship(b, a) == 1);
	CHECK_OK(store_conflicts(a, NULL, see, &k, NULL));
	CHECK(k.n == 1 && k.first.kind == MERGE_CONFLICT_RULE);
	CHECK(k.first.reason && strstr(k.first.reason, "cap"));
	seen_release(&k);
	CHECK_OK(store_status(b, &st, NULL));
	CHECK(st.conflicted == 1);
	CHECK_OK(put_json(b, "test_item", &r.id, "{\"cap\":120}", NULL));
	CHECK(ship(b, a) == 1);
	CHECK(count_conflicts(a) == 0 && count_conflicts(b) == 0);
	store_close(a);
	store_close(b);
}

/* Issue 11 item 3: a deletes while b edits; after the exchange b keeps
 * the delete and a, a moment later, undeletes.  After the next exchange
 * both list one conflict, on the deletion marker, in the delete form; a
 * keep-deleted settles it there and closes it on both once exchanged. */
static void test_store_merge_concurrent_keep_and_undelete(void)
{
	struct store *a = node_named("polo", STORE_ROLE_NODE);
	struct store *b = node_named("pda", STORE_ROLE_NODE);
	const struct timespec pause = { 0, 5 * 1000 * 1000 };
	struct store_put_result r;
	struct seen k;

	memset(&k, 0, sizeof(k));
	CHECK(a && b);
	CHECK_OK(put_json(a, "test_item", NULL, "{\"title\":\"t\"}", &r));
	CHECK(ship(a, b) == 1);
	CHECK_OK(store_delete(a, &r.id, NULL));
	CHECK_OK(put_json(b, "test_item", &r.id, "{\"count\":7}", NULL));
	CHECK(ship(a, b) == 1 && ship(b, a) == 1);
	CHECK(count_conflicts(a) == 1 && count_conflicts(b) == 1);
	CHECK_OK(store_resolve_delete(b, &r.id, 1, NULL));
	nanosleep(&pause, NULL); /* the undelete is the later one */
	CHECK_OK(store_resolve_delete(a, &r.id, 0, NULL));
	CHECK(ship(a, b) == 1 && ship(b, a) == 1);
	/* the undelete stands, with the edit; the keep is the other side */
	CHECK(is_deleted(a, &r.id) == 0 && is_deleted(b, &r.id) == 0);
	CHECK(int_field(a, &r.id, "count") == 7);
	CHECK(count_conflicts(a) == 1 && count_conflicts(b) == 1);
	CHECK_OK(store_conflicts(b, &r.id, see, &k, NULL));
	CHECK(k.n == 1 && k.first.kind == MERGE_CONFLICT_FIELD);
	CHECK(!strcmp(k.field, SCHEMA_FIELD_DELETED_NAME));
	CHECK(k.first.form == MERGE_FORM_DELETE);
	CHECK(json_is_false(k.current) && json_is_true(k.other));
	seen_release(&k);
	/* the form it is listed in settles it, on either node */
	CHECK_OK(store_resolve_delete(b, &r.id, 1, NULL));
	CHECK(is_deleted(b, &r.id) == 1 && count_conflicts(b) == 0);
	CHECK(ship(b, a) == 1);
	CHECK(is_deleted(a, &r.id) == 1 && count_conflicts(a) == 0);
	CHECK(ship(a, b) == 0);
	/* the other way round: undelete settles the same conflict */
	CHECK_OK(put_json(a, "test_item", NULL, "{\"title\":\"u\"}", &r));
	CHECK(ship(a, b) == 1);
	CHECK_OK(store_delete(a, &r.id, NULL));
	CHECK(ship(a, b) == 1);
	CHECK_OK(store_resolve_delete(b, &r.id, 1, NULL));
	nanosleep(&pause, NULL);
	CHECK_OK(store_resolve_delete(a, &r.id, 0, NULL));
	CHECK(ship(a, b) == 1 && ship(b, a) == 1);
	CHECK(count_conflicts(a) == 1 && is_deleted(a, &r.id) == 0);
	CHECK_OK(store_resolve_delete(a, &r.id, 0, NULL));
	CHECK(ship(a, b) == 1);
	CHECK(count_conflicts(a) == 0 && count_conflicts(b) == 0);
	CHECK(is_deleted(a, &r.id) == 0 && is_deleted(b, &r.id) == 0);
	store_close(a);
	store_close(b);
}

/* A deleted record lists only conflicts about its deletion: a field
 * conflict cannot be settled while it is deleted (a field resolution is
 * refused), so it is not listed; undeleting brings it back, on both. */
static void test_store_merge_deleted_record_lists_only_its_deletion(void)
{
	struct store *a = node_named("polo", STORE_ROLE_NODE);
	struct store *b = node_named("pda", STORE_ROLE_NODE);
	struct store_put_result r;
	json_t *v = json_integer(5);

	CHECK(a && b && v);
	CHECK_OK(put_json(a, "test_item", NULL, "{\"title\":\"t\"}", &r));
	CHECK(ship(a, b) == 1);
	CHECK_OK(put_json(a, "test_item", &r.id, "{\"count\":1}", NULL));
	CHECK_OK(put_json(b, "test_item", &r.id, "{\"count\":2}", NULL));
	CHECK(ship(a, b) == 1 && ship(b, a) == 1);
	CHECK(count_conflicts(a) == 1 && count_conflicts(b) == 1);
	CHECK_OK(store_delete(a, &r.id, NULL));
	CHECK(ship(a, b) == 1);
	CHECK(count_conflicts(a) == 0 && count_conflicts(b) == 0);
	CHECK(store_resolve(b, &r.id, "count", v, NULL, NULL) == ERR_INVALID);
	CHECK_OK(store_resolve_delete(b, &r.id, 0, NULL));
	CHECK(ship(b, a) == 1);
	CHECK(count_conflicts(a) == 1 && count_conflicts(b) == 1);
	CHECK_OK(store_resolve(a, &r.id, "count", v, NULL, NULL));
	CHECK(ship(a, b) == 1);
	CHECK(count_conflicts(a) == 0 && count_conflicts(b) == 0);
	json_decref(v);
	store_close(a);
	store_close(b);
}

/* A purged tombstone stays purged: a late edit from a node that never saw
 * the delete is refused, and the id cannot be created again. */
static void test_store_merge_purged_tombstone_not_resurrected(void)
{
	struct store *a = node_named("polo", STORE_ROLE_NODE);
	struct store *hub = node_named("hub", STORE_ROLE_HUB);
	struct store *c = node_named("pda", STORE_ROLE_NODE);
	struct store_put_result r;
	struct store_record rec;
	struct fixture_ship sh;
	int purged = 0;

	CHECK(a && hub && c);
	CHECK_OK(put_json(a, "test_item", NULL, "{\"title\":\"t\"}", &r));
	CHECK(ship(a, hub) == 1 && ship(a, c) == 1);
	/* c goes offline and edits; a deletes; the hub purges. */
	CHECK_OK(put_json(c, "test_item", &r.id, "{\"count\":1}", NULL));
	CHECK(store_purge(hub, &r.id, NULL) == ERR_INVALID); /* not deleted */
	CHECK_OK(store_delete(a, &r.id, NULL));
	CHECK(ship(a, hub) == 1);
	CHECK_OK(store_purge(hub, &r.id, NULL));
	CHECK_OK(store_purged(hub, &r.id, &purged, NULL));
	CHECK(purged == 1);
	store_record_init(&rec);
	CHECK(store_get(hub, &r.id, &rec, NULL) == ERR_NOTFOUND);
	/* c comes back: its edit is refused, not a resurrection. */
	memset(&sh, 0, sizeof(sh));
	sh.to = hub;
	CHECK(fixture_ship_range(c, 0, 0, &sh) == -1);
	CHECK(sh.failed >= 1 && sh.e.code == ERR_CONFLICT);
	CHECK(strstr(sh.e.msg, "purged"));
	CHECK(store_get(hub, &r.id, &rec, NULL) == ERR_NOTFOUND);
	CHECK(put_json(hub, "test_item", &r.id, "{\"title\":\"again\"}",
		       NULL) == ERR_INVALID);
	store_record_release(&rec);
	store_close(a);
	store_close(hub);
	store_close(c);
}

TEST_MAIN(T(test_store_merge_purged_tombstone_not_resurrected), T(test_store_merge_concurrent_edit_conflict_and_resolution),
	  T(test_store_merge_delete_against_edit),
	  T(test_store_merge_concurrent_keep_and_undelete),
	  T(test_store_merge_deleted_record_lists_only_its_deletion),
	  T(test_store_merge_authority_fields),
	  T(test_store_merge_refuses_clock_far_ahead),
	  T(test_store_merge_idempotent), T(test_store_merge_out_of_order),
	  T(test_store_merge_rule_conflict), T(test_store_merge_enum_set_order))
