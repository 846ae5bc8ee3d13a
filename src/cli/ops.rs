//! Operating the service: serve, status, configuration check, backup and restore, copying a database.

use crate::app::{App, SystemClock};
use crate::config::Config;
use crate::domain::zns::Spend;
use crate::service;
use anyhow::Context;
use chrono::{DateTime, Utc};
use std::sync::Arc;
use std::time::Duration;

/// `hienmau db copy`: the report, one line per table with its rows on both sides.
pub async fn copy_database(from: &str, to: &str) -> anyhow::Result<String> {
    use crate::store::Store;
    if let Some(path) = from.strip_prefix("sqlite://") {
        let path = path.split('?').next().unwrap_or(path);
        if !std::path::Path::new(path).exists() {
            anyhow::bail!("--from: there is no database file {path}");
        }
    }
    if from == to {
        anyhow::bail!("--from and --to are the same database");
    }
    let source = Store::open(from).await.context("opening --from")?;
    let target = Store::open(to).await.context("opening --to")?;
    let copied = source.copy_into(&target).await;
    source.close().await;
    target.close().await;
    let copied = copied?;
    let mut out = String::new();
    for (table, n, m) in &copied.tables {
        out.push_str(&format!("{table:<20} {n:>10} {m:>10}\n"));
    }
    out.push_str(&format!(
        "copied {} rows in {} tables; every count matches\n",
        copied.rows(),
        copied.tables.len()
    ));
    Ok(out)
}

/// `hienmau check-config`: what this instance would run with, or every problem found.
pub async fn check_config(
    config: &Config,
    file: Option<&std::path::Path>,
) -> anyhow::Result<String> {
    let mut out = String::new();
    let mut problems: Vec<String> = Vec::new();
    out.push_str(&match file {
        Some(f) => format!("configuration: {} (read)\n", f.display()),
        None => "configuration: no file (defaults and the environment)\n".to_string(),
    });
    out.push_str(&format!(
        "time zone {}, language {}\n",
        config.timezone,
        config.language.code()
    ));
    check_database(&config.database_url, &mut out, &mut problems).await?;
    out.push_str(&channels_line(config));
    out.push_str(&format!(
        "web: {}{}; /metrics {}\n",
        config.listen_addr,
        config
            .public_url
            .as_deref()
            .map(|u| format!(" (public address {u})"))
            .unwrap_or_default(),
        if config.metrics_token.is_some() {
            "behind its token"
        } else {
            "off (no HIENMAU_METRICS_TOKEN)"
        }
    ));
    check_backups(config, &mut out, &mut problems);
    out.push_str(&format!(
        "admins from the configuration: {}\n",
        config.admins.len()
    ));
    if problems.is_empty() {
        out.push_str("configuration ok\n");
        Ok(out)
    } else {
        anyhow::bail!(
            "{out}{} problem(s):\n{}",
            problems.len(),
            problems.join("\n")
        )
    }
}

/// A folder this process must write to: tried, not guessed from its mode.
fn writable(dir: &std::path::Path) -> Result<(), String> {
    let probe = dir.join(format!(".hienmau-check-{}", std::process::id()));
    std::fs::write(&probe, b"")
        .and_then(|()| std::fs::remove_file(&probe))
        .map_err(|e| format!("{} is not writable by this user: {e}", dir.display()))
}

/// The database: its folder writable (SQLite), its schema against this binary's.
async fn check_database(
    url: &str,
    out: &mut String,
    problems: &mut Vec<String>,
) -> anyhow::Result<()> {
    use crate::store::{Backend, inspect_schema, sqlite_file};
    let db = match (Backend::of_url(url)?, sqlite_file(url)) {
        (Backend::Sqlite, Some(path)) => {
            let dir = path
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(std::path::Path::new("."));
            if let Err(e) = writable(dir) {
                problems.push(format!(
                    "database: {e} (SQLite keeps its log and lock beside the file)"
                ));
            }
            format!("SQLite {}", path.display())
        }
        (Backend::Sqlite, None) => "SQLite".to_string(),
        // Its URL may hold a password: not printed.
        (Backend::Postgres, _) => "PostgreSQL".to_string(),
    };
    match inspect_schema(url).await {
        Ok(s) if s.newer() => problems.push(format!(
            "database: {db} has schema {}, written by a newer hienmau (this binary knows up to \
             {}): run that version again",
            s.applied.unwrap_or_default(),
            s.latest
        )),
        Ok(s) => out.push_str(&match s.applied {
            None => format!(
                "database: {db}, new (created with schema {} at start)\n",
                s.latest
            ),
            Some(a) if s.pending() == 0 => format!("database: {db}, schema {a} (up to date)\n"),
            Some(a) => format!(
                "database: {db}, schema {a}; {} migrations to schema {} at the next start{}\n",
                s.pending(),
                s.latest,
                if sqlite_file(url).is_some() {
                    ", the file copied first"
                } else {
                    " (take a pg_dump first)"
                }
            ),
        }),
        Err(e) => problems.push(format!("database: {db}: {e:#}")),
    }
    Ok(())
}

