//! The HTTP server (axum): Telegram's and Zalo's webhook modes, the web dashboard
//! (`/dashboard`, pages in `web.rs`) and a health endpoint, on one server.
//! Bodies are size-limited; a wrong secret gets 401 and a body that is not an update gets 400,
//! and the server keeps serving.

use crate::app::App;
use crate::app::dashboard::Session;
use crate::channels::ChannelKind;
use crate::channels::telegram::{TelegramChannel, translate_body};
use crate::channels::zalo_bot;
use crate::channels::zalo_oa::{self, ZaloOaChannel};
use crate::error::Failure;
use crate::messages::{Lang, MsgId};
use crate::web;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Form, Multipart, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use std::time::Duration;
use subtle::ConstantTimeEq;

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
    pub secret: String,
    /// Local path the reverse proxy forwards to, e.g. `/zalo/webhook`.
    pub path: String,
}

#[derive(Clone)]
pub struct ZaloOaWebhook {
    pub channel: ZaloOaChannel,
    pub path: String,
}

/// The webhooks to serve.
#[derive(Clone, Default)]
pub struct Webhooks {
    pub telegram: Option<TelegramWebhook>,
    pub zalo: Option<ZaloWebhook>,
    pub zalo_oa: Option<ZaloOaWebhook>,
}

impl Webhooks {
    pub fn any(&self) -> bool {
        self.telegram.is_some() || self.zalo.is_some() || self.zalo_oa.is_some()
    }
}

#[derive(Clone)]
struct Shared {
    app: App,
    hooks: Webhooks,
}

pub fn router(app: App, hooks: Webhooks) -> Router {
    let mut router = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/dashboard", get(dashboard_page))
        .route("/dashboard/login", get(dashboard_login))
        .route("/dashboard/logout", post(dashboard_logout))
        .route("/dashboard/live.js", get(live_js))
        .route("/dashboard/favicon.svg", get(favicon))
        // Files are larger than forms: this route alone takes up to `UPLOAD_LIMIT`.
        .route(
            "/dashboard/upload/{kind}",
            post(dashboard_upload).layer(DefaultBodyLimit::max(web::uploads::UPLOAD_LIMIT)),
        )
        .route(
            "/dashboard/{*rest}",
            get(dashboard_page).post(dashboard_post),
        );
    if let Some(t) = &hooks.telegram {
        router = router.route(&t.path, post(telegram_webhook));
    }
    if let Some(z) = &hooks.zalo {
        router = router.route(&z.path, post(zalo_webhook));
    }
    if let Some(z) = &hooks.zalo_oa {
        router = router.route(&z.path, post(zalo_oa_webhook));
    }
    let deadline = Duration::from_secs(app.config().limits.web_request_secs.max(1));
    router
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn(move |req, next| {
            request_deadline(deadline, req, next)
        }))
        .layer(axum::middleware::map_response(nosniff))
        .with_state(Shared { app, hooks })
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
    let mut polls = Vec::new();
    if cfg
        .telegram
        .as_ref()
        .is_some_and(|t| t.webhook_url.is_none())
    {
        polls.push("telegram");
    }
    if cfg
        .zalo_bot
        .as_ref()
        .is_some_and(|z| z.webhook_url.is_none())
    {
        polls.push("zalo");
    }
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
    if !bool::from(given.as_bytes().ct_eq(token.0.as_bytes())) {
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
        Err(e) => server_error(&s.app, &e),
    }
}

/// A dashboard page: never cached, no scripts, not framed, no referrer (a sign-in link's
/// token must not leak to another site).
fn html(status: StatusCode, body: String, cookie: Option<String>) -> Response {
    let mut r = (status, body).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; \
             script-src 'self'; connect-src 'self'; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if let Some(c) = cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
        h.insert(header::SET_COOKIE, c);
    }
    r
}

fn see_other(to: &'static str, cookie: Option<String>) -> Response {
    let mut r = html(StatusCode::SEE_OTHER, String::new(), cookie);
    r.headers_mut()
        .insert(header::LOCATION, HeaderValue::from_static(to));
    r
}

/// The session cookie: only over HTTPS when the public address is one, never to scripts,
/// never sent from another site.
fn session_cookie(app: &App, value: &str, max_age: i64) -> String {
    let secure = if app.web_base().starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    format!(
        "{}={value}; Path=/dashboard; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}",
        web::COOKIE
    )
}

