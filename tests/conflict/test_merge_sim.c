/*
 * test_merge_sim.c - a deterministic randomized convergence simulator for
 * the per-record merge (conflict/merge.h).
 *
 * 5 to 7 replicas, one the hub, each hold the records they heard of
 * (record index -> struct merge_record) and a hybrid logical clock over a
 * wall clock skewed within +/- 10 minutes that jumps, mostly backwards.
 * Random operations at random replicas, made against the replica's own
 * state, applied there and logged: creates; edits of overlapping fields
 * (title, count, color, stage on or back a step, cap, spent, approved_by
 * which only the hub may write); deletes; resolutions of open conflicts (a
 * candidate or a new value, keep a delete or undelete, fix the invariant),
 * which must close their conflict where they are made; concurrent
 * resolutions: two replicas holding the same changes settle one conflict
 * differently before they exchange (keep the delete against undelete,
 * pick against pick, pick against a new value) and, half the time, settle
 * at once the conflict the two leave.  Between them,
 * random subsets of the log reach random replicas in random order, with
 * duplicates and drops, the receiver's clock moving past each change's.
 * After a full exchange (random order, duplicates) every replica must hold
 * the same records, merge_hash() and open conflicts, and every write must
 * stand at every replica as WINNER (the field's winner), SUPERSEDED
 * (exactly when an applied change names it so), OPEN (a conflict's
 * loser), SETTLED, or REJECTED (exactly approved_by not from the hub);
 * every open conflict must be admitted in the form it is listed with
 * (merge_resolvable() of merge_conflict_form()).  Then one replica
 * settles every open conflict of one record in that form; once the
 * resolutions reach every replica, all hold that record the same again
 * and none has a conflict left on it.
 *
 *   test_merge_sim [NAME-PART]           10,000 fixed seeds, 1,000 a test
 *                                        ($MERGE_SIM_SEEDS: the first N,
 *                                        a tenth a test; tests/run.sh
 *                                        runs fewer under the sanitizers)
 *   test_merge_sim --soak SECONDS [--seed N]   random seeds until time
 *   test_merge_sim --replay SEED         one scenario, step by step
 *
 * Everything comes from one seeded splitmix64 stream: a seed replays.
 */
#include "tests/conflict/merge_sim.h"

/* A value for field f; a stage moves on from now, or back a step. */
static json_t *rand_value(struct sim *s, int f, const json_t *now)
{
	int w = 0;

	switch (f) {
	case F_TITLE:
		return json_string(titles[rnd(s, 3)]);
	case F_COUNT:
		return rnd(s, 8) ? json_integer(rnd(s, 4)) : json_null();
	case F_COLOR:
		return json_string(colors[rnd(s, 3)]);
	case F_STAGE:
		while (now && w < 4 &&
		       strcmp(stages[w], json_string_value(now)))
			w++;
		if (!now || w == 4 || rnd(s, 5) == 0)
			w = rnd(s, 4);
		else if (rnd(s, 3) == 0)
			w = w > 0 ? w - 1 : 0;
		else
			w = w < 3 ? w + 1 + rnd(s, 3 - w) : 3;
		return json_string(stages[w]);
	case F_CAP:
		return json_integer(5 * (1 + rnd(s, 3)));
	case F_SPENT:
		return json_integer(5 * rnd(s, 4));
	default:
		return json_string(approvers[rnd(s, 2)]);
	}
}

/*
 * Make a change at replica r on record k writing values (taken), prev
 * from merge_prev_for() on r's record; apply it there and log it.  Returns
 * its index, or -1 after a failure.
 */
