-- A last donation given as a month: migrations/sqlite/0029_last_donation_month.sql.
ALTER TABLE donors ADD COLUMN last_donation_month BOOLEAN NOT NULL DEFAULT FALSE;
