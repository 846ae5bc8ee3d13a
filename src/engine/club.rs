//! Clubs, roles and broadcasts in the conversation: joining by code or link, a club's menu,
//! creating a club, writing an announcement with a preview, following and cancelling it,
//! granting roles, reading the audit log.
//!
//! These need the database (does this code exist? how many people would this reach?), which
//! the engine never touches: a turn ends with a [`Request`], the caller carries it out inside
//! the same transaction and hands back an [`Outcome`] to [`super::resume`]. The caller also
//! checks the person's roles for every privileged request; the engine only decides what to
//! say.
//!
//! ```text
//! > /newclub                      > /broadcast
//! Tên câu lạc bộ?                 Gửi thông báo tới đâu?  1. CLB Hiến máu ĐH Hàng Hải …
//! > CLB Hiến máu ĐH Hàng Hải      > 1
//! Loại câu lạc bộ? 1. Trường …    Nội dung thông báo? (tối đa 1.500 ký tự)
//! > 1                             > Chủ nhật Đỏ 7/12 tại Nhà văn hoá Thanh niên…
//! Đã tạo… Mã mời: K7QX2M          Xem trước … Sẽ gửi tới 214 người.  1. Gửi  2. Sửa  3. Huỷ
//! ```

use super::buttons::{Buttons, buttons};
use super::{Choice, Command, Label, Reply, State, Turn, choice};
use crate::domain::audit::AuditAction;
use crate::domain::blood::BloodGroup;
use crate::domain::club::{
    Audience, AuditEntry, BroadcastInfo, ClubInfo, ClubKind, MAX_ANNOUNCEMENT_CHARS, Member, Role,
    parse_announcement, parse_club_name, parse_invite_code,
};
use crate::domain::phone::PhoneNumber;
use crate::domain::plan::ClubStanding;
use crate::domain::province::{Province, ProvinceMatch};
use crate::engine::{Ctx, Input, Request, blood_choices};
use crate::messages::{Msg, MsgId};
use serde::{Deserialize, Serialize};

/// Where a conversation stands in the club, broadcast and role flows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ClubState {
    AskJoinCode,
    /// `/giadinh`: create a family, or type a relative's family code; in one: leave.
    FamilyMenu {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        code: Option<String>,
    },
    ChooseClub {
        clubs: Vec<ClubItem>,
    },
    ClubMenu {
        club: ClubInfo,
    },
    MemberList {
        club: i64,
        club_name: String,
        ids: Vec<i64>,
        /// The page shown, or `usize::MAX` on the last one (no "next").
        page: usize,
        /// The page shown, always (states stored before it read as the first).
        #[serde(default)]
        at: usize,
        /// The names on the page shown, in order, to name a member to remove.
        #[serde(default)]
        shown: Vec<String>,
        /// The search the list answers (pages move within it), if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        query: Option<String>,
    },
    ConfirmRemove {
        club: i64,
        club_name: String,
        donor: i64,
        number: usize,
        /// The member's name, when it was on the page shown.
        #[serde(default)]
        name: String,
    },
    NewClubName,
    NewClubKind {
        name: String,
    },
    ChooseAudience {
        clubs: Vec<ClubItem>,
        wide: bool,
    },
    AudienceProvince,
    AudienceBlood,
    BroadcastText {
        audience: Audience,
    },
    ConfirmBroadcast {
        audience: Audience,
        text: String,
        count: i64,
        left: u32,
    },
    BroadcastList {
        running: Vec<i64>,
    },
}

/// Whom staff may broadcast to beyond clubs: a province of theirs (provincial staff), or
/// also a blood group and everyone (national staff).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Wide {
    No,
    Provinces(Vec<Province>),
    Nation,
}

impl Wide {
    pub fn any(&self) -> bool {
        *self != Wide::No
    }

    /// Whether a broadcast to this province may be offered.
    pub fn province(&self, p: Province) -> bool {
        match self {
            Wide::No => false,
            Wide::Provinces(list) => list.contains(&p),
            Wide::Nation => true,
        }
    }
}

/// A club in a list of choices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClubItem {
    pub id: i64,
    pub name: String,
}

/// The values of the club lists' buttons (most carry an id), written and read here only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClubButton {
    /// `12`: open this club (the list of one's clubs).
    Club { id: i64 },
    /// `club:12`: broadcast to this club.
    Audience { club: i64 },
    /// `stop:7`: stop this broadcast.
    Stop { broadcast: i64 },
    /// `back`: leave the list.
    Back,
}

impl ClubButton {
    pub fn value(self) -> String {
        match self {
            ClubButton::Club { id } => id.to_string(),
            ClubButton::Audience { club } => format!("club:{club}"),
            ClubButton::Stop { broadcast } => format!("stop:{broadcast}"),
            ClubButton::Back => "back".to_string(),
        }
    }

    pub fn parse(v: &str) -> Option<ClubButton> {
        if v == "back" {
            return Some(ClubButton::Back);
        }
        let Some((kind, id)) = v.split_once(':') else {
            return v.parse().ok().map(|id| ClubButton::Club { id });
        };
        let id = id.parse().ok()?;
        match kind {
            "club" => Some(ClubButton::Audience { club: id }),
            "stop" => Some(ClubButton::Stop { broadcast: id }),
            _ => None,
        }
    }
}

/// Members shown per page.
pub const MEMBERS_PER_PAGE: usize = 30;

/// What the club, broadcast and role flows ask the app to read or do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClubRequest {
    MyClubs,
    Club {
        id: i64,
    },
    JoinClub {
        code: String,
    },
    LeaveClub {
        id: i64,
    },
    MuteClub {
        id: i64,
        mute: bool,
    },
    Members {
        id: i64,
        page: usize,
        /// A leader's search (a name or phone digits), as typed.
        query: Option<String>,
    },
    RemoveMember {
        club: i64,
        donor: i64,
    },
    CanCreateClub,
    CreateClub {
        name: String,
        kind: ClubKind,
    },
    BroadcastOptions,
    PreviewBroadcast {
        audience: Audience,
        text: String,
    },
    SendBroadcast {
        audience: Audience,
        text: String,
        /// The dashboard form's one-time key: sending twice with it sends once. The chat
        /// has none (its confirmation is a state, used up by the first "send").
        form_key: Option<String>,
    },
    MyBroadcasts,
    CancelBroadcast {
        id: i64,
    },
    SetRole {
        role: Role,
        phone: PhoneNumber,
        grant: bool,
        /// An admin's or coordinator's province (`None`: the whole country; a revoke without
        /// one takes every grant of the role within the revoker's scope).
        province: Option<Province>,
    },
    Audit,
    /// The audit log narrowed (the dashboard's filter and CSV), newest last.
    AuditSearch(crate::domain::club::AuditFilter),
    /// A one-time sign-in link to the web dashboard.
    DashboardLink,
    /// How the delivery of messages is going (staff).
    DeliveryHealth,
    /// The donor's family (opt-in, for the honours): shown, created, joined by code, left.
    Family,
    CreateFamily,
    JoinFamily {
        code: String,
    },
    LeaveFamily,
    /// The clubs' year (this year's when none is named), for the contest.
    Leaderboard {
        year: Option<i32>,
    },
}

