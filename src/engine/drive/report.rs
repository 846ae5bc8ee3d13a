//! The year's figures: the campaign report, the plan's progress, and a donor's school or
//! workplace (the unit the plan counts them in).

use super::{DriveRequest, DriveState, req};
use crate::domain::dates::format_vn;
use crate::domain::drive::{Figures, Report, local_window};
use crate::domain::plan::PlanFigures;
use crate::engine::Input;
use crate::engine::Item;
use crate::engine::buttons::{Buttons, Listed, Skip, buttons};
use crate::engine::{Reply, State, Turn};
use crate::messages::{Msg, MsgId};

/// `/report 2026` (a year), `/report kế hoạch` (this year's plan), `/report Lê Chân` (the
/// units whose name or code has it); `None` for the campaign report.
pub(super) fn plan_request(args: &str) -> Option<DriveRequest> {
    let words: Vec<&str> = args.split_whitespace().collect();
    let first = words.first()?;
    let year = first
        .parse::<i32>()
        .ok()
        .filter(|y| (2000..=2100).contains(y));
    let rest = words[usize::from(year.is_some())..].join(" ");
    let plan_words = ["ke hoach", "kehoach", "plan", "nam", "year"];
    let unit = (!rest.is_empty()
        && !plan_words.contains(&crate::domain::text::fold(&rest).as_str()))
    .then(|| rest.chars().take(80).collect());
    Some(DriveRequest::PlanReport { year, unit })
}

buttons! {
    /// Under the units found for a name: type another name, or leave it.
    pub enum UnitOther { Retry = "retry", Skip = "skip" }
}

pub(super) fn figures_line(name: &str, f: &Figures) -> Msg {
    Msg::new(MsgId::ReportLine)
        .opt("name", name)
        .num("signups", f.signups as f64)
        .num("donations", f.donations as f64)
        .opt("target", f.target_label().unwrap_or_default())
        .str(
            "percent",
            f.units_percent().map(|p| p.to_string()).unwrap_or_default(),
        )
        .num("reached", f.reached as f64)
        .opt(
            "repeat",
            f.repeat_percent()
                .map(|p| p.to_string())
                .unwrap_or_default(),
        )
}

/// The report as one message: campaigns with figures and their drives (`everything`: also
/// those with none yet, as the command line shows them), the rest of the year, the total.
pub fn report_msg(
    catalogue: &crate::messages::Catalogue,
    lang: crate::messages::Lang,
    tz: chrono_tz::Tz,
    year: i32,
    r: &Report,
    everything: bool,
) -> Msg {
    let mut lines: Vec<String> = Vec::new();
    let mut active = 0;
    for c in &r.campaigns {
        let idle = c.figures.signups == 0 && c.figures.donations == 0 && c.figures.reached == 0;
        if !idle {
            active += 1;
        }
        // Campaigns without any activity stay out of the chat report (the CSV has them).
        if idle && !everything {
            continue;
        }
        lines.push(catalogue.render(lang, &figures_line(&c.campaign.name, &c.figures)));
        for (d, f) in &c.drives {
            if f.signups == 0 && f.donations == 0 && !everything {
                continue;
            }
            let (day, w) = local_window(d.starts_at, d.ends_at, tz);
            let name = format!("  · {} ({} {})", d.place, format_vn(day), w.label());
            // People reached are counted per campaign, not per drive.
            let f = Figures { reached: 0, ..*f };
            lines.push(catalogue.render(lang, &figures_line(&name, &f)));
        }
    }
    let other = &r.other;
    Msg::new(MsgId::Report)
        .num("year", f64::from(year))
        .num("campaigns", r.campaigns.len() as f64)
        .num("active", f64::from(active))
        .str("lines", lines.join("\n"))
        .msg(
            "other",
            Msg::new(MsgId::ReportOther)
                .num("signups", other.signups as f64)
                .num("donations", other.donations as f64)
                .opt(
                    "repeat",
                    other
                        .repeat_percent()
                        .map(|p| p.to_string())
                        .unwrap_or_default(),
                ),
        )
        .msg("total", figures_line("", &r.total()))
}

