//! The year plan end to end on a real SQLite file: a plan loaded (errors by line, nothing
//! stored), donations imported with volumes and units, and the progress report and its CSV
//! read on a controlled day, figure by figure.

use crate::seed;
use crate::support::TestBot;
use chrono::NaiveDate;
use hienmau::cli::{PlanAction, plan};

/// A small year plan: targets, a university and a district (also read by the browser tests).
pub(crate) const PLAN: &str = include_str!("../data/plan-2026.toml");

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).unwrap()
}

pub(crate) async fn load(bot: &TestBot, name: &str, text: &str) -> anyhow::Result<String> {
    let file = bot.db.with_file_name(name);
    std::fs::write(&file, text).unwrap();
    plan(
        &bot.app,
        PlanAction::Load {
            file,
            year: None,
            province: None,
        },
        day(11, 22),
    )
    .await
}

#[tokio::test]
async fn a_plan_with_any_error_stores_nothing_and_names_each_line() {
    let mut bot = TestBot::start().await;
    let bad = PLAN
        .replace("units = 20", "units = \"twenty\"")
        .replace("kind = \"quận\"", "kind = \"?\"");
    let e = load(&bot, "plan.toml", &bad).await.unwrap_err().to_string();
    assert!(
        e.contains("nothing stored, 1 error(s)") && e.contains("line 20"),
        "{e}"
    );
    assert!(e.contains("kind") && e.contains("units"), "{e}");
    let csv = "code,name,kind,units\nx,X,firm,10\ny,Y,spaceship,5\n";
    let e = load(&bot, "alloc.csv", csv).await.unwrap_err().to_string();
    assert!(e.contains("line 3"), "{e}");
    for table in ["units", "unit_targets", "year_targets"] {
        let n = seed::count(&bot.db, &format!("SELECT COUNT(*) FROM {table}")).await;
        assert_eq!(n, 0, "{table}");
    }
    bot.stop().await;
}

