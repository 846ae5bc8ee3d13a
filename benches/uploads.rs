//! How the files a committee uploads are read: a calendar as CSV and as TOML, a blood centre's
//! donations CSV, each at N and 4N lines. Reading is linear when 4N takes about 4 × N (the
//! reference printed beside each ratio); it was quadratic (each record's line counted from
//! the start of the file), 20,000 calendar lines taking 40 s.
//!
//! Then chat while files are written: a 4 MB donations file and a 4 MB calendar are uploaded
//! at once while a Telegram user sends `/help` every 100 ms through the whole path (a fake
//! Bot API on loopback); it prints the replies' p50/p99/max beside the same probe with no
//! upload and beside the goal (p99 ≤ 1 s), and each file's seconds per MB. On SQLite, and on
//! PostgreSQL when `HIENMAU_TEST_POSTGRES` names a server, where a second instance on the
//! same database writes the files while the first answers.
//!
//! ```sh
//! cargo bench --bench uploads                # N = 25,000 lines, 4 MB files
//! LINES=500 MB=0.05 cargo bench --bench uploads   # CI's smoke size
//! ```

#[path = "../tests/support/fake_telegram.rs"]
mod fake_telegram;
#[path = "../tests/support/mailbox.rs"]
mod mailbox;
#[path = "../tests/support/seed.rs"]
mod seed;

use chrono::NaiveDate;
use fake_telegram::FakeTelegram;
use hienmau::app::{App, SystemClock};
use hienmau::config::Config;
use hienmau::domain::campaign::{parse_calendar, parse_calendar_csv};
use hienmau::domain::donation::parse_donations;
use hienmau::engine::{DriveOutcome, DriveRequest};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

const TOKEN: &str = "123456:UPLOADS";
/// The prober's Telegram id.
const PROBER: i64 = 9_000_001;

fn calendar_csv(n: usize) -> String {
    let mut s = String::from("name,from,to,target_units,note\n");
    for i in 0..n {
        s.push_str(&format!(
            "Đợt hiến máu số {i},{:02}-01,{:02}-28,300,Ngày hội hiến máu của phường {i}\n",
            1 + i % 12,
            1 + i % 12
        ));
    }
    s
}

fn calendar_toml(n: usize) -> String {
    let mut s = String::from(
        "[[campaign]]\nname = \"Những giọt máu hồng hè\"\nfrom = \"01-01\"\nto = \"12-31\"\n\n",
    );
    for i in 0..n {
        s.push_str(&format!(
            "[[campaign.drive]]\nplace = \"Nhà văn hoá số {i}\"\nprovince = \"Hải Phòng\"\n\
             date = \"{:02}-{:02}\"\ntime = \"07:30-11:30\"\ncapacity = 100\n\n",
            1 + i % 12,
            1 + i % 28
        ));
    }
    s
}

fn donations_csv(n: usize) -> String {
    let mut s = String::from("phone,date,kind,volume\n");
    for i in 0..n {
        s.push_str(&format!(
            "09{:08},{:02}/{:02}/2026,máu toàn phần,350\n",
            10_000_000 + i,
            1 + i % 28,
            1 + i % 11
        ));
    }
    s
}

