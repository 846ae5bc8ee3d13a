//! The year plan: targets, units and their allocation, and the figures the progress report
//! reads (units of blood by the configured convention, attributed to units).

use super::figures::{DRIVE_HELD, NEW_DONOR};
use super::*;
use crate::domain::plan::{
    ClubStanding, HonouredFamily, Plan, PlanFigures, ProvinceYear, TargetChange, UnitConvention,
    UnitFigures, UnitKind, YearTargets, rank_clubs,
};
use crate::domain::province::Province;
use crate::domain::scope::Scope;
use anyhow::Context;
use chrono::Datelike;

/// The kinds of unit a person belongs to (not districts, communes or clubs).
const PERSON_KINDS: &str = "'university', 'college', 'school', 'department', 'organisation', \
     'firm', 'armed_forces', 'hospital', 'other'";

/// A donor's donations around a year (for the honours).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearDonor {
    pub name: String,
    pub province: Option<String>,
    /// Verified donations on record before the year, and in it (the milestones' count).
    pub before: i64,
    pub in_year: i64,
    /// Their first donation ever is in the year (a donor who declared an earlier one has
    /// none: they are not honoured as a first-time donor).
    pub first_in_year: bool,
    pub last: Option<NaiveDate>,
    pub clubs: String,
}

/// What a plan load stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanLoaded {
    pub targets: bool,
    pub units: usize,
}

/// Units of blood of the donations `n` (SQL), by the convention.
fn units_sql(c: &UnitConvention) -> String {
    let unit_ml = c.unit_ml.max(1);
    format!(
        "CAST(COALESCE(SUM(CASE WHEN n.kind = 'whole_blood' \
         THEN COALESCE(n.volume_ml, {default}) * 1.0 / {unit_ml} ELSE {apheresis:?} END), 0) \
         AS DOUBLE PRECISION)",
        default = c.default_ml.max(0),
        apheresis = if c.apheresis_units.is_finite() {
            c.apheresis_units.max(0.0)
        } else {
            1.0
        },
    )
}

impl Tx {
    /// [`Store::unit_codes`] within this transaction.
    pub async fn unit_codes(&mut self) -> anyhow::Result<std::collections::HashSet<String>> {
        Ok(sqlx::query_scalar("SELECT code FROM units")
            .fetch_all(&mut *self.tx)
            .await?
            .into_iter()
            .collect())
    }
}

impl Store {
    /// The codes of the stored units (a calendar's drives and points may name them).
    pub async fn unit_codes(&self) -> anyhow::Result<std::collections::HashSet<String>> {
        self.begin().await?.unit_codes().await
    }

    /// Store a plan for `year` in one transaction: the year's targets (replacing those of
    /// that year), and each unit (by its code: a unit already stored is updated) with its
    /// allocation for the year.
    /// The targets are `province`'s plan, or the whole deployment's (`None`); a unit without
    /// a province of its own in the plan belongs to `province`.
    pub async fn load_plan(
        &self,
        year: i32,
        province: Option<Province>,
        plan: &Plan,
        now: i64,
    ) -> anyhow::Result<PlanLoaded> {
        let _gate = self.gate().await?;
        let mut tx = self.pool.begin().await?;
        if let Some(t) = &plan.targets {
            sqlx::query(
                "INSERT INTO year_targets (year, units, people_min, people_max, repeat_pct, \
                 population, population_share_bp, drives, updated_at, province) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
                 ON CONFLICT (year, province) DO UPDATE SET \
                 units = excluded.units, people_min = excluded.people_min, \
                 people_max = excluded.people_max, repeat_pct = excluded.repeat_pct, \
                 population = excluded.population, \
                 population_share_bp = excluded.population_share_bp, \
                 drives = excluded.drives, updated_at = excluded.updated_at",
            )
            .bind(t.year)
            .bind(t.units)
            .bind(t.people_min)
            .bind(t.people_max)
            .bind(t.repeat_pct)
            .bind(t.population)
            .bind(t.population_share_bp)
            .bind(t.drives)
            .bind(now)
            .bind(province.map_or("", |p| p.code()))
            .execute(&mut *tx)
            .await
            .context("storing the year's targets")?;
        }
        for u in &plan.units {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO units (code, name, kind, province, illustrative, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (code) DO UPDATE SET \
                 name = excluded.name, kind = excluded.kind, province = excluded.province, \
                 illustrative = excluded.illustrative, updated_at = excluded.updated_at \
                 RETURNING id",
            )
            .bind(&u.code)
            .bind(&u.name)
            .bind(u.kind.code())
            .bind(u.province.or(province).map(|p| p.code()))
            .bind(u.illustrative)
            .bind(now)
            .fetch_one(&mut *tx)
            .await
            .context("storing a unit")?;
            sqlx::query(
                "INSERT INTO unit_targets (unit_id, year, units, drives, people) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (unit_id, year) DO UPDATE SET \
                 units = excluded.units, drives = excluded.drives, people = excluded.people",
            )
            .bind(id)
            .bind(plan.targets.as_ref().map_or(year, |t| t.year))
            .bind(u.units)
            .bind(u.drives)
            .bind(u.people)
            .execute(&mut *tx)
            .await
            .context("storing a unit's allocation")?;
        }
        tx.commit().await.context("committing the plan")?;
        Ok(PlanLoaded {
            targets: plan.targets.is_some(),
            units: plan.units.len(),
        })
    }

