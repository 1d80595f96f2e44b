/*
 * store.c - opening and creating a node's database, migrations, pragmas,
 * the clock.  Transactions are in store_tx.c, nodes and actors in
 * store_node.c, records in store_record.c, keys in store_keys.c,
 * checkpoints and status in store_meta.c (store_int.h lists them all).
 */
#include "node/store_int.h"
#include "node/store_backup.h"
#include "node/store_require.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "schema/migrations.h"

/* The hub cursor this node had applied, for an own entry (?5, its origin
 * sequence, NULL): 0 before any pull, NULL when its row fails its MAC (a
 * cursor lowered in the file would make a later edit look concurrent
 * with a hand-over; the hub then judges by the node's pull_ack).  NULL
 * for an entry received from elsewhere. */
#define CHANGE_SEEN_ROW "FROM meta WHERE key = 'checkpoint:" STORE_CK_SEEN "'"
#define CHANGE_SEEN                                                            \
	"CASE WHEN ?5 IS NOT NULL THEN NULL WHEN NOT EXISTS (SELECT 1 "        \
	CHANGE_SEEN_ROW ") THEN 0 ELSE (SELECT CASE WHEN presidio_mac_ok("    \
	"mac, 'meta', " STORE_MAC_COLS_META ") THEN value END "              \
	CHANGE_SEEN_ROW ") END"

static const char *const stmt_sql[STMT_COUNT] = {
    [STMT_META_GET] = "SELECT value FROM meta WHERE key = ?1",
    [STMT_META_SET] = "INSERT INTO meta(key, value) VALUES (?1, ?2) "
		      "ON CONFLICT(key) DO UPDATE SET value = ?2",
    /* Evictions and purges delete entries: the floor keeps their
     * numbers from being handed out again (sync knows them). */
    [STMT_MAX_SEQ] = "SELECT max(coalesce((SELECT max(seq) FROM change), 0), "
		     "coalesce((SELECT value FROM meta WHERE key = "
		     "'seq_floor'), 0))",
    [STMT_ACTOR_BY_IDX] = "SELECT n.id, a.operator, n.role, "
			  "presidio_mac_ok(a.mac, 'actor', a.idx, a.node, "
			  "a.operator) AND presidio_mac_ok(n.mac, 'node', "
			  "n.idx, n.id, n.name, n.role) FROM actor a "
			  "JOIN node n ON n.idx = a.node WHERE a.idx = ?1",
    [STMT_RECORD_FIND] = "SELECT rid, coll, deleted, vers, body, conflicts "
			 "FROM record WHERE id = ?1",
    [STMT_RECORD_EXISTS] = "SELECT 1 FROM record WHERE id = ?1",
    /* The MAC (store_mac.c) from the values bound, in the order of
     * STORE_MAC_COLS_RECORD and STORE_MAC_COLS_CHANGE. */
    [STMT_RECORD_INSERT] = "INSERT INTO record(id, coll, parent, deleted, "
			   "vers, body, conflicts, mac) VALUES (?1, ?2, ?3, "
			   "?4, ?5, ?6, ?7, presidio_mac('record', ?1, ?2, "
			   "?3, ?4, ?5, ?7))",
    [STMT_RECORD_UPDATE] = "UPDATE record SET parent = ?3, deleted = ?4, "
			   "vers = ?5, body = ?6, conflicts = ?7, mac = "
			   "presidio_mac('record', ?1, ?2, ?3, ?4, ?5, ?7) "
			   "WHERE id = ?1 AND coll = ?2",
    [STMT_NODE_FIND] = "SELECT idx FROM node WHERE id = ?1",
    [STMT_NODE_INSERT] = "INSERT INTO node(id) VALUES (?1)",
    [STMT_ACTOR_FIND] = "SELECT idx FROM actor WHERE node = ?1 AND "
			"operator = ?2",
    [STMT_ACTOR_INSERT] = "INSERT INTO actor(node, operator) VALUES (?1, ?2)",
    /* Own entries: here as made, or received back after an eviction. */
    [STMT_KNOWN_LOCAL] = "SELECT 1 FROM change WHERE origin = ?1 AND "
			 "((seq = ?2 AND oseq IS NULL) OR oseq = ?2)",
    [STMT_KNOWN_REMOTE] = "SELECT 1 FROM change WHERE origin = ?1 AND "
			  "oseq = ?2",
    [STMT_HISTORY] = "SELECT c.seq, c.actor, c.hlc, c.vers, c.prev, "
		     "c.body, r.id FROM change c JOIN record r ON "
		     "r.rid = c.rid WHERE c.rid = ?1 ORDER BY c.seq",
    [STMT_PURGED] = "SELECT 1 FROM purged WHERE id = ?1",
    [STMT_SAVEPOINT] = "SAVEPOINT write",
    [STMT_RELEASE] = "RELEASE write",
    [STMT_ROLLBACK_TO] = "ROLLBACK TO write",
    /* An own entry (no origin sequence) notes the hub cursor applied
     * when it was made: the hub tells by it an edit concurrent with a
     * hand-over from one made after the node learnt of it.  Its MAC
     * covers that too (STORE_MAC_COLS_CHANGE). */
    [STMT_CHANGE_INSERT] = "INSERT INTO change(seq, rid, kind, origin, "
			   "oseq, actor, hlc, vers, prev, body, seen, mac) "
			   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
			   CHANGE_SEEN ", presidio_mac('change', ?1, ?2, ?3, "
			   "?4, ?5, ?6, ?7, ?8, ?9, " CHANGE_SEEN "))",
};

