/*
 * test_store_rule.c - rules over more than one record inside the store
 * (node/store_rule.c): procedure steps refused locally (undeclared, or by
 * a role that may not take them), a cap on a parent's children refused
 * locally, and both becoming rule conflicts a person settles when two
 * offline nodes' changes merge (two real stores exchanging their logs the
 * way sync does: store_log() on one side, store_apply() on the other).
 * Collections: test_case and test_budget / test_entry
 * (tests/schema/collections.h).
 */
#include "tests/node/store_fixture.h"

#include <stdint.h>

#include "tests/schema/collections.h"

static struct store *node_named(const char *name, enum store_role role)
{
	return fixture_node(name, role, "op.rule");
}

/* Enrol s as a node of kind (its role for procedure steps). */
static int enrol(struct store *s, const char *kind)
{
	return fixture_enrol(s, kind, "Sicilia", NULL);
}

/* Every change of from's log into to: 0, or -1 when one failed. */
static int ship(struct store *from, struct store *to)
{
	return fixture_ship(from, to, NULL, NULL);
}

struct seen {
	int n, rules;
	struct id record;
	char reason[256];
};

static int see(void *ctx, const struct store_conflict *c)
{
	struct seen *k = ctx;

	k->n++;
	if (c->kind == MERGE_CONFLICT_RULE) {
		k->rules++;
		k->record = c->record;
		snprintf(k->reason, sizeof(k->reason), "%s",
			 c->reason ? c->reason : "");
	}
	return 0;
}

static struct seen conflicts_of(struct store *s)
{
	struct seen k;

	memset(&k, 0, sizeof(k));
	if (store_conflicts(s, NULL, see, &k, NULL))
		k.n = -1;
	return k;
}

static int stage_is(struct store *s, const struct id *id, const char *want)
{
	struct store_record r;
	int ok = 0;

	store_record_init(&r);
	if (store_get(s, id, &r, NULL) == 0) {
		const char *v = json_string_value(json_object_get(r.fields,
								  "stage"));

		ok = v && strcmp(v, want) == 0;
	}
	store_record_release(&r);
	return ok;
}

static void test_store_rule_transition_refused(void)
{
	struct store *s = node_named("pda", STORE_ROLE_NODE);
	struct store_put_result r;
	struct err e;

	CHECK(s && enrol(s, "pda") == 0);
	CHECK(put_err(s, "test_case", NULL,
		    "{\"title\":\"t\",\"stage\":\"review\"}", NULL,
		    &e) == ERR_INVALID);
	CHECK(strstr(e.msg, "'(nessuno)' -> 'review'") != NULL);
	CHECK_OK(put_err(s, "test_case", NULL,
		       "{\"title\":\"t\",\"stage\":\"open\"}", &r, &e));
	CHECK(put_err(s, "test_case", &r.id, "{\"stage\":\"done\"}", NULL,
		    &e) == ERR_INVALID);
	CHECK(strstr(e.msg, "campo 'stage' (Fase) di 'test_case': il passo "
			    "'open' -> 'done' non e' previsto") != NULL);
	CHECK(stage_is(s, &r.id, "open"));
	CHECK_OK(put_err(s, "test_case", &r.id, "{\"stage\":\"review\"}", NULL,
		       &e));
	CHECK_OK(put_err(s, "test_case", &r.id, "{\"stage\":\"done\"}", NULL,
		       &e));
	CHECK(stage_is(s, &r.id, "done"));
	store_close(s);
}

