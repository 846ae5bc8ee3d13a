//! Telegram, through teloxide's Bot API client. Long polling by default; webhook mode is
//! served by [`crate::server`]. Choices become inline buttons (their value is the
//! `callback_data`); the phone question gets a reply-keyboard button that shares the
//! person's own contact.

use super::{Channel, Inbound, Outbound, SendOutcome};
use crate::config::TelegramConfig;
use crate::engine::Input;
use std::time::Duration;
use teloxide::ApiError;
use teloxide::RequestError;
use teloxide::prelude::*;
use teloxide::types::{
    AllowedUpdate, ButtonRequest, CallbackQueryId, InlineKeyboardButton, InlineKeyboardMarkup,
    KeyboardButton, KeyboardMarkup, KeyboardRemove, MessageId, ReplyMarkup, Update, UpdateKind,
};
use tokio::sync::watch;

/// Seconds a getUpdates call waits for news (below teloxide's 17 s client timeout).
const POLL_TIMEOUT_SECS: u32 = 10;

#[derive(Clone)]
pub struct TelegramChannel {
    bot: Bot,
    /// The account this bot is (its updates' and its rows' channel).
    channel: Channel,
    /// Kept only to scrub it from error texts (reqwest errors print the request URL).
    token: String,
}

/// An update, translated; a tapped button must also be acknowledged to Telegram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Translated {
    pub inbound: Inbound,
    pub callback_id: Option<String>,
}

impl TelegramChannel {
    /// The bot of account `channel` (a Telegram channel).
    pub fn new(cfg: &TelegramConfig, channel: Channel) -> anyhow::Result<TelegramChannel> {
        let client = teloxide::net::default_reqwest_settings().build()?;
        let bot = Bot::with_client(cfg.token.clone(), client).set_api_url(cfg.api_url.clone());
        Ok(TelegramChannel {
            bot,
            channel,
            token: cfg.token.clone(),
        })
    }

    /// The account this bot is.
    pub fn channel(&self) -> Channel {
        self.channel
    }

    /// An error's text with the token removed.
    fn describe(&self, e: &RequestError) -> String {
        let text = e.to_string();
        if self.token.is_empty() {
            text
        } else {
            text.replace(&self.token, "<token>")
        }
    }

    /// Check the token and learn the bot's username (getMe).
    pub async fn me(&self) -> anyhow::Result<String> {
        let me = self
            .bot
            .get_me()
            .await
            .map_err(|e| anyhow::anyhow!("Telegram getMe failed: {}", self.describe(&e)))?;
        Ok(me.username.clone().unwrap_or_default())
    }

    pub async fn set_webhook(&self, url: reqwest::Url, secret: &str) -> anyhow::Result<()> {
        self.bot
            .set_webhook(url)
            .secret_token(secret.to_string())
            .allowed_updates(allowed_updates())
            .await
            .map_err(|e| anyhow::anyhow!("Telegram setWebhook failed: {}", self.describe(&e)))?;
        Ok(())
    }

    pub async fn delete_webhook(&self) -> anyhow::Result<()> {
        self.bot
            .delete_webhook()
            .await
            .map_err(|e| anyhow::anyhow!("Telegram deleteWebhook failed: {}", self.describe(&e)))?;
        Ok(())
    }

    /// Acknowledge a tapped button so the client stops its spinner. Best effort.
    pub async fn answer_callback(&self, id: String) {
        if let Err(e) = self.bot.answer_callback_query(CallbackQueryId(id)).await {
            tracing::debug!(error = %self.describe(&e), "answerCallbackQuery failed");
        }
    }

    pub async fn send(&self, chat_id: &str, out: &Outbound) -> SendOutcome {
        let Ok(chat) = chat_id.parse::<i64>() else {
            return SendOutcome::Permanent("chat id is not a number".into());
        };
        let result = self
            .bot
            .send_message(ChatId(chat), &out.text)
            .reply_markup(markup(out))
            .await;
        match result {
            Ok(m) => SendOutcome::Sent {
                platform_message_id: Some(m.id.0.to_string()),
            },
            Err(e) => self.classify(e),
        }
    }

