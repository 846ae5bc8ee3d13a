//! Files written in steps: a calendar or a blood centre's donations, uploaded on the
//! dashboard or given to the command line.
//!
//! A file is first checked whole in a read-only transaction that holds up no one (every line
//! read, every donor found, every rule applied): with any error, nothing is written and every
//! error is answered by its line. A checked file is then staged (one row in `imports`, with
//! what is left to write: donors by id, never a phone) and written in short steps, each one
//! transaction under the write lock with the file's progress in it, so chat, the scheduler
//! and the other instances take turns with it. A crash or a stop leaves the file's progress
//! exact; whoever runs next resumes it (the service's `imports` part at start): never a line
//! twice, never a line lost. While it is being written, what is already written counts.

use super::App;
use crate::domain::audit::AuditAction;
use crate::domain::campaign::{Calendar, FileError};
use crate::domain::donation::DonationImport;
use crate::domain::province::Province;
use crate::domain::scope::Scope;
use crate::engine::drive::{FileProgress, FileState};
use crate::engine::{DriveOutcome, DriveRequest, Outcome, Request};
use crate::store::{ImportRow, Tx};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant};

/// One checked line of a centre's file, as it is staged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DonationStep {
    pub donor: i64,
    pub date: NaiveDate,
    pub kind: String,
    pub drive: Option<i64>,
    pub unit: Option<i64>,
    pub volume_ml: Option<i64>,
}

/// What a staged file holds: a calendar is kept as its text (no personal data, read again
/// to resume), donations as their checked steps.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Work {
    Calendar {
        year: i32,
        csv: bool,
        text: String,
        /// The province its new campaigns belong to (staff of one province staged it);
        /// none: national campaigns (staged by national staff, or before issue 33).
        #[serde(default)]
        province: Option<String>,
    },
    Donations {
        steps: Vec<DonationStep>,
    },
}

/// One step of a calendar: its campaigns first, then their drives, then each fixed point
/// and its open days (indexes into the calendar read).
#[derive(Debug, Clone, Copy)]
enum CalendarStep {
    Campaign(usize),
    Drive(usize, usize),
    Point(usize),
    PointDay(usize, NaiveDate),
}

/// A staged file, ready to write.
enum Prepared {
    Calendar {
        year: i32,
        calendar: Calendar,
        steps: Vec<CalendarStep>,
        province: Option<Province>,
    },
    Donations {
        steps: Vec<DonationStep>,
    },
}

impl Prepared {
    fn len(&self) -> usize {
        match self {
            Prepared::Calendar { steps, .. } => steps.len(),
            Prepared::Donations { steps } => steps.len(),
        }
    }

    fn calendar(year: i32, calendar: Calendar, province: Option<Province>) -> Prepared {
        let mut steps = Vec::new();
        steps.extend((0..calendar.campaigns.len()).map(CalendarStep::Campaign));
        for (i, c) in calendar.campaigns.iter().enumerate() {
            steps.extend((0..c.drives.len()).map(|j| CalendarStep::Drive(i, j)));
        }
        for (k, p) in calendar.fixed_points.iter().enumerate() {
            steps.push(CalendarStep::Point(k));
            steps.extend(
                p.open_days()
                    .into_iter()
                    .map(|d| CalendarStep::PointDay(k, d)),
            );
        }
        Prepared::Calendar {
            year,
            calendar,
            steps,
            province,
        }
    }

    /// What the whole file did, once written (`added` as counted step by step).
    fn outcome(&self, added: usize) -> DriveOutcome {
        match self {
            Prepared::Calendar { calendar, .. } => DriveOutcome::CalendarImported {
                campaigns: calendar.campaigns.len(),
                points: calendar.fixed_points.len(),
                drives: added,
            },
            Prepared::Donations { steps } => {
                let donors: std::collections::HashSet<i64> =
                    steps.iter().map(|s| s.donor).collect();
                DriveOutcome::DonationsImported(DonationImport {
                    lines: steps.len(),
                    added,
                    donors: donors.len(),
                })
            }
        }
    }

    fn audit(&self) -> (AuditAction, String) {
        match self {
            Prepared::Calendar { year, .. } => {
                (AuditAction::CalendarImport, format!("calendar:{year}"))
            }
            Prepared::Donations { .. } => {
                (AuditAction::DonationsImport, "donations:file".to_string())
            }
        }
    }
}

/// A step ends after this many lines or this long, whichever comes first: long enough that
/// committing is a small part of it, short enough that a reply waiting for the writer is not
/// noticed.
const STEP_LINES: usize = 2_000;
const STEP_TIME: Duration = Duration::from_millis(40);

/// A step that fails this many times in a row sets the file aside (each failure logged).
const STEP_TRIES: u32 = 3;

