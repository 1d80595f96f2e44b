/*
 * cmd_record.c - the record commands: put, get, list, delete.
 *
 * put reads one JSON object (at most 1 MiB) from stdin; the input buffer
 * is wiped before it is freed and parse errors are reported by position
 * and kind only, never by quoting the input.  get prints one record as
 * indented JSON with sorted keys; list prints JSON Lines.  Values go to
 * stdout only; errors and the node log never carry them.
 */
#include "node/cli/cli.h"

#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "node/store_audit.h"
#include "view/view_record.h"

#define WHERE_MAX VIEW_WHERE_MAX

enum { OPT_VERSIONS = CLI_OPT_LOCAL, OPT_WHERE, OPT_DELETED, OPT_LIMIT,
       OPT_COUNT };

const char cli_usage_put[] =
	"usage: presidio put COLLECTION [ID] < record.json\n"
	"\n"
	"Create a record of COLLECTION, or update record ID, from the JSON\n"
	"object on standard input (at most 1 MiB).  An update changes only\n"
	"the fields given; null clears a field.  Prints the record id.\n"
	"\n"
	"  -u, --operator NAME   unlock as NAME\n"
	"  --key-file PATH       unlock with a key file\n"
	"  --passphrase-fd N     read the passphrase from descriptor N\n";

const char cli_usage_get[] =
	"usage: presidio get ID [--versions]\n"
	"\n"
	"Print a record as JSON: id, collection, deleted, fields.\n"
	"\n"
	"  --versions            also the version of each field: time, hlc,\n"
	"                        node, operator\n"
	"  -u, --operator NAME   unlock as NAME\n"
	"  --key-file PATH       unlock with a key file\n"
	"  --passphrase-fd N     read the passphrase from descriptor N\n";

const char cli_usage_list[] =
	"usage: presidio list COLLECTION [--where FIELD=VALUE]... [--deleted]\n"
	"                     [--limit N] [--count]\n"
	"\n"
	"Print the records of COLLECTION as JSON Lines.\n"
	"\n"
	"  --where FIELD=VALUE   only records whose FIELD is VALUE (a list\n"
	"                        field: contains VALUE); may be repeated\n"
	"  --deleted             include deleted records\n"
	"  --limit N             at most N records (0: all)\n"
	"  --count               print only the number of records\n"
	"  -u, --operator NAME   unlock as NAME\n"
	"  --key-file PATH       unlock with a key file\n"
	"  --passphrase-fd N     read the passphrase from descriptor N\n";

const char cli_usage_delete[] =
	"usage: presidio delete ID\n"
	"\n"
	"Mark a record deleted (its values are kept sealed as a tombstone).\n"
	"\n"
	"  -u, --operator NAME   unlock as NAME\n"
	"  --key-file PATH       unlock with a key file\n"
	"  --passphrase-fd N     read the passphrase from descriptor N\n";

static const struct option unlock_only[] = {
	CLI_OPTIONS_UNLOCK, CLI_OPTION_HELP, CLI_OPTION_END
};

/* ---- put ---- */

static int parse_object(const char *buf, size_t len, json_t **out,
			struct err *e)
{
	json_error_t je;

	*out = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	if (!*out)
		return err_set(e, ERR_INVALID,
			       "invalid JSON on standard input at line %d, "
			       "column %d: %s", je.line, je.column,
			       cli_json_error(&je));
	if (!json_is_object(*out))
		return err_set(e, ERR_INVALID,
			       "standard input is not a JSON object");
	return 0;
}

static int put_record(struct cli *c, const char *coll, const struct id *id)
{
	struct store_put_result res;
	char idtext[ID_TEXT_LEN + 1];
	struct store *s = NULL;
	json_t *fields = NULL;
	char *buf = NULL;
	size_t len = 0;
	struct err e;
	int rc;

	err_init(&e);
	rc = cli_open_unlocked(c, &s, &e);
	if (rc < 0)
		goto out;
	rc = cli_read_input(&buf, &len, &e);
	if (rc < 0)
		goto out;
	rc = parse_object(buf, len, &fields, &e);
	if (rc < 0)
		goto out;
	rc = store_put(s, coll, id, fields, &res, &e);
	if (rc < 0)
		goto out;
	id_format(&res.id, idtext);
	printf("%s\n", idtext);
	log_info("record.put", "%s %s: %s, %zu fields changed, operator %s", coll,
		 idtext, res.created ? "created" : "updated", res.changed,
		 store_operator(s));
out:
	json_decref(fields);
	cli_input_free(buf);
	store_close(s);
	return rc < 0 ? cli_fail(&e) : CLI_EXIT_OK;
}

