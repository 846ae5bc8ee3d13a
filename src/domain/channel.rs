//! The platforms hienmau speaks on, and the accounts it holds on each, by the one code each
//! is stored under. The adapters in `channels/` translate their platform; everything else
//! names a channel by [`Channel`] (an account on a platform) and asks its platform's ways of
//! [`ChannelKind`].

use std::sync::Mutex;

/// The platforms hienmau speaks on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ChannelKind {
    Telegram,
    /// Zalo Bot Platform.
    Zalo,
    /// A Zalo Official Account.
    ZaloOa,
    Terminal,
}

impl ChannelKind {
    pub const fn code(self) -> &'static str {
        match self {
            ChannelKind::Telegram => "telegram",
            ChannelKind::Zalo => "zalo",
            ChannelKind::ZaloOa => "zalo_oa",
            ChannelKind::Terminal => "terminal",
        }
    }

    /// The platform's own name, as people know it (the same in every language).
    pub fn name(self) -> &'static str {
        match self {
            ChannelKind::Telegram => "Telegram",
            ChannelKind::Zalo => "Zalo",
            ChannelKind::ZaloOa => "Zalo OA",
            ChannelKind::Terminal => "terminal",
        }
    }

    pub fn from_code(code: &str) -> Option<ChannelKind> {
        match code {
            "telegram" => Some(ChannelKind::Telegram),
            "zalo" => Some(ChannelKind::Zalo),
            "zalo_oa" => Some(ChannelKind::ZaloOa),
            "terminal" => Some(ChannelKind::Terminal),
            _ => None,
        }
    }

    /// The longest text one message may carry, in `channels::text_len` units (Telegram: 4,096;
    /// Zalo: 2,000).
    pub fn max_text_chars(self) -> usize {
        match self {
            ChannelKind::Telegram => 4096,
            ChannelKind::Zalo | ChannelKind::ZaloOa => 2000,
            ChannelKind::Terminal => usize::MAX,
        }
    }

    /// Whether a button under a message sends its value when tapped, whatever the
    /// conversation is doing (Telegram's inline buttons, Zalo OA's). Elsewhere a typed "1"
    /// answers the conversation's current question, so a pushed message's options would not.
    pub fn has_buttons(self) -> bool {
        matches!(self, ChannelKind::Telegram | ChannelKind::ZaloOa)
    }

    /// Platforms without buttons (or with fewer buttons than `options`) show the options as
    /// numbered lines of the text itself, so they count toward the length limit.
    pub fn choices_as_text(self, options: usize) -> bool {
        match self {
            ChannelKind::Zalo => true,
            // An OA message carries at most 5 buttons.
            ChannelKind::ZaloOa => options > 5,
            ChannelKind::Telegram | ChannelKind::Terminal => false,
        }
    }
}

/// One account hienmau speaks through: a platform and, where a deployment holds several
/// accounts on one platform (a province's own Zalo OA, its own Telegram bot), the account's
/// name. Stored as one code: the platform's (`zalo_oa`) for the deployment's own account,
/// `zalo_oa@quang-ninh` for a named one, so that every person, message and handled update
/// already kept under a platform's code stays on the deployment's own account.
///
/// A person's id is the platform's id *on that account* (Zalo gives each OA its own ids;
/// a Telegram bot can only write to those who started it): the same person writing to two
/// accounts is two channel accounts, joined to one donor by a verified phone as any two are.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Channel {
    kind: ChannelKind,
    /// The whole stored code (interned: a deployment names a handful of accounts).
    code: &'static str,
}

/// Longest account name.
pub const ACCOUNT_NAME_MAX: usize = 32;

impl Channel {
    /// The deployment's own account on `kind`.
    pub const fn of(kind: ChannelKind) -> Channel {
        Channel {
            kind,
            code: kind.code(),
        }
    }

    /// The account `name` on `kind` (`""`: the deployment's own); `None` for a name that is
    /// not 1–32 of a-z, 0-9 and inner `-`. The terminal has one account only.
    pub fn named(kind: ChannelKind, name: &str) -> Option<Channel> {
        if name.is_empty() {
            return Some(Channel::of(kind));
        }
        if !valid_account_name(name) || kind == ChannelKind::Terminal {
            return None;
        }
        Some(Channel {
            kind,
            code: intern(&format!("{}@{name}", kind.code())),
        })
    }

    /// The channel a stored code names (`telegram`, `zalo_oa@quang-ninh`).
    pub fn from_code(code: &str) -> Option<Channel> {
        match code.split_once('@') {
            None => ChannelKind::from_code(code).map(Channel::of),
            Some((kind, name)) if !name.is_empty() => {
                Channel::named(ChannelKind::from_code(kind)?, name)
            }
            Some(_) => None,
        }
    }

