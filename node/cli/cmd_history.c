/*
 * cmd_history.c - `presidio history` (the changes of one record, with old
 * and new values) and `presidio log` (the node's change log).
 *
 * The change log stores only new values.  history finds each old value in
 * the earlier entry that wrote the version the change replaced: walking
 * the entries in order, it remembers the value written for every (field,
 * version) in a JSON object keyed "field:hlc:node-id", and looks the
 * entry's previous version up there.  Versions are matched by node id,
 * not by the store's actor number: one node may have several actors (one
 * per operator, and one for changes received without an operator), and
 * (hlc, node) alone names a write everywhere.  A resolution names several
 * previous versions of a field (every candidate it settles): its old
 * value is the one that was in force, the greatest of them found.  A
 * previous version written before this node saw the record (or none at
 * all) shows as "(none)".
 */
#include "node/cli/cli.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "conflict/hlc.h"

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

static const char *kind_name(enum store_change_kind k)
{
	switch (k) {
	case STORE_CHANGE_CREATE: return "create";
	case STORE_CHANGE_UPDATE: return "update";
	case STORE_CHANGE_DELETE: return "delete";
	case STORE_CHANGE_RESOLVE: return "resolve";
	default: return "unknown";
	}
}

/* The value a change wrote to field f (borrowed), JSON null if none. */
static json_t *written(const struct store_change *c, uint16_t f)
{
	char buf[16];
	json_t *v;

	v = c->fields ? json_object_get(c->fields,
					cli_field_name(c->coll, f, buf))
		      : NULL;
	return v ? v : json_null();
}

#define VERSION_KEY_MAX 80 /* "field:hlc:node-id" */

static void version_key(char out[VERSION_KEY_MAX], uint16_t f, uint64_t hlc,
			const struct id *node)
{
	char nid[ID_TEXT_LEN + 1];

	id_format(node, nid);
	snprintf(out, VERSION_KEY_MAX, "%u:%" PRIu64 ":%s", (unsigned)f, hlc,
		 nid);
}

/* Common head of a JSON Lines entry. */
static json_t *entry_head(const struct store_change *c)
{
	char when[HLC_TEXT_LEN];

	hlc_format(c->hlc, when);
	return json_pack("{sIsssIss}", "seq", (json_int_t)c->seq, "time", when,
			 "hlc", (json_int_t)c->hlc, "kind", kind_name(c->kind));
}

static int put_json(FILE *f, const json_t *v)
{
	return json_dumpf(v, f, JSON_COMPACT | JSON_ENCODE_ANY);
}

/* ---- history ---- */

struct hist_ctx {
	struct store *s;
	json_t *seen; /* "field:hlc:node-id" -> value written */
	int json;     /* --json */
	struct err *e;
};

/*
 * Old value of field i of c (borrowed), NULL when unknown.  prev_ids holds
 * c->prev with the actors' node ids.  A resolution names every candidate
 * it settles: of those history has seen, the greatest version is the one
 * that was in force (merge.h: the winner is the greatest version of the
 * frontier), so that is the old value shown.
 */
static json_t *old_value(struct hist_ctx *h, const struct store_change *c,
			 size_t i)
{
	const struct merge_vid *best = NULL, *v;
	uint16_t f = c->vers.e[i].field;
	char key[VERSION_KEY_MAX];
	json_t *old = NULL, *x;
	size_t k;

	for (k = 0; k < c->nprev_ids && k < c->prev.n; k++) {
		v = &c->prev_ids[k].v;
		if (c->prev_ids[k].field != f || !c->prev.e[k].v.actor)
			continue;
		version_key(key, f, v->hlc, &v->node);
		x = json_object_get(h->seen, key);
		if (x && (!best || merge_vid_cmp(v, best) > 0)) {
			best = v;
			old = x;
		}
	}
	return old;
}

static int hist_text(struct hist_ctx *h, const struct store_change *c)
{
	char when[HLC_TEXT_LEN], node[ID_TEXT_LEN + 1], buf[16];
	json_t *old;
	size_t i;
	int rc = 0;

	hlc_format(c->hlc, when);
	id_format(&c->origin, node);
	printf("#%" PRIu64 " %s %s by %s on %s\n", c->seq, when,
	       kind_name(c->kind), c->operator, node);
	for (i = 0; i < c->vers.n && rc == 0; i++) {
		old = old_value(h, c, i);
		printf("    %s: ",
		       cli_field_name(c->coll, c->vers.e[i].field, buf));
		if (old)
			rc |= put_json(stdout, old);
		else
			fputs("(none)", stdout);
		fputs(" -> ", stdout);
		rc |= put_json(stdout, written(c, c->vers.e[i].field));
		putchar('\n');
	}
	return rc ? err_set(h->e, ERR_IO, "cannot write output") : 0;
}

