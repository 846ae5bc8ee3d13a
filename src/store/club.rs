//! SQL for roles, clubs, broadcasts and the audit log. Every function that changes
//! something privileged runs inside the caller's [`Tx`], after the caller checked the actor's
//! roles with [`Tx::roles_of`] in the same transaction.

use super::{Q, push_scope, scope_clause};
use super::{Store, Tx};
use crate::domain::audit::AuditAction;
use crate::domain::channel::Channel;
use crate::domain::club::{
    Audience, AuditEntry, BroadcastInfo, ClubInfo, ClubKind, Member, Progress, Role, Roles,
};
use crate::domain::delivery::MessageStatus;
use crate::domain::province::Province;
use crate::domain::scope::Scope;
use crate::messages::Lang;
use anyhow::Context;
use sqlx::any::AnyRow;
use sqlx::{FromRow, Row};
use std::collections::HashMap;

/// Where one broadcast message goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub identity_id: i64,
    pub channel: Channel,
    pub chat_id: String,
    pub lang: Lang,
}

/// A broadcast not yet finished, with where to tell its sender about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenBroadcast {
    pub id: i64,
    pub label: String,
    pub recipients: i64,
    pub cancelled: bool,
    pub progress_at: Option<i64>,
    pub progress_done: i64,
    /// The sender's account, unless it was erased meanwhile.
    pub sender: Option<Recipient>,
}

/// A registered donor found by phone, for granting a role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhoneLookup {
    None,
    One {
        donor_id: i64,
        identity_id: i64,
    },
    /// Typed phones are not unique: several donors gave this number.
    Several,
}

/// The most recently active reachable account of each donor `d` — one message per person
/// however many platforms they use.
pub(super) const BEST_IDENTITY: &str = "JOIN channel_identities i ON i.id = ( \
     SELECT i2.id FROM channel_identities i2 \
     WHERE i2.donor_id = d.id AND i2.unreachable_at IS NULL \
     ORDER BY i2.last_seen_at DESC, i2.id DESC LIMIT 1)";

/// Who an audience reaches: registered, not paused, not muted (clubs), not the sender.
fn audience_sql(audience: &Audience, select: &str) -> (String, Vec<String>) {
    // Not the sender: `d.id IS NOT ?` on SQLite, which PostgreSQL does not read.
    let base = "d.registered_at IS NOT NULL AND NOT d.paused AND COALESCE(d.id <> ?, TRUE)";
    match audience {
        Audience::Club { id, .. } => (
            format!(
                "SELECT {select} FROM club_members m JOIN donors d ON d.id = m.donor_id \
                 {BEST_IDENTITY} WHERE m.club_id = CAST(? AS BIGINT) AND NOT m.muted AND {base}"
            ),
            vec![id.to_string()],
        ),
        Audience::Province { code } => (
            format!(
                "SELECT {select} FROM donors d {BEST_IDENTITY} WHERE d.province = ? AND {base}"
            ),
            vec![code.clone()],
        ),
        Audience::Blood { group } => (
            format!(
                "SELECT {select} FROM donors d {BEST_IDENTITY} WHERE d.blood_group = ? AND {base}"
            ),
            vec![group.clone()],
        ),
        Audience::All => (
            format!("SELECT {select} FROM donors d {BEST_IDENTITY} WHERE 1 = 1 AND {base}"),
            vec![],
        ),
    }
}

impl Tx {
    /// The roles of an account and of every account of the same donor.
    pub async fn roles_of(&mut self, identity_id: i64) -> anyhow::Result<Roles> {
        let rows = sqlx::query(
            "SELECT DISTINCT r.role, r.province FROM roles r \
             JOIN channel_identities i ON i.id = r.identity_id \
             WHERE i.id = $1 OR i.donor_id = \
               (SELECT donor_id FROM channel_identities WHERE id = $1)",
        )
        .bind(identity_id)
        .fetch_all(&mut *self.tx)
        .await
        .context("reading roles")?;
        let mut grants = Vec::new();
        for row in &rows {
            grants.extend(grant_of(row)?);
        }
        Ok(Roles::from_grants(&grants))
    }

    /// The roles of each of these accounts (with every account of the same donor), in one
    /// statement: a batch's people, read once for the batch. An account with none is
    /// absent.
    pub async fn roles_of_accounts(
        &mut self,
        identity_ids: &[i64],
    ) -> anyhow::Result<HashMap<i64, Roles>> {
        let mut lists: HashMap<i64, Vec<(Role, Option<Province>)>> = HashMap::new();
        for chunk in identity_ids.chunks(super::CHUNK) {
            // Driven from the (small) roles table: each grant's account, and the accounts
            // of the same donor.
            let mut q = super::Q::new(
                self.backend(),
                "SELECT DISTINCT i.id AS identity_id, r.role, r.province FROM roles r \
                 JOIN channel_identities j ON j.id = r.identity_id \
                 JOIN channel_identities i ON i.id = j.id \
                   OR (j.donor_id IS NOT NULL AND i.donor_id = j.donor_id) \
                 WHERE i.id IN ",
            );
            super::push_list(&mut q, chunk);
            for row in q
                .build()
                .fetch_all(&mut *self.tx)
                .await
                .context("reading the batch's roles")?
            {
                if let Some(grant) = grant_of(&row)? {
                    lists
                        .entry(row.try_get::<i64, _>("identity_id")?)
                        .or_default()
                        .push(grant);
                }
            }
        }
        Ok(lists
            .into_iter()
            .map(|(id, list)| (id, Roles::from_grants(&list)))
            .collect())
    }

