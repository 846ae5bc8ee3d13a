//! Urgent call-outs end to end on Telegram with the clock in the test's hands: only
//! compatible, eligible, reachable, rested donors are asked, reserve clubs and the hospital's
//! province first; waves widen on time and stop when enough have pledged; nobody is asked
//! twice, even across a restart; night-time asks wait for the morning unless the donor opted
//! in; a call-out overtakes a broadcast in flight.

use crate::seed;
use crate::support::TestBot;
use chrono::TimeZone;
use hienmau::scheduler;
use std::time::Duration;

const ADMIN: i64 = 1;
const ASK: &str = "CẦN MÁU GẤP";

fn vn(d: u32, h: u32, min: u32) -> chrono::DateTime<chrono::Utc> {
    chrono_tz::Asia::Ho_Chi_Minh
        .with_ymd_and_hms(2026, 11, d, h, min, 0)
        .unwrap()
        .with_timezone(&chrono::Utc)
}

async fn at(bot: &TestBot, t: chrono::DateTime<chrono::Utc>) -> scheduler::Tick {
    bot.clock.set(t);
    scheduler::tick(&bot.app, t).await.unwrap()
}

fn asks(bot: &TestBot, user: i64) -> usize {
    bot.fake
        .sent_to(user)
        .iter()
        .filter(|m| m.text.contains(ASK))
        .count()
}

/// Every kind of donor the matching must keep out or let in; returns the bot.
async fn bot_with_donors() -> TestBot {
    let bot = TestBot::start_with(
        &[("HIENMAU_ADMINS", "telegram:1")],
        hienmau::config::DeliveryConfig::unlimited(),
    )
    .await;
    let db = &bot.db;
    let hp = seed::reserve_club(db, "CLB máu hiếm Hải Phòng", "hai-phong").await;
    let hn = seed::reserve_club(db, "CLB dự bị Hà Nội", "ha-noi").await;
    seed::donor(db, 100, "O-", "hai-phong", Some(hp), "night_alerts = TRUE").await;
    seed::donor(db, 101, "O-", "hai-phong", None, "").await;
    seed::donor(db, 102, "O-", "ha-noi", Some(hn), "").await;
    // Never asked for an O− patient:
    seed::donor(db, 103, "O?", "hai-phong", Some(hp), "").await; // Rh unknown
    seed::donor(
        db,
        104,
        "O-",
        "hai-phong",
        Some(hp),
        "last_donation_kind = 'whole_blood', last_donation_date = '2026-10-20'",
    )
    .await; // gave 33 days ago
    seed::donor(db, 105, "O-", "hai-phong", Some(hp), "urgent_off = TRUE").await;
    let rested = seed::donor(db, 106, "O-", "hai-phong", Some(hp), "").await;
    seed::donor(db, 107, "A-", "hai-phong", Some(hp), "").await; // incompatible
    seed::donor(
        db,
        112,
        "O-",
        "hai-phong",
        None,
        "deferred_until = '2026-12-20'",
    )
    .await;
    seed::donor(db, 113, "O-", "hai-phong", None, "").await;
    seed::exec(
        db,
        "UPDATE channel_identities SET unreachable_at = 1 WHERE external_id = '113'",
    )
    .await;
    // Asked by another call-out two days ago: resting.
    seed::exec(
        db,
        &format!(
            "INSERT INTO callouts (actor, created_at, blood_group, component, units, hospital, \
             address, province, deadline_at, status) VALUES ('cli', 0, 'O-', 'whole_blood', 1, \
             'BV cũ', 'x', 'hai-phong', 0, 'fulfilled'); \
             INSERT INTO callout_asks (callout_id, donor_id, wave, tier, asked_at) \
             VALUES ((SELECT MAX(id) FROM callouts), {rested}, 1, 0, {})",
            vn(20, 9, 0).timestamp_millis()
        ),
    )
    .await;
    // Nationwide, not in clubs: asked last.
    for user in 108..=111 {
        seed::donor(db, user, "O-", "ha-noi", None, "").await;
    }
    bot
}

