//! The web dashboard over HTTP, against the real server the bot runs on 127.0.0.1 and a real
//! SQLite file: staff sign in with a one-time link from chat or the command line, the
//! session's cookie is the only key, pages check the account's roles on every request, and
//! a form without its token changes nothing.

use crate::drives::vn;
use crate::plan::{PLAN, load};
use crate::support::TestBot;
use hienmau::cli::{DashboardAction, dashboard};

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn base(bot: &TestBot) -> String {
    format!(
        "http://{}",
        bot.running.as_ref().unwrap().http_addr.unwrap()
    )
}

/// The sign-in link in a chat message.
fn link_in(text: &str) -> String {
    text.split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no link in {text}"))
        .to_string()
}

/// The `hm_session=…` pair a sign-in sets, after checking the cookie's flags.
async fn sign_in(link: &str) -> String {
    let r = client().get(link).send().await.unwrap();
    assert_eq!(r.status(), 303, "{link}");
    assert_eq!(r.headers()["location"], "/dashboard");
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    for flag in [
        "HttpOnly",
        "SameSite=Strict",
        "Path=/dashboard",
        "Max-Age=43200",
    ] {
        assert!(cookie.contains(flag), "{flag} in {cookie}");
    }
    assert!(!cookie.contains("Secure"), "plain http here: {cookie}");
    cookie.split(';').next().unwrap().to_string()
}

