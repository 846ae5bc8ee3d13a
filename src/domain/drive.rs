//! Drives (điểm hiến máu): a place, a day, a time window, a capacity, optional time slots;
//! when their reminders fall; milestones; the figures of the progress report.

use crate::domain::province::Province;
use crate::domain::quiet::QuietHours;
use chrono::{DateTime, Days, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// A time of day typed the Vietnamese way or the ISO way: `7h30`, `07:30`, `7h`, `7g30`, `19`,
/// `7 rưỡi`, `2h chiều` (the shared vocabulary of [`crate::domain::understand`]).
pub fn parse_time(input: &str) -> Option<NaiveTime> {
    crate::domain::understand::time_of_day(input)
}

/// From one time of day to a later one, on the same day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeWindow {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

impl TimeWindow {
    /// `07:30-11:30`, `7h30 – 11h`, `7:30 đến 11:30`.
    pub fn parse(input: &str) -> Option<TimeWindow> {
        let t = input.trim().to_lowercase();
        let t = t.replace("đến", "-").replace("den", "-").replace("to", "-");
        let (a, b) = t.split_once(['-', '–'])?;
        let (start, end) = (parse_time(a)?, parse_time(b)?);
        (start < end).then_some(TimeWindow { start, end })
    }

    pub fn label(&self) -> String {
        format!(
            "{}–{}",
            self.start.format("%H:%M"),
            self.end.format("%H:%M")
        )
    }

    /// The window on `day` in `tz`, as unix ms.
    pub fn on(&self, day: NaiveDate, tz: Tz) -> Option<(i64, i64)> {
        let at = |t: NaiveTime| {
            tz.from_local_datetime(&day.and_time(t))
                .earliest()
                .map(|d| d.timestamp_millis())
        };
        Some((at(self.start)?, at(self.end)?))
    }
}

/// A drive as written in a file or in the chat, before it is stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DriveSpec {
    pub place: String,
    pub province: Province,
    pub commune: String,
    pub date: NaiveDate,
    pub window: TimeWindow,
    pub capacity: i64,
    pub target_units: Option<i64>,
    /// Optional time slots, each with an equal share of the capacity.
    pub slots: Vec<TimeWindow>,
    /// The code of the unit that organises it (the year plan's attribution).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

impl DriveSpec {
    /// Each slot's capacity: the drive's, shared out (rounded up, so the sum is not less).
    pub fn slot_capacity(&self) -> i64 {
        let n = self.slots.len().max(1) as i64;
        (self.capacity + n - 1) / n
    }
}

/// One active sign-up, for staff: who, their group, the phone to call, the slot (its id in
/// the drive's `slots`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignupRow {
    pub name: String,
    pub group: String,
    pub phone: Option<String>,
    pub slot: Option<i64>,
}

/// A drive to save: a new one (`id` None) or an edit, in a campaign or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DriveInput {
    pub id: Option<i64>,
    pub campaign: Option<i64>,
    pub spec: DriveSpec,
}

/// A place as typed: 3 to 200 characters, one line.
pub fn parse_place(input: &str) -> Option<String> {
    let p = input.split_whitespace().collect::<Vec<_>>().join(" ");
    let n = p.chars().count();
    ((3..=200).contains(&n) && !p.starts_with('/')).then_some(p)
}

/// A positive count as typed: `300`, `1.500`, `1,500`, `1 500`, `khoảng 200 người`, `mười`.
pub fn parse_count(input: &str) -> Option<i64> {
    crate::domain::understand::amount(input)
        .filter(|n| *n <= 9_999_999)
        .and_then(|n| i64::try_from(n).ok())
}

