//! Staff scoped to their province (issue 33), as a generated matrix: two provinces, each
//! with donors, a reserve club and its leader, a campaign, a drive with a sign-up, a
//! donation, a call-out with a pledge and a broadcast, made through the use cases by that
//! province's coordinator (granted for it by the national admin). Then every request of the
//! permission table — one example of each, at least, aimed at the other province's things
//! ([`examples`]; [`variant`] is an exhaustive match, so a request added later without an
//! example fails [`every_request_has_an_example`]) — is made by a coordinator, a leader and
//! a donor of one province, and checked against the other province: nothing of it is shown
//! (its people's names and phones; its drives, campaigns, clubs and call-outs in staff
//! views) and nothing of it is changed (its rows read back by the test's own queries, the
//! acting person's own rows aside). Controls keep the test able to fail: the national admin
//! sees both provinces' things in the same lists, and each province's coordinator sees and
//! changes their own.
//!
//! The dashboard's pages and the chat ask these same requests (`web.rs` has no other way to
//! the use cases); the command line is the operator's, national by nature.

use crate::figures::{World, at, day};
use hienmau::domain::callout::{CalloutSpec, PatientGroup, Status};
use hienmau::domain::campaign::CampaignInput;
use hienmau::domain::club::{Audience, AuditFilter, ClubKind, Role};
use hienmau::domain::drive::{DriveInput, DriveSpec, TimeWindow};
use hienmau::domain::eligibility::DonationKind;
use hienmau::domain::phone::PhoneNumber;
use hienmau::domain::plan::TargetChange;
use hienmau::domain::province::Province;
use hienmau::engine::{
    CalloutOutcome, CalloutRequest, ClubOutcome, ClubRequest, DriveOutcome, DriveRequest, Outcome,
    Request,
};

/// One province's people and things, as the test made them.
#[derive(Debug, Clone)]
struct Side {
    province: Province,
    /// Written in every name and place of this side ("HPX", "QNX").
    mark: &'static str,
    /// Telegram users: the coordinator, the club's leader, two donors of the club, an admin
    /// of the province.
    coordinator: i64,
    leader: i64,
    members: [i64; 2],
    admin: i64,
    /// Their donor ids and phones (E.164), in the same order: coordinator, leader, members,
    /// admin.
    donors: Vec<i64>,
    phones: Vec<String>,
    club: i64,
    club_name: String,
    invite: String,
    campaign: i64,
    drive: i64,
    donation: i64,
    callout: i64,
    broadcast: i64,
}

impl Side {
    fn code(&self) -> &'static str {
        self.province.code()
    }

    /// What of this side must never reach another province's staff, leaders or donors:
    /// its people (names, phones, accounts as the audit log names them).
    fn people_marks(&self) -> Vec<String> {
        let mut out = vec![format!("Người {}", self.mark)];
        for p in &self.phones {
            out.push(p.clone());
            out.push(p.trim_start_matches("+84").to_string());
        }
        for u in [
            self.coordinator,
            self.leader,
            self.members[0],
            self.members[1],
            self.admin,
        ] {
            out.push(format!("telegram:{u}\""));
        }
        out
    }

    /// Its things, as staff views list them (a drive's place, a campaign, a club, a
    /// call-out's hospital, the province itself in lists and counts).
    fn thing_marks(&self) -> Vec<String> {
        vec![
            self.mark.to_string(),
            self.code().to_string(),
            format!("{:?}", self.province),
        ]
    }
}

fn phone(user: i64) -> String {
    format!("+8491200{user:04}")
}

/// A donor of `province` (Telegram user `user`), registered, in `club` if given.
async fn donor(w: &World, user: i64, mark: &str, province: &str, club: Option<i64>) -> i64 {
    crate::seed::donor(
        &w.db,
        user,
        "O-",
        province,
        club,
        &format!(
            "full_name = 'Người {mark} {user}', phone = '{}'",
            phone(user)
        ),
    )
    .await
}

fn ok(o: &Outcome) -> bool {
    !matches!(o, Outcome::Refused)
}

