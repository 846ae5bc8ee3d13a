//! Fixed donation points (điểm hiến máu cố định): a place open on given weekdays — every
//! Tuesday and Thursday 7:30–11:00 at a university, "Chủ nhật Đỏ" every Sunday of a month —
//! except on public holidays and the days the file names. Each open day becomes a drive of
//! its own, so signing up, slots, reminders and the report are those of drives.

use crate::domain::drive::{DriveSpec, TimeWindow};
use crate::domain::lunar::{lunar_to_solar, tet};
use crate::domain::province::Province;
use chrono::{Datelike, Days, NaiveDate, Weekday};

/// A fixed point as the calendar file gives it, dated in one year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixedPointSpec {
    /// Unique: a second import of the same file updates the point.
    pub name: String,
    pub place: String,
    pub province: Province,
    pub commune: String,
    /// The weekdays it is open, Monday first, no repeats.
    pub days: Vec<Weekday>,
    /// Only these occurrences of the weekday in a month (1 = the first, 5 = a fifth);
    /// empty: every week.
    pub weeks: Vec<u32>,
    pub window: TimeWindow,
    pub slots: Vec<TimeWindow>,
    /// Donors an open day takes.
    pub capacity: i64,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Days it is closed beyond the public holidays.
    pub except: Vec<NaiveDate>,
    /// Open on public holidays too (a festival at Tết, say).
    pub open_on_holidays: bool,
    /// The code of the unit that runs it.
    pub unit: Option<String>,
    /// The campaign (by name, in the same file) its days belong to.
    pub campaign: Option<String>,
}

impl FixedPointSpec {
    /// Every day the point is open, in order.
    pub fn open_days(&self) -> Vec<NaiveDate> {
        let mut holidays = Vec::new();
        if !self.open_on_holidays {
            for y in self.from.year()..=self.to.year() {
                holidays.extend(public_holidays(y));
            }
        }
        self.from
            .iter_days()
            .take_while(|d| *d <= self.to)
            .filter(|d| self.days.contains(&d.weekday()))
            .filter(|d| self.weeks.is_empty() || self.weeks.contains(&((d.day() - 1) / 7 + 1)))
            .filter(|d| !holidays.contains(d) && !self.except.contains(d))
            .collect()
    }

    /// The drive of one open day.
    pub fn drive_on(&self, date: NaiveDate) -> DriveSpec {
        DriveSpec {
            place: self.place.clone(),
            province: self.province,
            commune: self.commune.clone(),
            date,
            window: self.window,
            capacity: self.capacity,
            target_units: None,
            slots: self.slots.clone(),
            unit: self.unit.clone(),
        }
    }

    /// The weekdays as stored: ISO numbers, `"2,4"`.
    pub fn days_code(&self) -> String {
        days_code(&self.days)
    }
}

/// ISO weekday numbers (Monday = 1), comma-separated.
pub fn days_code(days: &[Weekday]) -> String {
    days.iter()
        .map(|d| d.number_from_monday().to_string())
        .collect::<Vec<_>>()
        .join(",")
}

/// The weekdays of a stored code; what is not a weekday number is left out.
pub fn days_from_code(code: &str) -> Vec<Weekday> {
    code.split(',')
        .filter_map(|n| n.trim().parse::<u8>().ok())
        .filter_map(|n| Weekday::try_from(n.checked_sub(1)?).ok())
        .collect()
}

/// The weekday codes the messages name (`mon` … `sun`).
pub fn weekday_code(d: Weekday) -> &'static str {
    ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][d.num_days_from_monday() as usize]
}

/// A weekday as a file or a person writes it: `tue`, `Tuesday`, `thứ 3`, `thu ba`, `T3`,
/// `chủ nhật`, `CN`.
pub fn parse_weekday(input: &str) -> Option<Weekday> {
    let t = crate::domain::text::fold_compact(input);
    let english = [
        ("mon", Weekday::Mon),
        ("tue", Weekday::Tue),
        ("wed", Weekday::Wed),
        ("thu", Weekday::Thu),
        ("fri", Weekday::Fri),
        ("sat", Weekday::Sat),
        ("sun", Weekday::Sun),
    ];
    // Vietnamese first: "thu" alone is Thursday, "thu2"/"thuhai" is Monday.
    let vi_number = t
        .strip_prefix("thu")
        .or_else(|| t.strip_prefix('t'))
        .filter(|rest| !rest.is_empty());
    if let Some(rest) = vi_number {
        let n = match rest {
            "2" | "hai" => Some(Weekday::Mon),
            "3" | "ba" => Some(Weekday::Tue),
            "4" | "tu" => Some(Weekday::Wed),
            "5" | "nam" => Some(Weekday::Thu),
            "6" | "sau" => Some(Weekday::Fri),
            "7" | "bay" => Some(Weekday::Sat),
            _ => None,
        };
        if n.is_some() {
            return n;
        }
    }
    if matches!(t.as_str(), "cn" | "chunhat") {
        return Some(Weekday::Sun);
    }
    english.iter().find_map(|(code, day)| {
        (t.len() >= 3 && (t == *code || t.starts_with(code) && t.ends_with("day"))).then_some(*day)
    })
}

