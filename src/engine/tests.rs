use super::*;
use crate::domain::body::Sex;
use crate::domain::club::{Audience, ClubInfo};
use crate::domain::donor::LastDonationAnswer;
use crate::domain::drive::DriveInfo;
use crate::domain::eligibility::Rules;

struct Chat {
    catalogue: Catalogue,
    rules: Rules,
    conv: Conversation,
    last: Option<Step>,
    /// Phones the store would say another donor has (the helper answers that request).
    taken: Vec<String>,
}

impl Chat {
    fn new() -> Chat {
        Chat {
            catalogue: Catalogue::load().unwrap(),
            rules: Rules::default(),
            conv: Conversation {
                state: None,
                lang: Lang::Vi,
                donor: None,
                join: None,
                ask: None,
                staff: false,
            },
            last: None,
            taken: Vec::new(),
        }
    }

    fn send(&mut self, input: Input) -> String {
        let text = self.run(|ctx, conv| step(ctx, conv, input));
        // The store's part for a typed phone: is it another donor's?
        if let Some(Request::PhoneInUse { phone }) = self.request() {
            let taken = self.taken.contains(&phone.as_e164().to_string());
            let more = self.resume(Outcome::PhoneInUse { phone, taken });
            return [text, more].join("\n");
        }
        text
    }

    /// Hand the engine the outcome of the request it made.
    fn resume(&mut self, outcome: Outcome) -> String {
        self.run(|ctx, conv| resume(ctx, conv, outcome))
    }

    /// The request the last turn made.
    fn request(&self) -> Option<Request> {
        self.last.as_ref().and_then(|s| s.request.clone())
    }

    fn run(&mut self, f: impl FnOnce(&Ctx, Conversation) -> Step) -> String {
        let ctx = Ctx {
            telegram_bot: Some("hienmau_bot"),
            home: None,
            broadcast_cap: 3,
            rules: &self.rules,
            today: NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
            now_ms: 1_795_000_000_000,
            org_name: "Hội Chữ thập đỏ TP Hải Phòng",
            tz: chrono_tz::Asia::Ho_Chi_Minh,
            catalogue: &self.catalogue,
            callouts: Default::default(),
        };
        let step = f(&ctx, self.conv.clone());
        self.conv = Conversation {
            state: step.state.clone(),
            lang: step.lang,
            donor: step.donor.clone(),
            join: step.join.clone(),
            ask: step.ask,
            staff: self.conv.staff,
        };
        let text = self.render(&step.reply);
        self.last = Some(step);
        text
    }

    fn say(&mut self, text: &str) -> String {
        self.send(Input::Text(text.to_string()))
    }

    fn render(&self, r: &Reply) -> String {
        let mut s: Vec<String> = r
            .parts
            .iter()
            .map(|m| self.catalogue.render(self.conv.lang, m))
            .collect();
        for (i, c) in r.choices.iter().enumerate() {
            let label = match &c.label {
                Label::Msg(m) => self.catalogue.render(self.conv.lang, m),
                Label::Plain(p) => p.clone(),
            };
            s.push(format!("{}. {}", i + 1, label));
        }
        let text = s.join("\n");
        assert!(
            !text.contains("{$") && !text.contains("{ $"),
            "unfilled variable in {text}"
        );
        text
    }

    fn state(&self) -> Option<State> {
        self.conv.state.clone()
    }

    fn donor(&self) -> &Donor {
        self.conv.donor.as_ref().expect("a donor")
    }

    fn change(&self) -> DonorChange {
        self.last.as_ref().unwrap().change
    }
}

fn ask(field: Field) -> Option<State> {
    Some(State::Ask { field })
}

/// Runs a registration up to (not including) the summary answer.
fn register_to_summary(c: &mut Chat) {
    c.say("xin chào");
    c.say("đồng ý");
    answer_every_question(c);
}

/// Answers every question after the consent, up to the summary.
fn answer_every_question(c: &mut Chat) {
    c.say("Nguyễn Thị Lan");
    c.say("0912 345 678");
    c.say("05/03/1995");
    c.say("nữ");
    c.say("50");
    c.say("O+");
    c.say("hai phong");
    c.say("Phường Lê Chân");
    c.say("Máu toàn phần");
    c.say("15/10/2026");
    c.say("có");
}

#[test]
fn a_whole_registration_with_wrong_answers_on_the_way() {
    let mut c = Chat::new();
    let first = c.say("xin chào");
    assert!(first.contains("hienmau"), "{first}");
    assert!(
        first.contains("Hội Chữ thập đỏ TP Hải Phòng"),
        "consent names the holder: {first}"
    );
    assert!(
        first.contains("1. Đồng ý") && first.contains("2. Không đồng ý"),
        "{first}"
    );
    assert_eq!(c.state(), Some(State::AwaitConsent));
    assert!(c.conv.donor.is_none(), "nothing personal before consent");

    assert!(c.say("hả?").contains("Đồng ý"));
    assert_eq!(c.state(), Some(State::AwaitConsent));
    assert!(c.conv.donor.is_none());

    let r = c.say("1");
    assert!(r.contains("Họ và tên"), "{r}");
    assert_eq!(c.change(), DonorChange::Create);
    assert_eq!(c.donor().consent_version, CONSENT_VERSION);
    assert_eq!(c.donor().consent_at, 1_795_000_000_000);

    assert!(c.say("123").contains("Họ tên cần"));
    assert_eq!(c.state(), ask(Field::Name));
    c.say("Nguyễn Thị Lan");
    assert_eq!(c.donor().name.as_deref(), Some("Nguyễn Thị Lan"));
    assert!(c.last.as_ref().unwrap().reply.phone_button);

    let r = c.say("0912 345 67");
    assert!(r.contains("10 chữ số"), "{r}");
    assert_eq!(c.state(), ask(Field::Phone));
    assert!(
        c.last.as_ref().unwrap().reply.phone_button,
        "the button is offered again"
    );
    assert_eq!(
        c.donor().name.as_deref(),
        Some("Nguyễn Thị Lan"),
        "nothing given is lost"
    );
    c.say("+84 912 345 678");
    assert_eq!(c.donor().phone.as_ref().unwrap().as_e164(), "+84912345678");
    assert!(!c.donor().phone_verified);

    assert!(c.say("31/02/1995").contains("không có trong lịch"));
    assert!(c.say("hôm qua").contains("ngày/tháng/năm"));
    c.say("05/03/1995");
    assert_eq!(c.state(), ask(Field::Sex));
    assert!(c.say("có lẽ").contains("chọn một"));
    c.say("2");
    assert_eq!(c.donor().sex, Some(Sex::Female));

    assert!(c.say("nặng lắm").contains("số kg"));
    assert!(c.say("500").contains("30 đến 250"));
    c.say("50,5");
    assert_eq!(c.donor().weight.unwrap().kg(), 50.5);

    assert!(c.say("Z+").contains("nhóm máu"));
    c.say("nhóm máu O rh dương");
    assert_eq!(c.donor().blood_group.unwrap().code(), "O+");

    assert!(c.say("Paris").contains("34 tỉnh"));
    let r = c.say("ĐN");
    assert!(r.contains("Đà Nẵng") && r.contains("Đồng Nai"), "{r}");
    c.say("2");
    assert_eq!(c.donor().province.unwrap().code(), "dong-nai");

    assert!(c.say("x").contains("xã/phường"));
    c.say("Phường Trấn Biên");
    c.say("huyết tương");
    assert_eq!(c.state(), ask(Field::LastDonationDate));
    assert!(c.say("01/01/2027").contains("tương lai"));
    let r = c.say("10/11/2026");
    assert_eq!(c.state(), ask(Field::NightAlerts));
    assert!(r.contains("ban đêm"), "{r}");
    // Never inferred: something else is asked again.
    c.say("để sau");
    assert_eq!(c.state(), ask(Field::NightAlerts));
    assert_eq!(c.donor().night_alerts, None);
    let r = c.say("2");
    assert_eq!(c.donor().night_alerts, Some(false));
    assert_eq!(c.state(), Some(State::Summary));
    assert!(r.contains("không (chỉ ban ngày)"), "{r}");
    assert!(
        r.contains("Nguyễn Thị Lan") && r.contains("0912 345 678"),
        "{r}"
    );
    assert!(r.contains("24/11/2026"), "plasma: 14 days later: {r}");

    let r = c.say("Xác nhận");
    assert_eq!(c.state(), Some(State::Idle));
    assert!(c.donor().registered_at.is_some());
    assert!(r.contains("đăng ký thành công"), "{r}");
}

