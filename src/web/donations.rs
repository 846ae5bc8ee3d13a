//! Donations on the dashboard: find a donor by phone or check-in code (as `/record` does),
//! record what they gave at which of today's drives, and remove one recorded by mistake
//! (audited); a correction is a removal and a new record.

use super::not_as_asked;
use super::{Fields, Nav, Reply, View, hidden, select};
use crate::domain::dates::format_vn;
use crate::domain::eligibility::DonationKind;
use crate::engine::Item;
use crate::engine::drive::{RecordedDonation, find_donor_request};
use crate::engine::{DriveOutcome, DriveRequest, Outcome, Request, donation_kind_label};
use crate::messages::{Msg, MsgId};
use chrono::NaiveDate;
use maud::{Markup, html};

/// A donation to record: the donor's id, what they gave (its code), at which drive (none:
/// away from a drive).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct DonationForm {
    donor: String,
    kind: String,
    drive: String,
}

/// A donation recorded by mistake, by its id.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct RemoveForm {
    id: String,
}

/// A donor looked for, by phone or check-in code.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct FindForm {
    q: String,
}

/// `GET /dashboard/donations`: the search; `POST /dashboard/donations/find` (`lookup`): the
/// donor found. A lookup is posted, so the phone never sits in an address or a log, and it
/// is audited by donor id (as the donors page's).
pub async fn donations(
    v: &View<'_>,
    query: &Fields,
    lookup: Option<&FindForm>,
) -> anyhow::Result<Reply> {
    let q = lookup.map_or("", |f| f.q.as_str());
    let error = |id: MsgId| html! { p class="error" role="alert" { (v.t(id)) } };
    let found = if q.is_empty() {
        html! {}
    } else {
        match find_donor_request(q) {
            None => error(MsgId::RecordBadQuery),
            Some(r) => match v.ask(Request::Drive(r)).await? {
                Outcome::Drive(DriveOutcome::DonorFound {
                    donor,
                    name,
                    blood,
                    next,
                    drives,
                    last,
                }) => donor_found(v, donor, name, blood, next, &drives, last),
                Outcome::Drive(DriveOutcome::SeveralDonors) => error(MsgId::RecordSeveral),
                Outcome::Drive(DriveOutcome::DonorNotFound) => error(MsgId::RecordNotFound),
                other => return not_as_asked(other),
            },
        }
    };
    let body = html! {
        (v.notice(query))
        h2 { (v.t(MsgId::WebNavDonations)) }
        form method="post" action="/dashboard/donations/find" role="search" {
            (v.csrf())
            label for="q" { (v.t(MsgId::WebFindDonor)) }
            input id="q" name="q" value=(q) autocomplete="off" maxlength="40" required;
            " "
            button type="submit" { (v.t(MsgId::WebFind)) }
        }
        (found)
        (super::uploads::section(v, super::uploads::UploadKind::Donations))
    };
    Ok(Reply::Page(v.page(Nav::Donations, body)))
}

/// The donor found: their card, the form to record what they gave (and where), and the
/// last donation to remove if it was recorded by mistake.
fn donor_found(
    v: &View<'_>,
    donor: i64,
    name: String,
    blood: String,
    next: Option<NaiveDate>,
    drives: &[Item],
    last: Option<RecordedDonation>,
) -> Markup {
    let today = v
        .app
        .clock()
        .now()
        .with_timezone(&v.app.config().timezone)
        .date_naive();
    let early = next.filter(|n| *n > today);
    let card = v.m(&Msg::new(MsgId::RecordFound)
        .str("name", name.clone())
        .str("blood", blood)
        .str(
            "eligible",
            v.app.catalogue().render(
                v.lang,
                &match early {
                    Some(d) => Msg::new(MsgId::RecordEligibleFrom).str("date", format_vn(d)),
                    None => Msg::new(MsgId::RecordEligibleNow),
                },
            ),
        ));
    let kinds = super::kind_options(v);
    let mut at = vec![(
        String::new(),
        v.app
            .catalogue()
            .render(v.lang, &Msg::new(MsgId::ChoiceNoDrive)),
    )];
    at.extend(drives.iter().map(|d| (d.id.to_string(), d.label.clone())));
    let chosen = drives.first().map(|d| d.id.to_string()).unwrap_or_default();
    html! {
        section aria-labelledby="donor" {
            h2 id="donor" { (card) }
            form method="post" action="/dashboard/donations" {
                (v.csrf())
                (hidden("donor", donor))
                (select("kind", &v.t(MsgId::RecordKindAsk), &kinds, "whole_blood"))
                (select("drive", &v.t(MsgId::RecordDriveAsk), &at, &chosen))
                @if let Some(d) = early {
                    p class="behind" {
                        (v.m(&Msg::new(MsgId::RecordEarlyConfirm)
                            .str("name", name.clone())
                            .str("next", format_vn(d))))
                    }
                    label {
                        input type="checkbox" name="anyway" value="1" required;
                        " " (v.t(MsgId::ChoiceRecordAnyway))
                    }
                }
                p { button type="submit" { (v.t(MsgId::WebRecord)) } }
            }
            @if let Some(l) = last {
                h3 { (v.t(MsgId::WebLastDonation)) }
                p {
                    (v.m(&Msg::new(MsgId::RecordRemoveConfirm)
                        .msg("kind", Msg::new(donation_kind_label(l.kind)))
                        .str("date", format_vn(l.date))
                        .str("name", name)))
                }
                (v.button("/dashboard/donations/remove", MsgId::ChoiceRemoveYes, hidden("id", l.id)))
            }
        }
    }
}

/// `POST /dashboard/donations/remove`: a donation recorded by mistake removed (audited).
pub async fn remove_donation(v: &View<'_>, f: &RemoveForm) -> anyhow::Result<Reply> {
    let Ok(id) = f.id.parse::<i64>() else {
        return Ok(Reply::NotFound);
    };
    Ok(
        match v
            .ask(Request::Drive(DriveRequest::RemoveDonation { id }))
            .await?
        {
            Outcome::Drive(DriveOutcome::DonationRemoved { .. }) => {
                Reply::Redirect("/dashboard/donations?ok=donation-removed".into())
            }
            Outcome::Refused => Reply::Refused,
            _ => Reply::NotFound,
        },
    )
}

/// `POST /dashboard/donations`: what a donor gave, recorded.
pub async fn post_donation(v: &View<'_>, f: &DonationForm) -> anyhow::Result<Reply> {
    let (Ok(donor), Some(kind)) = (f.donor.parse::<i64>(), DonationKind::from_code(&f.kind)) else {
        return Ok(Reply::NotFound);
    };
    let drive = f.drive.parse::<i64>().ok();
    Ok(
        match v
            .ask(Request::Drive(DriveRequest::Record { donor, kind, drive }))
            .await?
        {
            Outcome::Drive(DriveOutcome::Recorded { count, .. }) => Reply::Redirect(format!(
                "/dashboard/donations?ok=donation-recorded&n={count}"
            )),
            Outcome::Refused => Reply::Refused,
            _ => Reply::NotFound,
        },
    )
}
