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

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "conflict/hlc.h"

#define WHERE_MAX 16

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

/* Set o[k] = v (taking v); -1 when v is NULL or out of memory. */
static int jset(json_t *o, const char *k, json_t *v)
{
	return v ? json_object_set_new(o, k, v) : -1;
}

/* ---- output of one record ---- */

static json_t *version_json(struct store *s, const struct version *v,
			    struct err *e)
{
	char when[HLC_TEXT_LEN], node[ID_TEXT_LEN + 1];
	const char *op = NULL;
	struct id nid;
	json_t *o;

	if (store_actor(s, v->actor, &nid, &op, e) < 0)
		return NULL;
	hlc_format(v->hlc, when);
	id_format(&nid, node);
	o = json_object();
	if (!o || jset(o, "time", json_string(when)) ||
	    jset(o, "hlc", json_integer((json_int_t)v->hlc)) ||
	    jset(o, "node", json_string(node)) ||
	    jset(o, "operator", json_string(op ? op : ""))) {
		json_decref(o);
		err_set(e, ERR_NOMEM, "out of memory");
		return NULL;
	}
	return o;
}

static int add_versions(struct store *s, const struct store_record *r,
			json_t *out, struct err *e)
{
	json_t *vers = json_object(), *v;
	const char *name;
	char buf[16];
	size_t i;
	int rc = 0;

	if (!vers)
		return err_set(e, ERR_NOMEM, "out of memory");
	for (i = 0; i < r->vers.n && rc == 0; i++) {
		v = version_json(s, &r->vers.e[i].v, e);
		name = cli_field_name(r->coll, r->vers.e[i].field, buf);
		if (!v)
			rc = e->code ? e->code : ERR_NOMEM;
		else if (json_object_set_new(vers, name, v) < 0)
			rc = err_set(e, ERR_NOMEM, "out of memory");
	}
	if (rc == 0 && json_object_set_new(out, "versions", vers) < 0)
		return err_set(e, ERR_NOMEM, "out of memory");
	if (rc < 0)
		json_decref(vers);
	return rc;
}

