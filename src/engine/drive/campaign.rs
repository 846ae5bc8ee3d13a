//! The campaign form and list: a coordinator creates or edits a campaign.

use super::{DriveRequest, DriveState, ReviewChoice, is_skip, req, review_choices, skip};
use crate::domain::campaign::CampaignInput;
use crate::domain::dates::format_vn;
use crate::domain::drive::{parse_count, parse_upcoming_day};
use crate::engine::Input;
use crate::engine::Item;
use crate::engine::buttons::{Back, Buttons, Listed, back};
use crate::engine::{Reply, State, Turn};
use crate::messages::{Msg, MsgId};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CampaignField {
    Name,
    Dates,
    Units,
    People,
}

/// A campaign being written in chat.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CampaignDraft {
    /// The campaign being edited; `None` for a new one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    pub name: Option<String>,
    pub dates: Option<(NaiveDate, NaiveDate)>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::domain::drive::double_option"
    )]
    pub units: Option<Option<(i64, i64)>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::domain::drive::double_option"
    )]
    pub people: Option<Option<i64>>,
}

impl CampaignDraft {
    /// The campaign to save, once its name and dates are given.
    pub fn input(&self) -> Option<CampaignInput> {
        let (Some(name), Some((starts_on, ends_on))) = (self.name.clone(), self.dates) else {
            return None;
        };
        Some(CampaignInput {
            id: self.id,
            name,
            starts_on,
            ends_on,
            units: self.units.flatten(),
            people: self.people.flatten(),
        })
    }

    fn next_field(&self) -> Option<CampaignField> {
        Some(match self {
            d if d.name.is_none() => CampaignField::Name,
            d if d.dates.is_none() => CampaignField::Dates,
            d if d.units.is_none() => CampaignField::Units,
            d if d.people.is_none() => CampaignField::People,
            _ => return None,
        })
    }
}

impl Buttons for ReviewChoice<CampaignField> {
    const ALL: &'static [Self] = &[
        ReviewChoice::Save,
        ReviewChoice::Change(CampaignField::Name),
        ReviewChoice::Change(CampaignField::Dates),
        ReviewChoice::Change(CampaignField::Units),
        ReviewChoice::Change(CampaignField::People),
        ReviewChoice::Discard,
    ];
    fn value(self) -> &'static str {
        match self {
            ReviewChoice::Save => "save",
            ReviewChoice::Change(CampaignField::Name) => "c_name",
            ReviewChoice::Change(CampaignField::Dates) => "c_dates",
            ReviewChoice::Change(CampaignField::Units) => "c_units",
            ReviewChoice::Change(CampaignField::People) => "c_people",
            ReviewChoice::Discard => "discard",
        }
    }
}

pub(super) fn parse_units(text: &str) -> Option<(i64, i64)> {
    match text.split_once(['-', '–']) {
        Some((a, b)) => {
            let (a, b) = (parse_count(a)?, parse_count(b)?);
            (a <= b).then_some((a, b))
        }
        None => parse_count(text).map(|n| (n, n)),
    }
}

/// Filling the campaign form.
impl Turn<'_, '_> {
    pub(super) fn campaign_form(
        &mut self,
        mut draft: CampaignDraft,
        field: CampaignField,
        input: &Input,
        text: &str,
    ) {
        let today = self.ctx.today;
        match field {
            CampaignField::Name => match crate::domain::club::parse_club_name(text) {
                Some(n) => draft.name = Some(n),
                None => return self.wrong(MsgId::CampaignBadName),
            },
            CampaignField::Dates => {
                let t = text.replace("đến", "-").replace("den", "-");
                let parsed = t
                    .split_once(" - ")
                    .or_else(|| t.split_once('–'))
                    .or_else(|| t.split_once(" -"))
                    .and_then(|(a, b)| {
                        let from = parse_upcoming_day(a, today)?;
                        let to = parse_upcoming_day(b, from)?;
                        Some((from, to))
                    });
                match parsed {
                    Some(d) => draft.dates = Some(d),
                    None => return self.wrong(MsgId::CampaignBadDates),
                }
            }
            CampaignField::Units => {
                if is_skip(self.ctx, input) {
                    draft.units = Some(None);
                } else {
                    match parse_units(text) {
                        Some(u) => draft.units = Some(Some(u)),
                        None => return self.wrong(MsgId::DriveBadCount),
                    }
                }
            }
            CampaignField::People => {
                if is_skip(self.ctx, input) {
                    draft.people = Some(None);
                } else {
                    match parse_count(text) {
                        Some(n) => draft.people = Some(Some(n)),
                        None => return self.wrong(MsgId::DriveBadCount),
                    }
                }
            }
        }
        self.state = Some(match draft.next_field() {
            Some(field) => State::Drive(DriveState::CampaignForm { draft, field }),
            None => State::Drive(DriveState::CampaignReview { draft }),
        });
    }

