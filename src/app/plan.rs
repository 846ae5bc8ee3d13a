//! The year plan as a use case: store a plan, and read where the province and each unit
//! stand on a day (the same figures for the command line, CSV, and later the chat and the
//! dashboard).

use super::App;
use super::permission::Actor;
use crate::domain::audit::AuditAction;
use crate::domain::club::Roles;
use crate::domain::plan::{
    HonouredDonor, Honours, Plan, PlanFigures, TargetChange, YearTargets, milestone_crossed,
};
use crate::domain::province::Province;
use crate::domain::scope::Scope;
use crate::domain::text::fold;
use crate::engine::DriveOutcome;
use crate::engine::{ClubOutcome, Item, Outcome};
use crate::store::{PlanLoaded, Tx};
use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};

impl App {
    /// Store a plan's targets and units for `year` (all in one transaction): `province`'s
    /// plan, or the whole deployment's (`None`).
    pub async fn load_plan(
        &self,
        year: i32,
        province: Option<Province>,
        plan: &Plan,
    ) -> anyhow::Result<PlanLoaded> {
        let now = self.clock().now().timestamp_millis();
        self.store().load_plan(year, province, plan, now).await
    }

    /// The year's figures up to `today` (or the whole year, once it is over), within
    /// `scope`: the whole country (with each province's line), or some provinces.
    pub async fn plan_figures(
        &self,
        year: i32,
        today: NaiveDate,
        scope: Scope,
    ) -> anyhow::Result<PlanFigures> {
        let (until, bounds) = self.plan_span(year, today)?;
        let figures = self
            .store()
            .plan_figures(year, until, bounds, &self.config().blood_units, scope)
            .await?;
        Ok(not_begun(figures, today))
    }

    /// `/report 2026`, `/report Lê Chân`: the year's plan (this year's when none is named),
    /// its units narrowed to those whose name or code holds `unit` (diacritics aside).
    pub(super) async fn plan_report(
        &self,
        tx: &mut Tx,
        scope: Scope,
        year: Option<i32>,
        unit: Option<String>,
        now: DateTime<Utc>,
    ) -> anyhow::Result<DriveOutcome> {
        let today = now.with_timezone(&self.config().timezone).date_naive();
        let year = year.unwrap_or(today.year());
        let (until, bounds) = self.plan_span(year, today)?;
        let mut figures = tx
            .plan_figures(year, until, bounds, &self.config().blood_units, scope)
            .await?;
        if let Some(u) = &unit {
            let want = fold(u);
            figures
                .units
                .retain(|x| fold(&x.name).contains(&want) || x.code == want.replace(' ', "-"));
        }
        Ok(DriveOutcome::Plan {
            figures: Box::new(not_begun(figures, today)),
            unit,
        })
    }

