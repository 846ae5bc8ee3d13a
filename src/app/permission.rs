//! Who may make each request: one exhaustive table. A new request does not compile until it
//! is listed in [`need`] (no wildcard arm), and [`App::allowed`] checks the need against the
//! roles and memberships read in the request's own transaction, before anything is done.
//! The use cases (`requests.rs` hands each request to one) then only carry requests out (what a
//! permitted person *sees* may still depend on their role: a coordinator lists every drive).

use super::App;
use crate::domain::club::{Action, Audience, Role, Roles};
use crate::domain::phone::PhoneNumber;
use crate::domain::province::Province;
use crate::domain::scope::Scope;
use crate::engine::{CalloutRequest, ClubRequest, DriveRequest, Request};
use crate::store::{Owned, PhoneLookup, Tx, Whose};

/// The person making a request.
pub(crate) struct Actor {
    pub identity_id: i64,
    pub donor_id: Option<i64>,
    /// Whether the donor finished registering.
    pub registered: bool,
}

impl Actor {
    /// The donor, once registered (club membership, sign-ups, answers need one).
    pub fn member(&self) -> Option<i64> {
        self.donor_id.filter(|_| self.registered)
    }
}

/// What a request needs of the person making it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Need<'a> {
    /// Anyone who writes: the request acts on their own data, or answers by who they are
    /// (a list that is empty, "register first").
    Anyone,
    /// A registered donor: it acts on their own memberships.
    Donor,
    /// A registered donor whose roles allow the action.
    DonorMay(Action),
    /// Someone whose roles allow the action.
    May(Action),
    /// A leader of this club (registered, and its leader).
    LeaderOf(i64),
    /// A broadcast to this audience: a club's own leader for the club, staff for wider.
    Audience(&'a Audience),
    /// Stopping this broadcast: whoever sent it, or an admin (a broadcast that no longer
    /// exists is answered as over, to anyone).
    SenderOf(i64),
}

/// The one table of permissions.
pub(crate) fn need(request: &Request) -> Need<'_> {
    match request {
        Request::PhoneInUse { .. } => Need::Anyone,
        Request::Club(ClubRequest::MyClubs)
        | Request::Club(ClubRequest::Club { .. })
        | Request::Club(ClubRequest::JoinClub { .. })
        | Request::Club(ClubRequest::LeaveClub { .. })
        | Request::Club(ClubRequest::MuteClub { .. }) => Need::Donor,
        Request::Club(ClubRequest::Members { id, .. }) => Need::LeaderOf(*id),
        Request::Club(ClubRequest::RemoveMember { club, .. }) => Need::LeaderOf(*club),
        Request::Club(ClubRequest::CanCreateClub)
        | Request::Club(ClubRequest::CreateClub { .. }) => Need::DonorMay(Action::CreateClub),
        // Lists the clubs the person leads, everything for staff; refused when that is none.
        Request::Club(ClubRequest::BroadcastOptions) => Need::Anyone,
        Request::Club(ClubRequest::PreviewBroadcast { audience, .. })
        | Request::Club(ClubRequest::SendBroadcast { audience, .. }) => Need::Audience(audience),
        Request::Club(ClubRequest::MyBroadcasts) => Need::Anyone,
        Request::Club(ClubRequest::CancelBroadcast { id }) => Need::SenderOf(*id),
        Request::Club(ClubRequest::SetRole { role, .. }) => Need::May(Action::Grant(*role)),
        Request::Club(ClubRequest::Audit) | Request::Club(ClubRequest::AuditSearch(_)) => {
            Need::May(Action::ReadAudit)
        }
        Request::Club(ClubRequest::Leaderboard { .. }) => Need::May(Action::ReadLeaderboard),
        Request::Club(ClubRequest::DashboardLink) => Need::May(Action::UseDashboard),
        Request::Club(ClubRequest::DeliveryHealth) => Need::May(Action::ManageDrives),
        // A donor's own family.
        Request::Club(ClubRequest::Family)
        | Request::Club(ClubRequest::CreateFamily)
        | Request::Club(ClubRequest::JoinFamily { .. })
        | Request::Club(ClubRequest::LeaveFamily) => Need::Donor,
        Request::Drive(r) => drive_need(r),
        Request::Callout(r) => callout_need(r),
    }
}

