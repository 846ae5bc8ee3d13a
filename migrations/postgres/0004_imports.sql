-- Files being written: migrations/sqlite/0027_imports.sql in PostgreSQL's words.
CREATE TABLE imports (
    id          BIGSERIAL PRIMARY KEY,
    kind        TEXT NOT NULL,
    actor       TEXT NOT NULL,
    work        TEXT,
    total       BIGINT NOT NULL,
    done        BIGINT NOT NULL DEFAULT 0,
    added       BIGINT NOT NULL DEFAULT 0,
    state       TEXT NOT NULL DEFAULT 'writing',
    error       TEXT,
    created_at  BIGINT NOT NULL,
    finished_at BIGINT
);
CREATE INDEX imports_writing ON imports (id) WHERE state = 'writing';
