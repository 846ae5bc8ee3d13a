//! The year plan as provincial steering committees write it: targets for the year (units of
//! blood, people reached, the share of repeat donors, the share of the population, drives)
//! and their allocation (giao chỉ tiêu) to units — districts and communes, universities and
//! colleges, departments, firms, armed forces units, clubs. Read from TOML (targets and
//! units) or CSV (the allocation table, in the shape of Kon Tum's); every error names its
//! line and nothing is kept unless the whole file is right.
//!
//! Units of blood are counted as Vietnamese blood centres count them: one unit (đơn vị) is
//! 250 ml of whole blood, so 350 ml is 1.4 units and 450 ml 1.8 ([`UnitConvention`]);
//! platelets and plasma by apheresis count as the units the centre records (one each unless
//! it says otherwise).

use super::campaign::FileError;
use super::province::{Province, ProvinceMatch};
use super::text::fold;
use serde::Deserialize;
use toml::Spanned;

/// What kind of body a unit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum UnitKind {
    District,
    Commune,
    University,
    College,
    School,
    Department,
    Organisation,
    Firm,
    ArmedForces,
    Club,
    Hospital,
    Other,
}

impl UnitKind {
    pub const ALL: [UnitKind; 12] = [
        UnitKind::District,
        UnitKind::Commune,
        UnitKind::University,
        UnitKind::College,
        UnitKind::School,
        UnitKind::Department,
        UnitKind::Organisation,
        UnitKind::Firm,
        UnitKind::ArmedForces,
        UnitKind::Club,
        UnitKind::Hospital,
        UnitKind::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            UnitKind::District => "district",
            UnitKind::Commune => "commune",
            UnitKind::University => "university",
            UnitKind::College => "college",
            UnitKind::School => "school",
            UnitKind::Department => "department",
            UnitKind::Organisation => "organisation",
            UnitKind::Firm => "firm",
            UnitKind::ArmedForces => "armed_forces",
            UnitKind::Club => "club",
            UnitKind::Hospital => "hospital",
            UnitKind::Other => "other",
        }
    }

    pub fn from_code(code: &str) -> Option<UnitKind> {
        UnitKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// A kind as a plan writes it, in Vietnamese or English.
    pub fn parse(s: &str) -> Option<UnitKind> {
        let f = fold(s);
        if let Some(k) = UnitKind::from_code(&f.replace(' ', "_")) {
            return Some(k);
        }
        Some(match f.as_str() {
            "quan" | "huyen" | "quan huyen" | "thi xa" | "thanh pho" => UnitKind::District,
            "xa" | "phuong" | "thi tran" | "xa phuong" => UnitKind::Commune,
            "dai hoc" | "truong dai hoc" | "hoc vien" => UnitKind::University,
            "cao dang" | "truong cao dang" => UnitKind::College,
            "truong" | "truong hoc" | "thpt" => UnitKind::School,
            "so" | "ban" | "nganh" | "so ban nganh" | "co quan" => UnitKind::Department,
            "doan the" | "to chuc" | "hoi" => UnitKind::Organisation,
            "doanh nghiep" | "cong ty" => UnitKind::Firm,
            "luc luong vu trang" | "quan doi" | "cong an" | "llvt" => UnitKind::ArmedForces,
            "cau lac bo" | "clb" => UnitKind::Club,
            "benh vien" => UnitKind::Hospital,
            "khac" => UnitKind::Other,
            _ => return None,
        })
    }
}

/// A year's targets for the province. Every figure is optional: a plan names some.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct YearTargets {
    pub year: i32,
    pub units: Option<i64>,
    /// People reached (lượt người tuyên truyền, vận động): a plan gives a range.
    pub people_min: Option<i64>,
    pub people_max: Option<i64>,
    /// Share of donations by repeat donors, in percent.
    pub repeat_pct: Option<i64>,
    /// The province's population, and the share of it to take part, in hundredths of a
    /// percent (1.1% is 110).
    pub population: Option<i64>,
    pub population_share_bp: Option<i64>,
    pub drives: Option<i64>,
}

impl YearTargets {
    /// Several provinces' targets as one (the national roll-up): counts add up; the repeat
    /// share is weighted by the units aimed at, the population share by the population.
    /// `None` when there are none.
    pub fn sum(year: i32, all: &[YearTargets]) -> Option<YearTargets> {
        if all.is_empty() {
            return None;
        }
        fn add(values: impl Iterator<Item = Option<i64>>) -> Option<i64> {
            values.flatten().reduce(|a, b| a.saturating_add(b))
        }
        fn weighted(pairs: impl Iterator<Item = (Option<i64>, Option<i64>)>) -> Option<i64> {
            let (mut num, mut den) = (0i128, 0i128);
            for (value, weight) in pairs {
                if let (Some(v), Some(w)) = (value, weight.filter(|w| *w > 0)) {
                    num += i128::from(v) * i128::from(w);
                    den += i128::from(w);
                }
            }
            (den > 0).then(|| i64::try_from((num + den / 2) / den).unwrap_or(i64::MAX))
        }
        Some(YearTargets {
            year,
            units: add(all.iter().map(|t| t.units)),
            people_min: add(all.iter().map(|t| t.people_min)),
            people_max: add(all.iter().map(|t| t.people_max)),
            repeat_pct: weighted(all.iter().map(|t| (t.repeat_pct, t.units))),
            population: add(all.iter().map(|t| t.population)),
            population_share_bp: weighted(
                all.iter().map(|t| (t.population_share_bp, t.population)),
            ),
            drives: add(all.iter().map(|t| t.drives)),
        })
    }
}

