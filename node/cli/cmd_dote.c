/*
 * cmd_dote.c - `presidio dote assign|activate|close|revoke` and
 * `presidio budget add|show`: the Budget di Integrazione of a case (the
 * dote, schema collection "dote") and its ledger of commitments,
 * expenses and reversals ("ledger", append-only).
 *
 * The rules are the store's (node/store_rule.h): only the hub assigns,
 * to a validated case, within the partner's allocation; a dote's ledger
 * stays within EUR 12,000, and entries booked offline on two nodes that
 * together pass it are kept and make a rule conflict on the dote.  Here
 * they are checked first where a plainer message helps (the allocation,
 * named by partner and numbers; what is left of the cap), and the
 * store's refusals are put in Italian (ops.h).  Amounts are typed and
 * shown in euro and kept in cents.
 */
#include "node/cli/ops.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "registry/registry.h"

enum { OPT_PARTNER = CLI_OPT_LOCAL, OPT_START, OPT_END, OPT_JUST,
       OPT_AREA, OPT_AMOUNT, OPT_KIND, OPT_DATE, OPT_DESC, OPT_JSON };

const char cli_usage_dote[] =
	"uso: presidio dote assign CASO --partner PARTNER [--start DATA]\n"
	"                          [--end DATA] [--justification TESTO]\n"
	"     presidio dote activate|close|revoke DOTE\n"
	"\n"
	"La dote del Budget di Integrazione (BdI) di un caso.\n"
	"\n"
	"  assign     assegna una dote al caso CASO (solo l'hub, cioe' il\n"
	"             Focal Point, e solo a un caso validato). Stampa\n"
	"             l'identificativo della dote.\n"
	"    --partner P          il partner su cui la dote si conta: nova,\n"
	"                         campania, puglia, basilicata, calabria,\n"
	"                         sicilia. Rifiutata oltre le doti assegnabili\n"
	"                         al partner (presidio hub allocation)\n"
	"    --start DATA         data di avvio (gg/mm/aaaa o aaaa-mm-gg)\n"
	"    --end DATA           fine prevista: di norma tra 2 e 9 mesi dopo\n"
	"                         l'avvio\n"
	"    --justification T    perche' la durata e' fuori da 2-9 mesi\n"
	"                         (obbligatoria in quel caso)\n"
	"  activate   la dote diventa attiva (hub, Punto di Accesso o\n"
	"             soggetto attuatore, alla presa in carico)\n"
	"  close      chiude la dote (solo l'hub)\n"
	"  revoke     revoca la dote (solo l'hub): il posto torna al partner\n"
	"\n"
	OPS_TEXT_HELP
	"\n"
	"Esempi:\n"
	"  presidio dote assign 3f0c...e1 --partner puglia \\\n"
	"      --start 01/03/2026 --end 30/09/2026\n"
	"  presidio dote activate 9a2b...77\n"
	"\n"
	"Codici di uscita: 0 fatto; 9 rifiutato da una regola (ruolo,\n"
	"caso non validato); 6 dati non validi o allocazione esaurita;\n"
	"3 scheda non trovata.\n"
	"\n"
	"  -u, --operator NAME   unlock as NAME\n"
	"  --key-file PATH       unlock with a key file\n"
	"  --passphrase-fd N     read the passphrase from descriptor N\n";

