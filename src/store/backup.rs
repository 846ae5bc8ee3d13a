//! Backups that restore, and erasure that survives them (SQLite; PostgreSQL keeps its own
//! tools, see docs/OPERATING.md).
//!
//! - A backup is taken with `VACUUM INTO` while the bot runs: one read transaction, so the
//!   copy is consistent, with the write-ahead log folded in (a copy of the `.db` file alone
//!   is neither). It is then checked (integrity, schema, counts) before it is called one.
//! - A restore refuses while anything has the database open (every process holds a shared
//!   lock on `<file>.lock`; a restore takes it alone), sets the current file and its
//!   `-wal`/`-shm` aside, and puts the checked copy in place.
//! - The erasure ledger (`erasures`, and `<file>.erasures` beside the database: donor ids
//!   only) is applied after a restore and at every start, so a donor erased after a backup
//!   was taken is erased again from it.

use super::{Backend, Store};
use anyhow::Context;
use sqlx::Connection;
use std::io::Write;
use std::path::{Path, PathBuf};

/// What a backup file holds, read without changing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupSummary {
    /// The latest migration it has.
    pub schema: i64,
    pub donors: i64,
    pub donations: i64,
    /// Erasures in its ledger.
    pub erasures: i64,
}

/// The file of a SQLite URL (`sqlite://path?…`), or `None` for another database.
pub fn sqlite_file(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
}

/// `<file><suffix>` beside the database file.
pub(super) fn beside(db: &Path, suffix: &str) -> PathBuf {
    let mut s = db.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// The lock every process using a SQLite database holds (shared) while it runs, and a
/// restore takes alone: held as long as the file stays open.
pub(super) fn shared_lock(db: &Path) -> anyhow::Result<std::fs::File> {
    let file = lock_file(db)?;
    match file.try_lock_shared() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => {
            anyhow::bail!(
                "{} is being restored: try again when it is done",
                db.display()
            )
        }
        Err(std::fs::TryLockError::Error(e)) => {
            Err(anyhow::Error::new(e).context("locking the database file"))
        }
    }
}

fn lock_file(db: &Path) -> anyhow::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(beside(db, ".lock"))
        .with_context(|| format!("opening {}.lock", db.display()))
}

/// The current migration of the binary: a backup with a later one is from a newer version.
fn known_schema() -> i64 {
    sqlx::migrate!("./migrations/sqlite")
        .iter()
        .map(|m| m.version)
        .max()
        .unwrap_or(0)
}

/// Read a SQLite file without changing it: its integrity, its schema and its counts.
pub async fn inspect_sqlite(file: &Path) -> anyhow::Result<BackupSummary> {
    anyhow::ensure!(file.is_file(), "{} is not a file", file.display());
    let url = format!("sqlite://{}?mode=ro", file.display());
    let mut conn = sqlx::AnyConnection::connect(&url)
        .await
        .with_context(|| format!("{} cannot be opened as a database", file.display()))?;
    let integrity: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut conn)
        .await
        .with_context(|| format!("{} is not a database", file.display()))?;
    anyhow::ensure!(
        integrity == "ok",
        "{} is damaged (integrity check: {integrity})",
        file.display()
    );
    let schema: i64 =
        sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success")
            .fetch_one(&mut conn)
            .await
            .with_context(|| format!("{} is not a hienmau database", file.display()))?;
    let count = |table: &'static str| format!("SELECT COUNT(*) FROM {table}");
    let donors: i64 = sqlx::query_scalar(&count("donors"))
        .fetch_one(&mut conn)
        .await
        .with_context(|| format!("{} is not a hienmau database", file.display()))?;
    let donations: i64 = sqlx::query_scalar(&count("donations"))
        .fetch_one(&mut conn)
        .await?;
    // A backup older than the ledger has none.
    let erasures: i64 = sqlx::query_scalar(&count("erasures"))
        .fetch_one(&mut conn)
        .await
        .unwrap_or(0);
    conn.close().await.ok();
    Ok(BackupSummary {
        schema,
        donors,
        donations,
        erasures,
    })
}