static int hist_json(struct hist_ctx *h, const struct store_change *c)
{
	char node[ID_TEXT_LEN + 1], buf[16];
	json_t *o = entry_head(c), *changes = json_array(), *one;
	json_t *old;
	size_t i;
	int rc = 0;

	id_format(&c->origin, node);
	if (!o || !changes ||
	    json_object_set_new(o, "node", json_string(node)) ||
	    json_object_set_new(o, "operator", json_string(c->operator)))
		rc = ERR_NOMEM;
	for (i = 0; i < c->vers.n && rc == 0; i++) {
		old = old_value(h, c, i);
		one = json_pack("{sssOsO}", "field",
				cli_field_name(c->coll, c->vers.e[i].field,
					       buf),
				"old", old ? old : json_null(), "new",
				written(c, c->vers.e[i].field));
		if (json_array_append_new(changes, one) < 0)
			rc = ERR_NOMEM;
	}
	if (rc == 0 && json_object_set(o, "changes", changes) < 0)
		rc = ERR_NOMEM;
	if (rc == 0)
		rc = cli_print_json(o, JSON_COMPACT, h->e);
	else
		err_set(h->e, rc, "out of memory");
	json_decref(changes);
	json_decref(o);
	return rc;
}

/* Remember what c wrote, for the entries after it. */
static int remember(struct hist_ctx *h, const struct store_change *c)
{
	const struct version *v;
	char key[VERSION_KEY_MAX];
	struct id node;
	size_t i;
	int rc;

	for (i = 0; i < c->vers.n; i++) {
		v = &c->vers.e[i].v;
		rc = store_actor(h->s, v->actor, &node, NULL, h->e);
		if (rc < 0)
			return rc;
		version_key(key, c->vers.e[i].field, v->hlc, &node);
		if (json_object_set(h->seen, key,
				    written(c, c->vers.e[i].field)) < 0)
			return err_set(h->e, ERR_NOMEM, "out of memory");
	}
	return 0;
}

static int hist_one(void *ctx, const struct store_change *c)
{
	struct hist_ctx *h = ctx;
	int rc;

	rc = h->json ? hist_json(h, c) : hist_text(h, c);
	if (rc == 0)
		rc = remember(h, c);
	return rc;
}

static int history(struct cli *c, const struct id *id, int json)
{
	struct hist_ctx h;
	struct store *s = NULL;
	struct err e;
	int rc;

	err_init(&e);
	h.s = NULL;
	h.seen = json_object();
	h.json = json;
	h.e = &e;
	rc = h.seen ? 0 : err_set(&e, ERR_NOMEM, "out of memory");
	if (rc < 0)
		goto out;
	rc = cli_open_unlocked(c, &s, &e);
	if (rc < 0)
		goto out;
	h.s = s;
	rc = store_history(s, id, hist_one, &h, &e);
out:
	json_decref(h.seen);
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
	       c->coll->name, kind_name(c->kind), c->operator);
	for (i = 0; i < c->vers.n; i++)
		printf("%s%s", i ? "," : "",
		       cli_field_name(c->coll, c->vers.e[i].field, buf));
	putchar('\n');
	for (i = 0; l->values && i < c->vers.n; i++) {
		printf("    %s: ",
		       cli_field_name(c->coll, c->vers.e[i].field, buf));
		rc |= put_json(stdout, written(c, c->vers.e[i].field));
		putchar('\n');
	}
	return rc ? err_set(l->e, ERR_IO, "cannot write output") : 0;
}

/* The "fields" member: [names], or {name: value} with --values. */
static json_t *log_fields(const struct log_ctx *l,
			  const struct store_change *c)
{
	json_t *f = l->values ? json_object() : json_array();
	const char *name;
	char buf[16];
	size_t i;
	int bad = !f;

	for (i = 0; !bad && i < c->vers.n; i++) {
		name = cli_field_name(c->coll, c->vers.e[i].field, buf);
		if (l->values)
			bad = json_object_set(f, name,
					      written(c, c->vers.e[i].field));
		else
			bad = json_array_append_new(f, json_string(name));
	}
	if (bad) {
		json_decref(f);
		return NULL;
	}
	return f;
}

static int log_json(struct log_ctx *l, const struct store_change *c)
{
	char rec[ID_TEXT_LEN + 1], origin[ID_TEXT_LEN + 1];
	json_t *o = entry_head(c);
	int rc;

	id_format(&c->record, rec);
	id_format(&c->origin, origin);
	if (!o || json_object_set_new(o, "record", json_string(rec)) ||
	    json_object_set_new(o, "collection",
				json_string(c->coll->name)) ||
	    json_object_set_new(o, "origin", json_string(origin)) ||
	    json_object_set_new(o, "origin_seq",
				json_integer((json_int_t)c->origin_seq)) ||
	    json_object_set_new(o, "operator", json_string(c->operator)) ||
	    json_object_set_new(o, "fields", log_fields(l, c)))
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
