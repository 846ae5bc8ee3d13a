//! Broadcasts, as named use cases: whom a person may write to, the preview and the send
//! (under the daily cap, one bulk row per recipient in their language and channel), a
//! sender's broadcasts, stopping one; and the progress reports senders get while it goes.
//! Each runs in the caller's transaction; who may call which was checked before
//! (`requests.rs`).

use super::permission::Actor;
use super::{App, render, split_outbound};
use crate::channels::Channel;
use crate::domain::audit::AuditAction;
use crate::domain::club::{Action, Audience, Roles};
use crate::engine::{ClubItem, ClubOutcome, Outcome, Reply, Wide};
use crate::messages::{Lang, Msg, MsgId};
use crate::store::{Lane, NewMessage, OutboxKey, Tx};
use anyhow::Context;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::collections::hash_map::Entry;

/// What came of [`App::stop_broadcast`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stopped {
    /// Nothing was left to stop (or there is no such broadcast).
    Over,
    /// This many messages will not be sent.
    Cancelled { stopped: i64 },
}

impl App {
    /// Broadcasts left today for this person (0: the cap is reached).
    async fn broadcasts_left(
        &self,
        tx: &mut Tx,
        identity_id: i64,
        now: DateTime<Utc>,
    ) -> anyhow::Result<u32> {
        let cap = self.config().broadcast.daily_cap;
        let used = tx
            .broadcasts_since(identity_id, self.start_of_day_ms(now))
            .await?;
        Ok(cap.saturating_sub(u32::try_from(used).unwrap_or(u32::MAX)))
    }

    /// Whom this person may broadcast to: every club for staff (and wider audiences), else
    /// the clubs they lead; refused when that is none.
    pub(super) async fn broadcast_options(
        &self,
        tx: &mut Tx,
        roles: &Roles,
        member: Option<i64>,
    ) -> anyhow::Result<Outcome> {
        let wide = match roles.staff_in.provinces() {
            _ if !roles.may(Action::BroadcastWide) => Wide::No,
            None => Wide::Nation,
            Some(list) => Wide::Provinces(list),
        };
        let clubs: Vec<ClubItem> = if wide.any() {
            tx.all_clubs(roles.staff_in)
                .await?
                .into_iter()
                .map(|(id, name)| ClubItem { id, name })
                .collect()
        } else {
            match member {
                Some(d) => tx
                    .clubs_of(d, None)
                    .await?
                    .into_iter()
                    .filter(|c| c.leader)
                    .map(|c| ClubItem {
                        id: c.id,
                        name: c.name,
                    })
                    .collect(),
                None => Vec::new(),
            }
        };
        Ok(if clubs.is_empty() && !wide.any() {
            Outcome::Refused
        } else {
            Outcome::Club(ClubOutcome::BroadcastOptions { clubs, wide })
        })
    }

