/*
 * test_store_search.c - finding people (node/store_search.h): spelling
 * variants, accents, order and prefixes of names, birth date and
 * nationality filters, the index following writes (local and received),
 * lock wiping it, nothing of a name reaching the database file; the
 * duplicate check; merge and unmerge, chains, cycles, and the two
 * converging across two nodes.
 */
#include "node/store_int.h"
#include "node/store_search.h"
#include "node/store_session.h"
#include "tests/node/store_fixture.h"

#define HITS 16

static struct id add(struct store *s, const char *json)
{
	struct store_put_result r;

	memset(&r, 0, sizeof(r));
	if (put_json(s, "person", NULL, json, &r))
		memset(&r.id, 0, sizeof(r.id));
	return r.id;
}

/* Hits of a name query (-1 on error); the first hit in *first. */
static int find_full(struct store *s, const char *name, int year, int month,
		     int day, const char *nat, struct store_search_hit *hits)
{
	struct store_search_query q = { name, year, month, day, nat, HITS };
	size_t n = 0;

	if (store_search_find(s, &q, hits, HITS, &n, NULL))
		return -1;
	return (int)n;
}

static int find(struct store *s, const char *name,
		struct store_search_hit *hits)
{
	return find_full(s, name, 0, 0, 0, NULL, hits);
}

/* 1 when id is among the n hits. */
static int has(const struct store_search_hit *h, int n, const struct id *id)
{
	for (int i = 0; i < n; i++)
		if (id_cmp(&h[i].id, id) == 0)
			return 1;
	return 0;
}

static struct store *people(struct id *mo, struct id *nd, struct id *jo)
{
	struct store *s = fresh();

	if (!s)
		return NULL;
	*mo = add(s, "{\"given_name\":\"Mohammed\",\"family_name\":\"Diallo\","
		     "\"birth_date\":\"1990-03-04\",\"nationality\":\"GN\"}");
	*nd = add(s, "{\"given_name\":\"Fatou\",\"family_name\":\"N'Diaye\","
		     "\"birth_date\":\"1985-11-20\",\"nationality\":\"SN\"}");
	*jo = add(s, "{\"given_name\":\"José María\",\"family_name\":"
		     "\"Pérez\",\"birth_date\":\"1990-07-01\","
		     "\"nationality\":\"pe\",\"other_names\":[\"Chepe\"]}");
	(void)add(s, "{\"given_name\":\"Amadou\",\"family_name\":\"Sow\"}");
	return s;
}

static void test_find_variants_accents_order_prefix(void)
{
	struct store_search_hit h[HITS];
	struct id mo, nd, jo;
	struct store *s = people(&mo, &nd, &jo);
	int n;

	CHECK(s);
	n = find(s, "Muhammad", h);
	CHECK(n == 1 && has(h, n, &mo));
	n = find(s, "Mohamed", h);
	CHECK(n == 1 && has(h, n, &mo));
	n = find(s, "diallo mouham", h); /* order, a prefix of a variant */
	CHECK(n == 1 && has(h, n, &mo));
	n = find(s, "Ndiaye", h);
	CHECK(n == 1 && has(h, n, &nd));
	n = find(s, "n'diaye fatou", h);
	CHECK(n == 1 && has(h, n, &nd));
	n = find(s, "jose perez", h); /* accents */
	CHECK(n == 1 && has(h, n, &jo));
	n = find(s, "PÉR", h);
	CHECK(n == 1 && has(h, n, &jo));
	n = find(s, "chepe", h); /* other_names are searched */
	CHECK(n == 1 && has(h, n, &jo));
	/* A given name in another script: the family name still finds
	 * the person (namekey refuses the whole name otherwise). */
	(void)add(s, "{\"given_name\":\"\u0623\u062d\u0645\u062f\","
		     "\"family_name\":\"Benali\"}");
	CHECK(find(s, "benali", h) == 1);
	n = find(s, "Mohammed Diallo", h);
	CHECK(n == 1 && h[0].score == 1000);
	n = find(s, "Diallo Diallo", h); /* one token, one name */
	CHECK(n == 0);
	CHECK(find(s, "Ivanov", h) == 0);
	CHECK(find(s, "!!", h) == -1);
	store_close(s);
}

