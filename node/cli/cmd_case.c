/*
 * cmd_case.c - `presidio case open|show`:
 * opening a case (its Budget di Integrazione procedure may start at
 * identification) and showing it (view/view_case.h), for the operators of
 * the Poli, the Punti di Accesso, the soggetti attuatori and the Focal
 * Point BdI.  The steps are in cmd_assess.c (assess, validate, match) and
 * cmd_bdi.c (profile, plan, take-charge, close, followup).
 *
 * Each command judges the step it takes before writing it
 * (case_cmd_step(): the missing step, role or requirement, in Italian),
 * then writes the record(s) it touches in one transaction: a validation
 * that cannot move the case leaves the assessment as it was.
 */
#include "node/cli/case_cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "view/view_case.h"

enum { OPT_PERSON = CLI_OPT_LOCAL, OPT_REGION, OPT_CHANNEL, OPT_LEVEL,
       OPT_BDI, OPT_JSON };

#define UNLOCK_HELP OPS_UNLOCK_HELP

const char cli_usage_case[] =
	"uso: presidio case open --person ID --region REGIONE [--channel C]\n"
	"                        [--level medio|complesso] [--bdi]\n"
	"     presidio case show ID [--json]\n"
	"\n"
	"Aprire un caso e vederlo come serve a chi lo segue.\n"
	"\n"
	"  open    apre un caso per la persona ID (vedi `presidio person\n"
	"          find`) e stampa l'identificativo del nuovo caso.\n"
	"    --region REGIONE    Campania, Puglia, Basilicata, Calabria o\n"
	"                        Sicilia\n"
	"    --channel C         modalita' di accesso (es. spontaneous,\n"
	"                        outreach, helpdesk, social_services;\n"
	"                        `presidio schema case` le elenca tutte)\n"
	"    --level L           livello di servizio: medio o complesso\n"
	"    --bdi               avvia la procedura del Budget di\n"
	"                        Integrazione (fase \"Individuazione\")\n"
	"  show    mostra il caso: i dati, i passaggi della procedura BdI\n"
	"          gia' fatti (con data e ora), i prossimi passaggi e se\n"
	"          questo nodo puo' farli (o cosa manca), e le schede\n"
	"          collegate (valutazione, progetto, profili, servizi,\n"
	"          dote, invii, follow-up).\n"
	"    --json              lo stesso in JSON, per i programmi\n"
	"\n"
	"Esempi:\n"
	"  presidio case open --person 3f0c...e1 --region Sicilia \\\n"
	"      --channel outreach --level complesso --bdi\n"
	"  presidio case show 9a2b...77\n"
	"\n"
	"Codici di uscita: 0 fatto; 2 opzione sbagliata; 3 caso o persona\n"
	"non trovati; 6 dati non validi.\n" UNLOCK_HELP;

/* ---- case open ---- */

