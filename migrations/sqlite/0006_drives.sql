-- Drives (điểm hiến máu) of campaigns, donors' sign-ups, the scheduler's jobs, and what the
-- progress report counts.

-- Campaigns gain who created them in chat (NULL: imported from a file).
ALTER TABLE campaigns ADD COLUMN created_by INTEGER REFERENCES channel_identities (id) ON DELETE SET NULL;

-- One drive: a place, a day and a time window, a capacity. Times are unix ms (UTC); the date
-- shown is in the configured time zone.
CREATE TABLE drives (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id  INTEGER REFERENCES campaigns (id) ON DELETE SET NULL,
    place        TEXT NOT NULL,          -- "Trường Đại học Hải Phòng, 171 Phan Đăng Lưu"
    province     TEXT NOT NULL,          -- code of one of the 34 units
    commune      TEXT NOT NULL DEFAULT '',
    starts_at    INTEGER NOT NULL,
    ends_at      INTEGER NOT NULL,
    capacity     INTEGER NOT NULL CHECK (capacity > 0),
    target_units INTEGER,
    created_by   INTEGER REFERENCES channel_identities (id) ON DELETE SET NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    cancelled_at INTEGER,
    CHECK (starts_at < ends_at),
    -- Importing the same file again updates a drive instead of adding it twice.
    UNIQUE (place, starts_at)
);
CREATE INDEX drives_upcoming ON drives (starts_at) WHERE cancelled_at IS NULL;
CREATE INDEX drives_campaign ON drives (campaign_id);

-- Optional time slots of a drive, each with its own capacity.
CREATE TABLE drive_slots (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    drive_id  INTEGER NOT NULL REFERENCES drives (id) ON DELETE CASCADE,
    starts_at INTEGER NOT NULL,
    ends_at   INTEGER NOT NULL,
    capacity  INTEGER NOT NULL CHECK (capacity > 0),
    UNIQUE (drive_id, starts_at)
);

-- A donor's sign-up. A cancelled one keeps its row (status) so the report can count both; a
-- donor signs up for a drive once (signing up again revives the row).
CREATE TABLE signups (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    drive_id     INTEGER NOT NULL REFERENCES drives (id) ON DELETE CASCADE,
    slot_id      INTEGER REFERENCES drive_slots (id) ON DELETE SET NULL,
    donor_id     INTEGER REFERENCES donors (id) ON DELETE CASCADE,
    status       TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'cancelled')),
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    UNIQUE (drive_id, donor_id)
);
CREATE INDEX signups_donor ON signups (donor_id, status);

-- One-shot jobs of the scheduler: a reminder, a thank-you. `key` makes each logical job
-- unique (a sign-up's 3-day reminder for the drive's current time); `done_at` is set in the
-- transaction that enqueues its messages, so a job runs once even across restarts and
-- overlapping ticks. The partial index holds only jobs not yet done: a tick reads the due ones
-- without walking the millions stored for later.
CREATE TABLE jobs (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    key       TEXT NOT NULL UNIQUE,
    kind      TEXT NOT NULL,              -- 'reminder', 'thanks'
    due_at    INTEGER NOT NULL,
    donor_id  INTEGER REFERENCES donors (id) ON DELETE CASCADE,
    drive_id  INTEGER REFERENCES drives (id) ON DELETE CASCADE,
    ref_id    INTEGER,                    -- the donation (thanks)
    done_at   INTEGER,
    outcome   TEXT                        -- 'sent', 'expired', 'skipped'
);
CREATE INDEX jobs_due ON jobs (due_at) WHERE done_at IS NULL;
CREATE INDEX jobs_drive ON jobs (drive_id) WHERE done_at IS NULL;

-- When each recurring (cron) job last ran, so a restart catches up what was missed once.
CREATE TABLE cron_runs (
    name    TEXT PRIMARY KEY,
    last_at INTEGER NOT NULL
);

-- Donations gain the drive they were given at, who recorded them, and whether the donor had
-- given before (the plans count the share of repeat donors; kept when the donor is erased).
ALTER TABLE donations ADD COLUMN drive_id INTEGER REFERENCES drives (id) ON DELETE SET NULL;
ALTER TABLE donations ADD COLUMN recorded_by INTEGER REFERENCES channel_identities (id) ON DELETE SET NULL;
ALTER TABLE donations ADD COLUMN repeat_donor INTEGER NOT NULL DEFAULT 0;
CREATE INDEX donations_drive ON donations (drive_id);
CREATE INDEX donations_donor ON donations (donor_id, donated_on);

-- Check-in codes a donor shows at a drive (/checkin) so staff record the donation without
-- typing a phone. Short-lived; a new one replaces the old.
CREATE TABLE checkins (
    code       TEXT PRIMARY KEY,
    donor_id   INTEGER NOT NULL UNIQUE REFERENCES donors (id) ON DELETE CASCADE,
    expires_at INTEGER NOT NULL
);

-- People a campaign reached (its announcement sent to them, or they signed up for one of its
-- drives). Erasing a donor keeps the count.
CREATE TABLE campaign_reach (
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    donor_id    INTEGER REFERENCES donors (id) ON DELETE SET NULL,
    at          INTEGER NOT NULL
);
CREATE UNIQUE INDEX campaign_reach_once ON campaign_reach (campaign_id, donor_id);

-- Lanes: 0 urgent, 1 reply, 2 notice (reminders, thanks), 3 bulk (broadcasts, announcements).
-- A reminder must not wait behind a 10,000-member broadcast.
UPDATE outbox SET lane = 3 WHERE lane = 2;

-- Eligible-again scans read donors by their last donation.
CREATE INDEX donors_last_donation ON donors (last_donation_date);
