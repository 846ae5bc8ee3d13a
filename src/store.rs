//! The store owns every SQL statement. SQLite by default (one file, nothing to install); the
//! SQL uses `$n` placeholders and portable types (INTEGER times, TEXT dates) so that a
//! PostgreSQL backend can share most of it.
//!
//! A conversation step runs in one [`Tx`]: its first statement is a write, so the write lock is
//! taken before anything is read and two steps for one person can never interleave.

use crate::domain::channel::Channel;
use anyhow::Context;
use chrono::NaiveDate;
use sqlx::any::{AnyArguments, AnyPoolOptions, AnyRow};
use sqlx::{Any, Arguments, Connection, Executor, Row, Transaction};
use sqlx::{AnyConnection, AnyPool};
use std::fmt::Display;
use std::time::Duration;

mod backup;
mod callout;
mod campaigns;
mod club;
mod copy;
mod dashboard;
mod donations;
mod donors;
mod drive;
mod figures;
mod identities;
mod imports;
mod jobs;
mod keys;
mod oa;
mod outbox;
mod plan;
mod report;
mod row;
mod scope;
pub use backup::{
    BackupSummary, Restored, backups_to_prune, inspect_sqlite, restore_sqlite, sqlite_file,
};
pub use callout::{Answered, Candidate, MatchQuery, MyAsk, Pledge, StockLevel};
pub use club::{OpenBroadcast, PhoneLookup, Recipient};
pub use copy::{Copied, PAUSE_DONOR_COUNTS, REBUILD_DONOR_COUNTS};
pub use donations::{DonationImport, DonationRow, NewDonation, Recorded, ResolvedLine};
pub use donors::NewDonor;
pub use drive::SignUp;
pub use identities::{Account, Identity};
pub use imports::ImportRow;
pub use jobs::{Job, JobKind, JobOutcome, NewJob};
pub use keys::{JobKey, KeyFamily, OutboxKey};
pub use oa::{OaRouteFacts, OaTokenLock, TokenWrite, ZaloStatus};
pub use outbox::{Lane, NewMessage, OutboxRow, Outcome, Scope, Settled};
pub use plan::{PlanLoaded, YearDonor};
pub(crate) use row::Flag;
pub use scope::{Owned, Provinced, Whose};

/// Which database engine a store runs on: chosen by the scheme of `DATABASE_URL`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// One file, one writer at a time: a province on one machine.
    Sqlite,
    /// One server shared by several instances of the bot.
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> anyhow::Result<Backend> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            anyhow::bail!(
                "DATABASE_URL must start with sqlite:// (one file) or postgres:// (a server); \
                 it starts with {:?}",
                url.split(':').next().unwrap_or_default()
            )
        }
    }

    /// `expr` of the rows joined with "; ".
    fn joined(self, expr: &str) -> String {
        match self {
            Backend::Sqlite => format!("group_concat({expr}, '; ')"),
            Backend::Postgres => format!("string_agg({expr}, '; ')"),
        }
    }

    /// The SQL function that finds a text in another (1-based, 0 when absent).
    fn position_fn(self) -> &'static str {
        match self {
            Backend::Sqlite => "instr",
            Backend::Postgres => "strpos",
        }
    }

    /// A statement written with anonymous placeholders (`?`), as this engine reads it:
    /// SQLite takes them as they are; PostgreSQL numbers them `$1, $2, …` in order. A `?`
    /// inside a quoted literal or name is text, not a placeholder.
    fn sql(self, sql: &str) -> std::borrow::Cow<'_, str> {
        match self {
            Backend::Sqlite => std::borrow::Cow::Borrowed(sql),
            Backend::Postgres => std::borrow::Cow::Owned(numbered(sql)),
        }
    }

    fn of(conn: &AnyConnection) -> Backend {
        if conn.backend_name() == "PostgreSQL" {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }
}

/// `?` placeholders numbered `$1, $2, …`, outside quoted literals ('…') and names ("…").
fn numbered(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut n = 0;
    let mut quote: Option<char> = None;
    for c in sql.chars() {
        match (quote, c) {
            (None, '?') => {
                n += 1;
                out.push('$');
                out.push_str(&n.to_string());
                continue;
            }
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            _ => {}
        }
        out.push(c);
    }
    out
}

#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// A SQLite database's file, and the shared lock this process holds on it while open
    /// (a restore waits for nobody to hold it).
    file: Option<std::sync::Arc<DbFile>>,
    /// SQLite: the writers of this process queue here, first come first served, instead of
    /// in SQLite's busy handler, which sleeps up to 100 ms between tries and lets a writer
    /// that comes back at once (a file written in steps, a busy poller) take the lock again
    /// and again. PostgreSQL queues its writers on the advisory lock.
    gate: Option<std::sync::Arc<tokio::sync::Mutex<()>>>,
}

/// A writer's place at the gate: held until its transaction ends.
pub(crate) type GateGuard = Option<tokio::sync::OwnedMutexGuard<()>>;

/// How long a writer waits at the gate before giving up (PostgreSQL's `lock_timeout`).
const GATE_WAIT: Duration = Duration::from_secs(30);

struct DbFile {
    path: std::path::PathBuf,
    _lock: std::fs::File,
}

/// A statement built at run time (lists, multi-row `VALUES`): sqlx's `QueryBuilder` for both
/// engines. Placeholders are anonymous (`?`) on SQLite — SQLite looks a named parameter (`$n`)
/// up by scanning the list of names, which makes binding a statement of n parameters cost n²
/// (measured: 8% of the bot's CPU in the steps benchmark) — and numbered (`$n`) on PostgreSQL,
/// which knows no other kind.
pub(crate) struct Q<'a> {
    sql: String,
    args: Option<AnyArguments<'a>>,
    backend: Backend,
}

impl<'a> Q<'a> {
    pub(crate) fn new(backend: Backend, init: impl Into<String>) -> Q<'a> {
        Q {
            sql: init.into(),
            args: Some(AnyArguments::default()),
            backend,
        }
    }

    pub(crate) fn push(&mut self, sql: impl Display) -> &mut Self {
        use std::fmt::Write;
        let _ = write!(self.sql, "{sql}");
        self
    }

    pub(crate) fn push_bind<T>(&mut self, value: T) -> &mut Self
    where
        T: 'a + sqlx::Encode<'a, Any> + sqlx::Type<Any>,
    {
        let args = self.args.as_mut().expect("a statement is built once");
        // Encoding into the in-memory argument list: only a type sqlx cannot encode fails,
        // which the compiler already refused.
        if let Err(e) = args.add(value) {
            tracing::error!(error = %e, "a value could not be bound");
        }
        self.sql.push('?');
        self
    }

    pub(crate) fn separated<'b>(&'b mut self, sep: &'static str) -> Sep<'b, 'a> {
        Sep {
            q: self,
            sep,
            first: true,
        }
    }

    /// `VALUES (…), (…)`, one tuple per item.
    pub(crate) fn push_values<I, F>(&mut self, items: I, mut tuple: F) -> &mut Self
    where
        I: IntoIterator,
        F: FnMut(Sep<'_, 'a>, I::Item),
    {
        self.push("VALUES ");
        for (i, item) in items.into_iter().enumerate() {
            self.push(if i == 0 { "(" } else { ", (" });
            tuple(self.separated(", "), item);
            self.push(")");
        }
        self
    }

    pub(crate) fn build(&mut self) -> sqlx::query::Query<'_, Any, AnyArguments<'_>> {
        let args = self.args.take().expect("a statement is built once");
        self.number();
        sqlx::query_with(&self.sql, args)
    }

    /// On PostgreSQL, the placeholders numbered (fragments pushed with `?` of their own,
    /// bound after the build, are numbered with the rest, in order).
    fn number(&mut self) {
        if self.backend == Backend::Postgres {
            self.sql = numbered(&self.sql);
        }
    }

    pub(crate) fn build_query_scalar<T>(
        &mut self,
    ) -> sqlx::query::QueryScalar<'_, Any, T, AnyArguments<'_>>
    where
        (T,): for<'r> sqlx::FromRow<'r, AnyRow>,
    {
        let args = self.args.take().expect("a statement is built once");
        self.number();
        sqlx::query_scalar_with(&self.sql, args)
    }
}

pub(crate) struct Sep<'b, 'a> {
    q: &'b mut Q<'a>,
    sep: &'static str,
    first: bool,
}

impl<'a> Sep<'_, 'a> {
    fn separate(&mut self) {
        if !self.first {
            self.q.push(self.sep);
        }
        self.first = false;
    }

    pub(crate) fn push_bind<T>(&mut self, value: T) -> &mut Self
    where
        T: 'a + sqlx::Encode<'a, Any> + sqlx::Type<Any>,
    {
        self.separate();
        self.q.push_bind(value);
        self
    }
}

