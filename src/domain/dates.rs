//! Dates as people type them: `05/03/1990`, `5-3-1990`, `5.3.90`, `05031990`, `1990-03-05`,
//! `ngày 5 tháng 3 năm 1990`. A donation date may also be given as a month (`3/2024`,
//! `tháng 3 năm 2024`), which is read as the last day of that month: the later date is the
//! safer one for an interval between donations.

use chrono::{Datelike, NaiveDate};

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("not a date")]
    NotADate,
    #[error("no such day")]
    NoSuchDay,
    #[error("in the future")]
    InFuture,
    #[error("too long ago")]
    TooOld,
}

/// How precise the typed date was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Precision {
    Day,
    Month,
}

fn numbers(input: &str) -> Option<Vec<&str>> {
    // Only digits, separators and the words of "ngày … tháng … năm …" are allowed.
    let folded = crate::domain::text::fold(input);
    let mut ok = true;
    for word in folded.split(' ') {
        if word.is_empty() {
            continue;
        }
        let is_num_parts = word
            .split(['-', '+'])
            .all(|p| p.chars().all(|c| c.is_ascii_digit()));
        if !(is_num_parts
            || matches!(
                word,
                "ngay"
                    | "thang"
                    | "nam"
                    | "day"
                    | "month"
                    | "year"
                    | "sinh"
                    | "vao"
                    | "luc"
                    | "thg"
                    | "mung"
                    | "mong"
                    | "hoi"
                    | "khoang"
            ))
        {
            ok = false;
        }
    }
    if !ok || input.contains('+') {
        return None;
    }
    let nums: Vec<&str> = input
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .collect();
    Some(nums)
}

fn year_from(s: &str, today: NaiveDate) -> Option<i32> {
    let y: i32 = s.parse().ok()?;
    match s.len() {
        4 => Some(y),
        // Two-digit years: the most recent year ending so, not in the future.
        2 => {
            let century = today.year() / 100 * 100;
            Some(if century + y <= today.year() {
                century + y
            } else {
                century - 100 + y
            })
        }
        _ => None,
    }
}

fn ymd(y: i32, m: &str, d: &str) -> Result<NaiveDate, DateError> {
    let m: u32 = m.parse().map_err(|_| DateError::NotADate)?;
    let d: u32 = d.parse().map_err(|_| DateError::NotADate)?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return Err(DateError::NoSuchDay);
    }
    NaiveDate::from_ymd_opt(y, m, d).ok_or(DateError::NoSuchDay)
}

fn last_day_of_month(y: i32, m: u32) -> Option<NaiveDate> {
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    NaiveDate::from_ymd_opt(ny, nm, 1)?.pred_opt()
}

/// Parse a full date (day, month, year). `today` resolves two-digit years.
pub fn parse_day(input: &str, today: NaiveDate) -> Result<NaiveDate, DateError> {
    let nums = numbers(input).ok_or(DateError::NotADate)?;
    match nums.as_slice() {
        [compact] if compact.len() == 8 => {
            let y = year_from(&compact[4..], today).ok_or(DateError::NotADate)?;
            ymd(y, &compact[2..4], &compact[..2])
        }
        [a, b, c] if a.len() == 4 => {
            let y = year_from(a, today).ok_or(DateError::NotADate)?;
            ymd(y, b, c)
        }
        [d, m, y] if d.len() <= 2 && m.len() <= 2 => {
            let y = year_from(y, today).ok_or(DateError::NotADate)?;
            ymd(y, m, d)
        }
        _ => Err(DateError::NotADate),
    }
}

