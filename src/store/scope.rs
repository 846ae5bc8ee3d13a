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

impl Tx {
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
