//! The everyday words every question shares: yes and no, numbers written as words, times of
//! day (`7 rưỡi`, `2h chiều`), answers to an urgent ask, and words that mean a command
//! without its slash. Everything here works on what people type, with or without
//! diacritics, with teen-code (`dc`, `ko`, `hok`) and polite particles (`ạ`, `nhé`).
//!
//! Nothing here guesses: an answer that is not clearly one thing is `None`, and the question
//! is asked again.

use crate::domain::text::fold;
use chrono::NaiveTime;

/// Polite particles and fillers that change nothing in a short answer.
const PARTICLES: &[&str] = &[
    "a", "nhe", "nha", "nhen", "ha", "ah", "oi", "luon", "nhi", "day", "roi", "please", "pls",
];

/// `fold`, without the trailing particles: `"Vâng ạ"` → `"vang"`, `"ok nhé"` → `"ok"`.
fn core(input: &str) -> String {
    let f = fold(input);
    let mut words: Vec<&str> = f.split(' ').filter(|w| !w.is_empty()).collect();
    while words.len() > 1 && words.last().is_some_and(|w| PARTICLES.contains(w)) {
        words.pop();
    }
    words.join(" ")
}

/// Teen-code and chat spellings, written out (matched on the word as typed, lower-cased: a
/// bare "hong" may be "hồng", as in "hồng cầu", and is left alone).
const SPELLED_OUT: &[(&str, &str)] = &[
    ("k", "không"),
    ("ko", "không"),
    ("kô", "không"),
    ("kh", "không"),
    ("khg", "không"),
    ("hok", "không"),
    ("hk", "không"),
    ("hông", "không"),
    ("hổng", "không"),
    ("hem", "không"),
    ("hăm", "không"),
    ("khum", "không"),
    ("hum", "không"),
    ("bít", "biết"),
    ("bit", "biết"),
    ("bik", "biết"),
    ("bjk", "biết"),
    ("bjết", "biết"),
    ("dc", "được"),
    ("đc", "được"),
    ("dk", "được"),
    ("đk", "được"),
    ("j", "gì"),
    ("mk", "mình"),
    ("mik", "mình"),
];

/// Words a person puts before the value itself ("sn 12/5/1998", "nhóm máu A+", "mới hiến
/// tháng trước", "khung 7h30", "thủ đô Hà Nội"), folded, longest first.
const LABELS: &[&str] = &[
    "so dien thoai cua minh la",
    "so dien thoai cua em la",
    "so dien thoai",
    "dien thoai",
    "ngay thang nam sinh",
    "ngay sinh",
    "sinh ngay",
    "ngay",
    "minh sinh",
    "em sinh",
    "toi sinh",
    "sinh",
    "sn",
    "ns",
    "sdt",
    "dt",
    "nhom mau",
    "nhom",
    "gioi tinh",
    "can nang",
    "nang",
    "khung gio",
    "khung",
    "luc",
    "vao luc",
    "vao",
    "moi hien",
    "vua hien",
    "lan cuoi",
    "thu do",
    "minh la",
    "em la",
    "toi la",
    "la",
];

/// Polite particles and fillers around an answer, as typed (lower-cased) or folded.
const AROUND: &[&str] = &[
    "ạ", "à", "nhé", "nha", "nhá", "nhen", "nghen", "nè", "ne", "đó", "do", "đấy", "day", "nhỉ",
    "nhi", "thôi", "thoi", "luôn", "luon", "vậy", "vay", "ơi", "oi", "nhe", "hen", "hihi", "hehe",
    "haha", "ak", "ah", "dạ", "thưa", "vâng",
];

