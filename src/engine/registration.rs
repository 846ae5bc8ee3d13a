//! Registration: the consent, the questions one by one (each answer saved at once), the
//! age decision and the summary; `/start` and `/register`.

use super::buttons::{AgeChoice, Buttons, Consent, Night, Skip, SummaryChoice};
use super::profile::{eligibility, profile_msg, summary};
use super::{CONSENT_VERSION, ClubRequest, DriveRequest, PromptMode, Request};
use super::{Choice, Ctx, DonorChange, Input, Label, Reply, State, Turn, choice};
use crate::domain::blood::BloodGroup;
use crate::domain::body::{Sex, WeightError, WeightKg};
use crate::domain::dates::{self, DateError, LastDate, format_vn};
use crate::domain::donor::{
    Donor, Field, LastDonationAnswer, LastKind, Pending, parse_commune, parse_last_kind, parse_name,
};
use crate::domain::eligibility::{AgeCheck, DonationKind};
use crate::domain::phone::{PhoneError, PhoneNumber};
use crate::domain::province::{Province, ProvinceMatch};
use crate::messages::{Msg, MsgId};
use chrono::{Months, NaiveDate};

const BLOOD_CHOICES: [&str; 8] = ["O+", "A+", "B+", "AB+", "O-", "A-", "B-", "AB-"];

/// The eight groups with a known ABO and Rh, as options.
pub(crate) fn blood_choices() -> Vec<Choice> {
    BLOOD_CHOICES
        .iter()
        .map(|g| Choice {
            value: g.to_string(),
            label: Label::Plain(g.to_string()),
            synonyms: &[],
        })
        .collect()
}

/// Yes or no to urgent call-outs at night.
pub(crate) fn night_choices() -> Vec<Choice> {
    vec![
        Night::Yes.offer(
            MsgId::ChoiceNightYes,
            &["co", "yes", "dong y", "ca ban dem"],
        ),
        Night::No.offer(MsgId::ChoiceNightNo, &["khong", "no", "chi ban ngay", "ko"]),
    ]
}

/// Registration's questions and answers.
impl Turn<'_, '_> {
    pub(super) fn registration_incomplete(&self) -> bool {
        self.donor
            .as_ref()
            .is_some_and(|d| d.registered_at.is_none())
    }

    /// Go to whatever the registration needs next.
    pub(super) fn advance(&mut self) {
        let Some(donor) = &self.donor else {
            self.state = Some(State::AwaitConsent);
            return;
        };
        self.state = Some(match donor.pending(self.ctx.rules, self.ctx.today) {
            Pending::Ask(field) => State::Ask { field },
            Pending::AgeDecision => State::AgeDecision,
            Pending::Complete if donor.registered_at.is_some() => {
                self.say(MsgId::Updated);
                State::Idle
            }
            Pending::Complete => State::Summary,
        });
    }

    pub(super) fn consent(&mut self, input: &Input) {
        match self.pick_yes_no_as(input, Consent::Agree, Consent::Disagree) {
            Some(Consent::Agree) => {
                self.donor = Some(Donor {
                    consent_at: self.ctx.now_ms,
                    consent_version: CONSENT_VERSION.to_string(),
                    ..Donor::default()
                });
                self.change = DonorChange::Create;
                self.say(MsgId::ConsentThanks);
                self.advance();
            }
            Some(Consent::Disagree) => {
                self.say(MsgId::ConsentDeclined);
                self.state = None;
            }
            None => self.wrong(MsgId::ConsentRepeat),
        }
    }

