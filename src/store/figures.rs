//! The year's figures: one definition each, as SQL read by every report (`/report` in all
//! its forms, `hienmau report` and `plan report` in text and CSV, `/bangxephang`, `plan
//! honours`, the dashboard's overview). What a donation counts for is decided when it is
//! recorded and stored on its row (`donations.rs`); a figure only counts stored facts.
//! docs/GUIDE.md ("What the figures mean") says the same in words.
//!
//! - **donation**: a row of `donations` dated in the period (its day, as the donor gave),
//!   whoever put it on record; an erased donor's donations stay, anonymous.
//! - **unit of blood**: [`super::plan`]'s convention over those rows (250 ml of whole
//!   blood a unit, an apheresis donation one unit).
//! - **sign-up**: a place taken at a drive that was not cancelled, neither cancelled by the
//!   donor nor released because they gave first elsewhere ([`COUNTED_SIGNUP`]); it belongs
//!   to the year of its drive's day.
//! - **person reached**: a donor a campaign's announcement was sent to or who signed up for
//!   one of its drives, once per campaign (`campaign_reach`).
//! - **repeat donation**: the stored `repeat_donor` ([`super::donations::REFRESH_REPEAT`]).
//! - **new donor**: a donor with a donation in the period that is not a repeat donation
//!   (their first ever), counted once ([`NEW_DONOR`]).
//! - **drive held**: a drive not cancelled whose day is in the period; a fixed point's open
//!   days are counted apart ([`DRIVE_HELD`]).
//! - **campaign**: a donation counts for the campaign stored on it when that campaign is
//!   one of the year's; every other donation of the year is "outside campaigns".

/// A sign-up that counts, over `signups s JOIN drives d`.
pub(super) const COUNTED_SIGNUP: &str =
    "s.status IN ('active', 'attended') AND d.cancelled_at IS NULL";

/// A drive held, over `drives` (no alias), between two bind parameters of unix ms.
pub(super) const DRIVE_HELD: &str = "cancelled_at IS NULL";

/// A donation that made its donor a new donor, over `donations n`.
pub(super) const NEW_DONOR: &str = "NOT n.repeat_donor";

/// Outside the campaigns of the year bound as `year_param`: `campaign` (a donation's or a
/// drive's campaign column) names none of them.
pub(super) fn outside_campaigns(campaign: &str, year_param: &str) -> String {
    format!(
        "({campaign} IS NULL OR NOT EXISTS (SELECT 1 FROM campaigns c \
         WHERE c.id = {campaign} AND c.year = {year_param}))"
    )
}