/// The coordinator starts an O− call-out for `units` in one line and confirms it.
async fn start_callout(bot: &TestBot, units: u32) -> String {
    let preview = bot
        .say(
            ADMIN,
            &format!(
                "/callout O-; toàn phần; {units}; BV Việt Tiệp; Khoa Huyết học, 1 Nhà Thương; \
                 Hải Phòng; 18h; Bệnh nhân mổ cấp cứu"
            ),
        )
        .await;
    preview.text
}

#[tokio::test]
async fn waves_widen_on_time_stop_when_covered_and_never_ask_twice() {
    let mut bot = bot_with_donors().await;
    at(&bot, vn(22, 9, 0)).await;
    let preview = start_callout(&bot, 1).await;
    // Cumulative: reserve HP {100}, + reserve elsewhere {102}, + province {101}, + nation {108–111}.
    assert!(
        preview.contains(
            "CLB dự bị trong tỉnh 1 · CLB dự bị toàn quốc 2 · thêm cả tỉnh 3 · toàn quốc 7"
        ),
        "{preview}"
    );
    assert!(preview.contains("Đợt đầu sẽ hỏi 6 người"), "{preview}");
    let started = bot.tap(ADMIN, "send").await;
    assert!(
        started.text.contains("đợt 1 hỏi 6 người"),
        "{}",
        started.text
    );

    // Wave 1: tiers in order, best first; the last nationwide donor waits for wave 2.
    for user in [100, 101, 102, 108, 109, 110] {
        let m = bot.wait_text(user, ASK).await;
        assert!(
            m.text.contains("O-") && m.text.contains("BV Việt Tiệp"),
            "{}",
            m.text
        );
        assert_eq!(m.button_values(), ["callout:2:yes", "callout:2:no"]);
    }
    bot.drained().await;
    for user in [103, 104, 105, 106, 107, 111, 112, 113] {
        assert_eq!(asks(&bot, user), 0, "donor {user} must not be asked");
    }

    // 100 pledges by button; 102 declines with a bare "2" (its conversation holds the ask).
    let r = bot.tap(100, "callout:2:yes").await;
    assert!(
        r.text.contains("Mã nhận lời") && r.text.contains("Khoa Huyết học, 1 Nhà Thương"),
        "{}",
        r.text
    );
    // The coordinator's tally: a new message at the first answer, with a button to manage
    // the call-out; edited in place at the next.
    let tally = bot
        .wait_text(
            ADMIN,
            "Nhận lời 1/2 · đã hỏi 6 · từ chối 0 · chưa trả lời 5",
        )
        .await;
    assert_eq!(tally.button_values(), ["callout:2:manage"]);
    let r = bot.say(102, "2").await;
    assert!(r.text.contains("Cảm ơn bạn đã trả lời"), "{}", r.text);
    let edit = bot
        .wait_edit(
            ADMIN,
            "Nhận lời 1/2 · đã hỏi 6 · từ chối 1 · chưa trả lời 4",
        )
        .await;
    assert_eq!(edit.message_id, tally.message_id);
    assert!(edit.text.contains("1: 6 / 1 / 1 / 4"), "{}", edit.text);
    assert_eq!(edit.button_values(), ["callout:2:manage"]);
    // Pushed tallies (the menu's own reply shows the figures too, with its buttons).
    let tallies = |bot: &TestBot| {
        bot.fake
            .sent_to(ADMIN)
            .iter()
            .filter(|m| m.button_values() == ["callout:2:manage"])
            .count()
    };
    assert_eq!(tallies(&bot), 1, "the second tally edited the first");
    // The button opens the call-out's menu from wherever the coordinator is; a donor who
    // taps it (a forwarded message) is refused.
    bot.say(ADMIN, "/help").await;
    let menu = bot.tap(ADMIN, "callout:2:manage").await;
    assert!(
        menu.button_values().contains(&"extend".to_string())
            && menu.button_values().contains(&"cancel".to_string()),
        "{:?}",
        menu.button_values()
    );
    let refused = bot.tap(101, "callout:2:manage").await;
    assert!(refused.text.contains("không có quyền"), "{}", refused.text);
    assert!(!refused.text.contains("Nhận lời"), "{}", refused.text);

    // A restart, and a tick before the wave is due: nobody new, nobody twice.
    bot.restart().await;
    let t = at(&bot, vn(22, 9, 19)).await;
    assert_eq!(t.asked, 0);
    // 20 minutes on: wave 2 asks 3 × (2 − 1) = 3, but only 111 is left.
    let t = at(&bot, vn(22, 9, 20)).await;
    assert_eq!(t.asked, 1);
    bot.wait_text(111, ASK).await;
    // Across the restart, wave 2 edits the same tally.
    let edit = bot
        .wait_edit(ADMIN, "đã hỏi 7 · từ chối 1 · chưa trả lời 5")
        .await;
    assert_eq!(edit.message_id, tally.message_id);
    assert!(edit.text.contains("2: 1 / 0 / 0 / 1"), "{}", edit.text);
    assert_eq!(tallies(&bot), 1);
    let t = at(&bot, vn(22, 9, 40)).await;
    assert_eq!(t.asked, 0, "nobody is left to ask");
    assert_eq!(
        seed::count(
            &bot.db,
            "SELECT COUNT(*) FROM callout_asks WHERE callout_id = 2"
        )
        .await,
        7
    );

    // 111 pledges: 2 pledges = 1 unit + margin 1 → covered; the silent are told, once.
    let r = bot.tap(111, "callout:2:yes").await;
    assert!(r.text.contains("Mã nhận lời"), "{}", r.text);
    for user in [101, 108, 109, 110] {
        bot.wait_text(user, "đã đủ người").await;
    }
    // Closing comes as a new message (the phone rings), not an edit.
    let closed = bot.wait_text(ADMIN, "đã đủ người").await;
    assert_ne!(closed.message_id, tally.message_id);
    bot.drained().await;
    for user in [100, 101, 102, 108, 109, 110, 111] {
        assert_eq!(asks(&bot, user), 1, "donor {user} asked exactly once");
    }
    assert!(
        !bot.fake
            .sent_to(102)
            .iter()
            .any(|m| m.text.contains("đã đủ người")),
        "who declined is not told again"
    );
    // A late answer gets a thank-you, not a pledge.
    let r = bot.tap(101, "callout:2:yes").await;
    assert!(
        r.text.contains("đã đủ người hoặc đã kết thúc"),
        "{}",
        r.text
    );

    // The coordinator marks a pledge kept: the donation moves the donor's eligibility.
    bot.say(ADMIN, "/callouts").await;
    bot.tap(ADMIN, "2").await;
    let list = bot.tap(ADMIN, "pledges").await;
    let first = list.button_values()[0].clone();
    bot.tap(ADMIN, &first).await;
    let r = bot.tap(ADMIN, "donated").await;
    assert!(r.text.contains("Đã ghi nhận lần hiến"), "{}", r.text);
    assert_eq!(
        seed::count(
            &bot.db,
            "SELECT COUNT(*) FROM donations WHERE source = 'callout' AND donated_on = '2026-11-22'"
        )
        .await,
        1
    );
    // The audit: who started it, each wave, the outcome.
    assert_eq!(
        seed::count(
            &bot.db,
            "SELECT COUNT(*) FROM audit_log WHERE action IN ('callout.start', 'callout.wave', \
             'callout.fulfilled', 'callout.donated')"
        )
        .await,
        5
    );
    bot.stop().await;
}

