/*
 * case_cmd.h - what the commands of the BdI procedure share (cmd_case.c:
 * case, assess, validate, match; cmd_bdi.c: profile, plan, take-charge,
 * close, followup): judging a step of case.bdi_stage
 * before writing it and saying in Italian what stands in the way (the
 * step that must come first, the role it belongs to, each requirement
 * not met: node/store_step.h), the record of a case (its assessment)
 * and the si/no options.  What every operator command shares (personal
 * text, dates, declared values, labels, loading a record, refusals) is
 * in node/cli/ops.h, so that these commands read them as the others do.
 *
 * The store judges every write again; these checks exist so that an
 * operator reads a sentence naming the missing step or role instead of
 * the engine's message.  Messages name options, fields and labels, never
 * a value of a record.
 */
#ifndef PRESIDIO_CASE_CMD_H
#define PRESIDIO_CASE_CMD_H

#include "node/cli/ops.h"

/* The exit codes of the procedure's commands, for their help texts. */
#define CASE_CMD_EXITS                                                        \
	"Codici di uscita: 0 fatto; 2 opzione sbagliata; 3 caso non "       \
	"trovato;\n9 passaggio non possibile (il messaggio dice "              \
	"perche').\n"

/*
 * May this node move case r (values after: r's own with the command's
 * writes, NULL: r's) to bdi_stage `to`?  0 when r is already there or
 * the step is declared, this node's role may take it and (unless
 * roles_only) its requirements hold on after; else ERR_CONFLICT with a
 * sentence in Italian naming the step that must come first, the roles it
 * belongs to, or what is missing.  Errors reading the records as such.
 */
int case_cmd_step(struct store *s, const struct store_record *r,
		  const json_t *after, const char *to, int roles_only,
		  struct err *e) ERR_MUST_USE;

/* Whether this node's role may take the step from -> to of case r
 * (from being r's value or not): 0, or ERR_CONFLICT naming the roles. */
int case_cmd_role(struct store *s, const struct store_record *r,
		  const char *from, const char *to,
		  struct err *e) ERR_MUST_USE;

/* A role in words ("l'hub (Focal Point BdI)", "un Polo"...; NULL: a
 * node not enrolled). */
const char *case_cmd_role_words(const char *role);

/*
 * After a command's options (opt: cli_next_opt()'s last answer): its one
 * argument, the id of a record (a case, a plan), into *id.  -1 to go on;
 * else the exit code to end with (0 after printing the help, or a usage
 * error).
 */
int case_cmd_args(struct cli *c, int argc, char **argv, int opt,
		  struct id *id);

/* "si"/"no" (also true/false, 1/0) into *v: 0, or a usage error, -1. */
int case_cmd_yesno(const struct cli *c, const char *opt, const char *arg,
		   int *v);

/* The live record of collection coll whose parent field names case id
 * (the first found): *found 0 or 1, its id in *out. */
int case_cmd_child(struct store *s, const char *coll, const struct id *id,
		   struct id *out, int *found, struct err *e) ERR_MUST_USE;

#endif
