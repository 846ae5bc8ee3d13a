use super::*;
use crate::domain::eligibility::Rules;

struct Chat {
    catalogue: Catalogue,
    rules: Rules,
    conv: Conversation,
    last: Option<Step>,
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
            },
            last: None,
        }
    }

    fn send(&mut self, input: Input) -> String {
        let ctx = Ctx {
            rules: &self.rules,
            today: NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
            now_ms: 1_795_000_000_000,
            org_name: "Hội Chữ thập đỏ TP Hải Phòng",
            tz: chrono_tz::Asia::Ho_Chi_Minh,
            catalogue: &self.catalogue,
        };
        let step = step(&ctx, self.conv.clone(), input);
        self.conv = Conversation {
            state: step.state.clone(),
            lang: step.lang,
            donor: step.donor.clone(),
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
    assert_eq!(c.state(), Some(State::Summary));
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
        State::ConfirmDelete {
            back: Box::new(State::Idle),
        },
        State::ChooseLanguage {
            back: Box::new(State::Summary),
        },
    ];
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
                };
                c.send(input);
            }
        }
    }
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
