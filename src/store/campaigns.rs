//! Campaigns: the calendar imported from a file, those open today, created and edited in
//! chat, and the announcement's audience and reach.

use super::club::{BEST_IDENTITY, Recipient};
use super::drive::{drives_where, recipient_from_row, write_drive};
use super::*;
use crate::domain::campaign::{Calendar, Campaign};
use crate::domain::drive::DriveSpec;
use crate::domain::drive::{CampaignItem, DriveInfo};
use crate::domain::fixed_point::FixedPointSpec;
use anyhow::Context;
use chrono::NaiveDate;
use chrono_tz::Tz;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, FromRow, Row};

/// A campaign in a list.
#[derive(sqlx::FromRow)]
struct CampaignRow {
    id: i64,
    name: String,
    starts_on: Option<String>,
    ends_on: Option<String>,
}

pub(super) fn campaign_item(r: &AnyRow) -> anyhow::Result<CampaignItem> {
    let r = CampaignRow::from_row(r).context("a campaign's row")?;
    Ok(CampaignItem {
        id: r.id,
        name: r.name,
        starts_on: parse_date(r.starts_on).context("a campaign date")?,
        ends_on: parse_date(r.ends_on).context("a campaign date")?,
    })
}

impl Store {
    /// Write a year's campaigns, their drives and the open days of its fixed points in one
    /// transaction (all or nothing); a campaign already stored under the same year and name,
    /// a fixed point of the same name, or a drive at the same place and time, is updated.
    /// Returns the number of drives written.
    pub async fn import_calendar(
        &self,
        year: i32,
        calendar: &Calendar,
        tz: Tz,
        now: i64,
    ) -> anyhow::Result<usize> {
        let _gate = self.gate().await?;
        let mut tx = self.pool.begin().await?;
        let drives = import_calendar(&mut tx, year, calendar, tz, now).await?;
        tx.commit().await.context("committing the campaigns")?;
        Ok(drives)
    }
}

/// [`Store::import_calendar`] on a transaction already open.
async fn import_calendar(
    tx: &mut AnyConnection,
    year: i32,
    calendar: &Calendar,
    tz: Tz,
    now: i64,
) -> anyhow::Result<usize> {
    let mut drives = 0;
    let mut ids: Vec<(&str, i64)> = Vec::new();
    for c in &calendar.campaigns {
        let id = write_campaign(&mut *tx, year, c, None, now).await?;
        ids.push((&c.name, id));
        for d in &c.drives {
            write_drive(&mut *tx, None, Some(id), d, tz, None, now).await?;
            drives += 1;
        }
    }
    for p in &calendar.fixed_points {
        let point = write_point(&mut *tx, p, now).await?;
        let campaign = p
            .campaign
            .as_deref()
            .and_then(|name| ids.iter().find(|(n, _)| *n == name).map(|(_, id)| *id));
        for day in p.open_days() {
            write_point_day(&mut *tx, point, campaign, &p.drive_on(day), tz, now).await?;
            drives += 1;
        }
    }
    Ok(drives)
}

/// One campaign of a calendar (not its drives), updated if the year has one of that name;
/// a new one belongs to `province` (none: the national calendar). A province's staff
/// never reach another's campaign here: their files are checked for names held outside
/// their scope first (`Tx::campaign_held_outside`).
async fn write_campaign(
    tx: &mut AnyConnection,
    year: i32,
    c: &Campaign,
    province: Option<crate::domain::province::Province>,
    now: i64,
) -> anyhow::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO campaigns (year, name, starts_on, ends_on, target_units_min, \
         target_units_max, target_people, organiser, partner, note, updated_at, province) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
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
    .bind(province.map(|p| p.code()))
    .fetch_one(&mut *tx)
    .await
    .with_context(|| format!("storing campaign {:?}", c.name))
}

/// One fixed point (not its open days), updated if one has that name.
async fn write_point(tx: &mut AnyConnection, p: &FixedPointSpec, now: i64) -> anyhow::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO fixed_points (name, days, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (name) DO UPDATE SET days = excluded.days, \
         updated_at = excluded.updated_at RETURNING id",
    )
    .bind(&p.name)
    .bind(p.days_code())
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    .with_context(|| format!("storing fixed point {:?}", p.name))
}

