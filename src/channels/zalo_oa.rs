//! A Zalo Official Account (Open API v3), for the Red Cross chapters and blood centres that
//! run one. Events arrive by webhook, signed; replies go out as consultation messages, with
//! up to 5 quick-reply buttons whose payload comes back as the person's text, and the
//! request-user-info form when the conversation asks for a phone.
//!
//! Tokens: the access token lives about 25 h and is refreshed before it expires and whenever
//! the API answers -216 (then the send is retried once). Each refresh returns a new
//! single-use refresh token; the pair is stored in the database before the access token is
//! used, so stopping at any later point cannot lock the OA out.
//!
//! Shapes marked *unconfirmed* in protocols.md (the request-user-info element, whether the
//! button text belongs in `payload`) follow the first reading there.

use super::{ChannelKind, Inbound, Outbound, SendOutcome};
use crate::clock::Clock;
use crate::config::ZaloOaConfig;
use crate::engine::Input;
use crate::store::{Store, TokenWrite};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::time::Duration;
use subtle::ConstantTimeEq;
use tokio::sync::Mutex;

/// Refresh when the access token has less than this left.
const REFRESH_MARGIN_MS: i64 = 60 * 60 * 1000;
/// The access token's life when the answer does not say (about 25 h).
const DEFAULT_LIFETIME_S: i64 = 90_000;
/// Free replies: up to 8 within 48 h of the person's last message (protocols.md).
const REPLY_WINDOW_MS: i64 = 48 * 60 * 60 * 1000;
const FREE_REPLIES: i64 = 8;

/// The first moment of the next month, in the time zone of `local`.
fn next_month_ms(local: chrono::DateTime<chrono_tz::Tz>) -> i64 {
    use chrono::{Datelike, TimeZone};
    let (y, m) = if local.month() == 12 {
        (local.year() + 1, 1)
    } else {
        (local.year(), local.month() + 1)
    };
    local
        .timezone()
        .with_ymd_and_hms(y, m, 1, 0, 0, 0)
        .earliest()
        .map(|t| t.timestamp_millis())
        .unwrap_or(local.timestamp_millis() + 31 * 24 * 3600 * 1000)
}

#[derive(Debug, Clone)]
struct Tokens {
    access: String,
    refresh: String,
    expires_at: i64,
}

#[derive(Clone)]
pub struct ZaloOaChannel {
    http: reqwest::Client,
    cfg: Arc<ZaloOaConfig>,
    store: Store,
    clock: Arc<dyn Clock>,
    tz: chrono_tz::Tz,
    /// Held while tokens are read or refreshed: one refresh at a time.
    tokens: Arc<Mutex<Option<Tokens>>>,
}

/// A webhook event, translated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OaEvent {
    Message(Inbound),
    /// The person unfollowed the OA: write to them no more.
    Unfollow {
        user: String,
    },
    /// Events hienmau does not act on (the OA's own sends, seen receipts, …).
    Ignored,
}

enum Sent {
    Ok(Option<String>),
    Api(i64, String),
}

