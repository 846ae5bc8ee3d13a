//! A club broadcast to many members through the whole Telegram path, against a fake Bot API
//! server on loopback.
//!
//! Run: `cargo bench --bench broadcast` (release). Optional: `MEMBERS=10000` (default).
//!
//! 1. With the fake enforcing Telegram's caps (30 messages/s overall, 1/s per chat, 429
//!    beyond), the bot at its default pacing: the achieved rate as a share of the cap, and
//!    the 429s received (goal: ≥ 0.97, zero). This run takes MEMBERS / 30 seconds.
//! 2. With every cap lifted (fake and bot): the engine's own throughput from the leader's
//!    "Gửi" to the last message at the fake (goal ≥ 2,000 messages/s).
//!
//! Peak resident memory is that of the whole benchmark process, which holds the fake server
//! (and every message it received) as well as the bot: an upper bound for the bot alone.

#[path = "../tests/support/fake_telegram.rs"]
mod fake_telegram;
#[path = "../tests/support/mailbox.rs"]
mod mailbox;
#[path = "../tests/support/seed.rs"]
mod seed;

use fake_telegram::{FakeTelegram, Limits};
use hienmau::app::{App, SystemClock};
use hienmau::channels::{Channel, ChannelKind};
use hienmau::config::DeliveryConfig;
use hienmau::domain::club::Role;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// How long a benchmark waits for one answer of the bot.
const WAIT: Duration = Duration::from_secs(60);
const TOKEN: &str = "123456:BENCH";
const LEADER: i64 = 7;
const FIRST_MEMBER: i64 = 1_000_000;

struct Run {
    /// Leader's "send" tap → its confirmation (the fan-out transaction).
    enqueue: Duration,
    /// Leader's "send" tap → the last member's message at the fake.
    total: Duration,
    /// First to last member message at the fake.
    spread: Duration,
    too_many: u64,
    /// Resident memory when the leader taps "send" (bot, seeded database, fake), and its
    /// peak from then to the last message.
    resident_at_send: f64,
    peak_sending: f64,
}