#[test]
fn declining_consent_stores_nothing_and_forgets_the_conversation() {
    let mut c = Chat::new();
    c.say("/start");
    let r = c.say("Không đồng ý");
    assert!(r.contains("không lưu"), "{r}");
    assert_eq!(c.state(), None);
    assert!(c.conv.donor.is_none());
    assert_eq!(c.change(), DonorChange::Keep);
}

#[test]
fn a_shared_contact_must_be_the_senders_own() {
    let mut c = Chat::new();
    c.say("hi");
    c.say("1");
    c.say("Lan");
    let r = c.send(Input::Contact {
        phone: "84987654321".into(),
        own: false,
    });
    assert!(r.contains("không phải số của chính bạn"), "{r}");
    assert!(c.donor().phone.is_none());
    c.send(Input::Contact {
        phone: "84987654321".into(),
        own: true,
    });
    assert_eq!(c.donor().phone.as_ref().unwrap().as_e164(), "+84987654321");
    assert!(c.donor().phone_verified);
}

#[test]
fn too_young_can_stay_as_a_supporter_and_skips_medical_questions() {
    let mut c = Chat::new();
    c.say("hi");
    c.say("1");
    c.say("Trần An");
    c.say("0987654321");
    let r = c.say("01/06/2010");
    assert!(r.contains("01/06/2028"), "tells when they turn 18: {r}");
    assert_eq!(c.state(), Some(State::AgeDecision));
    c.say("1");
    assert!(c.donor().supporter);
    assert_eq!(c.state(), ask(Field::Province));
    c.say("Hà Nội");
    c.say("bỏ qua");
    assert_eq!(c.donor().commune.as_deref(), Some(""));
    assert_eq!(c.state(), Some(State::Summary));
    let r = c.say("1");
    assert!(r.contains("đồng hành"), "{r}");
}

#[test]
fn a_child_is_not_kept_even_as_a_supporter() {
    let mut c = Chat::new();
    c.say("hi");
    c.say("1");
    c.say("Trần An");
    c.say("0987654321");
    let r = c.say("01/06/2015");
    assert!(
        r.contains("chưa đủ 16 tuổi") && r.contains("đã được xoá"),
        "{r}"
    );
    assert_eq!(c.change(), DonorChange::Erase);
    assert_eq!(c.conv.donor, None);
    assert_eq!(c.state(), None, "the conversation is forgotten too");
}

#[test]
fn too_old_can_fix_the_date() {
    let mut c = Chat::new();
    c.say("hi");
    c.say("1");
    c.say("Lê Văn Bình");
    c.say("0987654321");
    c.say("01/01/1950");
    assert_eq!(c.state(), Some(State::AgeDecision));
    c.say("2");
    assert_eq!(c.state(), ask(Field::BirthDate));
    c.say("01/01/1980");
    assert_eq!(c.state(), ask(Field::Sex));
    assert!(!c.donor().supporter);
}

#[test]
fn commands_work_mid_question_and_keep_the_question() {
    let mut c = Chat::new();
    c.say("hi");
    c.say("1");
    c.say("Phạm Minh");
    let r = c.say("/help");
    assert!(
        r.contains("/delete") && r.contains("Số điện thoại di động"),
        "{r}"
    );
    assert_eq!(c.state(), ask(Field::Phone));
    let r = c.say("/profile");
    assert!(r.contains("Phạm Minh") && r.contains("đang đăng ký"), "{r}");
    let r = c.say("/pause");
    assert!(r.contains("tạm dừng"));
    assert!(c.donor().paused);
    c.say("/resume");
    assert!(!c.donor().paused);
    let r = c.say("/xyz");
    assert!(r.contains("không biết lệnh"), "{r}");
    assert_eq!(c.state(), ask(Field::Phone));
}

#[test]
fn a_phone_another_donor_has_is_not_kept_and_the_other_is_not_named() {
    let mut c = Chat::new();
    c.taken.push("+84912345678".into());
    c.say("hi");
    c.say("1");
    c.say("Phạm Minh");
    let r = c.say("0912 345 678");
    assert!(r.contains("đã được dùng cho một hồ sơ"), "{r}");
    assert!(r.contains("Chia sẻ số điện thoại"), "{r}");
    assert_eq!(c.donor().phone, None);
    assert_eq!(c.state(), ask(Field::Phone));
    c.say("0987 654 321");
    assert_eq!(
        c.donor().phone.as_ref().map(|p| p.as_e164()),
        Some("+84987654321")
    );
    assert_eq!(c.state(), ask(Field::BirthDate));
}

#[test]
fn staff_use_their_commands_without_the_donor_consent_until_they_register() {
    let mut c = Chat::new();
    c.conv.staff = true;
    let r = c.say("/start");
    assert!(
        r.contains("vai trò quản lý") && !r.contains("Bạn có đồng ý"),
        "{r}"
    );
    assert_eq!(c.state(), Some(State::Idle));
    c.say("/report");
    assert!(c.request().is_some());
    let r = c.resume(Outcome::Refused);
    assert!(
        !r.contains("Bạn có đồng ý"),
        "no consent wall after a command: {r}"
    );
    let r = c.say("/help");
    assert!(!r.contains("Bạn có đồng ý"), "{r}");
    let r = c.say("gì đó");
    assert!(r.contains("/dangky") && !r.contains("Bạn có đồng ý"), "{r}");
    assert!(c.conv.donor.is_none(), "nothing personal is kept");
    // Registering is their choice: then the consent comes first.
    let r = c.say("/dangky");
    assert!(r.contains("Bạn có đồng ý"), "{r}");
    c.say("1");
    assert_eq!(c.state(), ask(Field::Name));
}

#[test]
fn help_names_each_role_once_and_going_back_is_never_silent() {
    let mut c = registered();
    let r = c.say("/help");
    assert_eq!(r.matches("Điều phối viên:").count(), 1, "{r}");
    assert_eq!(r.matches("Trưởng CLB").count(), 1, "{r}");
    c.conv.state = Some(State::Drive(DriveState::CampaignList { campaigns: vec![] }));
    let r = c.say("Quay lại");
    assert!(r.contains("Đã quay lại"), "{r:?}");
    assert_eq!(c.state(), Some(State::Idle));
}

#[test]
fn command_words_without_a_slash_are_commands_and_never_answers() {
    let mut c = Chat::new();
    c.say("xin chào");
    c.say("1");
    // "help" at the name question: the help, not a name.
    let r = c.say("help");
    assert!(r.contains("/delete") && r.contains("Họ và tên"), "{r}");
    assert_eq!(c.state(), ask(Field::Name));
    assert_eq!(c.donor().name, None);
    let r = c.say("Trợ giúp");
    assert!(r.contains("/delete"), "{r}");
    assert_eq!(c.donor().name, None);
    // "Huy" without its accent is a name.
    c.say("Huy");
    assert_eq!(c.donor().name.as_deref(), Some("Huy"));
    let r = c.say("hồ sơ");
    assert!(r.contains("Huy") && r.contains("đang đăng ký"), "{r}");
    assert_eq!(c.state(), ask(Field::Phone));
    let r = c.say("hủy");
    assert!(r.contains("vẫn được giữ"), "{r}");
    assert_eq!(c.state(), Some(State::Idle));
    let r = c.say("menu");
    assert!(r.contains("/delete"), "{r}");
}

#[test]
fn cancel_keeps_what_was_given_and_start_resumes() {
    let mut c = Chat::new();
    c.say("hi");
    c.say("1");
    c.say("Phạm Minh");
    let r = c.say("/cancel");
    assert!(r.contains("vẫn được giữ"), "{r}");
    assert_eq!(c.state(), Some(State::Idle));
    assert_eq!(c.donor().name.as_deref(), Some("Phạm Minh"));
    let r = c.say("/start");
    assert!(
        r.contains("Phạm Minh") && r.contains("Số điện thoại"),
        "{r}"
    );
    assert_eq!(c.state(), ask(Field::Phone));
    assert!(c.say("/cancel").contains("giữ"));
    // Any message also resumes an unfinished registration.
    c.say("chào");
    assert_eq!(c.state(), ask(Field::Phone));
}

