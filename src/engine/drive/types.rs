//! The drive flows' states, requests and outcomes.

use super::{CampaignDraft, CampaignField, DriveDraft, DriveField};
use crate::domain::campaign::CampaignInput;
use crate::domain::drive::{DriveInfo, DriveInput, Report};
use crate::domain::eligibility::DonationKind;
use crate::domain::phone::PhoneNumber;
use crate::domain::plan::{PlanFigures, TargetChange, YearTargets};
use crate::engine::Item;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Where a conversation stands in the drive, donation and campaign flows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum DriveState {
    DriveList {
        drives: Vec<Item>,
    },
    DriveMenu {
        drive: DriveInfo,
        staff: bool,
    },
    ChooseSlot {
        drive: DriveInfo,
    },
    ConfirmCancelDrive {
        drive: DriveInfo,
    },
    SelfReportKind,
    /// Which school or workplace (one of the plan's units) the donor belongs to: typed.
    UnitAsk,
    /// The units whose name has what they typed.
    UnitChoose {
        units: Vec<Item>,
    },
    RecordWho,
    RecordKind {
        donor: i64,
        name: String,
        drives: Vec<Item>,
        /// The donor may give again from this day: a donation before it is asked about.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        next: Option<NaiveDate>,
        /// The newest donation on record, which may be removed if it was a mistake.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        last: Option<RecordedDonation>,
    },
    /// A donation inside the donor's interval: almost always a typing mistake. Record it?
    RecordConfirmEarly {
        donor: i64,
        name: String,
        kind: DonationKind,
        drives: Vec<Item>,
        next: NaiveDate,
    },
    /// Remove this donation, recorded by mistake?
    RecordConfirmRemove {
        donor: i64,
        name: String,
        last: RecordedDonation,
    },
    RecordDrive {
        donor: i64,
        name: String,
        kind: DonationKind,
        drives: Vec<Item>,
    },
    DriveForm {
        draft: DriveDraft,
        field: DriveField,
        campaigns: Vec<Item>,
    },
    DriveReview {
        draft: DriveDraft,
        campaigns: Vec<Item>,
    },
    CampaignForm {
        draft: CampaignDraft,
        field: CampaignField,
    },
    CampaignReview {
        draft: CampaignDraft,
    },
    CampaignList {
        campaigns: Vec<Item>,
    },
}

/// A donation on record, as a coordinator may remove it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedDonation {
    pub id: i64,
    pub date: NaiveDate,
    pub kind: DonationKind,
}

/// What the engine asks the caller to read or do about drives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DriveRequest {
    /// Drives for this person; `from`: not before the donor may give again.
    List {
        from: Option<NaiveDate>,
    },
    Show {
        id: i64,
    },
    SignUp {
        id: i64,
        slot: Option<i64>,
    },
    CancelSignUp {
        id: i64,
    },
    Checkin,
    SelfReport {
        kind: DonationKind,
    },
    /// A phone or a check-in code, typed by a coordinator.
    FindDonor {
        phone: Option<PhoneNumber>,
        code: Option<String>,
    },
    Record {
        donor: i64,
        kind: DonationKind,
        drive: Option<i64>,
    },
    /// Remove a donation recorded by mistake (audited).
    RemoveDonation {
        id: i64,
    },
    Report,
    /// Ask the donor for their school or workplace, if the plan has such units (`asked`:
    /// they typed /unit; otherwise right after registering, and silent when there are none).
    OfferUnit {
        asked: bool,
    },
    /// The plan's schools and workplaces whose name has `text`.
    FindUnit {
        text: String,
    },
    /// The donor belongs to this unit.
    SetUnit {
        id: i64,
    },
    /// Set one of the year's targets (this year's when none is named).
    SetTarget {
        year: Option<i32>,
        change: TargetChange,
    },
    /// The year plan: where the province (and the units matching `unit`) stand.
    PlanReport {
        year: Option<i32>,
        unit: Option<String>,
    },
    /// Open the drive form (new, or editing `edit`).
    DriveForm {
        edit: Option<i64>,
    },
    SaveDrive {
        input: DriveInput,
    },
    CancelDrive {
        id: i64,
    },
    /// A drive with its sign-ups' names and phones (the dashboard's drive page).
    Signups {
        id: i64,
    },
    /// Every drive of a month (the dashboard's table and calendar).
    Month {
        year: i32,
        month: u32,
    },
    CampaignForm,
    SaveCampaign {
        input: CampaignInput,
    },
    /// Campaigns to edit.
    CampaignList,
    /// A calendar file (TOML, or CSV when `csv`) for `year`, uploaded on the dashboard:
    /// stored whole, or not at all with its errors by line.
    ImportCalendar {
        text: String,
        csv: bool,
        year: i32,
    },
    /// A blood centre's CSV of donations, uploaded on the dashboard: all or nothing.
    ImportDonations {
        text: String,
        /// Record donations inside a donor's interval too (the coordinator confirmed).
        accept_early: bool,
    },
    /// How far a staged file is written.
    FileProgress {
        id: i64,
    },
    /// Registered donors by province and blood group, with the reserve clubs' members.
    DonorMap,
    /// The donors who gave this phone, for a coordinator (audited).
    LookupDonor {
        phone: PhoneNumber,
    },
    EditCampaign {
        id: i64,
    },
}