/// What is left of an answer once what carries no meaning is taken away: notes in brackets,
/// emoji and other symbols, polite particles and fillers at either end, a label typed before
/// the value ("sn", "nhóm máu", "mới hiến", "khung"), and teen-code written out ("k bít" →
/// "không biết", "đc" → "được"). Every field's parser reads this when it cannot read the
/// answer as typed ([`reread`]); nothing here adds a meaning, so what is still unclear is
/// asked again.
pub fn essence(input: &str) -> String {
    // Notes in brackets go, unless the brackets hold everything.
    let mut kept = String::with_capacity(input.len());
    let mut depth = 0usize;
    for c in input.chars() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            c if depth == 0 => kept.push(c),
            _ => {}
        }
    }
    if kept.trim().is_empty() {
        kept = input.replace(['(', ')', '[', ']', '{', '}'], " ");
    }
    // Emoji and other symbols become spaces; what a value is written with stays.
    let plain: String = kept
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c.is_whitespace() || "+-/.,:%'".contains(c) {
                c
            } else {
                ' '
            }
        })
        .collect();
    let mut words: Vec<String> = plain
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| ",.:".contains(c)).to_string())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let lower = w.to_lowercase();
            SPELLED_OUT
                .iter()
                .find(|(from, _)| *from == lower)
                .map_or(w, |(_, to)| to.to_string())
        })
        .collect();
    let around = |w: &str| AROUND.contains(&w.to_lowercase().as_str());
    loop {
        let before = words.len();
        // Particles at the end ("1/1/2000 ạ", "2 nha"); a plain "a" only after a word that
        // is not itself a blood group's letter ("nhóm máu A a" keeps its A).
        while words.len() > 1 {
            let last = words[words.len() - 1].to_lowercase();
            let prev = fold(&words[words.len() - 2]);
            let plain_a = last == "a" && !matches!(prev.as_str(), "a" | "b" | "o" | "ab" | "0");
            if around(&last) || plain_a {
                words.pop();
            } else {
                break;
            }
        }
        // Particles and labels at the start ("dạ em đi", "sn 12/5/1998").
        while words.len() > 1 && around(&words[0]) {
            words.remove(0);
        }
        let folded: Vec<String> = words.iter().map(|w| fold(w)).collect();
        if let Some(n) = LABELS.iter().find_map(|l| {
            let label: Vec<&str> = l.split(' ').collect();
            (folded.len() > label.len() && folded.iter().zip(&label).all(|(w, l)| w == l))
                .then_some(label.len())
        }) {
            words.drain(..n);
        }
        if words.len() == before {
            break;
        }
    }
    let out = words.join(" ");
    if out.is_empty() {
        input.trim().to_string()
    } else {
        out
    }
}

/// `parse` of the answer as typed, else of its [`essence`].
pub fn reread<T>(input: &str, parse: impl Fn(&str) -> Option<T>) -> Option<T> {
    parse(input).or_else(|| {
        let e = essence(input);
        (e != input.trim()).then(|| parse(&e)).flatten()
    })
}

/// [`reread`] for a parser that says why it failed: the first reading's reason stands when
/// the essence cannot be read either.
pub fn reread_or<T, E>(input: &str, parse: impl Fn(&str) -> Result<T, E>) -> Result<T, E> {
    match parse(input) {
        Ok(v) => Ok(v),
        Err(e) => {
            let again = essence(input);
            if again == input.trim() {
                return Err(e);
            }
            parse(&again).map_err(|_| e)
        }
    }
}

const YES: &[&str] = &[
    "yes",
    "y",
    "yeah",
    "yep",
    "yup",
    "sure",
    "ok",
    "okay",
    "oke",
    "okie",
    "oki",
    "okela",
    "okla",
    "oce",
    "ok ok",
    "co",
    "co a",
    "vang",
    "da",
    "da vang",
    "vang a",
    "u",
    "uh",
    "uk",
    "uki",
    "duoc",
    "dc",
    "duoc a",
    "dung",
    "dung roi",
    "dung vay",
    "dung the",
    "chuan",
    "chuan roi",
    "chinh xac",
    "dong y",
    "dy",
    "toi dong y",
    "em dong y",
    "agree",
    "xac nhan",
    "chac chan",
    "tat nhien",
    "duoc chu",
    "ok luon",
    "co chu",
    "nhat tri",
];

