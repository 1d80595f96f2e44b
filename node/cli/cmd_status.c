/*
 * cmd_status.c - `presidio status`: what a node is and holds, from its
 * metadata only (no unlocking): name, id, role, operators, records per
 * collection, change log, open conflicts and refused changes, clock, key
 * generation, schema version.
 */
#include "node/cli/cli.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "conflict/hlc.h"
#include "sync/sync.h"

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

static const char *role_name(enum store_role r)
{
	return r == STORE_ROLE_HUB ? "hub" : "node";
}

/* Live and deleted counts of coll in st (0 when it has none). */
static void coll_counts(const struct store_status *st,
			const struct schema_collection *coll, uint64_t *live,
			uint64_t *deleted)
{
	size_t i;

	*live = 0;
	*deleted = 0;
	for (i = 0; i < st->ncoll; i++) {
		if (st->coll[i].coll == coll) {
			*live = st->coll[i].live;
			*deleted = st->coll[i].deleted;
		}
	}
}

/* What status shows of sync (no unlocking needed). */
struct sync_view {
	int enrolled;
	struct store_remote remote;
	uint64_t pending;  /* own changes the hub has not acknowledged */
	uint64_t last_ok;  /* unix ms of the last good round, 0 never */
	char last[32];
	int clock_known;   /* the hub's clock was learned by a sync */
	int64_t clock_offset_ms; /* the hub's minus this computer's */
	char clock[128];   /* sync_clock_describe() */
};

static int sync_view_load(struct store *s, struct sync_view *v,
			  struct err *e)
{
	time_t t;
	struct tm tm;
	int rc;

	memset(v, 0, sizeof(*v));
	rc = store_remote_get(s, &v->remote, e);
	if (rc == ERR_NOTFOUND)
		rc = 0;
	else if (!rc)
		v->enrolled = 1;
	if (!rc)
		rc = sync_pending(s, &v->pending, e);
	if (!rc && store_checkpoint_get(s, SYNC_CK_LAST_OK, &v->last_ok,
					NULL))
		v->last_ok = 0;
	if (!rc && sync_clock_offset(s, &v->clock_offset_ms, NULL) == 0) {
		v->clock_known = 1;
		sync_clock_describe(v->clock_offset_ms, v->clock,
				    sizeof(v->clock));
	}
	t = (time_t)(v->last_ok / 1000);
	if (v->last_ok && gmtime_r(&t, &tm))
		strftime(v->last, sizeof(v->last), "%Y-%m-%dT%H:%M:%SZ", &tm);
	else
		snprintf(v->last, sizeof(v->last), "never");
	return rc;
}

static void sync_text(const struct sync_view *v)
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

static void status_text(const struct store_status *st)
{
	char id[ID_TEXT_LEN + 1], clock[HLC_TEXT_LEN];
	const struct schema_collection *coll;
	uint64_t live, deleted;
	size_t i;

	id_format(&st->node_id, id);
	hlc_format(st->hlc, clock);
	printf("node:       %s (%s)\n", st->name, id);
	printf("role:       %s\n", role_name(st->role));
	printf("operators:  %" PRIu64 "\n", st->operators);
	printf("records:    %" PRIu64 " live, %" PRIu64 " deleted\n",
	       st->records, st->deleted);
	for (i = 0; i < schema_count(); i++) {
		coll = schema_at(i);
		coll_counts(st, coll, &live, &deleted);
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
	printf("schema:     version %d\n", st->schema_version);
}

static json_t *coll_json(const struct store_status *st)
{
	const struct schema_collection *coll;
	uint64_t live, deleted;
	json_t *o = json_object();
	size_t i;

	for (i = 0; o && i < schema_count(); i++) {
		coll = schema_at(i);
		coll_counts(st, coll, &live, &deleted);
		if (json_object_set_new(o, coll->name,
					json_pack("{sIsI}", "live",
						  (json_int_t)live, "deleted",
						  (json_int_t)deleted)) < 0) {
			json_decref(o);
			o = NULL;
		}
	}
	return o;
}

static int status_json(const struct store_status *st,
		       const struct sync_view *v, struct err *e)
{
	char id[ID_TEXT_LEN + 1], clock[HLC_TEXT_LEN];
	json_t *o;
	int rc;

	id_format(&st->node_id, id);
	hlc_format(st->hlc, clock);
	o = json_pack("{sssssssIsIsIsosIsIsIsIsssIsIsbsi}", "name", st->name,
		      "id", id, "role", role_name(st->role), "operators",
		      (json_int_t)st->operators, "records",
		      (json_int_t)st->records, "deleted",
		      (json_int_t)st->deleted, "collections", coll_json(st),
		      "changes", (json_int_t)st->changes, "last_seq",
		      (json_int_t)st->last_seq, "conflicted",
		      (json_int_t)st->conflicted, "rejected",
		      (json_int_t)st->rejected, "clock", clock, "hlc",
		      (json_int_t)st->hlc, "key_generation",
		      (json_int_t)st->key_gen, "rotating", st->rotating,
		      "schema_version", st->schema_version);
	if (o && json_object_set_new(
		     o, "sync",
		     json_pack("{sbsssIssso}", "enrolled", v->enrolled, "hub",
			       v->enrolled ? v->remote.url : "", "pending",
			       (json_int_t)v->pending, "last_sync", v->last,
			       "clock_offset_ms",
			       v->clock_known
				   ? json_integer(v->clock_offset_ms)
				   : json_null()))) {
		json_decref(o);
		o = NULL;
	}
	if (!o)
		return err_set(e, ERR_NOMEM, "out of memory");
	rc = cli_print_json(o, JSON_INDENT(2), e);
	json_decref(o);
	return rc;
}

static int status(struct cli *c, int json)
{
	struct store_status st;
	struct sync_view v;
	struct store *s = NULL;
	struct err e;
	int rc;

	err_init(&e);
	rc = cli_open(c, &s, &e);
	if (rc < 0)
		goto out;
	rc = store_status(s, &st, &e);
	if (!rc)
		rc = sync_view_load(s, &v, &e);
	if (rc < 0)
		goto out;
	if (json) {
		rc = status_json(&st, &v, &e);
	} else {
		status_text(&st);
		sync_text(&v);
	}
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
