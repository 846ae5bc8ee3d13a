//! Clubs, as named use cases: a donor's clubs, joining by invite code, leaving, muting, a
//! leader's member list and removing a member, creating a club. Each runs in the caller's
//! transaction; who may call which was checked before (`requests.rs`), and every use case
//! that needs a registered donor takes the donor's id, so none runs without one.

use super::App;
use super::outbound::random_code;
use super::permission::Actor;
use crate::domain::audit::AuditAction;
use crate::domain::club::{ClubInfo, ClubKind};
use crate::engine::{ClubOutcome, Outcome};
use crate::store::Tx;
use chrono::{DateTime, Utc};

impl App {
    /// The clubs a donor belongs to.
    pub(super) async fn my_clubs(&self, tx: &mut Tx, donor: i64) -> anyhow::Result<Outcome> {
        Ok(Outcome::Club(ClubOutcome::Clubs(
            tx.clubs_of(donor, None).await?,
        )))
    }

    /// One of the donor's clubs.
    pub(super) async fn club(&self, tx: &mut Tx, donor: i64, id: i64) -> anyhow::Result<Outcome> {
        Ok(match tx.clubs_of(donor, Some(id)).await?.pop() {
            Some(c) => Outcome::Club(ClubOutcome::Club(c)),
            None => Outcome::Club(ClubOutcome::NoSuchClub),
        })
    }