/// One province made through the use cases: the coordinator granted for it by the national
/// admin, then their campaign, drive, donation and call-out, a sign-up and a pledge by a
/// member, a broadcast by the leader.
async fn side(w: &mut World, base: i64, mark: &'static str, code: &str) -> Side {
    let province = Province::from_code(code).unwrap();
    let club_name = format!("CLB dự bị {mark} {}", "x".repeat(base as usize / 100));
    let club = crate::seed::reserve_club(&w.db, &club_name, code).await;
    let invite: String = {
        let pool = crate::seed::pool(&w.db).await;
        let c = sqlx::query_scalar("SELECT invite_code FROM clubs WHERE id = $1")
            .bind(club)
            .fetch_one(&pool)
            .await
            .unwrap();
        pool.close().await;
        c
    };
    let (coordinator, leader, members) = (base + 1, base + 2, [base + 11, base + 12]);
    let admin = base + 3;
    let mut donors = vec![
        donor(w, coordinator, mark, code, None).await,
        donor(w, leader, mark, code, Some(club)).await,
    ];
    for m in members {
        donors.push(donor(w, m, mark, code, Some(club)).await);
    }
    donors.push(donor(w, admin, mark, code, None).await);
    crate::seed::exec(
        &w.db,
        &format!(
            "UPDATE club_members SET role = 'leader' WHERE donor_id = {}",
            donors[1]
        ),
    )
    .await;
    let phones: Vec<String> = [coordinator, leader, members[0], members[1], admin]
        .iter()
        .map(|u| phone(*u))
        .collect();
    let grant = |role: Role, user: i64, province: Option<Province>| {
        Request::Club(ClubRequest::SetRole {
            role,
            phone: PhoneNumber::parse(&phone(user)).unwrap(),
            grant: true,
            province,
        })
    };
    for r in [
        grant(Role::Coordinator, coordinator, Some(province)),
        grant(Role::Leader, leader, None),
        grant(Role::Admin, admin, Some(province)),
    ] {
        let o = w.perform(w.admin, r).await;
        assert!(
            matches!(
                o,
                Outcome::Club(ClubOutcome::RoleChanged { changed: true, .. })
            ),
            "{o:?}"
        );
    }
    let coord = w.identity(&coordinator.to_string()).await;
    let o = w
        .perform(
            coord,
            Request::Drive(DriveRequest::SaveCampaign {
                input: CampaignInput {
                    id: None,
                    name: format!("Giọt hồng {mark}"),
                    starts_on: day(12, 1),
                    ends_on: day(12, 31),
                    units: Some((100, 120)),
                    people: Some(150),
                },
            }),
        )
        .await;
    assert!(ok(&o), "{o:?}");
    let campaign = crate::seed::count(
        &w.db,
        &format!("SELECT id FROM campaigns WHERE name = 'Giọt hồng {mark}'"),
    )
    .await;
    // The campaign is the coordinator's province's (a count of the test's own).
    assert_eq!(
        crate::seed::count(
            &w.db,
            &format!(
                "SELECT COUNT(*) FROM campaigns WHERE id = {campaign} AND province = '{code}'"
            ),
        )
        .await,
        1
    );
    // Its plan, from the command line, with a unit allocated.
    let file = w.db.with_file_name(format!("{mark}.toml"));
    std::fs::write(
        &file,
        format!(
            "[year]\nyear = 2026\nunits = \"5000\"\n\n[[unit]]\ncode = \"truong-{m}\"\n\
             name = \"Trường {mark}\"\nkind = \"đại học\"\nunits = 100\n",
            m = mark.to_lowercase()
        ),
    )
    .unwrap();
    hienmau::cli::plan(
        &w.app,
        hienmau::cli::PlanAction::Load {
            file,
            year: Some(2026),
            province: Some(code.into()),
        },
        day(12, 7),
    )
    .await
    .unwrap();
    let o = w
        .perform(
            coord,
            Request::Drive(save_drive(None, province, mark, Some(campaign))),
        )
        .await;
    assert!(ok(&o), "{o:?}");
    let drive = crate::seed::count(
        &w.db,
        &format!("SELECT id FROM drives WHERE place = 'Nhà văn hoá {mark}'"),
    )
    .await;
    let member = w.identity(&members[0].to_string()).await;
    let o = w
        .perform(
            member,
            Request::Drive(DriveRequest::SignUp {
                id: drive,
                slot: None,
            }),
        )
        .await;
    assert!(
        matches!(o, Outcome::Drive(DriveOutcome::SignedUp { .. })),
        "{o:?}"
    );
    let o = w
        .perform(
            coord,
            Request::Drive(DriveRequest::Record {
                donor: donors[3],
                kind: DonationKind::WholeBlood,
                drive: None,
            }),
        )
        .await;
    assert!(
        matches!(o, Outcome::Drive(DriveOutcome::Recorded { .. })),
        "{o:?}"
    );
    let donation = crate::seed::count(
        &w.db,
        &format!("SELECT id FROM donations WHERE donor_id = {}", donors[3]),
    )
    .await;
    let o = w
        .perform(
            coord,
            Request::Callout(CalloutRequest::Start {
                spec: callout_spec(w, province, mark),
            }),
        )
        .await;
    let callout = match o {
        Outcome::Callout(CalloutOutcome::Started { id, asked, .. }) => {
            assert!(asked >= 2, "the club's O- members are asked: {asked}");
            id
        }
        other => panic!("{other:?}"),
    };
    let o = w
        .perform(
            member,
            Request::Callout(CalloutRequest::Answer {
                id: callout,
                yes: true,
            }),
        )
        .await;
    assert!(ok(&o), "{o:?}");
    let o = w
        .perform(
            w.identity(&leader.to_string()).await,
            Request::Club(ClubRequest::SendBroadcast {
                audience: Audience::Club {
                    id: club,
                    name: club_name.clone(),
                },
                text: format!("Thư của CLB {mark}: chủ nhật hiến máu."),
                form_key: None,
            }),
        )
        .await;
    assert!(
        matches!(o, Outcome::Club(ClubOutcome::BroadcastQueued { .. })),
        "{o:?}"
    );
    let broadcast = crate::seed::count(
        &w.db,
        &format!("SELECT id FROM broadcasts WHERE audience = 'club:{club}'"),
    )
    .await;
    Side {
        province,
        mark,
        coordinator,
        leader,
        members,
        admin,
        donors,
        phones,
        club,
        club_name,
        invite,
        campaign,
        drive,
        donation,
        callout,
        broadcast,
    }
}

fn save_drive(
    id: Option<i64>,
    province: Province,
    mark: &str,
    campaign: Option<i64>,
) -> DriveRequest {
    DriveRequest::SaveDrive {
        input: DriveInput {
            id,
            campaign,
            spec: DriveSpec {
                place: format!("Nhà văn hoá {mark}"),
                province,
                commune: String::new(),
                date: day(12, 20),
                window: TimeWindow::parse("07:30-11:30").unwrap(),
                capacity: 50,
                target_units: Some(40),
                slots: Vec::new(),
                unit: None,
            },
        },
    }
}

fn callout_spec(w: &World, province: Province, mark: &str) -> CalloutSpec {
    use hienmau::app::Clock;
    CalloutSpec {
        group: PatientGroup::parse("O-").unwrap(),
        component: DonationKind::WholeBlood,
        units: 2,
        hospital: format!("Bệnh viện {mark}"),
        address: "Số 1".into(),
        province,
        deadline: (w.clock.now() + chrono::Duration::hours(12)).timestamp_millis(),
        note: String::new(),
    }
}

/// Which request this is: an exhaustive match, a distinct number for each kind of request.
/// A request added to the engine does not compile here until it is numbered, and then
/// [`every_request_has_an_example`] fails until [`examples`] makes one.
fn variant(r: &Request) -> usize {
    use CalloutRequest as C;
    use ClubRequest as K;
    use DriveRequest as D;
    match r {
        Request::PhoneInUse { .. } => 0,
        Request::Club(k) => match k {
            K::MyClubs => 1,
            K::Club { .. } => 2,
            K::JoinClub { .. } => 3,
            K::LeaveClub { .. } => 4,
            K::MuteClub { .. } => 5,
            K::Members { .. } => 6,
            K::RemoveMember { .. } => 7,
            K::CanCreateClub => 8,
            K::CreateClub { .. } => 9,
            K::BroadcastOptions => 10,
            K::PreviewBroadcast { .. } => 11,
            K::SendBroadcast { .. } => 12,
            K::MyBroadcasts => 13,
            K::CancelBroadcast { .. } => 14,
            K::SetRole { .. } => 15,
            K::Audit => 16,
            K::AuditSearch(_) => 17,
            K::DashboardLink => 18,
            K::DeliveryHealth => 19,
            K::Family => 20,
            K::CreateFamily => 21,
            K::JoinFamily { .. } => 22,
            K::LeaveFamily => 23,
            K::Leaderboard { .. } => 24,
        },
        Request::Drive(d) => match d {
            D::List { .. } => 25,
            D::Show { .. } => 26,
            D::SignUp { .. } => 27,
            D::CancelSignUp { .. } => 28,
            D::Checkin => 29,
            D::SelfReport { .. } => 30,
            D::FindDonor { .. } => 31,
            D::Record { .. } => 32,
            D::RemoveDonation { .. } => 33,
            D::Report => 34,
            D::OfferUnit { .. } => 35,
            D::FindUnit { .. } => 36,
            D::SetUnit { .. } => 37,
            D::SetTarget { .. } => 38,
            D::PlanReport { .. } => 39,
            D::DriveForm { .. } => 40,
            D::SaveDrive { .. } => 41,
            D::CancelDrive { .. } => 42,
            D::Signups { .. } => 43,
            D::Month { .. } => 44,
            D::CampaignForm => 45,
            D::SaveCampaign { .. } => 46,
            D::CampaignList => 47,
            D::ImportCalendar { .. } => 48,
            D::ImportDonations { .. } => 49,
            D::FileProgress { .. } => 50,
            D::DonorMap => 51,
            D::LookupDonor { .. } => 52,
            D::EditCampaign { .. } => 53,
        },
        Request::Callout(c) => match c {
            C::Form => 54,
            C::Preview { .. } => 55,
            C::Start { .. } => 56,
            C::List => 57,
            C::Show { .. } => 58,
            C::Close { .. } => 59,
            C::Extend { .. } => 60,
            C::Pledges { .. } => 61,
            C::Tally { .. } => 62,
            C::Mark { .. } => 63,
            C::Answer { .. } => 64,
            C::Stock => 65,
            C::SetStock { .. } => 66,
        },
    }
}

