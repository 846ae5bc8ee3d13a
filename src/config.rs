//! Configuration: an optional TOML file (`--config FILE` or `HIENMAU_CONFIG`), then
//! environment variables with plain names, which win. Secrets (tokens) come from the
//! environment only, so a config file can be committed and shared.

use crate::domain::channel::{Channel, ChannelKind};
use crate::domain::drive::ReminderRule;
use crate::domain::eligibility::Rules;
use crate::domain::province::Province;
use crate::domain::quiet::QuietHours;
use anyhow::{Context, bail};
use chrono_tz::Tz;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

pub mod zns;
pub use zns::ZnsConfig;

#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    pub timezone: Tz,
    /// Who holds the donors' data, named in the consent text.
    pub org_name: String,
    /// The language of what the command line, reports and CSV files say (Vietnamese first).
    pub language: crate::messages::Lang,
    /// The Telegram bots: the deployment's own (`TELEGRAM_BOT_TOKEN`) first, then the
    /// named ones (`[accounts.telegram.NAME]`).
    pub telegram: Vec<Account<TelegramConfig>>,
    /// The Zalo Bot Platform bots, the same way.
    pub zalo_bot: Vec<Account<ZaloBotConfig>>,
    /// The Zalo Official Accounts, the same way.
    pub zalo_oa: Vec<Account<ZaloOaConfig>>,
    /// Template messages (ZNS) through the Zalo OA (`[zns]`).
    pub zns: Option<ZnsConfig>,
    /// How donations count as units of blood (`[blood_units]`).
    pub blood_units: crate::domain::plan::UnitConvention,
    pub listen_addr: SocketAddr,
    /// `/metrics` answers only with `Authorization: Bearer <this>` (`HIENMAU_METRICS_TOKEN`,
    /// environment only); without it, `/metrics` does not exist.
    pub metrics_token: Option<Secret>,
    /// Scheduled backups (`[backup]`, `HIENMAU_BACKUP_DIR`…): none unless a folder is set.
    pub backup: Option<BackupConfig>,
    /// The dashboard's public address (`https://hienmau.example.vn`), for sign-in links and
    /// `Secure` cookies; `None`: the address the server binds.
    pub public_url: Option<String>,
    pub rules: Rules,
    pub delivery: DeliveryConfig,
    pub limits: Limits,
    /// No non-urgent message goes out in this window (`None`: quiet hours off).
    pub quiet_hours: Option<QuietHours>,
    pub broadcast: BroadcastConfig,
    /// Accounts made admins at start (`telegram:123`, `zalo:…`, `terminal:lan`).
    pub admins: Vec<String>,
    pub scheduler: SchedulerConfig,
    /// Urgent call-outs: waves, margin, rest, deadlines (`[callouts]`).
    pub callouts: crate::domain::callout::WavePolicy,
}

/// The scheduler, as written in the file's `[scheduler]` table.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SchedulerFile {
    /// Reminders before a drive: `3d@09:00` (3 days before at 09:00), `1d@19:00`, `2h`, `45m`.
    pub reminders: Vec<String>,
    /// Cron expressions (sec min hour day month weekday), in the configured time zone.
    pub eligible_again: String,
    pub campaign_open: String,
    pub honours_day: String,
    /// Alert the reserve clubs about groups below their stock threshold.
    pub stock_alert: String,
    /// Donation counts congratulated (domain.md: 1 is the first donation).
    pub milestones: Vec<i64>,
    /// How often due jobs are looked for.
    pub tick_ms: u64,
}

impl Default for SchedulerFile {
    fn default() -> Self {
        SchedulerFile {
            reminders: vec!["3d@09:00".into(), "1d@19:00".into(), "2h".into()],
            eligible_again: "0 0 8 * * *".into(),
            campaign_open: "0 30 8 * * *".into(),
            honours_day: "0 0 9 14 6 *".into(),
            stock_alert: "0 0 9 * * *".into(),
            milestones: vec![1, 5, 10, 15, 20, 30, 40, 50, 70, 100],
            tick_ms: 1000,
        }
    }
}

/// The scheduler's settings, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct SchedulerConfig {
    pub reminders: Vec<ReminderRule>,
    /// (name, expression, schedule) of each recurring job.
    pub crons: Vec<(&'static str, String, cron::Schedule)>,
    pub milestones: Vec<i64>,
    pub tick_ms: u64,
}

impl SchedulerConfig {
    pub fn from_file(f: SchedulerFile) -> anyhow::Result<SchedulerConfig> {
        let mut reminders = Vec::new();
        for r in &f.reminders {
            reminders.push(ReminderRule::parse(r).ok_or_else(|| {
                anyhow::anyhow!("scheduler.reminders: {r:?} is not like 3d@09:00, 2h or 45m")
            })?);
        }
        let mut crons = Vec::new();
        for (name, expr) in [
            ("eligible_again", &f.eligible_again),
            ("campaign_open", &f.campaign_open),
            ("honours_day", &f.honours_day),
            ("stock_alert", &f.stock_alert),
        ] {
            if expr.trim().eq_ignore_ascii_case("off") {
                continue;
            }
            let schedule = cron::Schedule::from_str(expr).map_err(|e| {
                anyhow::anyhow!(
                    "scheduler.{name}: {expr:?} is not a cron expression \
                     (sec min hour day month weekday): {e}"
                )
            })?;
            crons.push((name, expr.clone(), schedule));
        }
        if f.milestones.iter().any(|m| *m <= 0) {
            bail!("scheduler.milestones: counts must be positive");
        }
        if f.tick_ms == 0 {
            bail!("scheduler.tick_ms must be at least 1");
        }
        Ok(SchedulerConfig {
            reminders,
            crons,
            milestones: f.milestones,
            tick_ms: f.tick_ms,
        })
    }
}

impl Default for SchedulerConfig {
    fn default() -> Self {
        SchedulerConfig::from_file(SchedulerFile::default())
            .unwrap_or_else(|e| unreachable!("the default scheduler settings are valid: {e}"))
    }
}

/// Broadcasts by club leaders and coordinators.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BroadcastConfig {
    /// Broadcasts one person may start in a day (coordinators and admins included).
    pub daily_cap: u32,
    /// How often a sender is told how far a broadcast has gone (the final summary always
    /// comes).
    pub progress_every_secs: u64,
}

impl Default for BroadcastConfig {
    fn default() -> Self {
        BroadcastConfig {
            daily_cap: 3,
            progress_every_secs: 60,
        }
    }
}

/// Abuse limits.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Messages one account may send a minute; beyond that they are dropped, with one
    /// polite notice a minute, so one person cannot slow the bot down for everyone.
    pub inbound_per_minute: u32,
    /// Connections the web server (dashboard, webhooks) holds at once; one more is closed
    /// as soon as it is accepted, so that idle sockets cannot use up the process's files.
    pub web_connections: usize,
    /// Seconds a connection may take to send a request's headers, and may stay idle
    /// between requests (a slow or silent client is closed).
    pub web_header_secs: u64,
    /// Seconds a request may take, its body included (answered 503 after that).
    pub web_request_secs: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            inbound_per_minute: 30,
            web_connections: 512,
            web_header_secs: 10,
            web_request_secs: 120,
        }
    }
}

