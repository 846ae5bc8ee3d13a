//! The delivery worker: the only code that sends. It takes due outbox rows in lane order
//! (urgent, reply, bulk), one at a time per chat so each chat keeps its order, paces each
//! platform (Telegram: 30 messages/s overall, 1 per second per chat), retries transient
//! errors with backoff, waits out a 429's `retry_after`, marks an account unreachable on 403,
//! and records each row's outcome.

use crate::app::App;
use crate::channels::telegram::TelegramChannel;
use crate::channels::terminal::TerminalOut;
use crate::channels::zalo_bot::ZaloBotChannel;
use crate::channels::zalo_oa::ZaloOaChannel;
use crate::channels::{Channel, ChannelKind, Outbound, SendOutcome};
use crate::config::DeliveryConfig;
use crate::store::{Backend, Lane, OutboxRow, Outcome, Scope};
use std::collections::{HashMap, HashSet, VecDeque};
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio::time::Instant;

mod zalo;

/// How long finished sends wait for others to be recorded with them.
const LINGER: Duration = Duration::from_millis(2);
/// Most outcomes recorded in one transaction.
const RECORD_BATCH: usize = 128;

/// A platform the worker can send through.
#[derive(Clone)]
pub enum Transport {
    Telegram(TelegramChannel),
    Zalo(ZaloBotChannel),
    ZaloOa(ZaloOaChannel),
    Terminal(TerminalOut),
}

impl Transport {
    /// The channel whose rows this transport sends.
    pub fn channel(&self) -> Channel {
        match self {
            Transport::Telegram(t) => t.channel(),
            Transport::Zalo(z) => z.channel(),
            Transport::ZaloOa(z) => z.channel(),
            Transport::Terminal(_) => Channel::of(ChannelKind::Terminal),
        }
    }

    /// Send one outbox row. An update of a series edits the series' latest message in place
    /// where the platform can (Telegram) and one was sent; otherwise it goes as a new message.
    async fn deliver(&self, app: &App, row: &OutboxRow, out: &Outbound) -> SendOutcome {
        if let (Transport::Telegram(t), Some(series), Some(identity)) =
            (self, &out.edit_of, row.identity_id)
        {
            match app
                .store()
                .latest_in_series(series, row.channel.code(), identity)
                .await
            {
                Ok(Some(message_id)) => {
                    if let Some(outcome) = t.edit(&row.chat_id, &message_id, out).await {
                        return outcome;
                    }
                }
                Ok(None) => {}
                Err(e) => return SendOutcome::Transient(format!("{e:#}")),
            }
        }
        match self {
            Transport::Telegram(t) => t.send(&row.chat_id, out).await,
            Transport::Zalo(z) => z.send(&row.chat_id, out).await,
            Transport::ZaloOa(z) => zalo::deliver(app, z, row, out).await,
            Transport::Terminal(t) => t.send(out),
        }
    }
}

/// The lowest-priority lane sent at `now`: quiet hours hold notices and broadcasts until the
/// morning; replies to what a person just wrote, and urgent call-outs, still go.
pub fn max_lane(app: &App, now: chrono::DateTime<chrono::Utc>) -> Lane {
    let cfg = app.config();
    let quiet = cfg
        .quiet_hours
        .is_some_and(|q| q.ends_after(now, cfg.timezone).is_some());
    if quiet { Lane::Reply } else { Lane::Bulk }
}

/// Keeps sends at most one per `interval` (a GCRA with no burst): the earliest next send is
/// never before the previous one plus the interval.
///
/// A send that goes a little late (timer resolution, a database read) may keep the cadence
/// instead of pushing every later send back: up to `slack` of lateness is absorbed. Two sends
/// are then never closer than `interval - slack`, and any second holds at most
/// `1 + (1 s + slack) / interval` of them.
#[derive(Debug, Clone)]
pub struct Pacer {
    interval: Duration,
    slack: Duration,
    next: Option<Instant>,
}

impl Pacer {
    pub fn new(interval: Duration) -> Pacer {
        Pacer {
            interval,
            slack: Duration::ZERO,
            next: None,
        }
    }

    /// An overall pacer for `rate` sends a second, absorbing up to a sixteenth of an interval
    /// of lateness (see [`Pacer`]).
    pub fn per_second(rate: f64) -> Pacer {
        if rate > 0.0 && rate.is_finite() {
            let interval = Duration::from_secs_f64(1.0 / rate);
            Pacer {
                slack: interval / 16,
                ..Pacer::new(interval)
            }
        } else {
            Pacer::new(Duration::ZERO)
        }
    }

