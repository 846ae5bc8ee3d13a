//! Many registered donors at once, written straight into the database: a 1,000-member club
//! is set up in a moment instead of 14,000 chat steps. Shared by the integration tests and
//! the benchmarks (`#[path]` include).

#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// A database the seeds write to: a SQLite file (its path) or a database URL
/// (`postgres://…`, the PostgreSQL tests).
pub trait Db {
    fn url(&self) -> String;
}

impl Db for Path {
    fn url(&self) -> String {
        format!("sqlite://{}", self.display())
    }
}

impl Db for PathBuf {
    fn url(&self) -> String {
        self.as_path().url()
    }
}

impl Db for str {
    fn url(&self) -> String {
        self.to_string()
    }
}

impl Db for String {
    fn url(&self) -> String {
        self.clone()
    }
}

/// A fresh database on the PostgreSQL server `server` (`postgres://user@host:port`), named
/// after `prefix`, this process and a counter; its URL.
pub async fn fresh_postgres(server: &str, prefix: &str) -> String {
    use sqlx::migrate::MigrateDatabase;
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let url = format!(
        "{}/{prefix}_{}_{n}",
        server.trim_end_matches('/'),
        std::process::id()
    );
    // A database of this name was left by an earlier run whose process had this id (ids
    // are reused): that process is gone, so is its use of it.
    if sqlx::Postgres::database_exists(&url).await.unwrap() {
        sqlx::Postgres::drop_database(&url).await.unwrap();
    }
    sqlx::Postgres::create_database(&url).await.unwrap();
    url
}

/// The databases a benchmark runs on, by name: a SQLite file in `dir`, and a fresh
/// PostgreSQL database when `HIENMAU_TEST_POSTGRES` names a server (`bash .ci/postgres`
/// starts one); without it, one line says the PostgreSQL runs were skipped.
pub async fn bench_databases(dir: &Path, file: &str) -> Vec<(&'static str, String)> {
    let mut out = vec![("SQLite", dir.join(file).url())];
    match std::env::var("HIENMAU_TEST_POSTGRES") {
        Ok(server) if !server.trim().is_empty() => {
            out.push(("PostgreSQL", fresh_postgres(&server, "hm_bench").await));
        }
        _ => println!(
            "  (PostgreSQL runs skipped: set HIENMAU_TEST_POSTGRES to a server, e.g. what \
             `bash .ci/postgres` prints)"
        ),
    }
    out
}

pub async fn pool(db: &(impl Db + ?Sized)) -> sqlx::AnyPool {
    sqlx::any::install_default_drivers();
    let url = db.url();
    sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .after_connect(|conn, _| {
            Box::pin(async move {
                if conn.backend_name() == "SQLite" {
                    sqlx::Executor::execute(&mut *conn, "PRAGMA busy_timeout = 10000").await?;
                }
                Ok(())
            })
        })
        .connect(&url)
        .await
        .unwrap()
}

/// The club with this invite code.
/// Registered donors agreed to the consent text: every seeded donor without a consent record
/// gets one for the current version, as a registration would have written.
async fn consent_all<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(e: E) {
    sqlx::query(
        "INSERT INTO consents (donor_id, given_at, text_version, lang) \
         SELECT d.id, d.created_at, $1, 'vi' FROM donors d \
         WHERE NOT EXISTS (SELECT 1 FROM consents c WHERE c.donor_id = d.id)",
    )
    .bind(hienmau::engine::CONSENT_VERSION)
    .execute(e)
    .await
    .unwrap();
}

pub async fn club_id(db: &(impl Db + ?Sized), code: &str) -> i64 {
    let pool = pool(db).await;
    let id = sqlx::query_scalar("SELECT id FROM clubs WHERE invite_code = $1")
        .bind(code)
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;
    id
}

