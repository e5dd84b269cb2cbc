//! Mollie's Payments API (v2), with its Refunds and Chargebacks: what happens to a payment
//! after it is made. Get a payment (the first call of every webhook handler), list, update,
//! cancel, release an authorization; refund a payment and cancel a refund; see its
//! chargebacks; list every refund or chargeback of the account.
//!
//! Each operation is a builder over [`mollie_core::Call`]: set what it takes, then `.await`
//! it. Input is checked before anything is sent: ids are typed, `limit` is 1 to 250, a new
//! payment is validated ([`NewPayment::validate`]), and a refund must be positive, in the
//! payment's currency and within what is left to refund when the payment is at hand
//! ([`Payments::refund`]). Most applications use this crate through the `mollie-sdk` facade
//! (`mollie.payments()`, `mollie.refunds(&payment)`, `mollie.chargebacks(&payment)`).
//!
//! ```
//! use mollie_models::{Money, NewPayment, NewRefund, PaymentStatus};
//! use mollie_payments::Payments;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let mock = mollie_mock::MockServer::start().await?;
//! let client = mollie_core::Client::builder()
//!     .api_key("test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM")?
//! #   .base_url(mock.url())
//!     .build()?;
//! let payments = Payments::new(client);
//!
//! let order = NewPayment::oneoff(Money::eur("25.00")?, "Order 1234", "https://shop.example/return");
//! let payment = payments.create(order).await?;
//! assert_eq!(payment.status, PaymentStatus::Open);
//! # mock.set_payment_status(payment.id.as_str(), PaymentStatus::Paid)?;
//!
//! // Later, in the webhook handler: what is the payment's status now?
//! let payment = payments.get(&payment.id).await?;
//! assert_eq!(payment.status, PaymentStatus::Paid);
//!
//! // Give back 5 euro of it.
//! let refund = payments.refund(&payment, NewRefund::new(Money::eur("5.00")?)).await?;
//! assert_eq!(refund.amount, Money::eur("5.00")?);
//! # Ok(())
//! # }
//! ```
#![cfg_attr(docsrs, feature(doc_cfg))]

mod chargebacks;
mod refunds;
mod sub_resource;

pub use chargebacks::{Chargebacks, GetChargeback, ListAllChargebacks, ListChargebacks};
pub use refunds::{CancelRefund, CreateRefund, GetRefund, ListAllRefunds, ListRefunds, Refunds};

use mollie_core::{Call, Client, Placement, Request, operation};
use mollie_models::{
    NewPayment, NewRefund, Payment, PaymentEmbed, PaymentId, PaymentInclude, PaymentUpdate,
    ProfileId, ValidationError,
};

/// The Payments API of a client, and the account-wide lists of refunds and chargebacks.
#[derive(Debug, Clone)]
pub struct Payments {
    client: Client,
}

/// `/payments`, with the placement of `testmode` and `profileId` every payment endpoint
/// shares unless it says otherwise.
fn payments(request: Request) -> Request {
    request.segment("payments")
}

impl Payments {
    /// The Payments API over `client`.
    pub fn new(client: Client) -> Self {
        Self { client }
    }

    fn call(&self, request: Request) -> Call {
        Call::new(self.client.clone(), request)
    }

    /// *Create payment*: `POST /v2/payments`. The body is validated first
    /// ([`NewPayment::validate`]); with an organization or OAuth token, set `profile_id` on
    /// the call or the client.
    ///
    /// ```
    /// # use mollie_models::{Money, NewPayment, PaymentInclude};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mock = mollie_mock::MockServer::start().await?;
    /// # let client = mollie_core::Client::builder()
    /// #     .api_key("test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM")?.base_url(mock.url()).build()?;
    /// # let payments = mollie_payments::Payments::new(client);
    /// let order = NewPayment::oneoff(Money::eur("10.00")?, "Order 12", "https://shop.example/r");
    /// let payment = payments.create(order).include(PaymentInclude::QrCode).await?;
    /// assert!(payment.links.checkout.is_some(), "the customer pays at the checkout");
    /// # Ok(())
    /// # }
    /// ```
    pub fn create(&self, payment: NewPayment) -> CreatePayment {
        let call = self
            .call(payments(Request::post()))
            .json(&payment)
            .check(payment.validate());
        CreatePayment::from_call(call)
    }

