//! Types of Mollie's Customers, Mandates, Payments, Refunds, Chargebacks and Subscriptions APIs
//! (v2), exactly as Mollie's OpenAPI spec describes them: resources, request bodies, typed ids,
//! money, intervals, list pages, error bodies and the `include`/`embed` query values
//! ([`query`]).
//!
//! This crate does no I/O: it depends on `serde` and `serde_json` only, so a webhook
//! receiver or a service that stores Mollie objects can use it without an HTTP stack. The
//! client is the `mollie-sdk` crate.
//!
//! - Ids are typed ([`CustomerId`], [`MandateId`], [`PaymentId`], [`RefundId`], ...) and
//!   accept only Mollie's id shape, so an id can never smuggle a path into a URL.
//! - [`Money`] keeps the exact decimal string; there is no float anywhere.
//! - Every enum of values Mollie sends has an `Unknown(String)` variant: a value Mollie adds
//!   later parses and is written back unchanged. Unknown object fields are ignored.
//! - Request bodies ([`NewCustomer`], [`CustomerUpdate`], [`NewMandate`], [`NewPayment`],
//!   [`PaymentUpdate`], [`NewRefund`], [`NewSubscription`], [`SubscriptionUpdate`]) are built by constructors that take the required
//!   fields; values that can be wrong are typed and checked when made ([`Money`], [`Iban`],
//!   [`Date`], [`Interval`], ids, metadata), and `validate` ([`NewPayment::validate`],
//!   [`NewRefund::validate_against`], ...) checks what a constructor cannot.
//! - Resources that can embed others carry them typed: a [`Payment`]'s refunds and
//!   chargebacks ([`PaymentEmbedded`]), a [`Refund`]'s or [`Chargeback`]'s payment.
//!
//! ```
//! use mollie_models::{Customer, List, Payment, PaymentStatus};
//!
//! let body = r#"{
//!   "resource": "payment", "id": "tr_7UhSN1zuXS", "mode": "test",
//!   "amount": {"currency": "EUR", "value": "10.00"}, "description": "March",
//!   "status": "paid", "sequenceType": "recurring", "profileId": "pfl_QkEhN94Ba",
//!   "createdAt": "2024-03-20T09:13:37+00:00",
//!   "_links": {"self": {"href": "https://api.mollie.com/v2/payments/tr_7UhSN1zuXS", "type": "application/hal+json"},
//!              "dashboard": {"href": "https://my.mollie.com/dashboard", "type": "text/html"}}
//! }"#;
//! let payment: Payment = serde_json::from_str(body)?;
//! assert_eq!(payment.status, PaymentStatus::Paid);
//! assert_eq!(payment.amount.minor_units(), Some(1000));
//! # Ok::<(), serde_json::Error>(())
//! ```
//!
//! ## Features
//! - `time`: conversions of [`Timestamp`] and [`Date`] into the `time` crate's types.
//! - `signature`: verification of next-gen webhook signatures (`hmac` + `sha2`, no I/O); see
//!   [`webhooks`].
#![cfg_attr(docsrs, feature(doc_cfg))]

mod chargeback;
mod common;
mod customer;
mod error_response;
mod iban;
pub mod id;
mod list;
mod mandate;
mod money;
mod new_payment;
mod open_enum;
mod payment;
mod payment_details;
mod payment_update;
pub mod query;
mod refund;
mod subscription;
mod validation;
pub mod webhooks;

pub use chargeback::{Chargeback, ChargebackEmbedded, ChargebackLinks, ChargebackReason};

pub use common::{
    Date, Link, Locale, METADATA_MAX_BYTES, Mode, SortOrder, Timestamp, metadata_value,
};
pub use customer::{Customer, CustomerLinks, CustomerUpdate, NewCustomer};
pub use error_response::{ErrorLinks, ErrorResponse};
pub use iban::Iban;
pub use id::{
    ChargebackId, CustomerId, MandateId, OrderId, OrganizationId, PaymentId, ProfileId, RefundId,
    RouteId, SettlementId, SubscriptionId, TerminalId,
};
pub use list::{List, ListItem, ListLinks};
pub use mandate::{
    CardDetails, CardLabel, DirectDebitDetails, Mandate, MandateDetails, MandateLinks,
    MandateMethod, MandateScope, MandateStatus, NewMandate, PayPalDetails, RawMandateDetails,
};
pub use money::{AsCurrency, Currency, Money};
pub use new_payment::{
    Company, DESCRIPTION_MAX_CHARS, MethodChoice, NewPayment, NewRoute, Sensitive,
};
pub use payment::{
    Address, ApplicationFee, CaptureMode, LineCategory, LineType, Payment, PaymentApplicationFee,
    PaymentEmbedded, PaymentLine, PaymentLinks, PaymentMethod, PaymentStatus, RecurringLine, Route,
    RouteDestination, RouteDestinationType, RouteLinks, SequenceType, StatusReason,
    StatusReasonCode,
};
pub use payment_details::{
    CardAudience, CardFunding, CardReadMethod, CardSecurity, CardVerificationMethod, FailureReason,
    FeeRegion, PaymentDetails, QrCode, Receipt, SellerProtection, Wallet,
};
pub use payment_update::PaymentUpdate;
pub use query::{ChargebackEmbed, PaymentEmbed, PaymentInclude, RefundEmbed};
pub use refund::{
    NewRefund, NewRoutingReversal, Refund, RefundEmbedded, RefundExternalReference,
    RefundExternalReferenceType, RefundLinks, RefundRoutingReversal, RefundRoutingReversalSource,
    RefundStatus, RoutingReversalSource, RoutingReversalSourceType,
};
pub use subscription::{
    Interval, IntervalUnit, NewSubscription, Subscription, SubscriptionLinks, SubscriptionMethod,
    SubscriptionStatus, SubscriptionUpdate,
};
pub use validation::ValidationError;