    /// Change a message the bot sent (editMessageText). `None` when it cannot be edited (gone,
    /// too old): the caller sends a new one instead.
    pub async fn edit(
        &self,
        chat_id: &str,
        message_id: &str,
        out: &Outbound,
    ) -> Option<SendOutcome> {
        let (Ok(chat), Ok(id)) = (chat_id.parse::<i64>(), message_id.parse::<i32>()) else {
            return None;
        };
        let mut request = self
            .bot
            .edit_message_text(ChatId(chat), MessageId(id), &out.text);
        // Only inline buttons can go with an edit.
        if let ReplyMarkup::InlineKeyboard(k) = markup(out) {
            request = request.reply_markup(k);
        }
        let sent = SendOutcome::Sent {
            platform_message_id: Some(message_id.to_string()),
        };
        match request.await {
            Ok(_) => Some(sent),
            // The same figures as before: nothing to change.
            Err(RequestError::Api(ApiError::MessageNotModified)) => Some(sent),
            Err(RequestError::Api(
                ApiError::MessageToEditNotFound | ApiError::MessageCantBeEdited,
            )) => None,
            Err(e) => Some(self.classify(e)),
        }
    }

    fn classify(&self, e: RequestError) -> SendOutcome {
        match &e {
            RequestError::RetryAfter(s) => SendOutcome::RetryAfter(s.duration()),
            RequestError::Api(api) => match api {
                ApiError::BotBlocked
                | ApiError::UserDeactivated
                | ApiError::BotKicked
                | ApiError::BotKickedFromSupergroup
                | ApiError::BotKickedFromChannel
                | ApiError::CantInitiateConversation
                | ApiError::ChatNotFound => SendOutcome::Unreachable(self.describe(&e)),
                ApiError::Unknown(text) if text.starts_with("Forbidden") => {
                    SendOutcome::Unreachable(self.describe(&e))
                }
                ApiError::Unknown(text)
                    if text.contains("Internal Server Error") || text.contains("Bad Gateway") =>
                {
                    SendOutcome::Transient(self.describe(&e))
                }
                _ => SendOutcome::Permanent(self.describe(&e)),
            },
            RequestError::Network(_) | RequestError::InvalidJson { .. } | RequestError::Io(_) => {
                SendOutcome::Transient(self.describe(&e))
            }
            RequestError::MigrateToChatId(_) => SendOutcome::Permanent(self.describe(&e)),
        }
    }

    /// Long polling until `shutdown` turns true. Each update is handled (its effects and
    /// replies committed) before the offset moves past it, so a crash loses nothing, and the
    /// store ignores an update it has already handled.
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
        let mut offset: i32 = 0;
        let mut backoff = Duration::from_millis(250);
        loop {
            if *shutdown.borrow() {
                return Ok(());
            }
            let request = self
                .bot
                .get_updates()
                .offset(offset)
                .timeout(POLL_TIMEOUT_SECS)
                .allowed_updates(allowed_updates());
            let result = tokio::select! {
                _ = shutdown.changed() => return Ok(()),
                r = request.send() => r,
            };
            let updates = match result {
                Ok(u) => {
                    backoff = Duration::from_millis(250);
                    u
                }
                Err(e) => {
                    tracing::warn!(error = %self.describe(&e), "Telegram getUpdates failed");
                    if let RequestError::RetryAfter(s) = e {
                        backoff = backoff.max(s.duration());
                    }
                    tokio::select! {
                        _ = shutdown.changed() => return Ok(()),
                        _ = tokio::time::sleep(backoff) => {}
                    }
                    backoff = (backoff * 2).min(Duration::from_secs(30));
                    continue;
                }
            };
            let mut batch = Vec::with_capacity(updates.len());
            let mut last_id = None;
            for update in &updates {
                last_id = Some(update.id.0);
                if let Some(t) = translate(update, self.channel) {
                    if let Some(id) = t.callback_id {
                        let me = self.clone();
                        tokio::spawn(async move { me.answer_callback(id).await });
                    }
                    batch.push(t.inbound);
                }
            }
            match handle(batch).await {
                Ok(()) => {
                    if let Some(id) = last_id {
                        offset = i32::try_from(id).unwrap_or(i32::MAX).saturating_add(1);
                    }
                }
                Err(e) => {
                    // Not acknowledged: Telegram gives the batch again on the next call, and
                    // what was already handled is recognised as such.
                    tracing::error!(error = %format!("{e:#}"), "handling Telegram updates failed");
                    tokio::select! {
                        _ = shutdown.changed() => return Ok(()),
                        _ = tokio::time::sleep(backoff) => {}
                    }
                    backoff = (backoff * 2).min(Duration::from_secs(30));
                }
            }
        }
    }
}

