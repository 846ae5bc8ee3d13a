//! Donations: check-in codes, a donation recorded (the donor's last donation and counts
//! follow, a thank-you job is added), removed, listed; who may give again; the 14/6 audience.

use super::JobKey;
use super::club::{BEST_IDENTITY, Recipient};
use super::drive::recipient_from_row;
use super::jobs::{add_jobs, drop_jobs};
use super::*;
use crate::domain::campaign::FileError;
use crate::domain::donation::{DonationLine, DonationSource};
use crate::domain::eligibility::DonationKind;
use anyhow::Context;
use chrono::NaiveDate;
use sqlx::{AnyConnection, Row};
use std::collections::HashMap;

/// A donation to record, with what its path knows of it. Everything a figure reads of it
/// (drive, campaign, unit, repeat, source) is decided from this and stored on its row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewDonation {
    pub donor: i64,
    pub date: NaiveDate,
    pub kind: DonationKind,
    pub verified: bool,
    pub source: DonationSource,
    /// The drive it was given at, as the recorder named it (the coordinator's choice, the
    /// centre's `drive` column); otherwise the drive is found (see [`record_donation`]).
    pub drive: Option<i64>,
    /// The unit the centre's line names.
    pub unit: Option<i64>,
    pub volume_ml: Option<i64>,
    /// The staff account that recorded it.
    pub by: Option<i64>,
    /// Where it was given when no drive says (a call-out's hospital's province); none:
    /// the donor's.
    pub province: Option<crate::domain::province::Province>,
    /// The donation's local day, unix ms `[start, end)`.
    pub day: (i64, i64),
    /// The start (unix ms) of the first day the donor may give again: active sign-ups for
    /// drives that begin after now and before it are released.
    pub release_until: i64,
}

/// A donation recorded now, with what was decided for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub donation_id: i64,
    /// The donor had given before (on record or by their own account).
    pub repeat: bool,
    pub drive: Option<i64>,
    /// The drives whose sign-ups this donation released (the donor is told).
    pub released: Vec<i64>,
}

/// A donation as listed for correction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DonationRow {
    pub id: i64,
    pub date: NaiveDate,
    pub kind: DonationKind,
    pub verified: bool,
    pub source: String,
}

pub(super) async fn donation_count(
    conn: &mut AnyConnection,
    donor: i64,
) -> anyhow::Result<(i64, i64)> {
    let r = sqlx::query(
        "SELECT COUNT(*) FILTER (WHERE verified) AS v, COUNT(*) AS n FROM donations WHERE donor_id = $1",
    )
    .bind(donor)
    .fetch_one(&mut *conn)
    .await?;
    Ok((r.try_get("v")?, r.try_get("n")?))
}

/// How long after a donation a thank-you still makes sense (older ones are history, imported).
const THANKS_WITHIN_DAYS: i64 = 7;

/// Whether each donation of the donors chosen by `which` (SQL on `donations`) is a repeat
/// donation: the donor gave before it, by the record (an earlier day, or the same day
/// recorded first) or by their own account (an earlier donation declared, dated before it
/// or undated: "không nhớ"). The one definition; every figure reads the stored flag.
pub(super) const REFRESH_REPEAT: &str = "UPDATE donations SET repeat_donor = (\
     EXISTS (SELECT 1 FROM donations e WHERE e.donor_id = donations.donor_id \
       AND (e.donated_on < donations.donated_on \
            OR (e.donated_on = donations.donated_on AND e.id < donations.id))) \
     OR EXISTS (SELECT 1 FROM donors d WHERE d.id = donations.donor_id \
       AND d.declared_kind IN ('whole_blood', 'platelets', 'plasma') \
       AND (d.declared_on IS NULL OR d.declared_on < donations.donated_on))) WHERE ";

