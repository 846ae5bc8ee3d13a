//! The HTTP server (axum): Telegram's and Zalo's webhook modes, the web dashboard
//! (`/dashboard`, pages in `web.rs`) and a health endpoint, on one server.
//! Bodies are size-limited; a wrong secret gets 401 and a body that is not an update gets 400,
//! and the server keeps serving.

use crate::app::App;
use crate::channels::Channel;
use crate::channels::telegram::{TelegramChannel, translate_body};
use crate::channels::zalo_bot;
use crate::channels::zalo_oa::{self, ZaloOaChannel};
use crate::error::Failure;
use crate::web;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use web::http::same_secret;

/// Largest webhook body accepted (Telegram updates are a few KiB).
pub const MAX_BODY_BYTES: usize = 256 * 1024;

#[derive(Clone)]
pub struct TelegramWebhook {
    pub channel: TelegramChannel,
    pub secret: String,
    /// Local path the reverse proxy forwards to, e.g. `/telegram/webhook`.
    pub path: String,
}

#[derive(Clone)]
pub struct ZaloWebhook {
    /// The bot's account.
    pub channel: Channel,
    pub secret: String,
    /// Local path the reverse proxy forwards to, e.g. `/zalo/webhook`.
    pub path: String,
}

#[derive(Clone)]
pub struct ZaloOaWebhook {
    pub channel: ZaloOaChannel,
    pub path: String,
}

/// The webhooks to serve, an account each.
#[derive(Clone, Default)]
pub struct Webhooks {
    pub telegram: Vec<TelegramWebhook>,
    pub zalo: Vec<ZaloWebhook>,
    pub zalo_oa: Vec<ZaloOaWebhook>,
}

impl Webhooks {
    pub fn any(&self) -> bool {
        !(self.telegram.is_empty() && self.zalo.is_empty() && self.zalo_oa.is_empty())
    }
}

#[derive(Clone)]
struct Shared {
    app: App,
    turns: Arc<Turns>,
}

/// Each chat's turn at the webhooks: an update is handled only once the chat's earlier ones
/// are, retries after an early answer included (see [`within`]), so a person's answers are
/// read in the order they were sent even when one of them is slow or is retried.
#[derive(Default)]
struct Turns(std::sync::Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>);

/// Chats whose turns are kept before the idle ones are forgotten.
const TURNS_KEPT: usize = 10_000;

impl Turns {
    /// The turn of `chat` (a channel and a chat id).
    fn of(&self, chat: String) -> Arc<tokio::sync::Mutex<()>> {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= TURNS_KEPT {
            // A turn no update holds or waits for is not needed any more.
            map.retain(|_, t| Arc::strong_count(t) > 1);
        }
        map.entry(chat).or_default().clone()
    }

    /// The turn of an inbound message's chat.
    fn of_inbound(&self, inbound: &crate::channels::Inbound) -> Arc<tokio::sync::Mutex<()>> {
        self.of(format!("{}:{}", inbound.channel.code(), inbound.chat_id))
    }
}

pub fn router(app: App, hooks: Webhooks) -> Router {
    let mut router = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics));
    // Each account at its own path, its own secret or keys checked by its own handler.
    for t in hooks.telegram {
        let path = t.path.clone();
        let handler = move |State(s): State<Shared>, headers: HeaderMap, body: Bytes| {
            telegram_webhook(s, t.clone(), headers, body)
        };
        router = router.route(&path, post(handler));
    }
    for z in hooks.zalo {
        let path = z.path.clone();
        let handler = move |State(s): State<Shared>, headers: HeaderMap, body: Bytes| {
            zalo_webhook(s, z.clone(), headers, body)
        };
        router = router.route(&path, post(handler));
    }
    for z in hooks.zalo_oa {
        let path = z.path.clone();
        let handler = move |State(s): State<Shared>, headers: HeaderMap, body: Bytes| {
            zalo_oa_webhook(s, z.clone(), headers, body)
        };
        router = router.route(&path, post(handler));
    }
    let deadline = Duration::from_secs(app.config().limits.web_request_secs.max(1));
    router
        .with_state(Shared {
            app: app.clone(),
            turns: Arc::default(),
        })
        .merge(web::http::router(app))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn(move |req, next| {
            request_deadline(deadline, req, next)
        }))
        .layer(axum::middleware::map_response(nosniff))
}

