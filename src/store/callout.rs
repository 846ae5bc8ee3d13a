//! SQL for urgent call-outs: matching donors by tier, recording whom each wave asked and what
//! they answered, closing, stock levels. Matching walks the `donors_match*` indexes in
//! response-score order, one compatible group at a time, and stops at the wave's size.

use super::club::{BEST_IDENTITY, Recipient};
use super::{Backend, Q};
use super::{CHUNK, Store, Tx, date_text, push_list};
use crate::domain::callout::{
    Answer, CalloutInfo, CalloutSpec, Elsewhere, PREVIEW_CAP, PatientGroup, PledgeOutcome, Status,
    Tier, WaveTally, donor_codes,
};
use crate::domain::eligibility::{DonationKind, Rules};
use crate::domain::province::Province;
use anyhow::Context;
use chrono::{Days, Months, NaiveDate};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, FromRow, Row};
use std::collections::HashSet;

/// Whom a call-out may ask, as the store needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct MatchQuery {
    /// The call-out (its own asks are excluded), or `None` for a preview.
    pub callout: Option<i64>,
    pub codes: Vec<String>,
    pub province: String,
    /// Deferrals and intervals are checked against this day (the deadline's).
    pub deadline_day: String,
    /// Last whole-blood donation on or before this day.
    pub whole_blood_cutoff: String,
    /// Last apheresis donation on or before this day.
    pub apheresis_cutoff: String,
    /// Born on or before / after these days: of age on the deadline.
    pub born_by: String,
    pub born_after: String,
    pub min_weight_female: f64,
    pub min_weight_male: f64,
    /// Asked by any call-out since this time: resting.
    pub rest_since: i64,
}

impl MatchQuery {
    pub fn new(
        callout: Option<i64>,
        spec: &CalloutSpec,
        rules: &Rules,
        deadline_day: NaiveDate,
        rest_since: i64,
    ) -> MatchQuery {
        let back = |days: u64| {
            date_text(
                deadline_day
                    .checked_sub_days(Days::new(days))
                    .unwrap_or(NaiveDate::MIN),
            )
        };
        let years_back = |years: i32| {
            deadline_day
                .checked_sub_months(Months::new(12 * years.max(0) as u32))
                .unwrap_or(NaiveDate::MIN)
        };
        let apheresis = spec.component != DonationKind::WholeBlood;
        let weight = |w: f64| {
            if apheresis {
                w.max(rules.apheresis_min_weight_kg)
            } else {
                w
            }
        };
        MatchQuery {
            callout,
            codes: donor_codes(spec.group, spec.component),
            province: spec.province.code().to_string(),
            deadline_day: date_text(deadline_day),
            whole_blood_cutoff: back(rules.whole_blood_interval_days),
            apheresis_cutoff: back(
                rules
                    .platelets_interval_days
                    .max(rules.plasma_interval_days),
            ),
            born_by: date_text(years_back(rules.min_age)),
            born_after: date_text(years_back(rules.max_age + 1)),
            min_weight_female: weight(rules.min_weight_female_kg),
            min_weight_male: weight(rules.min_weight_male_kg),
            rest_since,
        }
    }
}

/// Everything a donor must be to be asked (the `?` are bound by [`bind_filters`]).
const FILTERS: &str = "d.registered_at IS NOT NULL AND NOT d.supporter AND NOT d.urgent_off \
     AND (d.deferred_until IS NULL OR d.deferred_until <= ?) \
     AND (d.last_donation_kind IS NULL OR d.last_donation_kind = 'never' \
          OR d.last_donation_forgotten \
          OR (d.last_donation_kind = 'whole_blood' AND d.last_donation_date <= ?) \
          OR (d.last_donation_kind IN ('platelets', 'plasma') AND d.last_donation_date <= ?)) \
     AND (d.birth_date IS NULL OR (d.birth_date <= ? AND d.birth_date > ?)) \
     AND (d.weight_kg IS NULL OR d.weight_kg >= CASE d.sex WHEN 'female' THEN ? ELSE ? END) \
     AND NOT EXISTS (SELECT 1 FROM callout_asks a WHERE a.donor_id = d.id \
                     AND (a.callout_id = ? OR a.asked_at > ?)) \
     AND EXISTS (SELECT 1 FROM channel_identities i WHERE i.donor_id = d.id \
                 AND i.unreachable_at IS NULL)";

