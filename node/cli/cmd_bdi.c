/*
 * cmd_bdi.c - `presidio profile add`, `plan add|goal`, `take-charge`,
 * `close`, `followup`: the Budget di Integrazione procedure after the
 * matching, for the soggetto attuatore, the Punto di Accesso and the
 * Focal Point BdI.  Each step is judged before it is written
 * (case_cmd_step(): in Italian, the step, role or record missing).
 */
#include "node/cli/case_cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "node/store_step.h"

enum { OPT_KIND = CLI_OPT_LOCAL, OPT_HOUSING, OPT_HEALTH, OPT_INTEG,
       OPT_LABOUR, OPT_DATE, OPT_AGREED, OPT_REVIEW, OPT_AREA, OPT_GOAL,
       OPT_DEADLINE, OPT_RESP, OPT_OUTCOME, OPT_NOTE };

#define COMMON_OPTIONS CLI_OPTIONS_UNLOCK, CLI_OPTION_HELP, CLI_OPTION_END
#define EXITS CASE_CMD_EXITS
#define UNLOCK_HELP OPS_UNLOCK_HELP
#define DATE_HELP "Le date si scrivono gg/mm/aaaa o aaaa-mm-gg.\n"

const char cli_usage_profile[] =
	"uso: presidio profile add CASO --kind entry|exit [--date DATA]\n"
	"            [--housing L] [--health-social L] [--integration L]\n"
	"            [--labour L]\n"
	"\n"
	"Registrare la scheda profilo di entrata (entry: serve per la presa\n"
	"in carico) o di uscita (exit: serve per la chiusura).  Per ogni area\n"
	"il livello L: critical (critico), fragile, adequate (adeguato),\n"
	"autonomous (autonomo).  Stampa l'identificativo della scheda.\n"
	DATE_HELP
	"\n"
	"Esempio:\n"
	"  presidio profile add 9a2b...77 --kind entry --housing critical \\\n"
	"      --labour fragile --date 01/03/2026\n"
	"\n" EXITS UNLOCK_HELP;

const char cli_usage_plan[] =
	"uso: presidio plan add CASO [--agreed-on DATA] [--review-due DATA]\n"
	"     presidio plan goal PROGETTO --area A --goal TESTO|-|@FILE\n"
	"            [--deadline DATA] [--responsible CHI]\n"
	"\n"
	"Il progetto di accompagnamento (PAI) del caso: serve per la presa\n"
	"in carico.\n"
	"\n"
	"  add     crea il progetto (sottoscritto se c'e' --agreed-on) e ne\n"
	"          stampa l'identificativo.\n"
	"  goal    aggiunge un obiettivo al progetto PROGETTO.\n"
	"    --area A          housing (abitativa), health_social\n"
	"                      (sociosanitaria), integration (integrazione e\n"
	"                      orientamento), labour (lavoro)\n"
	"    --goal TESTO      l'obiettivo (testo personale, vedi sotto)\n"
	"\n"
	DATE_HELP OPS_TEXT_HELP
	"\n"
	"Esempi:\n"
	"  presidio plan add 9a2b...77 --agreed-on 05/03/2026\n"
	"  presidio plan goal 5c1d...09 --area housing --goal @obiettivo.txt \\\n"
	"      --deadline 30/06/2026\n"
	"\n" EXITS UNLOCK_HELP;

const char cli_usage_take_charge[] =
	"uso: presidio take-charge CASO\n"
	"\n"
	"La presa in carico BdI (fase \"Presa in carico\"), dopo il matching:\n"
	"la fa il soggetto attuatore, il Punto di Accesso o l'hub.  Servono\n"
	"la scheda profilo di entrata (`presidio profile add --kind entry`)\n"
	"e il progetto (`presidio plan add`).\n"
	"\n" EXITS UNLOCK_HELP;

