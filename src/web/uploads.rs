//! Files uploaded on the dashboard: a campaign calendar (TOML or CSV, as `hienmau campaigns
//! import` reads it) on the drives page, a blood centre's list of donations (CSV, as
//! `hienmau donations import` reads it) on the donations page. Each is stored whole or not
//! at all: a file with errors is answered with every error by its line, and nothing changes.

use super::not_as_asked;
use super::{Control, Nav, Reply, View, input};
use crate::domain::campaign::FileError;
use crate::engine::drive::FileState;
use crate::engine::{DriveOutcome, DriveRequest, Outcome, Request};
use crate::messages::{Msg, MsgId};
use maud::{Markup, html};

/// An upload form's other fields: the calendar's year, and whether a donations file's
/// early donations are recorded all the same (`1`).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct UploadForm {
    year: String,
    accept_early: String,
}

/// A file as posted in a form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    /// Its name on the sender's machine (only its extension is used).
    pub name: String,
    pub bytes: Vec<u8>,
}

/// The largest file the dashboard takes (a centre's list of 20,000 donations is ~1 MB).
pub const UPLOAD_LIMIT: usize = 4 * 1024 * 1024;

/// What can be uploaded, and where.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadKind {
    Calendar,
    Donations,
}

impl UploadKind {
    pub fn from_path(p: &str) -> Option<UploadKind> {
        match p {
            "calendar" => Some(UploadKind::Calendar),
            "donations" => Some(UploadKind::Donations),
            _ => None,
        }
    }

    fn path(self) -> &'static str {
        match self {
            UploadKind::Calendar => "/dashboard/upload/calendar",
            UploadKind::Donations => "/dashboard/upload/donations",
        }
    }

    fn page(self) -> Nav {
        match self {
            UploadKind::Calendar => Nav::Drives,
            UploadKind::Donations => Nav::Donations,
        }
    }
}

/// The year it is now, where the deployment is.
fn this_year(v: &View<'_>) -> i32 {
    use chrono::Datelike;
    v.app
        .clock()
        .now()
        .with_timezone(&v.app.config().timezone)
        .year()
}

/// The upload form of a page (the year for a calendar: this year unless said).
pub fn section(v: &View<'_>, kind: UploadKind) -> Markup {
    let (title, hint, accept) = match kind {
        UploadKind::Calendar => (
            MsgId::WebUploadCalendarTitle,
            MsgId::WebUploadCalendarHint,
            ".toml,.csv,text/csv",
        ),
        UploadKind::Donations => (
            MsgId::WebUploadDonationsTitle,
            MsgId::WebUploadDonationsHint,
            ".csv,text/csv",
        ),
    };
    let year = match kind {
        UploadKind::Calendar => {
            let this = this_year(v);
            input(
                "year",
                &v.t(MsgId::WebUploadYear),
                &this.to_string(),
                Control::number().max(4),
                &[],
            )
        }
        // A donation inside a donor's interval is refused by line; ticked, it is
        // recorded all the same (the coordinator confirmed after reading the warning).
        UploadKind::Donations => html! {
            p {
                input id="accept_early" name="accept_early" type="checkbox" value="1";
                " "
                label for="accept_early" { (v.t(MsgId::WebUploadAcceptEarly)) }
            }
        },
    };
    html! {
        section aria-labelledby="upload" {
            h3 id="upload" { (v.t(title)) }
            p { (v.t(hint)) }
            form method="post" action=(kind.path()) enctype="multipart/form-data" {
                (v.csrf())
                label for="file" { (v.t(MsgId::WebUploadFile)) }
                input id="file" name="file" type="file" accept=(accept) required;
                (year)
                p { button type="submit" { (v.t(MsgId::WebUploadSend)) } }
            }
        }
    }
}

/// The page saying why nothing was stored, with the form to send the file again.
fn refused(v: &View<'_>, kind: UploadKind, said: Markup) -> Reply {
    let body = html! {
        h2 { (v.t(kind.page().label())) }
        div role="alert" { (said) }
        (section(v, kind))
    };
    Reply::Invalid(v.page(kind.page(), body))
}

fn said(v: &View<'_>, id: MsgId) -> Markup {
    html! { p class="error" { (v.t(id)) } }
}

/// Every error of a file, by line.
fn errors_list(v: &View<'_>, file: &str, errors: &[FileError]) -> Markup {
    html! {
        p class="error" {
            (v.m(&Msg::new(MsgId::WebUploadRejected)
                .num("count", errors.len() as f64)
                .str("file", file.to_string())))
        }
        ul class="errors" {
            @for e in errors {
                li {
                    (v.m(&Msg::new(MsgId::WebUploadErrorLine)
                        .num("line", e.line as f64)
                        .str("message", e.message.clone())))
                }
            }
        }
    }
}