impl ZaloOaChannel {
    /// Store the configured first tokens unless tokens are stored already. Tokens and quota
    /// are reached through `store`; the adapter never sees the app.
    pub async fn new(
        cfg: &ZaloOaConfig,
        store: Store,
        clock: Arc<dyn Clock>,
        tz: chrono_tz::Tz,
    ) -> anyhow::Result<ZaloOaChannel> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(20))
            .build()?;
        let now = clock.now().timestamp_millis();
        if let (Some(access), Some(refresh)) = (&cfg.access_token, &cfg.refresh_token) {
            // Lifetime unknown: treat it as due for refresh within the margin.
            let tokens = (access.as_str(), refresh.as_str(), now);
            store
                .store_oa_tokens(&cfg.app_id, tokens, TokenWrite::Seed, now)
                .await?;
        }
        if store.oa_tokens(&cfg.app_id).await?.is_none() {
            anyhow::bail!(
                "Zalo OA: no tokens stored yet: set ZALO_OA_ACCESS_TOKEN and ZALO_OA_REFRESH_TOKEN \
                 for the first start"
            );
        }
        Ok(ZaloOaChannel {
            http,
            cfg: Arc::new(cfg.clone()),
            store,
            clock,
            tz,
            tokens: Arc::new(Mutex::new(None)),
        })
    }

    /// Whether `X-ZEvent-Signature: mac=<hex>` signs this event: hex = SHA-256 of app id,
    /// raw body, timestamp and the OA secret key (plain SHA-256, not HMAC). The event must
    /// also be for this app.
    pub fn verify(&self, signature: Option<&[u8]>, raw: &[u8], event: &Value) -> bool {
        let Some(given) = signature.and_then(|s| s.strip_prefix(b"mac=")) else {
            return false;
        };
        let Some(app_id) = event["app_id"].as_str() else {
            return false;
        };
        if app_id != self.cfg.app_id {
            return false;
        }
        let timestamp = match &event["timestamp"] {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => return false,
        };
        let expected = signature_hex(app_id, raw, &timestamp, &self.cfg.secret_key);
        let given = given.to_ascii_lowercase();
        given.len() == expected.len() && bool::from(given.ct_eq(expected.as_bytes()))
    }

    /// The current access token, refreshed first if it expires soon or if `stale` (a token
    /// the API just refused) is still the current one.
    async fn access_token(&self, stale: Option<&str>) -> Result<String, String> {
        let mut guard = self.tokens.lock().await;
        if guard.is_none() {
            let stored = self
                .store
                .oa_tokens(&self.cfg.app_id)
                .await
                .map_err(|e| format!("{e:#}"))?;
            *guard = stored.map(|(access, refresh, expires_at)| Tokens {
                access,
                refresh,
                expires_at,
            });
        }
        let Some(current) = guard.clone() else {
            return Err("no Zalo OA tokens stored".into());
        };
        let now = self.clock.now().timestamp_millis();
        let refused = stale.is_some_and(|s| s == current.access);
        if !refused && current.expires_at - now > REFRESH_MARGIN_MS {
            return Ok(current.access);
        }
        let fresh = self.refresh(&current.refresh, now).await?;
        let access = fresh.access.clone();
        *guard = Some(fresh);
        Ok(access)
    }

    /// Exchange the refresh token for a new pair and store it before returning it.
    async fn refresh(&self, refresh_token: &str, now: i64) -> Result<Tokens, String> {
        let base = self.cfg.oauth_url.as_str().trim_end_matches('/');
        let response = self
            .http
            .post(format!("{base}/v4/oa/access_token"))
            .header("secret_key", &self.cfg.app_secret)
            .form(&[
                ("refresh_token", refresh_token),
                ("app_id", self.cfg.app_id.as_str()),
                ("grant_type", "refresh_token"),
            ])
            .send()
            .await
            .map_err(|e| format!("token refresh: {}", e.without_url()))?;
        let answer: Value = response
            .json()
            .await
            .map_err(|e| format!("token refresh answer: {}", e.without_url()))?;
        let (Some(access), Some(refresh)) = (
            answer["access_token"].as_str(),
            answer["refresh_token"].as_str(),
        ) else {
            // The error's own words, never the tokens.
            return Err(format!(
                "token refresh refused: {} {}",
                answer["error"],
                answer["error_description"]
                    .as_str()
                    .or(answer["message"].as_str())
                    .unwrap_or("")
            ));
        };
        let lifetime_s = match &answer["expires_in"] {
            Value::String(s) => s.parse().unwrap_or(DEFAULT_LIFETIME_S),
            Value::Number(n) => n.as_i64().unwrap_or(DEFAULT_LIFETIME_S),
            _ => DEFAULT_LIFETIME_S,
        };
        let tokens = Tokens {
            access: access.to_string(),
            refresh: refresh.to_string(),
            expires_at: now + lifetime_s * 1000,
        };
        // Durable before use: the old refresh token is spent from this moment.
        let pair = (
            tokens.access.as_str(),
            tokens.refresh.as_str(),
            tokens.expires_at,
        );
        self.store
            .store_oa_tokens(&self.cfg.app_id, pair, TokenWrite::Refreshed, now)
            .await
            .map_err(|e| format!("storing refreshed tokens: {e:#}"))?;
        tracing::info!(app = %self.cfg.app_id, "Zalo OA tokens refreshed");
        Ok(tokens)
    }

    async fn post_message(&self, token: &str, body: &Value) -> Result<Sent, String> {
        let base = self.cfg.api_url.as_str().trim_end_matches('/');
        let response = self
            .http
            .post(format!("{base}/v3.0/oa/message/cs"))
            .header("access_token", token)
            .json(body)
            .send()
            .await
            .map_err(|e| e.without_url().to_string())?;
        let answer: Value = response
            .json()
            .await
            .map_err(|e| e.without_url().to_string())?;
        match answer["error"].as_i64() {
            Some(0) => Ok(Sent::Ok(
                answer["data"]["message_id"].as_str().map(str::to_string),
            )),
            Some(code) => Ok(Sent::Api(
                code,
                answer["message"].as_str().unwrap_or("").to_string(),
            )),
            None => Err("an answer without an error code".into()),
        }
    }

    /// Whether a message now is a free reply: within 48 h of the person's last message and
    /// among the first 8 since. Anything else is proactive and counts against the quota.
    async fn is_reply(&self, user_id: &str, now: i64) -> Result<bool, String> {
        let window = self
            .store
            .reply_window(ChannelKind::ZaloOa.code(), user_id)
            .await
            .map_err(|e| format!("{e:#}"))?;
        Ok(window.is_some_and(|(last_seen, sent_since)| {
            now - last_seen < REPLY_WINDOW_MS && sent_since < FREE_REPLIES
        }))
    }

    pub async fn send(&self, user_id: &str, out: &Outbound) -> SendOutcome {
        let now = self.clock.now();
        let now_ms = now.timestamp_millis();
        let reply = match self.is_reply(user_id, now_ms).await {
            Ok(r) => r,
            Err(e) => return SendOutcome::Transient(e),
        };
        if reply {
            let outcome = self.send_now(user_id, out).await;
            if matches!(outcome, SendOutcome::Sent { .. }) {
                if let Err(e) = self
                    .store
                    .count_sent(ChannelKind::ZaloOa.code(), user_id)
                    .await
                {
                    tracing::warn!(error = %format!("{e:#}"), "counting a reply failed");
                }
            }
            return outcome;
        }
        let local = now.with_timezone(&self.tz);
        let month = local.format("%Y-%m").to_string();
        let channel = ChannelKind::ZaloOa.code();
        match self
            .store
            .reserve_quota(channel, &month, self.cfg.monthly_quota)
            .await
        {
            Ok(true) => {}
            Ok(false) => {
                return SendOutcome::QuotaSpent {
                    until: next_month_ms(local),
                };
            }
            Err(e) => return SendOutcome::Transient(format!("{e:#}")),
        }
        let outcome = self.send_now(user_id, out).await;
        if !matches!(outcome, SendOutcome::Sent { .. }) {
            // Not sent: the reserved message goes back to the quota.
            if let Err(e) = self.store.release_quota(channel, &month).await {
                tracing::warn!(error = %format!("{e:#}"), "releasing quota failed");
            }
        }
        outcome
    }

    async fn send_now(&self, user_id: &str, out: &Outbound) -> SendOutcome {
        let body = message_body(user_id, out);
        let mut stale: Option<String> = None;
        for attempt in 0..2 {
            let token = match self.access_token(stale.as_deref()).await {
                Ok(t) => t,
                Err(e) => return SendOutcome::Transient(e),
            };
            match self.post_message(&token, &body).await {
                Err(e) => return SendOutcome::Transient(e),
                Ok(Sent::Ok(id)) => {
                    return SendOutcome::Sent {
                        platform_message_id: id,
                    };
                }
                // Token invalid or expired: refresh, then retry once.
                Ok(Sent::Api(-216, _)) if attempt == 0 => stale = Some(token),
                Ok(Sent::Api(-230, m)) => {
                    return SendOutcome::Unreachable(format!("-230 no interaction in 7 days: {m}"));
                }
                Ok(Sent::Api(code, m)) => return SendOutcome::Permanent(format!("{code}: {m}")),
            }
        }
        SendOutcome::Transient("-216 again after a token refresh".into())
    }
}