/// Public holidays of Vietnam in `year` (Labour Code 2019, art. 112): 1/1; Tết (the last day
/// of the lunar year and the first four of the new one); the Hùng Kings' day (10/3 lunar);
/// 30/4; 1/5; 2/9 and the day before. The government moves days around each year; a point's
/// `except` list takes those.
pub fn public_holidays(year: i32) -> Vec<NaiveDate> {
    let mut out: Vec<NaiveDate> = [(1, 1), (4, 30), (5, 1), (9, 1), (9, 2)]
        .iter()
        .filter_map(|(m, d)| NaiveDate::from_ymd_opt(year, *m, *d))
        .collect();
    if let Some(t) = tet(year) {
        out.extend((0..5).filter_map(|i| {
            t.checked_sub_days(Days::new(1))?
                .checked_add_days(Days::new(i))
        }));
    }
    out.extend(lunar_to_solar(10, 3, year));
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn point(days: &[Weekday], from: NaiveDate, to: NaiveDate) -> FixedPointSpec {
        FixedPointSpec {
            name: "Điểm hiến máu Đại học Y Dược".into(),
            place: "Trường Đại học Y Dược Hải Phòng, 72A Nguyễn Bỉnh Khiêm".into(),
            province: Province::from_code("hai-phong").unwrap(),
            commune: String::new(),
            days: days.to_vec(),
            weeks: Vec::new(),
            window: TimeWindow::parse("07:30-11:00").unwrap(),
            slots: Vec::new(),
            capacity: 80,
            from,
            to,
            except: Vec::new(),
            open_on_holidays: false,
            unit: None,
            campaign: None,
        }
    }

    #[test]
    fn weekdays_are_read_the_ways_people_write_them() {
        for (s, want) in [
            ("tue", Weekday::Tue),
            ("Tuesday", Weekday::Tue),
            ("thứ 3", Weekday::Tue),
            ("Thứ Ba", Weekday::Tue),
            ("thu ba", Weekday::Tue),
            ("T3", Weekday::Tue),
            ("thu", Weekday::Thu),
            ("thứ năm", Weekday::Thu),
            ("T5", Weekday::Thu),
            ("thứ hai", Weekday::Mon),
            ("chủ nhật", Weekday::Sun),
            ("CN", Weekday::Sun),
            ("sunday", Weekday::Sun),
            ("thứ 7", Weekday::Sat),
        ] {
            assert_eq!(parse_weekday(s), Some(want), "{s}");
        }
        for s in ["", "thứ 8", "t9", "tuesdays off", "hôm nay", "mo", "thu 1"] {
            assert_eq!(parse_weekday(s), None, "{s}");
        }
    }

    #[test]
    fn open_days_skip_public_holidays_and_named_days() {
        // Tuesdays and Thursdays from 20 April to 7 May 2026: 30/4 (Thursday) is a holiday.
        let mut p = point(&[Weekday::Tue, Weekday::Thu], d(2026, 4, 20), d(2026, 5, 7));
        assert_eq!(
            p.open_days(),
            vec![
                d(2026, 4, 21),
                d(2026, 4, 23),
                d(2026, 4, 28),
                d(2026, 5, 5),
                d(2026, 5, 7)
            ]
        );
        p.except = vec![d(2026, 5, 5)];
        assert!(!p.open_days().contains(&d(2026, 5, 5)));
        p.open_on_holidays = true;
        assert!(p.open_days().contains(&d(2026, 4, 30)));
    }

    #[test]
    fn tet_and_the_hung_kings_day_close_a_point() {
        // Tết 2026 is 17 February (Tuesday); 16–20 February are holidays. The Hùng Kings'
        // day, 10/3 lunar, is 26 April 2026.
        let h = public_holidays(2026);
        for day in [16, 17, 18, 19, 20] {
            assert!(h.contains(&d(2026, 2, day)), "{day}/2");
        }
        assert!(!h.contains(&d(2026, 2, 21)));
        assert!(h.contains(&d(2026, 4, 26)));
        let p = point(
            &[Weekday::Tue, Weekday::Sat],
            d(2026, 2, 10),
            d(2026, 2, 28),
        );
        assert_eq!(
            p.open_days(),
            vec![
                d(2026, 2, 10),
                d(2026, 2, 14),
                d(2026, 2, 21),
                d(2026, 2, 24),
                d(2026, 2, 28)
            ]
        );
    }

    #[test]
    fn red_sunday_every_sunday_of_a_month_or_the_first_only() {
        // "Chủ nhật Đỏ" in March 2026: 1, 8, 15, 22, 29.
        let mut p = point(&[Weekday::Sun], d(2026, 3, 1), d(2026, 3, 31));
        assert_eq!(p.open_days().len(), 5);
        p.weeks = vec![1];
        p.to = d(2026, 5, 31);
        assert_eq!(
            p.open_days(),
            vec![d(2026, 3, 1), d(2026, 4, 5), d(2026, 5, 3)]
        );
    }

    #[test]
    fn days_codes_go_both_ways() {
        let days = [Weekday::Tue, Weekday::Thu, Weekday::Sun];
        assert_eq!(days_code(&days), "2,4,7");
        assert_eq!(days_from_code("2,4,7"), days);
        assert_eq!(days_from_code("0,x,8,1"), [Weekday::Mon]);
    }
}
