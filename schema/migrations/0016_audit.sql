-- 0016_audit.sql: who read and wrote what (node/store_audit.c), and the
-- break-the-glass grants (node/store_glass.c).
--
-- One entry per read of a person's data through a view (a record opened,
-- a history, an export) and per write made here, with ids only, never
-- values.  Entries are numbered per node (nseq) and chained: hash is
-- BLAKE2b-256 of the entry and prev, the hash of the node's entry before
-- it, so an entry removed, altered or moved breaks the chain; mac (the
-- row MACs of 0010) covers node, nseq and hash, so that the chain cannot
-- be recomputed without the data key.  A node sends its entries to the
-- hub (POST /v1/audit), which keeps every node's chain and checks that
-- each one continues it.  Entries are never updated nor deleted.
CREATE TABLE audit (
	seq INTEGER PRIMARY KEY,
	node INTEGER NOT NULL REFERENCES node(idx), -- whose entry
	nseq INTEGER NOT NULL,          -- its number at that node, from 1
	at INTEGER NOT NULL,            -- unix ms
	operator TEXT NOT NULL,
	role TEXT NOT NULL,             -- schema/access.h
	action TEXT NOT NULL,           -- read, history, export, create, ...
	coll INTEGER NOT NULL,          -- collection id, 0: none
	record BLOB,                    -- record id, NULL: none
	count INTEGER NOT NULL,         -- records covered (an export)
	purpose TEXT NOT NULL,          -- why (store_audit.h)
	glass INTEGER NOT NULL,         -- 1: under break-the-glass
	prev BLOB NOT NULL,             -- hash of entry nseq - 1 (zeros: none)
	hash BLOB NOT NULL,
	mac BLOB,
	UNIQUE (node, nseq)
);
CREATE INDEX audit_record ON audit (record) WHERE record IS NOT NULL;

-- Break-the-glass: an operator whose role may not read some of a record's
-- fields opened it, stating a reason, until expires (unix ms).
CREATE TABLE glass (
	id INTEGER PRIMARY KEY,
	operator TEXT NOT NULL,
	record BLOB NOT NULL,
	reason TEXT NOT NULL,
	granted INTEGER NOT NULL,
	expires INTEGER NOT NULL,
	mac BLOB
);
