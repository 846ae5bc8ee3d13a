use crate::fake_telegram::{FakeTelegram, Sent};
use chrono::TimeZone;
use hienmau::app::{App, ManualClock};
use hienmau::config::{Config, DeliveryConfig};
use hienmau::service::{self, Running};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub const TOKEN: &str = "123456:TEST-token_abc";
pub const WAIT: Duration = Duration::from_secs(10);

/// Logs stay silent unless TEST_LOG is set.
pub fn init_logs() {
    if std::env::var_os("TEST_LOG").is_some() {
        let _ = tracing_subscriber::fmt()
            .with_env_filter("hienmau=debug")
            .with_test_writer()
            .try_init();
    }
}

/// 09:00 on 22/11/2026 in Vietnam.
pub fn start_time() -> chrono::DateTime<chrono::Utc> {
    chrono_tz::Asia::Ho_Chi_Minh
        .with_ymd_and_hms(2026, 11, 22, 9, 0, 0)
        .unwrap()
        .with_timezone(&chrono::Utc)
}

/// POST a JSON body to a webhook, with `header: value` if given; returns the status code.
pub async fn post_json(url: &str, header: &str, value: Option<&str>, body: String) -> u16 {
    let mut r = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .body(body);
    if let Some(v) = value {
        r = r.header(header, v);
    }
    r.send().await.unwrap().status().as_u16()
}

/// Wait (at most [`WAIT`]) until the account is marked unreachable.
pub async fn wait_until_unreachable(app: &App, channel: &str, user: &str) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while !app
        .store()
        .identity_unreachable(channel, user)
        .await
        .unwrap()
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{channel} {user}: never marked unreachable"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The database of a test: a SQLite file in the test's folder, or a fresh database on the
/// tests' PostgreSQL server. Seeds write to it (`seed::Db`); as a path it is the test's
/// folder, where files the test writes go (`bot.db.with_file_name(…)`).
#[derive(Clone, Debug)]
pub struct TestDb {
    path: PathBuf,
    pub url: String,
}

impl TestDb {
    /// A SQLite file at `path`, or a fresh PostgreSQL database when the whole suite runs
    /// on PostgreSQL (`HIENMAU_IT_BACKEND=postgres`, with `HIENMAU_TEST_POSTGRES`).
    pub async fn new(path: PathBuf) -> TestDb {
        if std::env::var("HIENMAU_IT_BACKEND").as_deref() == Ok("postgres") {
            let server =
                postgres_server().expect("HIENMAU_IT_BACKEND=postgres needs HIENMAU_TEST_POSTGRES");
            return TestDb::postgres(path, &server).await;
        }
        let url = format!("sqlite://{}", path.display());
        TestDb { path, url }
    }

    /// A fresh database on the PostgreSQL server `server`.
    pub async fn postgres(path: PathBuf, server: &str) -> TestDb {
        let url = crate::seed::fresh_postgres(server, "hm_it").await;
        TestDb { path, url }
    }
}

impl std::ops::Deref for TestDb {
    type Target = std::path::Path;
    fn deref(&self) -> &std::path::Path {
        &self.path
    }
}

impl AsRef<std::path::Path> for TestDb {
    fn as_ref(&self) -> &std::path::Path {
        &self.path
    }
}

impl crate::seed::Db for TestDb {
    fn url(&self) -> String {
        self.url.clone()
    }
}

/// `DATABASE_URL` for the processes a test starts on the database at `path`: that SQLite
/// file, or, when the whole suite runs on PostgreSQL, a fresh database of the tests' server,
/// the same one for every process started on `path`.
pub fn process_db_url(path: &std::path::Path) -> String {
    if std::env::var("HIENMAU_IT_BACKEND").as_deref() != Ok("postgres") {
        return format!("sqlite://{}", path.display());
    }
    static URLS: std::sync::Mutex<std::collections::BTreeMap<PathBuf, String>> =
        std::sync::Mutex::new(std::collections::BTreeMap::new());
    let mut urls = URLS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(url) = urls.get(path) {
        return url.clone();
    }
    let server =
        postgres_server().expect("HIENMAU_IT_BACKEND=postgres needs HIENMAU_TEST_POSTGRES");
    // Its own thread and runtime: the caller may be a plain test or inside one.
    let url = std::thread::scope(|s| {
        s.spawn(|| {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(crate::seed::fresh_postgres(&server, "hm_cli"))
        })
        .join()
        .unwrap()
    });
    urls.insert(path.to_path_buf(), url.clone());
    url
}

/// The tests' PostgreSQL server (`HIENMAU_TEST_POSTGRES`, e.g. what `bash .ci/postgres`
/// prints), if there is one.
pub fn postgres_server() -> Option<String> {
    std::env::var("HIENMAU_TEST_POSTGRES")
        .ok()
        .filter(|s| !s.trim().is_empty())
}

