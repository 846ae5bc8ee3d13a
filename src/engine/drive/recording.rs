//! Donations: a coordinator records them by phone or check-in code (or removes the last
//! one), a donor reports their own.

use super::{DriveRequest, DriveState, RecordedDonation, req};
use crate::domain::dates::format_vn;
use crate::domain::eligibility::DonationKind;
use crate::domain::phone::PhoneNumber;
use crate::engine::Input;
use crate::engine::buttons::{Buttons, Listed, NoneOfThese, Sure};
use crate::engine::{Choice, Label, Reply, State, Turn, donation_kind_label};
use crate::engine::{Item, Request};
use crate::messages::{Msg, MsgId};
use chrono::NaiveDate;

/// A phone or a check-in code, as a coordinator types it (chat or dashboard).
pub fn find_donor_request(text: &str) -> Option<DriveRequest> {
    if let Ok(phone) = PhoneNumber::parse(text) {
        return Some(DriveRequest::FindDonor {
            phone: Some(phone),
            code: None,
        });
    }
    crate::domain::club::parse_invite_code(text).map(|code| DriveRequest::FindDonor {
        phone: None,
        code: Some(code),
    })
}

pub(super) fn kind_choices() -> Vec<Choice> {
    [
        (
            DonationKind::WholeBlood,
            &["toan phan", "mau", "whole", "blood"][..],
        ),
        (DonationKind::Platelets, &["tieu cau", "platelets"][..]),
        (DonationKind::Plasma, &["huyet tuong", "plasma"][..]),
    ]
    .into_iter()
    .map(|(k, syn)| KindChoice::Kind(k).offer(donation_kind_label(k), syn))
    .collect()
}

/// Back from the kinds of donation.
pub(super) fn kind_back() -> Choice {
    KindChoice::Back.offer(MsgId::ChoiceBack, &["quay lai", "back"])
}

/// What was given (by its kind's code), removing the donation recorded last, or back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KindChoice {
    Kind(DonationKind),
    RemoveLast,
    Back,
}

impl Buttons for KindChoice {
    const ALL: &'static [KindChoice] = &[
        KindChoice::Kind(DonationKind::WholeBlood),
        KindChoice::Kind(DonationKind::Platelets),
        KindChoice::Kind(DonationKind::Plasma),
        KindChoice::RemoveLast,
        KindChoice::Back,
    ];
    fn value(self) -> &'static str {
        match self {
            KindChoice::Kind(kind) => kind.code(),
            KindChoice::RemoveLast => "remove_last",
            KindChoice::Back => "back",
        }
    }
}

/// Recording a donation.
impl Turn<'_, '_> {
    /// A phone or a check-in code typed by a coordinator.
    pub(super) fn find_donor(&mut self, text: &str) -> Option<Request> {
        match find_donor_request(text) {
            Some(r) => req(r),
            None => {
                self.wrong(MsgId::RecordBadQuery);
                None
            }
        }
    }

    /// What was given is known: ask at which of today's drives, or record it.
    pub(super) fn record_kind(
        &mut self,
        donor: i64,
        name: String,
        kind: DonationKind,
        drives: Vec<Item>,
    ) {
        if drives.is_empty() {
            self.goto(DriveState::RecordWho);
            self.request = req(DriveRequest::Record {
                donor,
                kind,
                drive: None,
            });
        } else {
            self.goto(DriveState::RecordDrive {
                donor,
                name,
                kind,
                drives,
            })
        }
    }

    /// A donation inside the donor's interval: record it anyway?
    pub(super) fn record_early_input(
        &mut self,
        input: &Input,
        donor: i64,
        name: String,
        kind: DonationKind,
        drives: Vec<Item>,
    ) {
        match self.pick_yes_no_as(input, Sure::Yes, Sure::No) {
            Some(Sure::Yes) => self.record_kind(donor, name, kind, drives),
            Some(Sure::No) => {
                self.say(MsgId::RecordNotRecorded);
                self.goto(DriveState::RecordWho);
            }
            None => self.wrong(MsgId::ErrorChoice),
        }
    }

