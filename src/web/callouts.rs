//! Urgent call-outs on the dashboard: start one after seeing how many donors each widening
//! step reaches, follow its tally live (the part refreshes itself every second) with the
//! pledgers' phones one tap away, mark who gave or did not come, extend, close or cancel.

use super::not_as_asked;
use super::{Errors, Fields, Nav, Reply, View, esc, input, province_options, select, val};
use crate::domain::callout::{CalloutInfo, Pledge, PledgeOutcome, Status, parse_deadline};
use crate::domain::eligibility::DonationKind;
use crate::domain::province::Province;
use crate::engine::callout::{
    CalloutDraft, CalloutField, callout_line, deadline_error, ending_label, review_msg,
};
use crate::engine::{CalloutOutcome, CalloutRequest, Outcome, Request};
use crate::messages::{Msg, MsgId};
use chrono::DateTime;

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
pub async fn open_section(v: &View<'_>) -> anyhow::Result<String> {
    let Outcome::Callout(CalloutOutcome::List(list)) =
        v.ask(Request::Callout(CalloutRequest::List)).await?
    else {
        return Ok(String::new());
    };
    let open: Vec<&CalloutInfo> = list.iter().filter(|c| c.status == Status::Open).collect();
    Ok(format!(
        "<section aria-labelledby=\"open-callouts\"><h2 id=\"open-callouts\">{}</h2>{}</section>",
        v.t(MsgId::WebOpenCallouts),
        list_table(v, &open)
    ))
}

fn list_table(v: &View<'_>, list: &[&CalloutInfo]) -> String {
    if list.is_empty() {
        return format!("<p>{}</p>", v.t(MsgId::WebCalloutsNone));
    }
    let policy = &v.app.config().callouts;
    let tz = v.app.config().timezone;
    let rows: String = list
        .iter()
        .map(|c| {
            let t = c.total();
            format!(
                "<tr><td><a href=\"/dashboard/callouts/{id}\">#{id}</a></td><td>{}</td><td>{}</td>\
                 <td>{} / {}</td><td>{}</td></tr>",
                v.m(&callout_line(tz, &c.spec)),
                v.t(ending_label(c.ending(policy))),
                t.pledged,
                policy.enough(c.spec.units),
                when(v, c.spec.deadline),
                id = c.id
            )
        })
        .collect();
    format!(
        "<table><thead><tr><th scope=\"col\">#</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th>\
         <th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>{rows}</tbody></table>",
        v.t(MsgId::WebColCallout),
        v.t(MsgId::WebColStatus),
        v.t(MsgId::WebColPledged),
        v.t(MsgId::WebColDeadline)
    )
}

/// `GET /dashboard/callouts`: the call-outs and the form to start one.
pub async fn callouts(v: &View<'_>, query: &Fields) -> anyhow::Result<Reply> {
    render(v, query, &Fields::new(), &Vec::new(), "").await
}

async fn render(
    v: &View<'_>,
    query: &Fields,
    values: &Fields,
    errors: &Errors,
    preview: &str,
) -> anyhow::Result<Reply> {
    let out = v.ask(Request::Callout(CalloutRequest::List)).await?;
    let Outcome::Callout(CalloutOutcome::List(list)) = out else {
        return not_as_asked(out);
    };
    let all: Vec<&CalloutInfo> = list.iter().collect();
    let body = format!(
        "{}<h2>{}</h2>{}{}",
        v.notice(query),
        v.t(MsgId::WebNavCallouts),
        list_table(v, &all),
        form(v, values, errors, preview)
    );
    let page = v.page(Nav::Callouts, &body);
    Ok(if errors.is_empty() {
        Reply::Page(page)
    } else {
        Reply::Invalid(page)
    })
}

fn form(v: &View<'_>, f: &Fields, errors: &Errors, preview: &str) -> String {
    let groups: Vec<(String, String)> = crate::domain::callout::PatientGroup::ALL
        .iter()
        .map(|g| (g.code(), g.code()))
        .collect();
    let kinds = super::kind_options(v);
    let summary = super::errors_summary(v, errors);
    let start = if preview.is_empty() {
        String::new()
    } else {
        format!(
            " <button type=\"submit\" name=\"do\" value=\"start\">{}</button>",
            v.t(MsgId::ChoiceCalloutSend)
        )
    };
    format!(
        "<section aria-labelledby=\"new-callout\"><h2 id=\"new-callout\">{}</h2>{summary}{preview}\
         <form method=\"post\" action=\"/dashboard/callouts\">{}{}{}{}{}{}{}{}\
         <label for=\"note\">{}</label><textarea id=\"note\" name=\"note\" maxlength=\"300\" rows=\"2\">{}</textarea>\
         <p><button type=\"submit\" name=\"do\" value=\"preview\">{}</button>{start}</p></form></section>",
        v.t(MsgId::WebNewCallout),
        v.csrf(),
        select(
            "group",
            &v.t(MsgId::CalloutAskGroup),
            &groups,
            val(f, "group")
        ),
        select(
            "component",
            &v.t(MsgId::CalloutAskComponent),
            &kinds,
            val(f, "component")
        ),
        input(
            "units",
            &v.t(MsgId::CalloutAskUnits),
            val(f, "units"),
            "inputmode=\"numeric\" required",
            errors
        ),
        input(
            "hospital",
            &v.t(MsgId::CalloutAskHospital),
            val(f, "hospital"),
            "required maxlength=\"200\"",
            errors
        ),
        input(
            "address",
            &v.t(MsgId::CalloutAskAddress),
            val(f, "address"),
            "required maxlength=\"200\"",
            errors
        ),
        select(
            "province",
            &v.t(MsgId::CalloutAskProvince),
            &province_options(),
            val(f, "province")
        ),
        input(
            "deadline",
            &v.t(MsgId::CalloutAskDeadline),
            val(f, "deadline"),
            "required maxlength=\"40\"",
            errors
        ),
        v.t(MsgId::CalloutAskNote),
        esc(val(f, "note")),
        v.t(MsgId::WebPreview),
    )
}