/// What of a province a request touches (issue 33), checked against a staff member's scope
/// after [`need`]: a coordinator of Hải Phòng changes and reads Hải Phòng's things only.
/// National staff are never held back by it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Touch<'a> {
    /// The person's own data, a form, or what every donor may see; broadcasts check their
    /// audience's province with [`Need::Audience`], their stopping with [`Need::SenderOf`].
    Own,
    /// A list, a count or a lookup: its use case reads it through the person's scope, in
    /// the store's queries (`Roles::staff_in`); a target set is their province's plan's; a
    /// file is checked line by line against the scope before anything is staged.
    Listed,
    /// Not yet divided by province (the blood stock's levels, delivery health): national
    /// staff only.
    Nation,
    /// Something of this province (a new drive, a call-out's patient's province).
    Province(Province),
    /// Something stored, that belongs to its province.
    Thing(Owned),
    /// A campaign a drive is attached to: national campaigns are everyone's to attach to.
    CampaignSeen(i64),
    /// A role granted or revoked: an admin's or coordinator's province must be within the
    /// granter's admin scope (`None`: the whole country; a revoke without one keeps to the
    /// revoker's scope), a leader's person within the granter's staff scope.
    Grant {
        role: Role,
        province: Option<Province>,
        phone: &'a PhoneNumber,
        grant: bool,
    },
    /// All of these.
    All(Vec<Touch<'a>>),
}

/// The one table of scopes: what each request touches. Exhaustive, as [`need`] is: a new
/// request does not compile until it says.
pub(crate) fn touches(request: &Request) -> Touch<'_> {
    use Touch::*;
    match request {
        Request::PhoneInUse { .. } => Own,
        Request::Club(r) => match r {
            ClubRequest::MyClubs
            | ClubRequest::Club { .. }
            | ClubRequest::JoinClub { .. }
            | ClubRequest::LeaveClub { .. }
            | ClubRequest::MuteClub { .. }
            | ClubRequest::Members { .. }
            | ClubRequest::RemoveMember { .. }
            | ClubRequest::CanCreateClub
            | ClubRequest::CreateClub { .. }
            | ClubRequest::PreviewBroadcast { .. }
            | ClubRequest::SendBroadcast { .. }
            | ClubRequest::MyBroadcasts
            | ClubRequest::CancelBroadcast { .. }
            | ClubRequest::DashboardLink
            | ClubRequest::Family
            | ClubRequest::CreateFamily
            | ClubRequest::JoinFamily { .. }
            | ClubRequest::LeaveFamily => Own,
            ClubRequest::BroadcastOptions
            | ClubRequest::Leaderboard { .. }
            | ClubRequest::Audit
            | ClubRequest::AuditSearch(_) => Listed,
            ClubRequest::SetRole {
                role,
                phone,
                grant,
                province,
            } => Grant {
                role: *role,
                province: *province,
                phone,
                grant: *grant,
            },
            ClubRequest::DeliveryHealth => Nation,
        },
        Request::Drive(r) => match r {
            DriveRequest::List { .. }
            | DriveRequest::Show { .. }
            | DriveRequest::FindDonor { .. }
            | DriveRequest::LookupDonor { .. }
            | DriveRequest::Report
            | DriveRequest::Month { .. }
            | DriveRequest::CampaignList
            | DriveRequest::DonorMap
            | DriveRequest::PlanReport { .. }
            | DriveRequest::SetTarget { .. }
            | DriveRequest::ImportCalendar { .. }
            | DriveRequest::ImportDonations { .. }
            | DriveRequest::DriveForm { edit: None } => Listed,
            DriveRequest::SignUp { .. }
            | DriveRequest::CancelSignUp { .. }
            | DriveRequest::Checkin
            | DriveRequest::SelfReport { .. }
            | DriveRequest::OfferUnit { .. }
            | DriveRequest::FindUnit { .. }
            | DriveRequest::SetUnit { .. }
            | DriveRequest::CampaignForm
            | DriveRequest::SaveCampaign {
                input: crate::domain::campaign::CampaignInput { id: None, .. },
            } => Own,
            // At a drive: the drive's (a donor of another province gives at this one, and
            // showed their check-in code); without one, the donor's.
            DriveRequest::Record { donor, drive, .. } => match drive {
                Some(d) => Thing(Owned::Drive(*d)),
                None => Thing(Owned::Donor(*donor)),
            },
            DriveRequest::RemoveDonation { id } => Thing(Owned::Donation(*id)),
            // A staged file's counts.
            DriveRequest::FileProgress { .. } => Own,
            DriveRequest::DriveForm { edit: Some(id) }
            | DriveRequest::CancelDrive { id }
            | DriveRequest::Signups { id } => Thing(Owned::Drive(*id)),
            DriveRequest::SaveDrive { input } => {
                All(std::iter::once(Province(input.spec.province))
                    .chain(input.id.map(|d| Thing(Owned::Drive(d))))
                    .chain(input.campaign.map(CampaignSeen))
                    .collect())
            }
            DriveRequest::SaveCampaign {
                input: crate::domain::campaign::CampaignInput { id: Some(id), .. },
            }
            | DriveRequest::EditCampaign { id } => Thing(Owned::Campaign(*id)),
        },
        Request::Callout(r) => match r {
            CalloutRequest::List => Listed,
            CalloutRequest::Answer { .. } | CalloutRequest::Form | CalloutRequest::Stock => Own,
            CalloutRequest::Preview { spec } | CalloutRequest::Start { spec } => {
                Province(spec.province)
            }
            CalloutRequest::Show { id }
            | CalloutRequest::Close { id, .. }
            | CalloutRequest::Extend { id, .. }
            | CalloutRequest::Pledges { id }
            | CalloutRequest::Tally { id }
            | CalloutRequest::Mark { id, .. } => Thing(Owned::Callout(*id)),
            CalloutRequest::SetStock { .. } => Nation,
        },
    }
}

