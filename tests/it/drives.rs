//! Drives, sign-ups, reminders and donations end to end on Telegram, with the clock in the
//! test's hands: each reminder arrives once at its time, quiet hours hold and release,
//! restarts and overlapping ticks neither lose nor repeat, donations recorded by a
//! coordinator update eligibility and the report.

use crate::seed;
use crate::support::TestBot;
use chrono::TimeZone;
use hienmau::cli::CampaignAction;
use hienmau::scheduler;

pub(crate) const ADMIN: i64 = 1;
pub(crate) const LAN: i64 = 10;
pub(crate) const BINH: i64 = 11;

pub(crate) const CALENDAR: &str = r#"
[[campaign]]
name = "Chủ nhật Đỏ"
from = "2026-11-22"
to = "2026-12-31"
target_units = [2, 3]

[[campaign.drive]]
place = "Nhà văn hoá Lê Chân"
province = "Hải Phòng"
date = "2026-11-29"
time = "07:30-11:30"
capacity = 1
target_units = 2

[[campaign.drive]]
place = "Trường ĐH Hàng hải"
province = "Hải Phòng"
date = "2026-12-06"
time = "08:00-11:00"
capacity = 50
slots = ["08:00-09:30", "09:30-11:00"]

[[campaign.drive]]
place = "Bệnh viện Bạch Mai"
province = "Hà Nội"
date = "2026-12-03"
time = "07:00-11:00"
capacity = 50
"#;

/// A Vietnam time in 2026.
pub(crate) fn vn(m: u32, d: u32, h: u32, min: u32) -> chrono::DateTime<chrono::Utc> {
    chrono_tz::Asia::Ho_Chi_Minh
        .with_ymd_and_hms(2026, m, d, h, min, 0)
        .unwrap()
        .with_timezone(&chrono::Utc)
}

pub(crate) async fn bot() -> TestBot {
    let bot = TestBot::start_with(
        &[("HIENMAU_ADMINS", "telegram:1")],
        hienmau::config::DeliveryConfig::unlimited(),
    )
    .await;
    with_calendar(bot).await
}

/// The drives of [`CALENDAR`] imported into `bot`'s database, as `hienmau campaigns
/// import` does.
pub(crate) async fn with_calendar(bot: TestBot) -> TestBot {
    let file = bot.db.with_file_name("calendar.toml");
    std::fs::write(&file, CALENDAR).unwrap();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    let out = hienmau::cli::campaigns(
        &bot.app,
        CampaignAction::Import {
            file,
            year: Some(2026),
        },
        today,
    )
    .await
    .unwrap();
    assert_eq!(
        out,
        "Đã lưu cho năm 2026: 1 đợt vận động và 3 điểm hiến máu.\n"
    );
    bot
}

/// Move the clock and run the scheduler, as its own loop would.
pub(crate) async fn at(bot: &TestBot, t: chrono::DateTime<chrono::Utc>) {
    bot.clock.set(t);
    scheduler::tick(&bot.app, t).await.unwrap();
}

/// The value of the button whose label contains `label`.
pub(crate) fn button(sent: &crate::fake_telegram::Sent, label: &str) -> String {
    sent.reply_markup["inline_keyboard"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row.as_array().into_iter().flatten())
        .find(|b| b["text"].as_str().is_some_and(|t| t.contains(label)))
        .and_then(|b| b["callback_data"].as_str())
        .unwrap_or_else(|| panic!("no button {label:?} in {}", sent.reply_markup))
        .to_string()
}

/// Reminder rows queued for a chat (sent or not).
pub(crate) async fn reminders_queued(bot: &TestBot, chat: i64) -> i64 {
    seed::count(
        &bot.db,
        &format!(
            "SELECT COUNT(*) FROM outbox WHERE identity_id = (SELECT id FROM \
             channel_identities WHERE external_id = '{chat}') \
             AND idempotency_key LIKE 'job:remind:%'"
        ),
    )
    .await
}

pub(crate) fn reminders_received(bot: &TestBot, chat: i64) -> Vec<String> {
    bot.fake
        .sent_to(chat)
        .into_iter()
        .filter(|m| m.text.contains("Nhắc lịch"))
        .map(|m| m.text)
        .collect()
}

/// `user` opens /drives and signs up for the drive whose label contains `place`.
pub(crate) async fn sign_up(bot: &TestBot, user: i64, place: &str) -> String {
    let list = bot.say(user, "/drives").await;
    let card = bot.tap(user, &button(&list, place)).await;
    bot.tap(user, "signup").await.text.clone() + &card.text
}

