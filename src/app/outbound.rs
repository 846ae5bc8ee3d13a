//! What every use case shares to write to people: one message rendered for a recipient's
//! language and channel as outbox rows, drive cards for scheduled messages, codes, days.

use super::{App, render, split_outbound};
use crate::channels::{ChannelKind, TemplateCall};
use crate::domain::club::{CODE_LEN, invite_code};
use crate::domain::drive::{DriveInfo, local_window};
use crate::engine::Reply;
use crate::messages::{Arg, Lang, Msg};
use crate::store::{Lane, NewMessage, OutboxKey, Recipient};
use anyhow::Context;
use chrono::{DateTime, TimeZone, Utc};
use std::collections::BTreeMap;

/// One message to one person, rendered in their language for their channel, as outbox rows
/// (several when the channel needs the text split). `key` makes it unique.
pub(crate) fn rows_for<'a>(
    app: &App,
    r: &'a Recipient,
    msg: Msg,
    key: &OutboxKey,
    lane: Lane,
    not_before: i64,
) -> anyhow::Result<Vec<NewMessage<'a>>> {
    let reply = Reply {
        parts: vec![msg],
        ..Reply::default()
    };
    rows_for_reply(app, r, &reply, key, lane, not_before)
}

/// Like [`rows_for`], for a message with options (an urgent ask's two answers).
pub(crate) fn rows_for_reply<'a>(
    app: &App,
    r: &'a Recipient,
    reply: &Reply,
    key: &OutboxKey,
    lane: Lane,
    not_before: i64,
) -> anyhow::Result<Vec<NewMessage<'a>>> {
    let out = render(app.catalogue(), r.lang, reply);
    let mut parts = split_outbound(out, r.channel);
    if let Some(call) = template_call(app, r, reply, lane) {
        for (i, p) in parts.iter_mut().enumerate() {
            p.template = Some(TemplateCall {
                continued: i > 0,
                ..call.clone()
            });
        }
    }
    parts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            Ok(NewMessage {
                idempotency_key: Some(format!("{key}:{}:{i}", r.identity_id)),
                channel: r.channel,
                chat_id: &r.chat_id,
                identity_id: Some(r.identity_id),
                lane,
                body: serde_json::to_string(p).context("encoding a message")?,
                not_before,
                broadcast_id: None,
            })
        })
        .collect()
}

/// What a template message would need for this message: only for a Zalo OA account (the one
/// channel with templates), a message sent unasked, and a kind a template may carry.
fn template_call(app: &App, r: &Recipient, reply: &Reply, lane: Lane) -> Option<TemplateCall> {
    if r.channel.kind() != ChannelKind::ZaloOa || lane == Lane::Reply {
        return None;
    }
    let msg = reply.parts.first()?;
    if !crate::config::zns::PROACTIVE.contains(&msg.id) {
        return None;
    }
    let mut vars = BTreeMap::new();
    flatten_vars(app, r.lang, "", msg, &mut vars);
    Some(TemplateCall {
        kind: msg.id.id().to_string(),
        vars,
        continued: false,
    })
}

/// A message's variables as text; a nested message's both whole and by its own variables.
fn flatten_vars(
    app: &App,
    lang: Lang,
    prefix: &str,
    msg: &Msg,
    vars: &mut BTreeMap<String, String>,
) {
    for (name, value) in &msg.args {
        let key = format!("{prefix}{name}");
        let text = match value {
            // `Msg::opt`'s "none" picks a selector's branch; a template shows nothing.
            Arg::Str(s) if s == "none" => String::new(),
            Arg::Str(s) => s.clone(),
            Arg::Num(n) => n.to_string(),
            Arg::Msg(m) => {
                flatten_vars(app, lang, &format!("{key}."), m, vars);
                app.catalogue().render(lang, m)
            }
        };
        vars.insert(key, text);
    }
}

/// A drive's card for a message sent outside a conversation (a change, a reminder).
pub(crate) fn drive_card_msg(app: &App, d: &DriveInfo) -> Msg {
    crate::engine::drive::drive_card(app.config().timezone, d)
}

/// A drive on one line, for lists inside scheduled messages:
/// `• 06/12 07:30–11:30 · Trường ĐH Hải Phòng (Hải Phòng)`.
pub(crate) fn drive_card_plain(app: &App, d: &DriveInfo) -> String {
    let (day, w) = local_window(d.starts_at, d.ends_at, app.config().timezone);
    format!(
        "• {} {} · {} ({})",
        day.format("%d/%m"),
        w.label(),
        d.place,
        d.province_name()
    )
}

/// A fresh random invite code.
pub(crate) fn random_code() -> String {
    let mut bytes = [0u8; CODE_LEN];
    if getrandom::getrandom(&mut bytes).is_err() {
        // No system randomness (never seen on Linux): the clock's nanoseconds, hashed.
        let n = Utc::now().timestamp_nanos_opt().unwrap_or_default();
        let digest = <sha2::Sha256 as sha2::Digest>::digest(n.to_le_bytes());
        bytes.copy_from_slice(&digest[..CODE_LEN]);
    }
    invite_code(bytes)
}

impl App {
    /// Start of today in the configured time zone, as unix ms.
    pub(crate) fn start_of_day_ms(&self, now: DateTime<Utc>) -> i64 {
        let tz = self.config().timezone;
        let day = now.with_timezone(&tz).date_naive();
        tz.from_local_datetime(&day.and_time(chrono::NaiveTime::MIN))
            .earliest()
            .map_or(now.timestamp_millis(), |t| t.timestamp_millis())
    }
}
