//! Vietnamese mobile numbers, stored in E.164 (`+84912345678`).
//!
//! National mobile numbers have 10 digits and start with 03, 05, 07, 08 or 09
//! (domain.md). People type them with spaces, dots, dashes, `+84`, `84` or `0084`.

use crate::domain::text::fold;
use std::fmt;
use unicode_normalization::UnicodeNormalization;

/// Words people put around a number: "sđt 0912…", "số của em là 0912… ạ", "0912… (zalo)".
const AROUND: &[&str] = &[
    "sdt", "so", "dt", "dien", "thoai", "di", "dong", "cua", "em", "toi", "minh", "anh", "chi",
    "la", "a", "zalo", "phone", "number", "my", "is", "nhe", "nha", "day", "hotline", "lien", "he",
    "mobile", "tel", "cell", "contact", "vang", "oi", "ban",
];

/// The number with the words around it taken off; `None` when a word is not one of those.
fn strip_words(input: &str) -> Option<&str> {
    let t = input.trim();
    let start = t.find(|c: char| c.is_ascii_digit() || c == '+' || c == '(');
    let end = t.rfind(|c: char| c.is_ascii_digit());
    let (Some(start), Some(end)) = (start, end) else {
        return Some(t);
    };
    if start > end {
        return Some(t);
    }
    let outside = format!("{} {}", &t[..start], &t[end + 1..]);
    fold(&outside)
        .split(' ')
        .filter(|w| !w.is_empty())
        .all(|w| AROUND.contains(&w))
        .then_some(&t[start..=end])
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PhoneNumber(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("not a phone number")]
    NotANumber,
    #[error("wrong number of digits")]
    WrongLength,
    #[error("an old 11-digit number (before 2018)")]
    OldElevenDigits,
    #[error("not a Vietnamese mobile number")]
    NotMobile,
    #[error("not a Vietnamese number")]
    Foreign,
}

impl PhoneNumber {
    pub fn parse(input: &str) -> Result<Self, PhoneError> {
        // Full-width digits (０９１２…) from some phone keyboards become ASCII.
        let normal: String = input.nfkc().collect();
        let trimmed = strip_words(&normal).ok_or(PhoneError::NotANumber)?;
        let mut digits = String::new();
        let mut plus = false;
        for c in trimmed.chars() {
            match c {
                '0'..='9' => digits.push(c),
                '+' if digits.is_empty() && !plus => plus = true,
                ' ' | '.' | '-' | '(' | ')' | '\u{a0}' => {}
                _ => return Err(PhoneError::NotANumber),
            }
        }
        if digits.is_empty() {
            return Err(PhoneError::NotANumber);
        }
        // Reduce to the national significant number (without the trunk 0).
        let national: &str = if plus {
            match digits.strip_prefix("84") {
                Some(rest) => rest,
                None => return Err(PhoneError::Foreign),
            }
        } else if let Some(rest) = digits.strip_prefix("0084") {
            rest
        } else if digits.len() == 11 && digits.starts_with("84") {
            &digits[2..]
        } else if let Some(rest) = digits.strip_prefix('0') {
            if rest.len() == 10 && rest.starts_with('1') {
                return Err(PhoneError::OldElevenDigits);
            }
            rest
        } else {
            &digits
        };
        let national = national.strip_prefix('0').unwrap_or(national);
        // Landlines: area codes 2xx (11 digits with the trunk 0 since 2017).
        if national.starts_with('2') {
            return Err(PhoneError::NotMobile);
        }
        if national.len() == 10 && national.starts_with('1') {
            return Err(PhoneError::OldElevenDigits);
        }
        if national.len() != 9 {
            return Err(PhoneError::WrongLength);
        }
        if !matches!(national.as_bytes()[0], b'3' | b'5' | b'7' | b'8' | b'9') {
            return Err(PhoneError::NotMobile);
        }
        Ok(PhoneNumber(format!("+84{national}")))
    }

    /// E.164 form, as stored.
    pub fn as_e164(&self) -> &str {
        &self.0
    }

    /// National form for people: `0912 345 678`.
    pub fn national(&self) -> String {
        let n = &self.0[3..];
        format!("0{} {} {}", &n[..3], &n[3..6], &n[6..])
    }

    /// Masked national form for lists shown to others: `0912 *** 678`.
    pub fn masked(&self) -> String {
        let n = &self.0[3..];
        format!("0{} *** {}", &n[..3], &n[6..])
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.national())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_common_forms() {
        for s in [
            "0912 345 678",
            "0912345678",
            "+84 912 345 678",
            "+84912345678",
            "84912345678",
            "0084912345678",
            "091.234.5678",
            "0912-345-678",
            "(+84) 912 345 678",
            "912345678",
            "+840912345678",
        ] {
            assert_eq!(
                PhoneNumber::parse(s).map(|p| p.as_e164().to_string()),
                Ok("+84912345678".to_string()),
                "{s}"
            );
        }
        assert_eq!(
            PhoneNumber::parse("0387 654 321").unwrap().as_e164(),
            "+84387654321"
        );
    }

    #[test]
    fn rejects_wrong_input_with_a_reason() {
        assert_eq!(PhoneNumber::parse(""), Err(PhoneError::NotANumber));
        assert_eq!(PhoneNumber::parse("abc"), Err(PhoneError::NotANumber));
        assert_eq!(
            PhoneNumber::parse("0912 34x 678"),
            Err(PhoneError::NotANumber)
        );
        assert_eq!(
            PhoneNumber::parse("091234567"),
            Err(PhoneError::WrongLength)
        );
        assert_eq!(
            PhoneNumber::parse("09123456789"),
            Err(PhoneError::WrongLength)
        );
        assert_eq!(
            PhoneNumber::parse("01668 123 456"),
            Err(PhoneError::OldElevenDigits)
        );
        assert_eq!(
            PhoneNumber::parse("024 3826 1234"),
            Err(PhoneError::NotMobile)
        );
        assert_eq!(PhoneNumber::parse("0612345678"), Err(PhoneError::NotMobile));
        assert_eq!(
            PhoneNumber::parse("+1 415 555 0100"),
            Err(PhoneError::Foreign)
        );
        assert_eq!(
            PhoneNumber::parse("++84912345678"),
            Err(PhoneError::NotANumber)
        );
    }

    #[test]
    fn words_around_the_number_are_left_out() {
        for s in [
            "sdt 0912345678",
            "số của em là 0912 345 678 ạ",
            "0912345678 (zalo)",
            "０９１２３４５６７８",
            "SĐT: 0912.345.678",
        ] {
            assert_eq!(
                PhoneNumber::parse(s).map(|p| p.as_e164().to_string()),
                Ok("+84912345678".to_string()),
                "{s}"
            );
        }
        // Any other word, or a second number, is not a phone.
        for s in [
            "gọi 0912345678 hoặc 0987654321",
            "không phải 0912345678",
            "không có",
        ] {
            assert!(PhoneNumber::parse(s).is_err(), "{s}");
        }
    }

    #[test]
    fn formats_for_people() {
        let p = PhoneNumber::parse("+84912345678").unwrap();
        assert_eq!(p.national(), "0912 345 678");
        assert_eq!(p.masked(), "0912 *** 678");
    }
}
