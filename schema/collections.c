/*
 * collections.c - the collections this build stores, declared as constant
 * tables (see schema.h for what each member means).
 *
 * The ids are the contract with every store and every peer: a field may be
 * renamed, retyped only compatibly, or dropped, but its id is never given
 * to another field.  New fields take the next free id of their collection.
 *
 * person, case and service follow the synthetic workload
 * (shared/workload/gen.js) key for key, so that every line it writes
 * validates.  REQUIRED is kept to what a record cannot be understood
 * without: everything else may be unknown at first contact and filled in
 * later.  PERSONAL marks what identifies or describes the beneficiary.
 * The collections the tests use (test_item, test_note, ...) are declared in
 * tests/schema/collections.c and linked into the tests only.  Ids 1 to 9
 * are theirs: no product collection takes them.
 */
#include "schema/schema.h"

#define FIELDS(a) (a), sizeof(a) / sizeof((a)[0])

/* ---- person: the beneficiary (destinatario) ---- */

static const char *const person_sexes[] = { "M", "F", "X", NULL };

static const struct schema_field person_fields[] = {
	{ .name = "given_name", .id = 1, .type = SCHEMA_STRING,
	  .flags = SCHEMA_REQUIRED | SCHEMA_PERSONAL, .doc = "nome" },
	{ .name = "family_name", .id = 2, .type = SCHEMA_STRING,
	  .flags = SCHEMA_REQUIRED | SCHEMA_PERSONAL, .doc = "cognome" },
	{ .name = "sex", .id = 3, .type = SCHEMA_ENUM,
	  .flags = SCHEMA_PERSONAL, .values = person_sexes,
	  .doc = "sesso (X: not stated or other)" },
	{ .name = "birth_date", .id = 4, .type = SCHEMA_DATE,
	  .flags = SCHEMA_PERSONAL, .doc = "data di nascita" },
	{ .name = "birth_country", .id = 5, .type = SCHEMA_STRING,
	  .flags = SCHEMA_PERSONAL,
	  .doc = "paese di nascita, ISO 3166-1 alpha-2" },
	{ .name = "nationality", .id = 6, .type = SCHEMA_STRING,
	  .flags = SCHEMA_PERSONAL,
	  .doc = "cittadinanza, ISO 3166-1 alpha-2" },
	{ .name = "languages", .id = 7, .type = SCHEMA_STRING_LIST,
	  .flags = SCHEMA_PERSONAL, .doc = "lingue parlate, ISO 639 codes" },
	{ .name = "tax_code", .id = 8, .type = SCHEMA_STRING,
	  .flags = SCHEMA_PERSONAL, .doc = "codice fiscale, if any" },
	/* Free text rather than ENUM: the permit types in use (art. 18,
	 * 18-ter TUI, ...) change with the law and must not block intake. */
	{ .name = "residence_permit_type", .id = 9, .type = SCHEMA_STRING,
	  .flags = SCHEMA_PERSONAL, .doc = "tipo di permesso di soggiorno" },
	{ .name = "residence_permit_expiry", .id = 10, .type = SCHEMA_DATE,
	  .flags = SCHEMA_PERSONAL,
	  .doc = "scadenza del permesso di soggiorno" },
	{ .name = "phone", .id = 11, .type = SCHEMA_STRING,
	  .flags = SCHEMA_PERSONAL, .doc = "telefono" },
	{ .name = "email", .id = 12, .type = SCHEMA_STRING,
	  .flags = SCHEMA_PERSONAL, .doc = "e-mail" },
	{ .name = "residence_municipality", .id = 13, .type = SCHEMA_STRING,
	  .flags = SCHEMA_PERSONAL, .doc = "comune di residenza o domicilio" },
	{ .name = "residence_province", .id = 14, .type = SCHEMA_STRING,
	  .flags = SCHEMA_PERSONAL, .doc = "provincia (sigla, e.g. FG)" },
	{ .name = "household_size", .id = 15, .type = SCHEMA_INT,
	  .flags = SCHEMA_PERSONAL, .doc = "componenti del nucleo familiare" },
	{ .name = "vulnerabilities", .id = 16, .type = SCHEMA_STRING_LIST,
	  .flags = SCHEMA_PERSONAL,
	  .doc = "vulnerabilita' (special-category data)" },
	{ .name = "privacy_consent", .id = 17, .type = SCHEMA_BOOL,
	  .doc = "consenso al trattamento dei dati" },
	{ .name = "consent_date", .id = 18, .type = SCHEMA_DATE,
	  .doc = "data del consenso" },
	{ .name = "notes", .id = 19, .type = SCHEMA_TEXT,
	  .flags = SCHEMA_PERSONAL, .doc = "note dei colloqui" },
	{ .name = "created_at", .id = 20, .type = SCHEMA_DATETIME,
	  .doc = "when the record was first entered (UTC)" },
	{ .name = "updated_at", .id = 21, .type = SCHEMA_DATETIME,
	  .doc = "when the record was last edited (UTC)" },
	{ .name = "created_by", .id = 22, .type = SCHEMA_STRING,
	  .doc = "node that first entered the record" },
};

/* ---- case: taking charge of one person (presa in carico) ---- */

static const char *const case_regions[] = {
	"Campania", "Puglia", "Basilicata", "Calabria", "Sicilia", NULL
};

/* Procedure order: the merge keeps the furthest stage. */
static const char *const case_stages[] = {
	"intake", "assessment", "care_plan", "active", "follow_up", "closed",
	NULL
};

