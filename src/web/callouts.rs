//! Urgent call-outs on the dashboard: start one after seeing how many donors each widening
//! step reaches, follow its tally live (the part refreshes itself every second) with the
//! pledgers' phones one tap away, mark who gave or did not come, extend, close or cancel.

use super::not_as_asked;
use super::{Control, Errors, Fields, Nav, Reply, View, hidden, input, province_options, select};
use crate::domain::callout::{CalloutInfo, Pledge, PledgeOutcome, Status, parse_deadline};
use crate::domain::eligibility::DonationKind;
use crate::domain::province::Province;
use crate::engine::callout::{
    CalloutDraft, CalloutField, callout_line, deadline_error, ending_label, review_msg,
};
use crate::engine::{CalloutOutcome, CalloutRequest, Outcome, Request};
use crate::messages::{Msg, MsgId};
use chrono::DateTime;
use maud::{Markup, html};

/// The call-out form's fields, as posted (and shown again with its errors); `step` is the
/// button pressed: `preview` or `start`.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct CalloutForm {
    group: String,
    component: String,
    units: String,
    hospital: String,
    address: String,
    province: String,
    deadline: String,
    note: String,
    #[serde(rename = "do")]
    step: String,
}

impl CalloutForm {
    /// What the form says for one of the chat's questions.
    fn answer(&self, field: CalloutField) -> &str {
        match field {
            CalloutField::Group => &self.group,
            CalloutField::Component => &self.component,
            CalloutField::Units => &self.units,
            CalloutField::Hospital => &self.hospital,
            CalloutField::Address => &self.address,
            CalloutField::Province => &self.province,
            CalloutField::Deadline => &self.deadline,
            CalloutField::Note => &self.note,
        }
    }
}

/// The buttons of a call-out's page: mark a pledger (`donor`, `donated` 1 or 0), extend
/// (`deadline`) or close (`status`).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct ActionForm {
    donor: String,
    donated: String,
    deadline: String,
    status: String,
}

fn when(v: &View<'_>, ms: i64) -> String {
    DateTime::from_timestamp_millis(ms)
        .map(|t| {
            t.with_timezone(&v.app.config().timezone)
                .format("%H:%M %d/%m")
                .to_string()
        })
        .unwrap_or_default()
}

/// The open call-outs, for the overview.
pub async fn open_section(v: &View<'_>) -> anyhow::Result<Markup> {
    let Outcome::Callout(CalloutOutcome::List(list)) =
        v.ask(Request::Callout(CalloutRequest::List)).await?
    else {
        return Ok(html! {});
    };
    let open: Vec<&CalloutInfo> = list.iter().filter(|c| c.status == Status::Open).collect();
    Ok(html! {
        section aria-labelledby="open-callouts" {
            h2 id="open-callouts" { (v.t(MsgId::WebOpenCallouts)) }
            (list_table(v, &open))
        }
    })
}

fn list_table(v: &View<'_>, list: &[&CalloutInfo]) -> Markup {
    if list.is_empty() {
        return html! { p { (v.t(MsgId::WebCalloutsNone)) } };
    }
    let policy = &v.app.config().callouts;
    let tz = v.app.config().timezone;
    html! {
        table {
            (super::numbered_head_row(v, &[
                MsgId::WebColCallout,
                MsgId::WebColStatus,
                MsgId::WebColPledged,
                MsgId::WebColDeadline,
            ]))
            tbody {
                @for c in list {
                    tr {
                        td { a href={ "/dashboard/callouts/" (c.id) } { "#" (c.id) } }
                        td { (v.m(&callout_line(tz, &c.spec))) }
                        td { (v.t(ending_label(c.ending(policy)))) }
                        td { (c.total().pledged) " / " (policy.enough(c.spec.units)) }
                        td { (when(v, c.spec.deadline)) }
                    }
                }
            }
        }
    }
}

/// `GET /dashboard/callouts`: the call-outs and the form to start one.
pub async fn callouts(v: &View<'_>, query: &Fields) -> anyhow::Result<Reply> {
    render(v, query, &CalloutForm::default(), &Vec::new(), None).await
}

async fn render(
    v: &View<'_>,
    query: &Fields,
    values: &CalloutForm,
    errors: &Errors,
    preview: Option<Markup>,
) -> anyhow::Result<Reply> {
    let out = v.ask(Request::Callout(CalloutRequest::List)).await?;
    let Outcome::Callout(CalloutOutcome::List(list)) = out else {
        return not_as_asked(out);
    };
    let all: Vec<&CalloutInfo> = list.iter().collect();
    let body = html! {
        (v.notice(query))
        h2 { (v.t(MsgId::WebNavCallouts)) }
        (list_table(v, &all))
        (form(v, values, errors, preview))
    };
    let page = v.page(Nav::Callouts, body);
    Ok(if errors.is_empty() {
        Reply::Page(page)
    } else {
        Reply::Invalid(page)
    })
}