/// An optional number with decimals, bound so that a missing one reaches PostgreSQL as a
/// NULL `double precision`: sqlx 0.8.6's Any driver sends `Option::<f64>::None` as a
/// `real` NULL, and the statement, prepared with that type, then refuses the next real
/// value ("incorrect binary data format"). SQLite stores either as NULL.
pub(crate) struct NullableF64(pub Option<f64>);

impl sqlx::Type<Any> for NullableF64 {
    fn type_info() -> sqlx::any::AnyTypeInfo {
        <f64 as sqlx::Type<Any>>::type_info()
    }
}

impl<'q> sqlx::Encode<'q, Any> for NullableF64 {
    fn encode_by_ref(
        &self,
        buf: &mut <Any as sqlx::Database>::ArgumentBuffer<'q>,
    ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
        match self.0 {
            Some(v) => <f64 as sqlx::Encode<'q, Any>>::encode_by_ref(&v, buf),
            // The driver maps a `real` NULL to `double precision` (the swap above).
            None => <Option<f32> as sqlx::Encode<'q, Any>>::encode_by_ref(&None, buf),
        }
    }
}

/// A yes/no column or expression ([`Flag`]); NULL reads as no.
fn flag<I: sqlx::ColumnIndex<AnyRow>>(r: &AnyRow, col: I) -> anyhow::Result<bool> {
    Ok(opt_flag(r, col)?.unwrap_or(false))
}

/// A yes/no column that may be NULL (not answered).
fn opt_flag<I: sqlx::ColumnIndex<AnyRow>>(r: &AnyRow, col: I) -> anyhow::Result<Option<bool>> {
    Ok(r.try_get::<Option<Flag>, _>(col)?.map(bool::from))
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
        sqlx::Error::Database(d)
            if d.try_downcast_ref::<sqlx::postgres::PgDatabaseError>()
                .is_some() =>
        {
            // SQLSTATE classes: 40 (a serialization failure or deadlock: retry), 53 (out of
            // resources: disk, memory, connections), 57P (the server shutting down), 08 (the
            // connection lost), 55P03 (a lock not had within `lock_timeout`).
            let code = d.code().unwrap_or_default();
            ["40", "53", "57P", "08", "55P03"]
                .iter()
                .any(|c| code.starts_with(c))
        }
        sqlx::Error::Database(d) => d
            .code()
            .and_then(|c| c.parse::<i32>().ok())
            // SQLITE_BUSY, SQLITE_LOCKED, SQLITE_IOERR, SQLITE_FULL (primary codes).
            .is_some_and(|c| matches!(c & 0xff, 5 | 6 | 10 | 13)),
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => true,
        _ => false,
    }
}

/// The migrations this binary carries, per engine.
static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

fn migrator(backend: Backend) -> &'static sqlx::migrate::Migrator {
    match backend {
        Backend::Sqlite => &SQLITE_MIGRATIONS,
        Backend::Postgres => &POSTGRES_MIGRATIONS,
    }
}

/// A database's schema against this binary's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schema {
    /// The last migration applied (`None`: a new, empty database).
    pub applied: Option<i64>,
    /// The last migration this binary knows.
    pub latest: i64,
}

impl Schema {
    /// Migrations the next start applies.
    pub fn pending(&self) -> usize {
        let from = self.applied.unwrap_or(0);
        usize::try_from(self.latest - from).unwrap_or(0)
    }

    /// Written by a newer hienmau: this binary must not touch it.
    pub fn newer(&self) -> bool {
        self.applied.is_some_and(|a| a > self.latest)
    }

    fn refuse_newer(&self) -> anyhow::Result<()> {
        if let Some(applied) = self.applied.filter(|_| self.newer()) {
            anyhow::bail!(
                "this database has schema {applied}, written by a newer hienmau; this binary \
                 knows schemas up to {}. Nothing was changed: run the newer version again (a \
                 database is never taken back to an older schema)",
                self.latest
            );
        }
        Ok(())
    }
}

/// The last migration applied to the database on `conn` (`None`: none yet).
async fn applied_schema(conn: &mut AnyConnection, backend: Backend) -> anyhow::Result<Option<i64>> {
    let exists: i64 = sqlx::query_scalar(match backend {
        Backend::Sqlite => {
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'"
        }
        Backend::Postgres => {
            "SELECT COUNT(*) FROM information_schema.tables \
             WHERE table_name = '_sqlx_migrations' AND table_schema = current_schema()"
        }
    })
    .fetch_one(&mut *conn)
    .await
    .context("reading the database's schema")?;
    if exists == 0 {
        return Ok(None);
    }
    sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success")
        .fetch_one(&mut *conn)
        .await
        .context("reading the database's schema")
}

/// The schema of the database at `url`, read without changing anything (a SQLite file that
/// does not exist yet has none): what `hienmau check-config` reports.
pub async fn inspect_schema(url: &str) -> anyhow::Result<Schema> {
    sqlx::any::install_default_drivers();
    let backend = Backend::of_url(url)?;
    let latest = migrator(backend)
        .iter()
        .map(|m| m.version)
        .max()
        .unwrap_or(0);
    if let Some(path) = backup::sqlite_file(url)
        && !path.exists()
    {
        return Ok(Schema {
            applied: None,
            latest,
        });
    }
    let url = match backend {
        Backend::Sqlite if !url.contains("mode=") => {
            format!("{url}{}mode=ro", if url.contains('?') { '&' } else { '?' })
        }
        _ => url.to_string(),
    };
    let mut conn = AnyConnection::connect(&url)
        .await
        // A PostgreSQL URL may hold a password: never in a message.
        .context("connecting to the database")?;
    let applied = applied_schema(&mut conn, backend).await?;
    let _ = conn.close().await;
    Ok(Schema { applied, latest })
}

/// Bring the schema up to date, safely when several processes start at once.
///
/// SQLite: the whole run is one `BEGIN IMMEDIATE` transaction (each migration a savepoint in
/// it), so one process applies them while the others wait for the write lock (the busy
/// timeout) and then find them applied; sqlx's own migration lock does nothing on SQLite.
/// PostgreSQL: sqlx's migrator holds an advisory lock for the run, so instances starting
/// together apply each migration once.
///
/// A database written by a newer hienmau is refused before anything is done. A SQLite file
/// that has migrations to apply is first copied beside itself (`<file>.schema-N.bak`, N its
/// schema), so an upgrade that goes wrong can be undone with `hienmau restore`; on
/// PostgreSQL the operator takes a pg_dump before upgrading (docs/OPERATING.md).
async fn migrate(
    pool: &AnyPool,
    backend: Backend,
    file: Option<&std::path::Path>,
) -> anyhow::Result<()> {
    // The migrator's message already names its cause: no second copy from the source.
    let failed = |e: sqlx::migrate::MigrateError| anyhow::anyhow!("applying migrations: {e}");
    let latest = migrator(backend)
        .iter()
        .map(|m| m.version)
        .max()
        .unwrap_or(0);
    let mut conn = pool.acquire().await.context("opening the database")?;
    let schema = Schema {
        applied: applied_schema(&mut conn, backend).await?,
        latest,
    };
    schema.refuse_newer()?;
    if let (Some(applied), Some(db)) = (schema.applied, file)
        && applied < latest
    {
        let copy = backup::beside(db, &format!(".schema-{applied}.bak"));
        if !copy.exists() {
            let target = copy.to_str().context("the database's path is not UTF-8")?;
            let made = sqlx::query("VACUUM INTO $1")
                .bind(target)
                .execute(&mut *conn)
                .await;
            // Another process starting at once may have made it first.
            if let Err(e) = made
                && !copy.exists()
            {
                return Err(anyhow::Error::new(e).context(format!(
                    "copying the database to {} before migrating it (nothing was changed)",
                    copy.display()
                )));
            }
            tracing::info!(
                from = applied,
                to = latest,
                copy = %copy.display(),
                "the database was copied before its schema is brought up to date"
            );
        }
    }
    match backend {
        Backend::Sqlite => {
            let mut tx = conn
                .begin_with("BEGIN IMMEDIATE")
                .await
                .context("waiting to apply migrations")?;
            // Read again under the lock: another process may have migrated meanwhile.
            Schema {
                applied: applied_schema(&mut tx, backend).await?,
                latest,
            }
            .refuse_newer()?;
            SQLITE_MIGRATIONS
                .run_direct(&mut *tx)
                .await
                .map_err(failed)?;
            tx.commit().await.context("applying migrations")?;
        }
        Backend::Postgres => {
            drop(conn);
            POSTGRES_MIGRATIONS.run(pool).await.map_err(failed)?;
        }
    }
    Ok(())
}

/// The SQLite settings of every connection: write-ahead log, a 10-second busy wait, foreign
/// keys, and deleted rows overwritten with zeros (erasure must really erase).
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
     PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON;";

/// A SQLite URL that creates its file when missing.
fn sqlite_url(url: &str) -> String {
    if url.contains("mode=") || url.contains(":memory:") {
        url.to_string()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    }
}