/// What came of a [`ClubRequest`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClubOutcome {
    Clubs(Vec<ClubInfo>),
    Club(ClubInfo),
    /// Not (or no longer) a member of that club.
    NoSuchClub,
    Joined {
        club: ClubInfo,
        already: bool,
    },
    NoSuchCode,
    Left {
        name: String,
    },
    /// The only leader cannot leave: the club would have nobody to run it.
    LastLeader,
    Muted(ClubInfo),
    Members {
        club: i64,
        name: String,
        members: Vec<Member>,
        page: usize,
        /// The search the list answers, if any.
        query: Option<String>,
    },
    MemberRemoved {
        name: String,
    },
    MayCreateClub,
    ClubCreated(ClubInfo),
    BroadcastOptions {
        clubs: Vec<ClubItem>,
        wide: Wide,
    },
    Preview {
        audience: Audience,
        text: String,
        count: i64,
        left: u32,
    },
    NoRecipients,
    CapReached,
    /// `held_until`: quiet hours hold it until this time (HH:MM).
    BroadcastQueued {
        id: i64,
        count: i64,
        held_until: Option<String>,
    },
    Broadcasts(Vec<BroadcastInfo>),
    /// The delivery's health (the dashboard's overview).
    Delivery(crate::domain::delivery::Health),
    BroadcastCancelled {
        id: i64,
        stopped: i64,
    },
    BroadcastOver {
        id: i64,
    },
    RoleChanged {
        role: Role,
        grant: bool,
        changed: bool,
        /// The province it was granted or revoked for (`None`: the whole country).
        province: Option<Province>,
    },
    NoSuchDonor,
    SeveralDonors,
    LastAdmin,
    /// Entries newest last, with their times already in local time.
    Audit(Vec<(String, AuditEntry)>),
    DashboardLink {
        url: String,
    },
    /// The donor's family: its code and members (none: not in one).
    Family {
        code: Option<String>,
        members: i64,
    },
    /// No family has that code.
    NoSuchFamily,
    LeftFamily,
    /// The clubs ranked; `mine`: those the person leads.
    Leaderboard {
        year: i32,
        clubs: Vec<ClubStanding>,
        mine: Vec<i64>,
    },
}

pub fn role_label(role: Role) -> Msg {
    Msg::new(match role {
        Role::Admin => MsgId::RoleAdmin,
        Role::Coordinator => MsgId::RoleCoordinator,
        Role::Leader => MsgId::RoleLeader,
    })
}

/// A role with the province it holds in ("điều phối viên — Hải Phòng"); a national grant
/// is named as before.
pub fn role_label_in(role: Role, province: Option<Province>) -> Msg {
    match province {
        Some(p) => Msg::new(MsgId::RoleInProvince)
            .msg("role", role_label(role))
            .str("province", p.name()),
        None => role_label(role),
    }
}

pub fn kind_label(kind: ClubKind) -> MsgId {
    match kind {
        ClubKind::University => MsgId::ClubKindUniversity,
        ClubKind::Workplace => MsgId::ClubKindWorkplace,
        ClubKind::Community => MsgId::ClubKindCommunity,
        ClubKind::Reserve => MsgId::ClubKindReserve,
    }
}

pub fn audience_label(a: &Audience) -> Msg {
    match a {
        Audience::Club { name, .. } => Msg::new(MsgId::AudienceClub).str("name", name.clone()),
        Audience::Province { .. } => Msg::new(MsgId::AudienceProvince).str("name", a.label()),
        Audience::Blood { group } => Msg::new(MsgId::AudienceBlood).str("group", group.clone()),
        Audience::All => Msg::new(MsgId::AudienceAll),
    }
}

/// `t.me/<bot>?start=<code>` when the Telegram bot is known.
fn invite(ctx: &Ctx, code: &str) -> Msg {
    match ctx.telegram_bot {
        Some(bot) if !bot.is_empty() => Msg::new(MsgId::ClubInviteWithLink)
            .str("code", code)
            .str("link", format!("https://t.me/{bot}?start={code}")),
        _ => Msg::new(MsgId::ClubInvite).str("code", code),
    }
}

impl Turn<'_, '_> {
    fn registered(&self) -> bool {
        self.donor
            .as_ref()
            .is_some_and(|d| d.registered_at.is_some())
    }

    pub(super) fn club_command(&mut self, cmd: Command, args: &str) {
        let needs_donor = matches!(cmd, Command::Clubs | Command::NewClub);
        if needs_donor && !self.registered() {
            self.say(MsgId::ClubNeedsRegistration);
            return self.back_to_base();
        }
        self.state = Some(State::Idle);
        match cmd {
            Command::Clubs => self.request = Some(Request::Club(ClubRequest::MyClubs)),
            Command::Join => self.join_command(args),
            Command::NewClub => self.request = Some(Request::Club(ClubRequest::CanCreateClub)),
            Command::Broadcast => self.request = Some(Request::Club(ClubRequest::BroadcastOptions)),
            Command::Broadcasts => self.request = Some(Request::Club(ClubRequest::MyBroadcasts)),
            Command::Grant | Command::Revoke => {
                let grant = cmd == Command::Grant;
                match parse_role_args(args) {
                    Some((role, phone, province)) => {
                        self.request = Some(Request::Club(ClubRequest::SetRole {
                            role,
                            phone,
                            grant,
                            province,
                        }))
                    }
                    None => {
                        self.say(if grant {
                            MsgId::GrantUsage
                        } else {
                            MsgId::RevokeUsage
                        });
                        self.back_to_base();
                    }
                }
            }
            Command::Audit => self.request = Some(Request::Club(ClubRequest::Audit)),
            Command::Dashboard => self.request = Some(Request::Club(ClubRequest::DashboardLink)),
            Command::Family => {
                self.request = Some(Request::Club(match parse_invite_code(args) {
                    Some(code) => ClubRequest::JoinFamily { code },
                    None => ClubRequest::Family,
                }))
            }
            Command::Leaderboard => {
                let year = args
                    .trim()
                    .parse::<i32>()
                    .ok()
                    .filter(|y| (2000..=2100).contains(y));
                self.request = Some(Request::Club(ClubRequest::Leaderboard { year }))
            }
            _ => self.back_to_base(),
        }
    }

