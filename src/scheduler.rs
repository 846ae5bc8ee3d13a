//! The scheduler turns time into outbox rows; it never sends. Each [`tick`]:
//!
//! - runs the recurring jobs whose cron expression (configuration, `cron` crate, in the
//!   configured time zone) fell due since they last ran — "you may give again", campaign
//!   announcements, the 14/6 thank-you. A job missed while the process was down runs once at
//!   the next tick, over the days it missed;
//! - runs the one-shot jobs (rows with a due time: reminders, thanks) that are due.
//!
//! Every job is claimed in the transaction that enqueues its messages, and every message has
//! an idempotency key, so overlapping ticks (two processes, a restart in the middle) never
//! send anything twice, and a job not yet claimed when the process stops runs late rather
//! than never — unless its drive has started meanwhile. Quiet hours and `/pause` apply: the
//! rows go in the notice and bulk lanes, which the worker holds at night.

use crate::app::App;
use crate::app::{drive_card_plain, rows_for};
use crate::domain::dates::format_vn;
use crate::domain::drive::{DriveInfo, local_window, milestone};
use crate::domain::eligibility::{DonationKind, LastDonation};
use crate::messages::{Msg, MsgId};
use crate::store::{Job, JobKind, JobOutcome, Lane, NewMessage, OutboxKey, Recipient, Tx};
use chrono::{DateTime, Datelike, Days, NaiveDate, TimeZone, Utc};
use std::collections::{HashMap, HashSet};
use std::time::Duration;
use tokio::sync::watch;

/// Jobs taken per transaction.
const BATCH: i64 = 500;

/// A recurring job catches up at most this many days it missed.
const MAX_CATCH_UP_DAYS: u64 = 31;

/// What one tick did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tick {
    /// One-shot jobs claimed.
    pub jobs: usize,
    /// Outbox rows queued.
    pub messages: usize,
    /// Recurring jobs that ran.
    pub crons: Vec<&'static str>,
    /// Donors asked by call-out waves.
    pub asked: usize,
}

/// Run what is due at `now`.
pub async fn tick(app: &App, now: DateTime<Utc>) -> anyhow::Result<Tick> {
    let started = std::time::Instant::now();
    // Urgent call-outs first: expire, close, or ask the next wave.
    let mut t = Tick {
        asked: app.advance_callouts(now).await?,
        ..Tick::default()
    };
    run_crons(app, now, &mut t).await?;
    loop {
        let due = app.store().due_jobs(now.timestamp_millis(), BATCH).await?;
        let n = due.len();
        if n == 0 {
            break;
        }
        run_jobs(app, due, now, &mut t).await?;
        if (n as i64) < BATCH {
            break;
        }
    }
    if t.messages > 0 {
        app.outbox_added().notify_one();
    }
    app.metrics().ticks.inc();
    app.metrics()
        .tick_seconds
        .set(started.elapsed().as_secs_f64());
    Ok(t)
}

/// Tick every `scheduler.tick_ms` until `shutdown` (the `serve` and `chat` task).
pub async fn run(
    app: App,
    mut shutdown: watch::Receiver<bool>,
) -> (&'static str, anyhow::Result<()>) {
    let every = Duration::from_millis(app.config().scheduler.tick_ms);
    for n in 0u64.. {
        let span = tracing::info_span!("tick", n);
        if let Err(e) = tracing::Instrument::instrument(tick(&app, app.clock().now()), span).await {
            tracing::warn!(error = %format!("{e:#}"), "scheduler tick failed");
        }
        tokio::select! {
            _ = shutdown.wait_for(|stop| *stop) => return ("scheduler", Ok(())),
            _ = tokio::time::sleep(every) => {}
        }
    }
    ("scheduler", Ok(()))
}

fn start_of_day(day: NaiveDate, tz: chrono_tz::Tz) -> i64 {
    tz.from_local_datetime(&day.and_time(chrono::NaiveTime::MIN))
        .earliest()
        .map_or(0, |t| t.timestamp_millis())
}