static int make(struct sim *s, int r, int k, const char *what,
		json_t *values, int resolve)
{
	struct merge_record *rec = record(s, r, k);
	struct change *c = &s->ch[s->nch];
	struct merge_result res;
	uint16_t written[NFIELDS + 1];
	size_t n = 0, nprev = 0;
	int refused = 0;
	const char *key;
	json_t *val;
	struct err e;
	char t[40], j[200];

	if (!rec || !values || s->nch == NCH_MAX) {
		json_decref(values);
		fail(s, "out of memory or log space");
		return -1;
	}
	json_object_foreach(values, key, val) {
		written[n] = field_id(key);
		refused |= written[n++] == fids[F_APPROVED] && !s->rep[r].hub;
	}
	memset(c, 0, sizeof(*c));
	s->has[r][s->nch] = 1;
	c->rec = k;
	c->origin = r;
	c->what = what;
	c->values = values;
	s->nch++;
	if (merge_prev_for(rec, written, n, resolve, &c->prev, &nprev)) {
		fail(s, "merge_prev_for: out of memory");
		return -1;
	}
	c->c.v.hlc = hlc_now(&s->rep[r].clock, wall(s, r));
	c->c.v.node = s->rep[r].node;
	c->c.from_hub = s->rep[r].hub;
	c->c.values = values;
	c->c.prev = c->prev;
	c->c.nprev = nprev;
	if (s->verbose)
		printf("  #%zu %s at r%d on rec %d: %s %s, %zu prev\n",
		       s->nch - 1, what, r, k, vid_text(&c->c.v, t),
		       json_text(values, j, sizeof(j)), nprev);
	err_init(&e);
	if (merge_apply(rec, &c->c, &res, &e))
		fail(s, "#%zu (%s) refused at its origin: %s", s->nch - 1,
		     what, e.msg);
	else if (res.rejected != (size_t)refused)
		fail(s, "#%zu: %zu fields refused at its origin", s->nch - 1,
		     res.rejected);
	return refused ? -1 : (int)(s->nch - 1);
}

/* A record of replica r, from a random start: created, deleted or not as
 * asked (-1: either), with open conflicts when conflicted; -1: none. */
static int pick_record(struct sim *s, int r, int deleted, int conflicted)
{
	struct merge_conflict none;
	int start = s->nrec ? rnd(s, s->nrec) : 0;

	for (int i = 0; i < s->nrec; i++) {
		int k = (start + i) % s->nrec;
		const struct merge_record *rec = s->rep[r].rec[k];

		if (rec && !merge_is_empty(rec) &&
		    (deleted < 0 || merge_deleted(rec) == deleted) &&
		    (!conflicted || merge_conflicts(rec, &none, 0)))
			return k;
	}
	return -1;
}

static void op_create(struct sim *s, int r)
{
	json_t *v = json_object();

	json_object_set_new(v, "title", rand_value(s, F_TITLE, NULL));
	for (int f = 1; f < NFIELDS; f++)
		if (rnd(s, f == F_APPROVED ? 6 : 3) == 0)
			json_object_set_new(v, names[f],
					    rand_value(s, f, NULL));
	if (rnd(s, 2))
		json_object_set_new(v, "_deleted", json_false());
	make(s, r, s->nrec++, "create", v, 0);
}

static void op_edit(struct sim *s, int r, int k)
{
	const json_t *stage = NULL;
	json_t *v = json_object();
	struct merge_vid w;

	if (merge_winner(s->rep[r].rec[k], fids[F_STAGE], &w, &stage))
		stage = NULL;
	while (json_object_size(v) == 0)
		for (int f = 0; f < NFIELDS; f++)
			if (rnd(s, 3) == 0)
				json_object_set_new(v, names[f],
						    rand_value(s, f, stage));
	make(s, r, k, "edit", v, 0);
}

/* Variants of a resolution in each form (op_resolve). */
static int nvariants(enum merge_form form)
{
	return form == MERGE_FORM_FIELD ? 3 : 2;
}

/*
 * Resolve open conflict ci (-1: a random one) of record k at replica r in
 * the form the conflict is listed with, as variant (-1: a random one): a
 * field takes 0 its winner, 1 the loser, 2 a new value; a delete is 0
 * kept or 1 undone; a rule gets 0 spent down to cap or 1 cap up to spent.
 * The form must be admitted wherever the conflict is listed, and where
 * the resolution is made it must close every conflict of its form on its
 * field (unless the hub alone may write it).  Returns the change's index,
 * -1 when none was made.
 */
