//! The dashboard's HTTP face on axum's own parts: one explicit route per page and per form,
//! ids read by `Path`, the session read by the [`SignedIn`] extractor (a page in the menu
//! opens only for the roles it is shown to), forms by [`SignedForm`] (which refuses a form
//! without the session's token before anything is done), the page's answer turned into HTTP
//! by [`Answer`]'s `IntoResponse`, and the security headers of every dashboard response set
//! by one layer.

use super::{Fields, Nav, Reply};
use crate::app::App;
use crate::app::dashboard::Session;
use crate::messages::{Lang, MsgId};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{
    DefaultBodyLimit, Form, FromRequest, FromRequestParts, Multipart, Path, Query, Request, State,
};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use subtle::ConstantTimeEq;

/// The dashboard's routes, with the app as their state.
pub fn router(app: App) -> Router {
    Router::new()
        .route("/dashboard", get(overview))
        .route("/dashboard/login", get(login))
        .route("/dashboard/logout", post(logout))
        .route("/dashboard/live.js", get(live_js))
        .route("/dashboard/favicon.svg", get(favicon))
        .route("/dashboard/drives", get(drives).post(post_drive))
        .route("/dashboard/drives/{id}", get(drive))
        .route(
            "/dashboard/drives/{id}/edit",
            get(edit_drive).post(post_edit_drive),
        )
        .route("/dashboard/drives/{id}/cancel", post(cancel_drive))
        .route("/dashboard/donations", get(donations).post(post_donation))
        .route("/dashboard/donations/find", post(find_donation))
        .route("/dashboard/donations/remove", post(remove_donation))
        .route("/dashboard/callouts", get(callouts).post(post_callout))
        .route("/dashboard/callouts/{id}", get(callout))
        .route("/dashboard/callouts/{id}/tally", get(callout_tally))
        .route("/dashboard/callouts/{id}/{action}", post(callout_action))
        // Files are larger than forms: this route alone takes up to `UPLOAD_LIMIT`.
        .route(
            "/dashboard/upload/{file}",
            get(upload_page)
                .post(upload)
                .layer(DefaultBodyLimit::max(super::uploads::UPLOAD_LIMIT)),
        )
        .route("/dashboard/upload/{file}/part", get(upload_part))
        .route("/dashboard/broadcasts", get(broadcasts))
        .route("/dashboard/broadcasts/new", get(compose).post(post_compose))
        .route("/dashboard/broadcasts/{id}/stop", post(stop_broadcast))
        .route("/dashboard/clubs", get(clubs))
        .route("/dashboard/clubs/{id}", get(club).post(post_club))
        .route("/dashboard/donors", get(donors))
        .route("/dashboard/donors/lookup", post(lookup))
        .route("/dashboard/stock", get(stock).post(post_stock))
        .route("/dashboard/audit", get(audit))
        .route(
            "/dashboard/{*rest}",
            get(not_found_page).post(not_found_form),
        )
        // A form posted to a page (or a page asked of a form's address) is an address
        // that is no page: the same answer as any other.
        .method_not_allowed_fallback(wrong_method)
        .layer(axum::middleware::map_response(security_headers))
        .with_state(app)
}

/// Every dashboard response: never cached, no scripts but its own, not framed, no referrer
/// (a sign-in link's token must not leak to another site). A response that says otherwise
/// (the script and the icon may be cached) keeps what it says.
async fn security_headers(mut r: Response) -> Response {
    let h = r.headers_mut();
    h.entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
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
    r
}

/// Two secrets compared whole, in constant time.
pub fn same_secret(given: &[u8], expected: &[u8]) -> bool {
    given.ct_eq(expected).into()
}

/// An HTML page with its status (and a cookie to set).
/// A page (or nothing, for a redirect) as HTML, with the language cookie to set.
fn html(status: StatusCode, body: Option<maud::Markup>, cookie: Option<String>) -> Response {
    let body = body.map_or(String::new(), maud::Markup::into_string);
    let mut r = (status, body).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    if let Some(c) = cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
        h.insert(header::SET_COOKIE, c);
    }
    r
}

