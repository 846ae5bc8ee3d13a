//! A donor's profile as the conversation fills it, one answer at a time. Every field is
//! optional until answered, so what was given is saved at once and survives a restart; the
//! next question follows from what is still missing ([`Donor::pending`]).

use crate::domain::blood::BloodGroup;
use crate::domain::body::{Sex, WeightKg};
use crate::domain::eligibility::{AgeCheck, DonationKind, LastDonation, Rules};
use crate::domain::phone::PhoneNumber;
use crate::domain::province::Province;
use crate::domain::text::tidy;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The answer about the last donation, which takes two questions (what, then when).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LastDonationAnswer {
    Never,
    /// What was given is known; the date is still to be asked.
    KindOnly(DonationKind),
    Given {
        kind: DonationKind,
        date: NaiveDate,
    },
    /// Given before, but the donor does not remember when ("không nhớ").
    DateForgotten(DonationKind),
}

impl LastDonationAnswer {
    pub fn complete(self) -> Option<LastDonation> {
        match self {
            LastDonationAnswer::Never => Some(LastDonation::Never),
            LastDonationAnswer::KindOnly(_) | LastDonationAnswer::DateForgotten(_) => None,
            LastDonationAnswer::Given { kind, date } => Some(LastDonation::Given { kind, date }),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Donor {
    pub name: Option<String>,
    pub phone: Option<PhoneNumber>,
    /// The phone came from the platform's own contact sharing, checked to be the user's.
    pub phone_verified: bool,
    pub birth_date: Option<NaiveDate>,
    pub sex: Option<Sex>,
    pub weight: Option<WeightKg>,
    pub blood_group: Option<BloodGroup>,
    pub province: Option<Province>,
    /// `Some("")` when the donor chose to skip it.
    pub commune: Option<String>,
    pub last_donation: Option<LastDonationAnswer>,
    /// The last donation's date was given as a month (kept as its last day).
    pub last_donation_month: bool,
    /// Outside the donor age range, chose to stay in touch without donating.
    pub supporter: bool,
    /// Unix ms when the donor confirmed the summary.
    pub registered_at: Option<i64>,
    pub paused: bool,
    /// May urgent call-outs reach them at night? `None`: not asked yet (treated as no).
    pub night_alerts: Option<bool>,
    /// Turned urgent call-outs off (/settings).
    pub urgent_off: bool,
    /// A self-declared deferral: not asked to give before this day.
    pub deferred_until: Option<NaiveDate>,
    /// Unix ms and version of the consent text agreed to.
    pub consent_at: i64,
    pub consent_version: String,
    /// Asked once to agree to a newer consent text (whatever the answer).
    pub renewal_asked: bool,
    /// The name of the school or workplace (a unit of the year plan) they said they belong
    /// to; set by its own question (`/unit`), never by saving the profile.
    pub unit: Option<String>,
    /// The code of the family they joined (`/giadinh`), if any; set by its own requests.
    pub family: Option<String>,
}

/// One question of the registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Field {
    Name,
    Phone,
    BirthDate,
    Sex,
    Weight,
    BloodGroup,
    Province,
    Commune,
    LastDonationKind,
    LastDonationDate,
    /// May an urgent call-out wake them at night?
    NightAlerts,
}

/// What the registration needs next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pending {
    Ask(Field),
    /// The birth date puts the person outside the donor ages: donate later, or stay in
    /// touch as a supporter?
    AgeDecision,
    Complete,
}

impl Donor {
    pub fn pending(&self, rules: &Rules, today: NaiveDate) -> Pending {
        use Field::*;
        if self.name.is_none() {
            return Pending::Ask(Name);
        }
        if self.phone.is_none() {
            return Pending::Ask(Phone);
        }
        let Some(birth) = self.birth_date else {
            return Pending::Ask(BirthDate);
        };
        if !self.supporter && rules.check_age(birth, today) != AgeCheck::InRange {
            return Pending::AgeDecision;
        }
        if !self.supporter {
            if self.sex.is_none() {
                return Pending::Ask(Sex);
            }
            if self.weight.is_none() {
                return Pending::Ask(Weight);
            }
            if self.blood_group.is_none() {
                return Pending::Ask(BloodGroup);
            }
        }
        if self.province.is_none() {
            return Pending::Ask(Province);
        }
        if self.commune.is_none() {
            return Pending::Ask(Commune);
        }
        if !self.supporter {
            match self.last_donation {
                None => return Pending::Ask(LastDonationKind),
                Some(LastDonationAnswer::KindOnly(_)) => return Pending::Ask(LastDonationDate),
                Some(_) => {}
            }
            if self.night_alerts.is_none() {
                return Pending::Ask(NightAlerts);
            }
        }
        Pending::Complete
    }