    /// The kind of donation being recorded (or removing the last one recorded).
    pub(super) fn record_kind_input(
        &mut self,
        input: &Input,
        donor: i64,
        name: String,
        drives: Vec<Item>,
        next: Option<NaiveDate>,
        last: Option<RecordedDonation>,
    ) {
        let Some(picked) = self.pick(input) else {
            return self.wrong(MsgId::ErrorChoice);
        };
        match KindChoice::parse(&picked) {
            Some(KindChoice::Back) => self.goto(DriveState::RecordWho),
            Some(KindChoice::RemoveLast) => match last {
                Some(last) => self.goto(DriveState::RecordConfirmRemove { donor, name, last }),
                None => self.stale(),
            },
            // Inside the interval of the donation before: asked first (the same donation
            // recorded twice is recognised by the store instead).
            Some(KindChoice::Kind(kind))
                if next.is_some_and(|n| n > self.ctx.today)
                    && !last.is_some_and(|l| l.date == self.ctx.today && l.kind == kind) =>
            {
                self.goto(DriveState::RecordConfirmEarly {
                    donor,
                    name,
                    kind,
                    drives,
                    next: next.unwrap_or(self.ctx.today),
                })
            }
            Some(KindChoice::Kind(kind)) => self.record_kind(donor, name, kind, drives),
            None => self.stale(),
        }
    }

    /// What the donor gave, as they report it themselves.
    pub(super) fn self_report_input(&mut self, input: &Input) {
        match self.pick(input).map(|v| KindChoice::parse(&v)) {
            Some(Some(KindChoice::Back)) => self.state = Some(State::Idle),
            Some(Some(KindChoice::Kind(kind))) => {
                self.state = Some(State::Idle);
                self.request = req(DriveRequest::SelfReport { kind });
            }
            // Not offered here.
            Some(Some(KindChoice::RemoveLast) | None) => self.stale(),
            None => self.wrong(MsgId::ErrorChoice),
        }
    }

    /// Whose donation: a phone or a check-in code, or "done".
    pub(super) fn record_who_input(&mut self, text: &str) {
        let folded = crate::domain::text::fold(text);
        if ["xong", "done", "het", "thoi"].contains(&folded.as_str()) {
            return self.done(MsgId::RecordDone);
        }
        self.request = self.find_donor(text);
    }

    /// Removing the donation recorded last: yes, or keep it.
    pub(super) fn record_remove_input(&mut self, input: &Input, last: RecordedDonation) {
        match self.pick_yes_no_as(input, Sure::Yes, Sure::No) {
            Some(Sure::Yes) => {
                self.goto(DriveState::RecordWho);
                self.request = req(DriveRequest::RemoveDonation { id: last.id });
            }
            Some(Sure::No) => {
                self.say(MsgId::RecordNotRemoved);
                self.goto(DriveState::RecordWho);
            }
            None => self.wrong(MsgId::ErrorChoice),
        }
    }

    /// At which of today's drives the donation was given, or none.
    pub(super) fn record_drive_input(&mut self, input: &Input, donor: i64, kind: DonationKind) {
        let drive = match self.pick_listed::<NoneOfThese>(input) {
            Some(Some(Listed::Item(id))) => Some(id),
            Some(Some(Listed::Other(NoneOfThese::None))) => None,
            Some(None) => return self.stale(),
            None => return self.wrong(MsgId::ErrorChoice),
        };
        self.goto(DriveState::RecordWho);
        self.request = req(DriveRequest::Record { donor, kind, drive });
    }

    /// A donation removed as a mistake.
    pub(super) fn donation_removed(&mut self, name: String, removed: RecordedDonation) {
        self.say(
            Msg::new(MsgId::RecordRemoved)
                .str("name", name)
                .str("date", format_vn(removed.date))
                .msg("kind", Msg::new(donation_kind_label(removed.kind))),
        );
        self.goto(DriveState::RecordWho);
    }