#[tokio::test]
async fn at_night_only_those_who_opted_in_are_woken_the_rest_hear_in_the_morning() {
    let bot = bot_with_donors().await;
    at(&bot, vn(22, 23, 0)).await;
    start_callout(&bot, 1).await;
    let started = bot.tap(ADMIN, "send").await;
    // The count says who hears only in the morning.
    assert!(
        started
            .text
            .contains("không nhận tin khẩn cấp ban đêm: họ sẽ nhận lúc 07:00"),
        "{}",
        started.text
    );
    bot.wait_text(100, ASK).await;
    bot.drained().await;
    assert_eq!(
        asks(&bot, 101),
        0,
        "101 did not opt in to night-time emergencies"
    );
    // A bare "1" from 101 before the ask was shown is not an answer to it.
    at(&bot, vn(23, 7, 0)).await;
    bot.wait_text(101, ASK).await;
    let r = bot.say(101, "1").await;
    assert!(r.text.contains("Mã nhận lời"), "{}", r.text);
}

#[tokio::test]
async fn a_callout_overtakes_a_broadcast_in_flight() {
    // One send per 50 ms for the whole bot: sends go out one by one, in the order the worker
    // takes them, so the order at the fake is the worker's order.
    let delivery = hienmau::config::DeliveryConfig {
        telegram_per_second: 20.0,
        ..hienmau::config::DeliveryConfig::unlimited()
    };
    let mut bot = TestBot::start_with(&[("HIENMAU_ADMINS", "telegram:1")], delivery).await;
    let hp = seed::reserve_club(&bot.db, "CLB máu hiếm", "hai-phong").await;
    seed::donor(&bot.db, 100, "O-", "hai-phong", Some(hp), "").await;
    seed::donors(&bot.db, None, 10_000..15_000).await;
    bot.register(ADMIN, "0912000001").await;
    // A 5,000-message broadcast to the province, under way.
    bot.say(ADMIN, "/broadcast").await;
    bot.tap(ADMIN, "province").await;
    bot.say(ADMIN, "hai phong").await;
    bot.say(ADMIN, "Ngày hội hiến máu Chủ nhật Đỏ").await;
    bot.tap(ADMIN, "send").await;
    let broadcast = |m: &crate::fake_telegram::Sent| (10_000..15_000).contains(&m.chat_id);
    let sent_before = bot.fake.sent_count();
    bot.fake
        .wait_total(sent_before + 10, Duration::from_secs(20))
        .await;
    start_callout(&bot, 1).await;
    let confirm = std::time::Instant::now();
    bot.fake.tap(ADMIN, "send");
    let ask = bot.wait_text(100, ASK).await;
    // The confirmation's reply was committed with the ask: both fell due at once.
    let reply = bot.wait_text(ADMIN, "đợt 1 hỏi").await;
    let latency = ask.at.duration_since(confirm);
    let waiting = seed::count(
        &bot.db,
        "SELECT COUNT(*) FROM outbox WHERE broadcast_id IS NOT NULL AND status = 'pending'",
    )
    .await;
    println!("confirmation → first ask: {latency:?}; broadcast rows still waiting: {waiting}");
    assert!(latency < Duration::from_secs(1), "{latency:?}");
    // The ask went first, the reply next, and the broadcast only after them: nothing of the
    // broadcast between the ask and the reply committed with it.
    assert!(ask.at < reply.at);
    let between = bot
        .fake
        .sent
        .all()
        .into_iter()
        .filter(|m| broadcast(m) && m.at > ask.at && m.at < reply.at)
        .count();
    assert_eq!(
        between, 0,
        "a broadcast message went between the ask and its reply"
    );
    assert!(waiting >= 4_900, "{waiting} broadcast rows still waiting");
    // And the broadcast goes on.
    let total = bot.fake.sent_count();
    bot.fake.wait_total(total + 2, Duration::from_secs(5)).await;
    assert!(
        bot.fake
            .sent
            .all()
            .iter()
            .any(|m| broadcast(m) && m.at > reply.at)
    );
    bot.stop().await;
}