/// One chat account of the deployment: which channel it is, the province of the people who
/// write to it (a province's own OA or bot: a newcomer is offered it first), and its pacing
/// when it differs from its platform's (`[delivery]`).
#[derive(Debug, Clone)]
pub struct Account<C> {
    pub channel: Channel,
    pub province: Option<Province>,
    /// Messages per second over all its chats, if not its platform's default.
    pub per_second: Option<f64>,
    /// Time between two messages to one chat, if not its platform's default.
    pub chat_interval_ms: Option<u64>,
    pub settings: C,
}

impl<C> Account<C> {
    /// The deployment's own account on a platform: no province, its platform's pacing.
    fn own(kind: ChannelKind, settings: C) -> Account<C> {
        Account {
            channel: Channel::of(kind),
            province: None,
            per_second: None,
            chat_interval_ms: None,
            settings,
        }
    }
}

impl Account<BotConfig> {
    /// The local path its webhook is served at, if it takes webhooks ([`webhook_path`]).
    pub fn webhook_path(&self) -> Option<String> {
        let url = self.settings.webhook_url.as_ref()?;
        Some(webhook_path(self.channel, url))
    }
}

/// `[accounts.PLATFORM.NAME]` in the file: an account beside the deployment's own, with the
/// settings that are not secret (its secrets come from the environment, under names made of
/// the platform's prefix and the account's name: `TELEGRAM_QUANG_NINH_BOT_TOKEN`).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct AccountFile {
    /// The province of the people who write to it ("Quảng Ninh", with or without marks).
    province: Option<String>,
    per_second: Option<f64>,
    chat_interval_ms: Option<u64>,
    /// Telegram, Zalo bot: where the API is, and the public webhook URL (polling without).
    api_url: Option<String>,
    webhook_url: Option<String>,
    /// Zalo OA: the app, its OA's id, the signature's variant, the local webhook path, and
    /// where its APIs are.
    app_id: Option<String>,
    oa_id: Option<String>,
    signature: Option<String>,
    webhook_path: Option<String>,
    oauth_url: Option<String>,
}

/// The platforms' tables under `[accounts]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct AccountsFile {
    #[serde(default)]
    telegram: std::collections::BTreeMap<String, AccountFile>,
    #[serde(default)]
    zalo: std::collections::BTreeMap<String, AccountFile>,
    #[serde(default)]
    zalo_oa: std::collections::BTreeMap<String, AccountFile>,
}

/// A Telegram-style bot API (Telegram, Zalo Bot Platform): a token, where the API is, and
/// optionally a webhook.
#[derive(Clone)]
pub struct BotConfig {
    pub token: String,
    pub api_url: reqwest::Url,
    /// Public HTTPS URL of the webhook; long polling when unset.
    pub webhook_url: Option<reqwest::Url>,
    pub webhook_secret: Option<String>,
}

/// A secret from the environment: never printed (`Debug` says it is set, nothing more).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(set)")
    }
}

pub type TelegramConfig = BotConfig;
pub type ZaloBotConfig = BotConfig;

impl std::fmt::Debug for BotConfig {
    // Never print the token or the secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BotConfig")
            .field("api_url", &self.api_url.as_str())
            .field(
                "webhook_url",
                &self.webhook_url.as_ref().map(|u| u.as_str()),
            )
            .finish_non_exhaustive()
    }
}

/// What a webhook secret must be, and how to say so.
type SecretRule = (fn(&str) -> bool, &'static str);

/// Read `{PREFIX}_BOT_TOKEN`, `{PREFIX}_API_URL`, `{PREFIX}_WEBHOOK_URL` and
/// `{PREFIX}_WEBHOOK_SECRET`; `None` without a token.
fn bot_config(
    env: &impl Fn(&str) -> Option<String>,
    prefix: &str,
    default_api: &str,
    file: (Option<String>, Option<String>),
    secret_rule: SecretRule,
) -> anyhow::Result<Option<BotConfig>> {
    let var = |suffix: &str| format!("{prefix}_{suffix}");
    let Some(token) = env(&var("BOT_TOKEN")).filter(|t| !t.trim().is_empty()) else {
        return Ok(None);
    };
    let pick = |name: &str, from_file: Option<String>| {
        env(name).filter(|v| !v.trim().is_empty()).or(from_file)
    };
    let api = pick(&var("API_URL"), file.0).unwrap_or_else(|| default_api.into());
    let api_url = reqwest::Url::parse(&api)
        .with_context(|| format!("{}: {api:?} is not a URL", var("API_URL")))?;
    let webhook_url = pick(&var("WEBHOOK_URL"), file.1)
        .map(|u| {
            reqwest::Url::parse(&u)
                .with_context(|| format!("{}: {u:?} is not a URL", var("WEBHOOK_URL")))
        })
        .transpose()?;
    let webhook_secret = env(&var("WEBHOOK_SECRET")).filter(|s| !s.is_empty());
    if webhook_url.is_some() {
        match &webhook_secret {
            None => bail!(
                "{} is set: set {} too",
                var("WEBHOOK_URL"),
                var("WEBHOOK_SECRET")
            ),
            Some(s) if !(secret_rule.0)(s) => {
                bail!("{}: {}", var("WEBHOOK_SECRET"), secret_rule.1)
            }
            Some(_) => {}
        }
    }
    Ok(Some(BotConfig {
        token,
        api_url,
        webhook_url,
        webhook_secret,
    }))
}

/// A Zalo Official Account (Open API v3), for Red Cross chapters and blood centres.
#[derive(Clone)]
pub struct ZaloOaConfig {
    pub app_id: String,
    /// What its variables' names begin with (`ZALO_OA_`, `ZALO_OA_QUANG_NINH_`), to name them
    /// in what the operator reads.
    pub env_prefix: String,
    /// The OA secret key: signs webhook events.
    pub secret_key: String,
    /// The app secret: authenticates token refreshes.
    pub app_secret: String,
    /// First-start tokens; once tokens are stored, the stored ones win.
    pub access_token: Option<String>,
    pub refresh_token: Option<String>,
    pub api_url: reqwest::Url,
    pub oauth_url: reqwest::Url,
    /// Local path of the webhook set in the Zalo developer console.
    pub webhook_path: String,
    /// Which id and key sign webhook events (sources disagree; the documented one by default).
    pub signature: SignatureVariant,
    /// The OA's own id, for the signature variants that use it.
    pub oa_id: Option<String>,
}

/// What the SHA-256 of a Zalo OA webhook signature is taken over, besides the raw body and
/// the body's `timestamp`: an id first and a key last (`ZALO_OA_SIGNATURE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignatureVariant {
    /// The OA's id instead of the app id.
    pub oa_id: bool,
    /// The app secret instead of the OA secret key.
    pub app_secret: bool,
}

