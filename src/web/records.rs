//! The dashboard's other pages: the account's broadcasts with their progress and a Stop
//! button, blood stock against its thresholds (and setting it), and the audit log with its
//! filter and CSV.

use super::not_as_asked;
use super::{Fields, Nav, Reply, View, esc, input, select, val};
use crate::domain::audit::AuditAction;
use crate::domain::callout::PatientGroup;
use crate::domain::club::{AuditEntry, AuditFilter, BroadcastInfo};
use crate::engine::{CalloutOutcome, CalloutRequest, ClubOutcome, ClubRequest, Outcome, Request};
use crate::messages::{Msg, MsgId};
use chrono::{DateTime, NaiveDate};

/// `GET /dashboard/broadcasts`: the account's broadcasts, newest first.
pub async fn broadcasts(v: &View<'_>, query: &Fields) -> anyhow::Result<Reply> {
    let out = v.ask(Request::Club(ClubRequest::MyBroadcasts)).await?;
    let Outcome::Club(ClubOutcome::Broadcasts(list)) = out else {
        return not_as_asked(out);
    };
    let body = if list.is_empty() {
        format!("<p>{}</p>", v.t(MsgId::WebBroadcastsNone))
    } else {
        list.iter().map(|b| broadcast_card(v, b)).collect()
    };
    let body = format!(
        "{}<h2>{}</h2><p>{}</p><p><a href=\"/dashboard/broadcasts/new\">{}</a></p>{body}",
        v.notice(query),
        v.t(MsgId::WebNavBroadcasts),
        v.t(MsgId::WebBroadcastsHint),
        v.t(MsgId::WebCompose)
    );
    Ok(Reply::Page(v.page(Nav::Broadcasts, &body)))
}

fn broadcast_card(v: &View<'_>, b: &BroadcastInfo) -> String {
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
        v.t(MsgId::WebBroadcastStoppedState)
    } else if b.finished {
        v.t(MsgId::WebBroadcastDone)
    } else {
        v.button(
            &format!("/dashboard/broadcasts/{}/stop", b.id),
            MsgId::WebStop,
            "",
        )
    };
    let audience = if b.label.is_empty() {
        v.t(MsgId::WebEveryone)
    } else {
        esc(&b.label)
    };
    format!(
        "<article aria-labelledby=\"b{id}\"><h3 id=\"b{id}\">#{id} · {audience} · {at}</h3>\
         <progress max=\"{total}\" value=\"{done}\" aria-label=\"{pct}%\">{pct}%</progress> {pct}%\
         <p>{}</p><p>{state}</p></article>",
        v.m(&Msg::new(MsgId::WebBroadcastFigures)
            .num("recipients", b.recipients as f64)
            .num("sent", p.sent as f64)
            .num("waiting", p.waiting as f64)
            .num("failed", (p.failed + p.unreachable + p.uncertain) as f64)
            .num("cancelled", p.cancelled as f64)),
        id = b.id
    )
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
    let bars: String = levels
        .iter()
        .map(|(group, units, threshold)| {
            let low = units < threshold;
            let pct = (units.max(&0) * 100 / top).min(100);
            format!(
                "<tr><th scope=\"row\">{}</th><td><div class=\"bar {}\" role=\"img\" \
                 aria-label=\"{units} / {threshold}\"><span style=\"width:{pct}%\"></span></div></td>\
                 <td>{units}</td><td>{threshold}</td><td>{}</td></tr>",
                esc(group),
                if low { "low" } else { "ok" },
                if low { v.t(MsgId::WebStockLow) } else { v.t(MsgId::WebStockOk) }
            )
        })
        .collect();
    let table = if levels.is_empty() {
        format!("<p>{}</p>", v.t(MsgId::StockNone))
    } else {
        format!(
            "<table><thead><tr><th scope=\"col\">{}</th><th scope=\"col\"></th>\
             <th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\"></th></tr></thead>\
             <tbody>{bars}</tbody></table>",
            v.t(MsgId::WebColGroup),
            v.t(MsgId::WebColUnits),
            v.t(MsgId::WebColThreshold)
        )
    };
    let groups: Vec<(String, String)> = PatientGroup::ALL
        .iter()
        .map(|g| (g.code(), g.code()))
        .collect();
    let error = if val(query, "error") == "1" {
        format!(
            "<p class=\"error\" role=\"alert\">{}</p>",
            v.t(MsgId::WebFormErrors)
        )
    } else {
        String::new()
    };
    let body = format!(
        "{}<h2>{}</h2>{table}<h3>{}</h3>{error}<form method=\"post\" action=\"/dashboard/stock\">{}{}{}{}\
         <p><button type=\"submit\">{}</button></p></form>",
        v.notice(query),
        v.t(MsgId::WebNavStock),
        v.t(MsgId::WebSetStock),
        v.csrf(),
        select("group", &v.t(MsgId::WebColGroup), &groups, ""),
        input(
            "units",
            &v.t(MsgId::WebColUnits),
            "",
            "inputmode=\"numeric\" required",
            &[]
        ),
        input(
            "threshold",
            &v.t(MsgId::WebColThreshold),
            "",
            "inputmode=\"numeric\"",
            &[]
        ),
        v.t(MsgId::WebSave)
    );
    Ok(Reply::Page(v.page(Nav::Stock, &body)))
}

