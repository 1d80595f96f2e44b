/*
 * test_store_require.c - what a local write keeps beyond its own steps
 * and caps (node/store_require.c): the requirements of the steps it takes
 * (refused with a message naming the step and the requirement's label,
 * never a value), the hub's refusal of a pushed step whose requirements
 * fail on its data, changes received never refused for them; an
 * invariant refused on a local write while a fixing write is taken; a
 * quota through the store's hook; a resolution's step and its
 * requirements; and a version the hub refused whole
 * no longer refusing the node's later changes naming it.
 * Collections: test_file, test_check, test_consent, test_grant
 * (tests/schema/collections_rules.c), test_item.
 */
#include "tests/node/store_fixture.h"

#include <stdint.h>

#include "node/store_ext.h"

#include "tests/schema/collections.h"

static struct store *node_named(const char *name, enum store_role role)
{
	return fixture_node(name, role, "op.req");
}

/* Enrol s as a node of kind (its role for procedure steps). */
static int enrol(struct store *s, const char *kind)
{
	return fixture_enrol(s, kind, "Sicilia", NULL);
}

/* A child of file: {"file_id": file, rest...}. */
static int put_child(struct store *s, const char *coll, const struct id *id,
		     const struct id *file, const char *rest,
		     struct store_put_result *res, struct err *e)
{
	char json[256], f[ID_TEXT_LEN + 1];

	id_format(file, f);
	snprintf(json, sizeof(json), "{\"file_id\":\"%s\"%s%s}", f,
		 rest[0] ? "," : "", rest);
	return put_err(s, coll, id, json, res, e);
}

/* Every change of from's log (of record only, when not NULL) into to. */
static int ship(struct store *from, struct store *to, const struct id *only)
{
	return fixture_ship(from, to, only, NULL);
}

static const char *value_of(struct store *s, const struct id *id,
			    const char *field, char *buf, size_t n)
{
	struct store_record r;

	buf[0] = '\0';
	store_record_init(&r);
	if (store_get(s, id, &r, NULL) == 0) {
		const char *v = json_string_value(json_object_get(r.fields,
								  field));

		snprintf(buf, n, "%s", v ? v : "");
	}
	store_record_release(&r);
	return buf;
}

/* A file at stage "submitted" on s. */
static int submitted_file(struct store *s, struct store_put_result *f,
			  struct err *e)
{
	int rc = put_err(s, "test_file", NULL,
		       "{\"title\":\"t\",\"stage\":\"new\"}", f, e);

	return rc ? rc
		  : put_err(s, "test_file", &f->id, "{\"stage\":\"submitted\"}",
			  NULL, e);
}

/*
 * A CHILD requirement: validating needs an eligible check; refused with
 * the step and the label (never a value), taken once it holds.
 */
static void test_require_child_refused_then_taken(void)
{
	struct store *hub = node_named("hub", STORE_ROLE_HUB);
	struct store_put_result f;
	char buf[64];
	struct err e;

	CHECK(hub != NULL);
	CHECK_OK(submitted_file(hub, &f, &e));
	CHECK(put_err(hub, "test_file", &f.id, "{\"stage\":\"validated\"}", NULL,
		    &e) == ERR_CONFLICT);
	CHECK(strcmp(e.msg, "campo 'stage' (Prova) di 'test_file': il passo "
			    "'submitted' -> 'validated' richiede: una verifica "
			    "con esito positivo") == 0);
	CHECK_OK(put_child(hub, "test_check", NULL, &f.id,
			   "\"decision\":\"not_eligible\"", NULL, &e));
	CHECK(put_err(hub, "test_file", &f.id, "{\"stage\":\"validated\"}", NULL,
		    &e) == ERR_CONFLICT);
	CHECK_OK(put_child(hub, "test_check", NULL, &f.id,
			   "\"decision\":\"eligible\"", NULL, &e));
	CHECK_OK(put_err(hub, "test_file", &f.id, "{\"stage\":\"validated\"}",
		       NULL, &e));
	CHECK(strcmp(value_of(hub, &f.id, "stage", buf, sizeof(buf)),
		     "validated") == 0);
	store_close(hub);
}

