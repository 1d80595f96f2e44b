/*
 * view_fixture.h - what the views' tests share: real stores (the store's
 * fixture), shipping one node's change log into another as sync does, so
 * that concurrent edits make real conflicts, and reading a view's JSON.
 * Header-only: static inline.
 */
#ifndef PRESIDIO_TEST_VIEW_FIXTURE_H
#define PRESIDIO_TEST_VIEW_FIXTURE_H

#include "tests/node/store_fixture.h"

struct ship_ctx {
	struct store *to;
	int failed;
	long applied;
};

static inline int ship_one(void *ctx, const struct store_change *c)
{
	struct ship_ctx *sh = ctx;
	struct store_apply_result res;
	struct store_incoming in;

	incoming_of(c, &in);
	if (store_apply(sh->to, &in, &res, NULL))
		sh->failed++;
	else
		sh->applied += res.seq != 0;
	return 0;
}

/* Every change of from's log into to; the number applied, -1 on error. */
static inline long ship(struct store *from, struct store *to)
{
	struct ship_ctx sh = { to, 0, 0 };

	if (store_log(from, 0, 0, STORE_VALUES_PARSED, ship_one, &sh, NULL) ||
	    sh.failed)
		return -1;
	return sh.applied;
}

/* o[k] as an integer (-1 when absent or not one). */
static inline json_int_t jint(const json_t *o, const char *k)
{
	const json_t *v = json_object_get(o, k);

	return json_is_integer(v) ? json_integer_value(v) : -1;
}

/* o[k] as a string ("" when absent or not one). */
static inline const char *jstr_of(const json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));

	return v ? v : "";
}

#endif