fn allowed_updates() -> Vec<AllowedUpdate> {
    vec![AllowedUpdate::Message, AllowedUpdate::CallbackQuery]
}

/// Buttons: options as inline buttons, laid out by label length; the phone question as a
/// one-time "share my contact" keyboard; otherwise any earlier reply keyboard is removed.
pub fn markup(out: &Outbound) -> ReplyMarkup {
    if let Some(label) = &out.phone_button {
        let button = KeyboardButton::new(label.clone()).request(ButtonRequest::Contact);
        return ReplyMarkup::Keyboard(
            KeyboardMarkup::new(vec![vec![button]])
                .resize_keyboard()
                .one_time_keyboard(),
        );
    }
    if out.choices.is_empty() {
        return ReplyMarkup::KeyboardRemove(KeyboardRemove::new());
    }
    let longest = out
        .choices
        .iter()
        .map(|c| c.label.chars().count())
        .max()
        .unwrap_or(0);
    let per_row = match longest {
        0..=4 => 4,
        5..=14 => 2,
        _ => 1,
    };
    let buttons: Vec<InlineKeyboardButton> = out
        .choices
        .iter()
        .map(|c| InlineKeyboardButton::callback(c.label.clone(), c.value.clone()))
        .collect();
    ReplyMarkup::InlineKeyboard(InlineKeyboardMarkup::new(
        buttons
            .chunks(per_row)
            .map(|row| row.to_vec())
            .collect::<Vec<_>>(),
    ))
}

/// A webhook body: an error if it is not an update at all, `None` if it is one hienmau does
/// not serve (see [`translate`]). The platform's types stay in this adapter.
pub fn translate_body(
    body: &[u8],
    channel: Channel,
) -> Result<Option<Translated>, serde_json::Error> {
    let update: Update = serde_json::from_slice(body)?;
    Ok(translate(&update, channel))
}