/// Record one donation (`None` if it is already on record) and decide, once, what it counts
/// for: its drive (the one named; else the drive the donor signed up for that day; else the
/// only drive that day in the donor's province), hence its campaign; its unit (the drive's,
/// else the one the centre's line names, else the donor's own); whether it is a repeat
/// donation (for every donation of the donor, as an older one may arrive later). The donor's
/// last donation moves if it is newer; their sign-up at that drive is attended, and those
/// for drives they can no longer give at are released with their reminders; a verified
/// recent donation queues the thank-you.
pub(super) async fn record_donation(
    conn: &mut AnyConnection,
    n: &NewDonation,
    now: i64,
) -> anyhow::Result<Option<Recorded>> {
    let drive = donation_drive(conn, n).await?;
    // What the donor's last donation was before this one: put back if it is removed. A
    // donation the donor reported (unverified) and staff or the centre confirm takes the
    // confirmation's source, and its drive when it had none.
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO donations (donor_id, donated_on, kind, verified, source, created_at, \
         drive_id, recorded_by, repeat_donor, prev_last_kind, prev_last_date, \
         prev_last_forgotten, unit_id, campaign_id, volume_ml, province) \
         SELECT $1, $2, $3, $4, $5, $6, \
         $7, $8, FALSE, d.last_donation_kind, d.last_donation_date, d.last_donation_forgotten, \
         COALESCE((SELECT unit_id FROM drives WHERE id = $7), $9, d.unit_id), \
         (SELECT campaign_id FROM drives WHERE id = $7), $10, \
         COALESCE((SELECT province FROM drives WHERE id = $7), $11, d.province) \
         FROM donors d WHERE d.id = $1 \
         ON CONFLICT (donor_id, donated_on, kind) DO UPDATE SET \
           verified = (donations.verified OR excluded.verified), \
           source = excluded.source, \
           recorded_by = COALESCE(excluded.recorded_by, donations.recorded_by), \
           volume_ml = COALESCE(excluded.volume_ml, donations.volume_ml), \
           unit_id = CASE WHEN donations.drive_id IS NULL AND excluded.drive_id IS NOT NULL \
             THEN excluded.unit_id ELSE COALESCE(donations.unit_id, excluded.unit_id) END, \
           province = CASE WHEN donations.drive_id IS NULL AND excluded.drive_id IS NOT NULL \
             THEN excluded.province ELSE COALESCE(donations.province, excluded.province) END, \
           campaign_id = CASE WHEN donations.drive_id IS NULL THEN excluded.campaign_id \
             ELSE donations.campaign_id END, \
           drive_id = COALESCE(donations.drive_id, excluded.drive_id) \
         WHERE donations.verified < excluded.verified \
         RETURNING id",
    )
    .bind(n.donor)
    .bind(date_text(n.date))
    .bind(n.kind.code())
    .bind(n.verified)
    .bind(n.source.code())
    .bind(now)
    .bind(drive)
    .bind(n.by)
    .bind(n.unit)
    .bind(n.volume_ml)
    .bind(n.province.map(|p| p.code()))
    .fetch_optional(&mut *conn)
    .await
    .context("recording a donation")?;
    let Some(id) = id else {
        return Ok(None);
    };
    sqlx::query(&format!("{REFRESH_REPEAT} donor_id = $1"))
        .bind(n.donor)
        .execute(&mut *conn)
        .await
        .context("deciding repeat donations")?;
    let row = sqlx::query("SELECT repeat_donor, drive_id FROM donations WHERE id = $1")
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
    let repeat = super::flag(&row, "repeat_donor")?;
    let drive: Option<i64> = row.try_get("drive_id")?;
    sqlx::query(
        "UPDATE donors SET last_donation_kind = $1, last_donation_date = $2, \
         last_donation_forgotten = FALSE \
         WHERE id = $3 AND (last_donation_date IS NULL OR last_donation_date <= $2)",
    )
    .bind(n.kind.code())
    .bind(date_text(n.date))
    .bind(n.donor)
    .execute(&mut *conn)
    .await
    .context("moving a donor's last donation")?;
    let released = end_signups(conn, n, drive, now).await?;
    let today = chrono::DateTime::from_timestamp_millis(now)
        .unwrap_or_default()
        .date_naive();
    // Self-reported donations are thanked in the reply; a recorded one by the scheduler.
    if n.verified && (today - n.date).num_days() <= THANKS_WITHIN_DAYS {
        add_jobs(
            conn,
            &[NewJob {
                key: JobKey::Thanks { donation: id },
                kind: JobKind::Thanks,
                due_at: now,
                donor_id: Some(n.donor),
                drive_id: drive,
                ref_id: Some(id),
            }],
        )
        .await?;
    }
    Ok(Some(Recorded {
        donation_id: id,
        repeat,
        drive,
        released,
    }))
}

