//! The Mandates API's resource and request body.

use serde::{Deserialize, Serialize};

use crate::common::{Date, Link, Mode, Timestamp};
use crate::iban::Iban;
use crate::id::{CustomerId, MandateId};
use crate::open_enum::open_enum;

open_enum! {
    /// How a mandate lets the customer be charged.
    pub enum MandateMethod {
        /// A card, stored by a first payment.
        CreditCard = "creditcard",
        /// SEPA Direct Debit from a bank account.
        DirectDebit = "directdebit",
        /// A PayPal billing agreement.
        PayPal = "paypal",
    }
}

open_enum! {
    /// Whether a mandate can be charged.
    pub enum MandateStatus {
        /// It can be charged.
        Valid = "valid",
        /// Waiting for the first payment to complete.
        Pending = "pending",
        /// Revoked, expired or failed: it cannot be charged.
        Invalid = "invalid",
    }
}

open_enum! {
    /// The situations a mandate may be charged in.
    pub enum MandateScope {
        /// The customer takes part in the payment.
        CustomerPresent = "customer-present",
        /// The merchant charges without the customer (recurring payments).
        CustomerNotPresent = "customer-not-present",
    }
}

open_enum! {
    /// The brand of a card.
    pub enum CardLabel {
        /// American Express.
        AmericanExpress = "American Express",
        /// Carta Si.
        CartaSi = "Carta Si",
        /// Carte Bleue.
        CarteBleue = "Carte Bleue",
        /// Dankort.
        Dankort = "Dankort",
        /// Diners Club.
        DinersClub = "Diners Club",
        /// Discover.
        Discover = "Discover",
        /// JCB.
        Jcb = "JCB",
        /// Laser.
        Laser = "Laser",
        /// Maestro.
        Maestro = "Maestro",
        /// Mastercard.
        Mastercard = "Mastercard",
        /// UnionPay.
        Unionpay = "Unionpay",
        /// Visa.
        Visa = "Visa",
        /// V Pay.
        Vpay = "Vpay",
    }
}

/// A mandate: the customer's permission to be charged by direct debit, card or PayPal.
///
/// Its `details` depend on its method; see [`MandateDetails`].
#[derive(Debug, Clone, PartialEq)]
pub struct Mandate {
    /// Always `"mandate"`.
    pub resource: String,
    /// The mandate's id.
    pub id: MandateId,
    /// Live or test mode.
    pub mode: Mode,
    /// Whether the mandate can be charged.
    pub status: MandateStatus,
    /// How the mandate charges.
    pub method: MandateMethod,
    /// The account, card or PayPal details, by method.
    pub details: MandateDetails,
    /// The merchant's own reference of the mandate.
    pub mandate_reference: Option<String>,
    /// The day the customer signed the mandate.
    pub signature_date: Option<Date>,
    /// The customer the mandate belongs to.
    pub customer_id: CustomerId,
    /// The situations it may be charged in.
    pub scopes: Option<Vec<MandateScope>>,
    /// When it was created.
    pub created_at: Timestamp,
    /// Links to the mandate, its customer and the documentation.
    pub links: MandateLinks,
}

/// The `_links` of a [`Mandate`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MandateLinks {
    /// The mandate in the API.
    #[serde(rename = "self")]
    pub self_: Link,
    /// The customer the mandate belongs to.
    pub customer: Link,
    /// The API documentation of mandates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub documentation: Option<Link>,
}

/// A mandate's `details`, by its method. Every field may be absent (a mandate in a list can
/// come with `"details": {}`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum MandateDetails {
    /// The bank account of a SEPA Direct Debit mandate.
    DirectDebit(DirectDebitDetails),
    /// The card of a credit card mandate.
    CreditCard(CardDetails),
    /// The PayPal account of a PayPal mandate.
    PayPal(PayPalDetails),
    /// The details of a method this SDK does not know, every field kept.
    Other(RawMandateDetails),
}

/// The bank account of a direct debit mandate.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DirectDebitDetails {
    /// The account holder's name.
    pub consumer_name: Option<String>,
    /// The IBAN, as Mollie returns it.
    pub consumer_account: Option<String>,
    /// The bank's BIC.
    pub consumer_bic: Option<String>,
}