    /// The year's figures up to and including `until`; `drives_until_ms` bounds the drives
    /// counted (the end of `until` in the configured time zone), `year_start_ms` starts them.
    pub async fn plan_figures(
        &self,
        year: i32,
        until: NaiveDate,
        bounds: (i64, i64),
        c: &UnitConvention,
        scope: Scope,
    ) -> anyhow::Result<PlanFigures> {
        let mut conn = self.pool.acquire().await?;
        plan_figures(&mut conn, year, until, bounds, c, scope).await
    }
}

impl Tx {
    /// The year of every club of `scope`'s provinces from `from` to `to` (inclusive),
    /// ranked for the contest.
    pub async fn club_standings(
        &mut self,
        from: NaiveDate,
        to: NaiveDate,
        scope: crate::domain::scope::Scope,
    ) -> anyhow::Result<Vec<ClubStanding>> {
        club_standings(&mut self.tx, from, to, scope).await
    }

    /// The provinces of these clubs (a leader's contest is their province's).
    pub async fn club_provinces(&mut self, clubs: &[i64]) -> anyhow::Result<Vec<Province>> {
        let mut out = Vec::new();
        for chunk in clubs.chunks(super::CHUNK) {
            let mut q = super::Q::new(
                self.backend(),
                "SELECT DISTINCT province FROM clubs WHERE province IS NOT NULL AND id IN ",
            );
            super::push_list(&mut q, chunk);
            let codes: Vec<String> = q
                .build_query_scalar()
                .fetch_all(&mut *self.tx)
                .await
                .context("reading clubs' provinces")?;
            out.extend(codes.iter().filter_map(|c| Province::from_code(c)));
        }
        Ok(out)
    }

