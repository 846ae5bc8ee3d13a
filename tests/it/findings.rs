//! The findings of issue 30, each as a coordinator met it: a donation from the centre's list
//! that counted for no drive, declared histories counted as first donations, sign-ups of a
//! fixed point missing from the report, a campaign loaded after it opened never announced,
//! an import that took donations inside the interval silently, a donor who gave keeping her
//! place, an ended call-out still asking, a centre's donation called self-declared and a
//! duplicate `/record` audited twice. (The generated year in `figures.rs` checks the same
//! rules on many years at once.)

use crate::figures::{World, at, day};
use hienmau::app::Clock;
use hienmau::domain::callout::{CalloutSpec, PatientGroup, Status};
use hienmau::domain::club::{ClubKind, Role};
use hienmau::domain::eligibility::DonationKind;
use hienmau::domain::phone::PhoneNumber;
use hienmau::domain::province::Province;
use hienmau::engine::{
    CalloutOutcome, CalloutRequest, ClubOutcome, ClubRequest, DriveOutcome, DriveRequest, Input,
    Outcome, Request,
};

const NGHE_AN: &str = r#"
[year]
year = 2026
units = "1000"

[[unit]]
code = "dh-vinh"
name = "Trường Đại học Vinh"
kind = "đại học"
province = "Nghệ An"
units = 300

[[unit]]
code = "cty-x"
name = "Công ty X"
kind = "doanh nghiệp"
province = "Nghệ An"
units = 100

[[campaign]]
name = "Hành trình Đỏ Nghệ An"
from = "07-01"
to = "07-31"
target_units = 300

[[campaign.drive]]
place = "Trường Đại học Vinh"
province = "Nghệ An"
date = "07-15"
time = "07:30-11:30"
capacity = 50
unit = "dh-vinh"

[[fixed_point]]
name = "Điểm hiến máu cố định Công ty X"
place = "Công ty X, 12 Lê Lợi"
province = "Nghệ An"
days = ["thứ 5"]
from = "07-01"
to = "07-31"
time = "07:30-11:00"
capacity = 40
unit = "cty-x"
"#;

/// A campaign of December with one drive, on the 20th.
const DECEMBER: &str = r#"
[[campaign]]
name = "Giọt hồng tháng Chạp"
from = "12-01"
to = "12-31"

[[campaign.drive]]
place = "Nhà văn hoá Bến Thuỷ"
province = "Nghệ An"
date = "12-20"
time = "07:30-11:30"
capacity = 6
"#;

/// A donor registered in chat in Nghệ An, with what they said of their last donation (the
/// answers to the kind and date questions).
async fn register(w: &mut World, user: &str, phone: &str, last: &[&str]) -> (i64, i64) {
    let mut lines = vec![
        "/register",
        "1",
        "Trần Thị Mai",
        phone,
        "12/05/1998",
        "nu",
        "52",
        "O+",
        "nghe an",
        "bo qua",
    ];
    lines.extend_from_slice(last);
    lines.extend_from_slice(&["khong", "1", "bo qua"]);
    for l in lines {
        w.say(user, l).await;
    }
    let donor = match w
        .perform(
            w.admin,
            Request::Drive(DriveRequest::FindDonor {
                phone: Some(PhoneNumber::parse(phone).unwrap()),
                code: None,
            }),
        )
        .await
    {
        Outcome::Drive(DriveOutcome::DonorFound { donor, .. }) => donor,
        other => panic!(
            "{user} did not register: {other:?} {:?}",
            w.texts(user).await
        ),
    };
    (donor, w.identity(user).await)
}

async fn load(w: &World, name: &str, text: &str) {
    let path = w.db.with_file_name(name);
    std::fs::write(&path, text).unwrap();
    let today = w
        .clock
        .now()
        .with_timezone(&chrono_tz::Asia::Ho_Chi_Minh)
        .date_naive();
    hienmau::cli::campaigns(
        &w.app,
        hienmau::cli::CampaignAction::Import {
            file: path,
            year: Some(2026),
        },
        today,
    )
    .await
    .unwrap();
}

async fn import(w: &World, name: &str, text: &str) -> anyhow::Result<String> {
    let path = w.db.with_file_name(name);
    std::fs::write(&path, text).unwrap();
    hienmau::cli::import_donations(&w.app, &path).await
}

