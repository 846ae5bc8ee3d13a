//! The drive form: a coordinator creates or edits a drive question by question, then
//! reviews it.

use super::{DriveRequest, DriveState, ReviewChoice, is_skip, req, review_choices, skip};
use crate::domain::dates::format_vn;
use crate::domain::drive::{
    DriveInput, DriveSpec, TimeWindow, parse_count, parse_place, parse_upcoming_day,
};
use crate::domain::province::{Province, ProvinceMatch};
use crate::engine::Input;
use crate::engine::Item;
use crate::engine::buttons::{Buttons, Listed, NoneOfThese, buttons};
use crate::engine::{Reply, State, Turn};
use crate::messages::{Msg, MsgId};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A question of the drive form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DriveField {
    Campaign,
    Place,
    Province,
    Commune,
    Date,
    Time,
    Capacity,
    Target,
    Slots,
}

/// A drive being written in chat (new, or `id` being edited).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DriveDraft {
    pub id: Option<i64>,
    /// `Some(None)`: no campaign chosen on purpose.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::domain::drive::double_option"
    )]
    pub campaign: Option<Option<i64>>,
    pub campaign_name: Option<String>,
    pub place: Option<String>,
    pub province: Option<Province>,
    pub commune: Option<String>,
    pub date: Option<NaiveDate>,
    pub window: Option<TimeWindow>,
    pub capacity: Option<i64>,
    /// `Some(None)`: no target.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::domain::drive::double_option"
    )]
    pub target: Option<Option<i64>>,
    pub slots: Option<Vec<TimeWindow>>,
}

impl DriveDraft {
    pub fn from_spec(id: i64, campaign: Option<(i64, String)>, spec: DriveSpec) -> DriveDraft {
        DriveDraft {
            id: Some(id),
            campaign: Some(campaign.as_ref().map(|c| c.0)),
            campaign_name: campaign.map(|c| c.1),
            place: Some(spec.place),
            province: Some(spec.province),
            commune: Some(spec.commune),
            date: Some(spec.date),
            window: Some(spec.window),
            capacity: Some(spec.capacity),
            target: Some(spec.target_units),
            slots: Some(spec.slots),
        }
    }

    fn next_field(&self) -> Option<DriveField> {
        use DriveField::*;
        Some(match self {
            d if d.campaign.is_none() => Campaign,
            d if d.place.is_none() => Place,
            d if d.province.is_none() => Province,
            d if d.commune.is_none() => Commune,
            d if d.date.is_none() => Date,
            d if d.window.is_none() => Time,
            d if d.capacity.is_none() => Capacity,
            d if d.target.is_none() => Target,
            d if d.slots.is_none() => Slots,
            _ => return None,
        })
    }

    /// The drive to save, once every required field is filled in.
    pub fn input(&self) -> Option<DriveInput> {
        Some(DriveInput {
            id: self.id,
            campaign: self.campaign.flatten(),
            spec: self.spec()?,
        })
    }

    pub fn spec(&self) -> Option<DriveSpec> {
        Some(DriveSpec {
            place: self.place.clone()?,
            province: self.province?,
            commune: self.commune.clone().unwrap_or_default(),
            date: self.date?,
            window: self.window?,
            capacity: self.capacity?,
            target_units: self.target.flatten(),
            slots: self.slots.clone().unwrap_or_default(),
            // The chat does not name units: an edited drive keeps the one it has.
            unit: None,
        })
    }
}

impl Buttons for ReviewChoice<DriveField> {
    const ALL: &'static [Self] = &[
        ReviewChoice::Save,
        ReviewChoice::Change(DriveField::Campaign),
        ReviewChoice::Change(DriveField::Place),
        ReviewChoice::Change(DriveField::Province),
        ReviewChoice::Change(DriveField::Commune),
        ReviewChoice::Change(DriveField::Date),
        ReviewChoice::Change(DriveField::Time),
        ReviewChoice::Change(DriveField::Capacity),
        ReviewChoice::Change(DriveField::Target),
        ReviewChoice::Change(DriveField::Slots),
        ReviewChoice::Discard,
    ];
    fn value(self) -> &'static str {
        match self {
            ReviewChoice::Save => "save",
            ReviewChoice::Change(f) => field_code(f),
            ReviewChoice::Discard => "discard",
        }
    }
}

buttons! {
    /// The drive form's slots when some are set: keep them, or none.
    pub enum SlotsChoice { Keep = "keep_slots", Skip = "skip" }
}

