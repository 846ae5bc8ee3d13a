//! What the audit log records: one action per kind of privileged change, each with the one
//! code it is stored under. The log keeps codes (a code this version does not know, from an
//! older or newer one, is shown as it is).

use super::callout::Status;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuditAction {
    BroadcastSend,
    BroadcastCancel,
    CalloutStart,
    CalloutWave,
    CalloutExtend,
    CalloutFulfilled,
    CalloutCancelled,
    CalloutExpired,
    CalloutDonated,
    CalloutNoShow,
    CampaignCreate,
    CampaignEdit,
    ClubCreate,
    ClubRemoveMember,
    DonationRecord,
    DonationRemove,
    DriveCreate,
    DriveEdit,
    DriveCancel,
    RoleGrant,
    RoleRevoke,
    StockSet,
    StockAlert,
    /// The year's honours list (names of donors) printed or exported.
    HonoursExport,
    /// One of the year's targets set.
    PlanTargetSet,
    /// A donor looked up by phone on the dashboard.
    DonorLookup,
    /// A calendar file uploaded on the dashboard.
    CalendarImport,
    /// A blood centre's donations file uploaded on the dashboard.
    DonationsImport,
}

impl AuditAction {
    pub const ALL: [AuditAction; 28] = [
        AuditAction::BroadcastSend,
        AuditAction::BroadcastCancel,
        AuditAction::CalloutStart,
        AuditAction::CalloutWave,
        AuditAction::CalloutExtend,
        AuditAction::CalloutFulfilled,
        AuditAction::CalloutCancelled,
        AuditAction::CalloutExpired,
        AuditAction::CalloutDonated,
        AuditAction::CalloutNoShow,
        AuditAction::CampaignCreate,
        AuditAction::CampaignEdit,
        AuditAction::ClubCreate,
        AuditAction::ClubRemoveMember,
        AuditAction::DonationRecord,
        AuditAction::DonationRemove,
        AuditAction::DriveCreate,
        AuditAction::DriveEdit,
        AuditAction::DriveCancel,
        AuditAction::RoleGrant,
        AuditAction::RoleRevoke,
        AuditAction::StockSet,
        AuditAction::StockAlert,
        AuditAction::HonoursExport,
        AuditAction::PlanTargetSet,
        AuditAction::DonorLookup,
        AuditAction::CalendarImport,
        AuditAction::DonationsImport,
    ];

    /// The code stored in the log.
    pub fn code(self) -> &'static str {
        match self {
            AuditAction::BroadcastSend => "broadcast.send",
            AuditAction::BroadcastCancel => "broadcast.cancel",
            AuditAction::CalloutStart => "callout.start",
            AuditAction::CalloutWave => "callout.wave",
            AuditAction::CalloutExtend => "callout.extend",
            AuditAction::CalloutFulfilled => "callout.fulfilled",
            AuditAction::CalloutCancelled => "callout.cancelled",
            AuditAction::CalloutExpired => "callout.expired",
            AuditAction::CalloutDonated => "callout.donated",
            AuditAction::CalloutNoShow => "callout.no_show",
            AuditAction::CampaignCreate => "campaign.create",
            AuditAction::CampaignEdit => "campaign.edit",
            AuditAction::ClubCreate => "club.create",
            AuditAction::ClubRemoveMember => "club.remove_member",
            AuditAction::DonationRecord => "donation.record",
            AuditAction::DonationRemove => "donation.remove",
            AuditAction::DriveCreate => "drive.create",
            AuditAction::DriveEdit => "drive.edit",
            AuditAction::DriveCancel => "drive.cancel",
            AuditAction::RoleGrant => "role.grant",
            AuditAction::RoleRevoke => "role.revoke",
            AuditAction::StockSet => "stock.set",
            AuditAction::StockAlert => "stock.alert",
            AuditAction::HonoursExport => "honours.export",
            AuditAction::PlanTargetSet => "plan.target",
            AuditAction::DonorLookup => "donor.lookup",
            AuditAction::CalendarImport => "calendar.import",
            AuditAction::DonationsImport => "donations.import",
        }
    }

    pub fn from_code(code: &str) -> Option<AuditAction> {
        AuditAction::ALL.into_iter().find(|a| a.code() == code)
    }

    /// A call-out closed with this status (an open one is not a closing).
    pub fn closing(status: Status) -> Option<AuditAction> {
        match status {
            Status::Open => None,
            Status::Fulfilled => Some(AuditAction::CalloutFulfilled),
            Status::Cancelled => Some(AuditAction::CalloutCancelled),
            Status::Expired => Some(AuditAction::CalloutExpired),
        }
    }

    /// A role granted or revoked.
    pub fn role(grant: bool) -> AuditAction {
        if grant {
            AuditAction::RoleGrant
        } else {
            AuditAction::RoleRevoke
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_has_its_own_code_and_reads_back() {
        let mut codes: Vec<&str> = AuditAction::ALL.iter().map(|a| a.code()).collect();
        for a in AuditAction::ALL {
            assert_eq!(AuditAction::from_code(a.code()), Some(a));
        }
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), AuditAction::ALL.len());
        assert_eq!(AuditAction::from_code("drive.delete"), None);
        assert_eq!(AuditAction::from_code(""), None);
    }

    #[test]
    fn a_closing_names_its_status() {
        assert_eq!(AuditAction::closing(Status::Open), None);
        assert_eq!(
            AuditAction::closing(Status::Expired).map(AuditAction::code),
            Some("callout.expired")
        );
        // The codes the log held before the type existed.
        for s in [Status::Fulfilled, Status::Cancelled, Status::Expired] {
            let a = AuditAction::closing(s).unwrap();
            assert_eq!(a.code(), format!("callout.{}", s.code()));
        }
    }
}
