//! SQL for campaigns' drives, sign-ups, check-in codes, recorded donations, the scheduler's
//! jobs and the progress report. Functions that run inside a conversation step take the
//! step's [`Tx`]; the scheduler and the command line use the [`Store`].

use super::JobKey;
use super::club::{BEST_IDENTITY, Recipient};
use super::{CHUNK, Store, Tx, date_text, list, parse_date};
use crate::domain::campaign::Campaign;
use crate::domain::drive::{
    CampaignItem, CampaignReport, DriveInfo, DriveSpec, Figures, Report, SlotInfo,
};
use crate::domain::eligibility::DonationKind;
use crate::messages::Lang;
use anyhow::Context;
use chrono::NaiveDate;
use chrono_tz::Tz;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};
use std::collections::HashMap;

/// A job for the scheduler to add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewJob {
    pub key: JobKey,
    pub kind: JobKind,
    pub due_at: i64,
    pub donor_id: Option<i64>,
    pub drive_id: Option<i64>,
    pub ref_id: Option<i64>,
}

/// What a one-shot job does when it is due (`jobs.kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobKind {
    /// Remind a signed-up donor of a drive.
    Reminder,
    /// Thank a donor for a recorded donation.
    Thanks,
}

impl JobKind {
    pub fn code(self) -> &'static str {
        match self {
            JobKind::Reminder => "reminder",
            JobKind::Thanks => "thanks",
        }
    }

    pub fn from_code(code: &str) -> Option<JobKind> {
        [JobKind::Reminder, JobKind::Thanks]
            .into_iter()
            .find(|k| k.code() == code)
    }
}

/// What came of a job (`jobs.outcome`), besides being sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobOutcome {
    /// The donor has no account the bot can reach.
    Unreachable,
    /// The donor paused non-urgent messages.
    Paused,
    /// Too late: the drive started or was cancelled, the donation is gone.
    Expired,
    /// The sign-up was cancelled.
    Cancelled,
    /// A kind this version does not know.
    Unknown,
}

impl JobOutcome {
    pub fn code(self) -> &'static str {
        match self {
            JobOutcome::Unreachable => "unreachable",
            JobOutcome::Paused => "paused",
            JobOutcome::Expired => "expired",
            JobOutcome::Cancelled => "cancelled",
            JobOutcome::Unknown => "unknown",
        }
    }
}

/// A stored job that is due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub id: i64,
    pub key: String,
    /// `None`: a kind this version does not know (written by a newer one).
    pub kind: Option<JobKind>,
    pub due_at: i64,
    pub donor_id: Option<i64>,
    pub drive_id: Option<i64>,
    pub ref_id: Option<i64>,
}

/// What came of a sign-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignUp {
    Done {
        signup_id: i64,
    },
    Already,
    Full,
    SlotFull,
    /// The drive has started, ended, or was cancelled.
    Closed,
}

/// A donation recorded now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recorded {
    pub donation_id: i64,
    pub repeat: bool,
}

const DRIVE_COLUMNS: &str = "d.id, c.name AS campaign, d.place, d.province, d.commune, \
     d.starts_at, d.ends_at, d.capacity, d.target_units, d.cancelled_at, \
     (SELECT COUNT(*) FROM signups s WHERE s.drive_id = d.id AND s.status = 'active') AS taken, \
     (SELECT COUNT(*) FROM signups s WHERE s.drive_id = d.id AND s.status = 'active' \
        AND s.donor_id = $1) AS mine, \
     (SELECT s.slot_id FROM signups s WHERE s.drive_id = d.id AND s.status = 'active' \
        AND s.donor_id = $1) AS my_slot";

const DRIVE_FROM: &str = "FROM drives d LEFT JOIN campaigns c ON c.id = d.campaign_id";

fn drive_from_row(r: &SqliteRow) -> anyhow::Result<DriveInfo> {
    let mine: i64 = r.try_get("mine")?;
    Ok(DriveInfo {
        id: r.try_get("id")?,
        campaign: r.try_get("campaign")?,
        place: r.try_get("place")?,
        province: r.try_get("province")?,
        commune: r.try_get("commune")?,
        starts_at: r.try_get("starts_at")?,
        ends_at: r.try_get("ends_at")?,
        capacity: r.try_get("capacity")?,
        taken: r.try_get("taken")?,
        target_units: r.try_get("target_units")?,
        slots: Vec::new(),
        mine: (mine > 0).then(|| r.try_get("my_slot").ok().flatten()),
        cancelled: r.try_get::<Option<i64>, _>("cancelled_at")?.is_some(),
    })
}

/// Drives chosen by `filter` (SQL after WHERE, binds after `$1` = the donor), with slots.
async fn drives_where(
    conn: &mut SqliteConnection,
    donor: Option<i64>,
    filter: &str,
    binds: &[i64],
    province_first: Option<&str>,
    limit: i64,
) -> anyhow::Result<Vec<DriveInfo>> {
    let order = match province_first {
        Some(_) => format!("(d.province = ${}) DESC, d.starts_at", binds.len() + 2),
        None => "d.starts_at".into(),
    };
    let sql = format!(
        "SELECT {DRIVE_COLUMNS} {DRIVE_FROM} WHERE {filter} ORDER BY {order}, d.id LIMIT {limit}"
    );
    let mut q = sqlx::query(&sql).bind(donor);
    for b in binds {
        q = q.bind(b);
    }
    if let Some(p) = province_first {
        q = q.bind(p);
    }
    let rows = q.fetch_all(&mut *conn).await.context("reading drives")?;
    let mut drives: Vec<DriveInfo> = rows.iter().map(drive_from_row).collect::<Result<_, _>>()?;
    add_slots(conn, &mut drives).await?;
    Ok(drives)
}

