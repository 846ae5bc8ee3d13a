//! Drives in the conversation: donors list drives near them, sign up (for a slot), cancel,
//! show a check-in code and report a donation; coordinators create and edit drives and
//! campaigns, record donations by phone or check-in code, and read the progress report.
//!
//! Like clubs, every turn that needs the database ends with a [`DriveRequest`]; the caller
//! checks the roles, carries it out in the same transaction and hands back a
//! [`DriveOutcome`].
//!
//! ```text
//! > /drives                                   > /record 0912 345 678
//! Điểm hiến máu sắp tới (gần bạn trước):     Nguyễn Thị Lan · O+ · có thể hiến
//!   1. 06/12 07:30 · ĐH Hải Phòng (Hải Phòng)  Đã hiến gì?  1. Máu toàn phần …
//! > 1                                         > 1
//! Chủ nhật 06/12/2026, 07:30–11:30 …          Đã ghi nhận lần hiến thứ 3 của Nguyễn Thị Lan.
//!   1. Đăng ký  2. Quay lại                   Số điện thoại hoặc mã điểm danh tiếp theo?
//! ```

use super::buttons::{Back, Buttons, Listed, NoneOfThese, Skip, Sure, back, buttons};
use super::{Choice, Command, Label, Reply, State, Turn, donation_kind_label};
use super::{Item, Request};
use crate::domain::campaign::CampaignInput;
use crate::domain::dates::format_vn;
use crate::domain::drive::{
    DriveInfo, DriveInput, DriveSpec, Figures, Report, TimeWindow, local_window, parse_count,
    parse_place, parse_upcoming_day,
};
use crate::domain::eligibility::DonationKind;
use crate::domain::phone::PhoneNumber;
use crate::domain::plan::{PlanFigures, TargetChange, YearTargets};
use crate::domain::province::{Province, ProvinceMatch};
use crate::engine::{Ctx, Input};
use crate::messages::{Msg, MsgId};
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

/// A question of the drive form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DriveField {
    Campaign,
    Place,
    Province,
    Commune,
    Date,
    Time,
    Capacity,
    Target,
    Slots,
}

/// A drive being written in chat (new, or `id` being edited).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DriveDraft {
    pub id: Option<i64>,
    /// `Some(None)`: no campaign chosen on purpose.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::domain::drive::double_option"
    )]
    pub campaign: Option<Option<i64>>,
    pub campaign_name: Option<String>,
    pub place: Option<String>,
    pub province: Option<Province>,
    pub commune: Option<String>,
    pub date: Option<NaiveDate>,
    pub window: Option<TimeWindow>,
    pub capacity: Option<i64>,
    /// `Some(None)`: no target.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::domain::drive::double_option"
    )]
    pub target: Option<Option<i64>>,
    pub slots: Option<Vec<TimeWindow>>,
}

impl DriveDraft {
    pub fn from_spec(id: i64, campaign: Option<(i64, String)>, spec: DriveSpec) -> DriveDraft {
        DriveDraft {
            id: Some(id),
            campaign: Some(campaign.as_ref().map(|c| c.0)),
            campaign_name: campaign.map(|c| c.1),
            place: Some(spec.place),
            province: Some(spec.province),
            commune: Some(spec.commune),
            date: Some(spec.date),
            window: Some(spec.window),
            capacity: Some(spec.capacity),
            target: Some(spec.target_units),
            slots: Some(spec.slots),
        }
    }

    fn next_field(&self) -> Option<DriveField> {
        use DriveField::*;
        Some(match self {
            d if d.campaign.is_none() => Campaign,
            d if d.place.is_none() => Place,
            d if d.province.is_none() => Province,
            d if d.commune.is_none() => Commune,
            d if d.date.is_none() => Date,
            d if d.window.is_none() => Time,
            d if d.capacity.is_none() => Capacity,
            d if d.target.is_none() => Target,
            d if d.slots.is_none() => Slots,
            _ => return None,
        })
    }

    /// The drive to save, once every required field is filled in.
    pub fn input(&self) -> Option<DriveInput> {
        Some(DriveInput {
            id: self.id,
            campaign: self.campaign.flatten(),
            spec: self.spec()?,
        })
    }

    pub fn spec(&self) -> Option<DriveSpec> {
        Some(DriveSpec {
            place: self.place.clone()?,
            province: self.province?,
            commune: self.commune.clone().unwrap_or_default(),
            date: self.date?,
            window: self.window?,
            capacity: self.capacity?,
            target_units: self.target.flatten(),
            slots: self.slots.clone().unwrap_or_default(),
            // The chat does not name units: an edited drive keeps the one it has.
            unit: None,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CampaignField {
    Name,
    Dates,
    Units,
    People,
}

/// A campaign being written in chat.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CampaignDraft {
    /// The campaign being edited; `None` for a new one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    pub name: Option<String>,
    pub dates: Option<(NaiveDate, NaiveDate)>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::domain::drive::double_option"
    )]
    pub units: Option<Option<(i64, i64)>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::domain::drive::double_option"
    )]
    pub people: Option<Option<i64>>,
}

impl CampaignDraft {
    /// The campaign to save, once its name and dates are given.
    pub fn input(&self) -> Option<CampaignInput> {
        let (Some(name), Some((starts_on, ends_on))) = (self.name.clone(), self.dates) else {
            return None;
        };
        Some(CampaignInput {
            id: self.id,
            name,
            starts_on,
            ends_on,
            units: self.units.flatten(),
            people: self.people.flatten(),
        })
    }

    fn next_field(&self) -> Option<CampaignField> {
        Some(match self {
            d if d.name.is_none() => CampaignField::Name,
            d if d.dates.is_none() => CampaignField::Dates,
            d if d.units.is_none() => CampaignField::Units,
            d if d.people.is_none() => CampaignField::People,
            _ => return None,
        })
    }
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

/// A phone or a check-in code, as a coordinator types it (chat or dashboard).
pub fn find_donor_request(text: &str) -> Option<DriveRequest> {
    if let Ok(phone) = PhoneNumber::parse(text) {
        return Some(DriveRequest::FindDonor {
            phone: Some(phone),
            code: None,
        });
    }
    crate::domain::club::parse_invite_code(text).map(|code| DriveRequest::FindDonor {
        phone: None,
        code: Some(code),
    })
}

fn req(r: DriveRequest) -> Option<Request> {
    Some(Request::Drive(r))
}

/// `06/12 07:30 · place (province)` and a mark: the label of a drive in a list.
fn drive_label(ctx: &Ctx, d: &DriveInfo) -> String {
    let (day, w) = local_window(d.starts_at, d.ends_at, ctx.tz);
    let mut place: String = d.place.chars().take(40).collect();
    if place.len() < d.place.len() {
        place.push('…');
    }
    let mark = if d.mine.is_some() {
        " ✓"
    } else if d.full() {
        " ⛔"
    } else {
        ""
    };
    use chrono::Datelike;
    let date = if day.year() == ctx.today.year() {
        day.format("%d/%m").to_string()
    } else {
        day.format("%d/%m/%Y").to_string()
    };
    format!(
        "{} {} · {} ({}){mark}",
        date,
        w.start.format("%H:%M"),
        place,
        d.province_name()
    )
}

/// The whole of a drive: when, where, room left, and the person's own sign-up.
pub(crate) fn drive_card(tz: chrono_tz::Tz, d: &DriveInfo) -> Msg {
    let (day, w) = local_window(d.starts_at, d.ends_at, tz);
    let state = if d.cancelled {
        "cancelled"
    } else if d.mine.is_some() {
        "mine"
    } else if d.full() {
        "full"
    } else {
        "open"
    };
    let slot = match d.mine {
        Some(Some(id)) => d
            .slots
            .iter()
            .find(|s| s.id == id)
            .map(|s| local_window(s.starts_at, s.ends_at, tz).1.label())
            .unwrap_or_default(),
        _ => String::new(),
    };
    Msg::new(MsgId::DriveCard)
        .str("date", format_vn(day))
        .msg("weekday", Msg::new(MsgId::Weekday).str("day", weekday(day)))
        .str("time", w.label())
        .str("place", d.place.clone())
        .str(
            "where",
            if d.commune.is_empty() {
                d.province_name()
            } else {
                format!("{}, {}", d.commune, d.province_name())
            },
        )
        .opt("campaign", d.campaign.clone().unwrap_or_default())
        .num("left", (d.capacity - d.taken).max(0) as f64)
        .num("capacity", d.capacity as f64)
        .str("state", state)
        .opt("slot", slot)
        .msg("open_days", open_days(d.open_days.as_deref()))
}

/// A fixed point's weekdays as one message ("Thứ Ba, Thứ Năm"); `none` for a drive.
fn open_days(code: Option<&str>) -> Msg {
    let days = code.map(crate::domain::fixed_point::days_from_code);
    let Some(days) = days.filter(|d| !d.is_empty()) else {
        return Msg::new(MsgId::ListNone);
    };
    let name = |d: chrono::Weekday| {
        Msg::new(MsgId::Weekday).str("day", crate::domain::fixed_point::weekday_code(d))
    };
    let mut list = days.iter().rev().copied();
    let last = list.next().map(name).unwrap_or(Msg::new(MsgId::ListNone));
    list.fold(last, |rest, d| {
        Msg::new(MsgId::ListPair).msg("a", name(d)).msg("b", rest)
    })
}

/// `/report 2026` (a year), `/report kế hoạch` (this year's plan), `/report Lê Chân` (the
/// units whose name or code has it); `None` for the campaign report.
fn plan_request(args: &str) -> Option<DriveRequest> {
    let words: Vec<&str> = args.split_whitespace().collect();
    let first = words.first()?;
    let year = first
        .parse::<i32>()
        .ok()
        .filter(|y| (2000..=2100).contains(y));
    let rest = words[usize::from(year.is_some())..].join(" ");
    let plan_words = ["ke hoach", "kehoach", "plan", "nam", "year"];
    let unit = (!rest.is_empty()
        && !plan_words.contains(&crate::domain::text::fold(&rest).as_str()))
    .then(|| rest.chars().take(80).collect());
    Some(DriveRequest::PlanReport { year, unit })
}

/// The weekday's code, named by the messages (`mon` … `sun`).
fn weekday(day: NaiveDate) -> &'static str {
    use chrono::Datelike;
    ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][day.weekday().num_days_from_monday() as usize]
}

