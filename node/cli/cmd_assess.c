/*
 * cmd_assess.c - `presidio assess`, `validate`, `match`: the
 * pre-assessment of a case, the Focal Point's validation and the
 * matching with a soggetto attuatore (by the hub, or by the Punto di
 * Accesso the hub hands it to).  See cmd_case.c for how the procedure's
 * commands judge a step before writing it.
 */
#include "node/cli/case_cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "node/store_step.h"

enum { OPT_C1 = CLI_OPT_LOCAL, OPT_IND, OPT_C2, OPT_TYPE, OPT_PROPOSER,
       OPT_SUBMIT, OPT_SITUATION, OPT_ELIGIBLE, OPT_NOT_ELIGIBLE,
       OPT_REASON, OPT_ORIENTATION, OPT_ATTUATORE, OPT_TO_PDA };

#define UNLOCK_HELP OPS_UNLOCK_HELP

const char cli_usage_assess[] =
	"uso: presidio assess CASO [--criterion1 si|no] [--indicators A,B]\n"
	"                      [--criterion2 si|no] [--type 1-5]\n"
	"                      [--proposer ENTE] [--situation TESTO|-|@FILE]\n"
	"                      [--submit]\n"
	"\n"
	"Compilare la scheda di valutazione preliminare (pre-assessment) del\n"
	"caso: la crea la prima volta, poi la aggiorna.  Con --submit la\n"
	"invia al Focal Point BdI per la validazione (fase \"Pre-assessment\n"
	"inviato\").\n"
	"\n"
	"  --criterion1 si|no    criterio 1: vittima di sfruttamento\n"
	"                        lavorativo (art. 603-bis c.p.)\n"
	"  --indicators A,B      indici osservati, separati da virgole:\n"
	"                        wages (retribuzione), hours (orari, riposi,\n"
	"                        ferie), safety (sicurezza e igiene),\n"
	"                        degrading (condizioni degradanti)\n"
	"  --criterion2 si|no    criterio 2: non accede al Programma unico\n"
	"  --type N              tipologia della Tabella 1, da 1 a 5\n"
	"  --proposer ENTE       l'ente proponente\n"
	"  --situation TESTO     descrizione della situazione (testo\n"
	"                        personale, vedi sotto)\n"
	"  --submit              invia la scheda (fase \"Pre-assessment\n"
	"                        inviato\")\n"
	"\n" OPS_TEXT_HELP
	"\n"
	"Esempio:\n"
	"  presidio assess 9a2b...77 --criterion1 si --indicators wages,hours \\\n"
	"      --criterion2 si --type 4 --proposer \"Polo Foggia\" --submit \\\n"
	"      --situation @situazione.txt\n"
	"\n" CASE_CMD_EXITS UNLOCK_HELP;

const char cli_usage_validate[] =
	"uso: presidio validate CASO --eligible|--not-eligible\n"
	"                        [--reason TESTO|-|@FILE]\n"
	"                        [--orientation SERVIZIO]\n"
	"\n"
	"Solo l'hub (Focal Point BdI): l'esito della validazione della scheda\n"
	"di valutazione preliminare.  --eligible porta il caso a \"Validato\";\n"
	"--not-eligible a \"Non eleggibile\" e richiede la motivazione, che\n"
	"torna al Polo o Punto di Accesso che ha inviato la scheda insieme\n"
	"all'orientamento.\n"
	"\n"
	"  --reason TESTO        la motivazione (testo personale, vedi sotto)\n"
	"  --orientation S       a quale servizio o Polo orientare la persona\n"
	"\n" OPS_TEXT_HELP
	"\n"
	"Esempi:\n"
	"  presidio validate 9a2b...77 --eligible\n"
	"  presidio validate 9a2b...77 --not-eligible --reason @motivo.txt \\\n"
	"      --orientation \"Polo di Foggia\"\n"
	"\n" CASE_CMD_EXITS UNLOCK_HELP;

const char cli_usage_match[] =
	"uso: presidio match CASO --attuatore NODO\n"
	"     presidio match CASO --to-pda\n"
	"\n"
	"Il matching del Budget di Integrazione.\n"
	"\n"
	"  --attuatore NODO   l'hub, o il Punto di Accesso a cui l'hub ha\n"
	"                     affidato il matching, sceglie il soggetto\n"
	"                     attuatore (il nome del suo nodo presso l'hub):\n"
	"                     il caso passa a \"Matching fatto\" e, alla\n"
	"                     prossima sincronizzazione, arriva al soggetto\n"
	"                     attuatore.\n"
	"  --to-pda           solo l'hub: affida il matching al Punto di\n"
	"                     Accesso della regione (Basilicata, Calabria,\n"
	"                     Sicilia).\n"
	"\n"
	"Esempi:\n"
	"  presidio match 9a2b...77 --to-pda\n"
	"  presidio match 9a2b...77 --attuatore coop-palermo\n"
	"\n" CASE_CMD_EXITS UNLOCK_HELP;

