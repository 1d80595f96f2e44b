/*
 * hub_metrics.c - GET /metrics: the hub's figures in Prometheus text
 * (common/prom.h), to a client on loopback or one with the bearer token
 * (http_metrics_allowed()); others get 403.  Unsigned, like any scrape:
 * it says how the hub does, never what a node sent.
 */
#include "sync/hub_int.h"

#include "common/prom.h"
#include "http/http_metrics.h"

#define HUB_METRICS_MAX (4u << 20) /* bytes: thousands of nodes */

/* The hub's counters (struct hub_counters), with their names and help. */
static int hub_figures(struct hub *h, struct buf *b)
{
	const struct {
		const char *name, *help;
		uint64_t value;
	} c[] = {
		{ "presidio_hub_push_batches_total",
		  "Batches the nodes pushed, applied.", h->count.pushes },
		{ "presidio_hub_changes_applied_total",
		  "Changes from the nodes applied.", h->count.applied },
		{ "presidio_hub_changes_known_total",
		  "Changes pushed again that the hub had already.",
		  h->count.known },
		{ "presidio_hub_changes_merged_on_total",
		  "Changes applied on the merge state an earlier change of "
		  "the same record left in the batch, not replayed from the "
		  "record's log.",
		  h->count.merged_on },
		{ "presidio_hub_changes_refused_total",
		  "Changes refused whole (out of scope, rules).",
		  h->count.refused },
		{ "presidio_hub_fields_refused_total",
		  "Changes whose fields the merge refused.",
		  h->count.rejected },
		{ "presidio_hub_pull_batches_total", "Batches sent to the nodes.",
		  h->count.pulls },
		{ "presidio_hub_changes_sent_total", "Changes sent to the nodes.",
		  h->count.sent },
		{ "presidio_hub_push_batches_format1_total",
		  "Batches pushed in format 1: by nodes of an older build.",
		  h->count.pushes_rows },
		{ "presidio_hub_pull_batches_format1_total",
		  "Batches sent in format 1: to nodes of an older build.",
		  h->count.pulls_rows },
		{ "presidio_hub_push_batches_redone_total",
		  "Batches applied again change by change, because a change "
		  "in them failed.",
		  h->count.push_redone },
	};
	size_t i;
	int rc = 0;

	for (i = 0; i < sizeof(c) / sizeof(c[0]) && rc == 0; i++) {
		rc = prom_family(b, c[i].name, "counter", c[i].help);
		if (!rc)
			rc = prom_sample(b, c[i].name, NULL,
					 (double)c[i].value);
	}
	return rc;
}

void hub_handle_metrics(struct hub *h, struct store *s,
			const struct http_request *req,
			struct http_response *res)
{
	struct buf b;
	struct err e;
	uint8_t *text;
	size_t len, cap;
	int rc;

	if (!http_metrics_allowed(req, h->metrics_token)) {
		http_response_error(res, 403, "forbidden", "metrics are served "
				    "on loopback, or with the bearer token "
				    "(metrics.token_file)");
		return;
	}
	err_init(&e);
	buf_init(&b, HUB_METRICS_MAX);
	rc = http_metrics_write(h->metrics, &b);
	if (!rc)
		rc = hub_figures(h, &b);
	if (!rc && h->metrics_fn)
		rc = h->metrics_fn(h->metrics_ctx, s, &b, &e);
	if (rc) {
		buf_release(&b);
		hub_store_error(res, rc, &e);
		return;
	}
	text = buf_steal(&b, &len, &cap);
	http_response_take(res, 200, PROM_CONTENT_TYPE, text, len);
}
