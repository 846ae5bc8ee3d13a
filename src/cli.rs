//! The command line: one binary, `hienmau`, with a subcommand per job.

use crate::app::{App, OffsetClock, SystemClock};
use crate::channels::ChannelKind;
use crate::channels::terminal::{self, TerminalOut};
use crate::config::Config;
use crate::delivery::{Transport, Worker};
use crate::domain::audit::AuditAction;
use crate::domain::text::SpreadsheetCsv;
use crate::domain::zns::Spend;
use crate::service;
use crate::store::Scope;
use anyhow::Context;
use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use clap::{Parser, Subcommand};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncBufRead, AsyncBufReadExt};
use tokio::sync::watch;

#[derive(Debug, Parser)]
#[command(
    name = "hienmau",
    version,
    about = "Chat-bot for voluntary blood-donor outreach in Vietnam"
)]
pub struct Cli {
    /// Configuration file (TOML); environment variables override it.
    #[arg(long, global = true, env = "HIENMAU_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Chat with the bot in this terminal, as a donor would on Telegram or Zalo. No token
    /// needed; uses the same database as `serve`. Works with piped input too.
    Chat {
        /// Which person you are. Play several people from several terminals on one database.
        #[arg(long, default_value = "ban")]
        user: String,
        /// Pretend it is this time (`2027-01-05` or `2027-01-05T09:30`, Vietnam time), for
        /// demos and scripted tests. The clock runs on from there.
        #[arg(long, value_parser = parse_now)]
        now: Option<DateTime<Utc>>,
        /// Load the Hải Phòng calendar (examples/haiphong-2023.toml, built in) dated into
        /// this year and the next, with its drives, so there is something to sign up for.
        #[arg(long)]
        demo: bool,
    },
    /// Run the bot on every configured channel (Telegram: TELEGRAM_BOT_TOKEN), with the
    /// delivery worker. Stops cleanly on Ctrl-C or SIGTERM.
    Serve,
    /// Create the database or bring its schema up to date, then exit.
    Migrate,
    /// Check the configuration (file and environment) and the database without changing
    /// anything, and say what this instance would run with (never a secret). Fails on a
    /// database written by a newer hienmau or a folder it cannot write. The systemd unit
    /// runs it before every start.
    CheckConfig,
    /// For operators: outbox rows by status, and the Zalo OA quota used each month.
    Status,
    /// The yearly calendar of campaigns.
    Campaigns {
        #[command(subcommand)]
        action: CampaignAction,
    },
    /// Donations recorded by the blood centre.
    Donations {
        #[command(subcommand)]
        action: DonationAction,
    },
    /// Roles: make the first admin, or grant and revoke roles by account.
    Admin {
        #[command(subcommand)]
        action: AdminAction,
    },
    /// Blood stock levels per group; below its threshold a group is announced to the reserve
    /// clubs on the `stock_alert` schedule.
    Stock {
        #[command(subcommand)]
        action: StockAction,
    },
    /// Progress against targets: per campaign and drive, sign-ups, donations, units against
    /// target, people reached and the share of repeat donors.
    Report {
        /// The year (default: this year).
        #[arg(long)]
        year: Option<i32>,
        /// One CSV row per campaign and per drive, for the steering committee.
        #[arg(long)]
        csv: bool,
    },
    /// The year plan: targets, units and their allocation, and progress against them.
    Plan {
        #[command(subcommand)]
        action: PlanAction,
    },
    /// The web dashboard.
    Dashboard {
        #[command(subcommand)]
        action: DashboardAction,
    },
    /// The database itself: move a deployment to another database.
    Db {
        #[command(subcommand)]
        action: DbAction,
    },
    /// Take a consistent copy of the SQLite database while the bot runs (it need not stop),
    /// check it (integrity, schema, counts) and say what it holds. Never overwrites a file.
    /// On PostgreSQL use pg_dump or base backups (docs/OPERATING.md, "Backups and restore").
    Backup {
        /// The new file, e.g. backups/hienmau-2026-12-06.db
        file: PathBuf,
    },
    /// Put a backup in place of the SQLite database: refused while anything uses it (stop
    /// `serve` first) or when the copy is damaged or from a newer version. The database it
    /// replaces is set aside beside it, not deleted; donors erased since the backup was taken
    /// are erased again from it (the erasure ledger).
    Restore {
        /// A file `hienmau backup` wrote.
        file: PathBuf,
    },
    /// The audit log of privileged actions (grants, clubs, broadcasts).
    Audit {
        /// Print every entry as CSV (time, account, action, target, recipients).
        #[arg(long)]
        csv: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum DbAction {
    /// Copy everything of one database into another, new and empty one: donors, consent
    /// records, accounts, conversations, outbox, jobs, clubs, campaigns, donations,
    /// call-outs, audit, Zalo OA tokens and quota. Stop the bot first. Both are brought to
    /// the latest schema; the copy is one transaction on the target, and each table's rows
    /// are counted on both sides after it.
    /// `hienmau db copy --from sqlite://hienmau.db --to postgres://user@host/hienmau`
    Copy {
        /// The database to copy (the current one).
        #[arg(long)]
        from: String,
        /// The new, empty database.
        #[arg(long)]
        to: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum DashboardAction {
    /// Print a one-time sign-in link (valid 10 minutes) for a staff account, e.g. the first
    /// admin: `hienmau dashboard link telegram:123456789`. Staff also get one in chat by
    /// sending /dashboard. The link opens the dashboard of `hienmau serve`.
    Link {
        /// The account as CHANNEL:ID, as for `admin grant`.
        account: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum AdminAction {
    /// Give a role (admin, coordinator, leader) to an account, e.g.
    /// `hienmau admin grant admin telegram:123456789`. The account need not have written yet.
    Grant {
        /// admin, coordinator or leader (Vietnamese works too: quản trị, điều phối, trưởng CLB).
        role: String,
        /// The account as CHANNEL:ID: telegram:123456789 (the numeric user id), zalo:…,
        /// zalo_oa:…, or terminal:NAME (the --user of `hienmau chat`).
        account: String,
    },
    /// Take a role from an account.
    Revoke {
        /// admin, coordinator or leader.
        role: String,
        /// The account as CHANNEL:ID, as for `grant`.
        account: String,
    },
    /// Who holds which role.
    List,
}

#[derive(Debug, Subcommand)]
pub enum PlanAction {
    /// Store a plan: a .toml file (`[year]` targets and `[[unit]]` allocations) or a .csv
    /// allocation table (code, name, kind, and any of province, units, drives, people).
    /// Every error is reported with its line, and a file with any error stores nothing.
    Load {
        /// The plan file: `.toml`, or `.csv` (UTF-8, headers in Vietnamese or English).
        file: PathBuf,
        /// The year (default: this year, or the file's `[year] year`).
        #[arg(long)]
        year: Option<i32>,
    },
    /// Where the province and each unit stand against the plan today: units of blood (250 ml
    /// each), against the same day last year, by month, the repeat share, people reached,
    /// the share of the population; units behind their pace flagged.
    Report {
        /// The year (default: this year).
        #[arg(long)]
        year: Option<i32>,
        /// One CSV row for the province, one per month and one per unit.
        #[arg(long)]
        csv: bool,
    },
    /// Set one of the year's targets, as in chat (`/chitieu`): `hienmau plan target 2026 đơn
    /// vị 30000`, `… người 58000-61000`, `… nhắc lại 70%`, `… dân số 2100000`, `… tỷ lệ
    /// 1,1%`, `… đợt 160` (English: units, people, repeat, population, share, drives).
    Target {
        /// The year (optional), the target's name and its value: `2026 đơn vị 30000`,
        /// `người 58000-61000`, `nhắc lại 70%`.
        #[arg(required = true, num_args = 1..)]
        words: Vec<String>,
    },
    /// The year's honours for the 14/6 ceremony: donors who reached a milestone (the
    /// certificate tiers, `scheduler.milestones`), the clubs in the contest's order (members'
    /// donations, new donors, repeat share) and the units that met their allocation. Names
    /// are printed: each run is written to the audit log.
    Honours {
        /// The year (default: this year).
        #[arg(long)]
        year: Option<i32>,
        /// As CSV (one row per donor, club and unit).
        #[arg(long)]
        csv: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum DonationAction {
    /// Record donations from a CSV file with the columns phone, date and kind (whole blood,
    /// platelets, plasma). Every error is reported with its line, and a file with any error
    /// stores nothing. Each donor's next eligible date follows from their newest donation.
    Import {
        /// The CSV file (UTF-8, a header line naming phone, date and kind; optionally
        /// volume, unit and drive).
        file: PathBuf,
        /// Record donations inside a donor's interval too (a first run lists them by line
        /// and stores nothing).
        #[arg(long)]
        accept_early: bool,
    },
    /// A donor's donations on record, newest first, with the number `remove` takes.
    List {
        /// The donor's phone (any usual form: 0912 345 678, +84912345678).
        phone: String,
    },
    /// Remove a donation recorded by mistake (audited). The donor's next eligible date goes
    /// back to follow the donation before it.
    Remove {
        /// The donation's number, as `donations list` shows it.
        id: i64,
    },
}

#[derive(Debug, Subcommand)]
pub enum CampaignAction {
    /// Read a calendar file (TOML with drives, or CSV with one campaign a row) and store its
    /// campaigns and drives dated into a year. Every error is reported with its line, and a
    /// file with any error stores nothing.
    Import {
        /// The calendar: a .toml file (campaigns with their drives, dates as rules such as
        /// 04-07 or tet+5) or a .csv file (one campaign a row).
        file: PathBuf,
        /// The year to date the campaigns into (default: this year).
        #[arg(long)]
        year: Option<i32>,
    },
    /// List a year's campaigns.
    List {
        /// The year (default: this year).
        #[arg(long)]
        year: Option<i32>,
    },
}

fn parse_now(s: &str) -> Result<DateTime<Utc>, String> {
    let tz = chrono_tz::Asia::Ho_Chi_Minh;
    let local = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M"))
        .or_else(|_| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map(|d| d.and_hms_opt(9, 0, 0).unwrap_or_default())
        })
        .map_err(|_| format!("{s:?}: expected 2027-01-05 or 2027-01-05T09:30"))?;
    tz.from_local_datetime(&local)
        .single()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| format!("{s:?} is not a valid local time"))
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let default_level = match cli.command {
        Command::Chat { .. } => "warn",
        _ => "info",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_level));
    // Colours only on a terminal (a log file or journal gets plain text), and never with
    // NO_COLOR set.
    let colour = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    // HIENMAU_LOG_FORMAT=json: one JSON object a line, for a log collector.
    if std::env::var("HIENMAU_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json")) {
        tracing_subscriber::fmt()
            .json()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .init();
    } else {
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .with_ansi(colour)
            .init();
    }

    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("hienmau: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("hienmau: {}", crate::domain::text::plain(&error_chain(&e)));
            ExitCode::FAILURE
        }
    }
}

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

async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = Config::from_env(cli.config.as_deref())?;
    match cli.command {
        Command::Chat { user, now, demo } => {
            let clock = Arc::new(OffsetClock::new(chrono::Duration::zero()));
            // The demo's dashboard sessions and links follow real time, so `/clock +3d`
            // neither signs the browser out nor refuses `hienmau dashboard link`.
            let app =
                App::open_with_sign_in_clock(config, clock.clone(), Arc::new(SystemClock)).await?;
            // One clock for every terminal on this database: --now moves it forward (for
            // all), never back; a terminal opened later follows it.
            let shared = app.store().demo_offset().await?;
            let wanted = now.map(|t| ms_up(t - Utc::now()));
            let offset = match wanted {
                Some(ms) => Some(app.store().advance_demo_offset(ms).await?),
                None => shared,
            };
            if let Some(ms) = offset {
                clock.set(chrono::Duration::milliseconds(ms));
            }
            if let (Some(w), Some(o)) = (wanted, offset) {
                // More than a minute later than asked: another terminal moved it on.
                if o - w > 60_000 {
                    let local = app.clock().now().with_timezone(&app.config().timezone);
                    eprintln!(
                        "{}",
                        app.catalogue().render(
                            app.config().language,
                            &crate::messages::Msg::new(crate::messages::MsgId::DemoClockAhead)
                                .str("now", local.format("%d/%m/%Y %H:%M").to_string())
                        )
                    );
                }
            }
            // The demo's web dashboard runs as long as this chat does.
            let mut web = tokio::task::JoinSet::new();
            let (web_stop, web_rx) = watch::channel(false);
            if demo {
                eprintln!("{}", load_demo(&app).await?);
                eprintln!("{}", demo_dashboard(&app, &mut web, web_rx).await?);
            }
            let stdin = tokio::io::BufReader::new(tokio::io::stdin());
            let interactive = std::io::stdin().is_terminal();
            let r = chat(
                app,
                &user,
                stdin,
                TerminalOut::stdout(),
                interactive,
                Some(clock),
            )
            .await;
            let _ = web_stop.send(true);
            while web.join_next().await.is_some() {}
            r
        }
        Command::Serve => serve(config).await,
        Command::Status => {
            let app = App::open(config.clone(), Arc::new(SystemClock)).await?;
            print!("{}", status_report(&app, &config).await?);
            app.store().close().await;
            Ok(())
        }
        Command::Campaigns { action } => {
            let app = App::open(config, Arc::new(SystemClock)).await?;
            let today = Utc::now()
                .with_timezone(&app.config().timezone)
                .date_naive();
            let result = campaigns(&app, action, today).await;
            app.store().close().await;
            print!("{}", crate::domain::text::plain(&result?));
            Ok(())
        }
        Command::Donations {
            action: DonationAction::Import { file, accept_early },
        } => {
            let app = App::open(config, Arc::new(SystemClock)).await?;
            let result = import_donations_with(&app, &file, accept_early).await;
            app.store().close().await;
            print!("{}", crate::domain::text::plain(&result?));
            Ok(())
        }
        Command::Donations { action } => {
            let app = App::open(config, Arc::new(SystemClock)).await?;
            let result = donations(&app, action).await;
            app.store().close().await;
            print!("{}", crate::domain::text::plain(&result?));
            Ok(())
        }
        Command::Admin { action } => {
            let app = App::open(config, Arc::new(SystemClock)).await?;
            let result = admin(&app, action).await;
            app.store().close().await;
            print!("{}", crate::domain::text::plain(&result?));
            Ok(())
        }
        Command::Dashboard { action } => {
            let app = App::open(config, Arc::new(SystemClock)).await?;
            let result = dashboard(&app, action).await;
            app.store().close().await;
            print!("{}", crate::domain::text::plain(&result?));
            Ok(())
        }
        Command::Stock { action } => {
            let app = App::open(config, Arc::new(SystemClock)).await?;
            let result = stock(&app, action).await;
            app.store().close().await;
            print!("{}", crate::domain::text::plain(&result?));
            Ok(())
        }
        Command::Report { year, csv } => {
            let app = App::open(config, Arc::new(SystemClock)).await?;
            let result = report(&app, year, csv).await;
            app.store().close().await;
            print!("{}", crate::domain::text::plain(&result?));
            Ok(())
        }
        Command::Plan { action } => {
            let app = App::open(config, Arc::new(SystemClock)).await?;
            let today = app
                .clock()
                .now()
                .with_timezone(&app.config().timezone)
                .date_naive();
            let result = plan(&app, action, today).await;
            app.store().close().await;
            print!("{}", crate::domain::text::plain(&result?));
            Ok(())
        }
        Command::Audit { csv } => {
            let app = App::open(config, Arc::new(SystemClock)).await?;
            let result = audit(&app, csv).await;
            app.store().close().await;
            print!("{}", crate::domain::text::plain(&result?));
            Ok(())
        }
        Command::Db {
            action: DbAction::Copy { from, to },
        } => {
            print!("{}", copy_database(&from, &to).await?);
            Ok(())
        }
        Command::Backup { file } => {
            let app = App::open(config, Arc::new(SystemClock)).await?;
            let result = backup(&app, &file).await;
            app.store().close().await;
            print!("{}", crate::domain::text::plain(&result?));
            Ok(())
        }
        Command::Restore { file } => {
            print!("{}", restore(&config, &file, Utc::now()).await?);
            Ok(())
        }
        Command::CheckConfig => {
            print!("{}", check_config(&config, cli.config.as_deref()).await?);
            Ok(())
        }
        Command::Migrate => {
            let app = App::open(config, Arc::new(SystemClock)).await?;
            app.store().close().await;
            println!("database is up to date");
            Ok(())
        }
    }
}

/// `hienmau check-config`: what this instance would run with, or every problem found.
pub async fn check_config(
    config: &Config,
    file: Option<&std::path::Path>,
) -> anyhow::Result<String> {
    use crate::store::{Backend, inspect_schema, sqlite_file};
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
    // A folder this process must write to: tried, not guessed from its mode.
    let writable = |dir: &std::path::Path| -> Result<(), String> {
        let probe = dir.join(format!(".hienmau-check-{}", std::process::id()));
        std::fs::write(&probe, b"")
            .and_then(|()| std::fs::remove_file(&probe))
            .map_err(|e| format!("{} is not writable by this user: {e}", dir.display()))
    };
    let url = &config.database_url;
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
    let mut channels = Vec::new();
    let mode = |c: &crate::config::BotConfig| {
        if c.webhook_url.is_some() {
            "webhook"
        } else {
            "long polling"
        }
    };
    if let Some(c) = &config.telegram {
        channels.push(format!("Telegram ({})", mode(c)));
    }
    if let Some(c) = &config.zalo_bot {
        channels.push(format!("Zalo bot ({})", mode(c)));
    }
    if config.zalo_oa.is_some() {
        channels.push("Zalo OA (webhook)".to_string());
    }
    out.push_str(&if channels.is_empty() {
        "channels: none configured (the dashboard only)\n".to_string()
    } else {
        format!("channels: {}\n", channels.join(", "))
    });
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

/// `hienmau campaigns …`: what to print, or why nothing was stored.
/// A file refused: every error by line, after the file's name, in the configured language.
fn nothing_stored(
    app: &App,
    file: &std::path::Path,
    errors: &[crate::domain::campaign::FileError],
) -> anyhow::Error {
    let lang = app.config().language;
    let head = app.catalogue().render(
        lang,
        &crate::messages::Msg::new(crate::messages::MsgId::CliNothingStored),
    );
    let lines: Vec<String> = errors
        .iter()
        .map(|e| format!("{}:{e}", file.display()))
        .collect();
    anyhow::anyhow!("{head}\n{}", lines.join("\n"))
}

pub async fn campaigns(
    app: &App,
    action: CampaignAction,
    today: NaiveDate,
) -> anyhow::Result<String> {
    use crate::messages::{Msg, MsgId};
    use chrono::Datelike;
    let lang = app.config().language;
    let say = |m: Msg| app.catalogue().render(lang, &m);
    match action {
        CampaignAction::Import { file, year } => {
            let year = year.unwrap_or(today.year());
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let csv = file
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
            let mut units = app.store().unit_codes().await?;
            // The year's plan may be in the same file: read first, so its units can be named.
            let mut plan_errors = Vec::new();
            let has_plan = !csv
                && toml::from_str::<toml::Table>(&text)
                    .is_ok_and(|t| t.contains_key("year") || t.contains_key("unit"));
            let plan = match has_plan.then(|| crate::domain::plan::parse_plan_toml(&text, year)) {
                Some(Ok(p)) if p.targets.is_some() || !p.units.is_empty() => Some(p),
                Some(Err(e)) => {
                    plan_errors = e;
                    None
                }
                _ => None,
            };
            units.extend(
                plan.iter()
                    .flat_map(|p| p.units.iter().map(|u| u.code.clone())),
            );
            let parsed = if csv {
                crate::domain::campaign::parse_calendar_csv(&text, year).map(|campaigns| {
                    crate::domain::campaign::Calendar {
                        campaigns,
                        ..Default::default()
                    }
                })
            } else {
                // With the plan's own errors, its units are unknown: not named twice.
                let plan_failed = !plan_errors.is_empty();
                let all = |_: &str| true;
                let known: &dyn crate::domain::campaign::Units =
                    if plan_failed { &all } else { &units };
                crate::domain::campaign::parse_calendar_file(&text, year, known)
            };
            let parsed = match (parsed, plan_errors.is_empty()) {
                (Ok(c), true) => Ok(c),
                (Ok(_), false) => Err(plan_errors),
                (Err(mut e), _) => {
                    // A syntax error is reported by both readers: once is enough.
                    let more: Vec<_> = plan_errors.into_iter().filter(|p| !e.contains(p)).collect();
                    e.extend(more);
                    e.sort_by_key(|e| e.line);
                    Err(e)
                }
            };
            match parsed {
                Ok(calendar) => {
                    let mut stored = Msg::new(MsgId::CliCalendarStored)
                        .num("year", f64::from(year))
                        .str("plan", "none");
                    if let Some(p) = &plan {
                        let y = p.targets.as_ref().map_or(year, |t| t.year);
                        let loaded = app.load_plan(y, p).await?;
                        stored = stored
                            .str("plan", y.to_string())
                            .str("targets", if loaded.targets { "yes" } else { "no" })
                            .num("units", loaded.units as f64);
                    }
                    // Checked again now that the plan's units are stored, and written in
                    // steps beside a running bot.
                    let request = crate::engine::DriveRequest::ImportCalendar { text, csv, year };
                    let drives = match app.import_file_as_cli(request).await? {
                        crate::engine::DriveOutcome::CalendarImported { drives, .. } => drives,
                        other => anyhow::bail!("the calendar was not stored: {other:?}"),
                    };
                    Ok(say(stored
                        .num("campaigns", calendar.campaigns.len() as f64)
                        .num("points", calendar.fixed_points.len() as f64)
                        .num("drives", drives as f64))
                        + "\n")
                }
                Err(errors) => Err(nothing_stored(app, &file, &errors)),
            }
        }
        CampaignAction::List { year } => {
            let year = year.unwrap_or(today.year());
            let list = app.store().campaigns(year).await?;
            if list.is_empty() {
                return Ok(
                    say(Msg::new(MsgId::CliCampaignsNone).num("year", f64::from(year))) + "\n",
                );
            }
            let vi = lang == crate::messages::Lang::Vi;
            let fig = |n: i64| crate::domain::text::figure(n as f64, vi);
            let mut out = String::new();
            for c in list {
                let units = Msg::new(MsgId::CliTargetUnits);
                let units = say(match (c.target_units_min, c.target_units_max) {
                    (Some(a), Some(b)) if a == b => units.str("min", fig(a)).str("max", "same"),
                    (Some(a), Some(b)) => units.str("min", fig(a)).str("max", fig(b)),
                    _ => units.str("min", "none").str("max", "none"),
                });
                out.push_str(&format!(
                    "{} – {}  {}  {}  {}\n",
                    crate::domain::dates::format_vn(c.starts_on),
                    crate::domain::dates::format_vn(c.ends_on),
                    c.name,
                    units,
                    c.partner.unwrap_or_default()
                ));
            }
            Ok(out)
        }
    }
}

/// `hienmau dashboard link ACCOUNT`: the link, or why there is none.
pub async fn dashboard(app: &App, action: DashboardAction) -> anyhow::Result<String> {
    match action {
        DashboardAction::Link { account } => {
            let (channel, user) = crate::channels::parse_account(&account).with_context(|| {
                format!("{account:?} is not an account: use channel:id, e.g. telegram:123456789")
            })?;
            match app.dashboard_link_for_account(channel, &user).await? {
                Some(url) => Ok(format!("{url}\n")),
                None => anyhow::bail!(
                    "{account} may not use the dashboard: grant it admin or coordinator first \
                     (hienmau admin grant coordinator {account})"
                ),
            }
        }
    }
}

/// `hienmau admin …`: what to print.
pub async fn admin(app: &App, action: AdminAction) -> anyhow::Result<String> {
    let parse = |role: &str, account: &str| -> anyhow::Result<_> {
        let role = crate::domain::club::Role::parse(role)
            .with_context(|| format!("{role:?} is not a role: use admin, coordinator or leader"))?;
        let (channel, user) = crate::channels::parse_account(account).with_context(|| {
            format!(
                "{account:?} is not an account: use channel:id, e.g. telegram:123456789, \
                 zalo:…, zalo_oa:…, terminal:lan"
            )
        })?;
        Ok((role, channel, user))
    };
    match action {
        AdminAction::Grant { role, account } => {
            let (role, channel, user) = parse(&role, &account)?;
            let changed = app.set_role_for_account(channel, &user, role, true).await?;
            Ok(if changed {
                format!("{account}: {} granted\n", role.code())
            } else {
                format!("{account} already has {}\n", role.code())
            })
        }
        AdminAction::Revoke { role, account } => {
            let (role, channel, user) = parse(&role, &account)?;
            let changed = app
                .set_role_for_account(channel, &user, role, false)
                .await?;
            Ok(if changed {
                format!("{account}: {} revoked\n", role.code())
            } else {
                format!("{account} did not have {}\n", role.code())
            })
        }
        AdminAction::List => {
            let holders = app.store().role_holders().await?;
            if holders.is_empty() {
                return Ok("nobody holds a role yet\n".into());
            }
            Ok(holders
                .into_iter()
                .map(|(role, account, by)| format!("{role:<12} {account:<24} granted by {by}\n"))
                .collect())
        }
    }
}

/// `hienmau report [--year Y] [--csv]`: progress against targets.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum StockAction {
    /// Set a group's units in stock (and optionally its alert threshold; default 10).
    Set {
        /// The blood group, ABO and Rh: `O-`, `AB+`.
        group: String,
        /// Units now in stock (0 or more).
        units: i64,
        /// Below this many units the group is announced to compatible reserve-club members
        /// on the stock_alert schedule (default 10).
        #[arg(long)]
        threshold: Option<i64>,
    },
    /// Every group's level and threshold.
    List,
}

/// `hienmau stock set|list`.
pub async fn stock(app: &App, action: StockAction) -> anyhow::Result<String> {
    use crate::domain::callout::PatientGroup;
    use crate::messages::{Msg, MsgId};
    let lang = app.config().language;
    let say = |m: Msg| app.catalogue().render(lang, &m);
    match action {
        StockAction::Set {
            group,
            units,
            threshold,
        } => {
            let g = PatientGroup::parse(&group).ok_or_else(|| {
                anyhow::anyhow!(
                    "{}",
                    say(Msg::new(MsgId::CliStockBadGroup).str("group", group.clone()))
                )
            })?;
            if units < 0 || threshold.is_some_and(|t| t < 0) {
                anyhow::bail!("{}", say(Msg::new(MsgId::CliStockNegative)));
            }
            let now = app.clock().now().timestamp_millis();
            app.store()
                .set_stock(g, units, threshold, "cli", now)
                .await?;
            Ok(say(Msg::new(MsgId::CliStockSet)
                .str("group", g.code())
                .num("units", units as f64))
                + "\n")
        }
        StockAction::List => {
            let levels = app.store().stock_levels().await?;
            if levels.is_empty() {
                return Ok(say(Msg::new(MsgId::CliStockNone)) + "\n");
            }
            let mut out = say(Msg::new(MsgId::CliStockHeader)) + "\n";
            for s in &levels {
                let low = if s.units < s.threshold {
                    format!("\t{}", say(Msg::new(MsgId::CliStockLow)))
                } else {
                    String::new()
                };
                out.push_str(&format!(
                    "{}\t{}\t{}{low}\n",
                    s.group.code(),
                    s.units,
                    s.threshold
                ));
            }
            Ok(out)
        }
    }
}

pub async fn report(app: &App, year: Option<i32>, csv: bool) -> anyhow::Result<String> {
    use crate::domain::drive::{Figures, local_window};
    use crate::messages::{Msg, MsgId};
    use chrono::Datelike;
    let tz = app.config().timezone;
    let lang = app.config().language;
    let say = |id: MsgId| app.catalogue().render(lang, &Msg::new(id));
    let year = year.unwrap_or_else(|| app.clock().now().with_timezone(&tz).year());
    let r = app.store().report(year, tz).await?;
    if !csv {
        // The same report as in chat, with every campaign and drive.
        let m = crate::engine::drive::report_msg(app.catalogue(), lang, tz, year, &r, true);
        return Ok(app.catalogue().render(lang, &m) + "\n");
    }
    let pct = |p: Option<i64>| p.map(|p| p.to_string()).unwrap_or_default();
    let num = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
    let mut rows: Vec<[String; 13]> = Vec::new();
    // People reached are counted per campaign: a drive's cell stays empty, not 0.
    let row = |level: MsgId,
               campaign: &str,
               drive: &str,
               date: String,
               province: &str,
               f: &Figures,
               reached: bool| {
        [
            say(level),
            campaign.to_string(),
            drive.to_string(),
            date,
            province.to_string(),
            f.signups.to_string(),
            f.donations.to_string(),
            num(f.target_units_min),
            num(f.target_units_max),
            pct(f.units_percent()),
            if reached {
                f.reached.to_string()
            } else {
                String::new()
            },
            num(f.target_people),
            pct(f.repeat_percent()),
        ]
    };
    for c in &r.campaigns {
        let dates = format!(
            "{} – {}",
            crate::domain::dates::format_vn(c.campaign.starts_on),
            crate::domain::dates::format_vn(c.campaign.ends_on)
        );
        rows.push(row(
            MsgId::ReportLevelCampaign,
            &c.campaign.name,
            "",
            dates,
            "",
            &c.figures,
            true,
        ));
        for (d, f) in &c.drives {
            let (day, w) = local_window(d.starts_at, d.ends_at, tz);
            let when = format!("{} {}", crate::domain::dates::format_vn(day), w.label());
            rows.push(row(
                MsgId::ReportLevelDrive,
                &c.campaign.name,
                &d.place,
                when,
                &d.province_name(),
                f,
                false,
            ));
        }
    }
    rows.push(row(
        MsgId::ReportLevelOther,
        "",
        "",
        String::new(),
        "",
        &r.other,
        false,
    ));
    rows.push(row(
        MsgId::ReportLevelTotal,
        "",
        "",
        year.to_string(),
        "",
        &r.total(),
        true,
    ));
    let mut w = SpreadsheetCsv::new(true);
    w.row(say(MsgId::ReportCsvHeader).split(','))?;
    for r in &rows {
        w.row(r)?;
    }
    Ok(w.finish()?)
}

/// `hienmau plan …`: what to print, or why nothing was stored.
pub async fn plan(app: &App, action: PlanAction, today: NaiveDate) -> anyhow::Result<String> {
    use crate::domain::plan::{Plan, parse_allocation_csv, parse_plan_toml, units_text};
    use crate::messages::{Msg, MsgId};
    use chrono::Datelike;
    let lang = app.config().language;
    let cat = app.catalogue();
    match action {
        PlanAction::Load { file, year } => {
            let year = year.unwrap_or(today.year());
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let csv = file
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
            let parsed = if csv {
                parse_allocation_csv(&text).map(|units| Plan {
                    targets: None,
                    units,
                })
            } else {
                parse_plan_toml(&text, year)
            };
            let plan = match parsed {
                Ok(p) => p,
                Err(errors) => {
                    let lines: Vec<String> = errors.iter().map(|e| format!("  {e}\n")).collect();
                    anyhow::bail!(
                        "{}: nothing stored, {} error(s):\n{}",
                        file.display(),
                        errors.len(),
                        lines.concat()
                    );
                }
            };
            let year = plan.targets.as_ref().map_or(year, |t| t.year);
            let loaded = app.load_plan(year, &plan).await?;
            let msg = Msg::new(MsgId::PlanLoaded)
                .str("year", year.to_string())
                .str("targets", if loaded.targets { "yes" } else { "no" })
                .num("units", loaded.units as f64);
            Ok(cat.render(lang, &msg) + "\n")
        }
        PlanAction::Report { year, csv } => {
            let year = year.unwrap_or(today.year());
            let f = app.plan_figures(year, today).await?;
            if !csv {
                let lines: Vec<String> = crate::engine::plan::plan_report(cat, lang, &f)
                    .iter()
                    .map(|m| cat.render(lang, m))
                    .collect();
                return Ok(lines.join("\n") + "\n");
            }
            let say = |id: MsgId| cat.render(lang, &Msg::new(id));
            let vi = lang == crate::messages::Lang::Vi;
            let num = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
            let pct = |v: Option<f64>| v.map(|v| format!("{:.0}", v)).unwrap_or_default();
            let yes = say(MsgId::PlanBehindYes);
            let mut w = SpreadsheetCsv::new(true);
            w.row(say(MsgId::PlanCsvHeader).split(','))?;
            let pace = f.pace();
            w.row([
                say(MsgId::PlanLevelProvince),
                String::new(),
                year.to_string(),
                String::new(),
                num(f.targets.as_ref().and_then(|t| t.units)),
                units_text(f.units_done, vi),
                pct(pace.map(|p| p.done_pct)),
                pct(pace.map(|p| p.year_pct)),
                if pace.is_some_and(|p| p.behind()) {
                    yes.clone()
                } else {
                    String::new()
                },
                f.donations.to_string(),
                units_text(f.units_last_year, vi),
            ])?;
            let months = f.until.month() as usize;
            for (i, u) in f.by_month.iter().take(months).enumerate() {
                w.row([
                    say(MsgId::PlanLevelMonth),
                    format!("{year}-{:02}", i + 1),
                    String::new(),
                    String::new(),
                    String::new(),
                    units_text(*u, vi),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                ])?;
            }
            for u in &f.units {
                let pace = f.unit_pace(u);
                w.row([
                    say(MsgId::PlanLevelUnit),
                    u.code.clone(),
                    u.name.clone(),
                    cat.render(lang, &Msg::new(MsgId::UnitKind).str("kind", u.kind.code())),
                    num(u.target_units),
                    units_text(u.units_done, vi),
                    pct(pace.map(|p| p.done_pct)),
                    pct(pace.map(|p| p.year_pct)),
                    if pace.is_some_and(|p| p.behind()) {
                        yes.clone()
                    } else {
                        String::new()
                    },
                    u.donations.to_string(),
                    String::new(),
                ])?;
            }
            Ok(w.finish()?)
        }
        PlanAction::Target { words } => {
            let Some((year, change)) = crate::domain::plan::parse_target_change(&words.join(" "))
            else {
                anyhow::bail!(
                    "{}",
                    cat.render(lang, &Msg::new(MsgId::PlanTargetUsage))
                        .replace("/chitieu", "hienmau plan target")
                        .replace("/target", "hienmau plan target")
                );
            };
            let t = app.set_year_target(year, change).await?;
            Ok(cat.render(lang, &crate::engine::plan::targets_msg(&t, lang)) + "\n")
        }
        PlanAction::Honours { year, csv } => {
            let year = year.unwrap_or(today.year());
            let h = app.honours(year, today, "cli").await?;
            if csv {
                honours_csv(app, &h)
            } else {
                Ok(crate::engine::plan::honours_text(cat, lang, &h) + "\n")
            }
        }
    }
}

/// The honours as CSV: a row per donor (tier, name, province, donations, last, clubs), per
/// club (rank, name, donations, new donors, repeat share) and per unit (target, done).
fn honours_csv(app: &App, h: &crate::domain::plan::Honours) -> anyhow::Result<String> {
    use crate::messages::{Lang, Msg, MsgId};
    let (cat, lang) = (app.catalogue(), app.config().language);
    let say = |id: MsgId| cat.render(lang, &Msg::new(id));
    let vi = lang == Lang::Vi;
    let header = say(MsgId::HonoursCsvHeader);
    let columns = header.split(',').count();
    let mut w = SpreadsheetCsv::new(true);
    w.row(header.split(','))?;
    // A row: its kind, then the cells it has (by column), the others empty.
    let mut row = |kind: MsgId, cells: &[(usize, String)]| -> anyhow::Result<()> {
        let mut r = vec![String::new(); columns];
        r[0] = say(kind);
        for (i, v) in cells {
            if let Some(slot) = r.get_mut(*i) {
                slot.clone_from(v);
            }
        }
        Ok(w.row(&r)?)
    };
    let province = |p: &Option<String>| {
        p.as_deref()
            .and_then(crate::domain::province::Province::from_code)
            .map(|p| p.name().to_string())
            .unwrap_or_default()
    };
    for d in &h.donors {
        let last = d.last.map(|d| d.format("%d/%m/%Y").to_string());
        row(
            MsgId::HonoursKindDonor,
            &[
                (1, d.tier.to_string()),
                (2, d.name.clone()),
                (3, province(&d.province)),
                (4, d.total.to_string()),
                (5, last.unwrap_or_default()),
                (6, d.clubs.clone()),
            ],
        )?;
    }
    for f in &h.families {
        row(
            MsgId::HonoursKindFamily,
            &[
                (1, f.names.len().to_string()),
                (2, f.names.join("; ")),
                (4, f.donations_in_year.to_string()),
            ],
        )?;
    }
    for (i, c) in h.clubs.iter().enumerate() {
        let repeat = c.repeat_pct().map(|p| p.to_string());
        row(
            MsgId::HonoursKindClub,
            &[
                (1, (i + 1).to_string()),
                (2, c.name.clone()),
                (4, c.donations.to_string()),
                (7, c.new_donors.to_string()),
                (8, repeat.unwrap_or_default()),
            ],
        )?;
    }
    for u in &h.units {
        let target = u.target_units.map(|t| t.to_string());
        row(
            MsgId::HonoursKindUnit,
            &[
                (2, u.name.clone()),
                (4, u.donations.to_string()),
                (9, target.unwrap_or_default()),
                (10, crate::domain::plan::units_text(u.units_done, vi)),
            ],
        )?;
    }
    Ok(w.finish()?)
}

/// `hienmau audit [--csv]`: the log, as a table or CSV.
pub async fn audit(app: &App, csv: bool) -> anyhow::Result<String> {
    let tz = app.config().timezone;
    let entries = app
        .store()
        .audit_entries(if csv { None } else { Some(50) })
        .await?;
    let time = |ms: i64| {
        DateTime::from_timestamp_millis(ms)
            .map(|t| {
                t.with_timezone(&tz)
                    .format("%Y-%m-%dT%H:%M:%S%:z")
                    .to_string()
            })
            .unwrap_or_default()
    };
    if csv {
        let mut w = SpreadsheetCsv::new(false);
        w.row(["time", "account", "action", "target", "recipients"])?;
        for e in &entries {
            let n = e.recipients.map(|n| n.to_string()).unwrap_or_default();
            w.row([time(e.at).as_str(), &e.actor, &e.action, &e.target, &n])?;
        }
        return Ok(w.finish()?);
    }
    if entries.is_empty() {
        return Ok("the audit log is empty\n".into());
    }
    Ok(entries
        .iter()
        .map(|e| {
            let n = e
                .recipients
                .map(|n| format!("  ({n} recipients)"))
                .unwrap_or_default();
            format!(
                "{}  {:<20} {:<20} {}{n}\n",
                time(e.at),
                e.actor,
                e.action,
                e.target
            )
        })
        .collect())
}

/// `hienmau donations import FILE`: what to print, or why nothing was stored.
pub async fn import_donations(app: &App, file: &std::path::Path) -> anyhow::Result<String> {
    import_donations_with(app, file, false).await
}

/// [`import_donations`], `accept_early`: donations inside a donor's interval are recorded
/// too (`--accept-early`, after reading the warnings of a first run).
pub async fn import_donations_with(
    app: &App,
    file: &std::path::Path,
    accept_early: bool,
) -> anyhow::Result<String> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let request = crate::engine::DriveRequest::ImportDonations { text, accept_early };
    match app.import_file_as_cli(request).await? {
        crate::engine::DriveOutcome::DonationsImported(done) => {
            use crate::messages::{Msg, MsgId};
            let lang = app.config().language;
            let msg = Msg::new(MsgId::CliDonationsImported)
                .num("added", done.added as f64)
                .num("donors", done.donors as f64)
                .num("known", (done.lines - done.added) as f64);
            Ok(app.catalogue().render(lang, &msg) + "\n")
        }
        crate::engine::DriveOutcome::FileRejected(errors) => {
            Err(nothing_stored(app, file, &errors))
        }
        other => anyhow::bail!("unexpected outcome of an import: {other:?}"),
    }
}

/// `hienmau donations list|remove`, in the configured language.
pub async fn donations(app: &App, action: DonationAction) -> anyhow::Result<String> {
    use crate::messages::{Msg, MsgId};
    let lang = app.config().language;
    let say = |m: Msg| app.catalogue().render(lang, &m) + "\n";
    let now = app.clock().now().timestamp_millis();
    let mut tx = app.store().begin().await?;
    let out = match action {
        DonationAction::Import { file, accept_early } => {
            return import_donations_with(app, &file, accept_early).await;
        }
        DonationAction::List { phone } => {
            let phone = crate::domain::phone::PhoneNumber::parse(&phone)
                .map_err(|e| anyhow::anyhow!("{phone:?}: {e}"))?;
            let donor = match tx.donor_by_phone(phone.as_e164()).await? {
                crate::store::PhoneLookup::One { donor_id, .. } => donor_id,
                crate::store::PhoneLookup::None => {
                    return Ok(say(Msg::new(MsgId::CliDonorNotFound)));
                }
                crate::store::PhoneLookup::Several => {
                    return Ok(say(Msg::new(MsgId::CliDonorSeveral)));
                }
            };
            let rows = tx.donations_of(donor, 100).await?;
            if rows.is_empty() {
                say(Msg::new(MsgId::CliNoDonations))
            } else {
                let mut out = say(Msg::new(MsgId::CliDonationsHeader));
                for r in rows {
                    out.push_str(&say(Msg::new(MsgId::CliDonationLine)
                        .num("id", r.id as f64)
                        .str("date", crate::domain::dates::format_vn(r.date))
                        .msg("kind", Msg::new(crate::engine::donation_kind_msg(r.kind)))
                        .msg(
                            "verified",
                            Msg::new(if r.verified {
                                MsgId::CliVerified
                            } else {
                                MsgId::CliSelfReported
                            }),
                        )
                        .str("source", r.source)));
                }
                out
            }
        }
        DonationAction::Remove { id } => {
            let Some((_, date, kind)) = tx.donation(id).await? else {
                return Ok(say(Msg::new(MsgId::CliNoSuchDonation).num("id", id as f64)));
            };
            tx.remove_donation(id, now).await?;
            tx.audit(
                "cli",
                AuditAction::DonationRemove,
                &format!("donation:{id}"),
                None,
                now,
            )
            .await?;
            say(Msg::new(MsgId::CliDonationRemoved)
                .num("id", id as f64)
                .str("date", crate::domain::dates::format_vn(date))
                .msg("kind", Msg::new(crate::engine::donation_kind_msg(kind))))
        }
    };
    tx.commit().await?;
    Ok(out)
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
    if config.zalo_oa.is_some() {
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

/// The terminal chat: each line typed is one message; every reply is printed before the
/// next line is read, so a piped script and its answers interleave predictably.
pub async fn chat(
    app: App,
    user: &str,
    input: impl AsyncBufRead + Unpin,
    out: TerminalOut,
    interactive: bool,
    clock: Option<Arc<OffsetClock>>,
) -> anyhow::Result<()> {
    let user = user.trim();
    anyhow::ensure!(!user.is_empty(), "--user must not be empty");
    let scope = Scope::Chat {
        channel: ChannelKind::Terminal,
        chat_id: user.to_string(),
    };
    let worker = Worker::new(
        app.clone(),
        scope.clone(),
        vec![Transport::Terminal(out.clone())],
    );
    let mut delivered = worker.delivered();
    let (stop, stop_rx) = watch::channel(false);
    app.apply_config_admins().await?;
    let reports = tokio::spawn(service::report_broadcasts(app.clone(), stop_rx.clone()));
    let scheduler = tokio::spawn(crate::scheduler::run(app.clone(), stop_rx.clone()));
    let worker = tokio::spawn(worker.run(stop_rx.clone()));

    // Another terminal on this database may move the shared demo clock: follow it.
    let follow = clock
        .clone()
        .map(|c| tokio::spawn(follow_demo_clock(app.clone(), c, stop_rx.clone())));
    // What fell due while nobody was chatting (reminders, thanks) comes first.
    crate::scheduler::tick(&app, app.clock().now()).await?;
    app.handle(terminal::inbound(user, "/start")).await?;
    if interactive {
        let lang = app.store().identity_lang("terminal", user).await?;
        let quit = app.catalogue().render(
            lang,
            &crate::messages::Msg::new(crate::messages::MsgId::TerminalQuit),
        );
        eprintln!("{quit}");
    }
    let mut input = input;
    loop {
        wait_until_delivered(&app, &scope, &mut delivered).await?;
        if interactive {
            out.prompt("> ");
        }
        let Some(line) = read_line(&app, user, &mut input, &out).await? else {
            break;
        };
        let line = line.trim_end_matches(['\r', '\n']).to_string();
        if line.trim().is_empty() {
            continue;
        }
        if matches!(
            line.trim().to_lowercase().as_str(),
            "/quit" | "/exit" | "/thoat" | "/thoát"
        ) {
            break;
        }
        if let Some(arg) = clock_command(&line) {
            let msg = demo_clock(&app, clock.as_deref(), arg).await?;
            let lang = app.store().identity_lang("terminal", user).await?;
            let _ = out.write_raw(&format!("{}\n\n", app.catalogue().render(lang, &msg)));
            continue;
        }
        app.handle(terminal::inbound(user, &line)).await?;
    }
    wait_until_delivered(&app, &scope, &mut delivered).await?;
    let _ = stop.send(true);
    if let Some(f) = follow {
        let _ = f.await;
    }
    worker.await.context("delivery worker")??;
    reports.await.context("broadcast reports")?.1?;
    scheduler.await.context("scheduler")?.1?;
    Ok(())
}

/// The next line typed, `None` at the end of the input. A byte that is not UTF-8 (a
/// terminal in another encoding, a stray paste) must not end the chat: it becomes U+FFFD
/// and the person is told.
async fn read_line(
    app: &App,
    user: &str,
    input: &mut (impl AsyncBufRead + Unpin),
    out: &TerminalOut,
) -> anyhow::Result<Option<String>> {
    let mut raw = Vec::new();
    if input
        .read_until(b'\n', &mut raw)
        .await
        .context("reading the terminal")?
        == 0
    {
        return Ok(None);
    }
    out.line_read();
    Ok(Some(match String::from_utf8(raw) {
        Ok(l) => l,
        Err(e) => {
            let lang = app.store().identity_lang("terminal", user).await?;
            let note = app.catalogue().render(
                lang,
                &crate::messages::Msg::new(crate::messages::MsgId::TerminalBadBytes),
            );
            let _ = out.write_raw(&format!("{note}\n\n"));
            String::from_utf8_lossy(e.as_bytes()).into_owned()
        }
    }))
}

/// Keep this terminal's demo clock at the shared one (another terminal may move it).
async fn follow_demo_clock(app: App, c: Arc<OffsetClock>, mut stop: watch::Receiver<bool>) {
    loop {
        if let Ok(Some(ms)) = app.store().demo_offset().await {
            c.catch_up(chrono::Duration::milliseconds(ms));
        }
        tokio::select! {
            _ = tokio::time::sleep(std::time::Duration::from_millis(500)) => {}
            _ = stop.changed() => return,
        }
    }
}

/// `/clock ARG`: the demo clock moved on by `arg` (reminders due by then run now), or where
/// it stands; what to tell the person.
async fn demo_clock(
    app: &App,
    clock: Option<&OffsetClock>,
    arg: &str,
) -> anyhow::Result<crate::messages::Msg> {
    use crate::messages::{Msg, MsgId};
    if let (Some(c), Some(ms)) = (clock, app.store().demo_offset().await?) {
        c.catch_up(chrono::Duration::milliseconds(ms));
    }
    let tz = app.config().timezone;
    let local = |t: DateTime<Utc>| t.with_timezone(&tz).format("%d/%m/%Y %H:%M").to_string();
    Ok(match (clock, parse_shift(arg, app.clock().now())) {
        (Some(_), _) if arg.is_empty() => {
            Msg::new(MsgId::DemoClock).str("now", local(app.clock().now()))
        }
        (Some(c), Ok(by)) => {
            let ms = app
                .store()
                .advance_demo_offset(ms_up(c.offset() + by))
                .await?;
            c.catch_up(chrono::Duration::milliseconds(ms));
            let now = app.clock().now();
            crate::scheduler::tick(app, now).await?;
            Msg::new(MsgId::DemoClock).str("now", local(now))
        }
        (Some(_), Err(ShiftError::Backwards)) => {
            Msg::new(MsgId::DemoClockBackwards).str("now", local(app.clock().now()))
        }
        (Some(_), Err(ShiftError::TooFar)) => Msg::new(MsgId::DemoClockTooFar),
        (Some(_), Err(ShiftError::Unreadable)) => {
            Msg::new(MsgId::DemoClockUsage).str("arg", arg.to_string())
        }
        (None, _) => Msg::new(MsgId::DemoClockUsage).str("arg", arg.to_string()),
    })
}

/// A clock offset in whole milliseconds (as stored), rounded up: a jump to 23:00 lands at
/// 23:00, not a fraction of a millisecond before (which reads 22:59).
fn ms_up(d: chrono::Duration) -> i64 {
    let ms = d.num_milliseconds();
    if d > chrono::Duration::milliseconds(ms) {
        ms + 1
    } else {
        ms
    }
}

/// `/clock ARG` (or `/dongho ARG`): the demo clock command of the terminal.
fn clock_command(line: &str) -> Option<&str> {
    let t = line.trim();
    let rest = t
        .strip_prefix("/clock")
        .or_else(|| t.strip_prefix("/dongho"))?;
    (rest.is_empty() || rest.starts_with(' ')).then(|| rest.trim())
}

/// Why a `/clock` argument moves nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ShiftError {
    Unreadable,
    /// A time at or before now: the clock never goes back (jobs already run would not run
    /// again, and other terminals share it).
    Backwards,
    /// More than 10,000 units at once.
    TooFar,
}

/// `+2h`, `+3d`, `+30m`, or a time to jump to (`2026-12-05T19:00`, Vietnam time): how far
/// to move the clock from `now`.
fn parse_shift(arg: &str, now: DateTime<Utc>) -> Result<chrono::Duration, ShiftError> {
    if let Some(n) = arg.strip_prefix('+') {
        let (num, unit) = n.split_at(n.len().checked_sub(1).ok_or(ShiftError::Unreadable)?);
        let num: i64 = num.parse().map_err(|_| ShiftError::Unreadable)?;
        if num <= 0 {
            return Err(ShiftError::Unreadable);
        }
        if num > 10_000 {
            return Err(ShiftError::TooFar);
        }
        return match unit {
            "m" => Ok(chrono::Duration::minutes(num)),
            "h" => Ok(chrono::Duration::hours(num)),
            "d" => Ok(chrono::Duration::days(num)),
            _ => Err(ShiftError::Unreadable),
        };
    }
    let to = parse_now(arg).map_err(|_| ShiftError::Unreadable)?;
    if to <= now {
        return Err(ShiftError::Backwards);
    }
    Ok(to - now)
}

/// The example year, built in so the demo runs from any folder: the plan (targets and
/// units), the calendar of events, the fixed points and the "Chủ nhật Đỏ" series.
const DEMO_PLAN: &str = include_str!("../examples/haiphong-2023-plan.toml");
const DEMO_CALENDAR: &str = include_str!("../examples/haiphong-2023.toml");
const DEMO_POINTS: &str = include_str!("../examples/haiphong-2023-points.toml");

/// Load the example year into this year and the next (`chat --demo`).
pub async fn load_demo(app: &App) -> anyhow::Result<String> {
    use chrono::Datelike;
    let now = app.clock().now();
    let year = now.with_timezone(&app.config().timezone).year();
    let unreadable = |what: &str, e: Vec<crate::domain::campaign::FileError>| {
        anyhow::anyhow!(
            "the built-in {what} does not read: {}",
            e.iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("; ")
        )
    };
    let (mut drives, mut campaigns, mut points) = (0, 0, 0);
    for y in [year, year + 1] {
        let plan = crate::domain::plan::parse_plan_toml(DEMO_PLAN, y)
            .map_err(|e| unreadable("plan", e))?;
        app.load_plan(y, &plan).await?;
        let units = app.store().unit_codes().await?;
        for text in [DEMO_CALENDAR, DEMO_POINTS] {
            let calendar = crate::domain::campaign::parse_calendar_file(text, y, &units)
                .map_err(|e| unreadable("calendar", e))?;
            campaigns += calendar.campaigns.len();
            points += calendar.fixed_points.len();
            drives += app
                .store()
                .import_calendar(y, &calendar, app.config().timezone, now.timestamp_millis())
                .await?;
        }
    }
    Ok(app.catalogue().render(
        app.config().language,
        &crate::messages::Msg::new(crate::messages::MsgId::DemoLoaded)
            .num("year", f64::from(year))
            .num("next", f64::from(year + 1))
            .num("campaigns", campaigns as f64)
            .num("points", points as f64)
            .num("drives", drives as f64),
    ))
}

/// The account the terminal demo signs in to the dashboard with.
pub const DEMO_COMMITTEE: &str = "demo-committee";

/// `chat --demo`: the dashboard served next to the terminal, and a sign-in link to it for
/// the demo's committee account (an admin, granted and audited as `admin grant` does). An
/// address already taken is said in one line; the chat goes on without the dashboard.
async fn demo_dashboard(
    app: &App,
    tasks: &mut tokio::task::JoinSet<(&'static str, anyhow::Result<()>)>,
    stop: watch::Receiver<bool>,
) -> anyhow::Result<String> {
    use crate::messages::{Msg, MsgId};
    let say = |m: Msg| app.catalogue().render(app.config().language, &m);
    if let Err(e) = service::serve_web(app, Default::default(), tasks, stop).await {
        return Ok(say(Msg::new(MsgId::DemoDashboardUnavailable)
            .str("addr", app.config().listen_addr.to_string())
            .str("error", format!("{:#}", e.root_cause()))));
    }
    app.set_role_for_account(
        ChannelKind::Terminal,
        DEMO_COMMITTEE,
        crate::domain::club::Role::Admin,
        true,
    )
    .await?;
    let link = app
        .dashboard_link_for_account(ChannelKind::Terminal, DEMO_COMMITTEE)
        .await?
        .context("the demo's committee account may not use the dashboard")?;
    Ok(say(Msg::new(MsgId::DemoDashboard)
        .str("link", link)
        .str("account", format!("terminal:{DEMO_COMMITTEE}"))))
}

async fn wait_until_delivered(
    app: &App,
    scope: &Scope,
    delivered: &mut watch::Receiver<u64>,
) -> anyhow::Result<()> {
    // Only what would go now: rows held by quiet hours, or due later, do not block the prompt.
    loop {
        let now = app.clock().now();
        let lane = crate::delivery::max_lane(app, now);
        if app
            .store()
            .unsent_due(scope, now.timestamp_millis(), lane)
            .await?
            == 0
        {
            break;
        }
        tokio::select! {
            _ = delivered.changed() => {}
            _ = tokio::time::sleep(Duration::from_millis(200)) => {}
        }
    }
    Ok(())
}

async fn serve(config: Config) -> anyhow::Result<()> {
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
    fn now_is_read_in_vietnam_time() {
        let t = parse_now("2027-01-05T09:30").unwrap();
        assert_eq!(t.to_rfc3339(), "2027-01-05T02:30:00+00:00");
        assert_eq!(
            parse_now("2027-01-05").unwrap().to_rfc3339(),
            "2027-01-05T02:00:00+00:00"
        );
        assert!(parse_now("tomorrow").is_err());
        assert!(parse_now("2027-02-30").is_err());
    }

    /// Issue 31: `/clock 2026-12-06T23:00` answered 22:59, the offset having lost the
    /// jump's fraction of a millisecond when stored.
    #[test]
    fn a_jump_lands_on_the_minute_asked_for() {
        let now = parse_now("2026-12-06T09:00").unwrap() + chrono::Duration::microseconds(1_234);
        let to = parse_now("2026-12-06T23:00").unwrap();
        let by = parse_shift("2026-12-06T23:00", now).unwrap();
        let landed = now + chrono::Duration::milliseconds(ms_up(by));
        assert!(landed >= to && landed - to < chrono::Duration::milliseconds(1));
        assert_eq!(ms_up(chrono::Duration::milliseconds(5)), 5);
        assert_eq!(ms_up(chrono::Duration::microseconds(-1_500)), -1);
    }

    #[test]
    fn every_subcommand_has_help() {
        use clap::CommandFactory;
        let mut cmd = Cli::command();
        cmd.build();
        // Every command at every depth, and every argument of each (issue 31: `plan load
        // <FILE>` and `plan target <WORDS>` were listed without a word).
        fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
            for sub in cmd.get_subcommands() {
                let here = format!("{path} {}", sub.get_name());
                if sub.get_about().is_none() {
                    missing.push(here.clone());
                }
                for arg in sub.get_arguments() {
                    let id = arg.get_id().as_str();
                    if arg.get_help().is_none() && !["help", "version"].contains(&id) {
                        missing.push(format!("{here} <{id}>"));
                    }
                }
                walk(sub, &here, missing);
            }
        }
        let mut missing = Vec::new();
        walk(&cmd, "hienmau", &mut missing);
        assert!(missing.is_empty(), "no help for: {missing:#?}");
    }
}

/// An error and its causes on one line, each cause once: libraries often repeat their
/// source's text in their own message, and `{:#}` would print it again.
pub fn error_chain(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if out.contains(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}

#[cfg(test)]
mod clock_tests {
    use super::*;

    #[test]
    fn clock_arguments_say_what_is_wrong() {
        let now = parse_now("2026-11-22T09:00").unwrap();
        assert_eq!(parse_shift("+2h", now), Ok(chrono::Duration::hours(2)));
        assert_eq!(parse_shift("+3d", now), Ok(chrono::Duration::days(3)));
        assert_eq!(
            parse_shift("2026-11-22T10:30", now),
            Ok(chrono::Duration::minutes(90))
        );
        assert_eq!(parse_shift("2026-11-21", now), Err(ShiftError::Backwards));
        assert_eq!(
            parse_shift("2026-11-22T09:00", now),
            Err(ShiftError::Backwards)
        );
        assert_eq!(parse_shift("+20000d", now), Err(ShiftError::TooFar));
        for bad in ["sau", "+", "+0h", "+-2h", "+2y", "", "+2"] {
            assert_eq!(
                parse_shift(bad, now),
                Err(ShiftError::Unreadable),
                "{bad:?}"
            );
        }
    }
}

#[cfg(test)]
mod error_tests {
    #[test]
    fn a_cause_repeated_by_its_wrapper_is_printed_once() {
        let inner = std::io::Error::other("table donors already exists");
        let e = anyhow::Error::new(inner)
            .context("while executing migration 1: table donors already exists")
            .context("applying migrations");
        assert_eq!(
            super::error_chain(&e),
            "applying migrations: while executing migration 1: table donors already exists"
        );
    }
}