/// One of the short pages that only say something (signed out, refused, not found).
fn message(app: &App, lang: Lang, status: StatusCode, id: MsgId) -> Response {
    html(status, Some(super::message_page(app, lang, id)), None)
}

fn see_other(to: &'static str, cookie: Option<String>) -> Response {
    let mut r = html(StatusCode::SEE_OTHER, None, cookie);
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
        super::COOKIE
    )
}

fn session_token(headers: &HeaderMap) -> Option<String> {
    let cookies = headers.get(header::COOKIE)?.to_str().ok()?;
    super::cookie(cookies, super::COOKIE).map(str::to_string)
}

/// What went wrong behind a page: logged, and the page says the server is busy.
#[derive(Debug)]
pub struct WebError(anyhow::Error);

impl From<anyhow::Error> for WebError {
    fn from(e: anyhow::Error) -> WebError {
        WebError(e)
    }
}

/// The page that says the server is busy, for what went wrong behind a request.
pub fn server_error(app: &App, e: anyhow::Error) -> Response {
    WebError(e).response(app)
}

impl WebError {
    fn response(&self, app: &App) -> Response {
        tracing::error!(error = %format!("{:#}", self.0), "dashboard page");
        message(
            app,
            app.config().language,
            StatusCode::SERVICE_UNAVAILABLE,
            MsgId::WebServerBusy,
        )
    }
}

/// A signed-in request: the session, the page's language (`?lang=` sets it for the next
/// pages too, by the cookie to set) and the app. Without a session, the page saying how to
/// sign in; a page of the menu the session's roles are not shown is refused.
pub struct SignedIn {
    app: App,
    session: Session,
    lang: Lang,
    cookie: Option<String>,
}

impl FromRequestParts<App> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Response> {
        let query: Fields = Query::<Fields>::from_request_parts(parts, app)
            .await
            .map(|Query(q)| q)
            .unwrap_or_default();
        let lang_cookie = parts
            .headers
            .get(header::COOKIE)
            .and_then(|c| c.to_str().ok())
            .and_then(|c| super::cookie(c, super::LANG_COOKIE))
            .and_then(Lang::from_code);
        // A form's language is the one its page was shown in.
        let asked = (parts.method == Method::GET)
            .then(|| Lang::from_code(super::val(&query, "lang")))
            .flatten();
        let lang = asked.or(lang_cookie).unwrap_or(app.config().language);
        let cookie = asked.map(|l| {
            format!(
                "{}={}; Path=/dashboard; HttpOnly; SameSite=Strict; Max-Age=31536000",
                super::LANG_COOKIE,
                l.code()
            )
        });
        let session = match session_token(&parts.headers) {
            Some(t) => app.session(&t).await,
            None => Ok(None),
        };
        let session = match session {
            Ok(Some(s)) => s,
            Ok(None) => {
                return Err(message(
                    app,
                    lang,
                    StatusCode::UNAUTHORIZED,
                    MsgId::WebSignInNeeded,
                ));
            }
            Err(e) => return Err(WebError(e).response(app)),
        };
        let signed = SignedIn {
            app: app.clone(),
            session,
            lang,
            cookie,
        };
        if parts.method == Method::GET && !signed.opens(parts.uri.path()) {
            return Err(signed.answer(Ok(Reply::Refused)).into_response());
        }
        Ok(signed)
    }
}

impl SignedIn {
    /// Whether the session's roles open the menu's page this path is under (a path under
    /// no page of the menu is for every session).
    fn opens(&self, path: &str) -> bool {
        let first = path
            .trim_start_matches("/dashboard")
            .trim_start_matches('/')
            .split('/')
            .next()
            .unwrap_or("");
        Nav::ALL
            .iter()
            .find(|n| {
                n.path()
                    .trim_start_matches("/dashboard")
                    .trim_start_matches('/')
                    == first
            })
            .is_none_or(|n| n.opens(&self.session.roles))
    }