static int op_resolve(struct sim *s, int r, int k, int ci, int variant)
{
	const struct merge_record *rec = s->rep[r].rec[k];
	struct merge_conflict m[NCONF_MAX], c;
	size_t n = merge_conflicts(rec, m, NCONF_MAX);
	const json_t *cap = NULL, *spent = NULL, *win = NULL;
	const char *what = "resolve";
	enum merge_form form;
	struct merge_vid w;
	uint16_t field;
	int f = 0, resolve = 1, made;
	json_t *v;
	char t[40];

	if (n == 0)
		return -1;
	n = n < NCONF_MAX ? n : NCONF_MAX;
	c = m[ci >= 0 && (size_t)ci < n ? (size_t)ci : (size_t)rnd(s, (int)n)];
	form = merge_conflict_form(&c);
	if (variant < 0)
		variant = rnd(s, nvariants(form));
	v = json_object();
	if (form == MERGE_FORM_DELETE) {
		field = SCHEMA_FIELD_DELETED;
		json_object_set_new(v, "_deleted", json_boolean(variant == 0));
		what = variant == 0 ? "keep-delete" : "undelete";
	} else if (form == MERGE_FORM_RULE) {
		merge_winner(rec, fids[F_CAP], &w, &cap);
		merge_winner(rec, fids[F_SPENT], &w, &spent);
		f = variant ? F_CAP : F_SPENT;
		field = fids[f];
		json_object_set_new(v, names[f],
				    json_deep_copy(f == F_SPENT ? cap : spent));
		resolve = rnd(s, 2);
		what = "fix-rule";
	} else {
		field = c.field;
		merge_winner(rec, field, &w, &win);
		while (f < NFIELDS && fids[f] != field)
			f++;
		json_object_set_new(v, field_name(field),
				    variant == 0   ? json_deep_copy(win)
				    : variant == 1 ? json_deep_copy(c.loser_value)
						   : rand_value(s, f, win));
		what = variant == 2 ? "resolve-new" : "resolve-pick";
	}
	if (!merge_resolvable(rec, field)) {
		json_decref(v);
		fail(s, "rec %d at r%d: conflict of kind %d on %s (other %s) "
		     "is listed but its form is refused", k, r, c.kind,
		     field_name(c.field), vid_text(&c.loser, t));
		return -1;
	}
	made = make(s, r, k, what, v, resolve);
	if (made < 0)
		return -1;
	n = merge_conflicts(rec, m, NCONF_MAX);
	for (size_t i = 0; i < n && i < NCONF_MAX; i++)
		if (merge_conflict_form(&m[i]) == form &&
		    (form != MERGE_FORM_FIELD || m[i].field == c.field))
			fail(s, "#%d (%s) left a conflict of kind %d on %s "
			     "open at r%d", made, what, m[i].kind,
			     field_name(m[i].field), r);
	return made;
}

/* Replicas r and r2 exchange every change of record k one lacks. */
static void share_record(struct sim *s, int r, int r2, int k)
{
	for (size_t i = 0; i < s->nch && !s->why[0]; i++) {
		if (s->ch[i].rec != k || s->has[r][i] == s->has[r2][i])
			continue;
		deliver(s, s->has[r][i] ? r2 : r, i);
	}
}

/*
 * Concurrent resolutions: replicas r and another, holding the same
 * changes of record k, settle the same open conflict differently before
 * they exchange (keep the delete against undelete, pick against pick,
 * pick against a new value, rule fix against rule fix).  Half the time
 * they exchange at once, and the conflict the two resolutions leave is
 * settled again, concurrently (depth allowing) or at one of them.
 */
