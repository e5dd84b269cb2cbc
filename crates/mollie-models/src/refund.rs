//! The Refunds API's resource and request body.

use serde::{Deserialize, Serialize};

use crate::common::{Link, Mode, Timestamp, metadata_value};
use crate::id::{OrganizationId, PaymentId, RefundId, SettlementId};
use crate::money::Money;
use crate::new_payment::{DESCRIPTION_MAX_CHARS, option_setters};
use crate::open_enum::open_enum;
use crate::payment::Payment;
use crate::validation::ValidationError;

open_enum! {
    /// Where a refund is in its life.
    pub enum RefundStatus {
        /// Waiting until the balance covers it; it can still be canceled.
        Queued = "queued",
        /// Goes to the bank on the next business day; it can still be canceled.
        Pending = "pending",
        /// Sent to the bank; on its way to the customer.
        Processing = "processing",
        /// Paid out to the customer.
        Refunded = "refunded",
        /// Failed after processing (e.g. a closed account); the money returns to the balance.
        Failed = "failed",
        /// Canceled; it will not be processed.
        Canceled = "canceled",
    }
}

impl RefundStatus {
    /// Whether the status can no longer change (refunded, failed, canceled).
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            RefundStatus::Refunded | RefundStatus::Failed | RefundStatus::Canceled
        )
    }
}

open_enum! {
    /// The kind of a refund's external reference.
    pub enum RefundExternalReferenceType {
        /// A reference of the acquirer.
        AcquirerReference = "acquirer-reference",
    }
}

open_enum! {
    /// Where the money of a routing reversal is pulled back from.
    pub enum RoutingReversalSourceType {
        /// A connected organization (the only kind Mollie supports today).
        Organization = "organization",
    }
}

/// A refund: money paid back to the customer from a payment.
///
/// Fields that Mollie only sends in some situations are `Option`s.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Refund {
    /// Always `"refund"`.
    pub resource: String,
    /// The refund's id.
    pub id: RefundId,
    /// Live or test mode.
    pub mode: Mode,
    /// The description that may be shown to the customer, depending on the method.
    pub description: String,
    /// The amount refunded (may be lower than the payment's amount).
    pub amount: Money,
    /// What the refund deducts from the merchant's balance, negative (sent by Mollie, not
    /// listed in its spec).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settlement_amount: Option<Money>,
    /// Whatever the application stored with the refund; Mollie always sends the key.
    #[serde(default)]
    pub metadata: Option<serde_json::Value>,
    /// The payment refunded.
    pub payment_id: PaymentId,
    /// The settlement the refund was settled with; absent while it is not settled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settlement_id: Option<SettlementId>,
    /// Where the refund is in its life.
    pub status: RefundStatus,
    /// When it was created.
    pub created_at: Timestamp,
    /// A reference of the payment provider, e.g. the acquirer's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_reference: Option<RefundExternalReference>,
    /// Whether the routed funds were pulled back from the connected merchants (write-only in
    /// Mollie's spec: normally not sent back).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reverse_routing: Option<bool>,
    /// What was pulled back from which connected merchant (split payments).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routing_reversals: Option<Vec<RefundRoutingReversal>>,
    /// Links to the refund, its payment, settlement and the documentation.
    #[serde(rename = "_links")]
    pub links: RefundLinks,
    /// The payment, when asked for with [`RefundEmbed::Payment`](crate::RefundEmbed).
    #[serde(rename = "_embedded", default, skip_serializing_if = "Option::is_none")]
    pub embedded: Option<RefundEmbedded>,
}

/// The `_links` of a [`Refund`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundLinks {
    /// The refund in the API.
    #[serde(rename = "self")]
    pub self_: Link,
    /// The payment refunded.
    pub payment: Link,
    /// The settlement it was settled with; absent while it is not settled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settlement: Option<Link>,
    /// The API documentation of refunds (absent on list items).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub documentation: Option<Link>,
}

/// The `_embedded` of a [`Refund`]: what `embed=` asked for.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RefundEmbedded {
    /// The payment refunded (`embed=payment`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment: Option<Box<Payment>>,
}

