//! The application: the store, the messages, the configuration and the clock, shared by
//! every face (chat, command line, scheduler, delivery). The use cases live in one module per
//! capability below; the chat's own use case, one message in and one transaction out, is
//! `conversation.rs`; `requests.rs` is the one way from a request to a use case, past the
//! permission table of `permission.rs`.

use crate::channels::{Channel, ChannelKind, Inbound, OutChoice, Outbound, numbered, split_text};
use crate::config::Config;
use crate::engine::{Label, Reply};
use crate::error::Failure;
use crate::messages::{Catalogue, Lang, Msg, MsgId};
use crate::store::Store;
use anyhow::Context;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::Notify;

pub use crate::clock::{Clock, ManualClock, OffsetClock, SystemClock};

#[derive(Clone)]
pub struct App {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    catalogue: Catalogue,
    config: Config,
    clock: Arc<dyn Clock>,
    /// The dashboard's sign-in times (links, sessions): the same clock, except in the
    /// terminal demo, whose clock jumps days ahead while its browser session must last.
    sign_in_clock: Arc<dyn Clock>,
    /// Woken whenever rows are added to the outbox, so the worker need not poll for them.
    outbox_added: Arc<Notify>,
    /// Replies a batch claimed for sending, on their way to the delivery worker.
    handoff: handoff::Handoff,
    /// A file was staged: the service's `imports` part writes it.
    imports_added: Arc<Notify>,
    /// Per-account inbound counts of the current minute (per process).
    flood: Mutex<HashMap<(String, String), FloodWindow>>,
    /// The Telegram bot's username once known (for club deep links).
    telegram_bot: Mutex<Vec<(Channel, String)>>,
    /// `http://host:port` of the web server once it listens (dashboard links).
    web_base: Mutex<Option<String>>,
    metrics: metrics::Metrics,
}

/// One account's messages in the current one-minute window.
#[derive(Debug, Clone, Copy)]
struct FloodWindow {
    start_ms: i64,
    count: u32,
    warned: bool,
}

/// What the flood limit says about one more message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flood {
    Allow,
    /// Over the limit: drop it, and tell the person (once a window).
    Warn,
    Drop,
}

/// What [`App::handle`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handled {
    Replied,
    /// The platform delivered this update before: nothing was done.
    Duplicate,
    /// Over the per-account limit: dropped (the person is told once a minute).
    Throttled,
}

impl Handled {
    /// Its name in the metrics.
    pub fn code(&self) -> &'static str {
        match self {
            Handled::Replied => "handled",
            Handled::Duplicate => "duplicate",
            Handled::Throttled => "throttled",
        }
    }
}

impl App {
    pub async fn open(config: Config, clock: Arc<dyn Clock>) -> anyhow::Result<App> {
        App::open_with_sign_in_clock(config, clock.clone(), clock).await
    }