/// Said once per run when the PostgreSQL tests cannot run: one line past the harness's
/// capture, so a skip is never silent.
pub fn say_postgres_skipped() {
    use std::io::Write;
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED the PostgreSQL tests (tests/it/postgres.rs, and the store's unit tests on \
             PostgreSQL): HIENMAU_TEST_POSTGRES is not set. Start a server with \
             `bash .ci/postgres` (Debian's postgresql) and run \
             HIENMAU_TEST_POSTGRES=<the URL it prints> cargo test."
        );
    });
}

/// The scheduler's first tick at the harness's start time, before the bot runs: it starts
/// the daily jobs' record (a cron's first run counts from that day), which the background
/// scheduler would do too, but only when it gets its turn — under load, after a test had
/// already moved the clock days ahead, so that those days were never run.
pub async fn first_tick(app: &App) {
    hienmau::scheduler::tick(app, app.clock().now())
        .await
        .expect("the first tick");
}

/// Wait until the delivery worker of `running` has found nothing to send twice after this
/// call: everything due at the app's clock has been sent or has failed and is recorded, and
/// what a test expects not to be sent has had its chance (instead of sleeping and hoping
/// the worker had its turn). Rows due later, or held by quiet hours, stay.
pub async fn drained(app: &App, running: &hienmau::service::Running) {
    let mut idle = running.idle.clone();
    let from = *idle.borrow_and_update();
    let deadline = tokio::time::Instant::now() + WAIT;
    // The pass under way at the call may have read the outbox before it: the second one
    // read it after.
    while *idle.borrow_and_update() < from + 2 {
        app.outbox_added().notify_one();
        match tokio::time::timeout_at(deadline, idle.changed()).await {
            Ok(Ok(())) => {}
            Ok(Err(_)) => panic!("the delivery worker stopped"),
            Err(_) => panic!("the delivery worker was not idle within {WAIT:?}"),
        }
    }
}