/// The channels configured, and how each receives.
fn channels_line(config: &Config) -> String {
    let mut channels = Vec::new();
    let mode = |c: &crate::config::BotConfig| {
        if c.webhook_url.is_some() {
            "webhook"
        } else {
            "long polling"
        }
    };
    // `Telegram (long polling)`, `Zalo OA quang-ninh (webhook, Quảng Ninh)`.
    let line = |platform: &str, channel: crate::channels::Channel, mode: &str, province| {
        let account = match channel.account() {
            "" => String::new(),
            name => format!(" {name}"),
        };
        let province = match province {
            Some(p) => format!(", {}", crate::domain::province::Province::name(p)),
            None => String::new(),
        };
        format!("{platform}{account} ({mode}{province})")
    };
    for a in &config.telegram {
        channels.push(line("Telegram", a.channel, mode(&a.settings), a.province));
    }
    for a in &config.zalo_bot {
        channels.push(line("Zalo bot", a.channel, mode(&a.settings), a.province));
    }
    for a in &config.zalo_oa {
        channels.push(line("Zalo OA", a.channel, "webhook", a.province));
    }
    if channels.is_empty() {
        "channels: none configured (the dashboard only)\n".to_string()
    } else {
        format!("channels: {}\n", channels.join(", "))
    }
}

/// Scheduled backups: the folder exists (or is created) and is writable.
fn check_backups(config: &Config, out: &mut String, problems: &mut Vec<String>) {
    match &config.backup {
        None => out.push_str("backups: none scheduled (HIENMAU_BACKUP_DIR)\n"),
        Some(b) => {
            if let Err(e) = std::fs::create_dir_all(&b.dir)
                .map_err(|e| format!("{} cannot be created: {e}", b.dir.display()))
                .and_then(|()| writable(&b.dir))
            {
                problems.push(format!("backups: {e}"));
            }
            out.push_str(&format!(
                "backups: every {} h into {}, the last {} kept\n",
                b.every.as_secs() / 3600,
                b.dir.display(),
                b.keep
            ));
        }
    }
}

/// `hienmau backup FILE`: a checked copy, and what it holds.
pub async fn backup(app: &App, file: &std::path::Path) -> anyhow::Result<String> {
    let s = app.store().backup_into(file).await?;
    Ok(format!(
        "backup {}: checked (integrity ok, schema {}): {} donors, {} donations, {} erasures in \
         its ledger\n",
        file.display(),
        s.schema,
        s.donors,
        s.donations,
        s.erasures
    ))
}

/// `hienmau restore FILE` at `now`: the backup in place of the SQLite database, the one it
/// replaces set aside, and the erasure ledger applied (the file beside the database, the
/// restored copy's table, and the replaced database's table).
pub async fn restore(
    config: &Config,
    file: &std::path::Path,
    now: DateTime<Utc>,
) -> anyhow::Result<String> {
    use crate::store::{Store, restore_sqlite, sqlite_file};
    let db = sqlite_file(&config.database_url).context(
        "hienmau restore puts a SQLite file back; on PostgreSQL restore with pg_restore and \
         load the erasure ledger as docs/OPERATING.md says",
    )?;
    let stamp = now.format("%Y%m%d-%H%M%S").to_string();
    let r = restore_sqlite(&db, file, &stamp).await?;
    let store = Store::open(&config.database_url).await?;
    let again = store
        .apply_erasure_ledger(&r.ledger, now.timestamp_millis())
        .await;
    store.close().await;
    let again = again?;
    let previous = r
        .previous
        .map(|p| format!("; the database it replaced is at {}", p.display()))
        .unwrap_or_default();
    Ok(format!(
        "restored {} ({} donors, {} donations){previous}; {again} donors erased since the \
         backup were erased again\n",
        file.display(),
        r.summary.donors,
        r.summary.donations,
    ))
}

