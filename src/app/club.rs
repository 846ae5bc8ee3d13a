//! Carrying out the engine's club, broadcast and role requests inside the step's
//! transaction. Every privileged request is checked here against the roles read in the same
//! transaction, whatever screen it came from: nothing privileged is reachable by guessing a
//! command or replaying a button.

use super::drive::rows_for;
use super::permission::need;
use super::{App, render, split_outbound};
use crate::channels::ChannelKind;
use crate::domain::club::{Action, Audience, CODE_LEN, ClubInfo, Role, invite_code};
use crate::engine::{ClubItem, Outcome, Reply, Request};
use crate::messages::{Lang, Msg, MsgId};
use crate::store::{Lane, NewMessage, PhoneLookup, Tx};
use anyhow::Context;
use chrono::{DateTime, TimeZone, Utc};
use std::collections::HashMap;

/// The person making a request.
pub(super) struct Actor {
    pub identity_id: i64,
    pub donor_id: Option<i64>,
    /// Whether the donor finished registering.
    pub registered: bool,
}

/// A fresh random invite code.
pub(super) fn random_code() -> String {
    let mut bytes = [0u8; CODE_LEN];
    if getrandom::getrandom(&mut bytes).is_err() {
        // No system randomness (never seen on Linux): the clock's nanoseconds, hashed.
        let n = Utc::now().timestamp_nanos_opt().unwrap_or_default();
        let digest = <sha2::Sha256 as sha2::Digest>::digest(n.to_le_bytes());
        bytes.copy_from_slice(&digest[..CODE_LEN]);
    }
    invite_code(bytes)
}

impl App {
    /// Start of today in the configured time zone, as unix ms.
    pub(super) fn start_of_day_ms(&self, now: DateTime<Utc>) -> i64 {
        let tz = self.config().timezone;
        let day = now.with_timezone(&tz).date_naive();
        tz.from_local_datetime(&day.and_time(chrono::NaiveTime::MIN))
            .earliest()
            .map_or(now.timestamp_millis(), |t| t.timestamp_millis())
    }

    /// Broadcasts left today for this person (0: the cap is reached).
    async fn broadcasts_left(
        &self,
        tx: &mut Tx,
        who: &Actor,
        now: DateTime<Utc>,
    ) -> anyhow::Result<u32> {
        let cap = self.config().broadcast.daily_cap;
        let used = tx
            .broadcasts_since(who.identity_id, self.start_of_day_ms(now))
            .await?;
        Ok(cap.saturating_sub(u32::try_from(used).unwrap_or(u32::MAX)))
    }