static void op_resolve_concurrently(struct sim *s, int r, int k, int depth)
{
	int r2 = (r + 1 + rnd(s, s->nrep - 1)) % s->nrep;
	struct merge_conflict m[NCONF_MAX];
	int ci, va, vb, nv, ia, ib;
	size_t n;

	if (!record(s, r2, k))
		return;
	share_record(s, r, r2, k);
	n = merge_conflicts(s->rep[r].rec[k], m, NCONF_MAX);
	if (n == 0 || s->why[0])
		return;
	ci = rnd(s, (int)(n < NCONF_MAX ? n : NCONF_MAX));
	nv = nvariants(merge_conflict_form(&m[ci]));
	va = rnd(s, nv);
	vb = (va + 1 + rnd(s, nv - 1)) % nv;
	if (s->verbose)
		printf("  r%d and r%d settle a conflict of rec %d at once\n", r,
		       r2, k);
	ia = op_resolve(s, r, k, ci, va);
	tick(s);
	ib = op_resolve(s, r2, k, ci, vb);
	if (ia < 0 || ib < 0 || s->why[0] || rnd(s, 2))
		return;
	deliver(s, r2, (size_t)ia);
	deliver(s, r, (size_t)ib);
	if (!merge_conflicts(s->rep[r].rec[k], m, 0))
		return;
	tick(s);
	if (depth < 2 && rnd(s, 2))
		op_resolve_concurrently(s, rnd(s, 2) ? r : r2, k, depth + 1);
	else
		op_resolve(s, rnd(s, 2) ? r : r2, k, -1, -1);
}

/* One random operation at a random replica: create 12%, resolve 30%
 * (a third of them concurrently at two replicas), delete 8%, edit the
 * rest (or whatever the replica can do). */
static void operate(struct sim *s)
{
	int r = rnd(s, s->nrep), op = rnd(s, 100), live, open = -1;

	if (op < 12 && s->nrec < s->maxrec) {
		op_create(s, r);
		return;
	}
	live = pick_record(s, r, 0, 0);
	if (op < 42 || live < 0)
		open = pick_record(s, r, -1, 1);
	if (open >= 0 && op < 22)
		op_resolve_concurrently(s, r, open, 0);
	else if (open >= 0)
		op_resolve(s, r, open, -1, -1);
	else if (live >= 0 && op >= 42 && op < 50)
		make(s, r, live, "delete", json_pack("{s:b}", "_deleted", 1),
		     0);
	else if (live >= 0)
		op_edit(s, r, live);
	else if (s->nrec < s->maxrec)
		op_create(s, r);
}

/* ---- the checks after the full exchange ---- */

static int conflict_eq(const struct merge_conflict *a,
		       const struct merge_conflict *b)
{
	if (a->kind != b->kind || a->field != b->field ||
	    merge_vid_cmp(&a->winner, &b->winner) ||
	    merge_vid_cmp(&a->loser, &b->loser) ||
	    !a->loser_value != !b->loser_value || !a->reason != !b->reason)
		return 0;
	if (a->loser_value && !json_equal(a->loser_value, b->loser_value))
		return 0;
	return !a->reason || !strcmp(a->reason, b->reason);
}

/* (a), (b): replica r's record k against replica 0's: the first winner,
 * else open conflict, that differs. */