async fn get(bot: &TestBot, cookie: Option<&str>) -> (u16, String) {
    let mut req = client().get(format!("{}/dashboard", base(bot)));
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    if status == 200 {
        let csp = r.headers()["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("default-src 'none'"), "{csp}");
        assert_eq!(r.headers()["cache-control"], "no-store");
    }
    (status, r.text().await.unwrap())
}

/// The form token a page's forms carry.
fn csrf_in(page: &str) -> String {
    page.split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .chars()
        .take_while(|c| *c != '"')
        .collect()
}

async fn sign_out(bot: &TestBot, cookie: &str, csrf: Option<&str>) -> reqwest::Response {
    client()
        .post(format!("{}/dashboard/logout", base(bot)))
        .header("cookie", cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(csrf.map_or(String::new(), |c| format!("csrf={c}")))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_coordinator_signs_in_once_by_link_reads_the_year_and_signs_out_with_the_form_token() {
    let mut bot = TestBot::start_with(
        &[("HIENMAU_ADMINS", "telegram:1")],
        hienmau::config::DeliveryConfig::unlimited(),
    )
    .await;
    bot.clock.set(vn(11, 22, 9, 0));
    load(&bot, "plan.toml", PLAN).await.unwrap();
    // A drive in the coming days, its place written to break a page that does not escape.
    let calendar = bot.db.with_file_name("drives.toml");
    std::fs::write(
        &calendar,
        "[[campaign]]\nname = \"Chủ nhật Đỏ\"\nmonth = 11\n\n[[campaign.drive]]\n\
         place = \"Nhà văn hoá <script>alert(1)</script>\"\nprovince = \"Hải Phòng\"\n\
         date = \"11-29\"\ntime = \"07:30-11:30\"\ncapacity = 80\n",
    )
    .unwrap();
    hienmau::cli::campaigns(
        &bot.app,
        hienmau::cli::CampaignAction::Import {
            file: calendar,
            year: Some(2026),
        },
        chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
    )
    .await
    .unwrap();

    let r = bot.say(1, "/dashboard").await;
    assert!(r.text.contains("dùng một lần, trong 10 phút"), "{}", r.text);
    let link = link_in(&r.text);
    assert!(
        link.starts_with(&format!("{}/dashboard/login?t=", base(&bot))),
        "{link}"
    );
    let cookie = sign_in(&link).await;
    // The same link again: refused.
    let again = client().get(&link).send().await.unwrap();
    assert_eq!(again.status(), 403);
    assert!(
        again
            .text()
            .await
            .unwrap()
            .contains("Liên kết này không còn dùng được")
    );

    let (status, page) = get(&bot, Some(&cookie)).await;
    assert_eq!(status, 200, "{page}");
    for part in [
        "<html lang=\"vi\">",
        "Kế hoạch năm 2026: số liệu đến hết ngày 22/11/2026",
        "Máu tiếp nhận: 0 / 100 đơn vị",
        "<svg",
        "so với chỉ tiêu 100 đơn vị",
        "Điểm hiến máu 14 ngày tới",
        "29/11/2026 07:30–11:30",
        "Nhà văn hoá &lt;script&gt;alert(1)&lt;/script&gt;",
        "0 / 80",
    ] {
        assert!(page.contains(part), "{part:?} not in:\n{page}");
    }
    assert!(!page.contains("<script>"), "{page}");
    // Without the cookie, or with a made-up one: the way in is explained.
    assert_eq!(get(&bot, None).await.0, 401);
    assert_eq!(get(&bot, Some("hm_session=00ff")).await.0, 401);

    // Signing out needs the form's token: without it, nothing changes.
    let csrf = csrf_in(&page);
    assert_eq!(csrf.len(), 64);
    assert_eq!(sign_out(&bot, &cookie, None).await.status(), 403);
    assert_eq!(
        sign_out(&bot, &cookie, Some(&"0".repeat(64)))
            .await
            .status(),
        403
    );
    assert_eq!(get(&bot, Some(&cookie)).await.0, 200, "still signed in");
    let out = sign_out(&bot, &cookie, Some(&csrf)).await;
    assert_eq!(out.status(), 200);
    assert!(
        out.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    assert_eq!(get(&bot, Some(&cookie)).await.0, 401, "the session is gone");
    bot.stop().await;
}

#[tokio::test]
async fn a_donor_an_expired_link_and_a_revoked_coordinator_are_refused() {
    let mut bot = TestBot::start().await;
    bot.clock.set(vn(11, 22, 9, 0));
    bot.register(10, "0912000010").await;
    let r = bot.say(10, "/dashboard").await;
    assert!(r.text.contains("không có quyền"), "{}", r.text);
    assert_eq!(
        crate::seed::count(&bot.db, "SELECT COUNT(*) FROM dashboard_links").await,
        0,
        "no link for a donor"
    );

    // The command line gives a coordinator one; not to an account without a role.
    let none = dashboard(
        &bot.app,
        DashboardAction::Link {
            account: "telegram:99".into(),
        },
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(none.contains("may not use the dashboard"), "{none}");
    bot.app
        .set_role_for_account(
            hienmau::channels::ChannelKind::Telegram,
            "20",
            hienmau::domain::club::Role::Coordinator,
            true,
        )
        .await
        .unwrap();
    // Eleven minutes later, the link is dead.
    let late = coordinator_link(&bot).await;
    bot.clock.set(vn(11, 22, 9, 11));
    assert_eq!(
        client().get(late.trim()).send().await.unwrap().status(),
        403
    );
    // A fresh one signs in; once the role is revoked, the session opens nothing.
    let cookie = sign_in(coordinator_link(&bot).await.trim()).await;
    assert_eq!(get(&bot, Some(&cookie)).await.0, 200);
    bot.app
        .set_role_for_account(
            hienmau::channels::ChannelKind::Telegram,
            "20",
            hienmau::domain::club::Role::Coordinator,
            false,
        )
        .await
        .unwrap();
    assert_eq!(get(&bot, Some(&cookie)).await.0, 401);
    bot.stop().await;
}

async fn coordinator_link(bot: &TestBot) -> String {
    dashboard(
        &bot.app,
        DashboardAction::Link {
            account: "telegram:20".into(),
        },
    )
    .await
    .unwrap()
}

async fn post_form(bot: &TestBot, path: &str, cookie: &str, body: &str) -> reqwest::Response {
    client()
        .post(format!("{}{path}", base(bot)))
        .header("cookie", cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.to_string())
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn every_form_needs_its_token_and_every_page_a_session() {
    let mut bot = TestBot::start_with(
        &[("HIENMAU_ADMINS", "telegram:1")],
        hienmau::config::DeliveryConfig::unlimited(),
    )
    .await;
    bot.clock.set(vn(11, 22, 9, 0));
    let r = bot.say(1, "/dashboard").await;
    let cookie = sign_in(&link_in(&r.text)).await;
    let (_, page) = get(&bot, Some(&cookie)).await;
    let csrf = csrf_in(&page);
    let drive = "place=Nh%C3%A0+v%C4%83n+ho%C3%A1&province=hai-phong&commune=&date=2026-11-29\
                 &start=07%3A30&end=11%3A00&capacity=50&target=&campaign=";
    // Without the token, or with another: 403 and nothing saved.
    for body in [
        drive.to_string(),
        format!("{drive}&csrf={}", "0".repeat(64)),
    ] {
        let r = post_form(&bot, "/dashboard/drives", &cookie, &body).await;
        assert_eq!(r.status(), 403);
    }
    for path in [
        "/dashboard/stock",
        "/dashboard/callouts",
        "/dashboard/donations/remove",
        "/dashboard/broadcasts/1/stop",
        "/dashboard/callouts/1/close",
    ] {
        let r = post_form(&bot, path, &cookie, "status=cancelled&id=1").await;
        assert_eq!(r.status(), 403, "{path}");
    }
    assert_eq!(
        crate::seed::count(&bot.db, "SELECT COUNT(*) FROM drives").await,
        0
    );
    // With it: saved (the form's UTF-8 decoded), and the page it leads to says so.
    let r = post_form(
        &bot,
        "/dashboard/drives",
        &cookie,
        &format!("{drive}&csrf={csrf}"),
    )
    .await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        r.headers()["location"],
        "/dashboard/drives?month=2026-11&ok=drive-saved"
    );
    assert_eq!(
        crate::seed::count(
            &bot.db,
            "SELECT COUNT(*) FROM drives WHERE place = 'Nhà văn hoá' AND capacity = 50"
        )
        .await,
        1
    );
    // Wrong values: 422, each error by its field, what was typed kept.
    let r = post_form(
        &bot,
        "/dashboard/drives",
        &cookie,
        &format!("place=x&province=nowhere&date=1/1/2020&start=9&end=8&capacity=-3&csrf={csrf}"),
    )
    .await;
    assert_eq!(r.status(), 422);
    let page = r.text().await.unwrap();
    for field in ["place", "date", "end", "capacity"] {
        assert!(
            page.contains(&format!("id=\"{field}-error\"")),
            "{field}: {page}"
        );
    }
    assert!(page.contains("value=\"x\""), "{page}");
    // Pages, the live tally and the CSV without a session: the way in, no data.
    for path in [
        "/dashboard/drives",
        "/dashboard/callouts/1/tally",
        "/dashboard/audit?csv=1",
        "/dashboard/stock",
    ] {
        let r = client()
            .get(format!("{}{path}", base(&bot)))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401, "{path}");
    }
    // Unknown pages and items: 404, not an error.
    for path in [
        "/dashboard/nothing",
        "/dashboard/drives/999",
        "/dashboard/callouts/999",
    ] {
        let r = client()
            .get(format!("{}{path}", base(&bot)))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "{path}");
    }
    // The audit CSV, with the drive's creation.
    let r = client()
        .get(format!(
            "{}/dashboard/audit?csv=1&action=drive.create",
            base(&bot)
        ))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = r.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "at,account,action,target,recipients");
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(lines[1].contains("drive.create"), "{csv}");
    bot.stop().await;
}
