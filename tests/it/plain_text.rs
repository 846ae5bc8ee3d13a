//! Text from people is text (issue 32, defect 5): control characters typed in chat are not
//! stored; nothing a person wrote acts on a terminal; a spreadsheet does not run a cell.

use crate::figures::{World, at, day};
use hienmau::channels::Outbound;

/// A commune typed with a screen-clearing sequence and a bell is stored without them.
#[tokio::test]
async fn control_characters_typed_in_chat_are_not_stored() {
    let mut w = World::open(at(day(11, 20), 9, 0)).await;
    for l in [
        "/register",
        "1",
        "Phạm Thu Hà",
        "0913000009",
        "12/05/1998",
        "nu",
        "52",
        "O+",
        "hai phong",
        "Phường \u{1b}[2J\u{1b}]0;x\u{7}Lê Chân\u{9b}",
        "chua bao gio",
        "khong",
        "1",
    ] {
        w.say("301", l).await;
    }
    let donor = w
        .app
        .store()
        .donor_of("telegram", "301")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(donor.commune.as_deref(), Some("Phường [2J]0;xLê Chân"));
    assert!(donor.registered_at.is_some());
}

/// What the terminal prints carries no control character, whatever was stored before.
#[test]
fn the_terminal_prints_no_control_character() {
    let out = Outbound {
        text: "CLB \u{1b}[2JĐỏ\u{7}\nhết".into(),
        ..Outbound::default()
    };
    let printed = hienmau::channels::terminal::render(&out);
    assert!(
        !printed.chars().any(|c| c.is_control() && c != '\n'),
        "{printed:?}"
    );
    assert!(printed.starts_with("CLB [2JĐỏ\nhết"), "{printed:?}");
}

/// A campaign named like a formula is a text cell in the committee's CSV.
#[tokio::test]
async fn a_formula_in_a_name_is_a_text_cell_in_the_csv() {
    let w = World::open(at(day(11, 20), 9, 0)).await;
    let path = w.db.with_file_name("c.toml");
    std::fs::write(
        &path,
        "[[campaign]]\nname = \"=HYPERLINK(\\\"http://x\\\",\\\"bấm\\\")\"\nfrom = \"12-01\"\nto = \"12-31\"\n",
    )
    .unwrap();
    hienmau::cli::campaigns(
        &w.app,
        hienmau::cli::CampaignAction::Import {
            file: path,
            year: Some(2026),
        },
        day(11, 20),
    )
    .await
    .unwrap();
    let csv = hienmau::cli::report(&w.app, Some(2026), true)
        .await
        .unwrap();
    assert!(
        csv.contains("đợt,\"'=HYPERLINK(\"\"http://x\"\",\"\"bấm\"\")\","),
        "{csv}"
    );
}
