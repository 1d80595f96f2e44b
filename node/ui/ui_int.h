/*
 * ui_int.h - what the files of the web interface share: the shape of an
 * API handler (called with the session's store handle, ui.c's
 * with_session()), the answers, and reading a JSON body.  Internal to
 * node/ui/.
 */
#ifndef PRESIDIO_UI_INT_H
#define PRESIDIO_UI_INT_H

#include <jansson.h>

#include "http/http.h"
#include "node/store.h"
#include "node/ui/ui_session.h"

#define UI_BODY_MAX (64 * 1024) /* bytes of an API request's body */

struct ui;

/* An API handler: s is the session's handle, acting for who. */
typedef void (*ui_handler_fn)(struct ui *u, struct store *s,
			      const struct ui_who *who,
			      const struct http_request *req,
			      struct http_response *res);

/* Answer o (stolen; NULL: out of memory, answered 500) with status. */
void ui_answer_json(struct http_response *res, int status, json_t *o);

/* Answer the store's error rc (its message names fields and rules,
 * never values): 400, 401, 404, 409, 503 or 500. */
void ui_store_error(struct http_response *res, int rc, const struct err *e);

/* Answer record id's view o (taken) with o["sync"], where it stands with
 * the hub (view/view_sync.h), or, when rc (the view's result) or the
 * sync state failed, the store's error. */
void ui_answer_record(struct store *s, const struct id *id, json_t *o,
		      int rc, struct err *e, struct http_response *res);

/*
 * req's body as a JSON object into *out (the caller's): 0, or -1 with res
 * answered (415 when it is not declared JSON, 400 when it does not parse
 * or is not an object).
 */
int ui_body_object(const struct http_request *req, json_t **out,
		   struct http_response *res);

/* The record id in body[field]: 0, or -1 with 400 answered, naming the
 * field and saying what it is (what, Italian). */
int ui_body_id(const json_t *body, const char *field, const char *what,
	       struct id *id, struct http_response *res);

/* The record id of the route's {id} parameter: 0, or -1 with 400
 * answered. */
int ui_route_id(const struct http_request *req, struct id *id,
		struct http_response *res);

/* The API over persons (ui_person.c). */
void ui_person_search(struct ui *u, struct store *s, const struct ui_who *who,
		      const struct http_request *req,
		      struct http_response *res);
/* The person index built before the first search (GET
 * /api/persons/index: the pages ask once the home page is shown). */
void ui_person_prepare(struct ui *u, struct store *s, const struct ui_who *who,
		       const struct http_request *req,
		       struct http_response *res);
void ui_person_check(struct ui *u, struct store *s, const struct ui_who *who,
		     const struct http_request *req,
		     struct http_response *res);
void ui_person_add(struct ui *u, struct store *s, const struct ui_who *who,
		   const struct http_request *req, struct http_response *res);
void ui_record_get(struct ui *u, struct store *s, const struct ui_who *who,
		   const struct http_request *req, struct http_response *res);
void ui_schema_get(struct ui *u, struct store *s, const struct ui_who *who,
		   const struct http_request *req, struct http_response *res);

/* Cases and edits (ui_case.c); the home page's cases by stage and
 * deadlines, UI_HOME_DAYS ahead. */
#define UI_HOME_DAYS 60
void ui_home(struct ui *u, struct store *s, const struct ui_who *who,
	     const struct http_request *req, struct http_response *res);
void ui_case_get(struct ui *u, struct store *s, const struct ui_who *who,
		 const struct http_request *req, struct http_response *res);
void ui_case_of_person(struct ui *u, struct store *s, const struct ui_who *who,
		       const struct http_request *req,
		       struct http_response *res);
void ui_record_edit(struct ui *u, struct store *s, const struct ui_who *who,
		    const struct http_request *req, struct http_response *res);
void ui_record_add(struct ui *u, struct store *s, const struct ui_who *who,
		   const struct http_request *req, struct http_response *res);

/* The hub's national dashboard and the doti allocation (ui_dashboard.c). */
void ui_dashboard(struct ui *u, struct store *s, const struct ui_who *who,
		  const struct http_request *req, struct http_response *res);
void ui_allocation_set(struct ui *u, struct store *s, const struct ui_who *who,
		       const struct http_request *req,
		       struct http_response *res);

/* The audit trail for the coordinatore (GET /api/audit) and
 * break-the-glass on a record (POST /api/records/{id}/emergency):
 * ui_audit.c. */
void ui_audit_list(struct ui *u, struct store *s, const struct ui_who *who,
		   const struct http_request *req, struct http_response *res);
void ui_record_emergency(struct ui *u, struct store *s,
			 const struct ui_who *who,
			 const struct http_request *req,
			 struct http_response *res);

/* "Sincronizza ora" (ui_sync.c). */
void ui_sync_now(struct ui *u, struct store *s, const struct ui_who *who,
		 const struct http_request *req, struct http_response *res);

/* The review queue (ui_review.c). */
void ui_review_list(struct ui *u, struct store *s, const struct ui_who *who,
		    const struct http_request *req, struct http_response *res);
void ui_review_settle(struct ui *u, struct store *s, const struct ui_who *who,
		      const struct http_request *req,
		      struct http_response *res);

#endif