/// One of the year's targets changed by a coordinator (chat `/chitieu`, `hienmau plan
/// target`): the others stay as they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetChange {
    Units(i64),
    People(i64, i64),
    RepeatPct(i64),
    Population(i64),
    PopulationShareBp(i64),
    Drives(i64),
}

impl TargetChange {
    /// The change made to `t`.
    pub fn apply(self, t: &mut YearTargets) {
        match self {
            TargetChange::Units(n) => t.units = Some(n),
            TargetChange::People(a, b) => (t.people_min, t.people_max) = (Some(a), Some(b)),
            TargetChange::RepeatPct(p) => t.repeat_pct = Some(p),
            TargetChange::Population(n) => t.population = Some(n),
            TargetChange::PopulationShareBp(bp) => t.population_share_bp = Some(bp),
            TargetChange::Drives(n) => t.drives = Some(n),
        }
    }

    /// Its name in the audit log.
    pub fn code(self) -> &'static str {
        match self {
            TargetChange::Units(_) => "units",
            TargetChange::People(..) => "people",
            TargetChange::RepeatPct(_) => "repeat_share",
            TargetChange::Population(_) => "population",
            TargetChange::PopulationShareBp(_) => "population_share",
            TargetChange::Drives(_) => "drives",
        }
    }
}

/// `2026 đơn vị 30.000`, `người 58000-61000`, `nhắc lại 70%`, `dân số 2.100.000`,
/// `tỷ lệ 1,1%`, `đợt 160` (English: units, people, repeat, population, share, drives): an
/// optional year, what, then the figure. `None` when it is not one of those.
pub fn parse_target_change(input: &str) -> Option<(Option<i32>, TargetChange)> {
    let words: Vec<&str> = input.split_whitespace().collect();
    let year = words
        .first()?
        .parse::<i32>()
        .ok()
        .filter(|y| (2000..=2100).contains(y));
    let rest = &words[usize::from(year.is_some())..];
    let (value, what) = rest.split_last()?;
    let what = crate::domain::text::fold(&what.join(" "));
    let is = |names: &[&str]| names.contains(&what.as_str());
    let count = || parse_count(value).ok();
    let change = if is(&["don vi", "don vi mau", "mau", "units", "units of blood"]) {
        TargetChange::Units(count()?)
    } else if is(&[
        "nguoi",
        "nguoi van dong",
        "van dong",
        "luot nguoi",
        "people",
        "reached",
    ]) {
        let (a, b) = value.split_once(['-', '–']).unwrap_or((value, value));
        match (parse_count(a), parse_count(b)) {
            (Ok(a), Ok(b)) if a <= b => TargetChange::People(a, b),
            _ => return None,
        }
    } else if is(&["nhac lai", "hien nhac lai", "repeat", "repeat share"]) {
        TargetChange::RepeatPct(parse_percent_bp(value).ok()? / 100)
    } else if is(&["dan so", "population"]) {
        TargetChange::Population(count()?)
    } else if is(&[
        "ty le",
        "ti le",
        "ty le dan so",
        "share",
        "population share",
    ]) {
        TargetChange::PopulationShareBp(parse_percent_bp(value).ok()?)
    } else if is(&["dot", "so dot", "drives"]) {
        TargetChange::Drives(count()?)
    } else {
        return None;
    };
    Some((year, change))
}

/// A unit and what it was allocated for the year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitPlan {
    pub line: usize,
    /// A short stable code (`dh-hai-phong`), used to attribute drives and donations.
    pub code: String,
    pub name: String,
    pub kind: UnitKind,
    pub province: Option<Province>,
    pub units: Option<i64>,
    pub drives: Option<i64>,
    pub people: Option<i64>,
    /// The allocation is an illustration (the example plan), not the committee's.
    pub illustrative: bool,
}

/// A whole plan file: the year's targets (TOML) and the units with their allocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub targets: Option<YearTargets>,
    pub units: Vec<UnitPlan>,
}

/// How volumes count as units.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UnitConvention {
    /// Millilitres of whole blood in one unit (250 in Vietnam).
    pub unit_ml: i64,
    /// A whole blood donation with no volume recorded counts as this.
    pub default_ml: i64,
    /// Units an apheresis donation (platelets, plasma) counts as when the centre records none.
    pub apheresis_units: f64,
}