/// What came of a [`DriveRequest`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DriveOutcome {
    /// The drive's day falls outside its campaign: nothing saved.
    OutsideCampaign {
        name: String,
        from: NaiveDate,
        to: NaiveDate,
    },
    List {
        drives: Vec<DriveInfo>,
        staff: bool,
        from: Option<NaiveDate>,
    },
    Drive {
        drive: DriveInfo,
        staff: bool,
    },
    NoSuchDrive,
    SignedUp {
        drive: DriveInfo,
        slot: Option<i64>,
    },
    AlreadySigned,
    /// Full: the next drives with room.
    Full {
        next: Vec<DriveInfo>,
    },
    SlotFull {
        drive: DriveInfo,
    },
    Closed,
    SignUpCancelled {
        drive: DriveInfo,
    },
    Checkin {
        code: String,
        until: String,
    },
    SelfReported,
    AlreadyRecorded,
    DonorFound {
        donor: i64,
        name: String,
        blood: String,
        next: Option<NaiveDate>,
        drives: Vec<Item>,
        last: Option<RecordedDonation>,
    },
    DonationRemoved {
        name: String,
        removed: RecordedDonation,
    },
    DonorNotFound,
    SeveralDonors,
    Recorded {
        name: String,
        count: i64,
        /// The donor's first donation ever (nothing earlier on record or declared).
        first: bool,
        again: bool,
    },
    Report {
        year: i32,
        report: Report,
    },
    /// The plan has schools and workplaces to choose from (`any`), for a donor who `asked`.
    UnitQuestion {
        any: bool,
        asked: bool,
    },
    /// Units matching what the donor typed (none, or up to 8).
    UnitsFound(Vec<Item>),
    UnitSet {
        name: String,
    },
    /// The year's targets after one was set.
    TargetSet(YearTargets),
    /// The year plan's figures, the units narrowed to those matching `unit`.
    Plan {
        figures: Box<PlanFigures>,
        unit: Option<String>,
    },
    DriveForm {
        draft: DriveDraft,
        campaigns: Vec<Item>,
        /// Each offered campaign's days (id, first, last), so a form can say at once that a
        /// date falls outside its campaign.
        periods: Vec<(i64, chrono::NaiveDate, chrono::NaiveDate)>,
    },
    DriveSaved {
        new: bool,
        notified: usize,
    },
    DriveCancelled {
        notified: usize,
    },
    Signups {
        drive: DriveInfo,
        list: Vec<crate::domain::drive::SignupRow>,
    },
    CampaignForm,
    /// Drives are for registered donors (and coordinators).
    NeedsRegistration,
    /// A coordinator may record donations: ask whose.
    MayRecord,
    CampaignSaved {
        name: String,
        new: bool,
    },
    CampaignExists,
    Campaigns(Vec<Item>),
    CampaignDraft(CampaignDraft),
    DonorMap(crate::domain::donor::DonorMap),
    CalendarImported {
        campaigns: usize,
        points: usize,
        drives: usize,
    },
    DonationsImported(crate::domain::donation::DonationImport),
    /// A file checked whole and staged: being written in steps ([`DriveRequest::FileProgress`]).
    FileStaged {
        id: i64,
        lines: usize,
    },
    FileProgress(FileProgress),
    /// A file with errors: nothing was stored.
    FileRejected(Vec<crate::domain::campaign::FileError>),
    /// The donors a phone was looked up for (none: not found).
    DonorCards(Vec<crate::domain::donor::DonorCard>),
}

/// A staged file: how far it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileProgress {
    pub id: i64,
    pub calendar: bool,
    /// Steps: a donation or a calendar's campaign, drive, fixed point or open day.
    pub total: usize,
    pub done: usize,
    /// Drives written, or donations newly recorded.
    pub added: usize,
    pub state: FileState,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileState {
    Writing,
    Done,
    /// Set aside after failing (what was written stays; the logs say why).
    Failed,
}
