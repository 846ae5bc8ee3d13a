//! Urgent call-outs: a patient's blood group and the component needed decide whom the bot may
//! ask; waves widen from the reserve clubs of the hospital's province to every registered
//! donor nationwide until enough donors have pledged.
//!
//! Compatibility (domain.md) is used only to choose whom to ask — the hospital always
//! crossmatches. Red cells, patient ← donor: O ← O; A ← A, O; B ← B, O; AB ← any. An Rh−
//! patient gets Rh− only; an Rh+ patient either. Plasma is the reverse for ABO (AB plasma
//! suits everyone) and ignores Rh. Platelets follow the red-cell rule: a unit holds some red
//! cells, and Rh− patients are given Rh− platelets. A donor whose ABO (or, for an Rh−
//! patient, Rh) is unknown is asked only where every value would do.

use crate::domain::blood::{Abo, BloodGroup, Rh};
use crate::domain::eligibility::DonationKind;
use crate::domain::text::fold;
use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// A patient's group: both halves known (a call-out cannot be for "unknown").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PatientGroup {
    pub abo: Abo,
    pub rh: Rh,
}

impl PatientGroup {
    pub const ALL: [PatientGroup; 8] = {
        use Abo::*;
        use Rh::*;
        [
            PatientGroup {
                abo: O,
                rh: Negative,
            },
            PatientGroup {
                abo: O,
                rh: Positive,
            },
            PatientGroup {
                abo: A,
                rh: Negative,
            },
            PatientGroup {
                abo: A,
                rh: Positive,
            },
            PatientGroup {
                abo: B,
                rh: Negative,
            },
            PatientGroup {
                abo: B,
                rh: Positive,
            },
            PatientGroup {
                abo: AB,
                rh: Negative,
            },
            PatientGroup {
                abo: AB,
                rh: Positive,
            },
        ]
    };

    /// `O-`, `AB Rh dương`… — a group with an unknown half is refused.
    pub fn parse(input: &str) -> Option<PatientGroup> {
        let g = BloodGroup::parse(input).ok()?;
        Some(PatientGroup {
            abo: g.abo?,
            rh: g.rh?,
        })
    }

    pub fn from_code(code: &str) -> Option<PatientGroup> {
        let g = BloodGroup::from_code(code)?;
        Some(PatientGroup {
            abo: g.abo?,
            rh: g.rh?,
        })
    }

    pub fn group(self) -> BloodGroup {
        BloodGroup::new(self.abo, self.rh)
    }

    pub fn code(self) -> String {
        self.group().code()
    }
}

/// Every value a donor's stored group can take: 4 ABO or unknown × 2 Rh or unknown.
pub fn all_donor_groups() -> Vec<BloodGroup> {
    let abos = [
        None,
        Some(Abo::O),
        Some(Abo::A),
        Some(Abo::B),
        Some(Abo::AB),
    ];
    let rhs = [None, Some(Rh::Positive), Some(Rh::Negative)];
    abos.iter()
        .flat_map(|&abo| rhs.iter().map(move |&rh| BloodGroup { abo, rh }))
        .collect()
}

/// May a donor of group `donor` be asked to give `component` for a patient of `patient`?
pub fn may_give(donor: BloodGroup, patient: PatientGroup, component: DonationKind) -> bool {
    // Every ABO value the donor might have must suit the patient.
    let abo_ok = |d: Abo| match component {
        DonationKind::WholeBlood | DonationKind::Platelets => red_cells_abo(d, patient.abo),
        DonationKind::Plasma => red_cells_abo(patient.abo, d),
    };
    let abo = match donor.abo {
        Some(d) => abo_ok(d),
        None => [Abo::O, Abo::A, Abo::B, Abo::AB].into_iter().all(abo_ok),
    };
    let rh = match component {
        DonationKind::Plasma => true,
        DonationKind::WholeBlood | DonationKind::Platelets => match patient.rh {
            Rh::Positive => true,
            Rh::Negative => donor.rh == Some(Rh::Negative),
        },
    };
    abo && rh
}

