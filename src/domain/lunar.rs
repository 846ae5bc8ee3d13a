//! The Vietnamese lunar calendar, enough to find Tết (the lunar new year) of any year, so
//! that campaigns such as "Lễ hội Xuân hồng" can be dated relative to it.
//!
//! This is Hồ Ngọc Đức's well-known algorithm ("Âm lịch Việt Nam"): new moons and the sun's
//! longitude from Jean Meeus' astronomical formulas, evaluated in Vietnam's time zone
//! (UTC+7; the calendar changed zone in 1968, which is why Vietnamese and Chinese new years
//! occasionally differ). Tested against published dates.

use chrono::NaiveDate;
use std::f64::consts::PI;

const TIME_ZONE: f64 = 7.0;

fn int(d: f64) -> i64 {
    d.floor() as i64
}

fn jd_from_date(dd: i64, mm: i64, yy: i64) -> i64 {
    let a = (14 - mm).div_euclid(12);
    let y = yy + 4800 - a;
    let m = mm + 12 * a - 3;
    let jd = dd + (153 * m + 2).div_euclid(5) + 365 * y + y.div_euclid(4) - y.div_euclid(100)
        + y.div_euclid(400)
        - 32045;
    if jd < 2_299_161 {
        dd + (153 * m + 2).div_euclid(5) + 365 * y + y.div_euclid(4) - 32083
    } else {
        jd
    }
}

fn jd_to_date(jd: i64) -> Option<NaiveDate> {
    let (b, c) = if jd > 2_299_160 {
        let a = jd + 32044;
        let b = (4 * a + 3).div_euclid(146_097);
        (b, a - (b * 146_097).div_euclid(4))
    } else {
        (0, jd + 32082)
    };
    let d = (4 * c + 3).div_euclid(1461);
    let e = c - (1461 * d).div_euclid(4);
    let m = (5 * e + 2).div_euclid(153);
    let day = e - (153 * m + 2).div_euclid(5) + 1;
    let month = m + 3 - 12 * m.div_euclid(10);
    let year = b * 100 + d - 4800 + m.div_euclid(10);
    NaiveDate::from_ymd_opt(
        i32::try_from(year).ok()?,
        u32::try_from(month).ok()?,
        u32::try_from(day).ok()?,
    )
}

/// Julian day of the k-th new moon after 1900-01-01.
fn new_moon(k: i64) -> f64 {
    let k = k as f64;
    let t = k / 1236.85;
    let (t2, t3) = (t * t, t * t * t);
    let dr = PI / 180.0;
    let mut jd1 = 2_415_020.759_33 + 29.530_588_68 * k + 0.000_117_8 * t2 - 0.000_000_155 * t3;
    jd1 += 0.000_33 * ((166.56 + 132.87 * t - 0.009_173 * t2) * dr).sin();
    let m = 359.2242 + 29.105_356_08 * k - 0.000_033_3 * t2 - 0.000_003_47 * t3;
    let mpr = 306.0253 + 385.816_918_06 * k + 0.010_730_6 * t2 + 0.000_012_36 * t3;
    let f = 21.2964 + 390.670_506_46 * k - 0.001_652_8 * t2 - 0.000_002_39 * t3;
    let mut c1 = (0.1734 - 0.000_393 * t) * (m * dr).sin() + 0.0021 * (2.0 * dr * m).sin();
    c1 = c1 - 0.4068 * (mpr * dr).sin() + 0.0161 * (dr * 2.0 * mpr).sin();
    c1 -= 0.0004 * (dr * 3.0 * mpr).sin();
    c1 = c1 + 0.0104 * (dr * 2.0 * f).sin() - 0.0051 * (dr * (m + mpr)).sin();
    c1 = c1 - 0.0074 * (dr * (m - mpr)).sin() + 0.0004 * (dr * (2.0 * f + m)).sin();
    c1 = c1 - 0.0004 * (dr * (2.0 * f - m)).sin() - 0.0006 * (dr * (2.0 * f + mpr)).sin();
    c1 = c1 + 0.0010 * (dr * (2.0 * f - mpr)).sin() + 0.0005 * (dr * (2.0 * mpr + m)).sin();
    let delta_t = if t < -11.0 {
        0.001 + 0.000_839 * t + 0.000_226_1 * t2 - 0.000_008_45 * t3 - 0.000_000_081 * t * t3
    } else {
        -0.000_278 + 0.000_265 * t + 0.000_262 * t2
    };
    jd1 + c1 - delta_t
}

