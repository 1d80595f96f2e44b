/*
 * store_pkey.c - per-person keys (node/store_pkey.h).
 *
 * The keys file is a second SQLite connection held in a struct store of
 * its own (only its connection and statement cache are used), so that its
 * statements go through store_sql.h like every other.  Its schema is
 * schema/migrations/keys/.
 *
 * The cache is direct-mapped by the id's first bytes (ids are random): a
 * miss costs one indexed read and one unseal, and a node's working set
 * (a page of a list, a case and its children) fits many times over.  A
 * walk over every person (the search index built, a view's memo, the hub's
 * 50,000) would miss on each: after PKEY_BULK_AFTER misses the handle
 * loads every key at once, one scan of the file into a table of its own
 * (open addressing, at most 3/4 full), and looks there first.  That table
 * goes wherever the cache goes.
 */
#include "node/store_int.h"
#include "node/store_erase.h"
#include "node/store_pkey.h"
#include "schema/migrations.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PKEY_AD "presidio.pkey.v1"
#define PKEY_CACHE 512
#define PKEY_BULK_AFTER 256 /* misses before every key is loaded at once */

struct pkey_entry {
	uint8_t id[ID_BYTES];
	int valid;
	unsigned char key[SEAL_KEYBYTES];
};

struct store_pkeys {
	struct store conn;   /* the keys file's connection (db, sql) */
	int open;            /* conn holds an open connection */
	int in_tx;           /* a write transaction is open on it */
	int64_t version;     /* PRAGMA data_version when last seen */
	struct pkey_entry *cache; /* PKEY_CACHE entries, sodium_malloc */
	struct pkey_entry *all;   /* every key (nall slots, at most 3/4
				     full), sodium_malloc; NULL: not
				     loaded */
	size_t nall;
	unsigned misses;          /* since the cache was last wiped */
};

char *store_pkey_path(const char *dir)
{
	size_t n = strlen(dir) + sizeof(STORE_PKEY_FILE) + 2;
	char *p = malloc(n);

	if (p)
		snprintf(p, n, "%s/%s", dir, STORE_PKEY_FILE);
	return p;
}

static struct pkey_entry *slot_of(struct store_pkeys *k, const uint8_t *id)
{
	return &k->cache[(id[0] | (unsigned)id[1] << 8) % PKEY_CACHE];
}

/* The slot of id in the table of every key: its entry, or the empty slot
 * where it would go. */
static struct pkey_entry *all_slot(struct store_pkeys *k, const uint8_t *id)
{
	size_t i = (id[0] | (size_t)id[1] << 8 | (size_t)id[2] << 16 |
		    (size_t)id[3] << 24) % k->nall;

	while (k->all[i].valid && memcmp(k->all[i].id, id, ID_BYTES) != 0)
		i = i + 1 == k->nall ? 0 : i + 1;
	return &k->all[i];
}

static void all_drop(struct store_pkeys *k)
{

	sodium_free(k->all); /* wipes it */
	k->all = NULL;
	k->nall = 0;
	k->misses = 0;
}

static int data_version(struct store_pkeys *k, int64_t *v, struct err *e)
{
	struct store_q *q = store_q(&k->conn, "PRAGMA data_version",
				    "reading the keys file");

	if (store_q_row(q))
		*v = store_q_col_i64(q, 0);
	return store_q_end(q, e);
}

