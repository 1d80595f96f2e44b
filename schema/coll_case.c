/*
 * coll_case.c - the case (presa in carico) and the records of its path:
 * the pre-assessment of BdI eligibility (assessment), the plan (PAI) with
 * its goals and reviews, the entry and exit profiles and the follow-up.
 * See coll.h for how the product's declarations are split.
 *
 * A case is the root of access scope: every record here but the case
 * follows its case (or its plan) to the nodes that hold it.  Ids 1 to 13
 * of case, its `stage` (the Polo's path, written by the workload) and its
 * enum values are those of the first release; new values are appended.
 * bdi_stage is the Budget di Integrazione procedure (Linee guida BdI sec.
 * 6): its steps and who takes them are declared here; what a step needs
 * besides the role (a validated assessment, an entry profile) are
 * requirements (schema/rule.h), declared with the steps.
 */
#include "schema/coll.h"

#define P SCHEMA_PERSONAL
#define R SCHEMA_REQUIRED
#define STEPS(a) .transitions = (a), .ntransitions = sizeof(a) / sizeof((a)[0])

/* ---- case ---- */

/* Procedure order: the merge keeps the furthest stage. */
static const char *const case_stages[] = {
	"intake", "assessment", "care_plan", "active", "follow_up", "closed",
	NULL
};
static const char *const case_stage_labels[] = {
	"Accoglienza", "Valutazione", "Progetto", "In corso", "Follow-up",
	"Chiuso", NULL
};

/* The first release's channels, then those of the Poli guidelines
 * (sec. 6), appended. */
static const char *const case_channels[] = {
	"walk_in", "outreach_unit", "referral_ngo",
	"referral_social_services", "helpline", "health_service",
	"law_enforcement", "school", "self_referral_online",
	"spontaneous", "outreach", "helpdesk", "social_services",
	"anti_exploitation_project", "programma_unico", NULL
};
static const char *const case_channel_labels[] = {
	"Accesso diretto allo sportello",
	"Unità di strada",
	"Invio da un'associazione",
	"Invio dai servizi sociali",
	"Numero verde",
	"Servizio sanitario",
	"Forze dell'ordine",
	"Scuola",
	"Segnalazione online della persona",
	"Spontaneo o autoriferito (passaparola)",
	"Outreaching o altri dispositivi di progetto",
	"Help Desk Interistituzionale Anti-caporalato",
	"Servizi Sociali Territoriali",
	"Altri progetti contro lo sfruttamento lavorativo",
	"Programma unico di emersione, assistenza e integrazione",
	NULL
};

static const char *const case_priorities[] = {
	"low", "medium", "high", "urgent", NULL
};
static const char *const case_priority_labels[] = {
	"Bassa", "Media", "Alta", "Urgente", NULL
};

static const char *const case_levels[] = { "medio", "complesso", NULL };
static const char *const case_level_labels[] = {
	"Medio (colloqui, orientamento, consulenza, informazioni)",
	"Complesso (percorso di accompagnamento con la rete)", NULL
};

/* BdI procedure order (sec. 6): the merge keeps the furthest step. */
static const char *const bdi_stages[] = {
	"identified", "submitted", "rejected", "validated", "matched",
	"in_charge", "closing", "closed", "follow_up", NULL
};
static const char *const bdi_stage_labels[] = {
	"Individuazione", "Pre-assessment inviato", "Non eleggibile",
	"Validato", "Matching fatto", "Presa in carico", "Chiusura proposta",
	"Chiuso", "Follow-up", NULL
};

static const char *const bdi_matchings[] = { "hub", "pda", NULL };
static const char *const bdi_matching_labels[] = {
	"Focal Point BdI (Helpdesk)", "Punto di Accesso BdI della regione",
	NULL
};

/* What a step needs besides the role (schema/rule.h): checked where the
 * step is taken and again by the hub on a pushed change. */
