//! Moving a deployment from one database to another (`hienmau db copy`): a province that
//! outgrows its SQLite file moves to PostgreSQL with everything it holds.
//!
//! Both ends are brought to the latest schema first, so their tables and columns are the
//! same. The target must be empty. Every table is copied in the order its references need,
//! ids kept (references stay true), in one transaction on the target: the copy lands whole
//! or not at all. Then each table's rows are counted on both sides.

use super::{Backend, NullableF64, Q, Store, opt_flag};
use anyhow::Context;
use sqlx::Row;
use sqlx::any::AnyRow;

/// Every table, in an order where each row's references are already copied. The donor
/// counts are not among them: they are built on the target from the donors copied (by its
/// triggers on SQLite, in one statement at the end on PostgreSQL), and compared after.
pub const TABLES: &[&str] = &[
    "units",
    "families",
    "fixed_points",
    "donors",
    "consents",
    "channel_identities",
    "conversations",
    "inbound_seen",
    "counters",
    "zalo_oa_tokens",
    "campaigns",
    "roles",
    "clubs",
    "club_members",
    "broadcasts",
    "audit_log",
    "drives",
    "drive_slots",
    "signups",
    "donations",
    "jobs",
    "cron_runs",
    "checkins",
    "campaign_reach",
    "callouts",
    "callout_asks",
    "stock",
    "demo_clock",
    "outbox",
    "zalo_spend",
    "zns_quota",
    "year_targets",
    "unit_targets",
    "dashboard_links",
    "dashboard_sessions",
    "erasures",
    "imports",
];

/// PostgreSQL, in a transaction that writes many donors: the donor counts' triggers off
/// (each would update its group's row once per donor, and in one transaction every update
/// walks all the row's earlier versions). DDL is transactional: a rollback turns them on.
pub const PAUSE_DONOR_COUNTS: &str = "ALTER TABLE donors DISABLE TRIGGER donor_counts_insert; \
     ALTER TABLE donors DISABLE TRIGGER donor_counts_update;";

/// After [`PAUSE_DONOR_COUNTS`], in the same transaction: what the triggers would have
/// counted (registered donors by province and group, a missing one as ''), in one
/// statement, and the triggers on again.
pub const REBUILD_DONOR_COUNTS: &str = "DELETE FROM donor_counts; \
     INSERT INTO donor_counts (province, blood_group, donors, reserve) \
     SELECT COALESCE(province, ''), COALESCE(blood_group, ''), COUNT(*), \
     SUM(CASE WHEN reserve THEN 1 ELSE 0 END) FROM donors \
     WHERE registered_at IS NOT NULL GROUP BY 1, 2; \
     ALTER TABLE donors ENABLE TRIGGER donor_counts_insert; \
     ALTER TABLE donors ENABLE TRIGGER donor_counts_update;";

/// Rows per multi-row insert (PostgreSQL takes at most 65,535 parameters a statement).
const ROWS: usize = 500;

/// What a copy moved: each table with its rows on the source and on the target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copied {
    pub tables: Vec<(String, i64, i64)>,
}

