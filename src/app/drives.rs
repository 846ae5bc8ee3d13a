//! Drives and sign-ups, as named use cases: list and show drives, sign up and cancel, the
//! drive form, save and cancel a drive (telling those signed up what changed). Each runs
//! in the caller's transaction; who may call which was checked before (`requests.rs`).

use super::App;
use super::outbound::{drive_card_msg, rows_for};
use crate::domain::audit::AuditAction;
use crate::domain::drive::{DriveInfo, DriveInput, local_window, reminder_times};
use crate::domain::province::Province;
use crate::domain::scope::Scope;
use crate::engine::DriveOutcome;
use crate::engine::Item;
use crate::engine::drive::DriveDraft;
use crate::messages::{Msg, MsgId};
use crate::store::{JobKey, JobKind, Lane, NewJob, OutboxKey, SignUp, Tx};
use chrono::{DateTime, NaiveDate, Utc};

/// Drives listed at once.
const LIST_LIMIT: i64 = 8;

/// What came of [`App::save_drive`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SavedDrive {
    Saved {
        id: i64,
        new: bool,
        /// Signed-up donors told of the change.
        notified: usize,
    },
    /// The drive to edit does not exist or was cancelled.
    NoSuchDrive,
    /// The day falls outside the drive's campaign: nothing saved.
    OutsideCampaign {
        name: String,
        from: NaiveDate,
        to: NaiveDate,
    },
}

