/*
 * scope.c - the access rule of conflict/scope.h.
 */
#include "conflict/scope.h"

#include <string.h>

int scope_kind_ok(const char *kind)
{
	return kind && (strcmp(kind, SCOPE_KIND_POLO) == 0 ||
			strcmp(kind, SCOPE_KIND_PDA) == 0 ||
			strcmp(kind, SCOPE_KIND_ATTUATORE) == 0);
}

static int assigned(const json_t *nodes, const char *name, int *any)
{
	size_t i;
	json_t *v;

	*any = 0;
	if (!json_is_array(nodes))
		return 0;
	json_array_foreach(nodes, i, v) {
		const char *n = json_string_value(v);

		if (!n || !*n)
			continue;
		*any = 1;
		if (strcmp(n, name) == 0)
			return 1;
	}
	return 0;
}

int scope_case_visible(const struct scope_peer *p, const struct scope_case *c)
{
	int any = 0;

	if (!p || !p->name || !p->kind || !c)
		return 0;
	if (assigned(c->nodes, p->name, &any))
		return 1;
	/* A Punto di Accesso acts for every case of its region. */
	if (strcmp(p->kind, SCOPE_KIND_PDA) == 0 && p->region && c->region &&
	    strcmp(p->region, c->region) == 0)
		return 1;
	return !any && c->opened_by_peer;
}

int scope_may_hand_over(const struct scope_peer *w, const char *region)
{
	return w && w->kind && strcmp(w->kind, SCOPE_KIND_PDA) == 0 &&
	       w->region && region && strcmp(w->region, region) == 0;
}

int scope_may_open(const struct scope_peer *w, const char *region,
		   const json_t *nodes)
{
	int any = 0;

	if (!w || !w->name || !*w->name)
		return 0;
	if (scope_may_hand_over(w, region))
		return 1;
	if (nodes && !json_is_null(nodes) && !json_is_array(nodes))
		return 0;
	/* Names that are not strings do not count: they assign no one. */
	return assigned(nodes, w->name, &any) || !any;
}
