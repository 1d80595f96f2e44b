-- 0006_handover.sql: nothing saved is lost when a case is handed over.
--
-- A node's own change notes the hub cursor (checkpoint sync.pull) the node
-- had applied when the change was made: the hub accepts a change made
-- while the node still held its case (the move-out comes after that
-- cursor) and refuses one made after the node learnt of the move.  NULL on
-- entries received from elsewhere and on entries made before this
-- migration (the hub then judges by what the node had acknowledged).
ALTER TABLE change ADD COLUMN seen INTEGER;

-- Changes refused whole or in part that outlived their log entry: on a
-- node, its own refused changes whose case left its scope (the purge takes
-- the entry, never the record of the refusal); on the hub, the changes it
-- refused from a peer (peer, oseq).  The value stays sealed as it was
-- (body, under the data key, bound by record, coll, vers and prev) for
-- `presidio refused --export`; only ids and times are in clear.
CREATE TABLE refused (
	seq INTEGER PRIMARY KEY,       -- node: the entry's number; hub: any
	peer INTEGER,                  -- hub: who pushed it; NULL on a node
	oseq INTEGER NOT NULL,         -- its number on the node that made it
	record BLOB NOT NULL,
	coll INTEGER NOT NULL,
	kind INTEGER NOT NULL,
	operator TEXT NOT NULL,
	hlc INTEGER NOT NULL,
	vers BLOB NOT NULL,
	prev BLOB NOT NULL,
	body BLOB NOT NULL,
	reason TEXT NOT NULL,
	at INTEGER NOT NULL            -- unix seconds it was kept here
);
CREATE UNIQUE INDEX refused_peer ON refused (peer, oseq)
	WHERE peer IS NOT NULL;

-- Node side: purges held back because the case held this node's own
-- changes the hub had not acknowledged yet; done once they are.
CREATE TABLE evict_pending (
	root BLOB PRIMARY KEY,
	at INTEGER NOT NULL            -- unix seconds the purge came
) WITHOUT ROWID;
