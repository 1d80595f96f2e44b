/*
 * test_store_backup.c - node/store_backup.h: a backup restored gives the
 * same store; a file truncated, altered, of another magic or with data
 * after its checksum is refused and changes nothing; a backup taken
 * while another handle writes is one consistent moment; a restore is
 * refused while the store is open, an open while a restore runs; the
 * restored mark holds own writes back until the floor is raised and the
 * mark cleared.
 */
#include "node/store_backup.h"
#include "node/store_int.h"
#include "tests/node/store_fixture.h"

#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

static char path_a[4300], path_b[4300], keys_a[4300];

static int enroll_fake(struct store *s)
{
	struct store_remote r;

	memset(&r, 0, sizeof(r));
	snprintf(r.url, sizeof(r.url), "https://hub.example:8443");
	id_generate(&r.hub_id);
	memset(r.hub_pk, 5, sizeof(r.hub_pk));
	snprintf(r.name, sizeof(r.name), "polo-test");
	snprintf(r.kind, sizeof(r.kind), "polo");
	snprintf(r.region, sizeof(r.region), "Puglia");
	r.enrolled = 1700000000;
	return store_remote_set(s, &r, NULL);
}

static int count_cb(void *ctx, const struct store_record *r)
{
	(void)r;
	(*(size_t *)ctx)++;
	return 0;
}

static size_t count_persons(struct store *s)
{
	size_t n = 0;

	if (store_list(s, "person", 0, count_cb, &n, NULL))
		return (size_t)-1;
	return n;
}

/* Open and unlock the node in d with the fixture's key file. */
static struct store *open_at(const char *d)
{
	struct store_secret sec = secret_of("m.rossi");
	struct store *s = NULL;

	if (store_open(&s, d, NULL) || store_unlock(s, &sec, NULL)) {
		store_close(s);
		return NULL;
	}
	return s;
}

static void flip_byte(const char *p, long at)
{
	FILE *f = fopen(p, "r+b");
	int c;

	if (!f)
		return;
	fseek(f, at, SEEK_SET);
	c = fgetc(f);
	fseek(f, at, SEEK_SET);
	fputc(c ^ 0x20, f);
	fclose(f);
}

static void test_round_trip_and_mark(void)
{
	struct store *s = fresh();
	struct store_backup_info in, chk;
	struct store_put_result res;
	char to[4300], aside[4300];
	uint64_t mark = 0, high = 0;
	struct stat st;
	struct err e;
	int marked = 0;

	CHECK(s);
	CHECK_OK(enroll_fake(s));
	for (int i = 0; i < 5; i++)
		CHECK(put_json(s, "person", NULL, "{\"given_name\":\"Ada\","
			       "\"family_name\":\"B\"}", NULL) == 0);
	snprintf(path_a, sizeof(path_a), "%s/b1.pb", test_tmpdir());
	CHECK_OK(store_backup(s, path_a, &in, NULL));
	CHECK(stat(path_a, &st) == 0 && (st.st_mode & 0777) == 0600);
	CHECK(in.role == STORE_ROLE_NODE && in.enrolled && in.seq_high == 5);
	CHECK(id_cmp(&in.node_id, store_node_id(s)) == 0);
	/* A second backup never replaces the first. */
	CHECK(store_backup(s, path_a, NULL, NULL) == ERR_EXISTS);
	CHECK_OK(store_backup_check(path_a, &chk, NULL));
	CHECK(chk.file_bytes == (uint64_t)st.st_size &&
	      chk.db_bytes == in.db_bytes);
	CHECK(!(chk.flags & STORE_BACKUP_KEYS));
	/* The persons' keys go in a backup of their own. */
	snprintf(keys_a, sizeof(keys_a), "%s/b1.keys", test_tmpdir());
	CHECK_OK(store_backup_keys(s, keys_a, NULL, NULL));
	CHECK_OK(store_backup_check(keys_a, &chk, NULL));
	CHECK(chk.flags & STORE_BACKUP_KEYS);
	store_close(s);

	/* The data alone opens no person's record; a keys backup is not
	 * a data backup. */
	snprintf(to, sizeof(to), "%s/nokeys", test_tmpdir());
	CHECK(store_restore(to, keys_a, NULL, 0, NULL, NULL, 0, &marked,
			    NULL) == ERR_INVALID);
	CHECK_OK(store_restore(to, path_a, NULL, 0, NULL, NULL, 0, &marked,
			       NULL));
	s = open_at(to);
	CHECK(s && count_persons(s) == (size_t)-1);
	store_close(s);
	CHECK(store_restore(to, path_a, path_a, 1, NULL, NULL, 0, &marked,
			    NULL) == ERR_INVALID);

	snprintf(to, sizeof(to), "%s/restored", test_tmpdir());
	CHECK_OK(store_restore(to, path_a, keys_a, 0, NULL, aside,
			       sizeof(aside), &marked, NULL));
	CHECK(marked && aside[0] == '\0');
	s = open_at(to);
	CHECK(s);
	CHECK(count_persons(s) == 5);
	CHECK(id_cmp(store_node_id(s), &in.node_id) == 0);
	CHECK_OK(store_restored(s, &mark, NULL));
	CHECK(mark == 5);
	/* Own writes wait for the hub's word. */
	err_init(&e);
	CHECK(put_err(s, "person", NULL, "{\"given_name\":\"New\","
		      "\"family_name\":\"C\"}", NULL, &e) == ERR_CONFLICT);
	CHECK(strstr(e.msg, "presidio sync") != NULL);
	/* The hub holds up to 40 of ours: new numbers go after. */
	CHECK_OK(store_restored_floor(s, 40, NULL));
	CHECK_OK(store_restored_clear(s, NULL));
	CHECK_OK(store_restored(s, &mark, NULL));
	CHECK(mark == 0);
	CHECK(put_json(s, "person", NULL, "{\"given_name\":\"New\","
		       "\"family_name\":\"C\"}", &res) == 0);
	CHECK_OK(store_last_seq(s, &high, NULL));
	CHECK(high == 41);
	store_close(s);
}