const char cli_usage_budget[] =
	"uso: presidio budget add DOTE --area AREA --amount EURO\n"
	"                         --kind impegno|spesa|storno [--date DATA]\n"
	"                         [--description TESTO]\n"
	"     presidio budget show DOTE [--json]\n"
	"\n"
	"I movimenti di budget di una dote: un registro in cui si aggiunge\n"
	"soltanto (un errore si corregge con uno storno). Il totale di una\n"
	"dote non supera 12.000 euro.\n"
	"\n"
	"  add        registra un movimento.\n"
	"    --area AREA          abitativa, sociosanitaria, integrazione,\n"
	"                         lavoro (o housing, health_social,\n"
	"                         integration, labour)\n"
	"    --amount EURO        l'importo in euro, sempre positivo:\n"
	"                         1250,50 oppure 1.250,50 oppure 1250.50\n"
	"    --kind TIPO          impegno (somma prenotata), spesa (somma\n"
	"                         pagata), storno (correzione: si scrive\n"
	"                         positivo e si registra in negativo)\n"
	"    --date DATA          gg/mm/aaaa o aaaa-mm-gg (predefinita: oggi)\n"
	"    --description TESTO  che cosa si paga\n"
	"  show       i movimenti, il totale per area, quanto resta dei\n"
	"             12.000 euro e, se movimenti registrati su nodi diversi\n"
	"             senza collegamento superano insieme il tetto, il\n"
	"             conflitto da risolvere con uno storno.\n"
	"    --json               in JSON, per i programmi (importi in\n"
	"                         centesimi)\n"
	"\n"
	OPS_TEXT_HELP
	"\n"
	"Esempi:\n"
	"  presidio budget add 9a2b...77 --area abitativa --amount 450,00 \\\n"
	"      --kind spesa --date 05/03/2026 --description - < nota.txt\n"
	"  presidio budget add 9a2b...77 --area lavoro --amount 100 --kind storno\n"
	"  presidio budget show 9a2b...77\n"
	"\n"
	"Codici di uscita: 0 fatto; 6 oltre il tetto o dati non validi;\n"
	"3 dote non trovata.\n"
	"\n"
	"  -u, --operator NAME   unlock as NAME\n"
	"  --key-file PATH       unlock with a key file\n"
	"  --passphrase-fd N     read the passphrase from descriptor N\n";

static const struct ops_alias kind_aliases[] = {
	{ "impegno", "commitment" }, { "spesa", "expense" },
	{ "storno", "reversal" }, { "commitment", "commitment" },
	{ "expense", "expense" }, { "reversal", "reversal" },
	{ NULL, NULL }
};

/* The cap on a dote's ledger, from the declarations. */
static long long dote_cap(void)
{
	const struct schema_collection *c = schema_collection("dote");

	for (size_t i = 0; c && i < c->naggregates; i++)
		if (strcmp(c->aggregates[i].child, "ledger") == 0)
			return c->aggregates[i].cap;
	return 0;
}

/* ---- dote ---- */

struct alloc_find {
	const char *partner;
	int found;
	struct registry_allocation a;
};

static int alloc_one(void *ctx, const struct registry_allocation *a)
{
	struct alloc_find *f = ctx;

	if (strcmp(a->group, f->partner) != 0)
		return 0;
	f->a = *a;
	f->found = 1;
	return ERR_STOP;
}

/* On the hub: refuse when partner's allocation is used up, naming it. */
static int check_alloc(struct store *s, const char *partner,
		       struct err *e)
{
	struct alloc_find f = { partner, 0, { { 0 }, 0, 0 } };
	int rc;

	rc = registry_allocation_list(s, "dote", alloc_one, &f, e);
	if (rc || !f.found || f.a.used < f.a.allocated)
		return rc;
	return err_set(e, ERR_INVALID, "il partner %s ha gia' %" PRId64
		       " doti assegnate su %" PRId64 " assegnabili "
		       "(allocazione dell'hub, `presidio hub allocation`): "
		       "campo partner (Partner) della dote, limite "
		       "dell'allocazione raggiunto",
		       ops_value_label("dote", "partner", partner), f.a.used,
		       f.a.allocated);
}

