//! The web dashboard's pages, rendered on the server as HTML with SVG charts: no script, no
//! build step, no chart hosted elsewhere. Each page is a face of the same requests as the
//! chat: it asks [`App::perform`] (the permission table included) and renders the outcome
//! with the messages of `messages/`. The routes are in `server.rs`.

use crate::app::App;
use crate::app::dashboard::Session;
use crate::domain::channel::{Channel, ChannelKind};
use crate::domain::club::{Action, Roles};
use crate::domain::delivery::{Health, Lane};
use crate::domain::drive::{DriveInfo, local_window};
use crate::domain::plan::PlanFigures;
use crate::engine::{ClubOutcome, ClubRequest, DriveOutcome, DriveRequest, Outcome, Request};
use crate::messages::{Lang, Msg, MsgId};
use maud::{Markup, PreEscaped, html};

/// The cookie that carries a session's token.
pub const COOKIE: &str = "hm_session";
/// The cookie that keeps the dashboard's language (`?lang=en`).
pub const LANG_COOKIE: &str = "hm_lang";

/// A phone as a link that dials it, shown as people write it (`0912 345 678`); a number
/// that is not a Vietnamese mobile (an old record) is shown as stored.
pub fn tel_link(e164: &str) -> Markup {
    let shown = crate::domain::phone::PhoneNumber::parse(e164)
        .map_or_else(|_| e164.to_string(), |p| p.national());
    html! { a href={ "tel:" (e164) } { (shown) } }
}
mod callouts;
pub mod charts;
mod clubs;
mod donations;
mod donors;
mod drives;
pub mod http;
mod records;
pub mod uploads;

pub use callouts::{callout, callout_tally, callouts, post_callout, post_callout_action};
pub use clubs::{club, clubs, compose_broadcast, post_club, post_compose};
pub use donations::{donations, post_donation};
pub use donors::{donors, post_lookup};
pub use drives::{cancel_drive, drive, drives, edit_drive, post_drive, post_edit_drive};
pub use records::{audit, audit_csv, broadcasts, post_broadcast, post_stock, stock};

/// What a page handler answers: a page, a form shown again with its errors, a redirect
/// after a change (to a page that says what was done), or a refusal.
#[derive(Debug)]
pub enum Reply {
    Page(Markup),
    Invalid(Markup),
    Redirect(String),
    Refused,
    NotFound,
    Csv(String),
}

/// A page's answer when the app answered other than the page asked: the refusal page for a
/// refusal; any other answer is a defect, never read as a refusal: logged by its kind (not
/// its contents, which may name people) and the page says the server is busy.
pub fn not_as_asked(out: Outcome) -> anyhow::Result<Reply> {
    match out {
        Outcome::Refused => Ok(Reply::Refused),
        other => {
            let shown = format!("{other:?}");
            let kind: String = shown
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '(')
                .collect();
            anyhow::bail!("a page got an answer it did not ask for: {kind}")
        }
    }
}

/// The pages of the dashboard, in the order of its menu.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    Overview,
    Drives,
    Donations,
    Callouts,
    Clubs,
    Broadcasts,
    Donors,
    Stock,
    Audit,
}

impl Nav {
    pub const ALL: [Nav; 9] = [
        Nav::Overview,
        Nav::Drives,
        Nav::Donations,
        Nav::Callouts,
        Nav::Clubs,
        Nav::Broadcasts,
        Nav::Donors,
        Nav::Stock,
        Nav::Audit,
    ];

    pub fn path(self) -> &'static str {
        match self {
            Nav::Overview => "/dashboard",
            Nav::Drives => "/dashboard/drives",
            Nav::Donations => "/dashboard/donations",
            Nav::Callouts => "/dashboard/callouts",
            Nav::Clubs => "/dashboard/clubs",
            Nav::Broadcasts => "/dashboard/broadcasts",
            Nav::Donors => "/dashboard/donors",
            Nav::Stock => "/dashboard/stock",
            Nav::Audit => "/dashboard/audit",
        }
    }

    /// Whether the menu offers the page to these roles: a leader's menu is their clubs and
    /// broadcasts. Only the menu: every page's requests are still judged by the permission
    /// table, so a page typed in by hand is refused all the same.
    pub fn shown(self, roles: &Roles) -> bool {
        match self {
            Nav::Overview
            | Nav::Drives
            | Nav::Donations
            | Nav::Callouts
            | Nav::Donors
            | Nav::Stock => roles.may(Action::ManageDrives),
            Nav::Clubs => roles.leader,
            Nav::Broadcasts => roles.leader || roles.may(Action::BroadcastWide),
            Nav::Audit => roles.may(Action::ReadAudit),
        }
    }

    /// Whether a page of this part of the menu opens for these roles: the staff's pages
    /// only for staff (a leader typing `/dashboard/donations` is refused the page, not only
    /// its actions); the overview redirects a leader, and the clubs' and broadcasts' pages
    /// show each account its own.
    pub fn opens(self, roles: &Roles) -> bool {
        match self {
            Nav::Overview | Nav::Clubs | Nav::Broadcasts => true,
            _ => self.shown(roles),
        }
    }

    fn label(self) -> MsgId {
        match self {
            Nav::Overview => MsgId::WebOverview,
            Nav::Drives => MsgId::WebNavDrives,
            Nav::Donations => MsgId::WebNavDonations,
            Nav::Callouts => MsgId::WebNavCallouts,
            Nav::Clubs => MsgId::WebNavClubs,
            Nav::Broadcasts => MsgId::WebNavBroadcasts,
            Nav::Donors => MsgId::WebNavDonors,
            Nav::Stock => MsgId::WebNavStock,
            Nav::Audit => MsgId::WebNavAudit,
        }
    }
}

