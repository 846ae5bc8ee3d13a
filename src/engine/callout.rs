//! Urgent call-outs in the conversation. A coordinator starts one with a guided form (or one
//! line: `/callout O-; toàn phần; 2; BV Việt Tiệp; 1 Nhà Thương, Lê Chân; Hải Phòng; 18h`),
//! sees how many donors each widening step reaches, confirms; follows the tally, lists
//! pledges and marks them kept or not, extends the deadline, closes or cancels. Donors answer
//! an ask by button, number or word; `/settings` holds their urgent and night-time choices and
//! a self-declared deferral.
//!
//! ```text
//! > /callout O-; toàn phần; 2; BV Việt Tiệp; 1 Nhà Thương; Hải Phòng; 18h
//! Xem lại: O− · máu toàn phần · 2 đơn vị …   (a donor, elsewhere)
//! Người phù hợp: CLB dự bị trong tỉnh 3 …     🆘 Cần gấp máu O− …
//!   1. Gửi ngay  2. Sửa …                       1. Tôi đến được  2. Lần này không được
//! > 1                                          > 1
//! Đã gửi lời kêu gọi #4: đợt 1 hỏi 9 người.    Cảm ơn bạn! Mã nhận lời: K7P2QX …
//! ```

use super::buttons::{Back, Buttons, Listed, Skip, Sure, back, buttons};
use super::{Choice, Command, Label, Reply, State, Turn, choice, donation_kind_label};
use super::{Item, Request};
use crate::domain::callout::{
    CalloutInfo, CalloutSpec, DeadlineError, Elsewhere, Ending, PREVIEW_CAP, PatientGroup, Status,
    WavePolicy, parse_component, parse_deadline, parse_units,
};
use crate::domain::dates::format_vn;
use crate::domain::drive::{parse_place, parse_upcoming_day};
use crate::domain::eligibility::DonationKind;
use crate::domain::province::{Province, ProvinceMatch};
use crate::domain::text::fold;
use crate::domain::understand::{self, AskReply};
use crate::engine::{Ctx, Input};
use crate::messages::{Msg, MsgId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where a conversation stands in the call-out flows and the urgent-call settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum CalloutState {
    CalloutForm {
        draft: CalloutDraft,
        field: CalloutField,
    },
    CalloutReview {
        spec: crate::domain::callout::CalloutSpec,
        counts: [i64; 4],
        first: u32,
        /// Saved before issue 33 without it: nobody elsewhere said.
        #[serde(default)]
        elsewhere: Elsewhere,
    },
    CalloutList {
        callouts: Vec<Item>,
    },
    CalloutMenu {
        id: i64,
        open: bool,
    },
    CalloutExtend {
        id: i64,
    },
    CalloutConfirmCancel {
        id: i64,
    },
    /// "Enough — close it": asked once more, since it stops the search.
    CalloutConfirmClose {
        id: i64,
    },
    PledgeList {
        id: i64,
        pledges: Vec<Item>,
    },
    PledgeMark {
        id: i64,
        donor: i64,
        label: String,
    },
    CalloutAnswer {
        id: i64,
    },
    Settings,
    SettingsDeferral,
}

/// An ask the person was sent and may answer with a bare "1" or "2" (kept in the stored
/// conversation, written there by the store when the ask is queued).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingAsk {
    pub callout: i64,
    /// Unix ms from which it is shown (held asks go out in the morning).
    pub from: i64,
}

/// A question of the call-out form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CalloutField {
    Group,
    Component,
    Units,
    Hospital,
    Address,
    Province,
    Deadline,
    Note,
}

impl CalloutField {
    pub const ALL: [CalloutField; 8] = [
        CalloutField::Group,
        CalloutField::Component,
        CalloutField::Units,
        CalloutField::Hospital,
        CalloutField::Address,
        CalloutField::Province,
        CalloutField::Deadline,
        CalloutField::Note,
    ];

    pub fn code(self) -> &'static str {
        match self {
            CalloutField::Group => "group",
            CalloutField::Component => "component",
            CalloutField::Units => "units",
            CalloutField::Hospital => "hospital",
            CalloutField::Address => "address",
            CalloutField::Province => "province",
            CalloutField::Deadline => "deadline",
            CalloutField::Note => "note",
        }
    }

    pub fn label(self) -> MsgId {
        match self {
            CalloutField::Group => MsgId::CalloutFieldGroup,
            CalloutField::Component => MsgId::CalloutFieldComponent,
            CalloutField::Units => MsgId::CalloutFieldUnits,
            CalloutField::Hospital => MsgId::CalloutFieldHospital,
            CalloutField::Address => MsgId::CalloutFieldAddress,
            CalloutField::Province => MsgId::CalloutFieldProvince,
            CalloutField::Deadline => MsgId::CalloutFieldDeadline,
            CalloutField::Note => MsgId::CalloutFieldNote,
        }
    }
}

/// A call-out being written.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CalloutDraft {
    pub group: Option<PatientGroup>,
    pub component: Option<DonationKind>,
    pub units: Option<u32>,
    pub hospital: Option<String>,
    pub address: Option<String>,
    pub province: Option<Province>,
    pub deadline: Option<i64>,
    pub note: Option<String>,
}

impl CalloutDraft {
    fn next_field(&self) -> Option<CalloutField> {
        use CalloutField::*;
        Some(match self {
            d if d.group.is_none() => Group,
            d if d.component.is_none() => Component,
            d if d.units.is_none() => Units,
            d if d.hospital.is_none() => Hospital,
            d if d.address.is_none() => Address,
            d if d.province.is_none() => Province,
            d if d.deadline.is_none() => Deadline,
            d if d.note.is_none() => Note,
            _ => return None,
        })
    }

    pub fn spec(&self) -> Option<CalloutSpec> {
        Some(CalloutSpec {
            group: self.group?,
            component: self.component?,
            units: self.units?,
            hospital: self.hospital.clone()?,
            address: self.address.clone()?,
            province: self.province?,
            deadline: self.deadline?,
            note: self.note.clone().unwrap_or_default(),
        })
    }

    fn clear(&mut self, f: CalloutField) {
        match f {
            CalloutField::Group => self.group = None,
            CalloutField::Component => self.component = None,
            CalloutField::Units => self.units = None,
            CalloutField::Hospital => self.hospital = None,
            CalloutField::Address => self.address = None,
            CalloutField::Province => self.province = None,
            CalloutField::Deadline => self.deadline = None,
            CalloutField::Note => self.note = None,
        }
    }

