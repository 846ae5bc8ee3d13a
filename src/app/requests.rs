//! The one way into the use cases: [`App::execute`] takes the person's roles as read in
//! the request's transaction, checks the request against the one table of permissions
//! (`permission.rs`), and hands it to the named use case of its capability (`clubs.rs`,
//! `broadcasts.rs`, `roles.rs`, `drives.rs`, `campaigns.rs`, `donations.rs`,
//! `callouts.rs`, `registration.rs`). The tables below only translate a request into a call:
//! nothing privileged is reachable by guessing a command or replaying a button.

use super::App;
use super::broadcasts::Stopped;
use super::campaigns::SavedCampaign;
use super::donations::DonationInput;
use super::permission::Actor;
use crate::domain::club::{Action, Roles};
use crate::engine::{
    CalloutOutcome, CalloutRequest, ClubOutcome, ClubRequest, DriveOutcome, DriveRequest, Outcome,
    Request,
};
use crate::store::Tx;
use chrono::{DateTime, Utc};

/// What the caller of [`App::execute`] already read in the request's transaction, so that
/// it is not read again.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Known {
    /// The person's roles, over all their accounts.
    pub roles: Roles,
    /// For a phone check: whether another donor has that phone, as the caller knows it
    /// (a batch of messages knows its own unwritten changes too).
    pub phone_taken: Option<bool>,
}

impl App {
    /// Carry out one request for the account `identity_id` outside a conversation (the web
    /// dashboard, the command line): in its own transaction, under the same permission
    /// table as the chat, committed, and the outbox worker woken for what it queued.
    ///
    /// A file (a calendar, a centre's donations) is checked whole without holding the
    /// writer, then written in short steps (`imports.rs`); this waits for the last.
    pub async fn perform(&self, identity_id: i64, request: Request) -> anyhow::Result<Outcome> {
        if request.is_file() {
            return match self.stage_file(identity_id, request).await? {
                Outcome::Drive(DriveOutcome::FileStaged { id, .. }) => {
                    match self.write_import(id).await? {
                        Some(done) => Ok(Outcome::Drive(done)),
                        None => anyhow::bail!("the file could not be written (see the logs)"),
                    }
                }
                other => Ok(other),
            };
        }
        let now = self.clock().now();
        let mut tx = self.store().begin().await?;
        tx.lock_for_write().await?;
        let Some((donor_id, registered)) = tx.donor_of_identity(identity_id).await? else {
            return Ok(Outcome::Refused);
        };
        let who = Actor {
            identity_id,
            donor_id,
            registered,
        };
        let known = Known {
            roles: tx.roles_of(identity_id).await?,
            phone_taken: None,
        };
        let outcome = self.execute(&mut tx, &who, known, request, now).await?;
        tx.commit().await?;
        self.outbox_added().notify_one();
        Ok(outcome)
    }