#[test]
fn language_switch_applies_to_everything_after() {
    let mut c = Chat::new();
    c.say("hi");
    let r = c.say("/language");
    assert!(r.contains("English"));
    let r = c.say("English");
    assert_eq!(c.conv.lang, Lang::En);
    assert!(
        r.contains("Language set to English") && r.contains("Do you agree?"),
        "{r}"
    );
    assert_eq!(c.state(), Some(State::AwaitConsent));
    let r = c.say("I agree");
    assert!(r.contains("full name"), "{r}");
    let r = c.say("1");
    assert!(r.contains("2 to 80 letters"), "{r}");
}

#[test]
fn delete_asks_first_then_erases() {
    let mut c = Chat::new();
    register_to_summary(&mut c);
    c.say("1");
    let r = c.say("/delete");
    assert!(r.contains("không thể hoàn tác"), "{r}");
    let r = c.say("2");
    assert!(r.contains("giữ nguyên"));
    assert_eq!(c.state(), Some(State::Idle));
    assert!(c.conv.donor.is_some());
    c.say("/delete");
    let r = c.say("Xoá toàn bộ dữ liệu");
    assert!(r.contains("Đã xoá"), "{r}");
    assert_eq!(c.change(), DonorChange::Erase);
    assert!(c.conv.donor.is_none());
    assert_eq!(c.state(), None);
    // Writing again starts from the welcome, as a stranger.
    assert!(c.say("hi").contains("hienmau"));
}

#[test]
fn edit_after_registration_updates_one_field() {
    let mut c = Chat::new();
    register_to_summary(&mut c);
    c.say("1");
    let r = c.say("/edit");
    assert!(r.contains("Nhóm máu"), "{r}");
    c.say("Nhóm máu");
    assert_eq!(c.state(), ask(Field::BloodGroup));
    let r = c.say("AB âm");
    assert!(r.contains("Đã cập nhật"), "{r}");
    assert_eq!(c.donor().blood_group.unwrap().code(), "AB-");
    assert_eq!(c.state(), Some(State::Idle));
    // Changing the kind of the last donation asks its date again.
    c.say("/edit");
    c.say("Lần hiến gần nhất");
    c.say("tiểu cầu");
    assert_eq!(c.state(), ask(Field::LastDonationDate));
    c.say("8/2026");
    assert_eq!(c.state(), Some(State::Idle));
}

/// A registered donor who agreed to the consent text before it named Zalo notifications.
fn donor_on_the_old_consent() -> Chat {
    let mut c = Chat::new();
    register_to_summary(&mut c);
    c.say("1");
    assert_eq!(c.state(), Some(State::Idle));
    let d = c.conv.donor.as_mut().unwrap();
    d.consent_version = "2026-11-v1".into();
    c
}

#[test]
fn a_donor_on_the_old_consent_is_asked_once_and_their_message_is_answered_after() {
    let mut c = donor_on_the_old_consent();
    let r = c.say("/profile");
    assert!(
        r.contains("vừa được cập nhật") && r.contains("2026-12-v2"),
        "{r}"
    );
    assert!(matches!(c.state(), Some(State::RenewConsent { pending: Some(p) }) if p == "/profile"));
    assert_eq!(c.last.as_ref().unwrap().change, DonorChange::Save);
    assert!(c.donor().renewal_asked, "remembered as asked at once");
    let r = c.say("đồng ý");
    assert!(r.contains("Cảm ơn bạn đã đồng ý với điều khoản mới"), "{r}");
    assert!(
        r.contains("Nguyễn Thị Lan"),
        "then the profile it was asked for: {r}"
    );
    assert_eq!(c.last.as_ref().unwrap().change, DonorChange::Renew);
    assert_eq!(c.donor().consent_version, CONSENT_VERSION);
    assert_eq!(c.donor().consent_at, 1_795_000_000_000);
    assert_eq!(c.state(), Some(State::Idle));
    let r = c.say("/profile");
    assert!(!r.contains("vừa được cập nhật"), "{r}");
}

#[test]
fn declining_or_ignoring_the_new_consent_keeps_the_old_and_is_not_asked_again() {
    let mut c = donor_on_the_old_consent();
    c.say("xin chào");
    let r = c.say("không");
    assert!(r.contains("sẽ không gửi tin thông báo Zalo"), "{r}");
    assert_eq!(c.donor().consent_version, "2026-11-v1");
    assert_ne!(c.last.as_ref().unwrap().change, DonorChange::Renew);
    let r = c.say("/profile");
    assert!(
        !r.contains("vừa được cập nhật") && r.contains("Nguyễn Thị Lan"),
        "{r}"
    );

    // Something that is not an answer is handled as it is, and the question is not repeated.
    let mut c = donor_on_the_old_consent();
    c.say("/drives");
    c.say("/profile");
    assert_eq!(c.donor().consent_version, "2026-11-v1");
    assert_eq!(c.state(), Some(State::Idle));
    let r = c.say("/profile");
    assert!(!r.contains("vừa được cập nhật"), "{r}");
    // /delete while asked still erases.
    let mut c = donor_on_the_old_consent();
    c.say("/delete");
    c.say("đồng ý");
    assert!(
        matches!(c.state(), Some(State::ConfirmDelete { .. })),
        "{:?}",
        c.state()
    );
}

#[test]
fn edit_from_the_summary_returns_to_the_summary() {
    let mut c = Chat::new();
    register_to_summary(&mut c);
    assert_eq!(c.state(), Some(State::Summary));
    c.say("Sửa thông tin");
    assert_eq!(c.state(), Some(State::EditMenu));
    c.say("1");
    c.say("Nguyễn Thị Lan Anh");
    assert_eq!(c.state(), Some(State::Summary));
    assert!(c.donor().registered_at.is_none());
}

#[test]
fn former_province_names_are_explained() {
    let mut c = Chat::new();
    register_to_summary(&mut c);
    c.say("2");
    c.say("Tỉnh/thành phố");
    let r = c.say("Bình Dương");
    assert!(r.contains("Bình Dương nay thuộc TP Hồ Chí Minh"), "{r}");
    assert_eq!(c.donor().province.unwrap().code(), "ho-chi-minh");
}

#[test]
fn stale_buttons_and_stickers_do_not_move_the_conversation() {
    let mut c = Chat::new();
    c.say("hi");
    c.say("1");
    let r = c.send(Input::Choice("agree".into()));
    assert!(r.contains("câu hỏi trước"), "{r}");
    assert_eq!(c.state(), ask(Field::Name));
    assert!(
        c.conv.donor.as_ref().unwrap().name.is_none(),
        "'agree' is not a name"
    );
    let r = c.send(Input::Unsupported);
    assert!(r.contains("chữ"), "{r}");
    assert_eq!(c.state(), ask(Field::Name));
}

#[test]
fn underweight_donors_are_told_the_threshold_and_may_continue() {
    let mut c = Chat::new();
    c.say("hi");
    c.say("1");
    c.say("Lan");
    c.say("0912345678");
    c.say("1/1/2000");
    c.say("nam");
    let r = c.say("43");
    assert!(r.contains("45 kg"), "{r}");
    assert_eq!(c.state(), ask(Field::BloodGroup));
}

