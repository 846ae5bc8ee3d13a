//! What province a thing belongs to, for the permission table's scope check (issue 33):
//! a drive, a call-out, a campaign, a donor, a donation (its drive's province, else its
//! donor's), a club, a broadcast's audience.

use super::Tx;
use anyhow::Context;

/// A thing a staff request may touch, named by its id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owned {
    Drive(i64),
    Callout(i64),
    Campaign(i64),
    Donor(i64),
    Donation(i64),
    Club(i64),
}

/// Where a thing belongs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Whose {
    /// There is no such thing (its use case answers that).
    Missing,
    /// It belongs to no province: a national campaign, a donor who did not say, a
    /// broadcast to a blood group or to everyone.
    Nation,
    /// The code of its province.
    Province(String),
}

/// A table whose rows belong to a province by their own `province` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provinced {
    Donors,
    Drives,
}

impl Tx {
    /// The province of each of these rows (a file's donors and drives, read in chunks):
    /// absent when the row is not there, `None` when it has no province.
    pub async fn provinces_of(
        &mut self,
        table: Provinced,
        ids: &[i64],
    ) -> anyhow::Result<std::collections::HashMap<i64, Option<String>>> {
        let name = match table {
            Provinced::Donors => "donors",
            Provinced::Drives => "drives",
        };
        let mut out = std::collections::HashMap::new();
        for chunk in ids.chunks(super::CHUNK) {
            let mut q = super::Q::new(
                self.backend(),
                format!("SELECT id, province FROM {name} WHERE id IN "),
            );
            super::push_list(&mut q, chunk);
            for row in q
                .build()
                .fetch_all(&mut *self.tx)
                .await
                .with_context(|| format!("reading the provinces of {name}"))?
            {
                use sqlx::Row;
                out.insert(
                    row.try_get::<i64, _>("id")?,
                    row.try_get::<Option<String>, _>("province")?,
                );
            }
        }
        Ok(out)
    }

    /// Which province `thing` belongs to.
    pub async fn whose(&mut self, thing: Owned) -> anyhow::Result<Whose> {
        let (sql, id) = match thing {
            Owned::Drive(id) => ("SELECT province FROM drives WHERE id = $1", id),
            Owned::Callout(id) => ("SELECT province FROM callouts WHERE id = $1", id),
            Owned::Campaign(id) => ("SELECT province FROM campaigns WHERE id = $1", id),
            Owned::Donor(id) => ("SELECT province FROM donors WHERE id = $1", id),
            Owned::Club(id) => ("SELECT province FROM clubs WHERE id = $1", id),
            Owned::Donation(id) => (
                "SELECT COALESCE(v.province, o.province) FROM donations x \
                 LEFT JOIN drives v ON v.id = x.drive_id \
                 LEFT JOIN donors o ON o.id = x.donor_id WHERE x.id = $1",
                id,
            ),
        };
        let found: Option<Option<String>> = sqlx::query_scalar(sql)
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await
            .with_context(|| format!("reading whose {thing:?} is"))?;
        Ok(match found {
            None => Whose::Missing,
            Some(None) => Whose::Nation,
            Some(Some(code)) if code.is_empty() => Whose::Nation,
            Some(Some(code)) => Whose::Province(code),
        })
    }

    /// Which province a broadcast's audience belongs to (`club:12` its club's, `province:x`
    /// that one, a blood group or everyone the nation's).
    pub async fn whose_broadcast(&mut self, id: i64) -> anyhow::Result<Whose> {
        let audience: Option<String> =
            sqlx::query_scalar("SELECT audience FROM broadcasts WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *self.tx)
                .await
                .context("reading a broadcast's audience")?;
        let Some(audience) = audience else {
            return Ok(Whose::Missing);
        };
        if let Some(club) = audience.strip_prefix("club:") {
            return match club.parse() {
                Ok(id) => self.whose(Owned::Club(id)).await,
                Err(_) => Ok(Whose::Nation),
            };
        }
        Ok(match audience.strip_prefix("province:") {
            Some(code) => Whose::Province(code.to_string()),
            None => Whose::Nation,
        })
    }
}

/// What an audit entry's target names, for the province it is stored with (issue 33): a
/// `province:x` said outright, else the first thing named (`drive:12`, `callout:5:wave:2`,
/// `campaign:3`, `donor:7,donor:9`, `donation:4`, `club:4 CLB …`, `broadcast#9`). Entries
/// naming nothing of a province (`O-`, `year:2026`, `calendar:2026`, `blood:O-`, `all`) are
/// the nation's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum AuditTarget {
    Province(String),
    Thing(Owned),
    Broadcast(i64),
}

