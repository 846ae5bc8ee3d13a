//! The year's report: donations, people and drives by campaign.

use super::campaigns::campaign_item;
use super::drive::{DRIVE_COLUMNS, DRIVE_FROM, drive_from_row};
use super::*;
use crate::domain::drive::{CampaignReport, Figures, Report};
use anyhow::Context;
use chrono_tz::Tz;
use sqlx::{AnyConnection, Row};

async fn report(conn: &mut AnyConnection, year: i32, tz: Tz) -> anyhow::Result<Report> {
    let rows = sqlx::query(
        "SELECT c.id, c.name, c.starts_on, c.ends_on, c.target_units_min, c.target_units_max, \
         c.target_people, \
         (SELECT COUNT(*) FROM signups s JOIN drives d ON d.id = s.drive_id \
            WHERE d.campaign_id = c.id AND s.status = 'active') AS signups, \
         (SELECT COUNT(*) FROM donations n JOIN drives d ON d.id = n.drive_id \
            WHERE d.campaign_id = c.id) AS donations, \
         (SELECT COUNT(*) FILTER (WHERE n.repeat_donor) FROM donations n JOIN drives d \
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
        let select = format!(
            "SELECT {DRIVE_COLUMNS}, d.campaign_id, \
             (SELECT COUNT(*) FROM donations n WHERE n.drive_id = d.id) AS donations, \
             (SELECT COUNT(*) FILTER (WHERE n.repeat_donor) FROM donations n WHERE n.drive_id = d.id) \
               AS repeats \
             {DRIVE_FROM} WHERE d.campaign_id IN "
        )
        .replace("$1", "NULL");
        let mut q = Q::new(Backend::of(conn), select);
        push_list(&mut q, chunk);
        q.push(" ORDER BY d.starts_at");
        for r in q
            .build()
            .fetch_all(&mut *conn)
            .await
            .context("reading drives")?
        {
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
        "SELECT COUNT(*) AS n, COUNT(*) FILTER (WHERE repeat_donor) AS r FROM donations n \
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
    pub async fn report(&self, year: i32, tz: Tz) -> anyhow::Result<Report> {
        let mut conn = self.pool.acquire().await?;
        report(&mut conn, year, tz).await
    }
}

impl Tx {
    pub async fn report(&mut self, year: i32, tz: Tz) -> anyhow::Result<Report> {
        report(&mut self.tx, year, tz).await
    }
}
