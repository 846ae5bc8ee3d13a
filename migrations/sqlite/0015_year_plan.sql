-- The year plan (issue 17): the province's targets for a year, the units that targets are
-- allocated to (giao chỉ tiêu: districts, schools, departments, firms, armed forces, clubs),
-- and what each donation counts for: its volume (units of 250 ml, as Vietnamese blood
-- centres count) and the unit it is attributed to.

CREATE TABLE year_targets (
    year                INTEGER PRIMARY KEY,
    units               INTEGER,          -- units of blood
    people_min          INTEGER,          -- people reached (a plan gives a range)
    people_max          INTEGER,
    repeat_pct          INTEGER,          -- share of donations by repeat donors, percent
    population          INTEGER,          -- the province's population
    population_share_bp INTEGER,          -- share of it to take part, 1/100 of a percent
    drives              INTEGER,
    updated_at          INTEGER NOT NULL
);

CREATE TABLE units (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    code         TEXT NOT NULL UNIQUE,    -- short and stable: attributes drives and donations
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('district', 'commune', 'university', 'college',
                     'school', 'department', 'organisation', 'firm', 'armed_forces', 'club',
                     'hospital', 'other')),
    province     TEXT,
    illustrative INTEGER NOT NULL DEFAULT 0,  -- an example allocation, not a committee's
    updated_at   INTEGER NOT NULL
);

-- What a unit is allocated for a year.
CREATE TABLE unit_targets (
    unit_id INTEGER NOT NULL REFERENCES units (id) ON DELETE CASCADE,
    year    INTEGER NOT NULL,
    units   INTEGER,
    drives  INTEGER,
    people  INTEGER,
    PRIMARY KEY (unit_id, year)
);

-- A donation's volume (ml; whole blood 250/350/450) and the unit it counts for.
ALTER TABLE donations ADD COLUMN volume_ml INTEGER;
ALTER TABLE donations ADD COLUMN unit_id INTEGER REFERENCES units (id) ON DELETE SET NULL;
CREATE INDEX donations_unit ON donations (unit_id) WHERE unit_id IS NOT NULL;