    /// [`App::open`], with the dashboard's links and sessions timed by `sign_in_clock`
    /// (the demo: real time, while its own clock moves on by days).
    pub async fn open_with_sign_in_clock(
        config: Config,
        clock: Arc<dyn Clock>,
        sign_in_clock: Arc<dyn Clock>,
    ) -> anyhow::Result<App> {
        let store = Store::open(&config.database_url).await?;
        // A donor erased after the backup this database was restored from is erased again.
        store
            .apply_erasure_ledger(&[], clock.now().timestamp_millis())
            .await?;
        let catalogue = Catalogue::load().context("loading messages/")?;
        Ok(App {
            inner: Arc::new(Inner {
                store,
                catalogue,
                config,
                clock,
                sign_in_clock,
                outbox_added: Arc::new(Notify::new()),
                handoff: handoff::Handoff::default(),
                imports_added: Arc::new(Notify::new()),
                flood: Mutex::new(HashMap::new()),
                telegram_bot: Mutex::new(Vec::new()),
                web_base: Mutex::new(None),
                metrics: metrics::Metrics::default(),
            }),
        })
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    pub fn metrics(&self) -> &metrics::Metrics {
        &self.inner.metrics
    }

    /// A scheduled backup (`[backup]`): a checked copy named by the time into the folder,
    /// its time in the `backup_last_at` counter (`hienmau status`), the newest `keep` kept
    /// and no other file touched. The file written.
    pub async fn scheduled_backup(&self) -> anyhow::Result<std::path::PathBuf> {
        let b = self
            .config()
            .backup
            .as_ref()
            .context("no backup folder configured")?;
        std::fs::create_dir_all(&b.dir).with_context(|| format!("creating {}", b.dir.display()))?;
        let now = self.inner.clock.now();
        let file = b
            .dir
            .join(format!("hienmau-{}.db", now.format("%Y%m%d-%H%M%S")));
        self.store().backup_into(&file).await?;
        self.store()
            .set_counter("backup_last_at", now.timestamp_millis())
            .await?;
        let names: Vec<String> = std::fs::read_dir(&b.dir)?
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .collect();
        for old in crate::store::backups_to_prune(&names, b.keep) {
            if let Err(e) = std::fs::remove_file(b.dir.join(&old)) {
                tracing::warn!(file = %old, error = %e, "an old backup could not be removed");
            }
        }
        Ok(file)
    }

    /// The metrics as Prometheus reads them, the outbox's figures read now.
    pub async fn metrics_text(&self) -> anyhow::Result<String> {
        let now = self.inner.clock.now().timestamp_millis();
        let mut tx = self.store().begin().await?;
        let health = tx.delivery_health(now, now).await?;
        tx.commit().await?;
        let m = self.metrics();
        for l in &health.lanes {
            let lane = crate::store::Lane::from_index(l.lane).map_or("unknown", |x| x.name());
            let label = metrics::LaneLabel { lane };
            m.outbox_waiting.get_or_create(&label).set(l.waiting);
            let age = l
                .due_since
                .map_or(0.0, |d| (now - d).max(0) as f64 / 1000.0);
            m.outbox_oldest_due_seconds.get_or_create(&label).set(age);
        }
        Ok(m.render())
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.inner.clock
    }

    /// What times the dashboard's links and sessions (see `open_with_sign_in_clock`).
    pub fn sign_in_clock(&self) -> &Arc<dyn Clock> {
        &self.inner.sign_in_clock
    }

    pub fn catalogue(&self) -> &Catalogue {
        &self.inner.catalogue
    }

    pub fn imports_added(&self) -> Arc<Notify> {
        self.inner.imports_added.clone()
    }

    pub fn outbox_added(&self) -> Arc<Notify> {
        self.inner.outbox_added.clone()
    }

    /// Replies handed to the delivery worker in memory (see [`handoff`]).
    pub fn handoff(&self) -> &handoff::Handoff {
        &self.inner.handoff
    }

    /// Remember a Telegram bot's username (from getMe), for club invite links: a person
    /// writing to that bot is invited to it; anyone else to the first bot remembered.
    pub fn set_telegram_bot(&self, channel: Channel, username: &str) {
        let mut bots = self
            .inner
            .telegram_bot
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        bots.retain(|(c, _)| *c != channel);
        if !username.is_empty() {
            bots.push((channel, username.to_string()));
        }
    }

    /// Remember where the web server listens (for sign-in links without a public URL).
    pub fn set_bound_web_base(&self, base: String) {
        *self
            .inner
            .web_base
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = Some(base);
    }

    fn bound_web_base(&self) -> Option<String> {
        self.inner
            .web_base
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The bot invitations name for a person writing on `channel` (see `set_telegram_bot`).
    fn telegram_bot(&self, channel: Option<Channel>) -> Option<String> {
        let bots = self
            .inner
            .telegram_bot
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let own = bots.iter().find(|(c, _)| Some(*c) == channel);
        own.or(bots.first()).map(|(_, name)| name.clone())
    }

    /// The engine's view of the deployment at `now` (its rules, clock and catalogue);
    /// `telegram_bot` is [`App::telegram_bot`], held by the caller.
    pub(crate) fn ctx_at<'a>(
        &'a self,
        now: chrono::DateTime<chrono::Utc>,
        telegram_bot: Option<&'a str>,
    ) -> crate::engine::Ctx<'a> {
        let cfg = self.config();
        crate::engine::Ctx {
            telegram_bot,
            broadcast_cap: cfg.broadcast.daily_cap,
            rules: &cfg.rules,
            today: now.with_timezone(&cfg.timezone).date_naive(),
            now_ms: now.timestamp_millis(),
            org_name: &cfg.org_name,
            tz: cfg.timezone,
            catalogue: self.catalogue(),
            callouts: cfg.callouts,
            home: None,
        }
    }