/// Red cells of ABO `donor` suit a patient of ABO `patient`.
fn red_cells_abo(donor: Abo, patient: Abo) -> bool {
    match patient {
        Abo::O => donor == Abo::O,
        Abo::A => matches!(donor, Abo::A | Abo::O),
        Abo::B => matches!(donor, Abo::B | Abo::O),
        Abo::AB => true,
    }
}

/// The stored group codes of the donors who may be asked.
pub fn donor_codes(patient: PatientGroup, component: DonationKind) -> Vec<String> {
    all_donor_groups()
        .into_iter()
        .filter(|g| may_give(*g, patient, component))
        .map(|g| g.code())
        .collect()
}

/// A component, as typed or from its [`essence`](crate::domain::understand::essence).
pub fn parse_component(input: &str) -> Option<DonationKind> {
    crate::domain::understand::reread(input, parse_component_as_typed)
}

/// What a coordinator types for the component: `toàn phần`, `tiểu cầu`, `huyết tương`…
fn parse_component_as_typed(input: &str) -> Option<DonationKind> {
    let f = fold(input);
    let f = format!(" {} ", f.trim());
    let has = |p: &str| f.contains(&format!(" {p} "));
    // Platelets and plasma are named; red cells and whole blood are both "whole" here.
    let found: Vec<DonationKind> = [
        (
            DonationKind::Platelets,
            &["tieu cau", "platelets", "platelet", "plt"][..],
        ),
        (DonationKind::Plasma, &["huyet tuong", "plasma", "ffp"][..]),
        (
            DonationKind::WholeBlood,
            &[
                "toan phan",
                "hong cau",
                "whole",
                "blood",
                "red cells",
                "mau",
                "wb",
                "khoi hong cau",
                "hong cau lang",
            ][..],
        ),
    ]
    .iter()
    .filter(|(_, words)| words.iter().any(|w| has(w)))
    .map(|(k, _)| *k)
    .collect();
    match found.as_slice() {
        [k] => Some(*k),
        // "máu tiểu cầu": the component named wins over the word for blood.
        [k, DonationKind::WholeBlood] if f.contains(" mau ") && !f.contains("toan phan") => {
            Some(*k)
        }
        _ => None,
    }
}

