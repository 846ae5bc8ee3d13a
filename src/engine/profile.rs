//! A donor's own data: the profile (and the card a coordinator reads), changing a field,
//! the language, erasing everything, and agreeing again to a newer consent text.

use super::buttons::{Buttons, Consent, DeleteChoice};
use super::{CONSENT_VERSION, callout};
use super::{Ctx, DonorChange, Input, Reply, State, Turn, choice, donation_kind_label};
use crate::domain::blood::{Abo, BloodGroup, Rh};
use crate::domain::body::Sex;
use crate::domain::dates::format_vn;
use crate::domain::donor::{Donor, Field, LastDonationAnswer};
use crate::messages::{Lang, Msg, MsgId};

pub(super) fn field_code(f: Field) -> &'static str {
    match f {
        Field::Name => "name",
        Field::Phone => "phone",
        Field::BirthDate => "birth_date",
        Field::Sex => "sex",
        Field::Weight => "weight",
        Field::BloodGroup => "blood_group",
        Field::Province => "province",
        Field::Commune => "commune",
        Field::LastDonationKind | Field::LastDonationDate => "last_donation",
        Field::NightAlerts => "night_alerts",
    }
}

pub(super) fn field_from_code(code: &str) -> Option<Field> {
    Some(match code {
        "name" => Field::Name,
        "phone" => Field::Phone,
        "birth_date" => Field::BirthDate,
        "sex" => Field::Sex,
        "weight" => Field::Weight,
        "blood_group" => Field::BloodGroup,
        "province" => Field::Province,
        "commune" => Field::Commune,
        "last_donation" => Field::LastDonationKind,
        "night_alerts" => Field::NightAlerts,
        _ => return None,
    })
}

pub(super) fn field_label(f: Field) -> MsgId {
    match f {
        Field::Name => MsgId::FieldName,
        Field::Phone => MsgId::FieldPhone,
        Field::BirthDate => MsgId::FieldBirthDate,
        Field::Sex => MsgId::FieldSex,
        Field::Weight => MsgId::FieldWeight,
        Field::BloodGroup => MsgId::FieldBloodGroup,
        Field::Province => MsgId::FieldProvince,
        Field::Commune => MsgId::FieldCommune,
        Field::LastDonationKind | Field::LastDonationDate => MsgId::FieldLastDonation,
        Field::NightAlerts => MsgId::FieldNightAlerts,
    }
}

/// A choice of the edit menu: a field to change, or back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum EditChoice {
    Field(Field),
    Back,
}

impl EditChoice {
    fn value(self) -> &'static str {
        match self {
            EditChoice::Field(field) => field_code(field),
            EditChoice::Back => "back",
        }
    }

    fn parse(value: &str) -> Option<EditChoice> {
        match value {
            "back" => Some(EditChoice::Back),
            code => field_from_code(code).map(EditChoice::Field),
        }
    }
}

pub(super) fn or_not_given(v: Option<String>) -> Msg {
    match v {
        Some(s) => Msg::new(MsgId::ValueText).str("text", s),
        None => Msg::new(MsgId::ValueNotGiven),
    }
}

pub fn blood_label(g: BloodGroup) -> Msg {
    let abo = g.abo.map(|a| match a {
        Abo::O => "O",
        Abo::A => "A",
        Abo::B => "B",
        Abo::AB => "AB",
    });
    let rh = g.rh.map(|r| match r {
        Rh::Positive => "+",
        Rh::Negative => "-",
    });
    match (abo, rh) {
        (Some(a), Some(r)) => Msg::new(MsgId::ValueText).str("text", format!("{a}{r}")),
        (Some(a), None) => Msg::new(MsgId::ValueRhUnknown).str("abo", a),
        (None, Some(r)) => Msg::new(MsgId::ValueAboUnknown).str("rh", r),
        (None, None) => Msg::new(MsgId::ValueUnknown),
    }
}

pub(super) fn sex_label(s: Sex) -> Msg {
    Msg::new(match s {
        Sex::Male => MsgId::ChoiceMale,
        Sex::Female => MsgId::ChoiceFemale,
    })
}