impl App {
    /// Check a file request whole for the account `identity_id` (the same permission table
    /// as everything else), writing nothing; stage it if it is right. The outcome is the
    /// refusal, the file's errors by line, or [`DriveOutcome::FileStaged`].
    pub async fn stage_file(&self, identity_id: i64, request: Request) -> anyhow::Result<Outcome> {
        let now = self.clock().now();
        let mut tx = self.store().begin_read().await?;
        let Some((donor_id, registered)) = tx.donor_of_identity(identity_id).await? else {
            return Ok(Outcome::Refused);
        };
        let who = super::permission::Actor {
            identity_id,
            donor_id,
            registered,
        };
        let roles = tx.roles_of(identity_id).await?;
        if !self.permitted(&mut tx, &who, &roles, &request).await? {
            return Ok(Outcome::Refused);
        }
        let actor = tx.account_ref(identity_id).await?;
        let Request::Drive(request) = request else {
            return Ok(Outcome::Refused);
        };
        let checked = self
            .check_file(&mut tx, request, now, roles.staff_in)
            .await?;
        drop(tx);
        Ok(Outcome::Drive(match checked {
            Err(errors) => DriveOutcome::FileRejected(errors),
            Ok(work) => self.stage(&actor, work).await?,
        }))
    }

    /// [`App::stage_file`] for the command line (audited as `cli`, no account).
    pub async fn stage_file_as_cli(&self, request: DriveRequest) -> anyhow::Result<DriveOutcome> {
        let now = self.clock().now();
        let mut tx = self.store().begin_read().await?;
        let checked = self
            .check_file(&mut tx, request, now, Scope::NATION)
            .await?;
        drop(tx);
        Ok(match checked {
            Err(errors) => DriveOutcome::FileRejected(errors),
            Ok(work) => self.stage("cli", work).await?,
        })
    }

    /// A file for the command line: checked, staged and written to its end.
    pub async fn import_file_as_cli(&self, request: DriveRequest) -> anyhow::Result<DriveOutcome> {
        match self.stage_file_as_cli(request).await? {
            DriveOutcome::FileStaged { id, .. } => match self.write_import(id).await? {
                Some(done) => Ok(done),
                None => anyhow::bail!("the file could not be written (see the logs)"),
            },
            other => Ok(other),
        }
    }

    /// Read and check a file request in a read-only transaction.
    /// Staff of some provinces (`scope`) stage only what is theirs: a calendar's drives and
    /// fixed points in their provinces, under campaign and point names no other province
    /// (nor the national calendar) holds that year; a centre's lines at their drives, or of
    /// their provinces' donors. Every other line is an error by its line.
    async fn check_file(
        &self,
        tx: &mut Tx,
        request: DriveRequest,
        now: chrono::DateTime<chrono::Utc>,
        scope: Scope,
    ) -> anyhow::Result<Result<Work, Vec<FileError>>> {
        Ok(match request {
            DriveRequest::ImportCalendar { text, csv, year } => {
                match self.check_calendar(tx, &text, csv, year).await? {
                    Err(e) => Err(e),
                    Ok(calendar) => {
                        let errors = calendar_outside(tx, &calendar, &text, year, scope).await?;
                        if errors.is_empty() {
                            Ok(Work::Calendar {
                                year,
                                csv,
                                text,
                                province: scope.single().map(|p| p.code().to_string()),
                            })
                        } else {
                            Err(errors)
                        }
                    }
                }
            }
            DriveRequest::ImportDonations { text, accept_early } => self
                .check_donations(tx, &text, accept_early, now, scope)
                .await?
                .map(|steps| Work::Donations { steps }),
            other => anyhow::bail!("not a file: {other:?}"),
        })
    }

    /// Stage a checked file (one short write).
    async fn stage(&self, actor: &str, work: Work) -> anyhow::Result<DriveOutcome> {
        let (kind, total) = match &work {
            Work::Calendar {
                year, csv, text, ..
            } => {
                // Read again here only to count its steps (reading is linear, well under a
                // second for 4 MB).
                let calendar = self.read_calendar(*year, *csv, text).await?;
                ("calendar", Prepared::calendar(*year, calendar, None).len())
            }
            Work::Donations { steps } => ("donations", steps.len()),
        };
        let json = serde_json::to_string(&work)?;
        let mut tx = self.store().begin().await?;
        tx.lock_for_write().await?;
        let id = tx
            .stage_import(
                kind,
                actor,
                &json,
                total,
                self.clock().now().timestamp_millis(),
            )
            .await?;
        tx.commit().await?;
        tracing::info!(import = id, kind, steps = total, "file checked and staged");
        Ok(DriveOutcome::FileStaged { id, lines: total })
    }