    /// `/join CODE`, `/start CODE` (a deep link) or `/join` alone.
    pub(super) fn join_command(&mut self, args: &str) {
        if args.is_empty() {
            if self.registered() {
                self.state = Some(State::Club(ClubState::AskJoinCode));
            } else {
                self.say(MsgId::ClubNeedsRegistration);
                self.back_to_base();
            }
            return;
        }
        let Some(code) = parse_invite_code(args) else {
            self.say(MsgId::JoinBadCode);
            return self.back_to_base();
        };
        if self.registered() {
            self.state = Some(State::Idle);
            self.request = Some(Request::Club(ClubRequest::JoinClub { code }));
            return;
        }
        // Register first; the club is joined when the registration is confirmed.
        self.join = Some(code);
        self.say(MsgId::JoinAfterRegistration);
        if self.donor.is_some() {
            self.advance();
        } else {
            self.say(MsgId::Welcome);
            self.state = Some(State::AwaitConsent);
        }
    }

    /// An answer in one of the club states.
    pub(super) fn club_input(&mut self, state: ClubState, input: &Input) {
        let text = match input {
            Input::Text(t) => t.trim(),
            _ => "",
        };
        match state {
            ClubState::FamilyMenu { code } => self.family_menu_input(input, text, code),
            ClubState::AskJoinCode => match parse_invite_code(text) {
                Some(code) => {
                    self.state = Some(State::Idle);
                    self.request = Some(Request::Club(ClubRequest::JoinClub { code }));
                }
                None => self.wrong(MsgId::JoinBadCode),
            },
            ClubState::ChooseClub { .. } => match self.pick(input) {
                Some(v) => match ClubButton::parse(&v) {
                    Some(ClubButton::Back) => self.state = Some(State::Idle),
                    Some(ClubButton::Club { id }) => {
                        self.request = Some(Request::Club(ClubRequest::Club { id }))
                    }
                    Some(ClubButton::Audience { .. } | ClubButton::Stop { .. }) | None => {
                        self.stale()
                    }
                },
                None => self.wrong(MsgId::ErrorChoice),
            },
            ClubState::ClubMenu { club } => self.club_menu(club, input),
            ClubState::MemberList {
                club,
                club_name,
                ids,
                page,
                at,
                shown,
                query,
            } => self.member_list_input(text, club, club_name, ids, (page, at), shown, query),
            ClubState::ConfirmRemove { club, donor, .. } => {
                match self.pick_yes_no_as(input, RemoveChoice::Remove, RemoveChoice::Keep) {
                    Some(RemoveChoice::Remove) => {
                        self.state = Some(State::Idle);
                        self.request =
                            Some(Request::Club(ClubRequest::RemoveMember { club, donor }));
                    }
                    Some(RemoveChoice::Keep) => self.done(MsgId::MemberKept),
                    None => self.wrong(MsgId::ErrorChoice),
                }
            }
            ClubState::NewClubName => match parse_club_name(text) {
                Some(name) => self.state = Some(State::Club(ClubState::NewClubKind { name })),
                None => self.wrong(MsgId::ErrorClubName),
            },
            ClubState::NewClubKind { name } => self.new_club_kind_input(input, name),
            ClubState::ChooseAudience { .. } => self.choose_audience_input(input),
            ClubState::AudienceProvince => match Province::find(text) {
                ProvinceMatch::One { province, .. } => {
                    self.state = Some(State::Club(ClubState::BroadcastText {
                        audience: Audience::province(province),
                    }))
                }
                ProvinceMatch::Many(_) => self.wrong(MsgId::ErrorProvinceAmbiguous),
                ProvinceMatch::None => self.wrong(MsgId::ErrorProvince),
            },
            ClubState::AudienceBlood => self.audience_blood_input(input, text),
            ClubState::BroadcastText { audience } => self.broadcast_text_input(input, audience),
            ClubState::ConfirmBroadcast { audience, text, .. } => {
                self.confirm_broadcast_input(input, audience, text)
            }
            ClubState::BroadcastList { .. } => match self.pick(input) {
                Some(v) => match ClubButton::parse(&v) {
                    Some(ClubButton::Back) => self.state = Some(State::Idle),
                    Some(ClubButton::Stop { broadcast: id }) => {
                        self.state = Some(State::Idle);
                        self.request = Some(Request::Club(ClubRequest::CancelBroadcast { id }));
                    }
                    Some(ClubButton::Audience { .. } | ClubButton::Club { .. }) | None => {
                        self.stale()
                    }
                },
                None => self.wrong(MsgId::ErrorChoice),
            },
        }
    }

    /// The family group's menu: create or leave it, or join one by its code.
    fn family_menu_input(&mut self, input: &Input, text: &str, code: Option<String>) {
        match self.pick_as(input) {
            Some(FamilyChoice::Back) => self.state = Some(State::Idle),
            Some(FamilyChoice::Create) if code.is_none() => {
                self.request = Some(Request::Club(ClubRequest::CreateFamily))
            }
            Some(FamilyChoice::Leave) if code.is_some() => {
                self.request = Some(Request::Club(ClubRequest::LeaveFamily))
            }
            // Offered on the other side of the menu (a tap on an older message).
            Some(FamilyChoice::Create | FamilyChoice::Leave) => self.stale(),
            None => match parse_invite_code(text) {
                Some(code) => self.request = Some(Request::Club(ClubRequest::JoinFamily { code })),
                None => self.wrong(MsgId::FamilyBadCode),
            },
        }
    }

    /// A blood group to broadcast to, by button or typed.
    fn audience_blood_input(&mut self, input: &Input, text: &str) {
        let group = self
            .pick(input)
            .and_then(|v| BloodGroup::from_code(&v))
            .or_else(|| BloodGroup::parse(text).ok())
            .filter(|g| !g.is_unknown() && g.abo.is_some() && g.rh.is_some());
        match group {
            Some(g) => {
                self.state = Some(State::Club(ClubState::BroadcastText {
                    audience: Audience::blood(g),
                }))
            }
            None => self.wrong(MsgId::ErrorBloodGroup),
        }
    }

    /// The announcement's text.
    fn broadcast_text_input(&mut self, input: &Input, audience: Audience) {
        match input {
            Input::Text(t) => match parse_announcement(t) {
                Ok(text) => {
                    self.state = Some(State::Idle);
                    self.request = Some(Request::Club(ClubRequest::PreviewBroadcast {
                        audience,
                        text,
                    }));
                }
                Err(n) => self.wrong(
                    Msg::new(MsgId::ErrorAnnouncementLength)
                        .num("max", MAX_ANNOUNCEMENT_CHARS as f64)
                        .num("count", n as f64),
                ),
            },
            _ => self.say(MsgId::TextOnly),
        }
    }