/*
 * SELF requirements, one limited to a role: the hub matches with an
 * attuatore set in the same write; a PdA needs the matching entrusted to
 * it and a region of its own too.
 */
static void test_require_self_and_role_limited(void)
{
	struct store *hub = node_named("hub", STORE_ROLE_HUB);
	struct store *pda = node_named("pda", STORE_ROLE_NODE);
	struct store_put_result f, g;
	struct err e;

	CHECK(hub && pda && enrol(pda, "pda") == 0);
	CHECK_OK(submitted_file(hub, &f, &e));
	CHECK_OK(put_child(hub, "test_check", NULL, &f.id,
			   "\"decision\":\"eligible\"", NULL, &e));
	CHECK_OK(put_err(hub, "test_file", &f.id,
		       "{\"stage\":\"validated\",\"region\":\"sicilia\"}",
		       NULL, &e));
	CHECK_OK(submitted_file(hub, &g, &e));
	CHECK_OK(put_child(hub, "test_check", NULL, &g.id,
			   "\"decision\":\"eligible\"", NULL, &e));
	CHECK_OK(put_err(hub, "test_file", &g.id, "{\"stage\":\"validated\"}",
		       NULL, &e));
	CHECK(ship(hub, pda, NULL) == 0);
	CHECK(put_err(hub, "test_file", &f.id, "{\"stage\":\"matched\"}", NULL,
		    &e) == ERR_CONFLICT);
	CHECK(strstr(e.msg, "richiede: il soggetto attuatore") != NULL);
	CHECK(strstr(e.msg, "sicilia") == NULL);
	/* The PdA: attuatore set, but not its matching. */
	CHECK(put_err(pda, "test_file", &f.id,
		    "{\"stage\":\"matched\",\"attuatore\":\"coop\"}", NULL,
		    &e) == ERR_CONFLICT);
	CHECK(strstr(e.msg, "richiede: il matching affidato al PdA") != NULL);
	CHECK(strstr(e.msg, "coop") == NULL);
	CHECK_OK(put_err(pda, "test_file", &f.id,
		       "{\"stage\":\"matched\",\"attuatore\":\"coop\","
		       "\"matching\":\"pda\"}", NULL, &e));
	/* A region the PdA does not cover. */
	CHECK(put_err(pda, "test_file", &g.id,
		    "{\"stage\":\"matched\",\"attuatore\":\"coop\","
		    "\"matching\":\"pda\",\"region\":\"Puglia\"}", NULL,
		    &e) == ERR_CONFLICT);
	CHECK(strstr(e.msg, "richiede: una regione del PdA") != NULL);
	CHECK(strstr(e.msg, "Puglia") == NULL);
	/* The hub needs none of the PdA's. */
	CHECK_OK(put_err(hub, "test_file", &g.id,
		       "{\"stage\":\"matched\",\"attuatore\":\"coop\"}", NULL,
		       &e));
	store_close(hub);
	store_close(pda);
}

/*
 * PARENT and SIBLING requirements: a grant is assigned only under a
 * validated file, and made active only with a referral consent of the
 * same file that is not revoked.
 */
