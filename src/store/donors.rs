//! Donors' records: read, created, saved in batches, joined when two accounts prove to be one
//! person, and erased.

use super::row::{Flag, yes};
use super::*;
use crate::domain::blood::BloodGroup;
use crate::domain::body::{Sex, WeightKg};
use crate::domain::donor::{Donor, DonorMap, LastDonationAnswer, MapCell};
use crate::domain::eligibility::DonationKind;
use crate::domain::phone::PhoneNumber;
use crate::domain::province::Province;
use crate::messages::Lang;
use anyhow::Context;
use sqlx::any::AnyRow;
use sqlx::{FromRow, Row};
use std::collections::HashMap;

/// A donor's row as [`load_donors`](Tx::load_donors) reads it.
#[derive(sqlx::FromRow)]
struct DonorRow {
    full_name: Option<String>,
    phone: Option<String>,
    phone_verified: Option<Flag>,
    birth_date: Option<String>,
    sex: Option<String>,
    weight_kg: Option<f64>,
    blood_group: Option<String>,
    province: Option<String>,
    commune: Option<String>,
    last_donation_kind: Option<String>,
    last_donation_date: Option<String>,
    last_donation_forgotten: Option<Flag>,
    last_donation_month: Option<Flag>,
    supporter: Option<Flag>,
    registered_at: Option<i64>,
    paused: Option<Flag>,
    night_alerts: Option<Flag>,
    urgent_off: Option<Flag>,
    deferred_until: Option<String>,
    consent_at: Option<i64>,
    consent_version: Option<String>,
    consent_renewal_asked: Option<Flag>,
    unit_name: Option<String>,
    family_code: Option<String>,
}

impl From<DonorRow> for Donor {
    fn from(r: DonorRow) -> Donor {
        let date = parse_date(r.last_donation_date);
        let last_donation = match r.last_donation_kind.as_deref() {
            None => None,
            Some("never") => Some(LastDonationAnswer::Never),
            Some(code) => DonationKind::from_code(code).map(|kind| match date {
                Some(date) => LastDonationAnswer::Given { kind, date },
                None if yes(r.last_donation_forgotten) => LastDonationAnswer::DateForgotten(kind),
                None => LastDonationAnswer::KindOnly(kind),
            }),
        };
        Donor {
            name: r.full_name,
            phone: r.phone.and_then(|p| PhoneNumber::parse(&p).ok()),
            phone_verified: yes(r.phone_verified),
            birth_date: parse_date(r.birth_date),
            sex: r.sex.and_then(|s| Sex::from_code(&s)),
            weight: r.weight_kg.and_then(WeightKg::from_stored),
            blood_group: r.blood_group.and_then(|g| BloodGroup::from_code(&g)),
            province: r.province.and_then(|p| Province::from_code(&p)),
            commune: r.commune,
            last_donation,
            last_donation_month: yes(r.last_donation_month),
            supporter: yes(r.supporter),
            registered_at: r.registered_at,
            paused: yes(r.paused),
            night_alerts: r.night_alerts.map(bool::from),
            urgent_off: yes(r.urgent_off),
            deferred_until: parse_date(r.deferred_until),
            consent_at: r.consent_at.unwrap_or(0),
            consent_version: r.consent_version.unwrap_or_default(),
            renewal_asked: yes(r.consent_renewal_asked),
            unit: r.unit_name,
            family: r.family_code,
        }
    }
}

fn donor_from_row(r: &AnyRow) -> anyhow::Result<Donor> {
    Ok(DonorRow::from_row(r).context("a donor's row")?.into())
}

/// A donor who just gave consent, to create (see [`Tx::create_donors`]).
pub struct NewDonor<'a> {
    pub identity_id: i64,
    pub donor: &'a Donor,
    pub lang: Lang,
}

/// The profile's columns, in the order [`push_profile`] binds them.
const PROFILE_COLUMNS: &str = "full_name, phone, phone_verified, birth_date, sex, weight_kg, \
     blood_group, province, commune, last_donation_kind, last_donation_date, supporter, \
     registered_at, paused, night_alerts, urgent_off, deferred_until, last_donation_forgotten, \
     consent_renewal_asked, declared_kind, declared_on, last_donation_month";