impl Default for UnitConvention {
    fn default() -> Self {
        UnitConvention {
            unit_ml: 250,
            default_ml: 250,
            apheresis_units: 1.0,
        }
    }
}

impl UnitConvention {
    /// Units of one whole blood donation of `ml` (unknown: the default volume).
    pub fn whole_blood_units(&self, ml: Option<i64>) -> f64 {
        let ml = ml.unwrap_or(self.default_ml).max(0);
        if self.unit_ml <= 0 {
            return 0.0;
        }
        ml as f64 / self.unit_ml as f64
    }
}

/// The volumes a whole blood donation may have (ml), as Vietnamese centres take them.
pub const WHOLE_BLOOD_ML: [i64; 3] = [250, 350, 450];

/// A volume as a centre's list writes it: `350`, `350ml`, `350 ml`.
pub fn parse_volume(s: &str) -> Result<i64, String> {
    let t = fold(s).replace(' ', "");
    let digits = t.strip_suffix("ml").unwrap_or(&t);
    let ml: i64 = digits
        .parse()
        .map_err(|_| format!("volume {s:?} is not a number of ml (250, 350, 450)"))?;
    if !(50..=1000).contains(&ml) {
        return Err(format!("volume {s:?}: {ml} ml is not a donation's volume"));
    }
    Ok(ml)
}

/// A count that may be written `30.000` or `30,000` (thousands separators) or `30000`.
fn parse_count(s: &str) -> Result<i64, String> {
    let t: String = s
        .trim()
        .chars()
        .filter(|c| !matches!(c, '.' | ',' | ' '))
        .collect();
    match t.parse::<i64>() {
        Ok(n) if n >= 0 => Ok(n),
        _ => Err(format!("{s:?} is not a count")),
    }
}