const char cli_usage_close[] =
	"uso: presidio close CASO\n"
	"\n"
	"Chiudere il percorso BdI.  Su un Polo, un Punto di Accesso o un\n"
	"soggetto attuatore propone la chiusura (fase \"Chiusura proposta\");\n"
	"sull'hub la formalizza (fase \"Chiuso\").  Serve la scheda profilo\n"
	"di uscita (`presidio profile add --kind exit`).\n"
	"\n" EXITS UNLOCK_HELP;

const char cli_usage_followup[] =
	"uso: presidio followup CASO --area A --date DATA --outcome O\n"
	"            [--note TESTO|-|@FILE]\n"
	"\n"
	"Registrare un follow-up dopo la chiusura: per un'area (abitativa,\n"
	"sociosanitaria, integrazione, lavoro; o housing, health_social,\n"
	"integration, labour) l'esito O: improved\n"
	"(migliorata), stable (stabile), worsened (peggiorata), not_reached\n"
	"(persona non raggiunta).  Il primo porta il caso alla fase\n"
	"\"Follow-up\".\n"
	"\n"
	DATE_HELP OPS_TEXT_HELP
	"\n"
	"Esempio:\n"
	"  presidio followup 9a2b...77 --area labour --date 01/12/2026 \\\n"
	"      --outcome improved --note @nota.txt\n"
	"\n" EXITS UNLOCK_HELP;

static int print_made(struct store *s, const char *what, const struct id *id)
{
	char idtext[ID_TEXT_LEN + 1];

	id_format(id, idtext);
	printf("%s\n", idtext);
	log_info("case.bdi", "%s %s: operator %s", what, idtext, store_operator(s));
	return 0;
}

/* ---- profile add ---- */

static int profile_add(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kind", required_argument, NULL, OPT_KIND },
		{ "housing", required_argument, NULL, OPT_HOUSING },
		{ "health-social", required_argument, NULL, OPT_HEALTH },
		{ "integration", required_argument, NULL, OPT_INTEG },
		{ "labour", required_argument, NULL, OPT_LABOUR },
		{ "date", required_argument, NULL, OPT_DATE },
		COMMON_OPTIONS
	};
	static const char *const fields[] = { "housing_level",
		"health_social_level", "integration_level", "labour_level" };
	static const char *const names[] = { "--housing", "--health-social",
		"--integration", "--labour" };
	const char *kind = NULL, *date = NULL, *level[4] = { 0 };
	char idtext[ID_TEXT_LEN + 1], day[VIEW_DATE_TEXT];
	struct store_record r;
	struct store *s = NULL;
	json_t *f = NULL;
	struct id id, made;
	int opt, rc;
	struct err e;

	cli_opts_begin(c, "profile add", cli_usage_profile);
	while ((opt = cli_next_opt(c, argc, argv, "hu:", opts)) >= 0) {
		if (opt == OPT_KIND)
			kind = optarg;
		else if (opt == OPT_DATE)
			date = optarg;
		else if (opt >= OPT_HOUSING && opt <= OPT_LABOUR)
			level[opt - OPT_HOUSING] = optarg;
	}
	rc = case_cmd_args(c, argc, argv, opt, &id);
	if (rc >= 0)
		return rc;
	if (!kind)
		return cli_usage(c, "manca --kind: entry (entrata) o exit "
				 "(uscita)");
	if (ops_enum(c, "--kind", "profile", "kind", NULL, kind, &kind) < 0 ||
	    (date && ops_date(c, "--date", date, day) < 0))
		return CLI_EXIT_USAGE;
	for (size_t i = 0; i < 4; i++)
		if (level[i] && ops_enum(c, names[i], "profile", fields[i],
					 NULL, level[i], &level[i]) < 0)
			return CLI_EXIT_USAGE;
	err_init(&e);
	store_record_init(&r);
	rc = cli_open_unlocked(c, &s, &e);
	if (!rc)
		rc = ops_load(s, argv[optind], "case", &r, &e);
	if (rc < 0)
		goto out;
	id_format(&id, idtext);
	f = json_pack("{s:s,s:s}", "case_id", idtext, "kind", kind);
	ops_set_text(f, "date", date ? day : NULL);
	for (size_t i = 0; i < 4; i++)
		ops_set_text(f, fields[i], level[i]);
	rc = ops_put(s, "profile", NULL, f, &made, &e);
	if (!rc)
		rc = print_made(s, "profile add", &made);
