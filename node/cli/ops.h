/*
 * ops.h - what the operators' domain commands share (cmd_dote.c: dote
 * and budget; cmd_care.c: service, consent, referral; cmd_directory.c:
 * directory and export; the BdI procedure's cmd_case.c, cmd_assess.c,
 * cmd_bdi.c, whose own step checks are in case_cmd.h): text that may be personal read from an
 * argument, standard input or a file; dates, euro amounts and declared
 * values as an Italian operator types them; records loaded by id and
 * checked to be of the expected collection; the store's refusals
 * rewritten as Italian sentences naming the field (name and label) and
 * the rule broken.
 *
 * Messages are in Italian (the commands' users are the social workers of
 * the Poli, the Punti di Accesso and the soggetti attuatori) and name
 * fields and rules, never a value of a record.  Text read here is
 * personal: its buffers are wiped when released.
 */
#ifndef PRESIDIO_CLI_OPS_H
#define PRESIDIO_CLI_OPS_H

#include <stdio.h>

#include "node/cli/cli.h"
#include "view/view_input.h"

/* A help paragraph every command taking personal text repeats. */
#define OPS_TEXT_HELP                                                          \
	"Un testo che puo' contenere dati personali (motivo, nota,\n"          \
	"descrizione) si puo' dare come argomento, oppure '-' per leggerlo\n" \
	"dall'input (es. da un file: < nota.txt) o '@FILE' per leggerlo da\n" \
	"un file: meglio cosi', perche' gli argomenti restano visibili agli\n" \
	"altri utenti del computer (comando ps).\n"

/* Italian synonyms of declared values: { typed, value } pairs, ended by
 * { NULL, NULL }. */
struct ops_alias {
	const char *typed;
	const char *value;
};

/*
 * The text of an option: arg itself, "-" for all of standard input, or
 * "@PATH" for the file at PATH (at most CLI_INPUT_MAX bytes; a final
 * newline dropped).  *out is malloc'd: release it with ops_text_free()
 * (which wipes it) on every path.  ERR_INVALID (empty, NUL bytes),
 * ERR_IO, ERR_NOMEM.
 */
int ops_text_read(const char *arg, char **out, struct err *e) ERR_MUST_USE;
void ops_text_free(char *t); /* accepts NULL */

/* A date option (view_date_parse()) into out; prints a usage error
 * naming opt and returns -1 when it is not one. */
int ops_date(const struct cli *c, const char *opt, const char *arg,
	     char out[VIEW_DATE_TEXT]);

/* An amount option in euro into *cents; usage error naming opt, -1. */
int ops_euro(const struct cli *c, const char *opt, const char *arg,
	     int64_t *cents);

/*
 * The declared value of field of coll that typed names: the value, its
 * Italian label or the label's first word (any case), or an alias.
 * *value points into the declarations.  Usage error naming opt and
 * listing the values, -1.
 */
int ops_enum(const struct cli *c, const char *opt, const char *coll,
	     const char *field, const struct ops_alias *aliases,
	     const char *typed, const char **value);

/* The Italian label of value of field (the value itself when none). */
const char *ops_value_label(const char *coll, const char *field,
			    const char *value);

/* The Italian label of a field, "" when unknown. */
const char *ops_field_label(const char *coll, const char *field);

/* Print each declared value of field with its label, one a line
 * indented by two spaces, to f (help texts). */
void ops_enum_help(FILE *f, const char *coll, const char *field);

/*
 * Record idtext into r (released by the caller), which must be a live
 * record of coll.  Italian errors: ERR_INVALID (not an id),
 * ERR_NOTFOUND (none, deleted, or of another collection, naming the
 * expected one by label).
 */
int ops_load(struct store *s, const char *idtext, const char *coll,
	     struct store_record *r, struct err *e) ERR_MUST_USE;

/* Rewrite e's message, when it is one of the schema's refusals of a value
 * or a required field (English) or an invariant's, as an Italian sentence
 * naming the field by name and label and the rule.  The domain rules'
 * refusals are Italian already and, like other errors, left as they
 * are. */
void ops_explain(struct err *e);

/* Print "presidio: NON FATTO: what: <e's message>" and return e's exit
 * code (ops_explain() applied first). */
int ops_fail(struct err *e, const char *what);

/* One subcommand of a command with several. */
struct ops_sub {
	const char *name;
	int (*run)(struct cli *c, int argc, char **argv);
};

/*
 * Run the subcommand argv[1] of command name among subs (n of them), or
 * print usage (then, when values_field is set, the declared values of
 * that "collection.field" with their labels) for -h/--help.  An exit
 * code.
 */
int ops_dispatch(struct cli *c, int argc, char **argv, const char *name,
		 const char *usage, const char *values_coll,
		 const char *values_field, const struct ops_sub *subs,
		 size_t n);

/* ---- shared by the BdI procedure's commands too ---- */

/* The unlock options' help, the last lines of a command's help. */
#define OPS_UNLOCK_HELP                                                       \
	"\n"                                                                   \
	"  -u, --operator NAME   unlock as NAME\n"                             \
	"  --key-file PATH       unlock with a key file\n"                     \
	"  --passphrase-fd N     read the passphrase from descriptor N\n"

/*
 * Write fields (consumed, on every path; NULL: ERR_NOMEM, as when
 * building them failed) into coll: record id, or a new record when id
 * is NULL, its id then into *made (may be NULL).  The store's errors.
 */
int ops_put(struct store *s, const char *coll, const struct id *id,
	    json_t *fields, struct id *made, struct err *e) ERR_MUST_USE;

/* Set key of o to the string v; nothing when o or v is NULL. */
void ops_set_text(json_t *o, const char *key, const char *v);

/*
 * A status step of one record, as `dote activate|close|revoke` and
 * `referral accept|decline|complete|revoke` take it: the command takes
 * one record id (and the unlock options), sets field `status` of that
 * record of collection coll to `to`, and `date_field` (NULL: none) to
 * today; prints `done` (Italian) or, on a refusal, "NON FATTO: fail: ..."
 * (ops_fail()).  The store judges the step (roles, requirements).
 */
struct ops_status_step {
	const char *name;       /* command words, "dote activate" */
	const char *usage;      /* the command's usage text */
	const char *coll;       /* the record's collection */
	const char *to;         /* the status it takes */
	const char *date_field; /* a DATE field set to today, or NULL */
	const char *done;       /* printed when it is taken */
	const char *fail;       /* what was not done, for ops_fail() */
};

/* Run st on argv (an exit code). */
int ops_status(struct cli *c, int argc, char **argv,
	       const struct ops_status_step *st);

/* The four areas of intervention (ledger, plan_goal, followup...: the
 * schema's schema_areas) by their Italian short names or their codes. */
extern const struct ops_alias ops_area_aliases[];

#endif