/// A percent: `70%`, `70`, `1,1%` or `1.1%`, in hundredths of a percent.
fn parse_percent_bp(s: &str) -> Result<i64, String> {
    let t = s.trim().trim_end_matches('%').trim().replace(',', ".");
    match t.parse::<f64>() {
        Ok(p) if (0.0..=100.0).contains(&p) => Ok((p * 100.0).round() as i64),
        _ => Err(format!("{s:?} is not a percent between 0 and 100")),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlan {
    year: Option<Spanned<RawYear>>,
    #[serde(default)]
    unit: Vec<Spanned<crate::domain::campaign::Lenient<RawUnit>>>,
    // A calendar file may hold the year's plan too: its campaigns are read by the calendar.
    #[serde(default, rename = "campaign")]
    _campaign: Vec<toml::Value>,
    #[serde(default, rename = "fixed_point")]
    _fixed_point: Vec<toml::Value>,
}

#[derive(Deserialize, Clone)]
#[serde(untagged)]
enum Num {
    Int(i64),
    Text(String),
}

impl Num {
    fn text(&self) -> String {
        match self {
            Num::Int(n) => n.to_string(),
            Num::Text(s) => s.clone(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawYear {
    year: Option<i32>,
    units: Option<Num>,
    /// `58000`, or a range `"58000-61000"`.
    people: Option<Num>,
    repeat_share: Option<Num>,
    population: Option<Num>,
    population_share: Option<Num>,
    drives: Option<Num>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUnit {
    code: Option<String>,
    name: Option<String>,
    kind: Option<String>,
    province: Option<String>,
    units: Option<Num>,
    drives: Option<Num>,
    people: Option<Num>,
    #[serde(default)]
    illustrative: bool,
}

/// The fields of one unit, checked; problems are collected.
struct UnitFields<'a> {
    code: &'a str,
    name: &'a str,
    kind: &'a str,
    province: &'a str,
    units: Option<String>,
    drives: Option<String>,
    people: Option<String>,
}

fn unit_plan(line: usize, f: UnitFields, illustrative: bool) -> Result<UnitPlan, FileError> {
    let mut problems = Vec::new();
    let code = f.code.trim().to_lowercase();
    let code_ok = !code.is_empty()
        && code.len() <= 64
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if !code_ok {
        problems.push(format!(
            "code {:?}: letters a-z, digits, - and _ (e.g. dh-hai-phong)",
            f.code
        ));
    }
    let name = f.name.trim();
    if name.is_empty() {
        problems.push("name is missing".into());
    }
    let kind = UnitKind::parse(f.kind);
    if kind.is_none() {
        problems.push(format!(
            "kind {:?}: one of {}",
            f.kind,
            UnitKind::ALL.map(UnitKind::code).join(", ")
        ));
    }
    let province = match f.province.trim() {
        "" => None,
        p => match Province::from_code(p).map_or_else(
            || Province::find(p),
            |province| ProvinceMatch::One {
                province,
                former: None,
            },
        ) {
            ProvinceMatch::One { province, .. } => Some(province),
            _ => {
                problems.push(format!("province {p:?} is not one of the 34"));
                None
            }
        },
    };
    let mut count = |what: &str, v: Option<String>| match v.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => parse_count(s)
            .map_err(|e| problems.push(format!("{what}: {e}")))
            .ok(),
    };
    let units = count("units", f.units);
    let drives = count("drives", f.drives);
    let people = count("people", f.people);
    match (problems.is_empty(), kind) {
        (true, Some(kind)) => Ok(UnitPlan {
            line,
            code,
            name: name.to_string(),
            kind,
            province,
            units,
            drives,
            people,
            illustrative,
        }),
        _ => Err(FileError {
            line,
            message: problems.join("; "),
        }),
    }
}

/// Codes used twice are an error at the second.
fn check_duplicates(units: &[UnitPlan], errors: &mut Vec<FileError>) {
    let mut seen = std::collections::HashMap::new();
    for u in units {
        if let Some(first) = seen.insert(u.code.clone(), u.line) {
            errors.push(FileError {
                line: u.line,
                message: format!("code {:?} is already used on line {first}", u.code),
            });
        }
    }
}

/// Read a plan in TOML: `[year]` (targets) and `[[unit]]` (units and their allocation).
/// `year` is the year the file is loaded for, unless `[year] year` says otherwise.
pub fn parse_plan_toml(text: &str, year: i32) -> Result<Plan, Vec<FileError>> {
    let index = super::campaign::LineIndex::new(text);
    let raw: RawPlan = toml::from_str(text).map_err(|e| {
        vec![FileError {
            line: e.span().map_or(1, |s| index.line(s.start)),
            message: e.message().trim().to_string(),
        }]
    })?;
    let mut errors = Vec::new();
    let targets = raw.year.map(|spanned| {
        let line = index.line(spanned.span().start);
        let y = spanned.into_inner();
        let mut problems = Vec::new();
        let mut count = |what: &str, v: &Option<Num>| {
            v.as_ref().and_then(|n| {
                parse_count(&n.text())
                    .map_err(|e| problems.push(format!("{what}: {e}")))
                    .ok()
            })
        };
        let units = count("units", &y.units);
        let population = count("population", &y.population);
        let drives = count("drives", &y.drives);
        let (people_min, people_max) = match y.people.as_ref().map(Num::text) {
            None => (None, None),
            Some(p) => {
                let (lo, hi) = p.split_once(['-', '–']).unwrap_or((&p, &p));
                match (parse_count(lo), parse_count(hi)) {
                    (Ok(lo), Ok(hi)) if lo <= hi => (Some(lo), Some(hi)),
                    _ => {
                        problems.push(format!("people: {p:?} is not a count or a range"));
                        (None, None)
                    }
                }
            }
        };
        let mut percent = |what: &str, v: &Option<Num>| {
            v.as_ref().and_then(|n| {
                parse_percent_bp(&n.text())
                    .map_err(|e| problems.push(format!("{what}: {e}")))
                    .ok()
            })
        };
        let repeat_bp = percent("repeat_share", &y.repeat_share);
        let population_share_bp = percent("population_share", &y.population_share);
        if !problems.is_empty() {
            errors.push(FileError {
                line,
                message: problems.join("; "),
            });
        }
        YearTargets {
            year: y.year.unwrap_or(year),
            units,
            people_min,
            people_max,
            repeat_pct: repeat_bp.map(|bp| bp / 100),
            population,
            population_share_bp,
            drives,
        }
    });
    let mut units = Vec::new();
    for spanned in raw.unit {
        let line = index.line(spanned.span().start);
        let u = match spanned.into_inner() {
            crate::domain::campaign::Lenient::Read(u) => u,
            crate::domain::campaign::Lenient::Wrong(message) => {
                errors.push(FileError { line, message });
                continue;
            }
        };
        let fields = UnitFields {
            code: u.code.as_deref().unwrap_or(""),
            name: u.name.as_deref().unwrap_or(""),
            kind: u.kind.as_deref().unwrap_or(""),
            province: u.province.as_deref().unwrap_or(""),
            units: u.units.as_ref().map(Num::text),
            drives: u.drives.as_ref().map(Num::text),
            people: u.people.as_ref().map(Num::text),
        };
        match unit_plan(line, fields, u.illustrative) {
            Ok(p) => units.push(p),
            Err(e) => errors.push(e),
        }
    }
    check_duplicates(&units, &mut errors);
    if targets.is_none() && units.is_empty() && errors.is_empty() {
        errors.push(FileError {
            line: 1,
            message: "neither [year] nor [[unit]] in the file".into(),
        });
    }
    if errors.is_empty() {
        Ok(Plan { targets, units })
    } else {
        errors.sort_by_key(|e| e.line);
        Err(errors)
    }
}

/// Read an allocation table in CSV: a header naming `code, name, kind` and any of
/// `province, units, drives, people` (Vietnamese headers too: `mã, tên đơn vị, loại, tỉnh,
/// đơn vị máu, số đợt, số người`), one unit a line.
pub fn parse_allocation_csv(text: &str) -> Result<Vec<UnitPlan>, Vec<FileError>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(text.as_bytes());
    let header_error = |message: String| vec![FileError { line: 1, message }];
    let headers = reader
        .headers()
        .map_err(|e| header_error(format!("unreadable header: {e}")))?
        .clone();
    let column = |names: &[&str]| {
        headers
            .iter()
            .position(|h| names.contains(&fold(h).as_str()))
    };
    let code = column(&["code", "ma"]);
    let name = column(&["name", "ten", "ten don vi", "don vi"]);
    let kind = column(&["kind", "loai"]);
    let province = column(&["province", "tinh", "tinh/thanh pho"]);
    let units = column(&["units", "don vi mau", "chi tieu", "so don vi"]);
    let drives = column(&["drives", "so dot", "dot"]);
    let people = column(&["people", "so nguoi", "luot nguoi"]);
    let (Some(code), Some(name), Some(kind)) = (code, name, kind) else {
        return Err(header_error(format!(
            "the header must name the columns code, name and kind (found: {})",
            headers.iter().collect::<Vec<_>>().join(", ")
        )));
    };
    let index = super::campaign::LineIndex::new(text);
    let line_at = |byte: u64| index.csv_line(text, byte);
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(FileError {
                    line: e.position().map_or(0, |p| line_at(p.byte())),
                    message: format!("unreadable line: {e}"),
                });
                continue;
            }
        };
        let line = record.position().map_or(0, |p| line_at(p.byte()));
        if record.iter().all(str::is_empty) {
            continue;
        }
        let get = |i: Option<usize>| i.and_then(|i| record.get(i)).unwrap_or("");
        let fields = UnitFields {
            code: get(Some(code)),
            name: get(Some(name)),
            kind: get(Some(kind)),
            province: get(province),
            units: Some(get(units).to_string()),
            drives: Some(get(drives).to_string()),
            people: Some(get(people).to_string()),
        };
        match unit_plan(line, fields, false) {
            Ok(p) => out.push(p),
            Err(e) => errors.push(e),
        }
    }
    check_duplicates(&out, &mut errors);
    if out.is_empty() && errors.is_empty() {
        errors.push(FileError {
            line: 1,
            message: "no units in the file".into(),
        });
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        errors.sort_by_key(|e| e.line);
        Err(errors)
    }
}

/// Where the province stands on a day of the year, against its targets.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanFigures {
    pub year: i32,
    /// Figures count donations up to and including this day.
    pub until: chrono::NaiveDate,
    pub targets: Option<YearTargets>,
    /// Units of blood ([`UnitConvention`]).
    pub units_done: f64,
    /// The same period of the year before.
    pub units_last_year: f64,
    pub donations: i64,
    /// Donations by donors who had given before.
    pub repeat: i64,
    /// People who gave (an erased donor's donation counts as one person).
    pub donors: i64,
    /// People reached by the year's campaigns.
    pub reached: i64,
    /// Drives held (not cancelled) up to `until`, fixed points' open days apart.
    pub drives: i64,
    /// Days a fixed donation point was open up to `until`.
    pub fixed_days: i64,
    /// Units of blood by month, January first.
    pub by_month: [f64; 12],
    pub units: Vec<UnitFigures>,
    /// The national roll-up (several provinces in the scope): each province's year, by
    /// name. Empty for one province's own figures, and when only one province has a plan
    /// or anything counted (its line would say the total again).
    pub provinces: Vec<ProvinceYear>,
}