int store_meta_get_int(struct store *s, const char *key, int64_t *v,
		       struct err *e)
{
	struct store_q *q = store_q_fixed(s, STMT_META_GET, "reading settings");
	int found = 0;
	int rc;

	store_q_bind_text(q, 1, key);
	if (store_q_row(q)) {
		*v = store_q_col_i64(q, 0);
		found = 1;
	}
	rc = store_q_end(q, e);
	if (!rc && !found)
		rc = err_set(e, ERR_NOTFOUND, "setting '%s' missing", key);
	return rc;
}

int store_meta_set_int(struct store *s, const char *key, int64_t v,
		       struct err *e)
{
	struct store_q *q = store_q_fixed(s, STMT_META_SET, "saving settings");

	store_q_bind_text(q, 1, key);
	store_q_bind_int(q, 2, v);
	return store_q_run(q, e);
}

static int meta_set_blob(struct store *s, const char *key, const void *v,
			 int len, struct err *e)
{
	struct store_q *q = store_q_fixed(s, STMT_META_SET, "saving settings");

	store_q_bind_text(q, 1, key);
	if (len < 0)
		store_q_bind_text(q, 2, v);
	else
		store_q_bind_blob(q, 2, v, (size_t)len);
	return store_q_run(q, e);
}

static uint64_t wall_ms(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/*
 * A connection's page cache, KiB.  The merge and the search index read
 * the same records again and run a quarter slower with 4 MiB; a sync,
 * which reads each page about once, takes less (cmd_sync.c).
 */
#define STORE_CACHE_KIB_TEXT "8192"

/* Pragmas every connection needs.  synchronous=FULL: see store.h. */
int store_configure(struct store *s, struct err *e)
{
	/* temp_store=MEMORY: sorts and temporary tables never spill to
	 * files; secure_delete: freed pages are zeroed, so a removed
	 * operator's slot or a retired data key does not linger. */
	return store_exec(s,
			  "PRAGMA journal_mode=WAL;"
			  "PRAGMA synchronous=FULL;"
			  "PRAGMA foreign_keys=ON;"
			  "PRAGMA temp_store=MEMORY;"
			  "PRAGMA secure_delete=ON;"
			  "PRAGMA cache_size=-" STORE_CACHE_KIB_TEXT ";",
			  e);
}

int store_user_version(struct store *s, int *v, struct err *e)
{
	struct store_q *q = store_q(s, "PRAGMA user_version", "reading schema");
	int found = store_q_row(q);
	int rc;

	if (found)
		*v = store_q_col_int(q, 0);
	rc = store_q_end(q, e);
	if (!rc && !found)
		rc = err_set(e, ERR_FAIL, "reading schema: no version");
	return rc;
}

int store_migration_latest(void)
{
	return schema_nmigrations
		   ? schema_migrations[schema_nmigrations - 1].version
		   : 0;
}

int store_migrate(struct store *s, const struct schema_migration *migs,
		  size_t nmigs, struct err *e)
{
	char sql[64];
	int have = 0;
	int rc = store_user_version(s, &have, e);

	if (rc)
		return rc;
	if (nmigs &&
	    have > migs[nmigs - 1].version)
		return err_set(
		    e, ERR_FAIL,
		    "database schema %d is newer than this "
		    "presidio (%d): upgrade presidio",
		    have, migs[nmigs - 1].version);
	for (size_t i = 0; i < nmigs; i++) {
		const struct schema_migration *m = &migs[i];

		if (m->version <= have)
			continue;
		rc = store_exec(s, "BEGIN IMMEDIATE", e);
		if (rc)
			return rc;
		/* Re-check under the lock: another process may have
		 * migrated meanwhile. */
		rc = store_user_version(s, &have, e);
		if (!rc && m->version > have) {
			rc = store_exec(s, m->sql, e);
			if (rc)
				err_prefix(e, "migration %s", m->name);
			snprintf(sql, sizeof(sql), "PRAGMA user_version=%d",
				 m->version);
			if (!rc)
				rc = store_exec(s, sql, e);
		}
		if (rc) {
			store_sql_abort(s);
			return rc;
		}
		rc = store_exec(s, "COMMIT", e);
		if (rc)
			return rc;
		have = m->version;
	}
	return 0;
}

static char *db_path(const char *dir)
{
	size_t n = strlen(dir) + sizeof(STORE_DB_FILE) + 2;
	char *p = malloc(n);

	if (p)
		snprintf(p, n, "%s/%s", dir, STORE_DB_FILE);
	return p;
}

/* Open the database file (creating it when create) and prepare it. */
/* Handles opened in this process (store_file_stamp()). */
static atomic_uint_fast64_t instances;

static int open_db(struct store **out, const char *dir, int create,
		   int lock, struct err *e)
{
	struct store *s = NULL;
	char *path = NULL;
	int rc;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	path = db_path(dir);
	if (!s || !path || !(s->dir = strdup(dir))) {
		rc = err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	s->clock_fn = wall_ms;
	s->lock_fd = -1;
	s->instance = atomic_fetch_add(&instances, 1) + 1;
	if (!create && access(path, F_OK) != 0) {
		rc = err_set(e, ERR_NOTFOUND,
			     "no presidio node in %s (run 'presidio init')",
			     dir);
		goto out;
	}
	/* Held shared while open: a restore waits for no one and replaces
	 * the files only when no process has them (store_backup.h). */
	rc = lock ? store_dir_lock(dir, 0, &s->lock_fd, e) : 0;
	if (!rc)
		rc = store_sql_open(s, path, create, stmt_sql, STMT_COUNT, e);
	if (!rc)
		rc = store_configure(s, e);
	if (!rc)
		rc = store_mac_register(s, e);
	if (!rc)
		rc = store_migrate(s, schema_migrations, schema_nmigrations, e);
out:
	free(path);
	if (rc)
		store_close(s);
	else
		*out = s;
	return rc;
}

/* Read identity and clock from meta. */
static int load_identity(struct store *s, struct err *e)
{
	struct store_q *q = NULL;
	int64_t role = 0, hlc = 0;
	int rc, found = 0;

	q = store_q(s,
		    "SELECT n.idx, n.id, n.name FROM meta m "
		    "JOIN node n ON n.id = m.value WHERE m.key = 'node_id'",
		    "reading identity");
	if (store_q_row(q) && store_q_col_bytes(q, 1) == ID_BYTES) {
		const char *name = store_q_col_text(q, 2);

		s->self_node = store_q_col_i64(q, 0);
		memcpy(s->node_id.b, store_q_col_blob(q, 1), ID_BYTES);
		snprintf(s->name, sizeof(s->name), "%s", name ? name : "");
		found = 1;
	}
	rc = store_q_end(q, e);
	if (!rc && !found)
		rc = err_set(e, ERR_CORRUPT,
			     "node identity missing from database");
	if (rc)
		return rc;
	rc = store_meta_get_int(s, "role", &role, e);
	if (!rc)
		rc = store_meta_get_int(s, "hlc", &hlc, e);
	if (rc)
		return rc;
	s->role = role == STORE_ROLE_HUB ? STORE_ROLE_HUB : STORE_ROLE_NODE;
	hlc_init(&s->clock, (uint64_t)hlc);
	return 0;
}

/* store_open(), taking the directory's lock file (shared) or not. */
static int open_store(struct store **out, const char *dir, int lock,
		      struct err *e)
{
	struct store *s = NULL;
	int rc = open_db(&s, dir, 0, lock, e);

	if (!rc)
		rc = load_identity(s, e);
	if (!rc)
		rc = store_require_kin_init(s, e);
	if (rc) {
		store_close(s);
		s = NULL;
	}
	*out = s;
	return rc;
}

int store_open(struct store **out, const char *dir, struct err *e)
{
	return open_store(out, dir, 1, e);
}

int store_open_nolock(struct store **out, const char *dir, struct err *e)
{
	return open_store(out, dir, 0, e);
}

/* mkdir -p: create dir and missing parents, each 0700. */
static int mkdir_parents(const char *dir)
{
	char *path = strdup(dir);
	int rc = 0;

	if (!path)
		return -1;
	for (char *p = path + 1; *p && !rc; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) != 0 && errno != EEXIST)
			rc = -1;
		*p = '/';
	}
	if (!rc && mkdir(path, 0700) != 0)
		rc = -1;
	free(path);
	return rc;
}

