/*
 * cmd_directory.c - `presidio directory add|list`, the map of services
 * (schede di rilevazione, Annex 1 of the guidelines: collection
 * service_directory, shared by every node), and `presidio export --csv`,
 * a collection as a CSV file for a spreadsheet (view/view_export.h).
 *
 * directory add takes the Annex 1 fields as options named after them
 * (made from the declarations, so a new field gets its option) or, with
 * no option, as JSON on standard input.  export writes personal data in
 * clear: only into a file it creates (O_EXCL, mode 0600: never over an
 * existing one), or to standard output when --stdout says so, from a
 * buffer that is wiped.
 */
#include "node/cli/ops.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "view/view_export.h"

#define DIR_COLL "service_directory"
#define DIR_FIELDS_MAX 32

enum { OPT_REGION = CLI_OPT_LOCAL, OPT_TYPE, OPT_JSON, OPT_CSV, OPT_OUT,
       OPT_STDOUT, OPT_FIELD = CLI_OPT_LOCAL + 100 };

const char cli_usage_directory[] =
	"uso: presidio directory add [--body ENTE --type TIPO --region R ...]\n"
	"     presidio directory add < scheda.json\n"
	"     presidio directory list [--region R] [--type TIPO] [--json]\n"
	"\n"
	"La mappa dei servizi del territorio (scheda di rilevazione,\n"
	"Allegato 1 delle linee guida), la stessa su tutti i nodi.\n"
	"\n"
	"  add        registra un servizio (stampa l'identificativo, da\n"
	"             usare in consent add --service e referral send\n"
	"             --service). I campi come opzioni, oppure tutta la\n"
	"             scheda in JSON sull'input se non si da' alcuna opzione:\n"
	"    --body ENTE              Ente (obbligatorio)\n"
	"    --type TIPO              Tipologia di servizio (obbligatoria;\n"
	"                             gli stessi tipi di `presidio service`)\n"
	"    --address, --municipality, --province   Indirizzo, Comune,\n"
	"                             Provincia\n"
	"    --region R               Regione: campania, puglia, basilicata,\n"
	"                             calabria, sicilia\n"
	"    --phone, --email         Telefono, E-mail\n"
	"    --days-hours TESTO       Giorni e orari\n"
	"    --contact-person NOME    Referente (dato personale)\n"
	"    --territory TESTO        Ambito territoriale\n"
	"    --identification TESTO   Come identifica le vittime\n"
	"    --take-charge TESTO      Come prende in carico\n"
	"    --works-with TESTO       Con chi collabora\n"
	"  list       i servizi registrati, anche per regione o tipo.\n"
	"    --json                   una riga JSON per servizio\n"
	"\n"
	"I testi si possono dare anche come '-' (dall'input) o '@FILE'.\n"
	"\n"
	"Esempi:\n"
	"  presidio directory add --body \"Sportello lavoro\" --type \\\n"
	"      job_placement --region puglia --municipality Foggia\n"
	"  presidio directory list --region puglia\n"
	"\n"
	"  -u, --operator NAME   unlock as NAME\n"
	"  --key-file PATH       unlock with a key file\n"
	"  --passphrase-fd N     read the passphrase from descriptor N\n";

const char cli_usage_export[] =
	"uso: presidio export --csv COLLEZIONE (--out FILE | --stdout)\n"
	"\n"
	"Esporta le schede di una collezione (per esempio ledger, service,\n"
	"referral, dote: l'elenco con `presidio schema`) in un file CSV\n"
	"per il foglio di calcolo: la prima riga sono i nomi dei campi in\n"
	"italiano, poi una riga per scheda; ';' tra i valori, la virgola\n"
	"per i decimali, le date gg/mm/aaaa, gli importi in euro.\n"
	"\n"
	"ATTENZIONE: il file contiene DATI PERSONALI IN CHIARO, non cifrati.\n"
	"Per questo:\n"
	"  - si scrive solo in un file NUOVO, creato leggibile soltanto da\n"
	"    chi lo crea (permessi 0600); un file esistente non viene mai\n"
	"    sovrascritto;\n"
	"  - sullo schermo (standard output) solo con --stdout esplicito;\n"
	"  - il testo passa da una memoria che viene cancellata dopo l'uso.\n"
	"Conservare il file al sicuro e cancellarlo quando non serve piu'.\n"
	"L'esportazione e' registrata nel registro del nodo con il nome\n"
	"dell'operatore che l'ha fatta (mai i dati).\n"
	"\n"
	"    --csv COLLEZIONE   la collezione da esportare\n"
	"    --out FILE         il file da creare\n"
	"    --stdout           scrive sullo standard output\n"
	"\n"
	"Esempio:\n"
	"  presidio export --csv ledger --out movimenti-marzo.csv\n"
	"\n"
	"Codici di uscita: 0 fatto; 8 il file esiste gia'; 3 collezione\n"
	"sconosciuta; 2 opzioni sbagliate.\n"
	"\n"
	"  -u, --operator NAME   unlock as NAME\n"
	"  --key-file PATH       unlock with a key file\n"
	"  --passphrase-fd N     read the passphrase from descriptor N\n";

