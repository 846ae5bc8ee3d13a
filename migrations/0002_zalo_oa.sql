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
