/*
 * cmd_backup.c - `presidio backup [--keys] FILE` and `presidio restore
 * [--check] [--force] [--keys KEYS] FILE`: the command line over node/store_backup.h (the file
 * format, the lock, the restored mark) and, for a hub, the note that
 * `hub serve` finishes the restore (registry_restored_recover()).
 */
#include "node/cli/cli.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "node/store_backup.h"

enum { OPT_CHECK = CLI_OPT_LOCAL, OPT_FORCE, OPT_KEYS };

const char cli_usage_backup[] =
	"usage: presidio backup [--keys] FILE\n"
	"\n"
	"Write a backup of this node's store to FILE, a new file (never\n"
	"replaced) of mode 0600.  It may run while the node is in use (hub\n"
	"serve, sync --watch, ui, import go on): the copy is one consistent\n"
	"moment of the database.  No passphrase is needed: the backup holds\n"
	"the store as it is on disk, values still sealed, data keys in their\n"
	"key slots (a passphrase or key file of an operator of that moment\n"
	"opens it).  The file has a header (node, role, schema, time) and a\n"
	"checksum; 'presidio restore --check FILE' verifies it.\n"
	"\n"
	"Not in the backup: the log file (presidio.log), and files named on\n"
	"the command line: the hub's --cert and --key, the CA file given at\n"
	"enroll.  Keep those apart.\n"
	"\n"
	"Nor the persons' keys (presidio.keys): each person's records are\n"
	"sealed under a key of their own, so that erasing the person makes\n"
	"every copy unreadable.  --keys writes a backup of those keys alone.\n"
	"Keep keys backups apart from the data's and only for a short time\n"
	"(the README says how long): a data backup restored without keys\n"
	"opens no person's records, and an erased person stays readable in\n"
	"old data backups only while a keys backup older than the erasure\n"
	"is kept.\n"
	"\n"
	"Options:\n"
	"  --keys    back up the persons' keys instead of the data\n";

const char cli_usage_restore[] =
	"usage: presidio restore [--force] [--keys KEYS] FILE\n"
	"       presidio restore --check FILE\n"
	"\n"
	"Put the backup FILE back as this node's store (--dir).  The file is\n"
	"verified first (checksum, format, node and role); nothing is changed\n"
	"when it fails.  Refused while any process has the node open (stop\n"
	"hub serve, sync --watch, ui first), and when the directory holds a\n"
	"node already, unless --force; even then only the same node and role\n"
	"as the backup's.  The old files are kept, renamed into\n"
	"DIR/presidio.before-restore-DATE/.\n"
	"\n"
	"A node restored from a backup older than its last sync is not\n"
	"enrolled again: its next 'presidio sync' gets back from the hub its\n"
	"own changes made after the backup, and numbers new ones after them.\n"
	"Until that sync, new changes on it are refused.  A hub restored from\n"
	"a backup has every node start over at its next sync (each pushes\n"
	"first what the hub lacks of its own changes, then pulls its scope\n"
	"again) once 'presidio hub serve' runs; changes the hub itself made\n"
	"after the backup are lost.\n"
	"\n"
	"The persons' keys: without --keys, the node's own keys file stays\n"
	"as it is (it holds every key not destroyed since).  --keys KEYS\n"
	"puts in a backup of them ('presidio backup --keys') of the same\n"
	"node, and moves the old keys file aside with the rest.\n"
	"\n"
	"Options:\n"
	"  --check   verify FILE and print its header; restore nothing\n"
	"  --force   replace the node in the directory (same node only)\n"
	"  --keys KEYS  restore the persons' keys from KEYS too\n";

