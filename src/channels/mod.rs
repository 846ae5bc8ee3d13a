//! Channel adapters only translate: a platform's update becomes an [`Inbound`], an
//! [`Outbound`] becomes a platform request. Nothing outside this folder knows which platform
//! a message came from, beyond the channel's name.

pub mod telegram;
pub mod terminal;
pub mod zalo_bot;
pub mod zalo_oa;
pub mod zns;

pub use crate::domain::channel::{Channel, ChannelKind, parse_account};
use crate::engine::Input;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Duration;

/// A message from a person, translated from the platform's shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inbound {
    pub channel: Channel,
    /// The platform's id for this event (Telegram update_id); redeliveries carry the same.
    pub event_key: Option<String>,
    /// The sender's account id on the platform.
    pub user: String,
    /// Where replies go.
    pub chat_id: String,
    pub input: Input,
}

/// A message to send, as stored in the outbox (JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Outbound {
    pub text: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<OutChoice>,
    /// Label of a "share my phone" button, on platforms that have one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_button: Option<String>,
    /// This message updates a series of messages whose outbox keys start with this prefix
    /// (a call-out's tallies): where the platform can edit a sent message (Telegram), the
    /// series' latest message in this chat is changed in place; otherwise (another platform,
    /// nothing sent yet, a message deleted) this one is sent as a new message and becomes the
    /// one the next update edits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edit_of: Option<String>,
    /// A proactive message to a Zalo OA account: what a template message (ZNS) needs if the
    /// person is outside the OA's 7-day window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<TemplateCall>,
}

/// A message as a template would carry it: its Fluent id and variables as rendered text
/// (a nested message both whole, `line`, and by its own variables, `line.group`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateCall {
    pub kind: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub vars: BTreeMap<String, String>,
    /// A later part of a text split for the channel: sent by template, the first part's
    /// template carries the whole message, so this part sends nothing.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub continued: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutChoice {
    pub value: String,
    pub label: String,
}

/// What a platform said to one send.
#[derive(Debug, Clone, PartialEq)]
pub enum SendOutcome {
    Sent {
        platform_message_id: Option<String>,
    },
    /// Flood control: wait this long (Telegram's 429 `retry_after`).
    RetryAfter(Duration),
    /// Blocked by the person, account gone (403): do not write to this account again.
    Unreachable(String),
    /// Network trouble, a server error: try again later.
    Transient(String),
    /// The request itself is wrong: retrying will not help.
    Permanent(String),
    /// A quota is spent: not before `until` (unix ms) on this channel; another channel of
    /// the same person may take it.
    QuotaSpent {
        until: i64,
    },
    /// This channel cannot carry it (outside the Zalo OA window with no template, a phone
    /// that opted out of templates, the budget spent): another channel of the same person
    /// may take it; if none, it fails with this reason. The account stays reachable.
    NoRoute(String),
}

impl SendOutcome {
    /// Its name in the metrics (`retry_after` is a platform's 429).
    pub fn metric(&self) -> &'static str {
        match self {
            SendOutcome::Sent { .. } => "sent",
            SendOutcome::RetryAfter(_) => "retry_after",
            SendOutcome::Unreachable(_) => "unreachable",
            SendOutcome::Transient(_) => "transient",
            SendOutcome::Permanent(_) => "failed",
            SendOutcome::QuotaSpent { .. } => "quota",
            SendOutcome::NoRoute(_) => "no_route",
        }
    }
}

/// Options as numbered lines: `  1. Đồng ý`.
pub fn numbered(choices: &[OutChoice]) -> String {
    choices
        .iter()
        .enumerate()
        .map(|(i, c)| format!("  {}. {}\n", i + 1, c.label))
        .collect()
}

/// Length as the platforms count it: UTF-16 code units (Telegram's 4,096 is in those; a
/// Vietnamese letter is one, an emoji such as 📱 two). For limits counted in characters this is
/// never less, so it errs on the safe side.
pub fn text_len(s: &str) -> usize {
    s.chars().map(char::len_utf16).sum()
}