/// What `hienmau status` prints, in the configured language (the outbox's statuses and
/// the jobs' outcomes are the codes the database and the logs use).
pub async fn status_report(app: &App, config: &Config) -> anyhow::Result<String> {
    use crate::messages::{Msg, MsgId};
    let say = |m: Msg| app.catalogue().render(config.language, &m) + "\n";
    let mut out = say(Msg::new(MsgId::CliStatusOutbox));
    let counts = app.store().outbox_status_counts().await?;
    if counts.is_empty() {
        out.push_str(&format!("  {}", say(Msg::new(MsgId::CliStatusEmpty))));
    }
    for (status, n) in counts {
        out.push_str(&format!("  {status:<12} {n}\n"));
    }
    let uncertain = app.store().uncertain_by_lane().await?;
    if !uncertain.is_empty() {
        let lanes: Vec<String> = uncertain
            .iter()
            .map(|(lane, n)| format!("{} {n}", lane.name()))
            .collect();
        out.push_str(&format!(
            "  {}",
            say(Msg::new(MsgId::CliStatusUncertain).str("lanes", lanes.join(", ")))
        ));
    }
    let last = app.store().counter("backup_last_at").await?;
    out.push_str(&say(
        match chrono::DateTime::from_timestamp_millis(last).filter(|_| last > 0) {
            Some(t) => Msg::new(MsgId::CliStatusBackup).str(
                "at",
                t.with_timezone(&config.timezone)
                    .format("%d/%m/%Y %H:%M")
                    .to_string(),
            ),
            None => Msg::new(MsgId::CliStatusNoBackup),
        },
    ));
    let (donations, anonymous) = app.store().donation_counts().await?;
    out.push_str(&say(Msg::new(MsgId::CliStatusDonations)
        .num("n", donations as f64)
        .num("anonymous", anonymous as f64)));
    out.push_str(&say(Msg::new(MsgId::CliStatusJobs)));
    let jobs = app.store().job_counts().await?;
    if jobs.is_empty() {
        out.push_str(&format!("  {}", say(Msg::new(MsgId::CliStatusEmpty))));
    }
    for (outcome, n) in jobs {
        out.push_str(&format!("  {outcome:<12} {n}\n"));
    }
    if !config.zalo_oa.is_empty() {
        out.push_str(&zalo_status(app, config).await?);
    }
    Ok(out)
}