    pub fn ready_at(&self) -> Option<Instant> {
        self.next
    }

    pub fn is_ready(&self, now: Instant) -> bool {
        self.next.is_none_or(|n| now >= n)
    }

    /// Count a send made at `now`.
    pub fn take(&mut self, now: Instant) {
        if self.interval.is_zero() && self.next.is_none_or(|n| n <= now) {
            self.next = None;
            return;
        }
        let base = match self.next {
            None => now,
            // A little late: keep the cadence.
            Some(n) if now >= n && now - n <= self.slack => n,
            Some(n) => n.max(now),
        };
        self.next = Some(base + self.interval);
    }

    /// Nothing before `until` (after a 429).
    pub fn hold_until(&mut self, until: Instant) {
        self.next = Some(self.next.map_or(until, |n| n.max(until)));
    }
}

/// One channel's pacing: overall and per chat.
struct ChannelPacing {
    overall: Pacer,
    chat_interval: Duration,
    chats: HashMap<String, Pacer>,
    /// Several instances on one PostgreSQL: the overall pace is kept in the database,
    /// shared by every instance ([`crate::store::Store::reserve_sends`]), one slot per
    /// `interval`; the local overall pacer then lets every row through.
    shared: Option<Duration>,
    /// The end of the last slots this instance reserved (shared pace).
    reserved_until: Option<Instant>,
}

/// Shared pace: how far ahead an instance reserves send slots. Short, so that an urgent
/// row written now waits behind at most this much of already-reserved sends.
const LOOKAHEAD: Duration = Duration::from_millis(80);

impl ChannelPacing {
    fn new(per_second: f64, chat_interval: Duration) -> ChannelPacing {
        ChannelPacing {
            overall: Pacer::per_second(per_second),
            chat_interval,
            chats: HashMap::new(),
            shared: None,
            reserved_until: None,
        }
    }

    /// The overall pace shared through the database instead of kept here.
    fn shared(per_second: f64, chat_interval: Duration) -> ChannelPacing {
        let mut p = ChannelPacing::new(0.0, chat_interval);
        if per_second > 0.0 && per_second.is_finite() {
            p.shared = Some(Duration::from_secs_f64(1.0 / per_second));
        }
        p
    }

    /// Most rows of this channel started by one look at the outbox: the slots of the
    /// lookahead at the shared pace (a row claimed waits for its slot, and an urgent row
    /// queued later waits behind it).
    fn batch_cap(&self) -> usize {
        match self.shared {
            Some(interval) => {
                ((LOOKAHEAD.as_secs_f64() / interval.as_secs_f64()).ceil() as usize).max(1)
            }
            None => usize::MAX,
        }
    }

    /// Shared pace: the slots already reserved reach beyond the lookahead; nothing more of
    /// this channel is taken until then.
    fn reserved_ahead(&self, now: Instant) -> Option<Instant> {
        let until = self.reserved_until?;
        (until > now + LOOKAHEAD).then(|| until - LOOKAHEAD)
    }

    fn unpaced() -> ChannelPacing {
        ChannelPacing::new(0.0, Duration::ZERO)
    }

    /// When a send to `chat` may go, or `None` if now.
    fn blocked_until(&self, chat: &str, now: Instant) -> Option<Instant> {
        let mut until = None;
        if !self.overall.is_ready(now) {
            until = self.overall.ready_at();
        }
        if let Some(p) = self.chats.get(chat)
            && !p.is_ready(now)
        {
            until = until.max(p.ready_at());
        }
        until
    }

    /// A send to `chat` came back: its interval counts from here too, so the next one
    /// reaches the platform at least the interval after this one did, however long this one
    /// took on the way (under load the per-chat gap seen by the platform was 20 ms short).
    fn finished(&mut self, chat: &str, now: Instant) {
        if let Some(p) = self.chats.get_mut(chat) {
            p.hold_until(now + self.chat_interval);
        }
    }

    fn take(&mut self, chat: &str, now: Instant) {
        self.overall.take(now);
        if !self.chat_interval.is_zero() {
            if self.chats.len() > 50_000 {
                // Forget chats whose interval has passed: they are free anyway.
                self.chats.retain(|_, p| !p.is_ready(now));
            }
            self.chats
                .entry(chat.to_string())
                .or_insert_with(|| Pacer::new(self.chat_interval))
                .take(now);
        }
    }
}

