//! The conversation engine: decides what to say. One pure function, [`step`], maps where a
//! conversation stands and what the person just sent to where it stands next, what changes in
//! their profile, and the reply. It knows no platform, no database and no clock (today's date
//! comes in [`Ctx`]), so every channel shares it and tests drive it directly.
//!
//! A registration, as the terminal shows it (Telegram shows the options as buttons):
//!
//! ```text
//! > xin chào
//! Xin chào! Đây là hienmau, trợ lý hiến máu tình nguyện…  [consent text]
//!   1. Đồng ý   2. Không đồng ý
//! > 1
//! Cảm ơn bạn! … Họ và tên đầy đủ của bạn là gì?
//! > Nguyễn Thị Lan
//! Số điện thoại di động của bạn?
//! > 0912 345 67
//! Số điện thoại di động gồm 10 chữ số, ví dụ 0912 345 678. …
//! > 0912 345 678
//! Ngày sinh của bạn? (ngày/tháng/năm, ví dụ 05/03/1995)
//! …  sex, weight, blood group, province, commune, last donation, then a summary:
//!   1. Xác nhận   2. Sửa thông tin
//! ```
//!
//! Wrong input re-asks the same question and keeps the state; every valid answer is saved at
//! once (the store writes [`Step::donor`] in the same transaction as the reply), so nothing
//! given is lost. Slash commands work in every state.

use crate::domain::donor::{Donor, Field};
use crate::domain::eligibility::{DonationKind, Rules};
use crate::domain::phone::PhoneNumber;
use crate::domain::text::fold;
use crate::domain::understand;
use crate::messages::{Catalogue, Lang, Msg, MsgId};
use buttons::{Buttons, Consent, Listed};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Version of the consent text in `messages/*/registration.ftl` (`consent-text`). Change it
/// whenever that text changes: the consent record names the version agreed to. Since
/// 2026-12-v2 the text names Zalo notifications (template messages) to the donor's phone.
pub const CONSENT_VERSION: &str = crate::domain::zns::CONSENT_FROM;

/// Where a conversation stands. Stored as JSON between messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum State {
    AwaitConsent,
    Ask {
        field: Field,
    },
    AgeDecision,
    ChooseProvince {
        candidates: Vec<String>,
    },
    Summary,
    EditMenu,
    Idle,
    /// A donor who agreed to an older consent text is asked once to agree to the current
    /// one; what they had written is handled after their answer.
    RenewConsent {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pending: Option<String>,
    },
    ConfirmDelete {
        back: Box<State>,
    },
    ChooseLanguage {
        back: Box<State>,
    },
    // Clubs and broadcasts (engine/club.rs), drives, donations and campaigns
    // (engine/drive/), urgent call-outs and settings (engine/callout.rs): each
    // capability's own states, stored in the same shape (`{"state": "drive_form", …}`).
    #[serde(untagged)]
    Club(club::ClubState),
    #[serde(untagged)]
    Drive(drive::DriveState),
    #[serde(untagged)]
    Callout(callout::CalloutState),
}

/// What the engine asks the app to read or do, by capability. A turn that needs the
/// database ends with one; the app carries it out (`app/requests.rs`) and the turn goes on
/// in [`resume`] with its [`Outcome`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    Club(ClubRequest),
    Drive(DriveRequest),
    Callout(CalloutRequest),
    /// Is this typed phone already another donor's? Asked before it is kept.
    PhoneInUse {
        phone: PhoneNumber,
    },
}

impl Request {
    /// A file to check whole and write in steps, outside any one transaction.
    pub fn is_file(&self) -> bool {
        matches!(
            self,
            Request::Drive(
                DriveRequest::ImportCalendar { .. } | DriveRequest::ImportDonations { .. }
            )
        )
    }

    /// Whether carrying it out may read the person's stored profile, so that a profile
    /// changed in the same step must be written first. Only the two a registration asks
    /// are known not to (the phone check reads other donors; the unit question reads the
    /// plan); any other is taken to.
    pub fn reads_stored_profile(&self) -> bool {
        !matches!(
            self,
            Request::PhoneInUse { .. } | Request::Drive(DriveRequest::OfferUnit { .. })
        )
    }
}