fn session_token(headers: &HeaderMap) -> Option<String> {
    let cookies = headers.get(header::COOKIE)?.to_str().ok()?;
    web::cookie(cookies, web::COOKIE).map(str::to_string)
}

fn server_error(app: &App, e: &anyhow::Error) -> Response {
    tracing::error!(error = %format!("{e:#}"), "dashboard page");
    let lang = app.config().language;
    html(
        StatusCode::SERVICE_UNAVAILABLE,
        web::message_page(app, lang, MsgId::WebServerBusy),
        None,
    )
}

/// `GET /dashboard/login?t=…`: a one-time link opens a session.
async fn dashboard_login(State(s): State<Shared>, uri: Uri) -> Response {
    let app = &s.app;
    let lang = app.config().language;
    let token = uri.query().and_then(|q| web::field(q, "t"));
    let signed = match token {
        Some(t) => app.sign_in(t).await,
        None => Ok(None),
    };
    match signed {
        Ok(Some((token, _))) => see_other(
            "/dashboard",
            Some(session_cookie(
                app,
                &token,
                crate::app::dashboard::SESSION_HOURS * 3600,
            )),
        ),
        Ok(None) => html(
            StatusCode::FORBIDDEN,
            web::message_page(app, lang, MsgId::WebLinkRefused),
            None,
        ),
        Err(e) => server_error(app, &e),
    }
}

/// The session the request's cookie opens and the page's language (`?lang=` sets it for
/// the next pages too), or the page saying how to sign in.
async fn signed_in(
    app: &App,
    headers: &HeaderMap,
    query: &web::Fields,
) -> Result<(Session, Lang, Option<String>), Response> {
    let lang_cookie = headers
        .get(header::COOKIE)
        .and_then(|c| c.to_str().ok())
        .and_then(|c| web::cookie(c, web::LANG_COOKIE))
        .and_then(Lang::from_code);
    let asked = Lang::from_code(web::val(query, "lang"));
    let lang = asked.or(lang_cookie).unwrap_or(app.config().language);
    let set = asked.map(|l| {
        format!(
            "{}={}; Path=/dashboard; HttpOnly; SameSite=Strict; Max-Age=31536000",
            web::LANG_COOKIE,
            l.code()
        )
    });
    let session = match session_token(headers) {
        Some(t) => app.session(&t).await,
        None => Ok(None),
    };
    match session {
        Ok(Some(s)) => Ok((s, lang, set)),
        Ok(None) => Err(html(
            StatusCode::UNAUTHORIZED,
            web::message_page(app, lang, MsgId::WebSignInNeeded),
            None,
        )),
        Err(e) => Err(server_error(app, &e)),
    }
}

/// A page's answer as HTTP.
fn reply(app: &App, lang: Lang, r: anyhow::Result<web::Reply>, cookie: Option<String>) -> Response {
    match r {
        Ok(web::Reply::Page(p)) => html(StatusCode::OK, p, cookie),
        Ok(web::Reply::Invalid(p)) => html(StatusCode::UNPROCESSABLE_ENTITY, p, cookie),
        Ok(web::Reply::Redirect(to)) => {
            let mut r = html(StatusCode::SEE_OTHER, String::new(), cookie);
            if let Ok(v) = HeaderValue::from_str(&to) {
                r.headers_mut().insert(header::LOCATION, v);
            }
            r
        }
        Ok(web::Reply::Refused) => html(
            StatusCode::FORBIDDEN,
            web::message_page(app, lang, MsgId::WebRefused),
            cookie,
        ),
        Ok(web::Reply::NotFound) => html(
            StatusCode::NOT_FOUND,
            web::message_page(app, lang, MsgId::WebNotFound),
            cookie,
        ),
        Ok(web::Reply::Csv(body)) => {
            let mut r = (StatusCode::OK, body).into_response();
            let h = r.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            );
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            h.insert(
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("attachment; filename=\"audit.csv\""),
            );
            r
        }
        Err(e) => server_error(app, &e),
    }
}

