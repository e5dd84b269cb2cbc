//! Mollie's Customers API (v2): create, get, update, delete and list customers; create and
//! list a customer's payments.
//!
//! Each operation is a builder over [`mollie_core::Call`]: set what the operation takes, then
//! `.await` it to send. Lists give one [`Page`](mollie_core::Page) when awaited, or every
//! item lazily with `.stream()`. Most applications use this crate through the `mollie-sdk`
//! facade (`mollie.customers()`).
//!
//! Input is checked before anything is sent: ids are typed, `limit` must be 1 to 250, and a
//! payment's body is validated ([`NewPayment::validate`](mollie_models::NewPayment::validate)).
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

use mollie_core::{Call, Client, Placement, Request, operation};
use mollie_models::{Customer, CustomerId, CustomerUpdate, NewCustomer};

mod include;
mod payments;
pub mod recovery;

pub use include::CustomerInclude;
pub use payments::{CreateCustomerPayment, CustomerPayments, ListCustomerPayments};

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

    /// The payments of one customer: *Create customer payment* and *List customer
    /// payments*, and finding a payment again by the key of the call that made it.
    pub fn payments(&self, customer: &CustomerId) -> CustomerPayments {
        CustomerPayments::new(self.client.clone(), customer.clone())
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
    pub struct ListCustomers => list Customer, sorted;
}

impl ListCustomers {
    /// Starts the list at this customer (Mollie's `from` cursor).
    pub fn from(mut self, customer: &CustomerId) -> Self {
        self.call = self.call.query("from", customer.as_str());
        self
    }
}