    /// *Get payment*: `GET /v2/payments/{id}`, the first call of a webhook handler.
    ///
    /// ```
    /// # use mollie_models::{Money, NewPayment, PaymentEmbed, PaymentStatus};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mock = mollie_mock::MockServer::start().await?;
    /// # let client = mollie_core::Client::builder()
    /// #     .api_key("test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM")?.base_url(mock.url()).build()?;
    /// # let payments = mollie_payments::Payments::new(client);
    /// # let order = NewPayment::oneoff(Money::eur("10.00")?, "Order 12", "https://shop.example/r");
    /// # let id = payments.create(order).await?.id;
    /// let payment = payments.get(&id).embed([PaymentEmbed::Refunds]).await?;
    /// assert_eq!(payment.status, PaymentStatus::Open);
    /// # Ok(())
    /// # }
    /// ```
    pub fn get(&self, id: &PaymentId) -> GetPayment {
        let request = payments(Request::get())
            .id(id)
            .profile_id_in(Placement::Omit);
        GetPayment::from_call(self.call(request))
    }

    /// *List payments*: `GET /v2/payments`, newest first unless sorted otherwise.
    ///
    /// ```
    /// # use mollie_models::{Money, NewPayment};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mock = mollie_mock::MockServer::start().await?;
    /// # let client = mollie_core::Client::builder()
    /// #     .api_key("test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM")?.base_url(mock.url()).build()?;
    /// # let payments = mollie_payments::Payments::new(client);
    /// # for n in 0..3 {
    /// #     let order = NewPayment::oneoff(Money::eur("1.00")?, format!("Order {n}"), "https://shop.example/r");
    /// #     payments.create(order).await?;
    /// # }
    /// let page = payments.list().limit(2).await?;
    /// assert_eq!(page.len(), 2);
    /// assert_eq!(page.items()[0].description, "Order 2"); // newest first
    /// # Ok(())
    /// # }
    /// ```
    pub fn list(&self) -> ListPayments {
        ListPayments::from_call(self.call(payments(Request::get())))
    }

    /// *Update payment*: `PATCH /v2/payments/{id}`; Mollie allows changes while a payment is
    /// open (and a few fields later).
    ///
    /// ```
    /// # use mollie_models::{Money, NewPayment, PaymentUpdate};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mock = mollie_mock::MockServer::start().await?;
    /// # let client = mollie_core::Client::builder()
    /// #     .api_key("test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM")?.base_url(mock.url()).build()?;
    /// # let payments = mollie_payments::Payments::new(client);
    /// # let order = NewPayment::oneoff(Money::eur("10.00")?, "Order 12", "https://shop.example/r");
    /// # let id = payments.create(order).await?.id;
    /// let payment = payments
    ///     .update(&id, PaymentUpdate::new().description("Order 12, gift-wrapped"))
    ///     .await?;
    /// assert_eq!(payment.description, "Order 12, gift-wrapped");
    /// # Ok(())
    /// # }
    /// ```
    pub fn update(&self, id: &PaymentId, update: PaymentUpdate) -> UpdatePayment {
        let request = payments(Request::patch())
            .id(id)
            .profile_id_in(Placement::Omit);
        UpdatePayment::from_call(self.call(request).json(&update).check(update.validate()))
    }