/// The card of a credit card mandate.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CardDetails {
    /// The card holder's name.
    pub card_holder: Option<String>,
    /// The last four digits of the card number.
    pub card_number: Option<String>,
    /// The expiry date, `YYYY-MM-DD`.
    pub card_expiry_date: Option<String>,
    /// The card's brand.
    pub card_label: Option<CardLabel>,
    /// A fingerprint unique to the card number.
    pub card_fingerprint: Option<String>,
}

/// The PayPal account of a PayPal mandate.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PayPalDetails {
    /// The account holder's name.
    pub consumer_name: Option<String>,
    /// The PayPal account (its email address).
    pub consumer_account: Option<String>,
}

/// Every field a mandate's `details` may carry, as on the wire.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawMandateDetails {
    /// The account holder's name (direct debit, PayPal).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumer_name: Option<String>,
    /// The IBAN or PayPal account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumer_account: Option<String>,
    /// The bank's BIC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumer_bic: Option<String>,
    /// The card holder's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_holder: Option<String>,
    /// The last four digits of the card number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_number: Option<String>,
    /// The card's expiry date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_expiry_date: Option<String>,
    /// The card's brand.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_label: Option<CardLabel>,
    /// A fingerprint unique to the card number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_fingerprint: Option<String>,
}

impl MandateDetails {
    fn from_wire(method: &MandateMethod, raw: RawMandateDetails) -> Self {
        match method {
            MandateMethod::DirectDebit => MandateDetails::DirectDebit(DirectDebitDetails {
                consumer_name: raw.consumer_name,
                consumer_account: raw.consumer_account,
                consumer_bic: raw.consumer_bic,
            }),
            MandateMethod::CreditCard => MandateDetails::CreditCard(CardDetails {
                card_holder: raw.card_holder,
                card_number: raw.card_number,
                card_expiry_date: raw.card_expiry_date,
                card_label: raw.card_label,
                card_fingerprint: raw.card_fingerprint,
            }),
            MandateMethod::PayPal => MandateDetails::PayPal(PayPalDetails {
                consumer_name: raw.consumer_name,
                consumer_account: raw.consumer_account,
            }),
            MandateMethod::Unknown(_) => MandateDetails::Other(raw),
        }
    }

    /// The details as the flat object Mollie sends.
    pub fn to_raw(&self) -> RawMandateDetails {
        match self.clone() {
            MandateDetails::DirectDebit(d) => RawMandateDetails {
                consumer_name: d.consumer_name,
                consumer_account: d.consumer_account,
                consumer_bic: d.consumer_bic,
                ..RawMandateDetails::default()
            },
            MandateDetails::CreditCard(c) => RawMandateDetails {
                card_holder: c.card_holder,
                card_number: c.card_number,
                card_expiry_date: c.card_expiry_date,
                card_label: c.card_label,
                card_fingerprint: c.card_fingerprint,
                ..RawMandateDetails::default()
            },
            MandateDetails::PayPal(p) => RawMandateDetails {
                consumer_name: p.consumer_name,
                consumer_account: p.consumer_account,
                ..RawMandateDetails::default()
            },
            MandateDetails::Other(raw) => raw,
        }
    }
}

/// A mandate as on the wire, where `details` is flat and its meaning depends on `method`.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct MandateWire {
    resource: String,
    id: MandateId,
    mode: Mode,
    status: MandateStatus,
    method: MandateMethod,
    details: RawMandateDetails,
    #[serde(default)]
    mandate_reference: Option<String>,
    #[serde(default)]
    signature_date: Option<Date>,
    customer_id: CustomerId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    scopes: Option<Vec<MandateScope>>,
    created_at: Timestamp,
    #[serde(rename = "_links")]
    links: MandateLinks,
}

