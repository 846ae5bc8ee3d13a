//! Backups that restore (issue 32, defect 2): a backup taken while the bot runs holds what
//! the bot has written (its write-ahead log folded in), is checked, and restores; a restore
//! refuses while the database is in use and sets the old file aside; a donor erased after
//! the backup was taken stays erased after it is restored, by `hienmau restore` or by a
//! file copied back by hand.

use crate::figures::{World, at, day};
use hienmau::app::{App, ManualClock};
use hienmau::config::Config;
use hienmau::engine::Input;
use std::sync::Arc;

fn config(url: &str) -> Config {
    let url = url.to_string();
    Config::load(None, |k| (k == "DATABASE_URL").then(|| url.clone())).unwrap()
}

/// The bot opened on `url` (the erasure ledger applied at start): the erased donor is not
/// there, the other one is.
async fn only_the_second_donor_is_there(url: &str, now: chrono::DateTime<chrono::Utc>) {
    let app = App::open(config(url), Arc::new(ManualClock::new(now)))
        .await
        .unwrap();
    let there = |user| {
        let store = app.store().clone();
        async move { store.donor_of("telegram", user).await.unwrap().is_some() }
    };
    assert!(!there("401").await, "the erased donor came back");
    assert!(there("402").await);
    app.store().close().await;
}

async fn register(w: &mut World, user: &str, phone: &str) {
    for l in [
        "/register",
        "1",
        "Đặng Thị Thu",
        phone,
        "12/05/1998",
        "nu",
        "52",
        "O+",
        "hai phong",
        "bo qua",
        "chua bao gio",
        "khong",
        "1",
    ] {
        w.say(user, l).await;
    }
}

#[tokio::test]
async fn a_backup_taken_before_an_erasure_restores_without_the_erased_donor() {
    let mut w = World::open(at(day(11, 20), 9, 0)).await;
    if !w.db.url.starts_with("sqlite:") {
        // PostgreSQL is backed up with its own tools (docs/OPERATING.md, "Backups and restore").
        return;
    }
    register(&mut w, "401", "0913000401").await;
    register(&mut w, "402", "0913000402").await;

    // While the bot runs: a checked copy with both donors.
    let backup = w.db.with_file_name("backup-1.db");
    let said = hienmau::cli::backup(&w.app, &backup).await.unwrap();
    assert!(
        said.contains("integrity ok") && said.contains("2 donors"),
        "{said}"
    );
    let again = hienmau::cli::backup(&w.app, &backup)
        .await
        .unwrap_err()
        .to_string();
    assert!(again.contains("never overwrites"), "{again}");

    // The first donor erases their data after the backup.
    w.say("401", "/delete").await;
    w.input("401", Input::Choice("delete".into())).await;
    let url = w.db.url.clone();
    let cfg = config(&url);
    let now = at(day(11, 21), 9, 0);
    // In use: refused, nothing touched.
    let busy = hienmau::cli::restore(&cfg, &backup, now)
        .await
        .unwrap_err()
        .to_string();
    assert!(busy.contains("stop it first"), "{busy}");
    let (dir, db) = w.stop().await;

    // A damaged file is refused.
    let junk = db.with_file_name("junk.db");
    std::fs::write(&junk, b"not a database at all, only words").unwrap();
    let refused = hienmau::cli::restore(&cfg, &junk, now)
        .await
        .unwrap_err()
        .to_string();
    assert!(refused.contains("junk.db"), "{refused}");

    let said = hienmau::cli::restore(&cfg, &backup, now).await.unwrap();
    assert!(
        said.contains("1 donors erased since the backup were erased again")
            && said.contains("before-restore-20261121-"),
        "{said}"
    );
    only_the_second_donor_is_there(&url, now).await;
    // Nothing of the erased donor in the restored file or its log.
    let mut bytes = std::fs::read(&*db).unwrap();
    if let Ok(wal) = std::fs::read(db.with_extension("db-wal")) {
        bytes.extend(wal);
    }
    let has = |needle: &str| bytes.windows(needle.len()).any(|w| w == needle.as_bytes());
    assert!(
        !has("+84913000401"),
        "the erased phone is in the restored file"
    );
    assert!(has("+84913000402"));
    // The ledger beside the database names ids, nothing of the person.
    let ledger = std::fs::read_to_string(format!("{}.erasures", db.display())).unwrap();
    assert!(
        ledger
            .lines()
            .all(|l| l.split(' ').all(|w| w.chars().all(|c| c.is_ascii_digit()))),
        "{ledger}"
    );

    // The backup copied back by hand, as an operator might: erased again at start.
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    std::fs::copy(&backup, &*db).unwrap();
    only_the_second_donor_is_there(&url, now).await;
    drop(dir);
}

