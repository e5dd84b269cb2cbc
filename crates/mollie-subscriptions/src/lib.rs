//! Mollie's Subscriptions API (v2): create, get, update, cancel and list a customer's
//! subscriptions, list the payments a subscription made, and list every subscription of the
//! account.
//!
//! A subscription charges a customer's mandate an amount on a schedule (`1 month`,
//! `14 days` ...), a number of `times` or until it is canceled; Mollie makes each payment on
//! its date and posts its status to the subscription's webhook. Creating one needs a customer
//! with a valid mandate (a SEPA Direct Debit mandate, or one left by a first payment).
//!
//! Two handles, as the API has two kinds of endpoint:
//! - [`Subscriptions`]: the subscriptions of one customer
//!   (`/v2/customers/{customerId}/subscriptions...`), with every operation but one;
//! - [`AllSubscriptions`]: *List all subscriptions* of the account or a profile
//!   (`/v2/subscriptions`).
//!
//! Each operation is a builder over [`mollie_core::Call`]: set what it takes, then `.await`
//! it. Input is checked before anything is sent: ids are typed, `limit` is 1 to 250, and a
//! body is validated ([`NewSubscription::validate`], [`SubscriptionUpdate::validate`]); refused
//! input is [`mollie_core::Error::InvalidInput`], naming the field, and nothing is sent. Most
//! applications use this crate through the `mollie-sdk` facade
//! (`mollie.subscriptions(&customer)`, `mollie.all_subscriptions()`).
//!
//! ```
//! use mollie_core::{Client, Request};
//! use mollie_models::{Interval, Money, NewSubscription, SubscriptionStatus, SubscriptionUpdate};
//! use mollie_subscriptions::Subscriptions;
//! # use mollie_models::{Customer, Iban, Mandate, NewCustomer, NewMandate};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let mock = mollie_mock::MockServer::start().await?;
//! let client = Client::builder()
//!     .api_key("test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM")?
//!     .base_url(mock.url()) // a local mollie-mock; by default https://api.mollie.com/v2/
//!     .build()?;
//! # let customer: Customer = client
//! #     .send(Request::post().segment("customers").json(&NewCustomer::new().name("Jane Doe"))?)
//! #     .await?;
//! # let iban = Iban::parse("NL55 INGB 0000 0000 00")?;
//! # let _: Mandate = client
//! #     .send(
//! #         Request::post().segment("customers").id(&customer.id).segment("mandates")
//! #             .json(&NewMandate::sepa_direct_debit("Jane Doe", iban))?,
//! #     )
//! #     .await?;
//! // Jane has a valid SEPA Direct Debit mandate: charge it 25 euro a quarter, four times.
//! let subscriptions = Subscriptions::new(client, customer.id.clone());
//! let plan = NewSubscription::new(Money::eur("25.00")?, Interval::months(3)?, "Quarterly box")
//!     .times(4)
//!     .webhook_url("https://shop.example/webhooks/mollie");
//! let subscription = subscriptions.create(plan).await?;
//! assert_eq!(subscription.status, SubscriptionStatus::Active);
//!
//! let subscription = subscriptions
//!     .update(&subscription.id, SubscriptionUpdate::new().amount(Money::eur("30.00")?))
//!     .await?;
//! assert_eq!(subscription.amount, Money::eur("30.00")?);
//!
//! let canceled = subscriptions.cancel(&subscription.id).await?;
//! assert_eq!(canceled.status, SubscriptionStatus::Canceled);
//! # Ok(())
//! # }
//! ```
#![cfg_attr(docsrs, feature(doc_cfg))]

use mollie_core::{Call, Client, Placement, Request, operation};
use mollie_models::{
    CustomerId, NewSubscription, Payment, PaymentId, ProfileId, Subscription, SubscriptionId,
    SubscriptionUpdate,
};

/// The Subscriptions API of one customer: `/v2/customers/{customerId}/subscriptions...`.
///
/// Made by [`Subscriptions::new`] (or `mollie.subscriptions(&customer)` in `mollie-sdk`). The
/// customer is in the handle, as it is for mandates and a customer's payments: every
/// endpoint of a subscription is under its customer. Every subscription of the account, of
/// all customers, is [`AllSubscriptions`].
#[derive(Debug, Clone)]
pub struct Subscriptions {
    client: Client,
    customer: CustomerId,
}