/// How many kinds of request [`variant`] numbers.
const VARIANTS: usize = 67;

/// Requests aimed at `t`'s things (its ids, its people's phones, its province), at least
/// one of each kind; the ones that change things last.
fn examples(w: &World, t: &Side) -> Vec<Request> {
    use hienmau::app::Clock;
    let ph = |i: usize| PhoneNumber::parse(&t.phones[i]).unwrap();
    let club = Audience::Club {
        id: t.club,
        name: t.club_name.clone(),
    };
    let calendar = format!(
        "[[campaign]]\nname = \"Lịch {m}\"\nfrom = \"12-01\"\nto = \"12-31\"\n\n\
         [[campaign.drive]]\nplace = \"Sân {m}\"\nprovince = \"{p}\"\ndate = \"12-21\"\n\
         time = \"07:30-11:30\"\ncapacity = 10\n",
        m = t.mark,
        p = t.province.name()
    );
    let donations = format!(
        "so_dien_thoai,ngay_hien,loai\n{},2026-12-05,toan_phan\n",
        t.phones[2]
    );
    let now = w.clock.now();
    vec![
        Request::PhoneInUse { phone: ph(2) },
        // Reading.
        Request::Club(ClubRequest::MyClubs),
        Request::Club(ClubRequest::Club { id: t.club }),
        Request::Club(ClubRequest::Members {
            id: t.club,
            page: 0,
            query: None,
        }),
        Request::Club(ClubRequest::CanCreateClub),
        Request::Club(ClubRequest::BroadcastOptions),
        Request::Club(ClubRequest::PreviewBroadcast {
            audience: club.clone(),
            text: "Xin chào".into(),
        }),
        Request::Club(ClubRequest::PreviewBroadcast {
            audience: Audience::province(t.province),
            text: "Xin chào".into(),
        }),
        Request::Club(ClubRequest::PreviewBroadcast {
            audience: Audience::All,
            text: "Xin chào".into(),
        }),
        Request::Club(ClubRequest::MyBroadcasts),
        Request::Club(ClubRequest::Audit),
        Request::Club(ClubRequest::AuditSearch(AuditFilter {
            action: None,
            actor: None,
            from: None,
            to: None,
            limit: 100,
        })),
        Request::Club(ClubRequest::DashboardLink),
        Request::Club(ClubRequest::DeliveryHealth),
        Request::Club(ClubRequest::Family),
        Request::Club(ClubRequest::Leaderboard { year: Some(2026) }),
        Request::Drive(DriveRequest::List { from: None }),
        Request::Drive(DriveRequest::Show { id: t.drive }),
        Request::Drive(DriveRequest::FindDonor {
            phone: Some(ph(2)),
            code: None,
        }),
        Request::Drive(DriveRequest::Report),
        Request::Drive(DriveRequest::OfferUnit { asked: false }),
        Request::Drive(DriveRequest::FindUnit {
            text: "Trường".into(),
        }),
        Request::Drive(DriveRequest::PlanReport {
            year: Some(2026),
            unit: None,
        }),
        Request::Drive(DriveRequest::DriveForm { edit: None }),
        Request::Drive(DriveRequest::DriveForm {
            edit: Some(t.drive),
        }),
        Request::Drive(DriveRequest::Signups { id: t.drive }),
        Request::Drive(DriveRequest::Month {
            year: 2026,
            month: 12,
        }),
        Request::Drive(DriveRequest::CampaignForm),
        Request::Drive(DriveRequest::CampaignList),
        Request::Drive(DriveRequest::EditCampaign { id: t.campaign }),
        Request::Drive(DriveRequest::FileProgress { id: 1 }),
        Request::Drive(DriveRequest::DonorMap),
        Request::Drive(DriveRequest::LookupDonor { phone: ph(2) }),
        Request::Callout(CalloutRequest::Form),
        Request::Callout(CalloutRequest::Preview {
            spec: callout_spec(w, t.province, t.mark),
        }),
        Request::Callout(CalloutRequest::List),
        Request::Callout(CalloutRequest::Show { id: t.callout }),
        Request::Callout(CalloutRequest::Pledges { id: t.callout }),
        Request::Callout(CalloutRequest::Tally { id: t.callout }),
        Request::Callout(CalloutRequest::Stock),
        // The person's own doings (on the other province's things: their own rows only).
        Request::Club(ClubRequest::JoinClub {
            code: t.invite.clone(),
        }),
        Request::Club(ClubRequest::MuteClub {
            id: t.club,
            mute: true,
        }),
        Request::Club(ClubRequest::LeaveClub { id: t.club }),
        Request::Club(ClubRequest::CreateClub {
            name: "CLB mới của tôi".into(),
            kind: ClubKind::Community,
        }),
        Request::Club(ClubRequest::CreateFamily),
        Request::Club(ClubRequest::JoinFamily {
            code: "ZZZZZZ".into(),
        }),
        Request::Club(ClubRequest::LeaveFamily),
        Request::Drive(DriveRequest::SignUp {
            id: t.drive,
            slot: None,
        }),
        Request::Drive(DriveRequest::CancelSignUp { id: t.drive }),
        Request::Drive(DriveRequest::Checkin),
        Request::Drive(DriveRequest::SetUnit { id: 1 }),
        Request::Drive(DriveRequest::SaveCampaign {
            input: CampaignInput {
                id: None,
                name: format!("Chiến dịch riêng {}", variant_seed(w)),
                starts_on: day(12, 10),
                ends_on: day(12, 12),
                units: None,
                people: None,
            },
        }),
        Request::Callout(CalloutRequest::Answer {
            id: t.callout,
            yes: true,
        }),
        Request::Drive(DriveRequest::SelfReport {
            kind: DonationKind::Plasma,
        }),
        // Changing the other province's things.
        Request::Club(ClubRequest::SendBroadcast {
            audience: Audience::province(t.province),
            text: "Thư lạ".into(),
            form_key: None,
        }),
        Request::Club(ClubRequest::SendBroadcast {
            audience: club.clone(),
            text: "Thư lạ".into(),
            form_key: None,
        }),
        Request::Club(ClubRequest::CancelBroadcast { id: t.broadcast }),
        Request::Club(ClubRequest::RemoveMember {
            club: t.club,
            donor: t.donors[2],
        }),
        Request::Club(ClubRequest::SetRole {
            role: Role::Leader,
            phone: ph(2),
            grant: true,
            province: None,
        }),
        Request::Club(ClubRequest::SetRole {
            role: Role::Coordinator,
            phone: ph(3),
            grant: true,
            province: Some(t.province),
        }),
        Request::Club(ClubRequest::SetRole {
            role: Role::Coordinator,
            phone: ph(0),
            grant: false,
            province: None,
        }),
        Request::Drive(DriveRequest::Record {
            donor: t.donors[2],
            kind: DonationKind::WholeBlood,
            drive: None,
        }),
        Request::Drive(DriveRequest::Record {
            donor: t.donors[2],
            kind: DonationKind::Platelets,
            drive: Some(t.drive),
        }),
        Request::Drive(DriveRequest::RemoveDonation { id: t.donation }),
        Request::Drive(DriveRequest::SetTarget {
            year: Some(2026),
            change: TargetChange::Units(999),
        }),
        Request::Drive(save_drive(Some(t.drive), t.province, t.mark, None)),
        Request::Drive(save_drive(None, t.province, "lạ", None)),
        Request::Drive(DriveRequest::SaveCampaign {
            input: CampaignInput {
                id: Some(t.campaign),
                name: "Đổi tên".into(),
                starts_on: day(12, 1),
                ends_on: day(12, 31),
                units: None,
                people: None,
            },
        }),
        Request::Drive(DriveRequest::ImportCalendar {
            text: calendar,
            csv: false,
            year: 2026,
        }),
        // Early lines accepted: a line of the other province is refused for that alone.
        Request::Drive(DriveRequest::ImportDonations {
            text: donations,
            accept_early: true,
        }),
        Request::Callout(CalloutRequest::Start {
            spec: callout_spec(w, t.province, t.mark),
        }),
        Request::Callout(CalloutRequest::Mark {
            id: t.callout,
            donor: t.donors[2],
            donated: true,
        }),
        Request::Callout(CalloutRequest::Extend {
            id: t.callout,
            deadline: (now + chrono::Duration::hours(30)).timestamp_millis(),
        }),
        Request::Callout(CalloutRequest::SetStock {
            group: PatientGroup::parse("O-").unwrap(),
            units: 3,
            threshold: None,
        }),
        Request::Callout(CalloutRequest::Close {
            id: t.callout,
            status: Status::Cancelled,
        }),
        Request::Drive(DriveRequest::CancelDrive { id: t.drive }),
    ]
}