/// Binds a donor's profile, column after column of [`PROFILE_COLUMNS`]. What a new row
/// says of the last donation is also the donor's declaration.
fn push_profile<'a>(row: &mut Sep<'_, 'a>, d: &'a Donor) {
    let (kind, date) = match d.last_donation {
        None => (None, None),
        Some(LastDonationAnswer::Never) => (Some("never"), None),
        Some(LastDonationAnswer::KindOnly(k)) | Some(LastDonationAnswer::DateForgotten(k)) => {
            (Some(k.code()), None)
        }
        Some(LastDonationAnswer::Given { kind, date }) => {
            (Some(kind.code()), Some(date_text(date)))
        }
    };
    row.push_bind(&d.name)
        .push_bind(d.phone.as_ref().map(|p| p.as_e164().to_string()))
        .push_bind(d.phone_verified)
        .push_bind(d.birth_date.map(date_text))
        .push_bind(d.sex.map(Sex::code))
        .push_bind(super::NullableF64(d.weight.map(WeightKg::kg)))
        .push_bind(d.blood_group.map(|g| g.code()))
        .push_bind(d.province.map(Province::code))
        .push_bind(&d.commune)
        .push_bind(kind)
        .push_bind(date.clone())
        .push_bind(d.supporter)
        .push_bind(d.registered_at)
        .push_bind(d.paused)
        .push_bind(d.night_alerts)
        .push_bind(d.urgent_off)
        .push_bind(d.deferred_until.map(date_text))
        .push_bind(matches!(
            d.last_donation,
            Some(LastDonationAnswer::DateForgotten(_))
        ))
        .push_bind(d.renewal_asked)
        .push_bind(kind)
        .push_bind(date)
        .push_bind(
            d.last_donation_month
                && matches!(d.last_donation, Some(LastDonationAnswer::Given { .. })),
        );
}

impl Tx {
    /// Registered donors counted by province and blood group, with their reserve members
    /// (kept by triggers, `0021_donor_map.sql`; a group's count in several rows on
    /// PostgreSQL, `0007_donor_counts_shard.sql`).
    /// Within a staff scope: its provinces' counts (donors who did not say theirs are the
    /// nation's).
    pub async fn donor_map(
        &mut self,
        scope: crate::domain::scope::Scope,
    ) -> anyhow::Result<DonorMap> {
        let sql = format!(
            "SELECT NULLIF(province, '') AS province, NULLIF(blood_group, '') AS blood_group, \
             CAST(SUM(donors) AS BIGINT) AS n, CAST(SUM(reserve) AS BIGINT) AS r \
             FROM donor_counts WHERE 1 = 1{} GROUP BY province, blood_group \
             HAVING SUM(donors) > 0",
            super::scope_clause("province", scope)
        );
        let rows = sqlx::query(&sql)
            .fetch_all(&mut *self.tx)
            .await
            .context("counting donors by province and group")?;
        let cells = rows
            .iter()
            .map(|r| {
                Ok(MapCell {
                    province: r
                        .try_get::<Option<String>, _>("province")?
                        .and_then(|p| Province::from_code(&p)),
                    group: r
                        .try_get::<Option<String>, _>("blood_group")?
                        .unwrap_or_else(|| "?".into()),
                    donors: r.try_get("n")?,
                    reserve: r.try_get::<Option<i64>, _>("r")?.unwrap_or(0),
                })
            })
            .collect::<anyhow::Result<_>>()?;
        Ok(DonorMap { cells })
    }

    /// Registered donors who gave this phone (E.164), at most `limit`: a typed phone is
    /// not unique.
    pub async fn donors_with_phone(
        &mut self,
        e164: &str,
        limit: i64,
        scope: crate::domain::scope::Scope,
    ) -> anyhow::Result<Vec<i64>> {
        let sql = format!(
            "SELECT id FROM donors WHERE phone = $1 AND registered_at IS NOT NULL{} \
             ORDER BY id LIMIT $2",
            super::scope_clause("province", scope)
        );
        sqlx::query_scalar(&sql)
            .bind(e164)
            .bind(limit)
            .fetch_all(&mut *self.tx)
            .await
            .context("finding donors by phone")
    }

