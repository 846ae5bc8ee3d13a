//! Carrying out the engine's drive requests (sign-ups, check-in, donations, the drive and
//! campaign forms, the report) inside the step's transaction, with the roles read there.

use super::club::Actor;
use super::{App, render, split_outbound};
use crate::channels::ChannelKind;
use crate::domain::campaign::Campaign;
use crate::domain::club::{Action, Roles};
use crate::domain::drive::{DriveInfo, local_window, reminder_times};
use crate::domain::eligibility::LastDonation;
use crate::domain::phone::PhoneNumber;
use crate::engine::drive::{CampaignDraft, DriveDraft, Item, RecordedDonation};
use crate::engine::{DriveOutcome, DriveRequest, Outcome, Reply};
use crate::messages::{Msg, MsgId};
use crate::store::{JobKind, Lane, NewJob, NewMessage, PhoneLookup, Recipient, SignUp, Tx};
use anyhow::Context;
use chrono::{DateTime, Datelike, Utc};

/// How long a check-in code stays valid.
const CHECKIN_HOURS: i64 = 12;

/// Drives listed at once.
const LIST_LIMIT: i64 = 8;

/// One message to one person, rendered in their language for their channel, as outbox rows
/// (several when the channel needs the text split). `key` makes it unique.
pub(crate) fn rows_for<'a>(
    app: &App,
    r: &'a Recipient,
    msg: Msg,
    key: &str,
    lane: Lane,
    not_before: i64,
) -> anyhow::Result<Vec<NewMessage<'a>>> {
    let reply = Reply {
        parts: vec![msg],
        ..Reply::default()
    };
    rows_for_reply(app, r, &reply, key, lane, not_before)
}

/// Like [`rows_for`], for a message with options (an urgent ask's two answers).
pub(crate) fn rows_for_reply<'a>(
    app: &App,
    r: &'a Recipient,
    reply: &Reply,
    key: &str,
    lane: Lane,
    not_before: i64,
) -> anyhow::Result<Vec<NewMessage<'a>>> {
    let out = render(app.catalogue(), r.lang, reply);
    let parts = match ChannelKind::from_code(&r.channel) {
        Some(kind) => split_outbound(out, kind),
        None => vec![out],
    };
    parts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            Ok(NewMessage {
                idempotency_key: Some(format!("{key}:{}:{i}", r.identity_id)),
                channel: &r.channel,
                chat_id: &r.chat_id,
                identity_id: Some(r.identity_id),
                lane,
                body: serde_json::to_string(p).context("encoding a message")?,
                not_before,
                broadcast_id: None,
            })
        })
        .collect()
}

/// A drive's card for a message sent outside a conversation (a change, a reminder).
pub(crate) fn drive_card_msg(app: &App, d: &DriveInfo) -> Msg {
    crate::engine::drive::drive_card(app.config().timezone, d)
}

/// A drive on one line, for lists inside scheduled messages:
/// `• 06/12 07:30–11:30 · Trường ĐH Hải Phòng (Hải Phòng)`.
pub(crate) fn drive_card_plain(app: &App, d: &DriveInfo) -> String {
    let (day, w) = local_window(d.starts_at, d.ends_at, app.config().timezone);
    format!(
        "• {} {} · {} ({})",
        day.format("%d/%m"),
        w.label(),
        d.place,
        d.province_name()
    )
}

impl App {
    /// The reminder jobs of one sign-up, for the drive's current start time.
    pub(crate) fn reminder_jobs(
        &self,
        signup: i64,
        donor: i64,
        drive: &DriveInfo,
        start: i64,
        now: DateTime<Utc>,
    ) -> Vec<NewJob> {
        let cfg = self.config();
        let Some(start_at) = DateTime::from_timestamp_millis(start) else {
            return Vec::new();
        };
        reminder_times(
            start_at,
            &cfg.scheduler.reminders,
            cfg.quiet_hours,
            cfg.timezone,
            now,
        )
        .into_iter()
        .map(|(rule, at)| NewJob {
            // The start time is part of the key: a moved drive gets fresh reminders.
            key: format!("remind:{signup}:{rule}:{start}"),
            kind: JobKind::Reminder,
            due_at: at.timestamp_millis(),
            donor_id: Some(donor),
            drive_id: Some(drive.id),
            ref_id: Some(signup),
        })
        .collect()
    }

