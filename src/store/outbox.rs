//! The outbox: every message to a person is a row here before it is sent. Rows are queued in
//! the transaction that decided them, claimed by the delivery worker, settled with what the
//! platform said, and interrupted sends are settled at start by the lane's promise.

use super::*;
use crate::config::Interrupted;
use crate::domain::channel::Channel;
use anyhow::Context;
use sqlx::Row;
use std::collections::HashSet;

/// A row to add to the outbox.
#[derive(Debug, Clone)]
pub struct NewMessage<'a> {
    pub idempotency_key: Option<String>,
    pub channel: Channel,
    pub chat_id: &'a str,
    pub identity_id: Option<i64>,
    pub lane: Lane,
    pub body: String,
    pub not_before: i64,
    pub broadcast_id: Option<i64>,
}

/// The lanes are the domain's (the dashboard names them too).
pub use crate::domain::delivery::Lane;

/// What became of the rows a stopped process left mid-send.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Settled {
    /// Queued again (urgent, replies; everything with [`Interrupted::Resend`]).
    pub requeued: u64,
    /// Notices and broadcasts counted 'uncertain' and not sent again.
    pub uncertain: u64,
    /// Withdrawn while being sent (a call-out closed, a broadcast stopped): cancelled.
    pub withdrawn: u64,
}

/// An outbox row ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxRow {
    pub id: i64,
    pub channel: Channel,
    pub chat_id: String,
    pub identity_id: Option<i64>,
    pub lane: Lane,
    pub body: String,
    pub attempts: i64,
}

/// Which rows a delivery worker may take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Every row of these channels.
    Channels(Vec<Channel>),
    /// One chat of one channel (a terminal user's own rows).
    Chat { channel: Channel, chat_id: String },
}

/// What became of one send.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Sent {
        platform_message_id: Option<String>,
    },
    /// Try again at `not_before`; `counts` is false for a rate-limit wait; `throttled` when
    /// the platform answered 429 (counted on the row, for the delivery health).
    Retry {
        not_before: i64,
        error: String,
        counts: bool,
        throttled: bool,
    },
    Failed {
        error: String,
    },
    /// The person blocked the bot or no longer exists there: stop writing to this account.
    Unreachable {
        error: String,
    },
}

/// The least string above every string starting with `prefix` (its last character moved up
/// by one), for a range scan; `None` for an empty prefix.
pub(super) fn prefix_end(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    let last = chars.pop()?;
    let next = char::from_u32(u32::from(last) + 1)?;
    chars.push(next);
    Some(chars.into_iter().collect())
}

/// The columns [`outbox_row`] reads.
const ROW_COLUMNS: &str = "id, channel, chat_id, identity_id, lane, body, attempts";

