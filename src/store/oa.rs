//! A Zalo Official Account's tokens, reply windows and monthly quota, as the OA adapter needs
//! them (it reaches them only through these functions).

use super::*;
use anyhow::Context;
use sqlx::Row;

/// How [`Store::store_oa_tokens`] treats tokens already stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenWrite {
    Seed,
    Refreshed,
}

impl Store {
    /// The stored Zalo OA tokens: (access, refresh, expires at).
    pub async fn oa_tokens(&self, app_id: &str) -> anyhow::Result<Option<(String, String, i64)>> {
        let row = sqlx::query(
            "SELECT access_token, refresh_token, expires_at FROM zalo_oa_tokens WHERE app_id = $1",
        )
        .bind(app_id)
        .fetch_optional(&self.pool)
        .await
        .context("reading the Zalo OA tokens")?;
        row.map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
            .transpose()
    }

    /// Store a pair of Zalo OA tokens in one statement. `Seed` (the configured first tokens)
    /// never replaces stored ones: those are newer, and the configured refresh token may be
    /// spent. `Refreshed` always does, durably, before the new access token is used.
    pub async fn store_oa_tokens(
        &self,
        app_id: &str,
        tokens: (&str, &str, i64),
        kind: TokenWrite,
        now: i64,
    ) -> anyhow::Result<()> {
        let on_conflict = match kind {
            TokenWrite::Seed => "DO NOTHING",
            TokenWrite::Refreshed => {
                "DO UPDATE SET access_token = excluded.access_token, \
                 refresh_token = excluded.refresh_token, expires_at = excluded.expires_at, \
                 updated_at = excluded.updated_at"
            }
        };
        let sql = format!(
            "INSERT INTO zalo_oa_tokens (app_id, access_token, refresh_token, expires_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (app_id) {on_conflict}"
        );
        sqlx::query(&sql)
            .bind(app_id)
            .bind(tokens.0)
            .bind(tokens.1)
            .bind(tokens.2)
            .bind(now)
            .execute(&self.pool)
            .await
            .context("storing Zalo OA tokens")?;
        Ok(())
    }

    /// When the account last wrote, and how many messages it was sent since (the free-reply
    /// window of a Zalo OA).
    pub async fn reply_window(
        &self,
        channel: &str,
        chat_id: &str,
    ) -> anyhow::Result<Option<(i64, i64)>> {
        let row = sqlx::query(
            "SELECT last_seen_at, sent_since_inbound FROM channel_identities \
             WHERE channel = $1 AND chat_id = $2",
        )
        .bind(channel)
        .bind(chat_id)
        .fetch_optional(&self.pool)
        .await
        .context("reading the reply window")?;
        row.map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).transpose()
    }

    /// Count a message sent to an account since it last wrote.
    pub async fn count_sent(&self, channel: &str, chat_id: &str) -> anyhow::Result<()> {
        sqlx::query(
            "UPDATE channel_identities SET sent_since_inbound = sent_since_inbound + 1 \
             WHERE channel = $1 AND chat_id = $2",
        )
        .bind(channel)
        .bind(chat_id)
        .execute(&self.pool)
        .await
        .context("counting a sent message")?;
        Ok(())
    }

    /// Take one message from a monthly quota; `false` when it is spent.
    pub async fn reserve_quota(
        &self,
        channel: &str,
        month: &str,
        limit: i64,
    ) -> anyhow::Result<bool> {
        let r = sqlx::query(
            "INSERT INTO quota_usage (channel, month, used) VALUES ($1, $2, 1) \
             ON CONFLICT (channel, month) DO UPDATE SET used = quota_usage.used + 1 \
             WHERE quota_usage.used < $3",
        )
        .bind(channel)
        .bind(month)
        .bind(limit)
        .execute(&self.pool)
        .await
        .context("reserving quota")?;
        Ok(r.rows_affected() == 1 && limit > 0)
    }

    /// Give back a reserved message (the send did not happen).
    pub async fn release_quota(&self, channel: &str, month: &str) -> anyhow::Result<()> {
        sqlx::query(
            "UPDATE quota_usage SET used = used - 1 WHERE channel = $1 AND month = $2 AND used > 0",
        )
        .bind(channel)
        .bind(month)
        .execute(&self.pool)
        .await
        .context("releasing quota")?;
        Ok(())
    }

    /// Quota used per channel and month, newest first.
    pub async fn quota_usage(&self) -> anyhow::Result<Vec<(String, String, i64)>> {
        let rows = sqlx::query(
            "SELECT channel, month, used FROM quota_usage ORDER BY month DESC, channel",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
            .collect()
    }
}
