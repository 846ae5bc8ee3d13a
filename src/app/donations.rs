//! Donations, as named use cases: a donor's check-in code and self-report; a coordinator
//! finding the donor, recording a donation (audited) or removing one recorded by mistake;
//! the year's report. Each runs in the caller's transaction; who may call which was checked
//! before (`requests.rs`).

use super::App;
use super::imports::DonationStep;
use super::outbound::random_code;
use super::outbound::rows_for;
use crate::domain::audit::AuditAction;
use crate::domain::campaign::FileError;
use crate::domain::dates::format_vn;
use crate::domain::donation::{DonationLine, DonationSource, early_lines};
use crate::domain::donor::DonorCard;
use crate::domain::drive::local_window;
use crate::domain::eligibility::{DonationKind, LastDonation};
use crate::domain::phone::PhoneNumber;
use crate::domain::province::Province;
use crate::domain::scope::Scope;
use crate::engine::DriveOutcome;
use crate::engine::Item;
use crate::engine::drive::RecordedDonation;
use crate::messages::{Msg, MsgId};
use crate::store::Provinced;
use crate::store::{Lane, NewDonation, OutboxKey, PhoneLookup, Recorded, ResolvedLine, Tx};
use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};

/// How long a check-in code stays valid.
const CHECKIN_HOURS: i64 = 12;

/// A donation a coordinator records, at a drive of today or outside one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DonationInput {
    pub donor: i64,
    pub kind: DonationKind,
    pub drive: Option<i64>,
}

/// What came of [`App::record_donation`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedFor {
    pub name: String,
    /// The donor's donations, this one included.
    pub count: i64,
    /// Their first donation ever (nothing earlier on record or declared).
    pub first: bool,
    /// Already recorded today: nothing new was stored.
    pub again: bool,
}

impl App {
    /// A fresh check-in code for a donor to show at the drive.
    pub(super) async fn checkin_code(
        &self,
        tx: &mut Tx,
        donor: i64,
        now: DateTime<Utc>,
    ) -> anyhow::Result<DriveOutcome> {
        let expires = now + chrono::Duration::hours(CHECKIN_HOURS);
        for _ in 0..8 {
            let code = random_code();
            if tx
                .set_checkin(donor, &code, expires.timestamp_millis())
                .await?
            {
                let tz = self.config().timezone;
                let until = expires.with_timezone(&tz).format("%H:%M %d/%m").to_string();
                return Ok(DriveOutcome::Checkin { code, until });
            }
        }
        anyhow::bail!("no free check-in code after 8 draws")
    }

    /// A donor says they gave today (unverified).
    pub(super) async fn self_report(
        &self,
        tx: &mut Tx,
        donor: i64,
        kind: DonationKind,
        now: DateTime<Utc>,
    ) -> anyhow::Result<DriveOutcome> {
        let today = now.with_timezone(&self.config().timezone).date_naive();
        let new = self.new_donation(donor, today, kind, DonationSource::Donor);
        Ok(match self.put_on_record(tx, &new, now).await? {
            Some(_) => DriveOutcome::SelfReported,
            None => DriveOutcome::AlreadyRecorded,
        })
    }

    /// A donation as the store records it: its local day, and until when the donor's
    /// sign-ups end with it (the first day they may give again). Unverified only when the
    /// donor said it.
    pub(crate) fn new_donation(
        &self,
        donor: i64,
        date: NaiveDate,
        kind: DonationKind,
        source: DonationSource,
    ) -> NewDonation {
        let tz = self.config().timezone;
        let midnight = |d: NaiveDate| {
            tz.from_local_datetime(&d.and_time(chrono::NaiveTime::MIN))
                .earliest()
                .map_or(0, |t| t.timestamp_millis())
        };
        let next_day = date.succ_opt().unwrap_or(date);
        let again = self
            .config()
            .rules
            .next_eligible(LastDonation::Given { kind, date })
            .unwrap_or(next_day);
        NewDonation {
            donor,
            date,
            kind,
            verified: source != DonationSource::Donor,
            source,
            drive: None,
            unit: None,
            volume_ml: None,
            by: None,
            province: None,
            day: (midnight(date), midnight(next_day)),
            release_until: midnight(again),
        }
    }

