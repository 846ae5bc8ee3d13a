//! Call-outs, as named use cases: preview, start, list, close, extend, the pledges and
//! whether each came, a donor's answer, the stock (in the caller's transaction; who may call
//! which was checked before, `requests.rs`); a wave (chosen, recorded and queued in one
//! transaction, so a donor is never asked twice and never missed), closing with "covered" messages, the coordinator's tally, stock
//! alerts. The scheduler calls [`App::advance_callouts`]; nothing here sends.

use super::App;
use super::outbound::{random_code, rows_for, rows_for_reply};
use crate::channels::Outbound;
use crate::domain::audit::AuditAction;
use crate::domain::callout::{Answer, CalloutSpec, Ending, PatientGroup, PledgeOutcome, Status};
use crate::engine::Item;
use crate::engine::callout::{AskView, answer_choices, ask_msg, manage_choice, tally_msg};
use crate::engine::{CalloutOutcome, Reply};
use crate::messages::{Msg, MsgId};
use crate::store::{Answered, KeyFamily, MatchQuery, OutboxKey, Tx};
use anyhow::Context;
use chrono::{DateTime, Utc};

const DAY_MS: i64 = 86_400_000;

impl App {
    /// How many donors a call-out would reach, and how many the first wave asks.
    pub(super) async fn preview_callout(
        &self,
        tx: &mut Tx,
        spec: CalloutSpec,
        now: DateTime<Utc>,
    ) -> anyhow::Result<CalloutOutcome> {
        let m = self.match_query(None, &spec, now.timestamp_millis());
        let counts = tx.match_counts(&m).await?;
        let elsewhere = tx.match_elsewhere(&m).await?;
        // Never more than there are to ask.
        let cap = u32::try_from(counts[3].max(0)).unwrap_or(u32::MAX);
        let first = self.config().callouts.wave_size(spec.units, 0).min(cap);
        Ok(CalloutOutcome::Preview {
            spec,
            counts,
            first_wave: first,
            elsewhere,
        })
    }

