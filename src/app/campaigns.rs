//! Campaigns, as named use cases: save one (new or edited, audited), list the open ones,
//! read one back into the chat's form. Each runs in the caller's transaction; who may call
//! which was checked before (`requests.rs`).

use super::App;
use crate::domain::audit::AuditAction;
use crate::domain::campaign::{Calendar, Campaign, CampaignInput, FileError};
use crate::domain::scope::Scope;
use crate::engine::DriveOutcome;
use crate::engine::Item;
use crate::engine::drive::CampaignDraft;
use crate::store::Tx;
use chrono::{DateTime, Utc};

/// What came of [`App::save_campaign`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SavedCampaign {
    Saved {
        id: i64,
        name: String,
        new: bool,
    },
    /// Another campaign has that name (or the one to edit is gone): nothing saved.
    Exists,
}

impl App {
    /// Read an uploaded calendar for `year` (TOML, or CSV when `csv`) whole, writing
    /// nothing: its campaigns, their drives and its fixed points, or every error by line.
    pub(super) async fn check_calendar(
        &self,
        tx: &mut Tx,
        text: &str,
        csv: bool,
        year: i32,
    ) -> anyhow::Result<Result<Calendar, Vec<FileError>>> {
        use crate::domain::campaign::{parse_calendar_csv, parse_calendar_file};
        Ok(if csv {
            parse_calendar_csv(text, year).map(|campaigns| Calendar {
                campaigns,
                ..Default::default()
            })
        } else {
            let units = tx.unit_codes().await?;
            parse_calendar_file(text, year, &units)
        })
    }

    /// Create or edit a campaign (audited). A new one belongs to the province of staff who
    /// hold one province (`scope`), else to the whole country.
    pub(super) async fn save_campaign(
        &self,
        tx: &mut Tx,
        identity_id: i64,
        scope: Scope,
        input: CampaignInput,
        now: DateTime<Utc>,
    ) -> anyhow::Result<SavedCampaign> {
        let now_ms = now.timestamp_millis();
        let c = Campaign {
            name: input.name.clone(),
            starts_on: input.starts_on,
            ends_on: input.ends_on,
            target_units_min: input.units.map(|u| u.0),
            target_units_max: input.units.map(|u| u.1),
            target_people: input.people,
            organiser: None,
            partner: None,
            note: None,
            drives: Vec::new(),
        };
        let saved = match input.id {
            None => {
                tx.create_campaign(&c, scope.single(), identity_id, now_ms)
                    .await?
            }
            Some(id) => tx.update_campaign(id, &c, now_ms).await?.then_some(id),
        };
        let Some(id) = saved else {
            return Ok(SavedCampaign::Exists);
        };
        let actor = tx.account_ref(identity_id).await?;
        let action = if input.id.is_some() {
            AuditAction::CampaignEdit
        } else {
            AuditAction::CampaignCreate
        };
        tx.audit(&actor, action, &format!("campaign:{id}"), None, now_ms)
            .await?;
        Ok(SavedCampaign::Saved {
            id,
            name: input.name,
            new: input.id.is_none(),
        })
    }

    /// The campaigns still open today within a staff scope, to pick one to edit.
    pub(super) async fn campaign_list(
        &self,
        tx: &mut Tx,
        scope: Scope,
        now: DateTime<Utc>,
    ) -> anyhow::Result<DriveOutcome> {
        let today = now.with_timezone(&self.config().timezone).date_naive();
        let list = tx
            .open_campaigns(today, scope)
            .await?
            .into_iter()
            .map(|c| Item {
                id: c.id,
                label: format!(
                    "{} ({} – {})",
                    c.name,
                    c.starts_on.format("%d/%m"),
                    c.ends_on.format("%d/%m/%Y")
                ),
            })
            .collect();
        Ok(DriveOutcome::Campaigns(list))
    }

    /// A campaign read back into the chat's form, to edit it.
    pub(super) async fn edit_campaign(&self, tx: &mut Tx, id: i64) -> anyhow::Result<DriveOutcome> {
        Ok(match tx.campaign(id).await? {
            Some(c) => DriveOutcome::CampaignDraft(CampaignDraft {
                id: Some(id),
                name: Some(c.name),
                dates: Some((c.starts_on, c.ends_on)),
                units: Some(c.target_units_min.zip(c.target_units_max)),
                people: Some(c.target_people),
            }),
            None => DriveOutcome::NoSuchDrive,
        })
    }
}
