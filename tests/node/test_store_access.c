/*
 * test_store_access.c - roles in the store (node/store_access.c, the
 * checks of schema/access.h on the store's API): what a role reads
 * through get, list, history, log and conflicts, the writes it is
 * refused, operators managed by the coordinatore only, the role kept
 * under the slot's MAC, and a store made before roles.
 */
#include "tests/node/store_fixture.h"

static uint8_t other_key[KEYSLOT_KEYFILEBYTES];

/* The key-file operator op of role role, added by the unlocked s. */
static int add_role(struct store *s, const char *op, const char *role)
{
	struct store_secret sec = { op, KEYSLOT_KEYFILE, other_key,
				    sizeof(other_key), role };

	memset(other_key, 3, sizeof(other_key));
	return store_operator_add(s, &sec, NULL);
}

static int unlock_as(struct store *s, const char *op, struct err *e)
{
	struct store_secret sec = { op, KEYSLOT_KEYFILE, other_key,
				    sizeof(other_key), NULL };

	return store_unlock(s, &sec, e);
}

/* A person with a value in every group, written by the coordinatore. */
static int person(struct store *s, struct id *id)
{
	struct store_put_result r;
	int rc = put_json(s, "person", NULL,
			  "{\"given_name\":\"Amina\",\"family_name\":\"Diallo\","
			  "\"notes\":\"colloquio\",\"vulnerabilities\":[\"v\"],"
			  "\"special_notes\":\"riservata\"}",
			  &r);

	*id = r.id;
	return rc;
}

struct seen {
	int special, vuln, notes, given;
};

static void see(struct seen *k, const json_t *f)
{
	k->special += json_object_get(f, "special_notes") != NULL;
	k->vuln += json_object_get(f, "vulnerabilities") != NULL;
	k->notes += json_object_get(f, "notes") != NULL;
	k->given += json_object_get(f, "given_name") != NULL;
}

static int see_record(void *ctx, const struct store_record *r)
{
	see(ctx, r->fields);
	return 0;
}

static int see_change(void *ctx, const struct store_change *c)
{
	see(ctx, c->fields);
	return 0;
}

static void test_role_reads_its_groups(void)
{
	struct store *s = fresh();
	struct store_record r;
	struct seen k = { 0 };
	struct id id;

	CHECK(s);
	if (!s)
		return;
	CHECK(store_operator_role(s) == ACCESS_COORDINATOR);
	CHECK_OK(person(s, &id));
	CHECK_OK(add_role(s, "mario", "mediatore"));
	CHECK_OK(add_role(s, "carla", "amministrativo"));
	CHECK_OK(unlock_as(s, "mario", NULL));
	CHECK(store_operator_role(s) == ACCESS_MEDIATOR);
	store_record_init(&r);
	CHECK_OK(store_get(s, &id, &r, NULL));
	see(&k, r.fields);
	CHECK(k.given == 1 && k.notes == 1 && k.special == 0 && k.vuln == 0);
	/* The versions still say the fields exist (the interface shows
	 * them as reserved). */
	CHECK(r.vers.n >= 5);
	store_record_release(&r);
	memset(&k, 0, sizeof(k));
	CHECK_OK(store_list(s, "person", 0, see_record, &k, NULL));
	CHECK_OK(store_history(s, &id, see_change, &k, NULL));
	CHECK_OK(store_log(s, 0, 0, STORE_VALUES_PARSED, see_change, &k,
			   NULL));
	CHECK(k.given == 3 && k.notes == 3 && k.special == 0 && k.vuln == 0);
	CHECK(store_log(s, 0, 0, STORE_VALUES_TEXT, see_change, &k, NULL) ==
	      ERR_DENIED);
	CHECK_OK(unlock_as(s, "carla", NULL));
	memset(&k, 0, sizeof(k));
	CHECK_OK(store_list(s, "person", 0, see_record, &k, NULL));
	CHECK(k.given == 1 && k.notes == 0);
	store_close(s);
}