    /// The contest among donor clubs for `year` (this year's by default), up to today.
    pub(super) async fn leaderboard(
        &self,
        tx: &mut Tx,
        who: &Actor,
        roles: &Roles,
        year: Option<i32>,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Outcome> {
        let today = now.with_timezone(&self.config().timezone).date_naive();
        let year = year.unwrap_or(today.year());
        let (until, _) = self.plan_span(year, today)?;
        let first = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(until);
        let mine = match who.member() {
            Some(d) => tx.clubs_led_by(d).await?,
            None => Vec::new(),
        };
        // Staff see the contest of their scope; a leader that of their clubs' provinces.
        let scope = tx
            .club_provinces(&mine)
            .await?
            .into_iter()
            .fold(roles.staff_in, |s, p| s.join(Scope::province(p)));
        let clubs = tx.club_standings(first, until, scope).await?;
        Ok(Outcome::Club(ClubOutcome::Leaderboard {
            year,
            clubs,
            mine,
        }))
    }

    /// The year's honours up to `today`: donors who reached a milestone tier (highest
    /// first, then by name), the clubs in the contest's order, the units that met their
    /// allocation. Names are in it: the reading is audited under `actor`.
    pub async fn honours(
        &self,
        year: i32,
        today: NaiveDate,
        actor: &str,
    ) -> anyhow::Result<Honours> {
        let figures = self.plan_figures(year, today, Scope::NATION).await?;
        let first = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(figures.until);
        let until = figures.until;
        let mut tx = self.store().begin().await?;
        // Written first: a read-then-write transaction could not take the write lock once
        // another connection has written (SQLite's snapshot rule).
        let now = self.clock().now().timestamp_millis();
        tx.audit(
            actor,
            AuditAction::HonoursExport,
            &format!("year:{year}"),
            None,
            now,
        )
        .await?;
        let tiers = &self.config().scheduler.milestones;
        let mut donors: Vec<HonouredDonor> = tx
            .year_donors(first, until)
            .await?
            .into_iter()
            .filter_map(|d| {
                // Tier 1 is the first donation ever: not for a donor who had given before
                // (by their own account) what is on record.
                let tiers: Vec<i64> = tiers
                    .iter()
                    .copied()
                    .filter(|t| d.first_in_year || *t != 1)
                    .collect();
                Some(HonouredDonor {
                    tier: milestone_crossed(d.before, d.in_year, &tiers)?,
                    total: d.before + d.in_year,
                    name: d.name,
                    province: d.province,
                    last: d.last,
                    clubs: d.clubs,
                })
            })
            .collect();
        donors.sort_by(|a, b| b.tier.cmp(&a.tier).then(a.name.cmp(&b.name)));
        let families = tx.year_families(first, until).await?;
        let clubs = tx.club_standings(first, until, Scope::NATION).await?;
        let named = donors.len() + families.iter().map(|f| f.names.len()).sum::<usize>();
        tx.note_audit_recipients(named as i64).await?;
        tx.commit().await?;
        let units = figures
            .units
            .into_iter()
            .filter(|u| {
                u.target_units
                    .is_some_and(|t| t > 0 && u.units_done >= t as f64)
            })
            .collect();
        Ok(Honours {
            year,
            until,
            donors,
            families,
            clubs,
            units,
        })
    }

    /// The schools and workplaces of the plan (of the donor's province, or of none) whose
    /// name (or code) holds `text`, diacritics and case aside: up to 8, the closest
    /// (starting with it) first.
    pub(super) async fn find_units(
        &self,
        tx: &mut Tx,
        donor: i64,
        text: &str,
    ) -> anyhow::Result<Vec<Item>> {
        let want = fold(text);
        if want.is_empty() {
            return Ok(Vec::new());
        }
        let mut found: Vec<(bool, Item)> = tx
            .person_units(donor)
            .await?
            .into_iter()
            .filter_map(|(id, code, name)| {
                let folded = fold(&name);
                (folded.contains(&want) || code == want.replace(' ', "-"))
                    .then(|| (!folded.starts_with(&want), Item { id, label: name }))
            })
            .collect();
        found.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.label.cmp(&b.1.label)));
        Ok(found.into_iter().take(8).map(|(_, i)| i).collect())
    }

    /// Set one of the year's targets (this year's when `year` is none) of `province`'s plan
    /// (`None`: the whole deployment's), audited under `actor`.
    pub(super) async fn set_target(
        &self,
        tx: &mut Tx,
        actor: &str,
        province: Option<Province>,
        year: Option<i32>,
        change: TargetChange,
        now: DateTime<Utc>,
    ) -> anyhow::Result<YearTargets> {
        let year = year.unwrap_or(now.with_timezone(&self.config().timezone).year());
        let now_ms = now.timestamp_millis();
        tx.audit(
            actor,
            AuditAction::PlanTargetSet,
            &match province {
                Some(p) => format!("year:{year} {} province:{}", change.code(), p.code()),
                None => format!("year:{year} {}", change.code()),
            },
            None,
            now_ms,
        )
        .await?;
        tx.set_year_target(year, province, change, now_ms).await
    }

    /// [`App::set_target`] from the command line (`hienmau plan target`).
    pub async fn set_year_target(
        &self,
        province: Option<Province>,
        year: Option<i32>,
        change: TargetChange,
    ) -> anyhow::Result<YearTargets> {
        let mut tx = self.store().begin().await?;
        let t = self
            .set_target(&mut tx, "cli", province, year, change, self.clock().now())
            .await?;
        tx.commit().await?;
        Ok(t)
    }

    /// The last day counted and the bounds of the drives counted (unix ms, local days).
    fn plan_span(&self, year: i32, today: NaiveDate) -> anyhow::Result<(NaiveDate, (i64, i64))> {
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
        Ok((until, (at(first), at(next_day))))
    }
}

/// A plan for a year that has not begun: nothing is done yet, and no time has gone.
fn not_begun(mut figures: PlanFigures, today: NaiveDate) -> PlanFigures {
    if today.year() < figures.year
        && let Some(first) = NaiveDate::from_ymd_opt(figures.year, 1, 1)
    {
        figures.until = first;
    }
    figures
}