/// The form read with the chat's own checks (the same draft and messages).
fn parse_form(v: &View<'_>, f: &Fields) -> Result<crate::domain::callout::CalloutSpec, Errors> {
    let cfg = v.app.config();
    let now = v.app.clock().now();
    let mut draft = CalloutDraft::default();
    let mut errors: Errors = Vec::new();
    let say = |m: &Msg| v.app.catalogue().render(v.lang, m);
    for field in CalloutField::ALL {
        let name = field.code();
        match field {
            CalloutField::Component => {
                draft.component = DonationKind::from_code(val(f, name));
                if draft.component.is_none() {
                    errors.push(("component", say(&Msg::new(MsgId::ErrorChoice))));
                }
            }
            CalloutField::Province => {
                draft.province = Province::from_code(val(f, name));
                if draft.province.is_none() {
                    errors.push(("province", say(&Msg::new(MsgId::ErrorProvince))));
                }
            }
            CalloutField::Note if val(f, name).is_empty() => draft.note = Some(String::new()),
            _ => {
                if let Err(m) = draft.apply(field, val(f, name), now, cfg.timezone, &cfg.callouts) {
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
pub async fn post_callout(v: &View<'_>, f: &Fields) -> anyhow::Result<Reply> {
    let spec = match parse_form(v, f) {
        Ok(s) => s,
        Err(errors) => return render(v, &Fields::new(), f, &errors, "").await,
    };
    if val(f, "do") == "start" {
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
        }) => {
            let text = v.app.catalogue().render(
                v.lang,
                &review_msg(v.app.config().timezone, &spec, &counts, first_wave),
            );
            let lines: String = text.lines().map(|l| format!("{}<br>", esc(l))).collect();
            let preview = format!("<p class=\"notice\" role=\"status\" id=\"preview\">{lines}</p>");
            render(v, &Fields::new(), f, &Vec::new(), &preview).await
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
    let actions = if info.status == Status::Open {
        // Gone as soon as the live tally says the call-out ended (the page's script).
        format!(
            "<div data-while-open><h3>{}</h3><form method=\"post\" \
             action=\"/dashboard/callouts/{id}/extend\">{}{}\
             <p><button type=\"submit\">{}</button></p></form><p>{} {}</p></div>",
            v.t(MsgId::WebCalloutActions),
            v.csrf(),
            input(
                "deadline",
                &v.t(MsgId::CalloutAskNewDeadline),
                "",
                "required maxlength=\"40\"",
                &[]
            ),
            v.t(MsgId::WebExtend),
            v.button(
                &format!("/dashboard/callouts/{id}/close"),
                MsgId::WebCloseCovered,
                "<input type=\"hidden\" name=\"status\" value=\"fulfilled\">"
            ),
            v.button(
                &format!("/dashboard/callouts/{id}/close"),
                MsgId::WebCancelCallout,
                "<input type=\"hidden\" name=\"status\" value=\"cancelled\">"
            ),
        )
    } else {
        String::new()
    };
    let body = format!(
        "{}<h2>#{id} · {}</h2><p>{} · {}</p>\
         <section id=\"tally\" aria-live=\"polite\" data-live=\"/dashboard/callouts/{id}/tally\">{}</section>{actions}",
        v.notice(query),
        v.m(&callout_line(tz, &info.spec)),
        esc(&info.spec.address),
        v.m(&Msg::new(MsgId::WebDeadlineAt).str("at", when(v, info.spec.deadline))),
        tally(v, &info, &pledges)
    );
    Ok(Reply::Page(v.page_with(Nav::Callouts, &body, true)))
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
fn ended_line(v: &View<'_>, info: &CalloutInfo) -> String {
    if info.status == Status::Open {
        return String::new();
    }
    let ending = ending_label(info.ending(&v.app.config().callouts));
    format!(
        "<p class=\"notice\" role=\"status\" data-ended>{}</p>",
        v.m(&Msg::new(MsgId::WebCalloutEnded).str("how", v.t(ending)))
    )
}

fn tally(v: &View<'_>, info: &CalloutInfo, pledges: &[Pledge]) -> String {
    let policy = &v.app.config().callouts;
    let t = info.total();
    let enough = policy.enough(info.spec.units);
    let pct = if enough == 0 {
        0
    } else {
        (t.pledged * 100 / i64::from(enough)).min(100)
    };
    let waves: String = info
        .waves
        .iter()
        .enumerate()
        .map(|(i, w)| {
            format!(
                "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                i + 1,
                w.asked,
                w.pledged,
                w.declined,
                w.silent()
            )
        })
        .collect();
    let open = info.status == Status::Open || info.status == Status::Fulfilled;
    let rows: String = pledges
        .iter()
        .map(|p| {
            let phone = p.phone.as_deref().map_or(String::new(), super::tel_link);
            let outcome = match p.outcome {
                Some(PledgeOutcome::Donated) => v.t(MsgId::WebPledgeDonated),
                Some(PledgeOutcome::NoShow) => v.t(MsgId::WebPledgeNoShow),
                None if open => {
                    let hidden = |d: &str| {
                        format!(
                            "<input type=\"hidden\" name=\"donor\" value=\"{}\">\
                             <input type=\"hidden\" name=\"donated\" value=\"{d}\">",
                            p.donor_id
                        )
                    };
                    format!(
                        "{} {}",
                        v.button(
                            &format!("/dashboard/callouts/{}/mark", info.id),
                            MsgId::WebMarkDonated,
                            &hidden("1")
                        ),
                        v.button(
                            &format!("/dashboard/callouts/{}/mark", info.id),
                            MsgId::WebMarkNoShow,
                            &hidden("0")
                        )
                    )
                }
                None => String::new(),
            };
            format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{phone}</td><td>{outcome}</td></tr>",
                esc(&p.name),
                esc(&p.group),
                esc(&p.code)
            )
        })
        .collect();
    let pledges = if pledges.is_empty() {
        format!("<p>{}</p>", v.t(MsgId::WebPledgesNone))
    } else {
        format!(
            "<table><caption>{}</caption><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th>\
             <th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead>\
             <tbody>{rows}</tbody></table>",
            v.t(MsgId::WebPledgesHead),
            v.t(MsgId::WebColName),
            v.t(MsgId::WebColGroup),
            v.t(MsgId::WebColCode),
            v.t(MsgId::WebColPhone),
            v.t(MsgId::WebColOutcome)
        )
    };
    format!(
        "{}<p><strong>{}</strong> · {}</p>\
         <div class=\"bar ok\" role=\"img\" aria-label=\"{pct}%\"><span style=\"width:{pct}%\"></span></div>\
         <p id=\"pledged\">{}</p>\
         <table><caption>{}</caption><thead><tr><th scope=\"col\">#</th><th scope=\"col\">{}</th>\
         <th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead>\
         <tbody>{waves}</tbody></table>{pledges}",
        ended_line(v, info),
        v.t(ending_label(info.ending(policy))),
        v.m(&Msg::new(MsgId::WebDonatedNoShow)
            .num("donated", info.donated as f64)
            .num("noshow", info.no_show as f64)),
        v.m(&Msg::new(MsgId::WebPledgedOf)
            .num("pledged", t.pledged as f64)
            .num("enough", f64::from(enough))
            .num("asked", t.asked as f64)),
        v.t(MsgId::WebWavesHead),
        v.t(MsgId::WebColAsked),
        v.t(MsgId::WebColPledged),
        v.t(MsgId::WebColDeclined),
        v.t(MsgId::WebColSilent),
    )
}

/// `POST /dashboard/callouts/ID/(mark|extend|close)`.
pub async fn post_callout_action(
    v: &View<'_>,
    id: i64,
    action: &str,
    f: &Fields,
) -> anyhow::Result<Reply> {
    let request = match action {
        "mark" => {
            let Ok(donor) = val(f, "donor").parse::<i64>() else {
                return Ok(Reply::NotFound);
            };
            CalloutRequest::Mark {
                id,
                donor,
                donated: val(f, "donated") == "1",
            }
        }
        "extend" => {
            let cfg = v.app.config();
            let max = i64::from(cfg.callouts.max_deadline_hours);
            match parse_deadline(val(f, "deadline"), v.app.clock().now(), cfg.timezone, max) {
                Ok(t) => CalloutRequest::Extend {
                    id,
                    deadline: t.timestamp_millis(),
                },
                Err(e) => {
                    let id_msg = deadline_error(e, max);
                    let body = format!(
                        "<p class=\"error\" role=\"alert\">{}</p><p><a href=\"/dashboard/callouts/{id}\">#{id}</a></p>",
                        v.m(&id_msg)
                    );
                    return Ok(Reply::Invalid(v.page(Nav::Callouts, &body)));
                }
            }
        }
        "close" => CalloutRequest::Close {
            id,
            status: match val(f, "status") {
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
