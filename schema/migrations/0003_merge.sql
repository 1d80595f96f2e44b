-- 0003_merge.sql: what the per-record merge (conflict/merge.h) needs.

-- The role of each node seen (0 node, 1 hub; NULL unknown): only changes
-- from the hub may write authority fields.
ALTER TABLE node ADD COLUMN role INTEGER;
UPDATE node SET role = (SELECT value FROM meta WHERE key = 'role')
	WHERE id = (SELECT value FROM meta WHERE key = 'node_id');

-- Open conflicts of a record (field, delete-vs-edit, rule), kept with the
-- record so that `presidio conflicts` finds them without a scan.
ALTER TABLE record ADD COLUMN conflicts INTEGER NOT NULL DEFAULT 0;
CREATE INDEX record_conflicts ON record (conflicts) WHERE conflicts > 0;

-- Writes refused by a rule (an authority field written by a node that is
-- not the hub), one row per change: shown by `presidio status`, reported
-- back to the node that sent them.  The change itself stays in the log
-- (every replica refuses the same fields of it).
CREATE TABLE rejection (
	seq INTEGER PRIMARY KEY REFERENCES change(seq),
	reason TEXT NOT NULL
);