async fn run_crons(app: &App, now: DateTime<Utc>, t: &mut Tick) -> anyhow::Result<()> {
    let cfg = app.config();
    let tz = cfg.timezone;
    let now_ms = now.timestamp_millis();
    let today = now.with_timezone(&tz).date_naive();
    // Most ticks nothing is due: that is seen from what was committed, without holding the
    // database (which would hold up every chat for the moment); a job that looks due is
    // seen again under the lock, where its row decides.
    let seen = app.store().cron_runs().await?;
    for (name, _, schedule) in &cfg.scheduler.crons {
        if seen
            .get(*name)
            .is_some_and(|&last_ms| !cron_due(schedule, last_ms, tz, now))
        {
            continue;
        }
        let mut tx = app.store().begin().await?;
        // The first time, the day starts the record: what fell due earlier today still runs.
        tx.touch_cron(name, start_of_day(today, tz)).await?;
        let last_ms = tx.cron_last(name).await?.unwrap_or(now_ms);
        let Some(last) = DateTime::from_timestamp_millis(last_ms) else {
            continue;
        };
        if !cron_due(schedule, last_ms, tz, now) {
            // The first sight is kept (a yearly job would otherwise come here every tick).
            tx.commit().await?;
            continue;
        }
        let last_day = last.with_timezone(&tz).date_naive();
        let rows = match *name {
            "eligible_again" => eligible_again(app, &mut tx, last_day, today, now).await?,
            "campaign_open" => campaign_open(app, &mut tx, today, now).await?,
            "honours_day" => honours_day(app, &mut tx, today, now).await?,
            "stock_alert" => app.stock_alerts(&mut tx, now).await?,
            _ => 0,
        };
        tx.set_cron_last(name, now_ms).await?;
        tx.commit().await?;
        t.messages += rows;
        t.crons.push(name);
    }
    Ok(())
}

/// Whether `schedule` fell due after its last run (`last_ms`) and by `now`.
fn cron_due(
    schedule: &cron::Schedule,
    last_ms: i64,
    tz: chrono_tz::Tz,
    now: DateTime<Utc>,
) -> bool {
    DateTime::from_timestamp_millis(last_ms).is_some_and(|last| {
        schedule
            .after(&last.with_timezone(&tz))
            .next()
            .is_some_and(|next| next.with_timezone(&Utc) <= now)
    })
}

/// The days after `last` up to `today` (at most a month of them).
fn days_since(last: NaiveDate, today: NaiveDate) -> Vec<NaiveDate> {
    let first = last.checked_add_days(Days::new(1)).unwrap_or(today).max(
        today
            .checked_sub_days(Days::new(MAX_CATCH_UP_DAYS))
            .unwrap_or(today),
    );
    first.iter_days().take_while(|d| *d <= today).collect()
}

