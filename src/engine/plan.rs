//! The year plan's progress as people read it (the command line now; the chat's `/report`
//! and the dashboard use the same messages): the province against its targets, by month,
//! and each allocated unit, with the units behind their pace flagged.

use crate::domain::plan::{ClubStanding, Honours, PlanFigures, YearTargets};
use crate::domain::text::figure;
use crate::messages::{Catalogue, Lang, Msg, MsgId};

fn pct(v: f64) -> String {
    format!("{}", v.round() as i64)
}

/// The report, one message a line.
pub fn plan_report(catalogue: &Catalogue, lang: Lang, f: &PlanFigures) -> Vec<Msg> {
    let vi = lang == Lang::Vi;
    let none = catalogue.render(lang, &Msg::new(MsgId::PlanReportNoneValue));
    let opt = |v: Option<i64>| v.map_or(none.clone(), |v| figure(v as f64, vi));
    let fig = |v: i64| figure(v as f64, vi);
    let (day, days) = f.day_of_year();
    let year_pct = f64::from(day) * 100.0 / f64::from(days);
    let mut out = vec![
        Msg::new(MsgId::PlanReportTitle)
            .str("year", f.year.to_string())
            .str("date", f.until.format("%d/%m/%Y").to_string())
            .str("year_pct", pct(year_pct)),
    ];
    let Some(t) = &f.targets else {
        out.push(Msg::new(MsgId::PlanReportNone).str("year", f.year.to_string()));
        out.extend(province_lines(catalogue, lang, f));
        return out;
    };
    let pace = f.pace();
    out.push(
        Msg::new(MsgId::PlanReportUnits)
            .str("done", figure(f.units_done, vi))
            .str("target", opt(t.units))
            .str("pct", pace.map_or(none.clone(), |p| pct(p.done_pct) + "%"))
            .str("last", figure(f.units_last_year, vi)),
    );
    if let Some(p) = pace.filter(|p| p.behind()) {
        out.push(
            Msg::new(MsgId::PlanReportBehind)
                .str("pct", pct(p.done_pct))
                .str("year_pct", pct(p.year_pct)),
        );
    }
    let people = match (t.people_min, t.people_max) {
        (Some(a), Some(b)) if a != b => format!("{}–{}", fig(a), fig(b)),
        (Some(a), _) | (None, Some(a)) => fig(a),
        (None, None) => none.clone(),
    };
    out.push(
        Msg::new(MsgId::PlanReportPeople)
            .str("reached", fig(f.reached))
            .str("target", people),
    );
    out.push(
        Msg::new(MsgId::PlanReportRepeat)
            .str("pct", f.repeat_pct().map_or(none.clone(), |p| pct(p) + "%"))
            .str(
                "target",
                t.repeat_pct.map_or(none.clone(), |p| format!("{p}%")),
            ),
    );
    let share = |bp: i64| {
        let t = format!("{:.2}", bp as f64 / 100.0);
        let t = t.trim_end_matches('0').trim_end_matches('.').to_string();
        (if vi { t.replace('.', ",") } else { t }) + "%"
    };
    out.push(
        Msg::new(MsgId::PlanReportPopulation)
            .str("donors", fig(f.donors))
            .str(
                "pct",
                f.population_pct()
                    .map_or(none.clone(), |p| share((p * 100.0).round() as i64)),
            )
            .str("target", t.population_share_bp.map_or(none.clone(), share)),
    );
    out.push(
        Msg::new(MsgId::PlanReportDrives)
            .str("done", fig(f.drives))
            .str("target", opt(t.drives))
            .num("fixed", f.fixed_days as f64),
    );
    let months: Vec<String> = f
        .by_month
        .iter()
        .take(chrono::Datelike::month(&f.until) as usize)
        .enumerate()
        .map(|(i, u)| format!("{}: {}", i + 1, figure(*u, vi)))
        .collect();
    out.push(Msg::new(MsgId::PlanReportMonths).str("months", months.join(" · ")));
    if !f.units.is_empty() {
        out.push(Msg::new(MsgId::PlanReportUnitsHead));
        for u in &f.units {
            let pace = f.unit_pace(u);
            let behind = if pace.is_some_and(|p| p.behind()) {
                catalogue.render(lang, &Msg::new(MsgId::PlanReportUnitBehind))
            } else {
                String::new()
            };
            out.push(
                Msg::new(MsgId::PlanReportUnit)
                    .str("name", u.name.clone())
                    .str("illustrative", if u.illustrative { "*" } else { "" })
                    .str("done", figure(u.units_done, vi))
                    .str("target", opt(u.target_units))
                    .str("pct", pace.map_or(none.clone(), |p| pct(p.done_pct) + "%"))
                    .str("behind", behind),
            );
        }
        if f.units.iter().any(|u| u.illustrative) {
            out.push(Msg::new(MsgId::PlanReportIllustrative));
        }
    }
    out.extend(province_lines(catalogue, lang, f));
    out
}

