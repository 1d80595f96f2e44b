/*
 * view_json.h - building a view's JSON without checking every call: the
 * setters below only note a failure (out of memory) in *bad, and release
 * the value when it cannot be kept, so a view builds its whole tree and
 * checks once at the end (ERR_NOMEM).
 *
 * Layer: views (commands and web UI -> views -> sync -> store).
 */
#ifndef PRESIDIO_VIEW_VIEW_JSON_H
#define PRESIDIO_VIEW_VIEW_JSON_H

#include <jansson.h>

/* o[k] = v, taking v (released when it cannot be set); o or v NULL, or
 * the set failing, sets *bad. */
void view_json_put(json_t *o, const char *k, json_t *v, int *bad);

/* v appended to a, taking v, as view_json_put(). */
void view_json_add(json_t *a, json_t *v, int *bad);

#endif
