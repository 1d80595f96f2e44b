-- 0001_store.sql: the local store of a node.
--
-- Only routing metadata is in clear here: ids, collection numbers, versions,
-- sequence numbers, scope parents, operator names.  Every field value is in
-- the sealed `body` blobs (node/seal.h); key material is wrapped (keyslot).

-- Node-wide settings: node_id, name, role, hlc (clock's last value, saved
-- in the same transaction as the writes it stamped), key_gen (data key in
-- use), rotating (generation a key rotation is moving to, while unfinished).
CREATE TABLE meta (
	key TEXT PRIMARY KEY,
	value
) WITHOUT ROWID;

-- Nodes this store has seen changes from, itself first.  The small integer
-- keeps the change log and the versions compact.
CREATE TABLE node (
	idx INTEGER PRIMARY KEY,
	id BLOB NOT NULL UNIQUE,          -- 16-byte node id
	name TEXT                          -- human name, when known
);

-- Who made a change: a node and one of its operators.  Versions
-- (conflict/version.h) refer to these numbers.
CREATE TABLE actor (
	idx INTEGER PRIMARY KEY,
	node INTEGER NOT NULL REFERENCES node(idx),
	operator TEXT NOT NULL,
	UNIQUE (node, operator)
);

-- Key slots (node/keyslot.h): one per operator or key file.
CREATE TABLE keyslot (
	id INTEGER PRIMARY KEY,
	operator TEXT NOT NULL UNIQUE,
	kind INTEGER NOT NULL,             -- 1 passphrase, 2 key file
	salt BLOB NOT NULL,
	opslimit INTEGER NOT NULL,
	memlimit INTEGER NOT NULL,
	pk BLOB NOT NULL,                  -- X25519 public key
	wrapped BLOB NOT NULL,             -- nonce | sealed secret key
	created INTEGER NOT NULL           -- unix seconds
);

-- Each data-key generation sealed to each slot's public key.
CREATE TABLE datakey (
	gen INTEGER NOT NULL,
	slot INTEGER NOT NULL REFERENCES keyslot(id) ON DELETE CASCADE,
	sealed BLOB NOT NULL,
	PRIMARY KEY (gen, slot)
) WITHOUT ROWID;

-- Records.  A rowid table with a unique index on the random id: random
-- keys as the clustered key of wide rows split pages everywhere (about four
-- times slower to insert, see CALIBRATION.md).
CREATE TABLE record (
	rid INTEGER PRIMARY KEY,
	id BLOB NOT NULL UNIQUE,           -- 16-byte record id
	coll INTEGER NOT NULL,             -- schema collection id
	parent BLOB,                       -- record whose scope this follows
	deleted INTEGER NOT NULL DEFAULT 0,-- deletion marker set (tombstone)
	vers BLOB NOT NULL,                -- version set of the fields
	body BLOB NOT NULL                 -- sealed JSON object of the values
);

-- The change log.  seq is the node-local sequence number.  Entries made
-- here have origin = this node and oseq NULL (their origin sequence is
-- seq); entries received from elsewhere keep the origin's sequence, and
-- the partial unique index makes a re-delivered entry impossible to store
-- twice without costing local writes anything.
CREATE TABLE change (
	seq INTEGER PRIMARY KEY,
	rid INTEGER NOT NULL REFERENCES record(rid),
	kind INTEGER NOT NULL,             -- 1 create, 2 update, 3 delete
	origin INTEGER NOT NULL REFERENCES node(idx),
	oseq INTEGER,
	actor INTEGER NOT NULL REFERENCES actor(idx),
	hlc INTEGER NOT NULL,
	vers BLOB NOT NULL,                -- new versions of changed fields
	prev BLOB NOT NULL,                -- versions the writer had seen
	body BLOB NOT NULL                 -- sealed JSON of the new values
);
CREATE UNIQUE INDEX change_origin ON change (origin, oseq)
	WHERE oseq IS NOT NULL;
CREATE INDEX change_record ON change (rid);