/// `serve` takes its own backups when a folder is set: one at start, checked, its time in
/// `hienmau status`.
#[tokio::test]
async fn serve_takes_a_checked_backup_at_start_into_the_folder_set() {
    let folder = tempfile::tempdir().unwrap();
    let dir = folder.path().join("backups");
    let mut bot = crate::support::TestBot::start_with(
        &[
            ("HIENMAU_BACKUP_DIR", dir.to_str().unwrap()),
            ("HIENMAU_BACKUP_KEEP", "3"),
        ],
        hienmau::config::DeliveryConfig::unlimited(),
    )
    .await;
    if !bot.db.url.starts_with("sqlite:") {
        bot.stop().await;
        return;
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let file = loop {
        let found = std::fs::read_dir(&dir).ok().and_then(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path()))
                .find(|p| p.extension().is_some_and(|x| x == "db"))
        });
        match found {
            Some(f) => break f,
            None if std::time::Instant::now() < deadline => {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await
            }
            None => panic!("no backup in {}", dir.display()),
        }
    };
    assert!(
        file.file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("hienmau-20261122-"),
        "{file:?}"
    );
    // Checked: it opens, whole, at this schema.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        if bot.app.store().counter("backup_last_at").await.unwrap() > 0 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "no backup recorded");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let summary = hienmau::store::inspect_sqlite(&file).await.unwrap();
    assert!(summary.schema >= 26, "{summary:?}");
    let status = hienmau::cli::status_report(&bot.app, bot.app.config())
        .await
        .unwrap();
    assert!(
        status.contains("Bản sao lưu gần nhất: 22/11/2026 09:00"),
        "{status}"
    );
    bot.stop().await;
}

/// An upgrade (issue 32, the package): a SQLite file with migrations to apply is copied
/// beside itself first, the copy at its old schema; a database written by a newer hienmau
/// is refused by `check-config` and at start, and nothing is changed.
#[tokio::test]
async fn an_upgrade_copies_the_database_first_and_a_newer_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hienmau.db");
    let url = format!("sqlite://{}", db.display());
    let store = hienmau::store::Store::open(&url).await.unwrap();
    store.close().await;
    let latest = hienmau::store::inspect_schema(&url).await.unwrap();
    assert_eq!(latest.pending(), 0);
    let latest = latest.latest;
    // Back to the schema before the last migration, as an older hienmau left it.
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    sqlx::query("DELETE FROM _sqlx_migrations WHERE version = $1")
        .bind(latest)
        .execute(&pool)
        .await
        .unwrap();
    for undo in [
        "ALTER TABLE campaigns DROP COLUMN province",
        "ALTER TABLE donations DROP COLUMN province",
        "ALTER TABLE campaign_reach DROP COLUMN province",
        "ALTER TABLE audit_log DROP COLUMN province",
    ] {
        sqlx::query(undo).execute(&pool).await.unwrap();
    }
    pool.close().await;
    let before = hienmau::store::inspect_schema(&url).await.unwrap();
    assert_eq!((before.applied, before.pending()), (Some(latest - 1), 1));
    let out = hienmau::cli::check_config(&config(&url), None)
        .await
        .unwrap();
    assert!(out.contains("1 migrations to schema"), "{out}");

    let store = hienmau::store::Store::open(&url).await.unwrap();
    store.close().await;
    let copy = dir
        .path()
        .join(format!("hienmau.db.schema-{}.bak", latest - 1));
    assert!(copy.exists(), "no copy before migrating");
    let copied = hienmau::store::inspect_schema(&format!("sqlite://{}", copy.display()))
        .await
        .unwrap();
    assert_eq!(
        copied.applied,
        Some(latest - 1),
        "the copy is the old schema"
    );
    assert_eq!(
        hienmau::store::inspect_schema(&url)
            .await
            .unwrap()
            .pending(),
        0
    );

    // From the future.
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, \
         execution_time) VALUES (99999, 'from the future', TRUE, x'00', 0)",
    )
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;
    let said = hienmau::cli::check_config(&config(&url), None)
        .await
        .unwrap_err();
    assert!(
        format!("{said:#}").contains("written by a newer hienmau"),
        "{said:#}"
    );
    let refused = match hienmau::store::Store::open(&url).await {
        Ok(_) => panic!("a newer database was opened"),
        Err(e) => format!("{e:#}"),
    };
    assert!(refused.contains("schema 99999"), "{refused}");
    assert!(refused.contains("Nothing was changed"), "{refused}");
    // No copy is taken of a database this binary refuses.
    let copies = std::fs::read_dir(dir.path())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .contains(".bak")
        })
        .count();
    assert_eq!(copies, 1);
}
