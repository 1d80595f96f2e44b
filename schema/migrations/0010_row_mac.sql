-- 0010_row_mac.sql: authenticate the clear rows sync and the audit trail
-- rely on.
--
-- Someone who can write the database file but cannot unlock it could
-- otherwise redirect data (a peer's public key, the hub's address and key),
-- widen a scope (peers, scope membership, the scope index and its events),
-- move cursors, or rewrite history (who made a change, of what kind, a
-- record's parent, its open conflicts).  Each such row carries a MAC under
-- a key derived from the data key (node/store_mac.c: format, columns
-- covered, where it is checked).  A migration cannot compute MACs (they
-- need the data key): rows of an older store get theirs at its first
-- unlock, and from then on a missing MAC is a failure.
ALTER TABLE peer ADD COLUMN mac BLOB;
ALTER TABLE scope_case ADD COLUMN mac BLOB;
ALTER TABLE scope_member ADD COLUMN mac BLOB;
ALTER TABLE scope_event ADD COLUMN mac BLOB;
ALTER TABLE remote ADD COLUMN mac BLOB;
ALTER TABLE node ADD COLUMN mac BLOB;
ALTER TABLE actor ADD COLUMN mac BLOB;
ALTER TABLE meta ADD COLUMN mac BLOB;
ALTER TABLE record ADD COLUMN mac BLOB;
ALTER TABLE change ADD COLUMN mac BLOB;