/// The national roll-up's lines: each province's units against its plan (and its pace),
/// donations and their repeat share, people reached, drives.
pub fn province_lines(catalogue: &Catalogue, lang: Lang, f: &PlanFigures) -> Vec<Msg> {
    if f.provinces.is_empty() {
        return Vec::new();
    }
    let vi = lang == Lang::Vi;
    let none = catalogue.render(lang, &Msg::new(MsgId::PlanReportNoneValue));
    let mut out = vec![Msg::new(MsgId::PlanReportProvincesHead)];
    for p in &f.provinces {
        let pace = f.province_pace(p);
        let behind = if pace.is_some_and(|p| p.behind()) {
            catalogue.render(lang, &Msg::new(MsgId::PlanReportUnitBehind))
        } else {
            String::new()
        };
        out.push(
            Msg::new(MsgId::PlanReportProvince)
                .str("name", p.province.name())
                .str("done", figure(p.units_done, vi))
                .str(
                    "target",
                    p.targets
                        .as_ref()
                        .and_then(|t| t.units)
                        .map_or(none.clone(), |v| figure(v as f64, vi)),
                )
                .str("pct", pace.map_or(none.clone(), |p| pct(p.done_pct) + "%"))
                .str("behind", behind)
                .num("donations", p.donations as f64)
                .str(
                    "repeat",
                    p.repeat_pct().map_or(none.clone(), |r| pct(r) + "%"),
                )
                .num("reached", p.reached as f64)
                .num("drives", p.drives as f64),
        );
    }
    out
}

/// The honours as text: the donors by milestone, the clubs (the first 10), the units that
/// met their allocation.
pub fn honours_text(catalogue: &Catalogue, lang: Lang, h: &Honours) -> String {
    let vi = lang == Lang::Vi;
    let r = |m: Msg| catalogue.render(lang, &m);
    let mut out = vec![r(Msg::new(MsgId::HonoursTitle)
        .str("year", h.year.to_string())
        .str("date", h.until.format("%d/%m/%Y").to_string()))];
    out.push(r(
        Msg::new(MsgId::HonoursDonorsHead).num("n", h.donors.len() as f64)
    ));
    for d in &h.donors {
        let province = d
            .province
            .as_deref()
            .and_then(crate::domain::province::Province::from_code)
            .map(|p| p.name().to_string())
            .unwrap_or_default();
        out.push(r(Msg::new(MsgId::HonoursDonor)
            .num("tier", d.tier as f64)
            .str("name", d.name.clone())
            .opt("province", province)
            .num("total", d.total as f64)));
    }
    out.push(r(
        Msg::new(MsgId::HonoursFamiliesHead).num("n", h.families.len() as f64)
    ));
    for f in &h.families {
        out.push(r(Msg::new(MsgId::HonoursFamily)
            .str("names", f.names.join(", "))
            .num("year", f.donations_in_year as f64)
            .num("total", f.donations as f64)));
    }
    out.push(r(
        Msg::new(MsgId::HonoursClubsHead).num("n", h.clubs.len() as f64)
    ));
    for (i, c) in h.clubs.iter().take(10).enumerate() {
        out.push(r(club_line(i + 1, c, false)));
    }
    out.push(r(
        Msg::new(MsgId::HonoursUnitsHead).num("n", h.units.len() as f64)
    ));
    for u in &h.units {
        out.push(r(Msg::new(MsgId::HonoursUnit)
            .str("name", u.name.clone())
            .str("done", figure(u.units_done, vi))
            .str(
                "target",
                figure(u.target_units.unwrap_or_default() as f64, vi),
            )));
    }
    out.join("\n")
}

/// The year's targets, each as given or "not set".
pub fn targets_msg(t: &YearTargets, lang: Lang) -> Msg {
    let fig = |n: i64| figure(n as f64, lang == Lang::Vi);
    let val = |m: Msg, name: &str, v: Option<String>| match v {
        Some(v) => m.str(name, v),
        None => m.msg(name, Msg::new(MsgId::PlanReportNoneValue)),
    };
    let people = match (t.people_min, t.people_max) {
        (Some(a), Some(b)) if a != b => Some(format!("{}–{}", fig(a), fig(b))),
        (Some(a), _) | (None, Some(a)) => Some(fig(a)),
        (None, None) => None,
    };
    let m = Msg::new(MsgId::PlanTargets).str("year", t.year.to_string());
    let m = val(m, "units", t.units.map(fig));
    let m = val(m, "people", people);
    let m = val(m, "repeat", t.repeat_pct.map(|n| format!("{n}%")));
    let m = val(m, "population", t.population.map(fig));
    // Vietnamese reads 1,1%, English 1.1%.
    let share = t.population_share_bp.map(|bp| {
        let s = format!("{:.2}", bp as f64 / 100.0);
        let s = s.trim_end_matches('0').trim_end_matches('.').to_string();
        let s = if lang == Lang::Vi {
            s.replace('.', ",")
        } else {
            s
        };
        format!("{s}%")
    });
    let m = val(m, "share", share);
    val(m, "drives", t.drives.map(fig))
}

/// A club's line in the contest (`mine`: marked for its leader).
pub fn club_line(rank: usize, c: &ClubStanding, mine: bool) -> Msg {
    Msg::new(MsgId::LeaderboardLine)
        .num("rank", rank as f64)
        .str("mine", if mine { "yes" } else { "no" })
        .str("name", c.name.clone())
        .num("donations", c.donations as f64)
        .num("new", c.new_donors as f64)
        .num("members", c.members as f64)
        .str(
            "repeat",
            c.repeat_pct().map_or("none".into(), |p| p.to_string()),
        )
}
