//! How well hienmau understands what people type: every line of a set of utterances run
//! through the parsers the conversation uses, per field and overall.
//!
//! ```sh
//! cargo bench --bench understanding                      # the development set
//! UTTERANCES=path/to/set.tsv cargo bench --bench understanding
//! ```
//!
//! Goals (issue 13): at least 0.97 understood correctly overall, and no value wrongly
//! understood for phone, blood group and dates.

use hienmau::understanding::{Tally, evaluate, overall, read_set, set_now};

fn main() {
    let path = std::env::var("UTTERANCES").unwrap_or_else(|_| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/utterances-dev.tsv").into()
    });
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        eprintln!("reading {path}: {e}");
        std::process::exit(2)
    });
    let cases = read_set(&text).unwrap_or_else(|e| {
        eprintln!("{path}: {e}");
        std::process::exit(2)
    });
    let tz = chrono_tz::Asia::Ho_Chi_Minh;
    let (by_field, misses) = evaluate(&cases, set_now(tz), tz).unwrap_or_else(|e| {
        eprintln!("{path}: {e}");
        std::process::exit(2)
    });
    println!("{path}: {} utterances", cases.len());
    println!(
        "{:<10} {:>5} {:>9} {:>7} {:>8}",
        "field", "n", "correct", "wrong", "re-asked"
    );
    let row = |name: &str, t: &Tally| {
        println!(
            "{:<10} {:>5} {:>9.3} {:>7.3} {:>8.3}",
            name,
            t.total,
            Tally::share(t.correct, t.total),
            Tally::share(t.wrong, t.total),
            Tally::share(t.reasked, t.total)
        )
    };
    for (f, t) in &by_field {
        row(f, t);
    }
    let all = overall(&by_field);
    row("overall", &all);
    let goal = 0.97;
    let share = Tally::share(all.correct, all.total);
    println!(
        "understood correctly: {share:.3} (goal {goal}, ratio {:.2}); wrongly understood for phone, blood, dob, last_date, deadline: {} (goal 0)",
        share / goal,
        ["phone", "blood", "dob", "last_date", "deadline"]
            .iter()
            .filter_map(|f| by_field.get(*f))
            .map(|t| t.wrong)
            .sum::<usize>()
    );
    for m in &misses {
        println!(
            "  {:?} line {} [{}] {:?}: expected {}, got {}",
            m.verdict,
            m.case.line,
            m.case.field,
            m.case.utterance,
            m.case.expected,
            m.got.as_deref().unwrap_or("(asked again)")
        );
    }
}