static const char *const eligible[] = { "eligible", NULL };
static const char *const not_eligible[] = { "not_eligible", NULL };
static const char *const matching_pda[] = { "pda", NULL };
static const char *const pda_regions[] = {
	"Basilicata", "Calabria", "Sicilia", NULL
};
static const char *const roles_pda[] = { "pda", NULL };
static const char *const entry[] = { "entry", NULL };
static const char *const exit_profile[] = { "exit", NULL };

static const struct schema_requirement need_eligible[] = {
	{ .link = SCHEMA_LINK_CHILD, .collection = "assessment",
	  .field = "decision", .values = eligible,
	  .label = "una scheda di valutazione con esito \"eleggibile\"" },
};
static const struct schema_requirement need_not_eligible[] = {
	{ .link = SCHEMA_LINK_CHILD, .collection = "assessment",
	  .field = "decision", .values = not_eligible,
	  .label = "una scheda di valutazione con esito \"non eleggibile\"" },
};
static const struct schema_requirement need_match[] = {
	{ .link = SCHEMA_LINK_SELF, .field = "attuatore",
	  .label = "il soggetto attuatore scelto (campo attuatore)" },
	{ .link = SCHEMA_LINK_SELF, .field = "bdi_matching",
	  .values = matching_pda, .roles = roles_pda,
	  .label = "il matching affidato dall'Helpdesk al Punto di Accesso "
		   "(campo bdi_matching)" },
	{ .link = SCHEMA_LINK_SELF, .field = "region", .values = pda_regions,
	  .roles = roles_pda,
	  .label = "un caso di Basilicata, Calabria o Sicilia" },
};
static const struct schema_requirement need_entry[] = {
	{ .link = SCHEMA_LINK_CHILD, .collection = "profile",
	  .field = "kind", .values = entry,
	  .label = "la scheda profilo di entrata" },
	{ .link = SCHEMA_LINK_CHILD, .collection = "plan",
	  .label = "il progetto di accompagnamento (PAI)" },
};
static const struct schema_requirement need_exit[] = {
	{ .link = SCHEMA_LINK_CHILD, .collection = "profile",
	  .field = "kind", .values = exit_profile,
	  .label = "la scheda profilo di uscita" },
};

#define NEEDS(a) .requires = (a), .nrequires = sizeof(a) / sizeof((a)[0])

static const struct schema_transition bdi_steps[] = {
	{ .from = NULL, .to = "identified" },
	{ .from = NULL, .to = "submitted" },
	{ .from = "identified", .to = "submitted" },
	{ .from = "submitted", .to = "validated", .roles = schema_roles_hub,
	  NEEDS(need_eligible) },
	{ .from = "submitted", .to = "rejected", .roles = schema_roles_hub,
	  NEEDS(need_not_eligible) },
	{ .from = "rejected", .to = "validated", .roles = schema_roles_hub,
	  NEEDS(need_eligible) },
	{ .from = "validated", .to = "matched",
	  .roles = schema_roles_hub_pda, NEEDS(need_match) },
	{ .from = "matched", .to = "in_charge",
	  .roles = schema_roles_hub_pda_att, NEEDS(need_entry) },
	{ .from = "in_charge", .to = "closing",
	  .roles = schema_roles_all_kinds, NEEDS(need_exit) },
	{ .from = "closing", .to = "closed", .roles = schema_roles_hub,
	  NEEDS(need_exit) },
	{ .from = "in_charge", .to = "closed", .roles = schema_roles_hub,
	  NEEDS(need_exit) },
	{ .from = "closed", .to = "follow_up" },
};

