//! A Zalo Official Account end to end: signed webhook events in, consultation messages out,
//! tokens refreshed and stored before use.

use crate::fake_zalo_oa::{APP_SECRET, FakeZaloOa};
use crate::support::{TestDb, first_tick, init_logs, start_time};
use hienmau::app::{App, ManualClock};
use hienmau::channels::zalo_oa::signature_hex;
use hienmau::clock::Clock;
use hienmau::config::{Config, DeliveryConfig, ZnsConfig};
use hienmau::service::{self, Running};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

const APP_ID: &str = "4321987654";
const OA_SECRET: &str = "oa-secret-key";

struct Oa {
    fake: FakeZaloOa,
    clock: Arc<ManualClock>,
    app: App,
    running: Option<Running>,
    url: String,
    stamp: u64,
    /// A SQLite file in the test's folder, or a PostgreSQL database (`TestDb`).
    db: TestDb,
}

async fn open(
    db: &TestDb,
    fake: &FakeZaloOa,
    clock: Arc<ManualClock>,
    zns: Option<ZnsConfig>,
    extra: &[(&'static str, String)],
) -> (App, Running) {
    let mut env: HashMap<&str, String> = HashMap::from([
        ("DATABASE_URL", db.url.clone()),
        ("ZALO_OA_APP_ID", APP_ID.into()),
        ("ZALO_OA_SECRET_KEY", OA_SECRET.into()),
        ("ZALO_OA_APP_SECRET", APP_SECRET.into()),
        ("ZALO_OA_ACCESS_TOKEN", "acc-0".into()),
        ("ZALO_OA_REFRESH_TOKEN", "ref-0".into()),
        ("ZALO_OA_API_URL", fake.url.clone()),
        ("ZALO_OA_OAUTH_URL", fake.url.clone()),
        ("HIENMAU_LISTEN", "127.0.0.1:0".into()),
    ]);
    env.extend(extra.iter().cloned());
    let mut config = Config::load(None, |k| env.get(k).cloned()).unwrap();
    config.delivery = DeliveryConfig::unlimited();
    config.zns = zns;
    let app = App::open(config, clock).await.unwrap();
    first_tick(&app).await;
    let running = service::start(app.clone())
        .await
        .expect("the OA channel starts");
    (app, running)
}

impl Oa {
    async fn start(dir: &Path) -> Oa {
        init_logs();
        let fake = FakeZaloOa::start(APP_ID).await;
        Self::with(dir, fake).await
    }

    async fn with(dir: &Path, fake: FakeZaloOa) -> Oa {
        Self::configured(dir, fake, None, &[]).await
    }

    /// With template messages: a budget and an urgent cap (VND) for the month.
    async fn with_templates(dir: &Path, budget: i64, urgent_cap: i64) -> Oa {
        init_logs();
        let fake = FakeZaloOa::start(APP_ID).await;
        let zns = zns_config(&fake.url, budget, urgent_cap);
        Self::configured(dir, fake, Some(zns), &[]).await
    }

    async fn configured(
        dir: &Path,
        fake: FakeZaloOa,
        zns: Option<ZnsConfig>,
        extra: &[(&'static str, String)],
    ) -> Oa {
        let db = TestDb::new(dir.join("oa.db")).await;
        Self::configured_on(db, fake, zns, extra).await
    }

    /// Again on the database of an earlier harness (a restart).
    async fn with_db(db: TestDb, fake: FakeZaloOa) -> Oa {
        Self::configured_on(db, fake, None, &[]).await
    }

    async fn configured_on(
        db: TestDb,
        fake: FakeZaloOa,
        zns: Option<ZnsConfig>,
        extra: &[(&'static str, String)],
    ) -> Oa {
        let clock = Arc::new(ManualClock::new(start_time()));
        let (app, running) = open(&db, &fake, clock.clone(), zns, extra).await;
        let url = format!("http://{}/zalo-oa/webhook", running.http_addr.unwrap());
        // Event ids and timestamps never repeat, even across a restart of the harness.
        static NEXT: std::sync::atomic::AtomicU64 =
            std::sync::atomic::AtomicU64::new(1_795_000_000_000);
        let stamp = NEXT.fetch_add(1_000_000, std::sync::atomic::Ordering::Relaxed);
        Oa {
            fake,
            clock,
            app,
            running: Some(running),
            url,
            stamp,
            db,
        }
    }

    async fn post(&self, body: &str, signature: Option<String>) -> u16 {
        crate::support::post_json(
            &self.url,
            "X-ZEvent-Signature",
            signature.as_deref(),
            body.to_string(),
        )
        .await
    }

    /// Post a correctly signed event.
    async fn event(&mut self, mut event: Value) -> u16 {
        self.stamp += 1;
        event["app_id"] = json!(APP_ID);
        event["timestamp"] = json!(self.stamp.to_string());
        let body = event.to_string();
        let mac = signature_hex(APP_ID, body.as_bytes(), &self.stamp.to_string(), OA_SECRET);
        self.post(&body, Some(format!("mac={mac}"))).await
    }

    async fn say(&mut self, user: &str, text: &str) -> Value {
        let n = self.fake.sent.to(user).len();
        let msg_id = format!("m{}", self.stamp + 1);
        let status = self
            .event(
                json!({"event_name": "user_send_text", "sender": {"id": user},
                          "recipient": {"id": "oa"}, "message": {"msg_id": msg_id, "text": text}}),
            )
            .await;
        assert_eq!(status, 200);
        self.fake
            .sent
            .wait_for(user, n + 1, Duration::from_secs(10))
            .await
            .pop()
            .unwrap()
    }

    async fn stop(&mut self) {
        if let Some(r) = self.running.take() {
            r.stop(Duration::from_secs(5)).await;
        }
        self.app.store().close().await;
    }
}

fn buttons(message: &Value) -> Vec<String> {
    message["attachment"]["payload"]["buttons"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|b| b["payload"].as_str().map(str::to_string))
        .collect()
}

#[tokio::test]
async fn a_donor_registers_on_an_official_account() {
    let dir = tempfile::tempdir().unwrap();
    let mut oa = Oa::start(dir.path()).await;
    assert_eq!(
        oa.event(json!({"event_name": "follow", "follower": {"id": "z1"}}))
            .await,
        200
    );
    let welcome = oa
        .fake
        .sent
        .wait_for("z1", 1, Duration::from_secs(10))
        .await
        .pop()
        .unwrap();
    assert!(
        welcome["text"].as_str().unwrap().contains("hienmau"),
        "{welcome}"
    );
    assert_eq!(buttons(&welcome), ["agree", "disagree"]);
    assert_eq!(
        oa.fake.refreshes(),
        1,
        "the configured token's lifetime is unknown: refreshed first"
    );

    // A tapped button comes back as its payload, as text.
    let r = oa.say("z1", "agree").await;
    assert!(r["text"].as_str().unwrap().contains("Họ và tên"), "{r}");
    let r = oa.say("z1", "Võ Thị Sáu").await;
    assert_eq!(
        r["attachment"]["payload"]["template_type"], "request_user_info",
        "{r}"
    );
    let n = oa.fake.sent.to("z1").len();
    let status = oa
        .event(
            json!({"event_name": "user_submit_info", "sender": {"id": "z1"},
                      "info": {"name": "Võ Thị Sáu", "phone": "84912345678"}}),
        )
        .await;
    assert_eq!(status, 200);
    let r = oa
        .fake
        .sent
        .wait_for("z1", n + 1, Duration::from_secs(10))
        .await
        .pop()
        .unwrap();
    assert!(r["text"].as_str().unwrap().contains("Ngày sinh"), "{r}");
    oa.say("z1", "2/9/1998").await;
    let r = oa.say("z1", "nữ").await;
    assert!(r["text"].as_str().unwrap().contains("Cân nặng"), "{r}");
    let r = oa.say("z1", "50").await;
    // Nine options: more than an OA message's 5 buttons, so numbered in the text.
    assert!(
        r["text"].as_str().unwrap().contains("  9. Chưa biết"),
        "{r}"
    );
    assert!(buttons(&r).is_empty());
    oa.say("z1", "5").await;
    oa.say("z1", "Huế").await;
    oa.say("z1", "skip").await;
    oa.say("z1", "never").await;
    oa.say("z1", "no").await;
    let r = oa.say("z1", "confirm").await;
    assert!(
        r["text"].as_str().unwrap().contains("đăng ký thành công"),
        "{r}"
    );

    let donor = oa
        .app
        .store()
        .donor_of("zalo_oa", "z1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(donor.phone.unwrap().as_e164(), "+84912345678");
    assert!(donor.phone_verified, "shared through the OA's own form");
    assert_eq!(donor.blood_group.unwrap().code(), "O-");
    oa.stop().await;
}

#[tokio::test]
async fn unsigned_or_wrongly_signed_events_are_refused_and_nothing_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let oa = Oa::start(dir.path()).await;
    let event = json!({"app_id": APP_ID, "event_name": "user_send_text", "timestamp": "1",
        "sender": {"id": "z2"}, "message": {"msg_id": "m1", "text": "hi"}});
    let body = event.to_string();
    let good = signature_hex(APP_ID, body.as_bytes(), "1", OA_SECRET);
    assert_eq!(oa.post(&body, None).await, 401);
    assert_eq!(
        oa.post(&body, Some(good.clone())).await,
        401,
        "without the mac= prefix"
    );
    assert_eq!(
        oa.post(&body, Some(format!("mac={}", "0".repeat(64))))
            .await,
        401
    );
    let wrong_key = signature_hex(APP_ID, body.as_bytes(), "1", "other-key");
    assert_eq!(oa.post(&body, Some(format!("mac={wrong_key}"))).await, 401);
    let tampered = body.replace("hi", "ho");
    assert_eq!(oa.post(&tampered, Some(format!("mac={good}"))).await, 401);
    let other_app = body.replace(APP_ID, "999");
    let mac = signature_hex("999", other_app.as_bytes(), "1", OA_SECRET);
    assert_eq!(
        oa.post(&other_app, Some(format!("mac={mac}"))).await,
        401,
        "another app's event"
    );
    // Authenticated before parsing (issue 14: an unsigned "{not json" got 400, a signed-less
    // event 401): whatever the body, no valid signature is 401.
    assert_eq!(oa.post("{not json", Some(format!("mac={good}"))).await, 401);
    assert_eq!(oa.post("{not json", None).await, 401);
    assert_eq!(oa.post("{not json", Some("mac=zz".into())).await, 401);
    oa.drained().await;
    assert!(
        oa.app
            .store()
            .outbox_status_counts()
            .await
            .unwrap()
            .is_empty(),
        "nothing stored"
    );
    assert_eq!(oa.fake.sent.count(), 0);
    // The right signature is accepted.
    assert_eq!(
        oa.post(&body, Some(format!("mac={}", good.to_uppercase())))
            .await,
        200
    );
    oa.fake
        .sent
        .wait_for("z2", 1, Duration::from_secs(10))
        .await;
}

#[tokio::test]
async fn an_expired_token_is_refreshed_stored_and_the_send_retried_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut oa = Oa::start(dir.path()).await;
    oa.say("z3", "/start").await;
    assert_eq!(oa.fake.refreshes(), 1);
    oa.fake.expire_access_token();
    let r = oa.say("z3", "1").await;
    assert!(r["text"].as_str().unwrap().contains("Họ và tên"), "{r}");
    assert_eq!(oa.fake.refreshes(), 2);
    let (access, refresh, _) = oa.app.store().oa_tokens(APP_ID).await.unwrap().unwrap();
    assert_eq!((access.as_str(), refresh.as_str()), ("acc-2", "ref-2"));
    assert_eq!(
        oa.fake.attempts("z3"),
        3,
        "two sends, one of them retried after -216"
    );
    oa.stop().await;
}

#[tokio::test]
async fn a_stop_right_after_a_refresh_does_not_lose_the_new_refresh_token() {
    let dir = tempfile::tempdir().unwrap();
    let mut oa = Oa::start(dir.path()).await;
    oa.say("z4", "/start").await;
    // The refresh spent ref-0; stop at once, as a crash would.
    oa.stop().await;
    assert_eq!(oa.fake.current_refresh_token(), "ref-1");

    // Restart with the same (now spent) first-start tokens in the configuration.
    let fake = oa.fake.clone();
    let mut oa = Oa::with_db(oa.db.clone(), fake).await;
    oa.fake.expire_access_token();
    let r = oa.say("z4", "1").await;
    assert!(r["text"].as_str().unwrap().contains("Họ và tên"), "{r}");
    assert_eq!(
        oa.fake.refreshes(),
        2,
        "refreshed with the stored ref-1, not the spent ref-0"
    );
    oa.stop().await;
}

/// -230 means the person is outside the OA's 7-day window, not that they blocked it: a reply
/// that cannot go is not retried and has no other route, and the account stays reachable.
#[tokio::test]
async fn no_interaction_for_7_days_is_not_retried_and_unfollow_stops_messages() {
    let dir = tempfile::tempdir().unwrap();
    let mut oa = Oa::start(dir.path()).await;
    oa.fake.no_interaction("z5");
    assert_eq!(
        oa.event(json!({"event_name": "follow", "follower": {"id": "z5"}}))
            .await,
        200
    );
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while oa.app.store().outbox_status_counts().await.unwrap() != [("failed".to_string(), 1)] {
        assert!(tokio::time::Instant::now() < deadline, "never settled");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    oa.drained().await;
    assert_eq!(oa.fake.attempts("z5"), 1, "-230 is not retried");
    assert!(
        !oa.app
            .store()
            .identity_unreachable("zalo_oa", "z5")
            .await
            .unwrap(),
        "outside the window is not blocked"
    );

    oa.say("z6", "/start").await;
    assert_eq!(
        oa.event(json!({"event_name": "unfollow", "follower": {"id": "z6"}}))
            .await,
        200
    );
    assert!(
        oa.app
            .store()
            .identity_unreachable("zalo_oa", "z6")
            .await
            .unwrap()
    );
    oa.stop().await;
}

#[tokio::test]
async fn an_expired_token_answered_with_220_is_refreshed_too() {
    let dir = tempfile::tempdir().unwrap();
    let mut oa = Oa::start(dir.path()).await;
    oa.say("z8", "/start").await;
    let before = oa.fake.refreshes();
    oa.fake.expire_access_token_as_expired();
    let r = oa.say("z8", "agree").await;
    assert!(r["text"].as_str().unwrap().contains("Họ và tên"), "{r}");
    assert_eq!(oa.fake.refreshes(), before + 1, "-220 refreshed the token");
    oa.stop().await;
}

/// Two templates: "you may give again" (bulk) and the urgent call-out ask.
pub(crate) fn zns_config(fake_url: &str, budget: i64, urgent_cap: i64) -> ZnsConfig {
    let text = format!(
        r#"
        api_url = "{fake_url}"
        monthly_budget_vnd = {budget}
        urgent_cap_vnd = {urgent_cap}
        receipt_timeout_minutes = 30
        [templates.eligible-again]
        template_id = "401001"
        price_vnd = 300
        params = {{ diem_hien_mau = "drives" }}
        [templates.callout-ask]
        template_id = "401002"
        price_vnd = 500
        params = {{ noi_dung = "line", ghi_chu = "note" }}
        "#
    );
    ZnsConfig::from_file(toml::from_str(&text).unwrap(), None).unwrap()
}

/// The day the test donors may give again: ten days after the harness's start.
pub(crate) fn eligible_day() -> chrono::NaiveDate {
    start_time().date_naive() + chrono::Days::new(10)
}

/// Register a donor on the OA (Huế; blood group by its option number, 5 is O−), who last
/// gave whole blood so that they may give again on [`eligible_day`]; the phone comes from
/// the OA's form, in its current shape or (`flat`) the older one.
async fn register(oa: &mut Oa, user: &str, phone: &str, group: &str, flat: bool) {
    oa.event(json!({"event_name": "follow", "follower": {"id": user}}))
        .await;
    oa.fake
        .sent
        .wait_for(user, 1, Duration::from_secs(10))
        .await;
    oa.say(user, "agree").await;
    oa.say(user, "Võ Thị Sáu").await;
    let n = oa.fake.sent.to(user).len();
    let info = if flat {
        json!({"name": "Võ Thị Sáu", "phone": phone.parse::<u64>().unwrap(),
               "address": "1 Lê Lợi", "city": "Huế", "district": "Thuận Hoá", "ward": "Vĩnh Ninh"})
    } else {
        json!({"name": "Võ Thị Sáu", "phone": phone, "user_dob": "02/09/1998", "gender": "female",
               "full_address": {"user_city": "Huế", "user_ward": "Vĩnh Ninh", "user_address": "1 Lê Lợi"}})
    };
    oa.event(json!({"event_name": "user_submit_info", "sender": {"id": user}, "info": info}))
        .await;
    oa.fake
        .sent
        .wait_for(user, n + 1, Duration::from_secs(10))
        .await;
    let days = hienmau::domain::eligibility::Rules::default().whole_blood_interval_days;
    let last = (eligible_day() - chrono::Days::new(days))
        .format("%d/%m/%Y")
        .to_string();
    for answer in [
        "2/9/1998",
        "nữ",
        "50",
        group,
        "Huế",
        "skip",
        "whole_blood",
        &last,
        "yes",
    ] {
        oa.say(user, answer).await;
    }
    let r = oa.say(user, "confirm").await;
    assert!(
        r["text"].as_str().unwrap().contains("đăng ký thành công"),
        "{r}"
    );
    let donor = oa
        .app
        .store()
        .donor_of("zalo_oa", user)
        .await
        .unwrap()
        .unwrap();
    assert!(
        donor.phone_verified,
        "{user}: the form's phone is their own"
    );
}

impl Oa {
    /// Move the clock on by `hours` and run the scheduler at the new time.
    async fn later(&self, hours: i64) {
        self.clock.advance(chrono::Duration::hours(hours));
        hienmau::scheduler::tick(&self.app, self.clock.now())
            .await
            .unwrap();
        self.app.outbox_added().notify_one();
    }

    async fn status(&self) -> String {
        hienmau::cli::status_report(&self.app, self.app.config())
            .await
            .unwrap()
    }

    /// Wait until no outbox row is pending or being sent.
    async fn settled(&self) {
        crate::support::outbox_settled(&self.app).await
    }

    /// See [`crate::support::drained`].
    async fn drained(&self) {
        crate::support::drained(&self.app, self.running.as_ref().expect("the bot runs")).await
    }
}

/// Zalo's 2026 rules: a donor silent for ten days is reminded by a template message to their
/// phone, with the configured template and parameters; one who wrote yesterday by the OA,
/// free; one who wrote five days ago by the OA, counted as billed. The template's price and
/// the day's quota are recorded, and a receipt marks the row delivered.
#[tokio::test]
async fn a_donor_silent_for_ten_days_is_reminded_by_template_and_others_by_the_oa() {
    let dir = tempfile::tempdir().unwrap();
    let mut oa = Oa::with_templates(dir.path(), 10_000, 0).await;
    register(&mut oa, "z1", "84912345001", "5", false).await;
    register(&mut oa, "z2", "84912345002", "5", true).await;
    register(&mut oa, "z3", "84912345003", "5", false).await;
    oa.later(5 * 24).await;
    oa.say("z3", "/profile").await;
    oa.later(4 * 24).await;
    oa.say("z2", "/profile").await;
    let (n1, n2, n3) = (
        oa.fake.sent.to("z1").len(),
        oa.fake.sent.to("z2").len(),
        oa.fake.sent.to("z3").len(),
    );
    oa.later(24).await;
    assert_eq!(oa.clock.now().date_naive(), eligible_day());

    let sent = oa
        .fake
        .templates
        .wait_for("84912345001", 1, Duration::from_secs(10))
        .await;
    let t = &sent[0];
    assert_eq!(t["template_id"], "401001");
    assert_eq!(t["phone"], "84912345001");
    assert!(t["mode"].is_null(), "not in development mode");
    assert_eq!(
        t["template_data"],
        json!({"diem_hien_mau": ""}),
        "no drives: the selector's \"none\" is not shown"
    );
    let tracking = t["tracking_id"].as_str().unwrap().to_string();
    assert!(
        tracking.starts_with("hm") && tracking.len() <= 48,
        "{tracking}"
    );
    for (user, before) in [("z2", n2), ("z3", n3)] {
        let got = oa
            .fake
            .sent
            .wait_for(user, before + 1, Duration::from_secs(10))
            .await;
        let text = got[before]["text"].as_str().unwrap();
        assert!(text.contains("hiến máu trở lại"), "{user}: {text}");
    }
    oa.settled().await;
    assert_eq!(
        oa.fake.templates.count(),
        1,
        "only the silent donor by template"
    );
    assert_eq!(oa.fake.sent.to("z1").len(), n1, "nothing by the OA to z1");
    let db = oa.db.clone();
    let count = |sql: &'static str| {
        let db = db.clone();
        async move { crate::seed::count(&db, sql).await }
    };
    assert_eq!(
        count("SELECT COUNT(*) FROM outbox WHERE route = 'zns' AND cost_vnd = 300").await,
        1
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM outbox WHERE route = 'oa_billed'").await,
        1
    );
    let status = oa.status().await;
    for part in [
        "tin mẫu (ZNS): 1 tin hàng loạt, 0 tin khẩn; đã chi 300 / 10.000 VND",
        "sau 48 giờ đến 7 ngày (Zalo tính phí): 1",
        "hạn mức tin mẫu hôm nay: còn 499 / 500",
        "xác nhận đã nhận: 0 đã xác nhận, 1 đang chờ, 0 chưa xác nhận sau 30 phút",
    ] {
        assert!(status.contains(part), "{part:?} not in:\n{status}");
    }
    // No receipt after the configured time: reported, never resent.
    oa.clock.advance(chrono::Duration::minutes(31));
    oa.drained().await;
    assert!(
        oa.status()
            .await
            .contains("0 đã xác nhận, 0 đang chờ, 1 chưa xác nhận")
    );
    assert_eq!(oa.fake.templates.count(), 1);
    // The receipt, signed like every OA event, marks it delivered.
    let receipt = json!({"event_name": "user_received_message", "sender": {"id": "oa"},
        "recipient": {"id": "z1"}, "message": {"msg_id": "zns-1", "tracking_id": tracking}});
    assert_eq!(oa.event(receipt).await, 200);
    assert_eq!(
        count("SELECT COUNT(*) FROM outbox WHERE route = 'zns' AND delivered_at IS NOT NULL").await,
        1
    );
    assert!(
        oa.status()
            .await
            .contains("1 đã xác nhận, 0 đang chờ, 0 chưa xác nhận")
    );
    // A receipt for something that is not ours changes nothing.
    let foreign =
        json!({"event_name": "user_received_message", "message": {"tracking_id": "order-77"}});
    assert_eq!(oa.event(foreign).await, 200);
    oa.stop().await;
}

/// The month's budget stops the bulk kinds (the second reminder has no route and fails,
/// nothing is spent on it) but not an urgent call-out ask, which may go up to its own cap.
#[tokio::test]
async fn the_budget_stops_bulk_templates_but_not_an_urgent_ask() {
    use hienmau::cli::{AdminAction, admin};
    let dir = tempfile::tempdir().unwrap();
    let mut oa = Oa::with_templates(dir.path(), 300, 1000).await;
    register(&mut oa, "z1", "84912345011", "5", false).await;
    register(&mut oa, "z2", "84912345012", "1", false).await;
    oa.later(10 * 24).await;
    oa.settled().await;
    assert_eq!(oa.fake.templates.count(), 1, "the budget holds one");
    let db = oa.db.clone();
    assert_eq!(
        crate::seed::count(
            &db,
            "SELECT COUNT(*) FROM outbox WHERE status = 'failed' \
             AND last_error LIKE '%budget is spent%'"
        )
        .await,
        1
    );
    admin(
        &oa.app,
        AdminAction::Grant {
            role: "coordinator".into(),
            account: "zalo_oa:c1".into(),
            province: None,
        },
    )
    .await
    .unwrap();
    oa.say(
        "c1",
        "/callout O-; toàn phần; 1; BV Việt Tiệp; 1 Nhà Thương; Hải Phòng; 18h",
    )
    .await;
    oa.say("c1", "1").await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let ask = loop {
        let to_z1 = oa.fake.templates.to("84912345011");
        if let Some(ask) = to_z1.into_iter().find(|t| t["template_id"] == "401002") {
            break ask;
        }
        assert!(tokio::time::Instant::now() < deadline, "no urgent template");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(ask["template_id"], "401002", "{ask}");
    assert!(
        ask["template_data"]["noi_dung"]
            .as_str()
            .unwrap()
            .contains("O-"),
        "{ask}"
    );
    let status = oa.status().await;
    assert!(
        status.contains("1 tin hàng loạt, 1 tin khẩn; đã chi 800 / 300 VND"),
        "{status}"
    );
    oa.stop().await;
}

/// A phone Zalo refuses (-141: opted out) is not retried and gets no template again; with no
/// other channel the reminder fails, and the account stays reachable.
#[tokio::test]
async fn an_opted_out_phone_is_not_retried_and_gets_no_template_again() {
    let dir = tempfile::tempdir().unwrap();
    let mut oa = Oa::with_templates(dir.path(), 10_000, 0).await;
    register(&mut oa, "z4", "84912345021", "5", false).await;
    oa.fake.refuse_phone("84912345021", -141);
    oa.later(10 * 24).await;
    oa.settled().await;
    oa.drained().await;
    assert_eq!(oa.fake.template_attempts("84912345021"), 1, "not retried");
    let db = oa.db.clone();
    assert_eq!(
        crate::seed::count(
            &db,
            "SELECT COUNT(*) FROM outbox WHERE status = 'failed' \
             AND last_error LIKE '%no phone a template may go to%'"
        )
        .await,
        1
    );
    assert_eq!(
        crate::seed::count(
            &db,
            "SELECT COUNT(*) FROM donors WHERE zns_refused_at IS NOT NULL"
        )
        .await,
        1
    );
    assert_eq!(
        crate::seed::count(
            &db,
            "SELECT CAST(COALESCE(SUM(spent_vnd), 0) AS BIGINT) FROM zalo_spend"
        )
        .await,
        0,
        "nothing spent on a refused template"
    );
    assert!(
        !oa.app
            .store()
            .identity_unreachable("zalo_oa", "z4")
            .await
            .unwrap()
    );
    oa.stop().await;
}

/// An urgent call-out on an Official Account: the ask carries the two answers as quick-reply
/// buttons, whose payload comes back as text and answers it even after the donor wrote
/// something else; the coordinator's tally carries a Manage button that works the same way.
#[tokio::test]
async fn a_callout_is_answered_with_the_oa_buttons() {
    use hienmau::cli::{AdminAction, admin};
    let dir = tempfile::tempdir().unwrap();
    let mut oa = Oa::start(dir.path()).await;
    // An O− donor registers on the OA (Huế).
    oa.event(json!({"event_name": "follow", "follower": {"id": "z1"}}))
        .await;
    oa.fake
        .sent
        .wait_for("z1", 1, Duration::from_secs(10))
        .await;
    oa.say("z1", "agree").await;
    oa.say("z1", "Võ Thị Sáu").await;
    let n = oa.fake.sent.to("z1").len();
    oa.event(
        json!({"event_name": "user_submit_info", "sender": {"id": "z1"},
                  "info": {"name": "Võ Thị Sáu", "phone": "84912345678"}}),
    )
    .await;
    oa.fake
        .sent
        .wait_for("z1", n + 1, Duration::from_secs(10))
        .await;
    for answer in ["2/9/1998", "nữ", "50", "5", "Huế", "skip", "never", "yes"] {
        oa.say("z1", answer).await;
    }
    let r = oa.say("z1", "confirm").await;
    assert!(
        r["text"].as_str().unwrap().contains("đăng ký thành công"),
        "{r}"
    );

    admin(
        &oa.app,
        AdminAction::Grant {
            role: "coordinator".into(),
            account: "zalo_oa:c1".into(),
            province: None,
        },
    )
    .await
    .unwrap();
    let preview = oa
        .say(
            "c1",
            "/callout O-; toàn phần; 1; BV Việt Tiệp; 1 Nhà Thương; Hải Phòng; 18h",
        )
        .await;
    assert!(
        preview["text"].as_str().unwrap().contains("toàn quốc 1"),
        "{preview}"
    );
    let before_ask = oa.fake.sent.to("z1").len();
    let started = oa.say("c1", "1").await;
    assert!(
        started["text"]
            .as_str()
            .unwrap()
            .contains("đợt 1 hỏi 1 người"),
        "{started}"
    );
    let ask = oa
        .fake
        .sent
        .wait_for("z1", before_ask + 1, Duration::from_secs(10))
        .await
        .pop()
        .unwrap();
    assert!(
        ask["text"].as_str().unwrap().contains("CẦN MÁU GẤP"),
        "{ask}"
    );
    let answers = buttons(&ask);
    assert_eq!(answers.len(), 2, "{ask}");
    assert!(answers[0].ends_with(":yes") && answers[1].ends_with(":no"));

    // She reads her profile first, then taps "I can come" on the ask.
    oa.say("z1", "/profile").await;
    let before_tally = oa.fake.sent.to("c1").len();
    let r = oa.say("z1", &answers[0]).await;
    assert!(r["text"].as_str().unwrap().contains("Mã nhận lời"), "{r}");

    // The coordinator's tally, with its button; tapping it opens the call-out.
    let tally = oa
        .fake
        .sent
        .wait_for("c1", before_tally + 1, Duration::from_secs(10))
        .await
        .pop()
        .unwrap();
    assert!(
        tally["text"].as_str().unwrap().contains("Nhận lời 1/2"),
        "{tally}"
    );
    let manage = buttons(&tally);
    assert_eq!(manage.len(), 1, "{tally}");
    assert!(manage[0].ends_with(":manage"));
    let menu = oa.say("c1", &manage[0]).await;
    assert!(menu["text"].as_str().unwrap().contains("Gia hạn"), "{menu}");
    // The donor cannot open it.
    let r = oa.say("z1", &manage[0]).await;
    assert!(
        r["text"].as_str().unwrap().contains("không có quyền"),
        "{r}"
    );
    oa.stop().await;
}

/// A donor who agreed to the consent text before it named Zalo notifications by phone gets no
/// template; at their next message they are asked once (buttons on the OA), and once they
/// agree, the consent record of the new text is written and templates may reach them.
#[tokio::test]
async fn a_donor_on_the_old_consent_gets_templates_only_after_agreeing_to_the_new_text() {
    use hienmau::cli::{AdminAction, admin};
    let dir = tempfile::tempdir().unwrap();
    let mut oa = Oa::with_templates(dir.path(), 10_000, 10_000).await;
    let db = oa.db.clone();
    register(&mut oa, "z1", "84912345031", "5", false).await;
    crate::seed::exec(&db, "UPDATE consents SET text_version = '2026-11-v1'").await;
    oa.later(10 * 24).await;
    oa.settled().await;
    assert_eq!(
        oa.fake.templates.count(),
        0,
        "the old text did not name templates"
    );

    let asked = oa.say("z1", "/profile").await;
    assert!(
        asked["text"]
            .as_str()
            .unwrap()
            .contains("vừa được cập nhật"),
        "{asked}"
    );
    assert_eq!(buttons(&asked), ["agree", "disagree"]);
    let n = oa.fake.sent.to("z1").len();
    oa.event(
        json!({"event_name": "user_send_text", "sender": {"id": "z1"},
        "recipient": {"id": "oa"}, "message": {"msg_id": "renew-1", "text": "agree"}}),
    )
    .await;
    let got = oa
        .fake
        .sent
        .wait_for("z1", n + 1, Duration::from_secs(10))
        .await;
    let text = got[n]["text"].as_str().unwrap();
    assert!(
        text.contains("điều khoản mới") && text.contains("Võ Thị Sáu"),
        "{text}"
    );
    assert_eq!(
        crate::seed::count(
            &db,
            "SELECT COUNT(*) FROM consents WHERE text_version = '2026-12-v2'"
        )
        .await,
        1
    );
    // Not asked again.
    let r = oa.say("z1", "/profile").await;
    assert!(
        !r["text"].as_str().unwrap().contains("vừa được cập nhật"),
        "{r}"
    );

    // Eight days of silence later, an urgent ask reaches the phone by template.
    oa.later(8 * 24).await;
    admin(
        &oa.app,
        AdminAction::Grant {
            role: "coordinator".into(),
            account: "zalo_oa:c1".into(),
            province: None,
        },
    )
    .await
    .unwrap();
    oa.say(
        "c1",
        "/callout O-; toàn phần; 1; BV Việt Tiệp; 1 Nhà Thương; Hải Phòng; 18h",
    )
    .await;
    oa.say("c1", "1").await;
    let asks = oa
        .fake
        .templates
        .wait_for("84912345031", 1, Duration::from_secs(10))
        .await;
    assert_eq!(asks[0]["template_id"], "401002", "{}", asks[0]);
    oa.stop().await;
}

/// Outside the OA's window and with no template for the kind, a reminder goes through the
/// donor's other account (here Telegram, an account the donor wrote from less recently).
#[tokio::test]
async fn outside_the_window_without_a_template_the_donors_other_account_takes_it() {
    init_logs();
    let dir = tempfile::tempdir().unwrap();
    let fake = FakeZaloOa::start(APP_ID).await;
    let telegram = crate::fake_telegram::FakeTelegram::start("123:oa-test").await;
    let extra = [
        ("TELEGRAM_BOT_TOKEN", "123:oa-test".to_string()),
        ("TELEGRAM_API_URL", telegram.url.clone()),
    ];
    let mut oa = Oa::configured(dir.path(), fake, None, &extra).await;
    let db = oa.db.clone();
    register(&mut oa, "z1", "84912345041", "5", false).await;
    // The same donor on Telegram, last seen before the OA account.
    crate::seed::exec(
        &db,
        "INSERT INTO channel_identities (channel, external_id, chat_id, donor_id, first_seen_at, \
         last_seen_at) SELECT 'telegram', '7001', '7001', donor_id, 1, 1 FROM channel_identities \
         WHERE channel = 'zalo_oa' AND external_id = 'z1'",
    )
    .await;
    let before = oa.fake.sent.to("z1").len();
    oa.later(10 * 24).await;
    let got = telegram.wait_for(7001, 1, Duration::from_secs(10)).await;
    assert!(got[0].text.contains("hiến máu trở lại"), "{}", got[0].text);
    oa.settled().await;
    assert_eq!(
        oa.fake.sent.to("z1").len(),
        before,
        "nothing tried on the OA"
    );
    assert_eq!(oa.fake.attempts("z1") as usize, before, "not even once");
    oa.stop().await;
}
