//! Campaigns' drives on the dashboard: the month as a table and a calendar, a new drive by
//! form (the chat's checks, errors by field, donors told of a change as in chat), a drive's
//! sign-ups with phones for staff, and cancelling it (its donors told).

use super::not_as_asked;
use super::{Control, Errors, Fields, Nav, Reply, View, input, province_options, select, val};
use crate::domain::dates::format_vn;
use crate::domain::drive::{
    DriveInfo, DriveInput, DriveSpec, TimeWindow, local_window, parse_count, parse_place,
    parse_upcoming_day,
};
use crate::domain::province::Province;
use crate::engine::drive::DriveDraft;
use crate::engine::{DriveOutcome, DriveRequest, Item, Outcome, Request};
use crate::messages::{Msg, MsgId};
use chrono::{Datelike, NaiveDate};
use maud::{Markup, html};

/// The drive form's fields, as posted (and shown again with its errors, or filled in from
/// the drive to edit).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct DriveForm {
    campaign: String,
    place: String,
    province: String,
    commune: String,
    date: String,
    start: String,
    end: String,
    capacity: String,
    target: String,
}

/// The month asked for (`?month=2026-12`), else this one.
fn month_of(query: &Fields, today: NaiveDate) -> (i32, u32) {
    val(query, "month")
        .split_once('-')
        .and_then(|(y, m)| Some((y.parse::<i32>().ok()?, m.parse::<u32>().ok()?)))
        .filter(|(y, m)| (2000..=2100).contains(y) && (1..=12).contains(m))
        .unwrap_or((today.year(), today.month()))
}

fn today(v: &View<'_>) -> NaiveDate {
    v.app
        .clock()
        .now()
        .with_timezone(&v.app.config().timezone)
        .date_naive()
}

/// `GET /dashboard/drives`: the month's drives and the form for a new one.
pub async fn drives(v: &View<'_>, query: &Fields) -> anyhow::Result<Reply> {
    render(v, query, &DriveForm::default(), &Vec::new()).await
}

async fn render(
    v: &View<'_>,
    query: &Fields,
    values: &DriveForm,
    errors: &Errors,
) -> anyhow::Result<Reply> {
    let (year, month) = month_of(query, today(v));
    let out = v
        .ask(Request::Drive(DriveRequest::Month { year, month }))
        .await?;
    let Outcome::Drive(DriveOutcome::List { drives, .. }) = out else {
        return not_as_asked(out);
    };
    let out = v
        .ask(Request::Drive(DriveRequest::DriveForm { edit: None }))
        .await?;
    let Outcome::Drive(DriveOutcome::DriveForm { campaigns, .. }) = out else {
        return not_as_asked(out);
    };
    // A new drive is most likely in the province of this month's others.
    let mut values = values.clone();
    if values.province.is_empty()
        && let Some(d) = drives.first()
    {
        values.province = d.province.clone();
    }
    let body = html! {
        (v.notice(query))
        h2 {
            (v.m(&Msg::new(MsgId::WebMonthHead)
                .num("month", f64::from(month))
                .num("year", f64::from(year))))
        }
        (month_links(year, month))
        (calendar(v, year, month, &drives))
        (table(v, &drives))
        (form(v, &campaigns, &values, errors, None))
        (super::uploads::section(v, super::uploads::UploadKind::Calendar))
    };
    let page = v.page(Nav::Drives, body);
    Ok(if errors.is_empty() {
        Reply::Page(page)
    } else {
        Reply::Invalid(page)
    })
}

fn month_links(year: i32, month: u32) -> Markup {
    let prev = if month == 1 {
        (year - 1, 12)
    } else {
        (year, month - 1)
    };
    let next = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    let link = |(y, m): (i32, u32)| format!("/dashboard/drives?month={y}-{m:02}");
    html! {
        p {
            a href=(link(prev)) rel="prev" { (format!("← {:02}/{}", prev.1, prev.0)) }
            " · "
            a href=(link(next)) rel="next" { (format!("{:02}/{} →", next.1, next.0)) }
        }
    }
}

