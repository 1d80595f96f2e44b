/*
 * cmd_operator.c - commands on key slots and keys: `operator add`,
 * `operator remove`, `operator passwd`, `operator role`, `operator list`,
 * `key rotate`, and `verify`.
 *
 * Everything but `operator list` unlocks first, so only someone who can
 * already open the node changes who can; add, remove and role need the
 * role that manages operators (schema/access.h: the coordinatore, on the
 * hub the Focal Point), which the store checks.  `operator add --key-file PATH`
 * gives the new operator a key file (created here, 0600, removed again if
 * the slot cannot be added); the unlocking operator's own key file then
 * comes from PRESIDIO_KEY_FILE only.
 */
#include "node/cli/cli.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "registry/registry.h"

const char cli_usage_operator[] =
	"usage: presidio operator add NAME --role ROLE [--key-file PATH]\n"
	"       presidio operator remove NAME\n"
	"       presidio operator role NAME ROLE\n"
	"       presidio operator passwd\n"
	"       presidio operator list\n"
	"\n"
	"Manage who can unlock the node and what each one reads.  add,\n"
	"remove, role and passwd unlock first (-u, --passphrase-fd,\n"
	"$PRESIDIO_PASSPHRASE, or a prompt); add, remove and role are for\n"
	"the coordinatore (on the hub also the focal_point; its first\n"
	"operator is its coordinatore).\n"
	"\n"
	"Roles, and the groups of fields each reads and writes:\n"
	"  coordinatore          all (manages operators)\n"
	"  psicologo             all\n"
	"  legale                generale, colloqui, riservato\n"
	"  assistente_sociale, mediatore, educatore   generale, colloqui\n"
	"  amministrativo        generale\n"
	"  focal_point           generale, colloqui (hub; manages operators)\n"
	"  servizio              generale (a service's key file)\n"
	"Groups: generale (the rest), colloqui (notes of interviews,\n"
	"services, plans), sanitario (vulnerabilities, health notes),\n"
	"riservato (legal position, exploitation facts).\n"
	"\n"
	"  add NAME              a new operator with a passphrase\n"
	"                        (--new-passphrase-fd N,\n"
	"                        $PRESIDIO_NEW_PASSPHRASE, or two prompts)\n"
	"    --role ROLE         its role (required; a key file's default\n"
	"                        is servizio)\n"
	"    --key-file PATH     ...or with a new key file at PATH (0600,\n"
	"                        32 random bytes); unlock then with\n"
	"                        $PRESIDIO_KEY_FILE or a passphrase.\n"
	"                        PATH - writes the key to standard output,\n"
	"                        for a service's credential: ... | sudo\n"
	"                        systemd-creds encrypt --name=presidio.key -\n"
	"                        /etc/presidio/credentials/presidio.key.cred\n"
	"  remove NAME           delete NAME's slot (not the last one)\n"
	"  role NAME ROLE        give NAME another role (from its next\n"
	"                        unlock)\n"
	"  passwd                change the unlocking operator's passphrase\n"
	"  list                  one \"NAME passphrase|keyfile ROLE\" per\n"
	"                        line\n"
	"\n"
	"  -u, --operator NAME   unlock as NAME\n"
	"  --passphrase-fd N     read the passphrase from descriptor N\n";

const char cli_usage_key[] =
	"usage: presidio key rotate\n"
	"\n"
	"Re-encrypt every value under a new data key and destroy the old\n"
	"one.  Safe to interrupt: the next run resumes.  Prints \"data key\n"
	"rotated to generation N\".\n"
	"\n"
	"  -u, --operator NAME   unlock as NAME\n"
	"  --key-file PATH       unlock with a key file\n"
	"  --passphrase-fd N     read the passphrase from descriptor N\n";

const char cli_usage_verify[] =
	"usage: presidio verify\n"
	"\n"
	"Check the database file (SQLite integrity check) and that every\n"
	"sealed value opens.  Exit code 5 names the first bad record.\n"
	"\n"
	"  -u, --operator NAME   unlock as NAME\n"
	"  --key-file PATH       unlock with a key file\n"
	"  --passphrase-fd N     read the passphrase from descriptor N\n";