/// A day to come as typed: `6/12` (the next 6 December from `today`), `06/12/2026`,
/// `2026-12-06`. Not before `today`, not more than two years ahead.
pub fn parse_upcoming_day(input: &str, today: NaiveDate) -> Option<NaiveDate> {
    use chrono::Datelike;
    let day = match crate::domain::dates::parse_day(input, today) {
        Ok(d) => d,
        Err(_) => {
            let parts: Vec<&str> = input
                .trim()
                .split(['/', '-', '.', ' '])
                .filter(|p| !p.is_empty())
                .collect();
            let [d, m] = parts.as_slice() else {
                return None;
            };
            let (d, m): (u32, u32) = (d.parse().ok()?, m.parse().ok()?);
            let this = NaiveDate::from_ymd_opt(today.year(), m, d)?;
            if this >= today {
                this
            } else {
                NaiveDate::from_ymd_opt(today.year() + 1, m, d)?
            }
        }
    };
    (day >= today && (day - today).num_days() <= 731).then_some(day)
}

/// `Option<Option<T>>` through JSON: absent is `None`, `null` is `Some(None)` (a question
/// answered with "skip"), so a skipped answer survives being stored between messages.
pub mod double_option {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<T: Serialize, S: Serializer>(
        v: &Option<Option<T>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match v {
            Some(inner) => inner.serialize(s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(d).map(Some)
    }
}

/// A time slot of a stored drive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlotInfo {
    pub id: i64,
    pub starts_at: i64,
    pub ends_at: i64,
    pub capacity: i64,
    pub taken: i64,
}

impl SlotInfo {
    pub fn full(&self) -> bool {
        self.taken >= self.capacity
    }
}

/// A stored drive, as a donor or a coordinator sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DriveInfo {
    pub id: i64,
    pub campaign: Option<String>,
    pub place: String,
    pub province: String,
    pub commune: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub capacity: i64,
    /// Active sign-ups.
    pub taken: i64,
    pub target_units: Option<i64>,
    pub slots: Vec<SlotInfo>,
    /// The person's own active sign-up: `Some(slot)` (slot `None` when the drive has none).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "double_option"
    )]
    pub mine: Option<Option<i64>>,
    pub cancelled: bool,
    /// A fixed point's open weekdays (ISO numbers, "2,4"): this is one of its days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_days: Option<String>,
}

impl DriveInfo {
    pub fn full(&self) -> bool {
        self.taken >= self.capacity
            || (!self.slots.is_empty() && self.slots.iter().all(SlotInfo::full))
    }

    pub fn province_name(&self) -> String {
        Province::from_code(&self.province)
            .map_or_else(|| self.province.clone(), |p| p.name().to_string())
    }
}

/// "When" as shown: `Thứ Bảy 06/12/2026, 07:30–11:30` is built by the messages; here the
/// local date and window.
pub fn local_window(starts_at: i64, ends_at: i64, tz: Tz) -> (NaiveDate, TimeWindow) {
    let at = |ms: i64| {
        DateTime::from_timestamp_millis(ms)
            .unwrap_or_default()
            .with_timezone(&tz)
    };
    let (s, e) = (at(starts_at), at(ends_at));
    (
        s.date_naive(),
        TimeWindow {
            start: s.time(),
            end: e.time(),
        },
    )
}

/// When a reminder goes, relative to the drive's start: `3d@09:00` (three days before, at
/// 09:00), `1d@19:00` (the evening before), `2h` (two hours before), `45m`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReminderRule {
    DaysBefore { days: u32, at: NaiveTime },
    MinutesBefore(u32),
}

impl ReminderRule {
    pub fn parse(s: &str) -> Option<ReminderRule> {
        let t = s.trim().to_ascii_lowercase();
        if let Some((d, at)) = t.split_once('@') {
            let days: u32 = d.strip_suffix('d')?.parse().ok()?;
            let at = NaiveTime::parse_from_str(at, "%H:%M").ok()?;
            return (1..=30)
                .contains(&days)
                .then_some(ReminderRule::DaysBefore { days, at });
        }
        // By the last character, not the last byte: "ạ" is three bytes.
        let minutes = if let Some(n) = t.strip_suffix('h') {
            n.parse::<u32>().ok()?.checked_mul(60)?
        } else {
            t.strip_suffix('m')?.parse::<u32>().ok()?
        };
        (1..=24 * 60)
            .contains(&minutes)
            .then_some(ReminderRule::MinutesBefore(minutes))
    }

