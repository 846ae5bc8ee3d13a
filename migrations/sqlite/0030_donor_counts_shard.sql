-- The donor counts' shard (migrations/postgres/0007): on PostgreSQL a group's count is kept
-- in several rows, so that registrations committed at once from several instances do not
-- all wait for one row. SQLite has one writer at a time: every count stays in shard 0, and
-- the triggers of 0021 are unchanged. Readers add a group's rows up on both engines.
ALTER TABLE donor_counts ADD COLUMN shard INTEGER NOT NULL DEFAULT 0;
