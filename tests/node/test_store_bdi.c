/*
 * test_store_bdi.c - the BdI procedure of the product schema
 * (case.bdi_stage, schema/coll_case.c) in the store: every step allowed
 * and refused by role (hub, polo, pda, attuatore) and by requirement (no
 * eligible assessment, no entry profile, no plan, no exit profile, a
 * PdA matching without bdi_matching = pda or outside its regions), the
 * refusals naming the step, the roles or the requirement's label; the
 * next steps as node/store_step.h judges them (every requirement
 * missing, not only the first); the hub refusing a pushed step whose
 * requirement fails on its data; steps taken offline on two nodes
 * converging by the monotonic merge.
 */
#include "tests/node/store_fixture.h"

#include <stdint.h>

#include "node/store_ext.h"
#include "node/store_step.h"

static struct store *node_named(const char *name, enum store_role role)
{
	return fixture_node(name, role, "op.bdi");
}

/* The hub the nodes of a test are enrolled with: its hub-only fields
 * are taken from it (NULL: a hub of no store). */
static struct store *the_hub;

static int enrol(struct store *s, const char *kind, const char *region)
{
	return fixture_enrol(s, kind, region,
			     the_hub ? store_node_id(the_hub) : NULL);
}

static int put_e(struct store *s, const char *coll, const struct id *id,
		 const char *json, struct id *made, struct err *e)
{
	struct store_put_result res;
	json_t *v = json_loads(json, 0, NULL);
	int rc;

	err_init(e);
	rc = v ? store_put(s, coll, id, v, &res, e) : ERR_FAIL;
	if (!rc && made)
		*made = res.id;
	json_decref(v);
	return rc;
}

/* A child {"case_id": c, rest} of coll. */
static int child(struct store *s, const char *coll, const struct id *c,
		 const char *rest, struct err *e)
{
	char json[256], t[ID_TEXT_LEN + 1];

	id_format(c, t);
	snprintf(json, sizeof(json), "{\"case_id\":\"%s\"%s%s}", t,
		 rest[0] ? "," : "", rest);
	return put_e(s, coll, NULL, json, NULL, e);
}

/* A case of region at bdi_stage (NULL: none) on s, with its person. */
static int new_case(struct store *s, const char *region, const char *stage,
		    struct id *out, struct err *e)
{
	char json[256], t[ID_TEXT_LEN + 1];
	struct id p;
	int rc;

	rc = put_e(s, "person", NULL, "{\"given_name\":\"A\","
		   "\"family_name\":\"B\"}", &p, e);
	if (rc)
		return rc;
	id_format(&p, t);
	snprintf(json, sizeof(json), "{\"person_id\":\"%s\",\"region\":"
		 "\"%s\",\"stage\":\"intake\"%s%s%s}", t, region,
		 stage ? ",\"bdi_stage\":\"" : "", stage ? stage : "",
		 stage ? "\"" : "");
	return put_e(s, "case", NULL, json, out, e);
}

static int step(struct store *s, const struct id *c, const char *to,
		struct err *e)
{
	char json[64];

	snprintf(json, sizeof(json), "{\"bdi_stage\":\"%s\"}", to);
	return put_e(s, "case", c, json, NULL, e);
}

static const char *stage_of(struct store *s, const struct id *id,
			    char *buf, size_t n)
{
	struct store_record r;

	buf[0] = '\0';
	store_record_init(&r);
	if (store_get(s, id, &r, NULL) == 0) {
		const char *v = json_string_value(
			json_object_get(r.fields, "bdi_stage"));

		snprintf(buf, n, "%s", v ? v : "");
	}
	store_record_release(&r);
	return buf;
}

/* Every change of from's log into to: 0, or -1 when one failed. */
static int ship(struct store *from, struct store *to)
{
	return fixture_ship(from, to, NULL, NULL);
}