/// One province's year in the national roll-up: what its stored rows count (a donation's,
/// a drive's, a person reached's province) against its plan's targets.
#[derive(Debug, Clone, PartialEq)]
pub struct ProvinceYear {
    pub province: Province,
    pub targets: Option<YearTargets>,
    pub units_done: f64,
    pub donations: i64,
    pub repeat: i64,
    pub reached: i64,
    pub drives: i64,
}

impl Eq for ProvinceYear {}

impl ProvinceYear {
    pub fn repeat_pct(&self) -> Option<f64> {
        (self.donations > 0).then(|| self.repeat as f64 * 100.0 / self.donations as f64)
    }
}

/// A club's year in the contest among donor clubs: its members' donations, the members who
/// gave for the first time, the share of repeat donations.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ClubStanding {
    pub club_id: i64,
    pub name: String,
    pub members: i64,
    pub donations: i64,
    /// Members whose first donation ever fell in the year.
    pub new_donors: i64,
    pub repeat: i64,
}

impl ClubStanding {
    pub fn repeat_pct(&self) -> Option<i64> {
        (self.donations > 0).then(|| (self.repeat * 100 + self.donations / 2) / self.donations)
    }
}

/// The contest's order: most donations, then most new donors, then the higher repeat share,
/// then the name.
pub fn rank_clubs(clubs: &mut [ClubStanding]) {
    clubs.sort_by(|a, b| {
        b.donations
            .cmp(&a.donations)
            .then(b.new_donors.cmp(&a.new_donors))
            .then(b.repeat_pct().cmp(&a.repeat_pct()))
            .then(a.name.cmp(&b.name))
    });
}

