/*
 * test_store_mac.c - the MACs of clear rows (node/store_mac.c): each
 * protected row rewritten through a second connection on the closed store,
 * as someone holding the file but no passphrase would, is refused where it
 * is used and reported by verify (naming the table, never a value); a MAC
 * blanked is a failure, not an older row; rotation keeps the rows
 * authenticated; lost commits show against the high-water mark; a store
 * made by the landed release (the fixture) opens and is upgraded.
 */
#include "tests/node/store_fixture.h"

#include <sys/stat.h>
#include <unistd.h>

static struct store *named(const char *name, enum store_role role)
{
	return fixture_node(name, role, "m.rossi");
}

/* Close, tamper with sql on the file, reopen and unlock. */
static struct store *tamper(struct store *s, const char *sql)
{
	store_close(s);
	if (sql_exec(sql) != SQLITE_OK) {
		printf("(tamper failed: %s) ", sql);
		return NULL;
	}
	return reopen(s = NULL);
}

/* verify fails, naming table in its message and not the text secret. */
static int verify_names(struct store *s, const char *table,
			const char *secret)
{
	struct err e;
	uint64_t bad = 0;
	int rc;

	err_init(&e);
	rc = store_verify(s, &bad, &e);
	if (rc != ERR_CORRUPT || bad == 0 || !strstr(e.msg, table) ||
	    (secret && strstr(e.msg, secret))) {
		printf("(verify: %d, %llu bad: %s) ", rc,
		       (unsigned long long)bad, e.msg);
		return 0;
	}
	return 1;
}

static int verify_ok(struct store *s)
{
	struct err e;
	uint64_t bad = 0;
	int rc;

	err_init(&e);
	rc = store_verify(s, &bad, &e);
	if (rc)
		printf("(verify: %d %s) ", rc, e.msg);
	return rc == 0 && bad == 0;
}

/* A person and a case of Puglia for it assigned to nodes (JSON list) on
 * s; the case's id in *kase.  0 or the failing rc. */
static int add_case(struct store *s, const char *nodes, struct id *kase)
{
	char json[256], pid[ID_TEXT_LEN + 1];
	struct store_put_result person, c;
	int rc = put_json(s, "person", NULL,
			  "{\"given_name\":\"A\",\"family_name\":\"B\"}",
			  &person);

	if (rc)
		return rc;
	id_format(&person.id, pid);
	snprintf(json, sizeof(json),
		 "{\"person_id\":\"%s\",\"region\":\"Puglia\",\"stage\":"
		 "\"intake\",\"nodes\":%s}",
		 pid, nodes);
	rc = put_json(s, "case", NULL, json, &c);
	if (!rc)
		*kase = c.id;
	return rc;
}

/* A hub with polo-fg enrolled (node id *node) and polo-ba registered,
 * and a case of Puglia assigned to polo-fg (*kase); NULL on failure. */
static struct store *hub_with_case(struct id *node, struct id *kase)
{
	struct store *h = named("hub", STORE_ROLE_HUB);
	char token[REGISTRY_TOKEN_LEN + 1];
	uint8_t pk[STORE_SIGN_PKBYTES];
	struct registry_peer p;

	memset(pk, 9, sizeof(pk));
	id_generate(node);
	if (h && (registry_peer_add(h, "polo-ba", "polo", "Puglia", 60, token,
				    NULL) ||
		  registry_peer_add(h, "polo-fg", "polo", "Puglia", 60, token,
				    NULL) ||
		  registry_peer_enroll(h, token, node, pk, &p, NULL) ||
		  add_case(h, "[\"polo-fg\"]", kase))) {
		store_close(h);
		return NULL;
	}
	return h;
}

/* On the hub: a peer's public key replaced is refused as unauthenticated,
 * and verify names the peer table. */
static void test_peer_key_replaced_refused(void)
{
	struct id node, kase;
	struct store *h = hub_with_case(&node, &kase);
	struct registry_peer p;

	CHECK(h);
	CHECK_OK(registry_peer_by_node(h, &node, &p, NULL));
	CHECK(verify_ok(h));
	h = tamper(h, "UPDATE peer SET pk = zeroblob(32) WHERE name = "
		      "'polo-fg'");
	CHECK(h);
	CHECK(registry_peer_by_node(h, &node, &p, NULL) == ERR_AUTH);
	CHECK(registry_peer_by_name(h, "polo-fg", &p, NULL) == ERR_AUTH);
	/* Nor does an operator's command bless the altered row. */
	CHECK(registry_peer_set_cap(h, "polo-fg", 10, NULL) == ERR_AUTH);
	CHECK(verify_names(h, "peer 1", "polo-fg"));
	store_close(h);
}