    pub(super) fn answer(&mut self, field: Field, input: &Input) {
        let text = match input {
            Input::Text(t) => Some(t.as_str()),
            _ => None,
        };
        if let Input::Choice(_) = input
            && self.pick(input).is_none()
        {
            return self.stale();
        }
        if let Input::Contact { .. } = input
            && field != Field::Phone
        {
            return self.say(MsgId::TextOnly);
        }
        match field {
            Field::Name => match text.map(parse_name) {
                Some(Ok(name)) => self.donor_mut().name = Some(name),
                _ => return self.wrong(MsgId::ErrorName),
            },
            Field::Phone => return self.phone_answer(input, text),
            Field::BirthDate => return self.birth_date_answer(text),
            Field::Sex => {
                let sex = self
                    .pick(input)
                    .and_then(|v| Sex::from_code(&v))
                    .or_else(|| text.and_then(Sex::parse));
                match sex {
                    Some(sex) => self.donor_mut().sex = Some(sex),
                    None => return self.wrong(MsgId::ErrorChoice),
                }
            }
            Field::Weight => return self.weight_answer(text),
            Field::BloodGroup => {
                let group = self
                    .pick(input)
                    .and_then(|v| BloodGroup::from_code(&v))
                    .or_else(|| text.and_then(|t| BloodGroup::parse(t).ok()));
                match group {
                    Some(g) => self.donor_mut().blood_group = Some(g),
                    None => return self.wrong(MsgId::ErrorBloodGroup),
                }
            }
            Field::Province => {
                // The account's own province, tapped (or its number typed).
                if let Some(p) = self.pick(input).and_then(|code| Province::from_code(&code)) {
                    return self.set_province(p, None);
                }
                return self.province_text(text.unwrap_or(""));
            }
            Field::Commune => {
                if self.pick_as::<Skip>(input) == Some(Skip::Skip) {
                    self.donor_mut().commune = Some(String::new());
                } else {
                    match text.map(parse_commune) {
                        Some(Ok(c)) => self.donor_mut().commune = Some(c),
                        _ => return self.wrong(MsgId::ErrorCommune),
                    }
                }
            }
            Field::LastDonationKind => return self.last_kind_answer(input, text),
            Field::NightAlerts => match self.pick_yes_no_as(input, Night::Yes, Night::No) {
                Some(Night::Yes) => self.donor_mut().night_alerts = Some(true),
                Some(Night::No) => self.donor_mut().night_alerts = Some(false),
                None => return self.wrong(MsgId::ErrorChoice),
            },
            Field::LastDonationDate => return self.last_date_answer(text),
        }
        self.advance();
    }

    /// The store said whether a typed phone is another donor's.
    pub(super) fn phone_checked(&mut self, phone: PhoneNumber, taken: bool) {
        if taken {
            // Never who has it: only that it is in use, and what to do.
            self.say(
                Msg::new(MsgId::ErrorPhoneTaken)
                    .str("phone", phone.national())
                    .str("org", self.ctx.org_name),
            );
            self.prompt = PromptMode::ChoicesOnly;
            return;
        }
        let d = self.donor_mut();
        d.phone_verified = false;
        d.phone = Some(phone);
        self.advance();
    }

    pub(super) fn province_text(&mut self, text: &str) {
        match Province::find(text) {
            ProvinceMatch::One { province, former } => self.set_province(province, former),
            ProvinceMatch::Many(list) => {
                let candidates = list.iter().map(|p| p.code().to_string()).collect();
                self.state = Some(State::ChooseProvince { candidates });
            }
            ProvinceMatch::None => self.wrong(MsgId::ErrorProvince),
        }
    }

    pub(super) fn set_province(&mut self, province: Province, former: Option<&str>) {
        self.donor_mut().province = Some(province);
        if let Some(former) = former {
            self.say(
                Msg::new(MsgId::NoteProvinceFormer)
                    .str("former", former)
                    .str("province", province.name()),
            );
        }
        self.advance();
    }

    /// The options (the candidates) come from the state through `pick`; a new name typed
    /// instead is looked up afresh.
    pub(super) fn choose_province(&mut self, input: &Input) {
        if let Some(p) = self.pick(input).and_then(|code| Province::from_code(&code)) {
            return self.set_province(p, None);
        }
        match input {
            Input::Text(t) => {
                if let ProvinceMatch::One { province, former } = Province::find(t) {
                    return self.set_province(province, former);
                }
                self.wrong(MsgId::ErrorChoice)
            }
            _ => self.stale(),
        }
    }

    pub(super) fn age_decision(&mut self, input: &Input) {
        match self.pick_as(input) {
            Some(AgeChoice::Supporter) => {
                self.donor_mut().supporter = true;
                self.advance();
            }
            Some(AgeChoice::FixBirthDate) => {
                self.state = Some(State::Ask {
                    field: Field::BirthDate,
                })
            }
            None => self.wrong(MsgId::ErrorChoice),
        }
    }

    pub(super) fn summary(&mut self, input: &Input) {
        match self.pick_yes_no_as(input, SummaryChoice::Confirm, SummaryChoice::Edit) {
            Some(SummaryChoice::Confirm) => {
                let now = self.ctx.now_ms;
                let d = self.donor_mut();
                d.registered_at = Some(now);
                let supporter = d.supporter;
                if supporter {
                    self.say(MsgId::RegisteredSupporter);
                } else {
                    let elig = self.donor.as_ref().map(|d| eligibility(self.ctx, d));
                    let mut m = Msg::new(MsgId::Registered);
                    if let Some(e) = elig {
                        m = m.msg("eligibility", e);
                    }
                    self.say(m);
                }
                self.state = Some(State::Idle);
                if let Some(code) = self.join.take() {
                    self.request = Some(Request::Club(ClubRequest::JoinClub { code }));
                } else if !supporter {
                    // Their school or workplace, if the plan has any (skippable).
                    self.request = Some(Request::Drive(DriveRequest::OfferUnit { asked: false }));
                }
            }
            Some(SummaryChoice::Edit) => self.state = Some(State::EditMenu),
            None => self.wrong(MsgId::ErrorChoice),
        }
    }

