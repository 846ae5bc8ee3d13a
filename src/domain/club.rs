//! Clubs, roles and who may do what. Free of I/O: the store asks [`Roles::may`] before any
//! privileged change, so a refusal never depends on which screen a command came from.

use crate::domain::blood::BloodGroup;
use crate::domain::delivery::MessageStatus;
use crate::domain::province::Province;
use crate::domain::scope::Scope;
use crate::domain::text::{fold, tidy};
use serde::{Deserialize, Serialize};

/// A privileged role. Club leadership is per club (a membership with role leader); the
/// `Leader` role here is the right to create clubs, granted by a coordinator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Coordinator,
    Leader,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Admin, Role::Coordinator, Role::Leader];

    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Coordinator => "coordinator",
            Role::Leader => "leader",
        }
    }

    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }

    /// What people type: `coordinator`, `điều phối`, `truong clb`…
    pub fn parse(input: &str) -> Option<Role> {
        Some(match fold(input).as_str() {
            "admin" | "quan tri" | "quantri" => Role::Admin,
            "coordinator" | "dieu phoi" | "dieuphoi" | "dpv" => Role::Coordinator,
            "leader" | "truong clb" | "truongclb" | "chu nhiem" | "chunhiem" | "doi truong" => {
                Role::Leader
            }
            _ => return None,
        })
    }
}

/// The roles one person holds (over all their linked accounts).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Roles {
    pub admin: bool,
    pub coordinator: bool,
    pub leader: bool,
    /// Where the person is an admin (granted per province or for the whole country).
    pub admin_in: Scope,
    /// Where the person is staff: admin or coordinator (what their lists show, what they
    /// may change). A leader's scope is the clubs they lead, not a province.
    pub staff_in: Scope,
}

/// A privileged action, as [`Roles::may`] judges it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Grant(Role),
    CreateClub,
    /// Broadcast to all donors of a province, of a blood group, or everyone.
    BroadcastWide,
    ReadAudit,
    /// Create, edit and cancel campaigns and drives; record donations; read the report.
    ManageDrives,
    /// Read the contest among donor clubs (figures only, no person in them).
    ReadLeaderboard,
    /// Sign in to the web dashboard (its pages then check each request as chat does: a
    /// leader's menu has their clubs and broadcasts).
    UseDashboard,
}

impl Roles {
    /// Roles held for the whole country.
    pub fn from_list(roles: &[Role]) -> Roles {
        let grants: Vec<_> = roles.iter().map(|r| (*r, None)).collect();
        Roles::from_grants(&grants)
    }

    /// Roles as granted: each for a province, or for the whole country (`None`).
    pub fn from_grants(grants: &[(Role, Option<Province>)]) -> Roles {
        let mut roles = Roles::default();
        for &(role, province) in grants {
            let scope = Scope::of_grant(province);
            match role {
                Role::Admin => {
                    roles.admin = true;
                    roles.admin_in = roles.admin_in.join(scope);
                    roles.staff_in = roles.staff_in.join(scope);
                }
                Role::Coordinator => {
                    roles.coordinator = true;
                    roles.staff_in = roles.staff_in.join(scope);
                }
                Role::Leader => roles.leader = true,
            }
        }
        roles
    }

    /// Staff for the whole country.
    pub fn national(&self) -> bool {
        self.staff_in.is_nation()
    }