/* The options every command of this file takes besides its own. */
#define COMMON_OPTIONS CLI_OPTIONS_UNLOCK, CLI_OPTION_HELP, CLI_OPTION_END

/* "a,b" into an array of declared indicators, or a usage error (NULL). */
static json_t *indicators(const struct cli *c, const char *arg)
{
	json_t *a = json_array();
	char item[64];
	const char *p = arg, *end, *v;
	size_t n;

	while (a && *p) {
		end = strchr(p, ',');
		n = end ? (size_t)(end - p) : strlen(p);
		if (n == 0 || n >= sizeof(item)) {
			cli_usage(c, "--indicators: valori separati da "
				  "virgole, senza spazi");
			json_decref(a);
			return NULL;
		}
		memcpy(item, p, n);
		item[n] = '\0';
		if (ops_enum(c, "--indicators", "assessment", "indicators",
			     NULL, item, &v) < 0) {
			json_decref(a);
			return NULL;
		}
		json_array_append_new(a, json_string(v));
		p = end ? end + 1 : p + n;
	}
	return a;
}

/* ---- assess ---- */

int cmd_assess(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "criterion1", required_argument, NULL, OPT_C1 },
		{ "indicators", required_argument, NULL, OPT_IND },
		{ "criterion2", required_argument, NULL, OPT_C2 },
		{ "type", required_argument, NULL, OPT_TYPE },
		{ "proposer", required_argument, NULL, OPT_PROPOSER },
		{ "situation", required_argument, NULL, OPT_SITUATION },
		{ "submit", no_argument, NULL, OPT_SUBMIT },
		COMMON_OPTIONS
	};
	const char *type = NULL, *proposer = NULL, *sit = NULL;
	char idtext[ID_TEXT_LEN + 1], today[VIEW_DATE_TEXT], *text = NULL;
	int opt, c1 = -1, c2 = -1, submit = 0, found = 0, rc, group = 0;
	json_t *ind = NULL, *f = NULL;
	struct store_record r;
	struct store *s = NULL;
	struct id id, aid;
	struct err e;

	cli_opts_begin(c, "assess", cli_usage_assess);
	while ((opt = cli_next_opt(c, argc, argv, "hu:", opts)) >= 0) {
		if ((opt == OPT_C1 &&
		     case_cmd_yesno(c, "--criterion1", optarg, &c1) < 0) ||
		    (opt == OPT_C2 &&
		     case_cmd_yesno(c, "--criterion2", optarg, &c2) < 0) ||
		    (opt == OPT_TYPE &&
		     ops_enum(c, "--type", "assessment", "case_type", NULL,
			      optarg, &type) < 0)) {
			json_decref(ind);
			return CLI_EXIT_USAGE;
		}
		if (opt == OPT_IND) {
			json_decref(ind);
			ind = indicators(c, optarg);
			if (!ind)
				return CLI_EXIT_USAGE;
		} else if (opt == OPT_PROPOSER)
			proposer = optarg;
		else if (opt == OPT_SITUATION)
			sit = optarg;
		else if (opt == OPT_SUBMIT)
			submit = 1;
	}
	rc = case_cmd_args(c, argc, argv, opt, &id);
	if (rc >= 0) {
		json_decref(ind);
		return rc;
	}
	err_init(&e);
	store_record_init(&r);
	rc = cli_open_unlocked(c, &s, &e);
	if (!rc)
		rc = ops_load(s, argv[optind], "case", &r, &e);
	if (!rc && submit)
		rc = case_cmd_step(s, &r, NULL, "submitted", 0, &e);
	if (!rc && sit)
		rc = ops_text_read(sit, &text, &e);
	if (!rc)
		rc = case_cmd_child(s, "assessment", &id, &aid, &found, &e);
	if (rc < 0)
		goto out;
	id_format(&id, idtext);
	f = found ? json_object() : json_pack("{s:s}", "case_id", idtext);
	if (f && c1 >= 0)
		json_object_set_new(f, "criterion1", json_boolean(c1));
	if (f && c2 >= 0)
		json_object_set_new(f, "criterion2", json_boolean(c2));
	if (f && ind)
		json_object_set(f, "indicators", ind);
	ops_set_text(f, "case_type", type);
	ops_set_text(f, "proposer", proposer);
	ops_set_text(f, "situation", text);
	if (submit) {
		view_date_today(today);
		ops_set_text(f, "submitted_on", today);
	}
	rc = store_begin(s, &e);
	group = !rc;
	if (!rc) {
		rc = ops_put(s, "assessment", found ? &aid : NULL, f, &aid,
			     &e);
		f = NULL;
	}
	if (!rc && submit)
		rc = ops_put(s, "case", &id,
			     json_pack("{s:s}", "bdi_stage", "submitted"),
			     NULL, &e);
	if (!rc)
		rc = store_commit(s, &e);
	group = 0;
	if (rc < 0)
		goto out;
	id_format(&aid, idtext);
	printf("%s\n", idtext);
	if (submit)
		fprintf(stderr, "presidio: scheda inviata al Focal Point BdI "
			"(fase \"Pre-assessment inviato\"): arrivera' "
			"all'hub con la prossima sincronizzazione\n");
	log_info("case.assess", "%s%s: operator %s", idtext,
		 submit ? " (submitted)" : "", store_operator(s));
