/*
 * test_registry_alloc.c - the hub's allocation (registry/registry_alloc.c):
 * the defaults of the programme, the limits handed to the store through
 * the quota hook registry_attach() installs (a grant past its partner's
 * allocation refused on the hub, none on a node), an allocation set
 * below what a partner uses refused naming it, and the rows under their
 * MAC (altered: refused; deleted: 0).  Collections: test_file,
 * test_check, test_grant (tests/schema/collections_rules.c).
 */
#include "tests/node/store_fixture.h"

#include "tests/schema/collections.h"

static struct store *named(const char *name, enum store_role role)
{
	return fixture_node(name, role, "m.rossi");
}

/* Enrol s as a PdA (its role for procedure steps). */
static int enrol_pda(struct store *s)
{
	struct store_remote r;

	memset(&r, 0, sizeof(r));
	snprintf(r.url, sizeof(r.url), "https://hub.example:8443");
	id_generate(&r.hub_id);
	memset(r.hub_pk, 5, sizeof(r.hub_pk));
	snprintf(r.name, sizeof(r.name), "pda-1");
	snprintf(r.kind, sizeof(r.kind), "pda");
	snprintf(r.region, sizeof(r.region), "Sicilia");
	r.enrolled = 1700000000;
	return store_remote_set(s, &r, NULL);
}

/* A validated test_file on s, into *f. */
static int validated_file(struct store *s, struct store_put_result *f,
			  struct err *e)
{
	char json[160], id[ID_TEXT_LEN + 1];
	int rc = put_err(s, "test_file", NULL,
		       "{\"title\":\"t\",\"stage\":\"new\"}", f, e);

	if (!rc)
		rc = put_err(s, "test_file", &f->id, "{\"stage\":\"submitted\"}",
			   NULL, e);
	id_format(&f->id, id);
	snprintf(json, sizeof(json),
		 "{\"file_id\":\"%s\",\"decision\":\"eligible\"}", id);
	if (!rc)
		rc = put_err(s, "test_check", NULL, json, NULL, e);
	if (!rc)
		rc = put_err(s, "test_file", &f->id, "{\"stage\":\"validated\"}",
			   NULL, e);
	return rc;
}

static int grant(struct store *s, const struct id *file, const char *partner,
		 struct store_put_result *res, struct err *e)
{
	char json[200], id[ID_TEXT_LEN + 1];

	id_format(file, id);
	snprintf(json, sizeof(json),
		 "{\"file_id\":\"%s\",\"partner\":\"%s\","
		 "\"status\":\"assigned\"}", id, partner);
	return put_err(s, "test_grant", NULL, json, res, e);
}

struct listed {
	int n;
	char groups[8][64];
	int64_t allocated[8], used[8];
};

static int list_one(void *ctx, const struct registry_allocation *a)
{
	struct listed *l = ctx;

	if (l->n < 8) {
		snprintf(l->groups[l->n], sizeof(l->groups[0]), "%s",
			 a->group);
		l->allocated[l->n] = a->allocated;
		l->used[l->n] = a->used;
	}
	l->n++;
	return 0;
}

/* The programme's defaults: 195 dotes among six partners. */
static void test_alloc_defaults(void)
{
	static const char *const names[] = { "nova", "campania", "puglia",
					     "basilicata", "calabria",
					     "sicilia" };
	static const int64_t counts[] = { 42, 39, 33, 14, 21, 46 };
	struct store *hub = named("hub", STORE_ROLE_HUB);
	struct listed l;
	int64_t total = 0;

	CHECK(hub != NULL);
	memset(&l, 0, sizeof(l));
	CHECK_OK(registry_allocation_list(hub, "dote", list_one,
					  &l, NULL));
	CHECK(l.n == 6);
	for (int i = 0; i < 6 && i < l.n; i++) {
		CHECK(strcmp(l.groups[i], names[i]) == 0);
		CHECK(l.allocated[i] == counts[i] && l.used[i] == 0);
		total += l.allocated[i];
	}
	CHECK(total == 195);
	/* An unknown partner is refused, naming it. */
	{
		struct err e;

		err_init(&e);
		CHECK(registry_allocation_set(hub, "dote", "lazio",
					      5, &e) == ERR_NOTFOUND);
		CHECK(strstr(e.msg, "'lazio'") != NULL);
		CHECK_OK(registry_allocation_set(hub, "dote",
						 "nova", 50, &e));
	}
	memset(&l, 0, sizeof(l));
	CHECK_OK(registry_allocation_list(hub, "dote", list_one,
					  &l, NULL));
	CHECK(l.n == 6 && l.allocated[0] == 50);
	store_close(hub);
}

/*
 * The hook: with "north" allocated 1, a second north grant is refused on
 * the hub; the allocation cannot go below what is used; raised, it takes
 * the grant.  A node has no hook: no limit.
 */