static void test_store_rule_role_refused(void)
{
	struct store *polo = node_named("polo", STORE_ROLE_NODE);
	struct store *free_node = node_named("free", STORE_ROLE_NODE);
	struct store *hub = node_named("hub", STORE_ROLE_HUB);
	struct store_put_result r, f, h;
	struct err e;

	CHECK(polo && free_node && hub && enrol(polo, "polo") == 0);
	CHECK_OK(put_err(polo, "test_case", NULL,
		       "{\"title\":\"t\",\"stage\":\"open\"}", &r, &e));
	CHECK_OK(put_err(polo, "test_case", &r.id, "{\"stage\":\"review\"}",
		       NULL, &e));
	CHECK(put_err(polo, "test_case", &r.id, "{\"stage\":\"done\"}", NULL,
		    &e) == ERR_CONFLICT);
	CHECK(strstr(e.msg, "campo 'stage' (Fase) di 'test_case': il passo "
			    "'review' -> 'done' spetta a: hub, pda; non a: "
			    "polo") != NULL);
	CHECK(stage_is(polo, &r.id, "review"));
	/* Not enrolled: no role, only steps open to anyone. */
	CHECK_OK(put_err(free_node, "test_case", NULL,
		       "{\"title\":\"t\",\"stage\":\"open\"}", &f, &e));
	CHECK(put_err(free_node, "test_case", &f.id,
		    "{\"stage\":\"cancelled\"}", NULL, &e) == ERR_CONFLICT);
	CHECK(strstr(e.msg, "non a: un nodo senza ruolo") != NULL);
	/* The hub takes them. */
	CHECK_OK(put_err(hub, "test_case", NULL,
		       "{\"title\":\"t\",\"stage\":\"open\"}", &h, &e));
	CHECK_OK(put_err(hub, "test_case", &h.id, "{\"stage\":\"cancelled\"}",
		       NULL, &e));
	store_close(polo);
	store_close(free_node);
	store_close(hub);
}

static void test_store_rule_cap_refused_locally(void)
{
	struct store *s = node_named("polo", STORE_ROLE_NODE);
	struct store_put_result b, c;
	char json[160], idtext[ID_TEXT_LEN + 1];
	struct err e;

	CHECK(s);
	/* No cap field: the declared 100. */
	CHECK_OK(put_err(s, "test_budget", NULL, "{\"title\":\"b\"}", &b, &e));
	id_format(&b.id, idtext);
	snprintf(json, sizeof(json), "{\"budget\":\"%s\",\"amount\":60}",
		 idtext);
	CHECK_OK(put_err(s, "test_entry", NULL, json, NULL, &e));
	snprintf(json, sizeof(json), "{\"budget\":\"%s\",\"amount\":50}",
		 idtext);
	CHECK(put_err(s, "test_entry", NULL, json, NULL, &e) == ERR_INVALID);
	CHECK(strstr(e.msg, "campo 'amount' (Importo) di 'test_entry'") !=
	      NULL);
	CHECK(strstr(e.msg, "supererebbe il tetto 'cap' (Tetto)") != NULL);
	/* The cap field raises it; lowering it below the sum is refused. */
	CHECK_OK(put_err(s, "test_budget", &b.id, "{\"cap\":150}", NULL, &e));
	CHECK_OK(put_err(s, "test_entry", NULL, json, NULL, &e));
	CHECK(put_err(s, "test_budget", &b.id, "{\"cap\":100}", NULL, &e) ==
	      ERR_INVALID);
	CHECK(strstr(e.msg, "field 'cap' of 'test_budget'") != NULL);
	/* Another budget's entries do not count. */
	CHECK_OK(put_err(s, "test_budget", NULL, "{\"title\":\"c\"}", &c, &e));
	id_format(&c.id, idtext);
	snprintf(json, sizeof(json), "{\"budget\":\"%s\",\"amount\":100}",
		 idtext);
	CHECK_OK(put_err(s, "test_entry", NULL, json, NULL, &e));
	CHECK(conflicts_of(s).n == 0);
	store_close(s);
}

/*
 * Two nodes each book an entry within the cap while offline; together
 * they pass it.  After sync both entries are on both nodes, and the
 * budget carries one open rule conflict on each, until a reversal brings
 * the sum back within the cap.
 */