    /// The donors (any, registered or not) holding each of these phones (E.164): the
    /// typed phones of a batch, checked in one statement.
    pub async fn donors_with_phones(
        &mut self,
        phones: &[String],
    ) -> anyhow::Result<HashMap<String, Vec<i64>>> {
        let mut out: HashMap<String, Vec<i64>> = HashMap::new();
        for chunk in phones.chunks(CHUNK) {
            let mut q = Q::new(
                self.backend(),
                "SELECT id, phone FROM donors WHERE phone IN ",
            );
            push_list(&mut q, chunk);
            for row in q
                .build()
                .fetch_all(&mut *self.tx)
                .await
                .context("checking phones")?
            {
                out.entry(row.try_get("phone")?)
                    .or_default()
                    .push(row.try_get("id")?);
            }
        }
        Ok(out)
    }

    /// Donors by id, with their latest consent.
    pub async fn load_donors(&mut self, ids: &[i64]) -> anyhow::Result<HashMap<i64, Donor>> {
        let mut out = HashMap::new();
        for chunk in ids.chunks(CHUNK) {
            let mut q = Q::new(
                self.backend(),
                "SELECT d.id, d.full_name, d.phone, d.phone_verified, d.birth_date, d.sex, \
                 d.weight_kg, d.blood_group, d.province, d.commune, d.last_donation_kind, \
                 d.last_donation_date, d.last_donation_forgotten, d.last_donation_month, \
                 d.supporter, d.registered_at, d.paused, d.night_alerts, d.urgent_off, \
                 d.deferred_until, d.consent_renewal_asked, c.given_at AS consent_at, c.text_version AS consent_version, \
                 (SELECT u.name FROM units u WHERE u.id = d.unit_id) AS unit_name, \
                 (SELECT f.code FROM families f WHERE f.id = d.family_id) AS family_code \
                 FROM donors d LEFT JOIN consents c ON c.id = \
                 (SELECT MAX(id) FROM consents WHERE donor_id = d.id) WHERE d.id IN ",
            );
            push_list(&mut q, chunk);
            for row in q
                .build()
                .fetch_all(&mut *self.tx)
                .await
                .context("reading donors")?
            {
                out.insert(row.try_get("id")?, donor_from_row(&row)?);
            }
        }
        Ok(out)
    }

    /// Consent given: create the donor with its consent record and link the account.
    pub async fn create_donor(
        &mut self,
        identity_id: i64,
        donor: &Donor,
        lang: Lang,
        now: i64,
    ) -> anyhow::Result<i64> {
        let ids = self
            .create_donors(
                &[NewDonor {
                    identity_id,
                    donor,
                    lang,
                }],
                now,
            )
            .await?;
        ids.first().copied().context("the donor was not created")
    }