/* A peer whose row was altered can still be revoked (it is the one that
 * needs it): revoked, its token, node id and public key cleared, the row
 * authenticated again without the planted key. */
static void test_altered_peer_revoked(void)
{
	struct id node, kase;
	struct store *h = hub_with_case(&node, &kase);
	struct registry_peer p;

	CHECK(h);
	h = tamper(h, "UPDATE peer SET pk = randomblob(32), revoked = 0 "
		      "WHERE name = 'polo-fg'");
	CHECK(h);
	CHECK(registry_peer_by_name(h, "polo-fg", &p, NULL) == ERR_AUTH);
	CHECK_OK(registry_peer_revoke(h, "polo-fg", NULL));
	CHECK_OK(registry_peer_by_name(h, "polo-fg", &p, NULL));
	CHECK(p.revoked && !p.enrolled);
	CHECK(registry_peer_by_node(h, &node, &p, NULL) == ERR_NOTFOUND);
	CHECK(sql_int("SELECT count(*) FROM peer WHERE name = 'polo-fg' AND "
		      "(pk IS NOT NULL OR node_id IS NOT NULL OR token_hash "
		      "IS NOT NULL)") == 0);
	CHECK(verify_ok(h));
	/* An intact peer revoked keeps its identity: it is told it was. */
	CHECK_OK(registry_peer_revoke(h, "polo-ba", NULL));
	CHECK_OK(registry_peer_by_name(h, "polo-ba", &p, NULL));
	CHECK(p.revoked);
	CHECK(registry_peer_revoke(h, "nobody", NULL) == ERR_NOTFOUND);
	CHECK(verify_ok(h));
	store_close(h);
}

/* A peer row added with its scope rows is refused; a scope row or event
 * planted for an enrolled peer refuses that peer (nothing is served from
 * a widened scope); verify names the tables. */
static void test_peer_and_scope_added_refused(void)
{
	struct id node, kase, other, evil;
	struct store *h = hub_with_case(&node, &kase);
	struct registry_peer p;
	char sql[1024], hex[2 * ID_BYTES + 1];

	CHECK(h);
	CHECK_OK(add_case(h, "[\"polo-ba\"]", &other));
	id_generate(&evil);
	sodium_bin2hex(hex, sizeof(hex), evil.b, ID_BYTES);
	snprintf(sql, sizeof(sql),
		 "INSERT INTO peer(name, kind, region, node_id, pk, created) "
		 "VALUES ('evil', 'pda', 'Puglia', x'%s', zeroblob(32), 0); "
		 "INSERT INTO scope_member(peer, case_id) SELECT (SELECT idx "
		 "FROM peer WHERE name = 'evil'), id FROM scope_case;",
		 hex);
	h = tamper(h, sql);
	CHECK(h);
	CHECK(registry_peer_by_node(h, &evil, &p, NULL) == ERR_AUTH);
	CHECK(verify_names(h, "scope_member 2", NULL));
	CHECK(verify_names(h, "peer 1", "evil"));
	h = tamper(h, "DELETE FROM scope_member WHERE peer = (SELECT idx "
		      "FROM peer WHERE name = 'evil'); DELETE FROM peer WHERE "
		      "name = 'evil'");
	CHECK(h && verify_ok(h));
	CHECK_OK(registry_peer_by_node(h, &node, &p, NULL));
	/* polo-fg given polo-ba's case by a planted membership. */
	h = tamper(h, "INSERT INTO scope_member(peer, case_id) SELECT (SELECT "
		      "idx FROM peer WHERE name = 'polo-fg'), case_id FROM "
		      "scope_member WHERE peer = (SELECT idx FROM peer WHERE "
		      "name = 'polo-ba')");
	CHECK(h);
	CHECK(registry_peer_by_node(h, &node, &p, NULL) == ERR_AUTH);
	CHECK(verify_names(h, "scope_member 1", NULL));
	/* Or by a planted event that would bring its history along. */
	h = tamper(h, "DELETE FROM scope_member WHERE mac IS NULL; INSERT "
		      "INTO scope_event(seq, peer, case_id, entered) SELECT 9, "
		      "(SELECT idx FROM peer WHERE name = 'polo-fg'), case_id, "
		      "1 FROM scope_member WHERE peer = (SELECT idx FROM peer "
		      "WHERE name = 'polo-ba')");
	CHECK(h);
	CHECK(registry_peer_by_node(h, &node, &p, NULL) == ERR_AUTH);
	CHECK(verify_names(h, "scope_event 1", NULL));
	store_close(h);
}