fn drive_need(request: &DriveRequest) -> Need<'static> {
    match request {
        // A donor's own view and doings; "register first" for the unregistered.
        DriveRequest::List { .. }
        | DriveRequest::Show { .. }
        | DriveRequest::SignUp { .. }
        | DriveRequest::CancelSignUp { .. }
        | DriveRequest::Checkin
        | DriveRequest::SelfReport { .. }
        | DriveRequest::OfferUnit { .. } => Need::Anyone,
        // A donor's own school or workplace.
        DriveRequest::FindUnit { .. } | DriveRequest::SetUnit { .. } => Need::Donor,
        DriveRequest::FindDonor { .. }
        | DriveRequest::Record { .. }
        | DriveRequest::RemoveDonation { .. }
        | DriveRequest::Report
        | DriveRequest::PlanReport { .. }
        | DriveRequest::SetTarget { .. }
        | DriveRequest::DriveForm { .. }
        | DriveRequest::SaveDrive { .. }
        | DriveRequest::CancelDrive { .. }
        | DriveRequest::Signups { .. }
        | DriveRequest::Month { .. }
        | DriveRequest::CampaignForm
        | DriveRequest::SaveCampaign { .. }
        | DriveRequest::CampaignList
        | DriveRequest::EditCampaign { .. }
        | DriveRequest::DonorMap
        | DriveRequest::ImportCalendar { .. }
        | DriveRequest::ImportDonations { .. }
        | DriveRequest::FileProgress { .. }
        | DriveRequest::LookupDonor { .. } => Need::May(Action::ManageDrives),
    }
}

