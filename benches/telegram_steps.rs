//! Conversation steps per second through the whole Telegram path, side by side with other
//! bots driven by the same script through the same fake Bot API server on loopback:
//! - **peer**: a teloxide dialogue bot keeping its state in teloxide's own `SqliteStorage`
//!   (as teloxide opens it, and with the file set to WAL first): what a bot of this kind
//!   written the usual way does;
//! - **durable**: the least a bot that must not lose an update does — commit one row per
//!   update (one transaction per batch) before moving the offset, then echo: the limit for
//!   a durable bot on this machine;
//! - **echo**: teloxide's echo bot (confirms updates before handling them, stores nothing).
//!
//! Every contender is checked: each donor got one reply per step, the last one the right
//! one, and what it stored is every donor's answers.
//!
//! Run: `cargo bench --bench telegram_steps` (release). Optional: `DONORS=1000`;
//! `ONLY=peer-wal` (or `hienmau`, `peer`, `durable`, `echo`, a comma list) runs only those,
//! e.g. under a profiler. With `HIENMAU_TEST_POSTGRES` set, hienmau also runs on PostgreSQL
//! (one and two instances polling, then one and two behind the webhook);
//! `WEBHOOKS_ONLY=1` runs only the webhook comparison; `INSTANCE_CPU=0.12` runs it with each
//! instance a `hienmau serve` process held to that share of a core by a cgroup (root; the
//! binary `HIENMAU_BIN`, this build's by default).
//!
//! A step is one update in and one reply out. For hienmau that is: getUpdates → teloxide
//! types → adapter → engine → one SQLite transaction (dedup, state, profile, outbox row) →
//! delivery worker → sendMessage → outcome recorded. The echo bot only does getUpdates →
//! sendMessage. Pacing is lifted for both (the fake does not enforce Telegram's caps; with
//! them on, delivery is capped at 30 messages/s by design).

#[path = "../tests/support/fake_telegram.rs"]
mod fake_telegram;
#[path = "../tests/support/mailbox.rs"]
mod mailbox;
#[path = "../tests/support/seed.rs"]
mod seed;

use fake_telegram::FakeTelegram;
use hienmau::app::{App, SystemClock};
use hienmau::config::{Config, DeliveryConfig};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use teloxide::prelude::*;

const TOKEN: &str = "123456:BENCH";

/// One donor's registration, wrong answers included: 15 steps. It must follow the
/// conversation as it is (the run checks that each donor ends registered; CI runs it once
/// at a tiny size so a new question cannot silently break it).
const SCRIPT: &[&str] = &[
    "/start",
    "1",
    "Nguyễn Văn An",
    "0912 345 67",
    // Each donor's own number (a phone another donor has is refused).
    PHONE,
    "05/03/1995",
    "nam",
    "62",
    "O+",
    "hai phong",
    "Phường Lê Chân",
    "máu toàn phần",
    "01/09/2026",
    // Urgent call-outs at night? 2: daytime only.
    "2",
    "1",
];

/// Stands for the donor's own phone in [`SCRIPT`].
const PHONE: &str = "{phone}";

/// The script pushed to the fake at once; how long until every reply has reached it.
async fn timed(fake: &FakeTelegram, donors: i64) -> Duration {
    let total = donors as usize * SCRIPT.len();
    let start = Instant::now();
    push_script(fake, donors);
    fake.wait_total(total, Duration::from_secs(600)).await;
    start.elapsed()
}

fn push_script(fake: &FakeTelegram, donors: i64) {
    // Round robin, as many people typing at once would arrive.
    for text in SCRIPT {
        for user in 1..=donors {
            if *text == PHONE {
                fake.text(100_000 + user, &format!("0912 {:06}", user));
            } else {
                fake.text(100_000 + user, text);
            }
        }
    }
}

/// Where a run keeps its data: a fresh SQLite file, or a fresh PostgreSQL database on
/// `server` shared by `instances` instances of the bot.
#[derive(Clone, Copy)]
enum On<'a> {
    Sqlite,
    Postgres { server: &'a str, instances: usize },
}

async fn run_hienmau(donors: i64, on: On<'_>) -> Duration {
    run_hienmau_counting(donors, on, false).await.0
}

/// [`run_hienmau`], counting the statements of the measured phase when `count`.
async fn run_hienmau_counting(
    donors: i64,
    on: On<'_>,
    count: bool,
) -> (Duration, Vec<(String, u64, f64)>) {
    let fake = FakeTelegram::start(TOKEN).await;
    let dir = tempfile::tempdir().unwrap();
    let (url, instances) = match on {
        On::Sqlite => (
            format!("sqlite://{}", dir.path().join("bench.db").display()),
            1,
        ),
        On::Postgres { server, instances } => {
            (seed::fresh_postgres(server, "hm_steps").await, instances)
        }
    };
    let env: HashMap<&str, String> = HashMap::from([
        ("DATABASE_URL", url.clone()),
        ("TELEGRAM_BOT_TOKEN", TOKEN.to_string()),
        ("TELEGRAM_API_URL", fake.url.clone()),
    ]);
    let mut config = Config::load(None, |k| env.get(k).cloned()).unwrap();
    config.delivery = DeliveryConfig::unlimited();
    if let Some(n) = std::env::var("IN_FLIGHT").ok().and_then(|v| v.parse().ok()) {
        config.delivery.max_in_flight = n;
    }
    // Each instance its own web port, as behind a reverse proxy.
    config.listen_addr = "127.0.0.1:0".parse().unwrap();
    let mut running = Vec::new();
    for _ in 0..instances {
        let app = App::open(config.clone(), Arc::new(SystemClock))
            .await
            .unwrap();
        running.push(hienmau::service::start(app).await.unwrap());
    }
    if count {
        statements::start();
    }
    let elapsed = timed(&fake, donors).await;
    // Up to the last reply (the last outcomes written after it are a statement or two).
    let kinds = if count {
        statements::stop()
    } else {
        Vec::new()
    };
    check_registered(&fake, &url, donors, running, "hienmau").await;
    (elapsed, kinds)
}

