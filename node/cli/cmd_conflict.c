/*
 * cmd_conflict.c - `presidio conflicts` (the open conflicts, with the
 * candidates of each field numbered so a person can choose) and
 * `presidio resolve` (settle one).
 *
 * store_conflicts() reports one entry per (field, other candidate), each
 * with the value in force as `current`, in a canonical order that keeps
 * the entries of one field together.  Both commands number a field's
 * candidates from that order: 1 is the current value, 2.. the others as
 * reported.  `resolve --pick N` recomputes the numbering from the store
 * rather than trusting anything remembered between the two runs.
 *
 * Values go to stdout only (conflicts) and come from stdin only
 * (resolve): never on the command line, in an error or in the node log.
 */
#include "node/cli/cli.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "conflict/hlc.h"
#include "view/view_conflict.h"

#define VALUE_COLUMN 8 /* text output: short values are padded to this */

enum { OPT_JSON = CLI_OPT_LOCAL, OPT_PICK, OPT_KEEP_DELETED, OPT_UNDELETE };

const char cli_usage_conflicts[] =
	"usage: presidio conflicts [ID] [--json]\n"
	"\n"
	"List the open conflicts of every record, or of record ID:\n"
	"  RECORD-ID (COLLECTION) field FIELD:\n"
	"    settle: presidio resolve RECORD-ID FIELD --pick N\n"
	"    1) VALUE  TIME by OPERATOR on NODE-ID  (current)\n"
	"    2) VALUE  TIME by OPERATOR on NODE-ID\n"
	"  RECORD-ID (COLLECTION) deleted while being edited (field FIELD):\n"
	"    settle: presidio resolve RECORD-ID --keep-deleted | --undelete\n"
	"    deleted TIME by OPERATOR on NODE-ID; edit: VALUE  TIME by ...\n"
	"  RECORD-ID (COLLECTION) kept deleted and undeleted at once:\n"
	"    settle: presidio resolve RECORD-ID --keep-deleted | --undelete\n"
	"    1) true|false  TIME by OPERATOR on NODE-ID  (current)\n"
	"    2) false|true  TIME by OPERATOR on NODE-ID\n"
	"  RECORD-ID (COLLECTION) rule: MESSAGE\n"
	"    settle: presidio resolve RECORD-ID FIELD < value.json\n"
	"and a last line \"N open conflicts\".  Each conflict shows the command\n"
	"that settles it.  The candidates of a field are numbered for\n"
	"'presidio resolve ID FIELD --pick N' (for the deletion itself,\n"
	"_deleted: true keeps it deleted, false undeletes); values are\n"
	"compact JSON; an operator not known here shows as \"?\".\n"
	"\n"
	"  --json                JSON Lines, one object per conflict: record,\n"
	"                        collection, kind (field, delete, rule),\n"
	"                        field, reason, pick (the number of other),\n"
	"                        current and other {value, time, hlc, node,\n"
	"                        operator}, settle (the command)\n"
	"  -u, --operator NAME   unlock as NAME\n"
	"  --key-file PATH       unlock with a key file\n"
	"  --passphrase-fd N     read the passphrase from descriptor N\n";

const char cli_usage_resolve[] =
	"usage: presidio resolve ID FIELD --pick N\n"
	"       presidio resolve ID FIELD < value.json\n"
	"       presidio resolve ID --keep-deleted | --undelete\n"
	"\n"
	"Settle an open conflict of record ID.  With --pick N, FIELD takes\n"
	"candidate N as numbered by 'presidio conflicts'; without it, FIELD\n"
	"takes the JSON value on standard input (any JSON value, at most\n"
	"1 MiB), one of the candidates or a new one.  Every candidate is\n"
	"superseded, here and on every node the resolution reaches.  A rule\n"
	"conflict is settled by giving a field a value that satisfies the\n"
	"rule.  A record deleted while being edited is kept deleted\n"
	"(--keep-deleted) or restored with the edits (--undelete); so is one\n"
	"that two nodes settled differently (FIELD _deleted: --pick N, or\n"
	"true or false on standard input, says the same).  The fields of a\n"
	"deleted record are settled once it is undeleted.\n"
	"Prints \"resolved\".\n"
	"\n"
	"  --pick N              take candidate N of FIELD\n"
	"  --keep-deleted        keep the record deleted\n"
	"  --undelete            restore the deleted record\n"
	"  -u, --operator NAME   unlock as NAME\n"
	"  --key-file PATH       unlock with a key file\n"
	"  --passphrase-fd N     read the passphrase from descriptor N\n";

