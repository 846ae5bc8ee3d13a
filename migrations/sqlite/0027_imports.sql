-- Files being written (issue 32): a calendar or a blood centre's donations, checked whole
-- before this row exists, then written in short steps so that no upload holds the writer.
-- `done` moves in the same transaction as the step it counts, so a crash or a stop resumes
-- where it was: never a line twice, never a line lost. `work` is what is left to write
-- (donors by id, never a phone) and is emptied once the file is written.
CREATE TABLE imports (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    actor       TEXT NOT NULL,
    work        TEXT,
    total       INTEGER NOT NULL,
    done        INTEGER NOT NULL DEFAULT 0,
    added       INTEGER NOT NULL DEFAULT 0,
    state       TEXT NOT NULL DEFAULT 'writing',
    error       TEXT,
    created_at  INTEGER NOT NULL,
    finished_at INTEGER
);
CREATE INDEX imports_writing ON imports (id) WHERE state = 'writing';