/// `members` on one SQLite file (`postgres: None`), or on a fresh database of the
/// PostgreSQL server given with `instances` instances of the bot sharing it (and the cap).
async fn run(members: i64, limits: Option<Limits>, postgres: Option<(&str, usize)>) -> Run {
    let fake = FakeTelegram::start(TOKEN).await;
    let dir = tempfile::tempdir().unwrap();
    let (db, instances) = match postgres {
        None => (seed::Db::url(dir.path().join("bench.db").as_path()), 1),
        Some((server, n)) => (seed::fresh_postgres(server, "hm_broadcast").await, n),
    };
    let mut config = fake.bot_config(&dir.path().join("bench.db"));
    config.database_url = db.clone();
    // Each instance its own web port, as behind a reverse proxy.
    config.listen_addr = "127.0.0.1:0".parse().unwrap();
    if limits.is_none() {
        config.delivery = DeliveryConfig::unlimited();
    }
    let app = App::open(config.clone(), Arc::new(SystemClock))
        .await
        .unwrap();
    let mut running = vec![hienmau::service::start(app.clone()).await.unwrap()];
    for _ in 1..instances {
        let other = App::open(config.clone(), Arc::new(SystemClock))
            .await
            .unwrap();
        running.push(hienmau::service::start(other).await.unwrap());
    }

    // The leader: a registered donor with the leader role, who creates the club in chat.
    seed::donors(&db, None, LEADER..LEADER + 1).await;
    app.set_role_for_account(
        Channel::of(ChannelKind::Telegram),
        &LEADER.to_string(),
        Role::Leader,
        true,
        None,
    )
    .await
    .unwrap();
    fake.say(LEADER, "/newclub", WAIT).await;
    fake.say(LEADER, "CLB Hiến máu ĐH Hàng Hải", WAIT).await;
    let created = fake.tap_and_wait(LEADER, "university", WAIT).await.text;
    let at = created.find("Mã mời: ").expect("a club") + "Mã mời: ".len();
    let code: String = created[at..].chars().take(6).collect();
    let club = seed::club_id(&db, &code).await;
    seed::members(&db, club, FIRST_MEMBER..FIRST_MEMBER + members).await;
    if let Some(l) = limits {
        fake.enforce(l);
    }
    // Let the leader's chat interval pass before the broadcast's own replies.
    tokio::time::sleep(Duration::from_millis(1100)).await;

    fake.say(LEADER, "/broadcast", WAIT).await;
    let preview = fake
        .say(
            LEADER,
            "Chủ nhật Đỏ 7/12 tại Nhà văn hoá Thanh niên, 7h30.",
            WAIT,
        )
        .await
        .text;
    // Counts are grouped as Vietnamese writes them (3.000 người).
    let reach = hienmau::domain::text::figure(members as f64, true);
    assert!(preview.contains(&format!("{reach} người")), "{preview}");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let before = fake.sent_count();
    let resident_at_send = rss_mib();
    reset_peak();
    let start = Instant::now();
    let queued = fake.tap_and_wait(LEADER, "send", WAIT).await.text;
    let enqueue = start.elapsed();
    assert!(queued.contains("Đang gửi"), "{queued}");
    // Every member's message, plus the confirmation (progress reports to the leader may add
    // a few more: wait for the members themselves).
    let last = FIRST_MEMBER + members - 1;
    fake.wait_for(last, 1, Duration::from_secs(3600)).await;
    loop {
        let delivered = (FIRST_MEMBER..=last)
            .filter(|m| !fake.sent_to(*m).is_empty())
            .count() as i64;
        if delivered == members {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let total = start.elapsed();
    let times: Vec<Instant> = (FIRST_MEMBER..=last)
        .map(|m| {
            let got = fake.sent_to(m);
            assert_eq!(got.len(), 1, "member {m} got {} messages", got.len());
            got[0].at
        })
        .collect();
    let first = times.iter().min().copied().unwrap();
    let latest = times.iter().max().copied().unwrap();
    let _ = before;
    for r in running {
        r.stop(Duration::from_secs(10)).await;
    }
    Run {
        enqueue,
        total,
        spread: latest - first,
        too_many: fake.too_many_requests(),
        resident_at_send,
        peak_sending: peak_rss_mib(),
    }
}

/// Starts a new peak of resident memory (Linux: writing 5 to `clear_refs` resets `VmHWM`),
/// so that each run's own peak is read.
fn reset_peak() {
    PROCESS_PEAK_KIB.fetch_max(status_kib("VmHWM:") as u64, Ordering::Relaxed);
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// The peaks of resident memory before each [`reset_peak`], for the process's own.
static PROCESS_PEAK_KIB: AtomicU64 = AtomicU64::new(0);

/// The process's peak of resident memory over every run.
fn process_peak_mib() -> f64 {
    (PROCESS_PEAK_KIB.load(Ordering::Relaxed) as f64).max(status_kib("VmHWM:")) / 1024.0
}

/// A run's memory: resident when the leader taps "send", the peak until the last message.
fn memory(label: &str, run: &Run) {
    println!(
        "  memory, {label}: resident at the tap {:.0} MiB, peak while sending {:.0} MiB",
        run.resident_at_send, run.peak_sending
    );
}

fn rss_mib() -> f64 {
    status_kib("VmRSS:") / 1024.0
}

fn status_kib(field: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .unwrap_or(f64::NAN)
}

fn peak_rss_mib() -> f64 {
    status_kib("VmHWM:") / 1024.0
}

fn main() {
    let members: i64 = std::env::var("MEMBERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    // Warm-up (page cache, pools).
    rt.block_on(run(200, None, None));
    let free = rt.block_on(run(members, None, None));
    let free_rate = members as f64 / free.total.as_secs_f64();
    println!("broadcast: {members} members, Telegram path, fake Bot API on loopback");
    println!(
        "  caps lifted : {free_rate:>8.0} messages/s  (tap → last message {:.2} s; fan-out \
         transaction {:.0} ms)   goal ≥ 2000: {}",
        free.total.as_secs_f64(),
        free.enqueue.as_secs_f64() * 1000.0,
        if free_rate >= 2000.0 {
            "met"
        } else {
            "NOT met"
        }
    );
    memory("caps lifted", &free);
    let capped_run = |label: &str, capped: Run| {
        let rate = (members - 1) as f64 / capped.spread.as_secs_f64();
        let share = rate / 30.0;
        println!(
            "  {label}: {rate:>8.2} messages/s = {share:.3} of the cap  (first → last {:.1} s), \
             429s received: {}   goal ≥ 0.97 with no 429: {}",
            capped.spread.as_secs_f64(),
            capped.too_many,
            if share >= 0.97 && capped.too_many == 0 {
                "met"
            } else {
                "NOT met"
            }
        );
        memory(label.trim(), &capped);
    };
    if std::env::var("ONLY_TWO_INSTANCES").is_err() {
        capped_run(
            "30/s cap, SQLite          ",
            rt.block_on(run(members, Some(Limits::telegram()), None)),
        );
    }
    match std::env::var("HIENMAU_TEST_POSTGRES") {
        Ok(server) if !server.trim().is_empty() => capped_run(
            "30/s cap, 2 instances, PG ",
            rt.block_on(run(members, Some(Limits::telegram()), Some((&server, 2)))),
        ),
        _ => println!(
            "  (the two-instance run on PostgreSQL skipped: set HIENMAU_TEST_POSTGRES to a \
             server, e.g. what `bash .ci/postgres` prints)"
        ),
    }
    println!(
        "  peak resident memory (bot + fake server, one process, every run): {:.0} MiB",
        process_peak_mib()
    );
}
