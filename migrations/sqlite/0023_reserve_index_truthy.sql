-- The reserve partial indexes (0008) read `WHERE reserve` instead of `WHERE reserve = 1`:
-- the same rows, but the condition is one that PostgreSQL's boolean column also reads, so
-- the matching queries are one text for both engines (SQLite uses a partial index only for
-- a query that repeats its condition).
DROP INDEX donors_reserve;
DROP INDEX donors_reserve_province;
CREATE INDEX donors_reserve ON donors (blood_group, response_score DESC, id) WHERE reserve;
CREATE INDEX donors_reserve_province ON donors (blood_group, province, response_score DESC, id)
    WHERE reserve;