static const struct option unlock_only[] = {
	CLI_OPTIONS_UNLOCK, CLI_OPTION_HELP, CLI_OPTION_END
};

/* Parse options that are only unlocking ones, and nargs arguments.
 * *done is set when the command ends here (help printed, usage error):
 * the exit code is then returned. */
static int simple_opts(struct cli *c, const char *name, const char *usage,
		       int argc, char **argv, size_t nargs, int *done)
{
	int opt;

	*done = 1;
	cli_opts_begin(c, name, usage);
	opt = cli_next_opt(c, argc, argv, "hu:", unlock_only);
	if (opt != CLI_NEXT_END)
		return cli_opts_exit(opt);
	if (cli_args(c, argc, nargs, nargs) < 0)
		return CLI_EXIT_USAGE;
	*done = 0;
	return CLI_EXIT_OK;
}

/* ---- operator add ---- */

static int new_slot_secret(const struct cli *c, const char *name,
			   struct cli_secret *sec, struct err *e)
{
	if (c->key_file)
		return cli_keyfile_create(c->key_file, sec, e);
	return cli_secret_new(c, name, 0, sec, e);
}

enum { OPT_ROLE = CLI_OPT_LOCAL };

static int add_operator(struct cli *c, const char *name, const char *role)
{
	struct cli_secret sec;
	struct store_secret ss = { 0 };
	struct store *s = NULL;
	struct err e;
	int rc, made_key = 0;

	err_init(&e);
	cli_secret_init(&sec);
	rc = cli_open(c, &s, &e);
	if (rc < 0)
		goto out;
	rc = cli_unlock(c, s, NULL, &e);
	if (rc < 0)
		goto out;
	rc = new_slot_secret(c, name, &sec, &e);
	if (rc < 0)
		goto out;
	made_key = c->key_file != NULL && strcmp(c->key_file, "-") != 0;
	ss.operator = name;
	ss.kind = sec.kind;
	ss.secret = sec.buf;
	ss.len = sec.len;
	ss.role = role;
	rc = store_operator_add(s, &ss, &e);
	if (rc < 0)
		goto out;
	made_key = 0;
	log_info("operator.added", "operator %s added (%s, role %s) by %s",
		 name, c->key_file ? "key file" : "passphrase",
		 role ? role : access_role_name(ACCESS_SERVICE),
		 store_operator(s));
out:
	if (made_key)
		unlink(c->key_file);
	cli_secret_release(&sec);
	store_close(s);
	return rc < 0 ? cli_fail(&e) : CLI_EXIT_OK;
}

static int op_add(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_OPTIONS_UNLOCK, CLI_OPTION_NEW_PASS,
		{ "role", required_argument, NULL, OPT_ROLE },
		CLI_OPTION_HELP, CLI_OPTION_END
	};
	const char *role = NULL;
	struct err e;
	int opt;

	cli_opts_begin(c, "operator add", cli_usage_operator);
	while ((opt = cli_next_opt(c, argc, argv, "hu:", opts)) !=
	       CLI_NEXT_END) {
		if (opt == OPT_ROLE)
			role = optarg;
		else
			return cli_opts_exit(opt);
	}
	if (cli_args(c, argc, 1, 1) < 0)
		return CLI_EXIT_USAGE;
	err_init(&e);
	if (keyslot_check_operator(argv[optind], &e) < 0)
		return cli_usage(c, "%s", e.msg);
	/* Checked before anything is unlocked or a key file made. */
	if (role && access_role_parse(role) == ACCESS_NONE)
		return cli_usage(c, "unknown role '%.40s'", role);
	if (!role && !c->key_file)
		return cli_usage(c, "--role is required: what may %s read?",
				 argv[optind]);
	return add_operator(c, argv[optind], role);
}

/* ---- operator remove ---- */