/// A Telegram update as hienmau sees it. Only private chats are served; other updates
/// (groups, edits, channel posts) are ignored. `channel`: the bot's account.
pub fn translate(update: &Update, channel: Channel) -> Option<Translated> {
    let event_key = Some(update.id.0.to_string());
    match &update.kind {
        UpdateKind::Message(m) => {
            if !m.chat.is_private() {
                return None;
            }
            let from = m.from.as_ref()?;
            let input = if let Some(text) = m.text() {
                Input::Text(text.to_string())
            } else if let Some(c) = m.contact() {
                Input::Contact {
                    phone: c.phone_number.clone(),
                    own: c.user_id == Some(from.id),
                }
            } else {
                Input::Unsupported
            };
            Some(Translated {
                inbound: Inbound {
                    channel,
                    event_key,
                    user: from.id.0.to_string(),
                    chat_id: m.chat.id.0.to_string(),
                    input,
                },
                callback_id: None,
            })
        }
        UpdateKind::CallbackQuery(q) => {
            let chat = q.message.as_ref().map(|m| m.chat());
            if chat.is_some_and(|c| !c.is_private()) {
                return None;
            }
            // In a private chat the chat id is the user's id.
            let chat_id = chat.map(|c| c.id.0).unwrap_or(q.from.id.0 as i64);
            Some(Translated {
                inbound: Inbound {
                    channel,
                    event_key,
                    user: q.from.id.0.to_string(),
                    chat_id: chat_id.to_string(),
                    input: Input::Choice(q.data.clone().unwrap_or_default()),
                },
                callback_id: Some(q.id.0.clone()),
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::channel::ChannelKind;

    fn translate_own(update: &Update) -> Option<Translated> {
        translate(update, Channel::of(ChannelKind::Telegram))
    }
    use crate::channels::OutChoice;

    /// Parsed from text, as the webhook and getUpdates do (teloxide's flattened update kind
    /// does not deserialise from a `serde_json::Value`).
    fn update(json: serde_json::Value) -> Update {
        serde_json::from_str(&json.to_string()).unwrap()
    }

    fn private_message(extra: serde_json::Value) -> serde_json::Value {
        let mut msg = serde_json::json!({
            "message_id": 5,
            "date": 1_700_000_000,
            "chat": {"id": 42, "type": "private", "first_name": "A"},
            "from": {"id": 42, "is_bot": false, "first_name": "A"}
        });
        msg.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        serde_json::json!({"update_id": 100, "message": msg})
    }

    #[test]
    fn text_contact_and_other_messages() {
        let t = translate_own(&update(private_message(
            serde_json::json!({"text": "xin chào"}),
        )))
        .unwrap();
        assert_eq!(t.inbound.input, Input::Text("xin chào".into()));
        assert_eq!(t.inbound.event_key.as_deref(), Some("100"));
        assert_eq!(
            (t.inbound.user.as_str(), t.inbound.chat_id.as_str()),
            ("42", "42")
        );

        let own = translate_own(&update(private_message(serde_json::json!({
            "contact": {"phone_number": "84912345678", "first_name": "A", "user_id": 42}
        }))))
        .unwrap();
        assert_eq!(
            own.inbound.input,
            Input::Contact {
                phone: "84912345678".into(),
                own: true
            }
        );
        let other = translate_own(&update(private_message(serde_json::json!({
            "contact": {"phone_number": "84912345678", "first_name": "B", "user_id": 7}
        }))))
        .unwrap();
        assert_eq!(
            other.inbound.input,
            Input::Contact {
                phone: "84912345678".into(),
                own: false
            }
        );

        let sticker = translate_own(&update(private_message(serde_json::json!({
            "sticker": {"file_id": "f", "file_unique_id": "u", "type": "regular",
                        "width": 1, "height": 1, "is_animated": false, "is_video": false}
        }))))
        .unwrap();
        assert_eq!(sticker.inbound.input, Input::Unsupported);
    }

    #[test]
    fn group_messages_are_ignored() {
        let u = update(serde_json::json!({"update_id": 1, "message": {
            "message_id": 5, "date": 1_700_000_000, "text": "hi",
            "chat": {"id": -100, "type": "group", "title": "CLB"},
            "from": {"id": 42, "is_bot": false, "first_name": "A"}
        }}));
        assert_eq!(translate_own(&u), None);
    }

    #[test]
    fn a_tapped_button_is_a_choice_to_acknowledge() {
        let u = update(serde_json::json!({"update_id": 2, "callback_query": {
            "id": "cb1", "chat_instance": "ci", "data": "agree",
            "from": {"id": 42, "is_bot": false, "first_name": "A"},
            "message": {"message_id": 9, "date": 1_700_000_000, "text": "?",
                        "chat": {"id": 42, "type": "private", "first_name": "A"}}
        }}));
        let t = translate_own(&u).unwrap();
        assert_eq!(t.inbound.input, Input::Choice("agree".into()));
        assert_eq!(t.callback_id.as_deref(), Some("cb1"));
        assert_eq!(t.inbound.chat_id, "42");
    }

    #[test]
    fn buttons_follow_the_outbound() {
        let choice = |v: &str| OutChoice {
            value: v.into(),
            label: v.into(),
        };
        let groups = Outbound {
            text: "?".into(),
            choices: ["O+", "A+", "B+", "AB+", "O-"]
                .iter()
                .map(|v| choice(v))
                .collect(),
            phone_button: None,
            ..Outbound::default()
        };
        match markup(&groups) {
            ReplyMarkup::InlineKeyboard(k) => {
                assert_eq!(
                    k.inline_keyboard.iter().map(Vec::len).collect::<Vec<_>>(),
                    [4, 1]
                )
            }
            other => panic!("{other:?}"),
        }
        let phone = Outbound {
            text: "?".into(),
            choices: vec![],
            phone_button: Some("📱".into()),
            ..Outbound::default()
        };
        assert!(matches!(markup(&phone), ReplyMarkup::Keyboard(_)));
        let plain = Outbound {
            text: "?".into(),
            ..Outbound::default()
        };
        assert!(matches!(markup(&plain), ReplyMarkup::KeyboardRemove(_)));
    }
}