static int dir_is_empty(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int empty = 1;

	if (!d)
		return 0;
	while (empty && (de = readdir(d)) != NULL)
		empty = !strcmp(de->d_name, ".") || !strcmp(de->d_name, "..");
	closedir(d);
	return empty;
}

/* Create the directory (0700) or check an existing one is free. */
static int make_dir(const char *dir, struct err *e)
{
	struct stat st;
	char *path = NULL;
	int rc = 0;

	if (mkdir_parents(dir) == 0)
		return 0;
	if (errno != EEXIST)
		return err_set(e, ERR_IO, "cannot create %s: %s", dir,
			       strerror(errno));
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return err_set(e, ERR_IO, "%s is not a directory", dir);
	/* The node's files are nobody else's business.  An empty directory
	 * is made private; one already shared with others (say /tmp) is
	 * refused rather than changed under its other users. */
	if ((st.st_mode & 077) && !dir_is_empty(dir))
		return err_set(e, ERR_IO,
			       "%s is open to other users and not empty: use "
			       "an empty or private directory",
			       dir);
	if ((st.st_mode & 077) && chmod(dir, 0700) != 0)
		return err_set(e, ERR_IO, "cannot make %s private: %s", dir,
			       strerror(errno));
	path = db_path(dir);
	if (!path)
		return err_set(e, ERR_NOMEM, "out of memory");
	if (access(path, F_OK) == 0)
		rc = err_set(e, ERR_EXISTS, "%s already holds a presidio node",
			     dir);
	free(path);
	return rc;
}