#[tokio::test]
async fn the_report_reads_the_year_against_its_plan_figure_by_figure() {
    let mut bot = TestBot::start().await;
    let out = load(&bot, "plan.toml", PLAN).await.unwrap();
    assert!(
        out.contains("Đã lưu kế hoạch năm 2026: chỉ tiêu năm và 2 đơn vị"),
        "{out}"
    );
    // A second load of an allocation table updates a unit by its code and adds one.
    let csv = "Mã,Tên đơn vị,Loại,Đơn vị máu\nq-le-chan,Quận Lê Chân,quận,20\nct-abc,Công ty ABC,doanh nghiệp,5\n";
    let out = load(&bot, "alloc.csv", csv).await.unwrap();
    assert_eq!(out, "Đã lưu kế hoạch năm 2026: 2 đơn vị.\n");
    assert_eq!(seed::count(&bot.db, "SELECT COUNT(*) FROM units").await, 3);
    for (user, phone) in [
        (31, "+84912000031"),
        (32, "+84912000032"),
        (33, "+84912000033"),
    ] {
        seed::donor(
            &bot.db,
            user,
            "O+",
            "hai-phong",
            None,
            &format!("phone = '{phone}'"),
        )
        .await;
    }
    let donations = bot.db.with_file_name("donations.csv");
    // A unit the plan does not have: the line is named, nothing is stored.
    std::fs::write(
        &donations,
        "phone,date,kind,volume,unit\n0912000031,10/03/2026,toàn phần,350,dh-hai-phong\n\
         0912000032,15/07/2026,tiểu cầu,,no-such-unit\n",
    )
    .unwrap();
    let e = hienmau::cli::import_donations(&bot.app, &donations)
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("line 3") && e.contains("no-such-unit"), "{e}");
    assert_eq!(
        seed::count(&bot.db, "SELECT COUNT(*) FROM donations").await,
        0
    );
    std::fs::write(
        &donations,
        "phone,date,kind,volume,unit\n\
         0912000033,01/05/2025,toàn phần,250,\n\
         0912000031,10/03/2026,toàn phần,350,dh-hai-phong\n\
         0912000031,10/07/2026,toàn phần,450 ml,DH-Hai-Phong\n\
         0912000032,15/07/2026,tiểu cầu,,q-le-chan\n\
         0912000033,01/08/2026,toàn phần,,\n",
    )
    .unwrap();
    let out = hienmau::cli::import_donations(&bot.app, &donations)
        .await
        .unwrap();
    assert!(out.starts_with("Đã ghi nhận 5 lần hiến"), "{out}");

    let report = plan(
        &bot.app,
        PlanAction::Report {
            year: Some(2026),
            csv: false,
            province: None,
            nation: false,
        },
        day(11, 22),
    )
    .await
    .unwrap();
    // 22/11 is day 326 of 365: 89% of the year. 1.4 + 1.8 + 1 (platelets) + 1 (no volume:
    // 250 ml) = 5.2 units; the same period of 2025: 1. Two of the four donations are by
    // donors who had given before. Three people gave: 0.3% of 1,000.
    for part in [
        "Kế hoạch năm 2026: số liệu đến hết ngày 22/11/2026 (89% thời gian của năm)",
        "• Máu tiếp nhận: 5,2 / 100 đơn vị (5% chỉ tiêu); cùng kỳ năm trước: 1 đơn vị",
        "⚠ Chậm tiến độ: đạt 5% chỉ tiêu khi đã qua 89% thời gian của năm.",
        "• Người được tuyên truyền, vận động: 0 (mục tiêu 50–60)",
        "• Hiến máu nhắc lại: 50% số lần hiến (mục tiêu 70%)",
        "• Người hiến máu: 3 người, 0,3% dân số (mục tiêu 1,1%)",
        "• Số đợt hiến máu đã tổ chức: 0 (mục tiêu 4)",
        "3: 1,4",
        "7: 2,8",
        "8: 1 ·",
        "• Trường Đại học Hải Phòng* — 3,2 / 10 đơn vị (32%) ⚠ chậm tiến độ",
        "• Quận Lê Chân — 1 / 20 đơn vị (5%) ⚠ chậm tiến độ",
        "• Công ty ABC — 0 / 5 đơn vị (0%) ⚠ chậm tiến độ",
        "(* chỉ tiêu minh hoạ",
    ] {
        assert!(report.contains(part), "{part:?} not in:\n{report}");
    }
    // Early in the year nobody is behind yet.
    let early = plan(
        &bot.app,
        PlanAction::Report {
            year: Some(2026),
            csv: false,
            province: None,
            nation: false,
        },
        day(1, 20),
    )
    .await
    .unwrap();
    assert!(!early.contains("⚠"), "{early}");

    let csv = plan(
        &bot.app,
        PlanAction::Report {
            year: Some(2026),
            csv: true,
            province: None,
            nation: false,
        },
        day(11, 22),
    )
    .await
    .unwrap();
    let csv = csv.trim_start_matches('\u{feff}');
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(
        rows[0],
        "cấp,mã,tên,loại,chỉ tiêu (đơn vị),đạt (đơn vị),% chỉ tiêu,% thời gian,chậm tiến độ,số lần hiến,cùng kỳ năm trước (đơn vị)"
    );
    assert_eq!(rows[1], "tỉnh/thành,,2026,,100,\"5,2\",5,89,có,4,1");
    assert_eq!(
        rows.len(),
        1 + 1 + 11 + 3,
        "the province, 11 months, 3 units"
    );
    assert_eq!(rows[2], "tháng,2026-01,,,,0,,,,,");
    assert_eq!(rows[4], "tháng,2026-03,,,,\"1,4\",,,,,");
    assert!(
        rows.contains(
            &"đơn vị,dh-hai-phong,Trường Đại học Hải Phòng,trường đại học,10,\"3,2\",32,89,có,2,"
        ),
        "{csv}"
    );
    bot.stop().await;
}

const POINTS: &str = r#"
[[campaign]]
name = "Những giọt máu hồng hè"
month = 5

[[campaign.drive]]
place = "Nhà văn hoá Lê Chân"
province = "Hải Phòng"
date = "05-10"
time = "07:30-11:00"
capacity = 100
unit = "q-le-chan"

[[fixed_point]]
name = "Điểm cố định ĐH Hải Phòng"
place = "Trường Đại học Hải Phòng, 171 Phan Đăng Lưu"
province = "Hải Phòng"
days = ["thứ 3", "T5"]
from = "04-20"
to = "05-08"
time = "07:30-11:00"
capacity = 2
unit = "dh-hai-phong"
"#;

use crate::drives::vn;

