/*
 * cmd_person.c - `presidio person find|add|merge|unmerge`: finding people
 * and registering them without duplicates (node/store_search.h).
 *
 * For the operators of a Polo or a Punto di Accesso, so help and domain
 * messages are in Italian.  find prints of each person found only what
 * the search is about (names, birth date, nationality); add warns on
 * stderr about likely duplicates (the same fields, never the rest of the
 * record) and refuses a strong one unless --force.  Engine errors (I/O,
 * keys) stay as the store words them.
 */
#include "node/cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "node/store_search.h"
#include "view/view_person.h"

#define DUPS_MAX 10
#define PERSON_COLL "person" /* the product's persons (schema/coll_person.c) */

enum { OPT_NAME = CLI_OPT_LOCAL, OPT_BORN, OPT_NAT, OPT_JSON, OPT_LIMIT,
       OPT_FORCE };

const char cli_usage_person[] =
	"uso: presidio person find [--name TESTO] [--born AAAA-MM-GG|AAAA]\n"
	"                          [--nationality XX] [--limit N] [--json]\n"
	"     presidio person add [--force] < persona.json\n"
	"     presidio person merge ID_DOPPIONE ID_SCHEDA\n"
	"     presidio person unmerge ID_DOPPIONE\n"
	"\n"
	"Cercare le persone e registrarle senza doppioni.\n"
	"\n"
	"  find       cerca le persone registrate su questo nodo.\n"
	"    --name TESTO        nome, cognome o una parte (anche solo\n"
	"                        l'inizio), in qualsiasi ordine; trova anche\n"
	"                        le grafie diverse dello stesso nome\n"
	"                        (Mohamed, Muhammad, Mouhamed; N'Diaye,\n"
	"                        Ndiaye) e gli altri nomi registrati\n"
	"    --born DATA         data di nascita AAAA-MM-GG, o solo l'anno\n"
	"    --nationality XX    cittadinanza, codice di due lettere (es. NG)\n"
	"    --limit N           al massimo N persone (predefinito 20)\n"
	"    --json              una riga JSON per persona, per i programmi\n"
	"  add        registra una nuova persona dai dati JSON sull'input\n"
	"             (come `presidio put person`).  Prima controlla se la\n"
	"             persona sembra gia' registrata e lo segnala; se la\n"
	"             somiglianza e' forte (stesso codice fiscale, o stessa\n"
	"             data di nascita e nomi uguali o quasi) non la registra.\n"
	"    --force             registra comunque, dopo aver controllato che\n"
	"                        si tratta di un'altra persona\n"
	"  merge      unisce due schede della stessa persona: ID_DOPPIONE\n"
	"             resta, ma si trova attraverso ID_SCHEDA (e i suoi nomi\n"
	"             valgono come varianti).  Vale su tutti i nodi dopo la\n"
	"             sincronizzazione.\n"
	"  unmerge    annulla l'unione: ID_DOPPIONE torna una scheda a se'.\n"
	"\n"
	"Esempi:\n"
	"  presidio person find --name \"diallo mam\" --born 1990\n"
	"  echo '{\"given_name\":\"Mamadou\",\"family_name\":\"Diallo\",\n"
	"        \"birth_date\":\"1990-05-01\"}' | presidio person add\n"
	"  presidio person merge 3f0c...e1 9a2b...77\n"
	"\n"
	"Codici di uscita: 0 fatto; 9 possibile doppione, non registrata\n"
	"(usare --force) o unione rifiutata; 3 scheda non trovata; 6 dati non\n"
	"validi.\n"
	"\n"
	"  -u, --operator NAME   unlock as NAME\n"
	"  --key-file PATH       unlock with a key file\n"
	"  --passphrase-fd N     read the passphrase from descriptor N\n";

/* Print a domain refusal in Italian and return its exit code. */
static int refuse(int code, const char *fmt, const char *arg)
{
	fputs("presidio: ", stderr);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	return cli_exit_code(code);
}

/* ---- find ---- */