    /// A calendar's text read again (it was checked when staged).
    async fn read_calendar(&self, year: i32, csv: bool, text: &str) -> anyhow::Result<Calendar> {
        let mut tx = self.store().begin_read().await?;
        match self.check_calendar(&mut tx, text, csv, year).await? {
            Ok(c) => Ok(c),
            Err(e) => anyhow::bail!(
                "a staged calendar no longer reads ({} errors, the first on line {})",
                e.len(),
                e.first().map_or(0, |e| e.line)
            ),
        }
    }

    async fn prepare(&self, row: &ImportRow) -> anyhow::Result<Option<Prepared>> {
        let Some(work) = &row.work else {
            return Ok(None);
        };
        Ok(Some(match serde_json::from_str::<Work>(work)? {
            Work::Calendar {
                year,
                csv,
                text,
                province,
            } => Prepared::calendar(
                year,
                self.read_calendar(year, csv, &text).await?,
                province.as_deref().and_then(Province::from_code),
            ),
            Work::Donations { steps } => Prepared::Donations { steps },
        }))
    }

    /// Write a staged file to its end, step by step, and say what it did (`None` if it is
    /// gone or was set aside). Safe beside another writer of the same file: each step checks
    /// the progress it starts from under the write lock. Dropped mid-step (a request that
    /// timed out, a stop), the step is rolled back and the file resumes there.
    pub async fn write_import(&self, id: i64) -> anyhow::Result<Option<DriveOutcome>> {
        let Some(row) = self.store().import(id, true).await? else {
            return Ok(None);
        };
        let Some(prepared) = self.prepare(&row).await? else {
            return self.import_outcome(id).await;
        };
        let mut failures = 0;
        loop {
            match self.write_some(&row, &prepared).await {
                Ok(Some(added)) => return Ok(Some(prepared.outcome(added))),
                Ok(None) => {
                    failures = 0;
                    // Others waiting for the writer go first.
                    tokio::task::yield_now().await;
                }
                Err(e) if e.to_string() == GONE => return self.import_outcome(id).await,
                Err(e) => {
                    failures += 1;
                    tracing::warn!(import = id, error = %format!("{e:#}"), failures, "a step of a file failed");
                    if failures >= STEP_TRIES {
                        let now = self.clock().now().timestamp_millis();
                        self.store().fail_import(id, &format!("{e:#}"), now).await?;
                        return Ok(None);
                    }
                    tokio::time::sleep(Duration::from_millis(200 * u64::from(failures))).await;
                }
            }
        }
    }

    /// One step: `Some(added in all)` when it was the last.
    async fn write_some(
        &self,
        row: &ImportRow,
        prepared: &Prepared,
    ) -> anyhow::Result<Option<usize>> {
        let mut tx = self.store().begin().await?;
        tx.lock_for_write().await?;
        let Some(from) = tx.import_done(row.id).await? else {
            anyhow::bail!(GONE);
        };
        let now = self.clock().now();
        let total = prepared.len();
        let started = Instant::now();
        let mut at = from as usize;
        let mut added = 0;
        while at < total && at - (from as usize) < STEP_LINES && started.elapsed() < STEP_TIME {
            added += usize::from(self.write_step(&mut tx, prepared, at, now).await?);
            at += 1;
        }
        let last = at >= total;
        let now_ms = now.timestamp_millis();
        let moved = tx
            .advance_import(row.id, from, at as i64, added as i64, now_ms)
            .await?;
        if !moved {
            // Another writer of this file went first: this step is theirs.
            return Ok(None);
        }
        let mut all = None;
        if last {
            let added_all = tx.import_added(row.id).await? as usize;
            let (action, target) = prepared.audit();
            tx.audit(&row.actor, action, &target, Some(added_all as i64), now_ms)
                .await?;
            all = Some(added_all);
        }
        tx.commit().await?;
        self.outbox_added().notify_one();
        Ok(all)
    }

    /// Write step `at` of a file: `true` if it added a drive or a donation.
    async fn write_step(
        &self,
        tx: &mut Tx,
        prepared: &Prepared,
        at: usize,
        now: chrono::DateTime<chrono::Utc>,
    ) -> anyhow::Result<bool> {
        let tz = self.config().timezone;
        let now_ms = now.timestamp_millis();
        match prepared {
            Prepared::Donations { steps } => self.record_step(tx, &steps[at], now).await,
            Prepared::Calendar {
                year,
                calendar,
                steps,
                province,
            } => {
                match steps[at] {
                    CalendarStep::Campaign(i) => {
                        tx.write_campaign(*year, &calendar.campaigns[i], *province, now_ms)
                            .await?;
                        return Ok(false);
                    }
                    CalendarStep::Drive(i, j) => {
                        let c = &calendar.campaigns[i];
                        tx.write_campaign_drive(*year, &c.name, &c.drives[j], tz, now_ms)
                            .await?;
                    }
                    CalendarStep::Point(k) => {
                        tx.write_fixed_point(&calendar.fixed_points[k], now_ms)
                            .await?;
                        return Ok(false);
                    }
                    CalendarStep::PointDay(k, day) => {
                        tx.write_point_day(*year, &calendar.fixed_points[k], day, tz, now_ms)
                            .await?;
                    }
                }
                Ok(true)
            }
        }
    }

