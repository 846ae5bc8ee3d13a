//! A Zalo Official Account (Open API v3), for the Red Cross chapters and blood centres that
//! run one. Events arrive by webhook, signed; replies go out as consultation messages, with
//! up to 5 quick-reply buttons whose payload comes back as the person's text, and the
//! request-user-info form when the conversation asks for a phone.
//!
//! Zalo's 2026 rules: a consultation message may go only within 7 days of the person's last
//! interaction (-230 otherwise); which route a message takes (this, a template message by
//! phone — `zns.rs` —, or another channel) is the delivery worker's choice, not this
//! adapter's.
//!
//! Tokens: the access token lives about 25 h and is refreshed before it expires and whenever
//! the API answers -216 (invalid) or -220 (expired); then the send is retried once. Each refresh returns a new
//! single-use refresh token; the pair is stored in the database before the access token is
//! used, so stopping at any later point cannot lock the OA out.
//!
//! Shapes marked *unconfirmed* in protocols.md (the request-user-info element, whether the
//! button text belongs in `payload`) follow the first reading there.

use super::{Channel, Inbound, Outbound, SendOutcome};
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
/// How long to hold sends after the app's rate limit (-32, 4,000 requests a minute) or a
/// 429 when the answer names no time: the rest of the minute the limit counts in.
const RATE_LIMIT_HOLD: Duration = Duration::from_secs(60);

/// The next `hour`:00 in the time zone of `local` (unix ms): when a night ban lifts, or a
/// daily quota renews (0:00).
pub(crate) fn next_local_hour_ms(local: chrono::DateTime<chrono_tz::Tz>, hour: u32) -> i64 {
    use chrono::TimeZone;
    let today = local.date_naive();
    let at = |d: chrono::NaiveDate| {
        d.and_hms_opt(hour, 0, 0)
            .and_then(|t| local.timezone().from_local_datetime(&t).earliest())
    };
    match at(today).filter(|t| *t > local) {
        Some(t) => t.timestamp_millis(),
        None => today
            .succ_opt()
            .and_then(at)
            .map_or(local.timestamp_millis() + 24 * 3600 * 1000, |t| {
                t.timestamp_millis()
            }),
    }
}

/// What a consultation message came to: an outcome, or the person is outside the window
/// the OA may write in (-230, or -227 inactive for 45 days) and another route must take it.
#[derive(Debug, Clone, PartialEq)]
pub enum Consultation {
    Done(SendOutcome),
    WindowClosed(String),
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
    /// The account this OA is.
    channel: Channel,
    /// Its tokens' key in the store: the app id for the deployment's own OA (as stored
    /// before accounts had names), `app id@account` for a named one, since one Zalo app may
    /// serve several OAs, each with its own tokens.
    token_key: String,
    store: Store,
    clock: Arc<dyn Clock>,
    tz: chrono_tz::Tz,
    /// Held while tokens are read or refreshed: one refresh at a time.
    tokens: Arc<Mutex<Option<Tokens>>>,
    /// Where template messages go (`business.openapi.zalo.me`).
    pub(super) zns_url: reqwest::Url,
    /// A named OA's template messages go through the deployment's own OA (its templates,
    /// its quota): a template goes to a phone, whichever OA the person follows.
    templates_through: Option<Arc<ZaloOaChannel>>,
}

/// A webhook event, translated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OaEvent {
    Message(Inbound),
    /// The person unfollowed the OA: write to them no more.
    Unfollow {
        user: String,
    },
    /// A template message reached the phone.
    Received(Receipt),
    /// Events hienmau does not act on (the OA's own sends, seen receipts, …).
    Ignored,
}

/// A receipt: a template message reached the phone (`user_received_message`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub tracking_id: String,
}

/// An Open API answer: `error` 0 with its `data`, or an error code and message; or
/// rate limited (HTTP 429), with the wait the headers gave.
pub(super) enum Sent {
    Ok(Value),
    Api(i64, String),
    Limited(Duration),
}

