/*
 * cmd_audit.c - `presidio audit`: the audit trail (who read and wrote
 * what, node/store_audit.h), for the coordinatore of a node and the Focal
 * Point on the hub; `presidio emergency`: break-the-glass, an operator
 * opening a record beyond its role for a stated reason and a set time.
 */
#include "node/cli/cli.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "node/store_audit.h"

enum { OPT_JSON = CLI_OPT_LOCAL, OPT_RECORD, OPT_WHO, OPT_EMERGENCY,
       OPT_LIMIT, OPT_VERIFY, OPT_REASON, OPT_MINUTES };

const char cli_usage_audit[] =
	"usage: presidio audit [--record ID] [--who NAME] [--emergency]\n"
	"                      [--limit N] [--json]\n"
	"       presidio audit --verify\n"
	"\n"
	"The audit trail: who read and wrote a person's data, on which node,\n"
	"when, and why.  Entries carry ids, never values.  For the\n"
	"coordinatore of a node (its node's entries) and the focal_point on\n"
	"the hub (every node's, sent at each sync).  One line per entry:\n"
	"  NODE#N DATE TIME OPERATOR(ROLE) ACTION COLLECTION RECORD PURPOSE\n"
	"with EMERGENZA at the end of a break-the-glass entry.\n"
	"\n"
	"  --record ID           only the entries of record ID\n"
	"  --who NAME            only operator NAME's entries\n"
	"  --emergency           only break-the-glass entries\n"
	"  --limit N             the latest N entries (default 200)\n"
	"  --json                JSON Lines: node, nseq, time (unix ms),\n"
	"                        operator, role, action, collection, record,\n"
	"                        count, purpose, emergency, hash\n"
	"  --verify              check every chain (numbers, hashes, MACs):\n"
	"                        exit 5 names the first entry removed,\n"
	"                        altered or moved\n"
	"  -u, --operator NAME   unlock as NAME\n"
	"  --key-file PATH       unlock with a key file\n"
	"  --passphrase-fd N     read the passphrase from descriptor N\n";

const char cli_usage_emergency[] =
	"uso: presidio emergency ID --reason MOTIVO [--minutes N]\n"
	"\n"
	"Accesso di emergenza (break-the-glass): apre per intero la scheda\n"
	"ID, compresi i campi che il ruolo dell'operatore non legge, per N\n"
	"minuti (predefinito 30, al massimo 480).  L'accesso e ogni lettura\n"
	"fatta con esso restano nel registro degli accessi, segnalati al\n"
	"coordinatore.  MOTIVO è uno di:\n"
	"  urgenza_sicurezza            urgenza per la sicurezza della persona\n"
	"  necessita_sanitaria          necessità sanitaria\n"
	"  richiesta_autorita           richiesta dell'autorità giudiziaria o\n"
	"                               di polizia\n"
	"  continuita_presa_in_carico   l'operatore di riferimento è assente\n"
	"\n"
	"  --reason MOTIVO       il motivo (obbligatorio)\n"
	"  --minutes N           la durata in minuti\n"
	"  -u, --operator NAME   l'operatore\n"
	"  --key-file PATH       sblocca con un file di chiave\n"
	"  --passphrase-fd N     legge la passphrase dal descrittore N\n";

struct audit_out {
	int json;
	uint64_t n;
	struct err *e;
};

static int print_entry(void *ctx, const struct store_audit_entry *a)
{
	struct audit_out *o = ctx;
	const struct schema_collection *c =
		a->coll ? schema_collection_by_id(a->coll) : NULL;
	char node[ID_TEXT_LEN + 1], rec[ID_TEXT_LEN + 1], when[32];
	char hash[2 * STORE_AUDIT_HASHBYTES + 1];
	time_t t = (time_t)(a->at / 1000);
	struct tm tm;

	id_format(&a->node, node);
	if (a->has_record)
		id_format(&a->record, rec);
	else
		snprintf(rec, sizeof(rec), "-");
	o->n++;
	if (o->json) {
		json_t *j;
		int rc;

		sodium_bin2hex(hash, sizeof(hash), a->hash, sizeof(a->hash));
		j = json_pack("{ss sI sI ss ss ss s:s? s:s? sI ss sb ss}",
			      "node", node, "nseq", (json_int_t)a->nseq, "time",
			      (json_int_t)a->at, "operator", a->operator,
			      "role", a->role, "action", a->action,
			      "collection", c ? c->name : NULL, "record",
			      a->has_record ? rec : NULL, "count",
			      (json_int_t)a->count, "purpose", a->purpose,
			      "emergency", a->glass, "hash", hash);
		if (!j)
			return err_set(o->e, ERR_NOMEM, "out of memory");
		rc = cli_print_json(j, JSON_COMPACT, o->e);
		json_decref(j);
		return rc;
	}
	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%d/%m/%Y %H:%M:%S", &tm);
	printf("%.8s#%" PRIu64 " %s %s(%s) %s %s %s %s%s\n", node, a->nseq,
	       when, a->operator, a->role[0] ? a->role : "-", a->action,
	       c ? c->name : "-", rec, a->purpose,
	       a->glass ? " EMERGENZA" : "");
	return 0;
}