static void test_find_filters(void)
{
	struct store_search_hit h[HITS];
	struct id mo, nd, jo;
	struct store *s = people(&mo, &nd, &jo);
	int n;

	CHECK(s);
	n = find_full(s, NULL, 1990, 0, 0, NULL, h);
	CHECK(n == 2 && has(h, n, &mo) && has(h, n, &jo));
	n = find_full(s, NULL, 1990, 3, 4, NULL, h);
	CHECK(n == 1 && has(h, n, &mo));
	n = find_full(s, NULL, 0, 0, 0, "sn", h);
	CHECK(n == 1 && has(h, n, &nd));
	n = find_full(s, NULL, 0, 0, 0, "PE", h);
	CHECK(n == 1 && has(h, n, &jo));
	n = find_full(s, "mohamed", 1991, 0, 0, NULL, h);
	CHECK(n == 0);
	n = find_full(s, "mohamed", 1990, 0, 0, "GN", h);
	CHECK(n == 1);
	CHECK(find_full(s, NULL, 1990, 13, 1, NULL, h) == -1);
	n = find_full(s, NULL, 0, 0, 0, NULL, h);
	CHECK(n == 4);
	store_close(s);
}

static void test_find_follows_writes(void)
{
	struct store_search_hit h[HITS];
	struct id mo, nd, jo;
	struct store *s = people(&mo, &nd, &jo);
	struct store *other = NULL;
	struct store_secret sec = secret_of("m.rossi");

	CHECK(s);
	CHECK(find(s, "diallo", h) == 1); /* built */
	CHECK_OK(put_json(s, "person", &mo, "{\"family_name\":\"Barry\"}",
			  NULL));
	CHECK(find(s, "diallo", h) == 0);
	CHECK(find(s, "barry", h) == 1);
	CHECK_OK(store_delete(s, &nd, NULL));
	CHECK(find(s, "fatou", h) == 0);
	/* Another handle's write (another process, or sync) is seen too. */
	CHECK_OK(store_open(&other, dir, NULL));
	CHECK_OK(store_unlock(other, &sec, NULL));
	(void)add(other, "{\"given_name\":\"Oumar\",\"family_name\":"
			 "\"Konaté\"}");
	CHECK(find(s, "omar konate", h) == 1);
	store_close(other);
	/* Inside a group: as of the last commit (a rollback may take the
	 * group back), then the commit is seen. */
	CHECK_OK(store_begin(s, NULL));
	(void)add(s, "{\"given_name\":\"Aissata\",\"family_name\":\"Sissoko\"}");
	CHECK(find(s, "sissoko", h) == 0);
	CHECK_OK(store_commit(s, NULL));
	CHECK(find(s, "sissoko", h) == 1);
	CHECK_OK(store_begin(s, NULL));
	(void)add(s, "{\"given_name\":\"Binta\",\"family_name\":\"Sissoko\"}");
	store_rollback(s);
	CHECK(find(s, "sissoko", h) == 1);
	(void)add(s, "{\"given_name\":\"Coumba\",\"family_name\":\"Sissoko\"}");
	CHECK(find(s, "sissoko", h) == 2);
	store_close(s);
}

static void test_eviction_rebuilds(void)
{
	struct store_search_hit h[HITS];
	struct id mo, nd, jo;
	struct store *s = people(&mo, &nd, &jo);
	uint64_t removed = 0;

	CHECK(s);
	CHECK(find(s, "diallo", h) == 1);
	/* An eviction removes records without a log entry. */
	CHECK_OK(store_evict(s, &mo, &removed, NULL));
	CHECK(removed == 1);
	CHECK(find(s, "diallo", h) == 0);
	CHECK(find(s, "fatou", h) == 1);
	store_close(s);
}

