/*
 * cmd_import.c - `presidio import`: load records from JSON Lines.
 *
 * Each line is {"op":"put","collection":C,"id":UUID,"fields":{...}} and
 * becomes one store_put().  Lines are grouped in transactions of --batch
 * lines: a bad line rolls back its own batch only, earlier batches stay,
 * and the message says where ("FILE:LINE: ...") and how much was kept.
 * Each batch also records, in the same transaction, how many lines of
 * the file (named by its SHA-256) are in: running the same file again,
 * after a crash or a kill, resumes after the last committed batch and
 * applies nothing twice (a regular file only: a pipe is read once).
 * Lines are read into one buffer of IMPORT_LINE_MAX bytes
 * (import_line.h), wiped before it is freed: a longer line is refused
 * without reading it whole, and what has no end (a device such as
 * /dev/zero, a directory) is refused before reading; messages never quote
 * a line.
 */
#include "node/cli/cli.h"

#include <errno.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "node/cli/import_line.h"

#define IMPORT_BATCH_DEFAULT 1000
#define IMPORT_BATCH_MAX 100000
#define IMPORT_IOBUF 65536      /* stdio buffer of the input */

enum { OPT_BATCH = CLI_OPT_LOCAL };

const char cli_usage_import[] =
	"usage: presidio import FILE.jsonl [--batch N]\n"
	"\n"
	"Load records from JSON Lines (\"-\": standard input), one operation\n"
	"per line:\n"
	"  {\"op\":\"put\",\"collection\":C,\"id\":UUID,\"fields\":{...}}\n"
	"A line holds at most 1 MiB; FILE is a regular file or a pipe (a\n"
	"device or a directory is refused).\n"
	"Lines are committed in batches; a bad line rolls back its batch\n"
	"(earlier batches are kept) and ends the import with exit code 6.\n"
	"Each batch records how far a regular file got: running it\n"
	"again resumes after the last committed batch.\n"
	"\n"
	"  --batch N             lines per transaction (1..100000, default\n"
	"                        1000)\n"
	"  -u, --operator NAME   unlock as NAME\n"
	"  --key-file PATH       unlock with a key file\n"
	"  --passphrase-fd N     read the passphrase from descriptor N\n";

struct counts {
	uint64_t lines, created, updated, unchanged;
};

struct import {
	const char *file;    /* name in messages */
	uint64_t batch;      /* lines per transaction */
	uint64_t lineno;     /* current line of the file */
	int in_tx;           /* a batch transaction is open */
	char ckpt[48];       /* checkpoint name, "" for standard input */
	uint64_t skip;       /* lines committed by an earlier run */
	struct counts done;  /* committed */
	struct counts open;  /* in the open batch */
	struct cli_progress progress;
};

static void count(struct counts *n, const struct store_put_result *res)
{
	n->lines++;
	if (res->created)
		n->created++;
	else if (res->changed)
		n->updated++;
	else
		n->unchanged++;
}

static int import_line(struct store *s, struct import *im, const char *line,
		       size_t len, struct err *e)
{
	struct store_put_result res;
	struct import_op op;
	int rc = import_parse_line(line, len, &op, e);

	if (rc && op.bad_json)
		err_set(e, rc, "invalid JSON at column %d: %s", op.je.column,
			cli_json_error(&op.je));
	if (rc == 0)
		rc = store_put(s, op.collection, &op.id, op.fields, &res, e);
	if (rc == 0)
		count(&im->open, &res);
	import_op_release(&op);
	return rc;
}

static int commit_batch(struct store *s, struct import *im, struct err *e)
{
	int rc;

	if (!im->in_tx)
		return 0;
	rc = im->ckpt[0] ? store_checkpoint_set(s, im->ckpt, im->lineno, e) : 0;
	if (rc == 0)
		rc = store_commit(s, e);
	im->in_tx = 0;
	if (rc < 0)
		return rc;
	im->done.lines += im->open.lines;
	im->done.created += im->open.created;
	im->done.updated += im->open.updated;
	im->done.unchanged += im->open.unchanged;
	memset(&im->open, 0, sizeof(im->open));
	return 0;
}

