-- 0014_memo.sql: what a view derives from every record, kept sealed.
--
-- The web interface's home page counts every case and finds every
-- person's permit deadline: at 50,000 persons, reading and opening them
-- all takes well over a second, at each sign-in.  A memo keeps what such
-- a view derived (node/store_memo.c), sealed under the data key and bound
-- to its name like a secret, with the change-log position it reflects
-- inside the box, so that the view reads it and only the changes made
-- since.  A memo is a cache: a key rotation drops them all (they are
-- rebuilt from the records), and one that does not open is rebuilt.
CREATE TABLE memo (
	name TEXT PRIMARY KEY,
	body BLOB NOT NULL
) WITHOUT ROWID;