/* The scope row of a case rewritten (nodes widened): the next write of
 * the case stops instead of re-deciding from it; verify names it. */
static void test_scope_case_rewritten(void)
{
	struct id node, kase;
	struct store *h = hub_with_case(&node, &kase);

	CHECK(h);
	h = tamper(h, "UPDATE scope_case SET nodes = '[\"polo-fg\","
		      "\"polo-ba\"]'");
	CHECK(h);
	CHECK(put_json(h, "case", &kase, "{\"stage\":\"closed\"}", NULL) ==
	      ERR_AUTH);
	CHECK(verify_names(h, "scope_case 1", "polo-ba"));
	store_close(h);
}

/* On a node: the hub's address rewritten stops sync at the remote. */
static void test_remote_rewritten_refused(void)
{
	struct store *s = named("n", STORE_ROLE_NODE);
	struct store_remote r, got;
	struct err e;

	CHECK(s);
	memset(&r, 0, sizeof(r));
	snprintf(r.url, sizeof(r.url), "https://hub.example:8443");
	id_generate(&r.hub_id);
	memset(r.hub_pk, 5, sizeof(r.hub_pk));
	snprintf(r.ca_file, sizeof(r.ca_file), "/etc/presidio/ca.pem");
	snprintf(r.name, sizeof(r.name), "polo-fg");
	snprintf(r.kind, sizeof(r.kind), "polo");
	snprintf(r.region, sizeof(r.region), "Puglia");
	r.enrolled = 1700000000;
	CHECK_OK(store_remote_set(s, &r, NULL));
	CHECK_OK(store_remote_get(s, &got, NULL));
	CHECK(strcmp(got.url, r.url) == 0);
	const char *rewrites[] = {
		"UPDATE remote SET url = 'https://evil.example'",
		"UPDATE remote SET hub_pk = zeroblob(32)",
		"UPDATE remote SET ca_file = '/tmp/evil.pem'",
		"UPDATE remote SET pin = 'sha256//AAAA'",
	};
	for (size_t i = 0; i < sizeof(rewrites) / sizeof(*rewrites); i++) {
		char sql[256];

		snprintf(sql, sizeof(sql),
			 "CREATE TABLE keep AS SELECT * FROM remote; %s",
			 rewrites[i]);
		s = tamper(s, sql);
		CHECK(s);
		err_init(&e);
		CHECK(store_remote_get(s, &got, &e) == ERR_AUTH);
		CHECK(strstr(e.msg, "hub") && !strstr(e.msg, "evil"));
		CHECK(verify_names(s, "remote 1", "evil"));
		s = tamper(s, "DELETE FROM remote; INSERT INTO remote SELECT "
			      "* FROM keep; DROP TABLE keep");
		CHECK(s);
		CHECK_OK(store_remote_get(s, &got, NULL));
	}
	store_close(s);
}

/* A cursor moved in the file is refused where read. */
static void test_cursor_moved_refused(void)
{
	struct store *s = named("n", STORE_ROLE_NODE);
	uint64_t v = 0;

	CHECK(s);
	CHECK_OK(store_checkpoint_set(s, "sync.pull", 42, NULL));
	CHECK_OK(store_checkpoint_get(s, "sync.pull", &v, NULL));
	CHECK(v == 42);
	s = tamper(s, "UPDATE meta SET value = 7 WHERE key = "
		      "'checkpoint:sync.pull'");
	CHECK(s);
	CHECK(store_checkpoint_get(s, "sync.pull", &v, NULL) == ERR_AUTH);
	CHECK(verify_names(s, "meta 1", NULL));
	/* Set again by presidio: fine. */
	CHECK_OK(store_checkpoint_set(s, "sync.pull", 43, NULL));
	CHECK_OK(store_checkpoint_get(s, "sync.pull", &v, NULL));
	CHECK(v == 43 && verify_ok(s));
	store_close(s);
}

