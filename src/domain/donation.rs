//! Donations as a blood centre lists them after a drive: a CSV file with a header and one
//! donation a line (`phone,date,kind`, and optionally `volume` in ml, `unit`, the code of
//! the unit it counts for, and `drive`, the number of the drive it was given at). Every line
//! is checked before anything is stored; an error names its line. Also: where a donation
//! comes from, and which lines of a file fall inside the donor's interval.

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
    /// The drive it was given at, by its number (checked against the stored drives).
    pub drive: Option<i64>,
}

/// Who put a donation on record: the one fact of its origin that every figure and card
/// reads (stored as its code).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DonationSource {
    /// Recorded by staff: `/record` in chat (a phone or a check-in code), the dashboard.
    Staff,
    /// Recorded by staff as an urgent call-out's pledge kept.
    Callout,
    /// From the blood centre's list (`donations import`, the dashboard's upload).
    Centre,
    /// Said by the donor (`/gave`): unverified until staff or the centre record it.
    Donor,
}

impl DonationSource {
    pub fn code(self) -> &'static str {
        match self {
            DonationSource::Staff => "chat",
            DonationSource::Callout => "callout",
            DonationSource::Centre => "import",
            DonationSource::Donor => "self",
        }
    }

    pub fn from_code(s: &str) -> Option<DonationSource> {
        match s {
            "chat" => Some(DonationSource::Staff),
            "callout" => Some(DonationSource::Callout),
            "import" => Some(DonationSource::Centre),
            "self" => Some(DonationSource::Donor),
            _ => None,
        }
    }
}

/// A line of a file that falls inside the donor's interval after another donation (on
/// record, or on another line): almost surely a mistake, recorded only when confirmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EarlyLine {
    pub line: usize,
    pub date: NaiveDate,
    /// The donation it follows too closely, and the first day the donor could give again.
    pub after: NaiveDate,
    pub may_give_from: NaiveDate,
}