/// A word that differs between runs of [`examples`] at different times (campaign names are
/// unique in a year).
fn variant_seed(w: &World) -> i64 {
    use hienmau::app::Clock;
    w.clock.now().timestamp_millis() % 100_000
}

/// Requests where another province's *things* (never its people) may be shown: a drive is
/// public (any donor may open it, sign up and take their name off), and so is a club to
/// whoever holds its invite code (joined, it is among one's own clubs until one leaves).
/// The drives a donor lists are public too (theirs first, then the country's); staff's
/// list (`staff: true`, with sign-up counts to manage) is their scope's.
fn public_view(r: &Request, o: &Outcome) -> bool {
    matches!(o, Outcome::Drive(DriveOutcome::List { staff: false, .. }))
        || matches!(
            r,
            Request::Drive(
                DriveRequest::Show { .. }
                    | DriveRequest::SignUp { .. }
                    | DriveRequest::CancelSignUp { .. }
            ) | Request::Club(
                ClubRequest::JoinClub { .. }
                    | ClubRequest::MyClubs
                    | ClubRequest::Club { .. }
                    | ClubRequest::MuteClub { .. }
                    | ClubRequest::LeaveClub { .. }
            )
        )
}

/// The other province's rows, as the test reads them itself (never through the product's
/// queries), without the acting donor's own rows (their sign-ups, memberships, answers).
async fn fingerprint(w: &World, t: &Side, actor_donor: i64) -> Vec<String> {
    let code = t.code();
    let people = t
        .donors
        .iter()
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let chats = [t.coordinator, t.leader, t.members[0], t.members[1], t.admin]
        .iter()
        .map(|u| format!("'{u}'"))
        .collect::<Vec<_>>()
        .join(", ");
    let queries = [
        format!(
            "SELECT CAST(id AS TEXT) || '|' || COALESCE(full_name, '') || '|' || \
             COALESCE(phone, '') || '|' || COALESCE(province, '') || '|' || \
             COALESCE(CAST(unit_id AS TEXT), '') || '|' || COALESCE(last_donation_date, '') \
             FROM donors WHERE id IN ({people}) ORDER BY id"
        ),
        format!(
            "SELECT CAST(id AS TEXT) || '|' || place || '|' || CAST(capacity AS TEXT) || '|' || \
             COALESCE(CAST(cancelled_at AS TEXT), '') || '|' || CAST(starts_at AS TEXT) \
             FROM drives WHERE province = '{code}' ORDER BY id"
        ),
        format!(
            "SELECT CAST(id AS TEXT) || '|' || name || '|' || starts_on || '|' || ends_on \
             FROM campaigns WHERE id = {} ORDER BY id",
            t.campaign
        ),
        format!(
            "SELECT CAST(n.id AS TEXT) || '|' || n.kind || '|' || n.donated_on FROM donations n \
             WHERE n.donor_id IN ({people}) OR n.drive_id = {} ORDER BY n.id",
            t.drive
        ),
        format!(
            "SELECT CAST(s.id AS TEXT) || '|' || s.status FROM signups s \
             WHERE s.drive_id = {} AND s.donor_id <> {actor_donor} ORDER BY s.id",
            t.drive
        ),
        format!(
            "SELECT CAST(id AS TEXT) || '|' || status || '|' || CAST(deadline_at AS TEXT) \
             FROM callouts WHERE province = '{code}' ORDER BY id"
        ),
        format!(
            "SELECT CAST(callout_id AS TEXT) || '|' || CAST(donor_id AS TEXT) || '|' || \
             COALESCE(answer, '') || '|' || COALESCE(outcome, '') \
             FROM callout_asks WHERE donor_id IN ({people}) ORDER BY callout_id, donor_id"
        ),
        format!(
            "SELECT CAST(m.donor_id AS TEXT) || '|' || m.role FROM club_members m \
             WHERE m.club_id = {} AND m.donor_id <> {actor_donor} ORDER BY m.donor_id",
            t.club
        ),
        format!(
            "SELECT r.role || '|' || r.province || '|' || CAST(i.donor_id AS TEXT) FROM roles r \
             JOIN channel_identities i ON i.id = r.identity_id \
             WHERE i.donor_id IN ({people}) OR r.province = '{code}' \
             ORDER BY r.role, r.province, i.donor_id"
        ),
        format!(
            "SELECT CAST(id AS TEXT) || '|' || COALESCE(CAST(cancelled_at AS TEXT), '') \
             FROM broadcasts WHERE audience IN ('club:{}', 'province:{code}') ORDER BY id",
            t.club
        ),
        format!("SELECT CAST(COUNT(*) AS TEXT) FROM outbox WHERE chat_id IN ({chats})"),
        format!(
            "SELECT CAST(year AS TEXT) || '|' || COALESCE(CAST(units AS TEXT), '') \
             FROM year_targets WHERE province = '{code}' ORDER BY year"
        ),
        format!(
            "SELECT u.code || '|' || u.name || '|' || COALESCE(CAST(t.units AS TEXT), '') \
             FROM units u LEFT JOIN unit_targets t ON t.unit_id = u.id \
             WHERE u.province = '{code}' ORDER BY u.code"
        ),
    ];
    let pool = crate::seed::pool(&w.db).await;
    let mut out = Vec::new();
    for q in &queries {
        let rows: Vec<String> = sqlx::query_scalar(q)
            .fetch_all(&pool)
            .await
            .unwrap_or_else(|e| panic!("{q}: {e}"));
        out.push(rows.join("\n"));
    }
    pool.close().await;
    out
}

