-- The coordinators' web dashboard (issue 18): one-time sign-in links (sent in chat or
-- printed by `hienmau dashboard link`) and the sessions they open. Only SHA-256 hashes of
-- the random tokens are stored, so a copy of the database signs nobody in.
CREATE TABLE dashboard_links (
    token_hash  TEXT PRIMARY KEY,
    identity_id INTEGER NOT NULL REFERENCES channel_identities (id) ON DELETE CASCADE,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER
);

CREATE TABLE dashboard_sessions (
    token_hash  TEXT PRIMARY KEY,
    identity_id INTEGER NOT NULL REFERENCES channel_identities (id) ON DELETE CASCADE,
    csrf        TEXT NOT NULL,          -- the session's form token (forms carry it back)
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);
CREATE INDEX dashboard_sessions_identity ON dashboard_sessions (identity_id);