const struct schema_field schema_case_fields[18] = {
	{ .name = "person_id", .id = 1, .type = SCHEMA_REF, .ref = "person",
	  .flags = R, .doc = "the person taken in charge",
	  .label = "Destinatario",
	  .help = "La scheda anagrafica della persona presa in carico." },
	{ .name = "region", .id = 2, .type = SCHEMA_ENUM, .flags = R,
	  .values = schema_regions, .value_labels = schema_region_labels,
	  .doc = "region that holds the case", .label = "Regione",
	  .help = "La regione in cui il caso è seguito: decide quali nodi "
		  "lo vedono." },
	{ .name = "province", .id = 3, .type = SCHEMA_STRING,
	  .doc = "province (two letters)", .label = "Provincia",
	  .help = "La sigla della provincia in cui il caso è seguito." },
	{ .name = "stage", .id = 4, .type = SCHEMA_ENUM, .flags = R,
	  .merge = SCHEMA_MERGE_MONOTONIC, .values = case_stages,
	  .value_labels = case_stage_labels,
	  .doc = "stage of the Polo's path", .label = "Fase del percorso",
	  .help = "A che punto è il percorso di accompagnamento al Polo." },
	{ .name = "access_channel", .id = 5, .type = SCHEMA_ENUM,
	  .values = case_channels, .value_labels = case_channel_labels,
	  .doc = "how the person reached the service",
	  .label = "Modalità di accesso",
	  .help = "Come la persona è arrivata al servizio (Linee guida "
		  "Poli, par. 6)." },
	{ .name = "assigned_org", .id = 6, .type = SCHEMA_STRING,
	  .doc = "organisation in charge (Polo, soggetto attuatore)",
	  .label = "Ente in carico",
	  .help = "L'ente che segue il caso oggi: il Polo o il soggetto "
		  "attuatore." },
	{ .name = "case_worker", .id = 7, .type = SCHEMA_STRING,
	  .doc = "case worker of reference",
	  .label = "Operatore di riferimento",
	  .help = "L'operatore dell'équipe che è il punto di riferimento "
		  "della persona." },
	{ .name = "priority", .id = 8, .type = SCHEMA_ENUM,
	  .values = case_priorities, .value_labels = case_priority_labels,
	  .doc = "priority", .label = "Priorità",
	  .help = "Quanto è urgente intervenire; urgente se la persona è in "
		  "pericolo." },
	{ .name = "opened_at", .id = 9, .type = SCHEMA_DATE,
	  .doc = "date opened", .label = "Data di apertura",
	  .help = "Il giorno della presa in carico." },
	{ .name = "closed_at", .id = 10, .type = SCHEMA_DATE,
	  .doc = "date closed", .label = "Data di chiusura",
	  .help = "Il giorno in cui il percorso si è concluso." },
	{ .name = "updated_at", .id = 11, .type = SCHEMA_DATETIME,
	  .doc = "when the record was last edited (UTC)",
	  .label = "Modificato il",
	  .help = "Data e ora dell'ultima modifica; la scrive il "
		  "programma." },
	{ .name = "created_by", .id = 12, .type = SCHEMA_STRING,
	  .doc = "node that first entered the record", .label = "Aperto da",
	  .help = "Il nodo che ha aperto il caso." },
	/* Scope: the nodes that hold the case (besides the hub and the
	 * Punto di Accesso of its region).  Empty: the node that opened it.
	 * Handing a case over (hub to PdA, PdA to soggetto attuatore) is a
	 * change of this field, which only the hub or the PdA of the case's
	 * region may make (conflict/scope.h); sync moves the case
	 * accordingly. */
	{ .name = "nodes", .id = 13, .type = SCHEMA_STRING_LIST,
	  .doc = "nodes the case is assigned to (names at the hub)",
	  .label = "Nodi assegnatari",
	  .help = "I nodi che seguono il caso oltre all'hub e al Punto di "
		  "Accesso della regione; cambiarli passa il caso a un altro "
		  "ente." },
	{ .name = "service_level", .id = 14, .type = SCHEMA_ENUM,
	  .values = case_levels, .value_labels = case_level_labels,
	  .doc = "service level (Poli sec. 9)", .label = "Livello di servizio",
	  .help = "Medio: colloqui, orientamento, informazioni. Complesso: "
		  "un percorso che attiva altri servizi del territorio, come "
		  "il Budget di Integrazione." },
	{ .name = "owner_node", .id = 15, .type = SCHEMA_STRING,
	  .doc = "Polo or PdA that owns the case (node name)",
	  .label = "Polo o Punto di Accesso titolare",
	  .help = "Il nodo che è titolare del caso e ne risponde." },
	{ .name = "attuatore", .id = 16, .type = SCHEMA_STRING,
	  .doc = "soggetto attuatore (node name), set at matching",
	  .label = "Soggetto attuatore",
	  .help = "L'ente che gestisce la presa in carico BdI, scelto al "
		  "matching." },
	{ .name = "bdi_stage", .id = 17, .type = SCHEMA_ENUM,
	  .merge = SCHEMA_MERGE_MONOTONIC, .values = bdi_stages,
	  .value_labels = bdi_stage_labels, STEPS(bdi_steps),
	  .doc = "BdI procedure (guidelines sec. 6)",
	  .label = "Fase del Budget di Integrazione",
	  .help = "A che punto è la procedura BdI: individuazione, "
		  "pre-assessment, validazione, matching, presa in carico, "
		  "chiusura, follow-up. Alcuni passaggi spettano solo al "
		  "Focal Point (hub)." },
	{ .name = "bdi_matching", .id = 18, .type = SCHEMA_ENUM,
	  .flags = SCHEMA_HUB_ONLY, .values = bdi_matchings,
	  .value_labels = bdi_matching_labels,
	  .doc = "who does the matching: the hub or the region's PdA",
	  .label = "Matching affidato a",
	  .help = "Chi sceglie il soggetto attuatore: il Focal Point BdI o "
		  "il Punto di Accesso di Basilicata, Calabria o Sicilia. Lo "
		  "decide l'hub." },
};