static void check_same(struct sim *s, int r, int k)
{
	const struct view *a = &views[0][k], *b = &views[r][k];
	const json_t *va = NULL, *vb = NULL;
	struct merge_vid wa, wb;
	char ja[100], jb[100], ta[40], tb[40], la[40], lb[40];
	int na = 0, nb = 0;
	uint16_t f;
	size_t i;

	for (f = 0; f <= coll->nfields; f++) {
		na = merge_winner(s->rep[0].rec[k], f, &wa, &va);
		nb = merge_winner(s->rep[r].rec[k], f, &wb, &vb);
		if (na != nb || (!na && (merge_vid_cmp(&wa, &wb) ||
					 !json_equal(va, vb))))
			break;
	}
	for (i = 0; i < a->n && i < b->n && i < NCONF_MAX; i++)
		if (!conflict_eq(&a->m[i], &b->m[i]))
			break;
	if (f <= coll->nfields)
		fail(s, "rec %d: winner of %s: r0 %s %s, r%d %s %s", k,
		     field_name(f), na ? "-" : vid_text(&wa, ta),
		     json_text(na ? NULL : va, ja, sizeof(ja)), r,
		     nb ? "-" : vid_text(&wb, tb),
		     json_text(nb ? NULL : vb, jb, sizeof(jb)));
	else if (i < a->n && i < b->n && i < NCONF_MAX)
		fail(s, "rec %d: open conflict %zu: r0 kind %d %s %s/%s, r%d "
		     "kind %d %s %s/%s", k, i, a->m[i].kind,
		     field_name(a->m[i].field), vid_text(&a->m[i].winner, ta),
		     vid_text(&a->m[i].loser, la), r, b->m[i].kind,
		     field_name(b->m[i].field), vid_text(&b->m[i].winner, tb),
		     vid_text(&b->m[i].loser, lb));
	else if (a->n != b->n)
		fail(s, "rec %d: %zu open conflicts at r0, %zu at r%d", k, a->n,
		     b->n, r);
	else if (memcmp(a->hash, b->hash, sizeof(a->hash)))
		fail(s, "rec %d: hash differs at r%d, winners and open "
		     "conflicts the same", k, r);
}

/* An applied change writes field (not refused) naming v there as prev. */
static int named_superseded(const struct sim *s, int k, uint16_t field,
			    const struct merge_vid *v)
{
	for (size_t i = 0; i < s->nch; i++) {
		const struct change *c = &s->ch[i];

		if (c->rec != k || !json_object_get(c->values,
						    field_name(field)) ||
		    (field == fids[F_APPROVED] && !c->c.from_hub))
			continue;
		for (size_t p = 0; p < c->c.nprev; p++)
			if (c->prev[p].field == field &&
			    !merge_vid_cmp(&c->prev[p].v, v))
				return 1;
	}
	return 0;
}

/* (c): where change i's write of field stands at replica r. */
static void check_write(struct sim *s, size_t i, uint16_t field, int sup,
			int r)
{
	const struct change *c = &s->ch[i];
	const struct merge_record *rec = s->rep[r].rec[c->rec];
	const struct view *view = &views[r][c->rec];
	enum merge_status st = merge_status_of(rec, field, &c->c.v);
	int refused = field == fids[F_APPROVED] && !c->c.from_hub, ok = 1;
	struct merge_vid w;
	const json_t *wv;

	if (st == MERGE_UNKNOWN || (st == MERGE_REJECTED) != refused ||
	    (!refused && (st == MERGE_SUPERSEDED) != sup))
		ok = 0;
	else if (st == MERGE_WINNER)
		ok = !merge_winner(rec, field, &w, &wv) &&
		     !merge_vid_cmp(&w, &c->c.v);
	else if (st == MERGE_OPEN) { /* a conflict's loser on field */
		ok = 0;
		for (size_t j = 0; j < view->n && j < NCONF_MAX; j++)
			ok |= view->m[j].kind != MERGE_CONFLICT_RULE &&
			      view->m[j].field == field &&
			      !merge_vid_cmp(&view->m[j].loser, &c->c.v);
	}
	if (!ok)
		fail(s, "#%zu (%s at r%d, rec %d) field %s: status %d at r%d "
		     "(named superseded: %d, refused: %d)", i, c->what,
		     c->origin, c->rec, field_name(field), (int)st, r, sup,
		     refused);
}

/* (d): every open conflict of replica r's record k is admitted in the
 * form it is listed with. */