const NO: &[&str] = &[
    "no",
    "n",
    "nope",
    "khong",
    "ko",
    "k",
    "kh",
    "khg",
    "kg",
    "hong",
    "hok",
    "hem",
    "khum",
    "khong a",
    "khong dau",
    "khong dong y",
    "ko dong y",
    "k dong y",
    "khong muon",
    "ko muon",
    "thoi",
    "thoi khong",
    "khong duoc",
    "ko duoc",
    "k duoc",
    "khong can",
    "tu choi",
    "disagree",
    "khong nhe",
    "chua",
    "chua muon",
    "khong cam on",
    "no thanks",
    "thoi khong can",
    "khong can dau",
    "khong can nua",
];

/// Words that, all together, say yes ("ừ đúng", "dạ vâng ạ", "ok đồng ý").
const YES_WORDS: &[&str] = &[
    "co", "vang", "da", "u", "uh", "uk", "ok", "oke", "okie", "oki", "okela", "dung", "roi",
    "chuan", "dong", "y", "duoc", "dc", "yes", "chinh", "xac", "nhat", "tri", "vay", "the", "luon",
    "nha", "nhe", "a", "ah", "yeah", "yep", "sure", "toi", "em", "minh", "anh", "chi",
];

/// Negations; a message made of one and yes words says no ("không đồng ý", "ko được").
const NO_WORDS: &[&str] = &[
    "khong", "ko", "k", "kh", "khg", "kg", "hong", "hok", "hem", "khum", "no", "nope", "thoi",
];

/// A clear yes or a clear no, as typed or once what carries no meaning is taken away
/// ([`essence`]); `None` for anything else.
pub fn yes_no(input: &str) -> Option<bool> {
    reread(input, yes_no_as_typed)
}

/// A clear yes or a clear no; `None` for anything else ("để sau", "sao cũng được").
fn yes_no_as_typed(input: &str) -> Option<bool> {
    let t = input.trim();
    if matches!(t, "👍" | "👌" | "✅" | "🆗" | "👍🏻" | "👍🏼" | "👍🏽") {
        return Some(true);
    }
    if matches!(t, "👎" | "❌" | "🙅") {
        return Some(false);
    }
    let c = core(t);
    if YES.contains(&c.as_str()) {
        return Some(true);
    }
    if NO.contains(&c.as_str()) {
        return Some(false);
    }
    let words: Vec<&str> = c.split(' ').filter(|w| !w.is_empty()).collect();
    if words.len() < 2 || words.len() > 6 {
        return None;
    }
    let yes_word = |w: &&str| YES_WORDS.contains(w);
    // "dạ có ạ", "ừ đúng rồi", "ok đồng ý nhé": every word a yes word, and a real one in it.
    if words.iter().all(yes_word)
        && words.iter().any(|w| {
            !matches!(
                *w,
                "a" | "ah"
                    | "nha"
                    | "nhe"
                    | "toi"
                    | "em"
                    | "minh"
                    | "anh"
                    | "chi"
                    | "the"
                    | "vay"
                    | "roi"
                    | "luon"
            )
        })
    {
        return Some(true);
    }
    // "không đồng ý ạ", "dạ không", "ko được đâu": a negation and yes words only.
    let negations = words.iter().filter(|w| NO_WORDS.contains(w)).count();
    if negations >= 1
        && words
            .iter()
            .all(|w| NO_WORDS.contains(w) || yes_word(w) || *w == "dau" || *w == "muon")
    {
        return Some(false);
    }
    None
}

/// What a donor means by a free answer to an urgent ask.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AskReply {
    Pledge,
    Decline,
    /// A question about the ask ("ai vậy?", "ở đâu?"): explain, keep the ask open.
    Question,
}

/// Negations that turn "được" into a refusal.
const NEGATION: &[&str] = &[
    "khong", "ko", "k", "kh", "chua", "chang", "cha", "hok", "hong",
];

/// An answer to an urgent ask, as typed or from its [`essence`].
pub fn ask_reply(input: &str) -> Option<AskReply> {
    reread(input, ask_reply_as_typed)
}