/* History metadata: each rewrite is reported by verify, and restored it
 * passes again. */
static void test_history_metadata_tampered(void)
{
	struct store *s = named("n", STORE_ROLE_NODE);
	struct store_put_result person, kase, other, svc;
	char json[256], pid[ID_TEXT_LEN + 1], cid[ID_TEXT_LEN + 1];
	static const struct {
		const char *sql, *table;
	} cases[] = {
		{ "UPDATE actor SET operator = 'l.bianchi'", "actor" },
		/* The service moved under the other case (rid 3). */
		{ "UPDATE record SET parent = (SELECT id FROM record WHERE "
		  "rid = 3) WHERE parent IS NOT NULL",
		  "record" },
		{ "UPDATE record SET conflicts = 3 WHERE rid = 1", "record" },
		{ "UPDATE change SET kind = 3 WHERE seq = 1", "change" },
		{ "UPDATE change SET actor = actor + 1 WHERE seq = 1",
		  "change" },
		{ "UPDATE change SET origin = origin + 1 WHERE seq = 2",
		  "change" },
		{ "UPDATE node SET name = 'polo-other'", "node" },
	};

	CHECK(s);
	CHECK_OK(put_json(s, "person", NULL,
			  "{\"given_name\":\"A\",\"family_name\":\"B\"}",
			  &person));
	id_format(&person.id, pid);
	snprintf(json, sizeof(json),
		 "{\"person_id\":\"%s\",\"region\":\"Puglia\",\"stage\":"
		 "\"intake\"}",
		 pid);
	CHECK_OK(put_json(s, "case", NULL, json, &kase));
	CHECK_OK(put_json(s, "case", NULL, json, &other));
	id_format(&kase.id, cid);
	snprintf(json, sizeof(json),
		 "{\"case_id\":\"%s\",\"service_type\":\"legal_advice\","
		 "\"date\":\"2026-01-02\"}",
		 cid);
	CHECK_OK(put_json(s, "service", NULL, json, &svc));
	/* A second operator, whom the rewritten rows name. */
	{
		struct store_secret second = secret_of("l.bianchi");

		CHECK_OK(store_operator_add(s, &second, NULL));
	}
	s = reopen(s);
	CHECK(s && verify_ok(s));
	store_close(s);
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		char backup[4500], db[4400], cmd[9100];

		snprintf(db, sizeof(db), "%s/%s", dir, STORE_DB_FILE);
		snprintf(backup, sizeof(backup), "%s.bak", db);
		snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", db, backup);
		CHECK(system(cmd) == 0);
		s = tamper(NULL, cases[i].sql);
		CHECK(s);
		if (!s)
			continue;
		CHECK(verify_names(s, cases[i].table, "l.bianchi"));
		store_close(s);
		CHECK(rename(backup, db) == 0);
	}
	s = reopen(NULL);
	CHECK(s && verify_ok(s));
	store_close(s);
}

/* A blanked MAC is a failure (not an older row to upgrade), also after
 * reopening and unlocking again. */
static void test_blanked_mac_is_failure(void)
{
	struct id node, kase;
	struct store *h = hub_with_case(&node, &kase);
	struct registry_peer p;

	CHECK(h);
	h = tamper(h, "UPDATE peer SET mac = NULL, pk = zeroblob(32) WHERE "
		      "name = 'polo-fg'; UPDATE change SET mac = NULL");
	CHECK(h);
	h = reopen(h);
	CHECK(h);
	CHECK(registry_peer_by_node(h, &node, &p, NULL) == ERR_AUTH);
	CHECK(verify_names(h, "peer 1", NULL));
	CHECK(verify_names(h, "change", NULL));
	store_close(h);
}

