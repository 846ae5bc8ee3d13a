//! Drives in the conversation: donors list drives near them, sign up (for a slot), cancel,
//! show a check-in code and report a donation; coordinators create and edit drives and
//! campaigns, record donations by phone or check-in code, and read the progress report.
//!
//! Like clubs, every turn that needs the database ends with a [`DriveRequest`]; the caller
//! checks the roles, carries it out in the same transaction and hands back a
//! [`DriveOutcome`].
//!
//! ```text
//! > /drives                                   > /record 0912 345 678
//! Điểm hiến máu sắp tới (gần bạn trước):     Nguyễn Thị Lan · O+ · có thể hiến
//!   1. 06/12 07:30 · ĐH Hải Phòng (Hải Phòng)  Đã hiến gì?  1. Máu toàn phần …
//! > 1                                         > 1
//! Chủ nhật 06/12/2026, 07:30–11:30 …          Đã ghi nhận lần hiến thứ 3 của Nguyễn Thị Lan.
//!   1. Đăng ký  2. Quay lại                   Số điện thoại hoặc mã điểm danh tiếp theo?
//! ```

mod campaign;
mod form;
mod recording;
mod report;
mod signup;
mod types;

pub use campaign::{CampaignDraft, CampaignField};
pub use form::{DriveDraft, DriveField, SlotsChoice};
pub use recording::{KindChoice, find_donor_request};
use report::plan_request;
pub use report::{UnitOther, report_msg};
pub(crate) use signup::drive_card;
pub use signup::{CancelDriveChoice, DriveMenuChoice};
pub use types::{
    DriveOutcome, DriveRequest, DriveState, FileProgress, FileState, RecordedDonation,
};

use super::Request;
use super::buttons::{Buttons, Skip};
use super::{Choice, Command, Label, Reply, State, Turn};
use crate::engine::{Ctx, Input};
use crate::messages::{Msg, MsgId};
use chrono::NaiveDate;

pub(super) fn req(r: DriveRequest) -> Option<Request> {
    Some(Request::Drive(r))
}

/// A review's choices: save, change one field of the form, or discard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewChoice<F> {
    Save,
    Change(F),
    Discard,
}

/// The review's save and discard options, and one "change …" option per field between.
pub(super) fn review_choices<F: Copy>(fields: impl IntoIterator<Item = (F, MsgId)>) -> Vec<Choice>
where
    ReviewChoice<F>: Buttons,
{
    [ReviewChoice::Save.offer(MsgId::ChoiceSave, &["luu", "save", "ok"])]
        .into_iter()
        .chain(fields.into_iter().map(|(f, label)| {
            let mut c = ReviewChoice::Change(f).offer(label, &[]);
            c.label = Label::Msg(Msg::new(MsgId::ChoiceChangeField).msg("field", Msg::new(label)));
            c
        }))
        .chain([ReviewChoice::Discard.offer(MsgId::ChoiceDiscard, &["huy", "bo"])])
        .collect()
}

pub(super) fn is_skip(ctx: &Ctx, input: &Input) -> bool {
    super::pick(ctx.catalogue, &[skip()], input).is_some()
}

/// Leaving a form's field empty.
pub(super) fn skip() -> Choice {
    Skip::Skip.offer(MsgId::ChoiceSkip, &["bo qua", "skip", "khong", "none", "-"])
}

impl Turn<'_, '_> {
    pub(super) fn registered_donor(&self) -> bool {
        self.donor
            .as_ref()
            .is_some_and(|d| d.registered_at.is_some())
    }

    /// The day the donor may give again, if it is still to come.
    fn eligible_from(&self) -> Option<NaiveDate> {
        let last = self.donor.as_ref()?.last_donation?.complete()?;
        self.ctx
            .rules
            .next_eligible(last)
            .filter(|d| *d > self.ctx.today)
    }

