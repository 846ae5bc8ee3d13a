-- One truth for the year's figures (issue 30): migrations/sqlite/0025_attribution.sql in
-- PostgreSQL's words (the reasons are written there).

ALTER TABLE donors ADD COLUMN declared_kind TEXT
    CHECK (declared_kind IN ('never', 'whole_blood', 'platelets', 'plasma'));
ALTER TABLE donors ADD COLUMN declared_on TEXT;
UPDATE donors SET
    declared_kind = CASE WHEN EXISTS (SELECT 1 FROM donations n WHERE n.donor_id = donors.id)
        THEN (SELECT n.prev_last_kind FROM donations n WHERE n.donor_id = donors.id
              ORDER BY n.id LIMIT 1)
        ELSE last_donation_kind END,
    declared_on = CASE WHEN EXISTS (SELECT 1 FROM donations n WHERE n.donor_id = donors.id)
        THEN (SELECT n.prev_last_date FROM donations n WHERE n.donor_id = donors.id
              ORDER BY n.id LIMIT 1)
        ELSE last_donation_date END;

ALTER TABLE donations ADD COLUMN campaign_id BIGINT REFERENCES campaigns (id) ON DELETE SET NULL;
UPDATE donations SET campaign_id = (SELECT d.campaign_id FROM drives d WHERE d.id = donations.drive_id);
CREATE INDEX donations_campaign ON donations (campaign_id) WHERE campaign_id IS NOT NULL;

UPDATE donations SET repeat_donor = (
    EXISTS (SELECT 1 FROM donations e WHERE e.donor_id = donations.donor_id
            AND (e.donated_on < donations.donated_on
                 OR (e.donated_on = donations.donated_on AND e.id < donations.id)))
    OR EXISTS (SELECT 1 FROM donors d WHERE d.id = donations.donor_id
            AND d.declared_kind IN ('whole_blood', 'platelets', 'plasma')
            AND (d.declared_on IS NULL OR d.declared_on < donations.donated_on)))
WHERE donor_id IS NOT NULL;

ALTER TABLE signups DROP CONSTRAINT signups_donor_id_fkey;
ALTER TABLE signups ADD CONSTRAINT signups_donor_id_fkey
    FOREIGN KEY (donor_id) REFERENCES donors (id) ON DELETE SET NULL;
ALTER TABLE signups DROP CONSTRAINT signups_status_check;
ALTER TABLE signups ADD CONSTRAINT signups_status_check
    CHECK (status IN ('active', 'cancelled', 'attended', 'released'));

ALTER TABLE campaigns ADD COLUMN announced_at BIGINT;
UPDATE campaigns SET announced_at = 0 WHERE starts_on <= to_char(current_date, 'YYYY-MM-DD');
