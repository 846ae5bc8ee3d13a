//! The year's report: sign-ups, donations, people reached and repeat donations by campaign
//! and drive, and what falls outside the year's campaigns; every figure by the definitions
//! of `figures.rs`.

use super::campaigns::campaign_item;
use super::drive::{DRIVE_COLUMNS, DRIVE_FROM, drive_from_row};
use super::figures::{COUNTED_SIGNUP, outside_campaigns};
use super::*;
use crate::domain::drive::{CampaignReport, Figures, Report};
use crate::domain::scope::Scope;
use anyhow::Context;
use chrono::TimeZone;
use chrono_tz::Tz;
use sqlx::{AnyConnection, Row};

/// The unix ms bounds of a year's days in `tz`: `[1 January, 1 January next year)`.
fn year_bounds(year: i32, tz: Tz) -> (i64, i64) {
    let start = |y: i32| {
        NaiveDate::from_ymd_opt(y, 1, 1)
            .and_then(|d| {
                tz.from_local_datetime(&d.and_time(chrono::NaiveTime::MIN))
                    .earliest()
            })
            .map_or(0, |t| t.timestamp_millis())
    };
    (start(year), start(year + 1))
}

/// The report of `year` within a staff `scope`: the national campaigns and the scope's own,
/// each counting what happened in the scope's provinces (a donation's, a drive's, a person
/// reached's stored province).
async fn report(
    conn: &mut AnyConnection,
    year: i32,
    tz: Tz,
    scope: Scope,
) -> anyhow::Result<Report> {
    let (from_ms, to_ms) = year_bounds(year, tz);
    let (from, to) = (format!("{year:04}-01-01"), format!("{year:04}-12-31"));
    let (drives_in, donations_in) = (
        scope_clause("d.province", scope),
        scope_clause("n.province", scope),
    );
    let (reached_in, campaigns_in) = (
        scope_clause("r.province", scope),
        seen_clause("c.province", scope),
    );
    let rows = sqlx::query(&format!(
        "SELECT c.id, c.name, c.starts_on, c.ends_on, c.target_units_min, c.target_units_max, \
         c.target_people, \
         (SELECT COUNT(*) FROM signups s JOIN drives d ON d.id = s.drive_id \
            WHERE d.campaign_id = c.id AND {COUNTED_SIGNUP} \
            AND d.starts_at >= $2 AND d.starts_at < $3{drives_in}) AS signups, \
         (SELECT COUNT(*) FROM donations n WHERE n.campaign_id = c.id \
            AND n.donated_on >= $4 AND n.donated_on <= $5{donations_in}) AS donations, \
         (SELECT COUNT(*) FILTER (WHERE n.repeat_donor) FROM donations n \
            WHERE n.campaign_id = c.id AND n.donated_on >= $4 AND n.donated_on <= $5\
            {donations_in}) AS repeats, \
         (SELECT COUNT(*) FROM campaign_reach r WHERE r.campaign_id = c.id{reached_in}) \
            AS reached \
         FROM campaigns c WHERE c.year = $1{campaigns_in} ORDER BY c.starts_on, c.name",
    ))
    .bind(year)
    .bind(from_ms)
    .bind(to_ms)
    .bind(&from)
    .bind(&to)
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
             (SELECT COUNT(*) FROM signups s WHERE s.drive_id = d.id AND {COUNTED_SIGNUP}) \
               AS counted, \
             (SELECT COUNT(*) FROM donations n WHERE n.drive_id = d.id) AS donations, \
             (SELECT COUNT(*) FILTER (WHERE n.repeat_donor) FROM donations n WHERE n.drive_id = d.id) \
               AS repeats \
             {DRIVE_FROM} WHERE d.campaign_id IN "
        )
        .replace("$1", "NULL");
        let mut q = Q::new(Backend::of(conn), select);
        push_list(&mut q, chunk);
        q.push(&drives_in);
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
                signups: r.try_get("counted")?,
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
    let outside = outside_campaigns("n.campaign_id", "$1");
    let other = sqlx::query(&format!(
        "SELECT COUNT(*) AS n, COUNT(*) FILTER (WHERE repeat_donor) AS r FROM donations n \
         WHERE n.donated_on >= $2 AND n.donated_on <= $3 AND {outside}{donations_in}"
    ))
    .bind(year)
    .bind(&from)
    .bind(&to)
    .fetch_one(&mut *conn)
    .await?;
    // Sign-ups for drives outside the year's campaigns (a fixed point's open days).
    let outside_drive = outside_campaigns("d.campaign_id", "$1");
    let other_signups: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM signups s JOIN drives d ON d.id = s.drive_id \
         WHERE {COUNTED_SIGNUP} AND d.starts_at >= $2 AND d.starts_at < $3 AND {outside_drive}\
         {drives_in}"
    ))
    .bind(year)
    .bind(from_ms)
    .bind(to_ms)
    .fetch_one(&mut *conn)
    .await?;
    out.other = Figures {
        signups: other_signups,
        donations: other.try_get("n")?,
        repeat: other.try_get("r")?,
        ..Figures::default()
    };
    Ok(out)
}

impl Store {
    /// The whole country's report (the command line).
    pub async fn report(&self, year: i32, tz: Tz) -> anyhow::Result<Report> {
        let mut conn = self.pool.acquire().await?;
        report(&mut conn, year, tz, Scope::NATION).await
    }
}

impl Tx {
    pub async fn report(&mut self, year: i32, tz: Tz, scope: Scope) -> anyhow::Result<Report> {
        report(&mut self.tx, year, tz, scope).await
    }
}