/* YYYY or YYYY-MM-DD into q; -1 when neither. */
static int parse_born(const char *s, struct store_search_query *q)
{
	uint64_t y, m, d;
	char part[5];

	if (strlen(s) == 4)
		return cli_parse_u64(s, 1, 9999, &y) ? -1
		       : (q->born_year = (int)y, 0);
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	memcpy(part, s, 4);
	part[4] = '\0';
	if (cli_parse_u64(part, 1, 9999, &y))
		return -1;
	memcpy(part, s + 5, 2);
	part[2] = '\0';
	if (cli_parse_u64(part, 1, 12, &m))
		return -1;
	memcpy(part, s + 8, 2);
	if (cli_parse_u64(part, 1, 31, &d))
		return -1;
	q->born_year = (int)y;
	q->born_month = (int)m;
	q->born_day = (int)d;
	return 0;
}

static const char *str(const json_t *f, const char *k)
{
	const char *v = json_string_value(json_object_get(f, k));

	return v ? v : "";
}

/* One person found: the fields the search is about. */
static int print_hit(struct store *s, const struct store_search_hit *h,
		     int json, struct err *e)
{
	char idtext[ID_TEXT_LEN + 1];
	struct store_record r;
	json_t *o = NULL;
	int rc;

	store_record_init(&r);
	rc = store_get(s, &h->id, &r, e);
	if (rc)
		goto out;
	id_format(&h->id, idtext);
	if (json) {
		rc = view_person_hit(s, h, &o, e);
		if (!rc)
			rc = cli_print_json(o, JSON_COMPACT | JSON_SORT_KEYS, e);
		goto out;
	}
	printf("%s  %s %s", idtext, str(r.fields, "family_name"),
	       str(r.fields, "given_name"));
	if (*str(r.fields, "birth_date"))
		printf("  nato/a il %s", str(r.fields, "birth_date"));
	if (*str(r.fields, "nationality"))
		printf("  cittadinanza %s", str(r.fields, "nationality"));
	if (h->merged == 1)
		printf("  (1 scheda unita)");
	else if (h->merged)
		printf("  (%u schede unite)", h->merged);
	if (h->cycle)
		printf("  [unione circolare: annullarne una con "
		       "`person unmerge`]");
	printf("\n");
out:
	json_decref(o);
	store_record_release(&r);
	return rc;
}

static int person_find(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, OPT_NAME },
		{ "born", required_argument, NULL, OPT_BORN },
		{ "nationality", required_argument, NULL, OPT_NAT },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "limit", required_argument, NULL, OPT_LIMIT },
		CLI_OPTIONS_UNLOCK, CLI_OPTION_HELP, CLI_OPTION_END
	};
	struct store_search_hit hits[STORE_SEARCH_LIMIT_MAX];
	struct store_search_query q;
	struct store *s = NULL;
	int opt, json = 0, rc;
	size_t n = 0;
	uint64_t limit;
	struct err e;

	memset(&q, 0, sizeof(q));
	cli_opts_begin(c, "person find", cli_usage_person);
	while ((opt = cli_next_opt(c, argc, argv, "hu:", opts)) >= 0) {
		if (opt == OPT_NAME)
			q.name = optarg;
		else if (opt == OPT_BORN && parse_born(optarg, &q) < 0)
			return cli_usage(c, "--born vuole AAAA-MM-GG o AAAA");
		else if (opt == OPT_NAT)
			q.nationality = optarg;
		else if (opt == OPT_JSON)
			json = 1;
		else if (opt == OPT_LIMIT) {
			if (cli_parse_u64(optarg, 1, STORE_SEARCH_LIMIT_MAX,
					  &limit))
				return cli_usage(c, "--limit vuole un numero "
						 "da 1 a %d",
						 STORE_SEARCH_LIMIT_MAX);
			q.limit = (size_t)limit;
		}
	}
	if (opt != CLI_NEXT_END)
		return cli_opts_exit(opt);
	if (cli_args(c, argc, 0, 0) < 0)
		return CLI_EXIT_USAGE;
	if (!q.name && !q.born_year && !q.nationality)
		return cli_usage(c, "indicare almeno --name, --born o "
				 "--nationality");
	err_init(&e);
	rc = cli_open_unlocked(c, &s, &e);
	if (rc < 0)
		goto out;
	rc = store_search_find(s, &q, hits, STORE_SEARCH_LIMIT_MAX, &n, &e);
	if (rc == ERR_INVALID) {
		store_close(s);
		return refuse(rc, "il nome cercato non contiene lettere "
			      "utilizzabili (%s)", "solo alfabeto latino");
	}
	for (size_t i = 0; !rc && i < n; i++)
		rc = print_hit(s, &hits[i], json, &e);
	if (!rc && !json && n == 0)
		fprintf(stderr, "presidio: nessuna persona trovata\n");
	if (!rc)
		log_info("person.find", "%zu found, operator %s", n,
			 store_operator(s));
