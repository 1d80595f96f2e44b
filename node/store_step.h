/*
 * store_step.h - the next steps of a record's procedure, as this node may
 * take them: for a procedure field (case.bdi_stage), every step its
 * declaration allows from the record's current value, whether this
 * store's role may take it and which of its requirements do not hold yet.
 *
 * What the commands and views ask before a write, to say in plain words
 * what is missing ("serve la scheda profilo di entrata", "spetta
 * all'hub").  It judges with the same code a write is judged with
 * (schema/rule.h for the roles, node/store_require.h for the
 * requirements), so what it promises the write keeps; the write is still
 * judged on its own (another process may have written in between).  It
 * reads and opens the records the requirements name; it writes nothing.
 */
#ifndef PRESIDIO_STORE_STEP_H
#define PRESIDIO_STORE_STEP_H

#include <stddef.h>

#include "common/err.h"
#include "node/store.h"
#include "schema/schema.h"

#define STORE_STEP_ROLE_MAX 16 /* room for a role name (as store_ext.h) */
#define STORE_STEP_MISSING_MAX 8 /* requirements listed per step */
#define STORE_STEP_MAX 16        /* steps from one value, at most */

/* One step from the current value, judged for this store's role. */
struct store_step {
	const struct schema_transition *t; /* the declared step */
	int role_ok;      /* this store's role may take it */
	int ok;           /* role_ok and every requirement holds */
	size_t nmissing;  /* requirements that apply and do not hold */
	const struct schema_requirement *missing[STORE_STEP_MISSING_MAX];
};

/*
 * The role this store takes steps with ("hub", or the node's kind from
 * its enrolment) into buf; *role points to buf or is NULL (a node not
 * enrolled).  0 or an error reading the enrolment.
 */
int store_step_role(struct store *s, char buf[STORE_STEP_ROLE_MAX],
		    const char **role, struct err *e) ERR_MUST_USE;

/*
 * Judge the step of procedure field f of record id (collection c, values
 * rec: its current ones, or those it would have after the write, NULL: a
 * new record) from `from` to `to` (declared values; from NULL: unset) by
 * role.  out->t is NULL when no such step is declared.  Requirements are
 * judged on rec.  0 or an ERR_* reading the records.
 */
int store_step_judge(struct store *s, const struct schema_collection *c,
		     const struct id *id, const json_t *rec,
		     const struct schema_field *f, const char *from,
		     const char *to, const char *role,
		     struct store_step *out, struct err *e) ERR_MUST_USE;

/*
 * Every declared step of procedure field f of record id (values rec)
 * from its current value, in declaration order, judged for role, into
 * out (max entries; *n how many).  0, ERR_INVALID when f is no
 * procedure, or an ERR_* reading the records.
 */
int store_step_next(struct store *s, const struct schema_collection *c,
		    const struct id *id, const json_t *rec,
		    const struct schema_field *f, const char *role,
		    struct store_step *out, size_t max, size_t *n,
		    struct err *e) ERR_MUST_USE;

#endif