/// The first of `marks` that `o` shows, leaving out what the request itself said (a phone
/// typed is echoed back).
fn shows(o: &Outcome, marks: &[String], asked: Option<&Request>) -> Option<String> {
    let (text, asked) = (format!("{o:?}"), format!("{asked:?}"));
    marks
        .iter()
        .find(|m| text.contains(m.as_str()) && !asked.contains(m.as_str()))
        .cloned()
}

#[tokio::test]
async fn every_request_has_an_example() {
    {
        let w = World::open(at(day(12, 7), 9, 0)).await;
        let t = Side {
            province: Province::from_code("quang-ninh").unwrap(),
            mark: "QNX",
            coordinator: 1,
            leader: 2,
            members: [3, 4],
            admin: 5,
            donors: vec![1, 2, 3, 4, 5],
            phones: (1..=5).map(phone).collect(),
            club: 1,
            club_name: "CLB".into(),
            invite: "ABC".into(),
            campaign: 1,
            drive: 1,
            donation: 1,
            callout: 1,
            broadcast: 1,
        };
        let mut seen = [false; VARIANTS];
        for r in examples(&w, &t) {
            seen[variant(&r)] = true;
        }
        let missing: Vec<usize> = (0..VARIANTS).filter(|i| !seen[*i]).collect();
        assert!(
            missing.is_empty(),
            "requests without an example: {missing:?}"
        );
        w.stop().await;
    }
}

/// The matrix: every request, made by each kind of person of one province, at the other
/// province's things.
#[tokio::test]
async fn staff_leaders_and_donors_of_one_province_neither_see_nor_change_anothers() {
    let mut w = World::open(at(day(12, 7), 9, 0)).await;
    let hp = side(&mut w, 100, "HPX", "hai-phong").await;
    let qn = side(&mut w, 200, "QNX", "quang-ninh").await;
    // A donor of Hải Phòng with no role and no club.
    donor(&w, 150, "HPX", "hai-phong", None).await;

    // Controls first: the national admin sees both provinces in the staff lists, and each
    // coordinator their own, so that a mark not shown below is a mark filtered out.
    let lists = |t: &Side| {
        vec![
            Request::Drive(DriveRequest::Month {
                year: 2026,
                month: 12,
            }),
            Request::Drive(DriveRequest::List { from: None }),
            Request::Drive(DriveRequest::Report),
            Request::Drive(DriveRequest::CampaignList),
            Request::Drive(DriveRequest::DonorMap),
            Request::Drive(DriveRequest::FindDonor {
                phone: Some(PhoneNumber::parse(&t.phones[2]).unwrap()),
                code: None,
            }),
            Request::Drive(DriveRequest::LookupDonor {
                phone: PhoneNumber::parse(&t.phones[2]).unwrap(),
            }),
            Request::Drive(DriveRequest::Signups { id: t.drive }),
            Request::Callout(CalloutRequest::List),
            Request::Callout(CalloutRequest::Pledges { id: t.callout }),
            Request::Club(ClubRequest::Leaderboard { year: Some(2026) }),
            Request::Club(ClubRequest::BroadcastOptions),
            Request::Drive(DriveRequest::PlanReport {
                year: Some(2026),
                unit: None,
            }),
        ]
    };
    for (who, t) in [
        (w.admin, &hp),
        (w.admin, &qn),
        (w.identity(&hp.coordinator.to_string()).await, &hp),
        (w.identity(&qn.coordinator.to_string()).await, &qn),
    ] {
        for r in lists(t) {
            let o = w.perform(who, r.clone()).await;
            let marks = [t.people_marks(), t.thing_marks()].concat();
            assert!(
                shows(&o, &marks, None).is_some(),
                "{who} sees nothing of {} in {r:?}: {o:?}",
                t.mark
            );
        }
    }

    // A province's admin reads their province's audit entries (the national admin all).
    for (who, t) in [
        (w.identity(&hp.admin.to_string()).await, &hp),
        (w.identity(&qn.admin.to_string()).await, &qn),
        (w.admin, &qn),
    ] {
        let o = w.perform(who, Request::Club(ClubRequest::Audit)).await;
        let marks = [t.people_marks(), t.thing_marks()].concat();
        assert!(shows(&o, &marks, None).is_some(), "{who}: {o:?}");
    }

    // The matrix.
    let mut checked = 0;
    for (me, other) in [(&hp, &qn), (&qn, &hp)] {
        let mut people = vec![
            ("coordinator", me.coordinator, me.donors[0]),
            ("admin", me.admin, me.donors[4]),
            ("leader", me.leader, me.donors[1]),
            ("donor", me.members[1], me.donors[3]),
        ];
        if me.mark == "HPX" {
            let d = crate::seed::count(
                &w.db,
                "SELECT donor_id FROM channel_identities WHERE external_id = '150'",
            )
            .await;
            people.push(("donor without a club", 150, d));
        }
        for (kind, user, donor_id) in people {
            let who = w.identity(&user.to_string()).await;
            for r in examples(&w, other) {
                let before = fingerprint(&w, other, donor_id).await;
                let o = w.perform(who, r.clone()).await;
                let after = fingerprint(&w, other, donor_id).await;
                for (b, a) in before.iter().zip(&after) {
                    assert_eq!(
                        b, a,
                        "the {kind} of {} changed {}'s rows with {r:?} ({o:?})",
                        me.mark, other.mark
                    );
                }
                let marks = if public_view(&r, &o) {
                    other.people_marks()
                } else {
                    [other.people_marks(), other.thing_marks()].concat()
                };
                if let Some(m) = shows(&o, &marks, Some(&r)) {
                    panic!(
                        "the {kind} of {} was shown {m:?} of {} by {r:?}: {o:?}",
                        me.mark, other.mark
                    );
                }
                checked += 1;
            }
        }
    }
    assert!(checked >= 9 * VARIANTS, "{checked} requests checked");

    // What only national staff may do yet is refused to a province's coordinator (and what
    // is a club leader's: its members; or the sender's or an admin's: stopping a leader's
    // broadcast), and the rest of their work on their own province is done.
    let coord = w.identity(&hp.coordinator.to_string()).await;
    for r in examples(&w, &hp) {
        let refused = matches!(
            r,
            Request::Club(
                ClubRequest::Audit
                    | ClubRequest::AuditSearch(_)
                    | ClubRequest::DeliveryHealth
                    | ClubRequest::SetRole {
                        role: Role::Coordinator,
                        ..
                    }
                    | ClubRequest::PreviewBroadcast {
                        audience: Audience::All,
                        ..
                    }
                    | ClubRequest::Members { .. }
                    | ClubRequest::RemoveMember { .. }
                    | ClubRequest::CancelBroadcast { .. }
            ) | Request::Callout(CalloutRequest::SetStock { .. })
        );
        let o = w.perform(coord, r.clone()).await;
        assert_eq!(
            !ok(&o),
            refused,
            "Hải Phòng's coordinator on Hải Phòng: {r:?} gave {o:?}"
        );
        // Their own files are written whole (the other province's were refused by line).
        if matches!(
            r,
            Request::Drive(
                DriveRequest::ImportCalendar { .. } | DriveRequest::ImportDonations { .. }
            )
        ) {
            assert!(
                matches!(
                    o,
                    Outcome::Drive(
                        DriveOutcome::CalendarImported { .. } | DriveOutcome::DonationsImported(_)
                    )
                ),
                "{r:?}: {o:?}"
            );
        }
    }
    // The calendar's campaign is Hải Phòng's, its drive there.
    assert_eq!(
        crate::seed::count(
            &w.db,
            "SELECT COUNT(*) FROM campaigns c JOIN drives d ON d.campaign_id = c.id \
             WHERE c.name = 'Lịch HPX' AND c.province = 'hai-phong' AND d.place = 'Sân HPX'",
        )
        .await,
        1
    );
    w.stop().await;
}