/// Seconds to read `text` (the best of three).
fn time(text: &str, read: impl Fn(&str) -> usize) -> f64 {
    (0..3)
        .map(|_| {
            let t = Instant::now();
            let n = read(text);
            assert!(n > 0);
            t.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

fn main() {
    let n: usize = std::env::var("LINES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(25_000);
    let today = NaiveDate::from_ymd_opt(2026, 12, 6).unwrap();
    println!(
        "{:<18} {:>9} {:>8} {:>10} {:>10} {:>8} {:>9}",
        "file", "lines", "MB", "s (N)", "s (4N)", "s/MB", "4N/N (4)"
    );
    type Case = (
        &'static str,
        fn(usize) -> String,
        Box<dyn Fn(&str) -> usize>,
    );
    let cases: [Case; 3] = [
        (
            "calendar CSV",
            calendar_csv,
            Box::new(|t| parse_calendar_csv(t, 2026).map(|c| c.len()).unwrap()),
        ),
        (
            "calendar TOML",
            calendar_toml,
            Box::new(|t| {
                parse_calendar(t, 2026)
                    .map(|c| c.iter().map(|c| c.drives.len()).sum())
                    .unwrap()
            }),
        ),
        (
            "donations CSV",
            donations_csv,
            Box::new(move |t| parse_donations(t, today).map(|l| l.len()).unwrap()),
        ),
    ];
    for (name, make, read) in &cases {
        let small = make(n);
        let large = make(4 * n);
        let (a, b) = (time(&small, read), time(&large, read));
        let mb = large.len() as f64 / 1_000_000.0;
        println!(
            "{name:<18} {:>9} {mb:>8.2} {a:>10.3} {b:>10.3} {:>8.3} {:>9.2}",
            4 * n,
            b / mb,
            b / a
        );
    }
    let mb: f64 = std::env::var("MB")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(4.0);
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        for (name, url) in seed::bench_databases(dir.path(), "uploads.db").await {
            during(name, url, mb).await;
        }
    });
}

/// A donations file of about `mb` megabytes for `donors` donors (phones 0912 000 001…), each
/// line a different day of the same donor (recorded with `accept_early`).
fn donations_for(donors: usize, mb: f64) -> (String, usize) {
    let mut s = String::from("phone,date,kind,volume\n");
    let start = NaiveDate::from_ymd_opt(2016, 1, 1).unwrap();
    let mut lines = 0;
    while (s.len() as f64) < mb * 1_000_000.0 {
        let donor = lines % donors;
        let day = start + chrono::Duration::days((lines / donors) as i64);
        s.push_str(&format!(
            "0912{:06},{},máu toàn phần,350\n",
            donor + 1,
            day.format("%d/%m/%Y")
        ));
        lines += 1;
    }
    (s, lines)
}

/// A calendar CSV of about `mb` megabytes: one campaign a line.
fn calendar_of(mb: f64) -> (String, usize) {
    let mut n = 1_000;
    loop {
        let s = calendar_csv(n);
        if s.len() as f64 >= mb * 1_000_000.0 || n > 10_000_000 {
            return (s, n);
        }
        n = (n as f64 * (mb * 1_000_000.0 / s.len() as f64) * 1.02) as usize + 1;
    }
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64()
}

/// `/help` every 100 ms until `until` says stop, each time from another of 50 people (a
/// chat is sent at most one message a second, as Telegram asks); each reply's delay.
async fn probe(fake: &FakeTelegram, until: impl Fn() -> bool) -> Vec<Duration> {
    let mut delays = Vec::new();
    static NEXT: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);
    loop {
        let sent = Instant::now();
        let who = PROBER + NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % 50;
        let reply = fake.say(who, "/help", Duration::from_secs(120)).await;
        delays.push(reply.at.saturating_duration_since(sent));
        if until() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100).saturating_sub(sent.elapsed())).await;
    }
    delays.sort();
    delays
}

