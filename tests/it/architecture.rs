//! The shape of the code, checked on the source itself (ARCHITECTURE.md's rules): each
//! top-level module imports only from the layers below it, so no module imports one that
//! imports it back; SQL stays in the store and each platform's client in its adapter.

use std::collections::BTreeMap;
use std::path::Path;

/// Each top-level module and what it may import from the crate.
const LAYERS: &[(&str, &[&str])] = &[
    ("domain", &[]),
    ("messages", &["domain"]),
    ("clock", &[]),
    ("understanding", &["domain"]),
    ("config", &["domain", "messages"]),
    ("store", &["domain", "messages", "config"]),
    ("error", &["store"]),
    ("engine", &["domain", "messages"]),
    (
        "channels",
        &["domain", "messages", "config", "clock", "store", "engine"],
    ),
    (
        "app",
        &[
            "domain", "messages", "config", "clock", "store", "engine", "channels", "error",
        ],
    ),
    (
        "delivery",
        &["app", "channels", "config", "domain", "store"],
    ),
    ("scheduler", &["app", "domain", "messages", "store"]),
    ("web", &["app", "domain", "engine", "messages"]),
    ("server", &["app", "channels", "error", "messages", "web"]),
    (
        "service",
        &[
            "app",
            "channels",
            "delivery",
            "scheduler",
            "server",
            "store",
        ],
    ),
    (
        "cli",
        &[
            "app",
            "channels",
            "config",
            "delivery",
            "domain",
            "engine",
            "messages",
            "scheduler",
            "service",
            "store",
        ],
    ),
];

/// The crate's own code of each source file: comments and test modules left out.
fn sources() -> BTreeMap<String, String> {
    fn walk(dir: &Path, out: &mut BTreeMap<String, String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                let code = match text.find("#[cfg(test)]\nmod tests") {
                    Some(i) => &text[..i],
                    None => &text[..],
                };
                let code: Vec<&str> = code
                    .lines()
                    .filter(|l| !l.trim_start().starts_with("//"))
                    .collect();
                out.insert(path.display().to_string(), code.join("\n"));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut out);
    out
}

/// The top-level module a source file belongs to (`src/store/outbox.rs` → `store`).
fn module_of(path: &str) -> Option<String> {
    let rel = path.split("/src/").last()?;
    let first = rel.split('/').next()?;
    Some(first.trim_end_matches(".rs").to_string())
}

#[test]
fn every_module_imports_only_from_the_layers_below_it() {
    let layers: BTreeMap<&str, &[&str]> = LAYERS.iter().copied().collect();
    let mut wrong = Vec::new();
    let files = sources();
    assert!(files.len() > 40, "read {} files", files.len());
    for (path, code) in &files {
        let Some(module) = module_of(path) else {
            continue;
        };
        if module == "lib" || module == "main" {
            continue;
        }
        let Some(allowed) = layers.get(module.as_str()) else {
            wrong.push(format!("{path}: module {module} is not in LAYERS"));
            continue;
        };
        for (i, _) in code.match_indices("crate::") {
            let used: String = code[i + 7..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if used != module && !allowed.contains(&used.as_str()) {
                wrong.push(format!("{path}: {module} imports {used}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // And the table itself has no cycle: each layer names only layers listed before it.
    for (i, (module, allowed)) in LAYERS.iter().enumerate() {
        for a in *allowed {
            let at = LAYERS.iter().position(|(m, _)| m == a);
            assert!(
                at.is_some_and(|at| at < i),
                "{module} may import {a}, listed after it"
            );
        }
    }
}

#[test]
fn sql_stays_in_the_store_and_each_platform_client_in_its_adapter() {
    let mut wrong = Vec::new();
    for (path, code) in &sources() {
        let rel = path.split("/src/").last().unwrap_or(path);
        // The error boundary names the store's error type to classify it, nothing more.
        let sql_ok = rel.starts_with("store") || rel == "error.rs";
        if code.contains("sqlx::") && !sql_ok {
            wrong.push(format!("{rel}: sqlx outside the store"));
        }
        if code.contains("teloxide") && rel != "channels/telegram.rs" {
            wrong.push(format!("{rel}: teloxide outside the Telegram adapter"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
