/*
 * view_nodes.c - see view_nodes.h.
 */
#include "view/view_nodes.h"

#include <stdio.h>
#include <time.h>

const char *view_node_state(const struct registry_peer *p, int64_t now_s)
{
	if (p->revoked)
		return "revoked";
	if (p->enrolled)
		return "enrolled";
	return p->token_expires < now_s ? "token expired"
					 : "awaiting enrollment";
}

static const char *state_label(const char *state)
{
	switch (state[0]) {
	case 'r': return "revocato";
	case 'e': return "attivo";
	case 't': return "invito scaduto";
	default: return "in attesa di iscrizione";
	}
}

json_t *view_node_json(const struct registry_peer *p, int64_t now_s)
{
	const char *state = view_node_state(p, now_s);
	char contact[32] = "never";
	time_t tt = (time_t)p->last_contact;
	struct tm tm;

	if (p->last_contact && gmtime_r(&tt, &tm))
		strftime(contact, sizeof(contact), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:I,s:I,s:I,s:I,s:i}",
			 "name", p->name, "kind", p->kind, "region",
			 p->region, "state", state, "state_label",
			 state_label(state), "last_contact", contact,
			 "last_contact_s",
			 p->last_contact ? json_integer(p->last_contact)
					 : json_null(),
			 "push_ack", (json_int_t)p->push_ack, "pull_ack",
			 (json_int_t)p->pull_ack, "record_cap",
			 (json_int_t)p->record_cap, "refused",
			 (json_int_t)p->refused, "schema_version",
			 p->schema_version);
}

struct nodes {
	json_t *list;
	int64_t now;
};

static int node_one(void *ctx, const struct registry_peer *p)
{
	struct nodes *n = ctx;

	return json_array_append_new(n->list, view_node_json(p, n->now))
		       ? ERR_NOMEM
		       : 0;
}

int view_nodes_json(struct store *s, json_t **out, struct err *e)
{
	struct nodes n = { json_array(), (int64_t)time(NULL) };
	int rc;

	*out = NULL;
	if (!n.list)
		return err_set(e, ERR_NOMEM, "out of memory");
	rc = registry_peer_list(s, node_one, &n, e);
	if (rc == ERR_NOMEM && e && !e->code)
		err_set(e, rc, "out of memory");
	if (rc) {
		json_decref(n.list);
		return rc;
	}
	*out = n.list;
	return 0;
}
