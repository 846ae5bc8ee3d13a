//! The scheduler's one-shot jobs (reminders, thanks) and its cron runs: added once by key,
//! claimed when due, settled with their outcome.

use super::JobKey;
use super::*;
use anyhow::Context;
use sqlx::{AnyConnection, Row};
use std::collections::HashMap;

/// [`Tx::drop_jobs`] on a connection already in a transaction.
pub(super) async fn drop_jobs(
    conn: &mut sqlx::AnyConnection,
    drive: Option<i64>,
    donor: Option<i64>,
    now: i64,
) -> anyhow::Result<u64> {
    let r = sqlx::query(
        "UPDATE jobs SET done_at = $1, outcome = 'cancelled' WHERE done_at IS NULL \
         AND ($2 IS NULL OR drive_id = $2) AND ($3 IS NULL OR donor_id = $3)",
    )
    .bind(now)
    .bind(drive)
    .bind(donor)
    .execute(&mut *conn)
    .await?;
    Ok(r.rows_affected())
}

/// A job for the scheduler to add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewJob {
    pub key: JobKey,
    pub kind: JobKind,
    pub due_at: i64,
    pub donor_id: Option<i64>,
    pub drive_id: Option<i64>,
    pub ref_id: Option<i64>,
}

/// What a one-shot job does when it is due (`jobs.kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobKind {
    /// Remind a signed-up donor of a drive.
    Reminder,
    /// Thank a donor for a recorded donation.
    Thanks,
}

impl JobKind {
    pub fn code(self) -> &'static str {
        match self {
            JobKind::Reminder => "reminder",
            JobKind::Thanks => "thanks",
        }
    }

    pub fn from_code(code: &str) -> Option<JobKind> {
        [JobKind::Reminder, JobKind::Thanks]
            .into_iter()
            .find(|k| k.code() == code)
    }
}

/// What came of a job (`jobs.outcome`), besides being sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobOutcome {
    /// The donor has no account the bot can reach.
    Unreachable,
    /// The donor paused non-urgent messages.
    Paused,
    /// Too late: the drive started or was cancelled, the donation is gone.
    Expired,
    /// The sign-up was cancelled.
    Cancelled,
    /// A kind this version does not know.
    Unknown,
}

impl JobOutcome {
    pub fn code(self) -> &'static str {
        match self {
            JobOutcome::Unreachable => "unreachable",
            JobOutcome::Paused => "paused",
            JobOutcome::Expired => "expired",
            JobOutcome::Cancelled => "cancelled",
            JobOutcome::Unknown => "unknown",
        }
    }
}

/// A stored job that is due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub id: i64,
    pub key: String,
    /// `None`: a kind this version does not know (written by a newer one).
    pub kind: Option<JobKind>,
    pub due_at: i64,
    pub donor_id: Option<i64>,
    pub drive_id: Option<i64>,
    pub ref_id: Option<i64>,
}

pub(super) async fn add_jobs(conn: &mut AnyConnection, jobs: &[NewJob]) -> anyhow::Result<u64> {
    let mut added = 0;
    for chunk in jobs.chunks(CHUNK) {
        let mut q = Q::new(
            Backend::of(conn),
            "INSERT INTO jobs (key, kind, due_at, donor_id, drive_id, ref_id) ",
        );
        q.push_values(chunk, |mut row, j| {
            row.push_bind(j.key.to_string())
                .push_bind(j.kind.code())
                .push_bind(j.due_at)
                .push_bind(j.donor_id)
                .push_bind(j.drive_id)
                .push_bind(j.ref_id);
        });
        q.push(" ON CONFLICT (key) DO NOTHING");
        added += q
            .build()
            .execute(&mut *conn)
            .await
            .context("adding jobs")?
            .rows_affected();
    }
    Ok(added)
}

impl Store {
    /// When each cron job last ran, as committed (`None`: never), read without a unit of
    /// work: a tick first sees whether anything is due before it holds the database.
    pub async fn cron_runs(&self) -> anyhow::Result<HashMap<String, i64>> {
        let rows: Vec<(String, i64)> = sqlx::query_as("SELECT name, last_at FROM cron_runs")
            .fetch_all(&self.pool)
            .await
            .context("reading the cron jobs' last runs")?;
        Ok(rows.into_iter().collect())
    }

