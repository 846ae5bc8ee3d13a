//! The short fuzzing pass every `cargo test` runs: each target of `fuzz/checks.rs` on its
//! seed corpus (`fuzz/seeds/<target>/`) and on mutations of it (bytes flipped, inserted,
//! deleted, repeated, spliced from another seed, Vietnamese letters and markup dropped in).
//! `FUZZ_CASES` sets the mutations per target (default 400). The long runs are libFuzzer's
//! (`fuzz/`, docs/TESTING.md "Fuzzing").

use crate::fuzzing::TARGETS;
use crate::rng::Rng;
use std::path::{Path, PathBuf};

fn seeds_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds")
}

fn seeds(target: &str) -> Vec<Vec<u8>> {
    let dir = seeds_dir().join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files.iter().map(|f| std::fs::read(f).unwrap()).collect()
}

/// Pieces that make parsers take their less travelled paths.
const PIECES: &[&str] = &[
    "ư",
    "ơ",
    "đ",
    "Đ",
    "ệ",
    "̀",
    "́",
    "\u{0303}",
    "\u{200b}",
    "\u{feff}",
    "0",
    "9",
    "+84",
    "/",
    "-",
    ":",
    ";",
    ",",
    ".",
    "h",
    "\n",
    "\"",
    "\\",
    "{",
    "}",
    "[",
    "]",
    "null",
    "\"state\"",
    "99999999999999999999",
    "-1",
    "1e309",
    "tet-",
    "rh",
    "kg",
    "thg",
    "tháng",
    "năm",
    "mai",
    "chiều",
    "đêm",
    "🩸",
    "𝟗",
];

fn mutate(rng: &mut Rng, input: &[u8], corpus: &[Vec<u8>]) -> Vec<u8> {
    let mut v = input.to_vec();
    for _ in 0..1 + rng.index(4) {
        let at = rng.index(v.len() + 1);
        match rng.index(7) {
            0 if !v.is_empty() => {
                let i = rng.index(v.len());
                v[i] ^= 1 << rng.index(8);
            }
            1 => v.insert(at, rng.next() as u8),
            2 if !v.is_empty() => {
                let end = (at + 1 + rng.index(8)).min(v.len());
                v.drain(at.min(end)..end);
            }
            3 if !v.is_empty() => {
                let start = rng.index(v.len());
                let end = (start + 1 + rng.index(16)).min(v.len());
                let piece = v[start..end].to_vec();
                for _ in 0..1 + rng.index(3) {
                    v.splice(at..at, piece.iter().copied());
                }
            }
            4 => {
                let other = &corpus[rng.index(corpus.len())];
                let from = rng.index(other.len() + 1);
                v.truncate(at);
                v.extend_from_slice(&other[from..]);
            }
            5 => v.truncate(at),
            _ => {
                let piece = PIECES[rng.index(PIECES.len())].as_bytes();
                v.splice(at..at, piece.iter().copied());
            }
        }
    }
    v
}

fn run(target: &str, f: fn(&[u8]), input: &[u8]) {
    if let Err(e) = std::panic::catch_unwind(|| f(input)) {
        let path = std::env::temp_dir().join(format!("hienmau-fuzz-{target}.bin"));
        let _ = std::fs::write(&path, input);
        eprintln!(
            "{target} failed on {:?} (kept in {}; replay: cargo +nightly fuzz run {target} {})",
            String::from_utf8_lossy(input),
            path.display(),
            path.display()
        );
        std::panic::resume_unwind(e);
    }
}

#[test]
fn every_target_survives_its_seeds_and_their_mutations() {
    let cases: usize = std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(400);
    for (target, f) in TARGETS {
        let corpus = seeds(target);
        assert!(!corpus.is_empty(), "no seeds for {target}");
        for s in &corpus {
            run(target, *f, s);
        }
        let mut rng = Rng(0x2545_F491_4F6C_DD1D ^ target.len() as u64);
        for _ in 0..cases {
            let seed = &corpus[rng.index(corpus.len())];
            let input = mutate(&mut rng, seed, &corpus);
            run(target, *f, &input);
        }
    }
}

/// Each fuzz target of the `fuzz/` crate is a target here, and the other way round.
#[test]
fn the_fuzz_crate_has_a_binary_for_every_target() {
    let manifest = std::fs::read_to_string(seeds_dir().join("../Cargo.toml")).unwrap();
    for (target, _) in TARGETS {
        assert!(
            manifest.contains(&format!("name = \"{target}\"")),
            "fuzz/Cargo.toml has no [[bin]] {target}"
        );
        let source = seeds_dir().join(format!("../fuzz_targets/{target}.rs"));
        assert!(source.exists(), "{} is missing", source.display());
    }
    assert_eq!(
        manifest.matches("[[bin]]").count(),
        TARGETS.len(),
        "a fuzz binary with no target in fuzz/checks.rs TARGETS"
    );
}

/// Parsers that must refuse: a sample of wrong inputs, each refused with no panic.
#[test]
fn stored_states_that_are_not_states_are_refused() {
    for bad in [
        "",
        "{}",
        "null",
        "{\"state\":\"NoSuchState\"}",
        "{\"state\":\"Ask\",\"field\":\"Nothing\"}",
        "[1,2,3]",
        "{\"state\":\"Ask\"",
    ] {
        assert!(
            serde_json::from_str::<hienmau::engine::Saved>(bad).is_err(),
            "{bad:?} read as a state"
        );
    }
}

/// Writes the `stored_state` seeds: every state the conversation seeds pass through.
/// Run after changing `State`: `cargo test --test it write_state_seeds -- --ignored`.
#[test]
#[ignore]
fn write_state_seeds() {
    let dir = seeds_dir().join("stored_state");
    std::fs::create_dir_all(&dir).unwrap();
    let mut n = 0;
    for s in seeds("conversation") {
        for state in crate::fuzzing::states_of(&s) {
            let name = format!("{:016x}", fxhash(state.as_bytes()));
            std::fs::write(dir.join(name), state).unwrap();
            n += 1;
        }
    }
    eprintln!("{n} states written to {}", dir.display());
}

fn fxhash(b: &[u8]) -> u64 {
    b.iter().fold(0xcbf2_9ce4_8422_2325, |h, x| {
        (h ^ *x as u64).wrapping_mul(0x100_0000_01b3)
    })
}