/// "Tôi đến được", "ok em đến ngay", "không được rồi, em đang đi công tác", "em mới hiến
/// tuần trước", "ai vậy?". A bare yes or no counts; so does a sentence whose words clearly
/// say one or the other. Both at once, or neither, is `None`.
fn ask_reply_as_typed(input: &str) -> Option<AskReply> {
    // The ask's options, as numbered under it: 1. I can come, 2. Not this time.
    match input.trim().trim_end_matches('.') {
        "1" => return Some(AskReply::Pledge),
        "2" => return Some(AskReply::Decline),
        _ => {}
    }
    if let Some(yes) = yes_no(input) {
        return Some(if yes {
            AskReply::Pledge
        } else {
            AskReply::Decline
        });
    }
    let f = core(input);
    let words: Vec<&str> = f.split(' ').filter(|w| !w.is_empty()).collect();
    if words.is_empty() {
        return None;
    }
    let has = |w: &str| words.contains(&w);
    let padded = format!(" {f} ");
    let phrase = |p: &str| padded.contains(&format!(" {p} "));
    let negated = words.iter().any(|w| NEGATION.contains(w));
    let decline = negated
        || [
            "ban",
            "ban roi",
            "dang di cong tac",
            "di cong tac",
            "moi hien",
            "vua hien",
            "dang om",
            "bi om",
            "dang benh",
            "xa qua",
            "o xa",
            "xin loi",
            "tiec qua",
            "sorry",
            "cant",
            "cannot",
            "busy",
            "lan sau",
            "dang mang thai",
            "dang cho con bu",
            "dang uong thuoc",
            "moi phau thuat",
        ]
        .iter()
        .any(|p| phrase(p));
    // A pledge phrase counts unless a negation stands right before it ("không đến được").
    let pledge_phrase = |p: &str| {
        let needle = format!(" {p} ");
        padded.match_indices(&needle).any(|(i, _)| {
            let before = padded[..i].split(' ').rfind(|w| !w.is_empty());
            !before.is_some_and(|w| NEGATION.contains(&w))
        })
    };
    let pledge = [
        "den duoc",
        "di duoc",
        "den ngay",
        "di ngay",
        "toi den",
        "em den",
        "minh den",
        "toi di",
        "em di",
        "minh di",
        "san sang",
        "toi duoc",
        "toi ngay",
        "qua duoc",
        "qua ngay",
        "se toi",
        "se qua",
        "nhan loi",
        "em nhan",
        "toi nhan",
        "minh nhan",
        "co mat",
        "em qua",
        "toi qua",
        "minh qua",
        "co the den",
        "dang den",
        "dang toi",
        "se den",
        "i can",
        "on my way",
        "coming",
    ]
    .iter()
    .any(|p| pledge_phrase(p))
        || (has("ok") && (has("den") || has("di")));
    match (pledge, decline) {
        (true, false) => Some(AskReply::Pledge),
        (false, true) => Some(AskReply::Decline),
        (false, false) if is_question(input) => Some(AskReply::Question),
        _ => None,
    }
}

/// A question rather than an answer: ends with "?" or is made of question words.
pub fn is_question(input: &str) -> bool {
    if input.trim_end().ends_with('?') {
        return true;
    }
    let f = core(input);
    let words: Vec<&str> = f.split(' ').collect();
    [
        "ai", "gi", "sao", "dau", "nao", "khong ta", "the nao", "la sao", "bao gio", "o dau",
        "who", "what", "why", "where",
    ]
    .iter()
    .any(|q| words.contains(q) || f.ends_with(q))
        && words.len() <= 6
}