impl Request {
    /// Whether carrying it out reads what it likes but writes only the person's own rows
    /// (their donor, accounts, sign-in links, the audit entries of what they read), so that
    /// a unit of work for people may carry it out beside others' (`Store::begin_for_people`).
    /// Anything else changes something shared — a drive's places, a call-out, a club,
    /// someone else, the plan — and is carried out holding the whole database. A phone check
    /// is the person's only for a phone the unit locked (one typed in its messages): the
    /// caller checks that. Every request is named here, so that a new one must be placed.
    pub fn keeps_to_the_person(&self) -> bool {
        use CalloutRequest as C;
        use ClubRequest as K;
        use DriveRequest as D;
        match self {
            Request::PhoneInUse { .. } => true,
            Request::Drive(r) => match r {
                D::List { .. }
                | D::Show { .. }
                | D::FindDonor { .. }
                | D::Report
                | D::OfferUnit { .. }
                | D::FindUnit { .. }
                | D::SetUnit { .. }
                | D::PlanReport { .. }
                | D::DriveForm { .. }
                | D::Signups { .. }
                | D::Month { .. }
                | D::CampaignForm
                | D::CampaignList
                | D::FileProgress { .. }
                | D::DonorMap
                | D::LookupDonor { .. }
                | D::EditCampaign { .. } => true,
                D::SignUp { .. }
                | D::CancelSignUp { .. }
                | D::Checkin
                | D::SelfReport { .. }
                | D::Record { .. }
                | D::RemoveDonation { .. }
                | D::SetTarget { .. }
                | D::SaveDrive { .. }
                | D::CancelDrive { .. }
                | D::SaveCampaign { .. }
                | D::ImportCalendar { .. }
                | D::ImportDonations { .. } => false,
            },
            Request::Club(r) => match r {
                K::MyClubs
                | K::Club { .. }
                | K::Members { .. }
                | K::CanCreateClub
                | K::BroadcastOptions
                | K::PreviewBroadcast { .. }
                | K::MyBroadcasts
                | K::Audit
                | K::AuditSearch(_)
                | K::DashboardLink
                | K::DeliveryHealth
                | K::Family
                | K::Leaderboard { .. } => true,
                K::JoinClub { .. }
                | K::LeaveClub { .. }
                | K::MuteClub { .. }
                | K::RemoveMember { .. }
                | K::CreateClub { .. }
                | K::SendBroadcast { .. }
                | K::CancelBroadcast { .. }
                | K::SetRole { .. }
                | K::CreateFamily
                | K::JoinFamily { .. }
                | K::LeaveFamily => false,
            },
            Request::Callout(r) => match r {
                C::Form
                | C::Preview { .. }
                | C::List
                | C::Show { .. }
                | C::Pledges { .. }
                | C::Stock => true,
                // A tally numbers itself (a counter on the call-out).
                C::Tally { .. }
                | C::Start { .. }
                | C::Close { .. }
                | C::Extend { .. }
                | C::Mark { .. }
                | C::Answer { .. }
                | C::SetStock { .. } => false,
            },
        }
    }
}

/// What came of a [`Request`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Club(ClubOutcome),
    Drive(DriveOutcome),
    Callout(CalloutOutcome),
    /// The typed phone, and whether another donor already has it.
    PhoneInUse {
        phone: PhoneNumber,
        taken: bool,
    },
    /// The person's roles do not allow it.
    Refused,
}

/// An entry in a list of options (a drive, a campaign, a call-out, a pledge): its id and
/// how it is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    pub id: i64,
    pub label: String,
}

/// What is stored between messages: the state, and a club invite code to use once the
/// registration is complete (a stranger who opened a club's link).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Saved {
    #[serde(flatten)]
    pub state: State,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub join: Option<String>,
    /// An urgent ask sent to this account, answerable by a bare "1" or "2".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ask: Option<callout::PendingAsk>,
}

/// What the person sent, as the channel adapter translated it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Text(String),
    /// A tapped button: the value of one of the choices offered.
    Choice(String),
    /// A phone shared through the platform; `own` when it is the sender's own contact.
    Contact {
        phone: String,
        own: bool,
    },
    /// A sticker, photo, voice note…
    Unsupported,
}

impl Input {
    /// The input as text with no control characters ([`crate::domain::text::plain`]):
    /// whatever a person types or a platform sends is stored and shown as plain text.
    pub fn plain(self) -> Input {
        use crate::domain::text::plain;
        match self {
            Input::Text(t) => Input::Text(plain(&t).into_owned()),
            Input::Choice(c) => Input::Choice(plain(&c).into_owned()),
            Input::Contact { phone, own } => Input::Contact {
                phone: plain(&phone).into_owned(),
                own,
            },
            Input::Unsupported => Input::Unsupported,
        }
    }
}

