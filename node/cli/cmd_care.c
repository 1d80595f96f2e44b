/*
 * cmd_care.c - `presidio service add`, `presidio consent add|revoke|list`
 * and `presidio referral send|accept|decline|complete|revoke|list`: the
 * services given in a case, the person's consents, and the referrals to
 * other services (schema collections service, consent, referral).
 *
 * A referral is sent only with the person's consent to referrals,
 * recorded in the case and not revoked (the referral's requirement,
 * node/store_require.h): send looks for one first, names it in the
 * referral (consent_id) and, without one, says what to record.  Help
 * lists declared values with their Italian labels from the declarations.
 */
#include "node/cli/ops.h"

#include <stdlib.h>
#include <string.h>

#include "common/log.h"

enum { OPT_TYPE = CLI_OPT_LOCAL, OPT_DATE, OPT_DURATION, OPT_OUTCOME,
       OPT_NOTE, OPT_PURPOSE, OPT_SERVICE, OPT_TO, OPT_REASON };

#define UNLOCK_HELP                                                            \
	"  -u, --operator NAME   unlock as NAME\n"                             \
	"  --key-file PATH       unlock with a key file\n"                     \
	"  --passphrase-fd N     read the passphrase from descriptor N\n"

const char cli_usage_service[] =
	"uso: presidio service add CASO --type TIPO [--date DATA]\n"
	"                          [--duration MINUTI] [--outcome ESITO]\n"
	"                          [--note TESTO]\n"
	"\n"
	"Registra un intervento (prestazione) dato nel caso CASO. Stampa\n"
	"l'identificativo dell'intervento.\n"
	"    --type TIPO          il tipo di servizio (elenco sotto)\n"
	"    --date DATA          gg/mm/aaaa o aaaa-mm-gg (predefinita: oggi)\n"
	"    --duration MINUTI    durata in minuti\n"
	"    --outcome ESITO      completed (Concluso), partially_completed,\n"
	"                         referred (Inviato ad altro servizio),\n"
	"                         no_show (La persona non si e' presentata)\n"
	"    --note TESTO         nota dell'operatore (dato personale)\n"
	"\n"
	OPS_TEXT_HELP
	"\n"
	"Esempio:\n"
	"  presidio service add 3f0c...e1 --type mediation --date 12/03/2026 \\\n"
	"      --duration 45 --outcome completed --note @colloquio.txt\n"
	"\n"
	UNLOCK_HELP
	"\n"
	"Tipi di servizio (--type: il codice, o la descrizione intera;\n"
	"l'elenco lo stampa `presidio service --help`):\n";

const char cli_usage_consent[] =
	"uso: presidio consent add CASO --purpose trattamento|invio|condivisione\n"
	"                          [--service ID_SERVIZIO] [--date DATA]\n"
	"     presidio consent revoke CONSENSO [--date DATA]\n"
	"     presidio consent list CASO\n"
	"\n"
	"I consensi della persona, caso per caso.\n"
	"\n"
	"  add        registra un consenso dato (stampa l'identificativo).\n"
	"    --purpose P          trattamento: trattamento dei dati;\n"
	"                         invio: invio (referral) ad altri servizi,\n"
	"                         necessario prima di `presidio referral send`;\n"
	"                         condivisione: condivisione con l'Helpdesk\n"
	"    --service ID         il servizio indicato (presidio directory list)\n"
	"    --date DATA          gg/mm/aaaa o aaaa-mm-gg (predefinita: oggi)\n"
	"  revoke     registra la revoca del consenso (da quel giorno non\n"
	"             vale piu': nuovi invii sono rifiutati)\n"
	"  list       i consensi del caso, con lo stato\n"
	"\n"
	"Esempi:\n"
	"  presidio consent add 3f0c...e1 --purpose invio --date 02/03/2026\n"
	"  presidio consent revoke 77aa...10\n"
	"\n"
	UNLOCK_HELP;

