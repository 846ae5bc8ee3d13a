//! Running the bot: the configured channels, the delivery worker and (in webhook mode) the
//! HTTP server, side by side. [`start`] is what `hienmau serve` runs and what the tests start
//! against fake platform servers.

use crate::app::App;
use crate::channels::telegram::TelegramChannel;
use crate::channels::zalo_bot::ZaloBotChannel;
use crate::channels::zalo_oa::ZaloOaChannel;
use crate::delivery::{Transport, Worker};
use crate::server::{self, TelegramWebhook, Webhooks, ZaloOaWebhook, ZaloWebhook};
use crate::store::Scope;
use anyhow::Context;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinSet;

pub struct Running {
    shutdown: watch::Sender<bool>,
    tasks: JoinSet<(&'static str, anyhow::Result<()>)>,
    /// Where the webhook server listens, if it runs.
    pub http_addr: Option<SocketAddr>,
    pub delivered: watch::Receiver<u64>,
    /// The delivery worker's idle passes ([`crate::delivery::Worker::idle`]).
    pub idle: watch::Receiver<u64>,
}

impl Running {
    /// Wait until one part stops by itself (which is a fault), and say which.
    pub async fn stopped(&mut self) -> Option<(&'static str, anyhow::Result<()>)> {
        match self.tasks.join_next().await? {
            Ok(r) => Some(r),
            Err(e) => Some(("a task", Err(anyhow::anyhow!("panicked: {e}")))),
        }
    }

