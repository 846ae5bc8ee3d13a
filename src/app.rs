//! One message in, one transaction out: [`App::handle`] loads where the person's conversation
//! stands, asks the engine what to do, and writes the profile change, the new state and the
//! reply's outbox rows in a single transaction. A crash before the commit loses nothing (the
//! platform redelivers); a redelivered update after it is recognised and ignored.

use crate::channels::{ChannelKind, Inbound, OutChoice, Outbound, numbered, split_text};
use crate::config::Config;
use crate::domain::donor::Donor;
use crate::engine::{self, Conversation, Ctx, DonorChange, Label, Reply, Saved, State};
use crate::messages::{Catalogue, Lang, Msg, MsgId};
use crate::store::{Account, Identity, Lane, NewMessage, Store};
use anyhow::Context;
use std::collections::{HashMap, HashSet};
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
    /// Woken whenever rows are added to the outbox, so the worker need not poll for them.
    outbox_added: Arc<Notify>,
    /// Per-account inbound counts of the current minute (per process).
    flood: Mutex<HashMap<(String, String), FloodWindow>>,
    /// The Telegram bot's username once known (for club deep links).
    telegram_bot: Mutex<Option<String>>,
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

impl App {
    pub async fn open(config: Config, clock: Arc<dyn Clock>) -> anyhow::Result<App> {
        let store = Store::open(&config.database_url).await?;
        let catalogue = Catalogue::load().context("loading messages/")?;
        Ok(App {
            inner: Arc::new(Inner {
                store,
                catalogue,
                config,
                clock,
                outbox_added: Arc::new(Notify::new()),
                flood: Mutex::new(HashMap::new()),
                telegram_bot: Mutex::new(None),
            }),
        })
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.inner.clock
    }

    pub fn catalogue(&self) -> &Catalogue {
        &self.inner.catalogue
    }

    pub fn outbox_added(&self) -> Arc<Notify> {
        self.inner.outbox_added.clone()
    }

    /// Remember the Telegram bot's username (from getMe), for club invite links.
    pub fn set_telegram_bot(&self, username: &str) {
        let mut b = self
            .inner
            .telegram_bot
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        *b = (!username.is_empty()).then(|| username.to_string());
    }

    fn telegram_bot(&self) -> Option<String> {
        self.inner
            .telegram_bot
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
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
    pub async fn account_left(&self, channel: ChannelKind, user: &str) -> anyhow::Result<()> {
        let now = self.inner.clock.now().timestamp_millis();
        self.inner
            .store
            .mark_unreachable(channel.code(), user, now)
            .await
    }

    /// What every poller does with a batch it fetched (one policy for all channels): handle
    /// it in one transaction; if that fails, one update at a time, so that one update that
    /// cannot be handled does not hold back the others. An update that still fails after a
    /// few tries is skipped (logged with its id, counted), unless the database itself is
    /// failing, in which case the error is returned, nothing is skipped, and the poller tries
    /// the batch again later.
    pub async fn handle_polled(&self, batch: Vec<Inbound>) -> anyhow::Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        let Err(batch_error) = self.handle_batch(batch.clone()).await else {
            return Ok(());
        };
        tracing::warn!(error = %format!("{batch_error:#}"), "batch failed, handling one by one");
        for inbound in batch {
            let mut tries = 0;
            loop {
                tries += 1;
                match self.handle(inbound.clone()).await {
                    Ok(_) => break,
                    Err(e) if tries < 3 => {
                        tracing::warn!(error = %format!("{e:#}"), tries, "update failed, retrying");
                        tokio::time::sleep(std::time::Duration::from_millis(100 * tries)).await;
                    }
                    Err(e) => {
                        self.store()
                            .healthy()
                            .await
                            .context("the database is failing")?;
                        tracing::error!(
                            event = ?inbound.event_key, error = %format!("{e:#}"),
                            "update skipped after repeated failures"
                        );
                        self.store().bump_counter("inbound_skipped").await?;
                        break;
                    }
                }
            }
        }
        Ok(())
    }

    /// Handle one message from a person.
    pub async fn handle(&self, inbound: Inbound) -> anyhow::Result<Handled> {
        let mut done = self.handle_batch(vec![inbound]).await?;
        Ok(done.pop().unwrap_or(Handled::Duplicate))
    }

