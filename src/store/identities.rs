//! Channel accounts (identities), the platform events already handled, and conversation
//! states: who wrote, on which platform, in which language, and where their chat stands.

use super::*;
use crate::domain::donor::Donor;
use crate::messages::Lang;
use anyhow::Context;
use sqlx::Row;
use std::collections::{HashMap, HashSet};

/// The channel account a message came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub id: i64,
    pub donor_id: Option<i64>,
    pub lang: Lang,
}

/// An account to record as just heard from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account<'a> {
    pub channel: &'a str,
    pub external_id: &'a str,
    pub chat_id: &'a str,
}

impl Store {
    /// Forget handled-update ids older than `before` (they only guard against redelivery,
    /// which platforms do within hours).
    pub async fn prune_seen(&self, before: i64) -> anyhow::Result<u64> {
        let _gate = self.gate().await?;
        let r = sqlx::query("DELETE FROM inbound_seen WHERE seen_at < $1")
            .bind(before)
            .execute(&self.pool)
            .await
            .context("pruning handled updates")?;
        Ok(r.rows_affected())
    }

    /// Whether a channel account has been marked unreachable (403).
    pub async fn identity_unreachable(
        &self,
        channel: &str,
        external_id: &str,
    ) -> anyhow::Result<bool> {
        let v: Option<Option<i64>> = sqlx::query_scalar(
            "SELECT unreachable_at FROM channel_identities WHERE channel = $1 AND external_id = $2",
        )
        .bind(channel)
        .bind(external_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(matches!(v, Some(Some(_))))
    }

    /// The language of a channel account (Vietnamese if unknown).
    pub async fn identity_lang(&self, channel: &str, external_id: &str) -> anyhow::Result<Lang> {
        let code: Option<String> = sqlx::query_scalar(
            "SELECT lang FROM channel_identities WHERE channel = $1 AND external_id = $2",
        )
        .bind(channel)
        .bind(external_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(code.and_then(|c| Lang::from_code(&c)).unwrap_or(Lang::Vi))
    }

    /// The id of a channel account, if known.
    pub async fn identity_id(
        &self,
        channel: &str,
        external_id: &str,
    ) -> anyhow::Result<Option<i64>> {
        Ok(sqlx::query_scalar(
            "SELECT id FROM channel_identities WHERE channel = $1 AND external_id = $2",
        )
        .bind(channel)
        .bind(external_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// The donor linked to a channel account, if any.
    pub async fn donor_of(
        &self,
        channel: &str,
        external_id: &str,
    ) -> anyhow::Result<Option<Donor>> {
        let mut tx = self.begin().await?;
        let id: Option<Option<i64>> = sqlx::query_scalar(
            "SELECT donor_id FROM channel_identities WHERE channel = $1 AND external_id = $2",
        )
        .bind(channel)
        .bind(external_id)
        .fetch_optional(&mut *tx.tx)
        .await?;
        match id.flatten() {
            Some(id) => Ok(tx.load_donors(&[id]).await?.remove(&id)),
            None => Ok(None),
        }
    }

    /// An account asked to hear no more (Zalo OA `unfollow`).
    pub async fn mark_unreachable(
        &self,
        channel: &str,
        external_id: &str,
        now: i64,
    ) -> anyhow::Result<()> {
        let _gate = self.gate().await?;
        sqlx::query(
            "UPDATE channel_identities SET unreachable_at = $1 WHERE channel = $2 AND external_id = $3",
        )
        .bind(now)
        .bind(channel)
        .bind(external_id)
        .execute(&self.pool)
        .await
        .context("marking an account unreachable")?;
        Ok(())
    }
}

impl Tx {
    /// Record platform events as handled; returns those that were not already (the others
    /// are redeliveries).
    pub async fn mark_seen(
        &mut self,
        events: &[(&str, &str)],
        now: i64,
    ) -> anyhow::Result<HashSet<(String, String)>> {
        let mut fresh = HashSet::new();
        for chunk in events.chunks(CHUNK) {
            let mut q = Q::new(
                self.backend(),
                "INSERT INTO inbound_seen (channel, event_key, seen_at) ",
            );
            q.push_values(chunk, |mut row, (channel, key)| {
                row.push_bind(*channel).push_bind(*key).push_bind(now);
            });
            q.push(" ON CONFLICT (channel, event_key) DO NOTHING RETURNING channel, event_key");
            for row in q
                .build()
                .fetch_all(&mut *self.tx)
                .await
                .context("recording inbound events")?
            {
                fresh.insert((row.try_get("channel")?, row.try_get("event_key")?));
            }
        }
        Ok(fresh)
    }

    /// Find or create channel accounts, noting that they were just heard from (and so are
    /// reachable again). Keyed by (channel, external id).
    pub async fn touch_identities(
        &mut self,
        accounts: &[Account<'_>],
        now: i64,
    ) -> anyhow::Result<HashMap<(String, String), Identity>> {
        let mut out = HashMap::new();
        for chunk in accounts.chunks(CHUNK) {
            let mut q = Q::new(
                self.backend(),
                "INSERT INTO channel_identities \
                 (channel, external_id, chat_id, first_seen_at, last_seen_at) ",
            );
            q.push_values(chunk, |mut row, a| {
                row.push_bind(a.channel)
                    .push_bind(a.external_id)
                    .push_bind(a.chat_id)
                    .push_bind(now)
                    .push_bind(now);
            });
            q.push(
                " ON CONFLICT (channel, external_id) DO UPDATE SET chat_id = excluded.chat_id, \
                 last_seen_at = excluded.last_seen_at, unreachable_at = NULL \
                 RETURNING id, channel, external_id, donor_id, lang",
            );
            for row in q
                .build()
                .fetch_all(&mut *self.tx)
                .await
                .context("recording channel accounts")?
            {
                let lang: String = row.try_get("lang")?;
                out.insert(
                    (row.try_get("channel")?, row.try_get("external_id")?),
                    Identity {
                        id: row.try_get("id")?,
                        donor_id: row.try_get("donor_id")?,
                        lang: Lang::from_code(&lang).unwrap_or_default(),
                    },
                );
            }
        }
        Ok(out)
    }

    /// Conversation states (JSON) of these accounts.
    pub async fn load_states(
        &mut self,
        identity_ids: &[i64],
    ) -> anyhow::Result<HashMap<i64, String>> {
        let mut out = HashMap::new();
        for chunk in identity_ids.chunks(CHUNK) {
            let mut q = Q::new(
                self.backend(),
                "SELECT identity_id, state FROM conversations WHERE identity_id IN ",
            );
            push_list(&mut q, chunk);
            for row in q
                .build()
                .fetch_all(&mut *self.tx)
                .await
                .context("reading conversation states")?
            {
                out.insert(row.try_get("identity_id")?, row.try_get("state")?);
            }
        }
        Ok(out)
    }

    pub async fn save_states(&mut self, states: &[(i64, String)], now: i64) -> anyhow::Result<()> {
        for chunk in states.chunks(CHUNK) {
            let mut q = Q::new(
                self.backend(),
                "INSERT INTO conversations (identity_id, state, updated_at) ",
            );
            q.push_values(chunk, |mut row, (id, state)| {
                row.push_bind(id).push_bind(state).push_bind(now);
            });
            q.push(
                " ON CONFLICT (identity_id) DO UPDATE SET state = excluded.state, \
                 updated_at = excluded.updated_at",
            );
            q.build()
                .execute(&mut *self.tx)
                .await
                .context("saving conversation states")?;
        }
        Ok(())
    }

    pub async fn set_lang(&mut self, identity_id: i64, lang: Lang) -> anyhow::Result<()> {
        sqlx::query("UPDATE channel_identities SET lang = $1 WHERE id = $2")
            .bind(lang.code())
            .bind(identity_id)
            .execute(&mut *self.tx)
            .await
            .context("saving the language")?;
        Ok(())
    }

    /// Forget an account that has no donor (declined consent, or /delete before consenting).
    pub async fn forget_identity(&mut self, identity_id: i64) -> anyhow::Result<()> {
        sqlx::query("DELETE FROM channel_identities WHERE id = $1 AND donor_id IS NULL")
            .bind(identity_id)
            .execute(&mut *self.tx)
            .await
            .context("forgetting the channel account")?;
        Ok(())
    }
}