impl SignatureVariant {
    /// The variant in Zalo's OA documentation: app id, body, timestamp, OA secret key.
    pub const DOCUMENTED: SignatureVariant = SignatureVariant {
        oa_id: false,
        app_secret: false,
    };

    /// `app_id+oa_secret` (default), `app_id+app_secret`, `oa_id+oa_secret`, `oa_id+app_secret`.
    pub fn parse(s: &str) -> Option<SignatureVariant> {
        let (id, key) = s.trim().split_once('+')?;
        let oa_id = match id {
            "app_id" => false,
            "oa_id" => true,
            _ => return None,
        };
        let app_secret = match key {
            "oa_secret" => false,
            "app_secret" => true,
            _ => return None,
        };
        Some(SignatureVariant { oa_id, app_secret })
    }
}

impl std::fmt::Debug for ZaloOaConfig {
    // Never print secrets or tokens.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ZaloOaConfig")
            .field("app_id", &self.app_id)
            .field("api_url", &self.api_url.as_str())
            .field("webhook_path", &self.webhook_path)
            .finish_non_exhaustive()
    }
}

/// How the delivery worker paces each platform.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default)]
pub struct DeliveryConfig {
    /// Telegram: messages per second over all chats (Bot FAQ: about 30; the default keeps a
    /// small margin below it, so no second ever holds more than 30).
    pub telegram_per_second: f64,
    /// Telegram: minimum time between two messages to one chat (Bot FAQ: 1 s).
    pub telegram_chat_interval_ms: u64,
    /// Zalo Bot Platform: messages per second overall. Its quotas are not published
    /// (*unconfirmed*): a cautious default.
    pub zalo_per_second: f64,
    /// Zalo Bot Platform: minimum time between two messages to one chat.
    pub zalo_chat_interval_ms: u64,
    /// Attempts before a row is given up as failed (429 waits do not count).
    pub max_attempts: u32,
    /// Requests in flight at once, over all channels.
    pub max_in_flight: usize,
    /// First retry delay after a transient error; doubles each attempt.
    pub retry_base_ms: u64,
    /// How often the worker looks for rows written by other processes.
    pub poll_interval_ms: u64,
    /// What a notice or broadcast row interrupted mid-send (the process stopped between
    /// handing it to the platform and recording the answer) becomes at the next start.
    /// Urgent call-outs and replies are always sent again.
    pub interrupted_bulk: Interrupted,
    /// PostgreSQL, several instances: how long a row claimed for sending stays with the
    /// instance that claimed it. Past it, that instance is taken to have died and another
    /// settles the row as a restart would (`interrupted_bulk`). The instance renews its
    /// rows' leases every third of it while it lives, so it bounds how long a dead
    /// instance's rows wait, not how long a send may take.
    pub lease_ms: u64,
}

/// What becomes of a row that was being sent when the process stopped: the platform may or
/// may not have it, and no platform can be asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Interrupted {
    /// Not sent again: counted "uncertain" in the sender's summary and `hienmau status`
    /// (no duplicate; a row the platform never received is not sent either).
    Report,
    /// Sent again (never lost; a duplicate when the platform had it).
    Resend,
}

impl Interrupted {
    pub fn parse(s: &str) -> Option<Interrupted> {
        match s.trim().to_ascii_lowercase().as_str() {
            "report" => Some(Interrupted::Report),
            "resend" => Some(Interrupted::Resend),
            _ => None,
        }
    }
}

impl Default for DeliveryConfig {
    fn default() -> Self {
        DeliveryConfig {
            telegram_per_second: 29.4,
            telegram_chat_interval_ms: 1000,
            zalo_per_second: 19.6,
            zalo_chat_interval_ms: 1000,
            max_attempts: 8,
            max_in_flight: 32,
            retry_base_ms: 2000,
            poll_interval_ms: 500,
            interrupted_bulk: Interrupted::Report,
            lease_ms: 15_000,
        }
    }
}

impl DeliveryConfig {
    /// No pacing at all, for benchmarks against a fake server and for tests that are not
    /// about pacing.
    pub fn unlimited() -> Self {
        DeliveryConfig {
            telegram_per_second: 0.0,
            telegram_chat_interval_ms: 0,
            zalo_per_second: 0.0,
            zalo_chat_interval_ms: 0,
            retry_base_ms: 50,
            poll_interval_ms: 50,
            ..DeliveryConfig::default()
        }
    }

    pub fn retry_delay(&self, attempt: u32) -> Duration {
        let factor = 1u64 << attempt.saturating_sub(1).min(10);
        Duration::from_millis(self.retry_base_ms.saturating_mul(factor))
            .min(Duration::from_secs(600))
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    database_url: Option<String>,
    timezone: Option<String>,
    org_name: Option<String>,
    language: Option<String>,
    listen_addr: Option<String>,
    public_url: Option<String>,
    telegram_api_url: Option<String>,
    telegram_webhook_url: Option<String>,
    zalo_api_url: Option<String>,
    zalo_webhook_url: Option<String>,
    eligibility: Option<Rules>,
    delivery: Option<DeliveryConfig>,
    limits: Option<Limits>,
    /// "21:00-07:00", or "off".
    quiet_hours: Option<String>,
    broadcast: Option<BroadcastConfig>,
    admins: Option<Vec<String>>,
    scheduler: Option<SchedulerFile>,
    callouts: Option<crate::domain::callout::WavePolicy>,
    zns: Option<zns::ZnsFile>,
    blood_units: Option<crate::domain::plan::UnitConvention>,
    backup: Option<BackupFile>,
    accounts: Option<AccountsFile>,
}

/// `[backup]` in the file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct BackupFile {
    dir: Option<PathBuf>,
    every_hours: Option<u64>,
    keep: Option<usize>,
}

/// Backups taken by `serve` itself: one at start, then every `every`, into `dir`, the
/// newest `keep` kept (SQLite; PostgreSQL has its own tools).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupConfig {
    pub dir: PathBuf,
    pub every: Duration,
    pub keep: usize,
}

pub const DEFAULT_DATABASE_URL: &str = "sqlite://hienmau.db";
pub const DEFAULT_TELEGRAM_API_URL: &str = "https://api.telegram.org";
pub const DEFAULT_ZALO_API_URL: &str = "https://bot-api.zaloplatforms.com";
pub const DEFAULT_ZALO_OA_API_URL: &str = "https://openapi.zalo.me";
pub const DEFAULT_ZALO_OA_OAUTH_URL: &str = "https://oauth.zaloapp.com";

