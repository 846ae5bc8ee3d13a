//! The donors page: registered donors by province and blood group (a heat table), how far
//! the reserve clubs cover the Rh-negative groups in each province, and one donor looked up
//! by phone (staff only, audited). The phone is posted, never put in a link, so it stays
//! out of addresses, histories and server logs; nothing here exports personal data in bulk.

use super::not_as_asked;
use super::{Fields, Nav, Reply, View};
use crate::domain::dates::format_vn;
use crate::domain::donor::{DonorCard, DonorMap, MAP_GROUPS, MapRow};
use crate::domain::phone::PhoneNumber;
use crate::engine::{DriveOutcome, DriveRequest, Outcome, Request, donation_kind_label};
use crate::messages::{Msg, MsgId};
use maud::{Markup, html};

/// The Rh-negative columns of [`MAP_GROUPS`]: those a reserve club is for.
const RH_NEGATIVE: std::ops::Range<usize> = 4..8;

/// A donor looked up by the phone they gave.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct LookupForm {
    phone: String,
}

/// `GET /dashboard/donors`: the tables and the lookup form.
pub async fn donors(v: &View<'_>, _query: &Fields) -> anyhow::Result<Reply> {
    page(v, "", html! {}, false).await
}

/// `POST /dashboard/donors/lookup`: the same page with the donors who gave the phone.
pub async fn post_lookup(v: &View<'_>, f: &LookupForm) -> anyhow::Result<Reply> {
    let typed = f.phone.as_str();
    let Ok(phone) = PhoneNumber::parse(typed) else {
        let said = html! {
            p class="error" role="alert" id="phone-error" { (v.t(MsgId::WebLookupBadPhone)) }
        };
        return page(v, typed, said, true).await;
    };
    let out = v
        .ask(Request::Drive(DriveRequest::LookupDonor { phone }))
        .await?;
    let Outcome::Drive(DriveOutcome::DonorCards(cards)) = out else {
        return not_as_asked(out);
    };
    let found = html! {
        @match cards.len() {
            0 => p role="status" { (v.t(MsgId::WebLookupNone)) },
            n => {
                @if n > 1 {
                    p role="status" {
                        (v.m(&Msg::new(MsgId::WebLookupSeveral).num("count", n as f64)))
                    }
                }
                @for c in &cards { (card(v, c)) }
            }
        }
    };
    page(v, typed, found, false).await
}

async fn page(v: &View<'_>, typed: &str, found: Markup, invalid: bool) -> anyhow::Result<Reply> {
    let out = v.ask(Request::Drive(DriveRequest::DonorMap)).await?;
    let Outcome::Drive(DriveOutcome::DonorMap(map)) = out else {
        return not_as_asked(out);
    };
    let body = html! {
        h2 { (v.t(MsgId::WebNavDonors)) }
        (tables(v, &map))
        h3 id="lookup" { (v.t(MsgId::WebLookupTitle)) }
        p { (v.t(MsgId::WebLookupAudited)) }
        form method="post" action="/dashboard/donors/lookup#lookup" role="search" {
            (v.csrf())
            label for="phone" { (v.t(MsgId::WebLookupPhone)) }
            // A number that is not a phone: marked, and pointing at the line saying so.
            input id="phone" name="phone" value=(typed) inputmode="tel" autocomplete="off"
                maxlength="40" required aria-invalid=[invalid.then_some("true")]
                aria-describedby=[invalid.then_some("phone-error")];
            p { button type="submit" { (v.t(MsgId::WebFind)) } }
        }
        (found)
    };
    let page = v.page(Nav::Donors, body);
    Ok(if invalid {
        Reply::Invalid(page)
    } else {
        Reply::Page(page)
    })
}

fn province_cell(v: &View<'_>, row: &MapRow) -> Markup {
    let name = match row.province {
        Some(p) => p.name().to_string(),
        None => v.t(MsgId::WebDonorsNoProvince),
    };
    html! { th scope="row" { (name) } }
}

