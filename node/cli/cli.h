/*
 * cli.h - what the command files of the `presidio` program share.
 *
 * The program is one binary with git-style subcommands (main.c dispatches
 * on the table below; each cmd_*.c file implements a few commands).  This
 * header holds the per-run state (struct cli: node directory, unlocking
 * options), the exit codes and their mapping from ERR_* codes, option and
 * number parsing, the open-and-unlock sequence every value command starts
 * with, secrets (secret.c) and small output helpers.
 *
 * Commands return an exit code (enum cli_exit), never a negative ERR_*:
 * they print their one error line through cli_fail()/cli_usage() before
 * returning.  Nothing here prints a field value, a passphrase or a key.
 */
#ifndef PRESIDIO_CLI_H
#define PRESIDIO_CLI_H

#include <getopt.h>
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <time.h>

#include "common/conf.h"
#include "common/err.h"
#include "common/log.h"
#include "node/keyslot.h"
#include "node/store.h"

/* The version; packaging/debian/changelog's must be the same (the
 * package test checks the installed program against it). */
#define CLI_VERSION "0.2.0"
#define CLI_SECRET_MAX 1024      /* longest passphrase line read */
#define CLI_INPUT_MAX (1u << 20) /* largest JSON document on stdin */

/* Exit codes, as documented by `presidio help`. */
enum cli_exit {
	CLI_EXIT_OK = 0,
	CLI_EXIT_FAIL = 1,     /* I/O, internal */
	CLI_EXIT_USAGE = 2,    /* bad options or arguments */
	CLI_EXIT_NOTFOUND = 3, /* no such record, operator or node */
	CLI_EXIT_AUTH = 4,     /* wrong passphrase or key file */
	CLI_EXIT_CORRUPT = 5,  /* data integrity error */
	CLI_EXIT_INVALID = 6,  /* invalid input: JSON, schema */
	CLI_EXIT_BUSY = 7,     /* database locked too long */
	CLI_EXIT_EXISTS = 8,   /* already exists */
	CLI_EXIT_REFUSED = 9,  /* refused by a rule */
	CLI_EXIT_PARTIAL = 10, /* sync done, some changes refused */
	CLI_EXIT_OFFLINE = 11, /* the hub could not be reached */
	CLI_EXIT_DENIED = 12   /* not allowed to the operator's role */
};

/* An error code private to the command line: a usage error (exit 2)
 * carried in a struct err, e.g. "no passphrase available". */
#define CLI_ERR_USAGE (-100)

/* Long-only options shared by the commands (getopt_long values). */
enum cli_opt {
	CLI_OPT_KEY_FILE = 256, /* --key-file PATH */
	CLI_OPT_PASS_FD,        /* --passphrase-fd N */
	CLI_OPT_NEW_PASS_FD,    /* --new-passphrase-fd N */
	CLI_OPT_LOCAL = 300     /* commands number their own from here */
};

/* Entries of struct option arrays, for the commands' own tables. */
#define CLI_OPTION_HELP { "help", no_argument, NULL, 'h' }
#define CLI_OPTIONS_UNLOCK                                                     \
	{ "operator", required_argument, NULL, 'u' },                          \
	{ "key-file", required_argument, NULL, CLI_OPT_KEY_FILE },             \
	{ "passphrase-fd", required_argument, NULL, CLI_OPT_PASS_FD }
#define CLI_OPTION_NEW_PASS                                                    \
	{ "new-passphrase-fd", required_argument, NULL, CLI_OPT_NEW_PASS_FD }
#define CLI_OPTION_END { NULL, 0, NULL, 0 }

/* cli_next_opt() results other than an option character. */
#define CLI_NEXT_END (-1)   /* no more options */
#define CLI_NEXT_HELP (-2)  /* usage printed on stdout: exit 0 */
#define CLI_NEXT_ERROR (-3) /* usage error printed: exit 2 */

struct cli_command;

/* State of one run of the program. */
struct cli {
	const char *dir;              /* node directory, resolved */
	const char *operator;         /* -u NAME, else NULL (env looked up
					 by cli_operator()) */
	const char *key_file;         /* --key-file PATH, or NULL */
	int pass_fd;                  /* --passphrase-fd N, or -1 */
	int new_pass_fd;              /* --new-passphrase-fd N, or -1 */
	int tty_err;                  /* stderr is a terminal */
	enum keyslot_kind unlocked;   /* kind of secret that unlocked */
	const char *cmd_name;         /* "put", "operator add": messages */
	const char *cmd_usage;        /* usage text of the running command */
	struct conf conf;             /* settings: default < file < env <
					 command line (cli_conf.c) */
};