impl Subscriptions {
    /// The subscriptions of `customer`, over `client`.
    pub fn new(client: Client, customer: CustomerId) -> Self {
        Self { client, customer }
    }

    /// The customer whose subscriptions these are.
    pub fn customer(&self) -> &CustomerId {
        &self.customer
    }

    /// `/customers/{customer}/subscriptions`. Only *Create subscription* (in its body) and
    /// *List subscription payments* (in the query) take `profileId`; the others omit a client
    /// default, and refuse one set on the call.
    fn path(&self, request: Request) -> Request {
        request
            .segment("customers")
            .id(&self.customer)
            .segment("subscriptions")
    }

    fn call(&self, request: Request) -> Call {
        Call::new(self.client.clone(), request)
    }

    /// *Create subscription*: `POST /v2/customers/{customer}/subscriptions`. The body is
    /// validated first ([`NewSubscription::validate`]); `testmode` and `profileId` (for
    /// organization and OAuth tokens) go in the body. The customer needs a valid mandate (of
    /// the subscription's `method`, if it has one).
    ///
    /// ```
    /// use mollie_models::{Interval, Money, NewSubscription, SubscriptionStatus};
    /// # use mollie_core::Request;
    /// # use mollie_models::{Customer, Iban, Mandate, NewCustomer, NewMandate};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mock = mollie_mock::MockServer::start().await?;
    /// # let client = mollie_core::Client::builder()
    /// #     .api_key("test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM")?
    /// #     .base_url(mock.url())
    /// #     .build()?;
    /// # let customer: Customer = client
    /// #     .send(Request::post().segment("customers").json(&NewCustomer::new().name("Jane Doe"))?)
    /// #     .await?;
    /// # let iban = Iban::parse("NL55 INGB 0000 0000 00")?;
    /// # let mandate: Mandate = client
    /// #     .send(
    /// #         Request::post().segment("customers").id(&customer.id).segment("mandates")
    /// #             .json(&NewMandate::sepa_direct_debit("Jane Doe", iban))?,
    /// #     )
    /// #     .await?;
    /// # let subscriptions = mollie_subscriptions::Subscriptions::new(client, customer.id.clone());
    /// let plan = NewSubscription::new(Money::eur("9.99")?, Interval::months(1)?, "Monthly plan")
    ///     .times(12)
    ///     .mandate_id(mandate.id.clone());
    /// let subscription = subscriptions.create(plan).await?;
    /// assert_eq!(subscription.status, SubscriptionStatus::Active);
    /// assert_eq!(subscription.customer_id, customer.id);
    /// assert_eq!(subscription.mandate_id.as_ref(), Some(&mandate.id));
    /// assert_eq!(subscription.interval, Interval::months(1)?);
    /// assert_eq!(subscription.times, Some(12));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// A body Mollie would refuse is refused before sending, with the field named:
    ///
    /// ```
    /// use mollie_models::{CustomerId, Interval, Money, NewSubscription};
    /// use mollie_subscriptions::Subscriptions;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let client = mollie_core::Client::builder()
    ///     .api_key("test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM")?
    ///     .build()?;
    /// let subscriptions = Subscriptions::new(client, CustomerId::parse("cst_8wmqcHMN4U")?);
    ///
    /// let never = NewSubscription::new(Money::eur("9.99")?, Interval::months(1)?, "Plan").times(0);
    /// let error = subscriptions.create(never).await.unwrap_err();
    /// assert_eq!(error.field(), Some("times"));
    /// assert!(error.is_not_sent()); // nothing left the process
    /// # Ok(())
    /// # }
    /// ```
    pub fn create(&self, subscription: NewSubscription) -> CreateSubscription {
        let call = self
            .call(self.path(Request::post()))
            .json(&subscription)
            .check(subscription.validate());
        CreateSubscription::from_call(call)
    }