/// Registered donors on Telegram (user id = chat id = each of `users`), members of `club`.
pub async fn members(db: &(impl Db + ?Sized), club: i64, users: std::ops::Range<i64>) {
    donors(db, Some(club), users).await
}

/// Registered donors on Telegram (user id = chat id = each of `users`), in `club` if given.
pub async fn donors(db: &(impl Db + ?Sized), club: Option<i64>, users: std::ops::Range<i64>) {
    let pool = pool(db).await;
    let mut tx = pool.begin().await.unwrap();
    let now = 1_795_000_000_000i64;
    for user in users {
        let donor: i64 = sqlx::query_scalar(
            "INSERT INTO donors (created_at, full_name, blood_group, province, registered_at) \
             VALUES ($1, $2, 'O+', 'hai-phong', $1) RETURNING id",
        )
        .bind(now)
        .bind(format!("Thành viên {user}"))
        .fetch_one(&mut *tx)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO channel_identities (channel, external_id, chat_id, donor_id, \
             first_seen_at, last_seen_at) VALUES ('telegram', $1, $1, $2, $3, $3)",
        )
        .bind(user.to_string())
        .bind(donor)
        .bind(now)
        .execute(&mut *tx)
        .await
        .unwrap();
        if let Some(club) = club {
            sqlx::query(
                "INSERT INTO club_members (club_id, donor_id, role, joined_at) \
                 VALUES ($1, $2, 'member', $3)",
            )
            .bind(club)
            .bind(donor)
            .bind(now)
            .execute(&mut *tx)
            .await
            .unwrap();
        }
    }
    consent_all(&mut *tx).await;
    tx.commit().await.unwrap();
    pool.close().await;
}

/// Put a Telegram user's conversation in a given state (JSON), as a stale button or a
/// forged request would.
pub async fn set_state(db: &(impl Db + ?Sized), user: i64, json: &str) {
    let pool = pool(db).await;
    sqlx::query(
        "UPDATE conversations SET state = $1 WHERE identity_id = \
         (SELECT id FROM channel_identities WHERE channel = 'telegram' AND external_id = $2)",
    )
    .bind(json)
    .bind(user.to_string())
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;
}

/// One number read from the database (`SELECT COUNT(*) …`), for assertions on the outbox
/// and the jobs.
pub async fn count(db: &(impl Db + ?Sized), sql: &str) -> i64 {
    let pool = pool(db).await;
    let n = sqlx::query_scalar(sql).fetch_one(&pool).await.unwrap();
    pool.close().await;
    n
}

/// One registered donor on Telegram (user id = chat id), with a conversation at rest (so a
/// bare "1" can answer an ask), in `club` if given. `set` is SQL assignments applied after,
/// e.g. `"urgent_off = TRUE"`.
pub async fn donor(
    db: &(impl Db + ?Sized),
    user: i64,
    group: &str,
    province: &str,
    club: Option<i64>,
    set: &str,
) -> i64 {
    let pool = pool(db).await;
    let now = 1_795_000_000_000i64;
    let donor: i64 = sqlx::query_scalar(
        "INSERT INTO donors (created_at, full_name, blood_group, province, registered_at, \
         last_donation_kind) VALUES ($1, $2, $3, $4, $1, 'never') RETURNING id",
    )
    .bind(now)
    .bind(format!("Người hiến {user}"))
    .bind(group)
    .bind(province)
    .fetch_one(&pool)
    .await
    .unwrap();
    let identity: i64 = sqlx::query_scalar(
        "INSERT INTO channel_identities (channel, external_id, chat_id, donor_id, \
         first_seen_at, last_seen_at) VALUES ('telegram', $1, $1, $2, $3, $3) RETURNING id",
    )
    .bind(user.to_string())
    .bind(donor)
    .bind(now)
    .fetch_one(&pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO conversations (identity_id, state, updated_at) VALUES ($1, '{\"state\":\"idle\"}', $2)",
    )
    .bind(identity)
    .bind(now)
    .execute(&pool)
    .await
    .unwrap();
    if let Some(club) = club {
        sqlx::query(
            "INSERT INTO club_members (club_id, donor_id, role, joined_at) \
             VALUES ($1, $2, 'member', $3)",
        )
        .bind(club)
        .bind(donor)
        .bind(now)
        .execute(&pool)
        .await
        .unwrap();
    }
    consent_all(&pool).await;
    if !set.is_empty() {
        sqlx::query(&format!("UPDATE donors SET {set} WHERE id = $1"))
            .bind(donor)
            .execute(&pool)
            .await
            .unwrap();
    }
    pool.close().await;
    donor
}

