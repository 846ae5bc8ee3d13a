//! Integration tests, built into one binary. The Telegram path runs for real against a fake
//! Bot API server on 127.0.0.1; the database is a real SQLite file in a temporary folder.

mod accounts;
mod architecture;
mod backups;
mod batch;
mod callouts;
mod clubs;
mod dashboard;
mod drives;
#[path = "../support/fake_telegram.rs"]
mod fake_telegram;
#[path = "../support/fake_zalo.rs"]
mod fake_zalo;
#[path = "../support/fake_zalo_oa.rs"]
mod fake_zalo_oa;
mod figures;
mod findings;
mod fuzz;
// The checks the fuzz targets run (fuzz/checks.rs), outside the library: the product
// does not ship them.
#[path = "../../fuzz/checks.rs"]
mod fuzzing;
mod imports;
#[path = "../support/mailbox.rs"]
mod mailbox;
mod plain_text;
mod plan;
mod postgres;
#[path = "../support/rng.rs"]
mod rng;
mod scopes;
#[path = "../support/seed.rs"]
mod seed;
mod support;
mod telegram;
mod terminal;
mod zalo;
mod zalo_oa;