    /// Jobs due at `now`, oldest first, at most `limit` (the partial index holds only the
    /// jobs not yet done, so this reads the due ones, not everything stored).
    pub async fn due_jobs(&self, now: i64, limit: i64) -> anyhow::Result<Vec<Job>> {
        let rows = sqlx::query(
            "SELECT id, key, kind, due_at, donor_id, drive_id, ref_id FROM jobs \
             WHERE done_at IS NULL AND due_at <= $1 ORDER BY due_at, id LIMIT $2",
        )
        .bind(now)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .context("reading due jobs")?;
        rows.iter()
            .map(|r| {
                Ok(Job {
                    id: r.try_get("id")?,
                    key: r.try_get("key")?,
                    kind: JobKind::from_code(&r.try_get::<String, _>("kind")?),
                    due_at: r.try_get("due_at")?,
                    donor_id: r.try_get("donor_id")?,
                    drive_id: r.try_get("drive_id")?,
                    ref_id: r.try_get("ref_id")?,
                })
            })
            .collect()
    }

    /// Add jobs outside a conversation (benchmarks, imports).
    pub async fn add_jobs(&self, jobs: &[NewJob]) -> anyhow::Result<u64> {
        let _gate = self.gate().await?;
        let mut tx = self.pool.begin().await?;
        let n = add_jobs(&mut tx, jobs).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Jobs not yet done, and done by outcome (for `status` and tests).
    pub async fn job_counts(&self) -> anyhow::Result<Vec<(String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT COALESCE(outcome, 'pending'), COUNT(*) FROM jobs GROUP BY 1 ORDER BY 1",
        )
        .fetch_all(&self.pool)
        .await?)
    }
}

impl Tx {
    /// Pending jobs of a drive (and donor) will not run.
    pub async fn drop_jobs(
        &mut self,
        drive: Option<i64>,
        donor: Option<i64>,
        now: i64,
    ) -> anyhow::Result<u64> {
        drop_jobs(&mut self.tx, drive, donor, now).await
    }

    /// Add jobs; one already there under the same key stays as it is.
    pub async fn add_jobs(&mut self, jobs: &[NewJob]) -> anyhow::Result<u64> {
        add_jobs(&mut self.tx, jobs).await
    }

    /// Take these jobs (those another process has not taken meanwhile).
    pub async fn claim_jobs(&mut self, ids: &[i64], now: i64) -> anyhow::Result<Vec<i64>> {
        let mut taken = Vec::new();
        for chunk in ids.chunks(CHUNK) {
            let mut q = Q::new(self.backend(), "UPDATE jobs SET done_at = ");
            q.push_bind(now)
                .push(", outcome = 'sent' WHERE done_at IS NULL AND id IN ");
            push_list(&mut q, chunk);
            q.push(" RETURNING id");
            taken.extend(
                q.build_query_scalar::<i64>()
                    .fetch_all(&mut *self.tx)
                    .await?,
            );
        }
        Ok(taken)
    }

    pub async fn job_outcome(&mut self, id: i64, outcome: JobOutcome) -> anyhow::Result<()> {
        sqlx::query("UPDATE jobs SET outcome = $1 WHERE id = $2")
            .bind(outcome.code())
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Make sure the cron job has a row (a write, so this transaction holds the lock before
    /// it reads when the job last ran).
    pub async fn touch_cron(&mut self, name: &str, first: i64) -> anyhow::Result<()> {
        sqlx::query("INSERT INTO cron_runs (name, last_at) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(name)
            .bind(first)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// When the cron job `name` last ran; `None` the first time.
    ///
    /// The row stays locked until the transaction ends: with several instances on one
    /// PostgreSQL, the others wait here and then read the run this one records, so a cron
    /// job runs once. (SQLite: the transaction already holds the file's write lock.)
    pub async fn cron_last(&mut self, name: &str) -> anyhow::Result<Option<i64>> {
        let sql = match self.backend() {
            super::Backend::Sqlite => "SELECT last_at FROM cron_runs WHERE name = $1",
            super::Backend::Postgres => "SELECT last_at FROM cron_runs WHERE name = $1 FOR UPDATE",
        };
        Ok(sqlx::query_scalar(sql)
            .bind(name)
            .fetch_optional(&mut *self.tx)
            .await?)
    }

    pub async fn set_cron_last(&mut self, name: &str, at: i64) -> anyhow::Result<()> {
        sqlx::query(
            "INSERT INTO cron_runs (name, last_at) VALUES ($1, $2) \
             ON CONFLICT (name) DO UPDATE SET last_at = excluded.last_at",
        )
        .bind(name)
        .bind(at)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }
}
