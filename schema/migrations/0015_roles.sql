-- 0015_roles.sql: each operator has a role (schema/access.h).
--
-- The role is authenticated with the rest of the key slot (its MAC,
-- node/keyslot.h), so that someone who can write the file cannot raise
-- an operator's role.  A migration cannot compute MACs: the slots of an
-- older store keep '' (no role) and the MAC they had, and get their role at
-- the store's first unlock (node/store_access.c).
ALTER TABLE keyslot ADD COLUMN role TEXT NOT NULL DEFAULT '';