    /// Admins grant every role; coordinators grant only the leader role. Coordinators and
    /// admins may do all a leader may. Acting on one's own club is checked by membership.
    pub fn may(&self, action: Action) -> bool {
        let staff = self.admin || self.coordinator;
        match action {
            Action::Grant(Role::Leader) => staff,
            Action::Grant(_) => self.admin,
            Action::CreateClub => staff || self.leader,
            Action::BroadcastWide => staff,
            Action::ManageDrives => staff,
            Action::ReadLeaderboard => staff || self.leader,
            Action::UseDashboard => staff || self.leader,
            Action::ReadAudit => self.admin,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClubKind {
    University,
    Workplace,
    Community,
    /// Reserve and rare-blood on-call clubs: asked first by urgent call-outs.
    Reserve,
}

impl ClubKind {
    pub const ALL: [ClubKind; 4] = [
        ClubKind::University,
        ClubKind::Workplace,
        ClubKind::Community,
        ClubKind::Reserve,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ClubKind::University => "university",
            ClubKind::Workplace => "workplace",
            ClubKind::Community => "community",
            ClubKind::Reserve => "reserve",
        }
    }

    pub fn from_code(code: &str) -> Option<ClubKind> {
        ClubKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// A club's kind, as typed or from its [`essence`](crate::domain::understand::essence).
    pub fn parse(input: &str) -> Option<ClubKind> {
        crate::domain::understand::reread(input, Self::parse_as_typed)
    }

    /// A kind in the leader's words: "trường học", "sinh viên", "công ty", "phường",
    /// "máu hiếm", "dự bị".
    fn parse_as_typed(input: &str) -> Option<ClubKind> {
        let f = crate::domain::text::fold(input);
        let f = f
            .trim_start_matches("clb ")
            .trim_start_matches("cau lac bo ");
        let has = |w: &[&str]| {
            w.iter()
                .any(|p| format!(" {f} ").contains(&format!(" {p} ")))
        };
        let kinds = [
            (
                ClubKind::Reserve,
                &[
                    "du bi",
                    "mau hiem",
                    "nhom mau hiem",
                    "hiem",
                    "rh",
                    "rh am",
                    "reserve",
                    "rare",
                    "ngan hang mau song",
                    "truc",
                    "nhom du bi",
                    "mau song",
                ][..],
            ),
            (
                ClubKind::University,
                &[
                    "truong",
                    "truong hoc",
                    "dai hoc",
                    "cao dang",
                    "sinh vien",
                    "hoc sinh",
                    "thpt",
                    "school",
                    "university",
                    "college",
                    "student",
                    "students",
                    "doan truong",
                ][..],
            ),
            (
                ClubKind::Workplace,
                &[
                    "co quan",
                    "cong ty",
                    "doanh nghiep",
                    "nha may",
                    "xi nghiep",
                    "so",
                    "ban nganh",
                    "workplace",
                    "company",
                    "office",
                    "firm",
                    "don vi",
                    "benh vien",
                    "tnhh",
                    "tap doan",
                    "khu cong nghiep",
                ][..],
            ),
            (
                ClubKind::Community,
                &[
                    "cong dong",
                    "phuong",
                    "xa",
                    "thon",
                    "khu pho",
                    "to dan pho",
                    "lang",
                    "community",
                    "neighbourhood",
                    "tinh nguyen",
                    "ton giao",
                    "chua",
                    "nha tho",
                    "khu dan cu",
                    "dan cu",
                    "ap",
                    "xom",
                ][..],
            ),
        ];
        let found: Vec<ClubKind> = kinds
            .iter()
            .filter(|(_, w)| has(w))
            .map(|(k, _)| *k)
            .collect();
        match found.as_slice() {
            [k] => Some(*k),
            // "CLB máu hiếm trường ĐH…": the rare-blood purpose decides.
            [ClubKind::Reserve, ..] => Some(ClubKind::Reserve),
            _ => None,
        }
    }
}

/// A club as one of its members sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClubInfo {
    pub id: i64,
    pub name: String,
    pub kind: ClubKind,
    pub invite_code: String,
    /// The person looking is one of its leaders.
    pub leader: bool,
    /// The person looking muted its announcements.
    pub muted: bool,
    pub members: i64,
}

/// A member as a leader sees them: never the full phone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub donor_id: i64,
    pub name: String,
    pub blood_group: Option<String>,
    pub phone_masked: Option<String>,
    pub leader: bool,
}

/// A broadcast's messages, by what became of them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    /// Not yet handed to the platform (queued, held for quiet hours, being sent).
    pub waiting: i64,
    pub sent: i64,
    pub failed: i64,
    /// Blocked the bot or left the platform.
    pub unreachable: i64,
    pub cancelled: i64,
    /// Being sent when the process stopped: the platform may or may not have them; not sent
    /// again (`[delivery] interrupted_bulk = "report"`).
    pub uncertain: i64,
}