    /// A looked-up donor as the dashboard shows them, as of now.
    pub fn donor_card(&self, card: &crate::domain::donor::DonorCard) -> Msg {
        let bot = self.telegram_bot(None);
        crate::engine::donor_card(&self.ctx_at(self.inner.clock.now(), bot.as_deref()), card)
    }

    /// Count one message from an account against the per-minute limit.
    fn flood_check(&self, channel: &str, user: &str, now_ms: i64) -> Flood {
        let limit = self.inner.config.limits.inbound_per_minute;
        // The terminal is the operator's own console (and scripts pipe many lines at once).
        if limit == 0 || channel == ChannelKind::Terminal.code() {
            return Flood::Allow;
        }
        let mut map = self.inner.flood.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > 50_000 {
            map.retain(|_, w| now_ms - w.start_ms < 60_000);
        }
        let w = map
            .entry((channel.to_string(), user.to_string()))
            .or_insert(FloodWindow {
                start_ms: now_ms,
                count: 0,
                warned: false,
            });
        if now_ms - w.start_ms >= 60_000 || now_ms < w.start_ms {
            *w = FloodWindow {
                start_ms: now_ms,
                count: 0,
                warned: false,
            };
        }
        w.count += 1;
        if w.count <= limit {
            Flood::Allow
        } else if !w.warned {
            w.warned = true;
            Flood::Warn
        } else {
            Flood::Drop
        }
    }

    /// Over the limit again, for a coordinator or admin: they get four times the limit (a
    /// busy drive means recording a donor every few seconds).
    fn flood_recheck_staff(&self, channel: &str, user: &str) -> Flood {
        let limit = self
            .inner
            .config
            .limits
            .inbound_per_minute
            .saturating_mul(4);
        let mut map = self.inner.flood.lock().unwrap_or_else(|e| e.into_inner());
        match map.get_mut(&(channel.to_string(), user.to_string())) {
            Some(w) if w.count <= limit => {
                w.warned = false;
                Flood::Allow
            }
            Some(w) if !w.warned => {
                w.warned = true;
                Flood::Warn
            }
            Some(_) => Flood::Drop,
            None => Flood::Allow,
        }
    }

    /// The person left the channel (Zalo OA `unfollow`): write to that account no more, until
    /// they write again.
    pub async fn account_left(&self, channel: Channel, user: &str) -> anyhow::Result<()> {
        let now = self.inner.clock.now().timestamp_millis();
        self.inner
            .store
            .mark_unreachable(channel.code(), user, now)
            .await
    }

    /// A template message's receipt (Zalo OA `user_received_message`): its outbox row is
    /// marked delivered by the tracking id it carried. A tracking id that is not ours, or of
    /// a row no longer on record, is ignored.
    pub async fn delivery_confirmed(&self, tracking_id: &str) -> anyhow::Result<()> {
        let Some(row) = crate::domain::zns::outbox_id_of(tracking_id) else {
            tracing::info!("a receipt with a tracking id that is not hienmau's");
            return Ok(());
        };
        let now = self.inner.clock.now().timestamp_millis();
        if !self.inner.store.mark_delivered(row, now).await? {
            tracing::info!(row, "a receipt for a row not on record as sent");
        }
        Ok(())
    }