/* Copy src to dst, keeping the first keep bytes (all when -1). */
static int copy_file(const char *src, const char *dst, long keep)
{
	size_t n = 0;
	char *b = test_read_file(src, &n);
	FILE *f = fopen(dst, "wb");
	int rc = -1;

	if (b && f) {
		if (keep >= 0 && (size_t)keep < n)
			n = (size_t)keep;
		rc = fwrite(b, 1, n, f) == n ? 0 : -1;
	}
	if (f)
		fclose(f);
	free(b);
	return rc;
}

static void test_damaged_files_refused(void)
{
	struct store *s = fresh();
	char bad[4400], before[4400], *db0 = NULL, *db1 = NULL;
	struct store_backup_info in;
	size_t n0 = 0, n1 = 0;
	struct err e;
	FILE *f;
	int marked = 0;

	CHECK(s);
	CHECK(put_json(s, "person", NULL, "{\"given_name\":\"Ada\","
		       "\"family_name\":\"B\"}", NULL) == 0);
	snprintf(path_a, sizeof(path_a), "%s/b.pb", test_tmpdir());
	CHECK_OK(store_backup(s, path_a, &in, NULL));
	CHECK(put_json(s, "person", NULL, "{\"given_name\":\"Later\","
		       "\"family_name\":\"B\"}", NULL) == 0);
	store_close(s);
	snprintf(bad, sizeof(bad), "%s.bad", path_a);
	snprintf(before, sizeof(before), "%s/%s", dir, STORE_DB_FILE);
	db0 = test_read_file(before, &n0);
	CHECK(db0);

	/* Truncated: named as such, with both lengths. */
	CHECK(copy_file(path_a, bad, (long)in.file_bytes - 100) == 0);
	err_init(&e);
	CHECK(store_restore(dir, bad, NULL, 1, NULL, NULL, 0, &marked, &e) ==
	      ERR_CORRUPT);
	CHECK(strstr(e.msg, "truncated") != NULL);
	/* Shorter than its header. */
	CHECK(copy_file(path_a, bad, 40) == 0);
	CHECK(store_backup_check(bad, NULL, NULL) == ERR_CORRUPT);
	/* One byte altered, in the payload and in the header. */
	CHECK(copy_file(path_a, bad, -1) == 0);
	flip_byte(bad, 300);
	err_init(&e);
	CHECK(store_restore(dir, bad, NULL, 1, NULL, NULL, 0, &marked, &e) ==
	      ERR_CORRUPT);
	CHECK(strstr(e.msg, "checksum mismatch") != NULL);
	CHECK(copy_file(path_a, bad, -1) == 0);
	flip_byte(bad, 60);
	CHECK(store_backup_check(bad, NULL, NULL) == ERR_CORRUPT);
	/* Wrong magic: not a backup at all. */
	CHECK(copy_file(path_a, bad, -1) == 0);
	flip_byte(bad, 0);
	err_init(&e);
	CHECK(store_backup_check(bad, NULL, &e) == ERR_INVALID);
	CHECK(strstr(e.msg, "not a Presidio backup") != NULL);
	/* Data after the checksum. */
	CHECK(copy_file(path_a, bad, -1) == 0);
	f = fopen(bad, "ab");
	CHECK(f);
	fputs("more", f);
	fclose(f);
	CHECK(store_backup_check(bad, NULL, NULL) == ERR_CORRUPT);
	CHECK(store_backup_check("/nonexistent/x.pb", NULL, NULL) ==
	      ERR_NOTFOUND);
	/* None of it touched the node. */
	db1 = test_read_file(before, &n1);
	CHECK(db1 && n0 == n1 && memcmp(db0, db1, n0) == 0);
	free(db0);
	free(db1);
	/* Without --force an existing node is kept. */
	CHECK(store_restore(dir, path_a, NULL, 0, NULL, NULL, 0, &marked, NULL) ==
	      ERR_EXISTS);
	/* Another node's backup does not go over this one. */
	s = fixture_node("other", STORE_ROLE_NODE, "m.rossi");
	CHECK(s);
	snprintf(path_b, sizeof(path_b), "%s/other.pb", test_tmpdir());
	CHECK_OK(store_backup(s, path_b, NULL, NULL));
	store_close(s);
	snprintf(before, sizeof(before), "%s/node", test_tmpdir());
	err_init(&e);
	CHECK(store_restore(before, path_b, NULL, 1, NULL, NULL, 0, &marked, &e) ==
	      ERR_INVALID);
	CHECK(strstr(e.msg, "the backup is of node") != NULL);
}