static int dote_assign(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "partner", required_argument, NULL, OPT_PARTNER },
		{ "start", required_argument, NULL, OPT_START },
		{ "end", required_argument, NULL, OPT_END },
		{ "justification", required_argument, NULL, OPT_JUST },
		CLI_OPTIONS_UNLOCK, CLI_OPTION_HELP, CLI_OPTION_END
	};
	char start[VIEW_DATE_TEXT] = "", end[VIEW_DATE_TEXT] = "";
	const char *partner = NULL, *just_arg = NULL, *stage;
	char idtext[ID_TEXT_LEN + 1], *just = NULL;
	struct store_put_result res;
	struct store_record cas;
	struct store *s = NULL;
	json_t *f = NULL;
	struct err e;
	int opt, rc;

	cli_opts_begin(c, "dote assign", cli_usage_dote);
	while ((opt = cli_next_opt(c, argc, argv, "hu:", opts)) >= 0) {
		if (opt == OPT_PARTNER &&
		    ops_enum(c, "--partner", "dote", "partner", NULL, optarg,
			     &partner) < 0)
			return CLI_EXIT_USAGE;
		if ((opt == OPT_START &&
		     ops_date(c, "--start", optarg, start) < 0) ||
		    (opt == OPT_END && ops_date(c, "--end", optarg, end) < 0))
			return CLI_EXIT_USAGE;
		if (opt == OPT_JUST)
			just_arg = optarg;
	}
	if (opt != CLI_NEXT_END)
		return cli_opts_exit(opt);
	if (cli_args(c, argc, 1, 1) < 0)
		return CLI_EXIT_USAGE;
	if (!partner)
		return cli_usage(c, "manca --partner (il partner della dote)");
	err_init(&e);
	store_record_init(&cas);
	rc = just_arg ? ops_text_read(just_arg, &just, &e) : 0;
	if (!rc)
		rc = cli_open_unlocked(c, &s, &e);
	if (!rc)
		rc = ops_load(s, argv[optind], "case", &cas, &e);
	if (rc)
		goto out;
	if (store_role(s) != STORE_ROLE_HUB) {
		rc = err_set(&e, ERR_CONFLICT, "la dote la assegna solo "
			     "l'hub (Focal Point): campo status (Stato della "
			     "dote), passaggio a 'assigned' riservato "
			     "all'hub");
		goto out;
	}
	stage = json_string_value(json_object_get(cas.fields, "bdi_stage"));
	if (!stage || strcmp(stage, "identified") == 0 ||
	    strcmp(stage, "submitted") == 0 || strcmp(stage, "rejected") == 0) {
		rc = err_set(&e, ERR_CONFLICT, "il caso non e' validato dal "
			     "Focal Point (campo bdi_stage, Fase BdI, del "
			     "caso: %s): prima la validazione",
			     stage ? ops_value_label("case", "bdi_stage", stage)
				   : "non indicata");
		goto out;
	}
	rc = check_alloc(s, partner, &e);
	if (rc)
		goto out;
	f = json_pack("{s:s,s:s,s:s}", "case_id", argv[optind], "partner",
		      partner, "status", "assigned");
	if (f && *start)
		json_object_set_new(f, "start_date", json_string(start));
	if (f && *end)
		json_object_set_new(f, "planned_end", json_string(end));
	if (f && just)
		json_object_set_new(f, "justification", json_string(just));
	rc = f ? store_put(s, "dote", NULL, f, &res, &e)
	       : err_set(&e, ERR_NOMEM, "out of memory");
	if (rc == ERR_INVALID && strstr(e.msg, "raggiunto il limite")) {
		err_init(&e);
		rc = check_alloc(s, partner, &e);
		if (!rc)
			rc = err_set(&e, ERR_INVALID, "allocazione del partner "
				     "raggiunta (campo partner)");
	}
	if (rc)
		goto out;
	id_format(&res.id, idtext);
	/* The id alone on stdout, for scripts; the words for people. */
	printf("%s\n", idtext);
	fprintf(stderr, "presidio: dote assegnata (partner %s)\n",
		ops_value_label("dote", "partner", partner));
	log_info("dote.assign", "%s: operator %s", idtext, store_operator(s));
out:
	json_decref(f);
	ops_text_free(just);
	store_record_release(&cas);
	store_close(s);
	return rc ? ops_fail(&e, "dote non assegnata") : CLI_EXIT_OK;
}

/* activate, close, revoke: the status step to. */
/* dote activate|close|revoke: the store judges who may (schema/coll_dote.c). */
static int dote_step(struct cli *c, int argc, char **argv, const char *to,
		     const char *name, const char *done)
{
	const struct ops_status_step st = {
		.name = name, .usage = cli_usage_dote, .coll = "dote",
		.to = to, .done = done, .fail = "stato della dote non cambiato",
	};

	return ops_status(c, argc, argv, &st);
}

