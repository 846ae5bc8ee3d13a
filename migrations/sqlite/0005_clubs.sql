-- Roles, clubs, broadcasts and the audit log (issue 4).

-- Privileged roles of a channel account. A donor's linked accounts share them (the store
-- reads the roles of every account of the same donor). Erasing the account removes them.
CREATE TABLE roles (
    identity_id INTEGER NOT NULL REFERENCES channel_identities (id) ON DELETE CASCADE,
    role        TEXT NOT NULL CHECK (role IN ('admin', 'coordinator', 'leader')),
    granted_at  INTEGER NOT NULL,
    granted_by  TEXT NOT NULL,         -- 'cli', 'config' or the granting account ('telegram:…')
    PRIMARY KEY (identity_id, role)
);

-- Donor clubs. Joining is by invite code (or a Telegram deep link carrying it).
CREATE TABLE clubs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('university', 'workplace', 'community', 'reserve')),
    province    TEXT,                  -- the leader's province when created
    invite_code TEXT NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL
);

-- Members are registered donors; a leader is a member with role 'leader'. Erasing a donor
-- removes their memberships.
CREATE TABLE club_members (
    club_id   INTEGER NOT NULL REFERENCES clubs (id) ON DELETE CASCADE,
    donor_id  INTEGER NOT NULL REFERENCES donors (id) ON DELETE CASCADE,
    role      TEXT NOT NULL CHECK (role IN ('leader', 'member')),
    muted     INTEGER NOT NULL DEFAULT 0,    -- the member muted this club's announcements
    joined_at INTEGER NOT NULL,
    PRIMARY KEY (club_id, donor_id)
);
CREATE INDEX club_members_donor ON club_members (donor_id);

-- An announcement to many people. Its outbox rows carry its id, so progress is a count of
-- their statuses and cancelling marks the pending ones 'cancelled'.
CREATE TABLE broadcasts (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    sender_identity_id INTEGER REFERENCES channel_identities (id) ON DELETE SET NULL,
    audience           TEXT NOT NULL,   -- 'club:12', 'province:hai-phong', 'blood:O-', 'all'
    audience_label     TEXT NOT NULL,   -- the club's name, the province's name…
    text               TEXT NOT NULL,
    recipients         INTEGER NOT NULL,
    created_at         INTEGER NOT NULL,
    cancelled_at       INTEGER,
    finished_at        INTEGER,         -- every row final, summary queued
    progress_at        INTEGER,         -- last progress message queued
    progress_done      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX broadcasts_open ON broadcasts (id) WHERE finished_at IS NULL;
CREATE INDEX broadcasts_sender ON broadcasts (sender_identity_id, created_at);

-- Every privileged action: who (an account reference, never a name or phone), when, what,
-- and how many people it reached.
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at         INTEGER NOT NULL,
    actor      TEXT NOT NULL,           -- 'telegram:123', 'cli', 'config'
    action     TEXT NOT NULL,           -- 'role.grant', 'club.create', 'broadcast.send', …
    target     TEXT NOT NULL DEFAULT '',
    recipients INTEGER
);
CREATE INDEX audit_log_at ON audit_log (at);

-- The outbox gains the broadcast a row belongs to and a 'cancelled' status. SQLite cannot
-- change a CHECK constraint in place: the table is rebuilt, ids and the id sequence kept.
CREATE TABLE outbox_new (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key     TEXT UNIQUE,
    channel             TEXT NOT NULL,
    chat_id             TEXT,
    identity_id         INTEGER REFERENCES channel_identities (id) ON DELETE CASCADE,
    lane                INTEGER NOT NULL,  -- 0 urgent, 1 reply, 2 bulk: lower goes first
    body                TEXT,
    status              TEXT NOT NULL DEFAULT 'pending'
                        CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'unreachable',
                                          'cancelled')),
    attempts            INTEGER NOT NULL DEFAULT 0,
    not_before          INTEGER NOT NULL,
    created_at          INTEGER NOT NULL,
    finished_at         INTEGER,
    platform_message_id TEXT,
    last_error          TEXT,
    broadcast_id        INTEGER REFERENCES broadcasts (id) ON DELETE SET NULL
);
INSERT INTO outbox_new (id, idempotency_key, channel, chat_id, identity_id, lane, body, status,
                        attempts, not_before, created_at, finished_at, platform_message_id,
                        last_error)
SELECT id, idempotency_key, channel, chat_id, identity_id, lane, body, status, attempts,
       not_before, created_at, finished_at, platform_message_id, last_error
FROM outbox;
DELETE FROM sqlite_sequence WHERE name = 'outbox_new';
INSERT INTO sqlite_sequence (name, seq) SELECT 'outbox_new', seq FROM sqlite_sequence
WHERE name = 'outbox';
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_pending ON outbox (lane, id) WHERE status = 'pending';
CREATE INDEX outbox_chat ON outbox (channel, chat_id) WHERE status IN ('pending', 'sending');
CREATE INDEX outbox_identity ON outbox (identity_id);
CREATE INDEX outbox_broadcast ON outbox (broadcast_id, status) WHERE broadcast_id IS NOT NULL;

-- Broadcasts to a province or a blood group read donors by these.
CREATE INDEX donors_province ON donors (province);
CREATE INDEX donors_blood_group ON donors (blood_group);
