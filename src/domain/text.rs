//! Folding of what people type, so `Hà Nội`, `ha noi` and `HA NOI` compare equal.
//!
//! Vietnamese letters decompose under NFD into a base letter plus combining marks, except
//! `đ`/`Đ`, which is a letter of its own and is mapped to `d` by hand.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Lower-case, strip diacritics, map `đ` to `d`, turn punctuation into spaces and collapse
/// runs of white space. `"  TP. Hồ Chí Minh "` → `"tp ho chi minh"`.
pub fn fold(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut last_space = true;
    for c in input.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        let c = match c {
            'đ' | 'Đ' => 'd',
            c => c,
        };
        if c.is_alphanumeric() || c == '+' || c == '-' {
            for l in c.to_lowercase() {
                out.push(l);
            }
            last_space = false;
        } else if !last_space {
            out.push(' ');
            last_space = true;
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// Like [`fold`] but without any space, for comparing `daklak` with `Đắk Lắk`.
pub fn fold_compact(input: &str) -> String {
    fold(input).chars().filter(|c| *c != ' ').collect()
}

/// Trim and collapse inner white space, keeping the text as typed otherwise.
pub fn tidy(input: &str) -> String {
    input.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Text from people as text: every C0 and C1 control character (escape sequences, bells,
/// backspaces…) and DEL removed, line breaks and tabs kept (`\r\n` becomes `\n`). Applied
/// where text enters (a chat message, a form field) and where it is printed to a terminal,
/// so a club name cannot clear a screen or retitle a window.
pub fn plain(input: &str) -> std::borrow::Cow<'_, str> {
    let keep = |c: char| c == '\n' || c == '\t' || !c.is_control();
    if input.chars().all(keep) {
        return std::borrow::Cow::Borrowed(input);
    }
    std::borrow::Cow::Owned(input.chars().filter(|c| keep(*c)).collect())
}

/// A CSV cell a spreadsheet will not run: text beginning with `=`, `+`, `-` or `@` (or a
/// tab or carriage return) is a formula to Excel, so it gets a leading apostrophe; numbers
/// (`-5`, `1,4`) stay as they are.
pub fn csv_cell(cell: &str) -> String {
    let formula = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let number = cell.replace(',', ".").parse::<f64>().is_ok();
    if formula && !number {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

/// A CSV file for people's spreadsheets: every cell through [`csv_cell`], optionally after
/// a UTF-8 byte-order mark (so Excel on Windows reads the Vietnamese).
pub struct SpreadsheetCsv {
    w: csv::Writer<Vec<u8>>,
}

impl SpreadsheetCsv {
    pub fn new(byte_order_mark: bool) -> SpreadsheetCsv {
        let start = if byte_order_mark {
            b"\xEF\xBB\xBF".to_vec()
        } else {
            Vec::new()
        };
        SpreadsheetCsv {
            w: csv::Writer::from_writer(start),
        }
    }

    pub fn row<S: AsRef<str>>(&mut self, cells: impl IntoIterator<Item = S>) -> csv::Result<()> {
        self.w
            .write_record(cells.into_iter().map(|c| csv_cell(c.as_ref())))
    }

    /// The file's text.
    pub fn finish(self) -> Result<String, std::io::Error> {
        let bytes = self
            .w
            .into_inner()
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        String::from_utf8(bytes).map_err(std::io::Error::other)
    }
}

/// Levenshtein distance over chars, bounded: returns `None` once the distance exceeds `max`.
pub fn edit_distance_within(a: &str, b: &str, max: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        let mut row_min = cur[0];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
            row_min = row_min.min(cur[j + 1]);
        }
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    (prev[b.len()] <= max).then_some(prev[b.len()])
}

/// The Vietnamese alphabet's letters in order, each with its tones (none, huyền, sắc, hỏi,
/// ngã, nặng): a ă â b c d đ e ê … u ư v x y.
const VI_LETTERS: &[&str] = &[
    "aàáảãạ",
    "ăằắẳẵặ",
    "âầấẩẫậ",
    "b",
    "c",
    "d",
    "đ",
    "eèéẻẽẹ",
    "êềếểễệ",
    "f",
    "g",
    "h",
    "iìíỉĩị",
    "j",
    "k",
    "l",
    "m",
    "n",
    "oòóỏõọ",
    "ôồốổỗộ",
    "ơờớởỡợ",
    "p",
    "q",
    "r",
    "s",
    "t",
    "uùúủũụ",
    "ưừứửữự",
    "v",
    "w",
    "x",
    "yỳýỷỹỵ",
    "z",
];

/// A key that sorts names in Vietnamese order: by letters first (Đ after D, not after Z;
/// Ă and Â after A), then by tones, case ignored.
pub fn vi_sort_key(name: &str) -> Vec<u32> {
    let mut letters = Vec::new();
    let mut tones = Vec::new();
    for c in name.trim().chars().flat_map(char::to_lowercase) {
        match VI_LETTERS
            .iter()
            .enumerate()
            .find_map(|(i, l)| l.chars().position(|x| x == c).map(|t| (i, t)))
        {
            Some((i, t)) => {
                letters.push(100 + i as u32);
                tones.push(t as u32);
            }
            // Spaces first, digits and anything else by their code, after the letters.
            None if c == ' ' => {
                letters.push(0);
                tones.push(0);
            }
            None => {
                letters.push(1_000 + c as u32);
                tones.push(0);
            }
        }
    }
    letters.push(0);
    letters.extend(tones);
    letters
}

/// A figure as people read it: thousands grouped and the decimal mark of the language
/// (Vietnamese `30.000` and `1,8`; English `30,000` and `1.8`), at most one decimal (none
/// when whole). Files meant for other programs (CSV) keep plain digits.
pub fn figure(value: f64, vietnamese: bool) -> String {
    let v = if value.is_finite() { value } else { 0.0 };
    let tenths = (v * 10.0).round() as i64;
    let (whole, tenth) = ((tenths / 10).unsigned_abs(), (tenths % 10).unsigned_abs());
    let mut out = grouped(whole, if vietnamese { '.' } else { ',' });
    if tenths < 0 {
        out.insert(0, '-');
    }
    if tenth > 0 {
        out.push(if vietnamese { ',' } else { '.' });
        out.push_str(&tenth.to_string());
    }
    out
}

/// `n` with `sep` between each group of three digits: 3400000 → 3.400.000.
pub fn grouped(n: u64, sep: char) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {

    #[test]
    fn names_sort_in_vietnamese_order() {
        let mut names = vec![
            "Vũ Văn Hải",
            "Đặng Thị Thu",
            "Dương An",
            "Anh",
            "Ánh",
            "Ân",
            "Ăn",
        ];
        names.sort_by_key(|n| vi_sort_key(n));
        assert_eq!(
            names,
            [
                "Anh",
                "Ánh",
                "Ăn",
                "Ân",
                "Dương An",
                "Đặng Thị Thu",
                "Vũ Văn Hải"
            ]
        );
    }

    use super::*;

    #[test]
    fn folds_vietnamese_letters_case_and_punctuation() {
        assert_eq!(fold("  TP. Hồ Chí Minh "), "tp ho chi minh");
        assert_eq!(fold("Đắk Lắk"), "dak lak");
        assert_eq!(fold("Nguyễn Thị Ánh"), "nguyen thi anh");
        assert_eq!(fold("Bà Rịa–Vũng Tàu"), "ba ria vung tau");
        assert_eq!(fold("O Rh+"), "o rh+");
        assert_eq!(fold(""), "");
        assert_eq!(fold("!!!"), "");
    }

    #[test]
    fn compact_fold_removes_spaces() {
        assert_eq!(fold_compact("Đắk Lắk"), "daklak");
    }

    #[test]
    fn plain_text_keeps_line_breaks_and_drops_every_control_character() {
        assert_eq!(plain("Hội Chữ thập đỏ"), "Hội Chữ thập đỏ");
        assert!(matches!(plain("a\nb\tc"), std::borrow::Cow::Borrowed(_)));
        assert_eq!(
            plain("CLB \u{1b}[2J\u{1b}]0;pwned\u{7}Đỏ\r\n\u{9b}31m\u{7f}!"),
            "CLB [2J]0;pwnedĐỏ\n31m!"
        );
        assert_eq!(plain(""), "");
    }

    #[test]
    fn a_csv_cell_that_a_spreadsheet_would_run_is_quoted_and_numbers_are_not() {
        assert_eq!(
            csv_cell("=HYPERLINK(\"http://x\")"),
            "'=HYPERLINK(\"http://x\")"
        );
        assert_eq!(csv_cell("+84912345678 call"), "'+84912345678 call");
        assert_eq!(csv_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_cell("-cmd"), "'-cmd");
        assert_eq!(csv_cell("\t=1"), "'\t=1");
        assert_eq!(csv_cell("-5"), "-5");
        assert_eq!(csv_cell("+84912345678"), "+84912345678");
        assert_eq!(csv_cell("1,4"), "1,4");
        assert_eq!(csv_cell("CLB Đỏ"), "CLB Đỏ");
        assert_eq!(csv_cell(""), "");
    }

    #[test]
    fn tidy_collapses_white_space() {
        assert_eq!(tidy("  Nguyễn   Văn\tAn  "), "Nguyễn Văn An");
    }

    #[test]
    fn bounded_edit_distance() {
        assert_eq!(edit_distance_within("hanoi", "hanoi", 1), Some(0));
        assert_eq!(edit_distance_within("hanoii", "hanoi", 1), Some(1));
        assert_eq!(edit_distance_within("hnoi", "hanoi", 1), Some(1));
        assert_eq!(edit_distance_within("haiphong", "hanoi", 2), None);
    }

    #[test]
    fn figures_are_grouped_and_marked_as_each_language_writes_them() {
        assert_eq!(figure(30_000.0, true), "30.000");
        assert_eq!(figure(3_400_000.0, true), "3.400.000");
        assert_eq!(figure(30_000.0, false), "30,000");
        assert_eq!(figure(1.8, true), "1,8");
        assert_eq!(figure(1.8, false), "1.8");
        assert_eq!(figure(1_234.56, true), "1.234,6");
        assert_eq!(figure(999.0, true), "999");
        assert_eq!(figure(0.04, true), "0");
        assert_eq!(figure(-1_500.0, false), "-1,500");
        assert_eq!(figure(f64::NAN, true), "0");
        assert_eq!(grouped(0, '.'), "0");
        assert_eq!(grouped(100_000, '.'), "100.000");
    }
}
