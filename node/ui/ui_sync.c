/*
 * ui_sync.c - "Sincronizza ora" (ui_int.h): one sync round with the
 * Helpdesk hub (sync/sync.h sync_round()), run with the session's handle
 * while the operator waits.  The hub unreachable is no failure of the
 * node's work: the answer says so in words (503, code "unreachable"),
 * and every change stays saved here for the next round.
 */
#include "node/ui/ui_int.h"

#include <string.h>

#include "node/store_sync.h"
#include "sync/sync.h"

void ui_sync_now(struct ui *u, struct store *s, const struct ui_who *who,
		 const struct http_request *req, struct http_response *res)
{
	struct store_remote r;
	struct sync_options o;
	struct sync_stats st;
	struct err e;
	int rc;

	(void)u;
	(void)who;
	(void)req;
	err_init(&e);
	memset(&st, 0, sizeof(st));
	rc = store_remote_get(s, &r, &e);
	if (rc == ERR_NOTFOUND) {
		http_response_error(res, 409, "not_enrolled",
				    "questo nodo non e' ancora registrato "
				    "presso l'Helpdesk");
		return;
	}
	if (rc) {
		ui_store_error(res, rc, &e);
		return;
	}
	sync_options_init(&o);
	/* Plain HTTP only to a loopback hub (the client refuses any other). */
	o.allow_plain = strncmp(r.url, "http://", 7) == 0;
	/* The operator waits: fewer retries than an unattended round. */
	o.retries = 1;
	rc = sync_round(s, &o, &st, &e);
	if (rc == ERR_IO) {
		http_response_error(res, 503, "unreachable",
				    "Helpdesk non raggiungibile: le modifiche "
				    "restano salvate su questo nodo e "
				    "partiranno alla prossima "
				    "sincronizzazione");
		return;
	}
	if (rc) {
		ui_store_error(res, rc, &e);
		return;
	}
	ui_answer_json(res, 200,
		       json_pack("{s:I,s:I,s:I,s:I}", "pushed",
				 (json_int_t)st.pushed, "pulled",
				 (json_int_t)st.pulled, "refused",
				 (json_int_t)st.refused, "fields_refused",
				 (json_int_t)st.rejected));
}
