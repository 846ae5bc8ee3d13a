//! The yearly calendar of named campaigns (Lễ hội Xuân hồng, Toàn dân hiến máu 7/4, Những
//! giọt máu hồng hè, 14/6, Hành trình Đỏ, Chủ nhật Đỏ…) and how it is read from a file.
//!
//! A campaign's dates are rules, so one file serves every year: a solar day (`04-07`), a
//! fixed date (`2026-01-11`), a whole month (`month = 5`), or a day relative to Tết
//! (`tet+5`, `tet-7`), since "Xuân hồng" follows the lunar new year.
//!
//! ```toml
//! [[campaign]]
//! name = "Lễ hội Xuân hồng"
//! from = "tet-10"
//! to = "tet+15"
//! target_units = [500, 600]
//! partner = "Trường Đại học Hải Phòng"
//! ```

use crate::domain::drive::{DriveSpec, TimeWindow, parse_place};
use crate::domain::fixed_point::{FixedPointSpec, parse_weekday};
use crate::domain::lunar::tet;
use crate::domain::province::{Province, ProvinceMatch};
use chrono::{Days, NaiveDate};
use serde::Deserialize;
use toml::Spanned;

/// A campaign to save: a new one (`id` None) or an edit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampaignInput {
    pub id: Option<i64>,
    pub name: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// Units of blood aimed at, as a range.
    pub units: Option<(i64, i64)>,
    pub people: Option<i64>,
}

/// When a campaign starts or ends, as a rule over years.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateRule {
    /// The same solar day every year.
    Yearly {
        month: u32,
        day: u32,
    },
    Fixed(NaiveDate),
    /// Days after (or before, if negative) Tết of the year.
    Tet(i64),
}

impl DateRule {
    pub fn parse(s: &str) -> Result<DateRule, String> {
        let t = s.trim().to_ascii_lowercase();
        if let Some(rest) = t.strip_prefix("tet") {
            let rest = rest.replace(' ', "");
            let days: i64 = if rest.is_empty() {
                0
            } else {
                rest.parse()
                    .map_err(|_| format!("{s:?}: expected tet, tet+N or tet-N"))?
            };
            if days.abs() > 200 {
                return Err(format!("{s:?}: more than 200 days from Tết"));
            }
            return Ok(DateRule::Tet(days));
        }
        if let Ok(d) = NaiveDate::parse_from_str(&t, "%Y-%m-%d") {
            return Ok(DateRule::Fixed(d));
        }
        let numbers: Vec<Option<u32>> = t.split('-').map(|n| n.parse::<u32>().ok()).collect();
        // A date in the right shape whose day is not in the calendar says so (issue 31).
        if let [Some(y), Some(m), Some(d)] = numbers.as_slice()
            && *y >= 1000
        {
            return Err(format!(
                "{s:?}: there is no day {d} in month {m} of {y} (the day does not exist)"
            ));
        }
        if let [Some(month), Some(day)] = numbers.as_slice() {
            // Checked against a leap year, so 02-29 is allowed (and falls back in others).
            if NaiveDate::from_ymd_opt(2024, *month, *day).is_some() {
                return Ok(DateRule::Yearly {
                    month: *month,
                    day: *day,
                });
            }
            if (1..=12).contains(month) {
                return Err(format!(
                    "{s:?}: there is no day {day} in month {month} (the day does not exist)"
                ));
            }
        }
        Err(format!(
            "{s:?}: expected MM-DD, YYYY-MM-DD, tet, tet+N or tet-N"
        ))
    }

    /// The date in `year`.
    pub fn in_year(self, year: i32) -> Option<NaiveDate> {
        match self {
            DateRule::Yearly { month, day } => NaiveDate::from_ymd_opt(year, month, day)
                .or_else(|| NaiveDate::from_ymd_opt(year, month, day - 1)),
            DateRule::Fixed(d) => Some(d),
            DateRule::Tet(days) => {
                let t = tet(year)?;
                if days >= 0 {
                    t.checked_add_days(Days::new(days.unsigned_abs()))
                } else {
                    t.checked_sub_days(Days::new(days.unsigned_abs()))
                }
            }
        }
    }
}

/// A campaign dated in one year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Campaign {
    pub name: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub target_units_min: Option<i64>,
    pub target_units_max: Option<i64>,
    pub target_people: Option<i64>,
    pub organiser: Option<String>,
    pub partner: Option<String>,
    pub note: Option<String>,
    /// Its drives, dated in the same year (TOML `[[campaign.drive]]`).
    pub drives: Vec<DriveSpec>,
}

/// An error in a calendar file, with its line (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for FileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    campaign: Vec<Spanned<Lenient<RawCampaign>>>,
    #[serde(default)]
    fixed_point: Vec<Spanned<Lenient<RawFixedPoint>>>,
    // The year's plan in the same file (`[year]`, `[[unit]]`) is read by the plan.
    #[serde(rename = "year")]
    _year: Option<toml::Value>,
    #[serde(default, rename = "unit")]
    _unit: Vec<toml::Value>,
}

/// A calendar file: its campaigns and its fixed donation points, dated in one year.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Calendar {
    pub campaigns: Vec<Campaign>,
    pub fixed_points: Vec<FixedPointSpec>,
}