/// The drive a donation was given at: the one named, else the donor's sign-up that day,
/// else the only drive that day in the donor's province.
async fn donation_drive(conn: &mut AnyConnection, n: &NewDonation) -> anyhow::Result<Option<i64>> {
    let (day_start, day_end) = n.day;
    Ok(match n.drive {
        Some(d) => Some(d),
        None => sqlx::query_scalar(
            "SELECT COALESCE(\
               (SELECT s.drive_id FROM signups s JOIN drives d ON d.id = s.drive_id \
                WHERE s.donor_id = $1 AND s.status IN ('active', 'attended') \
                AND d.cancelled_at IS NULL AND d.starts_at >= $2 AND d.starts_at < $3 \
                ORDER BY d.starts_at, d.id LIMIT 1), \
               (SELECT MIN(d.id) FROM drives d WHERE d.cancelled_at IS NULL \
                AND d.starts_at >= $2 AND d.starts_at < $3 \
                AND d.province = (SELECT province FROM donors WHERE id = $1) \
                HAVING COUNT(*) = 1))",
        )
        .bind(n.donor)
        .bind(day_start)
        .bind(day_end)
        .fetch_one(&mut *conn)
        .await
        .context("finding a donation's drive")?,
    })
}

/// The donor's sign-ups after a donation: attended at its drive; released at drives still
/// to come that they can no longer give at (from this day until they may give again).
/// Returns the drives released.
async fn end_signups(
    conn: &mut AnyConnection,
    n: &NewDonation,
    drive: Option<i64>,
    now: i64,
) -> anyhow::Result<Vec<i64>> {
    let (day_start, _) = n.day;
    // The sign-up ends: attended at this drive; released at drives still to come that the
    // donor can no longer give at (from this day until they may give again).
    if let Some(d) = drive {
        sqlx::query(
            "UPDATE signups SET status = 'attended', updated_at = $1 \
             WHERE drive_id = $2 AND donor_id = $3 AND status = 'active'",
        )
        .bind(now)
        .bind(d)
        .bind(n.donor)
        .execute(&mut *conn)
        .await
        .context("marking a sign-up attended")?;
    }
    let released: Vec<i64> = sqlx::query_scalar(
        "UPDATE signups SET status = 'released', updated_at = $1 \
         WHERE donor_id = $2 AND status = 'active' AND drive_id IN \
           (SELECT id FROM drives WHERE starts_at > $1 AND starts_at >= $3 \
            AND starts_at < $4 AND id <> $5) \
         RETURNING drive_id",
    )
    .bind(now)
    .bind(n.donor)
    .bind(day_start)
    .bind(n.release_until)
    .bind(drive.unwrap_or(-1))
    .fetch_all(&mut *conn)
    .await
    .context("releasing sign-ups")?;
    for d in &released {
        drop_jobs(conn, Some(*d), Some(n.donor), now).await?;
    }
    Ok(released)
}