static void test_received_change_is_indexed(void)
{
	struct store_search_hit h[HITS];
	struct store *a = fixture_node("a", STORE_ROLE_NODE, "m.rossi");
	struct store *b = fixture_node("b", STORE_ROLE_NODE, "m.rossi");
	struct collected k;
	struct store_apply_result res;
	struct store_incoming in;
	struct id id;

	memset(&k, 0, sizeof(k));
	CHECK(a && b);
	CHECK(find(b, "diallo", h) == 0);
	id = add(a, "{\"given_name\":\"Mamadou\",\"family_name\":\"Diallo\"}");
	CHECK_OK(store_log(a, 0, 0, 1, collect, &k, NULL));
	CHECK(k.n == 1);
	k.c[0].fields = k.values[0];
	incoming_of(&k.c[0], &in);
	CHECK_OK(store_apply(b, &in, &res, NULL));
	CHECK(find(b, "jallow mamadu", h) == 1 && has(h, 1, &id));
	collected_release(&k);
	store_close(a);
	store_close(b);
}

static void test_lock_wipes_index(void)
{
	struct store_search_hit h[HITS];
	struct id mo, nd, jo;
	struct store *s = people(&mo, &nd, &jo);
	struct store_secret sec = secret_of("m.rossi");
	struct store_session *sess;
	struct err e;

	CHECK(s);
	CHECK(find(s, "diallo", h) == 1);
	CHECK(s->search != NULL);
	sess = store_session_of(s);
	store_session_lock(sess);
	err_init(&e);
	{
		struct store_search_query q = { "diallo", 0, 0, 0, NULL, 5 };
		size_t n = 9;

		CHECK(store_search_find(s, &q, h, HITS, &n, &e) == ERR_AUTH);
		CHECK(n == 0);
	}
	CHECK(s->search == NULL);
	CHECK_OK(store_unlock(s, &sec, NULL));
	CHECK(s->search == NULL);
	CHECK(find(s, "diallo", h) == 1);
	/* A handle leaving its session (a web worker between requests)
	 * drops the index with the keys. */
	CHECK(s->search != NULL);
	CHECK_OK(store_session_use(s, NULL, NULL));
	CHECK(s->search == NULL);
	store_close(s);
}

/* 1 when the database or its WAL holds the bytes of text. */
static int on_disk(const char *text)
{
	char path[4300];
	int found = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, STORE_DB_FILE);
	found |= test_file_contains(path, text, strlen(text)) == 1;
	snprintf(path, sizeof(path), "%s/%s-wal", dir, STORE_DB_FILE);
	found |= test_file_contains(path, text, strlen(text)) == 1;
	return found;
}

static void test_nothing_of_a_name_on_disk(void)
{
	struct store_search_hit h[HITS];
	struct store_search_dup d[4];
	struct store *s = fresh();
	json_t *f;
	size_t n;

	CHECK(s);
	(void)add(s, "{\"given_name\":\"Zakariyya\",\"family_name\":"
		     "\"Quattaraoui\",\"other_names\":[\"Wattaraoui\"],"
		     "\"birth_date\":\"1979-02-03\"}");
	CHECK(find(s, "zakariya quattar", h) == 1);
	f = json_pack("{s:s,s:s}", "given_name", "Zakaria", "family_name",
		      "Quattaraoui");
	CHECK(f);
	CHECK_OK(store_search_duplicates(s, f, NULL, d, 4, &n, NULL));
	json_decref(f);
	CHECK(n == 1); /* no date, the same names (zakaria ~ zakariyya) */
	/* Spelling, strict key, loose key of the surname and its variant. */
	CHECK(!on_disk("Quattaraoui") && !on_disk("quattaraoui"));
	CHECK(!on_disk("Wattaraoui") && !on_disk("wattaraoui"));
	CHECK(!on_disk("watarawe") && !on_disk("katarawe"));
	CHECK(!on_disk("zakariyya") && !on_disk("1979-02-03"));
	store_close(s);
	CHECK(!on_disk("quattaraoui") && !on_disk("Quattaraoui"));
}