impl Config {
    /// Read the file (if any), then the environment through `env`.
    pub fn load(
        file: Option<&Path>,
        env: impl Fn(&str) -> Option<String>,
    ) -> anyhow::Result<Config> {
        let fc = read_file(file)?;
        let pick = |name: &str, from_file: Option<String>| {
            env(name).filter(|v| !v.trim().is_empty()).or(from_file)
        };

        let database_url =
            pick("DATABASE_URL", fc.database_url).unwrap_or_else(|| DEFAULT_DATABASE_URL.into());
        let tz_name =
            pick("HIENMAU_TIMEZONE", fc.timezone).unwrap_or_else(|| "Asia/Ho_Chi_Minh".into());
        let timezone: Tz = tz_name
            .parse()
            .map_err(|_| anyhow::anyhow!("HIENMAU_TIMEZONE: unknown time zone {tz_name:?}"))?;
        let org_name = pick("HIENMAU_ORG_NAME", fc.org_name)
            .unwrap_or_else(|| "Ban Chỉ đạo vận động hiến máu tình nguyện".into());
        let lang_code = pick("HIENMAU_LANGUAGE", fc.language).unwrap_or_else(|| "vi".into());
        let language = crate::messages::Lang::from_code(&lang_code)
            .ok_or_else(|| anyhow::anyhow!("HIENMAU_LANGUAGE: {lang_code:?} is not vi or en"))?;
        let listen =
            pick("HIENMAU_LISTEN", fc.listen_addr).unwrap_or_else(|| "127.0.0.1:8080".into());
        let listen_addr: SocketAddr = listen
            .parse()
            .with_context(|| format!("HIENMAU_LISTEN: {listen:?} is not host:port"))?;
        let public_url = public_url(pick("HIENMAU_PUBLIC_URL", fc.public_url))?;

        let telegram_secret: SecretRule = (
            valid_webhook_secret,
            "1–256 characters of A-Z, a-z, 0-9, _ and -",
        );
        let zalo_secret: SecretRule = (
            |s| (8..=256).contains(&s.chars().count()),
            "8 to 256 characters",
        );
        let mut telegram: Vec<_> = bot_config(
            &env,
            "TELEGRAM",
            DEFAULT_TELEGRAM_API_URL,
            (fc.telegram_api_url, fc.telegram_webhook_url),
            telegram_secret,
        )?
        .map(|c| Account::own(ChannelKind::Telegram, c))
        .into_iter()
        .collect();
        let mut zalo_bot: Vec<_> = bot_config(
            &env,
            "ZALO",
            DEFAULT_ZALO_API_URL,
            (fc.zalo_api_url, fc.zalo_webhook_url),
            zalo_secret,
        )?
        .map(|c| Account::own(ChannelKind::Zalo, c))
        .into_iter()
        .collect();
        let oa_env = |name: &str| env(&format!("ZALO_OA_{name}"));
        let mut zalo_oa: Vec<_> = zalo_oa_config(&oa_env, "ZALO_OA_", &AccountFile::default())?
            .map(|c| Account::own(ChannelKind::ZaloOa, c))
            .into_iter()
            .collect();
        let accounts = fc.accounts.unwrap_or_default();
        for (name, file) in &accounts.telegram {
            telegram.push(named_bot(
                &env,
                ChannelKind::Telegram,
                name,
                file,
                telegram_secret,
            )?);
        }
        for (name, file) in &accounts.zalo {
            zalo_bot.push(named_bot(&env, ChannelKind::Zalo, name, file, zalo_secret)?);
        }
        for (name, file) in &accounts.zalo_oa {
            zalo_oa.push(named_oa(&env, name, file)?);
        }
        distinct_webhooks(&telegram, &zalo_bot, &zalo_oa)?;
        let zns = match fc.zns {
            None => None,
            Some(f) => Some(ZnsConfig::from_file(
                f,
                env("ZALO_ZNS_API_URL").filter(|v| !v.trim().is_empty()),
            )?),
        };
        if zns.as_ref().is_some_and(|z| !z.templates.is_empty())
            && !zalo_oa.iter().any(|a| a.channel.account().is_empty())
        {
            bail!(
                "[zns]: template messages go through a Zalo OA: set ZALO_OA_APP_ID and its secrets"
            );
        }

        let rules = fc.eligibility.unwrap_or_default();
        if rules.min_age > rules.max_age {
            bail!("eligibility: min_age is above max_age");
        }
        let delivery = delivery_config(fc.delivery.unwrap_or_default(), &env)?;
        let quiet =
            pick("HIENMAU_QUIET_HOURS", fc.quiet_hours).unwrap_or_else(|| "21:00-07:00".into());
        let quiet_hours = if quiet.trim().eq_ignore_ascii_case("off") {
            None
        } else {
            Some(QuietHours::parse(&quiet).ok_or_else(|| {
                anyhow::anyhow!("HIENMAU_QUIET_HOURS: {quiet:?} is not like 21:00-07:00 (or off)")
            })?)
        };
        let admins = admins(&env, fc.admins)?;
        let scheduler = SchedulerConfig::from_file(fc.scheduler.unwrap_or_default())?;
        let callouts = wave_policy(fc.callouts.unwrap_or_default())?;
        let blood_units = blood_units(fc.blood_units.unwrap_or_default())?;
        let limits = limits_config(fc.limits.unwrap_or_default(), &env)?;
        let backup = backup_config(fc.backup.unwrap_or_default(), &env)?;
        Ok(Config {
            scheduler,
            callouts,
            quiet_hours,
            broadcast: fc.broadcast.unwrap_or_default(),
            admins,
            database_url,
            timezone,
            org_name,
            language,
            telegram,
            zalo_bot,
            zalo_oa,
            zns,
            blood_units,
            listen_addr,
            public_url,
            rules,
            delivery,
            backup,
            metrics_token: env("HIENMAU_METRICS_TOKEN")
                .filter(|t| !t.trim().is_empty())
                .map(Secret),
            limits,
        })
    }

    pub fn from_env(file: Option<&Path>) -> anyhow::Result<Config> {
        Config::load(file, |k| std::env::var(k).ok())
    }

    /// Every chat account configured, by platform, the deployment's own first.
    pub fn channels(&self) -> Vec<Channel> {
        let bots = self
            .telegram
            .iter()
            .chain(&self.zalo_bot)
            .map(|a| a.channel);
        bots.chain(self.zalo_oa.iter().map(|a| a.channel)).collect()
    }

    /// Whether `channel` is one of this deployment's accounts (the terminal is always).
    pub fn has_channel(&self, channel: Channel) -> bool {
        channel.kind() == ChannelKind::Terminal || self.channels().contains(&channel)
    }

    /// The province of the people who write to `channel`, if its account has one.
    pub fn channel_province(&self, channel: Channel) -> Option<Province> {
        let bots = self.telegram.iter().chain(&self.zalo_bot);
        let mut all = bots
            .map(|a| (a.channel, a.province))
            .chain(self.zalo_oa.iter().map(|a| (a.channel, a.province)));
        all.find(|(c, _)| *c == channel).and_then(|(_, p)| p)
    }

