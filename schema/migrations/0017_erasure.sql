-- 0017_erasure.sql: erasure by key destruction (node/store_erase.h).
--
-- A person's records are sealed under the person's own key, kept in the
-- keys file (schema/migrations/keys/).  Erasing the person destroys the
-- key; the records that counted in reports stay, with only the values
-- that are not personal, sealed again under the data key, and marked
-- erased (no write reaches them any more).
ALTER TABLE record ADD COLUMN erased INTEGER NOT NULL DEFAULT 0;

-- The persons erased.  On the hub: the list of its decisions, never
-- purged, which every node receives at its next contact however long it
-- was away (seq is what a node acknowledges).  On a node: the erasures it
-- applied.  Ids and counts only.
CREATE TABLE erasure (
	seq INTEGER PRIMARY KEY,
	person BLOB NOT NULL UNIQUE,       -- the person's record id
	records INTEGER NOT NULL,          -- records made unreadable here
	reason TEXT NOT NULL,              -- a code (store_erase.h)
	operator TEXT NOT NULL,            -- who decided (on the hub)
	at INTEGER NOT NULL                -- unix seconds
);