#[tokio::test]
async fn a_low_stock_alerts_the_compatible_reserve_members_at_most_once_a_period() {
    use hienmau::cli::{StockAction, stock};
    let mut bot = bot_with_donors().await;
    let set = |group: &str, units, threshold| StockAction::Set {
        group: group.into(),
        units,
        threshold,
    };
    let err = stock(&bot.app, set("O", 3, None)).await.unwrap_err();
    assert!(err.to_string().contains("cả ABO và Rh"), "{err}");
    assert!(stock(&bot.app, set("O-", -1, None)).await.is_err());
    stock(&bot.app, set("O-", 3, Some(10))).await.unwrap();
    stock(&bot.app, set("B+", 50, Some(10))).await.unwrap();
    assert_eq!(
        stock(&bot.app, StockAction::List).await.unwrap(),
        // A header, and the words in the configured language (issue 13: none, English).
        "nhóm\tđơn vị\tngưỡng báo\nB+\t50\t10\nO-\t3\t10\tthấp\n"
    );
    // (The bot's own scheduler ran today's 09:00 jobs at start, before any stock was set.)
    let t = at(&bot, vn(23, 9, 0)).await;
    assert!(t.crons.contains(&"stock_alert"), "{t:?}");
    // O− red cells come only from O− donors: the reserve members of group O− who may be
    // messaged (105 turned urgent messages off; 103 is O with Rh unknown; 107 is A−).
    for user in [100, 102, 104, 106] {
        bot.wait_text(user, "đang thấp (3 đơn vị)").await;
    }
    bot.drained().await;
    for user in [101, 103, 105, 107, 108] {
        assert!(
            !bot.fake
                .sent_to(user)
                .iter()
                .any(|m| m.text.contains("đang thấp")),
            "{user}"
        );
    }
    // Next day: still low, but alerted less than 3 days ago. A restart changes nothing.
    bot.restart().await;
    at(&bot, vn(24, 9, 0)).await;
    at(&bot, vn(25, 9, 0)).await;
    bot.drained().await;
    let alerts = |bot: &TestBot| {
        bot.fake
            .sent_to(100)
            .iter()
            .filter(|m| m.text.contains("đang thấp"))
            .count()
    };
    assert_eq!(alerts(&bot), 1);
    at(&bot, vn(26, 9, 0)).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while alerts(&bot) < 2 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(alerts(&bot), 2, "again after the period");
    bot.stop().await;
}