fn bind_filters<'q>(
    mut q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    m: &'q MatchQuery,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    q = q
        .bind(&m.deadline_day)
        .bind(&m.whole_blood_cutoff)
        .bind(&m.apheresis_cutoff)
        .bind(&m.born_by)
        .bind(&m.born_after)
        .bind(m.min_weight_female)
        .bind(m.min_weight_male)
        .bind(m.callout.unwrap_or(-1))
        .bind(m.rest_since);
    q
}

/// A donor chosen for a wave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    pub donor_id: i64,
    pub tier: Tier,
    pub score: i64,
    pub night: bool,
}

/// What came of a donor's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answered {
    /// Not asked by this call-out (or erased since).
    NotAsked,
    /// The call-out is no longer open.
    Closed(Status),
    /// Recorded; `changed` is false when the same answer was given before.
    Pledged {
        code: String,
        changed: bool,
    },
    Declined {
        changed: bool,
    },
}

pub use crate::domain::callout::Pledge;

/// A donor's own pending ask or pledge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MyAsk {
    pub info: CalloutInfo,
    pub answer: Option<Answer>,
    pub code: Option<String>,
}

/// A blood group's stock level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockLevel {
    pub group: PatientGroup,
    pub units: i64,
    pub threshold: i64,
    pub updated_at: i64,
}

const CALLOUT_COLUMNS: &str = "c.id, c.blood_group, c.component, c.units, c.hospital, c.address, \
     c.province, c.deadline_at, c.note, c.status, c.next_wave_at";

/// A call-out's row ([`CALLOUT_COLUMNS`]).
#[derive(sqlx::FromRow)]
struct CalloutRow {
    id: i64,
    blood_group: String,
    component: String,
    units: i64,
    hospital: String,
    address: String,
    province: String,
    deadline_at: i64,
    note: String,
    status: Status,
    next_wave_at: Option<i64>,
}

fn spec_from_row(r: &AnyRow) -> anyhow::Result<(i64, CalloutSpec, Status, Option<i64>)> {
    let r = CalloutRow::from_row(r).context("a call-out's row")?;
    Ok((
        r.id,
        CalloutSpec {
            group: PatientGroup::from_code(&r.blood_group).context("a stored call-out's group")?,
            component: DonationKind::from_code(&r.component).context("a stored component")?,
            units: u32::try_from(r.units).unwrap_or(1),
            hospital: r.hospital,
            address: r.address,
            province: Province::from_code(&r.province).context("a stored province")?,
            deadline: r.deadline_at,
            note: r.note,
        },
        r.status,
        r.next_wave_at,
    ))
}