    pub(super) async fn execute(
        &self,
        tx: &mut Tx,
        who: &Actor,
        request: Request,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Outcome> {
        let now_ms = now.timestamp_millis();
        let roles = tx.roles_of(who.identity_id).await?;
        // Every permission, from the one table (`permission.rs`), before anything is done.
        if !self.allowed(tx, who, &roles, need(&request)).await? {
            return Ok(Outcome::Refused);
        }
        // Club membership needs a registered donor.
        let member = who.donor_id.filter(|_| who.registered);
        Ok(match request {
            Request::Drive(r) => return self.execute_drive(tx, who, &roles, r, now).await,
            Request::Callout(r) => return self.execute_callout(tx, who, &roles, r, now).await,
            Request::PhoneInUse { phone } => {
                let mine = who.donor_id;
                let taken = tx.phone_used_by_another(phone.as_e164(), mine).await?;
                Outcome::PhoneInUse { phone, taken }
            }
            Request::MyClubs => match member {
                Some(d) => Outcome::Clubs(tx.clubs_of(d, None).await?),
                None => Outcome::Refused,
            },
            Request::Club { id } => match member {
                Some(d) => match tx.clubs_of(d, Some(id)).await?.pop() {
                    Some(c) => Outcome::Club(c),
                    None => Outcome::NoSuchClub,
                },
                None => Outcome::Refused,
            },
            Request::JoinClub { code } => {
                let Some(d) = member else {
                    return Ok(Outcome::Refused);
                };
                match tx.club_by_code(&code, d).await? {
                    None => Outcome::NoSuchCode,
                    Some((club, true)) => Outcome::Joined {
                        club,
                        already: true,
                    },
                    Some((mut club, false)) => {
                        tx.join_club(club.id, d, now_ms).await?;
                        club.members += 1;
                        Outcome::Joined {
                            club,
                            already: false,
                        }
                    }
                }
            }
            Request::LeaveClub { id } => {
                let Some(d) = member else {
                    return Ok(Outcome::Refused);
                };
                match tx.clubs_of(d, Some(id)).await?.pop() {
                    None => Outcome::NoSuchClub,
                    Some(c) if c.leader && c.members > 1 && tx.leaders_of(id).await? == 1 => {
                        Outcome::LastLeader
                    }
                    Some(c) => {
                        tx.leave_club(id, d).await?;
                        Outcome::Left { name: c.name }
                    }
                }
            }
            Request::MuteClub { id, mute } => {
                let Some(d) = member else {
                    return Ok(Outcome::Refused);
                };
                tx.set_muted(id, d, mute).await?;
                match tx.clubs_of(d, Some(id)).await?.pop() {
                    Some(c) => Outcome::Muted(c),
                    None => Outcome::NoSuchClub,
                }
            }
            Request::Members { id, page } => match self.led_club(tx, member, id).await? {
                Some(club) => Outcome::Members {
                    club: id,
                    name: club.name,
                    members: tx.members_of(id).await?,
                    page,
                },
                None => Outcome::Refused,
            },
            Request::RemoveMember { club, donor } => {
                if self.led_club(tx, member, club).await?.is_none() {
                    return Ok(Outcome::Refused);
                }
                let members = tx.members_of(club).await?;
                match members.iter().find(|m| m.donor_id == donor) {
                    None => Outcome::NoSuchClub,
                    // Leaders are handed over by coordinators, not removed by a co-leader.
                    Some(m) if m.leader => Outcome::Refused,
                    Some(m) => {
                        tx.leave_club(club, donor).await?;
                        let actor = tx.account_ref(who.identity_id).await?;
                        let target = format!("club:{club} donor:{donor}");
                        tx.audit(&actor, "club.remove_member", &target, None, now_ms)
                            .await?;
                        Outcome::MemberRemoved {
                            name: m.name.clone(),
                        }
                    }
                }
            }
            Request::CanCreateClub => Outcome::MayCreateClub,
            Request::CreateClub { name, kind } => {
                let Some(d) = member else {
                    return Ok(Outcome::Refused);
                };
                let province = tx
                    .load_donors(&[d])
                    .await?
                    .remove(&d)
                    .and_then(|donor| donor.province)
                    .map(|p| p.code());
                let (id, code) = tx
                    .create_club(&name, kind, province, d, random_code, now_ms)
                    .await?;
                let actor = tx.account_ref(who.identity_id).await?;
                tx.audit(
                    &actor,
                    "club.create",
                    &format!("club:{id} {name}"),
                    None,
                    now_ms,
                )
                .await?;
                Outcome::ClubCreated(ClubInfo {
                    id,
                    name,
                    kind,
                    invite_code: code,
                    leader: true,
                    muted: false,
                    members: 1,
                })
            }
            Request::BroadcastOptions => {
                let wide = roles.may(Action::BroadcastWide);
                let clubs: Vec<ClubItem> = if wide {
                    tx.all_clubs()
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
                if clubs.is_empty() && !wide {
                    Outcome::Refused
                } else {
                    Outcome::BroadcastOptions { clubs, wide }
                }
            }
            Request::PreviewBroadcast { audience, text } => {
                let left = self.broadcasts_left(tx, who, now).await?;
                if left == 0 {
                    return Ok(Outcome::CapReached);
                }
                match tx.count_audience(&audience, who.donor_id).await? {
                    0 => Outcome::NoRecipients,
                    count => Outcome::Preview {
                        audience,
                        text,
                        count,
                        left,
                    },
                }
            }
            Request::SendBroadcast { audience, text } => {
                if self.broadcasts_left(tx, who, now).await? == 0 {
                    return Ok(Outcome::CapReached);
                }
                self.send_broadcast(tx, who, audience, &text, now).await?
            }
            Request::MyBroadcasts => {
                Outcome::Broadcasts(tx.broadcasts_of(who.identity_id, 5).await?)
            }
            Request::CancelBroadcast { id } => {
                if tx.broadcast_sender(id).await?.is_none() {
                    return Ok(Outcome::BroadcastOver { id });
                }
                let stopped = tx.cancel_broadcast(id, now_ms).await?;
                let actor = tx.account_ref(who.identity_id).await?;
                tx.audit(
                    &actor,
                    "broadcast.cancel",
                    &format!("broadcast#{id}"),
                    Some(i64::try_from(stopped).unwrap_or(i64::MAX)),
                    now_ms,
                )
                .await?;
                if stopped == 0 {
                    Outcome::BroadcastOver { id }
                } else {
                    Outcome::BroadcastCancelled {
                        id,
                        stopped: i64::try_from(stopped).unwrap_or(i64::MAX),
                    }
                }
            }
            Request::SetRole { role, phone, grant } => {
                let (donor, target) = match tx.donor_by_phone(phone.as_e164()).await? {
                    PhoneLookup::None => return Ok(Outcome::NoSuchDonor),
                    PhoneLookup::Several => return Ok(Outcome::SeveralDonors),
                    PhoneLookup::One {
                        donor_id,
                        identity_id,
                    } => (donor_id, identity_id),
                };
                let actor = tx.account_ref(who.identity_id).await?;
                let changed = if grant {
                    tx.grant_role(target, role, &actor, now_ms).await?
                } else {
                    if role == Role::Admin
                        && tx.roles_of(target).await?.admin
                        && tx.count_role(Role::Admin).await? <= 1
                    {
                        return Ok(Outcome::LastAdmin);
                    }
                    tx.revoke_role(target, role).await? > 0
                };
                if changed {
                    // No longer a leader: no longer leads any club either (stays a member),
                    // so the clubs' announcements stop with the role.
                    if !grant && role == Role::Leader {
                        tx.step_down_as_club_leader(donor).await?;
                    }
                    let action = if grant { "role.grant" } else { "role.revoke" };
                    let what = format!("{} donor:{donor}", role.code());
                    tx.audit(&actor, action, &what, None, now_ms).await?;
                    // The person is told what changed for them.
                    if let Some(r) = tx.identity_recipient(target).await? {
                        let msg = Msg::new(if grant {
                            MsgId::RoleGrantedNotice
                        } else {
                            MsgId::RoleRevokedNotice
                        })
                        .msg("role", crate::engine::role_label(role));
                        let key = format!("role:{}:{}:{now_ms}", role.code(), grant);
                        let rows = rows_for(self, &r, msg, &key, Lane::Notice, now_ms)?;
                        tx.enqueue(&rows, now_ms).await?;
                    }
                }
                Outcome::RoleChanged {
                    role,
                    grant,
                    changed,
                }
            }
            Request::Audit => {
                let tz = self.config().timezone;
                let entries = tx.audit_log(Some(20)).await?;
                Outcome::Audit(
                    entries
                        .into_iter()
                        .map(|e| {
                            let at = DateTime::from_timestamp_millis(e.at)
                                .map(|t| t.with_timezone(&tz).format("%d/%m %H:%M").to_string())
                                .unwrap_or_default();
                            (at, e)
                        })
                        .collect(),
                )
            }
        })
    }

    /// The club, if this donor leads it.
    async fn led_club(
        &self,
        tx: &mut Tx,
        member: Option<i64>,
        club: i64,
    ) -> anyhow::Result<Option<ClubInfo>> {
        let Some(d) = member else {
            return Ok(None);
        };
        Ok(tx.clubs_of(d, Some(club)).await?.pop().filter(|c| c.leader))
    }

    /// Write one bulk-lane outbox row per recipient, in the recipient's language and in the
    /// shape of their channel, all tied to a new broadcast.
    async fn send_broadcast(
        &self,
        tx: &mut Tx,
        who: &Actor,
        audience: Audience,
        text: &str,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Outcome> {
        let now_ms = now.timestamp_millis();
        let recipients = tx.audience(&audience, who.donor_id).await?;
        if recipients.is_empty() {
            return Ok(Outcome::NoRecipients);
        }
        let count = i64::try_from(recipients.len()).unwrap_or(i64::MAX);
        let id = tx
            .create_broadcast(who.identity_id, &audience, text, count, now_ms)
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
        let mut bodies: HashMap<(Lang, String), Vec<String>> = HashMap::new();
        let mut rows = Vec::with_capacity(recipients.len());
        for r in &recipients {
            let key = (r.lang, r.channel.clone());
            if !bodies.contains_key(&key) {
                let reply = Reply {
                    parts: vec![msg.clone()],
                    ..Reply::default()
                };
                let out = render(self.catalogue(), r.lang, &reply);
                let parts = match ChannelKind::from_code(&r.channel) {
                    Some(kind) => split_outbound(out, kind),
                    None => vec![out],
                };
                let encoded = parts
                    .iter()
                    .map(serde_json::to_string)
                    .collect::<Result<Vec<_>, _>>()
                    .context("encoding a broadcast")?;
                bodies.insert(key.clone(), encoded);
            }
            for (i, body) in bodies[&key].iter().enumerate() {
                rows.push(NewMessage {
                    idempotency_key: Some(format!("broadcast:{id}:{}:{i}", r.identity_id)),
                    channel: &r.channel,
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
            "broadcast.send",
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
        Ok(Outcome::BroadcastQueued {
            id,
            count,
            held_until,
        })
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
                    format!("broadcast:{}:summary", b.id),
                )
            } else {
                (
                    MsgId::BroadcastProgress,
                    format!("broadcast:{}:progress:{done}", b.id),
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
                channel: &s.channel,
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

    /// Grant or revoke a role from the command line (`hienmau admin grant …`), naming a
    /// channel account that may not have written yet. Returns whether anything changed.
    pub async fn set_role_for_account(
        &self,
        channel: ChannelKind,
        user: &str,
        role: Role,
        grant: bool,
    ) -> anyhow::Result<bool> {
        let now = self.clock().now().timestamp_millis();
        let mut tx = self.store().begin().await?;
        let identity = tx.ensure_identity(channel.code(), user, now).await?;
        let changed = if grant {
            tx.grant_role(identity, role, "cli", now).await?
        } else {
            tx.revoke_role(identity, role).await? > 0
        };
        if changed {
            let action = if grant { "role.grant" } else { "role.revoke" };
            let target = format!("{} {}:{user}", role.code(), channel.code());
            tx.audit("cli", action, &target, None, now).await?;
        }
        tx.commit().await?;
        Ok(changed)
    }

    /// Make the configured admins admins (at start; idempotent).
    pub async fn apply_config_admins(&self) -> anyhow::Result<()> {
        if self.config().admins.is_empty() {
            return Ok(());
        }
        let now = self.clock().now().timestamp_millis();
        let mut tx = self.store().begin().await?;
        for a in &self.config().admins {
            let Some((channel, user)) = crate::channels::parse_account(a) else {
                continue;
            };
            let identity = tx.ensure_identity(channel.code(), &user, now).await?;
            if tx.grant_role(identity, Role::Admin, "config", now).await? {
                let target = format!("admin {}:{user}", channel.code());
                tx.audit("config", "role.grant", &target, None, now).await?;
            }
        }
        tx.commit().await
    }
}