async fn add_slots(conn: &mut SqliteConnection, drives: &mut [DriveInfo]) -> anyhow::Result<()> {
    let ids: Vec<i64> = drives.iter().map(|d| d.id).collect();
    for chunk in ids.chunks(CHUNK) {
        let sql = format!(
            "SELECT sl.id, sl.drive_id, sl.starts_at, sl.ends_at, sl.capacity, \
             (SELECT COUNT(*) FROM signups s WHERE s.slot_id = sl.id AND s.status = 'active') \
               AS taken \
             FROM drive_slots sl WHERE sl.drive_id IN ({}) ORDER BY sl.starts_at",
            list(chunk.len())
        );
        let mut q = sqlx::query(&sql);
        for id in chunk {
            q = q.bind(id);
        }
        for r in q.fetch_all(&mut *conn).await.context("reading slots")? {
            let drive: i64 = r.try_get("drive_id")?;
            if let Some(d) = drives.iter_mut().find(|d| d.id == drive) {
                d.slots.push(SlotInfo {
                    id: r.try_get("id")?,
                    starts_at: r.try_get("starts_at")?,
                    ends_at: r.try_get("ends_at")?,
                    capacity: r.try_get("capacity")?,
                    taken: r.try_get("taken")?,
                });
            }
        }
    }
    Ok(())
}

pub(super) fn recipient_from_row(r: &SqliteRow) -> anyhow::Result<Recipient> {
    Ok(Recipient {
        identity_id: r.try_get("identity_id")?,
        channel: r.try_get("channel")?,
        chat_id: r.try_get("chat_id")?,
        lang: Lang::from_code(&r.try_get::<String, _>("lang")?).unwrap_or(Lang::Vi),
    })
}

/// Write a drive (new, or the one `id` names) and its slots. Slots are written afresh; a
/// sign-up for a slot that is gone keeps its place in the drive.
async fn write_drive(
    conn: &mut SqliteConnection,
    id: Option<i64>,
    campaign: Option<i64>,
    spec: &DriveSpec,
    tz: Tz,
    by: Option<i64>,
    now: i64,
) -> anyhow::Result<i64> {
    let (starts_at, ends_at) = spec
        .window
        .on(spec.date, tz)
        .context("the drive's time does not exist in the time zone")?;
    let id: i64 = match id {
        None => sqlx::query_scalar(
            "INSERT INTO drives (campaign_id, place, province, commune, starts_at, ends_at, \
             capacity, target_units, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) \
             ON CONFLICT (place, starts_at) DO UPDATE SET campaign_id = excluded.campaign_id, \
             province = excluded.province, commune = excluded.commune, \
             ends_at = excluded.ends_at, capacity = excluded.capacity, \
             target_units = excluded.target_units, updated_at = excluded.updated_at \
             RETURNING id",
        )
        .bind(campaign)
        .bind(&spec.place)
        .bind(spec.province.code())
        .bind(&spec.commune)
        .bind(starts_at)
        .bind(ends_at)
        .bind(spec.capacity)
        .bind(spec.target_units)
        .bind(by)
        .bind(now)
        .fetch_one(&mut *conn)
        .await
        .context("storing a drive")?,
        Some(id) => {
            sqlx::query(
                "UPDATE drives SET campaign_id = $1, place = $2, province = $3, commune = $4, \
                 starts_at = $5, ends_at = $6, capacity = $7, target_units = $8, \
                 updated_at = $9 WHERE id = $10",
            )
            .bind(campaign)
            .bind(&spec.place)
            .bind(spec.province.code())
            .bind(&spec.commune)
            .bind(starts_at)
            .bind(ends_at)
            .bind(spec.capacity)
            .bind(spec.target_units)
            .bind(now)
            .bind(id)
            .execute(&mut *conn)
            .await
            .context("updating a drive")?;
            id
        }
    };
    let mut keep = Vec::new();
    for w in &spec.slots {
        let (s, e) = w
            .on(spec.date, tz)
            .context("a slot's time does not exist in the time zone")?;
        let slot: i64 = sqlx::query_scalar(
            "INSERT INTO drive_slots (drive_id, starts_at, ends_at, capacity) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (drive_id, starts_at) DO UPDATE SET \
             ends_at = excluded.ends_at, capacity = excluded.capacity RETURNING id",
        )
        .bind(id)
        .bind(s)
        .bind(e)
        .bind(spec.slot_capacity())
        .fetch_one(&mut *conn)
        .await
        .context("storing a slot")?;
        keep.push(slot);
    }
    let sql = format!(
        "DELETE FROM drive_slots WHERE drive_id = ? AND id NOT IN ({})",
        if keep.is_empty() {
            "NULL".to_string()
        } else {
            list(keep.len())
        }
    );
    let mut q = sqlx::query(&sql).bind(id);
    for k in &keep {
        q = q.bind(k);
    }
    q.execute(&mut *conn).await.context("removing old slots")?;
    Ok(id)
}

