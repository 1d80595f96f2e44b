/*
 * sync_erase.c - a node's side of erasure (node/store_erase.h,
 * sync/README.md "Erasure"): the hub's erasure list after this node's
 * cursor (SYNC_CK_ERASED), fetched a page at a time from GET /v1/erasures
 * (signed by the hub like every answer) and applied in order, each before
 * the cursor moves past it, so that a cut link or a crash applies it at
 * the next round (applying one twice does nothing).
 */
#include "sync/sync_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "node/store_erase.h"

/* One entry of the list into d; the seq must follow after. */
static int parse_one(const json_t *j, uint64_t after,
		     struct store_erasure *d, struct err *e)
{
	const char *person = json_string_value(json_object_get(j, "person"));
	const char *reason = json_string_value(json_object_get(j, "reason"));
	const char *op = json_string_value(json_object_get(j, "operator"));

	memset(d, 0, sizeof(*d));
	if (sync_json_u64(j, "seq", &d->seq) || d->seq <= after || !person ||
	    id_parse(&d->person, person) || !store_erase_reason_ok(reason) ||
	    !op || strlen(op) >= sizeof(d->operator))
		return err_set(e, ERR_INVALID, "erasures: a malformed entry "
			       "from the hub");
	snprintf(d->reason, sizeof(d->reason), "%s", reason);
	snprintf(d->operator, sizeof(d->operator), "%s", op);
	return 0;
}

/* Fetch and apply one page after *after, moving it; *n entries. */
static int one_page(struct conn *k, uint64_t *after, size_t *n,
		    struct err *e)
{
	struct client_response r;
	const json_t *list, *j;
	json_t *doc = NULL;
	char path[64];
	size_t i;
	int rc;

	*n = 0;
	client_response_init(&r);
	snprintf(path, sizeof(path), "/v1/erasures?after=%" PRIu64, *after);
	rc = sync_request(k, "GET", path, NULL, 0, &r, e);
	if (!rc && r.status != 200)
		rc = sync_hub_refused(&r, "erasures", e);
	if (!rc) {
		doc = sync_json_load(r.body, r.len);
		list = json_object_get(doc, "erasures");
		if (!json_is_array(list))
			rc = err_set(e, ERR_INVALID, "erasures: malformed "
				     "answer from the hub");
	}
	client_response_release(&r);
	json_array_foreach(rc ? NULL : list, i, j) {
		struct store_erasure d;
		uint64_t records = 0;

		rc = parse_one(j, *after, &d, e);
		if (!rc)
			rc = store_erase_apply(k->s, &d, &records, e);
		if (!rc)
			rc = store_checkpoint_set(k->s, SYNC_CK_ERASED, d.seq,
						  e);
		if (rc)
			break;
		if (records) {
			char id[ID_TEXT_LEN + 1];

			id_format(&d.person, id);
			log_info("sync.erased", "person %s: %" PRIu64
				 " records made unreadable (%s)", id, records,
				 d.reason);
		}
		*after = d.seq;
		(*n)++;
		pthread_mutex_lock(&k->lock);
		k->st->erased++;
		pthread_mutex_unlock(&k->lock);
	}
	json_decref(doc);
	return rc;
}

int sync_erase_pull(struct conn *k, const json_t *hello, struct err *e)
{
	uint64_t last = 0, after = 0;
	size_t n = 1;
	int rc;

	/* A hub of an older build keeps no list. */
	if (sync_json_u64(hello, "erasures", &last))
		return 0;
	rc = store_checkpoint_get(k->s, SYNC_CK_ERASED, &after, e);
	if (rc == ERR_NOTFOUND)
		rc = 0;
	/* A hub restored from a backup numbers its list again from where
	 * the copy ended: the whole list once more (applying is idempotent). */
	if (!rc && last < after)
		after = 0;
	while (!rc && after < last && n)
		rc = one_page(k, &after, &n, e);
	if (!rc && after < last)
		rc = err_set(e, ERR_INVALID, "erasures: the hub's list ends "
			     "before the last it named");
	return rc;
}
