/*
 * sim_check.h - the invariants test_sync_sim.c checks after its full
 * exchange, on real stores (hub_world.h's world):
 *
 *   1. every node holds exactly the hub's records in its scope (the hub's
 *      own judgment, registry_scope_sees()), each with the same collection,
 *      fields, deletion flag, versions (actors translated to node and
 *      operator) and open conflicts; a tombstone the hub has purged may
 *      stay on a node;
 *   2. every saved write (store_put, store_delete, store_resolve* that
 *      returned 0 and logged a change) is in the hub's history with its
 *      values (same origin and origin sequence), or its record was purged
 *      on the hub as a settled tombstone, or it is recorded as refused on
 *      both sides: nothing vanishes;
 *   3. every open conflict store_conflicts() lists, on every store, is
 *      settled by the form its kind names (store_resolve() for a field,
 *      store_resolve_delete() for a delete against an edit);
 *   4. every node's pull reads the same items, in the same order and
 *      pages, through its keys (scope_key) as through the whole log
 *      (registry/registry_scope_key.c), from several cursors.
 *
 * Included by test_sync_sim.c only; everything here is static.  A check
 * writes what failed into sim->why and returns non-zero.
 */
#ifndef PRESIDIO_TESTS_SYNC_SIM_CHECK_H
#define PRESIDIO_TESTS_SYNC_SIM_CHECK_H

#include "tests/sync/hub_world.h"

#include <inttypes.h>

#define SIM_WHY 3000
#define SIM_TEXT 8192

/* A write that returned 0: who (0..NNODES-1, or NNODES for the hub),
 * its change-log sequence there, the record, and the values it wrote
 * (NULL for a delete or a delete's resolution). */
struct sim_saved {
	int actor;
	uint64_t seq;
	struct id record;
	json_t *fields;
	int step;
};

struct sim_ctx {
	char why[SIM_WHY];
	int skip[5]; /* invariants left unchecked (SIM_SKIP) */
};

static inline ERR_PRINTF(2, 3) int sim_fail(struct sim_ctx *x,
					    const char *fmt, ...)
{
	va_list ap;

	if (x->why[0])
		return -1;
	va_start(ap, fmt);
	vsnprintf(x->why, sizeof(x->why), fmt, ap);
	va_end(ap);
	return -1;
}

static inline struct store *sim_store(int actor)
{
	return actor == NNODES ? w.hub : w.n[actor];
}

static inline const char *sim_name(int actor)
{
	return actor == NNODES ? "hub" : peers[actor].name;
}

/* ---- a record as comparable text ---- */

struct sim_text {
	char *p;
	size_t n;
	int over;
};

static inline ERR_PRINTF(2, 3) void sim_cat(struct sim_text *t,
					     const char *fmt, ...)
{
	va_list ap;
	int k;

	if (t->over)
		return;
	va_start(ap, fmt);
	k = vsnprintf(t->p + t->n, SIM_TEXT - t->n, fmt, ap);
	va_end(ap);
	if (k < 0 || (size_t)k >= SIM_TEXT - t->n)
		t->over = 1;
	else
		t->n += (size_t)k;
}

static inline void sim_cat_json(struct sim_text *t, const json_t *v)
{
	char *s = v ? json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS |
					   JSON_ENCODE_ANY)
		    : NULL;

	sim_cat(t, "%s", s ? s : "-");
	free(s);
}

/* Who wrote a version, as node id and operator (actor numbers are local
 * to each store). */
static inline void sim_cat_actor(struct sim_text *t, struct store *s,
				 uint32_t actor)
{
	const char *op = NULL;
	struct id node;

	if (actor == 0) {
		sim_cat(t, "none");
		return;
	}
	if (store_actor(s, actor, &node, &op, NULL)) {
		sim_cat(t, "?%u", (unsigned)actor);
		return;
	}
	sim_cat(t, "%.8s/%s", idtext(&node), op ? op : "");
}

