/*
 * coll_service.c - services delivered in a case (service), the person's
 * consents (consent), referrals to other services (referral) and the map
 * of the territory's services (service_directory, Annex 1 of the
 * guidelines: the scheda di rilevazione).  See coll.h for how the
 * product's declarations are split.
 *
 * service keeps the first release's ids and values (the workload writes
 * them); the Poli guidelines' services (sec. 4 and 5) are appended.  A
 * referral is a procedure (its status steps are declared); what a step
 * needs besides the role (a live consent to the referral) is a
 * requirement (schema/rule.h), declared with the step.
 */
#include "schema/coll.h"

#define P SCHEMA_PERSONAL
#define R SCHEMA_REQUIRED
#define STEPS(a) .transitions = (a), .ntransitions = sizeof(a) / sizeof((a)[0])

/* ---- service: one service delivered (prestazione) ---- */

/* The first release's services, then from POLI_FIRST on those of the
 * Poli Sociali Integrati (guidelines sec. 4 and 5), which are also what
 * the map of the territory lists (service_directory): declared once, the
 * directory's lists are the tails of these. */
#define POLI_FIRST 12

static const char *const service_types[] = {
	"legal_advice", "cultural_mediation", "document_assistance",
	"health_accompaniment", "housing_support", "job_orientation",
	"italian_language_course", "psychological_support", "food_parcel",
	"school_enrolment_support", "transport_voucher",
	"anti_trafficking_referral",
	/* POLI_FIRST: the Poli guidelines' sec. 4 and 5 */
	"orientation", "mediation", "training", "job_placement", "housing",
	"social_inclusion", "legal_protection", "psycho_socio_health",
	"database_update", "family_work_conciliation", "mobility", NULL
};
static const char *const service_type_labels[] = {
	"Consulenza legale",
	"Mediazione culturale",
	"Assistenza per i documenti",
	"Accompagnamento sanitario",
	"Sostegno all'alloggio",
	"Orientamento al lavoro",
	"Corso di lingua italiana",
	"Sostegno psicologico",
	"Pacco alimentare",
	"Sostegno all'iscrizione scolastica",
	"Buono trasporto",
	"Invio ai servizi anti-tratta",
	/* POLI_FIRST */
	"Orientamento e accesso ai servizi del territorio",
	"Mediazione linguistico-culturale",
	"Formazione e riqualificazione professionale",
	"Orientamento e accompagnamento all'inserimento lavorativo",
	"Orientamento e accompagnamento all'inserimento abitativo",
	"Orientamento e accompagnamento all'inserimento sociale",
	"Tutela legale",
	"Tutela psico-socio-sanitaria",
	"Aggiornamento della banca dati dei destinatari",
	"Conciliazione famiglia-lavoro (accessorio)",
	"Accesso alla mobilità (accessorio)",
	NULL
};

static const char *const service_outcomes[] = {
	"completed", "partially_completed", "referred", "no_show", NULL
};
static const char *const service_outcome_labels[] = {
	"Concluso", "Concluso in parte", "Inviato ad altro servizio",
	"La persona non si è presentata", NULL
};

const struct schema_field schema_service_fields[9] = {
	{ .name = "case_id", .id = 1, .type = SCHEMA_REF, .ref = "case",
	  .flags = R, .doc = "the case it was delivered in", .label = "Caso",
	  .help = "Il caso in cui l'intervento è stato svolto." },
	{ .name = "service_type", .id = 2, .type = SCHEMA_ENUM, .flags = R,
	  .values = service_types, .value_labels = service_type_labels,
	  .doc = "type of service", .label = "Tipo di servizio",
	  .help = "Il servizio erogato; le voci dei Poli Sociali Integrati "
		  "seguono le linee guida (par. 4 e 5)." },
	{ .name = "date", .id = 3, .type = SCHEMA_DATE, .flags = R,
	  .doc = "date of the service", .label = "Data dell'intervento",
	  .help = "Il giorno in cui il servizio è stato erogato." },
	{ .name = "operator", .id = 4, .type = SCHEMA_STRING,
	  .doc = "operator who delivered it", .label = "Operatore",
	  .help = "Chi ha svolto l'intervento." },
	{ .name = "duration_min", .id = 5, .type = SCHEMA_INT,
	  .doc = "duration in minutes", .label = "Durata in minuti",
	  .help = "Quanto è durato l'intervento, in minuti." },
	{ .name = "outcome", .id = 6, .type = SCHEMA_ENUM,
	  .values = service_outcomes, .value_labels = service_outcome_labels,
	  .doc = "outcome", .label = "Esito",
	  .help = "Come si è concluso l'intervento." },
	{ .name = "note", .id = 7, .type = SCHEMA_TEXT, .flags = P,
	  .group = SCHEMA_GROUP_INTERVIEW,
	  .doc = "the operator's note", .label = "Nota dell'operatore",
	  .help = "Quanto serve a chi seguirà il caso dopo." },
	{ .name = "created_by", .id = 8, .type = SCHEMA_STRING,
	  .doc = "node that first entered the record", .label = "Inserito da",
	  .help = "Il nodo che ha registrato l'intervento." },
	{ .name = "updated_at", .id = 9, .type = SCHEMA_DATETIME,
	  .doc = "when the record was last edited (UTC)",
	  .label = "Modificato il",
	  .help = "Data e ora dell'ultima modifica; la scrive il "
		  "programma." },
};

