//! SQL for campaigns' drives, sign-ups, check-in codes, recorded donations, the scheduler's
//! jobs and the progress report. Functions that run inside a conversation step take the
//! step's [`Tx`]; the scheduler and the command line use the [`Store`].

use super::club::{BEST_IDENTITY, Recipient};
use super::{Backend, Q};
use super::{CHUNK, Store, Tx, push_list, scope_clause};
use crate::domain::drive::{DriveInfo, DriveSpec, SlotInfo};
use crate::domain::scope::Scope;
use crate::messages::Lang;
use anyhow::Context;
use chrono_tz::Tz;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, FromRow, Row};
use std::collections::HashMap;

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

pub(super) const DRIVE_COLUMNS: &str = "d.id, c.name AS campaign, d.place, d.province, d.commune, \
     d.starts_at, d.ends_at, d.capacity, d.target_units, d.cancelled_at, \
     (SELECT COUNT(*) FROM signups s WHERE s.drive_id = d.id AND s.status = 'active') AS taken, \
     (SELECT COUNT(*) FROM signups s WHERE s.drive_id = d.id AND s.status = 'active' \
        AND s.donor_id = $1) AS mine, \
     (SELECT s.slot_id FROM signups s WHERE s.drive_id = d.id AND s.status = 'active' \
        AND s.donor_id = $1) AS my_slot, \
     (SELECT f.days FROM fixed_points f WHERE f.id = d.fixed_point_id) AS open_days";

pub(super) const DRIVE_FROM: &str = "FROM drives d LEFT JOIN campaigns c ON c.id = d.campaign_id";

/// A drive's row ([`DRIVE_COLUMNS`]), its slots read apart.
#[derive(sqlx::FromRow)]
struct DriveRow {
    id: i64,
    campaign: Option<String>,
    place: String,
    province: String,
    commune: String,
    starts_at: i64,
    ends_at: i64,
    capacity: i64,
    taken: i64,
    target_units: Option<i64>,
    /// The person's active sign-ups for it (0 or 1).
    mine: i64,
    /// Their slot; absent where the statement does not ask for it.
    #[sqlx(default)]
    my_slot: Option<i64>,
    cancelled_at: Option<i64>,
    open_days: Option<String>,
}

impl From<DriveRow> for DriveInfo {
    fn from(r: DriveRow) -> DriveInfo {
        DriveInfo {
            id: r.id,
            campaign: r.campaign,
            place: r.place,
            province: r.province,
            commune: r.commune,
            starts_at: r.starts_at,
            ends_at: r.ends_at,
            capacity: r.capacity,
            taken: r.taken,
            target_units: r.target_units,
            slots: Vec::new(),
            mine: (r.mine > 0).then_some(r.my_slot),
            cancelled: r.cancelled_at.is_some(),
            open_days: r.open_days,
        }
    }
}

pub(super) fn drive_from_row(r: &AnyRow) -> anyhow::Result<DriveInfo> {
    Ok(DriveRow::from_row(r).context("a drive's row")?.into())
}

/// A slot's row, with the drive it belongs to.
#[derive(sqlx::FromRow)]
struct SlotRow {
    id: i64,
    drive_id: i64,
    starts_at: i64,
    ends_at: i64,
    capacity: i64,
    taken: i64,
}