pub struct Worker {
    app: App,
    scope: Scope,
    transports: HashMap<Channel, Transport>,
    pacing: HashMap<Channel, ChannelPacing>,
    cfg: DeliveryConfig,
    delivered: watch::Sender<u64>,
    /// Counts the passes that found nothing to send now and nothing in flight: the worker
    /// is idle at the current clock (what is due later, or held by quiet hours, waits).
    idle: watch::Sender<u64>,
    /// The outbox is shared with other instances (PostgreSQL): rows left 'sending' are
    /// settled only once their lease ran out, and the overall pace is kept in the database.
    shared: bool,
    /// Rows claimed and not yet recorded: their leases are renewed while this instance
    /// lives.
    held: HashSet<i64>,
    /// The conversation hands this worker its replies in memory (one SQLite file, the
    /// worker of every channel: see [`crate::app::handoff`]).
    handed: bool,
    /// Rows handed over, claimed, not started yet (their chat busy, or pacing), in order.
    waiting: VecDeque<OutboxRow>,
    /// The outbox may hold due rows this worker has not read: false only after a read that
    /// left nothing behind, until a notice of rows added or a retry or reroute written. A
    /// worker taking handed rows reads the outbox only then, and at least once a poll
    /// interval (another process's rows, a delay run out); any other reads it every pass.
    unread: bool,
    /// When this worker last read the outbox.
    last_read: Instant,
}

/// The choice of the rows one pass starts.
#[derive(Default)]
struct Pick {
    /// Chats with a row chosen or waiting in this pass: their later rows wait.
    seen: HashSet<(Channel, String)>,
    per_channel: HashMap<Channel, usize>,
    /// When pacing next frees a row that had to wait.
    wake: Option<Instant>,
}

impl Pick {
    /// Whether `row` may start now: its chat has nothing in flight or before it in this
    /// pass, and its channel's pace allows one more (taken if so).
    fn choose(
        &mut self,
        pacing: &mut HashMap<Channel, ChannelPacing>,
        busy: &HashSet<(Channel, String)>,
        row: &OutboxRow,
        now: Instant,
    ) -> bool {
        let key = (row.channel, row.chat_id.clone());
        // One row at a time per chat, in order: skip a chat with a send in flight, and
        // every row of a chat after its first.
        if busy.contains(&key) || self.seen.contains(&key) {
            return false;
        }
        let Some(pacing) = pacing.get_mut(&row.channel) else {
            return false;
        };
        if let Some(until) = pacing.reserved_ahead(now) {
            self.wake = Some(self.wake.map_or(until, |w| w.min(until)));
            return false;
        }
        let taken = self.per_channel.entry(row.channel).or_default();
        if *taken >= pacing.batch_cap() {
            return false;
        }
        self.seen.insert(key);
        if let Some(until) = pacing.blocked_until(&row.chat_id, now) {
            self.wake = Some(self.wake.map_or(until, |w| w.min(until)));
            return false;
        }
        pacing.take(&row.chat_id, now);
        *taken += 1;
        true
    }
}

/// How often an instance sharing the outbox looks for rows whose lease ran out.
const TAKEOVER_EVERY: Duration = Duration::from_secs(1);

type SendResult = (OutboxRow, SendOutcome);

/// Sends whose outcomes were written: each row's id and chat, and how many were recorded.
/// What writing a batch of outcomes gives back: its rows (their chats are free again), how
/// many were delivered, and whether rows may be due again (a retry, another channel).
type Recorded = (Vec<(i64, Channel, String)>, u64, bool);

impl Worker {
    /// A worker for the rows of `scope`, sending each through the transport of its
    /// channel. Pacing comes from the configuration.
    pub fn new(app: App, scope: Scope, transports: Vec<Transport>) -> Worker {
        let cfg = app.config().delivery.clone();
        // Several instances may share a PostgreSQL database and one platform account.
        let shared = app.store().backend() == Backend::Postgres;
        // Each account its own pace: a platform's limits are a bot's, an OA's.
        let pacing = transports
            .iter()
            .map(|t| {
                let p = match t {
                    Transport::Terminal(_) => ChannelPacing::unpaced(),
                    _ => {
                        let (rate, chat) = app.config().pacing(t.channel());
                        if shared {
                            ChannelPacing::shared(rate, chat)
                        } else {
                            ChannelPacing::new(rate, chat)
                        }
                    }
                };
                (t.channel(), p)
            })
            .collect();
        Worker {
            app,
            scope,
            transports: transports.into_iter().map(|t| (t.channel(), t)).collect(),
            pacing,
            cfg,
            delivered: watch::channel(0).0,
            idle: watch::channel(0).0,
            shared,
            held: HashSet::new(),
            handed: false,
            waiting: VecDeque::new(),
            unread: true,
            last_read: Instant::now(),
        }
    }