out:
	store_close(s);
	return rc < 0 ? cli_fail(&e) : CLI_EXIT_OK;
}

/* ---- add ---- */

/* What made a duplicate likely, in words. */
static void print_why(unsigned why)
{
	const char *sep = "";

	fputs(" (", stderr);
	if (why & STORE_DUP_TAX) {
		fputs("stesso codice fiscale", stderr);
		sep = ", ";
	}
	if (why & STORE_DUP_NAME) {
		fprintf(stderr, "%snomi simili", sep);
		sep = ", ";
	}
	if (why & STORE_DUP_BIRTH) {
		fprintf(stderr, "%sstessa data di nascita", sep);
		sep = ", ";
	}
	if (why & STORE_DUP_NATIONALITY)
		fprintf(stderr, "%sstessa cittadinanza", sep);
	fputs(")", stderr);
}

static int warn_dups(struct store *s, const struct store_search_dup *d,
		     size_t n, struct err *e)
{
	char idtext[ID_TEXT_LEN + 1];
	struct store_record r;
	int rc = 0;

	fprintf(stderr, "presidio: attenzione: la persona potrebbe essere "
			"gia' registrata:\n");
	store_record_init(&r);
	for (size_t i = 0; !rc && i < n; i++) {
		rc = store_get(s, &d[i].id, &r, e);
		if (rc)
			break;
		id_format(&d[i].id, idtext);
		fprintf(stderr, "  %s  %s %s", idtext,
			str(r.fields, "family_name"),
			str(r.fields, "given_name"));
		if (*str(r.fields, "birth_date"))
			fprintf(stderr, "  nato/a il %s",
				str(r.fields, "birth_date"));
		fprintf(stderr, "  somiglianza %u/1000%s", d[i].score,
			d[i].strong ? " forte" : "");
		print_why(d[i].why);
		fputc('\n', stderr);
	}
	store_record_release(&r);
	return rc;
}

static int person_add(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, OPT_FORCE },
		CLI_OPTIONS_UNLOCK, CLI_OPTION_HELP, CLI_OPTION_END
	};
	struct store_search_dup dups[DUPS_MAX];
	struct store_put_result res;
	char idtext[ID_TEXT_LEN + 1];
	struct store *s = NULL;
	json_t *fields = NULL;
	json_error_t je;
	char *buf = NULL;
	size_t len = 0, n = 0;
	int opt, force = 0, rc, strong = 0;
	int refused = 0; /* a likely duplicate stopped it: no error */
	struct err e;

	cli_opts_begin(c, "person add", cli_usage_person);
	while ((opt = cli_next_opt(c, argc, argv, "hu:", opts)) >= 0)
		if (opt == OPT_FORCE)
			force = 1;
	if (opt != CLI_NEXT_END)
		return cli_opts_exit(opt);
	if (cli_args(c, argc, 0, 0) < 0)
		return CLI_EXIT_USAGE;
	err_init(&e);
	rc = cli_open_unlocked(c, &s, &e);
	if (!rc)
		rc = cli_read_input(&buf, &len, &e);
	if (rc < 0)
		goto out;
	fields = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	if (!json_is_object(fields)) {
		rc = err_set(&e, ERR_INVALID, "i dati sull'input non sono un "
			     "oggetto JSON valido (riga %d, colonna %d)",
			     je.line, je.column);
		goto out;
	}
	rc = schema_validate(schema_collection(PERSON_COLL),
			     fields, 1, &e);
	if (!rc)
		rc = store_search_duplicates(s, fields, NULL, dups, DUPS_MAX,
					     &n, &e);
	if (rc)
		goto out;
	for (size_t i = 0; i < n; i++)
		strong |= dups[i].strong;
	if (n)
		rc = warn_dups(s, dups, n, &e);
	if (rc)
		goto out;
	if (strong && !force) {
		log_info("person.add_refused", "refused, %zu likely duplicates, "
			 "operator %s", n, store_operator(s));
		refused = 1;
		goto out;
	}
	rc = store_put(s, PERSON_COLL, NULL, fields, &res, &e);
	if (rc)
		goto out;
	id_format(&res.id, idtext);
	printf("%s\n", idtext);
	log_info("person.add", "%s: created, %zu likely duplicates%s, "
		 "operator %s", idtext, n, strong ? " (forced)" : "",
		 store_operator(s));