/* ---- assessment: scheda di valutazione preliminare (sec. 2, 6.2) ---- */

static const char *const indicators[] = {
	"wages", "hours", "safety", "degrading", NULL
};
static const char *const indicator_labels[] = {
	"Retribuzione difforme dai contratti collettivi",
	"Violazione di orari, riposi, ferie",
	"Violazione delle norme di sicurezza e igiene",
	"Condizioni degradanti, sorveglianza, alloggio", NULL
};

static const char *const case_types[] = { "1", "2", "3", "4", "5", NULL };
static const char *const case_type_labels[] = {
	"1. Grave sfruttamento e pericolo imminente per l'incolumità "
	"(programma ex art. 18 TUI)",
	"2. Irregolare, collabora con le autorità, senza pericolo concreto "
	"(permesso ex art. 18-ter c. 1 TUI)",
	"3. Irregolare, intercettato durante le ispezioni dell'INL "
	"(permesso ex art. 18-ter c. 2 TUI)",
	"4. Con regolare permesso di soggiorno, senza pericolo concreto "
	"(nessuna tutela specifica)",
	"5. Irregolare o regolare solo per ora, senza elementi sufficienti "
	"per l'emersione (nessuna tutela specifica)", NULL
};

static const char *const decisions[] = { "eligible", "not_eligible", NULL };
static const char *const decision_labels[] = {
	"Eleggibile", "Non eleggibile", NULL
};