#[test]
fn no_input_panics_in_any_state() {
    let inputs = [
        "",
        " ",
        "/",
        "//",
        "/start@bot extra",
        "1",
        "0",
        "99",
        "-1",
        "ʕ•ᴥ•ʔ",
        "\u{0}",
        "\u{202e}abc",
        "99999999999999999999999999",
        "31/12/99999",
        "1/1/-5",
        "+",
        "ab+-",
    ];
    let mut c = Chat::new();
    register_to_summary(&mut c);
    let base = c.conv.clone();
    let states = [
        State::AwaitConsent,
        State::Ask { field: Field::Name },
        State::Ask {
            field: Field::Phone,
        },
        State::Ask {
            field: Field::BirthDate,
        },
        State::Ask { field: Field::Sex },
        State::Ask {
            field: Field::Weight,
        },
        State::Ask {
            field: Field::BloodGroup,
        },
        State::Ask {
            field: Field::Province,
        },
        State::Ask {
            field: Field::Commune,
        },
        State::Ask {
            field: Field::LastDonationKind,
        },
        State::Ask {
            field: Field::LastDonationDate,
        },
        State::AgeDecision,
        State::ChooseProvince {
            candidates: vec!["nope".into(), "ha-noi".into()],
        },
        State::Summary,
        State::EditMenu,
        State::Idle,
        State::RenewConsent { pending: None },
        State::RenewConsent {
            pending: Some("/delete".into()),
        },
        State::ConfirmDelete {
            back: Box::new(State::Idle),
        },
        State::ChooseLanguage {
            back: Box::new(State::Summary),
        },
        State::Club(ClubState::AskJoinCode),
        State::Club(ClubState::ChooseClub {
            clubs: vec![ClubItem {
                id: 1,
                name: "CLB".into(),
            }],
        }),
        State::Club(ClubState::ClubMenu { club: club(true) }),
        State::Club(ClubState::MemberList {
            club: 1,
            club_name: "CLB".into(),
            ids: vec![5, 6],
            page: usize::MAX,
            at: 0,
            shown: vec!["An".into(), "Bình".into()],
            query: Some("an".into()),
        }),
        State::Club(ClubState::ConfirmRemove {
            club: 1,
            club_name: "CLB".into(),
            donor: 5,
            number: 1,
            name: "An".into(),
        }),
        State::Club(ClubState::NewClubName),
        State::Club(ClubState::NewClubKind { name: "CLB".into() }),
        State::Club(ClubState::ChooseAudience {
            clubs: vec![],
            wide: true,
        }),
        State::Club(ClubState::AudienceProvince),
        State::Club(ClubState::AudienceBlood),
        State::Club(ClubState::BroadcastText {
            audience: Audience::All,
        }),
        State::Club(ClubState::ConfirmBroadcast {
            audience: Audience::All,
            text: "x".into(),
            count: 3,
            left: 1,
        }),
        State::Club(ClubState::BroadcastList { running: vec![4] }),
    ]
    .into_iter()
    .chain(drive_states())
    .chain(callout_states());
    for state in states {
        for donor in [base.donor.clone(), None, Some(Donor::default())] {
            for input in inputs.iter().map(|s| Input::Text(s.to_string())).chain([
                Input::Choice("x".repeat(100)),
                Input::Contact {
                    phone: "".into(),
                    own: true,
                },
                Input::Unsupported,
            ]) {
                c.conv = Conversation {
                    state: Some(state.clone()),
                    lang: Lang::En,
                    donor: donor.clone(),
                    join: None,
                    ask: None,
                    staff: false,
                };
                c.send(input);
            }
        }
    }
}

fn a_drive(mine: Option<Option<i64>>) -> DriveInfo {
    DriveInfo {
        open_days: None,
        id: 3,
        campaign: Some("Chủ nhật Đỏ".into()),
        place: "Nhà văn hoá Lê Chân".into(),
        province: "hai-phong".into(),
        commune: String::new(),
        // 29/11/2026 07:30–11:30 in Vietnam.
        starts_at: 1_795_912_200_000,
        ends_at: 1_795_926_600_000,
        capacity: 10,
        taken: 5,
        target_units: Some(8),
        slots: vec![
            crate::domain::drive::SlotInfo {
                id: 9,
                starts_at: 1_795_912_200_000,
                ends_at: 1_795_919_400_000,
                capacity: 5,
                taken: 5,
            },
            crate::domain::drive::SlotInfo {
                id: 10,
                starts_at: 1_795_919_400_000,
                ends_at: 1_795_926_600_000,
                capacity: 5,
                taken: 0,
            },
        ],
        mine,
        cancelled: false,
    }
}

fn drive_states() -> Vec<State> {
    use crate::engine::Item;
    use crate::engine::drive::{CampaignDraft, CampaignField, DriveDraft, DriveField};
    let items = vec![Item {
        id: 3,
        label: "29/11 · Lê Chân".into(),
    }];
    vec![
        State::Drive(DriveState::DriveList {
            drives: items.clone(),
        }),
        State::Drive(DriveState::DriveMenu {
            drive: a_drive(Some(None)),
            staff: true,
        }),
        State::Drive(DriveState::ChooseSlot {
            drive: a_drive(None),
        }),
        State::Drive(DriveState::ConfirmCancelDrive {
            drive: a_drive(None),
        }),
        State::Drive(DriveState::SelfReportKind),
        State::Drive(DriveState::RecordWho),
        State::Drive(DriveState::RecordKind {
            donor: 1,
            name: "Lan".into(),
            drives: items.clone(),
            next: NaiveDate::from_ymd_opt(2027, 1, 1),
            last: Some(crate::engine::drive::RecordedDonation {
                id: 3,
                date: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
                kind: DonationKind::WholeBlood,
            }),
        }),
        State::Drive(DriveState::RecordConfirmEarly {
            donor: 1,
            name: "Lan".into(),
            kind: DonationKind::Platelets,
            drives: items.clone(),
            next: NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(),
        }),
        State::Drive(DriveState::RecordConfirmRemove {
            donor: 1,
            name: "Lan".into(),
            last: crate::engine::drive::RecordedDonation {
                id: 3,
                date: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
                kind: DonationKind::WholeBlood,
            },
        }),
        State::Drive(DriveState::RecordDrive {
            donor: 1,
            name: "Lan".into(),
            kind: DonationKind::Platelets,
            drives: items.clone(),
        }),
        State::Drive(DriveState::DriveForm {
            draft: DriveDraft {
                target: Some(None),
                ..DriveDraft::default()
            },
            field: DriveField::Slots,
            campaigns: items.clone(),
        }),
        State::Drive(DriveState::DriveReview {
            draft: DriveDraft::default(),
            campaigns: items,
        }),
        State::Drive(DriveState::CampaignForm {
            draft: CampaignDraft::default(),
            field: CampaignField::Dates,
        }),
        State::Drive(DriveState::CampaignReview {
            draft: CampaignDraft::default(),
        }),
        State::Drive(DriveState::CampaignList {
            campaigns: vec![Item {
                id: 2,
                label: "Chủ nhật Đỏ".into(),
            }],
        }),
    ]
}

fn a_callout_spec() -> crate::domain::callout::CalloutSpec {
    crate::domain::callout::CalloutSpec {
        group: crate::domain::callout::PatientGroup::parse("O-").unwrap(),
        component: crate::domain::eligibility::DonationKind::WholeBlood,
        units: 2,
        hospital: "BV Việt Tiệp".into(),
        address: "1 Nhà Thương, Lê Chân".into(),
        province: crate::domain::province::Province::from_code("hai-phong").unwrap(),
        deadline: 1_795_010_000_000,
        note: String::new(),
    }
}

fn callout_states() -> Vec<State> {
    use crate::engine::Item;
    use crate::engine::callout::{CalloutDraft, CalloutField};
    let items = vec![Item {
        id: 4,
        label: "#4 O- ×2".into(),
    }];
    vec![
        State::Callout(CalloutState::CalloutForm {
            draft: CalloutDraft::default(),
            field: CalloutField::Group,
        }),
        State::Callout(CalloutState::CalloutForm {
            draft: CalloutDraft::default(),
            field: CalloutField::Deadline,
        }),
        State::Callout(CalloutState::CalloutReview {
            spec: a_callout_spec(),
            counts: [1, 2, 3, 4],
            first: 9,
            elsewhere: crate::domain::callout::Elsewhere {
                donors: 37,
                provinces: 6,
            },
        }),
        State::Callout(CalloutState::CalloutList {
            callouts: items.clone(),
        }),
        State::Callout(CalloutState::CalloutMenu { id: 4, open: true }),
        State::Callout(CalloutState::CalloutExtend { id: 4 }),
        State::Callout(CalloutState::CalloutConfirmCancel { id: 4 }),
        State::Callout(CalloutState::PledgeList {
            id: 4,
            pledges: items,
        }),
        State::Callout(CalloutState::PledgeMark {
            id: 4,
            donor: 7,
            label: "An".into(),
        }),
        State::Callout(CalloutState::CalloutAnswer { id: 4 }),
        State::Callout(CalloutState::Settings),
        State::Callout(CalloutState::SettingsDeferral),
    ]
}