/// A bot whose Telegram user 1 is an admin, its clock at `t`.
async fn staff_bot(t: chrono::DateTime<chrono::Utc>) -> TestBot {
    let bot = TestBot::start_with(
        &[("HIENMAU_ADMINS", "telegram:1")],
        hienmau::config::DeliveryConfig::unlimited(),
    )
    .await;
    bot.clock.set(t);
    bot
}

async fn import(bot: &TestBot, text: &str) -> anyhow::Result<String> {
    let file = bot.db.with_file_name("points.toml");
    std::fs::write(&file, text).unwrap();
    hienmau::cli::campaigns(
        &bot.app,
        hienmau::cli::CampaignAction::Import {
            file,
            year: Some(2026),
        },
        day(4, 20),
    )
    .await
}

/// A fixed point opens on its weekdays (not on 30/4), lists its next day only, takes a
/// sign-up like a drive, and the donation recorded there counts for the unit running it.
#[tokio::test]
async fn a_fixed_point_takes_sign_ups_and_its_donations_count_for_its_unit() {
    let mut bot = staff_bot(vn(4, 20, 9, 0)).await;
    load(&bot, "plan.toml", PLAN).await.unwrap();
    // A unit the plan does not have: its line, and nothing stored.
    let e = import(&bot, &POINTS.replace("\"dh-hai-phong\"", "\"dh-xyz\""))
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("line 23") && e.contains("dh-xyz"), "{e}");
    assert_eq!(seed::count(&bot.db, "SELECT COUNT(*) FROM drives").await, 0);
    // Tuesdays and Thursdays 21/4 – 7/5 but 30/4: five open days, and the May drive.
    let out = import(&bot, POINTS).await.unwrap();
    assert_eq!(
        out,
        "Đã lưu cho năm 2026: 1 đợt vận động, 1 điểm hiến máu cố định và 6 điểm hiến máu.\n"
    );
    // Importing again changes nothing.
    import(&bot, POINTS).await.unwrap();
    assert_eq!(seed::count(&bot.db, "SELECT COUNT(*) FROM drives").await, 6);

    bot.register(10, "0912000010").await;
    let list = bot.say(10, "/drives").await;
    let text = list.reply_markup.to_string();
    assert_eq!(
        text.matches("Phan Đăng").count(),
        1,
        "its next day only: {text}"
    );
    assert!(
        text.contains("21/04 07:30 · Trường Đại học Hải Phòng"),
        "{text}"
    );
    let card = bot
        .tap(10, &crate::drives::button(&list, "Phan Đăng"))
        .await;
    assert!(
        card.text.contains(
            "Thứ Ba 21/04/2026, 07:30–11:00 (điểm cố định, mở Thứ Ba, Thứ Năm hằng tuần)"
        ),
        "{}",
        card.text
    );
    let r = bot.tap(10, "signup").await;
    assert!(r.text.contains("Đã đăng ký"), "{}", r.text);

    // At the point on Tuesday: the coordinator records the donation there.
    bot.clock.set(vn(4, 21, 8, 0));
    bot.say(1, "/record 0912000010").await;
    let r = bot.tap(1, "whole_blood").await;
    assert!(r.text.contains("Tại điểm hiến nào"), "{}", r.text);
    let r = bot.tap(1, &crate::drives::button(&r, "Phan Đăng")).await;
    assert!(r.text.contains("lần hiến thứ 1"), "{}", r.text);
    assert_eq!(
        seed::count(
            &bot.db,
            "SELECT COUNT(*) FROM donations n JOIN units u ON u.id = n.unit_id \
             WHERE u.code = 'dh-hai-phong'"
        )
        .await,
        1
    );
    let report = plan(
        &bot.app,
        PlanAction::Report {
            year: Some(2026),
            csv: false,
            province: None,
            nation: false,
        },
        day(4, 21),
    )
    .await
    .unwrap();
    assert!(
        report.contains("• Trường Đại học Hải Phòng* — 1 / 10 đơn vị (10%)"),
        "{report}"
    );
    assert!(
        report.contains("• Quận Lê Chân — 0 / 20 đơn vị"),
        "{report}"
    );
    // The day of the point (21/4) is not a drive of the plan; the May drive is to come.
    assert!(
        report.contains("• Số đợt hiến máu đã tổ chức: 0 (mục tiêu 4); điểm cố định mở 1 buổi"),
        "{report}"
    );
    // Her sign-up has its reminders, as a drive's would.
    assert!(
        seed::count(
            &bot.db,
            "SELECT COUNT(*) FROM jobs WHERE kind = 'reminder' AND drive_id IN \
             (SELECT id FROM drives WHERE fixed_point_id IS NOT NULL)"
        )
        .await
            > 0
    );
    bot.stop().await;
}