/// A request, body included, answered within `deadline` or with a 503: a client that sends
/// its body a byte at a time holds a connection no longer than that.
async fn request_deadline(
    deadline: Duration,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    match tokio::time::timeout(deadline, next.run(req)).await {
        Ok(r) => r,
        Err(_) => {
            tracing::warn!(secs = deadline.as_secs(), "a request ran over its deadline");
            (StatusCode::SERVICE_UNAVAILABLE, "too slow\n").into_response()
        }
    }
}

/// What the web server holds at most, and how long it waits.
#[derive(Debug, Clone, Copy)]
pub struct Shedding {
    pub max_connections: usize,
    pub header_read: Duration,
}

/// Serve `router` on `listener` until `shutdown`, shedding what would starve it: at most
/// `max_connections` at once (one more is closed as soon as it is accepted, so idle sockets
/// cannot use up the process's open files and stop the health check, the dashboard and the
/// webhooks), each closed when its request headers, or the next request on a kept-alive
/// connection, take longer than `header_read` (slowloris). On shutdown no connection is
/// accepted and the open ones finish their requests.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    shed: Shedding,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) -> anyhow::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    let slots = std::sync::Arc::new(tokio::sync::Semaphore::new(shed.max_connections.max(1)));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(shed.header_read)
        .keep_alive(true);
    let mut refused: u64 = 0;
    let stop = async move {
        let _ = shutdown.wait_for(|stop| *stop).await;
    };
    let mut stop = std::pin::pin!(stop);
    loop {
        let stream = tokio::select! {
            r = listener.accept() => match r {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of files, or a connection reset before it was taken: wait a
                    // moment rather than spin, and go on.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut stop => break,
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            refused += 1;
            if refused.is_power_of_two() {
                tracing::warn!(refused, "web connections over the cap closed at once");
            }
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let service = hyper_util::service::TowerToHyperService::new(router.clone());
        let conn = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            let _ = conn.await;
            drop(slot);
        });
    }
    graceful.shutdown().await;
    Ok(())
}

/// Every response, whatever made it: its type is what it says (no browser guesses HTML
/// in a CSV of names, or in a webhook's answer).
async fn nosniff(mut r: Response) -> Response {
    r.headers_mut().insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    r
}

/// Ready to serve: the database answers (a write that rolls back); and which channels this
/// instance reads by polling. `/healthz` stays liveness only.
async fn readyz(State(s): State<Shared>) -> Response {
    let cfg = s.app.config();
    let polls: Vec<&str> = cfg
        .telegram
        .iter()
        .chain(&cfg.zalo_bot)
        .filter(|a| a.settings.webhook_url.is_none())
        .map(|a| a.channel.code())
        .collect();
    let polls = if polls.is_empty() {
        "none".to_string()
    } else {
        polls.join(", ")
    };
    match s.app.store().healthy().await {
        Ok(()) => (
            StatusCode::OK,
            format!("ready\ndatabase: ok\npolls: {polls}\n"),
        )
            .into_response(),
        Err(e) => {
            tracing::warn!(error = %format!("{e:#}"), "not ready: the database");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "not ready\ndatabase: unavailable\n",
            )
                .into_response()
        }
    }
}

/// `/metrics` in Prometheus' text format, for `Authorization: Bearer <HIENMAU_METRICS_TOKEN>`
/// only (compared in constant time); without a configured token it does not exist.
async fn metrics(State(s): State<Shared>, headers: HeaderMap) -> Response {
    let Some(token) = &s.app.config().metrics_token else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    if !same_secret(given.as_bytes(), token.0.as_bytes()) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    match s.app.metrics_text().await {
        Ok(text) => {
            let mut r = (StatusCode::OK, text).into_response();
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
            );
            r
        }
        Err(e) => web::http::server_error(&s.app, e),
    }
}