static void test_alloc_limits_grants_through_hook(void)
{
	struct store *hub = named("hub", STORE_ROLE_HUB);
	struct store *node = named("polo", STORE_ROLE_NODE);
	struct store_put_result f, g;
	struct listed l;
	struct err e;

	CHECK(hub && node && enrol_pda(node) == 0);
	CHECK_OK(validated_file(hub, &f, &e));
	CHECK_OK(registry_allocation_set(hub, "test_grant", "north", 1, &e));
	CHECK_OK(grant(hub, &f.id, "north", &g, &e));
	CHECK(grant(hub, &f.id, "north", NULL, &e) == ERR_INVALID);
	CHECK(strstr(e.msg, "sovvenzioni per partner") != NULL);
	/* No row for south, a partner the field declares: none allotted. */
	CHECK(grant(hub, &f.id, "south", NULL, &e) == ERR_INVALID);
	memset(&l, 0, sizeof(l));
	CHECK_OK(registry_allocation_list(hub, "test_grant", list_one, &l,
					  NULL));
	CHECK(l.n == 1 && strcmp(l.groups[0], "north") == 0 &&
	      l.allocated[0] == 1 && l.used[0] == 1);
	err_init(&e);
	CHECK(registry_allocation_set(hub, "test_grant", "north", 0, &e) ==
	      ERR_CONFLICT);
	CHECK(strstr(e.msg, "partner 'north'") != NULL);
	CHECK(registry_allocation_set(hub, "test_grant", "west", 3, &e) ==
	      ERR_NOTFOUND);
	CHECK_OK(registry_allocation_set(hub, "test_grant", "north", 2, &e));
	CHECK_OK(grant(hub, &f.id, "north", NULL, &e));
	/* A revoked grant frees its place. */
	CHECK_OK(put_err(hub, "test_grant", &g.id, "{\"status\":\"revoked\"}",
		       NULL, &e));
	CHECK_OK(grant(hub, &f.id, "north", NULL, &e));
	CHECK(grant(hub, &f.id, "north", NULL, &e) == ERR_INVALID);
	/* A node counts nothing. */
	CHECK_OK(validated_file(node, &f, &e));
	CHECK_OK(grant(node, &f.id, "north", NULL, &e));
	CHECK_OK(grant(node, &f.id, "north", NULL, &e));
	CHECK_OK(grant(node, &f.id, "north", NULL, &e));
	store_close(hub);
	store_close(node);
}

/*
 * Rows under their MAC: an allocation raised in the file is refused
 * (grant, list, verify), a row deleted leaves its partner 0, and the
 * programme's defaults do not come back once written.
 */
static void test_alloc_rows_authenticated(void)
{
	struct store *hub = named("hub", STORE_ROLE_HUB);
	struct store_put_result f;
	struct listed l;
	struct err e;

	CHECK(hub != NULL);
	CHECK_OK(validated_file(hub, &f, &e));
	CHECK_OK(registry_allocation_set(hub, "test_grant", "north", 1, &e));
	CHECK_OK(grant(hub, &f.id, "north", NULL, &e));
	CHECK(grant(hub, &f.id, "north", NULL, &e) == ERR_INVALID);
	/* Raised in the file: refused as altered, not taken. */
	CHECK(sql_exec("UPDATE allocation SET allocated = 9 WHERE grp = "
		       "'north'") == 0);
	CHECK(grant(hub, &f.id, "north", NULL, &e) == ERR_AUTH);
	CHECK(strstr(e.msg, "'north'") != NULL);
	memset(&l, 0, sizeof(l));
	CHECK(registry_allocation_list(hub, "test_grant", list_one, &l, &e) ==
	      ERR_AUTH);
	CHECK(store_verify(hub, NULL, &e) != 0);
	CHECK(strstr(e.msg, "allocation") != NULL);
	/* Set again by the hub: authenticated. */
	CHECK_OK(registry_allocation_set(hub, "test_grant", "north", 2, &e));
	CHECK_OK(grant(hub, &f.id, "north", NULL, &e));
	/* Deleted in the file: the partner has none, not "no limit". */
	CHECK(sql_exec("DELETE FROM allocation WHERE grp = 'north'") == 0);
	CHECK(grant(hub, &f.id, "north", NULL, &e) == ERR_INVALID);
	/* A default deleted does not come back. */
	CHECK(sql_exec("DELETE FROM allocation WHERE grp = 'basilicata'") ==
	      0);
	memset(&l, 0, sizeof(l));
	CHECK_OK(registry_allocation_list(hub, "dote", list_one,
					  &l, &e));
	CHECK(l.n == 5);
	store_close(hub);
}

/* A deletion flag planted on a live grant does not take it out of its
 * partner's count (or a cap's sum: the same walk, store_require_walk()):
 * the row fails its MAC, the write is refused as altered. */
static void test_alloc_planted_deleted_counts(void)
{
	struct store *hub = named("hub", STORE_ROLE_HUB);
	struct store_put_result f, g;
	char sql[160];
	struct err e;

	CHECK(hub != NULL);
	CHECK_OK(validated_file(hub, &f, &e));
	CHECK_OK(registry_allocation_set(hub, "test_grant", "north", 1, &e));
	CHECK_OK(grant(hub, &f.id, "north", &g, &e));
	snprintf(sql, sizeof(sql),
		 "UPDATE record SET deleted = 1 WHERE coll = %u",
		 (unsigned)schema_collection("test_grant")->id);
	CHECK(sql_exec(sql) == 0);
	CHECK(grant(hub, &f.id, "north", NULL, &e) == ERR_AUTH);
	store_close(hub);
}

TEST_MAIN(T(test_alloc_defaults), T(test_alloc_limits_grants_through_hook),
	  T(test_alloc_rows_authenticated),
	  T(test_alloc_planted_deleted_counts))
