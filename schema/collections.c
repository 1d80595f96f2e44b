/*
 * collections.c - the collections this build stores: the product table
 * (schema_product) assembled from the files declaring them by subject
 * (coll.h), the value lists and roles those files share, and the
 * version of the whole (schema_version()).
 *
 * The ids are the contract with every store and every peer: a field may be
 * renamed, retyped only compatibly, or dropped, but its id is never given
 * to another field.  New fields take the next free id of their collection
 * and new ENUM values are appended, never inserted: stores and peers of an
 * older release keep every value they knew.
 *
 * REQUIRED is kept to what a record cannot be understood without:
 * everything else may be unknown at first contact and filled in later.
 * PERSONAL marks what identifies or describes the beneficiary.  The
 * collections the tests use (test_item, test_note, ...) are declared in
 * tests/schema/collections.c and linked into the tests only.  Ids 1 to 9
 * are theirs: no product collection takes them.
 */
#include "schema/coll.h"

/* 1: the first release (person, case, service).  2: issue 13, the
 * Su.Pr.Eme. 2 case system (the BdI procedure, plans, profiles, consents,
 * referrals, the service map, the dote and its ledger). */
#define SCHEMA_VERSION 2

int schema_version(void)
{
	return SCHEMA_VERSION;
}

/* ---- shared value lists ---- */

const char *const schema_areas[5] = {
	"housing", "health_social", "integration", "labour", NULL
};
const char *const schema_area_labels[5] = {
	"Area abitativa", "Area sociosanitaria",
	"Area integrazione e orientamento",
	"Area politiche attive del lavoro", NULL
};

const char *const schema_regions[6] = {
	"Campania", "Puglia", "Basilicata", "Calabria", "Sicilia", NULL
};
const char *const schema_region_labels[6] = {
	"Campania", "Puglia", "Basilicata", "Calabria", "Sicilia", NULL
};

const char *const schema_roles_hub[2] = { "hub", NULL };
const char *const schema_roles_hub_pda[3] = { "hub", "pda", NULL };
const char *const schema_roles_hub_pda_att[4] = {
	"hub", "pda", "attuatore", NULL
};
const char *const schema_roles_all_kinds[5] = {
	"polo", "pda", "attuatore", "hub", NULL
};

/* ---- the product table ---- */

/* Closed cases: ten years after their closing (or after the end of the
 * programme, when later), the person's data go. */
static const struct schema_retention case_retention = {
	.ends = "closed_at", .years = 10,
	.label = "Casi chiusi: conservati 10 anni dalla chiusura o, se più "
		 "tarda, dalla fine del programma; poi la persona è "
		 "cancellata",
};