    /// Counts recorded sends; watch it to wait for delivery.
    pub fn delivered(&self) -> watch::Receiver<u64> {
        self.delivered.subscribe()
    }

    /// Counts the passes that found the worker idle; watch it to wait until what is due has
    /// gone (a test's "nothing else is sent", without sleeping).
    pub fn idle(&self) -> watch::Receiver<u64> {
        self.idle.subscribe()
    }

    /// Send until `shutdown` turns true, then finish the sends in flight and return.
    pub async fn run(mut self, mut shutdown: watch::Receiver<bool>) -> anyhow::Result<()> {
        self.settle(self.shared).await?;
        if let (false, Scope::Channels(channels)) = (self.shared, &self.scope) {
            let room = self.cfg.max_in_flight.max(1) * 4;
            self.handed = self.app.handoff().open(channels, room);
        }
        let added = self.app.outbox_added();
        let handed_over = self.app.handoff().ready();
        let mut in_flight: JoinSet<SendResult> = JoinSet::new();
        // Outcomes being written: the worker goes on starting sends meanwhile (a chat's next
        // row waits until its last outcome is written).
        let mut recording: JoinSet<Recorded> = JoinSet::new();
        let mut busy: HashSet<(Channel, String)> = HashSet::new();
        let poll = Duration::from_millis(self.cfg.poll_interval_ms.max(1));
        let mut next_takeover = Instant::now() + TAKEOVER_EVERY;
        // A third of the lease: a row stays this instance's while it lives, and comes back
        // to the others within one lease when it dies.
        let renew_every = Duration::from_millis((self.cfg.lease_ms / 3).max(100));
        let mut next_renew = Instant::now() + renew_every;
        loop {
            let stopping = *shutdown.borrow();
            if stopping && in_flight.is_empty() && recording.is_empty() {
                self.put_back().await;
                return Ok(());
            }
            if self.shared && !stopping && Instant::now() >= next_takeover {
                // Rows of an instance that died mid-send, once their lease ran out.
                if let Err(e) = self.settle(true).await {
                    tracing::warn!(error = %format!("{e:#}"), "taking over expired rows failed");
                }
                next_takeover = Instant::now() + TAKEOVER_EVERY;
            }
            if self.shared && Instant::now() >= next_renew {
                self.renew().await;
                next_renew = Instant::now() + renew_every;
            }
            let mut wake = Instant::now() + poll;
            if self.shared {
                wake = wake.min(next_takeover).min(next_renew);
            }
            if !stopping {
                match self.dispatch(&mut in_flight, &mut busy).await {
                    Ok(Some(at)) => wake = wake.min(at),
                    Ok(None) if in_flight.is_empty() && recording.is_empty() => {
                        self.idle.send_modify(|n| *n += 1)
                    }
                    Ok(None) => {}
                    Err(e) => {
                        tracing::error!(error = %format!("{e:#}"), "reading the outbox failed")
                    }
                }
            }
            tokio::select! {
                Some(joined) = in_flight.join_next(), if !in_flight.is_empty() => {
                    let mut done = Vec::new();
                    done.extend(joined.ok());
                    // Let the sends finishing in the next moment join this batch: outcomes
                    // are then written, and the outbox read again, once per batch instead
                    // of once per message.
                    let linger = Instant::now() + LINGER;
                    while done.len() < RECORD_BATCH && !in_flight.is_empty() {
                        match tokio::time::timeout_at(linger, in_flight.join_next()).await {
                            Ok(Some(more)) => done.extend(more.ok()),
                            _ => break,
                        }
                    }
                    self.record(done, &mut recording).await;
                }
                Some(written) = recording.join_next(), if !recording.is_empty() => {
                    match written {
                        Ok((rows, n, due_again)) => {
                            for (id, channel, chat) in rows {
                                busy.remove(&(channel, chat));
                                self.held.remove(&id);
                            }
                            self.delivered.send_modify(|c| *c += n);
                            self.unread |= due_again;
                        }
                        Err(e) => tracing::error!(error = %e, "writing outcomes stopped"),
                    }
                }
                _ = added.notified(), if !stopping => self.unread = true,
                _ = handed_over.notified(), if self.handed && !stopping => {}
                _ = tokio::time::sleep_until(wake) => {}
                _ = shutdown.changed(), if !stopping => {}
            }
        }
    }

    /// Stop taking handed rows; those not started go back to the outbox as pending (a
    /// process that dies instead leaves them 'sending': queued again at its next start).
    async fn put_back(&mut self) {
        if !self.handed {
            return;
        }
        let mut ids: Vec<i64> = self.waiting.drain(..).map(|r| r.id).collect();
        ids.extend(self.app.handoff().close().into_iter().map(|r| r.id));
        if let Err(e) = self.app.store().release(&ids).await {
            tracing::warn!(error = %format!("{e:#}"), rows = ids.len(), "putting back handed rows failed");
        }
    }