int cmd_put(struct cli *c, int argc, char **argv)
{
	const struct id *idp = NULL;
	const char *coll;
	struct id id;
	int opt;

	cli_opts_begin(c, "put", cli_usage_put);
	opt = cli_next_opt(c, argc, argv, "hu:", unlock_only);
	if (opt != CLI_NEXT_END)
		return cli_opts_exit(opt);
	if (cli_args(c, argc, 1, 2) < 0)
		return CLI_EXIT_USAGE;
	coll = argv[optind];
	if (!schema_collection(coll)) {
		cli_error("unknown collection '%s'",
			  schema_name_ok(coll) ? coll : "(malformed, not shown)");
		return CLI_EXIT_INVALID;
	}
	if (optind + 1 < argc) {
		if (cli_parse_id(c, argv[optind + 1], &id) < 0)
			return CLI_EXIT_USAGE;
		idp = &id;
	}
	return put_record(c, coll, idp);
}

/* ---- get ---- */

static int get_record(struct cli *c, const struct id *id, int versions)
{
	struct store *s = NULL;
	json_t *o = NULL;
	struct err e;
	int rc;

	err_init(&e);
	rc = cli_open_unlocked(c, &s, &e);
	if (rc < 0)
		goto out;
	rc = view_record_get(s, id, versions ? VIEW_RECORD_VERSIONS : 0, &o,
			     &e);
	if (rc < 0)
		goto out;
	rc = cli_print_json(o, JSON_INDENT(2) | JSON_SORT_KEYS, &e);
out:
	json_decref(o);
	store_close(s);
	return rc < 0 ? cli_fail(&e) : CLI_EXIT_OK;
}

int cmd_get(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "versions", no_argument, NULL, OPT_VERSIONS },
		CLI_OPTIONS_UNLOCK, CLI_OPTION_HELP, CLI_OPTION_END
	};
	int opt, versions = 0;
	struct id id;

	cli_opts_begin(c, "get", cli_usage_get);
	for (;;) {
		opt = cli_next_opt(c, argc, argv, "hu:", opts);
		if (opt < 0)
			break;
		if (opt == OPT_VERSIONS)
			versions = 1;
	}
	if (opt != CLI_NEXT_END)
		return cli_opts_exit(opt);
	if (cli_args(c, argc, 1, 1) < 0 ||
	    cli_parse_id(c, argv[optind], &id) < 0)
		return CLI_EXIT_USAGE;
	return get_record(c, &id, versions);
}

/* ---- list ---- */

struct list_ctx {
	const char *arg[WHERE_MAX];          /* --where FIELD=VALUE as given */
	struct view_where w[WHERE_MAX];      /* parsed */
	struct view_list_opts o;
	struct err *e;
};

static int list_print(void *ctx, json_t *record)
{
	struct list_ctx *l = ctx;

	return cli_print_json(record, JSON_COMPACT, l->e);
}

static int list_records(struct cli *c, const char *coll, struct list_ctx *l)
{
	struct store *s = NULL;
	uint64_t n = 0;
	struct err e;
	int rc;

	err_init(&e);
	l->e = &e;
	l->o.where = l->w;
	rc = cli_open_unlocked(c, &s, &e);
	if (rc < 0)
		goto out;
	/* Values are printed as they are read: the listing is in the audit
	 * trail first (node/store_audit.h). */
	if (!l->o.count_only && schema_personal(schema_collection(coll)))
		rc = store_audit_note(s, "list", schema_collection(coll), NULL,
				      0, STORE_AUDIT_CARE, &e);
	if (rc < 0)
		goto out;
	rc = view_record_list(s, coll, &l->o, list_print, l, &n, &e);
	if (rc == 0 && l->o.count_only)
		printf("%llu\n", (unsigned long long)n);
out:
	store_close(s);
	return rc < 0 ? cli_fail(&e) : CLI_EXIT_OK;
}