const struct schema_field schema_assessment_fields[12] = {
	{ .name = "case_id", .id = 1, .type = SCHEMA_REF, .ref = "case",
	  .flags = R, .doc = "the case assessed", .label = "Caso",
	  .help = "Il caso della persona valutata." },
	{ .name = "proposer", .id = 2, .type = SCHEMA_STRING,
	  .doc = "organisation that proposes the person",
	  .label = "Ente proponente",
	  .help = "L'ente che ha individuato la persona e compila la "
		  "scheda." },
	{ .name = "submitted_on", .id = 3, .type = SCHEMA_DATE,
	  .doc = "date sent to the Focal Point", .label = "Data di invio",
	  .help = "Il giorno in cui la scheda è stata inviata al Focal "
		  "Point BdI." },
	{ .name = "criterion1", .id = 4, .type = SCHEMA_BOOL,
	  .doc = "criterion 1: victim of exploitation (art. 603-bis c.p.)",
	  .label = "Criterio 1: vittima di sfruttamento (art. 603-bis c.p.)",
	  .help = "Sì se la persona è vittima di sfruttamento lavorativo o "
		  "di intermediazione illecita secondo gli indici "
		  "dell'art. 603-bis del Codice penale." },
	{ .name = "indicators", .id = 5, .type = SCHEMA_ENUM_SET,
	  .values = indicators, .value_labels = indicator_labels,
	  .doc = "art. 603-bis indices observed",
	  .label = "Indici art. 603-bis osservati",
	  .help = "Gli indici di sfruttamento riscontrati; se ne possono "
		  "indicare più d'uno." },
	{ .name = "criterion2", .id = 6, .type = SCHEMA_BOOL,
	  .doc = "criterion 2: no access to the Programma unico",
	  .label = "Criterio 2: non accede al Programma unico di emersione",
	  .help = "Sì se la persona non ha i requisiti per il Programma "
		  "unico di emersione, assistenza e integrazione sociale." },
	{ .name = "case_type", .id = 7, .type = SCHEMA_ENUM,
	  .values = case_types, .value_labels = case_type_labels,
	  .doc = "case type (guidelines Table 1)",
	  .label = "Tipologia (Tabella 1)",
	  .help = "La tipologia di caso della Tabella 1 delle linee guida, "
		  "che indica il percorso di tutela attivabile." },
	{ .name = "situation", .id = 8, .type = SCHEMA_TEXT, .flags = P,
	  .doc = "description of the situation",
	  .label = "Descrizione della situazione",
	  .help = "La situazione di vita e di lavoro della persona e la "
		  "sua disponibilità a intraprendere il percorso." },
	{ .name = "decision", .id = 9, .type = SCHEMA_ENUM,
	  .flags = SCHEMA_HUB_ONLY, .values = decisions,
	  .value_labels = decision_labels, .doc = "the hub's validation",
	  .label = "Esito della validazione",
	  .help = "La decisione del Focal Point BdI sull'eleggibilità; la "
		  "scrive solo l'hub." },
	{ .name = "decision_reason", .id = 10, .type = SCHEMA_TEXT,
	  .flags = SCHEMA_HUB_ONLY, .doc = "reasons of the decision",
	  .label = "Motivazione",
	  .help = "Perché la persona è o non è eleggibile." },
	{ .name = "decision_on", .id = 11, .type = SCHEMA_DATE,
	  .flags = SCHEMA_HUB_ONLY, .doc = "date of the decision",
	  .label = "Data dell'esito",
	  .help = "Il giorno della validazione o del diniego." },
	{ .name = "orientation", .id = 12, .type = SCHEMA_STRING,
	  .flags = SCHEMA_HUB_ONLY,
	  .doc = "where a non-eligible person is oriented",
	  .label = "Orientamento (se non eleggibile): servizio o Polo",
	  .help = "Il servizio o il Polo a cui orientare la persona non "
		  "eleggibile, preferendo i dispositivi di Su.Pr.Eme. 2." },
};

/* ---- plan: progetto di accompagnamento (PAI) ---- */

static const char *const plan_statuses[] = {
	"draft", "agreed", "closed", NULL
};
static const char *const plan_status_labels[] = {
	"In preparazione", "Sottoscritto", "Concluso", NULL
};

const struct schema_field schema_plan_fields[6] = {
	{ .name = "case_id", .id = 1, .type = SCHEMA_REF, .ref = "case",
	  .flags = R | SCHEMA_FIXED, .doc = "the case it plans (fixed: its "
	  "goals and reviews follow it)", .label = "Caso",
	  .help = "Il caso a cui il progetto appartiene." },
	{ .name = "agreed_on", .id = 2, .type = SCHEMA_DATE,
	  .doc = "date signed", .label = "Data di sottoscrizione",
	  .help = "Il giorno in cui la persona e l'équipe hanno "
		  "sottoscritto il progetto." },
	{ .name = "status", .id = 3, .type = SCHEMA_ENUM,
	  .values = plan_statuses, .value_labels = plan_status_labels,
	  .doc = "draft, agreed or closed", .label = "Stato",
	  .help = "In preparazione finché non è sottoscritto; concluso a "
		  "fine percorso." },
	{ .name = "review_due", .id = 4, .type = SCHEMA_DATE,
	  .doc = "next review due", .label = "Prossima verifica",
	  .help = "Entro quando l'équipe verifica di nuovo il progetto con "
		  "la persona." },
	{ .name = "team", .id = 5, .type = SCHEMA_STRING_LIST,
	  .doc = "the multidisciplinary team", .label = "Équipe",
	  .help = "Le figure dell'équipe multidisciplinare che seguono il "
		  "progetto (assistente sociale, psicologo, mediatore...)." },
	{ .name = "notes", .id = 6, .type = SCHEMA_TEXT, .flags = P,
	  .group = SCHEMA_GROUP_INTERVIEW,
	  .doc = "notes on the plan", .label = "Note",
	  .help = "Quanto serve a capire il progetto e come è stato "
		  "concordato con la persona." },
};

