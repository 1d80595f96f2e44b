-- 0008_rebuild.sql: a node rebuilt from the hub gets its own changes back.
--
-- A pull leaves out the entries the pulling node made itself: it holds
-- them.  A node that started over (re-bootstrap) holds none of them any
-- more; until its cursor passes upto, the last sequence number of the
-- hub's log when it confirmed it had forgotten its records, its own
-- entries come with the others, on every page.
CREATE TABLE peer_rebuild (
	peer INTEGER PRIMARY KEY REFERENCES peer(idx),
	upto INTEGER NOT NULL
);
