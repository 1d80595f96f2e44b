/*
 * coll_person.c - the person (destinatario): the scheda anagrafica of a
 * beneficiary.  See coll.h for how the product's declarations are split.
 *
 * The fields follow the synthetic workload (shared/workload/gen.js) key
 * for key, so that every line it writes validates; ids 1 to 22 are those
 * of the first release and never change.  Everything that describes the
 * person is PERSONAL (special-category data included: health, legal
 * status, the facts of exploitation); only the record's own bookkeeping
 * (when and by which node it was written) is not.
 */
#include "schema/coll.h"

static const char *const person_sexes[] = { "M", "F", "X", NULL };
static const char *const person_sex_labels[] = {
	"Maschio", "Femmina", "Non dichiarato o altro", NULL
};

#define P SCHEMA_PERSONAL

/* Who a person is, for search and the duplicate warning. */
const struct schema_search schema_person_search = {
	.given = "given_name", .family = "family_name",
	.others = "other_names", .birth_date = "birth_date",
	.nationality = "nationality", .tax_code = "tax_code",
	.merged_into = "merged_into",
};

const struct schema_field schema_person_fields[27] = {
	{ .name = "given_name", .id = 1, .type = SCHEMA_STRING,
	  .flags = SCHEMA_REQUIRED | P, .doc = "given name",
	  .label = "Nome",
	  .help = "Il nome come risulta dai documenti o come la persona lo "
		  "dichiara." },
	{ .name = "family_name", .id = 2, .type = SCHEMA_STRING,
	  .flags = SCHEMA_REQUIRED | P, .doc = "family name",
	  .label = "Cognome",
	  .help = "Il cognome come risulta dai documenti o come la persona "
		  "lo dichiara." },
	{ .name = "sex", .id = 3, .type = SCHEMA_ENUM, .flags = P,
	  .values = person_sexes, .value_labels = person_sex_labels,
	  .doc = "sex (X: not stated or other)", .label = "Sesso",
	  .help = "Come la persona lo dichiara; X se non lo dichiara o se "
		  "nessuna delle due voci la descrive." },
	{ .name = "birth_date", .id = 4, .type = SCHEMA_DATE, .flags = P,
	  .doc = "date of birth", .label = "Data di nascita",
	  .help = "Se la data è incerta, quella dichiarata dalla persona." },
	{ .name = "birth_country", .id = 5, .type = SCHEMA_STRING,
	  .flags = P, .doc = "country of birth, ISO 3166-1 alpha-2",
	  .label = "Paese di nascita",
	  .help = "Codice di due lettere del paese (per esempio MA per il "
		  "Marocco)." },
	{ .name = "nationality", .id = 6, .type = SCHEMA_STRING, .flags = P,
	  .doc = "citizenship, ISO 3166-1 alpha-2", .label = "Cittadinanza",
	  .help = "Codice di due lettere del paese di cittadinanza." },
	{ .name = "languages", .id = 7, .type = SCHEMA_STRING_LIST,
	  .flags = P, .doc = "languages spoken, ISO 639 codes",
	  .label = "Lingue parlate",
	  .help = "Le lingue in cui si può parlare con la persona, per "
		  "scegliere la mediazione linguistico-culturale." },
	{ .name = "tax_code", .id = 8, .type = SCHEMA_STRING, .flags = P,
	  .doc = "codice fiscale, if any", .label = "Codice fiscale",
	  .help = "Solo se la persona ne ha uno." },
	/* Free text rather than ENUM: the permit types in use (art. 18,
	 * 18-ter TUI, ...) change with the law and must not block intake. */
	{ .name = "residence_permit_type", .id = 9, .type = SCHEMA_STRING,
	  .flags = P, .doc = "residence permit type (free text)",
	  .label = "Tipo di permesso di soggiorno",
	  .help = "Il titolo di soggiorno, per esempio art. 18-ter TUI, "
		  "lavoro subordinato, richiesta asilo; vuoto se non ne ha." },
	{ .name = "residence_permit_expiry", .id = 10, .type = SCHEMA_DATE,
	  .flags = P, .doc = "residence permit expiry",
	  .label = "Scadenza del permesso di soggiorno",
	  .help = "La data di scadenza riportata sul permesso." },
	{ .name = "phone", .id = 11, .type = SCHEMA_STRING, .flags = P,
	  .doc = "phone", .label = "Telefono",
	  .help = "Un numero a cui la persona risponde in sicurezza." },
	{ .name = "email", .id = 12, .type = SCHEMA_STRING, .flags = P,
	  .doc = "e-mail", .label = "E-mail",
	  .help = "Un indirizzo e-mail della persona, se ne ha uno." },
	{ .name = "residence_municipality", .id = 13, .type = SCHEMA_STRING,
	  .flags = P, .doc = "municipality of residence or domicile",
	  .label = "Comune di residenza o domicilio",
	  .help = "Il comune in cui la persona vive, anche senza residenza "
		  "anagrafica." },
	{ .name = "residence_province", .id = 14, .type = SCHEMA_STRING,
	  .flags = P, .doc = "province (two letters, e.g. FG)",
	  .label = "Provincia",
	  .help = "La sigla della provincia in cui la persona vive (per "
		  "esempio FG)." },
	{ .name = "household_size", .id = 15, .type = SCHEMA_INT, .flags = P,
	  .doc = "members of the household",
	  .label = "Componenti del nucleo familiare",
	  .help = "Quante persone compongono il nucleo, la persona "
		  "compresa." },
	{ .name = "vulnerabilities", .id = 16, .type = SCHEMA_STRING_LIST,
	  .flags = P, .group = SCHEMA_GROUP_HEALTH, .doc = "vulnerabilities (special-category data)",
	  .label = "Vulnerabilità",
	  .help = "Le condizioni di vulnerabilità rilevate; dati "
		  "particolari, da scrivere solo se servono alla presa in "
		  "carico." },
	{ .name = "privacy_consent", .id = 17, .type = SCHEMA_BOOL,
	  .flags = P, .doc = "consent to data processing given",
	  .label = "Consenso al trattamento dei dati",
	  .help = "Sì se la persona ha firmato l'informativa sul "
		  "trattamento dei dati." },
	{ .name = "consent_date", .id = 18, .type = SCHEMA_DATE, .flags = P,
	  .doc = "date of the consent", .label = "Data del consenso",
	  .help = "Il giorno in cui la persona ha dato il consenso." },
	{ .name = "notes", .id = 19, .type = SCHEMA_TEXT, .flags = P,
	  .group = SCHEMA_GROUP_INTERVIEW,
	  .doc = "interview notes", .label = "Note dei colloqui",
	  .help = "Quanto emerso nei colloqui che serve al percorso; i "
		  "fatti riservati vanno nelle note riservate." },
	{ .name = "created_at", .id = 20, .type = SCHEMA_DATETIME,
	  .doc = "when the record was first entered (UTC)",
	  .label = "Inserita il",
	  .help = "Data e ora del primo inserimento della scheda; la "
		  "scrive il programma." },
	{ .name = "updated_at", .id = 21, .type = SCHEMA_DATETIME,
	  .doc = "when the record was last edited (UTC)",
	  .label = "Modificata il",
	  .help = "Data e ora dell'ultima modifica della scheda; la scrive "
		  "il programma." },
	{ .name = "created_by", .id = 22, .type = SCHEMA_STRING,
	  .doc = "node that first entered the record",
	  .label = "Inserita da",
	  .help = "Il nodo (Polo, Punto di Accesso, hub) che ha inserito la "
		  "scheda per primo." },
	{ .name = "other_names", .id = 23, .type = SCHEMA_STRING_LIST,
	  .flags = P, .doc = "other names: transliterations, aliases",
	  .label = "Altri nomi e varianti",
	  .help = "Le altre grafie del nome (traslitterazioni) e i nomi con "
		  "cui la persona è conosciuta: servono a trovare le schede "
		  "doppie." },
	{ .name = "permit_renewal_pending", .id = 24, .type = SCHEMA_BOOL,
	  .flags = P, .doc = "residence permit renewal under way",
	  .label = "Rinnovo del permesso in corso",
	  .help = "Sì se la persona ha chiesto il rinnovo del permesso e "
		  "attende la risposta." },
	{ .name = "work_municipality", .id = 25, .type = SCHEMA_STRING,
	  .flags = P, .doc = "municipality where the person works",
	  .label = "Comune di lavoro",
	  .help = "Il comune in cui la persona lavora o lavorava quando è "
		  "stata individuata." },
	{ .name = "special_notes", .id = 26, .type = SCHEMA_TEXT, .flags = P,
	  .group = SCHEMA_GROUP_RESTRICTED,
	  .doc = "restricted notes: health, legal status, exploitation facts",
	  .label = "Note riservate",
	  .help = "Salute, posizione giuridica, fatti di sfruttamento: solo "
		  "quanto serve alla tutela della persona." },
	/* Set on the duplicate when two records of one person are merged
	 * (the other record is the one kept); cleared to undo. */
	{ .name = "merged_into", .id = 27, .type = SCHEMA_REF, .ref = "person",
	  .flags = P, .doc = "the record this duplicate was merged into",
	  .label = "Unita alla scheda",
	  .help = "Se questa scheda è un doppione, la scheda della stessa "
		  "persona a cui è stata unita; vuoto per separarle di "
		  "nuovo." },
};
