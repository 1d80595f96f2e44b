-- 0002_keyslot_mac.sql: authenticate key slots.
--
-- A key slot's public parts (operator, kind, public key) are MACed under
-- the data key in use (node/keyslot.h, keyslot_mac), so that a slot
-- planted in the database by someone who can write the file, but cannot
-- unlock it, is refused instead of being handed the next data key.
ALTER TABLE keyslot ADD COLUMN mac BLOB;