static int op_remove(struct cli *c, int argc, char **argv)
{
	struct store *s = NULL;
	const char *name;
	struct err e;
	int rc, done;

	rc = simple_opts(c, "operator remove", cli_usage_operator, argc, argv,
			 1, &done);
	if (done)
		return rc;
	name = argv[optind];
	err_init(&e);
	rc = cli_open_unlocked(c, &s, &e);
	if (rc < 0)
		goto out;
	rc = store_operator_remove(s, name, &e);
	if (rc < 0)
		goto out;
	log_info("operator.removed", "operator %s removed by %s", name, store_operator(s));
out:
	store_close(s);
	return rc < 0 ? cli_fail(&e) : CLI_EXIT_OK;
}

/* ---- operator role ---- */

static int op_role(struct cli *c, int argc, char **argv)
{
	struct store *s = NULL;
	const char *name, *role;
	struct err e;
	int rc, done;

	rc = simple_opts(c, "operator role", cli_usage_operator, argc, argv, 2,
			 &done);
	if (done)
		return rc;
	name = argv[optind];
	role = argv[optind + 1];
	if (access_role_parse(role) == ACCESS_NONE)
		return cli_usage(c, "unknown role '%.40s'", role);
	err_init(&e);
	rc = cli_open_unlocked(c, &s, &e);
	if (rc < 0)
		goto out;
	rc = store_operator_set_role(s, name, role, &e);
	if (rc < 0)
		goto out;
	log_info("operator.role", "operator %s given role %s by %s", name,
		 role, store_operator(s));
	printf("%s: %s\n", name, access_role_label(access_role_parse(role)));
out:
	store_close(s);
	return rc < 0 ? cli_fail(&e) : CLI_EXIT_OK;
}

/* ---- operator passwd ---- */

static int op_passwd(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_OPTIONS_UNLOCK, CLI_OPTION_NEW_PASS, CLI_OPTION_HELP,
		CLI_OPTION_END
	};
	struct cli_secret sec;
	struct store *s = NULL;
	struct err e;
	int rc, opt;

	cli_opts_begin(c, "operator passwd", cli_usage_operator);
	opt = cli_next_opt(c, argc, argv, "hu:", opts);
	if (opt != CLI_NEXT_END)
		return cli_opts_exit(opt);
	if (cli_args(c, argc, 0, 0) < 0)
		return CLI_EXIT_USAGE;
	err_init(&e);
	cli_secret_init(&sec);
	rc = cli_open_unlocked(c, &s, &e);
	if (rc < 0)
		goto out;
	if (c->unlocked == KEYSLOT_KEYFILE) {
		rc = err_set(&e, CLI_ERR_USAGE,
			     "operator %s unlocks with a key file, which has "
			     "no passphrase to change", store_operator(s));
		goto out;
	}
	rc = cli_secret_new(c, store_operator(s), 0, &sec, &e);
	if (rc < 0)
		goto out;
	rc = store_operator_passwd(s, sec.buf, sec.len, &e);
	if (rc < 0)
		goto out;
	log_info("operator.passwd", "operator %s changed passphrase", store_operator(s));
out:
	cli_secret_release(&sec);
	store_close(s);
	return rc < 0 ? cli_fail(&e) : CLI_EXIT_OK;
}

/* ---- operator list ---- */

static int print_operator(void *ctx, const char *operator,
			  enum keyslot_kind kind, const char *role)
{
	(void)ctx;
	/* A slot of a store made before roles gets its role at the
	 * store's first unlock; until then it shows "-". */
	printf("%s %s %s\n", operator,
	       kind == KEYSLOT_KEYFILE ? "keyfile" : "passphrase",
	       role && role[0] ? role : "-");
	return 0;
}

static int op_list(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = { CLI_OPTION_HELP,
					      CLI_OPTION_END };
	struct store *s = NULL;
	struct err e;
	int rc, opt;

	cli_opts_begin(c, "operator list", cli_usage_operator);
	opt = cli_next_opt(c, argc, argv, "h", opts);
	if (opt != CLI_NEXT_END)
		return cli_opts_exit(opt);
	if (cli_args(c, argc, 0, 0) < 0)
		return CLI_EXIT_USAGE;
	err_init(&e);
	rc = cli_open(c, &s, &e);
	if (rc < 0)
		goto out;
	rc = store_operator_list(s, print_operator, NULL, &e);
out:
	store_close(s);
	return rc < 0 ? cli_fail(&e) : CLI_EXIT_OK;
}