/* ---- consent ---- */

static const char *const purposes[] = {
	"data_processing", "referral", "helpdesk_sharing", NULL
};
static const char *const purpose_labels[] = {
	"Trattamento dei dati",
	"Invio ad altro servizio",
	"Condivisione con l'Help Desk Anti-caporalato", NULL
};

const struct schema_field schema_consent_fields[7] = {
	{ .name = "case_id", .id = 1, .type = SCHEMA_REF, .ref = "case",
	  .flags = R, .doc = "the case it was given in", .label = "Caso",
	  .help = "Il caso della persona che dà il consenso." },
	{ .name = "purpose", .id = 2, .type = SCHEMA_ENUM, .flags = R,
	  .values = purposes, .value_labels = purpose_labels,
	  .doc = "what the consent is for", .label = "Finalità",
	  .help = "Per che cosa la persona dà il consenso." },
	{ .name = "directory_id", .id = 3, .type = SCHEMA_REF,
	  .ref = "service_directory",
	  .doc = "the named service, for a referral",
	  .label = "Servizio indicato",
	  .help = "Per un invio: il servizio a cui la persona accetta di "
		  "essere inviata." },
	{ .name = "given_on", .id = 4, .type = SCHEMA_DATE, .flags = R,
	  .doc = "date given", .label = "Data del consenso",
	  .help = "Il giorno in cui la persona ha dato il consenso." },
	{ .name = "operator", .id = 5, .type = SCHEMA_STRING,
	  .doc = "operator who collected it", .label = "Operatore",
	  .help = "Chi ha raccolto il consenso." },
	{ .name = "revoked_on", .id = 6, .type = SCHEMA_DATE,
	  .doc = "date revoked", .label = "Data della revoca",
	  .help = "Il giorno in cui la persona ha ritirato il consenso; "
		  "vuoto se è ancora valido." },
	{ .name = "note", .id = 7, .type = SCHEMA_TEXT, .flags = P,
	  .group = SCHEMA_GROUP_INTERVIEW,
	  .doc = "notes", .label = "Note",
	  .help = "Come la persona è stata informata, eventuali limiti del "
		  "consenso." },
};

/* ---- referral (Annex 1: the regional referral model) ---- */

/* Procedure order: the merge keeps the furthest status. */
static const char *const referral_statuses[] = {
	"proposed", "accepted", "declined", "completed", "revoked", NULL
};
static const char *const referral_status_labels[] = {
	"Proposto", "Accettato", "Rifiutato", "Concluso", "Revocato", NULL
};

/* A referral is sent, accepted and completed only with the person's
 * consent to it, recorded in the case and not revoked: a consent revoked
 * stops the referrals under way as well as new ones. */
static const char *const purpose_referral[] = { "referral", NULL };
static const struct schema_requirement need_consent[] = {
	{ .link = SCHEMA_LINK_SIBLING, .collection = "consent",
	  .field = "purpose", .values = purpose_referral,
	  .unset = "revoked_on",
	  .label = "il consenso della persona all'invio, registrato e non "
		   "revocato" },
};

static const struct schema_transition referral_steps[] = {
	{ .from = NULL, .to = "proposed", .requires = need_consent,
	  .nrequires = 1 },
	{ .from = "proposed", .to = "accepted", .requires = need_consent,
	  .nrequires = 1 },
	{ .from = "proposed", .to = "declined" },
	{ .from = "proposed", .to = "revoked" },
	{ .from = "accepted", .to = "completed", .requires = need_consent,
	  .nrequires = 1 },
	{ .from = "accepted", .to = "revoked" },
};