/* A failed init leaves no half-made database behind (make_dir() checked
 * there was none before). */
static void remove_db(const char *dir)
{
	static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
	char path[4096];

	for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s%s", dir, STORE_DB_FILE,
			 suffix[i]);
		unlink(path);
	}
}

int store_init(const char *dir, const char *name, enum store_role role,
	       const struct store_secret *first, struct err *e)
{
	struct store *s = NULL;
	struct id node;
	struct store_q *st = NULL;
	int rc;

	if (!name || !*name || strlen(name) >= STORE_NAME_MAX)
		return err_set(e, ERR_INVALID,
			       "node name must be 1 to %d characters",
			       STORE_NAME_MAX - 1);
	if (!first || !first->operator)
		return err_set(e, ERR_INVALID, "the first operator is needed");
	rc = keyslot_check_operator(first->operator, e);
	if (rc)
		return rc;
	rc = make_dir(dir, e);
	if (rc)
		return rc;
	rc = open_db(&s, dir, 1, 1, e);
	if (rc)
		goto out;
	id_generate(&node);
	rc = store_exec(s, "BEGIN IMMEDIATE", e);
	if (rc)
		goto out;
	st = store_q(s, "INSERT INTO node(id, name, role) VALUES (?1, ?2, ?3)",
		     "creating node");
	store_q_bind_blob(st, 1, node.b, ID_BYTES);
	store_q_bind_text(st, 2, name);
	store_q_bind_int(st, 3, role);
	rc = store_q_run(st, e);
	if (rc)
		goto out;
	rc = meta_set_blob(s, "node_id", node.b, ID_BYTES, e);
	if (!rc)
		rc = store_meta_set_int(s, "role", role, e);
	if (!rc)
		rc = store_meta_set_int(s, "hlc", 0, e);
	if (!rc)
		rc = store_keys_create(s, first, e);
	if (!rc)
		rc = store_exec(s, "COMMIT", e);
out:
	if (rc && s)
		store_sql_abort(s);
	store_close(s);
	if (rc)
		remove_db(dir);
	return rc;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	store_keys_release(s);
	store_applied_free(s);
	store_pkey_close(s);
	store_sql_close(s);
	store_dir_unlock(s->lock_fd);
	free(s->actors);
	free(s->dir);
	free(s);
}

void store_set_write_hook(struct store *s, store_write_fn fn, void *ctx)
{
	s->write_hook = fn;
	s->write_hook_ctx = ctx;
}

void store_set_quota_hook(struct store *s, store_quota_fn fn, void *ctx)
{
	s->quota_hook = fn;
	s->quota_hook_ctx = ctx;
}

void store_set_holds_all(struct store *s, int on)
{
	s->holds_all = on ? 1 : 0;
}

void store_set_clock(struct store *s, store_clock_fn fn, void *ctx)
{
	s->clock_fn = fn ? fn : wall_ms;
	s->clock_ctx = ctx;
}

uint64_t store_wall_ms(const struct store *s)
{
	return s->clock_fn(s->clock_ctx);
}

const struct id *store_node_id(const struct store *s)
{
	return &s->node_id;
}

const char *store_node_name(const struct store *s)
{
	return s->name;
}

enum store_role store_role(const struct store *s)
{
	return s->role;
}

const char *store_operator(const struct store *s)
{
	/* A signed-out session's handle is locked already, even before its
	 * next use wipes its keys. */
	if (!s->sealer || !s->sess || store_session_locked(s->sess))
		return NULL;
	return store_session_operator(s->sess);
}

const char *store_dir(const struct store *s)
{
	return s->dir;
}

uint32_t store_key_gen(const struct store *s)
{
	return s->sealer ? sealer_current(s->sealer) : 0;
}