static int dups(struct store *s, const char *json, const struct id *self,
		struct store_search_dup *d)
{
	json_t *f = json_loads(json, 0, NULL);
	size_t n = 0;
	int rc = f ? store_search_duplicates(s, f, self, d, 4, &n, NULL) : -1;

	json_decref(f);
	return rc ? -1 : (int)n;
}

static void test_duplicates(void)
{
	struct store_search_dup d[4];
	struct id mo, nd, jo, tx;
	struct store *s = people(&mo, &nd, &jo);
	int n;

	CHECK(s);
	tx = add(s, "{\"given_name\":\"Ana\",\"family_name\":\"Lopes\","
		    "\"tax_code\":\"LPSNAA80A41Z602X\"}");
	/* A variant spelling, the same birth date: strong. */
	n = dups(s, "{\"given_name\":\"Muhammad\",\"family_name\":\"Diallo\","
		    "\"birth_date\":\"1990-03-04\"}", NULL, d);
	CHECK(n == 1 && id_cmp(&d[0].id, &mo) == 0 && d[0].strong);
	CHECK(d[0].similar == 1000 && (d[0].why & STORE_DUP_BIRTH));
	/* Another birth date: not the same person. */
	n = dups(s, "{\"given_name\":\"Muhammad\",\"family_name\":\"Diallo\","
		    "\"birth_date\":\"1991-03-04\"}", NULL, d);
	CHECK(n == 0);
	/* No date: the same names, likely but not strong. */
	n = dups(s, "{\"given_name\":\"Diallo\",\"family_name\":\"Mohamed\"}",
		 NULL, d);
	CHECK(n == 1 && !d[0].strong && d[0].score == 700);
	/* A differing nationality weakens it. */
	n = dups(s, "{\"given_name\":\"Mohamed\",\"family_name\":\"Diallo\","
		    "\"birth_date\":\"1990-03-04\",\"nationality\":\"ML\"}",
		 NULL, d);
	CHECK(n == 1 && !d[0].strong && d[0].score == 900);
	/* Half the names and the same date: reported, not strong. */
	n = dups(s, "{\"given_name\":\"Fatima\",\"family_name\":\"Ndiaye\","
		    "\"birth_date\":\"1985-11-20\"}", NULL, d);
	CHECK(n == 1 && !d[0].strong && id_cmp(&d[0].id, &nd) == 0);
	/* The same tax code, whatever the names say. */
	n = dups(s, "{\"given_name\":\"Anna\",\"family_name\":\"Lopez\","
		    "\"tax_code\":\"lpsnaa80a41z602x\"}", NULL, d);
	CHECK(n == 1 && d[0].strong && id_cmp(&d[0].id, &tx) == 0);
	/* A record is not its own duplicate. */
	n = dups(s, "{\"given_name\":\"Mohammed\",\"family_name\":\"Diallo\","
		    "\"birth_date\":\"1990-03-04\"}", &mo, d);
	CHECK(n == 0);
	/* Nothing alike. */
	CHECK(dups(s, "{\"given_name\":\"Olga\",\"family_name\":\"Ivanova\","
		      "\"birth_date\":\"1990-03-04\"}", NULL, d) == 0);
	store_close(s);
}