    /// Fill `field` from typed text; the error names what was wrong.
    pub fn apply(
        &mut self,
        field: CalloutField,
        text: &str,
        now: DateTime<Utc>,
        tz: chrono_tz::Tz,
        policy: &WavePolicy,
    ) -> Result<(), Msg> {
        let text = text.trim();
        match field {
            CalloutField::Group => {
                self.group = Some(
                    PatientGroup::parse(text).ok_or_else(|| Msg::new(MsgId::CalloutBadGroup))?,
                )
            }
            CalloutField::Component => {
                self.component = Some(
                    parse_component(text)
                        .or(match text {
                            "1" => Some(DonationKind::WholeBlood),
                            "2" => Some(DonationKind::Platelets),
                            "3" => Some(DonationKind::Plasma),
                            _ => None,
                        })
                        .ok_or_else(|| Msg::new(MsgId::ErrorChoice))?,
                )
            }
            CalloutField::Units => {
                self.units =
                    Some(parse_units(text).ok_or_else(|| Msg::new(MsgId::CalloutBadUnits))?)
            }
            CalloutField::Hospital => {
                self.hospital =
                    Some(parse_place(text).ok_or_else(|| Msg::new(MsgId::DriveBadPlace))?)
            }
            CalloutField::Address => {
                self.address =
                    Some(parse_place(text).ok_or_else(|| Msg::new(MsgId::DriveBadPlace))?)
            }
            CalloutField::Province => match Province::find(text) {
                ProvinceMatch::One { province, .. } => self.province = Some(province),
                ProvinceMatch::Many(list) => {
                    let names: Vec<&str> = list.iter().map(|p| p.name()).collect();
                    return Err(Msg::new(MsgId::DriveProvinceWhich).str("names", names.join(", ")));
                }
                ProvinceMatch::None => return Err(Msg::new(MsgId::ErrorProvince)),
            },
            CalloutField::Deadline => {
                let max = i64::from(policy.max_deadline_hours);
                match parse_deadline(text, now, tz, max) {
                    Ok(t) => self.deadline = Some(t.timestamp_millis()),
                    Err(e) => return Err(deadline_error(e, max)),
                }
            }
            CalloutField::Note => {
                let skip = matches!(fold(text).as_str(), "bo qua" | "skip" | "khong" | "-");
                let n = text.chars().count();
                if !skip && n > 300 {
                    return Err(Msg::new(MsgId::CalloutBadNote));
                }
                self.note = Some(if skip {
                    String::new()
                } else {
                    text.to_string()
                });
            }
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CalloutRequest {
    /// A coordinator opens the form (the role is checked first).
    Form,
    Preview {
        spec: CalloutSpec,
    },
    Start {
        spec: CalloutSpec,
    },
    /// `/callouts`: a coordinator's list, or a donor's own asks.
    List,
    Show {
        id: i64,
    },
    Close {
        id: i64,
        status: Status,
    },
    Extend {
        id: i64,
        deadline: i64,
    },
    Pledges {
        id: i64,
    },
    /// The call-out with its pledges and their phones (the dashboard's live tally).
    Tally {
        id: i64,
    },
    Mark {
        id: i64,
        donor: i64,
        donated: bool,
    },
    Answer {
        id: i64,
        yes: bool,
    },
    Stock,
    SetStock {
        group: PatientGroup,
        units: i64,
        threshold: Option<i64>,
    },
}

/// A donor's view of an ask.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AskView {
    pub info: CalloutInfo,
    pub pledged: bool,
    pub code: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CalloutOutcome {
    Form,
    Preview {
        spec: CalloutSpec,
        counts: [i64; 4],
        first_wave: u32,
        elsewhere: Elsewhere,
    },
    Started {
        id: i64,
        asked: usize,
        /// Of those asked, how many hear only when the quiet hours end, at `until` (ms).
        held: usize,
        until: Option<i64>,
    },
    List(Vec<CalloutInfo>),
    Mine(Vec<AskView>),
    Show(CalloutInfo),
    NotFound,
    Closed(CalloutInfo),
    Extended(CalloutInfo),
    Pledges {
        id: i64,
        list: Vec<Item>,
    },
    Tally {
        info: CalloutInfo,
        pledges: Vec<crate::domain::callout::Pledge>,
    },
    Marked {
        id: i64,
        donated: bool,
        ok: bool,
    },
    /// The donor's answer was recorded.
    Pledged {
        info: CalloutInfo,
        code: String,
    },
    Declined,
    AnswerClosed,
    NotAsked,
    Stock(Vec<(String, i64, i64)>),
    StockSet,
    NeedsRegistration,
}

fn req(r: CalloutRequest) -> Option<Request> {
    Some(Request::Callout(r))
}

/// A count of matching donors: exact up to the preview's cap, "more than 1,000" beyond.
fn count_msg(n: i64) -> Msg {
    if n > PREVIEW_CAP {
        Msg::new(MsgId::CountMoreThan).num("n", PREVIEW_CAP as f64)
    } else {
        Msg::new(MsgId::Count).num("n", n as f64)
    }
}

/// A call-out's button, tapped from any screen: a donor's answer to an ask, or the
/// coordinator's "manage" under a tally.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalloutButton {
    /// `callout:12:yes` / `callout:12:no`.
    Answer { id: i64, yes: bool },
    /// `callout:12:manage`.
    Manage { id: i64 },
}

impl CalloutButton {
    /// The value the button carries: the one format [`parse_button`] reads.
    pub fn value(self) -> String {
        match self {
            CalloutButton::Answer { id, yes: true } => format!("callout:{id}:yes"),
            CalloutButton::Answer { id, yes: false } => format!("callout:{id}:no"),
            CalloutButton::Manage { id } => format!("callout:{id}:manage"),
        }
    }
}

pub fn parse_button(v: &str) -> Option<CalloutButton> {
    let rest = v.strip_prefix("callout:")?;
    let (id, a) = rest.split_once(':')?;
    let id = id.parse().ok()?;
    match a {
        "yes" => Some(CalloutButton::Answer { id, yes: true }),
        "no" => Some(CalloutButton::Answer { id, yes: false }),
        "manage" => Some(CalloutButton::Manage { id }),
        _ => None,
    }
}

/// The button under a tally pushed to the coordinator: it opens the call-out's menu
/// (pledges, extend, close, cancel).
pub fn manage_choice(id: i64) -> Choice {
    Choice {
        value: CalloutButton::Manage { id }.value(),
        label: Label::Msg(Msg::new(MsgId::ChoiceManageCallout)),
        synonyms: &[],
    }
}

/// The two answers to an ask, with the words that pick them.
pub fn answer_choices(id: i64) -> Vec<Choice> {
    vec![
        Choice {
            value: CalloutButton::Answer { id, yes: true }.value(),
            label: Label::Msg(Msg::new(MsgId::ChoiceCalloutYes)),
            synonyms: &[
                "co",
                "yes",
                "toi den duoc",
                "den duoc",
                "duoc",
                "ok",
                "dong y",
                "toi di",
            ],
        },
        Choice {
            value: CalloutButton::Answer { id, yes: false }.value(),
            label: Label::Msg(Msg::new(MsgId::ChoiceCalloutNo)),
            synonyms: &[
                "khong",
                "no",
                "ko",
                "khong duoc",
                "lan nay khong duoc",
                "ban",
                "khong den duoc",
            ],
        },
    ]
}

/// A moment as `18:00 24/11`, local time.
fn local_time(tz: chrono_tz::Tz, ms: i64) -> String {
    DateTime::from_timestamp_millis(ms)
        .map(|t| t.with_timezone(&tz).format("%H:%M %d/%m").to_string())
        .unwrap_or_default()
}

/// A call-out's one-line description: `O− · máu toàn phần · 2 đơn vị · BV Việt Tiệp (Hải Phòng)`.
pub(crate) fn callout_line(tz: chrono_tz::Tz, spec: &CalloutSpec) -> Msg {
    Msg::new(MsgId::CalloutLine)
        .str("group", spec.group.code())
        .msg("component", Msg::new(donation_kind_label(spec.component)))
        .num("units", f64::from(spec.units))
        .str("hospital", spec.hospital.clone())
        .str("province", spec.province.name())
        .str("deadline", local_time(tz, spec.deadline))
}

/// The tally a coordinator follows.
/// What is wrong with a deadline as typed, `max` hours being the furthest allowed.
pub fn deadline_error(e: DeadlineError, max: i64) -> Msg {
    match e {
        DeadlineError::NotATime => Msg::new(MsgId::CalloutBadDeadline),
        DeadlineError::Past => Msg::new(MsgId::CalloutDeadlinePast),
        DeadlineError::TooFar => Msg::new(MsgId::CalloutDeadlineFar).num("hours", max as f64),
    }
}

/// A call-out to send, as reviewed before it goes: what, where, and how many matching donors
/// each widening step reaches (cumulative), the first wave's size.
pub fn review_msg(
    tz: chrono_tz::Tz,
    spec: &CalloutSpec,
    counts: &[i64; 4],
    first: u32,
    elsewhere: Elsewhere,
) -> Msg {
    Msg::new(MsgId::CalloutReview)
        .msg("line", callout_line(tz, spec))
        .str("address", spec.address.clone())
        .msg(
            "note",
            if spec.note.trim().is_empty() {
                Msg::new(MsgId::ValueNotGiven)
            } else {
                Msg::new(MsgId::ValueText).str("text", spec.note.clone())
            },
        )
        .msg("reserve_province", count_msg(counts[0]))
        .msg("reserve", count_msg(counts[1]))
        .msg("province_all", count_msg(counts[2]))
        .msg("all", count_msg(counts[3]))
        .num("first", f64::from(first))
        .msg(
            "elsewhere",
            if elsewhere.donors > 0 {
                Msg::new(MsgId::CalloutElsewhere)
                    .msg("donors", count_msg(elsewhere.donors))
                    .num("provinces", elsewhere.provinces as f64)
            } else {
                Msg::new(MsgId::CalloutElsewhereNone)
            },
        )
}

pub(crate) fn tally_msg(tz: chrono_tz::Tz, info: &CalloutInfo, policy: &WavePolicy) -> Msg {
    let waves: Vec<String> = info
        .waves
        .iter()
        .enumerate()
        .map(|(i, w)| {
            format!(
                "{}: {} / {} / {} / {}",
                i + 1,
                w.asked,
                w.pledged,
                w.declined,
                w.silent()
            )
        })
        .collect();
    let t = info.total();
    let next = info
        .next_wave_at
        .and_then(DateTime::from_timestamp_millis)
        .map(|t| t.with_timezone(&tz).format("%H:%M").to_string())
        .unwrap_or_else(|| "-".into());
    Msg::new(MsgId::CalloutTally)
        .num("id", info.id as f64)
        .msg("line", callout_line(tz, &info.spec))
        .msg("status", Msg::new(ending_label(info.ending(policy))))
        .num("pledged", t.pledged as f64)
        .num("enough", f64::from(policy.enough(info.spec.units)))
        .num("asked", t.asked as f64)
        .num("declined", t.declined as f64)
        .num("silent", t.silent() as f64)
        .num("donated", info.donated as f64)
        .num("noshow", info.no_show as f64)
        .str("waves", waves.join("\n"))
        .str("next", next)
}

/// How a call-out stands, in words.
pub fn ending_label(e: Ending) -> MsgId {
    match e {
        Ending::Open => MsgId::CalloutStatusOpen,
        Ending::Covered => MsgId::CalloutStatusFulfilled,
        Ending::ClosedEarly => MsgId::CalloutStatusClosedEarly,
        Ending::Cancelled => MsgId::CalloutStatusCancelled,
        Ending::Expired => MsgId::CalloutStatusExpired,
    }
}

/// A list's mark for a call-out: nothing while open, else a sign and the word.
fn ending_mark(e: Ending) -> &'static str {
    match e {
        Ending::Open => "",
        Ending::Covered => "✓",
        Ending::ClosedEarly => "■",
        Ending::Cancelled => "✗",
        Ending::Expired => "⌛",
    }
}

impl Turn<'_, '_> {
    pub(super) fn callout_command(&mut self, cmd: Command, args: &str) {
        self.state = Some(self.base_state());
        match cmd {
            Command::Callout => {
                let mut draft = CalloutDraft::default();
                // One line with every field, `;`-separated: keep every field that is right,
                // say at once what is wrong in the others, and ask only those again.
                if !args.is_empty() {
                    let now = self.now();
                    let parts: Vec<&str> = args.split([';', '|']).collect();
                    for (field, part) in CalloutField::ALL.iter().zip(&parts) {
                        if let Err(e) =
                            draft.apply(*field, part, now, self.ctx.tz, &self.ctx.callouts)
                        {
                            self.say(e);
                        }
                    }
                    // Every required field was on the line: the note is optional there.
                    if parts.len() == CalloutField::ALL.len() - 1 && draft.note.is_none() {
                        draft.note = Some(String::new());
                    }
                }
                self.request = req(CalloutRequest::Form);
                self.state = Some(match draft.next_field() {
                    Some(field) => State::Callout(CalloutState::CalloutForm { draft, field }),
                    None => State::Callout(CalloutState::CalloutForm {
                        field: CalloutField::Note,
                        draft,
                    }),
                });
            }
            Command::Callouts => self.request = req(CalloutRequest::List),
            Command::Stock => {
                if args.is_empty() {
                    self.request = req(CalloutRequest::Stock);
                } else {
                    match parse_stock_args(args) {
                        Some((group, units, threshold)) => {
                            self.request = req(CalloutRequest::SetStock {
                                group,
                                units,
                                threshold,
                            })
                        }
                        None => self.say(MsgId::StockUsage),
                    }
                }
            }
            Command::Settings => {
                if self.registered_donor() {
                    self.state = Some(State::Callout(CalloutState::Settings));
                } else {
                    self.say(MsgId::DrivesNeedRegistration);
                }
            }
            _ => {}
        }
    }

