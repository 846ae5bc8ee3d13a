-- The terminal demo's clock, shared by every `hienmau chat` on this database: how far ahead
-- of real time it runs. One terminal moving it moves it for all, so rows are never written
-- "in the future" of another terminal. It only moves forward. `serve` ignores it.
CREATE TABLE demo_clock (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    offset_ms INTEGER NOT NULL
);