/* ---- plan_goal, plan_review ---- */

static const char *const goal_statuses[] = {
	"open", "achieved", "partly", "not_achieved", NULL
};
static const char *const goal_status_labels[] = {
	"In corso", "Raggiunto", "Raggiunto in parte", "Non raggiunto", NULL
};

const struct schema_field schema_plan_goal_fields[7] = {
	{ .name = "plan_id", .id = 1, .type = SCHEMA_REF, .ref = "plan",
	  .flags = R, .doc = "the plan it belongs to", .label = "Progetto",
	  .help = "Il progetto di cui l'obiettivo fa parte." },
	{ .name = "area", .id = 2, .type = SCHEMA_ENUM, .flags = R,
	  .values = schema_areas, .value_labels = schema_area_labels,
	  .doc = "area of intervention", .label = "Area di intervento",
	  .help = "L'area a cui l'obiettivo si riferisce." },
	{ .name = "goal", .id = 3, .type = SCHEMA_TEXT, .flags = R | P,
	  .doc = "the goal", .label = "Obiettivo",
	  .help = "Che cosa la persona vuole raggiungere, con parole "
		  "concordate con lei." },
	{ .name = "actions", .id = 4, .type = SCHEMA_TEXT, .flags = P,
	  .doc = "actions planned", .label = "Azioni",
	  .help = "Le azioni previste per raggiungere l'obiettivo." },
	{ .name = "responsible", .id = 5, .type = SCHEMA_STRING,
	  .doc = "who is responsible", .label = "Responsabile",
	  .help = "Chi segue le azioni: un operatore, un servizio, la "
		  "persona stessa." },
	{ .name = "deadline", .id = 6, .type = SCHEMA_DATE,
	  .doc = "deadline", .label = "Scadenza",
	  .help = "Entro quando l'obiettivo dovrebbe essere raggiunto." },
	{ .name = "status", .id = 7, .type = SCHEMA_ENUM,
	  .values = goal_statuses, .value_labels = goal_status_labels,
	  .doc = "how far the goal is reached", .label = "Stato",
	  .help = "A che punto è l'obiettivo." },
};

const struct schema_field schema_plan_review_fields[4] = {
	{ .name = "plan_id", .id = 1, .type = SCHEMA_REF, .ref = "plan",
	  .flags = R, .doc = "the plan reviewed", .label = "Progetto",
	  .help = "Il progetto verificato." },
	{ .name = "date", .id = 2, .type = SCHEMA_DATE, .flags = R,
	  .doc = "date of the review", .label = "Data della verifica",
	  .help = "Il giorno dell'incontro di verifica." },
	{ .name = "outcome", .id = 3, .type = SCHEMA_TEXT, .flags = P,
	  .doc = "outcome of the review", .label = "Esito",
	  .help = "Che cosa è stato fatto, che cosa cambia nel progetto." },
	{ .name = "next_review", .id = 4, .type = SCHEMA_DATE,
	  .doc = "date of the next review", .label = "Prossima verifica",
	  .help = "Quando si farà la verifica successiva." },
};

/* ---- profile: scheda profilo in entrata / in uscita (sec. 6.4) ---- */

static const char *const profile_kinds[] = { "entry", "exit", NULL };
static const char *const profile_kind_labels[] = {
	"Entrata", "Uscita", NULL
};

static const char *const levels[] = {
	"critical", "fragile", "adequate", "autonomous", NULL
};
static const char *const level_labels[] = {
	"Critico", "Fragile", "Adeguato", "Autonomo", NULL
};