static void test_store_rule_cap_conflict_from_two_offline_nodes(void)
{
	struct store *a = node_named("hub", STORE_ROLE_HUB);
	struct store *b = node_named("pda", STORE_ROLE_NODE);
	struct store_put_result bud, ea, eb;
	char json[160], idtext[ID_TEXT_LEN + 1];
	struct store_record rec;
	uint64_t bad = 1;
	struct seen k;
	struct err e;

	store_record_init(&rec);
	CHECK(a && b);
	CHECK_OK(put_err(a, "test_budget", NULL, "{\"title\":\"dote\"}", &bud,
		       &e));
	CHECK(ship(a, b) == 0);
	id_format(&bud.id, idtext);
	snprintf(json, sizeof(json), "{\"budget\":\"%s\",\"amount\":60}",
		 idtext);
	CHECK_OK(put_err(a, "test_entry", NULL, json, &ea, &e));
	snprintf(json, sizeof(json), "{\"budget\":\"%s\",\"amount\":70}",
		 idtext);
	CHECK_OK(put_err(b, "test_entry", NULL, json, &eb, &e));
	CHECK(conflicts_of(a).n == 0 && conflicts_of(b).n == 0);
	CHECK(ship(b, a) == 0);
	CHECK(ship(a, b) == 0);
	/* Nothing dropped. */
	CHECK_OK(store_get(a, &eb.id, &rec, NULL));
	CHECK_OK(store_get(b, &ea.id, &rec, NULL));
	k = conflicts_of(a);
	CHECK(k.n == 1 && k.rules == 1 && id_cmp(&k.record, &bud.id) == 0);
	CHECK(strstr(k.reason, "campo 'amount' (Importo) dei record "
			       "'test_entry': la somma supera il tetto") !=
	      NULL);
	k = conflicts_of(b);
	CHECK(k.n == 1 && k.rules == 1 && id_cmp(&k.record, &bud.id) == 0);
	/* More is refused while it is passed; a reversal is taken. */
	snprintf(json, sizeof(json), "{\"budget\":\"%s\",\"amount\":1}",
		 idtext);
	CHECK(put_err(b, "test_entry", NULL, json, NULL, &e) == ERR_INVALID);
	snprintf(json, sizeof(json), "{\"budget\":\"%s\",\"amount\":-30}",
		 idtext);
	CHECK_OK(put_err(b, "test_entry", NULL, json, NULL, &e));
	CHECK(conflicts_of(b).n == 0);
	CHECK(conflicts_of(a).n == 1);
	CHECK(ship(b, a) == 0);
	CHECK(conflicts_of(a).n == 0);
	/* The counts kept in the rows pass verification. */
	CHECK_OK(store_verify(a, &bad, NULL));
	CHECK(bad == 0);
	store_record_release(&rec);
	store_close(a);
	store_close(b);
}

/*
 * Two nodes move the stage differently offline: the hub finishes the
 * review, the PdA sends it back.  Both steps are kept, "done" (furthest)
 * is in force, and a rule conflict names the step no one declared, on
 * both, until a resolution settles it.
 */
static void test_store_rule_transition_conflict_from_two_offline_nodes(void)
{
	struct store *a = node_named("hub", STORE_ROLE_HUB);
	struct store *b = node_named("pda", STORE_ROLE_NODE);
	struct store_put_result c;
	json_t *v = NULL;
	struct seen k;
	struct err e;

	CHECK(a && b && enrol(b, "pda") == 0);
	CHECK_OK(put_err(a, "test_case", NULL,
		       "{\"title\":\"t\",\"stage\":\"open\"}", &c, &e));
	CHECK_OK(put_err(a, "test_case", &c.id, "{\"stage\":\"review\"}", NULL,
		       &e));
	CHECK(ship(a, b) == 0);
	CHECK_OK(put_err(a, "test_case", &c.id, "{\"stage\":\"done\"}", NULL,
		       &e));
	CHECK_OK(put_err(b, "test_case", &c.id, "{\"stage\":\"open\"}", NULL,
		       &e));
	CHECK(ship(b, a) == 0);
	CHECK(ship(a, b) == 0);
	CHECK(stage_is(a, &c.id, "done") && stage_is(b, &c.id, "done"));
	k = conflicts_of(a);
	CHECK(k.n == 1 && k.rules == 1);
	CHECK(strstr(k.reason, "field 'stage': concurrent steps left 'open' "
			       "and 'done', and 'open' -> 'done' is not a "
			       "declared transition") != NULL);
	k = conflicts_of(b);
	CHECK(k.n == 1 && k.rules == 1 && id_cmp(&k.record, &c.id) == 0);
	/* The PdA may not settle on a step that is the hub's. */
	v = json_string("cancelled");
	err_init(&e);
	CHECK(store_resolve(b, &c.id, "stage", v, NULL, &e) == ERR_CONFLICT);
	json_decref(v);
	v = json_string("review");
	CHECK_OK(store_resolve(b, &c.id, "stage", v, NULL, &e));
	json_decref(v);
	v = NULL;
	CHECK(conflicts_of(b).n == 0);
	CHECK(ship(b, a) == 0);
	CHECK(conflicts_of(a).n == 0);
	CHECK(stage_is(a, &c.id, "review") && stage_is(b, &c.id, "review"));
	store_close(a);
	store_close(b);
}