    /// Donors who gave consent, created with their profiles and consent records and their
    /// accounts linked, in three statements for many; their ids, in the order given.
    ///
    /// A multi-row `INSERT` gives its rows ids in the order of its `VALUES` on both engines
    /// (SQLite's next rowid, PostgreSQL's sequence, row after row); `RETURNING` does not
    /// promise an order, so the ids are sorted before they are matched to the rows.
    pub async fn create_donors(
        &mut self,
        new: &[NewDonor<'_>],
        now: i64,
    ) -> anyhow::Result<Vec<i64>> {
        let mut out = Vec::with_capacity(new.len());
        for chunk in new.chunks(CHUNK) {
            let mut q = Q::new(
                self.backend(),
                format!("INSERT INTO donors (created_at, {PROFILE_COLUMNS}) "),
            );
            q.push_values(chunk, |mut row, n| {
                row.push_bind(now);
                push_profile(&mut row, n.donor);
            });
            q.push(" RETURNING id");
            let mut ids: Vec<i64> = q
                .build_query_scalar()
                .fetch_all(&mut *self.tx)
                .await
                .context("creating donors")?;
            anyhow::ensure!(ids.len() == chunk.len(), "not every donor was created");
            ids.sort_unstable();
            let mut q = Q::new(
                self.backend(),
                "INSERT INTO consents (donor_id, given_at, text_version, lang) ",
            );
            q.push_values(chunk.iter().zip(&ids), |mut row, (n, id)| {
                row.push_bind(*id)
                    .push_bind(n.donor.consent_at)
                    .push_bind(&n.donor.consent_version)
                    .push_bind(n.lang.code());
            });
            q.build()
                .execute(&mut *self.tx)
                .await
                .context("recording consents")?;
            let mut q = Q::new(self.backend(), "WITH v (id, donor) AS (");
            q.push_values(chunk.iter().zip(&ids), |mut row, (n, id)| {
                row.push_bind(n.identity_id).push_bind(*id);
            });
            q.push(
                ") UPDATE channel_identities SET donor_id = \
                 (SELECT donor FROM v WHERE v.id = channel_identities.id) \
                 WHERE id IN (SELECT id FROM v)",
            );
            q.build()
                .execute(&mut *self.tx)
                .await
                .context("linking accounts to new donors")?;
            out.extend(ids);
        }
        Ok(out)
    }

    /// The consent record of the text `donor` agreed to (at registration, or renewed).
    pub async fn record_consent(
        &mut self,
        donor_id: i64,
        donor: &Donor,
        lang: Lang,
    ) -> anyhow::Result<()> {
        sqlx::query(
            "INSERT INTO consents (donor_id, given_at, text_version, lang) VALUES ($1, $2, $3, $4)",
        )
        .bind(donor_id)
        .bind(donor.consent_at)
        .bind(&donor.consent_version)
        .bind(lang.code())
        .execute(&mut *self.tx)
        .await
        .context("recording the consent")?;
        Ok(())
    }

    /// Write donors' profiles (one upsert statement for many donors; every donor exists).
    pub async fn save_donors(&mut self, donors: &[(i64, &Donor)]) -> anyhow::Result<()> {
        for chunk in donors.chunks(CHUNK) {
            // created_at is required by the INSERT form but never changed by the update.
            let mut q = Q::new(
                self.backend(),
                format!("INSERT INTO donors (id, created_at, {PROFILE_COLUMNS}) "),
            );
            q.push_values(chunk, |mut row, (id, d)| {
                row.push_bind(id).push_bind(0_i64);
                push_profile(&mut row, d);
            });
            q.push(
                " ON CONFLICT (id) DO UPDATE SET full_name = excluded.full_name, \
                 phone = excluded.phone, phone_verified = excluded.phone_verified, \
                 birth_date = excluded.birth_date, sex = excluded.sex, \
                 weight_kg = excluded.weight_kg, blood_group = excluded.blood_group, \
                 province = excluded.province, commune = excluded.commune, \
                 declared_kind = CASE WHEN donors.last_donation_kind IS NOT DISTINCT FROM \
                   excluded.last_donation_kind AND donors.last_donation_date IS NOT DISTINCT FROM \
                   excluded.last_donation_date THEN donors.declared_kind \
                   ELSE excluded.last_donation_kind END, \
                 declared_on = CASE WHEN donors.last_donation_kind IS NOT DISTINCT FROM \
                   excluded.last_donation_kind AND donors.last_donation_date IS NOT DISTINCT FROM \
                   excluded.last_donation_date THEN donors.declared_on \
                   ELSE excluded.last_donation_date END, \
                 last_donation_kind = excluded.last_donation_kind, \
                 last_donation_date = excluded.last_donation_date, \
                 supporter = excluded.supporter, registered_at = excluded.registered_at, \
                 paused = excluded.paused, night_alerts = excluded.night_alerts, \
                 urgent_off = excluded.urgent_off, deferred_until = excluded.deferred_until, \
                 last_donation_forgotten = excluded.last_donation_forgotten, \
                 consent_renewal_asked = excluded.consent_renewal_asked, \
                 last_donation_month = excluded.last_donation_month",
            );
            q.build()
                .execute(&mut *self.tx)
                .await
                .context("saving donors")?;
            // A declaration changed in chat changes which donations are repeat donations:
            // decided again for the donors who declared one and have donations on record.
            let declared: Vec<i64> = chunk
                .iter()
                .filter(|(_, d)| d.last_donation.is_some())
                .map(|(id, _)| *id)
                .collect();
            if !declared.is_empty() {
                let mut q = Q::new(
                    self.backend(),
                    format!("{} donor_id IN ", super::donations::REFRESH_REPEAT),
                );
                push_list(&mut q, declared);
                q.build()
                    .execute(&mut *self.tx)
                    .await
                    .context("deciding repeat donations")?;
            }
        }
        Ok(())
    }

    /// Another donor whose phone was verified through a platform, with this same number.
    pub async fn verified_donor_with_phone(
        &mut self,
        phone: &str,
        except: i64,
    ) -> anyhow::Result<Option<(i64, Donor)>> {
        let id: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM donors WHERE phone = $1 AND phone_verified AND id <> $2 \
             ORDER BY id LIMIT 1",
        )
        .bind(phone)
        .bind(except)
        .fetch_optional(&mut *self.tx)
        .await
        .context("looking for a donor by verified phone")?;
        let Some(id) = id else { return Ok(None) };
        Ok(self.load_donors(&[id]).await?.remove(&id).map(|d| (id, d)))
    }