    /// Start an urgent call-out (audited) and ask its first wave in this very transaction:
    /// the worker sends it as soon as the coordinator's confirmation commits.
    pub(super) async fn start_callout(
        &self,
        tx: &mut Tx,
        identity_id: i64,
        spec: CalloutSpec,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Started> {
        let now_ms = now.timestamp_millis();
        let actor = tx.account_ref(identity_id).await?;
        let id = tx
            .create_callout(&spec, Some(identity_id), &actor, now_ms)
            .await?;
        // Whom its widest step may reach beyond its province, in the audit as in the
        // preview.
        let elsewhere = tx
            .match_elsewhere(&self.match_query(None, &spec, now_ms))
            .await?;
        tx.audit(
            &actor,
            AuditAction::CalloutStart,
            &format!(
                "callout:{id}:{} province:{} elsewhere:{}/{}",
                spec.group.code(),
                spec.province.code(),
                elsewhere.donors,
                elsewhere.provinces
            ),
            None,
            now_ms,
        )
        .await?;
        let wave = self.callout_wave(tx, id, now, false).await?;
        Ok(Started { id, wave })
    }

    /// The call-outs of the last day (staff), or those a donor was asked by, with their
    /// answer; `None` for someone not registered.
    /// For staff (`Some`), the call-outs of their scope; for a donor, what they were asked.
    pub(super) async fn list_callouts(
        &self,
        tx: &mut Tx,
        staff: Option<crate::domain::scope::Scope>,
        donor: Option<i64>,
        now: DateTime<Utc>,
    ) -> anyhow::Result<CalloutOutcome> {
        if let Some(scope) = staff {
            let list = tx
                .recent_callouts(now.timestamp_millis() - DAY_MS, scope)
                .await?;
            return Ok(CalloutOutcome::List(list));
        }
        let Some(d) = donor else {
            return Ok(CalloutOutcome::NeedsRegistration);
        };
        let asks = tx
            .my_asks(d)
            .await?
            .into_iter()
            .map(|a| AskView {
                pledged: a.answer == Some(Answer::Pledged),
                code: a.code,
                info: a.info,
            })
            .collect();
        Ok(CalloutOutcome::Mine(asks))
    }

    /// One call-out, as it stands.
    pub(super) async fn show_callout(
        &self,
        tx: &mut Tx,
        id: i64,
    ) -> anyhow::Result<CalloutOutcome> {
        Ok(match tx.callout(id).await? {
            Some(info) => CalloutOutcome::Show(info),
            None => CalloutOutcome::NotFound,
        })
    }

    /// A coordinator closes a call-out (covered, cancelled…): see [`App::close_callout`].
    pub(super) async fn end_callout(
        &self,
        tx: &mut Tx,
        identity_id: i64,
        id: i64,
        status: Status,
        now: DateTime<Utc>,
    ) -> anyhow::Result<CalloutOutcome> {
        let actor = tx.account_ref(identity_id).await?;
        self.close_callout(tx, id, status, &actor, now).await?;
        Ok(match tx.callout(id).await? {
            Some(info) => CalloutOutcome::Closed(info),
            None => CalloutOutcome::NotFound,
        })
    }

    /// A later deadline for an open call-out (audited).
    pub(super) async fn extend_callout(
        &self,
        tx: &mut Tx,
        identity_id: i64,
        id: i64,
        deadline: i64,
        now: DateTime<Utc>,
    ) -> anyhow::Result<CalloutOutcome> {
        if !tx.extend_callout(id, deadline).await? {
            return Ok(CalloutOutcome::NotFound);
        }
        let actor = tx.account_ref(identity_id).await?;
        tx.audit(
            &actor,
            AuditAction::CalloutExtend,
            &format!("callout:{id}"),
            None,
            now.timestamp_millis(),
        )
        .await?;
        Ok(match tx.callout(id).await? {
            Some(info) => CalloutOutcome::Extended(info),
            None => CalloutOutcome::NotFound,
        })
    }

    /// Who pledged, with their code and whether they came.
    pub(super) async fn pledges(&self, tx: &mut Tx, id: i64) -> anyhow::Result<CalloutOutcome> {
        let list = tx
            .pledges(id)
            .await?
            .into_iter()
            .map(|p| Item {
                id: p.donor_id,
                label: format!(
                    "{} · {} · {}{}",
                    p.name,
                    p.group,
                    p.code,
                    match p.outcome {
                        Some(PledgeOutcome::Donated) => " ✓",
                        Some(PledgeOutcome::NoShow) => " ✗",
                        None => "",
                    }
                ),
            })
            .collect();
        Ok(CalloutOutcome::Pledges { id, list })
    }

    /// Whether a donor who pledged came and gave (audited); a donation is recorded as for
    /// any other (eligibility, counts, thanks).
    pub(super) async fn mark_pledge(
        &self,
        tx: &mut Tx,
        identity_id: i64,
        id: i64,
        donor: i64,
        donated: bool,
        now: DateTime<Utc>,
    ) -> anyhow::Result<CalloutOutcome> {
        let now_ms = now.timestamp_millis();
        let ok = tx.pledge_outcome(id, donor, donated).await?;
        if ok
            && donated
            && let Some(info) = tx.callout(id).await?
        {
            let today = now.with_timezone(&self.config().timezone).date_naive();
            let mut new = self.new_donation(
                donor,
                today,
                info.spec.component,
                crate::domain::donation::DonationSource::Callout,
            );
            new.by = Some(identity_id);
            // Given where the patient is: it counts for the call-out's province.
            new.province = Some(info.spec.province);
            self.put_on_record(tx, &new, now).await?;
        }
        if ok {
            let actor = tx.account_ref(identity_id).await?;
            let action = if donated {
                AuditAction::CalloutDonated
            } else {
                AuditAction::CalloutNoShow
            };
            tx.audit(&actor, action, &format!("callout:{id}"), None, now_ms)
                .await?;
        }
        Ok(CalloutOutcome::Marked { id, donated, ok })
    }

    /// A donor's answer to an ask; enough pledges close the call-out as covered.
    pub(super) async fn answer_callout(
        &self,
        tx: &mut Tx,
        donor: Option<i64>,
        id: i64,
        yes: bool,
        now: DateTime<Utc>,
    ) -> anyhow::Result<CalloutOutcome> {
        let now_ms = now.timestamp_millis();
        let Some(d) = donor else {
            return Ok(CalloutOutcome::NotAsked);
        };
        let code = random_code();
        Ok(match tx.answer_callout(id, d, yes, &code, now_ms).await? {
            Answered::NotAsked => CalloutOutcome::NotAsked,
            Answered::Closed(_) => CalloutOutcome::AnswerClosed,
            Answered::Declined { changed } => {
                if changed {
                    self.callout_tally(tx, id, now_ms, false).await?;
                }
                CalloutOutcome::Declined
            }
            Answered::Pledged { code, changed } => {
                // Read after the pledge was recorded: the count includes it.
                let Some(info) = tx.callout(id).await? else {
                    return Ok(CalloutOutcome::NotAsked);
                };
                if changed
                    && info.total().pledged == 1
                    && let Some(started) = tx.callout_started_at(id).await?
                {
                    let secs = now_ms.saturating_sub(started).max(0) as f64 / 1000.0;
                    self.metrics().callout_first_pledge_seconds.observe(secs);
                }
                if changed {
                    let enough = self.config().callouts.enough(info.spec.units);
                    if info.total().pledged >= i64::from(enough) {
                        self.close_callout(tx, id, Status::Fulfilled, "scheduler", now)
                            .await?;
                    } else {
                        self.callout_tally(tx, id, now_ms, false).await?;
                    }
                }
                CalloutOutcome::Pledged { info, code }
            }
        })
    }

    /// The blood stock by group, with the alert thresholds.
    pub(super) async fn stock(&self, tx: &mut Tx) -> anyhow::Result<CalloutOutcome> {
        let levels = tx
            .stock_levels()
            .await?
            .into_iter()
            .map(|s| (s.group.code(), s.units, s.threshold))
            .collect();
        Ok(CalloutOutcome::Stock(levels))
    }

    /// A group's stock (and its alert threshold), as the blood centre reports it (audited).
    pub(super) async fn set_stock(
        &self,
        tx: &mut Tx,
        identity_id: i64,
        group: PatientGroup,
        units: i64,
        threshold: Option<i64>,
        now: DateTime<Utc>,
    ) -> anyhow::Result<CalloutOutcome> {
        let now_ms = now.timestamp_millis();
        let actor = tx.account_ref(identity_id).await?;
        tx.set_stock(group, units, threshold, &actor, now_ms)
            .await?;
        tx.audit(&actor, AuditAction::StockSet, &group.code(), None, now_ms)
            .await?;
        Ok(CalloutOutcome::StockSet)
    }

    /// Whom a call-out may ask now.
    fn match_query(&self, id: Option<i64>, spec: &CalloutSpec, now_ms: i64) -> MatchQuery {
        let cfg = self.config();
        let deadline_day = DateTime::from_timestamp_millis(spec.deadline)
            .unwrap_or_default()
            .with_timezone(&cfg.timezone)
            .date_naive();
        let rest_since = now_ms - i64::from(cfg.callouts.rest_days) * DAY_MS;
        MatchQuery::new(id, spec, &cfg.rules, deadline_day, rest_since)
    }

    /// Ask the next wave of an open call-out (in `tx`); returns how many were asked. Closes
    /// it instead when enough have pledged.
    /// Ask the next wave of a call-out: how many were asked, and how many of them only
    /// when the quiet hours end (they did not opt in to night-time emergencies).
    pub(crate) async fn callout_wave(
        &self,
        tx: &mut Tx,
        id: i64,
        now: DateTime<Utc>,
        tally: bool,
    ) -> anyhow::Result<WaveSent> {
        let now_ms = now.timestamp_millis();
        let cfg = self.config();
        let policy = &cfg.callouts;
        let Some(info) = tx.callout(id).await? else {
            return Ok(WaveSent::default());
        };
        if info.status != Status::Open {
            return Ok(WaveSent::default());
        }
        let pledged = u32::try_from(tx.pledged_count(id).await?).unwrap_or(u32::MAX);
        let size = policy.wave_size(info.spec.units, pledged);
        if size == 0 {
            self.close_callout(tx, id, Status::Fulfilled, "scheduler", now)
                .await?;
            return Ok(WaveSent::default());
        }
        let m = self.match_query(Some(id), &info.spec, now_ms);
        let chosen = tx.choose_wave(&m, size as usize).await?;
        let wave = info.waves.len() as i64 + 1;
        let added = tx.add_asks(id, wave, &chosen, now_ms).await?;
        let ids: Vec<i64> = added.iter().map(|c| c.donor_id).collect();
        let recipients = tx.recipients(&ids).await?;
        // Quiet hours hold an ask only for those who did not opt in to night-time emergencies.
        let morning = cfg
            .quiet_hours
            .and_then(|q| q.ends_after(now, cfg.timezone))
            .map(|t| t.timestamp_millis());
        let reply = Reply {
            parts: vec![ask_msg(cfg.timezone, &info)],
            choices: answer_choices(id),
            ..Reply::default()
        };
        let mut held = 0;
        for c in &added {
            let Some(r) = recipients.get(&c.donor_id) else {
                continue;
            };
            let not_before = match morning {
                Some(m) if !c.night => m,
                _ => now_ms,
            };
            if not_before > now_ms {
                held += 1;
            }
            let key = OutboxKey::CalloutAsk {
                callout: id,
                donor: c.donor_id,
            };
            let rows = rows_for_reply(
                self,
                r,
                &reply,
                &key,
                crate::store::Lane::Urgent,
                not_before,
            )?;
            tx.enqueue(&rows, now_ms).await?;
            tx.note_ask(r.identity_id, id, not_before).await?;
        }
        let next = now_ms + i64::from(policy.wave_minutes) * 60_000;
        tx.set_wave(
            id,
            if added.is_empty() { wave - 1 } else { wave },
            Some(next),
        )
        .await?;
        if !added.is_empty() {
            tx.audit(
                "scheduler",
                AuditAction::CalloutWave,
                &format!("callout:{id}:wave:{wave}"),
                Some(added.len() as i64),
                now_ms,
            )
            .await?;
        }
        // The coordinator who just confirmed reads the first wave in the reply.
        if tally {
            self.callout_tally(tx, id, now_ms, false).await?;
        }
        Ok(WaveSent {
            asked: added.len(),
            held,
            until: morning.filter(|_| held > 0),
        })
    }

    /// Close an open call-out: tell those asked who have not answered that it is covered
    /// (or, when cancelled, those who pledged too), and the coordinator.
    pub(crate) async fn close_callout(
        &self,
        tx: &mut Tx,
        id: i64,
        status: Status,
        actor: &str,
        now: DateTime<Utc>,
    ) -> anyhow::Result<bool> {
        let now_ms = now.timestamp_millis();
        let Some(mut tell) = tx.close_callout(id, status, now_ms).await? else {
            return Ok(false);
        };
        let Some(info) = tx.callout(id).await? else {
            return Ok(false);
        };
        let ending = info.ending(&self.config().callouts);
        // Those who pledged are told only when they need not come any more.
        let mut pledged = Vec::new();
        if matches!(ending, Ending::Cancelled | Ending::Expired) {
            pledged = tx
                .pledges(id)
                .await?
                .into_iter()
                .map(|p| p.donor_id)
                .collect();
        }
        tell.extend(pledged.iter().copied());
        let recipients = tx.recipients(&tell).await?;
        for d in &tell {
            let Some(r) = recipients.get(d) else { continue };
            // Each ending says what happened: "covered" only when enough pledged.
            let msg = match (ending, pledged.contains(d)) {
                (Ending::Cancelled, true) => MsgId::CalloutCancelledPledged,
                (Ending::Cancelled, false) => MsgId::CalloutCancelledSilent,
                (Ending::Expired, true) => MsgId::CalloutExpiredPledged,
                (Ending::Expired, false) => MsgId::CalloutExpiredSilent,
                (Ending::ClosedEarly, _) => MsgId::CalloutClosedEarly,
                (Ending::Covered | Ending::Open, _) => MsgId::CalloutCovered,
            };
            let msg = Msg::new(msg)
                .str("group", info.spec.group.code())
                .str("hospital", info.spec.hospital.clone());
            // Closed at night: the thank-you waits for the morning like any notice.
            let rows = rows_for(
                self,
                r,
                msg,
                &OutboxKey::CalloutClosed {
                    callout: id,
                    donor: *d,
                },
                crate::store::Lane::Notice,
                now_ms,
            )?;
            tx.enqueue(&rows, now_ms).await?;
        }
        if let Some(action) = AuditAction::closing(status) {
            let asked = Some(info.total().asked);
            tx.audit(actor, action, &format!("callout:{id}"), asked, now_ms)
                .await?;
        }
        self.callout_tally(tx, id, now_ms, true).await?;
        Ok(true)
    }

    /// Tell the coordinator where the call-out stands, with a button to manage it. Each tally
    /// edits the one before in place where the platform allows it (Telegram); a `fresh` one
    /// (the call-out closed) comes as a new message, so the phone tells the coordinator.
    pub(crate) async fn callout_tally(
        &self,
        tx: &mut Tx,
        id: i64,
        now_ms: i64,
        fresh: bool,
    ) -> anyhow::Result<()> {
        let Some(owner) = tx.callout_owner(id).await? else {
            return Ok(());
        };
        let Some(r) = tx.identity_recipient(owner).await? else {
            return Ok(());
        };
        let Some(info) = tx.callout(id).await? else {
            return Ok(());
        };
        let seq = tx.next_tally(id).await?;
        let cfg = self.config();
        // A button where a tap reaches the bot whatever the chat is doing; a hint elsewhere.
        let buttons = r.channel.has_buttons();
        let mut reply = Reply {
            parts: vec![tally_msg(cfg.timezone, &info, &cfg.callouts)],
            ..Reply::default()
        };
        if buttons {
            reply.choices = vec![manage_choice(id)];
        } else {
            reply.parts.push(Msg::new(MsgId::CalloutTallyHint));
        }
        let series = KeyFamily::CalloutTallies { callout: id };
        let mut rows = rows_for_reply(
            self,
            &r,
            &reply,
            &OutboxKey::CalloutTally { callout: id, seq },
            crate::store::Lane::Reply,
            now_ms,
        )?;
        // A tally not yet sent is out of date: answers coming faster than the chat's one
        // message a second would otherwise queue a backlog of stale figures.
        tx.withdraw_pending(series, now_ms).await?;
        // Only a tally that fits one message replaces the one before.
        if let (false, [row]) = (fresh, rows.as_mut_slice()) {
            let mut out: Outbound = serde_json::from_str(&row.body).context("reading a tally")?;
            out.edit_of = Some(series.prefix());
            row.body = serde_json::to_string(&out).context("encoding a tally")?;
        }
        tx.enqueue(&rows, now_ms).await?;
        Ok(())
    }

    /// The scheduler's part: for every open call-out that is due, expire it, close it when
    /// covered, or ask the next wave. Returns the number of donors asked.
    pub async fn advance_callouts(&self, now: DateTime<Utc>) -> anyhow::Result<usize> {
        let now_ms = now.timestamp_millis();
        let mut asked = 0;
        for id in self.store().due_callouts(now_ms).await? {
            let mut tx = self.store().begin().await?;
            tx.lock_for_write().await?;
            let Some(info) = tx.callout(id).await? else {
                continue;
            };
            if info.status != Status::Open {
                continue;
            }
            if info.spec.deadline <= now_ms {
                self.close_callout(&mut tx, id, Status::Expired, "scheduler", now)
                    .await?;
            } else if info.next_wave_at.is_some_and(|t| t <= now_ms) {
                asked += self.callout_wave(&mut tx, id, now, true).await?.asked;
            }
            tx.commit().await?;
            self.outbox_added().notify_one();
        }
        Ok(asked)
    }

    /// Alert the reserve clubs about groups below their threshold (at most once per
    /// configured period each), in the scheduler's transaction. Returns the rows queued.
    pub(crate) async fn stock_alerts(
        &self,
        tx: &mut Tx,
        now: DateTime<Utc>,
    ) -> anyhow::Result<usize> {
        let now_ms = now.timestamp_millis();
        let cfg = self.config();
        let since = now_ms - i64::from(cfg.callouts.stock_alert_days) * DAY_MS;
        let low = tx.claim_low_stock(since, now_ms).await?;
        let day = now.with_timezone(&cfg.timezone).date_naive();
        let mut queued = 0;
        for s in low {
            let members = tx.reserve_members_for(s.group).await?;
            for (donor, r) in &members {
                let msg = Msg::new(MsgId::StockAlert)
                    .str("group", s.group.code())
                    .num("units", s.units as f64);
                let group = s.group.code();
                let key = OutboxKey::StockAlert {
                    group: &group,
                    day,
                    donor: *donor,
                };
                let rows = rows_for(self, r, msg, &key, crate::store::Lane::Notice, now_ms)?;
                queued += tx.enqueue(&rows, now_ms).await? as usize;
            }
            tx.audit(
                "scheduler",
                AuditAction::StockAlert,
                &s.group.code(),
                Some(members.len() as i64),
                now_ms,
            )
            .await?;
        }
        Ok(queued)
    }
}

/// What came of [`App::start_callout`]: the new call-out and its first wave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Started {
    pub id: i64,
    pub wave: WaveSent,
}

/// What a wave did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WaveSent {
    pub asked: usize,
    /// Of those, asked only at the end of the quiet hours…
    pub held: usize,
    /// …which is then (unix ms).
    pub until: Option<i64>,
}