static inline int sim_conflict_text(void *ctx, const struct store_conflict *c)
{
	struct sim_text *t = ctx;

	sim_cat(t, " {%d %s cur=", (int)c->kind, c->field ? c->field : "-");
	sim_cat_json(t, c->current.value);
	sim_cat(t, "@%" PRIu64 "/%.8s/%s other=", c->current.hlc,
		idtext(&c->current.node), c->current.operator);
	sim_cat_json(t, c->other.value);
	sim_cat(t, "@%" PRIu64 "/%.8s/%s}", c->other.hlc,
		idtext(&c->other.node), c->other.operator);
	return 0;
}

/* The record id on s as text in buf (SIM_TEXT bytes): "" when s does not
 * hold it; -1 when it cannot be read. */
static inline int sim_record_text(struct store *s, const struct id *id,
				  char *buf)
{
	struct sim_text t = { buf, 0, 0 };
	struct store_record r;
	int rc;

	buf[0] = '\0';
	store_record_init(&r);
	rc = store_get(s, id, &r, NULL);
	if (rc == ERR_NOTFOUND) {
		store_record_release(&r);
		return 0;
	}
	if (rc) {
		store_record_release(&r);
		return -1;
	}
	sim_cat(&t, "%s%s ", r.coll->name, r.deleted ? " deleted" : "");
	sim_cat_json(&t, r.fields);
	sim_cat(&t, " vers");
	for (size_t i = 0; i < r.vers.n; i++) {
		sim_cat(&t, " %u:%" PRIu64 ":", (unsigned)r.vers.e[i].field,
			r.vers.e[i].v.hlc);
		sim_cat_actor(&t, s, r.vers.e[i].v.actor);
	}
	sim_cat(&t, " conflicts");
	store_record_release(&r);
	if (store_conflicts(s, id, sim_conflict_text, &t, NULL))
		return -1;
	return t.over ? -1 : 0;
}

/* ---- open conflicts, as the simulator settles them ---- */

/* An open conflict as listed, copied. */
struct open_one {
	struct id record;
	int kind;
	enum merge_form form; /* how it is settled */
	char field[SCHEMA_NAME_MAX];
	json_t *cur, *other;
};

struct open_list {
	struct open_one c[16];
	int n;
	const char *field; /* NULL: all; else only this one (kind too) */
	int kind;
};

static inline int list_open(void *ctx, const struct store_conflict *c)
{
	struct open_list *l = ctx;
	struct open_one *o = &l->c[l->n];

	if (l->n == 16 || c->kind == MERGE_CONFLICT_RULE)
		return 0;
	if (l->field && ((int)c->kind != l->kind ||
			 strcmp(l->field, c->field ? c->field : "") != 0))
		return 0;
	o->record = c->record;
	o->kind = (int)c->kind;
	o->form = c->form;
	snprintf(o->field, sizeof(o->field), "%s", c->field ? c->field : "");
	o->cur = json_incref((json_t *)c->current.value);
	o->other = json_incref((json_t *)c->other.value);
	l->n++;
	return 0;
}

static inline void open_release(struct open_list *l)
{
	for (int i = 0; i < l->n; i++) {
		json_decref(l->c[i].cur);
		json_decref(l->c[i].other);
	}
	l->n = 0;
}

/* ---- 1: every node holds exactly its scope of the hub ---- */

struct sim_ids {
	struct id *id;
	size_t n, cap;
};

static inline int sim_collect_id(void *ctx, const struct store_record *r)
{
	struct sim_ids *l = ctx;

	if (l->n == l->cap) {
		size_t ncap = l->cap ? 2 * l->cap : 64;
		void *p = realloc(l->id, ncap * sizeof(*l->id));

		if (!p)
			return ERR_NOMEM;
		l->id = p;
		l->cap = ncap;
	}
	l->id[l->n++] = r->id;
	return 0;
}

static inline int sim_refused_both(const struct sim_saved *sv);

/* Node i made a change of record id that both sides recorded as refused:
 * it may keep the record the hub never took (the operator sees it). */
static inline int sim_refused_record(int i, const struct id *id,
				     const struct sim_saved *sv, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (sv[k].actor == i && id_cmp(&sv[k].record, id) == 0 &&
		    sim_refused_both(&sv[k]))
			return 1;
	return 0;
}

