//! Template messages (ZNS) as the `[zns]` table of the configuration file: which template
//! carries each proactive message, what it costs, and the month's budget. Checked at start
//! against the message catalogue, so a template parameter mapped to a variable the message
//! does not have is an error before anything is sent.

use crate::domain::zns::Template;
use crate::messages::{Lang, MsgId};
use anyhow::bail;
use serde::Deserialize;
use std::collections::BTreeMap;

pub const DEFAULT_ZNS_API_URL: &str = "https://business.openapi.zalo.me";

/// The messages hienmau sends without being asked, which a template may carry.
pub const PROACTIVE: &[MsgId] = &[
    MsgId::ReminderDrive,
    MsgId::EligibleAgain,
    MsgId::CampaignAnnounce,
    MsgId::CalloutAsk,
    MsgId::CalloutCovered,
    MsgId::CalloutClosedEarly,
    MsgId::CalloutCancelledPledged,
    MsgId::CalloutExpiredPledged,
    MsgId::ThanksDonation,
    MsgId::ThanksFirst,
    MsgId::ThanksMilestone,
    MsgId::HonoursDay,
    MsgId::DriveChanged,
    MsgId::DriveSlotRemoved,
    MsgId::DriveCancelledNotice,
    MsgId::StockAlert,
];

/// `[zns]` as written in the file.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct ZnsFile {
    pub api_url: Option<String>,
    /// Template messages of the bulk kinds stop when the month's spend would pass this.
    pub monthly_budget_vnd: i64,
    /// Urgent call-out asks may pass the budget, up to this much in the month.
    pub urgent_cap_vnd: i64,
    /// A template message without a receipt after this long is reported unconfirmed.
    pub receipt_timeout_minutes: Option<i64>,
    /// Zalo's `mode: "development"`: templates reach only the OA's admins (for a trial).
    pub development_mode: bool,
    /// Urgent asks go by template even within the consultation window.
    pub urgent_template_first: bool,
    /// Message id (e.g. `reminder-drive`) → its template.
    pub templates: BTreeMap<String, TemplateFile>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateFile {
    pub template_id: String,
    pub price_vnd: i64,
    /// Template parameter (as Zalo shows it) → message variable.
    #[serde(default)]
    pub params: BTreeMap<String, String>,
}

/// The checked `[zns]` settings.
#[derive(Debug, Clone, PartialEq)]
pub struct ZnsConfig {
    pub api_url: reqwest::Url,
    pub monthly_budget_vnd: i64,
    pub urgent_cap_vnd: i64,
    pub receipt_timeout_ms: i64,
    pub development_mode: bool,
    pub urgent_template_first: bool,
    pub templates: BTreeMap<MsgId, Template>,
}

impl ZnsConfig {
    /// The template for a message id, if one is configured.
    pub fn template(&self, id: &str) -> Option<&Template> {
        let id = MsgId::from_id(id)?;
        self.templates.get(&id)
    }