static int dote_activate(struct cli *c, int argc, char **argv)
{
	return dote_step(c, argc, argv, "active", "dote activate",
			 "dote attiva");
}

static int dote_close(struct cli *c, int argc, char **argv)
{
	return dote_step(c, argc, argv, "closed", "dote close",
			 "dote chiusa");
}

static int dote_revoke(struct cli *c, int argc, char **argv)
{
	return dote_step(c, argc, argv, "revoked", "dote revoke",
			 "dote revocata");
}

/* ---- the ledger ---- */

struct ledger {
	const char *dote;   /* id text */
	json_t *entries;    /* array of entries, for show */
	long long total;
	long long area[4];
};

static const char *const areas[4] = {
	"housing", "health_social", "integration", "labour"
};

static int ledger_one(void *ctx, const struct store_record *r)
{
	struct ledger *l = ctx;
	const char *d = json_string_value(json_object_get(r->fields,
							  "dote_id"));
	const char *a = json_string_value(json_object_get(r->fields, "area"));
	json_int_t v = json_integer_value(json_object_get(r->fields,
							  "amount_cents"));
	char idtext[ID_TEXT_LEN + 1];
	json_t *o;

	if (!d || strcmp(d, l->dote) != 0)
		return 0;
	l->total += v;
	for (size_t i = 0; a && i < 4; i++)
		if (strcmp(a, areas[i]) == 0)
			l->area[i] += v;
	if (!l->entries)
		return 0;
	o = json_deep_copy(r->fields);
	id_format(&r->id, idtext);
	if (!o || json_object_set_new(o, "id", json_string(idtext)) ||
	    json_array_append_new(l->entries, o))
		return ERR_NOMEM;
	return 0;
}

static int ledger_load(struct store *s, struct ledger *l, struct err *e)
{
	return store_list(s, "ledger", 0, ledger_one, l, e);
}

static int budget_add(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "area", required_argument, NULL, OPT_AREA },
		{ "amount", required_argument, NULL, OPT_AMOUNT },
		{ "kind", required_argument, NULL, OPT_KIND },
		{ "date", required_argument, NULL, OPT_DATE },
		{ "description", required_argument, NULL, OPT_DESC },
		CLI_OPTIONS_UNLOCK, CLI_OPTION_HELP, CLI_OPTION_END
	};
	const char *area = NULL, *kind = NULL, *desc_arg = NULL;
	char date[VIEW_DATE_TEXT] = "", idtext[ID_TEXT_LEN + 1];
	char left[VIEW_EURO_TEXT], *desc = NULL;
	struct ledger l = { NULL, NULL, 0, { 0 } };
	struct store_put_result res;
	struct store_record r;
	struct store *s = NULL;
	int64_t cents = 0;
	json_t *f = NULL;
	struct err e;
	int opt, rc;

	cli_opts_begin(c, "budget add", cli_usage_budget);
	while ((opt = cli_next_opt(c, argc, argv, "hu:", opts)) >= 0) {
		if ((opt == OPT_AREA &&
		     ops_enum(c, "--area", "ledger", "area", ops_area_aliases,
			      optarg, &area) < 0) ||
		    (opt == OPT_KIND &&
		     ops_enum(c, "--kind", "ledger", "kind", kind_aliases,
			      optarg, &kind) < 0) ||
		    (opt == OPT_AMOUNT &&
		     ops_euro(c, "--amount", optarg, &cents) < 0) ||
		    (opt == OPT_DATE && ops_date(c, "--date", optarg, date) < 0))
			return CLI_EXIT_USAGE;
		if (opt == OPT_DESC)
			desc_arg = optarg;
	}
	if (opt != CLI_NEXT_END)
		return cli_opts_exit(opt);
	if (cli_args(c, argc, 1, 1) < 0)
		return CLI_EXIT_USAGE;
	if (!area || !kind || !cents)
		return cli_usage(c, "servono --area, --amount e --kind");
	if (!*date)
		view_date_today(date);
	if (strcmp(kind, "reversal") == 0)
		cents = -cents;
	err_init(&e);
	store_record_init(&r);
	rc = desc_arg ? ops_text_read(desc_arg, &desc, &e) : 0;
	if (!rc)
		rc = cli_open_unlocked(c, &s, &e);
	if (!rc)
		rc = ops_load(s, argv[optind], "dote", &r, &e);
	if (rc)
		goto out;
	id_format(&r.id, idtext);
	f = json_pack("{s:s,s:s,s:I,s:s,s:s,s:s}", "dote_id", idtext, "area",
		      area, "amount_cents", (json_int_t)cents, "date", date,
		      "kind", kind, "operator", store_operator(s));
	if (f && desc)
		json_object_set_new(f, "description", json_string(desc));
	rc = f ? store_put(s, "ledger", NULL, f, &res, &e)
	       : err_set(&e, ERR_NOMEM, "out of memory");
	if (rc == ERR_INVALID && strstr(e.msg, "supererebbe il tetto")) {
		l.dote = idtext;
		err_init(&e);
		rc = ledger_load(s, &l, &e);
		if (!rc) {
			view_euro_format(dote_cap() - l.total, left);
			rc = err_set(&e, ERR_INVALID, "campo amount_cents "
				     "(Importo) del movimento: il totale "
				     "della dote supererebbe il tetto di "
				     "12.000,00 euro; restano %s euro", left);
		}
	}
	if (rc)
		goto out;
	id_format(&res.id, idtext);
	printf("%s\n", idtext);
	log_info("dote.budget_add", "%s: operator %s", idtext, store_operator(s));
