//! The year plan and the progress report: targets, units, honours.

use super::PlanAction;
use crate::app::App;
use crate::domain::scope::Scope;
use crate::domain::text::SpreadsheetCsv;
use anyhow::Context;
use chrono::NaiveDate;

/// `hienmau report [--year Y] [--csv]`: progress against targets.
pub async fn report(app: &App, year: Option<i32>, csv: bool) -> anyhow::Result<String> {
    use crate::domain::drive::{Figures, local_window};
    use crate::messages::{Msg, MsgId};
    use chrono::Datelike;
    let tz = app.config().timezone;
    let lang = app.config().language;
    let say = |id: MsgId| app.catalogue().render(lang, &Msg::new(id));
    let year = year.unwrap_or_else(|| app.clock().now().with_timezone(&tz).year());
    let r = app.store().report(year, tz).await?;
    if !csv {
        // The same report as in chat, with every campaign and drive.
        let m = crate::engine::drive::report_msg(app.catalogue(), lang, tz, year, &r, true);
        return Ok(app.catalogue().render(lang, &m) + "\n");
    }
    let pct = |p: Option<i64>| p.map(|p| p.to_string()).unwrap_or_default();
    let num = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
    let mut rows: Vec<[String; 13]> = Vec::new();
    // People reached are counted per campaign: a drive's cell stays empty, not 0.
    let row = |level: MsgId,
               campaign: &str,
               drive: &str,
               date: String,
               province: &str,
               f: &Figures,
               reached: bool| {
        [
            say(level),
            campaign.to_string(),
            drive.to_string(),
            date,
            province.to_string(),
            f.signups.to_string(),
            f.donations.to_string(),
            num(f.target_units_min),
            num(f.target_units_max),
            pct(f.units_percent()),
            if reached {
                f.reached.to_string()
            } else {
                String::new()
            },
            num(f.target_people),
            pct(f.repeat_percent()),
        ]
    };
    for c in &r.campaigns {
        let dates = format!(
            "{} – {}",
            crate::domain::dates::format_vn(c.campaign.starts_on),
            crate::domain::dates::format_vn(c.campaign.ends_on)
        );
        rows.push(row(
            MsgId::ReportLevelCampaign,
            &c.campaign.name,
            "",
            dates,
            "",
            &c.figures,
            true,
        ));
        for (d, f) in &c.drives {
            let (day, w) = local_window(d.starts_at, d.ends_at, tz);
            let when = format!("{} {}", crate::domain::dates::format_vn(day), w.label());
            rows.push(row(
                MsgId::ReportLevelDrive,
                &c.campaign.name,
                &d.place,
                when,
                &d.province_name(),
                f,
                false,
            ));
        }
    }
    rows.push(row(
        MsgId::ReportLevelOther,
        "",
        "",
        String::new(),
        "",
        &r.other,
        false,
    ));
    rows.push(row(
        MsgId::ReportLevelTotal,
        "",
        "",
        year.to_string(),
        "",
        &r.total(),
        true,
    ));
    let mut w = SpreadsheetCsv::new(true);
    w.row(say(MsgId::ReportCsvHeader).split(','))?;
    for r in &rows {
        w.row(r)?;
    }
    Ok(w.finish()?)
}

/// `hienmau plan …`: what to print, or why nothing was stored.
pub async fn plan(app: &App, action: PlanAction, today: NaiveDate) -> anyhow::Result<String> {
    use crate::messages::{Msg, MsgId};
    use chrono::Datelike;
    let lang = app.config().language;
    let cat = app.catalogue();
    match action {
        PlanAction::Load {
            file,
            year,
            province,
        } => {
            let province = province.map(|p| super::province_arg(&p)).transpose()?;
            load(app, &file, year.unwrap_or(today.year()), province).await
        }
        PlanAction::Report {
            year,
            csv,
            province,
            nation: _,
        } => {
            let scope = match province {
                Some(p) => Scope::province(super::province_arg(&p)?),
                None => Scope::NATION,
            };
            report_plan(app, year.unwrap_or(today.year()), csv, today, scope).await
        }
        PlanAction::Target { words, province } => {
            let province = province.map(|p| super::province_arg(&p)).transpose()?;
            let Some((year, change)) = crate::domain::plan::parse_target_change(&words.join(" "))
            else {
                anyhow::bail!(
                    "{}",
                    cat.render(lang, &Msg::new(MsgId::PlanTargetUsage))
                        .replace("/chitieu", "hienmau plan target")
                        .replace("/target", "hienmau plan target")
                );
            };
            let t = app.set_year_target(province, year, change).await?;
            Ok(cat.render(lang, &crate::engine::plan::targets_msg(&t, lang)) + "\n")
        }
        PlanAction::Honours { year, csv } => {
            let year = year.unwrap_or(today.year());
            let h = app.honours(year, today, "cli").await?;
            if csv {
                honours_csv(app, &h)
            } else {
                Ok(crate::engine::plan::honours_text(cat, lang, &h) + "\n")
            }
        }
    }
}

