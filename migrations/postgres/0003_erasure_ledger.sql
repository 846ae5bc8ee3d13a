-- The erasure ledger: migrations/sqlite/0026_erasure_ledger.sql in PostgreSQL's words.
CREATE TABLE erasures (
    donor_id  BIGINT PRIMARY KEY,
    erased_at BIGINT NOT NULL
);
