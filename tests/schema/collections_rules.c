/*
 * collections_rules.c - the test collections of the rules over the
 * records around a step (tests/schema/collections.h, test_rules_set):
 * a case's procedure in the small, with its checks, consents and grants.
 * Ids 6 to 9 (the tests' are 1 to 9).
 *
 *   test_file    a procedure (stage) whose steps require a CHILD
 *                test_check with a decision, SELF fields, one only of
 *                a PdA (a requirement limited by role)
 *   test_check   a child of a file, with a decision
 *   test_consent a child of a file, revocable (revoked_on)
 *   test_grant   a child of a file: its status steps require the PARENT
 *                file validated, a SIBLING consent not revoked; a quota
 *                of grants per partner (revoked ones not counted) and an
 *                invariant (months outside 2..9 need a justification)
 *                that refuses local writes breaking it
 */
#include "tests/schema/collections.h"

#define FIELDS(a) (a), sizeof(a) / sizeof((a)[0])

static const char *const roles_hub[] = { "hub", NULL };
static const char *const roles_hub_pda[] = { "hub", "pda", NULL };
static const char *const roles_pda[] = { "pda", NULL };

/* ---- test_file ---- */

static const char *const file_stages[] = {
	"new", "submitted", "validated", "matched", "closed", NULL
};
static const char *const file_stages_labels[] = {
	"New", "Submitted", "Validated", "Matched", "Closed", NULL
};

static const char *const matching_values[] = { "hub", "pda", NULL };
static const char *const matching_values_labels[] = {
	"Hub", "Pda", NULL
};

static const char *const eligible[] = { "eligible", NULL };
static const char *const pda_only[] = { "pda", NULL };
static const char *const south[] = { "calabria", "sicilia", NULL };

static const struct schema_requirement need_eligible[] = {
	{ .link = SCHEMA_LINK_CHILD, .collection = "test_check",
	  .field = "decision", .values = eligible,
	  .label = "una verifica con esito positivo" },
};
static const struct schema_requirement need_match[] = {
	{ .link = SCHEMA_LINK_SELF, .field = "attuatore",
	  .label = "il soggetto attuatore" },
	{ .link = SCHEMA_LINK_SELF, .field = "matching", .values = pda_only,
	  .roles = roles_pda, .label = "il matching affidato al PdA" },
	{ .link = SCHEMA_LINK_SELF, .field = "region", .values = south,
	  .roles = roles_pda, .label = "una regione del PdA" },
};
static const struct schema_requirement need_check[] = {
	{ .link = SCHEMA_LINK_CHILD, .collection = "test_check",
	  .label = "almeno una verifica" },
};

static const struct schema_transition file_steps[] = {
	{ .from = NULL, .to = "new" },
	{ .from = "new", .to = "submitted" },
	{ .from = "submitted", .to = "validated", .roles = roles_hub_pda,
	  .requires = need_eligible, .nrequires = 1 },
	{ .from = "validated", .to = "submitted" }, /* sent back */
	{ .from = "validated", .to = "matched", .roles = roles_hub_pda,
	  .requires = need_match, .nrequires = 3 },
	{ .from = "matched", .to = "closed", .requires = need_check,
	  .nrequires = 1 },
};

static const struct schema_field file_fields[] = {
	{ .name = "title", .id = 1, .type = SCHEMA_STRING,
	  .flags = SCHEMA_REQUIRED, .label = "Prova", .help = "Solo per i test.",
	  .doc = "short required text" },
	{ .name = "stage", .id = 2, .type = SCHEMA_ENUM,
	  .merge = SCHEMA_MERGE_MONOTONIC, .values = file_stages, .value_labels = file_stages_labels,
	  .transitions = file_steps, .ntransitions = 6,
	  .label = "Prova", .help = "Solo per i test.",
	  .doc = "a procedure whose steps require records around it" },
	{ .name = "attuatore", .id = 3, .type = SCHEMA_STRING,
	  .label = "Prova", .help = "Solo per i test.",
	  .doc = "set before matching" },
	{ .name = "matching", .id = 4, .type = SCHEMA_ENUM,
	  .values = matching_values, .value_labels = matching_values_labels, .label = "Prova", .help = "Solo per i test.",
	  .doc = "who matches (pda: the PdA)" },
	{ .name = "region", .id = 5, .type = SCHEMA_STRING,
	  .label = "Prova", .help = "Solo per i test.",
	  .doc = "region, a STRING: requirement values are any text" },
};

/* ---- test_check, test_consent ---- */

static const char *const decisions[] = { "eligible", "not_eligible", NULL };
static const char *const decisions_labels[] = {
	"Eligible", "Not_eligible", NULL
};

static const char *const purposes[] = { "referral", "data", NULL };
static const char *const purposes_labels[] = {
	"Referral", "Data", NULL
};


static const struct schema_field check_fields[] = {
	{ .name = "file_id", .id = 1, .type = SCHEMA_REF, .ref = "test_file",
	  .flags = SCHEMA_REQUIRED, .label = "Prova", .help = "Solo per i test.",
	  .doc = "the file checked" },
	{ .name = "decision", .id = 2, .type = SCHEMA_ENUM,
	  .values = decisions, .value_labels = decisions_labels, .label = "Prova", .help = "Solo per i test.",
	  .doc = "its outcome" },
};