/// `GET /dashboard/…`: a page, for a session whose account may see it.
async fn dashboard_page(
    State(s): State<Shared>,
    headers: HeaderMap,
    path: Option<Path<String>>,
    Query(query): Query<web::Fields>,
) -> Response {
    let app = &s.app;
    let (session, lang, cookie) = match signed_in(app, &headers, &query).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let v = web::View {
        app,
        lang,
        session: &session,
    };
    let rest: String = path.map(|Path(p)| p).unwrap_or_default();
    let parts: Vec<&str> = rest.split('/').filter(|p| !p.is_empty()).collect();
    let id = |s: &str| s.parse::<i64>().ok();
    let opens = web::Nav::ALL
        .iter()
        .find(|n| {
            n.path()
                .trim_start_matches("/dashboard")
                .trim_start_matches('/')
                == parts.first().copied().unwrap_or("")
        })
        .is_none_or(|n| n.opens(&session.roles));
    if !opens {
        return reply(app, lang, Ok(web::Reply::Refused), cookie);
    }
    let r = match parts.as_slice() {
        [] => web::overview(&v).await,
        ["drives"] => web::drives(&v, &query).await,
        ["drives", n] if id(n).is_some() => web::drive(&v, id(n).unwrap_or_default(), &query).await,
        ["drives", n, "edit"] if id(n).is_some() => {
            web::edit_drive(&v, id(n).unwrap_or_default()).await
        }
        ["donations"] => web::donations(&v, &query, false).await,
        ["callouts"] => web::callouts(&v, &query).await,
        ["callouts", n] if id(n).is_some() => {
            web::callout(&v, id(n).unwrap_or_default(), &query).await
        }
        ["callouts", n, "tally"] if id(n).is_some() => {
            web::callout_tally(&v, id(n).unwrap_or_default()).await
        }
        ["upload", n] if id(n).is_some() => {
            web::uploads::file_page(&v, id(n).unwrap_or_default(), false).await
        }
        ["upload", n, "part"] if id(n).is_some() => {
            web::uploads::file_page(&v, id(n).unwrap_or_default(), true).await
        }
        ["broadcasts"] => web::broadcasts(&v, &query).await,
        ["broadcasts", "new"] => web::compose_broadcast(&v, &query).await,
        ["clubs"] => web::clubs(&v, &query).await,
        ["clubs", n] if id(n).is_some() => web::club(&v, id(n).unwrap_or_default(), &query).await,
        ["donors"] => web::donors(&v, &query).await,
        ["stock"] => web::stock(&v, &query).await,
        ["audit"] if web::val(&query, "csv") == "1" => web::audit_csv(&v, &query).await,
        ["audit"] => web::audit(&v, &query).await,
        _ => Ok(web::Reply::NotFound),
    };
    reply(app, lang, r, cookie)
}

/// `POST /dashboard/…`: a change, only with the session's form token (else nothing is done).
async fn dashboard_post(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path(rest): Path<String>,
    Form(form): Form<web::Fields>,
) -> Response {
    let form = web::plain_fields(form);
    let app = &s.app;
    let (session, lang, _) = match signed_in(app, &headers, &web::Fields::new()).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    if let Some(refused) = form_token_refused(app, lang, &form, &session) {
        return refused;
    }
    let v = web::View {
        app,
        lang,
        session: &session,
    };
    let parts: Vec<&str> = rest.split('/').filter(|p| !p.is_empty()).collect();
    let id = |s: &str| s.parse::<i64>().ok();
    let r = match parts.as_slice() {
        ["drives"] => web::post_drive(&v, &form).await,
        ["drives", n, "cancel"] if id(n).is_some() => {
            web::cancel_drive(&v, id(n).unwrap_or_default()).await
        }
        ["drives", n, "edit"] if id(n).is_some() => {
            web::post_edit_drive(&v, id(n).unwrap_or_default(), &form).await
        }
        ["donations"] => web::post_donation(&v, &form, false).await,
        ["donations", "find"] => web::donations(&v, &form, true).await,
        ["donations", "remove"] => web::post_donation(&v, &form, true).await,
        ["callouts"] => web::post_callout(&v, &form).await,
        ["callouts", n, action] if id(n).is_some() => {
            web::post_callout_action(&v, id(n).unwrap_or_default(), action, &form).await
        }
        ["broadcasts", "new"] => web::post_compose(&v, &form).await,
        ["broadcasts", n, "stop"] if id(n).is_some() => {
            web::post_broadcast(&v, id(n).unwrap_or_default()).await
        }
        ["donors", "lookup"] => web::post_lookup(&v, &form).await,
        ["clubs", n] if id(n).is_some() => {
            web::post_club(&v, id(n).unwrap_or_default(), &form).await
        }
        ["stock"] => web::post_stock(&v, &form).await,
        _ => Ok(web::Reply::NotFound),
    };
    reply(app, lang, r, None)
}

