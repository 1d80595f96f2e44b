/*
 * test_sync_sim.c - a deterministic randomized convergence simulator for
 * sync itself: real stores, a real hub on 127.0.0.1 (plain HTTP), the
 * three enrolled nodes of hub_world.h (polo-a and polo-b of Puglia, the
 * Punto di Accesso of Sicilia), and the hub as a fourth writer.
 *
 * Random operations from one seeded splitmix64 stream: persons, cases and
 * services created on nodes and on the hub (with the record ids drawn
 * from the stream); edits of overlapping fields; deletes; hand-overs (a
 * case's scope fields changed by the hub, or by the PdA for a case of its
 * region); sync rounds with pages of 1 to 4 changes each way, during
 * which the progress hook (sync_options.progress, called after every
 * batch) lets the hub hand a case over between two push batches or
 * before the pull, and the node save edits between pull pages (after its
 * push, before the purge that a move brings); tombstone sweeps that mark
 * lagging nodes to start over (multi-page re-bootstraps); resolutions of
 * open conflicts on one node or on two at once (keep-deleted against
 * undelete, two candidates), most often right after a clash: two writers
 * that hold a record write it at once (one field, or a delete against an
 * edit) and sync.  Then a full exchange (rounds until nothing moves) and
 * the invariants of sim_check.h.
 *
 *   test_sync_sim [NAME-PART]        the fixed seeds (SYNC_SIM_SEEDS,
 *                                    default below), in ten tests
 *   test_sync_sim --replay SEED      one scenario, step by step
 *   test_sync_sim --seeds FROM TO    seeds FROM..TO-1, a line per failure
 *   test_sync_sim --soak SECONDS [--seed N]   random seeds until time
 *
 * SIM_SKIP=1,2,3 leaves those invariants unchecked (to land the simulator
 * before every fix is in; the default checks all).  Time is a shared
 * test clock that moves by at least a second before every write, so
 * every version is unique and a seed replays the same steps (node ids
 * are drawn anew per process; no tie is left for them to break).
 *
 * Cost: the stores are made and enrolled once, kept as file images, and
 * written back and reopened for each seed (under /dev/shm when there is
 * one: fsync is then free); the hub restarts on the same port.  What is
 * left is real sync: a seed makes 20 to 50 steps and some 15 to 30
 * rounds, each several signed requests with pages of 1 to 4 changes,
 * about 0.1 s of CPU a seed (4 to 5 times that under the sanitizers):
 * make check runs the first 150 seeds (30 under the sanitizers) and
 * make soak 10,000.
 */
#include "tests/sync/sim_world.h"

#include <stdatomic.h>
#include <sys/stat.h>
#include <time.h>

#define REC_MAX 32
#define LOG_MAX (256 * 1024)

#if defined(__SANITIZE_ADDRESS__)
#define SIM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SIM_ASAN 1
#endif
#endif
/* Seeds make check runs: what fits in about 20 s on the plain build,
 * fewer under the sanitizers (SYNC_SIM_SEEDS overrides; make soak runs
 * 10,000). */
#ifdef SIM_ASAN
#define SEEDS_DEFAULT 30
#else
#define SEEDS_DEFAULT 150
#endif

enum { C_PERSON, C_CASE, C_SERVICE };
static const char *const colls[] = { "person", "case", "service" };

struct rec {
	struct id id;
	int coll;
};

static struct sim {
	uint64_t rng;
	int verbose, step;
	struct rec r[REC_MAX];
	int nrec;
	struct sim_saved *sv;
	size_t nsv, svcap;
	size_t push_limit, pull_limit;
	int round_of, busy; /* node whose round runs (-1), actions left */
	struct sim_ctx x;
	char *log;
	size_t loglen;
} S;

/* ---- randomness, time, the step log ---- */

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static int rnd(int n)
{
	return (int)(splitmix64(&S.rng) % (uint64_t)n);
}

static const char *pick(const char *const *list, int n)
{
	return list[rnd(n)];
}

static _Atomic uint64_t sim_ms; /* the stores' clock: the hub's threads
				   read it too */