impl Calendar {
    /// Drives the file makes: those of its campaigns and every open day of its points.
    pub fn drive_count(&self) -> usize {
        self.campaigns.iter().map(|c| c.drives.len()).sum::<usize>()
            + self
                .fixed_points
                .iter()
                .map(|p| p.open_days().len())
                .sum::<usize>()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFixedPoint {
    name: Option<Spanned<String>>,
    place: Option<Spanned<String>>,
    province: Option<Spanned<String>>,
    commune: Option<String>,
    #[serde(default)]
    days: Vec<Spanned<String>>,
    #[serde(default)]
    weeks: Vec<Spanned<u32>>,
    time: Option<Spanned<String>>,
    capacity: Option<Spanned<i64>>,
    #[serde(default)]
    slots: Vec<Spanned<String>>,
    from: Option<Spanned<String>>,
    to: Option<Spanned<String>>,
    month: Option<Spanned<u32>>,
    #[serde(default)]
    except: Vec<Spanned<String>>,
    #[serde(default)]
    open_on_holidays: bool,
    unit: Option<Spanned<String>>,
    campaign: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Target {
    One(i64),
    Range([i64; 2]),
    /// As the CSV and plan files write it: "400-500", "400 – 500", "450".
    Text(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCampaign {
    name: Option<Spanned<String>>,
    from: Option<Spanned<String>>,
    to: Option<Spanned<String>>,
    month: Option<Spanned<u32>>,
    target_units: Option<Spanned<Target>>,
    target_people: Option<Spanned<i64>>,
    organiser: Option<String>,
    partner: Option<String>,
    note: Option<String>,
    #[serde(default)]
    drive: Vec<Spanned<Lenient<RawDrive>>>,
}

/// One table of a list read on its own: a wrong value in it is its error, and the tables
/// after it are still read, so a file's every error is reported at once (a TOML syntax
/// error still stops the reading where it stands).
pub(crate) enum Lenient<T> {
    Read(T),
    Wrong(String),
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Lenient<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match T::deserialize(d) {
            Ok(v) => Lenient::Read(v),
            Err(e) => Lenient::Wrong(e.to_string().trim().replace('\n', " ")),
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDrive {
    place: Option<Spanned<String>>,
    province: Option<Spanned<String>>,
    commune: Option<String>,
    date: Option<Spanned<String>>,
    time: Option<Spanned<String>>,
    capacity: Option<Spanned<i64>>,
    target_units: Option<Spanned<i64>>,
    #[serde(default)]
    slots: Vec<Spanned<String>>,
    unit: Option<Spanned<String>>,
}

/// What a drive and a fixed point both give: where, when in the day, for how many, and
/// the unit that runs it.
struct RawWhere {
    place: Option<Spanned<String>>,
    province: Option<Spanned<String>>,
    commune: Option<String>,
    time: Option<Spanned<String>>,
    capacity: Option<Spanned<i64>>,
    slots: Vec<Spanned<String>>,
    unit: Option<Spanned<String>>,
}

struct Where {
    place: String,
    province: Province,
    commune: String,
    window: TimeWindow,
    capacity: i64,
    slots: Vec<TimeWindow>,
    unit: Option<String>,
}

/// Where the lines of a text begin: the line of a byte offset in O(log n), so that naming
/// the line of every record of a large file stays linear (counting newlines from the start
/// for each record made a 20,000-line file take 40 s).
pub(crate) struct LineIndex {
    newlines: Vec<usize>,
}

impl LineIndex {
    pub(crate) fn new(text: &str) -> LineIndex {
        LineIndex {
            newlines: text
                .bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i)
                .collect(),
        }
    }

    /// The line (1-based) of the byte at `offset`.
    pub(crate) fn line(&self, offset: usize) -> usize {
        self.newlines.partition_point(|p| *p < offset) + 1
    }

    /// The line (1-based, as an editor shows it) of the CSV record that starts at `byte`:
    /// the csv crate's own count skips blank lines, and a record's position is where
    /// reading began, before the blank lines it skipped.
    pub(crate) fn csv_line(&self, text: &str, byte: u64) -> usize {
        let bytes = text.as_bytes();
        let mut end = usize::try_from(byte).unwrap_or(usize::MAX).min(bytes.len());
        while end < bytes.len() && matches!(bytes[end], b'\n' | b'\r') {
            end += 1;
        }
        self.line(end)
    }
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// Read a calendar file and date every campaign in `year`. Either every campaign is good,
/// or every error is returned, each with its line.
pub fn parse_calendar(text: &str, year: i32) -> Result<Vec<Campaign>, Vec<FileError>> {
    parse_calendar_file(text, year, &|_: &str| false).map(|c| c.campaigns)
}

/// The unit codes a calendar may name (drives and points run by a school, a firm…).
pub trait Units {
    fn has(&self, code: &str) -> bool;
    /// Every code, to suggest the nearest to one mistyped (none: only `has` is known).
    fn codes(&self) -> Vec<&str> {
        Vec::new()
    }
}

impl<F: Fn(&str) -> bool> Units for F {
    fn has(&self, code: &str) -> bool {
        self(code)
    }
}

impl Units for std::collections::HashSet<String> {
    fn has(&self, code: &str) -> bool {
        self.contains(code)
    }
    fn codes(&self) -> Vec<&str> {
        self.iter().map(String::as_str).collect()
    }
}

/// Why a unit code is refused: with no plan, load one; with one, the codes it has, those
/// nearest the one written first.
fn unknown_unit(code: &str, units: &dyn Units) -> String {
    let mut codes = units.codes();
    if codes.is_empty() {
        return format!(
            "unit {code:?} is not stored: load the year plan first (hienmau plan load)"
        );
    }
    let folded = crate::domain::text::fold(code);
    let distance = |c: &str| {
        let f = crate::domain::text::fold(c);
        let near = crate::domain::text::edit_distance_within(&folded, &f, 64).unwrap_or(64);
        // A code that contains the one written (or the reverse) is nearer than its length
        // alone says.
        let within = if f.contains(&folded) || folded.contains(&f) {
            0
        } else {
            1
        };
        (within, near, c.to_string())
    };
    codes.sort_by_cached_key(|c| distance(c));
    let shown: Vec<&str> = codes.iter().take(5).copied().collect();
    let more = codes.len().saturating_sub(shown.len());
    format!(
        "unit {code:?} is not in the plan; its codes, nearest first: {}{}",
        shown.join(", "),
        if more > 0 {
            format!(" (and {more} more: hienmau plan report)")
        } else {
            String::new()
        }
    )
}

/// Read a calendar file (campaigns, their drives, fixed points) for `year`; `unit_known`
/// says whether a unit code is stored (drives and points may name the unit running them).
/// Either everything is good, or every error is returned, each with its line.
pub fn parse_calendar_file(
    text: &str,
    year: i32,
    unit_known: &dyn Units,
) -> Result<Calendar, Vec<FileError>> {
    let index = LineIndex::new(text);
    let lines = &index;
    let raw: RawFile = toml::from_str(text).map_err(|e| {
        let line = e.span().map_or(1, |s| lines.line(s.start));
        vec![FileError {
            line,
            message: e.message().trim().to_string(),
        }]
    })?;
    if raw.campaign.is_empty() && raw.fixed_point.is_empty() {
        return Err(vec![FileError {
            line: 1,
            message: "no [[campaign]] or [[fixed_point]] in the file".into(),
        }]);
    }
    let mut errors = Vec::new();
    let mut out = Vec::new();
    let mut names = std::collections::HashSet::new();
    for spanned in raw.campaign {
        let table_line = lines.line(spanned.span().start);
        let mut err = |line: usize, message: String| errors.push(FileError { line, message });
        let c = match spanned.into_inner() {
            Lenient::Read(c) => c,
            Lenient::Wrong(message) => {
                err(table_line, message);
                continue;
            }
        };
        let name = match c.name.clone() {
            Some(n) if !n.get_ref().trim().is_empty() => {
                let line = lines.line(n.span().start);
                let name = n.into_inner().trim().to_string();
                if !names.insert(name.clone()) {
                    err(line, format!("{name:?} appears twice"));
                }
                name
            }
            _ => {
                err(table_line, "a campaign needs a name".into());
                continue;
            }
        };
        let period = campaign_period(
            lines,
            (&c.month, &c.from, &c.to),
            year,
            table_line,
            &name,
            &mut err,
        );
        let (min, max, people) = campaign_targets(lines, &c, &mut err);
        let mut drives = Vec::new();
        for d in c.drive {
            let line = lines.line(d.span().start);
            let d = match d.into_inner() {
                Lenient::Read(d) => d,
                Lenient::Wrong(message) => {
                    err(line, message);
                    continue;
                }
            };
            if let Some(spec) = parse_drive(lines, d, line, year, period, unit_known, &mut err) {
                drives.push(spec);
            }
        }
        if let Some((starts_on, ends_on)) = period {
            out.push(Campaign {
                name,
                starts_on,
                ends_on,
                target_units_min: min,
                target_units_max: max,
                target_people: people,
                organiser: non_empty(c.organiser),
                partner: non_empty(c.partner),
                note: non_empty(c.note),
                drives,
            });
        }
    }
    let mut points = Vec::new();
    let mut point_names = std::collections::HashSet::new();
    for p in raw.fixed_point {
        let line = lines.line(p.span().start);
        let mut err = |line: usize, message: String| errors.push(FileError { line, message });
        let p = match p.into_inner() {
            Lenient::Read(p) => p,
            Lenient::Wrong(message) => {
                err(line, message);
                continue;
            }
        };
        if let Some(point) = parse_fixed_point(lines, p, line, year, &out, unit_known, &mut err) {
            if point_names.insert(point.name.clone()) {
                points.push(point);
            } else {
                err(line, format!("{:?} appears twice", point.name));
            }
        }
    }
    // In the file's order (a drive's date is checked before its place).
    errors.sort_by_key(|e| e.line);
    if errors.is_empty() {
        Ok(Calendar {
            campaigns: out,
            fixed_points: points,
        })
    } else {
        Err(errors)
    }
}

/// One `[[fixed_point]]`: where, which weekdays (and weeks of the month), which period (its
/// own `from`/`to` or `month`, else its campaign's, else the whole year), the days closed.
fn parse_fixed_point(
    lines: &LineIndex,
    p: RawFixedPoint,
    table_line: usize,
    year: i32,
    campaigns: &[Campaign],
    unit_known: &dyn Units,
    err: &mut dyn FnMut(usize, String),
) -> Option<FixedPointSpec> {
    let at = |s: std::ops::Range<usize>| lines.line(s.start);
    let name = match &p.name {
        Some(n) if !n.get_ref().trim().is_empty() => Some(n.get_ref().trim().to_string()),
        _ => {
            err(table_line, "a fixed point needs a name".into());
            None
        }
    };
    let mut days = Vec::new();
    for d in &p.days {
        match parse_weekday(d.get_ref()) {
            Some(day) if !days.contains(&day) => days.push(day),
            Some(_) => {}
            None => err(
                at(d.span()),
                format!(
                    "{:?} is not a weekday (tue, thứ 3, T3, chủ nhật…)",
                    d.get_ref()
                ),
            ),
        }
    }
    if p.days.is_empty() {
        err(
            table_line,
            "a fixed point needs its open days, e.g. days = [\"tue\", \"thu\"]".into(),
        );
    }
    days.sort_by_key(|d| d.num_days_from_monday());
    let mut weeks = Vec::new();
    for w in &p.weeks {
        match *w.get_ref() {
            n @ 1..=5 => weeks.push(n),
            n => err(at(w.span()), format!("weeks: {n} is not 1 to 5")),
        }
    }
    let campaign = match &p.campaign {
        Some(c) => match campaigns.iter().find(|x| x.name == c.get_ref().trim()) {
            Some(found) => Some(found),
            None => {
                err(
                    at(c.span()),
                    format!("no campaign named {:?} in this file", c.get_ref()),
                );
                None
            }
        },
        None => None,
    };
    let period = if p.month.is_some() || p.from.is_some() || p.to.is_some() {
        campaign_period(
            lines,
            (&p.month, &p.from, &p.to),
            year,
            table_line,
            name.as_deref().unwrap_or("fixed point"),
            err,
        )
    } else if let Some(c) = campaign {
        Some((c.starts_on, c.ends_on))
    } else {
        NaiveDate::from_ymd_opt(year, 1, 1).zip(NaiveDate::from_ymd_opt(year, 12, 31))
    };
    let mut except = Vec::new();
    for e in &p.except {
        match DateRule::parse(e.get_ref()).map(|r| r.in_year(year)) {
            Ok(Some(day)) => except.push(day),
            Ok(None) => err(
                at(e.span()),
                format!("{:?} has no date in {year}", e.get_ref()),
            ),
            Err(m) => err(at(e.span()), m),
        }
    }
    let place = parse_where(
        lines,
        RawWhere {
            place: p.place,
            province: p.province,
            commune: p.commune,
            time: p.time,
            capacity: p.capacity,
            slots: p.slots,
            unit: p.unit,
        },
        table_line,
        "fixed point",
        unit_known,
        err,
    );
    let (from, to) = period?;
    let place = place?;
    Some(FixedPointSpec {
        name: name?,
        place: place.place,
        province: place.province,
        commune: place.commune,
        days,
        weeks,
        window: place.window,
        slots: place.slots,
        capacity: place.capacity,
        from,
        to,
        except,
        open_on_holidays: p.open_on_holidays,
        unit: place.unit,
        campaign: campaign.map(|c| c.name.clone()),
    })
}

/// The place, time, capacity, slots and unit of a drive or a fixed point, each checked.
fn parse_where(
    lines: &LineIndex,
    d: RawWhere,
    table_line: usize,
    what: &str,
    unit_known: &dyn Units,
    err: &mut dyn FnMut(usize, String),
) -> Option<Where> {
    let at = |s: std::ops::Range<usize>| lines.line(s.start);
    let place = match d.place {
        Some(p) => match parse_place(p.get_ref()) {
            Some(place) => Some(place),
            None => {
                err(at(p.span()), "place: 3 to 200 characters".into());
                None
            }
        },
        None => {
            err(table_line, format!("a {what} needs a place"));
            None
        }
    };
    let province = match d.province {
        Some(p) => match Province::find(p.get_ref()) {
            ProvinceMatch::One { province, .. } => Some(province),
            _ => {
                err(
                    at(p.span()),
                    format!("{:?} is not one of the 34 provinces", p.get_ref()),
                );
                None
            }
        },
        None => {
            err(table_line, format!("a {what} needs a province"));
            None
        }
    };
    let window = match d.time {
        Some(w) => {
            let parsed = TimeWindow::parse(w.get_ref());
            if parsed.is_none() {
                err(
                    at(w.span()),
                    format!(
                        "{:?}: expected a time window such as 07:30-11:30",
                        w.get_ref()
                    ),
                );
            }
            parsed
        }
        None => {
            err(
                table_line,
                format!("a {what} needs a time, e.g. time = \"07:30-11:30\""),
            );
            None
        }
    };
    let capacity = match d.capacity {
        Some(c) if *c.get_ref() > 0 && *c.get_ref() <= 100_000 => Some(c.into_inner()),
        Some(c) => {
            err(
                at(c.span()),
                "capacity: a number of donors, 1 to 100000".into(),
            );
            None
        }
        None => {
            err(table_line, format!("a {what} needs a capacity"));
            None
        }
    };
    let unit = match d.unit {
        Some(u) if unit_known.has(u.get_ref().trim()) => Some(u.get_ref().trim().to_string()),
        Some(u) => {
            err(at(u.span()), unknown_unit(u.get_ref().trim(), unit_known));
            None
        }
        None => None,
    };
    let slots = drive_slots(lines, d.slots, window, err);
    Some(Where {
        place: place?,
        province: province?,
        commune: d.commune.map(|c| c.trim().to_string()).unwrap_or_default(),
        window: window?,
        capacity: capacity?,
        slots,
        unit,
    })
}

/// One `[[campaign.drive]]`: every field checked, each error with its line.
#[allow(clippy::too_many_arguments)]
fn parse_drive(
    lines: &LineIndex,
    d: RawDrive,
    table_line: usize,
    year: i32,
    period: Option<(NaiveDate, NaiveDate)>,
    unit_known: &dyn Units,
    err: &mut dyn FnMut(usize, String),
) -> Option<DriveSpec> {
    let at = |s: std::ops::Range<usize>| lines.line(s.start);
    let date = drive_date(lines, d.date, table_line, year, period, err);
    let target_units = match d.target_units {
        Some(t) if *t.get_ref() <= 0 => {
            err(at(t.span()), "target_units must be positive".into());
            None
        }
        t => t.map(Spanned::into_inner),
    };
    let w = parse_where(
        lines,
        RawWhere {
            place: d.place,
            province: d.province,
            commune: d.commune,
            time: d.time,
            capacity: d.capacity,
            slots: d.slots,
            unit: d.unit,
        },
        table_line,
        "drive",
        unit_known,
        err,
    )?;
    Some(DriveSpec {
        place: w.place,
        province: w.province,
        commune: w.commune,
        date: date?,
        window: w.window,
        capacity: w.capacity,
        target_units,
        slots: w.slots,
        unit: w.unit,
    })
}

/// A campaign's period: `from` and `to` (date rules of `year`, in order) or a `month`.
#[allow(clippy::type_complexity)]
fn campaign_period(
    lines: &LineIndex,
    (month, from, to): (
        &Option<Spanned<u32>>,
        &Option<Spanned<String>>,
        &Option<Spanned<String>>,
    ),
    year: i32,
    table_line: usize,
    name: &str,
    err: &mut dyn FnMut(usize, String),
) -> Option<(NaiveDate, NaiveDate)> {
    let date = |rule: &Spanned<String>, err: &mut dyn FnMut(usize, String)| {
        let line = lines.line(rule.span().start);
        match DateRule::parse(rule.get_ref()).map(|r| r.in_year(year)) {
            Ok(Some(d)) => Some(d),
            Ok(None) => {
                err(line, format!("{:?} has no date in {year}", rule.get_ref()));
                None
            }
            Err(e) => {
                err(line, e);
                None
            }
        }
    };
    match (month, from, to) {
        (Some(m), None, None) => {
            let line = lines.line(m.span().start);
            let month = *m.get_ref();
            let first = NaiveDate::from_ymd_opt(year, month, 1);
            let last = first
                .and_then(|f| f.checked_add_months(chrono::Months::new(1)))
                .and_then(|d| d.pred_opt());
            match (first, last) {
                (Some(f), Some(l)) => Some((f, l)),
                _ => {
                    err(line, format!("month {month} is not 1 to 12"));
                    None
                }
            }
        }
        (None, Some(from), Some(to)) => {
            let (f, t) = (date(from, err), date(to, err));
            match (f, t) {
                (Some(f), Some(t)) if f > t => {
                    err(
                        lines.line(to.span().start),
                        format!("ends ({t}) before it starts ({f})"),
                    );
                    None
                }
                (Some(f), Some(t)) => Some((f, t)),
                _ => None,
            }
        }
        _ => {
            err(
                table_line,
                format!("{name:?}: give either from and to, or month"),
            );
            None
        }
    }
}

/// A campaign's targets: units (one number or a range) and people, each positive.
fn campaign_targets(
    lines: &LineIndex,
    c: &RawCampaign,
    err: &mut dyn FnMut(usize, String),
) -> (Option<i64>, Option<i64>, Option<i64>) {
    let (min, max) = match &c.target_units {
        None => (None, None),
        Some(t) => {
            let line = lines.line(t.span().start);
            let (a, b) = match t.get_ref() {
                Target::One(n) => (*n, *n),
                Target::Range([a, b]) => (*a, *b),
                Target::Text(s) => {
                    let number = |p: &str| p.trim().replace(['.', ','], "").parse::<i64>().ok();
                    match s.split_once(['-', '–']) {
                        Some((a, b)) => (number(a).unwrap_or(0), number(b).unwrap_or(0)),
                        None => number(s).map_or((0, 0), |n| (n, n)),
                    }
                }
            };
            if a <= 0 || b < a {
                err(
                    line,
                    "target_units: a positive number, a range \"400-500\", or [min, max] with \
                     min ≤ max"
                        .into(),
                );
            }
            (Some(a), Some(b))
        }
    };
    let people = c.target_people.as_ref().map(|p| {
        if *p.get_ref() <= 0 {
            err(
                lines.line(p.span().start),
                "target_people must be positive".into(),
            );
        }
        *p.get_ref()
    });
    (min, max, people)
}

/// A drive's day: a date rule of `year`, inside the campaign's period.
fn drive_date(
    lines: &LineIndex,
    date: Option<Spanned<String>>,
    table_line: usize,
    year: i32,
    period: Option<(NaiveDate, NaiveDate)>,
    err: &mut dyn FnMut(usize, String),
) -> Option<NaiveDate> {
    let at = |s: std::ops::Range<usize>| lines.line(s.start);
    match date {
        Some(r) => match DateRule::parse(r.get_ref()).map(|rule| rule.in_year(year)) {
            Ok(Some(day)) => {
                if let Some((from, to)) = period
                    && (day < from || day > to)
                {
                    err(
                        at(r.span()),
                        format!("{day} is outside the campaign ({from} to {to})"),
                    );
                }
                Some(day)
            }
            Ok(None) => {
                err(
                    at(r.span()),
                    format!("{:?} has no date in {year}", r.get_ref()),
                );
                None
            }
            Err(e) => {
                err(at(r.span()), e);
                None
            }
        },
        None => {
            err(table_line, "a drive needs a date".into());
            None
        }
    }
}

/// A drive's time slots, each inside the drive's time window.
fn drive_slots(
    lines: &LineIndex,
    given: Vec<Spanned<String>>,
    window: Option<TimeWindow>,
    err: &mut dyn FnMut(usize, String),
) -> Vec<TimeWindow> {
    let at = |s: std::ops::Range<usize>| lines.line(s.start);
    let mut slots = Vec::new();
    for s in given {
        match TimeWindow::parse(s.get_ref()) {
            Some(w) if window.is_some_and(|d| w.start >= d.start && w.end <= d.end) => {
                slots.push(w)
            }
            Some(_) => err(
                at(s.span()),
                format!("{:?} is outside the drive's time", s.get_ref()),
            ),
            None => err(
                at(s.span()),
                format!(
                    "{:?}: expected a time window such as 07:30-09:00",
                    s.get_ref()
                ),
            ),
        }
    }
    slots
}

/// A calendar as CSV, one campaign a row, with a header naming the columns: `name`, then
/// either `from` and `to` or `month`, and optionally `target_units` (`500` or `500-600`),
/// `target_people`, `organiser`, `partner`, `note`. Drives need the TOML form. Errors carry
/// the file's line, and any error stores nothing.
pub fn parse_calendar_csv(text: &str, year: i32) -> Result<Vec<Campaign>, Vec<FileError>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| {
            vec![FileError {
                line: 1,
                message: format!("cannot read the header: {e}"),
            }]
        })?
        .clone();
    let known = [
        "name",
        "from",
        "to",
        "month",
        "target_units",
        "target_people",
        "organiser",
        "partner",
        "note",
    ];
    let mut errors = Vec::new();
    for h in headers.iter() {
        if !known.contains(&h) {
            errors.push(FileError {
                line: 1,
                message: format!("unknown column {h:?} (known: {})", known.join(", ")),
            });
        }
    }
    if !headers.iter().any(|h| h == "name") {
        errors.push(FileError {
            line: 1,
            message: "the header needs a name column".into(),
        });
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    // Each row becomes a TOML table, so both forms share one set of checks.
    let mut toml_text = String::new();
    let mut lines = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                errors.push(FileError {
                    line,
                    message: format!("{e}"),
                });
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line() as usize);
        toml_text.push_str("[[campaign]]\n");
        lines.push(line);
        for (h, v) in headers.iter().zip(record.iter()) {
            if v.is_empty() {
                continue;
            }
            let value = match h {
                "month" | "target_people" => match v.parse::<i64>() {
                    Ok(n) => n.to_string(),
                    Err(_) => {
                        errors.push(FileError {
                            line,
                            message: format!("{h}: {v:?} is not a number"),
                        });
                        continue;
                    }
                },
                "target_units" => {
                    let parts: Vec<&str> = v.split(['-', '–']).map(str::trim).collect();
                    match parts
                        .iter()
                        .map(|p| p.parse::<i64>())
                        .collect::<Result<Vec<_>, _>>()
                    {
                        Ok(n) if n.len() == 1 => n[0].to_string(),
                        Ok(n) if n.len() == 2 => format!("[{}, {}]", n[0], n[1]),
                        _ => {
                            errors.push(FileError {
                                line,
                                message: format!("target_units: {v:?} is not 500 or 500-600"),
                            });
                            continue;
                        }
                    }
                }
                _ => toml_string(v),
            };
            toml_text.push_str(&format!("{h} = {value}\n"));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    // Map the TOML's line numbers back to the CSV's: every table starts with its header line.
    let table_of_line = |toml_line: usize| -> usize {
        let starts = toml_text
            .lines()
            .take(toml_line)
            .filter(|l| *l == "[[campaign]]")
            .count();
        lines.get(starts.saturating_sub(1)).copied().unwrap_or(1)
    };
    parse_calendar(&toml_text, year).map_err(|errs| {
        errs.into_iter()
            .map(|e| FileError {
                line: table_of_line(e.line),
                message: e.message,
            })
            .collect()
    })
}

fn toml_string(v: &str) -> String {
    let mut s = String::from("\"");
    for c in v.chars() {
        match c {
            '"' => s.push_str("\\\""),
            '\\' => s.push_str("\\\\"),
            '\n' => s.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => s.push(c),
        }
    }
    s.push('"');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_of_an_offset_as_an_editor_counts() {
        let text = "a\nbb\n\nccc";
        let lines = LineIndex::new(text);
        assert_eq!(
            [0, 1, 2, 4, 5, 6, 9, 99].map(|o| lines.line(o)),
            [1, 1, 2, 2, 3, 4, 4, 4]
        );
        // The same as counting the newlines before the offset, at every offset.
        for t in [text, "\n\n", "x", "ab\r\ncd\r\n\r\nef\n"] {
            let idx = LineIndex::new(t);
            for o in 0..=t.len() + 1 {
                let naive = t.as_bytes()[..o.min(t.len())]
                    .iter()
                    .filter(|b| **b == b'\n')
                    .count()
                    + 1;
                assert_eq!(idx.line(o), naive, "{t:?} at {o}");
            }
        }
        // A record after blank lines starts on its own line.
        let csv = "h\n\n\nx\n";
        assert_eq!(LineIndex::new(csv).csv_line(csv, 2), 4);
        assert_eq!(LineIndex::new("").line(0), 1);
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn date_rules() {
        assert_eq!(
            DateRule::parse("04-07").unwrap().in_year(2027),
            Some(d(2027, 4, 7))
        );
        assert_eq!(
            DateRule::parse("tet+5").unwrap().in_year(2026),
            Some(d(2026, 2, 22))
        );
        assert_eq!(
            DateRule::parse("TET - 7").unwrap().in_year(2027),
            Some(d(2027, 1, 30))
        );
        assert_eq!(
            DateRule::parse("tet").unwrap().in_year(2025),
            Some(d(2025, 1, 29))
        );
        assert_eq!(
            DateRule::parse("2026-01-11").unwrap().in_year(2030),
            Some(d(2026, 1, 11))
        );
        assert_eq!(
            DateRule::parse("02-29").unwrap().in_year(2027),
            Some(d(2027, 2, 28))
        );
        for bad in [
            "",
            "13-01",
            "02-30",
            "tet+x",
            "tet+500",
            "7/4",
            "2026-02-30",
        ] {
            assert!(DateRule::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_calendar_is_dated_into_the_year_asked() {
        let text = r#"
[[campaign]]
name = "Lễ hội Xuân hồng"
from = "tet+3"
to = "tet+10"
target_units = [500, 600]
partner = "Trường Đại học Hải Phòng"

[[campaign]]
name = "Những giọt máu hồng hè"
month = 5
"#;
        let c = parse_calendar(text, 2026).unwrap();
        assert_eq!(
            (c[0].starts_on, c[0].ends_on),
            (d(2026, 2, 20), d(2026, 2, 27))
        );
        assert_eq!(
            (c[0].target_units_min, c[0].target_units_max),
            (Some(500), Some(600))
        );
        assert_eq!(
            (c[1].starts_on, c[1].ends_on),
            (d(2026, 5, 1), d(2026, 5, 31))
        );
        let c = parse_calendar(text, 2027).unwrap();
        assert_eq!(c[0].starts_on, d(2027, 2, 9), "follows Tết each year");
    }

    #[test]
    fn every_error_is_reported_with_its_line() {
        let text = "[[campaign]]\nname = \"A\"\nfrom = \"13-01\"\nto = \"04-01\"\n\n[[campaign]]\nmonth = 4\n\n[[campaign]]\nname = \"A\"\nmonth = 14\ntarget_units = [600, 500]\n";
        let errors = parse_calendar(text, 2026).unwrap_err();
        let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [3, 6, 10, 11, 12], "{errors:?}");
        assert!(errors[0].message.contains("13-01"));
        assert!(errors[2].message.contains("twice"));
    }

    /// Issue 31: a date in the right shape whose day does not exist says so.
    #[test]
    fn a_day_that_does_not_exist_is_named_as_such() {
        for s in ["2026-02-30", "02-30", "04-31"] {
            let e = DateRule::parse(s).unwrap_err();
            assert!(e.contains("does not exist"), "{s}: {e}");
        }
        assert!(
            DateRule::parse("13-01")
                .unwrap_err()
                .contains("expected MM-DD")
        );
        assert!(DateRule::parse("02-29").is_ok());
        assert!(DateRule::parse("2026-02-28").is_ok());
    }

    /// Issue 31: a range written as the CSV and plan files write it ("400-500") reads in
    /// TOML too; one that is not a range says what is expected, with its line.
    #[test]
    fn a_target_range_may_be_written_as_text() {
        let text = |t: &str| format!("[[campaign]]\nname = \"A\"\nmonth = 4\ntarget_units = {t}\n");
        for (t, range) in [
            ("\"400-500\"", (400, 500)),
            ("\"400 – 500\"", (400, 500)),
            ("\"1.200-1.500\"", (1200, 1500)),
            ("\"450\"", (450, 450)),
            ("[400, 500]", (400, 500)),
        ] {
            let c = parse_calendar(&text(t), 2026).unwrap();
            assert_eq!(
                (c[0].target_units_min, c[0].target_units_max),
                (Some(range.0), Some(range.1)),
                "{t}"
            );
        }
        for t in ["\"500-400\"", "\"nhiều\"", "\"-5\""] {
            let e = parse_calendar(&text(t), 2026).unwrap_err();
            assert_eq!(e[0].line, 4, "{t}: {e:?}");
            assert!(e[0].message.contains("400-500"), "{t}: {e:?}");
        }
    }

    #[test]
    fn syntax_errors_and_unknown_fields_have_lines_too() {
        let e = parse_calendar("[[campaign]]\nname = \"A\"\nmonth = \n", 2026).unwrap_err();
        assert_eq!(e[0].line, 3, "{e:?}");
        let e = parse_calendar(
            "[[campaign]]\nname = \"A\"\nmonth = 4\ncolour = \"red\"\n",
            2026,
        )
        .unwrap_err();
        assert!(e[0].message.contains("colour"), "{e:?}");
        assert!(parse_calendar("", 2026).is_err());
        assert!(
            parse_calendar(
                "[[campaign]]\nname = \"A\"\nfrom = \"05-02\"\nto = \"05-01\"\n",
                2026
            )
            .is_err()
        );
    }

    #[test]
    fn drives_are_dated_with_their_campaign_even_relative_to_tet() {
        let text = r#"
[[campaign]]
name = "Lễ hội Xuân hồng"
from = "tet-21"
to = "tet-1"

[[campaign.drive]]
place = "Trường Đại học Hải Phòng"
province = "hai phong"
date = "tet-14"
time = "7h30-11h30"
capacity = 300
slots = ["07:30-09:30", "09:30-11:30"]
"#;
        for (year, day) in [(2026, d(2026, 2, 3)), (2027, d(2027, 1, 23))] {
            let c = parse_calendar(text, year).unwrap();
            let drive = &c[0].drives[0];
            assert_eq!(drive.date, day);
            assert_eq!(drive.province.code(), "hai-phong");
            assert_eq!(drive.slots.len(), 2);
            assert_eq!(drive.slot_capacity(), 150);
        }
    }

    #[test]
    fn every_fixed_point_error_is_named_with_its_line() {
        let text = "[[fixed_point]]\nname = \"A\"\nplace = \"Nhà văn hoá\"\n\
                    province = \"Hải Phòng\"\ndays = [\"thứ 9\", \"tue\"]\nweeks = [6]\n\
                    time = \"07:30-11:00\"\ncapacity = 10\nexcept = [\"tet+x\"]\n\
                    campaign = \"Không có\"\nunit = \"xyz\"\n\n\
                    [[fixed_point]]\nname = \"B\"\n\n\
                    [[fixed_point]]\nname = \"A\"\nplace = \"Nhà văn hoá\"\n\
                    province = \"Hải Phòng\"\ndays = [\"CN\"]\ntime = \"07:30-11:00\"\n\
                    capacity = 10\n";
        let errors = parse_calendar_file(text, 2026, &|c: &str| c == "known").unwrap_err();
        let lines: Vec<(usize, &str)> = errors
            .iter()
            .map(|e| (e.line, e.message.as_str()))
            .collect();
        // The weekday, the week, the closed day, the campaign, the unit of the first point;
        // the second lacks its days, place, province, time and capacity (at its table); the
        // third repeats the first's name.
        assert_eq!(
            lines.iter().map(|l| l.0).collect::<Vec<_>>(),
            vec![5, 6, 9, 10, 11, 13, 13, 13, 13, 13, 16],
            "{errors:?}"
        );
        assert!(
            lines[0].1.contains("\"thứ 9\" is not a weekday"),
            "{errors:?}"
        );
        assert!(lines[10].1.contains("\"A\" appears twice"), "{errors:?}");
        // Nothing but fixed points is a calendar too; nothing at all is not.
        let ok = "[[fixed_point]]\nname = \"A\"\nplace = \"Nhà văn hoá\"\n\
                  province = \"Hải Phòng\"\ndays = [\"CN\"]\nmonth = 3\n\
                  time = \"07:30-11:00\"\ncapacity = 10\n";
        let c = parse_calendar_file(ok, 2026, &|_: &str| false).unwrap();
        assert_eq!(
            c.fixed_points[0].open_days().len(),
            5,
            "the Sundays of March 2026"
        );
        assert_eq!(c.drive_count(), 5);
        assert!(parse_calendar_file("", 2026, &|_: &str| false).is_err());
    }

    #[test]
    fn every_drive_error_is_named_with_its_line() {
        let text = "[[campaign]]\nname = \"A\"\nmonth = 5\n\n\
                    [[campaign.drive]]\nplace = \"ab\"\nprovince = \"Atlantis\"\n\
                    date = \"06-01\"\ntime = \"11:00-07:00\"\ncapacity = 0\n\
                    slots = [\"06:00-07:00\"]\n\n\
                    [[campaign.drive]]\nplace = \"Nhà văn hoá\"\n";
        let errors = parse_calendar(text, 2026).unwrap_err();
        let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
        // place, province, date outside May, time, capacity, slot; then the second drive
        // (no province, date, time, capacity) at its table.
        assert_eq!(
            lines,
            vec![6, 7, 8, 9, 10, 11, 13, 13, 13, 13],
            "{errors:?}"
        );
        assert!(
            errors[2].message.contains("outside the campaign"),
            "{errors:?}"
        );
    }

    #[test]
    fn a_csv_calendar_reads_like_the_toml_one_and_names_bad_lines() {
        let csv = "name,from,to,month,target_units,partner\n\
                   Lễ hội Xuân hồng,tet-21,tet-1,,500-600,\"Trường ĐH Hải Phòng, cơ sở 1\"\n\
                   Những giọt máu hồng hè,,,5,,\n";
        let c = parse_calendar_csv(csv, 2023).unwrap();
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].starts_on, d(2023, 1, 1));
        assert_eq!(c[0].target_units_max, Some(600));
        assert_eq!(
            c[0].partner.as_deref(),
            Some("Trường ĐH Hải Phòng, cơ sở 1")
        );
        assert_eq!(c[1].ends_on, d(2023, 5, 31));

        let bad = "name,from,to,month,target_units\nA,tet+x,02-01,,\nB,,,13,\nC,,,5,nhiều\n";
        let errors = parse_calendar_csv(bad, 2026).unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].line, 4);
        let bad = "name,from,to,month\nA,tet+x,02-01,\nB,,,13\n";
        let errors = parse_calendar_csv(bad, 2026).unwrap_err();
        let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![2, 3], "{errors:?}");
        assert!(parse_calendar_csv("naam,from\nx,y\n", 2026).is_err());
        assert!(parse_calendar_csv("", 2026).is_err());
    }
}

#[cfg(test)]
mod every_error_at_once {
    use super::*;

    /// Issue 31: a TOML calendar with four wrong values reported only the first; each table
    /// is read on its own, so all four are named with their lines, and nothing is kept.
    #[test]
    fn a_calendar_with_four_wrong_values_names_all_four() {
        let text = "\
[[campaign]]
name = \"Xuân hồng\"
month = \"hai\"

[[campaign]]
name = \"Hè\"
month = 6
target_units = \"nhiều\"

[[campaign.drive]]
place = \"Nhà văn hoá\"
province = \"Hải Phòng\"
date = \"06-07\"
capacity = \"năm mươi\"

[[campaign]]
name = \"Hành trình Đỏ\"
month = 7
target_people = 1.5

[[fixed_point]]
name = \"Viện Huyết học\"
weeks = \"mỗi tuần\"
";
        let errors = parse_calendar_file(text, 2026, &|_: &str| true).unwrap_err();
        let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![1, 8, 10, 16, 21], "{errors:#?}");
        assert!(errors[2].message.contains("in `capacity`"), "{errors:#?}");
        assert!(errors[0].message.contains("hai"), "{errors:#?}");
    }

    /// Issue 31: a unit code the plan does not have named the plan's codes, nearest first,
    /// instead of "load the year plan first" (said only when no plan is loaded).
    #[test]
    fn an_unknown_unit_names_the_plans_nearest_codes() {
        let text = "[[campaign]]\nname = \"Hè\"\nmonth = 6\n\n[[campaign.drive]]\n\
                    place = \"Trường\"\nprovince = \"Hải Phòng\"\ndate = \"06-07\"\n\
                    time = \"07:30-11:30\"\ncapacity = 50\nunit = \"dh-haiphong\"\n";
        let plan: std::collections::HashSet<String> = [
            "q-le-chan",
            "dh-hai-phong",
            "cty-abc",
            "dh-y-duoc",
            "thpt-ngo-quyen",
            "h-thuy-nguyen",
            "dh-hang-hai",
        ]
        .into_iter()
        .map(String::from)
        .collect();
        let errors = parse_calendar_file(text, 2026, &plan).unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:#?}");
        let m = &errors[0].message;
        assert!(
            m.contains("not in the plan; its codes, nearest first: dh-hai-phong, "),
            "{m}"
        );
        assert!(m.contains("(and 2 more"), "{m}");
        let none = std::collections::HashSet::new();
        let errors = parse_calendar_file(text, 2026, &none).unwrap_err();
        assert!(
            errors[0].message.contains("load the year plan first"),
            "{errors:#?}"
        );
    }
}