/* The keys file open on s->pkeys (created when missing). */
static int keys_open(struct store *s, struct err *e)
{
	struct store_pkeys *k = s->pkeys;
	char *path = NULL;
	int rc;

	if (k && k->open)
		return 0;
	if (!k) {
		k = calloc(1, sizeof(*k));
		if (!k)
			return err_set(e, ERR_NOMEM, "out of memory");
		k->cache = sodium_malloc(PKEY_CACHE * sizeof(*k->cache));
		if (!k->cache) {
			free(k);
			return err_set(e, ERR_NOMEM, "out of memory");
		}
		sodium_memzero(k->cache, PKEY_CACHE * sizeof(*k->cache));
		k->conn.lock_fd = -1;
		s->pkeys = k;
	}
	path = s->dir ? store_pkey_path(s->dir) : NULL;
	if (!path)
		return err_set(e, ERR_NOMEM, "out of memory");
	rc = store_sql_open(&k->conn, path, 1, NULL, 0, e);
	if (!rc)
		rc = store_configure(&k->conn, e);
	if (!rc)
		rc = store_migrate(&k->conn, schema_key_migrations,
				   schema_nkey_migrations, e);
	if (!rc)
		rc = data_version(k, &k->version, e);
	if (rc) {
		err_prefix(e, "the keys file %s", path);
		store_sql_close(&k->conn);
	} else {
		k->open = 1;
	}
	free(path);
	return rc;
}

static void key_ad(const uint8_t *id, uint8_t *ad)
{
	memcpy(ad, PKEY_AD, sizeof(PKEY_AD));
	memcpy(ad + sizeof(PKEY_AD), id, ID_BYTES);
}

/* Load every key of the file into the table (best effort: on failure
 * lookups go on one at a time). */
static void all_load(struct store *s)
{
	struct store_pkeys *k = s->pkeys;
	uint8_t ad[sizeof(PKEY_AD) + ID_BYTES];
	struct store_q *q;
	size_t n = 0, cap, len;
	int rc = 0;

	q = store_q(&k->conn, "SELECT count(*) FROM person_key",
		    "counting persons' keys");
	if (store_q_row(q))
		n = (size_t)store_q_col_i64(q, 0);
	if (store_q_end(q, NULL))
		return;
	/* A third more slots than keys, not the next power of two: 50,000
	 * persons take 3.5 MB of locked memory, not 7. */
	cap = n + n / 3 + 64;
	k->all = sodium_malloc(cap * sizeof(*k->all));
	if (!k->all)
		return;
	k->nall = cap;
	sodium_memzero(k->all, cap * sizeof(*k->all));
	q = store_q(&k->conn, "SELECT id, body FROM person_key",
		    "loading persons' keys");
	for (n = 0; !rc && n < cap * 3 / 4 && store_q_row(q); n++) {
		struct pkey_entry *t;

		if (store_q_col_bytes(q, 0) != ID_BYTES ||
		    store_q_col_bytes(q, 1) != SEAL_OVERHEAD + SEAL_KEYBYTES)
			continue;
		t = all_slot(k, store_q_col_blob(q, 0));
		memcpy(t->id, store_q_col_blob(q, 0), ID_BYTES);
		key_ad(t->id, ad);
		rc = seal_open(s->sealer, store_q_col_blob(q, 1),
			       SEAL_OVERHEAD + SEAL_KEYBYTES, ad, sizeof(ad),
			       t->key, &len, NULL);
		t->valid = !rc;
		if (rc)
			sodium_memzero(t, sizeof(*t));
	}
	if (store_q_end(q, NULL) || rc)
		all_drop(k);
}

static int tx_begin(struct store *s, struct err *e)
{
	struct store_pkeys *k = s->pkeys;
	int rc;

	if (k->in_tx)
		return 0;
	if (!s->in_tx)
		return err_set(e, ERR_FAIL,
			       "a person's key is written only inside a "
			       "write transaction");
	rc = store_exec(&k->conn, "BEGIN IMMEDIATE", e);
	if (!rc)
		k->in_tx = 1;
	return rc;
}

/* Make person's key into slot t and write it sealed. */
static int key_create(struct store *s, const struct id *person,
		      struct pkey_entry *t, struct err *e)
{
	uint8_t ad[sizeof(PKEY_AD) + ID_BYTES];
	uint8_t box[SEAL_OVERHEAD + SEAL_KEYBYTES];
	char idtext[ID_TEXT_LEN + 1];
	struct store_q *q;
	int gone = 0;
	int rc = store_erased(s, person, &gone, e);