    /// `/start`: welcome back (to the ask waiting, the registration left open) or welcome.
    pub(super) fn start_command(&mut self) {
        if let Some(d) = &self.donor {
            let name = d.name.clone().unwrap_or_default();
            self.say(Msg::new(MsgId::WelcomeBack).str("name", name));
            let now = self.ctx.now_ms;
            if self.ask.is_some_and(|a| now >= a.from) && self.registered_donor() {
                // An urgent ask waits for this donor's answer: it stays the question
                // a bare "1" or "2" answers, and they are reminded of it.
                self.say(MsgId::CalloutAskWaiting);
                self.state = Some(self.base_state());
            } else if self.state == Some(State::Idle) && self.registration_incomplete() {
                self.advance();
            } else {
                self.state = Some(self.base_state());
            }
        } else if self.staff {
            self.done(MsgId::WelcomeStaff);
        } else {
            self.say(MsgId::Welcome);
            self.state = Some(State::AwaitConsent);
        }
    }

    /// `/register`: the profile of a donor, the consent question for anyone else.
    pub(super) fn register_command(&mut self) {
        if self.donor.is_some() {
            let m = match &self.donor {
                Some(d) => profile_msg(self.ctx, d, self.lang),
                None => Msg::new(MsgId::ProfileNone),
            };
            self.say(m);
            self.state = Some(self.base_state());
        } else {
            self.say(Msg::new(MsgId::Welcome));
            self.state = Some(State::AwaitConsent);
        }
    }

    /// The phone, typed or shared by the platform (a typed one is checked first).
    pub(super) fn phone_answer(&mut self, input: &Input, text: Option<&str>) {
        let (raw, verified) = match input {
            Input::Contact { own: false, .. } => {
                return self.wrong(MsgId::ErrorContactNotOwn);
            }
            Input::Contact { phone, own: true } => (phone.as_str(), true),
            _ => (text.unwrap_or(""), false),
        };
        match PhoneNumber::parse(raw) {
            // A typed number another donor already has is checked first (a verified
            // one joins the two accounts instead, in the app).
            Ok(phone)
                if !verified
                    && self.donor.as_ref().and_then(|d| d.phone.as_ref()) != Some(&phone) =>
            {
                self.request = Some(Request::PhoneInUse { phone });
                return;
            }
            Ok(phone) => {
                let d = self.donor_mut();
                let same = d.phone.as_ref() == Some(&phone);
                d.phone_verified = verified || (same && d.phone_verified);
                d.phone = Some(phone);
            }
            Err(e) => {
                return self.wrong(match e {
                    PhoneError::NotANumber => MsgId::ErrorPhoneFormat,
                    PhoneError::WrongLength => MsgId::ErrorPhoneLength,
                    PhoneError::OldElevenDigits => MsgId::ErrorPhoneOld,
                    PhoneError::NotMobile => MsgId::ErrorPhoneNotMobile,
                    PhoneError::Foreign => MsgId::ErrorPhoneForeign,
                });
            }
        }

        self.advance();
    }

    /// The birth date (a child's data is not kept: everything typed is erased).
    pub(super) fn birth_date_answer(&mut self, text: Option<&str>) {
        let (today, rules) = (self.ctx.today, self.ctx.rules);
        let parsed = dates::parse_birth(text.unwrap_or(""), today);
        match parsed {
            // A child: nothing of theirs is kept, not even as a supporter.
            Ok(birth) if dates::age_on(birth, today) < rules.min_age_to_keep_data => {
                self.say(
                    Msg::new(MsgId::ChildNotKept)
                        .num("age", f64::from(rules.min_age_to_keep_data))
                        .num("min", f64::from(rules.min_age)),
                );
                self.donor = None;
                self.change = DonorChange::Erase;
                self.state = None;
                return;
            }
            Ok(birth) => {
                let in_range = rules.check_age(birth, today) == AgeCheck::InRange;
                let d = self.donor_mut();
                d.birth_date = Some(birth);
                if in_range {
                    d.supporter = false;
                }
            }
            Err(e) => {
                return self.wrong(match e {
                    DateError::NotADate => MsgId::ErrorDateFormat,
                    DateError::NoSuchDay => MsgId::ErrorDateNoSuchDay,
                    DateError::InFuture => MsgId::ErrorDateFuture,
                    DateError::TooOld => MsgId::ErrorBirthDateTooOld,
                });
            }
        }

        self.advance();
    }

