//! Zalo Bot Platform: a Telegram-style bot API at `{api}/bot{token}/{method}` answering
//! `{"ok":true,"result":…}` or `{"ok":false,"error_code":N,"description":…}`. Long polling
//! returns one update per call (error 408: none yet); webhook mode is served by
//! [`crate::server`]. No buttons: options are numbered lines of the text, answered by number
//! or by word. Texts are at most 2,000 characters (split by the app before they get here).

use super::{Channel, Inbound, Outbound, SendOutcome};
use crate::config::ZaloBotConfig;
use crate::engine::Input;
use serde_json::{Value, json};
use std::time::Duration;
use tokio::sync::watch;

/// Seconds a getUpdates call waits for news.
const POLL_TIMEOUT_SECS: u64 = 25;

#[derive(Clone)]
pub struct ZaloBotChannel {
    http: reqwest::Client,
    /// The account this bot is.
    channel: Channel,
    api_url: reqwest::Url,
    token: String,
}

/// What went wrong with a call.
#[derive(Debug, Clone, PartialEq)]
pub enum ZaloError {
    /// The platform answered `ok: false`.
    Api {
        code: i64,
        description: String,
        retry_after: Option<u64>,
    },
    /// No answer, or not one the platform would give.
    Transport(String),
}

impl std::fmt::Display for ZaloError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ZaloError::Api {
                code, description, ..
            } => write!(f, "Zalo error {code}: {description}"),
            ZaloError::Transport(e) => write!(f, "Zalo unreachable: {e}"),
        }
    }
}