    /// What every channel does with what it received, polled or pushed to a webhook (one
    /// policy for all): handle the batch in one transaction. If that fails in a way a retry
    /// may fix (the database busy or out of reach), nothing is skipped: the error is returned
    /// and the caller tries the whole batch again later (a poller after a pause, a webhook by
    /// answering 503 so the platform redelivers; what was already handled is recognised). If
    /// it fails otherwise, the updates are handled one at a time, so that one update that
    /// cannot be handled does not hold back the others: one that still fails after a few
    /// tries is skipped (logged with its id, counted), unless the database itself is failing.
    pub async fn handle_polled(&self, batch: Vec<Inbound>) -> Result<(), Failure> {
        if batch.is_empty() {
            return Ok(());
        }
        // One span a batch: the channel and the platform's event ids, never a person.
        let span = tracing::info_span!(
            "updates",
            channel = batch[0].channel.code(),
            n = batch.len(),
            first = batch[0].event_key.as_deref().unwrap_or(""),
            last = batch[batch.len() - 1].event_key.as_deref().unwrap_or("")
        );
        let batch_error =
            match tracing::Instrument::instrument(self.handle_batch(batch.clone()), span).await {
                Ok(done) => {
                    for h in &done {
                        self.metrics().update(h.code());
                    }
                    return Ok(());
                }
                Err(e) => Failure::of(e),
            };
        if batch_error.is_retry() {
            self.metrics().db_retries.inc();
            return Err(batch_error);
        }
        tracing::warn!(error = %batch_error, "batch failed, handling one by one");
        for inbound in batch {
            let mut tries = 0;
            loop {
                tries += 1;
                let e = match self.handle(inbound.clone()).await {
                    Ok(h) => {
                        self.metrics().update(h.code());
                        break;
                    }
                    Err(e) => Failure::of(e),
                };
                if e.is_retry() {
                    self.metrics().db_retries.inc();
                    return Err(e);
                }
                if tries < 3 {
                    tracing::warn!(error = %e, tries, "update failed, retrying");
                    tokio::time::sleep(std::time::Duration::from_millis(100 * tries)).await;
                    continue;
                }
                if let Err(down) = self.store().healthy().await {
                    return Err(Failure::Retry(down.context("the database is failing")));
                }
                tracing::error!(
                    event = ?inbound.event_key, error = %e,
                    "update skipped after repeated failures"
                );
                self.store()
                    .bump_counter("inbound_skipped")
                    .await
                    .map_err(Failure::of)?;
                self.metrics().update("set_aside");
                break;
            }
        }
        Ok(())
    }
}

mod broadcasts;
mod callouts;
mod campaigns;
mod clubs;
mod conversation;
pub mod dashboard;
mod donations;
mod drives;
pub mod handoff;
mod imports;
pub mod metrics;
mod outbound;
mod permission;
mod plan;
mod registration;
mod requests;
mod roles;
pub(crate) use outbound::{drive_card_plain, rows_for};

/// A reply in one language, as text and labelled options.
pub fn render(catalogue: &Catalogue, lang: Lang, reply: &Reply) -> Outbound {
    let text: Vec<String> = reply
        .parts
        .iter()
        .map(|m| catalogue.render(lang, m))
        .collect();
    Outbound {
        text: text.join("\n\n"),
        choices: reply
            .choices
            .iter()
            .map(|c| OutChoice {
                value: c.value.clone(),
                label: match &c.label {
                    Label::Msg(m) => catalogue.render(lang, m),
                    Label::Plain(s) => s.clone(),
                },
            })
            .collect(),
        phone_button: reply
            .phone_button
            .then(|| catalogue.render(lang, &Msg::new(MsgId::ChoiceSharePhone))),
        edit_of: None,
        template: None,
    }
}

/// One message per part of a text too long for the channel; options go with the last part
/// (or into the text, numbered, where the channel has no buttons).
pub fn split_outbound(mut out: Outbound, channel: Channel) -> Vec<Outbound> {
    if !out.choices.is_empty() && channel.choices_as_text(out.choices.len()) {
        out.text = format!("{}\n\n{}", out.text, numbered(&out.choices).trim_end());
        out.choices.clear();
    }
    let mut texts = split_text(&out.text, channel.max_text_chars());
    let last = texts.pop().unwrap_or_default();
    let mut parts: Vec<Outbound> = texts
        .into_iter()
        .map(|text| Outbound {
            text,
            ..Outbound::default()
        })
        .collect();
    parts.push(Outbound {
        text: last,
        choices: out.choices,
        phone_button: out.phone_button,
        edit_of: None,
        template: None,
    });
    parts
}
