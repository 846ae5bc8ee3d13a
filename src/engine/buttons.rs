//! A screen's buttons as a type: each choice a variant, its value (the callback data a
//! platform sends back) written and read in one place, so that the prompt that offers them
//! and the handler that reads the answer cannot drift apart on a string, and a handler's
//! `match` is exhaustive.

use super::{Choice, Item, Label, choice};
use crate::messages::MsgId;

/// A set of buttons: [`buttons!`] writes it.
pub trait Buttons: Copy + Sized + 'static {
    /// Every choice, in the order offered.
    const ALL: &'static [Self];
    /// The value the platform sends back for this choice.
    fn value(self) -> &'static str;
    /// The choice whose value this is.
    fn parse(value: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|b| b.value() == value)
    }
    /// The option offered for this choice: its label and the words that also pick it.
    fn offer(self, label: MsgId, synonyms: &'static [&'static str]) -> Choice {
        choice(self.value(), label, synonyms)
    }
}

/// `buttons! { /// doc  pub enum Name { Variant = "value", … } }`: the enum and its
/// [`Buttons`] implementation.
macro_rules! buttons {
    ($(#[$meta:meta])* $vis:vis enum $name:ident {
        $($(#[$vmeta:meta])* $variant:ident = $value:literal),+ $(,)?
    }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        $vis enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $crate::engine::buttons::Buttons for $name {
            const ALL: &'static [$name] = &[$($name::$variant),+];
            fn value(self) -> &'static str {
                match self {
                    $($name::$variant => $value),+
                }
            }
        }
    };
}
pub(crate) use buttons;

buttons! {
    /// The consent question, at registration and when the text is renewed.
    pub enum Consent { Agree = "agree", Disagree = "disagree" }
}

buttons! {
    /// Urgent call-outs at night.
    pub enum Night { Yes = "night_yes", No = "night_no" }
}

buttons! {
    /// Below or above the donors' age: register as a supporter, or correct the birth date.
    pub enum AgeChoice { Supporter = "supporter", FixBirthDate = "fix" }
}

buttons! {
    /// The registration's summary.
    pub enum SummaryChoice { Confirm = "confirm", Edit = "edit" }
}

buttons! {
    /// Erasing one's data.
    pub enum DeleteChoice { Delete = "delete", Keep = "keep" }
}

buttons! {
    /// A question that may be left unanswered.
    pub enum Skip { Skip = "skip" }
}

buttons! {
    /// Leaving a list or a question without answering it.
    pub enum Back { Back = "back" }
}

/// The "back" option, with the words that also pick it.
pub fn back() -> Choice {
    Back::Back.offer(MsgId::ChoiceBack, &["quay lai", "back"])
}

buttons! {
    /// A yes-or-no question (recording early, removing a donation, closing a call-out).
    pub enum Sure { Yes = "yes", No = "no" }
}

buttons! {
    /// "None of these" under a list (no drive, no campaign).
    pub enum NoneOfThese { None = "none" }
}

/// A choice in a list of things named by id (drives, slots, campaigns, call-outs, pledges,
/// units): one of them, or one of the screen's other buttons `B` below the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listed<B> {
    /// The item with this id.
    Item(i64),
    /// One of the buttons below the list.
    Other(B),
}

impl<B: Buttons> Listed<B> {
    /// The value the platform sends back: the id, or the other button's value.
    pub fn value(self) -> String {
        match self {
            Listed::Item(id) => id.to_string(),
            Listed::Other(b) => b.value().to_string(),
        }
    }

    /// The choice whose value this is; `None` for anything else (a stale or forged value).
    pub fn parse(value: &str) -> Option<Listed<B>> {
        B::parse(value)
            .map(Listed::Other)
            .or_else(|| value.parse().ok().map(Listed::Item))
    }

    /// One option per item, labelled with the item's label, followed by `others`.
    pub fn offer(list: &[Item], others: impl IntoIterator<Item = Choice>) -> Vec<Choice> {
        list.iter()
            .map(|i| Choice {
                value: Listed::<B>::Item(i.id).value(),
                label: Label::Plain(i.label.clone()),
                synonyms: &[],
            })
            .chain(others)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every value reads back as its choice, and no two choices of a set share one.
    #[test]
    fn values_read_back() {
        fn check<B: Buttons + PartialEq + std::fmt::Debug>() {
            for b in B::ALL {
                assert_eq!(B::parse(b.value()), Some(*b));
            }
            let mut values: Vec<&str> = B::ALL.iter().map(|b| b.value()).collect();
            values.sort();
            values.dedup();
            assert_eq!(values.len(), B::ALL.len());
            assert_eq!(B::parse("no such value"), None);
        }
        check::<Consent>();
        check::<Night>();
        check::<AgeChoice>();
        check::<SummaryChoice>();
        check::<DeleteChoice>();
        check::<Skip>();
        check::<super::super::club::RemoveChoice>();
        check::<super::super::club::PreviewChoice>();
        check::<super::super::club::FamilyChoice>();
        check::<Sure>();
        check::<Back>();
        check::<NoneOfThese>();
        {
            use super::super::drive::{
                CampaignField, CancelDriveChoice, DriveField, DriveMenuChoice, KindChoice,
                ReviewChoice, SlotsChoice, UnitOther,
            };
            check::<DriveMenuChoice>();
            check::<CancelDriveChoice>();
            check::<UnitOther>();
            check::<SlotsChoice>();
            check::<KindChoice>();
            check::<ReviewChoice<DriveField>>();
            check::<ReviewChoice<CampaignField>>();
        }
    }

    /// An id or one of the other buttons reads back; anything else is refused.
    #[test]
    fn listed_values_read_back() {
        for item in [Listed::Item(0), Listed::Item(42), Listed::Other(Back::Back)] {
            assert_eq!(Listed::parse(&item.value()), Some(item));
        }
        for bad in ["", "backk", "12a", "none", "1.5"] {
            assert_eq!(Listed::<Back>::parse(bad), None, "{bad}");
        }
        let offered = Listed::<NoneOfThese>::offer(
            &[Item {
                id: 7,
                label: "Nhà văn hoá".into(),
            }],
            [NoneOfThese::None.offer(MsgId::ChoiceNoDrive, &[])],
        );
        let values: Vec<&str> = offered.iter().map(|c| c.value.as_str()).collect();
        assert_eq!(values, ["7", "none"]);
    }
}