    /// The donor a coordinator is recording: who, and whether they may give today.
    pub(super) fn donor_found(
        &mut self,
        donor: i64,
        name: String,
        blood: String,
        next: Option<NaiveDate>,
        drives: Vec<Item>,
        last: Option<RecordedDonation>,
    ) {
        let ctx = self.ctx;
        // Said about the donor, to the coordinator.
        let eligible = match next {
            Some(d) if d > ctx.today => {
                Msg::new(MsgId::RecordEligibleFrom).str("date", format_vn(d))
            }
            _ => Msg::new(MsgId::RecordEligibleNow),
        };
        self.say(
            Msg::new(MsgId::RecordFound)
                .str("name", name.clone())
                .str("blood", blood)
                .msg("eligible", eligible),
        );
        self.goto(DriveState::RecordKind {
            donor,
            name,
            drives,
            next,
            last,
        });
    }

    /// A donation recorded (or already recorded today).
    pub(super) fn recorded(&mut self, name: String, count: i64, first: bool, again: bool) {
        self.say(if again {
            Msg::new(MsgId::DonationAlreadyRecorded)
        } else {
            Msg::new(MsgId::RecordDoneOne)
                .str("name", name)
                .num("count", count as f64)
                .str("first", if first { "yes" } else { "no" })
        });
        self.goto(DriveState::RecordWho);
    }
}

/// What the donor gave, as they report it.
pub(super) fn self_report_prompt(r: &mut Reply) {
    r.parts.push(Msg::new(MsgId::SelfReportAsk));
    r.choices = kind_choices().into_iter().chain([kind_back()]).collect();
}

/// What was given, or removing the donation recorded last.
pub(super) fn kind_prompt(last: Option<RecordedDonation>, r: &mut Reply) {
    r.parts.push(Msg::new(MsgId::RecordKindAsk));
    let remove = last.map(|l| Choice {
        value: KindChoice::RemoveLast.value().into(),
        label: Label::Msg(
            Msg::new(MsgId::ChoiceRemoveDonation)
                .str("date", format_vn(l.date))
                .msg("kind", Msg::new(donation_kind_label(l.kind))),
        ),
        synonyms: &["xoa", "remove"],
    });
    r.choices = kind_choices()
        .into_iter()
        .chain(remove)
        .chain([kind_back()])
        .collect();
}

/// A donation inside the interval: record it anyway?
pub(super) fn early_prompt(name: &str, next: NaiveDate, r: &mut Reply) {
    r.parts.push(
        Msg::new(MsgId::RecordEarlyConfirm)
            .str("name", name.to_string())
            .str("next", format_vn(next)),
    );
    r.choices = vec![
        Sure::Yes.offer(MsgId::ChoiceRecordAnyway, &["co", "yes", "van ghi"]),
        Sure::No.offer(MsgId::ChoiceDontRecord, &["khong", "no"]),
    ];
}

/// Removing the donation recorded last?
pub(super) fn remove_prompt(name: &str, last: RecordedDonation, r: &mut Reply) {
    r.parts.push(
        Msg::new(MsgId::RecordRemoveConfirm)
            .str("name", name.to_string())
            .str("date", format_vn(last.date))
            .msg("kind", Msg::new(donation_kind_label(last.kind))),
    );
    r.choices = vec![
        Sure::Yes.offer(MsgId::ChoiceRemoveYes, &["co", "yes", "xoa"]),
        Sure::No.offer(MsgId::ChoiceBack, &["khong", "no"]),
    ];
}

/// At which of today's drives.
pub(super) fn drive_prompt(drives: &[Item], r: &mut Reply) {
    r.parts.push(Msg::new(MsgId::RecordDriveAsk));
    r.choices = Listed::<NoneOfThese>::offer(
        drives,
        [NoneOfThese::None.offer(MsgId::ChoiceNoDrive, &["khong", "none"])],
    );
}