struct judge {
	struct store *hub;
	struct registry_peer peer;
	char why[256];
	int rc;
};

/* The hub judges one change of a peer's log, as a push would. */
static int judge_one(void *ctx, const struct store_change *c)
{
	struct judge *j = ctx;
	struct store_incoming in;

	incoming_of(c, &in);
	j->rc = registry_check_incoming(j->hub, &j->peer, &in, j->why,
				     sizeof(j->why), NULL);
	return 0;
}

static int judge(struct store *from, uint64_t seq, struct judge *j,
		 const char *kind)
{
	memset(&j->peer, 0, sizeof(j->peer));
	snprintf(j->peer.name, sizeof(j->peer.name), "%s-1", kind);
	snprintf(j->peer.kind, sizeof(j->peer.kind), "%s", kind);
	snprintf(j->peer.region, sizeof(j->peer.region), "Sicilia");
	j->why[0] = '\0';
	j->rc = -1;
	return store_log(from, seq - 1, 1, 1, judge_one, j, NULL) || j->rc;
}

/* The hub refuses a pushed step the pushing node's kind may not take
 * (a node's own check can be bypassed), and lets it through otherwise. */
static void test_store_rule_hub_refuses_step_by_kind(void)
{
	struct store *hub = node_named("hub", STORE_ROLE_HUB);
	struct store *b = node_named("pda", STORE_ROLE_NODE);
	struct store_put_result c, done;
	struct judge j;
	struct err e;

	CHECK(hub && b && enrol(b, "pda") == 0);
	memset(&j, 0, sizeof(j));
	j.hub = hub;
	CHECK_OK(put_err(hub, "test_case", NULL,
		       "{\"title\":\"t\",\"stage\":\"open\"}", &c, &e));
	CHECK_OK(put_err(hub, "test_case", &c.id, "{\"stage\":\"review\"}",
		       NULL, &e));
	CHECK(ship(hub, b) == 0);
	CHECK_OK(put_err(b, "test_case", &c.id, "{\"stage\":\"done\"}", &done,
		       &e));
	CHECK(judge(b, done.seq, &j, "polo") == 0);
	CHECK(strstr(j.why, "il passo 'review' -> 'done' spetta a: hub, pda; "
			    "non a: polo") != NULL);
	CHECK(judge(b, done.seq, &j, "pda") == 0);
	CHECK(j.why[0] == '\0');
	store_close(hub);
	store_close(b);
}

/* ---- forged earlier versions ---- */

struct forge {
	struct store *hub;
	struct registry_peer peer;
	int add;                /* 1: name extra too; 0: move field's */
	uint16_t field;         /* the procedure field's id */
	struct merge_vid extra; /* named as an earlier value when add */
	char why[256];
	int rc;
};

/* The hub judges one change of a peer's log with its earlier versions
 * forged, as a node bypassing its own checks could send it. */
static int forge_one(void *ctx, const struct store_change *c)
{
	struct forge *j = ctx;
	struct merge_prev prev[8];
	struct store_incoming in;
	size_t n = 0;

	incoming_of(c, &in);
	for (size_t i = 0; i < in.nprev && n < 7; i++)
		prev[n++] = in.prev[i];
	for (size_t i = 0; !j->add && i < n; i++)
		if (prev[i].field == j->field)
			prev[i].v.hlc += 12345;
	if (j->add) {
		memset(&prev[n], 0, sizeof(prev[n]));
		prev[n].field = j->field;
		prev[n++].v = j->extra;
	}
	in.prev = prev;
	in.nprev = n;
	j->rc = registry_check_incoming(j->hub, &j->peer, &in, j->why,
					sizeof(j->why), NULL);
	return 0;
}