    /// How an account is named in the audit log: `telegram:123456`.
    pub async fn account_ref(&mut self, identity_id: i64) -> anyhow::Result<String> {
        let row = sqlx::query("SELECT channel, external_id FROM channel_identities WHERE id = $1")
            .bind(identity_id)
            .fetch_optional(&mut *self.tx)
            .await?;
        Ok(match row {
            Some(r) => format!(
                "{}:{}",
                r.try_get::<String, _>("channel")?,
                r.try_get::<String, _>("external_id")?
            ),
            None => format!("account#{identity_id}"),
        })
    }

    /// The donor an account belongs to, and whether they finished registering; `None` for
    /// an account that is not (or no longer) known.
    pub async fn donor_of_identity(
        &mut self,
        identity_id: i64,
    ) -> anyhow::Result<Option<(Option<i64>, bool)>> {
        let row = sqlx::query(
            "SELECT i.donor_id, d.registered_at IS NOT NULL AS registered \
             FROM channel_identities i LEFT JOIN donors d ON d.id = i.donor_id WHERE i.id = $1",
        )
        .bind(identity_id)
        .fetch_optional(&mut *self.tx)
        .await?;
        Ok(match row {
            Some(r) => Some((
                r.try_get::<Option<i64>, _>("donor_id")?,
                super::flag(&r, "registered")?,
            )),
            None => None,
        })
    }

