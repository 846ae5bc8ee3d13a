//! A fake Zalo Official Account platform on 127.0.0.1: the Open API's consultation-message
//! endpoint (checks the `access_token` header; answers -216 to a stale token and -230 for
//! people marked so) and the OAuth v4 refresh endpoint (single-use refresh tokens: each
//! refresh rotates both tokens and spends the old refresh token), and the template-message
//! (ZNS) endpoint `/message/template` (same token; phones marked refused answer their code;
//! each success reports the day's quota going down from 500).

#![allow(dead_code)]

use super::mailbox::Mailbox;
use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::post;
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

pub const APP_SECRET: &str = "app-secret-xyz";

struct Inner {
    /// What this OA's tokens begin with (two OAs never issue the same token).
    prefix: String,
    access: String,
    refresh: String,
    generation: u32,
    refreshes: u32,
    no_interaction: HashSet<String>,
    attempts: HashMap<String, u32>,
    /// The code a stale token gets: -216 (invalid) or -220 (expired).
    stale_code: i64,
    refused_phones: HashMap<String, i64>,
    template_attempts: HashMap<String, u32>,
    templates_sent: u32,
}

#[derive(Clone)]
pub struct FakeZaloOa {
    pub url: String,
    inner: Arc<Mutex<Inner>>,
    /// Message bodies received, per user id.
    pub sent: Arc<Mailbox<Value>>,
    /// Template requests received, per phone (`84…`).
    pub templates: Arc<Mailbox<Value>>,
}

#[derive(Clone)]
struct Shared {
    app_id: String,
    inner: Arc<Mutex<Inner>>,
    sent: Arc<Mailbox<Value>>,
    templates: Arc<Mailbox<Value>>,
}

impl FakeZaloOa {
    /// Starts with the pair `acc-0` / `ref-0` valid.
    pub async fn start(app_id: &str) -> FakeZaloOa {
        Self::start_as(app_id, "").await
    }

    /// Another OA (of the same app, or another): its tokens `{prefix}acc-0` / `{prefix}ref-0`,
    /// and so on.
    pub async fn start_as(app_id: &str, prefix: &str) -> FakeZaloOa {
        let inner = Arc::new(Mutex::new(Inner {
            prefix: prefix.to_string(),
            access: format!("{prefix}acc-0"),
            refresh: format!("{prefix}ref-0"),
            generation: 0,
            refreshes: 0,
            no_interaction: HashSet::new(),
            attempts: HashMap::new(),
            stale_code: -216,
            refused_phones: HashMap::new(),
            template_attempts: HashMap::new(),
            templates_sent: 0,
        }));
        let shared = Shared {
            app_id: app_id.to_string(),
            inner: inner.clone(),
            sent: Arc::new(Mailbox::default()),
            templates: Arc::new(Mailbox::default()),
        };
        let app = Router::new()
            .route("/v3.0/oa/message/cs", post(cs))
            .route("/v4/oa/access_token", post(refresh))
            .route("/message/template", post(template))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        FakeZaloOa {
            url: format!("http://{addr}"),
            inner,
            sent: shared.sent,
            templates: shared.templates,
        }
    }

    /// The access token expires, and the API says so with -220 (not -216).
    pub fn expire_access_token_as_expired(&self) {
        let mut st = self.inner.lock().unwrap();
        st.access = "nobody-has-this".into();
        st.stale_code = -220;
    }

    /// Template messages to this phone get `code` (-141: opted out, -108: invalid…).
    pub fn refuse_phone(&self, phone: &str, code: i64) {
        self.inner
            .lock()
            .unwrap()
            .refused_phones
            .insert(phone.to_string(), code);
    }

    pub fn template_attempts(&self, phone: &str) -> u32 {
        self.inner
            .lock()
            .unwrap()
            .template_attempts
            .get(phone)
            .copied()
            .unwrap_or(0)
    }