impl Progress {
    /// Messages that reached a final status.
    pub fn done(&self) -> i64 {
        self.sent + self.failed + self.unreachable + self.cancelled + self.uncertain
    }

    /// From (status, count) pairs as the outbox stores them.
    pub fn from_counts(rows: impl IntoIterator<Item = (MessageStatus, i64)>) -> Progress {
        let mut p = Progress::default();
        for (status, n) in rows {
            match status {
                MessageStatus::Pending | MessageStatus::Sending => p.waiting += n,
                MessageStatus::Sent => p.sent += n,
                MessageStatus::Failed => p.failed += n,
                MessageStatus::Unreachable => p.unreachable += n,
                MessageStatus::Cancelled => p.cancelled += n,
                MessageStatus::Uncertain => p.uncertain += n,
            }
        }
        p
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BroadcastInfo {
    pub id: i64,
    /// The club's or province's name, the blood group; empty for everyone.
    pub label: String,
    pub audience: String,
    pub recipients: i64,
    pub created_at: i64,
    pub cancelled: bool,
    pub finished: bool,
    pub progress: Progress,
}

/// What the audit log is narrowed to: an action's code, an account (part of it), days (ms
/// from, to), at most `limit` entries (the latest).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AuditFilter {
    pub action: Option<String>,
    pub actor: Option<String>,
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub limit: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub recipients: Option<i64>,
}

/// A club's name as typed: 3–80 characters, white space tidied.
pub fn parse_club_name(input: &str) -> Option<String> {
    let name = tidy(input);
    let n = name.chars().count();
    ((3..=80).contains(&n) && !name.starts_with('/') && name.chars().any(char::is_alphabetic))
        .then_some(name)
}

/// Letters and digits that cannot be mistaken for one another when read aloud or copied
/// from a poster (no 0/O, 1/I/L).
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
pub const CODE_LEN: usize = 6;

/// A fresh invite code from random bytes (31^6 ≈ 890 million codes).
pub fn invite_code(random: [u8; CODE_LEN]) -> String {
    random
        .iter()
        .map(|b| CODE_ALPHABET[usize::from(*b) % CODE_ALPHABET.len()] as char)
        .collect()
}

/// An invite code as typed: case, spaces and dashes ignored. `None` if it cannot be a code
/// (codes never contain 0, O, 1, I or L).
pub fn parse_invite_code(input: &str) -> Option<String> {
    let code: String = input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (code.len() == CODE_LEN && code.bytes().all(|b| CODE_ALPHABET.contains(&b))).then_some(code)
}

/// Who a broadcast goes to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "to", rename_all = "snake_case")]
pub enum Audience {
    Club { id: i64, name: String },
    Province { code: String },
    Blood { group: String },
    All,
}

impl Audience {
    /// The stored form: `club:12`, `province:HP`, `blood:O-`, `all`.
    pub fn key(&self) -> String {
        match self {
            Audience::Club { id, .. } => format!("club:{id}"),
            Audience::Province { code } => format!("province:{code}"),
            Audience::Blood { group } => format!("blood:{group}"),
            Audience::All => "all".into(),
        }
    }

    pub fn province(p: Province) -> Audience {
        Audience::Province {
            code: p.code().to_string(),
        }
    }

    pub fn blood(g: BloodGroup) -> Audience {
        Audience::Blood { group: g.code() }
    }