static void test_merge_unmerge(void)
{
	struct store_search_hit h[HITS];
	struct store_search_dup d[4];
	struct store *s = fresh();
	struct id a, b, c, end;
	struct err e;
	int n;

	CHECK(s);
	a = add(s, "{\"given_name\":\"Mouhamed\",\"family_name\":\"Sylla\","
		   "\"birth_date\":\"1999-01-02\"}");
	b = add(s, "{\"given_name\":\"Mohamed\",\"family_name\":\"Sylla\"}");
	c = add(s, "{\"given_name\":\"Moussa\",\"family_name\":\"Keita\","
		   "\"other_names\":[\"Momo\"]}");
	CHECK(find(s, "sylla", h) == 2);
	CHECK_OK(store_search_merge(s, &a, &b, &end, NULL));
	CHECK(id_cmp(&end, &b) == 0);
	/* Found through the record it is merged into, once. */
	n = find(s, "sylla", h);
	CHECK(n == 1 && id_cmp(&h[0].id, &b) == 0 && h[0].merged == 1);
	/* Its date counts for the record (filters pass on either). */
	n = find_full(s, "sylla", 1999, 0, 0, NULL, h);
	CHECK(n == 1 && id_cmp(&h[0].id, &b) == 0);
	/* Not offered as a duplicate of its own. */
	n = dups(s, "{\"given_name\":\"Mouhamed\",\"family_name\":\"Sylla\","
		    "\"birth_date\":\"1999-01-02\"}", NULL, d);
	CHECK(n == 1 && id_cmp(&d[0].id, &b) == 0 && d[0].strong);
	/* Into a merged record: to the end of its chain. */
	CHECK_OK(store_search_merge(s, &c, &a, &end, NULL));
	CHECK(id_cmp(&end, &b) == 0);
	n = find(s, "momo", h);
	CHECK(n == 1 && id_cmp(&h[0].id, &b) == 0 && h[0].merged == 2);
	/* Refused: a cycle, itself, merged twice. */
	err_init(&e);
	CHECK(store_search_merge(s, &b, &a, NULL, &e) == ERR_CONFLICT);
	CHECK(store_search_merge(s, &b, &b, NULL, &e) == ERR_INVALID);
	CHECK(store_search_merge(s, &a, &c, NULL, &e) == ERR_INVALID);
	/* Undone. */
	CHECK_OK(store_search_unmerge(s, &a, NULL));
	CHECK(store_search_unmerge(s, &a, &e) == ERR_INVALID);
	n = find(s, "mouhamed", h);
	CHECK(n == 2 && has(h, n, &a) && has(h, n, &b));
	store_close(s);
}

static int ship(struct store *from, struct store *to)
{
	return fixture_ship(from, to, NULL, NULL);
}

static json_t *field_of(struct store *s, const struct id *id,
			const char *name)
{
	struct store_record r;
	json_t *v = NULL;

	store_record_init(&r);
	if (store_get(s, id, &r, NULL) == 0)
		v = json_incref(json_object_get(r.fields, name));
	store_record_release(&r);
	return v;
}

static int count_conflicts_cb(void *ctx, const struct store_conflict *c)
{
	(void)c;
	(*(int *)ctx)++;
	return 0;
}

/* merged_into of id on a and on b agree (both unset, or equal). */
static int same_into(struct store *a, struct store *b, const struct id *id)
{
	json_t *va = field_of(a, id, "merged_into");
	json_t *vb = field_of(b, id, "merged_into");
	int same = (!va && !vb) || (va && vb && json_equal(va, vb));

	json_decref(va);
	json_decref(vb);
	return same;
}

