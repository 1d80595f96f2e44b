/*
 * collections.c - see collections.h.  Ids 1 to 9 are the tests' (the
 * product's start at 10); the ids of test_item and test_note are those
 * they had when they shipped, so stores made then (tests/fixtures) still
 * open.
 */
#include "tests/schema/collections.h"
#include "tests/schema/next.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIELDS(a) (a), sizeof(a) / sizeof((a)[0])

static const char *const test_colors[] = { "red", "green", "blue", NULL };
static const char *const test_color_labels[] = {
	"Rosso", "Verde", "Blu", NULL
};

static const char *const test_marks[] = {
	"urgent", "checked", "shared", "archived", NULL
};
static const char *const test_mark_labels[] = {
	"Urgente", "Verificato", "Condiviso", "Archiviato", NULL
};

static const char *const test_stages[] = {
	"draft", "review", "approved", "published", NULL
};
static const char *const test_stage_labels[] = {
	"Bozza", "Revisione", "Approvato", "Pubblicato", NULL
};

static const struct schema_field test_item_fields[] = {
	{ .name = "title", .id = 1, .type = SCHEMA_STRING,
	  .flags = SCHEMA_REQUIRED, .doc = "short required text",
	  .label = "Titolo", .help = "Testo breve obbligatorio." },
	{ .name = "body", .id = 2, .type = SCHEMA_TEXT,
	  .flags = SCHEMA_PERSONAL, .doc = "free text marked personal",
	  .label = "Testo", .help = "Testo libero con dati personali." },
	{ .name = "count", .id = 3, .type = SCHEMA_INT,
	  .doc = "integer",
	  .label = "Conteggio", .help = "Un numero intero." },
	{ .name = "score", .id = 4, .type = SCHEMA_NUMBER,
	  .doc = "integer or real",
	  .label = "Punteggio", .help = "Un numero, anche decimale." },
	{ .name = "done", .id = 5, .type = SCHEMA_BOOL,
	  .doc = "boolean",
	  .label = "Fatto", .help = "Sì o no." },
	{ .name = "due", .id = 6, .type = SCHEMA_DATE,
	  .doc = "calendar date",
	  .label = "Scadenza", .help = "Una data del calendario." },
	{ .name = "at", .id = 7, .type = SCHEMA_DATETIME,
	  .doc = "UTC date and time",
	  .label = "Momento", .help = "Data e ora (UTC)." },
	{ .name = "tags", .id = 8, .type = SCHEMA_STRING_LIST,
	  .doc = "list of short strings",
	  .label = "Etichette", .help = "Un elenco di testi brevi." },
	{ .name = "color", .id = 9, .type = SCHEMA_ENUM,
	  .values = test_colors,
	  .value_labels = test_color_labels, .doc = "plain enumeration",
	  .label = "Colore", .help = "Uno dei colori previsti." },
	{ .name = "stage", .id = 10, .type = SCHEMA_ENUM,
	  .merge = SCHEMA_MERGE_MONOTONIC, .values = test_stages,
	  .value_labels = test_stage_labels,
	  .doc = "enumeration in procedure order, merged forward",
	  .label = "Fase", .help = "La fase, in ordine di procedura." },
	{ .name = "approved_by", .id = 11, .type = SCHEMA_STRING,
	  .flags = SCHEMA_HUB_ONLY, .doc = "authority field, hub only",
	  .label = "Approvato da", .help = "Lo scrive solo l'hub." },
	{ .name = "link", .id = 12, .type = SCHEMA_REF, .ref = "test_item",
	  .doc = "reference to another test_item",
	  .label = "Collegamento", .help = "Un altro elemento di prova." },
	{ .name = "cap", .id = 13, .type = SCHEMA_INT,
	  .doc = "upper bound of spent (a dote's cap, in the small)",
	  .label = "Tetto", .help = "Il massimo della spesa." },
	{ .name = "spent", .id = 14, .type = SCHEMA_INT,
	  .doc = "must not exceed cap: the invariant of test_item",
	  .label = "Speso", .help = "Non supera il tetto." },
	{ .name = "marks", .id = 15, .type = SCHEMA_ENUM_SET,
	  .values = test_marks, .value_labels = test_mark_labels,
	  .doc = "set of declared values", .label = "Contrassegni",
	  .help = "Nessuno, uno o più dei contrassegni previsti." },
};