#[test]
fn callout_states_survive_json() {
    for s in callout_states() {
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(serde_json::from_str::<State>(&json).unwrap(), s, "{json}");
    }
}

#[test]
fn a_one_line_callout_keeps_every_good_field_and_flags_every_wrong_one_at_once() {
    use crate::engine::callout::{CalloutField, CalloutRequest};
    let mut c = registered();
    // A wrong group and a wrong deadline: both said at once, the rest kept.
    let r = c.say("/callout O; toan phan; hai; BV Việt Tiệp; 1 Nhà Thương; hai phong; 25h");
    assert!(r.contains("chưa hiểu thời hạn"), "{r}");
    c.resume(Outcome::Callout(CalloutOutcome::Form));
    match c.state() {
        Some(State::Callout(CalloutState::CalloutForm { field, draft })) => {
            assert_eq!(field, CalloutField::Group);
            assert_eq!(draft.units, Some(2));
            assert_eq!(draft.hospital.as_deref(), Some("BV Việt Tiệp"));
            assert_eq!(draft.address.as_deref(), Some("1 Nhà Thương"));
            assert!(draft.province.is_some());
            assert_eq!(
                draft.note.as_deref(),
                Some(""),
                "the note was optional on the line"
            );
        }
        s => panic!("{s:?}"),
    }
    c.say("O-");
    // Only the deadline is asked next: nothing that was right is asked again.
    match c.state() {
        Some(State::Callout(CalloutState::CalloutForm { field, .. })) => {
            assert_eq!(field, CalloutField::Deadline)
        }
        s => panic!("{s:?}"),
    }
    c.say("18h");
    assert!(
        matches!(
            c.request(),
            Some(Request::Callout(CalloutRequest::Preview { .. }))
        ),
        "{:?}",
        c.request()
    );
}

#[test]
fn a_callout_typed_on_one_line_goes_to_the_preview_and_wrong_fields_are_asked_again() {
    use crate::engine::callout::{CalloutField, CalloutRequest};
    let mut c = registered();
    // Deadline "25h" is not a time: everything before it is kept, it is asked again.
    let r = c.say("/callout O-; toàn phần; 2; BV Việt Tiệp; 1 Nhà Thương, Lê Chân; Hải Phòng; 25h");
    assert!(r.contains("chưa hiểu thời hạn"), "{r}");
    assert_eq!(c.request(), Some(Request::Callout(CalloutRequest::Form)));
    let r = c.resume(Outcome::Callout(CalloutOutcome::Form));
    assert!(r.contains("Cần trước khi nào"), "{r}");
    match c.state() {
        Some(State::Callout(CalloutState::CalloutForm { field, draft })) => {
            assert_eq!(field, CalloutField::Deadline);
            assert_eq!(draft.units, Some(2));
            assert_eq!(draft.hospital.as_deref(), Some("BV Việt Tiệp"));
        }
        s => panic!("{s:?}"),
    }
    // "Yesterday" is understood now, and is in the past.
    let r = c.say("hôm qua");
    assert!(r.contains("đã qua"), "{r}");
    c.say("+6h");
    let r = c.say("bỏ qua");
    assert!(r.is_empty() || !r.contains("Ghi chú"), "{r}");
    let Some(Request::Callout(CalloutRequest::Preview { spec })) = c.request() else {
        panic!("{:?}", c.request());
    };
    assert_eq!(spec.units, 2);
    assert_eq!(spec.deadline, 1_795_000_000_000 + 6 * 3_600_000);
    let r = c.resume(Outcome::Callout(CalloutOutcome::Preview {
        spec: spec.clone(),
        counts: [3, 7, 12, 1_001],
        first_wave: 9,
        elsewhere: crate::domain::callout::Elsewhere {
            donors: 37,
            provinces: 6,
        },
    }));
    assert!(
        r.contains("CLB dự bị trong tỉnh 3") && r.contains("hỏi 9 người"),
        "{r}"
    );
    // Who beyond the province the wider steps may ask (issue 33).
    assert!(
        r.contains("Ngoài tỉnh: 37 người hiến ở 6 tỉnh, thành khác"),
        "{r}"
    );
    // Counts stop at the cap: beyond it, "more than".
    assert!(r.contains("thêm cả tỉnh 12 · toàn quốc hơn 1"), "{r}");
    assert!(!r.contains("1001") && !r.contains("1.001"), "{r}");
    // Change the units from the review, then send.
    c.say("units");
    c.say("3");
    let Some(Request::Callout(CalloutRequest::Preview { spec })) = c.request() else {
        panic!("{:?}", c.request());
    };
    assert_eq!(spec.units, 3);
    let r = c.resume(Outcome::Callout(CalloutOutcome::Preview {
        spec,
        counts: [3, 7, 12, 40],
        first_wave: 12,
        elsewhere: crate::domain::callout::Elsewhere::default(),
    }));
    assert!(r.contains("Ngoài tỉnh: không có người hiến phù hợp"), "{r}");
    c.say("1");
    assert!(matches!(
        c.request(),
        Some(Request::Callout(CalloutRequest::Start { .. }))
    ));
}

#[test]
fn a_patient_group_must_be_complete() {
    let mut c = registered();
    c.say("/callout");
    c.resume(Outcome::Callout(CalloutOutcome::Form));
    for bad in ["O", "chưa biết", "Rh-", "xyz"] {
        let r = c.say(bad);
        assert!(r.contains("ABO và Rh"), "{bad}: {r}");
    }
    c.say("AB-");
    assert!(
        matches!(c.state(), Some(State::Callout(CalloutState::CalloutForm { draft, .. })) if draft.group.is_some())
    );
}

#[test]
fn an_ask_is_answered_by_button_from_any_screen_or_by_number_right_after_it() {
    use crate::engine::callout::{CalloutRequest, PendingAsk};
    let mut c = registered();
    // A button tap from an unrelated screen.
    c.say("/help");
    c.send(Input::Choice("callout:4:yes".into()));
    assert_eq!(
        c.request(),
        Some(Request::Callout(CalloutRequest::Answer {
            id: 4,
            yes: true
        }))
    );
    // "2" right after an ask (Zalo, terminal): the ask, not the screen.
    c.conv.state = Some(State::Idle);
    c.conv.ask = Some(PendingAsk {
        callout: 5,
        from: 0,
    });
    c.say("2");
    assert_eq!(
        c.request(),
        Some(Request::Callout(CalloutRequest::Answer {
            id: 5,
            yes: false
        }))
    );
    assert_eq!(c.conv.ask, None);
    // Something else: handled as usual, and the ask stays open (issue 13: it was dropped,
    // and a later "1" went nowhere).
    c.conv.ask = Some(PendingAsk {
        callout: 6,
        from: 0,
    });
    c.say("/profile");
    assert_eq!(c.request(), None);
    assert!(c.conv.ask.is_some());
    let r = c.say("ai vậy?");
    assert!(r.contains("bệnh viện"), "{r}");
    assert_eq!(c.request(), None);
    c.say("khong duoc roi, em dang di cong tac");
    assert_eq!(
        c.request(),
        Some(Request::Callout(CalloutRequest::Answer {
            id: 6,
            yes: false
        }))
    );
    assert_eq!(c.conv.ask, None);
    // While another question is open, its numbers answer that question, not the ask.
    c.conv.ask = Some(PendingAsk {
        callout: 8,
        from: 0,
    });
    c.say("/language");
    c.say("2");
    assert_eq!(c.request(), None);
    assert!(c.conv.ask.is_some());
    c.say("1");
    assert_eq!(
        c.request(),
        Some(Request::Callout(CalloutRequest::Answer {
            id: 8,
            yes: true
        }))
    );
    // An ask held until the morning is not answered before it is shown.
    c.conv.ask = Some(PendingAsk {
        callout: 7,
        from: i64::MAX,
    });
    c.say("1");
    assert_eq!(c.request(), None);
    assert!(c.conv.ask.is_some());
}