    /// Donors who gave between `from` and `to`: (name, province, donations on record before
    /// `from`, between the two, the last, their clubs). Erased donors are not in it.
    pub async fn year_donors(
        &mut self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> anyhow::Result<Vec<YearDonor>> {
        let clubs = self.backend().joined("c.name");
        let rows = sqlx::query(&format!(
            "SELECT d.full_name, d.province, \
             (SELECT COUNT(*) FROM donations n WHERE n.donor_id = d.id AND n.verified \
                AND n.donated_on < $1) AS before, \
             (SELECT COUNT(*) FROM donations n WHERE n.donor_id = d.id AND n.verified \
                AND n.donated_on >= $1 AND n.donated_on <= $2) AS in_year, \
             (SELECT COUNT(*) FROM donations n WHERE n.donor_id = d.id AND {NEW_DONOR} \
                AND n.donated_on >= $1 AND n.donated_on <= $2) AS first_in_year, \
             (SELECT MAX(n.donated_on) FROM donations n WHERE n.donor_id = d.id \
                AND n.donated_on <= $2) AS last, \
             (SELECT {clubs} FROM club_members m \
                JOIN clubs c ON c.id = m.club_id WHERE m.donor_id = d.id) AS clubs \
             FROM donors d WHERE EXISTS (SELECT 1 FROM donations n WHERE n.donor_id = d.id \
                AND n.donated_on >= $1 AND n.donated_on <= $2) \
             ORDER BY d.full_name, d.id",
        ))
        .bind(date_text(from))
        .bind(date_text(to))
        .fetch_all(&mut *self.tx)
        .await
        .context("reading the year's donors")?;
        rows.iter()
            .map(|r| {
                Ok(YearDonor {
                    name: r
                        .try_get::<Option<String>, _>("full_name")?
                        .unwrap_or_default(),
                    province: r.try_get("province")?,
                    before: r.try_get("before")?,
                    in_year: r.try_get("in_year")?,
                    first_in_year: r.try_get::<i64, _>("first_in_year")? > 0,
                    last: parse_date(r.try_get("last")?),
                    clubs: r.try_get::<Option<String>, _>("clubs")?.unwrap_or_default(),
                })
            })
            .collect()
    }

    /// Whether the plan has units a person belongs to (schools, workplaces, forces).
    /// Read once a transaction (a batch of registrations asks it for each).
    pub async fn has_person_units(&mut self) -> anyhow::Result<bool> {
        if let Some(known) = self.person_units {
            return Ok(known);
        }
        let n: i64 = sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM (SELECT 1 FROM units WHERE kind IN ({PERSON_KINDS}) LIMIT 1) AS u"
        ))
        .fetch_one(&mut *self.tx)
        .await?;
        self.person_units = Some(n > 0);
        Ok(n > 0)
    }

    /// The units a person belongs to: (id, code, name).
    /// The units a person belongs to, of this donor's province and of none (a donor who
    /// did not say their province sees those of none).
    pub async fn person_units(&mut self, donor: i64) -> anyhow::Result<Vec<(i64, String, String)>> {
        Ok(sqlx::query_as(&format!(
            "SELECT id, code, name FROM units WHERE kind IN ({PERSON_KINDS}) \
             AND (province IS NULL OR province = \
               (SELECT d.province FROM donors d WHERE d.id = $1)) ORDER BY name"
        ))
        .bind(donor)
        .fetch_all(&mut *self.tx)
        .await?)
    }

    /// The donor belongs to the unit `id` (one a person belongs to, of their province or of
    /// none, as [`Tx::person_units`] offers): its name, or `None` when there is no such unit.
    pub async fn set_donor_unit(&mut self, donor: i64, id: i64) -> anyhow::Result<Option<String>> {
        let name: Option<String> = sqlx::query_scalar(&format!(
            "SELECT name FROM units WHERE id = $1 AND kind IN ({PERSON_KINDS}) \
             AND (province IS NULL OR province = \
               (SELECT d.province FROM donors d WHERE d.id = $2))"
        ))
        .bind(id)
        .bind(donor)
        .fetch_optional(&mut *self.tx)
        .await?;
        if name.is_some() {
            sqlx::query("UPDATE donors SET unit_id = $1 WHERE id = $2")
                .bind(id)
                .bind(donor)
                .execute(&mut *self.tx)
                .await?;
        }
        Ok(name)
    }

    /// Set one of `year`'s targets (the others stay) for a province's plan, or the whole
    /// deployment's (`None`), in one statement; that plan's targets after.
    pub async fn set_year_target(
        &mut self,
        year: i32,
        province: Option<Province>,
        change: TargetChange,
        now: i64,
    ) -> anyhow::Result<YearTargets> {
        let (cols, values): (&str, [Option<i64>; 2]) = match change {
            TargetChange::Units(n) => ("units", [Some(n), None]),
            TargetChange::People(a, b) => ("people_min, people_max", [Some(a), Some(b)]),
            TargetChange::RepeatPct(p) => ("repeat_pct", [Some(p), None]),
            TargetChange::Population(n) => ("population", [Some(n), None]),
            TargetChange::PopulationShareBp(bp) => ("population_share_bp", [Some(bp), None]),
            TargetChange::Drives(n) => ("drives", [Some(n), None]),
        };
        let names: Vec<&str> = cols.split(", ").collect();
        let binds: Vec<String> = (0..names.len()).map(|i| format!("${}", i + 4)).collect();
        let set: Vec<String> = names
            .iter()
            .map(|c| format!("{c} = excluded.{c}"))
            .collect();
        let sql = format!(
            "INSERT INTO year_targets (year, updated_at, province, {cols}) \
             VALUES ($1, $2, $3, {}) \
             ON CONFLICT (year, province) DO UPDATE SET updated_at = excluded.updated_at, {}",
            binds.join(", "),
            set.join(", ")
        );
        let mut q = sqlx::query(&sql)
            .bind(year)
            .bind(now)
            .bind(province.map_or("", |p| p.code()));
        for v in values.iter().take(names.len()) {
            q = q.bind(v);
        }
        q.execute(&mut *self.tx).await.context("setting a target")?;
        let scope = province.map_or(Scope::NATION, Scope::province);
        let (whole, provinces) = year_targets(&mut self.tx, year, scope).await?;
        let set = match province {
            Some(p) => provinces.into_iter().find(|(q, _)| *q == p).map(|(_, t)| t),
            None => whole,
        };
        Ok(set.unwrap_or(YearTargets {
            year,
            ..YearTargets::default()
        }))
    }

    /// Families of two or more with a donation between `from` and `to`, most donations in
    /// that period first.
    pub async fn year_families(
        &mut self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> anyhow::Result<Vec<HonouredFamily>> {
        let names = self.backend().joined("COALESCE(d.full_name, '')");
        let rows = sqlx::query(&format!(
            "SELECT f.code, \
             (SELECT {names} FROM \
                (SELECT full_name FROM donors WHERE family_id = f.id ORDER BY full_name, id) d) \
               AS names, \
             (SELECT COUNT(*) FROM donors d WHERE d.family_id = f.id) AS members, \
             (SELECT COUNT(*) FROM donations n JOIN donors d ON d.id = n.donor_id \
                WHERE d.family_id = f.id AND n.donated_on >= $1 AND n.donated_on <= $2) \
               AS in_year, \
             (SELECT COUNT(*) FROM donations n JOIN donors d ON d.id = n.donor_id \
                WHERE d.family_id = f.id AND n.donated_on <= $2) AS total \
             FROM families f",
        ))
        .bind(date_text(from))
        .bind(date_text(to))
        .fetch_all(&mut *self.tx)
        .await
        .context("reading the families")?;
        let mut out = Vec::new();
        for r in rows {
            let (members, in_year): (i64, i64) = (r.try_get("members")?, r.try_get("in_year")?);
            if members < 2 || in_year == 0 {
                continue;
            }
            out.push(HonouredFamily {
                code: r.try_get("code")?,
                names: r
                    .try_get::<Option<String>, _>("names")?
                    .unwrap_or_default()
                    .split("; ")
                    .map(str::to_string)
                    .collect(),
                donations_in_year: in_year,
                donations: r.try_get("total")?,
            });
        }
        out.sort_by(|a, b| {
            b.donations_in_year
                .cmp(&a.donations_in_year)
                .then(b.donations.cmp(&a.donations))
                .then(a.code.cmp(&b.code))
        });
        Ok(out)
    }

    /// The clubs `donor` leads.
    pub async fn clubs_led_by(&mut self, donor: i64) -> anyhow::Result<Vec<i64>> {
        Ok(sqlx::query_scalar(
            "SELECT club_id FROM club_members WHERE donor_id = $1 AND role = 'leader'",
        )
        .bind(donor)
        .fetch_all(&mut *self.tx)
        .await?)
    }

    /// [`Store::plan_figures`] in a request's transaction (the chat's `/report 2026`).
    pub async fn plan_figures(
        &mut self,
        year: i32,
        until: NaiveDate,
        bounds: (i64, i64),
        c: &UnitConvention,
        scope: Scope,
    ) -> anyhow::Result<PlanFigures> {
        plan_figures(&mut self.tx, year, until, bounds, c, scope).await
    }
}