/// One plan per province and the national roll-up (issue 33, point 3): each province loads
/// its own plan from the command line; the nation's targets and figures are the two
/// provinces' added up, each province on its line with what the test itself did there,
/// and a province's coordinator reads their own plan only.
#[tokio::test]
async fn the_national_plan_adds_up_two_provinces_plans_and_each_reads_its_own() {
    use hienmau::cli::{PlanAction, plan};
    use hienmau::domain::scope::Scope;
    let mut w = World::open(at(day(12, 7), 9, 0)).await;
    let hp = side(&mut w, 100, "HPX", "hai-phong").await;
    let qn = side(&mut w, 200, "QNX", "quang-ninh").await;
    for (name, province, units, repeat, people) in [
        ("hp.toml", "Hải Phòng", 30_000, 70, 58_000),
        ("qn.toml", "quang-ninh", 10_000, 50, 20_000),
    ] {
        let file = w.db.with_file_name(name);
        std::fs::write(
            &file,
            format!(
                "[year]\nyear = 2026\nunits = \"{units}\"\nrepeat_share = \"{repeat}%\"\n\
                 people = \"{people}\"\n"
            ),
        )
        .unwrap();
        plan(
            &w.app,
            PlanAction::Load {
                file,
                year: Some(2026),
                province: Some(province.into()),
            },
            day(12, 7),
        )
        .await
        .unwrap();
    }
    // One more donation in Hải Phòng: 2 there, 1 in Quảng Ninh (each side recorded one).
    let o = w
        .perform(
            w.identity(&hp.coordinator.to_string()).await,
            Request::Drive(DriveRequest::Record {
                donor: hp.donors[2],
                kind: DonationKind::Platelets,
                drive: None,
            }),
        )
        .await;
    assert!(
        matches!(o, Outcome::Drive(DriveOutcome::Recorded { .. })),
        "{o:?}"
    );

    let nation = w
        .app
        .plan_figures(2026, day(12, 31), Scope::NATION)
        .await
        .unwrap();
    let t = nation.targets.clone().expect("the nation's targets");
    assert_eq!(t.units, Some(40_000));
    assert_eq!(t.people_min, Some(78_000));
    // (70 × 30,000 + 50 × 10,000) / 40,000.
    assert_eq!(t.repeat_pct, Some(65));
    assert_eq!(nation.donations, 3);
    let lines: Vec<_> = nation
        .provinces
        .iter()
        .map(|p| {
            (
                p.province.code(),
                p.targets.as_ref().and_then(|t| t.units),
                p.donations,
                p.reached,
                p.drives,
            )
        })
        .collect();
    // By name: Hải Phòng before Quảng Ninh. Each: its plan, its donations, the member who
    // signed up for its campaign's drive, that drive (held by 31/12).
    assert_eq!(
        lines,
        vec![
            ("hai-phong", Some(30_000), 2, 1, 1),
            ("quang-ninh", Some(10_000), 1, 1, 1),
        ]
    );
    let sum: f64 = nation.provinces.iter().map(|p| p.units_done).sum();
    assert!(
        (sum - nation.units_done).abs() < 1e-9,
        "{sum} ≠ {}",
        nation.units_done
    );
    assert_eq!(nation.reached, 2);
    assert_eq!(nation.drives, 2);

    // A province's coordinator: their plan, their figures, no other province's line.
    let o = w
        .perform(
            w.identity(&qn.coordinator.to_string()).await,
            Request::Drive(DriveRequest::PlanReport {
                year: Some(2026),
                unit: None,
            }),
        )
        .await;
    let Outcome::Drive(DriveOutcome::Plan { figures, .. }) = o else {
        panic!("{o:?}");
    };
    assert_eq!(figures.targets.and_then(|t| t.units), Some(10_000));
    assert_eq!(figures.donations, 1);
    assert!(figures.provinces.is_empty());
    // Their target set from chat is their province's plan's, not the nation's.
    let o = w
        .perform(
            w.identity(&qn.coordinator.to_string()).await,
            Request::Drive(DriveRequest::SetTarget {
                year: Some(2026),
                change: TargetChange::Units(12_000),
            }),
        )
        .await;
    assert!(ok(&o), "{o:?}");
    let nation = w
        .app
        .plan_figures(2026, day(12, 31), Scope::NATION)
        .await
        .unwrap();
    assert_eq!(nation.targets.and_then(|t| t.units), Some(42_000));

    // The command line's national report says each province's line.
    let text = plan(
        &w.app,
        PlanAction::Report {
            year: Some(2026),
            csv: false,
            province: None,
            nation: true,
        },
        day(12, 31),
    )
    .await
    .unwrap();
    assert!(text.contains("Theo tỉnh, thành phố:"), "{text}");
    assert!(
        text.contains("• Hải Phòng — ") && text.contains("• Quảng Ninh — 1"),
        "{text}"
    );
    let csv = plan(
        &w.app,
        PlanAction::Report {
            year: Some(2026),
            csv: true,
            province: Some("Hải Phòng".into()),
            nation: false,
        },
        day(12, 31),
    )
    .await
    .unwrap();
    assert!(csv.contains("30000"), "{csv}");
    assert!(
        !csv.contains("quang-ninh") && !csv.contains("42000"),
        "{csv}"
    );
    w.stop().await;
}