    /// How `channel` is paced: messages per second over all its chats (0: unpaced) and the
    /// time between two messages to one chat — its account's own, else its platform's.
    pub fn pacing(&self, channel: Channel) -> (f64, Duration) {
        let d = &self.delivery;
        let (rate, interval) = match channel.kind() {
            ChannelKind::Telegram => (d.telegram_per_second, d.telegram_chat_interval_ms),
            ChannelKind::Zalo | ChannelKind::ZaloOa => (d.zalo_per_second, d.zalo_chat_interval_ms),
            ChannelKind::Terminal => (0.0, 0),
        };
        let bots = self.telegram.iter().chain(&self.zalo_bot);
        let own = bots
            .map(|a| (a.channel, a.per_second, a.chat_interval_ms))
            .chain(
                self.zalo_oa
                    .iter()
                    .map(|a| (a.channel, a.per_second, a.chat_interval_ms)),
            )
            .find(|(c, _, _)| *c == channel);
        let (rate, interval) = match own {
            Some((_, r, i)) => (r.unwrap_or(rate), i.unwrap_or(interval)),
            None => (rate, interval),
        };
        (rate, Duration::from_millis(interval))
    }
}

/// The public address, as given: an http(s) URL with a host, without its last `/`.
fn public_url(given: Option<String>) -> anyhow::Result<Option<String>> {
    Ok(match given {
        Some(u) => {
            let url = reqwest::Url::parse(&u)
                .with_context(|| format!("HIENMAU_PUBLIC_URL: {u:?} is not a URL"))?;
            if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
                bail!("HIENMAU_PUBLIC_URL: {u:?} is not an http(s) address");
            }
            Some(u.trim_end_matches('/').to_string())
        }
        None => None,
    })
}

/// `[blood_units]`: how many millilitres a unit is, and what apheresis counts as.
fn blood_units(
    blood_units: crate::domain::plan::UnitConvention,
) -> anyhow::Result<crate::domain::plan::UnitConvention> {
    if blood_units.unit_ml <= 0
        || blood_units.default_ml <= 0
        || !(0.0..=10.0).contains(&blood_units.apheresis_units)
    {
        bail!(
            "[blood_units]: unit_ml and default_ml must be positive (250 in Vietnam), \
             apheresis_units between 0 and 10"
        );
    }
    Ok(blood_units)
}

/// `[limits]`, with the web server's limits also from the environment (a systemd unit's).
fn limits_config(
    mut limits: Limits,
    env: &impl Fn(&str) -> Option<String>,
) -> anyhow::Result<Limits> {
    // The web server's limits, also from the environment (a systemd unit's).
    for (name, slot) in [
        ("HIENMAU_WEB_HEADER_TIMEOUT", &mut limits.web_header_secs),
        ("HIENMAU_WEB_REQUEST_TIMEOUT", &mut limits.web_request_secs),
    ] {
        if let Some(v) = env(name).filter(|v| !v.trim().is_empty()) {
            *slot = v
                .trim()
                .parse()
                .ok()
                .filter(|n| *n > 0)
                .with_context(|| format!("{name}: {v:?} is not a number of seconds"))?;
        }
    }
    if let Some(v) = env("HIENMAU_WEB_CONNECTIONS").filter(|v| !v.trim().is_empty()) {
        limits.web_connections = v
            .trim()
            .parse()
            .ok()
            .filter(|n| *n > 0)
            .with_context(|| format!("HIENMAU_WEB_CONNECTIONS: {v:?} is not a number"))?;
    }
    Ok(limits)
}

/// `[backup]`, or `HIENMAU_BACKUP_DIR` and its companions: `None` without a directory.
fn backup_config(
    backup_file: BackupFile,
    env: &impl Fn(&str) -> Option<String>,
) -> anyhow::Result<Option<BackupConfig>> {
    Ok(
        match env("HIENMAU_BACKUP_DIR")
            .filter(|v| !v.trim().is_empty())
            .map(PathBuf::from)
            .or(backup_file.dir)
        {
            None => None,
            Some(dir) => {
                let number = |name: &str, file: Option<u64>, default: u64| -> anyhow::Result<u64> {
                    match env(name).filter(|v| !v.trim().is_empty()) {
                        Some(v) => v
                            .trim()
                            .parse()
                            .ok()
                            .filter(|n| *n > 0)
                            .with_context(|| format!("{name}: {v:?} is not a positive number")),
                        None => Ok(file.unwrap_or(default).max(1)),
                    }
                };
                Some(BackupConfig {
                    dir,
                    every: Duration::from_secs(
                        3600 * number("HIENMAU_BACKUP_EVERY_HOURS", backup_file.every_hours, 24)?,
                    ),
                    keep: number(
                        "HIENMAU_BACKUP_KEEP",
                        backup_file.keep.map(|k| k as u64),
                        14,
                    )? as usize,
                })
            }
        },
    )
}

/// The configuration file, if one is given (an empty configuration otherwise).
fn read_file(file: Option<&Path>) -> anyhow::Result<FileConfig> {
    Ok(match file {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading config file {}", path.display()))?;
            toml::from_str(&text).with_context(|| format!("config file {}", path.display()))?
        }
        None => FileConfig::default(),
    })
}