fn kind_choices() -> Vec<Choice> {
    [
        (
            DonationKind::WholeBlood,
            &["toan phan", "mau", "whole", "blood"][..],
        ),
        (DonationKind::Platelets, &["tieu cau", "platelets"][..]),
        (DonationKind::Plasma, &["huyet tuong", "plasma"][..]),
    ]
    .into_iter()
    .map(|(k, syn)| KindChoice::Kind(k).offer(donation_kind_label(k), syn))
    .collect()
}

buttons! {
    /// A drive's menu: sign up or withdraw (a donor), edit or cancel it (staff), or back to
    /// the list.
    pub enum DriveMenuChoice {
        SignUp = "signup",
        CancelSignUp = "cancel_signup",
        Edit = "edit",
        CancelDrive = "cancel_drive",
        Back = "back",
    }
}

/// Back from the kinds of donation.
fn kind_back() -> Choice {
    KindChoice::Back.offer(MsgId::ChoiceBack, &["quay lai", "back"])
}

buttons! {
    /// Cancelling a drive: yes, or back.
    pub enum CancelDriveChoice { Yes = "yes", Back = "back" }
}

buttons! {
    /// Under the units found for a name: type another name, or leave it.
    pub enum UnitOther { Retry = "retry", Skip = "skip" }
}

buttons! {
    /// The drive form's slots when some are set: keep them, or none.
    pub enum SlotsChoice { Keep = "keep_slots", Skip = "skip" }
}

/// What was given (by its kind's code), removing the donation recorded last, or back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KindChoice {
    Kind(DonationKind),
    RemoveLast,
    Back,
}

impl Buttons for KindChoice {
    const ALL: &'static [KindChoice] = &[
        KindChoice::Kind(DonationKind::WholeBlood),
        KindChoice::Kind(DonationKind::Platelets),
        KindChoice::Kind(DonationKind::Plasma),
        KindChoice::RemoveLast,
        KindChoice::Back,
    ];
    fn value(self) -> &'static str {
        match self {
            KindChoice::Kind(kind) => kind.code(),
            KindChoice::RemoveLast => "remove_last",
            KindChoice::Back => "back",
        }
    }
}

/// A review's choices: save, change one field of the form, or discard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewChoice<F> {
    Save,
    Change(F),
    Discard,
}

impl Buttons for ReviewChoice<DriveField> {
    const ALL: &'static [Self] = &[
        ReviewChoice::Save,
        ReviewChoice::Change(DriveField::Campaign),
        ReviewChoice::Change(DriveField::Place),
        ReviewChoice::Change(DriveField::Province),
        ReviewChoice::Change(DriveField::Commune),
        ReviewChoice::Change(DriveField::Date),
        ReviewChoice::Change(DriveField::Time),
        ReviewChoice::Change(DriveField::Capacity),
        ReviewChoice::Change(DriveField::Target),
        ReviewChoice::Change(DriveField::Slots),
        ReviewChoice::Discard,
    ];
    fn value(self) -> &'static str {
        match self {
            ReviewChoice::Save => "save",
            ReviewChoice::Change(f) => field_code(f),
            ReviewChoice::Discard => "discard",
        }
    }
}

impl Buttons for ReviewChoice<CampaignField> {
    const ALL: &'static [Self] = &[
        ReviewChoice::Save,
        ReviewChoice::Change(CampaignField::Name),
        ReviewChoice::Change(CampaignField::Dates),
        ReviewChoice::Change(CampaignField::Units),
        ReviewChoice::Change(CampaignField::People),
        ReviewChoice::Discard,
    ];
    fn value(self) -> &'static str {
        match self {
            ReviewChoice::Save => "save",
            ReviewChoice::Change(CampaignField::Name) => "c_name",
            ReviewChoice::Change(CampaignField::Dates) => "c_dates",
            ReviewChoice::Change(CampaignField::Units) => "c_units",
            ReviewChoice::Change(CampaignField::People) => "c_people",
            ReviewChoice::Discard => "discard",
        }
    }
}

/// The review's save and discard options, and one "change …" option per field between.
fn review_choices<F: Copy>(fields: impl IntoIterator<Item = (F, MsgId)>) -> Vec<Choice>
where
    ReviewChoice<F>: Buttons,
{
    [ReviewChoice::Save.offer(MsgId::ChoiceSave, &["luu", "save", "ok"])]
        .into_iter()
        .chain(fields.into_iter().map(|(f, label)| {
            let mut c = ReviewChoice::Change(f).offer(label, &[]);
            c.label = Label::Msg(Msg::new(MsgId::ChoiceChangeField).msg("field", Msg::new(label)));
            c
        }))
        .chain([ReviewChoice::Discard.offer(MsgId::ChoiceDiscard, &["huy", "bo"])])
        .collect()
}

/// A target typed as `500` or `500-600`.
/// A slot named by its start ("9h", "9:00"): the one with room that starts then.
fn slot_at(drive: &DriveInfo, input: &Input, tz: chrono_tz::Tz) -> Option<i64> {
    let Input::Text(t) = input else {
        return None;
    };
    // "08:00", "8h", "8 giờ sáng": the slot that starts then, else the one slot that holds
    // that time.
    let at = crate::domain::drive::parse_time(t)
        .or_else(|| crate::domain::understand::time_of_day(t))?;
    let open: Vec<(&crate::domain::drive::SlotInfo, TimeWindow)> = drive
        .slots
        .iter()
        .filter(|s| !s.full())
        .map(|s| (s, local_window(s.starts_at, s.ends_at, tz).1))
        .collect();
    if let Some((s, _)) = open.iter().find(|(_, w)| w.start == at) {
        return Some(s.id);
    }
    match open
        .iter()
        .filter(|(_, w)| w.start <= at && at < w.end)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [(s, _)] => Some(s.id),
        _ => None,
    }
}

fn parse_units(text: &str) -> Option<(i64, i64)> {
    match text.split_once(['-', '–']) {
        Some((a, b)) => {
            let (a, b) = (parse_count(a)?, parse_count(b)?);
            (a <= b).then_some((a, b))
        }
        None => parse_count(text).map(|n| (n, n)),
    }
}

/// Slots typed as `07:30-09:00, 09:00-10:30`, inside the drive's window.
fn parse_slots(text: &str, window: Option<TimeWindow>) -> Option<Vec<TimeWindow>> {
    let mut out: Vec<TimeWindow> = Vec::new();
    for part in text
        .split([',', ';', '\n'])
        .filter(|p| !p.trim().is_empty())
    {
        let w = TimeWindow::parse(part)?;
        if let Some(d) = window
            && (w.start < d.start || w.end > d.end)
        {
            return None;
        }
        if out.iter().any(|o| o.start < w.end && w.start < o.end) {
            return None;
        }
        out.push(w);
    }
    out.sort_by_key(|w| w.start);
    (!out.is_empty() && out.len() <= 12).then_some(out)
}

fn is_skip(ctx: &Ctx, input: &Input) -> bool {
    super::pick(ctx.catalogue, &[skip()], input).is_some()
}

/// Leaving a form's field empty.
fn skip() -> Choice {
    Skip::Skip.offer(MsgId::ChoiceSkip, &["bo qua", "skip", "khong", "none", "-"])
}

impl Turn<'_, '_> {
    pub(super) fn registered_donor(&self) -> bool {
        self.donor
            .as_ref()
            .is_some_and(|d| d.registered_at.is_some())
    }