    /// *Get subscription*: `GET /v2/customers/{customer}/subscriptions/{id}`.
    ///
    /// ```
    /// use mollie_models::{Money, SubscriptionId, SubscriptionStatus};
    /// # use mollie_core::Request;
    /// # use mollie_models::{Customer, Iban, Interval, Mandate, NewCustomer, NewMandate, NewSubscription};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mock = mollie_mock::MockServer::start().await?;
    /// # let client = mollie_core::Client::builder()
    /// #     .api_key("test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM")?
    /// #     .base_url(mock.url())
    /// #     .build()?;
    /// # let customer: Customer = client
    /// #     .send(Request::post().segment("customers").json(&NewCustomer::new().name("Jane Doe"))?)
    /// #     .await?;
    /// # let iban = Iban::parse("NL55 INGB 0000 0000 00")?;
    /// # let _: Mandate = client
    /// #     .send(
    /// #         Request::post().segment("customers").id(&customer.id).segment("mandates")
    /// #             .json(&NewMandate::sepa_direct_debit("Jane Doe", iban))?,
    /// #     )
    /// #     .await?;
    /// # let subscriptions = mollie_subscriptions::Subscriptions::new(client, customer.id.clone());
    /// # let plan = NewSubscription::new(Money::eur("9.99")?, Interval::months(1)?, "Monthly plan");
    /// # let stored = subscriptions.create(plan).await?.id.to_string();
    /// let id = SubscriptionId::parse(&stored)?; // the id you stored, e.g. "sub_rVKGtNd6s3"
    /// let subscription = subscriptions.get(&id).await?;
    /// assert_eq!(subscription.id, id);
    /// assert_eq!(subscription.status, SubscriptionStatus::Active);
    /// assert_eq!(subscription.amount, Money::eur("9.99")?);
    /// # Ok(())
    /// # }
    /// ```
    pub fn get(&self, id: &SubscriptionId) -> GetSubscription {
        let request = self
            .path(Request::get())
            .id(id)
            .profile_id_in(Placement::Omit);
        GetSubscription::from_call(self.call(request))
    }