/// One to four words that are a number: `hai` → 2, `mười` → 10, `năm mươi` → 50,
/// `hai mươi lăm` → 25, `một trăm` → 100. Folded input.
pub fn number_words(folded: &str) -> Option<u64> {
    let digit = |w: &str| -> Option<u64> {
        Some(match w {
            "khong" => 0,
            "mot" => 1,
            "hai" => 2,
            "ba" => 3,
            "bon" | "tu" => 4,
            "nam" | "lam" => 5,
            "sau" => 6,
            "bay" => 7,
            "tam" => 8,
            "chin" => 9,
            _ => return None,
        })
    };
    let words: Vec<&str> = folded.split(' ').filter(|w| !w.is_empty()).collect();
    if words.is_empty() || words.len() > 6 {
        return None;
    }
    // English, for the few who answer in it.
    if let [w] = words.as_slice() {
        let en = [
            "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        ];
        if let Some(i) = en.iter().position(|e| e == w) {
            return Some(i as u64);
        }
    }
    // "một trăm hai" alone is colloquially 120 but literally 102: ask again.
    if words.len() >= 2
        && words[words.len() - 2] == "tram"
        && digit(words[words.len() - 1]).is_some()
    {
        return None;
    }
    let (mut total, mut hundreds, mut below) = (0u64, 0u64, 0u64);
    let mut after_ten = false;
    for w in &words {
        match *w {
            "muoi" | "chuc" => {
                // "mười" alone is 10; "hai mươi" is 2 × 10.
                below = match below {
                    0 => 10,
                    1..=9 => below * 10,
                    _ => return None,
                };
                after_ten = true;
            }
            "tram" => {
                if hundreds > 0 || below > 9 {
                    return None;
                }
                hundreds = below.max(1) * 100;
                below = 0;
                after_ten = false;
            }
            "nghin" | "ngan" => {
                total += (hundreds + below).max(1) * 1000;
                (hundreds, below, after_ten) = (0, 0, false);
            }
            "le" | "linh" => {}
            w => {
                let d = digit(w)?;
                // "mười lăm", "hai mươi mốt", "một trăm linh hai".
                if after_ten && below % 10 == 0 {
                    below += d;
                } else if below == 0 {
                    below = d;
                } else {
                    return None;
                }
                after_ten = false;
            }
        }
    }
    Some(total + hundreds + below)
}

/// Words said before an amount that change nothing: "khoảng 200", "tầm 62".
const ABOUT: &[&str] = &[
    "khoang", "tam", "chung", "du kien", "around", "about", "approx", "can", "cần", "la", "co",
];

/// Words said after an amount: its unit, of people or of blood.
const AMOUNT_UNITS: &[&str] = &[
    "nguoi",
    "don vi",
    "dv",
    "tui",
    "bich",
    "chai",
    "units",
    "unit",
    "people",
    "ca",
    "suat",
    "luot",
    "nguoi hien",
    "nguoi nhe",
    "cho",
    "mau",
    "don vi mau",
    "tui mau",
    "nguoi hien mau",
];

/// A number of units or people, as typed or from its [`essence`].
pub fn amount(input: &str) -> Option<u64> {
    reread(input, amount_as_typed)
}

/// A whole number above zero as people write it: `2`, `hai`, `2 đơn vị`, `3 người`,
/// `khoảng 200 người`, `1.500`, `mười`. Ranges and vague words ("nhiều") are `None`.
fn amount_as_typed(input: &str) -> Option<u64> {
    let mut f = core(input);
    loop {
        let before = f.clone();
        for p in ABOUT {
            if let Some(rest) = f.strip_prefix(&format!("{p} ")) {
                f = rest.to_string();
            }
        }
        for s in AMOUNT_UNITS {
            if let Some(rest) = f.strip_suffix(&format!(" {s}")) {
                f = rest.to_string();
            } else if let Some(rest) = f.strip_suffix(s) {
                // "2dv", "200nguoi"
                if rest.ends_with(|c: char| c.is_ascii_digit()) {
                    f = rest.to_string();
                }
            }
        }
        if f == before {
            break;
        }
    }
    // Thousands separators, as in "1.500" or "1 500" (folded "1 500").
    let raw = input.trim();
    let digits: String = f.chars().filter(|c| *c != ' ').collect();
    let n = if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
        let grouped = f.contains(' ') || raw.contains('.') || raw.contains(',');
        if grouped && !valid_grouping(&f) {
            return None;
        }
        if digits.len() > 7 {
            return None;
        }
        digits.parse().ok()?
    } else {
        number_words(&f)?
    };
    (n > 0).then_some(n)
}

/// "1 500" (folded from 1.500 / 1,500): groups of three after the first.
fn valid_grouping(f: &str) -> bool {
    let parts: Vec<&str> = f.split(' ').collect();
    parts.len() == 1
        || (!parts[0].is_empty() && parts[0].len() <= 3 && parts[1..].iter().all(|p| p.len() == 3))
}