/* ---- directory add ---- */

/* The option of field f: its name with '-' for '_' ("type" for
 * service_type). */
static void option_name(const struct schema_field *f, char *out, size_t n)
{
	snprintf(out, n, "%s", strcmp(f->name, "service_type") == 0
				       ? "type" : f->name);
	for (char *p = out; *p; p++)
		if (*p == '_')
			*p = '-';
}

/* One option's value into fields. */
static int field_value(struct cli *c, const struct schema_field *f,
		       const char *opt, const char *arg, json_t *fields,
		       struct err *e)
{
	const char *v = NULL;
	char *text = NULL;
	int rc;

	if (f->type == SCHEMA_ENUM) {
		if (ops_enum(c, opt, DIR_COLL, f->name, NULL, arg, &v) < 0)
			return CLI_ERR_USAGE;
		return json_object_set_new(fields, f->name, json_string(v))
			       ? err_set(e, ERR_NOMEM, "out of memory") : 0;
	}
	rc = ops_text_read(arg, &text, e);
	if (!rc && json_object_set_new(fields, f->name, json_string(text)))
		rc = err_set(e, ERR_NOMEM, "out of memory");
	ops_text_free(text);
	return rc;
}

static int directory_add(struct cli *c, int argc, char **argv)
{
	const struct schema_collection *dc = schema_collection(DIR_COLL);
	struct option opts[DIR_FIELDS_MAX + 5];
	char names[DIR_FIELDS_MAX][40], opt_text[48];
	char idtext[ID_TEXT_LEN + 1];
	struct store_put_result res;
	struct store *s = NULL;
	json_t *fields = json_object();
	json_error_t je;
	char *buf = NULL;
	size_t n = 0, len = 0, given = 0;
	struct err e;
	int opt, rc = 0;

	err_init(&e);
	for (size_t i = 0; dc && i < dc->nfields && n < DIR_FIELDS_MAX; i++) {
		option_name(&dc->fields[i], names[n], sizeof(names[n]));
		opts[n] = (struct option){ names[n], required_argument, NULL,
					   OPT_FIELD + (int)i };
		n++;
	}
	opts[n++] = (struct option){ "operator", required_argument, NULL,
				     'u' };
	opts[n++] = (struct option){ "key-file", required_argument, NULL,
				     CLI_OPT_KEY_FILE };
	opts[n++] = (struct option){ "passphrase-fd", required_argument,
				     NULL, CLI_OPT_PASS_FD };
	opts[n++] = (struct option){ "help", no_argument, NULL, 'h' };
	opts[n] = (struct option){ NULL, 0, NULL, 0 };
	cli_opts_begin(c, "directory add", cli_usage_directory);
	while (fields &&
	       (opt = cli_next_opt(c, argc, argv, "hu:", opts)) >= 0) {
		const struct schema_field *f = &dc->fields[opt - OPT_FIELD];

		snprintf(opt_text, sizeof(opt_text), "--%s",
			 names[opt - OPT_FIELD]);
		rc = field_value(c, f, opt_text, optarg, fields, &e);
		if (rc == CLI_ERR_USAGE) {
			json_decref(fields);
			return CLI_EXIT_USAGE;
		}
		if (rc)
			goto out;
		given++;
	}
	if (!fields) {
		rc = err_set(&e, ERR_NOMEM, "out of memory");
		goto out;
	}
	if (opt != CLI_NEXT_END) {
		json_decref(fields);
		return cli_opts_exit(opt);
	}
	if (cli_args(c, argc, 0, 0) < 0) {
		json_decref(fields);
		return CLI_EXIT_USAGE;
	}
	rc = cli_open_unlocked(c, &s, &e);
	if (!rc && !given) {
		rc = cli_read_input(&buf, &len, &e);
		json_decref(fields);
		fields = rc ? NULL
			    : json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
		if (!rc && !json_is_object(fields))
			rc = err_set(&e, ERR_INVALID, "la scheda sull'input "
				     "non e' un oggetto JSON valido (riga %d, "
				     "colonna %d)", je.line, je.column);
	}
	if (!rc)
		rc = store_put(s, DIR_COLL, NULL, fields, &res, &e);
	if (rc)
		goto out;
	id_format(&res.id, idtext);
	printf("%s\n", idtext);
	log_info("directory.add", "%s: operator %s", idtext, store_operator(s));
out:
	json_decref(fields);
	cli_input_free(buf);
	store_close(s);
	return rc ? ops_fail(&e, "servizio non registrato") : CLI_EXIT_OK;
}

