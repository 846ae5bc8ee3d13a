//! Drives for donors: the list, a drive's card and menu, its slots, signing up and
//! withdrawing; staff cancelling a drive.

use super::{DriveRequest, DriveState, req};
use crate::domain::dates::format_vn;
use crate::domain::drive::{DriveInfo, TimeWindow, local_window};
use crate::engine::Item;
use crate::engine::buttons::{Back, Buttons, Listed, back, buttons};
use crate::engine::{Choice, Label, Reply, State, Turn};
use crate::engine::{Ctx, Input};
use crate::messages::{Msg, MsgId};
use chrono::NaiveDate;

/// `06/12 07:30 · place (province)` and a mark: the label of a drive in a list.
pub(super) fn drive_label(ctx: &Ctx, d: &DriveInfo) -> String {
    let (day, w) = local_window(d.starts_at, d.ends_at, ctx.tz);
    let mut place: String = d.place.chars().take(40).collect();
    if place.len() < d.place.len() {
        place.push('…');
    }
    let mark = if d.mine.is_some() {
        " ✓"
    } else if d.full() {
        " ⛔"
    } else {
        ""
    };
    use chrono::Datelike;
    let date = if day.year() == ctx.today.year() {
        day.format("%d/%m").to_string()
    } else {
        day.format("%d/%m/%Y").to_string()
    };
    format!(
        "{} {} · {} ({}){mark}",
        date,
        w.start.format("%H:%M"),
        place,
        d.province_name()
    )
}

/// The whole of a drive: when, where, room left, and the person's own sign-up.
pub(crate) fn drive_card(tz: chrono_tz::Tz, d: &DriveInfo) -> Msg {
    let (day, w) = local_window(d.starts_at, d.ends_at, tz);
    let state = if d.cancelled {
        "cancelled"
    } else if d.mine.is_some() {
        "mine"
    } else if d.full() {
        "full"
    } else {
        "open"
    };
    let slot = match d.mine {
        Some(Some(id)) => d
            .slots
            .iter()
            .find(|s| s.id == id)
            .map(|s| local_window(s.starts_at, s.ends_at, tz).1.label())
            .unwrap_or_default(),
        _ => String::new(),
    };
    Msg::new(MsgId::DriveCard)
        .str("date", format_vn(day))
        .msg("weekday", Msg::new(MsgId::Weekday).str("day", weekday(day)))
        .str("time", w.label())
        .str("place", d.place.clone())
        .str(
            "where",
            if d.commune.is_empty() {
                d.province_name()
            } else {
                format!("{}, {}", d.commune, d.province_name())
            },
        )
        .opt("campaign", d.campaign.clone().unwrap_or_default())
        .num("left", (d.capacity - d.taken).max(0) as f64)
        .num("capacity", d.capacity as f64)
        .str("state", state)
        .opt("slot", slot)
        .msg("open_days", open_days(d.open_days.as_deref()))
}

/// A fixed point's weekdays as one message ("Thứ Ba, Thứ Năm"); `none` for a drive.
pub(super) fn open_days(code: Option<&str>) -> Msg {
    let days = code.map(crate::domain::fixed_point::days_from_code);
    let Some(days) = days.filter(|d| !d.is_empty()) else {
        return Msg::new(MsgId::ListNone);
    };
    let name = |d: chrono::Weekday| {
        Msg::new(MsgId::Weekday).str("day", crate::domain::fixed_point::weekday_code(d))
    };
    let mut list = days.iter().rev().copied();
    let last = list.next().map(name).unwrap_or(Msg::new(MsgId::ListNone));
    list.fold(last, |rest, d| {
        Msg::new(MsgId::ListPair).msg("a", name(d)).msg("b", rest)
    })
}

/// The weekday's code, named by the messages (`mon` … `sun`).
pub(super) fn weekday(day: NaiveDate) -> &'static str {
    use chrono::Datelike;
    ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][day.weekday().num_days_from_monday() as usize]
}

buttons! {
    /// A drive's menu: sign up or withdraw (a donor), edit or cancel it (staff), or back to
    /// the list.
    pub enum DriveMenuChoice {
        SignUp = "signup",
        CancelSignUp = "cancel_signup",
        Edit = "edit",
        CancelDrive = "cancel_drive",
        Back = "back",
    }
}

buttons! {
    /// Cancelling a drive: yes, or back.
    pub enum CancelDriveChoice { Yes = "yes", Back = "back" }
}