/// A donor who reached a milestone (the certificate tiers, `scheduler.milestones`) in the
/// year: the 14/6 ceremony's list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HonouredDonor {
    pub name: String,
    pub province: Option<String>,
    /// The highest tier reached this year.
    pub tier: i64,
    /// Donations on record up to the end of the period.
    pub total: i64,
    pub last: Option<chrono::NaiveDate>,
    /// Their clubs, "; "-separated.
    pub clubs: String,
}

/// The highest tier a donor crossed in the year: more than `before` donations on record
/// before it, at most `before + in_year` by its end.
pub fn milestone_crossed(before: i64, in_year: i64, tiers: &[i64]) -> Option<i64> {
    tiers
        .iter()
        .copied()
        .filter(|t| before < *t && *t <= before + in_year)
        .max()
}

/// A family of donors (opt-in) with at least two members, one of whom gave this year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HonouredFamily {
    pub code: String,
    pub names: Vec<String>,
    pub donations_in_year: i64,
    pub donations: i64,
}

/// The year's honours: donors by milestone (highest first), families (most donations this
/// year first), clubs in the contest's order, and the units that met their allocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Honours {
    pub year: i32,
    pub until: chrono::NaiveDate,
    pub donors: Vec<HonouredDonor>,
    pub families: Vec<HonouredFamily>,
    pub clubs: Vec<ClubStanding>,
    pub units: Vec<UnitFigures>,
}

// Units met their target: equality of figures is total here too.
impl Eq for UnitFigures {}

// Figures are counts and sums of counts, never NaN: equality is total.
impl Eq for PlanFigures {}

/// One unit's year against its allocation.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitFigures {
    pub code: String,
    pub name: String,
    pub kind: UnitKind,
    pub illustrative: bool,
    pub target_units: Option<i64>,
    pub target_drives: Option<i64>,
    pub units_done: f64,
    pub donations: i64,
}

impl PlanFigures {
    /// (day of the year, days in the year) of `until`.
    pub fn day_of_year(&self) -> (u32, u32) {
        use chrono::Datelike;
        let days = if chrono::NaiveDate::from_ymd_opt(self.year, 2, 29).is_some() {
            366
        } else {
            365
        };
        (self.until.ordinal(), days)
    }

    /// The province's units against its target, if there is one.
    pub fn pace(&self) -> Option<Pace> {
        let (day, days) = self.day_of_year();
        Pace::of(self.units_done, self.targets.as_ref()?.units?, day, days)
    }

    /// Percent of donations by repeat donors.
    pub fn repeat_pct(&self) -> Option<f64> {
        (self.donations > 0).then(|| self.repeat as f64 * 100.0 / self.donations as f64)
    }

    /// Percent of the population who gave, if the population is known.
    pub fn population_pct(&self) -> Option<f64> {
        let p = self.targets.as_ref()?.population.filter(|p| *p > 0)?;
        Some(self.donors as f64 * 100.0 / p as f64)
    }

    /// A province's units against its plan, at the same point of the year.
    pub fn province_pace(&self, p: &ProvinceYear) -> Option<Pace> {
        let (day, days) = self.day_of_year();
        Pace::of(p.units_done, p.targets.as_ref()?.units?, day, days)
    }

    /// A unit's units against its allocation.
    pub fn unit_pace(&self, u: &UnitFigures) -> Option<Pace> {
        let (day, days) = self.day_of_year();
        Pace::of(u.units_done, u.target_units?, day, days)
    }
}

/// A figure of units as people read it: one decimal, Vietnamese comma (`1,4`) or English
/// point.
pub fn units_text(units: f64, vietnamese: bool) -> String {
    let t = format!("{:.1}", (units * 10.0).round() / 10.0);
    let t = t.strip_suffix(".0").map(str::to_string).unwrap_or(t);
    if vietnamese { t.replace('.', ",") } else { t }
}

/// Where a figure stands against its target at a point of the year.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pace {
    /// Percent of the target reached.
    pub done_pct: f64,
    /// Percent of the year gone.
    pub year_pct: f64,
}

/// A unit (or the province) is behind its pace when the share of its target reached is more
/// than this many points below the share of the year gone.
pub const BEHIND_MARGIN_PCT: f64 = 10.0;

impl Pace {
    /// `done` of `target` on day `day_of_year` of a year of `days` days.
    pub fn of(done: f64, target: i64, day_of_year: u32, days: u32) -> Option<Pace> {
        if target <= 0 || days == 0 {
            return None;
        }
        Some(Pace {
            done_pct: done * 100.0 / target as f64,
            year_pct: f64::from(day_of_year.min(days)) * 100.0 / f64::from(days),
        })
    }