/// `POST /dashboard/upload/calendar|donations`: the file stored, or why not.
pub async fn post_upload(
    v: &View<'_>,
    kind: UploadKind,
    f: &UploadForm,
    file: Option<Upload>,
) -> anyhow::Result<Reply> {
    let Some(file) = file.filter(|u| !u.bytes.is_empty()) else {
        return Ok(refused(v, kind, said(v, MsgId::WebUploadNone)));
    };
    // Spreadsheets save UTF-8 with a byte-order mark; anything else that is not UTF-8 is
    // said to be so rather than read as garbage.
    let bytes = file
        .bytes
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(&file.bytes);
    let Ok(text) = std::str::from_utf8(bytes) else {
        let which = match kind {
            UploadKind::Calendar => "calendar",
            UploadKind::Donations => "donations",
        };
        let not_text = v.m(&Msg::new(MsgId::WebUploadNotText).str("kind", which));
        return Ok(refused(v, kind, html! { p class="error" { (not_text) } }));
    };
    let text = text.to_string();
    let request = match kind {
        UploadKind::Calendar => {
            let this = this_year(v);
            let year = match f.year.as_str() {
                "" => this,
                y => match y.parse::<i32>() {
                    Ok(y) if (this - 1..=this + 5).contains(&y) => y,
                    _ => return Ok(refused(v, kind, said(v, MsgId::WebUploadBadYear))),
                },
            };
            let csv = file.name.to_lowercase().ends_with(".csv");
            DriveRequest::ImportCalendar { text, csv, year }
        }
        UploadKind::Donations => DriveRequest::ImportDonations {
            text,
            accept_early: f.accept_early == "1",
        },
    };
    let staged = v
        .app
        .stage_file(v.session.identity_id, Request::Drive(request))
        .await?;
    let id = match staged {
        Outcome::Drive(DriveOutcome::FileRejected(errors)) => {
            return Ok(refused(v, kind, errors_list(v, &file.name, &errors)));
        }
        Outcome::Drive(DriveOutcome::FileStaged { id, .. }) => id,
        other => return not_as_asked(other),
    };
    // The service's `imports` part writes it; a file written within a few seconds is
    // answered as before, a longer one by its page, which follows it.
    v.app.imports_added().notify_one();
    let waited = std::time::Instant::now();
    while waited.elapsed() < WAIT {
        match v.app.file_progress(id).await? {
            Some(p) if p.state == FileState::Writing => {}
            Some(p) if p.state == FileState::Done => return Ok(written(kind, p.added)),
            _ => break,
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    Ok(Reply::Redirect(format!("/dashboard/upload/{id}")))
}

/// How long an upload's answer waits for its file to be written before showing its page.
const WAIT: std::time::Duration = std::time::Duration::from_secs(8);

/// Where a written file sends its uploader: the page it came from, with what it did.
fn written(kind: UploadKind, added: usize) -> Reply {
    Reply::Redirect(match kind {
        UploadKind::Calendar => format!("/dashboard/drives?ok=calendar-imported&n={added}"),
        UploadKind::Donations => format!("/dashboard/donations?ok=donations-imported&n={added}"),
    })
}

/// `GET /dashboard/upload/ID`: a file being written, followed live; `part` alone for the
/// script.
pub async fn file_page(v: &View<'_>, id: i64, part: bool) -> anyhow::Result<Reply> {
    let Outcome::Drive(DriveOutcome::FileProgress(p)) = v
        .ask(Request::Drive(DriveRequest::FileProgress { id }))
        .await?
    else {
        return Ok(Reply::NotFound);
    };
    let kind = if p.calendar {
        UploadKind::Calendar
    } else {
        UploadKind::Donations
    };
    let state = match p.state {
        FileState::Writing => html! {
            p role="status" {
                progress max=(p.total.max(1)) value=(p.done) {}
                " "
                (v.m(&Msg::new(MsgId::WebFileWriting)
                    .num("done", p.done as f64)
                    .num("total", p.total as f64)))
            }
        },
        FileState::Done => html! {
            p class="notice" role="status" {
                (v.m(&Msg::new(if p.calendar {
                    MsgId::WebCalendarImported
                } else {
                    MsgId::WebDonationsImported
                })
                .num("n", p.added as f64)))
            }
        },
        FileState::Failed => html! {
            p class="error" role="alert" {
                (v.m(&Msg::new(MsgId::WebFileFailed)
                    .num("done", p.done as f64)
                    .num("total", p.total as f64)))
            }
        },
    };
    if part {
        return Ok(Reply::Page(state));
    }
    let live = p.state == FileState::Writing;
    let body = html! {
        h2 { (v.t(MsgId::WebFileTitle)) }
        section aria-live="polite" data-live=[live.then(|| format!("/dashboard/upload/{id}/part"))] {
            (state)
        }
        p { a href=(kind.page().path()) { (v.t(MsgId::WebFileBack)) } }
    };
    Ok(Reply::Page(v.page_with(kind.page(), body, live)))
}
