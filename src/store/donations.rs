//! Donations: check-in codes, a donation recorded (the donor's last donation and counts
//! follow, a thank-you job is added), removed, listed; who may give again; the 14/6 audience.

use super::JobKey;
use super::club::{BEST_IDENTITY, Recipient};
use super::drive::{lock_for_write, recipient_from_row};
use super::jobs::add_jobs;
use super::*;
use crate::domain::campaign::FileError;
use crate::domain::donation::DonationLine;
use crate::domain::eligibility::DonationKind;
use anyhow::Context;
use chrono::NaiveDate;
use sqlx::{AnyConnection, Row};
use std::collections::{HashMap, HashSet};

/// A donation recorded now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recorded {
    pub donation_id: i64,
    pub repeat: bool,
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

#[allow(clippy::too_many_arguments)]
pub(super) async fn record_donation(
    conn: &mut AnyConnection,
    donor: i64,
    date: NaiveDate,
    kind: DonationKind,
    verified: bool,
    source: &str,
    drive: Option<i64>,
    by: Option<i64>,
    now: i64,
    thank: bool,
) -> anyhow::Result<Option<Recorded>> {
    // A repeat donor: gave before this one, by the record or by their own account.
    let repeat = super::flag(
        &sqlx::query(
            "SELECT EXISTS (SELECT 1 FROM donations WHERE donor_id = $1 AND donated_on < $2) \
             OR EXISTS (SELECT 1 FROM donors WHERE id = $1 AND last_donation_date < $2)",
        )
        .bind(donor)
        .bind(date_text(date))
        .fetch_one(&mut *conn)
        .await?,
        0,
    )?;
    // What the donor's last donation was before this one: put back if it is removed.
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO donations (donor_id, donated_on, kind, verified, source, created_at, \
         drive_id, recorded_by, repeat_donor, prev_last_kind, prev_last_date, \
         prev_last_forgotten, unit_id) SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, \
         d.last_donation_kind, d.last_donation_date, d.last_donation_forgotten, \
         COALESCE((SELECT unit_id FROM drives WHERE id = $7), d.unit_id) \
         FROM donors d WHERE d.id = $1 \
         ON CONFLICT (donor_id, donated_on, kind) DO UPDATE SET \
           verified = (donations.verified OR excluded.verified), \
           drive_id = COALESCE(donations.drive_id, excluded.drive_id), \
           unit_id = COALESCE(donations.unit_id, excluded.unit_id) \
         WHERE donations.verified < excluded.verified \
         RETURNING id",
    )
    .bind(donor)
    .bind(date_text(date))
    .bind(kind.code())
    .bind(verified)
    .bind(source)
    .bind(now)
    .bind(drive)
    .bind(by)
    .bind(repeat)
    .fetch_optional(&mut *conn)
    .await
    .context("recording a donation")?;
    let Some(id) = id else {
        return Ok(None);
    };
    sqlx::query(
        "UPDATE donors SET last_donation_kind = $1, last_donation_date = $2, \
         last_donation_forgotten = FALSE \
         WHERE id = $3 AND (last_donation_date IS NULL OR last_donation_date <= $2)",
    )
    .bind(kind.code())
    .bind(date_text(date))
    .bind(donor)
    .execute(&mut *conn)
    .await
    .context("moving a donor's last donation")?;
    let today = chrono::DateTime::from_timestamp_millis(now)
        .unwrap_or_default()
        .date_naive();
    // Self-reported donations are thanked in the reply; a recorded one by the scheduler.
    if thank && verified && (today - date).num_days() <= THANKS_WITHIN_DAYS {
        add_jobs(
            conn,
            &[NewJob {
                key: JobKey::Thanks { donation: id },
                kind: JobKind::Thanks,
                due_at: now,
                donor_id: Some(donor),
                drive_id: drive,
                ref_id: Some(id),
            }],
        )
        .await?;
    }
    Ok(Some(Recorded {
        donation_id: id,
        repeat,
    }))
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

    /// Record one donation (`None` if it is already on record), move the donor's last
    /// donation if it is newer, and queue the thank-you.
    #[allow(clippy::too_many_arguments)]
    pub async fn record_donation(
        &mut self,
        donor: i64,
        date: NaiveDate,
        kind: DonationKind,
        verified: bool,
        source: &str,
        drive: Option<i64>,
        by: Option<i64>,
        now: i64,
    ) -> anyhow::Result<Option<Recorded>> {
        record_donation(
            &mut self.tx,
            donor,
            date,
            kind,
            verified,
            source,
            drive,
            by,
            now,
            true,
        )
        .await
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
        lock_for_write(&mut self.tx).await?;
        let Some(r) = sqlx::query(
            "SELECT donor_id, prev_last_kind, prev_last_date, prev_last_forgotten \
             FROM donations WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *self.tx)
        .await?
        else {
            return Ok(None);
        };
        let donor: Option<i64> = r.try_get("donor_id")?;
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

impl Store {
    /// Record imported donations: every phone must belong to exactly one donor, or nothing is
    /// stored and each bad line is named. Each donor's last donation moves to the newest one
    /// (which sets their next eligible date). A donation already recorded is not counted twice.
    pub async fn import_donations(
        &self,
        lines: &[DonationLine],
        now: i64,
    ) -> anyhow::Result<Result<DonationImport, Vec<FileError>>> {
        let mut tx = self.pool.begin().await?;
        drive::lock_for_write(&mut tx).await?;
        let done = import_donations(&mut tx, lines, now).await?;
        if done.is_ok() {
            tx.commit().await.context("committing the donations")?;
        }
        Ok(done)
    }

    /// Donations on record, and how many of them no longer name anyone (erased donors).
    pub async fn donation_counts(&self) -> anyhow::Result<(i64, i64)> {
        let row = sqlx::query("SELECT COUNT(*), COUNT(*) - COUNT(donor_id) FROM donations")
            .fetch_one(&self.pool)
            .await?;
        Ok((row.try_get(0)?, row.try_get(1)?))
    }
}

impl Tx {
    /// [`Store::import_donations`] within this transaction (which holds the write lock).
    pub async fn import_donations(
        &mut self,
        lines: &[DonationLine],
        now: i64,
    ) -> anyhow::Result<Result<DonationImport, Vec<FileError>>> {
        import_donations(&mut self.tx, lines, now).await
    }
}

/// [`Store::import_donations`] in a transaction already open (and holding the write lock):
/// every line checked first, nothing written unless all are right.
async fn import_donations(
    tx: &mut AnyConnection,
    lines: &[DonationLine],
    now: i64,
) -> anyhow::Result<Result<DonationImport, Vec<FileError>>> {
    let mut owners: HashMap<String, Vec<i64>> = HashMap::new();
    let phones: Vec<String> = lines
        .iter()
        .map(|l| l.phone.as_e164().to_string())
        .collect();
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
    let mut errors = Vec::new();
    let mut resolved = Vec::new();
    for l in lines {
        match owners.get(l.phone.as_e164()).map(Vec::as_slice) {
            Some([id]) => resolved.push((*id, l)),
            Some(ids) if ids.len() > 1 => errors.push(FileError {
                line: l.line,
                message: format!("{} donors share the phone {}", ids.len(), l.phone.masked()),
            }),
            _ => errors.push(FileError {
                line: l.line,
                message: format!("no registered donor has the phone {}", l.phone.masked()),
            }),
        }
    }
    // Every unit named must be one of the plan's.
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
    for l in lines {
        if let Some(code) = &l.unit {
            if !unit_ids.contains_key(code) {
                errors.push(FileError {
                    line: l.line,
                    message: format!(
                        "unit {code:?} is not in the plan (hienmau plan load adds units)"
                    ),
                });
            }
        }
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.line);
        return Ok(Err(errors));
    }
    let mut added = 0;
    let mut donors = HashSet::new();
    // Oldest first, so each donation knows whether the donor had given before it.
    resolved.sort_by_key(|(_, l)| l.date);
    for (donor, l) in &resolved {
        let recorded = record_donation(
            &mut *tx, *donor, l.date, l.kind, true, "import", None, None, now, true,
        )
        .await?;
        if let Some(r) = &recorded {
            if l.volume_ml.is_some() || l.unit.is_some() {
                sqlx::query(
                    "UPDATE donations SET volume_ml = COALESCE($1, volume_ml), \
                     unit_id = COALESCE($2, unit_id) WHERE id = $3",
                )
                .bind(l.volume_ml)
                .bind(l.unit.as_ref().and_then(|c| unit_ids.get(c)))
                .bind(r.donation_id)
                .execute(&mut *tx)
                .await
                .context("recording a donation's volume and unit")?;
            }
        }
        added += usize::from(recorded.is_some());
        donors.insert(*donor);
    }
    Ok(Ok(DonationImport {
        lines: lines.len(),
        added,
        donors: donors.len(),
    }))
}