const char cli_usage_referral[] =
	"uso: presidio referral send CASO (--service ID_SERVIZIO | --to TESTO)\n"
	"                            [--reason TESTO]\n"
	"     presidio referral accept|decline|complete|revoke INVIO\n"
	"     presidio referral list [CASO]\n"
	"\n"
	"Gli invii (referral) della persona ad altri servizi.\n"
	"\n"
	"  send       propone l'invio (stampa l'identificativo). Serve il\n"
	"             consenso della persona all'invio, registrato e non\n"
	"             revocato (presidio consent add CASO --purpose invio):\n"
	"             senza, l'invio e' rifiutato.\n"
	"    --service ID         il servizio di destinazione, dalla mappa dei\n"
	"                         servizi (presidio directory list)\n"
	"    --to TESTO           oppure il destinatario, in parole\n"
	"    --reason TESTO       il motivo dell'invio (dato personale)\n"
	"  accept     il servizio ha accettato l'invio\n"
	"  decline    il servizio ha rifiutato l'invio\n"
	"  complete   l'invio si e' concluso (dopo accept)\n"
	"  revoke     l'invio e' annullato\n"
	"  list       gli invii (di un caso, o tutti quelli del nodo)\n"
	"\n"
	OPS_TEXT_HELP
	"\n"
	"Esempi:\n"
	"  presidio referral send 3f0c...e1 --service 51d2...0a --reason -\n"
	"  presidio referral accept 8c1e...42\n"
	"\n"
	"Codici di uscita: 0 fatto; 9 rifiutato (manca il consenso, passaggio\n"
	"non previsto); 3 scheda non trovata; 2 opzioni sbagliate.\n"
	"\n"
	UNLOCK_HELP;

static const struct ops_alias purpose_aliases[] = {
	{ "trattamento", "data_processing" }, { "invio", "referral" },
	{ "condivisione", "helpdesk_sharing" },
	{ "data_processing", "data_processing" }, { "referral", "referral" },
	{ "helpdesk_sharing", "helpdesk_sharing" }, { NULL, NULL }
};

static const char *str(const json_t *f, const char *k)
{
	const char *v = json_string_value(json_object_get(f, k));

	return v ? v : "";
}

/* Put fields into coll (id NULL: a new record), print the new id. */
static int put(struct store *s, const char *coll, const struct id *id,
	       json_t *f, struct err *e)
{
	char idtext[ID_TEXT_LEN + 1];
	struct store_put_result res;
	int rc;

	if (!f)
		return err_set(e, ERR_NOMEM, "out of memory");
	rc = store_put(s, coll, id, f, &res, e);
	if (rc)
		return rc;
	if (!id) {
		id_format(&res.id, idtext);
		printf("%s\n", idtext);
	}
	log_info("record.care", "%s %s: operator %s", coll, id ? "update" : "add",
		 store_operator(s));
	return 0;
}

/* ---- service ---- */

static int service_add(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "type", required_argument, NULL, OPT_TYPE },
		{ "date", required_argument, NULL, OPT_DATE },
		{ "duration", required_argument, NULL, OPT_DURATION },
		{ "outcome", required_argument, NULL, OPT_OUTCOME },
		{ "note", required_argument, NULL, OPT_NOTE },
		CLI_OPTIONS_UNLOCK, CLI_OPTION_HELP, CLI_OPTION_END
	};
	const char *type = NULL, *outcome = NULL, *note_arg = NULL;
	char date[VIEW_DATE_TEXT] = "", *note = NULL;
	struct store_record r;
	struct store *s = NULL;
	uint64_t minutes = 0;
	json_t *f = NULL;
	struct err e;
	int opt, rc;

	cli_opts_begin(c, "service add", cli_usage_service);
	while ((opt = cli_next_opt(c, argc, argv, "hu:", opts)) >= 0) {
		if ((opt == OPT_TYPE &&
		     ops_enum(c, "--type", "service", "service_type", NULL,
			      optarg, &type) < 0) ||
		    (opt == OPT_OUTCOME &&
		     ops_enum(c, "--outcome", "service", "outcome", NULL,
			      optarg, &outcome) < 0) ||
		    (opt == OPT_DATE && ops_date(c, "--date", optarg, date) < 0))
			return CLI_EXIT_USAGE;
		if (opt == OPT_DURATION &&
		    cli_parse_u64(optarg, 1, 24 * 60, &minutes) < 0)
			return cli_usage(c, "--duration: la durata e' in minuti, "
					 "da 1 a 1440");
		if (opt == OPT_NOTE)
			note_arg = optarg;
	}
	if (opt == CLI_NEXT_HELP)
		ops_enum_help(stdout, "service", "service_type");
	if (opt != CLI_NEXT_END)
		return cli_opts_exit(opt);
	if (cli_args(c, argc, 1, 1) < 0)
		return CLI_EXIT_USAGE;
	if (!type)
		return cli_usage(c, "manca --type (il tipo di servizio)");
	if (!*date)
		view_date_today(date);
	err_init(&e);
	store_record_init(&r);
	rc = note_arg ? ops_text_read(note_arg, &note, &e) : 0;
	if (!rc)
		rc = cli_open_unlocked(c, &s, &e);
	if (!rc)
		rc = ops_load(s, argv[optind], "case", &r, &e);
	if (rc)
		goto out;
	f = json_pack("{s:s,s:s,s:s,s:s}", "case_id", argv[optind],
		      "service_type", type, "date", date, "operator",
		      store_operator(s));
	if (f && minutes)
		json_object_set_new(f, "duration_min",
				    json_integer((json_int_t)minutes));
	if (f && outcome)
		json_object_set_new(f, "outcome", json_string(outcome));
	if (f && note)
		json_object_set_new(f, "note", json_string(note));
	rc = put(s, "service", NULL, f, &e);