    /// The access token stops working (as after ~25 h): the next send gets -216.
    pub fn expire_access_token(&self) {
        self.inner.lock().unwrap().access = "nobody-has-this".into();
    }

    /// This person has not written to the OA for 7 days: sends get -230.
    pub fn no_interaction(&self, user: &str) {
        self.inner
            .lock()
            .unwrap()
            .no_interaction
            .insert(user.to_string());
    }

    pub fn refreshes(&self) -> u32 {
        self.inner.lock().unwrap().refreshes
    }

    pub fn current_refresh_token(&self) -> String {
        self.inner.lock().unwrap().refresh.clone()
    }

    pub fn attempts(&self, user: &str) -> u32 {
        self.inner
            .lock()
            .unwrap()
            .attempts
            .get(user)
            .copied()
            .unwrap_or(0)
    }
}

async fn cs(State(s): State<Shared>, headers: HeaderMap, Json(body): Json<Value>) -> Json<Value> {
    let user = body["recipient"]["user_id"]
        .as_str()
        .unwrap_or("")
        .to_string();
    let token = headers
        .get("access_token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    {
        let mut st = s.inner.lock().unwrap();
        *st.attempts.entry(user.clone()).or_default() += 1;
        if token != st.access {
            return Json(json!({"error": st.stale_code, "message": "Access token is invalid"}));
        }
        if st.no_interaction.contains(&user) {
            return Json(
                json!({"error": -230, "message": "User has not interacted with the OA in the last 7 days"}),
            );
        }
    }
    let id = format!("oa-msg-{}", s.sent.count() + 1);
    s.sent.push(&user, body["message"].clone());
    Json(json!({"error": 0, "message": "Success", "data": {"message_id": id, "user_id": user}}))
}

async fn template(
    State(s): State<Shared>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Json<Value> {
    let phone = body["phone"].as_str().unwrap_or("").to_string();
    let token = headers
        .get("access_token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let remaining = {
        let mut st = s.inner.lock().unwrap();
        *st.template_attempts.entry(phone.clone()).or_default() += 1;
        if token != st.access {
            return Json(json!({"error": st.stale_code, "message": "Access token is invalid"}));
        }
        let tracking = body["tracking_id"].as_str().unwrap_or("");
        if tracking.is_empty() || tracking.len() > 48 || body["template_id"].as_str().is_none() {
            return Json(json!({"error": -124, "message": "Invalid parameter"}));
        }
        if let Some(code) = st.refused_phones.get(&phone) {
            return Json(json!({"error": code, "message": "User has blocked or is unreachable"}));
        }
        st.templates_sent += 1;
        500 - st.templates_sent
    };
    s.templates.push(&phone, body.clone());
    Json(json!({"error": 0, "message": "Success", "data": {
        "msg_id": format!("zns-{}", 500 - remaining), "sent_time": "1799000000000",
        "quota": {"dailyQuota": "500", "remainingQuota": remaining.to_string()}}}))
}

async fn refresh(State(s): State<Shared>, headers: HeaderMap, body: String) -> Json<Value> {
    let form: HashMap<String, String> = body
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let secret_ok = headers.get("secret_key").and_then(|v| v.to_str().ok()) == Some(APP_SECRET);
    let mut st = s.inner.lock().unwrap();
    let valid = secret_ok
        && form.get("grant_type").map(String::as_str) == Some("refresh_token")
        && form.get("app_id") == Some(&s.app_id)
        && form.get("refresh_token") == Some(&st.refresh);
    if !valid {
        return Json(
            json!({"error": -14014, "error_name": "Invalid refresh token",
                           "error_description": "refresh token is invalid or spent"}),
        );
    }
    st.generation += 1;
    st.refreshes += 1;
    st.access = format!("{}acc-{}", st.prefix, st.generation);
    st.refresh = format!("{}ref-{}", st.prefix, st.generation);
    Json(json!({"access_token": st.access, "refresh_token": st.refresh, "expires_in": "90000"}))
}
