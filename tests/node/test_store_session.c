/*
 * test_store_session.c - several operators signed in to one process
 * (node/store_session.h): two sessions on two handles, each write's
 * change-log entry naming its operator; one session shared by handles on
 * two threads writing at once, across a key rotation and a new passphrase,
 * and signed out while they write; one session signed out while the other
 * works; signing in again; a wrong
 * secret; a session of another node.  ASan checks every session is freed.
 */
#include "node/store_ext.h"
#include "node/store_session.h"
#include "tests/node/store_fixture.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

/* A second operator's own key file (the first uses the fixture's). */
static uint8_t keyfile2[KEYSLOT_KEYFILEBYTES];

static struct store_secret secret_b(void)
{
	struct store_secret s = { "a.bianchi", KEYSLOT_KEYFILE, keyfile2,
				  sizeof(keyfile2), NULL };

	return s;
}

/* A node of m.rossi with a.bianchi added; the node's path in dir. */
static struct store *two_operator_node(const char *name)
{
	struct store_secret b = secret_b();
	struct store *s = fixture_node(name, STORE_ROLE_NODE, "m.rossi");

	memset(keyfile2, 11, sizeof(keyfile2));
	if (s && store_operator_add(s, &b, NULL)) {
		store_close(s);
		s = NULL;
	}
	return s;
}

/* Changes in the log written by operator op (the actor's name is clear). */
static long long changes_by(const char *op)
{
	char sql[256];

	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM change c JOIN actor a "
		 "ON a.idx = c.actor WHERE a.operator = '%s'",
		 op);
	return sql_int(sql);
}

/* A handle of the node in dir acting as sess. */
static struct store *handle_of(struct store_session *sess)
{
	struct store *h = NULL;

	if (store_open(&h, dir, NULL) || store_session_use(h, sess, NULL)) {
		store_close(h);
		return NULL;
	}
	return h;
}

static void test_two_operators_at_once(void)
{
	struct store *s = two_operator_node("two");
	struct store_secret a = secret_of("m.rossi"), b = secret_b();
	struct store_session *sa = NULL, *sb = NULL;
	struct store *ha = NULL, *hb = NULL;
	struct store_put_result ra, rb;
	struct store_record r;

	CHECK(s);
	CHECK_OK(store_session_open(s, &a, &sa, NULL));
	CHECK_OK(store_session_open(s, &b, &sb, NULL));
	CHECK(strcmp(store_session_operator(sa), "m.rossi") == 0);
	CHECK(strcmp(store_session_operator(sb), "a.bianchi") == 0);
	ha = handle_of(sa);
	hb = handle_of(sb);
	CHECK(ha && hb);
	CHECK(store_session_of(ha) == sa && store_session_of(hb) == sb);
	CHECK(strcmp(store_operator(ha), "m.rossi") == 0);
	CHECK(strcmp(store_operator(hb), "a.bianchi") == 0);
	CHECK_OK(put_json(ha, "test_item", NULL, "{\"title\":\"a\"}", &ra));
	CHECK_OK(put_json(hb, "test_item", NULL, "{\"title\":\"b\"}", &rb));
	CHECK_OK(put_json(hb, "test_item", &ra.id, "{\"title\":\"a2\"}", NULL));
	/* Each entry names the operator of the handle that wrote it. */
	CHECK(changes_by("m.rossi") == 1);
	CHECK(changes_by("a.bianchi") == 2);
	/* Each reads what the other wrote. */
	store_record_init(&r);
	CHECK_OK(store_get(ha, &rb.id, &r, NULL));
	CHECK(strcmp(json_string_value(json_object_get(r.fields, "title")),
		     "b") == 0);
	store_record_release(&r);
	/* One handle may change operator: its next write is the other's. */
	CHECK_OK(store_session_use(ha, sb, NULL));
	CHECK(strcmp(store_operator(ha), "a.bianchi") == 0);
	CHECK_OK(put_json(ha, "test_item", NULL, "{\"title\":\"c\"}", NULL));
	CHECK(changes_by("a.bianchi") == 3);
	/* Leaving the session locks the handle, the session lives on. */
	CHECK_OK(store_session_use(ha, NULL, NULL));
	CHECK(store_operator(ha) == NULL && store_session_of(ha) == NULL);
	CHECK(put_json(ha, "test_item", NULL, "{\"title\":\"d\"}", NULL) ==
	      ERR_AUTH);
	CHECK_OK(put_json(hb, "test_item", NULL, "{\"title\":\"e\"}", NULL));
	store_session_unref(sa);
	store_session_unref(sb);
	store_close(ha);
	store_close(hb);
	store_close(s);
	CHECK_OK(store_open(&s, dir, NULL));
	CHECK_OK(store_unlock(s, &b, NULL));
	CHECK_OK(store_verify(s, NULL, NULL));
	store_close(s);
}

#define WRITES 20

struct writer {
	struct store *h;
	int failed;
};