static uint64_t base_ms;

static uint64_t sim_clock(void *ctx)
{
	(void)ctx;
	return atomic_load(&sim_ms);
}

static void tick(void)
{
	atomic_fetch_add(&sim_ms, (uint64_t)(1000 + rnd(1000)));
}

static ERR_PRINTF(1, 2) void sim_log(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (S.verbose) {
		printf("  %3d %s\n", S.step, line);
		return;
	}
	n = strlen(line);
	if (S.log && S.loglen + n + 8 < LOG_MAX)
		S.loglen += (size_t)snprintf(S.log + S.loglen,
					     LOG_MAX - S.loglen, "  %3d %s\n",
					     S.step, line);
}

static void new_id(struct id *id)
{
	uint64_t a = splitmix64(&S.rng), b = splitmix64(&S.rng);

	memcpy(id->b, &a, 8);
	memcpy(id->b + 8, &b, 8);
	id->b[6] = (uint8_t)((id->b[6] & 0x0f) | 0x40);
	id->b[8] = (uint8_t)((id->b[8] & 0x3f) | 0x80);
}

/* ---- reading the stores ---- */

/* 1 when actor a holds record k (live: and not deleted). */
static int holds(int a, int k, int live, json_t **fields)
{
	struct store_record r;
	int ok;

	store_record_init(&r);
	ok = store_get(sim_store(a), &S.r[k].id, &r, NULL) == 0 &&
	     (!live || !r.deleted);
	if (ok && fields)
		*fields = json_incref(r.fields);
	store_record_release(&r);
	return ok;
}

/* A random record of coll (-1: any) that a holds, -1 when none. */
static int pick_rec(int a, int coll, int live)
{
	int cand[REC_MAX], n = 0;

	for (int k = 0; k < S.nrec; k++)
		if ((coll < 0 || S.r[k].coll == coll) && holds(a, k, live, NULL))
			cand[n++] = k;
	return n ? cand[rnd(n)] : -1;
}

static void save(int a, uint64_t seq, const struct id *id, const json_t *f)
{
	if (S.nsv == S.svcap) {
		size_t ncap = S.svcap ? 2 * S.svcap : 64;
		void *p = realloc(S.sv, ncap * sizeof(*S.sv));

		if (!p) {
			sim_fail(&S.x, "out of memory");
			return;
		}
		S.sv = p;
		S.svcap = ncap;
	}
	S.sv[S.nsv].actor = a;
	S.sv[S.nsv].seq = seq;
	S.sv[S.nsv].record = *id;
	S.sv[S.nsv].fields = f ? json_deep_copy(f) : NULL;
	S.sv[S.nsv].step = S.step;
	S.nsv++;
}

/* The change a delete or a delete's resolution just logged on a. */
static void save_last(int a, const struct id *id)
{
	uint64_t seq = 0;

	if (store_last_seq(sim_store(a), &seq, NULL) == 0 && seq)
		save(a, seq, id, NULL);
}

/* ---- operations ---- */

static int put_rec(int a, int k, const char *what, json_t *f)
{
	struct store_put_result res;
	char *text = json_dumps(f, JSON_COMPACT | JSON_SORT_KEYS);
	struct err e;
	int rc;

	err_init(&e);
	tick();
	rc = store_put(sim_store(a), colls[S.r[k].coll], &S.r[k].id, f, &res,
		       &e);
	sim_log("%s %s %s %.8s %s -> %d%s%s seq %" PRIu64, sim_name(a), what,
		colls[S.r[k].coll], idtext(&S.r[k].id), text ? text : "?", rc,
		rc ? " " : "", rc ? e.msg : "", rc ? 0 : res.seq);
	free(text);
	if (!rc && res.seq)
		save(a, res.seq, &S.r[k].id, f);
	json_decref(f);
	return rc;
}

