//! Roles and the audit log, as named use cases: granting and revoking a role by phone (the
//! person is told), from the command line or the configuration, and reading the log. Each
//! runs in the caller's transaction; who may call which was checked before
//! (`requests.rs`).

use super::App;
use super::outbound::rows_for;
use crate::channels::Channel;
use crate::domain::audit::AuditAction;
use crate::domain::club::{Role, Roles};
use crate::domain::phone::PhoneNumber;
use crate::domain::province::Province;
use crate::domain::scope::Scope;
use crate::engine::{ClubOutcome, Outcome};
use crate::messages::{Msg, MsgId};
use crate::store::{Lane, OutboxKey, PhoneLookup, Tx};
use chrono::{DateTime, Utc};

impl App {
    /// Grant or revoke `role` for the donor with this phone (audited; the person is told),
    /// for `province` or the whole country (`None`; a leader's role has no province). A
    /// revoke without a province takes the grants within the revoker's admin scope
    /// (`revoker`; the permission table checked the rest). The last national admin is not
    /// revoked; a revoked leader steps down from leading clubs.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn set_role(
        &self,
        tx: &mut Tx,
        identity_id: i64,
        revoker: &Roles,
        role: Role,
        phone: &PhoneNumber,
        grant: bool,
        province: Option<Province>,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Outcome> {
        let province = province.filter(|_| role != Role::Leader);
        let now_ms = now.timestamp_millis();
        let (donor, target) = match tx.donor_by_phone(phone.as_e164()).await? {
            PhoneLookup::None => return Ok(Outcome::Club(ClubOutcome::NoSuchDonor)),
            PhoneLookup::Several => return Ok(Outcome::Club(ClubOutcome::SeveralDonors)),
            PhoneLookup::One {
                donor_id,
                identity_id: person,
            } => (donor_id, person),
        };
        let actor = tx.account_ref(identity_id).await?;
        let changed = if grant {
            tx.grant_role(target, role, province, &actor, now_ms)
                .await?
        } else {
            let within = match (role, province) {
                (Role::Leader, _) => Scope::NATION,
                (_, Some(p)) => Scope::province(p),
                (_, None) => revoker.admin_in,
            };
            if role == Role::Admin
                && within.is_nation()
                && tx.roles_of(target).await?.admin_in.is_nation()
                && tx.count_role(Role::Admin).await? <= 1
            {
                return Ok(Outcome::Club(ClubOutcome::LastAdmin));
            }
            tx.revoke_role(target, role, within).await? > 0
        };
        if changed {
            // No longer a leader: no longer leads any club either (stays a member),
            // so the clubs' announcements stop with the role.
            if !grant && role == Role::Leader {
                tx.step_down_as_club_leader(donor).await?;
            }
            let action = AuditAction::role(grant);
            let what = match province {
                Some(p) => format!("{} donor:{donor} province:{}", role.code(), p.code()),
                None => format!("{} donor:{donor}", role.code()),
            };
            tx.audit(&actor, action, &what, None, now_ms).await?;
            // The person is told what changed for them.
            if let Some(r) = tx.identity_recipient(target).await? {
                let msg = Msg::new(if grant {
                    MsgId::RoleGrantedNotice
                } else {
                    MsgId::RoleRevokedNotice
                })
                .msg("role", crate::engine::role_label_in(role, province));
                let key = OutboxKey::RoleChanged {
                    role,
                    grant,
                    at: now_ms,
                };
                let rows = rows_for(self, &r, msg, &key, Lane::Notice, now_ms)?;
                tx.enqueue(&rows, now_ms).await?;
            }
        }
        Ok(Outcome::Club(ClubOutcome::RoleChanged {
            role,
            grant,
            changed,
            province,
        }))
    }

    /// The last 20 entries of the audit log, with local times.
    /// Its entries of the provinces where the reader is an admin (`scope`: every entry for
    /// a national admin).
    pub(super) async fn audit_log(
        &self,
        tx: &mut Tx,
        scope: Scope,
        filter: Option<crate::domain::club::AuditFilter>,
    ) -> anyhow::Result<Outcome> {
        let tz = self.config().timezone;
        let entries = match filter {
            None => tx.audit_log(Some(20), scope).await?,
            Some(f) => tx.audit_search(&f, scope).await?,
        };
        Ok(Outcome::Club(ClubOutcome::Audit(
            entries
                .into_iter()
                .map(|e| {
                    let at = DateTime::from_timestamp_millis(e.at)
                        .map(|t| t.with_timezone(&tz).format("%d/%m %H:%M").to_string())
                        .unwrap_or_default();
                    (at, e)
                })
                .collect(),
        )))
    }

    /// Grant or revoke a role from the command line (`hienmau admin grant …`), naming a
    /// channel account that may not have written yet, for a province or the whole country
    /// (`None`: a revoke then takes every grant of the role). Returns whether anything
    /// changed.
    pub async fn set_role_for_account(
        &self,
        channel: Channel,
        user: &str,
        role: Role,
        grant: bool,
        province: Option<Province>,
    ) -> anyhow::Result<bool> {
        let province = province.filter(|_| role != Role::Leader);
        let now = self.clock().now().timestamp_millis();
        let mut tx = self.store().begin().await?;
        let identity = tx.ensure_identity(channel.code(), user, now).await?;
        let changed = if grant {
            tx.grant_role(identity, role, province, "cli", now).await?
        } else {
            let within = province.map_or(Scope::NATION, Scope::province);
            tx.revoke_role(identity, role, within).await? > 0
        };
        if changed {
            let action = AuditAction::role(grant);
            let target = match province {
                Some(p) => format!(
                    "{} {}:{user} province:{}",
                    role.code(),
                    channel.code(),
                    p.code()
                ),
                None => format!("{} {}:{user}", role.code(), channel.code()),
            };
            tx.audit("cli", action, &target, None, now).await?;
        }
        tx.commit().await?;
        Ok(changed)
    }

    /// Make the configured admins admins (at start; idempotent).
    pub async fn apply_config_admins(&self) -> anyhow::Result<()> {
        if self.config().admins.is_empty() {
            return Ok(());
        }
        let now = self.clock().now().timestamp_millis();
        let mut tx = self.store().begin().await?;
        for a in &self.config().admins {
            let Some((channel, user)) = crate::channels::parse_account(a) else {
                continue;
            };
            let identity = tx.ensure_identity(channel.code(), &user, now).await?;
            if tx
                .grant_role(identity, Role::Admin, None, "config", now)
                .await?
            {
                let target = format!("admin {}:{user}", channel.code());
                tx.audit("config", AuditAction::RoleGrant, &target, None, now)
                    .await?;
            }
        }
        tx.commit().await
    }
}
