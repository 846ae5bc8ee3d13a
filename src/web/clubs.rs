//! A leader's pages: the clubs they lead, each club's members (a page at a time, phones
//! masked as in chat), and writing a broadcast — to their own clubs, or, for staff, to a
//! province, a blood group or everyone. The broadcast is previewed (who it reaches, what
//! they will see, how many sends are left today) before Send; Send carries a one-time key,
//! so pressing it twice, or posting the form again after a lost answer, sends once.

use super::not_as_asked;
use super::{
    Control, Errors, Fields, Nav, Reply, View, error_note, errors_summary, field_error, hidden,
    province_options, val,
};
use crate::app::dashboard::new_token;
use crate::domain::blood::BloodGroup;
use crate::domain::callout::PatientGroup;
use crate::domain::club::{Audience, ClubInfo, MAX_ANNOUNCEMENT_CHARS, parse_announcement};
use crate::domain::province::Province;
use crate::engine::{
    ClubItem, ClubOutcome, ClubRequest, Outcome, Request, Wide, audience_label, kind_label,
};
use crate::messages::{Msg, MsgId};
use maud::{Markup, html};

/// The compose form's fields: who to (`club:12`, `province:HP`, `blood:O-`, `all`), the
/// text, the button pressed (`preview`, `send`, `edit`) and, to send, the preview's key.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct ComposeForm {
    to: String,
    text: String,
    action: String,
    key: String,
}

/// A search of a club's members, by name or phone.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct SearchForm {
    q: String,
}

/// Members shown on one page of a club.
const MEMBERS_PER_PAGE: usize = 100;