/// When the donor may give next, as a sentence.
pub fn eligibility(ctx: &Ctx, d: &Donor) -> Msg {
    if let (Some(sex), Some(w)) = (d.sex, d.weight)
        && !ctx.rules.weight_ok(sex, w)
    {
        return Msg::new(MsgId::EligibleWeight).num("min", ctx.rules.min_weight(sex));
    }
    if let Some(LastDonationAnswer::DateForgotten(_)) = d.last_donation {
        return Msg::new(MsgId::EligibleDateForgotten);
    }
    match d.last_donation.and_then(LastDonationAnswer::complete) {
        Some(last) => match ctx.rules.next_eligible(last) {
            Some(next) if next > ctx.today => {
                Msg::new(MsgId::EligibleFrom).str("date", format_vn(next))
            }
            Some(_) => Msg::new(MsgId::EligibleNow),
            None => Msg::new(MsgId::EligibleFirstTime),
        },
        None => Msg::new(MsgId::ValueNotGiven),
    }
}

pub(super) fn last_donation_label(d: &Donor) -> Msg {
    match d.last_donation {
        Some(LastDonationAnswer::Never) => Msg::new(MsgId::ValueNever),
        Some(LastDonationAnswer::Given { kind, date }) if d.last_donation_month => {
            Msg::new(MsgId::ValueDonationMonth)
                .msg("kind", Msg::new(donation_kind_label(kind)))
                .str("month", date.format("%m/%Y").to_string())
        }
        Some(LastDonationAnswer::Given { kind, date }) => Msg::new(MsgId::ValueDonation)
            .msg("kind", Msg::new(donation_kind_label(kind)))
            .str("date", format_vn(date)),
        Some(LastDonationAnswer::DateForgotten(kind)) => {
            Msg::new(MsgId::ValueDonationForgotten).msg("kind", Msg::new(donation_kind_label(kind)))
        }
        _ => Msg::new(MsgId::ValueNotGiven),
    }
}

pub(super) fn phone_label(d: &Donor) -> Msg {
    match &d.phone {
        Some(p) if d.phone_verified => {
            Msg::new(MsgId::ValuePhoneVerified).str("phone", p.national())
        }
        p => or_not_given(p.as_ref().map(|p| p.national())),
    }
}

pub(super) fn commune_label(d: &Donor) -> Msg {
    match &d.commune {
        Some(c) if c.is_empty() => Msg::new(MsgId::ValueSkipped),
        c => or_not_given(c.clone()),
    }
}

/// The fields shared by the summary and the profile.
pub(super) fn with_fields(m: Msg, ctx: &Ctx, d: &Donor) -> Msg {
    m.msg("name", or_not_given(d.name.clone()))
        .msg("phone", phone_label(d))
        .msg("birth", or_not_given(d.birth_date.map(format_vn)))
        .msg(
            "sex",
            d.sex
                .map(sex_label)
                .unwrap_or_else(|| Msg::new(MsgId::ValueNotGiven)),
        )
        .msg(
            "weight",
            d.weight.map_or(Msg::new(MsgId::ValueNotGiven), |w| {
                Msg::new(MsgId::ValueKg).num("kg", w.kg())
            }),
        )
        .msg(
            "blood",
            d.blood_group
                .map(blood_label)
                .unwrap_or_else(|| Msg::new(MsgId::ValueNotGiven)),
        )
        .msg(
            "province",
            or_not_given(d.province.map(|p| p.name().to_string())),
        )
        .msg("commune", commune_label(d))
        .msg("last", last_donation_label(d))
        .msg("eligibility", eligibility(ctx, d))
        .msg(
            "night",
            Msg::new(match d.night_alerts {
                Some(true) => MsgId::ValueNightYes,
                Some(false) => MsgId::ValueNightNo,
                None => MsgId::ValueNotGiven,
            }),
        )
}

pub(super) fn summary(ctx: &Ctx, d: &Donor) -> Msg {
    with_fields(Msg::new(MsgId::Summary), ctx, d)
}

/// What the profile and a coordinator's lookup both say about a donor: the answers, the
/// status, the consent on record and what they receive.
pub(super) fn held_fields(m: Msg, ctx: &Ctx, d: &Donor) -> Msg {
    let status = if d.registered_at.is_none() {
        MsgId::ProfileStatusRegistering
    } else if d.supporter {
        MsgId::ProfileStatusSupporter
    } else {
        MsgId::ProfileStatusDonor
    };
    let consent_day = chrono::DateTime::from_timestamp_millis(d.consent_at)
        .map(|t| format_vn(t.with_timezone(&ctx.tz).date_naive()))
        .unwrap_or_default();
    with_fields(m, ctx, d)
        .msg("status", Msg::new(status))
        .str("consent_date", consent_day)
        .str("consent_version", d.consent_version.clone())
        .msg(
            "messages",
            Msg::new(if d.paused {
                MsgId::ProfileMessagesPaused
            } else {
                MsgId::ProfileMessagesOn
            }),
        )
        .msg("urgent", callout::urgent_value(d))
        .msg(
            "unit",
            d.unit
                .as_ref()
                .map_or(Msg::new(MsgId::ProfileUnitNone), |u| {
                    Msg::new(MsgId::ValueText).str("text", u.clone())
                }),
        )
}