static void *write_many(void *arg)
{
	struct writer *w = arg;

	for (int i = 0; i < WRITES && !w->failed; i++)
		w->failed = put_json(w->h, "test_item", NULL,
				     "{\"title\":\"t\"}", NULL) != 0;
	return NULL;
}

static void test_shared_session_two_threads(void)
{
	struct store *s = two_operator_node("threads");
	struct store_secret a = secret_of("m.rossi");
	struct store_session *sa = NULL;
	struct writer w[2] = { { NULL, 0 }, { NULL, 0 } };
	pthread_t t[2];

	CHECK(s);
	CHECK_OK(store_session_open(s, &a, &sa, NULL));
	w[0].h = handle_of(sa);
	w[1].h = handle_of(sa);
	CHECK(w[0].h && w[1].h);
	/* Rotated by the first handle: both threads' handles must load the
	 * new key with the shared secret when they write, at once. */
	CHECK_OK(put_json(s, "test_item", NULL, "{\"title\":\"old\"}", NULL));
	CHECK_OK(store_key_rotate(s, NULL, NULL, NULL));
	for (int i = 0; i < 2; i++)
		CHECK(pthread_create(&t[i], NULL, write_many, &w[i]) == 0);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	CHECK(!w[0].failed && !w[1].failed);
	CHECK(changes_by("m.rossi") == 2 * WRITES + 1);
	CHECK(store_key_gen(w[0].h) == 2 && store_key_gen(w[1].h) == 2);
	/* A new key file on one handle: the session's other handle opens
	 * the keys of the next rotation with it. */
	memset(keyfile, 8, sizeof(keyfile));
	CHECK_OK(store_operator_passwd(w[0].h, keyfile, sizeof(keyfile),
				       NULL));
	CHECK_OK(store_key_rotate(w[0].h, NULL, NULL, NULL));
	(void)write_many(&w[1]);
	CHECK(!w[1].failed && store_key_gen(w[1].h) == 3);
	CHECK(changes_by("m.rossi") == 3 * WRITES + 1);
	store_session_unref(sa);
	store_close(w[0].h);
	store_close(w[1].h);
	store_close(s);
}

struct until_locked {
	struct store *h;
	atomic_int written; /* writes that succeeded */
	int rc;             /* the write that stopped it */
};

/* Write until refused (bounded: a lock that never lands fails). */
static void *write_until_refused(void *arg)
{
	struct until_locked *w = arg;

	for (int i = 0; i < 100000 && !w->rc; i++) {
		w->rc = put_json(w->h, "test_item", NULL, "{\"title\":\"t\"}",
				 NULL);
		if (!w->rc)
			atomic_fetch_add(&w->written, 1);
	}
	return NULL;
}

static void test_lock_while_threads_write(void)
{
	struct store *s = two_operator_node("lockrace");
	struct store_secret a = secret_of("m.rossi");
	struct store_session *sa = NULL;
	struct until_locked w[2];
	pthread_t t[2];

	CHECK(s);
	CHECK_OK(store_session_open(s, &a, &sa, NULL));
	for (int i = 0; i < 2; i++) {
		w[i].h = handle_of(sa);
		atomic_init(&w[i].written, 0);
		w[i].rc = 0;
		CHECK(w[i].h);
	}
	for (int i = 0; i < 2; i++)
		CHECK(pthread_create(&t[i], NULL, write_until_refused, &w[i]) ==
		      0);
	/* Sign out once both have written: each then stops on ERR_AUTH,
	 * and nothing is written after. */
	while (atomic_load(&w[0].written) < 3 || atomic_load(&w[1].written) < 3)
		sched_yield();
	store_session_lock(sa);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	CHECK(w[0].rc == ERR_AUTH && w[1].rc == ERR_AUTH);
	CHECK(changes_by("m.rossi") ==
	      atomic_load(&w[0].written) + atomic_load(&w[1].written));
	CHECK(store_operator(w[0].h) == NULL);
	/* The handle that opened no session is not concerned. */
	CHECK_OK(put_json(s, "test_item", NULL, "{\"title\":\"s\"}", NULL));
	store_session_unref(sa);
	store_close(w[0].h);
	store_close(w[1].h);
	store_close(s);
}