/// Parse a past date that may be given to the day or to the month. Not in the future
/// (relative to `today`), and not before `earliest`.
pub fn parse_past(
    input: &str,
    today: NaiveDate,
    earliest: NaiveDate,
) -> Result<(NaiveDate, Precision), DateError> {
    let (date, precision) = match parse_day(input, today) {
        Ok(d) => (d, Precision::Day),
        Err(DateError::NotADate) => {
            let nums = numbers(input).ok_or(DateError::NotADate)?;
            match nums.as_slice() {
                // A month and its year: "3/2024", "3/24" (a two-digit year only after a
                // month that can be one).
                [m, y]
                    if m.len() <= 2
                        && (y.len() == 4
                            || (y.len() == 2
                                && m.parse::<u32>().is_ok_and(|m| (1..=12).contains(&m)))) =>
                {
                    let y = year_from(y, today).ok_or(DateError::NotADate)?;
                    let m: u32 = m.parse().map_err(|_| DateError::NotADate)?;
                    if !(1..=12).contains(&m) {
                        return Err(DateError::NoSuchDay);
                    }
                    let last = last_day_of_month(y, m).ok_or(DateError::NoSuchDay)?;
                    // This month: the month is not over, so today is the latest it can be.
                    (
                        last.min(today)
                            .max(NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(last)),
                        Precision::Month,
                    )
                }
                // A day and its month without a year ("15/8", "20/12"): the latest such day
                // that is not after today.
                [d, m] if d.len() <= 2 && m.len() <= 2 => {
                    let this_year = ymd(today.year(), m, d);
                    match this_year {
                        Ok(day) if day <= today => (day, Precision::Day),
                        _ => (ymd(today.year() - 1, m, d)?, Precision::Day),
                    }
                }
                _ => return Err(DateError::NotADate),
            }
        }
        Err(e) => return Err(e),
    };
    if date > today {
        return Err(DateError::InFuture);
    }
    if date < earliest {
        return Err(DateError::TooOld);
    }
    Ok((date, precision))
}

/// A birth date, as typed or from its [`essence`](crate::domain::understand::essence).
pub fn parse_birth(input: &str, today: NaiveDate) -> Result<NaiveDate, DateError> {
    crate::domain::understand::reread_or(input, |s| parse_birth_as_typed(s, today))
}

/// A birth date: a full day, not in the future, at most 120 years ago.
fn parse_birth_as_typed(input: &str, today: NaiveDate) -> Result<NaiveDate, DateError> {
    let d = parse_day(input, today)?;
    if d > today {
        Err(DateError::InFuture)
    } else if age_on(d, today) > 120 {
        Err(DateError::TooOld)
    } else {
        Ok(d)
    }
}

/// When the last donation was, as a donor remembers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LastDate {
    /// A day, or a month read as its last day (not after today).
    Known(NaiveDate, Precision),
    /// "không nhớ", "lâu rồi": given, but when is not known.
    Forgotten,
}

/// Words that say the donor does not remember when.
const FORGOTTEN: &[&str] = &[
    "khong nho",
    "ko nho",
    "k nho",
    "kh nho",
    "hong nho",
    "chua nho",
    "khong nho ro",
    "khong nho nua",
    "quen",
    "quen roi",
    "quen mat",
    "quen mat roi",
    "lau roi",
    "lau lam roi",
    "lau qua",
    "lau lam",
    "lau",
    "cung lau",
    "khong biet",
    "ko biet",
    "khong ro",
    "chiu",
    "dont remember",
    "don t remember",
    "forgot",
    "not sure",
    "long ago",
    "khong nho lam",
];

/// When the last donation was, as typed or from its
/// [`essence`](crate::domain::understand::essence).
pub fn parse_last_donation(
    input: &str,
    today: NaiveDate,
    earliest: NaiveDate,
) -> Result<LastDate, DateError> {
    crate::domain::understand::reread_or(input, |s| {
        parse_last_donation_as_typed(s, today, earliest)
    })
}

