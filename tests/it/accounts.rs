//! Several accounts on one platform (issue 33, item 6): a province's own Telegram bot and
//! Zalo OA beside the deployment's own, each with its token or keys, its webhook, its
//! stored tokens and its people; a newcomer writing to a province's account is offered that
//! province. Every platform here is a fake server on 127.0.0.1, one per account.

use crate::fake_telegram::FakeTelegram;
use crate::fake_zalo_oa::{APP_SECRET, FakeZaloOa};
use crate::support::{TestBot, TestDb, WAIT, first_tick, init_logs, start_time};
use hienmau::app::{App, ManualClock};
use hienmau::channels::zalo_oa::signature_hex;
use hienmau::clock::Clock;
use hienmau::config::{Config, DeliveryConfig};
use hienmau::domain::province::Province;
use hienmau::service::{self, Running};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;

const QN_TOKEN: &str = "778899:QN-token_x";
const QN_SECRET: &str = "qn-Hook_secret-1";
const USER: i64 = 5501;

/// The deployment's own bot (the harness's fake) and Quảng Ninh's (`qn`), on long polling,
/// or Quảng Ninh's on a webhook.
async fn two_bots(webhook: bool) -> (TestBot, FakeTelegram, tempfile::TempDir) {
    let qn = FakeTelegram::start(QN_TOKEN).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("hienmau.toml");
    let mut toml = format!(
        "[accounts.telegram.quang-ninh]\nprovince = \"Quang Ninh\"\napi_url = \"{}\"\n",
        qn.url
    );
    if webhook {
        toml.push_str("webhook_url = \"https://bot.example.vn/qn/hook\"\n");
    }
    std::fs::write(&file, toml).unwrap();
    let path = file.display().to_string();
    let mut env = vec![
        ("HIENMAU_CONFIG", path.as_str()),
        ("TELEGRAM_QUANG_NINH_BOT_TOKEN", QN_TOKEN),
    ];
    if webhook {
        env.push(("TELEGRAM_QUANG_NINH_WEBHOOK_SECRET", QN_SECRET));
    }
    let bot = TestBot::start_with(&env, DeliveryConfig::unlimited()).await;
    (bot, qn, dir)
}

/// Answers a registration up to (not including) the province question, on `fake`; returns
/// that question.
async fn up_to_province(fake: &FakeTelegram, user: i64, phone: &str) -> crate::fake_telegram::Sent {
    let mut last = None;
    for line in [
        "/register",
        "1",
        "Trần Thị Hoa",
        phone,
        "05/03/1995",
        "nu",
        "52",
        "O+",
    ] {
        last = Some(fake.say(user, line, WAIT).await);
    }
    last.unwrap()
}

/// The rest of a registration after the province.
async fn finish(fake: &FakeTelegram, user: i64) {
    for line in ["bo qua", "chua bao gio", "khong"] {
        fake.say(user, line, WAIT).await;
    }
    let done = fake.say(user, "1", WAIT).await;
    assert!(done.text.contains("Cảm ơn"), "{}", done.text);
}

