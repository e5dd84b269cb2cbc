//! The body of *Create customer payment* (Mollie's `payment-request`).

use serde::{Deserialize, Serialize};

use crate::common::{Date, Locale, metadata_value};
use crate::id::{CustomerId, MandateId};
use crate::money::Money;
use crate::payment::{
    Address, ApplicationFee, CaptureMode, PaymentLine, PaymentMethod, RouteDestination,
    SequenceType,
};
use crate::validation::{ValidationError, quoted};

/// The longest description Mollie takes.
pub const DESCRIPTION_MAX_CHARS: usize = 255;

/// A new payment. Start from the constructor of the flow you need, then set what else applies:
///
/// - [`NewPayment::first`]: the customer pays once through the checkout, which sets up a mandate;
/// - [`NewPayment::recurring`]: charge a mandate, without the customer;
/// - [`NewPayment::oneoff`]: a one-time payment through the checkout.
///
/// `testmode` and `profileId` are not part of the body: organization and OAuth tokens set
/// them on the call (`.testmode(..)`, `.profile_id(..)`) or on the client, and the client
/// puts them where the endpoint takes them (one channel, so they can never disagree).
///
/// ```
/// use mollie_models::{MandateId, Money, NewPayment, PaymentMethod};
///
/// let first = NewPayment::first(Money::eur("0.01")?, "Set up your subscription", "https://shop.example/return")
///     .method(PaymentMethod::CreditCard)
///     .webhook_url("https://shop.example/webhooks/mollie");
///
/// let mandate = MandateId::parse("mdt_h3gAaD5zP")?;
/// let march = NewPayment::recurring(Money::eur("10.00")?, "March", &mandate);
/// assert_eq!(serde_json::to_value(&march).unwrap()["sequenceType"], "recurring");
/// march.validate()?;
/// # Ok::<(), mollie_models::ValidationError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewPayment {
    description: String,
    amount: Money,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    redirect_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cancel_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    webhook_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    lines: Option<Vec<PaymentLine>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    billing_address: Option<Address>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    shipping_address: Option<Address>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    locale: Option<Locale>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    method: Option<MethodChoice>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    issuer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    restrict_payment_methods_to_country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    metadata: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    capture_mode: Option<CaptureMode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    capture_delay: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    application_fee: Option<ApplicationFee>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    routing: Option<Vec<NewRoute>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sequence_type: Option<SequenceType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    mandate_id: Option<MandateId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    customer_id: Option<CustomerId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    due_date: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    store_credentials: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    apple_pay_payment_token: Option<Sensitive>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    company: Option<Company>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    card_token: Option<Sensitive>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    google_pay_payment_token: Option<Sensitive>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    voucher_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    voucher_pin: Option<Sensitive>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    consumer_date_of_birth: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    extra_merchant_data: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    session_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    digital_goods: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    customer_reference: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    terminal_id: Option<String>,
}

/// One payment method, or a list of methods to choose from at the checkout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum MethodChoice {
    /// Send the customer straight to this method.
    One(PaymentMethod),
    /// Show only these methods at the checkout.
    Any(Vec<PaymentMethod>),
}

/// A part of a payment to route to another organization (split payments).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewRoute {
    /// The amount to route.
    pub amount: Money,
    /// Who receives it.
    pub destination: RouteDestination,
    /// When to release the money (default: at settlement).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release_date: Option<Date>,
}

/// A payment secret (card or wallet token, voucher PIN): sent as a plain string, never shown
/// by `Debug`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Sensitive(String);

impl Sensitive {
    /// The secret, for sending.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for Sensitive {
    fn from(secret: String) -> Self {
        Self(secret)
    }
}

impl From<&str> for Sensitive {
    fn from(secret: &str) -> Self {
        Self(secret.to_owned())
    }
}

impl std::fmt::Debug for Sensitive {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

/// The company paying, for B2B methods such as Billie.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Company {
    /// The chamber of commerce registration number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_number: Option<String>,
    /// The VAT number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vat_number: Option<String>,
    /// The legal form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_type: Option<String>,
}