/// The lines of `lines` (already resolved to donors) that fall inside an interval: for each
/// donor, every donation on record (`history`) and in the file, by date; a donation dated
/// before the day the one before it allows is early, and is named by its line (or, when it
/// is on record, by the line of the one before it). The same donation twice (donor, day and
/// kind) is a duplicate, not an early one.
pub fn early_lines(
    lines: &[(i64, &DonationLine)],
    history: &std::collections::HashMap<i64, Vec<(NaiveDate, DonationKind)>>,
    rules: &super::eligibility::Rules,
) -> Vec<EarlyLine> {
    use std::collections::BTreeMap;
    // Per donor: day and kind → the file's line (None: on record only).
    type Given = BTreeMap<(NaiveDate, &'static str), (DonationKind, Option<usize>)>;
    let mut by_donor: BTreeMap<i64, Given> = BTreeMap::new();
    for (donor, l) in lines {
        let e = by_donor.entry(*donor).or_default();
        e.entry((l.date, l.kind.code()))
            .or_insert((l.kind, Some(l.line)));
    }
    let mut out = Vec::new();
    for (donor, given) in &mut by_donor {
        for (date, kind) in history.get(donor).into_iter().flatten() {
            // On record already: the file's line for it is a duplicate, not a new donation.
            given.insert((*date, kind.code()), (*kind, None));
        }
        let mut prev: Option<(NaiveDate, DonationKind, Option<usize>)> = None;
        for ((date, _), (kind, line)) in given.iter() {
            if let Some((p_date, p_kind, p_line)) = prev {
                let from = rules.next_eligible(super::eligibility::LastDonation::Given {
                    kind: p_kind,
                    date: p_date,
                });
                if let Some(from) = from.filter(|f| f > date)
                    && let Some(line) = line.or(p_line)
                {
                    out.push(EarlyLine {
                        line,
                        date: *date,
                        after: p_date,
                        may_give_from: from,
                    });
                }
            }
            prev = Some((*date, *kind, *line));
        }
    }
    out.sort_by_key(|e| e.line);
    out.dedup_by_key(|e| e.line);
    out
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
    // Each column by its English name or as the reports write it in Vietnamese.
    let column = |name: &str| {
        let names: &[&str] = match name {
            "phone" => &["phone", "so dien thoai", "sdt", "dien thoai"],
            "date" => &["date", "ngay hien", "ngay"],
            "kind" => &["kind", "loai", "loai hien", "thanh phan"],
            _ => &[],
        };
        headers
            .iter()
            .position(|h| names.contains(&fold(h).as_str()))
    };
    let (Some(phone_col), Some(date_col), Some(kind_col)) =
        (column("phone"), column("date"), column("kind"))
    else {
        return Err(header_error(format!(
            "the header must name the columns phone, date and kind (or Số điện thoại, Ngày \
             hiến, Loại) (found: {})",
            headers.iter().collect::<Vec<_>>().join(", ")
        )));
    };
    let index = super::campaign::LineIndex::new(text);
    let line_at = |byte: u64| index.csv_line(text, byte);
    let volume_col = headers
        .iter()
        .position(|h| matches!(fold(h).as_str(), "volume" | "the tich" | "ml"));
    let unit_col = headers
        .iter()
        .position(|h| matches!(fold(h).as_str(), "unit" | "don vi" | "ma don vi"));
    let drive_col = headers
        .iter()
        .position(|h| matches!(fold(h).as_str(), "drive" | "dot" | "ma dot" | "so dot"));
    let columns = Columns {
        phone: phone_col,
        date: date_col,
        kind: kind_col,
        volume: volume_col,
        unit: unit_col,
        drive: drive_col,
    };
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
        match read_line(&record, &columns, today, line) {
            Ok(d) => out.push(d),
            Err(message) => errors.push(FileError { line, message }),
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

/// Where a donations file's columns are.
struct Columns {
    phone: usize,
    date: usize,
    kind: usize,
    volume: Option<usize>,
    unit: Option<usize>,
    drive: Option<usize>,
}

/// One line of a donations file: the donation, or what is wrong with it (all of it).
fn read_line(
    record: &csv::StringRecord,
    c: &Columns,
    today: NaiveDate,
    line: usize,
) -> Result<DonationLine, String> {
    let field = |i: usize| record.get(i).unwrap_or("");
    let mut problems = Vec::new();
    let phone = PhoneNumber::parse(field(c.phone))
        .map_err(|e| problems.push(format!("phone {:?}: {e}", field(c.phone))))
        .ok();
    let date = match dates::parse_day(field(c.date), today) {
        Ok(d) if d > today => {
            problems.push(format!("date {:?} is in the future", field(c.date)));
            None
        }
        Ok(d) => Some(d),
        Err(e) => {
            problems.push(format!("date {:?}: {e}", field(c.date)));
            None
        }
    };
    let kind = parse_kind(field(c.kind));
    if kind.is_none() {
        problems.push(format!(
            "kind {:?}: expected whole blood, platelets or plasma (máu toàn phần, tiểu cầu, huyết tương)",
            field(c.kind)
        ));
    }
    let volume_ml = match c.volume.map(field).map(str::trim) {
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
    let unit = c
        .unit
        .map(field)
        .map(|u| u.trim().to_lowercase())
        .filter(|u| !u.is_empty());
    let drive = match c.drive.map(field).map(str::trim) {
        None | Some("") => None,
        Some(v) => match v.trim_start_matches('#').parse::<i64>() {
            Ok(n) if n > 0 => Some(n),
            _ => {
                problems.push(format!("drive {v:?}: expected the drive's number, e.g. 12"));
                None
            }
        },
    };
    match (phone, date, kind) {
        (Some(phone), Some(date), Some(kind)) if problems.is_empty() => Ok(DonationLine {
            line,
            phone,
            date,
            kind,
            volume_ml,
            unit,
            drive,
        }),
        _ => Err(problems.join("; ")),
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

    /// Issue 31: the headers as the reports write them in Vietnamese.
    #[test]
    fn vietnamese_headers_are_read() {
        let text = "Số điện thoại,Ngày hiến,Loại,Thể tích,Đơn vị\n\
                    0912 345 678,07/04/2026,Máu toàn phần,350,DH-Hai-Phong\n";
        let lines = parse_donations(text, today()).unwrap();
        assert_eq!(lines[0].phone.as_e164(), "+84912345678");
        assert_eq!(lines[0].kind, DonationKind::WholeBlood);
        assert_eq!(lines[0].volume_ml, Some(350));
        assert_eq!(lines[0].unit.as_deref(), Some("dh-hai-phong"));
        let e = parse_donations("Họ tên,Ngày hiến\nAn,01/01/2026\n", today()).unwrap_err();
        assert!(e[0].message.contains("Số điện thoại"), "{e:?}");
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

    #[test]
    fn a_drive_column_takes_a_drive_number_and_refuses_anything_else() {
        let text = "phone,date,kind,drive\n0912345678,07/04/2026,whole blood,12\n\
                    0912345679,07/04/2026,plasma,#7\n0912345670,07/04/2026,plasma,\n\
                    0912345671,07/04/2026,plasma,Đại học Vinh\n0912345672,07/04/2026,plasma,0\n";
        let errors = parse_donations(text, today()).unwrap_err();
        assert_eq!(errors.iter().map(|e| e.line).collect::<Vec<_>>(), [5, 6]);
        assert!(errors[0].message.contains("drive's number"), "{errors:?}");
        let good = "phone,date,kind,đợt\n0912345678,07/04/2026,whole blood,12\n\
                    0912345679,07/04/2026,plasma,#7\n0912345670,07/04/2026,plasma,\n";
        let lines = parse_donations(good, today()).unwrap();
        assert_eq!(
            lines.iter().map(|l| l.drive).collect::<Vec<_>>(),
            [Some(12), Some(7), None]
        );
    }

    #[test]
    fn sources_read_back_as_stored_and_an_unknown_one_is_none() {
        for s in [
            DonationSource::Staff,
            DonationSource::Callout,
            DonationSource::Centre,
            DonationSource::Donor,
        ] {
            assert_eq!(DonationSource::from_code(s.code()), Some(s));
        }
        assert_eq!(DonationSource::from_code("web"), None);
    }

    #[test]
    fn lines_inside_an_interval_are_named_and_duplicates_are_not() {
        let rules = crate::domain::eligibility::Rules::default();
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        let line = |n: usize, date, kind| DonationLine {
            line: n,
            phone: PhoneNumber::parse("0912345678").unwrap(),
            date,
            kind,
            volume_ml: None,
            unit: None,
            drive: None,
        };
        let wb = DonationKind::WholeBlood;
        let plt = DonationKind::Platelets;
        // Donor 1: whole blood 15/07 and 20/07 in the file, platelets 01/08 (still inside
        // the 84 days of 15/07); donor 2: platelets 01/06 on record, plasma 20/06 (after the
        // 14 days: fine) and whole blood 20/06 again on record (a duplicate, not early).
        let l2 = line(2, d(7, 15), wb);
        let l3 = line(3, d(7, 20), wb);
        let l4 = line(4, d(8, 1), plt);
        let l5 = line(5, d(6, 20), DonationKind::Plasma);
        let l6 = line(6, d(6, 20), wb);
        let lines = vec![(1, &l2), (1, &l3), (1, &l4), (2, &l5), (2, &l6)];
        let history = std::collections::HashMap::from([(2, vec![(d(6, 1), plt), (d(6, 20), wb)])]);
        let early = early_lines(&lines, &history, &rules);
        assert_eq!(early.iter().map(|e| e.line).collect::<Vec<_>>(), [3, 4, 5]);
        assert_eq!(
            (early[0].after, early[0].may_give_from),
            (d(7, 15), d(10, 7))
        );
        // Line 5 (plasma 20/06) is fine after 01/06 but shares its day with the whole blood
        // on record: two donations one day is early too.
        assert_eq!(early[2].date, d(6, 20));
        // Nothing on record, one line a donor: nothing early.
        let lone = vec![(1, &l2), (2, &l5)];
        assert!(early_lines(&lone, &Default::default(), &rules).is_empty());
        // A line before a donation on record, inside its own interval: named by its line.
        let before = line(7, d(5, 20), wb);
        let h = std::collections::HashMap::from([(1, vec![(d(6, 1), plt)])]);
        let e = early_lines(&[(1, &before)], &h, &rules);
        assert_eq!((e[0].line, e[0].date), (7, d(6, 1)));
    }
}