static void check_forms(struct sim *s, int r, int k)
{
	const struct view *view = &views[r][k];
	char t[40];

	for (size_t i = 0; i < view->n && i < NCONF_MAX; i++) {
		const struct merge_conflict *m = &view->m[i];
		enum merge_form form = merge_conflict_form(m);
		uint16_t field = form == MERGE_FORM_DELETE ? SCHEMA_FIELD_DELETED
				 : form == MERGE_FORM_RULE ? fids[F_SPENT]
							   : m->field;

		if (!merge_resolvable(s->rep[r].rec[k], field))
			fail(s, "rec %d at r%d: conflict of kind %d on %s "
			     "(other %s) cannot be settled in its form", k, r,
			     m->kind, field_name(m->field),
			     vid_text(&m->loser, t));
	}
}

/* The checks after the full exchange. */
static void check(struct sim *s)
{
	for (int k = 0; k < s->nrec; k++)
		for (int r = 0; r < s->nrep; r++) {
			const struct merge_record *rec = s->rep[r].rec[k];

			if (!rec) {
				fail(s, "rec %d missing at r%d", k, r);
				return;
			}
			merge_hash(rec, views[r][k].hash);
			views[r][k].n = merge_conflicts(rec, views[r][k].m,
							NCONF_MAX);
			check_forms(s, r, k);
			if (r > 0)
				check_same(s, r, k);
		}
	for (size_t i = 0; i < s->nch && !s->why[0]; i++) {
		const char *key;
		json_t *val;

		json_object_foreach(s->ch[i].values, key, val) {
			uint16_t f = field_id(key);
			int sup = named_superseded(s, s->ch[i].rec, f,
						   &s->ch[i].c.v);

			for (int r = 0; r < s->nrep; r++)
				check_write(s, i, f, sup, r);
		}
	}
}

/*
 * (e): one replica settles every open conflict of one record in the form
 * it is listed with (one record a scenario keeps the run short; every
 * listed conflict was checked admitted by (d)); once those resolutions
 * reach every replica (random order, duplicates), every replica holds
 * the same records again and none has an open conflict left.
 */
static void settle(struct sim *s)
{
	int r = rnd(s, s->nrep), k = pick_record(s, r, -1, 1), tries = 0;
	size_t first = s->nch, list[2 * NCH_MAX];

	if (k < 0)
		return;
	if (s->verbose)
		printf("r%d settles every open conflict of rec %d\n", r, k);
	while (merge_conflicts(s->rep[r].rec[k], NULL, 0) && !s->why[0]) {
		tick(s);
		if (tries++ == 16 || op_resolve(s, r, k, -1, -1) < 0)
			fail(s, "rec %d: r%d cannot settle its open conflicts",
			     k, r);
	}
	for (int q = 0; q < s->nrep && !s->why[0]; q++) {
		size_t n = 0;

		for (size_t i = first; i < s->nch; i++) {
			list[n++] = i;
			if (rnd(s, 5) == 0)
				list[n++] = i;
		}
		deliver_shuffled(s, q, list, n);
	}
	/* The state hash covers winners and open conflicts: equal hashes
	 * and no conflict are all there is to check here. */
	for (int q = 0; q < s->nrep && !s->why[0]; q++) {
		const struct merge_record *rec = s->rep[q].rec[k];
		size_t n = merge_conflicts(rec, NULL, 0);

		merge_hash(rec, views[q][k].hash);
		if (n)
			fail(s, "rec %d: %zu open conflicts at r%d after "
			     "settling", k, n, q);
		else if (memcmp(views[q][k].hash, views[0][k].hash,
				MERGE_HASHBYTES))
			fail(s, "rec %d: r%d differs from r0 after settling",
			     k, q);
	}
}