async fn drive_id(w: &World, place: &str, d: chrono::NaiveDate) -> i64 {
    crate::seed::count(
        &w.db,
        &format!(
            "SELECT id FROM drives WHERE place = '{place}' AND starts_at = {}",
            at(d, 7, 30).timestamp_millis()
        ),
    )
    .await
}

async fn sign_up(w: &World, identity: i64, drive: i64) {
    let r = w
        .perform(
            identity,
            Request::Drive(DriveRequest::SignUp {
                id: drive,
                slot: None,
            }),
        )
        .await;
    assert!(
        matches!(r, Outcome::Drive(DriveOutcome::SignedUp { .. })),
        "{r:?}"
    );
}

/// Findings 1–3 and 8: the provincial coordinator's own year. The centre's list (no drive
/// named) counts for the drive the donors signed up for, hence its campaign and the unit
/// running it; the donor who gave "không nhớ" and the one who declared platelets three months
/// ago give repeat donations (3 of 4, 75%), are not thanked nor honoured as first-timers,
/// and the club contest counts one new donor; the fixed point's sign-ups are in the report;
/// the lookup says the last donation is on record; a duplicate `/record` is audited once.
#[tokio::test]
async fn a_centres_list_counts_for_its_drive_and_declared_histories_are_repeat_donations() {
    let mut w = World::open(at(day(6, 20), 9, 0)).await;
    load(&w, "nghe-an.toml", NGHE_AN).await;
    let (d1, i1) = register(&mut w, "201", "0913000001", &["chua bao gio"]).await;
    let (d2, i2) = register(&mut w, "202", "0913000002", &["mau toan phan", "khong nho"]).await;
    let (_, i3) = register(&mut w, "203", "0913000003", &["tieu cau", "20/03/2026"]).await;
    let (_, i4) = register(
        &mut w,
        "204",
        "0913000004",
        &["mau toan phan", "10/10/2025"],
    )
    .await;
    // Two of them work at the firm: a donation that finds no drive would count for it.
    let firm = crate::seed::count(&w.db, "SELECT id FROM units WHERE code = 'cty-x'").await;
    for i in [i1, i2] {
        w.perform(i, Request::Drive(DriveRequest::SetUnit { id: firm }))
            .await;
    }
    // A club of the four, its leader the first-timer.
    w.perform(
        w.admin,
        Request::Club(ClubRequest::SetRole {
            role: Role::Leader,
            phone: PhoneNumber::parse("0913000001").unwrap(),
            grant: true,
            province: None,
        }),
    )
    .await;
    let code = match w
        .perform(
            i1,
            Request::Club(ClubRequest::CreateClub {
                name: "CLB Hiến máu Vinh".into(),
                kind: ClubKind::University,
            }),
        )
        .await
    {
        Outcome::Club(ClubOutcome::ClubCreated(c)) => c.invite_code,
        other => panic!("{other:?}"),
    };
    for i in [i2, i3, i4] {
        w.perform(
            i,
            Request::Club(ClubRequest::JoinClub { code: code.clone() }),
        )
        .await;
    }
    let vinh = drive_id(&w, "Trường Đại học Vinh", day(7, 15)).await;
    let point = drive_id(&w, "Công ty X, 12 Lê Lợi", day(7, 16)).await;
    w.clock.set(at(day(7, 10), 10, 0));
    sign_up(&w, i1, vinh).await;
    sign_up(&w, i2, vinh).await;
    sign_up(&w, i3, point).await;
    sign_up(&w, i4, point).await;

    // The centre's list, five days later: no drive, no unit named.
    w.clock.set(at(day(7, 20), 15, 0));
    import(
        &w,
        "centre.csv",
        "phone,date,kind\n0913000001,15/07/2026,máu toàn phần\n0913000002,15/07/2026,máu toàn phần\n\
         0913000003,16/07/2026,tiểu cầu\n0913000004,16/07/2026,máu toàn phần\n",
    )
    .await
    .unwrap();

    let report = w.report().await;
    let c = &report.campaigns[0];
    assert_eq!(c.campaign.name, "Hành trình Đỏ Nghệ An");
    assert_eq!(
        (c.figures.signups, c.figures.donations, c.figures.repeat),
        (2, 2, 1),
        "the campaign: both signed up, both gave there, one had given before"
    );
    // The command line says the same, and the fixed point's two sign-ups and donations are
    // outside the campaigns but in the year's total.
    let csv = hienmau::cli::report(&w.app, Some(2026), true)
        .await
        .unwrap();
    let rows: Vec<&str> = csv.lines().collect();
    assert!(
        rows.contains(&"ngoài các đợt,,,,,2,2,,,,,,100"),
        "outside campaigns: 2 sign-ups, 2 donations, 100% repeat: {csv}"
    );
    assert!(
        rows.last().unwrap().starts_with("cả năm,,,2026,,4,4,"),
        "the year: 4 sign-ups, 4 donations: {csv}"
    );
    assert!(rows.last().unwrap().ends_with(",75"), "75% repeat: {csv}");
    // The plan: the university ran the drive, the firm the fixed point.
    let f = w
        .app
        .plan_figures(2026, day(7, 20), hienmau::domain::scope::Scope::NATION)
        .await
        .unwrap();
    let unit = |code: &str| {
        f.units
            .iter()
            .find(|u| u.code == code)
            .map(|u| u.donations)
            .unwrap()
    };
    assert_eq!((unit("dh-vinh"), unit("cty-x")), (2, 2));
    assert_eq!((f.donations, f.repeat), (4, 3));
    // The club contest: one new donor, not four.
    let clubs = w.leaderboard().await;
    assert_eq!(
        (clubs[0].donations, clubs[0].new_donors, clubs[0].repeat),
        (4, 1, 3)
    );
    // The thank-yous: the first donation's certificate for the first-timer only.
    hienmau::scheduler::tick(&w.app, w.clock.now())
        .await
        .unwrap();
    let thanked = |texts: Vec<String>| texts.iter().any(|t| t.contains("hiến máu lần đầu"));
    assert!(thanked(w.texts("201").await), "{:?}", w.texts("201").await);
    for user in ["202", "203", "204"] {
        let texts = w.texts(user).await;
        assert!(
            !thanked(texts.clone()) && texts.iter().any(|t| t.contains("Cảm ơn bạn đã hiến máu")),
            "{user}: {texts:?}"
        );
    }
    // The honours: a first-donation certificate for the first-timer only.
    let honours = w.app.honours(2026, day(7, 20), "test").await.unwrap();
    assert_eq!(
        honours.donors.iter().map(|d| d.tier).collect::<Vec<_>>(),
        [1],
        "{:?}",
        honours.donors
    );

    // The lookup: the last donation is the centre's record, not the donor's word.
    let cards = match w
        .perform(
            w.admin,
            Request::Drive(DriveRequest::LookupDonor {
                phone: PhoneNumber::parse("0913000004").unwrap(),
            }),
        )
        .await
    {
        Outcome::Drive(DriveOutcome::DonorCards(cards)) => cards,
        other => panic!("{other:?}"),
    };
    let card = w
        .app
        .catalogue()
        .render(hienmau::messages::Lang::Vi, &w.app.donor_card(&cards[0]));
    assert!(
        card.contains("Lần hiến gần nhất (theo hồ sơ)") && !card.contains("tự khai"),
        "{card}"
    );

    // `/record` twice the same day: recorded and audited once; and for the donor who
    // declared an earlier donation, not called the first.
    let record = |donor| {
        Request::Drive(DriveRequest::Record {
            donor,
            kind: DonationKind::Plasma,
            drive: None,
        })
    };
    w.clock.set(at(day(8, 5), 9, 0));
    let audits = "SELECT COUNT(*) FROM audit_log WHERE action = 'donation.record'";
    let before = crate::seed::count(&w.db, audits).await;
    w.perform(w.admin, record(d2)).await;
    w.perform(w.admin, record(d2)).await;
    assert_eq!(crate::seed::count(&w.db, audits).await, before + 1);
    let _ = d1;
}

