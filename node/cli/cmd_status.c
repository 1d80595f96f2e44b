/*
 * cmd_status.c - `presidio status`: what a node is and holds, from its
 * metadata only (no unlocking): name, id, role, operators, records per
 * collection, change log, open conflicts and refused changes, clock, key
 * generation, schema version.
 */
#include "node/cli/cli.h"

#include <inttypes.h>
#include <stdio.h>

#include "conflict/hlc.h"
#include "schema/schema.h"
#include "view/view_status.h"

enum { OPT_JSON = CLI_OPT_LOCAL };

const char cli_usage_status[] =
	"usage: presidio status [--json]\n"
	"\n"
	"Show the node: name, id, role, operators, records per collection\n"
	"(live and deleted), change log, records with open conflicts\n"
	"(see 'presidio conflicts'), changes refused by a rule or by the hub,\n"
	"clock, data key generation, schema version, and sync: the hub, the\n"
	"last successful sync and the changes not yet sent.  Needs no\n"
	"passphrase.\n"
	"\n"
	"  --json   one JSON object instead of text\n";

static void sync_text(const struct view_status *v)
{
	if (v->enrolled)
		printf("hub:        %s as '%s' (%s, %s)\n", v->remote.url,
		       v->remote.name, v->remote.kind, v->remote.region);
	else
		printf("hub:        not enrolled\n");
	printf("last sync:  %s\n", v->last);
	printf("pending:    %" PRIu64 " change%s not yet sent to the hub\n",
	       v->pending, v->pending == 1 ? "" : "s");
	if (v->clock_known)
		printf("hub clock:  %s\n", v->clock);
}

static void status_text(const struct view_status *v)
{
	const struct store_status *st = &v->st;
	char id[ID_TEXT_LEN + 1], clock[HLC_TEXT_LEN];
	const struct schema_collection *coll;
	uint64_t live, deleted;
	size_t i;

	id_format(&st->node_id, id);
	hlc_format(st->hlc, clock);
	printf("node:       %s (%s)\n", st->name, id);
	printf("role:       %s\n", view_status_role_name(st->role));
	printf("operators:  %" PRIu64 "\n", st->operators);
	printf("records:    %" PRIu64 " live, %" PRIu64 " deleted\n",
	       st->records, st->deleted);
	for (i = 0; i < schema_count(); i++) {
		coll = schema_at(i);
		view_status_counts(v, coll, &live, &deleted);
		printf("  %-16s %" PRIu64 " live, %" PRIu64 " deleted\n",
		       coll->name, live, deleted);
	}
	printf("changes:    %" PRIu64 " (last seq %" PRIu64 ")\n", st->changes,
	       st->last_seq);
	printf("conflicts:  %" PRIu64 " record%s with open conflicts\n",
	       st->conflicted, st->conflicted == 1 ? "" : "s");
	printf("rejected:   %" PRIu64 " change%s refused, whole or in part%s\n",
	       st->rejected, st->rejected == 1 ? "" : "s",
	       st->rejected ? " (see 'presidio refused')" : "");
	printf("clock:      %s\n", st->hlc ? clock : "(never used)");
	printf("key:        generation %" PRIu32 "%s\n", st->key_gen,
	       st->rotating ? ", rotation unfinished" : "");
	printf("schema:     version %d (database migration %d)\n",
	       schema_running_version(), st->schema_version);
	sync_text(v);
}

static int status_json(const struct view_status *v, struct err *e)
{
	json_t *o = view_status_json(v);
	int rc;

	if (!o)
		return err_set(e, ERR_NOMEM, "out of memory");
	rc = cli_print_json(o, JSON_INDENT(2), e);
	json_decref(o);
	return rc;
}

static int status(struct cli *c, int json)
{
	struct view_status v;
	struct store *s = NULL;
	struct err e;
	int rc;

	err_init(&e);
	rc = cli_open(c, &s, &e);
	if (!rc)
		rc = view_status_load(s, &v, &e);
	if (rc < 0)
		goto out;
	if (json)
		rc = status_json(&v, &e);
	else
		status_text(&v);
out:
	store_close(s);
	return rc < 0 ? cli_fail(&e) : CLI_EXIT_OK;
}

int cmd_status(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		CLI_OPTION_HELP, CLI_OPTION_END
	};
	int opt, json = 0;

	cli_opts_begin(c, "status", cli_usage_status);
	for (;;) {
		opt = cli_next_opt(c, argc, argv, "h", opts);
		if (opt < 0)
			break;
		if (opt == OPT_JSON)
			json = 1;
	}
	if (opt != CLI_NEXT_END)
		return cli_opts_exit(opt);
	if (cli_args(c, argc, 0, 0) < 0)
		return CLI_EXIT_USAGE;
	return status(c, json);
}
