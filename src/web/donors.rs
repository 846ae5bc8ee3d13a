//! The donors page: registered donors by province and blood group (a heat table), how far
//! the reserve clubs cover the Rh-negative groups in each province, and one donor looked up
//! by phone (staff only, audited). The phone is posted, never put in a link, so it stays
//! out of addresses, histories and server logs; nothing here exports personal data in bulk.

use super::not_as_asked;
use super::{Fields, Nav, Reply, View, esc, input, val};
use crate::domain::dates::format_vn;
use crate::domain::donor::{DonorCard, DonorMap, MAP_GROUPS, MapRow};
use crate::domain::phone::PhoneNumber;
use crate::engine::{DriveOutcome, DriveRequest, Outcome, Request, donation_kind_label};
use crate::messages::{Msg, MsgId};

/// The Rh-negative columns of [`MAP_GROUPS`]: those a reserve club is for.
const RH_NEGATIVE: std::ops::Range<usize> = 4..8;

/// `GET /dashboard/donors`: the tables and the lookup form.
pub async fn donors(v: &View<'_>, _query: &Fields) -> anyhow::Result<Reply> {
    page(v, "", String::new(), false).await
}

/// `POST /dashboard/donors/lookup`: the same page with the donors who gave the phone.
pub async fn post_lookup(v: &View<'_>, f: &Fields) -> anyhow::Result<Reply> {
    let typed = val(f, "phone");
    let Ok(phone) = PhoneNumber::parse(typed) else {
        let said = format!(
            "<p class=\"error\" role=\"alert\" id=\"phone-error\">{}</p>",
            v.t(MsgId::WebLookupBadPhone)
        );
        return page(v, typed, said, true).await;
    };
    let out = v
        .ask(Request::Drive(DriveRequest::LookupDonor { phone }))
        .await?;
    let Outcome::Drive(DriveOutcome::DonorCards(cards)) = out else {
        return not_as_asked(out);
    };
    let found = match cards.len() {
        0 => format!("<p role=\"status\">{}</p>", v.t(MsgId::WebLookupNone)),
        n => {
            let several = if n > 1 {
                format!(
                    "<p role=\"status\">{}</p>",
                    v.m(&Msg::new(MsgId::WebLookupSeveral).num("count", n as f64))
                )
            } else {
                String::new()
            };
            let shown: String = cards.iter().map(|c| card(v, c)).collect();
            format!("{several}{shown}")
        }
    };
    page(v, typed, found, false).await
}

async fn page(v: &View<'_>, typed: &str, found: String, invalid: bool) -> anyhow::Result<Reply> {
    let out = v.ask(Request::Drive(DriveRequest::DonorMap)).await?;
    let Outcome::Drive(DriveOutcome::DonorMap(map)) = out else {
        return not_as_asked(out);
    };
    let tables = tables(v, &map);
    let attrs = if invalid {
        "inputmode=\"tel\" autocomplete=\"off\" maxlength=\"40\" required aria-invalid=\"true\" \
         aria-describedby=\"phone-error\""
    } else {
        "inputmode=\"tel\" autocomplete=\"off\" maxlength=\"40\" required"
    };
    let body = format!(
        "<h2>{}</h2>{tables}<h3 id=\"lookup\">{}</h3><p>{}</p>\
         <form method=\"post\" action=\"/dashboard/donors/lookup#lookup\" role=\"search\">{}{}\
         <p><button type=\"submit\">{}</button></p></form>{found}",
        v.t(MsgId::WebNavDonors),
        v.t(MsgId::WebLookupTitle),
        v.t(MsgId::WebLookupAudited),
        v.csrf(),
        input("phone", &v.t(MsgId::WebLookupPhone), typed, attrs, &[]),
        v.t(MsgId::WebFind)
    );
    let page = v.page(Nav::Donors, &body);
    Ok(if invalid {
        Reply::Invalid(page)
    } else {
        Reply::Page(page)
    })
}

fn province_cell(v: &View<'_>, row: &MapRow) -> String {
    let name = match row.province {
        Some(p) => esc(p.name()),
        None => v.t(MsgId::WebDonorsNoProvince),
    };
    format!("<th scope=\"row\">{name}</th>")
}