static void test_lock_one_session(void)
{
	struct store *s = two_operator_node("lock");
	struct store_secret a = secret_of("m.rossi"), b = secret_b();
	struct store_session *sa = NULL, *sb = NULL, *again = NULL;
	struct store *ha = NULL, *hb = NULL, *hc = NULL, *cl = NULL;
	struct store_put_result ra;
	struct store_record r;
	struct err e;

	CHECK(s);
	CHECK_OK(store_session_open(s, &a, &sa, NULL));
	CHECK_OK(store_session_open(s, &b, &sb, NULL));
	ha = handle_of(sa);
	hb = handle_of(sb);
	CHECK(ha && hb);
	CHECK_OK(store_clone(ha, &hc, NULL));
	CHECK(store_session_of(hc) == sa);
	CHECK_OK(put_json(ha, "test_item", NULL, "{\"title\":\"a\"}", &ra));

	store_session_lock(sa);
	CHECK(store_session_locked(sa) && !store_session_locked(sb));
	/* Every handle of the signed-out session refuses values, saying
	 * why; the other operator's handle goes on. */
	CHECK(store_operator(ha) == NULL && store_operator(hc) == NULL);
	err_init(&e);
	CHECK(put_json(ha, "test_item", NULL, "{\"title\":\"x\"}", NULL) ==
	      ERR_AUTH);
	err_init(&e);
	store_record_init(&r);
	CHECK(store_get(ha, &ra.id, &r, &e) == ERR_AUTH);
	CHECK(strstr(e.msg, "m.rossi") && strstr(e.msg, "signed out"));
	err_init(&e);
	CHECK(store_get(hc, &ra.id, &r, &e) == ERR_AUTH);
	CHECK(strstr(e.msg, "signed out"));
	CHECK(put_json(hc, "test_item", NULL, "{\"title\":\"x\"}", NULL) ==
	      ERR_AUTH);
	CHECK(store_clone(ha, &cl, NULL) == ERR_AUTH && cl == NULL);
	CHECK_OK(put_json(hb, "test_item", &ra.id, "{\"title\":\"b\"}", NULL));
	CHECK_OK(store_get(hb, &ra.id, &r, NULL));
	store_record_release(&r);
	CHECK(changes_by("m.rossi") == 1 && changes_by("a.bianchi") == 1);
	/* A locked session is not used again; signing in anew works. */
	err_init(&e);
	CHECK(store_session_use(ha, sa, &e) == ERR_AUTH);
	store_session_lock(sa); /* idempotent */
	CHECK_OK(store_session_open(ha, &a, &again, NULL));
	CHECK_OK(store_session_use(ha, again, NULL));
	CHECK_OK(put_json(ha, "test_item", NULL, "{\"title\":\"y\"}", NULL));
	CHECK(changes_by("m.rossi") == 2);
	CHECK_OK(store_unlock(hc, &a, NULL));
	CHECK_OK(store_get(hc, &ra.id, &r, NULL));
	store_record_release(&r);
	store_session_unref(again);
	store_session_unref(sa);
	store_session_unref(sb);
	store_close(ha);
	store_close(hb);
	store_close(hc);
	store_close(s);
}

static void test_wrong_secret_no_session(void)
{
	struct store *s = two_operator_node("wrong");
	struct store_secret b = secret_b();
	struct store_session *sess = NULL;
	uint8_t other[KEYSLOT_KEYFILEBYTES];
	struct store_put_result r;
	struct err e;

	CHECK(s);
	CHECK_OK(put_json(s, "test_item", NULL, "{\"title\":\"a\"}", &r));
	memset(other, 9, sizeof(other));
	b.secret = other;
	err_init(&e);
	CHECK(store_session_open(s, &b, &sess, &e) == ERR_AUTH);
	CHECK(sess == NULL);
	b.secret = keyfile2;
	b.kind = KEYSLOT_PASSPHRASE;
	CHECK(store_session_open(s, &b, &sess, NULL) == ERR_AUTH);
	CHECK(sess == NULL);
	b.operator = "nobody";
	b.kind = KEYSLOT_KEYFILE;
	CHECK(store_session_open(s, &b, &sess, NULL) == ERR_NOTFOUND);
	CHECK(sess == NULL);
	/* The handle it was tried on is as it was. */
	CHECK(strcmp(store_operator(s), "m.rossi") == 0);
	CHECK_OK(put_json(s, "test_item", &r.id, "{\"title\":\"b\"}", NULL));
	store_close(s);
}

static void test_session_of_another_node(void)
{
	struct store *s = two_operator_node("here");
	struct store *other = fixture_node("there", STORE_ROLE_NODE,
					   "m.rossi");
	struct store_secret a = secret_of("m.rossi");
	struct store_session *sess = NULL;
	struct err e;

	CHECK(s && other);
	CHECK_OK(store_session_open(s, &a, &sess, NULL));
	err_init(&e);
	CHECK(store_session_use(other, sess, &e) == ERR_INVALID);
	CHECK(store_operator(other) == NULL);
	/* The handles hold their refs: the caller's goes first. */
	CHECK_OK(store_session_use(s, sess, NULL));
	store_session_unref(sess);
	CHECK(store_session_of(s) == sess);
	/* Using again the session s alone holds keeps it alive. */
	CHECK_OK(store_session_use(s, store_session_of(s), NULL));
	CHECK(store_session_of(s) == sess);
	CHECK_OK(put_json(s, "test_item", NULL, "{\"title\":\"a\"}", NULL));
	store_close(s);
	store_close(other);
}

TEST_MAIN(T(test_two_operators_at_once), T(test_shared_session_two_threads),
	  T(test_lock_while_threads_write), T(test_lock_one_session),
	  T(test_wrong_secret_no_session),
	  T(test_session_of_another_node))
