//! Where a staff role holds (issue 33): the whole country, or some provinces. A deployment
//! may serve several provinces; a coordinator of Hải Phòng sees and changes Hải Phòng's
//! donors, drives, campaigns and call-outs, never Quảng Ninh's. The store filters its lists
//! by a scope in its queries ([`Scope::provinces`]); the permission table checks the
//! province of what a request touches with [`Scope::covers`].

use crate::domain::province::Province;

/// A set of provinces, or the whole country. `Copy`: one bit per province (34 units).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Scope {
    nation: bool,
    provinces: u64,
}

impl Scope {
    /// Nowhere: what a person without a staff role holds.
    pub const NONE: Scope = Scope {
        nation: false,
        provinces: 0,
    };
    /// The whole country.
    pub const NATION: Scope = Scope {
        nation: true,
        provinces: 0,
    };

    pub fn province(p: Province) -> Scope {
        Scope {
            nation: false,
            provinces: 1 << p.index(),
        }
    }

    /// A grant as stored: `None` the whole country.
    pub fn of_grant(province: Option<Province>) -> Scope {
        province.map_or(Scope::NATION, Scope::province)
    }

    /// Both scopes together.
    pub fn join(self, other: Scope) -> Scope {
        Scope {
            nation: self.nation || other.nation,
            provinces: self.provinces | other.provinces,
        }
    }

    pub fn is_nation(self) -> bool {
        self.nation
    }

    pub fn is_empty(self) -> bool {
        !self.nation && self.provinces == 0
    }

    /// Whether something of this province is inside. A thing of no province (a donor who
    /// did not say, a national campaign) is the nation's: only national staff hold it.
    pub fn covers(self, province: Option<Province>) -> bool {
        self.nation || province.is_some_and(|p| self.provinces & (1 << p.index()) != 0)
    }

    /// Whether everything of `other` is inside this scope.
    pub fn contains(self, other: Scope) -> bool {
        self.nation || (!other.nation && other.provinces & !self.provinces == 0)
    }

    /// The provinces a store query keeps: `None` for every row (the whole country), else
    /// these (maybe none: the query then returns nothing).
    pub fn provinces(self) -> Option<Vec<Province>> {
        (!self.nation).then(|| {
            Province::all()
                .filter(|p| self.provinces & (1 << p.index()) != 0)
                .collect()
        })
    }

    /// The one province of a single-province scope (what a provincial coordinator's new
    /// campaign belongs to).
    pub fn single(self) -> Option<Province> {
        match self.provinces() {
            Some(list) if list.len() == 1 => Some(list[0]),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(code: &str) -> Province {
        Province::from_code(code).unwrap()
    }

    #[test]
    fn a_scope_covers_its_provinces_and_the_nation_covers_all() {
        let hp = Scope::province(p("hai-phong"));
        let qn = Scope::province(p("quang-ninh"));
        assert!(hp.covers(Some(p("hai-phong"))));
        assert!(!hp.covers(Some(p("quang-ninh"))));
        // Nothing without a province is a province's.
        assert!(!hp.covers(None));
        assert!(Scope::NATION.covers(None));
        assert!(Scope::NATION.covers(Some(p("quang-ninh"))));
        assert!(!Scope::NONE.covers(Some(p("hai-phong"))));
        let both = hp.join(qn);
        assert!(both.covers(Some(p("quang-ninh"))) && both.covers(Some(p("hai-phong"))));
        assert!(both.contains(hp) && !hp.contains(both));
        assert!(!hp.contains(Scope::NATION) && Scope::NATION.contains(both));
        assert_eq!(both.provinces().unwrap().len(), 2);
        assert_eq!(Scope::NATION.provinces(), None);
        assert_eq!(Scope::NONE.provinces(), Some(vec![]));
        assert_eq!(hp.single(), Some(p("hai-phong")));
        assert_eq!(both.single(), None);
        assert!(Scope::NONE.is_empty() && !hp.is_empty());
        // Every one of the 34 fits in the bits.
        let all = Province::all().fold(Scope::NONE, |s, p| s.join(Scope::province(p)));
        assert_eq!(all.provinces().unwrap().len(), Province::all().count());
        assert!(!all.is_nation());
    }
}