impl Tx {
    /// Drives a donor may sign up for: their own active sign-ups first, then drives starting
    /// from `from` (not before the donor may give again), their province first.
    pub async fn drives_for(
        &mut self,
        donor: Option<i64>,
        province: Option<&str>,
        now: i64,
        from: i64,
        limit: i64,
    ) -> anyhow::Result<Vec<DriveInfo>> {
        let mut mine = drives_where(
            &mut self.tx,
            donor,
            "d.cancelled_at IS NULL AND d.ends_at > $2 AND d.id IN \
             (SELECT drive_id FROM signups WHERE donor_id = $1 AND status = 'active')",
            &[now],
            None,
            limit,
        )
        .await?;
        let others = drives_where(
            &mut self.tx,
            donor,
            "d.cancelled_at IS NULL AND d.starts_at > $2 AND d.starts_at >= $3",
            &[now, from],
            province,
            limit,
        )
        .await?;
        for d in others {
            if mine.len() as i64 >= limit {
                break;
            }
            if !mine.iter().any(|m| m.id == d.id) {
                mine.push(d);
            }
        }
        Ok(mine)
    }

    /// Every drive still to come (for coordinators), soonest first.
    pub async fn upcoming_drives(
        &mut self,
        now: i64,
        limit: i64,
    ) -> anyhow::Result<Vec<DriveInfo>> {
        drives_where(
            &mut self.tx,
            None,
            "d.cancelled_at IS NULL AND d.ends_at > $2",
            &[now],
            None,
            limit,
        )
        .await
    }

    /// Drives under way or held between `from` and `to` (a recording coordinator's choice).
    pub async fn drives_between(&mut self, from: i64, to: i64) -> anyhow::Result<Vec<DriveInfo>> {
        drives_where(
            &mut self.tx,
            None,
            "d.cancelled_at IS NULL AND d.ends_at > $2 AND d.starts_at < $3",
            &[from, to],
            None,
            20,
        )
        .await
    }

    pub async fn drive(
        &mut self,
        id: i64,
        donor: Option<i64>,
    ) -> anyhow::Result<Option<DriveInfo>> {
        Ok(
            drives_where(&mut self.tx, donor, "d.id = $2", &[id], None, 1)
                .await?
                .pop(),
        )
    }

