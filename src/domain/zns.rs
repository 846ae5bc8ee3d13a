//! Zalo's 2026 rules for reaching a person through an Official Account, free of I/O.
//!
//! - A consultation message (`/v3.0/oa/message/cs`) may go only within **7 days** of the
//!   person's last interaction with the OA: free within 48 h, billed from 48 h to 7 days.
//! - Anything else proactive goes as a **template message** (ZNS): an approved template, sent
//!   to the person's phone, paid per message, within a daily quota.
//!
//! [`choose`] is the one place that decides which, from stored facts and the time it is given.

use std::collections::BTreeMap;

/// Consultation messages are free within this time of the person's last interaction.
pub const FREE_WINDOW_MS: i64 = 48 * 60 * 60 * 1000;
/// And allowed (billed) up to this.
pub const OPEN_WINDOW_MS: i64 = 7 * 24 * 60 * 60 * 1000;
/// The first consent text that names Zalo notifications by phone: a template message goes
/// only to donors who agreed to this version or a later one (versions sort by date).
pub const CONSENT_FROM: &str = "2026-12-v2";
/// Zalo's limit on a template message's `tracking_id`.
pub const TRACKING_ID_MAX: usize = 48;

/// Where a person stands with the OA's consultation window at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    /// Within 48 h of their last interaction: free.
    Free,
    /// Between 48 h and 7 days: allowed, billed.
    Billed,
    /// Over 7 days, or never: consultation messages are refused (-230).
    Closed,
}

impl Window {
    /// The window at `now` for a person last seen at `last_seen` (unix ms).
    pub fn at(last_seen: Option<i64>, now: i64) -> Window {
        match last_seen.map(|seen| now.saturating_sub(seen)) {
            Some(age) if age < FREE_WINDOW_MS => Window::Free,
            Some(age) if age < OPEN_WINDOW_MS => Window::Billed,
            _ => Window::Closed,
        }
    }
}

/// What a message's sender needs to know to choose a route: facts read from the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteFacts {
    /// The person's last interaction with the OA (unix ms).
    pub last_seen: Option<i64>,
    /// The consultation API just answered -230 (the stored time was too hopeful).
    pub window_refused: bool,
    /// The message answers what the person just wrote (never a template).
    pub is_reply: bool,
    /// An urgent call-out ask.
    pub urgent: bool,
    /// The phone a template may go to, as Zalo writes it (`84…`), when the donor's consent
    /// covers Zalo notifications by phone, the phone is their own (shared from Zalo or
    /// Telegram), and it has not been reported unreachable or opted out.
    pub phone: Option<String>,
    /// A template is configured for this message's kind.
    pub has_template: bool,
    /// Urgent asks go by template first, even within the consultation window.
    pub urgent_template_first: bool,
}

/// How one message goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// A consultation message; `billed` between 48 h and 7 days.
    Consultation { billed: bool },
    /// A template message to this phone.
    Template { phone: String },
    /// Neither: another channel of the person's, if any, takes it.
    Elsewhere(&'static str),
}

/// The route for one message at `now`.
pub fn choose(f: &RouteFacts, now: i64) -> Route {
    let window = if f.window_refused {
        Window::Closed
    } else {
        Window::at(f.last_seen, now)
    };
    let template = match (&f.phone, f.has_template, f.is_reply) {
        (Some(phone), true, false) => Some(phone.clone()),
        _ => None,
    };
    if f.urgent
        && f.urgent_template_first
        && let Some(phone) = template.clone()
    {
        return Route::Template { phone };
    }
    match (window, template) {
        (Window::Free, _) => Route::Consultation { billed: false },
        (Window::Billed, _) => Route::Consultation { billed: true },
        (Window::Closed, Some(phone)) => Route::Template { phone },
        (Window::Closed, None) if f.is_reply => {
            Route::Elsewhere("outside the 7-day window of the Zalo OA")
        }
        (Window::Closed, None) if !f.has_template => Route::Elsewhere(
            "outside the 7-day window of the Zalo OA, and no template for this message",
        ),
        (Window::Closed, None) => Route::Elsewhere(
            "outside the 7-day window of the Zalo OA, and no phone a template may go to",
        ),
    }
}

/// Which budget a template message is paid from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spend {
    /// Reminders, announcements, thanks: within `monthly_budget_vnd`.
    Bulk,
    /// Urgent call-out asks: may go over the budget, up to `urgent_cap_vnd`.
    Urgent,
    /// Consultation messages between 48 h and 7 days (counted; their price is Zalo's).
    BilledConsultation,
}