/// A part of the day, which moves an hour to the afternoon or evening.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayPart {
    Morning,
    Noon,
    Afternoon,
    Evening,
    Night,
}

impl DayPart {
    pub fn from_word(w: &str) -> Option<DayPart> {
        Some(match w {
            "sang" | "am" | "morning" => DayPart::Morning,
            "trua" | "noon" => DayPart::Noon,
            "chieu" | "pm" | "afternoon" => DayPart::Afternoon,
            "toi" | "evening" => DayPart::Evening,
            "dem" | "khuya" | "night" => DayPart::Night,
            _ => return None,
        })
    }

    /// The hour meant when a part of the day is said without one ("chiều mai").
    pub fn default_time(self) -> NaiveTime {
        let h = match self {
            DayPart::Morning => 9,
            DayPart::Noon => 12,
            DayPart::Afternoon => 17,
            DayPart::Evening => 20,
            DayPart::Night => 22,
        };
        NaiveTime::from_hms_opt(h, 0, 0).unwrap_or(NaiveTime::MIN)
    }

    /// `2` in the afternoon is 14:00; `10` at night is 22:00, `2` at night stays 02:00.
    fn adjust(self, h: u32) -> Option<u32> {
        match self {
            DayPart::Morning => (h <= 12).then_some(h % 12),
            DayPart::Noon => match h {
                11 | 12 => Some(h),
                1..=2 => Some(h + 12),
                _ => None,
            },
            DayPart::Afternoon => match h {
                1..=11 => Some(h + 12),
                12..=18 => Some(h),
                _ => None,
            },
            DayPart::Evening => match h {
                5..=11 => Some(h + 12),
                17..=23 => Some(h),
                _ => None,
            },
            DayPart::Night => match h {
                8..=11 => Some(h + 12),
                0..=4 | 20..=23 => Some(h),
                12 => Some(0),
                _ => None,
            },
        }
    }
}

/// A time of day, as typed or from its [`essence`].
pub fn time_of_day(input: &str) -> Option<NaiveTime> {
    reread(input, time_of_day_as_typed)
}

/// A time of day: `9h`, `9:00`, `9 giờ`, `7h30`, `7g30`, `7 rưỡi`, `2h chiều`, `14h`,
/// `9 giờ 15 phút`, `19`. `25h` and `7h75` are `None`.
fn time_of_day_as_typed(input: &str) -> Option<NaiveTime> {
    let (t, part) = split_time(input)?;
    let t = t?;
    match part {
        None => Some(t),
        Some(p) => {
            use chrono::Timelike;
            let h = p.adjust(t.hour())?;
            NaiveTime::from_hms_opt(h, t.minute(), 0)
        }
    }
}

/// The clock part and the part of the day of a time as typed; the clock part is `None`
/// when only a part of the day was said. `None` when anything else is there.
pub fn split_time(input: &str) -> Option<(Option<NaiveTime>, Option<DayPart>)> {
    // Not folded first: fold would turn "7:30" into "7 30".
    let lower = input.trim().to_lowercase();
    let mut part = None;
    let mut clock = String::new();
    for raw in lower.split_whitespace() {
        let w = fold(raw);
        if let Some(p) = DayPart::from_word(&w) {
            if part.replace(p).is_some() {
                return None;
            }
            continue;
        }
        match w.as_str() {
            "luc" | "vao" | "khoang" | "tam" | "at" | "nay" => continue,
            _ => {}
        }
        clock.push_str(&fold_keep_colon(raw));
        clock.push(' ');
    }
    let clock = clock.trim();
    if clock.is_empty() {
        return part.map(|p| (None, Some(p)));
    }
    Some((Some(clock_time(clock)?), part))
}

/// Fold one word but keep `:` (for `7:30`).
fn fold_keep_colon(w: &str) -> String {
    w.split(':').map(fold).collect::<Vec<_>>().join(":")
}