/// Hex SHA-256 of app id, raw body, timestamp and secret key.
/// `mac=` and 64 hex digits: the only form a signature header can have.
pub fn signature_well_formed(header: &[u8]) -> bool {
    header
        .strip_prefix(b"mac=")
        .is_some_and(|h| h.len() == 64 && h.iter().all(u8::is_ascii_hexdigit))
}

pub fn signature_hex(app_id: &str, raw: &[u8], timestamp: &str, secret_key: &str) -> String {
    let mut h = Sha256::new();
    h.update(app_id.as_bytes());
    h.update(raw);
    h.update(timestamp.as_bytes());
    h.update(secret_key.as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The consultation message for an outbound: text with buttons (at most 5; more were
/// already folded into the text as numbered lines), or the request-user-info form when the
/// conversation asks for a phone.
fn message_body(user_id: &str, out: &Outbound) -> Value {
    let recipient = json!({"user_id": user_id});
    if let Some(label) = &out.phone_button {
        return json!({"recipient": recipient, "message": {"attachment": {
            "type": "template",
            "payload": {"template_type": "request_user_info", "elements": [{
                "title": label, "subtitle": out.text, "image_url": ""
            }]}
        }}});
    }
    if out.choices.is_empty() || out.choices.len() > 5 {
        let mut text = out.text.clone();
        if !out.choices.is_empty() {
            text = format!("{text}\n\n{}", super::numbered(&out.choices).trim_end());
        }
        return json!({"recipient": recipient, "message": {"text": text}});
    }
    let buttons: Vec<Value> = out
        .choices
        .iter()
        .map(|c| json!({"title": c.label, "type": "oa.query.hide", "payload": c.value}))
        .collect();
    json!({"recipient": recipient, "message": {
        "text": out.text,
        "attachment": {"type": "template", "payload": {"buttons": buttons}}
    }})
}

fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A webhook event as hienmau sees it.
pub fn translate(event: &Value) -> OaEvent {
    let name = event["event_name"].as_str().unwrap_or("");
    let sender = text_of(&event["sender"]["id"]);
    let stamp = text_of(&event["timestamp"]).unwrap_or_default();
    let message = |user: String, key: String, input: Input| {
        OaEvent::Message(Inbound {
            channel: ChannelKind::ZaloOa,
            event_key: Some(key),
            chat_id: user.clone(),
            user,
            input,
        })
    };
    match name {
        "user_send_text" => {
            let (Some(user), Some(text)) = (sender, event["message"]["text"].as_str()) else {
                return OaEvent::Ignored;
            };
            let key = text_of(&event["message"]["msg_id"])
                .unwrap_or_else(|| format!("text:{user}:{stamp}"));
            message(user, key, Input::Text(text.to_string()))
        }
        "follow" => match text_of(&event["follower"]["id"]).or(sender) {
            Some(user) => message(
                user.clone(),
                format!("follow:{user}:{stamp}"),
                Input::Text("/start".into()),
            ),
            None => OaEvent::Ignored,
        },
        "unfollow" => match text_of(&event["follower"]["id"]).or(sender) {
            Some(user) => OaEvent::Unfollow { user },
            None => OaEvent::Ignored,
        },
        "user_submit_info" => {
            let (Some(user), Some(phone)) = (sender, text_of(&event["info"]["phone"])) else {
                return OaEvent::Ignored;
            };
            // The form sends the person's own details.
            message(
                user.clone(),
                format!("info:{user}:{stamp}"),
                Input::Contact { phone, own: true },
            )
        }
        n if n.starts_with("user_send_") => match sender {
            Some(user) => {
                let key = text_of(&event["message"]["msg_id"])
                    .unwrap_or_else(|| format!("{n}:{user}:{stamp}"));
                message(user, key, Input::Unsupported)
            }
            None => OaEvent::Ignored,
        },
        _ => OaEvent::Ignored,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::channels::OutChoice;

    #[test]
    fn signature_is_plain_sha256_of_the_four_parts() {
        // sha256("a" + "{}" + "1" + "k")
        let h = signature_hex("a", b"{}", "1", "k");
        assert_eq!(h.len(), 64);
        let mut direct = Sha256::new();
        direct.update(b"a{}1k");
        let want: String = direct
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(h, want);
    }

    #[test]
    fn the_quota_month_turns_in_vietnam_time() {
        use chrono::TimeZone;
        let tz = chrono_tz::Asia::Ho_Chi_Minh;
        let late = tz.with_ymd_and_hms(2026, 12, 31, 23, 30, 0).unwrap();
        let next = tz.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(next_month_ms(late), next.timestamp_millis());
    }

    #[test]
    fn events_translate() {
        let text = json!({"app_id": "1", "event_name": "user_send_text", "timestamp": "1699003881354",
            "sender": {"id": "u1"}, "recipient": {"id": "oa"}, "message": {"msg_id": "m1", "text": "1"}});
        match translate(&text) {
            OaEvent::Message(i) => {
                assert_eq!(i.input, Input::Text("1".into()));
                assert_eq!(
                    (i.user.as_str(), i.event_key.as_deref()),
                    ("u1", Some("m1"))
                );
            }
            other => panic!("{other:?}"),
        }
        let follow = json!({"event_name": "follow", "timestamp": "5", "follower": {"id": "u2"}});
        assert!(
            matches!(translate(&follow), OaEvent::Message(i) if i.input == Input::Text("/start".into()))
        );
        let unfollow =
            json!({"event_name": "unfollow", "timestamp": "6", "follower": {"id": "u2"}});
        assert_eq!(
            translate(&unfollow),
            OaEvent::Unfollow { user: "u2".into() }
        );
        let info = json!({"event_name": "user_submit_info", "timestamp": "7", "sender": {"id": "u3"},
            "info": {"name": "A", "phone": "84912345678"}});
        assert!(matches!(translate(&info),
            OaEvent::Message(i) if i.input == Input::Contact { phone: "84912345678".into(), own: true }));
        let image = json!({"event_name": "user_send_image", "timestamp": "8", "sender": {"id": "u4"},
            "message": {"msg_id": "m9"}});
        assert!(matches!(translate(&image), OaEvent::Message(i) if i.input == Input::Unsupported));
        for junk in [
            json!({}),
            json!(null),
            json!({"event_name": "oa_send_text"}),
            json!({"event_name": "user_send_text", "sender": {"id": "u"}}),
        ] {
            assert_eq!(translate(&junk), OaEvent::Ignored);
        }
    }

    #[test]
    fn up_to_five_options_become_buttons() {
        let choice = |v: &str| OutChoice {
            value: v.into(),
            label: v.to_uppercase(),
        };
        let two = Outbound {
            text: "?".into(),
            choices: vec![choice("agree"), choice("disagree")],
            phone_button: None,
            ..Outbound::default()
        };
        let body = message_body("u1", &two);
        assert_eq!(
            body["message"]["attachment"]["payload"]["buttons"][1]["payload"],
            "disagree"
        );
        assert_eq!(body["message"]["text"], "?");
        let six = Outbound {
            text: "?".into(),
            choices: (0..6).map(|i| choice(&i.to_string())).collect(),
            phone_button: None,
            ..Outbound::default()
        };
        let body = message_body("u1", &six);
        assert!(body["message"]["attachment"].is_null());
        assert!(body["message"]["text"].as_str().unwrap().contains("  6. 5"));
        let phone = Outbound {
            text: "Số điện thoại?".into(),
            choices: vec![],
            phone_button: Some("📱".into()),
            ..Outbound::default()
        };
        let body = message_body("u1", &phone);
        assert_eq!(
            body["message"]["attachment"]["payload"]["template_type"],
            "request_user_info"
        );
    }
}