/* After a key rotation every row still passes and is still checked. */
static void test_rotation_keeps_rows_authenticated(void)
{
	struct id node, kase;
	struct store *h = hub_with_case(&node, &kase);
	struct registry_peer p;
	uint64_t v = 0;

	struct store *worker = NULL;

	CHECK(h);
	CHECK_OK(store_checkpoint_set(h, "x", 5, NULL));
	/* A handle that served before the rotation (a hub worker) still
	 * authenticates the node after it. */
	CHECK_OK(store_clone(h, &worker, NULL));
	CHECK_OK(registry_peer_by_node(worker, &node, &p, NULL));
	CHECK_OK(store_key_rotate(h, NULL, NULL, NULL));
	CHECK(verify_ok(h));
	CHECK_OK(registry_peer_by_node(worker, &node, &p, NULL));
	store_close(worker);
	h = reopen(h);
	CHECK(h && verify_ok(h));
	CHECK_OK(registry_peer_by_node(h, &node, &p, NULL));
	CHECK_OK(store_checkpoint_get(h, "x", &v, NULL));
	CHECK(v == 5);
	CHECK_OK(store_key_rotate(h, NULL, NULL, NULL));
	h = tamper(h, "UPDATE peer SET pk = zeroblob(32) WHERE name = "
		      "'polo-fg'");
	CHECK(h);
	CHECK(registry_peer_by_node(h, &node, &p, NULL) == ERR_AUTH);
	/* A rotation does not bless it either. */
	CHECK_OK(store_key_rotate(h, NULL, NULL, NULL));
	CHECK(registry_peer_by_node(h, &node, &p, NULL) == ERR_AUTH);
	CHECK(verify_names(h, "peer 1", NULL));
	store_close(h);
}

static int copy_file(const char *from, const char *to)
{
	char cmd[9300];

	snprintf(cmd, sizeof(cmd), "cp '%s' '%s' 2>/dev/null", from, to);
	return system(cmd);
}

/* Commits lost (an older copy of the database files put back, as a
 * damaged -wal that SQLite stops reading at would) are reported against
 * the high-water mark; a mark that lags is fine. */
static void test_lost_commits_detected(void)
{
	struct store *s = named("n", STORE_ROLE_NODE);
	char db[4400], wal[4500], old[4500], oldwal[4500], mark[4500];
	struct err e;
	uint64_t bad = 0;

	CHECK(s);
	snprintf(db, sizeof(db), "%s/%s", dir, STORE_DB_FILE);
	snprintf(wal, sizeof(wal), "%s-wal", db);
	snprintf(old, sizeof(old), "%s.old", db);
	snprintf(oldwal, sizeof(oldwal), "%s.old-wal", db);
	snprintf(mark, sizeof(mark), "%s.mark", db);
	CHECK_OK(put_json(s, "test_item", NULL, "{\"title\":\"a\"}", NULL));
	store_close(s);
	CHECK(copy_file(db, old) == 0);
	copy_file(wal, oldwal);
	s = reopen(NULL);
	CHECK(s);
	CHECK_OK(put_json(s, "test_item", NULL, "{\"title\":\"b\"}", NULL));
	CHECK_OK(put_json(s, "test_item", NULL, "{\"title\":\"c\"}", NULL));
	CHECK(access(mark, F_OK) == 0);
	CHECK(verify_ok(s));
	store_close(s);
	/* The older files back, the newer mark kept. */
	CHECK(rename(old, db) == 0);
	unlink(wal);
	rename(oldwal, wal);
	s = reopen(NULL);
	CHECK(s);
	err_init(&e);
	CHECK(store_verify(s, &bad, &e) == ERR_CORRUPT);
	CHECK(bad >= 1 && strstr(e.msg, "missing"));
	store_close(s);
	/* A mark that lags (killed between a commit and the mark's update)
	 * is fine. */
	unlink(mark);
	s = reopen(NULL);
	CHECK(s);
	CHECK_OK(put_json(s, "test_item", NULL, "{\"title\":\"e\"}", NULL));
	store_close(s);
	CHECK(copy_file(mark, old) == 0);
	s = reopen(NULL);
	CHECK_OK(put_json(s, "test_item", NULL, "{\"title\":\"f\"}", NULL));
	store_close(s);
	CHECK(rename(old, mark) == 0);
	s = reopen(NULL);
	CHECK(s && verify_ok(s));
	store_close(s);
	/* No mark (a crash before it was first written): nothing to
	 * compare. */
	unlink(mark);
	s = reopen(NULL);
	CHECK(s && verify_ok(s));
	/* A damaged mark is reported. */
	CHECK_OK(put_json(s, "test_item", NULL, "{\"title\":\"d\"}", NULL));
	store_close(s);
	{
		FILE *f = fopen(mark, "r+b");

		CHECK(f);
		if (f) {
			fseek(f, 30, SEEK_SET);
			fputc(0x55, f);
			fclose(f);
		}
	}
	s = reopen(NULL);
	CHECK(s);
	err_init(&e);
	CHECK(store_verify(s, &bad, &e) == ERR_CORRUPT);
	CHECK(strstr(e.msg, "mark"));
	store_close(s);
}