/// A Zalo Official Account: the deployment's own when `ZALO_OA_APP_ID` is set (its secrets
/// are then required), a named one when its `[accounts.zalo_oa.NAME]` gives `app_id`.
/// `env(SUFFIX)` reads the account's variable (`ZALO_OA_SECRET_KEY`,
/// `ZALO_OA_QUANG_NINH_SECRET_KEY`), named `{prefix}SUFFIX` to the operator; a named
/// account's settings that are not secret come from `file` only.
fn zalo_oa_config(
    env: &impl Fn(&str) -> Option<String>,
    prefix: &str,
    file: &AccountFile,
) -> anyhow::Result<Option<ZaloOaConfig>> {
    let own = file.app_id.is_none();
    // The deployment's own account reads everything from the environment.
    let setting = |suffix: &str, from_file: &Option<String>| {
        if own {
            env(suffix).filter(|v| !v.trim().is_empty())
        } else {
            from_file.clone().filter(|v| !v.trim().is_empty())
        }
    };
    let Some(app_id) = setting("APP_ID", &file.app_id) else {
        return Ok(None);
    };
    let need = |name: &str| {
        env(name)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| anyhow::anyhow!("{prefix}APP_ID is set: set {prefix}{name} too"))
    };
    let url = |name: &str, from_file: &Option<String>, default: &str| {
        let u = setting(name, from_file).unwrap_or_else(|| default.into());
        reqwest::Url::parse(&u).with_context(|| format!("{prefix}{name}: {u:?} is not a URL"))
    };
    if own && env("MONTHLY_QUOTA").is_some() {
        // Zalo no longer sells a monthly quota of free-form proactive messages
        // (2026): the 7-day window and template messages replace it.
        tracing::warn!("ZALO_OA_MONTHLY_QUOTA is no longer used: see [zns] in docs/OPERATING.md");
    }
    let variant = setting("SIGNATURE", &file.signature);
    let signature = match &variant {
        None => SignatureVariant::DOCUMENTED,
        Some(v) => SignatureVariant::parse(v).ok_or_else(|| {
            anyhow::anyhow!(
                "{prefix}SIGNATURE: {v:?} is not app_id+oa_secret, app_id+app_secret, \
                 oa_id+oa_secret or oa_id+app_secret"
            )
        })?,
    };
    let oa_id = setting("ID", &file.oa_id);
    if signature.oa_id && oa_id.is_none() {
        bail!("{prefix}SIGNATURE uses the OA id: set {prefix}ID");
    }
    let webhook_path = setting("WEBHOOK_PATH", &file.webhook_path)
        .filter(|p| p.starts_with('/'))
        .unwrap_or_else(|| "/zalo-oa/webhook".into());
    Ok(Some(ZaloOaConfig {
        secret_key: need("SECRET_KEY")?,
        app_secret: need("APP_SECRET")?,
        access_token: env("ACCESS_TOKEN").filter(|v| !v.is_empty()),
        refresh_token: env("REFRESH_TOKEN").filter(|v| !v.is_empty()),
        api_url: url("API_URL", &file.api_url, DEFAULT_ZALO_OA_API_URL)?,
        oauth_url: url("OAUTH_URL", &file.oauth_url, DEFAULT_ZALO_OA_OAUTH_URL)?,
        webhook_path,
        signature,
        oa_id,
        app_id,
        env_prefix: prefix.to_string(),
    }))
}

/// A named account's channel, province and pacing, checked.
fn named_account<C>(
    kind: ChannelKind,
    name: &str,
    file: &AccountFile,
    settings: C,
) -> anyhow::Result<Account<C>> {
    let table = format!("[accounts.{}.{name}]", kind.code());
    let channel = Channel::named(kind, name).filter(|c| !c.account().is_empty());
    let Some(channel) = channel else {
        bail!("{table}: an account's name is 1–32 of a-z, 0-9 and inner -");
    };
    let province = match &file.province {
        None => None,
        Some(p) => match Province::find(p) {
            crate::domain::province::ProvinceMatch::One { province, .. } => Some(province),
            _ => bail!("{table}: province {p:?} is not one province (e.g. \"Quảng Ninh\")"),
        },
    };
    if file
        .per_second
        .is_some_and(|r| !(r >= 0.0 && r.is_finite()))
    {
        bail!("{table}: per_second must be 0 (unpaced) or more");
    }
    Ok(Account {
        channel,
        province,
        per_second: file.per_second,
        chat_interval_ms: file.chat_interval_ms,
        settings,
    })
}

/// The variables' prefix of account `name`: `TELEGRAM_QUANG_NINH`.
fn env_prefix(platform: &str, name: &str) -> String {
    format!("{platform}_{}", name.to_ascii_uppercase().replace('-', "_"))
}

/// `[accounts.telegram.NAME]` or `[accounts.zalo.NAME]`: its token (required) and webhook
/// secret from the environment, the rest from the file.
fn named_bot(
    env: &impl Fn(&str) -> Option<String>,
    kind: ChannelKind,
    name: &str,
    file: &AccountFile,
    secret_rule: SecretRule,
) -> anyhow::Result<Account<BotConfig>> {
    let (platform, default_api) = match kind {
        ChannelKind::Telegram => ("TELEGRAM", DEFAULT_TELEGRAM_API_URL),
        _ => ("ZALO", DEFAULT_ZALO_API_URL),
    };
    if file.app_id.is_some() || file.oa_id.is_some() || file.signature.is_some() {
        bail!(
            "[accounts.{}.{name}]: app_id, oa_id and signature are a Zalo OA's",
            kind.code()
        );
    }
    let prefix = env_prefix(platform, name);
    // Only its secrets from the environment: nothing else of a named account's can be
    // mistaken for another account's variable.
    let secrets = |var: &str| {
        (var.ends_with("_BOT_TOKEN") || var.ends_with("_WEBHOOK_SECRET"))
            .then(|| env(var))
            .flatten()
    };
    let settings = bot_config(
        &secrets,
        &prefix,
        default_api,
        (file.api_url.clone(), file.webhook_url.clone()),
        secret_rule,
    )?
    .ok_or_else(|| anyhow::anyhow!("[accounts.{}.{name}]: set {prefix}_BOT_TOKEN", kind.code()))?;
    named_account(kind, name, file, settings)
}

/// `[accounts.zalo_oa.NAME]`: its app id in the file (required), its secrets and first
/// tokens from `ZALO_OA_NAME_SECRET_KEY`, `…_APP_SECRET`, `…_ACCESS_TOKEN`, `…_REFRESH_TOKEN`.
fn named_oa(
    env: &impl Fn(&str) -> Option<String>,
    name: &str,
    file: &AccountFile,
) -> anyhow::Result<Account<ZaloOaConfig>> {
    let prefix = format!("{}_", env_prefix("ZALO_OA", name));
    if file.webhook_url.is_some() {
        bail!("[accounts.zalo_oa.{name}]: an OA's webhook is its webhook_path");
    }
    let secret = |suffix: &str| {
        matches!(
            suffix,
            "SECRET_KEY" | "APP_SECRET" | "ACCESS_TOKEN" | "REFRESH_TOKEN"
        )
        .then(|| env(&format!("{prefix}{suffix}")))
        .flatten()
    };
    let mut settings = zalo_oa_config(&secret, &prefix, file)?.ok_or_else(|| {
        anyhow::anyhow!("[accounts.zalo_oa.{name}]: set app_id (its Zalo app's id)")
    })?;
    if file.webhook_path.is_none() {
        settings.webhook_path = format!("/zalo-oa/{name}/webhook");
    }
    named_account(ChannelKind::ZaloOa, name, file, settings)
}

/// No two accounts answer on one local webhook path.
fn distinct_webhooks(
    telegram: &[Account<BotConfig>],
    zalo: &[Account<BotConfig>],
    oa: &[Account<ZaloOaConfig>],
) -> anyhow::Result<()> {
    let mut seen = std::collections::BTreeMap::new();
    let bots = telegram.iter().chain(zalo);
    let paths = bots
        .filter_map(|a| a.settings.webhook_url.as_ref().map(|u| (a, u)))
        .map(|(a, u)| (a.channel, webhook_path(a.channel, u)))
        .chain(
            oa.iter()
                .map(|a| (a.channel, a.settings.webhook_path.clone())),
        );
    for (channel, path) in paths {
        if let Some(other) = seen.insert(path.clone(), channel) {
            bail!(
                "{} and {} both take webhooks at {path}: give each its own path",
                other.name(),
                channel.name()
            );
        }
    }
    Ok(())
}

