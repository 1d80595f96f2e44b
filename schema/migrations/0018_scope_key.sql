-- 0018_scope_key.sql: the hub's log by who may see it
-- (registry/registry_scope_key.c).
--
-- A pull judged every entry after its node's cursor against the node's
-- scope.  With 49 nodes pushing at once, each node's pull after its push
-- read the others' 13,000 entries to send none of them, and the hub's
-- cost per pushed change tripled.  Each entry now has a row per key that
-- can make it visible: its case for a case, the parent it follows for the
-- records under a case, the person and the node that created it for a
-- person, x'' for the collections every node sees.  A pull reads the rows
-- of its node's keys and judges those entries alone, by the same MAC'd
-- columns as before.  A row carries no MAC: a planted row brings an entry
-- that judgement refuses; a removed one hides its entry, as a damaged
-- index would, and verify counts those.  Empty on a node.
CREATE TABLE scope_key (
	key BLOB NOT NULL,             -- a case, parent, person or node id
	seq INTEGER NOT NULL,          -- change.seq
	PRIMARY KEY (key, seq)
) WITHOUT ROWID;