impl ZaloOaChannel {
    /// Store the configured first tokens unless tokens are stored already. Tokens and quota
    /// are reached through `store`; the adapter never sees the app.
    pub async fn new(
        cfg: &ZaloOaConfig,
        channel: Channel,
        store: Store,
        clock: Arc<dyn Clock>,
        tz: chrono_tz::Tz,
        zns_url: Option<reqwest::Url>,
    ) -> anyhow::Result<ZaloOaChannel> {
        let zns_url = match zns_url {
            Some(u) => u,
            None => reqwest::Url::parse(crate::config::zns::DEFAULT_ZNS_API_URL)?,
        };
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(20))
            .build()?;
        let now = clock.now().timestamp_millis();
        let token_key = match channel.account() {
            "" => cfg.app_id.clone(),
            account => format!("{}@{account}", cfg.app_id),
        };
        if let (Some(access), Some(refresh)) = (&cfg.access_token, &cfg.refresh_token) {
            // Lifetime unknown: treat it as due for refresh within the margin.
            let tokens = (access.as_str(), refresh.as_str(), now);
            store
                .store_oa_tokens(&token_key, tokens, TokenWrite::Seed, now)
                .await?;
        }
        if store.oa_tokens(&token_key).await?.is_none() {
            anyhow::bail!(
                "Zalo OA {}: no tokens stored yet: set {}ACCESS_TOKEN and {}REFRESH_TOKEN for the \
                 first start",
                channel.name(),
                cfg.env_prefix,
                cfg.env_prefix
            );
        }
        Ok(ZaloOaChannel {
            http,
            cfg: Arc::new(cfg.clone()),
            channel,
            token_key,
            store,
            clock,
            tz,
            tokens: Arc::new(Mutex::new(None)),
            zns_url,
            templates_through: None,
        })
    }

    /// This (named) OA's template messages go through `own`, the deployment's own OA.
    pub fn with_templates_through(mut self, own: ZaloOaChannel) -> ZaloOaChannel {
        self.templates_through = Some(Arc::new(own));
        self
    }

    /// The OA that sends this OA's template messages: itself (the deployment's own), the
    /// own OA (a named one, where there is one), or none.
    pub fn template_sender(&self) -> Option<&ZaloOaChannel> {
        match self.channel.account() {
            "" => Some(self),
            _ => self.templates_through.as_deref(),
        }
    }

    pub fn app_id(&self) -> &str {
        &self.cfg.app_id
    }

    /// The account this OA is.
    pub fn channel(&self) -> Channel {
        self.channel
    }

    /// Whether `X-ZEvent-Signature: mac=<hex>` signs this event: hex = SHA-256 of app id,
    /// raw body, the body's timestamp and the OA secret key (plain SHA-256, not HMAC), or
    /// the configured variant (OA id, app secret). The event must also be for this app.
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
        let Some(expected) = expected_signature(&self.cfg, raw, &timestamp) else {
            return false;
        };
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
                .oa_tokens(&self.token_key)
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
        // Several instances share the tokens: one refreshes at a time, and one that waited
        // takes the pair the other just stored instead of spending its refresh token again.
        let lock = self
            .store
            .lock_oa_tokens(&self.token_key)
            .await
            .map_err(|e| format!("{e:#}"))?;
        let stored = self
            .store
            .oa_tokens(&self.token_key)
            .await
            .map_err(|e| format!("{e:#}"));
        let fresh = match stored {
            Ok(Some((access, refresh, expires_at)))
                if access != current.access && expires_at - now > REFRESH_MARGIN_MS =>
            {
                Ok(Tokens {
                    access,
                    refresh,
                    expires_at,
                })
            }
            // The newest refresh token is the stored one (the other's, if it refreshed).
            Ok(Some((_, refresh, _))) => self.refresh(&refresh, now).await,
            Ok(None) => self.refresh(&current.refresh, now).await,
            Err(e) => Err(e),
        };
        lock.release().await;
        let fresh = fresh?;
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
            .store_oa_tokens(&self.token_key, pair, TokenWrite::Refreshed, now)
            .await
            .map_err(|e| format!("storing refreshed tokens: {e:#}"))?;
        tracing::info!(app = %self.cfg.app_id, channel = %self.channel, "Zalo OA tokens refreshed");
        Ok(tokens)
    }

    /// POST `body` to `url` with the access token; the answer's code and data.
    pub(super) async fn post_api(
        &self,
        url: &str,
        token: &str,
        body: &Value,
    ) -> Result<Sent, String> {
        let response = self
            .http
            .post(url)
            .header("access_token", token)
            .json(body)
            .send()
            .await
            .map_err(|e| e.without_url().to_string())?;
        if response.status() == reqwest::StatusCode::TOO_MANY_REQUESTS {
            return Ok(Sent::Limited(retry_after(response.headers())));
        }
        let headers = response.headers().clone();
        let answer: Value = response
            .json()
            .await
            .map_err(|e| e.without_url().to_string())?;
        match answer["error"].as_i64() {
            Some(0) => Ok(Sent::Ok(answer["data"].clone())),
            // The app's own rate limit.
            Some(-32) => Ok(Sent::Limited(retry_after(&headers))),
            Some(code) => Ok(Sent::Api(
                code,
                answer["message"].as_str().unwrap_or("").to_string(),
            )),
            None => Err("an answer without an error code".into()),
        }
    }

    /// POST with a valid token: refreshed first if it expires soon, and once more when the
    /// API calls it invalid (-216) or expired (-220), then the call is retried once.
    pub(super) async fn call(&self, url: &str, body: &Value) -> Result<Sent, String> {
        let mut stale: Option<String> = None;
        for attempt in 0..2 {
            let token = self.access_token(stale.as_deref()).await?;
            match self.post_api(url, &token, body).await? {
                Sent::Api(-216 | -220, _) if attempt == 0 => stale = Some(token),
                Sent::Api(code @ (-216 | -220), m) => {
                    return Err(format!("{code} again after a token refresh: {m}"));
                }
                other => return Ok(other),
            }
        }
        Err("unreachable: two attempts".into())
    }

    /// A consultation message (text, buttons, the phone form). Allowed only within 7 days
    /// of the person's last interaction; the worker checks that before it calls.
    pub async fn send(&self, user_id: &str, out: &Outbound) -> Consultation {
        let base = self.cfg.api_url.as_str().trim_end_matches('/');
        let url = format!("{base}/v3.0/oa/message/cs");
        let outcome = match self.call(&url, &message_body(user_id, out)).await {
            Err(e) => SendOutcome::Transient(e),
            Ok(Sent::Ok(data)) => SendOutcome::Sent {
                platform_message_id: text_of(&data["message_id"]),
            },
            Ok(Sent::Limited(wait)) => SendOutcome::RetryAfter(wait),
            Ok(Sent::Api(code @ (-230 | -227), m)) => {
                return Consultation::WindowClosed(format!("{code}: {m}"));
            }
            Ok(Sent::Api(code, m)) => self.classify(code, m),
        };
        Consultation::Done(outcome)
    }

    /// An Open API error that is neither a token nor the window.
    pub(super) fn classify(&self, code: i64, m: String) -> SendOutcome {
        let local = self.clock.now().with_timezone(&self.tz);
        match code {
            // Quota spent (-211, -218): until the day turns.
            -211 | -218 => SendOutcome::QuotaSpent {
                until: next_local_hour_ms(local, 0),
            },
            // No promotional content at night: from 7:00.
            -234 => SendOutcome::QuotaSpent {
                until: next_local_hour_ms(local, 7),
            },
            _ => SendOutcome::Permanent(format!("{code}: {m}")),
        }
    }
}