out:
	store_record_release(&r);
	store_close(s);
	return rc < 0 ? ops_fail(&e, "scheda profilo non registrata")
		      : CLI_EXIT_OK;
}

int cmd_profile(struct cli *c, int argc, char **argv)
{
	c->cmd_name = "profile";
	c->cmd_usage = cli_usage_profile;
	if (argc >= 2 && (!strcmp(argv[1], "-h") ||
			  !strcmp(argv[1], "--help"))) {
		fputs(cli_usage_profile, stdout);
		return CLI_EXIT_OK;
	}
	if (argc < 2 || strcmp(argv[1], "add") != 0)
		return cli_usage(c, "sottocomando: add");
	return profile_add(c, argc - 1, argv + 1);
}

/* ---- plan add, plan goal ---- */

static int plan_add(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "agreed-on", required_argument, NULL, OPT_AGREED },
		{ "review-due", required_argument, NULL, OPT_REVIEW },
		COMMON_OPTIONS
	};
	const char *agreed = NULL, *review = NULL;
	char idtext[ID_TEXT_LEN + 1], agreed_on[VIEW_DATE_TEXT];
	char review_due[VIEW_DATE_TEXT];
	struct store_record r;
	struct store *s = NULL;
	struct id id, made;
	json_t *f;
	int opt, rc;
	struct err e;

	cli_opts_begin(c, "plan add", cli_usage_plan);
	while ((opt = cli_next_opt(c, argc, argv, "hu:", opts)) >= 0) {
		if (opt == OPT_AGREED)
			agreed = optarg;
		else if (opt == OPT_REVIEW)
			review = optarg;
	}
	rc = case_cmd_args(c, argc, argv, opt, &id);
	if (rc >= 0)
		return rc;
	if ((agreed && ops_date(c, "--agreed-on", agreed, agreed_on) < 0) ||
	    (review && ops_date(c, "--review-due", review, review_due) < 0))
		return CLI_EXIT_USAGE;
	err_init(&e);
	store_record_init(&r);
	rc = cli_open_unlocked(c, &s, &e);
	if (!rc)
		rc = ops_load(s, argv[optind], "case", &r, &e);
	if (rc < 0)
		goto out;
	id_format(&id, idtext);
	f = json_pack("{s:s,s:s}", "case_id", idtext, "status",
		      agreed ? "agreed" : "draft");
	ops_set_text(f, "agreed_on", agreed ? agreed_on : NULL);
	ops_set_text(f, "review_due", review ? review_due : NULL);
	rc = ops_put(s, "plan", NULL, f, &made, &e);
	if (!rc)
		rc = print_made(s, "plan add", &made);
out:
	store_record_release(&r);
	store_close(s);
	return rc < 0 ? ops_fail(&e, "progetto non creato") : CLI_EXIT_OK;
}