impl Serialize for Mandate {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        MandateWire {
            resource: self.resource.clone(),
            id: self.id.clone(),
            mode: self.mode.clone(),
            status: self.status.clone(),
            method: self.method.clone(),
            details: self.details.to_raw(),
            mandate_reference: self.mandate_reference.clone(),
            signature_date: self.signature_date.clone(),
            customer_id: self.customer_id.clone(),
            scopes: self.scopes.clone(),
            created_at: self.created_at.clone(),
            links: self.links.clone(),
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Mandate {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let wire = MandateWire::deserialize(deserializer)?;
        Ok(Mandate {
            details: MandateDetails::from_wire(&wire.method, wire.details),
            resource: wire.resource,
            id: wire.id,
            mode: wire.mode,
            status: wire.status,
            method: wire.method,
            mandate_reference: wire.mandate_reference,
            signature_date: wire.signature_date,
            customer_id: wire.customer_id,
            scopes: wire.scopes,
            created_at: wire.created_at,
            links: wire.links,
        })
    }
}

/// The body of *Create mandate*: a SEPA Direct Debit or a PayPal mandate. (Card mandates come
/// from a first payment, never from this endpoint.)
///
/// The constructors take what each method requires, so a body that lacks a required field
/// cannot be built.
///
/// ```
/// use mollie_models::{Date, Iban, NewMandate};
///
/// let body = NewMandate::sepa_direct_debit("Jane Doe", Iban::parse("NL55INGB0000000000")?)
///     .consumer_bic("INGBNL2A")
///     .signature_date(Date::parse("2024-05-07")?)
///     .mandate_reference("ACME-MD-0001");
/// let json = serde_json::to_value(&body).unwrap();
/// assert_eq!(json["method"], "directdebit");
/// assert_eq!(json["consumerAccount"], "NL55INGB0000000000");
/// # Ok::<(), mollie_models::ValidationError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewMandate {
    method: MandateMethod,
    consumer_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    consumer_account: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    consumer_bic: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    consumer_email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    signature_date: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    mandate_reference: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    paypal_billing_agreement_id: Option<String>,
    #[serde(
        rename = "payPalVaultId",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    paypal_vault_id: Option<String>,
}

impl NewMandate {
    fn with(method: MandateMethod, consumer_name: String) -> Self {
        Self {
            method,
            consumer_name,
            consumer_account: None,
            consumer_bic: None,
            consumer_email: None,
            signature_date: None,
            mandate_reference: None,
            paypal_billing_agreement_id: None,
            paypal_vault_id: None,
        }
    }

    /// A SEPA Direct Debit mandate on the account holder's IBAN.
    pub fn sepa_direct_debit(consumer_name: impl Into<String>, iban: Iban) -> Self {
        let mut mandate = Self::with(MandateMethod::DirectDebit, consumer_name.into());
        mandate.consumer_account = Some(iban.as_str().to_owned());
        mandate
    }

    /// A PayPal mandate on an existing billing agreement (`B-...`).
    pub fn paypal(
        consumer_name: impl Into<String>,
        consumer_email: impl Into<String>,
        billing_agreement_id: impl Into<String>,
    ) -> Self {
        let mut mandate = Self::with(MandateMethod::PayPal, consumer_name.into());
        mandate.consumer_email = Some(consumer_email.into());
        mandate.paypal_billing_agreement_id = Some(billing_agreement_id.into());
        mandate
    }

    /// A PayPal mandate on a PayPal vault (`payPalVaultId`), PayPal's successor of billing
    /// agreements.
    pub fn paypal_vault(
        consumer_name: impl Into<String>,
        consumer_email: impl Into<String>,
        vault_id: impl Into<String>,
    ) -> Self {
        let mut mandate = Self::with(MandateMethod::PayPal, consumer_name.into());
        mandate.consumer_email = Some(consumer_email.into());
        mandate.paypal_vault_id = Some(vault_id.into());
        mandate
    }

    /// The BIC of the account holder's bank (direct debit; optional).
    pub fn consumer_bic(mut self, bic: impl Into<String>) -> Self {
        self.consumer_bic = Some(bic.into());
        self
    }

    /// The account holder's email address.
    pub fn consumer_email(mut self, email: impl Into<String>) -> Self {
        self.consumer_email = Some(email.into());
        self
    }

    /// The day the customer signed the mandate.
    pub fn signature_date(mut self, date: Date) -> Self {
        self.signature_date = Some(date);
        self
    }

    /// The merchant's own reference for the mandate, unique per customer.
    pub fn mandate_reference(mut self, reference: impl Into<String>) -> Self {
        self.mandate_reference = Some(reference.into());
        self
    }

    /// The mandate's method.
    pub fn method(&self) -> &MandateMethod {
        &self.method
    }

    /// The account holder's name.
    pub fn get_consumer_name(&self) -> &str {
        &self.consumer_name
    }

    /// The IBAN of a direct debit mandate.
    pub fn get_consumer_account(&self) -> Option<&str> {
        self.consumer_account.as_deref()
    }
}
