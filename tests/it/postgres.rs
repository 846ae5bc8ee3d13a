//! The PostgreSQL backend end to end, and several instances of the bot on one database.
//!
//! Each test runs on a fresh database of the server named by `HIENMAU_TEST_POSTGRES` (what
//! `bash .ci/postgres` prints; `.ci/run` starts one). Without it, each says so in one line
//! and returns: a skip is never silent. The whole suite can also run on PostgreSQL
//! (`HIENMAU_IT_BACKEND=postgres`, as `.ci/run` does); these are the cases only PostgreSQL
//! has: two instances sharing the outbox, the pace, the scheduler and the polling.

use crate::clubs::{ADMIN, LEADER, announcements, broadcast, leader_with_club};
use crate::drives::{LAN, at, reminders_queued, reminders_received, sign_up, vn, with_calendar};
use crate::fake_telegram::Limits;
use crate::seed;
use crate::support::{TestBot, postgres_server, say_postgres_skipped};
use hienmau::app::{App, ManualClock};
use hienmau::channels::{Channel, ChannelKind, Inbound};
use hienmau::config::{Config, DeliveryConfig};
use hienmau::engine::Input;
use hienmau::scheduler;
use std::sync::Arc;
use std::time::Duration;

/// The server, or `None` after saying the PostgreSQL tests are skipped.
fn server() -> Option<String> {
    let s = postgres_server();
    if s.is_none() {
        say_postgres_skipped();
    }
    s
}

async fn bot_on(server: &str, env: &[(&str, &str)], delivery: DeliveryConfig) -> TestBot {
    let mut all = vec![
        ("HIENMAU_ADMINS", "telegram:1"),
        ("HIENMAU_QUIET_HOURS", "off"),
    ];
    all.extend_from_slice(env);
    TestBot::start_postgres(server, &all, delivery).await
}

/// One number from the database.
async fn count(bot: &TestBot, sql: &str) -> i64 {
    seed::count(&bot.db, sql).await
}

/// The tables in which a registered donor who signed up and was reminded has rows.
const ERASED_TABLES: [&str; 6] = [
    "donors",
    "consents",
    "channel_identities",
    "conversations",
    "outbox",
    "signups",
];

/// How many times `table` was vacuumed by hand (not by autovacuum).
async fn vacuums(bot: &TestBot, table: &str) -> i64 {
    count(
        bot,
        &format!("SELECT vacuum_count FROM pg_stat_user_tables WHERE relname = '{table}'"),
    )
    .await
}

#[tokio::test]
async fn a_donor_on_postgres_registers_signs_up_is_reminded_once_and_erasure_vacuums() {
    let Some(server) = server() else { return };
    let bot = with_calendar(bot_on(&server, &[], DeliveryConfig::unlimited()).await).await;
    bot.register(LAN, "0912000010").await;
    assert!(sign_up(&bot, LAN, "Lê Chân").await.contains("Đã đăng ký"));
    // Two instances tick at the reminder's time: it is queued once.
    let (second, running) = bot.another_instance().await;
    let t = vn(11, 26, 9, 0);
    bot.clock.set(t);
    let (a, b) = tokio::join!(scheduler::tick(&bot.app, t), scheduler::tick(&second, t));
    assert_eq!(a.unwrap().jobs + b.unwrap().jobs, 1);
    bot.wait_text(LAN, "sau 3 ngày nữa").await;
    assert_eq!(reminders_queued(&bot, LAN).await, 1);
    assert_eq!(reminders_received(&bot, LAN).len(), 1);
    // The days passed also opened the campaign (08:30 each day): its announcement, on the
    // bulk lane, may come after the reminder; it must not be taken for the answer below.
    bot.wait_text(LAN, "Các điểm hiến máu:").await;

    let mut before = std::collections::HashMap::new();
    for table in ERASED_TABLES {
        before.insert(table, vacuums(&bot, table).await);
    }
    let r = bot.say(LAN, "/delete").await;
    assert_eq!(r.button_values(), ["delete", "keep"], "{}", r.text);
    let r = bot.tap(LAN, "delete").await;
    assert!(r.text.contains("Đã xoá"), "{}", r.text);
    // Nothing of hers is left in any table…
    assert_eq!(count(&bot, "SELECT COUNT(*) FROM donors").await, 0);
    assert_eq!(
        count(
            &bot,
            "SELECT COUNT(*) FROM channel_identities WHERE external_id = '10'"
        )
        .await,
        0
    );
    assert_eq!(
        count(
            &bot,
            "SELECT COUNT(*) FROM outbox WHERE chat_id = '10' OR body LIKE '%0912000010%'"
        )
        .await,
        0
    );
    // …and each table that held something of hers was vacuumed after the erasure (a manual
    // VACUUM, which its statistics count at once). Not asserted: that no dead tuple is left,
    // which VACUUM does not promise while another session reads the page (it then skips the
    // page's pruning; the next vacuum takes it).
    for table in ERASED_TABLES {
        let after = vacuums(&bot, table).await;
        assert!(
            after > before[table],
            "{table} vacuumed after the erasure ({} then {after})",
            before[table]
        );
    }
    running.stop(Duration::from_secs(5)).await;
}