/* One line of the file (its end removed): skip blank ones, start and end
 * batches. */
static int feed(struct store *s, struct import *im, const char *line,
		size_t n, struct err *e)
{
	int rc;

	if (n == 0)
		return 0;
	if (!im->in_tx) {
		rc = store_begin(s, e);
		if (rc < 0)
			return rc;
		im->in_tx = 1;
	}
	rc = import_line(s, im, line, n, e);
	cli_progress_draw(&im->progress, "importing: %" PRIu64 " lines",
			  im->done.lines + im->open.lines);
	if (rc == 0 && im->open.lines >= im->batch)
		rc = commit_batch(s, im, e);
	return rc;
}

static int read_lines(struct store *s, struct import *im, FILE *f,
		      struct err *e)
{
	struct import_reader r;
	int rc = import_reader_init(&r, f, IMPORT_LINE_MAX, e), got = 0;

	while (rc == 0) {
		rc = import_read_line(&r, &got, e);
		if (rc == 0 && !got)
			break;
		im->lineno++;
		if (rc == 0 && im->lineno <= im->skip)
			continue;
		if (rc == 0)
			rc = feed(s, im, r.buf, r.len, e);
		if (rc < 0)
			err_prefix(e, "%s:%" PRIu64, im->file, im->lineno);
	}
	if (rc == 0)
		rc = commit_batch(s, im, e);
	import_reader_release(&r);
	return rc;
}

static void summary(const struct import *im, double secs)
{
	double rate = secs > 1e-6 ? (double)im->done.lines / secs
				  : (double)im->done.lines;

	if (im->skip)
		printf("skipped %" PRIu64 " lines imported by an earlier run\n",
		       im->skip);
	printf("imported %" PRIu64 " lines: %" PRIu64 " created, %" PRIu64
	       " updated, %" PRIu64 " unchanged (%.1f s, %.0f lines/s)\n",
	       im->done.lines, im->done.created, im->done.updated,
	       im->done.unchanged, secs, rate);
}

/* The error of a failed import, with what was kept. */
static int fail_at_line(const struct import *im, const struct err *e)
{
	cli_error("%s; %" PRIu64 " earlier lines were committed", e->msg,
		  im->done.lines);
	return cli_exit_code(e->code ? e->code : ERR_FAIL);
}

/*
 * Only what ends can be imported: a regular file, a pipe or a socket (or
 * a terminal on standard input, ended with Ctrl-D).  A device such as
 * /dev/zero would be read for ever, a directory not at all.  *regular
 * is 1 for a regular file (which can be read twice, to resume).
 */
static int check_input(FILE *f, const char *path, int is_stdin, int *regular,
		       struct err *e)
{
	struct stat st;

	if (fstat(fileno(f), &st) != 0)
		return err_set(e, ERR_IO, "cannot read %s: %s", path,
			       strerror(errno));
	*regular = S_ISREG(st.st_mode);
	if (*regular || S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) ||
	    (is_stdin && isatty(fileno(f))))
		return 0;
	return err_set(e, ERR_INVALID,
		       "cannot import %s: it is a %s, not a regular file or a "
		       "pipe", path,
		       S_ISDIR(st.st_mode)   ? "directory"
		       : S_ISCHR(st.st_mode) ? "character device"
		       : S_ISBLK(st.st_mode) ? "block device"
					     : "special file");
}

static int open_input(const char *path, FILE **f, int *regular,
		      struct err *e)
{
	if (strcmp(path, "-") == 0) {
		*f = stdin;
		return check_input(*f, "standard input", 1, regular, e);
	}
	*f = fopen(path, "re");
	if (!*f)
		return err_set(e, errno == ENOENT ? ERR_NOTFOUND : ERR_IO,
			       "cannot open %s: %s", path, strerror(errno));
	return check_input(*f, path, 0, regular, e);
}

/* Name the checkpoint of a file after its SHA-256 and read how far an
 * earlier run got. */
static int resume_point(struct store *s, struct import *im, FILE *f,
			struct err *e)
{
	crypto_hash_sha256_state st;
	unsigned char digest[crypto_hash_sha256_BYTES];
	unsigned char buf[65536];
	char hex[2 * 16 + 1];
	size_t n;
	int rc;

