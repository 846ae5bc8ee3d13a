//! The store owns every SQL statement. SQLite by default (one file, nothing to install); the
//! SQL uses `$n` placeholders and portable types (INTEGER times, TEXT dates) so that a
//! PostgreSQL backend can share most of it.
//!
//! A conversation step runs in one [`Tx`]: its first statement is a write, so the write lock is
//! taken before anything is read and two steps for one person can never interleave.

use crate::config::Interrupted;
use crate::domain::blood::BloodGroup;
use crate::domain::body::{Sex, WeightKg};
use crate::domain::campaign::{Campaign, FileError};
use crate::domain::channel::ChannelKind;
use crate::domain::donation::DonationLine;
use crate::domain::donor::{Donor, LastDonationAnswer};
use crate::domain::eligibility::DonationKind;
use crate::domain::phone::PhoneNumber;
use crate::domain::province::Province;
use crate::messages::Lang;
use anyhow::Context;
use chrono::NaiveDate;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::{Row, Sqlite, Transaction};
use std::collections::{HashMap, HashSet};
use std::str::FromStr;
use std::time::Duration;

mod callout;
mod club;
mod drive;
mod keys;
pub use callout::{Answered, Candidate, MatchQuery, MyAsk, Pledge, StockLevel};
pub use club::{OpenBroadcast, PhoneLookup, Recipient};
pub use drive::{Job, JobKind, JobOutcome, NewJob, Recorded, SignUp};
pub use keys::{JobKey, KeyFamily, OutboxKey};

#[derive(Clone)]
pub struct Store {
    pool: SqlitePool,
}

/// The channel account a message came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub id: i64,
    pub donor_id: Option<i64>,
    pub lang: Lang,
}

/// A row to add to the outbox.
#[derive(Debug, Clone)]
pub struct NewMessage<'a> {
    pub idempotency_key: Option<String>,
    pub channel: &'a str,
    pub chat_id: &'a str,
    pub identity_id: Option<i64>,
    pub lane: Lane,
    pub body: String,
    pub not_before: i64,
    pub broadcast_id: Option<i64>,
}

/// Lower goes first: an urgent call-out never waits behind a broadcast.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Lane {
    Urgent = 0,
    Reply = 1,
    /// Reminders, thanks, "you may give again": held in quiet hours, ahead of broadcasts.
    Notice = 2,
    /// Broadcasts and campaign announcements.
    Bulk = 3,
}

impl Lane {
    pub const ALL: [Lane; 4] = [Lane::Urgent, Lane::Reply, Lane::Notice, Lane::Bulk];

    /// The lane stored as this number.
    pub fn from_index(i: i64) -> Option<Lane> {
        Lane::ALL.into_iter().find(|l| *l as i64 == i)
    }

    /// Its name in `hienmau status` and the logs.
    pub fn name(self) -> &'static str {
        match self {
            Lane::Urgent => "urgent",
            Lane::Reply => "reply",
            Lane::Notice => "notice",
            Lane::Bulk => "bulk",
        }
    }
}

/// What became of the rows a stopped process left mid-send.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Settled {
    /// Queued again (urgent, replies; everything with [`Interrupted::Resend`]).
    pub requeued: u64,
    /// Notices and broadcasts counted 'uncertain' and not sent again.
    pub uncertain: u64,
}

/// An outbox row ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxRow {
    pub id: i64,
    pub channel: ChannelKind,
    pub chat_id: String,
    pub identity_id: Option<i64>,
    pub lane: Lane,
    pub body: String,
    pub attempts: i64,
}

/// What an import of donations did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DonationImport {
    pub lines: usize,
    /// New donations (the rest were already on record).
    pub added: usize,
    pub donors: usize,
}

/// How [`Store::store_oa_tokens`] treats tokens already stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenWrite {
    Seed,
    Refreshed,
}

/// Which rows a delivery worker may take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Every row of these channels.
    Channels(Vec<ChannelKind>),
    /// One chat of one channel (a terminal user's own rows).
    Chat {
        channel: ChannelKind,
        chat_id: String,
    },
}

/// What became of one send.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Sent {
        platform_message_id: Option<String>,
    },
    /// Try again at `not_before`; `counts` is false for a rate-limit wait.
    Retry {
        not_before: i64,
        error: String,
        counts: bool,
    },
    Failed {
        error: String,
    },
    /// The person blocked the bot or no longer exists there: stop writing to this account.
    Unreachable {
        error: String,
    },
}

fn date_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn parse_date(s: Option<String>) -> Option<NaiveDate> {
    s.and_then(|s| NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok())
}

/// SQLite's "database is locked" (SQLITE_BUSY, code 5, and its extended codes).
fn is_busy(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(d) => d
            .code()
            .and_then(|c| c.parse::<i32>().ok())
            .is_some_and(|c| c & 0xff == 5),
        _ => false,
    }
}

/// Bring the schema up to date, safely when several processes start at once on a new file:
/// the whole run is one `BEGIN IMMEDIATE` transaction (each migration a savepoint in it), so
/// one process applies them while the others wait for the write lock (the busy timeout) and
/// then find them applied. sqlx's own migration lock does nothing on SQLite.
async fn migrate(pool: &SqlitePool) -> anyhow::Result<()> {
    use sqlx::Connection;
    let mut conn = pool.acquire().await.context("opening the database")?;
    let mut tx = conn
        .begin_with("BEGIN IMMEDIATE")
        .await
        .context("waiting to apply migrations")?;
    sqlx::migrate!("./migrations")
        .run_direct(&mut *tx)
        .await
        // The migrator's message already names its cause: no second copy from the source.
        .map_err(|e| anyhow::anyhow!("applying migrations: {e}"))?;
    tx.commit().await.context("applying migrations")?;
    Ok(())
}

impl Store {
    /// Open (creating the file if needed) and bring the schema up to date.
    pub async fn open(url: &str) -> anyhow::Result<Store> {
        let options = SqliteConnectOptions::from_str(url)
            .with_context(|| format!("DATABASE_URL {url:?} is not a SQLite URL"))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true)
            // Deleted rows are overwritten with zeros: erasure must really erase.
            .pragma("secure_delete", "ON");
        // Several processes opening a new file at once: switching it to WAL takes a lock
        // that SQLite refuses at once (no busy wait) while another holds it. Such a refusal
        // is waited out briefly; anything else is reported.
        let mut tries = 0;
        let pool = loop {
            match SqlitePoolOptions::new()
                .max_connections(4)
                .connect_with(options.clone())
                .await
            {
                Ok(pool) => break pool,
                Err(e) if is_busy(&e) && tries < 100 => {
                    tries += 1;
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(e) => return Err(anyhow::Error::new(e).context("opening the database")),
            }
        };
        migrate(&pool).await?;
        Ok(Store { pool })
    }