    /// *Cancel payment*: `DELETE /v2/payments/{id}`, only while the payment
    /// `is_cancelable`; answers the canceled payment.
    ///
    /// ```
    /// # use mollie_models::{Money, NewPayment, PaymentMethod, PaymentStatus};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mock = mollie_mock::MockServer::start().await?;
    /// # let client = mollie_core::Client::builder()
    /// #     .api_key("test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM")?.base_url(mock.url()).build()?;
    /// # let payments = mollie_payments::Payments::new(client);
    /// // A bank transfer can be canceled while the money has not arrived.
    /// let order = NewPayment::oneoff(Money::eur("10.00")?, "Order 12", "https://shop.example/r")
    ///     .method(PaymentMethod::BankTransfer);
    /// let payment = payments.create(order).await?;
    /// assert_eq!(payment.is_cancelable, Some(true));
    /// let canceled = payments.cancel(&payment.id).await?;
    /// assert_eq!(canceled.status, PaymentStatus::Canceled);
    /// # Ok(())
    /// # }
    /// ```
    pub fn cancel(&self, id: &PaymentId) -> CancelPayment {
        // Mollie takes this DELETE's `testmode` in a JSON body, not the query.
        let request = payments(Request::delete())
            .id(id)
            .testmode_in(Placement::Body)
            .profile_id_in(Placement::Omit);
        CancelPayment::from_call(self.call(request))
    }

    /// *Release authorization*: `POST /v2/payments/{id}/release-authorization`, for an
    /// authorized card payment you will not capture (Mollie answers 202 and releases it
    /// asynchronously).
    ///
    /// ```no_run
    /// # async fn run(payments: mollie_payments::Payments, id: mollie_models::PaymentId)
    /// # -> Result<(), mollie_core::Error> {
    /// payments.release_authorization(&id).await?;
    /// # Ok(()) }
    /// ```
    pub fn release_authorization(&self, id: &PaymentId) -> ReleaseAuthorization {
        let request = payments(Request::post())
            .id(id)
            .segment("release-authorization");
        ReleaseAuthorization::from_call(self.call(request))
    }

    /// *Create refund* of a payment at hand: besides [`NewRefund::validate`] (a positive
    /// amount), the refund must be in the payment's currency and, when the payment says
    /// what is left (`amountRemaining`), no more than that. Refused input is sent nowhere.
    ///
    /// ```
    /// # use mollie_models::{Money, NewPayment, NewRefund, RefundStatus};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mock = mollie_mock::MockServer::start().await?;
    /// # let client = mollie_core::Client::builder()
    /// #     .api_key("test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM")?.base_url(mock.url()).build()?;
    /// # let payments = mollie_payments::Payments::new(client);
    /// # let order = NewPayment::oneoff(Money::eur("10.00")?, "Order 12", "https://shop.example/r");
    /// # let id = payments.create(order).await?.id;
    /// # mock.set_payment_status(id.as_str(), mollie_models::PaymentStatus::Paid)?;
    /// let payment = payments.get(&id).await?;
    /// let refund = payments.refund(&payment, NewRefund::new(Money::eur("4.00")?)).await?;
    /// assert_eq!(refund.payment_id, payment.id);
    ///
    /// // More than is left, or in another currency: refused before sending.
    /// let too_much = payments.refund(&payment, NewRefund::new(Money::eur("7.00")?)).await;
    /// assert_eq!(too_much.unwrap_err().field(), Some("amount"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn refund(&self, payment: &Payment, refund: NewRefund) -> CreateRefund {
        let call = self
            .refunds(&payment.id)
            .create_call(&refund)
            // `validate_against` runs `validate` first: one pass, the first error wins.
            .check(within(payment, &refund));
        CreateRefund::from_call(call)
    }

    /// The Refunds API of one payment: create, get, list, cancel its refunds.
    pub fn refunds(&self, payment: &PaymentId) -> Refunds {
        Refunds::new(self.client.clone(), payment.clone())
    }

    /// The Chargebacks API of one payment: get and list its chargebacks.
    pub fn chargebacks(&self, payment: &PaymentId) -> Chargebacks {
        Chargebacks::new(self.client.clone(), payment.clone())
    }

    /// *List all refunds*: `GET /v2/refunds`, every refund of the account (or profile).
    pub fn list_all_refunds(&self) -> ListAllRefunds {
        ListAllRefunds::from_call(self.call(Request::get().segment("refunds")))
    }

    /// *List all chargebacks*: `GET /v2/chargebacks`, every chargeback of the account (or
    /// profile).
    pub fn list_all_chargebacks(&self) -> ListAllChargebacks {
        ListAllChargebacks::from_call(self.call(Request::get().segment("chargebacks")))
    }
}

