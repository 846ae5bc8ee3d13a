//! `hienmau donations import|list|remove`.

use super::{DonationAction, nothing_stored};
use crate::app::App;
use crate::domain::audit::AuditAction;
use anyhow::Context;

/// `hienmau donations import FILE`: what to print, or why nothing was stored.
pub async fn import_donations(app: &App, file: &std::path::Path) -> anyhow::Result<String> {
    import_donations_with(app, file, false).await
}

/// [`import_donations`], `accept_early`: donations inside a donor's interval are recorded
/// too (`--accept-early`, after reading the warnings of a first run).
pub async fn import_donations_with(
    app: &App,
    file: &std::path::Path,
    accept_early: bool,
) -> anyhow::Result<String> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let request = crate::engine::DriveRequest::ImportDonations { text, accept_early };
    match app.import_file_as_cli(request).await? {
        crate::engine::DriveOutcome::DonationsImported(done) => {
            use crate::messages::{Msg, MsgId};
            let lang = app.config().language;
            let msg = Msg::new(MsgId::CliDonationsImported)
                .num("added", done.added as f64)
                .num("donors", done.donors as f64)
                .num("known", (done.lines - done.added) as f64);
            Ok(app.catalogue().render(lang, &msg) + "\n")
        }
        crate::engine::DriveOutcome::FileRejected(errors) => {
            Err(nothing_stored(app, file, &errors))
        }
        other => anyhow::bail!("unexpected outcome of an import: {other:?}"),
    }
}

/// `hienmau donations list|remove`, in the configured language.
pub async fn donations(app: &App, action: DonationAction) -> anyhow::Result<String> {
    use crate::messages::{Msg, MsgId};
    let lang = app.config().language;
    let say = |m: Msg| app.catalogue().render(lang, &m) + "\n";
    let now = app.clock().now().timestamp_millis();
    let mut tx = app.store().begin().await?;
    let out = match action {
        DonationAction::Import { file, accept_early } => {
            return import_donations_with(app, &file, accept_early).await;
        }
        DonationAction::List { phone } => {
            let phone = crate::domain::phone::PhoneNumber::parse(&phone)
                .map_err(|e| anyhow::anyhow!("{phone:?}: {e}"))?;
            let donor = match tx.donor_by_phone(phone.as_e164()).await? {
                crate::store::PhoneLookup::One { donor_id, .. } => donor_id,
                crate::store::PhoneLookup::None => {
                    return Ok(say(Msg::new(MsgId::CliDonorNotFound)));
                }
                crate::store::PhoneLookup::Several => {
                    return Ok(say(Msg::new(MsgId::CliDonorSeveral)));
                }
            };
            let rows = tx.donations_of(donor, 100).await?;
            if rows.is_empty() {
                say(Msg::new(MsgId::CliNoDonations))
            } else {
                let mut out = say(Msg::new(MsgId::CliDonationsHeader));
                for r in rows {
                    out.push_str(&say(Msg::new(MsgId::CliDonationLine)
                        .num("id", r.id as f64)
                        .str("date", crate::domain::dates::format_vn(r.date))
                        .msg("kind", Msg::new(crate::engine::donation_kind_msg(r.kind)))
                        .msg(
                            "verified",
                            Msg::new(if r.verified {
                                MsgId::CliVerified
                            } else {
                                MsgId::CliSelfReported
                            }),
                        )
                        .str("source", r.source)));
                }
                out
            }
        }
        DonationAction::Remove { id } => {
            let Some((_, date, kind)) = tx.donation(id).await? else {
                return Ok(say(Msg::new(MsgId::CliNoSuchDonation).num("id", id as f64)));
            };
            tx.remove_donation(id, now).await?;
            tx.audit(
                "cli",
                AuditAction::DonationRemove,
                &format!("donation:{id}"),
                None,
                now,
            )
            .await?;
            say(Msg::new(MsgId::CliDonationRemoved)
                .num("id", id as f64)
                .str("date", crate::domain::dates::format_vn(date))
                .msg("kind", Msg::new(crate::engine::donation_kind_msg(kind))))
        }
    };
    tx.commit().await?;
    Ok(out)
}
