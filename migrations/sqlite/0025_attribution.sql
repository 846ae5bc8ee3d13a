-- One truth for the year's figures (issue 30). What a donation counts for is decided once,
-- when it is recorded by any path, and stored on its row; every report reads these columns.

-- What the donor said of their giving before any donation on record, kept apart from
-- `last_donation_*` (which moves with every recorded donation): 'never', a kind, or NULL
-- (not answered), and its date when they gave one (NULL for "không nhớ"). A donation is a
-- repeat donation when the donor declared an earlier one, dated before it or undated.
ALTER TABLE donors ADD COLUMN declared_kind TEXT
    CHECK (declared_kind IN ('never', 'whole_blood', 'platelets', 'plasma'));
ALTER TABLE donors ADD COLUMN declared_on TEXT;

-- Until now the declaration was overwritten by the first recorded donation, which kept it
-- as its `prev_last_*` (to put it back on removal): the donor's first recorded donation
-- holds what they had declared; a donor with none still has it as their last donation.
UPDATE donors SET
    declared_kind = CASE WHEN EXISTS (SELECT 1 FROM donations n WHERE n.donor_id = donors.id)
        THEN (SELECT n.prev_last_kind FROM donations n WHERE n.donor_id = donors.id
              ORDER BY n.id LIMIT 1)
        ELSE last_donation_kind END,
    declared_on = CASE WHEN EXISTS (SELECT 1 FROM donations n WHERE n.donor_id = donors.id)
        THEN (SELECT n.prev_last_date FROM donations n WHERE n.donor_id = donors.id
              ORDER BY n.id LIMIT 1)
        ELSE last_donation_date END;

-- The campaign a donation counts for: its drive's, stored so that a report never joins
-- through drives (a donation at a fixed point's open day outside any campaign has none).
ALTER TABLE donations ADD COLUMN campaign_id INTEGER REFERENCES campaigns (id) ON DELETE SET NULL;
UPDATE donations SET campaign_id = (SELECT d.campaign_id FROM drives d WHERE d.id = donations.drive_id);
CREATE INDEX donations_campaign ON donations (campaign_id) WHERE campaign_id IS NOT NULL;

-- Repeat donations, decided again with the declarations: an earlier donation on record
-- (an earlier day, or the same day recorded first) or an earlier one declared.
UPDATE donations SET repeat_donor = (
    EXISTS (SELECT 1 FROM donations e WHERE e.donor_id = donations.donor_id
            AND (e.donated_on < donations.donated_on
                 OR (e.donated_on = donations.donated_on AND e.id < donations.id)))
    OR EXISTS (SELECT 1 FROM donors d WHERE d.id = donations.donor_id
            AND d.declared_kind IN ('whole_blood', 'platelets', 'plasma')
            AND (d.declared_on IS NULL OR d.declared_on < donations.donated_on)))
WHERE donor_id IS NOT NULL;

-- A sign-up ends: 'attended' when the donor gave at that drive, 'released' when they gave
-- elsewhere before it (the place freed, the reminders withdrawn, the donor told). And an
-- erased donor's sign-ups stay as anonymous rows (as their donations do), so that a past
-- drive's figures do not change; those for drives to come are cancelled at the erasure.
-- SQLite cannot change a CHECK or a reference: the table is rebuilt, rows and ids kept.
CREATE TABLE signups_new (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    drive_id     INTEGER NOT NULL REFERENCES drives (id) ON DELETE CASCADE,
    slot_id      INTEGER REFERENCES drive_slots (id) ON DELETE SET NULL,
    donor_id     INTEGER REFERENCES donors (id) ON DELETE SET NULL,
    status       TEXT NOT NULL DEFAULT 'active'
                 CHECK (status IN ('active', 'cancelled', 'attended', 'released')),
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    UNIQUE (drive_id, donor_id)
);
INSERT INTO signups_new (id, drive_id, slot_id, donor_id, status, created_at, updated_at)
    SELECT id, drive_id, slot_id, donor_id, status, created_at, updated_at FROM signups;
DROP TABLE signups;
ALTER TABLE signups_new RENAME TO signups;
CREATE INDEX signups_donor ON signups (donor_id, status);

-- A campaign is announced once, at the first morning run on or after its opening day while
-- it runs (one loaded after it opened included). Those that opened before this migration
-- were handled by the rule it replaces.
ALTER TABLE campaigns ADD COLUMN announced_at INTEGER;
UPDATE campaigns SET announced_at = 0 WHERE starts_on <= date('now');
