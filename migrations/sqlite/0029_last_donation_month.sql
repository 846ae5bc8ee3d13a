-- A last donation the donor gave as a month ("10/2026", "tháng trước") is kept as that
-- month's last day (the later date is the safer one for the interval); this flag says so,
-- so the profile shows "10/2026", not a day the donor never said.
ALTER TABLE donors ADD COLUMN last_donation_month INTEGER NOT NULL DEFAULT 0;