    /// Renew the leases of the rows this instance is sending.
    async fn renew(&self) {
        if self.held.is_empty() {
            return;
        }
        let ids: Vec<i64> = self.held.iter().copied().collect();
        let now = self.app.clock().now().timestamp_millis();
        let until = now.saturating_add(i64::try_from(self.cfg.lease_ms).unwrap_or(i64::MAX));
        if let Err(e) = self.app.store().renew_leases(&ids, until).await {
            tracing::warn!(error = %format!("{e:#}"), rows = ids.len(), "renewing leases failed");
        }
    }

    /// Settle rows left 'sending' (see [`crate::store::Store::settle_interrupted`]): at
    /// start every such row of one SQLite file; with a shared outbox, those whose lease ran
    /// out (their instance died).
    async fn settle(&self, expired_only: bool) -> anyhow::Result<()> {
        let now = self.app.clock().now().timestamp_millis();
        let settled = self
            .app
            .store()
            .settle_interrupted(&self.scope, self.cfg.interrupted_bulk, now, expired_only)
            .await?;
        if settled.requeued > 0 {
            tracing::warn!(
                rows = settled.requeued,
                "rows interrupted mid-send are queued again"
            );
        }
        if settled.withdrawn > 0 {
            tracing::info!(
                rows = settled.withdrawn,
                "rows withdrawn while being sent by an instance that stopped are not sent again"
            );
        }
        if settled.uncertain > 0 {
            tracing::warn!(
                rows = settled.uncertain,
                "notices and broadcasts interrupted mid-send are counted uncertain, not sent again"
            );
        }
        Ok(())
    }

    /// Start as many sends as pacing and capacity allow. Returns when pacing next frees a
    /// send that is waiting, if any.
    async fn dispatch(
        &mut self,
        in_flight: &mut JoinSet<SendResult>,
        busy: &mut HashSet<(Channel, String)>,
    ) -> anyhow::Result<Option<Instant>> {
        let free = self.cfg.max_in_flight.saturating_sub(in_flight.len());
        if free == 0 {
            return Ok(None);
        }
        let clock_now = self.app.clock().now();
        let now_ms = clock_now.timestamp_millis();
        // Quiet hours hold the bulk lane (broadcasts, reminders) until the morning; replies
        // to what a person just wrote, and urgent call-outs, still go.
        let max_lane = max_lane(&self.app, clock_now);
        // A few more rows than free slots, for the chats that already have a send in flight.
        let limit = (free * 2).clamp(16, 512) as i64;
        // The pace counts from when the worker woke for it, not from after reading the
        // outbox: every send waits that read, so the spacing between sends is kept, and the
        // read's time no longer counts as lateness (beyond the pacer's slack it pushed each
        // later send back: a broadcast ran at 0.91 of the cap).
        let now = Instant::now();
        // The rows handed over by the conversation (claimed already) join the rows read, in
        // sending order: lane, then age (ids grow with time).
        if self.handed {
            let (taken, unread) = self.app.handoff().take(self.waiting.len());
            self.waiting.extend(taken);
            self.unread |= unread;
        }
        // Handed rows come without reading; the outbox is read when it may hold others.
        let poll = Duration::from_millis(self.cfg.poll_interval_ms.max(1));
        let read = !self.handed || self.unread || now >= self.last_read + poll;
        let rows = if read {
            self.last_read = now;
            self.app
                .store()
                .due(&self.scope, now_ms, limit, max_lane)
                .await?
        } else {
            Vec::new()
        };
        // Every row read is chosen below, and fewer than asked for: nothing else was due.
        let mut left_unread = rows.len() as i64 >= limit;
        let mut candidates: Vec<(bool, OutboxRow)> = rows.into_iter().map(|r| (false, r)).collect();
        candidates.extend(self.waiting.drain(..).map(|r| (true, r)));
        candidates.sort_by_key(|(_, r)| (r.lane, r.id));
        let mut pick = Pick::default();
        let mut ready: Vec<OutboxRow> = Vec::new();
        let mut to_claim: Vec<OutboxRow> = Vec::new();
        for (handed, row) in candidates {
            let chosen = ready.len() + to_claim.len() < free
                && pick.choose(&mut self.pacing, busy, &row, now);
            match (chosen, handed) {
                (true, true) => ready.push(row),
                (true, false) => to_claim.push(row),
                (false, true) => {
                    // It keeps its place, and the chat's later rows wait behind it.
                    pick.seen.insert((row.channel, row.chat_id.clone()));
                    self.waiting.push_back(row);
                }
                (false, false) => left_unread = true,
            }
        }
        if read {
            self.unread = left_unread;
        }
        if self.handed {
            self.app.handoff().holding(self.waiting.len());
        }
        let wake = pick.wake;
        let ids: Vec<i64> = to_claim.iter().map(|r| r.id).collect();
        let lease_until =
            now_ms.saturating_add(i64::try_from(self.cfg.lease_ms).unwrap_or(i64::MAX));
        // The handed rows chosen are out of the queue: they go even if this claim fails (its
        // rows stay pending, read again next pass).
        let claimed = match self.app.store().claim(&ids, lease_until).await {
            Ok(claimed) => claimed,
            Err(e) if !ready.is_empty() => {
                tracing::error!(error = %format!("{e:#}"), "claiming outbox rows failed");
                self.unread = true;
                HashSet::new()
            }
            Err(e) => {
                self.unread = true;
                return Err(e);
            }
        };
        // Cancelled between the read and the claim (a broadcast stopped): not sent.
        let mut chosen = ready;
        chosen.extend(to_claim.into_iter().filter(|r| claimed.contains(&r.id)));
        let starts = self.shared_slots(&chosen).await;
        for (row, start) in chosen.into_iter().zip(starts) {
            busy.insert((row.channel, row.chat_id.clone()));
            let Some(transport) = self.transports.get(&row.channel).cloned() else {
                continue;
            };
            self.held.insert(row.id);
            self.spawn_send(in_flight, row, start, transport);
        }
        Ok(wake)
    }