/* ---- a backup while another handle writes ---- */

struct writer {
	struct store *s;
	volatile int stop;
	int groups;
};

/* Groups of 10 persons, each group one transaction. */
static void *write_groups(void *arg)
{
	struct writer *w = arg;

	while (!w->stop && w->groups < 400) {
		if (store_begin(w->s, NULL))
			break;
		for (int i = 0; i < 10; i++)
			if (put_json(w->s, "person", NULL,
				     "{\"given_name\":\"Grp\","
				     "\"family_name\":\"W\"}", NULL))
				break;
		if (store_commit(w->s, NULL)) {
			store_rollback(w->s);
			break;
		}
		w->groups++;
	}
	return NULL;
}

static void test_backup_while_writing_is_consistent(void)
{
	struct store *s = fresh(), *r = NULL;
	struct writer w;
	pthread_t th;
	char to[4300];
	uint64_t high = 0;
	size_t n;
	int marked = 0, started;

	CHECK(s);
	memset(&w, 0, sizeof(w));
	CHECK_OK(store_clone(s, &w.s, NULL));
	CHECK(pthread_create(&th, NULL, write_groups, &w) == 0);
	while (w.groups < 3)
		usleep(1000);
	started = w.groups;
	snprintf(path_a, sizeof(path_a), "%s/live.pb", test_tmpdir());
	CHECK_OK(store_backup(s, path_a, NULL, NULL));
	w.stop = 1;
	pthread_join(th, NULL);
	/* Keys backed up after the data: they open all of it. */
	snprintf(keys_a, sizeof(keys_a), "%s/live.keys", test_tmpdir());
	CHECK_OK(store_backup_keys(s, keys_a, NULL, NULL));
	store_close(w.s);
	store_close(s);
	snprintf(to, sizeof(to), "%s/live", test_tmpdir());
	CHECK_OK(store_restore(to, path_a, keys_a, 0, NULL, NULL, 0, &marked,
			       NULL));
	CHECK(!marked); /* not enrolled: nothing to recover */
	r = open_at(to);
	CHECK(r);
	n = count_persons(r);
	CHECK_OK(store_last_seq(r, &high, NULL));
	/* Whole groups only, each record with its change. */
	CHECK(n % 10 == 0 && n >= (size_t)started * 10 && high == n);
	store_close(r);
}

static void test_restore_refuses_a_held_store(void)
{
	struct store *s = fresh(), *other = NULL;
	char aside[4300], db[4400];
	int marked = 0, fd = -1;
	struct err e;

	CHECK(s);
	snprintf(path_a, sizeof(path_a), "%s/held.pb", test_tmpdir());
	CHECK_OK(store_backup(s, path_a, NULL, NULL));
	err_init(&e);
	CHECK(store_restore(dir, path_a, NULL, 1, NULL, NULL, 0, &marked, &e) ==
	      ERR_BUSY);
	CHECK(strstr(e.msg, "in use") != NULL);
	store_close(s);
	/* While a restore holds the directory, nothing opens it. */
	CHECK_OK(store_dir_lock(dir, 1, &fd, NULL));
	CHECK(store_open(&other, dir, NULL) == ERR_BUSY && !other);
	store_dir_unlock(fd);
	/* Closed: it goes, and the old files are kept aside. */
	CHECK_OK(store_restore(dir, path_a, NULL, 1, NULL, aside, sizeof(aside),
			       &marked, NULL));
	CHECK(strstr(aside, STORE_BACKUP_ASIDE) != NULL);
	snprintf(db, sizeof(db), "%s/%s", aside, STORE_DB_FILE);
	CHECK(access(db, F_OK) == 0);
	s = open_at(dir);
	CHECK(s);
	store_close(s);
}

TEST_MAIN(T(test_round_trip_and_mark), T(test_damaged_files_refused),
	  T(test_backup_while_writing_is_consistent),
	  T(test_restore_refuses_a_held_store))