static int forge(struct store *from, uint64_t seq, struct forge *j,
		 const char *kind)
{
	memset(&j->peer, 0, sizeof(j->peer));
	snprintf(j->peer.name, sizeof(j->peer.name), "%s-1", kind);
	snprintf(j->peer.kind, sizeof(j->peer.kind), "%s", kind);
	snprintf(j->peer.region, sizeof(j->peer.region), "Sicilia");
	j->why[0] = '\0';
	j->rc = -1;
	return store_log(from, seq - 1, 1, 1, forge_one, j, NULL) || j->rc;
}

/*
 * A step judged from an earlier value the hub does not hold would pass
 * any check: the hub refuses a change naming one, and a create naming
 * any (the hub receives a node's changes in order, so what the node saw
 * is there).
 */
static void test_store_rule_hub_refuses_forged_earlier_value(void)
{
	struct store *hub = node_named("hub", STORE_ROLE_HUB);
	struct store *b = node_named("pda", STORE_ROLE_NODE);
	struct store_put_result c, done, fresh_case;
	struct forge j;
	struct err e;

	CHECK(hub && b && enrol(b, "pda") == 0);
	memset(&j, 0, sizeof(j));
	j.hub = hub;
	j.field = 2; /* test_case.stage */
	CHECK_OK(put_err(hub, "test_case", NULL,
		       "{\"title\":\"t\",\"stage\":\"open\"}", &c, &e));
	CHECK_OK(put_err(hub, "test_case", &c.id, "{\"stage\":\"review\"}",
		       NULL, &e));
	CHECK(ship(hub, b) == 0);
	CHECK_OK(put_err(b, "test_case", &c.id, "{\"stage\":\"done\"}", &done,
		       &e));
	/* review -> done is not the polo's: an origin the hub does not
	 * hold must not hide it. */
	CHECK(forge(b, done.seq, &j, "polo") == 0);
	CHECK(strstr(j.why, "field 'stage' of 'test_case': the change names "
			    "an earlier value this hub does not hold") != NULL);
	CHECK(forge(b, done.seq, &j, "pda") == 0);
	CHECK(strstr(j.why, "does not hold") != NULL);
	/* A create starts from no value. */
	CHECK_OK(put_err(b, "test_case", NULL,
		       "{\"title\":\"u\",\"stage\":\"open\"}", &fresh_case, &e));
	j.add = 1;
	j.extra.hlc = 1;
	CHECK(forge(b, fresh_case.seq, &j, "pda") == 0);
	CHECK(strstr(j.why, "a new record names an earlier value") != NULL);
	store_close(hub);
	store_close(b);
}

/* ---- caps over records that move: test_pot / test_share ---- */

static const struct schema_field pot_fields[] = {
	{ .name = "title", .id = 1, .type = SCHEMA_STRING,
	  .doc = "its name", .label = "Nome", .help = "Il suo nome." },
};
static const struct schema_aggregate pot_caps[] = {
	{ .child = "test_share", .sum = "amount", .cap = 100,
	  .doc = "the shares' amounts within 100" },
};
static const struct schema_field share_fields[] = {
	{ .name = "pot", .id = 1, .type = SCHEMA_REF, .ref = "test_pot",
	  .flags = SCHEMA_REQUIRED, .doc = "the pot it is taken from",
	  .label = "Fondo", .help = "Il fondo da cui è preso." },
	{ .name = "amount", .id = 2, .type = SCHEMA_INT,
	  .flags = SCHEMA_REQUIRED, .doc = "amount", .label = "Importo",
	  .help = "L'importo." },
};
static const char *const flow_values[] = { "a", "b", "c", NULL };
static const char *const flow_labels[] = { "A", "B", "C", NULL };
static const char *const flow_roles[] = { "hub", "pda", NULL };
static const struct schema_transition flow_steps[] = {
	{ .from = NULL, .to = "a" },
	{ .from = "a", .to = "b" },
	{ .from = "a", .to = "c" },
	{ .from = "b", .to = "c", .roles = flow_roles },
};
static const struct schema_field flow_fields[] = {
	{ .name = "stage", .id = 1, .type = SCHEMA_ENUM,
	  .merge = SCHEMA_MERGE_MONOTONIC, .values = flow_values,
	  .value_labels = flow_labels, .transitions = flow_steps,
	  .ntransitions = 4, .label = "Fase", .help = "La fase.",
	  .doc = "c from a by anyone, from b by hub and pda" },
};
static const struct schema_collection pot_colls[] = {
	{ .name = "test_flow", .id = 6, .kind = SCHEMA_RECORDS,
	  .fields = flow_fields, .nfields = 1,
	  .doc = "tests only: one step open to all from one value only",
	  .label = "Flusso di prova", .help = "Solo per i test." },
	{ .name = "test_pot", .id = 7, .kind = SCHEMA_RECORDS,
	  .fields = pot_fields, .nfields = 1, .aggregates = pot_caps,
	  .naggregates = 1, .doc = "tests only: a parent with a cap",
	  .label = "Fondo di prova", .help = "Solo per i test." },
	{ .name = "test_share", .id = 8, .kind = SCHEMA_RECORDS,
	  .parent = "pot", .fields = share_fields, .nfields = 2,
	  .doc = "tests only: children that move and are deleted",
	  .label = "Quota di prova", .help = "Solo per i test." },
};

