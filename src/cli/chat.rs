//! `hienmau chat`: the terminal chat, its demo clock and the demo year.

use super::parse_now;
use crate::app::{App, OffsetClock, SystemClock};
use crate::channels::terminal::{self, TerminalOut};
use crate::channels::{Channel, ChannelKind};
use crate::config::Config;
use crate::delivery::{Transport, Worker};
use crate::service;
use crate::store::Scope;
use anyhow::Context;
use chrono::{DateTime, Utc};
use std::io::IsTerminal;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncBufRead, AsyncBufReadExt};
use tokio::sync::watch;

/// `hienmau chat [--user U] [--now T] [--demo]`: the terminal chat on this database, with
/// the demo's shared clock and, with `--demo`, the example year and its dashboard.
pub(super) async fn terminal(
    config: Config,
    user: &str,
    now: Option<DateTime<Utc>>,
    demo: bool,
) -> anyhow::Result<()> {
    let clock = Arc::new(OffsetClock::new(chrono::Duration::zero()));
    // The demo's dashboard sessions and links follow real time, so `/clock +3d`
    // neither signs the browser out nor refuses `hienmau dashboard link`.
    let app = App::open_with_sign_in_clock(config, clock.clone(), Arc::new(SystemClock)).await?;
    // One clock for every terminal on this database: --now moves it forward (for
    // all), never back; a terminal opened later follows it.
    let shared = app.store().demo_offset().await?;
    let wanted = now.map(|t| ms_up(t - Utc::now()));
    let offset = match wanted {
        Some(ms) => Some(app.store().advance_demo_offset(ms).await?),
        None => shared,
    };
    if let Some(ms) = offset {
        clock.set(chrono::Duration::milliseconds(ms));
    }
    if let (Some(w), Some(o)) = (wanted, offset) {
        // More than a minute later than asked: another terminal moved it on.
        if o - w > 60_000 {
            let local = app.clock().now().with_timezone(&app.config().timezone);
            eprintln!(
                "{}",
                app.catalogue().render(
                    app.config().language,
                    &crate::messages::Msg::new(crate::messages::MsgId::DemoClockAhead)
                        .str("now", local.format("%d/%m/%Y %H:%M").to_string())
                )
            );
        }
    }
    // The demo's web dashboard runs as long as this chat does.
    let mut web = tokio::task::JoinSet::new();
    let (web_stop, web_rx) = watch::channel(false);
    if demo {
        eprintln!("{}", load_demo(&app).await?);
        eprintln!("{}", demo_dashboard(&app, &mut web, web_rx).await?);
    }
    let stdin = tokio::io::BufReader::new(tokio::io::stdin());
    let interactive = std::io::stdin().is_terminal();
    let r = chat(
        app,
        user,
        stdin,
        TerminalOut::stdout(),
        interactive,
        Some(clock),
    )
    .await;
    let _ = web_stop.send(true);
    while web.join_next().await.is_some() {}
    r
}

