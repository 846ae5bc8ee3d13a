-- A donor who has given before but does not remember when ("không nhớ", "lâu rồi") has a
-- last donation kind and no date. Without this flag that row would read as a registration
-- still waiting for the date. Such a donor may be asked (the drive's doctor checks).
ALTER TABLE donors ADD COLUMN last_donation_forgotten INTEGER NOT NULL DEFAULT 0;