    /// The day the donor may give again, if it is still to come.
    fn eligible_from(&self) -> Option<NaiveDate> {
        let last = self.donor.as_ref()?.last_donation?.complete()?;
        self.ctx
            .rules
            .next_eligible(last)
            .filter(|d| *d > self.ctx.today)
    }

    pub(super) fn drive_command(&mut self, cmd: Command, args: &str) {
        // Coordinators list drives without being donors themselves: the caller decides.
        let donor_only = matches!(cmd, Command::Checkin | Command::Gave);
        if donor_only && !self.registered_donor() {
            self.say(MsgId::DrivesNeedRegistration);
            return self.state = Some(self.base_state());
        }
        // A refusal leaves the person where they were (a stranger: at the consent question).
        self.state = Some(self.base_state());
        self.request = match cmd {
            Command::Drives => req(DriveRequest::List {
                from: self.eligible_from(),
            }),
            Command::Checkin => req(DriveRequest::Checkin),
            Command::Gave => {
                self.state = Some(State::Drive(DriveState::SelfReportKind));
                None
            }
            Command::Record if !args.is_empty() => self.find_donor(args),
            Command::Record => {
                // Only a coordinator gets the question: the caller checks first.
                req(DriveRequest::FindDonor {
                    phone: None,
                    code: None,
                })
            }
            Command::Report => req(plan_request(args).unwrap_or(DriveRequest::Report)),
            Command::Unit => req(DriveRequest::OfferUnit { asked: true }),
            Command::Target => match crate::domain::plan::parse_target_change(args) {
                Some((year, change)) => req(DriveRequest::SetTarget { year, change }),
                None => {
                    self.say(MsgId::PlanTargetUsage);
                    None
                }
            },
            Command::NewDrive => req(DriveRequest::DriveForm { edit: None }),
            Command::NewCampaign => req(DriveRequest::CampaignForm),
            Command::Campaigns => req(DriveRequest::CampaignList),
            _ => None,
        };
    }

    /// A phone or a check-in code typed by a coordinator.
    fn find_donor(&mut self, text: &str) -> Option<Request> {
        match find_donor_request(text) {
            Some(r) => req(r),
            None => {
                self.wrong(MsgId::RecordBadQuery);
                None
            }
        }
    }

    pub(super) fn drive_input(&mut self, state: DriveState, input: &Input) {
        let text = match input {
            Input::Text(t) => t.trim().to_string(),
            _ => String::new(),
        };
        match state {
            DriveState::DriveList { .. } => match self.pick_listed::<Back>(input) {
                Some(Some(Listed::Other(Back::Back))) => self.state = Some(State::Idle),
                Some(Some(Listed::Item(id))) => self.request = req(DriveRequest::Show { id }),
                Some(None) => self.stale(),
                None => self.wrong(MsgId::ErrorChoice),
            },
            DriveState::DriveMenu { drive, .. } => self.drive_menu_input(input, drive),
            DriveState::ChooseSlot { drive } => match self
                .pick_listed::<Back>(input)
                .or_else(|| slot_at(&drive, input, self.ctx.tz).map(|s| Some(Listed::Item(s))))
            {
                Some(Some(Listed::Other(Back::Back))) => {
                    self.state = Some(State::Drive(DriveState::DriveMenu {
                        drive,
                        staff: false,
                    }))
                }
                Some(Some(Listed::Item(slot))) => self.sign_up(&drive, Some(slot)),
                Some(None) => self.stale(),
                None => self.wrong(MsgId::ErrorChoice),
            },
            DriveState::ConfirmCancelDrive { drive } => {
                self.confirm_cancel_drive_input(input, drive)
            }
            DriveState::SelfReportKind => match self.pick(input).map(|v| KindChoice::parse(&v)) {
                Some(Some(KindChoice::Back)) => self.state = Some(State::Idle),
                Some(Some(KindChoice::Kind(kind))) => {
                    self.state = Some(State::Idle);
                    self.request = req(DriveRequest::SelfReport { kind });
                }
                // Not offered here.
                Some(Some(KindChoice::RemoveLast) | None) => self.stale(),
                None => self.wrong(MsgId::ErrorChoice),
            },
            DriveState::UnitAsk => self.unit_answer(input, &text),
            DriveState::UnitChoose { units } => match self.pick_listed::<UnitOther>(input) {
                Some(Some(Listed::Other(UnitOther::Skip))) => self.unit_skipped(),
                Some(Some(Listed::Other(UnitOther::Retry))) => {
                    self.state = Some(State::Drive(DriveState::UnitAsk))
                }
                Some(Some(Listed::Item(id))) if units.iter().any(|u| u.id == id) => {
                    self.request = req(DriveRequest::SetUnit { id })
                }
                // A unit no longer in the list, or a value of an older screen.
                Some(Some(Listed::Item(_)) | None) => self.stale(),
                None if !text.is_empty() => self.unit_answer(input, &text),
                None => self.wrong(MsgId::ErrorChoice),
            },
            DriveState::RecordWho => {
                let folded = crate::domain::text::fold(&text);
                if ["xong", "done", "het", "thoi"].contains(&folded.as_str()) {
                    self.say(MsgId::RecordDone);
                    self.state = Some(State::Idle);
                    return;
                }
                self.request = self.find_donor(&text);
            }
            DriveState::RecordKind {
                donor,
                name,
                drives,
                next,
                last,
            } => self.record_kind_input(input, donor, name, drives, next, last),
            DriveState::RecordConfirmEarly {
                donor,
                name,
                kind,
                drives,
                ..
            } => self.record_early_input(input, donor, name, kind, drives),
            DriveState::RecordConfirmRemove { last, .. } => {
                match self.pick_yes_no_as(input, Sure::Yes, Sure::No) {
                    Some(Sure::Yes) => {
                        self.state = Some(State::Drive(DriveState::RecordWho));
                        self.request = req(DriveRequest::RemoveDonation { id: last.id });
                    }
                    Some(Sure::No) => {
                        self.say(MsgId::RecordNotRemoved);
                        self.state = Some(State::Drive(DriveState::RecordWho));
                    }
                    None => self.wrong(MsgId::ErrorChoice),
                }
            }
            DriveState::RecordDrive { donor, kind, .. } => {
                let drive = match self.pick_listed::<NoneOfThese>(input) {
                    Some(Some(Listed::Item(id))) => Some(id),
                    Some(Some(Listed::Other(NoneOfThese::None))) => None,
                    Some(None) => return self.stale(),
                    None => return self.wrong(MsgId::ErrorChoice),
                };
                self.state = Some(State::Drive(DriveState::RecordWho));
                self.request = req(DriveRequest::Record { donor, kind, drive });
            }
            DriveState::DriveForm {
                draft,
                field,
                campaigns,
            } => self.drive_form(draft, field, campaigns, input, &text),
            DriveState::DriveReview { draft, campaigns } => {
                self.drive_review_input(input, draft, campaigns)
            }
            DriveState::CampaignForm { draft, field } => {
                self.campaign_form(draft, field, input, &text)
            }
            DriveState::CampaignList { .. } => match self.pick_listed::<Back>(input) {
                Some(Some(Listed::Other(Back::Back))) => self.state = Some(State::Idle),
                Some(Some(Listed::Item(id))) => {
                    self.request = req(DriveRequest::EditCampaign { id })
                }
                Some(None) => self.stale(),
                None => self.wrong(MsgId::ErrorChoice),
            },
            DriveState::CampaignReview { draft } => self.campaign_review_input(input, draft),
        }
    }

    /// Whether the donor's interval is over on the drive's day.
    fn eligible_on(&self, drive: &DriveInfo) -> bool {
        let day = local_window(drive.starts_at, drive.ends_at, self.ctx.tz).0;
        self.eligible_from().is_none_or(|f| day >= f)
    }

    fn sign_up(&mut self, drive: &DriveInfo, slot: Option<i64>) {
        let day = local_window(drive.starts_at, drive.ends_at, self.ctx.tz).0;
        if let Some(from) = self.eligible_from().filter(|f| day < *f) {
            self.say(Msg::new(MsgId::SignUpNotYet).str("date", format_vn(from)));
            self.state = Some(State::Idle);
            return;
        }
        self.state = Some(State::Idle);
        self.request = req(DriveRequest::SignUp { id: drive.id, slot });
    }

    fn drive_form(
        &mut self,
        mut draft: DriveDraft,
        field: DriveField,
        campaigns: Vec<Item>,
        input: &Input,
        text: &str,
    ) {
        match self.fill_drive_field(&mut draft, field, &campaigns, input, text) {
            Fill::Next => {}
            Fill::Wrong(why) => return self.wrong(why),
            Fill::SlotsAgain => {
                self.state = Some(State::Drive(DriveState::DriveForm {
                    draft,
                    field: DriveField::Slots,
                    campaigns,
                }));
                return;
            }
        }
        self.open_drive_form(draft, campaigns);
    }

