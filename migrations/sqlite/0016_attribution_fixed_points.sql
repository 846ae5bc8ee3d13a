-- Issue 17, third part: what drives and donors count for, and fixed donation points.
--
-- A drive is attributed to the unit that organises it (`unit = "CODE"` in the calendar);
-- a donor may name their school or workplace; a donation counts for its drive's unit, else
-- the donor's (a centre's file may name the unit itself).
ALTER TABLE drives ADD COLUMN unit_id INTEGER REFERENCES units (id) ON DELETE SET NULL;
ALTER TABLE donors ADD COLUMN unit_id INTEGER REFERENCES units (id) ON DELETE SET NULL;

-- A fixed donation point: a place open on given weekdays (every Tuesday and Thursday
-- 7:30–11:00; "Chủ nhật Đỏ" every Sunday of a month). Each open day is a drive of its own
-- (`drives.fixed_point_id`), so sign-ups, slots, reminders and reports work as for drives.
CREATE TABLE fixed_points (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT NOT NULL UNIQUE,
    days       TEXT NOT NULL,          -- ISO weekdays open, "2,4" (Monday = 1)
    updated_at INTEGER NOT NULL
);
ALTER TABLE drives ADD COLUMN fixed_point_id INTEGER REFERENCES fixed_points (id)
    ON DELETE SET NULL;
CREATE INDEX drives_fixed_point ON drives (fixed_point_id, starts_at)
    WHERE fixed_point_id IS NOT NULL;