    /// Fields a donor may edit: supporters are not asked the medical ones.
    pub fn editable_fields(&self) -> Vec<Field> {
        use Field::*;
        if self.supporter {
            vec![Name, Phone, BirthDate, Province, Commune]
        } else {
            vec![
                Name,
                Phone,
                BirthDate,
                Sex,
                Weight,
                BloodGroup,
                Province,
                Commune,
                LastDonationKind,
                NightAlerts,
            ]
        }
    }
}

/// What a donor says they gave last, in their own words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LastKind {
    Never,
    Given(DonationKind),
}

impl LastKind {
    /// The value of its button: the kind's code, or `never`.
    pub fn value(self) -> &'static str {
        match self {
            LastKind::Never => "never",
            LastKind::Given(kind) => kind.code(),
        }
    }

    /// The answer whose button value this is.
    pub fn from_value(value: &str) -> Option<LastKind> {
        match value {
            "never" => Some(LastKind::Never),
            code => DonationKind::from_code(code).map(LastKind::Given),
        }
    }
}

/// What the last donation was, as typed or from its
/// [`essence`](crate::domain::understand::essence).
pub fn parse_last_kind(input: &str) -> Option<LastKind> {
    crate::domain::understand::reread(input, parse_last_kind_as_typed)
}

/// "Máu toàn phần", "hiến máu bình thường", "khối hồng cầu", "tiểu cầu", "huyết tương",
/// "chưa hiến lần nào", "lần đầu", "chưa".
fn parse_last_kind_as_typed(input: &str) -> Option<LastKind> {
    let f = crate::domain::text::fold(input);
    let mut words: Vec<&str> = f.split(' ').filter(|w| !w.is_empty()).collect();
    while words.len() > 1 && matches!(words.last(), Some(&("a" | "nhe" | "nha" | "roi"))) {
        words.pop();
    }
    let f = words.join(" ");
    let padded = format!(" {f} ");
    let has = |p: &str| padded.contains(&format!(" {p} "));
    // Never given: "chưa", "chưa bao giờ hiến", "lần đầu", "chưa hiến máu lần nào".
    let never = matches!(words.first(), Some(&("chua" | "never")))
        || has("lan dau")
        || has("first time")
        || matches!(f.as_str(), "khong" | "ko" | "no" | "khong co" | "chua co");
    if never {
        // "chưa" with a kind is not a clear answer ("chưa hiến tiểu cầu").
        let names_kind = has("tieu cau") || has("huyet tuong") || has("toan phan");
        return (!names_kind).then_some(LastKind::Never);
    }
    let kinds: Vec<DonationKind> = [
        (
            DonationKind::Platelets,
            &["tieu cau", "platelets", "platelet"][..],
        ),
        (DonationKind::Plasma, &["huyet tuong", "plasma"][..]),
        (
            DonationKind::WholeBlood,
            &[
                "toan phan",
                "hong cau",
                "whole",
                "whole blood",
                "blood",
                "red cells",
                "mau",
                "hien mau",
                "binh thuong",
            ][..],
        ),
    ]
    .iter()
    .filter(|(_, w)| w.iter().any(|p| has(p)))
    .map(|(k, _)| *k)
    .collect();
    match kinds.as_slice() {
        [k] => Some(LastKind::Given(*k)),
        // "máu tiểu cầu", "hiến tiểu cầu": the component named wins over "máu".
        [k, DonationKind::WholeBlood] if !has("toan phan") && !has("hong cau") => {
            Some(LastKind::Given(*k))
        }
        _ => None,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not a name")]
pub struct NameError;

/// A full name: 2–80 characters, letters with spaces, hyphens, apostrophes or dots, no digits.
pub fn parse_name(input: &str) -> Result<String, NameError> {
    let name = tidy(input);
    let len = name.chars().count();
    if !(2..=80).contains(&len) || !name.chars().any(char::is_alphabetic) {
        return Err(NameError);
    }
    let ok = name.chars().all(|c| {
        c.is_alphabetic()
            || unicode_normalization::char::is_combining_mark(c)
            || matches!(c, ' ' | '-' | '\'' | '’' | '.')
    });
    if ok { Ok(name) } else { Err(NameError) }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not a commune or ward")]
pub struct CommuneError;

/// A commune or ward as free text (there are 3,321 and old records still name districts).
pub fn parse_commune(input: &str) -> Result<String, CommuneError> {
    let c = tidy(input);
    let len = c.chars().count();
    if (2..=100).contains(&len) && c.chars().any(char::is_alphanumeric) && !c.starts_with('/') {
        Ok(c)
    } else {
        Err(CommuneError)
    }
}

/// The blood groups a committee counts by, in the heat table's order; donors whose group
/// is unknown, or known by one half only, make a last column of their own.
pub const MAP_GROUPS: [&str; 8] = ["O+", "A+", "B+", "AB+", "O-", "A-", "B-", "AB-"];

/// Registered donors of one blood group (its code) in one province, and how many of them
/// are in a reserve club.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapCell {
    pub province: Option<Province>,
    pub group: String,
    pub donors: i64,
    pub reserve: i64,
}

/// One province's line of the heat table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapRow {
    /// `None`: donors who did not give their province.
    pub province: Option<Province>,
    /// Donors per [`MAP_GROUPS`] column, then those of a group not fully known.
    pub donors: [i64; 9],
    /// Reserve-club members per column.
    pub reserve: [i64; 9],
}

impl MapRow {
    pub fn total(&self) -> i64 {
        self.donors.iter().sum()
    }
}

/// Registered donors by province and blood group (the dashboard's donors page).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DonorMap {
    pub cells: Vec<MapCell>,
}