fn form(v: &View<'_>, f: &CalloutForm, errors: &Errors, preview: Option<Markup>) -> Markup {
    let groups: Vec<(String, String)> = crate::domain::callout::PatientGroup::ALL
        .iter()
        .map(|g| (g.code(), g.code()))
        .collect();
    let kinds = super::kind_options(v);
    let previewed = preview.is_some();
    html! {
        section aria-labelledby="new-callout" {
            h2 id="new-callout" { (v.t(MsgId::WebNewCallout)) }
            (super::errors_summary(v, errors))
            @if let Some(p) = preview { (p) }
            form method="post" action="/dashboard/callouts" {
                (v.csrf())
                (select("group", &v.t(MsgId::CalloutAskGroup), &groups, &f.group))
                (select("component", &v.t(MsgId::CalloutAskComponent), &kinds, &f.component))
                (input(
                    "units",
                    &v.t(MsgId::CalloutAskUnits),
                    &f.units,
                    Control::number().required(),
                    errors
                ))
                (input(
                    "hospital",
                    &v.t(MsgId::CalloutAskHospital),
                    &f.hospital,
                    Control::text(200).required(),
                    errors
                ))
                (input(
                    "address",
                    &v.t(MsgId::CalloutAskAddress),
                    &f.address,
                    Control::text(200).required(),
                    errors
                ))
                (select(
                    "province",
                    &v.t(MsgId::CalloutAskProvince),
                    &province_options(),
                    &f.province
                ))
                (input(
                    "deadline",
                    &v.t(MsgId::CalloutAskDeadline),
                    &f.deadline,
                    Control::text(40).required(),
                    errors
                ))
                label for="note" { (v.t(MsgId::CalloutAskNote)) }
                textarea id="note" name="note" maxlength="300" rows="2" { (&f.note) }
                p {
                    button type="submit" name="do" value="preview" { (v.t(MsgId::WebPreview)) }
                    @if previewed {
                        " "
                        button type="submit" name="do" value="start" {
                            (v.t(MsgId::ChoiceCalloutSend))
                        }
                    }
                }
            }
        }
    }
}

/// The form read with the chat's own checks (the same draft and messages).
fn parse_form(
    v: &View<'_>,
    f: &CalloutForm,
) -> Result<crate::domain::callout::CalloutSpec, Errors> {
    let cfg = v.app.config();
    let now = v.app.clock().now();
    let mut draft = CalloutDraft::default();
    let mut errors: Errors = Vec::new();
    let say = |m: &Msg| v.app.catalogue().render(v.lang, m);
    for field in CalloutField::ALL {
        let name = field.code();
        let answer = f.answer(field);
        match field {
            CalloutField::Component => {
                draft.component = DonationKind::from_code(answer);
                if draft.component.is_none() {
                    errors.push(("component", say(&Msg::new(MsgId::ErrorChoice))));
                }
            }
            CalloutField::Province => {
                draft.province = Province::from_code(answer);
                if draft.province.is_none() {
                    errors.push(("province", say(&Msg::new(MsgId::ErrorProvince))));
                }
            }
            CalloutField::Note if answer.is_empty() => draft.note = Some(String::new()),
            _ => {
                if let Err(m) = draft.apply(field, answer, now, cfg.timezone, &cfg.callouts) {
                    errors.push((name, say(&m)));
                }
            }
        }
    }
    match draft.spec() {
        Some(spec) if errors.is_empty() => Ok(spec),
        _ => Err(errors),
    }
}

/// `POST /dashboard/callouts`: preview (`do=preview`) or start (`do=start`).
pub async fn post_callout(v: &View<'_>, f: &CalloutForm) -> anyhow::Result<Reply> {
    let spec = match parse_form(v, f) {
        Ok(s) => s,
        Err(errors) => return render(v, &Fields::new(), f, &errors, None).await,
    };
    if f.step == "start" {
        return Ok(
            match v
                .ask(Request::Callout(CalloutRequest::Start { spec }))
                .await?
            {
                Outcome::Callout(CalloutOutcome::Started { id, asked, .. }) => Reply::Redirect(
                    format!("/dashboard/callouts/{id}?ok=callout-started&n={asked}"),
                ),
                other => not_as_asked(other)?,
            },
        );
    }
    match v
        .ask(Request::Callout(CalloutRequest::Preview { spec }))
        .await?
    {
        Outcome::Callout(CalloutOutcome::Preview {
            spec,
            counts,
            first_wave,
            elsewhere,
        }) => {
            let text = v.app.catalogue().render(
                v.lang,
                &review_msg(
                    v.app.config().timezone,
                    &spec,
                    &counts,
                    first_wave,
                    elsewhere,
                ),
            );
            let preview = html! {
                p class="notice" role="status" id="preview" { @for l in text.lines() { (l) br; } }
            };
            render(v, &Fields::new(), f, &Vec::new(), Some(preview)).await
        }
        other => not_as_asked(other),
    }
}