    fn now(&self) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(self.ctx.now_ms).unwrap_or_default()
    }

    /// An answer to an ask, by button or by "1"/"2" right after it.
    pub(super) fn callout_answer(&mut self, id: i64, yes: bool) {
        if !self.registered_donor() {
            return self.stale();
        }
        // Answered from the question itself: done with it. From a button while elsewhere
        // (a form): stay there.
        self.state = Some(match self.state {
            Some(State::Callout(CalloutState::CalloutAnswer { .. })) => State::Idle,
            _ => self.base_state(),
        });
        self.request = req(CalloutRequest::Answer { id, yes });
    }

    /// "Manage" under a pushed tally: the call-out's menu, whatever screen was open (the
    /// app checks that this account may manage call-outs).
    pub(super) fn callout_manage(&mut self, id: i64) {
        self.request = req(CalloutRequest::Show { id });
    }

    /// What this input says to the pending ask, if anything: its buttons or labels from any
    /// screen; a number, a yes or no, a sentence or a question only when the chat is at rest
    /// (otherwise they answer the question that is open).
    pub(super) fn ask_answer(&self, ask: PendingAsk, input: &Input) -> Option<AskReply> {
        if self.ctx.now_ms < ask.from {
            return None;
        }
        let at_rest = matches!(
            self.state,
            None | Some(State::Idle) | Some(State::Callout(CalloutState::CalloutAnswer { .. }))
        );
        let Input::Text(text) = input else {
            return None;
        };
        if text.trim_start().starts_with('/') {
            return None;
        }
        if !at_rest {
            // Only the options' own words count while another question is open.
            let v = super::pick(self.ctx.catalogue, &answer_choices(ask.callout), input)
                .filter(|_| text.trim().parse::<usize>().is_err())?;
            return match parse_button(&v)? {
                CalloutButton::Answer { yes: true, .. } => Some(AskReply::Pledge),
                CalloutButton::Answer { yes: false, .. } => Some(AskReply::Decline),
                CalloutButton::Manage { .. } => None,
            };
        }
        understand::ask_reply(text)
    }