    /// Stop taking messages, let sends in flight finish, and wait for every part (at most
    /// `grace`; rows not sent stay in the outbox for the next start).
    pub async fn stop(mut self, grace: Duration) {
        let _ = self.shutdown.send(true);
        let all = async { while self.tasks.join_next().await.is_some() {} };
        if tokio::time::timeout(grace, all).await.is_err() {
            tracing::warn!("parts still running after the grace period: stopping them");
            self.tasks.abort_all();
        }
    }
}

/// Start every configured channel, the worker, and the webhook server if needed.
pub async fn start(app: App) -> anyhow::Result<Running> {
    let cfg = app.config().clone();
    if cfg.channels().is_empty() {
        // A committee may look at its data before any chat channel is set up.
        tracing::warn!(
            "no chat channel is configured (TELEGRAM_BOT_TOKEN, ZALO_BOT_TOKEN or \
             ZALO_OA_APP_ID, see docs/OPERATING.md): serving the dashboard only"
        );
    }
    app.apply_config_admins().await?;
    let (shutdown, rx) = watch::channel(false);
    let mut tasks = JoinSet::new();
    let Channels {
        telegram,
        zalo,
        transports,
        hooks,
    } = open_channels(&app).await?;

    let scope = Scope::Channels(transports.iter().map(Transport::channel).collect());
    let worker = Worker::new(app.clone(), scope, transports);
    let delivered = worker.delivered();
    let idle = worker.idle();
    let worker_rx = rx.clone();
    tasks.spawn(async move { ("delivery worker", worker.run(worker_rx).await) });

    // Housekeeping: handled-update ids only guard against redelivery, which platforms do
    // within a day; a week is kept.
    tasks.spawn(housekeeping(app.clone(), rx.clone()));
    if let Some(every) = app.config().backup.as_ref().map(|b| b.every) {
        tasks.spawn(scheduled_backups(app.clone(), every, rx.clone()));
    }

    // Files staged on the dashboard or left half written by a crash or a stop.
    let (imports, imports_rx) = (app.clone(), rx.clone());
    tasks.spawn(async move { ("imports", imports.write_imports(imports_rx).await) });

    tasks.spawn(report_broadcasts(app.clone(), rx.clone()));
    tasks.spawn(crate::scheduler::run(app.clone(), rx.clone()));

    // One HTTP server for the dashboard and every webhook, listening before the platforms
    // are told about it.
    let http_addr = Some(serve_web(&app, hooks, &mut tasks, rx.clone()).await?);

    // Each bot is told where its webhook is, or polled (by one instance at a time: the
    // role is the account's, `telegram polling`, `telegram@quang-ninh polling`).
    for (t, c) in telegram.into_iter().zip(&cfg.telegram) {
        match (&c.settings.webhook_url, &c.settings.webhook_secret) {
            (Some(url), Some(secret)) => t.set_webhook(url.clone(), secret).await?,
            _ => {
                t.delete_webhook().await?;
                let (app, poll_rx) = (app.clone(), rx.clone());
                let role = format!("{} polling", c.channel.code());
                tasks.spawn(async move {
                    let poll = |rx| {
                        let (t, handle) = (t.clone(), polled(&app));
                        async move { t.poll(handle, rx).await }
                    };
                    let polled = as_leader(&app, &role, poll_rx, poll).await;
                    ("Telegram polling", polled.context(role))
                });
            }
        }
    }
    for (z, c) in zalo.into_iter().zip(&cfg.zalo_bot) {
        match (&c.settings.webhook_url, &c.settings.webhook_secret) {
            (Some(url), Some(secret)) => z.set_webhook(url, secret).await?,
            _ => {
                z.delete_webhook().await?;
                let (app, poll_rx) = (app.clone(), rx.clone());
                let role = format!("{} polling", c.channel.code());
                tasks.spawn(async move {
                    let poll = |rx| {
                        let (z, handle) = (z.clone(), polled(&app));
                        async move { z.poll(handle, rx).await }
                    };
                    let polled = as_leader(&app, &role, poll_rx, poll).await;
                    ("Zalo polling", polled.context(role))
                });
            }
        }
    }
    Ok(Running {
        shutdown,
        tasks,
        http_addr,
        delivered,
        idle,
    })
}

/// The chat channels configured, opened (each bot's name read), with the webhooks to serve;
/// the bots in the configuration's order.
struct Channels {
    telegram: Vec<TelegramChannel>,
    zalo: Vec<ZaloBotChannel>,
    transports: Vec<Transport>,
    hooks: Webhooks,
}

async fn open_channels(app: &App) -> anyhow::Result<Channels> {
    let cfg = app.config();
    let mut transports = Vec::new();
    let mut hooks = Webhooks::default();

    let mut telegram = Vec::new();
    for c in &cfg.telegram {
        let t = TelegramChannel::new(&c.settings, c.channel)?;
        let name = t.me().await.with_context(|| c.channel.name())?;
        tracing::info!(bot = %name, channel = %c.channel, "Telegram bot ready");
        app.set_telegram_bot(c.channel, &name);
        transports.push(Transport::Telegram(t.clone()));
        if let (Some(path), Some(secret)) = (c.webhook_path(), &c.settings.webhook_secret) {
            hooks.telegram.push(TelegramWebhook {
                channel: t.clone(),
                secret: secret.clone(),
                path,
            });
        }
        telegram.push(t);
    }
    let mut zalo = Vec::new();
    for c in &cfg.zalo_bot {
        let z = ZaloBotChannel::new(&c.settings, c.channel)?;
        let name = z.me().await.with_context(|| c.channel.name())?;
        tracing::info!(bot = %name, channel = %c.channel, "Zalo bot ready");
        transports.push(Transport::Zalo(z.clone()));
        if let (Some(path), Some(secret)) = (c.webhook_path(), &c.settings.webhook_secret) {
            hooks.zalo.push(ZaloWebhook {
                channel: c.channel,
                secret: secret.clone(),
                path,
            });
        }
        zalo.push(z);
    }
    let mut own_oa: Option<ZaloOaChannel> = None;
    for c in &cfg.zalo_oa {
        let oa = ZaloOaChannel::new(
            &c.settings,
            c.channel,
            app.store().clone(),
            app.clock().clone(),
            app.config().timezone,
            app.config().zns.as_ref().map(|z| z.api_url.clone()),
        )
        .await?;
        // The own OA comes first: the named ones send their templates through it.
        let oa = match &own_oa {
            None if c.channel.account().is_empty() => {
                own_oa = Some(oa.clone());
                oa
            }
            Some(own) => oa.with_templates_through(own.clone()),
            None => oa,
        };
        tracing::info!(app = %c.settings.app_id, channel = %c.channel, "Zalo OA ready");
        transports.push(Transport::ZaloOa(oa.clone()));
        hooks.zalo_oa.push(ZaloOaWebhook {
            channel: oa,
            path: c.settings.webhook_path.clone(),
        });
    }
    Ok(Channels {
        telegram,
        zalo,
        transports,
        hooks,
    })
}

/// Run `part` while this instance holds `role` among the instances sharing the database
/// (long polling: one client at a time per bot). An instance that is not the leader waits,
/// and takes over when the leader dies; one that loses the role stops `part` and waits
/// again. With SQLite, `part` simply runs.
async fn as_leader<F, Fut>(
    app: &App,
    role: &str,
    mut shutdown: watch::Receiver<bool>,
    mut part: F,
) -> anyhow::Result<()>
where
    F: FnMut(watch::Receiver<bool>) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    loop {
        let Some(mut lead) = app.store().lead(role, &mut shutdown).await? else {
            return Ok(());
        };
        tracing::info!(role, "this instance has the role");
        tokio::select! {
            r = part(shutdown.clone()) => return r,
            _ = lead.lost() => tracing::warn!(role, "the role was lost: waiting to have it again"),
        }
    }
}