    /// *Update subscription*: `PATCH /v2/customers/{customer}/subscriptions/{id}`; only the
    /// fields set change, from the next payment on. The body is validated first
    /// ([`SubscriptionUpdate::validate`]); `testmode` goes in the body. Mollie refuses to
    /// update a canceled subscription.
    ///
    /// ```
    /// use mollie_models::{Money, SubscriptionUpdate};
    /// # use mollie_core::Request;
    /// # use mollie_models::{Customer, Iban, Interval, Mandate, NewCustomer, NewMandate, NewSubscription};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mock = mollie_mock::MockServer::start().await?;
    /// # let client = mollie_core::Client::builder()
    /// #     .api_key("test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM")?
    /// #     .base_url(mock.url())
    /// #     .build()?;
    /// # let customer: Customer = client
    /// #     .send(Request::post().segment("customers").json(&NewCustomer::new().name("Jane Doe"))?)
    /// #     .await?;
    /// # let iban = Iban::parse("NL55 INGB 0000 0000 00")?;
    /// # let _: Mandate = client
    /// #     .send(
    /// #         Request::post().segment("customers").id(&customer.id).segment("mandates")
    /// #             .json(&NewMandate::sepa_direct_debit("Jane Doe", iban))?,
    /// #     )
    /// #     .await?;
    /// # let subscriptions = mollie_subscriptions::Subscriptions::new(client, customer.id.clone());
    /// # let plan = NewSubscription::new(Money::eur("10.00")?, Interval::months(2)?, "Plan").times(6);
    /// # let id = subscriptions.create(plan).await?.id;
    /// let change = SubscriptionUpdate::new().amount(Money::eur("12.00")?).times(12);
    /// let subscription = subscriptions.update(&id, change).await?;
    /// assert_eq!(subscription.amount, Money::eur("12.00")?);
    /// assert_eq!(subscription.times, Some(12));
    ///
    /// // Refused before sending: a subscription charges at least once.
    /// let error = subscriptions.update(&id, SubscriptionUpdate::new().times(0)).await.unwrap_err();
    /// assert_eq!(error.field(), Some("times"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn update(&self, id: &SubscriptionId, update: SubscriptionUpdate) -> UpdateSubscription {
        let request = self
            .path(Request::patch())
            .id(id)
            .profile_id_in(Placement::Omit);
        let call = self.call(request).json(&update).check(update.validate());
        UpdateSubscription::from_call(call)
    }

    /// *Cancel subscription*: `DELETE /v2/customers/{customer}/subscriptions/{id}`. It
    /// charges nothing more; Mollie answers the canceled subscription (200, not 204).
    /// `testmode` goes in a JSON body.
    ///
    /// ```
    /// use mollie_models::SubscriptionStatus;
    /// # use mollie_core::Request;
    /// # use mollie_models::{Customer, Iban, Interval, Mandate, Money, NewCustomer, NewMandate, NewSubscription};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mock = mollie_mock::MockServer::start().await?;
    /// # let client = mollie_core::Client::builder()
    /// #     .api_key("test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM")?
    /// #     .base_url(mock.url())
    /// #     .build()?;
    /// # let customer: Customer = client
    /// #     .send(Request::post().segment("customers").json(&NewCustomer::new().name("Jane Doe"))?)
    /// #     .await?;
    /// # let iban = Iban::parse("NL55 INGB 0000 0000 00")?;
    /// # let _: Mandate = client
    /// #     .send(
    /// #         Request::post().segment("customers").id(&customer.id).segment("mandates")
    /// #             .json(&NewMandate::sepa_direct_debit("Jane Doe", iban))?,
    /// #     )
    /// #     .await?;
    /// # let subscriptions = mollie_subscriptions::Subscriptions::new(client, customer.id.clone());
    /// # let plan = NewSubscription::new(Money::eur("9.99")?, Interval::months(1)?, "Monthly plan");
    /// # let subscription = subscriptions.create(plan).await?;
    /// let canceled = subscriptions.cancel(&subscription.id).await?;
    /// assert_eq!(canceled.id, subscription.id);
    /// assert_eq!(canceled.status, SubscriptionStatus::Canceled);
    ///
    /// // A canceled subscription can still be fetched.
    /// let again = subscriptions.get(&subscription.id).await?;
    /// assert!(again.status.is_final());
    /// # Ok(())
    /// # }
    /// ```
    pub fn cancel(&self, id: &SubscriptionId) -> CancelSubscription {
        // Mollie takes this DELETE's `testmode` in a JSON body, not the query.
        let request = self
            .path(Request::delete())
            .id(id)
            .testmode_in(Placement::Body)
            .profile_id_in(Placement::Omit);
        CancelSubscription::from_call(self.call(request))
    }

    /// *List customer subscriptions*: `GET /v2/customers/{customer}/subscriptions`, newest
    /// first unless sorted otherwise.
    ///
    /// ```
    /// use futures::TryStreamExt;
    /// use mollie_models::SortOrder;
    /// # use mollie_core::Request;
    /// # use mollie_models::{Customer, Iban, Interval, Mandate, Money, NewCustomer, NewMandate, NewSubscription};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mock = mollie_mock::MockServer::start().await?;
    /// # let client = mollie_core::Client::builder()
    /// #     .api_key("test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM")?
    /// #     .base_url(mock.url())
    /// #     .build()?;
    /// # let customer: Customer = client
    /// #     .send(Request::post().segment("customers").json(&NewCustomer::new().name("Jane Doe"))?)
    /// #     .await?;
    /// # let iban = Iban::parse("NL55 INGB 0000 0000 00")?;
    /// # let _: Mandate = client
    /// #     .send(
    /// #         Request::post().segment("customers").id(&customer.id).segment("mandates")
    /// #             .json(&NewMandate::sepa_direct_debit("Jane Doe", iban))?,
    /// #     )
    /// #     .await?;
    /// # let subscriptions = mollie_subscriptions::Subscriptions::new(client, customer.id.clone());
    /// # for plan in ["Newspaper", "Magazine"] {
    /// #     let plan = NewSubscription::new(Money::eur("5.00")?, Interval::weeks(1)?, plan);
    /// #     subscriptions.create(plan).await?;
    /// # }
    /// let page = subscriptions.list().limit(1).sort(SortOrder::Asc).await?;
    /// assert_eq!(page.len(), 1);
    /// assert_eq!(page.items()[0].description, "Newspaper"); // oldest first
    /// assert!(page.has_next());
    ///
    /// let all: Vec<_> = subscriptions.list().stream().try_collect().await?;
    /// assert_eq!(all.len(), 2);
    /// assert!(all.iter().all(|s| &s.customer_id == subscriptions.customer()));
    /// # Ok(())
    /// # }
    /// ```
    pub fn list(&self) -> ListSubscriptions {
        let request = self.path(Request::get()).profile_id_in(Placement::Omit);
        ListSubscriptions::from_call(self.call(request))
    }

    /// *List subscription payments*:
    /// `GET /v2/customers/{customer}/subscriptions/{id}/payments`, the payments Mollie made
    /// for the subscription, newest first unless sorted otherwise.
    ///
    /// ```
    /// use std::time::Duration;
    /// use mollie_models::SequenceType;
    /// # use mollie_core::Request;
    /// # use mollie_models::{Customer, Iban, Interval, Mandate, Money, NewCustomer, NewMandate, NewSubscription};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mock = mollie_mock::MockServer::start().await?;
    /// # let client = mollie_core::Client::builder()
    /// #     .api_key("test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM")?
    /// #     .base_url(mock.url())
    /// #     .build()?;
    /// # let customer: Customer = client
    /// #     .send(Request::post().segment("customers").json(&NewCustomer::new().name("Jane Doe"))?)
    /// #     .await?;
    /// # let iban = Iban::parse("NL55 INGB 0000 0000 00")?;
    /// # let mandate: Mandate = client
    /// #     .send(
    /// #         Request::post().segment("customers").id(&customer.id).segment("mandates")
    /// #             .json(&NewMandate::sepa_direct_debit("Jane Doe", iban))?,
    /// #     )
    /// #     .await?;
    /// # let subscriptions = mollie_subscriptions::Subscriptions::new(client, customer.id.clone());
    /// let plan = NewSubscription::new(Money::eur("9.99")?, Interval::months(1)?, "Monthly plan");
    /// let subscription = subscriptions.create(plan).await?; // starts today
    ///
    /// // The mock's clock moves 40 days on, and makes the payments of those days as Mollie
    /// // would (`MockServer::advance_clock`, a mock-only control).
    /// mock.advance_clock(Duration::from_secs(40 * 24 * 60 * 60)).await;
    ///
    /// let page = subscriptions.payments(&subscription.id).limit(10).await?;
    /// assert_eq!(page.len(), 2); // today's and a month later's
    /// for payment in page.items() {
    ///     assert_eq!(payment.subscription_id.as_ref(), Some(&subscription.id));
    ///     assert_eq!(payment.mandate_id.as_ref(), Some(&mandate.id));
    ///     assert_eq!(payment.sequence_type, SequenceType::Recurring);
    ///     assert_eq!(payment.amount, Money::eur("9.99")?);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn payments(&self, id: &SubscriptionId) -> ListSubscriptionPayments {
        let request = self.path(Request::get()).id(id).segment("payments");
        ListSubscriptionPayments::from_call(self.call(request))
    }
}