impl ZaloBotChannel {
    /// The bot of account `channel` (a Zalo channel).
    pub fn new(cfg: &ZaloBotConfig, channel: Channel) -> anyhow::Result<ZaloBotChannel> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(POLL_TIMEOUT_SECS + 15))
            .build()?;
        Ok(ZaloBotChannel {
            http,
            channel,
            api_url: cfg.api_url.clone(),
            token: cfg.token.clone(),
        })
    }

    /// The account this bot is.
    pub fn channel(&self) -> Channel {
        self.channel
    }

    /// Call a method. Error texts never contain the token (it is part of the URL).
    pub async fn call(&self, method: &str, body: Value) -> Result<Value, ZaloError> {
        let base = self.api_url.as_str().trim_end_matches('/');
        let url = format!("{base}/bot{}/{method}", self.token);
        let response = self
            .http
            .post(url)
            .json(&body)
            .send()
            .await
            .map_err(|e| ZaloError::Transport(e.without_url().to_string()))?;
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| ZaloError::Transport(e.without_url().to_string()))?;
        let answer: Value = serde_json::from_slice(&bytes).map_err(|_| {
            ZaloError::Transport(format!("HTTP {status} with a body that is not JSON"))
        })?;
        if answer["ok"] == json!(true) {
            return Ok(answer["result"].clone());
        }
        Err(ZaloError::Api {
            code: answer["error_code"]
                .as_i64()
                .unwrap_or(i64::from(status.as_u16())),
            description: answer["description"].as_str().unwrap_or("").to_string(),
            retry_after: answer["parameters"]["retry_after"].as_u64(),
        })
    }

    /// Check the token and learn the bot's name (getMe).
    pub async fn me(&self) -> anyhow::Result<String> {
        let me = self
            .call("getMe", json!({}))
            .await
            .map_err(|e| anyhow::anyhow!("Zalo getMe failed: {e}"))?;
        Ok(me["account_name"]
            .as_str()
            .or(me["display_name"].as_str())
            .unwrap_or("")
            .to_string())
    }

    pub async fn set_webhook(&self, url: &reqwest::Url, secret: &str) -> anyhow::Result<()> {
        self.call(
            "setWebhook",
            json!({"url": url.as_str(), "secret_token": secret}),
        )
        .await
        .map_err(|e| anyhow::anyhow!("Zalo setWebhook failed: {e}"))?;
        Ok(())
    }

    pub async fn delete_webhook(&self) -> anyhow::Result<()> {
        self.call("deleteWebhook", json!({}))
            .await
            .map_err(|e| anyhow::anyhow!("Zalo deleteWebhook failed: {e}"))?;
        Ok(())
    }

    pub async fn send(&self, chat_id: &str, out: &Outbound) -> SendOutcome {
        // Options were folded into the text by the app (`choices_as_text`); any left over
        // (a row written before) are appended here.
        let mut text = out.text.clone();
        if !out.choices.is_empty() {
            text = format!("{text}\n\n{}", super::numbered(&out.choices).trim_end());
        }
        match self
            .call("sendMessage", json!({"chat_id": chat_id, "text": text}))
            .await
        {
            Ok(result) => SendOutcome::Sent {
                platform_message_id: result["message_id"]
                    .as_str()
                    .map(str::to_string)
                    .or_else(|| result["message_id"].as_i64().map(|n| n.to_string())),
            },
            Err(e) => classify(e),
        }
    }

    /// Long polling until `shutdown` turns true. Each update is handled and committed before
    /// the next call; the platform hands an update out once, so this loop never asks for
    /// more than it can handle.
    /// Each fetched batch goes to `handle` (the app's `handle_polled`): the adapter never
    /// sees the app.
    pub async fn poll<H, F>(
        &self,
        handle: H,
        mut shutdown: watch::Receiver<bool>,
    ) -> anyhow::Result<()>
    where
        H: Fn(Vec<Inbound>) -> F,
        F: std::future::Future<Output = anyhow::Result<()>>,
    {
        let mut backoff = Duration::from_millis(250);
        loop {
            if *shutdown.borrow() {
                return Ok(());
            }
            let request = self.call("getUpdates", json!({"timeout": POLL_TIMEOUT_SECS}));
            let result = tokio::select! {
                _ = shutdown.changed() => return Ok(()),
                r = request => r,
            };
            let updates = match result {
                Ok(v) => {
                    backoff = Duration::from_millis(250);
                    match v {
                        Value::Array(list) => list,
                        Value::Null => Vec::new(),
                        one => vec![one],
                    }
                }
                // 408: nothing arrived before the timeout.
                Err(ZaloError::Api { code: 408, .. }) => continue,
                Err(e) => {
                    tracing::warn!(error = %e, "Zalo getUpdates failed");
                    tokio::select! {
                        _ = shutdown.changed() => return Ok(()),
                        _ = tokio::time::sleep(backoff) => {}
                    }
                    backoff = (backoff * 2).min(Duration::from_secs(30));
                    continue;
                }
            };
            let batch: Vec<Inbound> = updates
                .iter()
                .filter_map(|u| translate(u, self.channel))
                .collect();
            // The update is already out of the platform's queue: keep trying while the
            // database fails (an update that fails on its own is skipped and counted, as on
            // every channel, rather than hold back every later one).
            while let Err(e) = handle(batch.clone()).await {
                tracing::error!(error = %format!("{e:#}"), "handling a Zalo update failed, retrying");
                tokio::select! {
                    _ = shutdown.changed() => return Ok(()),
                    _ = tokio::time::sleep(backoff) => {}
                }
                backoff = (backoff * 2).min(Duration::from_secs(30));
            }
        }
    }
}

fn classify(e: ZaloError) -> SendOutcome {
    match e {
        ZaloError::Transport(t) => SendOutcome::Transient(t),
        ZaloError::Api {
            code: 429,
            retry_after,
            ..
        } => SendOutcome::RetryAfter(Duration::from_secs(retry_after.unwrap_or(1).max(1))),
        ZaloError::Api {
            code: 403,
            description,
            ..
        } => SendOutcome::Unreachable(description),
        ZaloError::Api {
            code, description, ..
        } if code >= 500 || code == 408 => SendOutcome::Transient(format!("{code}: {description}")),
        ZaloError::Api {
            code, description, ..
        } => SendOutcome::Permanent(format!("{code}: {description}")),
    }
}

