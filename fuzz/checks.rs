//! Entry points for fuzzing: each takes any bytes a stranger could send (a chat message, a
//! webhook body, a button's data, an uploaded file, a conversation state read back from the
//! database) and must return without panicking. The `fuzz/` crate runs them under libFuzzer
//! (`cargo +nightly fuzz run <target>`); `tests/it/fuzz.rs` runs each on its seed corpus
//! (`fuzz/seeds/<target>/`) and a few thousand mutations of it in every `cargo test`.
//!
//! Each also checks what must hold of any answer, not only that there is one: a parsed phone
//! is in E.164, a blood group's code reads back as itself, a state written back reads back
//! the same, a reply renders with every variable filled.
//!
//! Not part of the library (the product does not ship them): each fuzz target includes this
//! file as a module, and so does the integration suite (`tests/it/main.rs`). They use the
//! library's public items only.

use chrono::{NaiveDate, TimeZone, Utc};
use hienmau::domain::eligibility::Rules;
use hienmau::engine::{self, Conversation, Ctx, Input, Label, Saved};
use hienmau::messages::{Catalogue, Lang};
use std::sync::OnceLock;

/// A fuzz target: any bytes in, no panic out.
pub type Target = fn(&[u8]);

/// The targets, by name (the `fuzz/` crate has one binary per name; the seeds are in
/// `fuzz/seeds/<name>/`).
pub const TARGETS: &[(&str, Target)] = &[
    ("text", text),
    ("conversation", conversation),
    ("stored_state", stored_state),
    ("callback_data", callback_data),
    ("telegram_update", telegram_update),
    ("zalo_bot_event", zalo_bot_event),
    ("zalo_oa_event", zalo_oa_event),
    ("calendar_toml", calendar_toml),
    ("calendar_csv", calendar_csv),
    ("donations_csv", donations_csv),
    ("plan", plan),
];

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).expect("a date")
}

fn catalogue() -> &'static Catalogue {
    static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
    CATALOGUE.get_or_init(|| Catalogue::load().expect("the message catalogue loads"))
}

fn rules() -> &'static Rules {
    static RULES: OnceLock<Rules> = OnceLock::new();
    RULES.get_or_init(Rules::default)
}

/// Every parser of typed text, on the same input.
pub fn text(data: &[u8]) {
    use hienmau::domain::{
        blood::BloodGroup, body, callout, club, dates, donation, donor, drive, phone, province,
        quiet, text as t, understand,
    };
    let s = String::from_utf8_lossy(data);
    let s = s.as_ref();
    let today = today();
    let earliest = NaiveDate::from_ymd_opt(1950, 1, 1).expect("a date");
    if let Ok(p) = phone::PhoneNumber::parse(s) {
        let e164 = p.as_e164();
        assert!(e164.starts_with("+84"), "{e164}");
        assert!(e164[1..].bytes().all(|b| b.is_ascii_digit()), "{e164}");
        // A parsed number parses back to itself.
        assert_eq!(phone::PhoneNumber::parse(e164).as_ref(), Ok(&p));
    }
    if let Ok(g) = BloodGroup::parse(s) {
        assert_eq!(BloodGroup::from_code(&g.code()), Some(g));
    }
    if let Some(p) = callout::PatientGroup::parse(s) {
        assert_eq!(callout::PatientGroup::from_code(&p.code()), Some(p));
    }
    let _ = province::Province::find(s);
    let _ = body::Sex::parse(s);
    if let Ok(w) = body::WeightKg::parse(s) {
        assert!(w.kg().is_finite() && w.kg() > 0.0, "{w:?}");
    }
    if let Ok(d) = dates::parse_day(s, today) {
        let _ = dates::format_vn(d);
    }
    let _ = dates::parse_past(s, today, earliest);
    if let Ok(d) = dates::parse_birth(s, today) {
        assert!(d <= today, "{d} is after {today}");
    }
    let _ = dates::parse_last_donation(s, today, earliest);
    let _ = donor::parse_last_kind(s);
    let _ = donor::parse_name(s);
    let _ = donor::parse_commune(s);
    let _ = drive::parse_time(s);
    let _ = drive::TimeWindow::parse(s);
    let _ = drive::parse_place(s);
    let _ = drive::parse_count(s);
    if let Some(d) = drive::parse_upcoming_day(s, today) {
        assert!(d >= today, "{d} is before {today}");
    }
    let _ = drive::ReminderRule::parse(s);
    let _ = callout::parse_component(s);
    let _ = callout::parse_units(s);
    let now = Utc
        .with_ymd_and_hms(2026, 11, 22, 2, 0, 0)
        .single()
        .expect("a time");
    if let Ok(at) = callout::parse_deadline(s, now, chrono_tz::Asia::Ho_Chi_Minh, 72) {
        assert!(at > now, "a deadline in the past: {at}");
        assert!(
            at <= now + chrono::Duration::hours(72),
            "beyond the cap: {at}"
        );
    }
    let _ = club::Role::parse(s);
    let _ = club::ClubKind::parse(s);
    let _ = club::parse_club_name(s);
    let _ = club::parse_invite_code(s);
    let _ = club::parse_announcement(s);
    let _ = donation::parse_kind(s);
    let _ = quiet::QuietHours::parse(s);
    let _ = hienmau::domain::campaign::DateRule::parse(s);
    let _ = hienmau::channels::parse_account(s);
    let _ = hienmau::engine::callout::parse_button(s);
    let _ = understand::yes_no(s);
    let _ = understand::ask_reply(s);
    let _ = understand::amount(s);
    let _ = understand::time_of_day(s);
    let _ = understand::split_time(s);
    let folded = t::fold(s);
    let _ = understand::number_words(&folded);
    let _ = t::fold_compact(s);
    let _ = t::tidy(s);
    let _ = t::edit_distance_within(&folded, "hai phong", 2);
}