/// The local path a bot's webhook is served at: its public URL's path, or by default
/// `/telegram/webhook` (`/telegram/NAME/webhook` for a named account; `zalo` likewise).
pub fn webhook_path(channel: Channel, url: &reqwest::Url) -> String {
    match url.path() {
        "" | "/" => match channel.account() {
            "" => format!("/{}/webhook", channel.kind().code()),
            name => format!("/{}/{name}/webhook", channel.kind().code()),
        },
        p => p.to_string(),
    }
}

/// The delivery settings of the file, with `HIENMAU_INTERRUPTED_BULK` over them.
fn delivery_config(
    mut delivery: DeliveryConfig,
    env: &impl Fn(&str) -> Option<String>,
) -> anyhow::Result<DeliveryConfig> {
    if let Some(v) = env("HIENMAU_INTERRUPTED_BULK").filter(|v| !v.trim().is_empty()) {
        delivery.interrupted_bulk = Interrupted::parse(&v).ok_or_else(|| {
            anyhow::anyhow!("HIENMAU_INTERRUPTED_BULK: {v:?} is not report or resend")
        })?;
    }
    if delivery.max_in_flight == 0 || delivery.max_attempts == 0 {
        bail!("delivery: max_in_flight and max_attempts must be at least 1");
    }
    Ok(delivery)
}

/// The accounts made admins at start (`HIENMAU_ADMINS` over the file), each checked.
fn admins(
    env: &impl Fn(&str) -> Option<String>,
    from_file: Option<Vec<String>>,
) -> anyhow::Result<Vec<String>> {
    let admins: Vec<String> = match env("HIENMAU_ADMINS").filter(|v| !v.trim().is_empty()) {
        Some(list) => list.split(',').map(|a| a.trim().to_string()).collect(),
        None => from_file.unwrap_or_default(),
    };
    for a in &admins {
        if crate::domain::channel::parse_account(a).is_none() {
            bail!("HIENMAU_ADMINS: {a:?} is not an account like telegram:123456");
        }
    }
    Ok(admins)
}

/// The call-out settings, each at least 1.
fn wave_policy(
    callouts: crate::domain::callout::WavePolicy,
) -> anyhow::Result<crate::domain::callout::WavePolicy> {
    if callouts.wave_factor == 0
        || callouts.wave_minutes == 0
        || callouts.max_deadline_hours == 0
        || callouts.max_wave == 0
        || callouts.stock_alert_days == 0
    {
        bail!(
            "callouts: wave_factor, wave_minutes, max_deadline_hours, max_wave and \
             stock_alert_days must be at least 1"
        );
    }
    Ok(callouts)
}