/* The test collections and these, once. */
static int pots_registered(void)
{
	const struct schema_set sets[3] = { schema_product, test_schema_set,
					    { pot_colls, 3 } };

	return schema_collection("test_pot") ||
	       schema_register(sets, 3, NULL) == 0;
}

static int put_share(struct store *s, const struct id *id,
		     const struct id *pot, long long amount,
		     struct store_put_result *res, struct err *e)
{
	char json[160], idtext[ID_TEXT_LEN + 1];

	id_format(pot, idtext);
	snprintf(json, sizeof(json), "{\"pot\":\"%s\",\"amount\":%lld}",
		 idtext, amount);
	return put_err(s, "test_share", id, json, res, e);
}

static uint64_t conflicted(struct store *s)
{
	struct store_status st;

	memset(&st, 0, sizeof(st));
	return store_status(s, &st, NULL) ? 99 : st.conflicted;
}

/*
 * Pot A passed over two offline nodes' shares; one share moved to pot B
 * closes A's conflict (count and list); deleting a share does too; and
 * undeleting one that would pass the cap again is refused like a put.
 */
static void test_store_rule_child_leaving_recounts_parent(void)
{
	struct store *a, *b;
	struct store_put_result pa, pb, x, y;
	struct seen k;
	struct err e;

	CHECK(pots_registered());
	a = node_named("hub", STORE_ROLE_HUB);
	b = node_named("pda", STORE_ROLE_NODE);
	CHECK(a && b);
	CHECK_OK(put_err(a, "test_pot", NULL, "{\"title\":\"A\"}", &pa, &e));
	CHECK_OK(put_err(a, "test_pot", NULL, "{\"title\":\"B\"}", &pb, &e));
	CHECK(ship(a, b) == 0);
	CHECK_OK(put_share(a, NULL, &pa.id, 60, &x, &e));
	CHECK_OK(put_share(b, NULL, &pa.id, 70, &y, &e));
	CHECK(ship(b, a) == 0);
	CHECK(ship(a, b) == 0);
	CHECK(conflicted(a) == 1 && conflicted(b) == 1);
	/* Moved: A is within its cap again, B holds 70. */
	CHECK_OK(put_share(a, &y.id, &pb.id, 70, NULL, &e));
	CHECK(conflicted(a) == 0);
	CHECK(conflicts_of(a).n == 0);
	CHECK(ship(a, b) == 0);
	CHECK(conflicted(b) == 0);
	/* B passed by two offline shares; one deleted closes it. */
	{
		struct store_put_result w, z;

		CHECK_OK(put_share(b, NULL, &pb.id, 30, &z, &e));
		CHECK_OK(put_share(a, NULL, &pb.id, 25, &w, &e));
		CHECK(ship(b, a) == 0);
		CHECK(conflicted(a) == 1);
		k = conflicts_of(a);
		CHECK(k.n == 1 && id_cmp(&k.record, &pb.id) == 0);
		CHECK_OK(store_delete(a, &w.id, &e));
		CHECK(conflicted(a) == 0 && conflicts_of(a).n == 0);
		/* Back in the sum it would pass the cap: refused. */
		err_init(&e);
		CHECK(store_resolve_delete(a, &w.id, 0, &e) == ERR_INVALID);
		CHECK(strstr(e.msg, "supererebbe il tetto") != NULL);
		CHECK(conflicted(a) == 0);
		/* Within it, it is taken. */
		CHECK_OK(put_share(a, &z.id, &pb.id, 5, NULL, &e));
		CHECK_OK(store_resolve_delete(a, &w.id, 0, &e));
		CHECK(conflicted(a) == 0);
	}
	store_close(a);
	store_close(b);
}

