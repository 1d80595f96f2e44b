/*
 * cmd_history.c - `presidio history` (the changes of one record, with old
 * and new values) and `presidio log` (the node's change log).
 *
 * The views (view/view_history.h) find the old values and build the JSON;
 * this file prints them as text or JSON Lines.
 */
#include "node/cli/cli.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "conflict/hlc.h"
#include "node/store_audit.h"
#include "view/view_history.h"

enum { OPT_JSON = CLI_OPT_LOCAL, OPT_AFTER, OPT_LIMIT, OPT_VALUES };

const char cli_usage_history[] =
	"usage: presidio history ID [--json]\n"
	"\n"
	"Every change of a record in order, with each field's old and new\n"
	"value:\n"
	"  #SEQ TIME KIND by OPERATOR on NODE-ID\n"
	"      field: OLD -> NEW\n"
	"\n"
	"  --json                JSON Lines: seq, time, hlc, kind, node,\n"
	"                        operator, changes [{field, old, new}]\n"
	"  -u, --operator NAME   unlock as NAME\n"
	"  --key-file PATH       unlock with a key file\n"
	"  --passphrase-fd N     read the passphrase from descriptor N\n";

const char cli_usage_log[] =
	"usage: presidio log [--after SEQ] [--limit N] [--values] [--json]\n"
	"\n"
	"The change log, oldest first:\n"
	"  SEQ TIME RECORD-ID COLLECTION KIND OPERATOR field1,field2\n"
	"\n"
	"  --after SEQ           only entries after SEQ\n"
	"  --limit N             at most N entries (0: all)\n"
	"  --values              also the values written (needs unlocking)\n"
	"  --json                JSON Lines: seq, time, hlc, record,\n"
	"                        collection, kind, origin, origin_seq,\n"
	"                        operator, fields\n"
	"  -u, --operator NAME   unlock as NAME (with --values)\n"
	"  --key-file PATH       unlock with a key file\n"
	"  --passphrase-fd N     read the passphrase from descriptor N\n";

static int put_json(FILE *f, const json_t *v)
{
	return json_dumpf(v, f, JSON_COMPACT | JSON_ENCODE_ANY);
}

/* ---- history ---- */

static int hist_text(struct err *e, const struct view_history *vh,
		     const struct store_change *c)
{
	char when[HLC_TEXT_LEN], node[ID_TEXT_LEN + 1], buf[16];
	const json_t *old;
	size_t i;
	int rc = 0;

	hlc_format(c->hlc, when);
	id_format(&c->origin, node);
	printf("#%" PRIu64 " %s %s by %s on %s\n", c->seq, when,
	       view_change_kind_name(c->kind), c->operator, node);
	for (i = 0; i < c->vers.n && rc == 0; i++) {
		old = view_history_old(vh, c, i);
		printf("    %s: ",
		       cli_field_name(c->coll, c->vers.e[i].field, buf));
		if (old)
			rc |= put_json(stdout, old);
		else
			fputs("(none)", stdout);
		fputs(" -> ", stdout);
		rc |= put_json(stdout, view_change_new(c, i));
		putchar('\n');
	}
	return rc ? err_set(e, ERR_IO, "cannot write output") : 0;
}

static int hist_json(struct err *e, const struct view_history *vh,
		     const struct store_change *c)
{
	json_t *o = view_history_json(vh, c);
	int rc;

	if (!o)
		return err_set(e, ERR_NOMEM, "out of memory");
	rc = cli_print_json(o, JSON_COMPACT, e);
	json_decref(o);
	return rc;
}

struct hist_ctx {
	int json; /* --json */
	struct err *e;
};

static int hist_one(void *ctx, const struct view_history *vh,
		    const struct store_change *c)
{
	struct hist_ctx *h = ctx;

	return h->json ? hist_json(h->e, vh, c) : hist_text(h->e, vh, c);
}

static int history(struct cli *c, const struct id *id, int json)
{
	struct store *s = NULL;
	struct hist_ctx h;
	struct err e;
	int rc;

	err_init(&e);
	h.json = json;
	h.e = &e;
	rc = cli_open_unlocked(c, &s, &e);
	if (rc == 0)
		rc = view_history(s, id, hist_one, &h, &e);
	store_close(s);
	return rc < 0 ? cli_fail(&e) : CLI_EXIT_OK;
}

