//! The 34 provinces and centrally-run cities in force since 1 July 2025
//! (Resolution 202/2025/QH15), with the 29 former provinces each one absorbed, so a donor who
//! still says "Bình Dương" is placed in TP Hồ Chí Minh and told so.
//!
//! Matching folds case and diacritics, drops "tỉnh"/"thành phố"/"TP", knows common short names
//! (`HN`, `TP HCM`, `Sài Gòn`), forgives one typo, and answers `Many` when the text fits more
//! than one place (`ĐN` is Đà Nẵng or Đồng Nai): the conversation then asks which.

use crate::domain::text::{edit_distance_within, fold};
use std::fmt;

struct Unit {
    code: &'static str,
    name: &'static str,
    aliases: &'static [&'static str],
    /// Former provinces merged into this one (names as they were).
    absorbed: &'static [&'static str],
}

const UNITS: &[Unit] = &[
    Unit {
        code: "ha-noi",
        name: "Hà Nội",
        aliases: &["hn", "hanoi", "thu do"],
        absorbed: &[],
    },
    Unit {
        code: "hue",
        name: "Huế",
        aliases: &["thua thien hue", "tt hue"],
        absorbed: &[],
    },
    Unit {
        code: "lai-chau",
        name: "Lai Châu",
        aliases: &[],
        absorbed: &[],
    },
    Unit {
        code: "dien-bien",
        name: "Điện Biên",
        aliases: &[],
        absorbed: &[],
    },
    Unit {
        code: "son-la",
        name: "Sơn La",
        aliases: &[],
        absorbed: &[],
    },
    Unit {
        code: "lang-son",
        name: "Lạng Sơn",
        aliases: &[],
        absorbed: &[],
    },
    Unit {
        code: "quang-ninh",
        name: "Quảng Ninh",
        aliases: &["ha long"],
        absorbed: &[],
    },
    Unit {
        code: "thanh-hoa",
        name: "Thanh Hóa",
        aliases: &[],
        absorbed: &[],
    },
    Unit {
        code: "nghe-an",
        name: "Nghệ An",
        aliases: &["vinh"],
        absorbed: &[],
    },
    Unit {
        code: "ha-tinh",
        name: "Hà Tĩnh",
        aliases: &[],
        absorbed: &[],
    },
    Unit {
        code: "cao-bang",
        name: "Cao Bằng",
        aliases: &[],
        absorbed: &[],
    },
    Unit {
        code: "tuyen-quang",
        name: "Tuyên Quang",
        aliases: &[],
        absorbed: &["Hà Giang"],
    },
    Unit {
        code: "lao-cai",
        name: "Lào Cai",
        aliases: &["sa pa"],
        absorbed: &["Yên Bái"],
    },
    Unit {
        code: "thai-nguyen",
        name: "Thái Nguyên",
        aliases: &["bac can"],
        absorbed: &["Bắc Kạn"],
    },
    Unit {
        code: "phu-tho",
        name: "Phú Thọ",
        aliases: &["viet tri"],
        absorbed: &["Vĩnh Phúc", "Hòa Bình"],
    },
    Unit {
        code: "bac-ninh",
        name: "Bắc Ninh",
        aliases: &[],
        absorbed: &["Bắc Giang"],
    },
    Unit {
        code: "hung-yen",
        name: "Hưng Yên",
        aliases: &[],
        absorbed: &["Thái Bình"],
    },
    Unit {
        code: "hai-phong",
        name: "Hải Phòng",
        aliases: &["hp"],
        absorbed: &["Hải Dương"],
    },
    Unit {
        code: "ninh-binh",
        name: "Ninh Bình",
        aliases: &[],
        absorbed: &["Hà Nam", "Nam Định"],
    },
    Unit {
        code: "quang-tri",
        name: "Quảng Trị",
        aliases: &[],
        absorbed: &["Quảng Bình"],
    },
    Unit {
        code: "da-nang",
        name: "Đà Nẵng",
        aliases: &["dn", "danang"],
        absorbed: &["Quảng Nam"],
    },
    Unit {
        code: "quang-ngai",
        name: "Quảng Ngãi",
        aliases: &[],
        absorbed: &["Kon Tum"],
    },
    Unit {
        code: "gia-lai",
        name: "Gia Lai",
        aliases: &["pleiku"],
        absorbed: &["Bình Định"],
    },
    Unit {
        code: "khanh-hoa",
        name: "Khánh Hòa",
        aliases: &["nha trang"],
        absorbed: &["Ninh Thuận"],
    },
    Unit {
        code: "lam-dong",
        name: "Lâm Đồng",
        aliases: &["da lat", "dalat"],
        absorbed: &["Đắk Nông", "Bình Thuận"],
    },
    Unit {
        code: "dak-lak",
        name: "Đắk Lắk",
        aliases: &["dac lac", "dak lac", "dac lak", "buon ma thuot"],
        absorbed: &["Phú Yên"],
    },
    Unit {
        code: "dong-nai",
        name: "Đồng Nai",
        aliases: &["dn", "bien hoa"],
        absorbed: &["Bình Phước"],
    },
    Unit {
        code: "ho-chi-minh",
        name: "TP Hồ Chí Minh",
        aliases: &[
            "ho chi minh",
            "hcm",
            "tphcm",
            "hcmc",
            "sai gon",
            "saigon",
            "sg",
            "vung tau",
            "brvt",
            "ba ria",
        ],
        absorbed: &["Bình Dương", "Bà Rịa – Vũng Tàu"],
    },
    Unit {
        code: "tay-ninh",
        name: "Tây Ninh",
        aliases: &[],
        absorbed: &["Long An"],
    },
    Unit {
        code: "can-tho",
        name: "Cần Thơ",
        aliases: &["ct"],
        absorbed: &["Sóc Trăng", "Hậu Giang"],
    },
    Unit {
        code: "vinh-long",
        name: "Vĩnh Long",
        aliases: &[],
        absorbed: &["Bến Tre", "Trà Vinh"],
    },
    Unit {
        code: "dong-thap",
        name: "Đồng Tháp",
        aliases: &[],
        absorbed: &["Tiền Giang"],
    },
    Unit {
        code: "ca-mau",
        name: "Cà Mau",
        aliases: &[],
        absorbed: &["Bạc Liêu"],
    },
    Unit {
        code: "an-giang",
        name: "An Giang",
        aliases: &["phu quoc"],
        absorbed: &["Kiên Giang"],
    },
];