static void test_require_parent_and_sibling(void)
{
	struct store *hub = node_named("hub", STORE_ROLE_HUB);
	struct store_put_result f, gr, cs;
	struct err e;

	CHECK(hub != NULL);
	/* Room for the grants (a partner without its row has none). */
	CHECK_OK(registry_allocation_set(hub, "test_grant", "north", 9, NULL));
	CHECK_OK(submitted_file(hub, &f, &e));
	CHECK(put_child(hub, "test_grant", NULL, &f.id,
			"\"partner\":\"north\",\"status\":\"assigned\"", NULL,
			&e) == ERR_CONFLICT);
	CHECK(strstr(e.msg, "campo 'status' (Prova) di 'test_grant': il "
			    "passo '(nessuno)' -> 'assigned' richiede: la "
			    "pratica validata") != NULL);
	CHECK_OK(put_child(hub, "test_check", NULL, &f.id,
			   "\"decision\":\"eligible\"", NULL, &e));
	CHECK_OK(put_err(hub, "test_file", &f.id, "{\"stage\":\"validated\"}",
		       NULL, &e));
	CHECK_OK(put_child(hub, "test_grant", NULL, &f.id,
			   "\"partner\":\"north\",\"status\":\"assigned\"",
			   &gr, &e));
	CHECK(put_err(hub, "test_grant", &gr.id, "{\"status\":\"active\"}", NULL,
		    &e) == ERR_CONFLICT);
	CHECK(strstr(e.msg, "richiede: un consenso all'invio non revocato"));
	/* A consent for another purpose, then a revoked one: not enough. */
	CHECK_OK(put_child(hub, "test_consent", NULL, &f.id,
			   "\"purpose\":\"data\"", NULL, &e));
	CHECK_OK(put_child(hub, "test_consent", NULL, &f.id,
			   "\"purpose\":\"referral\","
			   "\"revoked_on\":\"2026-01-02\"", &cs, &e));
	CHECK(put_err(hub, "test_grant", &gr.id, "{\"status\":\"active\"}", NULL,
		    &e) == ERR_CONFLICT);
	CHECK_OK(put_err(hub, "test_consent", &cs.id, "{\"revoked_on\":null}",
		       NULL, &e));
	CHECK_OK(put_err(hub, "test_grant", &gr.id, "{\"status\":\"active\"}",
		       NULL, &e));
	store_close(hub);
}

/* A node receiving from the hub a step whose requirement it cannot see
 * (the check never reached it) takes it: the hub judged it. */
static void test_require_received_never_refused(void)
{
	struct store *hub = node_named("hub", STORE_ROLE_HUB);
	struct store *polo = node_named("polo", STORE_ROLE_NODE);
	struct store_put_result f;
	char buf[64];
	struct err e;

	CHECK(hub && polo && enrol(polo, "polo") == 0);
	CHECK_OK(submitted_file(hub, &f, &e));
	CHECK_OK(put_child(hub, "test_check", NULL, &f.id,
			   "\"decision\":\"eligible\"", NULL, &e));
	CHECK_OK(put_err(hub, "test_file", &f.id, "{\"stage\":\"validated\"}",
		       NULL, &e));
	CHECK(ship(hub, polo, &f.id) == 0);
	CHECK(strcmp(value_of(polo, &f.id, "stage", buf, sizeof(buf)),
		     "validated") == 0);
	store_close(hub);
	store_close(polo);
}

struct judge {
	struct store *hub;
	struct registry_peer peer;
	struct store_incoming in;
	char why[256];
	int rc, keep; /* keep: record a refusal as a push does */
};

/* The hub judges one change of a peer's log, as a push would, and keeps
 * a refusal the way hub_push.c does. */
static int judge_one(void *ctx, const struct store_change *c)
{
	struct judge *j = ctx;
	struct store_incoming in;

	incoming_of(c, &in);
	j->rc = registry_check_incoming(j->hub, &j->peer, &in, j->why,
					sizeof(j->why), NULL);
	if (!j->rc && j->why[0] && j->keep)
		j->rc = registry_peer_refuse(j->hub, j->peer.idx,
					     in.origin_seq, &in.record, j->why,
					     NULL) ||
			registry_refused_keep(j->hub, j->peer.idx, &in, j->why,
					      NULL);
	return 0;
}

static int judge(struct store *from, uint64_t seq, struct judge *j)
{
	j->why[0] = '\0';
	j->rc = -1;
	return store_log(from, seq - 1, 1, 1, judge_one, j, NULL) || j->rc;
}