/* One subcommand.  run() gets argv[0] = the command's name and returns
 * an exit code. */
struct cli_command {
	const char *name;
	int (*run)(struct cli *c, int argc, char **argv);
	const char *summary; /* one line for `presidio help` */
	const char *usage;   /* full usage text for --help */
};

/* A secret read for unlocking or for a new slot.  buf is sodium_malloc'd
 * and released (wiped) by cli_secret_release(). */
struct cli_secret {
	uint8_t *buf;
	size_t len;
	enum keyslot_kind kind;
};

/* ---- commands (cmd_*.c) ---- */

int cmd_init(struct cli *c, int argc, char **argv);
int cmd_put(struct cli *c, int argc, char **argv);
int cmd_get(struct cli *c, int argc, char **argv);
int cmd_list(struct cli *c, int argc, char **argv);
int cmd_delete(struct cli *c, int argc, char **argv);
int cmd_history(struct cli *c, int argc, char **argv);
int cmd_log(struct cli *c, int argc, char **argv);
int cmd_status(struct cli *c, int argc, char **argv);
int cmd_import(struct cli *c, int argc, char **argv);
int cmd_operator(struct cli *c, int argc, char **argv);
int cmd_key(struct cli *c, int argc, char **argv);
int cmd_verify(struct cli *c, int argc, char **argv);
int cmd_conflicts(struct cli *c, int argc, char **argv);
int cmd_resolve(struct cli *c, int argc, char **argv);
int cmd_enroll(struct cli *c, int argc, char **argv);
int cmd_sync(struct cli *c, int argc, char **argv);
int cmd_hub(struct cli *c, int argc, char **argv);
int cmd_refused(struct cli *c, int argc, char **argv);
int cmd_audit(struct cli *c, int argc, char **argv);
int cmd_emergency(struct cli *c, int argc, char **argv);
int cmd_hub_erase(struct cli *c, int argc, char **argv);
int cmd_erasures(struct cli *c, int argc, char **argv);
int cmd_retention(struct cli *c, int argc, char **argv);
int cmd_schema(struct cli *c, int argc, char **argv);
int cmd_person(struct cli *c, int argc, char **argv);
int cmd_report(struct cli *c, int argc, char **argv);
int cmd_ui(struct cli *c, int argc, char **argv);
int cmd_config(struct cli *c, int argc, char **argv);
int cmd_backup(struct cli *c, int argc, char **argv);
int cmd_restore(struct cli *c, int argc, char **argv);
extern const char cli_usage_backup[], cli_usage_restore[];
/* Operators' domain commands (wp13-ops): cmd_dote.c, cmd_care.c,
 * cmd_directory.c; what they share is node/cli/ops.h. */
int cmd_dote(struct cli *c, int argc, char **argv);
int cmd_budget(struct cli *c, int argc, char **argv);
int cmd_service(struct cli *c, int argc, char **argv);
int cmd_consent(struct cli *c, int argc, char **argv);
int cmd_referral(struct cli *c, int argc, char **argv);
int cmd_directory(struct cli *c, int argc, char **argv);
int cmd_export(struct cli *c, int argc, char **argv);
/* The BdI procedure (cmd_case.c, cmd_assess.c, cmd_bdi.c). */
int cmd_case(struct cli *c, int argc, char **argv);
int cmd_assess(struct cli *c, int argc, char **argv);
int cmd_validate(struct cli *c, int argc, char **argv);
int cmd_match(struct cli *c, int argc, char **argv);
int cmd_profile(struct cli *c, int argc, char **argv);
int cmd_plan(struct cli *c, int argc, char **argv);
int cmd_take_charge(struct cli *c, int argc, char **argv);
int cmd_close(struct cli *c, int argc, char **argv);
int cmd_followup(struct cli *c, int argc, char **argv);

/* Usage texts, defined next to each command. */
extern const char cli_usage_init[], cli_usage_put[], cli_usage_get[],
	cli_usage_list[], cli_usage_delete[], cli_usage_history[],
	cli_usage_log[], cli_usage_status[], cli_usage_import[],
	cli_usage_operator[], cli_usage_key[], cli_usage_verify[],
	cli_usage_conflicts[], cli_usage_resolve[], cli_usage_enroll[],
	cli_usage_sync[], cli_usage_hub[];