	if (rc)
		return rc;
	if (gone) {
		id_format(person, idtext);
		return err_set(e, ERR_GONE,
			       "person %s was erased: nothing more of it "
			       "may be written",
			       idtext);
	}
	rc = tx_begin(s, e);
	if (rc)
		return rc;
	t->valid = 0;
	memcpy(t->id, person->b, ID_BYTES);
	crypto_aead_xchacha20poly1305_ietf_keygen(t->key);
	key_ad(person->b, ad);
	if (seal_box(s->sealer, t->key, SEAL_KEYBYTES, ad, sizeof(ad), box)) {
		sodium_memzero(t->key, sizeof(t->key));
		return err_set(e, ERR_FAIL, "no data key loaded");
	}
	q = store_q(&s->pkeys->conn,
		    "INSERT INTO person_key(id, body, created) "
		    "VALUES (?1, ?2, ?3)",
		    "writing a person's key");
	store_q_bind_blob(q, 1, person->b, ID_BYTES);
	store_q_bind_blob(q, 2, box, sizeof(box));
	store_q_bind_int(q, 3, (int64_t)time(NULL));
	rc = store_q_run(q, e);
	if (rc)
		sodium_memzero(t->key, sizeof(t->key));
	else
		t->valid = 1;
	return rc;
}

int store_pkey_get(struct store *s, const struct id *person, int create,
		   const unsigned char **key, struct err *e)
{
	uint8_t ad[sizeof(PKEY_AD) + ID_BYTES];
	char idtext[ID_TEXT_LEN + 1];
	struct pkey_entry *t;
	struct store_q *q;
	size_t n = 0;
	int found, rc;

	*key = NULL;
	if (!s->sealer)
		return err_set(e, ERR_AUTH, "the node is locked: unlock first");
	rc = keys_open(s, e);
	if (rc)
		return rc;
	t = slot_of(s->pkeys, person->b);
	if (t->valid && memcmp(t->id, person->b, ID_BYTES) == 0) {
		*key = t->key;
		return 0;
	}
	/* A walk over many persons: every key at once (see above). */
	if (!s->pkeys->all && ++s->pkeys->misses > PKEY_BULK_AFTER)
		all_load(s);
	if (s->pkeys->all) {
		struct pkey_entry *a = all_slot(s->pkeys, person->b);

		if (a->valid) {
			*key = a->key;
			return 0;
		}
	}
	q = store_q(&s->pkeys->conn,
		    "SELECT body FROM person_key WHERE id = ?1",
		    "reading a person's key");
	store_q_bind_blob(q, 1, person->b, ID_BYTES);
	found = store_q_row(q);
	t->valid = 0;
	if (found) {
		key_ad(person->b, ad);
		if (store_q_col_bytes(q, 0) != SEAL_OVERHEAD + SEAL_KEYBYTES)
			rc = err_set(e, ERR_CORRUPT, "a person's key is "
						     "malformed");
		else
			rc = seal_open(s->sealer, store_q_col_blob(q, 0),
				       SEAL_OVERHEAD + SEAL_KEYBYTES, ad,
				       sizeof(ad), t->key, &n, e);
	}
	rc = store_q_done(q, rc, e);
	id_format(person, idtext);
	if (rc) {
		sodium_memzero(t->key, sizeof(t->key));
		err_prefix(e, "the key of person %s", idtext);
		return rc;
	}
	if (found) {
		memcpy(t->id, person->b, ID_BYTES);
		t->valid = 1;
	} else if (!create) {
		return err_set(e, ERR_NOTFOUND,
			       "the key of person %s is not held here "
			       "(erased, or a backup restored without its "
			       "keys)",
			       idtext);
	} else {
		rc = key_create(s, person, t, e);
		if (rc)
			return rc;
	}
	*key = t->key;
	return 0;
}