/// Units needed: 1 to 50 (`2`, `hai`, `2 đơn vị`, `3 người`).
pub fn parse_units(input: &str) -> Option<u32> {
    crate::domain::understand::amount(input)
        .filter(|n| (1..=50).contains(n))
        .and_then(|n| u32::try_from(n).ok())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeadlineError {
    NotATime,
    Past,
    TooFar,
}

/// A deadline, as typed or from its [`essence`](crate::domain::understand::essence).
pub fn parse_deadline(
    input: &str,
    now: DateTime<Utc>,
    tz: Tz,
    max_hours: i64,
) -> Result<DateTime<Utc>, DeadlineError> {
    crate::domain::understand::reread_or(input, |s| parse_deadline_as_typed(s, now, tz, max_hours))
}

/// A call-out's deadline, local time: `18:00` or `18h` (today, or tomorrow if that has passed),
/// `23/11 18h`, `6h nữa` / `+6h` / `trong 6 giờ` (from now), `2 ngày` (from now). At most
/// `max_hours` ahead.
fn parse_deadline_as_typed(
    input: &str,
    now: DateTime<Utc>,
    tz: Tz,
    max_hours: i64,
) -> Result<DateTime<Utc>, DeadlineError> {
    let f = fold(input);
    let f = f.trim();
    let at = if let Some(span) = relative(f) {
        // Found by fuzzing: "30/11420/1142096p" is 30,114,201,142,096 minutes from now.
        now.checked_add_signed(span).ok_or(DeadlineError::TooFar)?
    } else {
        let today = now.with_timezone(&tz).date_naive();
        let (day, time) = day_and_time(input, today)?;
        match day {
            Some(day) => local_at(tz, day, time)?,
            None => {
                // A bare hour already past today means that hour tomorrow.
                let t = local_at(tz, today, time)?;
                if t > now {
                    t
                } else {
                    let tomorrow = today
                        .checked_add_days(Days::new(1))
                        .ok_or(DeadlineError::NotATime)?;
                    local_at(tz, tomorrow, time)?
                }
            }
        }
    };
    if at <= now {
        return Err(DeadlineError::Past);
    }
    if at - now > chrono::Duration::hours(max_hours) {
        return Err(DeadlineError::TooFar);
    }
    Ok(at)
}

fn local_at(
    tz: Tz,
    day: NaiveDate,
    time: chrono::NaiveTime,
) -> Result<DateTime<Utc>, DeadlineError> {
    tz.from_local_datetime(&day.and_time(time))
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .ok_or(DeadlineError::NotATime)
}

/// The day (if one was said) and the time of a deadline: `18h`, `6h chiều`, `6 giờ chiều
/// nay`, `chiều mai` (17:00), `7h sáng mai`, `mai 7h30`, `30/11 7h30`, `18h ngày 30/11`.
/// A part of the day without an hour means sáng 09:00, trưa 12:00, chiều 17:00, tối 20:00.
fn day_and_time(
    input: &str,
    today: NaiveDate,
) -> Result<(Option<NaiveDate>, chrono::NaiveTime), DeadlineError> {
    let mut day: Option<NaiveDate> = None;
    let mut rest = Vec::new();
    let mut set_day = |d: Option<NaiveDate>| -> Result<(), DeadlineError> {
        let d = d.ok_or(DeadlineError::NotATime)?;
        if day.replace(d).is_some_and(|old| old != d) {
            return Err(DeadlineError::NotATime);
        }
        Ok(())
    };
    let lower = input.trim().to_lowercase();
    let words: Vec<&str> = lower.split_whitespace().collect();
    let mut i = 0;
    while i < words.len() {
        let w = fold(words[i]);
        let next = words.get(i + 1).map(|n| fold(n));
        match w.as_str() {
            "mai" | "tomorrow" => set_day(today.checked_add_days(Days::new(1)))?,
            "mot" | "kia" => set_day(today.checked_add_days(Days::new(2)))?,
            "nay" | "today" | "tonight" => set_day(Some(today))?,
            "qua" | "yesterday" => return Err(DeadlineError::Past),
            "hom" | "ngay" | "luc" | "vao" | "truoc" | "by" | "before" => {
                // "hôm nay", "ngày mai", "trước 18h": the next word says it.
                if w == "ngay" && next.as_deref() == Some("kia") {
                    i += 1;
                    set_day(today.checked_add_days(Days::new(2)))?;
                }
            }
            _ if words[i].contains(['/', '-', '.'])
                && words[i].starts_with(|c: char| c.is_ascii_digit()) =>
            {
                set_day(day_month(words[i], today))?
            }
            _ => rest.push(words[i]),
        }
        i += 1;
    }
    let (clock, part) =
        crate::domain::understand::split_time(&rest.join(" ")).ok_or(DeadlineError::NotATime)?;
    let time = match (clock, part) {
        (Some(_), _) => crate::domain::understand::time_of_day(&rest.join(" "))
            .ok_or(DeadlineError::NotATime)?,
        (None, Some(p)) => p.default_time(),
        (None, None) => return Err(DeadlineError::NotATime),
    };
    Ok((day, time))
}

/// `23/11` (this year, or next if it has passed), `23/11/2026`.
fn day_month(input: &str, today: NaiveDate) -> Option<NaiveDate> {
    use chrono::Datelike;
    let parts: Vec<&str> = input.split(['/', '-', '.']).collect();
    match parts.as_slice() {
        [d, m] => {
            let (d, m): (u32, u32) = (d.parse().ok()?, m.parse().ok()?);
            let this = NaiveDate::from_ymd_opt(today.year(), m, d)?;
            if this >= today {
                Some(this)
            } else {
                NaiveDate::from_ymd_opt(today.year() + 1, m, d)
            }
        }
        [d, m, y] => NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?),
        _ => None,
    }
}