extern const char cli_usage_audit[], cli_usage_emergency[];
extern const char cli_usage_erase[], cli_usage_erasures[];
extern const char cli_usage_retention[];
extern const char cli_usage_refused[], cli_usage_schema[],
	cli_usage_person[], cli_usage_report[], cli_usage_ui[],
	cli_usage_config[];
extern const char cli_usage_dote[], cli_usage_budget[], cli_usage_service[],
	cli_usage_consent[], cli_usage_referral[], cli_usage_directory[],
	cli_usage_export[];
extern const char cli_usage_case[], cli_usage_assess[], cli_usage_validate[],
	cli_usage_match[], cli_usage_profile[], cli_usage_plan[],
	cli_usage_take_charge[], cli_usage_close[], cli_usage_followup[];

/* Write port (a server's, chosen when 0 was asked) to path, whole or not
 * at all (a temporary file renamed): tests and scripts wait for it. */
int cli_port_file(const char *path, uint16_t port, struct err *e);

/* ---- errors and exit codes (cli.c) ---- */

/* Exit code for an ERR_* code (or CLI_ERR_USAGE). */
int cli_exit_code(int err_code);

/* Print "presidio: error: MSG" for e and return its exit code. */
int cli_fail(const struct err *e);

/* Print a usage error for the running command and return 2. */
int cli_usage(const struct cli *c, const char *fmt, ...) ERR_PRINTF(2, 3);

/* Print "presidio: error: MSG" (no exit code implied). */
void cli_error(const char *fmt, ...) ERR_PRINTF(1, 2);

/* What a long-running command tells (hub serving, a sync round...): to
 * out as "PREFIX: ...", and as the log's event; under systemd the event
 * alone, with its priority, in the journal (common/log.h).  cli_note()
 * is the usual "presidio: ..." on stderr. */
void cli_report(FILE *out, const char *prefix, enum log_level level,
		const char *event, const char *fmt, ...) ERR_PRINTF(5, 6);
#define cli_note(level, event, ...)                                           \
	cli_report(stderr, "presidio", level, event, __VA_ARGS__)

/* ---- options and arguments (cli.c) ---- */

/* Start parsing a command's options (resets getopt). */
void cli_opts_begin(struct cli *c, const char *name, const char *usage);

/*
 * Next option of the running command.  Handles -h/--help, the unlocking
 * options (-u, --key-file, --passphrase-fd, --new-passphrase-fd: whichever
 * longopts lists) and unknown or incomplete options itself; returns the
 * others to the caller, or a CLI_NEXT_* code.
 */
int cli_next_opt(struct cli *c, int argc, char **argv, const char *shortopts,
		 const struct option *longopts);

/* Exit code for a CLI_NEXT_HELP / CLI_NEXT_ERROR result. */
int cli_opts_exit(int next);

/* Check that argc - optind lies in [min, max]: 0, or prints and returns
 * -1 (the command then exits 2). */
int cli_args(const struct cli *c, int argc, size_t min, size_t max);

/* Parse a decimal in [min, max]: no sign, no spaces, no trailing text.
 * 0 or -1. */
int cli_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/* Parse a record id argument; prints a usage error on failure (-1). */
int cli_parse_id(const struct cli *c, const char *s, struct id *out);

/* ---- opening the node (cli.c) ---- */

/* The operator: -u, else PRESIDIO_OPERATOR, else NULL. */
const char *cli_operator(const struct cli *c);

/* Run as root on a node directory another user owns (the packaged
 * /var/lib/presidio, the user presidio's): a usage error telling to run
 * as that user, since files root created there (the database's -wal and
 * -shm, the log) would lock the services out.  0 otherwise. */
int cli_dir_owner_check(const struct cli *c, struct err *e) ERR_MUST_USE;

/* ---- settings (cli_conf.c) ---- */

/* Load the settings in their order: built-in defaults (the node
 * directory under $HOME; the key file a systemd credential hands over),
 * the file (file, else $PRESIDIO_CONFIG, else CLI_CONF_FILE, which may be
 * missing), the environment, then args ("KEY=VALUE" from -c).  Sets
 * c->dir and the log level.  Returns 0 or ERR_INVALID / ERR_IO /
 * ERR_NOTFOUND with the file and line in e. */
int cli_conf_load(struct cli *c, const char *file, char *const *args,
		  size_t nargs, struct err *e);

