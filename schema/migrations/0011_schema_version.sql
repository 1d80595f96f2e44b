-- 0011_schema_version.sql: schema versions (sync/README.md, "Schema
-- versions") and the children of a record found by their parent.
--
-- The rules that sum a record's children (schema/rule.h aggregates) and
-- the scope of a child collection look records up by their `parent`: an
-- index instead of a scan of every record.
CREATE INDEX record_parent ON record(parent);

-- Hub side: the schema version each node said it runs at its last enroll
-- or hello (NULL: not since this migration).  Not covered by the row's
-- MAC, like last_contact: the hub judges the version at every hello.
ALTER TABLE peer ADD COLUMN schema_version INTEGER;