/// Units and reports.
impl Turn<'_, '_> {
    /// This year's figures.
    /// A school or workplace typed (or skipped).
    pub(super) fn unit_answer(&mut self, input: &Input, text: &str) {
        let skip = ["bo qua", "boqua", "khong", "skip", "no", "none"];
        if self.pick_as::<Skip>(input).is_some()
            || skip.contains(&crate::domain::text::fold(text).as_str())
        {
            return self.unit_skipped();
        }
        match text.chars().count() {
            2..=80 => {
                self.request = req(DriveRequest::FindUnit {
                    text: text.to_string(),
                })
            }
            _ => self.wrong(MsgId::UnitNotFound),
        }
    }

    /// The plan has no units to ask about.
    pub(super) fn no_units(&mut self, asked: bool) {
        if asked {
            self.say(MsgId::UnitNone);
        } else {
            // Offered after registration: the registration's own message is the last word.
            self.prompt = crate::engine::PromptMode::Silent;
        }
        self.state = Some(State::Idle);
    }

    pub(super) fn unit_skipped(&mut self) {
        self.done(MsgId::UnitSkipped);
    }

    /// The units found for a name: one of them, another name, or none.
    pub(super) fn unit_choose_input(&mut self, input: &Input, text: &str, units: Vec<Item>) {
        match self.pick_listed::<UnitOther>(input) {
            Some(Some(Listed::Other(UnitOther::Skip))) => self.unit_skipped(),
            Some(Some(Listed::Other(UnitOther::Retry))) => self.goto(DriveState::UnitAsk),
            Some(Some(Listed::Item(id))) if units.iter().any(|u| u.id == id) => {
                self.request = req(DriveRequest::SetUnit { id })
            }
            // A unit no longer in the list, or a value of an older screen.
            Some(Some(Listed::Item(_)) | None) => self.stale(),
            None if !text.is_empty() => self.unit_answer(input, text),
            None => self.wrong(MsgId::ErrorChoice),
        }
    }

    pub(super) fn show_plan(&mut self, figures: &PlanFigures, unit: Option<String>) {
        let ctx = self.ctx;
        if let Some(unit) = unit.filter(|_| figures.units.is_empty()) {
            self.say(Msg::new(MsgId::PlanNoUnit).str("unit", unit));
        } else {
            let lines: Vec<String> =
                crate::engine::plan::plan_report(ctx.catalogue, self.lang, figures)
                    .iter()
                    .map(|m| ctx.catalogue.render(self.lang, m))
                    .collect();
            self.say(Msg::new(MsgId::ValueText).str("text", lines.join("\n")));
        }
        self.state = Some(State::Idle);
    }

    pub(super) fn show_report(&mut self, year: i32, report: Report) {
        let ctx = self.ctx;
        self.done(report_msg(
            ctx.catalogue,
            self.lang,
            ctx.tz,
            year,
            &report,
            false,
        ));
    }
}

/// Which school or workplace (it may be skipped).
pub(super) fn unit_ask_prompt(r: &mut Reply) {
    r.parts.push(Msg::new(MsgId::AskUnit));
    r.choices = vec![Skip::Skip.offer(MsgId::ChoiceSkip, &["bo qua", "skip"])];
}

/// The units found for a name, another name, or skip.
pub(super) fn unit_choose_prompt(units: &[Item], r: &mut Reply) {
    r.parts.push(Msg::new(MsgId::ChooseUnit));
    r.choices = Listed::<UnitOther>::offer(
        units,
        [
            UnitOther::Retry.offer(MsgId::ChoiceUnitRetry, &["go lai", "khac", "retry"]),
            UnitOther::Skip.offer(MsgId::ChoiceSkip, &["bo qua", "skip"]),
        ],
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_arguments_name_a_year_a_unit_or_the_plan() {
        let plan = |args: &str| match plan_request(args) {
            Some(DriveRequest::PlanReport { year, unit }) => Some((year, unit)),
            _ => None,
        };
        assert_eq!(plan(""), None, "the campaign report");
        assert_eq!(plan("  "), None);
        assert_eq!(plan("2026"), Some((Some(2026), None)));
        assert_eq!(plan("kế hoạch"), Some((None, None)));
        assert_eq!(plan("ke hoach"), Some((None, None)));
        assert_eq!(plan("Lê Chân"), Some((None, Some("Lê Chân".into()))));
        assert_eq!(
            plan("2025  Đại học Hải Phòng"),
            Some((Some(2025), Some("Đại học Hải Phòng".into())))
        );
        // Not a year: a unit named by number.
        assert_eq!(plan("3000"), Some((None, Some("3000".into()))));
        let long = "x".repeat(500);
        assert_eq!(plan(&long).and_then(|p| p.1).map(|u| u.len()), Some(80));
    }
}
