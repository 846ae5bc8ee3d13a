//! A platform's batch of updates is handled as one unit of work: these cases only arise when
//! several updates of one person, or one update twice, arrive in the same batch.

use crate::support::TestDb;
use hienmau::app::{App, Handled, ManualClock};
use hienmau::channels::{Channel, ChannelKind, Inbound, Outbound};
use hienmau::config::Config;
use hienmau::engine::Input;
use hienmau::store::Lane;
use std::sync::Arc;

/// The test's folder and database, kept for a reopen.
struct Place {
    _dir: tempfile::TempDir,
    db: TestDb,
}

async fn app() -> (Place, App) {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new(dir.path().join("b.db")).await;
    let app = open(&db).await;
    (Place { _dir: dir, db }, app)
}

/// The app on the database in `dir`.
async fn open(db: &TestDb) -> App {
    let url = db.url.clone();
    let config = Config::load(None, |k| (k == "DATABASE_URL").then(|| url.clone())).unwrap();
    App::open(
        config,
        Arc::new(ManualClock::new(crate::support::start_time())),
    )
    .await
    .unwrap()
}

fn tg(update: u32, user: &str, text: &str) -> Inbound {
    Inbound {
        channel: Channel::of(ChannelKind::Telegram),
        event_key: Some(update.to_string()),
        user: user.to_string(),
        chat_id: user.to_string(),
        input: Input::Text(text.to_string()),
    }
}

async fn outbox_texts(app: &App, chat: &str) -> Vec<String> {
    let scope = hienmau::store::Scope::Chat {
        channel: Channel::of(ChannelKind::Telegram),
        chat_id: chat.into(),
    };
    app.store()
        .due(&scope, i64::MAX, 100, Lane::Bulk)
        .await
        .unwrap()
        .into_iter()
        .map(|r| serde_json::from_str::<Outbound>(&r.body).unwrap().text)
        .collect()
}

#[tokio::test]
async fn one_persons_messages_in_one_batch_follow_each_other() {
    let (_dir, app) = app().await;
    let done = app
        .handle_batch(vec![
            tg(1, "9", "/start"),
            tg(2, "8", "/start"),
            tg(3, "9", "1"),
            tg(4, "9", "Lê Thị Hồng"),
            tg(3, "9", "1"), // the same update again, inside the batch
        ])
        .await
        .unwrap();
    assert_eq!(done.last(), Some(&Handled::Duplicate));
    let texts = outbox_texts(&app, "9").await;
    assert_eq!(texts.len(), 3, "{texts:#?}");
    assert!(
        texts[1].contains("Họ và tên") && texts[2].contains("Số điện thoại"),
        "{texts:#?}"
    );
    let donor = app
        .store()
        .donor_of("telegram", "9")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(donor.name.as_deref(), Some("Lê Thị Hồng"));
    // A later batch with an update already handled changes nothing.
    let again = app
        .handle_batch(vec![tg(4, "9", "Lê Thị Hồng")])
        .await
        .unwrap();
    assert_eq!(again, [Handled::Duplicate]);
    assert_eq!(outbox_texts(&app, "9").await.len(), 3);
}

#[tokio::test]
async fn erasure_inside_a_batch_then_a_new_message_starts_afresh() {
    let (_dir, app) = app().await;
    app.handle_batch(vec![
        tg(1, "9", "/start"),
        tg(2, "9", "1"),
        tg(3, "9", "Vũ Minh Tâm"),
    ])
    .await
    .unwrap();
    let done = app
        .handle_batch(vec![
            tg(4, "9", "/delete"),
            tg(5, "9", "1"),
            tg(6, "9", "xin chào"),
        ])
        .await
        .unwrap();
    assert_eq!(done, [Handled::Replied; 3]);
    assert!(
        app.store()
            .donor_of("telegram", "9")
            .await
            .unwrap()
            .is_none()
    );
    let texts = outbox_texts(&app, "9").await;
    // The rows queued for the erased account went with it; the goodbye and the new welcome
    // (to a new, consent-less account) remain.
    assert!(texts.iter().any(|t| t.contains("Đã xoá")), "{texts:#?}");
    assert!(
        texts.last().unwrap().contains("Bạn có đồng ý không?"),
        "{texts:#?}"
    );
    assert!(
        !texts.iter().any(|t| t.contains("Vũ Minh Tâm")),
        "{texts:#?}"
    );
}