/// `GET /dashboard/clubs`: the clubs the account leads, with their members and invite codes.
pub async fn clubs(v: &View<'_>, query: &Fields) -> anyhow::Result<Reply> {
    let out = v.ask(Request::Club(ClubRequest::MyClubs)).await?;
    let Outcome::Club(ClubOutcome::Clubs(list)) = out else {
        return not_as_asked(out);
    };
    let led: Vec<&ClubInfo> = list.iter().filter(|c| c.leader).collect();
    let body = html! {
        (v.notice(query))
        h2 { (v.t(MsgId::WebNavClubs)) }
        @if led.is_empty() {
            p { (v.t(MsgId::WebClubsNone)) }
        } @else {
            table {
                thead {
                    tr {
                        th scope="col" { (v.t(MsgId::WebColClub)) }
                        th scope="col" { (v.t(MsgId::WebColKind)) }
                        th scope="col" { (v.t(MsgId::WebColMembers)) }
                        th scope="col" { (v.t(MsgId::WebColInvite)) }
                        th scope="col" {}
                    }
                }
                tbody {
                    @for c in &led {
                        tr {
                            td { a href={ "/dashboard/clubs/" (c.id) } { (c.name) } }
                            td { (v.t(kind_label(c.kind))) }
                            td { (c.members) }
                            td { code { (c.invite_code) } }
                            td {
                                a href={ "/dashboard/broadcasts/new?to=club:" (c.id) } {
                                    (v.t(MsgId::WebWriteToClub))
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(Reply::Page(v.page(Nav::Clubs, body)))
}

/// `GET /dashboard/clubs/ID?page=N`: a club's members, for its leaders, a page at a time,
/// with a form to go to a page by number and one to search (by POST, so a phone searched
/// for stays out of the address and the logs).
pub async fn club(v: &View<'_>, id: i64, query: &Fields) -> anyhow::Result<Reply> {
    member_page(v, id, val(query, "page"), None).await
}

/// `POST /dashboard/clubs/ID`: the members a search by name or phone finds.
pub async fn post_club(v: &View<'_>, id: i64, form: &SearchForm) -> anyhow::Result<Reply> {
    let q = form.q.as_str();
    if q.is_empty() {
        return member_page(v, id, "1", None).await;
    }
    member_page(v, id, "1", Some(q)).await
}

async fn member_page(
    v: &View<'_>,
    id: i64,
    page: &str,
    search: Option<&str>,
) -> anyhow::Result<Reply> {
    let (name, members, query) = match v
        .ask(Request::Club(ClubRequest::Members {
            id,
            page: 0,
            query: search.map(str::to_string),
        }))
        .await?
    {
        Outcome::Club(ClubOutcome::Members {
            name,
            members,
            query,
            ..
        }) => (name, members, query),
        other => return not_as_asked(other),
    };
    let pages = members.len().div_ceil(MEMBERS_PER_PAGE).max(1);
    // A search shows its first page; a page past the last shows the last.
    let page = page.trim().parse::<usize>().unwrap_or(1).clamp(1, pages);
    let first = (page - 1) * MEMBERS_PER_PAGE;
    let shown = members
        .iter()
        .enumerate()
        .skip(first)
        .take(MEMBERS_PER_PAGE);
    let (pager, goto) = pager(v, id, page, pages, query.is_some());
    let heading = match &query {
        Some(_) => name,
        None => v.m(&Msg::new(MsgId::WebClubMembers)
            .str("club", name)
            .num("count", members.len() as f64)),
    };
    let body = html! {
        h2 { (heading) }
        p {
            a href={ "/dashboard/broadcasts/new?to=club:" (id) } { (v.t(MsgId::WebWriteToClub)) }
        }
        form method="post" action={ "/dashboard/clubs/" (id) } role="search" {
            (v.csrf())
            (super::input(
                "q",
                &v.t(MsgId::WebMembersSearch),
                query.as_deref().unwrap_or(""),
                Control::search(60),
                &[],
            ))
            p {
                button type="submit" { (v.t(MsgId::WebFind)) }
                @if query.is_some() {
                    " "
                    a href={ "/dashboard/clubs/" (id) } { (v.t(MsgId::WebMembersAll)) }
                }
            }
        }
        (found(v, query.as_deref(), members.len(), pages))
        @if !members.is_empty() {
            table {
                (super::numbered_head_row(v, &[
                    MsgId::WebColName,
                    MsgId::WebColGroup,
                    MsgId::WebColPhone,
                ]))
                tbody {
                    @for (i, m) in shown {
                        tr {
                            td { (i + 1) }
                            td {
                                (m.name)
                                @if m.leader { " (" (v.t(MsgId::WebClubLeader)) ")" }
                            }
                            td { (m.blood_group.as_deref().unwrap_or("")) }
                            td { (m.phone_masked.as_deref().unwrap_or("")) }
                        }
                    }
                }
            }
            p class="langs" { (pager) }
            (goto)
        }
    };
    Ok(Reply::Page(v.page(Nav::Clubs, body)))
}

/// The pages of a club's members: previous, "page N of M", next, and a form to go to a page
/// by number (the whole list only: a search's results beyond its first page are narrowed
/// by typing more).
fn pager(v: &View<'_>, id: i64, page: usize, pages: usize, searching: bool) -> (Markup, Markup) {
    let link = |p: usize, label: MsgId| {
        html! { a href={ "/dashboard/clubs/" (id) "?page=" (p) } { (v.t(label)) } }
    };
    let pager = html! {
        @if !searching && page > 1 { (link(page - 1, MsgId::WebPrevPage)) " · " }
        (v.m(&Msg::new(MsgId::WebPageOf)
            .num("page", page as f64)
            .num("pages", pages as f64)))
        @if !searching && page < pages { " · " (link(page + 1, MsgId::WebNextPage)) }
    };
    let goto = html! {
        @if !searching && pages > 2 {
            form method="get" action={ "/dashboard/clubs/" (id) } class="inline" {
                label for="page" class="inline" { (v.t(MsgId::WebGoToPage)) }
                " "
                input id="page" name="page" type="number" min="1" max=(pages) inputmode="numeric"
                    size="4" value=(page);
                " "
                button type="submit" { (v.t(MsgId::WebGo)) }
            }
        }
    };
    (pager, goto)
}

/// What a search of the members found (nothing, when not searching).
fn found(v: &View<'_>, query: Option<&str>, count: usize, pages: usize) -> Markup {
    match query {
        Some(q) if count == 0 => html! {
            p role="status" {
                (v.m(&Msg::new(MsgId::WebMembersNoneFound).str("query", q.to_string())))
            }
        },
        Some(q) => html! {
            p role="status" {
                (v.m(&Msg::new(MsgId::WebMembersFound)
                    .str("query", q.to_string())
                    .num("count", count as f64)))
                @if pages > 1 {
                    " "
                    (v.m(&Msg::new(MsgId::WebMembersNarrow).num("n", MEMBERS_PER_PAGE as f64)))
                }
            }
        },
        None => html! {},
    }
}

/// Who the account may write to, as the chat offers it.
async fn options(v: &View<'_>) -> anyhow::Result<Option<(Vec<ClubItem>, Wide)>> {
    Ok(
        match v.ask(Request::Club(ClubRequest::BroadcastOptions)).await? {
            Outcome::Club(ClubOutcome::BroadcastOptions { clubs, wide }) => Some((clubs, wide)),
            _ => None,
        },
    )
}

/// A form's `to` (`club:12`, `province:HP`, `blood:O-`, `all`) among the account's options.
fn audience(to: &str, clubs: &[ClubItem], wide: &Wide) -> Option<Audience> {
    match to.split_once(':') {
        Some(("club", id)) => {
            let id = id.parse::<i64>().ok()?;
            clubs.iter().find(|c| c.id == id).map(|c| Audience::Club {
                id: c.id,
                name: c.name.clone(),
            })
        }
        Some(("province", code)) => Province::from_code(code)
            .filter(|p| wide.province(*p))
            .map(Audience::province),
        Some(("blood", code)) if *wide == Wide::Nation => BloodGroup::from_code(code)
            .filter(|g| !g.is_unknown() && g.abo.is_some() && g.rh.is_some())
            .map(Audience::blood),
        None if *wide == Wide::Nation && to == "all" => Some(Audience::All),
        _ => None,
    }
}

/// The compose form, `f` holding what was typed, with its errors.
fn form(v: &View<'_>, clubs: &[ClubItem], wide: &Wide, f: &ComposeForm, errors: &Errors) -> Markup {
    let chosen = f.to.as_str();
    let clubs: Vec<(String, String)> = clubs
        .iter()
        .map(|c| (format!("club:{}", c.id), c.name.clone()))
        .collect();
    let provinces: Vec<(String, String)> = province_options()
        .into_iter()
        .filter(|(code, _)| Province::from_code(code).is_some_and(|p| wide.province(p)))
        .map(|(code, name)| (format!("province:{code}"), name))
        .collect();
    let nation = *wide == Wide::Nation;
    let groups: Vec<(String, String)> = PatientGroup::ALL
        .iter()
        .map(|g| (format!("blood:{}", g.code()), g.code()))
        .collect();
    let all = [("all".to_string(), v.t(MsgId::ChoiceAudienceAll))];
    let (to_error, text_error) = (field_error("to", errors), field_error("text", errors));
    html! {
        (errors_summary(v, errors))
        form method="post" action="/dashboard/broadcasts/new" {
            (v.csrf())
            (hidden("action", "preview"))
            label for="to" { (v.t(MsgId::WebFieldAudience)) }
            select id="to" name="to" aria-invalid=[to_error.map(|_| "true")]
                aria-describedby=[to_error.map(|_| "to-error")] {
                @if !clubs.is_empty() {
                    optgroup label=(v.t(MsgId::WebNavClubs)) { (super::options_of(&clubs, chosen)) }
                }
                @if nation {
                    (super::options_of(&all, chosen))
                }
                @if !provinces.is_empty() {
                    optgroup label=(v.t(MsgId::ChoiceAudienceProvince)) {
                        (super::options_of(&provinces, chosen))
                    }
                }
                @if nation {
                    optgroup label=(v.t(MsgId::ChoiceAudienceBlood)) {
                        (super::options_of(&groups, chosen))
                    }
                }
            }
            (error_note("to", to_error))
            label for="text" {
                (v.m(&Msg::new(MsgId::WebFieldText).num("max", MAX_ANNOUNCEMENT_CHARS as f64)))
            }
            textarea id="text" name="text" rows="8" cols="60" maxlength=(MAX_ANNOUNCEMENT_CHARS)
                required aria-invalid=[text_error.map(|_| "true")]
                aria-describedby=[text_error.map(|_| "text-error")] { (f.text) }
            (error_note("text", text_error))
            p { button type="submit" { (v.t(MsgId::WebPreviewBroadcast)) } }
        }
    }
}

fn compose_page(v: &View<'_>, inner: Markup) -> Markup {
    v.page(
        Nav::Broadcasts,
        html! { h2 { (v.t(MsgId::WebCompose)) } (inner) },
    )
}

/// `GET /dashboard/broadcasts/new?to=club:12`: the compose form.
pub async fn compose_broadcast(v: &View<'_>, query: &Fields) -> anyhow::Result<Reply> {
    let Some((clubs, wide)) = options(v).await? else {
        return Ok(Reply::Refused);
    };
    let f = ComposeForm {
        to: val(query, "to").to_string(),
        ..ComposeForm::default()
    };
    Ok(Reply::Page(compose_page(
        v,
        form(v, &clubs, &wide, &f, &Errors::new()),
    )))
}

/// `POST /dashboard/broadcasts/new`: `action=preview` shows who it reaches and what they
/// will read; `action=send` (with the preview's one-time key) sends it; `action=edit` goes
/// back to the form with the text kept.
pub async fn post_compose(v: &View<'_>, posted: &ComposeForm) -> anyhow::Result<Reply> {
    let Some((clubs, wide)) = options(v).await? else {
        return Ok(Reply::Refused);
    };
    // Browsers send a textarea's line breaks as CRLF; the chat's are LF.
    let f = &ComposeForm {
        text: posted.text.replace("\r\n", "\n"),
        ..posted.clone()
    };
    let say = |m: &Msg| v.app.catalogue().render(v.lang, m);
    let invalid = |errors: Errors| {
        Ok(Reply::Invalid(compose_page(
            v,
            form(v, &clubs, &wide, f, &errors),
        )))
    };
    let mut errors = Errors::new();
    let to = audience(&f.to, &clubs, &wide);
    if to.is_none() {
        errors.push(("to", say(&Msg::new(MsgId::WebErrorAudience))));
    }
    let text = match parse_announcement(&f.text) {
        Ok(t) => Some(t),
        Err(n) => {
            errors.push((
                "text",
                say(&Msg::new(MsgId::ErrorAnnouncementLength)
                    .num("max", MAX_ANNOUNCEMENT_CHARS as f64)
                    .num("count", n as f64)),
            ));
            None
        }
    };
    let (Some(to), Some(text)) = (to, text) else {
        return invalid(errors);
    };
    if f.action == "edit" {
        return Ok(Reply::Page(compose_page(
            v,
            form(v, &clubs, &wide, f, &Errors::new()),
        )));
    }
    let cap = v.app.config().broadcast.daily_cap;
    let request = if f.action == "send" {
        let key = f.key.as_str();
        if key.len() != 64 || !key.bytes().all(|b| b.is_ascii_hexdigit()) {
            return invalid(Errors::new());
        }
        ClubRequest::SendBroadcast {
            audience: to,
            text,
            form_key: Some(key.to_string()),
        }
    } else {
        ClubRequest::PreviewBroadcast { audience: to, text }
    };
    match v.ask(Request::Club(request)).await? {
        Outcome::Club(ClubOutcome::Preview {
            audience,
            text,
            count,
            left,
        }) => Ok(Reply::Page(compose_page(
            v,
            preview(v, &audience, &text, count, left)?,
        ))),
        Outcome::Club(ClubOutcome::BroadcastQueued {
            count, held_until, ..
        }) => {
            let ok = if held_until.is_some() {
                "broadcast-held"
            } else {
                "broadcast-queued"
            };
            Ok(Reply::Redirect(format!(
                "/dashboard/broadcasts?ok={ok}&n={count}"
            )))
        }
        Outcome::Club(ClubOutcome::NoRecipients) => {
            invalid(vec![("to", say(&Msg::new(MsgId::BroadcastNobody)))])
        }
        Outcome::Club(ClubOutcome::CapReached) => invalid(vec![(
            "to",
            say(&Msg::new(MsgId::BroadcastCap).num("cap", f64::from(cap))),
        )]),
        other => not_as_asked(other),
    }
}

/// What the recipients will read, how many they are, and the Send and Rewrite buttons.
fn preview(
    v: &View<'_>,
    audience: &Audience,
    text: &str,
    count: i64,
    left: u32,
) -> anyhow::Result<Markup> {
    let seen = match audience {
        Audience::Club { name, .. } => Msg::new(MsgId::BroadcastFromClub)
            .str("club", name.clone())
            .str("text", text),
        _ => Msg::new(MsgId::BroadcastFromOrg)
            .str("org", v.app.config().org_name.clone())
            .str("text", text),
    };
    let key = new_token()?;
    let again = |action: &str, label: MsgId, key: Option<&str>| {
        html! {
            form method="post" action="/dashboard/broadcasts/new" class="inline" {
                (v.csrf())
                (hidden("action", action))
                (hidden("to", audience.key()))
                (hidden("text", text))
                @if let Some(k) = key { (hidden("key", k)) }
                button type="submit" { (v.t(label)) }
            }
        }
    };
    Ok(html! {
        h3 { (v.m(&audience_label(audience))) }
        p { (v.t(MsgId::WebBroadcastSeenAs)) }
        blockquote class="msg" { (v.m(&seen)) }
        p {
            strong {
                (v.m(&Msg::new(MsgId::WebBroadcastReach)
                    .num("count", count as f64)
                    .num("left", f64::from(left))))
            }
        }
        (again("send", MsgId::ChoiceSend, Some(&key)))
        " "
        (again("edit", MsgId::ChoiceRewrite, None))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clubs() -> Vec<ClubItem> {
        vec![ClubItem {
            id: 12,
            name: "CLB Hàng Hải".into(),
        }]
    }

    #[test]
    fn a_forms_recipients_are_only_among_the_accounts_options() {
        let c = clubs();
        assert_eq!(
            audience("club:12", &c, &Wide::No),
            Some(Audience::Club {
                id: 12,
                name: "CLB Hàng Hải".into()
            })
        );
        // Wide audiences only for staff; the club by its id, not a name typed in.
        for to in ["all", "province:hai-phong", "blood:O-"] {
            assert_eq!(audience(to, &c, &Wide::No), None, "{to}");
            assert!(audience(to, &c, &Wide::Nation).is_some(), "{to}");
        }
        // Staff of a province: their province only, no blood group, not everyone.
        let hp = Province::from_code("hai-phong").unwrap();
        let provincial = Wide::Provinces(vec![hp]);
        assert!(audience("province:hai-phong", &c, &provincial).is_some());
        for to in ["all", "province:quang-ninh", "blood:O-"] {
            assert_eq!(audience(to, &c, &provincial), None, "{to}");
        }
        for wrong in [
            "",
            "club:13",
            "club:",
            "club:12x",
            "club:-1",
            "club:99999999999999999999",
            "province:",
            "province:atlantis",
            "blood:O",
            "blood:?",
            "blood:AB",
            "blood:X+",
            "all:",
            "ALL",
            "everyone",
            ":",
            "club:12:1",
        ] {
            assert_eq!(audience(wrong, &c, &Wide::Nation), None, "{wrong:?}");
        }
    }
}