/// Every subscription of the account, of all customers: *List all subscriptions*,
/// `GET /v2/subscriptions`.
///
/// Made by [`AllSubscriptions::new`] (or `mollie.all_subscriptions()` in `mollie-sdk`); a
/// handle of its own because the endpoint is under no customer (the subscriptions of one
/// customer are [`Subscriptions`]).
#[derive(Debug, Clone)]
pub struct AllSubscriptions {
    client: Client,
}

impl AllSubscriptions {
    /// Every subscription reachable with `client`'s credential.
    pub fn new(client: Client) -> Self {
        Self { client }
    }

    /// *List all subscriptions*: `GET /v2/subscriptions`, newest first (the endpoint takes no
    /// `sort`). With an organization or OAuth token, `profile_id` narrows it to one profile;
    /// without one, it lists the whole organization.
    ///
    /// ```
    /// use futures::TryStreamExt;
    /// use mollie_subscriptions::AllSubscriptions;
    /// # use mollie_core::Request;
    /// # use mollie_models::{Customer, Iban, Interval, Mandate, Money, NewCustomer, NewMandate, NewSubscription};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mock = mollie_mock::MockServer::start().await?;
    /// # let client = mollie_core::Client::builder()
    /// #     .api_key("test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM")?
    /// #     .base_url(mock.url())
    /// #     .build()?;
    /// # for name in ["Jane Doe", "John Doe"] {
    /// #     let customer: Customer = client
    /// #         .send(Request::post().segment("customers").json(&NewCustomer::new().name(name))?)
    /// #         .await?;
    /// #     let iban = Iban::parse("NL55 INGB 0000 0000 00")?;
    /// #     let _: Mandate = client
    /// #         .send(
    /// #             Request::post().segment("customers").id(&customer.id).segment("mandates")
    /// #                 .json(&NewMandate::sepa_direct_debit(name, iban))?,
    /// #         )
    /// #         .await?;
    /// #     let plan = NewSubscription::new(Money::eur("9.99")?, Interval::months(1)?, "Monthly plan");
    /// #     mollie_subscriptions::Subscriptions::new(client.clone(), customer.id).create(plan).await?;
    /// # }
    /// // Jane's and John's subscriptions, in one list.
    /// let all: Vec<_> = AllSubscriptions::new(client).list().stream().try_collect().await?;
    /// assert_eq!(all.len(), 2);
    /// assert_ne!(all[0].customer_id, all[1].customer_id);
    /// # Ok(())
    /// # }
    /// ```
    pub fn list(&self) -> ListAllSubscriptions {
        let call = Call::new(self.client.clone(), Request::get().segment("subscriptions"));
        ListAllSubscriptions::from_call(call)
    }
}