    pub fn behind(&self) -> bool {
        self.done_pct + BEHIND_MARGIN_PCT < self.year_pct
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provinces_targets_add_up_and_shares_are_weighted() {
        let t = |units, repeat, population, share, people| YearTargets {
            year: 2026,
            units: Some(units),
            people_min: Some(people),
            people_max: None,
            repeat_pct: Some(repeat),
            population: Some(population),
            population_share_bp: Some(share),
            drives: None,
        };
        let sum = YearTargets::sum(
            2026,
            &[
                t(30_000, 70, 2_000_000, 150, 58_000),
                t(10_000, 50, 1_000_000, 90, 20_000),
            ],
        )
        .unwrap();
        assert_eq!(sum.units, Some(40_000));
        assert_eq!(sum.people_min, Some(78_000));
        // No province gave a figure: none for the nation either.
        assert_eq!((sum.people_max, sum.drives), (None, None));
        // (70 × 30,000 + 50 × 10,000) / 40,000 = 65; (150 × 2M + 90 × 1M) / 3M = 130.
        assert_eq!(sum.repeat_pct, Some(65));
        assert_eq!(sum.population_share_bp, Some(130));
        assert_eq!(sum.population, Some(3_000_000));
        assert_eq!(YearTargets::sum(2026, &[]), None);
    }

    const HAI_PHONG: &str = r#"
[year]
units = "30.000"
people = "58000-61000"
repeat_share = "70%"
population = 2100000
population_share = "1,1%"
drives = 40

[[unit]]
code = "dh-hai-phong"
name = "Trường Đại học Hải Phòng"
kind = "đại học"
province = "Hải Phòng"
units = 1500
drives = 3
illustrative = true

[[unit]]
code = "q-le-chan"
name = "Quận Lê Chân"
kind = "district"
units = 2000
"#;

    #[test]
    fn a_plan_with_targets_and_units_is_read() {
        let p = parse_plan_toml(HAI_PHONG, 2023).unwrap();
        let t = p.targets.unwrap();
        assert_eq!(t.year, 2023);
        assert_eq!(t.units, Some(30_000));
        assert_eq!((t.people_min, t.people_max), (Some(58_000), Some(61_000)));
        assert_eq!(t.repeat_pct, Some(70));
        assert_eq!(t.population_share_bp, Some(110));
        assert_eq!(p.units.len(), 2);
        let u = &p.units[0];
        assert_eq!(
            (u.code.as_str(), u.kind),
            ("dh-hai-phong", UnitKind::University)
        );
        assert_eq!(u.province.map(|p| p.code()), Some("hai-phong"));
        assert!(u.illustrative);
        assert_eq!(p.units[1].line, 19, "the line of its [[unit]]");
    }

    #[test]
    fn every_mistake_in_a_plan_is_named_by_line_and_nothing_kept() {
        let text = r#"
[year]
units = "many"
repeat_share = "170%"

[[unit]]
code = "Bad Code!"
name = ""
kind = "spaceship"
province = "Atlantis"
units = -5

[[unit]]
code = "ok"
name = "A"
kind = "firm"

[[unit]]
code = "ok"
name = "B"
kind = "firm"
"#;
        let e = parse_plan_toml(text, 2023).unwrap_err();
        let lines: Vec<usize> = e.iter().map(|e| e.line).collect();
        assert_eq!(lines, [2, 6, 18], "{e:?}");
        assert!(e[0].message.contains("units") && e[0].message.contains("repeat_share"));
        for part in ["code", "name is missing", "kind", "province", "units"] {
            assert!(e[1].message.contains(part), "{part}: {}", e[1].message);
        }
        assert!(e[2].message.contains("already used on line 13"));
        assert!(parse_plan_toml("", 2023).is_err());
        assert!(parse_plan_toml("[yeer]\n", 2023).is_err());
        assert!(parse_plan_toml("[[unit]]\ncode = 1\n", 2023).is_err());
    }

    #[test]
    fn an_allocation_table_in_csv_with_vietnamese_headers() {
        let text = "Mã,Tên đơn vị,Loại,Tỉnh,Đơn vị máu,Số đợt\n\
                    h-dak-ha,Huyện Đăk Hà,huyện,Kon Tum,350,2\n\n\
                    cd-kon-tum,Trường Cao đẳng Cộng đồng,cao đẳng,,\"1.200\",\n";
        let units = parse_allocation_csv(text).unwrap();
        assert_eq!(units.len(), 2);
        assert_eq!(units[0].kind, UnitKind::District);
        assert_eq!((units[0].units, units[0].drives), (Some(350), Some(2)));
        assert_eq!((units[1].line, units[1].units), (4, Some(1200)));
        assert_eq!(units[1].province, None);
    }

    #[test]
    fn a_bad_allocation_table_names_each_line() {
        let text = "code,name,kind,units\nx,X,firm,10\n\ny,,firm,ten\nx,X2,firm,1\n";
        let e = parse_allocation_csv(text).unwrap_err();
        assert_eq!(e.iter().map(|e| e.line).collect::<Vec<_>>(), [4, 5]);
        assert!(e[0].message.contains("name is missing") && e[0].message.contains("units"));
        assert!(e[1].message.contains("already used on line 2"));
        assert!(
            parse_allocation_csv("name,units\nA,1\n").unwrap_err()[0]
                .message
                .contains("code, name and kind")
        );
        assert!(parse_allocation_csv("code,name,kind\n").is_err());
    }

    #[test]
    fn volumes_and_units() {
        assert_eq!(parse_volume("350"), Ok(350));
        assert_eq!(parse_volume("450 ml"), Ok(450));
        assert_eq!(parse_volume("250ML"), Ok(250));
        for bad in ["", "ml", "abc", "0", "5000", "-250"] {
            assert!(parse_volume(bad).is_err(), "{bad:?}");
        }
        let c = UnitConvention::default();
        assert_eq!(c.whole_blood_units(Some(250)), 1.0);
        assert_eq!(c.whole_blood_units(Some(350)), 1.4);
        assert_eq!(c.whole_blood_units(Some(450)), 1.8);
        assert_eq!(c.whole_blood_units(None), 1.0);
    }

    #[test]
    fn behind_pace_is_more_than_ten_points_below_the_year() {
        // 40% of the target with 60% of the year gone.
        let p = Pace::of(4000.0, 10_000, 219, 365).unwrap();
        assert!((p.year_pct - 60.0).abs() < 0.01);
        assert!(p.behind());
        assert!(!Pace::of(5000.0, 10_000, 219, 365).unwrap().behind());
        assert!(!Pace::of(0.0, 10_000, 1, 365).unwrap().behind());
        assert_eq!(Pace::of(1.0, 0, 10, 365), None);
    }

    #[test]
    fn figures_read_as_people_write_them() {
        assert_eq!(units_text(1.4, true), "1,4");
        assert_eq!(units_text(30_000.0, true), "30000");
        assert_eq!(units_text(2.25, false), "2.3");
    }

    #[test]
    fn kinds_are_read_in_both_languages() {
        assert_eq!(
            UnitKind::parse("Trường Đại học"),
            Some(UnitKind::University)
        );
        assert_eq!(UnitKind::parse("armed forces"), Some(UnitKind::ArmedForces));
        assert_eq!(UnitKind::parse("CLB"), Some(UnitKind::Club));
        assert_eq!(UnitKind::parse("doanh nghiệp"), Some(UnitKind::Firm));
        assert_eq!(UnitKind::parse("?"), None);
        for k in UnitKind::ALL {
            assert_eq!(UnitKind::from_code(k.code()), Some(k));
        }
    }
}

#[cfg(test)]
mod target_tests {
    use super::*;

