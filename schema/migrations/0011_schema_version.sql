-- 0011_schema_version.sql: schema versions (sync/README.md, "Schema
-- versions") and the records rules read as a group.
--
-- The children an aggregate sums, the records a CHILD or SIBLING
-- requirement looks in and the records a quota counts (schema/rule.h,
-- rule_counted()) are found through `kin`: one row per record of such a
-- collection, by collection and parent.  Only those collections have
-- rows: an index on record(parent) would slow the write of every record
-- (7 % of an import, measured) to serve a few.  The store keeps the rows
-- with the record's (node/store_require.c) and rebuilds the table when
-- the schema counts other collections.  A row carries no MAC: a lookup
-- checks the record's own MAC, collection and parent, so a planted row
-- finds nothing; a removed one hides its record, as a damaged index would.
CREATE TABLE kin (
	rid INTEGER PRIMARY KEY REFERENCES record(rid) ON DELETE CASCADE,
	coll INTEGER NOT NULL,
	parent BLOB                    -- the record's parent, as in record
);
CREATE INDEX kin_parent ON kin(coll, parent);

-- Hub side: the schema version each node said it runs at its last enroll
-- or hello (NULL: not since this migration).  Not covered by the row's
-- MAC, like last_contact: the hub judges the version at every hello.
ALTER TABLE peer ADD COLUMN schema_version INTEGER;