    /// Stable name, part of the reminder's idempotency key.
    pub fn code(&self) -> String {
        match self {
            ReminderRule::DaysBefore { days, at } => format!("{days}d@{}", at.format("%H:%M")),
            ReminderRule::MinutesBefore(m) => format!("{m}m"),
        }
    }

    fn due(&self, start: DateTime<Utc>, tz: Tz) -> Option<DateTime<Utc>> {
        match *self {
            ReminderRule::DaysBefore { days, at } => {
                let day = start
                    .with_timezone(&tz)
                    .date_naive()
                    .checked_sub_days(Days::new(days.into()))?;
                tz.from_local_datetime(&day.and_time(at))
                    .earliest()
                    .map(|t| t.with_timezone(&Utc))
            }
            ReminderRule::MinutesBefore(m) => Some(start - chrono::Duration::minutes(m.into())),
        }
    }
}

/// The least time between a reminder and the drive's start, once moved out of quiet hours.
const MIN_LEAD_MINUTES: i64 = 30;

/// When the reminders of a drive starting at `start` go: one per rule, each at its time, or —
/// if that falls in quiet hours — when they end, as long as that is still at least 30
/// minutes before the start (else it is dropped: the evening-before one has said it). Two that
/// land on the same minute go once. Times already past at `now` are left out.
pub fn reminder_times(
    start: DateTime<Utc>,
    rules: &[ReminderRule],
    quiet: Option<QuietHours>,
    tz: Tz,
    now: DateTime<Utc>,
) -> Vec<(String, DateTime<Utc>)> {
    let mut out: Vec<(String, DateTime<Utc>)> = Vec::new();
    for rule in rules {
        let Some(mut due) = rule.due(start, tz) else {
            continue;
        };
        if let Some(end) = quiet.and_then(|q| q.ends_after(due, tz)) {
            due = end;
        }
        if due > start - chrono::Duration::minutes(MIN_LEAD_MINUTES) || due < now {
            continue;
        }
        if out.iter().any(|(_, t)| *t == due) {
            continue;
        }
        out.push((rule.code(), due));
    }
    out.sort_by_key(|(_, t)| *t);
    out
}

/// A campaign to choose from (a new drive's campaign, the report).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignItem {
    pub id: i64,
    pub name: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

/// One campaign in the progress report, with its drives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignReport {
    pub campaign: CampaignItem,
    pub figures: Figures,
    pub drives: Vec<(DriveInfo, Figures)>,
}

/// The whole report of a year.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Report {
    pub campaigns: Vec<CampaignReport>,
    /// Sign-ups, donations and repeat donations of the year outside its campaigns.
    pub other: Figures,
}

impl Report {
    /// The year's total: the campaigns' figures and those outside them (one sum, for the
    /// chat, the command line and the CSV).
    pub fn total(&self) -> Figures {
        let mut total = self.other.clone();
        for c in &self.campaigns {
            total.signups += c.figures.signups;
            total.donations += c.figures.donations;
            total.repeat += c.figures.repeat;
            total.reached += c.figures.reached;
        }
        total
    }
}

/// Whether `count` donations is a milestone to celebrate (`tiers` from configuration).
pub fn milestone(count: i64, tiers: &[i64]) -> bool {
    tiers.contains(&count)
}

/// The figures of one campaign or drive in the progress report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figures {
    pub signups: i64,
    pub donations: i64,
    /// Donations by donors who had given before.
    pub repeat: i64,
    pub reached: i64,
    pub target_units_min: Option<i64>,
    pub target_units_max: Option<i64>,
    pub target_people: Option<i64>,
}

impl Figures {
    /// Percent of the (lower) unit target reached, if there is one.
    pub fn units_percent(&self) -> Option<i64> {
        let t = self.target_units_min.filter(|t| *t > 0)?;
        Some(self.donations * 100 / t)
    }

