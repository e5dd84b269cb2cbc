//! The payments of one customer: `/v2/customers/{id}/payments`.

use mollie_core::{Call, Client, IdempotencyKey, Request, operation};
use mollie_models::{CustomerId, NewPayment, Payment, PaymentId, ProfileId};

use crate::recovery;

/// The payments of one customer; made by `Customers::payments` (or
/// `mollie.customer_payments(&customer)`). The customer is in the handle, as it is for
/// mandates, refunds and chargebacks: the parent of a sub-resource is always there.
#[derive(Debug, Clone)]
pub struct CustomerPayments {
    client: Client,
    customer: CustomerId,
}

impl CustomerPayments {
    /// The payments of `customer`, over `client`.
    pub fn new(client: Client, customer: CustomerId) -> Self {
        Self { client, customer }
    }

    /// The customer whose payments these are.
    pub fn customer(&self) -> &CustomerId {
        &self.customer
    }

    fn call(&self, request: Request) -> Call {
        Call::new(self.client.clone(), request)
    }

    /// *Create customer payment*: `POST /v2/customers/{id}/payments`. The body is validated
    /// first ([`NewPayment::validate`]).
    ///
    /// ```
    /// use mollie_core::IdempotencyKey;
    /// use mollie_models::{Money, NewPayment, PaymentStatus, SequenceType};
    /// # use mollie_core::Request;
    /// # use mollie_models::{Iban, Mandate, NewCustomer, NewMandate};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mock = mollie_mock::MockServer::start().await?;
    /// # let client = mollie_core::Client::builder()
    /// #     .api_key("test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM")?
    /// #     .base_url(mock.url())
    /// #     .build()?;
    /// # let customers = mollie_customers::Customers::new(client.clone());
    /// # let jane = customers.create(NewCustomer::new().name("Jane Doe")).await?;
    /// # let iban = Iban::parse("NL55 INGB 0000 0000 00")?;
    /// # let mandate: Mandate = client
    /// #     .send(
    /// #         Request::post().segment("customers").id(&jane.id).segment("mandates")
    /// #             .json(&NewMandate::sepa_direct_debit("Jane Doe", iban))?,
    /// #     )
    /// #     .await?;
    /// // Charges Jane's SEPA mandate; sent again with this key, it is replayed, not repeated.
    /// let charge = NewPayment::recurring(Money::eur("10.00")?, "March", &mandate.id);
    /// let payment = customers
    ///     .payments(&jane.id)
    ///     .create(charge)
    ///     .idempotency_key(IdempotencyKey::parse("invoice-2024-0301")?)
    ///     .await?;
    /// assert_eq!(payment.sequence_type, SequenceType::Recurring);
    /// assert_eq!(payment.mandate_id.as_ref(), Some(&mandate.id));
    /// assert_eq!(payment.status, PaymentStatus::Pending); // direct debit takes a few days
    /// # Ok(())
    /// # }
    /// ```
    pub fn create(&self, payment: NewPayment) -> CreateCustomerPayment {
        let request = self.path(Request::post());
        let call = self.call(request).json(&payment).check(payment.validate());
        CreateCustomerPayment::from_call(call)
    }

    /// *List customer payments*: `GET /v2/customers/{id}/payments`, newest first unless
    /// sorted otherwise.
    ///
    /// ```
    /// use futures::TryStreamExt;
    /// use mollie_models::SortOrder;
    /// # use mollie_models::{Money, NewCustomer, NewPayment};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mock = mollie_mock::MockServer::start().await?;
    /// # let client = mollie_core::Client::builder()
    /// #     .api_key("test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM")?
    /// #     .base_url(mock.url())
    /// #     .build()?;
    /// # let customers = mollie_customers::Customers::new(client.clone());
    /// # let jane = customers.create(NewCustomer::new().name("Jane Doe")).await?;
    /// # for month in ["January", "February", "March"] {
    /// #     let amount = Money::eur("10.00")?;
    /// #     let payment = NewPayment::oneoff(amount, month, "https://example.org/paid");
    /// #     customers.payments(&jane.id).create(payment).await?;
    /// # }
    /// let page = customers.payments(&jane.id).list().limit(2).sort(SortOrder::Asc).await?;
    /// assert_eq!(page.len(), 2);
    /// assert_eq!(page.items()[0].description, "January"); // oldest first
    /// assert_eq!(page.items()[0].customer_id.as_ref(), Some(&jane.id));
    ///
    /// let all: Vec<_> = customers.payments(&jane.id).list().stream().try_collect().await?;
    /// assert_eq!(all.len(), 3);
    /// # Ok(())
    /// # }
    /// ```
    pub fn list(&self) -> ListCustomerPayments {
        ListCustomerPayments::from_call(self.call(self.path(Request::get())))
    }

