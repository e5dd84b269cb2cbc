//! The Chargebacks API: a payment's chargebacks (`/v2/payments/{id}/chargebacks`) and every
//! chargeback of the account (`/v2/chargebacks`). Chargebacks are read-only: the bank makes
//! them.

use mollie_core::{Call, Client, Placement, Request, operation};
use mollie_models::{Chargeback, ChargebackEmbed, ChargebackId, PaymentId, ProfileId};

/// The Chargebacks API of one payment; made by `Payments::chargebacks` (or
/// `mollie.chargebacks(&id)`).
#[derive(Debug, Clone)]
pub struct Chargebacks {
    client: Client,
    payment: PaymentId,
}

impl Chargebacks {
    /// The chargebacks of `payment`, over `client`.
    pub fn new(client: Client, payment: PaymentId) -> Self {
        Self { client, payment }
    }

    /// The payment whose chargebacks these are.
    pub fn payment(&self) -> &PaymentId {
        &self.payment
    }

    fn call(&self, request: Request) -> Call {
        let request = request
            .segment("payments")
            .id(&self.payment)
            .segment("chargebacks")
            .profile_id_in(Placement::Omit);
        Call::new(self.client.clone(), request)
    }

    /// *Get chargeback*: `GET /v2/payments/{id}/chargebacks/{chargebackId}`.
    pub fn get(&self, id: &ChargebackId) -> GetChargeback {
        GetChargeback::from_call(self.call(Request::get()).map(|r| r.id(id)))
    }

    /// *List chargebacks* of the payment: `GET /v2/payments/{id}/chargebacks`.
    pub fn list(&self) -> ListChargebacks {
        ListChargebacks::from_call(self.call(Request::get()))
    }
}

operation! {
    /// *Get chargeback*; `.await` it for the [`Chargeback`].
    pub struct GetChargeback => single Chargeback;
}

impl GetChargeback {
    /// Embeds the chargeback's payment in `_embedded` (`embed=payment`).
    pub fn embed(mut self, embed: ChargebackEmbed) -> Self {
        self.call = self.call.query("embed", embed.as_str().to_owned());
        self
    }
}

operation! {
    /// *List chargebacks* of a payment; `.await` it for one page, `.stream()` every
    /// chargeback, or `.pages()`.
    pub struct ListChargebacks => list Chargeback;
}

impl ListChargebacks {
    /// Starts the list at this chargeback (Mollie's `from` cursor).
    pub fn from(mut self, chargeback: &ChargebackId) -> Self {
        self.call = self.call.query("from", chargeback.as_str());
        self
    }

    /// Embeds each chargeback's payment (`embed=payment`).
    pub fn embed(mut self, embed: ChargebackEmbed) -> Self {
        self.call = self.call.query("embed", embed.as_str().to_owned());
        self
    }
}

operation! {
    /// *List all chargebacks* of the account; `.await` it for one page, `.stream()` every
    /// chargeback, or `.pages()`.
    pub struct ListAllChargebacks => list Chargeback, sorted;
}

impl ListAllChargebacks {
    /// Starts the list at this chargeback (Mollie's `from` cursor).
    pub fn from(mut self, chargeback: &ChargebackId) -> Self {
        self.call = self.call.query("from", chargeback.as_str());
        self
    }

    /// Embeds each chargeback's payment (`embed=payment`).
    pub fn embed(mut self, embed: ChargebackEmbed) -> Self {
        self.call = self.call.query("embed", embed.as_str().to_owned());
        self
    }

    /// Only the chargebacks of this website profile (organization access tokens and
    /// OAuth).
    pub fn profile_id(mut self, profile_id: ProfileId) -> Self {
        self.call = self.call.profile_id(profile_id);
        self
    }
}
