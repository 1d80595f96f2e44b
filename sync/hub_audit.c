/*
 * hub_audit.c - the hub's side of the audit trail (sync/audit_wire.h):
 * POST /v1/audit keeps a node's entries, each one continuing the chain
 * the hub holds for that node (node/store_audit.h, store_audit_receive());
 * hello says where that chain ends.
 *
 * A page is kept whole or not at all (one transaction).  An entry that
 * does not continue the chain (entries removed or rewritten at the node)
 * is refused with 409 "audit_chain", logged as hub.audit_broken for the
 * Helpdesk to look at; what the hub holds of that node stays as it was.
 * A page of format 4 that names a change this hub does not hold is
 * refused with 409 "audit_change", and the node sends it again naming
 * the records.
 */
#include "sync/hub_int.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/zflate.h"
#include "registry/registry.h"
#include "sync/audit_wire.h"
#include "sync/sync_int.h"

int hub_audit_ack(struct store *s, const struct registry_peer *p,
		  uint64_t *ack, uint8_t *hash, struct err *e)
{
	return store_audit_last(s, &p->node_id, ack, hash, e);
}

/*
 * A page's entries, read one at a time from its text: a Jansson tree of
 * a whole page (2,000 entries in format 3) had put 4 MB on the hub's
 * peak during a push.  The text was bounded first (sync_json_check()):
 * an object whose one member "entries" is an array, each element parsed
 * alone, strictly, then judged by audit_wire_parse().
 */
struct audit_page {
	struct store *s;
	struct store_audit_entry *all;
	size_t n, i;
	struct audit_wire_reader r; /* in the page's format */
	const char *entries; /* the array's text */
	size_t elen;
	struct err *e;
};

/* Format 4: the record the node's change chg wrote, as pushed here. */
static int record_of(void *ctx, uint64_t chg, struct id *record,
		     struct err *e)
{
	struct audit_page *x = ctx;

	return store_audit_change_record(x->s, x->r.node, chg, record, e);
}

static int page_member(void *ctx, const char *key, size_t klen,
		       const char *val, size_t vlen)
{
	struct audit_page *x = ctx;

	if (klen != 7 || memcmp(key, "entries", 7) != 0)
		return err_set(x->e, ERR_INVALID, "audit: a page holds "
			       "'entries' only");
	x->entries = val;
	x->elen = vlen;
	return 0;
}

static int page_entry(void *ctx, const char *val, size_t vlen)
{
	struct audit_page *x = ctx;
	json_t *j = json_loadb(val, vlen, 0, NULL);
	int rc;

	if (!j)
		return err_set(x->e, ERR_INVALID, "audit: entry %zu is not "
			       "JSON", x->i + 1);
	if (x->r.format >= 3 && x->i == x->n - 1 &&
	    !json_object_get(j, "hash"))
		rc = err_set(x->e, ERR_INVALID, "audit: the page's last "
			     "entry carries no hash");
	else
		rc = audit_wire_read(&x->r, j, &x->all[x->i], x->e);
	json_decref(j);
	x->i++;
	return rc;
}

/* Read the page in text (len bytes) into x->all (x->n entries, at most
 * page): 0, or ERR_INVALID / ERR_NOMEM with e set. */
static int page_read(struct audit_page *x, const char *text, size_t len,
		     size_t page)
{
	int rc = sync_json_check(text, len, x->e);

	if (!rc)
		rc = jscan_members(text, len, page_member, x);
	if (!rc && !x->entries)
		rc = ERR_INVALID;
	/* Counted first: the array is one (an object counts no element,
	 * it is not an empty page), and the page is within its bound
	 * before anything is allocated for it. */
	if (!rc)
		rc = jscan_count(x->entries, x->elen, &x->n);
	if (!rc && x->n > page)
		rc = ERR_INVALID;
	if (!rc && x->n && !(x->all = calloc(x->n, sizeof(*x->all))))
		rc = err_set(x->e, ERR_NOMEM, "out of memory");
	if (!rc && x->n)
		rc = jscan_each_element(x->entries, x->elen, page_entry, x);
	/* Not the shape of a page (an entry's own fault names itself). */
	if (rc == ERR_INVALID && !x->e->msg[0])
		rc = err_set(x->e, ERR_INVALID, "audit: 'entries' must be an "
			     "array of at most %zu entries", page);
	return rc;
}