    /// Handle several messages in one transaction, in order (a platform's batch of updates).
    /// All or nothing: on error nothing is written and the caller may retry them one by one.
    ///
    /// The batch is one unit of work: the accounts, states and donors it touches are read in
    /// three statements, every step runs in memory in arrival order (so two messages from one
    /// person in one batch see each other), and the results are written back with multi-row
    /// statements. Rare changes (consent, erasure) are written at once.
    pub async fn handle_batch(&self, batch: Vec<Inbound>) -> anyhow::Result<Vec<Handled>> {
        let inner = &*self.inner;
        let now = inner.clock.now();
        let now_ms = now.timestamp_millis();
        let mut tx = inner.store.begin().await?;

        // Redeliveries: an event already handled (or twice in this batch) is skipped. This
        // write comes first, so the write lock is held before anything is read.
        let events: Vec<(&str, &str)> = batch
            .iter()
            .filter_map(|i| i.event_key.as_deref().map(|k| (i.channel.code(), k)))
            .collect();
        let mut fresh = if events.is_empty() {
            HashSet::new()
        } else {
            tx.mark_seen(&events, now_ms).await?
        };
        let live: Vec<bool> = batch
            .iter()
            .map(|i| match &i.event_key {
                None => true,
                Some(k) => fresh.remove(&(i.channel.code().to_string(), k.clone())),
            })
            .collect();

        let mut accounts: Vec<Account> = Vec::new();
        for (i, _) in batch.iter().zip(&live).filter(|(_, l)| **l) {
            let account = Account {
                channel: i.channel.code(),
                external_id: &i.user,
                chat_id: &i.chat_id,
            };
            match accounts
                .iter_mut()
                .find(|a| (a.channel, a.external_id) == (account.channel, account.external_id))
            {
                Some(a) => *a = account,
                None => accounts.push(account),
            }
        }
        let identities = tx.touch_identities(&accounts, now_ms).await?;
        let ids: Vec<i64> = identities.values().map(|i| i.id).collect();
        let mut states = tx.load_states(&ids).await?;
        let donor_ids: Vec<i64> = identities.values().filter_map(|i| i.donor_id).collect();
        let mut donors = tx.load_donors(&donor_ids).await?;
        let mut sessions: HashMap<(String, String), Session> = identities
            .into_iter()
            .map(|(key, identity)| {
                let saved = states
                    .remove(&identity.id)
                    .and_then(|json| parse_state(identity.id, &json));
                let donor = identity.donor_id.and_then(|id| donors.remove(&id));
                (key, Session::new(identity, saved, donor))
            })
            .collect();

        let mut results = Vec::with_capacity(batch.len());
        let mut outbox: Vec<PendingRow> = Vec::new();
        let mut erased_any = false;
        for (inbound, live) in batch.into_iter().zip(live) {
            if !live {
                results.push(Handled::Duplicate);
                continue;
            }
            let key = (inbound.channel.code().to_string(), inbound.user.clone());
            if sessions.get(&key).is_none_or(|s| s.gone) {
                // Erased or forgotten earlier in this batch: a new account, as a stranger.
                let account = Account {
                    channel: inbound.channel.code(),
                    external_id: &inbound.user,
                    chat_id: &inbound.chat_id,
                };
                let mut fresh_id = tx.touch_identities(&[account], now_ms).await?;
                let identity = fresh_id
                    .remove(&key)
                    .context("the account was not recorded")?;
                sessions.insert(key.clone(), Session::new(identity, None, None));
            }
            let Some(session) = sessions.get_mut(&key) else {
                continue;
            };
            let mut flood = self.flood_check(inbound.channel.code(), &inbound.user, now_ms);
            if flood != Flood::Allow
                && tx
                    .roles_of(session.identity.id)
                    .await?
                    .may(crate::domain::club::Action::ManageDrives)
            {
                flood = self.flood_recheck_staff(inbound.channel.code(), &inbound.user);
            }
            match flood {
                Flood::Allow => {}
                Flood::Drop => {
                    results.push(Handled::Throttled);
                    continue;
                }
                Flood::Warn => {
                    let reply = engine::Reply {
                        parts: vec![MsgId::SlowDown.into()],
                        ..Default::default()
                    };
                    outbox.push(PendingRow {
                        channel: inbound.channel.code(),
                        chat_id: inbound.chat_id.clone(),
                        identity_id: Some(session.identity.id),
                        idempotency_key: None,
                        out: render(&inner.catalogue, session.identity.lang, &reply),
                    });
                    results.push(Handled::Throttled);
                    continue;
                }
            }
            let cfg = &inner.config;
            let telegram_bot = self.telegram_bot();
            let ctx = Ctx {
                telegram_bot: telegram_bot.as_deref(),
                broadcast_cap: cfg.broadcast.daily_cap,
                rules: &cfg.rules,
                today: now.with_timezone(&cfg.timezone).date_naive(),
                now_ms,
                org_name: &cfg.org_name,
                tz: cfg.timezone,
                catalogue: &inner.catalogue,
                callouts: cfg.callouts,
            };
            // Only someone who is not a donor needs the roles read here (see `staff`).
            let staff = session.donor.is_none() && {
                let r = tx.roles_of(session.identity.id).await?;
                r.admin || r.coordinator || r.leader
            };
            let conv = Conversation {
                state: session.state.clone(),
                lang: session.identity.lang,
                donor: session.donor.clone(),
                join: session.join.clone(),
                ask: session.ask,
                staff,
            };
            let before = session.donor.as_ref().and_then(verified_phone);
            let was_paused = session.donor.as_ref().is_some_and(|d| d.paused);
            let mut step = engine::step(&ctx, conv, inbound.input);
            let identity_id = session.identity.id;

            // The engine asked for data or a change (clubs, broadcasts, roles): carry it
            // out in this transaction and let the engine finish the turn.
            let mut rounds = 0;
            while let Some(request) = step.request.take() {
                rounds += 1;
                anyhow::ensure!(rounds <= 4, "the engine kept asking: {request:?}");
                let who = requests::Actor {
                    identity_id,
                    donor_id: session.identity.donor_id,
                    registered: step
                        .donor
                        .as_ref()
                        .is_some_and(|d| d.registered_at.is_some()),
                };
                if step.change == DonorChange::Save {
                    // A registration confirmed in this very step: the store must see it.
                    if let (Some(id), Some(d)) = (session.identity.donor_id, &step.donor) {
                        tx.save_donors(&[(id, d)]).await?;
                    }
                }
                let outcome = self.execute(&mut tx, &who, request, now).await?;
                let conv = Conversation {
                    state: step.state.clone(),
                    lang: step.lang,
                    donor: step.donor.clone(),
                    join: step.join.clone(),
                    ask: step.ask,
                    staff,
                };
                let mut next = engine::resume(&ctx, conv, outcome);
                let mut parts = std::mem::take(&mut step.reply.parts);
                parts.append(&mut next.reply.parts);
                next.reply.parts = parts;
                if step.change != DonorChange::Keep && next.change == DonorChange::Keep {
                    next.change = step.change;
                }
                step = next;
            }

            // One donor, many accounts: a phone verified through this platform that another
            // donor verified through a platform too is the same person. Never by typed text.
            let newly_verified = step
                .donor
                .as_ref()
                .and_then(verified_phone)
                .filter(|p| Some(p) != before.as_ref());
            if let (Some(phone), Some(from), DonorChange::Save) =
                (newly_verified, session.identity.donor_id, step.change)
            {
                if let Some((into, found)) = tx.verified_donor_with_phone(&phone, from).await? {
                    tx.merge_donor(from, into).await?;
                    for s in sessions
                        .values_mut()
                        .filter(|s| s.identity.donor_id == Some(from))
                    {
                        s.identity.donor_id = Some(into);
                        s.donor = Some(found.clone());
                        s.donor_dirty = false;
                    }
                    let conv = Conversation {
                        state: step.state.clone(),
                        lang: step.lang,
                        donor: Some(found),
                        join: step.join.clone(),
                        ask: step.ask,
                        staff,
                    };
                    step = engine::linked(&ctx, conv);
                    tracing::info!(from, into, "accounts joined by a verified phone");
                }
            }
            let Some(session) = sessions.get_mut(&key) else {
                continue;
            };

            if step.lang != session.identity.lang {
                tx.set_lang(identity_id, step.lang).await?;
                session.identity.lang = step.lang;
            }
            if !was_paused && step.donor.as_ref().is_some_and(|d| d.paused) {
                // Paused: broadcasts still waiting for this person are not sent.
                if let Some(id) = session.identity.donor_id {
                    tx.cancel_bulk_for_donor(id, now_ms).await?;
                }
            }
            let mut erased_donor = None;
            match (step.change, step.donor, session.identity.donor_id) {
                (DonorChange::Create, Some(d), _) => {
                    let id = tx.create_donor(identity_id, &d, step.lang, now_ms).await?;
                    session.identity.donor_id = Some(id);
                    session.donor = Some(d);
                }
                (DonorChange::Save, Some(d), Some(_)) => {
                    session.donor = Some(d);
                    session.donor_dirty = true;
                }
                (DonorChange::Erase, _, Some(id)) => {
                    tx.erase_donor(id).await?;
                    erased_donor = Some(id);
                }
                (DonorChange::Keep, _, _) => {}
                (change, _, id) => {
                    anyhow::bail!("engine asked for {change:?} with donor id {id:?}: not applied");
                }
            }
            let kept = match (&step.state, erased_donor) {
                (Some(state), None) => {
                    session.state = Some(state.clone());
                    session.join = step.join.clone();
                    session.ask = step.ask;
                    session.state_dirty = true;
                    true
                }
                (_, Some(donor_id)) => {
                    // Every account of that donor is gone, with its queued rows.
                    erased_any = true;
                    for s in sessions
                        .values_mut()
                        .filter(|s| s.identity.donor_id == Some(donor_id))
                    {
                        s.gone = true;
                        let gone = s.identity.id;
                        outbox.retain(|row| row.identity_id != Some(gone));
                    }
                    false
                }
                (None, None) => {
                    tx.forget_identity(identity_id).await?;
                    session.gone = true;
                    outbox.retain(|row| row.identity_id != Some(identity_id));
                    false
                }
            };

            let rendered = render(&inner.catalogue, step.lang, &step.reply);
            let parts = split_outbound(rendered, inbound.channel);
            for (i, out) in parts.into_iter().enumerate() {
                outbox.push(PendingRow {
                    channel: inbound.channel.code(),
                    chat_id: inbound.chat_id.clone(),
                    // Once the account is erased the row must not point to it; the chat id
                    // alone carries the goodbye, and is cleared once it is sent.
                    identity_id: kept.then_some(identity_id),
                    idempotency_key: inbound
                        .event_key
                        .as_ref()
                        .map(|k| format!("reply:{}:{k}:{i}", inbound.channel.code())),
                    out,
                });
            }
            results.push(Handled::Replied);
        }

        // Write back what changed.
        let mut states_out = Vec::new();
        let mut donors_out = Vec::new();
        for s in sessions.values().filter(|s| !s.gone) {
            if s.state_dirty {
                if let Some(state) = &s.state {
                    let saved = Saved {
                        state: state.clone(),
                        join: s.join.clone(),
                        ask: s.ask,
                    };
                    states_out.push((
                        s.identity.id,
                        serde_json::to_string(&saved).context("encoding a state")?,
                    ));
                }
            }
            if s.donor_dirty {
                if let (Some(id), Some(d)) = (s.identity.donor_id, &s.donor) {
                    donors_out.push((id, d));
                }
            }
        }
        tx.save_states(&states_out, now_ms).await?;
        tx.save_donors(&donors_out).await?;
        let mut rows = Vec::with_capacity(outbox.len());
        for row in &outbox {
            rows.push(NewMessage {
                idempotency_key: row.idempotency_key.clone(),
                channel: row.channel,
                chat_id: &row.chat_id,
                identity_id: row.identity_id,
                lane: Lane::Reply,
                body: serde_json::to_string(&row.out).context("encoding a message")?,
                not_before: now_ms,
                broadcast_id: None,
            });
        }
        tx.enqueue(&rows, now_ms).await?;
        tx.commit().await?;
        if erased_any {
            inner.store.checkpoint().await?;
        }
        inner.outbox_added.notify_one();
        Ok(results)
    }
}