#[tokio::test]
async fn each_reminder_arrives_once_at_its_time_across_a_restart_and_overlapping_ticks() {
    let mut bot = bot().await;
    bot.register(LAN, "0912000010").await;
    let list = bot.say(LAN, "/drives").await;
    // Own province first, soonest first; the Hà Nội drive after.
    let labels: Vec<String> = list.button_values();
    assert_eq!(labels.len(), 4, "{}", list.reply_markup);
    let text = list.reply_markup.to_string();
    let (le_chan, hang_hai, bach_mai) = (
        text.find("Lê Chân").unwrap(),
        text.find("Hàng hải").unwrap(),
        text.find("Bạch Mai").unwrap(),
    );
    assert!(le_chan < hang_hai && hang_hai < bach_mai, "{text}");
    let card = bot.tap(LAN, &button(&list, "Lê Chân")).await;
    assert!(card.text.contains("Còn 1/1 chỗ"), "{}", card.text);
    let done = bot.tap(LAN, "signup").await;
    assert!(done.text.contains("Đã đăng ký"), "{}", done.text);

    // 3 days before at 09:00; not a minute earlier.
    at(&bot, vn(11, 26, 8, 59)).await;
    assert_eq!(reminders_queued(&bot, LAN).await, 0);
    at(&bot, vn(11, 26, 9, 0)).await;
    bot.wait_text(LAN, "sau 3 ngày nữa").await;
    // Ticking again at the same time (or from a second process) adds nothing.
    let second = hienmau::app::App::open(bot.app.config().clone(), bot.clock.clone())
        .await
        .unwrap();
    let (a, b) = tokio::join!(
        scheduler::tick(&bot.app, vn(11, 26, 9, 0)),
        scheduler::tick(&second, vn(11, 26, 9, 0))
    );
    assert_eq!(a.unwrap().jobs + b.unwrap().jobs, 0);
    assert_eq!(reminders_queued(&bot, LAN).await, 1);

    // The evening before at 19:00.
    at(&bot, vn(11, 28, 18, 59)).await;
    assert_eq!(reminders_queued(&bot, LAN).await, 1);
    at(&bot, vn(11, 28, 19, 0)).await;
    bot.wait_text(LAN, "ngày mai").await;

    // Two hours before 07:30 is 05:30, in quiet hours: it comes at 07:00. The process is
    // down from 06:00 to 07:10; the new one sends it at once, late rather than never.
    at(&bot, vn(11, 29, 6, 0)).await;
    assert_eq!(reminders_queued(&bot, LAN).await, 2);
    bot.restart().await;
    at(&bot, vn(11, 29, 7, 10)).await;
    bot.wait_text(LAN, "hôm nay").await;
    scheduler::tick(&bot.app, vn(11, 29, 7, 10)).await.unwrap();
    assert_eq!(reminders_queued(&bot, LAN).await, 3);
    second.store().close().await;

    // Once the drive has started, nothing more.
    at(&bot, vn(11, 29, 8, 0)).await;
    assert_eq!(reminders_queued(&bot, LAN).await, 3);
    let got = reminders_received(&bot, LAN);
    assert_eq!(got.len(), 3, "{got:?}");
    bot.stop().await;
}

#[tokio::test]
async fn a_full_drive_offers_the_next_and_a_cancelled_sign_up_gets_no_reminder() {
    let mut bot = bot().await;
    bot.register(LAN, "0912000010").await;
    bot.register(BINH, "0912000011").await;
    assert!(sign_up(&bot, LAN, "Lê Chân").await.contains("Đã đăng ký"));
    // The only place is taken: Bình is offered the drives that still have room.
    let list = bot.say(BINH, "/drives").await;
    let card = bot.tap(BINH, &button(&list, "Lê Chân")).await;
    assert!(card.text.contains("đã đủ người"), "{}", card.text);
    assert!(!card.button_values().contains(&"signup".to_string()));

    // A slot of the other drive; then Lan cancels hers, and the place is free again.
    let list = bot.say(BINH, "/drives").await;
    bot.tap(BINH, &button(&list, "Hàng hải")).await;
    let slots = bot.tap(BINH, "signup").await;
    assert!(slots.text.contains("khung giờ"), "{}", slots.text);
    let done = bot.tap(BINH, &button(&slots, "09:30–11:00")).await;
    assert!(done.text.contains("khung giờ 09:30–11:00"), "{}", done.text);

    let list = bot.say(LAN, "/drives").await;
    assert!(list.reply_markup.to_string().contains("✓"));
    bot.tap(LAN, &button(&list, "Lê Chân")).await;
    let r = bot.tap(LAN, "cancel_signup").await;
    assert!(r.text.contains("Đã huỷ đăng ký"), "{}", r.text);
    at(&bot, vn(11, 29, 7, 20)).await;
    assert_eq!(reminders_queued(&bot, LAN).await, 0);
    let cancelled = seed::count(
        &bot.db,
        "SELECT COUNT(*) FROM jobs WHERE outcome = 'cancelled'",
    )
    .await;
    assert_eq!(cancelled, 3);
    bot.stop().await;
}

