//! Signing in to the web dashboard without passwords: staff ask for a one-time link in chat
//! (`/dashboard`) or on the command line (`hienmau dashboard link ACCOUNT`); the link, used
//! once within 10 minutes, opens a session (12 hours) whose cookie is its only key. Every
//! page then makes its requests through [`App::perform`], under the chat's permission table.

use super::App;
use crate::domain::club::{Action, Roles};
use crate::store::Tx;
use sha2::{Digest, Sha256};

/// How long a sign-in link is valid.
pub const LINK_MINUTES: i64 = 10;
/// How long a session lasts.
pub const SESSION_HOURS: i64 = 12;

/// An open session: the cookie's token and the token its forms carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub identity_id: i64,
    pub csrf: String,
    /// The account's roles as of this request (the menu shows what they open; each
    /// request is still checked by the permission table).
    pub roles: Roles,
}

/// 32 random bytes, hex: a sign-in link's or a session's token. No randomness, no token.
pub fn new_token() -> anyhow::Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes)
        .map_err(|e| anyhow::anyhow!("no system randomness for a token: {e}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// What is stored of a token.
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl App {
    /// Where the dashboard is reached: `HIENMAU_PUBLIC_URL`, else the address the server
    /// bound (set when it starts), else the configured one.
    pub fn web_base(&self) -> String {
        if let Some(u) = &self.config().public_url {
            return u.trim_end_matches('/').to_string();
        }
        self.bound_web_base()
            .unwrap_or_else(|| format!("http://{}", self.config().listen_addr))
    }

    /// A one-time sign-in link for the account (its permission checked by the caller), in
    /// the caller's transaction.
    pub(super) async fn dashboard_link(
        &self,
        tx: &mut Tx,
        identity_id: i64,
    ) -> anyhow::Result<String> {
        let token = new_token()?;
        let now = self.sign_in_clock().now().timestamp_millis();
        tx.create_dashboard_link(
            &token_hash(&token),
            identity_id,
            now,
            now + LINK_MINUTES * 60_000,
        )
        .await?;
        Ok(format!("{}/dashboard/login?t={token}", self.web_base()))
    }

    /// `hienmau dashboard link telegram:123`: a link for a staff account (an admin's first
    /// way in); `None` if the account holds no role that may use the dashboard.
    pub async fn dashboard_link_for_account(
        &self,
        channel: crate::channels::Channel,
        user: &str,
    ) -> anyhow::Result<Option<String>> {
        let now = self.sign_in_clock().now().timestamp_millis();
        let mut tx = self.store().begin().await?;
        let identity = tx.ensure_identity(channel.code(), user, now).await?;
        if !tx.roles_of(identity).await?.may(Action::UseDashboard) {
            return Ok(None);
        }
        let link = self.dashboard_link(&mut tx, identity).await?;
        tx.commit().await?;
        Ok(Some(link))
    }

    /// Open a session with a link's token: once, within its time, for an account that may
    /// still use the dashboard. Returns the session's cookie token and the session.
    pub async fn sign_in(&self, link_token: &str) -> anyhow::Result<Option<(String, Session)>> {
        let now = self.sign_in_clock().now().timestamp_millis();
        let Some(identity_id) = self
            .store()
            .redeem_dashboard_link(&token_hash(link_token), now)
            .await?
        else {
            return Ok(None);
        };
        let Some(roles) = self.dashboard_roles(identity_id).await? else {
            return Ok(None);
        };
        let (token, csrf) = (new_token()?, new_token()?);
        self.store()
            .create_dashboard_session(
                &token_hash(&token),
                identity_id,
                &csrf,
                now,
                now + SESSION_HOURS * 3_600_000,
            )
            .await?;
        Ok(Some((
            token,
            Session {
                identity_id,
                csrf,
                roles,
            },
        )))
    }

    /// The session a cookie's token opens, if it is still open and its account still may.
    pub async fn session(&self, token: &str) -> anyhow::Result<Option<Session>> {
        let now = self.sign_in_clock().now().timestamp_millis();
        let Some((identity_id, csrf)) = self
            .store()
            .dashboard_session(&token_hash(token), now)
            .await?
        else {
            return Ok(None);
        };
        let Some(roles) = self.dashboard_roles(identity_id).await? else {
            return Ok(None);
        };
        Ok(Some(Session {
            identity_id,
            csrf,
            roles,
        }))
    }

    pub async fn sign_out(&self, token: &str) -> anyhow::Result<()> {
        self.store().end_dashboard_session(&token_hash(token)).await
    }

    /// The roles now, not when the link was sent (a revoked coordinator is signed out),
    /// if they let the account use the dashboard.
    async fn dashboard_roles(&self, identity_id: i64) -> anyhow::Result<Option<Roles>> {
        let mut tx: Tx = self.store().begin().await?;
        let roles = tx.roles_of(identity_id).await?;
        tx.commit().await?;
        Ok(Some(roles).filter(|r| r.may(Action::UseDashboard)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_only_their_hash_is_kept() {
        let (a, b) = (new_token().unwrap(), new_token().unwrap());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(token_hash(&a), token_hash(&a));
        assert_ne!(token_hash(&a), a);
        assert_eq!(
            token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