/// An app without channels or workers on `url`: the use cases only.
async fn bare_app(url: &str, clock: Arc<ManualClock>) -> App {
    let url = url.to_string();
    let config = Config::load(None, |k| (k == "DATABASE_URL").then(|| url.clone())).unwrap();
    App::open(config, clock).await.unwrap()
}

fn tg(update: i64, user: i64, input: Input) -> Inbound {
    Inbound {
        channel: Channel::of(ChannelKind::Telegram),
        event_key: Some(update.to_string()),
        user: user.to_string(),
        chat_id: user.to_string(),
        input,
    }
}

/// The latest outbox text queued for a chat.
async fn last_reply(app: &App, chat: i64) -> hienmau::channels::Outbound {
    let scope = hienmau::store::Scope::Chat {
        channel: Channel::of(ChannelKind::Telegram),
        chat_id: chat.to_string(),
    };
    let rows = app
        .store()
        .due(&scope, i64::MAX, 1000, hienmau::store::Lane::Bulk)
        .await
        .unwrap();
    serde_json::from_str(&rows.last().expect("a reply").body).unwrap()
}

/// Two instances (use cases only) on a fresh database, with the test calendar imported:
/// the Lê Chân drive has one place.
async fn two_apps_with_calendar(
    server: &str,
) -> (tempfile::TempDir, crate::support::TestDb, App, App) {
    let dir = tempfile::tempdir().unwrap();
    let db = crate::support::TestDb::postgres(dir.path().join("x"), server).await;
    let clock = Arc::new(ManualClock::new(crate::support::start_time()));
    let a = bare_app(&db.url, clock.clone()).await;
    let b = bare_app(&db.url, clock.clone()).await;
    let file = dir.path().join("calendar.toml");
    std::fs::write(&file, crate::drives::CALENDAR).unwrap();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    let action = hienmau::cli::CampaignAction::Import {
        file,
        year: Some(2026),
    };
    hienmau::cli::campaigns(&a, action, today).await.unwrap();
    (dir, db, a, b)
}

/// `user` lists the drives and opens the Lê Chân one, standing before "Đăng ký" (updates
/// `update` and `update + 1`).
async fn open_le_chan(app: &App, update: i64, user: i64) {
    app.handle_batch(vec![tg(update, user, Input::Text("/drives".into()))])
        .await
        .unwrap();
    let drive = last_reply(app, user)
        .await
        .choices
        .iter()
        .find(|c| c.label.contains("Lê Chân"))
        .expect("the drive in the list")
        .value
        .clone();
    app.handle_batch(vec![tg(update + 1, user, Input::Choice(drive))])
        .await
        .unwrap();
}

#[tokio::test]
async fn twenty_donors_racing_through_two_instances_for_the_last_place_one_gets_it() {
    let Some(server) = server() else { return };
    let (_dir, db, a, b) = two_apps_with_calendar(&server).await;
    let donors: Vec<i64> = (200..220).collect();
    for &user in &donors {
        seed::donor(&db, user, "O+", "hai-phong", None, "").await;
    }
    // Each opens the drive of one place (capacity 1) and stands before "Đăng ký".
    let mut update = 1;
    for &user in &donors {
        open_le_chan(&a, update, user).await;
        update += 2;
    }
    // All tap at once, half through each instance, each tap its own transaction.
    let mut taps = tokio::task::JoinSet::new();
    for (i, &user) in donors.iter().enumerate() {
        let app = if i % 2 == 0 { a.clone() } else { b.clone() };
        let key = update + i as i64;
        taps.spawn(async move {
            app.handle_batch(vec![tg(key, user, Input::Choice("signup".into()))])
                .await
                .unwrap()
        });
    }
    while let Some(r) = taps.join_next().await {
        r.unwrap();
    }
    let taken = seed::count(
        &db,
        "SELECT COUNT(*) FROM signups s JOIN drives d ON d.id = s.drive_id \
         WHERE d.place LIKE '%Lê Chân%' AND s.status = 'active'",
    )
    .await;
    assert_eq!(taken, 1, "one place, one sign-up");
    let mut told_yes = 0;
    for &user in &donors {
        let r = last_reply(&a, user).await;
        if r.text.contains("Đã đăng ký") {
            told_yes += 1;
        } else {
            assert!(r.text.contains("đủ người"), "{}", r.text);
        }
    }
    assert_eq!(told_yes, 1, "exactly one donor is told they have the place");
}