/// The month as a grid of weeks (Monday first), each day with its drives' places.
fn calendar(v: &View<'_>, year: i32, month: u32, drives: &[DriveInfo]) -> Markup {
    let Some(first) = NaiveDate::from_ymd_opt(year, month, 1) else {
        return html! {};
    };
    let tz = v.app.config().timezone;
    let days = first
        .iter_days()
        .take_while(|d| d.month() == month)
        .map(|day| {
            let here = drives
                .iter()
                .filter(move |d| local_window(d.starts_at, d.ends_at, tz).0 == day);
            (day, here)
        });
    html! {
        div class="cal" role="presentation" {
            @for wd in 1..=7 {
                div aria-hidden="true" {
                    strong { (v.m(&Msg::new(MsgId::WebWeekdayShort).num("n", f64::from(wd)))) }
                }
            }
            @for _ in 1..first.weekday().number_from_monday() { div {} }
            @for (day, here) in days {
                div {
                    (day.day())
                    @for d in here {
                        br;
                        a href={ "/dashboard/drives/" (d.id) } {
                            (d.place.chars().take(24).collect::<String>())
                        }
                    }
                }
            }
        }
    }
}

fn table(v: &View<'_>, drives: &[DriveInfo]) -> Markup {
    if drives.is_empty() {
        return html! { p { (v.t(MsgId::WebMonthNone)) } };
    }
    let tz = v.app.config().timezone;
    html! {
        table {
            caption { (v.t(MsgId::WebDrivesTable)) }
            (super::head_row(v, &[
                MsgId::WebColWhen,
                MsgId::WebColPlace,
                MsgId::WebColProvince,
                MsgId::WebColCampaign,
                MsgId::WebColSignups,
            ]))
            tbody {
                @for d in drives {
                    @let (day, w) = local_window(d.starts_at, d.ends_at, tz);
                    tr {
                        td { (format_vn(day)) " " (w.label()) }
                        td { a href={ "/dashboard/drives/" (d.id) } { (d.place) } }
                        td { (d.province_name()) }
                        td { (d.campaign.as_deref().unwrap_or("—")) }
                        td { (d.taken) " / " (d.capacity) }
                    }
                }
            }
        }
    }
}

/// The drive form: a new drive, or (`edit`: its id and what the form says of its slots) an
/// existing one.
fn form(
    v: &View<'_>,
    campaigns: &[Item],
    f: &DriveForm,
    errors: &Errors,
    edit: Option<(i64, Markup)>,
) -> Markup {
    let mut options = vec![(
        String::new(),
        v.app
            .catalogue()
            .render(v.lang, &Msg::new(MsgId::WebNoCampaign)),
    )];
    options.extend(
        campaigns
            .iter()
            .map(|c| (c.id.to_string(), c.label.clone())),
    );
    let (title, action, slots) = match edit {
        None => (
            v.t(MsgId::WebNewDrive),
            "/dashboard/drives".to_string(),
            html! {},
        ),
        Some((id, slots)) => (
            v.t(MsgId::WebEditDrive),
            format!("/dashboard/drives/{id}/edit"),
            slots,
        ),
    };
    html! {
        section aria-labelledby="new-drive" {
            h2 id="new-drive" { (title) }
            (super::errors_summary(v, errors))
            (slots)
            form method="post" action=(action) {
                (v.csrf())
                (select("campaign", &v.t(MsgId::WebColCampaign), &options, &f.campaign))
                (input(
                    "place",
                    &v.t(MsgId::WebColPlace),
                    &f.place,
                    Control::text(200).required(),
                    errors
                ))
                (select(
                    "province",
                    &v.t(MsgId::WebColProvince),
                    &province_options(),
                    &f.province
                ))
                (input(
                    "commune",
                    &v.t(MsgId::WebFieldCommune),
                    &f.commune,
                    Control::text(100),
                    errors
                ))
                (input("date", &v.t(MsgId::WebFieldDate), &f.date, Control::date().required(), errors))
                (input("start", &v.t(MsgId::WebFieldStart), &f.start, Control::time().required(), errors))
                (input("end", &v.t(MsgId::WebFieldEnd), &f.end, Control::time().required(), errors))
                (input(
                    "capacity",
                    &v.t(MsgId::WebFieldCapacity),
                    &f.capacity,
                    Control::number().required(),
                    errors
                ))
                (input("target", &v.t(MsgId::WebFieldTarget), &f.target, Control::number(), errors))
                p { button type="submit" { (v.t(MsgId::WebSaveDrive)) } }
            }
        }
    }
}