macro_rules! option_setters {
    ($( $(#[$meta:meta])* $field:ident : $ty:ty ),+ $(,)?) => {
        $(
            $(#[$meta])*
            pub fn $field(mut self, value: impl Into<$ty>) -> Self {
                self.$field = Some(value.into());
                self
            }
        )+
    };
}

pub(crate) use option_setters;

impl NewPayment {
    fn with(amount: Money, description: impl Into<String>) -> Self {
        Self {
            description: description.into(),
            amount,
            redirect_url: None,
            cancel_url: None,
            webhook_url: None,
            lines: None,
            billing_address: None,
            shipping_address: None,
            locale: None,
            method: None,
            issuer: None,
            restrict_payment_methods_to_country: None,
            metadata: None,
            capture_mode: None,
            capture_delay: None,
            application_fee: None,
            routing: None,
            sequence_type: None,
            mandate_id: None,
            customer_id: None,
            due_date: None,
            store_credentials: None,
            apple_pay_payment_token: None,
            company: None,
            card_token: None,
            google_pay_payment_token: None,
            voucher_number: None,
            voucher_pin: None,
            consumer_date_of_birth: None,
            extra_merchant_data: None,
            session_id: None,
            digital_goods: None,
            customer_reference: None,
            terminal_id: None,
        }
    }

    /// A one-time payment: the customer pays at the checkout, then returns to `redirect_url`.
    pub fn oneoff(
        amount: Money,
        description: impl Into<String>,
        redirect_url: impl Into<String>,
    ) -> Self {
        let mut payment = Self::with(amount, description);
        payment.sequence_type = Some(SequenceType::Oneoff);
        payment.redirect_url = Some(redirect_url.into());
        payment
    }

    /// The customer's first payment: paid at the checkout, it leaves a mandate to charge later
    /// with [`NewPayment::recurring`]. The amount may be `0.00` for card verification.
    pub fn first(
        amount: Money,
        description: impl Into<String>,
        redirect_url: impl Into<String>,
    ) -> Self {
        let mut payment = Self::with(amount, description);
        payment.sequence_type = Some(SequenceType::First);
        payment.redirect_url = Some(redirect_url.into());
        payment
    }

    /// A charge on `mandate`, made without the customer (no checkout, no redirect).
    pub fn recurring(amount: Money, description: impl Into<String>, mandate: &MandateId) -> Self {
        let mut payment = Self::with(amount, description);
        payment.sequence_type = Some(SequenceType::Recurring);
        payment.mandate_id = Some(mandate.clone());
        payment
    }

    option_setters! {
        /// Where the customer goes after the checkout.
        redirect_url: String,
        /// Where the customer goes when they cancel at the checkout.
        cancel_url: String,
        /// Where Mollie posts status changes (`id=tr_...`).
        webhook_url: String,
        /// The order lines.
        lines: Vec<PaymentLine>,
        /// The billing address.
        billing_address: Address,
        /// The shipping address.
        shipping_address: Address,
        /// The language of the hosted pages.
        locale: Locale,
        /// The issuer to preselect (e.g. a gift card brand).
        issuer: String,
        /// Show only the methods available in this country (ISO 3166-1 alpha-2).
        restrict_payment_methods_to_country: String,
        /// Automatic or manual capture of card authorizations.
        capture_mode: CaptureMode,
        /// The platform fee on a connected merchant's payment.
        application_fee: ApplicationFee,
        /// How to split the money between organizations.
        routing: Vec<NewRoute>,
        /// The customer. Not needed with *Create customer payment*, whose path names the
        /// customer; Mollie refuses a different one.
        customer_id: CustomerId,
        /// The mandate to charge.
        mandate_id: MandateId,
        /// Direct debit: the day to debit the account.
        due_date: Date,
        /// Store the card for later one-click payments.
        store_credentials: bool,
        /// Apple Pay: the payment token from the Apple Pay JS API.
        apple_pay_payment_token: Sensitive,
        /// B2B methods: the company paying.
        company: Company,
        /// Cards: the token from Mollie Components.
        card_token: Sensitive,
        /// Google Pay: the payment token.
        google_pay_payment_token: Sensitive,
        /// Vouchers and gift cards: the card number.
        voucher_number: String,
        /// Vouchers and gift cards: the PIN.
        voucher_pin: Sensitive,
        /// Pay-later methods: the customer's date of birth.
        consumer_date_of_birth: Date,
        /// Klarna: extra merchant data, as Klarna defines it.
        extra_merchant_data: serde_json::Value,
        /// Klarna: the session id.
        session_id: String,
        /// Whether the order contains digital goods.
        digital_goods: bool,
        /// Point of sale: the customer's reference.
        customer_reference: String,
        /// Point of sale: the terminal to use.
        terminal_id: String,
    }

    /// The sequence type (one-off, first, recurring).
    pub fn sequence_type(mut self, sequence_type: SequenceType) -> Self {
        self.sequence_type = Some(sequence_type);
        self
    }

    /// Send the customer straight to `method`, skipping the method selection.
    pub fn method(mut self, method: PaymentMethod) -> Self {
        self.method = Some(MethodChoice::One(method));
        self
    }

    /// Show only these methods at the checkout.
    pub fn methods(mut self, methods: impl IntoIterator<Item = PaymentMethod>) -> Self {
        self.method = Some(MethodChoice::Any(methods.into_iter().collect()));
        self
    }

    /// Delay an automatic capture, e.g. `"8 hours"` or `"2 days"` (at most 7 days).
    ///
    /// # Errors
    /// Unless `delay` is a number followed by `hour(s)` or `day(s)`.
    pub fn capture_delay(mut self, delay: &str) -> Result<Self, ValidationError> {
        let valid = delay.split_once(' ').is_some_and(|(n, unit)| {
            !n.is_empty()
                && n.bytes().all(|b| b.is_ascii_digit())
                && matches!(unit, "hour" | "hours" | "day" | "days")
        });
        if !valid {
            return Err(ValidationError::new(
                "captureDelay",
                format!("{} is not like \"8 hours\" or \"2 days\"", quoted(delay)),
            ));
        }
        self.capture_delay = Some(delay.to_owned());
        Ok(self)
    }

    /// Any JSON-serializable data to store with the payment, e.g. your order id.
    ///
    /// # Errors
    /// When it does not serialize, or its JSON is over
    /// [`METADATA_MAX_BYTES`](crate::METADATA_MAX_BYTES).
    pub fn metadata(mut self, metadata: impl Serialize) -> Result<Self, ValidationError> {
        self.metadata = Some(metadata_value(metadata)?);
        Ok(self)
    }

    /// Checks what the constructors cannot: a non-empty description of at most
    /// [`DESCRIPTION_MAX_CHARS`], and a `redirectUrl` unless the payment is recurring (or paid
    /// with an Apple Pay token). A recurring payment needs no `mandateId`: Mollie then charges
    /// the customer's newest valid mandate. The SDK client calls it before sending.
    ///
    /// # Errors
    /// The first field that Mollie would refuse.
    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.description.trim().is_empty() {
            return Err(ValidationError::new("description", "must not be empty"));
        }
        let chars = self.description.chars().count();
        if chars > DESCRIPTION_MAX_CHARS {
            return Err(ValidationError::new(
                "description",
                format!("has {chars} characters; Mollie takes at most {DESCRIPTION_MAX_CHARS}"),
            ));
        }
        if self.sequence_type != Some(SequenceType::Recurring)
            && self.redirect_url.is_none()
            && self.apple_pay_payment_token.is_none()
        {
            return Err(ValidationError::new(
                "redirectUrl",
                "is required unless the payment is recurring or paid with an Apple Pay token",
            ));
        }
        Ok(())
    }

    /// The amount.
    pub fn amount(&self) -> &Money {
        &self.amount
    }

    /// The description.
    pub fn description(&self) -> &str {
        &self.description
    }

    /// The sequence type, if set.
    pub fn get_sequence_type(&self) -> Option<&SequenceType> {
        self.sequence_type.as_ref()
    }

    /// The mandate to charge, if set.
    pub fn get_mandate_id(&self) -> Option<&MandateId> {
        self.mandate_id.as_ref()
    }
}