/// The last donation's date: a day or a month (`10/01/2025`, `1/2025`, `tháng 1/2025`), a
/// month of this year or last (`tháng 8`: the latest August not after today), `tháng trước`,
/// or "I don't remember". Not in the future, not before `earliest`.
fn parse_last_donation_as_typed(
    input: &str,
    today: NaiveDate,
    earliest: NaiveDate,
) -> Result<LastDate, DateError> {
    let folded = crate::domain::text::fold(input);
    let mut f = folded.as_str();
    for p in [" a", " nhe", " nua", " roi"] {
        f = f.strip_suffix(p).unwrap_or(f);
    }
    for p in ["hoi ", "vao ", "khoang ", "tam ", "lan cuoi "] {
        f = f.strip_prefix(p).unwrap_or(f);
    }
    if FORGOTTEN.contains(&f) || f.starts_with("khong nho") || f.starts_with("ko nho") {
        return Ok(LastDate::Forgotten);
    }
    // "hôm qua", "tuần trước", "3 tuần trước": a day, counted back from today.
    let days_back = match f {
        "hom qua" | "yesterday" => Some(1),
        "hom kia" => Some(2),
        "tuan truoc" | "last week" => Some(7),
        _ => f
            .strip_suffix(" tuan truoc")
            .and_then(|n| n.parse::<u64>().ok())
            .map(|n| n * 7)
            .or_else(|| {
                f.strip_suffix(" ngay truoc")
                    .and_then(|n| n.parse::<u64>().ok())
            }),
    };
    if let Some(n) = days_back {
        let d = today
            .checked_sub_days(chrono::Days::new(n))
            .ok_or(DateError::NoSuchDay)?;
        if d < earliest {
            return Err(DateError::TooOld);
        }
        return Ok(LastDate::Known(d, Precision::Day));
    }
    let month_back = |back: u32| -> Option<(i32, u32)> {
        let m0 = today.year() * 12 + today.month0() as i32 - back as i32;
        Some((
            m0.div_euclid(12),
            u32::try_from(m0.rem_euclid(12)).ok()? + 1,
        ))
    };
    // "3 tháng trước", "tháng 3 năm ngoái", "tháng 3 năm nay".
    let months_ago = f
        .strip_suffix(" thang truoc")
        .and_then(|n| n.parse::<u32>().ok().filter(|n| *n <= 600));
    let month_of_year = |rest: &str, y: i32| -> Option<(i32, u32)> {
        let m: u32 = rest.strip_prefix("thang ")?.parse().ok()?;
        (1..=12).contains(&m).then_some((y, m))
    };
    let with_year = f
        .strip_suffix(" nam ngoai")
        .and_then(|r| month_of_year(r, today.year() - 1))
        .or_else(|| {
            f.strip_suffix(" nam nay")
                .and_then(|r| month_of_year(r, today.year()))
        });
    let month = match f {
        _ if months_ago.is_some() => months_ago.and_then(month_back),
        _ if with_year.is_some() => with_year,
        "thang truoc" | "thang vua roi" | "last month" => month_back(1),
        "thang nay" | "this month" => month_back(0),
        _ => match f.strip_prefix("thang ") {
            // "tháng 8": the latest such month that is not in the future.
            Some(m) if m.len() <= 2 && m.chars().all(|c| c.is_ascii_digit()) => {
                let m: u32 = m.parse().map_err(|_| DateError::NotADate)?;
                if !(1..=12).contains(&m) {
                    return Err(DateError::NoSuchDay);
                }
                let y = if m <= today.month() {
                    today.year()
                } else {
                    today.year() - 1
                };
                Some((y, m))
            }
            _ => None,
        },
    };
    if let Some((y, m)) = month {
        if NaiveDate::from_ymd_opt(y, m, 1).is_some_and(|first| first > today) {
            return Err(DateError::InFuture);
        }
        let last = last_day_of_month(y, m).ok_or(DateError::NoSuchDay)?;
        let date = last.min(today);
        if date < earliest {
            return Err(DateError::TooOld);
        }
        return Ok(LastDate::Known(date, Precision::Month));
    }
    parse_past(input, today, earliest).map(|(d, p)| LastDate::Known(d, p))
}