/// A backup at start and then every configured interval (`App::scheduled_backup`), until
/// `shutdown`; a failure is logged and counted, and tried again at the next turn.
async fn scheduled_backups(
    app: App,
    every: Duration,
    mut shutdown: watch::Receiver<bool>,
) -> (&'static str, anyhow::Result<()>) {
    if app.store().backend() == crate::store::Backend::Postgres {
        tracing::warn!("HIENMAU_BACKUP_DIR is for SQLite; back PostgreSQL up with its own tools");
        return ("backups", Ok(()));
    }
    loop {
        let outcome = match app.scheduled_backup().await {
            Ok(file) => {
                tracing::info!(file = %file.display(), "backup taken and checked");
                "ok"
            }
            Err(e) => {
                tracing::error!(error = %format!("{e:#}"), "scheduled backup failed");
                "failed"
            }
        };
        app.metrics()
            .backups
            .get_or_create(&crate::app::metrics::OutcomeLabel { outcome })
            .inc();
        tokio::select! {
            _ = shutdown.wait_for(|stop| *stop) => return ("backups", Ok(())),
            _ = tokio::time::sleep(every) => {}
        }
    }
}

/// Forget handled-update ids older than a week, every hour, until `shutdown`.
async fn housekeeping(
    app: App,
    mut shutdown: watch::Receiver<bool>,
) -> (&'static str, anyhow::Result<()>) {
    loop {
        let cutoff = app.clock().now() - chrono::Duration::days(7);
        if let Err(e) = app.store().prune_seen(cutoff.timestamp_millis()).await {
            tracing::warn!(error = %format!("{e:#}"), "pruning handled updates failed");
        }
        if let Err(e) = app.store().prune_chat_pacing().await {
            tracing::warn!(error = %format!("{e:#}"), "pruning the chats' pace failed");
        }
        tokio::select! {
            _ = shutdown.wait_for(|stop| *stop) => return ("housekeeping", Ok(())),
            _ = tokio::time::sleep(Duration::from_secs(3600)) => {}
        }
    }
}

/// Listen for every webhook on the configured address (a task of `tasks`, stopped with
/// `shutdown`); returns the address bound.
pub async fn serve_web(
    app: &App,
    hooks: Webhooks,
    tasks: &mut JoinSet<(&'static str, anyhow::Result<()>)>,
    shutdown: watch::Receiver<bool>,
) -> anyhow::Result<SocketAddr> {
    let listen = app.config().listen_addr;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("listening on {listen}"))?;
    let addr = listener.local_addr()?;
    app.set_bound_web_base(format!("http://{addr}"));
    let router = server::router(app.clone(), hooks);
    let limits = &app.config().limits;
    let shed = server::Shedding {
        max_connections: limits.web_connections,
        header_read: Duration::from_secs(limits.web_header_secs.max(1)),
    };
    tasks.spawn(async move {
        let r = server::serve(listener, router, shed, shutdown)
            .await
            .context("webhook server");
        ("webhook server", r)
    });
    tracing::info!(%addr, "web server listening (dashboard, webhooks)");
    Ok(addr)
}

/// Tell broadcast senders how far their broadcasts have gone (progress and summary), until
/// `shutdown`. The reports go through the outbox like every other message.
pub async fn report_broadcasts(
    app: App,
    mut shutdown: watch::Receiver<bool>,
) -> (&'static str, anyhow::Result<()>) {
    loop {
        if let Err(e) = app.report_broadcasts().await {
            tracing::warn!(error = %format!("{e:#}"), "reporting broadcast progress failed");
        }
        tokio::select! {
            _ = shutdown.wait_for(|stop| *stop) => return ("broadcast reports", Ok(())),
            _ = tokio::time::sleep(REPORT_EVERY) => {}
        }
    }
}

/// How often open broadcasts are looked at (a cheap read of the unfinished ones).
const REPORT_EVERY: Duration = Duration::from_millis(500);

/// What a poller hands its batches to: the app's one policy for fetched updates.
fn polled(
    app: &App,
) -> impl Fn(
    Vec<crate::channels::Inbound>,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = anyhow::Result<()>> + Send>>
+ Send
+ 'static {
    let app = app.clone();
    move |batch| {
        let app = app.clone();
        Box::pin(async move { Ok(app.handle_polled(batch).await?) })
    }
}