    pub(super) fn callout_input(&mut self, state: CalloutState, input: &Input) {
        let text = match input {
            Input::Text(t) => t.trim().to_string(),
            _ => String::new(),
        };
        match state {
            CalloutState::CalloutForm { draft, field } => {
                self.callout_form_input(input, &text, draft, field)
            }
            CalloutState::CalloutReview { spec, .. } => self.callout_review_input(input, spec),
            CalloutState::CalloutList { .. } => match self.pick(input) {
                Some(v) => match Listed::parse(&v) {
                    Some(Listed::Other(Back::Back)) => self.state = Some(State::Idle),
                    Some(Listed::Item(id)) => self.request = req(CalloutRequest::Show { id }),
                    None => self.stale(),
                },
                None => self.wrong(MsgId::ErrorChoice),
            },
            CalloutState::CalloutMenu { id, open } => match self.pick(input) {
                Some(v) => match CalloutMenuChoice::parse(&v) {
                    Some(CalloutMenuChoice::Refresh) => {
                        self.request = req(CalloutRequest::Show { id })
                    }
                    Some(CalloutMenuChoice::Pledges) => {
                        self.request = req(CalloutRequest::Pledges { id })
                    }
                    Some(CalloutMenuChoice::Extend) if open => {
                        self.state = Some(State::Callout(CalloutState::CalloutExtend { id }))
                    }
                    Some(CalloutMenuChoice::Fulfilled) if open => {
                        self.state = Some(State::Callout(CalloutState::CalloutConfirmClose { id }))
                    }
                    Some(CalloutMenuChoice::Cancel) if open => {
                        self.state = Some(State::Callout(CalloutState::CalloutConfirmCancel { id }))
                    }
                    Some(CalloutMenuChoice::Back) => self.request = req(CalloutRequest::List),
                    // Offered only while it is open (an old menu), or another screen's.
                    Some(
                        CalloutMenuChoice::Extend
                        | CalloutMenuChoice::Fulfilled
                        | CalloutMenuChoice::Cancel,
                    )
                    | None => self.stale(),
                },
                None => self.wrong(MsgId::ErrorChoice),
            },
            CalloutState::CalloutExtend { id } => {
                let max = i64::from(self.ctx.callouts.max_deadline_hours);
                match parse_deadline(&text, self.now(), self.ctx.tz, max) {
                    Ok(t) => {
                        self.request = req(CalloutRequest::Extend {
                            id,
                            deadline: t.timestamp_millis(),
                        })
                    }
                    Err(DeadlineError::Past) => self.wrong(MsgId::CalloutDeadlinePast),
                    Err(DeadlineError::TooFar) => {
                        self.wrong(Msg::new(MsgId::CalloutDeadlineFar).num("hours", max as f64))
                    }
                    Err(DeadlineError::NotATime) => self.wrong(MsgId::CalloutBadDeadline),
                }
            }
            CalloutState::CalloutConfirmClose { id } => {
                match self.pick_yes_no_as(input, Sure::Yes, Sure::No) {
                    Some(Sure::Yes) => {
                        self.request = req(CalloutRequest::Close {
                            id,
                            status: Status::Fulfilled,
                        })
                    }
                    Some(Sure::No) => self.request = req(CalloutRequest::Show { id }),
                    None => self.wrong(MsgId::ErrorChoice),
                }
            }
            CalloutState::CalloutConfirmCancel { id } => {
                match self.pick_yes_no_as(input, Sure::Yes, Sure::No) {
                    Some(Sure::Yes) => {
                        self.request = req(CalloutRequest::Close {
                            id,
                            status: Status::Cancelled,
                        })
                    }
                    Some(Sure::No) => self.request = req(CalloutRequest::Show { id }),
                    None => self.wrong(MsgId::ErrorChoice),
                }
            }
            CalloutState::PledgeList { id, pledges } => match self.pick(input) {
                Some(v) => match Listed::parse(&v) {
                    Some(Listed::Other(Back::Back)) => {
                        self.request = req(CalloutRequest::Show { id })
                    }
                    Some(Listed::Item(donor)) => match pledges.iter().find(|p| p.id == donor) {
                        Some(p) => {
                            self.state = Some(State::Callout(CalloutState::PledgeMark {
                                id,
                                donor: p.id,
                                label: p.label.clone(),
                            }))
                        }
                        None => self.stale(),
                    },
                    None => self.stale(),
                },
                None => self.wrong(MsgId::ErrorChoice),
            },
            CalloutState::PledgeMark { id, donor, .. } => self.pledge_mark_input(input, id, donor),
            CalloutState::CalloutAnswer { id } => match self.pick(input).as_deref() {
                Some(v) => match parse_button(v) {
                    Some(CalloutButton::Answer { id: id2, yes }) if id2 == id => {
                        self.callout_answer(id, yes)
                    }
                    _ => self.state = Some(State::Idle),
                },
                None => self.wrong(MsgId::ErrorChoice),
            },
            CalloutState::Settings => self.settings(input),
            CalloutState::SettingsDeferral => self.settings_deferral_input(&text),
        }
    }

