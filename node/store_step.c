/*
 * store_step.c - see store_step.h.
 *
 * Unlike a write, which stops at the first requirement that fails (one
 * refusal is enough), every requirement of a step is judged here, so
 * that a person sees at once all that is left to do.
 */
#include "node/store_step.h"
#include "node/store_require.h"
#include "node/store_rule.h"

#include <string.h>

#include "schema/rule.h"

_Static_assert(STORE_STEP_ROLE_MAX >= STORE_ROLE_TEXT_MAX,
	       "store_step.h's room for a role is too small");

int store_step_role(struct store *s, char buf[STORE_STEP_ROLE_MAX],
		    const char **role, struct err *e)
{
	return store_rule_role(s, buf, role, e);
}

int store_step_judge(struct store *s, const struct schema_collection *c,
		     const struct id *id, const json_t *rec,
		     const struct schema_field *f, const char *from,
		     const char *to, const char *role,
		     struct store_step *out, struct err *e)
{
	const struct schema_transition *t = rule_transition(f, from, to);
	int holds, rc = 0;

	memset(out, 0, sizeof(*out));
	out->t = t;
	if (!t)
		return 0;
	out->role_ok = rule_role_ok(t, role);
	for (size_t i = 0; i < t->nrequires; i++) {
		const struct schema_requirement *r = &t->requires[i];

		if (!rule_requirement_applies(r, role))
			continue;
		rc = store_require_one(s, c, id, rec, r, &holds, e);
		if (rc)
			goto out;
		if (!holds && out->nmissing < STORE_STEP_MISSING_MAX)
			out->missing[out->nmissing++] = r;
	}
	out->ok = out->role_ok && out->nmissing == 0;
out:
	return rc;
}

int store_step_next(struct store *s, const struct schema_collection *c,
		    const struct id *id, const json_t *rec,
		    const struct schema_field *f, const char *role,
		    struct store_step *out, size_t max, size_t *n,
		    struct err *e)
{
	const char *from;
	int rc = 0;

	*n = 0;
	if (!rule_is_procedure(f))
		return err_set(e, ERR_INVALID, "field '%s' of '%s' is not a "
			       "procedure", f ? f->name : "?", c->name);
	from = rec ? rule_value(f, json_object_get(rec, f->name)) : NULL;
	for (size_t i = 0; i < f->ntransitions && *n < max; i++) {
		const struct schema_transition *t = &f->transitions[i];

		if (from ? !t->from || strcmp(t->from, from) != 0 : !!t->from)
			continue;
		rc = store_step_judge(s, c, id, rec, f, from, t->to, role,
				      &out[*n], e);
		if (rc)
			break;
		(*n)++;
	}
	return rc;
}