    /// Does another donor (registered or registering) have this phone?
    pub async fn phone_used_by_another(
        &mut self,
        e164: &str,
        mine: Option<i64>,
    ) -> anyhow::Result<bool> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM donors WHERE phone = $1 AND COALESCE(id <> $2, TRUE) LIMIT 1",
        )
        .bind(e164)
        .bind(mine)
        .fetch_optional(&mut *self.tx)
        .await
        .context("checking a phone")?;
        Ok(found.is_some())
    }

    /// A registered donor by phone (E.164), with their most recent account.
    pub async fn donor_by_phone(&mut self, e164: &str) -> anyhow::Result<PhoneLookup> {
        self.donor_by_phone_in(e164, Scope::NATION).await
    }

    /// [`Tx::donor_by_phone`] among the donors of a staff scope's provinces: another
    /// province's donor is not found (issue 33).
    pub async fn donor_by_phone_in(
        &mut self,
        e164: &str,
        scope: Scope,
    ) -> anyhow::Result<PhoneLookup> {
        let sql = format!(
            "SELECT d.id AS donor_id, i.id AS identity_id FROM donors d \
             JOIN channel_identities i ON i.id = (SELECT i2.id FROM channel_identities i2 \
               WHERE i2.donor_id = d.id ORDER BY i2.last_seen_at DESC, i2.id DESC LIMIT 1) \
             WHERE d.phone = $1 AND d.registered_at IS NOT NULL{} LIMIT 2",
            scope_clause("d.province", scope)
        );
        let rows = sqlx::query(&sql)
            .bind(e164)
            .fetch_all(&mut *self.tx)
            .await
            .context("finding a donor by phone")?;
        Ok(match rows.as_slice() {
            [] => PhoneLookup::None,
            [r] => PhoneLookup::One {
                donor_id: r.try_get("donor_id")?,
                identity_id: r.try_get("identity_id")?,
            },
            _ => PhoneLookup::Several,
        })
    }

    /// Give a role to an account; false if it already had it.
    pub async fn grant_role(
        &mut self,
        identity_id: i64,
        role: Role,
        province: Option<Province>,
        by: &str,
        now: i64,
    ) -> anyhow::Result<bool> {
        let r = sqlx::query(
            "INSERT INTO roles (identity_id, role, province, granted_at, granted_by) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (identity_id, role, province) DO NOTHING",
        )
        .bind(identity_id)
        .bind(role.code())
        .bind(province.map_or("", |p| p.code()))
        .bind(now)
        .bind(by)
        .execute(&mut *self.tx)
        .await
        .context("granting a role")?;
        Ok(r.rows_affected() > 0)
    }

    /// Take a role from an account and every account of the same donor (their dashboard
    /// sessions end): its grants within `within` (the whole country: every grant of the
    /// role, national or provincial; provinces: those provinces' grants). Returns how many
    /// grants were removed.
    pub async fn revoke_role(
        &mut self,
        identity_id: i64,
        role: Role,
        within: Scope,
    ) -> anyhow::Result<u64> {
        let mut q = super::Q::new(self.backend(), "DELETE FROM roles WHERE role = ");
        q.push_bind(role.code().to_string());
        q.push(
            " AND identity_id IN ( \
               SELECT id FROM channel_identities WHERE id = ",
        );
        q.push_bind(identity_id);
        q.push(" OR donor_id = (SELECT donor_id FROM channel_identities WHERE id = ");
        q.push_bind(identity_id);
        q.push("))");
        push_scope(&mut q, "province", within);
        let r = q
            .build()
            .execute(&mut *self.tx)
            .await
            .context("revoking a role")?;
        if r.rows_affected() > 0 {
            // Its dashboard sessions end with it: a grant later needs a new sign-in link
            // and never revives an old session.
            sqlx::query(
                "DELETE FROM dashboard_sessions WHERE identity_id IN ( \
                   SELECT id FROM channel_identities WHERE id = $1 OR donor_id = \
                     (SELECT donor_id FROM channel_identities WHERE id = $1))",
            )
            .bind(identity_id)
            .execute(&mut *self.tx)
            .await
            .context("ending a revoked account's sessions")?;
        }
        Ok(r.rows_affected())
    }

    /// A donor no longer leads any club (they stay a member of each).
    pub async fn step_down_as_club_leader(&mut self, donor: i64) -> anyhow::Result<u64> {
        Ok(sqlx::query(
            "UPDATE club_members SET role = 'member' WHERE donor_id = $1 AND role = 'leader'",
        )
        .bind(donor)
        .execute(&mut *self.tx)
        .await
        .context("stepping down as a club leader")?
        .rows_affected())
    }

    /// How many grants of this role for the whole country there are.
    pub async fn count_role(&mut self, role: Role) -> anyhow::Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM roles WHERE role = $1 AND province = ''")
                .bind(role.code())
                .fetch_one(&mut *self.tx)
                .await?,
        )
    }

    pub async fn audit(
        &mut self,
        actor: &str,
        action: AuditAction,
        target: &str,
        recipients: Option<i64>,
        now: i64,
    ) -> anyhow::Result<()> {
        // The province it belongs to, read from what it names, stored with it: a province's
        // admins read their province's entries (issue 33).
        let province = self.audit_province(target).await?;
        sqlx::query(
            "INSERT INTO audit_log (at, actor, action, target, recipients, province) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(now)
        .bind(actor)
        .bind(action.code())
        .bind(target)
        .bind(recipients)
        .bind(province)
        .execute(&mut *self.tx)
        .await
        .context("writing the audit log")?;
        Ok(())
    }

    /// How many people the audit entry this transaction just wrote concerned (known only
    /// after the action; the transaction holds the write lock since that entry).
    pub async fn note_audit_recipients(&mut self, recipients: i64) -> anyhow::Result<()> {
        sqlx::query(
            "UPDATE audit_log SET recipients = $1 WHERE id = (SELECT MAX(id) FROM audit_log)",
        )
        .bind(recipients)
        .execute(&mut *self.tx)
        .await
        .context("writing the audit log")?;
        Ok(())
    }

    /// The donor's family: its code and its members.
    pub async fn family_of(&mut self, donor: i64) -> anyhow::Result<Option<(String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT f.code, (SELECT COUNT(*) FROM donors x WHERE x.family_id = f.id) \
             FROM families f JOIN donors d ON d.family_id = f.id WHERE d.id = $1",
        )
        .bind(donor)
        .fetch_optional(&mut *self.tx)
        .await?)
    }

    /// A new family with `donor` in it (out of any other).
    pub async fn create_family(
        &mut self,
        donor: i64,
        mut code: impl FnMut() -> String,
        now: i64,
    ) -> anyhow::Result<String> {
        for _ in 0..20 {
            let c = code();
            let id: Option<i64> = sqlx::query_scalar(
                "INSERT INTO families (code, created_at) VALUES ($1, $2) \
                 ON CONFLICT (code) DO NOTHING RETURNING id",
            )
            .bind(&c)
            .bind(now)
            .fetch_optional(&mut *self.tx)
            .await
            .context("creating a family")?;
            if let Some(id) = id {
                self.set_family(donor, Some(id)).await?;
                return Ok(c);
            }
        }
        anyhow::bail!("no free family code after 20 tries")
    }

    /// Join the family with `code`; `false` when there is none.
    pub async fn join_family(&mut self, donor: i64, code: &str) -> anyhow::Result<bool> {
        let id: Option<i64> = sqlx::query_scalar("SELECT id FROM families WHERE code = $1")
            .bind(code)
            .fetch_optional(&mut *self.tx)
            .await?;
        if id.is_some() {
            self.set_family(donor, id).await?;
        }
        Ok(id.is_some())
    }

    pub async fn leave_family(&mut self, donor: i64) -> anyhow::Result<()> {
        self.set_family(donor, None).await
    }

    /// Move a donor to a family (or out of one); a family left empty goes.
    async fn set_family(&mut self, donor: i64, family: Option<i64>) -> anyhow::Result<()> {
        sqlx::query("UPDATE donors SET family_id = $1 WHERE id = $2")
            .bind(family)
            .bind(donor)
            .execute(&mut *self.tx)
            .await?;
        self.drop_empty_families().await
    }

    /// Families nobody is in any more (left, or erased) are deleted.
    pub(crate) async fn drop_empty_families(&mut self) -> anyhow::Result<()> {
        sqlx::query(
            "DELETE FROM families WHERE NOT EXISTS \
             (SELECT 1 FROM donors d WHERE d.family_id = families.id)",
        )
        .execute(&mut *self.tx)
        .await
        .context("removing empty families")?;
        Ok(())
    }

    /// Create a club with its creator as leader. `code` is tried first; on the rare clash
    /// with an existing code, `more_codes` gives others.
    pub async fn create_club(
        &mut self,
        name: &str,
        kind: ClubKind,
        province: Option<&str>,
        leader_donor: i64,
        mut code: impl FnMut() -> String,
        now: i64,
    ) -> anyhow::Result<(i64, String)> {
        for _ in 0..20 {
            let c = code();
            let id: Option<i64> = sqlx::query_scalar(
                "INSERT INTO clubs (name, kind, province, invite_code, created_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (invite_code) DO NOTHING RETURNING id",
            )
            .bind(name)
            .bind(kind.code())
            .bind(province)
            .bind(&c)
            .bind(now)
            .fetch_optional(&mut *self.tx)
            .await
            .context("creating a club")?;
            if let Some(id) = id {
                sqlx::query(
                    "INSERT INTO club_members (club_id, donor_id, role, joined_at) \
                     VALUES ($1, $2, 'leader', $3)",
                )
                .bind(id)
                .bind(leader_donor)
                .bind(now)
                .execute(&mut *self.tx)
                .await?;
                return Ok((id, c));
            }
        }
        anyhow::bail!("no free invite code after 20 tries")
    }

    fn club_view(r: &AnyRow) -> anyhow::Result<ClubInfo> {
        let r = ClubRow::from_row(r).context("a club's row")?;
        Ok(ClubInfo {
            id: r.id,
            name: r.name,
            kind: ClubKind::from_code(&r.kind).unwrap_or(ClubKind::Community),
            invite_code: r.invite_code,
            leader: r.role.as_deref() == Some("leader"),
            muted: super::row::yes(r.muted),
            members: r.members,
        })
    }

    const CLUB_COLUMNS: &'static str = "c.id, c.name, c.kind, c.invite_code, m.role, m.muted, \
         (SELECT COUNT(*) FROM club_members x WHERE x.club_id = c.id) AS members";

    /// A club by invite code, as `donor` sees it (role and muted empty if not a member).
    pub async fn club_by_code(
        &mut self,
        code: &str,
        donor: i64,
    ) -> anyhow::Result<Option<(ClubInfo, bool)>> {
        let sql = format!(
            "SELECT {}, m.donor_id IS NOT NULL AS member FROM clubs c \
             LEFT JOIN club_members m ON m.club_id = c.id AND m.donor_id = $2 \
             WHERE c.invite_code = $1",
            Self::CLUB_COLUMNS
        );
        let row = sqlx::query(&sql)
            .bind(code)
            .bind(donor)
            .fetch_optional(&mut *self.tx)
            .await
            .context("finding a club")?;
        row.map(|r| Ok((Self::club_view(&r)?, super::flag(&r, "member")?)))
            .transpose()
    }

    /// The clubs a donor belongs to, or one of them.
    pub async fn clubs_of(
        &mut self,
        donor: i64,
        only: Option<i64>,
    ) -> anyhow::Result<Vec<ClubInfo>> {
        let sql = format!(
            "SELECT {} FROM club_members m JOIN clubs c ON c.id = m.club_id \
             WHERE m.donor_id = $1 AND ($2 IS NULL OR c.id = $2) ORDER BY m.joined_at, c.id",
            Self::CLUB_COLUMNS
        );
        let rows = sqlx::query(&sql)
            .bind(donor)
            .bind(only)
            .fetch_all(&mut *self.tx)
            .await
            .context("reading clubs")?;
        rows.iter().map(Self::club_view).collect()
    }

    /// Every club (for coordinators choosing where to broadcast).
    /// Every club of a staff scope's provinces.
    pub async fn all_clubs(&mut self, scope: Scope) -> anyhow::Result<Vec<(i64, String)>> {
        let sql = format!(
            "SELECT id, name FROM clubs WHERE 1 = 1{} ORDER BY name, id",
            scope_clause("province", scope)
        );
        let rows = sqlx::query(&sql).fetch_all(&mut *self.tx).await?;
        rows.iter()
            .map(|r| Ok((r.try_get("id")?, r.try_get("name")?)))
            .collect()
    }

    pub async fn join_club(&mut self, club: i64, donor: i64, now: i64) -> anyhow::Result<bool> {
        let r = sqlx::query(
            "INSERT INTO club_members (club_id, donor_id, role, joined_at) VALUES ($1, $2, 'member', $3) \
             ON CONFLICT (club_id, donor_id) DO NOTHING",
        )
        .bind(club)
        .bind(donor)
        .bind(now)
        .execute(&mut *self.tx)
        .await
        .context("joining a club")?;
        Ok(r.rows_affected() > 0)
    }

    /// Leave (or be removed from) a club; false if not a member.
    pub async fn leave_club(&mut self, club: i64, donor: i64) -> anyhow::Result<bool> {
        let r = sqlx::query("DELETE FROM club_members WHERE club_id = $1 AND donor_id = $2")
            .bind(club)
            .bind(donor)
            .execute(&mut *self.tx)
            .await
            .context("leaving a club")?;
        Ok(r.rows_affected() > 0)
    }

    pub async fn leaders_of(&mut self, club: i64) -> anyhow::Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM club_members WHERE club_id = $1 AND role = 'leader'",
        )
        .bind(club)
        .fetch_one(&mut *self.tx)
        .await?)
    }

    pub async fn set_muted(&mut self, club: i64, donor: i64, muted: bool) -> anyhow::Result<bool> {
        let r =
            sqlx::query("UPDATE club_members SET muted = $1 WHERE club_id = $2 AND donor_id = $3")
                .bind(muted)
                .bind(club)
                .bind(donor)
                .execute(&mut *self.tx)
                .await?;
        Ok(r.rows_affected() > 0)
    }

    /// Members of a club, leaders first, then by name in Vietnamese order (Đ after D).
    pub async fn members_of(&mut self, club: i64) -> anyhow::Result<Vec<Member>> {
        self.members_matching(club, None).await
    }

    /// [`Tx::members_of`], only those a leader's search answers (by name or phone; the
    /// phone is compared here and never leaves the store unmasked).
    pub async fn members_matching(
        &mut self,
        club: i64,
        query: Option<&crate::domain::club::MemberQuery>,
    ) -> anyhow::Result<Vec<Member>> {
        let mut members = self.members_unsorted(club, query).await?;
        members.sort_by_cached_key(|m| {
            (
                !m.leader,
                crate::domain::text::vi_sort_key(&m.name),
                m.donor_id,
            )
        });
        Ok(members)
    }

    async fn members_unsorted(
        &mut self,
        club: i64,
        query: Option<&crate::domain::club::MemberQuery>,
    ) -> anyhow::Result<Vec<Member>> {
        let rows = sqlx::query(
            "SELECT d.id, d.full_name, d.blood_group, d.phone, m.role FROM club_members m \
             JOIN donors d ON d.id = m.donor_id WHERE m.club_id = $1 \
             ORDER BY m.role = 'leader' DESC, d.full_name, d.id",
        )
        .bind(club)
        .fetch_all(&mut *self.tx)
        .await
        .context("reading members")?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let phone: Option<String> = r.try_get("phone")?;
            let name = r
                .try_get::<Option<String>, _>("full_name")?
                .unwrap_or_default();
            if query.is_some_and(|q| !q.matches(&name, phone.as_deref())) {
                continue;
            }
            out.push(Member {
                donor_id: r.try_get("id")?,
                name,
                blood_group: r.try_get("blood_group")?,
                phone_masked: phone
                    .and_then(|p| crate::domain::phone::PhoneNumber::parse(&p).ok())
                    .map(|p| p.masked()),
                leader: r.try_get::<String, _>("role")? == "leader",
            });
        }
        Ok(out)
    }

    /// How many people an audience reaches now.
    pub async fn count_audience(
        &mut self,
        audience: &Audience,
        sender_donor: Option<i64>,
    ) -> anyhow::Result<i64> {
        let (sql, binds) = audience_sql(audience, "COUNT(*)");
        let sql = self.backend().sql(&sql).into_owned();
        let mut q = sqlx::query_scalar(&sql);
        for b in &binds {
            q = q.bind(b);
        }
        q.bind(sender_donor)
            .fetch_one(&mut *self.tx)
            .await
            .context("counting an audience")
    }

    /// Where each person of an audience is written to.
    pub async fn audience(
        &mut self,
        audience: &Audience,
        sender_donor: Option<i64>,
    ) -> anyhow::Result<Vec<Recipient>> {
        let (sql, binds) = audience_sql(audience, "i.id, i.channel, i.chat_id, i.lang");
        let sql = self.backend().sql(&sql).into_owned();
        let mut q = sqlx::query(&sql);
        for b in &binds {
            q = q.bind(b);
        }
        let rows = q
            .bind(sender_donor)
            .fetch_all(&mut *self.tx)
            .await
            .context("reading an audience")?;
        rows.iter()
            .map(|r| {
                Ok(Recipient {
                    identity_id: r.try_get("id")?,
                    channel: super::channel_of(r)?,
                    chat_id: r.try_get("chat_id")?,
                    lang: Lang::from_code(&r.try_get::<String, _>("lang")?).unwrap_or(Lang::Vi),
                })
            })
            .collect()
    }

    /// Broadcasts started since `since` by this account or another of the same donor.
    pub async fn broadcasts_since(&mut self, identity_id: i64, since: i64) -> anyhow::Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM broadcasts WHERE created_at >= $1 AND sender_identity_id IN ( \
               SELECT id FROM channel_identities WHERE id = $2 OR donor_id = \
                 (SELECT donor_id FROM channel_identities WHERE id = $2))",
        )
        .bind(since)
        .bind(identity_id)
        .fetch_one(&mut *self.tx)
        .await?)
    }

    pub async fn create_broadcast(
        &mut self,
        sender: i64,
        audience: &Audience,
        text: &str,
        recipients: i64,
        form_key: Option<&str>,
        now: i64,
    ) -> anyhow::Result<i64> {
        sqlx::query_scalar(
            "INSERT INTO broadcasts (sender_identity_id, audience, audience_label, text, \
             recipients, form_key, created_at, progress_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
        )
        .bind(sender)
        .bind(audience.key())
        .bind(audience.label())
        .bind(text)
        .bind(recipients)
        .bind(form_key)
        .bind(now)
        .fetch_one(&mut *self.tx)
        .await
        .context("recording a broadcast")
    }

    /// The broadcast (id, recipients) this sender already made with a form's one-time key.
    pub async fn broadcast_by_form_key(
        &mut self,
        sender: i64,
        form_key: &str,
    ) -> anyhow::Result<Option<(i64, i64)>> {
        Ok(sqlx::query_as(
            "SELECT id, recipients FROM broadcasts WHERE form_key = $1 AND sender_identity_id = $2",
        )
        .bind(form_key)
        .bind(sender)
        .fetch_optional(&mut *self.tx)
        .await?)
    }

    /// A broadcast's sender, if it exists.
    pub async fn broadcast_sender(&mut self, id: i64) -> anyhow::Result<Option<Option<i64>>> {
        Ok(
            sqlx::query_scalar("SELECT sender_identity_id FROM broadcasts WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *self.tx)
                .await?,
        )
    }

    /// Whether two accounts belong to the same person.
    pub async fn same_person(&mut self, a: i64, b: i64) -> anyhow::Result<bool> {
        if a == b {
            return Ok(true);
        }
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM channel_identities x JOIN channel_identities y \
             ON x.donor_id = y.donor_id WHERE x.id = $1 AND y.id = $2",
        )
        .bind(a)
        .bind(b)
        .fetch_one(&mut *self.tx)
        .await?;
        Ok(n > 0)
    }

    /// Stop a broadcast: rows not yet handed to a platform are cancelled (and their text
    /// cleared). Returns how many.
    pub async fn cancel_broadcast(&mut self, id: i64, now: i64) -> anyhow::Result<u64> {
        sqlx::query(
            "UPDATE broadcasts SET cancelled_at = $1 WHERE id = $2 AND cancelled_at IS NULL",
        )
        .bind(now)
        .bind(id)
        .execute(&mut *self.tx)
        .await?;
        sqlx::query(
            "UPDATE outbox SET withdrawn_at = $1 WHERE broadcast_id = $2 AND status = 'sending'",
        )
        .bind(now)
        .bind(id)
        .execute(&mut *self.tx)
        .await
        .context("marking a broadcast's rows being sent")?;
        let r = sqlx::query(
            "UPDATE outbox SET status = 'cancelled', finished_at = $1, body = NULL, chat_id = NULL \
             WHERE broadcast_id = $2 AND status = 'pending'",
        )
        .bind(now)
        .bind(id)
        .execute(&mut *self.tx)
        .await
        .context("cancelling a broadcast")?;
        Ok(r.rows_affected())
    }

    /// The latest broadcasts of this person (every account of the same donor).
    pub async fn broadcasts_of(
        &mut self,
        identity_id: i64,
        limit: i64,
    ) -> anyhow::Result<Vec<BroadcastInfo>> {
        let rows = sqlx::query(
            "SELECT id, audience, audience_label, recipients, created_at, \
             cancelled_at IS NOT NULL AS cancelled, finished_at IS NOT NULL AS finished \
             FROM broadcasts WHERE sender_identity_id IN ( \
               SELECT id FROM channel_identities WHERE id = $1 OR donor_id = \
                 (SELECT donor_id FROM channel_identities WHERE id = $1)) \
             ORDER BY id DESC LIMIT $2",
        )
        .bind(identity_id)
        .bind(limit)
        .fetch_all(&mut *self.tx)
        .await
        .context("reading broadcasts")?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let id: i64 = r.try_get("id")?;
            out.push(BroadcastInfo {
                id,
                label: r.try_get("audience_label")?,
                audience: r.try_get("audience")?,
                recipients: r.try_get("recipients")?,
                created_at: r.try_get("created_at")?,
                cancelled: super::flag(&r, "cancelled")?,
                finished: super::flag(&r, "finished")?,
                progress: self.progress(id).await?,
            });
        }
        Ok(out)
    }

    pub async fn progress(&mut self, broadcast: i64) -> anyhow::Result<Progress> {
        let rows: Vec<(MessageStatus, i64)> = sqlx::query_as(
            "SELECT status, COUNT(*) FROM outbox WHERE broadcast_id = $1 GROUP BY status",
        )
        .bind(broadcast)
        .fetch_all(&mut *self.tx)
        .await
        .context("counting a broadcast's rows")?;
        Ok(Progress::from_counts(rows))
    }

    /// Broadcasts whose summary has not been sent.
    pub async fn open_broadcasts(&mut self) -> anyhow::Result<Vec<OpenBroadcast>> {
        let rows = sqlx::query(
            "SELECT b.id, b.audience_label, b.recipients, b.cancelled_at IS NOT NULL AS cancelled, \
             b.progress_at, b.progress_done, i.id AS identity_id, i.channel, i.chat_id, i.lang \
             FROM broadcasts b LEFT JOIN channel_identities i ON i.id = b.sender_identity_id \
             WHERE b.finished_at IS NULL ORDER BY b.id",
        )
        .fetch_all(&mut *self.tx)
        .await
        .context("reading open broadcasts")?;
        rows.iter()
            .map(|r| {
                let identity: Option<i64> = r.try_get("identity_id")?;
                let sender = match identity {
                    Some(identity_id) => Some(Recipient {
                        identity_id,
                        channel: super::channel_of(r)?,
                        chat_id: r.try_get("chat_id")?,
                        lang: Lang::from_code(&r.try_get::<String, _>("lang")?).unwrap_or(Lang::Vi),
                    }),
                    None => None,
                };
                Ok(OpenBroadcast {
                    id: r.try_get("id")?,
                    label: r.try_get("audience_label")?,
                    recipients: r.try_get("recipients")?,
                    cancelled: super::flag(r, "cancelled")?,
                    progress_at: r.try_get("progress_at")?,
                    progress_done: r.try_get("progress_done")?,
                    sender,
                })
            })
            .collect()
    }

    /// Note that progress was reported (`finished`: the summary too). False if another
    /// process did it first.
    pub async fn broadcast_reported(
        &mut self,
        id: i64,
        done: i64,
        finished: bool,
        now: i64,
    ) -> anyhow::Result<bool> {
        let r = sqlx::query(
            "UPDATE broadcasts SET progress_at = $1, progress_done = $2, \
             finished_at = CASE WHEN $3 THEN $1 ELSE NULL END \
             WHERE id = $4 AND finished_at IS NULL",
        )
        .bind(now)
        .bind(done)
        .bind(finished)
        .bind(id)
        .execute(&mut *self.tx)
        .await?;
        Ok(r.rows_affected() > 0)
    }

    /// A donor paused messages: broadcast rows still waiting for them are cancelled.
    pub async fn cancel_bulk_for_donor(&mut self, donor: i64, now: i64) -> anyhow::Result<u64> {
        sqlx::query(
            "UPDATE outbox SET withdrawn_at = $1 WHERE status = 'sending' AND lane >= 2 \
             AND identity_id IN (SELECT id FROM channel_identities WHERE donor_id = $2)",
        )
        .bind(now)
        .bind(donor)
        .execute(&mut *self.tx)
        .await?;
        let r = sqlx::query(
            "UPDATE outbox SET status = 'cancelled', finished_at = $1, body = NULL, chat_id = NULL \
             WHERE status = 'pending' AND lane >= 2 AND identity_id IN \
               (SELECT id FROM channel_identities WHERE donor_id = $2)",
        )
        .bind(now)
        .bind(donor)
        .execute(&mut *self.tx)
        .await?;
        Ok(r.rows_affected())
    }

    /// The audit log, oldest first (the `limit` newest entries when given).
    /// The newest `limit` entries of a scope's provinces (the whole country: every entry),
    /// oldest first.
    pub async fn audit_log(
        &mut self,
        limit: Option<i64>,
        scope: Scope,
    ) -> anyhow::Result<Vec<AuditEntry>> {
        let sql = format!(
            "SELECT * FROM (SELECT at, actor, action, target, recipients, id FROM audit_log \
             WHERE 1 = 1{} ORDER BY id DESC LIMIT $1) AS newest ORDER BY id",
            scope_clause("province", scope)
        );
        let rows = sqlx::query(&sql)
            .bind(limit.unwrap_or(i64::MAX))
            .fetch_all(&mut *self.tx)
            .await
            .context("reading the audit log")?;
        rows.iter().map(audit_entry).collect()
    }

    /// The latest `limit` entries matching the filter, oldest first.
    pub async fn audit_search(
        &mut self,
        f: &crate::domain::club::AuditFilter,
        scope: Scope,
    ) -> anyhow::Result<Vec<AuditEntry>> {
        let mut q = Q::new(
            self.backend(),
            "SELECT * FROM (SELECT at, actor, action, target, recipients, id FROM audit_log WHERE 1 = 1",
        );
        push_scope(&mut q, "province", scope);
        if let Some(a) = &f.action {
            q.push(" AND action = ").push_bind(a.clone());
        }
        if let Some(a) = &f.actor {
            q.push(format!(" AND {}(actor, ", self.backend().position_fn()))
                .push_bind(a.clone())
                .push(") > 0");
        }
        if let Some(t) = f.from {
            q.push(" AND at >= ").push_bind(t);
        }
        if let Some(t) = f.to {
            q.push(" AND at < ").push_bind(t);
        }
        q.push(" ORDER BY id DESC LIMIT ")
            .push_bind(f.limit.max(1))
            .push(") AS newest ORDER BY id");
        let rows = q
            .build()
            .fetch_all(&mut *self.tx)
            .await
            .context("searching the audit log")?;
        rows.iter().map(audit_entry).collect()
    }

    /// Make sure an account exists (to grant a role before the person has written).
    pub async fn ensure_identity(
        &mut self,
        channel: &str,
        external_id: &str,
        now: i64,
    ) -> anyhow::Result<i64> {
        sqlx::query_scalar(
            "INSERT INTO channel_identities (channel, external_id, chat_id, first_seen_at, last_seen_at) \
             VALUES ($1, $2, $2, $3, $3) \
             ON CONFLICT (channel, external_id) DO UPDATE SET channel = excluded.channel \
             RETURNING id",
        )
        .bind(channel)
        .bind(external_id)
        .bind(now)
        .fetch_one(&mut *self.tx)
        .await
        .context("recording an account")
    }
}