void hub_handle_audit(struct hub *h, struct store *s,
		      const struct http_request *req,
		      struct http_response *res)
{
	struct registry_peer p;
	json_t *out = NULL;
	const char *format = http_request_query(req, "format");
	struct audit_page x;
	uint64_t anchor = 0;
	char *text = NULL, path[32];
	size_t page = AUDIT_WIRE_PAGE;
	size_t tlen = 0;
	uint64_t ack = 0;
	struct err e;
	int rc = 0;

	(void)h;
	err_init(&e);
	memset(&x, 0, sizeof(x));
	if (format && (strlen(format) != 1 || format[0] < '2' ||
		       format[0] > '0' + AUDIT_WIRE_FORMAT)) {
		http_response_error(res, 400, "invalid",
				    "audit: format must be 2 to %d or absent",
				    AUDIT_WIRE_FORMAT);
		return;
	}
	snprintf(path, sizeof(path), "/v1/audit%s%s", format ? "?format=" : "",
		 format ? format : "");
	if (hub_authenticate(s, req, path, &p, res))
		return;
	if (format && format[0] >= '3')
		page = AUDIT_WIRE_PAGE_3;
	/* Format 2 (audit_wire.h): the page deflated, bounded as a plain
	 * one is. */
	if (format) {
		rc = zflate_inflate(req->body, req->body_len,
				    AUDIT_WIRE_MAX_BODY, "audit", &text, &tlen,
				    &e);
		if (rc) {
			http_response_error(res, rc == ERR_INVALID ? 400 : 500,
					    rc == ERR_INVALID ? "invalid"
							      : "internal",
					    "%s", e.msg);
			return;
		}
	}
	x.s = s;
	audit_wire_reader_start(&x.r, &p.node_id, format ? format[0] - '0' : 1,
				record_of, &x);
	x.e = &e;
	rc = page_read(&x, format ? text : (const char *)req->body,
		       format ? tlen : req->body_len, page);
	if (rc == ERR_NOTFOUND) {
		/* Format 4 named a change this hub does not hold (not pushed
		 * yet, or purged): the node sends the record instead. */
		http_response_error(res, 409, AUDIT_WIRE_UNKNOWN_CHANGE,
				    "audit: %s", e.msg);
		goto out;
	}
	if (rc) {
		http_response_error(res, rc == ERR_INVALID ? 400 : 500,
				    rc == ERR_INVALID ? "invalid" : "internal",
				    "%s", e.msg);
		goto out;
	}
	rc = store_begin(s, &e);
	if (!rc)
		rc = store_audit_receive_page(s, x.all, x.n, &anchor, &e);
	if (!rc)
		rc = hub_audit_ack(s, &p, &ack, NULL, &e);
	if (!rc)
		rc = store_commit(s, &e);
	if (rc) {
		store_rollback(s);
		if (rc == ERR_CONFLICT) {
			log_warn("hub.audit_broken", "node '%s': %s", p.name,
				 e.msg);
			http_response_error(res, 409, "audit_chain", "%s",
					    e.msg);
		} else if (rc == ERR_INVALID) {
			http_response_error(res, 400, "invalid", "%s", e.msg);
		} else {
			hub_store_error(res, rc, &e);
		}
		goto out;
	}
	if (anchor)
		log_warn("hub.audit_gap", "node '%s': its audit trail goes on "
			 "from entry %llu; the entries before it that this hub "
			 "lacks are lost (both restored from backups)",
			 p.name, (unsigned long long)anchor);
	out = json_pack("{sI}", "audit_ack", (json_int_t)ack);
	if (!out || http_response_json(res, 200, out))
		http_response_error(res, 500, "internal", "out of memory");
out:
	free(x.all);
	json_decref(out);
	if (text) {
		sodium_memzero(text, tlen + 1);
		free(text);
	}
}
