//! Template messages (ZNS, "ZBS Template Message"): an approved template sent to a phone
//! number through the Official Account's token — `POST {zns}/message/template` with
//! `{phone: "84…", template_id, template_data, tracking_id}` (`mode: "development"` reaches
//! only the OA's admins). The answer carries the message id and the day's quota; the receipt
//! comes later as a `user_received_message` webhook event echoing `tracking_id`.
//!
//! This file only translates; which message goes as a template, and whether the budget
//! allows it, is the delivery worker's choice.

use super::SendOutcome;
use super::zalo_oa::{Sent, ZaloOaChannel};
use crate::domain::zns::ZnsError;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// One template message to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateSend<'a> {
    /// `84…`.
    pub phone: &'a str,
    pub template_id: &'a str,
    pub data: &'a BTreeMap<String, String>,
    pub tracking_id: &'a str,
    pub development: bool,
}

/// What Zalo said to one template message.
#[derive(Debug, Clone, PartialEq)]
pub enum TemplateOutcome {
    Sent {
        msg_id: Option<String>,
        daily_quota: Option<i64>,
        remaining_quota: Option<i64>,
    },
    /// The phone cannot receive templates (invalid, not on Zalo, opted out): not retried.
    PhoneRefused(String),
    Other(SendOutcome),
}

/// A number that may come as a string (`"500"`) or a number.
fn count(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The request body.
pub fn template_body(t: &TemplateSend) -> Value {
    let mut body = json!({
        "phone": t.phone,
        "template_id": t.template_id,
        "template_data": t.data,
        "tracking_id": t.tracking_id,
    });
    if t.development {
        body["mode"] = json!("development");
    }
    body
}

impl ZaloOaChannel {
    pub async fn send_template(&self, t: &TemplateSend<'_>) -> TemplateOutcome {
        let base = self.zns_url.as_str().trim_end_matches('/');
        let url = format!("{base}/message/template");
        match self.call(&url, &template_body(t)).await {
            Err(e) => TemplateOutcome::Other(SendOutcome::Transient(e)),
            Ok(Sent::Ok(data)) => TemplateOutcome::Sent {
                msg_id: data["msg_id"]
                    .as_str()
                    .map(str::to_string)
                    .or_else(|| data["msg_id"].as_i64().map(|n| n.to_string())),
                daily_quota: count(&data["quota"]["dailyQuota"]),
                remaining_quota: count(&data["quota"]["remainingQuota"]),
            },
            Ok(Sent::Limited(wait)) => TemplateOutcome::Other(SendOutcome::RetryAfter(wait)),
            Ok(Sent::Api(code, m)) => match ZnsError::of(code) {
                ZnsError::PhoneUnreachable => TemplateOutcome::PhoneRefused(format!("{code}: {m}")),
                _ => TemplateOutcome::Other(self.classify(code, m)),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_is_zalos_shape() {
        let data = BTreeMap::from([("dia_diem".to_string(), "Nhà văn hoá".to_string())]);
        let t = TemplateSend {
            phone: "84912345678",
            template_id: "301234",
            data: &data,
            tracking_id: "hm7",
            development: false,
        };
        let body = template_body(&t);
        assert_eq!(
            body,
            json!({"phone": "84912345678", "template_id": "301234",
                   "template_data": {"dia_diem": "Nhà văn hoá"}, "tracking_id": "hm7"})
        );
        let dev = template_body(&TemplateSend {
            development: true,
            ..t
        });
        assert_eq!(dev["mode"], "development");
    }

    #[test]
    fn quota_counts_come_as_strings_or_numbers() {
        assert_eq!(count(&json!("500")), Some(500));
        assert_eq!(count(&json!(499)), Some(499));
        assert_eq!(count(&json!("many")), None);
        assert_eq!(count(&Value::Null), None);
    }
}
