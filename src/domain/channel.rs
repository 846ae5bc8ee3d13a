//! The platforms hienmau speaks on, by the one code each is stored under. The adapters in
//! `channels/` translate their platform; everything else names a platform by this type.

/// The platforms hienmau speaks on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChannelKind {
    Telegram,
    /// Zalo Bot Platform.
    Zalo,
    /// A Zalo Official Account.
    ZaloOa,
    Terminal,
}

impl ChannelKind {
    pub fn code(self) -> &'static str {
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

/// An account named on the command line or in configuration: `telegram:123456`,
/// `zalo:abc`, `zalo_oa:…`, `terminal:lan` → (channel, id on that platform).
pub fn parse_account(s: &str) -> Option<(ChannelKind, String)> {
    let (channel, id) = s.trim().split_once(':')?;
    let channel = ChannelKind::from_code(channel.trim())?;
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
}