/* The owner named by the box of record id's row (*owned), and whether the
 * row is an erased person's (*gone); neither when there is no row. */
static int row_owner(struct store *s, const struct id *id, struct id *owner,
		     int *owned, int *gone, struct err *e)
{
	struct store_q *q = store_q(s, "SELECT substr(body, 1, 17), erased "
				       "FROM record WHERE id = ?1",
				    "reading a record's owner");

	store_q_bind_blob(q, 1, id->b, ID_BYTES);
	if (store_q_row(q)) {
		*gone = store_q_col_int(q, 1) != 0;
		/* Only the box's first bytes were read: its header. */
		*owned = store_q_col_bytes(q, 0) == 1 + SEAL_KIDBYTES &&
			 seal_box_kid(store_q_col_blob(q, 0),
				      SEAL_OWNED_OVERHEAD, owner->b);
	}
	return store_q_end(q, e);
}

int store_owner_of(struct store *s, const struct id *id,
		   const struct schema_collection *coll, const json_t *fields,
		   struct id *owner, int *owned, struct err *e)
{
	const struct id *look = id; /* the row whose box names the owner */
	struct id parent;
	char idtext[ID_TEXT_LEN + 1];
	const char *text;
	int gone = 0, rc;

	*owned = 0;
	switch (schema_scope_of(coll)) {
	case SCHEMA_SCOPE_SUBJECT:
		*owner = *id;
		*owned = 1;
		return 0;
	case SCHEMA_SCOPE_ROOT:
		text = coll->scope_subject
			   ? json_string_value(
				 json_object_get(fields, coll->scope_subject))
			   : NULL;
		if (text && id_parse(owner, text) == 0) {
			*owned = 1;
			return 0;
		}
		break; /* values without it (an update): the row says */
	case SCHEMA_SCOPE_PARENT:
		if (store_parent_of(coll, fields, &parent))
			look = &parent;
		break;
	default:
		return 0;
	}
	rc = row_owner(s, look, owner, owned, &gone, e);
	if (!rc && gone) {
		*owned = 0;
		id_format(look, idtext);
		rc = err_set(e, ERR_GONE,
			     "record %s belongs to an erased person: nothing "
			     "more of it may be written",
			     idtext);
	}
	return rc;
}

int store_pkey_commit(struct store *s, struct err *e)
{
	struct store_pkeys *k = s->pkeys;
	int rc;

	if (!k || !k->in_tx)
		return 0;
	rc = store_exec(&k->conn, "COMMIT", e);
	if (rc)
		err_prefix(e, "the keys file");
	k->in_tx = 0;
	return rc;
}

void store_pkey_rollback(struct store *s)
{
	struct store_pkeys *k = s->pkeys;

	if (!k || !k->in_tx)
		return;
	store_sql_abort(&k->conn);
	k->in_tx = 0;
	/* Keys made in the transaction are gone: so are their copies. */
	store_pkey_forget(s);
}

int store_pkey_refresh(struct store *s, struct err *e)
{
	struct store_pkeys *k = s->pkeys;
	int64_t v = 0;
	int rc;

	if (!k || !k->open || k->in_tx)
		return 0;
	rc = data_version(k, &v, e);
	if (!rc && v != k->version) {
		store_pkey_forget(s);
		k->version = v;
	}
	return rc;
}

void store_pkey_forget(struct store *s)
{
	if (s->pkeys && s->pkeys->cache)
		sodium_memzero(s->pkeys->cache,
			       PKEY_CACHE * sizeof(*s->pkeys->cache));
	if (s->pkeys)
		all_drop(s->pkeys);
}

void store_pkey_close(struct store *s)
{
	struct store_pkeys *k = s->pkeys;

	if (!k)
		return;
	store_pkey_rollback(s);
	store_sql_close(&k->conn);
	sodium_free(k->cache);
	all_drop(k);
	free(k);
	s->pkeys = NULL;
}

