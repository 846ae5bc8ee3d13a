//! The store owns every SQL statement. SQLite by default (one file, nothing to install); the
//! SQL uses `$n` placeholders and portable types (INTEGER times, TEXT dates) so that a
//! PostgreSQL backend can share most of it.
//!
//! A conversation step runs in one [`Tx`]: its first statement is a write, so the write lock is
//! taken before anything is read and two steps for one person can never interleave.

use crate::domain::channel::ChannelKind;
use anyhow::Context;
use chrono::NaiveDate;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{QueryBuilder, Row, Sqlite, Transaction};
use std::str::FromStr;
use std::time::Duration;

mod callout;
mod campaigns;
mod club;
mod dashboard;
mod donations;
mod donors;
mod drive;
mod identities;
mod jobs;
mod keys;
mod oa;
mod outbox;
mod plan;
mod report;
pub use callout::{Answered, Candidate, MatchQuery, MyAsk, Pledge, StockLevel};
pub use club::{OpenBroadcast, PhoneLookup, Recipient};
pub use donations::{DonationImport, DonationRow, Recorded};
pub use drive::SignUp;
pub use identities::{Account, Identity};
pub use jobs::{Job, JobKind, JobOutcome, NewJob};
pub use keys::{JobKey, KeyFamily, OutboxKey};
pub use oa::{OaRouteFacts, TokenWrite, ZaloStatus};
pub use outbox::{Lane, NewMessage, OutboxRow, Outcome, Scope, Settled};
pub use plan::{PlanLoaded, YearDonor};

#[derive(Clone)]
pub struct Store {
    pool: SqlitePool,
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

/// Whether a database error may not recur on a later try: the database busy or locked
/// (another process holds the write lock past the busy timeout), full, or out of reach
/// (the pool timed out or closed, an I/O error). A statement that is wrong, a constraint
/// that fails or a row that does not decode fails the same way every time.
pub fn is_transient(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(d) => d
            .code()
            .and_then(|c| c.parse::<i32>().ok())
            // SQLITE_BUSY, SQLITE_LOCKED, SQLITE_IOERR, SQLITE_FULL (primary codes).
            .is_some_and(|c| matches!(c & 0xff, 5 | 6 | 10 | 13)),
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => true,
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

    /// After an erasure: leave no trace of the erased rows outside the live database. On
    /// SQLite, deleted pages are overwritten (`secure_delete`), and here the write-ahead log
    /// is folded into the database file and emptied, so that erased data does not linger in
    /// the `-wal` file either. A reader in the middle of a query can keep the checkpoint
    /// from finishing: it is then tried again, briefly.
    pub async fn erase_traces(&self) -> anyhow::Result<()> {
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
}

/// `(?, ?, …)` binding each of `items`, for an `IN`; `(NULL)` when there are none (which
/// `IN` never matches).
///
/// Statements with lists and multi-row `VALUES` are built with [`QueryBuilder`], whose
/// placeholders are anonymous on SQLite: SQLite looks a named parameter (`$n`) up by scanning
/// the list of names, which makes binding a statement of n parameters cost n² (measured: 8%
/// of the bot's CPU in the steps benchmark). On PostgreSQL the builder numbers them.
fn push_list<'a, T>(q: &mut QueryBuilder<'a, Sqlite>, items: impl IntoIterator<Item = T>)
where
    T: 'a + sqlx::Encode<'a, Sqlite> + sqlx::Type<Sqlite>,
{
    q.push("(");
    let mut empty = true;
    {
        let mut list = q.separated(", ");
        for item in items {
            list.push_bind(item);
            empty = false;
        }
    }
    if empty {
        q.push("NULL");
    }
    q.push(")");
}

/// The `channel` column of a row, as the platform it names.
fn channel_of(r: &sqlx::sqlite::SqliteRow) -> anyhow::Result<ChannelKind> {
    let code: String = r.try_get("channel")?;
    ChannelKind::from_code(&code).ok_or_else(|| anyhow::anyhow!("a row of unknown channel {code}"))
}

/// Rows per multi-row statement: well under SQLite's 32,766 variables.
const CHUNK: usize = 500;

pub struct Tx {
    tx: Transaction<'static, Sqlite>,
}

impl Tx {
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

    pub async fn commit(self) -> anyhow::Result<()> {
        self.tx.commit().await.context("committing")?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::outbox::prefix_end;
    use super::*;
    use crate::config::Interrupted;
    use crate::domain::blood::BloodGroup;
    use crate::domain::body::{Sex, WeightKg};
    use crate::domain::channel::ChannelKind;
    use crate::domain::donor::{Donor, LastDonationAnswer};
    use crate::domain::eligibility::DonationKind;
    use crate::domain::phone::PhoneNumber;
    use crate::domain::province::Province;
    use crate::messages::Lang;
    use std::collections::HashSet;

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
            renewal_asked: true,
            // Set by their own requests, never by saving the profile.
            unit: None,
            family: None,
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
                    channel: ChannelKind::Telegram,
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

    /// A row read as due, then withdrawn before the worker claims it (a tally replaced, a
    /// broadcast stopped), is not claimed, so it is not sent; a row is claimed once.
    #[tokio::test]
    async fn only_rows_still_pending_are_claimed() {
        let (_dir, store) = store().await;
        let msg = |key: &str, chat: &'static str| NewMessage {
            idempotency_key: Some(key.to_string()),
            channel: ChannelKind::Telegram,
            chat_id: chat,
            identity_id: None,
            lane: Lane::Reply,
            body: "{}".into(),
            not_before: 0,
            broadcast_id: None,
        };
        let mut tx = store.begin().await.unwrap();
        let rows = [
            msg("callout:1:tally:1", "4"),
            msg("reply:telegram:9:0", "5"),
        ];
        tx.enqueue(&rows, 0).await.unwrap();
        tx.commit().await.unwrap();
        let scope = Scope::Channels(vec![ChannelKind::Telegram]);
        let read = store.due(&scope, 0, 10, Lane::Bulk).await.unwrap();
        let id = |chat: &str| read.iter().find(|r| r.chat_id == chat).unwrap().id;
        let mut tx = store.begin().await.unwrap();
        let family = KeyFamily::CalloutTallies { callout: 1 };
        assert_eq!(tx.withdraw_pending(family, 1).await.unwrap().len(), 1);
        tx.commit().await.unwrap();
        let claimed = store.claim(&[id("4"), id("5")]).await.unwrap();
        assert_eq!(claimed, HashSet::from([id("5")]));
        assert!(store.claim(&[id("5")]).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn the_outbox_keeps_lane_order_and_idempotency() {
        let (_dir, store) = store().await;
        let mut tx = store.begin().await.unwrap();
        let msg = |key: &str, chat: &'static str, lane| NewMessage {
            idempotency_key: Some(key.to_string()),
            channel: ChannelKind::Telegram,
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
            throttled: true,
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