    #[test]
    fn a_coordinator_sets_one_target_as_they_would_say_it() {
        for (input, want) in [
            (
                "2026 đơn vị 30.000",
                (Some(2026), TargetChange::Units(30000)),
            ),
            ("don vi 30000", (None, TargetChange::Units(30000))),
            (
                "người 58000-61000",
                (None, TargetChange::People(58000, 61000)),
            ),
            ("nguoi 58.000", (None, TargetChange::People(58000, 58000))),
            ("nhắc lại 70%", (None, TargetChange::RepeatPct(70))),
            (
                "dân số 2.100.000",
                (None, TargetChange::Population(2_100_000)),
            ),
            (
                "2021 tỷ lệ 1,1%",
                (Some(2021), TargetChange::PopulationShareBp(110)),
            ),
            ("đợt 160", (None, TargetChange::Drives(160))),
            ("2026 units 30000", (Some(2026), TargetChange::Units(30000))),
        ] {
            assert_eq!(parse_target_change(input), Some(want), "{input}");
        }
        for bad in [
            "",
            "2026",
            "30000",
            "đơn vị",
            "đơn vị ba mươi nghìn",
            "người 61000-58000",
            "nhắc lại 170%",
            "máu O 300",
            "đơn vị -5",
        ] {
            assert_eq!(parse_target_change(bad), None, "{bad}");
        }
        let mut t = YearTargets::default();
        TargetChange::People(1, 2).apply(&mut t);
        TargetChange::Units(9).apply(&mut t);
        assert_eq!(
            (t.people_min, t.people_max, t.units),
            (Some(1), Some(2), Some(9))
        );
    }
}

#[cfg(test)]
mod every_unit_error {
    use super::*;

    /// Issue 31: each `[[unit]]` is read on its own, so every wrong one is named.
    #[test]
    fn a_plan_with_two_wrong_units_names_both() {
        let text = "[[unit]]\ncode = 5\nname = \"A\"\nkind = \"firm\"\n\n\
                    [[unit]]\ncode = \"b\"\nname = \"B\"\nkind = \"firm\"\n\n\
                    [[unit]]\ncode = \"c\"\nname = [\"C\"]\nkind = \"firm\"\n";
        let errors = parse_plan_toml(text, 2026).unwrap_err();
        let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![1, 11], "{errors:#?}");
    }
}