/// `+6h`, `6h nua`, `trong 6 gio`, `6 gio nua`, `90 phut`, `2 ngay`, `in 6 hours`.
fn relative(f: &str) -> Option<chrono::Duration> {
    let mut s = f.trim().trim_start_matches('+').trim().to_string();
    let mut explicit = f.starts_with('+');
    for p in ["trong vong ", "trong ", "in ", "sau ", "khoang "] {
        if let Some(rest) = s.strip_prefix(p) {
            s = rest.to_string();
            explicit = true;
        }
    }
    for p in [" nua", " from now"] {
        if let Some(rest) = s.strip_suffix(p) {
            s = rest.to_string();
            explicit = true;
        }
    }
    let s = s.replace(' ', "");
    let split = s.find(|c: char| !c.is_ascii_digit())?;
    let (n, unit) = s.split_at(split);
    let n: i64 = n.parse().ok()?;
    let d = match unit {
        // "6h" and "6 giờ" alone are times of day; "6 tiếng" is a span.
        "h" | "gio" if explicit => chrono::Duration::try_hours(n)?,
        "tieng" | "hours" | "hour" => chrono::Duration::try_hours(n)?,
        "p" | "phut" | "m" | "min" | "minutes" => chrono::Duration::try_minutes(n)?,
        "ngay" | "d" | "days" | "day" => chrono::Duration::try_days(n)?,
        _ => return None,
    };
    (n > 0).then_some(d)
}

/// A donor's answer to an ask, as stored (`callout_asks.answer`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Pledged,
    Declined,
}

impl Answer {
    pub fn code(self) -> &'static str {
        match self {
            Answer::Pledged => "pledged",
            Answer::Declined => "declined",
        }
    }

    pub fn from_code(code: &str) -> Option<Answer> {
        [Answer::Pledged, Answer::Declined]
            .into_iter()
            .find(|a| a.code() == code)
    }
}

/// What came of a pledge, as the coordinator marked it (`callout_asks.outcome`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PledgeOutcome {
    Donated,
    NoShow,
}

impl PledgeOutcome {
    pub fn code(self) -> &'static str {
        match self {
            PledgeOutcome::Donated => "donated",
            PledgeOutcome::NoShow => "no_show",
        }
    }

    pub fn from_code(code: &str) -> Option<PledgeOutcome> {
        [PledgeOutcome::Donated, PledgeOutcome::NoShow]
            .into_iter()
            .find(|o| o.code() == code)
    }
}

/// Who is asked, in this order: each tier is asked only when the ones before it are spent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Tier {
    /// Members of reserve and rare-blood clubs in the hospital's province.
    ReserveProvince = 0,
    /// Members of reserve clubs anywhere.
    ReserveNation = 1,
    /// Every registered donor of the province.
    Province = 2,
    /// Every registered donor.
    Nation = 3,
}

impl Tier {
    pub const ALL: [Tier; 4] = [
        Tier::ReserveProvince,
        Tier::ReserveNation,
        Tier::Province,
        Tier::Nation,
    ];

    pub fn from_index(i: i64) -> Option<Tier> {
        Tier::ALL.get(usize::try_from(i).ok()?).copied()
    }
}

/// The preview counts matching donors up to this many; beyond, it says "more than".
pub const PREVIEW_CAP: i64 = 1_000;