/// A donor as a coordinator looks them up on the dashboard: what the donor sees of
/// themselves, with their clubs and the donations on record.
pub fn donor_card(ctx: &Ctx, card: &crate::domain::donor::DonorCard) -> Msg {
    let clubs = if card.clubs.is_empty() {
        Msg::new(MsgId::ValueNotGiven)
    } else {
        Msg::new(MsgId::ValueText).str("text", card.clubs.join(", "))
    };
    // The last donation is the record's when a donation on record is of that day (the
    // centre's or staff's), and the donor's own word otherwise.
    let on_record = match &card.donor.last_donation {
        Some(crate::domain::donor::LastDonationAnswer::Given { date, .. }) => {
            card.donations.iter().any(|(d, _)| d == date)
        }
        _ => false,
    };
    let mut m = held_fields(Msg::new(MsgId::WebDonorCard), ctx, &card.donor)
        .str("last_source", if on_record { "record" } else { "declared" })
        .msg("clubs", clubs)
        .num("verified", card.counted.0 as f64)
        .num("all", card.counted.1 as f64);
    // Said to the coordinator about the donor, not to the donor (no "you", no chat hints).
    for (name, arg) in &mut m.args {
        if let crate::messages::Arg::Msg(inner) = arg {
            let staff = match (name.as_str(), inner.id) {
                ("eligibility", MsgId::EligibleNow) => Some(MsgId::StaffEligibleNow),
                ("eligibility", MsgId::EligibleFrom) => Some(MsgId::StaffEligibleFrom),
                ("eligibility", MsgId::EligibleFirstTime) => Some(MsgId::StaffEligibleFirstTime),
                ("eligibility", MsgId::EligibleDateForgotten) => {
                    Some(MsgId::StaffEligibleDateForgotten)
                }
                ("eligibility", MsgId::EligibleWeight) => Some(MsgId::StaffEligibleWeight),
                ("unit", MsgId::ProfileUnitNone) => Some(MsgId::ValueNotGiven),
                _ => None,
            };
            if let Some(id) = staff {
                inner.id = id;
            }
        }
    }
    m
}

pub(super) fn profile_msg(ctx: &Ctx, d: &Donor, lang: Lang) -> Msg {
    held_fields(Msg::new(MsgId::Profile), ctx, d)
        .msg(
            "family",
            d.family
                .as_ref()
                .map_or(Msg::new(MsgId::ProfileFamilyNone), |c| {
                    Msg::new(MsgId::ProfileFamily).str("code", c.clone())
                }),
        )
        .msg(
            "language",
            Msg::new(match lang {
                Lang::Vi => MsgId::ChoiceVietnamese,
                Lang::En => MsgId::ChoiceEnglish,
            }),
        )
}

/// Changing, erasing and renewing.
impl Turn<'_, '_> {
    pub(super) fn edit_menu(&mut self, input: &Input) {
        match self.pick(input).as_deref().and_then(EditChoice::parse) {
            Some(EditChoice::Back) => {
                if self.registration_incomplete() {
                    self.advance();
                } else {
                    self.state = Some(State::Idle);
                    self.say(MsgId::Cancelled);
                }
            }
            Some(EditChoice::Field(field)) => self.state = Some(State::Ask { field }),
            None => self.wrong(MsgId::ErrorChoice),
        }
    }

    pub(super) fn confirm_delete(&mut self, back: State, input: &Input) {
        match self.pick_yes_no_as(input, DeleteChoice::Delete, DeleteChoice::Keep) {
            Some(DeleteChoice::Delete) => {
                self.donor = None;
                self.change = DonorChange::Erase;
                self.state = None;
                self.say(MsgId::Deleted);
            }
            Some(DeleteChoice::Keep) => {
                self.say(MsgId::DeleteKept);
                self.state = Some(back);
            }
            None => self.wrong(MsgId::ErrorChoice),
        }
    }

