/*
 * test_domain.c - the product's declarations (schema/collections.c and
 * the schema/coll_*.c files): every collection, field and value labelled,
 * the ids and values of the first release kept, the procedures' steps and
 * who takes them, validation errors that name the field, the dote's and
 * the ledger's invariants, and the workload's lines still valid.
 */
#include <jansson.h>
#include <string.h>

#include "schema/rule.h"
#include "schema/schema.h"
#include "tests/test.h"

/* Validate fields given as JSON text against collection coll; 1 when the
 * text does not parse (neither 0 nor an ERR_* code). */
static int validate(const char *coll, const char *json, int creating,
		    struct err *e)
{
	json_t *o = json_loads(json, 0, NULL);
	int rc;

	if (!o)
		return 1;
	err_init(e);
	rc = schema_validate(schema_collection(coll), o, creating, e);
	json_decref(o);
	return rc;
}

/* The invariant of coll over fields given as JSON text ("?" when the text
 * does not parse). */
static const char *invariant(const char *coll, const char *json)
{
	const struct schema_collection *c = schema_collection(coll);
	json_t *o = json_loads(json, 0, NULL);
	const char *why = "?";

	if (o && c && c->invariant)
		why = c->invariant(o);
	json_decref(o);
	return why;
}

static size_t count(const char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

static void test_domain_version_and_collections(void)
{
	static const char *const names[] = {
		"person", "case", "service", "assessment", "plan", "plan_goal",
		"plan_review", "profile", "consent", "referral", "dote",
		"ledger", "followup", "service_directory",
	};

	CHECK(schema_version() == 2);
	CHECK(schema_product.n == sizeof(names) / sizeof(names[0]));
	for (size_t i = 0; i < schema_product.n; i++) {
		const struct schema_collection *c = &schema_product.colls[i];

		CHECK(strcmp(c->name, names[i]) == 0);
		CHECK(c->id == 10 + i);
		CHECK(schema_collection(c->name) == c);
	}
	CHECK(schema_collection("plan_review")->kind == SCHEMA_APPEND_ONLY);
	CHECK(schema_collection("ledger")->kind == SCHEMA_APPEND_ONLY);
	CHECK(schema_scope_of(schema_collection("service_directory")) ==
	      SCHEMA_SCOPE_SHARED);
	CHECK(schema_scope_root(schema_collection("plan_goal")) ==
	      schema_collection("case"));
	CHECK(schema_scope_root(schema_collection("ledger")) ==
	      schema_collection("case"));
}

/* What a person reads: every collection, field and value of the product
 * has an Italian label, every collection and field a help line. */
static void test_domain_everything_labelled(void)
{
	for (size_t i = 0; i < schema_product.n; i++) {
		const struct schema_collection *c = &schema_product.colls[i];

		CHECK(c->label && c->label[0] && c->help && c->help[0]);
		CHECK(c->doc && c->doc[0]);
		for (size_t j = 0; j < c->nfields; j++) {
			const struct schema_field *f = &c->fields[j];

			CHECK(f->label && f->label[0]);
			CHECK(f->help && f->help[0]);
			CHECK(f->doc && f->doc[0]);
			if (f->type != SCHEMA_ENUM &&
			    f->type != SCHEMA_ENUM_SET) {
				CHECK(!f->values && !f->value_labels);
				continue;
			}
			CHECK(count(f->values) > 0);
			CHECK(count(f->values) == count(f->value_labels));
			for (size_t k = 0; f->value_labels[k]; k++)
				CHECK(f->value_labels[k][0] != '\0');
		}
	}
}

/* The first release's ids, names and values are kept, new values come
 * after them (spot checks), and the new fields take the next ids. */
static void test_domain_first_release_kept(void)
{
	const struct schema_collection *p = schema_collection("person");
	const struct schema_collection *c = schema_collection("case");
	const struct schema_collection *s = schema_collection("service");
	const struct schema_field *ch = schema_field(c, "access_channel");
	const struct schema_field *st = schema_field(s, "service_type");

	CHECK(schema_field_by_id(p, 1) == schema_field(p, "given_name"));
	CHECK(schema_field_by_id(p, 22) == schema_field(p, "created_by"));
	CHECK(schema_field_by_id(p, 27) == schema_field(p, "merged_into"));
	CHECK(schema_field_by_id(c, 4) == schema_field(c, "stage"));
	CHECK(schema_field_by_id(c, 13) == schema_field(c, "nodes"));
	CHECK(schema_field_by_id(c, 17) == schema_field(c, "bdi_stage"));
	CHECK(schema_field_by_id(s, 9) == schema_field(s, "updated_at"));
	CHECK(strcmp(ch->values[0], "walk_in") == 0);
	CHECK(strcmp(ch->values[8], "self_referral_online") == 0);
	CHECK(strcmp(ch->values[9], "spontaneous") == 0);
	CHECK(strcmp(ch->values[14], "programma_unico") == 0);
	CHECK(strcmp(st->values[11], "anti_trafficking_referral") == 0);
	CHECK(strcmp(st->values[12], "orientation") == 0);
	CHECK(strcmp(st->values[22], "mobility") == 0);
	/* everything about the person is personal; bookkeeping is not */
	for (size_t j = 0; j < p->nfields; j++) {
		const struct schema_field *f = &p->fields[j];
		int book = f->id >= 20 && f->id <= 22;

		CHECK(((f->flags & SCHEMA_PERSONAL) == 0) == book);
	}
	CHECK(schema_field(schema_collection("assessment"), "decision")->flags &
	      SCHEMA_HUB_ONLY);
	CHECK(schema_field(c, "bdi_matching")->flags & SCHEMA_HUB_ONLY);
	CHECK(!(schema_field(c, "bdi_stage")->flags & SCHEMA_HUB_ONLY));
}

/* 1 when a writer of role may take from -> to of coll.field. */
static int may(const char *coll, const char *field, const char *from,
	       const char *to, const char *role)
{
	const struct schema_field *f =
		schema_field(schema_collection(coll), field);
	const struct schema_transition *t = rule_transition(f, from, to);

	return t && rule_role_ok(t, role);
}

static void test_domain_bdi_steps_and_roles(void)
{
	static const char *const kinds[] = { "polo", "pda", "attuatore" };

	CHECK(rule_is_procedure(schema_field(schema_collection("case"),
					     "bdi_stage")));
	CHECK(may("case", "bdi_stage", NULL, "identified", NULL));
	CHECK(may("case", "bdi_stage", NULL, "submitted", "polo"));
	CHECK(may("case", "bdi_stage", "identified", "submitted", "attuatore"));
	CHECK(!may("case", "bdi_stage", NULL, "validated", "hub"));
	/* only the hub validates or rejects */
	CHECK(may("case", "bdi_stage", "submitted", "validated", "hub"));
	CHECK(may("case", "bdi_stage", "submitted", "rejected", "hub"));
	CHECK(may("case", "bdi_stage", "rejected", "validated", "hub"));
	for (size_t i = 0; i < 3; i++) {
		CHECK(!may("case", "bdi_stage", "submitted", "validated",
			   kinds[i]));
		CHECK(!may("case", "bdi_stage", "submitted", "rejected",
			   kinds[i]));
		CHECK(!may("case", "bdi_stage", "closing", "closed",
			   kinds[i]));
		CHECK(may("case", "bdi_stage", "in_charge", "closing",
			  kinds[i]));
	}
	CHECK(!may("case", "bdi_stage", "submitted", "validated", NULL));
	CHECK(may("case", "bdi_stage", "validated", "matched", "pda"));
	CHECK(!may("case", "bdi_stage", "validated", "matched", "attuatore"));
	CHECK(may("case", "bdi_stage", "matched", "in_charge", "attuatore"));
	CHECK(!may("case", "bdi_stage", "matched", "in_charge", "polo"));
	CHECK(may("case", "bdi_stage", "in_charge", "closed", "hub"));
	CHECK(!may("case", "bdi_stage", "in_charge", "closed", "pda"));
	CHECK(may("case", "bdi_stage", "closed", "follow_up", "polo"));
	CHECK(!may("case", "bdi_stage", "validated", "rejected", "hub"));
	CHECK(!may("case", "bdi_stage", "matched", "validated", "hub"));
}

static void test_domain_dote_and_referral_steps(void)
{
	struct err e;
	json_t *cur = json_pack("{ss}", "status", "assigned");
	json_t *w = json_pack("{ss}", "status", "active");

	/* only the hub assigns, closes and revokes a dote */
	CHECK(may("dote", "status", NULL, "assigned", "hub"));
	CHECK(!may("dote", "status", NULL, "assigned", "pda"));
	CHECK(!may("dote", "status", NULL, "assigned", "polo"));
	CHECK(!may("dote", "status", NULL, "assigned", NULL));
	CHECK(!may("dote", "status", NULL, "active", "hub"));
	CHECK(may("dote", "status", "assigned", "active", "attuatore"));
	CHECK(may("dote", "status", "assigned", "active", "pda"));
	CHECK(!may("dote", "status", "assigned", "active", "polo"));
	CHECK(may("dote", "status", "active", "closed", "hub"));
	CHECK(!may("dote", "status", "active", "closed", "attuatore"));
	CHECK(may("dote", "status", "assigned", "revoked", "hub"));
	CHECK(!may("dote", "status", "active", "revoked", "pda"));
	CHECK(!may("dote", "status", "closed", "active", "hub"));
	/* a referral's steps are anyone's */
	CHECK(may("referral", "status", NULL, "proposed", "polo"));
	CHECK(may("referral", "status", "proposed", "declined", "attuatore"));
	CHECK(may("referral", "status", "accepted", "completed", NULL));
	CHECK(may("referral", "status", "accepted", "revoked", "pda"));
	CHECK(!may("referral", "status", "proposed", "completed", "hub"));
	CHECK(!may("referral", "status", "declined", "accepted", "hub"));
	/* as a local write sees it */
	err_init(&e);
	CHECK(rule_check_steps(schema_collection("dote"), cur, w, "polo",
			       &e) == ERR_CONFLICT);
	CHECK(strstr(e.msg, "campo 'status' (Stato della dote) di 'dote'") !=
	      NULL);
	CHECK_OK(rule_check_steps(schema_collection("dote"), cur, w,
				  "attuatore", &e));
	json_decref(cur);
	json_decref(w);
}

static void test_domain_dote_cap(void)
{
	const struct schema_collection *d = schema_collection("dote");
	const struct schema_collection *parent = NULL;
	const struct schema_aggregate *a =
		rule_aggregate_over(schema_collection("ledger"), 0, &parent);

	CHECK(parent == d);
	CHECK(a == &d->aggregates[0]);
	CHECK(strcmp(a->sum, "amount_cents") == 0);
	CHECK(a->cap_field == NULL && a->cap == 1200000);
	CHECK(rule_cap(a, NULL) == 1200000);
}

/* The domain rules' refusals are in Italian and name the field by name
 * and label and the rule (the domain contract, "Messages"). */
static void test_domain_refusals_in_italian(void)
{
	const struct schema_collection *c = schema_collection("case");
	const struct schema_field *f = schema_field(c, "bdi_stage");
	const struct schema_collection *d = schema_collection("dote");
	struct err e;

	err_init(&e);
	CHECK(rule_check_step(c, f, "submitted", "validated", "pda", &e) ==
	      ERR_CONFLICT);
	CHECK(strcmp(e.msg, "campo 'bdi_stage' (Fase del Budget di "
		     "Integrazione) di 'case': il passo 'submitted' -> "
		     "'validated' spetta a: hub; non a: pda") == 0);
	CHECK(rule_check_cap(d, &d->aggregates[0], 0, 1200001, 1200000, &e) ==
	      ERR_INVALID);
	CHECK(strstr(e.msg, "campo 'amount_cents' (") == e.msg);
	CHECK(strstr(e.msg, "supererebbe il tetto") != NULL);
	CHECK(rule_check_quota(d, 1, 1, &e) == ERR_INVALID);
	CHECK(strstr(e.msg, "campo 'partner' (") == e.msg);
	CHECK(strstr(e.msg, "raggiunto il limite di le doti assegnabili") !=
	      NULL);
}

/* The services of the Poli Sociali Integrati, values and labels, are
 * declared once: what the map of the territory lists is the tail of what
 * a service may be. */
static void test_domain_poli_services_declared_once(void)
{
	const struct schema_field *svc =
		schema_field(schema_collection("service"), "service_type");
	const struct schema_field *dir =
		schema_field(schema_collection("service_directory"),
			     "service_type");
	size_t k = 0;

	CHECK(svc && dir && dir->values && dir->value_labels);
	while (svc->values[k] && strcmp(svc->values[k], dir->values[0]))
		k++;
	CHECK(svc->values[k] != NULL);
	CHECK(dir->values == svc->values + k);
	CHECK(dir->value_labels == svc->value_labels + k);
	CHECK(!strcmp(dir->values[0], "orientation"));
	CHECK(!strcmp(dir->value_labels[10],
		      "Accesso alla mobilità (accessorio)"));
	CHECK(dir->values[11] == NULL);
}

/* Validation errors name the field (and the declared values), never the
 * value written. */
static void test_domain_errors_name_the_field(void)
{
	struct err e;

	CHECK(validate("case", "{\"bdi_stage\":\"Rossi\"}", 0, &e) ==
	      ERR_INVALID);
	CHECK(strstr(e.msg, "campo 'bdi_stage' (Fase del Budget di Integrazione) di 'case'") != NULL);
	CHECK(strstr(e.msg, "Rossi") == NULL);
	CHECK(validate("assessment", "{\"indicators\":[\"wages\","
		       "\"Rossi\"]}", 0, &e) == ERR_INVALID);
	CHECK(strstr(e.msg, "campo 'indicators' (Indici art. 603-bis osservati) di "
		     "'assessment'") != NULL);
	CHECK(strstr(e.msg, "Rossi") == NULL);
	CHECK(validate("assessment", "{\"indicators\":[\"hours\","
		       "\"hours\"]}", 0, &e) == ERR_INVALID);
	CHECK(strstr(e.msg, "campo 'indicators' (Indici art. 603-bis osservati) di "
		     "'assessment'") != NULL);
	CHECK_OK(validate("assessment", "{\"indicators\":[\"hours\","
			  "\"wages\",\"safety\",\"degrading\"]}", 0, &e));
	CHECK(validate("ledger", "{\"dote_id\":\"0b0a3f3e-1111-4222-8333-"
		       "444455556666\",\"area\":\"housing\",\"amount_cents\":"
		       "5000,\"date\":\"2025-03-01\"}", 1, &e) == ERR_INVALID);
	CHECK(strcmp(e.msg, "campo 'kind' (Tipo) di 'ledger': obbligatorio") == 0);
	CHECK(validate("ledger", "{\"amount_cents\":\"5000\"}", 0, &e) ==
	      ERR_INVALID);
	CHECK(strstr(e.msg, "campo 'amount_cents' (Importo (centesimi di euro)) di "
		     "'ledger'") != NULL);
	CHECK(strstr(e.msg, "5000") == NULL);
	CHECK(validate("dote", "{\"start_date\":\"2025-02-30\"}", 0, &e) ==
	      ERR_INVALID);
	CHECK(strstr(e.msg, "campo 'start_date' (") != NULL);
	CHECK(validate("dote", "{\"partner\":\"lazio\"}", 0, &e) ==
	      ERR_INVALID);
	CHECK(strstr(e.msg, "nova, campania") != NULL);
}

#define DOTE(start, end, just)                                                 \
	"{\"start_date\":\"" start "\",\"planned_end\":\"" end "\"" just "}"

static void test_domain_dote_duration(void)
{
	const char *why;

	/* exactly 2 and exactly 9 calendar months pass */
	CHECK(invariant("dote", DOTE("2025-01-15", "2025-03-15", "")) == NULL);
	CHECK(invariant("dote", DOTE("2025-01-15", "2025-10-15", "")) == NULL);
	CHECK(invariant("dote", DOTE("2025-06-01", "2025-11-20", "")) == NULL);
	/* over a year's end, and from a month's last day */
	CHECK(invariant("dote", DOTE("2025-11-30", "2026-08-30", "")) == NULL);
	CHECK(invariant("dote", DOTE("2024-12-31", "2025-02-28", "")) == NULL);
	CHECK(invariant("dote", DOTE("2024-12-31", "2025-02-27", "")) != NULL);
	/* 1 month, a day short of 2, a day past 9, 10 months: refused */
	why = invariant("dote", DOTE("2025-01-15", "2025-02-15", ""));
	CHECK(why != NULL && strcmp(why, "?") != 0);
	CHECK(strstr(why, "planned_end") && strstr(why, "start_date") &&
	      strstr(why, "justification"));
	CHECK(strstr(why, "2025") == NULL);
	CHECK(invariant("dote", DOTE("2025-01-15", "2025-03-14", "")) != NULL);
	CHECK(invariant("dote", DOTE("2025-01-15", "2025-10-16", "")) != NULL);
	CHECK(invariant("dote", DOTE("2025-01-15", "2025-11-15", "")) != NULL);
	/* the end before the start */
	CHECK(invariant("dote", DOTE("2025-05-01", "2025-04-01", "")) != NULL);
	/* a justification lets any of them pass; blank is none */
	CHECK(invariant("dote", DOTE("2025-01-15", "2025-02-15",
				     ",\"justification\":\"Rientro.\"")) ==
	      NULL);
	CHECK(invariant("dote", DOTE("2025-01-15", "2025-11-15",
				     ",\"justification\":\"Tirocinio.\"")) ==
	      NULL);
	CHECK(invariant("dote", DOTE("2025-01-15", "2025-11-15",
				     ",\"justification\":\" \\n\"")) != NULL);
	CHECK(invariant("dote", DOTE("2025-01-15", "2025-11-15",
				     ",\"justification\":null")) != NULL);
	/* not both dates set: nothing to check yet */
	CHECK(invariant("dote", "{\"start_date\":\"2025-01-15\"}") == NULL);
	CHECK(invariant("dote", "{\"planned_end\":\"2025-01-15\"}") == NULL);
	CHECK(invariant("dote", "{\"start_date\":null,"
			"\"planned_end\":\"2025-01-15\"}") == NULL);
}

static void test_domain_ledger_sign(void)
{
	const char *why;

	CHECK(invariant("ledger", "{\"kind\":\"commitment\","
			"\"amount_cents\":100}") == NULL);
	CHECK(invariant("ledger", "{\"kind\":\"expense\","
			"\"amount_cents\":1200000}") == NULL);
	CHECK(invariant("ledger", "{\"kind\":\"reversal\","
			"\"amount_cents\":-100}") == NULL);
	why = invariant("ledger", "{\"kind\":\"expense\","
			"\"amount_cents\":-4711}");
	CHECK(why && strstr(why, "amount_cents") && strstr(why, "kind"));
	CHECK(why && strstr(why, "4711") == NULL);
	CHECK(invariant("ledger", "{\"kind\":\"commitment\","
			"\"amount_cents\":0}") != NULL);
	why = invariant("ledger", "{\"kind\":\"reversal\","
			"\"amount_cents\":100}");
	CHECK(why && strstr(why, "storno") && strstr(why, "amount_cents"));
	CHECK(invariant("ledger", "{\"kind\":\"reversal\","
			"\"amount_cents\":0}") != NULL);
	CHECK(invariant("ledger", "{\"kind\":\"reversal\"}") == NULL);
	CHECK(invariant("ledger", "{\"amount_cents\":-5}") == NULL);
}

/* Lines of the workload generator (gen.js --seed 1 --persons 30
 * --updates 20): a create of each collection and updates. */
static void test_domain_workload_lines_validate(void)
{
	struct err e;

	CHECK_OK(validate("person",
		"{\"given_name\":\"Mariama\",\"family_name\":\"Eze\","
		"\"sex\":\"F\",\"birth_date\":\"2002-03-26\","
		"\"birth_country\":\"SL\",\"nationality\":\"SL\","
		"\"languages\":[\"fr\",\"bm\",\"it\"],"
		"\"tax_code\":\"ZXXMRM02C26Z140C\","
		"\"residence_permit_type\":\"protezione_sussidiaria\","
		"\"residence_permit_expiry\":\"2024-10-09\","
		"\"phone\":\"+39 370 5593222\",\"email\":null,"
		"\"residence_municipality\":\"Siracusa\","
		"\"residence_province\":\"SR\",\"household_size\":3,"
		"\"vulnerabilities\":[\"single_parent\"],"
		"\"privacy_consent\":true,\"consent_date\":\"2024-01-28\","
		"\"notes\":\"Parla bene il francese.\","
		"\"created_at\":\"2024-01-28T01:50:03Z\","
		"\"updated_at\":\"2024-01-28T01:50:03Z\","
		"\"created_by\":\"node-sic-03\"}", 1, &e));
	CHECK_OK(validate("case",
		"{\"person_id\":\"64acd2f6-db46-49ee-83c2-111d0b79b87a\","
		"\"region\":\"Sicilia\",\"province\":\"ME\","
		"\"stage\":\"active\","
		"\"access_channel\":\"referral_social_services\","
		"\"assigned_org\":\"Cooperativa Proxima Ragusa\","
		"\"case_worker\":\"s.bianchi@sic\",\"priority\":\"low\","
		"\"opened_at\":\"2024-01-31\",\"closed_at\":null,"
		"\"updated_at\":\"2024-01-31T10:53:46Z\","
		"\"created_by\":\"node-sic-04\"}", 1, &e));
	CHECK_OK(validate("service",
		"{\"case_id\":\"40ffcf1a-abd0-4068-860d-7a9245e01355\","
		"\"service_type\":\"legal_advice\",\"date\":\"2024-08-21\","
		"\"operator\":\"s.bianchi@sic\",\"duration_min\":60,"
		"\"outcome\":\"partially_completed\","
		"\"note\":\"Inviata segnalazione.\","
		"\"created_by\":\"node-sic-03\"}", 1, &e));
	CHECK_OK(validate("case", "{\"priority\":\"medium\","
			  "\"updated_at\":\"2025-06-30T01:38:18Z\"}", 0, &e));
	CHECK_OK(validate("case", "{\"stage\":\"care_plan\","
			  "\"assigned_org\":\"ARCI Basilicata\","
			  "\"updated_at\":\"2025-06-30T07:10:28Z\"}", 0, &e));
	CHECK_OK(validate("person", "{\"residence_permit_type\":"
			  "\"minore_eta\",\"residence_permit_expiry\":"
			  "\"2026-05-09\",\"updated_at\":"
			  "\"2025-06-30T05:37:14Z\"}", 0, &e));
	CHECK_OK(validate("service", "{\"duration_min\":45,\"updated_at\":"
			  "\"2025-06-30T06:58:35Z\"}", 0, &e));
}

/* A record of each new collection, as a form would write it. */
static void test_domain_new_collections_validate(void)
{
	static const struct {
		const char *coll, *json;
	} recs[] = {
		{ "assessment", "{\"case_id\":\"40ffcf1a-abd0-4068-860d-"
		  "7a9245e01355\",\"criterion1\":true,\"indicators\":"
		  "[\"wages\",\"degrading\"],\"criterion2\":true,"
		  "\"case_type\":\"4\",\"submitted_on\":\"2025-03-01\"}" },
		{ "plan", "{\"case_id\":\"40ffcf1a-abd0-4068-860d-"
		  "7a9245e01355\",\"status\":\"agreed\",\"team\":"
		  "[\"assistente sociale\",\"mediatrice\"]}" },
		{ "plan_goal", "{\"plan_id\":\"40ffcf1a-abd0-4068-860d-"
		  "7a9245e01355\",\"area\":\"labour\",\"goal\":\"Tirocinio\","
		  "\"status\":\"partly\"}" },
		{ "plan_review", "{\"plan_id\":\"40ffcf1a-abd0-4068-860d-"
		  "7a9245e01355\",\"date\":\"2025-05-01\"}" },
		{ "profile", "{\"case_id\":\"40ffcf1a-abd0-4068-860d-"
		  "7a9245e01355\",\"kind\":\"entry\",\"housing_level\":"
		  "\"critical\",\"labour_level\":\"fragile\"}" },
		{ "consent", "{\"case_id\":\"40ffcf1a-abd0-4068-860d-"
		  "7a9245e01355\",\"purpose\":\"referral\",\"given_on\":"
		  "\"2025-03-02\"}" },
		{ "referral", "{\"case_id\":\"40ffcf1a-abd0-4068-860d-"
		  "7a9245e01355\",\"status\":\"proposed\",\"to_org\":"
		  "\"CPI Foggia\"}" },
		{ "dote", "{\"case_id\":\"40ffcf1a-abd0-4068-860d-"
		  "7a9245e01355\",\"partner\":\"puglia\",\"status\":"
		  "\"assigned\",\"start_date\":\"2025-04-01\"}" },
		{ "ledger", "{\"dote_id\":\"40ffcf1a-abd0-4068-860d-"
		  "7a9245e01355\",\"area\":\"housing\",\"amount_cents\":"
		  "45000,\"date\":\"2025-04-03\",\"kind\":\"commitment\"}" },
		{ "followup", "{\"case_id\":\"40ffcf1a-abd0-4068-860d-"
		  "7a9245e01355\",\"area\":\"integration\",\"date\":"
		  "\"2025-12-01\",\"outcome\":\"improved\"}" },
		{ "service_directory", "{\"body\":\"Centro per l'impiego\","
		  "\"region\":\"Puglia\",\"service_type\":\"job_placement\"}" },
	};
	struct err e;

	for (size_t i = 0; i < sizeof(recs) / sizeof(recs[0]); i++)
		CHECK_OK(validate(recs[i].coll, recs[i].json, 1, &e));
}

TEST_MAIN(T(test_domain_version_and_collections),
	  T(test_domain_everything_labelled),
	  T(test_domain_first_release_kept),
	  T(test_domain_bdi_steps_and_roles),
	  T(test_domain_dote_and_referral_steps), T(test_domain_dote_cap),
	  T(test_domain_refusals_in_italian),
	  T(test_domain_poli_services_declared_once),
	  T(test_domain_errors_name_the_field),
	  T(test_domain_dote_duration), T(test_domain_ledger_sign),
	  T(test_domain_workload_lines_validate),
	  T(test_domain_new_collections_validate))