    /// What a file came to: written (its outcome from its row), or `None` while it is
    /// being written, set aside or unknown.
    async fn import_outcome(&self, id: i64) -> anyhow::Result<Option<DriveOutcome>> {
        let Some(p) = self.file_progress(id).await? else {
            return Ok(None);
        };
        Ok(match p.state {
            FileState::Done if p.calendar => Some(DriveOutcome::CalendarImported {
                campaigns: 0,
                points: 0,
                drives: p.added,
            }),
            FileState::Done => Some(DriveOutcome::DonationsImported(DonationImport {
                lines: p.total,
                added: p.added,
                donors: 0,
            })),
            _ => None,
        })
    }

    /// How far a staged file is written.
    pub async fn file_progress(&self, id: i64) -> anyhow::Result<Option<FileProgress>> {
        Ok(self.store().import(id, false).await?.map(|r| FileProgress {
            id: r.id,
            calendar: r.kind == "calendar",
            total: r.total as usize,
            done: r.done as usize,
            added: r.added as usize,
            state: match r.state.as_str() {
                "done" => FileState::Done,
                "writing" => FileState::Writing,
                _ => FileState::Failed,
            },
        }))
    }

    /// The service's part: write every staged file to its end (those left by a crash or a
    /// stop first), then wait for the next one, until `shutdown`. A step cut by the stop is
    /// rolled back; the file resumes at the next start.
    pub async fn write_imports(
        &self,
        mut shutdown: tokio::sync::watch::Receiver<bool>,
    ) -> anyhow::Result<()> {
        let added = self.imports_added();
        loop {
            for id in self.store().unfinished_imports().await? {
                tokio::select! {
                    r = self.write_import(id) => {
                        if let Err(e) = r {
                            tracing::warn!(import = id, error = %format!("{e:#}"), "writing a file");
                        }
                    }
                    _ = shutdown.wait_for(|stop| *stop) => return Ok(()),
                }
            }
            tokio::select! {
                _ = added.notified() => {}
                // Another instance's file, or one this instance could not finish.
                _ = tokio::time::sleep(Duration::from_secs(30)) => {}
                _ = shutdown.wait_for(|stop| *stop) => return Ok(()),
            }
        }
    }
}

/// A step's file is no longer being written (done by another writer, or set aside).
const GONE: &str = "the file is no longer being written";

/// What of a calendar is outside the staff `scope` (nothing for national staff): a drive or
/// fixed point of another province, a campaign or fixed point whose name another province
/// (or the national calendar) already holds — writing it would change theirs. Each error
/// is on the line that names it (the first line holding its name or place).
async fn calendar_outside(
    tx: &mut Tx,
    calendar: &Calendar,
    text: &str,
    year: i32,
    scope: Scope,
) -> anyhow::Result<Vec<FileError>> {
    let mut errors = Vec::new();
    if scope.is_nation() {
        return Ok(errors);
    }
    let line_of = |needle: &str| {
        text.lines()
            .position(|l| l.contains(needle))
            .map_or(1, |i| i + 1)
    };
    let places = calendar
        .campaigns
        .iter()
        .flat_map(|c| c.drives.iter().map(|d| (d.place.as_str(), d.province)))
        .chain(
            calendar
                .fixed_points
                .iter()
                .map(|p| (p.place.as_str(), p.province)),
        );
    for (place, province) in places {
        if !scope.covers(Some(province)) {
            errors.push(FileError {
                line: line_of(place),
                message: format!("{place}: {} is not a province you manage", province.name()),
            });
        }
    }
    for c in &calendar.campaigns {
        if tx.campaign_held_outside(year, &c.name, scope).await? {
            errors.push(FileError {
                line: line_of(&c.name),
                message: format!(
                    "campaign {:?} of {year} belongs to another province or to the national \
                     calendar: give yours its own name (e.g. with your province's)",
                    c.name
                ),
            });
        }
    }
    for p in &calendar.fixed_points {
        if tx.point_held_outside(&p.name, scope).await? {
            errors.push(FileError {
                line: line_of(&p.name),
                message: format!(
                    "fixed point {:?} belongs to another province: give yours its own name",
                    p.name
                ),
            });
        }
    }
    errors.sort_by_key(|e| e.line);
    Ok(errors)
}