/// The 403 page for a form without the session's token (a form from elsewhere), if so.
fn form_token_refused(
    app: &App,
    lang: Lang,
    form: &web::Fields,
    session: &Session,
) -> Option<Response> {
    (!same_secret(web::val(form, "csrf").as_bytes(), session.csrf.as_bytes())).then(|| {
        html(
            StatusCode::FORBIDDEN,
            web::message_page(app, lang, MsgId::WebFormRefused),
            None,
        )
    })
}

/// A multipart form's fields, and its file (the field named `file`); `None` when the body
/// cannot be read (too large, cut off, not multipart).
async fn read_multipart(
    mut form: Multipart,
) -> Option<(web::Fields, Option<web::uploads::Upload>)> {
    let mut fields = web::Fields::new();
    let mut file = None;
    while let Some(field) = form.next_field().await.ok()? {
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field.file_name().map(str::to_string);
        let bytes = field.bytes().await.ok()?;
        if name == "file" {
            file = Some(web::uploads::Upload {
                name: file_name.unwrap_or_default(),
                bytes: bytes.to_vec(),
            });
        } else {
            fields.insert(name, String::from_utf8_lossy(&bytes).into_owned());
        }
    }
    Some((web::plain_fields(fields), file))
}

/// `POST /dashboard/upload/calendar|donations`: a file, only with the session's form token.
async fn dashboard_upload(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path(kind): Path<String>,
    form: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let app = &s.app;
    let (session, lang, _) = match signed_in(app, &headers, &web::Fields::new()).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let Some(kind) = web::uploads::UploadKind::from_path(&kind) else {
        return reply(app, lang, Ok(web::Reply::NotFound), None);
    };
    let read = match form {
        Ok(form) => read_multipart(form).await,
        Err(_) => None,
    };
    let Some((fields, file)) = read else {
        return html(
            StatusCode::BAD_REQUEST,
            web::message_page(app, lang, MsgId::WebUploadUnreadable),
            None,
        );
    };
    if let Some(refused) = form_token_refused(app, lang, &fields, &session) {
        return refused;
    }
    let v = web::View {
        app,
        lang,
        session: &session,
    };
    let r = web::uploads::post_upload(&v, kind, &fields, file).await;
    reply(app, lang, r, None)
}

/// The one script (progressive enhancement of live parts), from the server itself.
async fn live_js() -> Response {
    asset(web::LIVE_JS, "text/javascript; charset=utf-8")
}

async fn favicon() -> Response {
    asset(web::FAVICON, "image/svg+xml")
}

fn asset(body: &'static str, kind: &'static str) -> Response {
    let mut r = (StatusCode::OK, body).into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    r
}

/// `POST /dashboard/logout` with the session's form token: the session ends. Without the
/// token (a form from elsewhere), nothing changes.
async fn dashboard_logout(State(s): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let app = &s.app;
    let lang = app.config().language;
    let Some(token) = session_token(&headers) else {
        return see_other("/dashboard", None);
    };
    let form = std::str::from_utf8(&body).unwrap_or_default();
    let given = web::field(form, "csrf").unwrap_or_default();
    match app.session(&token).await {
        Ok(Some(session)) if same_secret(given.as_bytes(), session.csrf.as_bytes()) => {
            if let Err(e) = app.sign_out(&token).await {
                return server_error(app, &e);
            }
            html(
                StatusCode::OK,
                web::message_page(app, lang, MsgId::WebSignedOut),
                Some(session_cookie(app, "", 0)),
            )
        }
        Ok(Some(_)) => html(
            StatusCode::FORBIDDEN,
            web::message_page(app, lang, MsgId::WebFormRefused),
            None,
        ),
        Ok(None) => see_other("/dashboard", None),
        Err(e) => server_error(app, &e),
    }
}

/// The local path for a public webhook URL (`/` becomes `default`).
pub fn local_path(url: &reqwest::Url, default: &str) -> String {
    match url.path() {
        "" | "/" => default.to_string(),
        p => p.to_string(),
    }
}

/// Equal in constant time, so the secret cannot be guessed byte by byte.
fn same_secret(given: &[u8], expected: &[u8]) -> bool {
    given.len() == expected.len() && bool::from(given.ct_eq(expected))
}