/// `GET /dashboard/callouts/ID`: the tally (live) and what can be done.
pub async fn callout(v: &View<'_>, id: i64, query: &Fields) -> anyhow::Result<Reply> {
    let (info, pledges) = match v
        .ask(Request::Callout(CalloutRequest::Tally { id }))
        .await?
    {
        Outcome::Callout(CalloutOutcome::Tally { info, pledges }) => (info, pledges),
        Outcome::Callout(CalloutOutcome::NotFound) => return Ok(Reply::NotFound),
        other => return not_as_asked(other),
    };
    let tz = v.app.config().timezone;
    let close = |label: MsgId, status: &str| {
        v.button(
            &format!("/dashboard/callouts/{id}/close"),
            label,
            hidden("status", status),
        )
    };
    let body = html! {
        (v.notice(query))
        h2 { "#" (id) " · " (v.m(&callout_line(tz, &info.spec))) }
        p {
            (info.spec.address) " · "
            (v.m(&Msg::new(MsgId::WebDeadlineAt).str("at", when(v, info.spec.deadline))))
        }
        section id="tally" aria-live="polite" data-live={ "/dashboard/callouts/" (id) "/tally" } {
            (tally(v, &info, &pledges))
        }
        @if info.status == Status::Open {
            // Gone as soon as the live tally says the call-out ended (the page's script).
            div data-while-open {
                h3 { (v.t(MsgId::WebCalloutActions)) }
                form method="post" action={ "/dashboard/callouts/" (id) "/extend" } {
                    (v.csrf())
                    (input(
                        "deadline",
                        &v.t(MsgId::CalloutAskNewDeadline),
                        "",
                        Control::text(40).required(),
                        &[]
                    ))
                    p { button type="submit" { (v.t(MsgId::WebExtend)) } }
                }
                p {
                    (close(MsgId::WebCloseCovered, "fulfilled"))
                    " "
                    (close(MsgId::WebCancelCallout, "cancelled"))
                }
            }
        }
    };
    Ok(Reply::Page(v.page_with(Nav::Callouts, body, true)))
}

/// `GET /dashboard/callouts/ID/tally`: the live part alone.
pub async fn callout_tally(v: &View<'_>, id: i64) -> anyhow::Result<Reply> {
    Ok(
        match v
            .ask(Request::Callout(CalloutRequest::Tally { id }))
            .await?
        {
            Outcome::Callout(CalloutOutcome::Tally { info, pledges }) => {
                Reply::Page(tally(v, &info, &pledges))
            }
            Outcome::Callout(CalloutOutcome::NotFound) => Reply::NotFound,
            other => not_as_asked(other)?,
        },
    )
}

/// Said at the top of the live tally once a call-out has ended (how it ended), marked so the
/// page's script takes the actions away.
fn ended_line(v: &View<'_>, info: &CalloutInfo) -> Markup {
    if info.status == Status::Open {
        return html! {};
    }
    let ending = ending_label(info.ending(&v.app.config().callouts));
    html! {
        p class="notice" role="status" data-ended {
            (v.m(&Msg::new(MsgId::WebCalloutEnded).str("how", v.t(ending))))
        }
    }
}