out:
	json_decref(fields);
	cli_input_free(buf);
	store_close(s);
	if (refused)
		return refuse(ERR_CONFLICT, "persona NON registrata: %s",
			      "una scheda molto simile esiste gia'. "
			      "Controllare le schede indicate; se e' "
			      "davvero un'altra persona, ripetere con "
			      "--force");
	return rc < 0 ? cli_fail(&e) : CLI_EXIT_OK;
}

/* ---- merge, unmerge ---- */

static int person_merge(struct cli *c, int argc, char **argv, int undo)
{
	char idtext[ID_TEXT_LEN + 1];
	struct store *s = NULL;
	struct id dup, into, end;
	struct err e;
	int opt, rc;

	cli_opts_begin(c, undo ? "person unmerge" : "person merge",
		       cli_usage_person);
	opt = cli_next_opt(c, argc, argv, "hu:", (const struct option[]){
		CLI_OPTIONS_UNLOCK, CLI_OPTION_HELP, CLI_OPTION_END });
	if (opt != CLI_NEXT_END)
		return cli_opts_exit(opt);
	if (cli_args(c, argc, undo ? 1 : 2, undo ? 1 : 2) < 0 ||
	    cli_parse_id(c, argv[optind], &dup) < 0 ||
	    (!undo && cli_parse_id(c, argv[optind + 1], &into) < 0))
		return CLI_EXIT_USAGE;
	err_init(&e);
	rc = cli_open_unlocked(c, &s, &e);
	if (rc < 0)
		goto out;
	rc = undo ? store_search_unmerge(s, &dup, &e)
		  : store_search_merge(s, &dup, &into, &end, &e);
	if (rc == ERR_CONFLICT) {
		store_close(s);
		return refuse(rc, "unione rifiutata: %s", "la scheda di "
			      "destinazione e' gia' unita (direttamente o "
			      "tramite altre) a quella da unire: si "
			      "creerebbe un cerchio");
	}
	if (rc == ERR_INVALID) {
		store_close(s);
		return refuse(rc, "%s", undo ? "la scheda non e' unita ad "
			      "alcuna altra" : "unione non possibile: le "
			      "due schede devono essere persone diverse e "
			      "la prima non gia' unita (prima `person "
			      "unmerge`)");
	}
	if (rc < 0)
		goto out;
	if (undo) {
		printf("unione annullata\n");
	} else {
		id_format(&end, idtext);
		printf("unita a %s\n", idtext);
	}
	log_info("person.merge", "%s: operator %s", undo ? "unmerge" : "merge",
		 store_operator(s));
out:
	store_close(s);
	return rc < 0 ? cli_fail(&e) : CLI_EXIT_OK;
}

static int person_merge_cmd(struct cli *c, int argc, char **argv)
{
	return person_merge(c, argc, argv, 0);
}

static int person_unmerge_cmd(struct cli *c, int argc, char **argv)
{
	return person_merge(c, argc, argv, 1);
}

int cmd_person(struct cli *c, int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*run)(struct cli *c, int argc, char **argv);
	} subs[] = {
		{ "find", person_find },
		{ "add", person_add },
		{ "merge", person_merge_cmd },
		{ "unmerge", person_unmerge_cmd },
	};

	c->cmd_name = "person";
	c->cmd_usage = cli_usage_person;
	if (argc < 2)
		return cli_usage(c, "manca il sottocomando (find, add, "
				 "merge, unmerge)");
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		fputs(cli_usage_person, stdout);
		return CLI_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		if (strcmp(argv[1], subs[i].name) == 0)
			return subs[i].run(c, argc - 1, argv + 1);
	return cli_usage(c, "sottocomando sconosciuto '%.40s'", argv[1]);
}