/// The heat table and the reserve coverage table (none before anyone registers).
fn tables(v: &View<'_>, map: &DonorMap) -> Markup {
    let (rows, total) = map.rows();
    if rows.is_empty() {
        return html! { p { (v.t(MsgId::WebDonorsNone)) } };
    }
    // Each column is shaded against its own largest province, so the rare groups show
    // where they are instead of being pale everywhere next to O+.
    let mut top = [1i64; 9];
    for r in &rows {
        for (t, n) in top.iter_mut().zip(r.donors) {
            *t = (*t).max(n);
        }
    }
    // From a light to a dark red; dark cells get white text (contrast ≥ 4.5).
    let level = |i: usize, n: i64| ((n * 4 + top[i] - 1) / top[i]).clamp(1, 4);
    let line = |r: &MapRow, shaded: bool| {
        html! {
            @for (i, n) in r.donors.iter().enumerate() {
                @if !shaded || *n == 0 {
                    td { (n) }
                } @else {
                    td class={ "heat h" (level(i, *n)) } { (n) }
                }
            }
            td { strong { (r.total()) } }
        }
    };
    let reserve_line = |r: &MapRow| {
        html! {
            @for i in RH_NEGATIVE {
                @let figures = v.m(&Msg::new(MsgId::WebReserveCell)
                    .num("reserve", r.reserve[i] as f64)
                    .num("donors", r.donors[i] as f64));
                // A gap is donors of the group with none of them in a reserve club; a
                // group with no donors at all is nothing to cover.
                @if r.reserve[i] == 0 && r.donors[i] > 0 {
                    td class="uncovered" { (figures) " · " (v.t(MsgId::WebReserveUncovered)) }
                } @else {
                    td { (figures) }
                }
            }
        }
    };
    html! {
        p { (v.t(MsgId::WebDonorsIntro)) }
        div class="scroll" {
            table class="map" {
                thead {
                    tr {
                        th scope="col" { (v.t(MsgId::WebDonorsProvince)) }
                        @for g in MAP_GROUPS { th scope="col" { (g) } }
                        th scope="col" { (v.t(MsgId::WebDonorsUnknownGroup)) }
                        th scope="col" { (v.t(MsgId::WebDonorsTotal)) }
                    }
                }
                tbody { @for r in &rows { tr { (province_cell(v, r)) (line(r, true)) } } }
                tfoot {
                    tr { th scope="row" { (v.t(MsgId::WebDonorsTotal)) } (line(&total, false)) }
                }
            }
        }
        h3 { (v.t(MsgId::WebReserveTitle)) }
        p { (v.t(MsgId::WebReserveIntro)) }
        div class="scroll" {
            table {
                thead {
                    tr {
                        th scope="col" { (v.t(MsgId::WebDonorsProvince)) }
                        @for i in RH_NEGATIVE { th scope="col" { (MAP_GROUPS[i]) } }
                    }
                }
                tbody { @for r in &rows { tr { (province_cell(v, r)) (reserve_line(r)) } } }
                tfoot {
                    tr { th scope="row" { (v.t(MsgId::WebDonorsTotal)) } (reserve_line(&total)) }
                }
            }
        }
    }
}

/// One donor found: what they gave, their clubs, their donations on record.
fn card(v: &View<'_>, c: &DonorCard) -> Markup {
    let id = format!("donor{}", c.id);
    html! {
        article aria-labelledby=(id) {
            h4 id=(id) { "#" (c.id) }
            div class="msg" { (v.m(&v.app.donor_card(c))) }
            h5 { (v.t(MsgId::WebDonorDonations)) }
            @if c.donations.is_empty() {
                p { (v.t(MsgId::WebDonorNoDonations)) }
            } @else {
                ul {
                    @for (date, kind) in &c.donations {
                        li {
                            (v.m(&Msg::new(MsgId::WebDonorDonation)
                                .str("date", format_vn(*date))
                                .msg("kind", Msg::new(donation_kind_label(*kind)))))
                        }
                    }
                }
            }
        }
    }
}