/* A new scenario from seed: replicas, clocks, sizes. */
static void setup(struct sim *s, uint64_t seed, int verbose)
{
	coll = schema_collection("test_item");
	for (size_t f = 0; f < NFIELDS; f++)
		fids[f] = schema_field(coll, names[f])->id;
	memset(s, 0, sizeof(*s));
	s->rng = splitmix64(&seed);
	s->verbose = verbose;
	s->nrep = 5 + rnd(s, 3);
	s->maxrec = 2 + rnd(s, 5);
	s->nops = 10 + rnd(s, 21);
	s->coarse = rnd(s, 4) == 0;
	for (int r = 0; r < s->nrep; r++) {
		for (int b = 0; b < ID_BYTES; b++)
			s->rep[r].node.b[b] = (uint8_t)rnd(s, 256);
		s->rep[r].skew = clamp_skew(s, rnd(s, 2 * SKEW_MS + 1) -
						       SKEW_MS);
		hlc_init(&s->rep[r].clock, 0);
	}
	s->rep[rnd(s, s->nrep)].hub = 1;
	if (!verbose)
		return;
	printf("%d replicas, %d records at most, %d operations%s\n", s->nrep,
	       s->maxrec, s->nops, s->coarse ? ", whole-second clocks" : "");
	for (int r = 0; r < s->nrep; r++)
		printf("  r%d: node ..%02x, skew %+" PRId64 " ms%s\n", r,
		       s->rep[r].node.b[ID_BYTES - 1], s->rep[r].skew,
		       s->rep[r].hub ? " (hub)" : "");
}

static void release(struct sim *s)
{
	for (size_t i = 0; i < s->nch; i++) {
		json_decref(s->ch[i].values);
		free(s->ch[i].prev);
	}
	for (int r = 0; r < s->nrep; r++)
		for (int k = 0; k < NREC_MAX; k++)
			merge_record_free(s->rep[r].rec[k]);
}

/* Print record k as replica 0 holds it (replay). */
static void print_record(const struct sim *s, int k)
{
	const struct merge_record *rec = s->rep[0].rec[k];
	struct merge_conflict m[NCONF_MAX];
	size_t n = merge_conflicts(rec, m, NCONF_MAX);
	json_t *v = merge_values(rec);
	char j[200], t1[40], t2[40];

	printf("  rec %d at r0: %s%s\n", k, merge_deleted(rec) ? "(del) " : "",
	       json_text(v, j, sizeof(j)));
	json_decref(v);
	for (size_t i = 0; i < n && i < NCONF_MAX; i++)
		printf("    open: kind %d %s %s/%s %s\n", m[i].kind,
		       field_name(m[i].field), vid_text(&m[i].winner, t1),
		       vid_text(&m[i].loser, t2),
		       m[i].reason ? m[i].reason
				   : json_text(m[i].loser_value, j, sizeof(j)));
}

/* Run the scenario of seed: 0 when every check holds, else -1 with the
 * first failure in why (WHY bytes). */
static int scenario(uint64_t seed, int verbose, char *why)
{
	static struct sim sim; /* large: not on the stack */
	struct sim *s = &sim;
	size_t all[2 * NCH_MAX];
	int rc;

	setup(s, seed, verbose);
	for (int i = 0; i < s->nops && !s->why[0]; i++) {
		tick(s);
		operate(s);
		if (rnd(s, 2))
			exchange(s);
	}
	if (verbose)
		printf("full exchange\n");
	for (int r = 0; r < s->nrep && !s->why[0]; r++) {
		size_t n = 0;

		for (size_t i = 0; i < s->nch; i++) {
			all[n++] = i;
			if (rnd(s, 5) == 0)
				all[n++] = i;
		}
		tick(s);
		deliver_shuffled(s, r, all, n);
	}
	if (!s->why[0])
		check(s);
	if (!s->why[0])
		settle(s);
	for (int k = 0; verbose && k < s->nrec && s->rep[0].rec[k]; k++)
		print_record(s, k);
	rc = s->why[0] ? -1 : 0;
	snprintf(why, WHY, "%s", s->why);
	release(s);
	return rc;
}

/* ---- fixed seeds, through the test runner ---- */

/* Seeds run through the test runner: $MERGE_SIM_SEEDS, else 10 blocks. */
static uint64_t seeds_total(void)
{
	const char *v = getenv("MERGE_SIM_SEEDS");
	char *end = NULL;
	unsigned long long n = v ? strtoull(v, &end, 10) : 0;

	return v && *v && end && !*end && n ? n : 10 * (uint64_t)BLOCK;
}