/// A target typed as `500` or `500-600`.
/// A slot named by its start ("9h", "9:00"): the one with room that starts then.
pub(super) fn slot_at(drive: &DriveInfo, input: &Input, tz: chrono_tz::Tz) -> Option<i64> {
    let Input::Text(t) = input else {
        return None;
    };
    // "08:00", "8h", "8 giờ sáng": the slot that starts then, else the one slot that holds
    // that time.
    let at = crate::domain::drive::parse_time(t)
        .or_else(|| crate::domain::understand::time_of_day(t))?;
    let open: Vec<(&crate::domain::drive::SlotInfo, TimeWindow)> = drive
        .slots
        .iter()
        .filter(|s| !s.full())
        .map(|s| (s, local_window(s.starts_at, s.ends_at, tz).1))
        .collect();
    if let Some((s, _)) = open.iter().find(|(_, w)| w.start == at) {
        return Some(s.id);
    }
    match open
        .iter()
        .filter(|(_, w)| w.start <= at && at < w.end)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [(s, _)] => Some(s.id),
        _ => None,
    }
}

/// Drives to pick one from.
pub(super) fn drive_list(ctx: &Ctx, drives: &[DriveInfo]) -> State {
    State::Drive(DriveState::DriveList {
        drives: drives
            .iter()
            .map(|d| Item {
                id: d.id,
                label: drive_label(ctx, d),
            })
            .collect(),
    })
}

/// Signing up and the drive's menu.
impl Turn<'_, '_> {
    /// Whether the donor's interval is over on the drive's day.
    pub(super) fn eligible_on(&self, drive: &DriveInfo) -> bool {
        let day = local_window(drive.starts_at, drive.ends_at, self.ctx.tz).0;
        self.eligible_from().is_none_or(|f| day >= f)
    }

    pub(super) fn sign_up(&mut self, drive: &DriveInfo, slot: Option<i64>) {
        let day = local_window(drive.starts_at, drive.ends_at, self.ctx.tz).0;
        if let Some(from) = self.eligible_from().filter(|f| day < *f) {
            self.done(Msg::new(MsgId::SignUpNotYet).str("date", format_vn(from)));
            return;
        }
        self.state = Some(State::Idle);
        self.request = req(DriveRequest::SignUp { id: drive.id, slot });
    }

    /// Cancel this drive (everyone signed up is told)?
    pub(super) fn confirm_cancel_drive_input(&mut self, input: &Input, drive: DriveInfo) {
        match self.pick_yes_no_as(input, CancelDriveChoice::Yes, CancelDriveChoice::Back) {
            Some(CancelDriveChoice::Yes) => {
                self.state = Some(State::Idle);
                self.request = req(DriveRequest::CancelDrive { id: drive.id });
            }
            Some(CancelDriveChoice::Back) => self.done(MsgId::Cancelled),
            None => self.wrong(MsgId::ErrorChoice),
        }
    }

    /// A drive's menu: sign up (for a slot), withdraw, edit or cancel it.
    pub(super) fn drive_menu_input(&mut self, input: &Input, drive: DriveInfo) {
        let Some(picked) = self.pick(input) else {
            return self.wrong(MsgId::ErrorChoice);
        };
        match DriveMenuChoice::parse(&picked) {
            Some(DriveMenuChoice::SignUp) if !self.eligible_on(&drive) => {
                self.sign_up(&drive, None)
            }
            Some(DriveMenuChoice::SignUp) if !drive.slots.is_empty() => {
                self.goto(DriveState::ChooseSlot { drive })
            }
            Some(DriveMenuChoice::SignUp) => self.sign_up(&drive, None),
            Some(DriveMenuChoice::CancelSignUp) => {
                self.state = Some(State::Idle);
                self.request = req(DriveRequest::CancelSignUp { id: drive.id });
            }
            Some(DriveMenuChoice::Edit) => {
                self.state = Some(State::Idle);
                self.request = req(DriveRequest::DriveForm {
                    edit: Some(drive.id),
                });
            }
            Some(DriveMenuChoice::CancelDrive) => {
                self.goto(DriveState::ConfirmCancelDrive { drive })
            }
            Some(DriveMenuChoice::Back) => {
                self.state = Some(State::Idle);
                self.request = req(DriveRequest::List {
                    from: self.eligible_from(),
                });
            }
            None => self.stale(),
        }
    }

    /// The list of drives: open one, or leave.
    pub(super) fn drive_list_input(&mut self, input: &Input) {
        match self.pick_listed::<Back>(input) {
            Some(Some(Listed::Other(Back::Back))) => self.state = Some(State::Idle),
            Some(Some(Listed::Item(id))) => self.request = req(DriveRequest::Show { id }),
            Some(None) => self.stale(),
            None => self.wrong(MsgId::ErrorChoice),
        }
    }

    /// A slot of the drive, by its button or by its start ("9h"), or back to the drive.
    pub(super) fn choose_slot_input(&mut self, input: &Input, drive: DriveInfo) {
        match self
            .pick_listed::<Back>(input)
            .or_else(|| slot_at(&drive, input, self.ctx.tz).map(|s| Some(Listed::Item(s))))
        {
            Some(Some(Listed::Other(Back::Back))) => self.goto(DriveState::DriveMenu {
                drive,
                staff: false,
            }),
            Some(Some(Listed::Item(slot))) => self.sign_up(&drive, Some(slot)),
            Some(None) => self.stale(),
            None => self.wrong(MsgId::ErrorChoice),
        }
    }