#define LEVEL(fname, fid, lbl)                                                \
	{ .name = fname, .id = fid, .type = SCHEMA_ENUM, .values = levels,     \
	  .value_labels = level_labels, .doc = "level in the area",            \
	  .label = lbl,                                                        \
	  .help = "Quanto la persona è autonoma in quest'area, da critico "    \
		  "ad autonomo." }
#define NOTE(fname, fid, lbl, grp)                                            \
	{ .name = fname, .id = fid, .type = SCHEMA_TEXT, .flags = P,           \
	  .group = grp, .doc = "notes on the area", .label = lbl,              \
	  .help = "Problemi, risorse e bisogni della persona in "              \
		  "quest'area." }

const struct schema_field schema_profile_fields[11] = {
	{ .name = "case_id", .id = 1, .type = SCHEMA_REF, .ref = "case",
	  .flags = R, .doc = "the case profiled", .label = "Caso",
	  .help = "Il caso della persona profilata." },
	{ .name = "kind", .id = 2, .type = SCHEMA_ENUM, .flags = R,
	  .values = profile_kinds, .value_labels = profile_kind_labels,
	  .doc = "entry or exit profile", .label = "Tipo di profilo",
	  .help = "In entrata all'inizio della presa in carico, in uscita "
		  "alla chiusura." },
	{ .name = "date", .id = 3, .type = SCHEMA_DATE,
	  .doc = "date of the profile", .label = "Data",
	  .help = "Il giorno in cui il profilo è stato compilato." },
	LEVEL("housing_level", 4, "Area abitativa: livello"),
	NOTE("housing_note", 5, "Area abitativa: note", SCHEMA_GROUP_INTERVIEW),
	LEVEL("health_social_level", 6, "Area sociosanitaria: livello"),
	NOTE("health_social_note", 7, "Area sociosanitaria: note",
	     SCHEMA_GROUP_HEALTH),
	LEVEL("integration_level", 8,
	      "Area integrazione e orientamento: livello"),
	NOTE("integration_note", 9, "Area integrazione e orientamento: note",
	     SCHEMA_GROUP_INTERVIEW),
	LEVEL("labour_level", 10, "Area politiche attive del lavoro: livello"),
	NOTE("labour_note", 11, "Area politiche attive del lavoro: note",
	     SCHEMA_GROUP_INTERVIEW),
};

/* ---- followup (sec. 6.6) ---- */

static const char *const outcomes[] = {
	"improved", "stable", "worsened", "not_reached", NULL
};
static const char *const outcome_labels[] = {
	"Migliorata", "Stabile", "Peggiorata", "Persona non raggiunta", NULL
};

const struct schema_field schema_followup_fields[5] = {
	{ .name = "case_id", .id = 1, .type = SCHEMA_REF, .ref = "case",
	  .flags = R, .doc = "the case followed up", .label = "Caso",
	  .help = "Il caso chiuso di cui si verifica l'esito." },
	{ .name = "area", .id = 2, .type = SCHEMA_ENUM, .flags = R,
	  .values = schema_areas, .value_labels = schema_area_labels,
	  .doc = "area checked", .label = "Area di intervento",
	  .help = "L'area in cui si verifica l'efficacia dell'intervento." },
	{ .name = "date", .id = 3, .type = SCHEMA_DATE, .flags = R,
	  .doc = "date of the follow-up", .label = "Data",
	  .help = "Il giorno della verifica." },
	{ .name = "outcome", .id = 4, .type = SCHEMA_ENUM,
	  .values = outcomes, .value_labels = outcome_labels,
	  .doc = "how the situation evolved", .label = "Esito",
	  .help = "Com'è la situazione della persona in quest'area rispetto "
		  "alla chiusura." },
	{ .name = "note", .id = 5, .type = SCHEMA_TEXT, .flags = P,
	  .group = SCHEMA_GROUP_INTERVIEW,
	  .doc = "notes", .label = "Note",
	  .help = "Quanto emerso nella verifica." },
};