/// An id that may come as a string or a number.
fn id_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A Zalo update (or a webhook body, possibly wrapped as `{"ok":true,"result":…}`) as
/// hienmau sees it. Only private chats are served. `channel`: the bot's account.
pub fn translate(update: &Value, channel: Channel) -> Option<Inbound> {
    let update = if update.get("event_name").is_none() && update.get("result").is_some() {
        &update["result"]
    } else {
        update
    };
    let message = &update["message"];
    let user = id_of(&message["from"]["id"])?;
    if message["from"]["is_bot"] == json!(true) {
        return None;
    }
    let chat_id = id_of(&message["chat"]["id"]).unwrap_or_else(|| user.clone());
    if message["chat"]["chat_type"]
        .as_str()
        .is_some_and(|t| t != "PRIVATE")
    {
        return None;
    }
    let input = match update["event_name"].as_str()? {
        "message.text.received" => Input::Text(message["text"].as_str()?.to_string()),
        "message.image.received" | "message.sticker.received" | "message.unsupported.received" => {
            Input::Unsupported
        }
        _ => return None,
    };
    Some(Inbound {
        channel,
        event_key: id_of(&message["message_id"]),
        user,
        chat_id,
        input,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::channel::ChannelKind;

    fn translate_own(update: &Value) -> Option<Inbound> {
        translate(update, Channel::of(ChannelKind::Zalo))
    }

    fn text_event(text: &str) -> Value {
        json!({"event_name": "message.text.received", "message": {
            "message_id": "m1", "date": 1_700_000_000_000i64, "text": text,
            "from": {"id": "u9", "display_name": "Lan", "is_bot": false},
            "chat": {"id": "c9", "chat_type": "PRIVATE"}
        }})
    }

    #[test]
    fn text_and_other_events() {
        let t = translate_own(&text_event("xin chào")).unwrap();
        assert_eq!(t.input, Input::Text("xin chào".into()));
        assert_eq!((t.user.as_str(), t.chat_id.as_str()), ("u9", "c9"));
        assert_eq!(t.event_key.as_deref(), Some("m1"));
        let mut sticker = text_event("");
        sticker["event_name"] = json!("message.sticker.received");
        assert_eq!(translate_own(&sticker).unwrap().input, Input::Unsupported);
        let wrapped = json!({"ok": true, "result": text_event("1")});
        assert_eq!(
            translate_own(&wrapped).unwrap().input,
            Input::Text("1".into())
        );
    }

    #[test]
    fn groups_bots_unknown_events_and_junk_are_ignored() {
        let mut group = text_event("hi");
        group["message"]["chat"]["chat_type"] = json!("GROUP");
        assert_eq!(translate_own(&group), None);
        let mut bot = text_event("hi");
        bot["message"]["from"]["is_bot"] = json!(true);
        assert_eq!(translate_own(&bot), None);
        let mut other = text_event("hi");
        other["event_name"] = json!("message.reaction.received");
        assert_eq!(translate_own(&other), None);
        for junk in [
            json!(null),
            json!([]),
            json!({}),
            json!({"message": 5}),
            json!("x"),
        ] {
            assert_eq!(translate_own(&junk), None);
        }
    }

    #[test]
    fn numeric_ids_are_accepted() {
        let mut e = text_event("hi");
        e["message"]["from"]["id"] = json!(123);
        e["message"]["chat"]["id"] = json!(456);
        let t = translate_own(&e).unwrap();
        assert_eq!((t.user.as_str(), t.chat_id.as_str()), ("123", "456"));
    }

    #[test]
    fn errors_map_to_outcomes() {
        let api = |code| ZaloError::Api {
            code,
            description: "x".into(),
            retry_after: None,
        };
        assert_eq!(
            classify(api(429)),
            SendOutcome::RetryAfter(Duration::from_secs(1))
        );
        assert!(matches!(classify(api(403)), SendOutcome::Unreachable(_)));
        assert!(matches!(classify(api(502)), SendOutcome::Transient(_)));
        assert!(matches!(classify(api(400)), SendOutcome::Permanent(_)));
        assert!(matches!(
            classify(ZaloError::Transport("t".into())),
            SendOutcome::Transient(_)
        ));
    }
}