fn callout_need(request: &CalloutRequest) -> Need<'static> {
    match request {
        // The call-outs a donor was asked by, and their answer.
        CalloutRequest::List | CalloutRequest::Answer { .. } => Need::Anyone,
        CalloutRequest::Form
        | CalloutRequest::Preview { .. }
        | CalloutRequest::Start { .. }
        | CalloutRequest::Show { .. }
        | CalloutRequest::Close { .. }
        | CalloutRequest::Extend { .. }
        | CalloutRequest::Pledges { .. }
        | CalloutRequest::Tally { .. }
        | CalloutRequest::Mark { .. }
        | CalloutRequest::Stock
        | CalloutRequest::SetStock { .. } => Need::May(Action::ManageDrives),
    }
}

impl App {
    /// Whether `who`, holding `roles`, may make `request`: what it needs of them ([`need`]),
    /// then whether what it touches is within their scope ([`touches`]).
    pub(super) async fn permitted(
        &self,
        tx: &mut Tx,
        who: &Actor,
        roles: &Roles,
        request: &Request,
    ) -> anyhow::Result<bool> {
        Ok(self.allowed(tx, who, roles, need(request)).await?
            && self.within_scope(tx, roles, touches(request)).await?)
    }

    /// Whether `who`, holding `roles`, may make a request that needs `need`.
    pub(super) async fn allowed(
        &self,
        tx: &mut Tx,
        who: &Actor,
        roles: &Roles,
        need: Need<'_>,
    ) -> anyhow::Result<bool> {
        let member = who.donor_id.filter(|_| who.registered);
        Ok(match need {
            Need::Anyone => true,
            Need::Donor => member.is_some(),
            Need::DonorMay(action) => member.is_some() && roles.may(action),
            Need::May(action) => roles.may(action),
            Need::LeaderOf(club) => match member {
                Some(d) => tx
                    .clubs_of(d, Some(club))
                    .await?
                    .first()
                    .is_some_and(|c| c.leader),
                None => false,
            },
            Need::Audience(audience) => {
                (roles.may(Action::BroadcastWide)
                    && audience_within(tx, roles.staff_in, audience).await?)
                    || match (audience, who.donor_id) {
                        (Audience::Club { id, .. }, Some(donor)) => tx
                            .clubs_of(donor, Some(*id))
                            .await?
                            .first()
                            .is_some_and(|c| c.leader),
                        _ => false,
                    }
            }
            Need::SenderOf(broadcast) => match tx.broadcast_sender(broadcast).await? {
                None => true,
                Some(sender) => {
                    let admin =
                        roles.admin && within(roles.admin_in, tx.whose_broadcast(broadcast).await?);
                    admin
                        || match sender {
                            Some(sender) => tx.same_person(sender, who.identity_id).await?,
                            None => false,
                        }
                }
            },
        })
    }

    /// Whether what `touch` names is within the person's scope (after [`App::allowed`]
    /// let the request through: a donor's own requests touch only their own).
    pub(super) async fn within_scope(
        &self,
        tx: &mut Tx,
        roles: &Roles,
        touch: Touch<'_>,
    ) -> anyhow::Result<bool> {
        let staff = roles.staff_in;
        Ok(match touch {
            Touch::Own | Touch::Listed => true,
            _ if staff.is_nation() => true,
            Touch::Nation => false,
            Touch::Province(p) => staff.covers(Some(p)),
            Touch::Thing(thing) => within(staff, tx.whose(thing).await?),
            Touch::CampaignSeen(id) => match tx.whose(Owned::Campaign(id)).await? {
                Whose::Nation => true,
                whose => within(staff, whose),
            },
            Touch::Grant {
                role: Role::Leader,
                phone,
                ..
            } => match tx.donor_by_phone(phone.as_e164()).await? {
                PhoneLookup::One { donor_id, .. } => {
                    within(staff, tx.whose(Owned::Donor(donor_id)).await?)
                }
                PhoneLookup::None | PhoneLookup::Several => true,
            },
            // A revoke without a province keeps to the revoker's own scope (`set_role`).
            Touch::Grant {
                province: None,
                grant: false,
                ..
            } => !roles.admin_in.is_empty(),
            Touch::Grant { province, .. } => roles.admin_in.contains(Scope::of_grant(province)),
            Touch::All(list) => {
                for t in list {
                    if !Box::pin(self.within_scope(tx, roles, t)).await? {
                        return Ok(false);
                    }
                }
                true
            }
        })
    }
}