pub struct Ctx<'a> {
    /// The Telegram bot's username, for club deep links (`t.me/<bot>?start=<code>`).
    pub telegram_bot: Option<&'a str>,
    /// Broadcasts a person may start in a day.
    pub broadcast_cap: u32,
    pub rules: &'a Rules,
    pub today: NaiveDate,
    pub now_ms: i64,
    pub org_name: &'a str,
    pub tz: chrono_tz::Tz,
    /// To recognise typed answers that spell out an option's label, in either language.
    pub catalogue: &'a Catalogue,
    /// Call-out waves and deadlines.
    pub callouts: crate::domain::callout::WavePolicy,
    /// The province of the account the person writes to (a province's own OA or bot), if
    /// it has one: offered first when the person is asked theirs.
    pub home: Option<crate::domain::province::Province>,
}

/// What the engine needs to know about the person.
#[derive(Debug, Clone, PartialEq)]
pub struct Conversation {
    /// `None` for someone who has never written, or whose data was erased.
    pub state: Option<State>,
    pub lang: Lang,
    pub donor: Option<Donor>,
    /// A club invite code waiting for the registration to complete.
    pub join: Option<String>,
    /// An urgent ask waiting for an answer.
    pub ask: Option<callout::PendingAsk>,
    /// The account holds a role (admin, coordinator, leader): staff commands work without
    /// registering as a donor, and the consent text comes only when they start to.
    pub staff: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DonorChange {
    Keep,
    /// Consent given: create the donor and the consent record.
    Create,
    Save,
    /// Save, and record the donor's agreement to the current consent text.
    Renew,
    /// Erase every personal field and the conversation; keep only anonymous counts.
    Erase,
}

/// An option offered with a reply.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    pub value: String,
    pub label: Label,
    /// More words that pick this option, folded (no diacritics, lower case).
    pub synonyms: &'static [&'static str],
}