    /// Send one row in its own task, at its start under the shared pace (now if `None`);
    /// the task answers the row and what came of it.
    fn spawn_send(
        &self,
        in_flight: &mut JoinSet<SendResult>,
        row: OutboxRow,
        start: Option<Instant>,
        transport: Transport,
    ) {
        let app = self.app.clone();
        // Lateness a shared slot absorbs; beyond it the later slots move back.
        let tolerance = self
            .pacing
            .get(&row.channel)
            .and_then(|p| p.shared)
            .map(|interval| interval / 4);
        // One span a row: its id, lane and channel, never its text or chat.
        let span = tracing::info_span!(
            "send",
            row = row.id,
            lane = row.lane as i64,
            channel = row.channel.code()
        );
        in_flight.spawn(tracing::Instrument::instrument(
            async move {
                if let Some(at) = start {
                    tokio::time::sleep_until(at).await;
                    let late = Instant::now().saturating_duration_since(at);
                    if tolerance.is_some_and(|t| late > t) {
                        // One send late and the next ones on time would put one more in
                        // the platform's sliding second than the pace allows.
                        let late_us = i64::try_from(late.as_micros()).unwrap_or(i64::MAX);
                        if let Err(e) = app.store().delay_sends(row.channel, late_us).await {
                            tracing::warn!(error = %format!("{e:#}"), "delaying sends failed");
                        }
                    }
                }
                let outcome = match serde_json::from_str::<Outbound>(&row.body) {
                    Ok(out) => transport.deliver(&app, &row, &out).await,
                    Err(e) => SendOutcome::Permanent(format!("unreadable outbox body: {e}")),
                };
                (row, outcome)
            },
            span,
        ));
    }

    /// When each row may go under the pace shared with other instances (`None`: now). The
    /// slots of each channel are reserved in the database in one statement; if the
    /// database cannot be reached, the rows wait a second apiece, well under any cap.
    async fn shared_slots(&mut self, rows: &[OutboxRow]) -> Vec<Option<Instant>> {
        let mut starts = vec![None; rows.len()];
        for (channel, pacing) in self.pacing.iter_mut() {
            let Some(interval) = pacing.shared else {
                continue;
            };
            let mine: Vec<usize> = (0..rows.len())
                .filter(|&i| rows[i].channel == *channel)
                .collect();
            if mine.is_empty() {
                continue;
            }
            let micros = |d: Duration| i64::try_from(d.as_micros()).unwrap_or(i64::MAX);
            let chats: Vec<&str> = mine.iter().map(|&i| rows[i].chat_id.as_str()).collect();
            // Start to start, with a twentieth to spare: two sends to one chat from two
            // instances may take different times on the way (one instance alone also
            // counts from when a send came back, which the database does not see).
            let chat_us = micros(pacing.chat_interval) / 20 * 21;
            let waits: Vec<Duration> = match self
                .app
                .store()
                .reserve_sends(*channel, &chats, micros(interval), chat_us)
                .await
            {
                Ok(waits) => waits
                    .into_iter()
                    .map(|us| Duration::from_micros(u64::try_from(us).unwrap_or(0)))
                    .collect(),
                Err(e) => {
                    tracing::warn!(error = %format!("{e:#}"), "reserving send slots failed");
                    (1..=chats.len() as u32)
                        .map(|k| Duration::from_secs(1) * k)
                        .collect()
                }
            };
            // The waits count from the database's clock during the statement: from here,
            // after its answer, every error makes a send late (absorbed), never early.
            let now = Instant::now();
            // The overall slots follow each other from the first; a chat's own pace may put
            // its send later, which does not hold the others.
            let first = waits.iter().min().copied().unwrap_or_default();
            pacing.reserved_until = Some(now + first + interval * chats.len() as u32);
            for (i, wait) in mine.into_iter().zip(waits) {
                starts[i] = Some(now + wait);
            }
        }
        starts
    }

