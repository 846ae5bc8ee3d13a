-- Donations recorded by coordinators (bulk import after a drive, later in chat) or reported by
-- donors. When a donor is erased their donations stay, without anyone's identity (donor_id
-- becomes NULL), so campaign figures stay true: anonymous counts are all that remains.
CREATE TABLE donations (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    donor_id   INTEGER REFERENCES donors (id) ON DELETE SET NULL,
    donated_on TEXT NOT NULL,              -- YYYY-MM-DD
    kind       TEXT NOT NULL CHECK (kind IN ('whole_blood', 'platelets', 'plasma')),
    verified   INTEGER NOT NULL,           -- 1: recorded by the blood centre; 0: self-reported
    source     TEXT NOT NULL,              -- 'import', …
    created_at INTEGER NOT NULL,
    -- The same donation imported twice is one row.
    UNIQUE (donor_id, donated_on, kind)
);
CREATE INDEX donations_date ON donations (donated_on);