    fn donor_mut_opt(&mut self) -> Option<&mut crate::domain::donor::Donor> {
        if self.donor.is_some() {
            Some(self.donor_mut())
        } else {
            None
        }
    }

    fn settings(&mut self, input: &Input) {
        let picked = self.pick(input);
        let Some(d) = self.donor_mut_opt() else {
            self.state = Some(State::Idle);
            return;
        };
        match picked.as_deref().and_then(SettingsChoice::parse) {
            Some(SettingsChoice::UrgentToggle) => d.urgent_off = !d.urgent_off,
            Some(SettingsChoice::NightToggle) => {
                d.night_alerts = Some(!d.night_alerts.unwrap_or(false))
            }
            Some(SettingsChoice::Defer) => {
                self.state = Some(State::Callout(CalloutState::SettingsDeferral));
                return;
            }
            Some(SettingsChoice::Done) => {
                self.done(MsgId::SettingsSaved);
                return;
            }
            None => return self.wrong(MsgId::ErrorChoice),
        }
        self.say(MsgId::SettingsSaved);
        self.state = Some(State::Callout(CalloutState::Settings));
    }

    pub(super) fn callout_outcome(&mut self, outcome: CalloutOutcome) {
        let ctx = self.ctx;
        match outcome {
            CalloutOutcome::Form => {
                // The state set by the command stands; if the one line was complete, preview.
                if let Some(State::Callout(CalloutState::CalloutForm { draft, .. })) = &self.state
                    && draft.next_field().is_none()
                    && let Some(spec) = draft.spec()
                {
                    self.request = req(CalloutRequest::Preview { spec });
                }
            }
            CalloutOutcome::Preview {
                spec,
                counts,
                first_wave,
                elsewhere,
            } => {
                self.state = Some(State::Callout(CalloutState::CalloutReview {
                    spec,
                    counts,
                    first: first_wave,
                    elsewhere,
                }));
            }
            CalloutOutcome::Started {
                id,
                asked,
                held,
                until,
            } => self.callout_started(id, asked, held, until),
            CalloutOutcome::List(list) => self.show_callouts(list),
            CalloutOutcome::Mine(asks) => self.show_my_asks(asks),
            // The closing tally follows as a message of its own: say only that it is closed.
            CalloutOutcome::Closed(info) if info.status != Status::Open => {
                self.say(
                    Msg::new(MsgId::CalloutClosedDone)
                        .num("id", info.id as f64)
                        .msg("status", Msg::new(ending_label(info.ending(&ctx.callouts)))),
                );
                self.state = Some(State::Callout(CalloutState::CalloutMenu {
                    id: info.id,
                    open: false,
                }));
            }
            CalloutOutcome::Show(info)
            | CalloutOutcome::Tally { info, .. }
            | CalloutOutcome::Extended(info)
            | CalloutOutcome::Closed(info) => {
                self.say(tally_msg(ctx.tz, &info, &ctx.callouts));
                self.state = Some(State::Callout(CalloutState::CalloutMenu {
                    id: info.id,
                    open: info.status == Status::Open,
                }));
            }
            CalloutOutcome::NotFound => self.done(MsgId::CalloutNotFound),
            CalloutOutcome::Pledges { id, list } if list.is_empty() => {
                self.say(MsgId::PledgesNone);
                self.state = Some(State::Callout(CalloutState::CalloutMenu { id, open: true }));
            }
            CalloutOutcome::Pledges { id, list } => {
                self.state = Some(State::Callout(CalloutState::PledgeList {
                    id,
                    pledges: list,
                }));
            }
            CalloutOutcome::Marked { id, donated, ok } => {
                self.say(if !ok {
                    MsgId::PledgeAlreadyMarked
                } else if donated {
                    MsgId::PledgeMarkedDonated
                } else {
                    MsgId::PledgeMarkedNoShow
                });
                self.request = req(CalloutRequest::Pledges { id });
            }
            CalloutOutcome::Pledged { info, code } => {
                self.say(pledge_msg(ctx, &info, &code));
            }
            CalloutOutcome::Declined => self.say(MsgId::CalloutDeclinedThanks),
            CalloutOutcome::AnswerClosed => self.say(MsgId::CalloutAlreadyCovered),
            CalloutOutcome::NotAsked => self.stale(),
            CalloutOutcome::Stock(levels) if levels.is_empty() => self.say(MsgId::StockNone),
            CalloutOutcome::Stock(levels) => {
                let lines: Vec<String> = levels
                    .iter()
                    .map(|(g, u, t)| format!("• {g}: {u} / {t}{}", if u < t { " ⚠" } else { "" }))
                    .collect();
                self.say(Msg::new(MsgId::StockList).str("lines", lines.join("\n")));
            }
            CalloutOutcome::StockSet => self.say(MsgId::StockSaved),
            CalloutOutcome::NeedsRegistration => self.say(MsgId::DrivesNeedRegistration),
        }
    }
}