/// Slots typed as `07:30-09:00, 09:00-10:30`, inside the drive's window.
pub(super) fn parse_slots(text: &str, window: Option<TimeWindow>) -> Option<Vec<TimeWindow>> {
    let mut out: Vec<TimeWindow> = Vec::new();
    for part in text
        .split([',', ';', '\n'])
        .filter(|p| !p.trim().is_empty())
    {
        let w = TimeWindow::parse(part)?;
        if let Some(d) = window
            && (w.start < d.start || w.end > d.end)
        {
            return None;
        }
        if out.iter().any(|o| o.start < w.end && w.start < o.end) {
            return None;
        }
        out.push(w);
    }
    out.sort_by_key(|w| w.start);
    (!out.is_empty() && out.len() <= 12).then_some(out)
}

/// What an answer of the drive form did.
pub(super) enum Fill {
    /// Written: on to the next empty field.
    Next,
    /// Not understood: this, and the question again.
    Wrong(Msg),
    /// The new hours leave slots out: the slots are asked again.
    SlotsAgain,
}

pub(super) fn field_code(f: DriveField) -> &'static str {
    match f {
        DriveField::Campaign => "f_campaign",
        DriveField::Place => "f_place",
        DriveField::Province => "f_province",
        DriveField::Commune => "f_commune",
        DriveField::Date => "f_date",
        DriveField::Time => "f_time",
        DriveField::Capacity => "f_capacity",
        DriveField::Target => "f_target",
        DriveField::Slots => "f_slots",
    }
}

pub(super) const FIELDS: [DriveField; 9] = [
    DriveField::Campaign,
    DriveField::Place,
    DriveField::Province,
    DriveField::Commune,
    DriveField::Date,
    DriveField::Time,
    DriveField::Capacity,
    DriveField::Target,
    DriveField::Slots,
];

pub(super) fn field_label(f: DriveField) -> MsgId {
    match f {
        DriveField::Campaign => MsgId::DriveFieldCampaign,
        DriveField::Place => MsgId::DriveFieldPlace,
        DriveField::Province => MsgId::DriveFieldProvince,
        DriveField::Commune => MsgId::DriveFieldCommune,
        DriveField::Date => MsgId::DriveFieldDate,
        DriveField::Time => MsgId::DriveFieldTime,
        DriveField::Capacity => MsgId::DriveFieldCapacity,
        DriveField::Target => MsgId::DriveFieldTarget,
        DriveField::Slots => MsgId::DriveFieldSlots,
    }
}