    /// Carry out one request of the engine in `tx`, if the person may make it (`known`:
    /// what the caller read in this transaction, their roles first).
    pub(super) async fn execute(
        &self,
        tx: &mut Tx,
        who: &Actor,
        known: Known,
        request: Request,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Outcome> {
        let roles = known.roles;
        // Every permission, from the one table (`permission.rs`), before anything is done:
        // what the person needs to be, then whether what it touches is within their scope.
        if !self.permitted(tx, who, &roles, &request).await? {
            return Ok(Outcome::Refused);
        }
        let me = who.identity_id;
        let member = who.member();
        // Needs a registered donor (the permission table lets some requests through to
        // answer "register first" in their own words; these are refused).
        macro_rules! donor {
            ($d:ident => $call:expr) => {
                match member {
                    Some($d) => $call.await,
                    None => Ok(Outcome::Refused),
                }
            };
        }
        match request {
            Request::Drive(r) => self.execute_drive(tx, who, &roles, r, now).await,
            Request::Callout(r) => self.execute_callout(tx, who, &roles, r, now).await,
            Request::PhoneInUse { phone } => match known.phone_taken {
                Some(taken) => Ok(Outcome::PhoneInUse { phone, taken }),
                None => self.phone_in_use(tx, who.donor_id, phone).await,
            },
            Request::Club(ClubRequest::MyClubs) => donor!(d => self.my_clubs(tx, d)),
            Request::Club(ClubRequest::Club { id }) => donor!(d => self.club(tx, d, id)),
            Request::Club(ClubRequest::JoinClub { code }) => {
                donor!(d => self.join_club(tx, d, &code, now))
            }
            Request::Club(ClubRequest::LeaveClub { id }) => donor!(d => self.leave_club(tx, d, id)),
            Request::Club(ClubRequest::MuteClub { id, mute }) => {
                donor!(d => self.mute_club(tx, d, id, mute))
            }
            Request::Club(ClubRequest::Members { id, page, query }) => {
                donor!(d => self.members(tx, d, id, page, query))
            }
            Request::Club(ClubRequest::RemoveMember { club, donor }) => {
                donor!(d => self.remove_member(tx, me, d, club, donor, now))
            }
            Request::Club(ClubRequest::CanCreateClub) => {
                Ok(Outcome::Club(ClubOutcome::MayCreateClub))
            }
            Request::Club(ClubRequest::CreateClub { name, kind }) => {
                donor!(d => self.create_club(tx, me, d, name, kind, now))
            }
            Request::Club(ClubRequest::BroadcastOptions) => {
                self.broadcast_options(tx, &roles, member).await
            }
            Request::Club(ClubRequest::PreviewBroadcast { audience, text }) => {
                self.preview_broadcast(tx, who, audience, text, now).await
            }
            Request::Club(ClubRequest::SendBroadcast {
                audience,
                text,
                form_key,
            }) => {
                self.send_broadcast(tx, who, audience, &text, form_key.as_deref(), now)
                    .await
            }
            Request::Club(ClubRequest::MyBroadcasts) => self.my_broadcasts(tx, me).await,
            Request::Club(ClubRequest::CancelBroadcast { id }) => {
                Ok(match self.stop_broadcast(tx, me, id, now).await? {
                    Stopped::Over => Outcome::Club(ClubOutcome::BroadcastOver { id }),
                    Stopped::Cancelled { stopped } => {
                        Outcome::Club(ClubOutcome::BroadcastCancelled { id, stopped })
                    }
                })
            }
            Request::Club(ClubRequest::SetRole {
                role,
                phone,
                grant,
                province,
            }) => {
                self.set_role(tx, me, &roles, role, &phone, grant, province, now)
                    .await
            }
            Request::Club(ClubRequest::Audit) => self.audit_log(tx, roles.admin_in, None).await,
            Request::Club(ClubRequest::AuditSearch(f)) => {
                self.audit_log(tx, roles.admin_in, Some(f)).await
            }
            Request::Club(ClubRequest::DeliveryHealth) => {
                let now_ms = now.timestamp_millis();
                Ok(Outcome::Club(ClubOutcome::Delivery(
                    tx.delivery_health(now_ms - 3_600_000, now_ms).await?,
                )))
            }
            Request::Club(ClubRequest::DashboardLink) => {
                Ok(Outcome::Club(ClubOutcome::DashboardLink {
                    url: self.dashboard_link(tx, who.identity_id).await?,
                }))
            }
            Request::Club(ClubRequest::Family) => self.family(tx, who).await,
            Request::Club(ClubRequest::CreateFamily) => self.create_family(tx, who, now).await,
            Request::Club(ClubRequest::JoinFamily { code }) => {
                self.join_family(tx, who, &code).await
            }
            Request::Club(ClubRequest::LeaveFamily) => self.leave_family(tx, who).await,
            Request::Club(ClubRequest::Leaderboard { year }) => {
                self.leaderboard(tx, who, &roles, year, now).await
            }
        }
    }

    /// The drive, campaign and donation requests (permission already checked); `staff`
    /// only changes what a permitted person sees (a coordinator lists every drive).
    async fn execute_drive(
        &self,
        tx: &mut Tx,
        who: &Actor,
        roles: &Roles,
        request: DriveRequest,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Outcome> {
        // Staff see and change what is within their scope (the store's queries keep to it).
        let scope = roles.staff_in;
        let staff = roles.may(Action::ManageDrives).then_some(scope);
        let me = who.identity_id;
        let member = who.member();
        let outcome = match request {
            DriveRequest::List { from } => self.list_drives(tx, member, staff, from, now).await?,
            DriveRequest::Show { id } => self.show_drive(tx, member, staff, id, now).await?,
            DriveRequest::SignUp { id, slot } => match member {
                Some(d) => self.sign_up(tx, d, id, slot, now).await?,
                None => return Ok(Outcome::Refused),
            },
            DriveRequest::CancelSignUp { id } => match member {
                Some(d) => self.cancel_sign_up(tx, d, id, now).await?,
                None => return Ok(Outcome::Refused),
            },
            DriveRequest::Checkin => match member {
                Some(d) => self.checkin_code(tx, d, now).await?,
                None => return Ok(Outcome::Refused),
            },
            DriveRequest::SelfReport { kind } => match member {
                Some(d) => self.self_report(tx, d, kind, now).await?,
                None => return Ok(Outcome::Refused),
            },
            DriveRequest::FindDonor { phone, code } => {
                let by_phone = phone.is_some();
                let found = self.find_donor(tx, scope, phone, code, now).await?;
                // Reading a donor's data by phone is audited (by donor id, never the phone),
                // whoever asks and from where (the chat's /record, the donations page), as
                // the donors page's lookup is; a check-in code is shown by the donor.
                let target = match &found {
                    DriveOutcome::DonorFound { donor, .. } => Some(format!("donor:{donor}")),
                    DriveOutcome::DonorNotFound | DriveOutcome::SeveralDonors => {
                        Some("donor:none".to_string())
                    }
                    _ => None,
                };
                if let Some(target) = target.filter(|_| by_phone) {
                    let actor = tx.account_ref(me).await?;
                    let n = i64::from(matches!(found, DriveOutcome::DonorFound { .. }));
                    tx.audit(
                        &actor,
                        crate::domain::audit::AuditAction::DonorLookup,
                        &target,
                        Some(n),
                        now.timestamp_millis(),
                    )
                    .await?;
                }
                found
            }
            DriveRequest::Record { donor, kind, drive } => {
                let input = DonationInput { donor, kind, drive };
                let r = self.record_donation(tx, me, input, now).await?;
                DriveOutcome::Recorded {
                    name: r.name,
                    count: r.count,
                    first: r.first,
                    again: r.again,
                }
            }
            DriveRequest::RemoveDonation { id } => self.remove_donation(tx, me, id, now).await?,
            DriveRequest::Report => self.year_report(tx, scope, now).await?,
            DriveRequest::OfferUnit { asked: true } if member.is_none() => {
                DriveOutcome::NeedsRegistration
            }
            DriveRequest::OfferUnit { asked } => DriveOutcome::UnitQuestion {
                any: member.is_some() && tx.has_person_units().await?,
                asked,
            },
            DriveRequest::FindUnit { text } => match member {
                Some(d) => DriveOutcome::UnitsFound(self.find_units(tx, d, &text).await?),
                None => return Ok(Outcome::Refused),
            },
            DriveRequest::SetUnit { id } => match member {
                Some(d) => match tx.set_donor_unit(d, id).await? {
                    Some(name) => DriveOutcome::UnitSet { name },
                    None => DriveOutcome::UnitsFound(Vec::new()),
                },
                None => return Ok(Outcome::Refused),
            },
            // National staff set the whole deployment's plan, a province's staff their
            // province's (staff of several provinces say which on the command line).
            DriveRequest::SetTarget { year, change } => {
                let province = match (scope.is_nation(), scope.single()) {
                    (true, _) => None,
                    (false, Some(p)) => Some(p),
                    (false, None) => return Ok(Outcome::Refused),
                };
                let actor = tx.account_ref(me).await?;
                DriveOutcome::TargetSet(
                    self.set_target(tx, &actor, province, year, change, now)
                        .await?,
                )
            }
            DriveRequest::PlanReport { year, unit } => {
                self.plan_report(tx, scope, year, unit, now).await?
            }
            DriveRequest::DriveForm { edit } => self.drive_form(tx, scope, edit, now).await?,
            DriveRequest::SaveDrive { input } => self.save_drive(tx, me, input, now).await?.into(),
            DriveRequest::CancelDrive { id } => self.cancel_drive(tx, me, id, now).await?,
            DriveRequest::Month { year, month } => {
                self.month_of_drives(tx, scope, year, month).await?
            }
            DriveRequest::Signups { id } => match tx.drive(id, None).await? {
                Some(drive) => DriveOutcome::Signups {
                    list: tx.signup_rows(id).await?,
                    drive,
                },
                None => DriveOutcome::NoSuchDrive,
            },
            DriveRequest::CampaignForm => DriveOutcome::CampaignForm,
            DriveRequest::SaveCampaign { input } => {
                match self.save_campaign(tx, me, scope, input, now).await? {
                    SavedCampaign::Saved { id: _, name, new } => {
                        DriveOutcome::CampaignSaved { name, new }
                    }
                    SavedCampaign::Exists => DriveOutcome::CampaignExists,
                }
            }
            DriveRequest::CampaignList => self.campaign_list(tx, scope, now).await?,
            DriveRequest::EditCampaign { id } => self.edit_campaign(tx, id).await?,
            DriveRequest::DonorMap => DriveOutcome::DonorMap(tx.donor_map(scope).await?),
            // Files are checked and staged outside any write lock (`App::stage_file`),
            // never inside another use case's transaction.
            DriveRequest::ImportCalendar { .. } | DriveRequest::ImportDonations { .. } => {
                anyhow::bail!("a file is staged with App::stage_file, not in a transaction")
            }
            DriveRequest::FileProgress { id } => match self.file_progress(id).await? {
                Some(p) => DriveOutcome::FileProgress(p),
                None => DriveOutcome::NoSuchDrive,
            },
            DriveRequest::LookupDonor { phone } => {
                DriveOutcome::DonorCards(self.lookup_donor(tx, me, scope, &phone, now).await?)
            }
        };
        Ok(Outcome::Drive(outcome))
    }

    /// The call-out and stock requests (permission already checked).
    async fn execute_callout(
        &self,
        tx: &mut Tx,
        who: &Actor,
        roles: &Roles,
        request: CalloutRequest,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Outcome> {
        let staff = roles.may(Action::ManageDrives).then_some(roles.staff_in);
        let me = who.identity_id;
        let outcome = match request {
            CalloutRequest::Form => CalloutOutcome::Form,
            CalloutRequest::Preview { spec } => self.preview_callout(tx, spec, now).await?,
            CalloutRequest::Start { spec } => {
                let s = self.start_callout(tx, me, spec, now).await?;
                CalloutOutcome::Started {
                    id: s.id,
                    asked: s.wave.asked,
                    held: s.wave.held,
                    until: s.wave.until,
                }
            }
            CalloutRequest::List => self.list_callouts(tx, staff, who.member(), now).await?,
            CalloutRequest::Show { id } => self.show_callout(tx, id).await?,
            CalloutRequest::Close { id, status } => {
                self.end_callout(tx, me, id, status, now).await?
            }
            CalloutRequest::Extend { id, deadline } => {
                self.extend_callout(tx, me, id, deadline, now).await?
            }
            CalloutRequest::Pledges { id } => self.pledges(tx, id).await?,
            CalloutRequest::Tally { id } => match tx.callout(id).await? {
                Some(info) => CalloutOutcome::Tally {
                    info,
                    pledges: tx.pledges(id).await?,
                },
                None => CalloutOutcome::NotFound,
            },
            CalloutRequest::Mark { id, donor, donated } => {
                self.mark_pledge(tx, me, id, donor, donated, now).await?
            }
            CalloutRequest::Answer { id, yes } => {
                self.answer_callout(tx, who.member(), id, yes, now).await?
            }
            CalloutRequest::Stock => self.stock(tx).await?,
            CalloutRequest::SetStock {
                group,
                units,
                threshold,
            } => self.set_stock(tx, me, group, units, threshold, now).await?,
        };
        Ok(Outcome::Callout(outcome))
    }
}