    /// What a send's result writes to its row; `None` when the row was handed to another
    /// channel instead (its quota spent, or no route on this one).
    async fn outcome_of(
        &mut self,
        row: &OutboxRow,
        sent: SendOutcome,
        attempts: u32,
        now: i64,
    ) -> Option<Outcome> {
        Some(match sent {
            SendOutcome::Sent {
                platform_message_id,
            } => Outcome::Sent {
                platform_message_id,
            },
            SendOutcome::RetryAfter(wait) => {
                tracing::info!(
                    row = row.id,
                    wait_s = wait.as_secs_f64(),
                    "flood control: waiting"
                );
                if let Some(p) = self.pacing.get_mut(&row.channel) {
                    p.overall.hold_until(Instant::now() + wait);
                    if p.shared.is_some() {
                        let wait_us = i64::try_from(wait.as_micros()).unwrap_or(i64::MAX);
                        if let Err(e) = self.app.store().hold_sends(row.channel, wait_us).await {
                            tracing::warn!(error = %format!("{e:#}"), "holding sends failed");
                        }
                    }
                }
                let wait_ms = i64::try_from(wait.as_millis()).unwrap_or(i64::MAX);
                Outcome::Retry {
                    not_before: now.saturating_add(wait_ms),
                    error: "429 retry after".into(),
                    counts: false,
                    throttled: true,
                }
            }
            SendOutcome::Transient(error) if attempts < self.cfg.max_attempts => {
                tracing::warn!(row = row.id, attempts, %error, "send failed, will retry");
                let delay = self.cfg.retry_delay(attempts);
                let delay_ms = i64::try_from(delay.as_millis()).unwrap_or(i64::MAX);
                Outcome::Retry {
                    not_before: now.saturating_add(delay_ms),
                    error,
                    counts: true,
                    throttled: false,
                }
            }
            SendOutcome::Transient(error) | SendOutcome::Permanent(error) => {
                tracing::error!(row = row.id, attempts, %error, "send failed for good");
                Outcome::Failed { error }
            }
            SendOutcome::QuotaSpent { until } => {
                match self.app.store().reroute(row, now).await {
                    Ok(true) => {
                        tracing::info!(row = row.id, "quota spent: sent through another channel");
                        return None;
                    }
                    Ok(false) => {}
                    Err(e) => tracing::warn!(error = %format!("{e:#}"), "rerouting failed"),
                }
                Outcome::Retry {
                    not_before: until,
                    error: "quota spent".into(),
                    counts: false,
                    throttled: false,
                }
            }
            SendOutcome::NoRoute(error) => match self.app.store().reroute(row, now).await {
                Ok(true) => {
                    tracing::info!(row = row.id, %error, "sent through another channel");
                    return None;
                }
                Ok(false) => {
                    tracing::warn!(row = row.id, %error, "no channel can carry it");
                    Outcome::Failed { error }
                }
                Err(e) => {
                    tracing::warn!(error = %format!("{e:#}"), "rerouting failed");
                    Outcome::Retry {
                        not_before: now.saturating_add(60_000),
                        error,
                        counts: true,
                        throttled: false,
                    }
                }
            },
            SendOutcome::Unreachable(error) => {
                tracing::info!(row = row.id, identity = ?row.identity_id, "account unreachable");
                Outcome::Unreachable { error }
            }
        })
    }

