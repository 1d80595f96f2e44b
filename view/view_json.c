/*
 * view_json.c - see view_json.h.
 */
#include "view/view_json.h"

void view_json_put(json_t *o, const char *k, json_t *v, int *bad)
{
	/* json_object_set_new() releases v itself when it fails. */
	if (!o || !v || json_object_set_new(o, k, v)) {
		*bad = 1;
		if (!o)
			json_decref(v);
	}
}

void view_json_add(json_t *a, json_t *v, int *bad)
{
	if (!a || !v || json_array_append_new(a, v)) {
		*bad = 1;
		if (!a)
			json_decref(v);
	}
}
