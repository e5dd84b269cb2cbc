//! Mollie's Customers API (v2): create, get, update, delete and list customers; create and
//! list a customer's payments.
//!
//! Each operation is a builder over [`mollie_core::Call`]: set what the operation takes, then
//! `.await` it to send. Lists give one [`Page`](mollie_core::Page) when awaited, or every
//! item lazily with `.stream()`. Most applications use this crate through the `mollie-sdk`
//! facade (`mollie.customers()`).
//!
//! Input is checked before anything is sent: ids are typed, `limit` must be 1 to 250, and a
//! payment's body is validated ([`NewPayment::validate`]).
//!
//! ```
//! use futures::TryStreamExt;
//! use mollie_core::{Client, IdempotencyKey};
//! use mollie_customers::Customers;
//! use mollie_models::{CustomerUpdate, Locale, NewCustomer, SortOrder};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let mock = mollie_mock::MockServer::start().await?;
//! let client = Client::builder()
//!     .api_key("test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM")?
//!     .base_url(mock.url()) // a local mollie-mock; by default https://api.mollie.com/v2/
//!     .build()?;
//! let customers = Customers::new(client);
//!
//! let jane = customers
//!     .create(NewCustomer::new().name("Jane Doe").locale(Locale::NlNl))
//!     .idempotency_key(IdempotencyKey::parse("signup-4711")?)
//!     .await?;
//! let jane = customers.update(&jane.id, CustomerUpdate::new().email("jane@example.org")).await?;
//! assert_eq!(jane.email.as_deref(), Some("jane@example.org"));
//!
//! let page = customers.list().limit(10).sort(SortOrder::Asc).await?;
//! assert_eq!(page.items()[0].id, jane.id);
//! let everyone: Vec<_> = customers.list().stream().try_collect().await?;
//! assert_eq!(everyone.len(), 1);
//!
//! customers.delete(&jane.id).await?;
//! assert!(customers.get(&jane.id).await.unwrap_err().is_not_found());
//! # Ok(())
//! # }
//! ```
#![cfg_attr(docsrs, feature(doc_cfg))]

use mollie_core::{Call, Client, IdempotencyKey, Placement, Request, operation};
use mollie_models::{
    Customer, CustomerId, CustomerUpdate, NewCustomer, NewPayment, Payment, PaymentId, ProfileId,
};

mod include;
pub mod recovery;

pub use include::CustomerInclude;

/// The Customers API of a client.
#[derive(Debug, Clone)]
pub struct Customers {
    client: Client,
}

/// A request to a customer endpoint: `/customers...`. The Customers endpoints take no
/// `profileId` (a customer belongs to the organization), so a client default is not sent.
fn customers(request: Request) -> Request {
    request.segment("customers").profile_id_in(Placement::Omit)
}

impl Customers {
    /// The Customers API over `client`.
    pub fn new(client: Client) -> Self {
        Self { client }
    }

    fn call(&self, request: Request) -> Call {
        Call::new(self.client.clone(), request)
    }

    /// *Create customer*: `POST /v2/customers`.
    ///
    /// ```
    /// use mollie_models::{Locale, Mode, NewCustomer};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mock = mollie_mock::MockServer::start().await?;
    /// # let client = mollie_core::Client::builder()
    /// #     .api_key("test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM")?
    /// #     .base_url(mock.url())
    /// #     .build()?;
    /// # let customers = mollie_customers::Customers::new(client.clone());
    /// let new = NewCustomer::new()
    ///     .name("Jane Doe")
    ///     .email("jane@example.org")
    ///     .locale(Locale::NlNl);
    /// let jane = customers.create(new).await?;
    /// assert!(jane.id.as_str().starts_with("cst_"));
    /// assert_eq!(jane.name.as_deref(), Some("Jane Doe"));
    /// assert_eq!(jane.mode, Mode::Test); // a test_ key creates test-mode customers
    /// # Ok(())
    /// # }
    /// ```
    pub fn create(&self, customer: NewCustomer) -> CreateCustomer {
        CreateCustomer::from_call(self.call(customers(Request::post())).json(&customer))
    }

