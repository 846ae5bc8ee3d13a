-- Campaigns of the yearly calendar, dated into a year (a calendar file holds rules such as
-- "tet+5"; importing it for a year writes the dates). A campaign is known by its year and
-- name, so importing a corrected file again updates it instead of duplicating it.
CREATE TABLE campaigns (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    year             INTEGER NOT NULL,
    name             TEXT NOT NULL,
    starts_on        TEXT NOT NULL,   -- YYYY-MM-DD
    ends_on          TEXT NOT NULL,
    target_units_min INTEGER,         -- plans give ranges: "500 đến 600 đơn vị"
    target_units_max INTEGER,
    target_people    INTEGER,
    organiser        TEXT,
    partner          TEXT,            -- the partner unit that organises it with the committee
    note             TEXT,
    updated_at       INTEGER NOT NULL,
    UNIQUE (year, name),
    CHECK (starts_on <= ends_on)
);
CREATE INDEX campaigns_dates ON campaigns (starts_on, ends_on);
