//! A platform's batch of updates is handled as one unit of work: these cases only arise when
//! several updates of one person, or one update twice, arrive in the same batch.

use hienmau::app::{App, Handled, ManualClock};
use hienmau::channels::{ChannelKind, Inbound, Outbound};
use hienmau::config::Config;
use hienmau::engine::Input;
use std::sync::Arc;

async fn app() -> (tempfile::TempDir, App) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("b.db").display());
    let config = Config::load(None, |k| (k == "DATABASE_URL").then(|| url.clone())).unwrap();
    let app = App::open(
        config,
        Arc::new(ManualClock::new(crate::support::start_time())),
    )
    .await
    .unwrap();
    (dir, app)
}

fn tg(update: u32, user: &str, text: &str) -> Inbound {
    Inbound {
        channel: ChannelKind::Telegram,
        event_key: Some(update.to_string()),
        user: user.to_string(),
        chat_id: user.to_string(),
        input: Input::Text(text.to_string()),
    }
}

async fn outbox_texts(app: &App, chat: &str) -> Vec<String> {
    let scope = hienmau::store::Scope::Chat {
        channel: "telegram".into(),
        chat_id: chat.into(),
    };
    app.store()
        .due(&scope, i64::MAX, 100)
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