    /// Upcoming drives to pick from (or that there are none).
    pub(super) fn show_drives(
        &mut self,
        drives: Vec<DriveInfo>,
        staff: bool,
        from: Option<NaiveDate>,
    ) {
        if drives.is_empty() {
            self.done(MsgId::DrivesNone);
            return;
        }
        self.say(match from {
            Some(d) => Msg::new(MsgId::DrivesFrom).str("date", format_vn(d)),
            None if staff => Msg::new(MsgId::DrivesAll),
            None => Msg::new(MsgId::DrivesNear),
        });
        self.state = Some(drive_list(self.ctx, &drives));
    }

    /// A full drive: the next ones that are not (or that there are none).
    pub(super) fn drive_full(&mut self, next: Vec<DriveInfo>) {
        if next.is_empty() {
            self.done(MsgId::DriveFull);
            return;
        }
        self.say(MsgId::DriveFullNext);
        self.state = Some(drive_list(self.ctx, &next));
    }

    /// A sign-up withdrawn.
    pub(super) fn sign_up_cancelled(&mut self, drive: DriveInfo) {
        let ctx = self.ctx;
        let (day, _) = local_window(drive.starts_at, drive.ends_at, ctx.tz);
        self.done(
            Msg::new(MsgId::SignUpCancelled)
                .str("place", drive.place)
                .str("date", format_vn(day)),
        );
    }
}

/// Upcoming drives to pick from.
pub(super) fn list_prompt(drives: &[Item], r: &mut Reply) {
    r.parts.push(Msg::new(MsgId::DrivesPick));
    r.choices = Listed::<Back>::offer(drives, [back()]);
}

/// A drive's menu: sign up or withdraw (a donor), edit or cancel (staff), back.
pub(super) fn menu_prompt(drive: &DriveInfo, staff: bool, r: &mut Reply) {
    r.parts.push(Msg::new(MsgId::DriveMenu));
    let mut c = Vec::new();
    if drive.mine.is_some() {
        c.push(
            DriveMenuChoice::CancelSignUp
                .offer(MsgId::ChoiceCancelSignUp, &["huy dang ky", "khong di"]),
        );
    } else if !drive.full() && !staff {
        c.push(DriveMenuChoice::SignUp.offer(MsgId::ChoiceSignUp, &["dang ky", "sign up", "di"]));
    }
    if staff {
        c.push(DriveMenuChoice::Edit.offer(MsgId::ChoiceEditDrive, &["sua", "edit"]));
        c.push(DriveMenuChoice::CancelDrive.offer(MsgId::ChoiceCancelDrive, &[]));
    }
    c.push(DriveMenuChoice::Back.offer(MsgId::ChoiceBack, &["quay lai", "back"]));
    r.choices = c;
}

/// The slots with room left, and back.
pub(super) fn slot_prompt(ctx: &Ctx, drive: &DriveInfo, r: &mut Reply) {
    r.parts.push(Msg::new(MsgId::ChooseSlot));
    r.choices = drive
        .slots
        .iter()
        .filter(|s| !s.full())
        .map(|s| Choice {
            value: Listed::<Back>::Item(s.id).value(),
            label: Label::Plain(format!(
                "{} ({})",
                local_window(s.starts_at, s.ends_at, ctx.tz).1.label(),
                s.capacity - s.taken
            )),
            synonyms: &[],
        })
        .chain([back()])
        .collect();
}

/// Cancelling a drive: how many are signed up, yes or back.
pub(super) fn cancel_prompt(drive: &DriveInfo, r: &mut Reply) {
    r.parts.push(
        Msg::new(MsgId::ConfirmCancelDrive)
            .str("place", drive.place.clone())
            .num("signups", drive.taken as f64),
    );
    r.choices = vec![
        CancelDriveChoice::Yes.offer(MsgId::ChoiceCancelDrive, &["co", "yes"]),
        CancelDriveChoice::Back.offer(MsgId::ChoiceBack, &["quay lai", "back"]),
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_point_days_read_as_one_list() {
        let cat = crate::messages::Catalogue::load().unwrap();
        let text = |code: Option<&str>| cat.render(crate::messages::Lang::Vi, &open_days(code));
        assert_eq!(text(Some("2,4")), "Thứ Ba, Thứ Năm");
        assert_eq!(text(Some("7")), "Chủ nhật");
        assert_eq!(text(Some("1,3,5")), "Thứ Hai, Thứ Tư, Thứ Sáu");
        assert_eq!(text(None), "none", "a drive's selector value");
        assert_eq!(text(Some("")), "none");
    }
}
