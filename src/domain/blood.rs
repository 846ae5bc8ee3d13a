//! Blood groups as donors say them: `O+`, `O Rh+`, `nhóm máu O rh dương`, `AB âm`, `A-`,
//! `0+` (zero for O), `chưa biết`. Either half may be unknown: many donors know their ABO
//! group but not their Rh(D), and "don't know" is a valid answer (domain.md).

use crate::domain::text::fold;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Abo {
    O,
    A,
    B,
    AB,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Rh {
    Positive,
    Negative,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct BloodGroup {
    pub abo: Option<Abo>,
    pub rh: Option<Rh>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not a blood group")]
pub struct BloodGroupError;

const FILLER: &[&str] = &[
    "nhom", "mau", "group", "blood", "type", "la", "toi", "cua", "minh",
];
const UNKNOWN: &[&str] = &[
    "chua biet",
    "khong biet",
    "ko biet",
    "k biet",
    "kh biet",
    "ko bt",
    "k bt",
    "khong bt",
    "chua bt",
    "hong biet",
    "chua xet nghiem",
    "chua di xet nghiem",
    "chua ro",
    "khong ro",
    "dont know",
    "don t know",
    "do not know",
    "not sure",
    "unknown",
    "idk",
];

impl BloodGroup {
    pub const UNKNOWN: BloodGroup = BloodGroup {
        abo: None,
        rh: None,
    };

    pub fn new(abo: Abo, rh: Rh) -> Self {
        BloodGroup {
            abo: Some(abo),
            rh: Some(rh),
        }
    }

    /// A blood group, as typed or from its [`essence`](crate::domain::understand::essence).
    pub fn parse(input: &str) -> Result<Self, BloodGroupError> {
        crate::domain::understand::reread_or(input, Self::parse_as_typed)
    }

    fn parse_as_typed(input: &str) -> Result<Self, BloodGroupError> {
        let mut f = fold(&input.replace(['−', '–'], "-"));
        if f == "?" || input.trim() == "?" {
            return Ok(Self::UNKNOWN);
        }
        let mut rh_unknown_said = false;
        for phrase in UNKNOWN {
            if f.contains(phrase) {
                f = f.replace(phrase, " ");
                rh_unknown_said = true;
            }
        }
        // Split signs off their letters: "ab+" → "ab +", "rh-" → "rh -".
        let spaced: String = f
            .chars()
            .flat_map(|c| match c {
                '+' | '-' => vec![' ', c, ' '],
                '(' | ')' => vec![' '],
                c => vec![c],
            })
            .collect();
        let mut tokens: Vec<&str> = spaced
            .split_whitespace()
            .filter(|t| !FILLER.contains(t))
            .collect();

        // "Rh- nhóm O": the Rh part first.
        if tokens.len() >= 3
            && matches!(tokens[0], "rh" | "rhd")
            && matches!(
                tokens[1],
                "+" | "-" | "am" | "duong" | "negative" | "positive"
            )
        {
            let n = if tokens.get(2) == Some(&"tinh") { 3 } else { 2 };
            let rh = tokens.drain(..n).collect::<Vec<_>>();
            tokens.extend(rh);
        }
        let mut abo = None;
        if let Some(first) = tokens.first() {
            abo = match *first {
                "o" | "0" => Some(Abo::O),
                "a" => Some(Abo::A),
                "b" => Some(Abo::B),
                "ab" => Some(Abo::AB),
                _ => None,
            };
            if abo.is_some() {
                tokens.remove(0);
            }
        }
        // What is left must be an Rh part, or nothing.
        if matches!(tokens.first(), Some(&"rh") | Some(&"rhd")) {
            tokens.remove(0);
            if tokens.first() == Some(&"d") {
                tokens.remove(0);
            }
        }
        if tokens.last() == Some(&"tinh") {
            tokens.pop();
        }
        let rh = match tokens.as_slice() {
            [] => None,
            ["+"] | ["duong"] | ["positive"] | ["pos"] | ["plus"] => Some(Rh::Positive),
            ["-"] | ["am"] | ["negative"] | ["neg"] | ["minus"] => Some(Rh::Negative),
            _ => return Err(BloodGroupError),
        };
        if abo.is_none() && rh.is_none() && !rh_unknown_said {
            return Err(BloodGroupError);
        }
        Ok(BloodGroup { abo, rh })
    }

    /// Stable text form used in storage and in choice values: `O+`, `AB-`, `A?`, `?+`, `?`.
    pub fn code(&self) -> String {
        match (self.abo, self.rh) {
            (None, None) => "?".to_string(),
            (abo, rh) => {
                let a = match abo {
                    Some(Abo::O) => "O",
                    Some(Abo::A) => "A",
                    Some(Abo::B) => "B",
                    Some(Abo::AB) => "AB",
                    None => "?",
                };
                let r = match rh {
                    Some(Rh::Positive) => "+",
                    Some(Rh::Negative) => "-",
                    None => "?",
                };
                format!("{a}{r}")
            }
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        if code == "?" {
            return Some(Self::UNKNOWN);
        }
        let (a, r) = code.split_at(code.len().checked_sub(1)?);
        let abo = match a {
            "O" => Some(Abo::O),
            "A" => Some(Abo::A),
            "B" => Some(Abo::B),
            "AB" => Some(Abo::AB),
            "?" => None,
            _ => return None,
        };
        let rh = match r {
            "+" => Some(Rh::Positive),
            "-" => Some(Rh::Negative),
            "?" => None,
            _ => return None,
        };
        Some(BloodGroup { abo, rh })
    }

    pub fn is_unknown(&self) -> bool {
        self.abo.is_none() && self.rh.is_none()
    }
}

impl fmt::Display for BloodGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(abo: Option<Abo>, rh: Option<Rh>) -> BloodGroup {
        BloodGroup { abo, rh }
    }

    #[test]
    fn reads_what_donors_type() {
        use Abo::*;
        use Rh::*;
        let cases = [
            ("O+", g(Some(O), Some(Positive))),
            ("o +", g(Some(O), Some(Positive))),
            ("0+", g(Some(O), Some(Positive))),
            ("O Rh+", g(Some(O), Some(Positive))),
            ("O Rh(+)", g(Some(O), Some(Positive))),
            ("nhóm máu O rh dương", g(Some(O), Some(Positive))),
            ("Nhom mau O Rh duong tinh", g(Some(O), Some(Positive))),
            ("AB âm", g(Some(AB), Some(Negative))),
            ("ab am tinh", g(Some(AB), Some(Negative))),
            ("A-", g(Some(A), Some(Negative))),
            ("A−", g(Some(A), Some(Negative))),
            ("B Rh D negative", g(Some(B), Some(Negative))),
            ("b positive", g(Some(B), Some(Positive))),
            ("AB", g(Some(AB), None)),
            ("nhóm O", g(Some(O), None)),
            ("O, Rh chưa biết", g(Some(O), None)),
            ("Rh âm", g(None, Some(Negative))),
            ("chưa biết", BloodGroup::UNKNOWN),
            ("Chua biet", BloodGroup::UNKNOWN),
            ("không biết", BloodGroup::UNKNOWN),
            ("don't know", BloodGroup::UNKNOWN),
            ("?", BloodGroup::UNKNOWN),
        ];
        for (s, want) in cases {
            assert_eq!(BloodGroup::parse(s), Ok(want), "{s}");
        }
    }

    #[test]
    fn refuses_what_is_not_a_group() {
        for s in [
            "",
            "C+",
            "O++",
            "AB+-",
            "xyz",
            "O dương âm",
            "máu",
            "A B",
            "Rh",
            "12",
        ] {
            assert_eq!(BloodGroup::parse(s), Err(BloodGroupError), "{s}");
        }
    }

    #[test]
    fn code_round_trips() {
        for s in [
            "O+", "O-", "A+", "A-", "B+", "B-", "AB+", "AB-", "O?", "?-", "?",
        ] {
            assert_eq!(BloodGroup::from_code(s).unwrap().code(), s);
        }
        assert_eq!(BloodGroup::from_code("X+"), None);
        assert_eq!(BloodGroup::from_code(""), None);
    }
}