/// Call-outs cross provinces, people's details do not (issue 33, point 2): a Hải Phòng
/// call-out whose province has nobody left to ask says in its preview how many donors of
/// how many other provinces its wider steps may ask, writes it in the audit, asks a
/// Quảng Ninh reserve donor, and the Hải Phòng coordinator sees her name once she pledges
/// (they need to call her), never the others asked; her donation counts for Hải Phòng.
#[tokio::test]
async fn a_call_out_reaches_other_provinces_and_shows_only_who_pledged() {
    let mut w = World::open(at(day(12, 7), 9, 0)).await;
    let hp = side(&mut w, 100, "HPX", "hai-phong").await;
    let qn = side(&mut w, 200, "QNX", "quang-ninh").await;
    let coord = w.identity(&hp.coordinator.to_string()).await;
    // Every donor of both sides was asked by their province's call-out and rests; three
    // Quảng Ninh donors were not, one of them in its reserve club.
    let fresh = [221, 222, 223];
    donor(&w, fresh[0], "QNX", "quang-ninh", None).await;
    donor(&w, fresh[1], "QNX", "quang-ninh", None).await;
    let pledger = donor(&w, fresh[2], "QNX", "quang-ninh", Some(qn.club)).await;
    let o = w
        .perform(
            coord,
            Request::Callout(CalloutRequest::Preview {
                spec: callout_spec(&w, hp.province, "HPX"),
            }),
        )
        .await;
    // The command line lists each grant with its province.
    let list = hienmau::cli::admin(&w.app, hienmau::cli::AdminAction::List)
        .await
        .unwrap();
    for (role, user) in [
        ("coordinator (hai-phong)", hp.coordinator),
        ("admin (quang-ninh)", qn.admin),
    ] {
        assert!(
            list.lines()
                .any(|l| l.starts_with(role) && l.contains(&format!("telegram:{user} "))),
            "{list}"
        );
    }
    let Outcome::Callout(CalloutOutcome::Preview { elsewhere, .. }) = &o else {
        panic!("{o:?}");
    };
    assert_eq!((elsewhere.donors, elsewhere.provinces), (3, 1), "{o:?}");
    assert!(shows(&o, &qn.people_marks(), None).is_none(), "{o:?}");
    let id = match w
        .perform(
            coord,
            Request::Callout(CalloutRequest::Start {
                spec: callout_spec(&w, hp.province, "HPX"),
            }),
        )
        .await
    {
        Outcome::Callout(CalloutOutcome::Started { id, .. }) => id,
        other => panic!("{other:?}"),
    };
    let audited = crate::seed::count(
        &w.db,
        &format!(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'callout.start' \
             AND target = 'callout:{id}:O- province:hai-phong elsewhere:3/1'"
        ),
    )
    .await;
    assert_eq!(audited, 1);
    // The wider steps asked Quảng Ninh's donors (the test's own read of the asks).
    let asked = crate::seed::count(
        &w.db,
        &format!(
            "SELECT COUNT(*) FROM callout_asks a JOIN donors d ON d.id = a.donor_id \
             WHERE a.callout_id = {id} AND d.province = 'quang-ninh'"
        ),
    )
    .await;
    assert_eq!(asked, 3, "Quảng Ninh's donors were not asked");
    for r in [
        CalloutRequest::Show { id },
        CalloutRequest::Tally { id },
        CalloutRequest::Pledges { id },
    ] {
        let o = w.perform(coord, Request::Callout(r.clone())).await;
        assert!(ok(&o), "{r:?}: {o:?}");
        assert!(
            shows(&o, &qn.people_marks(), None).is_none(),
            "before any pledge, {r:?} shows {o:?}"
        );
    }
    let o = w
        .perform(
            w.identity(&fresh[2].to_string()).await,
            Request::Callout(CalloutRequest::Answer { id, yes: true }),
        )
        .await;
    assert!(ok(&o), "{o:?}");
    let o = w
        .perform(coord, Request::Callout(CalloutRequest::Pledges { id }))
        .await;
    assert!(
        format!("{o:?}").contains(&format!("Người QNX {}", fresh[2])) && pledger > 0,
        "{o:?}"
    );
    // Only she: nobody else of Quảng Ninh, asked or not.
    let others: Vec<String> = [
        qn.coordinator,
        qn.admin,
        qn.leader,
        qn.members[0],
        qn.members[1],
        fresh[0],
        fresh[1],
    ]
    .iter()
    .map(|u| format!("Người QNX {u}"))
    .collect();
    assert!(shows(&o, &others, None).is_none(), "{o:?}");
    // She gave at the Hải Phòng hospital: her donation counts for Hải Phòng.
    let o = w
        .perform(
            coord,
            Request::Callout(CalloutRequest::Mark {
                id,
                donor: pledger,
                donated: true,
            }),
        )
        .await;
    assert!(
        matches!(o, Outcome::Callout(CalloutOutcome::Marked { ok: true, .. })),
        "{o:?}"
    );
    assert_eq!(
        crate::seed::count(
            &w.db,
            &format!(
                "SELECT COUNT(*) FROM donations WHERE donor_id = {pledger} \
                 AND province = 'hai-phong' AND source = 'callout'"
            ),
        )
        .await,
        1
    );
    w.stop().await;
}

