//! The dashboard's other pages: the account's broadcasts with their progress and a Stop
//! button, blood stock against its thresholds (and setting it), and the audit log with its
//! filter and CSV.

use super::not_as_asked;
use super::{Control, Fields, Nav, Reply, View, input, select, val};
use crate::domain::audit::AuditAction;
use crate::domain::callout::PatientGroup;
use crate::domain::club::{AuditEntry, AuditFilter, BroadcastInfo};
use crate::engine::{CalloutOutcome, CalloutRequest, ClubOutcome, ClubRequest, Outcome, Request};
use crate::messages::{Msg, MsgId};
use chrono::{DateTime, NaiveDate};
use maud::{Markup, html};

/// One group's stock: units on hand and, optionally, the alert threshold.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct StockForm {
    group: String,
    units: String,
    threshold: String,
}

/// `GET /dashboard/broadcasts`: the account's broadcasts, newest first.
pub async fn broadcasts(v: &View<'_>, query: &Fields) -> anyhow::Result<Reply> {
    let out = v.ask(Request::Club(ClubRequest::MyBroadcasts)).await?;
    let Outcome::Club(ClubOutcome::Broadcasts(list)) = out else {
        return not_as_asked(out);
    };
    let body = html! {
        (v.notice(query))
        h2 { (v.t(MsgId::WebNavBroadcasts)) }
        p { (v.t(MsgId::WebBroadcastsHint)) }
        p { a href="/dashboard/broadcasts/new" { (v.t(MsgId::WebCompose)) } }
        @if list.is_empty() {
            p { (v.t(MsgId::WebBroadcastsNone)) }
        }
        @for b in &list { (broadcast_card(v, b)) }
    };
    Ok(Reply::Page(v.page(Nav::Broadcasts, body)))
}

fn broadcast_card(v: &View<'_>, b: &BroadcastInfo) -> Markup {
    let p = &b.progress;
    let total = b.recipients.max(1);
    // What went out (or was tried): a stopped broadcast's bar shows how far it got, not a
    // full bar for the rows it will never send.
    let done =
        p.sent + p.failed + p.unreachable + p.uncertain + if b.cancelled { 0 } else { p.cancelled };
    let pct = (done * 100 / total).min(100);
    let at = DateTime::from_timestamp_millis(b.created_at)
        .map(|t| {
            t.with_timezone(&v.app.config().timezone)
                .format("%d/%m %H:%M")
                .to_string()
        })
        .unwrap_or_default();
    let state = if b.cancelled {
        html! { (v.t(MsgId::WebBroadcastStoppedState)) }
    } else if b.finished {
        html! { (v.t(MsgId::WebBroadcastDone)) }
    } else {
        v.button(
            &format!("/dashboard/broadcasts/{}/stop", b.id),
            MsgId::WebStop,
            html! {},
        )
    };
    let audience = if b.label.is_empty() {
        v.t(MsgId::WebEveryone)
    } else {
        b.label.clone()
    };
    let id = format!("b{}", b.id);
    html! {
        article aria-labelledby=(id) {
            h3 id=(id) { "#" (b.id) " · " (audience) " · " (at) }
            progress max=(total) value=(done) aria-label={ (pct) "%" } { (pct) "%" }
            " " (pct) "%"
            p {
                (v.m(&Msg::new(MsgId::WebBroadcastFigures)
                    .num("recipients", b.recipients as f64)
                    .num("sent", p.sent as f64)
                    .num("waiting", p.waiting as f64)
                    .num("failed", (p.failed + p.unreachable + p.uncertain) as f64)
                    .num("cancelled", p.cancelled as f64)))
            }
            p { (state) }
        }
    }
}

/// `POST /dashboard/broadcasts/ID/stop`: what is not sent yet is not sent.
pub async fn post_broadcast(v: &View<'_>, id: i64) -> anyhow::Result<Reply> {
    Ok(
        match v
            .ask(Request::Club(ClubRequest::CancelBroadcast { id }))
            .await?
        {
            Outcome::Club(ClubOutcome::BroadcastCancelled { stopped, .. }) => Reply::Redirect(
                format!("/dashboard/broadcasts?ok=broadcast-stopped&n={stopped}"),
            ),
            Outcome::Club(ClubOutcome::BroadcastOver { .. }) => {
                Reply::Redirect("/dashboard/broadcasts?ok=broadcast-over".into())
            }
            other => not_as_asked(other)?,
        },
    )
}