impl Store {
    /// Open (creating the file if needed) and bring the schema up to date.
    pub async fn open(url: &str) -> anyhow::Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = Backend::of_url(url)?;
        let file = match backup::sqlite_file(url) {
            Some(path) => Some(std::sync::Arc::new(DbFile {
                _lock: backup::shared_lock(&path)?,
                path,
            })),
            None => None,
        };
        let pool = match backend {
            Backend::Sqlite => {
                let url = sqlite_url(url);
                // Several processes opening a new file at once: switching it to WAL takes a
                // lock that SQLite refuses at once (no busy wait) while another holds it.
                // Such a refusal is waited out briefly; anything else is reported.
                let mut tries = 0;
                loop {
                    match AnyPoolOptions::new()
                        .max_connections(4)
                        .after_connect(|conn, _| {
                            Box::pin(async move {
                                conn.execute(SQLITE_PRAGMAS).await?;
                                Ok(())
                            })
                        })
                        .connect(&url)
                        .await
                    {
                        Ok(pool) => break pool,
                        Err(e) if is_busy(&e) && tries < 100 => {
                            tries += 1;
                            tokio::time::sleep(Duration::from_millis(50)).await;
                        }
                        Err(e) => {
                            return Err(anyhow::Error::new(e).context("opening the database"));
                        }
                    }
                }
            }
            Backend::Postgres => AnyPoolOptions::new()
                .max_connections(8)
                .acquire_timeout(Duration::from_secs(10))
                // The writers' lock is waited for at most this long: a unit of work that
                // waits behind a stuck one fails (and is retried) instead of hanging.
                .after_connect(|conn, _| {
                    Box::pin(async move {
                        conn.execute("SET lock_timeout = '30s'").await?;
                        Ok(())
                    })
                })
                .connect(url)
                .await
                // The URL may hold a password: never in a message.
                .context("connecting to PostgreSQL")?,
        };
        migrate(&pool, backend, file.as_ref().map(|f| f.path.as_path())).await?;
        Ok(Store {
            pool,
            backend,
            file,
            gate: (backend == Backend::Sqlite)
                .then(|| std::sync::Arc::new(tokio::sync::Mutex::new(()))),
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A transaction for one unit of work (a conversation step, a use case, a scheduler
    /// batch).
    ///
    /// SQLite has one writer at a time, and every unit of work was written for it: it may
    /// read, then write what it read (the last place of a drive, a counter, a state). On
    /// PostgreSQL, where several instances share the database, the same guarantee comes
    /// from a transaction-scoped advisory lock taken first, held by one transaction at a
    /// time across every instance and released at commit or rollback: no read-then-write
    /// interleaves with another, whichever instance runs it. Statements outside a unit of
    /// work (the delivery worker's claims and outcomes, the scheduler's job claims) are
    /// single conditional statements and take no such lock.
    pub async fn begin(&self) -> anyhow::Result<Tx> {
        let gate = self.gate().await?;
        let mut tx = self.transaction(gate, true).await?;
        if self.backend == Backend::Postgres {
            tx.lock_for_write().await?;
        }
        Ok(tx)
    }

    /// A unit of work that reads anything but writes only what belongs to the people it
    /// names (a batch of chat messages): their accounts (`channel`, `user`), the phones they
    /// typed, and, once read, their donors ([`Tx::lock_donors`]).
    ///
    /// SQLite: the same one writer at a time as [`Store::begin`]. PostgreSQL: the
    /// whole-database lock is taken *shared*, so that units of work for other people run
    /// beside this one (on this instance and on every other), while a unit holding the whole
    /// database waits for them and they for it; each account and phone is locked on its own
    /// (transaction-scoped, in one order), so that two units for the same person, or two
    /// registrations of one phone, never interleave. What would change something shared (a
    /// drive's places, a call-out, a club, another person) must first get the whole database
    /// with [`Tx::widen`].
    pub async fn begin_for_people(
        &self,
        accounts: &[(&str, &str)],
        phones: &[String],
    ) -> anyhow::Result<Tx> {
        if self.backend == Backend::Sqlite {
            return self.begin().await;
        }
        let keys = accounts
            .iter()
            .map(|(channel, user)| (LOCK_ACCOUNT, format!("{channel}:{user}")))
            .chain(phones.iter().map(|p| (LOCK_PHONE, p.clone())))
            .collect();
        let mut tx = self.transaction(None, false).await?;
        tx.lock_keys("pg_advisory_xact_lock_shared(7215)", keys)
            .await
            .context("taking the people's locks")?;
        Ok(tx)
    }

    async fn transaction(&self, gate: GateGuard, whole: bool) -> anyhow::Result<Tx> {
        Ok(Tx {
            tx: self.pool.begin().await.context("starting a transaction")?,
            _gate: gate,
            person_units: None,
            enqueued: 0,
            whole,
        })
    }

    /// This process's turn to write on SQLite (first come, first served; see `gate`),
    /// held until the guard is dropped; nothing on PostgreSQL.
    pub(crate) async fn gate(&self) -> anyhow::Result<GateGuard> {
        let Some(gate) = &self.gate else {
            return Ok(None);
        };
        match tokio::time::timeout(GATE_WAIT, gate.clone().lock_owned()).await {
            Ok(guard) => Ok(Some(guard)),
            Err(_) => anyhow::bail!("waited {} s for the write lock", GATE_WAIT.as_secs()),
        }
    }

    /// A transaction that only reads, outside the one-writer rule: checking a whole file
    /// before it is written, which must hold up no one. On SQLite it reads one snapshot;
    /// on PostgreSQL the advisory lock is not taken (and it must not write).
    pub async fn begin_read(&self) -> anyhow::Result<Tx> {
        let mut tx = self.transaction(None, false).await?;
        if self.backend == Backend::Postgres {
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .execute(&mut *tx.tx)
                .await
                .context("starting a read")?;
        }
        Ok(tx)
    }

    /// After an erasure: leave no trace of the erased rows outside the live database. On
    /// SQLite, deleted pages are overwritten (`secure_delete`), and here the write-ahead log
    /// is folded into the database file and emptied, so that erased data does not linger in
    /// the `-wal` file either. A reader in the middle of a query can keep the checkpoint
    /// from finishing: it is then tried again, briefly.
    ///
    /// PostgreSQL keeps a deleted row's tuple in its table until VACUUM: the tables an
    /// erasure touches are vacuumed here, so the rows are gone from every later read and
    /// their space is reused. What PostgreSQL cannot take back is said in docs/OPERATING.md (the
    /// write-ahead log until it is recycled, WAL archives and backups for their retention).
    pub async fn erase_traces(&self) -> anyhow::Result<()> {
        if self.backend == Backend::Postgres {
            self.wait_for_older_snapshots().await?;
            sqlx::raw_sql(
                "VACUUM donors, consents, channel_identities, conversations, outbox, \
                 club_members, signups, callout_asks, checkins, jobs, roles, \
                 dashboard_links, dashboard_sessions, donations, campaign_reach, families",
            )
            .execute(&self.pool)
            .await
            .context("vacuuming after an erasure")?;
            return Ok(());
        }
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

    /// VACUUM keeps every row version a running transaction may still see: one that began
    /// before the erasure committed (another instance's worker, a dashboard read) would keep
    /// her deleted rows in the table. Wait, briefly, until no other session in this database
    /// holds a snapshot older than now; past 2 s the vacuum runs anyway and what it could not
    /// remove goes at the next autovacuum (logged, without any personal data).
    async fn wait_for_older_snapshots(&self) -> anyhow::Result<()> {
        let now: String =
            sqlx::query_scalar("SELECT pg_snapshot_xmax(pg_current_snapshot())::text")
                .fetch_one(&self.pool)
                .await
                .context("reading the current transaction id")?;
        for round in 0..100 {
            let older: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM pg_stat_activity \
                 WHERE datname = current_database() AND pid <> pg_backend_pid() \
                 AND (age(backend_xmin) > age($1::text::xid8::xid) \
                      OR age(backend_xid) > age($1::text::xid8::xid))",
            )
            .bind(&now)
            .fetch_one(&self.pool)
            .await
            .context("looking for older snapshots")?;
            if older == 0 {
                if round > 0 {
                    tracing::debug!(
                        rounds = round,
                        "the erasure's vacuum waited for older snapshots"
                    );
                }
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        tracing::warn!(
            "an erasure's vacuum ran while an older transaction was open: some deleted row \
             versions stay until the next autovacuum"
        );
        Ok(())
    }

    /// Wait until this instance is the one that does `role` (Telegram's long polling, which
    /// the platform allows one client at a time), or until `shutdown` (then `None`).
    ///
    /// SQLite: one instance, at once. PostgreSQL: a session advisory lock on a connection
    /// of its own, held for as long as the returned [`Leadership`] lives; when the instance
    /// dies its connection closes, the server releases the lock, and the next instance
    /// waiting here takes the role over (within a second).
    pub async fn lead(
        &self,
        role: &str,
        shutdown: &mut tokio::sync::watch::Receiver<bool>,
    ) -> anyhow::Result<Option<Leadership>> {
        if self.backend == Backend::Sqlite {
            return Ok(Some(Leadership { conn: None }));
        }
        let mut conn = self
            .pool
            .acquire()
            .await
            .context("connecting for leadership")?
            .detach();
        loop {
            let got: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock(7216, hashtext($1))")
                .bind(role)
                .fetch_one(&mut conn)
                .await
                .context("asking for leadership")?;
            if got {
                return Ok(Some(Leadership { conn: Some(conn) }));
            }
            tokio::select! {
                _ = shutdown.wait_for(|stop| *stop) => return Ok(None),
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            }
        }
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Whether the database takes a write (a transaction that writes and rolls back).
    pub async fn healthy(&self) -> anyhow::Result<()> {
        let _gate = self.gate().await?;
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

    /// Set a counter to `value` (the time of the last backup, unix ms).
    pub async fn set_counter(&self, name: &str, value: i64) -> anyhow::Result<()> {
        let _gate = self.gate().await?;
        sqlx::query(
            "INSERT INTO counters (name, value) VALUES ($1, $2) \
             ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        )
        .bind(name)
        .bind(value)
        .execute(&self.pool)
        .await
        .context("setting a counter")?;
        Ok(())
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
        let _gate = self.gate().await?;
        let larger = match self.backend {
            Backend::Sqlite => "MAX",
            Backend::Postgres => "GREATEST",
        };
        sqlx::query_scalar(&format!(
            "INSERT INTO demo_clock AS c (id, offset_ms) VALUES (1, $1) ON CONFLICT (id) DO UPDATE \
             SET offset_ms = {larger}(c.offset_ms, excluded.offset_ms) RETURNING offset_ms",
        ))
        .bind(offset_ms)
        .fetch_one(&self.pool)
        .await
        .context("moving the demo clock")
    }
}

/// `(?, ?, …)` binding each of `items`, for an `IN`; `(NULL)` when there are none (which
/// `IN` never matches).
fn push_list<'a, T>(q: &mut Q<'a>, items: impl IntoIterator<Item = T>)
where
    T: 'a + sqlx::Encode<'a, Any> + sqlx::Type<Any>,
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

/// ` AND column IN (…)`: the rows of a staff scope's provinces (nothing for the whole
/// country; no row for an empty scope). The filter is in the query, never after reading.
pub(crate) fn push_scope(q: &mut Q<'_>, column: &str, scope: crate::domain::scope::Scope) {
    if let Some(provinces) = scope.provinces() {
        q.push(format_args!(" AND {column} IN "));
        push_list(q, provinces.into_iter().map(|p| p.code().to_string()));
    }
}

/// The same filter as [`push_scope`] for a statement written whole: ` AND column IN
/// ('hai-phong', …)` (`AND 1 = 0` for an empty scope; nothing for the whole country). The
/// codes are the fixed table's (`[a-z-]`, checked by a test), never anything typed.
pub(crate) fn scope_clause(column: &str, scope: crate::domain::scope::Scope) -> String {
    match scope.provinces() {
        None => String::new(),
        Some(list) if list.is_empty() => " AND 1 = 0".to_string(),
        Some(list) => {
            let codes: Vec<String> = list.iter().map(|p| format!("'{}'", p.code())).collect();
            format!(" AND {column} IN ({})", codes.join(", "))
        }
    }
}

/// [`scope_clause`] for what may also be the whole country's (a national campaign: `NULL`):
/// staff of a province see those too.
pub(crate) fn seen_clause(column: &str, scope: crate::domain::scope::Scope) -> String {
    match scope.provinces() {
        None => String::new(),
        // `x IS NULL OR 1 = 1 AND x IN (…)`: AND binds first.
        Some(_) => format!(
            " AND ({column} IS NULL OR 1 = 1{})",
            scope_clause(column, scope)
        ),
    }
}

/// The `channel` column of a row, as the platform it names.
fn channel_of(r: &AnyRow) -> anyhow::Result<Channel> {
    r.try_get("channel").context("a row's channel")
}

/// Rows per multi-row statement: well under SQLite's 32,766 variables.
const CHUNK: usize = 500;

/// A role this instance holds among several (see [`Store::lead`]); given up when dropped.
pub struct Leadership {
    conn: Option<AnyConnection>,
}

impl Leadership {
    /// Resolves if the role is lost: the connection that holds the lock broke (the
    /// database restarted, the network cut), so another instance may have taken it.
    /// Never, on SQLite.
    pub async fn lost(&mut self) {
        let Some(conn) = self.conn.as_mut() else {
            return std::future::pending().await;
        };
        loop {
            tokio::time::sleep(Duration::from_secs(5)).await;
            if conn.ping().await.is_err() {
                return;
            }
        }
    }
}

pub struct Tx {
    tx: Transaction<'static, Any>,
    /// This process's turn to write (SQLite), released when the transaction ends.
    _gate: GateGuard,
    /// Whether the plan has units a person belongs to, once read in this transaction
    /// (asked after every registration; forgotten when units are written).
    person_units: Option<bool>,
    /// Outbox rows added in this transaction.
    enqueued: usize,
    /// Whether it holds the whole database (every unit on SQLite; on PostgreSQL, see
    /// [`Store::begin_for_people`]).
    whole: bool,
}

/// Advisory lock spaces (the first key) of a unit of work for people; 7215 is the whole
/// database's lock, 7216–7218 the scheduler's, the OA token's and ZNS quota's.
const LOCK_ACCOUNT: i32 = 7219;
const LOCK_PHONE: i32 = 7220;
const LOCK_DONOR: i32 = 7221;

/// A unit of work for people ([`Store::begin_for_people`]) came to something shared while
/// other units held their people: it is rolled back and run again holding the whole
/// database from the start.
#[derive(Debug, thiserror::Error)]
#[error("this unit of work needs the whole database")]
pub struct NeedsWhole;

impl Tx {
    fn backend(&self) -> Backend {
        Backend::of(&self.tx)
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

    pub async fn commit(self) -> anyhow::Result<()> {
        self.tx.commit().await.context("committing")?;
        Ok(())
    }

    /// Whether this unit holds the whole database (see [`Store::begin_for_people`]).
    pub fn holds_whole(&self) -> bool {
        self.whole
    }

    /// A unit for people: lock these donors too, before reading them (the accounts'
    /// donors: one person may write from two accounts at once). In one order, after
    /// the accounts and phones, so that two units never wait for each other in a circle.
    pub async fn lock_donors(&mut self, ids: &[i64]) -> anyhow::Result<()> {
        if self.whole || ids.is_empty() {
            return Ok(());
        }
        let keys = ids.iter().map(|id| (LOCK_DONOR, id.to_string())).collect();
        self.lock_keys("1", keys)
            .await
            .context("locking the donors")
    }

    /// PostgreSQL: `first`, then a transaction-scoped advisory lock on each key (its space,
    /// and the hash of its text), in one statement and in the keys' order, each once.
    async fn lock_keys(&mut self, first: &str, mut keys: Vec<(i32, String)>) -> anyhow::Result<()> {
        keys.sort_unstable();
        keys.dedup();
        let mut sql = format!("SELECT {first}");
        for (i, (space, _)) in keys.iter().enumerate() {
            sql.push_str(&format!(
                ", pg_advisory_xact_lock({space}, hashtext(${}))",
                i + 1
            ));
        }
        let mut q = sqlx::query(&sql);
        for (_, key) in &keys {
            q = q.bind(key.as_str());
        }
        q.execute(&mut *self.tx).await?;
        Ok(())
    }

    /// Hold the whole database from here on, before changing something shared. A unit for
    /// people gets it only if no other unit holds anything at this moment (it never waits
    /// while holding its people, so two such units cannot wait for each other); otherwise
    /// [`NeedsWhole`]: the caller rolls back and runs the unit again with [`Store::begin`].
    pub async fn widen(&mut self) -> anyhow::Result<()> {
        if self.whole || self.backend() == Backend::Sqlite {
            return Ok(());
        }
        let got: bool = sqlx::query_scalar("SELECT pg_try_advisory_xact_lock(7215)")
            .fetch_one(&mut *self.tx)
            .await
            .context("widening the lock")?;
        if !got {
            return Err(NeedsWhole.into());
        }
        self.whole = true;
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
    use crate::domain::club::Role;
    use crate::domain::donor::{Donor, LastDonationAnswer};
    use crate::domain::eligibility::DonationKind;
    use crate::domain::phone::PhoneNumber;
    use crate::domain::province::Province;
    use crate::messages::Lang;
    use std::collections::HashSet;

    #[test]
    fn placeholders_are_numbered_for_postgresql_outside_quotes_only() {
        assert_eq!(
            numbered("SELECT ? FROM t WHERE a = ? AND b IN (?, ?)"),
            "SELECT $1 FROM t WHERE a = $2 AND b IN ($3, $4)"
        );
        // A question mark in a literal or a quoted name is text.
        assert_eq!(
            numbered("SELECT 'why?', \"odd?name\" FROM t WHERE x = ? AND y = 'a''?'"),
            "SELECT 'why?', \"odd?name\" FROM t WHERE x = $1 AND y = 'a''?'"
        );
        assert_eq!(numbered("SELECT 1"), "SELECT 1");
        assert_eq!(numbered(""), "");
        // An unclosed quote leaves the rest as text (the server reports the statement).
        assert_eq!(numbered("SELECT 'x ? "), "SELECT 'x ? ");
        assert_eq!(Backend::Sqlite.sql("a = ?"), "a = ?");
        assert_eq!(Backend::Postgres.sql("a = ? OR b = ?"), "a = $1 OR b = $2");
    }

    #[test]
    fn a_database_url_names_its_engine_or_is_refused_clearly() {
        assert_eq!(
            Backend::of_url("sqlite://hienmau.db").unwrap(),
            Backend::Sqlite
        );
        assert_eq!(Backend::of_url("sqlite::memory:").unwrap(), Backend::Sqlite);
        assert_eq!(
            Backend::of_url("postgres://u:p@db/hienmau").unwrap(),
            Backend::Postgres
        );
        assert_eq!(
            Backend::of_url("postgresql://db/hienmau").unwrap(),
            Backend::Postgres
        );
        for wrong in ["mysql://db/x", "hienmau.db", "", "postgres:/db"] {
            let e = Backend::of_url(wrong).unwrap_err().to_string();
            assert!(
                e.contains("sqlite://") && e.contains("postgres://"),
                "{wrong}: {e}"
            );
            // The message names the scheme, never the rest (a password may be in it).
            assert!(!e.contains("db/x"), "{e}");
        }
        assert_eq!(
            sqlite_url("sqlite://a.db"),
            "sqlite://a.db?mode=rwc",
            "a missing file is created"
        );
        assert_eq!(sqlite_url("sqlite://a.db?mode=ro"), "sqlite://a.db?mode=ro");
        assert_eq!(
            sqlite_url("sqlite://a.db?cache=shared"),
            "sqlite://a.db?cache=shared&mode=rwc"
        );
    }

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

    /// A fresh store on each backend at hand: a SQLite file always, and a new database on
    /// the PostgreSQL server named by `HIENMAU_TEST_POSTGRES` when it is set (`.ci/run`
    /// starts one).
    async fn stores() -> Vec<(tempfile::TempDir, Store)> {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let mut out = vec![(dir, Store::open(&url).await.unwrap())];
        match std::env::var("HIENMAU_TEST_POSTGRES") {
            Ok(server) if !server.is_empty() => {
                use sqlx::migrate::MigrateDatabase;
                static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
                let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let url = format!(
                    "{}/hm_unit_{}_{n}",
                    server.trim_end_matches('/'),
                    std::process::id()
                );
                // Left by an earlier run whose process had this id (ids are reused).
                if sqlx::Postgres::database_exists(&url).await.unwrap() {
                    sqlx::Postgres::drop_database(&url).await.unwrap();
                }
                sqlx::Postgres::create_database(&url).await.unwrap();
                out.push((
                    tempfile::tempdir().unwrap(),
                    Store::open(&url).await.unwrap(),
                ));
            }
            // Without a server, the integration tests' one line says what was skipped
            // (these included) and how to run it.
            _ => {}
        }
        out
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
            last_donation_month: true,
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

    /// A yes/no reads the same from an integer (SQLite), a boolean (PostgreSQL), a comparison
    /// and a NULL on both engines; a stored status or channel reads as its type, and a text
    /// the type does not know is an error, not another status.
    #[tokio::test]
    async fn flags_and_stored_codes_read_alike_on_both_engines() {
        use crate::domain::channel::ChannelKind;
        use crate::domain::delivery::MessageStatus;
        for (_dir, store) in stores().await {
            let r = sqlx::query(
                "SELECT 1 AS one, 0 AS zero, NULL AS absent, (2 > 1) AS truth, \
                 (1 > 2) AS untruth, CAST('sent' AS TEXT) AS status, \
                 CAST('telegram' AS TEXT) AS channel, CAST('lost' AS TEXT) AS junk",
            )
            .fetch_one(&store.pool)
            .await
            .unwrap();
            assert_eq!(r.try_get::<Flag, _>("one").unwrap(), Flag(true));
            assert_eq!(r.try_get::<Flag, _>("zero").unwrap(), Flag(false));
            assert_eq!(r.try_get::<Option<Flag>, _>("absent").unwrap(), None);
            assert!(!flag(&r, "absent").unwrap());
            assert_eq!(opt_flag(&r, "truth").unwrap(), Some(true));
            assert_eq!(opt_flag(&r, "untruth").unwrap(), Some(false));
            assert_eq!(
                r.try_get::<MessageStatus, _>("status").unwrap(),
                MessageStatus::Sent
            );
            assert_eq!(
                r.try_get::<Channel, _>("channel").unwrap(),
                Channel::of(ChannelKind::Telegram)
            );
            assert!(r.try_get::<MessageStatus, _>("junk").is_err());
            assert!(r.try_get::<Channel, _>("junk").is_err());
        }
    }

    #[tokio::test]
    async fn a_donor_round_trips_through_the_database() {
        for (_dir, store) in stores().await {
            a_donor_round_trips_through_the_database_on(store).await;
        }
    }

    async fn a_donor_round_trips_through_the_database_on(store: Store) {
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

    /// A batch's new donors are created in three statements: each account gets its own
    /// donor (profile, consent), in the order given, also after a gap in the ids; the
    /// batch's phones and roles are read for many accounts at once.
    #[tokio::test]
    async fn donors_are_created_phones_checked_and_roles_read_for_many_at_once() {
        for (_dir, store) in stores().await {
            donors_created_and_read_for_many_on(store).await;
        }
    }

    async fn donors_created_and_read_for_many_on(store: Store) {
        let mut tx = store.begin().await.unwrap();
        let users = ["1", "2", "3", "4"];
        let accounts: Vec<Account> = users
            .iter()
            .map(|u| Account {
                channel: "telegram",
                external_id: u,
                chat_id: u,
            })
            .collect();
        let ids = tx.touch_identities(&accounts, 1).await.unwrap();
        let ident = |u: &str| ids[&("telegram".to_string(), u.to_string())].id;
        // An older donor, deleted: the next ids do not start at 1.
        let old = tx
            .create_donor(ident("4"), &donor(), Lang::Vi, 1)
            .await
            .unwrap();
        for sql in [
            "UPDATE channel_identities SET donor_id = NULL WHERE donor_id = $1",
            "DELETE FROM consents WHERE donor_id = $1",
            "DELETE FROM donors WHERE id = $1",
        ] {
            sqlx::query(sql)
                .bind(old)
                .execute(&mut *tx.tx)
                .await
                .unwrap();
        }
        let people: Vec<Donor> = ["0912000001", "0912000002", "0912000003"]
            .iter()
            .enumerate()
            .map(|(i, phone)| Donor {
                name: Some(format!("Người {i}")),
                phone: PhoneNumber::parse(phone).ok(),
                consent_version: format!("v{i}"),
                ..donor()
            })
            .collect();
        let new: Vec<NewDonor> = people
            .iter()
            .zip(["3", "1", "2"])
            .map(|(d, u)| NewDonor {
                identity_id: ident(u),
                donor: d,
                lang: Lang::En,
            })
            .collect();
        let created = tx.create_donors(&new, 7).await.unwrap();
        assert_eq!(created.len(), 3);
        // Each account is linked to the donor made of its own profile, as the ids say.
        for ((d, u), id) in people.iter().zip(["3", "1", "2"]).zip(&created) {
            let (name, linked): (Option<String>, i64) = sqlx::query_as(
                "SELECT d.full_name, i.donor_id FROM channel_identities i \
                 JOIN donors d ON d.id = i.donor_id WHERE i.id = $1",
            )
            .bind(ident(u))
            .fetch_one(&mut *tx.tx)
            .await
            .unwrap();
            assert_eq!((name, linked), (d.name.clone(), *id), "account {u}");
            let consent: (String, String, i64) = sqlx::query_as(
                "SELECT text_version, lang, given_at FROM consents WHERE donor_id = $1",
            )
            .bind(*id)
            .fetch_one(&mut *tx.tx)
            .await
            .unwrap();
            assert_eq!(consent, (d.consent_version.clone(), "en".into(), 3));
        }
        let loaded = tx.load_donors(&created).await.unwrap();
        assert_eq!(loaded[&created[1]], people[1]);
        // The phones: two held, one not.
        let phones = tx
            .donors_with_phones(&["+84912000002".into(), "+84912999999".into()])
            .await
            .unwrap();
        assert_eq!(phones.get("+84912000002"), Some(&vec![created[1]]));
        assert_eq!(phones.get("+84912999999"), None);
        // Roles: granted to account 1, seen from account 4 once it is the same donor's;
        // account 2 has none.
        tx.grant_role(ident("1"), Role::Coordinator, None, "t", 8)
            .await
            .unwrap();
        sqlx::query("UPDATE channel_identities SET donor_id = $1 WHERE id = $2")
            .bind(created[1])
            .bind(ident("4"))
            .execute(&mut *tx.tx)
            .await
            .unwrap();
        let roles = tx
            .roles_of_accounts(&[ident("1"), ident("2"), ident("4")])
            .await
            .unwrap();
        assert!(roles[&ident("1")].coordinator && !roles[&ident("1")].admin);
        assert_eq!(roles.get(&ident("4")), roles.get(&ident("1")));
        assert_eq!(roles.get(&ident("2")), None);
        for u in ["1", "2", "4"] {
            assert_eq!(
                roles.get(&ident(u)).copied().unwrap_or_default(),
                tx.roles_of(ident(u)).await.unwrap(),
                "account {u}: the batch reads what one account's reading does"
            );
        }
    }

    /// PostgreSQL: a session whose snapshot was taken before an erasure could still see the
    /// erased rows, and VACUUM keeps what a snapshot may see. The vacuum after an erasure
    /// waits for it, and then leaves no dead tuple of hers (counted on the table's pages by
    /// pgstattuple, from PostgreSQL's contrib).
    #[tokio::test]
    async fn the_erasure_vacuum_waits_for_a_snapshot_older_than_the_erasure() {
        for (_dir, store) in stores().await {
            if store.backend() == Backend::Postgres {
                the_erasure_vacuum_waits_on(store).await;
            }
        }
    }

    async fn the_erasure_vacuum_waits_on(store: Store) {
        let scalar = async |sql: &str| -> i64 {
            sqlx::query_scalar(sql)
                .fetch_one(&store.pool)
                .await
                .unwrap()
        };
        sqlx::raw_sql("CREATE EXTENSION IF NOT EXISTS pgstattuple")
            .execute(&store.pool)
            .await
            .unwrap();
        let mut tx = store.begin().await.unwrap();
        let account = Account {
            channel: "telegram",
            external_id: "42",
            chat_id: "42",
        };
        let ident = tx.touch_identities(&[account], 1).await.unwrap();
        let ident = ident[&("telegram".to_string(), "42".to_string())].clone();
        let id = tx
            .create_donor(ident.id, &donor(), Lang::Vi, 2)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        // A report under way since before the erasure: its snapshot still sees her.
        let mut reader = store.pool.begin().await.unwrap();
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            .execute(&mut *reader)
            .await
            .unwrap();
        let seen: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM donors")
            .fetch_one(&mut *reader)
            .await
            .unwrap();
        assert_eq!(seen, 1);
        let mut tx = store.begin().await.unwrap();
        tx.erase_donor(id, 10).await.unwrap();
        tx.commit().await.unwrap();
        let vacuums = "SELECT vacuum_count FROM pg_stat_user_tables WHERE relname = 'donors'";
        let erasing = tokio::spawn({
            let store = store.clone();
            async move { store.erase_traces().await }
        });
        // The erasure is looking for older snapshots (its query is a session's latest), or
        // it has vacuumed already…
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while scalar(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() \
             AND query LIKE '%backend_xmin%' AND query NOT LIKE '%query LIKE%'",
        )
        .await
            == 0
            && scalar(vacuums).await == 0
        {
            assert!(
                std::time::Instant::now() < deadline,
                "the erasure did nothing"
            );
            tokio::task::yield_now().await;
        }
        // …and has not vacuumed while the report's snapshot is open.
        assert_eq!(scalar(vacuums).await, 0);
        reader.commit().await.unwrap();
        erasing.await.unwrap().unwrap();
        assert_eq!(scalar(vacuums).await, 1);
        assert_eq!(
            scalar("SELECT dead_tuple_count FROM pgstattuple('donors')").await,
            0
        );
    }

    /// The two engines' migrations describe one schema: the same tables with the same
    /// columns, each of the same kind (a yes/no column is `boolean` on PostgreSQL and an
    /// integer on SQLite), and `db copy` copies every table there is.
    #[tokio::test]
    async fn both_engines_have_the_same_tables_and_columns_and_db_copy_knows_every_table() {
        use copy::{Kind, TABLES};
        let stores = stores().await;
        let mut listed: Vec<String> = TABLES.iter().map(|t| t.to_string()).collect();
        // Rebuilt from the donors on the target, not copied.
        listed.push("donor_counts".into());
        listed.sort();
        for (_dir, store) in &stores {
            let mut tables = store.table_names().await.unwrap();
            if store.backend() == Backend::Postgres {
                // The instances' shared pace (slots of the next seconds), PostgreSQL only:
                // nothing to carry to another database.
                tables.retain(|t| t != "chat_pacing" && t != "send_pacing");
            }
            assert_eq!(
                tables,
                listed,
                "{:?}: the schema's tables against copy::TABLES",
                store.backend()
            );
        }
        let [(_, sqlite), (_, postgres)] = &stores[..] else {
            return; // SQLite alone: nothing to compare it with (the skip is said once).
        };
        let same = |a: Kind, b: Kind| a == b || matches!((a, b), (Kind::Int, Kind::Flag));
        for table in &listed {
            let mut lite = sqlite.columns(table).await.unwrap();
            let mut pg = postgres.columns(table).await.unwrap();
            lite.sort_by(|a, b| a.0.cmp(&b.0));
            pg.sort_by(|a, b| a.0.cmp(&b.0));
            let names = |c: &[(String, Kind)]| c.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
            assert_eq!(names(&lite), names(&pg), "{table}: columns");
            for ((name, a), (_, b)) in lite.iter().zip(&pg) {
                assert!(
                    same(*a, *b),
                    "{table}.{name}: {a:?} on SQLite, {b:?} on PostgreSQL"
                );
            }
        }
    }

    #[tokio::test]
    async fn an_update_is_handled_once() {
        for (_dir, store) in stores().await {
            an_update_is_handled_once_on(store).await;
        }
    }

    async fn an_update_is_handled_once_on(store: Store) {
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
            for (_dir, store) in stores().await {
                interrupted_rows_on(store, policy).await;
            }
        }
    }

    async fn interrupted_rows_on(store: Store, policy: Interrupted) {
        {
            let mut tx = store.begin().await.unwrap();
            let lanes = [Lane::Urgent, Lane::Reply, Lane::Notice, Lane::Bulk];
            let rows: Vec<NewMessage> = lanes
                .iter()
                .enumerate()
                .map(|(i, lane)| NewMessage {
                    idempotency_key: Some(format!("k{i}")),
                    channel: Channel::of(ChannelKind::Telegram),
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
            let scope = Scope::Channels(vec![Channel::of(ChannelKind::Telegram)]);
            let due = store.due(&scope, 0, 10, Lane::Bulk).await.unwrap();
            let ids: Vec<i64> = due
                .iter()
                .filter(|r| r.chat_id != "5")
                .map(|r| r.id)
                .collect();
            store.claim(&ids, 100).await.unwrap();
            // Another channel's worker settles only its own rows.
            let other = Scope::Channels(vec![Channel::of(ChannelKind::Zalo)]);
            assert_eq!(
                store
                    .settle_interrupted(&other, policy, 7, false)
                    .await
                    .unwrap(),
                Settled::default()
            );
            let settled = store
                .settle_interrupted(&scope, policy, 7, false)
                .await
                .unwrap();
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
                            uncertain: 2,
                            withdrawn: 0
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
                            uncertain: 0,
                            withdrawn: 0
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
        for (_dir, store) in stores().await {
            only_rows_still_pending_are_claimed_on(store).await;
        }
    }

    async fn only_rows_still_pending_are_claimed_on(store: Store) {
        let msg = |key: &str, chat: &'static str| NewMessage {
            idempotency_key: Some(key.to_string()),
            channel: Channel::of(ChannelKind::Telegram),
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
        let scope = Scope::Channels(vec![Channel::of(ChannelKind::Telegram)]);
        let read = store.due(&scope, 0, 10, Lane::Bulk).await.unwrap();
        let id = |chat: &str| read.iter().find(|r| r.chat_id == chat).unwrap().id;
        let mut tx = store.begin().await.unwrap();
        let family = KeyFamily::CalloutTallies { callout: 1 };
        assert_eq!(tx.withdraw_pending(family, 1).await.unwrap().len(), 1);
        tx.commit().await.unwrap();
        let claimed = store.claim(&[id("4"), id("5")], 100).await.unwrap();
        assert_eq!(claimed, HashSet::from([id("5")]));
        assert!(store.claim(&[id("5")], 100).await.unwrap().is_empty());
    }

    /// The replies a batch adds are claimed in its own transaction for the worker it hands
    /// them to: in order, only on the channels asked for, never one whose chat has an older
    /// row due on a lane as urgent (it would overtake it); a row waiting for a retry later
    /// does not hold them. Released rows are pending again, as if never claimed.
    #[tokio::test]
    async fn a_batch_claims_its_own_replies_without_overtaking_a_chats_older_rows() {
        for (_dir, store) in stores().await {
            a_batch_claims_its_own_replies_on(store).await;
        }
    }

    async fn count(store: &Store, sql: &str) -> i64 {
        sqlx::query_scalar(sql)
            .fetch_one(&store.pool)
            .await
            .unwrap()
    }

    async fn a_batch_claims_its_own_replies_on(store: Store) {
        let msg = |key: &str, channel, chat: &'static str, lane, not_before| NewMessage {
            idempotency_key: Some(key.to_string()),
            channel,
            chat_id: chat,
            identity_id: None,
            lane,
            body: format!("{{\"k\":\"{key}\"}}"),
            not_before,
            broadcast_id: None,
        };
        let (tg, zalo) = (
            Channel::of(ChannelKind::Telegram),
            Channel::of(ChannelKind::Zalo),
        );
        // Older rows: chat 1 has a reply due, chat 2 a reply waiting for a retry at 500,
        // chat 3 a broadcast row (a lane after replies).
        let mut tx = store.begin().await.unwrap();
        let older = [
            msg("old1", tg, "1", Lane::Reply, 0),
            msg("old2", tg, "2", Lane::Reply, 500),
            msg("old3", tg, "3", Lane::Bulk, 0),
        ];
        assert_eq!(tx.enqueue_ids(&older, 0).await.unwrap().len(), 3);
        tx.commit().await.unwrap();
        let mut tx = store.begin().await.unwrap();
        let batch = [
            msg("r1", tg, "1", Lane::Reply, 100),
            msg("r2", tg, "2", Lane::Reply, 100),
            msg("r3", tg, "3", Lane::Reply, 100),
            msg("r4", tg, "4", Lane::Reply, 100),
            msg("r4b", tg, "4", Lane::Reply, 100),
            msg("z5", zalo, "5", Lane::Reply, 100),
            // Already queued by an earlier try of this batch: not added, not claimed.
            msg("old3", tg, "3", Lane::Bulk, 0),
        ];
        let ids = tx.enqueue_ids(&batch, 100).await.unwrap();
        assert_eq!(ids.len(), 6, "the row already queued is not added again");
        let claimed = tx.claim_added(&ids, &[tg], 100, 9_000).await.unwrap();
        tx.commit().await.unwrap();
        let keys: Vec<String> = claimed
            .iter()
            .map(|r| serde_json::from_str::<serde_json::Value>(&r.body).unwrap()["k"].to_string())
            .collect();
        assert_eq!(keys, ["\"r2\"", "\"r3\"", "\"r4\"", "\"r4b\""]);
        assert!(claimed.windows(2).all(|w| w[0].id < w[1].id), "in order");
        assert!(
            claimed
                .iter()
                .all(|r| r.attempts == 1 && r.lane == Lane::Reply)
        );
        // Chat 1's reply waits behind its older one; Zalo's was not asked for.
        let scope = Scope::Channels(vec![tg, zalo]);
        let due: Vec<String> = store
            .due(&scope, 100, 20, Lane::Bulk)
            .await
            .unwrap()
            .iter()
            .map(|r| r.chat_id.clone())
            .collect();
        // On PostgreSQL a chat with a row in flight at any instance waits (chat 3's
        // broadcast row behind its claimed reply); one SQLite process keeps that in memory.
        match store.backend {
            Backend::Sqlite => assert_eq!(due, ["1", "1", "5", "3"]),
            Backend::Postgres => assert_eq!(due, ["1", "1", "5"]),
        }
        assert_eq!(
            count(
                &store,
                "SELECT COUNT(*) FROM outbox WHERE status = 'sending' AND lease_until = 9000"
            )
            .await,
            4
        );
        // Put back: pending again, no attempt counted.
        let back: Vec<i64> = claimed.iter().map(|r| r.id).collect();
        assert_eq!(store.release(&back).await.unwrap(), 4);
        assert_eq!(
            count(
                &store,
                "SELECT COUNT(*) FROM outbox WHERE status = 'pending' AND attempts = 0"
            )
            .await,
            9
        );
        assert_eq!(store.release(&back).await.unwrap(), 0, "once");
    }

    /// An instance dies while sending three rows: an ask of a call-out that then closes, a
    /// row of a broadcast that is then stopped, and a reply. The survivor takes them over
    /// once their lease ran out: the reply is sent again, the two withdrawn rows are
    /// cancelled, never sent late (issue 32). A living instance renews its leases, and its
    /// rows are not taken over.
    #[tokio::test]
    async fn rows_withdrawn_while_a_dead_instance_sent_them_are_cancelled_not_sent_late() {
        for (_dir, store) in stores().await {
            let msg = |key: &str, chat: &'static str, broadcast: Option<i64>| NewMessage {
                idempotency_key: Some(key.to_string()),
                channel: Channel::of(ChannelKind::Telegram),
                chat_id: chat,
                identity_id: None,
                lane: Lane::Urgent,
                body: "{}".into(),
                not_before: 0,
                broadcast_id: broadcast,
            };
            let mut tx = store.begin().await.unwrap();
            let broadcast: i64 = sqlx::query_scalar(
                "INSERT INTO broadcasts (sender_identity_id, audience, audience_label, text, \
                 recipients, created_at) VALUES (NULL, 'all', 'all', 'x', 1, 0) RETURNING id",
            )
            .fetch_one(&mut *tx.tx)
            .await
            .unwrap();
            let rows = [
                msg("callout:7:ask:1:1:0", "1", None),
                msg(&format!("broadcast:{broadcast}"), "2", Some(broadcast)),
                msg("reply:telegram:3:0", "3", None),
                msg("reply:telegram:4:0", "4", None),
            ];
            tx.enqueue(&rows, 0).await.unwrap();
            tx.commit().await.unwrap();
            let scope = Scope::Channels(vec![Channel::of(ChannelKind::Telegram)]);
            let due = store.due(&scope, 0, 10, Lane::Bulk).await.unwrap();
            let id = |chat: &str| due.iter().find(|r| r.chat_id == chat).unwrap().id;
            // The dead instance held 1, 2, 3 until 100; the living one holds 4 and renews.
            store
                .claim(&[id("1"), id("2"), id("3")], 100)
                .await
                .unwrap();
            store.claim(&[id("4")], 100).await.unwrap();
            let mut tx = store.begin().await.unwrap();
            tx.withdraw_pending(KeyFamily::CalloutAsks { callout: 7 }, 50)
                .await
                .unwrap();
            tx.cancel_broadcast(broadcast, 50).await.unwrap();
            tx.commit().await.unwrap();
            assert_eq!(store.renew_leases(&[id("4")], 200).await.unwrap(), 1);
            // Before the lease ran out, nothing is taken over.
            let early = store
                .settle_interrupted(&scope, Interrupted::Report, 99, true)
                .await
                .unwrap();
            assert_eq!(early, Settled::default());
            let settled = store
                .settle_interrupted(&scope, Interrupted::Report, 150, true)
                .await
                .unwrap();
            assert_eq!(
                settled,
                Settled {
                    requeued: 1,
                    uncertain: 0,
                    withdrawn: 2
                },
                "{:?}",
                store.backend()
            );
            let statuses: Vec<(String, String)> =
                sqlx::query_as("SELECT chat_id, status FROM outbox WHERE chat_id IS NOT NULL")
                    .fetch_all(&store.pool)
                    .await
                    .unwrap();
            let mut statuses = statuses;
            statuses.sort();
            assert_eq!(
                statuses,
                vec![
                    ("3".to_string(), "pending".to_string()),
                    ("4".to_string(), "sending".to_string())
                ]
            );
            let cancelled: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM outbox WHERE status = 'cancelled' AND body IS NULL",
            )
            .fetch_one(&store.pool)
            .await
            .unwrap();
            assert_eq!(cancelled, 2);
        }
    }

    /// Two senders at once for the last of a month's budget, one for a reminder and one for
    /// an urgent ask (two rows of the spend table, so no row lock orders them), two hundred
    /// times: never both (issue 16: a counter is never read, then written). On PostgreSQL
    /// the unlocked statement let both through in some rounds.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn two_senders_racing_for_the_last_of_a_budget_never_both_get_it() {
        use crate::domain::zns::Spend;
        for (_dir, store) in stores().await {
            let mut both = 0;
            for round in 0..200 {
                let month = format!("r{round}");
                let take = |class| {
                    let (store, month) = (store.clone(), month.clone());
                    tokio::spawn(async move { store.spend(&month, class, 100, Some(100)).await })
                };
                let (a, b) = (take(Spend::Bulk), take(Spend::Urgent));
                let (a, b) = (a.await.unwrap().unwrap(), b.await.unwrap().unwrap());
                assert!(a || b, "round {round}: nobody got the budget");
                both += usize::from(a && b);
            }
            assert_eq!(
                both,
                0,
                "{:?}: both senders got the last of it",
                store.backend()
            );
            // Without a limit (a free consultation message) every one is counted.
            assert!(store.spend("r0", Spend::Bulk, 0, None).await.unwrap());
        }
    }

    /// The pace several instances share on PostgreSQL (one SQLite file has one sender,
    /// which paces in memory): slots one interval apart whoever asks, a chat's own interval
    /// on top, a 429's hold, and a late send moving the later slots back.
    #[tokio::test]
    async fn the_shared_pace_hands_out_slots_in_turn_and_moves_them_for_holds_and_late_sends() {
        for (_dir, store) in stores().await {
            if store.backend() != Backend::Postgres {
                continue;
            }
            const MS: i64 = 1_000;
            let tg = Channel::of(ChannelKind::Telegram);
            // A wait counts from its own statement's moment: the second of two waits is
            // shorter by the time that passed between them, measured here (it was a fixed
            // 30 ms, which a loaded machine exceeded), plus 5 ms.
            let near = |got: i64, want: i64, since: std::time::Instant| {
                let margin = since.elapsed().as_micros() as i64 + 5 * MS;
                (want - margin..=want).contains(&got)
            };
            let t = std::time::Instant::now();
            let w = store
                .reserve_sends(tg, &["a", "b", "c"], 100 * MS, 0)
                .await
                .unwrap();
            assert!(w[0] <= 5 * MS, "{w:?}");
            assert_eq!((w[1] - w[0], w[2] - w[1]), (100 * MS, 100 * MS), "{w:?}");
            let t_next = std::time::Instant::now();
            let next = store.reserve_sends(tg, &["d"], 100 * MS, 0).await.unwrap();
            assert!(near(next[0], w[2] + 100 * MS, t), "{w:?} then {next:?}");
            // Another channel has its own pace.
            let zalo = store
                .reserve_sends(Channel::of(ChannelKind::Zalo), &["d"], 100 * MS, 0)
                .await
                .unwrap();
            assert!(zalo[0] <= 5 * MS, "{zalo:?}");
            store.delay_sends(tg, 50 * MS).await.unwrap();
            let after_late = store.reserve_sends(tg, &["e"], 100 * MS, 0).await.unwrap();
            assert!(
                near(after_late[0], next[0] + 150 * MS, t_next),
                "{next:?} then {after_late:?}"
            );
            let t = std::time::Instant::now();
            store.hold_sends(tg, 2_000 * MS).await.unwrap();
            let held = store.reserve_sends(tg, &["f"], 100 * MS, 0).await.unwrap();
            assert!(near(held[0], 2_000 * MS, t), "{held:?}");
            // A chat's own interval: its second send a second after its first, while the
            // overall slot of another chat stays next in turn.
            let t = std::time::Instant::now();
            let chats = store
                .reserve_sends(tg, &["g", "h"], 100 * MS, 1_000 * MS)
                .await
                .unwrap();
            let again = store
                .reserve_sends(tg, &["g", "i"], 100 * MS, 1_000 * MS)
                .await
                .unwrap();
            assert!(
                near(again[0], chats[0] + 1_000 * MS, t),
                "{chats:?} {again:?}"
            );
            assert!(
                near(again[1], chats[1] + 200 * MS, t),
                "{chats:?} {again:?}"
            );
        }
    }

    /// How many advisory locks some backend of this store's server waits for.
    async fn advisory_waits(store: &Store) -> i64 {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted",
        )
        .fetch_one(&store.pool)
        .await
        .unwrap()
    }

    /// Wait (at most 10 s) until `n` advisory locks are waited for.
    async fn until_waiting(store: &Store, n: i64) {
        for _ in 0..1000 {
            if advisory_waits(store).await == n {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("{n} advisory locks were never waited for");
    }

    /// PostgreSQL: units of work for different people run side by side; two for the same
    /// account (or phone) wait for each other; widening to the whole database is refused
    /// beside any other unit and granted alone, after which the others wait; a unit holding
    /// the whole database from the start waits for the people's units.
    #[tokio::test]
    async fn units_for_people_run_side_by_side_and_widen_only_alone() {
        let guard = Duration::from_secs(10);
        for (_dir, store) in stores().await {
            if store.backend() != Backend::Postgres {
                continue;
            }
            let phone = vec!["+84912345678".to_string()];
            let mut a = store
                .begin_for_people(&[("telegram", "1")], &[])
                .await
                .unwrap();
            let b = tokio::time::timeout(guard, store.begin_for_people(&[("zalo", "1")], &phone))
                .await
                .expect("another person's unit runs beside");
            let b = b.unwrap();
            assert!(!a.holds_whole() && !b.holds_whole());
            let refused = a.widen().await.unwrap_err();
            assert!(
                refused.downcast_ref::<NeedsWhole>().is_some(),
                "{refused:#}"
            );
            assert!(!a.holds_whole());
            // The same phone typed from another account waits for the first.
            let s = store.clone();
            let same_phone = tokio::spawn(async move {
                let tx = s
                    .begin_for_people(&[("telegram", "2")], &["+84912345678".to_string()])
                    .await
                    .unwrap();
                tx.commit().await.unwrap();
            });
            until_waiting(&store, 1).await;
            assert!(!same_phone.is_finished());
            // So does the same account.
            let s = store.clone();
            let same_account = tokio::spawn(async move {
                let mut tx = s.begin_for_people(&[("telegram", "1")], &[]).await.unwrap();
                tx.widen().await.map(|()| tx)
            });
            until_waiting(&store, 2).await;
            b.commit().await.unwrap();
            tokio::time::timeout(guard, same_phone)
                .await
                .expect("the phone's next unit runs once the first is done")
                .unwrap();
            a.commit().await.unwrap();
            // Alone now: widening is granted, and every other unit waits for it.
            let whole = tokio::time::timeout(guard, same_account)
                .await
                .expect("the account's next unit runs once the first is done")
                .unwrap()
                .expect("widening alone is granted");
            assert!(whole.holds_whole());
            let s = store.clone();
            let other = tokio::spawn(async move {
                s.begin_for_people(&[("zalo", "9")], &[])
                    .await
                    .unwrap()
                    .commit()
                    .await
                    .unwrap();
            });
            until_waiting(&store, 1).await;
            assert!(!other.is_finished());
            whole.commit().await.unwrap();
            tokio::time::timeout(guard, other).await.unwrap().unwrap();
            // A unit holding the whole database from the start waits for a person's.
            let person = store.begin_for_people(&[("zalo", "9")], &[]).await.unwrap();
            let s = store.clone();
            let all = tokio::spawn(async move { s.begin().await.unwrap().commit().await.unwrap() });
            until_waiting(&store, 1).await;
            assert!(!all.is_finished());
            person.commit().await.unwrap();
            tokio::time::timeout(guard, all).await.unwrap().unwrap();
        }
    }

    #[tokio::test]
    async fn the_outbox_keeps_lane_order_and_idempotency() {
        for (_dir, store) in stores().await {
            the_outbox_keeps_lane_order_and_idempotency_on(store).await;
        }
    }

    async fn the_outbox_keeps_lane_order_and_idempotency_on(store: Store) {
        let mut tx = store.begin().await.unwrap();
        let msg = |key: &str, chat: &'static str, lane| NewMessage {
            idempotency_key: Some(key.to_string()),
            channel: Channel::of(ChannelKind::Telegram),
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
        let scope = Scope::Channels(vec![Channel::of(ChannelKind::Telegram)]);
        let due = store.due(&scope, 0, 10, Lane::Bulk).await.unwrap();
        let chats: Vec<_> = due.iter().map(|r| r.chat_id.as_str()).collect();
        assert_eq!(chats, ["3", "2", "1"]);
        assert!(
            store
                .due(
                    &Scope::Channels(vec![Channel::of(ChannelKind::Zalo)]),
                    0,
                    10,
                    Lane::Bulk
                )
                .await
                .unwrap()
                .is_empty()
        );

        store.claim(&[due[0].id], 100).await.unwrap();
        assert_eq!(store.due(&scope, 0, 10, Lane::Bulk).await.unwrap().len(), 2);
        // Quiet hours: the bulk lane waits, the reply goes.
        let quiet = store.due(&scope, 0, 10, Lane::Reply).await.unwrap();
        assert_eq!(quiet.len(), 1);
        assert_eq!(quiet[0].lane, Lane::Reply);
        assert_eq!(
            store
                .settle_interrupted(&scope, Interrupted::Report, 0, false)
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
        store.claim(&[due[0].id, due[1].id], 100).await.unwrap();
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