/* Identification and submission: any role, and from nothing. */
static void test_bdi_open_steps_any_role(void)
{
	static const char *const kinds[] = { "polo", "pda", "attuatore" };
	struct id c;
	struct err e;

	for (size_t i = 0; i < 3; i++) {
		char name[32];
		struct store *s;

		snprintf(name, sizeof(name), "open-%s", kinds[i]);
		s = node_named(name, STORE_ROLE_NODE);
		CHECK(s && enrol(s, kinds[i], "Sicilia") == 0);
		CHECK_OK(new_case(s, "Sicilia", "identified", &c, &e));
		CHECK_OK(step(s, &c, "submitted", &e));
		CHECK_OK(new_case(s, "Sicilia", "submitted", &c, &e));
		/* Validation is the hub's. */
		CHECK(step(s, &c, "validated", &e) == ERR_CONFLICT);
		CHECK(strstr(e.msg, "il passo 'submitted' -> 'validated' "
			     "spetta a: hub;") != NULL);
		CHECK(strstr(e.msg, kinds[i]) != NULL);
		CHECK(step(s, &c, "rejected", &e) == ERR_CONFLICT);
		/* Skipping a step is no step. */
		CHECK(step(s, &c, "in_charge", &e) == ERR_INVALID);
		CHECK(strstr(e.msg, "non e' previsto dalla procedura") != NULL);
		store_close(s);
	}
}

/* The hub: validation needs an eligible assessment, rejection a
 * not-eligible one; a rejected case can be validated later. */
static void test_bdi_hub_validation_requirements(void)
{
	struct store *hub = node_named("hub-val", STORE_ROLE_HUB);
	struct id c;
	struct err e;

	CHECK(hub != NULL);
	CHECK_OK(new_case(hub, "Puglia", "submitted", &c, &e));
	CHECK(step(hub, &c, "validated", &e) == ERR_CONFLICT);
	CHECK(strstr(e.msg, "'submitted' -> 'validated' richiede: una scheda "
		     "di valutazione con esito \"eleggibile\"") != NULL);
	CHECK(step(hub, &c, "rejected", &e) == ERR_CONFLICT);
	CHECK(strstr(e.msg, "esito \"non eleggibile\"") != NULL);
	CHECK_OK(child(hub, "assessment", &c, "\"decision\":\"not_eligible\"",
		       &e));
	CHECK_OK(step(hub, &c, "rejected", &e));
	CHECK(step(hub, &c, "validated", &e) == ERR_CONFLICT);
	CHECK_OK(child(hub, "assessment", &c, "\"decision\":\"eligible\"",
		       &e));
	CHECK_OK(step(hub, &c, "validated", &e));
	store_close(hub);
}

/* A validated case of region on the hub. */
static int validated_case(struct store *hub, const char *region,
			  struct id *out, struct err *e)
{
	int rc = new_case(hub, region, "submitted", out, e);

	if (!rc)
		rc = child(hub, "assessment", out,
			   "\"decision\":\"eligible\"", e);
	if (!rc)
		rc = step(hub, out, "validated", e);
	return rc;
}

static const char match_att[] =
	"{\"attuatore\":\"att-1\",\"bdi_stage\":\"matched\"}";

/* Matching: attuatore set; a PdA needs bdi_matching = pda and a case of
 * Basilicata, Calabria or Sicilia; polo and attuatore may not. */