int store_pkey_destroy(struct store *s, const struct id *person, int *had,
		       struct err *e)
{
	struct pkey_entry *t;
	struct store_q *q;
	int rc = keys_open(s, e);

	*had = 0;
	if (!rc)
		rc = tx_begin(s, e);
	if (rc)
		return rc;
	q = store_q(&s->pkeys->conn, "DELETE FROM person_key WHERE id = ?1",
		    "destroying a person's key");
	store_q_bind_blob(q, 1, person->b, ID_BYTES);
	rc = store_q_run(q, e);
	if (!rc)
		*had = store_sql_changes(&s->pkeys->conn) > 0;
	t = slot_of(s->pkeys, person->b);
	if (memcmp(t->id, person->b, ID_BYTES) == 0)
		sodium_memzero(t, sizeof(*t));
	all_drop(s->pkeys);
	return rc;
}

void store_pkey_checkpoint(struct store *s)
{
	if (s->pkeys && s->pkeys->open && !s->pkeys->in_tx)
		store_sql_checkpoint(&s->pkeys->conn);
}

int store_pkey_reseal(struct store *s, uint64_t *n, struct err *e)
{
	uint8_t ad[sizeof(PKEY_AD) + ID_BYTES];
	uint8_t box[SEAL_OVERHEAD + SEAL_KEYBYTES];
	unsigned char *key = NULL;
	struct store_q *q = NULL, *u;
	size_t len = 0;
	int rc = keys_open(s, e);

	*n = 0;
	if (!rc)
		rc = tx_begin(s, e);
	if (rc)
		return rc;
	key = sodium_malloc(SEAL_KEYBYTES);
	if (!key)
		return err_set(e, ERR_NOMEM, "out of memory");
	q = store_q(&s->pkeys->conn, "SELECT id, body FROM person_key",
		    "re-sealing persons' keys");
	while (!rc && store_q_row(q)) {
		const uint8_t *box0 = store_q_col_blob(q, 1);

		if (store_q_col_bytes(q, 0) != ID_BYTES ||
		    store_q_col_bytes(q, 1) != (int)sizeof(box)) {
			rc = err_set(e, ERR_CORRUPT, "a person's key is "
						     "malformed");
			break;
		}
		if (seal_box_gen(box0, sizeof(box)) ==
		    sealer_current(s->sealer))
			continue;
		key_ad(store_q_col_blob(q, 0), ad);
		rc = seal_open(s->sealer, box0, sizeof(box), ad, sizeof(ad),
			       key, &len, e);
		if (!rc && seal_box(s->sealer, key, SEAL_KEYBYTES, ad,
				    sizeof(ad), box))
			rc = err_set(e, ERR_FAIL, "no data key loaded");
		if (rc)
			break;
		/* A second connection on the same file would wait for this
		 * one's lock: the update runs as a fresh statement. */
		u = store_q(&s->pkeys->conn,
			    "UPDATE person_key SET body = ?2 WHERE id = ?1",
			    "re-sealing persons' keys");
		store_q_bind_blob(u, 1, store_q_col_blob(q, 0), ID_BYTES);
		store_q_bind_blob(u, 2, box, sizeof(box));
		rc = store_q_run(u, e);
		if (!rc)
			(*n)++;
	}
	rc = store_q_done(q, rc, e);
	sodium_free(key);
	return rc;
}

int store_pkey_conn(struct store *s, struct store **conn, struct err *e)
{
	int rc = keys_open(s, e);

	*conn = rc ? NULL : &s->pkeys->conn;
	return rc;
}

int store_pkey_count(struct store *s, uint64_t *n, struct err *e)
{
	struct store_q *q;
	int rc = keys_open(s, e);

	*n = 0;
	if (rc)
		return rc;
	q = store_q(&s->pkeys->conn, "SELECT count(*) FROM person_key",
		    "counting persons' keys");
	if (store_q_row(q))
		*n = (uint64_t)store_q_col_i64(q, 0);
	return store_q_end(q, e);
}