/// Requests in flight to the webhooks, in all (Telegram's default `max_connections`).
const WEBHOOK_CONNECTIONS: usize = 40;

/// hienmau on PostgreSQL behind Telegram's webhook, `instances` instances on one database:
/// each donor's updates are posted to one instance (by chat, as a proxy hashing on the chat
/// would route them), each when the previous one was answered, up to
/// [`WEBHOOK_CONNECTIONS`] at once in all. A webhook's update is a unit of work of its own
/// (polling writes a batch in one), so this measures how units of work of two instances
/// share the database: the question of issue 33 (two instances ≥ 1.7 × one).
/// What a webhook run measured: its time, the CPU seconds spent in it by this process and by
/// the PostgreSQL server, and the units of work run again holding the whole database.
struct HookRun {
    elapsed: Duration,
    cpu_bench: f64,
    cpu_postgres: f64,
    widened: u64,
}

/// CPU seconds (user and system) of the processes whose `comm` is `name` (with their waited
/// children: PostgreSQL's backends that ended), or of this process for `None`. Linux's
/// `/proc`, at 100 ticks a second.
fn cpu_seconds(name: Option<&str>) -> f64 {
    let ticks = |stat: &str, children: bool| -> f64 {
        // After the ")" that ends the command: state is field 3, utime 14 … cstime 17.
        let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
        let f: Vec<f64> = rest
            .split_whitespace()
            .map(|x| x.parse().unwrap_or(0.0))
            .collect();
        let own = f.get(11).unwrap_or(&0.0) + f.get(12).unwrap_or(&0.0);
        let waited = f.get(13).unwrap_or(&0.0) + f.get(14).unwrap_or(&0.0);
        (own + if children { waited } else { 0.0 }) / 100.0
    };
    match name {
        None => ticks(
            &std::fs::read_to_string("/proc/self/stat").unwrap_or_default(),
            false,
        ),
        Some(name) => std::fs::read_dir("/proc")
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| {
                std::fs::read_to_string(e.path().join("comm")).is_ok_and(|c| c.trim() == name)
            })
            .map(|e| {
                ticks(
                    &std::fs::read_to_string(e.path().join("stat")).unwrap_or_default(),
                    true,
                )
            })
            .sum(),
    }
}

async fn run_hienmau_webhooks(donors: i64, server: &str, instances: usize) -> HookRun {
    const SECRET: &str = "bench-webhook-secret_0123456789";
    let fake = FakeTelegram::start(TOKEN).await;
    let url = seed::fresh_postgres(server, "hm_hooks").await;
    let env: HashMap<&str, String> = HashMap::from([
        ("DATABASE_URL", url.clone()),
        ("TELEGRAM_BOT_TOKEN", TOKEN.to_string()),
        ("TELEGRAM_API_URL", fake.url.clone()),
        (
            "TELEGRAM_WEBHOOK_URL",
            "https://bot.example.vn/tg".to_string(),
        ),
        ("TELEGRAM_WEBHOOK_SECRET", SECRET.to_string()),
    ]);
    let mut config = Config::load(None, |k| env.get(k).cloned()).unwrap();
    config.delivery = DeliveryConfig::unlimited();
    config.listen_addr = "127.0.0.1:0".parse().unwrap();
    let mut running = Vec::new();
    let mut hooks = Vec::new();
    let mut apps = Vec::new();
    for _ in 0..instances {
        let app = App::open(config.clone(), Arc::new(SystemClock))
            .await
            .unwrap();
        let r = hienmau::service::start(app.clone()).await.unwrap();
        hooks.push(format!("http://{}/tg", r.http_addr.unwrap()));
        running.push(r);
        apps.push(app);
    }
    let (cpu_bench, cpu_postgres) = (cpu_seconds(None), cpu_seconds(Some("postgres")));
    let start = Instant::now();
    post_script(&hooks, donors, SECRET).await;
    let total = donors as usize * SCRIPT.len();
    fake.wait_total(total, Duration::from_secs(600)).await;
    let elapsed = start.elapsed();
    let cpu_bench = cpu_seconds(None) - cpu_bench;
    let cpu_postgres = cpu_seconds(Some("postgres")) - cpu_postgres;
    check_registered(&fake, &url, donors, running, "hienmau (webhooks)").await;
    HookRun {
        elapsed,
        cpu_bench,
        cpu_postgres,
        widened: apps.iter().map(|a| a.metrics().units_widened.get()).sum(),
    }
}

