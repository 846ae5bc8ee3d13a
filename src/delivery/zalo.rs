//! The route of one message to a Zalo OA account, under Zalo's 2026 rules: a consultation
//! message within 7 days of the person's last interaction (free within 48 h, counted as
//! billed after), otherwise a template message (ZNS) to their phone within the month's
//! budget, otherwise another channel of theirs (the worker reroutes on `NoRoute`). The choice
//! is `domain::zns::choose`, made here from stored facts at the clock's time.

use crate::app::App;
use crate::channels::zalo_oa::{Consultation, ZaloOaChannel};
use crate::channels::zns::{TemplateOutcome, TemplateSend};
use crate::channels::{Outbound, SendOutcome, TemplateCall};
use crate::config::ZnsConfig;
use crate::domain::zns::{self, Route, RouteFacts, Spend, Template};
use crate::store::{Lane, OutboxRow};

/// Send `row` through the OA by the route its facts allow.
pub(super) async fn deliver(
    app: &App,
    oa: &ZaloOaChannel,
    row: &OutboxRow,
    out: &Outbound,
) -> SendOutcome {
    let now = app.clock().now();
    let now_ms = now.timestamp_millis();
    let stored = match app.store().oa_route_facts(row.channel, &row.chat_id).await {
        Ok(f) => f,
        Err(e) => return SendOutcome::Transient(format!("{e:#}")),
    };
    // Template messages are the deployment's own OA's (its templates, its quota), for a
    // named OA's people too: a template goes to the phone, whichever OA they follow. Without
    // an own OA, a named OA's person outside its window is reached on another channel.
    let sender = oa.template_sender();
    let zns_cfg = app.config().zns.as_ref().filter(|_| sender.is_some());
    let template = match (&out.template, zns_cfg) {
        (Some(call), Some(cfg)) => cfg.template(&call.kind).map(|t| (call, t, cfg)),
        _ => None,
    };
    let mut facts = RouteFacts {
        last_seen: stored.last_seen,
        window_refused: false,
        is_reply: row.lane == Lane::Reply,
        urgent: row.lane == Lane::Urgent,
        phone: stored.template_phone.clone(),
        has_template: template.is_some(),
        urgent_template_first: zns_cfg.is_some_and(|z| z.urgent_template_first),
    };
    let month = now
        .with_timezone(&app.config().timezone)
        .format("%Y-%m")
        .to_string();
    // At most: a consultation refused (-230), a template refused for the phone, the
    // consultation again (an urgent ask within the window) — then a settled answer.
    for _ in 0..3 {
        match zns::choose(&facts, now_ms) {
            Route::Consultation { billed } => match oa.send(&row.chat_id, out).await {
                Consultation::Done(outcome) => {
                    if matches!(outcome, SendOutcome::Sent { .. }) {
                        note_consultation(app, row.id, billed, &month).await;
                    }
                    return outcome;
                }
                Consultation::WindowClosed(e) => {
                    tracing::info!(row = row.id, error = %e, "outside the OA's window: another route");
                    facts.window_refused = true;
                }
            },
            Route::Template { phone } => {
                let (Some((call, t, cfg)), Some(sender)) = (template, sender) else {
                    return SendOutcome::NoRoute("no template".into());
                };
                let send = Send {
                    app,
                    oa: sender,
                    row,
                    call,
                    template: t,
                    cfg,
                    month: &month,
                };
                match send.go(&phone, now_ms).await {
                    Some(outcome) => return outcome,
                    None => {
                        // The phone refused: never a template to it again.
                        if let Some(donor) = stored.donor_id
                            && let Err(e) = app.store().refuse_templates(donor, now_ms).await
                        {
                            tracing::warn!(error = %format!("{e:#}"), "noting a refused phone failed");
                        }
                        facts.phone = None;
                    }
                }
            }
            Route::Elsewhere(why) => return SendOutcome::NoRoute(why.to_string()),
        }
    }
    SendOutcome::NoRoute("no route left on the Zalo OA".into())
}

/// A consultation message went: how, and between 48 h and 7 days, counted as billed.
async fn note_consultation(app: &App, row_id: i64, billed: bool, month: &str) {
    let route = if billed { "oa_billed" } else { "oa" };
    let mut result = app.store().note_route(row_id, route, 0).await;
    if billed && result.is_ok() {
        result = app
            .store()
            .spend(month, Spend::BilledConsultation, 0, None)
            .await
            .map(|_| ());
    }
    if let Err(e) = result {
        tracing::warn!(error = %format!("{e:#}"), "noting a consultation message failed");
    }
}

/// One template message, paid from the month's budget.
struct Send<'a> {
    app: &'a App,
    oa: &'a ZaloOaChannel,
    row: &'a OutboxRow,
    call: &'a TemplateCall,
    template: &'a Template,
    cfg: &'a ZnsConfig,
    month: &'a str,
}

impl Send<'_> {
    /// The outcome, or `None` when Zalo refused the phone (invalid, opted out).
    async fn go(&self, phone: &str, now_ms: i64) -> Option<SendOutcome> {
        let store = self.app.store();
        if self.call.continued {
            // The first part's template carried the whole message.
            return Some(match store.note_route(self.row.id, "zns_part", 0).await {
                Ok(()) => SendOutcome::Sent {
                    platform_message_id: None,
                },
                Err(e) => SendOutcome::Transient(format!("{e:#}")),
            });
        }
        let data = match self.template.data(&self.call.vars) {
            Ok(d) => d,
            Err(e) => return Some(SendOutcome::Permanent(format!("template: {e}"))),
        };
        let (class, limit) = if self.row.lane == Lane::Urgent {
            let cap = self
                .cfg
                .monthly_budget_vnd
                .saturating_add(self.cfg.urgent_cap_vnd);
            (Spend::Urgent, cap)
        } else {
            (Spend::Bulk, self.cfg.monthly_budget_vnd)
        };
        let price = self.template.price_vnd;
        match store.spend(self.month, class, price, Some(limit)).await {
            Ok(true) => {}
            Ok(false) => {
                return Some(SendOutcome::NoRoute(format!(
                    "the month's template budget is spent ({} VND)",
                    limit
                )));
            }
            Err(e) => return Some(SendOutcome::Transient(format!("{e:#}"))),
        }
        let tracking_id = zns::tracking_id(self.row.id);
        let sent = self
            .oa
            .send_template(&TemplateSend {
                phone,
                template_id: &self.template.template_id,
                data: &data,
                tracking_id: &tracking_id,
                development: self.cfg.development_mode,
            })
            .await;
        let TemplateOutcome::Sent {
            msg_id,
            daily_quota,
            remaining_quota,
        } = sent
        else {
            // Not sent: the price goes back to the budget.
            if let Err(e) = store.unspend(self.month, class, price).await {
                tracing::warn!(error = %format!("{e:#}"), "giving back spend failed");
            }
            return match sent {
                TemplateOutcome::PhoneRefused(e) => {
                    tracing::info!(row = self.row.id, error = %e, "the phone refused a template");
                    None
                }
                TemplateOutcome::Other(outcome) => Some(outcome),
                TemplateOutcome::Sent { .. } => unreachable!("matched above"),
            };
        };
        let noted = async {
            store.note_route(self.row.id, "zns", price).await?;
            store
                .note_zns_quota(self.oa.app_id(), daily_quota, remaining_quota, now_ms)
                .await
        };
        if let Err(e) = noted.await {
            tracing::warn!(error = %format!("{e:#}"), "noting a template message failed");
        }
        Some(SendOutcome::Sent {
            platform_message_id: msg_id,
        })
    }
}