static void op_create(int a, int coll)
{
	static const char *const given[] = { "Amina", "Kofi", "Ion" };
	static const char *const family[] = { "Diallo", "Mensah", "Popa" };
	static const char *const types[] = { "legal_advice", "food_parcel",
					     "cultural_mediation" };
	int k = S.nrec, of = -1;
	json_t *f = NULL;

	if (S.nrec == REC_MAX)
		return;
	if (coll != C_PERSON) {
		of = pick_rec(a, coll == C_CASE ? C_PERSON : C_CASE, 1);
		if (of < 0)
			coll = C_PERSON;
	}
	if (coll == C_PERSON) {
		f = json_pack("{ssss}", "given_name", pick(given, 3),
			      "family_name", pick(family, 3));
	} else if (coll == C_CASE) {
		/* A Polo opens its own cases (for itself, or unassigned);
		 * the PdA opens them in its region, the hub anywhere, for
		 * any nodes. */
		json_t *nodes = json_array();
		const char *region = a == SIC ? "Sicilia" : "Puglia";

		if (a == HUB && rnd(2))
			region = "Sicilia";
		for (int i = 0; i < NNODES; i++)
			if (a == i ? rnd(2) : (a >= SIC && rnd(3) == 0))
				json_array_append_new(
				    nodes, json_string(peers[i].name));
		f = json_pack("{sssssssO}", "person_id",
			      idtext(&S.r[of].id), "region", region, "stage",
			      "intake", "nodes", nodes);
		json_decref(nodes);
	} else {
		f = json_pack("{ssssss}", "case_id", idtext(&S.r[of].id),
			      "service_type", pick(types, 3), "date",
			      rnd(2) ? "2026-03-02" : "2026-03-09");
	}
	new_id(&S.r[k].id);
	S.r[k].coll = coll;
	S.nrec++;
	if (put_rec(a, k, "creates", f))
		S.nrec--; /* refused: never existed */
}

static void op_edit(int a)
{
	static const char *const three[] = { "1", "2", "3" };
	static const char *const prio[] = { "low", "high", "urgent" };
	static const char *const stage[] = { "intake", "assessment",
					     "active" };
	static const char *const outcome[] = { "completed", "referred",
					       "no_show" };
	int k = pick_rec(a, -1, 1);
	json_t *f;

	if (k < 0)
		return;
	f = json_object();
	do {
		int which = rnd(3);

		if (S.r[k].coll == C_PERSON)
			json_object_set_new(
			    f, which == 0 ? "phone" : which == 1 ? "notes"
								 : "email",
			    json_string(pick(three, 3)));
		else if (S.r[k].coll == C_CASE)
			json_object_set_new(
			    f, which == 0 ? "priority" : which == 1
							     ? "stage"
							     : "case_worker",
			    json_string(which == 0	? pick(prio, 3)
					: which == 1 ? pick(stage, 3)
						     : pick(three, 3)));
		else
			json_object_set_new(
			    f, which == 0 ? "note" : "outcome",
			    json_string(which == 0 ? pick(three, 3)
						   : pick(outcome, 3)));
	} while (rnd(3) == 0);
	put_rec(a, k, "edits", f);
}

static void op_delete_rec(int a, int k)
{
	struct err e;
	int rc;

	err_init(&e);
	tick();
	rc = store_delete(sim_store(a), &S.r[k].id, &e);
	sim_log("%s deletes %s %.8s -> %d %s", sim_name(a),
		colls[S.r[k].coll], idtext(&S.r[k].id), rc, rc ? e.msg : "");
	if (!rc)
		save_last(a, &S.r[k].id);
}

static void op_delete(int a)
{
	int k = pick_rec(a, -1, 1);

	if (k >= 0)
		op_delete_rec(a, k);
}

/* The hub, or the PdA for a case of its region, hands a case over: new
 * assigned nodes (and, by the hub, now and then another region). */