/// A reference of the payment provider for a refund. Mollie's spec requires neither field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundExternalReference {
    /// The kind of reference.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub reference_type: Option<RefundExternalReferenceType>,
    /// The reference itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

/// Money pulled back from a connected merchant by a refund, as a refund shows it. Mollie's
/// spec requires none of its fields in a response (a request's reversal,
/// [`NewRoutingReversal`], needs them).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundRoutingReversal {
    /// The amount pulled back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Money>,
    /// Where it was pulled back from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<RefundRoutingReversalSource>,
}

/// Where a [`RefundRoutingReversal`] pulled money back from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefundRoutingReversalSource {
    /// The kind of source (write-only in Mollie's spec: normally not sent back).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub source_type: Option<RoutingReversalSourceType>,
    /// The connected organization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<OrganizationId>,
    /// The connected organization's name (sent by Mollie, not listed in its spec).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_name: Option<String>,
}

/// Money to pull back from a connected merchant with a refund of a split payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewRoutingReversal {
    /// The amount to pull back.
    pub amount: Money,
    /// Where to pull it back from.
    pub source: RoutingReversalSource,
}

impl NewRoutingReversal {
    /// Pull `amount` back from the connected organization `organization`.
    pub fn organization(amount: Money, organization: OrganizationId) -> Self {
        Self {
            amount,
            source: RoutingReversalSource {
                source_type: RoutingReversalSourceType::Organization,
                organization_id: organization,
            },
        }
    }
}

/// Where a [`NewRoutingReversal`] pulls money back from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoutingReversalSource {
    /// The kind of source.
    #[serde(rename = "type")]
    pub source_type: RoutingReversalSourceType,
    /// The connected organization.
    pub organization_id: OrganizationId,
}

/// The body of *Create payment refund*: the amount to refund, and what else applies.
///
/// `testmode` is not part of the body: the client sets it on the call or on the client, as
/// for [`NewPayment`](crate::NewPayment).
///
/// ```
/// use mollie_models::{Money, NewRefund};
///
/// let body = NewRefund::new(Money::eur("5.00")?)
///     .description("Broken on arrival")
///     .metadata(serde_json::json!({"ticket": 4711}))?;
/// body.validate_against(&Money::eur("10.00")?)?;
/// assert!(NewRefund::new(Money::eur("0.00")?).validate().is_err());
/// assert!(body.validate_against(&Money::new("USD", "10.00")?).is_err());
/// # Ok::<(), mollie_models::ValidationError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewRefund {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    amount: Money,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    metadata: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    external_reference: Option<RefundExternalReference>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reverse_routing: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    routing_reversals: Option<Vec<NewRoutingReversal>>,
}

impl NewRefund {
    /// A refund of `amount`, in the payment's currency. It may be less than the payment.
    pub fn new(amount: Money) -> Self {
        Self {
            description: None,
            amount,
            metadata: None,
            external_reference: None,
            reverse_routing: None,
            routing_reversals: None,
        }
    }

    option_setters! {
        /// The description that may be shown to the customer, at most
        /// [`DESCRIPTION_MAX_CHARS`](crate::DESCRIPTION_MAX_CHARS) characters.
        description: String,
        /// A reference of the payment provider, e.g. the acquirer's.
        external_reference: RefundExternalReference,
        /// Marketplaces: `true` pulls all routed funds back from the connected merchants
        /// (full refunds only; use [`routing_reversals`](Self::routing_reversals) for partial).
        reverse_routing: bool,
        /// Marketplaces: how much to pull back from which connected merchant.
        routing_reversals: Vec<NewRoutingReversal>,
    }

    /// Any JSON-serializable data to store with the refund, e.g. your bookkeeping id.
    ///
    /// # Errors
    /// When it does not serialize, or its JSON is over
    /// [`METADATA_MAX_BYTES`](crate::METADATA_MAX_BYTES).
    pub fn metadata(mut self, metadata: impl Serialize) -> Result<Self, ValidationError> {
        self.metadata = Some(metadata_value(metadata)?);
        Ok(self)
    }

