//! The Chargebacks API: a payment's chargebacks (`/v2/payments/{id}/chargebacks`) and every
//! chargeback of the account (`/v2/chargebacks`). Chargebacks are read-only: the bank makes
//! them.

use mollie_models::{Chargeback, ChargebackEmbed, ChargebackId};

use crate::sub_resource::payment_sub_resource;

payment_sub_resource! {
    /// The Chargebacks API of one payment; made by `Payments::chargebacks` (or
    /// `mollie.chargebacks(&id)`).
    pub struct Chargebacks => "chargebacks" {
        one: chargeback,
        item: Chargeback,
        id: ChargebackId,
        embed: ChargebackEmbed,
        get: GetChargeback,
        list: ListChargebacks,
        list_all: ListAllChargebacks,
    }
}
