//! The scheduler's cost grows with the jobs that are due, not with every job stored.
//!
//! Run: `cargo bench --bench scheduler` (release). Optional: `STORED=1000000` (default),
//! `DUE=1000`, `ROUNDS=5`.
//!
//! On SQLite, and on PostgreSQL too when `HIENMAU_TEST_POSTGRES` names a server: two
//! databases, each with 1,000 signed-up donors and one drive: one holds 10,000
//! future reminders, the other `STORED` (1,000,000). In each round `DUE` reminders fall due
//! and one real scheduler tick runs them (claim, read drives, sign-ups and accounts, render,
//! write the outbox rows, commit). The median tick of each database is printed with their
//! ratio (goal ≤ 1.5): the partial index on jobs not yet done keeps the tick from walking
//! the stored jobs.

#[path = "../tests/support/seed.rs"]
mod seed;

use hienmau::app::{App, ManualClock};
use hienmau::config::Config;
use hienmau::store::{JobKey, JobKind, NewJob};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

const DONORS: i64 = 1_000;
/// 1 December 2026, 09:00 in Vietnam.
const NOW_MS: i64 = 1_796_090_400_000;

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

async fn open(db: &str) -> App {
    let env: HashMap<String, String> = HashMap::from([
        ("DATABASE_URL".to_string(), db.to_string()),
        ("HIENMAU_QUIET_HOURS".to_string(), "off".to_string()),
    ]);
    let config = Config::load(None, |k| env.get(k).cloned()).expect("config");
    let now = chrono::DateTime::from_timestamp_millis(NOW_MS).unwrap();
    App::open(config, Arc::new(ManualClock::new(now)))
        .await
        .expect("the app opens")
}

/// Donors, a drive a week ahead, a sign-up each; returns the drive and the donors' ids.
async fn setup(app: &App, db: &str) -> (i64, Vec<i64>) {
    seed::donors(db, None, 1..DONORS + 1).await;
    let spec = hienmau::domain::drive::DriveSpec {
        place: "Nhà văn hoá Lê Chân".into(),
        province: hienmau::domain::province::Province::from_code("hai-phong").unwrap(),
        commune: String::new(),
        date: chrono::NaiveDate::from_ymd_opt(2026, 12, 8).unwrap(),
        window: hienmau::domain::drive::TimeWindow::parse("07:30-11:30").unwrap(),
        capacity: 100_000,
        target_units: None,
        slots: Vec::new(),
        unit: None,
    };
    let campaign = hienmau::domain::campaign::Campaign {
        name: "Chủ nhật Đỏ".into(),
        starts_on: chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
        ends_on: chrono::NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
        target_units_min: None,
        target_units_max: None,
        target_people: None,
        organiser: None,
        partner: None,
        note: None,
        drives: vec![spec],
    };
    let tz = app.config().timezone;
    app.store()
        .import_calendar(
            2026,
            &hienmau::domain::campaign::Calendar {
                campaigns: vec![campaign],
                fixed_points: Vec::new(),
            },
            tz,
            NOW_MS,
        )
        .await
        .unwrap();
    let drive = seed::count(db, "SELECT id FROM drives").await;
    let donors: Vec<i64> = (1..=DONORS).collect();
    let mut tx = app.store().begin().await.unwrap();
    for d in &donors {
        tx.sign_up(drive, None, *d, NOW_MS).await.unwrap();
    }
    tx.commit().await.unwrap();
    (drive, donors)
}

fn jobs(prefix: &str, n: usize, due_at: i64, drive: i64, donors: &[i64]) -> Vec<NewJob> {
    (0..n)
        .map(|i| NewJob {
            key: JobKey::Reminder {
                signup: i as i64,
                rule: prefix.to_string(),
                start: 0,
            },
            kind: JobKind::Reminder,
            due_at,
            donor_id: Some(donors[i % donors.len()]),
            drive_id: Some(drive),
            ref_id: None,
        })
        .collect()
}

/// Fill the store with `stored` future jobs, then time `rounds` ticks of `due` due jobs.
async fn measure(db: &str, stored: usize, due: usize, rounds: usize) -> (Duration, Duration) {
    let app = open(db).await;
    let (drive, donors) = setup(&app, db).await;
    let fill = Instant::now();
    // Future reminders, spread over the next year.
    const CHUNK: usize = 50_000;
    let mut added = 0;
    while added < stored {
        let n = CHUNK.min(stored - added);
        let mut batch = jobs(&format!("future{added}"), n, 0, drive, &donors);
        for (i, j) in batch.iter_mut().enumerate() {
            j.due_at = NOW_MS + 3_600_000 + ((added + i) as i64 % 8_760) * 3_600_000;
        }
        app.store().add_jobs(&batch).await.unwrap();
        added += n;
    }
    let fill = fill.elapsed();
    // One tick first, so that the recurring jobs (a first run catches up on the days it
    // missed: "you may give again" to the seeded donors) are done before the measured ticks,
    // which then run exactly the due reminders.
    let now = chrono::DateTime::from_timestamp_millis(NOW_MS).unwrap();
    hienmau::scheduler::tick(&app, now).await.unwrap();
    let mut times = Vec::new();
    for round in 0..rounds {
        let batch = jobs(&format!("due{round}"), due, NOW_MS - 1, drive, &donors);
        app.store().add_jobs(&batch).await.unwrap();
        let now = chrono::DateTime::from_timestamp_millis(NOW_MS).unwrap();
        let t = Instant::now();
        let tick = hienmau::scheduler::tick(&app, now).await.unwrap();
        times.push(t.elapsed());
        assert_eq!(tick.jobs, due, "every due job runs, once");
        assert_eq!(tick.messages, due);
    }
    times.sort();
    app.store().close().await;
    (times[times.len() / 2], fill)
}

#[tokio::main]
async fn main() {
    let stored = env_or("STORED", 1_000_000);
    let due = env_or("DUE", 1_000);
    let rounds = env_or("ROUNDS", 5).max(1);
    println!("scheduler tick: {due} due jobs, median of {rounds} rounds");
    let dir = tempfile::tempdir().unwrap();
    for (engine, small_db) in seed::bench_databases(dir.path(), "small.db").await {
        let large_db = match engine {
            "SQLite" => seed::Db::url(dir.path().join("large.db").as_path()),
            _ => {
                let server = std::env::var("HIENMAU_TEST_POSTGRES").unwrap();
                seed::fresh_postgres(&server, "hm_bench").await
            }
        };
        println!("  {engine}:");
        let (small, small_fill) = measure(&small_db, 10_000, due, rounds).await;
        println!(
            "  {:>9} stored: {:>8.1} ms   (filling took {:.1} s)",
            10_000,
            small.as_secs_f64() * 1000.0,
            small_fill.as_secs_f64()
        );
        let (large, large_fill) = measure(&large_db, stored, due, rounds).await;
        println!(
            "  {:>9} stored: {:>8.1} ms   (filling took {:.1} s)",
            stored,
            large.as_secs_f64() * 1000.0,
            large_fill.as_secs_f64()
        );
        println!(
            "  ratio {:.2} (goal ≤ 1.5)",
            large.as_secs_f64() / small.as_secs_f64()
        );
    }
}