/// Whole years between `birth` and `on`.
pub fn age_on(birth: NaiveDate, on: NaiveDate) -> i32 {
    let mut age = on.year() - birth.year();
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

/// The day a person born on `birth` turns `years` (29 February → 1 March in other years).
pub fn birthday(birth: NaiveDate, years: i32) -> NaiveDate {
    let y = birth.year() + years;
    NaiveDate::from_ymd_opt(y, birth.month(), birth.day())
        .or_else(|| NaiveDate::from_ymd_opt(y, 3, 1))
        .unwrap_or(birth)
}

/// `dd/mm/yyyy`, the form Vietnamese readers expect.
pub fn format_vn(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }
    const TODAY: fn() -> NaiveDate = || NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();

    #[test]
    fn reads_common_day_forms() {
        for s in [
            "05/03/1990",
            "5/3/1990",
            "05-03-1990",
            "05.03.1990",
            "5 3 1990",
            "05031990",
            "1990-03-05",
            "05/03/90",
            "ngày 5 tháng 3 năm 1990",
            "Ngay 05 thang 03 nam 1990",
            " 05 / 03 / 1990 ",
        ] {
            assert_eq!(parse_day(s, TODAY()), Ok(d(1990, 3, 5)), "{s}");
        }
        assert_eq!(parse_day("01/01/05", TODAY()), Ok(d(2005, 1, 1)));
        assert_eq!(parse_day("29/02/2000", TODAY()), Ok(d(2000, 2, 29)));
    }

    #[test]
    fn rejects_what_is_not_a_day() {
        assert_eq!(parse_day("", TODAY()), Err(DateError::NotADate));
        assert_eq!(parse_day("hôm qua", TODAY()), Err(DateError::NotADate));
        assert_eq!(parse_day("1990", TODAY()), Err(DateError::NotADate));
        assert_eq!(parse_day("3/1990", TODAY()), Err(DateError::NotADate));
        assert_eq!(parse_day("31/02/1990", TODAY()), Err(DateError::NoSuchDay));
        assert_eq!(parse_day("29/02/2001", TODAY()), Err(DateError::NoSuchDay));
        assert_eq!(parse_day("05/13/1990", TODAY()), Err(DateError::NoSuchDay));
        assert_eq!(parse_day("00/03/1990", TODAY()), Err(DateError::NoSuchDay));
        assert_eq!(parse_day("5/3/199", TODAY()), Err(DateError::NotADate));
        assert_eq!(parse_day("5/3/1990/7", TODAY()), Err(DateError::NotADate));
        assert_eq!(parse_day("+5/3/1990", TODAY()), Err(DateError::NotADate));
        assert_eq!(
            parse_day("99999999999999999999/1/1990", TODAY()),
            Err(DateError::NotADate)
        );
    }

    /// A day and month without a year (issue 31): the latest such day not after today; a
    /// month and a two-digit year only after a number that can be a month.
    #[test]
    fn a_past_day_without_its_year_is_the_latest_one_not_after_today() {
        let earliest = d(1950, 1, 1);
        for (typed, day) in [
            ("15/8", d(2026, 8, 15)),
            ("20/12", d(2025, 12, 20)),
            ("12/5", d(2026, 5, 12)),
            ("22/11", d(2026, 11, 22)),
            ("23/11", d(2025, 11, 23)),
        ] {
            assert_eq!(
                parse_past(typed, TODAY(), earliest),
                Ok((day, Precision::Day)),
                "{typed}"
            );
        }
        assert_eq!(
            parse_past("3/24", TODAY(), earliest),
            Ok((d(2024, 3, 31), Precision::Month))
        );
        assert_eq!(
            parse_past("32/8", TODAY(), earliest),
            Err(DateError::NoSuchDay)
        );
        assert_eq!(
            parse_past("15/13", TODAY(), earliest),
            Err(DateError::NoSuchDay)
        );
        assert_eq!(
            parse_past("29/2", TODAY(), earliest),
            Err(DateError::NoSuchDay)
        );
        // Birth dates still need their year.
        assert_eq!(parse_birth("15/8", TODAY()), Err(DateError::NotADate));
        assert_eq!(parse_birth("sn 12/5/1998", TODAY()), Ok(d(1998, 5, 12)));
        assert_eq!(parse_birth("1/1/2000 ạ", TODAY()), Ok(d(2000, 1, 1)));
    }

    #[test]
    fn past_dates_accept_months_and_refuse_the_future() {
        let earliest = d(1950, 1, 1);
        assert_eq!(
            parse_past("3/2024", TODAY(), earliest),
            Ok((d(2024, 3, 31), Precision::Month))
        );
        assert_eq!(
            parse_past("tháng 2 năm 2024", TODAY(), earliest),
            Ok((d(2024, 2, 29), Precision::Month))
        );
        // The current month: not past today.
        assert_eq!(
            parse_past("11/2026", TODAY(), earliest),
            Ok((d(2026, 11, 22), Precision::Month))
        );
        assert_eq!(
            parse_past("10/11/2026", TODAY(), earliest),
            Ok((d(2026, 11, 10), Precision::Day))
        );
        assert_eq!(
            parse_past("23/11/2026", TODAY(), earliest),
            Err(DateError::InFuture)
        );
        assert_eq!(
            parse_past("12/2026", TODAY(), earliest),
            Err(DateError::InFuture)
        );
        assert_eq!(
            parse_past("13/2024", TODAY(), earliest),
            Err(DateError::NoSuchDay)
        );
        assert_eq!(
            parse_past("1/1/1940", TODAY(), earliest),
            Err(DateError::TooOld)
        );
        assert_eq!(
            parse_past("soon", TODAY(), earliest),
            Err(DateError::NotADate)
        );
    }

    #[test]
    fn last_donations_as_donors_remember_them() {
        let today = d(2026, 11, 29);
        let earliest = d(1980, 1, 1);
        let known = |s: &str| parse_last_donation(s, today, earliest);
        assert_eq!(
            known("10/1/2025"),
            Ok(LastDate::Known(d(2025, 1, 10), Precision::Day))
        );
        assert_eq!(
            known("tháng 1/2025"),
            Ok(LastDate::Known(d(2025, 1, 31), Precision::Month))
        );
        assert_eq!(
            known("tháng trước"),
            Ok(LastDate::Known(d(2026, 10, 31), Precision::Month))
        );
        assert_eq!(
            known("tháng 8"),
            Ok(LastDate::Known(d(2026, 8, 31), Precision::Month))
        );
        // December has not come yet this year: last December.
        assert_eq!(
            known("tháng 12"),
            Ok(LastDate::Known(d(2025, 12, 31), Precision::Month))
        );
        assert_eq!(
            known("tháng này"),
            Ok(LastDate::Known(today, Precision::Month))
        );
        for s in ["không nhớ", "ko nho", "quên rồi", "lâu rồi"] {
            assert_eq!(known(s), Ok(LastDate::Forgotten), "{s}");
        }
        assert_eq!(known("10/01/2027"), Err(DateError::InFuture));
        assert_eq!(
            known("hôm qua"),
            Ok(LastDate::Known(d(2026, 11, 28), Precision::Day))
        );
        assert_eq!(
            known("tuần trước"),
            Ok(LastDate::Known(d(2026, 11, 22), Precision::Day))
        );
        assert_eq!(
            known("3 tháng trước"),
            Ok(LastDate::Known(d(2026, 8, 31), Precision::Month))
        );
        assert_eq!(
            known("tháng 3 năm ngoái"),
            Ok(LastDate::Known(d(2025, 3, 31), Precision::Month))
        );
        assert_eq!(
            known("khoảng tháng 5 năm 2025"),
            Ok(LastDate::Known(d(2025, 5, 31), Precision::Month))
        );
        assert_eq!(known("không nhớ rõ lắm"), Ok(LastDate::Forgotten));
        assert_eq!(known("tháng 12 năm nay"), Err(DateError::InFuture));
        assert_eq!(known("tháng 13"), Err(DateError::NoSuchDay));
        assert_eq!(known("hôm nào đó"), Err(DateError::NotADate));
        assert_eq!(
            parse_last_donation("tháng 3", today, d(2026, 5, 1)),
            Err(DateError::TooOld)
        );
    }

    #[test]
    fn birth_dates_in_the_past_only() {
        let today = d(2026, 11, 29);
        assert_eq!(
            parse_birth("sinh ngày 15/03/1995", today),
            Ok(d(1995, 3, 15))
        );
        assert_eq!(parse_birth("15/3/95", today), Ok(d(1995, 3, 15)));
        assert_eq!(parse_birth("15/03/2030", today), Err(DateError::InFuture));
        assert_eq!(parse_birth("15/03/1895", today), Err(DateError::TooOld));
        assert_eq!(parse_birth("1995", today), Err(DateError::NotADate));
    }

    #[test]
    fn ages_and_birthdays() {
        assert_eq!(age_on(d(2008, 11, 23), TODAY()), 17);
        assert_eq!(age_on(d(2008, 11, 22), TODAY()), 18);
        assert_eq!(age_on(d(1966, 11, 22), TODAY()), 60);
        assert_eq!(age_on(d(1965, 11, 21), TODAY()), 61);
        assert_eq!(birthday(d(2008, 2, 29), 18), d(2026, 3, 1));
        assert_eq!(format_vn(d(2026, 3, 1)), "01/03/2026");
    }
}