static void test_bdi_matching_roles_and_requirements(void)
{
	struct store *hub = node_named("hub-m", STORE_ROLE_HUB);
	struct store *pda = node_named("pda-m", STORE_ROLE_NODE);
	struct store *polo = node_named("polo-m", STORE_ROLE_NODE);
	struct store *att = node_named("att-m", STORE_ROLE_NODE);
	const struct schema_collection *cc = schema_collection("case");
	struct store_record r;
	struct store_step st;
	struct id c, s1, p1;
	struct err e;

	CHECK(hub && pda && polo && att);
	the_hub = hub;
	CHECK(enrol(pda, "pda", "Sicilia") == 0 &&
	      enrol(polo, "polo", "Sicilia") == 0 &&
	      enrol(att, "attuatore", "Sicilia") == 0);
	/* The hub: only the attuatore is needed. */
	CHECK_OK(validated_case(hub, "Sicilia", &c, &e));
	CHECK(step(hub, &c, "matched", &e) == ERR_CONFLICT);
	CHECK(strstr(e.msg, "richiede: il soggetto attuatore scelto") != NULL);
	CHECK_OK(put_e(hub, "case", &c, match_att, NULL, &e));
	CHECK_OK(validated_case(hub, "Sicilia", &s1, &e));
	CHECK_OK(validated_case(hub, "Puglia", &p1, &e));
	CHECK(ship(hub, pda) == 0 && ship(hub, polo) == 0 &&
	      ship(hub, att) == 0);
	/* Polo and attuatore: the role. */
	CHECK(put_e(polo, "case", &s1, match_att, NULL, &e) == ERR_CONFLICT);
	CHECK(strstr(e.msg, "spetta a: hub, pda; non a: polo") != NULL);
	CHECK(put_e(att, "case", &s1, match_att, NULL, &e) == ERR_CONFLICT);
	CHECK(strstr(e.msg, "non a: attuatore") != NULL);
	/* The PdA without the hub's hand-over: bdi_matching. */
	CHECK(put_e(pda, "case", &s1, match_att, NULL, &e) == ERR_CONFLICT);
	CHECK(strstr(e.msg, "(campo bdi_matching)") != NULL);
	/* Outside its regions: every requirement missing is listed. */
	store_record_init(&r);
	CHECK_OK(store_get(pda, &p1, &r, &e));
	CHECK_OK(store_step_judge(pda, cc, &p1, r.fields,
				  schema_field(cc, "bdi_stage"), "validated",
				  "matched", "pda", &st, &e));
	CHECK(st.t && st.role_ok && !st.ok && st.nmissing == 3);
	CHECK(strstr(st.missing[1]->label, "bdi_matching") != NULL);
	CHECK(strstr(st.missing[2]->label, "Sicilia") != NULL);
	/* The hub is asked none of the PdA's. */
	CHECK_OK(store_step_judge(pda, cc, &p1, r.fields,
				  schema_field(cc, "bdi_stage"), "validated",
				  "matched", "hub", &st, &e));
	CHECK(st.nmissing == 1);
	store_record_release(&r);
	/* Handed over by the hub, the PdA matches a case of Sicilia; one of
	 * Puglia stays refused for the region. */
	CHECK_OK(put_e(hub, "case", &s1, "{\"bdi_matching\":\"pda\"}", NULL,
		       &e));
	CHECK_OK(put_e(hub, "case", &p1, "{\"bdi_matching\":\"pda\"}", NULL,
		       &e));
	CHECK(ship(hub, pda) == 0);
	CHECK_OK(put_e(pda, "case", &s1, match_att, NULL, &e));
	CHECK(put_e(pda, "case", &p1, match_att, NULL, &e) == ERR_CONFLICT);
	CHECK(strstr(e.msg, "un caso di Basilicata, Calabria o Sicilia") !=
	      NULL);
	the_hub = NULL;
	store_close(hub);
	store_close(pda);
	store_close(polo);
	store_close(att);
}

/* Taking charge needs the entry profile and the plan; closing the exit
 * profile; the hub formalises; follow-up is anyone's. */
