-- Families of donors (issue 17: the honours list families who give together). Opt-in: a
-- donor creates a family and gets its code, relatives join with it; anyone leaves at will.
-- The family itself holds nothing personal: a family with no members left is deleted.
CREATE TABLE families (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    code       TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);
ALTER TABLE donors ADD COLUMN family_id INTEGER REFERENCES families (id) ON DELETE SET NULL;
CREATE INDEX donors_family ON donors (family_id) WHERE family_id IS NOT NULL;