    fn view(&self) -> super::View<'_> {
        super::View {
            app: &self.app,
            lang: self.lang,
            session: &self.session,
        }
    }

    /// The page's answer, with the language cookie to set.
    fn answer(self, reply: anyhow::Result<Reply>) -> Answer {
        Answer {
            app: self.app,
            lang: self.lang,
            cookie: self.cookie,
            reply: reply.map_err(WebError),
        }
    }
}

/// A posted form of a signed-in session, with the session's form token: a form from
/// elsewhere (no token, or another session's) is refused and nothing is done.
/// The form is read into `F`, its own struct of fields (the whole map by default).
pub struct SignedForm<F = Fields> {
    signed: SignedIn,
    form: F,
}

impl<F: serde::de::DeserializeOwned> FromRequest<App> for SignedForm<F> {
    type Rejection = Response;

    async fn from_request(req: Request, app: &App) -> Result<Self, Response> {
        // The form is read first (a body that is not a form is refused as such), then the
        // session, then its token.
        let (parts, body) = req.into_parts();
        let mut head = parts.clone();
        let form = match Form::<Fields>::from_request(Request::from_parts(parts, body), app).await {
            Ok(Form(f)) => super::plain_fields(f),
            Err(rejection) => return Err(rejection.into_response()),
        };
        let signed = SignedIn::from_request_parts(&mut head, app).await?;
        if !signed.token_ok(&form) {
            return Err(signed.form_refused());
        }
        // Every field of the forms' structs is text, so this cannot fail today; a field
        // typed otherwise that does not read is a form asking for nothing there is.
        let Ok(form) = super::read_form::<F>(form) else {
            let mut a = signed.answer(Ok(Reply::NotFound));
            a.cookie = None;
            return Err(a.into_response());
        };
        Ok(SignedForm { signed, form })
    }
}

impl SignedIn {
    /// Whether the form carries the session's token.
    fn token_ok(&self, form: &Fields) -> bool {
        same_secret(
            super::val(form, "csrf").as_bytes(),
            self.session.csrf.as_bytes(),
        )
    }

    /// The 403 page for a form without the session's token.
    fn form_refused(&self) -> Response {
        message(
            &self.app,
            self.lang,
            StatusCode::FORBIDDEN,
            MsgId::WebFormRefused,
        )
    }
}

/// An id in the path: `None` when it is not a number (the page is not found).
pub struct Id(Option<i64>);

impl FromRequestParts<App> for Id {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        Ok(Id(Path::<i64>::from_request_parts(parts, app)
            .await
            .ok()
            .map(|Path(id)| id)))
    }
}

/// A page's answer, as HTTP.
pub struct Answer {
    app: App,
    lang: Lang,
    cookie: Option<String>,
    reply: Result<Reply, WebError>,
}

impl IntoResponse for Answer {
    fn into_response(self) -> Response {
        let Answer {
            app,
            lang,
            cookie,
            reply,
        } = self;
        let page = |status, id| {
            html(
                status,
                Some(super::message_page(&app, lang, id)),
                cookie.clone(),
            )
        };
        match reply {
            Ok(Reply::Page(p)) => html(StatusCode::OK, Some(p), cookie),
            Ok(Reply::Invalid(p)) => html(StatusCode::UNPROCESSABLE_ENTITY, Some(p), cookie),
            Ok(Reply::Redirect(to)) => {
                let mut r = html(StatusCode::SEE_OTHER, None, cookie);
                if let Ok(v) = HeaderValue::from_str(&to) {
                    r.headers_mut().insert(header::LOCATION, v);
                }
                r
            }
            Ok(Reply::Refused) => page(StatusCode::FORBIDDEN, MsgId::WebRefused),
            Ok(Reply::NotFound) => page(StatusCode::NOT_FOUND, MsgId::WebNotFound),
            Ok(Reply::Csv(body)) => {
                let mut r = (StatusCode::OK, body).into_response();
                let h = r.headers_mut();
                h.insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/csv; charset=utf-8"),
                );
                h.insert(
                    header::CONTENT_DISPOSITION,
                    HeaderValue::from_static("attachment; filename=\"audit.csv\""),
                );
                r
            }
            Err(e) => e.response(&app),
        }
    }
}