/* A link planted at the mark's path is not followed: the file it points
 * to stays as it was, and verify reports the mark. */
static void test_mark_link_not_followed(void)
{
	struct store *s = named("n", STORE_ROLE_NODE);
	char mark[4500], victim[4500], buf[16] = "";
	FILE *f;

	CHECK(s);
	snprintf(mark, sizeof(mark), "%s/%s.mark", dir, STORE_DB_FILE);
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	CHECK_OK(put_json(s, "test_item", NULL, "{\"title\":\"a\"}", NULL));
	store_close(s);
	f = fopen(victim, "w");
	CHECK(f);
	if (f) {
		fputs("untouched", f);
		fclose(f);
	}
	CHECK(unlink(mark) == 0);
	CHECK(symlink(victim, mark) == 0);
	s = reopen(NULL);
	CHECK(s);
	CHECK_OK(put_json(s, "test_item", NULL, "{\"title\":\"b\"}", NULL));
	CHECK(verify_names(s, "mark", NULL));
	store_close(s);
	f = fopen(victim, "r");
	CHECK(f);
	if (f) {
		CHECK(fgets(buf, sizeof(buf), f) != NULL);
		fclose(f);
	}
	CHECK(strcmp(buf, "untouched") == 0);
}

/* The key slot's MAC, hex, through a second connection. */
static int slot_mac_hex(char *out, size_t n)
{
	char path[4300];
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int ok = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, STORE_DB_FILE);
	if (sqlite3_open(path, &db) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, "SELECT hex(mac) FROM keyslot", -1, &st,
			       NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0)) {
		snprintf(out, n, "%s", (const char *)sqlite3_column_text(st, 0));
		ok = out[0] != '\0';
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return ok;
}

/* Open and unlock: 0 or the error, its message in e. */
static int unlock_err(struct store **s, struct err *e)
{
	struct store_secret sec = secret_of("m.rossi");
	int rc;

	err_init(e);
	*s = NULL;
	rc = store_open(s, dir, e);
	if (!rc)
		rc = store_unlock(*s, &sec, e);
	return rc;
}

#define PLANT_PEER                                                             \
	"INSERT INTO peer(name, kind, region, node_id, pk, created) VALUES "   \
	"('evil', 'pda', 'Puglia', x'00112233445566778899aabbccddeeff', "     \
	"randomblob(32), 0); INSERT INTO scope_member(peer, case_id) SELECT "  \
	"(SELECT idx FROM peer WHERE name = 'evil'), id FROM scope_case;"

/* An image of a fresh store: the slot MAC it had before its first unlock,
 * written back with a peer planted without MAC, authenticates nothing. */
static void test_fresh_slot_mac_put_back(void)
{
	struct store_secret sec = secret_of("m.rossi");
	struct store *h = NULL;
	struct registry_peer p;
	struct id evil, node, kase;
	char mac[256], sql[1024];
	uint8_t pk[STORE_SIGN_PKBYTES];
	char token[REGISTRY_TOKEN_LEN + 1];
	struct err e;
	int rc;

	memset(keyfile, 7, sizeof(keyfile));
	memset(pk, 9, sizeof(pk));
	snprintf(dir, sizeof(dir), "%s/fresh-image", test_tmpdir());
	CHECK_OK(store_init(dir, "hub", STORE_ROLE_HUB, &sec, NULL));
	CHECK(slot_mac_hex(mac, sizeof(mac)));
	h = reopen(NULL);
	CHECK(h);
	if (!h)
		return;
	id_generate(&node);
	CHECK_OK(
	    registry_peer_add(h, "polo-fg", "polo", "Puglia", 60, token, NULL));
	CHECK_OK(registry_peer_enroll(h, token, &node, pk, &p, NULL));
	CHECK_OK(add_case(h, "[\"polo-fg\"]", &kase));
	store_close(h);
	snprintf(sql, sizeof(sql), "UPDATE keyslot SET mac = x'%s'; " PLANT_PEER,
		 mac);
	CHECK(sql_exec(sql) == SQLITE_OK);
	memset(evil.b, 0, sizeof(evil.b));
	sodium_hex2bin(evil.b, ID_BYTES, "00112233445566778899aabbccddeeff",
		       32, NULL, NULL, NULL);
	rc = unlock_err(&h, &e);
	if (rc == 0) {
		/* Not upgraded over: the planted rows stay refused. */
		CHECK(registry_peer_by_node(h, &evil, &p, NULL) == ERR_AUTH);
		CHECK(verify_names(h, "peer 1", "evil"));
		CHECK(sql_int("SELECT count(*) FROM peer WHERE mac IS NULL") ==
		      1);
	} else {
		CHECK(rc == ERR_CORRUPT && strstr(e.msg, "key slot"));
	}
	store_close(h);
}