/// The terminal chat: each line typed is one message; every reply is printed before the
/// next line is read, so a piped script and its answers interleave predictably.
pub async fn chat(
    app: App,
    user: &str,
    input: impl AsyncBufRead + Unpin,
    out: TerminalOut,
    interactive: bool,
    clock: Option<Arc<OffsetClock>>,
) -> anyhow::Result<()> {
    let user = user.trim();
    anyhow::ensure!(!user.is_empty(), "--user must not be empty");
    let scope = Scope::Chat {
        channel: Channel::of(ChannelKind::Terminal),
        chat_id: user.to_string(),
    };
    let worker = Worker::new(
        app.clone(),
        scope.clone(),
        vec![Transport::Terminal(out.clone())],
    );
    let mut delivered = worker.delivered();
    let (stop, stop_rx) = watch::channel(false);
    app.apply_config_admins().await?;
    let reports = tokio::spawn(service::report_broadcasts(app.clone(), stop_rx.clone()));
    let scheduler = tokio::spawn(crate::scheduler::run(app.clone(), stop_rx.clone()));
    let worker = tokio::spawn(worker.run(stop_rx.clone()));

    // Another terminal on this database may move the shared demo clock: follow it.
    let follow = clock
        .clone()
        .map(|c| tokio::spawn(follow_demo_clock(app.clone(), c, stop_rx.clone())));
    // What fell due while nobody was chatting (reminders, thanks) comes first.
    crate::scheduler::tick(&app, app.clock().now()).await?;
    app.handle(terminal::inbound(user, "/start")).await?;
    if interactive {
        let lang = app.store().identity_lang("terminal", user).await?;
        let quit = app.catalogue().render(
            lang,
            &crate::messages::Msg::new(crate::messages::MsgId::TerminalQuit),
        );
        eprintln!("{quit}");
    }
    let mut input = input;
    loop {
        wait_until_delivered(&app, &scope, &mut delivered).await?;
        if interactive {
            out.prompt("> ");
        }
        let Some(line) = read_line(&app, user, &mut input, &out).await? else {
            break;
        };
        let line = line.trim_end_matches(['\r', '\n']).to_string();
        if line.trim().is_empty() {
            continue;
        }
        if matches!(
            line.trim().to_lowercase().as_str(),
            "/quit" | "/exit" | "/thoat" | "/thoát"
        ) {
            break;
        }
        if let Some(arg) = clock_command(&line) {
            let msg = demo_clock(&app, clock.as_deref(), arg).await?;
            let lang = app.store().identity_lang("terminal", user).await?;
            let _ = out.write_raw(&format!("{}\n\n", app.catalogue().render(lang, &msg)));
            continue;
        }
        app.handle(terminal::inbound(user, &line)).await?;
    }
    wait_until_delivered(&app, &scope, &mut delivered).await?;
    let _ = stop.send(true);
    if let Some(f) = follow {
        let _ = f.await;
    }
    worker.await.context("delivery worker")??;
    reports.await.context("broadcast reports")?.1?;
    scheduler.await.context("scheduler")?.1?;
    Ok(())
}

/// The next line typed, `None` at the end of the input. A byte that is not UTF-8 (a
/// terminal in another encoding, a stray paste) must not end the chat: it becomes U+FFFD
/// and the person is told.
async fn read_line(
    app: &App,
    user: &str,
    input: &mut (impl AsyncBufRead + Unpin),
    out: &TerminalOut,
) -> anyhow::Result<Option<String>> {
    let mut raw = Vec::new();
    if input
        .read_until(b'\n', &mut raw)
        .await
        .context("reading the terminal")?
        == 0
    {
        return Ok(None);
    }
    out.line_read();
    Ok(Some(match String::from_utf8(raw) {
        Ok(l) => l,
        Err(e) => {
            let lang = app.store().identity_lang("terminal", user).await?;
            let note = app.catalogue().render(
                lang,
                &crate::messages::Msg::new(crate::messages::MsgId::TerminalBadBytes),
            );
            let _ = out.write_raw(&format!("{note}\n\n"));
            String::from_utf8_lossy(e.as_bytes()).into_owned()
        }
    }))
}

/// Keep this terminal's demo clock at the shared one (another terminal may move it).
async fn follow_demo_clock(app: App, c: Arc<OffsetClock>, mut stop: watch::Receiver<bool>) {
    loop {
        if let Ok(Some(ms)) = app.store().demo_offset().await {
            c.catch_up(chrono::Duration::milliseconds(ms));
        }
        tokio::select! {
            _ = tokio::time::sleep(std::time::Duration::from_millis(500)) => {}
            _ = stop.changed() => return,
        }
    }
}

/// `/clock ARG`: the demo clock moved on by `arg` (reminders due by then run now), or where
/// it stands; what to tell the person.
async fn demo_clock(
    app: &App,
    clock: Option<&OffsetClock>,
    arg: &str,
) -> anyhow::Result<crate::messages::Msg> {
    use crate::messages::{Msg, MsgId};
    if let (Some(c), Some(ms)) = (clock, app.store().demo_offset().await?) {
        c.catch_up(chrono::Duration::milliseconds(ms));
    }
    let tz = app.config().timezone;
    let local = |t: DateTime<Utc>| t.with_timezone(&tz).format("%d/%m/%Y %H:%M").to_string();
    Ok(match (clock, parse_shift(arg, app.clock().now())) {
        (Some(_), _) if arg.is_empty() => {
            Msg::new(MsgId::DemoClock).str("now", local(app.clock().now()))
        }
        (Some(c), Ok(by)) => {
            let ms = app
                .store()
                .advance_demo_offset(ms_up(c.offset() + by))
                .await?;
            c.catch_up(chrono::Duration::milliseconds(ms));
            let now = app.clock().now();
            crate::scheduler::tick(app, now).await?;
            Msg::new(MsgId::DemoClock).str("now", local(now))
        }
        (Some(_), Err(ShiftError::Backwards)) => {
            Msg::new(MsgId::DemoClockBackwards).str("now", local(app.clock().now()))
        }
        (Some(_), Err(ShiftError::TooFar)) => Msg::new(MsgId::DemoClockTooFar),
        (Some(_), Err(ShiftError::Unreadable)) => {
            Msg::new(MsgId::DemoClockUsage).str("arg", arg.to_string())
        }
        (None, _) => Msg::new(MsgId::DemoClockUsage).str("arg", arg.to_string()),
    })
}