impl DonorMap {
    /// The column of a stored group code.
    pub fn column(group: &str) -> usize {
        MAP_GROUPS.iter().position(|g| *g == group).unwrap_or(8)
    }

    /// One row per province with donors, in the official order of the units, then the
    /// donors without a province; and the whole register's row.
    pub fn rows(&self) -> (Vec<MapRow>, MapRow) {
        let mut rows: Vec<MapRow> = Vec::new();
        let mut total = MapRow {
            province: None,
            donors: [0; 9],
            reserve: [0; 9],
        };
        for c in &self.cells {
            let i = match rows.iter().position(|r| r.province == c.province) {
                Some(i) => i,
                None => {
                    rows.push(MapRow {
                        province: c.province,
                        donors: [0; 9],
                        reserve: [0; 9],
                    });
                    rows.len() - 1
                }
            };
            let col = Self::column(&c.group);
            rows[i].donors[col] += c.donors;
            rows[i].reserve[col] += c.reserve;
            total.donors[col] += c.donors;
            total.reserve[col] += c.reserve;
        }
        rows.sort_by_key(|r| r.province.map_or(u16::MAX, |p| p.index() as u16));
        (rows, total)
    }
}

/// A donor as a coordinator looks them up by phone (audited): what they gave, their clubs.
#[derive(Debug, Clone, PartialEq)]
pub struct DonorCard {
    pub id: i64,
    pub donor: Donor,
    /// The latest donations on record, newest first.
    pub donations: Vec<(NaiveDate, DonationKind)>,
    /// Donations on record: verified, all.
    pub counted: (i64, i64),
    pub clubs: Vec<String>,
}