/* {"id","collection","deleted","fields"[,"versions"]} into *out. */
static int record_json(struct store *s, const struct store_record *r,
		       int versions, json_t **out, struct err *e)
{
	char idtext[ID_TEXT_LEN + 1];
	json_t *o = json_object();
	int rc = 0;

	id_format(&r->id, idtext);
	if (!o || jset(o, "id", json_string(idtext)) ||
	    jset(o, "collection", json_string(r->coll->name)) ||
	    jset(o, "deleted", json_boolean(r->deleted)) ||
	    jset(o, "fields",
		 r->fields ? json_incref(r->fields) : json_object())) {
		rc = err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	if (versions)
		rc = add_versions(s, r, o, e);
out:
	if (rc < 0) {
		json_decref(o);
		o = NULL;
	}
	*out = o;
	return rc;
}

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
	log_info("put %s %s: %s, %zu fields changed, operator %s", coll,
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
	struct store_record r;
	struct store *s = NULL;
	json_t *o = NULL;
	struct err e;
	int rc;

	err_init(&e);
	store_record_init(&r);
	rc = cli_open_unlocked(c, &s, &e);
	if (rc < 0)
		goto out;
	rc = store_get(s, id, &r, &e);
	if (rc < 0)
		goto out;
	rc = record_json(s, &r, versions, &o, &e);
	if (rc < 0)
		goto out;
	rc = cli_print_json(o, JSON_INDENT(2) | JSON_SORT_KEYS, &e);
out:
	json_decref(o);
	store_record_release(&r);
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

struct where {
	const char *arg;                  /* FIELD=VALUE as given */
	const struct schema_field *field; /* FIELD */
	const char *value;                /* VALUE */
	double num;                       /* VALUE as a number */
};

struct list_ctx {
	struct store *s;
	struct where w[WHERE_MAX];
	size_t nw;
	uint64_t limit; /* 0: all */
	uint64_t n;     /* records matched */
	int count;      /* print only n */
	struct err *e;
};

static int is_list_type(enum schema_type t)
{
	return t == SCHEMA_STRING_LIST;
}

static int is_number_type(enum schema_type t)
{
	return t == SCHEMA_INT || t == SCHEMA_NUMBER;
}

static int where_match(const struct where *w, const json_t *fields)
{
	const json_t *v = json_object_get(fields, w->field->name), *x;
	size_t i;

	if (!v)
		return 0;
	if (is_list_type(w->field->type)) {
		json_array_foreach(v, i, x)
			if (json_is_string(x) &&
			    strcmp(json_string_value(x), w->value) == 0)
				return 1;
		return 0;
	}
	if (is_number_type(w->field->type))
		return json_is_number(v) && json_number_value(v) == w->num;
	if (w->field->type == SCHEMA_BOOL)
		return json_is_boolean(v) &&
		       json_is_true(v) == (strcmp(w->value, "true") == 0);
	return json_is_string(v) && strcmp(json_string_value(v), w->value) == 0;
}

static int list_one(void *ctx, const struct store_record *r)
{
	struct list_ctx *l = ctx;
	json_t *o = NULL;
	size_t i;
	int rc;

	for (i = 0; i < l->nw; i++)
		if (!r->fields || !where_match(&l->w[i], r->fields))
			return 0;
	l->n++;
	if (!l->count) {
		rc = record_json(l->s, r, 0, &o, l->e);
		if (rc == 0)
			rc = cli_print_json(o, JSON_COMPACT, l->e);
		json_decref(o);
		if (rc < 0)
			return rc;
	}
	return l->limit && l->n >= l->limit ? 1 : 0;
}

static int list_records(struct cli *c, const char *coll, struct list_ctx *l,
			int with_deleted)
{
	struct err e;
	int rc;

	err_init(&e);
	l->e = &e;
	rc = cli_open_unlocked(c, &l->s, &e);
	if (rc < 0)
		goto out;
	rc = store_list(l->s, coll, with_deleted, list_one, l, &e);
	if (rc > 0)
		rc = 0; /* stopped at the limit */
	if (rc == 0 && l->count)
		printf("%llu\n", (unsigned long long)l->n);
out:
	store_close(l->s);
	return rc < 0 ? cli_fail(&e) : CLI_EXIT_OK;
}

/* Split and check --where FIELD=VALUE: 0, or an exit code. */
static int where_resolve(const struct cli *c,
			 const struct schema_collection *coll, struct where *w)
{
	const char *eq = strchr(w->arg, '=');
	char name[SCHEMA_NAME_MAX + 1];
	char *end = NULL;
	size_t n;

	if (!eq || eq == w->arg)
		return cli_usage(c, "--where wants FIELD=VALUE");
	n = (size_t)(eq - w->arg);
	if (n > SCHEMA_NAME_MAX)
		n = SCHEMA_NAME_MAX;
	memcpy(name, w->arg, n);
	name[n] = '\0';
	w->value = eq + 1;
	w->field = schema_field(coll, name);
	if (!w->field) {
		cli_error("unknown field '%s' in collection %s", name,
			  coll->name);
		return CLI_EXIT_INVALID;
	}
	if (is_number_type(w->field->type)) {
		errno = 0;
		w->num = strtod(w->value, &end);
		if (!strchr("-0123456789", *w->value) || !*w->value || errno ||
		    *end || !isfinite(w->num)) {
			cli_error("--where %s wants a number", name);
			return CLI_EXIT_INVALID;
		}
	}
	if (w->field->type == SCHEMA_BOOL && strcmp(w->value, "true") &&
	    strcmp(w->value, "false")) {
		cli_error("--where %s wants true or false", name);
		return CLI_EXIT_INVALID;
	}
	return 0;
}

static int list_opt(struct cli *c, int opt, struct list_ctx *l,
		    int *with_deleted)
{
	if (opt == OPT_WHERE) {
		if (l->nw == WHERE_MAX)
			return cli_usage(c, "at most %d --where", WHERE_MAX);
		l->w[l->nw++].arg = optarg;
	} else if (opt == OPT_DELETED) {
		*with_deleted = 1;
	} else if (opt == OPT_COUNT) {
		l->count = 1;
	} else if (opt == OPT_LIMIT &&
		   cli_parse_u64(optarg, 0, UINT64_MAX, &l->limit) < 0) {
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
	int opt, rc, with_deleted = 0;
	size_t i;

	memset(&l, 0, sizeof(l));
	cli_opts_begin(c, "list", cli_usage_list);
	for (;;) {
		opt = cli_next_opt(c, argc, argv, "hu:", opts);
		if (opt < 0)
			break;
		rc = list_opt(c, opt, &l, &with_deleted);
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
	for (i = 0; i < l.nw; i++) {
		rc = where_resolve(c, coll, &l.w[i]);
		if (rc)
			return rc;
	}
	return list_records(c, coll->name, &l, with_deleted);
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
	log_info("delete %s, operator %s", idtext, store_operator(s));
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
