//! A Zalo Official Account end to end: signed webhook events in, consultation messages out,
//! tokens refreshed and stored before use.

use crate::fake_zalo_oa::{APP_SECRET, FakeZaloOa};
use crate::support::{init_logs, start_time};
use hienmau::app::{App, ManualClock};
use hienmau::channels::zalo_oa::signature_hex;
use hienmau::config::{Config, DeliveryConfig};
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
}

async fn open(dir: &Path, fake: &FakeZaloOa, clock: Arc<ManualClock>) -> (App, Running) {
    let env: HashMap<&str, String> = HashMap::from([
        ("ZALO_OA_MONTHLY_QUOTA", "1".into()),
        (
            "DATABASE_URL",
            format!("sqlite://{}", dir.join("oa.db").display()),
        ),
        ("ZALO_OA_APP_ID", APP_ID.into()),
        ("ZALO_OA_SECRET_KEY", OA_SECRET.into()),
        ("ZALO_OA_APP_SECRET", APP_SECRET.into()),
        ("ZALO_OA_ACCESS_TOKEN", "acc-0".into()),
        ("ZALO_OA_REFRESH_TOKEN", "ref-0".into()),
        ("ZALO_OA_API_URL", fake.url.clone()),
        ("ZALO_OA_OAUTH_URL", fake.url.clone()),
        ("HIENMAU_LISTEN", "127.0.0.1:0".into()),
    ]);
    let mut config = Config::load(None, |k| env.get(k).cloned()).unwrap();
    config.delivery = DeliveryConfig::unlimited();
    let app = App::open(config, clock).await.unwrap();
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
        let clock = Arc::new(ManualClock::new(start_time()));
        let (app, running) = open(dir, &fake, clock.clone()).await;
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
    tokio::time::sleep(Duration::from_millis(100)).await;
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
    let mut oa = Oa::with(dir.path(), fake).await;
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
    crate::support::wait_until_unreachable(&oa.app, "zalo_oa", "z5").await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(oa.fake.attempts("z5"), 1, "-230 is not retried");
    assert_eq!(
        oa.app.store().outbox_status_counts().await.unwrap(),
        [("unreachable".to_string(), 1)]
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
async fn the_monthly_quota_holds_proactive_messages_until_next_month() {
    use hienmau::channels::Outbound;
    use hienmau::store::{Lane, NewMessage};
    let dir = tempfile::tempdir().unwrap();
    let mut oa = Oa::start(dir.path()).await;
    oa.say("z7", "/start").await;
    // Two days later the person has not written again: messages now are proactive.
    oa.clock.advance(chrono::Duration::hours(49));
    let body = serde_json::to_string(&Outbound {
        text: "Ngày hội hiến máu…".into(),
        ..Outbound::default()
    })
    .unwrap();
    let rows: Vec<NewMessage> = (0..2)
        .map(|_| NewMessage {
            idempotency_key: None,
            channel: hienmau::channels::ChannelKind::ZaloOa,
            chat_id: "z7",
            identity_id: None,
            lane: Lane::Bulk,
            body: body.clone(),
            not_before: 0,
            broadcast_id: None,
        })
        .collect();
    let mut tx = oa.app.store().begin().await.unwrap();
    tx.enqueue(&rows, 0).await.unwrap();
    tx.commit().await.unwrap();
    oa.app.outbox_added().notify_one();
    oa.fake
        .sent
        .wait_for("z7", 2, Duration::from_secs(10))
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        oa.fake.sent.to("z7").len(),
        2,
        "the reply and one proactive message; the quota (1) holds the other"
    );
    let usage = oa.app.store().quota_usage().await.unwrap();
    assert_eq!(usage, [("zalo_oa".to_string(), "2026-11".to_string(), 1)]);
    let counts = oa.app.store().outbox_status_counts().await.unwrap();
    assert_eq!(
        counts,
        [("pending".to_string(), 1), ("sent".to_string(), 2)]
    );

    // A new month, a new quota.
    oa.clock.advance(chrono::Duration::days(9));
    oa.fake
        .sent
        .wait_for("z7", 3, Duration::from_secs(10))
        .await;
    let usage = oa.app.store().quota_usage().await.unwrap();
    assert_eq!(usage[0], ("zalo_oa".to_string(), "2026-12".to_string(), 1));
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