/* A peer of kind on hub, standing for node s. */
static int peer_of(struct store *hub, struct store *s, const char *name,
		   const char *kind, struct judge *j)
{
	char token[REGISTRY_TOKEN_LEN + 1];
	struct store_status st;

	memset(j, 0, sizeof(*j));
	memset(&st, 0, sizeof(st));
	j->hub = hub;
	if (registry_peer_add(hub, name, kind, "Sicilia", 60, token, NULL) ||
	    registry_peer_by_name(hub, name, &j->peer, NULL) ||
	    store_status(s, &st, NULL))
		return -1;
	j->peer.node_id = st.node_id;
	return 0;
}

/*
 * The hub refuses a pushed step whose requirement fails on its data
 * (the node validated on a check the hub does not hold); and the node's
 * later change naming that refused version is judged from the hub's
 * value, not refused as naming "an earlier value this hub does not hold".
 */
static void test_require_hub_refuses_then_later_change_judged(void)
{
	struct store *hub = node_named("hub", STORE_ROLE_HUB);
	struct store *pda = node_named("pda", STORE_ROLE_NODE);
	struct store_put_result f, valid, back;
	struct judge j;
	struct err e;

	CHECK(hub && pda && enrol(pda, "pda") == 0);
	CHECK(peer_of(hub, pda, "pda-1", "pda", &j) == 0);
	CHECK_OK(submitted_file(hub, &f, &e));
	CHECK(ship(hub, pda, NULL) == 0);
	CHECK_OK(put_child(pda, "test_check", NULL, &f.id,
			   "\"decision\":\"eligible\"", NULL, &e));
	CHECK_OK(put_err(pda, "test_file", &f.id, "{\"stage\":\"validated\"}",
		       &valid, &e));
	j.keep = 1;
	CHECK(judge(pda, valid.seq, &j) == 0);
	CHECK(strcmp(j.why, "campo 'stage' (Prova) di 'test_file': il passo "
			    "'submitted' -> 'validated' richiede: una verifica "
			    "con esito positivo") == 0);
	/* Sent back by the node: it names its refused version. */
	CHECK_OK(put_err(pda, "test_file", &f.id, "{\"stage\":\"submitted\"}",
		       &back, &e));
	j.keep = 0;
	CHECK(judge(pda, back.seq, &j) == 0);
	CHECK(j.why[0] == '\0');
	store_close(hub);
	store_close(pda);
}

/*
 * An invariant that refuses local writes (test_grant: months outside
 * 2..9 need a justification): a new record breaking it and a write
 * breaking it are refused with its reason; a record that broke it after
 * a merge of two nodes' changes takes any write, and the fixing one.  A
 * collection without invariant_refuses (test_item) keeps taking them.
 */