async fn club_standings(
    conn: &mut sqlx::AnyConnection,
    from: NaiveDate,
    to: NaiveDate,
    scope: crate::domain::scope::Scope,
) -> anyhow::Result<Vec<ClubStanding>> {
    let clubs_in = super::scope_clause("c.province", scope);
    let rows = sqlx::query(&format!(
        "SELECT c.id, c.name, \
         (SELECT COUNT(*) FROM club_members m WHERE m.club_id = c.id) AS members, \
         (SELECT COUNT(*) FROM donations n JOIN club_members m ON m.donor_id = n.donor_id \
            WHERE m.club_id = c.id AND n.donated_on >= $1 AND n.donated_on <= $2) AS donations, \
         (SELECT COUNT(*) FILTER (WHERE n.repeat_donor) FROM donations n \
            JOIN club_members m ON m.donor_id = n.donor_id \
            WHERE m.club_id = c.id AND n.donated_on >= $1 AND n.donated_on <= $2) AS repeats, \
         (SELECT COUNT(*) FROM club_members m WHERE m.club_id = c.id \
            AND EXISTS (SELECT 1 FROM donations n WHERE n.donor_id = m.donor_id \
              AND {NEW_DONOR} AND n.donated_on >= $1 AND n.donated_on <= $2)) AS new_donors \
         FROM clubs c WHERE 1 = 1{clubs_in}",
    ))
    .bind(date_text(from))
    .bind(date_text(to))
    .fetch_all(&mut *conn)
    .await
    .context("reading the clubs' year")?;
    let mut out = rows
        .iter()
        .map(|r| {
            Ok(ClubStanding {
                club_id: r.try_get("id")?,
                name: r.try_get("name")?,
                members: r.try_get("members")?,
                donations: r.try_get("donations")?,
                new_donors: r.try_get("new_donors")?,
                repeat: r.try_get("repeats")?,
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    rank_clubs(&mut out);
    Ok(out)
}

/// A year's targets within `scope`, and each province's (those of the scope). The whole
/// country's are the provinces' added up when any province has a plan, else the
/// deployment's own (province ''); a province's staff read their provinces' plans.
async fn year_targets(
    conn: &mut sqlx::AnyConnection,
    year: i32,
    scope: Scope,
) -> anyhow::Result<(Option<YearTargets>, Vec<(Province, YearTargets)>)> {
    let mut whole = None;
    let mut provinces = Vec::new();
    for r in sqlx::query("SELECT * FROM year_targets WHERE year = $1")
        .bind(year)
        .fetch_all(&mut *conn)
        .await?
    {
        let t = YearTargets {
            year,
            units: r.try_get("units")?,
            people_min: r.try_get("people_min")?,
            people_max: r.try_get("people_max")?,
            repeat_pct: r.try_get("repeat_pct")?,
            population: r.try_get("population")?,
            population_share_bp: r.try_get("population_share_bp")?,
            drives: r.try_get("drives")?,
        };
        let code: String = r.try_get("province")?;
        match Province::from_code(&code) {
            Some(p) if scope.covers(Some(p)) => provinces.push((p, t)),
            Some(_) => {}
            None if code.is_empty() && scope.is_nation() => whole = Some(t),
            None => {}
        }
    }
    let ours: Vec<YearTargets> = provinces.iter().map(|(_, t)| t.clone()).collect();
    let targets = YearTargets::sum(year, &ours).or(whole);
    Ok((targets, provinces))
}

/// The year's figures within a staff `scope` (stored provinces: a donation's, a drive's, a
/// person reached's, a unit's), with each province's line when the scope holds several.
async fn plan_figures(
    conn: &mut sqlx::AnyConnection,
    year: i32,
    until: NaiveDate,
    (year_start_ms, drives_until_ms): (i64, i64),
    c: &UnitConvention,
    scope: Scope,
) -> anyhow::Result<PlanFigures> {
    let (targets, province_targets) = year_targets(conn, year, scope).await?;
    let units = units_sql(c);
    let from = format!("{year:04}-01-01");
    let to = date_text(until);
    let donations_in = scope_clause("n.province", scope);
    let totals = sqlx::query(&format!(
        "SELECT {units} AS units, COUNT(*) AS donations, \
         COUNT(*) FILTER (WHERE n.repeat_donor) AS repeats, \
         COUNT(DISTINCT n.donor_id) + COUNT(*) FILTER (WHERE n.donor_id IS NULL) \
           AS donors \
         FROM donations n WHERE n.donated_on >= $1 AND n.donated_on <= $2{donations_in}"
    ))
    .bind(&from)
    .bind(&to)
    .fetch_one(&mut *conn)
    .await
    .context("reading the year's donations")?;
    // The same period a year before (29 February becomes the 28th).
    let last_until = until
        .with_year(year - 1)
        .or_else(|| until.pred_opt().and_then(|d| d.with_year(year - 1)))
        .unwrap_or(until);
    let units_last_year: f64 = sqlx::query_scalar(&format!(
        "SELECT {units} FROM donations n WHERE n.donated_on >= $1 AND n.donated_on <= $2\
         {donations_in}"
    ))
    .bind(format!("{:04}-01-01", year - 1))
    .bind(date_text(last_until))
    .fetch_one(&mut *conn)
    .await?;
    let mut by_month = [0.0; 12];
    for r in sqlx::query(&format!(
        "SELECT CAST(substr(n.donated_on, 6, 2) AS INTEGER) AS month, {units} AS units \
         FROM donations n WHERE n.donated_on >= $1 AND n.donated_on <= $2{donations_in} \
         GROUP BY month"
    ))
    .bind(&from)
    .bind(&to)
    .fetch_all(&mut *conn)
    .await?
    {
        let month: i64 = r.try_get("month")?;
        if let Some(slot) = usize::try_from(month - 1)
            .ok()
            .and_then(|m| by_month.get_mut(m))
        {
            *slot = r.try_get("units")?;
        }
    }
    let reached: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM campaign_reach r JOIN campaigns c ON c.id = r.campaign_id \
         WHERE c.year = $1{}",
        scope_clause("r.province", scope)
    ))
    .bind(year)
    .fetch_one(&mut *conn)
    .await?;
    // A fixed point's open day is not a drive (đợt) of the plan: counted apart.
    let (drives, fixed_days): (i64, i64) = sqlx::query_as(&format!(
        "SELECT COUNT(*) FILTER (WHERE fixed_point_id IS NULL), \
         COUNT(*) FILTER (WHERE fixed_point_id IS NOT NULL) \
         FROM drives WHERE {DRIVE_HELD} AND starts_at >= $1 AND starts_at < $2{}",
        scope_clause("province", scope)
    ))
    .bind(year_start_ms)
    .bind(drives_until_ms)
    .fetch_one(&mut *conn)
    .await?;
    let mut unit_rows = Vec::new();
    for r in sqlx::query(&format!(
        "SELECT u.code, u.name, u.kind, u.illustrative, t.units AS target_units, \
         t.drives AS target_drives, \
         (SELECT {units} FROM donations n WHERE n.unit_id = u.id \
            AND n.donated_on >= $2 AND n.donated_on <= $3) AS units_done, \
         (SELECT COUNT(*) FROM donations n WHERE n.unit_id = u.id \
            AND n.donated_on >= $2 AND n.donated_on <= $3) AS donations \
         FROM units u LEFT JOIN unit_targets t ON t.unit_id = u.id AND t.year = $1 \
         WHERE 1 = 1{} ORDER BY u.kind, u.name",
        scope_clause("u.province", scope)
    ))
    .bind(year)
    .bind(&from)
    .bind(&to)
    .fetch_all(&mut *conn)
    .await
    .context("reading the units")?
    {
        let kind: String = r.try_get("kind")?;
        unit_rows.push(UnitFigures {
            code: r.try_get("code")?,
            name: r.try_get("name")?,
            kind: UnitKind::from_code(&kind).unwrap_or(UnitKind::Other),
            illustrative: super::flag(&r, "illustrative")?,
            target_units: r.try_get("target_units")?,
            target_drives: r.try_get("target_drives")?,
            units_done: r.try_get("units_done")?,
            donations: r.try_get("donations")?,
        });
    }
    Ok(PlanFigures {
        year,
        until,
        targets,
        units_done: totals.try_get("units")?,
        units_last_year,
        donations: totals.try_get("donations")?,
        repeat: totals.try_get("repeats")?,
        donors: totals.try_get::<Option<i64>, _>("donors")?.unwrap_or(0),
        reached,
        drives,
        fixed_days,
        by_month,
        units: unit_rows,
        provinces: match scope.single() {
            Some(_) => Vec::new(),
            None => {
                province_years(
                    conn,
                    year,
                    (&from, &to),
                    (year_start_ms, drives_until_ms),
                    &units,
                    scope,
                    province_targets,
                )
                .await?
            }
        },
    })
}

/// Each province's year within `scope` (the roll-up's lines): the provinces with a plan
/// or with anything counted, by name; none when that is one province.
async fn province_years(
    conn: &mut sqlx::AnyConnection,
    year: i32,
    (from, to): (&str, &str),
    (year_start_ms, drives_until_ms): (i64, i64),
    units: &str,
    scope: Scope,
    targets: Vec<(Province, YearTargets)>,
) -> anyhow::Result<Vec<ProvinceYear>> {
    let donations = sqlx::query(&format!(
        "SELECT n.province, {units} AS units, COUNT(*) AS donations, \
         COUNT(*) FILTER (WHERE n.repeat_donor) AS repeats FROM donations n \
         WHERE n.donated_on >= $1 AND n.donated_on <= $2 AND n.province IS NOT NULL{} \
         GROUP BY n.province",
        scope_clause("n.province", scope)
    ))
    .bind(from)
    .bind(to)
    .fetch_all(&mut *conn)
    .await
    .context("reading the provinces' donations")?;
    let reached = sqlx::query(&format!(
        "SELECT r.province, COUNT(*) AS n FROM campaign_reach r \
         JOIN campaigns c ON c.id = r.campaign_id \
         WHERE c.year = $1 AND r.province IS NOT NULL{} GROUP BY r.province",
        scope_clause("r.province", scope)
    ))
    .bind(year)
    .fetch_all(&mut *conn)
    .await
    .context("reading the provinces' reach")?;
    let drives = sqlx::query(&format!(
        "SELECT province, COUNT(*) AS n FROM drives WHERE {DRIVE_HELD} \
         AND fixed_point_id IS NULL AND starts_at >= $1 AND starts_at < $2{} GROUP BY province",
        scope_clause("province", scope)
    ))
    .bind(year_start_ms)
    .bind(drives_until_ms)
    .fetch_all(&mut *conn)
    .await
    .context("reading the provinces' drives")?;
    let mut by: std::collections::BTreeMap<Province, ProvinceYear> = Default::default();
    let blank = |p: Province| ProvinceYear {
        province: p,
        targets: None,
        units_done: 0.0,
        donations: 0,
        repeat: 0,
        reached: 0,
        drives: 0,
    };
    for (p, t) in targets {
        by.entry(p).or_insert_with(|| blank(p)).targets = Some(t);
    }
    /// The line of a row's province (one of the scope's).
    fn entry<'m>(
        by: &'m mut std::collections::BTreeMap<Province, ProvinceYear>,
        row: &sqlx::any::AnyRow,
        scope: Scope,
        blank: impl Fn(Province) -> ProvinceYear,
    ) -> anyhow::Result<Option<&'m mut ProvinceYear>> {
        let code: Option<String> = row.try_get("province")?;
        Ok(code
            .as_deref()
            .and_then(Province::from_code)
            .filter(|p| scope.covers(Some(*p)))
            .map(|p| by.entry(p).or_insert_with(|| blank(p))))
    }
    for r in &donations {
        if let Some(y) = entry(&mut by, r, scope, blank)? {
            y.units_done = r.try_get("units")?;
            y.donations = r.try_get("donations")?;
            y.repeat = r.try_get("repeats")?;
        }
    }
    for r in &reached {
        if let Some(y) = entry(&mut by, r, scope, blank)? {
            y.reached = r.try_get("n")?;
        }
    }
    for r in &drives {
        if let Some(y) = entry(&mut by, r, scope, blank)? {
            y.drives = r.try_get("n")?;
        }
    }
    let mut out: Vec<ProvinceYear> = by.into_values().collect();
    // One province's line would only say the total again (a deployment for one province).
    if out.len() < 2 {
        out.clear();
    }
    out.sort_by_key(|y| crate::domain::text::fold(y.province.name()));
    Ok(out)
}
