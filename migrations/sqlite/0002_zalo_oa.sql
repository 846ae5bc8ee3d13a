-- Zalo Official Account tokens. The access token lives about 25 hours; the refresh token is
-- single-use: each refresh returns a new one, which is stored here (in one statement with the
-- new access token) before the access token is used, so a stop at any later point never
-- leaves the OA without a valid refresh token.
CREATE TABLE zalo_oa_tokens (
    app_id        TEXT PRIMARY KEY,
    access_token  TEXT NOT NULL,
    refresh_token TEXT NOT NULL,
    expires_at    INTEGER NOT NULL,   -- unix ms
    updated_at    INTEGER NOT NULL
);

-- Messages counted against a monthly quota (Zalo OA: proactive messages, i.e. anything
-- outside the free replies to a person's last message). A send reserves one before it goes
-- and gives it back if the platform refused it.
CREATE TABLE quota_usage (
    channel TEXT NOT NULL,
    month   TEXT NOT NULL,   -- 'YYYY-MM' in the configured time zone
    used    INTEGER NOT NULL,
    PRIMARY KEY (channel, month)
);

-- Messages sent to an account since it last wrote (reset by each inbound message): a Zalo OA
-- may send at most 8 free replies per message received.
ALTER TABLE channel_identities ADD COLUMN sent_since_inbound INTEGER NOT NULL DEFAULT 0;