    pub(super) fn choose_language(&mut self, back: State, input: &Input) {
        match self.pick(input).and_then(|v| Lang::from_code(&v)) {
            Some(lang) => {
                self.lang = lang;
                self.say(MsgId::LanguageSet);
                self.state = Some(back);
            }
            None => self.wrong(MsgId::ErrorChoice),
        }
    }

    /// At rest, registered, agreed to an older consent text, not asked yet.
    pub(super) fn consent_outdated(&self) -> bool {
        self.state == Some(State::Idle)
            && self.donor.as_ref().is_some_and(|d| {
                d.registered_at.is_some()
                    && !d.renewal_asked
                    && d.consent_version.as_str() < CONSENT_VERSION
            })
    }

    /// Ask once: the question is remembered as asked whatever comes of it.
    pub(super) fn ask_renewal(&mut self, input: &Input) {
        if let Some(d) = self.donor.as_mut() {
            d.renewal_asked = true;
        }
        self.change = DonorChange::Save;
        let pending = match input {
            Input::Text(t) if !t.trim().is_empty() => Some(t.clone()),
            _ => None,
        };
        self.state = Some(State::RenewConsent { pending });
    }

    pub(super) fn renew_consent(&mut self, pending: Option<String>, input: Input) {
        match self.pick_yes_no_as(&input, Consent::Agree, Consent::Disagree) {
            Some(Consent::Agree) => {
                if let Some(d) = self.donor.as_mut() {
                    d.consent_at = self.ctx.now_ms;
                    d.consent_version = CONSENT_VERSION.to_string();
                }
                self.done(MsgId::ConsentRenewed);
                if let Some(text) = pending {
                    self.handle(Input::Text(text));
                }
                // The agreement is recorded whatever the message asked, unless it erased.
                if matches!(self.change, DonorChange::Keep | DonorChange::Save) {
                    self.change = DonorChange::Renew;
                }
            }
            Some(Consent::Disagree) => {
                self.done(MsgId::ConsentRenewalDeclined);
                if let Some(text) = pending {
                    self.handle(Input::Text(text));
                }
            }
            // Not an answer (`handle` leaves the question first): handled as it is.
            None => {
                self.state = Some(State::Idle);
                self.idle(&input);
            }
        }
    }
}

/// The fields a donor may change, and back.
pub(super) fn edit_prompt(donor: Option<&Donor>, r: &mut Reply) {
    r.parts.push(Msg::new(MsgId::EditMenu));
    let fields = donor.map(Donor::editable_fields).unwrap_or_default();
    r.choices = fields
        .into_iter()
        .map(|f| choice(EditChoice::Field(f).value(), field_label(f), &[]))
        .chain([choice(
            EditChoice::Back.value(),
            MsgId::ChoiceBack,
            &["quay lai", "back"],
        )])
        .collect();
}

/// The current consent text, to agree to again.
pub(super) fn renewal_prompt(ctx: &Ctx, r: &mut Reply) {
    r.parts.push(
        Msg::new(MsgId::ConsentRenewal)
            .str("org", ctx.org_name)
            .str("version", CONSENT_VERSION),
    );
    r.choices = vec![
        Consent::Agree.offer(
            MsgId::ChoiceAgree,
            &["co", "yes", "ok", "dy", "agree", "dong y"],
        ),
        Consent::Disagree.offer(MsgId::ChoiceDisagree, &["khong", "no", "ko", "k"]),
    ];
}

/// Erasing one's data: sure?
pub(super) fn delete_prompt(r: &mut Reply) {
    r.parts.push(Msg::new(MsgId::DeleteConfirm));
    r.choices = vec![
        DeleteChoice::Delete.offer(MsgId::ChoiceDeleteYes, &["xoa", "delete"]),
        DeleteChoice::Keep.offer(MsgId::ChoiceDeleteNo, &["khong", "no", "giu"]),
    ];
}

/// The two languages.
pub(super) fn language_prompt(r: &mut Reply) {
    r.parts.push(Msg::new(MsgId::LanguagePrompt));
    r.choices = vec![
        choice(
            "vi",
            MsgId::ChoiceVietnamese,
            &["vi", "viet", "tieng viet", "vietnamese"],
        ),
        choice(
            "en",
            MsgId::ChoiceEnglish,
            &["en", "english", "tieng anh", "anh"],
        ),
    ];
}