/// The call-out flows' answers that take more than a line.
impl Turn<'_, '_> {
    /// One answer of the call-out form.
    fn callout_form_input(
        &mut self,
        input: &Input,
        text: &str,
        mut draft: CalloutDraft,
        field: CalloutField,
    ) {
        if field == CalloutField::Component
            && let Some(v) = self.pick(input)
        {
            draft.component = DonationKind::from_code(&v);
        }
        if draft.component.is_none() || field != CalloutField::Component {
            let group = field == CalloutField::Group;
            let picked = if group { self.pick(input) } else { None };
            let value = picked.as_deref().unwrap_or(text);
            if let Err(e) = draft.apply(field, value, self.now(), self.ctx.tz, &self.ctx.callouts) {
                return self.wrong(e);
            }
        }
        match (draft.next_field(), draft.spec()) {
            (Some(field), _) => {
                self.state = Some(State::Callout(CalloutState::CalloutForm { draft, field }))
            }
            (None, Some(spec)) => {
                self.state = Some(State::Callout(CalloutState::CalloutForm {
                    draft,
                    field: CalloutField::Note,
                }));
                self.request = req(CalloutRequest::Preview { spec });
            }
            (None, None) => self.stale(),
        }
    }

    /// The call-out's review: send it, change a field, or discard it.
    fn callout_review_input(&mut self, input: &Input, spec: CalloutSpec) {
        let picked = self.pick_yes_no(
            input,
            ReviewChoice::Send.value(),
            ReviewChoice::Discard.value(),
        );
        match picked.as_deref().map(ReviewChoice::parse) {
            Some(Some(ReviewChoice::Send)) => {
                // The deadline may have passed while the coordinator read the preview.
                if spec.deadline <= self.ctx.now_ms {
                    let mut draft = draft_of(&spec);
                    draft.deadline = None;
                    self.say(MsgId::CalloutDeadlinePast);
                    self.state = Some(State::Callout(CalloutState::CalloutForm {
                        draft,
                        field: CalloutField::Deadline,
                    }));
                    return;
                }
                self.state = Some(State::Idle);
                self.request = req(CalloutRequest::Start { spec });
            }
            Some(Some(ReviewChoice::Discard)) => self.done(MsgId::Cancelled),
            Some(Some(ReviewChoice::Change(field))) => {
                let mut draft = draft_of(&spec);
                draft.clear(field);
                self.state = Some(State::Callout(CalloutState::CalloutForm { draft, field }));
            }
            Some(None) => self.stale(),
            None => self.wrong(MsgId::ErrorChoice),
        }
    }

    /// Whether a donor who pledged came and gave.
    fn pledge_mark_input(&mut self, input: &Input, id: i64, donor: i64) {
        let Some(picked) = self.pick(input) else {
            return self.wrong(MsgId::ErrorChoice);
        };
        match MarkChoice::parse(&picked) {
            Some(MarkChoice::Donated) => {
                self.request = req(CalloutRequest::Mark {
                    id,
                    donor,
                    donated: true,
                })
            }
            Some(MarkChoice::NoShow) => {
                self.request = req(CalloutRequest::Mark {
                    id,
                    donor,
                    donated: false,
                })
            }
            Some(MarkChoice::Back) => self.request = req(CalloutRequest::Pledges { id }),
            None => self.stale(),
        }
    }

    /// Until when a donor wants no urgent call.
    fn settings_deferral_input(&mut self, text: &str) {
        if matches!(fold(text).as_str(), "xoa" | "clear" | "khong" | "none") {
            if let Some(d) = self.donor_mut_opt() {
                d.deferred_until = None;
            }
            self.say(MsgId::SettingsSaved);
            self.state = Some(State::Callout(CalloutState::Settings));
            return;
        }
        match parse_upcoming_day(text, self.ctx.today) {
            Some(day) if (day - self.ctx.today).num_days() <= 400 => {
                if let Some(d) = self.donor_mut_opt() {
                    d.deferred_until = Some(day);
                }
                self.say(MsgId::SettingsSaved);
                self.state = Some(State::Callout(CalloutState::Settings));
            }
            _ => self.wrong(MsgId::SettingsBadDeferral),
        }
    }
}

/// What the call-out flows say for the outcomes with more to show.
impl Turn<'_, '_> {
    /// A call-out started: how many were asked, and how many only when the quiet hours end.
    fn callout_started(&mut self, id: i64, asked: usize, held: usize, until: Option<i64>) {
        let ctx = self.ctx;
        self.say(
            Msg::new(MsgId::CalloutStarted)
                .num("id", id as f64)
                .num("asked", asked as f64),
        );
        if let (true, Some(t)) = (held > 0, until.and_then(DateTime::from_timestamp_millis)) {
            let at = t.with_timezone(&ctx.tz).format("%H:%M").to_string();
            self.say(
                Msg::new(MsgId::CalloutStartedHeld)
                    .num("held", held as f64)
                    .str("at", at),
            );
        }
        self.state = Some(State::Idle);
    }

    /// The last day's call-outs for a coordinator, each with where it stands.
    fn show_callouts(&mut self, list: Vec<CalloutInfo>) {
        if list.is_empty() {
            self.done(MsgId::CalloutsNone);
            return;
        }
        let items = list
            .iter()
            .map(|c| {
                let t = c.total();
                Item {
                    id: c.id,
                    label: {
                        let e = c.ending(&self.ctx.callouts);
                        let word = if e == Ending::Open {
                            String::new()
                        } else {
                            let m = Msg::new(ending_label(e));
                            format!(
                                " {} {}",
                                ending_mark(e),
                                self.ctx.catalogue.render(self.lang, &m)
                            )
                        };
                        format!(
                            "#{} {} ×{} · {} · {}/{}{}",
                            c.id,
                            c.spec.group.code(),
                            c.spec.units,
                            c.spec.hospital,
                            t.pledged,
                            self.ctx.callouts.enough(c.spec.units),
                            word
                        )
                    },
                }
            })
            .collect();
        self.state = Some(State::Callout(CalloutState::CalloutList {
            callouts: items,
        }));
    }

    /// A donor's open asks and pledges.
    fn show_my_asks(&mut self, asks: Vec<AskView>) {
        if asks.is_empty() {
            self.done(MsgId::CalloutsNoneForYou);
            return;
        }
        let ctx = self.ctx;
        for a in &asks {
            if a.pledged {
                self.say(pledge_msg(ctx, &a.info, a.code.as_deref().unwrap_or("")));
            }
        }
        // The newest unanswered ask gets the question; a pledge may be withdrawn.
        let first = &asks[0];
        if !first.pledged {
            self.say(ask_msg(ctx.tz, &first.info));
        }
        self.state = Some(State::Callout(CalloutState::CalloutAnswer {
            id: first.info.id,
        }));
    }
}

