-- 0005_sync.sql: what sync keeps on both sides.
--
-- Every node: sealed secrets (its Ed25519 signing seed), what it knows of
-- its hub, and the log of scope purges.  The hub: the nodes it serves
-- (peers), the nonces of recent requests (replay), and the scope index:
-- for each case its region, assigned nodes and creator, which nodes see
-- it, and the events that changed that (move-in, move-out) in the order of
-- the change log so a pull replays them at the right point.

-- Small secrets sealed under the data key (store_secret_put): rotation
-- re-seals them with the records.
CREATE TABLE secret (
	name TEXT PRIMARY KEY,
	body BLOB NOT NULL
) WITHOUT ROWID;

-- Node side: the hub this node syncs with (one row).
CREATE TABLE remote (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	url TEXT NOT NULL,
	hub_id BLOB NOT NULL,          -- the hub's node id
	hub_pk BLOB NOT NULL,          -- the hub's Ed25519 public key
	ca_file TEXT,                  -- CA bundle that verifies the hub
	pin TEXT,                      -- or a pinned public key (sha256//...)
	name TEXT NOT NULL,            -- this node's name at the hub
	kind TEXT NOT NULL,
	region TEXT,
	enrolled INTEGER NOT NULL      -- unix seconds
);

-- Node side: cases purged because they left this node's scope.
CREATE TABLE eviction (
	id INTEGER PRIMARY KEY,
	root BLOB NOT NULL,            -- case (or other root) id
	records INTEGER NOT NULL,      -- records removed
	at INTEGER NOT NULL            -- unix seconds
);

-- Hub side: the nodes it serves.
CREATE TABLE peer (
	idx INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,
	kind TEXT NOT NULL,            -- polo, pda, attuatore
	region TEXT NOT NULL,
	node_id BLOB UNIQUE,           -- set at enrollment
	pk BLOB,                       -- Ed25519 public key
	token_hash BLOB,               -- BLAKE2b of the one-time token
	token_expires INTEGER,         -- unix seconds
	revoked INTEGER NOT NULL DEFAULT 0,
	record_cap INTEGER NOT NULL DEFAULT 0, -- 0 = no cap
	created INTEGER NOT NULL,
	last_contact INTEGER,          -- unix seconds
	push_ack INTEGER NOT NULL DEFAULT 0,   -- its highest change applied
	pull_ack INTEGER NOT NULL DEFAULT 0,   -- hub change seq it has
	rebootstrap INTEGER NOT NULL DEFAULT 0 -- tombstones it had not seen
					       -- were purged: start over
);

CREATE TABLE nonce (
	peer INTEGER NOT NULL,
	nonce BLOB NOT NULL,
	at INTEGER NOT NULL,           -- milliseconds, the request's time
	PRIMARY KEY (peer, nonce)
) WITHOUT ROWID;
CREATE INDEX nonce_at ON nonce (at);

-- Hub side: one row per case: what decides who sees it.
CREATE TABLE scope_case (
	id BLOB PRIMARY KEY,           -- case id
	person BLOB,                   -- the person it is about
	region TEXT,
	nodes TEXT,                    -- JSON array of node names, or NULL
	creator INTEGER                -- node.idx that created it
) WITHOUT ROWID;
CREATE INDEX scope_case_person ON scope_case (person);

-- Hub side: which peer sees which case, now.
CREATE TABLE scope_member (
	peer INTEGER NOT NULL,
	case_id BLOB NOT NULL,
	PRIMARY KEY (peer, case_id)
) WITHOUT ROWID;
CREATE INDEX scope_member_case ON scope_member (case_id);

-- Hub side: a case entered (1) or left (0) a peer's scope with the change
-- at seq.
CREATE TABLE scope_event (
	seq INTEGER NOT NULL,
	peer INTEGER NOT NULL,
	case_id BLOB NOT NULL,
	entered INTEGER NOT NULL
);
CREATE INDEX scope_event_peer ON scope_event (peer, seq);

-- Hub side: changes a peer pushed that were refused whole (out of its
-- scope, purged record, invalid), one row each, shown by status.
CREATE TABLE refusal (
	peer INTEGER NOT NULL,
	oseq INTEGER NOT NULL,
	record BLOB NOT NULL,
	reason TEXT NOT NULL,
	at INTEGER NOT NULL,           -- unix seconds
	PRIMARY KEY (peer, oseq)
) WITHOUT ROWID;
