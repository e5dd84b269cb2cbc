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

use mollie_core::{Call, Client, Placement, Request, operation};
use mollie_models::{
    Customer, CustomerId, CustomerUpdate, NewCustomer, NewPayment, Payment, PaymentId, ProfileId,
};

mod include;

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
    pub fn create(&self, customer: NewCustomer) -> CreateCustomer {
        CreateCustomer::from_call(self.call(customers(Request::post())).json(&customer))
    }

    /// *Get customer*: `GET /v2/customers/{id}`.
    pub fn get(&self, id: &CustomerId) -> GetCustomer {
        GetCustomer::from_call(self.call(customers(Request::get()).id(id)))
    }

    /// *Update customer*: `PATCH /v2/customers/{id}`; only the fields set in `update` change.
    pub fn update(&self, id: &CustomerId, update: CustomerUpdate) -> UpdateCustomer {
        UpdateCustomer::from_call(self.call(customers(Request::patch()).id(id)).json(&update))
    }

    /// *Delete customer*: `DELETE /v2/customers/{id}`. Mollie cancels the customer's
    /// mandates and subscriptions too.
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
    pub fn list(&self) -> ListCustomers {
        ListCustomers::from_call(self.call(customers(Request::get())))
    }

    /// *Create customer payment*: `POST /v2/customers/{id}/payments`. The body is validated
    /// first ([`NewPayment::validate`]).
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
    pub fn list_payments(&self, id: &CustomerId) -> ListCustomerPayments {
        let request = Request::get()
            .segment("customers")
            .id(id)
            .segment("payments");
        ListCustomerPayments::from_call(self.call(request))
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
