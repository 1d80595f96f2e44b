-- 0012_allocation.sql: the hub's allocation of records per group.
--
-- A collection may declare a quota (schema/schema.h, struct schema_quota:
-- the dotes of the programme per partner).  The limits are the hub's
-- configuration, kept here by the registry (registry/registry_alloc.c)
-- and handed to the store through its quota hook.  Each row carries a MAC
-- (node/store_mac.c, like a peer's): a row edited in the file fails, and
-- a group its quota declares that has no row has an allocation of 0, so
-- deleting one lifts no limit.  A migration cannot compute MACs: the
-- programme's defaults (the 195 dotes among its partners) are written by
-- the registry, authenticated, the first time the hub's unlocked store
-- reads its allocation.  Used on the hub only; a node's table stays empty.
CREATE TABLE allocation (
	coll TEXT NOT NULL,            -- the collection declaring the quota
	grp TEXT NOT NULL,             -- a value of its group field
	allocated INTEGER NOT NULL CHECK (allocated >= 0),
	mac BLOB,                      -- presidio_mac('allocation', ...)
	PRIMARY KEY (coll, grp)
);