    /// One answer of the drive form written into the draft.
    fn fill_drive_field(
        &mut self,
        draft: &mut DriveDraft,
        field: DriveField,
        campaigns: &[Item],
        input: &Input,
        text: &str,
    ) -> Fill {
        let today = self.ctx.today;
        match field {
            DriveField::Campaign => match self.pick_listed::<NoneOfThese>(input) {
                Some(Some(Listed::Other(NoneOfThese::None))) => {
                    draft.campaign = Some(None);
                    draft.campaign_name = None;
                    Fill::Next
                }
                Some(Some(Listed::Item(id))) => match campaigns.iter().find(|c| c.id == id) {
                    Some(c) => {
                        draft.campaign = Some(Some(c.id));
                        draft.campaign_name = Some(c.label.clone());
                        Fill::Next
                    }
                    None => Fill::Wrong(MsgId::ErrorChoice.into()),
                },
                Some(None) | None => Fill::Wrong(MsgId::ErrorChoice.into()),
            },
            DriveField::Place => match parse_place(text) {
                Some(p) => {
                    draft.place = Some(p);
                    Fill::Next
                }
                None => Fill::Wrong(MsgId::DriveBadPlace.into()),
            },
            DriveField::Province => match Province::find(text) {
                ProvinceMatch::One { province, .. } => {
                    draft.province = Some(province);
                    Fill::Next
                }
                ProvinceMatch::Many(list) => {
                    let names: Vec<&str> = list.iter().map(|p| p.name()).collect();
                    Fill::Wrong(Msg::new(MsgId::DriveProvinceWhich).str("names", names.join(", ")))
                }
                ProvinceMatch::None => Fill::Wrong(MsgId::ErrorProvince.into()),
            },
            DriveField::Commune => {
                draft.commune = Some(if is_skip(self.ctx, input) {
                    String::new()
                } else {
                    match crate::domain::donor::parse_commune(text) {
                        Ok(c) => c,
                        Err(_) => return Fill::Wrong(MsgId::DriveBadPlace.into()),
                    }
                });
                Fill::Next
            }
            DriveField::Date => match parse_upcoming_day(text, today) {
                Some(d) => {
                    draft.date = Some(d);
                    Fill::Next
                }
                None => Fill::Wrong(MsgId::DriveBadDate.into()),
            },
            DriveField::Time => self.fill_drive_time(draft, text),
            DriveField::Capacity => match parse_count(text) {
                Some(n) if n <= 100_000 => {
                    draft.capacity = Some(n);
                    Fill::Next
                }
                _ => Fill::Wrong(MsgId::DriveBadCount.into()),
            },
            DriveField::Target => {
                if is_skip(self.ctx, input) {
                    draft.target = Some(None);
                    Fill::Next
                } else {
                    match parse_count(text) {
                        Some(n) => {
                            draft.target = Some(Some(n));
                            Fill::Next
                        }
                        None => Fill::Wrong(MsgId::DriveBadCount.into()),
                    }
                }
            }
            DriveField::Slots => {
                if self.pick_as::<SlotsChoice>(input) == Some(SlotsChoice::Keep) {
                    Fill::Next
                } else if is_skip(self.ctx, input) {
                    draft.slots = Some(Vec::new());
                    Fill::Next
                } else {
                    match parse_slots(text, draft.window) {
                        Some(s) => {
                            draft.slots = Some(s);
                            Fill::Next
                        }
                        None => Fill::Wrong(MsgId::DriveBadSlots.into()),
                    }
                }
            }
        }
    }

    /// What was given is known: ask at which of today's drives, or record it.
    fn record_kind(&mut self, donor: i64, name: String, kind: DonationKind, drives: Vec<Item>) {
        if drives.is_empty() {
            self.state = Some(State::Drive(DriveState::RecordWho));
            self.request = req(DriveRequest::Record {
                donor,
                kind,
                drive: None,
            });
        } else {
            self.state = Some(State::Drive(DriveState::RecordDrive {
                donor,
                name,
                kind,
                drives,
            }))
        }
    }

    fn campaign_form(
        &mut self,
        mut draft: CampaignDraft,
        field: CampaignField,
        input: &Input,
        text: &str,
    ) {
        let today = self.ctx.today;
        match field {
            CampaignField::Name => match crate::domain::club::parse_club_name(text) {
                Some(n) => draft.name = Some(n),
                None => return self.wrong(MsgId::CampaignBadName),
            },
            CampaignField::Dates => {
                let t = text.replace("đến", "-").replace("den", "-");
                let parsed = t
                    .split_once(" - ")
                    .or_else(|| t.split_once('–'))
                    .or_else(|| t.split_once(" -"))
                    .and_then(|(a, b)| {
                        let from = parse_upcoming_day(a, today)?;
                        let to = parse_upcoming_day(b, from)?;
                        Some((from, to))
                    });
                match parsed {
                    Some(d) => draft.dates = Some(d),
                    None => return self.wrong(MsgId::CampaignBadDates),
                }
            }
            CampaignField::Units => {
                if is_skip(self.ctx, input) {
                    draft.units = Some(None);
                } else {
                    match parse_units(text) {
                        Some(u) => draft.units = Some(Some(u)),
                        None => return self.wrong(MsgId::DriveBadCount),
                    }
                }
            }
            CampaignField::People => {
                if is_skip(self.ctx, input) {
                    draft.people = Some(None);
                } else {
                    match parse_count(text) {
                        Some(n) => draft.people = Some(Some(n)),
                        None => return self.wrong(MsgId::DriveBadCount),
                    }
                }
            }
        }
        self.state = Some(match draft.next_field() {
            Some(field) => State::Drive(DriveState::CampaignForm { draft, field }),
            None => State::Drive(DriveState::CampaignReview { draft }),
        });
    }

    pub(super) fn drive_outcome(&mut self, outcome: DriveOutcome) {
        let ctx = self.ctx;
        match outcome {
            DriveOutcome::List {
                drives,
                staff,
                from,
            } => self.show_drives(drives, staff, from),
            DriveOutcome::Drive { drive, staff } => {
                self.say(drive_card(ctx.tz, &drive));
                self.state = Some(State::Drive(DriveState::DriveMenu { drive, staff }));
            }
            // Only the dashboard asks for a drive's sign-ups; a chat would read its card.
            DriveOutcome::Signups { drive, .. } => {
                self.say(drive_card(ctx.tz, &drive));
                self.state = Some(State::Idle);
            }
            // Only the dashboard asks for these (its donors page); a chat would be told to
            // ask for a link to it.
            DriveOutcome::DonorMap(_)
            | DriveOutcome::DonorCards(_)
            | DriveOutcome::CalendarImported { .. }
            | DriveOutcome::DonationsImported(_)
            | DriveOutcome::FileStaged { .. }
            | DriveOutcome::FileProgress(_)
            | DriveOutcome::FileRejected(_) => {
                self.say(MsgId::WebOnly);
                self.state = Some(State::Idle);
            }
            DriveOutcome::NoSuchDrive | DriveOutcome::Closed => {
                self.say(MsgId::DriveClosed);
                self.state = Some(State::Idle);
            }
            DriveOutcome::SignedUp { drive, .. } => {
                self.say(Msg::new(MsgId::SignedUp).msg("drive", drive_card(ctx.tz, &drive)));
                self.state = Some(State::Idle);
            }
            DriveOutcome::AlreadySigned => {
                self.say(MsgId::SignUpAlready);
                self.state = Some(State::Idle);
            }
            DriveOutcome::Full { next } => self.drive_full(next),
            DriveOutcome::SlotFull { drive } => {
                self.say(MsgId::SlotFull);
                self.state = Some(State::Drive(DriveState::ChooseSlot { drive }));
                self.prompt = super::PromptMode::Full;
            }
            DriveOutcome::SignUpCancelled { drive } => self.sign_up_cancelled(drive),
            DriveOutcome::Checkin { code, until } => {
                self.say(
                    Msg::new(MsgId::CheckinCode)
                        .str("code", code)
                        .str("until", until),
                );
                self.state = Some(State::Idle);
            }
            DriveOutcome::SelfReported => {
                self.say(MsgId::SelfReported);
                self.state = Some(State::Idle);
            }
            DriveOutcome::AlreadyRecorded => {
                self.say(MsgId::DonationAlreadyRecorded);
                self.state = Some(State::Idle);
            }
            DriveOutcome::DonationRemoved { name, removed } => self.donation_removed(name, removed),
            DriveOutcome::DonorFound {
                donor,
                name,
                blood,
                next,
                drives,
                last,
            } => self.donor_found(donor, name, blood, next, drives, last),
            DriveOutcome::DonorNotFound => {
                self.wrong(MsgId::RecordNotFound);
                self.state = Some(State::Drive(DriveState::RecordWho));
            }
            DriveOutcome::SeveralDonors => {
                self.wrong(MsgId::RecordSeveral);
                self.state = Some(State::Drive(DriveState::RecordWho));
            }
            DriveOutcome::Recorded {
                name,
                count,
                first,
                again,
            } => self.recorded(name, count, first, again),
            DriveOutcome::Report { year, report } => self.show_report(year, report),
            DriveOutcome::Plan { figures, unit } => self.show_plan(&figures, unit),
            DriveOutcome::UnitQuestion { any: true, .. } => {
                self.state = Some(State::Drive(DriveState::UnitAsk))
            }
            DriveOutcome::UnitQuestion { any: false, asked } => {
                if asked {
                    self.say(MsgId::UnitNone);
                } else {
                    // Offered after registration, and the plan has no units: the
                    // registration's own message is the last word.
                    self.prompt = super::PromptMode::Silent;
                }
                self.state = Some(State::Idle);
            }
            DriveOutcome::UnitsFound(units) if units.is_empty() => {
                self.say(MsgId::UnitNotFound);
                self.state = Some(State::Drive(DriveState::UnitAsk));
            }
            DriveOutcome::UnitsFound(units) => {
                self.state = Some(State::Drive(DriveState::UnitChoose { units }))
            }
            DriveOutcome::TargetSet(targets) => {
                self.say(crate::engine::plan::targets_msg(&targets, self.lang));
                self.state = Some(State::Idle);
            }
            DriveOutcome::UnitSet { name } => {
                self.say(Msg::new(MsgId::UnitSaved).str("unit", name));
                self.state = Some(State::Idle);
            }
            DriveOutcome::DriveForm {
                draft, campaigns, ..
            } => self.open_drive_form(draft, campaigns),
            DriveOutcome::OutsideCampaign { name, from, to } => {
                self.outside_campaign(name, from, to)
            }
            DriveOutcome::DriveSaved { new, notified } => {
                self.say(if new {
                    Msg::new(MsgId::DriveCreated)
                } else {
                    Msg::new(MsgId::DriveUpdated).num("notified", notified as f64)
                });
                self.state = Some(State::Idle);
            }
            DriveOutcome::DriveCancelled { notified } => {
                self.say(Msg::new(MsgId::DriveCancelledDone).num("notified", notified as f64));
                self.state = Some(State::Idle);
            }
            DriveOutcome::CampaignForm => {
                self.state = Some(State::Drive(DriveState::CampaignForm {
                    draft: CampaignDraft::default(),
                    field: CampaignField::Name,
                }));
            }
            DriveOutcome::MayRecord => self.state = Some(State::Drive(DriveState::RecordWho)),
            DriveOutcome::NeedsRegistration => {
                self.say(MsgId::DrivesNeedRegistration);
                self.state = Some(self.base_state());
            }
            DriveOutcome::CampaignSaved { name, new } => self.campaign_saved(name, new),
            DriveOutcome::Campaigns(list) if list.is_empty() => {
                self.say(MsgId::CampaignsNone);
                self.state = Some(State::Idle);
            }
            DriveOutcome::Campaigns(campaigns) => {
                self.state = Some(State::Drive(DriveState::CampaignList { campaigns }));
            }
            DriveOutcome::CampaignDraft(draft) => {
                self.state = Some(State::Drive(DriveState::CampaignReview { draft }));
            }
            DriveOutcome::CampaignExists => self.campaign_exists(),
        }
    }
}