/// `9h`, `9 gio`, `9:00`, `7h30`, `7g30`, `7 ruoi`, `9 gio 15 phut`, `19`.
fn clock_time(c: &str) -> Option<NaiveTime> {
    let mut s = c.replace(' ', "");
    for (from, to) in [("tieng", "h"), ("gio", "h"), ("phut", ""), ("kem", "-")] {
        s = s.replace(from, to);
    }
    // "7 rưỡi", "7h rưỡi": half past.
    if let Some(h) = s.strip_suffix("ruoi") {
        s = format!("{}h30", h.trim_end_matches('h'));
    }
    let s = s.trim_end_matches('p').trim_end_matches('m').to_string();
    if s.contains('-') {
        return None;
    }
    let (h, m) = match s.split_once([':', 'h', 'g']) {
        Some((h, m)) => (h, if m.is_empty() { "0" } else { m }),
        None => (s.as_str(), "0"),
    };
    if h.is_empty()
        || h.len() > 2
        || m.len() > 2
        || !h.chars().all(|c| c.is_ascii_digit())
        || !m.chars().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    NaiveTime::from_hms_opt(h.parse().ok()?, m.parse().ok()?, 0)
}

#[cfg(test)]
mod tests {

    /// What carries no meaning goes; what carries one stays, and nothing is added.
    #[test]
    fn the_essence_of_an_answer_drops_particles_notes_emoji_labels_and_spells_teen_code_out() {
        for (typed, essence_of_it) in [
            ("1/1/2000 ạ", "1/1/2000"),
            ("O+ (đã xét nghiệm năm 2022)", "O+"),
            ("15/8/2003 (dương lịch)", "15/8/2003"),
            ("58kg nha 😊", "58kg"),
            ("k bít", "không biết"),
            ("ko bit", "không biết"),
            ("khum biết ạ", "không biết"),
            ("hem nhớ", "không nhớ"),
            ("sn 12/5/1998", "12/5/1998"),
            ("sn: 12/05/1998", "12/05/1998"),
            ("mình sinh 25/12/1985", "25/12/1985"),
            ("nhóm máu A+ ạ", "A+"),
            ("nhóm máu A a", "A a"),
            ("mới hiến tháng trước", "tháng trước"),
            ("khung 7h30", "7h30"),
            ("thủ đô Hà Nội", "Hà Nội"),
            ("dạ em đi", "em đi"),
            ("2 nha", "2"),
            ("1 người thôi", "1 người"),
            ("là nam", "nam"),
            // Nothing left to take away: the answer as typed.
            ("😊", "😊"),
            ("ạ", "ạ"),
            ("", ""),
            // "hong" may be "hồng" (hồng cầu): not written out.
            ("hong cau", "hong cau"),
        ] {
            assert_eq!(essence(typed), essence_of_it, "{typed:?}");
        }
    }

    #[test]
    fn an_answer_is_read_as_typed_first_and_its_essence_only_when_that_fails() {
        // As typed: "thôi" is a no, and stays one.
        assert_eq!(yes_no("thôi"), Some(false));
        assert_eq!(yes_no("có (mình đã đọc kỹ)"), Some(true));
        assert_eq!(yes_no("thôi không cần"), Some(false));
        assert_eq!(yes_no("để sau"), None);
        assert_eq!(ask_reply("1 ạ"), Some(AskReply::Pledge));
        assert_eq!(ask_reply("2 nha"), Some(AskReply::Decline));
        assert_eq!(ask_reply("em nhận"), Some(AskReply::Pledge));
        assert_eq!(ask_reply("nhận lời"), Some(AskReply::Pledge));
        assert_eq!(ask_reply("có mặt ngay"), Some(AskReply::Pledge));
        assert_eq!(ask_reply("ok để em qua"), Some(AskReply::Pledge));
        // "không" before the verb still wins.
        assert_eq!(ask_reply("em không qua được"), Some(AskReply::Decline));
        assert_eq!(ask_reply("để em hỏi vợ đã"), None);
        assert_eq!(amount("1 người thôi"), Some(1));
        assert_eq!(time_of_day("khung 7h30"), NaiveTime::from_hms_opt(7, 30, 0));
        assert_eq!(time_of_day("9h nhé"), NaiveTime::from_hms_opt(9, 0, 0));
        // Still nothing from nothing.
        assert_eq!(amount("vài người"), None);
        assert_eq!(time_of_day("30h"), None);
    }