static inline int sim_check_scopes(struct sim_ctx *x,
				   const struct sim_saved *sv, size_t nsv)
{
	static char a[SIM_TEXT], b[SIM_TEXT];
	struct sim_ids hub = { NULL, 0, 0 }, node = { NULL, 0, 0 };
	int rc = 0;

	if (store_list(w.hub, NULL, 1, sim_collect_id, &hub, NULL))
		rc = sim_fail(x, "cannot list the hub");
	for (int i = 0; !rc && i < NNODES; i++) {
		struct registry_peer p;

		node.n = 0;
		if (registry_peer_by_name(w.hub, peers[i].name, &p, NULL) ||
		    store_list(w.n[i], NULL, 1, sim_collect_id, &node, NULL)) {
			rc = sim_fail(x, "cannot list %s", peers[i].name);
			break;
		}
		for (size_t k = 0; !rc && k < hub.n; k++) {
			int sees = 0;

			if (registry_scope_sees(w.hub, &p, &hub.id[k], &sees,
						NULL) ||
			    sim_record_text(w.hub, &hub.id[k], a) ||
			    sim_record_text(w.n[i], &hub.id[k], b))
				rc = sim_fail(x, "cannot read record %s",
					      idtext(&hub.id[k]));
			else if (sees && strcmp(a, b) != 0)
				rc = sim_fail(x, "invariant 1: %s differs "
					      "from the hub on %s:\n      "
					      "hub:  %s\n      node: %s",
					      peers[i].name,
					      idtext(&hub.id[k]), a,
					      b[0] ? b : "(missing)");
			else if (!sees && b[0])
				rc = sim_fail(x, "invariant 1: %s holds %s, "
					      "outside its scope:\n      "
					      "%s", peers[i].name,
					      idtext(&hub.id[k]), b);
		}
		for (size_t k = 0; !rc && k < node.n; k++) {
			int purged = 0;

			if (has(w.hub, &node.id[k]) == 1)
				continue; /* compared above */
			if (store_purged(w.hub, &node.id[k], &purged, NULL) ||
			    sim_record_text(w.n[i], &node.id[k], b))
				rc = sim_fail(x, "cannot read record %s",
					      idtext(&node.id[k]));
			else if ((!purged || !strstr(b, " deleted ")) &&
				 !sim_refused_record(i, &node.id[k], sv, nsv))
				rc = sim_fail(x, "invariant 1: %s holds %s, "
					      "unknown to the hub:\n      %s",
					      peers[i].name,
					      idtext(&node.id[k]), b);
		}
	}
	free(hub.id);
	free(node.id);
	return rc;
}

/* ---- 2: no saved write vanishes ---- */

struct sim_find {
	const struct sim_saved *sv;
	const struct id *origin;
	int found, same;
	char seen[160]; /* the entries there, origin/sequence */
};

static inline int sim_find_change(void *ctx, const struct store_change *c)
{
	struct sim_find *f = ctx;
	const char *k;
	json_t *v;
	size_t n;

	n = strlen(f->seen);
	snprintf(f->seen + n, sizeof(f->seen) - n, " %.4s/%" PRIu64,
		 idtext(&c->origin), c->origin_seq);
	if (c->origin_seq != f->sv->seq ||
	    memcmp(c->origin.b, f->origin->b, ID_BYTES) != 0)
		return 0;
	f->found = 1;
	f->same = 1;
	/* What the entry wrote is what was saved (the entry holds only the
	 * fields whose value changed). */
	json_object_foreach(c->fields, k, v)
		if (f->sv->fields && *k != '_' &&
		    !json_equal(v, json_object_get(f->sv->fields, k)))
			f->same = 0;
	return 0;
}

/* Is change (origin oseq, made by peer name, or on the node itself when
 * name is NULL) among the refused changes store s lists? */
struct sim_refusal {
	uint64_t oseq;
	const char *peer;
	int found;
};

static inline int sim_refusal_of(void *ctx, const struct store_refused *r)
{
	struct sim_refusal *q = ctx;

	if (q->peer ? (r->peer && strcmp(r->peer, q->peer) == 0 &&
		       r->oseq == q->oseq)
		    : (!r->peer && r->oseq == q->oseq))
		q->found = 1;
	return 0;
}

