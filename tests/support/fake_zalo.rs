//! A fake Zalo Bot Platform server on 127.0.0.1, speaking its wire format: `POST
//! /bot{token}/{method}` with JSON, `{"ok":true,"result":…}` or `{"ok":false,"error_code":N,
//! "description":…}`. getUpdates hands out one update per call and answers 408 when none
//! arrives in time; sendMessage refuses texts over 2,000 characters, as the platform does.

#![allow(dead_code)]

use super::mailbox::Mailbox;
use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::post;
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Notify;

/// The longest wait the fake grants a getUpdates call (the bot asks for more).
const MAX_POLL: Duration = Duration::from_millis(300);

#[derive(Default)]
struct Inner {
    queue: VecDeque<Value>,
    next_id: u64,
    webhook: Option<(String, String)>,
    polls_answered_408: u64,
    refused: u64,
}

#[derive(Clone)]
pub struct FakeZalo {
    pub url: String,
    inner: Arc<Mutex<Inner>>,
    new_update: Arc<Notify>,
    pub sent: Arc<Mailbox<String>>,
}

#[derive(Clone)]
struct Shared {
    token: String,
    inner: Arc<Mutex<Inner>>,
    new_update: Arc<Notify>,
    sent: Arc<Mailbox<String>>,
}

impl FakeZalo {
    pub async fn start(token: &str) -> FakeZalo {
        let shared = Shared {
            token: token.to_string(),
            inner: Arc::new(Mutex::new(Inner::default())),
            new_update: Arc::new(Notify::new()),
            sent: Arc::new(Mailbox::default()),
        };
        let app = Router::new()
            .route("/{bot}/{method}", post(handle))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        FakeZalo {
            url: format!("http://{addr}"),
            inner: shared.inner,
            new_update: shared.new_update,
            sent: shared.sent,
        }
    }

    /// An event from `user` in a private chat (chat id = "c" + user id).
    pub fn event(user: &str, event_name: &str, extra: Value, id: u64) -> Value {
        let mut message = json!({
            "message_id": format!("msg{id}"),
            "date": 1_795_000_000_000i64,
            "from": {"id": user, "display_name": "Người dùng", "is_bot": false},
            "chat": {"id": format!("c{user}"), "chat_type": "PRIVATE"},
        });
        message
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        json!({"event_name": event_name, "message": message})
    }

    fn push(&self, event_name: &str, user: &str, extra: Value) {
        {
            let mut st = self.inner.lock().unwrap();
            st.next_id += 1;
            let id = st.next_id;
            st.queue.push_back(Self::event(user, event_name, extra, id));
        }
        self.new_update.notify_waiters();
    }

    pub fn text(&self, user: &str, text: &str) {
        self.push("message.text.received", user, json!({"text": text}));
    }

    pub fn sticker(&self, user: &str) {
        self.push("message.sticker.received", user, json!({"sticker": "s1"}));
    }

    pub fn to(&self, user: &str) -> Vec<String> {
        self.sent.to(&format!("c{user}"))
    }

    pub async fn wait_for(&self, user: &str, n: usize) -> Vec<String> {
        self.sent
            .wait_for(&format!("c{user}"), n, Duration::from_secs(10))
            .await
    }

    pub fn webhook(&self) -> Option<(String, String)> {
        self.inner.lock().unwrap().webhook.clone()
    }

    pub fn polls_answered_408(&self) -> u64 {
        self.inner.lock().unwrap().polls_answered_408
    }

    pub fn refused(&self) -> u64 {
        self.inner.lock().unwrap().refused
    }
}

fn ok(result: Value) -> (StatusCode, Json<Value>) {
    (StatusCode::OK, Json(json!({"ok": true, "result": result})))
}

fn err(code: u16, description: &str) -> (StatusCode, Json<Value>) {
    let body = json!({"ok": false, "error_code": code, "description": description});
    (
        StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_REQUEST),
        Json(body),
    )
}

async fn handle(
    State(s): State<Shared>,
    Path((bot, method)): Path<(String, String)>,
    body: Option<Json<Value>>,
) -> (StatusCode, Json<Value>) {
    if bot != format!("bot{}", s.token) {
        return err(401, "Unauthorized");
    }
    let body = body.map(|Json(v)| v).unwrap_or(Value::Null);
    match method.as_str() {
        "getMe" => ok(
            json!({"id": "b1", "account_name": "hienmau.bot", "account_type": "BASIC",
                             "can_join_groups": false}),
        ),
        "setWebhook" => {
            let url = body["url"].as_str().unwrap_or("").to_string();
            let secret = body["secret_token"].as_str().unwrap_or("").to_string();
            s.inner.lock().unwrap().webhook = Some((url.clone(), secret));
            ok(json!({"url": url, "updated_at": 1}))
        }
        "deleteWebhook" => ok(json!({"url": "", "updated_at": 1})),
        "getUpdates" => {
            let deadline = tokio::time::Instant::now() + MAX_POLL;
            loop {
                let notified = s.new_update.notified();
                if let Some(update) = s.inner.lock().unwrap().queue.pop_front() {
                    return ok(update);
                }
                if tokio::time::timeout_at(deadline, notified).await.is_err() {
                    s.inner.lock().unwrap().polls_answered_408 += 1;
                    return err(408, "Request timeout");
                }
            }
        }
        "sendMessage" => {
            let chat = body["chat_id"].as_str().unwrap_or("").to_string();
            let text = body["text"].as_str().unwrap_or("").to_string();
            if text.is_empty() || text.chars().count() > 2000 {
                s.inner.lock().unwrap().refused += 1;
                return err(400, "Bad Request: text must be 1-2000 characters");
            }
            s.sent.push(&chat, text);
            ok(
                json!({"message_id": format!("out-{}", s.sent.count()), "date": 1_795_000_000_000i64}),
            )
        }
        "sendChatAction" => ok(json!(true)),
        _ => err(404, "Not Found"),
    }
}