/// A conversation: line 1 the stored state (JSON, empty for none), line 2 who is writing
/// (`d` a registered donor, `s` staff, `e` English), then one input a line: `c:` a tapped
/// button's value, `p:`/`P:` a shared contact (own / someone else's), `u:` a sticker, anything
/// else typed text. Each input goes through the engine and its reply is rendered.
pub fn conversation(data: &[u8]) {
    walk(data, &mut |_| {});
}

/// The states (as stored) a [`conversation`] input passes through: the `stored_state` seeds.
pub fn states_of(data: &[u8]) -> Vec<String> {
    let mut states = Vec::new();
    walk(data, &mut |c: &Conversation| {
        if let Some(state) = &c.state {
            let saved = Saved {
                state: state.clone(),
                join: c.join.clone(),
                ask: c.ask,
            };
            states.push(serde_json::to_string(&saved).expect("a state writes"));
        }
    });
    states
}

fn walk(data: &[u8], seen: &mut dyn FnMut(&Conversation)) {
    let s = String::from_utf8_lossy(data);
    let mut lines = s.split('\n');
    let saved = lines
        .next()
        .and_then(|l| serde_json::from_str::<Saved>(l).ok());
    let who = lines.next().unwrap_or("");
    let mut conv = Conversation {
        state: saved.as_ref().map(|s| s.state.clone()),
        lang: if who.contains('e') {
            Lang::En
        } else {
            Lang::Vi
        },
        donor: who.contains('d').then(registered_donor),
        join: saved.as_ref().and_then(|s| s.join.clone()),
        ask: saved.as_ref().and_then(|s| s.ask),
        staff: who.contains('s'),
    };
    for line in lines.take(64) {
        let input = match line.split_at_checked(2) {
            Some(("c:", v)) => Input::Choice(v.to_string()),
            Some(("p:", v)) => Input::Contact {
                phone: v.to_string(),
                own: true,
            },
            Some(("P:", v)) => Input::Contact {
                phone: v.to_string(),
                own: false,
            },
            Some(("u:", _)) => Input::Unsupported,
            _ => Input::Text(line.to_string()),
        };
        conv = turn(conv, input);
        seen(&conv);
    }
}