static void test_require_invariant_local_refused_fix_taken(void)
{
	struct store *a = node_named("hub", STORE_ROLE_HUB);
	struct store *b = node_named("pda", STORE_ROLE_NODE);
	struct store_put_result f, g;
	const char *grant = "\"partner\":\"north\",\"status\":\"assigned\"";
	struct store_status st;
	char rest[160];
	struct err e;

	CHECK(a && b && enrol(b, "pda") == 0);
	/* Room for the grants (a partner without its row has none). */
	CHECK_OK(registry_allocation_set(a, "test_grant", "north", 9, NULL));
	CHECK_OK(submitted_file(a, &f, &e));
	CHECK_OK(put_child(a, "test_check", NULL, &f.id,
			   "\"decision\":\"eligible\"", NULL, &e));
	CHECK_OK(put_err(a, "test_file", &f.id, "{\"stage\":\"validated\"}",
		       NULL, &e));
	snprintf(rest, sizeof(rest), "%s,\"months\":12", grant);
	CHECK(put_child(a, "test_grant", NULL, &f.id, rest, NULL, &e) ==
	      ERR_INVALID);
	CHECK(strstr(e.msg, "'test_grant'") &&
	      strstr(e.msg, "campo 'months' fuori da 2..9"));
	CHECK(strstr(e.msg, "12") == NULL);
	snprintf(rest, sizeof(rest),
		 "%s,\"months\":12,\"justification\":\"x\"", grant);
	CHECK_OK(put_child(a, "test_grant", NULL, &f.id, rest, &g, &e));
	CHECK(put_err(a, "test_grant", &g.id, "{\"justification\":null}", NULL,
		    &e) == ERR_INVALID);
	CHECK_OK(put_err(a, "test_grant", &g.id, "{\"months\":6}", NULL, &e));
	/* Offline, each within the invariant; together not. */
	CHECK(ship(a, b, NULL) == 0);
	CHECK_OK(put_err(a, "test_grant", &g.id, "{\"justification\":null}",
		       NULL, &e));
	CHECK_OK(put_err(b, "test_grant", &g.id, "{\"months\":12}", NULL, &e));
	CHECK(ship(b, a, NULL) == 0);
	CHECK(ship(a, b, NULL) == 0);
	memset(&st, 0, sizeof(st));
	CHECK(store_status(b, &st, NULL) == 0 && st.conflicted == 1);
	/* Broken already: another write is taken, and so is the fix. */
	CHECK_OK(put_err(b, "test_grant", &g.id, "{\"months\":11}", NULL, &e));
	CHECK_OK(put_err(b, "test_grant", &g.id, "{\"months\":5}", NULL, &e));
	CHECK(put_err(b, "test_grant", &g.id, "{\"months\":1}", NULL, &e) ==
	      ERR_INVALID);
	/* test_item's invariant makes rule conflicts of local writes. */
	CHECK_OK(put_err(a, "test_item", NULL,
		       "{\"title\":\"t\",\"cap\":10,\"spent\":20}", NULL,
		       &e));
	store_close(a);
	store_close(b);
}

/* The quota hook: one "north" grant at most, "south" without limit. */
static int calls;
static int north_one(void *ctx, struct store *s,
		     const struct schema_collection *c, const char *group,
		     int64_t *limit, int *has, struct err *e)
{
	(void)ctx;
	(void)s;
	(void)e;
	calls++;
	*has = strcmp(c->name, "test_grant") == 0 &&
	       strcmp(group, "north") == 0;
	*limit = 1;
	return 0;
}

static void test_require_quota_through_hook(void)
{
	struct store *hub = node_named("hub", STORE_ROLE_HUB);
	struct store_put_result f, g1, g2;
	const char *assigned_north =
		"\"partner\":\"north\",\"status\":\"assigned\"";
	struct err e;

	CHECK(hub != NULL);
	CHECK_OK(submitted_file(hub, &f, &e));
	CHECK_OK(put_child(hub, "test_check", NULL, &f.id,
			   "\"decision\":\"eligible\"", NULL, &e));
	CHECK_OK(put_err(hub, "test_file", &f.id, "{\"stage\":\"validated\"}",
		       NULL, &e));
	store_set_quota_hook(hub, north_one, NULL);
	CHECK_OK(put_child(hub, "test_grant", NULL, &f.id, assigned_north,
			   &g1, &e));
	CHECK(calls == 1);
	CHECK(put_child(hub, "test_grant", NULL, &f.id, assigned_north, NULL,
			&e) == ERR_INVALID);
	CHECK(strstr(e.msg, "campo 'partner' (Prova) di 'test_grant'") &&
	      strstr(e.msg, "sovvenzioni per partner"));
	CHECK_OK(put_child(hub, "test_grant", NULL, &f.id,
			   "\"partner\":\"south\",\"status\":\"assigned\"",
			   &g2, &e));
	/* Moving one into the full group is refused; a write that leaves
	 * it in its group is not counted again. */
	CHECK(put_err(hub, "test_grant", &g2.id, "{\"partner\":\"north\"}",
		    NULL, &e) == ERR_INVALID);
	CHECK_OK(put_err(hub, "test_grant", &g1.id, "{\"months\":4}", NULL,
		       &e));
	/* A revoked one is not counted. */
	CHECK_OK(put_err(hub, "test_grant", &g1.id, "{\"status\":\"revoked\"}",
		       NULL, &e));
	CHECK_OK(put_err(hub, "test_grant", &g2.id, "{\"partner\":\"north\"}",
		       NULL, &e));
	/* No hook, no limit. */
	store_set_quota_hook(hub, NULL, NULL);
	CHECK_OK(put_child(hub, "test_grant", NULL, &f.id, assigned_north,
			   NULL, &e));
	store_close(hub);
}