/// The drive form's hours.
impl Turn<'_, '_> {
    /// The drive's hours; slots that no longer fit are named and asked again.
    fn fill_drive_time(&mut self, draft: &mut DriveDraft, text: &str) -> Fill {
        match TimeWindow::parse(text) {
            Some(w) => {
                draft.window = Some(w);
                // Slots that still fit the new hours are kept; the others are named and
                // the slots are asked about again (keep what fits, or type new ones).
                let slots = draft.slots.clone().unwrap_or_default();
                let (fit, gone): (Vec<TimeWindow>, Vec<TimeWindow>) = slots
                    .into_iter()
                    .partition(|s| s.start >= w.start && s.end <= w.end);
                if !gone.is_empty() {
                    let labels = |v: &[TimeWindow]| {
                        v.iter()
                            .map(TimeWindow::label)
                            .collect::<Vec<_>>()
                            .join(", ")
                    };
                    self.say(
                        Msg::new(MsgId::DriveSlotsNoLongerFit)
                            .str("gone", labels(&gone))
                            .str("kept", labels(&fit))
                            .num("kept_count", fit.len() as f64),
                    );
                    draft.slots = (!fit.is_empty()).then_some(fit);
                    return Fill::SlotsAgain;
                }
                Fill::Next
            }
            None => Fill::Wrong(MsgId::DriveBadTime.into()),
        }
    }
}

/// A coordinator confirming a drive's cancellation.
impl Turn<'_, '_> {
    /// Cancel this drive (everyone signed up is told)?
    fn confirm_cancel_drive_input(&mut self, input: &Input, drive: DriveInfo) {
        match self.pick_yes_no_as(input, CancelDriveChoice::Yes, CancelDriveChoice::Back) {
            Some(CancelDriveChoice::Yes) => {
                self.state = Some(State::Idle);
                self.request = req(DriveRequest::CancelDrive { id: drive.id });
            }
            Some(CancelDriveChoice::Back) => {
                self.say(MsgId::Cancelled);
                self.state = Some(State::Idle);
            }
            None => self.wrong(MsgId::ErrorChoice),
        }
    }
}

/// The coordinator's confirmation of an early donation.
impl Turn<'_, '_> {
    /// A donation inside the donor's interval: record it anyway?
    fn record_early_input(
        &mut self,
        input: &Input,
        donor: i64,
        name: String,
        kind: DonationKind,
        drives: Vec<Item>,
    ) {
        match self.pick_yes_no_as(input, Sure::Yes, Sure::No) {
            Some(Sure::Yes) => self.record_kind(donor, name, kind, drives),
            Some(Sure::No) => {
                self.say(MsgId::RecordNotRecorded);
                self.state = Some(State::Drive(DriveState::RecordWho));
            }
            None => self.wrong(MsgId::ErrorChoice),
        }
    }
}

/// The drive flows' answers that take more than a line.
impl Turn<'_, '_> {
    /// The kind of donation being recorded (or removing the last one recorded).
    fn record_kind_input(
        &mut self,
        input: &Input,
        donor: i64,
        name: String,
        drives: Vec<Item>,
        next: Option<NaiveDate>,
        last: Option<RecordedDonation>,
    ) {
        let Some(picked) = self.pick(input) else {
            return self.wrong(MsgId::ErrorChoice);
        };
        match KindChoice::parse(&picked) {
            Some(KindChoice::Back) => self.state = Some(State::Drive(DriveState::RecordWho)),
            Some(KindChoice::RemoveLast) => match last {
                Some(last) => {
                    self.state = Some(State::Drive(DriveState::RecordConfirmRemove {
                        donor,
                        name,
                        last,
                    }))
                }
                None => self.stale(),
            },
            // Inside the interval of the donation before: asked first (the same donation
            // recorded twice is recognised by the store instead).
            Some(KindChoice::Kind(kind))
                if next.is_some_and(|n| n > self.ctx.today)
                    && !last.is_some_and(|l| l.date == self.ctx.today && l.kind == kind) =>
            {
                self.state = Some(State::Drive(DriveState::RecordConfirmEarly {
                    donor,
                    name,
                    kind,
                    drives,
                    next: next.unwrap_or(self.ctx.today),
                }))
            }
            Some(KindChoice::Kind(kind)) => self.record_kind(donor, name, kind, drives),
            None => self.stale(),
        }
    }

    /// The drive form's review: save, discard, or change a field.
    fn drive_review_input(&mut self, input: &Input, draft: DriveDraft, campaigns: Vec<Item>) {
        match self.pick_yes_no_as(input, ReviewChoice::Save, ReviewChoice::Discard) {
            Some(ReviewChoice::Save) => match draft.input() {
                Some(input) => {
                    // Kept while saving: a date outside the campaign comes back here.
                    self.state = Some(State::Drive(DriveState::DriveReview { draft, campaigns }));
                    self.request = req(DriveRequest::SaveDrive { input });
                }
                None => self.stale(),
            },
            Some(ReviewChoice::Discard) => {
                self.say(MsgId::Cancelled);
                self.state = Some(State::Idle);
            }
            Some(ReviewChoice::Change(field)) => {
                self.state = Some(State::Drive(DriveState::DriveForm {
                    draft,
                    field,
                    campaigns,
                }))
            }
            None => self.wrong(MsgId::ErrorChoice),
        }
    }

