//! Staff and records: roles, dashboard links, the audit log, the blood stock.

use super::{AdminAction, DashboardAction, StockAction};
use crate::app::App;
use crate::domain::text::SpreadsheetCsv;
use anyhow::Context;
use chrono::DateTime;

/// `hienmau dashboard link ACCOUNT`: the link, or why there is none.
pub async fn dashboard(app: &App, action: DashboardAction) -> anyhow::Result<String> {
    match action {
        DashboardAction::Link { account } => {
            let (channel, user) = crate::channels::parse_account(&account).with_context(|| {
                format!("{account:?} is not an account: use channel:id, e.g. telegram:123456789")
            })?;
            match app.dashboard_link_for_account(channel, &user).await? {
                Some(url) => Ok(format!("{url}\n")),
                None => anyhow::bail!(
                    "{account} may not use the dashboard: grant it admin or coordinator first \
                     (hienmau admin grant coordinator {account})"
                ),
            }
        }
    }
}

/// `hienmau admin …`: what to print.
pub async fn admin(app: &App, action: AdminAction) -> anyhow::Result<String> {
    let parse = |role: &str, account: &str| -> anyhow::Result<_> {
        let role = crate::domain::club::Role::parse(role)
            .with_context(|| format!("{role:?} is not a role: use admin, coordinator or leader"))?;
        let (channel, user) = crate::channels::parse_account(account).with_context(|| {
            format!(
                "{account:?} is not an account: use channel:id, e.g. telegram:123456789, \
                 zalo:…, zalo_oa:…, terminal:lan"
            )
        })?;
        Ok((role, channel, user))
    };
    let province = |typed: Option<String>| -> anyhow::Result<_> {
        typed.map(|t| crate::cli::province_arg(&t)).transpose()
    };
    match action {
        AdminAction::Grant {
            role,
            account,
            province: typed,
        } => {
            let (role, channel, user) = parse(&role, &account)?;
            let province = province(typed)?;
            if province.is_some() && role == crate::domain::club::Role::Leader {
                anyhow::bail!("a leader's role has no province: their scope is their clubs");
            }
            let changed = app
                .set_role_for_account(channel, &user, role, true, province)
                .await?;
            let role = match province {
                Some(p) => format!("{} ({})", role.code(), p.name()),
                None => role.code().to_string(),
            };
            Ok(if changed {
                format!("{account}: {role} granted\n")
            } else {
                format!("{account} already has {role}\n")
            })
        }
        AdminAction::Revoke {
            role,
            account,
            province: typed,
        } => {
            let (role, channel, user) = parse(&role, &account)?;
            let province = province(typed)?;
            let changed = app
                .set_role_for_account(channel, &user, role, false, province)
                .await?;
            Ok(if changed {
                format!("{account}: {} revoked\n", role.code())
            } else {
                format!("{account} did not have {}\n", role.code())
            })
        }
        AdminAction::List => {
            let holders = app.store().role_holders().await?;
            if holders.is_empty() {
                return Ok("nobody holds a role yet\n".into());
            }
            Ok(holders
                .into_iter()
                .map(|(role, account, by)| format!("{role:<12} {account:<24} granted by {by}\n"))
                .collect())
        }
    }
}

/// `hienmau stock set|list`.
pub async fn stock(app: &App, action: StockAction) -> anyhow::Result<String> {
    use crate::domain::callout::PatientGroup;
    use crate::messages::{Msg, MsgId};
    let lang = app.config().language;
    let say = |m: Msg| app.catalogue().render(lang, &m);
    match action {
        StockAction::Set {
            group,
            units,
            threshold,
        } => {
            let g = PatientGroup::parse(&group).ok_or_else(|| {
                anyhow::anyhow!(
                    "{}",
                    say(Msg::new(MsgId::CliStockBadGroup).str("group", group.clone()))
                )
            })?;
            if units < 0 || threshold.is_some_and(|t| t < 0) {
                anyhow::bail!("{}", say(Msg::new(MsgId::CliStockNegative)));
            }
            let now = app.clock().now().timestamp_millis();
            app.store()
                .set_stock(g, units, threshold, "cli", now)
                .await?;
            Ok(say(Msg::new(MsgId::CliStockSet)
                .str("group", g.code())
                .num("units", units as f64))
                + "\n")
        }
        StockAction::List => {
            let levels = app.store().stock_levels().await?;
            if levels.is_empty() {
                return Ok(say(Msg::new(MsgId::CliStockNone)) + "\n");
            }
            let mut out = say(Msg::new(MsgId::CliStockHeader)) + "\n";
            for s in &levels {
                let low = if s.units < s.threshold {
                    format!("\t{}", say(Msg::new(MsgId::CliStockLow)))
                } else {
                    String::new()
                };
                out.push_str(&format!(
                    "{}\t{}\t{}{low}\n",
                    s.group.code(),
                    s.units,
                    s.threshold
                ));
            }
            Ok(out)
        }
    }
}

/// `hienmau audit [--csv]`: the log, as a table or CSV.
pub async fn audit(app: &App, csv: bool) -> anyhow::Result<String> {
    let tz = app.config().timezone;
    let entries = app
        .store()
        .audit_entries(if csv { None } else { Some(50) })
        .await?;
    let time = |ms: i64| {
        DateTime::from_timestamp_millis(ms)
            .map(|t| {
                t.with_timezone(&tz)
                    .format("%Y-%m-%dT%H:%M:%S%:z")
                    .to_string()
            })
            .unwrap_or_default()
    };
    if csv {
        let mut w = SpreadsheetCsv::new(false);
        w.row(["time", "account", "action", "target", "recipients"])?;
        for e in &entries {
            let n = e.recipients.map(|n| n.to_string()).unwrap_or_default();
            w.row([time(e.at).as_str(), &e.actor, &e.action, &e.target, &n])?;
        }
        return Ok(w.finish()?);
    }
    if entries.is_empty() {
        return Ok("the audit log is empty\n".into());
    }
    Ok(entries
        .iter()
        .map(|e| {
            let n = e
                .recipients
                .map(|n| format!("  ({n} recipients)"))
                .unwrap_or_default();
            format!(
                "{}  {:<20} {:<20} {}{n}\n",
                time(e.at),
                e.actor,
                e.action,
                e.target
            )
        })
        .collect())
}
