-- A donation recorded by mistake can be removed (audited). The donor's last donation, which
-- the recording moved, must then go back to what it was: the values it had before this
-- donation was recorded are kept on the row (NULL: none, or recorded before this migration).
ALTER TABLE donations ADD COLUMN prev_last_kind TEXT;
ALTER TABLE donations ADD COLUMN prev_last_date TEXT;
ALTER TABLE donations ADD COLUMN prev_last_forgotten INTEGER NOT NULL DEFAULT 0;
