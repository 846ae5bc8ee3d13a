//! The command line: one binary, `hienmau`, with a subcommand per job. The clap types and
//! the dispatch are here; each family of commands is in its own file, and every command
//! that works on the database opens it, runs and closes it through [`with_app`].

mod admin;
mod campaigns;
mod chat;
mod donations;
mod ops;
mod plan;

pub use admin::{admin, audit, dashboard, stock};
pub use campaigns::campaigns;
pub use chat::{DEMO_COMMITTEE, chat, load_demo};
pub use donations::{donations, import_donations, import_donations_with};
pub use ops::{backup, check_config, copy_database, restore, status_report};
pub use plan::{plan, report};

use crate::app::{App, SystemClock};
use crate::config::Config;
use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use clap::{Parser, Subcommand};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

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
        /// An admin or coordinator of one province only ("Hải Phòng", "hai-phong"); without
        /// it the role holds for the whole country. Repeat the grant for another province.
        #[arg(long)]
        province: Option<String>,
    },
    /// Take a role from an account.
    Revoke {
        /// admin, coordinator or leader.
        role: String,
        /// The account as CHANNEL:ID, as for `grant`.
        account: String,
        /// Only the grant for this province; without it every grant of the role goes.
        #[arg(long)]
        province: Option<String>,
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
        /// One province's plan ("Hải Phòng", hai-phong): its targets, and the province of
        /// its units that name none. Without it the plan is the whole deployment's.
        #[arg(long)]
        province: Option<String>,
    },
    /// Where the province and each unit stand against the plan today: units of blood (250 ml
    /// each), against the same day last year, by month, the repeat share, people reached,
    /// the share of the population; units behind their pace flagged. The whole country by
    /// default (`--nation`): the provinces' plans added up, and each province's line.
    Report {
        /// The year (default: this year).
        #[arg(long)]
        year: Option<i32>,
        /// One CSV row for the province, one per month and one per unit.
        #[arg(long)]
        csv: bool,
        /// One province only.
        #[arg(long, conflicts_with = "nation")]
        province: Option<String>,
        /// The whole country, each province on its line (the default).
        #[arg(long)]
        nation: bool,
    },
    /// Set one of the year's targets, as in chat (`/chitieu`): `hienmau plan target 2026 đơn
    /// vị 30000`, `… người 58000-61000`, `… nhắc lại 70%`, `… dân số 2100000`, `… tỷ lệ
    /// 1,1%`, `… đợt 160` (English: units, people, repeat, population, share, drives).
    Target {
        /// One province's plan; without it the whole deployment's.
        #[arg(long)]
        province: Option<String>,
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

/// `hienmau stock set|list`.
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

async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = Config::from_env(cli.config.as_deref())?;
    match cli.command {
        Command::Chat { user, now, demo } => chat::terminal(config, &user, now, demo).await,
        Command::Serve => ops::serve(config).await,
        Command::Status => {
            let c = config.clone();
            with_app(config, async |app| status_report(app, &c).await).await
        }
        Command::Campaigns { action } => {
            with_app(config, async |app| campaigns(app, action, today(app)).await).await
        }
        Command::Donations {
            action: DonationAction::Import { file, accept_early },
        } => {
            with_app(config, async |app| {
                import_donations_with(app, &file, accept_early).await
            })
            .await
        }
        Command::Donations { action } => {
            with_app(config, async |app| donations(app, action).await).await
        }
        Command::Admin { action } => with_app(config, async |app| admin(app, action).await).await,
        Command::Dashboard { action } => {
            with_app(config, async |app| dashboard(app, action).await).await
        }
        Command::Stock { action } => with_app(config, async |app| stock(app, action).await).await,
        Command::Report { year, csv } => {
            with_app(config, async |app| report(app, year, csv).await).await
        }
        Command::Plan { action } => {
            with_app(config, async |app| plan(app, action, today(app)).await).await
        }
        Command::Audit { csv } => with_app(config, async |app| audit(app, csv).await).await,
        Command::Db {
            action: DbAction::Copy { from, to },
        } => print_out(copy_database(&from, &to).await),
        Command::Backup { file } => with_app(config, async |app| backup(app, &file).await).await,
        Command::Restore { file } => print_out(restore(&config, &file, Utc::now()).await),
        Command::CheckConfig => print_out(check_config(&config, cli.config.as_deref()).await),
        Command::Migrate => {
            with_app(config, async |app| {
                let _ = app;
                Ok("database is up to date\n".to_string())
            })
            .await
        }
    }
}

/// Open the database (migrating it), run one command on it, close it, print what it
/// says: the sequence of every command that works on the data.
async fn with_app(
    config: Config,
    command: impl AsyncFnOnce(&App) -> anyhow::Result<String>,
) -> anyhow::Result<()> {
    let app = App::open(config, Arc::new(SystemClock)).await?;
    let result = command(&app).await;
    app.store().close().await;
    print_out(result)
}

/// A command's text on standard output, without control characters (a club's name cannot
/// clear the screen); its error goes back to `main`.
fn print_out(result: anyhow::Result<String>) -> anyhow::Result<()> {
    print!("{}", crate::domain::text::plain(&result?));
    Ok(())
}

/// Today where the deployment is.
fn today(app: &App) -> NaiveDate {
    app.clock()
        .now()
        .with_timezone(&app.config().timezone)
        .date_naive()
}

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

/// A province as typed on the command line: its code (`hai-phong`) or its name, with or
/// without diacritics (`Hải Phòng`, `hai phong`).
pub(crate) fn province_arg(typed: &str) -> anyhow::Result<crate::domain::province::Province> {
    use crate::domain::province::{Province, ProvinceMatch};
    if let Some(p) = Province::from_code(typed.trim()) {
        return Ok(p);
    }
    match Province::find(typed) {
        ProvinceMatch::One { province, .. } => Ok(province),
        ProvinceMatch::Many(list) => anyhow::bail!(
            "{typed:?} could be {}: say which",
            list.iter().map(|p| p.name()).collect::<Vec<_>>().join(", ")
        ),
        ProvinceMatch::None => anyhow::bail!(
            "{typed:?} is not one of the 34 provinces and cities (e.g. \"Hải Phòng\" or hai-phong)"
        ),
    }
}
