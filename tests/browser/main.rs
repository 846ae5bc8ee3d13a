//! The dashboard in a real browser: Debian's headless Chromium driven over WebDriver against
//! the bot's own server on 127.0.0.1, a real SQLite file and the fake Telegram. A coordinator
//! signs in from a chat link, reads the year, creates a drive a donor then finds in /drives,
//! records and removes a donation, starts a call-out that reaches a donor on Telegram and
//! watches her pledge arrive without reloading, stops a broadcast, sets stock and reads the
//! audit log; each page is saved as a screenshot (`target/screenshots/`) and has no console
//! error. Without Chromium the tests say so in one line and pass nothing silently.

//!
//! A test binary of its own: cargo runs test binaries one after another, so Chromium's load
//! on the two cores does not slow the timing-sensitive delivery tests of `tests/it`.

// The shared test support serves every test binary; this one uses part of it.
#![allow(dead_code)]

#[path = "../support/fake_telegram.rs"]
mod fake_telegram;
#[path = "../support/mailbox.rs"]
mod mailbox;
#[path = "../support/seed.rs"]
mod seed;
#[path = "../it/support.rs"]
mod support;
#[path = "../support/webdriver.rs"]
mod webdriver;

use chrono::TimeZone;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use support::TestBot;
use webdriver::{Browser, available, say_skipped};

/// The small year plan of the plan tests, so the overview draws the chart against it.
const PLAN: &str = include_str!("../data/plan-2026.toml");

fn vn(m: u32, d: u32, h: u32, min: u32) -> chrono::DateTime<chrono::Utc> {
    chrono_tz::Asia::Ho_Chi_Minh
        .with_ymd_and_hms(2026, m, d, h, min, 0)
        .unwrap()
        .with_timezone(&chrono::Utc)
}

async fn load_plan(bot: &TestBot) {
    let file = bot.db.with_file_name("plan.toml");
    std::fs::write(&file, PLAN).unwrap();
    hienmau::cli::plan(
        &bot.app,
        hienmau::cli::PlanAction::Load {
            file,
            year: None,
            province: None,
        },
        chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
    )
    .await
    .unwrap();
}

const ADMIN: i64 = 1;
const DONOR: i64 = 10;
const GIVER: i64 = 11;

fn shots() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/screenshots")
}

fn base(bot: &TestBot) -> String {
    format!(
        "http://{}",
        bot.running.as_ref().unwrap().http_addr.unwrap()
    )
}

fn link_in(text: &str) -> String {
    text.split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no link in {text}"))
        .to_string()
}

/// The page has loaded without a console error; saved as `name`.png.
async fn clean(b: &Browser, name: &str) {
    b.screenshot(&shots(), name).await;
    let errors = b.console_errors().await;
    assert!(errors.is_empty(), "{name}: console errors {errors:?}");
}