operation! {
    /// *Create subscription*; `.await` it for the new [`Subscription`].
    pub struct CreateSubscription => single Subscription;
}

impl CreateSubscription {
    /// `profileId`, for organization access tokens and OAuth (overrides the client's
    /// default); sent in the body.
    pub fn profile_id(mut self, profile_id: ProfileId) -> Self {
        self.call = self.call.profile_id(profile_id);
        self
    }
}

operation! {
    /// *Get subscription*; `.await` it for the [`Subscription`].
    pub struct GetSubscription => single Subscription;
}

operation! {
    /// *Update subscription*; `.await` it for the updated [`Subscription`].
    pub struct UpdateSubscription => single Subscription;
}

operation! {
    /// *Cancel subscription*; `.await` it for the canceled [`Subscription`].
    pub struct CancelSubscription => single Subscription;
}

operation! {
    /// *List customer subscriptions*; `.await` it for one page, `.stream()` every
    /// subscription, or `.pages()`.
    pub struct ListSubscriptions => list Subscription, sorted;
}

impl ListSubscriptions {
    /// Starts the list at this subscription (Mollie's `from` cursor).
    pub fn from(mut self, subscription: &SubscriptionId) -> Self {
        self.call = self.call.query("from", subscription.as_str());
        self
    }
}

operation! {
    /// *List all subscriptions* of the account; `.await` it for one page, `.stream()` every
    /// subscription, or `.pages()`. The endpoint takes no `sort`.
    pub struct ListAllSubscriptions => list Subscription;
}

impl ListAllSubscriptions {
    /// Starts the list at this subscription (Mollie's `from` cursor).
    pub fn from(mut self, subscription: &SubscriptionId) -> Self {
        self.call = self.call.query("from", subscription.as_str());
        self
    }

    /// Only the subscriptions of this website profile (organization access tokens and
    /// OAuth); without it, an organization token lists the whole organization.
    pub fn profile_id(mut self, profile_id: ProfileId) -> Self {
        self.call = self.call.profile_id(profile_id);
        self
    }
}

operation! {
    /// *List subscription payments*; `.await` it for one page, `.stream()` every
    /// [`Payment`], or `.pages()`.
    pub struct ListSubscriptionPayments => list Payment, sorted;
}

impl ListSubscriptionPayments {
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