/// Split a long text into parts of at most `max` units ([`text_len`]), on line boundaries
/// where possible (then on spaces, then anywhere), keeping the order.
pub fn split_text(text: &str, max: usize) -> Vec<String> {
    if max < 2 || text_len(text) <= max {
        return vec![text.to_string()];
    }
    let mut parts = Vec::new();
    let mut rest: &str = text;
    while text_len(rest) > max {
        // Byte index of the longest prefix within `max` units.
        let mut units = 0;
        let mut limit = rest.len();
        for (i, c) in rest.char_indices() {
            units += c.len_utf16();
            if units > max {
                limit = i;
                break;
            }
        }
        let window = &rest[..limit];
        let cut = window
            .rfind('\n')
            .filter(|&i| i > 0)
            .or_else(|| window.rfind(' ').filter(|&i| i > 0))
            .unwrap_or(limit);
        parts.push(rest[..cut].trim_end().to_string());
        rest = rest[cut..].trim_start_matches(['\n', ' ']);
    }
    if !rest.is_empty() {
        parts.push(rest.to_string());
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_are_read_from_channel_and_id() {
        assert_eq!(
            parse_account(" telegram:123456 "),
            Some((Channel::of(ChannelKind::Telegram), "123456".into()))
        );
        assert_eq!(
            parse_account("terminal:lan"),
            Some((Channel::of(ChannelKind::Terminal), "lan".into()))
        );
        for bad in ["", "telegram", "telegram:", "fax:1", "telegram:1 2", ":1"] {
            assert_eq!(parse_account(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn short_texts_stay_whole() {
        assert_eq!(split_text("xin chào", 10), vec!["xin chào"]);
        assert_eq!(split_text("", 10), vec![""]);
    }

    #[test]
    fn long_texts_split_on_lines_in_order() {
        let line = "Ngày hội hiến máu Chủ nhật Đỏ tại Nhà văn hoá Thanh niên.";
        let text: Vec<String> = (0..100).map(|i| format!("{i}. {line}")).collect();
        let text = text.join("\n");
        let parts = split_text(&text, 2000);
        assert!(parts.len() >= 3);
        assert!(parts.iter().all(|p| p.chars().count() <= 2000));
        assert_eq!(parts.join("\n"), text, "nothing lost, order kept");
        assert!(
            parts
                .iter()
                .all(|p| !p.starts_with('\n') && !p.ends_with('\n'))
        );
    }

    #[test]
    fn a_line_longer_than_the_limit_splits_on_spaces_or_anywhere() {
        let words = "máu ".repeat(50);
        let parts = split_text(words.trim(), 20);
        assert!(parts.iter().all(|p| p.chars().count() <= 20));
        assert_eq!(parts.join(" "), words.trim());
        let solid = "đ".repeat(45);
        let parts = split_text(&solid, 20);
        assert_eq!(
            parts.iter().map(|p| p.chars().count()).collect::<Vec<_>>(),
            [20, 20, 5]
        );
    }

    #[test]
    fn lengths_count_utf16_units_as_telegram_does() {
        assert_eq!(text_len("Hiến máu"), 8);
        assert_eq!(text_len("📱"), 2);
        let emoji = "📱".repeat(3000);
        let parts = split_text(&emoji, 4096);
        assert_eq!(parts.len(), 2);
        assert!(parts.iter().all(|p| text_len(p) <= 4096));
        assert_eq!(parts.concat(), emoji, "no emoji is cut in half");
    }

    #[test]
    fn outbound_json_round_trips_and_omits_empty_parts() {
        let o = Outbound {
            text: "x".into(),
            ..Outbound::default()
        };
        assert_eq!(serde_json::to_string(&o).unwrap(), r#"{"text":"x"}"#);
        let o = Outbound {
            text: "x".into(),
            choices: vec![OutChoice {
                value: "agree".into(),
                label: "Đồng ý".into(),
            }],
            phone_button: Some("📱".into()),
            edit_of: Some("callout:1:tally:".into()),
            template: Some(TemplateCall {
                kind: "reminder-drive".into(),
                vars: BTreeMap::from([("place".into(), "Nhà văn hoá".into())]),
                continued: false,
            }),
        };
        let back: Outbound = serde_json::from_str(&serde_json::to_string(&o).unwrap()).unwrap();
        assert_eq!(back, o);
        // Rows queued before a field existed still read.
        let old: Outbound = serde_json::from_str(r#"{"text":"x","phone_button":"📱"}"#).unwrap();
        assert_eq!(old.edit_of, None);
        assert_eq!(old.phone_button.as_deref(), Some("📱"));
    }
}
