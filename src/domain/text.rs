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

#[cfg(test)]
mod tests {
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
}