static const struct schema_collection product[] = {
	{ .name = "person", .id = 10, .kind = SCHEMA_RECORDS,
	  .fields = SCHEMA_FIELDS(schema_person_fields),
	  .search = &schema_person_search,
	  .doc = "beneficiary (destinatario): personal record",
	  .label = "Scheda anagrafica",
	  .help = "Chi è la persona: dati anagrafici, documenti, contatti. "
		  "Una scheda per persona; i doppioni si uniscono." },
	{ .name = "case", .id = 11, .kind = SCHEMA_RECORDS,
	  .scope_region = "region", .scope_nodes = "nodes",
	  .scope_subject = "person_id",
	  .retention = &case_retention,
	  .fields = SCHEMA_FIELDS(schema_case_fields),
	  .doc = "taking charge of a person; root of access scope",
	  .label = "Presa in carico",
	  .help = "Il percorso di una persona con il Polo e, se eleggibile, "
		  "con il Budget di Integrazione: chi la segue, a che punto "
		  "è." },
	{ .name = "service", .id = 12, .kind = SCHEMA_RECORDS,
	  .parent = "case_id", .fields = SCHEMA_FIELDS(schema_service_fields),
	  .doc = "a service delivered within a case (Poli sec. 4)",
	  .label = "Intervento",
	  .help = "Un servizio erogato alla persona nel suo percorso: "
		  "colloquio, orientamento, accompagnamento, tutela." },
	{ .name = "assessment", .id = 13, .kind = SCHEMA_RECORDS,
	  .parent = "case_id",
	  .fields = SCHEMA_FIELDS(schema_assessment_fields),
	  .doc = "BdI pre-assessment of eligibility (BdI sec. 2, 6.2)",
	  .label = "Scheda di valutazione preliminare",
	  .help = "La valutazione dell'eleggibilità al Budget di "
		  "Integrazione: la compila chi individua la persona, la "
		  "valida il Focal Point BdI." },
	{ .name = "plan", .id = 14, .kind = SCHEMA_RECORDS,
	  .parent = "case_id", .fields = SCHEMA_FIELDS(schema_plan_fields),
	  .doc = "individual plan (PAI, progetto di accompagnamento)",
	  .label = "Progetto di accompagnamento (PAI)",
	  .help = "Il piano concordato con la persona: obiettivi, azioni, "
		  "équipe e verifiche." },
	{ .name = "plan_goal", .id = 15, .kind = SCHEMA_RECORDS,
	  .parent = "plan_id",
	  .fields = SCHEMA_FIELDS(schema_plan_goal_fields),
	  .doc = "one goal of a plan", .label = "Obiettivo del progetto",
	  .help = "Un obiettivo del progetto, in una delle quattro aree, "
		  "con le azioni per raggiungerlo." },
	{ .name = "plan_review", .id = 16, .kind = SCHEMA_APPEND_ONLY,
	  .parent = "plan_id",
	  .fields = SCHEMA_FIELDS(schema_plan_review_fields),
	  .doc = "one review of a plan, written once",
	  .label = "Verifica del progetto",
	  .help = "Un incontro di verifica del progetto con la persona; una "
		  "volta registrata non si modifica." },
	{ .name = "profile", .id = 17, .kind = SCHEMA_RECORDS,
	  .parent = "case_id", .fields = SCHEMA_FIELDS(schema_profile_fields),
	  .doc = "entry or exit profile over the four areas (BdI sec. 6.4)",
	  .label = "Scheda profilo (entrata / uscita)",
	  .help = "Problemi, risorse e bisogni della persona nelle quattro "
		  "aree, all'inizio e alla fine della presa in carico." },
	{ .name = "consent", .id = 18, .kind = SCHEMA_RECORDS,
	  .parent = "case_id", .fields = SCHEMA_FIELDS(schema_consent_fields),
	  .doc = "a consent given (and maybe revoked) by the person",
	  .label = "Consenso",
	  .help = "Un consenso della persona: al trattamento dei dati, a un "
		  "invio, alla condivisione con l'Help Desk." },
	{ .name = "referral", .id = 19, .kind = SCHEMA_RECORDS,
	  .parent = "case_id",
	  .fields = SCHEMA_FIELDS(schema_referral_fields),
	  .doc = "a referral to another service (Annex 1)",
	  .label = "Invio (referral)",
	  .help = "L'invio della persona a un altro servizio del territorio, "
		  "con il suo consenso, e la risposta del servizio." },
	{ .name = "dote", .id = 20, .kind = SCHEMA_RECORDS,
	  .parent = "case_id", .fields = SCHEMA_FIELDS(schema_dote_fields),
	  .doc = "a BdI dote: at most EUR 12,000 over 2 to 9 months",
	  .label = "Dote BdI",
	  .help = "La dote del Budget di Integrazione: fino a 12.000 euro, "
		  "da spendere di norma tra 2 e 9 mesi.",
	  .invariant = schema_dote_invariant, .invariant_refuses = 1,
	  .quota = &schema_dote_quota,
	  .aggregates = SCHEMA_FIELDS(schema_dote_caps) },
	{ .name = "ledger", .id = 21, .kind = SCHEMA_APPEND_ONLY,
	  .parent = "dote_id", .fields = SCHEMA_FIELDS(schema_ledger_fields),
	  .doc = "a budget entry of a dote, written once",
	  .label = "Movimento di budget",
	  .help = "Un impegno, una spesa o uno storno sulla dote; una volta "
		  "registrato non si modifica: si corregge con uno storno.",
	  .invariant = schema_ledger_invariant, .invariant_refuses = 1 },
	{ .name = "followup", .id = 22, .kind = SCHEMA_RECORDS,
	  .parent = "case_id",
	  .fields = SCHEMA_FIELDS(schema_followup_fields),
	  .doc = "follow-up after closing, per area (BdI sec. 6.6)",
	  .label = "Follow-up",
	  .help = "La verifica, dopo la chiusura, di come sta la persona in "
		  "ciascuna delle quattro aree." },
	{ .name = "service_directory", .id = 23, .kind = SCHEMA_RECORDS,
	  .fields = SCHEMA_FIELDS(schema_directory_fields),
	  .doc = "map of the territory's services (Annex 1), shared by all",
	  .label = "Scheda di rilevazione del servizio",
	  .help = "Un servizio del territorio nella mappatura regionale: "
		  "chi è, dove, quando, come identifica e prende in carico le "
		  "vittime." },
};

const struct schema_set schema_product = { SCHEMA_FIELDS(product) };