static void print_info(const char *file, const struct store_backup_info *in)
{
	char id[ID_TEXT_LEN + 1], when[32];
	time_t t = (time_t)(in->created_ms / 1000);
	struct tm tm;

	id_format(&in->node_id, id);
	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	printf("backup %s\n", file);
	printf("  node      %s (%s), %s%s\n", in->name, id,
	       in->role == STORE_ROLE_HUB ? "hub" : "node",
	       in->enrolled ? ", enrolled" : "");
	printf("  created   %s\n", when);
	printf("  schema    database %u, presidio %u\n", in->migration,
	       in->schema);
	printf("  changes   up to %" PRIu64 "\n", in->seq_high);
	printf("  size      %" PRIu64 " bytes (database %" PRIu64 ")\n",
	       in->file_bytes, in->db_bytes);
	printf("  format    %u, checksum ok\n", in->format);
	if (in->flags & STORE_BACKUP_KEYS)
		printf("  contents  the persons' keys (restore with --keys)\n");
}

int cmd_backup(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_OPTION_HELP,
		{ "keys", no_argument, NULL, OPT_KEYS },
		CLI_OPTION_END
	};
	struct store_backup_info in;
	struct store *s = NULL;
	struct err e;
	int opt, rc, keys = 0;

	cli_opts_begin(c, "backup", cli_usage_backup);
	while ((opt = cli_next_opt(c, argc, argv, "h", opts)) !=
	       CLI_NEXT_END) {
		if (opt == OPT_KEYS)
			keys = 1;
		else
			return cli_opts_exit(opt);
	}
	if (cli_args(c, argc, 1, 1) < 0)
		return CLI_EXIT_USAGE;
	err_init(&e);
	rc = cli_open(c, &s, &e);
	if (!rc)
		rc = keys ? store_backup_keys(s, argv[optind], &in, &e)
			  : store_backup(s, argv[optind], &in, &e);
	if (rc)
		goto out;
	if (keys) {
		log_info("backup.written", "keys, %" PRIu64 " bytes",
			 in.file_bytes);
		printf("backup of the persons' keys written to %s: %" PRIu64
		       " bytes\n", argv[optind], in.file_bytes);
		goto out;
	}
	log_info("backup.written", "%" PRIu64 " bytes", in.file_bytes);
	printf("backup written to %s: %" PRIu64 " bytes (database %" PRIu64
	       " bytes, changes up to %" PRIu64 ")\n",
	       argv[optind], in.file_bytes, in.db_bytes, in.seq_high);
out:
	store_close(s);
	return rc ? cli_fail(&e) : CLI_EXIT_OK;
}

int cmd_restore(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_OPTION_HELP,
		{ "check", no_argument, NULL, OPT_CHECK },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "keys", required_argument, NULL, OPT_KEYS },
		CLI_OPTION_END
	};
	struct store_backup_info in;
	const char *keys = NULL;
	char aside[4096] = "";
	int opt, rc, check = 0, force = 0, marked = 0;
	struct err e;

	cli_opts_begin(c, "restore", cli_usage_restore);
	while ((opt = cli_next_opt(c, argc, argv, "h", opts)) !=
	       CLI_NEXT_END) {
		if (opt == OPT_CHECK)
			check = 1;
		else if (opt == OPT_FORCE)
			force = 1;
		else if (opt == OPT_KEYS)
			keys = optarg;
		else
			return cli_opts_exit(opt);
	}
	if (cli_args(c, argc, 1, 1) < 0)
		return CLI_EXIT_USAGE;
	if (check && (force || keys))
		return cli_usage(c, "--check restores nothing: no --force "
				 "or --keys");
	err_init(&e);
	rc = check ? store_backup_check(argv[optind], &in, &e)
		   : store_restore(c->dir, argv[optind], keys, force, &in,
				   aside, sizeof(aside), &marked, &e);
	if (rc)
		return cli_fail(&e);
	if (check) {
		print_info(argv[optind], &in);
		return CLI_EXIT_OK;
	}
	printf("restored %s %s into %s\n",
	       in.role == STORE_ROLE_HUB ? "hub" : "node", in.name, c->dir);
	if (aside[0])
		printf("the previous files are in %s\n", aside);
	if (marked && in.role == STORE_ROLE_HUB)
		printf("next: presidio hub serve (every node starts over at "
		       "its next sync)\n");
	else if (marked)
		printf("next: presidio sync (its changes the hub holds come "
		       "back; new changes wait for it)\n");
	return CLI_EXIT_OK;
}