/// Finding 3, on the fixed point alone: a point with no campaign takes sign-ups that the
/// report counts.
#[tokio::test]
async fn a_fixed_points_sign_ups_are_in_the_report() {
    let mut w = World::open(at(day(6, 20), 9, 0)).await;
    load(&w, "nghe-an.toml", NGHE_AN).await;
    let (_, i1) = register(&mut w, "201", "0913000001", &["chua bao gio"]).await;
    let (_, i2) = register(&mut w, "202", "0913000002", &["chua bao gio"]).await;
    sign_up(
        &w,
        i1,
        drive_id(&w, "Công ty X, 12 Lê Lợi", day(7, 2)).await,
    )
    .await;
    sign_up(
        &w,
        i2,
        drive_id(&w, "Trường Đại học Vinh", day(7, 15)).await,
    )
    .await;
    let text = hienmau::cli::report(&w.app, Some(2026), false)
        .await
        .unwrap();
    assert!(text.contains("1 đăng ký ngoài các đợt"), "{text}");
    assert!(text.contains("Tổng: 2 đăng ký"), "{text}");
}

/// Finding 4: a campaign loaded after its opening day is announced at the next morning
/// run, once; its people reached are more than its sign-ups.
#[tokio::test]
async fn a_campaign_loaded_after_it_opened_is_announced_the_next_morning_once() {
    let mut w = World::open(at(day(12, 5), 9, 0)).await;
    hienmau::scheduler::tick(&w.app, w.clock.now())
        .await
        .unwrap();
    register(&mut w, "201", "0913000001", &["chua bao gio"]).await;
    register(&mut w, "202", "0913000002", &["chua bao gio"]).await;
    w.clock.set(at(day(12, 6), 14, 0));
    load(&w, "december.toml", DECEMBER).await;
    for d in [7, 8] {
        let t = at(day(12, d), 9, 0);
        w.clock.set(t);
        hienmau::scheduler::tick(&w.app, t).await.unwrap();
    }
    for user in ["201", "202"] {
        let texts = w.texts(user).await;
        assert_eq!(
            texts
                .iter()
                .filter(|t| t.contains("Giọt hồng tháng Chạp"))
                .count(),
            1,
            "{user}: {texts:?}"
        );
    }
    let report = hienmau::cli::report(&w.app, Some(2026), true)
        .await
        .unwrap();
    assert!(
        report
            .lines()
            .any(|l| l.starts_with("đợt,Giọt hồng tháng Chạp,") && l.contains(",2,,")),
        "two people reached: {report}"
    );
}

