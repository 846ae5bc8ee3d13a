-- Staff scoped to provinces (issue 33; SQLite 0031): a role is granted for the whole country
-- (province '') or for one province (its code), a row each; earlier grants stay national.
ALTER TABLE roles ADD COLUMN province TEXT NOT NULL DEFAULT '';
ALTER TABLE roles DROP CONSTRAINT roles_pkey;
ALTER TABLE roles ADD PRIMARY KEY (identity_id, role, province);

-- One plan per province (SQLite 0031): a year's targets are the deployment's (province '')
-- or one province's.
ALTER TABLE year_targets ADD COLUMN province TEXT NOT NULL DEFAULT '';
ALTER TABLE year_targets DROP CONSTRAINT year_targets_pkey;
ALTER TABLE year_targets ADD PRIMARY KEY (year, province);