/// `hienmau plan load FILE [--year Y]`: the targets (TOML) or the units (CSV), all or nothing.
async fn load(
    app: &App,
    file: &std::path::Path,
    year: i32,
    province: Option<crate::domain::province::Province>,
) -> anyhow::Result<String> {
    use crate::domain::plan::{Plan, parse_allocation_csv, parse_plan_toml};
    use crate::messages::{Msg, MsgId};
    let (cat, lang) = (app.catalogue(), app.config().language);
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let csv = file
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let parsed = if csv {
        parse_allocation_csv(&text).map(|units| Plan {
            targets: None,
            units,
        })
    } else {
        parse_plan_toml(&text, year)
    };
    let plan = match parsed {
        Ok(p) => p,
        Err(errors) => {
            let lines: Vec<String> = errors.iter().map(|e| format!("  {e}\n")).collect();
            anyhow::bail!(
                "{}: nothing stored, {} error(s):\n{}",
                file.display(),
                errors.len(),
                lines.concat()
            );
        }
    };
    let year = plan.targets.as_ref().map_or(year, |t| t.year);
    let loaded = app.load_plan(year, province, &plan).await?;
    let msg = Msg::new(MsgId::PlanLoaded)
        .str("year", year.to_string())
        .str("targets", if loaded.targets { "yes" } else { "no" })
        .num("units", loaded.units as f64);
    Ok(cat.render(lang, &msg) + "\n")
}

/// `hienmau plan report [--year Y] [--csv]`: the year's figures against the plan.
async fn report_plan(
    app: &App,
    year: i32,
    csv: bool,
    today: NaiveDate,
    scope: Scope,
) -> anyhow::Result<String> {
    let (cat, lang) = (app.catalogue(), app.config().language);
    let f = app.plan_figures(year, today, scope).await?;
    if csv {
        return plan_csv(app, year, &f);
    }
    let lines: Vec<String> = crate::engine::plan::plan_report(cat, lang, &f)
        .iter()
        .map(|m| cat.render(lang, m))
        .collect();
    Ok(lines.join("\n") + "\n")
}

