/*
 * store_fixture.h - helpers shared by the store's unit tests: a fresh node
 * unlocked with a key-file slot (no Argon2, so tests stay fast), reopening
 * it, writing JSON, and poking the database through a second connection
 * the way an attacker with the file would.  Header-only: static inline.
 */
#ifndef PRESIDIO_TEST_STORE_FIXTURE_H
#define PRESIDIO_TEST_STORE_FIXTURE_H

#include "node/store.h"
#include "node/store_sync.h"
#include "registry/registry.h"
#include "tests/test.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint8_t keyfile[KEYSLOT_KEYFILEBYTES];

static inline struct store_secret secret_of(const char *op)
{
	struct store_secret s = { op, KEYSLOT_KEYFILE, keyfile, sizeof(keyfile),
				  NULL };

	return s;
}

static char dir[4200];

/* A fresh node unlocked with a key-file slot (no Argon2: fast). */
static inline struct store *fresh(void)
{
	struct store_secret sec = secret_of("m.rossi");
	struct store *s = NULL;

	memset(keyfile, 7, sizeof(keyfile));
	snprintf(dir, sizeof(dir), "%s/node", test_tmpdir());
	if (store_init(dir, "polo-test", STORE_ROLE_NODE, &sec, NULL))
		return NULL;
	if (store_open(&s, dir, NULL))
		return NULL;
	if (store_unlock(s, &sec, NULL)) {
		store_close(s);
		return NULL;
	}
	return s;
}

/* A node of its own in test_tmpdir()/name (its path left in dir),
 * unlocked by operator op with the key-file slot; NULL on failure. */
static inline struct store *fixture_node(const char *name,
					 enum store_role role, const char *op)
{
	struct store_secret sec = secret_of(op);
	struct store *s = NULL;

	memset(keyfile, 7, sizeof(keyfile));
	snprintf(dir, sizeof(dir), "%s/%s", test_tmpdir(), name);
	if (store_init(dir, name, role, &sec, NULL) ||
	    store_open(&s, dir, NULL) || store_unlock(s, &sec, NULL)) {
		store_close(s);
		return NULL;
	}
	/* A hub keeps its registry, as `presidio` opens it (cli_open()). */
	if (role == STORE_ROLE_HUB)
		registry_attach(s);
	return s;
}

static inline struct store *reopen(struct store *s)
{
	struct store_secret sec = secret_of("m.rossi");

	store_close(s);
	s = NULL;
	if (store_open(&s, dir, NULL) || store_unlock(s, &sec, NULL)) {
		store_close(s);
		return NULL;
	}
	if (store_role(s) == STORE_ROLE_HUB)
		registry_attach(s);
	return s;
}

static inline int put_json(struct store *s, const char *coll, const struct id *id,
		    const char *json, struct store_put_result *res)
{
	json_t *f = json_loads(json, 0, NULL);
	int rc = f ? store_put(s, coll, id, f, res, NULL) : -100;

	json_decref(f);
	return rc;
}

/* put_json with the error kept in e, whose message the tests read. */
static inline int put_err(struct store *s, const char *coll,
			  const struct id *id, const char *json,
			  struct store_put_result *res, struct err *e)
{
	json_t *v = json_loads(json, 0, NULL);
	int rc;

	err_init(e);
	rc = v ? store_put(s, coll, id, v, res, e) : ERR_FAIL;
	json_decref(v);
	return rc;
}

/* Enrol s as a node of kind (its role for procedure steps) in region,
 * with hub (NULL: a made-up one). */
static inline int fixture_enrol(struct store *s, const char *kind,
				const char *region, const struct id *hub)
{
	struct store_remote r;

	memset(&r, 0, sizeof(r));
	snprintf(r.url, sizeof(r.url), "https://hub.example:8443");
	if (hub)
		r.hub_id = *hub;
	else
		id_generate(&r.hub_id);
	memset(r.hub_pk, 5, sizeof(r.hub_pk));
	snprintf(r.name, sizeof(r.name), "%s-1", kind);
	snprintf(r.kind, sizeof(r.kind), "%s", kind);
	snprintf(r.region, sizeof(r.region), "%s", region);
	r.enrolled = 1700000000;
	return store_remote_set(s, &r, NULL);
}

/* Run a one-value SQL query through a separate connection. */
/* A trigger by which the change log refuses updates (kind 2) half way
 * through a write, after the record's row: a write that fails inside its
 * transaction (sql_exec() it; DROP TRIGGER fail_updates undoes it). */
#define FIXTURE_FAIL_UPDATES                                                   \
	"CREATE TRIGGER fail_updates BEFORE INSERT ON change WHEN NEW.kind = " \
	"2 BEGIN SELECT RAISE(ABORT, 'injected'); END;"