/// Finding 5: a centre's list with donations inside the donor's interval (whole blood on
/// 15/07 and again on 20/07, platelets on 01/08) names those lines and stores nothing.
#[tokio::test]
async fn a_centres_list_with_donations_inside_the_interval_is_refused_by_line() {
    let mut w = World::open(at(day(8, 5), 9, 0)).await;
    register(&mut w, "201", "0913000001", &["chua bao gio"]).await;
    let e = import(
        &w,
        "centre.csv",
        "phone,date,kind\n0913000001,15/07/2026,máu toàn phần\n0913000001,20/07/2026,máu toàn phần\n\
         0913000001,01/08/2026,tiểu cầu\n",
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("line 3") && e.contains("line 4") && !e.contains("line 2"),
        "{e}"
    );
    assert_eq!(
        crate::seed::count(&w.db, "SELECT COUNT(*) FROM donations").await,
        0
    );
}

/// Finding 6: two donors signed up for 20/12 give on 06/12: their places are freed, their
/// reminders withdrawn, each told in one line, and `/drives` no longer marks the drive theirs.
#[tokio::test]
async fn a_donor_who_gave_elsewhere_gives_back_her_place_and_her_reminders() {
    let mut w = World::open(at(day(11, 20), 9, 0)).await;
    load(&w, "december.toml", DECEMBER).await;
    let (d1, i1) = register(&mut w, "201", "0913000001", &["chua bao gio"]).await;
    let (_, i2) = register(&mut w, "202", "0913000002", &["chua bao gio"]).await;
    let drive = drive_id(&w, "Nhà văn hoá Bến Thuỷ", day(12, 20)).await;
    sign_up(&w, i1, drive).await;
    sign_up(&w, i2, drive).await;
    let reminders = format!(
        "SELECT COUNT(*) FROM jobs WHERE kind = 'reminder' AND done_at IS NULL AND drive_id = {drive}"
    );
    assert!(crate::seed::count(&w.db, &reminders).await > 0);
    // On 06/12: one recorded by the coordinator, one by the centre's list.
    w.clock.set(at(day(12, 6), 10, 0));
    w.perform(
        w.admin,
        Request::Drive(DriveRequest::Record {
            donor: d1,
            kind: DonationKind::WholeBlood,
            drive: None,
        }),
    )
    .await;
    import(
        &w,
        "centre.csv",
        "phone,date,kind\n0913000002,06/12/2026,máu toàn phần\n",
    )
    .await
    .unwrap();
    assert_eq!(crate::seed::count(&w.db, &reminders).await, 0);
    let taken = match w
        .perform(i1, Request::Drive(DriveRequest::Show { id: drive }))
        .await
    {
        Outcome::Drive(DriveOutcome::Drive { drive, .. }) => (drive.taken, drive.mine),
        other => panic!("{other:?}"),
    };
    assert_eq!(taken, (0, None), "the places are free, and not hers");
    for user in ["201", "202"] {
        let texts = w.texts(user).await;
        assert_eq!(
            texts
                .iter()
                .filter(|t| t.contains("đã được nhường cho người khác"))
                .count(),
            1,
            "{user}: {texts:?}"
        );
    }
}

