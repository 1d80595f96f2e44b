-- 0004_purged.sql: what is left of a purged tombstone.
--
-- A deleted record keeps its row and log entries (a tombstone) until every
-- node of its scope has acknowledged the delete (sync tracks that).  Then
-- the tombstone may be purged: values and history go, and only this row
-- stays, so that a change arriving later for the record, from a node that
-- never saw the delete, is refused instead of bringing it back.
CREATE TABLE purged (
	id BLOB PRIMARY KEY,      -- 16-byte record id
	coll INTEGER NOT NULL,
	hlc INTEGER NOT NULL,     -- time of the delete that was purged
	at INTEGER NOT NULL       -- unix seconds of the purge
) WITHOUT ROWID;