async fn during(name: &str, url: String, mb: f64) {
    let fake = FakeTelegram::start(TOKEN).await;
    let donors = 10_000.min((mb * 2_500.0) as usize).max(10);
    let env: HashMap<&str, String> = HashMap::from([
        ("DATABASE_URL", url.clone()),
        ("TELEGRAM_BOT_TOKEN", TOKEN.to_string()),
        ("TELEGRAM_API_URL", fake.url.clone()),
    ]);
    let mut config = Config::load(None, |k| env.get(k).cloned()).unwrap();
    config.listen_addr = "127.0.0.1:0".parse().unwrap();
    let app = App::open(config.clone(), Arc::new(SystemClock))
        .await
        .unwrap();
    // PostgreSQL: the files are written by a second instance (A) on the same database, as a
    // coordinator's upload reaches another instance behind a proxy, while the one that runs
    // the chat (B) answers the probe (issue 33's goal). SQLite has one instance.
    let uploader = match name {
        "PostgreSQL" => App::open(config, Arc::new(SystemClock)).await.unwrap(),
        _ => app.clone(),
    };
    seed::donors(url.as_str(), None, 1..donors as i64 + 1).await;
    seed::phones_by_id(url.as_str()).await;
    let running = hienmau::service::start(app.clone()).await.unwrap();
    // Warm up (each prober's first message), then the probe alone.
    for i in 0..50 {
        fake.say(PROBER + i, "/help", Duration::from_secs(30)).await;
    }
    let quiet_until = Instant::now() + Duration::from_secs(5);
    let idle = probe(&fake, || Instant::now() > quiet_until).await;

    let (donations, lines) = donations_for(donors, mb);
    let (calendar, campaigns) = calendar_of(mb);
    let (d_mb, c_mb) = (donations.len() as f64 / 1e6, calendar.len() as f64 / 1e6);
    let finished = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let upload = |request: DriveRequest| {
        let (app, finished) = (uploader.clone(), finished.clone());
        tokio::spawn(async move {
            let t = Instant::now();
            // Checked whole (no lock held), staged, then written in steps.
            let outcome = match app.stage_file_as_cli(request).await.unwrap() {
                DriveOutcome::FileStaged { id, .. } => {
                    let checked = t.elapsed();
                    let written = app.write_import(id).await.unwrap().unwrap();
                    (checked, written)
                }
                other => (t.elapsed(), other),
            };
            finished.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            (t.elapsed(), outcome)
        })
    };
    let d = upload(DriveRequest::ImportDonations {
        text: donations,
        accept_early: true,
    });
    let c = upload(DriveRequest::ImportCalendar {
        text: calendar,
        csv: true,
        year: 2026,
    });
    let busy = probe(&fake, || {
        finished.load(std::sync::atomic::Ordering::SeqCst) == 2
    })
    .await;
    let (d_time, (d_check, d_out)) = d.await.unwrap();
    let (c_time, (c_check, c_out)) = c.await.unwrap();
    match d_out {
        DriveOutcome::DonationsImported(done) => assert_eq!(done.added, lines, "{done:?}"),
        DriveOutcome::FileRejected(e) => panic!("{} errors, the first: {:?}", e.len(), e[0]),
        other => panic!("{other:?}"),
    }
    match c_out {
        DriveOutcome::CalendarImported { campaigns: n, .. } => assert_eq!(n, campaigns),
        other => panic!("{other:?}"),
    }
    running.stop(Duration::from_secs(20)).await;
    println!(
        "{name:<10} /help p50 {:.3} s, p99 {:.3} s, max {:.3} s ({} replies) during{}; \
         idle p99 {:.3} s; p99 / goal 1 s = {:.2}",
        percentile(&busy, 0.5),
        percentile(&busy, 0.99),
        busy.last().map_or(0.0, |d| d.as_secs_f64()),
        busy.len(),
        if name == "PostgreSQL" {
            " (on instance B; instance A writes the files)"
        } else {
            ""
        },
        percentile(&idle, 0.99),
        percentile(&busy, 0.99) / 1.0,
    );
    println!(
        "{name:<10} donations {lines} lines {d_mb:.2} MB: checked in {:.1} s, stored in {:.1} s \
         ({:.1} s/MB); calendar {campaigns} campaigns {c_mb:.2} MB: checked in {:.1} s, stored \
         in {:.1} s ({:.1} s/MB)",
        d_check.as_secs_f64(),
        d_time.as_secs_f64(),
        d_time.as_secs_f64() / d_mb,
        c_check.as_secs_f64(),
        c_time.as_secs_f64(),
        c_time.as_secs_f64() / c_mb,
    );
}