static int plan_goal(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "area", required_argument, NULL, OPT_AREA },
		{ "goal", required_argument, NULL, OPT_GOAL },
		{ "deadline", required_argument, NULL, OPT_DEADLINE },
		{ "responsible", required_argument, NULL, OPT_RESP },
		COMMON_OPTIONS
	};
	const char *area = NULL, *goal = NULL, *deadline = NULL;
	const char *resp = NULL;
	char idtext[ID_TEXT_LEN + 1], due[VIEW_DATE_TEXT], *text = NULL;
	struct store_record r;
	struct store *s = NULL;
	struct id id, made;
	json_t *f;
	int opt, rc;
	struct err e;

	cli_opts_begin(c, "plan goal", cli_usage_plan);
	while ((opt = cli_next_opt(c, argc, argv, "hu:", opts)) >= 0) {
		if (opt == OPT_AREA)
			area = optarg;
		else if (opt == OPT_GOAL)
			goal = optarg;
		else if (opt == OPT_DEADLINE)
			deadline = optarg;
		else if (opt == OPT_RESP)
			resp = optarg;
	}
	rc = case_cmd_args(c, argc, argv, opt, &id);
	if (rc >= 0)
		return rc;
	if (!area || !goal)
		return cli_usage(c, "servono --area e --goal");
	if (ops_enum(c, "--area", "plan_goal", "area", ops_area_aliases,
		     area, &area) < 0 ||
	    (deadline && ops_date(c, "--deadline", deadline, due) < 0))
		return CLI_EXIT_USAGE;
	err_init(&e);
	store_record_init(&r);
	rc = cli_open_unlocked(c, &s, &e);
	if (!rc)
		rc = ops_load(s, argv[optind], "plan", &r, &e);
	if (!rc)
		rc = ops_text_read(goal, &text, &e);
	if (rc < 0)
		goto out;
	id_format(&id, idtext);
	f = json_pack("{s:s,s:s,s:s,s:s}", "plan_id", idtext, "area", area,
		      "goal", text, "status", "open");
	ops_set_text(f, "deadline", deadline ? due : NULL);
	ops_set_text(f, "responsible", resp);
	rc = ops_put(s, "plan_goal", NULL, f, &made, &e);
	if (!rc)
		rc = print_made(s, "plan goal", &made);
out:
	ops_text_free(text);
	store_record_release(&r);
	store_close(s);
	return rc < 0 ? ops_fail(&e, "obiettivo non aggiunto") : CLI_EXIT_OK;
}

int cmd_plan(struct cli *c, int argc, char **argv)
{
	c->cmd_name = "plan";
	c->cmd_usage = cli_usage_plan;
	if (argc >= 2 && (!strcmp(argv[1], "-h") ||
			  !strcmp(argv[1], "--help"))) {
		fputs(cli_usage_plan, stdout);
		return CLI_EXIT_OK;
	}
	if (argc >= 2 && strcmp(argv[1], "add") == 0)
		return plan_add(c, argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "goal") == 0)
		return plan_goal(c, argc - 1, argv + 1);
	return cli_usage(c, "sottocomando: add o goal");
}

/* ---- take-charge, close ---- */

/* Move case id to `to` (NULL: close, by this node's role). */
static int step_cmd(struct cli *c, int argc, char **argv, const char *name,
		    const char *usage, const char *to)
{
	static const struct option opts[] = { COMMON_OPTIONS };
	char rolebuf[STORE_STEP_ROLE_MAX];
	const char *role = NULL;
	struct store_record r;
	struct store *s = NULL;
	struct id id;
	int opt, rc;
	struct err e;

	cli_opts_begin(c, name, usage);
	opt = cli_next_opt(c, argc, argv, "hu:", opts);
	rc = case_cmd_args(c, argc, argv, opt, &id);
	if (rc >= 0)
		return rc;
	err_init(&e);
	store_record_init(&r);
	rc = cli_open_unlocked(c, &s, &e);
	if (!rc)
		rc = ops_load(s, argv[optind], "case", &r, &e);
	if (!rc && !to) {
		rc = store_step_role(s, rolebuf, &role, &e);
		to = role && !strcmp(role, "hub") ? "closed" : "closing";
	}
	if (!rc)
		rc = case_cmd_step(s, &r, NULL, to, 0, &e);
	if (!rc)
		rc = ops_put(s, "case", &id,
			     json_pack("{s:s}", "bdi_stage", to), NULL, &e);
	if (rc < 0)
		goto out;
	printf("fatto: il caso e' ora nella fase \"%s\"\n",
	       ops_value_label("case", "bdi_stage", to));
	log_info("case.bdi_step", "%s: %s, operator %s", name, to, store_operator(s));
out:
	store_record_release(&r);
	store_close(s);
	return rc < 0 ? ops_fail(&e, "passaggio non fatto") : CLI_EXIT_OK;
}