/* ---- directory list ---- */

struct dir_list {
	const char *region, *type;
	int json;
	size_t n;
	struct err *e;
};

static const char *str(const json_t *f, const char *k)
{
	const char *v = json_string_value(json_object_get(f, k));

	return v ? v : "";
}

static int dir_one(void *ctx, const struct store_record *r)
{
	struct dir_list *l = ctx;
	char idtext[ID_TEXT_LEN + 1];
	json_t *o;
	int rc;

	if ((l->region && strcmp(str(r->fields, "region"), l->region)) ||
	    (l->type && strcmp(str(r->fields, "service_type"), l->type)))
		return 0;
	l->n++;
	id_format(&r->id, idtext);
	if (!l->json) {
		printf("%s  %s  %s%s%s  %s\n", idtext, str(r->fields, "body"),
		       str(r->fields, "municipality"),
		       *str(r->fields, "municipality") ? ", " : "",
		       ops_value_label(DIR_COLL, "region",
				       str(r->fields, "region")),
		       ops_value_label(DIR_COLL, "service_type",
				       str(r->fields, "service_type")));
		return 0;
	}
	o = json_deep_copy(r->fields);
	if (!o || json_object_set_new(o, "id", json_string(idtext))) {
		json_decref(o);
		return err_set(l->e, ERR_NOMEM, "out of memory");
	}
	rc = cli_print_json(o, JSON_COMPACT | JSON_SORT_KEYS, l->e);
	json_decref(o);
	return rc;
}

static int directory_list(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "region", required_argument, NULL, OPT_REGION },
		{ "type", required_argument, NULL, OPT_TYPE },
		{ "json", no_argument, NULL, OPT_JSON },
		CLI_OPTIONS_UNLOCK, CLI_OPTION_HELP, CLI_OPTION_END
	};
	struct store *s = NULL;
	struct err e;
	struct dir_list l = { NULL, NULL, 0, 0, &e };
	int opt, rc;

	cli_opts_begin(c, "directory list", cli_usage_directory);
	while ((opt = cli_next_opt(c, argc, argv, "hu:", opts)) >= 0) {
		if ((opt == OPT_REGION &&
		     ops_enum(c, "--region", DIR_COLL, "region", NULL, optarg,
			      &l.region) < 0) ||
		    (opt == OPT_TYPE &&
		     ops_enum(c, "--type", DIR_COLL, "service_type", NULL,
			      optarg, &l.type) < 0))
			return CLI_EXIT_USAGE;
		if (opt == OPT_JSON)
			l.json = 1;
	}
	if (opt != CLI_NEXT_END)
		return cli_opts_exit(opt);
	if (cli_args(c, argc, 0, 0) < 0)
		return CLI_EXIT_USAGE;
	err_init(&e);
	rc = cli_open_unlocked(c, &s, &e);
	if (!rc)
		rc = store_list(s, DIR_COLL, 0, dir_one, &l, &e);
	if (!rc && !l.n && !l.json)
		printf("nessun servizio registrato\n");
	store_close(s);
	return rc ? ops_fail(&e, "servizi non mostrati") : CLI_EXIT_OK;
}

