//! The scheduler's cost grows with the jobs that are due, not with every job stored.
//!
//! Run: `cargo bench --bench scheduler` (release). Optional: `STORED=1000000` (default),
//! `DUE=1000`, `ROUNDS=21`.
//!
//! On SQLite, and on PostgreSQL too when `HIENMAU_TEST_POSTGRES` names a server: two
//! databases, each with 1,000 signed-up donors and one drive: one holds 10,000
//! future reminders, the other `STORED` (1,000,000). In each round `DUE` reminders fall due
//! and one real scheduler tick runs them (claim, read drives, sign-ups and accounts, render,
//! write the outbox rows, commit); the two databases' rounds alternate. The median tick of
//! each database is printed with their ratio (goal ≤ 1.5): the partial index on jobs not
//! yet done keeps the tick from walking the stored jobs. With 5 rounds one after the other
//! (small database first) the ratio moved between 0.60 and 1.66 from run to run: both
//! databases are now written out (`sync`) before 21 alternating rounds, and the ratio of
//! each database's fastest tick, the stable figure, is printed beside the medians' (see
//! docs/BENCHMARKS.md).

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

/// A database filled for the measure: its app, the drive and donors its jobs are for.
struct Filled {
    app: App,
    drive: i64,
    donors: Vec<i64>,
    /// How long filling the stored jobs took.
    fill: Duration,
}

/// Fill the store with `stored` future jobs.
async fn fill(db: &str, stored: usize) -> Filled {
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
    Filled {
        app,
        drive,
        donors,
        fill,
    }
}

/// One round: `due` reminders fall due and one tick runs them; how long the tick took.
async fn round(db: &Filled, round: usize, due: usize) -> Duration {
    let batch = jobs(
        &format!("due{round}"),
        due,
        NOW_MS - 1,
        db.drive,
        &db.donors,
    );
    db.app.store().add_jobs(&batch).await.unwrap();
    let now = chrono::DateTime::from_timestamp_millis(NOW_MS).unwrap();
    let t = Instant::now();
    let tick = hienmau::scheduler::tick(&db.app, now).await.unwrap();
    let took = t.elapsed();
    assert_eq!(tick.jobs, due, "every due job runs, once");
    assert_eq!(tick.messages, due);
    took
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

#[tokio::main]
async fn main() {
    let stored = env_or("STORED", 1_000_000);
    let due = env_or("DUE", 1_000);
    let rounds = env_or("ROUNDS", 21).max(1);
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
        let small = fill(&small_db, 10_000).await;
        let large = fill(&large_db, stored).await;
        // Filling wrote hundreds of megabytes: let the system write them out now, not
        // during the measured ticks (whose commits would wait behind it).
        let _ = std::process::Command::new("sync").status();
        // The rounds of the two databases alternate (which goes first too), so that what
        // the machine does meanwhile falls on both alike.
        let (mut small_times, mut large_times) = (Vec::new(), Vec::new());
        for r in 0..rounds {
            if r % 2 == 0 {
                small_times.push(round(&small, r, due).await);
                large_times.push(round(&large, r, due).await);
            } else {
                large_times.push(round(&large, r, due).await);
                small_times.push(round(&small, r, due).await);
            }
        }
        let (small_fill, large_fill) = (small.fill, large.fill);
        small.app.store().close().await;
        large.app.store().close().await;
        let fastest = |t: &[Duration]| t.iter().min().copied().unwrap_or_default();
        let (small_min, large_min) = (fastest(&small_times), fastest(&large_times));
        let (small, large) = (median(small_times), median(large_times));
        println!(
            "  {:>9} stored: {:>8.1} ms   (filling took {:.1} s)",
            10_000,
            small.as_secs_f64() * 1000.0,
            small_fill.as_secs_f64()
        );
        println!(
            "  {:>9} stored: {:>8.1} ms   (filling took {:.1} s)",
            stored,
            large.as_secs_f64() * 1000.0,
            large_fill.as_secs_f64()
        );
        println!(
            "  ratio {:.2} (goal ≤ 1.5); of the fastest ticks ({:.1} and {:.1} ms): {:.2}",
            large.as_secs_f64() / small.as_secs_f64(),
            small_min.as_secs_f64() * 1000.0,
            large_min.as_secs_f64() * 1000.0,
            large_min.as_secs_f64() / small_min.as_secs_f64()
        );
    }
}