    fn club_menu(&mut self, club: ClubInfo, input: &Input) {
        let id = club.id;
        let Some(picked) = self.pick(input) else {
            return self.wrong(MsgId::ErrorChoice);
        };
        match ClubMenuChoice::parse(&picked) {
            Some(ClubMenuChoice::Broadcast) => {
                self.state = Some(State::Club(ClubState::BroadcastText {
                    audience: Audience::Club {
                        id,
                        name: club.name,
                    },
                }))
            }
            Some(ClubMenuChoice::Members) => {
                self.request = Some(Request::Club(ClubRequest::Members {
                    id,
                    page: 0,
                    query: None,
                }))
            }
            Some(ClubMenuChoice::Invite) => {
                self.say(invite(self.ctx, &club.invite_code));
            }
            Some(ClubMenuChoice::Mute) => {
                self.request = Some(Request::Club(ClubRequest::MuteClub { id, mute: true }))
            }
            Some(ClubMenuChoice::Unmute) => {
                self.request = Some(Request::Club(ClubRequest::MuteClub { id, mute: false }))
            }
            Some(ClubMenuChoice::Leave) => {
                self.request = Some(Request::Club(ClubRequest::LeaveClub { id }))
            }
            Some(ClubMenuChoice::Back) => self.state = Some(State::Idle),
            // A button of another screen (an old message): said so, nothing done.
            None => self.stale(),
        }
    }

    /// What to say and where to go once a request is done.
    pub(super) fn club_outcome(&mut self, outcome: ClubOutcome) {
        let ctx = self.ctx;
        match outcome {
            ClubOutcome::Clubs(clubs) => self.show_clubs(clubs),
            ClubOutcome::Club(club) => self.state = Some(State::Club(ClubState::ClubMenu { club })),
            ClubOutcome::NoSuchClub => self.done(MsgId::ClubGone),
            ClubOutcome::Joined { club, already } => self.joined(club, already),
            ClubOutcome::NoSuchCode => {
                if self.state == Some(State::Club(ClubState::AskJoinCode)) {
                    self.wrong(MsgId::JoinNoSuchCode);
                } else {
                    self.done(MsgId::JoinNoSuchCode);
                }
            }
            ClubOutcome::Left { name } => self.done(Msg::new(MsgId::ClubLeft).str("name", name)),
            ClubOutcome::LastLeader => {
                self.say(MsgId::ClubLastLeader);
                self.back_to_base();
            }
            ClubOutcome::Muted(club) => self.muted(club),
            ClubOutcome::Members {
                club,
                name,
                members,
                page,
                query,
            } => self.show_members(club, name, members, page, query),
            ClubOutcome::MemberRemoved { name } => {
                self.done(Msg::new(MsgId::MemberRemoved).str("name", name))
            }
            ClubOutcome::MayCreateClub => self.state = Some(State::Club(ClubState::NewClubName)),
            ClubOutcome::ClubCreated(club) => {
                self.say(
                    Msg::new(MsgId::ClubCreated)
                        .str("name", club.name.clone())
                        .msg("invite", invite(ctx, &club.invite_code)),
                );
                self.state = Some(State::Club(ClubState::ClubMenu { club }));
            }
            ClubOutcome::BroadcastOptions { clubs, wide } => {
                self.broadcast_options(clubs, wide.any())
            }
            ClubOutcome::Preview {
                audience,
                text,
                count,
                left,
            } => {
                self.state = Some(State::Club(ClubState::ConfirmBroadcast {
                    audience,
                    text,
                    count,
                    left,
                }))
            }
            ClubOutcome::NoRecipients => self.done(MsgId::BroadcastNobody),
            ClubOutcome::CapReached => {
                self.done(Msg::new(MsgId::BroadcastCap).num("cap", f64::from(ctx.broadcast_cap)))
            }
            ClubOutcome::BroadcastQueued {
                id,
                count,
                held_until,
            } => self.broadcast_queued(id, count, held_until),
            ClubOutcome::Broadcasts(list) => self.show_broadcasts(list),
            // Asked by the dashboard only; nothing to say in chat.
            ClubOutcome::Delivery(_) => self.state = Some(State::Idle),
            ClubOutcome::BroadcastCancelled { id, stopped } => self.done(
                Msg::new(MsgId::BroadcastCancelled)
                    .num("id", id as f64)
                    .num("stopped", stopped as f64),
            ),
            ClubOutcome::BroadcastOver { id } => {
                self.done(Msg::new(MsgId::BroadcastOver).num("id", id as f64))
            }
            ClubOutcome::RoleChanged {
                role,
                grant,
                changed,
                province,
            } => self.role_changed(role, grant, changed, province),
            ClubOutcome::NoSuchDonor => {
                self.say(MsgId::RoleNoSuchDonor);
                self.back_to_base();
            }
            ClubOutcome::SeveralDonors => {
                self.say(MsgId::RoleSeveralDonors);
                self.back_to_base();
            }
            ClubOutcome::LastAdmin => {
                self.say(MsgId::RoleLastAdmin);
                self.back_to_base();
            }
            ClubOutcome::Audit(entries) => self.show_audit(entries),
            ClubOutcome::Family { code, members } => {
                match &code {
                    Some(c) => self.say(
                        Msg::new(MsgId::FamilyShow)
                            .str("code", c.clone())
                            .num("members", members as f64),
                    ),
                    None => self.say(MsgId::FamilyNone),
                }
                self.state = Some(State::Club(ClubState::FamilyMenu { code }));
            }
            ClubOutcome::DashboardLink { url } => {
                self.say(Msg::new(MsgId::DashboardLinkSent).str("url", url));
                self.back_to_base();
            }
            ClubOutcome::NoSuchFamily => {
                self.say(MsgId::FamilyBadCode);
                self.state = Some(State::Club(ClubState::FamilyMenu { code: None }));
            }
            ClubOutcome::LeftFamily => {
                self.say(MsgId::FamilyLeft);
                self.back_to_base();
            }
            ClubOutcome::Leaderboard { year, clubs, mine } => {
                self.show_leaderboard(year, &clubs, &mine)
            }
        }
    }
}

/// The club flows' answers that take more than a line.
impl Turn<'_, '_> {
    /// Whom to broadcast to: a club, a province, a blood group, everyone.
    fn choose_audience_input(&mut self, input: &Input) {
        let picked = self.pick(input);
        match picked.as_deref().map(|v| (WideAudience::parse(v), v)) {
            Some((Some(WideAudience::Province), _)) => {
                self.state = Some(State::Club(ClubState::AudienceProvince))
            }
            Some((Some(WideAudience::Blood), _)) => {
                self.state = Some(State::Club(ClubState::AudienceBlood))
            }
            Some((Some(WideAudience::All), _)) => {
                self.state = Some(State::Club(ClubState::BroadcastText {
                    audience: Audience::All,
                }))
            }
            Some((None, v)) => {
                let club = match ClubButton::parse(v) {
                    Some(ClubButton::Audience { club }) => Some(club),
                    _ => None,
                };
                let name = match &self.state {
                    Some(State::Club(ClubState::ChooseAudience { clubs, .. })) => club
                        .and_then(|id| clubs.iter().find(|c| c.id == id).map(|c| c.name.clone())),
                    _ => None,
                };
                match (club, name) {
                    (Some(id), Some(name)) => {
                        self.state = Some(State::Club(ClubState::BroadcastText {
                            audience: Audience::Club { id, name },
                        }))
                    }
                    _ => self.stale(),
                }
            }
            None => self.wrong(MsgId::ErrorChoice),
        }
    }