/// Chat batches are units of work for their people: another person's batch runs beside one
/// held open, on another instance; a batch that comes to something shared (a drive's places)
/// meanwhile is rolled back and run again holding the whole database, once the other unit
/// is done, and counted in `hienmau_units_widened`.
#[tokio::test]
async fn a_chat_batch_runs_beside_another_persons_and_a_sign_up_waits_for_the_whole_database() {
    let Some(server) = server() else { return };
    let (_dir, db, a, b) = two_apps_with_calendar(&server).await;
    for user in [200, 201] {
        seed::donor(&db, user, "O+", "hai-phong", None, "").await;
    }
    open_le_chan(&a, 1, 200).await;
    // Another person's unit of work, held open on instance A.
    let held = a
        .store()
        .begin_for_people(&[("telegram", "999")], &[])
        .await
        .unwrap();
    // Donor 201 asks for the drives on instance B: answered while it is open.
    tokio::time::timeout(
        Duration::from_secs(10),
        b.handle_batch(vec![tg(3, 201, Input::Text("/drives".into()))]),
    )
    .await
    .expect("a person's batch runs beside another person's")
    .unwrap();
    let list = last_reply(&b, 201).await;
    assert!(
        list.choices.iter().any(|c| c.label.contains("Lê Chân")),
        "{list:?}"
    );
    assert_eq!(b.metrics().units_widened.get(), 0);
    // Donor 200 signs up on B: that needs the whole database, so it waits for the held unit.
    let app = b.clone();
    let tap = tokio::spawn(async move {
        app.handle_batch(vec![tg(4, 200, Input::Choice("signup".into()))])
            .await
            .unwrap()
    });
    let waiting = "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted";
    let mut polls = 0;
    while seed::count(&db, waiting).await == 0 {
        polls += 1;
        assert!(polls < 1000, "the sign-up never waited for the held unit");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(!tap.is_finished());
    assert_eq!(b.metrics().units_widened.get(), 1);
    held.commit().await.unwrap();
    tokio::time::timeout(Duration::from_secs(10), tap)
        .await
        .expect("the sign-up runs once the other unit is done")
        .unwrap();
    assert!(last_reply(&b, 200).await.text.contains("Đã đăng ký"));
    let taken = seed::count(
        &db,
        "SELECT COUNT(*) FROM signups s JOIN drives d ON d.id = s.drive_id \
         WHERE d.place LIKE '%Lê Chân%' AND s.status = 'active'",
    )
    .await;
    assert_eq!(taken, 1);
}

#[tokio::test]
async fn two_instances_deliver_a_2000_member_broadcast_once_and_keep_the_shared_cap() {
    let Some(server) = server() else { return };
    // Telegram's caps scaled ten times, as in the one-instance test (clubs.rs): the two
    // instances together must stay under them.
    let delivery = DeliveryConfig {
        telegram_per_second: 280.0,
        telegram_chat_interval_ms: 105,
        ..DeliveryConfig::unlimited()
    };
    let bot = bot_on(&server, &[], delivery).await;
    bot.register(ADMIN, "0912000001").await;
    bot.register(LEADER, "0912000002").await;
    let (_, club) = leader_with_club(&bot, LEADER, "0912000002", "CLB Lớn").await;
    let members = 30_000..32_000;
    seed::members(&bot.db, club, members.clone()).await;
    let (_second, running) = bot.another_instance().await;
    let second_sent = running.delivered.clone();
    let first_sent = bot.running.as_ref().unwrap().delivered.clone();
    bot.fake.enforce(Limits {
        per_second: 300,
        chat_interval: Duration::from_millis(100),
    });

    let queued = broadcast(&bot, LEADER, "Hiến máu cứu người").await;
    assert!(queued.contains("tới 2.000 người"), "{queued}");
    let summary = bot
        .wait_text_within(LEADER, "Kết quả thông báo", Duration::from_secs(90))
        .await;
    assert!(
        summary.text.contains("đã gửi 2.000/2.000"),
        "{}",
        summary.text
    );
    for m in members {
        assert_eq!(announcements(&bot, m), 1, "member {m}");
    }
    assert_eq!(bot.fake.too_many_requests(), 0, "never over the shared cap");
    let (one, two) = (*first_sent.borrow(), *second_sent.borrow());
    assert!(
        one > 100 && two > 100,
        "both instances sent: {one} and {two}"
    );
    running.stop(Duration::from_secs(5)).await;
}

#[tokio::test]
async fn an_instance_dying_mid_broadcast_leaves_the_rest_to_the_other_after_its_lease() {
    let Some(server) = server() else { return };
    let delivery = DeliveryConfig {
        telegram_per_second: 100.0,
        ..DeliveryConfig::unlimited()
    };
    let mut bot = bot_on(&server, &[], delivery).await;
    bot.register(ADMIN, "0912000001").await;
    bot.register(LEADER, "0912000002").await;
    let (_, club) = leader_with_club(&bot, LEADER, "0912000002", "CLB Bền").await;
    let members = 40_000..40_600;
    seed::members(&bot.db, club, members.clone()).await;
    // Sends take a while to be answered: some are always in flight when the first dies.
    bot.fake.delay_replies(Duration::from_millis(200));
    let (second, running) = bot.another_instance().await;
    broadcast(&bot, LEADER, "Hiến máu cứu người").await;
    let got = |bot: &TestBot| {
        members
            .clone()
            .filter(|&m| announcements(bot, m) > 0)
            .count()
    };
    while got(&bot) < 100 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // The first instance (the one polling Telegram) dies: its rows in flight stay
    // 'sending', held by its lease.
    bot.running.take().unwrap().stop(Duration::ZERO).await;
    bot.fake.delay_replies(Duration::ZERO);
    let held = count(&bot, "SELECT COUNT(*) FROM outbox WHERE status = 'sending'").await;
    // Past the lease, the survivor settles them (reported uncertain, not sent twice) and
    // finishes the broadcast; it also takes the polling over and answers.
    bot.clock.advance(chrono::Duration::milliseconds(
        DeliveryConfig::default().lease_ms as i64 + 1,
    ));
    let summary = bot
        .wait_text_within(LEADER, "Kết quả thông báo", Duration::from_secs(60))
        .await;
    for m in members.clone() {
        assert!(announcements(&bot, m) <= 1, "member {m} got it twice");
    }
    // Every member's row is final: sent, or uncertain (held by the dead instance: it may
    // have reached the platform before the instance died, so it is not sent again).
    let uncertain = count(
        &bot,
        "SELECT COUNT(*) FROM outbox WHERE status = 'uncertain'",
    )
    .await;
    let sent = count(
        &bot,
        "SELECT COUNT(*) FROM outbox WHERE status = 'sent' AND broadcast_id IS NOT NULL",
    )
    .await;
    assert!(uncertain <= held, "{uncertain} uncertain of {held} held");
    assert_eq!(sent + uncertain, 600, "{}", summary.text);
    assert!(got(&bot) as i64 >= sent, "{}", summary.text);
    let r = bot.say(LEADER, "/profile").await;
    assert!(!r.text.is_empty());
    assert!(second.store().backend() == hienmau::store::Backend::Postgres);
    running.stop(Duration::from_secs(5)).await;
}

#[tokio::test]
async fn instances_starting_together_apply_the_migrations_once() {
    let Some(server) = server() else { return };
    let dir = tempfile::tempdir().unwrap();
    let db = crate::support::TestDb::postgres(dir.path().join("x"), &server).await;
    let mut opens = tokio::task::JoinSet::new();
    for _ in 0..4 {
        let url = db.url.clone();
        opens.spawn(async move { hienmau::store::Store::open(&url).await });
    }
    while let Some(r) = opens.join_next().await {
        r.unwrap().expect("each instance opens");
    }
    let applied = seed::count(&db, "SELECT COUNT(*) FROM _sqlx_migrations").await;
    let files = std::fs::read_dir("migrations/postgres").unwrap().count() as i64;
    assert_eq!(applied, files);
}

#[tokio::test]
async fn a_scheduler_tick_on_two_instances_runs_each_cron_once() {
    let Some(server) = server() else { return };
    let bot = with_calendar(bot_on(&server, &[], DeliveryConfig::unlimited()).await).await;
    bot.register(LAN, "0912000010").await;
    let (second, running) = bot.another_instance().await;
    // The campaign announcement runs each morning: both instances tick at once.
    let t = vn(11, 23, 8, 30);
    bot.clock.set(t);
    let (a, b) = tokio::join!(scheduler::tick(&bot.app, t), scheduler::tick(&second, t));
    let (a, b) = (a.unwrap(), b.unwrap());
    let ran: Vec<&str> = a.crons.iter().chain(b.crons.iter()).copied().collect();
    let mut once = ran.clone();
    once.sort_unstable();
    once.dedup();
    assert_eq!(ran.len(), once.len(), "a cron ran twice: {ran:?}");
    assert!(ran.contains(&"campaign_open"), "{ran:?}");
    at(&bot, t).await;
    // A minute later nothing is due: a tick sees that from what was committed, without
    // holding the database, so it does not wait for a unit of work holding it.
    let held = bot.app.store().begin().await.unwrap();
    let later = t + chrono::Duration::minutes(1);
    let idle = tokio::time::timeout(Duration::from_secs(5), scheduler::tick(&second, later))
        .await
        .expect("a tick with nothing due waits for nobody")
        .unwrap();
    assert!(idle.crons.is_empty(), "{:?}", idle.crons);
    held.commit().await.unwrap();
    running.stop(Duration::from_secs(5)).await;
}

/// An urgent call-out's waves with two instances ticking at the same moment: each wave is
/// asked by one of them, and no donor is asked twice.
#[tokio::test]
async fn two_instances_ticking_at_once_ask_each_wave_of_a_callout_once() {
    let Some(server) = server() else { return };
    let bot = bot_on(&server, &[], DeliveryConfig::unlimited()).await;
    const ASK: &str = "CẦN MÁU GẤP";
    let hp = seed::reserve_club(&bot.db, "CLB máu hiếm Hải Phòng", "hai-phong").await;
    let donors: Vec<i64> = (200..230).collect();
    for (i, user) in donors.iter().enumerate() {
        let club = (i < 3).then_some(hp);
        seed::donor(&bot.db, *user, "O-", "hai-phong", club, "").await;
    }
    let (second, running) = bot.another_instance().await;
    let t0 = vn(11, 22, 9, 0);
    bot.clock.set(t0);
    let preview = bot
        .say(
            ADMIN,
            "/callout O-; toàn phần; 2; BV Việt Tiệp; 1 Nhà Thương; Hải Phòng; 18h",
        )
        .await;
    assert!(preview.text.contains("Đợt đầu sẽ hỏi"), "{}", preview.text);
    bot.tap(ADMIN, "send").await;
    const ASKED: &str =
        "SELECT COUNT(*) FROM callout_asks WHERE callout_id = (SELECT MAX(id) FROM callouts)";
    let first = count(&bot, ASKED).await;
    assert!(
        first > 0 && first < donors.len() as i64,
        "wave 1 asked {first}"
    );
    // Each later wave: both instances tick at once; one asks, the other finds it done.
    let mut total = first;
    for minutes in [20, 40] {
        let t = t0 + chrono::Duration::minutes(minutes);
        bot.clock.set(t);
        let (a, b) = tokio::join!(scheduler::tick(&bot.app, t), scheduler::tick(&second, t));
        let (a, b) = (a.unwrap().asked, b.unwrap().asked);
        println!("wave 1 asked {first}; at +{minutes} min the instances asked {a} and {b}");
        assert!(a + b > 0, "wave at +{minutes} min asked nobody");
        assert!(
            a == 0 || b == 0,
            "both instances asked the wave: {a} and {b}"
        );
        total += (a + b) as i64;
        assert_eq!(count(&bot, ASKED).await, total);
    }
    bot.settled().await;
    for user in &donors {
        let asks = bot
            .fake
            .sent_to(*user)
            .iter()
            .filter(|m| m.text.contains(ASK))
            .count();
        assert!(asks <= 1, "donor {user} asked {asks} times");
    }
    let received: i64 = donors
        .iter()
        .map(|u| bot.fake.sent_to(*u).iter().any(|m| m.text.contains(ASK)) as i64)
        .sum();
    assert_eq!(received, total, "every ask recorded was delivered, once");
    running.stop(Duration::from_secs(5)).await;
}

#[tokio::test]
async fn a_sqlite_deployment_moves_to_postgres_with_every_count_checked() {
    let Some(server) = server() else { return };
    // A province on SQLite: donors, a club, a drive and a sign-up, a broadcast, a donation.
    let dir = tempfile::tempdir().unwrap();
    let sqlite = crate::support::TestDb::new(dir.path().join("province.db")).await;
    if !sqlite.url.starts_with("sqlite:") {
        return; // the whole suite on PostgreSQL: this one needs a SQLite source
    }
    let mut bot = with_calendar(
        TestBot::start_on_db(
            dir,
            sqlite.clone(),
            &[("HIENMAU_ADMINS", "telegram:1")],
            DeliveryConfig::unlimited(),
        )
        .await,
    )
    .await;
    bot.register(ADMIN, "0912000001").await;
    bot.register(LEADER, "0912000002").await;
    bot.register(LAN, "0912000010").await;
    assert!(sign_up(&bot, LAN, "Lê Chân").await.contains("Đã đăng ký"));
    let (_, club) = leader_with_club(&bot, LEADER, "0912000002", "CLB Chuyển").await;
    seed::members(&bot.db, club, 50_000..50_040).await;
    // Its members are reserve donors: the donor counts' reserve column is not all zeros.
    seed::exec(
        &bot.db,
        &format!("UPDATE clubs SET kind = 'reserve' WHERE id = {club}"),
    )
    .await;
    broadcast(&bot, LEADER, "Hiến máu cứu người").await;
    bot.wait_text(LEADER, "Kết quả thông báo").await;
    bot.stop().await;

    let pg = crate::support::TestDb::postgres(std::path::PathBuf::from("unused"), &server).await;
    let report = hienmau::cli::copy_database(&sqlite.url, &pg.url)
        .await
        .unwrap();
    assert!(report.contains("every count matches"), "{report}");
    let reserve = "SELECT CAST(COALESCE(SUM(reserve), 0) AS BIGINT) FROM donor_counts";
    let reserve_members = seed::count(&sqlite, reserve).await;
    assert!(
        reserve_members > 0,
        "no reserve donor counted on the source"
    );
    assert_eq!(seed::count(&pg, reserve).await, reserve_members);
    let donors = seed::count(&sqlite, "SELECT COUNT(*) FROM donors").await;
    assert_eq!(donors, 43);
    for table in [
        "donors",
        "consents",
        "channel_identities",
        "club_members",
        "outbox",
        "signups",
        "jobs",
        "audit_log",
    ] {
        let n = seed::count(&sqlite, &format!("SELECT COUNT(*) FROM {table}")).await;
        let m = seed::count(&pg, &format!("SELECT COUNT(*) FROM {table}")).await;
        assert_eq!((table, n), (table, m));
        assert!(n > 0, "{table} is empty on the source");
    }
    // The same bot on the copy: the donor is known, her sign-up kept, and new rows get new
    // ids (the identities went on past the copied ones).
    let bot = TestBot::start_on_db(
        tempfile::tempdir().unwrap(),
        pg.clone(),
        &[("HIENMAU_ADMINS", "telegram:1")],
        DeliveryConfig::unlimited(),
    )
    .await;
    // The same Telegram bot: its update ids go on (a fresh fake would start them over).
    bot.fake.continue_updates_after(100_000);
    let r = bot.say(LAN, "/profile").await;
    assert!(r.text.contains("0912 000 010"), "{}", r.text);
    assert!(r.text.contains("62 kg"), "{}", r.text);
    let list = bot.say(LAN, "/drives").await;
    assert!(
        list.reply_markup.to_string().contains("✓"),
        "{}",
        list.reply_markup
    );
    bot.register(60_000, "0912000060").await;

    // A second copy into it is refused, and says why; so are a missing source and a copy
    // onto itself.
    let again = hienmau::cli::copy_database(&sqlite.url, &pg.url)
        .await
        .unwrap_err();
    assert!(format!("{again:#}").contains("not empty"), "{again:#}");
    let missing = hienmau::cli::copy_database("sqlite:///nowhere/x.db", &pg.url)
        .await
        .unwrap_err();
    assert!(
        format!("{missing:#}").contains("no database file"),
        "{missing:#}"
    );
    let same = hienmau::cli::copy_database(&pg.url, &pg.url)
        .await
        .unwrap_err();
    assert!(format!("{same:#}").contains("same database"), "{same:#}");
}

/// Issue 32, finding 4: an instance dies while it is sending a call-out's asks, and the
/// call-out is cancelled meanwhile. Its asks used to be sent ~2 minutes after the
/// cancellation, when the survivor took them over; now they are cancelled at the takeover,
/// which comes once the 15-second lease runs out (no longer renewed by the dead instance).
#[tokio::test]
async fn asks_held_by_a_dead_instance_are_not_sent_after_the_callout_is_cancelled() {
    let Some(server) = server() else { return };
    const ASK: &str = "CẦN MÁU GẤP";
    let mut bot = bot_on(&server, &[], DeliveryConfig::unlimited()).await;
    let hp = seed::reserve_club(&bot.db, "CLB máu hiếm Hải Phòng", "hai-phong").await;
    let donors: Vec<i64> = (300..330).collect();
    for (i, user) in donors.iter().enumerate() {
        seed::donor(
            &bot.db,
            *user,
            "O-",
            "hai-phong",
            (i < 10).then_some(hp),
            "",
        )
        .await;
    }
    bot.clock.set(vn(11, 22, 9, 0));
    let preview = bot
        .say(
            ADMIN,
            "/callout O-; toàn phần; 3; BV Việt Tiệp; 1 Nhà Thương; Hải Phòng; 18h",
        )
        .await;
    assert!(preview.text.contains("Đợt đầu sẽ hỏi"), "{}", preview.text);
    // The platform answers slowly: the asks stay in flight, held by this instance.
    bot.fake.delay_replies(Duration::from_secs(3));
    bot.tap(ADMIN, "send").await;
    const SENDING: &str = "SELECT COUNT(*) FROM outbox WHERE status = 'sending' \
                           AND idempotency_key LIKE 'callout:%:ask:%'";
    for _ in 0..500 {
        if count(&bot, SENDING).await > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let (second, running) = bot.another_instance().await;
    // The first instance dies with its asks in flight.
    bot.running.take().unwrap().stop(Duration::ZERO).await;
    let held = count(&bot, SENDING).await;
    assert!(held > 0, "no ask was in flight when the instance died");
    // The coordinator cancels the call-out on the survivor.
    let admin = second
        .store()
        .identity_id("telegram", &ADMIN.to_string())
        .await
        .unwrap()
        .unwrap();
    let callout: i64 = count(&bot, "SELECT MAX(id) FROM callouts").await;
    let closed = second
        .perform(
            admin,
            hienmau::engine::Request::Callout(hienmau::engine::CalloutRequest::Close {
                id: callout,
                status: hienmau::domain::callout::Status::Cancelled,
            }),
        )
        .await
        .unwrap();
    assert!(
        !matches!(closed, hienmau::engine::Outcome::Refused),
        "{closed:?}"
    );
    let asks = |bot: &TestBot| -> Vec<usize> {
        donors
            .iter()
            .map(|u| {
                bot.fake
                    .sent_to(*u)
                    .iter()
                    .filter(|m| m.text.contains(ASK))
                    .count()
            })
            .collect()
    };
    let at_cancel = asks(&bot);
    bot.fake.delay_replies(Duration::ZERO);
    // Past the dead instance's lease, the survivor takes its rows over.
    bot.clock.advance(chrono::Duration::milliseconds(
        DeliveryConfig::default().lease_ms as i64 + 1_000,
    ));
    for _ in 0..300 {
        if count(&bot, SENDING).await == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        count(&bot, SENDING).await,
        0,
        "the held asks were not taken over"
    );
    // Whatever the survivor had left to send is sent (the cancellation's notices).
    for _ in 0..300 {
        let left = count(&bot, "SELECT COUNT(*) FROM outbox WHERE status = 'pending'").await;
        if left == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    crate::support::drained(&second, &running).await;
    assert_eq!(
        asks(&bot),
        at_cancel,
        "an ask went out after the call-out was cancelled"
    );
    let cancelled = count(
        &bot,
        "SELECT COUNT(*) FROM outbox WHERE status = 'cancelled' \
         AND idempotency_key LIKE 'callout:%:ask:%'",
    )
    .await;
    assert!(cancelled >= held, "{cancelled} cancelled of {held} held");
    running.stop(Duration::from_secs(5)).await;
}