fn tally(v: &View<'_>, info: &CalloutInfo, pledges: &[Pledge]) -> Markup {
    let policy = &v.app.config().callouts;
    let t = info.total();
    let enough = policy.enough(info.spec.units);
    let pct = if enough == 0 {
        0
    } else {
        (t.pledged * 100 / i64::from(enough)).min(100)
    };
    let open = info.status == Status::Open || info.status == Status::Fulfilled;
    let mark = |p: &Pledge, label: MsgId, donated: &str| {
        v.button(
            &format!("/dashboard/callouts/{}/mark", info.id),
            label,
            html! { (hidden("donor", p.donor_id)) (hidden("donated", donated)) },
        )
    };
    let outcome = |p: &Pledge| match p.outcome {
        Some(PledgeOutcome::Donated) => html! { (v.t(MsgId::WebPledgeDonated)) },
        Some(PledgeOutcome::NoShow) => html! { (v.t(MsgId::WebPledgeNoShow)) },
        None if open => html! {
            (mark(p, MsgId::WebMarkDonated, "1")) " " (mark(p, MsgId::WebMarkNoShow, "0"))
        },
        None => html! {},
    };
    html! {
        (ended_line(v, info))
        p {
            strong { (v.t(ending_label(info.ending(policy)))) }
            " · "
            (v.m(&Msg::new(MsgId::WebDonatedNoShow)
                .num("donated", info.donated as f64)
                .num("noshow", info.no_show as f64)))
        }
        div class="bar ok" role="img" aria-label={ (pct) "%" } {
            span style={ "width:" (pct) "%" } {}
        }
        p id="pledged" {
            (v.m(&Msg::new(MsgId::WebPledgedOf)
                .num("pledged", t.pledged as f64)
                .num("enough", f64::from(enough))
                .num("asked", t.asked as f64)))
        }
        table {
            caption { (v.t(MsgId::WebWavesHead)) }
            (super::numbered_head_row(v, &[
                MsgId::WebColAsked,
                MsgId::WebColPledged,
                MsgId::WebColDeclined,
                MsgId::WebColSilent,
            ]))
            tbody {
                @for (i, w) in info.waves.iter().enumerate() {
                    tr {
                        th scope="row" { (i + 1) }
                        td { (w.asked) }
                        td { (w.pledged) }
                        td { (w.declined) }
                        td { (w.silent()) }
                    }
                }
            }
        }
        @if pledges.is_empty() {
            p { (v.t(MsgId::WebPledgesNone)) }
        } @else {
            table {
                caption { (v.t(MsgId::WebPledgesHead)) }
                (super::head_row(v, &[
                    MsgId::WebColName,
                    MsgId::WebColGroup,
                    MsgId::WebColCode,
                    MsgId::WebColPhone,
                    MsgId::WebColOutcome,
                ]))
                tbody {
                    @for p in pledges {
                        tr {
                            td { (p.name) }
                            td { (p.group) }
                            td { (p.code) }
                            td { @if let Some(phone) = &p.phone { (super::tel_link(phone)) } }
                            td { (outcome(p)) }
                        }
                    }
                }
            }
        }
    }
}

/// `POST /dashboard/callouts/ID/(mark|extend|close)`.
pub async fn post_callout_action(
    v: &View<'_>,
    id: i64,
    action: &str,
    f: &ActionForm,
) -> anyhow::Result<Reply> {
    let request = match action {
        "mark" => {
            let Ok(donor) = f.donor.parse::<i64>() else {
                return Ok(Reply::NotFound);
            };
            CalloutRequest::Mark {
                id,
                donor,
                donated: f.donated == "1",
            }
        }
        "extend" => {
            let cfg = v.app.config();
            let max = i64::from(cfg.callouts.max_deadline_hours);
            match parse_deadline(&f.deadline, v.app.clock().now(), cfg.timezone, max) {
                Ok(t) => CalloutRequest::Extend {
                    id,
                    deadline: t.timestamp_millis(),
                },
                Err(e) => {
                    let id_msg = deadline_error(e, max);
                    let body = html! {
                        p class="error" role="alert" { (v.m(&id_msg)) }
                        p { a href={ "/dashboard/callouts/" (id) } { "#" (id) } }
                    };
                    return Ok(Reply::Invalid(v.page(Nav::Callouts, body)));
                }
            }
        }
        "close" => CalloutRequest::Close {
            id,
            status: match f.status.as_str() {
                "fulfilled" => Status::Fulfilled,
                "cancelled" => Status::Cancelled,
                _ => return Ok(Reply::NotFound),
            },
        },
        _ => return Ok(Reply::NotFound),
    };
    // Extending, closing or cancelling a call-out that has ended (from the chat, or by its
    // deadline, while this page was open) says so.
    if action != "mark" {
        match v
            .ask(Request::Callout(CalloutRequest::Tally { id }))
            .await?
        {
            Outcome::Callout(CalloutOutcome::Tally { info, .. }) if info.status != Status::Open => {
                return Ok(Reply::Redirect(format!(
                    "/dashboard/callouts/{id}?ok=callout-ended"
                )));
            }
            Outcome::Callout(CalloutOutcome::Tally { .. }) => {}
            Outcome::Callout(CalloutOutcome::NotFound) => return Ok(Reply::NotFound),
            other => return not_as_asked(other),
        }
    }
    let notice = if action == "mark" {
        "pledge-marked"
    } else {
        "callout-changed"
    };
    Ok(match v.ask(Request::Callout(request)).await? {
        Outcome::Callout(CalloutOutcome::NotFound) => Reply::NotFound,
        Outcome::Callout(_) => Reply::Redirect(format!("/dashboard/callouts/{id}?ok={notice}")),
        other => not_as_asked(other)?,
    })
}
