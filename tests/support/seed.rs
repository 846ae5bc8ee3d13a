//! Many registered donors at once, written straight into the database: a 1,000-member club
//! is set up in a moment instead of 14,000 chat steps. Shared by the integration tests and
//! the benchmarks (`#[path]` include).

#![allow(dead_code)]

use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use std::path::Path;
use std::str::FromStr;

async fn pool(db: &Path) -> sqlx::SqlitePool {
    let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", db.display()))
        .unwrap()
        .busy_timeout(std::time::Duration::from_secs(10));
    SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .unwrap()
}

/// The club with this invite code.
pub async fn club_id(db: &Path, code: &str) -> i64 {
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
pub async fn members(db: &Path, club: i64, users: std::ops::Range<i64>) {
    donors(db, Some(club), users).await
}

/// Registered donors on Telegram (user id = chat id = each of `users`), in `club` if given.
pub async fn donors(db: &Path, club: Option<i64>, users: std::ops::Range<i64>) {
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
    tx.commit().await.unwrap();
    pool.close().await;
}

/// Put a Telegram user's conversation in a given state (JSON), as a stale button or a
/// forged request would.
pub async fn set_state(db: &Path, user: i64, json: &str) {
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
pub async fn count(db: &Path, sql: &str) -> i64 {
    let pool = pool(db).await;
    let n = sqlx::query_scalar(sql).fetch_one(&pool).await.unwrap();
    pool.close().await;
    n
}

/// One registered donor on Telegram (user id = chat id), with a conversation at rest (so a
/// bare "1" can answer an ask), in `club` if given. `set` is SQL assignments applied after,
/// e.g. `"urgent_off = 1"`.
pub async fn donor(
    db: &Path,
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
pub async fn reserve_club(db: &Path, name: &str, province: &str) -> i64 {
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
pub async fn exec(db: &Path, sql: &str) {
    let pool = pool(db).await;
    sqlx::query(sql).execute(&pool).await.unwrap();
    pool.close().await;
}