out:
	if (group)
		store_rollback(s);
	json_decref(f);
	json_decref(ind);
	ops_text_free(text);
	store_record_release(&r);
	store_close(s);
	return rc < 0 ? ops_fail(&e, "scheda di valutazione non registrata")
		      : CLI_EXIT_OK;
}

/* ---- validate ---- */

int cmd_validate(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "eligible", no_argument, NULL, OPT_ELIGIBLE },
		{ "not-eligible", no_argument, NULL, OPT_NOT_ELIGIBLE },
		{ "reason", required_argument, NULL, OPT_REASON },
		{ "orientation", required_argument, NULL, OPT_ORIENTATION },
		COMMON_OPTIONS
	};
	const char *reason = NULL, *orient = NULL, *to;
	char today[VIEW_DATE_TEXT], *text = NULL;
	int opt, verdict = -1, found = 0, rc, group = 0;
	struct store_record r;
	struct store *s = NULL;
	struct id id, aid;
	json_t *f = NULL;
	struct err e;

	cli_opts_begin(c, "validate", cli_usage_validate);
	while ((opt = cli_next_opt(c, argc, argv, "hu:", opts)) >= 0) {
		if (opt == OPT_ELIGIBLE || opt == OPT_NOT_ELIGIBLE) {
			if (verdict >= 0)
				return cli_usage(c, "indicare --eligible "
						 "oppure --not-eligible, non "
						 "tutti e due");
			verdict = opt == OPT_ELIGIBLE;
		} else if (opt == OPT_REASON)
			reason = optarg;
		else if (opt == OPT_ORIENTATION)
			orient = optarg;
	}
	rc = case_cmd_args(c, argc, argv, opt, &id);
	if (rc >= 0)
		return rc;
	if (verdict < 0)
		return cli_usage(c, "manca l'esito: --eligible oppure "
				 "--not-eligible");
	if (!verdict && !reason)
		return cli_usage(c, "--not-eligible richiede la motivazione "
				 "(--reason): torna a chi ha inviato la "
				 "scheda");
	to = verdict ? "validated" : "rejected";
	err_init(&e);
	store_record_init(&r);
	rc = cli_open_unlocked(c, &s, &e);
	if (!rc)
		rc = ops_load(s, argv[optind], "case", &r, &e);
	/* The role first: only the hub writes the decision. */
	if (!rc)
		rc = case_cmd_step(s, &r, NULL, to, 1, &e);
	if (!rc)
		rc = case_cmd_child(s, "assessment", &id, &aid, &found, &e);
	if (!rc && !found)
		rc = err_set(&e, ERR_CONFLICT, "il caso non ha una scheda di "
			     "valutazione preliminare da validare (la "
			     "compila chi propone il caso: `presidio "
			     "assess`)");
	if (!rc && reason)
		rc = ops_text_read(reason, &text, &e);
	if (rc < 0)
		goto out;
	view_date_today(today);
	f = json_pack("{s:s,s:s}", "decision",
		      verdict ? "eligible" : "not_eligible", "decision_on",
		      today);
	ops_set_text(f, "decision_reason", text);
	ops_set_text(f, "orientation", orient);
	rc = store_begin(s, &e);
	group = !rc;
	if (!rc) {
		rc = ops_put(s, "assessment", &aid, f, NULL, &e);
		f = NULL;
	}
	if (!rc)
		rc = case_cmd_step(s, &r, NULL, to, 0, &e);
	if (!rc)
		rc = ops_put(s, "case", &id, json_pack("{s:s}", "bdi_stage",
						       to), NULL, &e);
	if (!rc)
		rc = store_commit(s, &e);
	group = 0;
	if (rc < 0)
		goto out;
	printf("%s\n", verdict ? "validato: il caso e' eleggibile al Budget "
				 "di Integrazione"
			       : "non eleggibile: la motivazione torna a chi "
				 "ha inviato la scheda");
	log_info("case.validate", "%s, operator %s", to, store_operator(s));