static void test_bdi_charge_and_closing(void)
{
	struct store *hub = node_named("hub-c", STORE_ROLE_HUB);
	struct store *att = node_named("att-c", STORE_ROLE_NODE);
	struct store *polo = node_named("polo-c", STORE_ROLE_NODE);
	struct store_step next[STORE_STEP_MAX];
	const struct schema_collection *cc = schema_collection("case");
	struct store_record r;
	size_t n = 0;
	struct id c, h;
	struct err e;

	CHECK(hub && att && polo && enrol(att, "attuatore", "Sicilia") == 0 &&
	      enrol(polo, "polo", "Sicilia") == 0);
	/* A case cannot be born matched: no declared step. */
	CHECK(new_case(att, "Sicilia", "matched", &c, &e) == ERR_INVALID);
	CHECK_OK(new_case(hub, "Sicilia", "identified", &h, &e));
	store_record_init(&r);
	CHECK_OK(store_get(hub, &h, &r, &e));
	CHECK_OK(store_step_next(hub, cc, &h, r.fields,
				 schema_field(cc, "bdi_stage"), "hub", next,
				 STORE_STEP_MAX, &n, &e));
	CHECK(n == 1 && strcmp(next[0].t->to, "submitted") == 0 &&
	      next[0].ok);
	store_record_release(&r);
	CHECK_OK(step(hub, &h, "submitted", &e));
	CHECK_OK(child(hub, "assessment", &h, "\"decision\":\"eligible\"",
		       &e));
	CHECK_OK(step(hub, &h, "validated", &e));
	CHECK_OK(put_e(hub, "case", &h, "{\"attuatore\":\"att-1\","
		       "\"bdi_stage\":\"matched\"}", NULL, &e));
	CHECK(step(hub, &h, "in_charge", &e) == ERR_CONFLICT);
	CHECK(strstr(e.msg, "la scheda profilo di entrata") != NULL);
	/* Both missing, listed by the step view. */
	store_record_init(&r);
	CHECK_OK(store_get(hub, &h, &r, &e));
	CHECK_OK(store_step_next(hub, cc, &h, r.fields,
				 schema_field(cc, "bdi_stage"), "attuatore",
				 next, STORE_STEP_MAX, &n, &e));
	CHECK(n == 1 && next[0].role_ok && next[0].nmissing == 2);
	CHECK_OK(store_step_next(hub, cc, &h, r.fields,
				 schema_field(cc, "bdi_stage"), "polo", next,
				 STORE_STEP_MAX, &n, &e));
	CHECK(n == 1 && !next[0].role_ok && !next[0].ok);
	store_record_release(&r);
	CHECK_OK(child(hub, "profile", &h, "\"kind\":\"entry\"", &e));
	CHECK(step(hub, &h, "in_charge", &e) == ERR_CONFLICT);
	CHECK(strstr(e.msg, "il progetto di accompagnamento (PAI)") != NULL);
	CHECK_OK(child(hub, "plan", &h, "\"status\":\"draft\"", &e));
	CHECK_OK(step(hub, &h, "in_charge", &e));
	CHECK(step(hub, &h, "closing", &e) == ERR_CONFLICT);
	CHECK(strstr(e.msg, "la scheda profilo di uscita") != NULL);
	CHECK(step(hub, &h, "closed", &e) == ERR_CONFLICT);
	CHECK_OK(child(hub, "profile", &h, "\"kind\":\"exit\"", &e));
	CHECK_OK(step(hub, &h, "closing", &e));
	CHECK_OK(step(hub, &h, "closed", &e));
	CHECK_OK(step(hub, &h, "follow_up", &e));
	store_close(hub);
	store_close(att);
	store_close(polo);
}

/*
 * Offline on two nodes: the soggetto attuatore proposes closing while the
 * hub formalises the closing from "in_charge"; after the exchange both
 * hold "closed" (the monotonic merge keeps the furthest step), and the
 * hub's follow-up reaches the attuatore.
 */