#define VALUE_FLAGS (JSON_COMPACT | JSON_ENCODE_ANY)

static const char *who(const struct store_candidate *c)
{
	return c->operator && c->operator[0] ? c->operator : "?";
}

/* The record exists (ERR_NOTFOUND otherwise); *coll, when not NULL, gets
 * its collection. */
static int record_coll(struct store *s, const struct id *id,
		       const struct schema_collection **coll, struct err *e)
{
	struct store_record r;
	int rc;

	store_record_init(&r);
	rc = store_get(s, id, &r, e);
	if (rc == 0 && coll)
		*coll = r.coll;
	store_record_release(&r);
	return rc;
}

/* ---- conflicts ---- */

struct show_ctx {
	int json;   /* --json */
	uint64_t n; /* conflicts reported */
	struct err *e;
};

/* A value as compact JSON, padded to VALUE_COLUMN; 0 or -1. */
static int put_value(const json_t *v)
{
	size_t n;

	if (!v)
		v = json_null();
	n = json_dumpb(v, NULL, 0, VALUE_FLAGS);
	if (json_dumpf(v, stdout, VALUE_FLAGS) < 0)
		return -1;
	printf("%*s ", n < VALUE_COLUMN ? (int)(VALUE_COLUMN - n) : 0, "");
	return 0;
}

/* "TIME by OPERATOR on NODE-ID" */
static void put_when(const struct store_candidate *c)
{
	char when[HLC_TEXT_LEN], node[ID_TEXT_LEN + 1];

	hlc_format(c->hlc, when);
	id_format(&c->node, node);
	printf("%s by %s on %s", when, who(c), node);
}

static int put_candidate(uint64_t n, const struct store_candidate *c,
			 int current)
{
	int rc;

	printf("    %lu) ", (unsigned long)n);
	rc = put_value(c->value);
	put_when(c);
	puts(current ? "  (current)" : "");
	return rc;
}

static int show_text(struct show_ctx *sc, const struct view_conflict *vc)
{
	const struct store_conflict *c = vc->c;
	const char *field = c->field ? c->field : "";
	char rec[ID_TEXT_LEN + 1];
	int rc = 0;

	id_format(&c->record, rec);
	switch (c->kind) {
	case MERGE_CONFLICT_FIELD:
		if (vc->first) {
			if (view_conflict_on_marker(c))
				printf("%s (%s) kept deleted and undeleted at "
				       "once:\n", rec, c->coll->name);
			else
				printf("%s (%s) field %s:\n", rec,
				       c->coll->name, field);
			printf("    settle: %s\n", vc->settle);
			rc |= put_candidate(1, &c->current, 1);
		}
		rc |= put_candidate(vc->pick, &c->other, 0);
		break;
	case MERGE_CONFLICT_DELETE:
		if (vc->first)
			printf("%s (%s) deleted while being edited "
			       "(field %s):\n    settle: %s\n",
			       rec, c->coll->name, field, vc->settle);
		fputs("    deleted ", stdout);
		put_when(&c->current);
		fputs("; edit: ", stdout);
		rc |= put_value(c->other.value);
		put_when(&c->other);
		putchar('\n');
		break;
	default:
		printf("%s (%s) rule: %s\n    settle: %s\n", rec,
		       c->coll->name, c->reason ? c->reason : "(no message)",
		       vc->settle);
		break;
	}
	return rc ? err_set(sc->e, ERR_IO, "cannot write output") : 0;
}

static int show_json(struct show_ctx *sc, const struct view_conflict *vc)
{
	json_t *o = view_conflict_json(vc);
	int rc;

	if (!o)
		rc = err_set(sc->e, ERR_NOMEM, "out of memory");
	else
		rc = cli_print_json(o, JSON_COMPACT, sc->e);
	json_decref(o);
	return rc;
}