#[tokio::test]
async fn a_coordinator_runs_drives_donations_a_callout_and_a_broadcast_from_the_browser() {
    let Some((driver, chromium)) = available() else {
        return say_skipped();
    };
    // 20 sends a second: a 300-member broadcast is still going when Stop is pressed.
    let delivery = hienmau::config::DeliveryConfig {
        telegram_per_second: 20.0,
        ..hienmau::config::DeliveryConfig::unlimited()
    };
    let mut bot = TestBot::start_with(&[("HIENMAU_ADMINS", "telegram:1")], delivery).await;
    bot.clock.set(vn(11, 22, 9, 0));
    load_plan(&bot).await;
    bot.register(DONOR, "0912000010").await;
    bot.register(GIVER, "0912000011").await;
    seed::exec(
        &bot.db,
        "UPDATE donors SET blood_group = 'O-', full_name = 'Trần Thị Hoa' WHERE id = \
         (SELECT donor_id FROM channel_identities WHERE external_id = '10')",
    )
    .await;
    let b = Browser::start(&driver, &chromium).await;

    // Signing in from the chat's link: the overview, with the year's chart.
    let r = bot.say(ADMIN, "/dashboard").await;
    b.goto(&link_in(&r.text)).await;
    assert_eq!(b.url().await, format!("{}/dashboard", base(&bot)));
    let page = b.source().await;
    assert!(page.contains("Kế hoạch năm 2026"), "{page}");
    assert!(page.contains("<svg"), "{page}");
    clean(&b, "overview").await;

    // A drive through the form: a donor finds it in /drives on Telegram.
    b.open("nav a[href='/dashboard/drives']").await;
    clean(&b, "drives").await;
    b.fill("#place", "Nhà văn hoá phường Cát Dài").await;
    b.set("#province", "hai-phong").await;
    b.set("#date", "2026-11-29").await;
    b.set("#start", "07:30").await;
    b.set("#end", "11:00").await;
    b.fill("#capacity", "120").await;
    b.open("form[action='/dashboard/drives'] button[type=submit]")
        .await;
    let notice = b.text(".notice").await;
    assert!(notice.contains("Đã lưu điểm hiến máu"), "{notice}");
    assert!(b.source().await.contains("Nhà văn hoá phường Cát Dài"));
    let r = bot.say(DONOR, "/drives").await;
    assert!(
        r.buttons_text().contains("Nhà văn hoá phường Cát Dài"),
        "{}",
        r.buttons_text()
    );
    // She signs up; the drive's page lists her with a phone to call.
    let card = bot.tap(DONOR, &r.button_values()[0]).await;
    let sign = card
        .button_values()
        .into_iter()
        .find(|v| v.starts_with("signup"))
        .unwrap_or_else(|| panic!("{:?}", card.button_values()));
    bot.tap(DONOR, &sign).await;
    b.open("table a").await;
    let page = b.source().await;
    assert!(page.contains("href=\"tel:+84912000010\""), "{page}");
    assert!(page.contains("1 / 120"), "{page}");
    clean(&b, "drive").await;

    // Wrong input: the form again, its errors by field, nothing saved.
    b.open("nav a[href='/dashboard/drives']").await;
    b.fill("#place", "x").await;
    b.set("#date", "2026-11-30").await;
    b.set("#start", "11:00").await;
    b.set("#end", "07:30").await;
    b.fill("#capacity", "nhiều").await;
    b.open("form[action='/dashboard/drives'] button[type=submit]")
        .await;
    let page = b.source().await;
    assert!(page.contains("id=\"place-error\""), "{page}");
    assert!(page.contains("id=\"capacity-error\""), "{page}");
    assert!(page.contains("id=\"end-error\""), "{page}");
    // What was typed is kept.
    assert!(page.contains("value=\"nhiều\""), "{page}");
    // Answered 422 (the one console line it causes), so a script or a proxy sees it too.
    let errors = b.console_errors().await;
    assert!(errors.len() == 1 && errors[0].contains("422"), "{errors:?}");
    assert_eq!(
        seed::count(&bot.db, "SELECT COUNT(*) FROM drives").await,
        1,
        "nothing saved"
    );

    // A call-out started on the web reaches the O− donor; her pledge shows within 2 s.
    b.open("nav a[href='/dashboard/callouts']").await;
    b.set("#group", "O-").await;
    b.fill("#units", "1").await;
    b.fill("#hospital", "BV Hữu nghị Việt Tiệp").await;
    b.fill("#address", "Khoa Huyết học, số 1 Nhà Thương").await;
    b.set("#province", "hai-phong").await;
    b.fill("#deadline", "6h nữa").await;
    b.open("button[value=preview]").await;
    let preview = b.text("#preview").await;
    assert!(preview.contains("Đợt đầu sẽ hỏi 1 người"), "{preview}");
    clean(&b, "callout-preview").await;
    b.open("button[value=start]").await;
    assert!(
        b.url().await.contains("/dashboard/callouts/"),
        "{}",
        b.url().await
    );
    let ask = bot.wait_text(DONOR, "BV Hữu nghị Việt Tiệp").await;
    let yes = ask
        .button_values()
        .into_iter()
        .find(|v| v.ends_with(":yes"))
        .unwrap();
    let page_before = b.url().await;
    bot.tap(DONOR, &yes).await;
    let pledged = Instant::now();
    loop {
        if b.text("#tally").await.contains("Trần Thị Hoa") {
            break;
        }
        assert!(
            pledged.elapsed() < Duration::from_secs(2),
            "the pledge did not show within 2 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let shown_in = pledged.elapsed();
    assert_eq!(b.url().await, page_before, "no reload");
    let tally = b.source().await;
    assert!(tally.contains("href=\"tel:+84912000010\""), "{tally}");
    clean(&b, "callout").await;
    eprintln!("pledge shown {} ms after it was made", shown_in.as_millis());
    b.open("#tally button").await; // Đã hiến
    let page = b.source().await;
    assert!(page.contains("Đã ghi kết quả"), "{page}");
    // Cancelled from the chat while the page is open: within seconds the live part says
    // how it ended and the actions are gone, without a reload (issue 31).
    assert!(page.contains("data-while-open"), "{page}");
    bot.say(ADMIN, "/callouts").await;
    bot.tap(ADMIN, "1").await;
    bot.tap(ADMIN, "cancel").await;
    bot.tap(ADMIN, "yes").await;
    let cancelled = Instant::now();
    while b.source().await.contains("data-while-open") {
        assert!(
            cancelled.elapsed() < Duration::from_secs(5),
            "the actions stayed after the call-out ended"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(b.text("#tally").await.contains("đã kết thúc"));

    // A calendar uploaded from the drives page: its error named by line and nothing
    // stored; corrected, stored.
    let file = bot.db.with_file_name("lich-thang-12.toml");
    let calendar = |date: &str| {
        format!(
            "[[campaign]]\nname = \"Hành trình Đỏ\"\nmonth = 12\n\n[[campaign.drive]]\n\
             place = \"Cung văn hoá Lao động\"\nprovince = \"Hải Phòng\"\ndate = \"{date}\"\n\
             time = \"07:30-11:30\"\ncapacity = 200\n"
        )
    };
    std::fs::write(&file, calendar("12-32")).unwrap();
    b.open("nav a[href='/dashboard/drives']").await;
    b.choose_file("#file", &file).await;
    b.open("form[action='/dashboard/upload/calendar'] button")
        .await;
    let errors = b.text("ul.errors").await;
    assert!(errors.contains("Dòng 8: \"12-32\""), "{errors}");
    b.screenshot(&shots(), "upload-errors").await;
    // Answered 422, the one console line it causes.
    let console = b.console_errors().await;
    assert!(
        console.len() == 1 && console[0].contains("422"),
        "{console:?}"
    );
    std::fs::write(&file, calendar("12-06")).unwrap();
    b.choose_file("#file", &file).await;
    b.open("form[action='/dashboard/upload/calendar'] button")
        .await;
    let notice = b.text(".notice").await;
    assert!(notice.contains("Đã lưu lịch: 1 điểm hiến máu"), "{notice}");

    // Donations: found by phone, recorded, removed as a mistake.
    b.open("nav a[href='/dashboard/donations']").await;
    b.fill("#q", "0912 000 011").await;
    b.open("form[role=search] button").await;
    b.open("form[method=post][action='/dashboard/donations'] button")
        .await;
    let page = b.source().await;
    assert!(page.contains("class=\"notice\""), "{page}");
    let notice = b.text(".notice").await;
    assert!(notice.contains("lần hiến thứ 1"), "{notice}");
    b.fill("#q", "0912000011").await;
    b.open("form[role=search] button").await;
    clean(&b, "donations").await;
    b.open("form[action='/dashboard/donations/remove'] button")
        .await;
    assert!(b.text(".notice").await.contains("Đã xoá lần hiến ghi nhầm"));

    // A broadcast under way, stopped from the web: nothing more goes out.
    seed::donors(&bot.db, None, 40_000..40_300).await;
    bot.say(ADMIN, "/broadcast").await;
    bot.tap(ADMIN, "province").await;
    bot.say(ADMIN, "hai phong").await;
    bot.say(ADMIN, "Ngày hội hiến máu Chủ nhật Đỏ").await;
    bot.tap(ADMIN, "send").await;
    let count = || {
        (40_000..40_300)
            .map(|u| bot.fake.sent_to(u).len())
            .sum::<usize>()
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while count() < 10 {
        assert!(Instant::now() < deadline, "the broadcast never started");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    b.open("nav a[href='/dashboard/broadcasts']").await;
    clean(&b, "broadcasts").await;
    b.open("form[action$='/stop'] button").await;
    let notice = b.text(".notice").await;
    assert!(notice.contains("Đã dừng"), "{notice}");
    let at_stop = count();
    // The stopped broadcast's bar shows how far it got, not a full bar (issue 31).
    let page = b.source().await;
    assert!(
        page.contains("<progress") && !page.contains("aria-label=\"100%\""),
        "{page}"
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let after = count();
    assert!(
        after <= at_stop + 2,
        "{after} sent after stopping at {at_stop}"
    );
    assert!(after < 300);

    // Donors: the register by province and group, and one donor looked up by phone.
    b.open("nav a[href='/dashboard/donors']").await;
    let page = b.source().await;
    assert!(page.contains("chưa có dự bị"), "{page}");
    b.fill("#phone", "0912 000 010").await;
    b.open("form[action^='/dashboard/donors/lookup'] button")
        .await;
    let card = b.text("article .msg").await;
    assert!(card.contains("Trần Thị Hoa"), "{card}");
    clean(&b, "donors").await;

    // Stock and the audit log.
    b.open("nav a[href='/dashboard/stock']").await;
    b.set("#group", "O-").await;
    b.fill("#units", "12").await;
    b.fill("#threshold", "20").await;
    b.open("form[action='/dashboard/stock'] button").await;
    let page = b.source().await;
    assert!(page.contains("dưới ngưỡng"), "{page}");
    clean(&b, "stock").await;
    b.open("nav a[href='/dashboard/audit']").await;
    let page = b.source().await;
    // Every change made on the web is in the log, as in chat.
    for action in [
        "tạo điểm hiến",
        "huỷ thông báo",
        "tạo lời kêu gọi khẩn cấp",
        "xoá lần hiến ghi nhầm",
        "tra cứu người hiến theo số điện thoại",
        "cập nhật tồn kho",
    ] {
        assert!(page.contains(action), "{action} not in the log: {page}");
    }
    clean(&b, "audit").await;
    // Narrowed to one action: only its rows.
    b.set("#action", "stock.set").await;
    b.open("form[action='/dashboard/audit'] button").await;
    let page = b.source().await;
    assert!(page.contains("cập nhật tồn kho</td>"), "{page}");
    assert!(!page.contains("tạo điểm hiến</td>"), "{page}");
    // The same pages in English, by the switch.
    b.open("a[hreflang=en]").await;
    assert!(b.source().await.contains("<html lang=\"en\">"));
    clean(&b, "audit-en").await;

    // On a 390-px phone, with everything this test wrote on the pages: none scrolls
    // sideways (issue 31: the overview was 440 px wide, drives 432, audit 551).
    b.open("a[hreflang=vi]").await;
    b.resize(390, 844).await;
    let mut wide = Vec::new();
    for page in [
        "",
        "drives",
        "donations",
        "callouts",
        "clubs",
        "broadcasts",
        "donors",
        "stock",
        "audit",
    ] {
        let path = if page.is_empty() {
            "/dashboard".to_string()
        } else {
            format!("/dashboard/{page}")
        };
        b.goto(&format!("{}{path}", base(&bot))).await;
        assert!(b.source().await.contains("<main>"), "{path} did not open");
        let (scroll, client) = b.widths().await;
        let name = if page.is_empty() { "overview" } else { page };
        b.screenshot(&shots(), &format!("phone-{name}")).await;
        if scroll > client {
            wide.push(format!("{name}: {scroll} px in {client}"));
        }
    }
    assert!(wide.is_empty(), "pages wider than a 390-px phone: {wide:?}");

    b.quit().await;
    bot.stop().await;
}

#[tokio::test]
async fn a_used_link_and_a_page_without_a_session_are_refused_in_the_browser() {
    let Some((driver, chromium)) = available() else {
        return say_skipped();
    };
    let mut bot = TestBot::start_with(
        &[("HIENMAU_ADMINS", "telegram:1")],
        hienmau::config::DeliveryConfig::unlimited(),
    )
    .await;
    bot.clock.set(vn(11, 22, 9, 0));
    let b = Browser::start(&driver, &chromium).await;
    b.goto(&format!("{}/dashboard/drives", base(&bot))).await;
    assert!(b.source().await.contains("Gửi /dashboard cho bot"));
    let r = bot.say(ADMIN, "/dashboard").await;
    let link = link_in(&r.text);
    // Expired: eleven minutes later.
    bot.clock.set(vn(11, 22, 9, 11));
    b.goto(&link).await;
    assert!(
        b.source()
            .await
            .contains("Liên kết này không còn dùng được")
    );
    b.quit().await;
    bot.stop().await;
}

#[tokio::test]
async fn a_club_leader_writes_to_the_members_from_the_browser() {
    let Some((driver, chromium)) = available() else {
        return say_skipped();
    };
    const LEADER: i64 = 2;
    let mut bot = TestBot::start_with(
        &[("HIENMAU_ADMINS", "telegram:1")],
        hienmau::config::DeliveryConfig::unlimited(),
    )
    .await;
    bot.clock.set(vn(11, 22, 9, 0));
    for (user, phone) in [
        (ADMIN, "0912000001"),
        (LEADER, "0912000002"),
        (DONOR, "0912000010"),
        (GIVER, "0912000011"),
    ] {
        bot.register(user, phone).await;
    }
    bot.say(ADMIN, "/grant leader 0912000002").await;
    bot.wait_text(LEADER, "Bạn vừa được cấp vai trò").await;
    bot.say(LEADER, "/newclub").await;
    bot.say(LEADER, "CLB Hiến máu ĐH Hàng Hải").await;
    let created = bot.tap(LEADER, "university").await;
    let at = created.text.find("Mã mời: ").unwrap() + "Mã mời: ".len();
    let code: String = created.text[at..].chars().take(6).collect();
    for member in [DONOR, GIVER] {
        bot.say(member, &format!("/join {code}")).await;
    }
    let b = Browser::start(&driver, &chromium).await;

    // The leader's link opens on their clubs; the menu has no coordinator's pages.
    let r = bot.say(LEADER, "/dashboard").await;
    b.goto(&link_in(&r.text)).await;
    assert_eq!(b.url().await, format!("{}/dashboard/clubs", base(&bot)));
    let page = b.source().await;
    assert!(page.contains("CLB Hiến máu ĐH Hàng Hải"), "{page}");
    assert!(!page.contains("href=\"/dashboard/drives\""), "{page}");
    clean(&b, "leader-clubs").await;
    b.open("a[href^='/dashboard/clubs/']").await;
    assert!(b.source().await.contains("3 thành viên"));
    clean(&b, "leader-members").await;

    // Write, preview (what members will read, and to how many), send.
    b.open("a[href^='/dashboard/broadcasts/new']").await;
    b.fill(
        "#text",
        "Chủ nhật Đỏ 7/12 tại Nhà văn hoá\nMang theo CCCD nhé!",
    )
    .await;
    b.open("form[action='/dashboard/broadcasts/new'] button")
        .await;
    let page = b.source().await;
    assert!(page.contains("Sẽ gửi tới 2 người"), "{page}");
    assert_eq!(
        bot.fake
            .sent_to(DONOR)
            .iter()
            .filter(|m| m.text.contains("📣"))
            .count(),
        0
    );
    clean(&b, "leader-preview").await;
    b.open("input[value='send'] ~ button").await;
    let notice = b.text(".notice").await;
    assert!(notice.contains("Đang gửi tới 2 người"), "{notice}");
    for member in [DONOR, GIVER] {
        let got = bot.wait_text(member, "Mang theo CCCD").await;
        assert!(
            got.text
                .contains("Chủ nhật Đỏ 7/12 tại Nhà văn hoá\nMang theo CCCD nhé!")
        );
    }
    // Back in the browser: the broadcast and its progress.
    b.goto(&format!("{}/dashboard/broadcasts", base(&bot)))
        .await;
    assert!(b.source().await.contains("CLB Hiến máu ĐH Hàng Hải"));
    clean(&b, "leader-broadcasts").await;
    b.quit().await;
    bot.stop().await;
}