/// Wait until no outbox row of `app` is pending or being sent (at most [`WAIT`]).
pub async fn outbox_settled(app: &App) {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let counts = app.store().outbox_status_counts().await.unwrap();
        if !counts.iter().any(|(s, _)| s == "pending" || s == "sending") {
            return;
        }
        assert!(tokio::time::Instant::now() < deadline, "{counts:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

pub struct TestBot {
    pub fake: FakeTelegram,
    pub app: App,
    pub running: Option<Running>,
    pub clock: Arc<ManualClock>,
    pub db: TestDb,
    extra: HashMap<String, String>,
    delivery: DeliveryConfig,
    _dir: tempfile::TempDir,
}

impl TestBot {
    /// The bot on long polling, against a fresh fake and a fresh database, pacing lifted.
    pub async fn start() -> TestBot {
        Self::start_with(&[], DeliveryConfig::unlimited()).await
    }

    pub async fn start_with(env: &[(&str, &str)], delivery: DeliveryConfig) -> TestBot {
        let dir = tempfile::tempdir().unwrap();
        let db = TestDb::new(dir.path().join("hienmau.db")).await;
        Self::start_on_db(dir, db, env, delivery).await
    }

    /// On a fresh database of the PostgreSQL server `server`.
    pub async fn start_postgres(
        server: &str,
        env: &[(&str, &str)],
        delivery: DeliveryConfig,
    ) -> TestBot {
        let dir = tempfile::tempdir().unwrap();
        let db = TestDb::postgres(dir.path().join("hienmau.db"), server).await;
        Self::start_on_db(dir, db, env, delivery).await
    }

    /// Another instance of the bot on the same database, against the same fake and clock
    /// (several instances behind a load balancer): its own app, worker and scheduler.
    pub async fn another_instance(&self) -> (App, Running) {
        let app = open_app(
            &self.db,
            &self.fake,
            &self.extra,
            &self.delivery,
            self.clock.clone(),
        )
        .await;
        let running = service::start(app.clone())
            .await
            .expect("the second instance starts");
        (app, running)
    }

    /// On the database `db` (which may already hold a deployment), files in `dir`.
    pub async fn start_on_db(
        dir: tempfile::TempDir,
        db: TestDb,
        env: &[(&str, &str)],
        delivery: DeliveryConfig,
    ) -> TestBot {
        init_logs();
        let fake = FakeTelegram::start(TOKEN).await;
        let clock = Arc::new(ManualClock::new(start_time()));
        let extra = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let app = open_app(&db, &fake, &extra, &delivery, clock.clone()).await;
        first_tick(&app).await;
        let running = service::start(app.clone()).await.expect("the bot starts");
        TestBot {
            fake,
            app,
            running: Some(running),
            clock,
            db,
            extra,
            delivery,
            _dir: dir,
        }
    }

    /// Stop everything (as on SIGTERM) and start a new process on the same database.
    pub async fn restart(&mut self) {
        if let Some(r) = self.running.take() {
            r.stop(Duration::from_secs(5)).await;
        }
        self.app.store().close().await;
        self.app = open_app(
            &self.db,
            &self.fake,
            &self.extra,
            &self.delivery,
            self.clock.clone(),
        )
        .await;
        self.running = Some(
            service::start(self.app.clone())
                .await
                .expect("the bot restarts"),
        );
    }

    pub async fn stop(&mut self) {
        if let Some(r) = self.running.take() {
            r.stop(Duration::from_secs(5)).await;
        }
        self.app.store().close().await;
    }

    /// `user` types `text`; returns the bot's answer.
    pub async fn say(&self, user: i64, text: &str) -> Sent {
        self.fake.say(user, text, WAIT).await
    }

    /// A whole registration for `user`, answering every question; `phone` like 0912000001.
    pub async fn register(&self, user: i64, phone: &str) {
        // /register, not /start: staff (admins here) are not asked a donor's consent unless
        // they choose to register (issue 13, defect 11); for anyone else the two are alike.
        for line in [
            "/register",
            "1",
            "Nguyễn Văn An",
            phone,
            "05/03/1995",
            "nam",
            "62",
            "O+",
            "hai phong",
            "bo qua",
            "chua bao gio",
            "khong",
        ] {
            self.say(user, line).await;
        }
        let done = self.say(user, "1").await;
        assert!(done.text.contains("Cảm ơn"), "{user}: {}", done.text);
        assert!(!done.text.contains("Đã quay lại"), "{user}: {}", done.text);
    }

    /// Wait until `user` receives a message containing `needle`; returns it.
    pub async fn wait_text(&self, user: i64, needle: &str) -> Sent {
        wait_in(|| self.fake.sent_to(user), user, needle, WAIT).await
    }

    /// [`TestBot::wait_text`] for work whose length depends on the machine (a whole
    /// broadcast): correctness is asserted, speed is the benchmarks' business.
    pub async fn wait_text_within(&self, user: i64, needle: &str, wait: Duration) -> Sent {
        wait_in(|| self.fake.sent_to(user), user, needle, wait).await
    }

    /// Wait until a message in `user`'s chat is edited to contain `needle`; returns the edit.
    pub async fn wait_edit(&self, user: i64, needle: &str) -> Sent {
        wait_in(|| self.fake.edits_to(user), user, needle, WAIT).await
    }

    /// The donor behind a Telegram user, as stored.
    pub async fn donor(&self, user: i64) -> Option<hienmau::domain::donor::Donor> {
        self.app
            .store()
            .donor_of("telegram", &user.to_string())
            .await
            .unwrap()
    }

    /// See [`drained`].
    pub async fn drained(&self) {
        drained(&self.app, self.running.as_ref().expect("the bot runs")).await
    }

    /// Wait until no outbox row is pending or being sent: a message reaches the fake a
    /// moment before its outcome is written, and what counts rows must not see that moment.
    pub async fn settled(&self) {
        outbox_settled(&self.app).await
    }

    /// `user` taps the button with this value; returns the bot's answer.
    pub async fn tap(&self, user: i64, value: &str) -> Sent {
        self.fake.tap_and_wait(user, value, WAIT).await
    }
}

async fn wait_in(source: impl Fn() -> Vec<Sent>, user: i64, needle: &str, wait: Duration) -> Sent {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        if let Some(m) = source().into_iter().find(|m| m.text.contains(needle)) {
            return m;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{user} never got {needle:?}; got {:?}",
            source().iter().map(|m| &m.text).collect::<Vec<_>>()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn open_app(
    db: &TestDb,
    fake: &FakeTelegram,
    extra: &HashMap<String, String>,
    delivery: &DeliveryConfig,
    clock: Arc<ManualClock>,
) -> App {
    let mut env: HashMap<String, String> = HashMap::from([
        ("DATABASE_URL".to_string(), db.url.clone()),
        ("TELEGRAM_BOT_TOKEN".to_string(), TOKEN.to_string()),
        ("TELEGRAM_API_URL".to_string(), fake.url.clone()),
        // The web server always runs (the dashboard): on a free port, not 8080.
        ("HIENMAU_LISTEN".to_string(), "127.0.0.1:0".to_string()),
        (
            "HIENMAU_ORG_NAME".to_string(),
            "Hội Chữ thập đỏ TP Hải Phòng".to_string(),
        ),
    ]);
    env.extend(extra.clone());
    // A configuration file, as `serve --config` reads it, when the test gives one.
    let file = env.get("HIENMAU_CONFIG").map(PathBuf::from);
    let mut config = Config::load(file.as_deref(), |k| env.get(k).cloned()).expect("test config");
    config.delivery = delivery.clone();
    App::open(config, clock).await.expect("the app opens")
}
