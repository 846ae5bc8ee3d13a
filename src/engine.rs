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

use crate::domain::blood::{Abo, BloodGroup, Rh};
use crate::domain::body::{Sex, WeightError, WeightKg};
use crate::domain::dates::{self, DateError, LastDate, format_vn};
use crate::domain::donor::{
    Donor, Field, LastDonationAnswer, LastKind, Pending, parse_commune, parse_last_kind, parse_name,
};
use crate::domain::eligibility::{AgeCheck, DonationKind, Rules};
use crate::domain::phone::{PhoneError, PhoneNumber};
use crate::domain::province::{Province, ProvinceMatch};
use crate::domain::text::fold;
use crate::domain::understand;
use crate::messages::{Catalogue, Lang, Msg, MsgId};
use buttons::{AgeChoice, Buttons, Consent, DeleteChoice, Listed, Night, Skip, SummaryChoice};
use chrono::{Months, NaiveDate};
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
    // (engine/drive.rs), urgent call-outs and settings (engine/callout.rs): each
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

    fn registration_incomplete(&self) -> bool {
        self.donor
            .as_ref()
            .is_some_and(|d| d.registered_at.is_none())
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
                        let m = profile(self.ctx, d, self.lang);
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

    /// Go to whatever the registration needs next.
    fn advance(&mut self) {
        let Some(donor) = &self.donor else {
            self.state = Some(State::AwaitConsent);
            return;
        };
        self.state = Some(match donor.pending(self.ctx.rules, self.ctx.today) {
            Pending::Ask(field) => State::Ask { field },
            Pending::AgeDecision => State::AgeDecision,
            Pending::Complete if donor.registered_at.is_some() => {
                self.say(MsgId::Updated);
                State::Idle
            }
            Pending::Complete => State::Summary,
        });
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

    fn consent(&mut self, input: &Input) {
        match self.pick_yes_no_as(input, Consent::Agree, Consent::Disagree) {
            Some(Consent::Agree) => {
                self.donor = Some(Donor {
                    consent_at: self.ctx.now_ms,
                    consent_version: CONSENT_VERSION.to_string(),
                    ..Donor::default()
                });
                self.change = DonorChange::Create;
                self.say(MsgId::ConsentThanks);
                self.advance();
            }
            Some(Consent::Disagree) => {
                self.say(MsgId::ConsentDeclined);
                self.state = None;
            }
            None => self.wrong(MsgId::ConsentRepeat),
        }
    }

    fn answer(&mut self, field: Field, input: &Input) {
        let text = match input {
            Input::Text(t) => Some(t.as_str()),
            _ => None,
        };
        if let Input::Choice(_) = input
            && self.pick(input).is_none()
        {
            return self.stale();
        }
        if let Input::Contact { .. } = input
            && field != Field::Phone
        {
            return self.say(MsgId::TextOnly);
        }
        match field {
            Field::Name => match text.map(parse_name) {
                Some(Ok(name)) => self.donor_mut().name = Some(name),
                _ => return self.wrong(MsgId::ErrorName),
            },
            Field::Phone => return self.phone_answer(input, text),
            Field::BirthDate => return self.birth_date_answer(text),
            Field::Sex => {
                let sex = self
                    .pick(input)
                    .and_then(|v| Sex::from_code(&v))
                    .or_else(|| text.and_then(Sex::parse));
                match sex {
                    Some(sex) => self.donor_mut().sex = Some(sex),
                    None => return self.wrong(MsgId::ErrorChoice),
                }
            }
            Field::Weight => return self.weight_answer(text),
            Field::BloodGroup => {
                let group = self
                    .pick(input)
                    .and_then(|v| BloodGroup::from_code(&v))
                    .or_else(|| text.and_then(|t| BloodGroup::parse(t).ok()));
                match group {
                    Some(g) => self.donor_mut().blood_group = Some(g),
                    None => return self.wrong(MsgId::ErrorBloodGroup),
                }
            }
            Field::Province => return self.province_text(text.unwrap_or("")),
            Field::Commune => {
                if self.pick_as::<Skip>(input) == Some(Skip::Skip) {
                    self.donor_mut().commune = Some(String::new());
                } else {
                    match text.map(parse_commune) {
                        Some(Ok(c)) => self.donor_mut().commune = Some(c),
                        _ => return self.wrong(MsgId::ErrorCommune),
                    }
                }
            }
            Field::LastDonationKind => return self.last_kind_answer(input, text),
            Field::NightAlerts => match self.pick_yes_no_as(input, Night::Yes, Night::No) {
                Some(Night::Yes) => self.donor_mut().night_alerts = Some(true),
                Some(Night::No) => self.donor_mut().night_alerts = Some(false),
                None => return self.wrong(MsgId::ErrorChoice),
            },
            Field::LastDonationDate => return self.last_date_answer(text),
        }
        self.advance();
    }

    /// The store said whether a typed phone is another donor's.
    fn phone_checked(&mut self, phone: PhoneNumber, taken: bool) {
        if taken {
            // Never who has it: only that it is in use, and what to do.
            self.say(
                Msg::new(MsgId::ErrorPhoneTaken)
                    .str("phone", phone.national())
                    .str("org", self.ctx.org_name),
            );
            self.prompt = PromptMode::ChoicesOnly;
            return;
        }
        let d = self.donor_mut();
        d.phone_verified = false;
        d.phone = Some(phone);
        self.advance();
    }

    /// A button from an earlier question was tapped.
    fn stale(&mut self) {
        self.say(MsgId::StaleChoice);
    }

    fn province_text(&mut self, text: &str) {
        match Province::find(text) {
            ProvinceMatch::One { province, former } => self.set_province(province, former),
            ProvinceMatch::Many(list) => {
                let candidates = list.iter().map(|p| p.code().to_string()).collect();
                self.state = Some(State::ChooseProvince { candidates });
            }
            ProvinceMatch::None => self.wrong(MsgId::ErrorProvince),
        }
    }

    fn set_province(&mut self, province: Province, former: Option<&str>) {
        self.donor_mut().province = Some(province);
        if let Some(former) = former {
            self.say(
                Msg::new(MsgId::NoteProvinceFormer)
                    .str("former", former)
                    .str("province", province.name()),
            );
        }
        self.advance();
    }

    /// The options (the candidates) come from the state through `pick`; a new name typed
    /// instead is looked up afresh.
    fn choose_province(&mut self, input: &Input) {
        if let Some(p) = self.pick(input).and_then(|code| Province::from_code(&code)) {
            return self.set_province(p, None);
        }
        match input {
            Input::Text(t) => {
                if let ProvinceMatch::One { province, former } = Province::find(t) {
                    return self.set_province(province, former);
                }
                self.wrong(MsgId::ErrorChoice)
            }
            _ => self.stale(),
        }
    }

    fn age_decision(&mut self, input: &Input) {
        match self.pick_as(input) {
            Some(AgeChoice::Supporter) => {
                self.donor_mut().supporter = true;
                self.advance();
            }
            Some(AgeChoice::FixBirthDate) => {
                self.state = Some(State::Ask {
                    field: Field::BirthDate,
                })
            }
            None => self.wrong(MsgId::ErrorChoice),
        }
    }

    fn summary(&mut self, input: &Input) {
        match self.pick_yes_no_as(input, SummaryChoice::Confirm, SummaryChoice::Edit) {
            Some(SummaryChoice::Confirm) => {
                let now = self.ctx.now_ms;
                let d = self.donor_mut();
                d.registered_at = Some(now);
                let supporter = d.supporter;
                if supporter {
                    self.say(MsgId::RegisteredSupporter);
                } else {
                    let elig = self.donor.as_ref().map(|d| eligibility(self.ctx, d));
                    let mut m = Msg::new(MsgId::Registered);
                    if let Some(e) = elig {
                        m = m.msg("eligibility", e);
                    }
                    self.say(m);
                }
                self.state = Some(State::Idle);
                if let Some(code) = self.join.take() {
                    self.request = Some(Request::Club(ClubRequest::JoinClub { code }));
                } else if !supporter {
                    // Their school or workplace, if the plan has any (skippable).
                    self.request = Some(Request::Drive(DriveRequest::OfferUnit { asked: false }));
                }
            }
            Some(SummaryChoice::Edit) => self.state = Some(State::EditMenu),
            None => self.wrong(MsgId::ErrorChoice),
        }
    }

    fn edit_menu(&mut self, input: &Input) {
        match self.pick(input).as_deref().and_then(EditChoice::parse) {
            Some(EditChoice::Back) => {
                if self.registration_incomplete() {
                    self.advance();
                } else {
                    self.state = Some(State::Idle);
                    self.say(MsgId::Cancelled);
                }
            }
            Some(EditChoice::Field(field)) => self.state = Some(State::Ask { field }),
            None => self.wrong(MsgId::ErrorChoice),
        }
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

    /// At rest, registered, agreed to an older consent text, not asked yet.
    fn consent_outdated(&self) -> bool {
        self.state == Some(State::Idle)
            && self.donor.as_ref().is_some_and(|d| {
                d.registered_at.is_some()
                    && !d.renewal_asked
                    && d.consent_version.as_str() < CONSENT_VERSION
            })
    }

    /// Ask once: the question is remembered as asked whatever comes of it.
    fn ask_renewal(&mut self, input: &Input) {
        if let Some(d) = self.donor.as_mut() {
            d.renewal_asked = true;
        }
        self.change = DonorChange::Save;
        let pending = match input {
            Input::Text(t) if !t.trim().is_empty() => Some(t.clone()),
            _ => None,
        };
        self.state = Some(State::RenewConsent { pending });
    }

    fn renew_consent(&mut self, pending: Option<String>, input: Input) {
        match self.pick_yes_no_as(&input, Consent::Agree, Consent::Disagree) {
            Some(Consent::Agree) => {
                if let Some(d) = self.donor.as_mut() {
                    d.consent_at = self.ctx.now_ms;
                    d.consent_version = CONSENT_VERSION.to_string();
                }
                self.done(MsgId::ConsentRenewed);
                if let Some(text) = pending {
                    self.handle(Input::Text(text));
                }
                // The agreement is recorded whatever the message asked, unless it erased.
                if matches!(self.change, DonorChange::Keep | DonorChange::Save) {
                    self.change = DonorChange::Renew;
                }
            }
            Some(Consent::Disagree) => {
                self.done(MsgId::ConsentRenewalDeclined);
                if let Some(text) = pending {
                    self.handle(Input::Text(text));
                }
            }
            // Not an answer (`handle` leaves the question first): handled as it is.
            None => {
                self.state = Some(State::Idle);
                self.idle(&input);
            }
        }
    }

    fn confirm_delete(&mut self, back: State, input: &Input) {
        match self.pick_yes_no_as(input, DeleteChoice::Delete, DeleteChoice::Keep) {
            Some(DeleteChoice::Delete) => {
                self.donor = None;
                self.change = DonorChange::Erase;
                self.state = None;
                self.say(MsgId::Deleted);
            }
            Some(DeleteChoice::Keep) => {
                self.say(MsgId::DeleteKept);
                self.state = Some(back);
            }
            None => self.wrong(MsgId::ErrorChoice),
        }
    }

    fn choose_language(&mut self, back: State, input: &Input) {
        match self.pick(input).and_then(|v| Lang::from_code(&v)) {
            Some(lang) => {
                self.lang = lang;
                self.say(MsgId::LanguageSet);
                self.state = Some(back);
            }
            None => self.wrong(MsgId::ErrorChoice),
        }
    }
}

/// The commands that take more than a line.
impl Turn<'_, '_> {
    /// `/start`: welcome back (to the ask waiting, the registration left open) or welcome.
    fn start_command(&mut self) {
        if let Some(d) = &self.donor {
            let name = d.name.clone().unwrap_or_default();
            self.say(Msg::new(MsgId::WelcomeBack).str("name", name));
            let now = self.ctx.now_ms;
            if self.ask.is_some_and(|a| now >= a.from) && self.registered_donor() {
                // An urgent ask waits for this donor's answer: it stays the question
                // a bare "1" or "2" answers, and they are reminded of it.
                self.say(MsgId::CalloutAskWaiting);
                self.state = Some(self.base_state());
            } else if self.state == Some(State::Idle) && self.registration_incomplete() {
                self.advance();
            } else {
                self.state = Some(self.base_state());
            }
        } else if self.staff {
            self.done(MsgId::WelcomeStaff);
        } else {
            self.say(MsgId::Welcome);
            self.state = Some(State::AwaitConsent);
        }
    }

    /// `/register`: the profile of a donor, the consent question for anyone else.
    fn register_command(&mut self) {
        if self.donor.is_some() {
            let m = match &self.donor {
                Some(d) => profile(self.ctx, d, self.lang),
                None => Msg::new(MsgId::ProfileNone),
            };
            self.say(m);
            self.state = Some(self.base_state());
        } else {
            self.say(Msg::new(MsgId::Welcome));
            self.state = Some(State::AwaitConsent);
        }
    }
}

/// Registration's answers that take more than a line.
impl Turn<'_, '_> {
    /// The phone, typed or shared by the platform (a typed one is checked first).
    fn phone_answer(&mut self, input: &Input, text: Option<&str>) {
        let (raw, verified) = match input {
            Input::Contact { own: false, .. } => {
                return self.wrong(MsgId::ErrorContactNotOwn);
            }
            Input::Contact { phone, own: true } => (phone.as_str(), true),
            _ => (text.unwrap_or(""), false),
        };
        match PhoneNumber::parse(raw) {
            // A typed number another donor already has is checked first (a verified
            // one joins the two accounts instead, in the app).
            Ok(phone)
                if !verified
                    && self.donor.as_ref().and_then(|d| d.phone.as_ref()) != Some(&phone) =>
            {
                self.request = Some(Request::PhoneInUse { phone });
                return;
            }
            Ok(phone) => {
                let d = self.donor_mut();
                let same = d.phone.as_ref() == Some(&phone);
                d.phone_verified = verified || (same && d.phone_verified);
                d.phone = Some(phone);
            }
            Err(e) => {
                return self.wrong(match e {
                    PhoneError::NotANumber => MsgId::ErrorPhoneFormat,
                    PhoneError::WrongLength => MsgId::ErrorPhoneLength,
                    PhoneError::OldElevenDigits => MsgId::ErrorPhoneOld,
                    PhoneError::NotMobile => MsgId::ErrorPhoneNotMobile,
                    PhoneError::Foreign => MsgId::ErrorPhoneForeign,
                });
            }
        }

        self.advance();
    }

    /// The birth date (a child's data is not kept: everything typed is erased).
    fn birth_date_answer(&mut self, text: Option<&str>) {
        let (today, rules) = (self.ctx.today, self.ctx.rules);
        let parsed = dates::parse_birth(text.unwrap_or(""), today);
        match parsed {
            // A child: nothing of theirs is kept, not even as a supporter.
            Ok(birth) if dates::age_on(birth, today) < rules.min_age_to_keep_data => {
                self.say(
                    Msg::new(MsgId::ChildNotKept)
                        .num("age", f64::from(rules.min_age_to_keep_data))
                        .num("min", f64::from(rules.min_age)),
                );
                self.donor = None;
                self.change = DonorChange::Erase;
                self.state = None;
                return;
            }
            Ok(birth) => {
                let in_range = rules.check_age(birth, today) == AgeCheck::InRange;
                let d = self.donor_mut();
                d.birth_date = Some(birth);
                if in_range {
                    d.supporter = false;
                }
            }
            Err(e) => {
                return self.wrong(match e {
                    DateError::NotADate => MsgId::ErrorDateFormat,
                    DateError::NoSuchDay => MsgId::ErrorDateNoSuchDay,
                    DateError::InFuture => MsgId::ErrorDateFuture,
                    DateError::TooOld => MsgId::ErrorBirthDateTooOld,
                });
            }
        }

        self.advance();
    }

    /// The weight (noted when below the minimum for the donor's sex).
    fn weight_answer(&mut self, text: Option<&str>) {
        let rules = self.ctx.rules;
        match WeightKg::parse(text.unwrap_or("")) {
            Ok(w) => {
                let d = self.donor_mut();
                d.weight = Some(w);
                if let Some(sex) = d.sex
                    && !rules.weight_ok(sex, w)
                {
                    let min = rules.min_weight(sex);
                    self.say(Msg::new(MsgId::NoteWeightBelow).num("min", min));
                }
            }
            Err(e) => {
                return self.wrong(match e {
                    WeightError::NotAWeight => MsgId::ErrorWeightFormat,
                    WeightError::Implausible => MsgId::ErrorWeightRange,
                    WeightError::WrongUnit => MsgId::ErrorWeightUnit,
                });
            }
        };
        self.advance();
    }

    /// What the donor last gave (or never).
    fn last_kind_answer(&mut self, input: &Input, text: Option<&str>) {
        let picked = match self.pick(input) {
            Some(value) => LastKind::from_value(&value),
            None => text.and_then(parse_last_kind),
        };
        let answer = match picked {
            Some(LastKind::Never) => LastDonationAnswer::Never,
            Some(LastKind::Given(kind)) => LastDonationAnswer::KindOnly(kind),
            None => return self.wrong(MsgId::ErrorChoice),
        };
        self.donor_mut().last_donation = Some(answer);

        self.advance();
    }

    /// When the donor last gave (or that they do not remember).
    fn last_date_answer(&mut self, text: Option<&str>) {
        let today = self.ctx.today;
        let kind = match self.donor.as_ref().and_then(|d| d.last_donation) {
            Some(LastDonationAnswer::KindOnly(k))
            | Some(LastDonationAnswer::DateForgotten(k))
            | Some(LastDonationAnswer::Given { kind: k, .. }) => k,
            _ => {
                // The kind was lost (cannot happen through the engine): ask it again.
                self.state = Some(State::Ask {
                    field: Field::LastDonationKind,
                });
                return;
            }
        };
        let earliest = self
            .donor
            .as_ref()
            .and_then(|d| d.birth_date)
            .and_then(|b| b.checked_add_months(Months::new(16 * 12)))
            .unwrap_or(NaiveDate::MIN);
        match dates::parse_last_donation(text.unwrap_or(""), today, earliest) {
            Ok(LastDate::Known(date, precision)) => {
                let d = self.donor_mut();
                d.last_donation = Some(LastDonationAnswer::Given { kind, date });
                d.last_donation_month = precision == dates::Precision::Month;
            }
            Ok(LastDate::Forgotten) => {
                self.donor_mut().last_donation = Some(LastDonationAnswer::DateForgotten(kind))
            }
            Err(e) => {
                // The last donation's own example, not the birth date's.
                return self.wrong(match e {
                    DateError::NotADate => MsgId::ErrorLastDateFormat,
                    DateError::NoSuchDay => MsgId::ErrorLastDateNoSuchDay,
                    DateError::InFuture => MsgId::ErrorDateFuture,
                    DateError::TooOld => MsgId::ErrorDonationDateTooEarly,
                });
            }
        }

        self.advance();
    }
}

fn field_code(f: Field) -> &'static str {
    match f {
        Field::Name => "name",
        Field::Phone => "phone",
        Field::BirthDate => "birth_date",
        Field::Sex => "sex",
        Field::Weight => "weight",
        Field::BloodGroup => "blood_group",
        Field::Province => "province",
        Field::Commune => "commune",
        Field::LastDonationKind | Field::LastDonationDate => "last_donation",
        Field::NightAlerts => "night_alerts",
    }
}

fn field_from_code(code: &str) -> Option<Field> {
    Some(match code {
        "name" => Field::Name,
        "phone" => Field::Phone,
        "birth_date" => Field::BirthDate,
        "sex" => Field::Sex,
        "weight" => Field::Weight,
        "blood_group" => Field::BloodGroup,
        "province" => Field::Province,
        "commune" => Field::Commune,
        "last_donation" => Field::LastDonationKind,
        "night_alerts" => Field::NightAlerts,
        _ => return None,
    })
}

fn field_label(f: Field) -> MsgId {
    match f {
        Field::Name => MsgId::FieldName,
        Field::Phone => MsgId::FieldPhone,
        Field::BirthDate => MsgId::FieldBirthDate,
        Field::Sex => MsgId::FieldSex,
        Field::Weight => MsgId::FieldWeight,
        Field::BloodGroup => MsgId::FieldBloodGroup,
        Field::Province => MsgId::FieldProvince,
        Field::Commune => MsgId::FieldCommune,
        Field::LastDonationKind | Field::LastDonationDate => MsgId::FieldLastDonation,
        Field::NightAlerts => MsgId::FieldNightAlerts,
    }
}

/// A choice of the edit menu: a field to change, or back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EditChoice {
    Field(Field),
    Back,
}