/// The donor ids of the ledger of the database `file` (for a restore: the ledger of the
/// database being replaced, which knows every erasure up to now).
async fn ledger_in(file: &Path) -> anyhow::Result<Vec<i64>> {
    let url = format!("sqlite://{}?mode=ro", file.display());
    let mut conn = sqlx::AnyConnection::connect(&url).await?;
    let ids = sqlx::query_scalar("SELECT donor_id FROM erasures")
        .fetch_all(&mut conn)
        .await
        .unwrap_or_default();
    conn.close().await.ok();
    Ok(ids)
}

/// The donor ids of a ledger file (one `id erased_at` a line); a line that is not one is
/// skipped.
fn ledger_file_ids(db: &Path) -> anyhow::Result<Vec<i64>> {
    let path = beside(db, ".erasures");
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(text
            .lines()
            .filter_map(|l| l.split_whitespace().next()?.parse().ok())
            .collect()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(anyhow::Error::new(e).context(format!("reading {}", path.display()))),
    }
}

impl Store {
    /// The SQLite file of this store, if it is one.
    fn file(&self) -> Option<&Path> {
        self.file.as_ref().map(|f| f.path.as_path())
    }

    /// Take a consistent copy into `to` (a new file) while the bot runs, and check it.
    pub async fn backup_into(&self, to: &Path) -> anyhow::Result<BackupSummary> {
        anyhow::ensure!(
            self.backend == Backend::Sqlite,
            "on PostgreSQL, back up with pg_dump or base backups (see docs/OPERATING.md)"
        );
        anyhow::ensure!(
            !to.exists(),
            "{} exists already: a backup never overwrites a file",
            to.display()
        );
        let target = to.to_str().context("the backup's path is not UTF-8")?;
        sqlx::query("VACUUM INTO $1")
            .bind(target)
            .execute(&self.pool)
            .await
            .with_context(|| format!("writing the backup to {}", to.display()))?;
        inspect_sqlite(to).await
    }

    /// Erasures recorded after this batch committed, appended to the ledger file beside a
    /// SQLite database (the table has them too; the file survives a restore of an older
    /// copy of the database).
    pub fn append_erasures(&self, donors: &[i64], now: i64) -> anyhow::Result<()> {
        let Some(db) = self.file() else {
            return Ok(());
        };
        if donors.is_empty() {
            return Ok(());
        }
        let path = beside(db, ".erasures");
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .with_context(|| format!("opening {}", path.display()))?;
        for d in donors {
            writeln!(f, "{d} {now}")?;
        }
        f.sync_all()?;
        Ok(())
    }

    /// Erase again every donor the ledger names whose row is back (a restored backup):
    /// the ledger table, the file beside a SQLite database, and `more` (the ledger of a
    /// database set aside by a restore). How many were erased.
    pub async fn apply_erasure_ledger(&self, more: &[i64], now: i64) -> anyhow::Result<usize> {
        let mut ids: Vec<i64> = more.to_vec();
        if let Some(db) = self.file() {
            ids.extend(ledger_file_ids(db)?);
        }
        let mut tx = self.begin().await?;
        tx.lock_for_write().await?;
        ids.extend(
            sqlx::query_scalar::<_, i64>(
                "SELECT e.donor_id FROM erasures e JOIN donors d ON d.id = e.donor_id",
            )
            .fetch_all(&mut *tx.tx)
            .await
            .context("reading the erasure ledger")?,
        );
        ids.sort_unstable();
        ids.dedup();
        let mut back = Vec::new();
        for chunk in ids.chunks(super::CHUNK) {
            let mut q = super::Q::new(self.backend, "SELECT id FROM donors WHERE id IN ");
            super::push_list(&mut q, chunk);
            back.extend(q.build_query_scalar::<i64>().fetch_all(&mut *tx.tx).await?);
        }
        for id in &back {
            tx.erase_donor(*id, now).await?;
        }
        tx.commit().await?;
        if !back.is_empty() {
            tracing::warn!(erased = back.len(), "donors erased again from the ledger");
            self.erase_traces().await?;
        }
        Ok(back.len())
    }
}

