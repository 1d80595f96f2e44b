/*
 * main.c - the `presidio` program: hardening at start-up, the global
 * options, the command table and `help` / `version`.
 *
 * Start-up makes the process a poor source of leaks before anything is
 * read: files are private (umask 077), no core dumps and no ptrace by
 * other users' processes (RLIMIT_CORE 0, PR_SET_DUMPABLE 0), and every
 * block Jansson frees is wiped first, since decrypted records pass
 * through Jansson.  Then `presidio [--dir DIR] COMMAND ...` dispatches to
 * the command; the command's exit code is the program's.
 */
#include "node/cli/cli.h"

#include <limits.h>
#include <sodium.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/jwipe.h"
#include "common/log.h"
#include "node/keyslot.h"

static int cmd_help(struct cli *c, int argc, char **argv);
static int cmd_version(struct cli *c, int argc, char **argv);

static const char usage_help[] =
	"usage: presidio help [COMMAND]\n"
	"\n"
	"List the commands, exit codes and environment variables, or show\n"
	"the usage of one command.\n";

static const char usage_version[] =
	"usage: presidio version\n"
	"\n"
	"Print the program's version.\n";

static const struct cli_command commands[] = {
	{ "init", cmd_init, "create a node", cli_usage_init },
	{ "put", cmd_put, "create or update a record from JSON on stdin",
	  cli_usage_put },
	{ "get", cmd_get, "print a record", cli_usage_get },
	{ "list", cmd_list, "list the records of a collection",
	  cli_usage_list },
	{ "delete", cmd_delete, "mark a record deleted", cli_usage_delete },
	{ "history", cmd_history, "every change of a record",
	  cli_usage_history },
	{ "log", cmd_log, "the change log", cli_usage_log },
	{ "conflicts", cmd_conflicts, "list the open conflicts",
	  cli_usage_conflicts },
	{ "resolve", cmd_resolve, "settle a conflict", cli_usage_resolve },
	{ "refused", cmd_refused, "changes refused, kept sealed; export them",
	  cli_usage_refused },
	{ "audit", cmd_audit, "who read and wrote what (coordinator, Focal "
	  "Point)", cli_usage_audit },
	{ "erasures", cmd_erasures, "persons erased (hub: decided; node: "
	  "applied)", cli_usage_erasures },
	{ "retention", cmd_retention, "who retention erases and when (the "
	  "hub erases them)", cli_usage_retention },
	{ "status", cmd_status, "node, records, clock and keys",
	  cli_usage_status },
	{ "report", cmd_report, "indicators without personal data (JSON, CSV)",
	  cli_usage_report },
	{ "import", cmd_import, "load records from a JSON Lines file",
	  cli_usage_import },
	{ "schema", cmd_schema, "the collections and fields, in Italian",
	  cli_usage_schema },
	{ "operator", cmd_operator, "add, remove, list operators; passwd",
	  cli_usage_operator },
	{ "key", cmd_key, "rotate the data key", cli_usage_key },
	{ "verify", cmd_verify, "check the database and every sealed value",
	  cli_usage_verify },
	{ "enroll", cmd_enroll, "join a hub with a one-time token",
	  cli_usage_enroll },
	{ "sync", cmd_sync, "exchange changes with the hub", cli_usage_sync },
	{ "hub", cmd_hub, "hub: serve sync, manage nodes", cli_usage_hub },
	{ "ui", cmd_ui, "serve the operators' web interface (Italian)",
	  cli_usage_ui },
	{ "config", cmd_config, "the settings in effect, and where each "
	  "comes from", cli_usage_config },
	{ "backup", cmd_backup, "write a backup of the store (online)",
	  cli_usage_backup },
	{ "restore", cmd_restore, "restore the store from a backup",
	  cli_usage_restore },
	{ "help", cmd_help, "this text, or a command's usage", usage_help },
	{ "version", cmd_version, "print the version", usage_version },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

/* The commands of the operators (in Italian), listed apart in the help. */
static const struct cli_command operator_commands[] = {
	{ "person", cmd_person, "cercare persone, registrarle, unire "
	  "doppioni", cli_usage_person },
	{ "case", cmd_case, "aprire un caso; vederlo (procedura BdI, "
	  "schede)", cli_usage_case },
	{ "assess", cmd_assess, "scheda di valutazione preliminare; "
	  "inviarla", cli_usage_assess },
	{ "validate", cmd_validate, "hub: eleggibile o non eleggibile",
	  cli_usage_validate },
	{ "match", cmd_match, "scegliere il soggetto attuatore; affidare "
	  "al PdA", cli_usage_match },
	{ "profile", cmd_profile, "scheda profilo di entrata o di uscita",
	  cli_usage_profile },
	{ "plan", cmd_plan, "progetto di accompagnamento e obiettivi",
	  cli_usage_plan },
	{ "take-charge", cmd_take_charge, "presa in carico BdI",
	  cli_usage_take_charge },
	{ "close", cmd_close, "proporre (nodo) o formalizzare (hub) la "
	  "chiusura", cli_usage_close },
	{ "followup", cmd_followup, "follow-up dopo la chiusura",
	  cli_usage_followup },
	{ "dote", cmd_dote, "doti BdI: assegnare, attivare, chiudere, "
	  "revocare", cli_usage_dote },
	{ "budget", cmd_budget, "movimenti di budget di una dote (euro)",
	  cli_usage_budget },
	{ "service", cmd_service, "registrare un intervento",
	  cli_usage_service },
	{ "consent", cmd_consent, "consensi della persona",
	  cli_usage_consent },
	{ "referral", cmd_referral, "invii ad altri servizi",
	  cli_usage_referral },
	{ "directory", cmd_directory, "mappa dei servizi (Allegato 1)",
	  cli_usage_directory },
	{ "export", cmd_export, "CSV per il foglio di calcolo (dati in "
	  "chiaro)", cli_usage_export },
	{ "emergency", cmd_emergency, "accesso di emergenza a una scheda, "
	  "con il motivo", cli_usage_emergency },
};

#define NOPCOMMANDS (sizeof(operator_commands) / sizeof(operator_commands[0]))

static const char usage_head[] =
	"usage: presidio [--dir DIR] [--config FILE] [-c KEY=VALUE]...\n"
	"                COMMAND [OPTIONS] [ARGS]\n"
	"\n"
	"Presidio: an offline-first encrypted case store.\n"
	"\n"
	"Global options:\n"
	"  -d, --dir DIR   the node directory (default $PRESIDIO_DIR, else\n"
	"                  'dir' in the configuration, else $HOME/.presidio)\n"
	"  --config FILE   the configuration file (default $PRESIDIO_CONFIG,\n"
	"                  else /etc/presidio/presidio.conf if present)\n"
	"  -c KEY=VALUE    a setting for this run (see 'presidio config')\n"
	"  -h, --help      this text\n"
	"  --version       the program's version\n"
	"\n"
	"Commands:\n";

static const char usage_tail[] =
	"\n"
	"Run 'presidio COMMAND --help' for a command's options.\n"
	"\n"
	"Exit codes:\n"
	"  0  ok\n"
	"  1  failure (I/O, internal)\n"
	"  2  usage (bad options or arguments)\n"
	"  3  not found\n"
	"  4  authentication failed (wrong passphrase or key file)\n"
	"  5  data integrity error (corrupt or tampered data)\n"
	"  6  invalid input (JSON, schema)\n"
	"  7  busy (database locked too long)\n"
	"  8  already exists\n"
	"  9  refused by a rule\n"
	"  10 sync done, but the hub refused some changes\n"
	"  11 the hub could not be reached\n"
	"\n"
	"Environment:\n"
	"  PRESIDIO_CONFIG          configuration file\n"
	"  PRESIDIO_DIR             node directory\n"
	"  PRESIDIO_OPERATOR        operator to unlock as (-u)\n"
	"  PRESIDIO_KEY_FILE        key file to unlock with (--key-file)\n"
	"  PRESIDIO_PASSPHRASE      passphrase to unlock with\n"
	"  PRESIDIO_NEW_PASSPHRASE  passphrase for init, operator add and\n"
	"                           operator passwd\n"
	"  PRESIDIO_<KEY>           any setting ('presidio config')\n"
	"Passphrases are never accepted as arguments: without a key file,\n"
	"--passphrase-fd or the environment, they are asked on the terminal.\n";

static void print_usage(FILE *f)
{
	size_t i;

	fputs(usage_head, f);
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-9s %s\n", commands[i].name,
			commands[i].summary);
	fputs("\nComandi per gli operatori (in italiano):\n", f);
	for (i = 0; i < NOPCOMMANDS; i++)
		fprintf(f, "  %-11s %s\n", operator_commands[i].name,
			operator_commands[i].summary);
	fputs(usage_tail, f);
}

