//! The dashboard's sign-in links and sessions (hashes of their tokens only).

use super::*;
use anyhow::Context;

impl Tx {
    /// A one-time link for `identity`, valid until `expires_at`; links long expired go.
    pub async fn create_dashboard_link(
        &mut self,
        token_hash: &str,
        identity: i64,
        now: i64,
        expires_at: i64,
    ) -> anyhow::Result<()> {
        sqlx::query("DELETE FROM dashboard_links WHERE expires_at < $1")
            .bind(now - 86_400_000)
            .execute(&mut *self.tx)
            .await?;
        sqlx::query(
            "INSERT INTO dashboard_links (token_hash, identity_id, expires_at) VALUES ($1, $2, $3)",
        )
        .bind(token_hash)
        .bind(identity)
        .bind(expires_at)
        .execute(&mut *self.tx)
        .await
        .context("storing a sign-in link")?;
        Ok(())
    }
}

impl Store {
    /// Use a link: its account, once, while it is valid (one statement, so two tabs opening
    /// the same link cannot both sign in).
    pub async fn redeem_dashboard_link(
        &self,
        token_hash: &str,
        now: i64,
    ) -> anyhow::Result<Option<i64>> {
        let _gate = self.gate().await?;
        Ok(sqlx::query_scalar(
            "UPDATE dashboard_links SET used_at = $2 \
             WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 \
             RETURNING identity_id",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn create_dashboard_session(
        &self,
        token_hash: &str,
        identity: i64,
        csrf: &str,
        now: i64,
        expires_at: i64,
    ) -> anyhow::Result<()> {
        let _gate = self.gate().await?;
        sqlx::query(
            "INSERT INTO dashboard_sessions (token_hash, identity_id, csrf, created_at, \
             expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(identity)
        .bind(csrf)
        .bind(now)
        .bind(expires_at)
        .execute(&self.pool)
        .await
        .context("storing a session")?;
        Ok(())
    }

    /// A session still open: its account and form token.
    pub async fn dashboard_session(
        &self,
        token_hash: &str,
        now: i64,
    ) -> anyhow::Result<Option<(i64, String)>> {
        Ok(sqlx::query_as(
            "SELECT identity_id, csrf FROM dashboard_sessions \
             WHERE token_hash = $1 AND expires_at > $2",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn end_dashboard_session(&self, token_hash: &str) -> anyhow::Result<()> {
        let _gate = self.gate().await?;
        sqlx::query("DELETE FROM dashboard_sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