/// `GET /dashboard/stock`: each group's units against its alert threshold, and the form.
pub async fn stock(v: &View<'_>, query: &Fields) -> anyhow::Result<Reply> {
    let out = v.ask(Request::Callout(CalloutRequest::Stock)).await?;
    let Outcome::Callout(CalloutOutcome::Stock(levels)) = out else {
        return not_as_asked(out);
    };
    let top = levels
        .iter()
        .map(|(_, u, t)| (*u).max(t * 2))
        .max()
        .unwrap_or(1)
        .max(1);
    let groups: Vec<(String, String)> = PatientGroup::ALL
        .iter()
        .map(|g| (g.code(), g.code()))
        .collect();
    let body = html! {
        (v.notice(query))
        h2 { (v.t(MsgId::WebNavStock)) }
        @if levels.is_empty() {
            p { (v.t(MsgId::StockNone)) }
        } @else {
            table {
                thead {
                    tr {
                        th scope="col" { (v.t(MsgId::WebColGroup)) }
                        th scope="col" {}
                        th scope="col" { (v.t(MsgId::WebColUnits)) }
                        th scope="col" { (v.t(MsgId::WebColThreshold)) }
                        th scope="col" {}
                    }
                }
                tbody {
                    @for (group, units, threshold) in &levels {
                        @let low = units < threshold;
                        @let pct = ((*units).max(0) * 100 / top).min(100);
                        tr {
                            th scope="row" { (group) }
                            td {
                                div class={ "bar " (if low { "low" } else { "ok" }) } role="img"
                                    aria-label={ (units) " / " (threshold) } {
                                    span style={ "width:" (pct) "%" } {}
                                }
                            }
                            td { (units) }
                            td { (threshold) }
                            td {
                                (if low { v.t(MsgId::WebStockLow) } else { v.t(MsgId::WebStockOk) })
                            }
                        }
                    }
                }
            }
        }
        h3 { (v.t(MsgId::WebSetStock)) }
        @if val(query, "error") == "1" {
            p class="error" role="alert" { (v.t(MsgId::WebFormErrors)) }
        }
        form method="post" action="/dashboard/stock" {
            (v.csrf())
            (select("group", &v.t(MsgId::WebColGroup), &groups, ""))
            (input("units", &v.t(MsgId::WebColUnits), "", Control::number().required(), &[]))
            (input("threshold", &v.t(MsgId::WebColThreshold), "", Control::number(), &[]))
            p { button type="submit" { (v.t(MsgId::WebSave)) } }
        }
    };
    Ok(Reply::Page(v.page(Nav::Stock, body)))
}

/// `POST /dashboard/stock`: one group's level (and threshold), audited as in chat.
pub async fn post_stock(v: &View<'_>, f: &StockForm) -> anyhow::Result<Reply> {
    let group = PatientGroup::from_code(&f.group);
    let units = f
        .units
        .parse::<i64>()
        .ok()
        .filter(|u| (0..=1_000_000).contains(u));
    let threshold = match f.threshold.as_str() {
        "" => Some(None),
        t => t
            .parse::<i64>()
            .ok()
            .filter(|t| (0..=1_000_000).contains(t))
            .map(Some),
    };
    let (Some(group), Some(units), Some(threshold)) = (group, units, threshold) else {
        return Ok(Reply::Redirect("/dashboard/stock?error=1".into()));
    };
    Ok(
        match v
            .ask(Request::Callout(CalloutRequest::SetStock {
                group,
                units,
                threshold,
            }))
            .await?
        {
            Outcome::Callout(CalloutOutcome::StockSet) => {
                Reply::Redirect("/dashboard/stock?ok=stock-saved".into())
            }
            other => not_as_asked(other)?,
        },
    )
}

/// The audit page's filter, as its form asks it in the query (`csv=1`: as CSV).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct AuditQuery {
    action: String,
    actor: String,
    from: String,
    to: String,
    pub csv: String,
}