#[tokio::test]
async fn a_coordinator_records_a_donation_by_check_in_code_thanks_wait_for_morning_and_the_report_counts_it()
 {
    let mut bot = bot().await;
    bot.register(LAN, "0912000010").await;
    assert!(sign_up(&bot, LAN, "Lê Chân").await.contains("Đã đăng ký"));
    // A donor cannot record donations.
    let r = bot.say(LAN, "/record 0912000010").await;
    assert!(r.text.contains("không có quyền"), "{}", r.text);

    // At the drive: the donor shows a check-in code, the coordinator types it.
    at(&bot, vn(11, 29, 8, 0)).await;
    // The campaign opened on 22/11, before Lan registered: the next morning's run told her.
    bot.wait_text(LAN, "🩸 Chủ nhật Đỏ (22/11/2026 – 31/12/2026)")
        .await;
    let r = bot.say(LAN, "/checkin").await;
    let code: String = r
        .text
        .split("Mã điểm danh của bạn: ")
        .nth(1)
        .unwrap()
        .chars()
        .take(6)
        .collect();
    let r = bot.say(ADMIN, "/ghinhan").await;
    assert!(r.text.contains("mã điểm danh"), "{}", r.text);
    let r = bot.say(ADMIN, "ABC-DEF").await;
    assert!(r.text.contains("Không tìm thấy"), "{}", r.text);
    let r = bot.say(ADMIN, &code.to_lowercase()).await;
    assert!(r.text.contains("Nguyễn Văn An"), "{}", r.text);
    let r = bot.tap(ADMIN, "whole_blood").await;
    assert!(r.text.contains("Tại điểm hiến nào"), "{}", r.text);
    let r = bot.tap(ADMIN, &button(&r, "Lê Chân")).await;
    assert!(r.text.contains("lần hiến thứ 1"), "{}", r.text);
    // The same donation again is recognised.
    bot.say(ADMIN, "0912000010").await;
    bot.tap(ADMIN, "whole_blood").await;
    let r = bot.tap(ADMIN, "none").await;
    assert!(r.text.contains("đã được ghi nhận trước đó"), "{}", r.text);
    let r = bot.say(ADMIN, "xong").await;
    assert!(r.text.contains("Xong"), "{}", r.text);

    // The thank-you is due at once; it comes with the first-donation honour.
    at(&bot, vn(11, 29, 8, 1)).await;
    bot.wait_text(LAN, "hiến máu lần đầu hôm").await;
    // Eligibility follows: whole blood, 12 weeks.
    let r = bot.say(LAN, "/profile").await;
    assert!(r.text.contains("21/02/2027"), "{}", r.text);
    let r = bot.say(LAN, "/drives").await;
    assert!(
        r.text.contains("Bạn có thể hiến lại từ 21/02/2027") || r.text.contains("Hiện chưa có"),
        "{}",
        r.text
    );

    // A self-reported donation at night: noted, unverified, no thanks from the scheduler.
    at(&bot, vn(11, 30, 22, 0)).await;
    let r = bot.say(LAN, "/dahien").await;
    let r = bot.tap(LAN, &button(&r, "Tiểu cầu")).await;
    assert!(
        r.text.contains("chưa được trung tâm xác nhận"),
        "{}",
        r.text
    );
    let unverified =
        seed::count(&bot.db, "SELECT COUNT(*) FROM donations WHERE NOT verified").await;
    assert_eq!(unverified, 1);

    // The report: one donation at the drive against its target of 2, a repeat share.
    let r = bot.say(ADMIN, "/baocao").await;
    assert!(
        r.text
            .contains("Chủ nhật Đỏ: 1 đăng ký, 1 lần hiến/2–3 đơn vị (50%)"),
        "{}",
        r.text
    );
    // A drive's line gives its day and hours (issue 13: the report named only the place).
    assert!(
        r.text.contains(
            "Nhà văn hoá Lê Chân (29/11/2026 07:30–11:30): 1 đăng ký, 1 lần hiến/2 đơn vị (50%)"
        ),
        "{}",
        r.text
    );
    assert!(r.text.contains("0% hiến nhắc lại"), "{}", r.text);
    assert!(r.text.contains("1 trong 1 đợt có hoạt động"), "{}", r.text);
    // The steering committee's CSV: a row per campaign and per drive, then the year; in
    // Vietnamese with a byte-order mark for Excel (issue 13: English words, no BOM), and a
    // drive's people-reached cell empty (reach is counted per campaign, it read 0).
    let csv = hienmau::cli::report(&bot.app, Some(2026), true)
        .await
        .unwrap();
    let csv = csv
        .strip_prefix('\u{feff}')
        .expect("a UTF-8 byte-order mark");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 1 + 1 + 3 + 2, "{csv}");
    assert!(lines[0].starts_with("cấp,đợt,điểm hiến,ngày"), "{csv}");
    assert!(
        lines[1].starts_with("đợt,Chủ nhật Đỏ,,22/11/2026 – 31/12/2026,,1,1,2,3,50,1,,0"),
        "{csv}"
    );
    assert!(
        lines[2].starts_with(
            "điểm hiến,Chủ nhật Đỏ,Nhà văn hoá Lê Chân,29/11/2026 07:30–11:30,Hải Phòng,1,1,2,2,50,,"
        ),
        "{csv}"
    );
    // The self-reported one is outside campaigns; it is Lan's second, so a repeat.
    assert_eq!(lines[5], "ngoài các đợt,,,,,0,1,,,,,,100", "{csv}");
    assert_eq!(lines[6], "cả năm,,,2026,,1,2,,,,1,,50", "{csv}");
    // The text report, in the same words as the chat, lists every campaign and drive.
    let text = hienmau::cli::report(&bot.app, Some(2026), false)
        .await
        .unwrap();
    assert!(
        text.contains("Lần hiến ngoài các đợt: 1, 100% hiến nhắc lại"),
        "{text}"
    );
    assert!(
        !text.contains("signed up") && !text.contains("0 đăng ký, 1 lần hiến"),
        "{text}"
    );
    bot.stop().await;
}