    /// The payment that a call marked with
    /// [`mark_with_key`](CreateCustomerPayment::mark_with_key) made with `key`, among the
    /// customer's [`recovery::DEFAULT_LOOKBACK`] most recent payments; `None` if there is
    /// none: then that call made no payment, and it can be sent again (with a new key, if
    /// Mollie may have forgotten the old one). See [`recovery`] for when to use it.
    ///
    /// ```
    /// use mollie_models::{Money, NewPayment};
    /// # use mollie_models::{Iban, Mandate, NewCustomer, NewMandate};
    /// # use mollie_core::{IdempotencyKey, Request};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mock = mollie_mock::MockServer::start().await?;
    /// # let client = mollie_core::Client::builder()
    /// #     .api_key("test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM")?
    /// #     .base_url(mock.url())
    /// #     .build()?;
    /// # let customers = mollie_customers::Customers::new(client.clone());
    /// # let jane = customers.create(NewCustomer::new().name("Jane Doe")).await?;
    /// # let iban = Iban::parse("NL55INGB0000000000")?;
    /// # let mandate: Mandate = client
    /// #     .send(Request::post().segment("customers").id(&jane.id).segment("mandates")
    /// #         .json(&NewMandate::sepa_direct_debit("Jane Doe", iban))?)
    /// #     .await?;
    /// let key = IdempotencyKey::parse("invoice-2024-0301")?;
    /// let charge = NewPayment::recurring(Money::eur("10.00")?, "March", &mandate.id);
    /// // The answer of this call may be lost (a crash): the payment carries its key.
    /// let made = customers
    ///     .payments(&jane.id)
    ///     .create(charge)
    ///     .idempotency_key(key.clone())
    ///     .mark_with_key()
    ///     .await?;
    ///
    /// // Later, before charging again: look first.
    /// let found = customers.payments(&jane.id).find_by_key(&key).await?;
    /// assert_eq!(found.map(|p| p.id), Some(made.id));
    /// let other = IdempotencyKey::parse("invoice-2024-0401")?;
    /// assert!(customers.payments(&jane.id).find_by_key(&other).await?.is_none());
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// Any error of listing the payments.
    pub async fn find_by_key(
        &self,
        key: &IdempotencyKey,
    ) -> Result<Option<Payment>, mollie_core::Error> {
        self.find_by_key_within(key, recovery::DEFAULT_LOOKBACK)
            .await
    }

    /// As [`find_by_key`](Self::find_by_key), looking through the
    /// `lookback` most recent payments.
    ///
    /// # Errors
    /// Any error of listing the payments.
    pub async fn find_by_key_within(
        &self,
        key: &IdempotencyKey,
        lookback: usize,
    ) -> Result<Option<Payment>, mollie_core::Error> {
        let pages = self
            .list()
            .limit(250)
            .sort(mollie_models::SortOrder::Desc)
            .pages();
        recovery::find(pages, key, lookback).await
    }

    /// `/customers/{id}/payments`.
    fn path(&self, request: Request) -> Request {
        request
            .segment("customers")
            .id(&self.customer)
            .segment("payments")
    }
}

operation! {
    /// *Create customer payment*; `.await` it for the new [`Payment`].
    pub struct CreateCustomerPayment => single Payment;
}

impl CreateCustomerPayment {
    /// Writes this call's idempotency key into the payment's `metadata` (as
    /// [`recovery::KEY_MARKER`], merged into a metadata object of your own), so that
    /// [`CustomerPayments::find_by_key`] can find the payment after a crash, once Mollie no
    /// longer replays the key. The key is the call's final one, whatever order the setters
    /// run in. Metadata that is not an object, or that the marker takes over Mollie's 1 kB,
    /// refuses the call before anything is sent.
    pub fn mark_with_key(mut self) -> Self {
        self.call = self.call.finish_with(recovery::stamp_key);
        self
    }

    /// `profileId`, for organization access tokens and OAuth (overrides the client's
    /// default).
    pub fn profile_id(mut self, profile_id: ProfileId) -> Self {
        self.call = self.call.profile_id(profile_id);
        self
    }
}

operation! {
    /// *List customer payments*; `.await` it for one page, or `.stream()` every payment.
    pub struct ListCustomerPayments => list Payment, sorted;
}

impl ListCustomerPayments {
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
