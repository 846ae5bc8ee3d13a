-- Registered donors by province and blood group were kept in one row per group
-- (0001_schema.sql): every registration that completed updated its group's row and held
-- that row's lock until it committed, so registrations from every instance, which mostly
-- share a province and often a group, waited for each other in line (13.7 ms a
-- registration on average in the two-instance benchmark of issue 33, mostly waiting). A
-- group's count is now spread over 16 rows: a donor is counted in, and taken out of, the
-- row of their id modulo 16. A row may go below zero (a donor counted in shard 0 before
-- this migration, or by `db copy`'s rebuild, is taken out of their own shard); the group's
-- rows always add up to its count, and readers add them up. SQLite (0030) keeps shard 0.
ALTER TABLE donor_counts ADD COLUMN shard INTEGER NOT NULL DEFAULT 0;
ALTER TABLE donor_counts DROP CONSTRAINT donor_counts_pkey;
ALTER TABLE donor_counts ADD PRIMARY KEY (province, blood_group, shard);

CREATE OR REPLACE FUNCTION donor_counts_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') AND OLD.registered_at IS NOT NULL THEN
        INSERT INTO donor_counts AS c (province, blood_group, shard, donors, reserve)
            VALUES (COALESCE(OLD.province, ''), COALESCE(OLD.blood_group, ''), OLD.id % 16,
                    -1, CASE WHEN OLD.reserve THEN -1 ELSE 0 END)
            ON CONFLICT (province, blood_group, shard)
            DO UPDATE SET donors = c.donors - 1, reserve = c.reserve + excluded.reserve;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.registered_at IS NOT NULL THEN
        INSERT INTO donor_counts AS c (province, blood_group, shard, donors, reserve)
            VALUES (COALESCE(NEW.province, ''), COALESCE(NEW.blood_group, ''), NEW.id % 16,
                    1, CASE WHEN NEW.reserve THEN 1 ELSE 0 END)
            ON CONFLICT (province, blood_group, shard)
            DO UPDATE SET donors = c.donors + 1, reserve = c.reserve + excluded.reserve;
    END IF;
    RETURN NULL;
END;
$$;