static void test_bdi_offline_steps_converge(void)
{
	struct store *hub = node_named("hub-o", STORE_ROLE_HUB);
	struct store *att = node_named("att-o", STORE_ROLE_NODE);
	char b1[32], b2[32];
	struct id h;
	struct err e;

	CHECK(hub && att && enrol(att, "attuatore", "Sicilia") == 0);
	CHECK_OK(new_case(hub, "Sicilia", "submitted", &h, &e));
	CHECK_OK(child(hub, "assessment", &h, "\"decision\":\"eligible\"",
		       &e));
	CHECK_OK(step(hub, &h, "validated", &e));
	CHECK_OK(put_e(hub, "case", &h, "{\"attuatore\":\"att-1\","
		       "\"bdi_stage\":\"matched\"}", NULL, &e));
	CHECK_OK(child(hub, "profile", &h, "\"kind\":\"entry\"", &e));
	CHECK_OK(child(hub, "plan", &h, "\"status\":\"agreed\"", &e));
	CHECK_OK(step(hub, &h, "in_charge", &e));
	CHECK_OK(child(hub, "profile", &h, "\"kind\":\"exit\"", &e));
	CHECK(ship(hub, att) == 0);
	CHECK(strcmp(stage_of(att, &h, b1, sizeof(b1)), "in_charge") == 0);
	/* Offline, each its own step. */
	CHECK_OK(step(att, &h, "closing", &e));
	CHECK_OK(step(hub, &h, "closed", &e));
	CHECK(ship(att, hub) == 0 && ship(hub, att) == 0);
	CHECK(strcmp(stage_of(hub, &h, b1, sizeof(b1)), "closed") == 0);
	CHECK(strcmp(stage_of(att, &h, b2, sizeof(b2)), "closed") == 0);
	CHECK_OK(step(hub, &h, "follow_up", &e));
	CHECK(ship(hub, att) == 0);
	CHECK(strcmp(stage_of(att, &h, b2, sizeof(b2)), "follow_up") == 0);
	store_close(hub);
	store_close(att);
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

/* The hub's verdict on from's change number seq: j->why "" if taken. */
static int judge(struct store *from, uint64_t seq, struct judge *j)
{
	j->why[0] = '\0';
	j->rc = -1;
	return store_log(from, seq - 1, 1, 1, judge_one, j, NULL) || j->rc;
}

/*
 * The hub judges a pushed step on its own data: the soggetto attuatore
 * took charge with an entry profile and a plan the hub does not hold
 * (not pushed yet, in this test): refused naming the requirement; once
 * they are there, the same step is taken.
 */
static void test_bdi_hub_refuses_pushed_step(void)
{
	struct store *hub = node_named("hub-p", STORE_ROLE_HUB);
	struct store *att = node_named("att-p", STORE_ROLE_NODE);
	char token[REGISTRY_TOKEN_LEN + 1];
	struct store_put_result res;
	struct store_status st;
	struct judge j;
	json_t *v;
	struct id h;
	struct err e;

	CHECK(hub && att);
	the_hub = hub;
	CHECK(enrol(att, "attuatore", "Sicilia") == 0);
	memset(&j, 0, sizeof(j));
	memset(&st, 0, sizeof(st));
	j.hub = hub;
	CHECK(registry_peer_add(hub, "att-1", "attuatore", "Sicilia", 60,
				token, NULL) == 0 &&
	      registry_peer_by_name(hub, "att-1", &j.peer, NULL) == 0 &&
	      store_status(att, &st, NULL) == 0);
	j.peer.node_id = st.node_id;
	CHECK_OK(validated_case(hub, "Sicilia", &h, &e));
	CHECK_OK(put_e(hub, "case", &h, match_att, NULL, &e));
	CHECK(ship(hub, att) == 0);
	CHECK_OK(child(att, "profile", &h, "\"kind\":\"entry\"", &e));
	CHECK_OK(child(att, "plan", &h, "\"status\":\"agreed\"", &e));
	v = json_pack("{s:s}", "bdi_stage", "in_charge");
	CHECK(v && store_put(att, "case", &h, v, &res, &e) == 0);
	json_decref(v);
	CHECK(judge(att, res.seq, &j) == 0);
	if (!strstr(j.why, "richiede: la scheda profilo di entrata"))
		fprintf(stderr, "    why: %s\n", j.why);
	CHECK(strstr(j.why, "campo 'bdi_stage' (") &&
	      strstr(j.why, "di 'case': il passo 'matched' -> 'in_charge' "
			    "richiede: la scheda profilo di entrata"));
	CHECK(ship(att, hub) == 0);
	CHECK(judge(att, res.seq, &j) == 0);
	CHECK(j.why[0] == '\0');
	the_hub = NULL;
	store_close(hub);
	store_close(att);
}

/* The steps of the spec and who takes them (NULL roles: anyone). */
static const struct {
	const char *from, *to, *roles;
} matrix[] = {
	{ NULL, "identified", NULL },
	{ NULL, "submitted", NULL },
	{ "identified", "submitted", NULL },
	{ "submitted", "validated", "hub" },
	{ "submitted", "rejected", "hub" },
	{ "rejected", "validated", "hub" },
	{ "validated", "matched", "hub pda" },
	{ "matched", "in_charge", "hub pda attuatore" },
	{ "in_charge", "closing", "hub polo pda attuatore" },
	{ "closing", "closed", "hub" },
	{ "in_charge", "closed", "hub" },
	{ "closed", "follow_up", NULL },
};

/* The hub's steps that bring a case to `from`. */
static const char *const path_to[][6] = {
	{ "identified" },
	{ "submitted" },
	{ "submitted", "rejected" },
	{ "submitted", "validated" },
	{ "submitted", "validated", "matched" },
	{ "submitted", "validated", "matched", "in_charge" },
	{ "submitted", "validated", "matched", "in_charge", "closing" },
	{ "submitted", "validated", "matched", "in_charge", "closed" },
};
static const char *const path_names[] = {
	"identified", "submitted", "rejected", "validated", "matched",
	"in_charge", "closing", "closed"
};

/* A case on the hub at `from`, with every requirement of every step met
 * (both assessments, the attuatore, the hand-over, profiles, plan). */
static int case_at(struct store *hub, const char *from, struct id *c,
		   struct err *e)
{
	size_t k = 0;
	int rc;

	while (strcmp(path_names[k], from) != 0)
		k++;
	rc = new_case(hub, "Sicilia", path_to[k][0], c, e);
	if (!rc)
		rc = put_e(hub, "case", c, "{\"attuatore\":\"att-1\","
			   "\"bdi_matching\":\"pda\"}", NULL, e);
	if (!rc)
		rc = child(hub, "assessment", c,
			   "\"decision\":\"not_eligible\"", e);
	if (!rc)
		rc = child(hub, "assessment", c, "\"decision\":\"eligible\"",
			   e);
	if (!rc)
		rc = child(hub, "profile", c, "\"kind\":\"entry\"", e);
	if (!rc)
		rc = child(hub, "profile", c, "\"kind\":\"exit\"", e);
	if (!rc)
		rc = child(hub, "plan", c, "\"status\":\"agreed\"", e);
	for (size_t i = 1; !rc && i < 6 && path_to[k][i]; i++)
		rc = step(hub, c, path_to[k][i], e);
	return rc;
}

/* 1 when role is a word of roles (NULL: anyone). */
static int in_roles(const char *roles, const char *role)
{
	size_t n = strlen(role);

	for (const char *p = roles; p && (p = strstr(p, role)); p += n)
		if ((p == roles || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return 1;
	return !roles;
}

/*
 * Every step of case.bdi_stage by every role, its requirements met: taken
 * exactly by the roles the procedure gives it; refused for the others
 * naming the roles that take it and the writer's own.
 */
static void test_bdi_every_step_by_every_role(void)
{
	static const char *const kinds[] = { "hub", "polo", "pda",
					     "attuatore" };
	struct store *st[4];
	char name[32];
	struct id c;
	struct err e;
	int rc;

	st[0] = node_named("hub-x", STORE_ROLE_HUB);
	CHECK(st[0] != NULL);
	the_hub = st[0];
	for (size_t i = 1; i < 4; i++) {
		snprintf(name, sizeof(name), "x-%s", kinds[i]);
		st[i] = node_named(name, STORE_ROLE_NODE);
		CHECK(st[i] && enrol(st[i], kinds[i], "Sicilia") == 0);
	}
	for (size_t t = 0; t < sizeof(matrix) / sizeof(matrix[0]); t++) {
		if (matrix[t].from) {
			CHECK_OK(case_at(st[0], matrix[t].from, &c, &e));
			for (size_t i = 1; i < 4; i++)
				CHECK(ship(st[0], st[i]) == 0);
		}
		for (size_t i = 0; i < 4; i++) {
			int want = in_roles(matrix[t].roles, kinds[i]);

			rc = matrix[t].from
				     ? step(st[i], &c, matrix[t].to, &e)
				     : new_case(st[i], "Sicilia", matrix[t].to,
						&c, &e);
			if ((rc == 0) != want)
				fprintf(stderr, "    %s -> %s by %s: %d %s\n",
					matrix[t].from ? matrix[t].from
						       : "(none)",
					matrix[t].to, kinds[i], rc, e.msg);
			CHECK((rc == 0) == want);
			if (!want) {
				CHECK(rc == ERR_CONFLICT);
				CHECK(strstr(e.msg, "spetta a:") != NULL);
				CHECK(strstr(e.msg, kinds[i]) != NULL);
			}
		}
	}
	the_hub = NULL;
	for (size_t i = 0; i < 4; i++)
		store_close(st[i]);
}

TEST_MAIN(T(test_bdi_open_steps_any_role),
	  T(test_bdi_hub_validation_requirements),
	  T(test_bdi_matching_roles_and_requirements),
	  T(test_bdi_charge_and_closing),
	  T(test_bdi_offline_steps_converge),
	  T(test_bdi_hub_refuses_pushed_step),
	  T(test_bdi_every_step_by_every_role))