#[tokio::test]
async fn a_provinces_own_bot_answers_its_people_offers_its_province_and_keeps_them_apart() {
    let (bot, qn, _dir) = two_bots(false).await;
    let quang_ninh = Province::from_code("quang-ninh").unwrap();

    // Written to Quảng Ninh's bot: answered by it alone, and its province offered.
    let ask = up_to_province(&qn, USER, "0912000011").await;
    assert!(ask.text.contains("Quảng Ninh"), "{}", ask.text);
    assert_eq!(ask.button_values(), ["quang-ninh"]);
    let next = qn.tap_and_wait(USER, "quang-ninh", WAIT).await;
    assert!(!next.text.contains("chưa tìm thấy"), "{}", next.text);
    finish(&qn, USER).await;
    assert!(
        bot.fake.sent_to(USER).is_empty(),
        "the deployment's own bot said nothing"
    );
    let store = bot.app.store();
    let hers = store
        .donor_of("telegram@quang-ninh", &USER.to_string())
        .await
        .unwrap()
        .expect("registered through Quảng Ninh's bot");
    assert_eq!(hers.province, Some(quang_ninh));
    assert_eq!(
        store.donor_of("telegram", &USER.to_string()).await.unwrap(),
        None
    );

    // The same Telegram user writing to the deployment's own bot is another account there:
    // answered by that bot only, asked the province without an offer.
    let before = qn.sent_to(USER).len();
    let ask = up_to_province(&bot.fake, USER, "0912000012").await;
    assert!(ask.button_values().is_empty(), "{:?}", ask.button_values());
    assert!(!ask.text.contains("Quảng Ninh"), "{}", ask.text);
    bot.fake.say(USER, "hai phong", WAIT).await;
    finish(&bot.fake, USER).await;
    bot.drained().await;
    assert_eq!(
        qn.sent_to(USER).len(),
        before,
        "Quảng Ninh's bot said nothing more"
    );
    let own = store
        .donor_of("telegram", &USER.to_string())
        .await
        .unwrap()
        .expect("registered through the own bot");
    assert_eq!(own.province, Province::from_code("hai-phong"));
    assert_ne!(own.phone, hers.phone, "two donors, one an account");

    // A typed province still wins over the offer.
    let other = USER + 1;
    up_to_province(&qn, other, "0912000013").await;
    qn.say(other, "Đà Nẵng", WAIT).await;
    finish(&qn, other).await;
    let typed = store
        .donor_of("telegram@quang-ninh", &other.to_string())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(typed.province, Province::from_code("da-nang"));
    // Each bot was polled with its own token, by its own client.
    assert!(qn.calls("getUpdates") > 0 && bot.fake.calls("getUpdates") > 0);

    // Staff are granted on the account they write from (`admin grant … telegram@quang-ninh:…`).
    let refused = qn.say(USER, "/report", WAIT).await;
    assert!(refused.text.contains("không có quyền"), "{}", refused.text);
    let (qn_channel, user) = hienmau::channels::parse_account("telegram@quang-ninh:5501").unwrap();
    bot.app
        .set_role_for_account(
            qn_channel,
            &user,
            hienmau::domain::club::Role::Coordinator,
            true,
            Some(quang_ninh),
        )
        .await
        .unwrap();
    let report = qn.say(USER, "/report", WAIT).await;
    assert!(!report.text.contains("không có quyền"), "{}", report.text);
    let own_report = bot.fake.say(USER, "/report", WAIT).await;
    assert!(
        own_report.text.contains("không có quyền"),
        "the grant is the Quảng Ninh account's, not the same user's on the own bot: {}",
        own_report.text
    );
}

#[tokio::test]
async fn a_named_bots_webhook_takes_its_own_secret_and_answers_through_its_bot() {
    let (bot, qn, _dir) = two_bots(true).await;
    assert_eq!(qn.calls("setWebhook"), 1);
    let set = qn.webhook_request();
    assert!(
        set.contains("https://bot.example.vn/qn/hook") && set.contains(QN_SECRET),
        "{set}"
    );
    assert_eq!(qn.calls("getUpdates"), 0, "Quảng Ninh's bot is not polled");
    assert_eq!(bot.fake.calls("setWebhook"), 0, "the own bot still polls");

    let addr = bot.running.as_ref().unwrap().http_addr.unwrap();
    let url = format!("http://{addr}/qn/hook");
    let update = json!({"update_id": 1, "message": {
        "message_id": 1, "date": 1_795_000_000, "text": "/start",
        "chat": {"id": USER, "type": "private", "first_name": "H"},
        "from": {"id": USER, "is_bot": false, "first_name": "H"}
    }})
    .to_string();
    let post = |secret: Option<&'static str>| {
        crate::support::post_json(
            &url,
            "X-Telegram-Bot-Api-Secret-Token",
            secret,
            update.clone(),
        )
    };
    assert_eq!(post(None).await, 401);
    assert_eq!(post(Some("s3cret-Token_1")).await, 401);
    assert_eq!(post(Some(QN_SECRET)).await, 200);
    let sent = qn.wait_for(USER, 1, WAIT).await;
    assert!(
        sent[0].button_values().contains(&"agree".to_string()),
        "{:?}",
        sent[0]
    );
    bot.drained().await;
    assert!(bot.fake.sent_to(USER).is_empty());
    // The own bot's default webhook path is not Quảng Ninh's.
    let stray = crate::support::post_json(
        &format!("http://{addr}/telegram/webhook"),
        "X-Telegram-Bot-Api-Secret-Token",
        Some(QN_SECRET),
        update.clone(),
    )
    .await;
    assert_eq!(stray, 404);
}

const APP_ID: &str = "4321987654";
const OWN_KEY: &str = "oa-secret-key";
const QN_KEY: &str = "qn-oa-secret-key";