async fn telegram_webhook(
    s: Shared,
    t: TelegramWebhook,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let given = headers
        .get("x-telegram-bot-api-secret-token")
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    if !same_secret(given, t.secret.as_bytes()) {
        return StatusCode::UNAUTHORIZED;
    }
    let tr = match translate_body(&body, t.channel.channel()) {
        Ok(Some(tr)) => tr,
        // Updates hienmau does not serve are acknowledged, so Telegram does not resend them.
        Ok(None) => return StatusCode::OK,
        Err(_) => return StatusCode::BAD_REQUEST,
    };
    if let Some(id) = tr.callback_id {
        let channel = t.channel.clone();
        tokio::spawn(async move { channel.answer_callback(id).await });
    }
    let app = s.app.clone();
    let turn = Some(s.turns.of_inbound(&tr.inbound));
    let batch = vec![tr.inbound];
    within_budget(move || handle(app.clone(), batch.clone()), "Telegram", turn).await
}

/// Handle what a webhook received, as `App::handle_polled` does.
async fn handle(app: App, batch: Vec<crate::channels::Inbound>) -> Result<(), Failure> {
    app.handle_polled(batch).await
}

async fn zalo_webhook(s: Shared, z: ZaloWebhook, headers: HeaderMap, body: Bytes) -> StatusCode {
    let given = headers
        .get("x-bot-api-secret-token")
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    if !same_secret(given, z.secret.as_bytes()) {
        return StatusCode::UNAUTHORIZED;
    }
    let update: serde_json::Value = match serde_json::from_slice(&body) {
        Ok(u) => u,
        Err(_) => return StatusCode::BAD_REQUEST,
    };
    // Events hienmau does not serve are acknowledged, so the platform does not resend them.
    let Some(inbound) = zalo_bot::translate(&update, z.channel) else {
        return StatusCode::OK;
    };
    let app = s.app.clone();
    let turn = Some(s.turns.of_inbound(&inbound));
    let batch = vec![inbound];
    within_budget(move || handle(app.clone(), batch.clone()), "Zalo", turn).await
}

async fn zalo_oa_webhook(
    s: Shared,
    h: ZaloOaWebhook,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    // Authenticate before anything else: a body that cannot be verified (no signature, or
    // not even JSON to take the signed app id and timestamp from) is refused the same way,
    // so a stranger learns nothing about how far it got.
    let signature = headers.get("x-zevent-signature").map(|v| v.as_bytes());
    if !signature.is_some_and(zalo_oa::signature_well_formed) {
        return StatusCode::UNAUTHORIZED;
    }
    let Ok(event) = serde_json::from_slice::<serde_json::Value>(&body) else {
        return StatusCode::UNAUTHORIZED;
    };
    if !h.channel.verify(signature, &body, &event) {
        return StatusCode::UNAUTHORIZED;
    }
    let channel = h.channel.channel();
    let event = zalo_oa::translate(&event, channel);
    if event == zalo_oa::OaEvent::Ignored {
        return StatusCode::OK;
    }
    let app = s.app.clone();
    // A message waits for the chat's earlier ones; receipts and unfollows take no turn.
    let turn = match &event {
        zalo_oa::OaEvent::Message(inbound) => Some(s.turns.of_inbound(inbound)),
        _ => None,
    };
    within_budget(
        move || oa_event(app.clone(), channel, event.clone()),
        "Zalo OA",
        turn,
    )
    .await
}