/// Every dashboard page, as a province's coordinator reads it in a browser (the real web
/// server, their own sign-in link): nothing of the other province on any page, including
/// the other province's drive, call-out and club pages opened by address and its donor
/// looked up by phone; the national admin's same pages show both.
#[tokio::test]
async fn every_dashboard_page_keeps_to_the_coordinators_province() {
    use crate::dashboard::{base, client, csrf_in, link_in, page, sign_in};
    let bot = crate::support::TestBot::start_with(
        &[("HIENMAU_ADMINS", "telegram:1")],
        hienmau::config::DeliveryConfig::unlimited(),
    )
    .await;
    bot.clock.set(at(day(12, 7), 9, 0));
    bot.say(1, "/start").await;
    let admin = bot
        .app
        .store()
        .identity_id("telegram", "1")
        .await
        .unwrap()
        .unwrap();
    let mut w = World::over(bot.app.clone(), bot.db.clone(), bot.clock.clone(), admin);
    let hp = side(&mut w, 100, "HPX", "hai-phong").await;
    let qn = side(&mut w, 200, "QNX", "quang-ninh").await;
    let cookie_of = |user: i64| {
        let app = bot.app.clone();
        async move {
            let link = hienmau::cli::dashboard(
                &app,
                hienmau::cli::DashboardAction::Link {
                    account: format!("telegram:{user}"),
                },
            )
            .await
            .unwrap();
            sign_in(&link_in(&link)).await
        }
    };
    let pages = |t: &Side| {
        let mut p: Vec<String> = hienmau::web::Nav::ALL
            .iter()
            .map(|n| n.path().to_string())
            .collect();
        p.extend([
            "/dashboard/drives?month=2026-12".to_string(),
            format!("/dashboard/drives/{}", t.drive),
            format!("/dashboard/callouts/{}", t.callout),
            format!("/dashboard/callouts/{}/tally", t.callout),
            format!("/dashboard/clubs/{}", t.club),
            "/dashboard/broadcasts/new".to_string(),
        ]);
        p
    };
    let lookups = |t: &Side| {
        vec![
            (
                "/dashboard/donors/lookup",
                format!("phone={}", t.phones[2].replace('+', "%2B")),
            ),
            (
                "/dashboard/donations/find",
                format!("phone={}", t.phones[2].replace('+', "%2B")),
            ),
        ]
    };
    let read = |cookie: String, t: Side| {
        let (bot, pages, lookups) = (&bot, pages(&t), lookups(&t));
        async move {
            let mut out = Vec::new();
            for path in pages {
                let (status, html) = page(bot, &path, &cookie).await;
                out.push((path, status, html, String::new()));
            }
            let (_, home) = page(bot, "/dashboard", &cookie).await;
            let csrf = csrf_in(&home);
            for (path, body) in lookups {
                let r = client()
                    .post(format!("{}{path}", base(bot)))
                    .header("cookie", &cookie)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(format!("{body}&csrf={csrf}"))
                    .send()
                    .await
                    .unwrap();
                // What was typed is shown back in the form: not a finding.
                let typed = body.trim_start_matches("phone=").replace("%2B", "+");
                out.push((
                    path.to_string(),
                    r.status().as_u16(),
                    r.text().await.unwrap(),
                    typed,
                ));
            }
            out
        }
    };
    // Control: the national admin's pages show Quảng Ninh's things and people.
    let admin_pages = read(cookie_of(1).await, qn.clone()).await;
    for needle in ["Nhà văn hoá QNX", "Bệnh viện QNX", "Người QNX"] {
        assert!(
            admin_pages
                .iter()
                .any(|(_, _, html, _)| html.contains(needle)),
            "the national admin sees no {needle}"
        );
    }
    for (me, other) in [(&hp, &qn), (&qn, &hp)] {
        let marks = [vec![other.mark.to_string()], other.people_marks()].concat();
        let seen = read(cookie_of(me.coordinator).await, other.clone()).await;
        assert!(seen.len() >= 15);
        for (path, status, html, typed) in &seen {
            assert!(*status < 500, "{path}: {status}");
            let shown = |m: &&String| {
                html.contains(m.as_str()) && (typed.is_empty() || !typed.contains(m.as_str()))
            };
            if let Some(m) = marks.iter().find(shown) {
                panic!(
                    "{}'s coordinator saw {m:?} of {} on {path}",
                    me.mark, other.mark
                );
            }
        }
        // And their own province is there (the filter is not "nothing").
        let own = read(cookie_of(me.coordinator).await, me.clone()).await;
        for needle in [
            format!("Nhà văn hoá {}", me.mark),
            format!("Bệnh viện {}", me.mark),
        ] {
            assert!(
                own.iter().any(|(_, _, html, _)| html.contains(&needle)),
                "{}'s coordinator does not see {needle}",
                me.mark
            );
        }
    }
    drop(w);
    let mut bot = bot;
    bot.stop().await;
}

/// A province's files keep to it: a blood centre's list records a donor of another province
/// who gave at one of its drives (named on the line) — counted for the province of the
/// drive — and refuses, by line and whole, the same donor without the drive; a calendar
/// naming another province's campaign is refused by line, nothing written.
#[tokio::test]
async fn a_provinces_files_keep_to_it_and_a_visitor_at_its_drive_counts_there() {
    let mut w = World::open(at(day(12, 7), 9, 0)).await;
    let hp = side(&mut w, 100, "HPX", "hai-phong").await;
    let qn = side(&mut w, 200, "QNX", "quang-ninh").await;
    // After the drives of the 20th.
    w.clock.set(at(day(12, 21), 9, 0));
    let coord = w.identity(&hp.coordinator.to_string()).await;
    let donations = |lines: &str| {
        Request::Drive(DriveRequest::ImportDonations {
            text: format!("so_dien_thoai,ngay_hien,loai,dot\n{lines}"),
            accept_early: true,
        })
    };
    let visitor = &qn.phones[0];
    let count = |sql: String| {
        let db = w.db.clone();
        async move { crate::seed::count(&db, &sql).await }
    };
    let before = count(format!(
        "SELECT COUNT(*) FROM donations WHERE donor_id = {}",
        qn.donors[0]
    ))
    .await;
    // Without the drive: refused whole, by its line.
    let o = w
        .perform(
            coord,
            donations(&format!(
                "{},2026-12-06,toan_phan,\n{visitor},2026-12-06,toan_phan,\n",
                hp.phones[1]
            )),
        )
        .await;
    let Outcome::Drive(DriveOutcome::FileRejected(errors)) = &o else {
        panic!("{o:?}");
    };
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].line, 3);
    assert!(errors[0].message.contains("drive column"), "{errors:?}");
    assert_eq!(
        count(format!(
            "SELECT COUNT(*) FROM donations WHERE donor_id IN ({}, {})",
            hp.donors[1], qn.donors[0]
        ))
        .await,
        before,
        "nothing of the file was written"
    );
    // With Hải Phòng's drive (its day is the 20th): recorded, and Hải Phòng's.
    let o = w
        .perform(
            coord,
            donations(&format!("{visitor},2026-12-20,toan_phan,{}\n", hp.drive)),
        )
        .await;
    assert!(
        matches!(o, Outcome::Drive(DriveOutcome::DonationsImported(_))),
        "{o:?}"
    );
    assert_eq!(
        count(format!(
            "SELECT COUNT(*) FROM donations WHERE donor_id = {} AND drive_id = {} \
             AND province = 'hai-phong'",
            qn.donors[0], hp.drive
        ))
        .await,
        1
    );
    // Another province's drive on a line: refused.
    let o = w
        .perform(
            coord,
            donations(&format!(
                "{},2026-12-20,toan_phan,{}\n",
                hp.phones[1], qn.drive
            )),
        )
        .await;
    assert!(
        matches!(&o, Outcome::Drive(DriveOutcome::FileRejected(e)) if e[0].line == 2),
        "{o:?}"
    );
    // A calendar reusing Quảng Ninh's campaign name for its own drive: refused by line.
    let calendar = "[[campaign]]\nname = \"Giọt hồng QNX\"\nfrom = \"12-01\"\nto = \"12-31\"\n\n\
                    [[campaign.drive]]\nplace = \"Sân vận động Lạch Tray\"\n\
                    province = \"Hải Phòng\"\ndate = \"12-27\"\ntime = \"07:30-11:30\"\n\
                    capacity = 10\n";
    let o = w
        .perform(
            coord,
            Request::Drive(DriveRequest::ImportCalendar {
                text: calendar.into(),
                csv: false,
                year: 2026,
            }),
        )
        .await;
    let Outcome::Drive(DriveOutcome::FileRejected(errors)) = &o else {
        panic!("{o:?}");
    };
    assert_eq!(errors[0].line, 2, "{errors:?}");
    assert_eq!(
        count("SELECT COUNT(*) FROM drives WHERE place = 'Sân vận động Lạch Tray'".into()).await,
        0
    );
    assert_eq!(
        count(
            "SELECT COUNT(*) FROM campaigns WHERE name = 'Giọt hồng QNX' \
             AND province = 'quang-ninh'"
                .to_string()
        )
        .await,
        1
    );
    w.stop().await;
}
