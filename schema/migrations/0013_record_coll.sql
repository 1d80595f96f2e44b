-- 0013_record_coll.sql: records by collection and own changes by number,
-- without a scan.
--
-- Reading one collection (the cases for the home page, the persons for
-- the search index, a listing) and counting records per collection
-- (status) read the whole record table, sealed bodies included: at
-- 50,000 persons and 350,000 records, 0.3 s for status alone, paid by
-- every page of the web interface.  These indexes hold no more than the
-- table's clear columns already show (collection and deletion marker per
-- row id).  record_coll keeps each collection's rows in row order, so a
-- listing needs no sort; the tombstones, few, are counted per collection
-- from record_deleted.
CREATE INDEX record_coll ON record (coll);
CREATE INDEX record_deleted ON record (coll) WHERE deleted != 0;

-- This node's own changes (oseq NULL) by number: the changes not yet
-- sent (status, every page's "Modifiche non ancora inviate", and push's
-- reading) are counted and read without walking the received ones and
-- their sealed bodies.  Received changes, which a pull writes by the
-- thousand, are not in it.
CREATE INDEX change_own ON change (seq) WHERE oseq IS NULL;