/// The plan report as CSV: the province, each month so far, each unit.
fn plan_csv(app: &App, year: i32, f: &crate::domain::plan::PlanFigures) -> anyhow::Result<String> {
    use crate::domain::plan::units_text;
    use crate::messages::{Msg, MsgId};
    use chrono::Datelike;
    let (cat, lang) = (app.catalogue(), app.config().language);
    let say = |id: MsgId| cat.render(lang, &Msg::new(id));
    let vi = lang == crate::messages::Lang::Vi;
    let num = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
    let pct = |v: Option<f64>| v.map(|v| format!("{:.0}", v)).unwrap_or_default();
    let yes = say(MsgId::PlanBehindYes);
    let behind = |pace: Option<crate::domain::plan::Pace>| {
        if pace.is_some_and(|p| p.behind()) {
            yes.clone()
        } else {
            String::new()
        }
    };
    let mut w = SpreadsheetCsv::new(true);
    w.row(say(MsgId::PlanCsvHeader).split(','))?;
    let pace = f.pace();
    w.row([
        say(MsgId::PlanLevelProvince),
        String::new(),
        year.to_string(),
        String::new(),
        num(f.targets.as_ref().and_then(|t| t.units)),
        units_text(f.units_done, vi),
        pct(pace.map(|p| p.done_pct)),
        pct(pace.map(|p| p.year_pct)),
        behind(pace),
        f.donations.to_string(),
        units_text(f.units_last_year, vi),
    ])?;
    // The national roll-up: a row per province (its code; the row above, with none, is
    // their sum).
    for p in &f.provinces {
        let pace = f.province_pace(p);
        w.row([
            say(MsgId::PlanLevelProvince),
            p.province.code().to_string(),
            p.province.name().to_string(),
            String::new(),
            num(p.targets.as_ref().and_then(|t| t.units)),
            units_text(p.units_done, vi),
            pct(pace.map(|p| p.done_pct)),
            pct(pace.map(|p| p.year_pct)),
            behind(pace),
            p.donations.to_string(),
            String::new(),
        ])?;
    }
    let months = f.until.month() as usize;
    for (i, u) in f.by_month.iter().take(months).enumerate() {
        w.row([
            say(MsgId::PlanLevelMonth),
            format!("{year}-{:02}", i + 1),
            String::new(),
            String::new(),
            String::new(),
            units_text(*u, vi),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ])?;
    }
    for u in &f.units {
        let pace = f.unit_pace(u);
        w.row([
            say(MsgId::PlanLevelUnit),
            u.code.clone(),
            u.name.clone(),
            cat.render(lang, &Msg::new(MsgId::UnitKind).str("kind", u.kind.code())),
            num(u.target_units),
            units_text(u.units_done, vi),
            pct(pace.map(|p| p.done_pct)),
            pct(pace.map(|p| p.year_pct)),
            behind(pace),
            u.donations.to_string(),
            String::new(),
        ])?;
    }
    Ok(w.finish()?)
}

/// The honours as CSV: a row per donor (tier, name, province, donations, last, clubs), per
/// club (rank, name, donations, new donors, repeat share) and per unit (target, done).
fn honours_csv(app: &App, h: &crate::domain::plan::Honours) -> anyhow::Result<String> {
    use crate::messages::{Lang, Msg, MsgId};
    let (cat, lang) = (app.catalogue(), app.config().language);
    let say = |id: MsgId| cat.render(lang, &Msg::new(id));
    let vi = lang == Lang::Vi;
    let header = say(MsgId::HonoursCsvHeader);
    let columns = header.split(',').count();
    let mut w = SpreadsheetCsv::new(true);
    w.row(header.split(','))?;
    // A row: its kind, then the cells it has (by column), the others empty.
    let mut row = |kind: MsgId, cells: &[(usize, String)]| -> anyhow::Result<()> {
        let mut r = vec![String::new(); columns];
        r[0] = say(kind);
        for (i, v) in cells {
            if let Some(slot) = r.get_mut(*i) {
                slot.clone_from(v);
            }
        }
        Ok(w.row(&r)?)
    };
    let province = |p: &Option<String>| {
        p.as_deref()
            .and_then(crate::domain::province::Province::from_code)
            .map(|p| p.name().to_string())
            .unwrap_or_default()
    };
    for d in &h.donors {
        let last = d.last.map(|d| d.format("%d/%m/%Y").to_string());
        row(
            MsgId::HonoursKindDonor,
            &[
                (1, d.tier.to_string()),
                (2, d.name.clone()),
                (3, province(&d.province)),
                (4, d.total.to_string()),
                (5, last.unwrap_or_default()),
                (6, d.clubs.clone()),
            ],
        )?;
    }
    for f in &h.families {
        row(
            MsgId::HonoursKindFamily,
            &[
                (1, f.names.len().to_string()),
                (2, f.names.join("; ")),
                (4, f.donations_in_year.to_string()),
            ],
        )?;
    }
    for (i, c) in h.clubs.iter().enumerate() {
        let repeat = c.repeat_pct().map(|p| p.to_string());
        row(
            MsgId::HonoursKindClub,
            &[
                (1, (i + 1).to_string()),
                (2, c.name.clone()),
                (4, c.donations.to_string()),
                (7, c.new_donors.to_string()),
                (8, repeat.unwrap_or_default()),
            ],
        )?;
    }
    for u in &h.units {
        let target = u.target_units.map(|t| t.to_string());
        row(
            MsgId::HonoursKindUnit,
            &[
                (2, u.name.clone()),
                (4, u.donations.to_string()),
                (9, target.unwrap_or_default()),
                (10, crate::domain::plan::units_text(u.units_done, vi)),
            ],
        )?;
    }
    Ok(w.finish()?)
}
