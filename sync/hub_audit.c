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

void hub_handle_audit(struct hub *h, struct store *s,
		      const struct http_request *req,
		      struct http_response *res)
{
	struct registry_peer p;
	json_t *doc = NULL, *list, *out = NULL;
	const char *format = http_request_query(req, "format");
	struct store_audit_entry *all = NULL;
	uint64_t anchor = 0;
	size_t n = 0;
	char *text = NULL, path[32];
	size_t page = AUDIT_WIRE_PAGE;
	size_t tlen = 0;
	uint64_t ack = 0;
	struct err e;
	size_t i;
	int rc = 0;

	(void)h;
	err_init(&e);
	if (format && strcmp(format, "2") != 0 && strcmp(format, "3") != 0) {
		http_response_error(res, 400, "invalid",
				    "audit: format must be 2, 3 or absent");
		return;
	}
	snprintf(path, sizeof(path), "/v1/audit%s%s", format ? "?format=" : "",
		 format ? format : "");
	if (hub_authenticate(s, req, path, &p, res))
		return;
	if (format && format[0] == '3')
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
		doc = sync_json_load((const uint8_t *)text, tlen);
	} else {
		doc = sync_json_load(req->body, req->body_len);
	}
	list = json_object_get(doc, "entries");
	if (!json_is_array(list) || json_array_size(list) > page) {
		http_response_error(res, 400, "invalid",
				    "audit: 'entries' must be an array of at "
				    "most %zu entries", page);
		goto out;
	}
	n = json_array_size(list);
	all = n ? calloc(n, sizeof(*all)) : NULL;
	if (n && !all) {
		http_response_error(res, 500, "internal", "out of memory");
		goto out;
	}
	/* Format 3: the node's last hash, which the chain computed here
	 * must reach. */
	if (format && format[0] == '3' && n &&
	    !json_object_get(json_array_get(list, n - 1), "hash")) {
		http_response_error(res, 400, "invalid", "audit: the page's "
				    "last entry carries no hash");
		goto out;
	}
	for (i = 0; !rc && i < n; i++)
		rc = audit_wire_parse(json_array_get(list, i), &p.node_id,
				      format && i > 0 ? all[i - 1].hash : NULL,
				      format && format[0] == '3', &all[i], &e);
	if (!rc)
		rc = store_begin(s, &e);
	if (!rc)
		rc = store_audit_receive_page(s, all, n, &anchor, &e);
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
	free(all);
	json_decref(out);
	json_decref(doc);
	if (text) {
		sodium_memzero(text, tlen + 1);
		free(text);
	}
}
