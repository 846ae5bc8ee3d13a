//! When a donor may give (Circular 26/2013/TT-BYT, articles 4–6, as summarised in domain.md).
//!
//! Every threshold is configuration ([`Rules`]): some donor FAQs say 45 kg for everyone, and
//! the intervals differ by what was given. The bot only informs; the drive's doctor decides.

use crate::domain::body::{Sex, WeightKg};
use crate::domain::dates::age_on;
use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

/// What was given at a donation; it sets the interval before the next one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DonationKind {
    WholeBlood,
    Platelets,
    Plasma,
}

impl DonationKind {
    pub fn code(self) -> &'static str {
        match self {
            DonationKind::WholeBlood => "whole_blood",
            DonationKind::Platelets => "platelets",
            DonationKind::Plasma => "plasma",
        }
    }

    pub fn from_code(code: &str) -> Option<DonationKind> {
        match code {
            "whole_blood" => Some(DonationKind::WholeBlood),
            "platelets" => Some(DonationKind::Platelets),
            "plasma" => Some(DonationKind::Plasma),
            _ => None,
        }
    }
}

/// The donor's answer about their last donation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LastDonation {
    Never,
    Given { kind: DonationKind, date: NaiveDate },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Rules {
    pub min_age: i32,
    pub max_age: i32,
    pub min_weight_female_kg: f64,
    pub min_weight_male_kg: f64,
    pub whole_blood_interval_days: u64,
    pub platelets_interval_days: u64,
    pub plasma_interval_days: u64,
    /// Apheresis (platelets, plasma) needs at least this weight (domain.md: 50 kg).
    pub apheresis_min_weight_kg: f64,
    /// Below this age nothing is kept: a child's personal data needs a parent's or
    /// guardian's consent (Law 91/2025/QH15, which the chat cannot obtain). Vietnamese law
    /// counts children as under 16; configurable, as the decree's reading may change.
    pub min_age_to_keep_data: i32,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            min_age: 18,
            max_age: 60,
            min_weight_female_kg: 42.0,
            min_weight_male_kg: 45.0,
            whole_blood_interval_days: 84,
            platelets_interval_days: 14,
            plasma_interval_days: 14,
            apheresis_min_weight_kg: 50.0,
            min_age_to_keep_data: 16,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgeCheck {
    TooYoung { turns_min_on: NaiveDate },
    InRange,
    TooOld,
}

impl Rules {
    pub fn interval_days(&self, kind: DonationKind) -> u64 {
        match kind {
            DonationKind::WholeBlood => self.whole_blood_interval_days,
            DonationKind::Platelets => self.platelets_interval_days,
            DonationKind::Plasma => self.plasma_interval_days,
        }
    }

    /// The first day the donor may give again, or `None` if they never gave.
    pub fn next_eligible(&self, last: LastDonation) -> Option<NaiveDate> {
        match last {
            LastDonation::Never => None,
            LastDonation::Given { kind, date } => {
                date.checked_add_days(Days::new(self.interval_days(kind)))
            }
        }
    }

    pub fn check_age(&self, birth: NaiveDate, today: NaiveDate) -> AgeCheck {
        let age = age_on(birth, today);
        if age < self.min_age {
            AgeCheck::TooYoung {
                turns_min_on: crate::domain::dates::birthday(birth, self.min_age),
            }
        } else if age > self.max_age {
            AgeCheck::TooOld
        } else {
            AgeCheck::InRange
        }
    }

    pub fn min_weight(&self, sex: Sex) -> f64 {
        match sex {
            Sex::Female => self.min_weight_female_kg,
            Sex::Male => self.min_weight_male_kg,
        }
    }

    pub fn weight_ok(&self, sex: Sex, weight: WeightKg) -> bool {
        weight.kg() >= self.min_weight(sex)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn interval_depends_on_what_was_given() {
        let r = Rules::default();
        let given = |kind| LastDonation::Given {
            kind,
            date: d(2026, 1, 1),
        };
        assert_eq!(
            r.next_eligible(given(DonationKind::WholeBlood)),
            Some(d(2026, 3, 26))
        );
        assert_eq!(
            r.next_eligible(given(DonationKind::Platelets)),
            Some(d(2026, 1, 15))
        );
        assert_eq!(
            r.next_eligible(given(DonationKind::Plasma)),
            Some(d(2026, 1, 15))
        );
        assert_eq!(r.next_eligible(LastDonation::Never), None);
    }

    #[test]
    fn age_bounds_are_inclusive() {
        let r = Rules::default();
        let today = d(2026, 11, 22);
        assert_eq!(r.check_age(d(2008, 11, 22), today), AgeCheck::InRange);
        assert_eq!(
            r.check_age(d(2008, 11, 23), today),
            AgeCheck::TooYoung {
                turns_min_on: d(2026, 11, 23)
            }
        );
        assert_eq!(r.check_age(d(1966, 1, 1), today), AgeCheck::InRange);
        assert_eq!(r.check_age(d(1965, 11, 21), today), AgeCheck::TooOld);
    }

    #[test]
    fn weight_threshold_by_sex_is_configurable() {
        let mut r = Rules::default();
        let w = WeightKg::parse("43").unwrap();
        assert!(r.weight_ok(Sex::Female, w));
        assert!(!r.weight_ok(Sex::Male, w));
        r.min_weight_female_kg = 45.0;
        assert!(!r.weight_ok(Sex::Female, w));
    }
}
