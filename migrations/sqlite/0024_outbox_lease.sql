-- Until when the instance that claimed a row ('sending') holds it. One SQLite file has one
-- instance, which settles every row left 'sending' when it starts; the column is here so
-- that both engines keep the same rows (and `hienmau db copy` moves them as they are).
-- On PostgreSQL, several instances share the outbox and a row whose lease ran out is taken
-- to belong to an instance that died: another settles it as a restart would.
ALTER TABLE outbox ADD COLUMN lease_until INTEGER;
