//! A screen's buttons as a type: each choice a variant, its value (the callback data a
//! platform sends back) written and read in one place, so that the prompt that offers them
//! and the handler that reads the answer cannot drift apart on a string, and a handler's
//! `match` is exhaustive.

use super::{Choice, choice};
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
        check::<super::super::callout::Sure>();
    }
}