/// Whether a thing that belongs `whose` is within `scope`; a thing that is not there is
/// (its use case answers that it is not).
fn within(scope: Scope, whose: Whose) -> bool {
    match whose {
        Whose::Missing => true,
        Whose::Nation => scope.covers(None),
        Whose::Province(code) => scope.covers(Province::from_code(&code)),
    }
}

/// Whether staff of `scope` may broadcast to `audience`: a club or a province of theirs;
/// a blood group or everyone is national.
async fn audience_within(tx: &mut Tx, scope: Scope, audience: &Audience) -> anyhow::Result<bool> {
    Ok(match audience {
        _ if scope.is_nation() => true,
        Audience::Club { id, .. } => within(scope, tx.whose(Owned::Club(*id)).await?),
        Audience::Province { code } => scope.covers(Province::from_code(code)),
        Audience::Blood { .. } | Audience::All => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::club::{ClubKind, Role};
    use crate::domain::phone::PhoneNumber;

    /// Everything a coordinator does needs a role; nothing a donor does needs one. (The
    /// compiler keeps the table complete; this keeps it right.)
    #[test]
    fn staff_requests_need_a_role_and_donor_requests_do_not() {
        let phone = PhoneNumber::parse("0912345678").unwrap();
        let staff = [
            Request::Club(ClubRequest::SetRole {
                role: Role::Leader,
                phone: phone.clone(),
                grant: true,
                province: None,
            }),
            Request::Club(ClubRequest::Audit),
            Request::Drive(DriveRequest::Report),
            Request::Drive(DriveRequest::CampaignForm),
            Request::Drive(DriveRequest::CampaignList),
            Request::Callout(CalloutRequest::Form),
            Request::Callout(CalloutRequest::Stock),
        ];
        for r in &staff {
            assert!(matches!(need(r), Need::May(_)), "{r:?} needs no role");
        }
        assert_eq!(
            need(&Request::Club(ClubRequest::SetRole {
                role: Role::Admin,
                phone,
                grant: false,
                province: None,
            })),
            Need::May(Action::Grant(Role::Admin))
        );
        let own = [
            Request::Club(ClubRequest::MyClubs),
            Request::Club(ClubRequest::JoinClub { code: "X".into() }),
            Request::Club(ClubRequest::LeaveClub { id: 1 }),
            Request::Club(ClubRequest::MuteClub { id: 1, mute: true }),
        ];
        for r in &own {
            assert_eq!(need(r), Need::Donor, "{r:?}");
        }
        assert_eq!(
            need(&Request::Club(ClubRequest::CreateClub {
                name: "CLB".into(),
                kind: ClubKind::University
            })),
            Need::DonorMay(Action::CreateClub)
        );
        assert_eq!(
            need(&Request::Club(ClubRequest::RemoveMember {
                club: 4,
                donor: 9
            })),
            Need::LeaderOf(4)
        );
        assert_eq!(
            need(&Request::Club(ClubRequest::CancelBroadcast { id: 3 })),
            Need::SenderOf(3)
        );
        assert_eq!(need(&Request::Callout(CalloutRequest::List)), Need::Anyone);
        assert_eq!(need(&Request::Drive(DriveRequest::Checkin)), Need::Anyone);
        // Roles: a leader may create a club but not manage drives or grant roles.
        let leader = Roles {
            leader: true,
            ..Roles::default()
        };
        assert!(leader.may(Action::CreateClub));
        assert!(!leader.may(Action::ManageDrives));
        assert!(!leader.may(Action::Grant(Role::Leader)));
        let coordinator = Roles {
            coordinator: true,
            ..Roles::default()
        };
        assert!(coordinator.may(Action::Grant(Role::Leader)));
        assert!(!coordinator.may(Action::Grant(Role::Coordinator)));
        assert!(!coordinator.may(Action::ReadAudit));
    }
}