/// What was done, said on the page a change redirects to (`?ok=drive-saved&n=3`): a fixed
/// table, so a link cannot make the page say anything else.
const NOTICES: &[(&str, MsgId)] = &[
    ("drive-saved", MsgId::WebDriveSaved),
    ("drive-cancelled", MsgId::WebDriveCancelled),
    ("drive-edited", MsgId::WebDriveEdited),
    ("donation-recorded", MsgId::WebDonationRecorded),
    ("donation-removed", MsgId::WebDonationRemoved),
    ("callout-started", MsgId::WebCalloutStarted),
    ("callout-changed", MsgId::WebCalloutChanged),
    ("pledge-marked", MsgId::WebPledgeMarked),
    ("broadcast-stopped", MsgId::WebBroadcastStopped),
    ("broadcast-over", MsgId::WebBroadcastOver),
    ("broadcast-queued", MsgId::WebBroadcastQueued),
    ("broadcast-held", MsgId::WebBroadcastHeld),
    ("stock-saved", MsgId::StockSaved),
    ("calendar-imported", MsgId::WebCalendarImported),
    ("donations-imported", MsgId::WebDonationsImported),
    ("callout-ended", MsgId::WebCalloutEndedBefore),
];

/// A page being made for a signed-in account, in its language.
pub struct View<'a> {
    pub app: &'a App,
    pub lang: Lang,
    pub session: &'a Session,
}

impl View<'_> {
    /// A message as text (escaped where a template splices it).
    pub fn t(&self, id: MsgId) -> String {
        self.m(&Msg::new(id))
    }

    pub fn m(&self, msg: &Msg) -> String {
        self.app.catalogue().render(self.lang, msg)
    }

    /// One request, as the account, under the chat's permission table.
    pub async fn ask(&self, request: Request) -> anyhow::Result<Outcome> {
        self.app.perform(self.session.identity_id, request).await
    }

    /// The hidden field every form carries.
    pub fn csrf(&self) -> Markup {
        hidden("csrf", &self.session.csrf)
    }

    /// A one-button form (cancel, stop, mark…) posting to `action`, with `extra` hidden
    /// fields.
    pub fn button(&self, action: &str, label: MsgId, extra: Markup) -> Markup {
        html! {
            form method="post" action=(action) class="inline" {
                (self.csrf()) (extra)
                button type="submit" { (self.t(label)) }
            }
        }
    }

    /// The notice a redirect asked for, if it is one of the table's.
    pub fn notice(&self, query: &Fields) -> Markup {
        let ok = val(query, "ok");
        let Some(id) = NOTICES.iter().find(|(k, _)| *k == ok) else {
            return html! {};
        };
        let n = val(query, "n").parse::<i64>().unwrap_or(0);
        html! {
            p class="notice" role="status" { (self.m(&Msg::new(id.1).num("n", n as f64))) }
        }
    }

    /// A whole page with the menu, `active` marked.
    pub fn page(&self, active: Nav, body: Markup) -> Markup {
        self.page_with(active, body, false)
    }

    /// A page whose parts refresh themselves (the call-out tally): it loads the one script.
    pub fn page_with(&self, active: Nav, body: Markup, live: bool) -> Markup {
        let chrome = html! {
            nav aria-label=(self.t(MsgId::WebNavLabel)) {
                @for n in Nav::ALL.iter().filter(|n| n.shown(&self.session.roles)) {
                    a href=(n.path()) aria-current=[(*n == active).then_some("page")] {
                        (self.t(n.label()))
                    }
                }
            }
            p class="langs" {
                @for l in Lang::ALL {
                    a href={ (active.path()) "?lang=" (l.code()) } hreflang=(l.code())
                        lang=(l.code()) aria-current=[(l == self.lang).then_some("true")] {
                        (lang_name(l))
                    }
                }
            }
        };
        layout(self.app, self.lang, chrome, body, Some(self.session), live)
    }
}

/// A hidden field.
pub fn hidden(name: &str, value: impl maud::Render) -> Markup {
    html! { input type="hidden" name=(name) value=(value); }
}

fn lang_name(l: Lang) -> &'static str {
    match l {
        Lang::Vi => "Tiếng Việt",
        Lang::En => "English",
    }
}

/// A whole page: the title, the sign-out form when signed in (with its CSRF token), `body`.
fn layout(
    app: &App,
    lang: Lang,
    chrome: Markup,
    body: Markup,
    session: Option<&Session>,
    live: bool,
) -> Markup {
    let title = app.catalogue().render(
        lang,
        &Msg::new(MsgId::WebTitle).str("org", app.config().org_name.clone()),
    );
    html! {
        (PreEscaped("<!doctype html>\n"))
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                link rel="icon" href="/dashboard/favicon.svg" type="image/svg+xml";
                style { (PreEscaped(STYLE)) }
                @if live { script src="/dashboard/live.js" defer {} }
            }
            body {
                header {
                    h1 { (title) }
                    @if let Some(s) = session {
                        form method="post" action="/dashboard/logout" {
                            (hidden("csrf", &s.csrf))
                            button type="submit" {
                                (app.catalogue().render(lang, &Msg::new(MsgId::WebSignOut)))
                            }
                        }
                    }
                }
                (chrome)
                main { (body) }
            }
        }
        "\n"
    }
}

/// The dashboard's one script: parts marked `data-live` are fetched again every second and
/// replaced, so a tally moves without a reload. Without it, the page reads the same.
pub const LIVE_JS: &str = "\"use strict\";\n\
(function(){\n\
  var parts = document.querySelectorAll('[data-live]');\n\
  parts.forEach(function(el){\n\
    var busy = false;\n\
    setInterval(function(){\n\
      if (busy) { return; }\n\
      busy = true;\n\
      fetch(el.getAttribute('data-live'), {credentials: 'same-origin', cache: 'no-store'})\n\
        .then(function(r){ return r.ok ? r.text() : null; })\n\
        .then(function(html){ if (html !== null && html !== el.innerHTML) { el.innerHTML = html; \
if (el.querySelector('[data-ended]')) { document.querySelectorAll('[data-while-open]').forEach(function(x){ x.remove(); }); } } })\n\
        .catch(function(){})\n\
        .then(function(){ busy = false; });\n\
    }, 1000);\n\
  });\n\
})();\n";

/// The tab's icon: a drop of blood.
pub const FAVICON: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 32 32\">\
<path d=\"M16 2C16 2 6 14 6 20a10 10 0 0 0 20 0C26 14 16 2 16 2z\" fill=\"#b00020\"/></svg>";