static const struct schema_field consent_fields[] = {
	{ .name = "file_id", .id = 1, .type = SCHEMA_REF, .ref = "test_file",
	  .flags = SCHEMA_REQUIRED, .label = "Prova", .help = "Solo per i test.",
	  .doc = "the file it is given for" },
	{ .name = "purpose", .id = 2, .type = SCHEMA_ENUM, .values = purposes, .value_labels = purposes_labels,
	  .flags = SCHEMA_REQUIRED, .label = "Prova", .help = "Solo per i test.",
	  .doc = "what it allows" },
	{ .name = "revoked_on", .id = 3, .type = SCHEMA_DATE,
	  .label = "Prova", .help = "Solo per i test.",
	  .doc = "set when revoked" },
};

/* ---- test_grant ---- */

static const char *const grant_states[] = {
	"assigned", "active", "closed", "revoked", NULL
};
static const char *const grant_states_labels[] = {
	"Assigned", "Active", "Closed", "Revoked", NULL
};

static const char *const partners[] = { "north", "south", NULL };
static const char *const partners_labels[] = {
	"North", "South", NULL
};

static const char *const validated_on[] = {
	"validated", "matched", "closed", NULL
};
static const char *const referral[] = { "referral", NULL };
static const char *const revoked[] = { "revoked", NULL };

static const struct schema_requirement need_validated[] = {
	{ .link = SCHEMA_LINK_PARENT, .field = "stage",
	  .values = validated_on, .label = "la pratica validata" },
};
static const struct schema_requirement need_consent[] = {
	{ .link = SCHEMA_LINK_SIBLING, .collection = "test_consent",
	  .field = "purpose", .values = referral, .unset = "revoked_on",
	  .label = "un consenso all'invio non revocato" },
};

static const struct schema_transition grant_steps[] = {
	{ .from = NULL, .to = "assigned", .requires = need_validated,
	  .nrequires = 1 },
	{ .from = "assigned", .to = "active", .requires = need_consent,
	  .nrequires = 1 },
	{ .from = "active", .to = "closed", .roles = roles_hub },
	{ .from = "assigned", .to = "revoked" },
	{ .from = "active", .to = "revoked" },
};

static const struct schema_field grant_fields[] = {
	{ .name = "file_id", .id = 1, .type = SCHEMA_REF, .ref = "test_file",
	  .flags = SCHEMA_REQUIRED, .label = "Prova", .help = "Solo per i test.",
	  .doc = "the file it is granted to" },
	{ .name = "partner", .id = 2, .type = SCHEMA_ENUM, .values = partners, .value_labels = partners_labels,
	  .flags = SCHEMA_REQUIRED, .label = "Prova", .help = "Solo per i test.",
	  .doc = "the partner it is counted under" },
	{ .name = "status", .id = 3, .type = SCHEMA_ENUM,
	  .merge = SCHEMA_MERGE_MONOTONIC, .values = grant_states, .value_labels = grant_states_labels,
	  .transitions = grant_steps, .ntransitions = 5,
	  .label = "Prova", .help = "Solo per i test.",
	  .doc = "a procedure requiring its parent and a sibling" },
	{ .name = "months", .id = 4, .type = SCHEMA_INT,
	  .label = "Prova", .help = "Solo per i test.",
	  .doc = "planned length" },
	{ .name = "justification", .id = 5, .type = SCHEMA_TEXT,
	  .label = "Prova", .help = "Solo per i test.",
	  .doc = "needed when months is outside 2..9" },
};

static const struct schema_quota grant_quota = {
	.group = "partner", .skip = "status", .skip_values = revoked,
	.label = "sovvenzioni per partner",
};

/* A length outside 2..9 months needs a justification (a dote's rule). */
static const char *grant_invariant(const json_t *fields)
{
	const json_t *m = json_object_get(fields, "months");
	const json_t *j = json_object_get(fields, "justification");

	if (json_is_integer(m) &&
	    (json_integer_value(m) < 2 || json_integer_value(m) > 9) &&
	    !(json_is_string(j) && json_string_length(j) > 0))
		return "campo 'months' fuori da 2..9 senza 'justification'";
	return NULL;
}

static const struct schema_collection rules_colls[] = {
	{ .name = "test_file", .id = 6, .kind = SCHEMA_RECORDS,
	  .fields = FIELDS(file_fields),
	  .label = "Prova", .help = "Solo per i test.",
	  .doc = "tests only: a procedure with requirements" },
	{ .name = "test_check", .id = 7, .kind = SCHEMA_RECORDS,
	  .parent = "file_id", .fields = FIELDS(check_fields),
	  .label = "Prova", .help = "Solo per i test.",
	  .doc = "tests only: a file's check" },
	{ .name = "test_consent", .id = 8, .kind = SCHEMA_RECORDS,
	  .parent = "file_id", .fields = FIELDS(consent_fields),
	  .label = "Prova", .help = "Solo per i test.",
	  .doc = "tests only: a file's revocable consent" },
	{ .name = "test_grant", .id = 9, .kind = SCHEMA_RECORDS,
	  .parent = "file_id", .fields = FIELDS(grant_fields),
	  .invariant = grant_invariant, .invariant_refuses = 1,
	  .quota = &grant_quota,
	  .label = "Prova", .help = "Solo per i test.",
	  .doc = "tests only: a file's grant, counted per partner" },
};

const struct schema_set test_rules_set = { FIELDS(rules_colls) };