out:
	json_decref(f);
	ops_text_free(note);
	store_record_release(&r);
	store_close(s);
	return rc ? ops_fail(&e, "intervento non registrato") : CLI_EXIT_OK;
}

/* ---- consent ---- */

static int consent_add(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "purpose", required_argument, NULL, OPT_PURPOSE },
		{ "service", required_argument, NULL, OPT_SERVICE },
		{ "date", required_argument, NULL, OPT_DATE },
		CLI_OPTIONS_UNLOCK, CLI_OPTION_HELP, CLI_OPTION_END
	};
	const char *purpose = NULL, *service = NULL;
	char date[VIEW_DATE_TEXT] = "";
	struct store_record r, d;
	struct store *s = NULL;
	json_t *f = NULL;
	struct err e;
	int opt, rc;

	cli_opts_begin(c, "consent add", cli_usage_consent);
	while ((opt = cli_next_opt(c, argc, argv, "hu:", opts)) >= 0) {
		if ((opt == OPT_PURPOSE &&
		     ops_enum(c, "--purpose", "consent", "purpose",
			      purpose_aliases, optarg, &purpose) < 0) ||
		    (opt == OPT_DATE && ops_date(c, "--date", optarg, date) < 0))
			return CLI_EXIT_USAGE;
		if (opt == OPT_SERVICE)
			service = optarg;
	}
	if (opt != CLI_NEXT_END)
		return cli_opts_exit(opt);
	if (cli_args(c, argc, 1, 1) < 0)
		return CLI_EXIT_USAGE;
	if (!purpose)
		return cli_usage(c, "manca --purpose (trattamento, invio o "
				 "condivisione)");
	if (!*date)
		view_date_today(date);
	err_init(&e);
	store_record_init(&r);
	store_record_init(&d);
	rc = cli_open_unlocked(c, &s, &e);
	if (!rc)
		rc = ops_load(s, argv[optind], "case", &r, &e);
	if (!rc && service)
		rc = ops_load(s, service, "service_directory", &d, &e);
	if (rc)
		goto out;
	f = json_pack("{s:s,s:s,s:s,s:s}", "case_id", argv[optind], "purpose",
		      purpose, "given_on", date, "operator",
		      store_operator(s));
	if (f && service)
		json_object_set_new(f, "directory_id", json_string(service));
	rc = put(s, "consent", NULL, f, &e);
out:
	json_decref(f);
	store_record_release(&r);
	store_record_release(&d);
	store_close(s);
	return rc ? ops_fail(&e, "consenso non registrato") : CLI_EXIT_OK;
}