/// Readable on a phone, high contrast, focus visible.
const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:0;color:#111;background:#fff;\
line-height:1.45}header{display:flex;flex-wrap:wrap;justify-content:space-between;\
align-items:center;gap:.5rem;padding:.75rem 1rem;background:#8b0000;color:#fff}\
header h1{font-size:1.15rem;margin:0}main{padding:1rem;max-width:60rem}\
nav{display:flex;flex-wrap:wrap;gap:.25rem 1rem;padding:.5rem 1rem;background:#f3e6e6}\
nav a,.langs a{color:#5a0000}nav a[aria-current]{font-weight:700;text-decoration:none}\
.langs{margin:0;padding:.25rem 1rem;display:flex;gap:1rem}.langs a[aria-current]{font-weight:700}\
button{font:inherit;padding:.4rem .9rem;border:2px solid #fff;background:#8b0000;color:#fff;\
border-radius:.3rem;cursor:pointer}main button{border-color:#8b0000}\
button:focus-visible,a:focus-visible,input:focus-visible,select:focus-visible\
{outline:3px solid #ffbf47}table{border-collapse:collapse;width:100%}\
th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #ccc;vertical-align:top;\
overflow-wrap:anywhere}\
ul{padding-left:1.2rem}svg{max-width:100%;height:auto}.behind{color:#8b0000;font-weight:600}\
figure.chart{margin:1rem 0;max-width:40rem}.legend{list-style:none;padding:0;margin:.25rem 0;\
display:flex;flex-wrap:wrap;gap:.25rem 1.25rem}.key{display:inline-block;width:1.6rem;\
margin-right:.4rem;vertical-align:middle}.k-bar{height:.7rem;background:#8b0000}\
.k-line{border-top:3px solid #8b0000}.k-dashed{border-top:2px dashed #555}\
.k-target{width:3px;height:1.1rem;background:#111;margin-left:.6rem;margin-right:1rem}\
.kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(11rem,1fr));gap:.75rem;\
margin:1rem 0}.kpi{border:1px solid #ddd;border-radius:.4rem;padding:.6rem .8rem}\
.kpi p{margin:.15rem 0}.kpi .label{font-size:.9rem;color:#444}.kpi .value{font-size:2rem;\
font-weight:700;line-height:1.1}.kpi .of{font-size:1rem;font-weight:400;color:#444}\
.note{font-size:.9rem;color:#444}.mark{color:#8b0000;white-space:nowrap}\
form.inline{display:inline}label.inline{display:inline;font-weight:400}label{display:block;margin-top:.6rem;font-weight:600}\
input,select,textarea{font:inherit;padding:.35rem;border:1px solid #555;border-radius:.2rem;\
max-width:100%}fieldset{border:1px solid #ccc;margin:1rem 0}.error{color:#8b0000;font-weight:600}\
.notice{background:#e7f4e4;border-left:4px solid #2e7d32;padding:.5rem}\
.cal{display:grid;grid-template-columns:repeat(7,1fr);gap:2px}.cal div{border:1px solid #ddd;\
min-height:3rem;padding:2px;font-size:.85rem}.bar{background:#eee;height:1rem;width:100%}\
.bar span{display:block;height:100%;background:#8b0000}.low span{background:#b00020}\
.ok span{background:#2e7d32}.scroll{overflow-x:auto}.map td{text-align:right}\
.h1{background:#fbe3e3}.h2{background:#f0a8a8}.h3{background:#a4262c;color:#fff}\
.h4{background:#5c0000;color:#fff}.uncovered{color:#8b0000;font-weight:600}\
.msg{white-space:pre-wrap;border-left:4px solid #8b0000;margin:.5rem 0;padding:.5rem 1rem;\
background:#faf5f5}progress{width:100%;max-width:30rem;height:1rem}";

/// A page saying one thing (signed out, refused…).
pub fn message_page(app: &App, lang: Lang, id: MsgId) -> Markup {
    let text = app.catalogue().render(lang, &Msg::new(id));
    layout(app, lang, html! {}, html! { p { (text) } }, None, false)
}

/// The overview: the year against its plan (the report's lines and the cumulative chart),
/// the drives of the coming two weeks and the open call-outs.
pub async fn overview(v: &View<'_>) -> anyhow::Result<Reply> {
    let (app, lang) = (v.app, v.lang);
    if !v.session.roles.may(Action::ManageDrives) {
        // A leader's dashboard opens on their clubs.
        return Ok(Reply::Redirect(Nav::Clubs.path().into()));
    }
    let plan = v
        .ask(Request::Drive(DriveRequest::PlanReport {
            year: None,
            unit: None,
        }))
        .await?;
    let out = plan;
    let Outcome::Drive(DriveOutcome::Plan { figures, .. }) = out else {
        return not_as_asked(out);
    };
    let drives = match v
        .ask(Request::Drive(DriveRequest::List { from: None }))
        .await?
    {
        Outcome::Drive(DriveOutcome::List { drives, .. }) => drives,
        other => return not_as_asked(other),
    };
    let now = app.clock().now().timestamp_millis();
    let soon: Vec<&DriveInfo> = drives
        .iter()
        .filter(|d| d.starts_at < now + 14 * 86_400_000)
        .collect();
    let campaigns = match v.ask(Request::Drive(DriveRequest::Report)).await? {
        Outcome::Drive(DriveOutcome::Report { report, .. }) => {
            Some(campaigns_section(v, &report, app.clock().now()))
        }
        _ => None,
    };
    let units = units_section(v, &figures);
    let provinces = provinces_section(v, &figures);
    let open = callouts::open_section(v).await?;
    let delivery = match v.ask(Request::Club(ClubRequest::DeliveryHealth)).await? {
        Outcome::Club(ClubOutcome::Delivery(h)) => Some(delivery_section(v, &h, now)),
        _ => None,
    };
    let body = html! {
        (year_section(app, lang, &figures))
        @if let Some(c) = campaigns { (c) }
        (provinces)
        (units)
        (drives_section(app, lang, &soon))
        (open)
        @if let Some(d) = delivery { (d) }
    };
    Ok(Reply::Page(v.page(Nav::Overview, body)))
}

/// Campaigns shown in the overview's chart: the latest that have begun.
const CHART_CAMPAIGNS: usize = 10;
/// Units shown in the overview's chart (those with a target or a donation, in plan order).
const CHART_UNITS: usize = 25;

/// The latest campaigns that have begun, in order: donations against the target.
fn campaigns_section(
    v: &View<'_>,
    report: &crate::domain::drive::Report,
    now: chrono::DateTime<chrono::Utc>,
) -> Markup {
    let today = now.with_timezone(&v.app.config().timezone).date_naive();
    let mut begun: Vec<_> = report
        .campaigns
        .iter()
        .filter(|c| c.campaign.starts_on <= today)
        .collect();
    begun.sort_by_key(|c| (c.campaign.starts_on, c.campaign.id));
    let skip = begun.len().saturating_sub(CHART_CAMPAIGNS);
    let bars: Vec<charts::Bar> = begun[skip..]
        .iter()
        .map(|c| charts::Bar {
            label: c.campaign.name.clone(),
            done: c.figures.donations as f64,
            target: c.figures.target_units_min.map(|t| t as f64),
        })
        .collect();
    chart_section(
        v,
        "by-campaign",
        MsgId::WebByCampaign,
        MsgId::WebChartCampaigns,
        &bars,
        MsgId::WebChartDonations,
    )
}

/// The plan's units (districts, schools, firms…): units of blood received against their
/// targets, where the plan has units.
fn units_section(v: &View<'_>, f: &PlanFigures) -> Markup {
    let bars: Vec<charts::Bar> = f
        .units
        .iter()
        .filter(|u| u.target_units.is_some() || u.donations > 0)
        .take(CHART_UNITS)
        .map(|u| charts::Bar {
            label: u.name.clone(),
            done: u.units_done,
            target: u.target_units.map(|t| t as f64),
        })
        .collect();
    chart_section(
        v,
        "by-unit",
        MsgId::WebByUnit,
        MsgId::WebChartUnits,
        &bars,
        MsgId::WebChartDone,
    )
}

/// The national roll-up (national staff, several provinces): each province's units against
/// its plan as bars, and its line as the chat says it.
fn provinces_section(v: &View<'_>, f: &PlanFigures) -> Markup {
    if f.provinces.is_empty() {
        return html! {};
    }
    let bars: Vec<charts::Bar> = f
        .provinces
        .iter()
        .map(|p| charts::Bar {
            label: p.province.name().to_string(),
            done: p.units_done,
            target: p.targets.as_ref().and_then(|t| t.units).map(|t| t as f64),
        })
        .collect();
    let lines = crate::engine::plan::province_lines(v.app.catalogue(), v.lang, f);
    html! {
        (chart_section(
            v,
            "by-province",
            MsgId::WebByProvince,
            MsgId::WebChartProvinces,
            &bars,
            MsgId::WebChartDone,
        ))
        ul { @for m in lines.iter().skip(1) { li { (v.m(m)) } } }
    }
}

/// A headed section with one bar chart against targets (none without bars); `title` takes
/// the number of bars as `n`.
fn chart_section(
    v: &View<'_>,
    id: &str,
    heading: MsgId,
    title: MsgId,
    bars: &[charts::Bar],
    done: MsgId,
) -> Markup {
    if bars.is_empty() {
        return html! {};
    }
    let mut keys = vec![(charts::Key::Bar, v.t(done))];
    if bars.iter().any(|b| b.target.is_some()) {
        keys.push((charts::Key::Target, v.t(MsgId::WebChartTarget)));
    }
    html! {
        section aria-labelledby=(id) {
            h2 id=(id) { (v.t(heading)) }
            figure class="chart" {
                (charts::bar_chart(
                    &format!("{id}-chart"),
                    &v.m(&Msg::new(title).num("n", bars.len() as f64)),
                    bars,
                    v.lang == Lang::Vi,
                ))
                (charts::legend(&keys))
            }
        }
    }
}

/// A table's head row: one column heading a message.
fn head_row(v: &View<'_>, cols: &[MsgId]) -> Markup {
    html! {
        thead { tr { @for c in cols { th scope="col" { (v.t(*c)) } } } }
    }
}

/// [`head_row`] after a first column of numbers ("#").
fn numbered_head_row(v: &View<'_>, cols: &[MsgId]) -> Markup {
    html! {
        thead { tr { th scope="col" { "#" } @for c in cols { th scope="col" { (v.t(*c)) } } } }
    }
}

/// Per lane: what waits, the longest a due message has waited, and the last hour's sent,
/// failed and retried; whether any lane is late, in words (not colour alone).
fn delivery_section(v: &View<'_>, h: &Health, now: i64) -> Markup {
    let late = h.lanes.iter().any(|l| l.late(now));
    let minutes = crate::domain::delivery::LATE_MINUTES as f64;
    let verdict = if late {
        // Late for a channel this server runs: its connection; for one it does not run
        // (no token configured): that, since checking a connection would not help.
        let cfg = v.app.config();
        let (on, off): (Vec<&String>, Vec<&String>) = h.late_channels.iter().partition(|c| {
            Channel::from_code(c)
                .is_some_and(|c| c.kind() != ChannelKind::Terminal && cfg.has_channel(c))
        });
        let names = |cs: &[&String]| {
            if cs.is_empty() {
                return "none".to_string();
            }
            cs.iter()
                .map(|c| Channel::from_code(c).map_or(c.to_string(), |k| k.name()))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut said = Vec::new();
        if !on.is_empty() || off.is_empty() {
            said.push(
                v.m(&Msg::new(MsgId::WebDeliveryLate)
                    .num("n", minutes)
                    .str("channels", names(&on))),
            );
        }
        if !off.is_empty() {
            said.push(
                v.m(&Msg::new(MsgId::WebDeliveryLateOff)
                    .num("n", minutes)
                    .str("channels", names(&off))),
            );
        }
        html! { p class="behind" role="alert" { (said.join(" ")) } }
    } else {
        html! { p { (v.m(&Msg::new(MsgId::WebDeliveryOk).num("n", minutes))) } }
    };
    let lane_label = |lane| match Lane::from_index(lane) {
        Some(Lane::Urgent) => MsgId::WebLaneUrgent,
        Some(Lane::Reply) => MsgId::WebLaneReply,
        Some(Lane::Notice) => MsgId::WebLaneNotice,
        Some(Lane::Bulk) | None => MsgId::WebLaneBulk,
    };
    html! {
        section aria-labelledby="delivery" {
            h2 id="delivery" { (v.t(MsgId::WebDelivery)) }
            (verdict)
            table {
                (head_row(v, &[
                    MsgId::WebColLane,
                    MsgId::WebColWaiting,
                    MsgId::WebColDue,
                    MsgId::WebColSentHour,
                    MsgId::WebColFailed,
                    MsgId::WebColRetried,
                    MsgId::WebColThrottled,
                ]))
                tbody {
                    @for l in &h.lanes {
                        tr class=[(l.late(now) || l.failed > 0).then_some("behind")] {
                            th scope="row" { (v.t(lane_label(l.lane))) }
                            td { (l.waiting) }
                            td {
                                @if let Some(t) = l.due_since {
                                    (v.m(&Msg::new(MsgId::WebDueMinutes)
                                        .num("n", (now.saturating_sub(t).max(0) / 60_000) as f64)))
                                }
                            }
                            td { (l.sent) }
                            td { (l.failed) }
                            td { (l.retried) }
                            td { (l.throttled) }
                        }
                    }
                }
            }
            @if let Some((Some(daily), Some(remaining))) = h.zns_quota {
                p {
                    (v.m(&Msg::new(MsgId::WebZnsQuota)
                        .num("daily", daily as f64)
                        .num("remaining", remaining as f64)))
                }
            }
            @if h.backups_here { (backup_line(v, h.backup_at, now)) }
        }
    }
}

/// The last scheduled backup (SQLite): when it was taken, flagged when more than two
/// intervals old or when none was ever taken; said when none are scheduled.
fn backup_line(v: &View<'_>, at: Option<i64>, now: i64) -> Markup {
    let cfg = v.app.config();
    let Some(b) = &cfg.backup else {
        return html! { p { (v.t(MsgId::WebBackupNone)) } };
    };
    let every_ms = i64::try_from(b.every.as_millis()).unwrap_or(i64::MAX);
    match at {
        None => html! { p class="behind" role="alert" { (v.t(MsgId::WebBackupNever)) } },
        Some(t) => {
            let when = chrono::DateTime::from_timestamp_millis(t)
                .unwrap_or_default()
                .with_timezone(&cfg.timezone)
                .format("%d/%m/%Y %H:%M")
                .to_string();
            let late = now.saturating_sub(t) > every_ms.saturating_mul(2);
            let said = v.m(&Msg::new(if late {
                MsgId::WebBackupLate
            } else {
                MsgId::WebBackupLast
            })
            .str("at", when));
            html! {
                p class=[late.then_some("behind")] role=[late.then_some("alert")] { (said) }
            }
        }
    }
}

/// The year at a glance: its key figures as large numbers, each with its target and, when
/// behind its pace, one quiet mark saying by how much; the cumulative chart with its legend
/// in text; the months; each allocated unit, with the same quiet mark.
fn year_section(app: &App, lang: Lang, f: &PlanFigures) -> Markup {
    use crate::domain::text::figure;
    let cat = app.catalogue();
    let say = |m: Msg| cat.render(lang, &m);
    let t = |id: MsgId| say(Msg::new(id));
    let vi = lang == Lang::Vi;
    let fig = |v: i64| figure(v as f64, vi);
    let (day, days) = f.day_of_year();
    let head = say(Msg::new(MsgId::PlanReportTitle)
        .str("year", f.year.to_string())
        .str("date", f.until.format("%d/%m/%Y").to_string())
        .str(
            "year_pct",
            (f64::from(day) * 100.0 / f64::from(days))
                .round()
                .to_string(),
        ));
    let targets = f.targets.clone().unwrap_or_default();
    let target = targets.units.filter(|_| f.targets.is_some());
    let title =
        say(Msg::new(MsgId::WebChartTitle).str("target", target.map_or("none".to_string(), fig)));
    let months = chrono::Datelike::month(&f.until) as usize;
    let mut legend = vec![(charts::Key::Line, t(MsgId::WebChartDone))];
    if target.is_some_and(|t| t > 0) {
        legend.push((charts::Key::Dashed, t(MsgId::WebChartPace)));
    }
    let by_month: Vec<String> = f
        .by_month
        .iter()
        .take(months)
        .enumerate()
        .map(|(i, u)| format!("{}: {}", i + 1, figure(*u, vi)))
        .collect();
    html! {
        section aria-labelledby="year" {
            h2 id="year" { (t(MsgId::WebYearHead)) }
            p { (head) }
            (key_figures(cat, lang, f))
            figure class="chart" {
                (cumulative_chart(&f.by_month, months, target, &title, vi))
                (charts::legend(&legend))
            }
            p class="note" {
                (say(Msg::new(MsgId::PlanReportMonths).str("months", by_month.join(" · "))))
            }
            (units_list(cat, lang, f))
        }
    }
}

/// The year's key figures as large numbers against their targets, a quiet mark where one is
/// behind its pace (the year has no targets: said in a line).
fn key_figures(cat: &crate::messages::Catalogue, lang: Lang, f: &PlanFigures) -> Markup {
    use crate::domain::text::figure;
    let say = |m: Msg| cat.render(lang, &m);
    let t = |id: MsgId| say(Msg::new(id));
    let vi = lang == Lang::Vi;
    let fig = |v: i64| figure(v as f64, vi);
    let pct = |v: f64| format!("{}%", v.round() as i64);
    let share = |bp: i64| format!("{}%", figure(bp as f64 / 100.0, vi));
    let Some(targets) = f.targets.clone() else {
        return html! {
            p { (say(Msg::new(MsgId::PlanReportNone).str("year", f.year.to_string()))) }
        };
    };
    let note = |text: String| html! { p class="note" { (text) } };
    let mark = |p: Option<crate::domain::plan::Pace>| match p.filter(|p| p.behind()) {
        Some(p) => html! {
            p class="note" {
                span class="mark" { "● " (t(MsgId::WebKpiBehind)) }
                " "
                (say(Msg::new(MsgId::WebKpiBehindWhy)
                    .str("pct", pct(p.done_pct))
                    .str("year_pct", pct(p.year_pct))))
            }
        },
        None => html! {},
    };
    let card = |label: MsgId, value: String, target: Option<String>, note: Markup| {
        html! {
            div class="kpi" {
                p class="label" { (t(label)) }
                p class="value" {
                    (value)
                    @if let Some(x) = target {
                        " "
                        span class="of" { (say(Msg::new(MsgId::WebKpiTarget).str("target", x))) }
                    }
                }
                (note)
            }
        }
    };
    let pace = f.pace();
    let units_note = html! {
        (note(say(Msg::new(MsgId::WebKpiUnitsNote)
            .str("pct", pace.map_or("—".into(), |p| pct(p.done_pct)))
            .str("last", figure(f.units_last_year, vi)))))
        (mark(pace))
    };
    let people = match (targets.people_min, targets.people_max) {
        (Some(a), Some(b)) if a != b => Some(format!("{}–{}", fig(a), fig(b))),
        (Some(a), _) | (None, Some(a)) => Some(fig(a)),
        (None, None) => None,
    };
    let donors_note = match f.population_pct() {
        Some(p) => note(say(
            Msg::new(MsgId::WebKpiDonorsNote).str("pct", share((p * 100.0).round() as i64))
        )),
        None => html! {},
    };
    let drives_note = if f.fixed_days > 0 {
        note(say(
            Msg::new(MsgId::WebKpiDrivesNote).num("fixed", f.fixed_days as f64)
        ))
    } else {
        html! {}
    };
    html! {
        div class="kpis" {
            (card(
                MsgId::WebKpiUnits,
                figure(f.units_done, vi),
                targets.units.map(fig),
                units_note,
            ))
            (card(MsgId::WebKpiPeople, fig(f.reached), people, html! {}))
            (card(
                MsgId::WebKpiRepeat,
                f.repeat_pct().map_or("—".into(), pct),
                targets.repeat_pct.map(|p| format!("{p}%")),
                html! {},
            ))
            (card(
                MsgId::WebKpiDonors,
                fig(f.donors),
                targets.population_share_bp.map(share),
                donors_note,
            ))
            (card(MsgId::WebKpiDrives, fig(f.drives), targets.drives.map(fig), drives_note))
        }
    }
}

/// Each allocated unit against its target, with the quiet mark where it is behind its pace.
fn units_list(cat: &crate::messages::Catalogue, lang: Lang, f: &PlanFigures) -> Markup {
    use crate::domain::text::figure;
    let t = |id: MsgId| cat.render(lang, &Msg::new(id));
    let vi = lang == Lang::Vi;
    let fig = |v: i64| figure(v as f64, vi);
    let pct = |v: f64| format!("{}%", v.round() as i64);
    if f.units.is_empty() {
        return html! {};
    }
    let line = |u: &crate::domain::plan::UnitFigures| {
        let pace = f.unit_pace(u);
        let line = cat.render(
            lang,
            &Msg::new(MsgId::PlanReportUnit)
                .str("name", u.name.clone())
                .str("illustrative", if u.illustrative { "*" } else { "" })
                .str("done", figure(u.units_done, vi))
                .str("target", u.target_units.map_or("—".into(), fig))
                .str("pct", pace.map_or("—".into(), |p| pct(p.done_pct)))
                .str("behind", ""),
        );
        html! {
            li {
                (line.trim_start_matches("• "))
                @if pace.is_some_and(|p| p.behind()) {
                    " " span class="mark" { "● " (t(MsgId::WebKpiBehind)) }
                }
            }
        }
    };
    html! {
        p { (t(MsgId::PlanReportUnitsHead)) }
        ul { @for u in &f.units { (line(u)) } }
        @if f.units.iter().any(|u| u.illustrative) {
            p class="note" { (t(MsgId::PlanReportIllustrative)) }
        }
    }
}

fn drives_section(app: &App, lang: Lang, drives: &[&DriveInfo]) -> Markup {
    let cat = app.catalogue();
    let say = |id: MsgId| cat.render(lang, &Msg::new(id));
    let tz = app.config().timezone;
    html! {
        section aria-labelledby="drives" {
            h2 id="drives" { (say(MsgId::WebDrivesHead)) }
            @if drives.is_empty() {
                p { (say(MsgId::WebDrivesNone)) }
            } @else {
                table {
                    thead {
                        tr {
                            th scope="col" { (say(MsgId::WebColWhen)) }
                            th scope="col" { (say(MsgId::WebColPlace)) }
                            th scope="col" { (say(MsgId::WebColSignups)) }
                        }
                    }
                    tbody {
                        @for d in drives {
                            @let (day, w) = local_window(d.starts_at, d.ends_at, tz);
                            tr {
                                td { (crate::domain::dates::format_vn(day)) " " (w.label()) }
                                td { (d.place) " (" (d.province_name()) ")" }
                                td { (d.taken) " / " (d.capacity) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The year's units received, cumulative by month, for the `months` gone, against the
/// target spread evenly over the twelve (when there is one), as an SVG a screen reader
/// reads by its title.
pub fn cumulative_chart(
    by_month: &[f64; 12],
    months: usize,
    target: Option<i64>,
    title: &str,
    vietnamese: bool,
) -> Markup {
    const W: f64 = 600.0;
    const H: f64 = 236.0;
    const LEFT: f64 = 72.0;
    const RIGHT: f64 = 12.0;
    const TOP: f64 = 16.0;
    const BOTTOM: f64 = 24.0;
    let months = months.min(12);
    let mut cumulative = Vec::with_capacity(months);
    let mut sum = 0.0;
    for u in by_month.iter().take(months) {
        sum += if u.is_finite() { u.max(0.0) } else { 0.0 };
        cumulative.push(sum);
    }
    let top = target.map_or(0.0, |t| t.max(0) as f64).max(sum).max(1.0);
    let x = |m: f64| LEFT + (W - LEFT - RIGHT) * m / 12.0;
    let y = |v: f64| TOP + (H - TOP - BOTTOM) * (1.0 - v / top);
    let one = |v: f64| format!("{v:.1}");
    let bottom = H - BOTTOM;
    let points: Vec<String> = std::iter::once((0.0, 0.0))
        .chain(
            cumulative
                .iter()
                .enumerate()
                .map(|(i, v)| ((i + 1) as f64, *v)),
        )
        .map(|(m, v)| format!("{:.1},{:.1}", x(m), y(v)))
        .collect();
    html! {
        svg xmlns="http://www.w3.org/2000/svg" viewBox={ "0 0 " (W) " " (H) } role="img"
            aria-labelledby="chart-title" {
            title id="chart-title" { (title) }
            // Axes, month ticks 1–12 and the top value.
            line x1=(LEFT) y1=(bottom) x2=(W - RIGHT) y2=(bottom) stroke="#333" {}
            line x1=(LEFT) y1=(TOP) x2=(LEFT) y2=(bottom) stroke="#333" {}
            text x=(LEFT - 6.0) y=(TOP + 4.0) font-size="16" text-anchor="end" {
                (crate::domain::text::figure(top.round(), vietnamese))
            }
            text x=(LEFT - 6.0) y=(bottom) font-size="16" text-anchor="end" { "0" }
            @for m in 1..=12 {
                text x=(one(x(f64::from(m)))) y=(one(bottom + 16.0)) font-size="16"
                    text-anchor="middle" { (m) }
            }
            @if let Some(t) = target.filter(|t| *t > 0) {
                line x1=(one(x(0.0))) y1=(one(y(0.0))) x2=(one(x(12.0))) y2=(one(y(t as f64)))
                    stroke="#555" stroke-dasharray="6 4" {}
            }
            @if !cumulative.is_empty() {
                polyline fill="none" stroke="#8b0000" stroke-width="3" points=(points.join(" ")) {}
            }
        }
    }
}

/// A form's fields as posted (urlencoded, decoded).
pub type Fields = std::collections::HashMap<String, String>;

/// A form's fields as text with no control characters (what a browser posts is typed by
/// people and stored as they typed it, less what a terminal would act on).
pub fn plain_fields(f: Fields) -> Fields {
    f.into_iter()
        .map(|(k, v)| (k, crate::domain::text::plain(&v).into_owned()))
        .collect()
}

/// A posted form read into its own struct (text fields, `#[serde(default)]`): each value
/// trimmed, as [`val`] reads it; a field the form lacks is empty; fields the struct does
/// not name (the form token) are left out.
pub fn read_form<F: serde::de::DeserializeOwned>(
    fields: Fields,
) -> Result<F, serde::de::value::Error> {
    F::deserialize(serde::de::value::MapDeserializer::new(
        fields.into_iter().map(|(k, v)| (k, v.trim().to_string())),
    ))
}

/// A field's value, trimmed ("" when absent).
pub fn val<'a>(f: &'a Fields, name: &str) -> &'a str {
    f.get(name).map_or("", |s| s.trim())
}

/// Errors of a form, by field name, already rendered.
pub type Errors = Vec<(&'static str, String)>;

/// A field's error, if it has one.
pub fn field_error<'a>(name: &str, errors: &'a [(&'static str, String)]) -> Option<&'a str> {
    errors
        .iter()
        .find(|(k, _)| *k == name)
        .map(|(_, e)| e.as_str())
}

/// The id of a field's error note (what its control is described by).
fn error_id(name: &str) -> String {
    format!("{name}-error")
}

/// A field's error note, linked from its control for screen readers (nothing without one).
pub fn error_note(name: &str, error: Option<&str>) -> Markup {
    html! {
        @if let Some(e) = error { span class="error" id=(error_id(name)) { (e) } }
    }
}

/// What kind of input a form's control is, and its limits.
#[derive(Debug, Clone, Copy, Default)]
pub struct Control {
    kind: Option<&'static str>,
    inputmode: Option<&'static str>,
    autocomplete_off: bool,
    maxlength: Option<u32>,
    required: bool,
}

impl Control {
    /// Text up to `max` characters.
    pub fn text(max: u32) -> Control {
        Control {
            maxlength: Some(max),
            ..Control::default()
        }
    }

    /// A whole number, with the phone's number pad.
    pub fn number() -> Control {
        Control {
            inputmode: Some("numeric"),
            ..Control::default()
        }
    }

    /// A date, with the browser's date picker.
    pub fn date() -> Control {
        Control {
            kind: Some("date"),
            ..Control::default()
        }
    }

    /// An hour of the day.
    pub fn time() -> Control {
        Control {
            kind: Some("time"),
            ..Control::default()
        }
    }

    /// A search box up to `max` characters, not remembered by the browser.
    pub fn search(max: u32) -> Control {
        Control {
            kind: Some("search"),
            autocomplete_off: true,
            ..Control::text(max)
        }
    }

    /// A phone number, not remembered by the browser.
    pub fn phone(max: u32) -> Control {
        Control {
            inputmode: Some("tel"),
            autocomplete_off: true,
            ..Control::text(max)
        }
    }

    pub fn max(self, max: u32) -> Control {
        Control {
            maxlength: Some(max),
            ..self
        }
    }

    pub fn required(self) -> Control {
        Control {
            required: true,
            ..self
        }
    }
}

/// A labelled input with its value and, when wrong, its error (linked for screen readers).
pub fn input(
    name: &str,
    label: &str,
    value: &str,
    c: Control,
    errors: &[(&'static str, String)],
) -> Markup {
    let error = field_error(name, errors);
    html! {
        label for=(name) { (label) }
        input id=(name) name=(name) value=(value) type=[c.kind] inputmode=[c.inputmode]
            autocomplete=[c.autocomplete_off.then_some("off")] maxlength=[c.maxlength]
            required[c.required] aria-invalid=[error.map(|_| "true")]
            aria-describedby=[error.map(|_| error_id(name))];
        (error_note(name, error))
    }
}

/// A labelled select of (value, label) options, `chosen` selected.
pub fn select(name: &str, label: &str, options: &[(String, String)], chosen: &str) -> Markup {
    html! {
        label for=(name) { (label) }
        select id=(name) name=(name) { (options_of(options, chosen)) }
    }
}

/// The options of a select, `chosen` selected.
pub fn options_of(options: &[(String, String)], chosen: &str) -> Markup {
    html! {
        @for (value, text) in options {
            option value=(value) selected[value == chosen] { (text) }
        }
    }
}

/// What a donor gives, as options (`whole_blood`, …) in the page's language.
pub fn kind_options(v: &View<'_>) -> Vec<(String, String)> {
    use crate::domain::eligibility::DonationKind;
    [
        DonationKind::WholeBlood,
        DonationKind::Platelets,
        DonationKind::Plasma,
    ]
    .iter()
    .map(|k| {
        (
            k.code().to_string(),
            v.app
                .catalogue()
                .render(v.lang, &Msg::new(crate::engine::donation_kind_label(*k))),
        )
    })
    .collect()
}

/// The line over a form sent back with errors (none when it has none).
pub fn errors_summary(v: &View<'_>, errors: &Errors) -> Markup {
    html! {
        @if !errors.is_empty() { p class="error" role="alert" { (v.t(MsgId::WebFormErrors)) } }
    }
}

/// The provinces as options, by name.
pub fn province_options() -> Vec<(String, String)> {
    let mut all: Vec<(String, String)> = crate::domain::province::Province::all()
        .map(|p| (p.code().to_string(), p.name().to_string()))
        .collect();
    all.sort_by_key(|a| crate::domain::text::fold(&a.1));
    all
}

/// The value of `name` in a cookie header (`a=1; hm_session=…`).
pub fn cookie<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header
        .split(';')
        .filter_map(|p| p.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
        .filter(|v| !v.is_empty())
}

/// The value of `name` in a query string or an urlencoded form (`t=…&x=…`); tokens are hex,
/// so no decoding is needed, and anything else is refused by its lookup.
pub fn field<'a>(query: &'a str, name: &str) -> Option<&'a str> {
    query
        .split('&')
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
        .filter(|v| !v.is_empty() && v.len() <= 128)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A refusal is the refusal page; any other answer a page did not ask for is an error
    /// that names its kind and nothing of its contents.
    #[test]
    fn an_answer_not_asked_for_is_an_error_not_a_refusal() {
        assert!(matches!(not_as_asked(Outcome::Refused), Ok(Reply::Refused)));
        let phone = crate::domain::phone::PhoneNumber::parse("0912 345 678").unwrap();
        let e = not_as_asked(Outcome::PhoneInUse { phone, taken: true })
            .unwrap_err()
            .to_string();
        assert!(e.ends_with("PhoneInUse"), "{e}");
        assert!(!e.contains("912") && !e.contains("345"), "{e}");
    }

    #[test]
    fn text_is_escaped_in_elements_and_attributes() {
        let typed = "<script>alert('x')</script> & \"q\"";
        let shown = input("place", typed, typed, Control::text(10), &[]).into_string();
        assert_eq!(
            shown,
            "<label for=\"place\">&lt;script&gt;alert('x')&lt;/script&gt; &amp; &quot;q&quot;\
             </label><input id=\"place\" name=\"place\" value=\"&lt;script&gt;alert('x')\
             &lt;/script&gt; &amp; &quot;q&quot;\" maxlength=\"10\">"
        );
        let shown = select("p", "Lễ hội Xuân hồng", &[], "").into_string();
        assert!(shown.contains(">Lễ hội Xuân hồng<"), "{shown}");
    }

    #[test]
    fn the_chart_draws_the_months_gone_against_the_target_line() {
        let mut months = [0.0; 12];
        months[0] = 1000.0;
        months[1] = 2000.0;
        months[2] = 500.0;
        let svg = cumulative_chart(&months, 3, Some(30000), "T <1>", false).into_string();
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("<title id=\"chart-title\">T &lt;1&gt;</title>"));
        // The origin and three months: four points; the top is the target.
        let points = svg
            .split("points=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        assert_eq!(points.split(' ').count(), 4, "{points}");
        // The top figure grouped as English writes it (the legend is text beside the chart).
        assert!(svg.contains(">30,000</text>"));
        let vi = cumulative_chart(&months, 3, Some(30000), "T", true).into_string();
        assert!(vi.contains(">30.000</text>"));
        assert!(svg.contains("stroke-dasharray"));
        for m in 1..=12 {
            assert!(svg.contains(&format!(">{m}</text>")), "month {m}");
        }
        // 3,500 of 30,000 at the end of March: y = 16 + 196 × (1 − 3500/30000).
        let last = points.split(' ').next_back().unwrap();
        let y: f64 = last.split(',').nth(1).unwrap().parse().unwrap();
        assert!(
            (y - (16.0 + 196.0 * (1.0 - 3500.0 / 30000.0))).abs() < 0.1,
            "{y}"
        );
        // No target, nothing received, odd values: still a chart, no NaN.
        let svg = cumulative_chart(&[f64::NAN; 12], 12, None, "t", false).into_string();
        assert!(!svg.contains("NaN") && !svg.contains("stroke-dasharray"));
        let svg = cumulative_chart(&[0.0; 12], 0, Some(10), "t", false).into_string();
        assert!(!svg.contains("<polyline"));
    }

    #[test]
    fn cookies_and_fields_are_read_and_odd_ones_refused() {
        assert_eq!(cookie("a=1; hm_session=abc; b=2", COOKIE), Some("abc"));
        assert_eq!(cookie("hm_session=", COOKIE), None);
        assert_eq!(cookie("xhm_session=abc", COOKIE), None);
        assert_eq!(cookie("", COOKIE), None);
        assert_eq!(field("t=abc&x=1", "t"), Some("abc"));
        assert_eq!(field("csrf=1234", "csrf"), Some("1234"));
        assert_eq!(field("t=", "t"), None);
        assert_eq!(field(&format!("t={}", "a".repeat(500)), "t"), None);
        assert_eq!(field("tt=abc", "t"), None);
    }
}