/// How waves grow and stop (configuration `[callouts]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WavePolicy {
    /// A wave asks this many donors per unit still missing.
    pub wave_factor: u32,
    /// Minutes between waves while pledges are short.
    pub wave_minutes: u32,
    /// Pledges beyond the units needed before asking stops (some pledges are not kept).
    pub margin: u32,
    /// A donor asked by a call-out is not asked by another one for this many days.
    pub rest_days: u32,
    /// The latest deadline a coordinator may set, in hours.
    pub max_deadline_hours: u32,
    /// Most donors one wave asks.
    pub max_wave: u32,
    /// A group below its stock threshold is announced to the reserve clubs at most this often.
    pub stock_alert_days: u32,
}

impl Default for WavePolicy {
    fn default() -> Self {
        WavePolicy {
            wave_factor: 3,
            wave_minutes: 20,
            margin: 1,
            rest_days: 7,
            max_deadline_hours: 72,
            max_wave: 500,
            stock_alert_days: 3,
        }
    }
}

impl WavePolicy {
    /// Pledges at which asking stops.
    pub fn enough(&self, units: u32) -> u32 {
        units + self.margin
    }

    /// How many donors the next wave asks with `pledged` pledges in.
    pub fn wave_size(&self, units: u32, pledged: u32) -> u32 {
        let missing = self.enough(units).saturating_sub(pledged);
        (missing * self.wave_factor).min(self.max_wave)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Open,
    Fulfilled,
    Cancelled,
    Expired,
}

impl Status {
    pub fn code(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Fulfilled => "fulfilled",
            Status::Cancelled => "cancelled",
            Status::Expired => "expired",
        }
    }

    pub fn from_code(code: &str) -> Option<Status> {
        Some(match code {
            "open" => Status::Open,
            "fulfilled" => Status::Fulfilled,
            "cancelled" => Status::Cancelled,
            "expired" => Status::Expired,
            _ => return None,
        })
    }
}

/// What a coordinator asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalloutSpec {
    pub group: PatientGroup,
    pub component: DonationKind,
    pub units: u32,
    pub hospital: String,
    pub address: String,
    pub province: crate::domain::province::Province,
    /// Unix ms.
    pub deadline: i64,
    pub note: String,
}

/// Whom a call-out's widest step would reach outside its own province (issue 33: a
/// patient's life comes first, and donors' consent covers urgent calls): how many donors,
/// in how many other provinces (each count stops at the preview's cap, as the others do).
/// Said in the preview and written in the audit; their names stay with their province
/// until they pledge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Elsewhere {
    pub donors: i64,
    pub provinces: i64,
}

/// One wave's figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct WaveTally {
    pub asked: i64,
    pub pledged: i64,
    pub declined: i64,
}

impl WaveTally {
    pub fn silent(&self) -> i64 {
        self.asked - self.pledged - self.declined
    }
}

/// A call-out as its coordinator sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalloutInfo {
    pub id: i64,
    pub spec: CalloutSpec,
    pub status: Status,
    pub waves: Vec<WaveTally>,
    pub donated: i64,
    pub no_show: i64,
    /// Unix ms of the next wave, while open.
    pub next_wave_at: Option<i64>,
}

/// One pledge, for the coordinator: who, their group, the code they show, how it ended, and
/// the phone to call them on (staff only: the dashboard's tally).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pledge {
    pub donor_id: i64,
    pub name: String,
    pub group: String,
    pub code: String,
    pub outcome: Option<PledgeOutcome>,
    pub phone: Option<String>,
}

/// How a call-out stands or ended, as people are told: "covered" only when enough donors
/// pledged. A call-out closed by hand before that is stored as fulfilled (the coordinator
/// said no more are needed) but is never called covered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    Open,
    Covered,
    /// Closed by the coordinator before enough pledges: no more donors are needed.
    ClosedEarly,
    Expired,
    Cancelled,
}

impl CalloutInfo {
    pub fn ending(&self, policy: &WavePolicy) -> Ending {
        match self.status {
            Status::Open => Ending::Open,
            Status::Fulfilled
                if self.total().pledged >= i64::from(policy.enough(self.spec.units)) =>
            {
                Ending::Covered
            }
            Status::Fulfilled => Ending::ClosedEarly,
            Status::Expired => Ending::Expired,
            Status::Cancelled => Ending::Cancelled,
        }
    }