static inline long long sql_int(const char *sql)
{
	char path[4300];
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	long long v = -1;

	snprintf(path, sizeof(path), "%s/%s", dir, STORE_DB_FILE);
	if (sqlite3_open(path, &db) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static inline int sql_exec(const char *sql)
{
	char path[4300];
	sqlite3 *db = NULL;
	int rc;

	snprintf(path, sizeof(path), "%s/%s", dir, STORE_DB_FILE);
	rc = sqlite3_open(path, &db);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	sqlite3_close(db);
	return rc;
}

/* Close s (whose file is dir), run sql on the file as a thief with the
 * disk would, reopen it and unlock it as op; NULL on any failure. */
static inline struct store *fixture_tamper(struct store *s, const char *sql,
					   const char *op)
{
	struct store_secret sec = secret_of(op);

	store_close(s);
	s = NULL;
	if (sql_exec(sql) != SQLITE_OK || store_open(&s, dir, NULL) ||
	    store_unlock(s, &sec, NULL)) {
		store_close(s);
		return NULL;
	}
	return s;
}

/* A logged change as the receiving side of sync gets it. */
static inline void incoming_of(const struct store_change *c,
			       struct store_incoming *in)
{
	memset(in, 0, sizeof(*in));
	in->record = c->record;
	in->collection = c->coll->name;
	in->kind = c->kind;
	in->origin = c->origin;
	in->origin_seq = c->origin_seq;
	in->operator = c->operator;
	in->hlc = c->hlc;
	in->fields = c->fields;
	in->prev = c->prev_ids;
	in->nprev = c->nprev_ids;
}

/* One store's log handed to another as sync carries it (store_log() on
 * one side, store_apply() on the other), counted.  only: that record's
 * changes alone (NULL: every record). */
struct fixture_ship {
	struct store *to;
	const struct id *only;
	size_t applied, known, rejected, kept, failed;
	struct err e;
};

static inline int fixture_ship_one(void *ctx, const struct store_change *c)
{
	struct fixture_ship *sh = ctx;
	struct store_apply_result res;
	struct store_incoming in;

	if (sh->only && id_cmp(&c->record, sh->only) != 0)
		return 0;
	incoming_of(c, &in);
	if (store_apply(sh->to, &in, &res, &sh->e)) {
		sh->failed++;
		return 0;
	}
	sh->applied += res.seq != 0;
	sh->known += res.known != 0;
	sh->rejected += res.rejected;
	sh->kept += res.kept != 0;
	return 0;
}

/* The changes of from's log after seq after (limit of them, 0: all) into
 * sh->to, added to sh's counts: 0, or -1 when one failed. */
static inline int fixture_ship_range(struct store *from, uint64_t after,
				     size_t limit, struct fixture_ship *sh)
{
	if (store_log(from, after, limit, 1, fixture_ship_one, sh, NULL) ||
	    sh->failed)
		return -1;
	return 0;
}

/* Every change of from's log (of record only, when not NULL) into to: 0,
 * or -1 when one failed; *sh (when not NULL) gets the counts. */
static inline int fixture_ship(struct store *from, struct store *to,
			       const struct id *only, struct fixture_ship *sh)
{
	struct fixture_ship own;

	if (!sh)
		sh = &own;
	memset(sh, 0, sizeof(*sh));
	sh->to = to;
	sh->only = only;
	err_init(&sh->e);
	return fixture_ship_range(from, 0, 0, sh);
}

struct collected {
	int n;
	struct store_change c[8];
	json_t *values[8];
};

static inline int collect(void *ctx, const struct store_change *c)
{
	struct collected *k = ctx;

	if (k->n >= 8)
		return 1;
	k->c[k->n] = *c;
	version_set_init(&k->c[k->n].vers);
	version_set_init(&k->c[k->n].prev);
	if (version_set_copy(&k->c[k->n].vers, &c->vers) ||
	    version_set_copy(&k->c[k->n].prev, &c->prev))
		return 1;
	k->values[k->n] = json_incref(c->fields);
	k->c[k->n].fields = NULL;
	k->n++;
	return 0;
}

static inline void collected_release(struct collected *k)
{
	for (int i = 0; i < k->n; i++) {
		version_set_release(&k->c[i].vers);
		version_set_release(&k->c[i].prev);
		json_decref(k->values[i]);
	}
	k->n = 0;
}

static inline int read_all(void *ctx, const struct store_record *r)
{
	(*(int *)ctx) += r->fields != NULL;
	return 0;
}

#endif
