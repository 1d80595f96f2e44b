/*
 * cmd_refused.c - `presidio refused`: the changes refused whole or in part
 * (by the hub, or by a rule of the merge), also those whose case has left
 * this node since (their values are kept sealed, store_refused_list());
 * on the hub, the changes it refused from its nodes.  Listing needs no
 * passphrase; --export writes the values, opened for the unlocked
 * operator, to a new file only its owner may read.
 */
#include "node/cli/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "conflict/hlc.h"
#include "view/view_history.h"

enum { OPT_JSON = CLI_OPT_LOCAL, OPT_EXPORT };

const char cli_usage_refused[] =
	"usage: presidio refused [--json] [--export FILE]\n"
	"\n"
	"The changes refused whole or in part, oldest first: by the hub (out\n"
	"of this node's scope, for example made after its case was handed\n"
	"over), or fields only the hub may write.  A refused change stays\n"
	"here, its values sealed, even after its case has left this node.\n"
	"On the hub: the changes it refused from its nodes.\n"
	"  SEQ TIME RECORD-ID COLLECTION KIND OPERATOR [from NODE]: REASON\n"
	"\n"
	"  --json                JSON Lines: seq, time, hlc, record,\n"
	"                        collection, kind, operator, node, origin_seq,\n"
	"                        reason, kept (unix seconds, 0 while in the\n"
	"                        change log)\n"
	"  --export FILE         also write them with their values, as JSON\n"
	"                        Lines (the fields above and \"fields\"), to\n"
	"                        FILE, created new with mode 0600 (needs\n"
	"                        unlocking)\n"
	"  -u, --operator NAME   unlock as NAME (with --export)\n"
	"  --key-file PATH       unlock with a key file\n"
	"  --passphrase-fd N     read the passphrase from descriptor N\n";

struct refused_ctx {
	int json;      /* --json */
	FILE *out;     /* --export: the file, else NULL */
	uint64_t n;
	struct err *e;
};

static json_t *refused_entry(const struct store_refused *r)
{
	char when[HLC_TEXT_LEN], rec[ID_TEXT_LEN + 1];

	hlc_format(r->hlc, when);
	id_format(&r->record, rec);
	return json_pack("{sIsssIssssssssss?sIsssI}", "seq", (json_int_t)r->seq,
			 "time", when, "hlc", (json_int_t)r->hlc, "record", rec,
			 "collection", r->coll->name, "kind",
			 view_change_kind_name(r->kind), "operator", r->operator, "node",
			 r->peer, "origin_seq", (json_int_t)r->oseq, "reason",
			 r->reason, "kept", (json_int_t)r->at);
}

static int refused_one(void *ctx, const struct store_refused *r)
{
	struct refused_ctx *x = ctx;
	char when[HLC_TEXT_LEN], rec[ID_TEXT_LEN + 1];
	json_t *j = NULL;
	int rc = 0;

	x->n++;
	if (x->json || x->out) {
		j = refused_entry(r);
		if (!j || (x->out && json_object_set(j, "fields", r->fields)))
			rc = err_set(x->e, ERR_NOMEM, "out of memory");
	}
	if (!rc && x->out &&
	    (json_dumpf(j, x->out, JSON_COMPACT) || fputc('\n', x->out) < 0))
		rc = err_set(x->e, ERR_IO, "cannot write the export file");
	if (!rc && x->out) {
		/* The values go to the file only; what is listed here is
		 * what the listing without --export shows. */
		json_object_del(j, "fields");
	}
	if (!rc && x->json) {
		rc = cli_print_json(j, JSON_COMPACT, x->e);
	} else if (!rc) {
		hlc_format(r->hlc, when);
		id_format(&r->record, rec);
		printf("%" PRIu64 " %s %s %s %s %s%s%s: %s%s\n", r->seq, when,
		       rec, r->coll->name, view_change_kind_name(r->kind), r->operator,
		       r->peer ? " from " : "", r->peer ? r->peer : "",
		       r->reason,
		       r->at && !r->peer ? " (its case has left this node)"
					 : "");
	}
	json_decref(j);
	return rc;
}

/* A new file at path, 0600, for the export (never an existing one: it
 * could be a link to somewhere, or readable by others).  Its stdio buffer
 * is buf (n bytes), which the caller wipes after fclose(): the values
 * pass through it in clear, and stdio would free its own unwiped. */
static int export_open(const char *path, char *buf, size_t n, FILE **out,
		       struct err *e)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
		      0600);

	*out = NULL;
	if (fd < 0)
		return err_set(e, errno == EEXIST ? ERR_EXISTS : ERR_IO,
			       "cannot create %s: %s", path,
			       errno == EEXIST ? "it exists already"
					       : strerror(errno));
	*out = fdopen(fd, "w");
	if (!*out || setvbuf(*out, buf, _IOFBF, n)) {
		if (*out)
			fclose(*out);
		else
			close(fd);
		*out = NULL;
		unlink(path);
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	return 0;
}

int cmd_refused(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		{ "export", required_argument, NULL, OPT_EXPORT },
		CLI_OPTIONS_UNLOCK, CLI_OPTION_HELP, CLI_OPTION_END
	};
	struct refused_ctx x = { 0, NULL, 0, NULL };
	static char iobuf[BUFSIZ]; /* the export's stdio buffer, wiped */
	const char *path = NULL;
	struct store *s = NULL;
	struct err e;
	int opt, rc;

	cli_opts_begin(c, "refused", cli_usage_refused);
	for (;;) {
		opt = cli_next_opt(c, argc, argv, "hu:", opts);
		if (opt < 0)
			break;
		if (opt == OPT_JSON)
			x.json = 1;
		else if (opt == OPT_EXPORT)
			path = optarg;
	}
	if (opt != CLI_NEXT_END)
		return cli_opts_exit(opt);
	if (cli_args(c, argc, 0, 0) < 0)
		return CLI_EXIT_USAGE;
	if (path && !*path)
		return cli_usage(c, "--export wants a file name");
	err_init(&e);
	x.e = &e;
	rc = path ? cli_open_unlocked(c, &s, &e) : cli_open(c, &s, &e);
	if (!rc && path)
		rc = export_open(path, iobuf, sizeof(iobuf), &x.out, &e);
	if (!rc)
		rc = store_refused_list(s, path != NULL, refused_one, &x, &e);
	if (x.out) {
		if (fclose(x.out) && !rc)
			rc = err_set(&e, ERR_IO, "cannot write %s", path);
		sodium_memzero(iobuf, sizeof(iobuf));
		/* Half an export is worse than none: it looks complete. */
		if (rc)
			unlink(path);
	}
	if (!rc && !x.json)
		printf("%" PRIu64 " refused change%s%s%s\n", x.n,
		       x.n == 1 ? "" : "s", path ? ", exported to " : "",
		       path ? path : "");
	store_close(s);
	return rc < 0 ? cli_fail(&e) : CLI_EXIT_OK;
}