fn draft_of(spec: &CalloutSpec) -> CalloutDraft {
    CalloutDraft {
        group: Some(spec.group),
        component: Some(spec.component),
        units: Some(spec.units),
        hospital: Some(spec.hospital.clone()),
        address: Some(spec.address.clone()),
        province: Some(spec.province),
        deadline: Some(spec.deadline),
        note: Some(spec.note.clone()),
    }
}

/// `/stock O- 3` or `/stock O- 3 10` (units, then threshold).
fn parse_stock_args(args: &str) -> Option<(PatientGroup, i64, Option<i64>)> {
    let parts: Vec<&str> = args.split_whitespace().collect();
    let (group, rest) = match parts.as_slice() {
        [g, rest @ ..] => (PatientGroup::parse(g)?, rest),
        _ => return None,
    };
    let num = |s: &str| s.parse::<i64>().ok().filter(|n| (0..=100_000).contains(n));
    match rest {
        [u] => Some((group, num(u)?, None)),
        [u, t] => Some((group, num(u)?, Some(num(t)?))),
        _ => None,
    }
}

/// The ask a donor receives.
pub(crate) fn ask_msg(tz: chrono_tz::Tz, info: &CalloutInfo) -> Msg {
    Msg::new(MsgId::CalloutAsk)
        .msg("line", callout_line(tz, &info.spec))
        .str("note", info.spec.note.clone())
}

/// What a donor who pledged needs: where, what to bring, the code.
pub(crate) fn pledge_msg(ctx: &Ctx, info: &CalloutInfo, code: &str) -> Msg {
    Msg::new(MsgId::CalloutPledged)
        .str("hospital", info.spec.hospital.clone())
        .str("address", info.spec.address.clone())
        .str("deadline", local_time(ctx.tz, info.spec.deadline))
        .str("code", code.to_string())
}

buttons! {
    /// A call-out's own menu (the last three while it is open).
    pub enum CalloutMenuChoice {
        Refresh = "refresh",
        Pledges = "pledges",
        Extend = "extend",
        Fulfilled = "fulfilled",
        Cancel = "cancel",
        Back = "back",
    }
}

buttons! {
    /// Marking a pledge: the donor came and gave, did not come, or back to the list.
    pub enum MarkChoice { Donated = "donated", NoShow = "no_show", Back = "back" }
}

buttons! {
    /// A donor's settings for urgent calls.
    pub enum SettingsChoice {
        UrgentToggle = "urgent_toggle",
        NightToggle = "night_toggle",
        Defer = "defer",
        Done = "done",
    }
}

/// The call-out's review: send it, change one of its fields, or discard it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewChoice {
    Send,
    Change(CalloutField),
    Discard,
}

impl ReviewChoice {
    pub fn value(self) -> &'static str {
        match self {
            ReviewChoice::Send => "send",
            ReviewChoice::Change(field) => field.code(),
            ReviewChoice::Discard => "discard",
        }
    }

    pub fn parse(value: &str) -> Option<ReviewChoice> {
        match value {
            "send" => Some(ReviewChoice::Send),
            "discard" => Some(ReviewChoice::Discard),
            code => CalloutField::ALL
                .iter()
                .find(|f| f.code() == code)
                .map(|f| ReviewChoice::Change(*f)),
        }
    }
}

/// One question of the call-out form, with its options.
fn form_prompt(field: CalloutField, r: &mut Reply) {
    r.parts.push(Msg::new(match field {
        CalloutField::Group => MsgId::CalloutAskGroup,
        CalloutField::Component => MsgId::CalloutAskComponent,
        CalloutField::Units => MsgId::CalloutAskUnits,
        CalloutField::Hospital => MsgId::CalloutAskHospital,
        CalloutField::Address => MsgId::CalloutAskAddress,
        CalloutField::Province => MsgId::CalloutAskProvince,
        CalloutField::Deadline => MsgId::CalloutAskDeadline,
        CalloutField::Note => MsgId::CalloutAskNote,
    }));
    r.choices = match field {
        CalloutField::Group => ["O-", "A-", "B-", "AB-", "O+", "A+", "B+", "AB+"]
            .iter()
            .map(|g| Choice {
                value: g.to_string(),
                label: Label::Plain(g.to_string()),
                synonyms: &[],
            })
            .collect(),
        CalloutField::Component => vec![
            choice(
                DonationKind::WholeBlood.code(),
                MsgId::ChoiceWholeBlood,
                &["toan phan"],
            ),
            choice(
                DonationKind::Platelets.code(),
                MsgId::ChoicePlatelets,
                &["tieu cau"],
            ),
            choice(
                DonationKind::Plasma.code(),
                MsgId::ChoicePlasma,
                &["huyet tuong"],
            ),
        ],
        // Tapped, it arrives with no text: an empty note, as a typed "bỏ qua" is.
        CalloutField::Note => vec![Skip::Skip.offer(MsgId::ChoiceSkip, &["bo qua"])],
        _ => Vec::new(),
    };
}

