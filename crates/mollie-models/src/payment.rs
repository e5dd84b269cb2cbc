//! The payment resource, as the Payments API and the customer payments endpoints return it.

use serde::{Deserialize, Serialize};

use crate::chargeback::Chargeback;
use crate::common::{Date, Link, Locale, Mode, Timestamp};
use crate::id::{
    CustomerId, MandateId, OrderId, OrganizationId, PaymentId, ProfileId, RouteId, SettlementId,
    SubscriptionId,
};
use crate::money::Money;
use crate::open_enum::open_enum;
use crate::payment_details::PaymentDetails;
use crate::refund::Refund;

open_enum! {
    /// Where a payment is in its life.
    pub enum PaymentStatus {
        /// Created; the customer has not completed it yet.
        Open = "open",
        /// Started; the outcome is not known yet.
        Pending = "pending",
        /// Authorized; the money is captured later.
        Authorized = "authorized",
        /// Paid.
        Paid = "paid",
        /// Canceled by the customer or the merchant.
        Canceled = "canceled",
        /// Not completed in time.
        Expired = "expired",
        /// Failed, e.g. refused by the bank.
        Failed = "failed",
    }
}

impl PaymentStatus {
    /// Whether the status can no longer change (paid, canceled, expired, failed).
    ///
    /// A paid payment can still be refunded or charged back; those are separate resources.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            PaymentStatus::Paid
                | PaymentStatus::Canceled
                | PaymentStatus::Expired
                | PaymentStatus::Failed
        )
    }
}

open_enum! {
    /// The role of a payment in a recurring relationship.
    pub enum SequenceType {
        /// A one-time payment.
        Oneoff = "oneoff",
        /// The customer's first payment, which sets up a mandate.
        First = "first",
        /// A charge on an existing mandate, without the customer.
        Recurring = "recurring",
    }
}

open_enum! {
    /// A payment method.
    pub enum PaymentMethod {
        /// Alma.
        Alma = "alma",
        /// Apple Pay.
        ApplePay = "applepay",
        /// Bacs Direct Debit.
        Bacs = "bacs",
        /// BANCOMAT Pay.
        BancomatPay = "bancomatpay",
        /// Bancontact.
        Bancontact = "bancontact",
        /// Bank transfer.
        BankTransfer = "banktransfer",
        /// Belfius Pay Button.
        Belfius = "belfius",
        /// Billie.
        Billie = "billie",
        /// Billink.
        Billink = "billink",
        /// Bizum.
        Bizum = "bizum",
        /// BLIK.
        Blik = "blik",
        /// Card.
        CreditCard = "creditcard",
        /// SEPA Direct Debit.
        DirectDebit = "directdebit",
        /// EPS.
        Eps = "eps",
        /// Gift cards.
        GiftCard = "giftcard",
        /// iDEAL.
        Ideal = "ideal",
        /// in3.
        In3 = "in3",
        /// KBC/CBC Payment Button.
        Kbc = "kbc",
        /// Klarna.
        Klarna = "klarna",
        /// MB WAY.
        MbWay = "mbway",
        /// MobilePay.
        MobilePay = "mobilepay",
        /// Multibanco.
        Multibanco = "multibanco",
        /// MyBank.
        MyBank = "mybank",
        /// Pay by Bank.
        PayByBank = "paybybank",
        /// PayPal.
        PayPal = "paypal",
        /// paysafecard.
        Paysafecard = "paysafecard",
        /// Point of sale (terminal).
        PointOfSale = "pointofsale",
        /// Przelewy24.
        Przelewy24 = "przelewy24",
        /// Riverty.
        Riverty = "riverty",
        /// Satispay.
        Satispay = "satispay",
        /// Swish.
        Swish = "swish",
        /// Trustly.
        Trustly = "trustly",
        /// TWINT.
        Twint = "twint",
        /// Vipps.
        Vipps = "vipps",
        /// Vouchers.
        Voucher = "voucher",
        /// Klarna Pay later (legacy).
        KlarnaPayLater = "klarnapaylater",
        /// Klarna Pay now (legacy).
        KlarnaPayNow = "klarnapaynow",
        /// Klarna Slice it (legacy).
        KlarnaSliceIt = "klarnasliceit",
        /// Payconiq (legacy).
        Payconiq = "payconiq",
    }
}

open_enum! {
    /// When an authorized payment is captured.
    pub enum CaptureMode {
        /// Captured automatically (after `captureDelay`, if set).
        Automatic = "automatic",
        /// Captured by the merchant through the Captures API.
        Manual = "manual",
    }
}

open_enum! {
    /// The kind of an order line.
    pub enum LineType {
        /// A physical product.
        Physical = "physical",
        /// A digital product.
        Digital = "digital",
        /// Shipping costs.
        ShippingFee = "shipping_fee",
        /// A discount (negative amount).
        Discount = "discount",
        /// Store credit (negative amount).
        StoreCredit = "store_credit",
        /// A gift card (negative amount).
        GiftCard = "gift_card",
        /// A surcharge.
        Surcharge = "surcharge",
        /// A tip.
        Tip = "tip",
    }
}

