-- A row withdrawn while being sent: migrations/sqlite/0028_outbox_withdrawn.sql.
ALTER TABLE outbox ADD COLUMN withdrawn_at BIGINT;