    pub(super) fn drive_command(&mut self, cmd: Command, args: &str) {
        // Coordinators list drives without being donors themselves: the caller decides.
        let donor_only = matches!(cmd, Command::Checkin | Command::Gave);
        if donor_only && !self.registered_donor() {
            self.say(MsgId::DrivesNeedRegistration);
            return self.state = Some(self.base_state());
        }
        // A refusal leaves the person where they were (a stranger: at the consent question).
        self.state = Some(self.base_state());
        self.request = match cmd {
            Command::Drives => req(DriveRequest::List {
                from: self.eligible_from(),
            }),
            Command::Checkin => req(DriveRequest::Checkin),
            Command::Gave => {
                self.goto(DriveState::SelfReportKind);
                None
            }
            Command::Record if !args.is_empty() => self.find_donor(args),
            Command::Record => {
                // Only a coordinator gets the question: the caller checks first.
                req(DriveRequest::FindDonor {
                    phone: None,
                    code: None,
                })
            }
            Command::Report => req(plan_request(args).unwrap_or(DriveRequest::Report)),
            Command::Unit => req(DriveRequest::OfferUnit { asked: true }),
            Command::Target => match crate::domain::plan::parse_target_change(args) {
                Some((year, change)) => req(DriveRequest::SetTarget { year, change }),
                None => {
                    self.say(MsgId::PlanTargetUsage);
                    None
                }
            },
            Command::NewDrive => req(DriveRequest::DriveForm { edit: None }),
            Command::NewCampaign => req(DriveRequest::CampaignForm),
            Command::Campaigns => req(DriveRequest::CampaignList),
            _ => None,
        };
    }

    /// An answer in one of the drive flows, read by its screen's handler.
    pub(super) fn drive_input(&mut self, state: DriveState, input: &Input) {
        let text = match input {
            Input::Text(t) => t.trim().to_string(),
            _ => String::new(),
        };
        match state {
            DriveState::DriveList { .. } => self.drive_list_input(input),
            DriveState::DriveMenu { drive, .. } => self.drive_menu_input(input, drive),
            DriveState::ChooseSlot { drive } => self.choose_slot_input(input, drive),
            DriveState::ConfirmCancelDrive { drive } => {
                self.confirm_cancel_drive_input(input, drive)
            }
            DriveState::SelfReportKind => self.self_report_input(input),
            DriveState::UnitAsk => self.unit_answer(input, &text),
            DriveState::UnitChoose { units } => self.unit_choose_input(input, &text, units),
            DriveState::RecordWho => self.record_who_input(&text),
            DriveState::RecordKind {
                donor,
                name,
                drives,
                next,
                last,
            } => self.record_kind_input(input, donor, name, drives, next, last),
            DriveState::RecordConfirmEarly {
                donor,
                name,
                kind,
                drives,
                ..
            } => self.record_early_input(input, donor, name, kind, drives),
            DriveState::RecordConfirmRemove { last, .. } => self.record_remove_input(input, last),
            DriveState::RecordDrive { donor, kind, .. } => {
                self.record_drive_input(input, donor, kind)
            }
            DriveState::DriveForm {
                draft,
                field,
                campaigns,
            } => self.drive_form(draft, field, campaigns, input, &text),
            DriveState::DriveReview { draft, campaigns } => {
                self.drive_review_input(input, draft, campaigns)
            }
            DriveState::CampaignForm { draft, field } => {
                self.campaign_form(draft, field, input, &text)
            }
            DriveState::CampaignList { .. } => self.campaign_list_input(input),
            DriveState::CampaignReview { draft } => self.campaign_review_input(input, draft),
        }
    }

    /// On to this screen of the drive flows.
    fn goto(&mut self, state: DriveState) {
        self.state = Some(State::Drive(state));
    }