impl AuditQuery {
    /// The filter's fields, by name, as the CSV link repeats them.
    fn named(&self) -> [(&'static str, &str); 4] {
        [
            ("action", &self.action),
            ("actor", &self.actor),
            ("from", &self.from),
            ("to", &self.to),
        ]
    }
}

/// The filter as asked in the page's query.
fn filter_of(v: &View<'_>, q: &AuditQuery, limit: i64) -> AuditFilter {
    let tz = v.app.config().timezone;
    let day = |text: &str, plus: u64| {
        NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.checked_add_days(chrono::Days::new(plus)))
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .and_then(|t| t.and_local_timezone(tz).earliest())
            .map(|t| t.timestamp_millis())
    };
    AuditFilter {
        action: AuditAction::from_code(&q.action).map(|a| a.code().to_string()),
        actor: Some(q.actor.clone()).filter(|a| !a.is_empty() && a.len() <= 80),
        from: day(&q.from, 0),
        to: day(&q.to, 1),
        limit,
    }
}

fn action_label(v: &View<'_>, e: &AuditEntry) -> String {
    AuditAction::from_code(&e.action).map_or_else(
        || e.action.clone(),
        |a| {
            v.app
                .catalogue()
                .render(v.lang, &Msg::new(crate::engine::audit_action_label(a)))
        },
    )
}

async fn entries(
    v: &View<'_>,
    q: &AuditQuery,
    limit: i64,
) -> anyhow::Result<Option<Vec<(String, AuditEntry)>>> {
    Ok(
        match v
            .ask(Request::Club(ClubRequest::AuditSearch(filter_of(
                v, q, limit,
            ))))
            .await?
        {
            Outcome::Club(ClubOutcome::Audit(list)) => Some(list),
            _ => None,
        },
    )
}

/// `GET /dashboard/audit[?action=…&actor=…&from=…&to=…]`: the latest 200 entries matching.
pub async fn audit(v: &View<'_>, q: &AuditQuery) -> anyhow::Result<Reply> {
    let Some(list) = entries(v, q, 200).await? else {
        return Ok(Reply::Refused);
    };
    let mut actions = vec![(
        String::new(),
        v.app
            .catalogue()
            .render(v.lang, &Msg::new(MsgId::WebAllActions)),
    )];
    actions.extend(AuditAction::ALL.iter().map(|a| {
        (
            a.code().to_string(),
            v.app
                .catalogue()
                .render(v.lang, &Msg::new(crate::engine::audit_action_label(*a))),
        )
    }));
    let csv_query: String = q
        .named()
        .iter()
        .filter(|(_, value)| !value.is_empty())
        .map(|(k, value)| format!("&{k}={}", percent(value)))
        .collect();
    let body = html! {
        h2 { (v.t(MsgId::WebNavAudit)) }
        form method="get" action="/dashboard/audit" {
            (select("action", &v.t(MsgId::WebColAction), &actions, &q.action))
            (input("actor", &v.t(MsgId::WebColAccount), &q.actor, Control::text(80), &[]))
            (input("from", &v.t(MsgId::WebFrom), &q.from, Control::date(), &[]))
            (input("to", &v.t(MsgId::WebTo), &q.to, Control::date(), &[]))
            p {
                button type="submit" { (v.t(MsgId::WebFilter)) }
                " "
                a href={ "/dashboard/audit?csv=1" (csv_query) } { (v.t(MsgId::WebCsv)) }
            }
        }
        table {
            (super::head_row(v, &[
                MsgId::WebColWhen,
                MsgId::WebColAccount,
                MsgId::WebColAction,
                MsgId::WebColTarget,
                MsgId::WebColRecipients,
            ]))
            tbody {
                @for (at, e) in list.iter().rev() {
                    tr {
                        td { (at) }
                        td { (e.actor) }
                        td { (action_label(v, e)) }
                        td { (e.target) }
                        td { @if let Some(n) = e.recipients { (n) } }
                    }
                }
            }
        }
    };
    Ok(Reply::Page(v.page(Nav::Audit, body)))
}

/// `GET /dashboard/audit?csv=1…`: the same filter, up to 100,000 entries, as CSV.
pub async fn audit_csv(v: &View<'_>, q: &AuditQuery) -> anyhow::Result<Reply> {
    let Some(list) = entries(v, q, 100_000).await? else {
        return Ok(Reply::Refused);
    };
    let mut w = crate::domain::text::SpreadsheetCsv::new(false);
    w.row(["at", "account", "action", "target", "recipients"])?;
    for (at, e) in &list {
        w.row([
            at.as_str(),
            e.actor.as_str(),
            e.action.as_str(),
            e.target.as_str(),
            &e.recipients.map_or(String::new(), |n| n.to_string()),
        ])?;
    }
    Ok(Reply::Csv(w.finish()?))
}

/// A value made safe in a link's query.
fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b => format!("%{b:02X}"),
        })
        .collect()
}