impl From<SavedDrive> for DriveOutcome {
    fn from(s: SavedDrive) -> DriveOutcome {
        match s {
            SavedDrive::Saved {
                id: _,
                new,
                notified,
            } => DriveOutcome::DriveSaved { new, notified },
            SavedDrive::NoSuchDrive => DriveOutcome::NoSuchDrive,
            SavedDrive::OutsideCampaign { name, from, to } => {
                DriveOutcome::OutsideCampaign { name, from, to }
            }
        }
    }
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
            key: JobKey::Reminder {
                signup,
                rule,
                start,
            },
            kind: JobKind::Reminder,
            due_at: at.timestamp_millis(),
            donor_id: Some(donor),
            drive_id: Some(drive.id),
            ref_id: Some(signup),
        })
        .collect()
    }

    /// Upcoming drives: for staff every one within their scope (`Some`); for a donor,
    /// those of their province (and the ones they signed up for), not before `from`.
    /// `None` for someone not registered.
    pub(super) async fn list_drives(
        &self,
        tx: &mut Tx,
        donor: Option<i64>,
        staff: Option<Scope>,
        from: Option<NaiveDate>,
        now: DateTime<Utc>,
    ) -> anyhow::Result<DriveOutcome> {
        if staff.is_none() && donor.is_none() {
            return Ok(DriveOutcome::NeedsRegistration);
        }
        let now_ms = now.timestamp_millis();
        let drives = if let Some(scope) = staff {
            tx.upcoming_drives(now_ms, LIST_LIMIT, scope).await?
        } else {
            let tz = self.config().timezone;
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
        Ok(DriveOutcome::List {
            drives,
            staff: staff.is_some(),
            from,
        })
    }

    /// One drive that has not ended, as `donor` sees it (their sign-up).
    /// Every drive of a month within a staff scope (at most 500: a month of a province's
    /// drives).
    pub(super) async fn month_of_drives(
        &self,
        tx: &mut Tx,
        scope: Scope,
        year: i32,
        month: u32,
    ) -> anyhow::Result<DriveOutcome> {
        let tz = self.config().timezone;
        let start = |y: i32, m: u32| {
            NaiveDate::from_ymd_opt(y, m, 1)
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .and_then(|t| t.and_local_timezone(tz).earliest())
                .map(|t| t.timestamp_millis())
        };
        let (ny, nm) = if month == 12 {
            (year + 1, 1)
        } else {
            (year, month + 1)
        };
        let drives = match (start(year, month), start(ny, nm)) {
            (Some(from), Some(to)) => tx.drives_between(from, to, 500, scope).await?,
            _ => Vec::new(),
        };
        Ok(DriveOutcome::List {
            drives,
            staff: true,
            from: None,
        })
    }

    /// A drive as staff see it when it is within their scope (`staff`), else as a donor
    /// does (drives are public; their sign-ups are not).
    pub(super) async fn show_drive(
        &self,
        tx: &mut Tx,
        donor: Option<i64>,
        staff: Option<Scope>,
        id: i64,
        now: DateTime<Utc>,
    ) -> anyhow::Result<DriveOutcome> {
        Ok(match tx.drive(id, donor).await? {
            Some(d) if !d.cancelled && d.ends_at > now.timestamp_millis() => {
                let staff = staff.is_some_and(|s| s.covers(Province::from_code(&d.province)));
                DriveOutcome::Drive { drive: d, staff }
            }
            _ => DriveOutcome::NoSuchDrive,
        })
    }

    /// Sign a donor up for a drive (and a slot of it), with fresh reminders; when it is
    /// full, the next drives of their province that are not.
    pub(super) async fn sign_up(
        &self,
        tx: &mut Tx,
        donor: i64,
        id: i64,
        slot: Option<i64>,
        now: DateTime<Utc>,
    ) -> anyhow::Result<DriveOutcome> {
        let now_ms = now.timestamp_millis();
        Ok(match tx.sign_up(id, slot, donor, now_ms).await? {
            SignUp::Done { signup_id } => {
                let Some(drive) = tx.drive(id, Some(donor)).await? else {
                    return Ok(DriveOutcome::NoSuchDrive);
                };
                let jobs = self.reminder_jobs(signup_id, donor, &drive, drive.starts_at, now);
                // A new slot: the reminders of the old one go.
                tx.drop_jobs(Some(id), Some(donor), now_ms).await?;
                tx.add_jobs(&jobs).await?;
                DriveOutcome::SignedUp { drive, slot }
            }
            SignUp::Already => DriveOutcome::AlreadySigned,
            SignUp::Closed => DriveOutcome::Closed,
            SignUp::SlotFull => match tx.drive(id, Some(donor)).await? {
                Some(drive) => DriveOutcome::SlotFull { drive },
                None => DriveOutcome::Closed,
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
                DriveOutcome::Full { next }
            }
        })
    }

    /// A donor's sign-up withdrawn (its reminders go with it).
    pub(super) async fn cancel_sign_up(
        &self,
        tx: &mut Tx,
        donor: i64,
        id: i64,
        now: DateTime<Utc>,
    ) -> anyhow::Result<DriveOutcome> {
        let drive = tx.drive(id, Some(donor)).await?;
        Ok(
            match (
                tx.cancel_sign_up(id, donor, now.timestamp_millis()).await?,
                drive,
            ) {
                (true, Some(drive)) => DriveOutcome::SignUpCancelled { drive },
                _ => DriveOutcome::NoSuchDrive,
            },
        )
    }

    /// The drive form: empty, or filled with the drive `edit`; with the open campaigns of
    /// the staff scope (and the national ones).
    pub(super) async fn drive_form(
        &self,
        tx: &mut Tx,
        scope: Scope,
        edit: Option<i64>,
        now: DateTime<Utc>,
    ) -> anyhow::Result<DriveOutcome> {
        let tz = self.config().timezone;
        let today = now.with_timezone(&tz).date_naive();
        let open = tx.open_campaigns(today, scope).await?;
        let campaigns: Vec<Item> = open
            .iter()
            .map(|c| Item {
                id: c.id,
                label: c.name.clone(),
            })
            .collect();
        let periods = open
            .iter()
            .map(|c| (c.id, c.starts_on, c.ends_on))
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
                None => return Ok(DriveOutcome::NoSuchDrive),
            },
        };
        Ok(DriveOutcome::DriveForm {
            draft,
            campaigns,
            periods,
        })
    }

    /// Create or edit a drive (audited). A drive falls inside its campaign; an edit that
    /// moves it or removes slots tells the donors signed up, and their reminders follow.
    pub(super) async fn save_drive(
        &self,
        tx: &mut Tx,
        identity_id: i64,
        input: DriveInput,
        now: DateTime<Utc>,
    ) -> anyhow::Result<SavedDrive> {
        let now_ms = now.timestamp_millis();
        let tz = self.config().timezone;
        let DriveInput { id, campaign, spec } = input;
        // As the calendar import: a drive falls inside its campaign.
        if let Some(c) = match campaign {
            Some(cid) => tx.campaign(cid).await?,
            None => None,
        } && (spec.date < c.starts_on || spec.date > c.ends_on)
        {
            return Ok(SavedDrive::OutsideCampaign {
                name: c.name,
                from: c.starts_on,
                to: c.ends_on,
            });
        }
        let before = match id {
            Some(id) => match tx.drive(id, None).await? {
                Some(d) if !d.cancelled => Some(d),
                _ => return Ok(SavedDrive::NoSuchDrive),
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
        let saved = tx
            .save_drive(id, campaign, &spec, tz, identity_id, now_ms)
            .await?;
        let actor = tx.account_ref(identity_id).await?;
        let action = if before.is_some() {
            AuditAction::DriveEdit
        } else {
            AuditAction::DriveCreate
        };
        tx.audit(&actor, action, &format!("drive:{saved}"), None, now_ms)
            .await?;
        let mut notified = 0;
        if let (Some(old), Some(new)) = (before, tx.drive(saved, None).await?) {
            let moved = old.starts_at != new.starts_at || old.place != new.place;
            if moved || !lost.is_empty() {
                notified = self.drive_changed(tx, &new, &lost, moved, now).await?;
            }
        }
        Ok(SavedDrive::Saved {
            id: saved,
            new: id.is_none(),
            notified,
        })
    }

    /// Cancel a drive (audited): every donor signed up is told.
    pub(super) async fn cancel_drive(
        &self,
        tx: &mut Tx,
        identity_id: i64,
        id: i64,
        now: DateTime<Utc>,
    ) -> anyhow::Result<DriveOutcome> {
        let now_ms = now.timestamp_millis();
        let Some(drive) = tx.drive(id, None).await? else {
            return Ok(DriveOutcome::NoSuchDrive);
        };
        let donors = tx.cancel_drive(id, now_ms).await?;
        let recipients = tx.recipients(&donors).await?;
        let (day, _) = local_window(drive.starts_at, drive.ends_at, self.config().timezone);
        let mut rows = Vec::new();
        for r in recipients.values() {
            let msg = Msg::new(MsgId::DriveCancelledNotice)
                .str("place", drive.place.clone())
                .str("date", crate::domain::dates::format_vn(day));
            rows.extend(rows_for(
                self,
                r,
                msg,
                &OutboxKey::DriveCancelled { drive: id },
                Lane::Notice,
                now_ms,
            )?);
        }
        tx.enqueue(&rows, now_ms).await?;
        let actor = tx.account_ref(identity_id).await?;
        tx.audit(
            &actor,
            AuditAction::DriveCancel,
            &format!("drive:{id}"),
            Some(recipients.len() as i64),
            now_ms,
        )
        .await?;
        Ok(DriveOutcome::DriveCancelled {
            notified: recipients.len(),
        })
    }

    /// A drive moved or lost slots: reminders follow it; those in `lost_slot` are told their
    /// time slot is gone (they keep their place at the drive), and when it `moved`, every
    /// other signed-up donor is told too. Returns how many were told.
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
                &OutboxKey::DriveChanged {
                    drive: drive.id,
                    starts_at: drive.starts_at,
                    at: now_ms,
                },
                Lane::Notice,
                now_ms,
            )?);
        }
        tx.enqueue(&rows, now_ms).await?;
        Ok(recipients.len())
    }
}
