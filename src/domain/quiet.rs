//! Quiet hours: the night-time window in which nothing non-urgent is sent (default
//! 21:00–07:00, Vietnam time). A window may cross midnight.

use chrono::{DateTime, Days, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

impl Default for QuietHours {
    fn default() -> Self {
        QuietHours {
            start: NaiveTime::from_hms_opt(21, 0, 0).unwrap_or_default(),
            end: NaiveTime::from_hms_opt(7, 0, 0).unwrap_or_default(),
        }
    }
}

impl QuietHours {
    /// `"21:00-07:00"` (or with `–`); `None` if it is not two times or they are equal.
    pub fn parse(s: &str) -> Option<QuietHours> {
        let (a, b) = s.split_once(['-', '–'])?;
        let t = |x: &str| NaiveTime::parse_from_str(x.trim(), "%H:%M").ok();
        let (start, end) = (t(a)?, t(b)?);
        (start != end).then_some(QuietHours { start, end })
    }

    pub fn contains(&self, t: NaiveTime) -> bool {
        if self.start < self.end {
            self.start <= t && t < self.end
        } else {
            t >= self.start || t < self.end
        }
    }

    /// When the quiet period `now` falls in ends; `None` when `now` is not quiet.
    pub fn ends_after(&self, now: DateTime<Utc>, tz: Tz) -> Option<DateTime<Utc>> {
        let local = now.with_timezone(&tz);
        let time = local.time();
        if !self.contains(time) {
            return None;
        }
        let mut day = local.date_naive();
        if time >= self.end {
            day = day.checked_add_days(Days::new(1))?;
        }
        let end = tz.from_local_datetime(&day.and_time(self.end)).earliest()?;
        Some(end.with_timezone(&Utc))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vn(h: u32, m: u32) -> DateTime<Utc> {
        chrono_tz::Asia::Ho_Chi_Minh
            .with_ymd_and_hms(2026, 11, 22, h, m, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn the_default_night_crosses_midnight() {
        let q = QuietHours::default();
        let tz = chrono_tz::Asia::Ho_Chi_Minh;
        assert_eq!(q.ends_after(vn(20, 59), tz), None);
        assert_eq!(q.ends_after(vn(7, 0), tz), None);
        assert_eq!(q.ends_after(vn(12, 0), tz), None);
        // 21:00 tonight → 07:00 tomorrow; 03:00 → 07:00 today.
        assert_eq!(
            q.ends_after(vn(21, 0), tz),
            Some(vn(7, 0) + chrono::Duration::days(1))
        );
        assert_eq!(
            q.ends_after(vn(23, 59), tz),
            Some(vn(7, 0) + chrono::Duration::days(1))
        );
        assert_eq!(q.ends_after(vn(3, 0), tz), Some(vn(7, 0)));
        assert_eq!(q.ends_after(vn(6, 59), tz), Some(vn(7, 0)));
    }

    #[test]
    fn a_window_within_one_day_works_too() {
        let q = QuietHours::parse("12:00 – 13:30").unwrap();
        let tz = chrono_tz::Asia::Ho_Chi_Minh;
        assert_eq!(q.ends_after(vn(11, 59), tz), None);
        assert_eq!(q.ends_after(vn(12, 0), tz), Some(vn(13, 30)));
        assert_eq!(q.ends_after(vn(13, 30), tz), None);
    }

    #[test]
    fn bad_windows_are_refused() {
        for bad in [
            "",
            "21:00",
            "21-07",
            "25:00-07:00",
            "07:00-07:00",
            "abc-def",
        ] {
            assert_eq!(QuietHours::parse(bad), None, "{bad:?}");
        }
        assert_eq!(
            QuietHours::parse("21:00-07:00"),
            Some(QuietHours::default())
        );
    }
}
