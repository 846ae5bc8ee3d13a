//! A fake Telegram Bot API server on 127.0.0.1, speaking the real wire format: the bot under
//! test talks to it over HTTP exactly as it would to api.telegram.org. Tests push updates in
//! and read what the bot sent; failures (429, 403) are injected per chat.
//!
//! Shared by the integration tests and the benchmarks (`#[path]` include).

#![allow(dead_code)]

use super::mailbox::Mailbox;
use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::post;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Notify;

#[derive(Debug, Clone)]
pub struct Sent {
    pub chat_id: i64,
    /// The message's id in its chat (an edit carries the id of the message it changed).
    pub message_id: i64,
    pub text: String,
    pub reply_markup: Value,
    pub at: Instant,
}

impl Sent {
    /// Values of the inline buttons, in order.
    pub fn button_values(&self) -> Vec<String> {
        self.reply_markup["inline_keyboard"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|row| row.as_array().into_iter().flatten())
            .filter_map(|b| b["callback_data"].as_str().map(str::to_string))
            .collect()
    }

    /// Labels of the inline buttons, one a line.
    pub fn buttons_text(&self) -> String {
        self.reply_markup["inline_keyboard"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|row| row.as_array().into_iter().flatten())
            .filter_map(|b| b["text"].as_str().map(str::to_string))
            .collect::<Vec<_>>()
            .join("\n")
    }

    pub fn asks_for_contact(&self) -> bool {
        self.reply_markup["keyboard"][0][0]["request_contact"] == json!(true)
    }
}

#[derive(Debug, Clone, Copy)]
pub enum Failure {
    /// Answer 429 with this retry_after, this many times.
    RetryAfter { secs: u64, times: u32 },
    /// Answer 403 "bot was blocked by the user", always.
    Blocked,
}

/// Telegram's flood limits, enforced as the real server would: beyond them a sendMessage is
/// refused with 429 and a retry_after.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Messages accepted in any sliding second, over all chats.
    pub per_second: usize,
    /// Least time between two messages accepted for one chat.
    pub chat_interval: Duration,
}

impl Limits {
    /// Telegram's published caps: 30 messages a second, one a second per chat.
    pub fn telegram() -> Limits {
        Limits {
            per_second: 30,
            chat_interval: Duration::from_secs(1),
        }
    }
}

#[derive(Default)]
struct Inner {
    limits: Option<Limits>,
    /// How long a sendMessage or editMessageText waits, after the message is taken, before it
    /// is answered: a platform far away (a process stopped in between never learns the send
    /// went through).
    reply_delay: Duration,
    /// Times of accepted sends within the last second (for `limits`).
    recent: std::collections::VecDeque<Instant>,
    last_to_chat: HashMap<i64, Instant>,
    too_many: u64,
    updates: Vec<Value>,
    next_update_id: i64,
    next_message_id: i64,
    /// Every sendMessage call, including refused ones: (chat, when, accepted).
    attempts: Vec<(i64, Instant, bool)>,
    callbacks_answered: Vec<String>,
    failures: HashMap<i64, Failure>,
    calls: HashMap<String, u64>,
    webhook_request: String,
    /// Each message as it now reads, by (chat, message id): edits change it.
    messages: HashMap<(i64, i64), (String, Value)>,
}

#[derive(Clone)]
pub struct FakeTelegram {
    pub url: String,
    pub token: String,
    inner: Arc<Mutex<Inner>>,
    new_update: Arc<Notify>,
    pub sent: Arc<Mailbox<Sent>>,
    /// Every accepted editMessageText, by chat.
    pub edited: Arc<Mailbox<Sent>>,
}

#[derive(Clone)]
struct Shared {
    token: String,
    inner: Arc<Mutex<Inner>>,
    new_update: Arc<Notify>,
    sent: Arc<Mailbox<Sent>>,
    edited: Arc<Mailbox<Sent>>,
}