    pub async fn begin(&self) -> anyhow::Result<Tx> {
        Ok(Tx {
            tx: self.pool.begin().await.context("starting a transaction")?,
        })
    }

    /// Fold the write-ahead log into the database file and empty it, so that erased data
    /// does not linger in the `-wal` file either.
    /// A reader in the middle of a query can keep the checkpoint from finishing: it is then
    /// tried again, briefly.
    pub async fn checkpoint(&self) -> anyhow::Result<()> {
        for _ in 0..50 {
            // One row: (busy, frames in the log, frames checkpointed).
            let row = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .fetch_one(&self.pool)
                .await
                .context("checkpointing the WAL")?;
            let busy: i64 = row.try_get(0)?;
            if busy == 0 {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        anyhow::bail!("the WAL could not be checkpointed: a reader kept it busy")
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    fn scope_filter(scope: &Scope, first: usize) -> (String, Vec<String>) {
        match scope {
            Scope::Channels(channels) => {
                let marks: Vec<String> = (0..channels.len())
                    .map(|i| format!("${}", first + i))
                    .collect();
                let list = if marks.is_empty() {
                    "NULL".to_string()
                } else {
                    marks.join(", ")
                };
                let codes = channels.iter().map(|c| c.code().to_string()).collect();
                (format!("channel IN ({list})"), codes)
            }
            Scope::Chat { channel, chat_id } => (
                format!("channel = ${} AND chat_id = ${}", first, first + 1),
                vec![channel.code().to_string(), chat_id.clone()],
            ),
        }
    }

    /// Due rows in sending order (lane, then age), at most `limit`, of lanes up to
    /// `max_lane` (quiet hours hold the bulk lane).
    pub async fn due(
        &self,
        scope: &Scope,
        now: i64,
        limit: i64,
        max_lane: Lane,
    ) -> anyhow::Result<Vec<OutboxRow>> {
        let (filter, binds) = Self::scope_filter(scope, 4);
        let sql = format!(
            "SELECT id, channel, chat_id, identity_id, lane, body, attempts FROM outbox \
             WHERE status = 'pending' AND not_before <= $1 AND lane <= $3 AND {filter} \
             ORDER BY lane, id LIMIT $2"
        );
        let mut q = sqlx::query(&sql)
            .bind(now)
            .bind(limit)
            .bind(max_lane as i64);
        for b in &binds {
            q = q.bind(b);
        }
        let rows = q
            .fetch_all(&self.pool)
            .await
            .context("reading due outbox rows")?;
        rows.iter()
            .map(|r| {
                let channel: String = r.try_get("channel")?;
                Ok(OutboxRow {
                    id: r.try_get("id")?,
                    channel: ChannelKind::from_code(&channel).ok_or_else(|| {
                        anyhow::anyhow!("outbox row of unknown channel {channel}")
                    })?,
                    chat_id: r
                        .try_get::<Option<String>, _>("chat_id")?
                        .unwrap_or_default(),
                    identity_id: r.try_get("identity_id")?,
                    lane: {
                        let lane: i64 = r.try_get("lane")?;
                        Lane::from_index(lane)
                            .ok_or_else(|| anyhow::anyhow!("outbox row in unknown lane {lane}"))?
                    },
                    body: r.try_get::<Option<String>, _>("body")?.unwrap_or_default(),
                    attempts: r.try_get("attempts")?,
                })
            })
            .collect()
    }

    /// The platform's id of the latest message sent to this account whose outbox key starts
    /// with `prefix` (the message an update of that series edits). A range on the keys'
    /// index (`+identity_id` keeps the planner off the account's index, which holds every
    /// message the account ever got); the account, not the chat, because a sent row keeps
    /// no chat id.
    pub async fn latest_in_series(
        &self,
        prefix: &str,
        channel: &str,
        identity_id: i64,
    ) -> anyhow::Result<Option<String>> {
        let Some(end) = prefix_end(prefix) else {
            return Ok(None);
        };
        Ok(sqlx::query_scalar(
            "SELECT platform_message_id FROM outbox \
             WHERE idempotency_key >= $1 AND idempotency_key < $2 \
             AND channel = $3 AND +identity_id = $4 AND status = 'sent' \
             AND platform_message_id IS NOT NULL \
             ORDER BY finished_at DESC, id DESC LIMIT 1",
        )
        .bind(prefix)
        .bind(end)
        .bind(channel)
        .bind(identity_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Mark rows as being sent (one statement for the batch).
    pub async fn claim(&self, ids: &[i64]) -> anyhow::Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let sql = format!(
            "UPDATE outbox SET status = 'sending', attempts = attempts + 1 \
             WHERE status = 'pending' AND id IN ({})",
            list(ids.len())
        );
        let mut q = sqlx::query(&sql);
        for id in ids {
            q = q.bind(id);
        }
        q.execute(&self.pool)
            .await
            .context("claiming outbox rows")?;
        Ok(())
    }

    /// Rows left 'sending' by a process that stopped mid-send: the platform may or may not
    /// have them. Urgent call-outs and replies go back to the queue (at least once: a missing
    /// blood request is worse than a duplicate). Notices and broadcasts do too with
    /// [`Interrupted::Resend`]; with [`Interrupted::Report`] they are final as 'uncertain'
    /// (text and chat cleared), counted in the sender's summary and `hienmau status`.
    /// Anything the platform acknowledged and that was recorded is never sent again.
    pub async fn settle_interrupted(
        &self,
        scope: &Scope,
        bulk: Interrupted,
        now: i64,
    ) -> anyhow::Result<Settled> {
        let (filter, binds) = Self::scope_filter(scope, 3);
        let mut tx = self.pool.begin().await.context("starting a transaction")?;
        let uncertain = match bulk {
            Interrupted::Resend => 0,
            Interrupted::Report => {
                let sql = format!(
                    "UPDATE outbox SET status = 'uncertain', finished_at = $1, \
                     last_error = 'interrupted mid-send', body = NULL, chat_id = NULL \
                     WHERE status = 'sending' AND lane >= $2 AND {filter}"
                );
                let mut q = sqlx::query(&sql).bind(now).bind(Lane::Notice as i64);
                for b in &binds {
                    q = q.bind(b);
                }
                q.execute(&mut *tx)
                    .await
                    .context("settling interrupted outbox rows")?
                    .rows_affected()
            }
        };
        let (filter, binds) = Self::scope_filter(scope, 1);
        let sql =
            format!("UPDATE outbox SET status = 'pending' WHERE status = 'sending' AND {filter}");
        let mut q = sqlx::query(&sql);
        for b in &binds {
            q = q.bind(b);
        }
        let requeued = q
            .execute(&mut *tx)
            .await
            .context("requeueing outbox rows")?
            .rows_affected();
        tx.commit()
            .await
            .context("settling interrupted outbox rows")?;
        Ok(Settled {
            requeued,
            uncertain,
        })
    }

    /// Rows that ended 'uncertain', by lane.
    pub async fn uncertain_by_lane(&self) -> anyhow::Result<Vec<(Lane, i64)>> {
        let rows: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT lane, COUNT(*) FROM outbox WHERE status = 'uncertain' \
             GROUP BY lane ORDER BY lane",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(lane, n)| Some((Lane::from_index(lane)?, n)))
            .collect())
    }

    /// Rows still to send (pending or in flight) in a scope.
    pub async fn unsent(&self, scope: &Scope) -> anyhow::Result<i64> {
        let (filter, binds) = Self::scope_filter(scope, 1);
        let sql = format!(
            "SELECT COUNT(*) FROM outbox WHERE status IN ('pending', 'sending') AND {filter}"
        );
        let mut q = sqlx::query_scalar(&sql);
        for b in &binds {
            q = q.bind(b);
        }
        q.fetch_one(&self.pool)
            .await
            .context("counting outbox rows")
    }

    /// Rows of `scope` the worker would send now (due, of a lane not held): what the terminal
    /// waits for before it shows its prompt.
    pub async fn unsent_due(&self, scope: &Scope, now: i64, max_lane: Lane) -> anyhow::Result<i64> {
        let (filter, binds) = Self::scope_filter(scope, 3);
        let sql = format!(
            "SELECT COUNT(*) FROM outbox WHERE status IN ('pending', 'sending') \
             AND not_before <= $1 AND lane <= $2 AND {filter}"
        );
        let mut q = sqlx::query_scalar(&sql).bind(now).bind(max_lane as i64);
        for b in &binds {
            q = q.bind(b);
        }
        q.fetch_one(&self.pool)
            .await
            .context("counting outbox rows")
    }

    /// Record the outcomes of a batch of sends in one transaction.
    pub async fn record(&self, results: &[(OutboxRow, Outcome)], now: i64) -> anyhow::Result<()> {
        let mut tx = self.pool.begin().await.context("starting a transaction")?;
        // The common case, every row sent, is one statement for the whole batch.
        let sent: Vec<(i64, &Option<String>)> = results
            .iter()
            .filter_map(|(row, o)| match o {
                Outcome::Sent {
                    platform_message_id,
                } => Some((row.id, platform_message_id)),
                _ => None,
            })
            .collect();
        for chunk in sent.chunks(CHUNK) {
            let sql = format!(
                "WITH v (id, pmid) AS (VALUES {}) \
                 UPDATE outbox SET status = 'sent', finished_at = ?, \
                 platform_message_id = (SELECT pmid FROM v WHERE v.id = outbox.id), \
                 body = NULL, chat_id = NULL, last_error = NULL \
                 WHERE id IN (SELECT id FROM v) AND status = 'sending'",
                placeholders(chunk.len(), 2)
            );
            let mut q = sqlx::query(&sql);
            for (id, pmid) in chunk {
                q = q.bind(id).bind(*pmid);
            }
            q = q.bind(now);
            q.execute(&mut *tx).await.context("recording sent rows")?;
        }
        for (row, outcome) in results {
            match outcome {
                Outcome::Sent { .. } => {}
                Outcome::Retry {
                    not_before,
                    error,
                    counts,
                } => {
                    sqlx::query(
                        "UPDATE outbox SET status = 'pending', not_before = $1, last_error = $2, \
                         attempts = attempts - $3 WHERE id = $4 AND status = 'sending'",
                    )
                    .bind(not_before)
                    .bind(error)
                    .bind(if *counts { 0 } else { 1 })
                    .bind(row.id)
                    .execute(&mut *tx)
                    .await?;
                    // Later rows to the same chat wait too, so the chat keeps its order.
                    sqlx::query(
                        "UPDATE outbox SET not_before = $1 WHERE status = 'pending' \
                         AND channel = $2 AND chat_id = $3 AND id > $4 AND not_before < $1",
                    )
                    .bind(not_before)
                    .bind(row.channel.code())
                    .bind(&row.chat_id)
                    .bind(row.id)
                    .execute(&mut *tx)
                    .await?;
                }
                Outcome::Failed { error } => {
                    sqlx::query(
                        "UPDATE outbox SET status = 'failed', finished_at = $1, last_error = $2, \
                         body = NULL, chat_id = NULL WHERE id = $3 AND status = 'sending'",
                    )
                    .bind(now)
                    .bind(error)
                    .bind(row.id)
                    .execute(&mut *tx)
                    .await?;
                }
                Outcome::Unreachable { error } => {
                    sqlx::query(
                        "UPDATE outbox SET status = 'unreachable', finished_at = $1, \
                         last_error = $2, body = NULL, chat_id = NULL \
                         WHERE (id = $3 AND status = 'sending') \
                         OR (status = 'pending' AND channel = $4 AND chat_id = $5)",
                    )
                    .bind(now)
                    .bind(error)
                    .bind(row.id)
                    .bind(row.channel.code())
                    .bind(&row.chat_id)
                    .execute(&mut *tx)
                    .await?;
                    if let Some(identity) = row.identity_id {
                        sqlx::query(
                            "UPDATE channel_identities SET unreachable_at = $1 WHERE id = $2",
                        )
                        .bind(now)
                        .bind(identity)
                        .execute(&mut *tx)
                        .await?;
                    }
                }
            }
        }
        tx.commit().await.context("recording send outcomes")?;
        Ok(())
    }

    /// Forget handled-update ids older than `before` (they only guard against redelivery,
    /// which platforms do within hours).
    pub async fn prune_seen(&self, before: i64) -> anyhow::Result<u64> {
        let r = sqlx::query("DELETE FROM inbound_seen WHERE seen_at < $1")
            .bind(before)
            .execute(&self.pool)
            .await
            .context("pruning handled updates")?;
        Ok(r.rows_affected())
    }

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

    /// Move a row that cannot go out on its channel to another reachable account of the same
    /// donor (the most recently active one). `false` if there is none.
    pub async fn reroute(&self, row: &OutboxRow, now: i64) -> anyhow::Result<bool> {
        let Some(identity) = row.identity_id else {
            return Ok(false);
        };
        let other = sqlx::query(
            "SELECT o.id, o.channel, o.chat_id FROM channel_identities o \
             JOIN channel_identities me ON me.donor_id = o.donor_id \
             WHERE me.id = $1 AND o.id <> me.id AND o.channel <> me.channel \
             AND o.unreachable_at IS NULL ORDER BY o.last_seen_at DESC LIMIT 1",
        )
        .bind(identity)
        .fetch_optional(&self.pool)
        .await
        .context("looking for another account")?;
        let Some(other) = other else { return Ok(false) };
        let (id, channel, chat): (i64, String, String) =
            (other.try_get(0)?, other.try_get(1)?, other.try_get(2)?);
        let r = sqlx::query(
            "UPDATE outbox SET channel = $1, chat_id = $2, identity_id = $3, status = 'pending', \
             not_before = $4 WHERE id = $5 AND status = 'sending'",
        )
        .bind(channel)
        .bind(chat)
        .bind(id)
        .bind(now)
        .bind(row.id)
        .execute(&self.pool)
        .await
        .context("rerouting a row")?;
        Ok(r.rows_affected() == 1)
    }

    /// An account asked to hear no more (Zalo OA `unfollow`).
    pub async fn mark_unreachable(
        &self,
        channel: &str,
        external_id: &str,
        now: i64,
    ) -> anyhow::Result<()> {
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

    /// A year's campaigns, in date order.
    pub async fn campaigns(&self, year: i32) -> anyhow::Result<Vec<Campaign>> {
        let rows = sqlx::query(
            "SELECT name, starts_on, ends_on, target_units_min, target_units_max, target_people, \
             organiser, partner, note FROM campaigns WHERE year = $1 ORDER BY starts_on, name",
        )
        .bind(year)
        .fetch_all(&self.pool)
        .await
        .context("reading campaigns")?;
        rows.iter()
            .map(|r| {
                let date = |col: &str| -> anyhow::Result<NaiveDate> {
                    parse_date(r.try_get(col)?).context("a stored campaign date is unreadable")
                };
                Ok(Campaign {
                    name: r.try_get("name")?,
                    starts_on: date("starts_on")?,
                    ends_on: date("ends_on")?,
                    target_units_min: r.try_get("target_units_min")?,
                    target_units_max: r.try_get("target_units_max")?,
                    target_people: r.try_get("target_people")?,
                    organiser: r.try_get("organiser")?,
                    partner: r.try_get("partner")?,
                    note: r.try_get("note")?,
                    drives: Vec::new(),
                })
            })
            .collect()
    }

    /// Record imported donations: every phone must belong to exactly one donor, or nothing is
    /// stored and each bad line is named. Each donor's last donation moves to the newest one
    /// (which sets their next eligible date). A donation already recorded is not counted twice.
    pub async fn import_donations(
        &self,
        lines: &[DonationLine],
        now: i64,
    ) -> anyhow::Result<Result<DonationImport, Vec<FileError>>> {
        let mut owners: HashMap<String, Vec<i64>> = HashMap::new();
        let phones: Vec<String> = lines
            .iter()
            .map(|l| l.phone.as_e164().to_string())
            .collect();
        for chunk in phones.chunks(CHUNK) {
            let sql = format!(
                "SELECT id, phone FROM donors WHERE phone IN ({})",
                list(chunk.len())
            );
            let mut q = sqlx::query(&sql);
            for p in chunk {
                q = q.bind(p);
            }
            for row in q
                .fetch_all(&self.pool)
                .await
                .context("finding donors by phone")?
            {
                owners
                    .entry(row.try_get("phone")?)
                    .or_default()
                    .push(row.try_get("id")?);
            }
        }
        let mut errors = Vec::new();
        let mut resolved = Vec::new();
        for l in lines {
            match owners.get(l.phone.as_e164()).map(Vec::as_slice) {
                Some([id]) => resolved.push((*id, l)),
                Some(ids) if ids.len() > 1 => errors.push(FileError {
                    line: l.line,
                    message: format!("{} donors share the phone {}", ids.len(), l.phone.masked()),
                }),
                _ => errors.push(FileError {
                    line: l.line,
                    message: format!("no registered donor has the phone {}", l.phone.masked()),
                }),
            }
        }
        if !errors.is_empty() {
            return Ok(Err(errors));
        }
        let mut tx = self.pool.begin().await?;
        drive::lock_for_write(&mut tx).await?;
        let mut added = 0;
        let mut donors = HashSet::new();
        // Oldest first, so each donation knows whether the donor had given before it.
        resolved.sort_by_key(|(_, l)| l.date);
        for (donor, l) in &resolved {
            let recorded = drive::record_donation(
                &mut tx, *donor, l.date, l.kind, true, "import", None, None, now, true,
            )
            .await?;
            added += usize::from(recorded.is_some());
            donors.insert(*donor);
        }
        tx.commit().await.context("committing the donations")?;
        Ok(Ok(DonationImport {
            lines: lines.len(),
            added,
            donors: donors.len(),
        }))
    }

    /// Donations on record, and how many of them no longer name anyone (erased donors).
    pub async fn donation_counts(&self) -> anyhow::Result<(i64, i64)> {
        let row = sqlx::query("SELECT COUNT(*), COUNT(*) - COUNT(donor_id) FROM donations")
            .fetch_one(&self.pool)
            .await?;
        Ok((row.try_get(0)?, row.try_get(1)?))
    }

    /// Whether the database takes a write (a transaction that writes and rolls back).
    pub async fn healthy(&self) -> anyhow::Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO counters (name, value) VALUES ('health', 0) ON CONFLICT (name) DO NOTHING",
        )
        .execute(&mut *tx)
        .await?;
        tx.rollback().await?;
        Ok(())
    }

    pub async fn bump_counter(&self, name: &str) -> anyhow::Result<()> {
        let mut tx = self.begin().await?;
        tx.bump(name).await?;
        tx.commit().await
    }

    pub async fn counter(&self, name: &str) -> anyhow::Result<i64> {
        let v: Option<i64> = sqlx::query_scalar("SELECT value FROM counters WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
        Ok(v.unwrap_or(0))
    }

    /// Status counts of the outbox, for operators and tests.
    pub async fn outbox_status_counts(&self) -> anyhow::Result<Vec<(String, i64)>> {
        let rows =
            sqlx::query("SELECT status, COUNT(*) AS n FROM outbox GROUP BY status ORDER BY status")
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("status")?, r.try_get("n")?)))
            .collect()
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

    /// How far ahead of real time the terminal demo's shared clock runs, if it was moved.
    pub async fn demo_offset(&self) -> anyhow::Result<Option<i64>> {
        sqlx::query_scalar("SELECT offset_ms FROM demo_clock WHERE id = 1")
            .fetch_optional(&self.pool)
            .await
            .context("reading the demo clock")
    }

    /// Move the shared demo clock to `offset_ms` ahead of real time, never backwards; the
    /// offset now in force.
    pub async fn advance_demo_offset(&self, offset_ms: i64) -> anyhow::Result<i64> {
        sqlx::query_scalar(
            "INSERT INTO demo_clock (id, offset_ms) VALUES (1, $1) ON CONFLICT (id) DO UPDATE \
             SET offset_ms = MAX(offset_ms, excluded.offset_ms) RETURNING offset_ms",
        )
        .bind(offset_ms)
        .fetch_one(&self.pool)
        .await
        .context("moving the demo clock")
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
}

/// `(?, ?), (?, ?), …` for `rows` rows of `cols` values, bound in order.
///
/// Anonymous placeholders, not `$n`: SQLite looks a named parameter up by scanning the list
/// of names, which makes binding a statement of n parameters cost n² (measured: 8% of the
/// bot's CPU in the steps benchmark). A PostgreSQL backend numbers them here instead.
fn placeholders(rows: usize, cols: usize) -> String {
    let row = format!("({})", vec!["?"; cols].join(", "));
    vec![row; rows].join(", ")
}

/// `?, ?, …` for an `IN (…)` list.
fn list(n: usize) -> String {
    vec!["?"; n].join(", ")
}

/// Rows per multi-row statement: well under SQLite's 32,766 variables.
const CHUNK: usize = 500;

/// An account to record as just heard from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account<'a> {
    pub channel: &'a str,
    pub external_id: &'a str,
    pub chat_id: &'a str,
}

/// One transaction: conversation steps and the outbox rows they write. The batch methods
/// take many rows in one statement: a batch of 100 updates costs a handful of statements,
/// not hundreds.
/// The least string above every string starting with `prefix` (its last character moved up
/// by one), for a range scan; `None` for an empty prefix.
fn prefix_end(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    let last = chars.pop()?;
    let next = char::from_u32(u32::from(last) + 1)?;
    chars.push(next);
    Some(chars.into_iter().collect())
}

pub struct Tx {
    tx: Transaction<'static, Sqlite>,
}

impl Tx {
    /// Withdraw the messages still waiting whose outbox keys start with `prefix` (asks of a
    /// call-out that closed, tallies a newer one replaces); returns their keys.
    pub async fn withdraw_pending(
        &mut self,
        family: KeyFamily,
        now: i64,
    ) -> anyhow::Result<Vec<String>> {
        let prefix = family.prefix();
        let Some(end) = prefix_end(&prefix) else {
            return Ok(Vec::new());
        };
        Ok(sqlx::query_scalar(
            "UPDATE outbox SET status = 'cancelled', finished_at = $3, body = NULL, \
             chat_id = NULL WHERE idempotency_key >= $1 AND idempotency_key < $2 \
             AND status = 'pending' RETURNING idempotency_key",
        )
        .bind(prefix)
        .bind(end)
        .bind(now)
        .fetch_all(&mut *self.tx)
        .await?)
    }

    /// Record platform events as handled; returns those that were not already (the others
    /// are redeliveries).
    pub async fn mark_seen(
        &mut self,
        events: &[(&str, &str)],
        now: i64,
    ) -> anyhow::Result<HashSet<(String, String)>> {
        let mut fresh = HashSet::new();
        for chunk in events.chunks(CHUNK) {
            let sql = format!(
                "INSERT INTO inbound_seen (channel, event_key, seen_at) VALUES {} \
                 ON CONFLICT (channel, event_key) DO NOTHING RETURNING channel, event_key",
                placeholders(chunk.len(), 3)
            );
            let mut q = sqlx::query(&sql);
            for (channel, key) in chunk {
                q = q.bind(*channel).bind(*key).bind(now);
            }
            for row in q
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
            let sql = format!(
                "INSERT INTO channel_identities \
                 (channel, external_id, chat_id, first_seen_at, last_seen_at) VALUES {} \
                 ON CONFLICT (channel, external_id) DO UPDATE SET chat_id = excluded.chat_id, \
                 last_seen_at = excluded.last_seen_at, unreachable_at = NULL, \
                 sent_since_inbound = 0 \
                 RETURNING id, channel, external_id, donor_id, lang",
                placeholders(chunk.len(), 5)
            );
            let mut q = sqlx::query(&sql);
            for a in chunk {
                q = q
                    .bind(a.channel)
                    .bind(a.external_id)
                    .bind(a.chat_id)
                    .bind(now)
                    .bind(now);
            }
            for row in q
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
            let sql = format!(
                "SELECT identity_id, state FROM conversations WHERE identity_id IN ({})",
                list(chunk.len())
            );
            let mut q = sqlx::query(&sql);
            for id in chunk {
                q = q.bind(id);
            }
            for row in q
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
            let sql = format!(
                "INSERT INTO conversations (identity_id, state, updated_at) VALUES {} \
                 ON CONFLICT (identity_id) DO UPDATE SET state = excluded.state, \
                 updated_at = excluded.updated_at",
                placeholders(chunk.len(), 3)
            );
            let mut q = sqlx::query(&sql);
            for (id, state) in chunk {
                q = q.bind(id).bind(state).bind(now);
            }
            q.execute(&mut *self.tx)
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

    /// Donors by id, with their latest consent.
    pub async fn load_donors(&mut self, ids: &[i64]) -> anyhow::Result<HashMap<i64, Donor>> {
        let mut out = HashMap::new();
        for chunk in ids.chunks(CHUNK) {
            let sql = format!(
                "SELECT d.*, c.given_at AS consent_at, c.text_version AS consent_version \
                 FROM donors d LEFT JOIN consents c ON c.id = \
                 (SELECT MAX(id) FROM consents WHERE donor_id = d.id) WHERE d.id IN ({})",
                list(chunk.len())
            );
            let mut q = sqlx::query(&sql);
            for id in chunk {
                q = q.bind(id);
            }
            for row in q.fetch_all(&mut *self.tx).await.context("reading donors")? {
                out.insert(row.try_get("id")?, donor_from_row(&row)?);
            }
        }
        Ok(out)
    }

    /// Consent given: create the donor with its consent record and link the account.
    pub async fn create_donor(
        &mut self,
        identity_id: i64,
        donor: &Donor,
        lang: Lang,
        now: i64,
    ) -> anyhow::Result<i64> {
        let id: i64 =
            sqlx::query_scalar("INSERT INTO donors (created_at) VALUES ($1) RETURNING id")
                .bind(now)
                .fetch_one(&mut *self.tx)
                .await
                .context("creating the donor")?;
        sqlx::query(
            "INSERT INTO consents (donor_id, given_at, text_version, lang) VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(donor.consent_at)
        .bind(&donor.consent_version)
        .bind(lang.code())
        .execute(&mut *self.tx)
        .await
        .context("recording the consent")?;
        sqlx::query("UPDATE channel_identities SET donor_id = $1 WHERE id = $2")
            .bind(id)
            .bind(identity_id)
            .execute(&mut *self.tx)
            .await?;
        self.save_donors(&[(id, donor)]).await?;
        Ok(id)
    }

    /// Write donors' profiles (one upsert statement for many donors; every donor exists).
    pub async fn save_donors(&mut self, donors: &[(i64, &Donor)]) -> anyhow::Result<()> {
        for chunk in donors.chunks(CHUNK) {
            // created_at is required by the INSERT form but never changed by the update.
            let sql = format!(
                "INSERT INTO donors (id, created_at, full_name, phone, phone_verified, birth_date, \
                 sex, weight_kg, blood_group, province, commune, last_donation_kind, \
                 last_donation_date, supporter, registered_at, paused, night_alerts, urgent_off, \
                 deferred_until, last_donation_forgotten) VALUES {} \
                 ON CONFLICT (id) DO UPDATE SET full_name = excluded.full_name, \
                 phone = excluded.phone, phone_verified = excluded.phone_verified, \
                 birth_date = excluded.birth_date, sex = excluded.sex, \
                 weight_kg = excluded.weight_kg, blood_group = excluded.blood_group, \
                 province = excluded.province, commune = excluded.commune, \
                 last_donation_kind = excluded.last_donation_kind, \
                 last_donation_date = excluded.last_donation_date, \
                 supporter = excluded.supporter, registered_at = excluded.registered_at, \
                 paused = excluded.paused, night_alerts = excluded.night_alerts, \
                 urgent_off = excluded.urgent_off, deferred_until = excluded.deferred_until, \
                 last_donation_forgotten = excluded.last_donation_forgotten",
                placeholders(chunk.len(), 20)
            );
            let mut q = sqlx::query(&sql);
            for (id, d) in chunk {
                let (kind, date) = match d.last_donation {
                    None => (None, None),
                    Some(LastDonationAnswer::Never) => (Some("never"), None),
                    Some(LastDonationAnswer::KindOnly(k))
                    | Some(LastDonationAnswer::DateForgotten(k)) => (Some(k.code()), None),
                    Some(LastDonationAnswer::Given { kind, date }) => {
                        (Some(kind.code()), Some(date_text(date)))
                    }
                };
                q = q
                    .bind(id)
                    .bind(0_i64)
                    .bind(&d.name)
                    .bind(d.phone.as_ref().map(|p| p.as_e164().to_string()))
                    .bind(d.phone_verified)
                    .bind(d.birth_date.map(date_text))
                    .bind(d.sex.map(Sex::code))
                    .bind(d.weight.map(WeightKg::kg))
                    .bind(d.blood_group.map(|g| g.code()))
                    .bind(d.province.map(Province::code))
                    .bind(&d.commune)
                    .bind(kind)
                    .bind(date)
                    .bind(d.supporter)
                    .bind(d.registered_at)
                    .bind(d.paused)
                    .bind(d.night_alerts)
                    .bind(d.urgent_off)
                    .bind(d.deferred_until.map(date_text))
                    .bind(matches!(
                        d.last_donation,
                        Some(LastDonationAnswer::DateForgotten(_))
                    ));
            }
            q.execute(&mut *self.tx).await.context("saving donors")?;
        }
        Ok(())
    }

    /// Another donor whose phone was verified through a platform, with this same number.
    pub async fn verified_donor_with_phone(
        &mut self,
        phone: &str,
        except: i64,
    ) -> anyhow::Result<Option<(i64, Donor)>> {
        let id: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM donors WHERE phone = $1 AND phone_verified = 1 AND id <> $2 \
             ORDER BY id LIMIT 1",
        )
        .bind(phone)
        .bind(except)
        .fetch_optional(&mut *self.tx)
        .await
        .context("looking for a donor by verified phone")?;
        let Some(id) = id else { return Ok(None) };
        Ok(self.load_donors(&[id]).await?.remove(&id).map(|d| (id, d)))
    }

    /// Join donor `from` into donor `into`: its accounts and consent records move over, and
    /// the `from` row (a registration just begun) is deleted.
    pub async fn merge_donor(&mut self, from: i64, into: i64) -> anyhow::Result<()> {
        sqlx::query("UPDATE channel_identities SET donor_id = $1 WHERE donor_id = $2")
            .bind(into)
            .bind(from)
            .execute(&mut *self.tx)
            .await
            .context("moving accounts")?;
        sqlx::query("UPDATE consents SET donor_id = $1 WHERE donor_id = $2")
            .bind(into)
            .bind(from)
            .execute(&mut *self.tx)
            .await
            .context("moving consent records")?;
        sqlx::query("DELETE FROM donors WHERE id = $1")
            .bind(from)
            .execute(&mut *self.tx)
            .await
            .context("removing the merged donor")?;
        Ok(())
    }

    /// Erase a donor: the donor row and consent records, every channel account linked to it
    /// with its conversation and outbox rows. Only an anonymous count remains.
    pub async fn erase_donor(&mut self, donor_id: i64) -> anyhow::Result<()> {
        // Outbox rows and conversations go with the accounts (ON DELETE CASCADE).
        sqlx::query("DELETE FROM channel_identities WHERE donor_id = $1")
            .bind(donor_id)
            .execute(&mut *self.tx)
            .await
            .context("erasing channel accounts")?;
        sqlx::query("DELETE FROM donors WHERE id = $1")
            .bind(donor_id)
            .execute(&mut *self.tx)
            .await
            .context("erasing the donor")?;
        self.bump("donors_erased").await
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

    pub async fn bump(&mut self, counter: &str) -> anyhow::Result<()> {
        sqlx::query(
            "INSERT INTO counters (name, value) VALUES ($1, 1) \
             ON CONFLICT (name) DO UPDATE SET value = counters.value + 1",
        )
        .bind(counter)
        .execute(&mut *self.tx)
        .await
        .context("counting")?;
        Ok(())
    }

    /// Add messages to the outbox, in order; a row whose idempotency key exists is not
    /// added again. Returns how many were added.
    pub async fn enqueue(&mut self, messages: &[NewMessage<'_>], now: i64) -> anyhow::Result<u64> {
        let mut added = 0;
        for chunk in messages.chunks(CHUNK) {
            let sql = format!(
                "INSERT INTO outbox (idempotency_key, channel, chat_id, identity_id, lane, body, \
                 not_before, created_at, broadcast_id) VALUES {} \
                 ON CONFLICT (idempotency_key) DO NOTHING",
                placeholders(chunk.len(), 9)
            );
            let mut q = sqlx::query(&sql);
            for m in chunk {
                q = q
                    .bind(&m.idempotency_key)
                    .bind(m.channel)
                    .bind(m.chat_id)
                    .bind(m.identity_id)
                    .bind(m.lane as i64)
                    .bind(&m.body)
                    .bind(m.not_before)
                    .bind(now)
                    .bind(m.broadcast_id);
            }
            added += q
                .execute(&mut *self.tx)
                .await
                .context("writing to the outbox")?
                .rows_affected();
        }
        Ok(added)
    }

    pub async fn commit(self) -> anyhow::Result<()> {
        self.tx.commit().await.context("committing")?;
        Ok(())
    }
}

fn donor_from_row(r: &SqliteRow) -> anyhow::Result<Donor> {
    let kind: Option<String> = r.try_get("last_donation_kind")?;
    let date = parse_date(r.try_get("last_donation_date")?);
    let forgotten: bool = r.try_get("last_donation_forgotten")?;
    let last_donation = match kind.as_deref() {
        None => None,
        Some("never") => Some(LastDonationAnswer::Never),
        Some(code) => DonationKind::from_code(code).map(|kind| match date {
            Some(date) => LastDonationAnswer::Given { kind, date },
            None if forgotten => LastDonationAnswer::DateForgotten(kind),
            None => LastDonationAnswer::KindOnly(kind),
        }),
    };
    Ok(Donor {
        name: r.try_get("full_name")?,
        phone: r
            .try_get::<Option<String>, _>("phone")?
            .and_then(|p| PhoneNumber::parse(&p).ok()),
        phone_verified: r.try_get("phone_verified")?,
        birth_date: parse_date(r.try_get("birth_date")?),
        sex: r
            .try_get::<Option<String>, _>("sex")?
            .and_then(|s| Sex::from_code(&s)),
        weight: r
            .try_get::<Option<f64>, _>("weight_kg")?
            .and_then(WeightKg::from_stored),
        blood_group: r
            .try_get::<Option<String>, _>("blood_group")?
            .and_then(|g| BloodGroup::from_code(&g)),
        province: r
            .try_get::<Option<String>, _>("province")?
            .and_then(|p| Province::from_code(&p)),
        commune: r.try_get("commune")?,
        last_donation,
        supporter: r.try_get("supporter")?,
        registered_at: r.try_get("registered_at")?,
        paused: r.try_get("paused")?,
        night_alerts: r.try_get("night_alerts")?,
        urgent_off: r.try_get("urgent_off")?,
        deferred_until: parse_date(r.try_get("deferred_until")?),
        consent_at: r.try_get::<Option<i64>, _>("consent_at")?.unwrap_or(0),
        consent_version: r
            .try_get::<Option<String>, _>("consent_version")?
            .unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prefix_range_holds_exactly_the_keys_that_start_with_it() {
        let end = prefix_end("callout:2:tally:").unwrap();
        assert_eq!(end, "callout:2:tally;");
        for inside in [
            "callout:2:tally:",
            "callout:2:tally:1:7:0",
            "callout:2:tally:99:7:1",
        ] {
            assert!(
                inside >= "callout:2:tally:" && inside < end.as_str(),
                "{inside}"
            );
        }
        for outside in [
            "callout:2:tallx",
            "callout:2:tally",
            "callout:20:tally:1",
            "callout:3:",
        ] {
            assert!(
                !(outside >= "callout:2:tally:" && outside < end.as_str()),
                "{outside}"
            );
        }
        assert_eq!(prefix_end(""), None);
    }

    async fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let store = Store::open(&url).await.unwrap();
        (dir, store)
    }

    fn donor() -> Donor {
        Donor {
            name: Some("Nguyễn Thị Lan".into()),
            phone: PhoneNumber::parse("0912345678").ok(),
            phone_verified: true,
            birth_date: NaiveDate::from_ymd_opt(1995, 3, 5),
            sex: Some(Sex::Female),
            weight: WeightKg::parse("50.5").ok(),
            blood_group: BloodGroup::parse("O-").ok(),
            province: Province::from_code("hai-phong"),
            commune: Some(String::new()),
            last_donation: Some(LastDonationAnswer::Given {
                kind: DonationKind::Platelets,
                date: NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
            }),
            supporter: false,
            registered_at: Some(5),
            paused: true,
            night_alerts: Some(true),
            urgent_off: false,
            deferred_until: NaiveDate::from_ymd_opt(2026, 12, 1),
            consent_at: 3,
            consent_version: "v1".into(),
        }
    }

    #[tokio::test]
    async fn a_donor_round_trips_through_the_database() {
        let (_dir, store) = store().await;
        let mut tx = store.begin().await.unwrap();
        let account = Account {
            channel: "telegram",
            external_id: "42",
            chat_id: "42",
        };
        let ident = tx
            .touch_identities(std::slice::from_ref(&account), 1)
            .await
            .unwrap();
        let ident = ident[&("telegram".to_string(), "42".to_string())].clone();
        assert_eq!(ident.donor_id, None);
        let d = donor();
        let id = tx.create_donor(ident.id, &d, Lang::Vi, 2).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(store.donor_of("telegram", "42").await.unwrap(), Some(d));
        let mut tx = store.begin().await.unwrap();
        let again = tx.touch_identities(&[account], 9).await.unwrap();
        assert_eq!(again.values().next().unwrap().donor_id, Some(id));
    }

    #[tokio::test]
    async fn an_update_is_handled_once() {
        let (_dir, store) = store().await;
        let mut tx = store.begin().await.unwrap();
        assert_eq!(
            tx.mark_seen(&[("telegram", "7"), ("telegram", "7")], 1)
                .await
                .unwrap()
                .len(),
            1
        );
        tx.commit().await.unwrap();
        let mut tx = store.begin().await.unwrap();
        let fresh = tx
            .mark_seen(&[("telegram", "7"), ("zalo", "7")], 2)
            .await
            .unwrap();
        assert_eq!(
            fresh,
            HashSet::from([("zalo".to_string(), "7".to_string())])
        );
        tx.commit().await.unwrap();
        assert_eq!(store.prune_seen(2).await.unwrap(), 1);
    }

    #[tokio::test]
    async fn rows_interrupted_mid_send_are_resent_or_reported_by_lane() {
        for policy in [Interrupted::Report, Interrupted::Resend] {
            let (_dir, store) = store().await;
            let mut tx = store.begin().await.unwrap();
            let lanes = [Lane::Urgent, Lane::Reply, Lane::Notice, Lane::Bulk];
            let rows: Vec<NewMessage> = lanes
                .iter()
                .enumerate()
                .map(|(i, lane)| NewMessage {
                    idempotency_key: Some(format!("k{i}")),
                    channel: "telegram",
                    chat_id: ["1", "2", "3", "4"][i],
                    identity_id: None,
                    lane: *lane,
                    body: "{\"text\":\"x\"}".into(),
                    not_before: 0,
                    broadcast_id: None,
                })
                .collect();
            tx.enqueue(&rows, 0).await.unwrap();
            // A fifth row, still pending: no stop touches it.
            let waiting = NewMessage {
                idempotency_key: Some("k5".into()),
                chat_id: "5",
                ..rows[3].clone()
            };
            tx.enqueue(&[waiting], 0).await.unwrap();
            tx.commit().await.unwrap();
            let scope = Scope::Channels(vec![ChannelKind::Telegram]);
            let due = store.due(&scope, 0, 10, Lane::Bulk).await.unwrap();
            let ids: Vec<i64> = due
                .iter()
                .filter(|r| r.chat_id != "5")
                .map(|r| r.id)
                .collect();
            store.claim(&ids).await.unwrap();
            // Another channel's worker settles only its own rows.
            let other = Scope::Channels(vec![ChannelKind::Zalo]);
            assert_eq!(
                store.settle_interrupted(&other, policy, 7).await.unwrap(),
                Settled::default()
            );
            let settled = store.settle_interrupted(&scope, policy, 7).await.unwrap();
            let statuses: Vec<(String, String)> =
                sqlx::query_as("SELECT idempotency_key, status FROM outbox ORDER BY id")
                    .fetch_all(&store.pool)
                    .await
                    .unwrap();
            let status = |k: &str| statuses.iter().find(|(key, _)| key == k).unwrap().1.clone();
            assert_eq!(status("k0"), "pending", "urgent: at least once");
            assert_eq!(status("k1"), "pending", "reply: at least once");
            assert_eq!(status("k5"), "pending");
            match policy {
                Interrupted::Report => {
                    assert_eq!(
                        settled,
                        Settled {
                            requeued: 2,
                            uncertain: 2
                        }
                    );
                    assert_eq!(status("k2"), "uncertain");
                    assert_eq!(status("k3"), "uncertain");
                    assert_eq!(
                        store.uncertain_by_lane().await.unwrap(),
                        vec![(Lane::Notice, 1), (Lane::Bulk, 1)]
                    );
                    let kept: i64 = sqlx::query_scalar(
                        "SELECT COUNT(*) FROM outbox WHERE status = 'uncertain' \
                         AND (body IS NOT NULL OR chat_id IS NOT NULL OR finished_at != 7)",
                    )
                    .fetch_one(&store.pool)
                    .await
                    .unwrap();
                    assert_eq!(kept, 0, "an uncertain row is final: no text, no chat");
                    assert_eq!(store.unsent(&scope).await.unwrap(), 3);
                }
                Interrupted::Resend => {
                    assert_eq!(
                        settled,
                        Settled {
                            requeued: 4,
                            uncertain: 0
                        }
                    );
                    assert_eq!(status("k2"), "pending");
                    assert_eq!(status("k3"), "pending");
                    assert_eq!(store.unsent(&scope).await.unwrap(), 5);
                }
            }
        }
    }

    #[tokio::test]
    async fn the_outbox_keeps_lane_order_and_idempotency() {
        let (_dir, store) = store().await;
        let mut tx = store.begin().await.unwrap();
        let msg = |key: &str, chat: &'static str, lane| NewMessage {
            idempotency_key: Some(key.to_string()),
            channel: "telegram",
            chat_id: chat,
            identity_id: None,
            lane,
            body: "{}".into(),
            not_before: 0,
            broadcast_id: None,
        };
        let rows = [
            msg("a", "1", Lane::Bulk),
            msg("b", "2", Lane::Reply),
            msg("c", "3", Lane::Urgent),
        ];
        assert_eq!(tx.enqueue(&rows, 0).await.unwrap(), 3);
        let again = tx.enqueue(&[msg("a", "1", Lane::Bulk)], 0).await.unwrap();
        assert_eq!(again, 0, "same key, no row");
        tx.commit().await.unwrap();
        let scope = Scope::Channels(vec![ChannelKind::Telegram]);
        let due = store.due(&scope, 0, 10, Lane::Bulk).await.unwrap();
        let chats: Vec<_> = due.iter().map(|r| r.chat_id.as_str()).collect();
        assert_eq!(chats, ["3", "2", "1"]);
        assert!(
            store
                .due(&Scope::Channels(vec![ChannelKind::Zalo]), 0, 10, Lane::Bulk)
                .await
                .unwrap()
                .is_empty()
        );

        store.claim(&[due[0].id]).await.unwrap();
        assert_eq!(store.due(&scope, 0, 10, Lane::Bulk).await.unwrap().len(), 2);
        // Quiet hours: the bulk lane waits, the reply goes.
        let quiet = store.due(&scope, 0, 10, Lane::Reply).await.unwrap();
        assert_eq!(quiet.len(), 1);
        assert_eq!(quiet[0].lane, Lane::Reply);
        assert_eq!(
            store
                .settle_interrupted(&scope, Interrupted::Report, 0)
                .await
                .unwrap()
                .requeued,
            1
        );
        assert_eq!(store.unsent(&scope).await.unwrap(), 3);

        let sent = Outcome::Sent {
            platform_message_id: Some("9".into()),
        };
        let retry = Outcome::Retry {
            not_before: 100,
            error: "429".into(),
            counts: false,
        };
        store.claim(&[due[0].id, due[1].id]).await.unwrap();
        store
            .record(&[(due[0].clone(), sent), (due[1].clone(), retry)], 5)
            .await
            .unwrap();
        assert_eq!(
            store.due(&scope, 99, 10, Lane::Bulk).await.unwrap().len(),
            1
        );
        assert_eq!(
            store.due(&scope, 100, 10, Lane::Bulk).await.unwrap().len(),
            2
        );
        assert_eq!(
            store.outbox_status_counts().await.unwrap(),
            vec![("pending".to_string(), 2), ("sent".to_string(), 1)]
        );
        let body: Option<String> = sqlx::query_scalar("SELECT body FROM outbox WHERE id = $1")
            .bind(due[0].id)
            .fetch_one(&store.pool)
            .await
            .unwrap();
        assert_eq!(body, None, "a sent row keeps no text");
    }
}
