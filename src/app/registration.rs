//! Registration and the profile, as named use cases. The conversation itself (consent, the
//! questions, corrections, erasure) is the engine's; what it needs from the store beyond the
//! person's own record is asked here.

use super::App;
use crate::domain::phone::PhoneNumber;
use crate::engine::Outcome;
use crate::store::Tx;

impl App {
    /// Whether a phone someone typed already belongs to another donor.
    pub(super) async fn phone_in_use(
        &self,
        tx: &mut Tx,
        mine: Option<i64>,
        phone: PhoneNumber,
    ) -> anyhow::Result<Outcome> {
        let taken = tx.phone_used_by_another(phone.as_e164(), mine).await?;
        Ok(Outcome::PhoneInUse { phone, taken })
    }
}