    /// How many a broadcast would reach, and how many broadcasts are left today.
    pub(super) async fn preview_broadcast(
        &self,
        tx: &mut Tx,
        who: &Actor,
        audience: Audience,
        text: String,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Outcome> {
        let left = self.broadcasts_left(tx, who.identity_id, now).await?;
        if left == 0 {
            return Ok(Outcome::Club(ClubOutcome::CapReached));
        }
        Ok(match tx.count_audience(&audience, who.donor_id).await? {
            0 => Outcome::Club(ClubOutcome::NoRecipients),
            count => Outcome::Club(ClubOutcome::Preview {
                audience,
                text,
                count,
                left,
            }),
        })
    }

    /// Send a broadcast, under the daily cap. With a form's one-time key (the dashboard's
    /// Send), a second press answers with the broadcast the first one made.
    pub(super) async fn send_broadcast(
        &self,
        tx: &mut Tx,
        who: &Actor,
        audience: Audience,
        text: &str,
        form_key: Option<&str>,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Outcome> {
        if let Some(key) = form_key
            && let Some((id, count)) = tx.broadcast_by_form_key(who.identity_id, key).await?
        {
            return Ok(Outcome::Club(ClubOutcome::BroadcastQueued {
                id,
                count,
                held_until: None,
            }));
        }
        if self.broadcasts_left(tx, who.identity_id, now).await? == 0 {
            return Ok(Outcome::Club(ClubOutcome::CapReached));
        }
        self.queue_broadcast(tx, who, audience, text, form_key, now)
            .await
    }

    /// The sender's last broadcasts, with their progress.
    pub(super) async fn my_broadcasts(
        &self,
        tx: &mut Tx,
        identity_id: i64,
    ) -> anyhow::Result<Outcome> {
        Ok(Outcome::Club(ClubOutcome::Broadcasts(
            tx.broadcasts_of(identity_id, 5).await?,
        )))
    }

    /// Stop a broadcast: what has not been sent yet will not be (audited).
    pub(super) async fn stop_broadcast(
        &self,
        tx: &mut Tx,
        identity_id: i64,
        id: i64,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Stopped> {
        if tx.broadcast_sender(id).await?.is_none() {
            return Ok(Stopped::Over);
        }
        let now_ms = now.timestamp_millis();
        let stopped = i64::try_from(tx.cancel_broadcast(id, now_ms).await?).unwrap_or(i64::MAX);
        let actor = tx.account_ref(identity_id).await?;
        tx.audit(
            &actor,
            AuditAction::BroadcastCancel,
            &format!("broadcast#{id}"),
            Some(stopped),
            now_ms,
        )
        .await?;
        Ok(if stopped == 0 {
            Stopped::Over
        } else {
            Stopped::Cancelled { stopped }
        })
    }

    /// Write one bulk-lane outbox row per recipient, in the recipient's language and in the
    /// shape of their channel, all tied to a new broadcast.
    async fn queue_broadcast(
        &self,
        tx: &mut Tx,
        who: &Actor,
        audience: Audience,
        text: &str,
        form_key: Option<&str>,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Outcome> {
        let now_ms = now.timestamp_millis();
        let recipients = tx.audience(&audience, who.donor_id).await?;
        if recipients.is_empty() {
            return Ok(Outcome::Club(ClubOutcome::NoRecipients));
        }
        let count = i64::try_from(recipients.len()).unwrap_or(i64::MAX);
        let id = tx
            .create_broadcast(who.identity_id, &audience, text, count, form_key, now_ms)
            .await?;
        let msg = match &audience {
            Audience::Club { name, .. } => Msg::new(MsgId::BroadcastFromClub)
                .str("club", name.clone())
                .str("text", text),
            _ => Msg::new(MsgId::BroadcastFromOrg)
                .str("org", self.config().org_name.clone())
                .str("text", text),
        };
        // One rendering per language and channel, shared by every recipient.
        let mut bodies: HashMap<(Lang, Channel), Vec<String>> = HashMap::new();
        let mut rows = Vec::with_capacity(recipients.len());
        for r in &recipients {
            let encoded = match bodies.entry((r.lang, r.channel)) {
                Entry::Occupied(e) => e.into_mut(),
                Entry::Vacant(e) => {
                    let reply = Reply {
                        parts: vec![msg.clone()],
                        ..Reply::default()
                    };
                    let out = render(self.catalogue(), r.lang, &reply);
                    let encoded = split_outbound(out, r.channel)
                        .iter()
                        .map(serde_json::to_string)
                        .collect::<Result<Vec<_>, _>>()
                        .context("encoding a broadcast")?;
                    e.insert(encoded)
                }
            };
            for (i, body) in encoded.iter().enumerate() {
                rows.push(NewMessage {
                    idempotency_key: Some(format!(
                        "{}:{}:{i}",
                        OutboxKey::Broadcast { id },
                        r.identity_id
                    )),
                    channel: r.channel,
                    chat_id: &r.chat_id,
                    identity_id: Some(r.identity_id),
                    lane: Lane::Bulk,
                    body: body.clone(),
                    not_before: now_ms,
                    broadcast_id: Some(id),
                });
            }
        }
        tx.enqueue(&rows, now_ms).await?;
        let actor = tx.account_ref(who.identity_id).await?;
        tx.audit(
            &actor,
            AuditAction::BroadcastSend,
            &audience.key(),
            Some(count),
            now_ms,
        )
        .await?;
        let cfg = self.config();
        let held_until = cfg
            .quiet_hours
            .and_then(|q| q.ends_after(now, cfg.timezone))
            .map(|t| t.with_timezone(&cfg.timezone).format("%H:%M").to_string());
        Ok(Outcome::Club(ClubOutcome::BroadcastQueued {
            id,
            count,
            held_until,
        }))
    }

    /// Tell senders how their broadcasts are going: a progress message at most every
    /// `broadcast.progress_every_secs` while messages are waiting, and one summary when none
    /// is. Several processes may run this at once: each report is claimed in the database
    /// before it is queued, and keyed, so none is sent twice. Returns the reports queued.
    pub async fn report_broadcasts(&self) -> anyhow::Result<usize> {
        let now = self.clock().now();
        let now_ms = now.timestamp_millis();
        let every_ms = i64::try_from(self.config().broadcast.progress_every_secs)
            .unwrap_or(i64::MAX)
            .saturating_mul(1000);
        // Most ticks find nothing open: that look is a read alone. With something open the
        // transaction will write, so it takes the write lock before reading: a read
        // transaction that turns into a write after the delivery worker (another connection
        // of this process) committed gets SQLite's "database is locked" at once, without
        // waiting (issue 14: seen once in 32 restarts).
        let mut look = self.store().begin().await?;
        if look.open_broadcasts().await?.is_empty() {
            look.commit().await?;
            return Ok(0);
        }
        drop(look);
        let mut tx = self.store().begin().await?;
        tx.lock_for_write().await?;
        let open = tx.open_broadcasts().await?;
        let mut rows: Vec<(String, crate::store::Recipient, String)> = Vec::new();
        for b in open {
            let p = tx.progress(b.id).await?;
            let done = p.done();
            let finished = p.waiting == 0;
            let due = now_ms.saturating_sub(b.progress_at.unwrap_or(0)) >= every_ms
                && done > b.progress_done;
            if !finished && !due {
                continue;
            }
            if !tx.broadcast_reported(b.id, done, finished, now_ms).await? {
                continue;
            }
            let Some(sender) = b.sender else {
                continue;
            };
            let (id, key) = if finished {
                (
                    MsgId::BroadcastSummary,
                    OutboxKey::BroadcastSummary { id: b.id }.to_string(),
                )
            } else {
                (
                    MsgId::BroadcastProgress,
                    OutboxKey::BroadcastProgress { id: b.id, done }.to_string(),
                )
            };
            let msg = crate::engine::progress_msg(id, b.id, &b.label, b.recipients, &p);
            let reply = Reply {
                parts: vec![msg],
                ..Reply::default()
            };
            let out = render(self.catalogue(), sender.lang, &reply);
            let body = serde_json::to_string(&out).context("encoding a report")?;
            rows.push((key, sender, body));
        }
        let messages: Vec<NewMessage> = rows
            .iter()
            .map(|(key, s, body)| NewMessage {
                idempotency_key: Some(key.clone()),
                channel: s.channel,
                chat_id: &s.chat_id,
                identity_id: Some(s.identity_id),
                lane: Lane::Reply,
                body: body.clone(),
                not_before: now_ms,
                broadcast_id: None,
            })
            .collect();
        let queued = messages.len();
        tx.enqueue(&messages, now_ms).await?;
        tx.commit().await?;
        if queued > 0 {
            self.outbox_added().notify_one();
        }
        Ok(queued)
    }
}