out:
	if (group)
		store_rollback(s);
	json_decref(f);
	ops_text_free(text);
	store_record_release(&r);
	store_close(s);
	return rc < 0 ? ops_fail(&e, "validazione non registrata")
		      : CLI_EXIT_OK;
}

/* ---- match ---- */

/* r's nodes with name added (a new array; NULL on failure). */
static json_t *nodes_with(const struct store_record *r, const char *name)
{
	const json_t *cur = json_object_get(r->fields, "nodes");
	json_t *a = json_is_array(cur) ? json_deep_copy(cur) : json_array();
	size_t i;
	json_t *x;

	json_array_foreach(a, i, x)
		if (strcmp(json_string_value(x), name) == 0)
			return a;
	if (a && json_array_append_new(a, json_string(name))) {
		json_decref(a);
		return NULL;
	}
	return a;
}

static int to_pda(struct store *s, const struct store_record *r,
		  struct err *e)
{
	static const char *const regions[] = { "Basilicata", "Calabria",
					       "Sicilia" };
	const char *region = json_string_value(json_object_get(r->fields,
							       "region"));
	char rolebuf[STORE_STEP_ROLE_MAX];
	const char *role = NULL;
	int rc, ok = 0;

	rc = store_step_role(s, rolebuf, &role, e);
	if (rc)
		return rc;
	if (!role || strcmp(role, "hub") != 0)
		return err_set(e, ERR_CONFLICT, "solo l'hub (Focal Point BdI) "
			       "affida il matching al Punto di Accesso "
			       "(campo bdi_matching); questo nodo non e' "
			       "l'hub");
	for (size_t i = 0; region && i < 3; i++)
		ok |= strcmp(region, regions[i]) == 0;
	if (!ok)
		return err_set(e, ERR_CONFLICT, "il matching si affida al "
			       "Punto di Accesso solo per i casi di "
			       "Basilicata, Calabria o Sicilia (campo region)");
	return ops_put(s, "case", &r->id,
		       json_pack("{s:s}", "bdi_matching", "pda"), NULL, e);
}

int cmd_match(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "attuatore", required_argument, NULL, OPT_ATTUATORE },
		{ "to-pda", no_argument, NULL, OPT_TO_PDA },
		COMMON_OPTIONS
	};
	const char *att = NULL;
	int opt, pda = 0, rc;
	struct store_record r;
	struct store *s = NULL;
	json_t *f = NULL, *after = NULL;
	struct id id;
	struct err e;

	cli_opts_begin(c, "match", cli_usage_match);
	while ((opt = cli_next_opt(c, argc, argv, "hu:", opts)) >= 0) {
		if (opt == OPT_ATTUATORE)
			att = optarg;
		else if (opt == OPT_TO_PDA)
			pda = 1;
	}
	rc = case_cmd_args(c, argc, argv, opt, &id);
	if (rc >= 0)
		return rc;
	if (!att == !pda)
		return cli_usage(c, "indicare --attuatore NODO oppure "
				 "--to-pda");
	if (att && !*att)
		return cli_usage(c, "--attuatore vuole il nome del nodo del "
				 "soggetto attuatore");
	err_init(&e);
	store_record_init(&r);
	rc = cli_open_unlocked(c, &s, &e);
	if (!rc)
		rc = ops_load(s, argv[optind], "case", &r, &e);
	/* Whoever may not match is told so, even once the case is
	 * matched (the soggetto attuatore holds it from then on). */
	if (!rc && att)
		rc = case_cmd_role(s, &r, "validated", "matched", &e);
	if (!rc && pda)
		rc = to_pda(s, &r, &e);
	if (rc < 0 || pda)
		goto out;
	f = json_pack("{s:s,s:o,s:s}", "attuatore", att, "nodes",
		      nodes_with(&r, att), "bdi_stage", "matched");
	after = f ? json_deep_copy(r.fields) : NULL;
	rc = after && !json_object_update(after, f)
		     ? 0
		     : err_set(&e, ERR_NOMEM, "out of memory");
	if (!rc)
		rc = case_cmd_step(s, &r, after, "matched", 0, &e);
	if (!rc) {
		rc = ops_put(s, "case", &id, f, NULL, &e);
		f = NULL;
	}
	if (rc < 0)
		goto out;
	printf("matching fatto: il caso arrivera' al soggetto attuatore "
	       "con la prossima sincronizzazione\n");
	log_info("case.match", "operator %s", store_operator(s));
out:
	if (!rc && pda)
		printf("matching affidato al Punto di Accesso della "
		       "regione\n");
	json_decref(f);
	json_decref(after);
	store_record_release(&r);
	store_close(s);
	return rc < 0 ? ops_fail(&e, "matching non fatto") : CLI_EXIT_OK;
}