/* Refused on both sides, as each lists it (store_refused_list: the
 * rejections still in the log and those kept after a purge). */
static inline int sim_refused_both(const struct sim_saved *sv)
{
	struct sim_refusal node = { sv->seq, NULL, 0 };
	struct sim_refusal hub = { sv->seq, NULL, 0 };

	if (sv->actor == NNODES)
		return 0;
	hub.peer = peers[sv->actor].name;
	if (store_refused_list(w.n[sv->actor], 0, sim_refusal_of, &node,
			       NULL) ||
	    store_refused_list(w.hub, 0, sim_refusal_of, &hub, NULL))
		return 0;
	return node.found && hub.found;
}

static inline int sim_check_saved(struct sim_ctx *x,
				  const struct sim_saved *sv, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct sim_find f = { &sv[i], store_node_id(sim_store(
						  sv[i].actor)), 0, 0, "" };
		int rc = store_history(w.hub, &sv[i].record, sim_find_change,
				       &f, NULL);
		int purged = 0;

		if (rc && rc != ERR_NOTFOUND)
			return sim_fail(x, "cannot read the hub's history");
		if (f.found && f.same)
			continue;
		if (f.found)
			return sim_fail(x, "invariant 2: the hub holds change "
					"%" PRIu64 " of %s (step %d, record "
					"%s) with other values",
					sv[i].seq, sim_name(sv[i].actor),
					sv[i].step, idtext(&sv[i].record));
		if (store_purged(w.hub, &sv[i].record, &purged, NULL))
			return sim_fail(x, "cannot read the hub's purges");
		if (purged || sim_refused_both(&sv[i]))
			continue;
		return sim_fail(x, "invariant 2: change %" PRIu64 " of %s "
				"(step %d, record %s) vanished: not on the "
				"hub, not refused on both sides (%.4s; the "
				"hub's entries:%s)",
				sv[i].seq, sim_name(sv[i].actor), sv[i].step,
				idtext(&sv[i].record),
				idtext(store_node_id(sim_store(sv[i].actor))),
				f.seen[0] ? f.seen : " none");
	}
	return 0;
}

/* ---- 3: every open conflict settles by its own form ---- */

struct sim_open {
	struct id record;
	enum merge_conflict_kind kind;
	enum merge_form form;      /* how it is settled (merge.h) */
	char field[SCHEMA_NAME_MAX];
	json_t *value;
	int any;
};

static inline int sim_first_conflict(void *ctx, const struct store_conflict *c)
{
	struct sim_open *o = ctx;

	/* A rule conflict is settled by an edit, not a resolution; one
	 * about the deletion goes first (a deleted record's fields wait
	 * for it). */
	if (c->form == MERGE_FORM_RULE ||
	    (o->any && (o->form == MERGE_FORM_DELETE ||
			c->form != MERGE_FORM_DELETE)))
		return 0;
	json_decref(o->value);
	o->record = c->record;
	o->kind = c->kind;
	o->form = c->form;
	snprintf(o->field, sizeof(o->field), "%s", c->field ? c->field : "");
	o->value = json_incref((json_t *)c->current.value);
	o->any = 1;
	return 0;
}

/* Settle every open conflict of every store, one at a time as listed;
 * keep picks keep-deleted or undelete. */
static inline int sim_check_resolvable(struct sim_ctx *x, int keep)
{
	for (int a = 0; a <= NNODES; a++) {
		struct store *s = sim_store(a);

		for (int guard = 0; guard < 200; guard++) {
			struct sim_open o;
			struct err e;
			int rc;

			memset(&o, 0, sizeof(o));
			err_init(&e);
			rc = store_conflicts(s, NULL, sim_first_conflict, &o,
					     NULL);
			if (rc)
				return sim_fail(x, "cannot list conflicts");
			if (!o.any)
				break;
			if (o.form == MERGE_FORM_DELETE)
				rc = store_resolve_delete(s, &o.record, keep,
							  &e);
			else
				rc = store_resolve(s, &o.record, o.field,
						   o.value, NULL, &e);
			json_decref(o.value);
			if (rc)
				return sim_fail(x, "invariant 3: on %s, the "
						"open %s conflict of %s on "
						"'%s' cannot be settled: %s",
						sim_name(a),
						o.kind == MERGE_CONFLICT_DELETE
						    ? "delete"
						    : "field",
						idtext(&o.record), o.field,
						e.msg);
			if (guard == 199)
				return sim_fail(x, "invariant 3: on %s, "
						"conflicts of %s stay open "
						"after being settled",
						sim_name(a),
						idtext(&o.record));
		}
	}
	return 0;
}

