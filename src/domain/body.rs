//! Sex and body weight, the two answers the weight thresholds depend on.

use crate::domain::text::fold;
use serde::{Deserialize, Serialize};

/// Sex as Circular 26/2013/TT-BYT uses it for the weight thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Sex {
    Male,
    Female,
}

impl Sex {
    /// A sex, as typed or from its [`essence`](crate::domain::understand::essence).
    pub fn parse(input: &str) -> Option<Sex> {
        crate::domain::understand::reread(input, Self::parse_as_typed)
    }

    fn parse_as_typed(input: &str) -> Option<Sex> {
        match fold(input).as_str() {
            "nam" | "male" | "m" | "trai" | "con trai" | "man" | "gioi tinh nam" => Some(Sex::Male),
            "nam gioi" | "dan ong" | "boy" | "men" | "nam a" | "trai a" | "giong duc"
            | "ban nam" | "phai nam" | "dan trai" => Some(Sex::Male),
            "nu" | "female" | "f" | "gai" | "con gai" | "woman" | "gioi tinh nu" | "nu gioi"
            | "phu nu" | "girl" | "women" | "nu a" | "gai a" | "dan ba" | "ban nu" | "phai nu"
            | "giong cai" => Some(Sex::Female),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Sex::Male => "male",
            Sex::Female => "female",
        }
    }

    pub fn from_code(code: &str) -> Option<Sex> {
        match code {
            "male" => Some(Sex::Male),
            "female" => Some(Sex::Female),
            _ => None,
        }
    }
}

/// Body weight in kilograms, to one decimal, within what a person can weigh.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize)]
pub struct WeightKg(f64);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum WeightError {
    #[error("not a weight")]
    NotAWeight,
    #[error("outside 30–250 kg")]
    Implausible,
    #[error("not in kilograms")]
    WrongUnit,
}

impl WeightKg {
    pub const MIN: f64 = 30.0;
    pub const MAX: f64 = 250.0;

    /// A weight, as typed or from its [`essence`](crate::domain::understand::essence).
    pub fn parse(input: &str) -> Result<WeightKg, WeightError> {
        crate::domain::understand::reread_or(input, Self::parse_as_typed)
    }

    /// `55`, `55kg`, `55 kg`, `55,5`, `55.5 kí`, `khoảng 55 cân`.
    fn parse_as_typed(input: &str) -> Result<WeightKg, WeightError> {
        let lower = input.trim().to_lowercase().replace(',', ".");
        let Some(start) = lower.find(|c: char| c.is_ascii_digit()) else {
            // "năm mươi", "tầm năm mươi lăm cân"
            let f = fold(&lower);
            let f = f.trim_start_matches("khoang ").trim_start_matches("tam ");
            let f = f
                .trim_end_matches(" kg")
                .trim_end_matches(" can")
                .trim_end_matches(" ky");
            let n = crate::domain::understand::number_words(f).ok_or(WeightError::NotAWeight)?;
            return WeightKg::parse(&n.to_string());
        };
        let before = fold(&lower[..start]);
        if !matches!(
            before.as_str(),
            "" | "khoang" | "tam" | "about" | "around" | "nang" | "can nang"
        ) {
            return Err(WeightError::NotAWeight);
        }
        let rest = &lower[start..];
        let end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number: f64 = rest[..end].parse().map_err(|_| WeightError::NotAWeight)?;
        let unit = fold(&rest[end..]);
        // "62 kg nhé", "62 cân ạ": particles after the unit change nothing.
        let unit = unit
            .trim_end_matches(" a")
            .trim_end_matches(" nhe")
            .trim_end_matches(" nha")
            .trim_end_matches(" thoi");
        match unit {
            "" | "a" | "nhe" | "kg" | "kgs" | "ki" | "ky" | "can" | "kilo" | "kilogram"
            | "kilograms" | "can nang" | "ki lo" | "ki lo gam" | "kilo gam" | "ky lo" => {}
            "lb" | "lbs" | "pound" | "pounds" | "g" | "gram" | "gam" => {
                return Err(WeightError::WrongUnit);
            }
            _ => return Err(WeightError::NotAWeight),
        }
        if !number.is_finite() || !(Self::MIN..=Self::MAX).contains(&number) {
            return Err(WeightError::Implausible);
        }
        Ok(WeightKg((number * 10.0).round() / 10.0))
    }

    pub fn from_stored(kg: f64) -> Option<WeightKg> {
        (kg.is_finite() && (Self::MIN..=Self::MAX).contains(&kg)).then_some(WeightKg(kg))
    }

    pub fn kg(self) -> f64 {
        self.0
    }
}

impl std::fmt::Display for WeightKg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.0.fract() == 0.0 {
            write!(f, "{:.0}", self.0)
        } else {
            write!(f, "{:.1}", self.0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_sex_in_both_languages() {
        assert_eq!(Sex::parse("Nam"), Some(Sex::Male));
        assert_eq!(Sex::parse(" nữ "), Some(Sex::Female));
        assert_eq!(Sex::parse("NU"), Some(Sex::Female));
        assert_eq!(Sex::parse("female"), Some(Sex::Female));
        assert_eq!(Sex::parse("nam nữ"), None);
        assert_eq!(Sex::parse(""), None);
        assert_eq!(Sex::parse("3"), None);
        assert_eq!(Sex::from_code(Sex::Female.code()), Some(Sex::Female));
    }

    #[test]
    fn reads_weights_as_typed() {
        for (s, kg) in [
            ("55", 55.0),
            ("55kg", 55.0),
            ("55 kg", 55.0),
            ("55,5", 55.5),
            ("55.5 kí", 55.5),
            ("khoảng 60 cân", 60.0),
            ("48 Kg", 48.0),
            ("70.26", 70.3),
        ] {
            assert_eq!(WeightKg::parse(s).map(|w| w.kg()), Ok(kg), "{s}");
        }
        assert_eq!(WeightKg::parse("55.5").unwrap().to_string(), "55.5");
        assert_eq!(WeightKg::parse("55").unwrap().to_string(), "55");
    }

    #[test]
    fn refuses_wrong_weights() {
        assert_eq!(WeightKg::parse(""), Err(WeightError::NotAWeight));
        assert_eq!(WeightKg::parse("nặng lắm"), Err(WeightError::NotAWeight));
        assert_eq!(WeightKg::parse("5..5"), Err(WeightError::NotAWeight));
        assert_eq!(WeightKg::parse("55 tuổi"), Err(WeightError::NotAWeight));
        assert_eq!(WeightKg::parse("tôi 55"), Err(WeightError::NotAWeight));
        assert_eq!(WeightKg::parse("120 lbs"), Err(WeightError::WrongUnit));
        assert_eq!(WeightKg::parse("5"), Err(WeightError::Implausible));
        assert_eq!(WeightKg::parse("550"), Err(WeightError::Implausible));
        assert_eq!(
            WeightKg::parse("99999999999999999999999"),
            Err(WeightError::Implausible)
        );
        assert_eq!(WeightKg::from_stored(f64::NAN), None);
    }
}