/// Each donor's script posted to `hooks` (a donor's updates to one of them, by chat, each
/// when the previous one was answered), [`WEBHOOK_CONNECTIONS`] at once in all.
async fn post_script(hooks: &[String], donors: i64, secret: &'static str) {
    let instances = hooks.len();
    let client = reqwest::Client::new();
    let gate = Arc::new(tokio::sync::Semaphore::new(WEBHOOK_CONNECTIONS));
    let mut posting = tokio::task::JoinSet::new();
    for user in 1..=donors {
        let (client, gate) = (client.clone(), gate.clone());
        let hook = hooks[user as usize % instances].clone();
        posting.spawn(async move {
            let chat = 100_000 + user;
            for (step, text) in SCRIPT.iter().enumerate() {
                let text = if *text == PHONE {
                    format!("0912 {user:06}")
                } else {
                    text.to_string()
                };
                let id = user * 100 + step as i64;
                let update = serde_json::json!({"update_id": id, "message": {
                    "message_id": id, "date": 1_795_000_000, "text": text,
                    "chat": {"id": chat, "type": "private", "first_name": "Người dùng"},
                    "from": {"id": chat, "is_bot": false, "first_name": "Người dùng"}
                }});
                let _turn = gate.acquire().await.unwrap();
                let answer = client
                    .post(&hook)
                    .header("X-Telegram-Bot-Api-Secret-Token", secret)
                    .json(&update)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(answer.status().as_u16(), 200, "donor {user}, step {step}");
            }
        });
    }
    while let Some(done) = posting.join_next().await {
        done.unwrap();
    }
}

/// An instance of its own: `hienmau serve` as a process of its own, held to a share of the
/// CPU by a cgroup of its own (as if on a machine of its own), killed and its cgroup removed
/// when dropped.
struct Capped {
    child: std::process::Child,
    cgroup: std::path::PathBuf,
}

impl Drop for Capped {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir(&self.cgroup);
    }
}

/// A CPU cgroup named `name` allowed `cores` of CPU time (cgroup v2's `cpu.max`, else v1's
/// `cpu.cfs_quota_us`); an error when this machine does not let this process make one.
fn cpu_cgroup(name: &str, cores: f64) -> Result<std::path::PathBuf, String> {
    let period = 100_000u64;
    let quota = (cores * period as f64).round().max(1_000.0) as u64;
    let v2 = std::path::Path::new("/sys/fs/cgroup/cgroup.controllers").exists();
    let dir = if v2 {
        std::path::Path::new("/sys/fs/cgroup").join(name)
    } else {
        std::path::Path::new("/sys/fs/cgroup/cpu").join(name)
    };
    let _ = std::fs::remove_dir(&dir);
    std::fs::create_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let written = if v2 {
        std::fs::write(dir.join("cpu.max"), format!("{quota} {period}"))
    } else {
        std::fs::write(dir.join("cpu.cfs_period_us"), period.to_string())
            .and_then(|()| std::fs::write(dir.join("cpu.cfs_quota_us"), quota.to_string()))
    };
    written.map_err(|e| format!("{}: {e}", dir.display()))?;
    Ok(dir)
}