/// The question and options of a call-out state.
pub(super) fn prompt(ctx: &Ctx, state: &CalloutState, r: &mut Reply) {
    let tz = ctx.tz;
    match state {
        CalloutState::CalloutForm { field, .. } => form_prompt(*field, r),
        CalloutState::CalloutReview {
            spec,
            counts,
            first,
            elsewhere,
        } => {
            r.parts
                .push(review_msg(tz, spec, counts, *first, *elsewhere));
            r.choices = std::iter::once(choice(
                ReviewChoice::Send.value(),
                MsgId::ChoiceCalloutSend,
                &["gui", "send"],
            ))
            .chain(CalloutField::ALL.iter().map(|f| Choice {
                value: ReviewChoice::Change(*f).value().to_string(),
                label: Label::Msg(
                    Msg::new(MsgId::ChoiceChangeField).msg("field", Msg::new(f.label())),
                ),
                synonyms: &[],
            }))
            .chain([choice(
                ReviewChoice::Discard.value(),
                MsgId::ChoiceDiscard,
                &["huy", "bo"],
            )])
            .collect();
        }
        CalloutState::CalloutList { callouts } => {
            r.parts.push(Msg::new(MsgId::CalloutsPick));
            r.choices = Listed::<Back>::offer(callouts, [back()]);
        }
        CalloutState::CalloutMenu { open, .. } => {
            let mut c = vec![
                CalloutMenuChoice::Refresh.offer(MsgId::ChoiceRefresh, &["cap nhat", "refresh"]),
                CalloutMenuChoice::Pledges.offer(MsgId::ChoicePledges, &["nhan loi", "pledges"]),
            ];
            if *open {
                c.push(
                    CalloutMenuChoice::Extend.offer(MsgId::ChoiceExtend, &["gia han", "extend"]),
                );
                c.push(
                    CalloutMenuChoice::Fulfilled
                        .offer(MsgId::ChoiceCloseFulfilled, &["du roi", "dong"]),
                );
                c.push(CalloutMenuChoice::Cancel.offer(MsgId::ChoiceCancelCallout, &["huy"]));
            }
            c.push(CalloutMenuChoice::Back.offer(MsgId::ChoiceBack, &["quay lai", "back"]));
            r.choices = c;
        }
        CalloutState::CalloutExtend { .. } => r.parts.push(Msg::new(MsgId::CalloutAskNewDeadline)),
        CalloutState::CalloutConfirmClose { .. } => {
            r.parts.push(Msg::new(MsgId::CalloutConfirmClose));
            r.choices = vec![
                Sure::Yes.offer(MsgId::ChoiceCloseFulfilled, &["co", "yes", "dong"]),
                Sure::No.offer(MsgId::ChoiceBack, &["khong", "no", "quay lai"]),
            ];
        }
        CalloutState::CalloutConfirmCancel { .. } => {
            r.parts.push(Msg::new(MsgId::CalloutConfirmCancel));
            r.choices = vec![
                Sure::Yes.offer(MsgId::ChoiceCancelCallout, &["co", "yes", "huy"]),
                Sure::No.offer(MsgId::ChoiceBack, &["khong", "no", "quay lai"]),
            ];
        }
        CalloutState::PledgeList { pledges, .. } => {
            r.parts.push(Msg::new(MsgId::PledgesPick));
            r.choices = Listed::<Back>::offer(pledges, [back()]);
        }
        CalloutState::PledgeMark { label, .. } => {
            r.parts
                .push(Msg::new(MsgId::PledgeMarkAsk).str("who", label.clone()));
            r.choices = vec![
                MarkChoice::Donated.offer(MsgId::ChoiceDonated, &["da hien", "donated"]),
                MarkChoice::NoShow.offer(MsgId::ChoiceNoShow, &["khong den", "no show"]),
                MarkChoice::Back.offer(MsgId::ChoiceBack, &["quay lai", "back"]),
            ];
        }
        CalloutState::CalloutAnswer { id } => {
            r.choices = answer_choices(*id);
        }
        CalloutState::Settings => r.parts.push(Msg::new(MsgId::SettingsPrompt)),
        CalloutState::SettingsDeferral => r.parts.push(Msg::new(MsgId::SettingsAskDeferral)),
    }
}

/// Whether urgent call-outs reach this donor, for the profile and the settings.
pub(super) fn urgent_value(d: &crate::domain::donor::Donor) -> Msg {
    Msg::new(if d.urgent_off {
        MsgId::ProfileUrgentOff
    } else {
        MsgId::ProfileUrgentOn
    })
}

/// The settings screen needs the donor's values.
pub(super) fn settings_prompt(donor: Option<&crate::domain::donor::Donor>, r: &mut Reply) {
    let Some(d) = donor else { return };
    r.parts = vec![
        Msg::new(MsgId::SettingsPrompt)
            .msg("urgent", urgent_value(d))
            .msg(
                "night",
                Msg::new(if d.night_alerts == Some(true) {
                    MsgId::ValueNightYes
                } else {
                    MsgId::ValueNightNo
                }),
            )
            .str(
                "deferral",
                d.deferred_until
                    .map(format_vn)
                    .unwrap_or_else(|| "-".into()),
            ),
    ];
    r.choices = vec![
        SettingsChoice::UrgentToggle.offer(
            if d.urgent_off {
                MsgId::ChoiceUrgentOn
            } else {
                MsgId::ChoiceUrgentOff
            },
            &[],
        ),
        SettingsChoice::NightToggle.offer(
            if d.night_alerts == Some(true) {
                MsgId::ChoiceNightOff
            } else {
                MsgId::ChoiceNightOn
            },
            &[],
        ),
        SettingsChoice::Defer.offer(MsgId::ChoiceDeferral, &["tam hoan", "defer"]),
        SettingsChoice::Done.offer(MsgId::ChoiceDone, &["xong", "done"]),
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_screens_choices_round_trip_and_refuse_junk() {
        for item in [Listed::Item(0), Listed::Item(42), Listed::Other(Back::Back)] {
            assert_eq!(Listed::parse(&item.value()), Some(item));
        }
        let review = [ReviewChoice::Send, ReviewChoice::Discard]
            .into_iter()
            .chain(CalloutField::ALL.iter().map(|f| ReviewChoice::Change(*f)));
        let mut values = std::collections::HashSet::new();
        for choice in review {
            assert_eq!(ReviewChoice::parse(choice.value()), Some(choice));
            assert!(
                values.insert(choice.value()),
                "two choices share {}",
                choice.value()
            );
        }
        for bad in ["", "backk", "1x", "sendd", "club:1"] {
            assert_eq!(Listed::<Back>::parse(bad), None, "{bad}");
            assert_eq!(ReviewChoice::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn button_values_round_trip_and_refuse_junk() {
        assert_eq!(
            parse_button("callout:12:yes"),
            Some(CalloutButton::Answer { id: 12, yes: true })
        );
        assert_eq!(
            parse_button("callout:3:no"),
            Some(CalloutButton::Answer { id: 3, yes: false })
        );
        assert_eq!(
            parse_button(&manage_choice(7).value),
            Some(CalloutButton::Manage { id: 7 })
        );
        for c in answer_choices(5) {
            assert!(matches!(
                parse_button(&c.value),
                Some(CalloutButton::Answer { id: 5, .. })
            ));
        }
        for bad in [
            "callout:x:yes",
            "callout:1:maybe",
            "callout:1:manage:2",
            "callout:-:manage",
            "drive:1",
            "",
            "callout:",
        ] {
            assert_eq!(parse_button(bad), None, "{bad}");
        }
    }

    #[test]
    fn stock_arguments() {
        let g = PatientGroup::parse("O-").unwrap();
        assert_eq!(parse_stock_args("O- 3"), Some((g, 3, None)));
        assert_eq!(parse_stock_args("O- 3 12"), Some((g, 3, Some(12))));
        for bad in ["", "O-", "O 3", "O- x", "O- -1", "O- 3 4 5"] {
            assert_eq!(parse_stock_args(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_draft_survives_storage() {
        let d = CalloutDraft {
            group: PatientGroup::parse("AB-"),
            note: Some(String::new()),
            ..Default::default()
        };
        let s = State::Callout(CalloutState::CalloutForm {
            draft: d,
            field: CalloutField::Units,
        });
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(serde_json::from_str::<State>(&json).unwrap(), s);
    }
}