mod broadcasts;
mod callouts;
mod campaigns;
mod clubs;
mod donations;
mod drives;
mod outbound;
mod permission;
mod registration;
mod requests;
mod roles;
pub(crate) use outbound::{drive_card_plain, rows_for};

/// The donor's phone, if a platform verified it as theirs.
fn verified_phone(d: &Donor) -> Option<String> {
    d.phone
        .as_ref()
        .filter(|_| d.phone_verified)
        .map(|p| p.as_e164().to_string())
}

/// A reply waiting to be written to the outbox at the end of the batch.
struct PendingRow {
    channel: &'static str,
    chat_id: String,
    identity_id: Option<i64>,
    idempotency_key: Option<String>,
    out: Outbound,
}

/// One account's conversation while a batch is handled.
struct Session {
    identity: Identity,
    state: Option<State>,
    /// A club invite code waiting for the registration to complete.
    join: Option<String>,
    /// An urgent ask this account may answer with a bare number.
    ask: Option<engine::callout::PendingAsk>,
    donor: Option<Donor>,
    state_dirty: bool,
    donor_dirty: bool,
    /// Erased or forgotten in this batch: nothing more is written for it.
    gone: bool,
}

impl Session {
    fn new(identity: Identity, saved: Option<Saved>, donor: Option<Donor>) -> Session {
        let (state, join, ask) = match saved {
            Some(s) => (Some(s.state), s.join, s.ask),
            None => (None, None, None),
        };
        // No state (or one this version cannot read) for a known donor: resume from a safe
        // point, keeping every saved answer.
        let state = state.or_else(|| donor.as_ref().map(|_| State::Idle));
        Session {
            identity,
            state,
            join,
            ask,
            donor,
            state_dirty: false,
            donor_dirty: false,
            gone: false,
        }
    }
}

fn parse_state(identity: i64, json: &str) -> Option<Saved> {
    match serde_json::from_str::<Saved>(json) {
        Ok(s) => Some(s),
        Err(e) => {
            tracing::warn!(identity, error = %e, "unreadable conversation state");
            None
        }
    }
}

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
    }
}

/// One message per part of a text too long for the channel; options go with the last part
/// (or into the text, numbered, where the channel has no buttons).
pub fn split_outbound(mut out: Outbound, channel: ChannelKind) -> Vec<Outbound> {
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
    });
    parts
}
