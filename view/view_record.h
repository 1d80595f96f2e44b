/*
 * view_record.h - records as JSON, as the command line prints them (`get`,
 * `list`) and the web interface will serve them, and the `--where` filter
 * that picks records by a field's value.
 *
 * Layer: views sit above sync and the store (commands and web UI ->
 * views -> sync -> store); they read the store and build JSON, and write
 * nothing.  They print nothing either: the caller prints or serves the
 * JSON it is handed.
 *
 * Personal data: a record's JSON holds its field values decrypted.  The
 * caller owns every json_t * returned here and releases it with
 * json_decref(); the values are wiped as they are freed only when the
 * process installed a wiping allocator in Jansson (json_set_alloc_funcs(),
 * as the `presidio` program's main.c does: every process serving views
 * must).  A tree passed to a callback is the view's: it is released
 * (json_decref()) right after the callback returns, so the callback must
 * not keep it without json_incref().  Errors never carry a value.
 */
#ifndef PRESIDIO_VIEW_VIEW_RECORD_H
#define PRESIDIO_VIEW_VIEW_RECORD_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "node/store.h"
#include "schema/schema.h"

/* view_record_json() flags. */
#define VIEW_RECORD_VERSIONS 1 /* add "versions": the version of each
				  field: time, hlc, node, operator */

/* Name of field f of coll in views: "_deleted" for the deletion marker,
 * "field#N" for an id the schema does not know (buf holds it). */
const char *view_field_name(const struct schema_collection *coll, uint16_t f,
			    char buf[16]);

/*
 * {"id","collection","deleted","fields"[,"versions"]} of r into *out
 * (caller json_decref()s; it shares r->fields' values, so it holds the
 * same decrypted data).  ERR_NOMEM, or store_actor()'s error for a
 * version whose actor is unknown.  *out is NULL on failure.
 */
int view_record_json(struct store *s, const struct store_record *r,
		     unsigned flags, json_t **out, struct err *e) ERR_MUST_USE;

/* Record id read (store_get(): ERR_NOTFOUND, ERR_CORRUPT) and viewed as
 * view_record_json() does, into *out (the caller's).  The record's
 * decrypted copy read for it is released before returning. */
int view_record_get(struct store *s, const struct id *id, unsigned flags,
		    json_t **out, struct err *e) ERR_MUST_USE;

/* ---- the where filter ---- */

#define VIEW_WHERE_MAX 16 /* conditions one listing takes at most */

/* One condition FIELD=VALUE: the field is VALUE (a STRING_LIST or an
 * ENUM_SET: contains it).  value points into the text parsed (it must
 * outlive the filter). */
struct view_where {
	const struct schema_field *field; /* FIELD */
	const char *value;                /* VALUE, as given */
	double num;                       /* VALUE as a number */
};

/*
 * Parse "FIELD=VALUE" against coll into *w.  ERR_INVALID with e->code and
 * a message saying which: the text has no "=" or no FIELD
 * (VIEW_WHERE_SYNTAX in *why), FIELD is not a field of coll
 * (VIEW_WHERE_FIELD), VALUE is not a number for a number field or not
 * true/false for a boolean (VIEW_WHERE_VALUE).  Messages name the field,
 * never the value.  why may be NULL.
 */
enum view_where_error {
	VIEW_WHERE_OK = 0,
	VIEW_WHERE_SYNTAX,
	VIEW_WHERE_FIELD,
	VIEW_WHERE_VALUE
};

int view_where_parse(const struct schema_collection *coll, const char *text,
		     struct view_where *w, enum view_where_error *why,
		     struct err *e) ERR_MUST_USE;

/* 1 when fields (NULL: none) satisfy w, else 0. */
int view_where_match(const struct view_where *w, const json_t *fields);

/* ---- listing ---- */

struct view_list_opts {
	const struct view_where *where; /* all must hold */
	size_t nwhere;
	int with_deleted;  /* deleted records too */
	uint64_t limit;    /* stop after this many matches (0: all) */
	int count_only;    /* count matches, build no JSON, call no fn */
};

/* Called with each matching record's JSON (the view's: see above).
 * 0 to go on, a negative ERR_* that ends the listing and is returned, or
 * ERR_STOP to end it early (0 returned). */
typedef int (*view_record_fn)(void *ctx, json_t *record);

/*
 * The records of collection (NULL: all) that match o, in storage order,
 * each as view_record_json() without versions, through fn (may be NULL
 * with count_only); *matched (may be NULL) counts them.  0 or ERR_*.
 */
int view_record_list(struct store *s, const char *collection,
		     const struct view_list_opts *o, view_record_fn fn,
		     void *ctx, uint64_t *matched,
		     struct err *e) ERR_MUST_USE;

#endif