impl Spend {
    pub fn code(self) -> &'static str {
        match self {
            Spend::Bulk => "zns_bulk",
            Spend::Urgent => "zns_urgent",
            Spend::BilledConsultation => "oa_billed",
        }
    }
}

/// The tracking id a template message carries, and the receipt echoes: the outbox row's id,
/// which is unique, short and says nothing about the person.
pub fn tracking_id(outbox_id: i64) -> String {
    format!("hm{outbox_id}")
}

/// The outbox row a receipt's tracking id names, if it is one of ours.
pub fn outbox_id_of(tracking_id: &str) -> Option<i64> {
    let digits = tracking_id.strip_prefix("hm")?;
    if digits.is_empty() || digits.len() > 19 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// A phone as ZNS wants it: `84912345678` for `+84912345678`.
pub fn zns_phone(e164: &str) -> Option<String> {
    let digits = e164.strip_prefix("+84")?;
    (digits.len() == 9 && digits.bytes().all(|b| b.is_ascii_digit())).then(|| format!("84{digits}"))
}

/// What Zalo's template API said, by its error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ZnsError {
    /// The phone cannot receive it: invalid (-108), not on Zalo, unreachable or opted out
    /// (-114, -119, -139, -141). Never retried; the person is not sent templates again.
    PhoneUnreachable,
    /// The access token is invalid (-216) or expired (-220): refresh, then retry once.
    Token,
    /// The app's rate limit (-32): back off.
    RateLimited,
    /// The daily or monthly quota is spent (-211, -218).
    Quota,
    /// Promotional content at night (-234): later.
    NightBan,
    /// Anything else: the request is wrong, or the template is not enabled.
    Other,
}

impl ZnsError {
    pub fn of(code: i64) -> ZnsError {
        match code {
            -108 | -114 | -119 | -139 | -141 => ZnsError::PhoneUnreachable,
            -216 | -220 => ZnsError::Token,
            -32 => ZnsError::RateLimited,
            -211 | -218 => ZnsError::Quota,
            -234 => ZnsError::NightBan,
            _ => ZnsError::Other,
        }
    }
}

/// One configured template: its id at Zalo, its price, and which message variable fills
/// each of its parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub template_id: String,
    pub price_vnd: i64,
    /// Template parameter (as Zalo shows it, e.g. `ten_khach_hang`) → message variable.
    pub params: BTreeMap<String, String>,
}

/// Zalo's limit on one parameter's value (*unconfirmed*: the documented types allow 30 to
/// 200 characters; longer values are cut here, on a character boundary, with an ellipsis).
pub const PARAM_MAX_CHARS: usize = 200;

impl Template {
    /// The template's data from the message's variables (rendered as text). A variable the
    /// message did not carry is named, and nothing is sent.
    pub fn data(
        &self,
        vars: &BTreeMap<String, String>,
    ) -> Result<BTreeMap<String, String>, String> {
        self.params
            .iter()
            .map(|(param, var)| match vars.get(var) {
                Some(v) => Ok((param.clone(), clip(v.trim(), PARAM_MAX_CHARS))),
                None => Err(format!("the message has no variable {var:?} for {param:?}")),
            })
            .collect()
    }
}

fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max - 1).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 60 * 60 * 1000;
    const NOW: i64 = 1_800_000_000_000;

    fn facts(last_seen_h_ago: Option<i64>) -> RouteFacts {
        RouteFacts {
            last_seen: last_seen_h_ago.map(|h| NOW - h * H),
            window_refused: false,
            is_reply: false,
            urgent: false,
            phone: Some("84912345678".into()),
            has_template: true,
            urgent_template_first: false,
        }
    }

    #[test]
    fn the_window_is_free_for_48_hours_and_open_for_7_days() {
        assert_eq!(Window::at(Some(NOW), NOW), Window::Free);
        assert_eq!(Window::at(Some(NOW - 48 * H + 1), NOW), Window::Free);
        assert_eq!(Window::at(Some(NOW - 48 * H), NOW), Window::Billed);
        assert_eq!(Window::at(Some(NOW - 7 * 24 * H + 1), NOW), Window::Billed);
        assert_eq!(Window::at(Some(NOW - 7 * 24 * H), NOW), Window::Closed);
        assert_eq!(Window::at(None, NOW), Window::Closed);
        // A clock set back never opens a window wider.
        assert_eq!(Window::at(Some(NOW + H), NOW), Window::Free);
        assert_eq!(Window::at(Some(i64::MIN), NOW), Window::Closed);
    }

    #[test]
    fn routes_follow_the_window_then_the_template_then_elsewhere() {
        let consult = |billed| Route::Consultation { billed };
        let template = Route::Template {
            phone: "84912345678".into(),
        };
        assert_eq!(choose(&facts(Some(2)), NOW), consult(false));
        assert_eq!(choose(&facts(Some(50)), NOW), consult(true));
        assert_eq!(choose(&facts(Some(24 * 10)), NOW), template);
        assert_eq!(choose(&facts(None), NOW), template);
        // -230 although the stored time said otherwise: the template.
        let refused = RouteFacts {
            window_refused: true,
            ..facts(Some(2))
        };
        assert_eq!(choose(&refused, NOW), template);
        // No template for the kind, or no phone: elsewhere.
        let bare = RouteFacts {
            has_template: false,
            ..facts(Some(24 * 10))
        };
        assert!(matches!(choose(&bare, NOW), Route::Elsewhere(why) if why.contains("no template")));
        let no_phone = RouteFacts {
            phone: None,
            ..facts(Some(24 * 10))
        };
        assert!(
            matches!(choose(&no_phone, NOW), Route::Elsewhere(why) if why.contains("no phone"))
        );
        // A reply never goes as a template.
        let reply = RouteFacts {
            is_reply: true,
            ..facts(Some(24 * 10))
        };
        assert!(matches!(choose(&reply, NOW), Route::Elsewhere(_)));
    }

    #[test]
    fn urgent_asks_may_go_by_template_first() {
        let urgent = RouteFacts {
            urgent: true,
            ..facts(Some(1))
        };
        assert_eq!(
            choose(&urgent, NOW),
            Route::Consultation { billed: false },
            "not unless configured"
        );
        let first = RouteFacts {
            urgent_template_first: true,
            ..urgent.clone()
        };
        assert!(matches!(choose(&first, NOW), Route::Template { .. }));
        let first_no_phone = RouteFacts {
            phone: None,
            ..first
        };
        assert_eq!(
            choose(&first_no_phone, NOW),
            Route::Consultation { billed: false }
        );
    }

    #[test]
    fn tracking_ids_are_short_and_read_back() {
        assert_eq!(tracking_id(42), "hm42");
        assert!(tracking_id(i64::MAX).len() <= TRACKING_ID_MAX);
        assert_eq!(outbox_id_of("hm42"), Some(42));
        assert_eq!(outbox_id_of(&tracking_id(i64::MAX)), Some(i64::MAX));
        for bad in [
            "",
            "hm",
            "42",
            "hm-1",
            "hm4x",
            "hm99999999999999999999",
            "xhm1",
        ] {
            assert_eq!(outbox_id_of(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn phones_are_written_as_zalo_wants() {
        assert_eq!(zns_phone("+84912345678").as_deref(), Some("84912345678"));
        for bad in [
            "",
            "0912345678",
            "+8491234567",
            "+849123456789",
            "+1912345678",
        ] {
            assert_eq!(zns_phone(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn error_codes_are_classified() {
        for code in [-108, -114, -119, -139, -141] {
            assert_eq!(ZnsError::of(code), ZnsError::PhoneUnreachable);
        }
        assert_eq!(ZnsError::of(-216), ZnsError::Token);
        assert_eq!(ZnsError::of(-220), ZnsError::Token);
        assert_eq!(ZnsError::of(-32), ZnsError::RateLimited);
        assert_eq!(ZnsError::of(-211), ZnsError::Quota);
        assert_eq!(ZnsError::of(-234), ZnsError::NightBan);
        assert_eq!(ZnsError::of(-124), ZnsError::Other);
    }

    #[test]
    fn template_data_maps_variables_and_names_a_missing_one() {
        let t = Template {
            template_id: "301234".into(),
            price_vnd: 300,
            params: BTreeMap::from([
                ("ngay_hien_mau".to_string(), "when".to_string()),
                ("dia_diem".to_string(), "place".to_string()),
            ]),
        };
        let vars = BTreeMap::from([
            ("when".to_string(), " 06/12 07:30 ".to_string()),
            ("place".to_string(), "đ".repeat(300)),
        ]);
        let data = t.data(&vars).unwrap();
        assert_eq!(data["ngay_hien_mau"], "06/12 07:30");
        assert_eq!(data["dia_diem"].chars().count(), PARAM_MAX_CHARS);
        assert!(data["dia_diem"].ends_with('…'));
        let missing = BTreeMap::from([("when".to_string(), "x".to_string())]);
        assert!(t.data(&missing).unwrap_err().contains("\"place\""));
    }
}