/// The form read with the chat's own checks: a drive to save, or the errors by field.
pub fn parse_form(
    f: &DriveForm,
    today: NaiveDate,
    campaigns: &[Item],
    periods: &[(i64, NaiveDate, NaiveDate)],
) -> Result<DriveInput, Vec<(&'static str, Msg)>> {
    let mut errors: Vec<(&'static str, Msg)> = Vec::new();
    let campaign = match f.campaign.as_str() {
        "" => None,
        c => match campaigns.iter().find(|i| i.id.to_string() == c) {
            Some(i) => Some(i.id),
            None => {
                errors.push(("campaign", Msg::new(MsgId::ErrorChoice)));
                None
            }
        },
    };
    let place = parse_place(&f.place);
    if place.is_none() {
        errors.push(("place", Msg::new(MsgId::DriveBadPlace)));
    }
    let province = Province::from_code(&f.province);
    if province.is_none() {
        errors.push(("province", Msg::new(MsgId::ErrorProvince)));
    }
    let commune = match f.commune.as_str() {
        "" => Some(String::new()),
        c => crate::domain::donor::parse_commune(c).ok(),
    };
    if commune.is_none() {
        errors.push(("commune", Msg::new(MsgId::DriveBadPlace)));
    }
    let date = parse_upcoming_day(&f.date, today);
    match (date, campaign) {
        (None, _) => errors.push(("date", Msg::new(MsgId::DriveBadDate))),
        // Outside its campaign: said now, with the other errors, not at a second submit.
        (Some(d), Some(c)) => {
            if let Some((_, from, to)) = periods.iter().find(|p| p.0 == c)
                && (d < *from || d > *to)
            {
                let name = campaigns
                    .iter()
                    .find(|i| i.id == c)
                    .map_or(String::new(), |i| i.label.clone());
                errors.push(("date", outside_msg(d, name, *from, *to)));
            }
        }
        (Some(_), None) => {}
    }
    let window = TimeWindow::parse(&format!("{}-{}", &f.start, &f.end));
    if window.is_none() {
        // Both hours given, the end not after the start: say that, not that one is missing.
        let times = (
            crate::domain::drive::parse_time(&f.start),
            crate::domain::drive::parse_time(&f.end),
        );
        errors.push((
            "end",
            match times {
                (Some(start), Some(end)) => Msg::new(MsgId::WebDriveEndBeforeStart)
                    .str("start", start.format("%H:%M").to_string())
                    .str("end", end.format("%H:%M").to_string()),
                _ => Msg::new(MsgId::DriveBadTime),
            },
        ));
    }
    let capacity = parse_count(&f.capacity).filter(|n| *n <= 100_000);
    if capacity.is_none() {
        errors.push(("capacity", Msg::new(MsgId::DriveBadCount)));
    }
    let target = match f.target.as_str() {
        "" => Some(None),
        t => parse_count(t).map(Some),
    };
    if target.is_none() {
        errors.push(("target", Msg::new(MsgId::DriveBadCount)));
    }
    match (place, province, commune, date, window, capacity, target) {
        (
            Some(place),
            Some(province),
            Some(commune),
            Some(date),
            Some(window),
            Some(capacity),
            Some(target_units),
        ) if errors.is_empty() => Ok(DriveInput {
            id: None,
            campaign,
            spec: DriveSpec {
                place,
                province,
                commune,
                date,
                window,
                capacity,
                target_units,
                slots: Vec::new(),
                unit: None,
            },
        }),
        _ => Err(errors),
    }
}

/// The date field's error for a drive outside its campaign's days.
fn outside_campaign(
    v: &View<'_>,
    date: NaiveDate,
    name: String,
    from: NaiveDate,
    to: NaiveDate,
) -> String {
    v.app
        .catalogue()
        .render(v.lang, &outside_msg(date, name, from, to))
}

/// The form's words for it (the chat's point to its own review step).
fn outside_msg(date: NaiveDate, name: String, from: NaiveDate, to: NaiveDate) -> Msg {
    Msg::new(MsgId::WebDriveOutsideCampaign)
        .str("date", format_vn(date))
        .str("campaign", name)
        .str("from", format_vn(from))
        .str("to", format_vn(to))
}

/// `POST /dashboard/drives`: save a new drive, or show the form again with its errors.
pub async fn post_drive(v: &View<'_>, f: &DriveForm) -> anyhow::Result<Reply> {
    let out = v
        .ask(Request::Drive(DriveRequest::DriveForm { edit: None }))
        .await?;
    let Outcome::Drive(DriveOutcome::DriveForm {
        campaigns, periods, ..
    }) = out
    else {
        return not_as_asked(out);
    };
    let say = |m: Msg| v.app.catalogue().render(v.lang, &m);
    let input = match parse_form(f, today(v), &campaigns, &periods) {
        Ok(i) => i,
        Err(errors) => {
            let errors: Errors = errors.into_iter().map(|(k, m)| (k, say(m))).collect();
            return render(v, &Fields::new(), f, &errors).await;
        }
    };
    let date = input.spec.date;
    let month = format!("{}-{:02}", date.year(), date.month());
    match v
        .ask(Request::Drive(DriveRequest::SaveDrive { input }))
        .await?
    {
        Outcome::Drive(DriveOutcome::DriveSaved { .. }) => Ok(Reply::Redirect(format!(
            "/dashboard/drives?month={month}&ok=drive-saved"
        ))),
        Outcome::Drive(DriveOutcome::OutsideCampaign { name, from, to }) => {
            let e = outside_campaign(v, date, name, from, to);
            render(v, &Fields::new(), f, &vec![("date", e)]).await
        }
        other => not_as_asked(other),
    }
}

/// A drive's form, read back (the chat's `edit` draft), with its campaign offered even when
/// it is not among the open ones; `None` when there is no such drive.
type Periods = Vec<(i64, NaiveDate, NaiveDate)>;

async fn edit_form(
    v: &View<'_>,
    id: i64,
) -> anyhow::Result<Option<(DriveDraft, Vec<Item>, Periods)>> {
    match v
        .ask(Request::Drive(DriveRequest::DriveForm { edit: Some(id) }))
        .await?
    {
        Outcome::Drive(DriveOutcome::DriveForm {
            draft,
            mut campaigns,
            periods,
        }) => {
            if let (Some(Some(c)), Some(name)) = (draft.campaign, &draft.campaign_name)
                && !campaigns.iter().any(|i| i.id == c)
            {
                campaigns.push(Item {
                    id: c,
                    label: name.clone(),
                });
            }
            Ok(Some((draft, campaigns, periods)))
        }
        _ => Ok(None),
    }
}

/// What the edit form says of the drive's slots (none: nothing).
fn slots_note(v: &View<'_>, draft: &DriveDraft) -> Markup {
    match draft.slots.as_deref() {
        None | Some([]) => html! {},
        Some(slots) => html! {
            p {
                (v.m(&Msg::new(MsgId::WebDriveSlotsKept).str(
                    "slots",
                    slots
                        .iter()
                        .map(TimeWindow::label)
                        .collect::<Vec<_>>()
                        .join(", ")
                )))
            }
        },
    }
}

async fn render_edit(
    v: &View<'_>,
    id: i64,
    draft: &DriveDraft,
    campaigns: &[Item],
    values: &DriveForm,
    errors: &Errors,
) -> anyhow::Result<Reply> {
    let body = form(
        v,
        campaigns,
        values,
        errors,
        Some((id, slots_note(v, draft))),
    );
    let page = v.page(Nav::Drives, body);
    Ok(if errors.is_empty() {
        Reply::Page(page)
    } else {
        Reply::Invalid(page)
    })
}

/// `GET /dashboard/drives/ID/edit`: the drive's form, filled in.
pub async fn edit_drive(v: &View<'_>, id: i64) -> anyhow::Result<Reply> {
    let Some((draft, campaigns, _)) = edit_form(v, id).await? else {
        return Ok(Reply::NotFound);
    };
    let (start, end) = draft.window.map_or((String::new(), String::new()), |w| {
        (
            w.start.format("%H:%M").to_string(),
            w.end.format("%H:%M").to_string(),
        )
    });
    let f = DriveForm {
        campaign: draft
            .campaign
            .flatten()
            .map_or(String::new(), |c| c.to_string()),
        place: draft.place.clone().unwrap_or_default(),
        province: draft
            .province
            .map_or(String::new(), |p| p.code().to_string()),
        commune: draft.commune.clone().unwrap_or_default(),
        date: draft
            .date
            .map_or(String::new(), |d| d.format("%Y-%m-%d").to_string()),
        start,
        end,
        capacity: draft.capacity.map_or(String::new(), |c| c.to_string()),
        target: draft
            .target
            .flatten()
            .map_or(String::new(), |t| t.to_string()),
    };
    render_edit(v, id, &draft, &campaigns, &f, &Vec::new()).await
}

/// `POST /dashboard/drives/ID/edit`: the drive changed with the chat's checks; its slots
/// are kept where they still fit the hours (donors of a slot that no longer does are told,
/// as in chat), its unit is kept.
pub async fn post_edit_drive(v: &View<'_>, id: i64, f: &DriveForm) -> anyhow::Result<Reply> {
    let Some((draft, campaigns, periods)) = edit_form(v, id).await? else {
        return Ok(Reply::NotFound);
    };
    let say = |m: Msg| v.app.catalogue().render(v.lang, &m);
    let mut input = match parse_form(f, today(v), &campaigns, &periods) {
        Ok(i) => i,
        Err(errors) => {
            let errors: Errors = errors.into_iter().map(|(k, m)| (k, say(m))).collect();
            return render_edit(v, id, &draft, &campaigns, f, &errors).await;
        }
    };
    input.id = Some(id);
    let w = input.spec.window;
    input.spec.slots = draft
        .slots
        .clone()
        .unwrap_or_default()
        .into_iter()
        .filter(|s| s.start >= w.start && s.end <= w.end)
        .collect();
    let date = input.spec.date;
    match v
        .ask(Request::Drive(DriveRequest::SaveDrive { input }))
        .await?
    {
        Outcome::Drive(DriveOutcome::DriveSaved { notified, .. }) => Ok(Reply::Redirect(format!(
            "/dashboard/drives/{id}?ok=drive-edited&n={notified}"
        ))),
        Outcome::Drive(DriveOutcome::OutsideCampaign { name, from, to }) => {
            let e = outside_campaign(v, date, name, from, to);
            render_edit(v, id, &draft, &campaigns, f, &vec![("date", e)]).await
        }
        Outcome::Drive(DriveOutcome::NoSuchDrive) => Ok(Reply::NotFound),
        other => not_as_asked(other),
    }
}

/// `GET /dashboard/drives/ID`: a drive, its sign-ups with phones, and the cancel button.
pub async fn drive(v: &View<'_>, id: i64, query: &Fields) -> anyhow::Result<Reply> {
    let (d, list) = match v.ask(Request::Drive(DriveRequest::Signups { id })).await? {
        Outcome::Drive(DriveOutcome::Signups { drive, list }) => (drive, list),
        Outcome::Drive(DriveOutcome::NoSuchDrive) => return Ok(Reply::NotFound),
        other => return not_as_asked(other),
    };
    let tz = v.app.config().timezone;
    let (day, w) = local_window(d.starts_at, d.ends_at, tz);
    let slot_label = |slot: Option<i64>| {
        slot.and_then(|s| d.slots.iter().find(|x| x.id == s))
            .map_or(String::new(), |s| {
                local_window(s.starts_at, s.ends_at, tz).1.label()
            })
    };
    // When, where (the commune only when known), and the campaign only when it has one.
    let place = if d.commune.is_empty() {
        d.province_name()
    } else {
        format!("{}, {}", d.commune, d.province_name())
    };
    let signups = html! {
        @if list.is_empty() {
            p { (v.t(MsgId::WebSignupsNone)) }
        } @else {
            table {
                (super::head_row(v, &[
                    MsgId::WebColName,
                    MsgId::WebColGroup,
                    MsgId::WebColSlot,
                    MsgId::WebColPhone,
                ]))
                tbody {
                    @for s in &list {
                        tr {
                            td { (s.name) }
                            td { (s.group) }
                            td { (slot_label(s.slot)) }
                            td { @if let Some(p) = &s.phone { (super::tel_link(p)) } }
                        }
                    }
                }
            }
        }
    };
    let cancel = html! {
        @if d.cancelled {
            p class="behind" { (v.t(MsgId::WebDriveIsCancelled)) }
        } @else {
            p { a href={ "/dashboard/drives/" (id) "/edit" } { (v.t(MsgId::WebEditDrive)) } }
            h3 { (v.t(MsgId::WebCancelDriveHead)) }
            p { (v.m(&Msg::new(MsgId::WebCancelDriveWarn).num("n", list.len() as f64))) }
            (v.button(
                &format!("/dashboard/drives/{id}/cancel"),
                MsgId::WebCancelDrive,
                html! {}
            ))
        }
    };
    let body = html! {
        (v.notice(query))
        h2 { (d.place) }
        p {
            (format_vn(day)) " " (w.label()) " · " (place)
            @if let Some(c) = &d.campaign { " · " (c) }
        }
        p { (d.taken) " / " (d.capacity) }
        h3 { (v.t(MsgId::WebSignupsHead)) }
        (signups)
        (cancel)
    };
    Ok(Reply::Page(v.page(Nav::Drives, body)))
}

/// `POST /dashboard/drives/ID/cancel`: cancelled, its donors told (as in chat).
pub async fn cancel_drive(v: &View<'_>, id: i64) -> anyhow::Result<Reply> {
    Ok(
        match v
            .ask(Request::Drive(DriveRequest::CancelDrive { id }))
            .await?
        {
            Outcome::Drive(DriveOutcome::DriveCancelled { notified }) => Reply::Redirect(format!(
                "/dashboard/drives/{id}?ok=drive-cancelled&n={notified}"
            )),
            Outcome::Drive(DriveOutcome::NoSuchDrive) => Reply::NotFound,
            other => not_as_asked(other)?,
        },
    )
}