/// An outbox row as read with [`ROW_COLUMNS`].
fn outbox_row(r: &sqlx::any::AnyRow) -> anyhow::Result<OutboxRow> {
    let channel: String = r.try_get("channel")?;
    Ok(OutboxRow {
        id: r.try_get("id")?,
        channel: Channel::from_code(&channel)
            .ok_or_else(|| anyhow::anyhow!("outbox row of unknown channel {channel}"))?,
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
}

impl Store {
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
        // Several instances share a PostgreSQL outbox: a chat with a row in flight at any
        // of them waits, so that its messages still go one at a time and in order. One
        // SQLite file has one instance, which keeps that in memory. `NOT IN` over the few
        // rows in flight is one hashed look-up per row whatever the statistics say; the
        // correlated `NOT EXISTS` it replaces was planned, on a fresh table with 5,000
        // pending rows, as a nested loop taking 5 s a read.
        let in_flight = match self.backend {
            super::Backend::Sqlite => "",
            super::Backend::Postgres => {
                "AND (channel, COALESCE(chat_id, '')) NOT IN (SELECT s.channel, \
                 COALESCE(s.chat_id, '') FROM outbox s WHERE s.status = 'sending')"
            }
        };
        let sql = format!(
            "SELECT {ROW_COLUMNS} FROM outbox \
             WHERE status = 'pending' AND not_before <= $1 AND lane <= $3 AND {filter} \
             {in_flight} ORDER BY lane, id LIMIT $2"
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
        rows.iter().map(outbox_row).collect()
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

    /// Mark rows as being sent (one statement for the batch), held until `lease_until`.
    /// Returns those it marked: a row cancelled (a stopped broadcast, a withdrawn tally) or
    /// taken since it was read — by this instance or another — is not among them, and must
    /// not be sent. On PostgreSQL, rows another instance is claiming at this moment are
    /// skipped rather than waited for (`SKIP LOCKED`); a row is claimed by one instance.
    pub async fn claim(&self, ids: &[i64], lease_until: i64) -> anyhow::Result<HashSet<i64>> {
        if ids.is_empty() {
            return Ok(HashSet::new());
        }
        let _gate = self.gate().await?;
        let mut q = Q::new(
            self.backend,
            "UPDATE outbox SET status = 'sending', attempts = attempts + 1, lease_until = ",
        );
        q.push_bind(lease_until);
        match self.backend {
            super::Backend::Sqlite => {
                q.push(" WHERE status = 'pending' AND id IN ");
                push_list(&mut q, ids);
            }
            super::Backend::Postgres => {
                q.push(" WHERE id IN (SELECT id FROM outbox WHERE status = 'pending' AND id IN ");
                push_list(&mut q, ids);
                q.push(" FOR UPDATE SKIP LOCKED)");
            }
        }
        q.push(" RETURNING id");
        let claimed = q
            .build_query_scalar::<i64>()
            .fetch_all(&self.pool)
            .await
            .context("claiming outbox rows")?;
        Ok(claimed.into_iter().collect())
    }

    /// Rows claimed and never started (the worker stopped with them still queued in
    /// memory): pending again, as if never claimed.
    pub async fn release(&self, ids: &[i64]) -> anyhow::Result<u64> {
        if ids.is_empty() {
            return Ok(0);
        }
        let _gate = self.gate().await?;
        let mut q = Q::new(
            self.backend,
            "UPDATE outbox SET status = 'pending', attempts = attempts - 1, lease_until = NULL \
             WHERE status = 'sending' AND id IN ",
        );
        push_list(&mut q, ids);
        Ok(q.build()
            .execute(&self.pool)
            .await
            .context("releasing outbox rows")?
            .rows_affected())
    }

    /// Rows this instance is still sending stay its own for another lease (PostgreSQL,
    /// several instances: a living instance renews, a dead one's rows return soon).
    pub async fn renew_leases(&self, ids: &[i64], lease_until: i64) -> anyhow::Result<u64> {
        if ids.is_empty() {
            return Ok(0);
        }
        let _gate = self.gate().await?;
        let mut q = Q::new(self.backend, "UPDATE outbox SET lease_until = ");
        q.push_bind(lease_until);
        q.push(" WHERE status = 'sending' AND id IN ");
        push_list(&mut q, ids);
        Ok(q.build()
            .execute(&self.pool)
            .await
            .context("renewing leases")?
            .rows_affected())
    }

    /// Rows left 'sending' by a process that stopped mid-send: the platform may or may not
    /// have them. Urgent call-outs and replies go back to the queue (at least once: a missing
    /// blood request is worse than a duplicate). Notices and broadcasts do too with
    /// [`Interrupted::Resend`]; with [`Interrupted::Report`] they are final as 'uncertain'
    /// (text and chat cleared), counted in the sender's summary and `hienmau status`.
    /// Anything the platform acknowledged and that was recorded is never sent again.
    ///
    /// With `expired_only` (several instances on PostgreSQL), only rows whose lease ran out
    /// are settled: a row within its lease belongs to an instance that is still sending it.
    pub async fn settle_interrupted(
        &self,
        scope: &Scope,
        bulk: Interrupted,
        now: i64,
        expired_only: bool,
    ) -> anyhow::Result<Settled> {
        let _gate = self.gate().await?;
        let expired = if expired_only {
            " AND (lease_until IS NULL OR lease_until <= $1)"
        } else {
            // $1 is bound either way: a statement may leave a parameter unused.
            " AND $1 = $1"
        };
        let (filter, binds) = Self::scope_filter(scope, 3);
        let mut tx = self.pool.begin().await.context("starting a transaction")?;
        // What was withdrawn meanwhile is not sent late: an ask of a call-out that closed,
        // a row of a broadcast that was stopped.
        let sql = format!(
            "UPDATE outbox SET status = 'cancelled', finished_at = $1, body = NULL, \
             chat_id = NULL WHERE status = 'sending' AND withdrawn_at IS NOT NULL \
             AND $2 = $2 AND {filter}{expired}"
        );
        let mut q = sqlx::query(&sql).bind(now).bind(0i64);
        for b in &binds {
            q = q.bind(b);
        }
        let withdrawn = q
            .execute(&mut *tx)
            .await
            .context("cancelling withdrawn outbox rows")?
            .rows_affected();
        let uncertain = match bulk {
            Interrupted::Resend => 0,
            Interrupted::Report => {
                let sql = format!(
                    "UPDATE outbox SET status = 'uncertain', finished_at = $1, \
                     last_error = 'interrupted mid-send', body = NULL, chat_id = NULL \
                     WHERE status = 'sending' AND lane >= $2 AND {filter}{expired}"
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
        let (filter, binds) = Self::scope_filter(scope, 2);
        let sql = format!(
            "UPDATE outbox SET status = 'pending', lease_until = NULL \
             WHERE status = 'sending' AND {filter}{expired}"
        );
        let mut q = sqlx::query(&sql).bind(now);
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
            withdrawn,
        })
    }

    /// Several instances on one platform account (PostgreSQL): reserve a send slot for
    /// each of `chats` (distinct) on `channel`, shared by every instance, on the database's
    /// clock: overall one every `interval_us` microseconds (a token bucket without burst),
    /// and to each chat one every `chat_interval_us`. Returns how long from now each send
    /// may start, in microseconds, in the order of `chats`. Each reservation is one
    /// conditional statement: two instances reserving at once get slots that follow each
    /// other, never the same.
    pub async fn reserve_sends(
        &self,
        channel: Channel,
        chats: &[&str],
        interval_us: i64,
        chat_interval_us: i64,
    ) -> anyhow::Result<Vec<i64>> {
        let _gate = self.gate().await?;
        if chats.is_empty() {
            return Ok(Vec::new());
        }
        let span = interval_us.saturating_mul(chats.len() as i64);
        let row = sqlx::query(
            "WITH now AS (SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000000 AS BIGINT) AS us) \
             INSERT INTO send_pacing AS p (channel, next_at) SELECT $1, now.us + $2 FROM now \
             ON CONFLICT (channel) DO UPDATE \
             SET next_at = GREATEST(p.next_at, (SELECT us FROM now)) + $2 \
             RETURNING next_at - $2 AS first, (SELECT us FROM now) AS now",
        )
        .bind(channel.code())
        .bind(span)
        .fetch_one(&self.pool)
        .await
        .context("reserving send slots")?;
        let (first, now): (i64, i64) = (row.try_get("first")?, row.try_get("now")?);
        let mut starts: Vec<i64> = (0..chats.len() as i64)
            .map(|i| first + i * interval_us)
            .collect();
        if chat_interval_us > 0 {
            // A chat's slot: its overall slot, or later if the chat had a send too lately.
            let mut q = Q::new(
                self.backend,
                "INSERT INTO chat_pacing AS p (channel, chat_id, next_at) ",
            );
            q.push_values(chats.iter().zip(&starts), |mut row, (chat, start)| {
                row.push_bind(channel.code())
                    .push_bind(chat.to_string())
                    .push_bind(start + chat_interval_us);
            });
            q.push(" ON CONFLICT (channel, chat_id) DO UPDATE SET next_at = GREATEST(p.next_at, excluded.next_at - ")
                .push_bind(chat_interval_us)
                .push(") + ")
                .push_bind(chat_interval_us)
                .push(" RETURNING chat_id, next_at");
            let rows = q
                .build()
                .fetch_all(&self.pool)
                .await
                .context("reserving chat slots")?;
            let mut by_chat = std::collections::HashMap::new();
            for r in &rows {
                let chat: String = r.try_get("chat_id")?;
                let next: i64 = r.try_get("next_at")?;
                by_chat.insert(chat, next - chat_interval_us);
            }
            for (chat, start) in chats.iter().zip(starts.iter_mut()) {
                if let Some(s) = by_chat.get(*chat) {
                    *start = (*start).max(*s);
                }
            }
        }
        Ok(starts.into_iter().map(|s| (s - now).max(0)).collect())
    }

    /// Forget the pace of chats with nothing sent for an hour (PostgreSQL).
    pub async fn prune_chat_pacing(&self) -> anyhow::Result<u64> {
        let _gate = self.gate().await?;
        if self.backend != super::Backend::Postgres {
            return Ok(0);
        }
        Ok(sqlx::query(
            "DELETE FROM chat_pacing WHERE next_at < \
             CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000000 AS BIGINT) - 3600000000",
        )
        .execute(&self.pool)
        .await
        .context("pruning chat pacing")?
        .rows_affected())
    }

    /// Nothing sent on `channel` by any instance for `wait_us` from now (a 429's
    /// retry_after: the platform counts the bot, not the instance).
    pub async fn hold_sends(&self, channel: Channel, wait_us: i64) -> anyhow::Result<()> {
        let _gate = self.gate().await?;
        sqlx::query(
            "WITH now AS (SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000000 AS BIGINT) AS us) \
             INSERT INTO send_pacing AS p (channel, next_at) SELECT $1, now.us + $2 FROM now \
             ON CONFLICT (channel) DO UPDATE \
             SET next_at = GREATEST(p.next_at, (SELECT us FROM now) + $2)",
        )
        .bind(channel.code())
        .bind(wait_us)
        .execute(&self.pool)
        .await
        .context("holding sends")?;
        Ok(())
    }

    /// A send went `late_us` after its slot: every slot not yet reserved on `channel` moves
    /// back as much, so that the platform's sliding second never holds one more than the
    /// pace (the late send now sits closer to those after it than the interval).
    pub async fn delay_sends(&self, channel: Channel, late_us: i64) -> anyhow::Result<()> {
        let _gate = self.gate().await?;
        sqlx::query("UPDATE send_pacing SET next_at = next_at + $2 WHERE channel = $1")
            .bind(channel.code())
            .bind(late_us)
            .execute(&self.pool)
            .await
            .context("delaying sends")?;
        Ok(())
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
        let _gate = self.gate().await?;
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
            let mut q = Q::new(self.backend, "WITH v (id, pmid) AS (");
            q.push_values(chunk, |mut row, (id, pmid)| {
                row.push_bind(id).push_bind(*pmid);
            });
            q.push(") UPDATE outbox SET status = 'sent', finished_at = ")
                .push_bind(now)
                .push(
                    ", platform_message_id = (SELECT pmid FROM v WHERE v.id = outbox.id), \
                     body = NULL, chat_id = NULL, last_error = NULL \
                     WHERE id IN (SELECT id FROM v) AND status = 'sending'",
                );
            q.build()
                .execute(&mut *tx)
                .await
                .context("recording sent rows")?;
        }
        for (row, outcome) in results {
            match outcome {
                Outcome::Sent { .. } => {}
                Outcome::Retry {
                    not_before,
                    error,
                    counts,
                    throttled,
                } => {
                    sqlx::query(
                        "UPDATE outbox SET status = 'pending', not_before = $1, last_error = $2, \
                         attempts = attempts - $3, throttled = throttled + $5 \
                         WHERE id = $4 AND status = 'sending'",
                    )
                    .bind(not_before)
                    .bind(error)
                    .bind(if *counts { 0 } else { 1 })
                    .bind(row.id)
                    .bind(i64::from(*throttled))
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

    /// Move a row that cannot go out on its channel to another reachable account of the same
    /// donor (the most recently active one). `false` if there is none.
    pub async fn reroute(&self, row: &OutboxRow, now: i64) -> anyhow::Result<bool> {
        let _gate = self.gate().await?;
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
}

/// One transaction: conversation steps and the outbox rows they write. The batch methods
/// take many rows in one statement: a batch of 100 updates costs a handful of statements,
/// not hundreds.
impl Tx {
    /// The delivery's health: per lane, what waits and since when it is due, and what
    /// finished since `since` (ms); the OA's last reported template quota.
    pub async fn delivery_health(
        &mut self,
        since: i64,
        now: i64,
    ) -> anyhow::Result<crate::domain::delivery::Health> {
        use crate::domain::delivery::{Health, LaneHealth};
        let mut lanes: Vec<LaneHealth> = Lane::ALL
            .iter()
            .map(|l| LaneHealth {
                lane: *l as i64,
                ..LaneHealth::default()
            })
            .collect();
        // The partial index of waiting rows serves this (same condition).
        let waiting: Vec<(i64, String, i64, Option<i64>)> = sqlx::query_as(
            "SELECT lane, channel, COUNT(*), \
             MIN(CASE WHEN not_before <= $1 THEN not_before END) \
             FROM outbox WHERE status IN ('pending', 'sending') GROUP BY lane, channel",
        )
        .bind(now)
        .fetch_all(&mut *self.tx)
        .await
        .context("counting waiting messages")?;
        let mut late_channels: Vec<String> = Vec::new();
        for (lane, channel, n, due) in waiting {
            if let Some(l) = lanes.iter_mut().find(|l| l.lane == lane) {
                l.waiting += n;
                l.due_since = match (l.due_since, due) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
            }
            let late = LaneHealth {
                due_since: due,
                ..LaneHealth::default()
            };
            if late.late(now) && !late_channels.contains(&channel) {
                late_channels.push(channel);
            }
        }
        late_channels.sort();
        let finished: Vec<(i64, i64, i64, i64, i64)> = sqlx::query_as(
            "SELECT lane, COUNT(*) FILTER (WHERE status = 'sent'), \
             COUNT(*) FILTER (WHERE status IN ('failed', 'unreachable')), \
             COUNT(*) FILTER (WHERE attempts > 1), CAST(COALESCE(SUM(throttled), 0) AS BIGINT) \
             FROM outbox WHERE finished_at IS NOT NULL AND finished_at >= $1 GROUP BY lane",
        )
        .bind(since)
        .fetch_all(&mut *self.tx)
        .await
        .context("counting finished messages")?;
        for (lane, sent, failed, retried, throttled) in finished {
            if let Some(l) = lanes.iter_mut().find(|l| l.lane == lane) {
                l.sent = sent;
                l.failed = failed;
                l.retried = retried;
                l.throttled = throttled;
            }
        }
        let zns_quota = sqlx::query_as(
            "SELECT daily, remaining FROM zns_quota ORDER BY updated_at DESC LIMIT 1",
        )
        .fetch_optional(&mut *self.tx)
        .await
        .context("reading the template quota")?;
        let backup_at: Option<i64> =
            sqlx::query_scalar("SELECT value FROM counters WHERE name = 'backup_last_at'")
                .fetch_optional(&mut *self.tx)
                .await
                .context("reading the last backup's time")?;
        Ok(Health {
            lanes,
            late_channels,
            zns_quota,
            backup_at: backup_at.filter(|t| *t > 0),
            backups_here: self.backend() == super::Backend::Sqlite,
        })
    }

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
        // Rows being sent may have reached the platform: they stay, marked, and are not
        // sent again if their instance dies (`settle_interrupted`).
        sqlx::query(
            "UPDATE outbox SET withdrawn_at = $3 WHERE idempotency_key >= $1 \
             AND idempotency_key < $2 AND status = 'sending'",
        )
        .bind(&prefix)
        .bind(&end)
        .bind(now)
        .execute(&mut *self.tx)
        .await
        .context("marking rows being sent as withdrawn")?;
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

    /// Add messages to the outbox, in order; a row whose idempotency key exists is not
    /// added again. Returns how many were added.
    pub async fn enqueue(&mut self, messages: &[NewMessage<'_>], now: i64) -> anyhow::Result<u64> {
        Ok(self.enqueue_ids(messages, now).await?.len() as u64)
    }

    /// [`Tx::enqueue`], returning the ids of the rows added.
    pub async fn enqueue_ids(
        &mut self,
        messages: &[NewMessage<'_>],
        now: i64,
    ) -> anyhow::Result<Vec<i64>> {
        let mut added = Vec::with_capacity(messages.len());
        for chunk in messages.chunks(CHUNK) {
            let mut q = Q::new(
                self.backend(),
                "INSERT INTO outbox (idempotency_key, channel, chat_id, identity_id, lane, body, \
                 not_before, created_at, broadcast_id) ",
            );
            q.push_values(chunk, |mut row, m| {
                row.push_bind(&m.idempotency_key)
                    .push_bind(m.channel.code())
                    .push_bind(m.chat_id)
                    .push_bind(m.identity_id)
                    .push_bind(m.lane as i64)
                    .push_bind(&m.body)
                    .push_bind(m.not_before)
                    .push_bind(now)
                    .push_bind(m.broadcast_id);
            });
            q.push(" ON CONFLICT (idempotency_key) DO NOTHING RETURNING id");
            added.extend(
                q.build_query_scalar::<i64>()
                    .fetch_all(&mut *self.tx)
                    .await
                    .context("writing to the outbox")?,
            );
        }
        self.enqueued += added.len();
        Ok(added)
    }

    /// How many outbox rows this transaction added.
    pub fn enqueued(&self) -> usize {
        self.enqueued
    }

    /// Claim for sending, in this transaction, the rows `ids` just added on `channels`,
    /// as [`Store::claim`] does: the conversation hands its replies to the delivery worker
    /// in memory, without the worker reading and claiming them again. A row whose chat has
    /// an older row due and waiting on a lane as urgent is left pending, so that a chat's
    /// messages still go in order (the worker reads it with the older one). The rows
    /// claimed, in order.
    pub async fn claim_added(
        &mut self,
        ids: &[i64],
        channels: &[Channel],
        now: i64,
        lease_until: i64,
    ) -> anyhow::Result<Vec<OutboxRow>> {
        if ids.is_empty() || channels.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = Q::new(
            self.backend(),
            "UPDATE outbox SET status = 'sending', attempts = attempts + 1, lease_until = ",
        );
        q.push_bind(lease_until);
        q.push(" WHERE status = 'pending' AND id IN ");
        push_list(&mut q, ids);
        q.push(" AND channel IN ");
        let codes: Vec<&str> = channels.iter().map(|c| c.code()).collect();
        push_list(&mut q, &codes);
        // The partial index on (channel, chat_id) serves the look-up: its condition is
        // repeated so that SQLite sees it applies.
        q.push(
            " AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.channel = outbox.channel \
             AND o.chat_id = outbox.chat_id AND o.status IN ('pending', 'sending') \
             AND o.status = 'pending' AND o.lane <= outbox.lane AND o.id < outbox.id \
             AND o.not_before <= ",
        );
        q.push_bind(now);
        q.push(" AND o.id NOT IN ");
        push_list(&mut q, ids);
        q.push(format!(") RETURNING {ROW_COLUMNS}"));
        let rows = q
            .build()
            .fetch_all(&mut *self.tx)
            .await
            .context("claiming the batch's replies")?;
        let mut rows = rows
            .iter()
            .map(outbox_row)
            .collect::<anyhow::Result<Vec<_>>>()?;
        rows.sort_by_key(|r| r.id);
        Ok(rows)
    }
}
