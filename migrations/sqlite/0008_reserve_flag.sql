-- Reserve-club membership on the donor row, kept by triggers, so that a call-out reads the
-- reserve tiers from small partial indexes in score order, like the open tiers, instead of
-- walking every reserve member (15 ms per pass among 1,000,000 donors with 10,000 members).
-- The triggers keep it true whatever writes club_members or clubs (joining, leaving, erasure's
-- cascade, a club changing kind or being deleted).
ALTER TABLE donors ADD COLUMN reserve INTEGER NOT NULL DEFAULT 0;

-- Who is in a reserve club, one row per membership.
CREATE VIEW reserve_memberships AS
    SELECT cm.donor_id FROM club_members cm JOIN clubs c ON c.id = cm.club_id
    WHERE c.kind = 'reserve';

UPDATE donors SET reserve = 1 WHERE id IN (SELECT donor_id FROM reserve_memberships);

CREATE INDEX donors_reserve ON donors (blood_group, response_score DESC, id)
    WHERE reserve = 1;
CREATE INDEX donors_reserve_province ON donors (blood_group, province, response_score DESC, id)
    WHERE reserve = 1;

CREATE TRIGGER club_members_reserve_insert AFTER INSERT ON club_members
BEGIN
    UPDATE donors SET reserve = EXISTS (SELECT 1 FROM reserve_memberships r
                                        WHERE r.donor_id = donors.id)
    WHERE id = NEW.donor_id;
END;

CREATE TRIGGER club_members_reserve_delete AFTER DELETE ON club_members
BEGIN
    UPDATE donors SET reserve = EXISTS (SELECT 1 FROM reserve_memberships r
                                        WHERE r.donor_id = donors.id)
    WHERE id = OLD.donor_id;
END;

CREATE TRIGGER club_members_reserve_update AFTER UPDATE OF club_id, donor_id ON club_members
BEGIN
    UPDATE donors SET reserve = EXISTS (SELECT 1 FROM reserve_memberships r
                                        WHERE r.donor_id = donors.id)
    WHERE id IN (OLD.donor_id, NEW.donor_id);
END;

CREATE TRIGGER clubs_reserve_kind AFTER UPDATE OF kind ON clubs
BEGIN
    UPDATE donors SET reserve = EXISTS (SELECT 1 FROM reserve_memberships r
                                        WHERE r.donor_id = donors.id)
    WHERE id IN (SELECT donor_id FROM club_members WHERE club_id = NEW.id);
END;
