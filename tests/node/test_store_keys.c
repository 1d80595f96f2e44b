/*
 * test_store_keys.c - the store's keys: unlocking, operators added,
 * removed and re-keyed, data-key rotation (killed half way, overtaken by
 * another rotation), and key slots planted in the database.
 */
#include "tests/node/store_fixture.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static int progress_calls; /* calls of a rotation's progress callback */

static void test_wrong_secret_changes_nothing(void)
{
	struct store *s = fresh();
	struct store_secret bad = secret_of("m.rossi");
	uint8_t other[KEYSLOT_KEYFILEBYTES];
	struct err e;

	CHECK(s);
	store_close(s);
	s = NULL;
	memset(other, 9, sizeof(other));
	bad.secret = other;
	CHECK_OK(store_open(&s, dir, NULL));
	err_init(&e);
	CHECK(store_unlock(s, &bad, &e) == ERR_AUTH);
	CHECK(store_operator(s) == NULL);
	CHECK(put_json(s, "test_item", NULL, "{\"title\":\"a\"}", NULL) ==
	      ERR_AUTH);
	bad.operator = "nobody";
	CHECK(store_unlock(s, &bad, &e) == ERR_NOTFOUND);
	store_close(s);
	CHECK(sql_int("SELECT count(*) FROM change") == 0);
	CHECK(sql_int("SELECT count(*) FROM actor") == 1);
}

static int count_ops(void *ctx, const char *op, enum keyslot_kind kind,
		     const char *role)
{
	(void)op;
	(void)kind;
	(void)role;
	(*(int *)ctx)++;
	return 0;
}

static void test_operators_add_remove_passwd(void)
{
	struct store *s = fresh();
	const uint8_t pass[] = "correct horse battery";
	const uint8_t pass2[] = "another long passphrase";
	struct store_secret anna = { "a.bianchi", KEYSLOT_PASSPHRASE, pass,
				     sizeof(pass) - 1,
				     "assistente_sociale" };
	struct store_put_result r;
	struct err e;
	int n = 0;

	CHECK(s);
	CHECK_OK(put_json(s, "test_item", NULL, "{\"title\":\"a\"}", &r));
	CHECK_OK(store_operator_add(s, &anna, NULL));
	CHECK(store_operator_add(s, &anna, NULL) == ERR_EXISTS);
	CHECK_OK(store_operator_list(s, count_ops, &n, NULL));
	CHECK(n == 2);
	/* Anna reads what m.rossi wrote. */
	CHECK_OK(store_unlock(s, &anna, NULL));
	struct store_record rec;
	store_record_init(&rec);
	CHECK_OK(store_get(s, &r.id, &rec, NULL));
	store_record_release(&rec);
	CHECK_OK(store_operator_passwd(s, pass2, sizeof(pass2) - 1, NULL));
	err_init(&e);
	CHECK(store_unlock(s, &anna, &e) == ERR_AUTH);
	anna.secret = pass2;
	anna.len = sizeof(pass2) - 1;
	CHECK_OK(store_unlock(s, &anna, NULL));
	/* Operators are managed by the coordinatore only. */
	CHECK(store_operator_remove(s, "a.bianchi", NULL) == ERR_DENIED);
	CHECK(store_operator_add(s, &anna, NULL) == ERR_DENIED);
	struct store_secret me = secret_of("m.rossi");
	CHECK_OK(store_unlock(s, &me, NULL));
	CHECK_OK(store_operator_remove(s, "a.bianchi", NULL));
	CHECK(store_unlock(s, &anna, NULL) == ERR_NOTFOUND);
	CHECK(sql_int("SELECT count(*) FROM datakey") == 1);
	CHECK_OK(store_unlock(s, &me, NULL));
	CHECK(store_operator_remove(s, "m.rossi", NULL) == ERR_CONFLICT);
	CHECK(store_operator_remove(s, "nobody", NULL) == ERR_NOTFOUND);
	store_close(s);
}

static void test_key_rotate(void)
{
	struct store *s = fresh();
	struct store_status st;
	int n = 0;

	CHECK(s);
	for (int i = 0; i < 1200; i++)
		CHECK_OK(put_json(s, "test_item", NULL,
				  "{\"title\":\"a\",\"body\":\"secret\"}",
				  NULL));
	CHECK_OK(store_key_rotate(s, NULL, NULL, NULL));
	CHECK_OK(store_status(s, &st, NULL));
	CHECK(st.key_gen == 2 && !st.rotating);
	CHECK(sql_int("SELECT count(*) FROM datakey WHERE gen = 1") == 0);
	CHECK(sql_int("SELECT count(*) FROM record WHERE "
		      "substr(body, 2, 1) != x'02'") == 0);
	CHECK(sql_int("SELECT count(*) FROM change WHERE "
		      "substr(body, 2, 1) != x'02'") == 0);
	s = reopen(s);
	CHECK(s);
	CHECK_OK(store_list(s, "test_item", 0, read_all, &n, NULL));
	CHECK(n == 1200);
	CHECK_OK(store_verify(s, NULL, NULL));
	store_close(s);
}