/* ---- subcommand dispatch ---- */

struct sub {
	const char *name;
	int (*run)(struct cli *c, int argc, char **argv);
};

static int dispatch(struct cli *c, const char *cmd, const char *usage,
		    const struct sub *subs, size_t n, int argc, char **argv)
{
	size_t i;

	c->cmd_name = cmd;
	if (argc < 2)
		return cli_usage(c, "missing subcommand");
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		fputs(usage, stdout);
		return CLI_EXIT_OK;
	}
	for (i = 0; i < n; i++)
		if (strcmp(argv[1], subs[i].name) == 0)
			return subs[i].run(c, argc - 1, argv + 1);
	return cli_usage(c, "unknown subcommand '%.40s'", argv[1]);
}

int cmd_operator(struct cli *c, int argc, char **argv)
{
	static const struct sub subs[] = {
		{ "add", op_add },
		{ "remove", op_remove },
		{ "role", op_role },
		{ "passwd", op_passwd },
		{ "list", op_list },
	};

	return dispatch(c, "operator", cli_usage_operator, subs,
			sizeof(subs) / sizeof(subs[0]), argc, argv);
}

/* ---- key rotate ---- */

static void rotate_progress(void *ctx, uint64_t done, uint64_t total)
{
	cli_progress_draw(ctx, "re-encrypting: %" PRIu64 " of %" PRIu64,
			  done, total);
}

static int key_rotate(struct cli *c, int argc, char **argv)
{
	struct cli_progress prog;
	struct store_status st;
	struct store *s = NULL;
	struct err e;
	int rc, done;

	rc = simple_opts(c, "key rotate", cli_usage_key, argc, argv, 0, &done);
	if (done)
		return rc;
	err_init(&e);
	cli_progress_init(&prog, c->tty_err);
	rc = cli_open_unlocked(c, &s, &e);
	if (rc < 0)
		goto out;
	rc = store_key_rotate(s, rotate_progress, &prog, &e);
	cli_progress_end(&prog);
	if (rc < 0)
		goto out;
	rc = store_status(s, &st, &e);
	if (rc < 0)
		goto out;
	printf("data key rotated to generation %" PRIu32 "\n", st.key_gen);
	log_info("key.rotated", "data key rotated to generation %" PRIu32 " by %s",
		 st.key_gen, store_operator(s));
out:
	store_close(s);
	return rc < 0 ? cli_fail(&e) : CLI_EXIT_OK;
}

int cmd_key(struct cli *c, int argc, char **argv)
{
	static const struct sub subs[] = { { "rotate", key_rotate } };

	return dispatch(c, "key", cli_usage_key, subs, 1, argc, argv);
}

/* ---- verify ---- */

int cmd_verify(struct cli *c, int argc, char **argv)
{
	struct store *s = NULL;
	uint64_t bad = 0;
	struct err e;
	int rc, done;

	rc = simple_opts(c, "verify", cli_usage_verify, argc, argv, 0, &done);
	if (done)
		return rc;
	err_init(&e);
	rc = cli_open_unlocked(c, &s, &e);
	if (rc < 0)
		goto out;
	rc = store_verify(s, &bad, &e);
	/* The hub's registry keeps an index of its own beside the store's. */
	if (rc >= 0 && store_role(s) == STORE_ROLE_HUB)
		rc = registry_scope_key_verify(s, &bad, &e);
	if (rc < 0) {
		log_error("verify.failed", "verify failed (%" PRIu64 " bad): %s", bad, e.msg);
		goto out;
	}
	printf("ok: database intact, every sealed value opens\n");
	log_info("verify.passed", "verify passed, operator %s", store_operator(s));
out:
	store_close(s);
	return rc < 0 ? cli_fail(&e) : CLI_EXIT_OK;
}