#[tokio::test]
async fn quiet_hours_hold_a_thank_you_until_seven() {
    let mut bot = bot().await;
    bot.register(LAN, "0912000010").await;
    at(&bot, vn(11, 29, 22, 30)).await;
    bot.say(ADMIN, "/record 0912 000 010").await;
    bot.tap(ADMIN, "whole_blood").await;
    let r = bot.tap(ADMIN, "none").await;
    assert!(r.text.contains("lần hiến thứ 1"), "{}", r.text);
    at(&bot, vn(11, 29, 22, 31)).await;
    // Queued, in the notice lane, and held.
    let held = seed::count(
        &bot.db,
        "SELECT COUNT(*) FROM outbox WHERE idempotency_key LIKE 'job:thanks:%' \
         AND status = 'pending' AND lane = 2",
    )
    .await;
    assert_eq!(held, 1);
    at(&bot, vn(11, 30, 6, 59)).await;
    assert!(
        !bot.fake
            .sent_to(LAN)
            .iter()
            .any(|m| m.text.contains("hiến máu lần đầu hôm"))
    );
    at(&bot, vn(11, 30, 7, 0)).await;
    let m = bot.wait_text(LAN, "hiến máu lần đầu hôm").await;
    assert!(m.text.contains("29/11/2026"), "{}", m.text);
    bot.stop().await;
}

#[tokio::test]
async fn eligible_again_after_whole_blood_and_platelets_and_the_14_6_thank_you() {
    let mut bot = bot().await;
    for (user, phone) in [(20, "0912000020"), (21, "0912000021"), (22, "0912000022")] {
        bot.register(user, phone).await;
    }
    let csv = bot.db.with_file_name("donations.csv");
    // 20: whole blood 84 days before 23/11; 21: platelets 14 days before; 22: whole blood
    // 14 days before (not yet).
    std::fs::write(
        &csv,
        "phone,date,kind\n0912000020,31/08/2026,toàn phần\n\
         0912000021,09/11/2026,tiểu cầu\n0912000022,09/11/2026,toàn phần\n",
    )
    .unwrap();
    let out = hienmau::cli::import_donations(&bot.app, &csv)
        .await
        .unwrap();
    assert!(out.starts_with("Đã ghi nhận 3 lần hiến"), "{out}");
    // Old donations are history: no thank-you for them.
    assert_eq!(
        seed::count(&bot.db, "SELECT COUNT(*) FROM jobs WHERE kind = 'thanks'").await,
        0
    );

    at(&bot, vn(11, 23, 7, 59)).await;
    at(&bot, vn(11, 23, 8, 0)).await;
    bot.wait_text(20, "đã có thể hiến máu trở lại").await;
    let m = bot.wait_text(21, "đã có thể hiến máu trở lại").await;
    // With the next drives of their province.
    assert!(m.text.contains("Lê Chân"), "{}", m.text);
    assert!(!m.text.contains("Bạch Mai"), "{}", m.text);
    at(&bot, vn(11, 24, 8, 0)).await;
    let again = seed::count(
        &bot.db,
        "SELECT COUNT(*) FROM outbox WHERE idempotency_key LIKE 'again:%'",
    )
    .await;
    assert_eq!(again, 2, "22 is not eligible until 01/02/2027");

    // 14/6: every donor who has given is thanked, once.
    let june = chrono_tz::Asia::Ho_Chi_Minh
        .with_ymd_and_hms(2027, 6, 14, 9, 0, 0)
        .unwrap()
        .with_timezone(&chrono::Utc);
    at(&bot, june).await;
    at(&bot, june + chrono::Duration::minutes(5)).await;
    for user in [20, 21, 22] {
        bot.wait_text(user, "14/6").await;
    }
    let honours = seed::count(
        &bot.db,
        "SELECT COUNT(*) FROM outbox WHERE idempotency_key LIKE 'honours:2027:%'",
    )
    .await;
    assert_eq!(honours, 3);
    bot.stop().await;
}