/// A state as read back from the database, whatever was written there: it reads or is
/// refused, reads back the same once written, and every input in it is answered.
pub fn stored_state(data: &[u8]) {
    let Ok(saved) = serde_json::from_slice::<Saved>(data) else {
        return;
    };
    let json = serde_json::to_string(&saved).expect("a state writes");
    let again: Saved = serde_json::from_str(&json).expect("a written state reads back");
    assert_eq!(
        serde_json::to_string(&again).expect("a state writes"),
        json,
        "a state changed on the way back"
    );
    for (input, staff) in [
        (Input::Text("1".into()), false),
        (Input::Text("hủy".into()), true),
        (Input::Choice("back".into()), false),
    ] {
        let conv = Conversation {
            state: Some(saved.state.clone()),
            lang: Lang::Vi,
            donor: Some(registered_donor()),
            join: saved.join.clone(),
            ask: saved.ask,
            staff,
        };
        turn(conv, input);
    }
}

/// A button's data, as a forged callback would carry it, tapped in a few states.
pub fn callback_data(data: &[u8]) {
    let value = String::from_utf8_lossy(data).into_owned();
    let _ = hienmau::engine::callout::parse_button(&value);
    for state in [None, Some(engine::State::Idle)] {
        for staff in [false, true] {
            let conv = Conversation {
                state: state.clone(),
                lang: Lang::Vi,
                donor: Some(registered_donor()),
                join: None,
                ask: None,
                staff,
            };
            turn(conv, Input::Choice(value.clone()));
        }
    }
}

use hienmau::channels::{Channel, ChannelKind};

/// The deployment's own account on a platform.
fn own(kind: ChannelKind) -> Channel {
    Channel::of(kind)
}

/// A Telegram update as a webhook body or a getUpdates item.
pub fn telegram_update(data: &[u8]) {
    if let Ok(Some(t)) =
        hienmau::channels::telegram::translate_body(data, own(ChannelKind::Telegram))
    {
        assert!(!t.inbound.user.is_empty());
        turn(fresh(), t.inbound.input);
    }
}

/// A Zalo Bot Platform webhook body (or getUpdates answer).
pub fn zalo_bot_event(data: &[u8]) {
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(data)
        && let Some(inbound) = hienmau::channels::zalo_bot::translate(&v, own(ChannelKind::Zalo))
    {
        turn(fresh(), inbound.input);
    }
}

/// A Zalo OA webhook: the signature header on the first line, then the body.
pub fn zalo_oa_event(data: &[u8]) {
    use hienmau::channels::zalo_oa;
    let (header, body) = match data.iter().position(|b| *b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (&data[..0], data),
    };
    let _ = zalo_oa::signature_well_formed(header);
    if let Ok(event) = serde_json::from_slice::<serde_json::Value>(body) {
        let stamp = event["timestamp"].to_string();
        let app = event["app_id"].as_str().unwrap_or("");
        let mac = zalo_oa::signature_hex(app, body, &stamp, "secret");
        assert_eq!(mac.len(), 64);
        if let zalo_oa::OaEvent::Message(inbound) =
            zalo_oa::translate(&event, own(ChannelKind::ZaloOa))
        {
            turn(fresh(), inbound.input);
        }
    }
}

/// A campaign calendar file (TOML), for any year: its campaigns, drives and fixed points
/// (every open day inside the point's period and on one of its weekdays).
pub fn calendar_toml(data: &[u8]) {
    use chrono::Datelike;
    let s = String::from_utf8_lossy(data);
    let known = |code: &str| code == "dh-y";
    if let Ok(calendar) = hienmau::domain::campaign::parse_calendar_file(&s, 2026, &known) {
        for c in &calendar.campaigns {
            assert!(c.starts_on <= c.ends_on, "{c:?}");
        }
        for p in &calendar.fixed_points {
            for day in p.open_days() {
                assert!(p.from <= day && day <= p.to, "{p:?} {day}");
                assert!(p.days.contains(&day.weekday()), "{p:?} {day}");
            }
            assert!(p.unit.as_deref().is_none_or(known));
        }
        let _ = calendar.drive_count();
    }
}