static int consent_revoke(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "date", required_argument, NULL, OPT_DATE },
		CLI_OPTIONS_UNLOCK, CLI_OPTION_HELP, CLI_OPTION_END
	};
	char date[VIEW_DATE_TEXT] = "";
	struct store_record r;
	struct store *s = NULL;
	json_t *f = NULL;
	struct err e;
	int opt, rc;

	cli_opts_begin(c, "consent revoke", cli_usage_consent);
	while ((opt = cli_next_opt(c, argc, argv, "hu:", opts)) >= 0)
		if (opt == OPT_DATE && ops_date(c, "--date", optarg, date) < 0)
			return CLI_EXIT_USAGE;
	if (opt != CLI_NEXT_END)
		return cli_opts_exit(opt);
	if (cli_args(c, argc, 1, 1) < 0)
		return CLI_EXIT_USAGE;
	if (!*date)
		view_date_today(date);
	err_init(&e);
	store_record_init(&r);
	rc = cli_open_unlocked(c, &s, &e);
	if (!rc)
		rc = ops_load(s, argv[optind], "consent", &r, &e);
	if (!rc && *str(r.fields, "revoked_on"))
		rc = err_set(&e, ERR_EXISTS, "il consenso e' gia' revocato "
			     "(campo revoked_on, Data della revoca)");
	if (rc)
		goto out;
	f = json_pack("{s:s}", "revoked_on", date);
	rc = put(s, "consent", &r.id, f, &e);
	if (!rc)
		printf("consenso revocato\n");
out:
	json_decref(f);
	store_record_release(&r);
	store_close(s);
	return rc ? ops_fail(&e, "revoca non registrata") : CLI_EXIT_OK;
}

/* Records of coll under case (NULL: all), with the fields kept. */
struct walk {
	const char *case_id;
	const char *coll;
	int (*fn)(struct walk *w, const struct store_record *r);
	size_t n;
	struct store *s;
	json_t *found; /* consent_find: the consent chosen, borrowed id */
	char found_id[ID_TEXT_LEN + 1];
	const char *service;
};

static int walk_one(void *ctx, const struct store_record *r)
{
	struct walk *w = ctx;

	if (w->case_id && strcmp(str(r->fields, "case_id"), w->case_id) != 0)
		return 0;
	w->n++;
	return w->fn(w, r);
}

static int consent_print(struct walk *w, const struct store_record *r)
{
	char idtext[ID_TEXT_LEN + 1], given[VIEW_DATE_TEXT];
	char revoked[VIEW_DATE_TEXT];

	(void)w;
	id_format(&r->id, idtext);
	view_date_format(str(r->fields, "given_on"), given);
	view_date_format(str(r->fields, "revoked_on"), revoked);
	printf("%s  %-40s dato il %s  %s%s\n", idtext,
	       ops_value_label("consent", "purpose",
			       str(r->fields, "purpose")),
	       given, *revoked ? "REVOCATO il " : "in vigore", revoked);
	return 0;
}

static int consent_list(struct cli *c, int argc, char **argv)
{
	struct walk w = { NULL, "consent", consent_print, 0, NULL, NULL,
			  "", NULL };
	struct store_record r;
	struct store *s = NULL;
	struct err e;
	int opt, rc;

	cli_opts_begin(c, "consent list", cli_usage_consent);
	opt = cli_next_opt(c, argc, argv, "hu:", (const struct option[]){
		CLI_OPTIONS_UNLOCK, CLI_OPTION_HELP, CLI_OPTION_END });
	if (opt != CLI_NEXT_END)
		return cli_opts_exit(opt);
	if (cli_args(c, argc, 1, 1) < 0)
		return CLI_EXIT_USAGE;
	err_init(&e);
	store_record_init(&r);
	rc = cli_open_unlocked(c, &s, &e);
	if (!rc)
		rc = ops_load(s, argv[optind], "case", &r, &e);
	w.case_id = argv[optind];
	if (!rc)
		rc = store_list(s, "consent", 0, walk_one, &w, &e);
	if (!rc && w.n == 0)
		printf("nessun consenso registrato per il caso\n");
	store_record_release(&r);
	store_close(s);
	return rc ? ops_fail(&e, "consensi non mostrati") : CLI_EXIT_OK;
}