    pub(super) async fn execute_drive(
        &self,
        tx: &mut Tx,
        who: &Actor,
        roles: &Roles,
        request: DriveRequest,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Outcome> {
        let now_ms = now.timestamp_millis();
        let cfg = self.config();
        let tz = cfg.timezone;
        let staff = roles.may(Action::ManageDrives);
        let donor = who.donor_id.filter(|_| who.registered);
        let out = |o: DriveOutcome| Ok(Outcome::Drive(o));
        // Who may make which request was checked before (`permission.rs`); `staff` only
        // changes what a permitted person sees.
        match request {
            DriveRequest::List { from } => {
                if !staff && donor.is_none() {
                    return out(DriveOutcome::NeedsRegistration);
                }
                let drives = if staff {
                    tx.upcoming_drives(now_ms, LIST_LIMIT).await?
                } else {
                    let from_ms = from
                        .and_then(|d| {
                            d.and_hms_opt(0, 0, 0)
                                .and_then(|t| t.and_local_timezone(tz).earliest())
                        })
                        .map_or(now_ms, |t| t.timestamp_millis());
                    let province = match donor {
                        Some(d) => tx
                            .load_donors(&[d])
                            .await?
                            .remove(&d)
                            .and_then(|d| d.province),
                        None => None,
                    };
                    tx.drives_for(
                        donor,
                        province.map(|p| p.code()),
                        now_ms,
                        from_ms,
                        LIST_LIMIT,
                    )
                    .await?
                };
                out(DriveOutcome::List {
                    drives,
                    staff,
                    from,
                })
            }
            DriveRequest::Show { id } => match tx.drive(id, donor).await? {
                Some(d) if !d.cancelled && d.ends_at > now_ms => {
                    out(DriveOutcome::Drive { drive: d, staff })
                }
                _ => out(DriveOutcome::NoSuchDrive),
            },
            DriveRequest::SignUp { id, slot } => {
                let Some(donor) = donor else {
                    return Ok(Outcome::Refused);
                };
                match tx.sign_up(id, slot, donor, now_ms).await? {
                    SignUp::Done { signup_id } => {
                        let Some(drive) = tx.drive(id, Some(donor)).await? else {
                            return out(DriveOutcome::NoSuchDrive);
                        };
                        let jobs =
                            self.reminder_jobs(signup_id, donor, &drive, drive.starts_at, now);
                        // A new slot: the reminders of the old one go.
                        tx.drop_jobs(Some(id), Some(donor), now_ms).await?;
                        tx.add_jobs(&jobs).await?;
                        out(DriveOutcome::SignedUp { drive, slot })
                    }
                    SignUp::Already => out(DriveOutcome::AlreadySigned),
                    SignUp::Closed => out(DriveOutcome::Closed),
                    SignUp::SlotFull => match tx.drive(id, Some(donor)).await? {
                        Some(drive) => out(DriveOutcome::SlotFull { drive }),
                        None => out(DriveOutcome::Closed),
                    },
                    SignUp::Full => {
                        let province = tx
                            .load_donors(&[donor])
                            .await?
                            .remove(&donor)
                            .and_then(|d| d.province);
                        let next = tx
                            .drives_for(None, province.map(|p| p.code()), now_ms, now_ms, 20)
                            .await?
                            .into_iter()
                            .filter(|d| !d.full() && d.id != id)
                            .take(5)
                            .collect();
                        out(DriveOutcome::Full { next })
                    }
                }
            }
            DriveRequest::CancelSignUp { id } => {
                let Some(donor) = donor else {
                    return Ok(Outcome::Refused);
                };
                let drive = tx.drive(id, Some(donor)).await?;
                match (tx.cancel_sign_up(id, donor, now_ms).await?, drive) {
                    (true, Some(drive)) => out(DriveOutcome::SignUpCancelled { drive }),
                    _ => out(DriveOutcome::NoSuchDrive),
                }
            }
            DriveRequest::Checkin => {
                let Some(donor) = donor else {
                    return Ok(Outcome::Refused);
                };
                let expires = now + chrono::Duration::hours(CHECKIN_HOURS);
                for _ in 0..8 {
                    let code = super::club::random_code();
                    if tx
                        .set_checkin(donor, &code, expires.timestamp_millis())
                        .await?
                    {
                        let until = expires.with_timezone(&tz).format("%H:%M %d/%m").to_string();
                        return out(DriveOutcome::Checkin { code, until });
                    }
                }
                anyhow::bail!("no free check-in code after 8 draws")
            }
            DriveRequest::SelfReport { kind } => {
                let Some(donor) = donor else {
                    return Ok(Outcome::Refused);
                };
                let today = now.with_timezone(&tz).date_naive();
                match tx
                    .record_donation(donor, today, kind, false, "self", None, None, now_ms)
                    .await?
                {
                    Some(_) => out(DriveOutcome::SelfReported),
                    None => out(DriveOutcome::AlreadyRecorded),
                }
            }
            DriveRequest::FindDonor { phone, code } => {
                let found = match (phone, code) {
                    (None, None) => return out(DriveOutcome::MayRecord),
                    (Some(p), _) => self.donor_by_phone(tx, &p).await?,
                    (None, Some(c)) => match tx.checkin_donor(&c, now_ms).await? {
                        Some(id) => Ok(id),
                        // Six characters that are also a phone? No: codes have letters.
                        None => Err(DriveOutcome::DonorNotFound),
                    },
                };
                let id = match found {
                    Ok(id) => id,
                    Err(o) => return out(o),
                };
                let Some(d) = tx.load_donors(&[id]).await?.remove(&id) else {
                    return out(DriveOutcome::DonorNotFound);
                };
                let next = d
                    .last_donation
                    .and_then(|l| l.complete())
                    .and_then(|l: LastDonation| cfg.rules.next_eligible(l));
                let blood = d
                    .blood_group
                    .map(|g| g.code())
                    .unwrap_or_else(|| "?".into());
                // Drives of today, to record the donation against.
                let day_start = self.start_of_day_ms(now);
                let drives = tx
                    .drives_between(day_start, day_start + 86_400_000)
                    .await?
                    .into_iter()
                    .map(|d| Item {
                        id: d.id,
                        label: d.place.chars().take(60).collect(),
                    })
                    .collect();
                let last =
                    tx.donations_of(id, 1)
                        .await?
                        .into_iter()
                        .next()
                        .map(|r| RecordedDonation {
                            id: r.id,
                            date: r.date,
                            kind: r.kind,
                        });
                out(DriveOutcome::DonorFound {
                    donor: id,
                    name: d.name.unwrap_or_default(),
                    blood,
                    next,
                    drives,
                    last,
                })
            }
            DriveRequest::Record {
                donor: d,
                kind,
                drive,
            } => {
                let today = now.with_timezone(&tz).date_naive();
                let recorded = tx
                    .record_donation(
                        d,
                        today,
                        kind,
                        true,
                        "chat",
                        drive,
                        Some(who.identity_id),
                        now_ms,
                    )
                    .await?;
                let name = tx
                    .load_donors(&[d])
                    .await?
                    .remove(&d)
                    .and_then(|d| d.name)
                    .unwrap_or_default();
                let (count, _) = tx.donation_count(d).await?;
                let actor = tx.account_ref(who.identity_id).await?;
                tx.audit(
                    &actor,
                    "donation.record",
                    &format!("donor:{d}"),
                    None,
                    now_ms,
                )
                .await?;
                out(DriveOutcome::Recorded {
                    name,
                    count,
                    again: recorded.is_none(),
                })
            }
            DriveRequest::RemoveDonation { id } => {
                let Some((_, date, kind)) = tx.donation(id).await? else {
                    return out(DriveOutcome::DonorNotFound);
                };
                let Some(donor) = tx.remove_donation(id, now_ms).await? else {
                    return out(DriveOutcome::DonorNotFound);
                };
                let actor = tx.account_ref(who.identity_id).await?;
                tx.audit(
                    &actor,
                    "donation.remove",
                    &format!("donation:{id}"),
                    None,
                    now_ms,
                )
                .await?;
                let name = tx
                    .load_donors(&[donor])
                    .await?
                    .remove(&donor)
                    .and_then(|d| d.name)
                    .unwrap_or_default();
                out(DriveOutcome::DonationRemoved {
                    name,
                    removed: RecordedDonation { id, date, kind },
                })
            }
            DriveRequest::Report => {
                let year = now.with_timezone(&tz).year();
                let report = tx.report(year, tz).await?;
                out(DriveOutcome::Report { year, report })
            }
            DriveRequest::DriveForm { edit } => {
                let today = now.with_timezone(&tz).date_naive();
                let open = tx.open_campaigns(today).await?;
                let campaigns: Vec<Item> = open
                    .iter()
                    .map(|c| Item {
                        id: c.id,
                        label: c.name.clone(),
                    })
                    .collect();
                let draft = match edit {
                    None => DriveDraft::default(),
                    Some(id) => match tx.drive_spec(id, tz).await? {
                        Some((campaign, spec)) => {
                            let name = match campaign {
                                Some(c) => tx
                                    .drive(id, None)
                                    .await?
                                    .and_then(|d| d.campaign)
                                    .map(|n| (c, n)),
                                None => None,
                            };
                            DriveDraft::from_spec(id, name, spec)
                        }
                        None => return out(DriveOutcome::NoSuchDrive),
                    },
                };
                out(DriveOutcome::DriveForm { draft, campaigns })
            }
            DriveRequest::SaveDrive { draft } => {
                let Some(spec) = draft.spec() else {
                    return out(DriveOutcome::NoSuchDrive);
                };
                // As the calendar import: a drive falls inside its campaign.
                if let Some(cid) = draft.campaign.flatten() {
                    if let Some(c) = tx.campaign(cid).await? {
                        if spec.date < c.starts_on || spec.date > c.ends_on {
                            return out(DriveOutcome::OutsideCampaign {
                                name: c.name,
                                from: c.starts_on,
                                to: c.ends_on,
                            });
                        }
                    }
                }
                let before = match draft.id {
                    Some(id) => match tx.drive(id, None).await? {
                        Some(d) if !d.cancelled => Some(d),
                        _ => return out(DriveOutcome::NoSuchDrive),
                    },
                    None => None,
                };
                // Sign-ups whose slot the new hours remove: told so, not left to find out.
                let lost: Vec<i64> = match &before {
                    Some(old) => {
                        let kept: Vec<i64> = spec
                            .slots
                            .iter()
                            .filter_map(|w| w.on(spec.date, tz))
                            .map(|(s, _)| s)
                            .collect();
                        let gone: Vec<i64> = old
                            .slots
                            .iter()
                            .filter(|s| !kept.contains(&s.starts_at))
                            .map(|s| s.id)
                            .collect();
                        tx.donors_in_slots(old.id, &gone).await?
                    }
                    None => Vec::new(),
                };
                let id = tx
                    .save_drive(
                        draft.id,
                        draft.campaign.flatten(),
                        &spec,
                        tz,
                        who.identity_id,
                        now_ms,
                    )
                    .await?;
                let actor = tx.account_ref(who.identity_id).await?;
                let action = if before.is_some() {
                    "drive.edit"
                } else {
                    "drive.create"
                };
                tx.audit(&actor, action, &format!("drive:{id}"), None, now_ms)
                    .await?;
                let mut notified = 0;
                if let (Some(old), Some(new)) = (before, tx.drive(id, None).await?) {
                    let moved = old.starts_at != new.starts_at || old.place != new.place;
                    if moved || !lost.is_empty() {
                        notified = self.drive_changed(tx, &new, &lost, moved, now).await?;
                    }
                }
                out(DriveOutcome::DriveSaved {
                    new: draft.id.is_none(),
                    notified,
                })
            }
            DriveRequest::CancelDrive { id } => {
                let Some(drive) = tx.drive(id, None).await? else {
                    return out(DriveOutcome::NoSuchDrive);
                };
                let donors = tx.cancel_drive(id, now_ms).await?;
                let recipients = tx.recipients(&donors).await?;
                let (day, _) = local_window(drive.starts_at, drive.ends_at, tz);
                let mut rows = Vec::new();
                for r in recipients.values() {
                    let msg = Msg::new(MsgId::DriveCancelledNotice)
                        .str("place", drive.place.clone())
                        .str("date", crate::domain::dates::format_vn(day));
                    rows.extend(rows_for(
                        self,
                        r,
                        msg,
                        &format!("drive-cancelled:{id}"),
                        Lane::Notice,
                        now_ms,
                    )?);
                }
                tx.enqueue(&rows, now_ms).await?;
                let actor = tx.account_ref(who.identity_id).await?;
                tx.audit(
                    &actor,
                    "drive.cancel",
                    &format!("drive:{id}"),
                    Some(recipients.len() as i64),
                    now_ms,
                )
                .await?;
                out(DriveOutcome::DriveCancelled {
                    notified: recipients.len(),
                })
            }
            DriveRequest::CampaignForm => out(DriveOutcome::CampaignForm),
            DriveRequest::SaveCampaign { draft } => {
                let (Some(name), Some((from, to))) = (draft.name.clone(), draft.dates) else {
                    return out(DriveOutcome::CampaignForm);
                };
                let units = draft.units.flatten();
                let c = Campaign {
                    name: name.clone(),
                    starts_on: from,
                    ends_on: to,
                    target_units_min: units.map(|u| u.0),
                    target_units_max: units.map(|u| u.1),
                    target_people: draft.people.flatten(),
                    organiser: None,
                    partner: None,
                    note: None,
                    drives: Vec::new(),
                };
                let saved = match draft.id {
                    None => tx.create_campaign(&c, who.identity_id, now_ms).await?,
                    Some(id) => tx.update_campaign(id, &c, now_ms).await?.then_some(id),
                };
                match saved {
                    Some(id) => {
                        let actor = tx.account_ref(who.identity_id).await?;
                        let action = if draft.id.is_some() {
                            "campaign.edit"
                        } else {
                            "campaign.create"
                        };
                        tx.audit(&actor, action, &format!("campaign:{id}"), None, now_ms)
                            .await?;
                        out(DriveOutcome::CampaignSaved {
                            name,
                            new: draft.id.is_none(),
                        })
                    }
                    None => out(DriveOutcome::CampaignExists),
                }
            }
            DriveRequest::CampaignList => {
                let today = now.with_timezone(&tz).date_naive();
                let list = tx
                    .open_campaigns(today)
                    .await?
                    .into_iter()
                    .map(|c| Item {
                        id: c.id,
                        label: format!(
                            "{} ({} – {})",
                            c.name,
                            c.starts_on.format("%d/%m"),
                            c.ends_on.format("%d/%m/%Y")
                        ),
                    })
                    .collect();
                out(DriveOutcome::Campaigns(list))
            }
            DriveRequest::EditCampaign { id } => match tx.campaign(id).await? {
                Some(c) => out(DriveOutcome::CampaignDraft(CampaignDraft {
                    id: Some(id),
                    name: Some(c.name),
                    dates: Some((c.starts_on, c.ends_on)),
                    units: Some(c.target_units_min.zip(c.target_units_max)),
                    people: Some(c.target_people),
                })),
                None => out(DriveOutcome::NoSuchDrive),
            },
        }
    }

    /// A donor by phone, for a coordinator recording a donation.
    async fn donor_by_phone(
        &self,
        tx: &mut Tx,
        phone: &PhoneNumber,
    ) -> anyhow::Result<Result<i64, DriveOutcome>> {
        Ok(match tx.donor_by_phone(phone.as_e164()).await? {
            PhoneLookup::One { donor_id, .. } => Ok(donor_id),
            PhoneLookup::Several => Err(DriveOutcome::SeveralDonors),
            PhoneLookup::None => Err(DriveOutcome::DonorNotFound),
        })
    }

    /// A drive moved (time or place): its signed-up donors are told, and their reminders
    /// follow the new time. Returns how many were told.
    /// A drive moved or lost slots: reminders follow it; those in `lost_slot` are told their
    /// time slot is gone (they keep their place at the drive), and when it `moved`, every
    /// other signed-up donor is told too.
    async fn drive_changed(
        &self,
        tx: &mut Tx,
        drive: &DriveInfo,
        lost_slot: &[i64],
        moved: bool,
        now: DateTime<Utc>,
    ) -> anyhow::Result<usize> {
        let now_ms = now.timestamp_millis();
        let signups = tx.signups_of(drive.id).await?;
        tx.drop_jobs(Some(drive.id), None, now_ms).await?;
        let mut jobs = Vec::new();
        for (signup, donor) in &signups {
            jobs.extend(self.reminder_jobs(*signup, *donor, drive, drive.starts_at, now));
        }
        tx.add_jobs(&jobs).await?;
        let donors: Vec<i64> = signups
            .iter()
            .map(|(_, d)| *d)
            .filter(|d| moved || lost_slot.contains(d))
            .collect();
        let recipients = tx.recipients(&donors).await?;
        let mut rows = Vec::new();
        for (donor, r) in &recipients {
            let id = if lost_slot.contains(donor) {
                MsgId::DriveSlotRemoved
            } else {
                MsgId::DriveChanged
            };
            let msg = Msg::new(id).msg("drive", drive_card_msg(self, drive));
            rows.extend(rows_for(
                self,
                r,
                msg,
                &format!("drive-changed:{}:{}:{}", drive.id, drive.starts_at, now_ms),
                Lane::Notice,
                now_ms,
            )?);
        }
        tx.enqueue(&rows, now_ms).await?;
        Ok(recipients.len())
    }
}