static int case_open(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "person", required_argument, NULL, OPT_PERSON },
		{ "region", required_argument, NULL, OPT_REGION },
		{ "channel", required_argument, NULL, OPT_CHANNEL },
		{ "level", required_argument, NULL, OPT_LEVEL },
		{ "bdi", no_argument, NULL, OPT_BDI },
		CLI_OPTIONS_UNLOCK, CLI_OPTION_HELP, CLI_OPTION_END
	};
	const char *person = NULL, *region = NULL, *channel = NULL;
	const char *level = NULL;
	char idtext[ID_TEXT_LEN + 1], today[VIEW_DATE_TEXT];
	struct store_record pr;
	struct store *s = NULL;
	json_t *f = NULL;
	struct id pid, made;
	int opt, bdi = 0, rc;
	struct err e;

	cli_opts_begin(c, "case open", cli_usage_case);
	while ((opt = cli_next_opt(c, argc, argv, "hu:", opts)) >= 0) {
		if (opt == OPT_PERSON)
			person = optarg;
		else if (opt == OPT_REGION)
			region = optarg;
		else if (opt == OPT_CHANNEL)
			channel = optarg;
		else if (opt == OPT_LEVEL)
			level = optarg;
		else if (opt == OPT_BDI)
			bdi = 1;
	}
	if (opt != CLI_NEXT_END)
		return cli_opts_exit(opt);
	if (cli_args(c, argc, 0, 0) < 0)
		return CLI_EXIT_USAGE;
	if (!person || !region)
		return cli_usage(c, "servono --person (la persona) e --region "
				 "(la regione del caso)");
	if (cli_parse_id(c, person, &pid) < 0 ||
	    ops_enum(c, "--region", "case", "region", NULL, region,
		     &region) < 0 ||
	    (channel && ops_enum(c, "--channel", "case", "access_channel",
				 NULL, channel, &channel) < 0) ||
	    (level && ops_enum(c, "--level", "case", "service_level", NULL,
			       level, &level) < 0))
		return CLI_EXIT_USAGE;
	err_init(&e);
	store_record_init(&pr);
	rc = cli_open_unlocked(c, &s, &e);
	if (rc < 0)
		goto out;
	rc = ops_load(s, person, "person", &pr, &e);
	if (rc < 0)
		goto out;
	view_date_today(today);
	f = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "person_id", person,
		      "region", region, "stage", "intake", "opened_at",
		      today, "owner_node",
		      store_node_name(s), "created_by", store_node_name(s));
	if (f && channel)
		json_object_set_new(f, "access_channel", json_string(channel));
	if (f && level)
		json_object_set_new(f, "service_level", json_string(level));
	if (f && bdi)
		json_object_set_new(f, "bdi_stage", json_string("identified"));
	rc = ops_put(s, "case", NULL, f, &made, &e);
	f = NULL;
	if (rc < 0)
		goto out;
	id_format(&made, idtext);
	printf("%s\n", idtext);
	log_info("case.open", "%s%s: operator %s", idtext, bdi ? " (bdi)" : "",
		 store_operator(s));
out:
	json_decref(f);
	store_record_release(&pr);
	store_close(s);
	return rc < 0 ? ops_fail(&e, "caso non aperto") : CLI_EXIT_OK;
}

/* ---- case show ---- */

static void print_value(const struct schema_collection *c, const char *k,
			const json_t *v)
{
	size_t i;
	json_t *x;

	if (json_is_string(v))
		fputs(ops_value_label(c->name, k, json_string_value(v)), stdout);
	else if (json_is_boolean(v))
		fputs(json_is_true(v) ? "si" : "no", stdout);
	else if (json_is_integer(v))
		printf("%lld", (long long)json_integer_value(v));
	else if (json_is_array(v))
		json_array_foreach(v, i, x) {
			printf("%s", i ? ", " : "");
			print_value(c, k, x);
		}
}

static const char *field_label(const struct schema_collection *c,
			       const char *k)
{
	const struct schema_field *f = schema_field(c, k);

	return f && f->label ? f->label : k;
}

