//! Files being written: a calendar or a centre's donations, checked whole first, then written
//! in short steps (each its own transaction, with its progress) so that no upload holds the
//! writer; a crash or a stop resumes where it was.

use super::*;
use anyhow::Context;
use sqlx::FromRow;

/// A file being written, or written.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ImportRow {
    pub id: i64,
    /// `calendar` or `donations`.
    pub kind: String,
    /// Who uploaded it, as the audit log names them.
    pub actor: String,
    /// What is left to write (`None` once written).
    pub work: Option<String>,
    pub total: i64,
    pub done: i64,
    /// Drives written (calendar), donations newly recorded (donations).
    pub added: i64,
    /// `writing`, `done` or `failed`.
    pub state: String,
    pub error: Option<String>,
}

fn import_row(r: &AnyRow) -> anyhow::Result<ImportRow> {
    ImportRow::from_row(r).context("a file's row")
}

const COLUMNS: &str = "id, kind, actor, work, total, done, added, state, error";

impl Store {
    /// The files still being written (oldest first): resumed at start and after a handover.
    pub async fn unfinished_imports(&self) -> anyhow::Result<Vec<i64>> {
        sqlx::query_scalar("SELECT id FROM imports WHERE state = 'writing' ORDER BY id")
            .fetch_all(&self.pool)
            .await
            .context("reading the files being written")
    }

    /// One file's row, with its work if `with_work` (what is left to write can be megabytes).
    pub async fn import(&self, id: i64, with_work: bool) -> anyhow::Result<Option<ImportRow>> {
        let columns = if with_work {
            COLUMNS.to_string()
        } else {
            COLUMNS.replace("work", "NULL AS work")
        };
        let row = sqlx::query(&format!("SELECT {columns} FROM imports WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .context("reading a file being written")?;
        row.as_ref().map(import_row).transpose()
    }

    /// A file that cannot be written to the end: set aside with why (what was written
    /// stays, and the row says up to which step).
    pub async fn fail_import(&self, id: i64, error: &str, now: i64) -> anyhow::Result<()> {
        let _gate = self.gate().await?;
        sqlx::query(
            "UPDATE imports SET state = 'failed', error = $1, work = NULL, finished_at = $2 \
             WHERE id = $3 AND state = 'writing'",
        )
        .bind(error)
        .bind(now)
        .bind(id)
        .execute(&self.pool)
        .await
        .context("setting a file aside")?;
        Ok(())
    }
}

impl Tx {
    /// A checked file to write: `total` steps of `work`. Returns its id.
    pub async fn stage_import(
        &mut self,
        kind: &str,
        actor: &str,
        work: &str,
        total: usize,
        now: i64,
    ) -> anyhow::Result<i64> {
        sqlx::query_scalar(
            "INSERT INTO imports (kind, actor, work, total, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(kind)
        .bind(actor)
        .bind(work)
        .bind(total as i64)
        .bind(now)
        .fetch_one(&mut *self.tx)
        .await
        .context("staging a file")
    }

    /// How far a file is written, read inside the step's transaction (under the write lock):
    /// `None` if it is no longer being written.
    pub async fn import_done(&mut self, id: i64) -> anyhow::Result<Option<i64>> {
        sqlx::query_scalar("SELECT done FROM imports WHERE id = $1 AND state = 'writing'")
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await
            .context("reading a file's progress")
    }

    /// The steps `[from, to)` written, `added` more drives or donations among them; the last
    /// step ends the file (its work emptied). `false` if another writer moved it first.
    pub async fn advance_import(
        &mut self,
        id: i64,
        from: i64,
        to: i64,
        added: i64,
        now: i64,
    ) -> anyhow::Result<bool> {
        let r = sqlx::query(
            "UPDATE imports SET done = $1, added = added + $2, \
             state = CASE WHEN $1 >= total THEN 'done' ELSE 'writing' END, \
             work = CASE WHEN $1 >= total THEN NULL ELSE work END, \
             finished_at = CASE WHEN $1 >= total THEN $3 ELSE NULL END \
             WHERE id = $4 AND done = $5 AND state = 'writing'",
        )
        .bind(to)
        .bind(added)
        .bind(now)
        .bind(id)
        .bind(from)
        .execute(&mut *self.tx)
        .await
        .context("moving a file's progress")?;
        Ok(r.rows_affected() == 1)
    }

    /// Drives or donations a file added so far (read in the step that ends it).
    pub async fn import_added(&mut self, id: i64) -> anyhow::Result<i64> {
        sqlx::query_scalar("SELECT added FROM imports WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *self.tx)
            .await
            .context("reading what a file added")
    }
}