    /// The weight (noted when below the minimum for the donor's sex).
    pub(super) fn weight_answer(&mut self, text: Option<&str>) {
        let rules = self.ctx.rules;
        match WeightKg::parse(text.unwrap_or("")) {
            Ok(w) => {
                let d = self.donor_mut();
                d.weight = Some(w);
                if let Some(sex) = d.sex
                    && !rules.weight_ok(sex, w)
                {
                    let min = rules.min_weight(sex);
                    self.say(Msg::new(MsgId::NoteWeightBelow).num("min", min));
                }
            }
            Err(e) => {
                return self.wrong(match e {
                    WeightError::NotAWeight => MsgId::ErrorWeightFormat,
                    WeightError::Implausible => MsgId::ErrorWeightRange,
                    WeightError::WrongUnit => MsgId::ErrorWeightUnit,
                });
            }
        };
        self.advance();
    }

    /// What the donor last gave (or never).
    pub(super) fn last_kind_answer(&mut self, input: &Input, text: Option<&str>) {
        let picked = match self.pick(input) {
            Some(value) => LastKind::from_value(&value),
            None => text.and_then(parse_last_kind),
        };
        let answer = match picked {
            Some(LastKind::Never) => LastDonationAnswer::Never,
            Some(LastKind::Given(kind)) => LastDonationAnswer::KindOnly(kind),
            None => return self.wrong(MsgId::ErrorChoice),
        };
        self.donor_mut().last_donation = Some(answer);

        self.advance();
    }

    /// When the donor last gave (or that they do not remember).
    pub(super) fn last_date_answer(&mut self, text: Option<&str>) {
        let today = self.ctx.today;
        let kind = match self.donor.as_ref().and_then(|d| d.last_donation) {
            Some(LastDonationAnswer::KindOnly(k))
            | Some(LastDonationAnswer::DateForgotten(k))
            | Some(LastDonationAnswer::Given { kind: k, .. }) => k,
            _ => {
                // The kind was lost (cannot happen through the engine): ask it again.
                self.state = Some(State::Ask {
                    field: Field::LastDonationKind,
                });
                return;
            }
        };
        let earliest = self
            .donor
            .as_ref()
            .and_then(|d| d.birth_date)
            .and_then(|b| b.checked_add_months(Months::new(16 * 12)))
            .unwrap_or(NaiveDate::MIN);
        match dates::parse_last_donation(text.unwrap_or(""), today, earliest) {
            Ok(LastDate::Known(date, precision)) => {
                let d = self.donor_mut();
                d.last_donation = Some(LastDonationAnswer::Given { kind, date });
                d.last_donation_month = precision == dates::Precision::Month;
            }
            Ok(LastDate::Forgotten) => {
                self.donor_mut().last_donation = Some(LastDonationAnswer::DateForgotten(kind))
            }
            Err(e) => {
                // The last donation's own example, not the birth date's.
                return self.wrong(match e {
                    DateError::NotADate => MsgId::ErrorLastDateFormat,
                    DateError::NoSuchDay => MsgId::ErrorLastDateNoSuchDay,
                    DateError::InFuture => MsgId::ErrorDateFuture,
                    DateError::TooOld => MsgId::ErrorDonationDateTooEarly,
                });
            }
        }

        self.advance();
    }
}

/// The consent question, with the text and its version.
pub(super) fn consent_prompt(ctx: &Ctx, r: &mut Reply) {
    r.parts.push(
        Msg::new(MsgId::ConsentText)
            .str("org", ctx.org_name)
            .str("version", CONSENT_VERSION),
    );
    r.choices = vec![
        Consent::Agree.offer(MsgId::ChoiceAgree, &["co", "yes", "ok", "dy", "agree"]),
        Consent::Disagree.offer(MsgId::ChoiceDisagree, &["khong", "no", "ko", "k"]),
    ];
}

