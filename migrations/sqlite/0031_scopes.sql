-- Staff scoped to provinces (issue 33): an admin or coordinator role is granted for the
-- whole country (province '') or for one province (its code); one account may hold a role
-- for several provinces, a row each. The grants made before this migration were for the
-- whole deployment: they stay national. A leader's role has no province ('' always): a
-- leader's scope is the clubs they lead.
CREATE TABLE roles_new (
    identity_id INTEGER NOT NULL REFERENCES channel_identities (id) ON DELETE CASCADE,
    role        TEXT NOT NULL CHECK (role IN ('admin', 'coordinator', 'leader')),
    province    TEXT NOT NULL DEFAULT '',  -- '' the whole country, else a province's code
    granted_at  INTEGER NOT NULL,
    granted_by  TEXT NOT NULL,
    PRIMARY KEY (identity_id, role, province)
);
INSERT INTO roles_new (identity_id, role, province, granted_at, granted_by)
    SELECT identity_id, role, '', granted_at, granted_by FROM roles;
DROP TABLE roles;
ALTER TABLE roles_new RENAME TO roles;

-- One plan per province: a year's targets are the whole deployment's (province '', every
-- plan loaded before this migration) or one province's. The national view sums the
-- provinces' targets when there are any (`domain::plan::YearTargets::sum`).
CREATE TABLE year_targets_new (
    year                INTEGER NOT NULL,
    province            TEXT NOT NULL DEFAULT '',
    units               INTEGER,
    people_min          INTEGER,
    people_max          INTEGER,
    repeat_pct          INTEGER,
    population          INTEGER,
    population_share_bp INTEGER,
    drives              INTEGER,
    updated_at          INTEGER NOT NULL,
    PRIMARY KEY (year, province)
);
INSERT INTO year_targets_new (year, province, units, people_min, people_max, repeat_pct,
        population, population_share_bp, drives, updated_at)
    SELECT year, '', units, people_min, people_max, repeat_pct, population,
        population_share_bp, drives, updated_at FROM year_targets;
DROP TABLE year_targets;
ALTER TABLE year_targets_new RENAME TO year_targets;