    pub fn code(self) -> &'static str {
        self.code
    }

    pub fn kind(self) -> ChannelKind {
        self.kind
    }

    /// The account's name, `""` for the deployment's own.
    pub fn account(self) -> &'static str {
        self.code.split_once('@').map_or("", |(_, name)| name)
    }

    /// As staff read it: `Zalo OA`, `Zalo OA (quang-ninh)`.
    pub fn name(self) -> String {
        match self.account() {
            "" => self.kind.name().to_string(),
            account => format!("{} ({account})", self.kind.name()),
        }
    }

    /// The platform's limit ([`ChannelKind::max_text_chars`]).
    pub fn max_text_chars(self) -> usize {
        self.kind.max_text_chars()
    }

    /// [`ChannelKind::has_buttons`].
    pub fn has_buttons(self) -> bool {
        self.kind.has_buttons()
    }

    /// [`ChannelKind::choices_as_text`].
    pub fn choices_as_text(self, options: usize) -> bool {
        self.kind.choices_as_text(options)
    }
}

impl From<ChannelKind> for Channel {
    fn from(kind: ChannelKind) -> Channel {
        Channel::of(kind)
    }
}

impl std::fmt::Debug for Channel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code)
    }
}

impl std::fmt::Display for Channel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code)
    }
}

/// 1–32 of a-z, 0-9 and `-`, not first nor last: a name that is also a path segment, a
/// metric label and (upper-cased, `-` as `_`) part of an environment variable's name.
pub fn valid_account_name(name: &str) -> bool {
    (1..=ACCOUNT_NAME_MAX).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-')
}

/// The one copy of a code, kept for the process's life: only valid codes come here, and a
/// deployment has a handful (from its configuration and its own rows).
fn intern(code: &str) -> &'static str {
    static CODES: Mutex<Vec<&'static str>> = Mutex::new(Vec::new());
    let mut codes = CODES.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(c) = codes.iter().find(|c| **c == code) {
        return c;
    }
    let c: &'static str = Box::leak(code.to_string().into_boxed_str());
    codes.push(c);
    c
}

/// An account named on the command line or in configuration: `telegram:123456`,
/// `zalo:abc`, `zalo_oa@quang-ninh:…`, `terminal:lan` → (channel, id on that account).
pub fn parse_account(s: &str) -> Option<(Channel, String)> {
    let (channel, id) = s.trim().split_once(':')?;
    let channel = Channel::from_code(channel.trim())?;
    let id = id.trim();
    (!id.is_empty() && !id.contains(char::is_whitespace)).then(|| (channel, id.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_channel_reads_back_from_its_code() {
        for c in [
            ChannelKind::Telegram,
            ChannelKind::Zalo,
            ChannelKind::ZaloOa,
            ChannelKind::Terminal,
        ] {
            assert_eq!(ChannelKind::from_code(c.code()), Some(c));
        }
        assert_eq!(ChannelKind::from_code("Telegram"), None);
        assert_eq!(ChannelKind::from_code(""), None);
    }

    #[test]
    fn an_account_is_its_platforms_code_and_its_name() {
        let own = Channel::of(ChannelKind::ZaloOa);
        assert_eq!(own.code(), "zalo_oa");
        assert_eq!(own.account(), "");
        assert_eq!(Channel::from_code("zalo_oa"), Some(own));
        let qn = Channel::named(ChannelKind::ZaloOa, "quang-ninh").unwrap();
        assert_eq!(qn.code(), "zalo_oa@quang-ninh");
        assert_eq!(
            (qn.kind(), qn.account()),
            (ChannelKind::ZaloOa, "quang-ninh")
        );
        assert_eq!(qn.name(), "Zalo OA (quang-ninh)");
        assert_eq!(Channel::from_code("zalo_oa@quang-ninh"), Some(qn));
        assert_ne!(qn, own);
        assert_ne!(
            qn,
            Channel::named(ChannelKind::Telegram, "quang-ninh").unwrap()
        );
        assert_eq!(
            Channel::named(ChannelKind::Telegram, ""),
            Some(Channel::of(ChannelKind::Telegram))
        );
        for bad in [
            "zalo_oa@",
            "zalo_oa@Quang-Ninh",
            "zalo_oa@quang ninh",
            "zalo_oa@-qn",
            "zalo_oa@qn-",
            "zalo_oa@qn@x",
            "fax@qn",
            "terminal@lan",
            "@qn",
        ] {
            assert_eq!(Channel::from_code(bad), None, "{bad:?}");
        }
        assert_eq!(
            Channel::from_code(&format!("telegram@{}", "a".repeat(33))),
            None
        );
        assert!(Channel::from_code(&format!("telegram@{}", "a".repeat(32))).is_some());
    }

    #[test]
    fn accounts_on_named_channels_are_read() {
        let (c, id) = parse_account("zalo_oa@quang-ninh:8471").unwrap();
        assert_eq!((c.code(), id.as_str()), ("zalo_oa@quang-ninh", "8471"));
        assert_eq!(parse_account("zalo_oa@:8471"), None);
    }
}
