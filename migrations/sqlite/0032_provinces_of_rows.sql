-- What belongs to a province (issue 33), stored on the row as figures.rs asks of every
-- figure (a stored fact, decided when the row is written):
-- - a campaign: its province, or the whole country (NULL: the national calendar, and every
--   campaign made before this migration, when a deployment served one province). Staff of
--   a province see the national campaigns and their own, and change only their own;
-- - a donation: its drive's province, else its donor's (as they were when it was recorded;
--   an erased donor's donations keep it, anonymous);
-- - a person reached by a campaign: the province they were reached in (the drive they signed
--   up for, the province an announcement went to).
ALTER TABLE campaigns ADD COLUMN province TEXT;
ALTER TABLE donations ADD COLUMN province TEXT;
ALTER TABLE campaign_reach ADD COLUMN province TEXT;
UPDATE donations SET province = COALESCE(
    (SELECT v.province FROM drives v WHERE v.id = donations.drive_id),
    (SELECT o.province FROM donors o WHERE o.id = donations.donor_id));
UPDATE campaign_reach SET province =
    (SELECT o.province FROM donors o WHERE o.id = campaign_reach.donor_id);

-- An audit entry belongs to the province of what it names (a drive, a call-out, a donor…,
-- or a province said outright), read when it is written; a province's admins read their
-- province's entries. Entries written before, and those naming nothing of a province (the
-- stock, a file, a year's plan), are the nation's (NULL).
ALTER TABLE audit_log ADD COLUMN province TEXT;