out:
	json_decref(f);
	ops_text_free(desc);
	store_record_release(&r);
	store_close(s);
	return rc ? ops_fail(&e, "movimento non registrato") : CLI_EXIT_OK;
}

/* Open cap conflicts of the dote: 1 in *open when its ledger passes. */
static int cap_conflict(void *ctx, const struct store_conflict *k)
{
	int *open = ctx;

	if (k->kind == MERGE_CONFLICT_RULE && !k->field)
		*open = 1;
	return 0;
}

static int show_text(const struct store_record *d, const struct ledger *l,
		     int open)
{
	char amount[VIEW_EURO_TEXT], date[VIEW_DATE_TEXT];
	long long cap = dote_cap();
	size_t i;
	json_t *o;

	printf("Dote %s  partner %s  stato %s\n", l->dote,
	       ops_value_label("dote", "partner",
			       json_string_value(json_object_get(d->fields,
								 "partner"))),
	       ops_value_label("dote", "status",
			       json_string_value(json_object_get(d->fields,
								 "status"))));
	if (json_array_size(l->entries) == 0)
		printf("nessun movimento registrato\n");
	else
		printf("%-10s  %-8s  %-32s %14s  %s\n", "Data", "Tipo",
		       "Area", "Importo (EUR)", "Descrizione");
	json_array_foreach(l->entries, i, o) {
		const char *desc = json_string_value(
			json_object_get(o, "description"));

		view_date_format(json_string_value(json_object_get(o, "date")),
				 date);
		view_euro_format(json_integer_value(
					 json_object_get(o, "amount_cents")),
				 amount);
		printf("%-10s  %-8s  %-32s %14s  %s\n", date,
		       ops_value_label("ledger", "kind",
				       json_string_value(
					       json_object_get(o, "kind"))),
		       ops_value_label("ledger", "area",
				       json_string_value(
					       json_object_get(o, "area"))),
		       amount, desc ? desc : "");
	}
	printf("\nTotale per area:\n");
	for (i = 0; i < 4; i++) {
		view_euro_format(l->area[i], amount);
		printf("  %-32s %14s\n",
		       ops_value_label("ledger", "area", areas[i]), amount);
	}
	view_euro_format(l->total, amount);
	printf("%-34s %14s\n", "Totale della dote:", amount);
	if (l->total <= cap) {
		view_euro_format(cap - l->total, amount);
		printf("%-34s %14s\n", "Resta dei 12.000,00 euro:", amount);
	} else {
		view_euro_format(l->total - cap, amount);
		printf("%-34s %14s\n", "Oltre il tetto di 12.000,00:",
		       amount);
	}
	if (open)
		printf("\nCONFLITTO APERTO sul tetto della dote: movimenti "
		       "registrati su nodi diversi,\nsenza collegamento, "
		       "superano insieme i 12.000,00 euro (di %s euro).\n"
		       "Sono tutti conservati. Il Focal Point decide: per "
		       "chiudere il conflitto\nregistrare uno storno di "
		       "almeno %s euro, per esempio:\n  presidio budget add "
		       "%s --area AREA --amount %s --kind storno\n", amount,
		       amount, l->dote, amount);
	return 0;
}