static void test_role_refused_writes(void)
{
	struct store *s = fresh();
	struct store_record r;
	struct err e;
	struct id id;

	CHECK(s);
	if (!s)
		return;
	CHECK_OK(person(s, &id));
	CHECK_OK(add_role(s, "mario", "mediatore"));
	CHECK_OK(add_role(s, "lia", "legale"));
	CHECK_OK(unlock_as(s, "mario", NULL));
	err_init(&e);
	CHECK(put_err(s, "person", &id, "{\"special_notes\":null}", NULL, &e) ==
	      ERR_DENIED);
	CHECK(strstr(e.msg, "special_notes") != NULL);
	CHECK(put_json(s, "person", &id, "{\"vulnerabilities\":[\"w\"]}",
		       NULL) == ERR_DENIED);
	/* A general field and the interview notes are its to write. */
	CHECK_OK(put_json(s, "person", &id,
			  "{\"phone\":\"1\",\"notes\":\"altro\"}", NULL));
	/* Deleting takes the reserved values away too: refused. */
	CHECK(store_delete(s, &id, NULL) == ERR_DENIED);
	CHECK_OK(unlock_as(s, "lia", NULL));
	CHECK_OK(put_json(s, "person", &id, "{\"special_notes\":\"nuova\"}",
			  NULL));
	CHECK(put_json(s, "person", &id, "{\"vulnerabilities\":null}",
		       NULL) == ERR_DENIED);
	s = reopen(s);
	CHECK(s);
	store_record_init(&r);
	CHECK(s && store_get(s, &id, &r, NULL) == 0);
	CHECK(r.fields && json_object_get(r.fields, "vulnerabilities") &&
	      !strcmp(json_string_value(json_object_get(r.fields,
							"special_notes")),
		      "nuova"));
	store_record_release(&r);
	store_close(s);
}

static void test_operators_managed_by_coordinator(void)
{
	struct store *s = fresh();
	struct err e;

	CHECK(s);
	if (!s)
		return;
	err_init(&e);
	CHECK(add_role(s, "x", "capo") == ERR_INVALID);
	/* A passphrase operator needs a role; a key file is a service. */
	CHECK(add_role(s, "svc", NULL) == 0);
	CHECK_OK(add_role(s, "mario", "mediatore"));
	CHECK_OK(unlock_as(s, "svc", NULL));
	CHECK(store_operator_role(s) == ACCESS_SERVICE);
	CHECK_OK(unlock_as(s, "mario", NULL));
	CHECK(add_role(s, "y", "psicologo") == ERR_DENIED);
	CHECK(store_operator_set_role(s, "mario", "coordinatore", NULL) ==
	      ERR_DENIED);
	CHECK(store_operator_remove(s, "svc", NULL) == ERR_DENIED);
	s = reopen(s);
	CHECK(s);
	if (!s)
		return;
	/* The last one who manages operators keeps that role. */
	CHECK(store_operator_set_role(s, "m.rossi", "mediatore", NULL) ==
	      ERR_CONFLICT);
	CHECK_OK(store_operator_set_role(s, "mario", "coordinatore", NULL));
	CHECK_OK(unlock_as(s, "mario", NULL));
	CHECK(store_operator_role(s) == ACCESS_COORDINATOR);
	CHECK_OK(store_operator_set_role(s, "m.rossi", "psicologo", NULL));
	CHECK(store_operator_remove(s, "mario", NULL) == ERR_CONFLICT);
	store_close(s);
}

static void test_role_altered_outside_refused(void)
{
	struct store *s = fresh();
	struct err e;

	CHECK(s);
	if (!s)
		return;
	CHECK_OK(add_role(s, "mario", "mediatore"));
	s = fixture_tamper(s,
			   "UPDATE keyslot SET role = 'coordinatore' WHERE "
			   "operator = 'mario'",
			   "m.rossi");
	CHECK(s);
	if (!s)
		return;
	err_init(&e);
	CHECK(unlock_as(s, "mario", &e) == ERR_CORRUPT);
	CHECK(store_operator_role(s) == ACCESS_NONE);
	/* Put back as a slot without a role beside slots with one. */
	s = fixture_tamper(s,
			   "UPDATE keyslot SET role = '' WHERE "
			   "operator = 'mario'",
			   "m.rossi");
	CHECK(s);
	if (!s)
		return;
	err_init(&e);
	CHECK(unlock_as(s, "mario", &e) == ERR_CORRUPT);
	CHECK(strstr(e.msg, "older copy") != NULL);
	store_close(s);
}

TEST_MAIN(T(test_role_reads_its_groups), T(test_role_refused_writes),
	  T(test_operators_managed_by_coordinator),
	  T(test_role_altered_outside_refused))
