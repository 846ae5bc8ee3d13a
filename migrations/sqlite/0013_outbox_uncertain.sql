-- A row that was being sent when the process stopped may or may not have reached the
-- platform, and no platform can be asked. Notices and broadcasts in that state are, by
-- default, not sent again but counted 'uncertain' (see [delivery] interrupted_bulk).
-- SQLite cannot change a CHECK constraint in place: the table is rebuilt as in 0005, ids and
-- the id sequence kept.
CREATE TABLE outbox_new (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key     TEXT UNIQUE,
    channel             TEXT NOT NULL,
    chat_id             TEXT,
    identity_id         INTEGER REFERENCES channel_identities (id) ON DELETE CASCADE,
    lane                INTEGER NOT NULL,  -- 0 urgent, 1 reply, 2 notice, 3 bulk: lower first
    body                TEXT,
    status              TEXT NOT NULL DEFAULT 'pending'
                        CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'unreachable',
                                          'cancelled', 'uncertain')),
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
                        last_error, broadcast_id)
SELECT id, idempotency_key, channel, chat_id, identity_id, lane, body, status, attempts,
       not_before, created_at, finished_at, platform_message_id, last_error, broadcast_id
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