fn on(channel: ChannelKind, update: u32, user: &str, input: Input) -> Inbound {
    Inbound {
        channel: Channel::of(channel),
        event_key: Some(format!("{update}")),
        user: user.to_string(),
        chat_id: user.to_string(),
        input,
    }
}

fn text(s: &str) -> Input {
    Input::Text(s.to_string())
}

/// Registers a donor on Telegram with a phone shared through the contact button.
async fn telegram_donor(app: &App, phone: &str) {
    let own = Input::Contact {
        phone: phone.into(),
        own: true,
    };
    let steps = [
        text("/start"),
        text("1"),
        text("Hà Văn Lực"),
        own,
        text("1/1/1990"),
        text("nam"),
        text("60"),
        text("A+"),
        text("Hà Nội"),
        text("bỏ qua"),
        text("chưa"),
        text("không"),
        text("1"),
    ];
    for (i, input) in steps.into_iter().enumerate() {
        app.handle(on(ChannelKind::Telegram, i as u32 + 1, "t1", input))
            .await
            .unwrap();
    }
    assert!(
        app.store()
            .donor_of("telegram", "t1")
            .await
            .unwrap()
            .unwrap()
            .registered_at
            .is_some()
    );
}

/// A new person on the Zalo OA consents and gives a name; the phone question comes next.
async fn oa_until_phone(app: &App, user: &str, name: &str) {
    for (n, t) in [(1, "/start"), (2, "1"), (3, name)] {
        app.handle(on(ChannelKind::ZaloOa, 100 + n, user, text(t)))
            .await
            .unwrap();
    }
}

async fn last_text(app: &App, channel: &str, chat: &str) -> String {
    let scope = hienmau::store::Scope::Chat {
        channel: Channel::from_code(channel).unwrap(),
        chat_id: chat.into(),
    };
    let rows = app
        .store()
        .due(&scope, i64::MAX, 100, Lane::Bulk)
        .await
        .unwrap();
    serde_json::from_str::<Outbound>(&rows.last().unwrap().body)
        .unwrap()
        .text
}

