-- Urgent rare-group call-outs (issue 6): requests, whom each asked in which wave and what
-- they answered, donors' alert preferences, and blood stock levels.

-- Night-time emergencies: NULL not asked yet (treated as no), 0 no, 1 yes. Asked during the
-- registration and in /settings; never inferred.
ALTER TABLE donors ADD COLUMN night_alerts INTEGER;
-- 1: the donor turned urgent call-outs off (/settings). /pause does not stop them.
ALTER TABLE donors ADD COLUMN urgent_off INTEGER NOT NULL DEFAULT 0;
-- A self-declared deferral (tattoo, illness…): not asked before this day ('YYYY-MM-DD').
ALTER TABLE donors ADD COLUMN deferred_until TEXT;
-- How reliably the donor answers call-outs: −1 per call-out asked, +2 per answer, +2 per
-- pledge kept, −3 per pledge not kept. Those who answer are asked first.
ALTER TABLE donors ADD COLUMN response_score INTEGER NOT NULL DEFAULT 0;

-- Matching walks these in score order and stops at the wave's size: one range per
-- compatible group (and province), never a scan of every donor of a common group.
DROP INDEX donors_blood_group;
CREATE INDEX donors_match ON donors (blood_group, response_score DESC, id);
CREATE INDEX donors_match_province ON donors (blood_group, province, response_score DESC, id);

CREATE TABLE callouts (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    -- The coordinator's account (for the tally), and its reference for the audit.
    created_by   INTEGER REFERENCES channel_identities (id) ON DELETE SET NULL,
    actor        TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    blood_group  TEXT NOT NULL,            -- the patient's, ABO and Rh known: 'O-'
    component    TEXT NOT NULL CHECK (component IN ('whole_blood', 'platelets', 'plasma')),
    units        INTEGER NOT NULL CHECK (units > 0),
    hospital     TEXT NOT NULL,
    address      TEXT NOT NULL,
    province     TEXT NOT NULL,
    deadline_at  INTEGER NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL DEFAULT 'open'
                 CHECK (status IN ('open', 'fulfilled', 'cancelled', 'expired')),
    closed_at    INTEGER,
    waves        INTEGER NOT NULL DEFAULT 0,
    next_wave_at INTEGER,
    -- The first tally message's outbox row: later tallies edit it in place where the
    -- platform allows (Telegram).
    tally_row    INTEGER,
    tally_seq    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX callouts_open ON callouts (next_wave_at) WHERE status = 'open';

-- One row per donor asked by a call-out: the primary key is what makes "never asked twice
-- for one call-out" hold through retries, restarts and two schedulers.
CREATE TABLE callout_asks (
    callout_id  INTEGER NOT NULL REFERENCES callouts (id) ON DELETE CASCADE,
    donor_id    INTEGER NOT NULL REFERENCES donors (id) ON DELETE CASCADE,
    wave        INTEGER NOT NULL,
    tier        INTEGER NOT NULL,          -- 0 reserve clubs of the province … 3 nationwide
    asked_at    INTEGER NOT NULL,
    answer      TEXT CHECK (answer IN ('pledged', 'declined')),
    answered_at INTEGER,
    pledge_code TEXT,
    outcome     TEXT CHECK (outcome IN ('donated', 'no_show')),
    PRIMARY KEY (callout_id, donor_id)
);
CREATE INDEX callout_asks_donor ON callout_asks (donor_id, asked_at);

-- Blood stock per group, set by coordinators; below the threshold the reserve clubs are
-- alerted on the scheduler's cron, at most once per configured period.
CREATE TABLE stock (
    blood_group TEXT PRIMARY KEY,
    units       INTEGER NOT NULL,
    threshold   INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    updated_by  TEXT NOT NULL,
    alerted_at  INTEGER
);
