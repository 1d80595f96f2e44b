/*
 * cmd_init.c - `presidio init`: create a node with its first operator.
 *
 * The first slot is a passphrase slot, or with --key-file a key-file slot
 * whose 32 random bytes are written to a new file (0600, never
 * overwritten).  The key file is removed again when the node cannot be
 * created, so a failed init leaves nothing behind.
 */
#include "node/cli/cli.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"

enum { OPT_NAME = CLI_OPT_LOCAL, OPT_HUB };

const char cli_usage_init[] =
	"usage: presidio init [--name NAME] [--hub] [-u OPERATOR]\n"
	"                     [--key-file PATH] [--new-passphrase-fd N]\n"
	"\n"
	"Create a node in the node directory, with a key slot for OPERATOR\n"
	"(-u, else $PRESIDIO_OPERATOR).\n"
	"\n"
	"  --name NAME             the node's name (default: the host name)\n"
	"  --hub                   create a hub (Helpdesk) instead of a node\n"
	"  -u, --operator NAME     the first operator\n"
	"  --key-file PATH         give the operator a key file instead of a\n"
	"                          passphrase: PATH is created (mode 0600)\n"
	"                          with 32 random bytes\n"
	"  --new-passphrase-fd N   read the passphrase from descriptor N\n"
	"  --passphrase-fd N       the same, when no new-passphrase source\n"
	"\n"
	"The passphrase otherwise comes from $PRESIDIO_NEW_PASSPHRASE, then\n"
	"$PRESIDIO_PASSPHRASE, then two prompts on the terminal; at least 8\n"
	"bytes.  Prints \"initialised node NAME (NODE-ID) in DIR\".\n";

/* A printable name of 1..STORE_NAME_MAX-1 bytes: 0 or -1. */
static int check_name(const char *name)
{
	size_t n = strlen(name), i;

	if (n == 0 || n >= STORE_NAME_MAX)
		return -1;
	for (i = 0; i < n; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
			return -1;
	return 0;
}

static int node_exists(const char *dir)
{
	char path[4200];

	snprintf(path, sizeof(path), "%s/%s", dir, STORE_DB_FILE);
	return access(path, F_OK) == 0;
}

static int first_secret(const struct cli *c, const char *op,
			struct cli_secret *sec, struct err *e)
{
	/* init prints the node it made on standard output. */
	if (c->key_file && strcmp(c->key_file, "-") == 0)
		return err_set(e, CLI_ERR_USAGE, "--key-file -: only for "
			       "'operator add' (init prints on standard "
			       "output)");
	if (c->key_file)
		return cli_keyfile_create(c->key_file, sec, e);
	return cli_secret_new(c, op, 1, sec, e);
}

/* Report the node just created. */
static int announce(struct cli *c, const char *op, struct err *e)
{
	struct store *s = NULL;
	char uuid[ID_TEXT_LEN + 1];
	int rc;

	rc = cli_open(c, &s, e);
	if (rc < 0)
		goto out;
	id_format(store_node_id(s), uuid);
	log_info("node.created", "node %s created as %s, first operator %s (%s)", uuid,
		 store_role(s) == STORE_ROLE_HUB ? "hub" : "node", op,
		 c->key_file ? "key file" : "passphrase");
	printf("initialised node %s (%s) in %s\n", store_node_name(s), uuid,
	       c->dir);
out:
	store_close(s);
	return rc;
}

static int init_node(struct cli *c, const char *op, const char *name,
		     enum store_role role)
{
	struct cli_secret sec;
	struct store_secret ss = { 0 };
	struct err e;
	int rc, made_key = 0;

	cli_secret_init(&sec);
	err_init(&e);
	if (node_exists(c->dir)) {
		rc = err_set(&e, ERR_EXISTS, "%s already holds a node",
			     c->dir);
		goto out;
	}
	rc = cli_dir_owner_check(c, &e);
	if (rc == 0)
		rc = first_secret(c, op, &sec, &e);
	if (rc < 0)
		goto out;
	made_key = c->key_file != NULL && strcmp(c->key_file, "-") != 0;
	ss.operator = op;
	ss.kind = sec.kind;
	ss.secret = sec.buf;
	ss.len = sec.len;
	rc = store_init(c->dir, name, role, &ss, &e);
	if (rc < 0)
		goto out;
	made_key = 0; /* the node needs it now */
	rc = announce(c, op, &e);
out:
	cli_secret_release(&sec);
	if (made_key)
		unlink(c->key_file);
	return rc < 0 ? cli_fail(&e) : CLI_EXIT_OK;
}

int cmd_init(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, OPT_NAME },
		{ "hub", no_argument, NULL, OPT_HUB },
		CLI_OPTIONS_UNLOCK,
		CLI_OPTION_NEW_PASS,
		CLI_OPTION_HELP,
		CLI_OPTION_END
	};
	enum store_role role = STORE_ROLE_NODE;
	char host[STORE_NAME_MAX];
	const char *name = NULL, *op;
	struct err e;
	int opt;

	cli_opts_begin(c, "init", cli_usage_init);
	for (;;) {
		opt = cli_next_opt(c, argc, argv, "hu:", opts);
		if (opt < 0)
			break;
		if (opt == OPT_NAME)
			name = optarg;
		else if (opt == OPT_HUB)
			role = STORE_ROLE_HUB;
	}
	if (opt != CLI_NEXT_END)
		return cli_opts_exit(opt);
	if (cli_args(c, argc, 0, 0) < 0)
		return CLI_EXIT_USAGE;
	op = cli_operator(c);
	if (!op)
		return cli_usage(c, "no operator: give -u NAME or set "
				 "PRESIDIO_OPERATOR");
	err_init(&e);
	if (keyslot_check_operator(op, &e) < 0)
		return cli_usage(c, "%s", e.msg);
	if (!name) {
		if (gethostname(host, sizeof(host)) < 0)
			snprintf(host, sizeof(host), "node");
		host[sizeof(host) - 1] = '\0';
		name = host;
	}
	if (check_name(name) < 0)
		return cli_usage(c, "the node name must be 1 to %d printable "
				 "bytes", STORE_NAME_MAX - 1);
	return init_node(c, op, name, role);
}