    /// The campaign form's review: save, discard, or change a field.
    pub(super) fn campaign_review_input(&mut self, input: &Input, draft: CampaignDraft) {
        match self.pick_yes_no_as(input, ReviewChoice::Save, ReviewChoice::Discard) {
            Some(ReviewChoice::Save) => {
                // The review stays while the store answers: a taken name goes back to it.
                self.request = req(match draft.input() {
                    Some(input) => DriveRequest::SaveCampaign { input },
                    // Not complete (a stale screen): the form again.
                    None => DriveRequest::CampaignForm,
                });
                self.goto(DriveState::CampaignReview { draft });
            }
            Some(ReviewChoice::Change(field)) => {
                self.goto(DriveState::CampaignForm { draft, field });
            }
            Some(ReviewChoice::Discard) => self.done(MsgId::Cancelled),
            None => self.wrong(MsgId::ErrorChoice),
        }
    }

    /// The list of campaigns: edit one, or leave.
    pub(super) fn campaign_list_input(&mut self, input: &Input) {
        match self.pick_listed::<Back>(input) {
            Some(Some(Listed::Other(Back::Back))) => self.state = Some(State::Idle),
            Some(Some(Listed::Item(id))) => self.request = req(DriveRequest::EditCampaign { id }),
            Some(None) => self.stale(),
            None => self.wrong(MsgId::ErrorChoice),
        }
    }

    /// A campaign created or edited.
    pub(super) fn campaign_saved(&mut self, name: String, new: bool) {
        let id = if new {
            MsgId::CampaignCreated
        } else {
            MsgId::CampaignUpdated
        };
        self.done(Msg::new(id).str("name", name));
    }

    /// Another campaign has that name: back to the name, keeping the rest.
    pub(super) fn campaign_exists(&mut self) {
        self.say(MsgId::CampaignExists);
        let draft = match self.state.take() {
            Some(State::Drive(DriveState::CampaignReview { draft })) => draft,
            _ => CampaignDraft::default(),
        };
        self.goto(DriveState::CampaignForm {
            draft,
            field: CampaignField::Name,
        });
        self.prompt = crate::engine::PromptMode::Full;
    }
}

/// One question of the campaign form.
pub(super) fn field_prompt(field: CampaignField, r: &mut Reply) {
    r.parts.push(Msg::new(match field {
        CampaignField::Name => MsgId::CampaignAskName,
        CampaignField::Dates => MsgId::CampaignAskDates,
        CampaignField::Units => MsgId::CampaignAskUnits,
        CampaignField::People => MsgId::CampaignAskPeople,
    }));
    if matches!(field, CampaignField::Units | CampaignField::People) {
        r.choices = vec![skip()];
    }
}

/// The campaign form's review.
pub(super) fn review_prompt(draft: &CampaignDraft, r: &mut Reply) {
    let (from, to) = draft.dates.unwrap_or_default();
    let units = match draft.units.flatten() {
        Some((a, b)) if a == b => a.to_string(),
        Some((a, b)) => format!("{a}–{b}"),
        None => String::new(),
    };
    r.parts.push(
        Msg::new(MsgId::CampaignSummary)
            .str("name", draft.name.clone().unwrap_or_default())
            .str("from", format_vn(from))
            .str("to", format_vn(to))
            .opt("units", units)
            .opt(
                "people",
                draft
                    .people
                    .flatten()
                    .map(|p| p.to_string())
                    .unwrap_or_default(),
            ),
    );
    r.choices = review_choices([
        (CampaignField::Name, MsgId::CampaignFieldName),
        (CampaignField::Dates, MsgId::CampaignFieldDates),
        (CampaignField::Units, MsgId::CampaignFieldUnits),
        (CampaignField::People, MsgId::CampaignFieldPeople),
    ]);
}

/// Campaigns to pick one to edit.
pub(super) fn list_prompt(campaigns: &[Item], r: &mut Reply) {
    r.parts.push(Msg::new(MsgId::CampaignsPick));
    r.choices = Listed::<Back>::offer(campaigns, [back()]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_typed() {
        assert_eq!(parse_units("500"), Some((500, 500)));
        assert_eq!(parse_units("500-600"), Some((500, 600)));
        assert_eq!(parse_units("600-500"), None);
        assert_eq!(parse_units("nhiều"), None);
    }
}