static void op_handover(int a, int k)
{
	json_t *f = NULL, *nodes;
	const char *region;
	int mine;

	if (k < 0)
		k = pick_rec(a, C_CASE, 1);
	if (k < 0 || !holds(a, k, 1, &f))
		return;
	region = json_string_value(json_object_get(f, "region"));
	mine = region && strcmp(region, "Sicilia") == 0;
	json_decref(f);
	if (a == SIC && !mine)
		return;
	nodes = json_array();
	for (int i = 0; i < NNODES; i++)
		if (rnd(2))
			json_array_append_new(nodes,
					      json_string(peers[i].name));
	f = json_pack("{so}", "nodes", nodes);
	if (a == HUB && rnd(5) == 0)
		json_object_set_new(f, "region", json_string(rnd(2) ? "Sicilia"
								  : "Puglia"));
	put_rec(a, k, "hands over", f);
}

static void resolve_at(int a, const struct open_one *o, int keep)
{
	struct store_put_result res;
	struct err e;
	json_t *v;
	int rc;

	err_init(&e);
	tick();
	if (o->form == MERGE_FORM_DELETE) {
		rc = store_resolve_delete(sim_store(a), &o->record, keep, &e);
		sim_log("%s resolves %.8s %s -> %d %s", sim_name(a),
			idtext(&o->record),
			keep ? "keep-deleted" : "undelete", rc,
			rc ? e.msg : "");
		if (!rc)
			save_last(a, &o->record);
		return;
	}
	v = keep == 0 ? o->cur : keep == 1 ? o->other : NULL;
	v = v ? json_incref(v) : json_string(rnd(2) ? "4" : "5");
	rc = store_resolve(sim_store(a), &o->record, o->field, v, &res, &e);
	sim_log("%s resolves %.8s %s -> %d %s", sim_name(a),
		idtext(&o->record), o->field, rc, rc ? e.msg : "");
	if (!rc && res.seq) {
		json_t *f = json_object();

		json_object_set(f, o->field, v);
		save(a, res.seq, &o->record, f);
		json_decref(f);
	}
	json_decref(v);
}

/* Settle an open conflict on one writer, and now and then the same one
 * on a second writer too before either syncs, the other way. */
static void op_resolve(void)
{
	struct open_list l = { .n = 0 }, m = { .n = 0 };
	int a = rnd(NACT), keep = rnd(3);
	const struct open_one *o;

	/* The first writer, from a random one on, that has any open. */
	for (int t = 0; t < NACT && !l.n; t++) {
		open_release(&l);
		if (store_conflicts(sim_store((a + t) % NACT), NULL,
				    list_open, &l, NULL))
			break;
		if (l.n)
			a = (a + t) % NACT;
	}
	if (!l.n) {
		open_release(&l);
		return;
	}
	o = &l.c[rnd(l.n)];
	resolve_at(a, o, o->form == MERGE_FORM_DELETE ? keep & 1 : keep);
	for (int t = 1; t < NACT && rnd(3); t++) {
		int b = (a + t) % NACT;

		m.field = o->field;
		m.kind = o->kind;
		if (store_conflicts(sim_store(b), &o->record, list_open, &m,
				    NULL) == 0 &&
		    m.n) {
			resolve_at(b, &m.c[0],
				   o->form == MERGE_FORM_DELETE
				       ? !(keep & 1)
				       : (keep + 1) % 3);
			break;
		}
		open_release(&m);
	}
	open_release(&m);
	open_release(&l);
}

/* Between batches of a round: the hub hands a case over (between two
 * push batches, or before the pull), the node saves edits between pull
 * pages. */
static void on_progress(void *ctx, const char *phase,
			const struct sync_stats *st)
{
	(void)ctx;
	(void)st;
	if (S.round_of < 0 || S.busy <= 0 || rnd(3) == 0)
		return;
	S.busy--;
	sim_log("  (during %s's %s)", sim_name(S.round_of), phase);
	/* Only between push batches may the hub change: a pull's next
	 * page may already be on its way. */
	if (strcmp(phase, "push") == 0 && rnd(2))
		op_handover(HUB, pick_rec(S.round_of, C_CASE, 1));
	else if (rnd(4))
		op_edit(S.round_of);
	else
		op_create(S.round_of, C_SERVICE);
}