/// The contest among clubs and the 14/6 honours, on a seeded year: two clubs tie on
/// donations and the one that brought more new donors leads; a leader sees their club
/// marked, a donor may not look; the honours list the milestones reached this year only;
/// the coordinator's `/report 2026` and `/report Lê Chân` read the plan in chat.
#[tokio::test]
async fn the_club_contest_ranks_by_donations_then_new_donors_and_the_honours_list_milestones() {
    let mut bot = staff_bot(vn(11, 22, 9, 0)).await;
    load(&bot, "plan.toml", PLAN).await.unwrap();
    for (name, code) in [
        ("CLB Hàng hải", "HANGHAI"),
        ("CLB Lê Chân", "LECHAN"),
        ("CLB Kiến An", "KIENAN"),
    ] {
        seed::exec(
            &bot.db,
            &format!(
                "INSERT INTO clubs (name, kind, province, invite_code, created_at) \
                 VALUES ('{name}', 'community', 'hai-phong', '{code}', 0)"
            ),
        )
        .await;
    }
    let (a, b) = (
        seed::club_id(&bot.db, "HANGHAI").await,
        seed::club_id(&bot.db, "LECHAN").await,
    );
    seed::members(&bot.db, a, 101..105).await;
    seed::members(&bot.db, b, 201..204).await;
    seed::exec(
        &bot.db,
        "UPDATE donors SET phone = '+84912000' || substr(full_name, 12) \
         WHERE full_name LIKE 'Thành viên %'",
    )
    .await;
    // 104 leads club A.
    seed::exec(
        &bot.db,
        "UPDATE club_members SET role = 'leader' WHERE donor_id = \
         (SELECT donor_id FROM channel_identities WHERE external_id = '104')",
    )
    .await;
    seed::exec(
        &bot.db,
        "INSERT INTO roles (identity_id, role, granted_at, granted_by) \
         SELECT id, 'leader', 0, 'cli' FROM channel_identities WHERE external_id = '104'",
    )
    .await;
    let donations = bot.db.with_file_name("donations.csv");
    std::fs::write(
        &donations,
        "phone,date,kind\n\
         0912000101,01/05/2025,toàn phần\n0912000101,10/03/2026,toàn phần\n\
         0912000102,01/04/2026,toàn phần\n0912000103,02/05/2026,toàn phần\n\
         0912000201,01/01/2024,toàn phần\n0912000201,01/01/2025,toàn phần\n\
         0912000201,01/06/2025,toàn phần\n0912000201,01/10/2025,toàn phần\n\
         0912000201,01/02/2026,toàn phần\n\
         0912000202,01/06/2026,toàn phần\n0912000202,15/09/2026,toàn phần\n",
    )
    .unwrap();
    let out = hienmau::cli::import_donations(&bot.app, &donations)
        .await
        .unwrap();
    assert!(out.starts_with("Đã ghi nhận 11 lần hiến"), "{out}");

    // Club A: 3 donations, 2 first-timers, 1 repeat; club B: 3, 1, 2; club C: none.
    let r = bot.say(104, "/bangxephang").await;
    assert!(
        r.text
            .contains("1. ⭐ CLB Hàng hải — 3 lần hiến, 2 người mới, nhắc lại 33% · 4 thành viên"),
        "{}",
        r.text
    );
    assert!(
        r.text
            .contains("2. CLB Lê Chân — 3 lần hiến, 1 người mới, nhắc lại 67% · 3 thành viên"),
        "{}",
        r.text
    );
    assert!(r.text.contains("3. CLB Kiến An — 0 lần hiến"), "{}", r.text);
    let r = bot.say(201, "/leaderboard").await;
    assert!(r.text.contains("không có quyền"), "{}", r.text);
    let r = bot.say(1, "/leaderboard 2026").await;
    assert!(r.text.contains("năm 2026 (3 câu lạc bộ)"), "{}", r.text);
    assert!(!r.text.contains('⭐'), "{}", r.text);

    // The plan in chat, for the coordinator.
    let r = bot.say(1, "/report 2026").await;
    assert!(
        r.text
            .contains("Kế hoạch năm 2026: số liệu đến hết ngày 22/11/2026"),
        "{}",
        r.text
    );
    assert!(r.text.contains("• Quận Lê Chân — "), "{}", r.text);
    let r = bot.say(1, "/baocao le chan").await;
    assert!(r.text.contains("• Quận Lê Chân — "), "{}", r.text);
    assert!(!r.text.contains("Trường Đại học Hải Phòng"), "{}", r.text);
    let r = bot.say(1, "/report Hoàng Sa").await;
    assert!(r.text.contains("Không có đơn vị nào"), "{}", r.text);
    let r = bot.say(201, "/report 2026").await;
    assert!(r.text.contains("không có quyền"), "{}", r.text);

    // The honours: 201's fifth donation fell this year (tier 5); 102, 103 and 202 gave for
    // the first time (tier 1); 101's first was last year, so no tier this year.
    let text = plan(
        &bot.app,
        PlanAction::Honours {
            year: Some(2026),
            csv: false,
        },
        day(11, 22),
    )
    .await
    .unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[1], "Người hiến máu đạt mốc trong năm (4 người):",
        "{text}"
    );
    assert_eq!(
        lines[2],
        "• Mốc 5 lần: Thành viên 201 (Hải Phòng) — 5 lần hiến"
    );
    assert_eq!(
        lines[3],
        "• Mốc 1 lần: Thành viên 102 (Hải Phòng) — 1 lần hiến"
    );
    assert!(!text.contains("Thành viên 101"), "{text}");
    assert!(text.contains("Đơn vị hoàn thành chỉ tiêu (0):"), "{text}");
    let csv = plan(
        &bot.app,
        PlanAction::Honours {
            year: Some(2026),
            csv: true,
        },
        day(11, 22),
    )
    .await
    .unwrap();
    let rows: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(rows.len(), 1 + 4 + 3, "{csv}");
    assert_eq!(
        rows[1],
        "người hiến,5,Thành viên 201,Hải Phòng,5,01/02/2026,CLB Lê Chân,,,,"
    );
    assert_eq!(rows[5], "câu lạc bộ,1,CLB Hàng hải,,3,,,2,33,,");
    assert_eq!(
        seed::count(
            &bot.db,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'honours.export' \
             AND actor = 'cli' AND target = 'year:2026' AND recipients = 4"
        )
        .await,
        2
    );
    bot.stop().await;
}

