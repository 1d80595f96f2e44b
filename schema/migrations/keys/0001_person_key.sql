-- keys/0001_person_key.sql: the file of per-person keys (presidio.keys).
--
-- One key per person whose records this store holds (node/store_pkey.h).
-- The key is sealed under the data key (body, bound to the person's id);
-- erasing a person deletes its row, and secure_delete zeroes the page.
-- The file lives apart from presidio.db so that a backup of the data
-- never carries the keys (`presidio backup --keys` copies them on their
-- own, for a short retention: README, "Erasure").
CREATE TABLE person_key (
	id BLOB PRIMARY KEY,           -- the person's record id
	body BLOB NOT NULL,            -- the key, sealed under the data key
	created INTEGER NOT NULL       -- unix seconds
) WITHOUT ROWID;