static const struct cli_command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	for (i = 0; i < NOPCOMMANDS; i++)
		if (strcmp(operator_commands[i].name, name) == 0)
			return &operator_commands[i];
	return NULL;
}

static int cmd_help(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = { CLI_OPTION_HELP,
					      CLI_OPTION_END };
	const struct cli_command *cmd;
	int opt;

	cli_opts_begin(c, "help", usage_help);
	opt = cli_next_opt(c, argc, argv, "h", opts);
	if (opt != CLI_NEXT_END)
		return cli_opts_exit(opt);
	if (cli_args(c, argc, 0, 1) < 0)
		return CLI_EXIT_USAGE;
	if (optind == argc) {
		print_usage(stdout);
		return CLI_EXIT_OK;
	}
	cmd = find_command(argv[optind]);
	if (!cmd)
		return cli_usage(c, "unknown command '%.40s'", argv[optind]);
	fputs(cmd->usage, stdout);
	return CLI_EXIT_OK;
}

static void print_version(void)
{
	printf("presidio %s\n", CLI_VERSION);
	if (keyslot_cost_lowered())
		printf("test build: key slots made at Argon2id's minimum cost; "
		       "never install it\n");
}

static int cmd_version(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = { CLI_OPTION_HELP,
					      CLI_OPTION_END };
	int opt;

	cli_opts_begin(c, "version", usage_version);
	opt = cli_next_opt(c, argc, argv, "h", opts);
	if (opt != CLI_NEXT_END)
		return cli_opts_exit(opt);
	if (cli_args(c, argc, 0, 0) < 0)
		return CLI_EXIT_USAGE;
	print_version();
	return CLI_EXIT_OK;
}