/// "You may give again" to donors whose interval ended on one of the days since the last run,
/// with the next drives in their province.
async fn eligible_again(
    app: &App,
    tx: &mut Tx,
    last: NaiveDate,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> anyhow::Result<usize> {
    let rules = &app.config().rules;
    let now_ms = now.timestamp_millis();
    let mut by_kind = Vec::new();
    for day in days_since(last, today) {
        for kind in [
            DonationKind::WholeBlood,
            DonationKind::Platelets,
            DonationKind::Plasma,
        ] {
            let back = Days::new(rules.interval_days(kind));
            if let Some(last_donation) = day.checked_sub_days(back) {
                // Confirm with the same rule the profile uses.
                if rules.next_eligible(LastDonation::Given {
                    kind,
                    date: last_donation,
                }) == Some(day)
                {
                    by_kind.push((kind, last_donation, day));
                }
            }
        }
    }
    let pairs: Vec<(DonationKind, NaiveDate)> = by_kind.iter().map(|(k, d, _)| (*k, *d)).collect();
    let donors = tx.eligible_again(&pairs).await?;
    let mut drives_by_province: HashMap<String, Vec<DriveInfo>> = HashMap::new();
    let mut rows: Vec<NewMessage> = Vec::new();
    for (donor, province, r) in &donors {
        let drives = match province {
            Some(p) => {
                if !drives_by_province.contains_key(p) {
                    let list = tx
                        .drives_for(None, Some(p), now_ms, now_ms, 6)
                        .await?
                        .into_iter()
                        .filter(|d| &d.province == p && !d.full())
                        .take(3)
                        .collect();
                    drives_by_province.insert(p.clone(), list);
                }
                drives_by_province[p].clone()
            }
            None => Vec::new(),
        };
        let lines: Vec<String> = drives.iter().map(|d| drive_card_plain(app, d)).collect();
        let msg = Msg::new(MsgId::EligibleAgain).opt("drives", lines.join("\n"));
        rows.extend(rows_for(
            app,
            r,
            msg,
            &OutboxKey::EligibleAgain {
                donor: *donor,
                day: today,
            },
            Lane::Notice,
            now_ms,
        )?);
    }
    tx.enqueue(&rows, now_ms).await?;
    Ok(rows.len())
}

/// A campaign under way and not yet announced is announced to the donors of its drives'
/// provinces who may give by its last drive.
async fn campaign_open(
    app: &App,
    tx: &mut Tx,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> anyhow::Result<usize> {
    let cfg = app.config();
    let now_ms = now.timestamp_millis();
    let mut total = 0;
    // Every campaign under way that was not announced yet: one that opened today, one the
    // process was down for, and one loaded after its opening day. Each once (its mark, and
    // the messages' idempotency keys); one with no drive to come yet waits for its drives.
    for c in tx.campaigns_to_announce(today).await? {
        let drives = tx.campaign_drives(c.id, now_ms).await?;
        let Some(last_drive) = drives.last() else {
            continue;
        };
        tx.mark_announced(c.id, now_ms).await?;
        let by = local_window(last_drive.starts_at, last_drive.ends_at, cfg.timezone).0;
        let mut provinces: Vec<String> = drives.iter().map(|d| d.province.clone()).collect();
        provinces.sort();
        provinces.dedup();
        let back = |k| {
            by.checked_sub_days(Days::new(cfg.rules.interval_days(k)))
                .unwrap_or(by)
        };
        let audience = tx
            .announce_audience(
                &provinces,
                back(DonationKind::WholeBlood),
                back(DonationKind::Platelets),
            )
            .await?;
        let mut rows: Vec<NewMessage> = Vec::new();
        for (_, province, r) in &audience {
            // Each person sees the drives of their own province.
            let lines: Vec<String> = drives
                .iter()
                .filter(|d| &d.province == province)
                .take(8)
                .map(|d| drive_card_plain(app, d))
                .collect();
            let msg = Msg::new(MsgId::CampaignAnnounce)
                .str("name", c.name.clone())
                .str("from", format_vn(c.starts_on))
                .str("to", format_vn(c.ends_on))
                .opt("note", "")
                .str("drives", lines.join("\n"));
            rows.extend(rows_for(
                app,
                r,
                msg,
                &OutboxKey::CampaignAnnounce { campaign: c.id },
                Lane::Bulk,
                now_ms,
            )?);
        }
        let donors: Vec<(i64, &str)> = audience.iter().map(|(d, p, _)| (*d, p.as_str())).collect();
        tx.add_reach(c.id, &donors, now_ms).await?;
        tx.enqueue(&rows, now_ms).await?;
        total += rows.len();
    }
    Ok(total)
}

/// The 14/6 thank-you, once a year, to every donor who has given.
async fn honours_day(
    app: &App,
    tx: &mut Tx,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> anyhow::Result<usize> {
    let now_ms = now.timestamp_millis();
    let audience = tx.honours_audience().await?;
    let mut rows: Vec<NewMessage> = Vec::new();
    for (_, r) in &audience {
        rows.extend(rows_for(
            app,
            r,
            Msg::new(MsgId::HonoursDay),
            &OutboxKey::Honours { year: today.year() },
            Lane::Bulk,
            now_ms,
        )?);
    }
    tx.enqueue(&rows, now_ms).await?;
    Ok(rows.len())
}

/// One batch of due one-shot jobs, in one transaction.
async fn run_jobs(
    app: &App,
    due: Vec<Job>,
    now: DateTime<Utc>,
    t: &mut Tick,
) -> anyhow::Result<()> {
    let cfg = app.config();
    let tz = cfg.timezone;
    let now_ms = now.timestamp_millis();
    let mut tx = app.store().begin().await?;
    let ids: Vec<i64> = due.iter().map(|j| j.id).collect();
    let claimed: HashSet<i64> = tx.claim_jobs(&ids, now_ms).await?.into_iter().collect();
    let jobs: Vec<&Job> = due.iter().filter(|j| claimed.contains(&j.id)).collect();
    let mut donors: Vec<i64> = jobs.iter().filter_map(|j| j.donor_id).collect();
    donors.sort_unstable();
    donors.dedup();
    let mut drive_ids: Vec<i64> = jobs.iter().filter_map(|j| j.drive_id).collect();
    drive_ids.sort_unstable();
    drive_ids.dedup();
    let drives = tx.drives_by_id(&drive_ids).await?;
    let recipients: HashMap<i64, Recipient> = tx.recipients(&donors).await?;
    let paused: HashSet<i64> = tx.paused_among(&donors).await?.into_iter().collect();

    let mut rows: Vec<NewMessage> = Vec::new();
    let mut outcomes: Vec<(i64, JobOutcome)> = Vec::new();
    for job in &jobs {
        let (Some(donor), Some(r)) = (job.donor_id, job.donor_id.and_then(|d| recipients.get(&d)))
        else {
            outcomes.push((job.id, JobOutcome::Unreachable));
            continue;
        };
        if paused.contains(&donor) {
            outcomes.push((job.id, JobOutcome::Paused));
            continue;
        }
        let msg = match job.kind {
            Some(JobKind::Reminder) => match job.drive_id.and_then(|id| drives.get(&id)) {
                Some(d) => reminder(&mut tx, d, donor, now, tz).await?,
                None => Err(JobOutcome::Expired),
            },
            Some(JobKind::Thanks) => thanks(app, &mut tx, job, donor).await?,
            None => {
                tracing::warn!(job = job.id, "a job of an unknown kind: skipped");
                Err(JobOutcome::Unknown)
            }
        };
        let msg = match msg {
            Ok(msg) => msg,
            Err(outcome) => {
                outcomes.push((job.id, outcome));
                continue;
            }
        };
        rows.extend(rows_for(
            app,
            r,
            msg,
            &OutboxKey::Job { key: &job.key },
            Lane::Notice,
            now_ms,
        )?);
    }
    for (id, outcome) in &outcomes {
        tx.job_outcome(*id, *outcome).await?;
    }
    tx.enqueue(&rows, now_ms).await?;
    tx.commit().await?;
    t.jobs += jobs.len();
    t.messages += rows.len();
    Ok(())
}

/// A sign-up's reminder, or why it is not sent (the drive cancelled or begun, the sign-up
/// withdrawn).
async fn reminder(
    tx: &mut Tx,
    d: &DriveInfo,
    donor: i64,
    now: DateTime<Utc>,
    tz: chrono_tz::Tz,
) -> anyhow::Result<Result<Msg, JobOutcome>> {
    if d.cancelled || d.starts_at <= now.timestamp_millis() {
        return Ok(Err(JobOutcome::Expired));
    }
    let Some(slot) = tx.active_signup(d.id, donor).await? else {
        return Ok(Err(JobOutcome::Cancelled));
    };
    let (day, mut w) = local_window(d.starts_at, d.ends_at, tz);
    // A sign-up for a slot is reminded of the slot's hours.
    if let Some(s) = slot.and_then(|id| d.slots.iter().find(|s| s.id == id)) {
        w = local_window(s.starts_at, s.ends_at, tz).1;
    }
    let days = (day - now.with_timezone(&tz).date_naive()).num_days();
    Ok(Ok(Msg::new(MsgId::ReminderDrive)
        .str(
            "when",
            match days {
                0 => "today",
                1 => "tomorrow",
                _ => "other",
            },
        )
        .num("days", days as f64)
        .str("date", format_vn(day))
        .str("time", w.label())
        .str("place", d.place.clone())))
}

/// The thank-you after a recorded donation (the first, a milestone, any other), or why it
/// is not sent (the donation was removed).
async fn thanks(
    app: &App,
    tx: &mut Tx,
    job: &Job,
    donor: i64,
) -> anyhow::Result<Result<Msg, JobOutcome>> {
    let cfg = app.config();
    let donation = match job.ref_id {
        Some(id) => tx.donation(id).await?,
        None => None,
    };
    let Some((_, date, kind)) = donation else {
        return Ok(Err(JobOutcome::Expired));
    };
    let repeat = match job.ref_id {
        Some(id) => tx.donation_is_repeat(id).await?,
        None => false,
    };
    let (verified, _) = tx.donation_count(donor).await?;
    let next = cfg
        .rules
        .next_eligible(LastDonation::Given { kind, date })
        .map(format_vn)
        .unwrap_or_default();
    // The first donation ever (as decided when it was recorded): the certificate; a donor
    // who had given before is thanked for this one.
    let id = if !repeat {
        MsgId::ThanksFirst
    } else if verified > 1 && milestone(verified, &cfg.scheduler.milestones) {
        MsgId::ThanksMilestone
    } else {
        MsgId::ThanksDonation
    };
    Ok(Ok(Msg::new(id)
        .str("date", format_vn(date))
        .str("next", next)
        .num("count", verified as f64)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_kinds_read_back_as_stored_and_an_unknown_one_is_none() {
        for k in [JobKind::Reminder, JobKind::Thanks] {
            assert_eq!(JobKind::from_code(k.code()), Some(k));
        }
        assert_eq!(JobKind::from_code("reminder"), Some(JobKind::Reminder));
        assert_eq!(JobKind::from_code("Reminder"), None);
        assert_eq!(JobKind::from_code("survey"), None);
        assert_eq!(JobOutcome::Expired.code(), "expired");
    }

    #[test]
    fn catch_up_covers_the_missed_days_and_no_more_than_a_month() {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        assert_eq!(days_since(d(11, 20), d(11, 22)), vec![d(11, 21), d(11, 22)]);
        assert_eq!(days_since(d(11, 22), d(11, 22)), Vec::<NaiveDate>::new());
        assert_eq!(days_since(d(1, 1), d(11, 22)).len(), 32);
    }
}