/// The wait a rate-limited answer asks for: `Retry-After` seconds when given, else the rest
/// of the limit's minute. `X-RateLimit-Remain` (logged) says how close the app is.
fn retry_after(headers: &reqwest::header::HeaderMap) -> Duration {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
    };
    if let (Some(limit), Some(remain)) = (header("x-ratelimit-limit"), header("x-ratelimit-remain"))
    {
        tracing::warn!(limit, remain, "Zalo rate limit reached");
    }
    header("retry-after")
        .map(|s| Duration::from_secs(s.clamp(1, 3600)))
        .unwrap_or(RATE_LIMIT_HOLD)
}

/// The signature an event must carry under the configured variant: the id (app id, or the
/// OA's id) first, then the raw body, the body's timestamp, and the key (the OA secret key,
/// or the app secret) last.
fn expected_signature(cfg: &ZaloOaConfig, raw: &[u8], timestamp: &str) -> Option<String> {
    let variant = cfg.signature;
    let id = if variant.oa_id {
        cfg.oa_id.as_deref()?
    } else {
        cfg.app_id.as_str()
    };
    let key = if variant.app_secret {
        &cfg.app_secret
    } else {
        &cfg.secret_key
    };
    Some(signature_hex(id, raw, timestamp, key))
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

/// A webhook event as hienmau sees it; `channel`: the OA's account.
pub fn translate(event: &Value, channel: Channel) -> OaEvent {
    let name = event["event_name"].as_str().unwrap_or("");
    let sender = text_of(&event["sender"]["id"]);
    let stamp = text_of(&event["timestamp"]).unwrap_or_default();
    let message = |user: String, key: String, input: Input| {
        OaEvent::Message(Inbound {
            channel,
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
        "user_received_message" => {
            // The receipt of a template message: its tracking id, in the message or beside it.
            let tracking = text_of(&event["message"]["tracking_id"])
                .or_else(|| text_of(&event["tracking_id"]));
            match tracking {
                Some(tracking_id) => OaEvent::Received(Receipt { tracking_id }),
                None => OaEvent::Ignored,
            }
        }
        "user_submit_info" => {
            // Both shapes carry `info.phone`: the current one (`info{name, phone, user_dob,
            // gender, full_address{…}}`) and the older flat one (`address, city, district,
            // ward` beside it); only the phone is used.
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
    use crate::domain::channel::ChannelKind;

    fn translate_own(event: &Value) -> OaEvent {
        translate(event, Channel::of(ChannelKind::ZaloOa))
    }
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
    fn the_signature_variant_picks_the_id_and_the_key() {
        use crate::config::SignatureVariant;
        let mut cfg = ZaloOaConfig {
            app_id: "app".into(),
            env_prefix: "ZALO_OA_".into(),
            secret_key: "oa-key".into(),
            app_secret: "app-secret".into(),
            access_token: None,
            refresh_token: None,
            api_url: reqwest::Url::parse("http://127.0.0.1:1").unwrap(),
            oauth_url: reqwest::Url::parse("http://127.0.0.1:1").unwrap(),
            webhook_path: "/zalo-oa/webhook".into(),
            signature: SignatureVariant::DOCUMENTED,
            oa_id: None,
        };
        let sig = |cfg: &ZaloOaConfig| expected_signature(cfg, b"{}", "9");
        assert_eq!(sig(&cfg), Some(signature_hex("app", b"{}", "9", "oa-key")));
        cfg.signature = SignatureVariant::parse("app_id+app_secret").unwrap();
        assert_eq!(
            sig(&cfg),
            Some(signature_hex("app", b"{}", "9", "app-secret"))
        );
        cfg.signature = SignatureVariant::parse("oa_id+oa_secret").unwrap();
        assert_eq!(sig(&cfg), None, "no OA id configured: nothing verifies");
        cfg.oa_id = Some("oa1".into());
        assert_eq!(sig(&cfg), Some(signature_hex("oa1", b"{}", "9", "oa-key")));
        for bad in [
            "",
            "app_id",
            "app_id+",
            "oa+oa_secret",
            "app_id+secret",
            "app_id oa_secret",
        ] {
            assert_eq!(SignatureVariant::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_night_ban_lifts_and_a_daily_quota_renews_in_vietnam_time() {
        use chrono::TimeZone;
        let tz = chrono_tz::Asia::Ho_Chi_Minh;
        let at = |d, h, m| tz.with_ymd_and_hms(2026, 12, d, h, m, 0).unwrap();
        let late = at(31, 23, 30);
        let new_year = tz.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(next_local_hour_ms(late, 0), new_year.timestamp_millis());
        assert_eq!(
            next_local_hour_ms(at(5, 22, 0), 7),
            at(6, 7, 0).timestamp_millis()
        );
        assert_eq!(
            next_local_hour_ms(at(6, 3, 0), 7),
            at(6, 7, 0).timestamp_millis()
        );
        // At 7:00 sharp the next is tomorrow's.
        assert_eq!(
            next_local_hour_ms(at(6, 7, 0), 7),
            at(7, 7, 0).timestamp_millis()
        );
    }

    #[test]
    fn both_shapes_of_the_phone_form_give_the_phone() {
        let new = json!({"event_name": "user_submit_info", "timestamp": "7", "sender": {"id": "u3"},
            "info": {"name": "Lan", "phone": "84912345678", "user_dob": "01/02/1990", "gender": "female",
                     "full_address": {"user_city": "Hải Phòng", "user_ward": "Lê Chân", "user_address": "1 Nhà Thương"}}});
        let old = json!({"event_name": "user_submit_info", "timestamp": "8", "sender": {"id": "u3"},
            "info": {"name": "Lan", "phone": 84912345678u64, "address": "1 Nhà Thương",
                     "city": "Hải Phòng", "district": "Lê Chân", "ward": "Cát Dài"}});
        for event in [new, old] {
            assert!(matches!(translate_own(&event),
                OaEvent::Message(i) if i.input == Input::Contact { phone: "84912345678".into(), own: true }));
        }
        let no_phone = json!({"event_name": "user_submit_info", "timestamp": "9", "sender": {"id": "u3"},
            "info": {"name": "Lan"}});
        assert_eq!(translate_own(&no_phone), OaEvent::Ignored);
    }

    #[test]
    fn a_receipt_names_its_tracking_id() {
        let inside = json!({"event_name": "user_received_message", "timestamp": "10",
            "sender": {"id": "oa"}, "recipient": {"id": "u1"},
            "message": {"msg_id": "z1", "tracking_id": "hm42", "delivery_time": "1799000000000"}});
        let beside = json!({"event_name": "user_received_message", "tracking_id": "hm43"});
        assert_eq!(
            translate_own(&inside),
            OaEvent::Received(Receipt {
                tracking_id: "hm42".into()
            })
        );
        assert_eq!(
            translate_own(&beside),
            OaEvent::Received(Receipt {
                tracking_id: "hm43".into()
            })
        );
        assert_eq!(
            translate_own(&json!({"event_name": "user_received_message", "message": {}})),
            OaEvent::Ignored
        );
    }

    #[test]
    fn events_translate() {
        let text = json!({"app_id": "1", "event_name": "user_send_text", "timestamp": "1699003881354",
            "sender": {"id": "u1"}, "recipient": {"id": "oa"}, "message": {"msg_id": "m1", "text": "1"}});
        match translate_own(&text) {
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
            matches!(translate_own(&follow), OaEvent::Message(i) if i.input == Input::Text("/start".into()))
        );
        let unfollow =
            json!({"event_name": "unfollow", "timestamp": "6", "follower": {"id": "u2"}});
        assert_eq!(
            translate_own(&unfollow),
            OaEvent::Unfollow { user: "u2".into() }
        );
        let info = json!({"event_name": "user_submit_info", "timestamp": "7", "sender": {"id": "u3"},
            "info": {"name": "A", "phone": "84912345678"}});
        assert!(matches!(translate_own(&info),
            OaEvent::Message(i) if i.input == Input::Contact { phone: "84912345678".into(), own: true }));
        let image = json!({"event_name": "user_send_image", "timestamp": "8", "sender": {"id": "u4"},
            "message": {"msg_id": "m9"}});
        assert!(
            matches!(translate_own(&image), OaEvent::Message(i) if i.input == Input::Unsupported)
        );
        for junk in [
            json!({}),
            json!(null),
            json!({"event_name": "oa_send_text"}),
            json!({"event_name": "user_send_text", "sender": {"id": "u"}}),
        ] {
            assert_eq!(translate_own(&junk), OaEvent::Ignored);
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