#[tokio::test]
async fn a_coordinator_creates_and_moves_a_drive_in_chat_and_signed_up_donors_are_told() {
    let mut bot = bot().await;
    bot.register(LAN, "0912000010").await;
    let r = bot.say(LAN, "/newdrive").await;
    assert!(r.text.contains("không có quyền"), "{}", r.text);

    let r = bot.say(ADMIN, "/taodiem").await;
    assert!(r.text.contains("đợt vận động nào"), "{}", r.text);
    bot.tap(ADMIN, &button(&r, "Chủ nhật Đỏ")).await;
    let r = bot.say(ADMIN, "ab").await;
    assert!(r.text.contains("3 đến 200"), "{}", r.text);
    bot.say(ADMIN, "Nhà văn hoá phường Ngô Quyền, 12 Lạch Tray")
        .await;
    let r = bot.say(ADMIN, "Atlantis").await;
    assert!(r.text.contains("chưa tìm thấy"), "{}", r.text);
    bot.say(ADMIN, "hai phong").await;
    bot.tap(ADMIN, "skip").await;
    let r = bot.say(ADMIN, "21/11/2026").await;
    assert!(r.text.contains("đã qua"), "{}", r.text);
    bot.say(ADMIN, "13/12").await;
    let r = bot.say(ADMIN, "11h-7h").await;
    assert!(r.text.contains("Giờ chưa đúng"), "{}", r.text);
    bot.say(ADMIN, "7h30-11h").await;
    let r = bot.say(ADMIN, "không giới hạn").await;
    assert!(r.text.contains("số dương"), "{}", r.text);
    bot.say(ADMIN, "120").await;
    bot.tap(ADMIN, "skip").await;
    let review = bot.tap(ADMIN, "skip").await;
    assert!(
        review.text.contains("Ngày: 13/12/2026, 07:30–11:00"),
        "{}",
        review.text
    );
    let r = bot.tap(ADMIN, "save").await;
    assert!(r.text.contains("Đã tạo điểm hiến"), "{}", r.text);

    assert!(sign_up(&bot, LAN, "Ngô Quyền").await.contains("Đã đăng ký"));

    // Moved to 14/12: Lan is told, and her reminders follow.
    let list = bot.say(ADMIN, "/drives").await;
    bot.tap(ADMIN, &button(&list, "Ngô Quyền")).await;
    let r = bot.tap(ADMIN, "edit").await;
    assert!(r.text.contains("Kiểm tra lại điểm hiến"), "{}", r.text);
    bot.tap(ADMIN, "f_date").await;
    let r = bot.say(ADMIN, "14/12").await;
    assert!(r.text.contains("14/12/2026"), "{}", r.text);
    let r = bot.tap(ADMIN, "save").await;
    assert!(r.text.contains("Đã báo cho 1 người"), "{}", r.text);
    let m = bot.wait_text(LAN, "đã thay đổi").await;
    assert!(m.text.contains("14/12/2026"), "{}", m.text);
    at(&bot, vn(12, 10, 9, 0)).await;
    assert_eq!(
        reminders_queued(&bot, LAN).await,
        0,
        "3 days before 14/12 is 11/12"
    );
    at(&bot, vn(12, 11, 9, 0)).await;
    bot.wait_text(LAN, "sau 3 ngày nữa").await;

    // Cancelled: Lan is told and no reminder is left.
    let list = bot.say(ADMIN, "/drives").await;
    bot.tap(ADMIN, &button(&list, "Ngô Quyền")).await;
    bot.tap(ADMIN, "cancel_drive").await;
    let r = bot.tap(ADMIN, "yes").await;
    assert!(r.text.contains("Đã huỷ điểm hiến"), "{}", r.text);
    bot.wait_text(LAN, "đã bị huỷ").await;
    at(&bot, vn(12, 13, 19, 0)).await;
    assert_eq!(reminders_queued(&bot, LAN).await, 1);
    bot.stop().await;
}