static int op_round(int i, int busy)
{
	struct err e;
	int rc;

	err_init(&e);
	S.round_of = i;
	S.busy = busy;
	w.o.push_limit = S.push_limit;
	w.o.pull_limit = S.pull_limit;
	w.o.progress = on_progress;
	rc = sync_round(w.n[i], &w.o, &w.st, &e);
	S.round_of = -1;
	sim_log("%s syncs -> %d%s%s: pushed %" PRIu64 " pulled %" PRIu64
		" refused %" PRIu64 " purged %" PRIu64 "%s",
		sim_name(i), rc, rc ? " " : "", rc ? e.msg : "", w.st.pushed,
		w.st.pulled, w.st.refused, w.st.purged,
		w.st.rebootstrapped ? " (re-bootstrapped)" : "");
	return rc;
}

/* Two writers that hold the same record write it at once (the same
 * field, or a delete against an edit), sync so that both see the
 * conflict, and settle it, on one or both at once. */
static void op_clash(void)
{
	static const char *const field[] = { "phone", "case_worker", "note" };
	int a = rnd(NACT), b = -1, k = pick_rec(a, -1, 1);
	json_t *f;

	for (int t = 1; k >= 0 && t < NACT && b < 0; t++)
		if (holds((a + t) % NACT, k, 1, NULL))
			b = (a + t) % NACT;
	if (b < 0)
		return;
	sim_log("(%s and %s write %.8s at once)", sim_name(a), sim_name(b),
		idtext(&S.r[k].id));
	if (rnd(2)) {
		op_delete_rec(a, k);
	} else {
		f = json_pack("{ss}", field[S.r[k].coll], "7");
		put_rec(a, k, "edits", f);
	}
	f = json_pack("{ss}", field[S.r[k].coll], "8");
	put_rec(b, k, "edits", f);
	for (int i = 0; i < 3; i++)
		if ((i == 1 ? b : a) != HUB)
			(void)op_round(i == 1 ? b : a, 0);
	op_resolve();
}

/* A tombstone sweep, horizon in the future (every node counts as away:
 * those that have not seen a purged delete start over) or an hour; half
 * the time right after a delete on the hub, which no node has seen. */
static void op_sweep(void)
{
	int64_t horizon = rnd(2) ? -10 : 3600;
	uint64_t purged = 0;
	struct err e;
	int rc;

	if (rnd(2))
		op_delete(HUB);
	err_init(&e);
	rc = registry_tombstone_sweep(w.hub, horizon, &purged, &e);
	sim_log("hub sweeps tombstones, horizon %" PRId64 " s -> %d %s: %"
		PRIu64 " purged", horizon, rc, rc ? e.msg : "", purged);
}

static void op_random(void)
{
	int r = rnd(100);

	if (r < 9)
		op_create(rnd(NACT), C_PERSON);
	else if (r < 19)
		op_create(rnd(NACT), C_CASE);
	else if (r < 27)
		op_create(rnd(NACT), C_SERVICE);
	else if (r < 40)
		op_edit(rnd(NACT));
	else if (r < 45)
		op_clash();
	else if (r < 51)
		op_delete(rnd(NACT));
	else if (r < 58)
		op_handover(rnd(4) ? HUB : SIC, -1);
	else if (r < 74)
		(void)op_round(rnd(NNODES), rnd(4));
	else if (r < 80) /* every node: what conflicts there are show */
		for (int i = 0; i < NNODES; i++)
			(void)op_round(i, rnd(2));
	else if (r < 93)
		op_resolve();
	else
		op_sweep();
}

/* ---- one scenario ---- */

/* The step log of the last failed scenario run with verbose 2. */
static char *failed_log;

static void print_failed_log(uint64_t seed)
{
	if (failed_log)
		printf("    step log of seed %" PRIu64 ":\n%s", seed,
		       failed_log);
	free(failed_log);
	failed_log = NULL;
}

/* verbose: 1 prints each step as it goes, 2 keeps the step log of a
 * failure (print_failed_log()), 0 prints nothing. */