/// A free port on 127.0.0.1 (bound, read, released).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// hienmau on PostgreSQL behind the webhook as [`run_hienmau_webhooks`], but each instance
/// the binary `bin` (`hienmau serve`) in a process of its own held to `cores` of CPU: what
/// two instances add when each has CPU of its own, which this 2-core machine cannot give
/// them otherwise (PostgreSQL, the fake Bot API and the client take the rest).
async fn run_capped_webhooks(
    donors: i64,
    server: &str,
    instances: usize,
    cores: f64,
    bin: &std::path::Path,
) -> Result<HookRun, String> {
    const SECRET: &str = "bench-webhook-secret_0123456789";
    let fake = FakeTelegram::start(TOKEN).await;
    let url = seed::fresh_postgres(server, "hm_capped").await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bench.toml");
    std::fs::write(
        &file,
        "quiet_hours = \"off\"\n[delivery]\ntelegram_per_second = 0.0\n\
         telegram_chat_interval_ms = 0\nretry_base_ms = 50\npoll_interval_ms = 50\n",
    )
    .unwrap();
    let mut capped = Vec::new();
    let mut hooks = Vec::new();
    for i in 0..instances {
        let port = free_port();
        let log = std::fs::File::create(dir.path().join(format!("instance-{i}.log"))).unwrap();
        let child = std::process::Command::new(bin)
            .arg("serve")
            .arg("--config")
            .arg(&file)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("DATABASE_URL", &url)
            .env("TELEGRAM_BOT_TOKEN", TOKEN)
            .env("TELEGRAM_API_URL", &fake.url)
            .env("TELEGRAM_WEBHOOK_URL", "https://bot.example.vn/tg")
            .env("TELEGRAM_WEBHOOK_SECRET", SECRET)
            .env("HIENMAU_LISTEN", format!("127.0.0.1:{port}"))
            .env("RUST_LOG", "warn")
            .stdout(std::process::Stdio::null())
            .stderr(log)
            .spawn()
            .map_err(|e| format!("{}: {e}", bin.display()))?;
        let cgroup = match cpu_cgroup(&format!("hienmau-bench-{i}"), cores) {
            Ok(c) => c,
            Err(e) => {
                let mut child = child;
                let _ = child.kill();
                return Err(e);
            }
        };
        let pid = child.id().to_string();
        let moved = std::fs::write(cgroup.join("cgroup.procs"), &pid);
        capped.push(Capped { child, cgroup });
        moved.map_err(|e| format!("cgroup.procs: {e}"))?;
        hooks.push(format!("http://127.0.0.1:{port}/tg"));
    }
    // Each instance ready (migrations applied, webhook set) before the clock starts.
    let client = reqwest::Client::new();
    for (i, hook) in hooks.iter().enumerate() {
        let ready = hook.replace("/tg", "/readyz");
        let deadline = Instant::now() + Duration::from_secs(120);
        while !client
            .get(&ready)
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            if Instant::now() > deadline {
                return Err(format!("instance {i} never became ready"));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    let (cpu_bench, cpu_postgres) = (cpu_seconds(None), cpu_seconds(Some("postgres")));
    let cpu_instances = || -> f64 {
        capped
            .iter()
            .map(|c| {
                let stat = std::fs::read_to_string(format!("/proc/{}/stat", c.child.id()));
                let rest = stat.unwrap_or_default();
                let rest = rest
                    .rsplit_once(')')
                    .map_or(String::new(), |(_, r)| r.to_string());
                let f: Vec<f64> = rest
                    .split_whitespace()
                    .map(|x| x.parse().unwrap_or(0.0))
                    .collect();
                (f.get(11).unwrap_or(&0.0) + f.get(12).unwrap_or(&0.0)) / 100.0
            })
            .sum()
    };
    let cpu_before = cpu_instances();
    let start = Instant::now();
    post_script(&hooks, donors, SECRET).await;
    let total = donors as usize * SCRIPT.len();
    fake.wait_total(total, Duration::from_secs(600)).await;
    let elapsed = start.elapsed();
    let cpu_used = cpu_instances() - cpu_before;
    let cpu_bench = cpu_seconds(None) - cpu_bench + cpu_used;
    let cpu_postgres = cpu_seconds(Some("postgres")) - cpu_postgres;
    check_registered(
        &fake,
        &url,
        donors,
        Vec::new(),
        "hienmau (capped instances)",
    )
    .await;
    drop(capped);
    Ok(HookRun {
        elapsed,
        cpu_bench,
        cpu_postgres,
        widened: 0,
    })
}

/// Two capped instances against one (`INSTANCE_CPU=0.12`: each instance's share of a core),
/// of the binary `HIENMAU_BIN` (this build's by default; another build, e.g. one from before
/// the writers' lock was split, for the side by side).
fn capped(rt: &tokio::runtime::Runtime, server: &str, donors: i64, cores: f64) {
    let bin = std::env::var("HIENMAU_BIN")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| std::path::PathBuf::from(env!("CARGO_BIN_EXE_hienmau")));
    let steps = donors as f64 * SCRIPT.len() as f64;
    println!(
        "  capped instances: {} each {cores} of a core (cgroup), PostgreSQL and the load \
         uncapped",
        bin.display()
    );
    if let Err(e) = rt.block_on(run_capped_webhooks(20.min(donors), server, 1, cores, &bin)) {
        println!("  capped instances skipped: {e} (needs root and a CPU cgroup)");
        return;
    }
    let mut rates = Vec::new();
    for instances in [1, 2] {
        let run = rt
            .block_on(run_capped_webhooks(donors, server, instances, cores, &bin))
            .unwrap();
        let rate = steps / run.elapsed.as_secs_f64();
        rates.push(rate);
        println!(
            "  capped, {instances} instance{}: {rate:>8.0} steps/s  ({:.2} s); CPU {:.2} ms a \
             step ({:.2} instances, fake and client; {:.2} PostgreSQL), {:.2} of 2 cores busy",
            if instances == 1 { " " } else { "s" },
            run.elapsed.as_secs_f64(),
            (run.cpu_bench + run.cpu_postgres) * 1000.0 / steps,
            run.cpu_bench * 1000.0 / steps,
            run.cpu_postgres * 1000.0 / steps,
            (run.cpu_bench + run.cpu_postgres) / run.elapsed.as_secs_f64() / 2.0,
        );
    }
    println!(
        "  ratio 2 capped instances / 1: {:>5.2}   (goal ≥ 1.7, issue 33)",
        rates[1] / rates[0]
    );
}

async fn run_echo(donors: i64) -> Duration {
    let fake = FakeTelegram::start(TOKEN).await;
    let bot = Bot::new(TOKEN).set_api_url(fake.url.parse().unwrap());
    let handler = Update::filter_message().endpoint(|bot: Bot, msg: Message| async move {
        bot.send_message(msg.chat.id, msg.text().unwrap_or("?"))
            .await?;
        respond(())
    });
    let mut dispatcher = Dispatcher::builder(bot, handler).build();
    let token = dispatcher.shutdown_token();
    let task = tokio::spawn(async move { dispatcher.dispatch().await });
    // Let it start polling before the clock starts.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let elapsed = timed(&fake, donors).await;
    check_replies(&fake, donors, SCRIPT[SCRIPT.len() - 1]);
    stop_dispatcher(token, task).await;
    elapsed
}

/// hienmau's end of a run: every donor got every reply and is registered in the database at
/// `url`, each with her own phone; then its instances are stopped.
async fn check_registered(
    fake: &FakeTelegram,
    url: &str,
    donors: i64,
    running: Vec<hienmau::service::Running>,
    what: &str,
) {
    check_replies(fake, donors, "đăng ký thành công");
    let registered = seed::count(
        url,
        "SELECT COUNT(DISTINCT phone) FROM donors \
         WHERE registered_at IS NOT NULL AND phone LIKE '+84912%' AND blood_group = 'O+'",
    )
    .await;
    assert_eq!(registered, donors, "{what}: donors registered");
    for r in running {
        r.stop(Duration::from_secs(10)).await;
    }
}

/// Every donor got one reply per step, the last one containing `last`.
fn check_replies(fake: &FakeTelegram, donors: i64, last: &str) {
    for user in 1..=donors {
        let sent = fake.sent_to(100_000 + user);
        assert_eq!(sent.len(), SCRIPT.len(), "donor {user}: replies");
        let text = &sent[sent.len() - 1].text;
        assert!(text.contains(last), "donor {user}: {text}");
    }
}

/// Stops a teloxide dispatcher and waits for it.
async fn stop_dispatcher(
    token: teloxide::dispatching::ShutdownToken,
    task: tokio::task::JoinHandle<()>,
) {
    // Wait for `dispatch()` itself to return, not for the future `shutdown()` gives: that
    // one registers for teloxide's `notify_waiters` only when first polled, so a dispatcher
    // that stops in between (on the other worker thread) leaves it waiting forever — this
    // benchmark hung about once in thirty runs on it, and once in CI until its time ran out.
    let _ = token.shutdown();
    if tokio::time::timeout(Duration::from_secs(30), task)
        .await
        .is_err()
    {
        panic!("a teloxide bot did not stop within 30 s");
    }
}

/// The least a durable bot does: each batch of updates committed (one row per update, one
/// transaction, SQLite set as hienmau sets it: WAL, `synchronous = NORMAL`) before the next
/// `getUpdates` moves the offset past them; then each is echoed, the chats of a batch at
/// once, a chat's messages in order. Nothing else: no state, no outbox, no dedup.
async fn run_durable(donors: i64) -> Duration {
    let fake = FakeTelegram::start(TOKEN).await;
    let dir = tempfile::tempdir().unwrap();
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(dir.path().join("durable.db"))
        .create_if_missing(true)
        .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
        .synchronous(sqlx::sqlite::SqliteSynchronous::Normal);
    let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
    sqlx::query("CREATE TABLE updates (id INTEGER PRIMARY KEY, chat INTEGER NOT NULL, text TEXT)")
        .execute(&pool)
        .await
        .unwrap();
    let bot = Bot::new(TOKEN).set_api_url(fake.url.parse().unwrap());
    let poller = {
        let (bot, pool) = (bot.clone(), pool.clone());
        tokio::spawn(async move {
            let mut offset = 0;
            let mut senders: HashMap<ChatId, tokio::sync::mpsc::UnboundedSender<String>> =
                HashMap::new();
            loop {
                let Ok(updates) = bot.get_updates().offset(offset).timeout(10).await else {
                    continue;
                };
                let mut tx = pool.begin().await.unwrap();
                let mut chats: HashMap<ChatId, Vec<String>> = HashMap::new();
                for update in &updates {
                    offset = update.id.0 as i32 + 1;
                    let teloxide::types::UpdateKind::Message(msg) = &update.kind else {
                        continue;
                    };
                    let text = msg.text().unwrap_or("?").to_string();
                    sqlx::query("INSERT INTO updates (id, chat, text) VALUES (?, ?, ?)")
                        .bind(update.id.0 as i64)
                        .bind(msg.chat.id.0)
                        .bind(&text)
                        .execute(&mut *tx)
                        .await
                        .unwrap();
                    chats.entry(msg.chat.id).or_default().push(text);
                }
                tx.commit().await.unwrap();
                // One sender a chat, for as long as the run: chats answered side by side,
                // each in order (a task a batch let a chat's next batch overtake it).
                for (chat, texts) in chats {
                    let queue = senders.entry(chat).or_insert_with(|| {
                        let (queue, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
                        let bot = bot.clone();
                        tokio::spawn(async move {
                            while let Some(text) = rx.recv().await {
                                bot.send_message(chat, text).await.unwrap();
                            }
                        });
                        queue
                    });
                    for text in texts {
                        queue.send(text).unwrap();
                    }
                }
            }
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let elapsed = timed(&fake, donors).await;
    poller.abort();
    check_replies(&fake, donors, SCRIPT[SCRIPT.len() - 1]);
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM updates")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(
        stored,
        donors * SCRIPT.len() as i64,
        "durable: updates stored"
    );
    pool.close().await;
    elapsed
}

/// The contenders, by the names `ONLY` takes.
const CONTENDERS: &[&str] = &["hienmau", "peer", "peer-wal", "durable", "echo"];

async fn run(name: &str, donors: i64) -> Duration {
    match name {
        "hienmau" => run_hienmau(donors, On::Sqlite).await,
        "peer" => peer::run(donors, false).await,
        "peer-wal" => peer::run(donors, true).await,
        "durable" => run_durable(donors).await,
        "echo" => run_echo(donors).await,
        other => panic!("ONLY: no contender {other:?} (one of {CONTENDERS:?})"),
    }
}

fn main() {
    let donors: i64 = std::env::var("DONORS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(500);
    let only = std::env::var("ONLY").ok();
    let names: Vec<&str> = match &only {
        Some(list) => list.split(',').map(str::trim).collect(),
        None => CONTENDERS.to_vec(),
    };
    let steps = donors as f64 * SCRIPT.len() as f64;
    statements::install();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    println!(
        "telegram_steps: {donors} donors × {} steps = {steps} steps",
        SCRIPT.len()
    );
    // `WEBHOOKS_ONLY=1` (with HIENMAU_TEST_POSTGRES): only the webhooks' two instances
    // against one.
    if std::env::var("WEBHOOKS_ONLY").is_ok_and(|v| v == "1") {
        let server = std::env::var("HIENMAU_TEST_POSTGRES")
            .expect("WEBHOOKS_ONLY needs HIENMAU_TEST_POSTGRES (what `bash .ci/postgres` prints)");
        webhooks(&rt, &server, donors);
        return;
    }
    // `INSTANCE_CPU=0.12` (with HIENMAU_TEST_POSTGRES): two instances against one, each a
    // process held to that share of a core.
    if let Some(cores) = std::env::var("INSTANCE_CPU")
        .ok()
        .and_then(|v| v.parse::<f64>().ok())
    {
        let server = std::env::var("HIENMAU_TEST_POSTGRES")
            .expect("INSTANCE_CPU needs HIENMAU_TEST_POSTGRES (what `bash .ci/postgres` prints)");
        capped(&rt, &server, donors, cores);
        return;
    }
    // A warm-up run of each (connection pools, page cache), then the measured runs, one
    // after the other in the same process.
    for name in &names {
        rt.block_on(run(name, 20.min(donors)));
    }
    let mut rates: HashMap<&str, f64> = HashMap::new();
    for name in &names {
        let t = rt.block_on(run(name, donors));
        let rate = steps / t.as_secs_f64();
        rates.insert(name, rate);
        println!(
            "  {name:<9}: {rate:>8.0} steps/s  ({:.2} s)",
            t.as_secs_f64()
        );
    }
    let ratio = |a: &str, b: &str, goal: &str| {
        if let (Some(x), Some(y)) = (rates.get(a), rates.get(b)) {
            println!("  ratio {a} / {b}: {:>6.2}   {goal}", x / y);
        }
    };
    ratio("hienmau", "peer", "");
    ratio("hienmau", "peer-wal", "(goal ≥ 2.0)");
    ratio("hienmau", "echo", "(goal ≥ 0.5)");
    ratio("hienmau", "durable", "(the limit for a durable bot: 1.0)");
    ratio(
        "durable",
        "echo",
        "(what committing before the offset costs)",
    );
    if names.contains(&"hienmau") {
        // Statements per 100 updates, all parts together (a run of its own: counting
        // slows it).
        let (_, kinds) = rt.block_on(run_hienmau_counting(donors, On::Sqlite, true));
        let per_100 = |n: u64| n as f64 * 100.0 / steps;
        let all: u64 = kinds.iter().map(|(_, n, _)| n).sum();
        let others: u64 = kinds
            .iter()
            .filter(|(kind, _, _)| statements::not_the_batchs(kind))
            .map(|(_, n, _)| n)
            .sum();
        println!(
            "  statements per 100 updates: {:>6.1} in all; the batches': {:>5.1}   (goal ≤ 15)",
            per_100(all),
            per_100(all - others)
        );
        println!("    per 100   µs each   statement");
        for (kind, n, secs) in kinds.iter().take(20) {
            let whose = if statements::not_the_batchs(kind) {
                "   (sending, scheduler)"
            } else {
                ""
            };
            println!(
                "    {:>7.1}   {:>7.0}   {kind}{whose}",
                per_100(*n),
                secs * 1e6 / *n as f64
            );
        }
    }
    if only.is_some() {
        return;
    }
    match std::env::var("HIENMAU_TEST_POSTGRES") {
        Ok(server) if !server.trim().is_empty() => {
            let ours_rate = rates["hienmau"];
            let pg = |instances| On::Postgres {
                server: &server,
                instances,
            };
            rt.block_on(run_hienmau(20, pg(1)));
            for instances in [1, 2] {
                let t = rt.block_on(run_hienmau(donors, pg(instances)));
                let rate = steps / t.as_secs_f64();
                println!(
                    "  PostgreSQL, {instances} instance{}  : {rate:>8.0} steps/s  ({:.2} s), \
                     ratio to SQLite {:.2}",
                    if instances == 1 { " " } else { "s" },
                    t.as_secs_f64(),
                    rate / ours_rate
                );
            }
            webhooks(&rt, &server, donors);
        }
        _ => println!(
            "  (PostgreSQL runs skipped: set HIENMAU_TEST_POSTGRES to a server, e.g. what \
             `bash .ci/postgres` prints)"
        ),
    }
}

/// Behind the webhook, each update its own unit of work: two instances against one (goal of
/// issue 33: ≥ 1.7).
fn webhooks(rt: &tokio::runtime::Runtime, server: &str, donors: i64) {
    let steps = donors as f64 * SCRIPT.len() as f64;
    rt.block_on(run_hienmau_webhooks(20.min(donors), server, 1));
    let mut hooked = Vec::new();
    for instances in [1, 2] {
        let run = rt.block_on(run_hienmau_webhooks(donors, server, instances));
        let rate = steps / run.elapsed.as_secs_f64();
        hooked.push(rate);
        let cpu = run.cpu_bench + run.cpu_postgres;
        println!(
            "  PostgreSQL webhooks, {instances} instance{}: {rate:>8.0} steps/s  ({:.2} s); \
             CPU {:.2} ms a step ({:.2} bench process, {:.2} PostgreSQL), {:.2} of 2 cores busy; \
             {} units widened",
            if instances == 1 { " " } else { "s" },
            run.elapsed.as_secs_f64(),
            cpu * 1000.0 / steps,
            run.cpu_bench * 1000.0 / steps,
            run.cpu_postgres * 1000.0 / steps,
            cpu / run.elapsed.as_secs_f64() / 2.0,
            run.widened,
        );
    }
    println!(
        "  ratio 2 instances / 1 (webhooks): {:>5.2}   (goal ≥ 1.7, issue 33)",
        hooked[1] / hooked[0]
    );
}

/// The peer: a registration bot written the way teloxide's examples write one — a dialogue
/// whose state is kept in teloxide's own `SqliteStorage` (read before each answer, written
/// after each accepted one, serialised as JSON), one question per state. It checks what
/// hienmau checks in [`SCRIPT`] (the short phone is refused and asked again), so both do the
/// same 15 steps. Its storage is opened as teloxide opens it; `wal` first sets the file to
/// WAL (a database's journal mode persists; `synchronous` stays at SQLite's FULL).
mod peer {
    use super::{TOKEN, check_replies};
    use crate::fake_telegram::FakeTelegram;
    use serde::{Deserialize, Serialize};
    use std::time::Duration;
    use teloxide::dispatching::dialogue::{Dialogue, SqliteStorage, serializer::Json};
    use teloxide::prelude::*;

    /// Where a registration stands: the answers accepted so far, in order.
    #[derive(Clone, Default, Serialize, Deserialize)]
    pub struct Form {
        answers: Vec<String>,
    }

    type FormDialogue = Dialogue<Form, SqliteStorage<Json>>;
    type HandlerResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

    /// The questions, one per answer of the script (the first answers `/start`).
    const QUESTIONS: &[&str] = &[
        "Chào bạn! Bạn đồng ý để chúng tôi lưu thông tin hiến máu? 1. Đồng ý 2. Không",
        "Họ và tên của bạn?",
        "Số điện thoại của bạn?",
        "Ngày sinh (ngày/tháng/năm)?",
        "Giới tính: nam hay nữ?",
        "Cân nặng (kg)?",
        "Nhóm máu (A+, B-, O+…)?",
        "Tỉnh/thành phố?",
        "Phường/xã?",
        "Lần hiến gần nhất: máu toàn phần, tiểu cầu hay huyết tương?",
        "Ngày hiến gần nhất?",
        "Nhận lời kêu gọi khẩn cả ban đêm? 1. Có 2. Chỉ ban ngày",
        "Xác nhận thông tin? 1. Đúng",
    ];

    /// Whether `text` is an acceptable answer to question `step` (the previous one asked).
    fn accepts(step: usize, text: &str) -> bool {
        let digits = || text.chars().filter(char::is_ascii_digit).count();
        match step {
            0 => text == "1",
            1 => text.chars().any(char::is_alphabetic),
            2 => digits() == 10,
            3 | 10 => chrono::NaiveDate::parse_from_str(text, "%d/%m/%Y").is_ok(),
            4 => ["nam", "nữ", "nu"].contains(&text),
            5 => text
                .parse::<f64>()
                .is_ok_and(|kg| (30.0..250.0).contains(&kg)),
            6 => ["A", "B", "AB", "O"]
                .iter()
                .any(|g| text == format!("{g}+") || text == format!("{g}-")),
            7..=9 => !text.trim().is_empty(),
            11 => text == "1" || text == "2",
            _ => text == "1",
        }
    }

    async fn answer(bot: Bot, dialogue: FormDialogue, form: Form, msg: Message) -> HandlerResult {
        let text = msg.text().unwrap_or("").trim();
        let Form { mut answers } = form;
        let reply = if text == "/start" {
            dialogue.update(Form::default()).await?;
            QUESTIONS[0].to_string()
        } else if answers.len() < QUESTIONS.len() && accepts(answers.len(), text) {
            answers.push(text.to_string());
            let next = answers.len();
            dialogue.update(Form { answers }).await?;
            match QUESTIONS.get(next) {
                Some(q) => q.to_string(),
                None => "Bạn đã đăng ký thành công. Cảm ơn bạn!".to_string(),
            }
        } else {
            format!(
                "Chưa đúng. {}",
                QUESTIONS[answers.len().min(QUESTIONS.len() - 1)]
            )
        };
        bot.send_message(msg.chat.id, reply).await?;
        Ok(())
    }

    pub async fn run(donors: i64, wal: bool) -> Duration {
        let fake = FakeTelegram::start(TOKEN).await;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("peer.db");
        let path = path.to_str().unwrap();
        if wal {
            let pool = sqlx::SqlitePool::connect(&format!("sqlite:{path}?mode=rwc"))
                .await
                .unwrap();
            sqlx::query("PRAGMA journal_mode = WAL")
                .execute(&pool)
                .await
                .unwrap();
            pool.close().await;
        }
        let storage = SqliteStorage::open(path, Json).await.unwrap();
        let bot = Bot::new(TOKEN).set_api_url(fake.url.parse().unwrap());
        let handler = Update::filter_message()
            .enter_dialogue::<Message, SqliteStorage<Json>, Form>()
            .endpoint(answer);
        let mut dispatcher = Dispatcher::builder(bot, handler)
            .dependencies(dptree::deps![storage.clone()])
            .build();
        let token = dispatcher.shutdown_token();
        let task = tokio::spawn(async move { dispatcher.dispatch().await });
        tokio::time::sleep(Duration::from_millis(300)).await;
        let elapsed = super::timed(&fake, donors).await;
        check_replies(&fake, donors, "đăng ký thành công");
        super::stop_dispatcher(token, task).await;
        // What it stored: every donor's 13 answers, her own phone among them.
        let pool = sqlx::SqlitePool::connect(&format!("sqlite:{path}"))
            .await
            .unwrap();
        let rows: Vec<(i64, Vec<u8>)> =
            sqlx::query_as("SELECT chat_id, dialogue FROM teloxide_dialogues")
                .fetch_all(&pool)
                .await
                .unwrap();
        assert_eq!(rows.len(), donors as usize, "peer: dialogues stored");
        for (chat, bytes) in rows {
            let form: Form = serde_json::from_slice(&bytes).unwrap();
            let user = chat - 100_000;
            assert_eq!(form.answers.len(), QUESTIONS.len(), "peer: donor {user}");
            assert_eq!(
                form.answers[2],
                format!("0912 {user:06}"),
                "peer: donor {user}"
            );
        }
        pool.close().await;
        elapsed
    }
}

/// Counts the SQL statements sqlx runs (its `sqlx::query` events, one per statement), by kind,
/// while switched on: the statements a batch of updates costs, all parts of the bot together.
mod statements {
    use std::collections::BTreeMap;
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicBool, Ordering};
    use tracing::field::{Field, Visit};
    use tracing::subscriber::Interest;
    use tracing::{Event, Metadata, Subscriber};
    use tracing_subscriber::layer::{Context, Layer};

    static COUNTING: AtomicBool = AtomicBool::new(false);
    /// Statements by kind: how many, and the seconds sqlx measured them taking.
    static KINDS: Mutex<BTreeMap<String, (u64, f64)>> = Mutex::new(BTreeMap::new());

    struct Counter;

    /// The statement's first words (its verb and table), e.g. `UPDATE outbox`, and how long
    /// it took.
    struct Summary(String, f64);

    impl Visit for Summary {
        fn record_f64(&mut self, field: &Field, value: f64) {
            if field.name() == "elapsed_secs" {
                self.1 = value;
            }
        }
        fn record_str(&mut self, field: &Field, value: &str) {
            if field.name() == "summary" {
                self.0 = value.to_string();
            }
        }
        fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
            if field.name() == "summary" {
                self.0 = format!("{value:?}");
            }
        }
    }

    impl<S: Subscriber> Layer<S> for Counter {
        fn register_callsite(&self, meta: &'static Metadata<'static>) -> Interest {
            if meta.target() == "sqlx::query" {
                Interest::sometimes()
            } else {
                Interest::never()
            }
        }
        fn enabled(&self, meta: &Metadata<'_>, _: Context<'_, S>) -> bool {
            meta.target() == "sqlx::query" && COUNTING.load(Ordering::Relaxed)
        }
        fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
            let mut summary = Summary(String::new(), 0.0);
            event.record(&mut summary);
            let words: Vec<&str> = summary
                .0
                .trim_matches('"')
                .split_whitespace()
                .filter(|w| !["INTO", "FROM", "OR", "IGNORE"].contains(&w.to_uppercase().as_str()))
                .take(4)
                .collect();
            let mut kinds = KINDS.lock().unwrap();
            let kind = kinds.entry(words.join(" ")).or_default();
            kind.0 += 1;
            kind.1 += summary.1;
        }
    }

    /// Statements that are not a batch of updates': the delivery worker reading due rows
    /// and writing sent rows, the scheduler's ticks (by their first words; the claim of
    /// rows, which the batch also makes for its own replies, is counted as the batch's).
    pub fn not_the_batchs(kind: &str) -> bool {
        [
            "SELECT id, channel, chat_id",
            "WITH v (id, pmid)",
            "INSERT cron_runs",
            "SELECT last_at cron_runs",
        ]
        .iter()
        .any(|k| kind.starts_with(k))
    }

    /// Installs the counter (off until [`start`]).
    pub fn install() {
        use tracing_subscriber::layer::SubscriberExt;
        let _ =
            tracing::subscriber::set_global_default(tracing_subscriber::registry().with(Counter));
    }

    pub fn start() {
        KINDS.lock().unwrap().clear();
        COUNTING.store(true, Ordering::Relaxed);
    }

    /// Stops counting; the statements by kind (how many, seconds in all), most first.
    pub fn stop() -> Vec<(String, u64, f64)> {
        COUNTING.store(false, Ordering::Relaxed);
        let mut kinds: Vec<(String, u64, f64)> = KINDS
            .lock()
            .unwrap()
            .iter()
            .map(|(k, (n, secs))| (k.clone(), *n, *secs))
            .collect();
        kinds.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        kinds
    }
}