    /// Checks what the constructor cannot: an amount above zero, and a description of at most
    /// [`DESCRIPTION_MAX_CHARS`] characters. The SDK client calls it before sending.
    ///
    /// # Errors
    /// The first field that Mollie would refuse.
    pub fn validate(&self) -> Result<(), ValidationError> {
        if !self.amount.is_positive() {
            return Err(ValidationError::new(
                "amount.value",
                format!("{} must be above zero to refund", self.amount.value()),
            ));
        }
        if let Some(description) = &self.description {
            let chars = description.chars().count();
            if chars > DESCRIPTION_MAX_CHARS {
                return Err(ValidationError::new(
                    "description",
                    format!("has {chars} characters; Mollie takes at most {DESCRIPTION_MAX_CHARS}"),
                ));
            }
        }
        Ok(())
    }

    /// [`validate`](Self::validate), and that the refund is in the currency of the payment,
    /// whose `amount` is `payment_amount` (Mollie refunds only in the payment's currency).
    ///
    /// # Errors
    /// What `validate` refuses, or a currency other than the payment's.
    pub fn validate_against(&self, payment_amount: &Money) -> Result<(), ValidationError> {
        self.validate()?;
        if self.amount.currency() != payment_amount.currency() {
            return Err(ValidationError::new(
                "amount.currency",
                format!(
                    "{} differs from the payment's currency {}",
                    self.amount.currency(),
                    payment_amount.currency()
                ),
            ));
        }
        Ok(())
    }

    /// The amount to refund.
    pub fn amount(&self) -> &Money {
        &self.amount
    }

    /// The description, if set.
    pub fn get_description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// The metadata, if set.
    pub fn get_metadata(&self) -> Option<&serde_json::Value> {
        self.metadata.as_ref()
    }

    /// The external reference, if set.
    pub fn get_external_reference(&self) -> Option<&RefundExternalReference> {
        self.external_reference.as_ref()
    }

    /// Whether routed funds are to be pulled back, if set.
    pub fn get_reverse_routing(&self) -> Option<bool> {
        self.reverse_routing
    }

    /// The routing reversals, if set.
    pub fn get_routing_reversals(&self) -> Option<&[NewRoutingReversal]> {
        self.routing_reversals.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur(value: &str) -> Money {
        Money::eur(value).expect("valid amount")
    }

    #[test]
    fn a_refund_of_nothing_or_less_is_refused() {
        for value in ["0.00", "-0.00", "-5.00"] {
            let err = NewRefund::new(eur(value)).validate().expect_err(value);
            assert_eq!(err.field(), "amount.value", "{value}");
            let err = NewRefund::new(eur(value))
                .validate_against(&eur("10.00"))
                .expect_err(value);
            assert_eq!(err.field(), "amount.value", "{value}");
        }
        assert_eq!(NewRefund::new(eur("0.01")).validate(), Ok(()));
    }

    #[test]
    fn a_refund_in_another_currency_than_the_payment_is_refused() {
        let usd = Money::new("USD", "5.00").expect("valid");
        let err = NewRefund::new(usd.clone())
            .validate_against(&eur("10.00"))
            .expect_err("currency mismatch");
        assert_eq!(err.field(), "amount.currency");
        assert_eq!(
            err.to_string(),
            "invalid `amount.currency`: USD differs from the payment's currency EUR"
        );
        // On its own the amount is fine: only the payment tells the currency.
        assert_eq!(NewRefund::new(usd).validate(), Ok(()));
        assert_eq!(
            NewRefund::new(eur("5.00")).validate_against(&eur("10.00")),
            Ok(())
        );
    }

    #[test]
    fn a_long_description_is_refused() {
        let err = NewRefund::new(eur("1.00"))
            .description("x".repeat(DESCRIPTION_MAX_CHARS + 1))
            .validate()
            .expect_err("too long");
        assert_eq!(err.field(), "description");
    }

    #[test]
    fn final_statuses() {
        assert!(RefundStatus::Refunded.is_final());
        assert!(!RefundStatus::Queued.is_final());
        assert!(!RefundStatus::Unknown("later".into()).is_final());
    }
}