/* The bearer token of /metrics from metrics.token_file, into out (n
 * bytes, "" when the key is unset).  ERR_IO, ERR_INVALID (not one line
 * of 16 or more printable characters).  The caller wipes out. */
#define CLI_TOKEN_MAX 256
int cli_metrics_token(const struct cli *c, char *out, size_t n,
		      struct err *e) ERR_MUST_USE;

/* A command's own option overriding a setting ("--port"): 0, or a usage
 * error printed (returns CLI_EXIT_USAGE). */
int cli_conf_flag(struct cli *c, const char *name, const char *value,
		  const char *flag);

/* store_open() on c->dir (a hub's store with its registry attached:
 * registry_attach()), then open the node's log file. */
int cli_open(struct cli *c, struct store **out, struct err *e) ERR_MUST_USE;

/*
 * Unlock s with the secret sources of the spec; key_file is the key-file
 * option to honour (NULL: only PRESIDIO_KEY_FILE).  Records the kind used
 * in c->unlocked.
 */
int cli_unlock(struct cli *c, struct store *s, const char *key_file,
	       struct err *e) ERR_MUST_USE;

/* cli_open() + cli_unlock(c, s, c->key_file).  *out is NULL on failure. */
int cli_open_unlocked(struct cli *c, struct store **out,
		      struct err *e) ERR_MUST_USE;

/* ---- input (cli.c) ---- */

/*
 * All of standard input, at most CLI_INPUT_MAX bytes, into *buf
 * (malloc'd, CLI_INPUT_MAX + 1 bytes; release it with cli_input_free(),
 * which wipes it, on success and failure alike).  ERR_INVALID when
 * larger, ERR_IO, ERR_NOMEM.
 */
int cli_read_input(char **buf, size_t *len, struct err *e) ERR_MUST_USE;

/* Wipe and free a cli_read_input() buffer.  Accepts NULL. */
void cli_input_free(char *buf);

/* ---- output (cli.c) ---- */

/* Write j to stdout with flags and a newline.  0 or ERR_IO. */
int cli_print_json(const json_t *j, size_t flags, struct err *e);

/* Name of field f of coll for output: "_deleted" for the deletion marker,
 * "field#N" for an id the schema does not know (buf holds it). */
const char *cli_field_name(const struct schema_collection *coll, uint16_t f,
			   char buf[16]);

/* Fixed description of a Jansson error (its own text may quote input). */
const char *cli_json_error(const json_error_t *je);

/* Seconds on the monotonic clock. */
double cli_now(void);

/* Progress line on a terminal: at most ~4 a second, carriage return. */
struct cli_progress {
	int on;      /* stderr is a terminal */
	double last; /* cli_now() of the last line drawn */
	int drawn;   /* a line is on screen */
};

void cli_progress_init(struct cli_progress *p, int on);
void cli_progress_draw(struct cli_progress *p, const char *fmt, ...)
	ERR_PRINTF(2, 3);
/* Erase the progress line, if any. */
void cli_progress_end(struct cli_progress *p);

/* ---- secrets (secret.c) ---- */

void cli_secret_init(struct cli_secret *s);
void cli_secret_release(struct cli_secret *s); /* wipes; accepts NULL */

/*
 * The unlocking secret of operator (for the prompt; NULL = "the node"):
 * key_file, else --passphrase-fd, else PRESIDIO_PASSPHRASE, else a prompt
 * on /dev/tty, else CLI_ERR_USAGE.
 */
int cli_secret_unlock(const struct cli *c, const char *operator,
		      const char *key_file, struct cli_secret *out,
		      struct err *e) ERR_MUST_USE;

/*
 * A new passphrase for who: --new-passphrase-fd, else
 * PRESIDIO_NEW_PASSPHRASE, else (with_unlock_sources: init) the
 * --passphrase-fd and PRESIDIO_PASSPHRASE sources, else two prompts on
 * /dev/tty that must match.  At least KEYSLOT_PASS_MIN bytes.
 */
int cli_secret_new(const struct cli *c, const char *who,
		   int with_unlock_sources, struct cli_secret *out,
		   struct err *e) ERR_MUST_USE;

/* Create key file path (O_EXCL, 0600) with 32 random bytes, fsync'd, and
 * keep the bytes in out.  ERR_EXISTS when path exists, ERR_IO. */
int cli_keyfile_create(const char *path, struct cli_secret *out,
		       struct err *e) ERR_MUST_USE;

#endif
