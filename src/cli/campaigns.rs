//! `hienmau campaigns import|list`: the year's calendar.

use super::{CampaignAction, nothing_stored};
use crate::app::App;
use anyhow::Context;
use chrono::NaiveDate;

/// `hienmau campaigns …`: what to print, or why nothing was stored.
pub async fn campaigns(
    app: &App,
    action: CampaignAction,
    today: NaiveDate,
) -> anyhow::Result<String> {
    match action {
        CampaignAction::Import { file, year } => import_calendar(app, &file, year, today).await,
        CampaignAction::List { year } => list_campaigns(app, year, today).await,
    }
}

/// `hienmau campaigns import FILE [--year Y]`: the calendar (and the year's plan in the same
/// file) checked whole, then stored in steps.
async fn import_calendar(
    app: &App,
    file: &std::path::Path,
    year: Option<i32>,
    today: NaiveDate,
) -> anyhow::Result<String> {
    use crate::messages::{Msg, MsgId};
    use chrono::Datelike;
    let lang = app.config().language;
    let say = |m: Msg| app.catalogue().render(lang, &m);
    let year = year.unwrap_or(today.year());
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let csv = file
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let mut units = app.store().unit_codes().await?;
    // The year's plan may be in the same file: read first, so its units can be named.
    let mut plan_errors = Vec::new();
    let has_plan = !csv
        && toml::from_str::<toml::Table>(&text)
            .is_ok_and(|t| t.contains_key("year") || t.contains_key("unit"));
    let plan = match has_plan.then(|| crate::domain::plan::parse_plan_toml(&text, year)) {
        Some(Ok(p)) if p.targets.is_some() || !p.units.is_empty() => Some(p),
        Some(Err(e)) => {
            plan_errors = e;
            None
        }
        _ => None,
    };
    units.extend(
        plan.iter()
            .flat_map(|p| p.units.iter().map(|u| u.code.clone())),
    );
    let parsed = if csv {
        crate::domain::campaign::parse_calendar_csv(&text, year).map(|campaigns| {
            crate::domain::campaign::Calendar {
                campaigns,
                ..Default::default()
            }
        })
    } else {
        // With the plan's own errors, its units are unknown: not named twice.
        let plan_failed = !plan_errors.is_empty();
        let all = |_: &str| true;
        let known: &dyn crate::domain::campaign::Units = if plan_failed { &all } else { &units };
        crate::domain::campaign::parse_calendar_file(&text, year, known)
    };
    let parsed = match (parsed, plan_errors.is_empty()) {
        (Ok(c), true) => Ok(c),
        (Ok(_), false) => Err(plan_errors),
        (Err(mut e), _) => {
            // A syntax error is reported by both readers: once is enough.
            let more: Vec<_> = plan_errors.into_iter().filter(|p| !e.contains(p)).collect();
            e.extend(more);
            e.sort_by_key(|e| e.line);
            Err(e)
        }
    };
    match parsed {
        Ok(calendar) => {
            let mut stored = Msg::new(MsgId::CliCalendarStored)
                .num("year", f64::from(year))
                .str("plan", "none");
            if let Some(p) = &plan {
                let y = p.targets.as_ref().map_or(year, |t| t.year);
                let loaded = app.load_plan(y, None, p).await?;
                stored = stored
                    .str("plan", y.to_string())
                    .str("targets", if loaded.targets { "yes" } else { "no" })
                    .num("units", loaded.units as f64);
            }
            // Checked again now that the plan's units are stored, and written in
            // steps beside a running bot.
            let request = crate::engine::DriveRequest::ImportCalendar { text, csv, year };
            let drives = match app.import_file_as_cli(request).await? {
                crate::engine::DriveOutcome::CalendarImported { drives, .. } => drives,
                other => anyhow::bail!("the calendar was not stored: {other:?}"),
            };
            Ok(say(stored
                .num("campaigns", calendar.campaigns.len() as f64)
                .num("points", calendar.fixed_points.len() as f64)
                .num("drives", drives as f64))
                + "\n")
        }
        Err(errors) => Err(nothing_stored(app, file, &errors)),
    }
}

/// `hienmau campaigns list [--year Y]`: the year's campaigns with their dates and targets.
async fn list_campaigns(app: &App, year: Option<i32>, today: NaiveDate) -> anyhow::Result<String> {
    use crate::messages::{Msg, MsgId};
    use chrono::Datelike;
    let lang = app.config().language;
    let say = |m: Msg| app.catalogue().render(lang, &m);
    let year = year.unwrap_or(today.year());
    let list = app.store().campaigns(year).await?;
    if list.is_empty() {
        return Ok(say(Msg::new(MsgId::CliCampaignsNone).num("year", f64::from(year))) + "\n");
    }
    let vi = lang == crate::messages::Lang::Vi;
    let fig = |n: i64| crate::domain::text::figure(n as f64, vi);
    let mut out = String::new();
    for c in list {
        let units = Msg::new(MsgId::CliTargetUnits);
        let units = say(match (c.target_units_min, c.target_units_max) {
            (Some(a), Some(b)) if a == b => units.str("min", fig(a)).str("max", "same"),
            (Some(a), Some(b)) => units.str("min", fig(a)).str("max", fig(b)),
            _ => units.str("min", "none").str("max", "none"),
        });
        out.push_str(&format!(
            "{} – {}  {}  {}  {}\n",
            crate::domain::dates::format_vn(c.starts_on),
            crate::domain::dates::format_vn(c.ends_on),
            c.name,
            units,
            c.partner.unwrap_or_default()
        ));
    }
    Ok(out)
}