    /// Record a donation by any path, and tell the donor of each sign-up it released
    /// (the one line of the place given to someone else).
    pub(crate) async fn put_on_record(
        &self,
        tx: &mut Tx,
        new: &NewDonation,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Option<Recorded>> {
        let now_ms = now.timestamp_millis();
        let Some(recorded) = tx.record_donation(new, now_ms).await? else {
            return Ok(None);
        };
        if !recorded.released.is_empty() {
            let tz = self.config().timezone;
            let next = self
                .config()
                .rules
                .next_eligible(LastDonation::Given {
                    kind: new.kind,
                    date: new.date,
                })
                .map(format_vn)
                .unwrap_or_default();
            let recipients = tx.recipients(&[new.donor]).await?;
            let mut rows = Vec::new();
            for id in &recorded.released {
                let Some(drive) = tx.drive(*id, None).await? else {
                    continue;
                };
                let (day, _) = local_window(drive.starts_at, drive.ends_at, tz);
                for r in recipients.values() {
                    let msg = Msg::new(MsgId::SignupReleasedNotice)
                        .str("gave", format_vn(new.date))
                        .str("place", drive.place.clone())
                        .str("date", format_vn(day))
                        .str("next", next.clone());
                    rows.extend(rows_for(
                        self,
                        r,
                        msg,
                        &OutboxKey::SignupReleased { drive: *id },
                        Lane::Notice,
                        now_ms,
                    )?);
                }
            }
            tx.enqueue(&rows, now_ms).await?;
        }
        Ok(Some(recorded))
    }

    /// The donor a coordinator names by phone or check-in code, with what recording needs:
    /// when they may give, today's drives, their last donation.
    ///
    /// By phone, only a donor of the coordinator's `scope` is found; a check-in code is
    /// the donor's own, shown in person at the drive (a donor of another province giving
    /// at this one), and finds them wherever they live.
    pub(super) async fn find_donor(
        &self,
        tx: &mut Tx,
        scope: Scope,
        phone: Option<PhoneNumber>,
        code: Option<String>,
        now: DateTime<Utc>,
    ) -> anyhow::Result<DriveOutcome> {
        let found = match (phone, code) {
            (None, None) => return Ok(DriveOutcome::MayRecord),
            (Some(p), _) => match tx.donor_by_phone_in(p.as_e164(), scope).await? {
                PhoneLookup::One { donor_id, .. } => Ok(donor_id),
                PhoneLookup::Several => Err(DriveOutcome::SeveralDonors),
                PhoneLookup::None => Err(DriveOutcome::DonorNotFound),
            },
            (None, Some(c)) => match tx.checkin_donor(&c, now.timestamp_millis()).await? {
                Some(id) => Ok(id),
                // Six characters that are also a phone? No: codes have letters.
                None => Err(DriveOutcome::DonorNotFound),
            },
        };
        let id = match found {
            Ok(id) => id,
            Err(o) => return Ok(o),
        };
        let Some(d) = tx.load_donors(&[id]).await?.remove(&id) else {
            return Ok(DriveOutcome::DonorNotFound);
        };
        let next = d
            .last_donation
            .and_then(|l| l.complete())
            .and_then(|l: LastDonation| self.config().rules.next_eligible(l));
        let blood = d
            .blood_group
            .map(|g| g.code())
            .unwrap_or_else(|| "?".into());
        // Drives of today, to record the donation against.
        let day_start = self.start_of_day_ms(now);
        let drives = tx
            .drives_between(day_start, day_start + 86_400_000, 20, scope)
            .await?
            .into_iter()
            .map(|d| Item {
                id: d.id,
                label: d.place.chars().take(60).collect(),
            })
            .collect();
        let last = tx
            .donations_of(id, 1)
            .await?
            .into_iter()
            .next()
            .map(|r| RecordedDonation {
                id: r.id,
                date: r.date,
                kind: r.kind,
            });
        Ok(DriveOutcome::DonorFound {
            donor: id,
            name: d.name.unwrap_or_default(),
            blood,
            next,
            drives,
            last,
        })
    }

    /// Check a blood centre's file of donations (CSV: phone, date, kind…) whole, writing
    /// nothing: every line read, its donor found, a drive it names of its day, and (unless
    /// `accept_early`) no donation inside the donor's interval. What to record, oldest first
    /// (the thank-you and the sign-ups follow the order they were given in), or every error
    /// by its line.
    /// Staff of some provinces (`scope`) record a line at one of their drives (a donor of
    /// another province who gave there), or of one of their provinces' donors: any other
    /// line is an error by its line, as a phone nobody registered is.
    pub(super) async fn check_donations(
        &self,
        tx: &mut Tx,
        text: &str,
        accept_early: bool,
        now: DateTime<Utc>,
        scope: Scope,
    ) -> anyhow::Result<Result<Vec<DonationStep>, Vec<FileError>>> {
        let tz = self.config().timezone;
        let today = now.with_timezone(&tz).date_naive();
        let lines = match crate::domain::donation::parse_donations(text, today) {
            Ok(lines) => lines,
            Err(errors) => return Ok(Err(errors)),
        };
        let resolved = match tx.resolve_donation_lines(&lines).await? {
            Ok(r) => r,
            Err(errors) => return Ok(Err(errors)),
        };
        let mut errors = Vec::new();
        if !scope.is_nation() {
            let mut donors: Vec<i64> = resolved.iter().map(|r| r.donor).collect();
            let mut drives: Vec<i64> = resolved
                .iter()
                .filter_map(|r| r.drive)
                .map(|d| d.0)
                .collect();
            donors.sort_unstable();
            donors.dedup();
            drives.sort_unstable();
            drives.dedup();
            let of_donor = tx.provinces_of(Provinced::Donors, &donors).await?;
            let of_drive = tx.provinces_of(Provinced::Drives, &drives).await?;
            for (l, r) in lines.iter().zip(&resolved) {
                let province = match r.drive {
                    Some((id, _)) => of_drive.get(&id),
                    None => of_donor.get(&r.donor),
                }
                .cloned()
                .flatten();
                if !scope.covers(province.as_deref().and_then(Province::from_code)) {
                    errors.push(FileError {
                        line: l.line,
                        message: match r.drive {
                            Some((id, _)) => format!("drive {id} is not in a province you manage"),
                            None => "no donor of a province you manage has this phone (a donor \
                                     of another province who gave at your drive is recorded \
                                     with the drive: name it in the drive column)"
                                .to_string(),
                        },
                    });
                }
            }
        }
        // A drive named on a line must be of the line's day.
        for (l, r) in lines.iter().zip(&resolved) {
            if let Some((id, starts_at)) = r.drive {
                let day = local_window(starts_at, starts_at, tz).0;
                if day != l.date {
                    errors.push(FileError {
                        line: l.line,
                        message: format!(
                            "drive {id} was on {}, not on {}",
                            format_vn(day),
                            format_vn(l.date)
                        ),
                    });
                }
            }
        }
        if !accept_early {
            let donors: Vec<i64> = resolved.iter().map(|r| r.donor).collect();
            let history = tx.donation_history(&donors).await?;
            let pairs: Vec<(i64, &DonationLine)> =
                resolved.iter().map(|r| r.donor).zip(&lines).collect();
            for e in early_lines(&pairs, &history, &self.config().rules) {
                errors.push(FileError {
                    line: e.line,
                    message: format!(
                        "a donation on {} is inside the interval after the one on {} (the \
                         donor may give again from {}): almost surely a mistake; to record it \
                         anyway, confirm (hienmau donations import --accept-early, or the \
                         dashboard's box \"record early donations too\")",
                        format_vn(e.date),
                        format_vn(e.after),
                        format_vn(e.may_give_from)
                    ),
                });
            }
        }
        if !errors.is_empty() {
            errors.sort_by_key(|e| e.line);
            return Ok(Err(errors));
        }
        let mut todo: Vec<(&DonationLine, &ResolvedLine)> = lines.iter().zip(&resolved).collect();
        todo.sort_by_key(|(l, _)| (l.date, l.line));
        Ok(Ok(todo
            .into_iter()
            .map(|(l, r)| DonationStep {
                donor: r.donor,
                date: l.date,
                kind: l.kind.code().to_string(),
                drive: r.drive.map(|(id, _)| id),
                unit: r.unit,
                volume_ml: l.volume_ml,
            })
            .collect()))
    }

    /// One checked line of a centre's file recorded as `/record` would (attribution,
    /// sign-ups, thanks): `true` if it was new.
    pub(super) async fn record_step(
        &self,
        tx: &mut Tx,
        step: &DonationStep,
        now: DateTime<Utc>,
    ) -> anyhow::Result<bool> {
        let kind = DonationKind::from_code(&step.kind)
            .ok_or_else(|| anyhow::anyhow!("a staged donation of no known kind"))?;
        let mut new = self.new_donation(step.donor, step.date, kind, DonationSource::Centre);
        new.drive = step.drive;
        new.unit = step.unit;
        new.volume_ml = step.volume_ml;
        Ok(self.put_on_record(tx, &new, now).await?.is_some())
    }

    /// The registered donors who gave `phone` (at most 5), for the coordinator
    /// `identity_id`: audited whatever is found, by donor id (never the phone).
    pub(super) async fn lookup_donor(
        &self,
        tx: &mut Tx,
        identity_id: i64,
        scope: Scope,
        phone: &PhoneNumber,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Vec<DonorCard>> {
        let ids = tx.donors_with_phone(phone.as_e164(), 5, scope).await?;
        let mut donors = tx.load_donors(&ids).await?;
        let mut cards = Vec::with_capacity(ids.len());
        for id in &ids {
            let Some(donor) = donors.remove(id) else {
                continue;
            };
            let donations = tx
                .donations_of(*id, 10)
                .await?
                .into_iter()
                .map(|d| (d.date, d.kind))
                .collect();
            let counted = tx.donation_count(*id).await?;
            let clubs = tx
                .clubs_of(*id, None)
                .await?
                .into_iter()
                .map(|c| c.name)
                .collect();
            cards.push(DonorCard {
                id: *id,
                donor,
                donations,
                counted,
                clubs,
            });
        }
        let actor = tx.account_ref(identity_id).await?;
        let target = if ids.is_empty() {
            "donor:none".to_string()
        } else {
            ids.iter()
                .map(|i| format!("donor:{i}"))
                .collect::<Vec<_>>()
                .join(",")
        };
        tx.audit(
            &actor,
            AuditAction::DonorLookup,
            &target,
            Some(ids.len() as i64),
            now.timestamp_millis(),
        )
        .await?;
        Ok(cards)
    }

    /// Record a donation today, verified by the coordinator `identity_id` (audited). A
    /// donation already recorded today is not stored twice, nor audited again.
    pub(super) async fn record_donation(
        &self,
        tx: &mut Tx,
        identity_id: i64,
        input: DonationInput,
        now: DateTime<Utc>,
    ) -> anyhow::Result<RecordedFor> {
        let now_ms = now.timestamp_millis();
        let DonationInput { donor, kind, drive } = input;
        let today = now.with_timezone(&self.config().timezone).date_naive();
        let mut new = self.new_donation(donor, today, kind, DonationSource::Staff);
        new.drive = drive;
        new.by = Some(identity_id);
        let recorded = self.put_on_record(tx, &new, now).await?;
        let name = self.donor_name(tx, donor).await?;
        let (count, _) = tx.donation_count(donor).await?;
        if recorded.is_some() {
            let actor = tx.account_ref(identity_id).await?;
            tx.audit(
                &actor,
                AuditAction::DonationRecord,
                &format!("donor:{donor}"),
                None,
                now_ms,
            )
            .await?;
        }
        Ok(RecordedFor {
            name,
            count,
            first: recorded.as_ref().is_some_and(|r| !r.repeat),
            again: recorded.is_none(),
        })
    }

    /// Remove a donation recorded by mistake (audited).
    pub(super) async fn remove_donation(
        &self,
        tx: &mut Tx,
        identity_id: i64,
        id: i64,
        now: DateTime<Utc>,
    ) -> anyhow::Result<DriveOutcome> {
        let now_ms = now.timestamp_millis();
        let Some((_, date, kind)) = tx.donation(id).await? else {
            return Ok(DriveOutcome::DonorNotFound);
        };
        let Some(donor) = tx.remove_donation(id, now_ms).await? else {
            return Ok(DriveOutcome::DonorNotFound);
        };
        let actor = tx.account_ref(identity_id).await?;
        tx.audit(
            &actor,
            AuditAction::DonationRemove,
            &format!("donation:{id}"),
            None,
            now_ms,
        )
        .await?;
        Ok(DriveOutcome::DonationRemoved {
            name: self.donor_name(tx, donor).await?,
            removed: RecordedDonation { id, date, kind },
        })
    }

    /// This year's figures.
    pub(super) async fn year_report(
        &self,
        tx: &mut Tx,
        scope: Scope,
        now: DateTime<Utc>,
    ) -> anyhow::Result<DriveOutcome> {
        let tz = self.config().timezone;
        let year = now.with_timezone(&tz).year();
        let report = tx.report(year, tz, scope).await?;
        Ok(DriveOutcome::Report { year, report })
    }

    /// A donor's name as they gave it (empty when they did not).
    async fn donor_name(&self, tx: &mut Tx, donor: i64) -> anyhow::Result<String> {
        Ok(tx
            .load_donors(&[donor])
            .await?
            .remove(&donor)
            .and_then(|d| d.name)
            .unwrap_or_default())
    }
}