/* Check --where FIELD=VALUE into w: 0, or an exit code. */
static int where_resolve(const struct cli *c,
			 const struct schema_collection *coll, const char *arg,
			 struct view_where *w)
{
	enum view_where_error why;
	struct err e;

	err_init(&e);
	if (view_where_parse(coll, arg, w, &why, &e) == 0)
		return 0;
	if (why == VIEW_WHERE_SYNTAX)
		return cli_usage(c, "--where wants FIELD=VALUE");
	if (why == VIEW_WHERE_FIELD)
		cli_error("%s", e.msg);
	else
		cli_error("--where %s", e.msg);
	return CLI_EXIT_INVALID;
}

static int list_opt(struct cli *c, int opt, struct list_ctx *l)
{
	if (opt == OPT_WHERE) {
		if (l->o.nwhere == WHERE_MAX)
			return cli_usage(c, "at most %d --where", WHERE_MAX);
		l->arg[l->o.nwhere++] = optarg;
	} else if (opt == OPT_DELETED) {
		l->o.with_deleted = 1;
	} else if (opt == OPT_COUNT) {
		l->o.count_only = 1;
	} else if (opt == OPT_LIMIT &&
		   cli_parse_u64(optarg, 0, UINT64_MAX, &l->o.limit) < 0) {
		return cli_usage(c, "--limit wants a number");
	}
	return 0;
}

int cmd_list(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "where", required_argument, NULL, OPT_WHERE },
		{ "deleted", no_argument, NULL, OPT_DELETED },
		{ "limit", required_argument, NULL, OPT_LIMIT },
		{ "count", no_argument, NULL, OPT_COUNT },
		CLI_OPTIONS_UNLOCK, CLI_OPTION_HELP, CLI_OPTION_END
	};
	const struct schema_collection *coll;
	struct list_ctx l;
	int opt, rc;
	size_t i;

	memset(&l, 0, sizeof(l));
	cli_opts_begin(c, "list", cli_usage_list);
	for (;;) {
		opt = cli_next_opt(c, argc, argv, "hu:", opts);
		if (opt < 0)
			break;
		rc = list_opt(c, opt, &l);
		if (rc)
			return rc;
	}
	if (opt != CLI_NEXT_END)
		return cli_opts_exit(opt);
	if (cli_args(c, argc, 1, 1) < 0)
		return CLI_EXIT_USAGE;
	coll = schema_collection(argv[optind]);
	if (!coll) {
		cli_error("unknown collection '%s'",
			  schema_name_ok(argv[optind]) ? argv[optind]
						       : "(malformed, not shown)");
		return CLI_EXIT_INVALID;
	}
	for (i = 0; i < l.o.nwhere; i++) {
		rc = where_resolve(c, coll, l.arg[i], &l.w[i]);
		if (rc)
			return rc;
	}
	return list_records(c, coll->name, &l);
}

/* ---- delete ---- */

static int delete_record(struct cli *c, const struct id *id)
{
	char idtext[ID_TEXT_LEN + 1];
	struct store *s = NULL;
	struct err e;
	int rc;

	err_init(&e);
	rc = cli_open_unlocked(c, &s, &e);
	if (rc < 0)
		goto out;
	rc = store_delete(s, id, &e);
	if (rc < 0)
		goto out;
	id_format(id, idtext);
	log_info("record.delete", "%s, operator %s", idtext, store_operator(s));
out:
	store_close(s);
	return rc < 0 ? cli_fail(&e) : CLI_EXIT_OK;
}

int cmd_delete(struct cli *c, int argc, char **argv)
{
	struct id id;
	int opt;

	cli_opts_begin(c, "delete", cli_usage_delete);
	opt = cli_next_opt(c, argc, argv, "hu:", unlock_only);
	if (opt != CLI_NEXT_END)
		return cli_opts_exit(opt);
	if (cli_args(c, argc, 1, 1) < 0 ||
	    cli_parse_id(c, argv[optind], &id) < 0)
		return CLI_EXIT_USAGE;
	return delete_record(c, &id);
}