#[derive(Debug, Clone, PartialEq)]
pub enum Label {
    Msg(Msg),
    Plain(String),
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Reply {
    pub parts: Vec<Msg>,
    pub choices: Vec<Choice>,
    /// Offer the platform's "share my phone" button, where there is one.
    pub phone_button: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// `None`: forget the conversation (declined consent, or erased).
    pub state: Option<State>,
    pub lang: Lang,
    pub donor: Option<Donor>,
    pub change: DonorChange,
    pub reply: Reply,
    pub join: Option<String>,
    pub ask: Option<callout::PendingAsk>,
    /// Data the engine needs, or a change it asks for (a club, a broadcast…): the caller
    /// carries it out and hands the outcome to [`resume`].
    pub request: Option<Request>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Command {
    Start,
    Help,
    Profile,
    Edit,
    Language,
    Pause,
    Resume,
    Delete,
    Cancel,
    Clubs,
    Join,
    NewClub,
    Broadcast,
    Broadcasts,
    Grant,
    Revoke,
    Audit,
    Leaderboard,
    Dashboard,
    Family,
    Unit,
    Target,
    Drives,
    Checkin,
    Gave,
    Record,
    Report,
    NewDrive,
    NewCampaign,
    Campaigns,
    Callout,
    Callouts,
    Stock,
    Settings,
    /// Start a donor's registration (for staff, who are not asked at first contact).
    Register,
    Unknown,
}

/// A slash command and what follows it: `"/join ABC123"` → (Join, `"ABC123"`).
fn command_of(text: &str) -> Option<(Command, &str)> {
    let rest = text.trim().strip_prefix('/')?;
    // "/help@hienmau_bot extra" → "help"
    let (word, args) = rest
        .split_once(char::is_whitespace)
        .map_or((rest, ""), |(w, a)| (w, a.trim()));
    let word = word.split('@').next().unwrap_or("").to_ascii_lowercase();
    let cmd = match word.as_str() {
        "start" | "batdau" => Command::Start,
        "help" | "trogiup" => Command::Help,
        "profile" | "hoso" => Command::Profile,
        "edit" | "sua" => Command::Edit,
        "language" | "ngonngu" | "lang" => Command::Language,
        "pause" | "tamdung" => Command::Pause,
        "resume" | "tieptuc" => Command::Resume,
        "delete" | "xoa" => Command::Delete,
        "cancel" | "huy" => Command::Cancel,
        "clubs" | "clb" | "caulacbo" => Command::Clubs,
        "join" | "thamgia" => Command::Join,
        "newclub" | "taoclb" => Command::NewClub,
        "broadcast" | "thongbao" => Command::Broadcast,
        "broadcasts" | "dathongbao" => Command::Broadcasts,
        "grant" | "capquyen" => Command::Grant,
        "revoke" | "thuhoi" => Command::Revoke,
        "audit" | "nhatky" => Command::Audit,
        "leaderboard" | "bangxephang" | "xephang" => Command::Leaderboard,
        "family" | "giadinh" => Command::Family,
        "dashboard" | "bangdieukhien" | "web" => Command::Dashboard,
        "unit" | "donvi" | "truong" | "coquan" => Command::Unit,
        "target" | "chitieu" => Command::Target,
        "drives" | "diemhien" | "lichhien" => Command::Drives,
        "checkin" | "diemdanh" => Command::Checkin,
        "gave" | "dahien" => Command::Gave,
        "record" | "ghinhan" => Command::Record,
        "report" | "baocao" => Command::Report,
        "newdrive" | "taodiem" => Command::NewDrive,
        "newcampaign" | "taochiendich" => Command::NewCampaign,
        "campaigns" | "chiendich" => Command::Campaigns,
        "callout" | "khancap" | "goimau" => Command::Callout,
        "callouts" | "dskhancap" => Command::Callouts,
        "stock" | "tonkho" => Command::Stock,
        "settings" | "caidat" => Command::Settings,
        "register" | "dangky" => Command::Register,
        _ => Command::Unknown,
    };
    Some((cmd, args))
}

/// A whole message that is a command's word without its slash: "help", "trợ giúp", "menu",
/// "hủy", "hồ sơ", "xin chào". Such words are never stored as an answer.
fn bare_command(text: &str) -> Option<Command> {
    let lower = text.trim().trim_end_matches(['!', '.', '?']).to_lowercase();
    // "hủy" with its accent: "Huy" without one is a name.
    if matches!(
        lower.as_str(),
        "hủy" | "huỷ" | "hủy bỏ" | "huỷ bỏ" | "cancel" | "thôi hủy"
    ) {
        return Some(Command::Cancel);
    }
    Some(match fold(&lower).as_str() {
        "help" | "tro giup" | "giup" | "giup do" | "giup voi" | "huong dan" | "menu" | "?" => {
            Command::Help
        }
        "ho so" | "profile" | "thong tin cua toi" | "xem ho so" => Command::Profile,
        "dang ky hien mau" | "register" => Command::Register,
        "xin chao" | "chao" | "chao ban" | "hello" | "hi" | "alo" | "start" | "bat dau" => {
            Command::Start
        }
        "ngon ngu" | "language" | "doi ngon ngu" => Command::Language,
        _ => return None,
    })
}

/// "tham gia clb F3BU6D", "join F3BU6D", "vào nhóm F3BU6D": joining a club by its invite
/// code without the slash; the code it names, when it is one.
fn bare_join(text: &str) -> Option<String> {
    let f = fold(text.trim());
    let mut rest = f.as_str();
    let mut verb = false;
    for v in [
        "xin tham gia ",
        "tham gia ",
        "gia nhap ",
        "xin vao ",
        "vao ",
        "join ",
    ] {
        if let Some(r) = rest.strip_prefix(v) {
            rest = r;
            verb = true;
            break;
        }
    }
    if !verb {
        return None;
    }
    for w in ["cau lac bo ", "clb ", "club ", "nhom ", "doi "] {
        rest = rest.strip_prefix(w).unwrap_or(rest);
    }
    for w in ["ma ", "code "] {
        rest = rest.strip_prefix(w).unwrap_or(rest);
    }
    crate::domain::club::parse_invite_code(rest)
}

/// Handle one message.
pub fn step(ctx: &Ctx, conv: Conversation, input: Input) -> Step {
    let mut t = Turn::new(ctx, conv);
    t.handle(input);
    t.finish()
}

/// Carry on after the caller did what [`Step::request`] asked; `conv` is where the step
/// left the conversation.
pub fn resume(ctx: &Ctx, conv: Conversation, outcome: Outcome) -> Step {
    let mut t = Turn::new(ctx, conv);
    t.outcome(outcome);
    t.finish()
}

/// The account was just joined to an existing donor (the same phone, verified on another
/// platform): say so, and carry on from that donor's profile.
pub fn linked(ctx: &Ctx, conv: Conversation) -> Step {
    let mut t = Turn::new(ctx, conv);
    let name = t
        .donor
        .as_ref()
        .and_then(|d| d.name.clone())
        .unwrap_or_default();
    t.say(Msg::new(MsgId::AccountLinked).str("name", name));
    if t.registration_incomplete() {
        t.advance();
    } else {
        t.state = Some(State::Idle);
    }
    t.finish()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PromptMode {
    /// Append the question of the state the turn ends in.
    Full,
    /// Append only its options (after an error message that already says what to do).
    ChoicesOnly,
    /// The outcome of a request the turn before asked for on its own initiative, with
    /// nothing to add: what that turn said stands alone (no "back at rest" after it).
    Silent,
}

struct Turn<'a, 'c> {
    ctx: &'a Ctx<'c>,
    state: Option<State>,
    lang: Lang,
    donor: Option<Donor>,
    change: DonorChange,
    parts: Vec<Msg>,
    prompt: PromptMode,
    join: Option<String>,
    ask: Option<callout::PendingAsk>,
    request: Option<Request>,
    staff: bool,
}

impl<'a, 'c> Turn<'a, 'c> {
    fn new(ctx: &'a Ctx<'c>, conv: Conversation) -> Self {
        Turn {
            ctx,
            state: conv.state,
            lang: conv.lang,
            donor: conv.donor,
            change: DonorChange::Keep,
            parts: Vec::new(),
            prompt: PromptMode::Full,
            join: conv.join,
            ask: conv.ask,
            request: None,
            staff: conv.staff,
        }
    }

    fn finish(self) -> Step {
        let mut reply = Reply {
            parts: self.parts,
            ..Reply::default()
        };
        // While a request is out, the question waits for its outcome.
        if let (Some(state), None) = (&self.state, &self.request) {
            let p = prompt(self.ctx, state, self.donor.as_ref());
            if self.prompt == PromptMode::Full {
                reply.parts.extend(p.parts);
            }
            reply.choices = p.choices;
            reply.phone_button = p.phone_button;
        }
        // Back at rest with nothing to say ("Quay lại" from a list): never an empty reply.
        if reply.parts.is_empty()
            && reply.choices.is_empty()
            && self.request.is_none()
            && self.prompt != PromptMode::Silent
            && self.state == Some(State::Idle)
        {
            reply.parts.push(Msg::new(MsgId::BackAtRest));
        }
        let join = self.state.as_ref().and(self.join);
        let ask = self.state.as_ref().and(self.ask);
        Step {
            state: self.state,
            lang: self.lang,
            donor: self.donor,
            change: self.change,
            reply,
            join,
            ask,
            request: self.request,
        }
    }

    /// What to say and where to go once a request is done: each capability's outcome to its
    /// own flow.
    fn outcome(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Club(o) => self.club_outcome(o),
            Outcome::Drive(o) => self.drive_outcome(o),
            Outcome::Callout(o) => self.callout_outcome(o),
            Outcome::PhoneInUse { phone, taken } => self.phone_checked(phone, taken),
            Outcome::Refused => {
                self.say(MsgId::NotAllowed);
                self.back_to_base();
            }
        }
    }

    fn say(&mut self, id: impl Into<Msg>) {
        self.parts.push(id.into());
    }

    /// An answer was wrong: say why, keep the state, offer the same options again.
    /// Says this, and the conversation rests.
    fn done(&mut self, msg: impl Into<Msg>) {
        self.say(msg);
        self.state = Some(State::Idle);
    }

    fn wrong(&mut self, why: impl Into<Msg>) {
        self.say(why);
        self.prompt = PromptMode::ChoicesOnly;
    }

    fn saved(&mut self) {
        if self.change == DonorChange::Keep {
            self.change = DonorChange::Save;
        }
    }

    fn donor_mut(&mut self) -> &mut Donor {
        self.saved();
        self.donor.get_or_insert_with(Donor::default)
    }

    fn handle(&mut self, input: Input) {
        // An urgent ask's button, from any screen; or a bare "1"/"2" right after the ask.
        let button = match &input {
            Input::Choice(v) => callout::parse_button(v),
            // Zalo OA's quick replies come back as the person's text.
            Input::Text(t) => callout::parse_button(t.trim()),
            _ => None,
        };
        match button {
            Some(callout::CalloutButton::Answer { id, yes }) => {
                self.ask = None;
                return self.callout_answer(id, yes);
            }
            Some(callout::CalloutButton::Manage { id }) => return self.callout_manage(id),
            None => {}
        }
        if let Some(ask) = self.ask {
            // An open ask stays answerable until it is answered or closed: by its buttons
            // from any screen, and by a number, a yes or no or a sentence whenever no other
            // question is open. A question about it ("ai vậy?") is explained.
            match self.ask_answer(ask, &input) {
                Some(understand::AskReply::Pledge) => {
                    self.ask = None;
                    return self.callout_answer(ask.callout, true);
                }
                Some(understand::AskReply::Decline) => {
                    self.ask = None;
                    return self.callout_answer(ask.callout, false);
                }
                Some(understand::AskReply::Question) => {
                    self.say(Msg::new(MsgId::CalloutAskExplain).str("org", self.ctx.org_name));
                    self.state = Some(self.base_state());
                    return;
                }
                None => {
                    // Neither yes nor no ("để em hỏi vợ đã") while nothing else is asked:
                    // the ask and its two answers again, not "I did not understand".
                    let at_rest = matches!(
                        self.state,
                        None | Some(State::Idle)
                            | Some(State::Callout(callout::CalloutState::CalloutAnswer { .. }))
                    );
                    if let Input::Text(text) = &input
                        && at_rest
                        && self.ctx.now_ms >= ask.from
                        && command_of(text).is_none()
                        && bare_command(text).is_none()
                    {
                        self.say(MsgId::CalloutAskUndecided);
                        self.state = Some(State::Callout(callout::CalloutState::CalloutAnswer {
                            id: ask.callout,
                        }));
                        return;
                    }
                }
            }
        }
        if matches!(self.state, Some(State::RenewConsent { .. }))
            && self
                .pick_yes_no_as(&input, Consent::Agree, Consent::Disagree)
                .is_none()
        {
            // Not an answer (a command, a question): the renewal is not asked again, and
            // what they wrote now is handled as it is.
            self.state = Some(State::Idle);
        }
        if self.consent_outdated() {
            return self.ask_renewal(&input);
        }
        if let Input::Text(text) = &input {
            if let Some((cmd, args)) = command_of(text) {
                return self.command(cmd, args);
            }
            if let Some(cmd) = bare_command(text) {
                return self.command(cmd, "");
            }
            // Only at rest: at a question, "Vào Văn Nam" is a name.
            if matches!(self.state, None | Some(State::Idle))
                && let Some(code) = bare_join(text)
            {
                return self.command(Command::Join, &code);
            }
        }
        let Some(state) = self.state.clone() else {
            // First contact (or first after erasure): welcome, then the consent question;
            // staff are not asked for a donor's consent unless they choose to register.
            if self.staff && self.donor.is_none() {
                self.done(MsgId::WelcomeStaff);
            } else {
                self.say(Msg::new(MsgId::Welcome));
                self.state = Some(State::AwaitConsent);
            }
            return;
        };
        if input == Input::Unsupported {
            return self.say(MsgId::TextOnly);
        }
        match state {
            State::AwaitConsent => self.consent(&input),
            State::Ask { field } => self.answer(field, &input),
            State::AgeDecision => self.age_decision(&input),
            State::ChooseProvince { .. } => self.choose_province(&input),
            State::Summary => self.summary(&input),
            State::EditMenu => self.edit_menu(&input),
            State::Idle => self.idle(&input),
            State::RenewConsent { pending } => self.renew_consent(pending, input),
            State::ConfirmDelete { back } => self.confirm_delete(*back, &input),
            State::ChooseLanguage { back } => self.choose_language(*back, &input),
            State::Club(s) => self.club_input(s, &input),
            State::Drive(s) => self.drive_input(s, &input),
            State::Callout(s) => self.callout_input(s, &input),
        }
    }

    /// Back to where the person was before a side question (or to rest).
    fn back_to_base(&mut self) {
        self.state = Some(self.base_state());
    }

    /// The state to come back to after a side question (language, deletion).
    fn base_state(&self) -> State {
        match &self.state {
            None if self.staff && self.donor.is_none() => State::Idle,
            None => State::AwaitConsent,
            // Staff who were shown the consent before this version: back to rest.
            Some(State::AwaitConsent) if self.staff && self.donor.is_none() => State::Idle,
            Some(State::ConfirmDelete { back }) | Some(State::ChooseLanguage { back }) => {
                (**back).clone()
            }
            Some(s) => s.clone(),
        }
    }

    fn command(&mut self, cmd: Command, args: &str) {
        let has_donor = self.donor.is_some();
        match cmd {
            // A club's deep link: `/start <code>`.
            Command::Start if !args.is_empty() => self.join_command(args),
            Command::Start => self.start_command(),
            Command::Register => self.register_command(),
            Command::Help => {
                self.say(MsgId::Help);
                self.state = Some(self.base_state());
            }
            Command::Profile => {
                match &self.donor {
                    Some(d) => {
                        let m = profile::profile_msg(self.ctx, d, self.lang);
                        self.say(m);
                    }
                    None => self.say(MsgId::ProfileNone),
                }
                self.state = Some(self.base_state());
            }
            Command::Edit => {
                if has_donor {
                    self.state = Some(State::EditMenu);
                } else {
                    self.say(MsgId::NotRegistered);
                    self.state = Some(self.base_state());
                }
            }
            Command::Language => {
                self.state = Some(State::ChooseLanguage {
                    back: Box::new(self.base_state()),
                });
            }
            Command::Pause | Command::Resume => {
                let pause = cmd == Command::Pause;
                if has_donor {
                    self.donor_mut().paused = pause;
                    self.say(if pause { MsgId::Paused } else { MsgId::Resumed });
                } else {
                    self.say(MsgId::NotRegistered);
                }
                self.state = Some(self.base_state());
            }
            Command::Delete => {
                if has_donor {
                    self.state = Some(State::ConfirmDelete {
                        back: Box::new(self.base_state()),
                    });
                } else {
                    // Only the account id and where the chat stood are held: forget them.
                    self.say(MsgId::Deleted);
                    self.state = None;
                }
            }
            Command::Cancel => match self.base_state() {
                State::Idle | State::AwaitConsent => {
                    self.say(MsgId::NothingToCancel);
                    self.state = Some(self.base_state());
                }
                _ => self.done(if self.registration_incomplete() {
                    MsgId::CancelledIncomplete
                } else {
                    MsgId::Cancelled
                }),
            },
            Command::Clubs
            | Command::Join
            | Command::NewClub
            | Command::Broadcast
            | Command::Broadcasts
            | Command::Grant
            | Command::Revoke
            | Command::Audit
            | Command::Family
            | Command::Dashboard
            | Command::Leaderboard => self.club_command(cmd, args),
            Command::Drives
            | Command::Checkin
            | Command::Gave
            | Command::Record
            | Command::Report
            | Command::Unit
            | Command::Target
            | Command::NewDrive
            | Command::NewCampaign
            | Command::Campaigns => self.drive_command(cmd, args),
            Command::Callout | Command::Callouts | Command::Stock | Command::Settings => {
                self.callout_command(cmd, args)
            }
            Command::Unknown => {
                self.say(MsgId::UnknownCommand);
                self.state = Some(self.base_state());
            }
        }
    }

    fn pick(&self, input: &Input) -> Option<String> {
        let state = self.state.as_ref()?;
        let choices = prompt(self.ctx, state, self.donor.as_ref()).choices;
        pick(self.ctx.catalogue, &choices, input)
    }

    /// The option picked, as the screen's choice.
    pub(crate) fn pick_as<B: Buttons>(&self, input: &Input) -> Option<B> {
        self.pick(input).and_then(|v| B::parse(&v))
    }

    /// The option picked in a list of items with the screen's other buttons `B` below it:
    /// `Some(None)` when the value is neither (a screen from an older version).
    pub(crate) fn pick_listed<B: Buttons>(&self, input: &Input) -> Option<Option<Listed<B>>> {
        self.pick(input).map(|v| Listed::parse(&v))
    }

    /// The option picked, or a plain yes or no ("ừ", "đúng rồi", "ko"), as the screen's
    /// choice.
    pub(crate) fn pick_yes_no_as<B: Buttons>(&self, input: &Input, yes: B, no: B) -> Option<B> {
        self.pick_yes_no(input, yes.value(), no.value())
            .and_then(|v| B::parse(&v))
    }

    /// The option picked, or a plain yes or no ("ừ", "đúng rồi", "ko") for a yes/no question.
    pub(crate) fn pick_yes_no(&self, input: &Input, yes: &str, no: &str) -> Option<String> {
        self.pick(input).or_else(|| match input {
            Input::Text(t) => understand::yes_no(t).map(|y| if y { yes } else { no }.to_string()),
            _ => None,
        })
    }

    /// A button from an earlier question was tapped.
    fn stale(&mut self) {
        self.say(MsgId::StaleChoice);
    }

    fn idle(&mut self, input: &Input) {
        if self.registration_incomplete() {
            self.advance();
        } else if self.donor.is_none() && self.staff {
            self.say(MsgId::NotUnderstoodStaff);
        } else if self.donor.is_none() {
            self.say(MsgId::Welcome);
            self.state = Some(State::AwaitConsent);
        } else if matches!(input, Input::Choice(_)) {
            self.stale();
        } else {
            self.say(MsgId::NotUnderstood);
        }
    }
}

/// The commands that take more than a line.
impl Turn<'_, '_> {}

/// Registration's answers that take more than a line.
impl Turn<'_, '_> {}

fn choice(value: &str, label: MsgId, synonyms: &'static [&'static str]) -> Choice {
    Choice {
        value: value.to_string(),
        label: Label::Msg(Msg::new(label)),
        synonyms,
    }
}

/// The name of a kind of donation, for messages outside a conversation.
pub fn donation_kind_msg(kind: DonationKind) -> MsgId {
    donation_kind_label(kind)
}

pub fn donation_kind_label(kind: DonationKind) -> MsgId {
    match kind {
        DonationKind::WholeBlood => MsgId::ChoiceWholeBlood,
        DonationKind::Platelets => MsgId::ChoicePlatelets,
        DonationKind::Plasma => MsgId::ChoicePlasma,
    }
}

/// The question (and options) of a state: each screen's prompt stands beside its handler, in
/// the file of its flow.
pub fn prompt(ctx: &Ctx, state: &State, donor: Option<&Donor>) -> Reply {
    let mut r = Reply::default();
    match state {
        State::AwaitConsent => registration::consent_prompt(ctx, &mut r),
        State::Ask { field } => registration::ask_prompt(ctx, *field, &mut r),
        State::AgeDecision => registration::age_prompt(ctx, donor, &mut r),
        State::ChooseProvince { candidates } => registration::province_prompt(candidates, &mut r),
        State::Summary => registration::summary_prompt(ctx, donor, &mut r),
        State::EditMenu => profile::edit_prompt(donor, &mut r),
        State::Idle => {}
        State::RenewConsent { .. } => profile::renewal_prompt(ctx, &mut r),
        State::ConfirmDelete { .. } => profile::delete_prompt(&mut r),
        State::ChooseLanguage { .. } => profile::language_prompt(&mut r),
        State::Club(s) => club::prompt(ctx, s, &mut r),
        State::Drive(s) => drive::prompt(ctx, s, &mut r),
        State::Callout(CalloutState::Settings) => callout::settings_prompt(donor, &mut r),
        State::Callout(s) => callout::prompt(ctx, s, &mut r),
    }
    r
}

/// Which option an input picks: a tapped button's value, the option's number, its label in
/// either language, or one of its synonyms.
pub fn pick(catalogue: &Catalogue, choices: &[Choice], input: &Input) -> Option<String> {
    match input {
        Input::Choice(v) => choices
            .iter()
            .find(|c| c.value == *v)
            .map(|c| c.value.clone()),
        Input::Text(t) => {
            let t = t.trim();
            if let Ok(n) = t.trim_end_matches('.').parse::<usize>() {
                return n
                    .checked_sub(1)
                    .and_then(|i| choices.get(i))
                    .map(|c| c.value.clone());
            }
            let f = fold(t);
            if f.is_empty() {
                return None;
            }
            choices
                .iter()
                .find(|c| {
                    let labels = match &c.label {
                        Label::Plain(s) => vec![fold(s)],
                        Label::Msg(m) => Lang::ALL
                            .iter()
                            .map(|l| fold(&catalogue.render(*l, m)))
                            .collect(),
                    };
                    labels.contains(&f) || c.synonyms.contains(&f.as_str()) || fold(&c.value) == f
                })
                .map(|c| c.value.clone())
        }
        _ => None,
    }
}

pub(crate) mod buttons;
mod club;
pub use club::{
    ClubItem, ClubOutcome, ClubRequest, ClubState, Wide, audience_label, audit_action_label,
    kind_label, progress_msg, role_label, role_label_in,
};
pub mod drive;
pub use drive::{DriveOutcome, DriveRequest, DriveState};
pub mod callout;
pub use callout::{CalloutOutcome, CalloutRequest, CalloutState};
pub mod plan;
mod profile;
pub use profile::{blood_label, donor_card, eligibility};
mod registration;
pub(crate) use registration::blood_choices;

#[cfg(test)]
mod tests;
