/* view_metrics.c - see view_metrics.h. */
#include "view/view_metrics.h"

#include <math.h>

#include "common/prom.h"
#include "registry/registry.h"
#include "sync/sync_metrics.h"
#include "view/view_status.h"

static int gauge(struct buf *b, const char *name, const char *help,
		 double v)
{
	int rc = prom_family(b, name, "gauge", help);

	return rc ? rc : prom_sample(b, name, NULL, v);
}

static int counter(struct buf *b, const char *name, const char *help,
		   const char *label, const char *v1, double n1,
		   const char *v2, double n2)
{
	struct prom_labels l = { { label }, { v1 }, 1 };
	int rc = prom_family(b, name, "counter", help);

	if (!rc && !label)
		return prom_sample(b, name, NULL, n1);
	if (!rc)
		rc = prom_sample(b, name, &l, n1);
	l.values[0] = v2;
	return rc ? rc : prom_sample(b, name, &l, n2);
}

/* A node's sync, from its store. */
static int node_sync(struct store *s, const struct view_status *v,
		     struct buf *b, int64_t now_ms, struct err *e)
{
	static const double bounds[] = SYNC_METRICS_BOUNDS;
	struct sync_metrics m;
	double age = v->last_ok ? (double)(now_ms - (int64_t)v->last_ok) / 1e3
				: INFINITY;
	int rc = sync_metrics_read(s, &m, e);

	if (!rc)
		rc = gauge(b, "presidio_sync_pending_changes", "This node's "
			   "changes the hub has not acknowledged.",
			   (double)v->pending);
	if (!rc)
		rc = gauge(b, "presidio_sync_last_success_age_seconds",
			   "Seconds since the last sync round that ended "
			   "well (+Inf: never).", age < 0 ? 0 : age);
	if (!rc)
		rc = counter(b, "presidio_sync_rounds_total", "Sync rounds, "
			     "by how they ended.", "result", "ok",
			     (double)m.rounds_ok, "failed",
			     (double)m.rounds_failed);
	if (!rc)
		rc = counter(b, "presidio_sync_changes_total", "Changes "
			     "pushed to the hub and pulled from it.",
			     "direction", "push", (double)m.pushed, "pull",
			     (double)m.pulled);
	if (!rc)
		rc = counter(b, "presidio_sync_batches_total", "Batches sent "
			     "and received.", NULL, NULL, (double)m.batches,
			     NULL, 0);
	if (!rc)
		rc = counter(b, "presidio_sync_refused_total", "Changes the "
			     "hub refused, whole or in part.", NULL, NULL,
			     (double)m.refused, NULL, 0);
	if (!rc)
		rc = prom_family(b, "presidio_sync_duration_seconds",
				 "histogram", "Time of a sync round.");
	if (!rc)
		rc = prom_histogram(b, "presidio_sync_duration_seconds", NULL,
				    bounds, m.buckets, SYNC_METRICS_NBOUNDS,
				    m.over, (double)m.sum_ms / 1e3);
	return rc;
}

struct nodes {
	struct buf *b;
	int64_t now_s;
	int pass;      /* 0: contact ages, 1: refused */
};

static int node_line(void *ctx, const struct registry_peer *p)
{
	struct nodes *n = ctx;
	struct prom_labels l = { { "node" }, { p->name }, 1 };
	double age = p->last_contact ? (double)(n->now_s - p->last_contact)
				     : INFINITY;

	if (n->pass == 0)
		return prom_sample(n->b, "presidio_node_last_contact_age_seconds",
				   &l, age < 0 ? 0 : age);
	return prom_sample(n->b, "presidio_node_refused_changes", &l,
			   (double)p->refused);
}

/* A hub's nodes: one family, then the other (a family's samples must
 * follow its header). */
static int hub_nodes(struct store *s, struct buf *b, int64_t now_ms,
		     struct err *e)
{
	struct nodes n = { b, now_ms / 1000, 0 };
	int rc = prom_family(b, "presidio_node_last_contact_age_seconds",
			     "gauge", "Seconds since each node last reached "
			     "the hub (+Inf: never).");

	if (!rc)
		rc = registry_peer_list(s, node_line, &n, e);
	if (!rc)
		rc = prom_family(b, "presidio_node_refused_changes", "gauge",
				 "Each node's changes the hub refused whole.");
	n.pass = 1;
	if (!rc)
		rc = registry_peer_list(s, node_line, &n, e);
	return rc;
}

int view_metrics_write(struct store *s, struct buf *b, int64_t now_ms,
		       struct err *e)
{
	struct view_status v;
	int rc = view_status_load(s, &v, e);

	if (!rc)
		rc = gauge(b, "presidio_conflicts_open", "Records with a "
			   "conflict waiting for review.",
			   (double)v.st.conflicted);
	if (!rc)
		rc = gauge(b, "presidio_refused_changes", "Changes refused, "
			   "whole or in part, kept here.",
			   (double)v.st.rejected);
	if (!rc)
		rc = gauge(b, "presidio_records", "Live records in the store.",
			   (double)v.st.records);
	if (!rc && v.st.role == STORE_ROLE_HUB)
		rc = hub_nodes(s, b, now_ms, e);
	else if (!rc)
		rc = node_sync(s, &v, b, now_ms, e);
	return rc;
}