/// The Zalo OA's month: template spend against the budget, the day's template quota, and
/// receipts (confirmed, awaiting, unconfirmed after `receipt_timeout_minutes`).
async fn zalo_status(app: &App, config: &Config) -> anyhow::Result<String> {
    use crate::messages::{Msg, MsgId};
    let say = |m: Msg| app.catalogue().render(config.language, &m) + "\n";
    let now = app.clock().now();
    let month = now
        .with_timezone(&config.timezone)
        .format("%m/%Y")
        .to_string();
    let timeout = config
        .zns
        .as_ref()
        .map_or(3_600_000, |z| z.receipt_timeout_ms);
    let st = app
        .store()
        .zalo_status(
            &now.with_timezone(&config.timezone)
                .format("%Y-%m")
                .to_string(),
            now.timestamp_millis() - timeout,
        )
        .await?;
    let mut out = say(Msg::new(MsgId::CliZaloMonth).str("month", month));
    let of = |class: &str| {
        st.spend
            .iter()
            .find(|(c, _, _)| c == class)
            .map_or((0, 0), |(_, n, vnd)| (*n, *vnd))
    };
    let (bulk_n, bulk_vnd) = of(Spend::Bulk.code());
    let (urgent_n, urgent_vnd) = of(Spend::Urgent.code());
    let (billed_n, _) = of(Spend::BilledConsultation.code());
    let line = |m: Msg| format!("  {}", say(m));
    match &config.zns {
        Some(z) => {
            out.push_str(&line(
                Msg::new(MsgId::CliZaloSpend)
                    .num("bulk", bulk_n as f64)
                    .num("urgent", urgent_n as f64)
                    .num("spent", (bulk_vnd + urgent_vnd) as f64)
                    .num("budget", z.monthly_budget_vnd as f64)
                    .num("cap", z.urgent_cap_vnd as f64),
            ));
            out.push_str(&line(Msg::new(MsgId::CliZaloLeft).num(
                "left",
                (z.monthly_budget_vnd - bulk_vnd - urgent_vnd).max(0) as f64,
            )));
        }
        None => out.push_str(&line(Msg::new(MsgId::CliZaloNoZns))),
    }
    out.push_str(&line(
        Msg::new(MsgId::CliZaloBilled).num("n", billed_n as f64),
    ));
    if let Some((daily, remaining, at)) = st.quota {
        let at = chrono::DateTime::from_timestamp_millis(at)
            .map(|t| {
                t.with_timezone(&config.timezone)
                    .format("%d/%m %H:%M")
                    .to_string()
            })
            .unwrap_or_default();
        let n = |m: Msg, name: &str, v: Option<i64>| match v {
            Some(v) => m.num(name, v as f64),
            None => m.str(name, "?"),
        };
        let quota = Msg::new(MsgId::CliZaloQuota).str("at", at);
        let quota = n(quota, "remaining", remaining);
        out.push_str(&line(n(quota, "daily", daily)));
    }
    out.push_str(&line(
        Msg::new(MsgId::CliZaloReceipts)
            .num("delivered", st.delivered as f64)
            .num("awaiting", st.awaiting as f64)
            .num("unconfirmed", st.unconfirmed as f64)
            .num("minutes", (timeout / 60_000) as f64),
    ));
    Ok(out)
}

/// `hienmau serve`: every channel, the workers and the web until a stop signal (sends in
/// flight are finished) or until a part fails.
pub(super) async fn serve(config: Config) -> anyhow::Result<()> {
    let app = App::open(config, Arc::new(SystemClock)).await?;
    let mut running = service::start(app).await?;
    let failure = tokio::select! {
        _ = shutdown_signal() => {
            tracing::info!("stopping: finishing sends in flight");
            None
        }
        stopped = running.stopped() => stopped,
    };
    running.stop(Duration::from_secs(20)).await;
    match failure {
        None => Ok(()),
        Some((part, Ok(()))) => anyhow::bail!("{part} stopped unexpectedly"),
        Some((part, Err(e))) => Err(e.context(format!("{part} failed"))),
    }
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_config_names_every_account_with_its_mode_and_province() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hienmau.toml");
        std::fs::write(
            &path,
            "[accounts.telegram.quang-ninh]\nprovince = \"Quảng Ninh\"\n\
             webhook_url = \"https://bot.example.vn/qn\"\n\
             [accounts.zalo_oa.quang-ninh]\napp_id = \"42\"\nprovince = \"Quảng Ninh\"\n",
        )
        .unwrap();
        let env: std::collections::HashMap<&str, &str> = [
            ("TELEGRAM_BOT_TOKEN", "1:OWN"),
            ("TELEGRAM_QUANG_NINH_BOT_TOKEN", "2:QN"),
            ("TELEGRAM_QUANG_NINH_WEBHOOK_SECRET", "qn-secret"),
            ("ZALO_OA_QUANG_NINH_SECRET_KEY", "k"),
            ("ZALO_OA_QUANG_NINH_APP_SECRET", "a"),
        ]
        .into();
        let config = Config::load(Some(&path), |k| env.get(k).map(|v| v.to_string())).unwrap();
        assert_eq!(
            channels_line(&config),
            "channels: Telegram (long polling), Telegram quang-ninh (webhook, Quảng Ninh), \
             Zalo OA quang-ninh (webhook, Quảng Ninh)\n"
        );
        let none = Config::load(None, |_| None).unwrap();
        assert_eq!(
            channels_line(&none),
            "channels: none configured (the dashboard only)\n"
        );
    }
}