/// Telegram accepts 1–256 characters `A-Za-z0-9_-` as a webhook secret token.
pub fn valid_webhook_secret(s: &str) -> bool {
    (1..=256).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn defaults_need_nothing() {
        let c = Config::load(None, env(&[])).unwrap();
        assert_eq!(c.database_url, DEFAULT_DATABASE_URL);
        assert_eq!(c.timezone, chrono_tz::Asia::Ho_Chi_Minh);
        assert!(c.telegram.is_empty());
        assert_eq!(c.rules, Rules::default());
    }

    #[test]
    fn file_then_environment() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hienmau.toml");
        std::fs::write(
            &path,
            "database_url = \"sqlite://a.db\"\norg_name = \"Hội CTĐ Hải Phòng\"\n\
             [eligibility]\nmin_weight_female_kg = 45.0\n[delivery]\ntelegram_per_second = 20.0\n",
        )
        .unwrap();
        let c = Config::load(Some(&path), env(&[("DATABASE_URL", "sqlite://b.db")])).unwrap();
        assert_eq!(c.database_url, "sqlite://b.db");
        assert_eq!(c.org_name, "Hội CTĐ Hải Phòng");
        assert_eq!(c.rules.min_weight_female_kg, 45.0);
        assert_eq!(c.rules.min_weight_male_kg, 45.0);
        assert_eq!(c.delivery.telegram_per_second, 20.0);
        assert_eq!(c.delivery.telegram_chat_interval_ms, 1000);
    }

    #[test]
    fn interrupted_bulk_rows_are_reported_unless_configured_otherwise() {
        let c = Config::load(None, env(&[])).unwrap();
        assert_eq!(c.delivery.interrupted_bulk, Interrupted::Report);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hienmau.toml");
        std::fs::write(&path, "[delivery]\ninterrupted_bulk = \"resend\"\n").unwrap();
        let c = Config::load(Some(&path), env(&[])).unwrap();
        assert_eq!(c.delivery.interrupted_bulk, Interrupted::Resend);
        let c = Config::load(
            Some(&path),
            env(&[("HIENMAU_INTERRUPTED_BULK", " Report ")]),
        )
        .unwrap();
        assert_eq!(c.delivery.interrupted_bulk, Interrupted::Report);
        let e = Config::load(None, env(&[("HIENMAU_INTERRUPTED_BULK", "maybe")])).unwrap_err();
        assert!(e.to_string().contains("HIENMAU_INTERRUPTED_BULK"), "{e}");
        std::fs::write(&path, "[delivery]\ninterrupted_bulk = \"twice\"\n").unwrap();
        assert!(Config::load(Some(&path), env(&[])).is_err());
    }

    #[test]
    fn bad_settings_are_reported_by_name() {
        let err = |pairs: &[(&str, &str)]| Config::load(None, env(pairs)).unwrap_err().to_string();
        assert!(err(&[("HIENMAU_TIMEZONE", "Mars/Base")]).contains("HIENMAU_TIMEZONE"));
        assert!(err(&[("HIENMAU_LISTEN", "nowhere")]).contains("HIENMAU_LISTEN"));
        for bad in ["nowhere", "ftp://x.vn", "https://"] {
            assert!(
                err(&[("HIENMAU_PUBLIC_URL", bad)]).contains("HIENMAU_PUBLIC_URL"),
                "{bad}"
            );
        }
        let c = Config::load(
            None,
            env(&[("HIENMAU_PUBLIC_URL", "https://hm.example.vn/")]),
        )
        .unwrap();
        assert_eq!(c.public_url.as_deref(), Some("https://hm.example.vn"));
        assert!(
            err(&[("TELEGRAM_BOT_TOKEN", "t"), ("TELEGRAM_API_URL", "::")])
                .contains("TELEGRAM_API_URL")
        );
        assert!(
            err(&[
                ("TELEGRAM_BOT_TOKEN", "t"),
                ("TELEGRAM_WEBHOOK_URL", "https://x.vn/tg")
            ])
            .contains("TELEGRAM_WEBHOOK_SECRET")
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(&path, "colour = \"red\"\n").unwrap();
        assert!(
            format!("{:#}", Config::load(Some(&path), env(&[])).unwrap_err()).contains("colour")
        );
    }

    #[test]
    fn debug_output_hides_the_tokens() {
        let c = Config::load(
            None,
            env(&[
                ("TELEGRAM_BOT_TOKEN", "123:SECRET"),
                ("ZALO_BOT_TOKEN", "9:ZSECRET"),
            ]),
        )
        .unwrap();
        assert!(!format!("{c:?}").contains("SECRET"));
        assert_eq!(
            c.zalo_bot[0].settings.api_url.as_str(),
            "https://bot-api.zaloplatforms.com/"
        );
    }

    #[test]
    fn a_zalo_webhook_needs_a_long_enough_secret() {
        let err = |pairs: &[(&str, &str)]| Config::load(None, env(pairs)).unwrap_err().to_string();
        let url = ("ZALO_WEBHOOK_URL", "https://bot.example.vn/zalo");
        assert!(err(&[("ZALO_BOT_TOKEN", "t"), url]).contains("ZALO_WEBHOOK_SECRET"));
        assert!(
            err(&[
                ("ZALO_BOT_TOKEN", "t"),
                url,
                ("ZALO_WEBHOOK_SECRET", "short")
            ])
            .contains("8 to 256")
        );
    }

    #[test]
    fn named_accounts_come_from_the_file_and_their_secrets_from_the_environment() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hienmau.toml");
        std::fs::write(
            &path,
            "[accounts.telegram.quang-ninh]\nprovince = \"Quang Ninh\"\nper_second = 5.0\n\
             webhook_url = \"https://bot.example.vn/\"\n\
             [accounts.zalo.ha-noi]\nprovince = \"Hà Nội\"\n\
             [accounts.zalo_oa.quang-ninh]\napp_id = \"42\"\nprovince = \"Quảng Ninh\"\n",
        )
        .unwrap();
        let full = [
            ("TELEGRAM_BOT_TOKEN", "1:OWN"),
            ("TELEGRAM_QUANG_NINH_BOT_TOKEN", "2:QN"),
            ("TELEGRAM_QUANG_NINH_WEBHOOK_SECRET", "qn-secret"),
            ("ZALO_HA_NOI_BOT_TOKEN", "3:HN"),
            ("ZALO_OA_QUANG_NINH_SECRET_KEY", "k"),
            ("ZALO_OA_QUANG_NINH_APP_SECRET", "a"),
        ];
        let c = Config::load(Some(&path), env(&full)).unwrap();
        let codes: Vec<&str> = c.channels().iter().map(|c| c.code()).collect();
        assert_eq!(
            codes,
            [
                "telegram",
                "telegram@quang-ninh",
                "zalo@ha-noi",
                "zalo_oa@quang-ninh"
            ]
        );
        let qn = c.telegram[1].channel;
        assert_eq!(c.telegram[1].settings.token, "2:QN");
        assert_eq!(
            c.telegram[1].webhook_path().as_deref(),
            Some("/telegram/quang-ninh/webhook")
        );
        assert_eq!(c.channel_province(qn), Province::from_code("quang-ninh"));
        assert_eq!(c.channel_province(c.telegram[0].channel), None);
        assert_eq!(c.zalo_bot[0].province, Province::from_code("ha-noi"));
        // An account's own pace, else its platform's.
        assert_eq!(c.pacing(qn), (5.0, Duration::from_secs(1)));
        assert_eq!(
            c.pacing(c.telegram[0].channel),
            (29.4, Duration::from_secs(1))
        );
        let oa = &c.zalo_oa[0];
        assert_eq!(oa.settings.app_id, "42");
        assert_eq!(oa.settings.webhook_path, "/zalo-oa/quang-ninh/webhook");
        assert_eq!(oa.settings.env_prefix, "ZALO_OA_QUANG_NINH_");
        assert!(c.has_channel(oa.channel));
        assert!(!c.has_channel(Channel::named(ChannelKind::ZaloOa, "ha-noi").unwrap()));
        assert!(!format!("{c:?}").contains("2:QN"), "no token printed");

        // What is missing or wrong is named.
        let without = |name: &str| {
            let pairs: Vec<(&str, &str)> =
                full.iter().copied().filter(|(k, _)| *k != name).collect();
            format!("{:#}", Config::load(Some(&path), env(&pairs)).unwrap_err())
        };
        assert!(without("TELEGRAM_QUANG_NINH_BOT_TOKEN").contains("TELEGRAM_QUANG_NINH_BOT_TOKEN"));
        assert!(
            without("TELEGRAM_QUANG_NINH_WEBHOOK_SECRET")
                .contains("TELEGRAM_QUANG_NINH_WEBHOOK_SECRET")
        );
        assert!(without("ZALO_OA_QUANG_NINH_APP_SECRET").contains("ZALO_OA_QUANG_NINH_APP_SECRET"));
        let bad = |toml: &str, needle: &str| {
            std::fs::write(&path, toml).unwrap();
            let e = format!("{:#}", Config::load(Some(&path), env(&full)).unwrap_err());
            assert!(e.contains(needle), "{toml}: {e}");
        };
        bad("[accounts.telegram.Quang_Ninh]\n", "a-z, 0-9");
        bad(
            "[accounts.telegram.quang-ninh]\nprovince = \"Gotham\"\n",
            "Gotham",
        );
        bad(
            "[accounts.telegram.quang-ninh]\nper_second = -1.0\n",
            "per_second",
        );
        bad(
            "[accounts.zalo_oa.quang-ninh]\nprovince = \"Quảng Ninh\"\n",
            "app_id",
        );
        bad(
            "[accounts.telegram.quang-ninh]\napp_id = \"1\"\n",
            "Zalo OA",
        );
        bad("[accounts.fax.quang-ninh]\n", "fax");
        bad(
            "[accounts.telegram.quang-ninh]\ncolour = \"red\"\n",
            "colour",
        );
        // Two accounts at one path: refused, by name.
        let mut with_own_oa = full.to_vec();
        with_own_oa.extend([
            ("ZALO_OA_APP_ID", "41"),
            ("ZALO_OA_SECRET_KEY", "k"),
            ("ZALO_OA_APP_SECRET", "a"),
        ]);
        std::fs::write(
            &path,
            "[accounts.zalo_oa.quang-ninh]\napp_id = \"42\"\nwebhook_path = \"/zalo-oa/webhook\"\n",
        )
        .unwrap();
        let e = format!(
            "{:#}",
            Config::load(Some(&path), env(&with_own_oa)).unwrap_err()
        );
        assert!(
            e.contains("/zalo-oa/webhook") && e.contains("quang-ninh"),
            "{e}"
        );
    }

    #[test]
    fn retry_delay_doubles_and_is_capped() {
        let d = DeliveryConfig::default();
        assert_eq!(d.retry_delay(1), Duration::from_secs(2));
        assert_eq!(d.retry_delay(2), Duration::from_secs(4));
        assert_eq!(d.retry_delay(30), Duration::from_secs(600));
    }
}