    /// What each send's outcome means (a retry, a hold, another channel), written in a task
    /// of `recording`; the rows' chats stay busy until it is written.
    async fn record(&mut self, done: Vec<SendResult>, recording: &mut JoinSet<Recorded>) {
        if done.is_empty() {
            return;
        }
        let now = self.app.clock().now().timestamp_millis();
        let rows: Vec<(i64, Channel, String)> = done
            .iter()
            .map(|(row, _)| (row.id, row.channel, row.chat_id.clone()))
            .collect();
        let mut results = Vec::with_capacity(done.len());
        // A row sent through another channel is a new row to read.
        let mut rerouted = false;
        for (row, sent) in done {
            if let Some(p) = self.pacing.get_mut(&row.channel) {
                p.finished(&row.chat_id, Instant::now());
            }
            let attempts = u32::try_from(row.attempts + 1).unwrap_or(u32::MAX);
            self.app.metrics().send(row.channel.code(), sent.metric());
            // None: sent through another channel, a new row to read.
            match self.outcome_of(&row, sent, attempts, now).await {
                Some(outcome) => results.push((row, outcome)),
                None => rerouted = true,
            }
        }
        let app = self.app.clone();
        let due_again = rerouted
            || results
                .iter()
                .any(|(_, o)| !matches!(o, Outcome::Sent { .. }));
        recording.spawn(async move {
            let n = results.len() as u64;
            for attempt in 1..=5 {
                match app.store().record(&results, now).await {
                    Ok(()) => break,
                    Err(e) if attempt < 5 => {
                        tracing::warn!(error = %format!("{e:#}"), "recording outcomes failed, retrying");
                        tokio::time::sleep(Duration::from_millis(200 * attempt)).await;
                    }
                    // The rows stay 'sending' and are queued again at the next start.
                    Err(e) => {
                        tracing::error!(error = %format!("{e:#}"), "recording outcomes failed")
                    }
                }
            }
            (rows, n, due_again)
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pacer_spaces_sends_without_bursts() {
        let t0 = Instant::now();
        let ms = Duration::from_millis;
        let mut p = Pacer::per_second(10.0);
        assert!(p.is_ready(t0));
        p.take(t0);
        assert!(!p.is_ready(t0 + ms(99)));
        assert!(p.is_ready(t0 + ms(100)));
        // A send a little late (within a sixteenth of the interval) keeps the cadence…
        p.take(t0 + ms(105));
        assert_eq!(p.ready_at(), Some(t0 + ms(200)));
        // …a very late one does not earn a burst afterwards.
        p.take(t0 + ms(450));
        assert_eq!(p.ready_at(), Some(t0 + ms(550)));
        p.hold_until(t0 + ms(2000));
        assert!(!p.is_ready(t0 + ms(1999)));
        assert!(p.is_ready(t0 + ms(2000)));
    }

    #[test]
    fn an_unlimited_pacer_is_always_ready_but_honours_a_hold() {
        let t0 = Instant::now();
        let mut p = Pacer::per_second(0.0);
        for _ in 0..1000 {
            assert!(p.is_ready(t0));
            p.take(t0);
        }
        p.hold_until(t0 + Duration::from_secs(1));
        assert!(!p.is_ready(t0));
        assert!(p.is_ready(t0 + Duration::from_secs(1)));
    }

    #[test]
    fn per_chat_and_overall_pacing_combine() {
        let t0 = Instant::now();
        let ms = Duration::from_millis;
        let mut c = ChannelPacing::new(30.0, ms(1000));
        assert_eq!(c.blocked_until("a", t0), None);
        c.take("a", t0);
        // Chat a waits a second; chat b only the overall 1/30 s.
        assert_eq!(c.blocked_until("a", t0 + ms(40)), Some(t0 + ms(1000)));
        assert!(c.blocked_until("b", t0 + ms(10)).is_some());
        assert_eq!(c.blocked_until("b", t0 + ms(34)), None);
    }

    #[test]
    fn a_chats_interval_also_counts_from_when_its_send_came_back() {
        let t0 = Instant::now();
        let ms = Duration::from_millis;
        let mut c = ChannelPacing::new(0.0, ms(300));
        c.take("a", t0);
        // Back quickly: the interval from the start still holds.
        c.finished("a", t0 + ms(10));
        assert_eq!(c.blocked_until("a", t0 + ms(200)), Some(t0 + ms(310)));
        // Back slowly (it reached the platform late): counted from its return.
        c.take("a", t0 + ms(400));
        c.finished("a", t0 + ms(450));
        assert_eq!(c.blocked_until("a", t0 + ms(710)), Some(t0 + ms(750)));
        assert_eq!(c.blocked_until("a", t0 + ms(750)), None);
        // Another chat, and a chat never sent to, are not held.
        c.finished("b", t0 + ms(450));
        assert_eq!(c.blocked_until("b", t0 + ms(451)), None);
    }
}
