//! The chat use case: one message in, one transaction out. [`App::handle_batch`] loads where
//! each person's conversation stands, asks the engine what to do, carries out what it asks
//! (the named use cases, through `requests.rs`), and writes the profile change, the new
//! state and the reply's outbox rows in a single transaction. A crash before the commit
//! loses nothing (the platform redelivers); a redelivered update after it is recognised and
//! ignored.

use super::permission::Actor;
use super::requests::Known;
use super::{App, Flood, Handled, render, split_outbound};
use crate::channels::Channel;
use crate::channels::{Inbound, Outbound};
use crate::domain::club::{Action, Roles};
use crate::domain::donor::Donor;
use crate::domain::phone::PhoneNumber;
use crate::engine::{self, Conversation, Ctx, DonorChange, Saved, State, Step};
use crate::messages::{Lang, MsgId};
use crate::store::{
    Account, Identity, Lane, NeedsWhole, NewDonor, NewMessage, OutboxKey, OutboxRow, Tx,
};
use anyhow::Context;
use chrono::{DateTime, Utc};
use std::collections::{HashMap, HashSet};

/// A channel and the account's id on it: whose conversation a message belongs to.
type AccountKey = (String, String);

/// What a batch has read and done so far, until it is written back.
struct Batch {
    sessions: HashMap<AccountKey, Session>,
    outbox: Vec<PendingRow>,
    /// Donors erased: the database's traces are wiped after the commit, and the erasures
    /// written to the ledger beside the database.
    erased: Vec<i64>,
    /// The donors holding each phone typed in the batch, as stored when it began (read in
    /// one statement; see [`Batch::phone_taken`]).
    phones: HashMap<String, Vec<i64>>,
    /// Donors deleted in this batch (erased, or joined into another).
    removed: HashSet<i64>,
}

impl Batch {
    /// Whether a donor other than `mine`'s account has this phone, as the batch stands:
    /// the donors of its sessions as they are now (written or not), the others as stored.
    /// `None` when the phone was not read with the batch.
    fn phone_taken(&self, phone: &str, mine: &AccountKey) -> Option<bool> {
        let stored = self.phones.get(phone)?;
        let own = self.sessions.get(mine).and_then(|s| s.identity.donor_id);
        let mut in_batch = HashSet::new();
        for (key, s) in self.sessions.iter().filter(|(_, s)| !s.gone) {
            in_batch.extend(s.identity.donor_id);
            let same_person = key == mine || (own.is_some() && s.identity.donor_id == own);
            let has = s
                .donor
                .as_ref()
                .and_then(|d| d.phone.as_ref())
                .is_some_and(|p| p.as_e164() == phone);
            if has && !same_person {
                return Some(true);
            }
        }
        Some(
            stored
                .iter()
                .any(|id| Some(*id) != own && !in_batch.contains(id) && !self.removed.contains(id)),
        )
    }

    /// Whether a session holds a donor created in memory, not yet written.
    fn creating(&self) -> bool {
        self.sessions
            .values()
            .any(|s| s.new_donor.is_some() && !s.gone)
    }
}

/// A reply waiting to be written to the outbox at the end of the batch.
struct PendingRow {
    channel: Channel,
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
    /// The roles of the person (over all their accounts), read with the batch (`None`: not
    /// read, or a role changed in this batch; read when needed).
    roles: Option<Roles>,
    /// The donor was created in this batch and is not written yet (with the language of
    /// the consent): written with the others before anything reads it (see
    /// [`create_new_donors`]).
    new_donor: Option<Lang>,
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
            roles: None,
            new_donor: None,
            state_dirty: false,
            donor_dirty: false,
            gone: false,
        }
    }

    /// The conversation as the engine sees it.
    fn conversation(&self, staff: bool) -> Conversation {
        Conversation {
            state: self.state.clone(),
            lang: self.identity.lang,
            donor: self.donor.clone(),
            join: self.join.clone(),
            ask: self.ask,
            staff,
        }
    }
}

