//! The year plan as a use case: store a plan, and read where the province and each unit
//! stand on a day (the same figures for the command line, CSV, and later the chat and the
//! dashboard).

use super::App;
use crate::domain::plan::{Plan, PlanFigures};
use crate::store::PlanLoaded;
use chrono::{Datelike, NaiveDate, TimeZone};

impl App {
    /// Store a plan's targets and units for `year` (all in one transaction).
    pub async fn load_plan(&self, year: i32, plan: &Plan) -> anyhow::Result<PlanLoaded> {
        let now = self.clock().now().timestamp_millis();
        self.store().load_plan(year, plan, now).await
    }

    /// The year's figures up to `today` (or the whole year, once it is over).
    pub async fn plan_figures(&self, year: i32, today: NaiveDate) -> anyhow::Result<PlanFigures> {
        let tz = self.config().timezone;
        let last = NaiveDate::from_ymd_opt(year, 12, 31)
            .ok_or_else(|| anyhow::anyhow!("{year} is not a year"))?;
        let first = NaiveDate::from_ymd_opt(year, 1, 1)
            .ok_or_else(|| anyhow::anyhow!("{year} is not a year"))?;
        let until = today.min(last).max(first);
        let at = |d: NaiveDate| {
            tz.from_local_datetime(&d.and_time(chrono::NaiveTime::MIN))
                .earliest()
                .map_or(0, |t| t.timestamp_millis())
        };
        let next_day = until.succ_opt().unwrap_or(until);
        let mut figures = self
            .store()
            .plan_figures(
                year,
                until,
                (at(first), at(next_day)),
                &self.config().blood_units,
            )
            .await?;
        if today.year() < year {
            // A plan for a year that has not begun: nothing is done yet.
            figures.until = first;
        }
        Ok(figures)
    }
}
