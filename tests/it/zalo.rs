//! The Zalo Bot Platform path end to end: fake Zalo server ↔ adapter ↔ engine ↔ store ↔
//! outbox ↔ worker ↔ fake Zalo server.

use crate::fake_zalo::FakeZalo;
use crate::support::{TestDb, init_logs, start_time};
use hienmau::app::{App, ManualClock, split_outbound};
use hienmau::channels::{Channel, ChannelKind, Outbound};
use hienmau::config::{Config, DeliveryConfig};
use hienmau::service::{self, Running};
use hienmau::store::{Lane, NewMessage};
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

const TOKEN: &str = "3105:zalo-test-token";
const SECRET: &str = "zalo-secret-123";

struct ZaloBot {
    fake: FakeZalo,
    app: App,
    running: Running,
    db: TestDb,
    _dir: tempfile::TempDir,
}

async fn start(webhook: bool) -> ZaloBot {
    start_with(webhook, &[]).await
}

async fn start_with(webhook: bool, extra: &[(&'static str, &str)]) -> ZaloBot {
    init_logs();
    let dir = tempfile::tempdir().unwrap();
    let fake = FakeZalo::start(TOKEN).await;
    let db = TestDb::new(dir.path().join("z.db")).await;
    let mut env: HashMap<&str, String> = HashMap::from([
        ("DATABASE_URL", db.url.clone()),
        ("ZALO_BOT_TOKEN", TOKEN.to_string()),
        ("ZALO_API_URL", fake.url.clone()),
        ("HIENMAU_LISTEN", "127.0.0.1:0".to_string()),
    ]);
    for (k, v) in extra {
        env.insert(k, v.to_string());
    }
    if webhook {
        env.insert(
            "ZALO_WEBHOOK_URL",
            "https://bot.example.vn/zalo/hook".into(),
        );
        env.insert("ZALO_WEBHOOK_SECRET", SECRET.into());
    }
    let mut config = Config::load(None, |k| env.get(k).cloned()).unwrap();
    config.delivery = DeliveryConfig::unlimited();
    let app = App::open(config, Arc::new(ManualClock::new(start_time())))
        .await
        .unwrap();
    let running = service::start(app.clone())
        .await
        .expect("the Zalo bot starts");
    ZaloBot {
        fake,
        app,
        running,
        db,
        _dir: dir,
    }
}

impl ZaloBot {
    async fn say(&self, user: &str, text: &str) -> String {
        let n = self.fake.to(user).len();
        self.fake.text(user, text);
        self.fake.wait_for(user, n + 1).await.pop().unwrap()
    }
}

#[tokio::test]
async fn a_donor_registers_on_zalo_with_numbered_options_and_wrong_answers() {
    let bot = start(false).await;
    let r = bot.say("u1", "xin chào").await;
    assert!(
        r.contains("Bạn có đồng ý không?\n\n  1. Đồng ý\n  2. Không đồng ý"),
        "{r}"
    );
    let r = bot.say("u1", "có lẽ").await;
    assert!(r.contains("gõ 1 hoặc 2"), "{r}");
    let r = bot.say("u1", "dong y").await;
    assert!(
        r.contains("Họ và tên"),
        "answered by word, without diacritics: {r}"
    );
    bot.say("u1", "Đinh Thị Mai").await;
    let r = bot.say("u1", "12345").await;
    assert!(r.contains("10 chữ số"), "{r}");
    bot.say("u1", "0387 654 321").await;
    bot.say("u1", "1/1/1990").await;
    let n = bot.fake.to("u1").len();
    bot.fake.sticker("u1");
    let r = bot.fake.wait_for("u1", n + 1).await.pop().unwrap();
    assert!(r.contains("tin nhắn chữ"), "{r}");
    let r = bot.say("u1", "2").await;
    assert!(r.contains("Cân nặng"), "{r}");
    bot.say("u1", "48").await;
    let r = bot.say("u1", "9").await;
    assert!(r.contains("tỉnh/thành phố"), "9 = don't know: {r}");
    bot.say("u1", "can tho").await;
    bot.say("u1", "bo qua").await;
    bot.say("u1", "4").await;
    let r = bot.say("u1", "2").await;
    assert!(r.contains("Tin khẩn cấp ban đêm: không"), "{r}");
    let r = bot.say("u1", "1").await;
    assert!(r.contains("đăng ký thành công"), "{r}");

    let donor = bot
        .app
        .store()
        .donor_of("zalo", "u1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(donor.name.as_deref(), Some("Đinh Thị Mai"));
    assert_eq!(donor.phone.unwrap().as_e164(), "+84387654321");
    assert!(
        !donor.phone_verified,
        "typed, not shared through the platform"
    );
    assert_eq!(donor.province.unwrap().code(), "can-tho");
    assert!(bot.fake.polls_answered_408() < 1000);
    bot.running.stop(Duration::from_secs(5)).await;
}

#[tokio::test]
async fn long_polling_waits_through_408s() {
    let bot = start(false).await;
    // The fake answers a poll with 408 when it has nothing: the bot polls on through it.
    let deadline = tokio::time::Instant::now() + crate::support::WAIT;
    while bot.fake.polls_answered_408() < 1 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the fake never answered 408"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let r = bot.say("u2", "/start").await;
    assert!(r.contains("hienmau"), "still polling after 408s: {r}");
    bot.running.stop(Duration::from_secs(5)).await;
}

/// From now on the account `poison` cannot be recorded: a database trigger refuses it, as a
/// bug would.
async fn poison_account(bot: &ZaloBot) {
    let trigger = if bot.db.url.starts_with("postgres") {
        "CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
         IF NEW.external_id = 'poison' THEN RAISE EXCEPTION 'a poison update'; END IF; \
         RETURN NEW; END $$; \
         CREATE TRIGGER poison BEFORE INSERT ON channel_identities \
         FOR EACH ROW EXECUTE FUNCTION poison()"
    } else {
        "CREATE TRIGGER poison BEFORE INSERT ON channel_identities \
         WHEN NEW.external_id = 'poison' BEGIN SELECT RAISE(ABORT, 'a poison update'); END"
    };
    crate::seed::exec(&bot.db, trigger).await;
}

/// One update that cannot be handled (here a database trigger refuses its account, as a bug
/// would) is skipped and counted after a few tries, as on Telegram: the people writing after
/// it are answered. (The Zalo poller used to retry such a batch forever.)
#[tokio::test]
async fn an_update_that_always_fails_is_skipped_and_the_next_person_answered() {
    let bot = start(false).await;
    poison_account(&bot).await;
    bot.fake.text("poison", "/start");
    let r = bot.say("u9", "/start").await;
    assert!(r.contains("hienmau"), "{r}");
    assert_eq!(bot.app.store().counter("inbound_skipped").await.unwrap(), 1);
    assert!(bot.fake.to("poison").is_empty());
    bot.running.stop(Duration::from_secs(5)).await;
}

#[tokio::test]
async fn a_long_message_arrives_as_three_parts_in_order() {
    let bot = start(false).await;
    let lines: Vec<String> = (1..=62)
        .map(|i| {
            format!("{i:02}. Đợt hiến máu tại Nhà văn hoá phường, 7 giờ 30 đến 11 giờ, xin cảm ơn.")
        })
        .collect();
    let text = lines.join("\n");
    assert!(text.chars().count() >= 4500, "{}", text.chars().count());
    let parts = split_outbound(
        Outbound {
            text: text.clone(),
            ..Outbound::default()
        },
        Channel::of(ChannelKind::Zalo),
    );
    assert_eq!(parts.len(), 3);
    let bodies: Vec<String> = parts
        .iter()
        .map(|p| serde_json::to_string(p).unwrap())
        .collect();
    let rows: Vec<NewMessage> = bodies
        .iter()
        .map(|body| NewMessage {
            idempotency_key: None,
            channel: hienmau::channels::Channel::of(ChannelKind::Zalo),
            chat_id: "cu3",
            identity_id: None,
            lane: Lane::Bulk,
            body: body.clone(),
            not_before: 0,
            broadcast_id: None,
        })
        .collect();
    let mut tx = bot.app.store().begin().await.unwrap();
    tx.enqueue(&rows, 0).await.unwrap();
    tx.commit().await.unwrap();
    bot.app.outbox_added().notify_one();
    let got = bot.fake.wait_for("u3", 3).await;
    assert!(got.iter().all(|p| p.chars().count() <= 2000));
    assert_eq!(got.join("\n"), text, "in order, nothing lost");
    assert_eq!(bot.fake.refused(), 0);
    bot.running.stop(Duration::from_secs(5)).await;
}

#[tokio::test]
async fn the_zalo_webhook_checks_its_secret_and_survives_junk() {
    let bot = start(true).await;
    assert_eq!(
        bot.fake.webhook(),
        Some((
            "https://bot.example.vn/zalo/hook".to_string(),
            SECRET.to_string()
        ))
    );
    let addr = bot.running.http_addr.unwrap();
    let url = format!("http://{addr}/zalo/hook");
    let post = |body: String, secret: Option<&'static str>| {
        crate::support::post_json(&url, "X-Bot-Api-Secret-Token", secret, body)
    };
    let event = FakeZalo::event("u4", "message.text.received", json!({"text": "/start"}), 1);
    assert_eq!(post(event.to_string(), None).await, 401);
    assert_eq!(post(event.to_string(), Some("zalo-secret-124")).await, 401);
    assert_eq!(post("{oops".into(), Some(SECRET)).await, 400);
    crate::support::drained(&bot.app, &bot.running).await;
    assert_eq!(bot.fake.sent.count(), 0);
    assert!(
        bot.app
            .store()
            .outbox_status_counts()
            .await
            .unwrap()
            .is_empty(),
        "nothing stored"
    );

    // Wrapped as the platform sometimes sends it; and the same event twice is handled once.
    let wrapped = json!({"ok": true, "result": event}).to_string();
    assert_eq!(post(wrapped.clone(), Some(SECRET)).await, 200);
    assert_eq!(post(wrapped, Some(SECRET)).await, 200);
    let got = bot.fake.wait_for("u4", 1).await;
    assert!(got[0].contains("hienmau"), "{}", got[0]);
    let reply = FakeZalo::event("u4", "message.text.received", json!({"text": "1"}), 2);
    assert_eq!(post(reply.to_string(), Some(SECRET)).await, 200);
    let got = bot.fake.wait_for("u4", 2).await;
    assert!(got[1].contains("Họ và tên"), "{}", got[1]);
    crate::support::drained(&bot.app, &bot.running).await;
    assert_eq!(bot.fake.to("u4").len(), 2, "never sent twice");
    bot.running.stop(Duration::from_secs(5)).await;
}

/// A whole registration on Zalo, answered by number and word ("đăng ký hiến máu": an admin
/// greeting the bot is not asked a donor's consent unless they choose to register).
async fn register(bot: &ZaloBot, user: &str, phone: &str) {
    for line in [
        "đăng ký hiến máu",
        "1",
        "Trần Văn Bình",
        phone,
        "01/01/1990",
        "nam",
        "60",
        "A+",
        "hai phong",
        "bo qua",
        "chua bao gio",
        "khong",
    ] {
        bot.say(user, line).await;
    }
    let done = bot.say(user, "1").await;
    assert!(done.contains("đăng ký thành công"), "{done}");
}

#[tokio::test]
async fn a_club_on_zalo_is_created_joined_and_announced_to_with_numbered_options() {
    let bot = start_with(false, &[("HIENMAU_ADMINS", "zalo:lead")]).await;
    register(&bot, "lead", "0912000011").await;
    register(&bot, "m1", "0912000012").await;
    let r = bot.say("lead", "/newclub").await;
    assert!(r.contains("Tên câu lạc bộ"), "{r}");
    bot.say("lead", "CLB Hiến máu Kiến An").await;
    let r = bot.say("lead", "3").await;
    assert!(r.contains("Đã tạo CLB Hiến máu Kiến An"), "{r}");
    assert!(
        !r.contains("t.me"),
        "no Telegram link without a Telegram bot: {r}"
    );
    let at = r.find("Mã mời: ").unwrap() + "Mã mời: ".len();
    let code: String = r[at..].chars().take(6).collect();
    let r = bot.say("m1", &format!("/join {code}")).await;
    assert!(r.contains("Bạn đã tham gia"), "{r}");

    // An admin chooses the audience among the club and the wider ones, by number.
    let r = bot.say("lead", "/thongbao").await;
    assert!(r.contains("1. CLB Hiến máu Kiến An"), "{r}");
    bot.say("lead", "1").await;
    let r = bot
        .say(
            "lead",
            "Hiến máu tại UBND phường Kiến An, 8h sáng Chủ nhật.",
        )
        .await;
    assert!(
        r.contains("Sẽ gửi tới 1 người") && r.contains("1. Gửi"),
        "{r}"
    );
    let before = bot.fake.to("m1").len();
    let r = bot.say("lead", "gui").await;
    assert!(r.contains("Đang gửi thông báo #1"), "{r}");
    let got = bot.fake.wait_for("m1", before + 1).await;
    let last = got.last().unwrap();
    assert!(
        last.contains("📣 Thông báo từ CLB Hiến máu Kiến An"),
        "{last}"
    );
    let deadline = tokio::time::Instant::now() + crate::support::WAIT;
    while !bot
        .fake
        .to("lead")
        .iter()
        .any(|m| m.contains("Kết quả thông báo #1") && m.contains("đã gửi 1/1"))
    {
        assert!(tokio::time::Instant::now() < deadline, "no summary");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The webhook follows the pollers' one policy: an update that always fails (a trigger
/// refuses its account, as a bug would) is set aside after a few tries and counted, and the
/// platform is told it was received (200), so it does not hold back the next person's; that
/// next person is answered.
#[tokio::test]
async fn a_webhook_update_that_always_fails_is_set_aside_and_the_next_one_answered() {
    let bot = start(true).await;
    poison_account(&bot).await;
    let url = format!("http://{}/zalo/hook", bot.running.http_addr.unwrap());
    let post = |body: String| {
        crate::support::post_json(&url, "X-Bot-Api-Secret-Token", Some(SECRET), body)
    };
    let poison = FakeZalo::event(
        "poison",
        "message.text.received",
        json!({"text": "/start"}),
        1,
    );
    assert_eq!(post(poison.to_string()).await, 200);
    assert_eq!(bot.app.store().counter("inbound_skipped").await.unwrap(), 1);
    let next = FakeZalo::event("u5", "message.text.received", json!({"text": "/start"}), 2);
    assert_eq!(post(next.to_string()).await, 200);
    let got = bot.fake.wait_for("u5", 1).await;
    assert!(got[0].contains("hienmau"), "{}", got[0]);
    assert!(bot.fake.to("poison").is_empty());
    bot.running.stop(Duration::from_secs(5)).await;
}