/*
 * A store upgraded from the landed release (the fixture), with the slot
 * MAC of its pre-upgrade copy written back and a peer planted without
 * MAC: the next unlock refuses, naming the key slot, rather than
 * authenticating the planted rows.  Also when every row MAC was blanked
 * but the mark is there.  (With the mark deleted too the store is
 * indistinguishable from a landed one: README's limits.)
 */
static void test_landed_slot_mac_put_back(void)
{
	struct store *h = NULL;
	struct registry_peer p;
	char mac[256], sql[2048], cmd[13000];
	struct err e;

	snprintf(dir, sizeof(dir), "%s/landed-rollback", test_tmpdir());
	snprintf(cmd, sizeof(cmd),
		 "mkdir -p '%s' && cp tests/fixtures/store_v5/hub/%s '%s/' && "
		 "chmod 700 '%s'",
		 dir, STORE_DB_FILE, dir, dir);
	CHECK(system(cmd) == 0);
	CHECK(slot_mac_hex(mac, sizeof(mac)));
	memset(keyfile, 7, sizeof(keyfile));
	h = reopen(NULL);
	CHECK(h);
	if (!h)
		return;
	CHECK_OK(registry_peer_by_name(h, "polo-fg", &p, NULL));
	CHECK_OK(put_json(h, "person", NULL, "{\"given_name\":\"C\",\"family_name\":\"D\"}", NULL));
	CHECK(verify_ok(h));
	store_close(h);
	snprintf(sql, sizeof(sql), "UPDATE keyslot SET mac = x'%s'; " PLANT_PEER,
		 mac);
	CHECK(sql_exec(sql) == SQLITE_OK);
	CHECK(unlock_err(&h, &e) == ERR_CORRUPT);
	CHECK(strstr(e.msg, "key slot") && !strstr(e.msg, "evil"));
	store_close(h);
	CHECK(sql_int("SELECT count(*) FROM peer WHERE mac IS NULL") == 1);
	/* Every MAC blanked, the mark kept: refused too. */
	CHECK(sql_exec("UPDATE peer SET mac = NULL; UPDATE scope_case SET mac = "
		       "NULL; UPDATE scope_member SET mac = NULL; UPDATE "
		       "scope_event SET mac = NULL; UPDATE remote SET mac = "
		       "NULL; UPDATE node SET mac = NULL; UPDATE actor SET "
		       "mac = NULL; UPDATE meta SET mac = NULL; UPDATE record "
		       "SET mac = NULL; UPDATE change SET mac = NULL") ==
	      SQLITE_OK);
	snprintf(cmd, sizeof(cmd), "%s/%s.mark", dir, STORE_DB_FILE);
	CHECK(access(cmd, F_OK) == 0);
	CHECK(unlock_err(&h, &e) == ERR_CORRUPT);
	CHECK(strstr(e.msg, "key slot") != NULL);
	store_close(h);
}

/* A write undone inside a group used a change number that never reached
 * the log: the mark follows the log, not the numbers handed out. */
static void test_mark_after_undone_write(void)
{
	struct store *s = named("n", STORE_ROLE_NODE);
	struct store_put_result r;

	CHECK(s);
	CHECK_OK(put_json(s, "test_item", NULL, "{\"title\":\"a\"}", &r));
	CHECK(sql_exec(FIXTURE_FAIL_UPDATES) == SQLITE_OK);
	s = reopen(s);
	CHECK(s);
	CHECK_OK(store_begin(s, NULL));
	CHECK_OK(put_json(s, "test_item", NULL, "{\"title\":\"b\"}", NULL));
	CHECK(put_json(s, "test_item", &r.id, "{\"title\":\"c\"}", NULL) !=
	      0);
	CHECK_OK(store_commit(s, NULL));
	CHECK(sql_exec("DROP TRIGGER fail_updates") == SQLITE_OK);
	s = reopen(s);
	CHECK(s && verify_ok(s));
	store_close(s);
}