/// A refund of `payment` must be in its currency and within what it says is left.
fn within(payment: &Payment, refund: &NewRefund) -> Result<(), ValidationError> {
    refund.validate_against(&payment.amount)?;
    let (Some(left), Some(asked)) = (
        payment
            .amount_remaining
            .as_ref()
            .and_then(|m| m.minor_units()),
        refund.amount().minor_units(),
    ) else {
        return Ok(());
    };
    if asked > left {
        return Err(ValidationError::new(
            "amount",
            format!(
                "{} is more than the {} left to refund of payment {}",
                refund.amount(),
                payment
                    .amount_remaining
                    .as_ref()
                    .map_or_else(String::new, ToString::to_string),
                payment.id
            ),
        ));
    }
    Ok(())
}

operation! {
    /// *Create payment*; `.await` it for the new [`Payment`].
    pub struct CreatePayment => single Payment;
}

impl CreatePayment {
    /// Asks for related information in the response (`include=...`), e.g. a QR code.
    pub fn include(mut self, include: PaymentInclude) -> Self {
        self.call = self.call.query("include", include.as_str().to_owned());
        self
    }

    /// `profileId`, for organization access tokens and OAuth.
    pub fn profile_id(mut self, profile_id: ProfileId) -> Self {
        self.call = self.call.profile_id(profile_id);
        self
    }
}

operation! {
    /// *Get payment*; `.await` it for the [`Payment`].
    pub struct GetPayment => single Payment;
}

impl GetPayment {
    /// Asks for related information in the response (`include=...`).
    pub fn include(mut self, include: PaymentInclude) -> Self {
        self.call = self.call.query("include", include.as_str().to_owned());
        self
    }

    /// Embeds sub-resources in `_embedded` (`embed=refunds,chargebacks,captures`).
    pub fn embed(mut self, embed: impl IntoIterator<Item = PaymentEmbed>) -> Self {
        let embed: Vec<PaymentEmbed> = embed.into_iter().collect();
        if let Some(value) = mollie_models::query::join(&embed) {
            self.call = self.call.query("embed", value);
        }
        self
    }
}

operation! {
    /// *List payments*; `.await` it for one page, `.stream()` every payment, or `.pages()`.
    pub struct ListPayments => list Payment, sorted;
}

impl ListPayments {
    /// Starts the list at this payment (Mollie's `from` cursor).
    pub fn from(mut self, payment: &PaymentId) -> Self {
        self.call = self.call.query("from", payment.as_str());
        self
    }

    /// Only the payments of this website profile (organization access tokens and OAuth).
    pub fn profile_id(mut self, profile_id: ProfileId) -> Self {
        self.call = self.call.profile_id(profile_id);
        self
    }
}

operation! {
    /// *Update payment*; `.await` it for the updated [`Payment`].
    pub struct UpdatePayment => single Payment;
}

operation! {
    /// *Cancel payment*; `.await` it for the canceled [`Payment`].
    pub struct CancelPayment => single Payment;
}

operation! {
    /// *Release authorization*; `.await` it to ask (Mollie answers 202).
    pub struct ReleaseAuthorization => no_content;
}

impl ReleaseAuthorization {
    /// `profileId`, for organization access tokens and OAuth.
    pub fn profile_id(mut self, profile_id: ProfileId) -> Self {
        self.call = self.call.profile_id(profile_id);
        self
    }
}