/// The reserve tiers read a flag on the donor row that triggers keep: it must follow every
/// way a membership comes and goes, or a reserve member would be asked late (or a former one
/// first).
#[tokio::test]
async fn reserve_membership_follows_joins_leaves_club_changes_and_deletions() {
    use hienmau::domain::callout::{CalloutSpec, PatientGroup, Tier};
    use hienmau::domain::eligibility::{DonationKind, Rules};
    use hienmau::domain::province::Province;
    use hienmau::store::MatchQuery;

    let bot = TestBot::start().await;
    let db = &bot.db;
    let a = seed::reserve_club(db, "CLB máu hiếm", "hai-phong").await;
    let b = seed::reserve_club(db, "CLB dự bị Kiến An", "hai-phong").await;
    let member = seed::donor(db, 200, "O-", "hai-phong", None, "").await;
    seed::donor(db, 201, "O-", "hai-phong", None, "").await;
    let spec = CalloutSpec {
        group: PatientGroup::parse("O-").unwrap(),
        component: DonationKind::WholeBlood,
        units: 1,
        hospital: "BV Việt Tiệp".into(),
        address: "1 Nhà Thương".into(),
        province: Province::from_code("hai-phong").unwrap(),
        deadline: vn(22, 18, 0).timestamp_millis(),
        note: String::new(),
    };
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    let m = MatchQuery::new(None, &spec, &Rules::default(), day, 0);
    // The member's tier, and that the other donor is never taken for a reserve member.
    let tier = || async {
        let wave = bot.app.store().choose_wave(&m, 2).await.unwrap();
        assert_eq!(wave.len(), 2);
        assert!(
            wave.iter()
                .any(|c| c.donor_id != member && c.tier == Tier::Province)
        );
        wave.iter().find(|c| c.donor_id == member).unwrap().tier
    };
    assert_eq!(tier().await, Tier::Province);
    // Joining through the chat.
    seed::exec(
        db,
        &format!("UPDATE clubs SET invite_code = 'RSVHPX' WHERE id = {a}"),
    )
    .await;
    let joined = bot.say(200, "/join rsv-hpx").await;
    assert!(joined.text.contains("CLB máu hiếm"), "{}", joined.text);
    assert_eq!(tier().await, Tier::ReserveProvince);

    // In two reserve clubs, leaving one keeps them a reserve member.
    seed::exec(db, &format!("INSERT INTO club_members (club_id, donor_id, role, joined_at) VALUES ({b}, {member}, 'member', 0)")).await;
    seed::exec(
        db,
        &format!("DELETE FROM club_members WHERE club_id = {a} AND donor_id = {member}"),
    )
    .await;
    assert_eq!(tier().await, Tier::ReserveProvince);
    // The club stops being a reserve club, and becomes one again.
    seed::exec(
        db,
        &format!("UPDATE clubs SET kind = 'community' WHERE id = {b}"),
    )
    .await;
    assert_eq!(tier().await, Tier::Province);
    seed::exec(
        db,
        &format!("UPDATE clubs SET kind = 'reserve' WHERE id = {b}"),
    )
    .await;
    assert_eq!(tier().await, Tier::ReserveProvince);
    // The club is deleted: its memberships go with it (cascade), and the flag with them.
    seed::exec(db, &format!("DELETE FROM clubs WHERE id = {b}")).await;
    assert_eq!(tier().await, Tier::Province);
    // Back in, then the membership moved to a university club.
    seed::exec(db, &format!("INSERT INTO club_members (club_id, donor_id, role, joined_at) VALUES ({a}, {member}, 'member', 0)")).await;
    assert_eq!(tier().await, Tier::ReserveProvince);
    seed::exec(db, "INSERT INTO clubs (name, kind, province, invite_code, created_at) VALUES ('CLB trường', 'university', 'hai-phong', 'U1', 0)").await;
    seed::exec(db, &format!("UPDATE club_members SET club_id = (SELECT id FROM clubs WHERE invite_code = 'U1') WHERE donor_id = {member}")).await;
    assert_eq!(tier().await, Tier::Province);
}