pub(super) fn draft_summary(d: &DriveDraft) -> Msg {
    let slots = d
        .slots
        .as_ref()
        .map(|s| {
            s.iter()
                .map(TimeWindow::label)
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    Msg::new(MsgId::DriveSummary)
        .opt("campaign", d.campaign_name.clone().unwrap_or_default())
        .str("place", d.place.clone().unwrap_or_default())
        .str(
            "province",
            d.province.map(|p| p.name().to_string()).unwrap_or_default(),
        )
        .opt("commune", d.commune.clone().unwrap_or_default())
        .str("date", d.date.map(format_vn).unwrap_or_default())
        .str("time", d.window.map(|w| w.label()).unwrap_or_default())
        .num("capacity", d.capacity.unwrap_or_default() as f64)
        .opt(
            "target",
            d.target
                .flatten()
                .map(|t| t.to_string())
                .unwrap_or_default(),
        )
        .opt("slots", slots)
}

/// Filling the drive form.
impl Turn<'_, '_> {
    pub(super) fn drive_form(
        &mut self,
        mut draft: DriveDraft,
        field: DriveField,
        campaigns: Vec<Item>,
        input: &Input,
        text: &str,
    ) {
        match self.fill_drive_field(&mut draft, field, &campaigns, input, text) {
            Fill::Next => {}
            Fill::Wrong(why) => return self.wrong(why),
            Fill::SlotsAgain => {
                self.goto(DriveState::DriveForm {
                    draft,
                    field: DriveField::Slots,
                    campaigns,
                });
                return;
            }
        }
        self.open_drive_form(draft, campaigns);
    }

    /// One answer of the drive form written into the draft.
    pub(super) fn fill_drive_field(
        &mut self,
        draft: &mut DriveDraft,
        field: DriveField,
        campaigns: &[Item],
        input: &Input,
        text: &str,
    ) -> Fill {
        let today = self.ctx.today;
        match field {
            DriveField::Campaign => match self.pick_listed::<NoneOfThese>(input) {
                Some(Some(Listed::Other(NoneOfThese::None))) => {
                    draft.campaign = Some(None);
                    draft.campaign_name = None;
                    Fill::Next
                }
                Some(Some(Listed::Item(id))) => match campaigns.iter().find(|c| c.id == id) {
                    Some(c) => {
                        draft.campaign = Some(Some(c.id));
                        draft.campaign_name = Some(c.label.clone());
                        Fill::Next
                    }
                    None => Fill::Wrong(MsgId::ErrorChoice.into()),
                },
                Some(None) | None => Fill::Wrong(MsgId::ErrorChoice.into()),
            },
            DriveField::Place => match parse_place(text) {
                Some(p) => {
                    draft.place = Some(p);
                    Fill::Next
                }
                None => Fill::Wrong(MsgId::DriveBadPlace.into()),
            },
            DriveField::Province => match Province::find(text) {
                ProvinceMatch::One { province, .. } => {
                    draft.province = Some(province);
                    Fill::Next
                }
                ProvinceMatch::Many(list) => {
                    let names: Vec<&str> = list.iter().map(|p| p.name()).collect();
                    Fill::Wrong(Msg::new(MsgId::DriveProvinceWhich).str("names", names.join(", ")))
                }
                ProvinceMatch::None => Fill::Wrong(MsgId::ErrorProvince.into()),
            },
            DriveField::Commune => {
                draft.commune = Some(if is_skip(self.ctx, input) {
                    String::new()
                } else {
                    match crate::domain::donor::parse_commune(text) {
                        Ok(c) => c,
                        Err(_) => return Fill::Wrong(MsgId::DriveBadPlace.into()),
                    }
                });
                Fill::Next
            }
            DriveField::Date => match parse_upcoming_day(text, today) {
                Some(d) => {
                    draft.date = Some(d);
                    Fill::Next
                }
                None => Fill::Wrong(MsgId::DriveBadDate.into()),
            },
            DriveField::Time => self.fill_drive_time(draft, text),
            DriveField::Capacity => match parse_count(text) {
                Some(n) if n <= 100_000 => {
                    draft.capacity = Some(n);
                    Fill::Next
                }
                _ => Fill::Wrong(MsgId::DriveBadCount.into()),
            },
            DriveField::Target => {
                if is_skip(self.ctx, input) {
                    draft.target = Some(None);
                    Fill::Next
                } else {
                    match parse_count(text) {
                        Some(n) => {
                            draft.target = Some(Some(n));
                            Fill::Next
                        }
                        None => Fill::Wrong(MsgId::DriveBadCount.into()),
                    }
                }
            }
            DriveField::Slots => {
                if self.pick_as::<SlotsChoice>(input) == Some(SlotsChoice::Keep) {
                    Fill::Next
                } else if is_skip(self.ctx, input) {
                    draft.slots = Some(Vec::new());
                    Fill::Next
                } else {
                    match parse_slots(text, draft.window) {
                        Some(s) => {
                            draft.slots = Some(s);
                            Fill::Next
                        }
                        None => Fill::Wrong(MsgId::DriveBadSlots.into()),
                    }
                }
            }
        }
    }

    /// The drive's hours; slots that no longer fit are named and asked again.
    pub(super) fn fill_drive_time(&mut self, draft: &mut DriveDraft, text: &str) -> Fill {
        match TimeWindow::parse(text) {
            Some(w) => {
                draft.window = Some(w);
                // Slots that still fit the new hours are kept; the others are named and
                // the slots are asked about again (keep what fits, or type new ones).
                let slots = draft.slots.clone().unwrap_or_default();
                let (fit, gone): (Vec<TimeWindow>, Vec<TimeWindow>) = slots
                    .into_iter()
                    .partition(|s| s.start >= w.start && s.end <= w.end);
                if !gone.is_empty() {
                    let labels = |v: &[TimeWindow]| {
                        v.iter()
                            .map(TimeWindow::label)
                            .collect::<Vec<_>>()
                            .join(", ")
                    };
                    self.say(
                        Msg::new(MsgId::DriveSlotsNoLongerFit)
                            .str("gone", labels(&gone))
                            .str("kept", labels(&fit))
                            .num("kept_count", fit.len() as f64),
                    );
                    draft.slots = (!fit.is_empty()).then_some(fit);
                    return Fill::SlotsAgain;
                }
                Fill::Next
            }
            None => Fill::Wrong(MsgId::DriveBadTime.into()),
        }
    }

    /// The drive form's review: save, discard, or change a field.
    pub(super) fn drive_review_input(
        &mut self,
        input: &Input,
        draft: DriveDraft,
        campaigns: Vec<Item>,
    ) {
        match self.pick_yes_no_as(input, ReviewChoice::Save, ReviewChoice::Discard) {
            Some(ReviewChoice::Save) => match draft.input() {
                Some(input) => {
                    // Kept while saving: a date outside the campaign comes back here.
                    self.goto(DriveState::DriveReview { draft, campaigns });
                    self.request = req(DriveRequest::SaveDrive { input });
                }
                None => self.stale(),
            },
            Some(ReviewChoice::Discard) => self.done(MsgId::Cancelled),
            Some(ReviewChoice::Change(field)) => self.goto(DriveState::DriveForm {
                draft,
                field,
                campaigns,
            }),
            None => self.wrong(MsgId::ErrorChoice),
        }
    }

    /// The drive form at its first empty field (or its review when none is).
    pub(super) fn open_drive_form(&mut self, draft: DriveDraft, campaigns: Vec<Item>) {
        self.state = Some(match draft.next_field() {
            Some(field) => State::Drive(DriveState::DriveForm {
                draft,
                field,
                campaigns,
            }),
            None => State::Drive(DriveState::DriveReview { draft, campaigns }),
        });
    }

    /// The drive's day falls outside its campaign: the date is asked again.
    pub(super) fn outside_campaign(&mut self, name: String, from: NaiveDate, to: NaiveDate) {
        let Some(State::Drive(DriveState::DriveReview {
            mut draft,
            campaigns,
        })) = self.state.take()
        else {
            self.state = Some(State::Idle);
            return self.say(MsgId::Cancelled);
        };
        self.say(
            Msg::new(MsgId::DriveOutsideCampaign)
                .str("date", draft.date.map(format_vn).unwrap_or_default())
                .str("campaign", name)
                .str("from", format_vn(from))
                .str("to", format_vn(to)),
        );
        draft.date = None;
        self.goto(DriveState::DriveForm {
            draft,
            field: DriveField::Date,
            campaigns,
        });
    }
}

/// One question of the drive form.
pub(super) fn field_prompt(
    field: DriveField,
    draft: &DriveDraft,
    campaigns: &[Item],
    r: &mut Reply,
) {
    let id = match field {
        DriveField::Campaign => MsgId::DriveAskCampaign,
        DriveField::Place => MsgId::DriveAskPlace,
        DriveField::Province => MsgId::DriveAskProvince,
        DriveField::Commune => MsgId::DriveAskCommune,
        DriveField::Date => MsgId::DriveAskDate,
        DriveField::Time => MsgId::DriveAskTime,
        DriveField::Capacity => MsgId::DriveAskCapacity,
        DriveField::Target => MsgId::DriveAskTarget,
        DriveField::Slots => MsgId::DriveAskSlots,
    };
    r.parts.push(Msg::new(id));
    match field {
        DriveField::Campaign => {
            r.choices = Listed::<NoneOfThese>::offer(
                campaigns,
                [NoneOfThese::None.offer(MsgId::ChoiceNoCampaign, &["khong", "none"])],
            );
        }
        DriveField::Slots if draft.slots.as_ref().is_some_and(|s| !s.is_empty()) => {
            r.choices = vec![
                SlotsChoice::Keep.offer(MsgId::ChoiceKeepSlots, &["giu", "keep"]),
                SlotsChoice::Skip
                    .offer(MsgId::ChoiceSkip, &["bo qua", "skip", "khong", "none", "-"]),
            ];
        }
        DriveField::Commune | DriveField::Target | DriveField::Slots => {
            r.choices = vec![skip()];
        }
        _ => {}
    }
    let _ = draft;
}

/// The drive form's review.
pub(super) fn review_prompt(draft: &DriveDraft, r: &mut Reply) {
    r.parts.push(draft_summary(draft));
    r.choices = review_choices(FIELDS.iter().map(|f| (*f, field_label(*f))));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_typed() {
        let w = TimeWindow::parse("07:30-11:30");
        assert_eq!(
            parse_slots("07:30-09:00, 09:00-10:30", w).map(|s| s.len()),
            Some(2)
        );
        // Outside the drive, overlapping, or not times at all.
        assert_eq!(parse_slots("06:00-08:00", w), None);
        assert_eq!(parse_slots("07:30-09:00, 08:30-10:00", w), None);
        assert_eq!(parse_slots("sáng", w), None);
    }
}