    /// Join the club with this invite code (joining twice is no error).
    pub(super) async fn join_club(
        &self,
        tx: &mut Tx,
        donor: i64,
        code: &str,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Outcome> {
        Ok(match tx.club_by_code(code, donor).await? {
            None => Outcome::Club(ClubOutcome::NoSuchCode),
            Some((club, true)) => Outcome::Club(ClubOutcome::Joined {
                club,
                already: true,
            }),
            Some((mut club, false)) => {
                tx.join_club(club.id, donor, now.timestamp_millis()).await?;
                club.members += 1;
                Outcome::Club(ClubOutcome::Joined {
                    club,
                    already: false,
                })
            }
        })
    }

    /// Leave a club; the last leader of a club with other members may not.
    pub(super) async fn leave_club(
        &self,
        tx: &mut Tx,
        donor: i64,
        id: i64,
    ) -> anyhow::Result<Outcome> {
        Ok(match tx.clubs_of(donor, Some(id)).await?.pop() {
            None => Outcome::Club(ClubOutcome::NoSuchClub),
            Some(c) if c.leader && c.members > 1 && tx.leaders_of(id).await? == 1 => {
                Outcome::Club(ClubOutcome::LastLeader)
            }
            Some(c) => {
                tx.leave_club(id, donor).await?;
                Outcome::Club(ClubOutcome::Left { name: c.name })
            }
        })
    }

    /// Mute or unmute a club's announcements for this donor.
    pub(super) async fn mute_club(
        &self,
        tx: &mut Tx,
        donor: i64,
        id: i64,
        mute: bool,
    ) -> anyhow::Result<Outcome> {
        tx.set_muted(id, donor, mute).await?;
        Ok(match tx.clubs_of(donor, Some(id)).await?.pop() {
            Some(c) => Outcome::Club(ClubOutcome::Muted(c)),
            None => Outcome::Club(ClubOutcome::NoSuchClub),
        })
    }

    /// A page of a club's members, for its leader.
    pub(super) async fn members(
        &self,
        tx: &mut Tx,
        leader: i64,
        id: i64,
        page: usize,
        query: Option<String>,
    ) -> anyhow::Result<Outcome> {
        let search = query
            .as_deref()
            .and_then(crate::domain::club::MemberQuery::parse);
        Ok(match self.led_club(tx, leader, id).await? {
            Some(club) => Outcome::Club(ClubOutcome::Members {
                club: id,
                name: club.name,
                members: tx.members_matching(id, search.as_ref()).await?,
                page,
                query: query.filter(|_| search.is_some()),
            }),
            None => Outcome::Refused,
        })
    }

    /// A leader removes a member (audited); leaders are handed over by coordinators, not
    /// removed by a co-leader.
    pub(super) async fn remove_member(
        &self,
        tx: &mut Tx,
        identity_id: i64,
        leader: i64,
        club: i64,
        donor: i64,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Outcome> {
        if self.led_club(tx, leader, club).await?.is_none() {
            return Ok(Outcome::Refused);
        }
        let members = tx.members_of(club).await?;
        Ok(match members.iter().find(|m| m.donor_id == donor) {
            None => Outcome::Club(ClubOutcome::NoSuchClub),
            Some(m) if m.leader => Outcome::Refused,
            Some(m) => {
                tx.leave_club(club, donor).await?;
                let actor = tx.account_ref(identity_id).await?;
                let target = format!("club:{club} donor:{donor}");
                tx.audit(
                    &actor,
                    AuditAction::ClubRemoveMember,
                    &target,
                    None,
                    now.timestamp_millis(),
                )
                .await?;
                Outcome::Club(ClubOutcome::MemberRemoved {
                    name: m.name.clone(),
                })
            }
        })
    }

    /// A new club in the donor's province, led by them, with a fresh invite code (audited).
    pub(super) async fn create_club(
        &self,
        tx: &mut Tx,
        identity_id: i64,
        donor: i64,
        name: String,
        kind: ClubKind,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Outcome> {
        let now_ms = now.timestamp_millis();
        let province = tx
            .load_donors(&[donor])
            .await?
            .remove(&donor)
            .and_then(|d| d.province)
            .map(|p| p.code());
        let (id, code) = tx
            .create_club(&name, kind, province, donor, random_code, now_ms)
            .await?;
        let actor = tx.account_ref(identity_id).await?;
        tx.audit(
            &actor,
            AuditAction::ClubCreate,
            &format!("club:{id} {name}"),
            None,
            now_ms,
        )
        .await?;
        Ok(Outcome::Club(ClubOutcome::ClubCreated(ClubInfo {
            id,
            name,
            kind,
            invite_code: code,
            leader: true,
            muted: false,
            members: 1,
        })))
    }

    /// The club, if this donor leads it.
    pub(super) async fn led_club(
        &self,
        tx: &mut Tx,
        donor: i64,
        club: i64,
    ) -> anyhow::Result<Option<ClubInfo>> {
        Ok(tx
            .clubs_of(donor, Some(club))
            .await?
            .pop()
            .filter(|c| c.leader))
    }

    /// The donor's family: its code and how many have joined (none: not in one).
    pub(super) async fn family(&self, tx: &mut Tx, who: &Actor) -> anyhow::Result<Outcome> {
        let Some(donor) = who.member() else {
            return Ok(Outcome::Refused);
        };
        let (code, members) = match tx.family_of(donor).await? {
            Some((code, n)) => (Some(code), n),
            None => (None, 0),
        };
        Ok(Outcome::Club(ClubOutcome::Family { code, members }))
    }

    /// A new family with the donor in it, under a fresh code (leaving any other).
    pub(super) async fn create_family(
        &self,
        tx: &mut Tx,
        who: &Actor,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Outcome> {
        let Some(donor) = who.member() else {
            return Ok(Outcome::Refused);
        };
        tx.create_family(donor, random_code, now.timestamp_millis())
            .await?;
        self.family(tx, who).await
    }

    /// Join the family with this code (leaving any other).
    pub(super) async fn join_family(
        &self,
        tx: &mut Tx,
        who: &Actor,
        code: &str,
    ) -> anyhow::Result<Outcome> {
        let Some(donor) = who.member() else {
            return Ok(Outcome::Refused);
        };
        if !tx.join_family(donor, code).await? {
            return Ok(Outcome::Club(ClubOutcome::NoSuchFamily));
        }
        self.family(tx, who).await
    }

    pub(super) async fn leave_family(&self, tx: &mut Tx, who: &Actor) -> anyhow::Result<Outcome> {
        let Some(donor) = who.member() else {
            return Ok(Outcome::Refused);
        };
        tx.leave_family(donor).await?;
        Ok(Outcome::Club(ClubOutcome::LeftFamily))
    }
}