/*
 * A resolution settling a procedure's rule conflict on a value none of
 * its candidates holds takes a step, whose requirements must hold;
 * settling on a candidate takes none.
 */
static void test_require_resolution_step(void)
{
	struct store *a = node_named("hub", STORE_ROLE_HUB);
	struct store *b = node_named("pda", STORE_ROLE_NODE);
	struct store_put_result f, ck;
	struct store_status st;
	json_t *v;
	struct err e;

	CHECK(a && b && enrol(b, "pda") == 0);
	CHECK_OK(submitted_file(a, &f, &e));
	CHECK_OK(put_child(a, "test_check", NULL, &f.id,
			   "\"decision\":\"eligible\"", &ck, &e));
	CHECK_OK(put_err(a, "test_file", &f.id, "{\"stage\":\"validated\"}",
		       NULL, &e));
	CHECK(ship(a, b, NULL) == 0);
	/* Offline: the hub matches, the PdA sends it back. */
	CHECK_OK(put_err(a, "test_file", &f.id,
		       "{\"stage\":\"matched\",\"attuatore\":\"coop\"}",
		       NULL, &e));
	CHECK_OK(put_err(b, "test_file", &f.id, "{\"stage\":\"submitted\"}",
		       NULL, &e));
	CHECK(ship(b, a, NULL) == 0);
	memset(&st, 0, sizeof(st));
	CHECK(store_status(a, &st, NULL) == 0 && st.conflicted == 1);
	CHECK_OK(store_delete(a, &ck.id, &e));
	v = json_string("closed");
	err_init(&e);
	CHECK(store_resolve(a, &f.id, "stage", v, NULL, &e) == ERR_CONFLICT);
	CHECK(strstr(e.msg, "il passo 'matched' -> 'closed' richiede: almeno "
			    "una verifica") != NULL);
	json_decref(v);
	v = json_string("matched");
	CHECK_OK(store_resolve(a, &f.id, "stage", v, NULL, &e));
	json_decref(v);
	store_close(a);
	store_close(b);
}

/* The index of records read as a group is rebuilt when the store's
 * checkpoint does not name the set in force (a new schema, a store of an
 * older build): emptied in the file, a sum counts every row again; the
 * records no rule reads as a group get no row. */
static void test_require_group_index_rebuilt(void)
{
	struct store *s;
	struct store_put_result b;
	char json[160], idtext[ID_TEXT_LEN + 1];
	struct err e;

	s = node_named("polo", STORE_ROLE_NODE);
	CHECK(s);
	CHECK_OK(put_err(s, "test_budget", NULL, "{\"title\":\"b\"}", &b, &e));
	id_format(&b.id, idtext);
	snprintf(json, sizeof(json), "{\"budget\":\"%s\",\"amount\":60}",
		 idtext);
	CHECK_OK(put_err(s, "test_entry", NULL, json, NULL, &e));
	CHECK(put_err(s, "test_entry", NULL, json, NULL, &e) == ERR_INVALID);
	s = fixture_tamper(s, "DELETE FROM kin; DELETE FROM meta WHERE key LIKE "
		      "'%kin.colls%'", "op.req");
	CHECK(s != NULL);
	/* 60 booked: another 60 passes the declared 100. */
	CHECK(put_err(s, "test_entry", NULL, json, NULL, &e) == ERR_INVALID);
	CHECK(strstr(e.msg, "supererebbe il tetto") != NULL);
	CHECK(sql_int("SELECT count(*) FROM kin") == 1);
	CHECK(sql_int("SELECT count(*) FROM kin k JOIN record r ON "
		      "r.rid = k.rid WHERE r.coll <> k.coll OR "
		      "r.parent IS NOT k.parent") == 0);
	store_close(s);
}