    /// Join donor `from` into donor `into`: its accounts and consent records move over, and
    /// the `from` row (a registration just begun) is deleted.
    pub async fn merge_donor(&mut self, from: i64, into: i64) -> anyhow::Result<()> {
        sqlx::query("UPDATE channel_identities SET donor_id = $1 WHERE donor_id = $2")
            .bind(into)
            .bind(from)
            .execute(&mut *self.tx)
            .await
            .context("moving accounts")?;
        sqlx::query("UPDATE consents SET donor_id = $1 WHERE donor_id = $2")
            .bind(into)
            .bind(from)
            .execute(&mut *self.tx)
            .await
            .context("moving consent records")?;
        sqlx::query("DELETE FROM donors WHERE id = $1")
            .bind(from)
            .execute(&mut *self.tx)
            .await
            .context("removing the merged donor")?;
        Ok(())
    }

    /// Erase a donor: the donor row and consent records, every channel account linked to it
    /// with its conversation and outbox rows. Only an anonymous count remains.
    pub async fn erase_donor(&mut self, donor_id: i64, now: i64) -> anyhow::Result<()> {
        // Their places at drives to come are freed; past sign-ups stay as anonymous rows
        // (the donor reference is cleared with the donor), as their donations do.
        sqlx::query(
            "UPDATE signups SET status = 'cancelled', updated_at = $1 WHERE donor_id = $2 \
             AND status = 'active' AND drive_id IN (SELECT id FROM drives WHERE starts_at > $1)",
        )
        .bind(now)
        .bind(donor_id)
        .execute(&mut *self.tx)
        .await
        .context("freeing an erased donor's places")?;
        // Outbox rows and conversations go with the accounts (ON DELETE CASCADE).
        sqlx::query("DELETE FROM channel_identities WHERE donor_id = $1")
            .bind(donor_id)
            .execute(&mut *self.tx)
            .await
            .context("erasing channel accounts")?;
        sqlx::query("DELETE FROM donors WHERE id = $1")
            .bind(donor_id)
            .execute(&mut *self.tx)
            .await
            .context("erasing the donor")?;
        // The ledger: an id, never anything of the person, so that a restored backup
        // taken before today is erased again.
        sqlx::query(
            "INSERT INTO erasures (donor_id, erased_at) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(donor_id)
        .bind(now)
        .execute(&mut *self.tx)
        .await
        .context("recording an erasure")?;
        self.drop_empty_families().await?;
        self.bump("donors_erased").await
    }
}
