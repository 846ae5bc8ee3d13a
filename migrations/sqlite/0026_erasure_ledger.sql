-- The erasure ledger (issue 32): the ids of donors who erased their data, and when. No
-- personal data: an id means nothing once its row is gone. A backup taken before an erasure
-- still holds the donor; after a restore (and at every start) the ledger is applied again,
-- so an erased donor never comes back. On SQLite the same ids are also appended to a file
-- beside the database (`<file>.erasures`), which a restore of an older file does not undo.
CREATE TABLE erasures (
    donor_id  INTEGER PRIMARY KEY,
    erased_at INTEGER NOT NULL
);