    /// *Get customer*: `GET /v2/customers/{id}`.
    ///
    /// ```
    /// use mollie_models::{CustomerId, NewCustomer};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mock = mollie_mock::MockServer::start().await?;
    /// # let client = mollie_core::Client::builder()
    /// #     .api_key("test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM")?
    /// #     .base_url(mock.url())
    /// #     .build()?;
    /// # let customers = mollie_customers::Customers::new(client.clone());
    /// # let stored = customers.create(NewCustomer::new().name("Jane Doe")).await?.id.to_string();
    /// let id = CustomerId::parse(&stored)?; // the id you stored, e.g. "cst_8wmqcHMN4U"
    /// let customer = customers.get(&id).await?;
    /// assert_eq!(customer.id, id);
    /// assert_eq!(customer.name.as_deref(), Some("Jane Doe"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn get(&self, id: &CustomerId) -> GetCustomer {
        GetCustomer::from_call(self.call(customers(Request::get()).id(id)))
    }

    /// *Update customer*: `PATCH /v2/customers/{id}`; only the fields set in `update` change.
    ///
    /// ```
    /// use mollie_models::{CustomerUpdate, NewCustomer};
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
    /// let update = CustomerUpdate::new().email("jane@example.org");
    /// let jane = customers.update(&jane.id, update).await?;
    /// assert_eq!(jane.email.as_deref(), Some("jane@example.org"));
    /// assert_eq!(jane.name.as_deref(), Some("Jane Doe")); // not in the update: unchanged
    /// # Ok(())
    /// # }
    /// ```
    pub fn update(&self, id: &CustomerId, update: CustomerUpdate) -> UpdateCustomer {
        UpdateCustomer::from_call(self.call(customers(Request::patch()).id(id)).json(&update))
    }

    /// *Delete customer*: `DELETE /v2/customers/{id}`. Mollie cancels the customer's
    /// mandates and subscriptions too.
    ///
    /// ```
    /// use mollie_models::NewCustomer;
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
    /// customers.delete(&jane.id).await?;
    ///
    /// let error = customers.get(&jane.id).await.unwrap_err();
    /// assert!(error.is_not_found()); // 404: the customer is gone
    /// # Ok(())
    /// # }
    /// ```
    pub fn delete(&self, id: &CustomerId) -> DeleteCustomer {
        DeleteCustomer::from_call(
            // Mollie takes this DELETE's `testmode` in a JSON body, not the query.
            self.call(
                customers(Request::delete())
                    .id(id)
                    .testmode_in(Placement::Body),
            ),
        )
    }

    /// *List customers*: `GET /v2/customers`, newest first unless sorted otherwise.
    ///
    /// ```
    /// use futures::TryStreamExt;
    /// use mollie_models::NewCustomer;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mock = mollie_mock::MockServer::start().await?;
    /// # let client = mollie_core::Client::builder()
    /// #     .api_key("test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM")?
    /// #     .base_url(mock.url())
    /// #     .build()?;
    /// # let customers = mollie_customers::Customers::new(client.clone());
    /// # for name in ["Jane Doe", "John Doe", "Joan Doe"] {
    /// #     customers.create(NewCustomer::new().name(name)).await?;
    /// # }
    /// // One page: here two of the three customers, the newest first.
    /// let page = customers.list().limit(2).await?;
    /// assert_eq!(page.len(), 2);
    /// assert_eq!(page.items()[0].name.as_deref(), Some("Joan Doe"));
    /// assert!(page.has_next());
    ///
    /// // Every customer, page after page.
    /// let everyone: Vec<_> = customers.list().limit(2).stream().try_collect().await?;
    /// assert_eq!(everyone.len(), 3);
    /// # Ok(())
    /// # }
    /// ```
    pub fn list(&self) -> ListCustomers {
        ListCustomers::from_call(self.call(customers(Request::get())))
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
    ///     .create_payment(&jane.id, charge)
    ///     .idempotency_key(IdempotencyKey::parse("invoice-2024-0301")?)
    ///     .await?;
    /// assert_eq!(payment.sequence_type, SequenceType::Recurring);
    /// assert_eq!(payment.mandate_id.as_ref(), Some(&mandate.id));
    /// assert_eq!(payment.status, PaymentStatus::Pending); // direct debit takes a few days
    /// # Ok(())
    /// # }
    /// ```
    pub fn create_payment(&self, id: &CustomerId, payment: NewPayment) -> CreateCustomerPayment {
        let request = Request::post()
            .segment("customers")
            .id(id)
            .segment("payments");
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
    /// #     customers.create_payment(&jane.id, payment).await?;
    /// # }
    /// let page = customers.list_payments(&jane.id).limit(2).sort(SortOrder::Asc).await?;
    /// assert_eq!(page.len(), 2);
    /// assert_eq!(page.items()[0].description, "January"); // oldest first
    /// assert_eq!(page.items()[0].customer_id.as_ref(), Some(&jane.id));
    ///
    /// let all: Vec<_> = customers.list_payments(&jane.id).stream().try_collect().await?;
    /// assert_eq!(all.len(), 3);
    /// # Ok(())
    /// # }
    /// ```
    pub fn list_payments(&self, id: &CustomerId) -> ListCustomerPayments {
        ListCustomerPayments::from_call(self.call(Self::payments_of(id)))
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
    ///     .create_payment(&jane.id, charge)
    ///     .idempotency_key(key.clone())
    ///     .mark_with_key()
    ///     .await?;
    ///
    /// // Later, before charging again: look first.
    /// let found = customers.find_payment_by_key(&jane.id, &key).await?;
    /// assert_eq!(found.map(|p| p.id), Some(made.id));
    /// let other = IdempotencyKey::parse("invoice-2024-0401")?;
    /// assert!(customers.find_payment_by_key(&jane.id, &other).await?.is_none());
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// Any error of listing the payments.
    pub async fn find_payment_by_key(
        &self,
        customer: &CustomerId,
        key: &IdempotencyKey,
    ) -> Result<Option<Payment>, mollie_core::Error> {
        self.find_payment_by_key_within(customer, key, recovery::DEFAULT_LOOKBACK)
            .await
    }

    /// As [`find_payment_by_key`](Self::find_payment_by_key), looking through the
    /// `lookback` most recent payments.
    ///
    /// # Errors
    /// Any error of listing the payments.
    pub async fn find_payment_by_key_within(
        &self,
        customer: &CustomerId,
        key: &IdempotencyKey,
        lookback: usize,
    ) -> Result<Option<Payment>, mollie_core::Error> {
        let pages = self
            .list_payments(customer)
            .limit(250)
            .sort(mollie_models::SortOrder::Desc)
            .pages();
        recovery::find(pages, key, lookback).await
    }

    fn payments_of(id: &CustomerId) -> Request {
        Request::get()
            .segment("customers")
            .id(id)
            .segment("payments")
    }
}

operation! {
    /// *Create customer*; `.await` it for the new [`Customer`].
    pub struct CreateCustomer => single Customer;
}

operation! {
    /// *Get customer*; `.await` it for the [`Customer`].
    pub struct GetCustomer => single Customer;
}

impl GetCustomer {
    /// Asks for related information in the response (`include=...`).
    pub fn include(mut self, include: CustomerInclude) -> Self {
        self.call = self.call.query("include", include.as_str());
        self
    }
}

operation! {
    /// *Update customer*; `.await` it for the updated [`Customer`].
    pub struct UpdateCustomer => single Customer;
}

operation! {
    /// *Delete customer*; `.await` it to delete (Mollie answers 204).
    pub struct DeleteCustomer => no_content;
}

operation! {
    /// *List customers*; `.await` it for one page, or `.stream()` every customer.
    pub struct ListCustomers => list Customer;
}

impl ListCustomers {
    /// Starts the list at this customer (Mollie's `from` cursor).
    pub fn from(mut self, customer: &CustomerId) -> Self {
        self.call = self.call.query("from", customer.as_str());
        self
    }
}

operation! {
    /// *Create customer payment*; `.await` it for the new [`Payment`].
    pub struct CreateCustomerPayment => single Payment;
}

impl CreateCustomerPayment {
    /// Writes this call's idempotency key into the payment's `metadata` (as
    /// [`recovery::KEY_MARKER`], merged into a metadata object of your own), so that
    /// [`Customers::find_payment_by_key`] can find the payment after a crash, once Mollie no
    /// longer replays the key. The key is the call's final one, whatever order the setters
    /// run in. Metadata that is not an object, or that the marker takes over Mollie's 1 kB,
    /// refuses the call before anything is sent.
    pub fn mark_with_key(mut self) -> Self {
        self.call = self.call.finish_with(recovery::stamp_key);
        self
    }

    /// `profileId`, for organization access tokens and OAuth (the body's own
    /// [`NewPayment::profile_id`] wins if set).
    pub fn profile_id(mut self, profile_id: ProfileId) -> Self {
        self.call = self.call.profile_id(profile_id);
        self
    }
}

operation! {
    /// *List customer payments*; `.await` it for one page, or `.stream()` every payment.
    pub struct ListCustomerPayments => list Payment;
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