async fn callout_info(conn: &mut AnyConnection, id: i64) -> anyhow::Result<Option<CalloutInfo>> {
    let Some(row) = sqlx::query(&format!(
        "SELECT {CALLOUT_COLUMNS} FROM callouts c WHERE c.id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let (id, spec, status, next_wave_at) = spec_from_row(&row)?;
    let rows = sqlx::query(
        "SELECT wave, COUNT(*) AS asked, \
           COUNT(*) FILTER (WHERE answer = 'pledged') AS pledged, \
           COUNT(*) FILTER (WHERE answer = 'declined') AS declined, \
           COUNT(*) FILTER (WHERE outcome = 'donated') AS donated, \
           COUNT(*) FILTER (WHERE outcome = 'no_show') AS no_show \
         FROM callout_asks WHERE callout_id = $1 GROUP BY wave ORDER BY wave",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let mut waves = Vec::new();
    let (mut donated, mut no_show) = (0, 0);
    for r in rows {
        let wave: i64 = r.try_get("wave")?;
        while (waves.len() as i64) < wave - 1 {
            waves.push(WaveTally::default());
        }
        waves.push(WaveTally {
            asked: r.try_get("asked")?,
            pledged: r.try_get::<Option<i64>, _>("pledged")?.unwrap_or(0),
            declined: r.try_get::<Option<i64>, _>("declined")?.unwrap_or(0),
        });
        donated += r.try_get::<Option<i64>, _>("donated")?.unwrap_or(0);
        no_show += r.try_get::<Option<i64>, _>("no_show")?.unwrap_or(0);
    }
    let wave_count: i64 = sqlx::query_scalar("SELECT waves FROM callouts WHERE id = $1")
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
    while (waves.len() as i64) < wave_count {
        waves.push(WaveTally::default());
    }
    Ok(Some(CalloutInfo {
        id,
        spec,
        status,
        waves,
        donated,
        no_show,
        next_wave_at: next_wave_at.filter(|_| status == Status::Open),
    }))
}

/// Donors matching `m` in one tier, best first, at most `limit`.
///
/// One index range per compatible group, merged: `blood_group IN (…) ORDER BY score` would
/// read and sort every donor of a common group; each range is read in score order and stops
/// at `limit`. The reserve tiers read the partial indexes of reserve members (migration
/// 0008), so a rare group costs a few rows whatever the size of the register.
async fn tier_candidates(
    conn: &mut AnyConnection,
    m: &MatchQuery,
    tier: Tier,
    limit: usize,
) -> anyhow::Result<Vec<Candidate>> {
    let mut out = Vec::new();
    if limit == 0 || m.codes.is_empty() {
        return Ok(out);
    }
    let (index, reserve, in_province) = match tier {
        Tier::ReserveProvince => ("donors_reserve_province", "AND d.reserve", true),
        Tier::ReserveNation => ("donors_reserve", "AND d.reserve", false),
        Tier::Province => ("donors_match_province", "", true),
        Tier::Nation => ("donors_match", "", false),
    };
    let province = if in_province {
        "AND d.province = ?"
    } else {
        ""
    };
    let backend = Backend::of(conn);
    // SQLite is told which index to read (its planner may pick the wrong one for a rare
    // group); PostgreSQL's planner has the statistics to choose.
    let hint = match backend {
        Backend::Sqlite => format!("INDEXED BY {index}"),
        Backend::Postgres => String::new(),
    };
    let sql = format!(
        "SELECT d.id, d.response_score, d.night_alerts FROM donors d {hint} \
         WHERE d.blood_group = ? {province} {reserve} AND {FILTERS} \
         ORDER BY d.response_score DESC, d.id LIMIT ?"
    );
    let sql = backend.sql(&sql);
    for code in &m.codes {
        let mut q = sqlx::query(&sql).bind(code);
        if in_province {
            q = q.bind(&m.province);
        }
        q = bind_filters(q, m).bind(limit as i64);
        for r in q.fetch_all(&mut *conn).await? {
            out.push(Candidate {
                donor_id: r.try_get("id")?,
                tier,
                score: r.try_get("response_score")?,
                night: super::flag(&r, "night_alerts")?,
            });
        }
    }
    out.sort_by_key(|c| (-c.score, c.donor_id));
    out.truncate(limit);
    Ok(out)
}

/// The next `size` donors to ask, tier by tier: reserve clubs (province, then nationwide),
/// the province, the nation.
pub(super) async fn choose_wave(
    conn: &mut AnyConnection,
    m: &MatchQuery,
    size: usize,
) -> anyhow::Result<Vec<Candidate>> {
    let mut chosen: Vec<Candidate> = Vec::new();
    let mut seen: HashSet<i64> = HashSet::new();
    for tier in Tier::ALL {
        let need = size - chosen.len();
        if need == 0 {
            break;
        }
        // Earlier tiers' donors come again in later ones: read enough to skip them.
        for c in tier_candidates(conn, m, tier, need + chosen.len()).await? {
            if chosen.len() == size {
                break;
            }
            if seen.insert(c.donor_id) {
                chosen.push(c);
            }
        }
    }
    Ok(chosen)
}

impl Store {
    /// The first wave a call-out would ask (for the benchmark and the preview).
    pub async fn choose_wave(&self, m: &MatchQuery, size: usize) -> anyhow::Result<Vec<Candidate>> {
        let mut conn = self.pool.acquire().await?;
        choose_wave(&mut conn, m, size).await
    }

    pub async fn callout(&self, id: i64) -> anyhow::Result<Option<CalloutInfo>> {
        let mut conn = self.pool.acquire().await?;
        callout_info(&mut conn, id).await
    }

    /// Open call-outs whose next wave is due, or whose deadline has passed.
    pub async fn due_callouts(&self, now: i64) -> anyhow::Result<Vec<i64>> {
        Ok(sqlx::query_scalar(
            "SELECT id FROM callouts WHERE status = 'open' \
             AND (next_wave_at <= $1 OR deadline_at <= $1) ORDER BY id",
        )
        .bind(now)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn stock_levels(&self) -> anyhow::Result<Vec<StockLevel>> {
        let mut conn = self.pool.acquire().await?;
        stock_levels(&mut conn).await
    }

    pub async fn set_stock(
        &self,
        group: PatientGroup,
        units: i64,
        threshold: Option<i64>,
        by: &str,
        now: i64,
    ) -> anyhow::Result<()> {
        let mut conn = self.pool.acquire().await?;
        set_stock(&mut conn, group, units, threshold, by, now).await
    }
}

async fn stock_levels(conn: &mut AnyConnection) -> anyhow::Result<Vec<StockLevel>> {
    let rows = sqlx::query(
        "SELECT blood_group, units, threshold, updated_at FROM stock ORDER BY blood_group",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::new();
    for r in rows {
        let code: String = r.try_get("blood_group")?;
        if let Some(group) = PatientGroup::from_code(&code) {
            out.push(StockLevel {
                group,
                units: r.try_get("units")?,
                threshold: r.try_get("threshold")?,
                updated_at: r.try_get("updated_at")?,
            });
        }
    }
    Ok(out)
}

/// Set a group's level; the threshold is kept when not given (default 10 for a new group).
async fn set_stock(
    conn: &mut AnyConnection,
    group: PatientGroup,
    units: i64,
    threshold: Option<i64>,
    by: &str,
    now: i64,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO stock (blood_group, units, threshold, updated_at, updated_by) \
         VALUES ($1, $2, COALESCE($3, 10), $4, $5) \
         ON CONFLICT (blood_group) DO UPDATE SET units = excluded.units, \
           threshold = COALESCE($3, stock.threshold), updated_at = excluded.updated_at, \
           updated_by = excluded.updated_by, \
           alerted_at = CASE WHEN excluded.units >= COALESCE($3, stock.threshold) \
                        THEN NULL ELSE stock.alerted_at END",
    )
    .bind(group.code())
    .bind(units)
    .bind(threshold)
    .bind(now)
    .bind(by)
    .execute(&mut *conn)
    .await
    .context("setting a stock level")?;
    Ok(())
}

impl Tx {
    /// Which of these call-outs are still open.
    pub async fn open_callouts_among(
        &mut self,
        ids: &[i64],
    ) -> anyhow::Result<std::collections::HashSet<i64>> {
        let mut open = std::collections::HashSet::new();
        for chunk in ids.chunks(CHUNK) {
            let mut q = Q::new(
                self.backend(),
                "SELECT id FROM callouts WHERE status = 'open' AND id IN ",
            );
            push_list(&mut q, chunk);
            open.extend(
                q.build_query_scalar::<i64>()
                    .fetch_all(&mut *self.tx)
                    .await?,
            );
        }
        Ok(open)
    }

    /// Take the database's write lock now (a read-then-write transaction could otherwise fail
    /// to upgrade when another writer got in between); a unit for people widens to the
    /// whole database first ([`Tx::widen`]).
    pub async fn lock_for_write(&mut self) -> anyhow::Result<()> {
        self.widen().await?;
        super::drive::lock_for_write(&mut self.tx).await
    }

    pub async fn create_callout(
        &mut self,
        spec: &CalloutSpec,
        created_by: Option<i64>,
        actor: &str,
        now: i64,
    ) -> anyhow::Result<i64> {
        sqlx::query_scalar(
            "INSERT INTO callouts (created_by, actor, created_at, blood_group, component, units, \
             hospital, address, province, deadline_at, note, next_wave_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $3) RETURNING id",
        )
        .bind(created_by)
        .bind(actor)
        .bind(now)
        .bind(spec.group.code())
        .bind(spec.component.code())
        .bind(i64::from(spec.units))
        .bind(&spec.hospital)
        .bind(&spec.address)
        .bind(spec.province.code())
        .bind(spec.deadline)
        .bind(&spec.note)
        .fetch_one(&mut *self.tx)
        .await
        .context("creating a call-out")
    }

    pub async fn callout(&mut self, id: i64) -> anyhow::Result<Option<CalloutInfo>> {
        callout_info(&mut self.tx, id).await
    }

    /// The coordinator's account of a call-out.
    pub async fn callout_owner(&mut self, id: i64) -> anyhow::Result<Option<i64>> {
        Ok(
            sqlx::query_scalar::<_, Option<i64>>("SELECT created_by FROM callouts WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *self.tx)
                .await?
                .flatten(),
        )
    }

    /// Open call-outs and those closed in the last day, newest first.
    /// Open call-outs and those closed since `since`, of a staff scope's provinces.
    pub async fn recent_callouts(
        &mut self,
        since: i64,
        scope: crate::domain::scope::Scope,
    ) -> anyhow::Result<Vec<CalloutInfo>> {
        let sql = format!(
            "SELECT id FROM callouts WHERE (status = 'open' OR closed_at >= $1){} \
             ORDER BY id DESC LIMIT 10",
            super::scope_clause("province", scope)
        );
        let ids: Vec<i64> = sqlx::query_scalar(&sql)
            .bind(since)
            .fetch_all(&mut *self.tx)
            .await?;
        let mut out = Vec::new();
        for id in ids {
            out.extend(callout_info(&mut self.tx, id).await?);
        }
        Ok(out)
    }

    /// How many donors each widening step would reach (cumulative), for the preview. Each
    /// count stops at `PREVIEW_CAP + 1` (shown as "more than 1,000"): an exact 370,000 for an
    /// O+ patient costs seconds the coordinator is waiting, and says nothing more.
    pub async fn match_counts(&mut self, m: &MatchQuery) -> anyhow::Result<[i64; 4]> {
        let mut out = [0; 4];
        for (i, tier) in Tier::ALL.iter().enumerate() {
            // Cumulative: each step adds to the one before.
            let (scope, province) = match tier {
                Tier::ReserveProvince => ("d.reserve AND d.province = ?", true),
                Tier::ReserveNation => ("d.reserve", false),
                Tier::Province => ("(d.reserve OR d.province = ?)", true),
                Tier::Nation => ("1 = 1", false),
            };
            let mut qb = Q::new(
                self.backend(),
                "SELECT COUNT(*) FROM (SELECT 1 FROM donors d WHERE d.blood_group IN ",
            );
            push_list(&mut qb, &m.codes);
            // The rest binds in order after the list (anonymous placeholders).
            qb.push(format!(" AND {scope} AND {FILTERS} LIMIT ?) AS m"));
            let mut q = qb.build();
            if province {
                q = q.bind(&m.province);
            }
            let q = bind_filters(q, m).bind(PREVIEW_CAP + 1);
            out[i] = q.fetch_one(&mut *self.tx).await?.try_get(0)?;
        }
        Ok(out)
    }

    /// How many donors the widest step would reach outside the call-out's province, and
    /// in how many provinces (of the first `PREVIEW_CAP + 1` found).
    pub async fn match_elsewhere(&mut self, m: &MatchQuery) -> anyhow::Result<Elsewhere> {
        let mut qb = Q::new(
            self.backend(),
            "SELECT COUNT(*), COUNT(DISTINCT province) FROM (SELECT d.province FROM donors d \
             WHERE d.blood_group IN ",
        );
        push_list(&mut qb, &m.codes);
        qb.push(format!(
            " AND d.province IS NOT NULL AND d.province <> ? AND {FILTERS} LIMIT ?) AS m"
        ));
        let q = qb.build().bind(&m.province);
        let q = bind_filters(q, m).bind(PREVIEW_CAP + 1);
        let row = q
            .fetch_one(&mut *self.tx)
            .await
            .context("counting donors in other provinces")?;
        Ok(Elsewhere {
            donors: row.try_get(0)?,
            provinces: row.try_get(1)?,
        })
    }

    pub async fn choose_wave(
        &mut self,
        m: &MatchQuery,
        size: usize,
    ) -> anyhow::Result<Vec<Candidate>> {
        choose_wave(&mut self.tx, m, size).await
    }

    /// Record a wave's asks; returns those actually added (a donor is asked once per
    /// call-out, whatever runs twice).
    pub async fn add_asks(
        &mut self,
        callout: i64,
        wave: i64,
        asks: &[Candidate],
        now: i64,
    ) -> anyhow::Result<Vec<Candidate>> {
        let mut added = Vec::new();
        for c in asks {
            let n = sqlx::query(
                "INSERT INTO callout_asks (callout_id, donor_id, wave, tier, asked_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            )
            .bind(callout)
            .bind(c.donor_id)
            .bind(wave)
            .bind(c.tier as i64)
            .bind(now)
            .execute(&mut *self.tx)
            .await?
            .rows_affected();
            if n == 1 {
                sqlx::query("UPDATE donors SET response_score = response_score - 1 WHERE id = $1")
                    .bind(c.donor_id)
                    .execute(&mut *self.tx)
                    .await?;
                added.push(*c);
            }
        }
        Ok(added)
    }

    /// A wave was asked: count it and set when the next one is due.
    pub async fn set_wave(
        &mut self,
        id: i64,
        wave: i64,
        next_wave_at: Option<i64>,
    ) -> anyhow::Result<()> {
        sqlx::query("UPDATE callouts SET waves = $2, next_wave_at = $3 WHERE id = $1")
            .bind(id)
            .bind(wave)
            .bind(next_wave_at)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Remember the ask in the donor's conversation, so a bare "1" or "2" answers it.
    pub async fn note_ask(&mut self, identity: i64, callout: i64, from: i64) -> anyhow::Result<()> {
        let sql = match self.backend() {
            super::Backend::Sqlite => {
                "UPDATE conversations SET state = json_set(state, '$.ask', json($2)) \
                 WHERE identity_id = $1 AND json_valid(state)"
            }
            // The state is always a JSON object written by the engine; anything else is
            // left alone, as on SQLite.
            super::Backend::Postgres => {
                "UPDATE conversations SET state = jsonb_set(state::jsonb, '{ask}', $2::jsonb)::text \
                 WHERE identity_id = $1 AND state LIKE '{%}'"
            }
        };
        sqlx::query(sql)
            .bind(identity)
            .bind(serde_json::json!({ "callout": callout, "from": from }).to_string())
            .execute(&mut *self.tx)
            .await
            .context("noting an ask in a conversation")?;
        Ok(())
    }

    /// A donor's answer. A pledge gets a code; the answer may change while the call-out is
    /// open (a donor who can no longer come says so).
    pub async fn answer_callout(
        &mut self,
        callout: i64,
        donor: i64,
        pledge: bool,
        code: &str,
        now: i64,
    ) -> anyhow::Result<Answered> {
        let status: Option<String> =
            sqlx::query_scalar("SELECT status FROM callouts WHERE id = $1")
                .bind(callout)
                .fetch_optional(&mut *self.tx)
                .await?;
        let row = sqlx::query(
            "SELECT answer, pledge_code FROM callout_asks WHERE callout_id = $1 AND donor_id = $2",
        )
        .bind(callout)
        .bind(donor)
        .fetch_optional(&mut *self.tx)
        .await?;
        let (Some(status), Some(row)) = (status, row) else {
            return Ok(Answered::NotAsked);
        };
        let before: Option<String> = row.try_get("answer")?;
        let old_code: Option<String> = row.try_get("pledge_code")?;
        let status = Status::from_code(&status).unwrap_or(Status::Expired);
        if status != Status::Open {
            return Ok(Answered::Closed(status));
        }
        let answer = if pledge {
            Answer::Pledged
        } else {
            Answer::Declined
        };
        let changed = before.as_deref().and_then(Answer::from_code) != Some(answer);
        let code = old_code.unwrap_or_else(|| code.to_string());
        if changed {
            sqlx::query(
                "UPDATE callout_asks SET answer = $3, answered_at = $4, \
                 pledge_code = CASE WHEN $3 = 'pledged' THEN $5 ELSE pledge_code END \
                 WHERE callout_id = $1 AND donor_id = $2",
            )
            .bind(callout)
            .bind(donor)
            .bind(answer.code())
            .bind(now)
            .bind(&code)
            .execute(&mut *self.tx)
            .await?;
            if before.is_none() {
                sqlx::query("UPDATE donors SET response_score = response_score + 2 WHERE id = $1")
                    .bind(donor)
                    .execute(&mut *self.tx)
                    .await?;
            }
        }
        Ok(if pledge {
            Answered::Pledged { code, changed }
        } else {
            Answered::Declined { changed }
        })
    }

    pub async fn pledged_count(&mut self, callout: i64) -> anyhow::Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM callout_asks WHERE callout_id = $1 AND answer = 'pledged'",
        )
        .bind(callout)
        .fetch_one(&mut *self.tx)
        .await?)
    }

    /// Close an open call-out. Returns the donors to tell it is covered: those whose ask
    /// went out and who did not answer. Asks still waiting in the outbox are withdrawn.
    pub async fn close_callout(
        &mut self,
        id: i64,
        status: Status,
        now: i64,
    ) -> anyhow::Result<Option<Vec<i64>>> {
        let n = sqlx::query(
            "UPDATE callouts SET status = $2, closed_at = $3, next_wave_at = NULL \
             WHERE id = $1 AND status = 'open'",
        )
        .bind(id)
        .bind(status.code())
        .bind(now)
        .execute(&mut *self.tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Ok(None);
        }
        // Keys `callout:<id>:ask:<donor>:<identity>:<part>`: one index range.
        let asks = super::KeyFamily::CalloutAsks { callout: id };
        let lo = asks.prefix();
        let withdrawn: HashSet<i64> = self
            .withdraw_pending(asks, now)
            .await?
            .iter()
            .filter_map(|k| k.strip_prefix(&lo)?.split(':').next()?.parse().ok())
            .collect();
        let silent: Vec<i64> = sqlx::query_scalar(
            "SELECT donor_id FROM callout_asks WHERE callout_id = $1 AND answer IS NULL \
             ORDER BY donor_id",
        )
        .bind(id)
        .fetch_all(&mut *self.tx)
        .await?;
        Ok(Some(
            silent
                .into_iter()
                .filter(|d| !withdrawn.contains(d))
                .collect(),
        ))
    }

    /// When a call-out started (unix ms).
    pub async fn callout_started_at(&mut self, id: i64) -> anyhow::Result<Option<i64>> {
        sqlx::query_scalar("SELECT created_at FROM callouts WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await
            .context("reading when a call-out started")
    }

    pub async fn extend_callout(&mut self, id: i64, deadline: i64) -> anyhow::Result<bool> {
        Ok(
            sqlx::query("UPDATE callouts SET deadline_at = $2 WHERE id = $1 AND status = 'open'")
                .bind(id)
                .bind(deadline)
                .execute(&mut *self.tx)
                .await?
                .rows_affected()
                == 1,
        )
    }

    pub async fn pledges(&mut self, callout: i64) -> anyhow::Result<Vec<Pledge>> {
        let rows = sqlx::query(
            "SELECT a.donor_id, COALESCE(d.full_name, '') AS name, \
               COALESCE(d.blood_group, '?') AS grp, a.pledge_code, a.outcome, d.phone \
             FROM callout_asks a JOIN donors d ON d.id = a.donor_id \
             WHERE a.callout_id = $1 AND a.answer = 'pledged' ORDER BY a.answered_at, a.donor_id",
        )
        .bind(callout)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Pledge {
                    donor_id: r.try_get("donor_id")?,
                    name: r.try_get("name")?,
                    group: r.try_get("grp")?,
                    code: r
                        .try_get::<Option<String>, _>("pledge_code")?
                        .unwrap_or_default(),
                    outcome: r
                        .try_get::<Option<String>, _>("outcome")?
                        .as_deref()
                        .and_then(PledgeOutcome::from_code),
                    phone: r.try_get("phone")?,
                })
            })
            .collect()
    }

    /// A coordinator marks a pledge as kept or not; returns false when it is not a pledge
    /// of this call-out or was already marked.
    pub async fn pledge_outcome(
        &mut self,
        callout: i64,
        donor: i64,
        donated: bool,
    ) -> anyhow::Result<bool> {
        let n = sqlx::query(
            "UPDATE callout_asks SET outcome = $3 WHERE callout_id = $1 AND donor_id = $2 \
             AND answer = 'pledged' AND outcome IS NULL",
        )
        .bind(callout)
        .bind(donor)
        .bind(
            if donated {
                PledgeOutcome::Donated
            } else {
                PledgeOutcome::NoShow
            }
            .code(),
        )
        .execute(&mut *self.tx)
        .await?
        .rows_affected();
        if n == 1 {
            sqlx::query("UPDATE donors SET response_score = response_score + $2 WHERE id = $1")
                .bind(donor)
                .bind(if donated { 2 } else { -3 })
                .execute(&mut *self.tx)
                .await?;
        }
        Ok(n == 1)
    }

    /// The donor's asks of open call-outs (unanswered or pledged), newest first.
    pub async fn my_asks(&mut self, donor: i64) -> anyhow::Result<Vec<MyAsk>> {
        let rows = sqlx::query(
            "SELECT a.callout_id, a.answer, a.pledge_code FROM callout_asks a \
             JOIN callouts c ON c.id = a.callout_id \
             WHERE a.donor_id = $1 AND c.status = 'open' \
             AND (a.answer IS NULL OR a.answer = 'pledged') ORDER BY a.callout_id DESC LIMIT 5",
        )
        .bind(donor)
        .fetch_all(&mut *self.tx)
        .await?;
        let mut out = Vec::new();
        for r in rows {
            if let Some(info) = callout_info(&mut self.tx, r.try_get("callout_id")?).await? {
                out.push(MyAsk {
                    info,
                    answer: r
                        .try_get::<Option<String>, _>("answer")?
                        .as_deref()
                        .and_then(Answer::from_code),
                    code: r.try_get("pledge_code")?,
                });
            }
        }
        Ok(out)
    }

    /// The next tally message's sequence number (its outbox key).
    pub async fn next_tally(&mut self, id: i64) -> anyhow::Result<i64> {
        Ok(sqlx::query_scalar(
            "UPDATE callouts SET tally_seq = tally_seq + 1 WHERE id = $1 RETURNING tally_seq",
        )
        .bind(id)
        .fetch_one(&mut *self.tx)
        .await?)
    }

    pub async fn stock_levels(&mut self) -> anyhow::Result<Vec<StockLevel>> {
        stock_levels(&mut self.tx).await
    }

    pub async fn set_stock(
        &mut self,
        group: PatientGroup,
        units: i64,
        threshold: Option<i64>,
        by: &str,
        now: i64,
    ) -> anyhow::Result<()> {
        set_stock(&mut self.tx, group, units, threshold, by, now).await
    }

    /// Groups below their threshold not alerted since `since`; marks them alerted now.
    pub async fn claim_low_stock(
        &mut self,
        since: i64,
        now: i64,
    ) -> anyhow::Result<Vec<StockLevel>> {
        let low: Vec<StockLevel> = stock_levels(&mut self.tx)
            .await?
            .into_iter()
            .filter(|s| s.units < s.threshold)
            .collect();
        let mut out = Vec::new();
        for s in low {
            let n = sqlx::query(
                "UPDATE stock SET alerted_at = $2 WHERE blood_group = $1 \
                 AND (alerted_at IS NULL OR alerted_at <= $3)",
            )
            .bind(s.group.code())
            .bind(now)
            .bind(since)
            .execute(&mut *self.tx)
            .await?
            .rows_affected();
            if n == 1 {
                out.push(s);
            }
        }
        Ok(out)
    }

    /// Reserve-club members whose group may give red cells to `group`, with where to write.
    pub async fn reserve_members_for(
        &mut self,
        group: PatientGroup,
    ) -> anyhow::Result<Vec<(i64, Recipient)>> {
        let codes = donor_codes(group, DonationKind::WholeBlood);
        let mut q = Q::new(
            self.backend(),
            format!(
                "SELECT DISTINCT d.id AS donor_id, i.id AS identity_id, i.channel, i.chat_id, i.lang \
             FROM clubs c JOIN club_members cm ON cm.club_id = c.id \
             JOIN donors d ON d.id = cm.donor_id {BEST_IDENTITY} \
             WHERE c.kind = 'reserve' AND d.registered_at IS NOT NULL AND NOT d.paused \
             AND NOT d.urgent_off AND d.blood_group IN "
            ),
        );
        push_list(&mut q, &codes);
        q.push(" ORDER BY d.id");
        let mut out = Vec::new();
        for r in q.build().fetch_all(&mut *self.tx).await? {
            out.push((
                r.try_get("donor_id")?,
                super::drive::recipient_from_row(&r)?,
            ));
        }
        Ok(out)
    }

    /// Where to write to an account.
    pub async fn identity_recipient(&mut self, identity: i64) -> anyhow::Result<Option<Recipient>> {
        let row = sqlx::query(
            "SELECT id AS identity_id, channel, chat_id, lang FROM channel_identities \
             WHERE id = $1 AND unreachable_at IS NULL",
        )
        .bind(identity)
        .fetch_optional(&mut *self.tx)
        .await?;
        row.map(|r| super::drive::recipient_from_row(&r))
            .transpose()
    }
}