int cmd_directory(struct cli *c, int argc, char **argv)
{
	c->cmd_name = "directory";
	c->cmd_usage = cli_usage_directory;
	if (argc < 2)
		return cli_usage(c, "manca il sottocomando (add, list)");
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		fputs(cli_usage_directory, stdout);
		return CLI_EXIT_OK;
	}
	if (strcmp(argv[1], "add") == 0)
		return directory_add(c, argc - 1, argv + 1);
	if (strcmp(argv[1], "list") == 0)
		return directory_list(c, argc - 1, argv + 1);
	return cli_usage(c, "sottocomando sconosciuto '%.40s'", argv[1]);
}

/* ---- export ---- */

/* All of b to fd. */
static int write_all(int fd, const struct buf *b, struct err *e)
{
	size_t off = 0;
	ssize_t w;

	while (off < b->len) {
		w = write(fd, b->data + off, b->len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return err_set(e, ERR_IO, "scrittura non riuscita: %s",
				       strerror(errno));
		off += (size_t)w;
	}
	return 0;
}

int cmd_export(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "csv", required_argument, NULL, OPT_CSV },
		{ "out", required_argument, NULL, OPT_OUT },
		{ "stdout", no_argument, NULL, OPT_STDOUT },
		CLI_OPTIONS_UNLOCK, CLI_OPTION_HELP, CLI_OPTION_END
	};
	const char *coll = NULL, *path = NULL;
	struct store *s = NULL;
	int opt, rc, to_stdout = 0, fd = -1;
	size_t rows = 0;
	struct buf b;
	struct err e;

	cli_opts_begin(c, "export", cli_usage_export);
	while ((opt = cli_next_opt(c, argc, argv, "hu:", opts)) >= 0) {
		if (opt == OPT_CSV)
			coll = optarg;
		else if (opt == OPT_OUT)
			path = optarg;
		else if (opt == OPT_STDOUT)
			to_stdout = 1;
	}
	if (opt != CLI_NEXT_END)
		return cli_opts_exit(opt);
	if (cli_args(c, argc, 0, 0) < 0)
		return CLI_EXIT_USAGE;
	if (!coll)
		return cli_usage(c, "manca --csv COLLEZIONE");
	if (!schema_collection(coll))
		return cli_usage(c, "--csv: collezione sconosciuta '%.40s' "
				 "(l'elenco con `presidio schema`)", coll);
	if (!path == !to_stdout)
		return cli_usage(c, "indicare --out FILE (un file nuovo) "
				 "oppure, esplicitamente, --stdout");
	err_init(&e);
	buf_init(&b, VIEW_EXPORT_MAX);
	if (path) {
		/* Created here, before anything is decrypted: never over
		 * an existing file, never through a symbolic link. */
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
					O_CLOEXEC, 0600);
		if (fd < 0) {
			rc = err_set(&e, errno == EEXIST ? ERR_EXISTS : ERR_IO,
				     "--out: %s", errno == EEXIST
				     ? "il file esiste gia': l'esportazione "
				       "non sovrascrive mai, scegliere un "
				       "nome nuovo"
				     : strerror(errno));
			goto out;
		}
		if (fchmod(fd, 0600) < 0) {
			rc = err_set(&e, ERR_IO, "--out: %s", strerror(errno));
			goto out;
		}
	}
	rc = cli_open_unlocked(c, &s, &e);
	if (!rc)
		rc = view_export_csv(s, coll, &b, &rows, &e);
	if (!rc) {
		fflush(stdout);
		rc = write_all(path ? fd : STDOUT_FILENO, &b, &e);
	}
	if (!rc && path && fsync(fd) < 0)
		rc = err_set(&e, ERR_IO, "--out: %s", strerror(errno));
	if (rc)
		goto out;
	if (path)
		fprintf(stderr, "presidio: %zu schede esportate in %s "
			"(DATI PERSONALI IN CHIARO: conservare al sicuro)\n",
			rows, path);
	log_info("export.done", "%s: %zu records, operator %s", coll, rows,
		 store_operator(s));
out:
	if (fd >= 0 && close(fd) < 0 && !rc)
		rc = err_set(&e, ERR_IO, "--out: %s", strerror(errno));
	if (rc && fd >= 0)
		unlink(path); /* created here: no half export left */
	buf_release(&b);
	store_close(s);
	return rc ? ops_fail(&e, "esportazione non fatta") : CLI_EXIT_OK;
}