static void run_block(uint64_t block)
{
	char why[WHY], first[WHY], msg[WHY + 200];
	uint64_t total = seeds_total(), seed, bad = 0;
	uint64_t from = total * block / 10, to = total * (block + 1) / 10;
	int failed = 0;

	for (seed = from; seed < to; seed++)
		if (scenario(seed, 0, why) && !failed++) {
			bad = seed;
			memcpy(first, why, sizeof(first));
		}
	if (!failed)
		return;
	snprintf(msg, sizeof(msg), "%d of %d seeds failed; seed %" PRIu64
		 ": %s\n    replay: test_merge_sim --replay %" PRIu64, failed,
		 (int)(to - from), bad, first, bad);
	test_fail(__FILE__, __LINE__, msg);
}

#define SEEDS(n)                                                               \
	static void test_merge_sim_seeds_##n##000(void) { run_block(n); }
SEEDS(0) SEEDS(1) SEEDS(2) SEEDS(3) SEEDS(4)
SEEDS(5) SEEDS(6) SEEDS(7) SEEDS(8) SEEDS(9)

/* ---- soak and replay ---- */

static int soak(const char *prog, uint64_t limit, int have_seed,
		uint64_t base)
{
	time_t start = time(NULL);
	uint64_t n = 0, failed = 0;
	char why[WHY];

	if (!have_seed)
		randombytes_buf(&base, sizeof(base));
	printf("soak: %" PRIu64 " s from --seed %" PRIu64 "\n", limit, base);
	while ((uint64_t)(time(NULL) - start) < limit && failed < 20) {
		uint64_t x = base + n++, seed = splitmix64(&x);

		if (scenario(seed, 0, why)) {
			printf("FAIL seed %" PRIu64 ": %s\n  replay: %s "
			       "--replay %" PRIu64 "\n", seed, why, prog, seed);
			failed++;
		}
	}
	printf("%" PRIu64 " passed, %" PRIu64 " failed\n", n - failed, failed);
	return failed ? 1 : 0;
}

static int parse_u64(const char *text, uint64_t *out)
{
	char *end;

	*out = strtoull(text, &end, 0);
	return end == text || *end || text[0] == '-';
}

int main(int argc, char **argv)
{
	static const struct test tests[] = {
		T(test_merge_sim_seeds_0000), T(test_merge_sim_seeds_1000),
		T(test_merge_sim_seeds_2000), T(test_merge_sim_seeds_3000),
		T(test_merge_sim_seeds_4000), T(test_merge_sim_seeds_5000),
		T(test_merge_sim_seeds_6000), T(test_merge_sim_seeds_7000),
		T(test_merge_sim_seeds_8000), T(test_merge_sim_seeds_9000),
	};
	uint64_t secs, seed = 0;
	char why[WHY];
	int rc;

	if (argc < 2 || argv[1][0] != '-')
		return test_run(tests, sizeof(tests) / sizeof(tests[0]), argc,
				argv);
	if (sodium_init() < 0)
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && !strcmp(argv[1], "--replay") &&
	    !parse_u64(argv[2], &seed)) {
		printf("seed %" PRIu64 ": ", seed);
		rc = scenario(seed, 1, why);
		printf("seed %" PRIu64 ": %s%s\n", seed, rc ? "FAIL: " : "ok",
		       why);
		return rc ? 1 : 0;
	}
	if ((argc == 3 || argc == 5) && !strcmp(argv[1], "--soak") &&
	    !parse_u64(argv[2], &secs) &&
	    (argc == 3 || (!strcmp(argv[3], "--seed") &&
			   !parse_u64(argv[4], &seed))))
		return soak(argv[0], secs, argc == 5, seed);
	fprintf(stderr, "usage: %s [TEST-NAME-PART]\n"
		"       %s --soak SECONDS [--seed N]\n"
		"       %s --replay SEED\n", argv[0], argv[0], argv[0]);
	return 2;
}