/*
 * A received child whose amount overflows the sum is applied all the
 * same (a received change is never refused over a cap: refusing would
 * stop the pull there for good) and its parent carries a cap conflict.
 */
static void test_store_rule_overflowing_sum_received_is_conflict(void)
{
	struct store *a, *b;
	struct store_put_result pa, big;
	struct store_record rec;
	uint64_t bad = 1;
	char json[96];
	struct seen k;
	struct err e;

	store_record_init(&rec);
	CHECK(pots_registered());
	a = node_named("hub", STORE_ROLE_HUB);
	b = node_named("pda", STORE_ROLE_NODE);
	CHECK(a && b);
	CHECK_OK(put_err(a, "test_budget", NULL, "{\"title\":\"dote\"}", &pa,
		       &e));
	CHECK(ship(a, b) == 0);
	snprintf(json, sizeof(json), "{\"cap\":%lld}", (long long)INT64_MAX);
	CHECK_OK(put_err(b, "test_budget", &pa.id, json, NULL, &e));
	{
		char idtext[ID_TEXT_LEN + 1], entry[160];

		id_format(&pa.id, idtext);
		snprintf(entry, sizeof(entry),
			 "{\"budget\":\"%s\",\"amount\":%lld}", idtext,
			 (long long)INT64_MAX - 10);
		CHECK_OK(put_err(b, "test_entry", NULL, entry, &big, &e));
		snprintf(entry, sizeof(entry),
			 "{\"budget\":\"%s\",\"amount\":60}", idtext);
		CHECK_OK(put_err(a, "test_entry", NULL, entry, NULL, &e));
		/* Locally, more would not fit the sum: refused. */
		CHECK(put_err(b, "test_entry", NULL, entry, NULL, &e) ==
		      ERR_INVALID);
		CHECK(strstr(e.msg, "overflows the sum") != NULL);
	}
	CHECK(ship(b, a) == 0);
	CHECK(ship(a, b) == 0);
	CHECK_OK(store_get(a, &big.id, &rec, NULL));
	k = conflicts_of(a);
	CHECK(k.n == 1 && k.rules == 1 && id_cmp(&k.record, &pa.id) == 0);
	k = conflicts_of(b);
	CHECK(k.n == 1 && k.rules == 1 && id_cmp(&k.record, &pa.id) == 0);
	CHECK(conflicted(a) == 1 && conflicted(b) == 1);
	CHECK_OK(store_verify(a, &bad, NULL));
	CHECK(bad == 0);
	store_record_release(&rec);
	store_close(a);
	store_close(b);
}

static struct store *tamper(struct store *s, const char *sql)
{
	return fixture_tamper(s, sql, "op.rule");
}

static void hex_of(const struct id *id, char *out)
{
	for (size_t i = 0; i < ID_BYTES; i++)
		snprintf(out + 2 * i, 3, "%02x", id->b[i]);
}

/* A child row moved under another parent through the file fails its MAC,
 * and an index row moved under another parent points at a record that
 * does not match it: either way a cap's sum does not count the row
 * silently, the write stops with ERR_AUTH. */
