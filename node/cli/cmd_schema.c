/*
 * cmd_schema.c - `presidio schema`: the collections this program stores,
 * and for one of them its fields, values and procedure steps, in Italian
 * for the people who fill the forms (labels and help), or as JSON
 * (view/view_schema.h) for tools.  Reads the declarations only: needs no
 * node directory and no passphrase.
 */
#include "node/cli/cli.h"

#include <stdio.h>

#include "schema/rule.h"
#include "view/view_schema.h"

enum { OPT_JSON = CLI_OPT_LOCAL };

const char cli_usage_schema[] =
	"usage: presidio schema [--json] [COLLECTION]\n"
	"\n"
	"Describe the data this program stores, in Italian: the collections\n"
	"with their labels; with COLLECTION, its fields (type, whether\n"
	"required, personal or written by the hub only, help text), the\n"
	"values of each choice and the steps of each procedure with the\n"
	"roles that may take them.  Needs no node and no passphrase.\n"
	"\n"
	"  --json   the same as one JSON object\n";

/* What the flags of f mean, after its type: "; obbligatorio" ... */
static void flags_text(const struct schema_field *f)
{
	const struct schema_collection *to =
		f->type == SCHEMA_REF ? schema_collection(f->ref) : NULL;

	if (to)
		printf(" a: %s (%s)", to->label ? to->label : to->name,
		       to->name);
	if (f->merge == SCHEMA_MERGE_MONOTONIC)
		printf(", in ordine di procedura");
	if (f->flags & SCHEMA_REQUIRED)
		printf("; obbligatorio");
	if (f->flags & SCHEMA_PERSONAL)
		printf("; dato personale");
	if (f->flags & SCHEMA_HUB_ONLY)
		printf("; lo scrive solo l'hub");
	printf("\n");
}

static void steps_text(const struct schema_field *f)
{
	printf("      Passaggi:\n");
	for (size_t i = 0; i < f->ntransitions; i++) {
		const struct schema_transition *t = &f->transitions[i];

		printf("        %-12s -> %-12s ", t->from ? t->from : "(nessuno)",
		       t->to);
		if (!t->roles)
			printf("chiunque");
		for (size_t r = 0; t->roles && t->roles[r]; r++)
			printf("%s%s", r ? ", " : "", t->roles[r]);
		printf("\n");
	}
}

static void field_text(const struct schema_field *f)
{
	printf("  %s (%u)  %s\n      %s", f->name, (unsigned)f->id,
	       f->label ? f->label : "", view_schema_type_label(f->type));
	flags_text(f);
	if (f->help)
		printf("      %s\n", f->help);
	if (f->values) {
		printf("      Valori:\n");
		for (size_t i = 0; f->values[i]; i++)
			printf("        %-24s %s\n", f->values[i],
			       f->value_labels ? f->value_labels[i] : "");
	}
	if (rule_is_procedure(f))
		steps_text(f);
}

static void collection_text(const struct schema_collection *c)
{
	const struct schema_field *pf = schema_field(c, c->parent);
	const struct schema_collection *up =
		pf ? schema_collection(pf->ref) : NULL;

	printf("%s - %s\n", c->name, c->label ? c->label : "");
	if (c->help)
		printf("%s\n", c->help);
	printf("\n%s", c->kind == SCHEMA_APPEND_ONLY
			      ? "Voci scritte una volta, mai modificate"
			      : "Schede modificabili");
	if (up)
		printf("; appartiene a: %s (%s, campo %s)",
		       up->label ? up->label : up->name, up->name, c->parent);
	if (schema_scope_of(c) == SCHEMA_SCOPE_ROOT)
		printf("; decide chi vede i dati (regione, nodi)");
	else if (schema_scope_of(c) == SCHEMA_SCOPE_SUBJECT)
		printf("; la vedono i nodi che seguono un caso che la nomina");
	else if (schema_scope_of(c) == SCHEMA_SCOPE_SHARED)
		printf("; condivisa da tutti i nodi");
	printf(".\n\nCampi:\n");
	for (size_t i = 0; i < c->nfields; i++)
		field_text(&c->fields[i]);
	for (size_t i = 0; i < c->naggregates; i++) {
		const struct schema_aggregate *a = &c->aggregates[i];

		printf("\nTetto: la somma di %s delle voci di %s non supera ",
		       a->sum, a->child);
		if (a->cap_field)
			printf("%s (se vuoto, %lld).\n", a->cap_field, a->cap);
		else
			printf("%lld.\n", a->cap);
	}
	if (c->invariant)
		printf("\nI valori di una scheda seguono una regola, controllata "
		       "a ogni modifica.\n");
}

static void list_text(void)
{
	const struct schema_collection *c;

	printf("Schema dei dati, versione %d (%zu raccolte)\n\n",
	       schema_version(), schema_count());
	for (size_t i = 0; (c = schema_at(i)) != NULL; i++)
		printf("  %-18s %s\n", c->name, c->label ? c->label : "");
	printf("\nI campi di una raccolta: presidio schema RACCOLTA\n");
}

static int schema_out(const char *name, int json)
{
	const struct schema_collection *c = NULL;
	json_t *o = NULL;
	struct err e;
	int rc = 0;

	err_init(&e);
	if (name) {
		c = schema_collection(name);
		if (!c) {
			cli_error("unknown collection '%s'",
				  schema_name_ok(name) ? name
						       : "(malformed, not shown)");
			return CLI_EXIT_INVALID;
		}
	}
	if (!json) {
		if (c)
			collection_text(c);
		else
			list_text();
		rc = fflush(stdout) || ferror(stdout)
			     ? err_set(&e, ERR_IO, "cannot write the output")
			     : 0;
		goto out;
	}
	o = c ? view_schema_collection_json(c) : view_schema_json();
	rc = o ? cli_print_json(o, JSON_INDENT(2), &e)
	       : err_set(&e, ERR_NOMEM, "out of memory");
out:
	json_decref(o);
	return rc < 0 ? cli_fail(&e) : CLI_EXIT_OK;
}

int cmd_schema(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		CLI_OPTION_HELP, CLI_OPTION_END
	};
	int opt, json = 0;

	cli_opts_begin(c, "schema", cli_usage_schema);
	for (;;) {
		opt = cli_next_opt(c, argc, argv, "h", opts);
		if (opt < 0)
			break;
		if (opt == OPT_JSON)
			json = 1;
	}
	if (opt != CLI_NEXT_END)
		return cli_opts_exit(opt);
	if (cli_args(c, argc, 0, 1) < 0)
		return CLI_EXIT_USAGE;
	return schema_out(optind < argc ? argv[optind] : NULL, json);
}