int cmd_take_charge(struct cli *c, int argc, char **argv)
{
	return step_cmd(c, argc, argv, "take-charge", cli_usage_take_charge,
			"in_charge");
}

int cmd_close(struct cli *c, int argc, char **argv)
{
	return step_cmd(c, argc, argv, "close", cli_usage_close, NULL);
}

/* ---- followup ---- */

int cmd_followup(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "area", required_argument, NULL, OPT_AREA },
		{ "date", required_argument, NULL, OPT_DATE },
		{ "outcome", required_argument, NULL, OPT_OUTCOME },
		{ "note", required_argument, NULL, OPT_NOTE },
		COMMON_OPTIONS
	};
	const char *area = NULL, *date = NULL, *outcome = NULL;
	const char *note = NULL, *stage;
	char idtext[ID_TEXT_LEN + 1], day[VIEW_DATE_TEXT], *text = NULL;
	int opt, rc, group = 0;
	struct store_record r;
	struct store *s = NULL;
	struct id id, made;
	json_t *f = NULL;
	struct err e;

	cli_opts_begin(c, "followup", cli_usage_followup);
	while ((opt = cli_next_opt(c, argc, argv, "hu:", opts)) >= 0) {
		if (opt == OPT_AREA)
			area = optarg;
		else if (opt == OPT_DATE)
			date = optarg;
		else if (opt == OPT_OUTCOME)
			outcome = optarg;
		else if (opt == OPT_NOTE)
			note = optarg;
	}
	rc = case_cmd_args(c, argc, argv, opt, &id);
	if (rc >= 0)
		return rc;
	if (!area || !date || !outcome)
		return cli_usage(c, "servono --area, --date e --outcome");
	if (ops_enum(c, "--area", "followup", "area", ops_area_aliases,
		     area, &area) < 0 ||
	    ops_date(c, "--date", date, day) < 0 ||
	    ops_enum(c, "--outcome", "followup", "outcome", NULL, outcome,
		     &outcome) < 0)
		return CLI_EXIT_USAGE;
	err_init(&e);
	store_record_init(&r);
	rc = cli_open_unlocked(c, &s, &e);
	if (!rc)
		rc = ops_load(s, argv[optind], "case", &r, &e);
	stage = rc ? NULL : json_string_value(json_object_get(r.fields,
							      "bdi_stage"));
	if (!rc && (!stage || (strcmp(stage, "closed") &&
			       strcmp(stage, "follow_up"))))
		rc = err_set(&e, ERR_CONFLICT, "il follow-up viene dopo la "
			     "chiusura formalizzata dall'hub: il caso e' "
			     "nella fase \"%s\" (campo bdi_stage)",
			     stage ? ops_value_label("case", "bdi_stage", stage)
				   : "nessuna");
	if (!rc && note)
		rc = ops_text_read(note, &text, &e);
	if (rc < 0)
		goto out;
	id_format(&id, idtext);
	f = json_pack("{s:s,s:s,s:s,s:s}", "case_id", idtext, "area", area,
		      "date", day, "outcome", outcome);
	ops_set_text(f, "note", text);
	rc = store_begin(s, &e);
	group = !rc;
	if (!rc) {
		rc = ops_put(s, "followup", NULL, f, &made, &e);
		f = NULL;
	}
	if (!rc && strcmp(stage, "closed") == 0)
		rc = ops_put(s, "case", &id, json_pack("{s:s}", "bdi_stage",
						       "follow_up"), NULL, &e);
	if (!rc)
		rc = store_commit(s, &e);
	group = 0;
	if (!rc)
		rc = print_made(s, "followup", &made);
out:
	if (group)
		store_rollback(s);
	json_decref(f);
	ops_text_free(text);
	store_record_release(&r);
	store_close(s);
	return rc < 0 ? ops_fail(&e, "follow-up non registrato") : CLI_EXIT_OK;
}