    /// Check the file's table: every template for a proactive message, every mapped
    /// variable one that message has, prices and budgets not negative. All problems at once.
    pub fn from_file(f: ZnsFile, env_url: Option<String>) -> anyhow::Result<ZnsConfig> {
        let mut wrong = Vec::new();
        let url = env_url
            .or(f.api_url)
            .unwrap_or_else(|| DEFAULT_ZNS_API_URL.into());
        let api_url = reqwest::Url::parse(&url);
        if api_url.is_err() {
            wrong.push(format!("api_url: {url:?} is not a URL"));
        }
        if f.monthly_budget_vnd < 0 || f.urgent_cap_vnd < 0 {
            wrong.push("monthly_budget_vnd and urgent_cap_vnd must not be negative".into());
        }
        let timeout = f.receipt_timeout_minutes.unwrap_or(60);
        if timeout <= 0 || timeout > 7 * 24 * 60 {
            wrong.push(format!(
                "receipt_timeout_minutes: {timeout} is not between 1 and 10080"
            ));
        }
        let variables = crate::messages::message_variables(Lang::Vi);
        let mut templates = BTreeMap::new();
        for (id, t) in f.templates {
            let Some(msg) = MsgId::from_id(&id).filter(|m| PROACTIVE.contains(m)) else {
                wrong.push(format!(
                    "templates.{id}: not a message hienmau sends proactively (one of {})",
                    PROACTIVE
                        .iter()
                        .map(|m| m.id())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
                continue;
            };
            if t.template_id.trim().is_empty() {
                wrong.push(format!("templates.{id}: template_id is empty"));
            }
            if t.price_vnd < 0 {
                wrong.push(format!("templates.{id}: price_vnd is negative"));
            }
            let known = variables.get(id.as_str()).cloned().unwrap_or_default();
            for (param, var) in &t.params {
                if !known.contains(var) {
                    let mut names: Vec<&String> = known.iter().collect();
                    names.sort();
                    wrong.push(format!(
                        "templates.{id}.params.{param}: the message has no variable {var:?} \
                         (it has {names:?})"
                    ));
                }
            }
            templates.insert(
                msg,
                Template {
                    template_id: t.template_id.trim().to_string(),
                    price_vnd: t.price_vnd,
                    params: t.params,
                },
            );
        }
        if !wrong.is_empty() {
            bail!("[zns]: {}", wrong.join("; "));
        }
        Ok(ZnsConfig {
            api_url: api_url.expect("checked above"),
            monthly_budget_vnd: f.monthly_budget_vnd,
            urgent_cap_vnd: f.urgent_cap_vnd,
            receipt_timeout_ms: timeout * 60_000,
            development_mode: f.development_mode,
            urgent_template_first: f.urgent_template_first,
            templates,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(toml_text: &str) -> ZnsFile {
        toml::from_str(toml_text).unwrap()
    }

    #[test]
    fn a_good_table_is_read() {
        let f = file(
            r#"
            monthly_budget_vnd = 500000
            urgent_cap_vnd = 200000
            [templates.reminder-drive]
            template_id = "301234"
            price_vnd = 300
            params = { ngay = "date", gio = "time", dia_diem = "place" }
            "#,
        );
        let c = ZnsConfig::from_file(f, None).unwrap();
        assert_eq!(c.api_url.as_str(), "https://business.openapi.zalo.me/");
        assert_eq!(c.receipt_timeout_ms, 3_600_000);
        let t = c.template("reminder-drive").unwrap();
        assert_eq!((t.template_id.as_str(), t.price_vnd), ("301234", 300));
        assert!(c.template("eligible-again").is_none());
        assert!(c.template("no-such-message").is_none());
    }

    #[test]
    fn every_mistake_is_named_at_once() {
        let f = file(
            r#"
            monthly_budget_vnd = -1
            receipt_timeout_minutes = 0
            [templates.reminder-drive]
            template_id = " "
            price_vnd = -5
            params = { ngay = "dates" }
            [templates.consent-text]
            template_id = "1"
            price_vnd = 1
            "#,
        );
        let e = ZnsConfig::from_file(f, Some("not a url".into()))
            .unwrap_err()
            .to_string();
        for part in [
            "api_url",
            "must not be negative",
            "receipt_timeout_minutes",
            "template_id is empty",
            "price_vnd is negative",
            "no variable \"dates\"",
            "templates.consent-text: not a message hienmau sends proactively",
        ] {
            assert!(e.contains(part), "{part:?} missing from {e}");
        }
    }

    #[test]
    fn unknown_keys_are_refused() {
        assert!(toml::from_str::<ZnsFile>("budget = 1").is_err());
        assert!(
            toml::from_str::<ZnsFile>("[templates.x]\ntemplate_id = \"1\"\nprice = 1").is_err()
        );
    }
}