/// One open day of a fixed point, as a drive of `campaign`.
async fn write_point_day(
    tx: &mut AnyConnection,
    point: i64,
    campaign: Option<i64>,
    drive: &DriveSpec,
    tz: Tz,
    now: i64,
) -> anyhow::Result<()> {
    let id = write_drive(&mut *tx, None, campaign, drive, tz, None, now).await?;
    sqlx::query("UPDATE drives SET fixed_point_id = $1 WHERE id = $2")
        .bind(point)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

impl Tx {
    /// A calendar's campaign, written on its own (a step of a file written in steps).
    pub async fn write_campaign(
        &mut self,
        year: i32,
        c: &Campaign,
        province: Option<crate::domain::province::Province>,
        now: i64,
    ) -> anyhow::Result<i64> {
        write_campaign(&mut self.tx, year, c, province, now).await
    }

    /// Whether `year` has a campaign of this name outside `scope` (another province's,
    /// or a national one when the scope is not the nation).
    pub async fn campaign_held_outside(
        &mut self,
        year: i32,
        name: &str,
        scope: crate::domain::scope::Scope,
    ) -> anyhow::Result<bool> {
        if scope.is_nation() {
            return Ok(false);
        }
        let sql = format!(
            "SELECT COUNT(*) FROM campaigns WHERE year = $1 AND name = $2 \
             AND NOT (province IS NOT NULL{})",
            super::scope_clause("province", scope)
        );
        let n: i64 = sqlx::query_scalar(&sql)
            .bind(year)
            .bind(name)
            .fetch_one(&mut *self.tx)
            .await
            .context("checking a campaign's name")?;
        Ok(n > 0)
    }

    /// Whether a fixed point of this name has open days outside `scope`.
    pub async fn point_held_outside(
        &mut self,
        name: &str,
        scope: crate::domain::scope::Scope,
    ) -> anyhow::Result<bool> {
        if scope.is_nation() {
            return Ok(false);
        }
        let sql = format!(
            "SELECT COUNT(*) FROM fixed_points f JOIN drives d ON d.fixed_point_id = f.id \
             WHERE f.name = $1 AND NOT (1 = 1{})",
            super::scope_clause("d.province", scope)
        );
        let n: i64 = sqlx::query_scalar(&sql)
            .bind(name)
            .fetch_one(&mut *self.tx)
            .await
            .context("checking a fixed point's name")?;
        Ok(n > 0)
    }

    /// A drive of the campaign `year`/`campaign` (written by an earlier step).
    pub async fn write_campaign_drive(
        &mut self,
        year: i32,
        campaign: &str,
        drive: &DriveSpec,
        tz: Tz,
        now: i64,
    ) -> anyhow::Result<()> {
        let id = self.campaign_named(year, campaign).await?;
        write_drive(&mut self.tx, None, id, drive, tz, None, now).await?;
        Ok(())
    }

    /// A fixed point, written on its own.
    pub async fn write_fixed_point(&mut self, p: &FixedPointSpec, now: i64) -> anyhow::Result<i64> {
        write_point(&mut self.tx, p, now).await
    }

    /// One open day of the fixed point `p` (written by an earlier step), in its campaign of
    /// `year` if it names one.
    pub async fn write_point_day(
        &mut self,
        year: i32,
        p: &FixedPointSpec,
        day: NaiveDate,
        tz: Tz,
        now: i64,
    ) -> anyhow::Result<()> {
        let point: i64 = sqlx::query_scalar("SELECT id FROM fixed_points WHERE name = $1")
            .bind(&p.name)
            .fetch_one(&mut *self.tx)
            .await
            .with_context(|| format!("finding fixed point {:?}", p.name))?;
        let campaign = match p.campaign.as_deref() {
            Some(name) => self.campaign_named(year, name).await?,
            None => None,
        };
        write_point_day(&mut self.tx, point, campaign, &p.drive_on(day), tz, now).await
    }

    async fn campaign_named(&mut self, year: i32, name: &str) -> anyhow::Result<Option<i64>> {
        sqlx::query_scalar("SELECT id FROM campaigns WHERE year = $1 AND name = $2")
            .bind(year)
            .bind(name)
            .fetch_optional(&mut *self.tx)
            .await
            .context("finding a campaign")
    }
}

impl Tx {
    /// [`Store::import_calendar`] within this transaction.
    pub async fn import_calendar(
        &mut self,
        year: i32,
        calendar: &Calendar,
        tz: Tz,
        now: i64,
    ) -> anyhow::Result<usize> {
        import_calendar(&mut self.tx, year, calendar, tz, now).await
    }

    /// Campaigns not yet over (for a new drive), soonest first.
    /// Staff of a province see the national campaigns and their own.
    pub async fn open_campaigns(
        &mut self,
        today: NaiveDate,
        scope: crate::domain::scope::Scope,
    ) -> anyhow::Result<Vec<CampaignItem>> {
        let sql = format!(
            "SELECT id, name, starts_on, ends_on FROM campaigns WHERE ends_on >= $1{} \
             ORDER BY starts_on, name LIMIT 8",
            super::seen_clause("province", scope)
        );
        let rows = sqlx::query(&sql)
            .bind(date_text(today))
            .fetch_all(&mut *self.tx)
            .await?;
        rows.iter().map(campaign_item).collect()
    }

    /// A campaign created in chat; `None` if that year already has one of that name.
    /// It belongs to `province`, or to the whole country (`None`).
    pub async fn create_campaign(
        &mut self,
        c: &Campaign,
        province: Option<crate::domain::province::Province>,
        by: i64,
        now: i64,
    ) -> anyhow::Result<Option<i64>> {
        use chrono::Datelike;
        Ok(sqlx::query_scalar(
            "INSERT INTO campaigns (year, name, starts_on, ends_on, target_units_min, \
             target_units_max, target_people, created_by, updated_at, province) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (year, name) DO NOTHING \
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
        .bind(province.map(|p| p.code()))
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
            "UPDATE campaigns SET year = $1, name = $2, starts_on = $3, ends_on = $4, \
             target_units_min = $5, target_units_max = $6, target_people = $7, updated_at = $8 \
             WHERE id = $9 AND NOT EXISTS (SELECT 1 FROM campaigns o \
               WHERE o.year = $1 AND o.name = $2 AND o.id <> $9)",
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

    /// Campaigns under way on `today` that have not been announced.
    pub async fn campaigns_to_announce(
        &mut self,
        today: NaiveDate,
    ) -> anyhow::Result<Vec<CampaignItem>> {
        let rows = sqlx::query(
            "SELECT id, name, starts_on, ends_on FROM campaigns WHERE announced_at IS NULL \
             AND starts_on <= $1 AND ends_on >= $1 ORDER BY starts_on, id",
        )
        .bind(date_text(today))
        .fetch_all(&mut *self.tx)
        .await?;
        rows.iter().map(campaign_item).collect()
    }

    /// A campaign's announcement is queued: not again.
    pub async fn mark_announced(&mut self, campaign: i64, now: i64) -> anyhow::Result<()> {
        sqlx::query("UPDATE campaigns SET announced_at = $1 WHERE id = $2")
            .bind(now)
            .bind(campaign)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
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
                 AND d.registered_at IS NOT NULL AND NOT d.paused AND NOT d.supporter \
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

    /// These donors were reached by a campaign, each in their province (the one its
    /// announcement went to).
    pub async fn add_reach(
        &mut self,
        campaign: i64,
        donors: &[(i64, &str)],
        now: i64,
    ) -> anyhow::Result<()> {
        for chunk in donors.chunks(CHUNK) {
            let mut q = Q::new(
                self.backend(),
                "INSERT INTO campaign_reach (campaign_id, donor_id, at, province) ",
            );
            q.push_values(chunk, |mut row, (d, p)| {
                row.push_bind(campaign)
                    .push_bind(*d)
                    .push_bind(now)
                    .push_bind(p.to_string());
            });
            q.push(" ON CONFLICT DO NOTHING");
            q.build().execute(&mut *self.tx).await?;
        }
        Ok(())
    }
}

impl Store {
    /// A year's campaigns, in date order.
    pub async fn campaigns(&self, year: i32) -> anyhow::Result<Vec<Campaign>> {
        let rows = sqlx::query(
            "SELECT name, starts_on, ends_on, target_units_min, target_units_max, target_people, \
             organiser, partner, note FROM campaigns WHERE year = $1 ORDER BY starts_on, name",
        )
        .bind(year)
        .fetch_all(&self.pool)
        .await
        .context("reading campaigns")?;
        rows.iter()
            .map(|r| {
                let date = |col: &str| -> anyhow::Result<NaiveDate> {
                    parse_date(r.try_get(col)?).context("a stored campaign date is unreadable")
                };
                Ok(Campaign {
                    name: r.try_get("name")?,
                    starts_on: date("starts_on")?,
                    ends_on: date("ends_on")?,
                    target_units_min: r.try_get("target_units_min")?,
                    target_units_max: r.try_get("target_units_max")?,
                    target_people: r.try_get("target_people")?,
                    organiser: r.try_get("organiser")?,
                    partner: r.try_get("partner")?,
                    note: r.try_get("note")?,
                    drives: Vec::new(),
                })
            })
            .collect()
    }
}