/* ---- start-up ---- */

static int harden(void)
{
	struct rlimit none = { 0, 0 };

	umask(077);
	if (setrlimit(RLIMIT_CORE, &none) < 0 ||
	    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
		cli_error("cannot disable core dumps");
		return -1;
	}
	jwipe_install();
	if (sodium_init() < 0) {
		cli_error("cannot initialise libsodium");
		return -1;
	}
	return 0;
}

/* The global options: what the settings are loaded with. */
struct globals {
	const char *dir;         /* --dir, or NULL */
	const char *config;      /* --config, or NULL */
	char *sets[32];          /* -c KEY=VALUE, in order */
	size_t nsets;
};

static int load_settings(struct cli *c, const struct globals *g)
{
	struct err e;

	err_init(&e);
	if (cli_conf_load(c, g->config, g->sets, g->nsets, &e) < 0) {
		cli_error("%s", e.msg);
		return -1;
	}
	if (g->dir && *g->dir) {
		if (cli_conf_flag(c, "dir", g->dir, "--dir") != 0)
			return -1;
		c->dir = conf_str(&c->conf, "dir");
	}
	return 0;
}

static void cli_init(struct cli *c)
{
	memset(c, 0, sizeof(*c));
	c->pass_fd = -1;
	c->new_pass_fd = -1;
	c->unlocked = KEYSLOT_PASSPHRASE;
	c->tty_err = isatty(STDERR_FILENO);
}

/* Report a bad global option without any "=value" part. */
static void bad_global(int argc, char **argv)
{
	const char *arg = optind > 0 && optind <= argc ? argv[optind - 1] : "?";
	size_t n = strcspn(arg, "=");

	if (optopt > 0 && optopt < 256)
		cli_usage(NULL, "bad global option '-%c'", optopt);
	else
		cli_usage(NULL, "bad global option '%.*s'",
			  (int)(n > 40 ? 40 : n), arg);
}

/* Global options up to the command word, into g.  *done is set when
 * the program ends here (help printed, usage error): the exit code is
 * then returned. */
static int global_options(int argc, char **argv, struct globals *g,
			  int *done)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "config", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		CLI_OPTION_END
	};
	int opt;

	optind = 0;
	opterr = 0;
	*done = 0;
	for (;;) {
		opt = getopt_long(argc, argv, "+:c:d:h", opts, NULL);
		if (opt == -1)
			return CLI_EXIT_OK;
		*done = 1;
		if (opt == 'd' || opt == 'C') {
			*(opt == 'd' ? &g->dir : &g->config) = optarg;
			*done = 0;
		} else if (opt == 'c') {
			if (g->nsets == sizeof(g->sets) / sizeof(g->sets[0])) {
				cli_usage(NULL, "too many -c settings");
				return CLI_EXIT_USAGE;
			}
			g->sets[g->nsets++] = optarg;
			*done = 0;
		} else if (opt == 'h') {
			print_usage(stdout);
			return CLI_EXIT_OK;
		} else if (opt == 'V') {
			print_version();
			return CLI_EXIT_OK;
		} else {
			bad_global(argc, argv);
			return CLI_EXIT_USAGE;
		}
	}
}

static int run(int argc, char **argv)
{
	const struct cli_command *cmd;
	struct globals g;
	struct cli c;
	int rc, done;

	cli_init(&c);
	memset(&g, 0, sizeof(g));
	rc = global_options(argc, argv, &g, &done);
	if (done)
		return rc;
	if (optind >= argc) {
		print_usage(stderr);
		return CLI_EXIT_USAGE;
	}
	cmd = find_command(argv[optind]);
	if (!cmd)
		return cli_usage(NULL, "unknown command '%.40s'",
				 argv[optind]);
	/* help and version answer even when the settings are bad. */
	if (cmd->run != cmd_help && cmd->run != cmd_version &&
	    load_settings(&c, &g) < 0) {
		conf_release(&c.conf);
		return CLI_EXIT_USAGE;
	}
	rc = cmd->run(&c, argc - optind, argv + optind);
	conf_release(&c.conf);
	return rc;
}

int main(int argc, char **argv)
{
	int rc;

	if (harden() < 0)
		return CLI_EXIT_FAIL;
	log_set_quiet(1);
	rc = run(argc, argv);
	log_close();
	if ((fflush(stdout) == EOF || ferror(stdout)) && rc == CLI_EXIT_OK) {
		cli_error("cannot write to standard output");
		rc = CLI_EXIT_FAIL;
	}
	return rc;
}