/// A clock offset in whole milliseconds (as stored), rounded up: a jump to 23:00 lands at
/// 23:00, not a fraction of a millisecond before (which reads 22:59).
fn ms_up(d: chrono::Duration) -> i64 {
    let ms = d.num_milliseconds();
    if d > chrono::Duration::milliseconds(ms) {
        ms + 1
    } else {
        ms
    }
}

/// `/clock ARG` (or `/dongho ARG`): the demo clock command of the terminal.
fn clock_command(line: &str) -> Option<&str> {
    let t = line.trim();
    let rest = t
        .strip_prefix("/clock")
        .or_else(|| t.strip_prefix("/dongho"))?;
    (rest.is_empty() || rest.starts_with(' ')).then(|| rest.trim())
}

/// Why a `/clock` argument moves nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ShiftError {
    Unreadable,
    /// A time at or before now: the clock never goes back (jobs already run would not run
    /// again, and other terminals share it).
    Backwards,
    /// More than 10,000 units at once.
    TooFar,
}

/// `+2h`, `+3d`, `+30m`, or a time to jump to (`2026-12-05T19:00`, Vietnam time): how far
/// to move the clock from `now`.
fn parse_shift(arg: &str, now: DateTime<Utc>) -> Result<chrono::Duration, ShiftError> {
    if let Some(n) = arg.strip_prefix('+') {
        let (num, unit) = n.split_at(n.len().checked_sub(1).ok_or(ShiftError::Unreadable)?);
        let num: i64 = num.parse().map_err(|_| ShiftError::Unreadable)?;
        if num <= 0 {
            return Err(ShiftError::Unreadable);
        }
        if num > 10_000 {
            return Err(ShiftError::TooFar);
        }
        return match unit {
            "m" => Ok(chrono::Duration::minutes(num)),
            "h" => Ok(chrono::Duration::hours(num)),
            "d" => Ok(chrono::Duration::days(num)),
            _ => Err(ShiftError::Unreadable),
        };
    }
    let to = parse_now(arg).map_err(|_| ShiftError::Unreadable)?;
    if to <= now {
        return Err(ShiftError::Backwards);
    }
    Ok(to - now)
}

/// The example year, built in so the demo runs from any folder: the plan (targets and
/// units), the calendar of events, the fixed points and the "Chủ nhật Đỏ" series.
const DEMO_PLAN: &str = include_str!("../../examples/haiphong-2023-plan.toml");
const DEMO_CALENDAR: &str = include_str!("../../examples/haiphong-2023.toml");
const DEMO_POINTS: &str = include_str!("../../examples/haiphong-2023-points.toml");

/// Load the example year into this year and the next (`chat --demo`).
pub async fn load_demo(app: &App) -> anyhow::Result<String> {
    use chrono::Datelike;
    let now = app.clock().now();
    let year = now.with_timezone(&app.config().timezone).year();
    let unreadable = |what: &str, e: Vec<crate::domain::campaign::FileError>| {
        anyhow::anyhow!(
            "the built-in {what} does not read: {}",
            e.iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("; ")
        )
    };
    let (mut drives, mut campaigns, mut points) = (0, 0, 0);
    for y in [year, year + 1] {
        let plan = crate::domain::plan::parse_plan_toml(DEMO_PLAN, y)
            .map_err(|e| unreadable("plan", e))?;
        app.load_plan(y, None, &plan).await?;
        let units = app.store().unit_codes().await?;
        for text in [DEMO_CALENDAR, DEMO_POINTS] {
            let calendar = crate::domain::campaign::parse_calendar_file(text, y, &units)
                .map_err(|e| unreadable("calendar", e))?;
            campaigns += calendar.campaigns.len();
            points += calendar.fixed_points.len();
            drives += app
                .store()
                .import_calendar(y, &calendar, app.config().timezone, now.timestamp_millis())
                .await?;
        }
    }
    Ok(app.catalogue().render(
        app.config().language,
        &crate::messages::Msg::new(crate::messages::MsgId::DemoLoaded)
            .num("year", f64::from(year))
            .num("next", f64::from(year + 1))
            .num("campaigns", campaigns as f64)
            .num("points", points as f64)
            .num("drives", drives as f64),
    ))
}