/* A planted trigger could change a row between a check and its
 * re-authentication: rows of its table are not re-authenticated, and
 * verify reports it. */
static void test_planted_trigger_refused(void)
{
	struct id node, kase;
	struct store *h = hub_with_case(&node, &kase);

	CHECK(h);
	h = tamper(h, "CREATE TRIGGER t AFTER UPDATE OF record_cap ON peer "
		      "BEGIN UPDATE peer SET pk = zeroblob(32) WHERE idx = "
		      "NEW.idx; END");
	CHECK(h);
	CHECK(registry_peer_set_cap(h, "polo-fg", 5, NULL) == ERR_CORRUPT);
	CHECK(verify_names(h, "trigger", NULL));
	store_close(h);
}

/*
 * A store made by the landed release (tests/fixtures/store_v5: a hub with
 * polo-fg enrolled and a case, a node with records, a remote and a
 * checkpoint; see tests/fixtures/README) opens, is upgraded at its first
 * unlock, passes verify; a MAC blanked afterwards is a failure.
 */
static void test_landed_store_upgraded(void)
{
	static const char *names[] = { "hub", "node" };
	char cmd[13000];

	for (size_t i = 0; i < 2; i++) {
		struct store *s = NULL;
		struct registry_peer p;
		struct store_remote r;
		uint64_t v = 0;
		int n = 0;

		snprintf(dir, sizeof(dir), "%s/landed-%s", test_tmpdir(),
			 names[i]);
		snprintf(cmd, sizeof(cmd),
			 "mkdir -p '%s' && cp tests/fixtures/store_v5/%s/%s "
			 "'%s/' && chmod 700 '%s'",
			 dir, names[i], STORE_DB_FILE, dir, dir);
		CHECK(system(cmd) == 0);
		CHECK(sql_int("PRAGMA user_version") == 5);
		memset(keyfile, 7, sizeof(keyfile));
		s = reopen(NULL);
		CHECK(s);
		if (!s)
			continue;
		CHECK(sql_int("PRAGMA user_version") >= 10);
		CHECK(verify_ok(s));
		CHECK(sql_int("SELECT count(*) FROM change WHERE mac IS NULL") ==
		      0);
		CHECK_OK(store_list(s, "person", 0, read_all, &n, NULL));
		CHECK(n >= 1);
		if (i == 0) {
			CHECK_OK(registry_peer_by_name(s, "polo-fg", &p, NULL));
			CHECK(p.enrolled);
			CHECK_OK(
			    registry_peer_by_node(s, &p.node_id, &p, NULL));
		} else {
			CHECK_OK(store_remote_get(s, &r, NULL));
			CHECK_OK(store_checkpoint_get(s, "sync.pull", &v,
						      NULL));
		}
		/* Upgraded: blanking a MAC does not make a row "older". */
		s = tamper(s, i == 0 ? "UPDATE peer SET mac = NULL"
				     : "UPDATE remote SET mac = NULL");
		CHECK(s);
		CHECK(verify_names(s, i == 0 ? "peer" : "remote", NULL));
		if (i == 0)
			CHECK(registry_peer_by_name(s, "polo-fg", &p, NULL) ==
			      ERR_AUTH);
		else
			CHECK(store_remote_get(s, &r, NULL) == ERR_AUTH);
		store_close(s);
	}
}

TEST_MAIN(T(test_peer_key_replaced_refused),
	  T(test_peer_and_scope_added_refused), T(test_scope_case_rewritten),
	  T(test_remote_rewritten_refused), T(test_cursor_moved_refused),
	  T(test_history_metadata_tampered), T(test_blanked_mac_is_failure),
	  T(test_rotation_keeps_rows_authenticated),
	  T(test_lost_commits_detected), T(test_mark_after_undone_write),
	  T(test_planted_trigger_refused),
	  T(test_landed_store_upgraded), T(test_altered_peer_revoked),
	  T(test_mark_link_not_followed), T(test_fresh_slot_mac_put_back),
	  T(test_landed_slot_mac_put_back))