    /// A leader's member list: another page, a search by name or phone, or a member by
    /// number to remove.
    #[allow(clippy::too_many_arguments)]
    fn member_list_input(
        &mut self,
        text: &str,
        club: i64,
        club_name: String,
        ids: Vec<i64>,
        (page, at): (usize, usize),
        shown: Vec<String>,
        query: Option<String>,
    ) {
        // Numbers name members here, so pages are words: "tiếp", "trước", "trang 50".
        let folded = crate::domain::text::fold(text);
        let go = |page: usize| {
            Some(Request::Club(ClubRequest::Members {
                id: club,
                page,
                query: query.clone(),
            }))
        };
        let search = |q: &str| {
            Some(Request::Club(ClubRequest::Members {
                id: club,
                page: 0,
                query: Some(q.trim().to_string()),
            }))
        };
        if ["tat ca", "ca danh sach", "all", "everyone", "bo tim"].contains(&folded.as_str()) {
            self.request = Some(Request::Club(ClubRequest::Members {
                id: club,
                page: 0,
                query: None,
            }));
            return;
        }
        // "tìm Lan", "tim 0912", "search Lan".
        if let Some(q) = ["tim kiem ", "tim ", "search ", "find "]
            .iter()
            .find(|p| folded.starts_with(*p))
            .map(|p| {
                let words = p.split_whitespace().count();
                text.split_whitespace()
                    .skip(words)
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .filter(|q| crate::domain::club::MemberQuery::parse(q).is_some())
        {
            self.request = search(&q);
            return;
        }
        if page != usize::MAX
            && ["tiep", "next", "trang sau", "xem them", "sau"].contains(&folded.as_str())
        {
            self.request = go(page.saturating_add(1));
            return;
        }
        if ["truoc", "trang truoc", "lui", "back", "previous", "prev"].contains(&folded.as_str()) {
            self.request = go(at.saturating_sub(1));
            return;
        }
        if let Some(n) = ["trang ", "page ", "tr "]
            .iter()
            .find_map(|p| folded.strip_prefix(p))
            .and_then(|n| n.trim().parse::<usize>().ok())
        {
            // Past the last page: the last one.
            self.request = go(n.max(1) - 1);
            return;
        }
        match text.trim_end_matches('.').parse::<usize>() {
            Ok(n) if n >= 1 && n <= ids.len() => {
                let first = at * MEMBERS_PER_PAGE + 1;
                let name = n
                    .checked_sub(first)
                    .and_then(|i| shown.get(i))
                    .cloned()
                    .unwrap_or_default();
                self.state = Some(State::Club(ClubState::ConfirmRemove {
                    club,
                    club_name,
                    donor: ids[n - 1],
                    number: n,
                    name,
                }));
            }
            // Not a number on the list: a phone (seven digits or more) or a name is a search.
            Ok(n) if n >= 1_000_000 => self.request = search(text),
            Ok(_) => self.wrong(MsgId::MembersPickNumber),
            Err(_) if crate::domain::club::MemberQuery::parse(text).is_some() => {
                self.request = search(text)
            }
            Err(_) => self.wrong(MsgId::MembersPickNumber),
        }
    }

    /// The kind of a new club (by button or by word).
    fn new_club_kind_input(&mut self, input: &Input, name: String) {
        let typed = match input {
            Input::Text(t) => ClubKind::parse(t),
            _ => None,
        };
        match self
            .pick(input)
            .and_then(|v| ClubKind::from_code(&v))
            .or(typed)
        {
            Some(kind) => {
                self.state = Some(State::Idle);
                self.request = Some(Request::Club(ClubRequest::CreateClub { name, kind }));
            }
            None => self.wrong(MsgId::ErrorChoice),
        }
    }

    /// Send the broadcast as previewed, rewrite it or drop it?
    fn confirm_broadcast_input(&mut self, input: &Input, audience: Audience, text: String) {
        match self.pick_yes_no_as(input, PreviewChoice::Send, PreviewChoice::Drop) {
            Some(PreviewChoice::Send) => {
                self.state = Some(State::Idle);
                self.request = Some(Request::Club(ClubRequest::SendBroadcast {
                    audience,
                    text,
                    form_key: None,
                }));
            }
            Some(PreviewChoice::Rewrite) => {
                self.state = Some(State::Club(ClubState::BroadcastText { audience }))
            }
            Some(PreviewChoice::Drop) => self.done(MsgId::BroadcastDropped),
            None => self.wrong(MsgId::ErrorChoice),
        }
    }
}

/// What the club flows say when a membership changes.
impl Turn<'_, '_> {
    /// Joined a club (or already a member).
    fn joined(&mut self, club: ClubInfo, already: bool) {
        self.done(
            Msg::new(if already {
                MsgId::JoinedAlready
            } else {
                MsgId::Joined
            })
            .str("name", club.name),
        );
    }

    /// A club's announcements muted or unmuted for this donor.
    fn muted(&mut self, club: ClubInfo) {
        self.say(
            Msg::new(if club.muted {
                MsgId::ClubMutedNow
            } else {
                MsgId::ClubUnmutedNow
            })
            .str("name", club.name.clone()),
        );
        self.state = Some(State::Club(ClubState::ClubMenu { club }));
    }
}

/// What the club flows say for the outcomes with more to show.
impl Turn<'_, '_> {
    /// The donor's clubs, to pick one (or that there are none).
    fn show_clubs(&mut self, clubs: Vec<ClubInfo>) {
        if clubs.is_empty() {
            self.say(MsgId::ClubsNone);
            return self.back_to_base();
        }
        let lines: Vec<String> = clubs
            .iter()
            .map(|c| {
                let mut l = format!("• {} ({})", c.name, c.members);
                if c.leader {
                    l.push_str(" ★");
                }
                if c.muted {
                    l.push_str(" 🔕");
                }
                l
            })
            .collect();
        self.say(Msg::new(MsgId::ClubsList).str("clubs", lines.join("\n")));
        self.state = Some(State::Club(ClubState::ChooseClub {
            clubs: clubs
                .into_iter()
                .map(|c| ClubItem {
                    id: c.id,
                    name: c.name,
                })
                .collect(),
        }));
    }

    /// A page of a club's members (or of those a search found), for its leader.
    fn show_members(
        &mut self,
        club: i64,
        name: String,
        members: Vec<Member>,
        page: usize,
        query: Option<String>,
    ) {
        if members.is_empty()
            && let Some(q) = &query
        {
            self.say(
                Msg::new(MsgId::MembersNoneFound)
                    .str("club", name.clone())
                    .str("query", q.clone()),
            );
            self.prompt = super::PromptMode::ChoicesOnly;
            self.state = Some(State::Club(ClubState::MemberList {
                club,
                club_name: name,
                ids: Vec::new(),
                page: usize::MAX,
                at: 0,
                shown: Vec::new(),
                query,
            }));
            return;
        }
        let pages = members.len().div_ceil(MEMBERS_PER_PAGE).max(1);
        let page = page.min(pages - 1);
        let first = page * MEMBERS_PER_PAGE;
        let lines: Vec<String> = members
            .iter()
            .enumerate()
            .skip(first)
            .take(MEMBERS_PER_PAGE)
            .map(|(i, m)| {
                let mut l = format!("{}. {}", i + 1, m.name);
                if let Some(g) = &m.blood_group {
                    l.push_str(&format!(" · {g}"));
                }
                if let Some(p) = &m.phone_masked {
                    l.push_str(&format!(" · {p}"));
                }
                if m.leader {
                    l.push_str(" ★");
                }
                l
            })
            .collect();
        self.say(
            Msg::new(MsgId::MembersList)
                .str("club", name.clone())
                .str("query", query.clone().unwrap_or_else(|| "none".into()))
                .num("count", members.len() as f64)
                .num("page", (page + 1) as f64)
                .num("pages", pages as f64)
                .str("members", lines.join("\n")),
        );
        self.state = Some(State::Club(ClubState::MemberList {
            club,
            club_name: name,
            ids: members.iter().map(|m| m.donor_id).collect(),
            page: if page + 1 < pages { page } else { usize::MAX },
            at: page,
            shown: members
                .iter()
                .skip(first)
                .take(MEMBERS_PER_PAGE)
                .map(|m| m.name.clone())
                .collect(),
            query,
        }));
    }

    /// The sender's broadcasts, with a way to stop those still going.
    fn show_broadcasts(&mut self, list: Vec<BroadcastInfo>) {
        if list.is_empty() {
            self.say(MsgId::BroadcastsNone);
            return self.back_to_base();
        }
        let ctx = self.ctx;
        let lines: Vec<Msg> = list.iter().map(|b| broadcast_line(ctx, b)).collect();
        for l in lines {
            self.say(l);
        }
        let running: Vec<i64> = list
            .iter()
            .filter(|b| !b.finished && !b.cancelled && b.progress.waiting > 0)
            .map(|b| b.id)
            .collect();
        self.state = Some(if running.is_empty() {
            State::Idle
        } else {
            State::Club(ClubState::BroadcastList { running })
        });
    }

    /// The audit log's last entries, in words.
    /// The first 20 clubs, and the person's own wherever they stand (marked ⭐).
    fn show_leaderboard(&mut self, year: i32, clubs: &[ClubStanding], mine: &[i64]) {
        const TOP: usize = 20;
        let ctx = self.ctx;
        if clubs.is_empty() {
            self.say(MsgId::LeaderboardEmpty);
            return self.back_to_base();
        }
        let lines: Vec<String> = clubs
            .iter()
            .enumerate()
            .filter(|(i, c)| *i < TOP || mine.contains(&c.club_id))
            .map(|(i, c)| {
                let line = super::plan::club_line(i + 1, c, mine.contains(&c.club_id));
                ctx.catalogue.render(self.lang, &line)
            })
            .collect();
        self.say(
            Msg::new(MsgId::Leaderboard)
                .num("year", f64::from(year))
                .num("clubs", clubs.len() as f64)
                .str("lines", lines.join("\n")),
        );
        self.back_to_base();
    }

    fn show_audit(&mut self, entries: Vec<(String, AuditEntry)>) {
        if entries.is_empty() {
            self.say(MsgId::AuditEmpty);
            return self.back_to_base();
        }
        let ctx = self.ctx;
        let lines: Vec<String> = entries
            .iter()
            .map(|(at, e)| {
                // A code this version does not know is shown as it is.
                let action = AuditAction::from_code(&e.action)
                    .map(|a| {
                        ctx.catalogue
                            .render(self.lang, &Msg::new(audit_action_label(a)))
                    })
                    .unwrap_or_else(|| e.action.clone());
                let mut l = format!("{at} · {} · {action}", e.actor);
                if !e.target.is_empty() {
                    l.push_str(&format!(" · {}", e.target));
                }
                if let Some(n) = e.recipients {
                    l.push_str(&format!(" · {n}"));
                }
                l
            })
            .collect();
        self.say(Msg::new(MsgId::AuditList).str("lines", lines.join("\n")));
        self.back_to_base();
    }

    /// Whom to broadcast to: straight to the text when there is only one club to choose.
    fn broadcast_options(&mut self, clubs: Vec<ClubItem>, wide: bool) {
        if clubs.is_empty() && !wide {
            self.say(MsgId::BroadcastNoClub);
            self.back_to_base();
        } else if let ([only], false) = (clubs.as_slice(), wide) {
            self.state = Some(State::Club(ClubState::BroadcastText {
                audience: Audience::Club {
                    id: only.id,
                    name: only.name.clone(),
                },
            }));
        } else {
            self.state = Some(State::Club(ClubState::ChooseAudience { clubs, wide }));
        }
    }

    /// A broadcast on its way (held until the end of the quiet hours, if they hold it).
    fn broadcast_queued(&mut self, id: i64, count: i64, held_until: Option<String>) {
        self.say(
            Msg::new(MsgId::BroadcastQueued)
                .num("id", id as f64)
                .num("count", count as f64),
        );
        if let Some(t) = held_until {
            self.say(Msg::new(MsgId::BroadcastHeld).str("time", t));
        }
        self.state = Some(State::Idle);
    }

    /// A role granted or revoked (or already so).
    fn role_changed(&mut self, role: Role, grant: bool, changed: bool, province: Option<Province>) {
        let id = match (grant, changed) {
            (true, true) => MsgId::RoleGranted,
            (true, false) => MsgId::RoleAlready,
            (false, true) => MsgId::RoleRevoked,
            (false, false) => MsgId::RoleNotHeld,
        };
        self.say(Msg::new(id).msg("role", role_label_in(role, province)));
        self.back_to_base();
    }
}

/// An audit action's name in words.
pub fn audit_action_label(action: AuditAction) -> MsgId {
    match action {
        AuditAction::BroadcastCancel => MsgId::AuditBroadcastCancel,
        AuditAction::BroadcastSend => MsgId::AuditBroadcastSend,
        AuditAction::CalloutStart => MsgId::AuditCalloutStart,
        AuditAction::CalloutWave => MsgId::AuditCalloutWave,
        AuditAction::CalloutFulfilled => MsgId::AuditCalloutFulfilled,
        AuditAction::CalloutCancelled => MsgId::AuditCalloutCancelled,
        AuditAction::CalloutExpired => MsgId::AuditCalloutExpired,
        AuditAction::CalloutExtend => MsgId::AuditCalloutExtend,
        AuditAction::CalloutDonated => MsgId::AuditCalloutDonated,
        AuditAction::CalloutNoShow => MsgId::AuditCalloutNoShow,
        AuditAction::CampaignCreate => MsgId::AuditCampaignCreate,
        AuditAction::CampaignEdit => MsgId::AuditCampaignEdit,
        AuditAction::ClubCreate => MsgId::AuditClubCreate,
        AuditAction::ClubRemoveMember => MsgId::AuditClubRemoveMember,
        AuditAction::DonationRecord => MsgId::AuditDonationRecord,
        AuditAction::DonationRemove => MsgId::AuditDonationRemove,
        AuditAction::DriveCancel => MsgId::AuditDriveCancel,
        AuditAction::DriveCreate => MsgId::AuditDriveCreate,
        AuditAction::DriveEdit => MsgId::AuditDriveEdit,
        AuditAction::RoleGrant => MsgId::AuditRoleGrant,
        AuditAction::RoleRevoke => MsgId::AuditRoleRevoke,
        AuditAction::StockAlert => MsgId::AuditStockAlert,
        AuditAction::StockSet => MsgId::AuditStockSet,
        AuditAction::HonoursExport => MsgId::AuditHonoursExport,
        AuditAction::DonorLookup => MsgId::AuditDonorLookup,
        AuditAction::CalendarImport => MsgId::AuditCalendarImport,
        AuditAction::DonationsImport => MsgId::AuditDonationsImport,
        AuditAction::PlanTargetSet => MsgId::AuditPlanTargetSet,
    }
}

/// `/grant coordinator 0912 345 678`, `/capquyen điều phối +84912345678` → the role (words
/// before the number) and the phone.
/// `coordinator 0912 345 678 Hải Phòng`: a role, a phone, and for an admin or coordinator
/// maybe a province (one of the 34, as typed; a leader's role has none).
fn parse_role_args(args: &str) -> Option<(Role, PhoneNumber, Option<Province>)> {
    let at = args.find(|c: char| c.is_ascii_digit() || c == '+')?;
    let (role, rest) = args.split_at(at);
    let role = Role::parse(role.trim())?;
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || " +.-()".contains(c)))
        .unwrap_or(rest.len());
    let (phone, place) = rest.split_at(end);
    let phone = PhoneNumber::parse(phone.trim()).ok()?;
    let province = match place.trim() {
        "" => None,
        _ if role == Role::Leader => return None,
        place => match Province::find(place) {
            ProvinceMatch::One { province, .. } => Some(province),
            ProvinceMatch::Many(_) | ProvinceMatch::None => return None,
        },
    };
    Some((role, phone, province))
}

