//! Donations as a blood centre lists them after a drive: a CSV file with a header and one
//! donation a line (`phone,date,kind`, and optionally `volume` in ml and `unit`, the code of
//! the unit it counts for). Every line is checked before anything is stored; an error names
//! its line.

use crate::domain::dates;
use crate::domain::eligibility::DonationKind;
use crate::domain::phone::PhoneNumber;
use crate::domain::text::fold;
use chrono::NaiveDate;

/// One line of a donations file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DonationLine {
    pub line: usize,
    pub phone: PhoneNumber,
    pub date: NaiveDate,
    pub kind: DonationKind,
    /// Whole blood: 250, 350 or 450 ml; apheresis as the centre records it.
    pub volume_ml: Option<i64>,
    /// The code of the unit the donation counts for (checked against the stored units).
    pub unit: Option<String>,
}

/// What was given, in the words of a blood centre's list.
pub fn parse_kind(s: &str) -> Option<DonationKind> {
    match fold(s).as_str() {
        "whole blood" | "whole_blood" | "mau toan phan" | "toan phan" | "wb" => {
            Some(DonationKind::WholeBlood)
        }
        "platelets" | "tieu cau" | "plt" => Some(DonationKind::Platelets),
        "plasma" | "huyet tuong" => Some(DonationKind::Plasma),
        _ => None,
    }
}

/// What an import of donations did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DonationImport {
    pub lines: usize,
    /// New donations (the rest were already on record).
    pub added: usize,
    pub donors: usize,
}

/// Read a donations file. `today` bounds the dates (no donation in the future).
pub fn parse_donations(
    text: &str,
    today: NaiveDate,
) -> Result<Vec<DonationLine>, Vec<super::campaign::FileError>> {
    use super::campaign::FileError;
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(text.as_bytes());
    let header_error = |message: String| vec![FileError { line: 1, message }];
    let headers = reader
        .headers()
        .map_err(|e| header_error(format!("unreadable header: {e}")))?
        .clone();
    let column = |name: &str| headers.iter().position(|h| fold(h) == name);
    let (Some(phone_col), Some(date_col), Some(kind_col)) =
        (column("phone"), column("date"), column("kind"))
    else {
        return Err(header_error(format!(
            "the header must name the columns phone, date and kind (found: {})",
            headers.iter().collect::<Vec<_>>().join(", ")
        )));
    };
    let line_at = |byte: u64| super::campaign::csv_line(text, byte);
    let volume_col = headers
        .iter()
        .position(|h| matches!(fold(h).as_str(), "volume" | "the tich" | "ml"));
    let unit_col = headers
        .iter()
        .position(|h| matches!(fold(h).as_str(), "unit" | "don vi" | "ma don vi"));
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| line_at(p.byte()));
                errors.push(FileError {
                    line,
                    message: format!("unreadable line: {e}"),
                });
                continue;
            }
        };
        let line = record.position().map_or(0, |p| line_at(p.byte()));
        if record.iter().all(str::is_empty) {
            continue;
        }
        let field = |i: usize| record.get(i).unwrap_or("");
        let mut problems = Vec::new();
        let phone = PhoneNumber::parse(field(phone_col))
            .map_err(|e| problems.push(format!("phone {:?}: {e}", field(phone_col))))
            .ok();
        let date = match dates::parse_day(field(date_col), today) {
            Ok(d) if d > today => {
                problems.push(format!("date {:?} is in the future", field(date_col)));
                None
            }
            Ok(d) => Some(d),
            Err(e) => {
                problems.push(format!("date {:?}: {e}", field(date_col)));
                None
            }
        };
        let kind = parse_kind(field(kind_col));
        if kind.is_none() {
            problems.push(format!(
                "kind {:?}: expected whole blood, platelets or plasma (máu toàn phần, tiểu cầu, huyết tương)",
                field(kind_col)
            ));
        }
        let volume_ml = match volume_col.map(field).map(str::trim) {
            None | Some("") => None,
            Some(v) => match super::plan::parse_volume(v) {
                Ok(ml) => {
                    if kind == Some(DonationKind::WholeBlood)
                        && !super::plan::WHOLE_BLOOD_ML.contains(&ml)
                    {
                        problems.push(format!("volume {v:?}: whole blood is 250, 350 or 450 ml"));
                    }
                    Some(ml)
                }
                Err(e) => {
                    problems.push(e);
                    None
                }
            },
        };
        let unit = unit_col
            .map(field)
            .map(|u| u.trim().to_lowercase())
            .filter(|u| !u.is_empty());
        match (phone, date, kind) {
            (Some(phone), Some(date), Some(kind)) if problems.is_empty() => {
                out.push(DonationLine {
                    line,
                    phone,
                    date,
                    kind,
                    volume_ml,
                    unit,
                })
            }
            _ => errors.push(FileError {
                line,
                message: problems.join("; "),
            }),
        }
    }
    if out.is_empty() && errors.is_empty() {
        errors.push(FileError {
            line: 1,
            message: "no donations in the file".into(),
        });
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    #[test]
    fn reads_a_blood_centres_list() {
        let text = "Phone, Date, Kind\n0912 345 678,07/04/2026,Máu toàn phần\n\n\"+84 987 654 321\",2026-11-20,tiểu cầu\n";
        let lines = parse_donations(text, today()).unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].phone.as_e164(), "+84912345678");
        assert_eq!(lines[0].kind, DonationKind::WholeBlood);
        assert_eq!((lines[1].line, lines[1].kind), (4, DonationKind::Platelets));
    }

    #[test]
    fn every_bad_line_is_named() {
        let text = "phone,date,kind\n0912345678,07/04/2026,plasma\n12,31/02/2026,blood\n0912345678,01/12/2026,plasma\n";
        let errors = parse_donations(text, today()).unwrap_err();
        assert_eq!(errors.iter().map(|e| e.line).collect::<Vec<_>>(), [3, 4]);
        assert!(
            errors[0].message.contains("phone") && errors[0].message.contains("kind"),
            "{errors:?}"
        );
        assert!(errors[1].message.contains("future"));
    }

    #[test]
    fn volumes_and_units_are_optional_columns() {
        let text = "phone,date,kind,volume,unit\n0912345678,07/04/2026,whole blood,350 ml,DH-Hai-Phong\n\
                    0912345679,07/04/2026,tiểu cầu,,\n0912345670,07/04/2026,whole blood,300,\n\
                    0912345671,07/04/2026,whole blood,lots,\n";
        let errors = parse_donations(text, today()).unwrap_err();
        assert_eq!(errors.iter().map(|e| e.line).collect::<Vec<_>>(), [4, 5]);
        assert!(errors[0].message.contains("250, 350 or 450"), "{errors:?}");
        let good = "phone,date,kind,volume,unit\n0912345678,07/04/2026,whole blood,350 ml,DH-Hai-Phong\n\
                    0912345679,07/04/2026,tiểu cầu,,\n";
        let lines = parse_donations(good, today()).unwrap();
        assert_eq!(lines[0].volume_ml, Some(350));
        assert_eq!(lines[0].unit.as_deref(), Some("dh-hai-phong"));
        assert_eq!((lines[1].volume_ml, lines[1].unit.as_deref()), (None, None));
    }

    #[test]
    fn a_wrong_header_or_an_empty_file_is_refused() {
        assert!(
            parse_donations("name,date\nAn,01/01/2026\n", today()).unwrap_err()[0]
                .message
                .contains("phone, date and kind")
        );
        assert!(parse_donations("phone,date,kind\n", today()).is_err());
        assert!(parse_donations("", today()).is_err());
    }
}