    pub(super) fn drive_outcome(&mut self, outcome: DriveOutcome) {
        let ctx = self.ctx;
        match outcome {
            DriveOutcome::List {
                drives,
                staff,
                from,
            } => self.show_drives(drives, staff, from),
            DriveOutcome::Drive { drive, staff } => {
                self.say(drive_card(ctx.tz, &drive));
                self.goto(DriveState::DriveMenu { drive, staff });
            }
            // Only the dashboard asks for a drive's sign-ups; a chat would read its card.
            DriveOutcome::Signups { drive, .. } => self.done(drive_card(ctx.tz, &drive)),
            // Only the dashboard asks for these (its donors page); a chat would be told to
            // ask for a link to it.
            DriveOutcome::DonorMap(_)
            | DriveOutcome::DonorCards(_)
            | DriveOutcome::CalendarImported { .. }
            | DriveOutcome::DonationsImported(_)
            | DriveOutcome::FileStaged { .. }
            | DriveOutcome::FileProgress(_)
            | DriveOutcome::FileRejected(_) => self.done(MsgId::WebOnly),
            DriveOutcome::NoSuchDrive | DriveOutcome::Closed => self.done(MsgId::DriveClosed),
            DriveOutcome::SignedUp { drive, .. } => {
                self.done(Msg::new(MsgId::SignedUp).msg("drive", drive_card(ctx.tz, &drive)))
            }
            DriveOutcome::AlreadySigned => self.done(MsgId::SignUpAlready),
            DriveOutcome::Full { next } => self.drive_full(next),
            DriveOutcome::SlotFull { drive } => {
                self.say(MsgId::SlotFull);
                self.goto(DriveState::ChooseSlot { drive });
                self.prompt = crate::engine::PromptMode::Full;
            }
            DriveOutcome::SignUpCancelled { drive } => self.sign_up_cancelled(drive),
            DriveOutcome::Checkin { code, until } => self.done(
                Msg::new(MsgId::CheckinCode)
                    .str("code", code)
                    .str("until", until),
            ),
            DriveOutcome::SelfReported => self.done(MsgId::SelfReported),
            DriveOutcome::AlreadyRecorded => self.done(MsgId::DonationAlreadyRecorded),
            DriveOutcome::DonationRemoved { name, removed } => self.donation_removed(name, removed),
            DriveOutcome::DonorFound {
                donor,
                name,
                blood,
                next,
                drives,
                last,
            } => self.donor_found(donor, name, blood, next, drives, last),
            DriveOutcome::DonorNotFound => {
                self.wrong(MsgId::RecordNotFound);
                self.goto(DriveState::RecordWho);
            }
            DriveOutcome::SeveralDonors => {
                self.wrong(MsgId::RecordSeveral);
                self.goto(DriveState::RecordWho);
            }
            DriveOutcome::Recorded {
                name,
                count,
                first,
                again,
            } => self.recorded(name, count, first, again),
            DriveOutcome::Report { year, report } => self.show_report(year, report),
            DriveOutcome::Plan { figures, unit } => self.show_plan(&figures, unit),
            DriveOutcome::UnitQuestion { any: true, .. } => self.goto(DriveState::UnitAsk),
            DriveOutcome::UnitQuestion { any: false, asked } => self.no_units(asked),
            DriveOutcome::UnitsFound(units) if units.is_empty() => {
                self.say(MsgId::UnitNotFound);
                self.goto(DriveState::UnitAsk);
            }
            DriveOutcome::UnitsFound(units) => self.goto(DriveState::UnitChoose { units }),
            DriveOutcome::TargetSet(targets) => {
                self.done(crate::engine::plan::targets_msg(&targets, self.lang))
            }
            DriveOutcome::UnitSet { name } => {
                self.done(Msg::new(MsgId::UnitSaved).str("unit", name))
            }
            DriveOutcome::DriveForm {
                draft, campaigns, ..
            } => self.open_drive_form(draft, campaigns),
            DriveOutcome::OutsideCampaign { name, from, to } => {
                self.outside_campaign(name, from, to)
            }
            DriveOutcome::DriveSaved { new, notified } => self.done(if new {
                Msg::new(MsgId::DriveCreated)
            } else {
                Msg::new(MsgId::DriveUpdated).num("notified", notified as f64)
            }),
            DriveOutcome::DriveCancelled { notified } => {
                self.done(Msg::new(MsgId::DriveCancelledDone).num("notified", notified as f64))
            }
            DriveOutcome::CampaignForm => {
                self.goto(DriveState::CampaignForm {
                    draft: CampaignDraft::default(),
                    field: CampaignField::Name,
                });
            }
            DriveOutcome::MayRecord => self.goto(DriveState::RecordWho),
            DriveOutcome::NeedsRegistration => {
                self.say(MsgId::DrivesNeedRegistration);
                self.state = Some(self.base_state());
            }
            DriveOutcome::CampaignSaved { name, new } => self.campaign_saved(name, new),
            DriveOutcome::Campaigns(list) if list.is_empty() => self.done(MsgId::CampaignsNone),
            DriveOutcome::Campaigns(campaigns) => {
                self.goto(DriveState::CampaignList { campaigns });
            }
            DriveOutcome::CampaignDraft(draft) => {
                self.goto(DriveState::CampaignReview { draft });
            }
            DriveOutcome::CampaignExists => self.campaign_exists(),
        }
    }
}