impl FakeTelegram {
    pub async fn start(token: &str) -> FakeTelegram {
        let inner = Arc::new(Mutex::new(Inner {
            next_update_id: 1000,
            ..Inner::default()
        }));
        let shared = Shared {
            token: token.to_string(),
            inner: inner.clone(),
            new_update: Arc::new(Notify::new()),
            sent: Arc::new(Mailbox::default()),
            edited: Arc::new(Mailbox::default()),
        };
        let app = Router::new()
            .route("/{bot}/{method}", post(handle))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        FakeTelegram {
            url: format!("http://{addr}"),
            token: token.to_string(),
            inner,
            new_update: shared.new_update,
            sent: shared.sent,
            edited: shared.edited,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap()
    }

    fn push(&self, make: impl FnOnce(i64) -> Value) -> i64 {
        let id = {
            let mut s = self.lock();
            s.next_update_id += 1;
            let id = s.next_update_id;
            let update = make(id);
            s.updates.push(update);
            id
        };
        self.new_update.notify_waiters();
        id
    }

    fn user(id: i64) -> Value {
        json!({"id": id, "is_bot": false, "first_name": "Người dùng"})
    }

    fn message(id: i64, user: i64, extra: Value) -> Value {
        let mut m = json!({
            "message_id": id,
            "date": 1_795_000_000,
            "chat": {"id": user, "type": "private", "first_name": "Người dùng"},
            "from": Self::user(user),
        });
        m.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        m
    }

    /// The person `user` types `text` in their private chat with the bot.
    pub fn text(&self, user: i64, text: &str) -> i64 {
        self.push(|id| {
            json!({"update_id": id, "message": Self::message(id, user, json!({"text": text}))})
        })
    }

    /// The person taps "share my phone" (`owner` is whose contact it is).
    pub fn contact(&self, user: i64, phone: &str, owner: i64) -> i64 {
        self.push(|id| {
            json!({"update_id": id, "message": Self::message(id, user, json!({
                "contact": {"phone_number": phone, "first_name": "Người dùng", "user_id": owner}
            }))})
        })
    }

    pub fn sticker(&self, user: i64) -> i64 {
        self.push(|id| {
            json!({"update_id": id, "message": Self::message(id, user, json!({
                "sticker": {"file_id": "f", "file_unique_id": "u", "type": "regular",
                            "width": 512, "height": 512, "is_animated": false, "is_video": false}
            }))})
        })
    }

    /// The person taps an inline button with this callback data.
    pub fn tap(&self, user: i64, data: &str) -> i64 {
        self.push(|id| {
            json!({"update_id": id, "callback_query": {
                "id": format!("cb{id}"),
                "chat_instance": "ci",
                "data": data,
                "from": Self::user(user),
                "message": Self::message(id, user, json!({"text": "…"})),
            }})
        })
    }

    /// Number the next updates after `id`: a bot moved to a new database keeps talking to
    /// the same Telegram bot, whose update ids go on from where they were.
    pub fn continue_updates_after(&self, id: i64) {
        let mut s = self.lock();
        s.next_update_id = s.next_update_id.max(id);
    }

    /// Enforce flood limits from now on.
    pub fn enforce(&self, limits: Limits) {
        self.lock().limits = Some(limits);
    }

    /// How many sends were refused with 429 because of [`FakeTelegram::enforce`].
    /// Answer each send `delay` after taking it (see `Inner::reply_delay`).
    pub fn delay_replies(&self, delay: Duration) {
        self.lock().reply_delay = delay;
    }

    pub fn too_many_requests(&self) -> u64 {
        self.lock().too_many
    }

    pub fn fail(&self, chat: i64, failure: Failure) {
        self.lock().failures.insert(chat, failure);
    }

    pub fn sent_to(&self, chat: i64) -> Vec<Sent> {
        self.sent.to(&chat.to_string())
    }

    /// The edits made to messages in `chat`, in order.
    pub fn edits_to(&self, chat: i64) -> Vec<Sent> {
        self.edited.to(&chat.to_string())
    }

    /// The person deletes a message in their chat: it can no longer be edited.
    pub fn delete_message(&self, chat: i64, message_id: i64) {
        self.lock().messages.remove(&(chat, message_id));
    }

    /// A message as it reads now, after any edits.
    pub fn message_now(&self, chat: i64, message_id: i64) -> Option<String> {
        self.lock()
            .messages
            .get(&(chat, message_id))
            .map(|m| m.0.clone())
    }

    pub fn sent_count(&self) -> usize {
        self.sent.count()
    }

    pub fn attempts_to(&self, chat: i64) -> Vec<(Instant, bool)> {
        self.lock()
            .attempts
            .iter()
            .filter(|a| a.0 == chat)
            .map(|a| (a.1, a.2))
            .collect()
    }

    /// The raw body of the last setWebhook call.
    pub fn webhook_request(&self) -> String {
        self.lock().webhook_request.clone()
    }

    pub fn callbacks_answered(&self) -> Vec<String> {
        self.lock().callbacks_answered.clone()
    }

    pub fn calls(&self, method: &str) -> u64 {
        self.lock()
            .calls
            .get(&method.to_ascii_lowercase())
            .copied()
            .unwrap_or(0)
    }

    /// A bot's configuration talking to this fake, its database at `db`, quiet hours off
    /// (the benchmarks' bot).
    pub fn bot_config(&self, db: &std::path::Path) -> hienmau::config::Config {
        let env: HashMap<&str, String> = HashMap::from([
            ("DATABASE_URL", format!("sqlite://{}", db.display())),
            ("TELEGRAM_BOT_TOKEN", self.token.clone()),
            ("TELEGRAM_API_URL", self.url.clone()),
            ("HIENMAU_QUIET_HOURS", "off".to_string()),
        ]);
        hienmau::config::Config::load(None, |k| env.get(k).cloned()).unwrap()
    }

    /// `user` types `text`; waits (up to `timeout`) for the bot's next message to them.
    pub async fn say(&self, user: i64, text: &str, timeout: Duration) -> Sent {
        let before = self.sent_to(user).len();
        self.text(user, text);
        self.wait_for(user, before + 1, timeout)
            .await
            .swap_remove(before)
    }

    /// `user` taps the button with this value; waits for the bot's next message to them (the
    /// first that arrives after the tap, however late this task wakes).
    pub async fn tap_and_wait(&self, user: i64, value: &str, timeout: Duration) -> Sent {
        let before = self.sent_to(user).len();
        self.tap(user, value);
        self.wait_for(user, before + 1, timeout)
            .await
            .swap_remove(before)
    }

    /// Wait until `chat` has received `n` messages in all; returns them.
    pub async fn wait_for(&self, chat: i64, n: usize, timeout: Duration) -> Vec<Sent> {
        self.sent.wait_for(&chat.to_string(), n, timeout).await
    }

    /// Wait until the bot has sent `n` messages in all (any chat).
    pub async fn wait_total(&self, n: usize, timeout: Duration) {
        self.sent.wait_total(n, timeout).await
    }
}

fn ok(result: Value) -> (StatusCode, Json<Value>) {
    (StatusCode::OK, Json(json!({"ok": true, "result": result})))
}

fn err(code: u16, description: &str, parameters: Option<Value>) -> (StatusCode, Json<Value>) {
    let mut body = json!({"ok": false, "error_code": code, "description": description});
    if let Some(p) = parameters {
        body["parameters"] = p;
    }
    (StatusCode::from_u16(code).unwrap(), Json(body))
}

async fn handle(
    State(s): State<Shared>,
    Path((bot, method)): Path<(String, String)>,
    raw: axum::body::Bytes,
) -> (StatusCode, Json<Value>) {
    if bot != format!("bot{}", s.token) {
        return err(401, "Unauthorized", None);
    }
    // JSON for most methods; setWebhook comes as multipart/form-data, kept as raw text.
    let body: Value = serde_json::from_slice(&raw).unwrap_or(Value::Null);
    // Telegram's method names are case-insensitive (teloxide sends `SendMessage`).
    let method = method.to_ascii_lowercase();
    *s.inner
        .lock()
        .unwrap()
        .calls
        .entry(method.clone())
        .or_default() += 1;
    match method.as_str() {
        "getme" => ok(json!({
            "id": 7_000_000_001i64, "is_bot": true, "first_name": "hienmau",
            "username": "hienmau_test_bot", "can_join_groups": false,
            "can_read_all_group_messages": false, "supports_inline_queries": false,
            "can_connect_to_business": false, "has_main_web_app": false
        })),
        "deletewebhook" => ok(json!(true)),
        "setwebhook" => {
            s.inner.lock().unwrap().webhook_request = String::from_utf8_lossy(&raw).into_owned();
            ok(json!(true))
        }
        "getupdates" => {
            let offset = body["offset"].as_i64().unwrap_or(0);
            let timeout = body["timeout"].as_u64().unwrap_or(0).min(10);
            let deadline = tokio::time::Instant::now() + Duration::from_secs(timeout);
            loop {
                let notified = s.new_update.notified();
                let batch: Vec<Value> = {
                    let mut st = s.inner.lock().unwrap();
                    // An offset confirms every update below it.
                    st.updates
                        .retain(|u| u["update_id"].as_i64().unwrap_or(0) >= offset);
                    st.updates.iter().take(100).cloned().collect()
                };
                if !batch.is_empty() {
                    return ok(Value::Array(batch));
                }
                if tokio::time::timeout_at(deadline, notified).await.is_err() {
                    return ok(json!([]));
                }
            }
        }
        "sendmessage" => {
            let chat = body["chat_id"].as_i64().unwrap_or(0);
            let now = Instant::now();
            let refusal = {
                let mut st = s.inner.lock().unwrap();
                let refusal = match st.failures.get_mut(&chat) {
                    Some(Failure::Blocked) => {
                        Some(err(403, "Forbidden: bot was blocked by the user", None))
                    }
                    Some(Failure::RetryAfter { secs, times }) if *times > 0 => {
                        *times -= 1;
                        let secs = *secs;
                        Some(err(
                            429,
                            &format!("Too Many Requests: retry after {secs}"),
                            Some(json!({"retry_after": secs})),
                        ))
                    }
                    _ => None,
                };
                let refusal = refusal.or_else(|| {
                    let limits = st.limits?;
                    while st
                        .recent
                        .front()
                        .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(1))
                    {
                        st.recent.pop_front();
                    }
                    let chat_busy = st
                        .last_to_chat
                        .get(&chat)
                        .is_some_and(|t| now.duration_since(*t) < limits.chat_interval);
                    if st.recent.len() >= limits.per_second || chat_busy {
                        st.too_many += 1;
                        return Some(err(
                            429,
                            "Too Many Requests: retry after 1",
                            Some(json!({"retry_after": 1})),
                        ));
                    }
                    st.recent.push_back(now);
                    st.last_to_chat.insert(chat, now);
                    None
                });
                st.attempts.push((chat, now, refusal.is_none()));
                refusal
            };
            if let Some(r) = refusal {
                return r;
            }
            let text = body["text"].as_str().unwrap_or("").to_string();
            let id = {
                let mut st = s.inner.lock().unwrap();
                st.next_message_id += 1;
                st.next_message_id
            };
            let reply_markup = body["reply_markup"].clone();
            s.inner
                .lock()
                .unwrap()
                .messages
                .insert((chat, id), (text.clone(), reply_markup.clone()));
            let sent = Sent {
                chat_id: chat,
                message_id: id,
                text: text.clone(),
                reply_markup,
                at: now,
            };
            s.sent.push(&chat.to_string(), sent);
            let delay = s.inner.lock().unwrap().reply_delay;
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            ok(json!({
                "message_id": id, "date": 1_795_000_000, "text": text,
                "chat": {"id": chat, "type": "private", "first_name": "Người dùng"}
            }))
        }
        "editmessagetext" => {
            // As Telegram answers: 400 for a message that is not there, or unchanged.
            let chat = body["chat_id"].as_i64().unwrap_or(0);
            let id = body["message_id"].as_i64().unwrap_or(0);
            let text = body["text"].as_str().unwrap_or("").to_string();
            let reply_markup = body["reply_markup"].clone();
            {
                let mut st = s.inner.lock().unwrap();
                let Some(current) = st.messages.get_mut(&(chat, id)) else {
                    return err(400, "Bad Request: message to edit not found", None);
                };
                if current.0 == text && current.1 == reply_markup {
                    return err(
                        400,
                        "Bad Request: message is not modified: specified new message content \
                         and reply markup are exactly the same as a current content and reply \
                         markup of the message",
                        None,
                    );
                }
                *current = (text.clone(), reply_markup.clone());
            }
            s.edited.push(
                &chat.to_string(),
                Sent {
                    chat_id: chat,
                    message_id: id,
                    text: text.clone(),
                    reply_markup,
                    at: Instant::now(),
                },
            );
            let delay = s.inner.lock().unwrap().reply_delay;
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            ok(json!({
                "message_id": id, "date": 1_795_000_000, "edit_date": 1_795_000_001,
                "text": text,
                "chat": {"id": chat, "type": "private", "first_name": "Người dùng"}
            }))
        }
        "answercallbackquery" => {
            let id = body["callback_query_id"].as_str().unwrap_or("").to_string();
            s.inner.lock().unwrap().callbacks_answered.push(id);
            ok(json!(true))
        }
        _ => err(404, "Not Found: method not found", None),
    }
}