const struct schema_field schema_referral_fields[9] = {
	{ .name = "case_id", .id = 1, .type = SCHEMA_REF, .ref = "case",
	  .flags = R, .doc = "the case referred", .label = "Caso",
	  .help = "Il caso della persona inviata." },
	{ .name = "from_org", .id = 2, .type = SCHEMA_STRING,
	  .doc = "referring organisation", .label = "Inviante",
	  .help = "L'ente o il servizio che fa l'invio." },
	{ .name = "directory_id", .id = 3, .type = SCHEMA_REF,
	  .ref = "service_directory", .doc = "the service referred to",
	  .label = "Servizio di destinazione",
	  .help = "La scheda del servizio a cui la persona è inviata, se è "
		  "nella mappatura." },
	{ .name = "to_org", .id = 4, .type = SCHEMA_STRING,
	  .doc = "receiving organisation",
	  .label = "Destinatario dell'invio",
	  .help = "L'ente che riceve la persona, se non è nella "
		  "mappatura." },
	{ .name = "reason", .id = 5, .type = SCHEMA_TEXT, .flags = P,
	  .doc = "why the person is referred", .label = "Motivo dell'invio",
	  .help = "Il bisogno a cui il servizio di destinazione risponde." },
	{ .name = "consent_id", .id = 6, .type = SCHEMA_REF, .ref = "consent",
	  .doc = "the consent that allows it", .label = "Consenso",
	  .help = "Il consenso della persona a questo invio." },
	{ .name = "status", .id = 7, .type = SCHEMA_ENUM, .flags = R,
	  .merge = SCHEMA_MERGE_MONOTONIC, .values = referral_statuses,
	  .value_labels = referral_status_labels, STEPS(referral_steps),
	  .doc = "referral procedure", .label = "Stato dell'invio",
	  .help = "Proposto, poi accettato o rifiutato dal servizio di "
		  "destinazione, infine concluso; si può revocare finché non "
		  "è concluso." },
	{ .name = "sent_on", .id = 8, .type = SCHEMA_DATE,
	  .doc = "date sent", .label = "Data dell'invio",
	  .help = "Il giorno in cui l'invio è stato fatto." },
	{ .name = "answered_on", .id = 9, .type = SCHEMA_DATE,
	  .doc = "date answered", .label = "Data della risposta",
	  .help = "Il giorno in cui il servizio di destinazione ha "
		  "risposto." },
};

/* ---- service_directory: scheda di rilevazione (Annex 1) ---- */

const struct schema_field schema_directory_fields[14] = {
	{ .name = "body", .id = 1, .type = SCHEMA_STRING, .flags = R,
	  .doc = "organisation", .label = "Ente",
	  .help = "Il nome dell'ente o del servizio." },
	{ .name = "address", .id = 2, .type = SCHEMA_STRING,
	  .doc = "address", .label = "Indirizzo",
	  .help = "Dove si trova la sede." },
	{ .name = "municipality", .id = 3, .type = SCHEMA_STRING,
	  .doc = "municipality", .label = "Comune",
	  .help = "Il comune della sede." },
	{ .name = "province", .id = 4, .type = SCHEMA_STRING,
	  .doc = "province", .label = "Provincia",
	  .help = "La sigla della provincia." },
	{ .name = "region", .id = 5, .type = SCHEMA_ENUM,
	  .values = schema_regions, .value_labels = schema_region_labels,
	  .doc = "region", .label = "Regione",
	  .help = "La regione della sede." },
	{ .name = "phone", .id = 6, .type = SCHEMA_STRING,
	  .doc = "phone", .label = "Telefono",
	  .help = "Il numero del servizio." },
	{ .name = "email", .id = 7, .type = SCHEMA_STRING,
	  .doc = "e-mail", .label = "E-mail",
	  .help = "L'indirizzo e-mail del servizio." },
	{ .name = "days_hours", .id = 8, .type = SCHEMA_TEXT,
	  .doc = "opening days and hours", .label = "Giorni e orari",
	  .help = "Quando il servizio è aperto e come si eroga (ufficio, su "
		  "strada...)." },
	{ .name = "contact_person", .id = 9, .type = SCHEMA_STRING,
	  .flags = P, .doc = "contact person", .label = "Referente",
	  .help = "La persona di riferimento nel servizio." },
	{ .name = "territory", .id = 10, .type = SCHEMA_STRING,
	  .doc = "territory covered", .label = "Ambito territoriale",
	  .help = "Il territorio servito (Ambito Sociale Territoriale, "
		  "comuni)." },
	{ .name = "service_type", .id = 11, .type = SCHEMA_ENUM, .flags = R,
	  .values = service_types + POLI_FIRST,
	  .value_labels = service_type_labels + POLI_FIRST,
	  .doc = "type of service offered", .label = "Tipologia di servizio",
	  .help = "Il tipo di servizio offerto." },
	{ .name = "identification", .id = 12, .type = SCHEMA_TEXT,
	  .doc = "how it identifies victims",
	  .label = "Come identifica le vittime",
	  .help = "Come il servizio riconosce le vittime o le potenziali "
		  "vittime di sfruttamento." },
	{ .name = "take_charge", .id = 13, .type = SCHEMA_TEXT,
	  .doc = "how it takes charge", .label = "Come prende in carico",
	  .help = "Come il servizio prende in carico le persone e con quali "
		  "figure professionali." },
	{ .name = "works_with", .id = 14, .type = SCHEMA_TEXT,
	  .doc = "who it works with", .label = "Con chi collabora",
	  .help = "Gli enti e i servizi con cui è in contatto e come si "
		  "scambiano gli invii." },
};