/// A page that needs an id in its path: not found without one.
async fn with_id<F: std::future::Future<Output = anyhow::Result<Reply>>>(
    id: Id,
    page: impl FnOnce(i64) -> F,
) -> anyhow::Result<Reply> {
    match id.0 {
        Some(id) => page(id).await,
        None => Ok(Reply::NotFound),
    }
}

/// `GET /dashboard/login?t=…`: a one-time link opens a session.
async fn login(State(app): State<App>, uri: Uri) -> Response {
    let lang = app.config().language;
    let token = uri.query().and_then(|q| super::field(q, "t"));
    let signed = match token {
        Some(t) => app.sign_in(t).await,
        None => Ok(None),
    };
    match signed {
        Ok(Some((token, _))) => see_other(
            "/dashboard",
            Some(session_cookie(
                &app,
                &token,
                crate::app::dashboard::SESSION_HOURS * 3600,
            )),
        ),
        Ok(None) => message(&app, lang, StatusCode::FORBIDDEN, MsgId::WebLinkRefused),
        Err(e) => WebError(e).response(&app),
    }
}

/// `POST /dashboard/logout` with the session's form token: the session ends. Without the
/// token (a form from elsewhere), nothing changes.
async fn logout(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Response {
    let lang = app.config().language;
    let Some(token) = session_token(&headers) else {
        return see_other("/dashboard", None);
    };
    let form = std::str::from_utf8(&body).unwrap_or_default();
    let given = super::field(form, "csrf").unwrap_or_default();
    match app.session(&token).await {
        Ok(Some(session)) if same_secret(given.as_bytes(), session.csrf.as_bytes()) => {
            if let Err(e) = app.sign_out(&token).await {
                return WebError(e).response(&app);
            }
            html(
                StatusCode::OK,
                Some(super::message_page(&app, lang, MsgId::WebSignedOut)),
                Some(session_cookie(&app, "", 0)),
            )
        }
        Ok(Some(_)) => message(&app, lang, StatusCode::FORBIDDEN, MsgId::WebFormRefused),
        Ok(None) => see_other("/dashboard", None),
        Err(e) => WebError(e).response(&app),
    }
}

/// The one script (progressive enhancement of live parts), from the server itself.
async fn live_js() -> Response {
    asset(super::LIVE_JS, "text/javascript; charset=utf-8")
}

async fn favicon() -> Response {
    asset(super::FAVICON, "image/svg+xml")
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

type Q = Query<Fields>;

async fn overview(s: SignedIn) -> Answer {
    let r = super::overview(&s.view()).await;
    s.answer(r)
}

async fn drives(s: SignedIn, Query(q): Q) -> Answer {
    let r = super::drives(&s.view(), &q).await;
    s.answer(r)
}

async fn drive(s: SignedIn, id: Id, Query(q): Q) -> Answer {
    let v = s.view();
    let r = with_id(id, |id| super::drive(&v, id, &q)).await;
    s.answer(r)
}

async fn edit_drive(s: SignedIn, id: Id) -> Answer {
    let v = s.view();
    let r = with_id(id, |id| super::edit_drive(&v, id)).await;
    s.answer(r)
}

async fn donations(s: SignedIn, Query(q): Q) -> Answer {
    let r = super::donations(&s.view(), &q, None).await;
    s.answer(r)
}

async fn callouts(s: SignedIn, Query(q): Q) -> Answer {
    let r = super::callouts(&s.view(), &q).await;
    s.answer(r)
}

async fn callout(s: SignedIn, id: Id, Query(q): Q) -> Answer {
    let v = s.view();
    let r = with_id(id, |id| super::callout(&v, id, &q)).await;
    s.answer(r)
}

async fn callout_tally(s: SignedIn, id: Id) -> Answer {
    let v = s.view();
    let r = with_id(id, |id| super::callout_tally(&v, id)).await;
    s.answer(r)
}

async fn upload_page(s: SignedIn, id: Id) -> Answer {
    let v = s.view();
    let r = with_id(id, |id| super::uploads::file_page(&v, id, false)).await;
    s.answer(r)
}

async fn upload_part(s: SignedIn, id: Id) -> Answer {
    let v = s.view();
    let r = with_id(id, |id| super::uploads::file_page(&v, id, true)).await;
    s.answer(r)
}

async fn broadcasts(s: SignedIn, Query(q): Q) -> Answer {
    let r = super::broadcasts(&s.view(), &q).await;
    s.answer(r)
}

async fn compose(s: SignedIn, Query(q): Q) -> Answer {
    let r = super::compose_broadcast(&s.view(), &q).await;
    s.answer(r)
}

async fn clubs(s: SignedIn, Query(q): Q) -> Answer {
    let r = super::clubs(&s.view(), &q).await;
    s.answer(r)
}

async fn club(s: SignedIn, id: Id, Query(q): Q) -> Answer {
    let v = s.view();
    let r = with_id(id, |id| super::club(&v, id, &q)).await;
    s.answer(r)
}

async fn donors(s: SignedIn, Query(q): Q) -> Answer {
    let r = super::donors(&s.view(), &q).await;
    s.answer(r)
}

async fn stock(s: SignedIn, Query(q): Q) -> Answer {
    let r = super::stock(&s.view(), &q).await;
    s.answer(r)
}

/// The audit log as a page, or as CSV (`?csv=1`).
async fn audit(s: SignedIn, Query(q): Q) -> Answer {
    let Ok(q) = super::read_form::<super::records::AuditQuery>(q) else {
        return s.answer(Ok(Reply::NotFound));
    };
    let r = if q.csv == "1" {
        super::audit_csv(&s.view(), &q).await
    } else {
        super::audit(&s.view(), &q).await
    };
    s.answer(r)
}

/// A dashboard address that is no page: not found, once signed in.
async fn not_found_page(s: SignedIn) -> Answer {
    s.answer(Ok(Reply::NotFound))
}

async fn not_found_form(f: SignedForm) -> Answer {
    f.signed.answer(Ok(Reply::NotFound))
}

/// A dashboard address asked with a method it does not take: as [`not_found_page`] for a
/// read, as [`not_found_form`] (session and token checked first) for anything else.
async fn wrong_method(State(app): State<App>, req: Request) -> Response {
    if req.method() == Method::GET || req.method() == Method::HEAD {
        match SignedIn::from_request(req, &app).await {
            Ok(s) => not_found_page(s).await.into_response(),
            Err(r) => r,
        }
    } else {
        match SignedForm::from_request(req, &app).await {
            Ok(f) => not_found_form(f).await.into_response(),
            Err(r) => r,
        }
    }
}

impl<F> SignedForm<F> {
    /// The change's answer: forms set no language cookie.
    fn answer(self, reply: anyhow::Result<Reply>) -> Answer {
        let mut a = self.signed.answer(reply);
        a.cookie = None;
        a
    }
}

async fn post_drive(f: SignedForm<super::drives::DriveForm>) -> Answer {
    let r = super::post_drive(&f.signed.view(), &f.form).await;
    f.answer(r)
}

async fn cancel_drive(id: Id, f: SignedForm) -> Answer {
    let v = f.signed.view();
    let r = with_id(id, |id| super::cancel_drive(&v, id)).await;
    f.answer(r)
}

async fn post_edit_drive(id: Id, f: SignedForm<super::drives::DriveForm>) -> Answer {
    let v = f.signed.view();
    let r = with_id(id, |id| super::post_edit_drive(&v, id, &f.form)).await;
    f.answer(r)
}

async fn post_donation(f: SignedForm<super::donations::DonationForm>) -> Answer {
    let r = super::post_donation(&f.signed.view(), &f.form).await;
    f.answer(r)
}

async fn find_donation(f: SignedForm<super::donations::FindForm>) -> Answer {
    let r = super::donations(&f.signed.view(), &Fields::new(), Some(&f.form)).await;
    f.answer(r)
}

async fn remove_donation(f: SignedForm<super::donations::RemoveForm>) -> Answer {
    let r = super::donations::remove_donation(&f.signed.view(), &f.form).await;
    f.answer(r)
}

async fn post_callout(f: SignedForm<super::callouts::CalloutForm>) -> Answer {
    let r = super::post_callout(&f.signed.view(), &f.form).await;
    f.answer(r)
}

async fn callout_action(
    path: Option<Path<(i64, String)>>,
    f: SignedForm<super::callouts::ActionForm>,
) -> Answer {
    let r = match path {
        Some(Path((id, action))) => {
            super::post_callout_action(&f.signed.view(), id, &action, &f.form).await
        }
        None => Ok(Reply::NotFound),
    };
    f.answer(r)
}

async fn post_compose(f: SignedForm<super::clubs::ComposeForm>) -> Answer {
    let r = super::post_compose(&f.signed.view(), &f.form).await;
    f.answer(r)
}

async fn stop_broadcast(id: Id, f: SignedForm) -> Answer {
    let v = f.signed.view();
    let r = with_id(id, |id| super::post_broadcast(&v, id)).await;
    f.answer(r)
}

async fn lookup(f: SignedForm<super::donors::LookupForm>) -> Answer {
    let r = super::post_lookup(&f.signed.view(), &f.form).await;
    f.answer(r)
}

async fn post_club(id: Id, f: SignedForm<super::clubs::SearchForm>) -> Answer {
    let v = f.signed.view();
    let r = with_id(id, |id| super::post_club(&v, id, &f.form)).await;
    f.answer(r)
}

async fn post_stock(f: SignedForm<super::records::StockForm>) -> Answer {
    let r = super::post_stock(&f.signed.view(), &f.form).await;
    f.answer(r)
}

/// A multipart form's fields, and its file (the field named `file`); `None` when the body
/// cannot be read (too large, cut off, not multipart).
async fn read_multipart(mut form: Multipart) -> Option<(Fields, Option<super::uploads::Upload>)> {
    let mut fields = Fields::new();
    let mut file = None;
    while let Some(field) = form.next_field().await.ok()? {
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field.file_name().map(str::to_string);
        let bytes = field.bytes().await.ok()?;
        if name == "file" {
            file = Some(super::uploads::Upload {
                name: file_name.unwrap_or_default(),
                bytes: bytes.to_vec(),
            });
        } else {
            fields.insert(name, String::from_utf8_lossy(&bytes).into_owned());
        }
    }
    Some((super::plain_fields(fields), file))
}

/// `POST /dashboard/upload/calendar|donations`: a file, only with the session's form token.
async fn upload(
    s: SignedIn,
    Path(kind): Path<String>,
    form: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let Some(kind) = super::uploads::UploadKind::from_path(&kind) else {
        return s.answer(Ok(Reply::NotFound)).into_response();
    };
    let read = match form {
        Ok(form) => read_multipart(form).await,
        Err(_) => None,
    };
    let Some((fields, file)) = read else {
        return message(
            &s.app,
            s.lang,
            StatusCode::BAD_REQUEST,
            MsgId::WebUploadUnreadable,
        );
    };
    if !s.token_ok(&fields) {
        return s.form_refused();
    }
    let Ok(form) = super::read_form::<super::uploads::UploadForm>(fields) else {
        return s.answer(Ok(Reply::NotFound)).into_response();
    };
    let r = super::uploads::post_upload(&s.view(), kind, &form, file).await;
    let mut a = s.answer(r);
    a.cookie = None;
    a.into_response()
}