	crypto_hash_sha256_init(&st);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		crypto_hash_sha256_update(&st, buf, n);
	sodium_memzero(buf, sizeof(buf));
	if (ferror(f) || fseek(f, 0, SEEK_SET) != 0)
		return err_set(e, ERR_IO, "cannot read %s: %s", im->file,
			       strerror(errno));
	crypto_hash_sha256_final(&st, digest);
	sodium_bin2hex(hex, sizeof(hex), digest, 16);
	snprintf(im->ckpt, sizeof(im->ckpt), "import:%s", hex);
	rc = store_checkpoint_get(s, im->ckpt, &im->skip, e);
	if (rc == ERR_NOTFOUND) {
		im->skip = 0;
		rc = 0;
	}
	return rc;
}

static int import_file(struct cli *c, struct import *im, const char *path)
{
	struct store *s = NULL;
	FILE *f = NULL;
	char *iobuf = NULL;
	double t0 = cli_now();
	struct err e;
	int regular = 0;
	int rc;

	err_init(&e);
	rc = cli_open_unlocked(c, &s, &e);
	if (rc < 0)
		goto out;
	rc = open_input(path, &f, &regular, &e);
	/* The stream reads through a buffer of ours, wiped when done: the
	 * file holds personal data in clear and stdio's own buffer would be
	 * freed as it is. */
	if (rc == 0) {
		iobuf = malloc(IMPORT_IOBUF);
		if (!iobuf || setvbuf(f, iobuf, _IOFBF, IMPORT_IOBUF) != 0)
			rc = err_set(&e, ERR_NOMEM, "out of memory");
	}
	/* Only a regular file can be read twice: a pipe has no resume. */
	if (rc == 0 && regular && f != stdin)
		rc = resume_point(s, im, f, &e);
	if (rc < 0)
		goto out;
	rc = read_lines(s, im, f, &e);
	cli_progress_end(&im->progress);
	if (rc < 0) {
		store_rollback(s);
		log_warn("import.stopped", "at line %" PRIu64 ", %" PRIu64
			 " lines committed, operator %s", im->lineno,
			 im->done.lines, store_operator(s));
		goto out;
	}
	summary(im, cli_now() - t0);
	log_info("import.done", "%" PRIu64 " lines, %" PRIu64 " created, %" PRIu64
		 " updated, %" PRIu64 " unchanged, operator %s",
		 im->done.lines, im->done.created, im->done.updated,
		 im->done.unchanged, store_operator(s));
out:
	/* Standard input is closed too: nothing reads it after an import,
	 * and the stream must let go of iobuf before it is wiped. */
	if (f)
		fclose(f);
	if (iobuf) {
		sodium_memzero(iobuf, IMPORT_IOBUF);
		free(iobuf);
	}
	store_close(s);
	if (rc < 0 && im->lineno > 0)
		return fail_at_line(im, &e);
	return rc < 0 ? cli_fail(&e) : CLI_EXIT_OK;
}

int cmd_import(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "batch", required_argument, NULL, OPT_BATCH },
		CLI_OPTIONS_UNLOCK, CLI_OPTION_HELP, CLI_OPTION_END
	};
	struct import im;
	int opt;

	memset(&im, 0, sizeof(im));
	im.batch = IMPORT_BATCH_DEFAULT;
	cli_opts_begin(c, "import", cli_usage_import);
	for (;;) {
		opt = cli_next_opt(c, argc, argv, "hu:", opts);
		if (opt < 0)
			break;
		if (opt == OPT_BATCH &&
		    cli_parse_u64(optarg, 1, IMPORT_BATCH_MAX, &im.batch) < 0)
			return cli_usage(c, "--batch wants a number from 1 to "
					 "%d", IMPORT_BATCH_MAX);
	}
	if (opt != CLI_NEXT_END)
		return cli_opts_exit(opt);
	if (cli_args(c, argc, 1, 1) < 0)
		return CLI_EXIT_USAGE;
	im.file = argv[optind];
	cli_progress_init(&im.progress, c->tty_err);
	return import_file(c, &im, argv[optind]);
}