#[test]
fn settings_toggle_urgent_and_night_and_record_a_deferral() {
    let mut c = registered();
    let r = c.say("/settings");
    assert!(r.contains("Lời kêu gọi khẩn cấp: đang nhận"), "{r}");
    c.say("Tắt tin khẩn cấp");
    assert!(c.donor().urgent_off);
    c.say("Nhận cả ban đêm");
    assert_eq!(c.donor().night_alerts, Some(true));
    c.say("Tạm hoãn hiến đến ngày…");
    let r = c.say("31/02/2027");
    assert!(r.contains("13 tháng"), "{r}");
    c.say("15/01/2027");
    assert_eq!(
        c.donor().deferred_until,
        NaiveDate::from_ymd_opt(2027, 1, 15)
    );
    c.say("xong");
    assert_eq!(c.state(), Some(State::Idle));
}

#[test]
fn drive_states_survive_json() {
    for s in drive_states() {
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(serde_json::from_str::<State>(&json).unwrap(), s, "{json}");
    }
}

#[test]
fn a_donor_not_yet_eligible_on_the_drive_day_is_told_without_asking_the_store() {
    let mut c = registered();
    // Gave whole blood on 01/11/2026: eligible again from 24/01/2027.
    c.conv.donor.as_mut().unwrap().last_donation = Some(LastDonationAnswer::Given {
        kind: DonationKind::WholeBlood,
        date: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
    });
    c.say("/drives");
    assert_eq!(
        c.request(),
        Some(Request::Drive(DriveRequest::List {
            from: NaiveDate::from_ymd_opt(2027, 1, 24)
        }))
    );
    c.conv.state = Some(State::Drive(DriveState::DriveMenu {
        drive: a_drive(None),
        staff: false,
    }));
    let out = c.say("1");
    assert!(out.contains("24/01/2027"), "{out}");
    assert_eq!(c.request(), None);
}

#[test]
fn a_drive_with_slots_asks_for_one_and_a_full_slot_is_not_offered() {
    let mut c = registered();
    c.conv.donor.as_mut().unwrap().last_donation = None;
    c.conv.state = Some(State::Drive(DriveState::DriveMenu {
        drive: a_drive(None),
        staff: false,
    }));
    let out = c.say("đăng ký");
    assert!(!out.contains("07:30–09:30"), "that slot is full: {out}");
    assert!(out.contains("09:30–11:30 (5)"), "{out}");
    assert_eq!(c.request(), None);
    assert!(matches!(
        c.state(),
        Some(State::Drive(DriveState::ChooseSlot { .. }))
    ));
    let out = c.say("1");
    assert_eq!(
        c.request(),
        Some(Request::Drive(DriveRequest::SignUp {
            id: 3,
            slot: Some(10)
        })),
        "{out}"
    );
}

#[test]
fn a_stranger_asking_for_staff_things_stays_at_the_consent_question() {
    let mut c = Chat::new();
    c.say("/record 0912345678");
    assert!(matches!(c.request(), Some(Request::Drive(_))));
    let out = c.resume(Outcome::Refused);
    assert!(out.contains("quyền") || out.contains("allowed"), "{out}");
    assert_eq!(c.state(), Some(State::AwaitConsent));
}