impl Store {
    /// The audit log, oldest first (the `limit` newest entries when given).
    pub async fn audit_entries(&self, limit: Option<i64>) -> anyhow::Result<Vec<AuditEntry>> {
        self.begin().await?.audit_log(limit, Scope::NATION).await
    }

    /// Accounts holding a role: (role, with its province when it is one province's;
    /// account; granted by).
    pub async fn role_holders(&self) -> anyhow::Result<Vec<(String, String, String)>> {
        let rows = sqlx::query(
            "SELECT CASE WHEN r.province = '' THEN r.role \
               ELSE r.role || ' (' || r.province || ')' END AS role, \
             i.channel || ':' || i.external_id AS account, r.granted_by \
             FROM roles r JOIN channel_identities i ON i.id = r.identity_id \
             ORDER BY r.role, r.province, account",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("role")?,
                    r.try_get("account")?,
                    r.try_get("granted_by")?,
                ))
            })
            .collect()
    }
}

/// A `role, province` row as a grant: `None` for the whole country (province ''). A role or
/// a province this version does not know grants nothing.
fn grant_of(row: &AnyRow) -> anyhow::Result<Option<(Role, Option<Province>)>> {
    let role: String = row.try_get("role")?;
    let province: String = row.try_get("province")?;
    let Some(role) = Role::from_code(&role) else {
        return Ok(None);
    };
    Ok(match province.as_str() {
        "" => Some((role, None)),
        code => Province::from_code(code).map(|p| (role, Some(p))),
    })
}

/// A club as a person sees it ([`Tx::CLUB_COLUMNS`]).
#[derive(sqlx::FromRow)]
struct ClubRow {
    id: i64,
    name: String,
    kind: String,
    invite_code: String,
    /// The person's role in it; NULL when not a member.
    role: Option<String>,
    muted: Option<super::Flag>,
    members: i64,
}

/// A line of the audit log.
#[derive(sqlx::FromRow)]
struct AuditRow {
    at: i64,
    actor: String,
    action: String,
    target: String,
    recipients: Option<i64>,
}

fn audit_entry(r: &AnyRow) -> anyhow::Result<AuditEntry> {
    let r = AuditRow::from_row(r).context("an audit row")?;
    Ok(AuditEntry {
        at: r.at,
        actor: r.actor,
        action: r.action,
        target: r.target,
        recipients: r.recipients,
    })
}
