//! A Zalo Official Account's tokens, and what the delivery worker needs to route a message
//! under Zalo's 2026 rules: the person's last interaction, the phone a template may go to,
//! spend against the month's budget, the template quota and receipts.

use super::*;
use crate::domain::zns::Spend;
use anyhow::Context;
use sqlx::Row;

/// See [`Store::lock_oa_tokens`].
pub struct OaTokenLock {
    tx: Option<sqlx::Transaction<'static, sqlx::Any>>,
}

impl OaTokenLock {
    pub async fn release(self) {
        if let Some(tx) = self.tx {
            let _ = tx.commit().await;
        }
    }
}

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

    /// Hold the OA's tokens while one instance refreshes them: Zalo's refresh token works
    /// once, so two instances refreshing together would leave one with a spent token. On
    /// PostgreSQL a transaction-scoped advisory lock, released by [`OaTokenLock::release`]
    /// (or when dropped); the holder re-reads the stored tokens first and uses another
    /// instance's fresh pair instead of refreshing again. SQLite has one instance: nothing.
    pub async fn lock_oa_tokens(&self, app_id: &str) -> anyhow::Result<OaTokenLock> {
        if self.backend == super::Backend::Sqlite {
            return Ok(OaTokenLock { tx: None });
        }
        let mut tx = self
            .pool
            .begin()
            .await
            .context("locking the Zalo OA tokens")?;
        sqlx::query("SELECT 1 FROM pg_advisory_xact_lock(7217, hashtext($1))")
            .bind(app_id)
            .fetch_all(&mut *tx)
            .await
            .context("locking the Zalo OA tokens")?;
        Ok(OaTokenLock { tx: Some(tx) })
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
        let _gate = self.gate().await?;
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

    /// What choosing a route for a message to this Zalo OA account needs: when the person
    /// last interacted, and the phone a template may go to — only a phone that is their own
    /// (shared from the platform), under a consent whose text names Zalo notifications by
    /// phone, and not refused by Zalo before.
    pub async fn oa_route_facts(
        &self,
        channel: Channel,
        chat_id: &str,
    ) -> anyhow::Result<OaRouteFacts> {
        let row = sqlx::query(
            "SELECT ci.last_seen_at, d.id AS donor_id, d.phone, d.phone_verified, \
             d.zns_refused_at, (SELECT text_version FROM consents c WHERE c.donor_id = d.id \
             ORDER BY c.id DESC LIMIT 1) AS consent_version \
             FROM channel_identities ci LEFT JOIN donors d ON d.id = ci.donor_id \
             WHERE ci.channel = $1 AND ci.chat_id = $2 ORDER BY ci.last_seen_at DESC LIMIT 1",
        )
        .bind(channel.code())
        .bind(chat_id)
        .fetch_optional(&self.pool)
        .await
        .context("reading what routing needs")?;
        let Some(r) = row else {
            return Ok(OaRouteFacts::default());
        };
        let consent: Option<String> = r.try_get("consent_version")?;
        let covered = consent.is_some_and(|v| v.as_str() >= crate::domain::zns::CONSENT_FROM);
        let own = super::flag(&r, "phone_verified")?;
        let refused: Option<i64> = r.try_get("zns_refused_at")?;
        let phone: Option<String> = r.try_get("phone")?;
        Ok(OaRouteFacts {
            last_seen: r.try_get("last_seen_at")?,
            donor_id: r.try_get("donor_id")?,
            template_phone: phone
                .filter(|_| covered && own && refused.is_none())
                .and_then(|p| crate::domain::zns::zns_phone(&p)),
        })
    }

    /// Count one message of `class` in `month` at `price`. With a `limit`, only while the
    /// month's template spend (bulk and urgent together) stays within it: one conditional
    /// statement, so two senders can never both take the last of a budget. `false`: over.
    ///
    /// On SQLite the statement runs alone (one writer). On PostgreSQL two such statements
    /// at once would each sum the spend before the other's row is committed (the sum is read
    /// under its own snapshot, not locked) and both pass: there they run one at a time per
    /// month under an advisory lock, each statement then reading what the last committed.
    pub async fn spend(
        &self,
        month: &str,
        class: Spend,
        price: i64,
        limit: Option<i64>,
    ) -> anyhow::Result<bool> {
        let _gate = self.gate().await?;
        let mut tx = self.pool.begin().await.context("counting spend")?;
        if self.backend == super::Backend::Postgres {
            sqlx::query("SELECT 1 FROM pg_advisory_xact_lock(7218, hashtext($1))")
                .bind(month)
                .fetch_all(&mut *tx)
                .await
                .context("locking the month's spend")?;
        }
        let counted = sqlx::query(
            "INSERT INTO zalo_spend (month, class, sent, spent_vnd) SELECT $1, $2, 1, $3 \
             WHERE $4 IS NULL OR (SELECT CAST(COALESCE(SUM(spent_vnd), 0) AS BIGINT) FROM zalo_spend \
             WHERE month = $1 AND class IN ('zns_bulk', 'zns_urgent')) + $3 <= $4 \
             ON CONFLICT (month, class) DO UPDATE SET sent = zalo_spend.sent + 1, \
             spent_vnd = zalo_spend.spent_vnd + excluded.spent_vnd",
        )
        .bind(month)
        .bind(class.code())
        .bind(price)
        .bind(limit)
        .execute(&mut *tx)
        .await
        .context("counting spend")?
        .rows_affected()
            == 1;
        tx.commit().await.context("counting spend")?;
        Ok(counted)
    }

    /// Give back what [`Store::spend`] took (the send did not happen).
    pub async fn unspend(&self, month: &str, class: Spend, price: i64) -> anyhow::Result<()> {
        let _gate = self.gate().await?;
        sqlx::query(
            "UPDATE zalo_spend SET sent = sent - 1, spent_vnd = spent_vnd - $3 \
             WHERE month = $1 AND class = $2 AND sent > 0",
        )
        .bind(month)
        .bind(class.code())
        .bind(price)
        .execute(&self.pool)
        .await
        .context("giving back spend")?;
        Ok(())
    }

    /// How a row went and what it cost, written while it is being sent.
    pub async fn note_route(&self, row_id: i64, route: &str, cost_vnd: i64) -> anyhow::Result<()> {
        let _gate = self.gate().await?;
        sqlx::query("UPDATE outbox SET route = $1, cost_vnd = $2 WHERE id = $3")
            .bind(route)
            .bind(cost_vnd)
            .bind(row_id)
            .execute(&self.pool)
            .await
            .context("noting a row's route")?;
        Ok(())
    }

    /// The daily template quota as the API just reported it.
    pub async fn note_zns_quota(
        &self,
        app_id: &str,
        daily: Option<i64>,
        remaining: Option<i64>,
        now: i64,
    ) -> anyhow::Result<()> {
        let _gate = self.gate().await?;
        sqlx::query(
            "INSERT INTO zns_quota (app_id, daily, remaining, updated_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (app_id) DO UPDATE SET daily = excluded.daily, \
             remaining = excluded.remaining, updated_at = excluded.updated_at",
        )
        .bind(app_id)
        .bind(daily)
        .bind(remaining)
        .bind(now)
        .execute(&self.pool)
        .await
        .context("noting the template quota")?;
        Ok(())
    }

    /// Zalo refused this donor's phone for templates (invalid, opted out): never again.
    pub async fn refuse_templates(&self, donor_id: i64, now: i64) -> anyhow::Result<()> {
        let _gate = self.gate().await?;
        sqlx::query("UPDATE donors SET zns_refused_at = $1 WHERE id = $2")
            .bind(now)
            .bind(donor_id)
            .execute(&self.pool)
            .await
            .context("noting a refused phone")?;
        Ok(())
    }

    /// A receipt: the template message of this outbox row reached the phone. `false` when
    /// no such row was sent (an old or foreign tracking id).
    pub async fn mark_delivered(&self, row_id: i64, now: i64) -> anyhow::Result<bool> {
        let _gate = self.gate().await?;
        let r = sqlx::query(
            "UPDATE outbox SET delivered_at = COALESCE(delivered_at, $1) \
             WHERE id = $2 AND status = 'sent'",
        )
        .bind(now)
        .bind(row_id)
        .execute(&self.pool)
        .await
        .context("recording a receipt")?;
        Ok(r.rows_affected() == 1)
    }

    /// Spend, quota and receipts, for `hienmau status`: `month`'s spend by class, the
    /// quota last reported, and template messages confirmed, awaiting a receipt, and
    /// unconfirmed (sent before `unconfirmed_before` with no receipt).
    pub async fn zalo_status(
        &self,
        month: &str,
        unconfirmed_before: i64,
    ) -> anyhow::Result<ZaloStatus> {
        let spend = sqlx::query(
            "SELECT class, sent, spent_vnd FROM zalo_spend WHERE month = $1 ORDER BY class",
        )
        .bind(month)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .collect::<anyhow::Result<_>>()?;
        let quota = sqlx::query(
            "SELECT daily, remaining, updated_at FROM zns_quota ORDER BY updated_at DESC LIMIT 1",
        )
        .fetch_optional(&self.pool)
        .await?
        .map(|r| -> anyhow::Result<_> { Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)) })
        .transpose()?;
        let r = sqlx::query(
            "SELECT COUNT(delivered_at), \
             COALESCE(SUM(CASE WHEN delivered_at IS NULL AND finished_at >= $1 THEN 1 END), 0), \
             COALESCE(SUM(CASE WHEN delivered_at IS NULL AND finished_at < $1 THEN 1 END), 0) \
             FROM outbox WHERE route = 'zns' AND status = 'sent'",
        )
        .bind(unconfirmed_before)
        .fetch_one(&self.pool)
        .await?;
        Ok(ZaloStatus {
            spend,
            quota,
            delivered: r.try_get(0)?,
            awaiting: r.try_get(1)?,
            unconfirmed: r.try_get(2)?,
        })
    }
}

/// See [`Store::oa_route_facts`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OaRouteFacts {
    pub last_seen: Option<i64>,
    pub donor_id: Option<i64>,
    /// `84…`, when a template may go to it.
    pub template_phone: Option<String>,
}

/// See [`Store::zalo_status`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ZaloStatus {
    /// (class, messages, VND) this month.
    pub spend: Vec<(String, i64, i64)>,
    /// (daily, remaining, reported at).
    pub quota: Option<(Option<i64>, Option<i64>, i64)>,
    pub delivered: i64,
    pub awaiting: i64,
    pub unconfirmed: i64,
}