/* ---- invariant 4: the keys read what the whole log does ---- */

struct sim_items {
	struct buf t; /* the items as text, NUL-terminated */
	int over;
	uint64_t last;
};

static inline ERR_PRINTF(2, 3) void sim_items_cat(struct sim_items *k,
						   const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line) ||
	    buf_append(&k->t, line, (size_t)n + 1))
		k->over = 1;
	else
		k->t.len--; /* the NUL stays, outside the length */
}

static inline int sim_item_text(void *ctx, const struct registry_scope_item *it)
{
	struct sim_items *k = ctx;

	k->last = it->seq;
	if (it->change)
		sim_items_cat(k, "%" PRIu64 ":%s:%" PRIu64 ":%d ", it->seq,
			      idtext(&it->change->record), it->change->seq,
			      it->backfill);
	else
		sim_items_cat(k, "%" PRIu64 ":%s:%s ", it->seq,
			      idtext(&it->root), it->entered ? "in" : "out");
	return 0;
}

/* The walk of peer p from after, by pages of limit (0: one page), as
 * text in *out (to free), read the way mode says
 * (PRESIDIO_TEST_SCOPE_WALK). */
static inline int sim_walk_text(const struct registry_peer *p, uint64_t after,
				size_t limit, const char *mode, char **out)
{
	struct sim_items k;
	int more = 1, pages = 0;

	const char *was = getenv("PRESIDIO_TEST_SCOPE_WALK");
	char *keep = was ? strdup(was) : NULL;

	memset(&k, 0, sizeof(k));
	buf_init(&k.t, 64 << 20);
	sim_items_cat(&k, "%s", "");
	setenv("PRESIDIO_TEST_SCOPE_WALK", mode, 1);
	while (more && pages++ < 10000) {
		k.last = after;
		if (registry_scope_log(w.hub, p, after, limit, sim_item_text,
				       &k, &more, NULL))
			break;
		sim_items_cat(&k, "| ");
		after = k.last;
	}
	/* As the run had it (PRESIDIO_TEST_SCOPE_WALK=keys: every sync of
	 * the simulator through the keys). */
	if (keep)
		setenv("PRESIDIO_TEST_SCOPE_WALK", keep, 1);
	else
		unsetenv("PRESIDIO_TEST_SCOPE_WALK");
	free(keep);
	*out = (char *)k.t.data;
	return more || k.over ? -1 : 0;
}

static inline int sim_check_keys(struct sim_ctx *x)
{
	uint64_t end = 0;

	if (store_last_seq(w.hub, &end, NULL))
		return sim_fail(x, "invariant 4: cannot read the hub's log");
	for (int i = 0; i < NNODES; i++) {
		struct registry_peer p;

		if (registry_peer_by_name(w.hub, peers[i].name, &p, NULL))
			return sim_fail(x, "invariant 4: no peer %s",
					peers[i].name);
		for (int q = 0; q < 4; q++) {
			uint64_t after = end * (uint64_t)q / 4;
			size_t limit = q % 2 ? 3 : 0;
			char *all = NULL, *keys = NULL;
			int bad = sim_walk_text(&p, after, limit, "all", &all) ||
				  sim_walk_text(&p, after, limit, "keys",
						&keys) ||
				  strcmp(all ? all : "", keys ? keys : "");

			if (bad)
				sim_fail(x, "invariant 4: %s after %" PRIu64
					 " by %zu: the whole log gives "
					 "[%.1200s], the keys [%.1200s]",
					 peers[i].name, after, limit,
					 all ? all : "", keys ? keys : "");
			free(all);
			free(keys);
			if (bad)
				return -1;
		}
	}
	return 0;
}

#endif