static int scenario(uint64_t seed, int verbose, char *why)
{
	uint64_t x = seed;
	int nops, quiet = 0, rc = 0;
	const char *skip = getenv("SIM_SKIP");

	memset(&S, 0, sizeof(S));
	S.rng = splitmix64(&x);
	S.verbose = verbose == 1;
	S.round_of = -1;
	S.log = verbose == 2 ? malloc(LOG_MAX) : NULL;
	if (S.log)
		S.log[0] = '\0';
	for (int i = 1; i <= 4; i++)
		S.x.skip[i] = skip && strchr(skip, '0' + i) != NULL;
	atomic_store(&sim_ms, base_ms);
	if (world_make() || world_reset(sim_clock)) {
		sim_fail(&S.x, "cannot set up the hub and its nodes");
		goto out;
	}
	S.push_limit = (size_t)(1 + rnd(4));
	S.pull_limit = (size_t)(1 + rnd(4));
	nops = 20 + rnd(30);
	sim_log("seed %" PRIu64 ": %d steps, push pages of %zu, pull pages "
		"of %zu", seed, nops, S.push_limit, S.pull_limit);
	for (S.step = 1; S.step <= nops && !S.x.why[0]; S.step++)
		op_random();
	/* Full exchange: every node in turn until a pass moves nothing. */
	for (int pass = 0; pass < 12 && !quiet && !S.x.why[0]; pass++) {
		quiet = 1;
		for (int i = 0; i < NNODES && !S.x.why[0]; i++) {
			if (op_round(i, 0))
				sim_fail(&S.x, "%s's round failed in the "
					 "full exchange", sim_name(i));
			quiet &= w.st.pushed == 0 && w.st.pulled == 0 &&
				 w.st.purged == 0 && !w.st.rebootstrapped;
		}
		S.step++;
	}
	if (!quiet)
		sim_fail(&S.x, "the full exchange never settled");
	if (!S.x.skip[1] && !S.x.why[0])
		sim_check_scopes(&S.x, S.sv, S.nsv);
	if (!S.x.skip[2] && !S.x.why[0])
		sim_check_saved(&S.x, S.sv, S.nsv);
	if (!S.x.skip[4] && !S.x.why[0])
		sim_check_keys(&S.x);
	if (!S.x.skip[3] && !S.x.why[0])
		sim_check_resolvable(&S.x, rnd(2));
out:
	rc = S.x.why[0] ? -1 : 0;
	snprintf(why, SIM_WHY, "%s", S.x.why);
	world_down();
	for (size_t i = 0; i < S.nsv; i++)
		json_decref(S.sv[i].fields);
	free(S.sv);
	if (rc && S.log) {
		free(failed_log);
		failed_log = S.log;
	} else {
		free(S.log);
	}
	memset(&S, 0, sizeof(S));
	return rc;
}

/* ---- fixed seeds, through the test runner ---- */

static uint64_t seeds_total(void)
{
	const char *v = getenv("SYNC_SIM_SEEDS");
	char *end = NULL;
	unsigned long long n = v ? strtoull(v, &end, 10) : 0;

	return v && *v && end && !*end && n ? n : SEEDS_DEFAULT;
}

static void run_block(uint64_t block)
{
	char why[SIM_WHY], first[SIM_WHY], msg[SIM_WHY + 200];
	uint64_t total = seeds_total(), seed, bad = 0, n;
	uint64_t from = total * block / 10, to = total * (block + 1) / 10;
	int failed = 0;

	for (seed = from; seed < to; seed++) {
		if (!scenario(seed, failed ? 0 : 2, why))
			continue;
		if (!failed++) {
			bad = seed;
			memcpy(first, why, sizeof(first));
		}
	}
	if (!failed)
		return;
	n = to - from;
	snprintf(msg, sizeof(msg), "%d of %" PRIu64 " seeds failed; seed %"
		 PRIu64 ": %s\n    replay: test_sync_sim --replay %" PRIu64,
		 failed, n, bad, first, bad);
	test_fail(__FILE__, __LINE__, msg);
	print_failed_log(bad);
}

#define SEEDS(n)                                                               \
	static void test_sync_sim_seeds_##n(void) { run_block(n); }