int cmd_audit(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_OPTIONS_UNLOCK,
		{ "json", no_argument, NULL, OPT_JSON },
		{ "record", required_argument, NULL, OPT_RECORD },
		{ "who", required_argument, NULL, OPT_WHO },
		{ "emergency", no_argument, NULL, OPT_EMERGENCY },
		{ "limit", required_argument, NULL, OPT_LIMIT },
		{ "verify", no_argument, NULL, OPT_VERIFY },
		CLI_OPTION_HELP, CLI_OPTION_END
	};
	struct store_audit_filter f = { NULL, NULL, 0, 200 };
	struct audit_out o = { 0, 0, NULL };
	struct store *s = NULL;
	struct id rec;
	uint64_t n = 0;
	int opt, rc, verify = 0;
	struct err e;

	cli_opts_begin(c, "audit", cli_usage_audit);
	while ((opt = cli_next_opt(c, argc, argv, "hu:", opts)) !=
	       CLI_NEXT_END) {
		if (opt == OPT_JSON)
			o.json = 1;
		else if (opt == OPT_RECORD) {
			if (cli_parse_id(c, optarg, &rec) < 0)
				return CLI_EXIT_USAGE;
			f.record = &rec;
		} else if (opt == OPT_WHO) {
			if (keyslot_check_operator(optarg, NULL))
				return cli_usage(c, "--who: not an operator "
						 "name");
			f.operator = optarg;
		} else if (opt == OPT_EMERGENCY)
			f.glass_only = 1;
		else if (opt == OPT_LIMIT) {
			if (cli_parse_u64(optarg, 1, 1000000, &n))
				return cli_usage(c, "--limit: a number from 1 "
						 "to 1000000");
			f.limit = (size_t)n;
		} else if (opt == OPT_VERIFY)
			verify = 1;
		else
			return cli_opts_exit(opt);
	}
	if (cli_args(c, argc, 0, 0) < 0)
		return CLI_EXIT_USAGE;
	err_init(&e);
	o.e = &e;
	rc = cli_open_unlocked(c, &s, &e);
	if (rc < 0)
		goto out;
	if (verify) {
		rc = store_audit_verify(s, &n, &e);
		if (!rc)
			printf("audit trail ok: %" PRIu64 " entries\n", n);
		goto out;
	}
	rc = store_audit_list(s, &f, print_entry, &o, &e);
out:
	store_close(s);
	return rc < 0 ? cli_fail(&e) : CLI_EXIT_OK;
}

int cmd_emergency(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_OPTIONS_UNLOCK,
		{ "reason", required_argument, NULL, OPT_REASON },
		{ "minutes", required_argument, NULL, OPT_MINUTES },
		CLI_OPTION_HELP, CLI_OPTION_END
	};
	const char *reason = NULL;
	struct store *s = NULL;
	uint64_t minutes = 30, until = 0;
	struct id rec;
	int opt, rc;
	struct err e;

	cli_opts_begin(c, "emergency", cli_usage_emergency);
	while ((opt = cli_next_opt(c, argc, argv, "hu:", opts)) !=
	       CLI_NEXT_END) {
		if (opt == OPT_REASON)
			reason = optarg;
		else if (opt == OPT_MINUTES) {
			if (cli_parse_u64(optarg, 1, STORE_GLASS_MINUTES_MAX,
					  &minutes))
				return cli_usage(c, "--minutes: da 1 a %d",
						 STORE_GLASS_MINUTES_MAX);
		} else
			return cli_opts_exit(opt);
	}
	if (cli_args(c, argc, 1, 1) < 0)
		return CLI_EXIT_USAGE;
	if (cli_parse_id(c, argv[optind], &rec) < 0)
		return CLI_EXIT_USAGE;
	if (!reason)
		return cli_usage(c, "--reason è obbligatorio");
	err_init(&e);
	rc = cli_open_unlocked(c, &s, &e);
	if (rc < 0)
		goto out;
	rc = store_glass_open(s, &rec, reason, (unsigned)minutes, &until, &e);
	if (rc < 0)
		goto out;
	{
		time_t t = (time_t)(until / 1000);
		struct tm tm;
		char when[32];

		localtime_r(&t, &tm);
		strftime(when, sizeof(when), "%d/%m/%Y %H:%M", &tm);
		printf("accesso di emergenza a %s fino alle %s: resta nel "
		       "registro degli accessi\n",
		       argv[optind], when);
	}
	log_warn("audit.emergency", "operator %s opened a record beyond its "
		 "role (%s)", store_operator(s), reason);
out:
	store_close(s);
	return rc < 0 ? cli_fail(&e) : CLI_EXIT_OK;
}