/// The deployment's own OA and Quảng Ninh's, of the same Zalo app, each on its own fake;
/// template messages (`zns`) as configured.
async fn two_oas(
    db: &TestDb,
    own: &FakeZaloOa,
    qn: &FakeZaloOa,
    zns: Option<hienmau::config::ZnsConfig>,
) -> (App, Running, Arc<ManualClock>) {
    init_logs();
    let file = db.with_file_name("hienmau.toml");
    std::fs::write(
        &file,
        format!(
            "[accounts.zalo_oa.quang-ninh]\napp_id = \"{APP_ID}\"\nprovince = \"Quảng Ninh\"\n\
             api_url = \"{0}\"\noauth_url = \"{0}\"\n",
            qn.url
        ),
    )
    .unwrap();
    let env: HashMap<&str, String> = HashMap::from([
        ("DATABASE_URL", db.url.clone()),
        ("ZALO_OA_APP_ID", APP_ID.into()),
        ("ZALO_OA_SECRET_KEY", OWN_KEY.into()),
        ("ZALO_OA_APP_SECRET", APP_SECRET.into()),
        ("ZALO_OA_ACCESS_TOKEN", "acc-0".into()),
        ("ZALO_OA_REFRESH_TOKEN", "ref-0".into()),
        ("ZALO_OA_API_URL", own.url.clone()),
        ("ZALO_OA_OAUTH_URL", own.url.clone()),
        ("ZALO_OA_QUANG_NINH_SECRET_KEY", QN_KEY.into()),
        ("ZALO_OA_QUANG_NINH_APP_SECRET", APP_SECRET.into()),
        ("ZALO_OA_QUANG_NINH_ACCESS_TOKEN", "qn-acc-0".into()),
        ("ZALO_OA_QUANG_NINH_REFRESH_TOKEN", "qn-ref-0".into()),
        ("HIENMAU_LISTEN", "127.0.0.1:0".into()),
    ]);
    let mut config = Config::load(Some(&file), |k| env.get(k).cloned()).unwrap();
    config.delivery = DeliveryConfig::unlimited();
    config.zns = zns;
    let clock = Arc::new(ManualClock::new(start_time()));
    let app = App::open(config, clock.clone()).await.unwrap();
    first_tick(&app).await;
    let running = service::start(app.clone()).await.expect("both OAs start");
    (app, running, clock)
}

/// An event as Zalo signs it with `key`, posted to `url`; the status.
async fn signed(url: &str, key: &str, stamp: u64, mut event: Value) -> u16 {
    event["app_id"] = json!(APP_ID);
    event["timestamp"] = json!(stamp.to_string());
    let body = event.to_string();
    let mac = signature_hex(APP_ID, body.as_bytes(), &stamp.to_string(), key);
    crate::support::post_json(url, "X-ZEvent-Signature", Some(&format!("mac={mac}")), body).await
}

fn text(user: &str, id: &str, text: &str) -> Value {
    json!({"event_name": "user_send_text", "sender": {"id": user}, "recipient": {"id": "oa"},
           "message": {"msg_id": id, "text": text}})
}

#[tokio::test]
async fn two_official_accounts_keep_their_keys_tokens_and_people_apart() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new(dir.path().join("oa.db")).await;
    let own = FakeZaloOa::start_as(APP_ID, "").await;
    let qn = FakeZaloOa::start_as(APP_ID, "qn-").await;
    let (app, running, _) = two_oas(&db, &own, &qn, None).await;
    let addr = running.http_addr.unwrap();
    let own_url = format!("http://{addr}/zalo-oa/webhook");
    let qn_url = format!("http://{addr}/zalo-oa/quang-ninh/webhook");
    let stamp = 1_795_000_000_000u64;

    // Each OA's events are signed with its own key, and taken at its own path only.
    let hello = text("z1", "m1", "/start");
    assert_eq!(signed(&qn_url, OWN_KEY, stamp, hello.clone()).await, 401);
    assert_eq!(
        signed(&own_url, QN_KEY, stamp + 1, hello.clone()).await,
        401
    );
    assert_eq!(signed(&qn_url, QN_KEY, stamp + 2, hello.clone()).await, 200);
    let welcome = qn.sent.wait_for("z1", 1, WAIT).await;
    assert!(
        welcome[0]["text"].as_str().unwrap().contains("hienmau"),
        "{}",
        welcome[0]
    );
    assert_eq!(own.sent.to("z1").len(), 0, "the own OA said nothing");

    // Zalo gives each OA its own ids: "z1" on the own OA is someone else, answered there.
    assert_eq!(
        signed(&own_url, OWN_KEY, stamp + 3, text("z1", "m2", "/start")).await,
        200
    );
    own.sent.wait_for("z1", 1, WAIT).await;

    // Quảng Ninh's newcomer is offered Quảng Ninh when asked the province.
    let said = |user: &str, id: &str, t: &str, n: u64| {
        let event = text(user, id, t);
        let url = qn_url.clone();
        async move { signed(&url, QN_KEY, stamp + 10 + n, event).await }
    };
    let mut n = 0;
    for line in [
        "agree",
        "Trần Thị Hoa",
        "0912000021",
        "5/3/1995",
        "nữ",
        "52",
        "O+",
    ] {
        n += 1;
        let before = qn.sent.to("z1").len();
        assert_eq!(said("z1", &format!("q{n}"), line, n).await, 200);
        qn.sent.wait_for("z1", before + 1, WAIT).await;
    }
    let ask = qn.sent.to("z1").pop().unwrap();
    let buttons: Vec<&str> = ask["attachment"]["payload"]["buttons"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|b| b["payload"].as_str())
        .collect();
    assert_eq!(buttons, ["quang-ninh"], "{ask}");

    // Each OA refreshed its own tokens, stored apart (one app, two OAs).
    let store = app.store();
    let (own_access, _, _) = store.oa_tokens(APP_ID).await.unwrap().unwrap();
    let (qn_access, _, _) = store
        .oa_tokens(&format!("{APP_ID}@quang-ninh"))
        .await
        .unwrap()
        .unwrap();
    assert!(own_access.starts_with("acc-"), "{own_access}");
    assert!(qn_access.starts_with("qn-acc-"), "{qn_access}");
    assert!(own.refreshes() >= 1 && qn.refreshes() >= 1);

    // Unfollowing Quảng Ninh's OA stops its messages to that account, not the other's.
    let unfollow = json!({"event_name": "unfollow", "follower": {"id": "z1"}});
    assert_eq!(signed(&qn_url, QN_KEY, stamp + 100, unfollow).await, 200);
    assert!(
        store
            .identity_unreachable("zalo_oa@quang-ninh", "z1")
            .await
            .unwrap()
    );
    assert!(!store.identity_unreachable("zalo_oa", "z1").await.unwrap());
    running.stop(std::time::Duration::from_secs(5)).await;
}