/* verify: `presidio verify` finds a kin row deleted, moved to another
 * parent, or planted without its record; the store as written passes. */
static void test_require_group_index_verified(void)
{
	struct store *s;
	struct store_put_result b, b2;
	char json[160], idtext[ID_TEXT_LEN + 1];
	struct err e;
	uint64_t bad = 0;

	s = node_named("polo", STORE_ROLE_NODE);
	CHECK(s);
	CHECK_OK(put_err(s, "test_budget", NULL, "{\"title\":\"b\"}", &b, &e));
	CHECK_OK(put_err(s, "test_budget", NULL, "{\"title\":\"c\"}", &b2,
			 &e));
	id_format(&b.id, idtext);
	snprintf(json, sizeof(json), "{\"budget\":\"%s\",\"amount\":60}",
		 idtext);
	CHECK_OK(put_err(s, "test_entry", NULL, json, NULL, &e));
	CHECK_OK(store_verify(s, &bad, &e));
	CHECK(bad == 0);
	/* The entry's row gone: the cap would count 0 for its budget. */
	s = fixture_tamper(s, "DELETE FROM kin WHERE rid = (SELECT max(rid) "
			      "FROM record)", "op.req");
	CHECK(s != NULL);
	err_init(&e);
	CHECK(s && store_verify(s, &bad, &e) == ERR_CORRUPT);
	CHECK(bad == 1 && strstr(e.msg, "kin") != NULL);
	/* Put back under the other budget: still wrong. */
	s = fixture_tamper(s, "INSERT INTO kin(rid, coll, parent) SELECT "
			      "r.rid, r.coll, (SELECT id FROM record WHERE "
			      "rowid = (SELECT min(rid) + 1 FROM record)) "
			      "FROM record r WHERE r.rid = (SELECT max(rid) "
			      "FROM record)", "op.req");
	CHECK(s != NULL);
	err_init(&e);
	CHECK(s && store_verify(s, &bad, &e) == ERR_CORRUPT);
	CHECK(bad == 2);
	/* Right again, plus a row of no record. */
	s = fixture_tamper(s, "UPDATE kin SET parent = (SELECT parent FROM "
			      "record r WHERE r.rid = kin.rid); INSERT INTO "
			      "kin(rid, coll, parent) VALUES (99999, 1, NULL)",
			   "op.req");
	CHECK(s != NULL);
	err_init(&e);
	CHECK(s && store_verify(s, &bad, &e) == ERR_CORRUPT);
	CHECK(bad == 1 && strstr(e.msg, "1 without their record"));
	s = fixture_tamper(s, "DELETE FROM kin WHERE rid = 99999", "op.req");
	CHECK(s && store_verify(s, &bad, NULL) == 0 && bad == 0);
	store_close(s);
}

TEST_MAIN(T(test_require_child_refused_then_taken),
	  T(test_require_group_index_rebuilt),
	  T(test_require_group_index_verified),
	  T(test_require_self_and_role_limited),
	  T(test_require_parent_and_sibling),
	  T(test_require_received_never_refused),
	  T(test_require_hub_refuses_then_later_change_judged),
	  T(test_require_invariant_local_refused_fix_taken),
	  T(test_require_quota_through_hook),
	  T(test_require_resolution_step))