static int budget_show(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		CLI_OPTIONS_UNLOCK, CLI_OPTION_HELP, CLI_OPTION_END
	};
	char idtext[ID_TEXT_LEN + 1];
	struct ledger l = { NULL, NULL, 0, { 0 } };
	struct store_record d;
	struct store *s = NULL;
	json_t *o = NULL, *per = NULL;
	int opt, rc, json = 0, open = 0;
	long long cap = dote_cap();
	struct err e;

	cli_opts_begin(c, "budget show", cli_usage_budget);
	while ((opt = cli_next_opt(c, argc, argv, "hu:", opts)) >= 0)
		if (opt == OPT_JSON)
			json = 1;
	if (opt != CLI_NEXT_END)
		return cli_opts_exit(opt);
	if (cli_args(c, argc, 1, 1) < 0)
		return CLI_EXIT_USAGE;
	err_init(&e);
	store_record_init(&d);
	l.entries = json_array();
	rc = l.entries ? cli_open_unlocked(c, &s, &e)
		       : err_set(&e, ERR_NOMEM, "out of memory");
	if (!rc)
		rc = ops_load(s, argv[optind], "dote", &d, &e);
	if (rc)
		goto out;
	id_format(&d.id, idtext);
	l.dote = idtext;
	rc = ledger_load(s, &l, &e);
	if (!rc)
		rc = store_conflicts(s, &d.id, cap_conflict, &open, &e);
	if (rc)
		goto out;
	if (!json) {
		rc = show_text(&d, &l, open);
		goto out;
	}
	per = json_object();
	for (size_t i = 0; per && i < 4; i++)
		json_object_set_new(per, areas[i],
				    json_integer((json_int_t)l.area[i]));
	o = json_pack("{s:s,s:O,s:O,s:O,s:O,s:I,s:I,s:I,s:b}", "dote", idtext,
		      "partner", json_object_get(d.fields, "partner"),
		      "status", json_object_get(d.fields, "status")
				? json_object_get(d.fields, "status")
				: json_null(),
		      "entries", l.entries, "per_area", per ? per : json_null(),
		      "total_cents", (json_int_t)l.total, "cap_cents",
		      (json_int_t)cap, "left_cents",
		      (json_int_t)(cap - l.total), "cap_conflict", open);
	rc = o ? cli_print_json(o, JSON_COMPACT | JSON_SORT_KEYS, &e)
	       : err_set(&e, ERR_NOMEM, "out of memory");
out:
	json_decref(o);
	json_decref(per);
	json_decref(l.entries);
	store_record_release(&d);
	store_close(s);
	return rc ? ops_fail(&e, "budget non mostrato") : CLI_EXIT_OK;
}

/* ---- dispatch ---- */

int cmd_dote(struct cli *c, int argc, char **argv)
{
	static const struct ops_sub subs[] = {
		{ "assign", dote_assign }, { "activate", dote_activate },
		{ "close", dote_close }, { "revoke", dote_revoke },
	};

	return ops_dispatch(c, argc, argv, "dote", cli_usage_dote, NULL,
			    NULL, subs,
			    sizeof(subs) / sizeof(subs[0]));
}

int cmd_budget(struct cli *c, int argc, char **argv)
{
	static const struct ops_sub subs[] = {
		{ "add", budget_add }, { "show", budget_show },
	};

	return ops_dispatch(c, argc, argv, "budget", cli_usage_budget,
			    NULL, NULL, subs,
			    sizeof(subs) / sizeof(subs[0]));
}