/// One of the 34 current provincial-level units. Always valid: built only from the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Province(u8);

/// Stored and serialised as its code (`"hai-phong"`).
impl serde::Serialize for Province {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> serde::Deserialize<'de> for Province {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Province, D::Error> {
        let code = String::deserialize(d)?;
        Province::from_code(&code)
            .ok_or_else(|| serde::de::Error::custom(format!("no province {code:?}")))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProvinceMatch {
    One {
        province: Province,
        /// Set when the donor named a former province now part of `province`.
        former: Option<&'static str>,
    },
    Many(Vec<Province>),
    None,
}

impl Province {
    pub fn all() -> impl Iterator<Item = Province> {
        (0..UNITS.len() as u8).map(Province)
    }

    pub fn from_code(code: &str) -> Option<Province> {
        UNITS
            .iter()
            .position(|u| u.code == code)
            .map(|i| Province(i as u8))
    }

    pub fn code(self) -> &'static str {
        UNITS[self.0 as usize].code
    }

    /// Its place in the official list of units.
    pub fn index(self) -> usize {
        self.0 as usize
    }

    pub fn name(self) -> &'static str {
        UNITS[self.0 as usize].name
    }

    /// The province meant, as typed or from its
    /// [`essence`](crate::domain::understand::essence).
    pub fn find(input: &str) -> ProvinceMatch {
        match Self::find_as_typed(input) {
            ProvinceMatch::None => {
                let again = crate::domain::understand::essence(input);
                if again == input.trim() {
                    ProvinceMatch::None
                } else {
                    Self::find_as_typed(&again)
                }
            }
            found => found,
        }
    }

    fn find_as_typed(input: &str) -> ProvinceMatch {
        let mut f = fold(input);
        for prefix in ["thanh pho ", "tinh ", "tp ", "t p "] {
            if let Some(rest) = f.strip_prefix(prefix) {
                f = rest.to_string();
            }
        }
        for suffix in [" city", " province"] {
            if let Some(rest) = f.strip_suffix(suffix) {
                f = rest.to_string();
            }
        }
        let q: String = f.chars().filter(|c| *c != ' ').collect();
        if q.is_empty() {
            return ProvinceMatch::None;
        }
        // (unit index, compact key, former name if the key is a former province)
        let keys = UNITS.iter().enumerate().flat_map(|(i, u)| {
            std::iter::once((i, compact(u.name), None))
                .chain(u.aliases.iter().map(move |a| (i, compact(a), None)))
                .chain(u.absorbed.iter().map(move |a| (i, compact(a), Some(*a))))
        });
        let keys: Vec<(usize, String, Option<&'static str>)> = keys.collect();

        let exact: Vec<_> = keys.iter().filter(|(_, k, _)| *k == q).collect();
        if let Some(m) = decide(&exact) {
            return m;
        }
        if q.chars().count() >= 2 {
            let prefix: Vec<_> = keys.iter().filter(|(_, k, _)| k.starts_with(&q)).collect();
            match decide(&prefix) {
                // A beginning shorter than four letters may be a word of its own ("Lào",
                // the country, is not Lào Cai): the one name it begins is offered, not
                // taken.
                Some(ProvinceMatch::One { province, .. }) if q.chars().count() < 4 => {
                    return ProvinceMatch::Many(vec![province]);
                }
                Some(m) => return m,
                None => {}
            }
        }
        let len = q.chars().count();
        if len >= 4 {
            let max = if len >= 8 { 2 } else { 1 };
            let near: Vec<_> = keys
                .iter()
                .filter(|(_, k, _)| edit_distance_within(k, &q, max).is_some())
                .collect();
            if let Some(m) = decide(&near) {
                return m;
            }
        }
        ProvinceMatch::None
    }
}