/// `POST /dashboard/stock`: one group's level (and threshold), audited as in chat.
pub async fn post_stock(v: &View<'_>, f: &Fields) -> anyhow::Result<Reply> {
    let group = PatientGroup::from_code(val(f, "group"));
    let units = val(f, "units")
        .parse::<i64>()
        .ok()
        .filter(|u| (0..=1_000_000).contains(u));
    let threshold = match val(f, "threshold") {
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

/// The filter as asked in the page's query.
fn filter_of(v: &View<'_>, q: &Fields, limit: i64) -> AuditFilter {
    let tz = v.app.config().timezone;
    let day = |name: &str, plus: u64| {
        NaiveDate::parse_from_str(val(q, name), "%Y-%m-%d")
            .ok()
            .and_then(|d| d.checked_add_days(chrono::Days::new(plus)))
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .and_then(|t| t.and_local_timezone(tz).earliest())
            .map(|t| t.timestamp_millis())
    };
    AuditFilter {
        action: AuditAction::from_code(val(q, "action")).map(|a| a.code().to_string()),
        actor: Some(val(q, "actor").to_string()).filter(|a| !a.is_empty() && a.len() <= 80),
        from: day("from", 0),
        to: day("to", 1),
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
    q: &Fields,
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
pub async fn audit(v: &View<'_>, q: &Fields) -> anyhow::Result<Reply> {
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
    let rows: String = list
        .iter()
        .rev()
        .map(|(at, e)| {
            format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(at),
                esc(&e.actor),
                esc(&action_label(v, e)),
                esc(&e.target),
                e.recipients.map_or(String::new(), |n| n.to_string())
            )
        })
        .collect();
    let csv_query: String = ["action", "actor", "from", "to"]
        .iter()
        .filter(|k| !val(q, k).is_empty())
        .map(|k| format!("&{k}={}", esc(&percent(val(q, k)))))
        .collect();
    let body = format!(
        "<h2>{}</h2><form method=\"get\" action=\"/dashboard/audit\">{}{}{}{}\
         <p><button type=\"submit\">{}</button> <a href=\"/dashboard/audit?csv=1{csv_query}\">{}</a></p></form>\
         <table><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th>\
         <th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>{rows}</tbody></table>",
        v.t(MsgId::WebNavAudit),
        select(
            "action",
            &v.t(MsgId::WebColAction),
            &actions,
            val(q, "action")
        ),
        input(
            "actor",
            &v.t(MsgId::WebColAccount),
            val(q, "actor"),
            "maxlength=\"80\"",
            &[]
        ),
        input(
            "from",
            &v.t(MsgId::WebFrom),
            val(q, "from"),
            "type=\"date\"",
            &[]
        ),
        input("to", &v.t(MsgId::WebTo), val(q, "to"), "type=\"date\"", &[]),
        v.t(MsgId::WebFilter),
        v.t(MsgId::WebCsv),
        v.t(MsgId::WebColWhen),
        v.t(MsgId::WebColAccount),
        v.t(MsgId::WebColAction),
        v.t(MsgId::WebColTarget),
        v.t(MsgId::WebColRecipients),
    );
    Ok(Reply::Page(v.page(Nav::Audit, &body)))
}

/// `GET /dashboard/audit?csv=1…`: the same filter, up to 100,000 entries, as CSV.
pub async fn audit_csv(v: &View<'_>, q: &Fields) -> anyhow::Result<Reply> {
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