    pub fn total(&self) -> WaveTally {
        self.waves
            .iter()
            .fold(WaveTally::default(), |a, w| WaveTally {
                asked: a.asked + w.asked,
                pledged: a.pledged + w.pledged,
                declined: a.declined + w.declined,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn p(code: &str) -> PatientGroup {
        PatientGroup::from_code(code).unwrap()
    }

    /// The whole table, written out by hand from domain.md: every patient group × every
    /// donor value (with unknown halves) × every component.
    #[test]
    fn compatibility_table_exhaustive() {
        let red: &[(&str, &[&str])] = &[
            ("O-", &["O-"]),
            ("O+", &["O-", "O+", "O?"]),
            ("A-", &["O-", "A-"]),
            ("A+", &["O-", "O+", "O?", "A-", "A+", "A?"]),
            ("B-", &["O-", "B-"]),
            ("B+", &["O-", "O+", "O?", "B-", "B+", "B?"]),
            ("AB-", &["O-", "A-", "B-", "AB-", "?-"]),
            (
                "AB+",
                &[
                    "O-", "O+", "O?", "A-", "A+", "A?", "B-", "B+", "B?", "AB-", "AB+", "AB?",
                    "?-", "?+", "?",
                ],
            ),
        ];
        let plasma: &[(&str, &[&str])] = &[
            ("O", &["O", "A", "B", "AB", "?"]),
            ("A", &["A", "AB"]),
            ("B", &["B", "AB"]),
            ("AB", &["AB"]),
        ];
        let donors = all_donor_groups();
        assert_eq!(donors.len(), 15);
        for patient in PatientGroup::ALL {
            for donor in &donors {
                let code = donor.code();
                for component in [DonationKind::WholeBlood, DonationKind::Platelets] {
                    let want = red
                        .iter()
                        .find(|(pt, _)| *pt == patient.code())
                        .unwrap()
                        .1
                        .contains(&code.as_str());
                    assert_eq!(
                        may_give(*donor, patient, component),
                        want,
                        "{code} → {} ({component:?})",
                        patient.code()
                    );
                }
                // Plasma: ABO reversed, Rh ignored. A donor's ABO part: "O" of "O-", "?" of "?+".
                let abo_part = match donor.abo {
                    None => "?",
                    Some(Abo::O) => "O",
                    Some(Abo::A) => "A",
                    Some(Abo::B) => "B",
                    Some(Abo::AB) => "AB",
                };
                let patient_abo = patient.code().trim_end_matches(['+', '-']).to_string();
                let want = plasma
                    .iter()
                    .find(|(pt, _)| *pt == patient_abo)
                    .unwrap()
                    .1
                    .contains(&abo_part);
                assert_eq!(
                    may_give(*donor, patient, DonationKind::Plasma),
                    want,
                    "plasma {code} → {}",
                    patient.code()
                );
            }
        }
    }

    #[test]
    fn rh_negative_patients_never_get_unknown_rh() {
        for patient in PatientGroup::ALL.iter().filter(|p| p.rh == Rh::Negative) {
            for code in donor_codes(*patient, DonationKind::WholeBlood) {
                assert!(code.ends_with('-'), "{code} for {}", patient.code());
            }
        }
        assert_eq!(donor_codes(p("O-"), DonationKind::WholeBlood), vec!["O-"]);
    }

    #[test]
    fn patient_groups_need_both_halves() {
        assert_eq!(PatientGroup::parse("O Rh âm"), Some(p("O-")));
        assert_eq!(PatientGroup::parse("ab duong"), Some(p("AB+")));
        for bad in ["O", "Rh-", "chưa biết", "", "C+", "O+-"] {
            assert_eq!(PatientGroup::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn components_and_units_typed() {
        assert_eq!(parse_component("Toàn phần"), Some(DonationKind::WholeBlood));
        assert_eq!(parse_component("tieu cau"), Some(DonationKind::Platelets));
        assert_eq!(parse_component("Huyết tương"), Some(DonationKind::Plasma));
        assert_eq!(parse_component("nước"), None);
        assert_eq!(parse_units("2"), Some(2));
        assert_eq!(parse_units("3 đơn vị"), Some(3));
        // Numbers in words are understood (issue 13).
        assert_eq!(parse_units("hai"), Some(2));
        assert_eq!(
            parse_component("khối hồng cầu"),
            Some(DonationKind::WholeBlood)
        );
        for bad in ["0", "-1", "51", "", "2.5", "nhiều"] {
            assert_eq!(parse_units(bad), None, "{bad}");
        }
    }

    #[test]
    fn deadlines_typed_at_night() {
        let tz: Tz = "Asia/Ho_Chi_Minh".parse().unwrap();
        // 23/11/2026 22:40 local.
        let now = tz
            .with_ymd_and_hms(2026, 11, 23, 22, 40, 0)
            .unwrap()
            .with_timezone(&Utc);
        let local = |s: &str| {
            parse_deadline(s, now, tz, 72)
                .map(|t| t.with_timezone(&tz).format("%d/%m %H:%M").to_string())
        };
        assert_eq!(local("23:30").as_deref(), Ok("23/11 23:30"));
        // 18h has passed today: tomorrow.
        assert_eq!(local("18h").as_deref(), Ok("24/11 18:00"));
        assert_eq!(local("25/11 7h30").as_deref(), Ok("25/11 07:30"));
        assert_eq!(local("6h nữa").as_deref(), Ok("24/11 04:40"));
        assert_eq!(local("+6h").as_deref(), Ok("24/11 04:40"));
        assert_eq!(local("trong 90 phút").as_deref(), Ok("24/11 00:10"));
        assert_eq!(local("2 ngày").as_deref(), Ok("25/11 22:40"));
        assert_eq!(local("23/11 20:00"), Err(DeadlineError::Past));
        assert_eq!(local("30/11 8h"), Err(DeadlineError::TooFar));
        // Found by fuzzing: spans beyond any date panicked.
        assert_eq!(local("30/11420/1142096p"), Err(DeadlineError::TooFar));
        assert!(local("+99999999999999999h").is_err());
        assert!(local("9223372036854775807 ngày").is_err());
        for bad in ["", "mai", "25h", "32/11 8h", "abc def ghi"] {
            assert_eq!(local(bad), Err(DeadlineError::NotATime), "{bad}");
        }
    }

    #[test]
    fn answers_and_pledge_outcomes_read_back_as_stored() {
        for a in [Answer::Pledged, Answer::Declined] {
            assert_eq!(Answer::from_code(a.code()), Some(a));
        }
        for o in [PledgeOutcome::Donated, PledgeOutcome::NoShow] {
            assert_eq!(PledgeOutcome::from_code(o.code()), Some(o));
        }
        // The codes the schema's CHECK constraints allow (migration 0007), and no others.
        assert_eq!(Answer::Pledged.code(), "pledged");
        assert_eq!(PledgeOutcome::NoShow.code(), "no_show");
        for bad in ["", "Pledged", "yes", "donated"] {
            assert_eq!(Answer::from_code(bad), None, "{bad}");
        }
        assert_eq!(PledgeOutcome::from_code("pledged"), None);
    }

    #[test]
    fn waves_ask_a_multiple_of_what_is_missing() {
        let w = WavePolicy::default();
        assert_eq!(w.enough(2), 3);
        assert_eq!(w.wave_size(2, 0), 9);
        assert_eq!(w.wave_size(2, 2), 3);
        assert_eq!(w.wave_size(2, 3), 0);
        assert_eq!(w.wave_size(2, 7), 0);
        let big = WavePolicy { max_wave: 10, ..w };
        assert_eq!(big.wave_size(40, 0), 10);
    }
}