async fn telegram_webhook(State(s): State<Shared>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let Some(t) = &s.hooks.telegram else {
        return StatusCode::NOT_FOUND;
    };
    let given = headers
        .get("x-telegram-bot-api-secret-token")
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    if !same_secret(given, t.secret.as_bytes()) {
        return StatusCode::UNAUTHORIZED;
    }
    let tr = match translate_body(&body) {
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
    let batch = vec![tr.inbound];
    within_budget(move || handle(app.clone(), batch.clone()), "Telegram").await
}

/// Handle what a webhook received, as `App::handle_polled` does.
async fn handle(app: App, batch: Vec<crate::channels::Inbound>) -> Result<(), Failure> {
    app.handle_polled(batch).await
}

async fn zalo_webhook(State(s): State<Shared>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let Some(z) = &s.hooks.zalo else {
        return StatusCode::NOT_FOUND;
    };
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
    let Some(inbound) = zalo_bot::translate(&update) else {
        return StatusCode::OK;
    };
    let app = s.app.clone();
    let batch = vec![inbound];
    within_budget(move || handle(app.clone(), batch.clone()), "Zalo").await
}

async fn zalo_oa_webhook(State(s): State<Shared>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let Some(h) = &s.hooks.zalo_oa else {
        return StatusCode::NOT_FOUND;
    };
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
    let event = zalo_oa::translate(&event);
    if event == zalo_oa::OaEvent::Ignored {
        return StatusCode::OK;
    }
    let app = s.app.clone();
    within_budget(move || oa_event(app.clone(), event.clone()), "Zalo OA").await
}

async fn oa_event(app: App, event: zalo_oa::OaEvent) -> Result<(), Failure> {
    match event {
        zalo_oa::OaEvent::Message(inbound) => app.handle_polled(vec![inbound]).await,
        zalo_oa::OaEvent::Unfollow { user } => app
            .account_left(ChannelKind::ZaloOa, &user)
            .await
            .map_err(Failure::of),
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
/// few minutes (what was already handled is recognised by its event id).
async fn within_budget<W, F>(work: W, platform: &'static str) -> StatusCode
where
    W: Fn() -> F + Send + 'static,
    F: Future<Output = Result<(), Failure>> + Send + 'static,
{
    within(work, platform, ANSWER_BUDGET).await
}

async fn within<W, F>(work: W, platform: &'static str, budget: Duration) -> StatusCode
where
    W: Fn() -> F + Send + 'static,
    F: Future<Output = Result<(), Failure>> + Send + 'static,
{
    let mut task = tokio::spawn(work());
    let first = match tokio::time::timeout(budget, &mut task).await {
        Ok(joined) => return answer(joined.unwrap_or_else(|e| Err(panicked(e))), platform),
        Err(_) => task,
    };
    tracing::info!(platform, "webhook answered before its work finished");
    tokio::spawn(async move {
        let mut result = first.await.unwrap_or_else(|e| Err(panicked(e)));
        let mut delay = Duration::from_millis(250);
        for _ in 0..12 {
            match &result {
                Err(e) if e.is_retry() => {
                    tracing::warn!(platform, error = %e, "handling after the answer failed, retrying");
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(Duration::from_secs(30));
                    result = tokio::spawn(work())
                        .await
                        .unwrap_or_else(|e| Err(panicked(e)));
                }
                _ => break,
            }
        }
        if let Err(e) = result {
            tracing::error!(platform, error = %e, "handling after the answer failed for good");
        }
    });
    StatusCode::OK
}

fn panicked(e: tokio::task::JoinError) -> Failure {
    Failure::Bug(anyhow::anyhow!("the handler stopped: {e}"))
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
        assert_eq!(within_budget(work, "test").await, StatusCode::OK);
        assert_eq!(started.elapsed(), ANSWER_BUDGET, "answered at the budget");
        assert!(ANSWER_BUDGET < Duration::from_secs(2));
        tokio::time::sleep(Duration::from_secs(30)).await;
        assert_eq!(runs.load(Ordering::SeqCst), 2, "retried after the answer");
        assert_eq!(done.load(Ordering::SeqCst), 1);
        // Quick work is answered by its result.
        let quick = || async { Err(Failure::Retry(anyhow::anyhow!("down"))) };
        assert_eq!(
            within_budget(quick, "test").await,
            StatusCode::SERVICE_UNAVAILABLE
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