/* test_item's invariant: spent never above cap, as a dote's ledger total
 * must not pass its EUR 12,000 cap. */
static const char *test_item_invariant(const json_t *fields)
{
	const json_t *cap = json_object_get(fields, "cap");
	const json_t *spent = json_object_get(fields, "spent");

	if (json_is_integer(cap) && json_is_integer(spent) &&
	    json_integer_value(spent) > json_integer_value(cap))
		return "spent is above cap";
	return NULL;
}

static const struct schema_field test_note_fields[] = {
	{ .name = "item", .id = 1, .type = SCHEMA_REF, .ref = "test_item",
	  .flags = SCHEMA_REQUIRED, .doc = "the item this note belongs to",
	  .label = "Elemento", .help = "L'elemento a cui appartiene la nota." },
	{ .name = "text", .id = 2, .type = SCHEMA_TEXT,
	  .flags = SCHEMA_REQUIRED | SCHEMA_PERSONAL, .doc = "note text",
	  .label = "Testo della nota", .help = "Il testo della nota." },
};

/* ---- test_case: a procedure with roles ---- */

/* Procedure order, merged forward (MONOTONIC): the furthest stage wins. */
static const char *const test_case_stages[] = {
	"open", "review", "done", "cancelled", NULL
};
static const char *const test_case_stage_labels[] = {
	"Aperto", "Revisione", "Concluso", "Annullato", NULL
};

static const char *const roles_hub_pda[] = { "hub", "pda", NULL };
static const char *const roles_hub[] = { "hub", NULL };

static const struct schema_transition test_case_steps[] = {
	{ .from = NULL, .to = "open" },
	{ .from = "open", .to = "review" },
	{ .from = "review", .to = "open" },     /* sent back */
	{ .from = "review", .to = "done", .roles = roles_hub_pda },
	{ .from = "open", .to = "cancelled", .roles = roles_hub },
	{ .from = "review", .to = "cancelled", .roles = roles_hub },
};

static const struct schema_field test_case_fields[] = {
	{ .name = "title", .id = 1, .type = SCHEMA_STRING,
	  .flags = SCHEMA_REQUIRED, .doc = "short required text",
	  .label = "Titolo", .help = "Testo breve obbligatorio." },
	{ .name = "stage", .id = 2, .type = SCHEMA_ENUM,
	  .flags = SCHEMA_REQUIRED, .merge = SCHEMA_MERGE_MONOTONIC,
	  .values = test_case_stages,
	  .value_labels = test_case_stage_labels, .transitions = test_case_steps,
	  .ntransitions = sizeof(test_case_steps) / sizeof(test_case_steps[0]),
	  .doc = "a procedure: declared steps only, some by role",
	  .label = "Fase", .help = "Una procedura: solo i passaggi previsti." },
	{ .name = "note", .id = 3, .type = SCHEMA_TEXT,
	  .doc = "free text",
	  .label = "Nota", .help = "Testo libero." },
};

/* ---- test_budget, test_entry: a cap on the sum of children ---- */

static const struct schema_field test_budget_fields[] = {
	{ .name = "title", .id = 1, .type = SCHEMA_STRING,
	  .flags = SCHEMA_REQUIRED, .doc = "short required text",
	  .label = "Titolo", .help = "Testo breve obbligatorio." },
	{ .name = "cap", .id = 2, .type = SCHEMA_INT,
	  .doc = "cap of the entries' amounts (default 100)",
	  .label = "Tetto",
	  .help = "Il massimo della somma dei movimenti (100 se vuoto)." },
};