    /// Percent of donations given by repeat donors, if there were any donations.
    pub fn repeat_percent(&self) -> Option<i64> {
        (self.donations > 0).then(|| (self.repeat * 100 + self.donations / 2) / self.donations)
    }

    pub fn target_label(&self) -> Option<String> {
        match (self.target_units_min, self.target_units_max) {
            (Some(a), Some(b)) if a != b => Some(format!("{a}–{b}")),
            (Some(a), _) => Some(a.to_string()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TZ: Tz = chrono_tz::Asia::Ho_Chi_Minh;

    fn vn(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        TZ.with_ymd_and_hms(y, m, d, h, min, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn times_typed_many_ways() {
        for (s, want) in [
            ("7h30", t(7, 30)),
            ("07:30", t(7, 30)),
            ("7h", t(7, 0)),
            ("7g30", t(7, 30)),
            ("19", t(19, 0)),
            (" 13 : 05 ", t(13, 5)),
        ] {
            assert_eq!(parse_time(s), Some(want), "{s}");
        }
        for bad in ["", "25:00", "7:60", "sáng", "7h300", "h30", "-1"] {
            assert_eq!(parse_time(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn windows_must_end_after_they_start() {
        let w = TimeWindow::parse("7h30 - 11h30").unwrap();
        assert_eq!((w.start, w.end), (t(7, 30), t(11, 30)));
        assert_eq!(w.label(), "07:30–11:30");
        assert_eq!(TimeWindow::parse("07:30 đến 11:00").unwrap().end, t(11, 0));
        assert_eq!(TimeWindow::parse("7:30 den 11").unwrap().end, t(11, 0));
        for bad in ["11:30-07:30", "07:30-07:30", "07:30", "sáng mai", "7h-25h"] {
            assert_eq!(TimeWindow::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn upcoming_days() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(parse_upcoming_day("6/12", today), Some(d(2026, 12, 6)));
        assert_eq!(parse_upcoming_day("22/11", today), Some(d(2026, 11, 22)));
        assert_eq!(parse_upcoming_day("10/1", today), Some(d(2027, 1, 10)));
        assert_eq!(
            parse_upcoming_day("06/12/2026", today),
            Some(d(2026, 12, 6))
        );
        for bad in ["21/11/2026", "31/2", "mai", "", "6/12/2030", "1/2/3/4"] {
            assert_eq!(parse_upcoming_day(bad, today), None, "{bad:?}");
        }
    }

    #[test]
    fn counts_and_places() {
        assert_eq!(parse_count("300"), Some(300));
        assert_eq!(parse_count("1.500"), Some(1500));
        assert_eq!(parse_count("1 500"), Some(1500));
        // Numbers in words and "about 200 people" are understood (issue 13).
        assert_eq!(parse_count("ba trăm"), Some(300));
        assert_eq!(parse_count("khoảng 200 người"), Some(200));
        for bad in ["0", "-5", "", "12345678", "nhiều"] {
            assert_eq!(parse_count(bad), None, "{bad:?}");
        }
        assert_eq!(
            parse_place("  Trường ĐH   Hải Phòng ").as_deref(),
            Some("Trường ĐH Hải Phòng")
        );
        assert_eq!(parse_place("ab"), None);
        assert_eq!(parse_place("/cancel"), None);
    }

    #[test]
    fn reminder_rules_parse_and_reject() {
        assert_eq!(
            ReminderRule::parse("3d@09:00"),
            Some(ReminderRule::DaysBefore {
                days: 3,
                at: t(9, 0)
            })
        );
        assert_eq!(
            ReminderRule::parse("2h"),
            Some(ReminderRule::MinutesBefore(120))
        );
        assert_eq!(
            ReminderRule::parse("45m"),
            Some(ReminderRule::MinutesBefore(45))
        );
        for bad in [
            "",
            "3",
            "3x",
            "0h",
            "3d",
            "3d@25:00",
            "40d@09:00",
            "h",
            "d@09:00",
            // Found by fuzzing: a multi-byte last letter once split a character.
            "em đến được ạ",
            "2ạ",
        ] {
            assert_eq!(ReminderRule::parse(bad), None, "{bad:?}");
        }
    }

    fn rules() -> Vec<ReminderRule> {
        ["3d@09:00", "1d@19:00", "2h"]
            .iter()
            .map(|r| ReminderRule::parse(r).unwrap())
            .collect()
    }

    #[test]
    fn reminders_default_three_days_evening_and_two_hours_before() {
        let start = vn(2026, 12, 6, 9, 30);
        let got = reminder_times(
            start,
            &rules(),
            Some(QuietHours::default()),
            TZ,
            vn(2026, 11, 22, 9, 0),
        );
        assert_eq!(
            got,
            vec![
                ("3d@09:00".to_string(), vn(2026, 12, 3, 9, 0)),
                ("1d@19:00".to_string(), vn(2026, 12, 5, 19, 0)),
                ("120m".to_string(), vn(2026, 12, 6, 7, 30)),
            ]
        );
    }

    #[test]
    fn quiet_hours_move_a_reminder_to_the_morning_or_drop_it() {
        // 2 h before 08:00 is 06:00, quiet: it goes at 07:00, an hour before.
        let got = reminder_times(
            vn(2026, 12, 6, 8, 0),
            &rules(),
            Some(QuietHours::default()),
            TZ,
            vn(2026, 11, 1, 0, 0),
        );
        assert_eq!(got[2], ("120m".to_string(), vn(2026, 12, 6, 7, 0)));
        // Before a 07:15 start, 07:00 is too late: only the other two remain.
        let got = reminder_times(
            vn(2026, 12, 6, 7, 15),
            &rules(),
            Some(QuietHours::default()),
            TZ,
            vn(2026, 11, 1, 0, 0),
        );
        assert_eq!(got.len(), 2);
        assert!(got.iter().all(|(c, _)| c != "120m"));
        // Without quiet hours it goes at 05:15.
        let got = reminder_times(
            vn(2026, 12, 6, 7, 15),
            &rules(),
            None,
            TZ,
            vn(2026, 11, 1, 0, 0),
        );
        assert_eq!(got[2].1, vn(2026, 12, 6, 5, 15));
    }

    #[test]
    fn reminders_already_past_at_sign_up_are_left_out() {
        // Signed up the day before at 20:00: only the 2-hour one is left.
        let got = reminder_times(
            vn(2026, 12, 6, 9, 30),
            &rules(),
            Some(QuietHours::default()),
            TZ,
            vn(2026, 12, 5, 20, 0),
        );
        assert_eq!(got, vec![("120m".to_string(), vn(2026, 12, 6, 7, 30))]);
    }

    #[test]
    fn slots_share_the_capacity() {
        let spec = DriveSpec {
            place: "x".into(),
            province: Province::from_code("hai-phong").unwrap(),
            commune: String::new(),
            date: NaiveDate::from_ymd_opt(2026, 12, 6).unwrap(),
            window: TimeWindow::parse("07:30-11:30").unwrap(),
            capacity: 100,
            target_units: None,
            unit: None,
            slots: vec![
                TimeWindow::parse("07:30-09:00").unwrap(),
                TimeWindow::parse("09:00-10:30").unwrap(),
                TimeWindow::parse("10:30-11:30").unwrap(),
            ],
        };
        assert_eq!(spec.slot_capacity(), 34);
    }

    #[test]
    fn figures_against_targets() {
        let f = Figures {
            donations: 420,
            repeat: 300,
            target_units_min: Some(500),
            target_units_max: Some(600),
            ..Figures::default()
        };
        assert_eq!(f.units_percent(), Some(84));
        assert_eq!(f.repeat_percent(), Some(71));
        assert_eq!(f.target_label().as_deref(), Some("500–600"));
        assert_eq!(Figures::default().repeat_percent(), None);
        assert_eq!(Figures::default().units_percent(), None);
        assert!(milestone(5, &[1, 5, 10]));
        assert!(!milestone(6, &[1, 5, 10]));
    }
}
