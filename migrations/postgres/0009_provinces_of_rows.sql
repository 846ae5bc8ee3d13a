-- What belongs to a province, stored on the row (issue 33; SQLite 0032 says why): a
-- campaign's (NULL: national), a donation's (its drive's, else its donor's), a person
-- reached's.
ALTER TABLE campaigns ADD COLUMN province TEXT;
ALTER TABLE donations ADD COLUMN province TEXT;
ALTER TABLE campaign_reach ADD COLUMN province TEXT;
UPDATE donations n SET province = COALESCE(
    (SELECT v.province FROM drives v WHERE v.id = n.drive_id),
    (SELECT o.province FROM donors o WHERE o.id = n.donor_id));
UPDATE campaign_reach r SET province =
    (SELECT o.province FROM donors o WHERE o.id = r.donor_id);
-- An audit entry belongs to the province of what it names (NULL: the nation's).
ALTER TABLE audit_log ADD COLUMN province TEXT;