    /// A drive's menu: sign up (for a slot), withdraw, edit or cancel it.
    fn drive_menu_input(&mut self, input: &Input, drive: DriveInfo) {
        let Some(picked) = self.pick(input) else {
            return self.wrong(MsgId::ErrorChoice);
        };
        match DriveMenuChoice::parse(&picked) {
            Some(DriveMenuChoice::SignUp) if !self.eligible_on(&drive) => {
                self.sign_up(&drive, None)
            }
            Some(DriveMenuChoice::SignUp) if !drive.slots.is_empty() => {
                self.state = Some(State::Drive(DriveState::ChooseSlot { drive }))
            }
            Some(DriveMenuChoice::SignUp) => self.sign_up(&drive, None),
            Some(DriveMenuChoice::CancelSignUp) => {
                self.state = Some(State::Idle);
                self.request = req(DriveRequest::CancelSignUp { id: drive.id });
            }
            Some(DriveMenuChoice::Edit) => {
                self.state = Some(State::Idle);
                self.request = req(DriveRequest::DriveForm {
                    edit: Some(drive.id),
                });
            }
            Some(DriveMenuChoice::CancelDrive) => {
                self.state = Some(State::Drive(DriveState::ConfirmCancelDrive { drive }))
            }
            Some(DriveMenuChoice::Back) => {
                self.state = Some(State::Idle);
                self.request = req(DriveRequest::List {
                    from: self.eligible_from(),
                });
            }
            None => self.stale(),
        }
    }

    /// The campaign form's review: save, discard, or change a field.
    fn campaign_review_input(&mut self, input: &Input, draft: CampaignDraft) {
        match self.pick_yes_no_as(input, ReviewChoice::Save, ReviewChoice::Discard) {
            Some(ReviewChoice::Save) => {
                // The review stays while the store answers: a taken name goes back to it.
                self.request = req(match draft.input() {
                    Some(input) => DriveRequest::SaveCampaign { input },
                    // Not complete (a stale screen): the form again.
                    None => DriveRequest::CampaignForm,
                });
                self.state = Some(State::Drive(DriveState::CampaignReview { draft }));
            }
            Some(ReviewChoice::Change(field)) => {
                self.state = Some(State::Drive(DriveState::CampaignForm { draft, field }));
            }
            Some(ReviewChoice::Discard) => {
                self.say(MsgId::Cancelled);
                self.state = Some(State::Idle);
            }
            None => self.wrong(MsgId::ErrorChoice),
        }
    }
}

/// What the drive flows say for the outcomes with more to show.
impl Turn<'_, '_> {
    /// Upcoming drives to pick from (or that there are none).
    fn show_drives(&mut self, drives: Vec<DriveInfo>, staff: bool, from: Option<NaiveDate>) {
        if drives.is_empty() {
            self.say(MsgId::DrivesNone);
            self.state = Some(State::Idle);
            return;
        }
        self.say(match from {
            Some(d) => Msg::new(MsgId::DrivesFrom).str("date", format_vn(d)),
            None if staff => Msg::new(MsgId::DrivesAll),
            None => Msg::new(MsgId::DrivesNear),
        });
        self.state = Some(drive_list(self.ctx, &drives));
    }

    /// A full drive: the next ones that are not (or that there are none).
    fn drive_full(&mut self, next: Vec<DriveInfo>) {
        if next.is_empty() {
            self.say(MsgId::DriveFull);
            self.state = Some(State::Idle);
            return;
        }
        self.say(MsgId::DriveFullNext);
        self.state = Some(drive_list(self.ctx, &next));
    }

    /// A sign-up withdrawn.
    fn sign_up_cancelled(&mut self, drive: DriveInfo) {
        let ctx = self.ctx;
        let (day, _) = local_window(drive.starts_at, drive.ends_at, ctx.tz);
        self.say(
            Msg::new(MsgId::SignUpCancelled)
                .str("place", drive.place)
                .str("date", format_vn(day)),
        );
        self.state = Some(State::Idle);
    }

    /// A donation removed as a mistake.
    fn donation_removed(&mut self, name: String, removed: RecordedDonation) {
        self.say(
            Msg::new(MsgId::RecordRemoved)
                .str("name", name)
                .str("date", format_vn(removed.date))
                .msg("kind", Msg::new(super::donation_kind_label(removed.kind))),
        );
        self.state = Some(State::Drive(DriveState::RecordWho));
    }

    /// The donor a coordinator is recording: who, and whether they may give today.
    fn donor_found(
        &mut self,
        donor: i64,
        name: String,
        blood: String,
        next: Option<NaiveDate>,
        drives: Vec<Item>,
        last: Option<RecordedDonation>,
    ) {
        let ctx = self.ctx;
        // Said about the donor, to the coordinator.
        let eligible = match next {
            Some(d) if d > ctx.today => {
                Msg::new(MsgId::RecordEligibleFrom).str("date", format_vn(d))
            }
            _ => Msg::new(MsgId::RecordEligibleNow),
        };
        self.say(
            Msg::new(MsgId::RecordFound)
                .str("name", name.clone())
                .str("blood", blood)
                .msg("eligible", eligible),
        );
        self.state = Some(State::Drive(DriveState::RecordKind {
            donor,
            name,
            drives,
            next,
            last,
        }));
    }

    /// A donation recorded (or already recorded today).
    fn recorded(&mut self, name: String, count: i64, first: bool, again: bool) {
        self.say(if again {
            Msg::new(MsgId::DonationAlreadyRecorded)
        } else {
            Msg::new(MsgId::RecordDoneOne)
                .str("name", name)
                .num("count", count as f64)
                .str("first", if first { "yes" } else { "no" })
        });
        self.state = Some(State::Drive(DriveState::RecordWho));
    }

    /// This year's figures.
    /// A school or workplace typed (or skipped).
    fn unit_answer(&mut self, input: &Input, text: &str) {
        let skip = ["bo qua", "boqua", "khong", "skip", "no", "none"];
        if self.pick_as::<Skip>(input).is_some()
            || skip.contains(&crate::domain::text::fold(text).as_str())
        {
            return self.unit_skipped();
        }
        match text.chars().count() {
            2..=80 => {
                self.request = req(DriveRequest::FindUnit {
                    text: text.to_string(),
                })
            }
            _ => self.wrong(MsgId::UnitNotFound),
        }
    }

    fn unit_skipped(&mut self) {
        self.say(MsgId::UnitSkipped);
        self.state = Some(State::Idle);
    }

    fn show_plan(&mut self, figures: &PlanFigures, unit: Option<String>) {
        let ctx = self.ctx;
        if let Some(unit) = unit.filter(|_| figures.units.is_empty()) {
            self.say(Msg::new(MsgId::PlanNoUnit).str("unit", unit));
        } else {
            let lines: Vec<String> =
                crate::engine::plan::plan_report(ctx.catalogue, self.lang, figures)
                    .iter()
                    .map(|m| ctx.catalogue.render(self.lang, m))
                    .collect();
            self.say(Msg::new(MsgId::ValueText).str("text", lines.join("\n")));
        }
        self.state = Some(State::Idle);
    }

    fn show_report(&mut self, year: i32, report: Report) {
        let ctx = self.ctx;
        self.say(report_msg(
            ctx.catalogue,
            self.lang,
            ctx.tz,
            year,
            &report,
            false,
        ));
        self.state = Some(State::Idle);
    }

    /// The drive form at its first empty field (or its review when none is).
    fn open_drive_form(&mut self, draft: DriveDraft, campaigns: Vec<Item>) {
        self.state = Some(match draft.next_field() {
            Some(field) => State::Drive(DriveState::DriveForm {
                draft,
                field,
                campaigns,
            }),
            None => State::Drive(DriveState::DriveReview { draft, campaigns }),
        });
    }

    /// The drive's day falls outside its campaign: the date is asked again.
    fn outside_campaign(&mut self, name: String, from: NaiveDate, to: NaiveDate) {
        let Some(State::Drive(DriveState::DriveReview {
            mut draft,
            campaigns,
        })) = self.state.take()
        else {
            self.state = Some(State::Idle);
            return self.say(MsgId::Cancelled);
        };
        self.say(
            Msg::new(MsgId::DriveOutsideCampaign)
                .str("date", draft.date.map(format_vn).unwrap_or_default())
                .str("campaign", name)
                .str("from", format_vn(from))
                .str("to", format_vn(to)),
        );
        draft.date = None;
        self.state = Some(State::Drive(DriveState::DriveForm {
            draft,
            field: DriveField::Date,
            campaigns,
        }));
    }

    /// A campaign created or edited.
    fn campaign_saved(&mut self, name: String, new: bool) {
        let id = if new {
            MsgId::CampaignCreated
        } else {
            MsgId::CampaignUpdated
        };
        self.say(Msg::new(id).str("name", name));
        self.state = Some(State::Idle);
    }

    /// Another campaign has that name: back to the name, keeping the rest.
    fn campaign_exists(&mut self) {
        self.say(MsgId::CampaignExists);
        let draft = match self.state.take() {
            Some(State::Drive(DriveState::CampaignReview { draft })) => draft,
            _ => CampaignDraft::default(),
        };
        self.state = Some(State::Drive(DriveState::CampaignForm {
            draft,
            field: CampaignField::Name,
        }));
        self.prompt = super::PromptMode::Full;
    }
}