static void print_case(const json_t *v)
{
	const struct schema_collection *c = schema_collection("case");
	const json_t *bdi = json_object_get(v, "bdi"), *x, *m;
	const char *k;
	size_t i, j;

	printf("Caso %s\n", json_string_value(json_object_get(v, "id")));
	for (i = 0; i < c->nfields; i++) {
		k = c->fields[i].name;
		x = json_object_get(json_object_get(v, "fields"), k);
		if (!x || json_is_null(x))
			continue;
		printf("  %s: ", field_label(c, k));
		print_value(c, k, x);
		putchar('\n');
	}
	printf("\nProcedura BdI: %s\n",
	       json_is_string(json_object_get(bdi, "stage_label"))
		       ? json_string_value(json_object_get(bdi, "stage_label"))
		       : "non avviata");
	if (json_array_size(json_object_get(bdi, "timeline")))
		printf("  Passaggi fatti:\n");
	json_array_foreach(json_object_get(bdi, "timeline"), i, x) {
		/* "YYYY-MM-DDTHH:MM:SSZ" read as "YYYY-MM-DD HH:MM UTC" */
		const char *at = json_string_value(json_object_get(x, "at"));

		printf("    %.10s %.5s UTC  %s\n", at ? at : "",
		       at && strlen(at) > 16 ? at + 11 : "",
		       json_string_value(json_object_get(x, "label")));
	}
	if (json_array_size(json_object_get(bdi, "next")))
		printf("  Prossimi passaggi (questo nodo e' %s):\n",
		       case_cmd_role_words(json_string_value(
			       json_object_get(v, "role"))));
	json_array_foreach(json_object_get(bdi, "next"), i, x) {
		printf("    %s: ",
		       json_string_value(json_object_get(x, "label")));
		if (json_is_true(json_object_get(x, "allowed")))
			printf("si puo' fare");
		else if (!json_is_true(json_object_get(x, "role_ok"))) {
			printf("spetta a ");
			json_array_foreach(json_object_get(x, "roles"), j, m)
				printf("%s%s", j ? ", " : "",
				       case_cmd_role_words(
					       json_string_value(m)));
		} else {
			printf("manca ");
			json_array_foreach(json_object_get(x, "missing"), j, m)
				printf("%s%s", j ? "; " : "",
				       json_string_value(m));
		}
		putchar('\n');
	}
	if (json_array_size(json_object_get(v, "children")))
		printf("\nSchede collegate:\n");
	json_array_foreach(json_object_get(v, "children"), i, x) {
		const struct schema_collection *cc = schema_collection(
			json_string_value(json_object_get(x, "collection")));

		printf("  %s  %s\n",
		       json_string_value(json_object_get(x, "label")),
		       json_string_value(json_object_get(x, "id")));
		/* In declaration order, one field a line. */
		for (j = 0; cc && j < cc->nfields; j++) {
			k = cc->fields[j].name;
			m = json_object_get(json_object_get(x, "summary"), k);
			if (!m)
				continue;
			printf("      %s: ", field_label(cc, k));
			print_value(cc, k, m);
			putchar('\n');
		}
	}
}

static int case_show(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		CLI_OPTIONS_UNLOCK, CLI_OPTION_HELP, CLI_OPTION_END
	};
	struct store *s = NULL;
	json_t *v = NULL;
	int opt, json = 0, rc;
	struct id id;
	struct err e;

	cli_opts_begin(c, "case show", cli_usage_case);
	while ((opt = cli_next_opt(c, argc, argv, "hu:", opts)) >= 0)
		if (opt == OPT_JSON)
			json = 1;
	rc = case_cmd_args(c, argc, argv, opt, &id);
	if (rc >= 0)
		return rc;
	err_init(&e);
	rc = cli_open_unlocked(c, &s, &e);
	if (!rc)
		rc = view_case_json(s, &id, &v, &e);
	if (rc == ERR_NOTFOUND)
		rc = err_set(&e, ERR_NOTFOUND, "caso non trovato su questo "
			     "nodo");
	if (rc < 0)
		goto out;
	if (json)
		rc = cli_print_json(v, JSON_INDENT(2) | JSON_SORT_KEYS, &e);
	else
		print_case(v);
out:
	json_decref(v);
	store_close(s);
	return rc < 0 ? ops_fail(&e, "caso non mostrato") : CLI_EXIT_OK;
}

int cmd_case(struct cli *c, int argc, char **argv)
{
	c->cmd_name = "case";
	c->cmd_usage = cli_usage_case;
	if (argc < 2)
		return cli_usage(c, "manca il sottocomando (open, show)");
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		fputs(cli_usage_case, stdout);
		return CLI_EXIT_OK;
	}
	if (strcmp(argv[1], "open") == 0)
		return case_open(c, argc - 1, argv + 1);
	if (strcmp(argv[1], "show") == 0)
		return case_show(c, argc - 1, argv + 1);
	return cli_usage(c, "sottocomando sconosciuto '%.40s'", argv[1]);
}