async fn oa_event(app: App, channel: Channel, event: zalo_oa::OaEvent) -> Result<(), Failure> {
    match event {
        zalo_oa::OaEvent::Message(inbound) => app.handle_polled(vec![inbound]).await,
        zalo_oa::OaEvent::Unfollow { user } => {
            app.account_left(channel, &user).await.map_err(Failure::of)
        }
        zalo_oa::OaEvent::Received(receipt) => app
            .delivery_confirmed(&receipt.tracking_id)
            .await
            .map_err(Failure::of),
        zalo_oa::OaEvent::Ignored => Ok(()),
    }
}

/// Zalo wants a webhook answered within 2 s (and platforms redeliver what is answered
/// late): the work gets this long to finish and be answered by its result.
pub const ANSWER_BUDGET: Duration = Duration::from_millis(1500);

/// Do `work` and answer by its result if it finishes within [`ANSWER_BUDGET`]; otherwise
/// answer 200 at once and let it finish after the answer. Since the platform will then not
/// deliver the event again, a failure a retry may fix is retried here, with backoff, for a
/// few minutes (what was already handled is recognised by its event id). With a `turn` (the
/// chat's), the work waits for the chat's earlier updates and holds the turn until it is
/// done for good, its retries after the answer included.
async fn within_budget<W, F>(
    work: W,
    platform: &'static str,
    turn: Option<Arc<tokio::sync::Mutex<()>>>,
) -> StatusCode
where
    W: Fn() -> F + Send + 'static,
    F: Future<Output = Result<(), Failure>> + Send + 'static,
{
    within(work, platform, ANSWER_BUDGET, turn).await
}

async fn within<W, F>(
    work: W,
    platform: &'static str,
    budget: Duration,
    turn: Option<Arc<tokio::sync::Mutex<()>>>,
) -> StatusCode
where
    W: Fn() -> F + Send + 'static,
    F: Future<Output = Result<(), Failure>> + Send + 'static,
{
    // The first result goes to the answer if it is still waiting; otherwise it stays with
    // the task, which retries it (the turn still held).
    let (first_tx, mut first_rx) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let _turn = match turn {
            Some(t) => Some(t.lock_owned().await),
            None => None,
        };
        let first = run_once(work()).await;
        let Err(mut result) = first_tx.send(first) else {
            return;
        };
        let mut delay = Duration::from_millis(250);
        for _ in 0..12 {
            match &result {
                Err(e) if e.is_retry() => {
                    tracing::warn!(platform, error = %e, "handling after the answer failed, retrying");
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(Duration::from_secs(30));
                    result = run_once(work()).await;
                }
                _ => break,
            }
        }
        if let Err(e) = result {
            tracing::error!(platform, error = %e, "handling after the answer failed for good");
        }
    });
    match tokio::time::timeout(budget, &mut first_rx).await {
        Ok(Ok(result)) => return answer(result, platform),
        Ok(Err(_)) => return answer(Err(stopped()), platform),
        Err(_) => {}
    }
    // Out of time: nothing more reaches the answer (a result that came in just now still
    // does), and the task finishes the work.
    first_rx.close();
    if let Ok(result) = first_rx.try_recv() {
        return answer(result, platform);
    }
    tracing::info!(platform, "webhook answered before its work finished");
    StatusCode::OK
}

/// The work's task ended without a result (the runtime shutting down).
fn stopped() -> Failure {
    Failure::Bug(anyhow::anyhow!("the handler stopped before its result"))
}

/// One run of a webhook's work, in a task of its own: a panic is a [`Failure::Bug`].
async fn run_once<F>(work: F) -> Result<(), Failure>
where
    F: Future<Output = Result<(), Failure>> + Send + 'static,
{
    tokio::spawn(work)
        .await
        .unwrap_or_else(|e| Err(Failure::Bug(anyhow::anyhow!("the handler stopped: {e}"))))
}