SEEDS(0) SEEDS(1) SEEDS(2) SEEDS(3) SEEDS(4)
SEEDS(5) SEEDS(6) SEEDS(7) SEEDS(8) SEEDS(9)

/* ---- soak and replay ---- */

static int soak(const char *prog, uint64_t limit, int have_seed,
		uint64_t base)
{
	time_t start = time(NULL);
	uint64_t n = 0, failed = 0;
	char why[SIM_WHY];

	if (!have_seed)
		randombytes_buf(&base, sizeof(base));
	printf("soak: %" PRIu64 " s from --seed %" PRIu64 "\n", limit, base);
	while ((uint64_t)(time(NULL) - start) < limit && failed < 20) {
		uint64_t x = base + n++, seed = splitmix64(&x);

		if (scenario(seed, failed ? 0 : 2, why)) {
			printf("FAIL seed %" PRIu64 ": %s\n  replay: %s "
			       "--replay %" PRIu64 "\n", seed, why, prog, seed);
			print_failed_log(seed);
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

static void sim_exit(void)
{
	world_free();
	test_rmtree(test_tmpdir());
}

int main(int argc, char **argv)
{
	static const struct test tests[] = {
		T(test_sync_sim_seeds_0), T(test_sync_sim_seeds_1),
		T(test_sync_sim_seeds_2), T(test_sync_sim_seeds_3),
		T(test_sync_sim_seeds_4), T(test_sync_sim_seeds_5),
		T(test_sync_sim_seeds_6), T(test_sync_sim_seeds_7),
		T(test_sync_sim_seeds_8), T(test_sync_sim_seeds_9),
	};
	struct stat st;
	uint64_t secs, seed = 0;
	char why[SIM_WHY];
	int rc;

	/* Memory-backed files when there are: a commit's fsync is then
	 * free, and it is most of a round's cost on a disk. */
	if (!getenv("TMPDIR") && stat("/dev/shm", &st) == 0 &&
	    S_ISDIR(st.st_mode) && access("/dev/shm", W_OK) == 0)
		setenv("TMPDIR", "/dev/shm", 1);
	/* Ahead of the clocks the stores were made with, so that every
	 * version is the test clock's. */
	base_ms = sync_now_ms() + 60000;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2 || argv[1][0] != '-') {
		rc = test_run(tests, sizeof(tests) / sizeof(tests[0]), argc,
			      argv);
		world_free();
		return rc;
	}
	if (sodium_init() < 0)
		return 2;
	atexit(sim_exit);
	if (argc == 3 && !strcmp(argv[1], "--replay") &&
	    !parse_u64(argv[2], &seed)) {
		rc = scenario(seed, 1, why);
		printf("seed %" PRIu64 ": %s%s\n", seed, rc ? "FAIL: " : "ok",
		       why);
		return rc ? 1 : 0;
	}
	if (argc == 4 && !strcmp(argv[1], "--seeds") &&
	    !parse_u64(argv[2], &seed) && !parse_u64(argv[3], &secs)) {
		uint64_t failed = 0;

		for (uint64_t k = seed; k < secs; k++)
			if (scenario(k, 0, why) && ++failed)
				printf("FAIL seed %" PRIu64 ": %s\n", k, why);
		printf("%" PRIu64 " passed, %" PRIu64 " failed\n",
		       secs - seed - failed, failed);
		return failed ? 1 : 0;
	}
	if ((argc == 3 || argc == 5) && !strcmp(argv[1], "--soak") &&
	    !parse_u64(argv[2], &secs) &&
	    (argc == 3 || (!strcmp(argv[3], "--seed") &&
			   !parse_u64(argv[4], &seed))))
		return soak(argv[0], secs, argc == 5, seed);
	fprintf(stderr, "usage: %s [TEST-NAME-PART]\n"
		"       %s --soak SECONDS [--seed N]\n"
		"       %s --replay SEED\n"
		"       %s --seeds FROM TO\n", argv[0], argv[0], argv[0],
		argv[0]);
	return 2;
}