/// The conversation after a step, to continue it (`donor` replaced where given).
fn continued(step: &Step, donor: Option<Donor>, staff: bool) -> Conversation {
    Conversation {
        state: step.state.clone(),
        lang: step.lang,
        donor,
        join: step.join.clone(),
        ask: step.ask,
        staff,
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

/// The donor's phone, if a platform verified it as theirs.
fn verified_phone(d: &Donor) -> Option<String> {
    d.phone
        .as_ref()
        .filter(|_| d.phone_verified)
        .map(|p| p.as_e164().to_string())
}

fn account_key(inbound: &Inbound) -> AccountKey {
    (inbound.channel.code().to_string(), inbound.user.clone())
}

impl App {
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
    ///
    /// It is a unit of work for its people (`Store::begin_for_people`): on PostgreSQL, batches
    /// of other people run beside it, on this instance and others. When a step comes to
    /// something shared (a request that is not [`engine::Request::keeps_to_the_person`], an
    /// erasure, two accounts joined) while other units are running, the batch is rolled back
    /// and run again holding the whole database.
    pub async fn handle_batch(&self, batch: Vec<Inbound>) -> anyhow::Result<Vec<Handled>> {
        match self.handle_batch_holding(batch.clone(), false).await {
            Err(e) if e.downcast_ref::<NeedsWhole>().is_some() => {
                self.metrics().units_widened.inc();
                self.handle_batch_holding(batch, true).await
            }
            done => done,
        }
    }

    async fn handle_batch_holding(
        &self,
        batch: Vec<Inbound>,
        whole: bool,
    ) -> anyhow::Result<Vec<Handled>> {
        let now = self.clock().now();
        let now_ms = now.timestamp_millis();
        let mut tx = if whole {
            self.store().begin().await?
        } else {
            let accounts: Vec<(&str, &str)> = batch
                .iter()
                .map(|i| (i.channel.code(), i.user.as_str()))
                .collect();
            let phones = phones_typed(batch.iter());
            self.store().begin_for_people(&accounts, &phones).await?
        };
        let live = fresh_events(&mut tx, &batch, now_ms).await?;
        let mut b = Batch {
            sessions: load_sessions(&mut tx, &batch, &live, now_ms).await?,
            outbox: Vec::new(),
            erased: Vec::new(),
            phones: typed_phones(&mut tx, &batch, &live).await?,
            removed: HashSet::new(),
        };
        let mut results = Vec::with_capacity(batch.len());
        for (inbound, live) in batch.into_iter().zip(live) {
            results.push(if live {
                self.turn(&mut tx, &mut b, inbound, now).await?
            } else {
                Handled::Duplicate
            });
        }
        let handed = write_back(&mut tx, &mut b, now_ms, self.handoff_to()).await?;
        // Rows the worker must read from the outbox: replies not handed over, and what the
        // batch's requests queued (a broadcast, a call-out…).
        let unread = tx.enqueued() > handed.len();
        tx.commit().await?;
        self.handoff().give(handed, unread);
        if !b.erased.is_empty() {
            // The table has them (committed); the file beside the database outlives a
            // restore of an older copy of it. A failure here is logged, not the batch's.
            if let Err(e) = self.store().append_erasures(&b.erased, now_ms) {
                tracing::error!(error = %e, "the erasure ledger file was not written");
            }
            self.store().erase_traces().await?;
        }
        if unread {
            self.outbox_added().notify_one();
        }
        Ok(results)
    }

    /// The channels whose replies the delivery worker takes in memory now, and the lease
    /// their claim carries (`None`: every reply waits in the outbox to be read).
    fn handoff_to(&self) -> Option<(Vec<Channel>, i64)> {
        let channels = self.handoff().accepting();
        if channels.is_empty() {
            return None;
        }
        let lease_ms = i64::try_from(self.config().delivery.lease_ms).unwrap_or(i64::MAX);
        let now = self.clock().now().timestamp_millis();
        Some((channels, now.saturating_add(lease_ms)))
    }

    /// One message of the batch: the flood limit, the engine's step and what it asked for,
    /// accounts joined by a verified phone, the changes applied, the reply queued.
    async fn turn(
        &self,
        tx: &mut Tx,
        b: &mut Batch,
        inbound: Inbound,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Handled> {
        let now_ms = now.timestamp_millis();
        let key = account_key(&inbound);
        if b.sessions.get(&key).is_none_or(|s| s.gone) {
            // Erased or forgotten earlier in this batch: a new account, as a stranger.
            let account = Account {
                channel: inbound.channel.code(),
                external_id: &inbound.user,
                chat_id: &inbound.chat_id,
            };
            let identity = tx
                .touch_identities(&[account], now_ms)
                .await?
                .remove(&key)
                .context("the account was not recorded")?;
            b.sessions
                .insert(key.clone(), Session::new(identity, None, None));
        }
        if b.sessions.get(&key).is_some_and(|s| s.new_donor.is_some()) {
            // A second message of a donor created in this batch: written first.
            create_new_donors(tx, b, now_ms).await?;
        }
        let Some(session) = b.sessions.get(&key) else {
            return Ok(Handled::Duplicate);
        };
        let identity_id = session.identity.id;
        if let Some(handled) = self
            .flood_gate(tx, b, &inbound, identity_id, now_ms)
            .await?
        {
            return Ok(handled);
        }
        let telegram_bot = self.telegram_bot(Some(inbound.channel));
        let mut ctx = self.ctx_at(now, telegram_bot.as_deref());
        ctx.home = self.config().channel_province(inbound.channel);
        let roles = roles_of(tx, b, &key).await?;
        let Some(session) = b.sessions.get(&key) else {
            return Ok(Handled::Duplicate);
        };
        // Staff who are not donors skip the consent wall (see `Conversation::staff`).
        let staff = session.donor.is_none() && (roles.admin || roles.coordinator || roles.leader);

        let before = session.donor.as_ref().and_then(verified_phone);
        let was_paused = session.donor.as_ref().is_some_and(|d| d.paused);
        let step = engine::step(&ctx, session.conversation(staff), inbound.input.plain());
        // A role granted or revoked in this batch: the batch's reading of who is staff is
        // read again, account by account, for the messages after it.
        let role_change = matches!(
            step.request,
            Some(engine::Request::Club(engine::ClubRequest::SetRole { .. }))
        );
        let step = self
            .carry_out(tx, b, &ctx, &key, roles, staff, step, now)
            .await?;
        if role_change {
            for s in b.sessions.values_mut() {
                s.roles = None;
            }
        }
        let step = join_by_verified_phone(tx, b, &ctx, &key, before, staff, step).await?;
        let kept = apply_step(tx, b, &key, &step, was_paused, now_ms).await?;
        let parts = split_outbound(
            render(self.catalogue(), step.lang, &step.reply),
            inbound.channel,
        );
        for (i, out) in parts.into_iter().enumerate() {
            b.outbox.push(PendingRow {
                channel: inbound.channel,
                chat_id: inbound.chat_id.clone(),
                // Once the account is erased the row must not point to it; the chat id
                // alone carries the goodbye, and is cleared once it is sent.
                identity_id: kept.then_some(identity_id),
                idempotency_key: inbound.event_key.as_ref().map(|k| {
                    OutboxKey::Reply {
                        channel: inbound.channel.code(),
                        event: k,
                        part: i,
                    }
                    .to_string()
                }),
                out,
            });
        }
        Ok(Handled::Replied)
    }

    /// The per-account flood limit (four times higher for staff): `Some` when the message is
    /// dropped, with a "slow down" queued once a window.
    async fn flood_gate(
        &self,
        tx: &mut Tx,
        b: &mut Batch,
        inbound: &Inbound,
        identity_id: i64,
        now_ms: i64,
    ) -> anyhow::Result<Option<Handled>> {
        let channel = inbound.channel.code();
        let mut flood = self.flood_check(channel, &inbound.user, now_ms);
        if flood != Flood::Allow
            && roles_of(tx, b, &account_key(inbound))
                .await?
                .may(Action::ManageDrives)
        {
            flood = self.flood_recheck_staff(channel, &inbound.user);
        }
        match flood {
            Flood::Allow => Ok(None),
            Flood::Drop => Ok(Some(Handled::Throttled)),
            Flood::Warn => {
                let lang = b
                    .sessions
                    .get(&account_key(inbound))
                    .map_or(crate::messages::Lang::Vi, |s| s.identity.lang);
                let reply = engine::Reply {
                    parts: vec![MsgId::SlowDown.into()],
                    ..Default::default()
                };
                b.outbox.push(PendingRow {
                    channel: inbound.channel,
                    chat_id: inbound.chat_id.clone(),
                    identity_id: Some(identity_id),
                    idempotency_key: None,
                    out: render(self.catalogue(), lang, &reply),
                });
                Ok(Some(Handled::Throttled))
            }
        }
    }

    /// The engine asked for data or a change (clubs, broadcasts, roles, drives…): carry it
    /// out in this transaction and let the engine finish the turn.
    #[allow(clippy::too_many_arguments)]
    async fn carry_out(
        &self,
        tx: &mut Tx,
        b: &mut Batch,
        ctx: &Ctx<'_>,
        key: &AccountKey,
        roles: Roles,
        staff: bool,
        mut step: Step,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Step> {
        let mut rounds = 0;
        while let Some(request) = step.request.take() {
            rounds += 1;
            anyhow::ensure!(rounds <= 4, "the engine kept asking: {request:?}");
            let phone_taken = match &request {
                engine::Request::PhoneInUse { phone } => b.phone_taken(phone.as_e164(), key),
                _ => None,
            };
            if phone_taken.is_none() && b.creating() {
                // What the request reads must include the donors created before it.
                create_new_donors(tx, b, now.timestamp_millis()).await?;
            }
            let Some(session) = b.sessions.get(key) else {
                anyhow::bail!("a request for an account the batch does not hold");
            };
            let (identity_id, donor_id) = (session.identity.id, session.identity.donor_id);
            let who = Actor {
                identity_id,
                donor_id,
                registered: step
                    .donor
                    .as_ref()
                    .is_some_and(|d| d.registered_at.is_some()),
            };
            if matches!(step.change, DonorChange::Save | DonorChange::Renew)
                && request.reads_stored_profile()
            {
                // A registration confirmed in this very step: the store must see it.
                if let (Some(id), Some(d)) = (donor_id, &step.donor) {
                    tx.save_donors(&[(id, d)]).await?;
                }
            }
            // A phone read with the batch was locked with it; any other phone, and anything
            // shared, needs the whole database (see `handle_batch`).
            let phone_locked = phone_taken.is_some();
            if !request.keeps_to_the_person()
                || (matches!(request, engine::Request::PhoneInUse { .. }) && !phone_locked)
            {
                tx.widen().await?;
            }
            let known = Known { roles, phone_taken };
            let outcome = self.execute(tx, &who, known, request, now).await?;
            let mut next =
                engine::resume(ctx, continued(&step, step.donor.clone(), staff), outcome);
            let mut parts = std::mem::take(&mut step.reply.parts);
            parts.append(&mut next.reply.parts);
            next.reply.parts = parts;
            if step.change != DonorChange::Keep && next.change == DonorChange::Keep {
                next.change = step.change;
            }
            step = next;
        }
        Ok(step)
    }
}

/// The roles of the batch's account `key`: as read with the batch, or read now (a role
/// changed in the batch, or a new account).
async fn roles_of(tx: &mut Tx, b: &mut Batch, key: &AccountKey) -> anyhow::Result<Roles> {
    let Some(session) = b.sessions.get_mut(key) else {
        return Ok(Roles::default());
    };
    if let Some(known) = session.roles {
        return Ok(known);
    }
    let roles = tx.roles_of(session.identity.id).await?;
    session.roles = Some(roles);
    Ok(roles)
}

/// The phones typed in the batch's new messages (any text that reads as a phone), with the
/// donors holding each, in one statement.
async fn typed_phones(
    tx: &mut Tx,
    batch: &[Inbound],
    live: &[bool],
) -> anyhow::Result<HashMap<String, Vec<i64>>> {
    let phones = phones_typed(batch.iter().zip(live).filter(|(_, l)| **l).map(|(i, _)| i));
    if phones.is_empty() {
        return Ok(HashMap::new());
    }
    let mut found = tx.donors_with_phones(&phones).await?;
    // A phone no donor holds is known too (an empty list).
    Ok(phones
        .into_iter()
        .map(|p| {
            let ids = found.remove(&p).unwrap_or_default();
            (p, ids)
        })
        .collect())
}

/// The phones typed in these messages (any text that reads as one), sorted, once each.
fn phones_typed<'a>(messages: impl Iterator<Item = &'a Inbound>) -> Vec<String> {
    let mut phones: Vec<String> = messages
        .filter_map(|i| match &i.input {
            engine::Input::Text(t) => PhoneNumber::parse(&crate::domain::text::plain(t)).ok(),
            _ => None,
        })
        .map(|p| p.as_e164().to_string())
        .collect();
    phones.sort_unstable();
    phones.dedup();
    phones
}

/// Write the donors created in memory so far (consent given in this batch), in three
/// statements for all: before anything reads them, and at the end of the batch.
async fn create_new_donors(tx: &mut Tx, b: &mut Batch, now_ms: i64) -> anyhow::Result<()> {
    let mut keys = Vec::new();
    let mut donors = Vec::new();
    for (key, s) in &b.sessions {
        if let (Some(lang), Some(d), false) = (s.new_donor, &s.donor, s.gone) {
            keys.push(key.clone());
            donors.push((s.identity.id, d.clone(), lang));
        }
    }
    if donors.is_empty() {
        return Ok(());
    }
    let new: Vec<NewDonor> = donors
        .iter()
        .map(|(identity_id, donor, lang)| NewDonor {
            identity_id: *identity_id,
            donor,
            lang: *lang,
        })
        .collect();
    let ids = tx.create_donors(&new, now_ms).await?;
    for (key, id) in keys.iter().zip(ids) {
        if let Some(s) = b.sessions.get_mut(key) {
            s.identity.donor_id = Some(id);
            s.new_donor = None;
        }
    }
    Ok(())
}

/// Which updates of the batch are new: an event already handled (or twice in this batch)
/// is skipped. This write comes first, so the write lock is held before anything is read.
async fn fresh_events(tx: &mut Tx, batch: &[Inbound], now_ms: i64) -> anyhow::Result<Vec<bool>> {
    let events: Vec<(&str, &str)> = batch
        .iter()
        .filter_map(|i| i.event_key.as_deref().map(|k| (i.channel.code(), k)))
        .collect();
    let mut fresh = if events.is_empty() {
        HashSet::new()
    } else {
        tx.mark_seen(&events, now_ms).await?
    };
    Ok(batch
        .iter()
        .map(|i| match &i.event_key {
            None => true,
            Some(k) => fresh.remove(&(i.channel.code().to_string(), k.clone())),
        })
        .collect())
}

/// The accounts, states, donors and roles of the batch's new updates, in four statements.
async fn load_sessions(
    tx: &mut Tx,
    batch: &[Inbound],
    live: &[bool],
    now_ms: i64,
) -> anyhow::Result<HashMap<AccountKey, Session>> {
    let mut accounts: Vec<Account> = Vec::new();
    for (i, _) in batch.iter().zip(live).filter(|(_, l)| **l) {
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
    // One person may write from two accounts at once: their donor is theirs to write only
    // once locked (a unit for people), before it is read.
    tx.lock_donors(&donor_ids).await?;
    let mut donors = tx.load_donors(&donor_ids).await?;
    // Everyone's roles, in one statement for the batch.
    let roles = tx.roles_of_accounts(&ids).await?;
    let mut sessions: HashMap<AccountKey, Session> = identities
        .into_iter()
        .map(|(key, identity)| {
            let saved = states
                .remove(&identity.id)
                .and_then(|json| parse_state(identity.id, &json));
            let donor = identity.donor_id.and_then(|id| donors.remove(&id));
            let mut session = Session::new(identity, saved, donor);
            session.roles = Some(roles.get(&session.identity.id).copied().unwrap_or_default());
            (key, session)
        })
        .collect();
    // An ask ends with its call-out (covered, cancelled, expired): it is no longer the
    // question a bare "1" or "2" answers, nor reminded of. Read only when a session has one.
    let asked: Vec<i64> = sessions
        .values()
        .filter_map(|s| s.ask.map(|a| a.callout))
        .collect();
    if !asked.is_empty() {
        let open = tx.open_callouts_among(&asked).await?;
        for s in sessions.values_mut() {
            if s.ask.is_some_and(|a| !open.contains(&a.callout)) {
                s.ask = None;
                s.state_dirty = true;
            }
        }
    }
    Ok(sessions)
}

/// One donor, many accounts: a phone verified through this platform that another donor
/// verified through a platform too is the same person. Never by typed text.
async fn join_by_verified_phone(
    tx: &mut Tx,
    b: &mut Batch,
    ctx: &Ctx<'_>,
    key: &AccountKey,
    before: Option<String>,
    staff: bool,
    step: Step,
) -> anyhow::Result<Step> {
    let newly_verified = step
        .donor
        .as_ref()
        .and_then(verified_phone)
        .filter(|p| Some(p) != before.as_ref());
    let from = b.sessions.get(key).and_then(|s| s.identity.donor_id);
    let (Some(phone), Some(from), DonorChange::Save) = (newly_verified, from, step.change) else {
        return Ok(step);
    };
    // Another person's donor is read and joined into: nobody may write it meanwhile.
    tx.widen().await?;
    // Donors created earlier in the batch are looked among too.
    create_new_donors(tx, b, ctx.now_ms).await?;
    let Some((into, found)) = tx.verified_donor_with_phone(&phone, from).await? else {
        return Ok(step);
    };
    tx.merge_donor(from, into).await?;
    b.removed.insert(from);
    for s in b
        .sessions
        .values_mut()
        .filter(|s| s.identity.donor_id == Some(from))
    {
        s.identity.donor_id = Some(into);
        s.donor = Some(found.clone());
        s.donor_dirty = false;
        // The person now holds the roles of the other donor's accounts too.
        s.roles = None;
    }
    tracing::info!(from, into, "accounts joined by a verified phone");
    Ok(engine::linked(ctx, continued(&step, Some(found), staff)))
}

/// Apply what the step changed to the session (and the rare changes to the store at once):
/// language, pause, a new, saved or erased donor, the state. Returns whether the account is
/// kept (false: erased or forgotten, with its queued rows).
async fn apply_step(
    tx: &mut Tx,
    b: &mut Batch,
    key: &AccountKey,
    step: &Step,
    was_paused: bool,
    now_ms: i64,
) -> anyhow::Result<bool> {
    let Some(session) = b.sessions.get_mut(key) else {
        return Ok(false);
    };
    let identity_id = session.identity.id;
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
    match (step.change, &step.donor, session.identity.donor_id) {
        (DonorChange::Create, Some(d), _) => {
            // Written with the batch's other new donors (see `create_new_donors`).
            session.new_donor = Some(step.lang);
            session.donor = Some(d.clone());
        }
        (DonorChange::Save, Some(d), Some(_)) => {
            session.donor = Some(d.clone());
            session.donor_dirty = true;
        }
        (DonorChange::Renew, Some(d), Some(id)) => {
            tx.record_consent(id, d, step.lang).await?;
            session.donor = Some(d.clone());
            session.donor_dirty = true;
        }
        (DonorChange::Erase, _, Some(id)) => {
            // Sign-ups, pledges and memberships go with the donor: shared counts change.
            tx.widen().await?;
            tx.erase_donor(id, now_ms).await?;
            b.removed.insert(id);
            erased_donor = Some(id);
        }
        (DonorChange::Keep, _, _) => {}
        (change, _, id) => {
            anyhow::bail!("engine asked for {change:?} with donor id {id:?}: not applied");
        }
    }
    Ok(match (&step.state, erased_donor) {
        (Some(state), None) => {
            session.state = Some(state.clone());
            session.join = step.join.clone();
            session.ask = step.ask;
            session.state_dirty = true;
            true
        }
        (_, Some(donor_id)) => {
            // Every account of that donor is gone, with its queued rows.
            b.erased.push(donor_id);
            for s in b
                .sessions
                .values_mut()
                .filter(|s| s.identity.donor_id == Some(donor_id))
            {
                s.gone = true;
                let gone = s.identity.id;
                b.outbox.retain(|row| row.identity_id != Some(gone));
            }
            false
        }
        (None, None) => {
            tx.forget_identity(identity_id).await?;
            session.gone = true;
            b.outbox.retain(|row| row.identity_id != Some(identity_id));
            false
        }
    })
}

/// Write back what the batch changed: states and donors with multi-row statements, and
/// every reply as a reply-lane outbox row; those of `handoff`'s channels are claimed for the
/// delivery worker and returned, to hand over once committed.
async fn write_back(
    tx: &mut Tx,
    b: &mut Batch,
    now_ms: i64,
    handoff: Option<(Vec<Channel>, i64)>,
) -> anyhow::Result<Vec<OutboxRow>> {
    create_new_donors(tx, b, now_ms).await?;
    let mut states_out = Vec::new();
    let mut donors_out = Vec::new();
    for s in b.sessions.values().filter(|s| !s.gone) {
        if s.state_dirty
            && let Some(state) = &s.state
        {
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
        if s.donor_dirty
            && let (Some(id), Some(d)) = (s.identity.donor_id, &s.donor)
        {
            donors_out.push((id, d));
        }
    }
    tx.save_states(&states_out, now_ms).await?;
    tx.save_donors(&donors_out).await?;
    let mut rows = Vec::with_capacity(b.outbox.len());
    for row in &b.outbox {
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
    let ids = tx.enqueue_ids(&rows, now_ms).await?;
    match handoff {
        Some((channels, lease_until)) => tx.claim_added(&ids, &channels, now_ms, lease_until).await,
        None => Ok(Vec::new()),
    }
}