fn broadcast_line(_ctx: &Ctx, b: &BroadcastInfo) -> Msg {
    let status = if b.cancelled {
        MsgId::BroadcastStatusCancelled
    } else if b.finished || b.progress.waiting == 0 {
        MsgId::BroadcastStatusDone
    } else {
        MsgId::BroadcastStatusRunning
    };
    progress_msg(
        MsgId::BroadcastLine,
        b.id,
        &b.label,
        b.recipients,
        &b.progress,
    )
    .msg("status", Msg::new(status))
}

/// A broadcast's figures, for the list, the progress messages and the summary.
pub fn progress_msg(
    id: MsgId,
    broadcast: i64,
    label: &str,
    recipients: i64,
    p: &crate::domain::club::Progress,
) -> Msg {
    Msg::new(id)
        .num("id", broadcast as f64)
        .str("audience", label)
        .num("recipients", recipients as f64)
        .num("sent", p.sent as f64)
        .num("failed", p.failed as f64)
        .num("unreachable", p.unreachable as f64)
        .num("cancelled", p.cancelled as f64)
        .num("waiting", p.waiting as f64)
        .num("uncertain", p.uncertain as f64)
}

buttons! {
    /// The family menu: create one, or leave it (whichever applies), or back.
    pub enum FamilyChoice { Create = "create", Leave = "leave", Back = "back" }
}