/// A webhook's answer, by the one policy of `App::handle_polled`: handled (or set aside as
/// a bug, counted) is 200; a failure a retry may fix is 503, so the platform delivers the
/// update again (and what was already handled is recognised).
fn answer(result: Result<(), Failure>, platform: &str) -> StatusCode {
    match result {
        Ok(()) => StatusCode::OK,
        Err(e) => {
            tracing::error!(platform, error = %e, "handling a webhook failed");
            StatusCode::SERVICE_UNAVAILABLE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn slow_work_is_answered_in_time_and_still_finishes() {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicU32, Ordering};
        let runs = Arc::new(AtomicU32::new(0));
        let done = Arc::new(AtomicU32::new(0));
        let (r, d) = (runs.clone(), done.clone());
        // Slow, and the first run fails as a busy database would.
        let work = move || {
            let (r, d) = (r.clone(), d.clone());
            async move {
                let n = r.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_secs(5)).await;
                if n == 0 {
                    return Err(Failure::Retry(anyhow::anyhow!("busy")));
                }
                d.fetch_add(1, Ordering::SeqCst);
                Ok(())
            }
        };
        let started = tokio::time::Instant::now();
        assert_eq!(within_budget(work, "test", None).await, StatusCode::OK);
        assert_eq!(started.elapsed(), ANSWER_BUDGET, "answered at the budget");
        assert!(ANSWER_BUDGET < Duration::from_secs(2));
        tokio::time::sleep(Duration::from_secs(30)).await;
        assert_eq!(runs.load(Ordering::SeqCst), 2, "retried after the answer");
        assert_eq!(done.load(Ordering::SeqCst), 1);
        // Quick work is answered by its result.
        let quick = || async { Err(Failure::Retry(anyhow::anyhow!("down"))) };
        assert_eq!(
            within_budget(quick, "test", None).await,
            StatusCode::SERVICE_UNAVAILABLE
        );
    }

    /// A person's next message waits for the one before, even when that one was answered
    /// early and is being retried: answers are read in the order they were sent.
    #[tokio::test(start_paused = true)]
    async fn a_chats_next_update_waits_for_the_one_answered_early() {
        use std::sync::atomic::{AtomicU32, Ordering};
        let log = Arc::new(std::sync::Mutex::new(Vec::<&'static str>::new()));
        let tries = Arc::new(AtomicU32::new(0));
        let turns = Turns::default();
        let chat = || turns.of("telegram:42".into());
        // Slow, and the first run fails as a busy database would.
        let (l, t) = (log.clone(), tries.clone());
        let first = move || {
            let (l, t) = (l.clone(), t.clone());
            async move {
                let n = t.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_secs(5)).await;
                if n == 0 {
                    l.lock().unwrap().push("first failed");
                    return Err(Failure::Retry(anyhow::anyhow!("busy")));
                }
                l.lock().unwrap().push("first");
                Ok(())
            }
        };
        assert_eq!(
            within_budget(first, "test", Some(chat())).await,
            StatusCode::OK
        );
        // The next message of the chat arrives at once; another chat's does not wait.
        let l = log.clone();
        let second = move || {
            let l = l.clone();
            async move {
                l.lock().unwrap().push("second");
                Ok(())
            }
        };
        let l = log.clone();
        let other = move || {
            let l = l.clone();
            async move {
                l.lock().unwrap().push("other chat");
                Ok(())
            }
        };
        assert_eq!(
            within_budget(other, "test", Some(turns.of("telegram:43".into()))).await,
            StatusCode::OK
        );
        let started = tokio::time::Instant::now();
        assert_eq!(
            within_budget(second, "test", Some(chat())).await,
            StatusCode::OK
        );
        assert_eq!(started.elapsed(), ANSWER_BUDGET, "answered at the budget");
        tokio::time::sleep(Duration::from_secs(30)).await;
        assert_eq!(
            *log.lock().unwrap(),
            ["other chat", "first failed", "first", "second"]
        );
    }

    #[test]
    fn secrets_compare_whole() {
        assert!(same_secret(b"abc", b"abc"));
        assert!(!same_secret(b"abd", b"abc"));
        assert!(!same_secret(b"ab", b"abc"));
        assert!(!same_secret(b"", b"abc"));
    }
}