#[tokio::test]
async fn a_phone_verified_on_two_platforms_joins_the_accounts() {
    let (_dir, app) = app().await;
    telegram_donor(&app, "84912345678").await;
    let oa = |n: u32, input| on(ChannelKind::ZaloOa, 100 + n, "z1", input);
    oa_until_phone(&app, "z1", "Lực").await;
    app.handle(oa(
        4,
        Input::Contact {
            phone: "84912345678".into(),
            own: true,
        },
    ))
    .await
    .unwrap();

    let on_telegram = app
        .store()
        .donor_of("telegram", "t1")
        .await
        .unwrap()
        .unwrap();
    let on_zalo = app
        .store()
        .donor_of("zalo_oa", "z1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(on_zalo, on_telegram, "one donor, one profile");
    assert_eq!(on_zalo.name.as_deref(), Some("Hà Văn Lực"));
    let reply = last_text(&app, "zalo_oa", "z1").await;
    assert!(reply.contains("gộp hai tài khoản"), "{reply}");

    // A preference set on one account is seen from the other.
    app.handle(oa(5, text("/pause"))).await.unwrap();
    assert!(
        app.store()
            .donor_of("telegram", "t1")
            .await
            .unwrap()
            .unwrap()
            .paused
    );

    // A proactive row that cannot go out on the OA goes through Telegram instead.
    let body = serde_json::to_string(&Outbound {
        text: "Thư mời".into(),
        ..Outbound::default()
    })
    .unwrap();
    let mut tx = app.store().begin().await.unwrap();
    let identity = app.store().identity_id("zalo_oa", "z1").await.unwrap();
    let row = hienmau::store::NewMessage {
        idempotency_key: Some("invite".into()),
        channel: hienmau::channels::Channel::of(ChannelKind::ZaloOa),
        chat_id: "z1",
        identity_id: identity,
        lane: hienmau::store::Lane::Bulk,
        body,
        not_before: 0,
        broadcast_id: None,
    };
    tx.enqueue(&[row], 0).await.unwrap();
    tx.commit().await.unwrap();
    let scope = hienmau::store::Scope::Chat {
        channel: Channel::of(ChannelKind::ZaloOa),
        chat_id: "z1".into(),
    };
    let due = app
        .store()
        .due(&scope, i64::MAX, 100, Lane::Bulk)
        .await
        .unwrap();
    let invite = due
        .into_iter()
        .find(|r| r.body.contains("Thư mời"))
        .unwrap();
    app.store().claim(&[invite.id], i64::MAX).await.unwrap();
    assert!(app.store().reroute(&invite, 0).await.unwrap());
    assert_eq!(last_text(&app, "telegram", "t1").await, "Thư mời");
}

#[tokio::test]
async fn a_typed_phone_never_joins_accounts() {
    let (_dir, app) = app().await;
    telegram_donor(&app, "84912345678").await;
    let oa = |n: u32, input| on(ChannelKind::ZaloOa, 100 + n, "z2", input);
    oa_until_phone(&app, "z2", "Kẻ Mạo Danh").await;
    app.handle(oa(4, text("0912 345 678"))).await.unwrap();
    let zalo = app
        .store()
        .donor_of("zalo_oa", "z2")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        zalo.name.as_deref(),
        Some("Kẻ Mạo Danh"),
        "a separate donor"
    );
    assert!(!zalo.phone_verified);
    let telegram = app
        .store()
        .donor_of("telegram", "t1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(telegram.name.as_deref(), Some("Hà Văn Lực"));
    assert!(!last_text(&app, "zalo_oa", "z2").await.contains("gộp"));
}

#[tokio::test]
async fn a_flooding_account_is_slowed_down_and_others_are_served() {
    let dir = tempfile::tempdir().unwrap();
    let url = TestDb::new(dir.path().join("f.db")).await.url;
    let mut config = Config::load(None, |k| (k == "DATABASE_URL").then(|| url.clone())).unwrap();
    config.limits.inbound_per_minute = 5;
    let clock = Arc::new(ManualClock::new(crate::support::start_time()));
    let app = App::open(config, clock.clone()).await.unwrap();

    let batch: Vec<Inbound> = (1..=9)
        .map(|n| tg(n, "spam", "/help"))
        .chain([tg(100, "calm", "/start")])
        .collect();
    let done = app.handle_batch(batch).await.unwrap();
    assert_eq!(
        done.iter().filter(|h| **h == Handled::Replied).count(),
        6,
        "{done:?}"
    );
    assert_eq!(done.iter().filter(|h| **h == Handled::Throttled).count(), 4);
    let texts = outbox_texts(&app, "spam").await;
    assert_eq!(texts.len(), 6, "five answers and one notice: {texts:#?}");
    assert!(texts[5].contains("nhanh quá"), "{texts:#?}");
    assert_eq!(
        outbox_texts(&app, "calm").await.len(),
        1,
        "another account is served"
    );

    // A minute later the account is heard again.
    clock.advance(chrono::Duration::seconds(61));
    assert_eq!(
        app.handle(tg(200, "spam", "/help")).await.unwrap(),
        Handled::Replied
    );
}

/// A database out of reach is a failure a retry may fix: nothing is skipped, the error goes
/// back to the poller (or the webhook answers 503), and once the database is back the same
/// update is handled as new.
#[tokio::test]
async fn a_database_out_of_reach_skips_nothing_and_the_update_is_handled_once_back() {
    let (dir, app) = app().await;
    app.store().close().await;
    let failed = app
        .handle_polled(vec![tg(1, "u1", "/start")])
        .await
        .unwrap_err();
    assert!(failed.is_retry(), "{failed}");
    let app = open(&dir.db).await;
    assert_eq!(app.store().counter("inbound_skipped").await.unwrap(), 0);
    app.handle_polled(vec![tg(1, "u1", "/start")])
        .await
        .unwrap();
    let texts = outbox_texts(&app, "u1").await;
    assert_eq!(texts.len(), 1, "{texts:?}");
    assert!(texts[0].contains("hienmau"), "{}", texts[0]);
}

/// One number from the database, counted by the test itself.
async fn count(place: &Place, sql: &str) -> i64 {
    crate::seed::count(place.db.url.as_str(), sql).await
}

/// New donors are written together at the end of a batch (and phones are checked against
/// the batch as it stands): two people typing one phone in one batch, the second is asked
/// for another; each has her own donor record and consent; a phone stored by an earlier
/// batch is refused too.
#[tokio::test]
async fn a_phone_typed_twice_in_one_batch_is_refused_to_the_second_person() {
    let (place, app) = app().await;
    let done = app
        .handle_batch(vec![
            tg(1, "8", "/start"),
            tg(2, "9", "/start"),
            tg(3, "8", "1"),
            tg(4, "9", "1"),
            tg(5, "8", "Lê Thị Hồng"),
            tg(6, "9", "Trần Văn Nam"),
            tg(7, "8", "0912 345 678"),
            tg(8, "9", "0912.345.678"),
        ])
        .await
        .unwrap();
    assert_eq!(done, [Handled::Replied; 8]);
    let hong = outbox_texts(&app, "8").await;
    let nam = outbox_texts(&app, "9").await;
    assert!(hong.last().unwrap().contains("Ngày sinh"), "{hong:#?}");
    assert!(
        nam.last()
            .unwrap()
            .contains("đã được dùng cho một hồ sơ đăng ký khác"),
        "{nam:#?}"
    );
    assert_eq!(
        count(
            &place,
            "SELECT COUNT(*) FROM donors d JOIN channel_identities i ON i.donor_id = d.id \
             WHERE (i.external_id = '8' AND d.full_name = 'Lê Thị Hồng' \
                    AND d.phone = '+84912345678') \
                OR (i.external_id = '9' AND d.full_name = 'Trần Văn Nam' AND d.phone IS NULL)"
        )
        .await,
        2,
        "each account has its own donor, only the first with the phone"
    );
    assert_eq!(
        count(
            &place,
            "SELECT COUNT(DISTINCT donor_id) FROM consents WHERE donor_id IN \
             (SELECT donor_id FROM channel_identities)"
        )
        .await,
        2
    );
    // The next batch reads it from the database.
    app.handle_batch(vec![
        tg(9, "7", "/start"),
        tg(10, "7", "1"),
        tg(11, "7", "Đỗ Minh"),
        tg(12, "7", "+84 912 345 678"),
    ])
    .await
    .unwrap();
    let minh = outbox_texts(&app, "7").await;
    assert!(
        minh.last()
            .unwrap()
            .contains("đã được dùng cho một hồ sơ đăng ký khác"),
        "{minh:#?}"
    );
}

/// A donor created in a batch and erased later in the same batch leaves nothing.
#[tokio::test]
async fn a_donor_created_and_erased_in_one_batch_leaves_nothing() {
    let (place, app) = app().await;
    let done = app
        .handle_batch(vec![
            tg(1, "9", "/start"),
            tg(2, "9", "1"),
            tg(3, "8", "/start"),
            tg(4, "8", "1"),
            tg(5, "9", "/delete"),
            tg(6, "9", "1"),
        ])
        .await
        .unwrap();
    assert_eq!(done, [Handled::Replied; 6]);
    assert!(
        outbox_texts(&app, "9")
            .await
            .iter()
            .any(|t| t.contains("Đã xoá"))
    );
    assert_eq!(count(&place, "SELECT COUNT(*) FROM donors").await, 1);
    assert_eq!(count(&place, "SELECT COUNT(*) FROM consents").await, 1);
    assert_eq!(
        count(
            &place,
            "SELECT COUNT(*) FROM channel_identities WHERE external_id = '8' \
             AND donor_id = (SELECT id FROM donors)"
        )
        .await,
        1,
        "the other new donor is kept, linked"
    );
}