#[tokio::test]
async fn a_campaign_is_announced_when_it_opens_to_its_provinces_eligible_donors() {
    let mut bot = bot().await;
    bot.register(LAN, "0912000010").await;
    // Bình lives in Hà Nội.
    for line in [
        "/start",
        "1",
        "Trần Bình",
        "0912000011",
        "05/03/1990",
        "nam",
        "70",
        "A+",
        "ha noi",
        "bo qua",
        "chua bao gio",
        "khong",
    ] {
        bot.say(BINH, line).await;
    }
    bot.say(BINH, "1").await;
    // A coordinator creates a campaign opening tomorrow, with a drive in Hải Phòng.
    bot.say(ADMIN, "/newcampaign").await;
    let r = bot.say(ADMIN, "Chủ nhật Đỏ tháng 12").await;
    assert!(r.text.contains("Từ ngày nào"), "{}", r.text);
    let r = bot.say(ADMIN, "hôm qua").await;
    assert!(r.text.contains("Chưa đúng"), "{}", r.text);
    bot.say(ADMIN, "23/11 - 20/12").await;
    bot.say(ADMIN, "300-400").await;
    let r = bot.tap(ADMIN, "skip").await;
    assert!(r.text.contains("300–400 đơn vị"), "{}", r.text);
    let r = bot.tap(ADMIN, "save").await;
    assert!(r.text.contains("Đã tạo đợt"), "{}", r.text);
    // Edited: a new unit target.
    let list = bot.say(ADMIN, "/chiendich").await;
    let r = bot.tap(ADMIN, &button(&list, "tháng 12")).await;
    assert!(r.text.contains("300–400 đơn vị"), "{}", r.text);
    bot.tap(ADMIN, "c_units").await;
    let r = bot.say(ADMIN, "500-600").await;
    assert!(r.text.contains("500–600 đơn vị"), "{}", r.text);
    let r = bot.tap(ADMIN, "save").await;
    assert!(r.text.contains("Đã lưu thay đổi"), "{}", r.text);
    // A second campaign of the same name is refused, and only its name is asked again.
    bot.say(ADMIN, "/newcampaign").await;
    bot.say(ADMIN, "Chủ nhật Đỏ tháng 12").await;
    bot.say(ADMIN, "24/11 - 30/11").await;
    bot.tap(ADMIN, "skip").await;
    bot.tap(ADMIN, "skip").await;
    let r = bot.tap(ADMIN, "save").await;
    assert!(r.text.contains("trùng tên"), "{}", r.text);
    let r = bot.say(ADMIN, "Ngày hội hiến máu phường").await;
    assert!(r.text.contains("24/11/2026 – 30/11/2026"), "{}", r.text);
    let r = bot.tap(ADMIN, "save").await;
    assert!(r.text.contains("Đã tạo đợt"), "{}", r.text);
    // Over 30 messages in this minute: a donor would be slowed down, a coordinator may send
    // four times as many (a busy drive).
    let r = bot.say(ADMIN, "/newdrive").await;
    bot.tap(ADMIN, &button(&r, "tháng 12")).await;
    for line in ["Sân vận động Lạch Tray", "Hải Phòng"] {
        bot.say(ADMIN, line).await;
    }
    bot.tap(ADMIN, "skip").await;
    // A day outside the campaign (23/11 – 20/12) is refused at saving, as in the calendar
    // import: only the day is asked again.
    for line in ["15/03/2027", "7h-11h", "500"] {
        bot.say(ADMIN, line).await;
    }
    bot.tap(ADMIN, "skip").await;
    bot.tap(ADMIN, "skip").await;
    let r = bot.tap(ADMIN, "save").await;
    assert!(
        r.text.contains("nằm ngoài đợt") && r.text.contains("23/11/2026 – 20/12/2026"),
        "{}",
        r.text
    );
    let r = bot.say(ADMIN, "20/12").await;
    assert!(r.text.contains("500"), "the rest is kept: {}", r.text);
    let r = bot.tap(ADMIN, "save").await;
    assert!(r.text.contains("Đã tạo"), "{}", r.text);

    at(&bot, vn(11, 23, 8, 29)).await;
    at(&bot, vn(11, 23, 8, 30)).await;
    let m = bot.wait_text(LAN, "Chủ nhật Đỏ tháng 12").await;
    assert!(m.text.contains("Sân vận động Lạch Tray"), "{}", m.text);
    at(&bot, vn(11, 24, 8, 30)).await;
    let announced = seed::count(
        &bot.db,
        "SELECT COUNT(*) FROM outbox WHERE idempotency_key LIKE 'campaign:' || \
         (SELECT id FROM campaigns WHERE name = 'Chủ nhật Đỏ tháng 12') || ':%'",
    )
    .await;
    assert_eq!(announced, 1, "only Hải Phòng's donor, once");
    let r = bot.say(ADMIN, "/report").await;
    assert!(r.text.contains("vận động 1 người"), "{}", r.text);
    assert!(r.text.contains("/500–600 đơn vị (0%)"), "{}", r.text);
    bot.stop().await;
}

#[tokio::test]
async fn a_campaign_added_on_its_opening_day_after_the_run_is_announced_the_next_morning() {
    let mut bot = bot().await;
    bot.register(LAN, "0912000010").await;
    at(&bot, vn(11, 23, 8, 45)).await;
    let late = r#"
[[campaign]]
name = "Ngày hội hiến máu Lê Chân"
from = "2026-11-23"
to = "2026-12-20"

[[campaign.drive]]
place = "Nhà thi đấu quận Lê Chân"
province = "Hải Phòng"
date = "2026-12-13"
time = "07:30-11:00"
capacity = 100
"#;
    let list =
        hienmau::domain::campaign::parse_calendar_file(late, 2026, &|_: &str| false).unwrap();
    let tz = bot.app.config().timezone;
    bot.app
        .store()
        .import_calendar(2026, &list, tz, vn(11, 23, 9, 0).timestamp_millis())
        .await
        .unwrap();
    at(&bot, vn(11, 24, 8, 30)).await;
    let m = bot.wait_text(LAN, "Ngày hội hiến máu Lê Chân").await;
    assert!(m.text.contains("Nhà thi đấu quận Lê Chân"), "{}", m.text);
    // The day after, it is not sent again.
    at(&bot, vn(11, 25, 8, 30)).await;
    let announced = seed::count(
        &bot.db,
        "SELECT COUNT(*) FROM outbox WHERE idempotency_key LIKE 'campaign:' || \
         (SELECT id FROM campaigns WHERE name = 'Ngày hội hiến máu Lê Chân') || ':%'",
    )
    .await;
    assert_eq!(announced, 1);
    bot.stop().await;
}