impl EditChoice {
    fn value(self) -> &'static str {
        match self {
            EditChoice::Field(field) => field_code(field),
            EditChoice::Back => "back",
        }
    }

    fn parse(value: &str) -> Option<EditChoice> {
        match value {
            "back" => Some(EditChoice::Back),
            code => field_from_code(code).map(EditChoice::Field),
        }
    }
}

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

const BLOOD_CHOICES: [&str; 8] = ["O+", "A+", "B+", "AB+", "O-", "A-", "B-", "AB-"];

/// The eight groups with a known ABO and Rh, as options.
fn blood_choices() -> Vec<Choice> {
    BLOOD_CHOICES
        .iter()
        .map(|g| Choice {
            value: g.to_string(),
            label: Label::Plain(g.to_string()),
            synonyms: &[],
        })
        .collect()
}

/// The question (and options) of a state.
pub fn prompt(ctx: &Ctx, state: &State, donor: Option<&Donor>) -> Reply {
    let mut r = Reply::default();
    let ask = |r: &mut Reply, id: MsgId| r.parts.push(Msg::new(id));
    match state {
        State::AwaitConsent => {
            r.parts.push(
                Msg::new(MsgId::ConsentText)
                    .str("org", ctx.org_name)
                    .str("version", CONSENT_VERSION),
            );
            r.choices = vec![
                Consent::Agree.offer(MsgId::ChoiceAgree, &["co", "yes", "ok", "dy", "agree"]),
                Consent::Disagree.offer(MsgId::ChoiceDisagree, &["khong", "no", "ko", "k"]),
            ];
        }
        State::Ask { field } => match field {
            Field::Name => ask(&mut r, MsgId::AskName),
            Field::Phone => {
                ask(&mut r, MsgId::AskPhone);
                r.phone_button = true;
            }
            Field::BirthDate => ask(&mut r, MsgId::AskBirthDate),
            Field::Sex => {
                ask(&mut r, MsgId::AskSex);
                r.choices = vec![
                    choice(Sex::Male.code(), MsgId::ChoiceMale, &[]),
                    choice(Sex::Female.code(), MsgId::ChoiceFemale, &[]),
                ];
            }
            Field::Weight => ask(&mut r, MsgId::AskWeight),
            Field::BloodGroup => {
                ask(&mut r, MsgId::AskBloodGroup);
                r.choices = blood_choices()
                    .into_iter()
                    .chain([choice(
                        &BloodGroup::UNKNOWN.code(),
                        MsgId::ChoiceBloodUnknown,
                        &[],
                    )])
                    .collect();
            }
            Field::Province => ask(&mut r, MsgId::AskProvince),
            Field::Commune => {
                ask(&mut r, MsgId::AskCommune);
                r.choices = vec![Skip::Skip.offer(MsgId::ChoiceSkip, &["bo qua", "skip", "-"])];
            }
            Field::LastDonationKind => {
                ask(&mut r, MsgId::AskLastDonation);
                let given = |kind| LastKind::Given(kind).value();
                r.choices = vec![
                    choice(
                        given(DonationKind::WholeBlood),
                        MsgId::ChoiceWholeBlood,
                        &["mau toan phan", "toan phan"],
                    ),
                    choice(
                        given(DonationKind::Platelets),
                        MsgId::ChoicePlatelets,
                        &["tieu cau"],
                    ),
                    choice(
                        given(DonationKind::Plasma),
                        MsgId::ChoicePlasma,
                        &["huyet tuong"],
                    ),
                    choice(
                        LastKind::Never.value(),
                        MsgId::ChoiceNever,
                        &["chua", "chua tung", "chua bao gio", "never", "no"],
                    ),
                ];
            }
            Field::LastDonationDate => ask(&mut r, MsgId::AskLastDonationDate),
            Field::NightAlerts => {
                ask(&mut r, MsgId::AskNightAlerts);
                r.choices = night_choices();
            }
        },
        State::AgeDecision => {
            let check = donor
                .and_then(|d| d.birth_date)
                .map(|b| ctx.rules.check_age(b, ctx.today));
            r.parts.push(match check {
                Some(AgeCheck::TooYoung { turns_min_on }) => Msg::new(MsgId::AgeTooYoung)
                    .str("date", format_vn(turns_min_on))
                    .num("min", f64::from(ctx.rules.min_age)),
                _ => Msg::new(MsgId::AgeTooOld).num("max", f64::from(ctx.rules.max_age)),
            });
            r.choices = vec![
                AgeChoice::Supporter.offer(MsgId::ChoiceSupporter, &[]),
                AgeChoice::FixBirthDate.offer(MsgId::ChoiceFixBirthDate, &[]),
            ];
        }
        State::ChooseProvince { candidates } => {
            ask(&mut r, MsgId::AskProvinceChoose);
            r.choices = candidates
                .iter()
                .filter_map(|c| Province::from_code(c))
                .map(|p| Choice {
                    value: p.code().to_string(),
                    label: Label::Plain(p.name().to_string()),
                    synonyms: &[],
                })
                .collect();
        }
        State::Summary => {
            if let Some(d) = donor {
                r.parts.push(summary(ctx, d));
            }
            r.choices = vec![
                SummaryChoice::Confirm
                    .offer(MsgId::ChoiceConfirm, &["xac nhan", "dung", "ok", "yes"]),
                SummaryChoice::Edit.offer(MsgId::ChoiceEdit, &["sua"]),
            ];
        }
        State::EditMenu => {
            ask(&mut r, MsgId::EditMenu);
            let fields = donor.map(Donor::editable_fields).unwrap_or_default();
            r.choices = fields
                .into_iter()
                .map(|f| choice(EditChoice::Field(f).value(), field_label(f), &[]))
                .chain([choice(
                    EditChoice::Back.value(),
                    MsgId::ChoiceBack,
                    &["quay lai", "back"],
                )])
                .collect();
        }
        State::Idle => {}
        State::RenewConsent { .. } => {
            r.parts.push(
                Msg::new(MsgId::ConsentRenewal)
                    .str("org", ctx.org_name)
                    .str("version", CONSENT_VERSION),
            );
            r.choices = vec![
                Consent::Agree.offer(
                    MsgId::ChoiceAgree,
                    &["co", "yes", "ok", "dy", "agree", "dong y"],
                ),
                Consent::Disagree.offer(MsgId::ChoiceDisagree, &["khong", "no", "ko", "k"]),
            ];
        }
        State::ConfirmDelete { .. } => {
            ask(&mut r, MsgId::DeleteConfirm);
            r.choices = vec![
                DeleteChoice::Delete.offer(MsgId::ChoiceDeleteYes, &["xoa", "delete"]),
                DeleteChoice::Keep.offer(MsgId::ChoiceDeleteNo, &["khong", "no", "giu"]),
            ];
        }
        State::Club(s) => club::prompt(ctx, s, &mut r),
        State::Drive(s) => drive::prompt(ctx, s, &mut r),
        State::Callout(CalloutState::Settings) => callout::settings_prompt(donor, &mut r),
        State::Callout(s) => callout::prompt(ctx, s, &mut r),
        State::ChooseLanguage { .. } => {
            ask(&mut r, MsgId::LanguagePrompt);
            r.choices = vec![
                choice(
                    "vi",
                    MsgId::ChoiceVietnamese,
                    &["vi", "viet", "tieng viet", "vietnamese"],
                ),
                choice(
                    "en",
                    MsgId::ChoiceEnglish,
                    &["en", "english", "tieng anh", "anh"],
                ),
            ];
        }
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

fn or_not_given(v: Option<String>) -> Msg {
    match v {
        Some(s) => Msg::new(MsgId::ValueText).str("text", s),
        None => Msg::new(MsgId::ValueNotGiven),
    }
}

pub fn blood_label(g: BloodGroup) -> Msg {
    let abo = g.abo.map(|a| match a {
        Abo::O => "O",
        Abo::A => "A",
        Abo::B => "B",
        Abo::AB => "AB",
    });
    let rh = g.rh.map(|r| match r {
        Rh::Positive => "+",
        Rh::Negative => "-",
    });
    match (abo, rh) {
        (Some(a), Some(r)) => Msg::new(MsgId::ValueText).str("text", format!("{a}{r}")),
        (Some(a), None) => Msg::new(MsgId::ValueRhUnknown).str("abo", a),
        (None, Some(r)) => Msg::new(MsgId::ValueAboUnknown).str("rh", r),
        (None, None) => Msg::new(MsgId::ValueUnknown),
    }
}

fn sex_label(s: Sex) -> Msg {
    Msg::new(match s {
        Sex::Male => MsgId::ChoiceMale,
        Sex::Female => MsgId::ChoiceFemale,
    })
}

/// When the donor may give next, as a sentence.
pub fn eligibility(ctx: &Ctx, d: &Donor) -> Msg {
    if let (Some(sex), Some(w)) = (d.sex, d.weight)
        && !ctx.rules.weight_ok(sex, w)
    {
        return Msg::new(MsgId::EligibleWeight).num("min", ctx.rules.min_weight(sex));
    }
    if let Some(LastDonationAnswer::DateForgotten(_)) = d.last_donation {
        return Msg::new(MsgId::EligibleDateForgotten);
    }
    match d.last_donation.and_then(LastDonationAnswer::complete) {
        Some(last) => match ctx.rules.next_eligible(last) {
            Some(next) if next > ctx.today => {
                Msg::new(MsgId::EligibleFrom).str("date", format_vn(next))
            }
            Some(_) => Msg::new(MsgId::EligibleNow),
            None => Msg::new(MsgId::EligibleFirstTime),
        },
        None => Msg::new(MsgId::ValueNotGiven),
    }
}

fn last_donation_label(d: &Donor) -> Msg {
    match d.last_donation {
        Some(LastDonationAnswer::Never) => Msg::new(MsgId::ValueNever),
        Some(LastDonationAnswer::Given { kind, date }) if d.last_donation_month => {
            Msg::new(MsgId::ValueDonationMonth)
                .msg("kind", Msg::new(donation_kind_label(kind)))
                .str("month", date.format("%m/%Y").to_string())
        }
        Some(LastDonationAnswer::Given { kind, date }) => Msg::new(MsgId::ValueDonation)
            .msg("kind", Msg::new(donation_kind_label(kind)))
            .str("date", format_vn(date)),
        Some(LastDonationAnswer::DateForgotten(kind)) => {
            Msg::new(MsgId::ValueDonationForgotten).msg("kind", Msg::new(donation_kind_label(kind)))
        }
        _ => Msg::new(MsgId::ValueNotGiven),
    }
}

fn phone_label(d: &Donor) -> Msg {
    match &d.phone {
        Some(p) if d.phone_verified => {
            Msg::new(MsgId::ValuePhoneVerified).str("phone", p.national())
        }
        p => or_not_given(p.as_ref().map(|p| p.national())),
    }
}

fn commune_label(d: &Donor) -> Msg {
    match &d.commune {
        Some(c) if c.is_empty() => Msg::new(MsgId::ValueSkipped),
        c => or_not_given(c.clone()),
    }
}

/// The fields shared by the summary and the profile.
fn with_fields(m: Msg, ctx: &Ctx, d: &Donor) -> Msg {
    m.msg("name", or_not_given(d.name.clone()))
        .msg("phone", phone_label(d))
        .msg("birth", or_not_given(d.birth_date.map(format_vn)))
        .msg(
            "sex",
            d.sex
                .map(sex_label)
                .unwrap_or_else(|| Msg::new(MsgId::ValueNotGiven)),
        )
        .msg(
            "weight",
            d.weight.map_or(Msg::new(MsgId::ValueNotGiven), |w| {
                Msg::new(MsgId::ValueKg).num("kg", w.kg())
            }),
        )
        .msg(
            "blood",
            d.blood_group
                .map(blood_label)
                .unwrap_or_else(|| Msg::new(MsgId::ValueNotGiven)),
        )
        .msg(
            "province",
            or_not_given(d.province.map(|p| p.name().to_string())),
        )
        .msg("commune", commune_label(d))
        .msg("last", last_donation_label(d))
        .msg("eligibility", eligibility(ctx, d))
        .msg(
            "night",
            Msg::new(match d.night_alerts {
                Some(true) => MsgId::ValueNightYes,
                Some(false) => MsgId::ValueNightNo,
                None => MsgId::ValueNotGiven,
            }),
        )
}

/// Yes or no to urgent call-outs at night.
pub(crate) fn night_choices() -> Vec<Choice> {
    vec![
        Night::Yes.offer(
            MsgId::ChoiceNightYes,
            &["co", "yes", "dong y", "ca ban dem"],
        ),
        Night::No.offer(MsgId::ChoiceNightNo, &["khong", "no", "chi ban ngay", "ko"]),
    ]
}

fn summary(ctx: &Ctx, d: &Donor) -> Msg {
    with_fields(Msg::new(MsgId::Summary), ctx, d)
}

/// What the profile and a coordinator's lookup both say about a donor: the answers, the
/// status, the consent on record and what they receive.
fn held_fields(m: Msg, ctx: &Ctx, d: &Donor) -> Msg {
    let status = if d.registered_at.is_none() {
        MsgId::ProfileStatusRegistering
    } else if d.supporter {
        MsgId::ProfileStatusSupporter
    } else {
        MsgId::ProfileStatusDonor
    };
    let consent_day = chrono::DateTime::from_timestamp_millis(d.consent_at)
        .map(|t| format_vn(t.with_timezone(&ctx.tz).date_naive()))
        .unwrap_or_default();
    with_fields(m, ctx, d)
        .msg("status", Msg::new(status))
        .str("consent_date", consent_day)
        .str("consent_version", d.consent_version.clone())
        .msg(
            "messages",
            Msg::new(if d.paused {
                MsgId::ProfileMessagesPaused
            } else {
                MsgId::ProfileMessagesOn
            }),
        )
        .msg("urgent", callout::urgent_value(d))
        .msg(
            "unit",
            d.unit
                .as_ref()
                .map_or(Msg::new(MsgId::ProfileUnitNone), |u| {
                    Msg::new(MsgId::ValueText).str("text", u.clone())
                }),
        )
}

/// A donor as a coordinator looks them up on the dashboard: what the donor sees of
/// themselves, with their clubs and the donations on record.
pub fn donor_card(ctx: &Ctx, card: &crate::domain::donor::DonorCard) -> Msg {
    let clubs = if card.clubs.is_empty() {
        Msg::new(MsgId::ValueNotGiven)
    } else {
        Msg::new(MsgId::ValueText).str("text", card.clubs.join(", "))
    };
    // The last donation is the record's when a donation on record is of that day (the
    // centre's or staff's), and the donor's own word otherwise.
    let on_record = match &card.donor.last_donation {
        Some(crate::domain::donor::LastDonationAnswer::Given { date, .. }) => {
            card.donations.iter().any(|(d, _)| d == date)
        }
        _ => false,
    };
    let mut m = held_fields(Msg::new(MsgId::WebDonorCard), ctx, &card.donor)
        .str("last_source", if on_record { "record" } else { "declared" })
        .msg("clubs", clubs)
        .num("verified", card.counted.0 as f64)
        .num("all", card.counted.1 as f64);
    // Said to the coordinator about the donor, not to the donor (no "you", no chat hints).
    for (name, arg) in &mut m.args {
        if let crate::messages::Arg::Msg(inner) = arg {
            let staff = match (name.as_str(), inner.id) {
                ("eligibility", MsgId::EligibleNow) => Some(MsgId::StaffEligibleNow),
                ("eligibility", MsgId::EligibleFrom) => Some(MsgId::StaffEligibleFrom),
                ("eligibility", MsgId::EligibleFirstTime) => Some(MsgId::StaffEligibleFirstTime),
                ("eligibility", MsgId::EligibleDateForgotten) => {
                    Some(MsgId::StaffEligibleDateForgotten)
                }
                ("eligibility", MsgId::EligibleWeight) => Some(MsgId::StaffEligibleWeight),
                ("unit", MsgId::ProfileUnitNone) => Some(MsgId::ValueNotGiven),
                _ => None,
            };
            if let Some(id) = staff {
                inner.id = id;
            }
        }
    }
    m
}

fn profile(ctx: &Ctx, d: &Donor, lang: Lang) -> Msg {
    held_fields(Msg::new(MsgId::Profile), ctx, d)
        .msg(
            "family",
            d.family
                .as_ref()
                .map_or(Msg::new(MsgId::ProfileFamilyNone), |c| {
                    Msg::new(MsgId::ProfileFamily).str("code", c.clone())
                }),
        )
        .msg(
            "language",
            Msg::new(match lang {
                Lang::Vi => MsgId::ChoiceVietnamese,
                Lang::En => MsgId::ChoiceEnglish,
            }),
        )
}

pub(crate) mod buttons;
mod club;
pub use club::{
    ClubItem, ClubOutcome, ClubRequest, ClubState, audience_label, audit_action_label, kind_label,
    progress_msg, role_label,
};
pub mod drive;
pub use drive::{DriveOutcome, DriveRequest, DriveState};
pub mod callout;
pub use callout::{CalloutOutcome, CalloutRequest, CalloutState};
pub mod plan;

#[cfg(test)]
mod tests;