/// Finding 7: a donor silent when a call-out expired, and one whose ask was withdrawn when
/// another was cancelled, are not reminded of an ask at their next visit.
#[tokio::test]
async fn an_ended_call_out_no_longer_asks() {
    let mut w = World::open(at(day(11, 20), 9, 0)).await;
    hienmau::scheduler::tick(&w.app, w.clock.now())
        .await
        .unwrap();
    for (user, phone) in [("201", "0913000001"), ("202", "0913000002")] {
        let lines = [
            "/register",
            "1",
            "Lê Văn Hùng",
            phone,
            "12/05/1990",
            "nam",
            "65",
            "O-",
            "nghe an",
            "bo qua",
            "chua bao gio",
            "khong",
            "1",
        ];
        for l in lines {
            w.say(user, l).await;
        }
    }
    let clock = w.clock.clone();
    let start = |hours: i64| CalloutSpec {
        group: PatientGroup::parse("O-").unwrap(),
        component: DonationKind::WholeBlood,
        units: 2,
        hospital: "Bệnh viện Hữu nghị Đa khoa Nghệ An".into(),
        address: "Km5 Đại lộ Lê Nin".into(),
        province: Province::from_code("nghe-an").unwrap(),
        deadline: (clock.now() + chrono::Duration::hours(hours)).timestamp_millis(),
        note: String::new(),
    };
    let id = match w
        .perform(
            w.admin,
            Request::Callout(CalloutRequest::Start { spec: start(6) }),
        )
        .await
    {
        Outcome::Callout(CalloutOutcome::Started { id, asked, .. }) => {
            assert_eq!(asked, 2);
            id
        }
        other => panic!("{other:?}"),
    };
    // Past its deadline: expired by the scheduler.
    let t = at(day(11, 20), 16, 0);
    w.clock.set(t);
    hienmau::scheduler::tick(&w.app, t).await.unwrap();
    w.say("201", "/start").await;
    let texts = w.texts("201").await;
    assert!(!texts.last().unwrap().contains("(tin ở trên)"), "{texts:?}");
    // A bare "1" is not a pledge for it any more.
    w.say("201", "1").await;
    assert!(
        !w.texts("201")
            .await
            .last()
            .unwrap()
            .contains("đã đủ người hoặc đã kết thúc"),
        "{:?}",
        w.texts("201").await
    );
    // Another, cancelled.
    w.clock.set(at(day(12, 1), 10, 0));
    let id2 = match w
        .perform(
            w.admin,
            Request::Callout(CalloutRequest::Start { spec: start(24) }),
        )
        .await
    {
        Outcome::Callout(CalloutOutcome::Started { id, .. }) => id,
        other => panic!("{other:?}"),
    };
    assert_ne!(id, id2);
    w.perform(
        w.admin,
        Request::Callout(CalloutRequest::Close {
            id: id2,
            status: Status::Cancelled,
        }),
    )
    .await;
    w.input("202", Input::Text("/start".into())).await;
    let texts = w.texts("202").await;
    assert!(!texts.last().unwrap().contains("(tin ở trên)"), "{texts:?}");
}
