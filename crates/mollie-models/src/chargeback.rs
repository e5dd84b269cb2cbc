//! The Chargebacks API's resource. Chargebacks are read-only: the customer's bank makes them.

use serde::{Deserialize, Serialize};

use crate::common::{Link, Timestamp};
use crate::id::{ChargebackId, PaymentId, SettlementId};
use crate::money::Money;
use crate::payment::Payment;

/// A chargeback: a payment reversed by the customer's bank or card issuer.
///
/// Fields that Mollie only sends in some situations are `Option`s. Mollie's spec gives a
/// chargeback no `mode`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Chargeback {
    /// Always `"chargeback"`.
    pub resource: String,
    /// The chargeback's id.
    pub id: ChargebackId,
    /// The amount charged back by the customer.
    pub amount: Money,
    /// What the chargeback deducts from the merchant's balance, negative (sent by Mollie,
    /// not listed in its spec).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settlement_amount: Option<Money>,
    /// The reason the bank gave (SEPA Direct Debit chargebacks only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<ChargebackReason>,
    /// The payment charged back.
    pub payment_id: PaymentId,
    /// The settlement the chargeback was settled with; absent while it is not settled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settlement_id: Option<SettlementId>,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it was reversed, if it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reversed_at: Option<Timestamp>,
    /// Links to the chargeback, its payment, settlement and the documentation.
    #[serde(rename = "_links")]
    pub links: ChargebackLinks,
    /// The payment, when asked for with [`ChargebackEmbed::Payment`](crate::ChargebackEmbed).
    #[serde(rename = "_embedded", default, skip_serializing_if = "Option::is_none")]
    pub embedded: Option<ChargebackEmbedded>,
}

/// Why a chargeback was made, as the bank says it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChargebackReason {
    /// The bank's code, e.g. `AC01` or `MD06` (SEPA reason codes; kept as sent).
    pub code: String,
    /// A human-readable explanation.
    pub description: String,
}

/// The `_links` of a [`Chargeback`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChargebackLinks {
    /// The chargeback in the API.
    #[serde(rename = "self")]
    pub self_: Link,
    /// The payment charged back.
    pub payment: Link,
    /// The settlement it was settled with; absent while it is not settled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settlement: Option<Link>,
    /// The API documentation of chargebacks (absent on list items).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub documentation: Option<Link>,
}

/// The `_embedded` of a [`Chargeback`]: what `embed=` asked for.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ChargebackEmbedded {
    /// The payment charged back (`embed=payment`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment: Option<Box<Payment>>,
}