    /// A label for people: the club's or province's name, the blood group.
    pub fn label(&self) -> String {
        match self {
            Audience::Club { name, .. } => name.clone(),
            Audience::Province { code } => Province::from_code(code)
                .map(|p| p.name().to_string())
                .unwrap_or_else(|| code.clone()),
            Audience::Blood { group } => group.clone(),
            Audience::All => String::new(),
        }
    }
}

/// Longest announcement: one message on every channel (Zalo's 2,000 characters, less the
/// header and footer the bot adds).
pub const MAX_ANNOUNCEMENT_CHARS: usize = 1500;

/// An announcement as typed: trimmed, not empty, not over [`MAX_ANNOUNCEMENT_CHARS`].
pub fn parse_announcement(input: &str) -> Result<String, usize> {
    let text = input.trim();
    let n = text.chars().count();
    if n == 0 || n > MAX_ANNOUNCEMENT_CHARS {
        Err(n)
    } else {
        Ok(text.to_string())
    }
}

/// What a leader searches their members by: a phone (or its last digits) or a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemberQuery {
    /// At least three digits, as typed with spaces, dots or +84: in national form.
    Digits(String),
    /// Words, folded: every one must be in the member's folded name.
    Words(Vec<String>),
}

impl MemberQuery {
    /// `None` for what searches nothing (empty, one letter).
    pub fn parse(text: &str) -> Option<MemberQuery> {
        let t = text.trim();
        let phone_like = !t.is_empty()
            && t.chars()
                .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '.' | '-' | '+'));
        if phone_like {
            let digits: String = t.chars().filter(char::is_ascii_digit).collect();
            let digits = match digits.strip_prefix("84") {
                Some(rest) if t.starts_with('+') => format!("0{rest}"),
                _ => digits,
            };
            return (digits.len() >= 3).then_some(MemberQuery::Digits(digits));
        }
        let words: Vec<String> = crate::domain::text::fold(t)
            .split_whitespace()
            .map(str::to_string)
            .collect();
        (words.iter().map(|w| w.chars().count()).sum::<usize>() >= 2)
            .then_some(MemberQuery::Words(words))
    }

    /// Whether a member (name, phone in E.164 as stored) answers the query.
    pub fn matches(&self, name: &str, phone_e164: Option<&str>) -> bool {
        match self {
            MemberQuery::Digits(d) => phone_e164.is_some_and(|p| {
                let national = match p.strip_prefix("+84") {
                    Some(rest) => format!("0{rest}"),
                    None => p.to_string(),
                };
                national.contains(d.as_str())
            }),
            MemberQuery::Words(words) => {
                let folded = crate::domain::text::fold(name);
                words.iter().all(|w| folded.contains(w.as_str()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_decide_who_may_do_what() {
        let none = Roles::default();
        let leader = Roles::from_list(&[Role::Leader]);
        let coord = Roles::from_list(&[Role::Coordinator]);
        let admin = Roles::from_list(&[Role::Admin]);
        for action in [
            Action::Grant(Role::Leader),
            Action::Grant(Role::Admin),
            Action::CreateClub,
            Action::BroadcastWide,
            Action::ReadAudit,
            Action::ReadLeaderboard,
            Action::UseDashboard,
        ] {
            assert!(!none.may(action), "{action:?}");
        }
        // A leader's dashboard is their clubs and broadcasts.
        assert!(leader.may(Action::UseDashboard) && coord.may(Action::UseDashboard));
        // The club contest is figures only: leaders see it with staff.
        assert!(leader.may(Action::ReadLeaderboard) && coord.may(Action::ReadLeaderboard));
        assert!(!leader.may(Action::ManageDrives));
        assert!(leader.may(Action::CreateClub));
        assert!(!leader.may(Action::BroadcastWide));
        assert!(!leader.may(Action::Grant(Role::Leader)));
        assert!(coord.may(Action::Grant(Role::Leader)));
        assert!(!coord.may(Action::Grant(Role::Coordinator)));
        assert!(!coord.may(Action::Grant(Role::Admin)));
        assert!(coord.may(Action::BroadcastWide));
        assert!(!coord.may(Action::ReadAudit));
        assert!(admin.may(Action::Grant(Role::Admin)));
        assert!(admin.may(Action::ReadAudit));
    }

    #[test]
    fn roles_are_read_as_people_type_them() {
        assert_eq!(Role::parse("Điều phối"), Some(Role::Coordinator));
        assert_eq!(Role::parse("truong CLB"), Some(Role::Leader));
        assert_eq!(Role::parse("ADMIN"), Some(Role::Admin));
        assert_eq!(Role::parse("boss"), None);
        assert_eq!(Role::parse(""), None);
        for r in Role::ALL {
            assert_eq!(Role::from_code(r.code()), Some(r));
        }
    }

    #[test]
    fn invite_codes_avoid_look_alikes_and_parse_forgivingly() {
        let code = invite_code([0, 30, 31, 255, 7, 100]);
        assert_eq!(code.len(), CODE_LEN);
        assert!(!code.contains(['0', 'O', '1', 'I', 'L']));
        assert_eq!(parse_invite_code(&code), Some(code.clone()));
        assert_eq!(
            parse_invite_code(&format!(" {}-{} ", &code[..3], &code[3..]).to_lowercase()),
            Some(code.clone())
        );
        for bad in [
            "",
            "ABC",
            "ABCDEFG",
            "ABC!EF",
            "ABCDE1",
            "K0K0K0",
            "/start",
            "xin chào",
        ] {
            assert_eq!(parse_invite_code(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn every_random_byte_maps_into_the_alphabet() {
        for b in 0..=255u8 {
            let c = invite_code([b; CODE_LEN]);
            assert!(c.bytes().all(|x| CODE_ALPHABET.contains(&x)), "{b}");
        }
    }

    #[test]
    fn club_names_and_announcements_are_checked() {
        assert_eq!(
            parse_club_name("  CLB  Hiến máu   ĐH Hàng Hải "),
            Some("CLB Hiến máu ĐH Hàng Hải".into())
        );
        for bad in ["", "ab", "123456", "/help", &"x".repeat(81)] {
            assert_eq!(parse_club_name(bad), None, "{bad:?}");
        }
        assert_eq!(
            parse_announcement("  Chủ nhật Đỏ 7/12!  "),
            Ok("Chủ nhật Đỏ 7/12!".into())
        );
        assert_eq!(parse_announcement("   "), Err(0));
        assert_eq!(parse_announcement(&"á".repeat(1501)), Err(1501));
        assert!(parse_announcement(&"á".repeat(1500)).is_ok());
    }

    #[test]
    fn audiences_have_stable_keys() {
        assert_eq!(
            Audience::Club {
                id: 12,
                name: "x".into()
            }
            .key(),
            "club:12"
        );
        assert_eq!(
            Audience::province(Province::from_code("hai-phong").unwrap()).key(),
            "province:hai-phong"
        );
        assert_eq!(
            Audience::blood(BloodGroup::parse("O-").unwrap()).key(),
            "blood:O-"
        );
        assert_eq!(Audience::All.key(), "all");
        assert_eq!(
            Audience::province(Province::from_code("hai-phong").unwrap()).label(),
            "Hải Phòng"
        );
    }

    #[test]
    fn members_are_found_by_name_without_diacritics_or_by_phone_digits() {
        let q = |t: &str| MemberQuery::parse(t).unwrap();
        assert!(q("lan").matches("Nguyễn Thị Lan", None));
        assert!(q("NGUYEN lan").matches("Nguyễn Thị Lan", None));
        assert!(q("Đặng").matches("Đặng Văn Bình", None));
        assert!(!q("lan").matches("Trần Văn Bình", None));
        assert!(q("0912 345").matches("X", Some("+84912345678")));
        assert!(q("678").matches("X", Some("+84912345678")));
        assert!(q("+84 912 345 678").matches("X", Some("+84912345678")));
        assert!(!q("0913").matches("X", Some("+84912345678")));
        assert!(!q("0912").matches("X", None));
        // Too little to search by.
        assert_eq!(MemberQuery::parse(""), None);
        assert_eq!(MemberQuery::parse("a"), None);
        assert_eq!(MemberQuery::parse("12"), None);
    }
}