/// The heat table and the reserve coverage table (none before anyone registers).
fn tables(v: &View<'_>, map: &DonorMap) -> String {
    let (rows, total) = map.rows();
    if rows.is_empty() {
        return format!("<p>{}</p>", v.t(MsgId::WebDonorsNone));
    }
    let head: String = MAP_GROUPS
        .iter()
        .map(|g| format!("<th scope=\"col\">{}</th>", esc(g)))
        .collect();
    // Each column is shaded against its own largest province, so the rare groups show
    // where they are instead of being pale everywhere next to O+.
    let mut top = [1i64; 9];
    for r in &rows {
        for (t, n) in top.iter_mut().zip(r.donors) {
            *t = (*t).max(n);
        }
    }
    let line = |r: &MapRow, shaded: bool| -> String {
        let cells: String = r
            .donors
            .iter()
            .enumerate()
            .map(|(i, n)| {
                if !shaded || *n == 0 {
                    return format!("<td>{n}</td>");
                }
                // From a light to a dark red; dark cells get white text (contrast ≥ 4.5).
                let level = ((n * 4 + top[i] - 1) / top[i]).clamp(1, 4);
                format!("<td class=\"heat h{level}\">{n}</td>")
            })
            .collect();
        format!("{cells}<td><strong>{}</strong></td>", r.total())
    };
    let body: String = rows
        .iter()
        .map(|r| format!("<tr>{}{}</tr>", province_cell(v, r), line(r, true)))
        .collect();
    let heat = format!(
        "<p>{}</p><div class=\"scroll\"><table class=\"map\"><thead><tr><th scope=\"col\">{}</th>{head}\
         <th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>{body}</tbody>\
         <tfoot><tr><th scope=\"row\">{}</th>{}</tr></tfoot></table></div>",
        v.t(MsgId::WebDonorsIntro),
        v.t(MsgId::WebDonorsProvince),
        v.t(MsgId::WebDonorsUnknownGroup),
        v.t(MsgId::WebDonorsTotal),
        v.t(MsgId::WebDonorsTotal),
        line(&total, false)
    );
    let reserve_head: String = RH_NEGATIVE
        .map(|i| format!("<th scope=\"col\">{}</th>", esc(MAP_GROUPS[i])))
        .collect();
    let reserve_line = |r: &MapRow| -> String {
        RH_NEGATIVE
            .map(|i| {
                let figures = v.m(&Msg::new(MsgId::WebReserveCell)
                    .num("reserve", r.reserve[i] as f64)
                    .num("donors", r.donors[i] as f64));
                // A gap is donors of the group with none of them in a reserve club; a
                // group with no donors at all is nothing to cover.
                if r.reserve[i] == 0 && r.donors[i] > 0 {
                    format!(
                        "<td class=\"uncovered\">{figures} · {}</td>",
                        v.t(MsgId::WebReserveUncovered)
                    )
                } else {
                    format!("<td>{figures}</td>")
                }
            })
            .collect()
    };
    let reserve_body: String = rows
        .iter()
        .map(|r| format!("<tr>{}{}</tr>", province_cell(v, r), reserve_line(r)))
        .collect();
    let reserve = format!(
        "<h3>{}</h3><p>{}</p><div class=\"scroll\"><table><thead><tr><th scope=\"col\">{}</th>\
         {reserve_head}</tr></thead><tbody>{reserve_body}</tbody><tfoot><tr><th scope=\"row\">{}</th>\
         {}</tr></tfoot></table></div>",
        v.t(MsgId::WebReserveTitle),
        v.t(MsgId::WebReserveIntro),
        v.t(MsgId::WebDonorsProvince),
        v.t(MsgId::WebDonorsTotal),
        reserve_line(&total)
    );
    format!("{heat}{reserve}")
}

/// One donor found: what they gave, their clubs, their donations on record.
fn card(v: &View<'_>, c: &DonorCard) -> String {
    let donations = if c.donations.is_empty() {
        format!("<p>{}</p>", v.t(MsgId::WebDonorNoDonations))
    } else {
        let items: String = c
            .donations
            .iter()
            .map(|(date, kind)| {
                format!(
                    "<li>{}</li>",
                    v.m(&Msg::new(MsgId::WebDonorDonation)
                        .str("date", format_vn(*date))
                        .msg("kind", Msg::new(donation_kind_label(*kind))))
                )
            })
            .collect();
        format!("<ul>{items}</ul>")
    };
    format!(
        "<article aria-labelledby=\"donor{id}\"><h4 id=\"donor{id}\">#{id}</h4>\
         <div class=\"msg\">{}</div><h5>{}</h5>{donations}</article>",
        v.m(&v.app.donor_card(c)),
        v.t(MsgId::WebDonorDonations),
        id = c.id
    )
}