static void die_after_first_batch(void *ctx, uint64_t done, uint64_t total)
{
	(void)ctx;
	(void)total;
	if (done > 0 && ++progress_calls == 1)
		raise(SIGKILL);
}

/* kill -9 during a rotation: everything stays readable, and the next
 * rotation finishes the job. */
static void test_key_rotate_killed_half_way(void)
{
	struct store *s = fresh();
	struct store_status st;
	pid_t pid;
	int status = 0, n = 0;

	CHECK(s);
	CHECK_OK(store_begin(s, NULL));
	for (int i = 0; i < 1500; i++)
		CHECK_OK(put_json(s, "test_item", NULL,
				  "{\"title\":\"a\",\"count\":1}", NULL));
	CHECK_OK(store_commit(s, NULL));
	store_close(s);
	s = NULL;
	fflush(stdout);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		struct store_secret sec = secret_of("m.rossi");
		struct store *c = NULL;

		if (store_open(&c, dir, NULL) || store_unlock(c, &sec, NULL))
			_exit(3);
		if (store_key_rotate(c, die_after_first_batch, NULL, NULL))
			_exit(5);
		_exit(4); /* not reached when the kill happened */
	}
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	CHECK(sql_int("SELECT count(*) FROM record WHERE "
		      "substr(body, 2, 1) = x'02'") > 0);
	CHECK(sql_int("SELECT count(*) FROM record WHERE "
		      "substr(body, 2, 1) = x'01'") > 0);
	s = reopen(s);
	CHECK(s);
	CHECK_OK(store_status(s, &st, NULL));
	CHECK(st.rotating);
	CHECK_OK(store_list(s, NULL, 0, read_all, &n, NULL));
	CHECK(n == 1500);
	/* Writes during the unfinished rotation use the new key. */
	CHECK_OK(put_json(s, "test_item", NULL, "{\"title\":\"z\"}", NULL));
	CHECK(sql_int("SELECT substr(body, 2, 1) = x'02' FROM record "
		      "ORDER BY rid DESC LIMIT 1") == 1);
	CHECK_OK(store_key_rotate(s, NULL, NULL, NULL));
	CHECK_OK(store_status(s, &st, NULL));
	CHECK(st.key_gen == 2 && !st.rotating);
	CHECK(sql_int("SELECT count(*) FROM record WHERE "
		      "substr(body, 2, 1) != x'02'") == 0);
	CHECK_OK(store_verify(s, NULL, NULL));
	store_close(s);
}

/* A new passphrase gets a new key pair: an old copy of the slot with the
 * old secret opens nothing sealed after the change. */
static void test_passwd_replaces_key_pair(void)
{
	struct store *s = fresh();
	struct store_secret old = secret_of("m.rossi");
	uint8_t next[KEYSLOT_KEYFILEBYTES];
	struct err e;

	CHECK(s);
	memset(next, 0x42, sizeof(next));
	CHECK(sql_exec("CREATE TABLE oldslot AS SELECT * FROM keyslot") ==
	      SQLITE_OK);
	CHECK_OK(store_operator_passwd(s, next, sizeof(next), NULL));
	CHECK(sql_int("SELECT count(*) FROM keyslot k JOIN oldslot o "
		      "ON o.id = k.id WHERE o.pk = k.pk") == 0);
	CHECK_OK(store_key_rotate(s, NULL, NULL, NULL));
	store_close(s);
	s = NULL;
	/* Put the old slot back, as from a backup, and try the old key. */
	CHECK(sql_exec("UPDATE keyslot SET salt = (SELECT salt FROM oldslot), "
		       "pk = (SELECT pk FROM oldslot), wrapped = (SELECT "
		       "wrapped FROM oldslot)") == SQLITE_OK);
	CHECK_OK(store_open(&s, dir, NULL));
	err_init(&e);
	CHECK(store_unlock(s, &old, &e) != 0);
	CHECK(store_operator(s) == NULL);
	store_close(s);
}

/* A process whose operator was removed can no longer write or read. */
static void test_removed_operator_loses_access(void)
{
	struct store *a = fresh();
	struct store *b = NULL;
	struct store_secret me = secret_of("m.rossi");
	struct store_secret other = secret_of("a.bianchi");
	struct err e;

	CHECK(a);
	CHECK_OK(store_operator_add(a, &other, NULL));
	CHECK_OK(store_unlock(a, &other, NULL));
	CHECK_OK(store_open(&b, dir, NULL));
	CHECK_OK(store_unlock(b, &me, NULL));
	CHECK_OK(store_operator_remove(b, "a.bianchi", NULL));
	err_init(&e);
	CHECK(put_json(a, "test_item", NULL, "{\"title\":\"x\"}", NULL) ==
	      ERR_AUTH);
	CHECK(store_operator(a) == NULL);
	CHECK_OK(store_key_rotate(b, NULL, NULL, NULL));
	CHECK_OK(store_verify(b, NULL, NULL));
	store_close(a);
	store_close(b);
}