static int show_one(void *ctx, const struct view_conflict *vc)
{
	struct show_ctx *sc = ctx;

	sc->n++;
	return sc->json ? show_json(sc, vc) : show_text(sc, vc);
}

static int conflicts(struct cli *c, const struct id *id, int json)
{
	struct show_ctx sc;
	struct store *s = NULL;
	struct err e;
	int rc;

	err_init(&e);
	memset(&sc, 0, sizeof(sc));
	sc.json = json;
	sc.e = &e;
	rc = cli_open_unlocked(c, &s, &e);
	if (rc == 0)
		rc = view_conflicts(s, id, show_one, &sc, &e);
	if (rc == 0 && !json) {
		if (sc.n == 0)
			puts("no open conflicts");
		else
			printf("%" PRIu64 " open conflict%s\n", sc.n,
			       sc.n == 1 ? "" : "s");
	}
	store_close(s);
	return rc < 0 ? cli_fail(&e) : CLI_EXIT_OK;
}

int cmd_conflicts(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		CLI_OPTIONS_UNLOCK, CLI_OPTION_HELP, CLI_OPTION_END
	};
	int opt, json = 0;
	struct id id;

	cli_opts_begin(c, "conflicts", cli_usage_conflicts);
	for (;;) {
		opt = cli_next_opt(c, argc, argv, "hu:", opts);
		if (opt < 0)
			break;
		if (opt == OPT_JSON)
			json = 1;
	}
	if (opt != CLI_NEXT_END)
		return cli_opts_exit(opt);
	if (cli_args(c, argc, 0, 1) < 0)
		return CLI_EXIT_USAGE;
	if (optind == argc)
		return conflicts(c, NULL, json);
	if (cli_parse_id(c, argv[optind], &id) < 0)
		return CLI_EXIT_USAGE;
	return conflicts(c, &id, json);
}

/* ---- resolve ---- */

/* The JSON value on stdin into *out (caller decrefs). */
static int read_value(json_t **out, struct err *e)
{
	json_error_t je;
	char *buf = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	rc = cli_read_input(&buf, &len, e);
	if (rc == 0) {
		*out = json_loadb(buf, len,
				  JSON_DECODE_ANY | JSON_REJECT_DUPLICATES,
				  &je);
		if (!*out)
			rc = err_set(e, ERR_INVALID,
				     "invalid JSON on standard input at line "
				     "%d, column %d: %s",
				     je.line, je.column, cli_json_error(&je));
	}
	cli_input_free(buf);
	return rc;
}

/* Log and print a resolution of the deletion marker. */
static void resolved_marker(struct store *s, const char *rec, int keep)
{
	puts("resolved");
	log_info("conflict.resolved", "on %s field %s by %s (%s)", rec,
		 SCHEMA_FIELD_DELETED_NAME, store_operator(s),
		 keep ? "kept deleted" : "undeleted");
}

/* `resolve ID _deleted [--pick N]`: the deletion marker settled like a
 * field (its candidates are true, kept deleted, and false, undeleted),
 * which is keep-deleted or undelete. */
static int resolve_marker(struct store *s, const struct id *id, int has_pick,
			  uint64_t pick, struct err *e)
{
	char rec[ID_TEXT_LEN + 1];
	json_t *value = NULL;
	int rc, keep;

	id_format(id, rec);
	if (has_pick)
		rc = view_conflict_pick(s, id, SCHEMA_FIELD_DELETED_NAME,
					pick, &value, e);
	else
		rc = read_value(&value, e);
	if (rc == 0 && !json_is_boolean(value))
		rc = err_set(e, ERR_INVALID,
			     "field %s takes true (keep deleted) or false "
			     "(undelete)", SCHEMA_FIELD_DELETED_NAME);
	keep = json_is_true(value);
	json_decref(value);
	if (rc == 0)
		rc = store_resolve_delete(s, id, keep, e);
	if (rc == 0)
		resolved_marker(s, rec, keep);
	return rc;
}