/// Drives to pick one from.
fn drive_list(ctx: &Ctx, drives: &[DriveInfo]) -> State {
    State::Drive(DriveState::DriveList {
        drives: drives
            .iter()
            .map(|d| Item {
                id: d.id,
                label: drive_label(ctx, d),
            })
            .collect(),
    })
}

/// What an answer of the drive form did.
enum Fill {
    /// Written: on to the next empty field.
    Next,
    /// Not understood: this, and the question again.
    Wrong(Msg),
    /// The new hours leave slots out: the slots are asked again.
    SlotsAgain,
}

fn field_code(f: DriveField) -> &'static str {
    match f {
        DriveField::Campaign => "f_campaign",
        DriveField::Place => "f_place",
        DriveField::Province => "f_province",
        DriveField::Commune => "f_commune",
        DriveField::Date => "f_date",
        DriveField::Time => "f_time",
        DriveField::Capacity => "f_capacity",
        DriveField::Target => "f_target",
        DriveField::Slots => "f_slots",
    }
}

const FIELDS: [DriveField; 9] = [
    DriveField::Campaign,
    DriveField::Place,
    DriveField::Province,
    DriveField::Commune,
    DriveField::Date,
    DriveField::Time,
    DriveField::Capacity,
    DriveField::Target,
    DriveField::Slots,
];

fn field_label(f: DriveField) -> MsgId {
    match f {
        DriveField::Campaign => MsgId::DriveFieldCampaign,
        DriveField::Place => MsgId::DriveFieldPlace,
        DriveField::Province => MsgId::DriveFieldProvince,
        DriveField::Commune => MsgId::DriveFieldCommune,
        DriveField::Date => MsgId::DriveFieldDate,
        DriveField::Time => MsgId::DriveFieldTime,
        DriveField::Capacity => MsgId::DriveFieldCapacity,
        DriveField::Target => MsgId::DriveFieldTarget,
        DriveField::Slots => MsgId::DriveFieldSlots,
    }
}

fn figures_line(name: &str, f: &Figures) -> Msg {
    Msg::new(MsgId::ReportLine)
        .opt("name", name)
        .num("signups", f.signups as f64)
        .num("donations", f.donations as f64)
        .opt("target", f.target_label().unwrap_or_default())
        .str(
            "percent",
            f.units_percent().map(|p| p.to_string()).unwrap_or_default(),
        )
        .num("reached", f.reached as f64)
        .opt(
            "repeat",
            f.repeat_percent()
                .map(|p| p.to_string())
                .unwrap_or_default(),
        )
}

/// The report as one message: campaigns with figures and their drives (`everything`: also
/// those with none yet, as the command line shows them), the rest of the year, the total.
pub fn report_msg(
    catalogue: &crate::messages::Catalogue,
    lang: crate::messages::Lang,
    tz: chrono_tz::Tz,
    year: i32,
    r: &Report,
    everything: bool,
) -> Msg {
    let mut lines: Vec<String> = Vec::new();
    let mut active = 0;
    for c in &r.campaigns {
        let idle = c.figures.signups == 0 && c.figures.donations == 0 && c.figures.reached == 0;
        if !idle {
            active += 1;
        }
        // Campaigns without any activity stay out of the chat report (the CSV has them).
        if idle && !everything {
            continue;
        }
        lines.push(catalogue.render(lang, &figures_line(&c.campaign.name, &c.figures)));
        for (d, f) in &c.drives {
            if f.signups == 0 && f.donations == 0 && !everything {
                continue;
            }
            let (day, w) = local_window(d.starts_at, d.ends_at, tz);
            let name = format!("  · {} ({} {})", d.place, format_vn(day), w.label());
            // People reached are counted per campaign, not per drive.
            let f = Figures { reached: 0, ..*f };
            lines.push(catalogue.render(lang, &figures_line(&name, &f)));
        }
    }
    let other = &r.other;
    Msg::new(MsgId::Report)
        .num("year", f64::from(year))
        .num("campaigns", r.campaigns.len() as f64)
        .num("active", f64::from(active))
        .str("lines", lines.join("\n"))
        .msg(
            "other",
            Msg::new(MsgId::ReportOther)
                .num("signups", other.signups as f64)
                .num("donations", other.donations as f64)
                .opt(
                    "repeat",
                    other
                        .repeat_percent()
                        .map(|p| p.to_string())
                        .unwrap_or_default(),
                ),
        )
        .msg("total", figures_line("", &r.total()))
}

/// The question and options of a drive state.
pub(super) fn prompt(ctx: &Ctx, state: &DriveState, r: &mut Reply) {
    match state {
        DriveState::DriveList { drives } => {
            r.parts.push(Msg::new(MsgId::DrivesPick));
            r.choices = Listed::<Back>::offer(drives, [back()]);
        }
        DriveState::DriveMenu { drive, staff } => {
            r.parts.push(Msg::new(MsgId::DriveMenu));
            let mut c = Vec::new();
            if drive.mine.is_some() {
                c.push(
                    DriveMenuChoice::CancelSignUp
                        .offer(MsgId::ChoiceCancelSignUp, &["huy dang ky", "khong di"]),
                );
            } else if !drive.full() && !*staff {
                c.push(
                    DriveMenuChoice::SignUp
                        .offer(MsgId::ChoiceSignUp, &["dang ky", "sign up", "di"]),
                );
            }
            if *staff {
                c.push(DriveMenuChoice::Edit.offer(MsgId::ChoiceEditDrive, &["sua", "edit"]));
                c.push(DriveMenuChoice::CancelDrive.offer(MsgId::ChoiceCancelDrive, &[]));
            }
            c.push(DriveMenuChoice::Back.offer(MsgId::ChoiceBack, &["quay lai", "back"]));
            r.choices = c;
        }
        DriveState::ChooseSlot { drive } => {
            r.parts.push(Msg::new(MsgId::ChooseSlot));
            r.choices = drive
                .slots
                .iter()
                .filter(|s| !s.full())
                .map(|s| Choice {
                    value: Listed::<Back>::Item(s.id).value(),
                    label: Label::Plain(format!(
                        "{} ({})",
                        local_window(s.starts_at, s.ends_at, ctx.tz).1.label(),
                        s.capacity - s.taken
                    )),
                    synonyms: &[],
                })
                .chain([back()])
                .collect();
        }
        DriveState::ConfirmCancelDrive { drive } => {
            r.parts.push(
                Msg::new(MsgId::ConfirmCancelDrive)
                    .str("place", drive.place.clone())
                    .num("signups", drive.taken as f64),
            );
            r.choices = vec![
                CancelDriveChoice::Yes.offer(MsgId::ChoiceCancelDrive, &["co", "yes"]),
                CancelDriveChoice::Back.offer(MsgId::ChoiceBack, &["quay lai", "back"]),
            ];
        }
        DriveState::SelfReportKind => {
            r.parts.push(Msg::new(MsgId::SelfReportAsk));
            r.choices = kind_choices().into_iter().chain([kind_back()]).collect();
        }
        DriveState::UnitAsk => {
            r.parts.push(Msg::new(MsgId::AskUnit));
            r.choices = vec![Skip::Skip.offer(MsgId::ChoiceSkip, &["bo qua", "skip"])];
        }
        DriveState::UnitChoose { units } => {
            r.parts.push(Msg::new(MsgId::ChooseUnit));
            r.choices = Listed::<UnitOther>::offer(
                units,
                [
                    UnitOther::Retry.offer(MsgId::ChoiceUnitRetry, &["go lai", "khac", "retry"]),
                    UnitOther::Skip.offer(MsgId::ChoiceSkip, &["bo qua", "skip"]),
                ],
            );
        }
        DriveState::RecordWho => r.parts.push(Msg::new(MsgId::RecordAsk)),
        DriveState::RecordKind { last, .. } => {
            r.parts.push(Msg::new(MsgId::RecordKindAsk));
            let remove = last.map(|l| Choice {
                value: KindChoice::RemoveLast.value().into(),
                label: Label::Msg(
                    Msg::new(MsgId::ChoiceRemoveDonation)
                        .str("date", format_vn(l.date))
                        .msg("kind", Msg::new(super::donation_kind_label(l.kind))),
                ),
                synonyms: &["xoa", "remove"],
            });
            r.choices = kind_choices()
                .into_iter()
                .chain(remove)
                .chain([kind_back()])
                .collect();
        }
        DriveState::RecordConfirmEarly { name, next, .. } => {
            r.parts.push(
                Msg::new(MsgId::RecordEarlyConfirm)
                    .str("name", name.clone())
                    .str("next", format_vn(*next)),
            );
            r.choices = vec![
                Sure::Yes.offer(MsgId::ChoiceRecordAnyway, &["co", "yes", "van ghi"]),
                Sure::No.offer(MsgId::ChoiceDontRecord, &["khong", "no"]),
            ];
        }
        DriveState::RecordConfirmRemove { name, last, .. } => {
            r.parts.push(
                Msg::new(MsgId::RecordRemoveConfirm)
                    .str("name", name.clone())
                    .str("date", format_vn(last.date))
                    .msg("kind", Msg::new(super::donation_kind_label(last.kind))),
            );
            r.choices = vec![
                Sure::Yes.offer(MsgId::ChoiceRemoveYes, &["co", "yes", "xoa"]),
                Sure::No.offer(MsgId::ChoiceBack, &["khong", "no"]),
            ];
        }
        DriveState::RecordDrive { drives, .. } => {
            r.parts.push(Msg::new(MsgId::RecordDriveAsk));
            r.choices = Listed::<NoneOfThese>::offer(
                drives,
                [NoneOfThese::None.offer(MsgId::ChoiceNoDrive, &["khong", "none"])],
            );
        }
        DriveState::DriveForm {
            draft,
            field,
            campaigns,
        } => {
            let id = match field {
                DriveField::Campaign => MsgId::DriveAskCampaign,
                DriveField::Place => MsgId::DriveAskPlace,
                DriveField::Province => MsgId::DriveAskProvince,
                DriveField::Commune => MsgId::DriveAskCommune,
                DriveField::Date => MsgId::DriveAskDate,
                DriveField::Time => MsgId::DriveAskTime,
                DriveField::Capacity => MsgId::DriveAskCapacity,
                DriveField::Target => MsgId::DriveAskTarget,
                DriveField::Slots => MsgId::DriveAskSlots,
            };
            r.parts.push(Msg::new(id));
            match field {
                DriveField::Campaign => {
                    r.choices = Listed::<NoneOfThese>::offer(
                        campaigns,
                        [NoneOfThese::None.offer(MsgId::ChoiceNoCampaign, &["khong", "none"])],
                    );
                }
                DriveField::Slots if draft.slots.as_ref().is_some_and(|s| !s.is_empty()) => {
                    r.choices = vec![
                        SlotsChoice::Keep.offer(MsgId::ChoiceKeepSlots, &["giu", "keep"]),
                        SlotsChoice::Skip
                            .offer(MsgId::ChoiceSkip, &["bo qua", "skip", "khong", "none", "-"]),
                    ];
                }
                DriveField::Commune | DriveField::Target | DriveField::Slots => {
                    r.choices = vec![skip()];
                }
                _ => {}
            }
            let _ = draft;
        }
        DriveState::DriveReview { draft, .. } => {
            r.parts.push(draft_summary(draft));
            r.choices = review_choices(FIELDS.iter().map(|f| (*f, field_label(*f))));
        }
        DriveState::CampaignForm { field, .. } => {
            r.parts.push(Msg::new(match field {
                CampaignField::Name => MsgId::CampaignAskName,
                CampaignField::Dates => MsgId::CampaignAskDates,
                CampaignField::Units => MsgId::CampaignAskUnits,
                CampaignField::People => MsgId::CampaignAskPeople,
            }));
            if matches!(field, CampaignField::Units | CampaignField::People) {
                r.choices = vec![skip()];
            }
        }
        DriveState::CampaignReview { draft } => {
            let (from, to) = draft.dates.unwrap_or_default();
            let units = match draft.units.flatten() {
                Some((a, b)) if a == b => a.to_string(),
                Some((a, b)) => format!("{a}–{b}"),
                None => String::new(),
            };
            r.parts.push(
                Msg::new(MsgId::CampaignSummary)
                    .str("name", draft.name.clone().unwrap_or_default())
                    .str("from", format_vn(from))
                    .str("to", format_vn(to))
                    .opt("units", units)
                    .opt(
                        "people",
                        draft
                            .people
                            .flatten()
                            .map(|p| p.to_string())
                            .unwrap_or_default(),
                    ),
            );
            r.choices = review_choices([
                (CampaignField::Name, MsgId::CampaignFieldName),
                (CampaignField::Dates, MsgId::CampaignFieldDates),
                (CampaignField::Units, MsgId::CampaignFieldUnits),
                (CampaignField::People, MsgId::CampaignFieldPeople),
            ]);
        }
        DriveState::CampaignList { campaigns } => {
            r.parts.push(Msg::new(MsgId::CampaignsPick));
            r.choices = Listed::<Back>::offer(campaigns, [back()]);
        }
    }
}