#[tokio::test]
async fn new_hours_keep_the_slots_that_fit_and_tell_who_lost_theirs() {
    let mut bot = bot().await;
    bot.register(LAN, "0912000010").await;
    bot.register(BINH, "0912000011").await;
    at(&bot, vn(11, 22, 9, 0)).await;
    // Lan takes the late slot, Bình the early one.
    for (user, slot) in [(LAN, "09:30–11:00"), (BINH, "08:00–09:30")] {
        let list = bot.say(user, "/drives").await;
        bot.tap(user, &button(&list, "Hàng hải")).await;
        let slots = bot.tap(user, "signup").await;
        let done = bot.tap(user, &button(&slots, slot)).await;
        assert!(done.text.contains(slot), "{}", done.text);
    }
    // The drive now ends at 09:30: the late slot no longer fits.
    let list = bot.say(ADMIN, "/drives").await;
    bot.tap(ADMIN, &button(&list, "Hàng hải")).await;
    bot.tap(ADMIN, "edit").await;
    bot.tap(ADMIN, "f_time").await;
    let r = bot.say(ADMIN, "8h-9h30").await;
    assert!(
        r.text.contains("09:30–11:00") && r.text.contains("Còn hợp: 08:00–09:30"),
        "{}",
        r.text
    );
    let review = bot.tap(ADMIN, "keep_slots").await;
    assert!(review.text.contains("08:00–09:30"), "{}", review.text);
    let r = bot.tap(ADMIN, "save").await;
    assert!(
        r.text.contains("Đã lưu") || r.text.contains("Đã báo"),
        "{}",
        r.text
    );
    let told = bot.wait_text(LAN, "khung giờ bạn chọn không còn").await;
    assert!(
        told.text.contains("08:00–09:30") || told.text.contains("08:00"),
        "{}",
        told.text
    );
    bot.drained().await;
    assert!(
        !bot.fake
            .sent_to(BINH)
            .iter()
            .any(|m| m.text.contains("khung giờ bạn chọn không còn")
                || m.text.contains("đã thay đổi")),
        "Bình's slot is kept: nothing to tell"
    );
    let slots_left = seed::count(
        &bot.db,
        "SELECT COUNT(*) FROM drive_slots s JOIN drives d ON d.id = s.drive_id \
         WHERE d.place = 'Trường ĐH Hàng hải'",
    )
    .await;
    assert_eq!(slots_left, 1);
    let binh_slot = seed::count(
        &bot.db,
        "SELECT COUNT(*) FROM signups WHERE slot_id IS NOT NULL AND status = 'active'",
    )
    .await;
    assert_eq!(binh_slot, 1, "Bình keeps her slot");
    bot.stop().await;
}