/* ---- referral ---- */

/* A consent to referrals in force; one naming the service preferred. */
static int consent_find(struct walk *w, const struct store_record *r)
{
	const char *dir = str(r->fields, "directory_id");

	if (strcmp(str(r->fields, "purpose"), "referral") != 0 ||
	    *str(r->fields, "revoked_on"))
		return 0;
	if (*w->found_id && (!w->service || strcmp(dir, w->service) != 0))
		return 0;
	id_format(&r->id, w->found_id);
	return 0;
}

static int referral_send(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "service", required_argument, NULL, OPT_SERVICE },
		{ "to", required_argument, NULL, OPT_TO },
		{ "reason", required_argument, NULL, OPT_REASON },
		CLI_OPTIONS_UNLOCK, CLI_OPTION_HELP, CLI_OPTION_END
	};
	const char *service = NULL, *to = NULL, *reason_arg = NULL;
	struct walk w = { NULL, "consent", consent_find, 0, NULL, NULL,
			  "", NULL };
	char date[VIEW_DATE_TEXT], *reason = NULL;
	struct store_record r, d;
	struct store *s = NULL;
	json_t *f = NULL;
	struct err e;
	int opt, rc;

	cli_opts_begin(c, "referral send", cli_usage_referral);
	while ((opt = cli_next_opt(c, argc, argv, "hu:", opts)) >= 0) {
		if (opt == OPT_SERVICE)
			service = optarg;
		else if (opt == OPT_TO)
			to = optarg;
		else if (opt == OPT_REASON)
			reason_arg = optarg;
	}
	if (opt != CLI_NEXT_END)
		return cli_opts_exit(opt);
	if (cli_args(c, argc, 1, 1) < 0)
		return CLI_EXIT_USAGE;
	if (!service == !to)
		return cli_usage(c, "indicare il destinatario: --service "
				 "(dalla mappa dei servizi) oppure --to");
	view_date_today(date);
	err_init(&e);
	store_record_init(&r);
	store_record_init(&d);
	rc = reason_arg ? ops_text_read(reason_arg, &reason, &e) : 0;
	if (!rc)
		rc = cli_open_unlocked(c, &s, &e);
	if (!rc)
		rc = ops_load(s, argv[optind], "case", &r, &e);
	if (!rc && service)
		rc = ops_load(s, service, "service_directory", &d, &e);
	w.case_id = argv[optind];
	w.service = service;
	if (!rc)
		rc = store_list(s, "consent", 0, walk_one, &w, &e);
	if (rc)
		goto out;
	if (!*w.found_id) {
		rc = err_set(&e, ERR_CONFLICT, "manca il consenso della "
			     "persona all'invio (scheda consent, campo "
			     "purpose = invio, non revocato: campo "
			     "revoked_on): registrarlo prima con `presidio "
			     "consent add %s --purpose invio`", argv[optind]);
		goto out;
	}
	f = json_pack("{s:s,s:s,s:s,s:s,s:s}", "case_id", argv[optind],
		      "status", "proposed", "sent_on", date, "consent_id",
		      w.found_id, "from_org", store_node_name(s));
	if (f && service)
		json_object_set_new(f, "directory_id", json_string(service));
	if (f && to)
		json_object_set_new(f, "to_org", json_string(to));
	if (f && reason)
		json_object_set_new(f, "reason", json_string(reason));
	rc = put(s, "referral", NULL, f, &e);
out:
	json_decref(f);
	ops_text_free(reason);
	store_record_release(&r);
	store_record_release(&d);
	store_close(s);
	return rc ? ops_fail(&e, "invio non fatto") : CLI_EXIT_OK;
}

/* referral accept|decline|complete|revoke: an answer of the service
 * (accepted, declined) is dated today. */
static int referral_step(struct cli *c, int argc, char **argv,
			 const char *to, const char *name, const char *done)
{
	const struct ops_status_step st = {
		.name = name, .usage = cli_usage_referral, .coll = "referral",
		.to = to,
		.date_field = strcmp(to, "accepted") == 0 ||
				      strcmp(to, "declined") == 0
				  ? "answered_on"
				  : NULL,
		.done = done, .fail = "stato dell'invio non cambiato",
	};

	return ops_status(c, argc, argv, &st);
}