/// Drives chosen by `filter` (SQL after WHERE, binds after `$1` = the donor), with slots.
pub(super) async fn drives_where(
    conn: &mut AnyConnection,
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

pub(super) async fn add_slots(
    conn: &mut AnyConnection,
    drives: &mut [DriveInfo],
) -> anyhow::Result<()> {
    let ids: Vec<i64> = drives.iter().map(|d| d.id).collect();
    for chunk in ids.chunks(CHUNK) {
        let mut q = Q::new(
            Backend::of(conn),
            "SELECT sl.id, sl.drive_id, sl.starts_at, sl.ends_at, sl.capacity, \
             (SELECT COUNT(*) FROM signups s WHERE s.slot_id = sl.id AND s.status = 'active') \
               AS taken \
             FROM drive_slots sl WHERE sl.drive_id IN ",
        );
        push_list(&mut q, chunk);
        q.push(" ORDER BY sl.starts_at");
        for r in q
            .build()
            .fetch_all(&mut *conn)
            .await
            .context("reading slots")?
        {
            let s = SlotRow::from_row(&r).context("a slot's row")?;
            if let Some(d) = drives.iter_mut().find(|d| d.id == s.drive_id) {
                d.slots.push(SlotInfo {
                    id: s.id,
                    starts_at: s.starts_at,
                    ends_at: s.ends_at,
                    capacity: s.capacity,
                    taken: s.taken,
                });
            }
        }
    }
    Ok(())
}

/// Where a message to a person goes.
#[derive(sqlx::FromRow)]
struct RecipientRow {
    identity_id: i64,
    channel: crate::domain::channel::Channel,
    chat_id: String,
    lang: String,
}

pub(super) fn recipient_from_row(r: &AnyRow) -> anyhow::Result<Recipient> {
    let r = RecipientRow::from_row(r).context("a recipient's row")?;
    Ok(Recipient {
        identity_id: r.identity_id,
        channel: r.channel,
        chat_id: r.chat_id,
        lang: Lang::from_code(&r.lang).unwrap_or(Lang::Vi),
    })
}

/// Write a drive (new, or the one `id` names) and its slots. Slots are written afresh; a
/// sign-up for a slot that is gone keeps its place in the drive.
pub(super) async fn write_drive(
    conn: &mut AnyConnection,
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
             capacity, target_units, created_by, created_at, updated_at, unit_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, \
               (SELECT id FROM units WHERE code = $11)) \
             ON CONFLICT (place, starts_at) DO UPDATE SET campaign_id = excluded.campaign_id, \
             province = excluded.province, commune = excluded.commune, \
             ends_at = excluded.ends_at, capacity = excluded.capacity, \
             target_units = excluded.target_units, updated_at = excluded.updated_at, \
             unit_id = COALESCE(excluded.unit_id, drives.unit_id) \
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
        .bind(&spec.unit)
        .fetch_one(&mut *conn)
        .await
        .context("storing a drive")?,
        Some(id) => {
            sqlx::query(
                "UPDATE drives SET campaign_id = $1, place = $2, province = $3, commune = $4, \
                 starts_at = $5, ends_at = $6, capacity = $7, target_units = $8, \
                 updated_at = $9, \
                 unit_id = COALESCE((SELECT id FROM units WHERE code = $11), unit_id) \
                 WHERE id = $10",
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
            .bind(&spec.unit)
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
    let mut q = Q::new(
        Backend::of(conn),
        "DELETE FROM drive_slots WHERE drive_id = ",
    );
    q.push_bind(id).push(" AND id NOT IN ");
    push_list(&mut q, &keep);
    q.build()
        .execute(&mut *conn)
        .await
        .context("removing old slots")?;
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
            // A fixed point shows its next open day only: the others follow in turn.
            "d.cancelled_at IS NULL AND d.starts_at > $2 AND d.starts_at >= $3 \
             AND (d.fixed_point_id IS NULL OR NOT EXISTS (SELECT 1 FROM drives x \
               WHERE x.fixed_point_id = d.fixed_point_id AND x.cancelled_at IS NULL \
               AND x.starts_at > $2 AND x.starts_at >= $3 \
               AND (x.starts_at < d.starts_at OR (x.starts_at = d.starts_at AND x.id < d.id))))",
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
        scope: Scope,
    ) -> anyhow::Result<Vec<DriveInfo>> {
        drives_where(
            &mut self.tx,
            None,
            &format!(
                "d.cancelled_at IS NULL AND d.ends_at > $2 \
                 AND (d.fixed_point_id IS NULL OR NOT EXISTS (SELECT 1 FROM drives x \
                   WHERE x.fixed_point_id = d.fixed_point_id AND x.cancelled_at IS NULL \
                   AND x.ends_at > $2 \
                   AND (x.starts_at < d.starts_at OR (x.starts_at = d.starts_at AND x.id < d.id)))){}",
                scope_clause("d.province", scope)
            ),
            &[now],
            None,
            limit,
        )
        .await
    }

    /// Drives under way or held between `from` and `to` (a recording coordinator's choice).
    /// Drives not cancelled that overlap `from..to` (ms), the first `limit` by start.
    pub async fn drives_between(
        &mut self,
        from: i64,
        to: i64,
        limit: i64,
        scope: Scope,
    ) -> anyhow::Result<Vec<DriveInfo>> {
        drives_where(
            &mut self.tx,
            None,
            &format!(
                "d.cancelled_at IS NULL AND d.ends_at > $2 AND d.starts_at < $3{}",
                scope_clause("d.province", scope)
            ),
            &[from, to],
            None,
            limit,
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
                unit: None,
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
        // A campaign's drive: the donor is one of the people it reached, in the drive's
        // province.
        sqlx::query(
            "INSERT INTO campaign_reach (campaign_id, donor_id, at, province) \
             SELECT campaign_id, $1, $2, province FROM drives WHERE id = $3 \
             AND campaign_id IS NOT NULL ON CONFLICT DO NOTHING",
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

    /// Active sign-ups of a drive with the donors' names, groups and phones (staff's list),
    /// in the order they signed up.
    pub async fn signup_rows(
        &mut self,
        drive: i64,
    ) -> anyhow::Result<Vec<crate::domain::drive::SignupRow>> {
        let rows: Vec<(String, String, Option<String>, Option<i64>)> = sqlx::query_as(
            "SELECT COALESCE(d.full_name, ''), COALESCE(d.blood_group, '?'), d.phone, s.slot_id \
             FROM signups s JOIN donors d ON d.id = s.donor_id \
             WHERE s.drive_id = $1 AND s.status = 'active' ORDER BY s.id",
        )
        .bind(drive)
        .fetch_all(&mut *self.tx)
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(name, group, phone, slot)| crate::domain::drive::SignupRow {
                    name,
                    group,
                    phone,
                    slot,
                },
            )
            .collect())
    }

    /// Donors with an active sign-up for one of these slots of a drive.
    pub async fn donors_in_slots(&mut self, drive: i64, slots: &[i64]) -> anyhow::Result<Vec<i64>> {
        if slots.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = Q::new(
            self.backend(),
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
}

/// Take the database's write lock now: a transaction that reads before it writes could
/// otherwise find, at its first write, that another process wrote meanwhile (SQLite's
/// "database is locked" on a read transaction that tries to become a write one).
///
/// SQLite: a write that changes nothing takes the file's write lock. PostgreSQL: the same
/// one-writer-at-a-time rule across every instance, by a transaction-scoped advisory lock
/// (released at commit or rollback): a use case reads and then writes, as on SQLite,
/// without another instance's use case interleaving.
pub(super) async fn lock_for_write(conn: &mut AnyConnection) -> anyhow::Result<()> {
    let sql = match Backend::of(conn) {
        Backend::Sqlite => "UPDATE cron_runs SET last_at = last_at WHERE 0",
        Backend::Postgres => "SELECT 1 FROM pg_advisory_xact_lock(7215)",
    };
    sqlx::query(sql)
        .execute(&mut *conn)
        .await
        .context("taking the write lock")?;
    Ok(())
}

pub(super) async fn recipients(
    conn: &mut AnyConnection,
    donors: &[i64],
) -> anyhow::Result<HashMap<i64, Recipient>> {
    let mut out = HashMap::new();
    for chunk in donors.chunks(CHUNK) {
        let mut q = Q::new(
            Backend::of(conn),
            format!(
                "SELECT d.id AS donor_id, i.id AS identity_id, i.channel, i.chat_id, i.lang \
             FROM donors d {BEST_IDENTITY} WHERE d.id IN "
            ),
        );
        push_list(&mut q, chunk);
        for r in q
            .build()
            .fetch_all(&mut *conn)
            .await
            .context("reading recipients")?
        {
            out.insert(r.try_get("donor_id")?, recipient_from_row(&r)?);
        }
    }
    Ok(out)
}

impl Store {}

/// Needed by the scheduler: the run of one batch of jobs in one transaction.
impl Tx {
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

    /// Paused donors among these.
    pub async fn paused_among(&mut self, donors: &[i64]) -> anyhow::Result<Vec<i64>> {
        let mut out = Vec::new();
        for chunk in donors.chunks(CHUNK) {
            let mut q = Q::new(
                self.backend(),
                "SELECT id FROM donors WHERE paused AND id IN ",
            );
            push_list(&mut q, chunk);
            out.extend(
                q.build_query_scalar::<i64>()
                    .fetch_all(&mut *self.tx)
                    .await?,
            );
        }
        Ok(out)
    }

    /// Drives (any) by id, without a donor's view.
    pub async fn drives_by_id(&mut self, ids: &[i64]) -> anyhow::Result<HashMap<i64, DriveInfo>> {
        let mut out = HashMap::new();
        for chunk in ids.chunks(CHUNK) {
            let select =
                format!("SELECT {DRIVE_COLUMNS} {DRIVE_FROM} WHERE d.id IN ").replace("$1", "NULL");
            let mut q = Q::new(self.backend(), select);
            push_list(&mut q, chunk);
            let mut drives: Vec<DriveInfo> = q
                .build()
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