open_enum! {
    /// The voucher category of an order line.
    pub enum LineCategory {
        /// Eco vouchers.
        Eco = "eco",
        /// Gift vouchers.
        Gift = "gift",
        /// Meal vouchers.
        Meal = "meal",
        /// Sport and culture vouchers.
        SportCulture = "sport_culture",
        /// Additional.
        Additional = "additional",
        /// Consumption.
        Consume = "consume",
    }
}

open_enum! {
    /// Who receives the money of a route.
    pub enum RouteDestinationType {
        /// A connected organization.
        Organization = "organization",
    }
}

/// A payment, as Mollie returns it.
///
/// Fields that Mollie only sends in some situations are `Option`s; the ones it always sends
/// (id, amount, status, ...) are not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Payment {
    /// Always `"payment"`.
    pub resource: String,
    /// The payment's id.
    pub id: PaymentId,
    /// Live or test mode.
    pub mode: Mode,
    /// The description shown to the customer and on the bank statement.
    pub description: String,
    /// The amount charged.
    pub amount: Money,
    /// How much has been refunded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_refunded: Option<Money>,
    /// How much can still be refunded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_remaining: Option<Money>,
    /// How much has been captured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_captured: Option<Money>,
    /// How much has been charged back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_charged_back: Option<Money>,
    /// How much is settled to the merchant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settlement_amount: Option<Money>,
    /// Where the customer goes after the checkout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_url: Option<String>,
    /// Where the customer goes when they cancel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel_url: Option<String>,
    /// Where Mollie posts status changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_url: Option<String>,
    /// The order lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lines: Option<Vec<PaymentLine>>,
    /// The billing address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_address: Option<Address>,
    /// The shipping address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_address: Option<Address>,
    /// The language of the hosted pages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<Locale>,
    /// The customer's country, as detected by Mollie (ISO 3166-1 alpha-2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country_code: Option<String>,
    /// The method used or chosen; `None` while the customer has not chosen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<PaymentMethod>,
    /// The country the methods shown were restricted to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restrict_payment_methods_to_country: Option<String>,
    /// Whatever the application stored with the payment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<serde_json::Value>,
    /// Automatic or manual capture.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capture_mode: Option<CaptureMode>,
    /// The delay before an automatic capture, e.g. `"8 hours"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capture_delay: Option<String>,
    /// The latest moment the payment can be captured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capture_before: Option<Timestamp>,
    /// The fee a platform takes from a connected merchant's payment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_fee: Option<PaymentApplicationFee>,
    /// How the money is split between organizations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routing: Option<Vec<Route>>,
    /// One-off, first or recurring.
    pub sequence_type: SequenceType,
    /// The subscription that created it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscription_id: Option<SubscriptionId>,
    /// The mandate it was charged on, or that it created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mandate_id: Option<MandateId>,
    /// The customer it belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<CustomerId>,
    /// The website profile it was made on.
    pub profile_id: ProfileId,
    /// The settlement it was paid out in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settlement_id: Option<SettlementId>,
    /// The order it belongs to (Orders API).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<OrderId>,
    /// Where the payment is in its life.
    pub status: PaymentStatus,
    /// Why the payment has its status (card and terminal payments).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_reason: Option<StatusReason>,
    /// Whether it can still be canceled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_cancelable: Option<bool>,
    /// Method-specific details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<PaymentDetails>,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it was authorized.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorized_at: Option<Timestamp>,
    /// When it was paid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paid_at: Option<Timestamp>,
    /// When it was canceled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canceled_at: Option<Timestamp>,
    /// When it will expire, while it is open.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Timestamp>,
    /// When it expired.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expired_at: Option<Timestamp>,
    /// When it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed_at: Option<Timestamp>,
    /// Links to the payment, its checkout, dashboard and related resources.
    #[serde(rename = "_links")]
    pub links: PaymentLinks,
    /// The refunds, chargebacks or captures asked for with [`PaymentEmbed`](crate::PaymentEmbed).
    #[serde(rename = "_embedded", default, skip_serializing_if = "Option::is_none")]
    pub embedded: Option<PaymentEmbedded>,
}

/// The `_embedded` of a [`Payment`]: what `embed=` asked for. Each list is absent unless it
/// was asked for.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PaymentEmbedded {
    /// The payment's refunds (`embed=refunds`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refunds: Option<Vec<Refund>>,
    /// The payment's chargebacks (`embed=chargebacks`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chargebacks: Option<Vec<Chargeback>>,
    /// The payment's captures (`embed=captures`), as Mollie sends them: the Captures API is
    /// not part of this crate yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub captures: Option<Vec<serde_json::Value>>,
}