    use super::*;

    fn hm(h: u32, m: u32) -> Option<NaiveTime> {
        NaiveTime::from_hms_opt(h, m, 0)
    }

    #[test]
    fn yes_and_no_as_people_say_them() {
        for y in [
            "Đồng ý",
            "dong y",
            "đồng ý ạ",
            "ok",
            "oke",
            "vâng ạ",
            "ừ",
            "đúng rồi",
            "👍",
        ] {
            assert_eq!(yes_no(y), Some(true), "{y}");
        }
        for n in [
            "không",
            "ko",
            "k",
            "không đồng ý",
            "thôi",
            "không được",
            "No",
        ] {
            assert_eq!(yes_no(n), Some(false), "{n}");
        }
        // "ừm" is as often a hesitation as a yes: consent is never read into it.
        for q in [
            "để sau",
            "sao cũng được",
            "",
            "???",
            "có lẽ không",
            "a",
            "ừm",
        ] {
            assert_eq!(yes_no(q), None, "{q}");
        }
    }

    #[test]
    fn answers_to_an_urgent_ask() {
        use AskReply::*;
        for (t, want) in [
            ("Tôi đến được", Some(Pledge)),
            ("ok em đến ngay", Some(Pledge)),
            ("em đi được", Some(Pledge)),
            ("Lần này không được", Some(Decline)),
            ("khong duoc roi, em dang di cong tac", Some(Decline)),
            ("em mới hiến tuần trước", Some(Decline)),
            ("ai vậy?", Some(Question)),
            ("bệnh viện nào", Some(Question)),
            ("hôm nay trời đẹp", None),
            // Both at once is no answer.
            ("em đến được nhưng không chắc", None),
        ] {
            assert_eq!(ask_reply(t), want, "{t}");
        }
    }

    #[test]
    fn numbers_in_words() {
        for (t, n) in [
            ("hai", 2),
            ("muoi", 10),
            ("muoi lam", 15),
            ("nam muoi", 50),
            ("hai muoi mot", 21),
            ("mot tram", 100),
            ("mot tram hai muoi", 120),
            ("hai nghin", 2000),
        ] {
            assert_eq!(number_words(t), Some(n), "{t}");
        }
        for t in ["", "nhieu", "hai ba", "hai x"] {
            assert_eq!(number_words(t), None, "{t}");
        }
    }

    #[test]
    fn amounts_with_their_units() {
        for (t, n) in [
            ("2", 2),
            ("hai", 2),
            ("2 đơn vị", 2),
            ("2 đơn vị máu", 2),
            ("2 túi", 2),
            ("3 người", 3),
            ("khoảng 200 người", 200),
            ("mười", 10),
            ("1.500", 1500),
            ("1 500", 1500),
        ] {
            assert_eq!(amount(t), Some(n), "{t}");
        }
        for t in ["0", "nhiều", "-3", "2-3", "12.34", "99999999", "abc", ""] {
            assert_eq!(amount(t), None, "{t}");
        }
    }

    #[test]
    fn times_of_day() {
        for (t, want) in [
            ("9h", hm(9, 0)),
            ("9:00", hm(9, 0)),
            ("9 giờ", hm(9, 0)),
            ("7h30", hm(7, 30)),
            ("7g30", hm(7, 30)),
            ("7 rưỡi", hm(7, 30)),
            ("7h rưỡi", hm(7, 30)),
            ("2h chiều", hm(14, 0)),
            ("14h", hm(14, 0)),
            ("8 giờ tối", hm(20, 0)),
            ("10h đêm", hm(22, 0)),
            ("9 giờ 15 phút", hm(9, 15)),
            ("19", hm(19, 0)),
            ("12h trưa", hm(12, 0)),
        ] {
            assert_eq!(time_of_day(t), want, "{t}");
        }
        for t in [
            "25h",
            "7h75",
            "chiều",
            "",
            "abc",
            "9h kém 15",
            "20h chiều",
            "-1h",
        ] {
            assert_eq!(time_of_day(t), None, "{t}");
        }
    }
}