#[tokio::test]
async fn a_donation_inside_the_interval_is_questioned_and_a_mistaken_one_can_be_removed() {
    let mut bot = bot().await;
    bot.register(LAN, "0912000010").await;
    at(&bot, vn(11, 20, 9, 0)).await;
    let r = bot.say(ADMIN, "/record").await;
    assert!(r.text.contains("mã điểm danh"), "{}", r.text);
    let found = bot.say(ADMIN, "0912000010").await;
    // Said about the donor, not to the coordinator as if they were the donor.
    assert!(
        found.text.contains("người này hiến được ngay"),
        "{}",
        found.text
    );
    // No drive today: recorded at once.
    let r = bot.tap(ADMIN, "whole_blood").await;
    assert!(r.text.contains("lần hiến thứ 1"), "{}", r.text);
    bot.say(ADMIN, "xong").await;

    // A week later, platelets for the same donor: a warning, and nothing without a yes.
    at(&bot, vn(11, 27, 9, 0)).await;
    bot.say(ADMIN, "/record").await;
    let found = bot.say(ADMIN, "0912000010").await;
    assert!(
        found.text.contains("chỉ hiến lại được từ 12/02/2027"),
        "{}",
        found.text
    );
    let warn = bot.tap(ADMIN, "platelets").await;
    assert!(
        warn.text.contains("⚠️") && warn.text.contains("12/02/2027"),
        "{}",
        warn.text
    );
    let r = bot.tap(ADMIN, "no").await;
    assert!(r.text.contains("Chưa ghi nhận gì"), "{}", r.text);
    let count = || seed::count(&bot.db, "SELECT COUNT(*) FROM donations");
    assert_eq!(count().await, 1);
    bot.say(ADMIN, "0912000010").await;
    bot.tap(ADMIN, "platelets").await;
    let r = bot.tap(ADMIN, "yes").await;
    assert!(r.text.contains("lần hiến thứ 2"), "{}", r.text);
    assert_eq!(count().await, 2);

    // It was a typing mistake: removed, audited, and the interval goes back to whole blood.
    let found = bot.say(ADMIN, "0912000010").await;
    assert!(
        found.buttons_text().contains("27/11/2026"),
        "{}",
        found.buttons_text()
    );
    let confirm = bot.tap(ADMIN, "remove_last").await;
    assert!(confirm.text.contains("Xoá lần hiến"), "{}", confirm.text);
    let r = bot.tap(ADMIN, "yes").await;
    assert!(r.text.contains("Đã xoá lần hiến"), "{}", r.text);
    assert_eq!(count().await, 1);
    let audited = seed::count(
        &bot.db,
        "SELECT COUNT(*) FROM audit_log WHERE action = 'donation.remove'",
    )
    .await;
    assert_eq!(audited, 1);
    let last = seed::count(
        &bot.db,
        "SELECT COUNT(*) FROM donors WHERE last_donation_kind = 'whole_blood' \
         AND last_donation_date = '2026-11-20'",
    )
    .await;
    assert_eq!(
        last, 1,
        "the last donation is the whole blood of 20/11 again"
    );
    let r = bot.say(LAN, "/profile").await;
    assert!(r.text.contains("12/02/2027"), "{}", r.text);
    bot.stop().await;
}

/// What the web dashboard and the command line will do: a named use case reached without a
/// conversation (`App::perform`), under the chat's permission table, in one transaction.
#[tokio::test]
async fn a_use_case_outside_a_conversation_is_permitted_by_the_same_table() {
    use hienmau::domain::drive::{DriveInput, DriveSpec, TimeWindow};
    use hienmau::domain::province::Province;
    use hienmau::engine::{DriveOutcome, DriveRequest, Outcome, Request};
    let bot = bot().await;
    bot.clock.set(vn(11, 22, 9, 0));
    bot.register(LAN, "0912000010").await;
    let store = bot.app.store();
    let admin = store.identity_id("telegram", "1").await.unwrap().unwrap();
    let lan = store.identity_id("telegram", "10").await.unwrap().unwrap();
    let save = || {
        Request::Drive(DriveRequest::SaveDrive {
            input: DriveInput {
                id: None,
                campaign: None,
                spec: DriveSpec {
                    place: "Nhà văn hoá Kiến An".into(),
                    province: Province::from_code("hai-phong").unwrap(),
                    commune: String::new(),
                    date: chrono::NaiveDate::from_ymd_opt(2026, 12, 10).unwrap(),
                    window: TimeWindow::parse("07:30-11:30").unwrap(),
                    capacity: 30,
                    target_units: None,
                    slots: Vec::new(),
                    unit: None,
                },
            },
        })
    };
    // A donor may not; an account nobody knows may not; nothing is stored.
    assert_eq!(
        bot.app.perform(lan, save()).await.unwrap(),
        Outcome::Refused
    );
    assert_eq!(bot.app.perform(-1, save()).await.unwrap(), Outcome::Refused);
    let count = "SELECT COUNT(*) FROM drives WHERE place = 'Nhà văn hoá Kiến An'";
    assert_eq!(seed::count(&bot.db, count).await, 0);
    // The admin may, once; the donor of Hải Phòng then finds it in the chat.
    assert_eq!(
        bot.app.perform(admin, save()).await.unwrap(),
        Outcome::Drive(DriveOutcome::DriveSaved {
            new: true,
            notified: 0
        })
    );
    assert_eq!(seed::count(&bot.db, count).await, 1);
    let r = bot.say(LAN, "/drives").await;
    button(&r, "Kiến An");
}

/// Issue 31: a slot chosen by typing its time as people do ("8h"), or a time inside it
/// ("10h" is in 09:30–11:00).
#[tokio::test]
async fn a_slot_is_chosen_by_the_time_typed() {
    let mut bot = bot().await;
    bot.register(LAN, "0912000010").await;
    bot.register(BINH, "0912000011").await;
    for (user, typed, slot) in [(LAN, "8h", "08:00–09:30"), (BINH, "10h", "09:30–11:00")] {
        let list = bot.say(user, "/drives").await;
        bot.tap(user, &button(&list, "Hàng hải")).await;
        let slots = bot.tap(user, "signup").await;
        assert!(slots.text.contains("khung giờ"), "{}", slots.text);
        let done = bot.say(user, typed).await;
        assert!(
            done.text.contains(&format!("khung giờ {slot}")),
            "{typed}: {}",
            done.text
        );
    }
    bot.stop().await;
}
