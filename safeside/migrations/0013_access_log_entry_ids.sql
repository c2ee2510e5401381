-- Reads through a PostgreSQL outage (issue 21): while PostgreSQL does not answer, the API keeps
-- each read's access-log entry in a spool on its own disk and stores it once PostgreSQL is back,
-- with the time of the read. Every entry now carries a random id of its own, so an entry stored
-- twice (a write that timed out after it committed and was spooled, a drain stopped between
-- storing an entry and taking it off the spool) is stored once: ON CONFLICT (entry_id) DO
-- NOTHING. Entries written before this migration have none.
ALTER TABLE access_log ADD COLUMN entry_id uuid;
ALTER TABLE access_log ADD CONSTRAINT access_log_entry_id_once UNIQUE (entry_id);