static const char *const case_channels[] = {
	"walk_in", "outreach_unit", "referral_ngo",
	"referral_social_services", "helpline", "health_service",
	"law_enforcement", "school", "self_referral_online", NULL
};

static const char *const case_priorities[] = {
	"low", "medium", "high", "urgent", NULL
};

static const struct schema_field case_fields[] = {
	{ .name = "person_id", .id = 1, .type = SCHEMA_REF, .ref = "person",
	  .flags = SCHEMA_REQUIRED, .doc = "destinatario" },
	{ .name = "region", .id = 2, .type = SCHEMA_ENUM,
	  .flags = SCHEMA_REQUIRED, .values = case_regions,
	  .doc = "regione that holds the case" },
	{ .name = "province", .id = 3, .type = SCHEMA_STRING,
	  .doc = "provincia (sigla)" },
	{ .name = "stage", .id = 4, .type = SCHEMA_ENUM,
	  .flags = SCHEMA_REQUIRED, .merge = SCHEMA_MERGE_MONOTONIC,
	  .values = case_stages, .doc = "fase del percorso" },
	{ .name = "access_channel", .id = 5, .type = SCHEMA_ENUM,
	  .values = case_channels, .doc = "canale di accesso" },
	{ .name = "assigned_org", .id = 6, .type = SCHEMA_STRING,
	  .doc = "ente in carico (Polo, soggetto attuatore)" },
	{ .name = "case_worker", .id = 7, .type = SCHEMA_STRING,
	  .doc = "operatore di riferimento" },
	{ .name = "priority", .id = 8, .type = SCHEMA_ENUM,
	  .values = case_priorities, .doc = "priorita'" },
	{ .name = "opened_at", .id = 9, .type = SCHEMA_DATE,
	  .doc = "data di apertura" },
	{ .name = "closed_at", .id = 10, .type = SCHEMA_DATE,
	  .doc = "data di chiusura" },
	{ .name = "updated_at", .id = 11, .type = SCHEMA_DATETIME,
	  .doc = "when the record was last edited (UTC)" },
	{ .name = "created_by", .id = 12, .type = SCHEMA_STRING,
	  .doc = "node that first entered the record" },
	/* Scope: the nodes that hold the case (besides the hub and the
	 * Punto di Accesso of its region).  Empty: the node that opened it.
	 * Handing a case over (hub to PdA, PdA to soggetto attuatore) is a
	 * change of this field, which only the hub or the PdA of the case's
	 * region may make (conflict/scope.h); sync moves the case
	 * accordingly. */
	{ .name = "nodes", .id = 13, .type = SCHEMA_STRING_LIST,
	  .doc = "nodi assegnatari (nomi dei nodi presso l'hub)" },
};

/* ---- service: one service delivered (prestazione) ---- */

static const char *const service_types[] = {
	"legal_advice", "cultural_mediation", "document_assistance",
	"health_accompaniment", "housing_support", "job_orientation",
	"italian_language_course", "psychological_support", "food_parcel",
	"school_enrolment_support", "transport_voucher",
	"anti_trafficking_referral", NULL
};

static const char *const service_outcomes[] = {
	"completed", "partially_completed", "referred", "no_show", NULL
};

static const struct schema_field service_fields[] = {
	{ .name = "case_id", .id = 1, .type = SCHEMA_REF, .ref = "case",
	  .flags = SCHEMA_REQUIRED, .doc = "the case it was delivered in" },
	{ .name = "service_type", .id = 2, .type = SCHEMA_ENUM,
	  .flags = SCHEMA_REQUIRED, .values = service_types,
	  .doc = "tipo di servizio" },
	{ .name = "date", .id = 3, .type = SCHEMA_DATE,
	  .flags = SCHEMA_REQUIRED, .doc = "data dell'intervento" },
	{ .name = "operator", .id = 4, .type = SCHEMA_STRING,
	  .doc = "operatore who delivered it" },
	{ .name = "duration_min", .id = 5, .type = SCHEMA_INT,
	  .doc = "durata in minuti" },
	{ .name = "outcome", .id = 6, .type = SCHEMA_ENUM,
	  .values = service_outcomes, .doc = "esito" },
	{ .name = "note", .id = 7, .type = SCHEMA_TEXT,
	  .flags = SCHEMA_PERSONAL, .doc = "nota dell'operatore" },
	{ .name = "created_by", .id = 8, .type = SCHEMA_STRING,
	  .doc = "node that first entered the record" },
	{ .name = "updated_at", .id = 9, .type = SCHEMA_DATETIME,
	  .doc = "when the record was last edited (UTC)" },
};

static const struct schema_collection product[] = {
	{ .name = "person", .id = 10, .kind = SCHEMA_RECORDS,
	  .fields = FIELDS(person_fields),
	  .doc = "destinatario: scheda anagrafica of a beneficiary" },
	{ .name = "case", .id = 11, .kind = SCHEMA_RECORDS,
	  .scope_region = "region", .scope_nodes = "nodes",
	  .scope_subject = "person_id",
	  .fields = FIELDS(case_fields),
	  .doc = "presa in carico of a person; root of access scope" },
	{ .name = "service", .id = 12, .kind = SCHEMA_RECORDS,
	  .parent = "case_id", .fields = FIELDS(service_fields),
	  .doc = "prestazione delivered within a case (servizi, Poli sec. 4)" },
};

const struct schema_set schema_product = { FIELDS(product) };