int cmd_history(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		CLI_OPTIONS_UNLOCK, CLI_OPTION_HELP, CLI_OPTION_END
	};
	int opt, json = 0;
	struct id id;

	cli_opts_begin(c, "history", cli_usage_history);
	for (;;) {
		opt = cli_next_opt(c, argc, argv, "hu:", opts);
		if (opt < 0)
			break;
		if (opt == OPT_JSON)
			json = 1;
	}
	if (opt != CLI_NEXT_END)
		return cli_opts_exit(opt);
	if (cli_args(c, argc, 1, 1) < 0 ||
	    cli_parse_id(c, argv[optind], &id) < 0)
		return CLI_EXIT_USAGE;
	return history(c, &id, json);
}

/* ---- log ---- */

struct log_ctx {
	int json;   /* --json */
	int values; /* --values */
	struct err *e;
};

static int log_text(struct log_ctx *l, const struct store_change *c)
{
	char when[HLC_TEXT_LEN], rec[ID_TEXT_LEN + 1], buf[16];
	size_t i;
	int rc = 0;

	hlc_format(c->hlc, when);
	id_format(&c->record, rec);
	printf("%" PRIu64 " %s %s %s %s %s ", c->seq, when, rec,
	       c->coll->name, view_change_kind_name(c->kind), c->operator);
	for (i = 0; i < c->vers.n; i++)
		printf("%s%s", i ? "," : "",
		       cli_field_name(c->coll, c->vers.e[i].field, buf));
	putchar('\n');
	for (i = 0; l->values && i < c->vers.n; i++) {
		printf("    %s: ",
		       cli_field_name(c->coll, c->vers.e[i].field, buf));
		rc |= put_json(stdout, view_change_new(c, i));
		putchar('\n');
	}
	return rc ? err_set(l->e, ERR_IO, "cannot write output") : 0;
}

static int log_json(struct log_ctx *l, const struct store_change *c)
{
	json_t *o = view_log_json(c, l->values);
	int rc;

	if (!o)
		rc = err_set(l->e, ERR_NOMEM, "out of memory");
	else
		rc = cli_print_json(o, JSON_COMPACT, l->e);
	json_decref(o);
	return rc;
}

static int log_one(void *ctx, const struct store_change *c)
{
	struct log_ctx *l = ctx;

	return l->json ? log_json(l, c) : log_text(l, c);
}

static int show_log(struct cli *c, uint64_t after, uint64_t limit,
		    struct log_ctx *l)
{
	struct store *s = NULL;
	struct err e;
	int rc;

	err_init(&e);
	l->e = &e;
	rc = l->values ? cli_open_unlocked(c, &s, &e) : cli_open(c, &s, &e);
	if (rc < 0)
		goto out;
	/* Values are printed as they are read: in the audit trail first. */
	if (l->values)
		rc = store_audit_note(s, "log", NULL, NULL, 0, STORE_AUDIT_CARE,
				      &e);
	if (rc < 0)
		goto out;
	rc = store_log(s, after, (size_t)limit, l->values, log_one, l, &e);
out:
	store_close(s);
	return rc < 0 ? cli_fail(&e) : CLI_EXIT_OK;
}

int cmd_log(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "after", required_argument, NULL, OPT_AFTER },
		{ "limit", required_argument, NULL, OPT_LIMIT },
		{ "values", no_argument, NULL, OPT_VALUES },
		{ "json", no_argument, NULL, OPT_JSON },
		CLI_OPTIONS_UNLOCK, CLI_OPTION_HELP, CLI_OPTION_END
	};
	struct log_ctx l = { 0, 0, NULL };
	uint64_t after = 0, limit = 0;
	int opt;

	cli_opts_begin(c, "log", cli_usage_log);
	for (;;) {
		opt = cli_next_opt(c, argc, argv, "hu:", opts);
		if (opt < 0)
			break;
		if (opt == OPT_JSON)
			l.json = 1;
		else if (opt == OPT_VALUES)
			l.values = 1;
		else if (opt == OPT_AFTER &&
			 cli_parse_u64(optarg, 0, INT64_MAX, &after) < 0)
			return cli_usage(c, "--after wants a sequence number");
		else if (opt == OPT_LIMIT &&
			 cli_parse_u64(optarg, 0, INT64_MAX, &limit) < 0)
			return cli_usage(c, "--limit wants a number");
	}
	if (opt != CLI_NEXT_END)
		return cli_opts_exit(opt);
	if (cli_args(c, argc, 0, 0) < 0)
		return CLI_EXIT_USAGE;
	return show_log(c, after, limit, &l);
}