/// Answers coming faster than the coordinator's chat may receive messages (one a second on
/// Telegram) do not queue a backlog of stale tallies: a tally not yet sent is replaced by the
/// newer one, and the figures end right.
#[tokio::test]
async fn quick_answers_leave_one_fresh_tally_not_a_backlog() {
    let delivery = hienmau::config::DeliveryConfig {
        telegram_chat_interval_ms: 1_000,
        ..hienmau::config::DeliveryConfig::unlimited()
    };
    let mut bot = TestBot::start_with(&[("HIENMAU_ADMINS", "telegram:1")], delivery).await;
    for user in 100..106 {
        seed::donor(&bot.db, user, "O-", "hai-phong", None, "").await;
    }
    start_callout(&bot, 5).await;
    bot.tap(ADMIN, "send").await;
    for user in 100..105 {
        bot.wait_text(user, ASK).await;
    }
    // Five pledges at once.
    for user in 100..105 {
        bot.fake.tap(user, "callout:1:yes");
    }
    for user in 100..105 {
        bot.wait_text(user, "Mã nhận lời").await;
    }
    // The figures end at 5 pledged, whether the last came as the first tally or an edit.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let shown = |bot: &TestBot| {
        bot.fake
            .sent_to(ADMIN)
            .into_iter()
            .chain(bot.fake.edits_to(ADMIN))
            .filter(|m| m.button_values() == ["callout:1:manage"])
            .collect::<Vec<_>>()
    };
    while !shown(&bot).iter().any(|m| m.text.contains("Nhận lời 5/6")) {
        assert!(tokio::time::Instant::now() < deadline, "{:?}", shown(&bot));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Until nothing is left to send: a backlog would go one a second (the chat's pace).
    bot.drained().await;
    let tallies = shown(&bot);
    assert!(
        tallies.len() <= 3,
        "{} tallies for 5 answers: {:?}",
        tallies.len(),
        tallies.iter().map(|m| &m.text).collect::<Vec<_>>()
    );
    assert!(tallies.last().unwrap().text.contains("Nhận lời 5/6"));
    assert_eq!(
        seed::count(
            &bot.db,
            "SELECT COUNT(*) FROM outbox WHERE idempotency_key LIKE 'callout:1:tally:%' \
             AND status = 'cancelled'"
        )
        .await
            + tallies.len() as i64,
        5,
        "every tally either went or was replaced"
    );
    bot.stop().await;
}

/// Messages to `user` so far, as one text.
fn all_text(bot: &TestBot, user: i64) -> String {
    bot.fake
        .sent_to(user)
        .iter()
        .map(|m| m.text.clone())
        .collect::<Vec<_>>()
        .join("\n---\n")
}

#[tokio::test]
async fn each_way_a_callout_ends_tells_the_asked_what_really_happened() {
    let bot = TestBot::start_with(
        &[("HIENMAU_ADMINS", "telegram:1")],
        hienmau::config::DeliveryConfig::unlimited(),
    )
    .await;
    for user in [100, 101] {
        seed::donor(
            &bot.db,
            user,
            "O-",
            "hai-phong",
            None,
            "night_alerts = TRUE",
        )
        .await;
    }
    // 1. Nobody answers and the deadline passes: expired, never "covered". The preview
    // promises no more asks than there are donors to ask, and an empty note says so.
    at(&bot, vn(22, 9, 0)).await;
    let preview = start_callout(&bot, 1).await;
    assert!(preview.contains("Đợt đầu sẽ hỏi 2 người"), "{preview}");
    let preview = bot
        .say(
            ADMIN,
            "/callout O-; toàn phần; 1; BV Việt Tiệp; 1 Nhà Thương; Hải Phòng; 18h",
        )
        .await;
    assert!(
        preview.text.contains("Ghi chú: (chưa có)"),
        "{}",
        preview.text
    );
    bot.tap(ADMIN, "send").await;
    bot.wait_text(100, ASK).await;
    bot.wait_text(101, ASK).await;
    at(&bot, vn(22, 18, 1)).await;
    let told = bot.wait_text(100, "hết hạn").await;
    assert!(!told.text.contains("đủ người"), "{}", told.text);
    bot.wait_text(101, "hết hạn").await;
    bot.wait_text(ADMIN, "đã hết hạn").await;
    let list = bot.say(ADMIN, "/callouts").await;
    assert!(
        list.text.contains("⌛") || list.buttons_text().contains("⌛"),
        "{list:?}"
    );
    assert!(!list.buttons_text().contains('✓'), "{list:?}");

    // 2. Closed by hand with one pledge of the two it waits for: asked to confirm, then the
    // silent are told no more donors are needed, not that it was covered.
    at(&bot, vn(23, 9, 0)).await;
    // Both were asked yesterday: let them rest no longer for this test.
    seed::exec(&bot.db, "DELETE FROM callout_asks").await;
    start_callout(&bot, 1).await;
    bot.tap(ADMIN, "send").await;
    bot.wait_text(100, ASK).await;
    let asks_101 = asks(&bot, 101);
    assert_eq!(asks_101, 2);
    let r = bot.say(100, "Tôi đến được").await;
    assert!(r.text.contains("Mã nhận lời"), "{}", r.text);
    bot.say(ADMIN, "/callouts").await;
    bot.tap(ADMIN, "2").await;
    let mut menu = None;
    for _ in 0..100 {
        menu = bot
            .fake
            .sent_to(ADMIN)
            .into_iter()
            .rev()
            .find(|m| m.button_values().contains(&"fulfilled".to_string()));
        if menu.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let menu = menu.expect("the call-out's menu");
    // One pledge of two: the button says what closing will say (issue 31: it said "Đã đủ").
    assert!(
        menu.buttons_text().contains("không cần thêm người")
            && !menu.buttons_text().contains("Đã đủ"),
        "{}",
        menu.buttons_text()
    );
    bot.fake.tap(ADMIN, "fulfilled");
    bot.wait_text(ADMIN, "Đóng lời kêu gọi này?").await;
    assert!(!all_text(&bot, 101).contains("đã được đóng"));
    bot.fake.tap(ADMIN, "yes");
    let done = bot.wait_text(ADMIN, "Đã đóng lời kêu gọi #2").await;
    assert!(
        !done.text.contains("Nhận lời 1/2"),
        "the tally comes once, on its own: {}",
        done.text
    );
    let told = bot.wait_text(101, "đã được đóng").await;
    assert!(!told.text.contains("đủ người"), "{}", told.text);
    bot.wait_text(ADMIN, "đã đóng trước khi đủ người").await;
    bot.drained().await;
    assert!(
        !all_text(&bot, 100).contains("đã được đóng"),
        "who pledged still comes: not told to stay home"
    );

    // 3. Cancelled: the silent and the pledged are told it was cancelled.
    seed::exec(&bot.db, "DELETE FROM callout_asks").await;
    start_callout(&bot, 1).await;
    bot.tap(ADMIN, "send").await;
    bot.wait_text(101, ASK).await;
    bot.say(101, "1").await;
    bot.say(ADMIN, "/callouts").await;
    bot.tap(ADMIN, "3").await;
    bot.tap(ADMIN, "cancel").await;
    bot.tap(ADMIN, "yes").await;
    let silent = bot.wait_text(100, "đã được huỷ").await;
    // The bot cannot know they read it.
    assert!(!silent.text.contains("đọc tin"), "{}", silent.text);
    let pledged = bot.wait_text(101, "đã được huỷ").await;
    assert!(!pledged.text.contains("đủ người"), "{}", pledged.text);
}

/// What an operator watches (issue 32): the time from a call-out's start to its first
/// pledge, once per call-out (a second pledge does not count again).
#[tokio::test]
async fn the_time_to_a_callouts_first_pledge_is_measured_once() {
    let mut bot = bot_with_donors().await;
    at(&bot, vn(22, 9, 0)).await;
    start_callout(&bot, 2).await;
    bot.tap(ADMIN, "send").await;
    bot.wait_text(100, ASK).await;
    bot.wait_text(101, ASK).await;
    at(&bot, vn(22, 9, 7)).await;
    let r = bot.tap(100, "callout:2:yes").await;
    assert!(r.text.contains("Mã nhận lời"), "{}", r.text);
    at(&bot, vn(22, 9, 9)).await;
    let r = bot.tap(101, "callout:2:yes").await;
    assert!(r.text.contains("Mã nhận lời"), "{}", r.text);
    let text = bot.app.metrics().render();
    let value = |series: &str| -> f64 {
        text.lines()
            .find_map(|l| l.strip_prefix(series)?.trim().parse().ok())
            .unwrap_or_else(|| panic!("no {series} in:\n{text}"))
    };
    assert_eq!(value("hienmau_callout_first_pledge_seconds_count"), 1.0);
    assert_eq!(value("hienmau_callout_first_pledge_seconds_sum"), 420.0);
    assert_eq!(
        value("hienmau_callout_first_pledge_seconds_bucket{le=\"600\"}"),
        1.0
    );
    assert_eq!(
        value("hienmau_callout_first_pledge_seconds_bucket{le=\"300\"}"),
        0.0
    );
    bot.stop().await;
}

/// Issue 31: an answer to an urgent ask that is neither yes nor no ("để em hỏi vợ đã") points
/// back to the ask and its two answers, with its buttons; the next "1" pledges.
#[tokio::test]
async fn an_undecided_answer_to_an_ask_is_pointed_back_to_its_choices() {
    let mut bot = bot_with_donors().await;
    at(&bot, vn(22, 9, 0)).await;
    start_callout(&bot, 1).await;
    bot.tap(ADMIN, "send").await;
    bot.wait_text(100, ASK).await;
    let r = bot.say(100, "để em hỏi vợ đã").await;
    assert!(r.text.contains("bạn cứ cân nhắc"), "{}", r.text);
    assert!(!r.text.contains("chưa hiểu"), "{}", r.text);
    assert_eq!(r.button_values(), ["callout:2:yes", "callout:2:no"]);
    let r = bot.say(100, "1").await;
    assert!(r.text.contains("Mã nhận lời"), "{}", r.text);
    bot.stop().await;
}
