/*
 * hub_erase.c - GET /v1/erasures?after=N: the hub's list of erased
 * persons (node/store_erase.h) after a node's cursor, a page at a time,
 * signed like every answer of the hub.  The list is never purged, so a
 * node away for months gets every erasure decided meanwhile at its next
 * contact (sync/README.md, "Erasure").  Every node gets the whole list:
 * a node may hold a person it no longer has in scope (a refusal kept, a
 * case handed over while it was offline), and the list says ids only.
 */
#include "sync/hub_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "node/store_erase.h"

#define HUB_ERASURES_PAGE 500

static int add_one(void *ctx, const struct store_erasure *d)
{
	json_t *list = ctx;
	char person[ID_TEXT_LEN + 1];

	id_format(&d->person, person);
	return json_array_append_new(
		   list, json_pack("{sIssssss}", "seq", (json_int_t)d->seq,
				   "person", person, "reason", d->reason,
				   "operator", d->operator))
		   ? ERR_NOMEM
		   : 0;
}

void hub_handle_erasures(struct hub *h, struct store *s,
			 const struct http_request *req,
			 struct http_response *res)
{
	struct registry_peer p;
	const char *text = http_request_query(req, "after");
	uint64_t after = 0, last = 0;
	json_t *list = NULL, *out = NULL;
	char path[64], *end = NULL;
	struct err e;
	int rc;

	(void)h;
	err_init(&e);
	if (text && *text >= '0' && *text <= '9' && strlen(text) <= 18)
		after = strtoull(text, &end, 10);
	if (!end || *end) {
		http_response_error(res, 400, "invalid",
				    "erasures need after=N");
		return;
	}
	snprintf(path, sizeof(path), "/v1/erasures?after=%" PRIu64, after);
	if (hub_authenticate(s, req, path, &p, res))
		return;
	list = json_array();
	if (!list) {
		http_response_error(res, 500, "internal", "out of memory");
		return;
	}
	rc = store_erasure_list(s, after, HUB_ERASURES_PAGE, add_one, list,
				&e);
	if (!rc)
		rc = store_erasure_last(s, &last, &e);
	if (rc) {
		json_decref(list);
		hub_store_error(res, rc, &e);
		return;
	}
	out = json_pack("{sosI}", "erasures", list, "last", (json_int_t)last);
	if (!out || http_response_json(res, 200, out))
		http_response_error(res, 500, "internal", "out of memory");
	json_decref(out);
}