static const struct schema_aggregate test_budget_caps[] = {
	{ .child = "test_entry", .sum = "amount", .cap_field = "cap",
	  .cap = 100, .doc = "amounts of the entries within cap" },
};

static const struct schema_field test_entry_fields[] = {
	{ .name = "budget", .id = 1, .type = SCHEMA_REF, .ref = "test_budget",
	  .flags = SCHEMA_REQUIRED, .doc = "the budget it is booked on",
	  .label = "Budget", .help = "Il budget su cui è registrato." },
	{ .name = "amount", .id = 2, .type = SCHEMA_INT,
	  .flags = SCHEMA_REQUIRED, .doc = "amount (negative: a reversal)",
	  .label = "Importo", .help = "Negativo per uno storno." },
};

static const struct schema_collection test_colls[] = {
	{ .name = "test_item", .id = 1, .kind = SCHEMA_RECORDS,
	  .fields = FIELDS(test_item_fields),
	  .doc = "tests only: every type and flag",
	  .label = "Elemento di prova",
	  .help = "Solo per i test: ogni tipo e ogni attributo.",
	  .invariant = test_item_invariant },
	{ .name = "test_note", .id = 2, .kind = SCHEMA_APPEND_ONLY,
	  .parent = "item", .fields = FIELDS(test_note_fields),
	  .doc = "tests only: append-only entries under a test_item",
	  .label = "Nota di prova",
	  .help = "Solo per i test: note sotto un elemento." },
	{ .name = "test_case", .id = 3, .kind = SCHEMA_RECORDS,
	  .fields = FIELDS(test_case_fields),
	  .doc = "tests only: a procedure field with transitions",
	  .label = "Caso di prova",
	  .help = "Solo per i test: una procedura con passaggi." },
	{ .name = "test_budget", .id = 4, .kind = SCHEMA_RECORDS,
	  .fields = FIELDS(test_budget_fields),
	  .aggregates = FIELDS(test_budget_caps),
	  .doc = "tests only: a parent with a cap on its entries",
	  .label = "Budget di prova",
	  .help = "Solo per i test: un tetto sui movimenti." },
	{ .name = "test_entry", .id = 5, .kind = SCHEMA_APPEND_ONLY,
	  .parent = "budget", .fields = FIELDS(test_entry_fields),
	  .doc = "tests only: append-only entries summed under a budget",
	  .label = "Movimento di prova",
	  .help = "Solo per i test: movimenti sommati sotto un budget." },
};

const struct schema_set test_schema_set = { FIELDS(test_colls) };

/* Before main(): the tests know the product's collections and theirs, or
 * with TEST_NEXT_ENV=1 the next schema's and theirs (tests/schema/next.h),
 * one version above the product's.  A bad declaration stops the binary at
 * once, before any test runs. */
__attribute__((constructor)) static void test_schema_register(void)
{
	const char *next = getenv(TEST_NEXT_ENV);
	static struct schema_set prev[3];
	struct schema_set sets[3];
	struct err e;

	sets[0] = schema_product;
	sets[1] = test_schema_set;
	sets[2] = test_rules_set;
	memcpy(prev, sets, sizeof(prev));
	if (next && !strcmp(next, "1")) {
		sets[0].colls = test_next_collections(&sets[0].n);
		if (!sets[0].colls) {
			fprintf(stderr, "test schema: out of memory\n");
			abort();
		}
		schema_set_version(schema_version() + 1);
		/* The version below, as released: the product's and ours
		 * (the sets as they stand before the next one replaces the
		 * product's: its nodes' fingerprint). */
		schema_set_previous(prev, 3);
	}
	err_init(&e);
	if (schema_register(sets, 3, &e)) {
		fprintf(stderr, "test schema: %s\n", e.msg);
		abort();
	}
}