fn compact(s: &str) -> String {
    fold(s).chars().filter(|c| *c != ' ').collect()
}

fn decide(hits: &[&(usize, String, Option<&'static str>)]) -> Option<ProvinceMatch> {
    let mut units: Vec<usize> = hits.iter().map(|(i, _, _)| *i).collect();
    units.sort_unstable();
    units.dedup();
    match units.as_slice() {
        [] => None,
        [one] => {
            // A former name counts only when the unit's own name or alias did not also match.
            let own = hits.iter().any(|(_, _, former)| former.is_none());
            let former = if own {
                None
            } else {
                hits.iter().find_map(|(_, _, f)| *f)
            };
            Some(ProvinceMatch::One {
                province: Province(*one as u8),
                former,
            })
        }
        many => Some(ProvinceMatch::Many(
            many.iter().map(|i| Province(*i as u8)).collect(),
        )),
    }
}

impl fmt::Display for Province {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(s: &str) -> (&'static str, Option<&'static str>) {
        match Province::find(s) {
            ProvinceMatch::One { province, former } => (province.code(), former),
            other => panic!("{s}: {other:?}"),
        }
    }

    fn many(s: &str) -> Vec<&'static str> {
        match Province::find(s) {
            ProvinceMatch::Many(v) => v.into_iter().map(|p| p.code()).collect(),
            other => panic!("{s}: {other:?}"),
        }
    }

    #[test]
    fn there_are_34_units_with_unique_codes() {
        assert_eq!(Province::all().count(), 34);
        let mut codes: Vec<_> = Province::all().map(|p| p.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), 34);
        let absorbed: usize = UNITS.iter().map(|u| u.absorbed.len()).sum();
        assert_eq!(34 + absorbed, 63, "the 63 former provinces are all known");
        for p in Province::all() {
            assert_eq!(Province::from_code(p.code()), Some(p));
            assert_eq!(one(p.name()).0, p.code(), "its own name finds {}", p.name());
        }
    }

    #[test]
    fn tolerant_of_case_diacritics_and_common_names() {
        assert_eq!(one("ha noi").0, "ha-noi");
        assert_eq!(one("HÀ NỘI").0, "ha-noi");
        assert_eq!(one("Thành phố Hà Nội").0, "ha-noi");
        assert_eq!(one("TP HCM").0, "ho-chi-minh");
        assert_eq!(one("tp.hcm").0, "ho-chi-minh");
        assert_eq!(one("Sài Gòn").0, "ho-chi-minh");
        assert_eq!(one("hai phong").0, "hai-phong");
        assert_eq!(one("Tỉnh Đắk Lắk").0, "dak-lak");
        assert_eq!(one("daklak").0, "dak-lak");
        assert_eq!(one("Thừa Thiên Huế").0, "hue");
        assert_eq!(one("hanoii").0, "ha-noi", "one typo");
        assert_eq!(one("Khanh Hoa").0, "khanh-hoa");
        assert_eq!(one("Thanh Hoá").0, "thanh-hoa");
    }

    #[test]
    fn former_provinces_lead_to_the_current_one() {
        assert_eq!(one("Bình Dương"), ("ho-chi-minh", Some("Bình Dương")));
        assert_eq!(one("hai duong"), ("hai-phong", Some("Hải Dương")));
        assert_eq!(one("Kon Tum"), ("quang-ngai", Some("Kon Tum")));
        assert_eq!(one("vung tau"), ("ho-chi-minh", None));
    }

    #[test]
    fn ambiguous_text_offers_the_candidates() {
        // A short beginning of one name is offered, not taken: "Lào" is also a country.
        assert_eq!(many("Lào"), vec!["lao-cai"]);
        assert_eq!(one("Lào Cai").0, "lao-cai");
        assert_eq!(one("lao ca").0, "lao-cai");
        assert_eq!(many("ĐN"), vec!["da-nang", "dong-nai"]);
        assert_eq!(
            many("Hà"),
            vec![
                "ha-noi",
                "quang-ninh",
                "ha-tinh",
                "tuyen-quang",
                "hai-phong",
                "ninh-binh",
                "can-tho" // Hậu Giang
            ]
        );
        assert_eq!(
            many("quang"),
            vec!["quang-ninh", "quang-tri", "da-nang", "quang-ngai"]
        );
    }

    #[test]
    fn nonsense_matches_nothing() {
        for s in ["", "   ", "xyz", "Paris", "12345", "a"] {
            assert_eq!(Province::find(s), ProvinceMatch::None, "{s}");
        }
    }
}