/// The `_links` of a [`Payment`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentLinks {
    /// The payment in the API.
    #[serde(rename = "self")]
    pub self_: Link,
    /// The hosted checkout to send the customer to (open payments).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkout: Option<Link>,
    /// The checkout in the customer's banking app, where available.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mobile_app_checkout: Option<Link>,
    /// In test mode, the page to change the payment's status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_payment_state: Option<Link>,
    /// The payment in Mollie's dashboard.
    pub dashboard: Link,
    /// The payment's refunds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refunds: Option<Link>,
    /// The payment's chargebacks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chargebacks: Option<Link>,
    /// The payment's captures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub captures: Option<Link>,
    /// The settlement it was paid out in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settlement: Option<Link>,
    /// The customer it belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<Link>,
    /// The mandate it was charged on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mandate: Option<Link>,
    /// The subscription that created it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscription: Option<Link>,
    /// The order it belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<Link>,
    /// The terminal of a point-of-sale payment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terminal: Option<Link>,
    /// The routes of a split payment (sent by Mollie, not listed in its spec).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routes: Option<Link>,
    /// The API documentation of payments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub documentation: Option<Link>,
    /// The status page of a bank transfer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Link>,
    /// The page where a bank transfer can be paid online instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pay_online: Option<Link>,
}

/// An order line of a payment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentLine {
    /// The kind of line; Mollie assumes `physical` when it is absent.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub line_type: Option<LineType>,
    /// What the line is for.
    pub description: String,
    /// How many items.
    pub quantity: u32,
    /// The unit of the quantity, e.g. `pcs` or `kg`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity_unit: Option<String>,
    /// The price of one item, VAT included.
    pub unit_price: Money,
    /// The discount on the line, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount_amount: Option<Money>,
    /// `quantity × unitPrice − discountAmount`.
    pub total_amount: Money,
    /// The VAT rate as a decimal string, e.g. `"21.00"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vat_rate: Option<String>,
    /// The VAT in the total amount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vat_amount: Option<Money>,
    /// The product's SKU, EAN, ISBN or UPC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    /// Voucher categories.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub categories: Option<Vec<LineCategory>>,
    /// An image of the product.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
    /// The product's page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_url: Option<String>,
    /// For a subscription product: how it recurs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recurring: Option<RecurringLine>,
}

impl PaymentLine {
    /// A line of `quantity` items at `unit_price` with the given `total_amount`; the other
    /// fields can be set directly.
    pub fn new(
        description: impl Into<String>,
        quantity: u32,
        unit_price: Money,
        total_amount: Money,
    ) -> Self {
        Self {
            line_type: None,
            description: description.into(),
            quantity,
            quantity_unit: None,
            unit_price,
            discount_amount: None,
            total_amount,
            vat_rate: None,
            vat_amount: None,
            sku: None,
            categories: None,
            image_url: None,
            product_url: None,
            recurring: None,
        }
    }
}

/// How a subscription product on an order line recurs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecurringLine {
    /// What the subscription is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The interval, e.g. `"1 month"` or `"14 days"`.
    pub interval: String,
    /// The amount of each recurring charge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Money>,
    /// How many times it recurs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u32>,
    /// When it starts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date: Option<Date>,
}

/// A postal address.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    /// Title, e.g. `Mr.`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Given name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    /// Family name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    /// Organization name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_name: Option<String>,
    /// Street and house number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street_and_number: Option<String>,
    /// Further street details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street_additional: Option<String>,
    /// Postal code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// Email address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Phone number in E.164 form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// City.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// Region or state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Country, ISO 3166-1 alpha-2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

/// The fee a platform takes from a connected merchant's payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationFee {
    /// The fee.
    pub amount: Money,
    /// What the fee is for.
    pub description: String,
}

/// The fee a platform takes, as a payment shows it. Mollie's spec requires neither field in
/// a response, so a payment whose fee lacks one still decodes (a request's fee,
/// [`ApplicationFee`], needs both).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PaymentApplicationFee {
    /// The fee.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Money>,
    /// What the fee is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// The party that receives a route's money.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RouteDestination {
    /// The kind of destination.
    #[serde(rename = "type")]
    pub destination_type: RouteDestinationType,
    /// The organization that receives the money.
    pub organization_id: OrganizationId,
}

/// A part of a split payment that goes to another organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Route {
    /// Always `"route"`.
    pub resource: String,
    /// The route's id.
    pub id: RouteId,
    /// Live or test mode.
    pub mode: Mode,
    /// The amount routed.
    pub amount: Money,
    /// Who receives it.
    pub destination: RouteDestination,
    /// When the route was created.
    pub created_at: Timestamp,
    /// When the money is released to the destination.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release_date: Option<Date>,
    /// Links to the route and its payment.
    #[serde(rename = "_links")]
    pub links: RouteLinks,
}

/// The `_links` of a [`Route`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteLinks {
    /// The route in the API.
    #[serde(rename = "self")]
    pub self_: Link,
    /// The payment it belongs to.
    pub payment: Link,
}

/// Why a payment has its status: a machine-readable code and a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusReason {
    /// The code, e.g. `insufficient_funds` or `terminal_busy`.
    pub code: StatusReasonCode,
    /// A human-readable explanation.
    pub message: String,
}

/// A status reason code: one of Mollie's card scheme, merchant, terminal and voucher codes
/// (over a hundred, growing), kept as the exact string so none is ever refused.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StatusReasonCode(pub String);

impl StatusReasonCode {
    /// The code as Mollie wrote it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
