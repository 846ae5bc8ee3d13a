-- The core of hienmau: donors, their consent, the channel accounts they write from, where
-- each conversation stands, and the outbox through which every outgoing message passes.
--
-- Ids are AUTOINCREMENT: an id is never reused after a delete (erasure deletes rows), so a
-- late answer about an old row can never land on a new one.
--
-- Times are INTEGER unix milliseconds (UTC): they compare and index the same way on SQLite
-- and PostgreSQL. Calendar dates (birth, donation) are TEXT 'YYYY-MM-DD'.

-- One row per person who agreed to the consent text. Personal fields are nullable because the
-- registration fills them one answer at a time, saving each answer as soon as it is given.
CREATE TABLE donors (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at         INTEGER NOT NULL,
    full_name          TEXT,
    phone              TEXT,              -- E.164, +84…
    -- 1 when the phone came from the platform's own contact sharing and was checked to be the
    -- sender's own: the only proof that may later link accounts on two platforms.
    phone_verified     INTEGER NOT NULL DEFAULT 0,
    birth_date         TEXT,
    sex                TEXT CHECK (sex IN ('male', 'female')),
    weight_kg          REAL,
    blood_group        TEXT,              -- 'O+', 'AB-', 'O?' (Rh unknown), '?' (unknown)
    province           TEXT,              -- code of one of the 34 current units
    commune            TEXT,              -- '' when the donor skipped it
    last_donation_kind TEXT CHECK (last_donation_kind IN ('never', 'whole_blood', 'platelets', 'plasma')),
    last_donation_date TEXT,
    supporter          INTEGER NOT NULL DEFAULT 0,
    registered_at      INTEGER,           -- set when the donor confirmed the summary
    paused             INTEGER NOT NULL DEFAULT 0  -- /pause: no non-urgent messages
);
-- Not unique: a typed phone proves nothing, and a unique key would tell a stranger that the
-- number is registered.
CREATE INDEX donors_phone ON donors (phone);

-- The consent record the law asks for (Decree 356/2025): when, and which text.
CREATE TABLE consents (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    donor_id     INTEGER NOT NULL REFERENCES donors (id) ON DELETE CASCADE,
    given_at     INTEGER NOT NULL,
    text_version TEXT NOT NULL,
    lang         TEXT NOT NULL
);
CREATE INDEX consents_donor ON consents (donor_id);

-- An account on one platform. A donor may have several (Telegram and Zalo); a row without a
-- donor is someone who has not consented yet, and holds no personal data beyond the ids
-- needed to answer them.
CREATE TABLE channel_identities (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    channel        TEXT NOT NULL,          -- 'telegram', 'terminal', …
    external_id    TEXT NOT NULL,          -- the user's id on that platform
    chat_id        TEXT NOT NULL,          -- where to write to them
    donor_id       INTEGER REFERENCES donors (id) ON DELETE SET NULL,
    lang           TEXT NOT NULL DEFAULT 'vi',
    first_seen_at  INTEGER NOT NULL,
    last_seen_at   INTEGER NOT NULL,
    unreachable_at INTEGER,                -- blocked the bot / deactivated (403)
    UNIQUE (channel, external_id)
);
CREATE INDEX channel_identities_donor ON channel_identities (donor_id);

-- Where each conversation stands (engine::State as JSON), so a restart resumes it.
CREATE TABLE conversations (
    identity_id INTEGER PRIMARY KEY REFERENCES channel_identities (id) ON DELETE CASCADE,
    state       TEXT NOT NULL,
    updated_at  INTEGER NOT NULL
);

-- Platform events already handled (Telegram update_id, …), written in the same transaction
-- as their effects: an update delivered twice is handled once.
CREATE TABLE inbound_seen (
    channel   TEXT NOT NULL,
    event_key TEXT NOT NULL,
    seen_at   INTEGER NOT NULL,
    PRIMARY KEY (channel, event_key)
);
CREATE INDEX inbound_seen_at ON inbound_seen (seen_at);

-- Every outgoing message. Writers insert rows in the transaction of the change that caused
-- them; one worker sends them. Body and chat are cleared once a row is final: the outbox is
-- not an archive of what donors were told.
CREATE TABLE outbox (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key     TEXT UNIQUE,       -- one logical message, at most one row
    channel             TEXT NOT NULL,
    chat_id             TEXT,
    identity_id         INTEGER REFERENCES channel_identities (id) ON DELETE CASCADE,
    lane                INTEGER NOT NULL,  -- 0 urgent, 1 reply, 2 bulk: lower goes first
    body                TEXT,              -- JSON: text, choices, phone button
    status              TEXT NOT NULL DEFAULT 'pending'
                        CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'unreachable')),
    attempts            INTEGER NOT NULL DEFAULT 0,
    not_before          INTEGER NOT NULL,
    created_at          INTEGER NOT NULL,
    finished_at         INTEGER,
    platform_message_id TEXT,
    last_error          TEXT
);
CREATE INDEX outbox_pending ON outbox (lane, id) WHERE status = 'pending';
CREATE INDEX outbox_chat ON outbox (channel, chat_id) WHERE status IN ('pending', 'sending');
CREATE INDEX outbox_identity ON outbox (identity_id);

-- Anonymous counts that outlive erased donors (e.g. 'donors_erased').
CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