    /// The drive as a spec to edit, with its campaign.
    pub async fn drive_spec(
        &mut self,
        id: i64,
        tz: Tz,
    ) -> anyhow::Result<Option<(Option<i64>, DriveSpec)>> {
        let Some(row) = sqlx::query(
            "SELECT campaign_id, place, province, commune, starts_at, ends_at, capacity, \
             target_units FROM drives WHERE id = $1 AND cancelled_at IS NULL",
        )
        .bind(id)
        .fetch_optional(&mut *self.tx)
        .await?
        else {
            return Ok(None);
        };
        let Some(province) =
            crate::domain::province::Province::from_code(&row.try_get::<String, _>("province")?)
        else {
            return Ok(None);
        };
        let (date, window) = crate::domain::drive::local_window(
            row.try_get("starts_at")?,
            row.try_get("ends_at")?,
            tz,
        );
        let slots: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT starts_at, ends_at FROM drive_slots WHERE drive_id = $1 ORDER BY starts_at",
        )
        .bind(id)
        .fetch_all(&mut *self.tx)
        .await?;
        Ok(Some((
            row.try_get("campaign_id")?,
            DriveSpec {
                place: row.try_get("place")?,
                province,
                commune: row.try_get("commune")?,
                date,
                window,
                capacity: row.try_get("capacity")?,
                target_units: row.try_get("target_units")?,
                slots: slots
                    .into_iter()
                    .map(|(s, e)| crate::domain::drive::local_window(s, e, tz).1)
                    .collect(),
            },
        )))
    }

    /// Sign a donor up, if the drive (and slot) has room. Counted in this transaction, which
    /// holds the write lock: two people can never take the last place together.
    pub async fn sign_up(
        &mut self,
        drive: i64,
        slot: Option<i64>,
        donor: i64,
        now: i64,
    ) -> anyhow::Result<SignUp> {
        let Some(d) = self.drive(drive, Some(donor)).await? else {
            return Ok(SignUp::Closed);
        };
        if d.cancelled || d.starts_at <= now {
            return Ok(SignUp::Closed);
        }
        if d.mine == Some(slot) || (d.mine.is_some() && slot.is_none()) {
            return Ok(SignUp::Already);
        }
        let moving = d.mine.is_some();
        if !moving && d.taken >= d.capacity {
            return Ok(SignUp::Full);
        }
        if let Some(slot) = slot {
            match d.slots.iter().find(|s| s.id == slot) {
                Some(s) if !s.full() => {}
                Some(_) => return Ok(SignUp::SlotFull),
                None => return Ok(SignUp::Closed),
            }
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO signups (drive_id, slot_id, donor_id, status, created_at, updated_at) \
             VALUES ($1, $2, $3, 'active', $4, $4) ON CONFLICT (drive_id, donor_id) DO UPDATE \
             SET status = 'active', slot_id = excluded.slot_id, updated_at = excluded.updated_at \
             RETURNING id",
        )
        .bind(drive)
        .bind(slot)
        .bind(donor)
        .bind(now)
        .fetch_one(&mut *self.tx)
        .await
        .context("signing up")?;
        // A campaign's drive: the donor is one of the people it reached.
        sqlx::query(
            "INSERT INTO campaign_reach (campaign_id, donor_id, at) \
             SELECT campaign_id, $1, $2 FROM drives WHERE id = $3 AND campaign_id IS NOT NULL \
             ON CONFLICT DO NOTHING",
        )
        .bind(donor)
        .bind(now)
        .bind(drive)
        .execute(&mut *self.tx)
        .await?;
        Ok(SignUp::Done { signup_id: id })
    }

    /// Cancel a donor's sign-up and the reminders still waiting for it.
    pub async fn cancel_sign_up(
        &mut self,
        drive: i64,
        donor: i64,
        now: i64,
    ) -> anyhow::Result<bool> {
        let r = sqlx::query(
            "UPDATE signups SET status = 'cancelled', updated_at = $1 \
             WHERE drive_id = $2 AND donor_id = $3 AND status = 'active'",
        )
        .bind(now)
        .bind(drive)
        .bind(donor)
        .execute(&mut *self.tx)
        .await?;
        self.drop_jobs(Some(drive), Some(donor), now).await?;
        Ok(r.rows_affected() > 0)
    }

    /// Pending jobs of a drive (and donor) will not run.
    pub async fn drop_jobs(
        &mut self,
        drive: Option<i64>,
        donor: Option<i64>,
        now: i64,
    ) -> anyhow::Result<u64> {
        let r = sqlx::query(
            "UPDATE jobs SET done_at = $1, outcome = 'cancelled' WHERE done_at IS NULL \
             AND ($2 IS NULL OR drive_id = $2) AND ($3 IS NULL OR donor_id = $3)",
        )
        .bind(now)
        .bind(drive)
        .bind(donor)
        .execute(&mut *self.tx)
        .await?;
        Ok(r.rows_affected())
    }

    /// Add jobs; one already there under the same key stays as it is.
    pub async fn add_jobs(&mut self, jobs: &[NewJob]) -> anyhow::Result<u64> {
        add_jobs(&mut self.tx, jobs).await
    }

    /// Active sign-ups of a drive: (sign-up, donor).
    pub async fn signups_of(&mut self, drive: i64) -> anyhow::Result<Vec<(i64, i64)>> {
        Ok(sqlx::query_as(
            "SELECT id, donor_id FROM signups WHERE drive_id = $1 AND status = 'active' \
             AND donor_id IS NOT NULL ORDER BY id",
        )
        .bind(drive)
        .fetch_all(&mut *self.tx)
        .await?)
    }

    /// Donors with an active sign-up for one of these slots of a drive.
    pub async fn donors_in_slots(&mut self, drive: i64, slots: &[i64]) -> anyhow::Result<Vec<i64>> {
        if slots.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = sqlx::QueryBuilder::new(
            "SELECT donor_id FROM signups WHERE status = 'active' AND donor_id IS NOT NULL \
             AND drive_id = ",
        );
        q.push_bind(drive).push(" AND slot_id IN (");
        let mut ids = q.separated(", ");
        for s in slots {
            ids.push_bind(*s);
        }
        q.push(") ORDER BY donor_id");
        Ok(q.build_query_scalar().fetch_all(&mut *self.tx).await?)
    }

    /// Where to write to each of these donors (their most recently used reachable account).
    pub async fn recipients(&mut self, donors: &[i64]) -> anyhow::Result<HashMap<i64, Recipient>> {
        recipients(&mut self.tx, donors).await
    }

    pub async fn save_drive(
        &mut self,
        id: Option<i64>,
        campaign: Option<i64>,
        spec: &DriveSpec,
        tz: Tz,
        by: i64,
        now: i64,
    ) -> anyhow::Result<i64> {
        write_drive(&mut self.tx, id, campaign, spec, tz, Some(by), now).await
    }

    /// Cancel a drive: its sign-ups' donors, to tell them.
    pub async fn cancel_drive(&mut self, id: i64, now: i64) -> anyhow::Result<Vec<i64>> {
        let donors: Vec<i64> = sqlx::query_scalar(
            "SELECT donor_id FROM signups WHERE drive_id = $1 AND status = 'active' \
             AND donor_id IS NOT NULL",
        )
        .bind(id)
        .fetch_all(&mut *self.tx)
        .await?;
        sqlx::query("UPDATE drives SET cancelled_at = $1 WHERE id = $2 AND cancelled_at IS NULL")
            .bind(now)
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
        self.drop_jobs(Some(id), None, now).await?;
        Ok(donors)
    }

    /// Campaigns not yet over (for a new drive), soonest first.
    pub async fn open_campaigns(&mut self, today: NaiveDate) -> anyhow::Result<Vec<CampaignItem>> {
        let rows = sqlx::query(
            "SELECT id, name, starts_on, ends_on FROM campaigns WHERE ends_on >= $1 \
             ORDER BY starts_on, name LIMIT 8",
        )
        .bind(date_text(today))
        .fetch_all(&mut *self.tx)
        .await?;
        rows.iter().map(campaign_item).collect()
    }

    /// A campaign created in chat; `None` if that year already has one of that name.
    pub async fn create_campaign(
        &mut self,
        c: &Campaign,
        by: i64,
        now: i64,
    ) -> anyhow::Result<Option<i64>> {
        use chrono::Datelike;
        Ok(sqlx::query_scalar(
            "INSERT INTO campaigns (year, name, starts_on, ends_on, target_units_min, \
             target_units_max, target_people, created_by, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (year, name) DO NOTHING \
             RETURNING id",
        )
        .bind(c.starts_on.year())
        .bind(&c.name)
        .bind(date_text(c.starts_on))
        .bind(date_text(c.ends_on))
        .bind(c.target_units_min)
        .bind(c.target_units_max)
        .bind(c.target_people)
        .bind(by)
        .bind(now)
        .fetch_optional(&mut *self.tx)
        .await?)
    }

    /// Change a campaign (its year follows its start); `false` if another campaign of that
    /// year has the name.
    pub async fn update_campaign(
        &mut self,
        id: i64,
        c: &Campaign,
        now: i64,
    ) -> anyhow::Result<bool> {
        use chrono::Datelike;
        let r = sqlx::query(
            "UPDATE OR IGNORE campaigns SET year = $1, name = $2, starts_on = $3, ends_on = $4, \
             target_units_min = $5, target_units_max = $6, target_people = $7, updated_at = $8 \
             WHERE id = $9",
        )
        .bind(c.starts_on.year())
        .bind(&c.name)
        .bind(date_text(c.starts_on))
        .bind(date_text(c.ends_on))
        .bind(c.target_units_min)
        .bind(c.target_units_max)
        .bind(c.target_people)
        .bind(now)
        .bind(id)
        .execute(&mut *self.tx)
        .await?;
        Ok(r.rows_affected() > 0)
    }

    /// One campaign, to edit.
    pub async fn campaign(&mut self, id: i64) -> anyhow::Result<Option<Campaign>> {
        let Some(r) = sqlx::query(
            "SELECT name, starts_on, ends_on, target_units_min, target_units_max, target_people, \
             organiser, partner, note FROM campaigns WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *self.tx)
        .await?
        else {
            return Ok(None);
        };
        Ok(Some(Campaign {
            name: r.try_get("name")?,
            starts_on: parse_date(r.try_get("starts_on")?).context("a campaign date")?,
            ends_on: parse_date(r.try_get("ends_on")?).context("a campaign date")?,
            target_units_min: r.try_get("target_units_min")?,
            target_units_max: r.try_get("target_units_max")?,
            target_people: r.try_get("target_people")?,
            organiser: r.try_get("organiser")?,
            partner: r.try_get("partner")?,
            note: r.try_get("note")?,
            drives: Vec::new(),
        }))
    }

    /// A fresh check-in code for a donor, replacing the previous one.
    pub async fn set_checkin(
        &mut self,
        donor: i64,
        code: &str,
        expires_at: i64,
    ) -> anyhow::Result<bool> {
        let r = sqlx::query(
            "INSERT INTO checkins (code, donor_id, expires_at) VALUES ($1, $2, $3) \
             ON CONFLICT (donor_id) DO UPDATE SET code = excluded.code, \
             expires_at = excluded.expires_at \
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

    pub async fn report(&mut self, year: i32, tz: Tz) -> anyhow::Result<Report> {
        report(&mut self.tx, year, tz).await
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
                    verified: r.try_get("verified")?,
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
        let prev_forgotten: bool = r.try_get("prev_last_forgotten")?;
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

fn campaign_item(r: &SqliteRow) -> anyhow::Result<CampaignItem> {
    Ok(CampaignItem {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        starts_on: parse_date(r.try_get("starts_on")?).context("a campaign date")?,
        ends_on: parse_date(r.try_get("ends_on")?).context("a campaign date")?,
    })
}

/// Take the database's write lock now: a transaction that reads before it writes could
/// otherwise find, at its first write, that another process wrote meanwhile (SQLite's
/// "database is locked" on a read transaction that tries to become a write one).
pub(super) async fn lock_for_write(conn: &mut SqliteConnection) -> anyhow::Result<()> {
    sqlx::query("UPDATE cron_runs SET last_at = last_at WHERE 0")
        .execute(&mut *conn)
        .await
        .context("taking the write lock")?;
    Ok(())
}

async fn add_jobs(conn: &mut SqliteConnection, jobs: &[NewJob]) -> anyhow::Result<u64> {
    let mut added = 0;
    for chunk in jobs.chunks(CHUNK) {
        let sql = format!(
            "INSERT INTO jobs (key, kind, due_at, donor_id, drive_id, ref_id) VALUES {} \
             ON CONFLICT (key) DO NOTHING",
            super::placeholders(chunk.len(), 6)
        );
        let mut q = sqlx::query(&sql);
        for j in chunk {
            q = q
                .bind(j.key.to_string())
                .bind(j.kind.code())
                .bind(j.due_at)
                .bind(j.donor_id)
                .bind(j.drive_id)
                .bind(j.ref_id);
        }
        added += q
            .execute(&mut *conn)
            .await
            .context("adding jobs")?
            .rows_affected();
    }
    Ok(added)
}

async fn recipients(
    conn: &mut SqliteConnection,
    donors: &[i64],
) -> anyhow::Result<HashMap<i64, Recipient>> {
    let mut out = HashMap::new();
    for chunk in donors.chunks(CHUNK) {
        let sql = format!(
            "SELECT d.id AS donor_id, i.id AS identity_id, i.channel, i.chat_id, i.lang \
             FROM donors d {BEST_IDENTITY} WHERE d.id IN ({})",
            list(chunk.len())
        );
        let mut q = sqlx::query(&sql);
        for id in chunk {
            q = q.bind(id);
        }
        for r in q
            .fetch_all(&mut *conn)
            .await
            .context("reading recipients")?
        {
            out.insert(r.try_get("donor_id")?, recipient_from_row(&r)?);
        }
    }
    Ok(out)
}

async fn donation_count(conn: &mut SqliteConnection, donor: i64) -> anyhow::Result<(i64, i64)> {
    let r = sqlx::query(
        "SELECT COALESCE(SUM(verified), 0) AS v, COUNT(*) AS n FROM donations WHERE donor_id = $1",
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
    conn: &mut SqliteConnection,
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
    let repeat: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM donations WHERE donor_id = $1 AND donated_on < $2) \
         OR EXISTS (SELECT 1 FROM donors WHERE id = $1 AND last_donation_date < $2)",
    )
    .bind(donor)
    .bind(date_text(date))
    .fetch_one(&mut *conn)
    .await?;
    // What the donor's last donation was before this one: put back if it is removed.
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO donations (donor_id, donated_on, kind, verified, source, created_at, \
         drive_id, recorded_by, repeat_donor, prev_last_kind, prev_last_date, \
         prev_last_forgotten) SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, \
         d.last_donation_kind, d.last_donation_date, d.last_donation_forgotten \
         FROM donors d WHERE d.id = $1 \
         ON CONFLICT (donor_id, donated_on, kind) DO UPDATE SET \
           verified = MAX(verified, excluded.verified), \
           drive_id = COALESCE(donations.drive_id, excluded.drive_id) \
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
         last_donation_forgotten = 0 \
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

async fn report(conn: &mut SqliteConnection, year: i32, tz: Tz) -> anyhow::Result<Report> {
    let rows = sqlx::query(
        "SELECT c.id, c.name, c.starts_on, c.ends_on, c.target_units_min, c.target_units_max, \
         c.target_people, \
         (SELECT COUNT(*) FROM signups s JOIN drives d ON d.id = s.drive_id \
            WHERE d.campaign_id = c.id AND s.status = 'active') AS signups, \
         (SELECT COUNT(*) FROM donations n JOIN drives d ON d.id = n.drive_id \
            WHERE d.campaign_id = c.id) AS donations, \
         (SELECT COALESCE(SUM(n.repeat_donor), 0) FROM donations n JOIN drives d \
            ON d.id = n.drive_id WHERE d.campaign_id = c.id) AS repeats, \
         (SELECT COUNT(*) FROM campaign_reach r WHERE r.campaign_id = c.id) AS reached \
         FROM campaigns c WHERE c.year = $1 ORDER BY c.starts_on, c.name",
    )
    .bind(year)
    .fetch_all(&mut *conn)
    .await
    .context("reading the report")?;
    let mut out = Report::default();
    for r in &rows {
        out.campaigns.push(CampaignReport {
            campaign: campaign_item(r)?,
            figures: Figures {
                signups: r.try_get("signups")?,
                donations: r.try_get("donations")?,
                repeat: r.try_get("repeats")?,
                reached: r.try_get("reached")?,
                target_units_min: r.try_get("target_units_min")?,
                target_units_max: r.try_get("target_units_max")?,
                target_people: r.try_get("target_people")?,
            },
            drives: Vec::new(),
        });
    }
    let ids: Vec<i64> = out.campaigns.iter().map(|c| c.campaign.id).collect();
    for chunk in ids.chunks(CHUNK) {
        let filter = format!("d.campaign_id IN ({})", list(chunk.len()));
        let sql = format!(
            "SELECT {DRIVE_COLUMNS}, d.campaign_id, \
             (SELECT COUNT(*) FROM donations n WHERE n.drive_id = d.id) AS donations, \
             (SELECT COALESCE(SUM(n.repeat_donor), 0) FROM donations n WHERE n.drive_id = d.id) \
               AS repeats \
             {DRIVE_FROM} WHERE {filter} ORDER BY d.starts_at"
        )
        .replace("$1", "NULL");
        let mut q = sqlx::query(&sql);
        for id in chunk {
            q = q.bind(id);
        }
        for r in q.fetch_all(&mut *conn).await.context("reading drives")? {
            let drive = drive_from_row(&r)?;
            let campaign: i64 = r.try_get("campaign_id")?;
            let figures = Figures {
                signups: drive.taken,
                donations: r.try_get("donations")?,
                repeat: r.try_get("repeats")?,
                target_units_min: drive.target_units,
                target_units_max: drive.target_units,
                ..Figures::default()
            };
            if let Some(c) = out.campaigns.iter_mut().find(|c| c.campaign.id == campaign) {
                c.drives.push((drive, figures));
            }
        }
    }
    let _ = tz;
    let other = sqlx::query(
        "SELECT COUNT(*) AS n, COALESCE(SUM(repeat_donor), 0) AS r FROM donations n \
         WHERE donated_on >= $1 AND donated_on <= $2 AND (drive_id IS NULL OR NOT EXISTS \
           (SELECT 1 FROM drives d WHERE d.id = n.drive_id AND d.campaign_id IS NOT NULL))",
    )
    .bind(format!("{year:04}-01-01"))
    .bind(format!("{year:04}-12-31"))
    .fetch_one(&mut *conn)
    .await?;
    out.other_donations = other.try_get("n")?;
    out.other_repeat = other.try_get("r")?;
    Ok(out)
}

impl Store {
    /// Write a year's campaigns and their drives in one transaction (all or nothing); a
    /// campaign already stored under the same year and name, or a drive at the same place and
    /// time, is updated. Returns the number of drives written.
    pub async fn import_calendar(
        &self,
        year: i32,
        campaigns: &[Campaign],
        tz: Tz,
        now: i64,
    ) -> anyhow::Result<usize> {
        let mut tx = self.pool.begin().await?;
        let mut drives = 0;
        for c in campaigns {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO campaigns (year, name, starts_on, ends_on, target_units_min, \
                 target_units_max, target_people, organiser, partner, note, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
                 ON CONFLICT (year, name) DO UPDATE SET starts_on = excluded.starts_on, \
                 ends_on = excluded.ends_on, target_units_min = excluded.target_units_min, \
                 target_units_max = excluded.target_units_max, \
                 target_people = excluded.target_people, organiser = excluded.organiser, \
                 partner = excluded.partner, note = excluded.note, \
                 updated_at = excluded.updated_at RETURNING id",
            )
            .bind(year)
            .bind(&c.name)
            .bind(date_text(c.starts_on))
            .bind(date_text(c.ends_on))
            .bind(c.target_units_min)
            .bind(c.target_units_max)
            .bind(c.target_people)
            .bind(&c.organiser)
            .bind(&c.partner)
            .bind(&c.note)
            .bind(now)
            .fetch_one(&mut *tx)
            .await
            .with_context(|| format!("storing campaign {:?}", c.name))?;
            for d in &c.drives {
                write_drive(&mut tx, None, Some(id), d, tz, None, now).await?;
                drives += 1;
            }
        }
        tx.commit().await.context("committing the campaigns")?;
        Ok(drives)
    }

    /// Jobs due at `now`, oldest first, at most `limit` (the partial index holds only the
    /// jobs not yet done, so this reads the due ones, not everything stored).
    pub async fn due_jobs(&self, now: i64, limit: i64) -> anyhow::Result<Vec<Job>> {
        let rows = sqlx::query(
            "SELECT id, key, kind, due_at, donor_id, drive_id, ref_id FROM jobs \
             WHERE done_at IS NULL AND due_at <= $1 ORDER BY due_at, id LIMIT $2",
        )
        .bind(now)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .context("reading due jobs")?;
        rows.iter()
            .map(|r| {
                Ok(Job {
                    id: r.try_get("id")?,
                    key: r.try_get("key")?,
                    kind: JobKind::from_code(&r.try_get::<String, _>("kind")?),
                    due_at: r.try_get("due_at")?,
                    donor_id: r.try_get("donor_id")?,
                    drive_id: r.try_get("drive_id")?,
                    ref_id: r.try_get("ref_id")?,
                })
            })
            .collect()
    }

    /// Add jobs outside a conversation (benchmarks, imports).
    pub async fn add_jobs(&self, jobs: &[NewJob]) -> anyhow::Result<u64> {
        let mut tx = self.pool.begin().await?;
        let n = add_jobs(&mut tx, jobs).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Jobs not yet done, and done by outcome (for `status` and tests).
    pub async fn job_counts(&self) -> anyhow::Result<Vec<(String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT COALESCE(outcome, 'pending'), COUNT(*) FROM jobs GROUP BY 1 ORDER BY 1",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn report(&self, year: i32, tz: Tz) -> anyhow::Result<Report> {
        let mut conn = self.pool.acquire().await?;
        report(&mut conn, year, tz).await
    }
}

/// Needed by the scheduler: the run of one batch of jobs in one transaction.
impl Tx {
    /// Take these jobs (those another process has not taken meanwhile).
    pub async fn claim_jobs(&mut self, ids: &[i64], now: i64) -> anyhow::Result<Vec<i64>> {
        let mut taken = Vec::new();
        for chunk in ids.chunks(CHUNK) {
            let sql = format!(
                "UPDATE jobs SET done_at = ?, outcome = 'sent' WHERE done_at IS NULL AND id IN ({}) \
                 RETURNING id",
                list(chunk.len())
            );
            let mut q = sqlx::query_scalar::<_, i64>(&sql).bind(now);
            for id in chunk {
                q = q.bind(id);
            }
            taken.extend(q.fetch_all(&mut *self.tx).await?);
        }
        Ok(taken)
    }

    pub async fn job_outcome(&mut self, id: i64, outcome: JobOutcome) -> anyhow::Result<()> {
        sqlx::query("UPDATE jobs SET outcome = $1 WHERE id = $2")
            .bind(outcome.code())
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
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

    /// Make sure the cron job has a row (a write, so this transaction holds the lock before
    /// it reads when the job last ran).
    pub async fn touch_cron(&mut self, name: &str, first: i64) -> anyhow::Result<()> {
        sqlx::query("INSERT INTO cron_runs (name, last_at) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(name)
            .bind(first)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// A donor's active sign-up for a drive: `Some(slot)`, or `None` if there is none.
    pub async fn active_signup(
        &mut self,
        drive: i64,
        donor: i64,
    ) -> anyhow::Result<Option<Option<i64>>> {
        Ok(sqlx::query_scalar(
            "SELECT slot_id FROM signups WHERE drive_id = $1 AND donor_id = $2 \
             AND status = 'active'",
        )
        .bind(drive)
        .bind(donor)
        .fetch_optional(&mut *self.tx)
        .await?)
    }

    /// When the cron job `name` last ran; `None` the first time.
    pub async fn cron_last(&mut self, name: &str) -> anyhow::Result<Option<i64>> {
        Ok(
            sqlx::query_scalar("SELECT last_at FROM cron_runs WHERE name = $1")
                .bind(name)
                .fetch_optional(&mut *self.tx)
                .await?,
        )
    }

    pub async fn set_cron_last(&mut self, name: &str, at: i64) -> anyhow::Result<()> {
        sqlx::query(
            "INSERT INTO cron_runs (name, last_at) VALUES ($1, $2) \
             ON CONFLICT (name) DO UPDATE SET last_at = excluded.last_at",
        )
        .bind(name)
        .bind(at)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
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
                 AND d.paused = 0 AND d.supporter = 0"
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

    /// Campaigns that open between `after` (exclusive) and `upto` (inclusive).
    pub async fn campaigns_opening(
        &mut self,
        after: NaiveDate,
        upto: NaiveDate,
    ) -> anyhow::Result<Vec<CampaignItem>> {
        let rows = sqlx::query(
            "SELECT id, name, starts_on, ends_on FROM campaigns \
             WHERE starts_on > $1 AND starts_on <= $2 ORDER BY starts_on",
        )
        .bind(date_text(after))
        .bind(date_text(upto))
        .fetch_all(&mut *self.tx)
        .await?;
        rows.iter().map(campaign_item).collect()
    }

    /// A campaign's drives still to come.
    pub async fn campaign_drives(
        &mut self,
        campaign: i64,
        now: i64,
    ) -> anyhow::Result<Vec<DriveInfo>> {
        drives_where(
            &mut self.tx,
            None,
            "d.campaign_id = $2 AND d.cancelled_at IS NULL AND d.starts_at > $3",
            &[campaign, now],
            None,
            50,
        )
        .await
    }

    /// Registered, not paused donors of these provinces who may give by `by` (whole-blood
    /// or apheresis interval over), with where to write to them.
    pub async fn announce_audience(
        &mut self,
        provinces: &[String],
        whole_blood_before: NaiveDate,
        apheresis_before: NaiveDate,
    ) -> anyhow::Result<Vec<(i64, String, Recipient)>> {
        let mut out = Vec::new();
        for p in provinces {
            let rows = sqlx::query(&format!(
                "SELECT d.id AS donor_id, i.id AS identity_id, i.channel, i.chat_id, i.lang \
                 FROM donors d {BEST_IDENTITY} WHERE d.province = $1 \
                 AND d.registered_at IS NOT NULL AND d.paused = 0 AND d.supporter = 0 \
                 AND (d.last_donation_date IS NULL \
                   OR (d.last_donation_kind IN ('whole_blood', 'never') \
                       AND d.last_donation_date <= $2) \
                   OR (d.last_donation_kind IN ('platelets', 'plasma') \
                       AND d.last_donation_date <= $3))"
            ))
            .bind(p)
            .bind(date_text(whole_blood_before))
            .bind(date_text(apheresis_before))
            .fetch_all(&mut *self.tx)
            .await
            .context("reading a campaign's audience")?;
            for r in &rows {
                out.push((r.try_get("donor_id")?, p.clone(), recipient_from_row(r)?));
            }
        }
        Ok(out)
    }

    pub async fn add_reach(
        &mut self,
        campaign: i64,
        donors: &[i64],
        now: i64,
    ) -> anyhow::Result<()> {
        for chunk in donors.chunks(CHUNK) {
            let sql = format!(
                "INSERT INTO campaign_reach (campaign_id, donor_id, at) VALUES {} \
                 ON CONFLICT DO NOTHING",
                super::placeholders(chunk.len(), 3)
            );
            let mut q = sqlx::query(&sql);
            for d in chunk {
                q = q.bind(campaign).bind(d).bind(now);
            }
            q.execute(&mut *self.tx).await?;
        }
        Ok(())
    }

    /// Registered, not paused donors with at least one donation (recorded or declared), for
    /// the 14/6 thank-you.
    pub async fn honours_audience(&mut self) -> anyhow::Result<Vec<(i64, Recipient)>> {
        let rows = sqlx::query(&format!(
            "SELECT d.id AS donor_id, i.id AS identity_id, i.channel, i.chat_id, i.lang \
             FROM donors d {BEST_IDENTITY} WHERE d.registered_at IS NOT NULL AND d.paused = 0 \
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

    /// Paused donors among these.
    pub async fn paused_among(&mut self, donors: &[i64]) -> anyhow::Result<Vec<i64>> {
        let mut out = Vec::new();
        for chunk in donors.chunks(CHUNK) {
            let sql = format!(
                "SELECT id FROM donors WHERE paused = 1 AND id IN ({})",
                list(chunk.len())
            );
            let mut q = sqlx::query_scalar::<_, i64>(&sql);
            for d in chunk {
                q = q.bind(d);
            }
            out.extend(q.fetch_all(&mut *self.tx).await?);
        }
        Ok(out)
    }

    /// Drives (any) by id, without a donor's view.
    pub async fn drives_by_id(&mut self, ids: &[i64]) -> anyhow::Result<HashMap<i64, DriveInfo>> {
        let mut out = HashMap::new();
        for chunk in ids.chunks(CHUNK) {
            let filter = format!("d.id IN ({})", list(chunk.len()));
            let sql =
                format!("SELECT {DRIVE_COLUMNS} {DRIVE_FROM} WHERE {filter}").replace("$1", "NULL");
            let mut q = sqlx::query(&sql);
            for id in chunk {
                q = q.bind(id);
            }
            let mut drives: Vec<DriveInfo> = q
                .fetch_all(&mut *self.tx)
                .await?
                .iter()
                .map(drive_from_row)
                .collect::<Result<_, _>>()?;
            add_slots(&mut self.tx, &mut drives).await?;
            out.extend(drives.into_iter().map(|d| (d.id, d)));
        }
        Ok(out)
    }
}