/// The question and options of a drive state: each screen's prompt stands beside its
/// handler, in the file of its flow.
pub(super) fn prompt(ctx: &Ctx, state: &DriveState, r: &mut Reply) {
    match state {
        DriveState::DriveList { drives } => signup::list_prompt(drives, r),
        DriveState::DriveMenu { drive, staff } => signup::menu_prompt(drive, *staff, r),
        DriveState::ChooseSlot { drive } => signup::slot_prompt(ctx, drive, r),
        DriveState::ConfirmCancelDrive { drive } => signup::cancel_prompt(drive, r),
        DriveState::SelfReportKind => recording::self_report_prompt(r),
        DriveState::UnitAsk => report::unit_ask_prompt(r),
        DriveState::UnitChoose { units } => report::unit_choose_prompt(units, r),
        DriveState::RecordWho => r.parts.push(Msg::new(MsgId::RecordAsk)),
        DriveState::RecordKind { last, .. } => recording::kind_prompt(*last, r),
        DriveState::RecordConfirmEarly { name, next, .. } => {
            recording::early_prompt(name, *next, r)
        }
        DriveState::RecordConfirmRemove { name, last, .. } => {
            recording::remove_prompt(name, *last, r)
        }
        DriveState::RecordDrive { drives, .. } => recording::drive_prompt(drives, r),
        DriveState::DriveForm {
            draft,
            field,
            campaigns,
        } => form::field_prompt(*field, draft, campaigns, r),
        DriveState::DriveReview { draft, .. } => form::review_prompt(draft, r),
        DriveState::CampaignForm { field, .. } => campaign::field_prompt(*field, r),
        DriveState::CampaignReview { draft } => campaign::review_prompt(draft, r),
        DriveState::CampaignList { campaigns } => campaign::list_prompt(campaigns, r),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_new_states_read_back_as_stored() {
        use crate::engine::State;
        for json in [
            r#"{"state":"unit_ask"}"#,
            r#"{"state":"unit_choose","units":[{"id":1,"label":"Trường Đại học Hải Phòng"}]}"#,
            r#"{"state":"family_menu","code":"ABCDEF"}"#,
            r#"{"state":"family_menu"}"#,
        ] {
            let state: State = serde_json::from_str(json).unwrap_or_else(|e| panic!("{json}: {e}"));
            assert_eq!(serde_json::to_string(&state).unwrap(), json);
        }
        let s: State = serde_json::from_str(r#"{"state":"unit_ask"}"#).unwrap();
        assert_eq!(s, State::Drive(DriveState::UnitAsk));
    }

    #[test]
    fn a_skipped_answer_survives_storage() {
        let draft = DriveDraft {
            campaign: Some(None),
            target: Some(None),
            ..DriveDraft::default()
        };
        let json = serde_json::to_string(&draft).unwrap();
        assert_eq!(serde_json::from_str::<DriveDraft>(&json).unwrap(), draft);
        let fresh = serde_json::to_string(&DriveDraft::default()).unwrap();
        assert_eq!(
            serde_json::from_str::<DriveDraft>(&fresh).unwrap(),
            DriveDraft::default()
        );
        let c = CampaignDraft {
            units: Some(None),
            people: Some(Some(5)),
            ..CampaignDraft::default()
        };
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(serde_json::from_str::<CampaignDraft>(&json).unwrap(), c);
    }
}