static void test_store_rule_tampered_child_row_fails_sum(void)
{
	struct store *s;
	struct store_put_result pa, pb, y;
	char sql[512], ha[2 * ID_BYTES + 1], hb[2 * ID_BYTES + 1],
	    hy[2 * ID_BYTES + 1];
	struct err e;

	CHECK(pots_registered());
	s = node_named("polo", STORE_ROLE_NODE);
	CHECK(s);
	CHECK_OK(put_err(s, "test_pot", NULL, "{\"title\":\"A\"}", &pa, &e));
	CHECK_OK(put_err(s, "test_pot", NULL, "{\"title\":\"B\"}", &pb, &e));
	CHECK_OK(put_share(s, NULL, &pa.id, 10, NULL, &e));
	CHECK_OK(put_share(s, NULL, &pb.id, 60, &y, &e));
	hex_of(&pa.id, ha);
	hex_of(&pb.id, hb);
	hex_of(&y.id, hy);
	snprintf(sql, sizeof(sql),
		 "UPDATE record SET parent = x'%s' WHERE id = x'%s'", ha, hy);
	s = tamper(s, sql);
	CHECK(s != NULL);
	CHECK(put_share(s, NULL, &pb.id, 5, NULL, &e) == ERR_AUTH);
	CHECK(strstr(e.msg, "'test_share' record fails its row MAC") != NULL);
	/* The record back where it was, its index row moved. */
	snprintf(sql, sizeof(sql),
		 "UPDATE record SET parent = x'%s' WHERE id = x'%s'; "
		 "UPDATE kin SET parent = x'%s' WHERE rid = (SELECT rid FROM "
		 "record WHERE id = x'%s')", hb, hy, ha, hy);
	s = tamper(s, sql);
	CHECK(s != NULL);
	CHECK(put_share(s, NULL, &pa.id, 5, NULL, &e) == ERR_AUTH);
	CHECK(strstr(e.msg, "'test_share' record does not match its index "
			    "row") != NULL);
	store_close(s);
}

static int vid_of(void *ctx, const struct store_change *c)
{
	struct merge_vid *v = ctx;

	v->hlc = c->hlc;
	v->node = c->origin;
	return 0;
}

/*
 * A step is judged from every earlier value a change names: naming an
 * older value from which the step is open to the node's kind does not
 * take a step that, from the value it replaced, is not.
 */
static void test_store_rule_hub_judges_every_named_value(void)
{
	struct store *hub, *b;
	struct store_put_result f, to_c;
	struct forge j;
	struct err e;

	CHECK(pots_registered());
	hub = node_named("hub", STORE_ROLE_HUB);
	b = node_named("pda", STORE_ROLE_NODE);
	CHECK(hub && b && enrol(b, "pda") == 0);
	memset(&j, 0, sizeof(j));
	j.hub = hub;
	j.field = 1; /* test_flow.stage */
	CHECK_OK(put_err(hub, "test_flow", NULL, "{\"stage\":\"a\"}", &f, &e));
	CHECK_OK(store_log(hub, f.seq - 1, 1, 1, vid_of, &j.extra, NULL));
	CHECK_OK(put_err(hub, "test_flow", &f.id, "{\"stage\":\"b\"}", NULL,
		       &e));
	CHECK(ship(hub, b) == 0);
	CHECK_OK(put_err(b, "test_flow", &f.id, "{\"stage\":\"c\"}", &to_c,
		       &e));
	/* As sent: b -> c, not the polo's; the pda's. */
	j.add = 0;
	j.field = 99; /* nothing forged */
	CHECK(forge(b, to_c.seq, &j, "polo") == 0);
	CHECK(strstr(j.why, "'b' -> 'c' spetta a: hub, pda; non a: polo"));
	CHECK(forge(b, to_c.seq, &j, "pda") == 0 && j.why[0] == '\0');
	/* Naming the older "a" too, from which c is anyone's. */
	j.add = 1;
	j.field = 1;
	CHECK(forge(b, to_c.seq, &j, "polo") == 0);
	CHECK(strstr(j.why, "'b' -> 'c' spetta a: hub, pda; non a: polo"));
	store_close(hub);
	store_close(b);
}

TEST_MAIN(T(test_store_rule_transition_refused),
	  T(test_store_rule_role_refused),
	  T(test_store_rule_cap_refused_locally),
	  T(test_store_rule_cap_conflict_from_two_offline_nodes),
	  T(test_store_rule_transition_conflict_from_two_offline_nodes),
	  T(test_store_rule_hub_refuses_step_by_kind),
	  T(test_store_rule_hub_refuses_forged_earlier_value),
	  T(test_store_rule_child_leaving_recounts_parent),
	  T(test_store_rule_overflowing_sum_received_is_conflict),
	  T(test_store_rule_tampered_child_row_fails_sum),
	  T(test_store_rule_hub_judges_every_named_value))