#[test]
fn state_survives_json() {
    let s = State::ChooseLanguage {
        back: Box::new(State::ChooseProvince {
            candidates: vec!["ha-noi".into()],
        }),
    };
    let json = serde_json::to_string(&s).unwrap();
    assert_eq!(serde_json::from_str::<State>(&json).unwrap(), s);
    assert!(serde_json::from_str::<State>(r#"{"state":"nope"}"#).is_err());
}

fn club(leader: bool) -> ClubInfo {
    ClubInfo {
        id: 7,
        name: "CLB Hiến máu ĐH Hàng Hải".into(),
        kind: crate::domain::club::ClubKind::University,
        invite_code: "K7QX2M".into(),
        leader,
        muted: false,
        members: 12,
    }
}

fn registered() -> Chat {
    let mut c = Chat::new();
    register_to_summary(&mut c);
    c.say("1");
    assert_eq!(c.state(), Some(State::Idle));
    c
}

#[test]
fn a_stranger_with_a_club_link_registers_first_then_joins() {
    let mut c = Chat::new();
    let text = c.say("/start K7QX2M");
    assert!(text.contains("đăng ký trước"), "{text}");
    assert_eq!(c.state(), Some(State::AwaitConsent));
    assert_eq!(c.request(), None);
    c.say("đồng ý");
    assert_eq!(
        c.conv.join.as_deref(),
        Some("K7QX2M"),
        "kept through the questions"
    );
    answer_every_question(&mut c);
    assert_eq!(c.request(), None);
    c.say("1");
    assert_eq!(
        c.request(),
        Some(Request::Club(ClubRequest::JoinClub {
            code: "K7QX2M".into()
        }))
    );
    assert_eq!(c.conv.join, None, "used once");
    let text = c.resume(Outcome::Club(ClubOutcome::Joined {
        club: club(false),
        already: false,
    }));
    assert!(
        text.contains("Bạn đã tham gia CLB Hiến máu ĐH Hàng Hải"),
        "{text}"
    );
    assert_eq!(c.state(), Some(State::Idle));
}

#[test]
fn a_declined_consent_forgets_the_pending_club() {
    let mut c = Chat::new();
    c.say("/join k7qx-2m");
    assert_eq!(c.conv.join.as_deref(), Some("K7QX2M"));
    c.say("không");
    assert_eq!(c.conv.join, None);
    assert_eq!(c.state(), None);
}

#[test]
fn join_codes_are_checked_before_asking_the_store() {
    let mut c = registered();
    let text = c.say("/join 12");
    assert!(text.contains("6 chữ và số"), "{text}");
    assert_eq!(c.request(), None);
    c.say("/join");
    assert_eq!(c.state(), Some(State::Club(ClubState::AskJoinCode)));
    let text = c.say("xyz");
    assert!(text.contains("6 chữ và số"), "{text}");
    c.say("K7QX2M");
    assert_eq!(
        c.request(),
        Some(Request::Club(ClubRequest::JoinClub {
            code: "K7QX2M".into()
        }))
    );
    let text = c.resume(Outcome::Club(ClubOutcome::NoSuchCode));
    assert!(text.contains("Không có câu lạc bộ"), "{text}");
}

#[test]
fn clubs_need_a_finished_registration() {
    let mut c = Chat::new();
    let text = c.say("/clubs");
    assert!(text.contains("hoàn tất đăng ký"), "{text}");
    assert_eq!(c.request(), None);
    let text = c.say("/newclub");
    assert!(text.contains("hoàn tất đăng ký"), "{text}");
    assert_eq!(c.request(), None);
}

#[test]
fn a_club_menu_offers_leaders_more_than_members() {
    let mut c = registered();
    c.say("/clubs");
    assert_eq!(c.request(), Some(Request::Club(ClubRequest::MyClubs)));
    let text = c.resume(Outcome::Club(ClubOutcome::Clubs(vec![club(true), {
        let mut other = club(false);
        other.id = 8;
        other.name = "CLB Phường Lê Chân".into();
        other.muted = true;
        other
    }])));
    assert!(text.contains("CLB Hiến máu ĐH Hàng Hải (12) ★"), "{text}");
    assert!(text.contains("CLB Phường Lê Chân (12) 🔕"), "{text}");
    c.say("2");
    assert_eq!(
        c.request(),
        Some(Request::Club(ClubRequest::Club { id: 8 }))
    );
    let text = c.resume(Outcome::Club(ClubOutcome::Club({
        let mut m = club(false);
        m.id = 8;
        m
    })));
    assert!(
        !text.contains("Gửi thông báo"),
        "members cannot broadcast: {text}"
    );
    assert!(
        text.contains("Tắt thông báo") && text.contains("Rời CLB"),
        "{text}"
    );
    c.say("tat thong bao");
    assert_eq!(
        c.request(),
        Some(Request::Club(ClubRequest::MuteClub { id: 8, mute: true }))
    );

    c.say("/clubs");
    c.resume(Outcome::Club(ClubOutcome::Clubs(vec![club(true)])));
    c.say("1");
    let text = c.resume(Outcome::Club(ClubOutcome::Club(club(true))));
    assert!(
        text.contains("Gửi thông báo") && text.contains("Thành viên"),
        "{text}"
    );
    let text = c.say("Mã mời");
    assert!(
        text.contains("https://t.me/hienmau_bot?start=K7QX2M"),
        "{text}"
    );
}

#[test]
fn a_leader_pages_through_members_and_removes_one_by_number() {
    let mut c = registered();
    c.conv.state = Some(State::Club(ClubState::ClubMenu { club: club(true) }));
    c.say("Thành viên");
    assert_eq!(
        c.request(),
        Some(Request::Club(ClubRequest::Members {
            id: 7,
            page: 0,
            query: None
        }))
    );
    let members: Vec<crate::domain::club::Member> = (1..=35)
        .map(|i| crate::domain::club::Member {
            donor_id: 100 + i,
            name: format!("Người {i}"),
            blood_group: Some("O+".into()),
            phone_masked: Some("091****678".into()),
            leader: i == 1,
        })
        .collect();
    let text = c.resume(Outcome::Club(ClubOutcome::Members {
        club: 7,
        name: "CLB".into(),
        members: members.clone(),
        page: 0,
        query: None,
    }));
    assert!(text.contains("35 người (trang 1/2)"), "{text}");
    assert!(text.contains("30. Người 30 · O+ · 091****678"), "{text}");
    assert!(!text.contains("31. Người 31"), "{text}");
    c.say("tiếp");
    assert_eq!(
        c.request(),
        Some(Request::Club(ClubRequest::Members {
            id: 7,
            page: 1,
            query: None
        }))
    );
    let text = c.resume(Outcome::Club(ClubOutcome::Members {
        club: 7,
        name: "CLB".into(),
        members,
        page: 1,
        query: None,
    }));
    assert!(text.contains("35. Người 35"), "{text}");
    assert!(!text.contains("tiếp"), "last page: {text}");
    let text = c.say("36");
    assert!(text.contains("số thứ tự"), "{text}");
    c.say("3");
    assert!(matches!(
        c.state(),
        Some(State::Club(ClubState::ConfirmRemove { donor: 103, .. }))
    ));
    c.say("1");
    assert_eq!(
        c.request(),
        Some(Request::Club(ClubRequest::RemoveMember {
            club: 7,
            donor: 103
        }))
    );
}

#[test]
fn a_broadcast_is_written_previewed_and_confirmed() {
    let mut c = registered();
    c.say("/thongbao");
    assert_eq!(
        c.request(),
        Some(Request::Club(ClubRequest::BroadcastOptions))
    );
    c.resume(Outcome::Club(ClubOutcome::BroadcastOptions {
        clubs: vec![ClubItem {
            id: 7,
            name: "CLB A".into(),
        }],
        wide: crate::engine::Wide::No,
    }));
    let audience = Audience::Club {
        id: 7,
        name: "CLB A".into(),
    };
    assert_eq!(
        c.state(),
        Some(State::Club(ClubState::BroadcastText {
            audience: audience.clone()
        })),
        "one club: no need to choose"
    );
    let text = c.say(&"á".repeat(1501));
    // Figures as Vietnamese writes them (issue 31: thousands grouped).
    assert!(text.contains("1.500") && text.contains("1.501"), "{text}");
    c.say("Chủ nhật Đỏ 7/12 tại Nhà văn hoá Thanh niên, 7h30.");
    assert_eq!(
        c.request(),
        Some(Request::Club(ClubRequest::PreviewBroadcast {
            audience: audience.clone(),
            text: "Chủ nhật Đỏ 7/12 tại Nhà văn hoá Thanh niên, 7h30.".into()
        }))
    );
    let text = c.resume(Outcome::Club(ClubOutcome::Preview {
        audience: audience.clone(),
        text: "Chủ nhật Đỏ 7/12".into(),
        count: 214,
        left: 2,
    }));
    assert!(text.contains("Sẽ gửi tới 214 người"), "{text}");
    assert!(text.contains("còn 2 lượt"), "{text}");
    c.say("viet lai");
    assert!(matches!(
        c.state(),
        Some(State::Club(ClubState::BroadcastText { .. }))
    ));
    c.say("Chủ nhật Đỏ 7/12");
    c.resume(Outcome::Club(ClubOutcome::Preview {
        audience: audience.clone(),
        text: "Chủ nhật Đỏ 7/12".into(),
        count: 214,
        left: 2,
    }));
    c.say("1");
    assert_eq!(
        c.request(),
        Some(Request::Club(ClubRequest::SendBroadcast {
            audience,
            text: "Chủ nhật Đỏ 7/12".into(),
            form_key: None,
        }))
    );
    let text = c.resume(Outcome::Club(ClubOutcome::BroadcastQueued {
        id: 4,
        count: 214,
        held_until: Some("07:00".into()),
    }));
    assert!(text.contains("#4 tới 214 người"), "{text}");
    assert!(text.contains("từ 07:00"), "{text}");
}

#[test]
fn coordinators_choose_a_province_or_a_blood_group() {
    let mut c = registered();
    c.say("/broadcast");
    let text = c.resume(Outcome::Club(ClubOutcome::BroadcastOptions {
        clubs: vec![],
        wide: crate::engine::Wide::Nation,
    }));
    assert!(text.contains("Người hiến máu của một tỉnh/thành"), "{text}");
    c.say("1");
    c.say("Ha noi");
    assert_eq!(
        c.state(),
        Some(State::Club(ClubState::BroadcastText {
            audience: Audience::Province {
                code: "ha-noi".into()
            }
        }))
    );
    c.say("/broadcast");
    c.resume(Outcome::Club(ClubOutcome::BroadcastOptions {
        clubs: vec![],
        wide: crate::engine::Wide::Nation,
    }));
    c.say("nhom mau");
    let text = c.say("AB");
    assert!(text.contains("nhóm máu"), "Rh needed: {text}");
    c.say("O âm");
    assert_eq!(
        c.state(),
        Some(State::Club(ClubState::BroadcastText {
            audience: Audience::Blood { group: "O-".into() }
        }))
    );
}

#[test]
fn refusals_and_role_commands_read_clearly() {
    let mut c = registered();
    c.say("/broadcast");
    let text = c.resume(Outcome::Refused);
    assert!(text.contains("không có quyền"), "{text}");
    assert_eq!(c.state(), Some(State::Idle));

    let text = c.say("/grant boss 0912345678");
    assert!(text.contains("Cách dùng"), "{text}");
    assert_eq!(c.request(), None);
    let text = c.say("/grant coordinator 12");
    assert!(text.contains("Cách dùng"), "{text}");
    c.say("/capquyen điều phối 0912 345 678");
    assert_eq!(
        c.request(),
        Some(Request::Club(ClubRequest::SetRole {
            role: crate::domain::club::Role::Coordinator,
            phone: crate::domain::phone::PhoneNumber::parse("0912345678").unwrap(),
            grant: true,
            province: None,
        }))
    );
    let text = c.resume(Outcome::Club(ClubOutcome::RoleChanged {
        role: crate::domain::club::Role::Coordinator,
        grant: true,
        changed: true,
        province: None,
    }));
    assert!(text.contains("Đã cấp vai trò điều phối viên"), "{text}");
    // For one province, typed without diacritics after the phone (issue 33).
    let hp = crate::domain::province::Province::from_code("hai-phong").unwrap();
    c.say("/grant coordinator 0912 345 678 hai phong");
    assert_eq!(
        c.request(),
        Some(Request::Club(ClubRequest::SetRole {
            role: crate::domain::club::Role::Coordinator,
            phone: crate::domain::phone::PhoneNumber::parse("0912345678").unwrap(),
            grant: true,
            province: Some(hp),
        }))
    );
    let text = c.resume(Outcome::Club(ClubOutcome::RoleChanged {
        role: crate::domain::club::Role::Coordinator,
        grant: true,
        changed: true,
        province: Some(hp),
    }));
    assert!(text.contains("điều phối viên — Hải Phòng"), "{text}");
    // Not a province, or a leader with one (a leader's scope is their clubs): the usage.
    for wrong in [
        "/grant coordinator 0912345678 Atlantis",
        "/grant leader 0912345678 Hải Phòng",
    ] {
        let text = c.say(wrong);
        assert!(text.contains("Cách dùng"), "{wrong}: {text}");
        assert_eq!(c.request(), None, "{wrong}");
    }
    c.say("/audit");
    assert_eq!(c.request(), Some(Request::Club(ClubRequest::Audit)));
}

#[test]
fn saved_states_read_old_rows_and_keep_the_join_code() {
    let old = r#"{"state":"idle"}"#;
    let saved: Saved = serde_json::from_str(old).unwrap();
    assert_eq!(saved.state, State::Idle);
    assert_eq!(saved.join, None);
    let s = Saved {
        state: State::Ask { field: Field::Name },
        join: Some("K7QX2M".into()),
        ask: None,
    };
    let json = serde_json::to_string(&s).unwrap();
    assert_eq!(serde_json::from_str::<Saved>(&json).unwrap(), s);
}

/// Each capability owns its states, and they are stored as they were when `State` was one
/// flat enum: a conversation saved by an older version resumes where it was.
#[test]
fn nested_states_are_stored_in_the_flat_shape_of_before() {
    let cases = [
        (r#"{"state":"idle"}"#, State::Idle),
        (
            r#"{"state":"new_club_kind","name":"CLB A"}"#,
            State::Club(ClubState::NewClubKind {
                name: "CLB A".into(),
            }),
        ),
        (
            r#"{"state":"self_report_kind"}"#,
            State::Drive(DriveState::SelfReportKind),
        ),
        (
            r#"{"state":"callout_extend","id":7}"#,
            State::Callout(CalloutState::CalloutExtend { id: 7 }),
        ),
        (
            r#"{"state":"confirm_delete","back":{"state":"settings"}}"#,
            State::ConfirmDelete {
                back: Box::new(State::Callout(CalloutState::Settings)),
            },
        ),
    ];
    for (json, state) in cases {
        assert_eq!(
            serde_json::from_str::<State>(json).unwrap(),
            state,
            "{json}"
        );
        assert_eq!(serde_json::to_string(&state).unwrap(), json);
    }
    assert!(serde_json::from_str::<State>(r#"{"state":"callout_extend"}"#).is_err());
}

/// The club flows' buttons are written and read in one place: what one writes the other
/// reads, and anything else is not a button.
#[test]
fn club_button_values_round_trip_and_refuse_junk() {
    use crate::engine::club::ClubButton;
    for b in [
        ClubButton::Audience { club: 12 },
        ClubButton::Stop { broadcast: 7 },
    ] {
        assert_eq!(ClubButton::parse(&b.value()), Some(b));
    }
    assert_eq!(b_value("club:12"), "club:12");
    for bad in [
        "club:", "club:x", "stop:-", "stop:1:2", "drive:1", "", "club12",
    ] {
        assert_eq!(ClubButton::parse(bad), None, "{bad}");
    }
}

fn b_value(v: &str) -> String {
    crate::engine::club::ClubButton::parse(v)
        .map(|b| b.value())
        .unwrap_or_default()
}

/// Issue 31: an unregistered person who types /newclub or /join is pointed to the command the
/// greeting offers (/dangky), which also works for staff, not to /start.
#[test]
fn club_commands_before_registering_point_to_dangky() {
    for cmd in ["/newclub", "/join", "/clubs"] {
        let mut c = Chat::new();
        let text = c.say(cmd);
        assert!(
            text.contains("/dangky") && !text.contains("/start"),
            "{cmd}: {text}"
        );
        c.conv.lang = Lang::En;
        let text = c.say(cmd);
        assert!(text.contains("/register"), "{cmd}: {text}");
    }
}

/// Issue 31: a leader with many members searches them by name or phone in chat; pages move
/// within the search, "tất cả" shows everyone again, and nothing found says so.
#[test]
fn a_leader_searches_members_by_name_or_phone() {
    let mut c = registered();
    c.conv.state = Some(State::Club(ClubState::ClubMenu { club: club(true) }));
    c.say("Thành viên");
    let member = |i: i64, name: &str| crate::domain::club::Member {
        donor_id: 100 + i,
        name: name.into(),
        blood_group: None,
        phone_masked: None,
        leader: false,
    };
    let all: Vec<_> = (1..=40).map(|i| member(i, &format!("Người {i}"))).collect();
    c.resume(Outcome::Club(ClubOutcome::Members {
        club: 7,
        name: "CLB".into(),
        members: all,
        page: 0,
        query: None,
    }));
    let search = |q: &str| {
        Some(Request::Club(ClubRequest::Members {
            id: 7,
            page: 0,
            query: Some(q.into()),
        }))
    };
    for (typed, query) in [
        ("tìm Lan", "Lan"),
        ("tim kiem Đặng Lan", "Đặng Lan"),
        ("nguyen thi", "nguyen thi"),
        ("0912 345 678", "0912 345 678"),
    ] {
        c.say(typed);
        assert_eq!(c.request(), search(query), "{typed}");
    }
    // A number on the list is still a member to remove; a short wrong number is said so.
    let text = c.say("45");
    assert!(text.contains("số thứ tự"), "{text}");
    c.say("tìm Lan");
    let found: Vec<_> = (1..=35).map(|i| member(i, &format!("Lan {i}"))).collect();
    let text = c.resume(Outcome::Club(ClubOutcome::Members {
        club: 7,
        name: "CLB".into(),
        members: found,
        page: 0,
        query: Some("Lan".into()),
    }));
    assert!(
        text.contains("Thành viên CLB khớp “Lan”: 35 người (trang 1/2)"),
        "{text}"
    );
    c.say("tiếp");
    assert_eq!(
        c.request(),
        Some(Request::Club(ClubRequest::Members {
            id: 7,
            page: 1,
            query: Some("Lan".into())
        })),
        "pages move within the search"
    );
    c.resume(Outcome::Club(ClubOutcome::Members {
        club: 7,
        name: "CLB".into(),
        members: vec![member(1, "Lan 1")],
        page: 0,
        query: Some("Lan".into()),
    }));
    c.say("tất cả");
    assert_eq!(
        c.request(),
        Some(Request::Club(ClubRequest::Members {
            id: 7,
            page: 0,
            query: None
        }))
    );
    let text = c.resume(Outcome::Club(ClubOutcome::Members {
        club: 7,
        name: "CLB".into(),
        members: Vec::new(),
        page: 0,
        query: Some("Xyz".into()),
    }));
    assert!(
        text.contains("Không thấy thành viên nào của CLB khớp “Xyz”"),
        "{text}"
    );
    assert!(matches!(
        c.state(),
        Some(State::Club(ClubState::MemberList { .. }))
    ));
}

/// Issue 31: a last donation given as a month is shown as that month ("tháng 09/2026"), not
/// as a day the donor never said ("ngày 30/09/2026"); a day given is kept as a day.
#[test]
fn a_last_donation_given_as_a_month_reads_as_a_month() {
    let mut c = Chat::new();
    c.say("xin chào");
    c.say("đồng ý");
    for line in [
        "Nguyễn Thị Lan",
        "0912 345 678",
        "05/03/1995",
        "nữ",
        "50",
        "O+",
        "hai phong",
        "Phường Lê Chân",
        "Máu toàn phần",
    ] {
        c.say(line);
    }
    c.say("9/2026");
    let summary = c.say("có");
    assert!(
        summary.contains("Máu toàn phần, tháng 09/2026"),
        "{summary}"
    );
    assert!(!summary.contains("30/09/2026"), "{summary}");
    assert!(c.donor().last_donation_month);
    // Given to the day: a day.
    let mut c2 = Chat::new();
    c2.say("xin chào");
    c2.say("đồng ý");
    answer_every_question(&mut c2);
    assert!(!c2.donor().last_donation_month);
}