/// A donor names their school after registering (asked only once the plan has schools or
/// workplaces; skippable; districts are not offered), sees it in /profile, and a donation
/// recorded without a drive counts for it.
#[tokio::test]
async fn a_donor_names_their_school_after_registering_and_their_donations_count_for_it() {
    let mut bot = TestBot::start().await;
    bot.clock.set(vn(11, 22, 9, 0));
    // No plan yet: nobody is asked.
    bot.register(12, "0912000012").await;
    assert!(
        !bot.fake
            .sent_to(12)
            .iter()
            .any(|m| m.text.contains("Bạn đang học hoặc làm việc")),
        "asked with no units"
    );
    let r = bot.say(12, "/donvi").await;
    assert!(r.text.contains("chưa có trường, cơ quan"), "{}", r.text);

    load(&bot, "plan.toml", PLAN).await.unwrap();
    bot.register(10, "0912000010").await;
    bot.wait_text(10, "Bạn đang học hoặc làm việc").await;
    // "Lê Chân" is a district, not a place one studies or works at.
    let r = bot.say(10, "le chan").await;
    assert!(r.text.contains("không tìm thấy"), "{}", r.text);
    let r = bot.say(10, "dai hoc hai phong").await;
    assert!(r.text.contains("Bạn thuộc đơn vị nào?"), "{}", r.text);
    let id = crate::drives::button(&r, "Trường Đại học Hải Phòng");
    let r = bot.tap(10, &id).await;
    assert!(
        r.text
            .contains("Đã ghi: bạn thuộc Trường Đại học Hải Phòng"),
        "{}",
        r.text
    );
    let r = bot.say(10, "/profile").await;
    assert!(
        r.text
            .contains("• Trường/cơ quan: Trường Đại học Hải Phòng"),
        "{}",
        r.text
    );
    // Another donor skips the question.
    bot.register(11, "0912000011").await;
    bot.wait_text(11, "Bạn đang học hoặc làm việc").await;
    let r = bot.say(11, "bỏ qua").await;
    assert!(r.text.contains("gõ /donvi"), "{}", r.text);
    let r = bot.say(11, "/profile").await;
    assert!(r.text.contains("• Trường/cơ quan: chưa nêu"), "{}", r.text);

    // Donations with no drive and no unit named: Lan's counts for her school.
    let donations = bot.db.with_file_name("donations.csv");
    std::fs::write(
        &donations,
        "phone,date,kind\n0912000010,10/11/2026,toàn phần\n0912000011,10/11/2026,toàn phần\n",
    )
    .unwrap();
    hienmau::cli::import_donations(&bot.app, &donations)
        .await
        .unwrap();
    let report = plan(
        &bot.app,
        PlanAction::Report {
            year: Some(2026),
            csv: false,
            province: None,
            nation: false,
        },
        day(11, 22),
    )
    .await
    .unwrap();
    assert!(
        report.contains("• Trường Đại học Hải Phòng* — 1 / 10 đơn vị"),
        "{report}"
    );
    // Only the donor who named a unit holds one.
    assert_eq!(
        seed::count(
            &bot.db,
            "SELECT COUNT(*) FROM donors WHERE unit_id IS NOT NULL"
        )
        .await,
        1
    );
    bot.stop().await;
}

