/*
 * coll_dote.c - the Budget di Integrazione dote (guidelines sec. 3) and
 * its ledger of commitments, expenses and reversals.  See coll.h for how
 * the product's declarations are split.
 *
 * A dote is spent over 2 to 9 months "salvo casi specifici": a duration
 * outside that range needs a justification, which the dote's invariant
 * checks.  Its ledger's amounts stay within EUR 12,000 (an aggregate cap)
 * and carry the sign of their kind (the ledger's invariant).  Invariant
 * reasons are constant Italian sentences naming fields, never values.
 */
#include "schema/coll.h"

#include <string.h>

#include "common/date.h"

#define R SCHEMA_REQUIRED
#define STEPS(a) .transitions = (a), .ntransitions = sizeof(a) / sizeof((a)[0])

#define DOTE_MONTHS_MIN 2
#define DOTE_MONTHS_MAX 9

/* ---- dote ---- */

static const char *const partners[] = {
	"nova", "campania", "puglia", "basilicata", "calabria", "sicilia",
	NULL
};
static const char *const partner_labels[] = {
	"NOVA", "Campania", "Puglia", "Basilicata", "Calabria", "Sicilia",
	NULL
};

/* Procedure order: the merge keeps the furthest status. */
static const char *const dote_statuses[] = {
	"assigned", "active", "closed", "revoked", NULL
};
static const char *const dote_status_labels[] = {
	"Assegnata", "Attiva", "Chiusa", "Revocata", NULL
};

/* A dote goes to a case the Focal Point has validated. */
static const char *const validated_on[] = {
	"validated", "matched", "in_charge", "closing", "closed", "follow_up",
	NULL
};
static const struct schema_requirement need_validated[] = {
	{ .link = SCHEMA_LINK_PARENT, .field = "bdi_stage",
	  .values = validated_on,
	  .label = "un caso validato dal Focal Point (campo bdi_stage del "
		   "caso)" },
};

/* Doti per partner within the hub's allocation (Tabella 2; the numbers
 * are the hub's configuration, `presidio hub allocation`, starting from
 * the programme's: 195 doti among its partners); a revoked dote gives its
 * place back. */
static const char *const revoked[] = { "revoked", NULL };
static const struct schema_quota_default dote_allocation[] = {
	{ "nova", 42 },       { "campania", 39 }, { "puglia", 33 },
	{ "basilicata", 14 }, { "calabria", 21 }, { "sicilia", 46 },
};
const struct schema_quota schema_dote_quota = {
	.group = "partner", .skip = "status", .skip_values = revoked,
	.label = "le doti assegnabili al partner (allocazione dell'hub)",
	.defaults = dote_allocation,
	.ndefaults = sizeof(dote_allocation) / sizeof(dote_allocation[0]),
};

static const struct schema_transition dote_steps[] = {
	{ .from = NULL, .to = "assigned", .roles = schema_roles_hub,
	  .requires = need_validated, .nrequires = 1 },
	{ .from = "assigned", .to = "active",
	  .roles = schema_roles_hub_pda_att },
	{ .from = "active", .to = "closed", .roles = schema_roles_hub },
	{ .from = "assigned", .to = "revoked", .roles = schema_roles_hub },
	{ .from = "active", .to = "revoked", .roles = schema_roles_hub },
};

const struct schema_field schema_dote_fields[6] = {
	{ .name = "case_id", .id = 1, .type = SCHEMA_REF, .ref = "case",
	  .flags = R | SCHEMA_FIXED, .doc = "the case the dote is assigned to",
	  .label = "Caso",
	  .help = "Il caso della persona a cui la dote è assegnata." },
	{ .name = "partner", .id = 2, .type = SCHEMA_ENUM, .flags = R,
	  .values = partners, .value_labels = partner_labels,
	  .doc = "project partner whose quota the dote counts in",
	  .label = "Partner",
	  .help = "Il partner di progetto sulle cui doti è conteggiata "
		  "(Tabella 2 delle linee guida)." },
	{ .name = "status", .id = 3, .type = SCHEMA_ENUM, .flags = R,
	  .merge = SCHEMA_MERGE_MONOTONIC, .values = dote_statuses,
	  .value_labels = dote_status_labels, STEPS(dote_steps),
	  .doc = "dote procedure", .label = "Stato della dote",
	  .help = "La dote la assegna il Focal Point (hub); diventa attiva "
		  "con la presa in carico; la chiude o la revoca l'hub." },
	{ .name = "start_date", .id = 4, .type = SCHEMA_DATE,
	  .doc = "start of the spending period", .label = "Data di avvio",
	  .help = "Il giorno da cui la dote si può spendere." },
	{ .name = "planned_end", .id = 5, .type = SCHEMA_DATE,
	  .doc = "planned end (2 to 9 months after start_date)",
	  .label = "Fine prevista",
	  .help = "Di norma tra 2 e 9 mesi dopo la data di avvio; fuori da "
		  "questo intervallo serve una giustificazione." },
	{ .name = "justification", .id = 6, .type = SCHEMA_TEXT,
	  .doc = "why the duration is outside 2 to 9 months",
	  .label = "Giustificazione della durata",
	  .help = "Perché la dote dura meno di 2 o più di 9 mesi (i casi "
		  "specifici previsti dalle linee guida)." },
};