/// The sun's longitude (radians, 0..2π) at Julian day `jdn`.
fn sun_longitude(jdn: f64) -> f64 {
    let t = (jdn - 2_451_545.0) / 36525.0;
    let t2 = t * t;
    let dr = PI / 180.0;
    let m = 357.529_10 + 35_999.050_30 * t - 0.000_155_9 * t2 - 0.000_000_48 * t * t2;
    let l0 = 280.466_45 + 36_000.769_83 * t + 0.000_303_2 * t2;
    let mut dl = (1.914_600 - 0.004_817 * t - 0.000_014 * t2) * (dr * m).sin();
    dl = dl + (0.019_993 - 0.000_101 * t) * (dr * 2.0 * m).sin() + 0.000_290 * (dr * 3.0 * m).sin();
    let l = (l0 + dl) * dr;
    l - PI * 2.0 * (l / (PI * 2.0)).floor()
}

/// Which of the 12 major solar terms (0..11) the day falls in.
fn sun_term(day: i64) -> i64 {
    int(sun_longitude(day as f64 - 0.5 - TIME_ZONE / 24.0) / PI * 6.0)
}

fn new_moon_day(k: i64) -> i64 {
    int(new_moon(k) + 0.5 + TIME_ZONE / 24.0)
}

/// The day the 11th lunar month of year `yy` begins (the month with the winter solstice).
fn lunar_month_11(yy: i64) -> i64 {
    let off = jd_from_date(31, 12, yy) - 2_415_021;
    let k = int(off as f64 / 29.530_588_853);
    let nm = new_moon_day(k);
    if sun_term(nm) >= 9 {
        new_moon_day(k - 1)
    } else {
        nm
    }
}

fn leap_month_offset(a11: i64) -> i64 {
    let k = int((a11 as f64 - 2_415_021.076_998_695) / 29.530_588_853 + 0.5);
    let mut i = 1;
    let mut arc = sun_term(new_moon_day(k + i));
    loop {
        let last = arc;
        i += 1;
        arc = sun_term(new_moon_day(k + i));
        if arc == last || i >= 14 {
            break;
        }
    }
    i - 1
}

/// The solar date of day `day` of lunar month `month` (not a leap month) of lunar year `year`.
pub fn lunar_to_solar(day: u32, month: u32, year: i32) -> Option<NaiveDate> {
    if !(1..=30).contains(&day) || !(1..=12).contains(&month) {
        return None;
    }
    let (y, m) = (i64::from(year), i64::from(month));
    let (a11, b11) = if m < 11 {
        (lunar_month_11(y - 1), lunar_month_11(y))
    } else {
        (lunar_month_11(y), lunar_month_11(y + 1))
    };
    let k = int(0.5 + (a11 as f64 - 2_415_021.076_998_695) / 29.530_588_853);
    let mut off = m - 11;
    if off < 0 {
        off += 12;
    }
    if b11 - a11 > 365 && off >= leap_month_offset(a11) {
        off += 1;
    }
    jd_to_date(new_moon_day(k + off) + i64::from(day) - 1)
}

/// Tết Nguyên Đán: the first day of the first lunar month of `year`.
pub fn tet(year: i32) -> Option<NaiveDate> {
    if !(1900..=2199).contains(&year) {
        return None;
    }
    lunar_to_solar(1, 1, year)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn tet_falls_on_the_published_dates() {
        for (year, date) in [
            (2023, d(2023, 1, 22)),
            (2024, d(2024, 2, 10)),
            (2025, d(2025, 1, 29)),
            (2026, d(2026, 2, 17)),
            (2027, d(2027, 2, 6)),
            (2020, d(2020, 1, 25)),
            (2021, d(2021, 2, 12)),
            (2022, d(2022, 2, 1)),
            (2028, d(2028, 1, 26)),
            // 1985: Vietnam's Tết fell a month before China's (21 Jan vs 20 Feb).
            (1985, d(1985, 1, 21)),
        ] {
            assert_eq!(tet(year), Some(date), "Tết {year}");
        }
    }

    #[test]
    fn other_lunar_dates() {
        // Rằm tháng Giêng 2026 (15/1 âm lịch), and Tết Trung thu 2025 (15/8).
        assert_eq!(lunar_to_solar(15, 1, 2026), Some(d(2026, 3, 3)));
        assert_eq!(lunar_to_solar(15, 8, 2025), Some(d(2025, 10, 6)));
        assert_eq!(lunar_to_solar(0, 1, 2026), None);
        assert_eq!(lunar_to_solar(1, 13, 2026), None);
        assert_eq!(tet(1800), None);
    }

    #[test]
    fn julian_days_round_trip() {
        for date in [
            d(1900, 1, 1),
            d(2000, 2, 29),
            d(2026, 11, 22),
            d(2199, 12, 31),
        ] {
            use chrono::Datelike;
            let jd = jd_from_date(date.day().into(), date.month().into(), date.year().into());
            assert_eq!(jd_to_date(jd), Some(date));
        }
    }
}