static void test_merge_and_unmerge_converge_on_two_nodes(void)
{
	struct store_search_hit ha[HITS], hb[HITS];
	struct store *a = fixture_node("na", STORE_ROLE_NODE, "m.rossi");
	struct store *b = fixture_node("nb", STORE_ROLE_NODE, "a.bianchi");
	struct id x, y, z;
	int ca = 0, cb = 0, na, nb;

	CHECK(a && b);
	x = add(a, "{\"given_name\":\"Awa\",\"family_name\":\"Traoré\"}");
	y = add(b, "{\"given_name\":\"Aoua\",\"family_name\":\"Traore\"}");
	z = add(b, "{\"given_name\":\"Awa\",\"family_name\":\"Traoret\"}");
	CHECK_OK(ship(a, b));
	CHECK_OK(ship(b, a));
	/* A merge made on one node reaches the other. */
	CHECK_OK(store_search_merge(a, &x, &y, NULL, NULL));
	CHECK_OK(ship(a, b));
	CHECK(same_into(a, b, &x));
	nb = find(b, "awa traore", hb);
	CHECK(nb == 2 && has(hb, nb, &y) && !has(hb, nb, &x));
	/* Offline: a undoes it while b moves it to another record.  Both
	 * wrote merged_into: the per-field merge keeps the later write on
	 * both nodes and opens a field conflict a person settles
	 * (`presidio conflicts`, `resolve`). */
	CHECK_OK(store_search_unmerge(a, &x, NULL));
	CHECK_OK(store_search_unmerge(b, &x, NULL));
	CHECK_OK(store_search_merge(b, &x, &z, NULL, NULL));
	CHECK_OK(ship(a, b));
	CHECK_OK(ship(b, a));
	CHECK(same_into(a, b, &x));
	CHECK_OK(store_conflicts(a, NULL, count_conflicts_cb, &ca, NULL));
	CHECK_OK(store_conflicts(b, NULL, count_conflicts_cb, &cb, NULL));
	CHECK(ca == 1 && cb == 1);
	na = find(a, "awa traore", ha);
	nb = find(b, "awa traore", hb);
	CHECK(na == nb);
	for (int i = 0; i < na; i++)
		CHECK(has(hb, nb, &ha[i].id));
	/* Undone on one node, undone everywhere. */
	{
		json_t *v = field_of(b, &x, "merged_into");

		if (v)
			CHECK_OK(store_search_unmerge(b, &x, NULL));
		json_decref(v);
	}
	CHECK_OK(ship(b, a));
	CHECK(same_into(a, b, &x));
	na = find(a, "awa traore", ha);
	CHECK(na == 3 && has(ha, na, &x));
	store_close(a);
	store_close(b);
}

static void test_cycle_from_two_nodes_shows_one_record(void)
{
	struct store_search_hit ha[HITS], hb[HITS];
	struct store *a = fixture_node("ca", STORE_ROLE_NODE, "m.rossi");
	struct store *b = fixture_node("cb", STORE_ROLE_NODE, "m.rossi");
	struct id x, y;
	int na, nb;

	CHECK(a && b);
	x = add(a, "{\"given_name\":\"Ibrahima\",\"family_name\":\"Ba\"}");
	y = add(a, "{\"given_name\":\"Brahim\",\"family_name\":\"Ba\"}");
	CHECK_OK(ship(a, b));
	CHECK_OK(store_search_merge(a, &x, &y, NULL, NULL));
	CHECK_OK(store_search_merge(b, &y, &x, NULL, NULL));
	CHECK_OK(ship(a, b));
	CHECK_OK(ship(b, a));
	na = find(a, "ibrahim", ha);
	nb = find(b, "ibrahim", hb);
	CHECK(na == 1 && nb == 1 && ha[0].cycle && hb[0].cycle);
	CHECK(id_cmp(&ha[0].id, &hb[0].id) == 0);
	CHECK(id_cmp(&ha[0].id, id_cmp(&x, &y) < 0 ? &x : &y) == 0);
	store_close(a);
	store_close(b);
}

/* The index built ahead of the first search; refused on a locked handle. */
static void test_prepare_builds_index(void)
{
	struct store_search_hit h[HITS];
	struct id mo, nd, jo;
	struct store *s = people(&mo, &nd, &jo);

	CHECK(s);
	if (!s)
		return;
	CHECK(s->search == NULL);
	CHECK_OK(store_search_prepare(s, NULL));
	CHECK(s->search != NULL);
	CHECK(find(s, "diallo", h) == 1);
	store_session_lock(store_session_of(s));
	CHECK(store_search_prepare(s, NULL) == ERR_AUTH);
	CHECK(s->search == NULL);
	store_close(s);
}

TEST_MAIN(T(test_find_variants_accents_order_prefix), T(test_find_filters),
	  T(test_prepare_builds_index),
	  T(test_find_follows_writes), T(test_eviction_rebuilds),
	  T(test_received_change_is_indexed),
	  T(test_lock_wipes_index), T(test_nothing_of_a_name_on_disk),
	  T(test_duplicates), T(test_merge_unmerge),
	  T(test_merge_and_unmerge_converge_on_two_nodes),
	  T(test_cycle_from_two_nodes_shows_one_record))