const struct schema_aggregate schema_dote_caps[1] = {
	{ .child = "ledger", .sum = "amount_cents", .cap_field = NULL,
	  .cap = SCHEMA_DOTE_CAP_CENTS,
	  .doc = "a dote's ledger stays within EUR 12,000" },
};

/* The date of field name as yyyymmdd (year, month, day); 0 when unset or
 * not a "YYYY-MM-DD" date (a merged value is validated already: this is
 * only a guard). */
static int date_of(const json_t *fields, const char *name, int ymd[3])
{
	return date_parse(json_string_value(json_object_get(fields, name)),
			  ymd) == 0;
}

/* 1 when field name is unset, null or only blanks. */
static int blank(const json_t *fields, const char *name)
{
	const char *s = json_string_value(json_object_get(fields, name));

	for (; s && *s; s++)
		if (!strchr(" \t\r\n", *s))
			return 0;
	return 1;
}

const char *schema_dote_invariant(const json_t *fields)
{
	int start[3], end[3];
	long e;

	if (!date_of(fields, "start_date", start) ||
	    !date_of(fields, "planned_end", end) ||
	    !blank(fields, "justification"))
		return NULL;
	e = (long)end[0] * 10000 + end[1] * 100 + end[2];
	if (e >= date_add_months(start, DOTE_MONTHS_MIN) &&
	    e <= date_add_months(start, DOTE_MONTHS_MAX))
		return NULL;
	return "la fine prevista (planned_end) non cade tra 2 e 9 mesi "
	       "dopo la data di avvio (start_date): serve la giustificazione "
	       "della durata (justification)";
}

/* ---- ledger: movimenti di budget ---- */

static const char *const ledger_kinds[] = {
	"commitment", "expense", "reversal", NULL
};
static const char *const ledger_kind_labels[] = {
	"Impegno", "Spesa", "Storno", NULL
};

const struct schema_field schema_ledger_fields[7] = {
	{ .name = "dote_id", .id = 1, .type = SCHEMA_REF, .ref = "dote",
	  .flags = R, .doc = "the dote it is booked on", .label = "Dote",
	  .help = "La dote su cui il movimento è registrato." },
	{ .name = "area", .id = 2, .type = SCHEMA_ENUM, .flags = R,
	  .values = schema_areas, .value_labels = schema_area_labels,
	  .doc = "area of intervention", .label = "Area di intervento",
	  .help = "L'area a cui la spesa è destinata." },
	{ .name = "amount_cents", .id = 3, .type = SCHEMA_INT, .flags = R,
	  .doc = "amount in euro cents (reversal: negative)",
	  .label = "Importo (centesimi di euro)",
	  .help = "L'importo in centesimi (100 = 1 euro): positivo per un "
		  "impegno o una spesa, negativo per uno storno. Il totale "
		  "della dote non supera 12.000 euro." },
	{ .name = "date", .id = 4, .type = SCHEMA_DATE, .flags = R,
	  .doc = "date of the entry", .label = "Data",
	  .help = "Il giorno dell'impegno, della spesa o dello storno." },
	{ .name = "kind", .id = 5, .type = SCHEMA_ENUM, .flags = R,
	  .values = ledger_kinds, .value_labels = ledger_kind_labels,
	  .doc = "commitment, expense or reversal", .label = "Tipo",
	  .help = "Impegno: somma prenotata. Spesa: somma pagata. Storno: "
		  "correzione di un movimento, con importo negativo." },
	{ .name = "description", .id = 6, .type = SCHEMA_TEXT,
	  .doc = "what it pays for", .label = "Descrizione",
	  .help = "Che cosa si paga (affitto, corso, tirocinio...)." },
	{ .name = "operator", .id = 7, .type = SCHEMA_STRING,
	  .doc = "operator who booked it", .label = "Operatore",
	  .help = "Chi ha registrato il movimento." },
};

const char *schema_ledger_invariant(const json_t *fields)
{
	const char *kind = json_string_value(json_object_get(fields, "kind"));
	const json_t *a = json_object_get(fields, "amount_cents");
	json_int_t v = json_is_integer(a) ? json_integer_value(a) : 0;

	if (!kind || !json_is_integer(a))
		return NULL;
	if (strcmp(kind, "reversal") == 0)
		return v < 0 ? NULL
			     : "l'importo (amount_cents) di uno storno "
			       "(kind) deve essere negativo";
	if (strcmp(kind, "commitment") == 0 || strcmp(kind, "expense") == 0)
		return v > 0 ? NULL
			     : "l'importo (amount_cents) di un impegno o di "
			       "una spesa (kind) deve essere positivo";
	return NULL;
}