pub(super) fn audit_target(target: &str) -> Option<AuditTarget> {
    let words = || target.split_whitespace();
    if let Some(code) = words().find_map(|w| w.strip_prefix("province:")) {
        return crate::domain::province::Province::from_code(code)
            .map(|p| AuditTarget::Province(p.code().to_string()));
    }
    words().find_map(|w| {
        let first = w.split(',').next()?;
        let (kind, rest) = first.split_once([':', '#'])?;
        let id: i64 = rest.split(':').next()?.parse().ok()?;
        Some(match kind {
            "drive" => AuditTarget::Thing(Owned::Drive(id)),
            "callout" => AuditTarget::Thing(Owned::Callout(id)),
            "campaign" => AuditTarget::Thing(Owned::Campaign(id)),
            "donor" => AuditTarget::Thing(Owned::Donor(id)),
            "donation" => AuditTarget::Thing(Owned::Donation(id)),
            "club" => AuditTarget::Thing(Owned::Club(id)),
            "broadcast" => AuditTarget::Broadcast(id),
            _ => return None,
        })
    })
}

impl Tx {
    /// The province an audit entry about `target` belongs to (`None`: the nation's).
    pub(super) async fn audit_province(&mut self, target: &str) -> anyhow::Result<Option<String>> {
        let whose = match audit_target(target) {
            None => return Ok(None),
            Some(AuditTarget::Province(code)) => return Ok(Some(code)),
            Some(AuditTarget::Thing(t)) => self.whose(t).await?,
            Some(AuditTarget::Broadcast(id)) => self.whose_broadcast(id).await?,
        };
        Ok(match whose {
            Whose::Province(code) => Some(code),
            Whose::Missing | Whose::Nation => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_audit_target_names_its_province_or_its_thing() {
        let t = |s: &str| audit_target(s);
        assert_eq!(
            t("coordinator donor:9 province:hai-phong"),
            Some(AuditTarget::Province("hai-phong".into()))
        );
        assert_eq!(t("province:atlantis"), None);
        assert_eq!(t("drive:12"), Some(AuditTarget::Thing(Owned::Drive(12))));
        assert_eq!(
            t("callout:5:wave:2"),
            Some(AuditTarget::Thing(Owned::Callout(5)))
        );
        assert_eq!(
            t("callout:7:O- province:quang-ninh elsewhere:3/1"),
            Some(AuditTarget::Province("quang-ninh".into()))
        );
        assert_eq!(
            t("donor:7,donor:9"),
            Some(AuditTarget::Thing(Owned::Donor(7)))
        );
        assert_eq!(
            t("club:4 CLB Hàng Hải"),
            Some(AuditTarget::Thing(Owned::Club(4)))
        );
        assert_eq!(t("broadcast#9"), Some(AuditTarget::Broadcast(9)));
        assert_eq!(
            t("campaign:3"),
            Some(AuditTarget::Thing(Owned::Campaign(3)))
        );
        assert_eq!(
            t("donation:4"),
            Some(AuditTarget::Thing(Owned::Donation(4)))
        );
        for national in [
            "O-",
            "year:2026",
            "calendar:2026",
            "blood:O-",
            "all",
            "donor:none",
            "",
        ] {
            assert_eq!(t(national), None, "{national}");
        }
    }
}