/// A year plan file (TOML, or a CSV allocation table) and a target as a coordinator types
/// it: no panic, and what is read is within bounds.
pub fn plan(data: &[u8]) {
    let s = String::from_utf8_lossy(data);
    if let Ok(p) = hienmau::domain::plan::parse_plan_toml(&s, 2026) {
        for u in &p.units {
            assert!(!u.code.is_empty() && u.code.len() <= 64, "{u:?}");
        }
    }
    if let Ok(units) = hienmau::domain::plan::parse_allocation_csv(&s) {
        assert!(units.iter().all(|u| !u.name.trim().is_empty()));
    }
    if let Some((_, change)) = hienmau::domain::plan::parse_target_change(&s) {
        let mut t = hienmau::domain::plan::YearTargets::default();
        change.apply(&mut t);
    }
    let _ = hienmau::domain::fixed_point::parse_weekday(&s);
}

/// A campaign calendar file (CSV).
pub fn calendar_csv(data: &[u8]) {
    let s = String::from_utf8_lossy(data);
    if let Ok(campaigns) = hienmau::domain::campaign::parse_calendar_csv(&s, 2026) {
        for c in campaigns {
            assert!(c.starts_on <= c.ends_on, "{c:?}");
        }
    }
}

/// A donations file (CSV) as a coordinator uploads it.
pub fn donations_csv(data: &[u8]) {
    let s = String::from_utf8_lossy(data);
    if let Ok(lines) = hienmau::domain::donation::parse_donations(&s, today()) {
        for l in lines {
            assert!(l.date <= today(), "a donation in the future: {l:?}");
        }
    }
}

fn fresh() -> Conversation {
    Conversation {
        state: None,
        lang: Lang::Vi,
        donor: None,
        join: None,
        ask: None,
        staff: false,
    }
}

fn registered_donor() -> hienmau::domain::donor::Donor {
    use hienmau::domain::{blood::BloodGroup, body, phone::PhoneNumber, province::Province};
    hienmau::domain::donor::Donor {
        name: Some("Nguyễn Văn An".into()),
        phone: PhoneNumber::parse("0912345678").ok(),
        birth_date: NaiveDate::from_ymd_opt(1995, 3, 5),
        sex: Some(body::Sex::Male),
        weight: body::WeightKg::parse("62").ok(),
        blood_group: BloodGroup::parse("O+").ok(),
        province: Province::from_code("hai-phong"),
        commune: Some(String::new()),
        registered_at: Some(1_795_000_000_000),
        consent_at: 1_795_000_000_000,
        consent_version: hienmau::engine::CONSENT_VERSION.into(),
        ..Default::default()
    }
}

/// One input through the engine, its reply rendered; the conversation after it.
fn turn(conv: Conversation, input: Input) -> Conversation {
    let catalogue = catalogue();
    // Every other turn as written to a province's own account (its province offered).
    static TURNS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let odd = TURNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % 2 == 1;
    let ctx = Ctx {
        home: odd
            .then(|| hienmau::domain::province::Province::from_code("quang-ninh"))
            .flatten(),
        telegram_bot: Some("hienmau_bot"),
        broadcast_cap: 3,
        rules: rules(),
        today: today(),
        now_ms: 1_795_312_800_000,
        org_name: "Hội Chữ thập đỏ TP Hải Phòng",
        tz: chrono_tz::Asia::Ho_Chi_Minh,
        catalogue,
        callouts: Default::default(),
    };
    let staff = conv.staff;
    let step = engine::step(&ctx, conv, input);
    for part in &step.reply.parts {
        let text = catalogue.render(step.lang, part);
        assert!(!text.contains("{ $") && !text.contains("{$"), "{text}");
    }
    for choice in &step.reply.choices {
        if let Label::Msg(m) = &choice.label {
            let _ = catalogue.render(step.lang, m);
        }
    }
    if let Some(state) = &step.state {
        // What is saved reads back.
        let saved = Saved {
            state: state.clone(),
            join: step.join.clone(),
            ask: step.ask,
        };
        let json = serde_json::to_string(&saved).expect("a state writes");
        serde_json::from_str::<Saved>(&json).expect("a written state reads back");
    }
    Conversation {
        state: step.state,
        lang: step.lang,
        donor: step.donor,
        join: step.join,
        ask: step.ask,
        staff,
    }
}
