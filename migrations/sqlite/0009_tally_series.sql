-- The coordinator's tally is edited in place by following its outbox keys
-- (`callout:{id}:tally:…`): the column reserved for it in 0007 is not needed.
ALTER TABLE callouts DROP COLUMN tally_row;