// A donor's weight is a validated number (never NaN), so equality is total.
impl Eq for DonorCard {}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn names() {
        assert_eq!(
            parse_name("  nguyễn   văn  an "),
            Ok("nguyễn văn an".into())
        );
        assert_eq!(parse_name("Hồ Thị Thu-Hà"), Ok("Hồ Thị Thu-Hà".into()));
        assert_eq!(parse_name("Y Moan Niê"), Ok("Y Moan Niê".into()));
        for bad in [
            "",
            " ",
            "A",
            "123",
            "An 2",
            "an@x.vn",
            "😀😀",
            &"a".repeat(81),
        ] {
            assert_eq!(parse_name(bad), Err(NameError), "{bad}");
        }
    }

    #[test]
    fn communes() {
        assert_eq!(
            parse_commune(" Phường  Lê Chân "),
            Ok("Phường Lê Chân".into())
        );
        assert_eq!(parse_commune("Xã 7"), Ok("Xã 7".into()));
        for bad in ["", "x", "--", "/edit", &"x".repeat(101)] {
            assert_eq!(parse_commune(bad), Err(CommuneError), "{bad}");
        }
    }

    #[test]
    fn pending_follows_the_missing_answers() {
        let rules = Rules::default();
        let today = d(2026, 11, 22);
        let mut donor = Donor::default();
        assert_eq!(donor.pending(&rules, today), Pending::Ask(Field::Name));
        donor.name = Some("An".into());
        donor.phone = PhoneNumber::parse("0912345678").ok();
        assert_eq!(donor.pending(&rules, today), Pending::Ask(Field::BirthDate));
        donor.birth_date = Some(d(2010, 1, 1));
        assert_eq!(donor.pending(&rules, today), Pending::AgeDecision);
        donor.supporter = true;
        assert_eq!(donor.pending(&rules, today), Pending::Ask(Field::Province));
        donor.supporter = false;
        donor.birth_date = Some(d(1990, 1, 1));
        assert_eq!(donor.pending(&rules, today), Pending::Ask(Field::Sex));
        donor.sex = Some(Sex::Female);
        donor.weight = WeightKg::parse("50").ok();
        donor.blood_group = Some(BloodGroup::UNKNOWN);
        donor.province = Province::from_code("hai-phong");
        donor.commune = Some(String::new());
        assert_eq!(
            donor.pending(&rules, today),
            Pending::Ask(Field::LastDonationKind)
        );
        donor.last_donation = Some(LastDonationAnswer::KindOnly(DonationKind::Plasma));
        assert_eq!(
            donor.pending(&rules, today),
            Pending::Ask(Field::LastDonationDate)
        );
        donor.last_donation = Some(LastDonationAnswer::Never);
        assert_eq!(
            donor.pending(&rules, today),
            Pending::Ask(Field::NightAlerts)
        );
        donor.night_alerts = Some(false);
        assert_eq!(donor.pending(&rules, today), Pending::Complete);
    }

    #[test]
    fn the_heat_table_adds_up_by_province_in_the_official_order() {
        let hp = Province::from_code("hai-phong").unwrap();
        let hn = Province::from_code("ha-noi").unwrap();
        let cell = |province, group: &str, donors, reserve| MapCell {
            province,
            group: group.to_string(),
            donors,
            reserve,
        };
        let map = DonorMap {
            cells: vec![
                cell(Some(hp), "O-", 3, 2),
                cell(None, "A+", 1, 0),
                cell(Some(hp), "O+", 40, 1),
                cell(Some(hn), "AB-", 1, 0),
                // Known by one half only, or not at all: the last column.
                cell(Some(hp), "O?", 5, 0),
                cell(Some(hp), "?", 2, 0),
            ],
        };
        let (rows, total) = map.rows();
        let order: Vec<Option<Province>> = rows.iter().map(|r| r.province).collect();
        assert_eq!(order, vec![Some(hn), Some(hp), None]);
        assert!(hn.index() < hp.index());
        let hp_row = &rows[1];
        assert_eq!(hp_row.donors, [40, 0, 0, 0, 3, 0, 0, 0, 7]);
        assert_eq!(hp_row.reserve, [1, 0, 0, 0, 2, 0, 0, 0, 0]);
        assert_eq!(hp_row.total(), 50);
        assert_eq!(total.total(), 52);
        assert_eq!(total.donors[7], 1);
        assert_eq!(DonorMap::column("B-"), 6);
        assert_eq!(DonorMap::column("nonsense"), 8);
        assert_eq!(DonorMap::default().rows().0, Vec::new());
    }
}