/* A rotation overtaken by others stops; nothing is lost. */
static void rotate_twice_meanwhile(void *ctx, uint64_t done, uint64_t total)
{
	struct store *b = ctx;

	(void)total;
	if (done && ++progress_calls == 1) {
		if (store_key_rotate(b, NULL, NULL, NULL) ||
		    store_key_rotate(b, NULL, NULL, NULL))
			progress_calls = 100; /* reported below */
	}
}

static void test_overlapping_rotations_lose_nothing(void)
{
	struct store *a = fresh();
	struct store *b = NULL;
	struct store_secret me = secret_of("m.rossi");
	struct store_status st;
	struct err e;
	int n = 0;

	CHECK(a);
	CHECK_OK(store_begin(a, NULL));
	for (int i = 0; i < 1200; i++)
		CHECK_OK(put_json(a, "test_item", NULL,
				  "{\"title\":\"a\"}", NULL));
	CHECK_OK(store_commit(a, NULL));
	CHECK_OK(store_open(&b, dir, NULL));
	CHECK_OK(store_unlock(b, &me, NULL));
	progress_calls = 0;
	err_init(&e);
	CHECK(store_key_rotate(a, rotate_twice_meanwhile, b, &e) ==
	      ERR_CONFLICT);
	CHECK(progress_calls == 1);
	CHECK_OK(store_status(b, &st, NULL));
	CHECK(st.key_gen == 3 && !st.rotating);
	CHECK(sql_int("SELECT count(*) FROM datakey WHERE gen != 3") == 0);
	CHECK_OK(store_verify(b, NULL, NULL));
	CHECK_OK(store_list(b, NULL, 0, read_all, &n, NULL));
	CHECK(n == 1200);
	/* The overtaken handle carries on with the new key. */
	CHECK_OK(put_json(a, "test_item", NULL, "{\"title\":\"b\"}", NULL));
	CHECK_OK(store_verify(b, NULL, NULL));
	store_close(a);
	store_close(b);
}

/* A slot planted in the database gets no data key and is reported. */
static void test_planted_slot_refused(void)
{
	struct store *s = fresh();
	struct err e;
	uint64_t bad = 0;

	CHECK(s);
	CHECK_OK(store_verify(s, NULL, NULL));
	/* A copy of a real slot under another name: its MAC no longer
	 * matches (the name is bound); the planter cannot make a new one. */
	CHECK(sql_exec("INSERT INTO keyslot(operator, kind, salt, opslimit, "
		       "memlimit, pk, wrapped, created, mac) SELECT 'intruder', "
		       "kind, salt, opslimit, memlimit, pk, wrapped, created, "
		       "mac FROM keyslot") == SQLITE_OK);
	err_init(&e);
	CHECK(store_key_rotate(s, NULL, NULL, &e) == ERR_CORRUPT);
	CHECK(strstr(e.msg, "intruder"));
	CHECK(sql_int("SELECT count(*) FROM datakey WHERE gen = 2") == 0);
	CHECK(sql_int("SELECT count(*) FROM meta WHERE key = 'rotating'") ==
	      0);
	err_init(&e);
	CHECK(store_verify(s, &bad, &e) == ERR_CORRUPT);
	CHECK(bad == 1 && strstr(e.msg, "intruder"));
	/* Without a MAC at all, the same. */
	CHECK(sql_exec("UPDATE keyslot SET mac = NULL WHERE operator = "
		       "'intruder'") == SQLITE_OK);
	CHECK(store_key_rotate(s, NULL, NULL, NULL) == ERR_CORRUPT);
	/* Removing it lets the rotation through, and MACs follow the key. */
	CHECK(sql_exec("DELETE FROM keyslot WHERE operator = 'intruder'") ==
	      SQLITE_OK);
	CHECK_OK(store_key_rotate(s, NULL, NULL, NULL));
	CHECK_OK(store_verify(s, NULL, NULL));
	store_close(s);
}

TEST_MAIN(T(test_wrong_secret_changes_nothing),
	  T(test_operators_add_remove_passwd),
	  T(test_key_rotate),
	  T(test_key_rotate_killed_half_way),
	  T(test_passwd_replaces_key_pair),
	  T(test_removed_operator_loses_access),
	  T(test_overlapping_rotations_lose_nothing),
	  T(test_planted_slot_refused))