buttons! {
    /// A leader removing a member: remove, or keep them.
    pub enum RemoveChoice { Remove = "remove", Keep = "keep" }
}

buttons! {
    /// The broadcast's preview: send it, write it again, or drop it.
    pub enum PreviewChoice { Send = "send", Rewrite = "rewrite", Drop = "drop" }
}

buttons! {
    /// A club's own menu (a leader's first three).
    pub enum ClubMenuChoice {
        Broadcast = "broadcast",
        Members = "members",
        Invite = "invite",
        Mute = "mute",
        Unmute = "unmute",
        Leave = "leave",
        Back = "back",
    }
}

buttons! {
    /// The audiences beyond one's clubs (the clubs are [`ClubButton::Audience`]).
    pub enum WideAudience { Province = "province", Blood = "blood", All = "all" }
}

fn back() -> Choice {
    choice(
        &ClubButton::Back.value(),
        MsgId::ChoiceBack,
        &["quay lai", "back"],
    )
}

/// The question and options of a club state.
pub(super) fn prompt(ctx: &Ctx, state: &ClubState, r: &mut Reply) {
    match state {
        ClubState::AskJoinCode => r.parts.push(Msg::new(MsgId::AskJoinCode)),
        ClubState::FamilyMenu { code } => family_prompt(code.as_deref(), r),
        ClubState::ChooseClub { clubs } => {
            r.parts.push(Msg::new(MsgId::ChooseClub));
            r.choices = clubs
                .iter()
                .map(|c| Choice {
                    value: ClubButton::Club { id: c.id }.value(),
                    label: Label::Plain(c.name.clone()),
                    synonyms: &[],
                })
                .chain([back()])
                .collect();
        }
        ClubState::ClubMenu { club } => club_menu_prompt(club, r),
        ClubState::MemberList { page, .. } => {
            r.parts.push(Msg::new(if *page == usize::MAX {
                MsgId::MembersPickNumber
            } else {
                MsgId::MembersPickNumberOrNext
            }));
        }
        ClubState::ConfirmRemove {
            club_name,
            number,
            name,
            ..
        } => remove_prompt(club_name, *number, name, r),
        ClubState::NewClubName => r.parts.push(Msg::new(MsgId::AskClubName)),
        ClubState::NewClubKind { .. } => {
            r.parts.push(Msg::new(MsgId::AskClubKind));
            r.choices = ClubKind::ALL
                .iter()
                .map(|k| choice(k.code(), kind_label(*k), &[]))
                .collect();
        }
        ClubState::ChooseAudience { clubs, wide } => audience_prompt(clubs, *wide, r),
        ClubState::AudienceProvince => r.parts.push(Msg::new(MsgId::AskAudienceProvince)),
        ClubState::AudienceBlood => {
            r.parts.push(Msg::new(MsgId::AskAudienceBlood));
            r.choices = blood_choices();
        }
        ClubState::BroadcastText { audience } => r.parts.push(
            Msg::new(MsgId::AskAnnouncement)
                .msg("audience", audience_label(audience))
                .num("max", MAX_ANNOUNCEMENT_CHARS as f64),
        ),
        ClubState::ConfirmBroadcast {
            audience,
            text,
            count,
            left,
        } => {
            r.parts.push(
                Msg::new(MsgId::BroadcastPreview)
                    .msg("audience", audience_label(audience))
                    .str("text", text.clone())
                    .num("count", *count as f64)
                    .num("left", f64::from(*left)),
            );
            r.choices = vec![
                PreviewChoice::Send.offer(MsgId::ChoiceSend, &["gui", "send"]),
                PreviewChoice::Rewrite.offer(MsgId::ChoiceRewrite, &["sua", "viet lai"]),
                PreviewChoice::Drop.offer(MsgId::ChoiceDrop, &["huy", "bo"]),
            ];
        }
        ClubState::BroadcastList { running } => {
            r.parts.push(Msg::new(MsgId::BroadcastsStopAsk));
            r.choices = running
                .iter()
                .map(|id| Choice {
                    value: ClubButton::Stop { broadcast: *id }.value(),
                    label: Label::Msg(Msg::new(MsgId::ChoiceStopBroadcast).num("id", *id as f64)),
                    synonyms: &[],
                })
                .chain([back()])
                .collect();
        }
    }
    let _ = ctx;
}