static int referral_accept(struct cli *c, int argc, char **argv)
{
	return referral_step(c, argc, argv, "accepted", "referral accept",
			     "invio accettato");
}

static int referral_decline(struct cli *c, int argc, char **argv)
{
	return referral_step(c, argc, argv, "declined", "referral decline",
			     "invio rifiutato dal servizio");
}

static int referral_complete(struct cli *c, int argc, char **argv)
{
	return referral_step(c, argc, argv, "completed",
			     "referral complete", "invio concluso");
}

static int referral_revoke(struct cli *c, int argc, char **argv)
{
	return referral_step(c, argc, argv, "revoked", "referral revoke",
			     "invio annullato");
}

static int referral_print(struct walk *w, const struct store_record *r)
{
	char idtext[ID_TEXT_LEN + 1], sent[VIEW_DATE_TEXT];
	const char *to = str(r->fields, "to_org");
	struct store_record d;
	struct err e;
	struct id did;

	store_record_init(&d);
	err_init(&e);
	if (!*to && id_parse(&did, str(r->fields, "directory_id")) == 0 &&
	    store_get(w->s, &did, &d, &e) == 0)
		to = str(d.fields, "body");
	id_format(&r->id, idtext);
	view_date_format(str(r->fields, "sent_on"), sent);
	printf("%s  %-12s inviato il %-10s  a: %s\n", idtext,
	       ops_value_label("referral", "status",
			       str(r->fields, "status")),
	       sent, to);
	store_record_release(&d);
	return 0;
}

static int referral_list(struct cli *c, int argc, char **argv)
{
	struct walk w = { NULL, "referral", referral_print, 0, NULL, NULL,
			  "", NULL };
	struct store_record r;
	struct store *s = NULL;
	struct err e;
	int opt, rc;

	cli_opts_begin(c, "referral list", cli_usage_referral);
	opt = cli_next_opt(c, argc, argv, "hu:", (const struct option[]){
		CLI_OPTIONS_UNLOCK, CLI_OPTION_HELP, CLI_OPTION_END });
	if (opt != CLI_NEXT_END)
		return cli_opts_exit(opt);
	if (cli_args(c, argc, 0, 1) < 0)
		return CLI_EXIT_USAGE;
	err_init(&e);
	store_record_init(&r);
	rc = cli_open_unlocked(c, &s, &e);
	if (!rc && optind < argc) {
		rc = ops_load(s, argv[optind], "case", &r, &e);
		w.case_id = argv[optind];
	}
	w.s = s;
	if (!rc)
		rc = store_list(s, "referral", 0, walk_one, &w, &e);
	if (!rc && w.n == 0)
		printf("nessun invio registrato\n");
	store_record_release(&r);
	store_close(s);
	return rc ? ops_fail(&e, "invii non mostrati") : CLI_EXIT_OK;
}

/* ---- dispatch ---- */

int cmd_service(struct cli *c, int argc, char **argv)
{
	static const struct ops_sub subs[] = { { "add", service_add } };

	return ops_dispatch(c, argc, argv, "service", cli_usage_service,
			    "service", "service_type", subs, 1);
}

int cmd_consent(struct cli *c, int argc, char **argv)
{
	static const struct ops_sub subs[] = {
		{ "add", consent_add }, { "revoke", consent_revoke },
		{ "list", consent_list },
	};

	return ops_dispatch(c, argc, argv, "consent", cli_usage_consent,
			    NULL, NULL, subs,
			    sizeof(subs) / sizeof(subs[0]));
}

int cmd_referral(struct cli *c, int argc, char **argv)
{
	static const struct ops_sub subs[] = {
		{ "send", referral_send }, { "accept", referral_accept },
		{ "decline", referral_decline },
		{ "complete", referral_complete },
		{ "revoke", referral_revoke }, { "list", referral_list },
	};

	return ops_dispatch(c, argc, argv, "referral", cli_usage_referral,
			    NULL, NULL, subs,
			    sizeof(subs) / sizeof(subs[0]));
}