impl Tx {
    /// A fresh check-in code for a donor, replacing the previous one.
    pub async fn set_checkin(
        &mut self,
        donor: i64,
        code: &str,
        expires_at: i64,
    ) -> anyhow::Result<bool> {
        // The donor's previous code goes; a new code that another donor holds is refused
        // (the caller draws another).
        sqlx::query("DELETE FROM checkins WHERE donor_id = $1")
            .bind(donor)
            .execute(&mut *self.tx)
            .await?;
        let r = sqlx::query(
            "INSERT INTO checkins (code, donor_id, expires_at) VALUES ($1, $2, $3) \
             ON CONFLICT DO NOTHING",
        )
        .bind(code)
        .bind(donor)
        .bind(expires_at)
        .execute(&mut *self.tx)
        .await;
        match r {
            Ok(r) => Ok(r.rows_affected() > 0),
            // The code is another donor's: the caller draws again.
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// The donor a check-in code names, while it is valid.
    pub async fn checkin_donor(&mut self, code: &str, now: i64) -> anyhow::Result<Option<i64>> {
        Ok(
            sqlx::query_scalar("SELECT donor_id FROM checkins WHERE code = $1 AND expires_at > $2")
                .bind(code)
                .bind(now)
                .fetch_optional(&mut *self.tx)
                .await?,
        )
    }

    /// Record one donation (`None` if it is already on record): see [`record_donation`].
    pub async fn record_donation(
        &mut self,
        donation: &NewDonation,
        now: i64,
    ) -> anyhow::Result<Option<Recorded>> {
        record_donation(&mut self.tx, donation, now).await
    }

    /// Donations on record for a donor: (verified, all).
    pub async fn donation_count(&mut self, donor: i64) -> anyhow::Result<(i64, i64)> {
        donation_count(&mut self.tx, donor).await
    }

    /// A donor's donations on record, newest first (at most `limit`).
    pub async fn donations_of(
        &mut self,
        donor: i64,
        limit: i64,
    ) -> anyhow::Result<Vec<DonationRow>> {
        let rows = sqlx::query(
            "SELECT id, donated_on, kind, verified, source FROM donations WHERE donor_id = $1 \
             ORDER BY donated_on DESC, id DESC LIMIT $2",
        )
        .bind(donor)
        .bind(limit)
        .fetch_all(&mut *self.tx)
        .await
        .context("reading a donor's donations")?;
        rows.iter()
            .map(|r| {
                Ok(DonationRow {
                    id: r.try_get("id")?,
                    date: parse_date(r.try_get("donated_on")?).context("a donation date")?,
                    kind: DonationKind::from_code(&r.try_get::<String, _>("kind")?)
                        .context("a donation kind")?,
                    verified: super::flag(r, "verified")?,
                    source: r.try_get("source")?,
                })
            })
            .collect()
    }

    /// Remove a donation recorded by mistake: its thank-you if not yet sent, and the donor's
    /// last donation put back to the newest of what it was before and the donations left.
    /// The donor it belonged to, or `None` if there is no such donation.
    pub async fn remove_donation(&mut self, id: i64, now: i64) -> anyhow::Result<Option<i64>> {
        self.lock_for_write().await?;
        let Some(r) = sqlx::query(
            "SELECT donor_id, drive_id, prev_last_kind, prev_last_date, prev_last_forgotten \
             FROM donations WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *self.tx)
        .await?
        else {
            return Ok(None);
        };
        let donor: Option<i64> = r.try_get("donor_id")?;
        let drive: Option<i64> = r.try_get("drive_id")?;
        let prev_kind: Option<String> = r.try_get("prev_last_kind")?;
        let prev_date: Option<String> = r.try_get("prev_last_date")?;
        let prev_forgotten = super::flag(&r, "prev_last_forgotten")?;
        sqlx::query("DELETE FROM donations WHERE id = $1")
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
        sqlx::query("UPDATE jobs SET done_at = $2, outcome = 'withdrawn' WHERE key = $1 AND done_at IS NULL")
            .bind(JobKey::Thanks { donation: id }.to_string())
            .bind(now)
            .execute(&mut *self.tx)
            .await?;
        let Some(donor) = donor else {
            return Ok(None);
        };
        // What the donation decided goes back: the sign-up it attended is active again (a
        // sign-up it released stays released: the donor was told and may sign up again),
        // and the donor's other donations are repeat donations or not without it.
        sqlx::query(
            "UPDATE signups SET status = 'active', updated_at = $1 \
             WHERE drive_id = $2 AND donor_id = $3 AND status = 'attended'",
        )
        .bind(now)
        .bind(drive)
        .bind(donor)
        .execute(&mut *self.tx)
        .await?;
        sqlx::query(&format!("{REFRESH_REPEAT} donor_id = $1"))
            .bind(donor)
            .execute(&mut *self.tx)
            .await
            .context("deciding repeat donations")?;
        let newest: Option<(String, String)> = sqlx::query_as(
            "SELECT kind, donated_on FROM donations WHERE donor_id = $1 \
             ORDER BY donated_on DESC, id DESC LIMIT 1",
        )
        .bind(donor)
        .fetch_optional(&mut *self.tx)
        .await?;
        let (kind, date, forgotten) = match (newest, prev_date) {
            (Some((k, d)), Some(p)) if d >= p => (Some(k), Some(d), false),
            (Some((k, d)), None) => (Some(k), Some(d), false),
            (_, p) => (prev_kind, p, prev_forgotten),
        };
        sqlx::query(
            "UPDATE donors SET last_donation_kind = $1, last_donation_date = $2, \
             last_donation_forgotten = $3 WHERE id = $4",
        )
        .bind(kind)
        .bind(date)
        .bind(forgotten)
        .bind(donor)
        .execute(&mut *self.tx)
        .await
        .context("putting back a donor's last donation")?;
        Ok(Some(donor))
    }

    /// Whether a donation is a repeat donation (as decided when it was recorded).
    pub async fn donation_is_repeat(&mut self, id: i64) -> anyhow::Result<bool> {
        let row = sqlx::query("SELECT repeat_donor FROM donations WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await?;
        row.map_or(Ok(false), |r| super::flag(&r, "repeat_donor"))
    }

    /// A donation's donor, date and kind.
    pub async fn donation(
        &mut self,
        id: i64,
    ) -> anyhow::Result<Option<(Option<i64>, NaiveDate, DonationKind)>> {
        let Some(r) = sqlx::query("SELECT donor_id, donated_on, kind FROM donations WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await?
        else {
            return Ok(None);
        };
        let date = parse_date(r.try_get("donated_on")?).context("a donation date")?;
        let kind =
            DonationKind::from_code(&r.try_get::<String, _>("kind")?).context("a donation kind")?;
        Ok(Some((r.try_get("donor_id")?, date, kind)))
    }

    /// Registered, not paused donors whose interval ends on one of `days` (per kind: the
    /// last-donation date that makes it so), with where to write to them.
    pub async fn eligible_again(
        &mut self,
        by_kind: &[(DonationKind, NaiveDate)],
    ) -> anyhow::Result<Vec<(i64, Option<String>, Recipient)>> {
        let mut out = Vec::new();
        for (kind, last) in by_kind {
            let rows = sqlx::query(&format!(
                "SELECT d.id AS donor_id, d.province, i.id AS identity_id, i.channel, i.chat_id, \
                 i.lang FROM donors d {BEST_IDENTITY} WHERE d.last_donation_date = $1 \
                 AND d.last_donation_kind = $2 AND d.registered_at IS NOT NULL \
                 AND NOT d.paused AND NOT d.supporter"
            ))
            .bind(date_text(*last))
            .bind(kind.code())
            .fetch_all(&mut *self.tx)
            .await
            .context("reading donors eligible again")?;
            for r in &rows {
                out.push((
                    r.try_get("donor_id")?,
                    r.try_get("province")?,
                    recipient_from_row(r)?,
                ));
            }
        }
        Ok(out)
    }

    /// Registered, not paused donors with at least one donation (recorded or declared), for
    /// the 14/6 thank-you.
    pub async fn honours_audience(&mut self) -> anyhow::Result<Vec<(i64, Recipient)>> {
        let rows = sqlx::query(&format!(
            "SELECT d.id AS donor_id, i.id AS identity_id, i.channel, i.chat_id, i.lang \
             FROM donors d {BEST_IDENTITY} WHERE d.registered_at IS NOT NULL AND NOT d.paused \
             AND (d.last_donation_kind IN ('whole_blood', 'platelets', 'plasma') \
               OR EXISTS (SELECT 1 FROM donations n WHERE n.donor_id = d.id))"
        ))
        .fetch_all(&mut *self.tx)
        .await
        .context("reading donors to thank")?;
        rows.iter()
            .map(|r| Ok((r.try_get("donor_id")?, recipient_from_row(r)?)))
            .collect()
    }
}

pub use crate::domain::donation::DonationImport;

/// A line of a donations file with what it names found in the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResolvedLine {
    pub donor: i64,
    pub unit: Option<i64>,
    /// The drive the line names, with when it starts (unix ms), to check its day.
    pub drive: Option<(i64, i64)>,
}

impl Store {
    /// Donations on record, and how many of them no longer name anyone (erased donors).
    pub async fn donation_counts(&self) -> anyhow::Result<(i64, i64)> {
        let row = sqlx::query("SELECT COUNT(*), COUNT(*) - COUNT(donor_id) FROM donations")
            .fetch_one(&self.pool)
            .await?;
        Ok((row.try_get(0)?, row.try_get(1)?))
    }
}

impl Tx {
    /// The donor, unit and drive each line of a donations file names: every phone must
    /// belong to exactly one donor, every unit be one of the plan's, every drive exist;
    /// otherwise each bad line is named and nothing is resolved.
    pub async fn resolve_donation_lines(
        &mut self,
        lines: &[DonationLine],
    ) -> anyhow::Result<Result<Vec<ResolvedLine>, Vec<FileError>>> {
        let tx = &mut *self.tx;
        let mut owners: HashMap<String, Vec<i64>> = HashMap::new();
        let mut phones: Vec<String> = lines
            .iter()
            .map(|l| l.phone.as_e164().to_string())
            .collect();
        phones.sort_unstable();
        phones.dedup();
        for chunk in phones.chunks(CHUNK) {
            let mut q = Q::new(
                Backend::of(tx),
                "SELECT id, phone FROM donors WHERE phone IN ",
            );
            push_list(&mut q, chunk);
            for row in q
                .build()
                .fetch_all(&mut *tx)
                .await
                .context("finding donors by phone")?
            {
                owners
                    .entry(row.try_get("phone")?)
                    .or_default()
                    .push(row.try_get("id")?);
            }
        }
        let mut codes: Vec<&str> = lines.iter().filter_map(|l| l.unit.as_deref()).collect();
        codes.sort_unstable();
        codes.dedup();
        let mut unit_ids: HashMap<String, i64> = HashMap::new();
        for chunk in codes.chunks(CHUNK) {
            let mut q = Q::new(Backend::of(tx), "SELECT id, code FROM units WHERE code IN ");
            push_list(&mut q, chunk);
            for row in q.build().fetch_all(&mut *tx).await? {
                unit_ids.insert(row.try_get("code")?, row.try_get("id")?);
            }
        }
        let mut drive_ids: Vec<i64> = lines.iter().filter_map(|l| l.drive).collect();
        drive_ids.sort_unstable();
        drive_ids.dedup();
        let mut drives: HashMap<i64, i64> = HashMap::new();
        for chunk in drive_ids.chunks(CHUNK) {
            let mut q = Q::new(
                Backend::of(tx),
                "SELECT id, starts_at FROM drives WHERE cancelled_at IS NULL AND id IN ",
            );
            push_list(&mut q, chunk);
            for row in q.build().fetch_all(&mut *tx).await? {
                drives.insert(row.try_get("id")?, row.try_get("starts_at")?);
            }
        }
        let mut errors = Vec::new();
        let mut out = Vec::with_capacity(lines.len());
        for l in lines {
            let mut problems = Vec::new();
            let donor = match owners.get(l.phone.as_e164()).map(Vec::as_slice) {
                Some([id]) => Some(*id),
                Some(ids) if ids.len() > 1 => {
                    problems.push(format!(
                        "{} donors share the phone {}",
                        ids.len(),
                        l.phone.masked()
                    ));
                    None
                }
                _ => {
                    problems.push(format!(
                        "no registered donor has the phone {}",
                        l.phone.masked()
                    ));
                    None
                }
            };
            let unit = match &l.unit {
                None => None,
                Some(code) => match unit_ids.get(code) {
                    Some(id) => Some(*id),
                    None => {
                        problems.push(format!(
                            "unit {code:?} is not in the plan (hienmau plan load adds units)"
                        ));
                        None
                    }
                },
            };
            let drive = match l.drive {
                None => None,
                Some(id) => match drives.get(&id) {
                    Some(starts) => Some((id, *starts)),
                    None => {
                        problems.push(format!("drive {id} does not exist or was cancelled"));
                        None
                    }
                },
            };
            match donor {
                Some(donor) if problems.is_empty() => out.push(ResolvedLine { donor, unit, drive }),
                _ => errors.push(FileError {
                    line: l.line,
                    message: problems.join("; "),
                }),
            }
        }
        Ok(if errors.is_empty() {
            Ok(out)
        } else {
            Err(errors)
        })
    }

    /// The donations on record of these donors (day and kind), to check a file against.
    pub async fn donation_history(
        &mut self,
        donors: &[i64],
    ) -> anyhow::Result<HashMap<i64, Vec<(NaiveDate, DonationKind)>>> {
        let mut ids = donors.to_vec();
        ids.sort_unstable();
        ids.dedup();
        let mut out: HashMap<i64, Vec<(NaiveDate, DonationKind)>> = HashMap::new();
        for chunk in ids.chunks(CHUNK) {
            let mut q = Q::new(
                self.backend(),
                "SELECT donor_id, donated_on, kind FROM donations WHERE donor_id IN ",
            );
            push_list(&mut q, chunk);
            for row in q
                .build()
                .fetch_all(&mut *self.tx)
                .await
                .context("reading donors' donations")?
            {
                let date = parse_date(row.try_get("donated_on")?).context("a donation date")?;
                let kind = DonationKind::from_code(&row.try_get::<String, _>("kind")?)
                    .context("a donation kind")?;
                out.entry(row.try_get("donor_id")?)
                    .or_default()
                    .push((date, kind));
            }
        }
        Ok(out)
    }
}