/// The family group: create one, or leave it.
fn family_prompt(code: Option<&str>, r: &mut Reply) {
    let back = FamilyChoice::Back.offer(MsgId::ChoiceBack, &["quay lai", "back"]);
    r.choices = match code {
        None => vec![
            FamilyChoice::Create.offer(MsgId::ChoiceFamilyCreate, &["tao", "create"]),
            back,
        ],
        Some(_) => vec![
            FamilyChoice::Leave.offer(MsgId::ChoiceFamilyLeave, &["roi", "leave"]),
            back,
        ],
    };
}

/// A club's card and what its member (or leader) may do.
fn club_menu_prompt(club: &ClubInfo, r: &mut Reply) {
    let mut m = Msg::new(MsgId::ClubCard)
        .str("name", club.name.to_string())
        .msg("kind", Msg::new(kind_label(club.kind)))
        .num("members", club.members as f64)
        .msg(
            "role",
            Msg::new(if club.leader {
                MsgId::ClubRoleLeader
            } else {
                MsgId::ClubRoleMember
            }),
        );
    m = m.msg(
        "muted",
        Msg::new(if club.muted {
            MsgId::ClubMutedYes
        } else {
            MsgId::ClubMutedNo
        }),
    );
    r.parts.push(m);
    let mut choices = Vec::new();
    if club.leader {
        choices.push(ClubMenuChoice::Broadcast.offer(MsgId::ChoiceClubBroadcast, &["thong bao"]));
        choices.push(ClubMenuChoice::Members.offer(MsgId::ChoiceClubMembers, &["thanh vien"]));
        choices.push(ClubMenuChoice::Invite.offer(MsgId::ChoiceClubInvite, &["ma moi"]));
    }
    choices.push(if club.muted {
        ClubMenuChoice::Unmute.offer(MsgId::ChoiceClubUnmute, &["bat thong bao"])
    } else {
        ClubMenuChoice::Mute.offer(MsgId::ChoiceClubMute, &["tat thong bao"])
    });
    choices.push(ClubMenuChoice::Leave.offer(MsgId::ChoiceClubLeave, &["roi clb", "roi"]));
    choices.push(ClubMenuChoice::Back.offer(MsgId::ChoiceBack, &["quay lai", "back"]));
    r.choices = choices;
}

/// Removing a member: sure?
fn remove_prompt(club_name: &str, number: usize, name: &str, r: &mut Reply) {
    // Named, when the number was on the page shown.
    r.parts.push(if name.is_empty() {
        Msg::new(MsgId::MemberRemoveConfirm)
            .num("number", number as f64)
            .str("club", club_name.to_string())
    } else {
        Msg::new(MsgId::MemberRemoveConfirmNamed)
            .num("number", number as f64)
            .str("name", name.to_string())
            .str("club", club_name.to_string())
    });
    r.choices = vec![
        RemoveChoice::Remove.offer(MsgId::ChoiceRemove, &["xoa", "remove"]),
        RemoveChoice::Keep.offer(MsgId::ChoiceKeep, &["giu", "khong", "no"]),
    ];
}

/// A broadcast's audience: one of the leader's clubs, or wider for staff.
fn audience_prompt(clubs: &[ClubItem], wide: bool, r: &mut Reply) {
    r.parts.push(Msg::new(MsgId::AskAudience));
    let mut choices: Vec<Choice> = clubs
        .iter()
        .map(|c| Choice {
            value: ClubButton::Audience { club: c.id }.value(),
            label: Label::Plain(c.name.to_string()),
            synonyms: &[],
        })
        .collect();
    if wide {
        choices.push(WideAudience::Province.offer(MsgId::ChoiceAudienceProvince, &["tinh"]));
        choices.push(WideAudience::Blood.offer(MsgId::ChoiceAudienceBlood, &["nhom mau"]));
        choices.push(WideAudience::All.offer(MsgId::ChoiceAudienceAll, &["tat ca", "all"]));
    }
    r.choices = choices;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn club_buttons_round_trip_and_refuse_junk() {
        for b in [
            ClubButton::Club { id: 12 },
            ClubButton::Audience { club: 12 },
            ClubButton::Stop { broadcast: 7 },
            ClubButton::Back,
        ] {
            assert_eq!(ClubButton::parse(&b.value()), Some(b), "{}", b.value());
        }
        for bad in ["", "club:", "club:x", "stop:1:2", "drive:1", "backk", "1.5"] {
            assert_eq!(ClubButton::parse(bad), None, "{bad}");
        }
        // The menus' own values are told apart from the lists'.
        for c in ClubMenuChoice::ALL {
            assert_eq!(ClubMenuChoice::parse(c.value()), Some(*c));
        }
        for w in WideAudience::ALL {
            assert!(ClubButton::parse(w.value()).is_none(), "{}", w.value());
        }
    }
}