/* `resolve ID FIELD [--pick N]`: candidate pick, or the value on stdin. */
static int resolve_field(struct cli *c, const struct id *id,
			 const char *name, int has_pick, uint64_t pick)
{
	const struct schema_collection *coll = NULL;
	const struct schema_field *f;
	char rec[ID_TEXT_LEN + 1];
	struct store *s = NULL;
	json_t *value = NULL;
	struct err e;
	int rc;

	err_init(&e);
	id_format(id, rec);
	rc = cli_open_unlocked(c, &s, &e);
	if (rc == 0)
		rc = record_coll(s, id, &coll, &e);
	if (rc < 0)
		goto out;
	if (strcmp(name, SCHEMA_FIELD_DELETED_NAME) == 0) {
		rc = resolve_marker(s, id, has_pick, pick, &e);
		goto out;
	}
	f = schema_field(coll, name);
	if (!f) {
		rc = err_set(&e, ERR_INVALID, "no field '%s' in %s records",
			     schema_name_ok(name) ? name : "?", coll->name);
		goto out;
	}
	if (has_pick)
		rc = view_conflict_pick(s, id, f->name, pick, &value, &e);
	else
		rc = read_value(&value, &e);
	if (rc == 0)
		rc = store_resolve(s, id, f->name, value, NULL, &e);
	if (rc < 0)
		goto out;
	puts("resolved");
	log_info("conflict.resolved", "on %s field %s by %s", rec, f->name,
		 store_operator(s));
out:
	json_decref(value);
	store_close(s);
	return rc < 0 ? cli_fail(&e) : CLI_EXIT_OK;
}

/* `resolve ID --keep-deleted | --undelete` */
static int resolve_delete(struct cli *c, const struct id *id, int keep)
{
	char rec[ID_TEXT_LEN + 1];
	struct store *s = NULL;
	struct err e;
	int rc;

	err_init(&e);
	id_format(id, rec);
	rc = cli_open_unlocked(c, &s, &e);
	if (rc == 0)
		rc = store_resolve_delete(s, id, keep, &e);
	if (rc < 0)
		goto out;
	resolved_marker(s, rec, keep);
out:
	store_close(s);
	return rc < 0 ? cli_fail(&e) : CLI_EXIT_OK;
}

struct resolve_opts {
	int has_pick;  /* --pick given */
	uint64_t pick; /* its N */
	int keep;      /* --keep-deleted */
	int undelete;  /* --undelete */
};

static int resolve_opt(struct cli *c, int opt, struct resolve_opts *o)
{
	if (opt == OPT_PICK) {
		if (cli_parse_u64(optarg, 0, UINT64_MAX, &o->pick) < 0)
			return cli_usage(c, "--pick wants a candidate number");
		o->has_pick = 1;
	} else if (opt == OPT_KEEP_DELETED) {
		o->keep = 1;
	} else if (opt == OPT_UNDELETE) {
		o->undelete = 1;
	}
	return 0;
}

int cmd_resolve(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pick", required_argument, NULL, OPT_PICK },
		{ "keep-deleted", no_argument, NULL, OPT_KEEP_DELETED },
		{ "undelete", no_argument, NULL, OPT_UNDELETE },
		CLI_OPTIONS_UNLOCK, CLI_OPTION_HELP, CLI_OPTION_END
	};
	struct resolve_opts o = { 0, 0, 0, 0 };
	struct id id;
	int opt, rc;

	cli_opts_begin(c, "resolve", cli_usage_resolve);
	for (;;) {
		opt = cli_next_opt(c, argc, argv, "hu:", opts);
		if (opt < 0)
			break;
		rc = resolve_opt(c, opt, &o);
		if (rc)
			return rc;
	}
	if (opt != CLI_NEXT_END)
		return cli_opts_exit(opt);
	if (o.keep && o.undelete)
		return cli_usage(c, "give --keep-deleted or --undelete, "
				 "not both");
	if ((o.keep || o.undelete) && o.has_pick)
		return cli_usage(c, "--pick settles a field, not a delete");
	if (cli_args(c, argc, 1, o.keep || o.undelete ? 1 : 2) < 0 ||
	    cli_parse_id(c, argv[optind], &id) < 0)
		return CLI_EXIT_USAGE;
	if (o.keep || o.undelete)
		return resolve_delete(c, &id, o.keep);
	if (optind + 1 >= argc)
		return cli_usage(c, "missing FIELD (or --keep-deleted, "
				 "--undelete)");
	return resolve_field(c, &id, argv[optind + 1], o.has_pick, o.pick);
}