/// The scheduled backups' files in a folder (`hienmau-<stamp>.db`, the stamp sorting as
/// time does) to remove so that the newest `keep` remain. Other files are never touched.
pub fn backups_to_prune(names: &[String], keep: usize) -> Vec<String> {
    let mut ours: Vec<&String> = names
        .iter()
        .filter(|n| n.starts_with("hienmau-") && n.ends_with(".db"))
        .collect();
    ours.sort();
    let drop = ours.len().saturating_sub(keep.max(1));
    ours.into_iter().take(drop).cloned().collect()
}

/// What a restore did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restored {
    pub summary: BackupSummary,
    /// Where the database it replaced was set aside.
    pub previous: Option<PathBuf>,
    /// The erasures of the replaced database's ledger, to apply to the restored one.
    pub ledger: Vec<i64>,
}

/// Put the backup `from` in place of the SQLite database `db`: refused while any process
/// has it open, or when the backup is damaged or from a newer version. The database it
/// replaces (and its `-wal`, `-shm`) is set aside as `<db>.before-restore-<stamp>`. The
/// caller then opens the store (migrations bring an older backup up to date) and applies
/// the ledger with [`Restored::ledger`].
pub async fn restore_sqlite(db: &Path, from: &Path, stamp: &str) -> anyhow::Result<Restored> {
    let summary = inspect_sqlite(from).await?;
    anyhow::ensure!(
        summary.schema <= known_schema(),
        "{} is from a newer version of hienmau (schema {}, this one knows {}): upgrade first",
        from.display(),
        summary.schema,
        known_schema()
    );
    let lock = lock_file(db)?;
    match lock.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => anyhow::bail!(
            "{} is in use (hienmau serve, chat or another command): stop it first",
            db.display()
        ),
        Err(std::fs::TryLockError::Error(e)) => {
            return Err(anyhow::Error::new(e).context("locking the database file"));
        }
    }
    let mut ledger = Vec::new();
    let mut previous = None;
    if db.exists() {
        // Its write-ahead log holds its latest writes: read through SQLite, not the file.
        ledger = ledger_in(db).await.unwrap_or_default();
        let aside = beside(db, &format!(".before-restore-{stamp}"));
        for suffix in ["", "-wal", "-shm"] {
            let from = beside(db, suffix);
            if from.exists() {
                std::fs::rename(&from, beside(&aside, suffix))
                    .with_context(|| format!("setting {} aside", from.display()))?;
            }
        }
        previous = Some(aside);
    }
    std::fs::copy(from, db).with_context(|| format!("copying {}", from.display()))?;
    lock.unlock().ok();
    Ok(Restored {
        summary,
        previous,
        ledger,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scheduled_backups_keep_the_newest_and_touch_nothing_else() {
        let names: Vec<String> = [
            "hienmau-20261203-020000.db",
            "notes.txt",
            "hienmau-20261205-020000.db",
            "hienmau-20261204-020000.db",
            "hienmau.db",
            "hienmau-20261206-020000.db",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(
            backups_to_prune(&names, 2),
            ["hienmau-20261203-020000.db", "hienmau-20261204-020000.db"]
        );
        assert!(backups_to_prune(&names, 10).is_empty());
        // Keep 0 is read as keep 1: a scheduled backup never removes the one it just took.
        assert_eq!(backups_to_prune(&names, 0).len(), 3);
    }

    #[test]
    fn the_file_of_a_sqlite_url() {
        assert_eq!(
            sqlite_file("sqlite://data/hienmau.db?mode=rwc"),
            Some(PathBuf::from("data/hienmau.db"))
        );
        assert_eq!(
            sqlite_file("sqlite:hienmau.db"),
            Some(PathBuf::from("hienmau.db"))
        );
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("postgres://u@h/db"), None);
    }
}
