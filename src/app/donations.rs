//! Donations, as named use cases: a donor's check-in code and self-report; a coordinator
//! finding the donor, recording a donation (audited) or removing one recorded by mistake;
//! the year's report. Each runs in the caller's transaction; who may call which was checked
//! before (`requests.rs`).

use super::App;
use super::outbound::random_code;
use crate::domain::audit::AuditAction;
use crate::domain::donor::DonorCard;
use crate::domain::eligibility::{DonationKind, LastDonation};
use crate::domain::phone::PhoneNumber;
use crate::engine::DriveOutcome;
use crate::engine::Item;
use crate::engine::drive::RecordedDonation;
use crate::store::{PhoneLookup, Tx};
use chrono::{DateTime, Datelike, Utc};

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
        let now_ms = now.timestamp_millis();
        Ok(
            match tx
                .record_donation(donor, today, kind, false, "self", None, None, now_ms)
                .await?
            {
                Some(_) => DriveOutcome::SelfReported,
                None => DriveOutcome::AlreadyRecorded,
            },
        )
    }

    /// The donor a coordinator names by phone or check-in code, with what recording needs:
    /// when they may give, today's drives, their last donation.
    pub(super) async fn find_donor(
        &self,
        tx: &mut Tx,
        phone: Option<PhoneNumber>,
        code: Option<String>,
        now: DateTime<Utc>,
    ) -> anyhow::Result<DriveOutcome> {
        let found = match (phone, code) {
            (None, None) => return Ok(DriveOutcome::MayRecord),
            (Some(p), _) => match tx.donor_by_phone(p.as_e164()).await? {
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
            .drives_between(day_start, day_start + 86_400_000, 20)
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

    /// Record a blood centre's file of donations (CSV: phone, date, kind…): every line
    /// checked first, nothing stored unless all are right; donors thanked as when a
    /// coordinator records one. Audited with the number added.
    pub(super) async fn import_donations(
        &self,
        tx: &mut Tx,
        identity_id: i64,
        text: &str,
        now: DateTime<Utc>,
    ) -> anyhow::Result<DriveOutcome> {
        let today = now.with_timezone(&self.config().timezone).date_naive();
        let lines = match crate::domain::donation::parse_donations(text, today) {
            Ok(lines) => lines,
            Err(errors) => return Ok(DriveOutcome::FileRejected(errors)),
        };
        let now_ms = now.timestamp_millis();
        let done = match tx.import_donations(&lines, now_ms).await? {
            Ok(done) => done,
            Err(errors) => return Ok(DriveOutcome::FileRejected(errors)),
        };
        let actor = tx.account_ref(identity_id).await?;
        tx.audit(
            &actor,
            AuditAction::DonationsImport,
            "donations:file",
            Some(done.added as i64),
            now_ms,
        )
        .await?;
        Ok(DriveOutcome::DonationsImported(done))
    }

    /// The registered donors who gave `phone` (at most 5), for the coordinator
    /// `identity_id`: audited whatever is found, by donor id (never the phone).
    pub(super) async fn lookup_donor(
        &self,
        tx: &mut Tx,
        identity_id: i64,
        phone: &PhoneNumber,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Vec<DonorCard>> {
        let ids = tx.donors_with_phone(phone.as_e164(), 5).await?;
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
    /// donation already recorded today is not stored twice.
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
        let recorded = tx
            .record_donation(
                donor,
                today,
                kind,
                true,
                "chat",
                drive,
                Some(identity_id),
                now_ms,
            )
            .await?;
        let name = self.donor_name(tx, donor).await?;
        let (count, _) = tx.donation_count(donor).await?;
        let actor = tx.account_ref(identity_id).await?;
        tx.audit(
            &actor,
            AuditAction::DonationRecord,
            &format!("donor:{donor}"),
            None,
            now_ms,
        )
        .await?;
        Ok(RecordedFor {
            name,
            count,
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
        now: DateTime<Utc>,
    ) -> anyhow::Result<DriveOutcome> {
        let tz = self.config().timezone;
        let year = now.with_timezone(&tz).year();
        let report = tx.report(year, tz).await?;
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