impl Copied {
    pub fn rows(&self) -> i64 {
        self.tables.iter().map(|(_, n, _)| n).sum()
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Kind {
    Int,
    Float,
    Flag,
    Text,
}

/// A column's kind from its declared type (SQLite's or PostgreSQL's).
fn kind_of(declared: &str) -> Kind {
    let t = declared.to_ascii_lowercase();
    if t.contains("bool") {
        Kind::Flag
    } else if t.contains("int") {
        Kind::Int
    } else if t.contains("real") || t.contains("double") || t.contains("float") {
        Kind::Float
    } else {
        Kind::Text
    }
}

impl Store {
    /// The tables of the schema, migrations' own table left out.
    #[cfg(test)]
    pub(super) async fn table_names(&self) -> anyhow::Result<Vec<String>> {
        let sql = match self.backend {
            Backend::Sqlite => {
                "SELECT name FROM sqlite_master WHERE type = 'table' \
                 AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations' ORDER BY name"
            }
            Backend::Postgres => {
                "SELECT CAST(table_name AS TEXT) FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
                 AND table_name <> '_sqlx_migrations' ORDER BY 1"
            }
        };
        Ok(sqlx::query_scalar(sql).fetch_all(&self.pool).await?)
    }

    /// The columns of `table` with their kinds, as this database declares them.
    pub(super) async fn columns(&self, table: &str) -> anyhow::Result<Vec<(String, Kind)>> {
        let rows: Vec<(String, String)> = match self.backend {
            Backend::Sqlite => {
                sqlx::query_as("SELECT name, type FROM pragma_table_info($1) ORDER BY cid")
                    .bind(table)
                    .fetch_all(&self.pool)
                    .await?
            }
            Backend::Postgres => {
                sqlx::query_as(
                    "SELECT CAST(column_name AS TEXT), CAST(data_type AS TEXT) \
                     FROM information_schema.columns \
                     WHERE table_schema = current_schema() AND table_name = $1 \
                     ORDER BY ordinal_position",
                )
                .bind(table)
                .fetch_all(&self.pool)
                .await?
            }
        };
        Ok(rows.into_iter().map(|(n, t)| (n, kind_of(&t))).collect())
    }

    async fn count(&self, table: &str) -> anyhow::Result<i64> {
        Ok(sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(&self.pool)
            .await?)
    }

    /// Copy everything from `self` into `target`, which must hold no row yet.
    pub async fn copy_into(&self, target: &Store) -> anyhow::Result<Copied> {
        for table in TABLES {
            let n = target
                .count(table)
                .await
                .with_context(|| format!("counting {table} on the target"))?;
            if n > 0 {
                anyhow::bail!(
                    "the target database is not empty ({table} has {n} rows): nothing was \
                     copied. Copy into a new, empty database."
                );
            }
        }
        let mut plan = Vec::new();
        for table in TABLES {
            let from = self.columns(table).await?;
            let to = target.columns(table).await?;
            let names = |c: &[(String, Kind)]| {
                let mut v: Vec<String> = c.iter().map(|(n, _)| n.clone()).collect();
                v.sort();
                v
            };
            if names(&from) != names(&to) {
                anyhow::bail!(
                    "table {table} has other columns on the two sides ({:?} and {:?}): both \
                     must be at the same schema (run `hienmau migrate` with this version)",
                    names(&from),
                    names(&to)
                );
            }
            plan.push((*table, to));
        }
        let mut tx = target.pool.begin().await.context("starting the copy")?;
        if target.backend == Backend::Postgres {
            // The donor counts are built once at the end (60,000 donors of one group took
            // 36 s with the triggers on, seven times 20,000's 5 s).
            sqlx::raw_sql(PAUSE_DONOR_COUNTS)
                .execute(&mut *tx)
                .await
                .context("pausing the donor counts")?;
        }
        for (table, columns) in &plan {
            self.copy_table(target, &mut tx, table, columns).await?;
        }
        if target.backend == Backend::Postgres {
            sqlx::raw_sql(REBUILD_DONOR_COUNTS)
                .execute(&mut *tx)
                .await
                .context("counting the donors copied")?;
        }
        tx.commit().await.context("committing the copy")?;
        Ok(Copied {
            tables: self.compare_counts(target).await?,
        })
    }

    /// One table's rows written into the target's transaction, in pages of the source's
    /// own order (a large table is never read whole); then its identity moved on.
    async fn copy_table(
        &self,
        target: &Store,
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        table: &str,
        columns: &[(String, Kind)],
    ) -> anyhow::Result<()> {
        let list = columns
            .iter()
            .map(|(n, _)| n.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        // Keyset pages in the source's own order, so a large table is never read whole.
        let mut after: i64 = i64::MIN;
        let by_rowid = self.backend == Backend::Sqlite;
        let mut offset: i64 = 0;
        loop {
            let rows: Vec<AnyRow> = if by_rowid {
                sqlx::query(&format!(
                    "SELECT rowid AS copy_key, {list} FROM {table} WHERE rowid > $1 \
                     ORDER BY rowid LIMIT $2"
                ))
                .bind(after)
                .bind(ROWS as i64 * 4)
                .fetch_all(&self.pool)
                .await
                .with_context(|| format!("reading {table}"))?
            } else {
                sqlx::query(&format!(
                    "SELECT {list} FROM {table} ORDER BY 1 LIMIT $1 OFFSET $2"
                ))
                .bind(ROWS as i64 * 4)
                .bind(offset)
                .fetch_all(&self.pool)
                .await
                .with_context(|| format!("reading {table}"))?
            };
            if rows.is_empty() {
                break;
            }
            if by_rowid {
                after = rows
                    .last()
                    .map_or(after, |r| r.try_get("copy_key").unwrap_or(after));
            }
            offset += rows.len() as i64;
            for chunk in rows.chunks(ROWS) {
                let mut q = Q::new(target.backend, format!("INSERT INTO {table} ({list}) "));
                let mut failed = None;
                q.push_values(chunk, |mut row, r| {
                    for (name, kind) in columns {
                        let bound = match kind {
                            Kind::Int => r.try_get::<Option<i64>, _>(name.as_str()).map(|v| {
                                row.push_bind(v);
                            }),
                            Kind::Float => r.try_get::<Option<f64>, _>(name.as_str()).map(|v| {
                                row.push_bind(NullableF64(v));
                            }),
                            Kind::Flag => opt_flag(r, name.as_str())
                                .map(|v| {
                                    row.push_bind(v);
                                })
                                .map_err(|e| sqlx::Error::Decode(e.into())),
                            Kind::Text => r.try_get::<Option<String>, _>(name.as_str()).map(|v| {
                                row.push_bind(v);
                            }),
                        };
                        if let Err(e) = bound {
                            failed.get_or_insert(format!("{table}.{name}: {e}"));
                            row.push_bind(None::<i64>);
                        }
                    }
                });
                if let Some(e) = failed {
                    anyhow::bail!("reading {e}");
                }
                q.build()
                    .execute(&mut **tx)
                    .await
                    .with_context(|| format!("writing {table}"))?;
            }
        }
        // Identities go on after the ids copied.
        if target.backend == Backend::Postgres && columns.iter().any(|(n, _)| n == "id") {
            sqlx::query(&format!(
                "SELECT CAST(setval(pg_get_serial_sequence('{table}', 'id'), \
                 COALESCE(MAX(id), 0) + 1, false) AS BIGINT) FROM {table}"
            ))
            .fetch_all(&mut **tx)
            .await
            .with_context(|| format!("moving {table}'s ids on"))?;
        }
        Ok(())
    }

    /// Each table's rows on both sides, and the donor counts by what they add up to; an
    /// error if any differ.
    async fn compare_counts(&self, target: &Store) -> anyhow::Result<Vec<(String, i64, i64)>> {
        let mut tables = Vec::new();
        // The donor counts, built on the target, are compared by what they add up to: the
        // registered donors, and the reserve members among them.
        const SUMS: [(&str, &str); 2] = [
            ("donor_counts", "donors"),
            ("donor_counts.reserve", "reserve"),
        ];
        for table in TABLES.iter().chain(SUMS.iter().map(|(name, _)| name)) {
            let (n, m) = if let Some((_, column)) = SUMS.iter().find(|(name, _)| name == table) {
                let sum =
                    format!("SELECT CAST(COALESCE(SUM({column}), 0) AS BIGINT) FROM donor_counts");
                let a: i64 = sqlx::query_scalar(&sum).fetch_one(&self.pool).await?;
                let b: i64 = sqlx::query_scalar(&sum).fetch_one(&target.pool).await?;
                (a, b)
            } else {
                (self.count(table).await?, target.count(table).await?)
            };
            tables.push((table.to_string(), n, m));
        }
        let wrong: Vec<String> = tables
            .iter()
            .filter(|(_, n, m)| n != m)
            .map(|(t, n, m)| format!("{t}: {n} on the source, {m} on the target"))
            .collect();
        if !wrong.is_empty() {
            anyhow::bail!("the counts differ after the copy: {}", wrong.join("; "));
        }
        Ok(tables)
    }
}