/// A coordinator sets the year's targets one by one in chat and on the command line (each
/// audited, the others kept); a donor may not; what is not a target gets the usage.
#[tokio::test]
async fn targets_are_set_one_at_a_time_in_chat_and_on_the_command_line() {
    let mut bot = staff_bot(vn(11, 22, 9, 0)).await;
    let r = bot.say(1, "/chitieu 2026 đơn vị 30.000").await;
    assert!(
        r.text.contains(
            "Chỉ tiêu năm 2026:\n• Máu: 30.000 đơn vị\n• Người được tuyên truyền, vận động: —"
        ),
        "{}",
        r.text
    );
    let r = bot.say(1, "/chitieu người 58000-61000").await;
    assert!(r.text.contains("• Máu: 30.000 đơn vị"), "kept: {}", r.text);
    assert!(r.text.contains("vận động: 58.000–61.000"), "{}", r.text);
    let r = bot.say(1, "/chitieu tỷ lệ 1,1%").await;
    assert!(r.text.contains("tỷ lệ tham gia: 1,1%"), "{}", r.text);
    let r = bot.say(1, "/chitieu ba mươi nghìn").await;
    assert!(
        r.text.contains("/chitieu 2026 đơn vị 30000"),
        "usage: {}",
        r.text
    );
    bot.register(10, "0912000010").await;
    let r = bot.say(10, "/chitieu đơn vị 5").await;
    assert!(r.text.contains("không có quyền"), "{}", r.text);

    let out = plan(
        &bot.app,
        PlanAction::Target {
            province: None,
            words: vec!["nhắc lại".into(), "70%".into()],
        },
        day(11, 22),
    )
    .await
    .unwrap();
    assert!(out.contains("• Hiến máu nhắc lại: 70%"), "{out}");
    assert!(out.contains("• Máu: 30.000 đơn vị"), "{out}");
    let e = plan(
        &bot.app,
        PlanAction::Target {
            province: None,
            words: vec!["2026".into(), "nhiều".into()],
        },
        day(11, 22),
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(e.contains("hienmau plan target 2026 đơn vị 30000"), "{e}");
    assert_eq!(
        seed::count(
            &bot.db,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'plan.target' AND target LIKE 'year:2026 %'"
        )
        .await,
        4
    );
    let report = plan(
        &bot.app,
        PlanAction::Report {
            year: Some(2026),
            csv: false,
            province: None,
            nation: false,
        },
        day(11, 22),
    )
    .await
    .unwrap();
    assert!(report.contains("0 / 30.000 đơn vị"), "{report}");
    bot.stop().await;
}

/// One calendar file may hold the year's plan too: its units can be named by its own
/// drives and points, and an error anywhere stores nothing of either.
#[tokio::test]
async fn a_calendar_file_with_its_plan_stores_both_or_nothing() {
    let mut bot = TestBot::start().await;
    let file = format!(
        "[year]\nunits = 500\n\n[[unit]]\ncode = \"dh-y\"\nname = \"Trường Đại học Y Dược\"\n\
         kind = \"university\"\nunits = 100\n\n{}",
        POINTS
            .replace("\"dh-hai-phong\"", "\"dh-y\"")
            .replace("unit = \"q-le-chan\"\n", "")
    );
    let bad = file.replace("kind = \"university\"", "kind = \"spaceship\"");
    let e = import(&bot, &bad).await.unwrap_err().to_string();
    assert!(e.contains("Không lưu gì cả") && e.contains("line 4"), "{e}");
    assert!(!e.contains("is not stored"), "said once: {e}");
    for table in ["units", "year_targets", "drives", "campaigns"] {
        let n = seed::count(&bot.db, &format!("SELECT COUNT(*) FROM {table}")).await;
        assert_eq!(n, 0, "{table}");
    }
    let out = import(&bot, &file).await.unwrap();
    assert_eq!(
        out,
        "Đã lưu cho năm 2026: kế hoạch năm 2026 (chỉ tiêu năm và 1 đơn vị), 1 đợt vận động, 1 điểm hiến máu cố định và 6 điểm hiến máu.\n"
    );
    assert_eq!(
        seed::count(
            &bot.db,
            "SELECT COUNT(*) FROM drives d JOIN units u ON u.id = d.unit_id WHERE u.code = 'dh-y'"
        )
        .await,
        5
    );
    bot.stop().await;
}

/// Families opt in: one creates a family and sends the code, a relative joins; the honours
/// list them once both gave this year; leaving, or erasure, takes a person out, and a family
/// nobody is in any more is gone.
#[tokio::test]
async fn a_family_opts_in_by_code_is_honoured_and_erasure_leaves_nothing() {
    let mut bot = TestBot::start().await;
    bot.clock.set(vn(11, 22, 9, 0));
    bot.register(10, "0912000010").await;
    bot.register(11, "0912000011").await;
    let r = bot.say(10, "/giadinh").await;
    assert!(r.text.contains("Tạo gia đình để có mã"), "{}", r.text);
    let r = bot.tap(10, "create").await;
    let code: String = r
        .text
        .split("Mã gia đình: ")
        .nth(1)
        .expect("a code")
        .chars()
        .take(6)
        .collect();
    assert!(r.text.contains("1 người đã tham gia"), "{}", r.text);
    let r = bot.say(11, "/giadinh XYZ-XYZ").await;
    assert!(r.text.contains("không thấy gia đình"), "{}", r.text);
    let r = bot
        .say(11, &format!("/giadinh {}-{}", &code[..3], &code[3..]))
        .await;
    assert!(r.text.contains("2 người đã tham gia"), "{}", r.text);
    let r = bot.say(11, "/profile").await;
    assert!(
        r.text.contains(&format!("• Gia đình hiến máu: mã {code}")),
        "{}",
        r.text
    );

    let donations = bot.db.with_file_name("donations.csv");
    std::fs::write(
        &donations,
        "phone,date,kind\n0912000010,10/03/2026,toàn phần\n0912000010,10/07/2026,toàn phần\n\
         0912000011,10/07/2025,toàn phần\n",
    )
    .unwrap();
    hienmau::cli::import_donations(&bot.app, &donations)
        .await
        .unwrap();
    let text = honours(&bot).await;
    assert!(
        text.contains("Gia đình hiến máu (1)")
            && text.contains("• Nguyễn Văn An, Nguyễn Văn An — 2 lần hiến trong năm, 3 lần tất cả"),
        "{text}"
    );
    // A relative leaves: a family of one is not listed.
    bot.say(11, "/giadinh").await;
    let r = bot.tap(11, "leave").await;
    assert!(r.text.contains("Bạn đã rời gia đình"), "{}", r.text);
    let text = honours(&bot).await;
    assert!(text.contains("Gia đình hiến máu (0)"), "{text}");
    assert_eq!(
        seed::count(&bot.db, "SELECT COUNT(*) FROM families").await,
        1
    );
    // The last member erases their data: the family goes with them.
    bot.say(10, "/delete").await;
    bot.tap(10, "delete").await;
    assert_eq!(
        seed::count(&bot.db, "SELECT COUNT(*) FROM families").await,
        0
    );
    bot.stop().await;
}

async fn honours(bot: &TestBot) -> String {
    plan(
        &bot.app,
        PlanAction::Honours {
            year: Some(2026),
            csv: false,
        },
        day(11, 22),
    )
    .await
    .unwrap()
}