/// A named OA's donor silent for ten days is reminded by a template message, sent through the
/// deployment's own OA (its templates, its token): a template goes to the phone, whichever OA
/// the person follows; nothing goes through Quảng Ninh's OA, whose window has closed.
#[tokio::test]
async fn a_named_oas_donor_outside_its_window_gets_the_own_oas_template() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new(dir.path().join("oa.db")).await;
    let own = FakeZaloOa::start_as(APP_ID, "").await;
    let qn = FakeZaloOa::start_as(APP_ID, "qn-").await;
    let zns = crate::zalo_oa::zns_config(&own.url, 10_000, 0);
    let (app, running, clock) = two_oas(&db, &own, &qn, Some(zns)).await;
    let url = format!(
        "http://{}/zalo-oa/quang-ninh/webhook",
        running.http_addr.unwrap()
    );
    let mut stamp = 1_796_000_000_000u64;
    let mut post = async |event: Value| {
        stamp += 1;
        let before = qn.sent.to("z1").len();
        assert_eq!(signed(&url, QN_KEY, stamp, event).await, 200);
        qn.sent.wait_for("z1", before + 1, WAIT).await;
    };
    post(json!({"event_name": "follow", "follower": {"id": "z1"}})).await;
    post(text("z1", "a1", "agree")).await;
    post(text("z1", "a2", "Võ Thị Sáu")).await;
    post(
        json!({"event_name": "user_submit_info", "sender": {"id": "z1"},
                "info": {"name": "Võ Thị Sáu", "phone": "84912345001"}}),
    )
    .await;
    let days = hienmau::domain::eligibility::Rules::default().whole_blood_interval_days;
    let last = (crate::zalo_oa::eligible_day() - chrono::Days::new(days))
        .format("%d/%m/%Y")
        .to_string();
    let answers = [
        "2/9/1998",
        "nữ",
        "50",
        "5",
        "quang-ninh",
        "skip",
        "whole_blood",
        &last,
        "yes",
        "confirm",
    ];
    for (i, answer) in answers.into_iter().enumerate() {
        post(text("z1", &format!("r{i}"), answer)).await;
    }
    let done = qn.sent.to("z1").pop().unwrap();
    assert!(
        done["text"]
            .as_str()
            .unwrap()
            .contains("đăng ký thành công"),
        "{done}"
    );
    let donor = app
        .store()
        .donor_of("zalo_oa@quang-ninh", "z1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(donor.province, Province::from_code("quang-ninh"));

    let n = qn.sent.to("z1").len();
    clock.advance(chrono::Duration::hours(240));
    hienmau::scheduler::tick(&app, clock.now()).await.unwrap();
    app.outbox_added().notify_one();
    let sent = own.templates.wait_for("84912345001", 1, WAIT).await;
    assert_eq!(sent[0]["template_id"], "401001");
    crate::support::outbox_settled(&app).await;
    assert_eq!(own.templates.count(), 1);
    assert_eq!(
        qn.templates.count(),
        0,
        "no template through Quảng Ninh's OA"
    );
    assert_eq!(
        qn.sent.to("z1").len(),
        n,
        "nothing by Quảng Ninh's closed window"
    );
    running.stop(std::time::Duration::from_secs(5)).await;
}