fn draft_summary(d: &DriveDraft) -> Msg {
    let slots = d
        .slots
        .as_ref()
        .map(|s| {
            s.iter()
                .map(TimeWindow::label)
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    Msg::new(MsgId::DriveSummary)
        .opt("campaign", d.campaign_name.clone().unwrap_or_default())
        .str("place", d.place.clone().unwrap_or_default())
        .str(
            "province",
            d.province.map(|p| p.name().to_string()).unwrap_or_default(),
        )
        .opt("commune", d.commune.clone().unwrap_or_default())
        .str("date", d.date.map(format_vn).unwrap_or_default())
        .str("time", d.window.map(|w| w.label()).unwrap_or_default())
        .num("capacity", d.capacity.unwrap_or_default() as f64)
        .opt(
            "target",
            d.target
                .flatten()
                .map(|t| t.to_string())
                .unwrap_or_default(),
        )
        .opt("slots", slots)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_new_states_read_back_as_stored() {
        use crate::engine::State;
        for json in [
            r#"{"state":"unit_ask"}"#,
            r#"{"state":"unit_choose","units":[{"id":1,"label":"Trường Đại học Hải Phòng"}]}"#,
            r#"{"state":"family_menu","code":"ABCDEF"}"#,
            r#"{"state":"family_menu"}"#,
        ] {
            let state: State = serde_json::from_str(json).unwrap_or_else(|e| panic!("{json}: {e}"));
            assert_eq!(serde_json::to_string(&state).unwrap(), json);
        }
        let s: State = serde_json::from_str(r#"{"state":"unit_ask"}"#).unwrap();
        assert_eq!(s, State::Drive(DriveState::UnitAsk));
    }

    #[test]
    fn report_arguments_name_a_year_a_unit_or_the_plan() {
        let plan = |args: &str| match plan_request(args) {
            Some(DriveRequest::PlanReport { year, unit }) => Some((year, unit)),
            _ => None,
        };
        assert_eq!(plan(""), None, "the campaign report");
        assert_eq!(plan("  "), None);
        assert_eq!(plan("2026"), Some((Some(2026), None)));
        assert_eq!(plan("kế hoạch"), Some((None, None)));
        assert_eq!(plan("ke hoach"), Some((None, None)));
        assert_eq!(plan("Lê Chân"), Some((None, Some("Lê Chân".into()))));
        assert_eq!(
            plan("2025  Đại học Hải Phòng"),
            Some((Some(2025), Some("Đại học Hải Phòng".into())))
        );
        // Not a year: a unit named by number.
        assert_eq!(plan("3000"), Some((None, Some("3000".into()))));
        let long = "x".repeat(500);
        assert_eq!(plan(&long).and_then(|p| p.1).map(|u| u.len()), Some(80));
    }

    #[test]
    fn fixed_point_days_read_as_one_list() {
        let cat = crate::messages::Catalogue::load().unwrap();
        let text = |code: Option<&str>| cat.render(crate::messages::Lang::Vi, &open_days(code));
        assert_eq!(text(Some("2,4")), "Thứ Ba, Thứ Năm");
        assert_eq!(text(Some("7")), "Chủ nhật");
        assert_eq!(text(Some("1,3,5")), "Thứ Hai, Thứ Tư, Thứ Sáu");
        assert_eq!(text(None), "none", "a drive's selector value");
        assert_eq!(text(Some("")), "none");
    }

    #[test]
    fn a_skipped_answer_survives_storage() {
        let draft = DriveDraft {
            campaign: Some(None),
            target: Some(None),
            ..DriveDraft::default()
        };
        let json = serde_json::to_string(&draft).unwrap();
        assert_eq!(serde_json::from_str::<DriveDraft>(&json).unwrap(), draft);
        let fresh = serde_json::to_string(&DriveDraft::default()).unwrap();
        assert_eq!(
            serde_json::from_str::<DriveDraft>(&fresh).unwrap(),
            DriveDraft::default()
        );
        let c = CampaignDraft {
            units: Some(None),
            people: Some(Some(5)),
            ..CampaignDraft::default()
        };
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(serde_json::from_str::<CampaignDraft>(&json).unwrap(), c);
    }

    #[test]
    fn units_and_slots_typed() {
        assert_eq!(parse_units("500"), Some((500, 500)));
        assert_eq!(parse_units("500-600"), Some((500, 600)));
        assert_eq!(parse_units("600-500"), None);
        assert_eq!(parse_units("nhiều"), None);
        let w = TimeWindow::parse("07:30-11:30");
        assert_eq!(
            parse_slots("07:30-09:00, 09:00-10:30", w).map(|s| s.len()),
            Some(2)
        );
        // Outside the drive, overlapping, or not times at all.
        assert_eq!(parse_slots("06:00-08:00", w), None);
        assert_eq!(parse_slots("07:30-09:00, 08:30-10:00", w), None);
        assert_eq!(parse_slots("sáng", w), None);
    }
}