/// The account the terminal demo signs in to the dashboard with.
pub const DEMO_COMMITTEE: &str = "demo-committee";

/// `chat --demo`: the dashboard served next to the terminal, and a sign-in link to it for
/// the demo's committee account (an admin, granted and audited as `admin grant` does). An
/// address already taken is said in one line; the chat goes on without the dashboard.
async fn demo_dashboard(
    app: &App,
    tasks: &mut tokio::task::JoinSet<(&'static str, anyhow::Result<()>)>,
    stop: watch::Receiver<bool>,
) -> anyhow::Result<String> {
    use crate::messages::{Msg, MsgId};
    let say = |m: Msg| app.catalogue().render(app.config().language, &m);
    if let Err(e) = service::serve_web(app, Default::default(), tasks, stop).await {
        return Ok(say(Msg::new(MsgId::DemoDashboardUnavailable)
            .str("addr", app.config().listen_addr.to_string())
            .str("error", format!("{:#}", e.root_cause()))));
    }
    app.set_role_for_account(
        Channel::of(ChannelKind::Terminal),
        DEMO_COMMITTEE,
        crate::domain::club::Role::Admin,
        true,
        None,
    )
    .await?;
    let link = app
        .dashboard_link_for_account(Channel::of(ChannelKind::Terminal), DEMO_COMMITTEE)
        .await?
        .context("the demo's committee account may not use the dashboard")?;
    Ok(say(Msg::new(MsgId::DemoDashboard)
        .str("link", link)
        .str("account", format!("terminal:{DEMO_COMMITTEE}"))))
}

async fn wait_until_delivered(
    app: &App,
    scope: &Scope,
    delivered: &mut watch::Receiver<u64>,
) -> anyhow::Result<()> {
    // Only what would go now: rows held by quiet hours, or due later, do not block the prompt.
    loop {
        let now = app.clock().now();
        let lane = crate::delivery::max_lane(app, now);
        if app
            .store()
            .unsent_due(scope, now.timestamp_millis(), lane)
            .await?
            == 0
        {
            break;
        }
        tokio::select! {
            _ = delivered.changed() => {}
            _ = tokio::time::sleep(Duration::from_millis(200)) => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::parse_now;

    /// Issue 31: `/clock 2026-12-06T23:00` answered 22:59, the offset having lost the
    /// jump's fraction of a millisecond when stored.
    #[test]
    fn a_jump_lands_on_the_minute_asked_for() {
        let now = parse_now("2026-12-06T09:00").unwrap() + chrono::Duration::microseconds(1_234);
        let to = parse_now("2026-12-06T23:00").unwrap();
        let by = parse_shift("2026-12-06T23:00", now).unwrap();
        let landed = now + chrono::Duration::milliseconds(ms_up(by));
        assert!(landed >= to && landed - to < chrono::Duration::milliseconds(1));
        assert_eq!(ms_up(chrono::Duration::milliseconds(5)), 5);
        assert_eq!(ms_up(chrono::Duration::microseconds(-1_500)), -1);
    }
}

#[cfg(test)]
mod clock_tests {
    use super::*;
    use crate::cli::parse_now;

    #[test]
    fn clock_arguments_say_what_is_wrong() {
        let now = parse_now("2026-11-22T09:00").unwrap();
        assert_eq!(parse_shift("+2h", now), Ok(chrono::Duration::hours(2)));
        assert_eq!(parse_shift("+3d", now), Ok(chrono::Duration::days(3)));
        assert_eq!(
            parse_shift("2026-11-22T10:30", now),
            Ok(chrono::Duration::minutes(90))
        );
        assert_eq!(parse_shift("2026-11-21", now), Err(ShiftError::Backwards));
        assert_eq!(
            parse_shift("2026-11-22T09:00", now),
            Err(ShiftError::Backwards)
        );
        assert_eq!(parse_shift("+20000d", now), Err(ShiftError::TooFar));
        for bad in ["sau", "+", "+0h", "+-2h", "+2y", "", "+2"] {
            assert_eq!(
                parse_shift(bad, now),
                Err(ShiftError::Unreadable),
                "{bad:?}"
            );
        }
    }
}