/// A question of the registration.
pub(super) fn ask_prompt(ctx: &Ctx, field: Field, r: &mut Reply) {
    match field {
        Field::Name => r.parts.push(Msg::new(MsgId::AskName)),
        Field::Phone => {
            r.parts.push(Msg::new(MsgId::AskPhone));
            r.phone_button = true;
        }
        Field::BirthDate => r.parts.push(Msg::new(MsgId::AskBirthDate)),
        Field::Sex => {
            r.parts.push(Msg::new(MsgId::AskSex));
            r.choices = vec![
                choice(Sex::Male.code(), MsgId::ChoiceMale, &[]),
                choice(Sex::Female.code(), MsgId::ChoiceFemale, &[]),
            ];
        }
        Field::Weight => r.parts.push(Msg::new(MsgId::AskWeight)),
        Field::BloodGroup => {
            r.parts.push(Msg::new(MsgId::AskBloodGroup));
            r.choices = blood_choices()
                .into_iter()
                .chain([choice(
                    &BloodGroup::UNKNOWN.code(),
                    MsgId::ChoiceBloodUnknown,
                    &[],
                )])
                .collect();
        }
        // Written to a province's own account: that province, one tap away.
        Field::Province => match ctx.home {
            Some(home) => {
                r.parts
                    .push(Msg::new(MsgId::AskProvinceHome).str("province", home.name()));
                r.choices = vec![Choice {
                    value: home.code().to_string(),
                    label: Label::Plain(home.name().to_string()),
                    synonyms: &[],
                }];
            }
            None => r.parts.push(Msg::new(MsgId::AskProvince)),
        },
        Field::Commune => {
            r.parts.push(Msg::new(MsgId::AskCommune));
            r.choices = vec![Skip::Skip.offer(MsgId::ChoiceSkip, &["bo qua", "skip", "-"])];
        }
        Field::LastDonationKind => {
            r.parts.push(Msg::new(MsgId::AskLastDonation));
            let given = |kind| LastKind::Given(kind).value();
            r.choices = vec![
                choice(
                    given(DonationKind::WholeBlood),
                    MsgId::ChoiceWholeBlood,
                    &["mau toan phan", "toan phan"],
                ),
                choice(
                    given(DonationKind::Platelets),
                    MsgId::ChoicePlatelets,
                    &["tieu cau"],
                ),
                choice(
                    given(DonationKind::Plasma),
                    MsgId::ChoicePlasma,
                    &["huyet tuong"],
                ),
                choice(
                    LastKind::Never.value(),
                    MsgId::ChoiceNever,
                    &["chua", "chua tung", "chua bao gio", "never", "no"],
                ),
            ];
        }
        Field::LastDonationDate => r.parts.push(Msg::new(MsgId::AskLastDonationDate)),
        Field::NightAlerts => {
            r.parts.push(Msg::new(MsgId::AskNightAlerts));
            r.choices = night_choices();
        }
    }
}

/// Below or above the donors' age: register as a supporter, or correct the birth date.
pub(super) fn age_prompt(ctx: &Ctx, donor: Option<&Donor>, r: &mut Reply) {
    let check = donor
        .and_then(|d| d.birth_date)
        .map(|b| ctx.rules.check_age(b, ctx.today));
    r.parts.push(match check {
        Some(AgeCheck::TooYoung { turns_min_on }) => Msg::new(MsgId::AgeTooYoung)
            .str("date", format_vn(turns_min_on))
            .num("min", f64::from(ctx.rules.min_age)),
        _ => Msg::new(MsgId::AgeTooOld).num("max", f64::from(ctx.rules.max_age)),
    });
    r.choices = vec![
        AgeChoice::Supporter.offer(MsgId::ChoiceSupporter, &[]),
        AgeChoice::FixBirthDate.offer(MsgId::ChoiceFixBirthDate, &[]),
    ];
}

/// The provinces a name may mean.
pub(super) fn province_prompt(candidates: &[String], r: &mut Reply) {
    r.parts.push(Msg::new(MsgId::AskProvinceChoose));
    r.choices = candidates
        .iter()
        .filter_map(|c| Province::from_code(c))
        .map(|p| Choice {
            value: p.code().to_string(),
            label: Label::Plain(p.name().to_string()),
            synonyms: &[],
        })
        .collect();
}

/// The registration's summary: confirm, or edit.
pub(super) fn summary_prompt(ctx: &Ctx, donor: Option<&Donor>, r: &mut Reply) {
    if let Some(d) = donor {
        r.parts.push(summary(ctx, d));
    }
    r.choices = vec![
        SummaryChoice::Confirm.offer(MsgId::ChoiceConfirm, &["xac nhan", "dung", "ok", "yes"]),
        SummaryChoice::Edit.offer(MsgId::ChoiceEdit, &["sua"]),
    ];
}