/// A reserve club (no leader), for call-out tests.
pub async fn reserve_club(db: &(impl Db + ?Sized), name: &str, province: &str) -> i64 {
    let pool = pool(db).await;
    let id = sqlx::query_scalar(
        "INSERT INTO clubs (name, kind, province, invite_code, created_at) \
         VALUES ($1, 'reserve', $2, $3, 0) RETURNING id",
    )
    .bind(name)
    .bind(province)
    .bind(format!("R{}", name.len()))
    .fetch_one(&pool)
    .await
    .unwrap();
    pool.close().await;
    id
}

/// Run one statement (an unreachable account, a past ask…).
pub async fn exec(db: &(impl Db + ?Sized), sql: &str) {
    let pool = pool(db).await;
    // Several statements at once: the simple protocol takes them on both engines.
    sqlx::raw_sql(sql).execute(&pool).await.unwrap();
    pool.close().await;
}

/// A province's register for the call-out benchmark: `donors` registered donors on
/// Telegram with Vietnam's blood-group shares (Rh− 6 in 10,000, 15% not knowing their
/// Rh), spread over the provinces, a third taking night alerts; 1% in a reserve club, 2%
/// asked by a call-out three days before `now_ms`. `below(n)` draws in `0..n`.
pub async fn callout_population(
    db: &(impl Db + ?Sized),
    donors: usize,
    now_ms: i64,
    below: &mut dyn FnMut(u64) -> u64,
) {
    let pool = pool(db).await;
    let provinces: Vec<String> = hienmau::domain::province::Province::all()
        .map(|p| p.code().to_string())
        .collect();
    let day = |days_ago: u64| {
        (chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap() - chrono::Days::new(days_ago))
            .format("%Y-%m-%d")
            .to_string()
    };
    let reserve: i64 = sqlx::query_scalar(
        "INSERT INTO clubs (name, kind, province, invite_code, created_at) \
         VALUES ('CLB máu hiếm', 'reserve', 'hai-phong', 'RSV001', 0) RETURNING id",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO callouts (actor, created_at, blood_group, component, units, hospital, \
         address, province, deadline_at, status) VALUES ('bench', 0, 'O+', 'whole_blood', 1, \
         'x', 'x', 'hai-phong', 0, 'fulfilled')",
    )
    .execute(&pool)
    .await
    .unwrap();
    let mut tx = pool.begin().await.unwrap();
    // On PostgreSQL the donor counts are built once at the end, as `db copy` does: a
    // trigger per donor in one transaction walks every earlier version of its group's row.
    let postgres = db.url().starts_with("postgres");
    if postgres {
        sqlx::raw_sql(hienmau::store::PAUSE_DONOR_COUNTS)
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    const CHUNK: usize = 2_000;
    let mut id = 0usize;
    while id < donors {
        let n = CHUNK.min(donors - id);
        let mut d = String::from(
            "INSERT INTO donors (id, created_at, full_name, blood_group, province, birth_date, \
             sex, weight_kg, registered_at, last_donation_kind, last_donation_date, \
             response_score, night_alerts) VALUES ",
        );
        let mut i = String::from(
            "INSERT INTO channel_identities (channel, external_id, chat_id, donor_id, \
             first_seen_at, last_seen_at) VALUES ",
        );
        let mut members = Vec::new();
        let mut asked = Vec::new();
        for k in 0..n {
            let donor = id + k + 1;
            let abo = match below(100) {
                0..42 => "O",
                42..72 => "B",
                72..93 => "A",
                _ => "AB",
            };
            let rh = match below(10_000) {
                0..6 => "-",
                6..1506 => "?",
                _ => "+",
            };
            let group = if below(100) < 5 {
                "?".to_string()
            } else {
                format!("{abo}{rh}")
            };
            let province = &provinces[below(provinces.len() as u64) as usize];
            let (kind, date) = match below(100) {
                0..40 => ("'never'", "NULL".to_string()),
                40..85 => ("'whole_blood'", format!("'{}'", day(below(730)))),
                _ => ("'platelets'", format!("'{}'", day(below(730)))),
            };
            let birth = format!("{}-06-15", 1966 + below(40));
            let sex = if below(2) == 0 { "male" } else { "female" };
            let weight = 45 + below(40);
            let score = below(9) as i64 - 3;
            let night = below(3) == 0;
            if k > 0 {
                d.push(',');
                i.push(',');
            }
            d.push_str(&format!(
                "({donor}, 0, 'Người hiến {donor}', '{group}', '{province}', '{birth}', '{sex}', \
                 {weight}, 0, {kind}, {date}, {score}, {})",
                if night { "TRUE" } else { "FALSE" }
            ));
            i.push_str(&format!(
                "('telegram', 'b{donor}', 'b{donor}', {donor}, 0, 0)"
            ));
            if below(100) == 0 {
                members.push(donor);
            }
            if below(50) == 0 {
                asked.push(donor);
            }
        }
        sqlx::query(&d).execute(&mut *tx).await.unwrap();
        sqlx::query(&i).execute(&mut *tx).await.unwrap();
        for m in members {
            sqlx::query(&format!(
                "INSERT INTO club_members (club_id, donor_id, role, joined_at) \
                 VALUES ({reserve}, {m}, 'member', 0)"
            ))
            .execute(&mut *tx)
            .await
            .unwrap();
        }
        for a in asked {
            sqlx::query(&format!(
                "INSERT INTO callout_asks (callout_id, donor_id, wave, tier, asked_at) \
                 VALUES (1, {a}, 1, 3, {})",
                now_ms - 3 * 86_400_000
            ))
            .execute(&mut *tx)
            .await
            .unwrap();
        }
        id += n;
    }
    consent_all(&mut *tx).await;
    if postgres {
        sqlx::raw_sql(hienmau::store::REBUILD_DONOR_COUNTS)
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    sqlx::query("ANALYZE").execute(&pool).await.unwrap();
    pool.close().await;
}

/// Each (person, outbox status) of the outbox rows a filter selects (`o` the outbox, the
/// person is their Telegram id).
pub async fn outbox_rows(db: &(impl Db + ?Sized), filter: &str) -> Vec<(i64, String)> {
    let pool = pool(db).await;
    let sql = format!(
        "SELECT CAST(i.external_id AS INTEGER), o.status FROM outbox o \
         JOIN channel_identities i ON i.id = o.identity_id WHERE {filter}"
    );
    let rows = sqlx::query_as(&sql).fetch_all(&pool).await.unwrap();
    pool.close().await;
    rows
}

/// Every donor's phone from its id: donor 1 has +84912000001 (typed 0912 000 001).
pub async fn phones_by_id(db: &(impl Db + ?Sized)) {
    let pool = pool(db).await;
    let sql = if db.url().starts_with("postgres") {
        "UPDATE donors SET phone = '+84912' || lpad(id::text, 6, '0')"
    } else {
        "UPDATE donors SET phone = '+84912' || substr('000000' || id, -6, 6)"
    };
    sqlx::query(sql).execute(&pool).await.unwrap();
    pool.close().await;
}
